//! 依申请公开 (disclosure on application), as a procedure on the kernel.
//!
//! Source: 《中华人民共和国政府信息公开条例》（国务院令第711号，2019-05-15 施行）, checked text in
//! laws/ (LEGAL-RULES.md §6). Periods are written as 工作日 in the 条例 itself [C]. The outcome
//! rows follow the annual-report format of 国办公开办函〔2021〕30号 [S]. The only local defaults
//! are the period given to the applicant for a 补正 (the 条例 says “合理的补正期限”) and the
//! form of the extension request inside the organ; both are marked [U].
//!
//! | state | step → next | who | guard | clock |
//! |---|---|---|---|---|
//! | 已登记 | 受理 → 办理中 | 公开工作机构 | — | reply due 20 WD from receipt (Art. 33 ¶2) |
//! | 已登记/办理中 | 补正告知 → 待补正 | 公开工作机构 | within 7 WD of receipt; once (Art. 30) | reply clock stops |
//! | 待补正 | 补正 → 办理中 | applicant (or staff recording a letter) | — | reply clock starts anew (Art. 30) |
//! | 待补正 | 逾期未补正 → 已办结 | system | the period in the notice has passed (Art. 30) | — |
//! | 办理中 | 征求第三方意见 → 第三方意见中 | 公开工作机构 | reason (Art. 32) | paused: not counted (Art. 33 ¶3) |
//! | 第三方意见中 | 第三方意见收到 / 逾期未提出 → 办理中 | staff / system after 15 WD (Art. 32) | — | resumes |
//! | 办理中 | 申请延期 → 延期待批 | 公开工作机构 | reason; ≤ 20 WD | — |
//! | 延期待批 | 批准延期 → 办理中 | 机构负责人 | once; ≤ 20 WD; applicant notified (Art. 33 ¶2) | due date moves |
//! | 已登记/办理中/延期待批 | 答复 → 已办结 (on the spot when possible, Art. 33 ¶1) | 公开工作机构 | an outcome of Art. 36; a reason unless 予以公开 | — |
//! | open | 撤回申请 → 已办结 | applicant | — | — |

use std::sync::LazyLock;

use crate::auth::Perm;
use crate::kernel::definition::*;

pub const LAW: &str = "中华人民共和国政府信息公开条例";

pub const ART_29: Basis = Basis::checked(
    LAW,
    "第二十九条",
    "申请应当包括申请人的姓名或者名称、身份证明、联系方式，申请公开的政府信息的名称、文号或者便于查询的其他特征性描述，以及形式要求",
);
pub const ART_30: Basis = Basis::checked(
    LAW,
    "第三十条",
    "申请内容不明确的，应当自收到申请之日起7个工作日内一次性告知申请人补正；答复期限自收到补正的申请之日起计算；无正当理由逾期不补正的，视为放弃申请",
);
pub const ART_30_PERIOD: Basis = Basis::local(LAW, "第三十条", "“合理的补正期限”：本机关一般给予15个工作日，补正告知书可另定");
pub const ART_31: Basis = Basis::checked(LAW, "第三十一条", "当面提交的以提交之日、邮寄的以签收之日、互联网渠道的以双方确认之日为收到申请之日");
pub const ART_32: Basis = Basis::checked(
    LAW,
    "第三十二条",
    "公开会损害第三方合法权益的，应当书面征求第三方意见；第三方应当自收到征求意见书之日起15个工作日内提出意见，逾期未提出的由行政机关决定",
);
pub const ART_33: Basis = Basis::checked(
    LAW,
    "第三十三条第二款",
    "不能当场答复的，应当自收到申请之日起20个工作日内答复；延长答复期限应当经政府信息公开工作机构负责人同意并告知申请人，延长最长不得超过20个工作日",
);
pub const ART_33_1: Basis = Basis::checked(LAW, "第三十三条第一款", "行政机关收到政府信息公开申请，能够当场答复的，应当当场予以答复");
pub const ART_33_3: Basis = Basis::checked(LAW, "第三十三条第三款", "征求第三方和其他机关意见所需时间不计算在答复期限内");
pub const ART_36: Basis = Basis::checked(LAW, "第三十六条", "行政机关根据不同情况分别作出答复；不予公开的，告知申请人并说明理由");
pub const ART_36_2: Basis = Basis::checked(
    LAW,
    "第三十六条第（一）（二）项",
    "所申请公开信息已经主动公开的，告知申请人获取的方式、途径；可以公开的，向申请人提供该政府信息，或者告知获取的方式、途径和时间",
);
pub const ART_37: Basis = Basis::checked(LAW, "第三十七条", "能够作区分处理的，应当提供可以公开的内容，并对不予公开的内容说明理由");
pub const ART_45: Basis = Basis::checked(LAW, "第四十五条", "建立健全申请登记、审核、办理、答复、归档的工作制度");
pub const REPORT_FORMAT: Basis = Basis::secondary(
    "政府信息公开工作年度报告格式（国办公开办函〔2021〕30号）",
    "三",
    "办理结果分为予以公开、部分公开、不予公开、无法提供、不予处理、其他处理",
);
pub const EXTENSION_FORM: Basis = Basis::local(LAW, "第三十三条第二款", "延长答复期限应当经政府信息公开工作机构负责人同意：承办人提出，负责人批准");
/// The separation of the one who asks from the one who consents: the 条例 requires the head's
/// consent (Art. 33 ¶2), which is no check when the person asking consents to themselves.
pub const EXTENSION_SEPARATION: Basis = Basis::local(LAW, "第三十三条第二款", "延长答复期限须经政府信息公开工作机构负责人同意：提出延期的人员不能自行批准");

