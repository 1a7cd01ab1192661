//! 督察 findings and their rectification, as a procedure on the kernel (LEGAL-RULES.md §10).
//!
//! The 《法治政府建设与责任落实督察工作规定》 (中办、国办, 厅字〔2019〕28号, in force
//! 2019-04-15 [S]) makes the inspected unit rectify what an inspection found and the inspecting
//! body check it, with a 回头看 on earlier findings. Its full text is not in `shared/laws/`, so
//! the article numbers could not be checked: each rule cites the regulation and says so, and the
//! periods (rectification, verification) are local defaults an administrator changes ([U]).
//!
//! | state | step → next | who | guard | clock |
//! |---|---|---|---|---|
//! | 已发现问题 | 交办整改 → 整改中 | 督察人员 | a named finding | rectification period starts |
//! | 整改中 | 报告整改情况 → 待核验 | 被督察单位 | measures and evidence; late is accepted and marked | verification period starts |
//! | 待核验 | 核验通过 → 已整改销号 | 督察人员, not of the unit | an opinion | stops |
//! | 待核验 | 核验未通过 → 整改中 | 督察人员, not of the unit | a reason | a new rectification period |
//! | 已整改销号 | 回头看确认 → 已回头看确认 | 督察人员, not of the unit | an opinion | — |
//! | 已整改销号 | 回头看重新打开 → 整改中 | 督察人员, not of the unit | a reason | a new rectification period |
//! | 已发现问题 / 整改中 | 撤销 → 已撤销 | 督察人员 | a reason | stops |

use std::sync::LazyLock;

use crate::kernel::definition::*;

pub const CODE: &str = "rectification";

pub const DUCHA: &str = "法治政府建设与责任落实督察工作规定";
/// The date the regulation took force ([S], LEGAL-RULES §10).
pub const IN_FORCE: &str = "2019-04-15";

pub const RECTIFY: Basis =
    Basis::local(DUCHA, "", "督察发现的问题，被督察单位应当在规定期限内整改并报告整改情况（条文序号待核对原文；整改期限为本地默认60日，可配置）");
pub const VERIFY: Basis =
    Basis::local(DUCHA, "", "督察单位对整改情况进行核验，整改不到位的责令继续整改（条文序号待核对原文；核验期限为本地默认15个工作日，可配置）");
pub const INDEPENDENT: Basis = Basis::local(DUCHA, "", "整改情况由督察单位核验销号，被督察单位不得自行核验、销号（条文序号待核对原文）");
pub const FOLLOW_UP: Basis = Basis::local(DUCHA, "", "对已整改的问题开展“回头看”，问题反弹或整改不实的重新交办整改（条文序号待核对原文）");

/// Days the unit has to rectify (calendar days; setting `rectify_days`).
pub const RECTIFY_DAYS: u32 = 60;
/// Working days the inspecting body has to verify a report (setting `verify_days`).
pub const VERIFY_DAYS: u32 = 15;

pub const KINDS: &[(&str, &str)] = &[("inspection", "法治督察"), ("special", "专项督察"), ("follow_up", "回头看")];

pub fn kind_label(code: &str) -> &'static str {
    KINDS.iter().find(|k| k.0 == code).map(|k| k.1).unwrap_or("")
}

/// States in which the task is the unit's to do.
pub const OPEN: &[&str] = &["found", "rectifying", "verifying"];

fn independent(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("verifier_independent") {
        Ok(())
    } else {
        Err("核验人员不能来自被督察单位：整改不得由被督察单位自行核验、销号".into())
    }
}

