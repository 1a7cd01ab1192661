//! 行政规范性文件 (normative documents) from plan to 备案 and cleanup, as a procedure on the
//! kernel (LEGAL-RULES.md §2).
//!
//! The statutory core for a county government is 地方组织法 (2022) Art. 75 [C]: 评估论证,
//! 公开征求意见, 合法性审查, 集体讨论决定, 公布 and 备案. The comment period is ≥ 30 days for
//! documents closely related to market actors (优化营商环境条例 Art. 62 [C]) and ≥ 7 working days
//! otherwise (示范指标体系 indicator 24 [S]). The review period (国办发〔2018〕115号) and the
//! filing period (Jiangsu's 省政府令第158号) could not be read in full: they are local defaults
//! an administrator can change ([U]).
//!
//! | state | step → next | who | guard | clock |
//! |---|---|---|---|---|
//! | 起草中 | 评估论证 → 已评估论证 | 起草单位 | the assessment written (Art. 75) | — |
//! | 已评估论证 | 公开征求意见 → 征求意见中 | 起草单位 | a window of the latest version; ≥ 30 d / 7 WD or a reason | — |
//! | 已评估论证 | 不公开征求意见 → 意见已汇总 | 起草单位 | a reason (依法需要保密, Art. 62 ¶2) | — |
//! | 征求意见中 | 结束征求意见 → 意见已汇总 | 起草单位 | the window has run; the 采纳情况 written | — |
//! | 意见已汇总 | 送合法性审核 → 合法性审核中 | 起草单位 | — | review period starts |
//! | 合法性审核中 | 出具审核意见 → 审核通过 / 起草中 | 法制审核 | checklist answered; a problem found cannot pass | stops |
//! | 意见已汇总…审核通过 | 集体讨论决定 → 已集体讨论通过 / 起草中 | 负责人 | a passing legality review on record (Art. 75) | — |
//! | 已集体讨论通过 | 统一登记编号公布 → 已公布待备案 | 登记备案员 | — | filing period starts |
//! | 已公布待备案 | 报送备案 → 现行有效 | 登记备案员 | late filing states why | stops |
//! | 现行有效 | 清理 → 现行有效 / 已废止 / 已失效 | 登记备案员 | outcome, campaign, reason | — |
//! | 已公布/现行有效 | 有效期届满 → 已失效 | system | past its validity | — |

use std::sync::LazyLock;

use crate::auth::Perm;
use crate::kernel::definition::*;

pub const CODE: &str = "normdoc";

pub const ORG_LAW: &str = "中华人民共和国地方各级人民代表大会和地方各级人民政府组织法";
pub const BIZ: &str = "优化营商环境条例";

pub const ART_75: Basis = Basis::checked(
    ORG_LAW,
    "第七十五条",
    "县级以上的地方各级人民政府制定涉及个人、组织权利义务的规范性文件，应当依照法定权限和程序，进行评估论证、公开征求意见、合法性审查、集体讨论决定，并予以公布和备案",
);
pub const BIZ_62: Basis = Basis::checked(
    BIZ,
    "第六十二条第二款",
    "除依法需要保密外，制定与市场主体生产经营活动密切相关的行政规范性文件，应当向社会公开征求意见，并建立健全意见采纳情况反馈机制；征求意见的期限一般不少于30日",
);
pub const INDICATOR_24: Basis = Basis::secondary(
    "市县法治政府建设示范指标体系（2021年版）",
    "第24项",
    "涉及群众切身利益的行政规范性文件公开征求意见的期限一般不少于7个工作日（与市场主体生产经营活动密切相关的不少于30日）",
);
pub const BIZ_64: Basis =
    Basis::checked(BIZ, "第六十四条第二款", "涉及市场主体权利义务的行政规范性文件应当按照法定要求和程序予以公布，未经公布的不得作为行政管理依据");