/// An outcome of a request: exactly the rows of table 三 of the annual report, each with the
/// decision it is to the applicant. Staff choose decisions (“不予公开：涉及国家秘密（第十四条）”);
/// the report's row wording (“（三）不予公开 1.属于国家秘密”) stays on the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub code: &'static str,
    /// The group row: （一）予以公开 … （六）其他处理.
    pub group: &'static str,
    pub group_label: &'static str,
    /// The sub-row label (empty when the group has no sub-rows).
    pub label: &'static str,
    /// The decision as the applicant and staff read it: “不予公开：涉及国家秘密”.
    pub decision: &'static str,
    pub needs_reason: bool,
    /// Only the system records it (逾期不补正).
    pub system_only: bool,
    pub basis: &'static str,
}

impl Outcome {
    /// What a choice reads in the reply form: the decision, and its article unless it is the
    /// plain 予以公开 or 部分公开.
    pub fn choice_label(&self) -> String {
        if self.gives_information() { self.decision.to_string() } else { format!("{}（{}）", self.decision, self.basis) }
    }
    /// The ground alone, for a sentence of the letter: “涉及国家秘密”.
    pub fn ground(&self) -> &'static str {
        self.decision.split_once('：').map_or(self.decision, |(_, g)| g)
    }
    /// 予以公开 and 部分公开 give the applicant information (Art. 36 (一)(二), Art. 37): the reply
    /// must carry it.
    pub fn gives_information(&self) -> bool {
        matches!(self.group, "disclose" | "partial")
    }
}

#[allow(clippy::too_many_arguments)]
const fn o(
    code: &'static str,
    group: &'static str,
    group_label: &'static str,
    label: &'static str,
    decision: &'static str,
    needs_reason: bool,
    basis: &'static str,
) -> Outcome {
    Outcome { code, group, group_label, label, decision, needs_reason, system_only: false, basis }
}

const WITHHOLD: &str = "（三）不予公开";
const UNABLE: &str = "（四）无法提供";
const REJECT: &str = "（五）不予处理";
const OTHER: &str = "（六）其他处理";

