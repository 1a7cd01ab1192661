//! 公平竞争审查 of a policy measure as a procedure on the kernel: 《公平竞争审查条例》 (国务院令第
//! 783号, in force 2024-08-01) [C]; LEGAL-RULES.md §2(c). Measures drafted before that day rested
//! on 国发〔2016〕34号, whose text is not in the repository [U]: the steps are dated from the 条例.
//!
//! | state | step → next | who | guard (refused otherwise) |
//! |---|---|---|---|
//! | 起草单位审查中 | 审查并作出结论 → 可以出台 / 例外出台 / 不得出台 / 市场监管部门审查中 | 起草单位 | every standard of Arts. 8–11 answered; operators heard (Art. 16); a conclusion consistent with the findings (Art. 17–18); an Art. 12 exception with its ground, why no less restrictive alternative exists, and a time limit |
//! | 市场监管部门审查中 | 市场监管部门作出结论 → the same | 市场监管部门 | the same (Art. 14: measures the government itself issues) |
//! | 例外出台 | 例外期限届满 → 起草单位审查中 | system | the time limit has passed: the review reopens |
//! | 可以出台 / 例外出台 | 抽查或处理举报 → same / 整改中 | 市场监管部门 | a finding (Art. 21–22) |
//! | 整改中 | 整改后重新审查 → 起草单位审查中 | 起草单位 | — |
//! | 整改中 | 约谈 → 整改中 | 上一级市场监管部门 | the rectification period has passed (Art. 24) |

use std::sync::LazyLock;

use crate::auth::Perm;
use crate::kernel::definition::*;

pub const CODE: &str = "fair_competition";
pub const LAW: &str = "公平竞争审查条例";

const fn art(article: &'static str, says: &'static str) -> Basis {
    Basis::checked(LAW, article, says)
}

pub const ART_2: Basis = art("第二条", "起草涉及经营者经济活动的政策措施，起草单位应当依照本条例规定开展公平竞争审查");
pub const ART_12: Basis = art(
    "第十二条",
    "具有或者可能具有排除、限制竞争效果，但符合规定情形之一，且没有对公平竞争影响更小的替代方案，并能够确定合理的实施期限或者终止条件的，可以出台",
);
pub const ART_13: Basis = art("第十三条", "拟由部门出台的政策措施，由起草单位在起草阶段开展公平竞争审查");
pub const ART_14: Basis =
    art("第十四条", "拟由县级以上人民政府出台的政策措施，由本级人民政府市场监督管理部门会同起草单位在起草阶段开展公平竞争审查；起草单位应当开展初审");
pub const ART_16: Basis = art("第十六条", "开展公平竞争审查，应当听取有关经营者、行业协会商会等利害关系人关于公平竞争影响的意见");
pub const ART_17: Basis = art("第十七条", "应当按照审查标准，在评估对公平竞争影响后，作出审查结论；适用第十二条规定的，应当在审查结论中详细说明");
pub const ART_18: Basis = art("第十八条", "政策措施未经公平竞争审查，或者经审查认为违反第八条至第十一条规定且不符合第十二条规定情形的，不得出台");
pub const ART_21: Basis = art("第二十一条", "市场监督管理部门组织对有关政策措施开展抽查，经核查发现违反本条例规定的，应当督促起草单位进行整改");
pub const ART_22: Basis = art("第二十二条", "对违反本条例规定的政策措施，任何单位和个人可以向市场监督管理部门举报");
pub const ART_24: Basis = art("第二十四条", "起草单位经市场监督管理部门督促，逾期仍未整改的，上一级市场监督管理部门可以对其负责人进行约谈");

/// The market regulator's permission: review the measures the government issues, spot checks,
/// complaints, 约谈.
pub const REVIEW: Perm = super::super::roles::FCR_REVIEW;

/// One standard of Arts. 8–11: a measure may not contain this; "yes" is a finding.
#[derive(Clone, Copy, Debug)]
pub struct Standard {
    pub code: &'static str,
    pub text: &'static str,
    pub article: &'static str,
}