pub const REVIEW_PERIOD: Basis = Basis::local(
    "国务院办公厅关于全面推行行政规范性文件合法性审核机制的指导意见（国办发〔2018〕115号）",
    "",
    "合法性审核时间一般不少于5个工作日，最长不超过15个工作日（本地默认15个工作日，可配置）",
);
pub const FILING: Basis = Basis::local(
    "江苏省行政规范性文件管理规定（省政府令第158号）",
    "",
    "行政规范性文件自公布之日起30日内报送备案（本地默认30日，可配置；规章备案期限见《法规规章备案审查条例》第四条）",
);
pub const VALIDITY: Basis = Basis::local("江苏省行政规范性文件管理规定（省政府令第158号）", "", "行政规范性文件应当载明有效期，一般不超过5年（本地默认5年）");
pub const CLEANUP: Basis = Basis::secondary(
    "国务院办公厅关于加强行政规范性文件制定和监督管理工作的通知（国办发〔2018〕37号）",
    "四",
    "定期开展清理，清理结果向社会公布；清理结论为继续保留、修改、废止、失效或重新公布",
);
pub const NO_INTERNAL_UNIT: Basis = Basis::secondary(
    "国务院办公厅关于加强行政规范性文件制定和监督管理工作的通知（国办发〔2018〕37号）",
    "一（一）",
    "不得以政府部门内设机构名义制发行政规范性文件；不得增加法律、法规规定之外的行政权力事项或者减少法定职责",
);

/// Days of the legality review (a local default; setting `review_days`).
pub const REVIEW_DAYS: u32 = 15;
/// Days within which a published document is filed (a local default; setting `filing_days`).
pub const FILING_DAYS: u32 = 30;
/// Years of validity when the document names none (a local default).
pub const VALID_YEARS: u32 = 5;

/// One item of the legality-review checklist: a question whose answer “yes” is a problem, and
/// the article that forbids it.
#[derive(Clone, Copy, Debug)]
pub struct CheckItem {
    pub code: &'static str,
    pub question: &'static str,
    pub basis: Basis,
}

pub const CHECKLIST: &[CheckItem] = &[
    CheckItem {
        code: "chk_licence",
        question: "是否设定行政许可",
        basis: Basis::checked("中华人民共和国行政许可法", "第十七条", "除本法第十四条、第十五条规定的外，其他规范性文件一律不得设定行政许可"),
    },
    CheckItem {
        code: "chk_penalty",
        question: "是否设定行政处罚",
        basis: Basis::checked("中华人民共和国行政处罚法", "第十六条", "除法律、法规、规章外，其他规范性文件不得设定行政处罚"),
    },
    CheckItem {
        code: "chk_coercion",
        question: "是否设定行政强制措施",
        basis: Basis::checked("中华人民共和国行政强制法", "第十条第四款", "法律、法规以外的其他规范性文件不得设定行政强制措施"),
    },
    CheckItem {
        code: "chk_market",
        question: "是否无依据减损市场主体权益、增加其义务或设置准入退出条件",
        basis: Basis::checked(
            BIZ,
            "第六十四条第一款",
            "没有法律、法规或者国务院决定和命令依据的，行政规范性文件不得减损市场主体合法权益或者增加其义务，不得设置市场准入和退出条件",
        ),
    },
    CheckItem { code: "chk_powers", question: "是否增加法定外的行政权力、减损公民权利或增加其义务", basis: NO_INTERNAL_UNIT },
    CheckItem { code: "chk_internal", question: "是否以内设机构名义制发", basis: NO_INTERNAL_UNIT },
    CheckItem { code: "chk_procedure", question: "是否未履行评估论证、公开征求意见等法定程序", basis: ART_75 },
];

pub const YES_NO: &[(&str, &str)] = &[("no", "否"), ("yes", "是（存在问题）")];
pub const REVIEW_RESULTS: &[(&str, &str)] = &[("pass", "合法，同意提请集体讨论"), ("fail", "存在合法性问题，退回起草单位修改")];
pub const MEETING_RESULTS: &[(&str, &str)] = &[("adopted", "审议通过"), ("returned", "未通过，退回修改")];

/// Cleanup outcomes: the seed's vocabulary ([U] as a national standard, LEGAL-RULES §2(c)).
pub const CLEANUP_OUTCOMES: &[(&str, &str)] = &[("keep", "继续保留"), ("amend", "修改"), ("repeal", "废止"), ("expire", "失效"), ("republish", "重新公布")];

pub fn cleanup_label(code: &str) -> &'static str {
    CLEANUP_OUTCOMES.iter().find(|o| o.0 == code).map(|o| o.1).unwrap_or("")
}

fn checklist_answered(ctx: &GuardCtx<'_>) -> Result<(), String> {
    let missing: Vec<&str> = CHECKLIST.iter().filter(|i| !matches!(ctx.input.field(i.code), Some("yes" | "no"))).map(|i| i.question).collect();
    if missing.is_empty() { Ok(()) } else { Err(format!("审核清单须逐项作答，尚未回答：{}", missing.join("；"))) }
}