pub const OUTCOMES: &[Outcome] = &[
    o("disclose", "disclose", "（一）予以公开", "", "予以公开", false, "第三十六条第（一）（二）项"),
    o("partial", "partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "", "部分公开", true, "第三十七条"),
    o("withhold_secret", "withhold", WITHHOLD, "1.属于国家秘密", "不予公开：涉及国家秘密", true, "第十四条"),
    o("withhold_law", "withhold", WITHHOLD, "2.其他法律行政法规禁止公开", "不予公开：法律、行政法规禁止公开", true, "第十四条"),
    o("withhold_safety", "withhold", WITHHOLD, "3.危及“三安全一稳定”", "不予公开：公开后可能危及国家安全、公共安全、经济安全、社会稳定", true, "第十四条"),
    o("withhold_third_party", "withhold", WITHHOLD, "4.保护第三方合法权益", "不予公开：涉及商业秘密、个人隐私，公开会损害第三方合法权益", true, "第十五条"),
    o("withhold_internal", "withhold", WITHHOLD, "5.属于三类内部事务信息", "不予公开：属于内部事务信息", true, "第十六条第一款"),
    o("withhold_process", "withhold", WITHHOLD, "6.属于四类过程性信息", "不予公开：属于过程性信息", true, "第十六条第二款"),
    o("withhold_enforcement", "withhold", WITHHOLD, "7.属于行政执法案卷", "不予公开：属于行政执法案卷信息", true, "第十六条第二款"),
    o("withhold_inquiry", "withhold", WITHHOLD, "8.属于行政查询事项", "不予公开：属于行政查询事项，应依照有关规定查询", true, "第三十六条第（七）项"),
    o("unable_not_held", "unable", UNABLE, "1.本机关不掌握相关政府信息", "无法提供：本机关不掌握该政府信息", true, "第三十六条第（四）（五）项"),
    o("unable_no_ready", "unable", UNABLE, "2.没有现成信息需要另行制作", "无法提供：没有现成信息，需要另行制作", true, "第三十八条"),
    o("unable_unclear", "unable", UNABLE, "3.补正后申请内容仍不明确", "无法提供：补正后申请内容仍不明确", true, "第三十条"),
    o("reject_petition", "reject", REJECT, "1.信访举报投诉类申请", "不予处理：信访、举报、投诉类申请", true, "第三十九条第一款"),
    o("reject_repeat", "reject", REJECT, "2.重复申请", "不予处理：重复申请", true, "第三十六条第（六）项"),
    o("reject_publication", "reject", REJECT, "3.要求提供公开出版物", "不予处理：要求提供公开出版物", true, "第三十九条第二款"),
    o("reject_mass", "reject", REJECT, "4.无正当理由大量反复申请", "不予处理：无正当理由大量、反复申请", true, "第三十五条"),
    o("reject_confirm", "reject", REJECT, "5.要求行政机关确认或重新出具已获取信息", "不予处理：要求确认或重新出具已获取的信息", true, "第三十六条"),
    Outcome {
        code: "other_no_correction",
        group: "other",
        group_label: OTHER,
        label: "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        decision: "视为放弃申请：逾期不补正",
        needs_reason: false,
        system_only: true,
        basis: "第三十条",
    },
    o(
        "other_no_fee",
        "other",
        OTHER,
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "不再处理：逾期未缴纳信息处理费",
        true,
        "第四十二条",
    ),
    o("other_other", "other", OTHER, "3.其他", "其他处理", true, "第三十六条"),
];

pub fn outcome(code: &str) -> Option<&'static Outcome> {
    OUTCOMES.iter().find(|o| o.code == code)
}

/// The outcomes staff may choose in a reply, as decisions.
pub fn reply_choices() -> Vec<(&'static str, String)> {
    OUTCOMES.iter().filter(|o| !o.system_only).map(|o| (o.code, o.choice_label())).collect()
}

/// Applicant types: the columns of table 三.
/// The text message an applicant receives when the application is registered (Art. 31: the day
/// of receipt starts the 20 working days).
pub const RECEIVED_TELL: &str = "【政府信息公开】{unit}已收到您的政府信息公开申请（编号{no}），答复期限{due}。查询：{url}";

pub const APPLICANT_TYPES: &[(&str, &str)] = &[
    ("natural", "自然人"),
    ("commercial", "商业企业"),
    ("research", "科研机构"),
    ("public_interest", "社会公益组织"),
    ("legal_service", "法律服务机构"),
    ("other_org", "其他"),
];

