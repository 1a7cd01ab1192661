//! The 行政许可 application as a procedure on the kernel (LEGAL-RULES.md §3(b), §12.1).
//!
//! All periods of 行政许可法 are working days (Art. 82). The statute and its effective date:
//! 行政许可法 as amended 2019-04-23; the clauses used here have read the same since 2004-07-01.
//!
//! | state | step → next | who | guard | clock |
//! |---|---|---|---|---|
//! | 已收件 | 受理 → 审查中 | 窗口 | — | decision: committed ≤ 20 WD (Art. 42) |
//! | 已收件 | 一次性告知补正 → 待补正 | 窗口 | within 5 WD of receipt, once (Art. 32(四)) | stops |
//! | 已收件 | 逾期未告知补正·视为受理 → 审查中 | system | 5 WD from receipt passed without an answer (Art. 32(四)) | decision counted from receipt |
//! | 已收件/待补正 | 不予受理 → 不予受理 | 窗口 | a reason (Art. 32(一)(二)) | stops |
//! | 待补正 | 补正材料齐全 → 审查中 | 窗口 | — | decision starts from the day of the complete materials |
//! | 审查中 | 特别程序 → 特别程序中 | 承办 | the kind and a written notice (Art. 45) | paused |
//! | 特别程序中 | 特别程序结束 → 审查中 | 承办 | — | resumes: the due date moves |
//! | 审查中 | 申请延长 → 延期待批 | 承办 | a reason | — |
//! | 延期待批 | 批准延长 → 审查中 | 负责人 | not the requester | +10 WD once (Art. 42) |
//! | 审查中 | 作出决定 → 准予许可 / 不予许可 | 承办 | reasons for a refusal (Art. 38); late → an explanation | stops |
//! | 已收件 | 告知承诺当场决定 → 承诺核查中 | 窗口 | the item's mode is 告知承诺; the 承诺书 signed | verification |
//! | 已收件 | 告知承诺·网上当场决定 → 承诺核查中 | system, at online intake | the same | verification |
//! | 承诺核查中 | 核查属实 → 准予许可 / 承诺不实撤销 → 已撤销 | 承办 | findings | stops |

use std::sync::LazyLock;

use crate::auth::Perm;
use crate::kernel::definition::*;

pub const CODE: &str = "licence";

pub const LAW: &str = "中华人民共和国行政许可法";
pub const BIZ: &str = "优化营商环境条例";

pub const ART_32: Basis = Basis::checked(
    LAW,
    "第三十二条第一款第（四）项",
    "申请材料不齐全或者不符合法定形式的，应当当场或者在五日内一次告知申请人需要补正的全部内容，逾期不告知的，自收到申请材料之日起即为受理",
);
pub const ART_32_5: Basis = Basis::checked(
    LAW,
    "第三十二条第一款第（五）项",
    "申请事项属于本行政机关职权范围，申请材料齐全、符合法定形式，或者申请人按照本行政机关的要求提交全部补正申请材料的，应当受理行政许可申请",
);
pub const ART_32_1: Basis = Basis::checked(
    LAW,
    "第三十二条第一款第（一）项、第（二）项",
    "申请事项依法不需要取得行政许可的，应当即时告知申请人不受理；不属于本行政机关职权范围的，应当即时作出不予受理的决定，并告知申请人向有关行政机关申请",
);
pub const ART_38: Basis =
    Basis::checked(LAW, "第三十八条第二款", "行政机关依法作出不予行政许可的书面决定的，应当说明理由，并告知申请人享有依法申请行政复议或者提起行政诉讼的权利");
pub const ART_42: Basis = Basis::checked(
    LAW,
    "第四十二条第一款",
    "除可以当场作出行政许可决定的外，行政机关应当自受理行政许可申请之日起二十日内作出行政许可决定。二十日内不能作出决定的，经本行政机关负责人批准，可以延长十日，并应当将延长期限的理由告知申请人",
);
pub const ART_45: Basis = Basis::checked(
    LAW,
    "第四十五条",
    "行政机关作出行政许可决定，依法需要听证、招标、拍卖、检验、检测、检疫、鉴定和专家评审的，所需时间不计算在本节规定的期限内。行政机关应当将所需时间书面告知申请人",
);
pub const ART_82: Basis = Basis::checked(LAW, "第八十二条", "本法规定的行政机关实施行政许可的期限以工作日计算，不含法定节假日");
pub const BIZ_19: Basis = Basis::checked(
    BIZ,
    "第十九条第二款",
    "国家推进“证照分离”改革，依法采取直接取消审批、审批改为备案、实行告知承诺、优化审批服务等方式，对所有涉企经营许可事项进行分类管理",
);
pub const BIZ_40: Basis = Basis::checked(BIZ, "第四十条第三款", "符合相关条件和要求的，可以按照有关规定采取告知承诺的方式办理");
/// The period of the post-verification of a commitment: no national figure was found; a local
/// default an administrator can change.
pub const VERIFY_PERIOD: Basis = Basis::local(
    "证照分离改革告知承诺事项事中事后监管（本地规定）",
    "",
    "以告知承诺方式作出许可后，在规定期限内对申请人履行承诺情况进行核查；承诺不实的依法撤销许可（本地默认20个工作日，可配置）",
);

