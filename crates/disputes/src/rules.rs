//! 行政复议 (administrative reconsideration), as a procedure on the kernel, effective-dated.
//!
//! Cases received from 2024-01-01 follow the 2023 revision of the 行政复议法 (checked text in
//! laws/, LEGAL-RULES.md §7). Cases received before follow the previous law (1999, amended 2009
//! and 2017) and its 2007 implementing regulation. The regulation's text is in laws/; the
//! previous law's is not, so its articles are cited as the regulation and LEGAL-RULES.md
//! quote them and marked secondary.
//!
//! Counting: under the 2023 law "三日、五日、七日、十日" are working days (Art. 88 ¶2), other
//! periods (60, 30 days) are calendar days counted as in 民事诉讼法 Art. 85: the start day is
//! not counted and a last day that falls on a holiday moves to the next working day. Under the
//! 1999 law "五日、七日" were working days (Art. 40).
//!
//! | state | step → next | who | guard | clock |
//! |---|---|---|---|---|
//! | 待审查 | 受理（普通/简易）→ 审理中 | 复议机构 | within the 5 WD review (Art. 30) | decision: 60 d / 30 d from acceptance (Art. 62) |
//! | 待审查 | 补正通知 → 待补正 | 复议机构 | within 5 WD of receipt, once (Art. 31) | applicant's 10 WD (Art. 31 ¶2) |
//! | 待补正 | 收到补正 → 待审查 | 复议机构 | — | the 5 WD review anew (Art. 31 ¶3) |
//! | 待补正 | 逾期未补正 → 视为放弃 | system | the period has passed (Art. 31 ¶2) | — |
//! | 待审查 | 不予受理 → 不予受理 | 复议机构 | within the review; ground; competent organ if not ours (Art. 30 ¶2) | — |
//! | 待审查 | 视为受理 → 审理中 | system | the review expired (2023: Art. 30 ¶3, from expiry; 1999: Art. 17 ¶2, from receipt) | decision 60 d |
//! | 审理中 | 申请延期 → 延期待批 → 审理中 | 复议机构 / 负责人 | 普通 only, once, ≤ 30 d (Art. 62) | due date + days |
//! | 审理中 | 中止 ↔ 恢复 | 复议机构 | ground (Art. 39) | paused |
//! | 审理中 | 拟定决定 → 决定待批 → 已决定 | 复议机构 / 负责人 (Art. 61) | a statutory type and its legal basis | stops |
//! | 已决定 | 送达 → 已送达 | 复议机构 | — (effective on service, Art. 75) | — |
//! | 审理中 | 调解结案 (Art. 73) / 撤回·和解 (Art. 74) / 终止 (Art. 41) | 复议机构 | — | stops |

use std::sync::LazyLock;

use chrono::NaiveDate;

use crate::kernel::definition::*;
use crate::roles::{RECON_APPROVE, RECON_HANDLE};

pub const LAW: &str = "中华人民共和国行政复议法（2023年修订）";
pub const OLD_LAW: &str = "中华人民共和国行政复议法（1999年，2009、2017年修正）";
pub const REG: &str = "中华人民共和国行政复议法实施条例（2007）";

/// The day the 2023 revision came into force (Art. 90).
pub fn new_law_from() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).expect("valid date")
}

/// Rules of the 2023 law: cases received from 2024-01-01.
pub const NEW: Validity = Validity { from: Some(date(2024, 1, 1)), to: None };
/// Rules of the previous law: cases received before 2024-01-01.
pub const OLD: Validity = Validity { from: None, to: Some(date(2024, 1, 1)) };

const fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(d) => d,
        None => panic!("bad date"),
    }
}

pub const ART_20: Basis = Basis::checked(
    LAW,
    "第二十条",
    "可以自知道或者应当知道该行政行为之日起六十日内提出行政复议申请；但是法律规定的申请期限超过六十日的除外；因不可抗力或者其他正当理由耽误法定申请期限的，申请期限自障碍消除之日起继续计算",
);
pub const ART_21: Basis =
    Basis::checked(LAW, "第二十一条", "因不动产提出的申请自行政行为作出之日起超过二十年，其他申请自行政行为作出之日起超过五年的，不予受理");
pub const ART_22: Basis = Basis::checked(LAW, "第二十二条", "申请人申请行政复议，可以书面申请；书面申请有困难的，也可以口头申请");
pub const ART_30: Basis =
    Basis::checked(LAW, "第三十条第一款", "行政复议机关收到行政复议申请后，应当在五日内进行审查；有明确的申请人和符合本法规定的被申请人等，应当予以受理");
pub const ART_30_2: Basis =
    Basis::checked(LAW, "第三十条第二款", "对不符合规定的申请，应当在审查期限内决定不予受理并说明理由；不属于本机关管辖的，还应当告知有管辖权的行政复议机关");
pub const ART_30_3: Basis = Basis::checked(LAW, "第三十条第三款", "审查期限届满，行政复议机关未作出不予受理决定的，审查期限届满之日起视为受理");
pub const ART_31: Basis =
    Basis::checked(LAW, "第三十一条第一款", "材料不齐全或者表述不清楚的，应当自收到申请之日起五日内书面通知申请人补正，补正通知应当一次性载明需要补正的事项");
pub const ART_31_2: Basis =
    Basis::checked(LAW, "第三十一条第二款", "申请人应当自收到补正通知之日起十日内提交补正材料；无正当理由逾期不补正的，视为申请人放弃行政复议申请，并记录在案");