const fn s(code: &'static str, article: &'static str, text: &'static str) -> Standard {
    Standard { code, text, article }
}

pub const STANDARDS: &[Standard] = &[
    s("a8_1", "第八条第一项", "对市场准入负面清单以外的行业、领域、业务等违法设置审批程序"),
    s("a8_2", "第八条第二项", "违法设置或者授予特许经营权"),
    s("a8_3", "第八条第三项", "限定经营、购买或者使用特定经营者提供的商品"),
    s("a8_4", "第八条第四项", "设置不合理或者歧视性的准入、退出条件"),
    s("a8_5", "第八条第五项", "其他限制或者变相限制市场准入和退出的内容"),
    s("a9_1", "第九条第一项", "限制外地或者进口商品、要素进入本地市场，或者阻碍本地经营者迁出，商品、要素输出"),
    s("a9_2", "第九条第二项", "排斥、限制、强制或者变相强制外地经营者在本地投资经营或者设立分支机构"),
    s("a9_3", "第九条第三项", "排斥、限制或者变相限制外地经营者参加本地政府采购、招标投标"),
    s("a9_4", "第九条第四项", "对外地或者进口商品、要素设置歧视性收费项目、收费标准、价格或者补贴"),
    s("a9_5", "第九条第五项", "在资质标准、监管执法等方面对外地经营者设置歧视性要求"),
    s("a9_6", "第九条第六项", "其他限制商品、要素自由流动的内容"),
    s("a10_1", "第十条第一项", "没有法律、行政法规依据或者未经国务院批准，给予特定经营者税收优惠"),
    s("a10_2", "第十条第二项", "没有法律、行政法规依据或者未经国务院批准，给予特定经营者选择性、差异化的财政奖励或者补贴"),
    s("a10_3", "第十条第三项", "没有法律、行政法规依据或者未经国务院批准，给予特定经营者要素获取、行政事业性收费、政府性基金、社会保险费等方面的优惠"),
    s("a10_4", "第十条第四项", "其他影响生产经营成本的内容"),
    s("a11_1", "第十一条第一项", "强制或者变相强制经营者实施垄断行为，或者为经营者实施垄断行为提供便利条件"),
    s("a11_2", "第十一条第二项", "超越法定权限制定政府指导价、政府定价，为特定经营者提供优惠价格"),
    s("a11_3", "第十一条第三项", "违法干预实行市场调节价的商品、要素的价格水平"),
    s("a11_4", "第十一条第四项", "其他影响生产经营行为的内容"),
];

pub const YES_NO: &[(&str, &str)] = &[("no", "否"), ("yes", "是（存在）")];
pub const CONCLUSIONS: &[(&str, &str)] = &[
    ("compliant", "未发现违反审查标准的内容，可以出台"),
    ("amended", "发现违反审查标准的内容，已修改，可以出台"),
    ("exception", "具有排除、限制竞争效果，适用第十二条例外规定出台"),
    ("violation", "违反审查标准且不适用例外规定，不得出台"),
];
pub const GROUNDS: &[(&str, &str)] = &[
    ("1", "（一）为维护国家安全和发展利益"),
    ("2", "（二）为促进科学技术进步、增强国家自主创新能力"),
    ("3", "（三）为实现节约能源、保护环境、救灾救助等社会公共利益"),
    ("4", "（四）法律、行政法规规定的其他情形"),
];
pub const FINDINGS: &[(&str, &str)] = &[("ok", "未发现问题"), ("violation", "发现违反条例规定，督促整改")];
pub const SOURCES: &[(&str, &str)] = &[("spot_check", "抽查（第二十一条）"), ("complaint", "举报（第二十二条）")];

pub fn label(list: &[(&'static str, &'static str)], code: &str) -> &'static str {
    list.iter().find(|c| c.0 == code).map(|c| c.1).unwrap_or("")
}

