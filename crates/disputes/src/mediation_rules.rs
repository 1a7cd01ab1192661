//! Mediation (人民调解, and 行政调解, 律师调解 and 行业性专业性调解 run the same way in the
//! non-litigation centre), as a procedure on the kernel, after the 人民调解法 (2010, in force
//! 2011-01-01, checked text in laws/; LEGAL-RULES.md §9.1).
//!
//! | state | step → next | who | guard | clock |
//! |---|---|---|---|---|
//! | 已登记 | 指派调解员 → 调解中 | the organisation | a mediator of the organisation, available, without a conflict with a party (Arts. 19, 21) | one month (司法部规定 Art. 33, local default) |
//! | 已登记 | 当事人拒绝调解 → 不予调解 | the organisation | a party expressly declines (Art. 17) | — |
//! | 调解中 | 达成协议 → 履行中 | mediator | written or oral, its terms (Arts. 28–30) | 司法确认: 30 days (Art. 33) |
//! | 调解中 | 调解终止 → 已终止 | mediator | the parties told of the other routes (Art. 26) | — |
//! | 履行中 | 登记司法确认结果 | mediator | — | — |
//! | 履行中 | 履行回访·结案 → 已结案 | mediator | the performance recorded (Art. 31) | — |

use std::sync::LazyLock;

use crate::auth::Perm;
use crate::kernel::definition::*;

pub const LAW: &str = "中华人民共和国人民调解法";

pub const ART_17: Basis =
    Basis::checked(LAW, "第十七条", "当事人可以向人民调解委员会申请调解；人民调解委员会也可以主动调解。当事人一方明确拒绝调解的，不得调解");
pub const ART_19: Basis =
    Basis::checked(LAW, "第十九条", "人民调解委员会可以指定一名或者数名人民调解员进行调解，也可以由当事人选择一名或者数名人民调解员进行调解");
pub const ART_21: Basis = Basis::checked(LAW, "第二十一条", "人民调解员调解民间纠纷，应当坚持原则，明法析理，主持公道");
pub const ART_26: Basis = Basis::checked(LAW, "第二十六条", "调解不成的，应当终止调解，并告知当事人可以依法通过仲裁、行政、司法等途径维护自己的权利");
pub const ART_28: Basis =
    Basis::checked(LAW, "第二十八条", "达成调解协议的，可以制作调解协议书；当事人认为无需制作的，可以采取口头协议方式，人民调解员应当记录协议内容");
pub const ART_31: Basis = Basis::checked(LAW, "第三十一条", "调解协议具有法律约束力，当事人应当按照约定履行；人民调解委员会应当对调解协议的履行情况进行监督");
pub const ART_33: Basis = Basis::checked(LAW, "第三十三条", "双方当事人认为有必要的，可以自调解协议生效之日起三十日内共同向人民法院申请司法确认");
pub const DURATION: Basis = Basis::secondary("人民调解工作若干规定（司法部令第75号）", "第三十三条", "调解一般在一个月内调结（本地可设置）");

pub const KINDS: &[(&str, &str)] = &[("people", "人民调解"), ("admin", "行政调解"), ("lawyer", "律师调解"), ("industry", "行业性专业性调解")];
pub const SOURCES: &[(&str, &str)] = &[
    ("walk_in", "当事人申请（来访）"),
    ("court", "法院诉前委派（诉调对接）"),
    ("petition", "信访分中心移交（访调对接）"),
    ("hotline", "12345 热线移交"),
    ("initiative", "调解组织主动调解"),
];
pub const AGREEMENT_KINDS: &[(&str, &str)] = &[("written", "书面调解协议"), ("oral", "口头调解协议")];
pub const FAIL_CODES: &[(&str, &str)] = &[("failed", "调解不成"), ("withdrawn", "当事人撤回申请")];
pub const PERFORMANCE: &[(&str, &str)] = &[("performed", "已履行"), ("partly", "部分履行"), ("not_performed", "未履行")];
pub const CONFIRMATION: &[(&str, &str)] = &[("confirmed", "法院裁定确认有效"), ("refused", "法院裁定驳回申请")];

/// The standard closing codes, so that the statistics add up: every closed case has exactly one.
pub const CLOSING_CODES: &[(&str, &str)] = &[
    ("agreement_written", "调解成功（书面协议）"),
    ("agreement_oral", "调解成功（口头协议）"),
    ("failed", "调解不成"),
    ("withdrawn", "当事人撤回"),
    ("refused", "当事人拒绝调解"),
];