/// 好差评: the five levels and the follow-up of a bad rating [S: 国办发〔2019〕51号 as reported].
pub const RATING: Basis = Basis::secondary(
    "国务院办公厅关于建立政务服务“好差评”制度提高政务服务水平的意见（国办发〔2019〕51号）",
    "",
    "政务服务评价分为“非常满意、满意、基本满意、不满意、非常不满意”五个等级；对差评实行整改反馈，做到差评件件有整改、有反馈",
);
/// The period in which a bad rating is followed up: no national figure was confirmed; a local
/// default an administrator can change.
pub const RATING_FOLLOWUP: Basis =
    Basis::local("政务服务差评回访整改（本地规定）", "", "收到差评后在规定期限内回访核实、整改并反馈评价人（本地默认15个工作日，可配置）");
/// Working days to follow up a bad rating [U]; setting `rating_followup_days` of the procedure.
pub const RATING_FOLLOWUP_DAYS: u32 = 15;
pub const RATING_FOLLOWUP_KEY: &str = "rating_followup_days";
/// The five levels, best first; 1 and 2 are 差评.
pub const RATINGS: &[(i64, &str)] = &[(5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意")];

pub fn rating_label(score: i64) -> &'static str {
    RATINGS.iter().find(|r| r.0 == score).map(|r| r.1).unwrap_or("")
}

/// The statutory decision period (Art. 42), the ceiling of any committed period.
pub const DECISION_DAYS: u32 = 20;
/// Days of the 补正 notice (Art. 32(四)).
pub const CORRECTION_DAYS: u32 = 5;
/// The one extension a head may approve (Art. 42).
pub const EXTENSION_DAYS: u32 = 10;
pub const VERIFY_DAYS: u32 = 20;

pub const KINDS: &[(&str, &str)] =
    &[("licence", "行政许可"), ("confirmation", "行政确认"), ("payment", "行政给付"), ("public_service", "公共服务"), ("other", "其他行政权力")];
/// Online levels, from the most online to the least.
pub const ONLINE_LEVELS: &[(&str, &str)] = &[("full_online", "全程网办"), ("no_visit", "不见面审批"), ("once", "最多跑一次"), ("onsite", "现场办理")];
/// The four 证照分离 modes (优化营商环境条例 Art. 19 ¶2), and none.
pub const MODES: &[(&str, &str)] =
    &[("none", "未列入改革"), ("cancel", "直接取消审批"), ("filing", "审批改为备案"), ("commitment", "实行告知承诺"), ("optimise", "优化审批服务")];
pub const CHANNELS: &[(&str, &str)] = &[("online", "网上申请"), ("counter", "窗口申请")];
pub const SPECIAL_KINDS: &[(&str, &str)] = &[
    ("hearing", "听证"),
    ("tender", "招标"),
    ("auction", "拍卖"),
    ("inspection", "检验"),
    ("testing", "检测"),
    ("quarantine", "检疫"),
    ("appraisal", "鉴定"),
    ("expert", "专家评审"),
];
pub const DECISIONS: &[(&str, &str)] = &[("grant", "准予许可"), ("deny", "不予许可")];
pub const VERIFY_RESULTS: &[(&str, &str)] = &[("true", "承诺属实"), ("false", "承诺不实")];

pub fn label(list: &'static [(&'static str, &'static str)], code: &str) -> &'static str {
    list.iter().find(|o| o.0 == code).map(|o| o.1).unwrap_or("")
}

/// What a 证照分离 mode changes, for the catalogue and the guide page.
pub fn mode_effect(mode: &str) -> &'static str {
    match mode {
        "cancel" => "不再审批，主管部门不得要求申请人取得该许可，监管由原主管部门负责",
        "filing" => "改为备案，按公布的备案流程办理",
        "commitment" => "申请人书面承诺符合条件的当场作出决定，事后核查，承诺不实的依法撤销",
        "optimise" => "下放层级、压减时限和环节、精简材料",
        _ => "",
    }
}

fn choice(field: &'static str, list: &'static [(&'static str, &'static str)], what: &str, ctx: &GuardCtx<'_>) -> Result<(), String> {
    match ctx.input.field(field) {
        Some(v) if list.iter().any(|c| c.0 == v) => Ok(()),
        _ => Err(format!("请选择{what}")),
    }
}

fn special_kind(ctx: &GuardCtx<'_>) -> Result<(), String> {
    choice("special_kind", SPECIAL_KINDS, "特别程序的种类（听证、检验、检测、专家评审等）", ctx)
}

fn decision(ctx: &GuardCtx<'_>) -> Result<(), String> {
    choice("decision", DECISIONS, "决定结果", ctx)
}

fn denial_reasoned(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.input.field("decision") == Some("deny") && ctx.input.field("decision_reason").is_none() {
        Err("不予许可的，须说明理由并告知申请复议、提起诉讼的权利".into())
    } else {
        Ok(())
    }
}

/// A decision past its due date without an approved extension is a breach the record must say.
fn late_decision_explained(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("overdue") && ctx.input.field("late_reason").is_none() {
        let due = ctx.case.due_on.map(crate::time::fmt_date).unwrap_or_default();
        Err(format!("已超过办理期限（{due}）且未经批准延长，须说明逾期原因"))
    } else {
        Ok(())
    }
}

/// The sweep takes this step only once the 5 working days of Art. 32(四) have passed.
fn acceptance_lapsed(ctx: &GuardCtx<'_>) -> Result<(), String> {
    let passed = ctx.case.clock_rule.as_deref() == Some("acceptance") && ctx.case.due_on.is_some_and(|due| ctx.today > due);
    if passed { Ok(()) } else { Err("收件之日起5个工作日尚未届满，不能视为受理".into()) }
}

fn commitment_mode(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("commitment_mode") { Ok(()) } else { Err("该事项未实行告知承诺，不能以告知承诺方式当场决定".into()) }
}

fn commitment_signed(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.input.field("commitment_signed") == Some("yes") { Ok(()) } else { Err("申请人须签署告知承诺书".into()) }
}

fn verify_result(ctx: &GuardCtx<'_>) -> Result<(), String> {
    choice("result", VERIFY_RESULTS, "核查结论", ctx)
}

fn choose_decision(_: &crate::kernel::engine::CaseFacts, input: &crate::kernel::engine::Input) -> &'static str {
    if input.field("decision") == Some("grant") { "granted" } else { "denied" }
}