fn review_result_consistent(ctx: &GuardCtx<'_>) -> Result<(), String> {
    match ctx.input.field("result") {
        Some("pass") => {
            let found: Vec<String> =
                CHECKLIST.iter().filter(|i| ctx.input.field(i.code) == Some("yes")).map(|i| format!("{}（{}）", i.question, i.basis.cite())).collect();
            if found.is_empty() { Ok(()) } else { Err(format!("审核清单发现问题，不能出具“合法”意见：{}", found.join("；"))) }
        }
        Some("fail") => Ok(()),
        _ => Err("请选择审核结论".into()),
    }
}

fn legality_passed(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("review_passed") {
        Ok(())
    } else {
        Err("没有合法性审核意见，或审核未通过：未经合法性审核的规范性文件不得提交集体讨论".into())
    }
}

fn window_ended(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("window_ended") { Ok(()) } else { Err("征求意见期限尚未届满，不能提前结束".into()) }
}

fn past_validity(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("past_validity") { Ok(()) } else { Err("有效期尚未届满".into()) }
}

fn meeting_result(ctx: &GuardCtx<'_>) -> Result<(), String> {
    match ctx.input.field("result") {
        Some("adopted" | "returned") => Ok(()),
        _ => Err("请选择审议结果".into()),
    }
}

fn cleanup_outcome(ctx: &GuardCtx<'_>) -> Result<(), String> {
    match ctx.input.field("outcome") {
        Some(o) if CLEANUP_OUTCOMES.iter().any(|c| c.0 == o) => Ok(()),
        Some(o) => Err(format!("“{o}”不是规定的清理结论")),
        None => Err("请选择清理结论".into()),
    }
}

fn late_filing_explained(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("filing_late") && ctx.input.field("late_reason").is_none() {
        let due = ctx.case.due_on.map(crate::time::fmt_date).unwrap_or_default();
        Err(format!("已超过备案期限（{due}），须说明逾期报送的原因"))
    } else {
        Ok(())
    }
}

fn choose_review(_: &crate::kernel::engine::CaseFacts, input: &crate::kernel::engine::Input) -> &'static str {
    if input.field("result") == Some("pass") { "reviewed" } else { "drafting" }
}

fn choose_meeting(_: &crate::kernel::engine::CaseFacts, input: &crate::kernel::engine::Input) -> &'static str {
    if input.field("result") == Some("adopted") { "decided" } else { "drafting" }
}

fn choose_cleanup(_: &crate::kernel::engine::CaseFacts, input: &crate::kernel::engine::Input) -> &'static str {
    match input.field("outcome") {
        Some("repeal") => "repealed",
        Some("expire") => "expired",
        _ => "in_force",
    }
}

pub const DRAFTING: &[&str] = &["drafting", "assessed", "commenting", "comment_closed", "legality_review", "reviewed", "decided"];
/// States in which a new version of the text may be written: before review, or (an amendment
/// for a cleanup) while in force.
pub const REVISABLE: &[&str] = &["drafting", "assessed", "comment_closed", "published", "in_force"];

/// The unified registration permission: numbering, publication, 备案 and cleanup.
pub const REGISTER: Perm = super::roles::REGISTER;