pub const ART_31_3: Basis = Basis::checked(LAW, "第三十一条第三款", "行政复议机关收到补正材料后，依照本法第三十条的规定处理");
pub const ART_39: Basis = Basis::checked(LAW, "第三十九条", "行政复议期间有下列情形之一的，行政复议中止；中止的原因消除后，应当及时恢复行政复议案件的审理");
pub const ART_41: Basis = Basis::checked(LAW, "第四十一条", "行政复议期间有下列情形之一的，行政复议机关决定终止行政复议");
pub const ART_53: Basis = Basis::checked(
    LAW,
    "第五十三条",
    "事实清楚、权利义务关系明确、争议不大的，当场作出、警告或者通报批评、涉及款额三千元以下、政府信息公开案件或者当事人各方同意的，可以适用简易程序",
);
pub const ART_55: Basis =
    Basis::checked(LAW, "第五十五条", "适用简易程序审理的行政复议案件，行政复议机构认为不宜适用简易程序的，经行政复议机构的负责人批准，可以转为普通程序审理");
pub const ART_61: Basis =
    Basis::checked(LAW, "第六十一条", "由行政复议机构提出意见，经行政复议机关的负责人同意或者集体讨论通过后，以行政复议机关的名义作出行政复议决定");
pub const ART_62: Basis = Basis::checked(
    LAW,
    "第六十二条第一款",
    "适用普通程序的，应当自受理申请之日起六十日内作出行政复议决定；情况复杂的，经行政复议机构的负责人批准，可以适当延长，并书面告知当事人，延长期限最多不得超过三十日",
);
pub const ART_62_2: Basis = Basis::checked(LAW, "第六十二条第二款", "适用简易程序审理的，应当自受理申请之日起三十日内作出行政复议决定");
pub const ART_73: Basis =
    Basis::checked(LAW, "第七十三条", "当事人经调解达成协议的，行政复议机关应当制作行政复议调解书，经各方当事人签字或者签章，并加盖印章，即具有法律效力");
pub const ART_74: Basis = Basis::checked(LAW, "第七十四条", "当事人在行政复议决定作出前可以自愿达成和解；达成和解后，由申请人向行政复议机构撤回行政复议申请");
pub const ART_75: Basis = Basis::checked(LAW, "第七十五条", "行政复议机关作出行政复议决定，应当制作行政复议决定书；行政复议决定书一经送达，即发生法律效力");
pub const ART_76: Basis = Basis::checked(
    LAW,
    "第七十六条",
    "发现被申请人或者其他下级行政机关的有关行政行为违法或者不当的，可以制发行政复议意见书；有关机关应当自收到之日起六十日内将纠正情况报送行政复议机关",
);
pub const ART_88: Basis = Basis::checked(LAW, "第八十八条第二款", "本法关于行政复议期间有关“三日”“五日”“七日”“十日”的规定是指工作日，不含法定休假日");
pub const REG_57: Basis = Basis::checked(
    REG,
    "第五十七条",
    "发现被申请人或者其他下级行政机关的相关行政行为违法或者需要做好善后工作的，可以制作行政复议意见书；有关机关应当自收到之日起60日内将纠正情况通报行政复议机构；发现普遍性问题的，可以制作行政复议建议书，向有关机关提出完善制度和改进行政执法的建议",
);
pub const SUGGESTION_ANSWER: Basis =
    Basis::local(REG, "第五十七条第二款", "建议书未规定回复期限：本机关要求有关机关自收到之日起60日内书面回复采纳情况（本地默认值，可在设置中修改）");

// The previous law, as quoted by the 2007 regulation and LEGAL-RULES.md.
pub const OLD_17: Basis = Basis::secondary(
    OLD_LAW,
    "第十七条",
    "行政复议机关收到行政复议申请后，应当在五日内进行审查，对不符合本法规定的行政复议申请，决定不予受理，并书面告知申请人；除前款规定外，行政复议申请自行政复议机关负责法制工作的机构收到之日起即为受理",
);
pub const OLD_31: Basis = Basis::secondary(
    OLD_LAW,
    "第三十一条",
    "行政复议机关应当自受理申请之日起六十日内作出行政复议决定；情况复杂的，经行政复议机关的负责人批准，可以适当延长，并告知申请人和被申请人，但是延长期限最多不超过三十日",
);
pub const OLD_40: Basis =
    Basis::secondary(OLD_LAW, "第四十条", "行政复议期间的计算依照民事诉讼法；本法关于行政复议期间有关“五日”、“七日”的规定是指工作日，不含节假日");
pub const OLD_9: Basis = Basis::secondary(OLD_LAW, "第九条", "可以自知道该具体行政行为之日起六十日内提出行政复议申请；法律规定的申请期限超过六十日的除外");
pub const REG_29: Basis = Basis::checked(
    REG,
    "第二十九条",
    "材料不齐全或者表述不清楚的，可以自收到申请之日起5日内书面通知申请人补正，补正通知应当载明需要补正的事项和合理的补正期限；无正当理由逾期不补正的，视为放弃；补正申请材料所用时间不计入行政复议审理期限",
);
pub const REG_29_PERIOD: Basis = Basis::local(REG, "第二十九条", "“合理的补正期限”：本机关一般给予10个工作日，补正通知可另定（本地默认值）");
pub const REG_41: Basis = Basis::checked(REG, "第四十一条", "行政复议期间有下列情形之一，影响行政复议案件审理的，行政复议中止");
pub const REG_42: Basis = Basis::checked(REG, "第四十二条", "行政复议期间有下列情形之一的，行政复议终止");
pub const REG_48: Basis = Basis::checked(REG, "第四十八条", "有下列情形之一的，行政复议机关应当决定驳回行政复议申请");
pub const REG_50: Basis = Basis::checked(REG, "第五十条", "有下列情形之一的，行政复议机关可以按照自愿、合法的原则进行调解");

