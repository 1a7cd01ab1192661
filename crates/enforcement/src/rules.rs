//! The administrative-penalty case (行政处罚, 普通程序) under the 三项制度, as a procedure on
//! the kernel (LEGAL-RULES.md §3). Every rule cites 行政处罚法 as revised on 2021-01-22, in
//! force from 2021-07-15: the steps and clocks carry that date as their validity.
//!
//! Day counting: "二日、三日、五日、七日" are working days (Art. 85); the 90 days of Art. 60 are
//! calendar days, a last day on a holiday moving to the next working day.
//!
//! | state | step → next | who | guard | clock |
//! |---|---|---|---|---|
//! | — | 立案 (create) → 已立案 | 承办机构 | unit, field, party | decision 90 d starts (Art. 60) |
//! | 已立案 | 指派执法人员 → 调查取证中 | 承办机构 | ≥ 2 officers, certificate active, valid today, in the case's field, no auxiliary; recusal checked (Arts. 42, 43) | — |
//! | 调查取证中 | 事先告知 → 已告知 | 承办机构 | facts, proposed penalty; the officers' certificates still valid (Arts. 42, 44) | — |
//! | 已告知 | 当事人要求听证 → 听证中 | 承办机构 | hearing right notified; requested ≤ 5 WD after the notice (Arts. 63, 64) | — |
//! | 听证中 | 举行听证 → 已听证 | 承办机构 | notice ≥ 7 WD before; the record (Art. 64) | — |
//! | 已告知/已听证 | 复核陈述申辩 → 已复核 | 承办机构 | the hearing period has run or was used; statements and 复核 written (Art. 45) | — |
//! | 已复核 | 送法制审核 → 法制审核中 | 承办机构 | — | — |
//! | 法制审核中 | 出具法制审核意见 → 审核通过 / 调查取证中 | 法制审核 | result, opinion (Art. 58) | — |
//! | 已复核/审核通过 | 作出处罚决定 → 已决定 | 负责人 | a passing review where Art. 58 requires one; 集体讨论 for serious cases (Art. 57 ¶2); officers valid | service 7 WD starts (Art. 61) |
//! | 已决定 | 送达 → 已送达 | 承办机构 | method; late service explained | disclosure: 7 WD from the decision (118号) |
//! | 已送达 | 公示 → 已公示 | 承办机构 | late disclosure explained | stops |
//! | 已公示 | 归档 → 已归档 | 承办机构 | archive number (Art. 47) | — |
//! | any open state | 延长办案期限 | 负责人 | the decision clock running; reason; once, ≤ 30 d (sector rules, [U]) | extends |
//! | 已复核/审核通过 | 不予处罚 | 负责人 | reason (Art. 57) | stops |
//! | 调查取证中/已复核/审核通过 | 移送司法机关 | 负责人 | reason, receiver (移送规定 Art. 3) | stops |

use std::sync::LazyLock;

use crate::auth::Perm;
use crate::kernel::definition::*;

pub const CODE: &str = "penalty";

pub const LAW: &str = "中华人民共和国行政处罚法";
/// The day the revised law took effect; the procedure's rules hold from then.
pub const LAW_FROM: &str = "2021-07-15";

pub const ART_42: Basis = Basis::checked(LAW, "第四十二条", "行政处罚应当由具有行政执法资格的执法人员实施。执法人员不得少于两人，法律另有规定的除外");
pub const ART_43: Basis = Basis::checked(LAW, "第四十三条", "执法人员与案件有直接利害关系或者有其他关系可能影响公正执法的，应当回避");
pub const ART_44: Basis = Basis::checked(
    LAW,
    "第四十四条",
    "行政机关在作出行政处罚决定之前，应当告知当事人拟作出的行政处罚内容及事实、理由、依据，并告知当事人依法享有的陈述、申辩、要求听证等权利",
);
pub const ART_45: Basis =
    Basis::checked(LAW, "第四十五条", "当事人有权进行陈述和申辩。行政机关必须充分听取当事人的意见，对当事人提出的事实、理由和证据，应当进行复核");
pub const ART_47: Basis =
    Basis::checked(LAW, "第四十七条", "行政机关应当依法以文字、音像等形式，对行政处罚的启动、调查取证、审核、决定、送达、执行等进行全过程记录，归档保存");