pub static PROCEDURE: LazyLock<Procedure> = LazyLock::new(|| {
    let staff = Taker::Staff;
    let checklist_asks: Vec<Ask> = CHECKLIST.iter().map(|i| Ask { name: i.code, label: i.question, kind: AskKind::Choice(YES_NO) }).collect();
    let mut review = Transition::new(
        "review",
        "出具合法性审核意见",
        &["legality_review"],
        To::Choose { targets: &["reviewed", "drafting"], choose: choose_review },
        staff(Perm::LEGAL_REVIEW),
    )
    .guard(Guard::Input { field: "chk_licence", check: checklist_answered }, Some(ART_75))
    .guard(Guard::Input { field: "result", check: review_result_consistent }, Some(ART_75))
    .guard(Guard::Field { name: "opinion", label: "审核意见" }, Some(ART_75))
    .clock(ClockEffect::Stop)
    .basis(ART_75)
    .look(Look::Primary)
    .hint("逐项回答审核清单；逐条意见每行以“第X条：”开头，附在送审稿的该条上");
    review.asks = checklist_asks;
    review = review.ask("result", "审核结论", AskKind::Choice(REVIEW_RESULTS)).ask("opinion", "审核意见", AskKind::LongText).ask(
        "clause_notes",
        "逐条意见（可选，每行“第X条：意见”）",
        AskKind::LongText,
    );
    Procedure {
        code: CODE,
        name: "行政规范性文件制定",
        law: "《地方各级人民代表大会和地方各级人民政府组织法》第七十五条",
        initial: "drafting",
        number_pattern: "{org}规草〔{year}〕{seq}号",
        page_prefix: "/decisions/normdocs/",
        api_prefix: "/api/v1/decisions/normdocs/",
        states: vec![
            StateDef::open("drafting", "起草中", "起草单位以条文形式起草，每次修改保存为新的一稿"),
            StateDef::open("assessed", "已评估论证", "已就必要性、可行性、合法性和影响评估论证"),
            StateDef::open("commenting", "征求意见中", "针对某一稿公开征求意见，期限届满后汇总采纳情况"),
            StateDef::open("comment_closed", "意见已汇总", "征求意见已结束，采纳情况已形成，待送合法性审核"),
            StateDef::approval("legality_review", "合法性审核中", "司法行政部门（法制审核机构）按审核清单审核"),
            StateDef::open("reviewed", "审核通过", "合法性审核通过，待集体讨论决定"),
            StateDef::open("decided", "已集体讨论通过", "常务会议或办公会议审议通过，待统一登记、编号、印发"),
            StateDef::open("published", "已公布待备案", "已统一编号公布，须在期限内报送备案"),
            StateDef::open("in_force", "现行有效", "已公布并备案，在有效期内"),
            StateDef::end("repealed", "已废止", "经清理决定废止"),
            StateDef::end("expired", "已失效", "有效期届满或经清理宣布失效"),
            StateDef::end("abandoned", "已终止制定", "起草单位终止制定"),
        ],
        deadlines: vec![
            DeadlineRule {
                code: "review",
                name: "合法性审核期限",
                days: REVIEW_DAYS,
                unit: DayUnit::WorkingDays,
                rollover: false,
                due_soon_days: 3,
                starts_on: &["submit_review"],
                basis: REVIEW_PERIOD,
                validity: Validity::ALWAYS,
                setting: Some("review_days"),
            },
            DeadlineRule {
                code: "filing",
                name: "备案期限",
                days: FILING_DAYS,
                unit: DayUnit::CalendarDays,
                rollover: true,
                due_soon_days: 5,
                starts_on: &["publish"],
                basis: FILING,
                validity: Validity::ALWAYS,
                setting: Some("filing_days"),
            },
        ],
        transitions: vec![
            Transition::new("assess", "评估论证", &["drafting"], To::State("assessed"), staff(Perm::CASE_HANDLE))
                .guard(Guard::Field { name: "assessment", label: "评估论证意见" }, Some(ART_75))
                .ask("assessment", "评估论证意见（必要性、可行性、合法性、影响）", AskKind::LongText)
                .basis(ART_75)
                .look(Look::Primary),
            Transition::new("open_comment", "公开征求意见", &["assessed"], To::State("commenting"), staff(Perm::CASE_HANDLE))
                .ask("opens_on", "征求意见开始日期（默认今天）", AskKind::Date)
                .ask("days", "征求意见期限（日数，见下方说明）", AskKind::Days)
                .ask("shorter_reason", "期限短于规定时的理由", AskKind::LongText)
                .basis(BIZ_62)
                .look(Look::Primary)
                .hint("针对最新一稿征求意见；与市场主体密切相关的不少于30日，其他不少于7个工作日，缩短须说明理由"),
            Transition::new("skip_comment", "不公开征求意见", &["assessed"], To::State("comment_closed"), staff(Perm::CASE_HANDLE))
                .guard(Guard::Reason, Some(BIZ_62))
                .basis(BIZ_62)
                .optional()
                .hint("仅限依法需要保密的情形，理由记入审核材料"),
            Transition::new("close_comment", "结束征求意见", &["commenting"], To::State("comment_closed"), staff(Perm::CASE_HANDLE))
                .guard(Guard::Check { label: "征求意见期限已届满", check: window_ended }, Some(BIZ_62))
                .guard(Guard::Field { name: "adoption_report", label: "意见采纳情况" }, Some(BIZ_62))
                .ask("adoption_report", "意见采纳情况（采纳、部分采纳、不采纳及理由）", AskKind::LongText)
                .basis(BIZ_62)
                .look(Look::Primary),
            Transition::new("submit_review", "送合法性审核", &["comment_closed"], To::State("legality_review"), staff(Perm::CASE_HANDLE))
                .clock(ClockEffect::Start("review"))
                .basis(ART_75)
                .look(Look::Primary)
                .hint("送审最新一稿；审核机构按清单逐项审核"),
            review,
            Transition::new(
                "deliberate",
                "集体讨论决定",
                &["comment_closed", "legality_review", "reviewed"],
                To::Choose { targets: &["decided", "drafting"], choose: choose_meeting },
                staff(Perm::CASE_APPROVE),
            )
            .guard(Guard::Check { label: "合法性审核已通过", check: legality_passed }, Some(ART_75))
            .guard(Guard::Field { name: "meeting", label: "会议名称" }, Some(ART_75))
            .guard(Guard::Input { field: "result", check: meeting_result }, Some(ART_75))
            .ask("meeting", "会议（如：市政府第12次常务会议）", AskKind::Text)
            .ask("meeting_on", "会议日期", AskKind::Date)
            .ask("result", "审议结果", AskKind::Choice(MEETING_RESULTS))
            .basis(ART_75)
            .look(Look::Primary),
            Transition::new("publish", "统一登记、编号、公布", &["decided"], To::State("published"), staff(REGISTER))
                .ask("published_on", "公布日期（默认今天）", AskKind::Date)
                .ask("effective_on", "施行日期（默认公布之日）", AskKind::Date)
                .ask("valid_until", "有效期至（不填按5年）", AskKind::Date)
                .clock(ClockEffect::Start("filing"))
                .basis(BIZ_64)
                .look(Look::Primary)
                .hint("系统按发文单位和年度统一编号；公布后开始计算备案期限"),
            Transition::new("file", "报送备案", &["published"], To::State("in_force"), staff(REGISTER))
                .guard(Guard::Field { name: "filed_to", label: "备案机关" }, Some(ART_75))
                .guard(Guard::Input { field: "late_reason", check: late_filing_explained }, Some(FILING))
                .ask("filed_to", "备案机关（如：扬州市人民政府）", AskKind::Text)
                .ask("filed_on", "报送日期（默认今天）", AskKind::Date)
                .ask("late_reason", "逾期报送的原因（超过备案期限时必填）", AskKind::LongText)
                .clock(ClockEffect::Stop)
                .basis(FILING)
                .look(Look::Primary),
            Transition::new(
                "cleanup",
                "清理",
                &["in_force"],
                To::Choose { targets: &["in_force", "repealed", "expired"], choose: choose_cleanup },
                staff(REGISTER),
            )
            .guard(Guard::Input { field: "outcome", check: cleanup_outcome }, Some(CLEANUP))
            .guard(Guard::Field { name: "campaign", label: "清理批次" }, Some(CLEANUP))
            .guard(Guard::Reason, Some(CLEANUP))
            .ask("outcome", "清理结论", AskKind::Choice(CLEANUP_OUTCOMES))
            .ask("campaign", "清理批次（如：2020年度规范性文件清理、野生动物保护专项清理）", AskKind::Text)
            .ask("decided_on", "清理决定日期（默认今天）", AskKind::Date)
            .basis(CLEANUP)
            .optional()
            .hint("修改：以最新一稿为修改后的文本，自决定之日起施行；废止、失效：自决定之日起不再有效"),
            Transition::new("lapse", "有效期届满失效", &["published", "in_force"], To::State("expired"), Taker::System)
                .guard(Guard::Check { label: "有效期已届满", check: past_validity }, Some(VALIDITY))
                .basis(VALIDITY),
            Transition::new(
                "abandon",
                "终止制定",
                &["drafting", "assessed", "commenting", "comment_closed", "reviewed", "decided"],
                To::State("abandoned"),
                staff(Perm::CASE_HANDLE),
            )
            .guard(Guard::Reason, None)
            .basis(ART_75)
            .look(Look::Danger)
            .optional(),
        ],
    }
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definition_is_consistent() {
        PROCEDURE.validate().unwrap();
        for s in &PROCEDURE.states {
            let out = PROCEDURE.transitions.iter().filter(|t| t.from.contains(&s.code)).count();
            assert_eq!(out == 0, s.terminal, "state {}", s.code);
        }
        for t in &PROCEDURE.transitions {
            assert!(t.basis.is_some(), "{} has no basis", t.action);
        }
        assert!(CHECKLIST.iter().all(|i| !i.basis.article.is_empty()));
    }

    #[test]
    fn the_diagram_is_readable_with_no_arrow_through_a_box() {
        assert_eq!(crate::kernel::diagram::problems(&PROCEDURE), Vec::<String>::new());
    }
}