/// A type of decision, with the article that provides for it, in the version of the law in
/// force when the case was received.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecisionType {
    pub code: &'static str,
    pub label: &'static str,
    pub article: &'static str,
    /// The decision corrects the act (the numerator of 纠错率).
    pub corrects: bool,
    pub validity: Validity,
}

const fn dt(code: &'static str, label: &'static str, article: &'static str, corrects: bool, validity: Validity) -> DecisionType {
    DecisionType { code, label, article, corrects, validity }
}

pub const DECISION_TYPES: &[DecisionType] = &[
    dt("vary", "变更", "《行政复议法》（2023）第六十三条", true, NEW),
    dt("revoke", "撤销或者部分撤销（可责令重作）", "《行政复议法》（2023）第六十四条", true, NEW),
    dt("confirm_illegal", "确认违法", "《行政复议法》（2023）第六十五条", true, NEW),
    dt("order_perform", "责令履行", "《行政复议法》（2023）第六十六条", true, NEW),
    dt("confirm_void", "确认无效", "《行政复议法》（2023）第六十七条", true, NEW),
    dt("uphold", "维持", "《行政复议法》（2023）第六十八条", false, NEW),
    dt("dismiss", "驳回行政复议请求", "《行政复议法》（2023）第六十九条", false, NEW),
    dt("agreement", "责令承担行政协议责任", "《行政复议法》（2023）第七十一条", true, NEW),
    dt("uphold", "维持", "《行政复议法》（1999）第二十八条第一款第（一）项", false, OLD),
    dt("order_perform", "责令履行", "《行政复议法》（1999）第二十八条第一款第（二）项", true, OLD),
    dt("revoke", "撤销（可责令重作）", "《行政复议法》（1999）第二十八条第一款第（三）项", true, OLD),
    dt("vary", "变更", "《行政复议法》（1999）第二十八条第一款第（三）项", true, OLD),
    dt("confirm_illegal", "确认违法", "《行政复议法》（1999）第二十八条第一款第（三）项", true, OLD),
    dt("dismiss", "驳回行政复议申请", "《行政复议法实施条例》第四十八条", false, OLD),
];

/// The decision types of the law in force on the day the case was received.
pub fn decision_types(received: NaiveDate) -> Vec<&'static DecisionType> {
    DECISION_TYPES.iter().filter(|d| d.validity.contains(received)).collect()
}

pub fn decision_type(code: &str, received: NaiveDate) -> Option<&'static DecisionType> {
    DECISION_TYPES.iter().find(|d| d.code == code && d.validity.contains(received))
}

/// A decision type's label whatever the version (lists, indicators).
pub fn decision_label(code: &str) -> &'static str {
    DECISION_TYPES.iter().find(|d| d.code == code).map(|d| d.label).unwrap_or("")
}

/// The codes counted as correcting the act (纠错), in either version.
pub fn corrective_codes() -> Vec<&'static str> {
    let mut v: Vec<&str> = DECISION_TYPES.iter().filter(|d| d.corrects).map(|d| d.code).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// The choices on the form, every type of both versions (the guard checks the version).
pub const DECISION_CHOICES: &[(&str, &str)] = &[
    ("vary", "变更"),
    ("revoke", "撤销或者部分撤销"),
    ("confirm_illegal", "确认违法"),
    ("order_perform", "责令履行"),
    ("confirm_void", "确认无效（2024年起受理的案件）"),
    ("uphold", "维持"),
    ("dismiss", "驳回"),
    ("agreement", "责令承担行政协议责任（2024年起受理的案件）"),
];

pub const REJECT_GROUNDS: &[(&str, &str)] = &[
    ("no_applicant", "没有明确的申请人或者被申请人不符合规定"),
    ("no_interest", "申请人与行政行为没有利害关系"),
    ("no_claim", "没有具体的复议请求和理由"),
    ("out_of_time", "超过法定申请期限"),
    ("out_of_scope", "不属于行政复议范围"),
    ("not_ours", "不属于本机关管辖"),
    ("repeat", "已就同一行政行为申请复议或者提起诉讼"),
];

pub const SUSPEND_GROUNDS: &[(&str, &str)] = &[
    ("applicant_died", "作为申请人的公民死亡，其近亲属尚未确定是否参加"),
    ("incapacity", "申请人丧失参加行政复议的行为能力，尚未确定法定代理人"),
    ("successor", "作为申请人的法人或者其他组织终止，尚未确定权利义务承受人"),
    ("missing", "申请人下落不明或者被宣告失踪"),
    ("force_majeure", "因不可抗力等正当理由不能参加"),
    ("prerequisite", "案件涉及法律适用问题需要有权机关解释或者确认，或者以其他案件结果为依据"),
    ("review_norm", "需要对规范性文件进行附带审查"),
    ("other", "其他需要中止的情形"),
];

pub const TERMINATE_GROUNDS: &[(&str, &str)] = &[
    ("withdrawn_approved", "申请人撤回申请，经复议机构准予撤回"),
    ("no_successor", "申请人死亡，没有近亲属或者近亲属放弃复议权利"),
    ("dissolved", "法人或者其他组织终止，没有权利义务承受人或者其放弃复议权利"),
    ("criminal", "申请人对行政拘留等不服申请复议后，因同一违法行为被采取刑事强制措施"),
    ("suspension_lapsed", "中止满六十日，中止原因仍未消除"),
];

pub const TRACKS: &[(&str, &str)] = &[("ordinary", "普通程序"), ("simple", "简易程序")];