/// The standards answered "yes" in a submission.
pub fn found(input: &crate::kernel::engine::Input) -> Vec<&'static Standard> {
    STANDARDS.iter().filter(|s| input.field(s.code) == Some("yes")).collect()
}

/// Every standard answered; the conclusion consistent with the findings (Art. 17–18); an
/// exception with its ground, why no less restrictive alternative exists, and a time limit
/// (Art. 12). The time limit's date is checked by the service (it needs today).
fn conclusion_consistent(ctx: &GuardCtx<'_>) -> Result<(), String> {
    let unanswered = STANDARDS.iter().filter(|s| !matches!(ctx.input.field(s.code), Some("yes" | "no"))).count();
    if unanswered > 0 {
        return Err(format!("审查标准须逐项作答（第八条至第十一条），尚有{unanswered}项未回答"));
    }
    let found = found(ctx.input);
    let cite = || found.iter().map(|s| s.article).collect::<Vec<_>>().join("、");
    match ctx.input.field("conclusion") {
        Some("compliant") if !found.is_empty() => Err(format!("审查发现违反{}的内容，不能作出“可以出台”的结论：须修改、适用例外规定或不得出台", cite())),
        Some("compliant") => Ok(()),
        Some("amended" | "exception" | "violation") if found.is_empty() => Err("未发现违反审查标准的内容，结论应为“可以出台”".into()),
        Some("amended") if ctx.input.field("amendment").is_none() => Err("请写明对政策措施作出的修改".into()),
        Some("exception") => {
            let mut missing = Vec::new();
            if !matches!(ctx.input.field("ground"), Some("1" | "2" | "3" | "4")) {
                missing.push("适用的例外情形");
            }
            if ctx.input.field("no_alternative").is_none() {
                missing.push("没有对公平竞争影响更小的替代方案的说明");
            }
            if ctx.input.field("until").is_none() {
                missing.push("实施期限");
            }
            if missing.is_empty() {
                Ok(())
            } else {
                Err(format!("适用例外规定须详细说明：{}（第十二条、第十七条第二款）", missing.join("、")))
            }
        }
        Some("amended" | "violation") => Ok(()),
        _ => Err("请选择审查结论".into()),
    }
}

fn choose(case: &crate::kernel::engine::CaseFacts, input: &crate::kernel::engine::Input) -> &'static str {
    // Art. 14: the government's own measures go to the market regulator after the 初审.
    if case.state == "self_review" && case.flag("by_government") {
        return "regulator_review";
    }
    match input.field("conclusion") {
        Some("exception") => "exception",
        Some("violation") => "not_issuable",
        _ => "passed",
    }
}

fn choose_check_state(case: &crate::kernel::engine::CaseFacts, input: &crate::kernel::engine::Input) -> &'static str {
    if input.field("finding") == Some("violation") {
        "rectifying"
    } else if case.state == "exception" {
        "exception"
    } else {
        "passed"
    }
}

fn exception_expired(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("exception_expired") { Ok(()) } else { Err("例外规定的实施期限尚未届满".into()) }
}

fn rectification_overdue(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("rectification_overdue") {
        Ok(())
    } else {
        Err("整改期限尚未届满：起草单位经督促逾期仍未整改的，方可约谈其负责人（第二十四条）".into())
    }
}

fn finding_given(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if !matches!(ctx.input.field("source"), Some("spot_check" | "complaint")) {
        Err("请选择抽查或举报".into())
    } else if !matches!(ctx.input.field("finding"), Some("ok" | "violation")) {
        Err("请选择核查结论".into())
    } else {
        Ok(())
    }
}

