//! 法律援助 as a procedure on the kernel, after the 法律援助法 (2021, in force 2022-01-01; checked
//! text in laws/, LEGAL-RULES.md §9.2). Periods are written "日" and counted as calendar days;
//! a last day on a holiday rolls to the next working day (LEGAL-RULES §0.1).
//!
//! | state | step → next | who | guard | clock |
//! |---|---|---|---|---|
//! | 待审查 | 一次性告知补充材料 → 补充材料中 | centre | once (Art. 43 ¶2) | materials: 15 days (local default) |
//! | 补充材料中 | 补齐材料 → 待审查 | centre | what was supplied | decision restarts (local default) |
//! | 补充材料中 | 视为撤回 → 已撤回 | centre | the period has run out (Art. 43 ¶2) | — |
//! | 待审查 | 决定给予援助 → 待指派 | centre | eligible, or an override with its reason; after day 7 a reason (Art. 43) | assignment: 3 days |
//! | 待审查 | 先行提供 → 待指派 | centre | an Art. 44 ground | assignment: 3 days |
//! | 待审查 | 决定不予援助 → 不予援助 | centre | reasons in writing (Art. 43) | — |
//! | 待指派 | 指派承办人员 → 承办中 | centre | no conflict of interest | — |
//! | 承办中 | 终止援助 → 已终止 | centre | an Art. 48 ground | — |
//! | 承办中 | 结案 → 已结案 | the provider | a standard closing code, amounts (Art. 50) | — |
//! | 不予援助 / 已终止 | 提出异议 → 异议审查中 | justice bureau | its content (Art. 49) | objection: 5 days |
//! | 异议审查中 | 维持 / 责令改正 | justice bureau | reasons (Art. 49) | — |

use std::sync::LazyLock;

use crate::auth::Perm;
use crate::kernel::definition::*;

pub const CODE: &str = "legal_aid";
pub const LAW: &str = "中华人民共和国法律援助法";

/// Review applications, decide, assign, terminate (the 法律援助机构).
pub const LA_HANDLE: Perm = Perm::new("legal_aid_handle", "法律援助审查指派");
/// Close a case assigned to oneself (the 法律援助人员).
pub const LA_CLOSE: Perm = Perm::new("legal_aid_close", "法律援助承办结案");
/// Decide objections (the 司法行政部门 that set up the centre, Art. 49).
pub const LA_REVIEW: Perm = Perm::new("legal_aid_review", "法律援助异议审查");

pub const ART_31: Basis = Basis::checked(LAW, "第三十一条", "下列事项的当事人，因经济困难没有委托代理人的，可以向法律援助机构申请法律援助");
pub const ART_32: Basis = Basis::checked(LAW, "第三十二条", "有下列情形之一，当事人申请法律援助的，不受经济困难条件的限制");
pub const ART_34: Basis =
    Basis::checked(LAW, "第三十四条", "经济困难的标准，由省、自治区、直辖市人民政府根据本行政区域经济发展状况和法律援助工作需要确定，并实行动态调整");
pub const ART_41: Basis = Basis::checked(LAW, "第四十一条", "因经济困难申请法律援助的，申请人应当如实说明经济困难状况");
pub const ART_42: Basis = Basis::checked(LAW, "第四十二条", "法律援助申请人有材料证明属于下列人员之一的，免予核查经济困难状况");
pub const ART_43: Basis = Basis::checked(
    LAW,
    "第四十三条第一款",
    "法律援助机构应当自收到法律援助申请之日起七日内进行审查，作出是否给予法律援助的决定。决定给予法律援助的，应当自作出决定之日起三日内指派法律援助人员；决定不给予法律援助的，应当书面告知申请人，并说明理由",
);
pub const ART_43_2: Basis = Basis::checked(
    LAW,
    "第四十三条第二款",
    "申请材料不齐全的，法律援助机构应当一次性告知申请人需要补充的材料或者要求申请人作出说明。申请人未按要求补充材料或者作出说明的，视为撤回申请",
);
pub const ART_44: Basis =
    Basis::checked(LAW, "第四十四条", "距法定时效或者期限届满不足七日，或者需要立即申请财产保全、证据保全或者先予执行的，可以决定先行提供法律援助");