pub static PROCEDURE: LazyLock<Procedure> = LazyLock::new(|| {
    let staff = Taker::Staff;
    let inspect = super::roles::INSPECT;
    let validity = Validity::between(Some(IN_FORCE), None);
    Procedure {
        code: CODE,
        name: "督察问题整改",
        law: "《法治政府建设与责任落实督察工作规定》",
        initial: "found",
        number_pattern: "督改〔{year}〕{seq}号",
        page_prefix: "/accountability/rectifications/",
        api_prefix: "/api/v1/accountability/rectifications/",
        states: vec![
            StateDef::open("found", "已发现问题", "督察发现的问题已登记，待交办被督察单位整改"),
            StateDef::open("rectifying", "整改中", "被督察单位在整改期限内整改并报告整改情况"),
            StateDef::approval("verifying", "待核验", "督察单位（非被督察单位）核验整改情况"),
            StateDef::open("closed", "已整改销号", "核验通过；“回头看”时可确认或重新打开"),
            StateDef::end("confirmed", "已回头看确认", "“回头看”确认整改到位，问题未反弹"),
            StateDef::end("withdrawn", "已撤销", "经核实不属于问题，撤销交办"),
        ],
        deadlines: vec![
            DeadlineRule {
                code: "rectify",
                name: "整改期限",
                days: RECTIFY_DAYS,
                unit: DayUnit::CalendarDays,
                rollover: true,
                due_soon_days: 7,
                starts_on: &["assign", "verify_fail", "reopen"],
                basis: RECTIFY,
                validity,
                setting: Some("rectify_days"),
            },
            DeadlineRule {
                code: "verify",
                name: "核验期限",
                days: VERIFY_DAYS,
                unit: DayUnit::WorkingDays,
                rollover: false,
                due_soon_days: 3,
                starts_on: &["report"],
                basis: VERIFY,
                validity,
                setting: Some("verify_days"),
            },
        ],
        transitions: vec![
            Transition::new("assign", "交办整改", &["found"], To::State("rectifying"), staff(inspect))
                .clock(ClockEffect::Start("rectify"))
                .basis(RECTIFY)
                .look(Look::Primary)
                .hint("交办后被督察单位开始计算整改期限"),
            Transition::new("report", "报告整改情况", &["rectifying"], To::State("verifying"), staff(crate::auth::Perm::CASE_HANDLE))
                .guard(Guard::Field { name: "measures", label: "整改措施和成效" }, Some(RECTIFY))
                .guard(Guard::Field { name: "evidence", label: "整改佐证材料" }, Some(RECTIFY))
                .ask("measures", "整改措施和成效", AskKind::LongText)
                .ask("evidence", "佐证材料（文件名称、文号，或平台内记录的编号、链接，每行一项）", AskKind::LongText)
                .clock(ClockEffect::Start("verify"))
                .basis(RECTIFY)
                .look(Look::Primary)
                .hint("超过整改期限报告的，照常受理并标记为逾期"),
            Transition::new("verify_pass", "核验通过", &["verifying"], To::State("closed"), staff(inspect))
                .guard(Guard::Check { label: "核验人员不属于被督察单位", check: independent }, Some(INDEPENDENT))
                .guard(Guard::Field { name: "opinion", label: "核验意见" }, Some(VERIFY))
                .ask("opinion", "核验意见", AskKind::LongText)
                .clock(ClockEffect::Stop)
                .basis(VERIFY)
                .look(Look::Primary),
            Transition::new("verify_fail", "核验未通过，继续整改", &["verifying"], To::State("rectifying"), staff(inspect))
                .guard(Guard::Check { label: "核验人员不属于被督察单位", check: independent }, Some(INDEPENDENT))
                .guard(Guard::Reason, Some(VERIFY))
                .clock(ClockEffect::Start("rectify"))
                .basis(VERIFY)
                .look(Look::Danger),
            Transition::new("confirm", "回头看确认", &["closed"], To::State("confirmed"), staff(inspect))
                .guard(Guard::Check { label: "核验人员不属于被督察单位", check: independent }, Some(INDEPENDENT))
                .guard(Guard::Field { name: "opinion", label: "回头看意见" }, Some(FOLLOW_UP))
                .ask("opinion", "回头看意见", AskKind::LongText)
                .basis(FOLLOW_UP)
                .optional(),
            Transition::new("reopen", "回头看重新打开", &["closed"], To::State("rectifying"), staff(inspect))
                .guard(Guard::Check { label: "核验人员不属于被督察单位", check: independent }, Some(INDEPENDENT))
                .guard(Guard::Reason, Some(FOLLOW_UP))
                .clock(ClockEffect::Start("rectify"))
                .basis(FOLLOW_UP)
                .look(Look::Danger)
                .optional()
                .hint("问题反弹或整改不实：重新交办，重新计算整改期限"),
            Transition::new("withdraw", "撤销", &["found", "rectifying"], To::State("withdrawn"), staff(inspect))
                .guard(Guard::Reason, Some(RECTIFY))
                .clock(ClockEffect::Stop)
                .basis(RECTIFY)
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
        for d in &PROCEDURE.deadlines {
            assert!(!d.validity.contains(chrono::NaiveDate::from_ymd_opt(2019, 4, 14).unwrap()), "{} before the regulation", d.code);
        }
    }

    #[test]
    fn the_diagram_is_readable_with_no_arrow_through_a_box() {
        assert_eq!(crate::kernel::diagram::problems(&PROCEDURE), Vec::<String>::new());
    }
}
