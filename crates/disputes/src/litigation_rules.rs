//! 行政应诉: a case in which an agency of the city is the defendant, as a procedure on the kernel,
//! after the 行政诉讼法 (2017; checked text in laws/) and the Supreme Court's 2020 规定 on the
//! appearance of agency heads (LEGAL-RULES.md §7(d)). The case belongs to the defendant agency;
//! its staff keep the record, the rule-of-law office reads every agency's.
//!
//! | state | step → next | guard | clock |
//! |---|---|---|---|
//! | 已收到起诉状 | 提交答辩状和证据 → 审理中 | the defence | 15 days from service (Art. 67) |
//! | 审理中 / 二审中 | 登记开庭 (stays) | who appeared; the head absent only with a legal excuse (规定 Arts. 8–9) | — |
//! | 审理中 | 一审判决 / 一审裁定 → 一审已判 | an outcome with its article | appeal: 15 days (judgment), 10 (ruling) (Art. 85) |
//! | 一审已判 | 提起上诉 → 二审中 | who appealed | — |
//! | 一审已判 | 判决生效 → 已生效 | the appeal period has run (Art. 85) | — |
//! | 二审中 | 二审终审 → 已生效 | an outcome | — |
//! | 已生效 | 履行·结案 → 已结案 | performance recorded when the agency lost (Art. 94) | — |

use std::sync::LazyLock;

use crate::auth::Perm;
use crate::kernel::definition::*;

pub const CODE: &str = "litigation";
pub const LAW: &str = "中华人民共和国行政诉讼法";
pub const SPC: &str = "最高人民法院关于行政机关负责人出庭应诉若干问题的规定";

pub const ART_3: Basis = Basis::checked(LAW, "第三条第三款", "被诉行政机关负责人应当出庭应诉。不能出庭的，应当委托行政机关相应的工作人员出庭");
pub const ART_34: Basis = Basis::checked(LAW, "第三十四条", "被告不提供或者无正当理由逾期提供证据，视为没有相应证据");
pub const ART_67: Basis =
    Basis::checked(LAW, "第六十七条", "被告应当在收到起诉状副本之日起十五日内向人民法院提交作出行政行为的证据和所依据的规范性文件，并提出答辩状");
pub const ART_85: Basis = Basis::checked(
    LAW,
    "第八十五条",
    "不服第一审判决的，在判决书送达之日起十五日内提起上诉；不服第一审裁定的，在裁定书送达之日起十日内提起上诉。逾期不提起上诉的，第一审判决或者裁定发生法律效力",
);
pub const ART_94: Basis = Basis::checked(LAW, "第九十四条", "当事人必须履行人民法院发生法律效力的判决、裁定、调解书");
pub const SPC_2: Basis =
    Basis::checked(SPC, "第二条", "被诉行政机关负责人，包括行政机关的正职、副职负责人、参与分管被诉行政行为实施工作的副职级别的负责人以及其他参与分管的负责人");
pub const SPC_8: Basis = Basis::checked(
    SPC,
    "第八条、第九条",
    "负责人不能出庭的情形：不可抗力、意外事件、需要履行他人不能代替的公务、其他正当事由；应当提交证明材料并加盖印章或由主要负责人签字认可",
);
/// 司法建议: the court's suggestion to the agency (Art. 66, and 规定 Art. 12 for an absent head).
pub const SUGGESTION: Basis =
    Basis::checked(SPC, "第十二条", "行政机关负责人未出庭应诉且未说明理由或理由不成立等情形，人民法院应当向监察机关、被诉行政机关的上一级行政机关提出司法建议");
pub const JUDGMENT_BASIS: Basis = Basis::checked(LAW, "第六十九条至第七十八条", "人民法院依法判决驳回诉讼请求、撤销、责令履行、确认违法、确认无效、变更等");

/// Who appeared for the agency. A deputy or the head in charge counts as the 负责人 (规定 Art. 2).
pub const APPEARANCE: &[(&str, &str)] =
    &[("head", "正职负责人出庭"), ("deputy", "副职或分管负责人出庭"), ("staff", "负责人未出庭，相应工作人员出庭"), ("none", "无人出庭")];
pub const EXCUSES: &[(&str, &str)] =
    &[("force_majeure", "不可抗力"), ("accident", "意外事件"), ("duty", "需要履行他人不能代替的公务"), ("other", "其他正当事由")];
/// Outcomes with their articles. `lost` marks the ones in which the agency lost (败诉).
pub const OUTCOMES: &[(&str, &str)] = &[
    ("dismissed", "判决驳回原告诉讼请求（第六十九条）"),
    ("revoked", "判决撤销或部分撤销（第七十条）"),
    ("order_perform", "判决履行法定职责（第七十二条）"),
    ("order_pay", "判决履行给付义务（第七十三条）"),
    ("confirm_illegal", "判决确认违法（第七十四条）"),
    ("confirm_invalid", "判决确认无效（第七十五条）"),
    ("varied", "判决变更（第七十七条）"),
    ("suit_rejected", "裁定驳回起诉"),
    ("withdrawn", "原告撤诉（裁定准许）"),
    ("mediated", "调解结案（第六十条）"),
];
pub const LOST: &[&str] = &["revoked", "order_perform", "order_pay", "confirm_illegal", "confirm_invalid", "varied"];
pub const APPELLANTS: &[(&str, &str)] = &[("agency", "本机关上诉"), ("plaintiff", "原告上诉"), ("both", "双方上诉")];
pub const PERFORMANCE: &[(&str, &str)] = &[("performed", "已履行"), ("partly", "部分履行"), ("not_performed", "未履行")];