pub const ART_54: Basis = Basis::checked(LAW, "第五十四条", "符合立案标准的，行政机关应当及时立案");
pub const ART_57: Basis = Basis::checked(LAW, "第五十七条", "调查终结，行政机关负责人应当对调查结果进行审查，分别作出给予处罚、不予处罚、移送司法机关等决定");
pub const ART_57_2: Basis = Basis::checked(LAW, "第五十七条第二款", "对情节复杂或者重大违法行为给予行政处罚，行政机关负责人应当集体讨论决定");
pub const ART_58: Basis = Basis::checked(
    LAW,
    "第五十八条",
    "涉及重大公共利益、经过听证程序、案件情况疑难复杂等情形，在行政机关负责人作出行政处罚的决定之前，应当进行法制审核；未经法制审核或者审核未通过的，不得作出决定",
);
pub const ART_60: Basis = Basis::checked(LAW, "第六十条", "行政机关应当自行政处罚案件立案之日起九十日内作出行政处罚决定。法律、法规、规章另有规定的，从其规定");
pub const ART_61: Basis =
    Basis::checked(LAW, "第六十一条", "行政处罚决定书应当在宣告后当场交付当事人；当事人不在场的，行政机关应当在七日内送达当事人（第八十五条：七日指工作日）");
pub const ART_63: Basis = Basis::checked(LAW, "第六十三条", "行政机关拟作出较大数额罚款等行政处罚决定，应当告知当事人有要求听证的权利");
pub const ART_64: Basis = Basis::checked(
    LAW,
    "第六十四条",
    "当事人要求听证的，应当在行政机关告知后五日内提出；行政机关应当在举行听证的七日前通知当事人（第八十五条：五日、七日指工作日）",
);
pub const DISCLOSURE: Basis = Basis::secondary(
    "国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见（国办发〔2018〕118号）",
    "二（三）",
    "行政许可、行政处罚的执法决定信息要在执法决定作出之日起7个工作日内公开，其他执法决定信息20个工作日内公开",
);
pub const EXTENSION: Basis = Basis::local(
    "部门行政处罚程序规章（如《市场监督管理行政处罚程序规定》）",
    "",
    "案件情况复杂或者其他原因，不能在规定期限内作出处理决定的，经负责人批准可以延长（本地默认一次、不超过30日，以本部门规章为准）",
);
pub const TRANSFER: Basis = Basis::checked(
    "行政执法机关移送涉嫌犯罪案件的规定",
    "第三条",
    "行政执法机关在依法查处违法行为过程中，发现涉嫌构成犯罪、依法需要追究刑事责任的，必须向公安机关移送",
);

/// 执法领域: the field of a certificate and of a case. An officer enforces only in a field
/// his certificate names (LEGAL-RULES §3(c)).
pub const FIELDS: &[(&str, &str)] = &[
    ("urban", "城市管理"),
    ("market", "市场监管"),
    ("environment", "生态环境"),
    ("transport", "交通运输"),
    ("agriculture", "农业农村"),
    ("culture", "文化市场"),
    ("safety", "应急管理"),
    ("health", "卫生健康"),
    ("land", "自然资源"),
    ("housing", "住房城乡建设"),
];

/// The Art. 58 categories that make legal review mandatory at registration (经过听证 is
/// recorded by the hearing itself).
pub const MAJOR: &[(&str, &str)] = &[
    ("none", "不属于法定审核情形"),
    ("public_interest", "涉及重大公共利益"),
    ("complex", "案件情况疑难复杂、涉及多个法律关系"),
    ("other_law", "法律、法规规定应当进行法制审核的其他情形"),
];

pub const YES_NO: &[(&str, &str)] = &[("yes", "是"), ("no", "否")];
pub const RECUSAL: &[(&str, &str)] = &[("checked", "已核查：承办人员与案件无直接利害关系或其他可能影响公正执法的关系")];
pub const REVIEW_RESULTS: &[(&str, &str)] = &[("pass", "通过"), ("fail", "不通过，退回补充调查")];
pub const DECIDED_BY: &[(&str, &str)] = &[("head", "行政机关负责人决定"), ("collective", "负责人集体讨论决定")];
pub const SERVICE: &[(&str, &str)] = &[("on_spot", "宣告后当场交付"), ("direct", "直接送达"), ("mail", "邮寄送达"), ("other", "其他法定方式")];

pub fn label(list: &[(&'static str, &'static str)], code: &str) -> &'static str {
    list.iter().find(|o| o.0 == code).map(|o| o.1).unwrap_or("")
}