fn choose_verify(_: &crate::kernel::engine::CaseFacts, input: &crate::kernel::engine::Input) -> &'static str {
    if input.field("result") == Some("true") { "granted" } else { "revoked" }
}

pub static PROCEDURE: LazyLock<Procedure> = LazyLock::new(|| {
    let staff = Taker::Staff;
    let wd = |code, name, days, due_soon_days, starts_on, basis, setting| DeadlineRule {
        code,
        name,
        days,
        unit: DayUnit::WorkingDays,
        rollover: false,
        due_soon_days,
        starts_on,
        basis,
        validity: Validity::between(Some("2004-07-01"), None),
        setting,
    };
    Procedure {
        code: CODE,
        name: "行政许可申请",
        law: "《中华人民共和国行政许可法》（2019年修正）",
        initial: "received",
        number_pattern: "{org}许申〔{year}〕{seq}号",
        page_prefix: "/services/applications/",
        api_prefix: "/api/v1/services/applications/",
        states: vec![
            StateDef::open("received", "已收件", "申请材料已收到，须当场或5个工作日内决定受理、不予受理或一次性告知补正"),
            StateDef::open("correction", "待补正", "已一次性告知需要补正的全部内容，补正齐全后受理，办理期限自受理之日起计算"),
            StateDef::open("review", "审查中", "已受理，审查申请材料，在承诺时限内（不超过20个工作日）作出决定"),
            StateDef::open("special", "特别程序中", "听证、检验、检测、专家评审等所需时间不计入办理期限"),
            StateDef::approval("extension_requested", "延期待批", "承办人申请延长10个工作日，等待本机关负责人批准"),
            StateDef::open("verifying", "承诺核查中", "以告知承诺方式当场作出许可，在核查期限内核查承诺的真实性"),
            StateDef::end("granted", "准予许可", "作出准予行政许可决定"),
            StateDef::end("denied", "不予许可", "作出不予行政许可的书面决定并说明理由"),
            StateDef::end("not_accepted", "不予受理", "依法作出不予受理决定"),
            StateDef::end("revoked", "已撤销", "申请人承诺不实，依法撤销许可"),
        ],
        deadlines: vec![
            wd("acceptance", "受理或一次性告知补正期限", CORRECTION_DAYS, 1, &[], ART_32, None),
            wd("decision", "许可决定期限", DECISION_DAYS, 3, &["accept", "corrected", "deemed_accept"], ART_42, None),
            wd("verification", "告知承诺核查期限", VERIFY_DAYS, 3, &["commit", "commit_online"], VERIFY_PERIOD, Some("verify_days")),
        ],
        transitions: vec![
            Transition::new("accept", "受理", &["received"], To::State("review"), staff(Perm::CASE_HANDLE))
                .clock(ClockEffect::Start("decision"))
                .basis(ART_32_5)
                .look(Look::Primary)
                .hint("受理后按事项的承诺时限计算办理期限（不超过法定20个工作日）；5个工作日内未告知补正的，自收到材料之日起视为受理"),
            Transition::new("request_correction", "一次性告知补正", &["received"], To::State("correction"), staff(Perm::CASE_HANDLE))
                .guard(Guard::Field { name: "correction_items", label: "需要补正的全部内容" }, Some(ART_32))
                .guard(Guard::WithinWorkingDays { since: Since::Opened, days: CORRECTION_DAYS }, Some(ART_32))
                .guard(Guard::AtMost { max: 1 }, Some(ART_32))
                .ask("correction_items", "需要补正的全部内容（一次告知）", AskKind::LongText)
                .clock(ClockEffect::Stop)
                .basis(ART_32)
                .hint("当场或收到材料之日起5个工作日内一次告知；逾期不告知的自收到申请材料之日起即为受理"),
            Transition::new("deemed_accept", "逾期未告知补正·视为受理", &["received"], To::State("review"), Taker::System)
                .guard(Guard::Check { label: "收件之日起5个工作日已届满", check: acceptance_lapsed }, Some(ART_32))
                .clock(ClockEffect::Start("decision"))
                .basis(ART_32)
                .hint("收到申请材料之日起5个工作日内未受理、未不予受理、也未一次告知补正的，自收到申请材料之日起即为受理，办理期限从收件之日起算"),
            Transition::new("corrected", "补正材料齐全，受理", &["correction"], To::State("review"), staff(Perm::CASE_HANDLE))
                .guard(Guard::Field { name: "correction_text", label: "补正的材料" }, Some(ART_32_5))
                .ask("correction_text", "申请人补正的材料", AskKind::LongText)
                .clock(ClockEffect::Start("decision"))
                .basis(ART_32_5)
                .look(Look::Primary),
            Transition::new("not_accept", "不予受理", &["received", "correction"], To::State("not_accepted"), staff(Perm::CASE_HANDLE))
                .guard(Guard::Reason, Some(ART_32_1))
                .clock(ClockEffect::Stop)
                .basis(ART_32_1)
                .look(Look::Danger)
                .optional(),
            Transition::new("start_special", "转入特别程序", &["review"], To::State("special"), staff(Perm::CASE_HANDLE))
                .guard(Guard::Input { field: "special_kind", check: special_kind }, Some(ART_45))
                .guard(Guard::Field { name: "notice", label: "书面告知申请人的所需时间" }, Some(ART_45))
                .ask("special_kind", "特别程序", AskKind::Choice(SPECIAL_KINDS))
                .ask("notice", "书面告知申请人的所需时间及事由", AskKind::LongText)
                .clock(ClockEffect::Pause)
                .basis(ART_45)
                .optional()
                .hint("听证、检验、检测、专家评审等所需时间不计入办理期限，结束后期限顺延"),
            Transition::new("end_special", "特别程序结束", &["special"], To::State("review"), staff(Perm::CASE_HANDLE))
                .guard(Guard::Field { name: "special_result", label: "特别程序的结果" }, Some(ART_45))
                .ask("special_result", "结果（听证笔录、检测报告、专家意见等）", AskKind::LongText)
                .clock(ClockEffect::Resume)
                .basis(ART_45)
                .look(Look::Primary),
            Transition::new("request_extension", "申请延长期限", &["review"], To::State("extension_requested"), staff(Perm::CASE_HANDLE))
                .guard(Guard::Reason, Some(ART_42))
                .guard(
                    Guard::Check {
                        label: "尚未延期",
                        check: |c| if c.case.extension_count > 0 { Err("办理期限只能延长一次，本申请已延长过".into()) } else { Ok(()) },
                    },
                    Some(ART_42),
                )
                .basis(ART_42)
                .optional(),
            Transition::new("approve_extension", "批准延长", &["extension_requested"], To::State("review"), staff(Perm::CASE_APPROVE))
                .guard(Guard::NotBy { action: "request_extension" }, Some(ART_42))
                .ask("days", "延长的工作日数（不超过10）", AskKind::Days)
                .clock(ClockEffect::Extend { max_days: EXTENSION_DAYS, max_times: 1, basis: ART_42 })
                .basis(ART_42)
                .look(Look::Primary)
                .hint("经本机关负责人批准可延长10个工作日，并将延长期限的理由告知申请人"),
            Transition::new("reject_extension", "不批准延长", &["extension_requested"], To::State("review"), staff(Perm::CASE_APPROVE))
                .guard(Guard::Reason, None)
                .basis(ART_42),
            Transition::new(
                "decide",
                "作出许可决定",
                &["review"],
                To::Choose { targets: &["granted", "denied"], choose: choose_decision },
                staff(Perm::CASE_HANDLE),
            )
            .guard(Guard::Input { field: "decision", check: decision }, Some(ART_42))
            .guard(Guard::Input { field: "decision_reason", check: denial_reasoned }, Some(ART_38))
            .guard(Guard::Input { field: "late_reason", check: late_decision_explained }, Some(ART_42))
            .ask("decision", "决定", AskKind::Choice(DECISIONS))
            .ask("decision_reason", "不予许可的理由（不予许可时必填）", AskKind::LongText)
            .ask("late_reason", "逾期原因（超过期限且未批准延长时必填）", AskKind::LongText)
            .clock(ClockEffect::Stop)
            .basis(ART_42)
            .look(Look::Primary),
            Transition::new("commit", "告知承诺·当场决定", &["received"], To::State("verifying"), staff(Perm::CASE_HANDLE))
                .guard(Guard::Check { label: "事项实行告知承诺", check: commitment_mode }, Some(BIZ_19))
                .guard(Guard::Input { field: "commitment_signed", check: commitment_signed }, Some(BIZ_40))
                .ask("commitment_signed", "申请人已签署告知承诺书", AskKind::Choice(&[("yes", "已签署")]))
                .clock(ClockEffect::Start("verification"))
                .basis(BIZ_40)
                .look(Look::Primary)
                .hint("当场作出准予许可决定，并在核查期限内核查承诺是否属实"),
            // Online, the signed commitment is the applicant's; the decision "on the spot" is
            // the system's at the moment the application arrives (即报即批), under the same guards.
            Transition::new("commit_online", "告知承诺·网上当场决定", &["received"], To::State("verifying"), Taker::System)
                .guard(Guard::Check { label: "事项实行告知承诺", check: commitment_mode }, Some(BIZ_19))
                .guard(Guard::Input { field: "commitment_signed", check: commitment_signed }, Some(BIZ_40))
                .clock(ClockEffect::Start("verification"))
                .basis(BIZ_40)
                .hint("申请人在网上签署告知承诺书的，当场作出准予许可决定，并在核查期限内核查承诺是否属实"),
            Transition::new(
                "verify",
                "核查承诺",
                &["verifying"],
                To::Choose { targets: &["granted", "revoked"], choose: choose_verify },
                staff(Perm::CASE_HANDLE),
            )
            .guard(Guard::Input { field: "result", check: verify_result }, Some(VERIFY_PERIOD))
            .guard(Guard::Field { name: "findings", label: "核查情况" }, Some(VERIFY_PERIOD))
            .ask("result", "核查结论", AskKind::Choice(VERIFY_RESULTS))
            .ask("findings", "核查情况", AskKind::LongText)
            .clock(ClockEffect::Stop)
            .basis(VERIFY_PERIOD)
            .look(Look::Primary)
            .hint("承诺不实的，依法撤销许可并记入信用记录"),
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
        assert_eq!(ART_82.article, "第八十二条");
    }

    #[test]
    fn the_diagram_is_readable_with_no_arrow_through_a_box() {
        assert_eq!(crate::kernel::diagram::problems(&PROCEDURE), Vec::<String>::new());
    }
}