pub const CHANNELS: &[(&str, &str)] =
    &[("letter", "书面（信函）"), ("counter", "当面（窗口）"), ("oral", "口头（当场记录）"), ("portal", "网上申请"), ("email", "电子邮件")];

pub fn label(list: &'static [(&'static str, &'static str)], code: &str) -> &'static str {
    list.iter().find(|c| c.0 == code).map(|c| c.1).unwrap_or("")
}

/// Default working days of the applicant's 补正 period for cases under the previous law (a
/// setting: the regulation says only “合理的补正期限”).
pub const OLD_CORRECTION_DAYS: u32 = 10;
/// Default days an agency has to answer a 建议书 (a local setting).
pub const SUGGESTION_DAYS: u32 = 60;
/// The days an agency has to report on a 意见书 (Art. 76; 实施条例 Art. 57).
pub const OPINION_DAYS: u32 = 60;

fn ground_given(ctx: &GuardCtx<'_>) -> Result<(), String> {
    match ctx.input.field("ground") {
        None => Err("请选择不予受理的理由".into()),
        Some(g) if REJECT_GROUNDS.iter().any(|x| x.0 == g) => {
            if g == "not_ours" && ctx.input.field("competent_organ").is_none() {
                Err("不属于本机关管辖的，须在不予受理决定中告知申请人有管辖权的行政复议机关".into())
            } else {
                Ok(())
            }
        }
        Some(g) => Err(format!("“{g}”不是规定的不予受理理由")),
    }
}

fn decision_valid(ctx: &GuardCtx<'_>) -> Result<(), String> {
    let Some(code) = ctx.input.field("decision_type") else { return Err("请选择行政复议决定的类型".into()) };
    if decision_type(code, ctx.case.opened_on).is_some() {
        return Ok(());
    }
    if DECISION_TYPES.iter().any(|d| d.code == code) {
        Err(format!(
            "“{}”是2024年1月1日起施行的《行政复议法》规定的决定类型，本案于{}收到，适用修订前的法律",
            decision_label(code),
            crate::time::fmt_date(ctx.case.opened_on)
        ))
    } else {
        Err(format!("“{code}”不是法定的行政复议决定类型"))
    }
}

fn decision_basis_given(ctx: &GuardCtx<'_>) -> Result<(), String> {
    match ctx.input.field("decision_basis") {
        None => Err("行政复议决定必须写明所依据的法律条款（决定书应当载明理由和依据）".into()),
        Some(b) if b.chars().count() < 4 => Err("请写明具体的法律名称和条款".into()),
        Some(b) if b.chars().count() > 1000 => Err("法律依据不能超过 1000 字".into()),
        Some(_) => Ok(()),
    }
}

fn choice_in(list: &'static [(&'static str, &'static str)], value: Option<&str>, what: &str) -> Result<(), String> {
    match value {
        None => Err(format!("请选择{what}")),
        Some(v) if list.iter().any(|x| x.0 == v) => Ok(()),
        Some(v) => Err(format!("“{v}”不是规定的{what}")),
    }
}

fn suspend_ground(ctx: &GuardCtx<'_>) -> Result<(), String> {
    choice_in(SUSPEND_GROUNDS, ctx.input.field("ground"), "中止情形")
}

fn terminate_ground(ctx: &GuardCtx<'_>) -> Result<(), String> {
    choice_in(TERMINATE_GROUNDS, ctx.input.field("ground"), "终止情形")
}

fn extension_days(ctx: &GuardCtx<'_>) -> Result<(), String> {
    match ctx.input.days {
        None | Some(0) => Err("请填写申请延长的天数".into()),
        Some(d) if d > 30 => Err("延长期限最多不得超过三十日".into()),
        Some(_) => Ok(()),
    }
}

fn ordinary_track(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("simple") {
        Err("适用简易程序的案件应当在三十日内作出决定，不能延长（第六十二条第二款）".into())
    } else {
        Ok(())
    }
}

fn simple_track(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("simple") { Ok(()) } else { Err("本案已适用普通程序".into()) }
}

fn correction_lapsed(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("correction_lapsed") { Ok(()) } else { Err("补正期限尚未届满".into()) }
}

fn review_lapsed(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("review_lapsed") { Ok(()) } else { Err("受理审查期限尚未届满".into()) }
}

fn correction_days(ctx: &GuardCtx<'_>) -> Result<(), String> {
    match ctx.input.days {
        Some(0) => Err("补正期限至少1个工作日".into()),
        Some(d) if d > 30 => Err("补正期限应当合理，不宜超过30个工作日".into()),
        _ => Ok(()),
    }
}

pub const OPEN: &[&str] = &["received", "correction", "accepted", "extension_requested", "suspended", "decision_review", "decided"];
const HEARING: &[&str] = &["accepted", "extension_requested", "suspended"];

fn deadline(
    code: &'static str,
    name: &'static str,
    days: u32,
    unit: DayUnit,
    starts_on: &'static [&'static str],
    basis: Basis,
    validity: Validity,
) -> DeadlineRule {
    DeadlineRule {
        code,
        name,
        days,
        unit,
        // Calendar-day periods end on the next working day when their last day is a holiday
        // (民事诉讼法 Art. 85, through Art. 88 ¶1 of the 2023 law and Art. 40 of the 1999 law).
        rollover: unit == DayUnit::CalendarDays,
        due_soon_days: if unit == DayUnit::CalendarDays { 5 } else { 1 },
        starts_on,
        basis,
        validity,
        setting: None,
    }
}