pub const ART_48: Basis = Basis::checked(LAW, "第四十八条", "有下列情形之一的，法律援助机构应当作出终止法律援助的决定");
pub const ART_49: Basis = Basis::checked(
    LAW,
    "第四十九条",
    "对不予法律援助、终止法律援助的决定有异议的，可以向设立该法律援助机构的司法行政部门提出；司法行政部门应当自收到异议之日起五日内进行审查，作出维持或者责令改正的决定",
);
pub const ART_50: Basis =
    Basis::checked(LAW, "第五十条", "法律援助事项办理结束后，法律援助人员应当及时向法律援助机构报告，提交有关法律文书的副本或者复印件、办理情况报告等材料");
/// How long an applicant has to supply missing materials: the law sets no period.
pub const MATERIALS: Basis = Basis::local(LAW, "第四十三条第二款（本地默认）", "补充材料期限十五日；补齐之日起重新计算七日审查期限（本地默认值，可设置）");
/// The standard closing codes: the ministry's statistics count cases by how they ended.
pub const CLOSING_BASIS: Basis = Basis::local("法律援助案件结案方式（本地统计口径）", "", "结案方式统一编码，统计口径一致（本地默认值）");

/// The local means threshold (元 per person and month) when no setting says otherwise.
pub const THRESHOLD_DEFAULT: i64 = 2_280;
pub const THRESHOLD_KEY: &str = "means_threshold";

pub const CHANNELS: &[(&str, &str)] = &[("portal", "网上申请"), ("counter", "窗口申请"), ("referral", "办案机关转交")];
pub const CATEGORIES: &[(&str, &str)] = &[
    ("wages", "追索劳动报酬"),
    ("work_injury", "工伤赔偿"),
    ("labour", "确认劳动关系等劳动争议"),
    ("social_insurance", "社会保险待遇、社会救助"),
    ("support", "赡养费、抚养费、扶养费"),
    ("state_comp", "国家赔偿"),
    ("injury", "交通事故、医疗等人身损害赔偿"),
    ("family", "婚姻家庭"),
    ("criminal", "刑事辩护、代理"),
    ("other", "其他"),
];
/// Grounds that dispense with the means test: Art. 42 (免予核查) and Art. 32 (不受经济困难条件限制).
pub const EXEMPT: &[(&str, &str)] = &[
    ("migrant_worker", "进城务工人员申请支付劳动报酬或工伤赔偿（第四十二条第三项）"),
    ("no_income_group", "无固定生活来源的未成年人、老年人、残疾人（第四十二条第一项）"),
    ("assistance", "社会救助、司法救助或者优抚对象（第四十二条第二项）"),
    ("domestic_violence", "虐待、遗弃或家庭暴力的受害人（第三十二条第四项）"),
    ("good_samaritan", "因见义勇为主张民事权益（第三十二条第二项）"),
    ("hero_kin", "英雄烈士近亲属维护英雄烈士人格权益（第三十二条第一项）"),
];
pub const PROVISIONAL: &[(&str, &str)] =
    &[("limitation", "距法定时效或者期限届满不足七日（第四十四条第一项）"), ("preservation", "需要立即申请保全或先予执行（第四十四条第二项）")];
pub const TERMINATION: &[(&str, &str)] = &[
    ("fraud", "以欺骗等不正当手段获得法律援助（第四十八条第一项）"),
    ("concealment", "故意隐瞒重要事实或提供虚假证据（第四十八条第二项）"),
    ("illegal_use", "利用法律援助从事违法活动（第四十八条第三项）"),
    ("means_changed", "经济状况变化，不再符合条件（第四十八条第四项）"),
    ("case_ended", "案件终止审理或已被撤销（第四十八条第五项）"),
    ("own_lawyer", "自行委托律师或其他代理人（第四十八条第六项）"),
    ("request", "受援人要求终止（第四十八条第七项）"),
    ("other_rule", "法律法规规定的其他情形（第四十八条第八项）"),
];
/// The standard closing codes of a case that was carried out; every closed case has one.
pub const CLOSING: &[(&str, &str)] = &[
    ("judgment", "判决结案"),
    ("ruling", "裁定结案"),
    ("mediation", "调解结案"),
    ("settlement", "和解结案"),
    ("withdrawal", "撤诉、撤回申请"),
    ("arbitration", "仲裁裁决结案"),
    ("non_litigation", "非诉讼事项办结"),
];
/// Every code a concluded case can carry (the carried-out ones, and the others).
pub const ALL_CODES: &[(&str, &str)] = &[
    ("judgment", "判决结案"),
    ("ruling", "裁定结案"),
    ("mediation", "调解结案"),
    ("settlement", "和解结案"),
    ("withdrawal", "撤诉、撤回申请"),
    ("arbitration", "仲裁裁决结案"),
    ("non_litigation", "非诉讼事项办结"),
    ("terminated", "终止法律援助"),
    ("refused", "不予法律援助"),
    ("withdrawn", "未补充材料，视为撤回"),
];
pub const PROVIDER_KINDS: &[(&str, &str)] = &[("lawyer", "律师"), ("grassroots", "基层法律服务工作者"), ("staff", "法律援助机构工作人员")];
pub const SATISFACTION: &[(&str, &str)] = &[("5", "很满意"), ("4", "满意"), ("3", "基本满意"), ("2", "不满意"), ("1", "很不满意")];