pub fn label(list: &'static [(&'static str, &'static str)], code: &str) -> &'static str {
    list.iter().find(|c| c.0 == code).map(|c| c.1).unwrap_or("")
}

fn one_of(list: &'static [(&'static str, &'static str)], v: Option<&str>, what: &str) -> Result<(), String> {
    match v {
        None => Err(format!("请选择{what}")),
        Some(x) if list.iter().any(|c| c.0 == x) => Ok(()),
        Some(x) => Err(format!("“{x}”不是规定的{what}")),
    }
}

fn agreement_kind(ctx: &GuardCtx<'_>) -> Result<(), String> {
    one_of(AGREEMENT_KINDS, ctx.input.field("agreement_kind"), "协议形式")
}
fn fail_code(ctx: &GuardCtx<'_>) -> Result<(), String> {
    one_of(FAIL_CODES, ctx.input.field("closing_code"), "终止原因")
}
fn routes_told(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.input.field("routes_told") == Some("yes") {
        Ok(())
    } else {
        Err("调解不成的，应当告知当事人可以通过仲裁、行政、司法等途径维护权利，请确认已告知".into())
    }
}
fn performance(ctx: &GuardCtx<'_>) -> Result<(), String> {
    one_of(PERFORMANCE, ctx.input.field("performance"), "履行情况")
}
fn confirmation(ctx: &GuardCtx<'_>) -> Result<(), String> {
    one_of(CONFIRMATION, ctx.input.field("result"), "司法确认结果")
}
fn mediator_chosen(ctx: &GuardCtx<'_>) -> Result<(), String> {
    match ctx.input.field("mediator_id").map(str::parse::<i64>) {
        Some(Ok(_)) => Ok(()),
        _ => Err("请选择调解员".into()),
    }
}

pub static PROCEDURE: LazyLock<Procedure> = LazyLock::new(|| {
    let staff = Taker::Staff(Perm::CASE_HANDLE);
    Procedure {
        code: "mediation",
        name: "矛盾纠纷调解",
        law: "《中华人民共和国人民调解法》（2010）",
        initial: "registered",
        number_pattern: "{org}调〔{year}〕{seq}号",
        page_prefix: "/disputes/mediation/",
        api_prefix: "/api/v1/disputes/mediations/",
        states: vec![
            StateDef::open("registered", "已登记", "纠纷已登记，待指派调解员"),
            StateDef::open("mediating", "调解中", "调解员正在调解"),
            StateDef::open("agreed", "履行中", "已达成调解协议，跟踪履行；当事人可在三十日内申请司法确认"),
            StateDef::end("closed", "已结案", "协议履行情况已回访，结案"),
            StateDef::end("terminated", "已终止", "调解不成或当事人撤回，已告知其他救济途径"),
            StateDef::end("refused", "不予调解", "当事人一方明确拒绝调解"),
        ],
        deadlines: vec![
            DeadlineRule {
                code: "mediation",
                name: "调解期限",
                days: 30,
                unit: DayUnit::CalendarDays,
                rollover: true,
                due_soon_days: 5,
                starts_on: &["intake"],
                basis: DURATION,
                validity: Validity::ALWAYS,
                setting: Some("mediation_days"),
            },
            DeadlineRule {
                code: "confirmation",
                name: "司法确认申请期限",
                days: 30,
                unit: DayUnit::CalendarDays,
                rollover: true,
                due_soon_days: 5,
                starts_on: &["agree"],
                basis: ART_33,
                validity: Validity::ALWAYS,
                setting: None,
            },
        ],
        transitions: vec![
            Transition::new("assign", "指派调解员", &["registered"], To::State("mediating"), staff)
                .guard(Guard::Input { field: "mediator_id", check: mediator_chosen }, Some(ART_19))
                .ask("mediator_id", "调解员（编号）", AskKind::Text)
                .basis(ART_19)
                .look(Look::Primary)
                .hint("指派前核查调解员与当事人是否存在利害关系；当事人也可以选择调解员"),
            Transition::new("decline", "当事人拒绝调解", &["registered"], To::State("refused"), staff)
                .guard(Guard::Reason, Some(ART_17))
                .clock(ClockEffect::Stop)
                .basis(ART_17)
                .look(Look::Danger),
            Transition::new("agree", "达成调解协议", &["mediating"], To::State("agreed"), staff)
                .guard(Guard::Input { field: "agreement_kind", check: agreement_kind }, Some(ART_28))
                .guard(Guard::Field { name: "agreement_text", label: "协议内容" }, Some(ART_28))
                .ask("agreement_kind", "协议形式", AskKind::Choice(AGREEMENT_KINDS))
                .ask("agreement_text", "协议内容（当事人的权利义务、履行方式和期限）", AskKind::LongText)
                .clock(ClockEffect::Start("confirmation"))
                .basis(ART_28)
                .look(Look::Primary),
            Transition::new("terminate", "调解终止", &["mediating"], To::State("terminated"), staff)
                .guard(Guard::Input { field: "closing_code", check: fail_code }, Some(ART_26))
                .guard(Guard::Input { field: "routes_told", check: routes_told }, Some(ART_26))
                .ask("closing_code", "终止原因", AskKind::Choice(FAIL_CODES))
                .ask("routes_told", "已告知当事人其他救济途径", AskKind::Choice(&[("yes", "已告知")]))
                .clock(ClockEffect::Stop)
                .basis(ART_26)
                .optional(),
            Transition::new("record_confirmation", "登记司法确认结果", &["agreed"], To::Same, staff)
                .guard(Guard::Input { field: "result", check: confirmation }, Some(ART_33))
                .guard(Guard::AtMost { max: 1 }, Some(ART_33))
                .ask("result", "法院的答复", AskKind::Choice(CONFIRMATION))
                .basis(ART_33)
                .optional(),
            Transition::new("close", "履行回访·结案", &["agreed"], To::State("closed"), staff)
                .guard(Guard::Input { field: "performance", check: performance }, Some(ART_31))
                .ask("performance", "履行情况", AskKind::Choice(PERFORMANCE))
                .clock(ClockEffect::Stop)
                .basis(ART_31)
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
        for s in &PROCEDURE.states {
            let out = PROCEDURE.transitions.iter().filter(|t| t.from.contains(&s.code)).count();
            assert_eq!(out == 0, s.terminal, "state {}", s.code);
        }
        assert!(PROCEDURE.transitions.iter().all(|t| t.basis.is_some()));
    }
}