pub static PROCEDURE: LazyLock<Procedure> = LazyLock::new(|| {
    let handle = Taker::Staff(RECON_HANDLE);
    let approve = Taker::Staff(RECON_APPROVE);
    let mut old_correction = deadline("correction", "补正期限", OLD_CORRECTION_DAYS, DayUnit::WorkingDays, &["request_correction"], REG_29_PERIOD, OLD);
    old_correction.setting = Some("old_correction_days");
    Procedure {
        code: "reconsideration",
        name: "行政复议",
        law: "《中华人民共和国行政复议法》（2023年修订，2024-01-01施行；此前收到的案件适用修订前的法律及2007年实施条例）",
        initial: "received",
        number_pattern: "{org}复〔{year}〕{seq}号",
        page_prefix: "/disputes/reconsideration/",
        api_prefix: "/api/v1/disputes/reconsiderations/",
        states: vec![
            StateDef::open("received", "待审查", "已收到申请，复议机构在五个工作日内审查是否受理或通知补正"),
            StateDef::open("correction", "待补正", "已书面通知申请人一次性补正，等待申请人提交补正材料"),
            StateDef::open("accepted", "审理中", "已受理（或视为受理），复议机构审理，决定期限自受理之日起计算"),
            StateDef::approval("extension_requested", "延期待批", "复议机构申请延长决定期限，等待负责人批准"),
            StateDef::open("suspended", "中止", "行政复议中止，决定期限暂停计算"),
            StateDef::approval("decision_review", "决定待批", "复议机构已提出决定意见，等待复议机关负责人同意或集体讨论通过"),
            StateDef::open("decided", "已决定·待送达", "已作出行政复议决定，待送达当事人"),
            StateDef::end("served", "已送达", "行政复议决定书已送达，发生法律效力"),
            StateDef::end("rejected", "不予受理", "决定不予受理并已说明理由"),
            StateDef::end("abandoned", "视为放弃", "申请人无正当理由逾期不补正，视为放弃行政复议申请"),
            StateDef::end("mediated", "调解结案", "经调解达成协议，制作行政复议调解书"),
            StateDef::end("withdrawn", "撤回", "申请人撤回行政复议申请（含和解后撤回）"),
            StateDef::end("terminated", "终止", "行政复议终止"),
        ],
        deadlines: vec![
            deadline("review", "受理审查期限", 5, DayUnit::WorkingDays, &["intake", "record_correction"], ART_30, NEW),
            deadline("review", "受理审查期限", 5, DayUnit::WorkingDays, &["intake", "record_correction"], OLD_17, OLD),
            deadline("correction", "补正期限", 10, DayUnit::WorkingDays, &["request_correction"], ART_31_2, NEW),
            old_correction,
            deadline("decision", "决定期限", 60, DayUnit::CalendarDays, &["accept", "deemed_accepted"], ART_62, NEW),
            deadline("decision", "决定期限", 60, DayUnit::CalendarDays, &["accept", "deemed_accepted"], OLD_31, OLD),
            deadline("decision_simple", "决定期限（简易程序）", 30, DayUnit::CalendarDays, &["accept_simple"], ART_62_2, NEW),
        ],
        transitions: vec![
            Transition::new("accept", "受理（普通程序）", &["received"], To::State("accepted"), handle)
                .guard(Guard::WithinWorkingDays { since: Since::ClockStart, days: 5 }, Some(ART_30))
                .clock(ClockEffect::Start("decision"))
                .basis(ART_30)
                .valid(NEW)
                .look(Look::Primary)
                .hint("受理后自受理之日起六十日内作出决定（第六十二条）")
                .tell("【行政复议】您的行政复议申请（{no}）已受理，决定期限{due}。"),
            Transition::new("accept", "受理", &["received"], To::State("accepted"), handle)
                .guard(Guard::WithinWorkingDays { since: Since::ClockStart, days: 5 }, Some(OLD_17))
                .clock(ClockEffect::Start("decision"))
                .basis(OLD_17)
                .valid(OLD)
                .look(Look::Primary)
                .hint("修订前的法律：决定期限自受理之日起六十日（第三十一条）")
                .tell("【行政复议】您的行政复议申请（{no}）已受理，决定期限{due}。"),
            Transition::new("accept_simple", "受理（简易程序）", &["received"], To::State("accepted"), handle)
                .guard(Guard::WithinWorkingDays { since: Since::ClockStart, days: 5 }, Some(ART_30))
                .guard(Guard::Field { name: "simple_ground", label: "适用简易程序的情形（第五十三条）" }, Some(ART_53))
                .ask("simple_ground", "适用简易程序的情形（第五十三条）", AskKind::Text)
                .clock(ClockEffect::Start("decision_simple"))
                .basis(ART_53)
                .valid(NEW)
                .hint("简易程序：三个工作日内发送副本，被申请人五个工作日内答复，三十日内作出决定")
                .tell("【行政复议】您的行政复议申请（{no}）已受理并适用简易程序，决定期限{due}。"),
            Transition::new("request_correction", "补正通知", &["received"], To::State("correction"), handle)
                .guard(Guard::WithinWorkingDays { since: Since::Opened, days: 5 }, Some(ART_31))
                .guard(Guard::AtMost { max: 1 }, Some(ART_31))
                .guard(Guard::Field { name: "correction_items", label: "需要补正的事项" }, Some(ART_31))
                .ask("correction_items", "需要补正的事项（一次性载明）", AskKind::LongText)
                .clock(ClockEffect::Start("correction"))
                .basis(ART_31)
                .valid(NEW)
                .hint("自收到申请之日起五个工作日内一次性书面通知；申请人十个工作日内补正")
                .tell("【行政复议】您的行政复议申请（{no}）需要补正材料，请于{due}前提交。"),
            Transition::new("request_correction", "补正通知", &["received"], To::State("correction"), handle)
                .guard(Guard::WithinWorkingDays { since: Since::Opened, days: 5 }, Some(REG_29))
                .guard(Guard::AtMost { max: 1 }, Some(REG_29))
                .guard(Guard::Field { name: "correction_items", label: "需要补正的事项" }, Some(REG_29))
                .guard(Guard::Input { field: "days", check: correction_days }, Some(REG_29_PERIOD))
                .ask("correction_items", "需要补正的事项", AskKind::LongText)
                .ask("days", "补正期限（工作日）", AskKind::Days)
                .clock(ClockEffect::Start("correction"))
                .basis(REG_29)
                .valid(OLD)
                .hint("修订前：补正通知载明合理的补正期限；补正所用时间不计入审理期限"),
            Transition::new("record_correction", "收到补正材料", &["correction"], To::State("received"), handle)
                .guard(Guard::Field { name: "correction_text", label: "申请人补正的内容" }, Some(ART_31_3))
                .ask("correction_text", "申请人补正的内容", AskKind::LongText)
                .clock(ClockEffect::Start("review"))
                .basis(ART_31_3)
                .look(Look::Primary)
                .optional()
                .hint("收到补正材料后重新进行五个工作日的受理审查"),
            Transition::new("correction_lapsed", "逾期未补正·视为放弃", &["correction"], To::State("abandoned"), Taker::System)
                .guard(Guard::Check { label: "补正期限已届满", check: correction_lapsed }, Some(ART_31_2))
                .basis(ART_31_2),
            Transition::new("reject", "不予受理", &["received"], To::State("rejected"), handle)
                .guard(Guard::WithinWorkingDays { since: Since::ClockStart, days: 5 }, Some(ART_30_2))
                .guard(Guard::Input { field: "ground", check: ground_given }, Some(ART_30_2))
                .guard(Guard::Reason, Some(ART_30_2))
                .ask("ground", "不予受理的理由", AskKind::Choice(REJECT_GROUNDS))
                .ask("competent_organ", "有管辖权的行政复议机关（不属于本机关管辖时必填）", AskKind::Text)
                .clock(ClockEffect::Stop)
                .basis(ART_30_2)
                .look(Look::Danger)
                .tell("【行政复议】您的行政复议申请（{no}）不予受理，请查收不予受理决定书。"),
            Transition::new("deemed_accepted", "审查期限届满·视为受理", &["received"], To::State("accepted"), Taker::System)
                .guard(Guard::Check { label: "受理审查期限已届满", check: review_lapsed }, Some(ART_30_3))
                .clock(ClockEffect::Start("decision"))
                .basis(ART_30_3)
                .valid(NEW),
            Transition::new("deemed_accepted", "视为受理（自收到之日起）", &["received"], To::State("accepted"), Taker::System)
                .guard(Guard::Check { label: "受理审查期限已届满", check: review_lapsed }, Some(OLD_17))
                .clock(ClockEffect::Start("decision"))
                .basis(OLD_17)
                .valid(OLD),
            Transition::new("request_extension", "申请延长决定期限", &["accepted"], To::State("extension_requested"), handle)
                .guard(Guard::Check { label: "适用普通程序", check: ordinary_track }, Some(ART_62_2))
                .guard(
                    Guard::Check {
                        label: "尚未延长",
                        check: |c| if c.case.extension_count > 0 { Err("决定期限只能延长一次，本案已延长过".into()) } else { Ok(()) },
                    },
                    Some(ART_62),
                )
                .guard(Guard::Reason, Some(ART_62))
                .guard(Guard::Input { field: "days", check: extension_days }, Some(ART_62))
                .ask("days", "申请延长的天数（不超过30日）", AskKind::Days)
                .basis(ART_62)
                .optional()
                .hint("情况复杂不能在规定期限内作出决定的，经复议机构负责人批准可延长，最多三十日"),
            Transition::new("approve_extension", "批准延期", &["extension_requested"], To::State("accepted"), approve)
                .clock(ClockEffect::Extend { max_days: 30, max_times: 1, basis: ART_62 })
                .ask("days", "批准延长的天数", AskKind::Days)
                .basis(ART_62)
                .look(Look::Primary)
                .hint("批准后书面告知当事人")
                .tell("【行政复议】您的行政复议案件（{no}）决定期限依法延长至{due}。"),
            Transition::new("reject_extension", "不批准延期", &["extension_requested"], To::State("accepted"), approve)
                .guard(Guard::Reason, None)
                .basis(ART_62),
            Transition::new("convert_to_ordinary", "转为普通程序", &["accepted"], To::Same, approve)
                .guard(Guard::Check { label: "适用简易程序", check: simple_track }, Some(ART_55))
                .guard(Guard::Reason, Some(ART_55))
                .clock(ClockEffect::Start("decision"))
                .basis(ART_55)
                .valid(NEW)
                .optional()
                .hint("经复议机构负责人批准转为普通程序，决定期限为自受理之日起六十日"),
            Transition::new("suspend", "中止", &["accepted"], To::State("suspended"), handle)
                .guard(Guard::Input { field: "ground", check: suspend_ground }, Some(ART_39))
                .ask("ground", "中止情形", AskKind::Choice(SUSPEND_GROUNDS))
                .clock(ClockEffect::Pause)
                .basis(ART_39)
                .optional()
                .hint("中止期间决定期限暂停计算；中止原因消除后及时恢复"),
            Transition::new("resume", "恢复审理", &["suspended"], To::State("accepted"), handle).clock(ClockEffect::Resume).basis(ART_39).look(Look::Primary),
            Transition::new("propose_decision", "提出决定意见", &["accepted"], To::State("decision_review"), handle)
                .guard(Guard::Input { field: "decision_type", check: decision_valid }, Some(ART_61))
                .guard(Guard::Input { field: "decision_basis", check: decision_basis_given }, Some(ART_75))
                .guard(Guard::Field { name: "decision_text", label: "决定理由（认定的事实和理由）" }, Some(ART_75))
                .ask("decision_type", "决定类型", AskKind::Choice(DECISION_CHOICES))
                .ask("decision_basis", "法律依据（法律名称和条款）", AskKind::Text)
                .ask("decision_text", "认定的事实和理由", AskKind::LongText)
                .basis(ART_61)
                .look(Look::Primary)
                .hint("复议机构提出意见，经复议机关负责人同意或者集体讨论通过后作出决定"),
            Transition::new("approve_decision", "同意并作出决定", &["decision_review"], To::State("decided"), approve)
                .clock(ClockEffect::Stop)
                .basis(ART_61)
                .look(Look::Primary)
                .tell("【行政复议】您的行政复议案件（{no}）已作出决定，决定书送达后生效。"),
            Transition::new("return_decision", "退回修改", &["decision_review"], To::State("accepted"), approve).guard(Guard::Reason, None).basis(ART_61),
            Transition::new("serve", "送达决定书", &["decided"], To::State("served"), handle)
                .guard(Guard::Field { name: "service_method", label: "送达方式" }, Some(ART_75))
                .ask("service_method", "送达方式（直接、邮寄、电子…）", AskKind::Text)
                .basis(ART_75)
                .look(Look::Primary),
            Transition::new("mediate", "调解结案", HEARING, To::State("mediated"), handle)
                .guard(Guard::Field { name: "agreement", label: "调解协议内容" }, Some(ART_73))
                .ask("agreement", "调解协议内容（调解书）", AskKind::LongText)
                .clock(ClockEffect::Stop)
                .basis(ART_73)
                .valid(NEW)
                .optional(),
            Transition::new("mediate", "调解结案", HEARING, To::State("mediated"), handle)
                .guard(Guard::Field { name: "agreement", label: "调解协议内容" }, Some(REG_50))
                .ask("agreement", "调解协议内容（调解书）", AskKind::LongText)
                .clock(ClockEffect::Stop)
                .basis(REG_50)
                .valid(OLD)
                .optional(),
            Transition::new(
                "withdraw",
                "撤回申请（含和解）",
                &["received", "correction", "accepted", "extension_requested", "suspended"],
                To::State("withdrawn"),
                handle,
            )
            .guard(Guard::Reason, Some(ART_74))
            .ask("settled", "是否经和解撤回", AskKind::Choice(&[("no", "申请人撤回"), ("yes", "达成和解后撤回")]))
            .clock(ClockEffect::Stop)
            .basis(ART_74)
            .optional(),
            Transition::new("terminate", "终止", HEARING, To::State("terminated"), handle)
                .guard(Guard::Input { field: "ground", check: terminate_ground }, Some(ART_41))
                .ask("ground", "终止情形", AskKind::Choice(TERMINATE_GROUNDS))
                .clock(ClockEffect::Stop)
                .basis(ART_41)
                .valid(NEW)
                .look(Look::Danger)
                .optional(),
            Transition::new("terminate", "终止", HEARING, To::State("terminated"), handle)
                .guard(Guard::Input { field: "ground", check: terminate_ground }, Some(REG_42))
                .ask("ground", "终止情形", AskKind::Choice(TERMINATE_GROUNDS))
                .clock(ClockEffect::Stop)
                .basis(REG_42)
                .valid(OLD)
                .look(Look::Danger)
                .optional(),
        ],
    }
});

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::calendar::Calendar;
    use crate::kernel::engine::{Authority, CaseFacts, Input, plan};

    struct Office;
    impl Authority for Office {
        fn staff_may(&self, _: crate::auth::Perm) -> bool {
            true
        }
        fn is_filer(&self) -> bool {
            false
        }
        fn is_system(&self) -> bool {
            false
        }
    }

    fn d(s: &str) -> NaiveDate {
        crate::time::parse_date(s).unwrap()
    }

    fn received(on: &str) -> CaseFacts {
        CaseFacts {
            state: "received".into(),
            opened_on: d(on),
            clock_rule: Some("review".into()),
            clock_started_on: Some(d(on)),
            due_on: Some(Calendar::official().add_working_days(d(on), 5)),
            ..Default::default()
        }
    }

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

    /// No arrow through a box or label, and readable. The drawing is a little wider than the
    /// card (both versions' steps and four ways to close a case) and is shrunk to fit it.
    #[test]
    fn the_diagram_is_readable_with_no_arrow_through_a_box() {
        let problems: Vec<String> = crate::kernel::diagram::problems(&PROCEDURE).into_iter().filter(|p| !p.contains("wide instead of the card")).collect();
        assert_eq!(problems, Vec::<String>::new());
    }

    /// 2023 law: 60 calendar days from acceptance, the last day rolled past a holiday. Accepted
    /// 2024-08-02: + 60 = 2024-10-01, 国庆 (10-01…10-07) → 2024-10-08.
    #[test]
    fn decision_period_is_sixty_calendar_days_rolled_past_holidays() {
        let cal = Calendar::official();
        let f = received("2024-07-29");
        let p = plan(&PROCEDURE, &f, "accept", &Office, &Input::default(), d("2024-08-02"), &cal, &BTreeMap::new()).unwrap();
        assert_eq!(p.clock.due_on, Some(d("2024-10-08")));
        assert!(p.basis.iter().any(|b| b.contains("第六十二条")), "{:?}", p.basis);
        // 简易: 30 days.
        let input = Input::default().with("simple_ground", "涉及款额三千元以下");
        let p = plan(&PROCEDURE, &f, "accept_simple", &Office, &input, d("2024-08-02"), &cal, &BTreeMap::new()).unwrap();
        assert_eq!(p.clock.due_on, Some(d("2024-09-01") + chrono::Duration::days(1)), "2024-09-01 is a Sunday: Monday 09-02");
    }

    /// The 5-day review and the 补正 notice are working days (Art. 88): received on Friday
    /// 2024-09-27, the working days after it are 09-29 (a 调休 Sunday), 09-30, then after 国庆
    /// 10-08, 10-09 and 10-10; the window closes after 10-10.
    #[test]
    fn review_is_five_working_days() {
        let cal = Calendar::official();
        let f = received("2024-09-27");
        assert_eq!(f.due_on, Some(d("2024-10-10")));
        let ok = plan(&PROCEDURE, &f, "accept", &Office, &Input::default(), d("2024-10-10"), &cal, &BTreeMap::new());
        assert!(ok.is_ok());
        let late =
            plan(&PROCEDURE, &f, "reject", &Office, &Input::default().with("ground", "no_claim").reason("无具体请求"), d("2024-10-11"), &cal, &BTreeMap::new())
                .unwrap_err();
        assert_eq!(late.code, "time_window_passed");
        assert!(late.basis[0].contains("第三十条第二款"), "{:?}", late.basis);
    }

    #[test]
    fn the_previous_law_applies_to_cases_received_before_2024() {
        let cal = Calendar::official();
        let old = received("2023-12-27");
        // No 简易程序 before the 2023 revision.
        let e = plan(&PROCEDURE, &old, "accept_simple", &Office, &Input::default().with("simple_ground", "x"), d("2023-12-28"), &cal, &BTreeMap::new())
            .unwrap_err();
        assert_eq!(e.code, "rule_not_in_force");
        // Acceptance cites the 1999 law.
        let p = plan(&PROCEDURE, &old, "accept", &Office, &Input::default(), d("2023-12-28"), &cal, &BTreeMap::new()).unwrap();
        assert!(p.basis.iter().any(|b| b.contains("1999")), "{:?}", p.basis);
        // The 补正 period is the notice's own (a local default), not the 2023 law's ten days.
        let p = plan(
            &PROCEDURE,
            &old,
            "request_correction",
            &Office,
            &Input { days: Some(15), ..Input::default().with("correction_items", "身份证明") },
            d("2023-12-28"),
            &cal,
            &BTreeMap::new(),
        )
        .unwrap();
        assert_eq!(p.clock.due_on, Some(cal.add_working_days(d("2023-12-28"), 10)), "the rule's days; the service sets the notice's own");
        // 确认无效 is a type of the 2023 law only.
        let mut accepted = old.clone();
        accepted.state = "accepted".into();
        let input = Input::default().with("decision_type", "confirm_void").with("decision_basis", "《行政复议法》第二十八条").with("decision_text", "x");
        let e = plan(&PROCEDURE, &accepted, "propose_decision", &Office, &input, d("2024-01-10"), &cal, &BTreeMap::new()).unwrap_err();
        assert!(e.fields.iter().any(|f| f.field == "decision_type" && f.message.contains("修订前")), "{e:?}");
        // …and allowed for a case received in 2024.
        let mut new = received("2024-01-02");
        new.state = "accepted".into();
        assert!(plan(&PROCEDURE, &new, "propose_decision", &Office, &input, d("2024-01-10"), &cal, &BTreeMap::new()).is_ok());
    }

    #[test]
    fn a_decision_needs_its_type_and_legal_basis() {
        let cal = Calendar::official();
        let mut f = received("2024-03-01");
        f.state = "accepted".into();
        let e = plan(&PROCEDURE, &f, "propose_decision", &Office, &Input::default().with("decision_type", "revoke"), d("2024-03-10"), &cal, &BTreeMap::new())
            .unwrap_err();
        assert!(e.fields.iter().any(|x| x.field == "decision_basis"), "{e:?}");
        assert!(e.basis[0].contains("第七十五条"), "{:?}", e.basis);
        let e = plan(&PROCEDURE, &f, "propose_decision", &Office, &Input::default().with("decision_type", "pardon"), d("2024-03-10"), &cal, &BTreeMap::new())
            .unwrap_err();
        assert!(e.fields.iter().any(|x| x.field == "decision_type" && x.message.contains("不是法定")), "{e:?}");
    }

    #[test]
    fn a_simple_case_cannot_be_extended() {
        let cal = Calendar::official();
        let mut f = received("2024-03-01");
        f.state = "accepted".into();
        f.flags.insert("simple".into(), true);
        let e = plan(
            &PROCEDURE,
            &f,
            "request_extension",
            &Office,
            &Input { days: Some(10), ..Input::default().reason("复杂") },
            d("2024-03-10"),
            &cal,
            &BTreeMap::new(),
        )
        .unwrap_err();
        assert!(e.basis[0].contains("第六十二条第二款"), "{e:?}");
    }

    #[test]
    fn corrective_types_are_the_five_of_the_indicator_and_the_agreement() {
        assert_eq!(corrective_codes(), vec!["agreement", "confirm_illegal", "confirm_void", "order_perform", "revoke", "vary"]);
        assert_eq!(decision_types(d("2023-06-01")).len(), 6);
        assert_eq!(decision_types(d("2024-06-01")).len(), 8);
    }
}