pub fn label(list: &'static [(&'static str, &'static str)], code: &str) -> &'static str {
    list.iter().find(|c| c.0 == code).map(|c| c.1).unwrap_or("")
}

/// The outcome of the means test, computed from what the applicant declared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assessment {
    pub eligible: bool,
    /// In words, with the article: what the result rests on.
    pub basis: String,
}

/// Eligibility from the application: an Art. 42 or Art. 32 ground needs no means test (the
/// migrant worker's only for a claim for pay or for work-injury compensation); otherwise the
/// household's monthly income per person against the local threshold (Art. 34, Art. 41).
pub fn assess(exempt: Option<&str>, category: &str, monthly_income: Option<i64>, threshold: i64) -> Result<Assessment, (&'static str, String)> {
    if let Some(g) = exempt {
        if label(EXEMPT, g).is_empty() {
            return Err(("exempt_ground", format!("“{g}”不是法律规定的免予核查情形")));
        }
        if g == "migrant_worker" && !matches!(category, "wages" | "work_injury") {
            return Err((
                "exempt_ground",
                "进城务工人员免予核查经济困难状况，仅限申请支付劳动报酬或者请求工伤事故人身损害赔偿（《法律援助法》第四十二条第三项）".into(),
            ));
        }
        let art = if matches!(g, "domestic_violence" | "good_samaritan" | "hero_kin") { ART_32.cite() } else { ART_42.cite() };
        return Ok(Assessment { eligible: true, basis: format!("{}，免予经济困难审查（{art}）", label(EXEMPT, g)) });
    }
    match monthly_income {
        None => Err(("monthly_income", "请填写家庭人均月收入（元），或选择免予核查经济困难状况的情形（《法律援助法》第四十一条、第四十二条）".into())),
        Some(i) if i < 0 => Err(("monthly_income", "家庭人均月收入不能是负数".into())),
        Some(i) if i <= threshold => Ok(Assessment {
            eligible: true,
            basis: format!("家庭人均月收入 {i} 元，不高于本地经济困难标准 {threshold} 元（{}）", ART_34.cite()),
        }),
        Some(i) => Ok(Assessment {
            eligible: false, basis: format!("家庭人均月收入 {i} 元，高于本地经济困难标准 {threshold} 元（{}）", ART_34.cite())
        }),
    }
}

fn one_of(list: &'static [(&'static str, &'static str)], v: Option<&str>, what: &str) -> Result<(), String> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Err(format!("请选择{what}")),
        Some(x) if list.iter().any(|c| c.0 == x) => Ok(()),
        Some(x) => Err(format!("“{x}”不是规定的{what}")),
    }
}

fn filled(v: Option<&str>) -> bool {
    v.is_some_and(|s| !s.trim().is_empty())
}

/// Granting against the computed result needs a recorded reason.
fn override_reasoned(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("eligible") || filled(ctx.input.field("override_reason")) {
        Ok(())
    } else {
        Err("经济困难审查结果为不符合条件；仍决定给予法律援助的，须记录改变审查结果的理由".into())
    }
}

/// A decision after the seventh day needs the reason for the delay on record.
fn late_reasoned(ctx: &GuardCtx<'_>) -> Result<(), String> {
    match ctx.case.due_on {
        Some(due) if ctx.today > due && !filled(ctx.input.field("late_reason")) => {
            Err(format!("审查期限已于 {} 届满，逾期作出决定须记录逾期原因", crate::time::fmt_date(due)))
        }
        _ => Ok(()),
    }
}