/// Working days within which a hearing is asked for after the notice (Art. 64(1)).
pub const HEARING_REQUEST_WD: u32 = 5;
/// Working days between the hearing notice and the hearing (Art. 64(2)).
pub const HEARING_NOTICE_WD: u32 = 7;

fn choice(ctx: &GuardCtx<'_>, field: &str, list: &[(&str, &str)], what: &str) -> Result<(), String> {
    match ctx.input.field(field) {
        Some(v) if list.iter().any(|o| o.0 == v) => Ok(()),
        Some(v) => Err(format!("“{v}”不是规定的{what}")),
        None => Err(format!("请选择{what}")),
    }
}

fn officers_given(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.input.field("officers").is_some() { Ok(()) } else { Err("请指派承办的执法人员（不少于两人）".into()) }
}
fn recusal_checked(ctx: &GuardCtx<'_>) -> Result<(), String> {
    choice(ctx, "recusal", RECUSAL, "回避核查结论")
}
fn officers_valid(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("officers_valid") {
        Ok(())
    } else {
        Err("承办本案的持证执法人员已不足两人（证件过期、暂扣或吊销，或不属本执法领域），须重新指派".into())
    }
}
fn hearing_right_answered(ctx: &GuardCtx<'_>) -> Result<(), String> {
    choice(ctx, "hearing_right", YES_NO, "是否告知听证权利")
}
fn hearing_right_given(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("hearing_right") { Ok(()) } else { Err("本案告知时未告知听证权利（不属于第六十三条的情形）".into()) }
}
fn hearing_request_in_time(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("hearing_request_late") {
        Err(format!("当事人应当在告知后{HEARING_REQUEST_WD}个工作日内要求听证，本次要求已超过期限"))
    } else {
        Ok(())
    }
}
fn hearing_notice_in_time(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("hearing_notice_short") {
        Err(format!("听证通知应当在举行听证的{HEARING_NOTICE_WD}个工作日前送达当事人，本次通知日期与听证日期间隔不足"))
    } else {
        Ok(())
    }
}
fn defence_period_over(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("defence_open") {
        Err(format!("当事人要求听证的期限（告知后{HEARING_REQUEST_WD}个工作日）尚未届满，且当事人未书面放弃"))
    } else {
        Ok(())
    }
}
fn review_result(ctx: &GuardCtx<'_>) -> Result<(), String> {
    choice(ctx, "result", REVIEW_RESULTS, "法制审核结论")
}
fn review_satisfied(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("review_required") && !ctx.case.flag("review_passed") {
        Err("本案属于应当法制审核的情形，未经法制审核或者审核未通过的，不得作出决定".into())
    } else {
        Ok(())
    }
}
fn decided_by(ctx: &GuardCtx<'_>) -> Result<(), String> {
    choice(ctx, "decided_by", DECIDED_BY, "决定方式")
}
fn collective_when_required(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("collective_required") && ctx.input.field("decided_by") != Some("collective") {
        return Err("本案情节复杂或属重大违法行为，应当由负责人集体讨论决定".into());
    }
    Ok(())
}
fn fine_given(ctx: &GuardCtx<'_>) -> Result<(), String> {
    match ctx.input.field("fine") {
        None => Ok(()),
        Some(s) => match s.parse::<i64>() {
            Ok(n) if n >= 0 => Ok(()),
            _ => Err("罚款金额应为不小于0的整数（元）".into()),
        },
    }
}
fn service_method(ctx: &GuardCtx<'_>) -> Result<(), String> {
    choice(ctx, "method", SERVICE, "送达方式")
}
fn late_service_explained(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("service_late") && ctx.input.field("late_reason").is_none() {
        Err("已超过送达期限（决定后7个工作日），须说明逾期送达的原因".into())
    } else {
        Ok(())
    }
}
fn late_disclosure_explained(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("disclosure_late") && ctx.input.field("late_reason").is_none() {
        let due = ctx.case.due_on.map(crate::time::fmt_date).unwrap_or_default();
        Err(format!("已超过公示期限（{due}，决定作出之日起7个工作日），须说明逾期公示的原因"))
    } else {
        Ok(())
    }
}

fn choose_review(_: &crate::kernel::engine::CaseFacts, input: &crate::kernel::engine::Input) -> &'static str {
    if input.field("result") == Some("pass") { "reviewed" } else { "investigating" }
}