pub fn applicant_type_label(code: &str) -> &'static str {
    APPLICANT_TYPES.iter().find(|t| t.0 == code).map(|t| if t.0 == "other_org" { "其他组织" } else { t.1 }).unwrap_or("")
}

/// Third-party opinions recorded when the consultation ends.
pub const THIRD_PARTY_OPINIONS: &[(&str, &str)] = &[("agree", "同意公开"), ("disagree", "不同意公开（说明了理由）"), ("none", "逾期未提出意见")];

/// Default days of the 补正 period (a setting).
pub const CORRECTION_DAYS: u32 = 15;

fn reply_outcome_valid(ctx: &GuardCtx<'_>) -> Result<(), String> {
    match ctx.input.field("outcome") {
        None => Err("请选择答复结果（办理结果须为年度报告所列情形之一）".into()),
        Some(code) => match outcome(code) {
            None => Err(format!("“{code}”不是规定的答复结果")),
            Some(o) if o.system_only => Err("“逾期不补正”由系统在补正期限届满后自动办结，不能手工选择".into()),
            Some(_) => Ok(()),
        },
    }
}

fn reply_reason_given(ctx: &GuardCtx<'_>) -> Result<(), String> {
    match ctx.input.field("outcome").and_then(outcome) {
        Some(o) if o.needs_reason && ctx.input.field("outcome_reason").is_none() => Err(format!("答复结果为“{}”的，须说明理由及依据", o.decision)),
        _ => Ok(()),
    }
}

/// 予以公开 and 部分公开 deliver the information with the reply (Art. 36 (一)(二), Art. 37):
/// files uploaded with the reply, or publications already public that it points to.
fn information_attached(ctx: &GuardCtx<'_>) -> Result<(), String> {
    match ctx.input.field("outcome").and_then(outcome) {
        Some(o) if o.gives_information() && ctx.input.attachments == 0 && ctx.input.field("publications").is_none() => {
            Err(format!("答复“{}”的，应当向申请人提供所申请的政府信息：请上传信息文件，或填写已主动公开信息的索引号", o.decision))
        }
        _ => Ok(()),
    }
}

fn extension_days_asked(ctx: &GuardCtx<'_>) -> Result<(), String> {
    match ctx.input.days {
        None | Some(0) => Err("请填写申请延长的工作日数".into()),
        Some(d) if d > 20 => Err("延长的期限最长不得超过20个工作日".into()),
        Some(_) => Ok(()),
    }
}

fn correction_lapsed(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("correction_lapsed") { Ok(()) } else { Err("补正期限尚未届满".into()) }
}

fn third_party_lapsed(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("third_party_lapsed") { Ok(()) } else { Err("第三方提出意见的15个工作日尚未届满".into()) }
}

fn opinion_given(ctx: &GuardCtx<'_>) -> Result<(), String> {
    match ctx.input.field("opinion") {
        Some(v) if THIRD_PARTY_OPINIONS.iter().any(|o| o.0 == v) => Ok(()),
        Some(_) => Err("第三方意见只能是同意、不同意或逾期未提出".into()),
        None => Err("请选择第三方意见".into()),
    }
}

fn correction_period(ctx: &GuardCtx<'_>) -> Result<(), String> {
    match ctx.input.days {
        Some(0) => Err("补正期限至少1个工作日".into()),
        Some(d) if d > 60 => Err("补正期限应当合理，不宜超过60个工作日".into()),
        _ => Ok(()),
    }
}

pub const OPEN: &[&str] = &["received", "handling", "correction", "third_party", "extension_requested"];