fn materials_listed(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if filled(ctx.input.field("materials")) { Ok(()) } else { Err("请一次性列明需要补充的全部材料或需要说明的事项".into()) }
}

fn materials_period_over(ctx: &GuardCtx<'_>) -> Result<(), String> {
    match ctx.case.due_on {
        Some(due) if ctx.today <= due => Err(format!("补充材料期限到 {} 才届满，届满前不能视为撤回", crate::time::fmt_date(due))),
        _ => Ok(()),
    }
}

fn provisional_ground(ctx: &GuardCtx<'_>) -> Result<(), String> {
    one_of(PROVISIONAL, ctx.input.field("provisional_ground"), "先行提供法律援助的情形")
}

fn provider_chosen(ctx: &GuardCtx<'_>) -> Result<(), String> {
    match ctx.input.field("provider_id").map(|v| v.trim().parse::<i64>()) {
        Some(Ok(_)) => Ok(()),
        _ => Err("请选择承办的法律援助人员".into()),
    }
}

fn closing_code(ctx: &GuardCtx<'_>) -> Result<(), String> {
    one_of(CLOSING, ctx.input.field("closing_code"), "结案方式")
}

/// A non-negative whole number of 元 (blank is 0).
pub fn yuan(v: Option<&str>) -> Result<i64, String> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(0),
        Some(s) => match s.replace(',', "").parse::<i64>() {
            Ok(n) if (0..=10_000_000_000).contains(&n) => Ok(n),
            _ => Err(format!("“{s}”不是有效的金额（请填写不小于 0 的整数，单位：元）")),
        },
    }
}

fn amounts(ctx: &GuardCtx<'_>) -> Result<(), String> {
    let total = yuan(ctx.input.field("amount_recovered"))?;
    let wages = yuan(ctx.input.field("wages_recovered"))?;
    if wages > total {
        return Err("其中农民工工资不能大于挽回的金额".into());
    }
    if wages > 0 && !ctx.case.flag("migrant_worker") {
        return Err("受援人不是进城务工人员，不能计入农民工工资".into());
    }
    Ok(())
}

fn termination_ground(ctx: &GuardCtx<'_>) -> Result<(), String> {
    one_of(TERMINATION, ctx.input.field("termination_ground"), "终止法律援助的情形")
}

fn after_refusal(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.prev_state.as_deref() == Some("refused") { Ok(()) } else { Err("异议针对的是终止决定，应责令恢复承办".into()) }
}

fn after_termination(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.prev_state.as_deref() == Some("terminated") { Ok(()) } else { Err("异议针对的是不予援助决定，应责令重新审查".into()) }
}