pub fn label(list: &'static [(&'static str, &'static str)], code: &str) -> &'static str {
    list.iter().find(|c| c.0 == code).map(|c| c.1).unwrap_or("")
}

pub fn is_lost(outcome: &str) -> bool {
    LOST.contains(&outcome)
}

fn one_of(list: &'static [(&'static str, &'static str)], v: Option<&str>, what: &str) -> Result<(), String> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Err(format!("请选择{what}")),
        Some(x) if list.iter().any(|c| c.0 == x) => Ok(()),
        Some(x) => Err(format!("“{x}”不是规定的{what}")),
    }
}

fn answer(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.input.field("answer_summary").is_some_and(|s| !s.trim().is_empty()) {
        Ok(())
    } else {
        Err("请填写答辩要点和提交的证据、依据".into())
    }
}

/// The hearing: its date, who appeared, and the legal excuse when the head did not.
fn appearance(ctx: &GuardCtx<'_>) -> Result<(), String> {
    one_of(APPEARANCE, ctx.input.field("appearance"), "出庭情况")?;
    if matches!(ctx.input.field("appearance"), Some("staff" | "none")) {
        one_of(EXCUSES, ctx.input.field("excuse"), "负责人不能出庭的正当理由（证明材料须加盖印章或由主要负责人签字认可）")?;
    }
    Ok(())
}

fn hearing_date(ctx: &GuardCtx<'_>) -> Result<(), String> {
    match ctx.input.field("hearing_on").and_then(crate::time::parse_date) {
        None => Err("请填写开庭日期（YYYY-MM-DD）".into()),
        Some(d) if d < ctx.case.opened_on => Err("开庭日期不能早于收到起诉状的日期".into()),
        Some(d) if d > ctx.today => Err("开庭后再登记出庭情况".into()),
        Some(_) => Ok(()),
    }
}

fn outcome(ctx: &GuardCtx<'_>) -> Result<(), String> {
    one_of(OUTCOMES, ctx.input.field("outcome"), "裁判结果")
}

fn appellant(ctx: &GuardCtx<'_>) -> Result<(), String> {
    one_of(APPELLANTS, ctx.input.field("appellant"), "上诉人")
}

fn appeal_period_over(ctx: &GuardCtx<'_>) -> Result<(), String> {
    match ctx.case.due_on {
        Some(due) if ctx.today <= due => Err(format!("上诉期限到 {} 才届满", crate::time::fmt_date(due))),
        _ => Ok(()),
    }
}

fn has_suggestion(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.count("suggestion") > 0 { Ok(()) } else { Err("尚未登记司法建议".into()) }
}

fn performance(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("lost") { one_of(PERFORMANCE, ctx.input.field("performance"), "生效裁判的履行情况") } else { Ok(()) }
}