/// Every open state: the extension is offered throughout and refused unless the decision
/// clock is running (so the drawing lists it once instead of an arrow from each state).
pub const OPEN: &[&str] =
    &["registered", "investigating", "notified", "hearing", "heard", "defended", "legal_review", "reviewed", "decided", "served", "disclosed"];
/// Where the head takes the Art. 57 decisions other than a penalty: once the investigation has
/// ended (the defence reviewed, or the legal review passed); a suspected crime is transferred
/// as soon as it is found during the investigation (移送规定 Art. 3).
pub const NOT_PENALTY: &[&str] = &["defended", "reviewed"];
pub const TRANSFERABLE: &[&str] = &["investigating", "defended", "reviewed"];

fn decision_clock_running(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.clock_rule.as_deref() == Some("decision") { Ok(()) } else { Err("只有作出处罚决定前的办案期限可以延长".into()) }
}

pub fn law_validity() -> Validity {
    Validity::between(Some(LAW_FROM), None)
}

pub static PROCEDURE: LazyLock<Procedure> = LazyLock::new(|| {
    let handle = Taker::Staff(Perm::CASE_HANDLE);
    let head = Taker::Staff(Perm::CASE_APPROVE);
    let v = law_validity();
    Procedure {
        code: CODE,
        name: "行政处罚（普通程序）",
        law: "《中华人民共和国行政处罚法》（2021年修订）",
        initial: "registered",
        number_pattern: "{org}罚立〔{year}〕{seq}号",
        page_prefix: "/enforcement/cases/",
        api_prefix: "/api/v1/enforcement/cases/",
        states: vec![
            StateDef::open("registered", "已立案", "符合立案标准已立案，待指派两名以上持证执法人员"),
            StateDef::open("investigating", "调查取证中", "执法人员出示证件、调查取证，全过程记录"),
            StateDef::open("notified", "已告知", "已告知拟处罚内容及陈述、申辩、要求听证的权利"),
            StateDef::open("hearing", "听证中", "当事人要求听证，待通知并举行听证"),
            StateDef::open("heard", "已听证", "已举行听证，听证笔录在案"),
            StateDef::open("defended", "已复核陈述申辩", "已听取并复核当事人的陈述、申辩"),
            StateDef::approval("legal_review", "法制审核中", "法制审核人员审核主体、程序、事实证据、法律适用与裁量"),
            StateDef::open("reviewed", "法制审核通过", "法制审核通过，待负责人决定"),
            StateDef::open("decided", "已作出决定", "已作出行政处罚决定，待送达"),
            StateDef::open("served", "已送达", "决定书已送达当事人，待公示"),
            StateDef::open("disclosed", "已公示", "处罚决定信息已公示，待执行完毕后归档"),
            StateDef::end("archived", "已归档", "全过程记录已归档"),
            StateDef::end("closed", "不予行政处罚", "调查终结，负责人决定不予行政处罚"),
            StateDef::end("transferred", "已移送司法机关", "涉嫌犯罪，已移送司法机关"),
        ],
        deadlines: vec![
            DeadlineRule {
                code: "decision",
                name: "作出处罚决定期限",
                days: 90,
                unit: DayUnit::CalendarDays,
                rollover: true,
                due_soon_days: 10,
                starts_on: &[],
                basis: ART_60,
                validity: v,
                setting: None,
            },
            DeadlineRule {
                code: "service",
                name: "送达期限",
                days: 7,
                unit: DayUnit::WorkingDays,
                rollover: false,
                due_soon_days: 2,
                starts_on: &["decide"],
                basis: ART_61,
                validity: v,
                setting: None,
            },
            DeadlineRule {
                code: "disclosure",
                name: "处罚决定公示期限",
                days: 7,
                unit: DayUnit::WorkingDays,
                rollover: false,
                due_soon_days: 2,
                starts_on: &["serve"],
                basis: DISCLOSURE,
                validity: v,
                setting: Some("disclosure_days"),
            },
        ],
        transitions: vec![
            Transition::new("assign", "指派执法人员", &["registered"], To::State("investigating"), handle)
                .guard(Guard::Input { field: "officers", check: officers_given }, Some(ART_42))
                .guard(Guard::Input { field: "recusal", check: recusal_checked }, Some(ART_43))
                .ask("officers", "承办执法人员（证件号，以逗号分隔，不少于两人）", AskKind::Text)
                .ask("recusal", "回避核查", AskKind::Choice(RECUSAL))
                .basis(ART_42)
                .valid(v)
                .look(Look::Primary)
                .hint("系统逐人核对执法证状态、有效期和执法领域；辅助人员不得作为承办人"),
            Transition::new("notify", "事先告知", &["investigating"], To::State("notified"), handle)
                .guard(Guard::Check { label: "承办人员执法证有效", check: officers_valid }, Some(ART_42))
                .guard(Guard::Field { name: "facts", label: "违法事实、理由及依据" }, Some(ART_44))
                .guard(Guard::Field { name: "proposed", label: "拟作出的行政处罚" }, Some(ART_44))
                .guard(Guard::Input { field: "hearing_right", check: hearing_right_answered }, Some(ART_63))
                .ask("facts", "违法事实、理由及依据", AskKind::LongText)
                .ask("proposed", "拟作出的行政处罚", AskKind::LongText)
                .ask("hearing_right", "是否告知听证权利（第六十三条情形）", AskKind::Choice(YES_NO))
                .ask("notified_on", "告知日期（默认今天）", AskKind::Date)
                .basis(ART_44)
                .valid(v)
                .look(Look::Primary),
            Transition::new("request_hearing", "当事人要求听证", &["notified"], To::State("hearing"), handle)
                .guard(Guard::Check { label: "已告知听证权利", check: hearing_right_given }, Some(ART_63))
                .guard(
                    Guard::Require {
                        field: "requested_on", code: "hearing_request_late", label: "告知后5个工作日内要求听证", check: hearing_request_in_time
                    },
                    Some(ART_64),
                )
                .ask("requested_on", "当事人提出听证要求的日期（默认今天）", AskKind::Date)
                .basis(ART_64)
                .valid(v)
                .optional(),
            Transition::new("hold_hearing", "举行听证", &["hearing"], To::State("heard"), handle)
                .guard(
                    Guard::Require {
                        field: "held_on", code: "hearing_notice_too_short", label: "举行听证7个工作日前通知", check: hearing_notice_in_time
                    },
                    Some(ART_64),
                )
                .guard(Guard::Field { name: "notice_on", label: "听证通知日期" }, Some(ART_64))
                .guard(Guard::Field { name: "record", label: "听证笔录要点" }, Some(ART_64))
                .ask("notice_on", "听证通知送达日期", AskKind::Date)
                .ask("held_on", "举行听证日期（默认今天）", AskKind::Date)
                .ask("record", "听证笔录要点", AskKind::LongText)
                .basis(ART_64)
                .valid(v)
                .look(Look::Primary),
            Transition::new("record_defence", "复核陈述申辩", &["notified", "heard"], To::State("defended"), handle)
                .guard(Guard::Check { label: "听证申请期限已届满或已听证", check: defence_period_over }, Some(ART_64))
                .guard(Guard::Field { name: "statement", label: "当事人陈述申辩情况及复核意见" }, Some(ART_45))
                .ask("statement", "当事人陈述申辩情况及复核意见（未陈述申辩的写明）", AskKind::LongText)
                .ask("waived", "当事人书面放弃陈述申辩和听证权利", AskKind::Choice(YES_NO))
                .basis(ART_45)
                .valid(v)
                .look(Look::Primary),
            Transition::new("submit_review", "送法制审核", &["defended"], To::State("legal_review"), handle).basis(ART_58).valid(v).look(Look::Primary),
            Transition::new(
                "review",
                "出具法制审核意见",
                &["legal_review"],
                To::Choose { targets: &["reviewed", "investigating"], choose: choose_review },
                Taker::Staff(Perm::LEGAL_REVIEW),
            )
            .guard(Guard::Input { field: "result", check: review_result }, Some(ART_58))
            .guard(Guard::Field { name: "opinion", label: "审核意见" }, Some(ART_58))
            .ask("result", "审核结论", AskKind::Choice(REVIEW_RESULTS))
            .ask("opinion", "审核意见（主体、程序、事实证据、法律适用、裁量、是否应当移送）", AskKind::LongText)
            .basis(ART_58)
            .valid(v)
            .look(Look::Primary),
            Transition::new("decide", "作出处罚决定", &["defended", "reviewed"], To::State("decided"), head)
                .guard(Guard::Check { label: "应当法制审核的已审核通过", check: review_satisfied }, Some(ART_58))
                .guard(Guard::Check { label: "承办人员执法证有效", check: officers_valid }, Some(ART_42))
                .guard(Guard::Field { name: "decision", label: "处罚决定内容" }, Some(ART_57))
                .guard(Guard::Input { field: "fine", check: fine_given }, Some(ART_57))
                .guard(Guard::Input { field: "decided_by", check: decided_by }, Some(ART_57))
                .guard(
                    Guard::Require {
                        field: "decided_by",
                        code: "collective_required",
                        label: "情节复杂或重大违法的集体讨论决定",
                        check: collective_when_required,
                    },
                    Some(ART_57_2),
                )
                .ask("decision", "处罚决定内容", AskKind::LongText)
                .ask("fine", "罚款金额（元，无罚款不填）", AskKind::Text)
                .ask("decided_by", "决定方式", AskKind::Choice(DECIDED_BY))
                .clock(ClockEffect::Start("service"))
                .basis(ART_57)
                .valid(v)
                .look(Look::Primary)
                .hint("决定书编号由系统生成；决定后7个工作日内送达，并自决定之日起7个工作日内公示"),
            Transition::new("serve", "送达", &["decided"], To::State("served"), handle)
                .guard(Guard::Input { field: "method", check: service_method }, Some(ART_61))
                .guard(
                    Guard::Require { field: "late_reason", code: "late_reason_required", label: "逾期送达说明原因", check: late_service_explained },
                    Some(ART_61),
                )
                .ask("method", "送达方式", AskKind::Choice(SERVICE))
                .ask("served_on", "送达日期（默认今天）", AskKind::Date)
                .ask("late_reason", "逾期送达的原因（超过期限时必填）", AskKind::LongText)
                .clock(ClockEffect::Start("disclosure"))
                .basis(ART_61)
                .valid(v)
                .look(Look::Primary),
            Transition::new("disclose", "公示处罚决定", &["served"], To::State("disclosed"), handle)
                .guard(
                    Guard::Require { field: "late_reason", code: "late_reason_required", label: "逾期公示说明原因", check: late_disclosure_explained },
                    Some(DISCLOSURE),
                )
                .ask("disclosed_on", "公示日期（默认今天）", AskKind::Date)
                .ask("late_reason", "逾期公示的原因（超过期限时必填）", AskKind::LongText)
                .clock(ClockEffect::Stop)
                .basis(DISCLOSURE)
                .valid(v)
                .look(Look::Primary)
                .hint("门户公示决定书要点，自然人当事人姓名遮蔽"),
            Transition::new("archive", "归档", &["disclosed"], To::State("archived"), handle)
                .guard(Guard::Field { name: "archive_no", label: "档案号" }, Some(ART_47))
                .ask("archive_no", "档案号", AskKind::Text)
                .basis(ART_47)
                .valid(v),
            Transition::new("extend", "延长办案期限", OPEN, To::Same, head)
                .guard(Guard::Check { label: "作出决定前", check: decision_clock_running }, Some(ART_60))
                .guard(Guard::Reason, Some(EXTENSION))
                .ask("days", "延长天数（不超过30日）", AskKind::Days)
                .clock(ClockEffect::Extend { max_days: 30, max_times: 1, basis: EXTENSION })
                .basis(EXTENSION)
                .valid(v)
                .optional(),
            Transition::new("close", "不予行政处罚", NOT_PENALTY, To::State("closed"), head)
                .guard(Guard::Reason, Some(ART_57))
                .clock(ClockEffect::Stop)
                .basis(ART_57)
                .valid(v)
                .look(Look::Danger)
                .optional(),
            Transition::new("transfer", "移送司法机关", TRANSFERABLE, To::State("transferred"), head)
                .guard(Guard::Reason, Some(TRANSFER))
                .guard(Guard::Field { name: "receiver", label: "接收移送的机关" }, Some(TRANSFER))
                .ask("receiver", "接收移送的机关（如：市公安局）", AskKind::Text)
                .clock(ClockEffect::Stop)
                .basis(TRANSFER)
                .valid(v)
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
    }

    #[test]
    fn rules_hold_from_the_revised_law_only() {
        let before = chrono::NaiveDate::from_ymd_opt(2021, 7, 14).unwrap();
        let after = chrono::NaiveDate::from_ymd_opt(2021, 7, 15).unwrap();
        assert!(PROCEDURE.transition("decide", before).is_none());
        assert!(PROCEDURE.transition("decide", after).is_some());
        assert!(PROCEDURE.deadline("decision", after).is_some());
    }

    #[test]
    fn the_diagram_is_readable_with_no_arrow_through_a_box() {
        assert_eq!(crate::kernel::diagram::problems(&PROCEDURE), Vec::<String>::new());
    }
}