pub static PROCEDURE: LazyLock<Procedure> = LazyLock::new(|| {
    let reply = DeadlineRule {
        code: "reply",
        name: "答复期限",
        days: 20,
        unit: DayUnit::WorkingDays,
        rollover: false,
        due_soon_days: 3,
        starts_on: &["intake", "correct", "record_correction"],
        basis: ART_33,
        validity: Validity::ALWAYS,
        setting: None,
    };
    let staff = Taker::Staff;
    // The outcome choices, made once for the life of the program.
    let choices: &'static [(&'static str, &'static str)] =
        Box::leak(reply_choices().into_iter().map(|(c, l)| (c, &*Box::leak(l.into_boxed_str()))).collect::<Vec<_>>().into_boxed_slice());
    Procedure {
        code: "disclosure",
        name: "政府信息公开申请",
        law: "《中华人民共和国政府信息公开条例》（2019）",
        initial: "received",
        number_pattern: "{org}依申〔{year}〕{seq}号",
        page_prefix: "/disclosure/requests/",
        api_prefix: "/api/v1/disclosure/requests/",
        states: vec![
            StateDef::open("received", "已登记", "申请已收到并登记，答复期限自收到申请之日起计算"),
            StateDef::open("handling", "办理中", "公开工作机构正在检索、审查和办理"),
            StateDef::open("correction", "待补正", "已一次性告知申请人补正，答复期限自收到补正之日起重新计算"),
            StateDef::open("third_party", "征求第三方意见", "已书面征求第三方意见，所需时间不计入答复期限"),
            StateDef::approval("extension_requested", "延期待批", "承办人申请延长答复期限，等待政府信息公开工作机构负责人批准"),
            StateDef::end("replied", "已答复", "已作出答复并送达申请人"),
            StateDef::end("lapsed", "视为放弃", "申请人无正当理由逾期不补正，视为放弃申请"),
            StateDef::end("withdrawn", "已撤回", "申请人撤回申请"),
        ],
        deadlines: vec![reply],
        transitions: vec![
            Transition::new("accept", "受理", &["received"], To::State("handling"), staff(Perm::CASE_HANDLE))
                .basis(ART_45)
                .look(Look::Primary)
                .hint("申请内容明确的受理办理；内容不明确的请先“补正告知”")
                .tell("【政府信息公开】您的申请（编号{no}）已受理，答复期限{due}。查询：{url}"),
            Transition::new("request_correction", "补正告知", &["received", "handling"], To::State("correction"), staff(Perm::CASE_HANDLE))
                .guard(Guard::Field { name: "correction_items", label: "需要补正的事项" }, Some(ART_30))
                .guard(Guard::WithinWorkingDays { since: Since::Opened, days: 7 }, Some(ART_30))
                .guard(Guard::AtMost { max: 1 }, Some(ART_30))
                .guard(Guard::Input { field: "days", check: correction_period }, Some(ART_30_PERIOD))
                .ask("correction_items", "需要补正的事项（指导和释明）", AskKind::LongText)
                .ask("days", "补正期限（工作日，默认15）", AskKind::Days)
                .clock(ClockEffect::Stop)
                .basis(ART_30)
                .hint("自收到申请之日起7个工作日内一次性告知；告知后答复期限自收到补正之日起重新计算")
                .tell("【政府信息公开】您的申请（编号{no}）需要补正，请查看补正告知书并在规定期限内补正：{url}"),
            Transition::new("correct", "提交补正", &["correction"], To::State("handling"), Taker::Citizen)
                .guard(Guard::Field { name: "correction_text", label: "补正内容" }, Some(ART_30))
                .ask("correction_text", "补正内容", AskKind::LongText)
                .clock(ClockEffect::Start("reply"))
                .basis(ART_30)
                .look(Look::Primary),
            Transition::new("record_correction", "登记补正", &["correction"], To::State("handling"), staff(Perm::CASE_HANDLE))
                .guard(Guard::Field { name: "correction_text", label: "补正内容" }, Some(ART_30))
                .ask("correction_text", "申请人补正的内容（来信、当面补正时登记）", AskKind::LongText)
                .clock(ClockEffect::Start("reply"))
                .basis(ART_30)
                .hint("申请人以信件或当面补正的，由工作人员登记；答复期限自收到补正之日起重新计算"),
            Transition::new("correction_lapsed", "逾期未补正·视为放弃", &["correction"], To::State("lapsed"), Taker::System)
                .guard(Guard::Check { label: "补正期限已届满", check: correction_lapsed }, Some(ART_30))
                .basis(ART_30),
            Transition::new("refer_third_party", "征求第三方意见", &["handling"], To::State("third_party"), staff(Perm::CASE_HANDLE))
                .guard(Guard::Field { name: "third_party", label: "第三方名称" }, Some(ART_32))
                .guard(Guard::Reason, Some(ART_32))
                .ask("third_party", "第三方名称", AskKind::Text)
                .clock(ClockEffect::Pause)
                .basis(ART_33_3)
                .hint("公开会损害第三方合法权益的，书面征求意见；第三方15个工作日内提出意见，期间不计入答复期限"),
            Transition::new("third_party_replied", "第三方意见收到", &["third_party"], To::State("handling"), staff(Perm::CASE_HANDLE))
                .guard(Guard::Input { field: "opinion", check: opinion_given }, Some(ART_32))
                .ask("opinion", "第三方意见", AskKind::Choice(THIRD_PARTY_OPINIONS))
                .clock(ClockEffect::Resume)
                .basis(ART_32)
                .look(Look::Primary),
            Transition::new("third_party_lapsed", "第三方逾期未提出意见", &["third_party"], To::State("handling"), Taker::System)
                .guard(Guard::Check { label: "15个工作日已届满", check: third_party_lapsed }, Some(ART_32))
                .clock(ClockEffect::Resume)
                .basis(ART_32),
            Transition::new("request_extension", "申请延长答复期限", &["handling"], To::State("extension_requested"), staff(Perm::CASE_HANDLE))
                .guard(Guard::Reason, Some(ART_33))
                .guard(Guard::Input { field: "days", check: extension_days_asked }, Some(ART_33))
                .guard(
                    Guard::Check {
                        label: "尚未延期",
                        check: |c| if c.case.extension_count > 0 { Err("答复期限只能延长一次，本申请已延长过".into()) } else { Ok(()) },
                    },
                    Some(ART_33),
                )
                .ask("days", "申请延长的工作日数（不超过20）", AskKind::Days)
                .basis(EXTENSION_FORM),
            Transition::new("approve_extension", "批准延期", &["extension_requested"], To::State("handling"), staff(Perm::CASE_APPROVE))
                .guard(Guard::NotBy { action: "request_extension" }, Some(EXTENSION_SEPARATION))
                .clock(ClockEffect::Extend { max_days: 20, max_times: 1, basis: ART_33 })
                .ask("days", "批准延长的工作日数", AskKind::Days)
                .basis(ART_33)
                .look(Look::Primary)
                .hint("批准后系统生成《延长答复期限告知书》告知申请人")
                .tell("【政府信息公开】您的申请（编号{no}）答复期限已依法延长至{due}。查询：{url}"),
            Transition::new("reject_extension", "不批准延期", &["extension_requested"], To::State("handling"), staff(Perm::CASE_APPROVE))
                .guard(Guard::NotBy { action: "request_extension" }, Some(EXTENSION_SEPARATION))
                .guard(Guard::Reason, None)
                .basis(ART_33),
            Transition::new("reply", "答复", &["received", "handling", "extension_requested"], To::State("replied"), staff(Perm::CASE_HANDLE))
                .guard(Guard::Input { field: "outcome", check: reply_outcome_valid }, Some(REPORT_FORMAT))
                .guard(Guard::Input { field: "outcome_reason", check: reply_reason_given }, Some(ART_36))
                .guard(Guard::Field { name: "reply_text", label: "答复内容" }, Some(ART_36))
                .guard(
                    Guard::Require {
                        field: "files",
                        code: "information_not_attached",
                        label: "予以公开、部分公开的，须附所提供的政府信息（文件或已公开信息）",
                        check: information_attached,
                    },
                    Some(ART_36_2),
                )
                .ask("outcome", "答复结果", AskKind::Choice(choices))
                .ask("outcome_reason", "理由及依据（予以公开以外的情形必填）", AskKind::LongText)
                .ask("reply_text", "答复内容（提供的信息或获取方式）", AskKind::LongText)
                .ask("files", "所提供的政府信息（文件，予以公开、部分公开时上传）", AskKind::Files)
                .ask("publications", "或已主动公开的信息（索引号，多个用逗号分隔）", AskKind::Text)
                .clock(ClockEffect::Stop)
                .basis(ART_36)
                .look(Look::Primary)
                .hint("答复后系统按答复结果生成《政府信息公开申请答复书》，申请人可在门户下载")
                .tell("【政府信息公开】您的申请（编号{no}）已作出答复，请查看答复书：{url}"),
            Transition::new("withdraw", "撤回申请", OPEN, To::State("withdrawn"), Taker::Citizen).basis(ART_45).look(Look::Danger),
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
    fn outcomes_are_the_report_rows() {
        assert_eq!(OUTCOMES.len(), 21);
        for (g, n) in [("disclose", 1), ("partial", 1), ("withhold", 8), ("unable", 3), ("reject", 5), ("other", 3)] {
            assert_eq!(OUTCOMES.iter().filter(|o| o.group == g).count(), n, "{g}");
        }
        assert!(OUTCOMES.iter().all(|o| o.code == "disclose" || o.code == "other_no_correction" || o.needs_reason));
    }

    #[test]
    fn choices_read_as_decisions_not_report_rows() {
        let choices = reply_choices();
        let label = |c: &str| choices.iter().find(|x| x.0 == c).map(|x| x.1.clone()).unwrap();
        assert_eq!(label("disclose"), "予以公开");
        assert_eq!(label("partial"), "部分公开");
        assert_eq!(label("withhold_secret"), "不予公开：涉及国家秘密（第十四条）");
        for (_, l) in &choices {
            // No report numbering (（三）, 1.) and no counting note in a decision.
            assert!(!l.starts_with('（') && !l.contains("1.") && !l.contains("只计"), "{l}");
        }
        assert_eq!(outcome("withhold_secret").unwrap().ground(), "涉及国家秘密");
    }

    /// Staff holding every permission over the unit, as one person.
    struct Person(&'static str);
    impl crate::kernel::engine::Authority for Person {
        fn staff_may(&self, _: Perm) -> bool {
            true
        }
        fn is_filer(&self) -> bool {
            false
        }
        fn is_system(&self) -> bool {
            false
        }
        fn identity(&self) -> Option<String> {
            Some(self.0.into())
        }
    }

    #[test]
    fn whoever_asked_for_the_extension_cannot_approve_or_refuse_it() {
        use crate::kernel::engine::{CaseFacts, Input, plan};
        let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        let facts = CaseFacts {
            state: "extension_requested".into(),
            prev_state: Some("handling".into()),
            opened_on: day - chrono::Duration::days(20),
            clock_rule: Some("reply".into()),
            clock_started_on: Some(day - chrono::Duration::days(20)),
            due_on: Some(day + chrono::Duration::days(8)),
            paused_on: None,
            extension_days: 0,
            extension_count: 0,
            counts: Default::default(),
            flags: Default::default(),
            takers: [("request_extension".to_string(), "user:7".to_string())].into(),
        };
        let cal = crate::calendar::Calendar::official();
        let input = Input { days: Some(10), reason: Some("需要调取档案".into()), ..Input::default() };
        for action in ["approve_extension", "reject_extension"] {
            let refused = plan(&PROCEDURE, &facts, action, &Person("user:7"), &input, day, &cal, &Default::default()).unwrap_err();
            assert_eq!(refused.code, "separation_of_duties", "{action}");
            assert!(refused.message.contains("是您提出的"), "{}", refused.message);
            assert!(refused.basis[0].contains("第三十三条第二款"), "{:?}", refused.basis);
            assert!(plan(&PROCEDURE, &facts, action, &Person("user:8"), &input, day, &cal, &Default::default()).is_ok(), "{action} by another");
        }
    }

    #[test]
    fn the_diagram_is_readable_with_no_arrow_through_a_box() {
        assert_eq!(crate::kernel::diagram::problems(&PROCEDURE), Vec::<String>::new());
    }
}