pub static PROCEDURE: LazyLock<Procedure> = LazyLock::new(|| {
    let staff = Taker::Staff(Perm::CASE_HANDLE);
    let days = |code, name, days, basis, starts_on: &'static [&'static str]| DeadlineRule {
        code,
        name,
        days,
        unit: DayUnit::CalendarDays,
        rollover: true,
        due_soon_days: 3,
        starts_on,
        basis,
        validity: Validity::ALWAYS,
        setting: None,
    };
    Procedure {
        code: CODE,
        name: "行政应诉",
        law: "《中华人民共和国行政诉讼法》（2017）",
        initial: "served",
        number_pattern: "{org}应诉〔{year}〕{seq}号",
        page_prefix: "/disputes/litigation/",
        api_prefix: "/api/v1/disputes/litigation/",
        states: vec![
            StateDef::open("served", "已收到起诉状", "收到起诉状副本之日起十五日内提交证据、依据和答辩状"),
            StateDef::open("trial", "一审审理中", "已答辩，等待开庭和裁判"),
            StateDef::open("judged", "一审已判", "一审裁判已送达，上诉期间内"),
            StateDef::open("appeal", "二审中", "已上诉"),
            StateDef::open("effective", "已生效", "裁判已发生法律效力，跟踪履行"),
            StateDef::end("closed", "已结案", "生效裁判已履行或无需履行"),
        ],
        deadlines: vec![
            days("answer", "答辩举证期限", 15, ART_67, &["intake"]),
            days("appeal_judgment", "判决上诉期限", 15, ART_85, &["judge"]),
            days("appeal_ruling", "裁定上诉期限", 10, ART_85, &["rule"]),
        ],
        transitions: vec![
            Transition::new("answer", "提交答辩状和证据", &["served"], To::State("trial"), staff)
                .guard(Guard::Input { field: "answer_summary", check: answer }, Some(ART_67))
                .ask("answer_summary", "答辩要点和提交的证据、规范性文件", AskKind::LongText)
                .clock(ClockEffect::Stop)
                .basis(ART_67)
                .look(Look::Primary)
                .hint("逾期不提供证据的，视为没有相应证据（第三十四条）"),
            Transition::new("hearing", "登记开庭和出庭情况", &["trial", "appeal"], To::Same, staff)
                .guard(Guard::Input { field: "hearing_on", check: hearing_date }, Some(ART_3))
                .guard(Guard::Input { field: "appearance", check: appearance }, Some(SPC_8))
                .ask("hearing_on", "开庭日期", AskKind::Date)
                .ask("appearance", "出庭情况", AskKind::Choice(APPEARANCE))
                .ask("head_name", "出庭负责人姓名、职务", AskKind::Text)
                .ask("excuse", "负责人不能出庭的理由", AskKind::Choice(EXCUSES))
                .basis(ART_3)
                .optional(),
            Transition::new("suggestion", "登记司法建议", &["trial", "judged", "appeal", "effective"], To::Same, staff)
                .guard(Guard::Field { name: "suggestion_text", label: "司法建议的内容" }, Some(SUGGESTION))
                .guard(Guard::AtMost { max: 1 }, Some(SUGGESTION))
                .ask("suggestion_text", "法院司法建议的内容", AskKind::LongText)
                .basis(SUGGESTION)
                .optional(),
            Transition::new("answer_suggestion", "登记司法建议的回复", &["trial", "judged", "appeal", "effective", "closed"], To::Same, staff)
                .guard(Guard::Check { label: "已收到司法建议", check: has_suggestion }, Some(SUGGESTION))
                .guard(Guard::AtMost { max: 1 }, Some(SUGGESTION))
                .guard(Guard::Field { name: "suggestion_answer", label: "回复内容" }, Some(SUGGESTION))
                .ask("suggestion_answer", "向法院回复的整改情况", AskKind::LongText)
                .basis(SUGGESTION)
                .optional(),
            Transition::new("judge", "登记一审判决", &["trial"], To::State("judged"), staff)
                .guard(Guard::Input { field: "outcome", check: outcome }, Some(JUDGMENT_BASIS))
                .ask("outcome", "裁判结果", AskKind::Choice(OUTCOMES))
                .clock(ClockEffect::Start("appeal_judgment"))
                .basis(ART_85)
                .look(Look::Primary),
            Transition::new("rule", "登记一审裁定", &["trial"], To::State("judged"), staff)
                .guard(Guard::Input { field: "outcome", check: outcome }, Some(JUDGMENT_BASIS))
                .ask("outcome", "裁判结果", AskKind::Choice(OUTCOMES))
                .clock(ClockEffect::Start("appeal_ruling"))
                .basis(ART_85)
                .optional(),
            Transition::new("appeal", "提起上诉", &["judged"], To::State("appeal"), staff)
                .guard(Guard::Input { field: "appellant", check: appellant }, Some(ART_85))
                .ask("appellant", "上诉人", AskKind::Choice(APPELLANTS))
                .clock(ClockEffect::Stop)
                .basis(ART_85)
                .optional(),
            Transition::new("effective", "裁判生效", &["judged"], To::State("effective"), staff)
                .guard(Guard::Check { label: "上诉期限已届满", check: appeal_period_over }, Some(ART_85))
                .clock(ClockEffect::Stop)
                .basis(ART_85)
                .look(Look::Primary),
            Transition::new("final", "登记二审裁判", &["appeal"], To::State("effective"), staff)
                .guard(Guard::Input { field: "outcome", check: outcome }, Some(JUDGMENT_BASIS))
                .ask("outcome", "二审后的最终结果", AskKind::Choice(OUTCOMES))
                .basis(JUDGMENT_BASIS)
                .look(Look::Primary),
            Transition::new("close", "登记履行·结案", &["effective"], To::State("closed"), staff)
                .guard(Guard::Input { field: "performance", check: performance }, Some(ART_94))
                .ask("performance", "生效裁判的履行情况（败诉时必填）", AskKind::Choice(PERFORMANCE))
                .basis(ART_94)
                .look(Look::Primary),
        ],
    }
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definition_is_consistent() {
        PROCEDURE.validate().unwrap();
        assert!(PROCEDURE.transitions.iter().all(|t| t.basis.is_some()));
        assert!(LOST.iter().all(|l| !label(OUTCOMES, l).is_empty()));
        assert!(!is_lost("dismissed") && is_lost("revoked"));
    }

    #[test]
    fn the_diagram_is_readable_with_no_arrow_through_a_box() {
        let problems: Vec<String> = crate::kernel::diagram::problems(&PROCEDURE).into_iter().filter(|p| !p.contains("wide instead of the card")).collect();
        assert_eq!(problems, Vec::<String>::new());
    }
}