pub static PROCEDURE: LazyLock<Procedure> = LazyLock::new(|| {
    let centre = Taker::Staff(LA_HANDLE);
    let bureau = Taker::Staff(LA_REVIEW);
    let clock = |code, name, days, basis, setting| DeadlineRule {
        code,
        name,
        days,
        unit: DayUnit::CalendarDays,
        rollover: true,
        due_soon_days: 1,
        starts_on: &[],
        basis,
        validity: Validity::ALWAYS,
        setting,
    };
    let mut decision = clock("decision", "审查决定期限", 7, ART_43, None);
    decision.starts_on = &["intake"];
    Procedure {
        code: CODE,
        name: "法律援助",
        law: "《中华人民共和国法律援助法》（2021）",
        initial: "received",
        number_pattern: "{org}援〔{year}〕{seq}号",
        page_prefix: "/disputes/legal-aid/",
        api_prefix: "/api/v1/disputes/legal-aid/",
        states: vec![
            StateDef::open("received", "待审查", "申请已收到，七日内审查作出是否给予法律援助的决定"),
            StateDef::open("materials", "补充材料中", "已一次性告知需要补充的材料，等待申请人补充"),
            StateDef::open("granted", "待指派", "已决定给予法律援助，三日内指派法律援助人员"),
            StateDef::open("assisting", "承办中", "法律援助人员正在承办"),
            StateDef::open("objection", "异议审查中", "司法行政部门五日内审查异议"),
            StateDef::end("closed", "已结案", "承办结束，结案报告已提交"),
            StateDef::end("refused", "不予援助", "已书面告知申请人不予法律援助的理由"),
            StateDef::end("terminated", "已终止", "已决定终止法律援助"),
            StateDef::end("withdrawn", "已撤回", "未按要求补充材料，视为撤回申请"),
        ],
        deadlines: vec![
            decision,
            clock("materials", "补充材料期限", 15, MATERIALS, Some("legal_aid_materials_days")),
            clock("assignment", "指派期限", 3, ART_43, None),
            clock("objection", "异议审查期限", 5, ART_49, None),
        ],
        transitions: vec![
            Transition::new("request_materials", "一次性告知补充材料", &["received"], To::State("materials"), centre)
                .guard(Guard::AtMost { max: 1 }, Some(ART_43_2))
                .guard(Guard::Input { field: "materials", check: materials_listed }, Some(ART_43_2))
                .ask("materials", "需要补充的材料或说明的事项（一次性告知）", AskKind::LongText)
                .clock(ClockEffect::Start("materials"))
                .basis(ART_43_2)
                .optional(),
            Transition::new("supplement", "材料已补齐", &["materials"], To::State("received"), centre)
                .guard(Guard::Field { name: "supplement_text", label: "补充的材料" }, Some(MATERIALS))
                .ask("supplement_text", "申请人补充的材料或作出的说明", AskKind::LongText)
                .clock(ClockEffect::Start("decision"))
                .basis(MATERIALS)
                .look(Look::Primary),
            Transition::new("deem_withdrawn", "视为撤回申请", &["materials"], To::State("withdrawn"), centre)
                .guard(Guard::Check { label: "补充材料期限已届满", check: materials_period_over }, Some(ART_43_2))
                .clock(ClockEffect::Stop)
                .basis(ART_43_2)
                .look(Look::Danger),
            Transition::new("grant", "决定给予法律援助", &["received"], To::State("granted"), centre)
                .guard(Guard::Input { field: "override_reason", check: override_reasoned }, Some(ART_41))
                .guard(Guard::Input { field: "late_reason", check: late_reasoned }, Some(ART_43))
                .ask("override_reason", "改变经济困难审查结果的理由（审查结果为不符合条件时必填）", AskKind::LongText)
                .ask("late_reason", "逾期原因（超过七日作出决定时必填）", AskKind::Text)
                .clock(ClockEffect::Start("assignment"))
                .basis(ART_43)
                .look(Look::Primary),
            Transition::new("provisional", "先行提供法律援助", &["received", "materials"], To::State("granted"), centre)
                .guard(Guard::Input { field: "provisional_ground", check: provisional_ground }, Some(ART_44))
                .ask("provisional_ground", "先行提供的情形", AskKind::Choice(PROVISIONAL))
                .clock(ClockEffect::Start("assignment"))
                .basis(ART_44)
                .optional()
                .hint("受援人应当及时补办有关手续、补充有关材料"),
            Transition::new("refuse", "决定不予法律援助", &["received"], To::State("refused"), centre)
                .guard(Guard::Reason, Some(ART_43))
                .guard(Guard::Input { field: "late_reason", check: late_reasoned }, Some(ART_43))
                .ask("late_reason", "逾期原因（超过七日作出决定时必填）", AskKind::Text)
                .clock(ClockEffect::Stop)
                .basis(ART_43)
                .look(Look::Danger)
                .hint("理由将写入不予法律援助决定书，书面告知申请人"),
            Transition::new("assign", "指派法律援助人员", &["granted"], To::State("assisting"), centre)
                .guard(Guard::Input { field: "provider_id", check: provider_chosen }, Some(ART_43))
                .ask("provider_id", "承办人员（编号）", AskKind::Text)
                .clock(ClockEffect::Stop)
                .basis(ART_43)
                .look(Look::Primary)
                .hint("指派前核查承办人员与受援人、对方当事人有无利害关系"),
            Transition::new("close", "提交结案报告", &["assisting"], To::State("closed"), Taker::Staff(LA_CLOSE))
                .guard(Guard::Input { field: "closing_code", check: closing_code }, Some(CLOSING_BASIS))
                .guard(Guard::Input { field: "amount_recovered", check: amounts }, Some(ART_50))
                .guard(Guard::Field { name: "report", label: "办理情况报告" }, Some(ART_50))
                .ask("closing_code", "结案方式", AskKind::Choice(CLOSING))
                .ask("amount_recovered", "为受援人挽回的金额（元）", AskKind::Text)
                .ask("wages_recovered", "其中农民工工资（元）", AskKind::Text)
                .ask("report", "办理情况报告", AskKind::LongText)
                .basis(ART_50)
                .look(Look::Primary)
                // Not a queue of every provider in the centre: a provider's 工作台 lists the cases
                // assigned to them (the case's assignee).
                .optional(),
            Transition::new("terminate", "终止法律援助", &["assisting"], To::State("terminated"), centre)
                .guard(Guard::Input { field: "termination_ground", check: termination_ground }, Some(ART_48))
                .guard(Guard::Reason, Some(ART_48))
                .ask("termination_ground", "终止的情形", AskKind::Choice(TERMINATION))
                .basis(ART_48)
                .look(Look::Danger)
                .optional(),
            Transition::new("object", "登记异议", &["refused", "terminated"], To::State("objection"), bureau)
                .guard(Guard::Reason, Some(ART_49))
                .guard(Guard::AtMost { max: 1 }, Some(ART_49))
                .clock(ClockEffect::Start("objection"))
                .basis(ART_49)
                .optional(),
            Transition::new("uphold", "维持原决定", &["objection"], To::Previous, bureau)
                .guard(Guard::Reason, Some(ART_49))
                .clock(ClockEffect::Stop)
                .basis(ART_49),
            Transition::new("order_review", "责令重新审查", &["objection"], To::State("received"), bureau)
                .guard(Guard::Check { label: "异议针对不予援助决定", check: after_refusal }, Some(ART_49))
                .guard(Guard::Reason, Some(ART_49))
                .clock(ClockEffect::Start("decision"))
                .basis(ART_49),
            Transition::new("order_resume", "责令恢复承办", &["objection"], To::State("assisting"), bureau)
                .guard(Guard::Check { label: "异议针对终止决定", check: after_termination }, Some(ART_49))
                .guard(Guard::Reason, Some(ART_49))
                .clock(ClockEffect::Stop)
                .basis(ART_49),
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
    }

    #[test]
    fn the_diagram_is_readable_with_no_arrow_through_a_box() {
        let problems: Vec<String> = crate::kernel::diagram::problems(&PROCEDURE).into_iter().filter(|p| !p.contains("wide instead of the card")).collect();
        assert_eq!(problems, Vec::<String>::new());
    }

    #[test]
    fn eligibility_is_computed_from_the_declared_means() {
        let ok = assess(None, "family", Some(1500), 2280).unwrap();
        assert!(ok.eligible && ok.basis.contains("不高于") && ok.basis.contains("第三十四条"), "{}", ok.basis);
        assert!(assess(None, "family", Some(2280), 2280).unwrap().eligible, "at the threshold is still 困难");
        assert!(!assess(None, "family", Some(2281), 2280).unwrap().eligible);
        assert_eq!(assess(None, "family", None, 2280).unwrap_err().0, "monthly_income");
        assert_eq!(assess(None, "family", Some(-1), 2280).unwrap_err().0, "monthly_income");
    }

    #[test]
    fn an_exempt_ground_needs_no_means_test_but_the_migrant_workers_only_for_pay_or_injury() {
        let a = assess(Some("migrant_worker"), "wages", Some(99_999), 2280).unwrap();
        assert!(a.eligible && a.basis.contains("第四十二条"), "{}", a.basis);
        assert!(assess(Some("migrant_worker"), "work_injury", None, 2280).unwrap().eligible);
        assert_eq!(assess(Some("migrant_worker"), "family", None, 2280).unwrap_err().0, "exempt_ground");
        assert!(assess(Some("domestic_violence"), "family", None, 2280).unwrap().basis.contains("第三十二条"));
        assert_eq!(assess(Some("rich"), "family", None, 2280).unwrap_err().0, "exempt_ground");
    }

    #[test]
    fn amounts_are_whole_yuan() {
        assert_eq!(yuan(None), Ok(0));
        assert_eq!(yuan(Some(" 12,500 ")), Ok(12_500));
        assert!(yuan(Some("-3")).is_err());
        assert!(yuan(Some("abc")).is_err());
    }
}