pub static PROCEDURE: LazyLock<Procedure> = LazyLock::new(|| {
    let staff = Taker::Staff;
    let mut asks: Vec<Ask> = STANDARDS.iter().map(|s| Ask { name: s.code, label: s.text, kind: AskKind::Choice(YES_NO) }).collect();
    asks.extend([
        Ask { name: "operators_views", label: "听取经营者、行业协会商会等利害关系人意见的情况", kind: AskKind::LongText },
        Ask { name: "public_views", label: "听取社会公众意见的情况（涉及社会公众利益的）", kind: AskKind::LongText },
        Ask { name: "conclusion", label: "审查结论", kind: AskKind::Choice(CONCLUSIONS) },
        Ask { name: "amendment", label: "对政策措施作出的修改（结论为已修改时）", kind: AskKind::LongText },
        Ask { name: "ground", label: "适用的例外情形（第十二条）", kind: AskKind::Choice(GROUNDS) },
        Ask { name: "no_alternative", label: "没有对公平竞争影响更小的替代方案的说明", kind: AskKind::LongText },
        Ask { name: "until", label: "例外规定的实施期限（至）", kind: AskKind::Date },
        Ask { name: "termination", label: "终止条件（可选）", kind: AskKind::Text },
        Ask { name: "opinion", label: "审查意见", kind: AskKind::LongText },
    ]);
    let mut review = Transition::new(
        "review",
        "审查并作出结论",
        &["self_review"],
        To::Choose { targets: &["passed", "exception", "not_issuable", "regulator_review"], choose },
        staff(Perm::CASE_HANDLE),
    )
    .guard(Guard::Input { field: "conclusion", check: conclusion_consistent }, Some(ART_17))
    .guard(Guard::Field { name: "operators_views", label: "听取经营者意见的情况" }, Some(ART_16))
    .guard(Guard::Field { name: "opinion", label: "审查意见" }, Some(ART_17))
    .basis(ART_13)
    .look(Look::Primary)
    .hint("逐项对照第八条至第十一条的审查标准；由政府出台的政策措施，本结论为起草单位初审意见，送市场监管部门审查（第十四条）");
    review.asks = asks.clone();
    let mut regulator = Transition::new(
        "regulator_review",
        "市场监管部门作出审查结论",
        &["regulator_review"],
        To::Choose { targets: &["passed", "exception", "not_issuable"], choose },
        staff(REVIEW),
    )
    .guard(Guard::Input { field: "conclusion", check: conclusion_consistent }, Some(ART_17))
    .guard(Guard::Field { name: "operators_views", label: "听取经营者意见的情况" }, Some(ART_16))
    .guard(Guard::Field { name: "opinion", label: "审查意见" }, Some(ART_17))
    .basis(ART_14)
    .look(Look::Primary);
    regulator.asks = asks;
    Procedure {
        code: CODE,
        name: "公平竞争审查",
        law: "《公平竞争审查条例》",
        initial: "self_review",
        number_pattern: "{org}公审〔{year}〕{seq}号",
        page_prefix: "/decisions/fcr/",
        api_prefix: "/api/v1/decisions/fcr/",
        states: vec![
            StateDef::open("self_review", "起草单位审查中", "起草单位在起草阶段对照审查标准逐项审查，听取经营者意见"),
            StateDef::approval("regulator_review", "市场监管部门审查中", "拟由政府出台的政策措施，由市场监管部门会同起草单位审查"),
            StateDef::open("passed", "可以出台", "经审查可以出台；市场监管部门可以抽查，任何单位和个人可以举报"),
            StateDef::open("exception", "例外出台（期限内）", "适用第十二条例外规定出台，实施期限届满时重新审查"),
            StateDef::open("rectifying", "整改中", "抽查或举报发现违反条例规定，督促起草单位整改"),
            StateDef::end("not_issuable", "不得出台", "违反审查标准且不适用例外规定（第十八条）"),
        ],
        // The exception's time limit and the rectification period are dates of each case
        // (the service records them; the guards read whether they have passed).
        deadlines: vec![],
        transitions: vec![
            review,
            regulator,
            Transition::new("expire", "例外期限届满，重新审查", &["exception"], To::State("self_review"), Taker::System)
                .guard(Guard::Check { label: "实施期限已届满", check: exception_expired }, Some(ART_12))
                .basis(ART_12),
            Transition::new(
                "check",
                "抽查或处理举报",
                &["passed", "exception"],
                To::Choose { targets: &["passed", "exception", "rectifying"], choose: choose_check_state },
                staff(REVIEW),
            )
            .guard(Guard::Input { field: "finding", check: finding_given }, Some(ART_21))
            .guard(Guard::Field { name: "notes", label: "核查情况" }, Some(ART_21))
            .ask("source", "来源", AskKind::Choice(SOURCES))
            .ask("finding", "核查结论", AskKind::Choice(FINDINGS))
            .ask("notes", "核查情况（举报的，写明举报内容和处理情况）", AskKind::LongText)
            .ask("rectify_by", "整改期限（发现问题时，默认30日后）", AskKind::Date)
            .basis(ART_21)
            .optional(),
            Transition::new("rectified", "整改后重新审查", &["rectifying"], To::State("self_review"), staff(Perm::CASE_HANDLE))
                .guard(Guard::Field { name: "rectification", label: "整改情况" }, Some(ART_21))
                .ask("rectification", "整改情况", AskKind::LongText)
                .basis(ART_21)
                .look(Look::Primary),
            Transition::new("interview", "约谈起草单位负责人", &["rectifying"], To::Same, staff(REVIEW))
                .guard(Guard::Check { label: "整改期限已届满", check: rectification_overdue }, Some(ART_24))
                .guard(Guard::Field { name: "interviewee", label: "被约谈的负责人" }, Some(ART_24))
                .guard(Guard::Field { name: "record", label: "约谈记录" }, Some(ART_24))
                .ask("interviewee", "被约谈的负责人", AskKind::Text)
                .ask("record", "约谈记录", AskKind::LongText)
                .basis(ART_24)
                .optional(),
        ],
    }
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::engine::Input;

    fn all_no() -> Input {
        let mut i = Input::default();
        for s in STANDARDS {
            i = i.with(s.code, "no");
        }
        i.with("operators_views", "已听取").with("opinion", "意见")
    }

    fn check(input: &Input) -> Result<(), String> {
        let cal = crate::calendar::Calendar::official();
        let case = crate::kernel::engine::CaseFacts::default();
        conclusion_consistent(&GuardCtx { case: &case, input, today: chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(), calendar: &cal })
    }

    #[test]
    fn definition_is_consistent() {
        PROCEDURE.validate().unwrap();
        for s in &PROCEDURE.states {
            let out = PROCEDURE.transitions.iter().filter(|t| t.from.contains(&s.code)).count();
            assert_eq!(out == 0, s.terminal, "state {}", s.code);
        }
        assert_eq!(STANDARDS.len(), 19, "Arts. 8–11 list 5 + 6 + 4 + 4 contents");
    }

    #[test]
    fn conclusions_follow_the_findings() {
        assert!(check(&all_no().with("conclusion", "compliant")).is_ok());
        assert!(check(&all_no().with("conclusion", "amended").with("amendment", "x")).is_err());
        let found = all_no().with("a9_3", "yes");
        let e = check(&found.clone().with("conclusion", "compliant")).unwrap_err();
        assert!(e.contains("第九条第三项"), "{e}");
        assert!(check(&found.clone().with("conclusion", "amended")).is_err(), "the amendment is written");
        assert!(check(&found.clone().with("conclusion", "amended").with("amendment", "删去本地企业优先条款")).is_ok());
        let e = check(&found.clone().with("conclusion", "exception").with("ground", "3")).unwrap_err();
        assert!(e.contains("替代方案") && e.contains("实施期限"), "{e}");
        assert!(check(&found.clone().with("conclusion", "exception").with("ground", "3").with("no_alternative", "x").with("until", "2027-12-31")).is_ok());
        assert!(check(&found.with("conclusion", "violation")).is_ok());
        let mut partial = Input::default().with("conclusion", "compliant");
        partial = partial.with("a8_1", "no");
        assert!(check(&partial).unwrap_err().contains("18项未回答"));
    }
}
