//! 重大行政决策 as a procedure on the kernel: 《重大行政决策程序暂行条例》 (国务院令第713号,
//! in force 2019-09-01) [C]. It binds 县级以上地方人民政府 (Art. 2); departments and towns apply
//! it by reference (Art. 42). LEGAL-RULES.md §1.
//!
//! | state | step → next | who | guard (refused otherwise) |
//! |---|---|---|---|
//! | 草案拟订中 | 形成决策草案 → 法定程序履行中 | 承办单位 | 部门协商情况 (Art. 13), 法律政策梳理 (Art. 12) |
//! | 法定程序履行中 | 公开征求意见 / 结束征求意见 / 听证会 / 不开展公众参与 | 承办单位 | ≥ 30 日 or a reason (Art. 15); the window has run and the 采纳情况 (Art. 18); materials ≥ 7 日 before the hearing (Art. 16); 依法不予公开 (Art. 14) |
//! | 法定程序履行中 | 专家论证 / 无需专家论证 | 承办单位 | signed opinions, no expert with a direct interest (Art. 19–20) |
//! | 法定程序履行中 | 风险评估 / 无需风险评估 | 承办单位 | risk points, measures, 处置预案, a level (Art. 23) |
//! | 法定程序履行中 | 公平竞争审查 | 承办单位 | a conclusion, when the draft concerns market actors (Art. 29(1); 公平竞争审查条例 Art. 17) |
//! | 法定程序履行中 | 送请合法性审查 → 合法性审查中 | 承办单位 | materials; ≥ 7 working days of review time or a reason (Art. 26) |
//! | 合法性审查中 | 出具合法性审查意见 → 合法性审查通过 / 法定程序履行中 | 合法性审查 | 权限, 程序, 内容 each answered (Art. 27); advisers' opinion (Art. 28) |
//! | 法定程序履行中 / 合法性审查通过 | 集体讨论决定 → 已作出决定 / 法定程序履行中 | 决策机关 | a legality opinion on record and not 不合法 (Art. 25); the whole package (Art. 29); risk controllable (Art. 24); head last, departures reasoned (Art. 30) |
//! | 已作出决定 | 向党委请示报告 (Art. 31); 公布 → 已公布施行 | 决策机关 | reported to the Party committee before publication (Art. 31, 32) |
//! | 已公布施行 | 归档 (Art. 33), 执行情况报告 (Art. 34–35), 决策后评估 (Art. 36), 执行完毕 → 已办结 | 承办/执行单位 | the evaluator is not who did the main pre-decision work (Art. 36) |

use std::sync::LazyLock;

use crate::auth::Perm;
use crate::kernel::definition::*;

pub const CODE: &str = "major_decision";
pub const LAW: &str = "重大行政决策程序暂行条例";

const fn art(article: &'static str, says: &'static str) -> Basis {
    Basis::checked(LAW, article, says)
}

pub const ART_3: Basis =
    art("第三条第三款", "决策机关可以根据本条第一款的规定，结合职责权限和本地实际，确定决策事项目录、标准，经同级党委同意后向社会公布，并根据实际情况调整");
pub const ART_11: Basis = art("第十一条", "决策机关决定启动决策程序的，应当明确决策事项的承办单位");
pub const ART_12: Basis = art("第十二条", "决策承办单位应当全面梳理与决策事项有关的法律、法规、规章和政策；有关方面存在较大分歧的，可以提出两个以上方案");
pub const ART_13: Basis = art("第十三条", "决策事项涉及有关单位职责的，决策承办单位应当与其充分协商；不能取得一致意见的，应当向决策机关说明");
pub const ART_14: Basis = art("第十四条第一款", "决策承办单位应当采取便于社会公众参与的方式充分听取意见，依法不予公开的决策事项除外");
pub const ART_15: Basis = art("第十五条第一款", "公开征求意见的期限一般不少于30日；因情况紧急等原因需要缩短期限的，公开征求意见时应当予以说明");
pub const ART_16: Basis = art("第十六条第三款", "听证参加人名单应当提前向社会公布。听证会材料应当于召开听证会7日前送达听证参加人");
pub const ART_17: Basis = art("第十七条", "听证参加人确认听证会记录并签字");
pub const ART_18: Basis = art("第十八条", "决策承办单位应当对社会各方面提出的意见进行归纳整理、研究论证，充分采纳合理意见，完善决策草案");
pub const ART_19: Basis = art("第十九条", "对专业性、技术性较强的决策事项，决策承办单位应当组织专家、专业机构论证；提供书面论证意见的，应当署名、盖章");
pub const ART_20: Basis = art("第二十条", "选择专家、专业机构参与论证，应当坚持专业性、代表性和中立性，不得选择与决策事项有直接利害关系的专家、专业机构");
pub const ART_22: Basis =
    art("第二十二条", "决策的实施可能对社会稳定、公共安全等方面造成不利影响的，应当组织评估决策草案的风险可控性；已对有关风险进行评价、评估的，不作重复评估");
pub const ART_23: Basis = art("第二十三条第二款", "开展风险评估，应当听取有关部门的意见，形成风险评估报告，明确风险点，提出风险防范措施和处置预案");
pub const ART_24: Basis = art("第二十四条", "决策机关认为风险不可控的，在采取调整决策草案等措施确保风险可控后，可以作出决策");
pub const ART_25: Basis = art(
    "第二十五条",
    "决策草案未经合法性审查或者经审查不合法的，不得提交决策机关讨论；不得以征求意见等方式代替合法性审查；探索性改革决策事项可以明示法律风险，提交决策机关讨论",
);
pub const ART_26: Basis = art("第二十六条", "送请合法性审查，应当提供决策草案及相关材料；应当保证必要的审查时间，一般不少于7个工作日");
pub const ART_27: Basis = art("第二十七条", "合法性审查的内容包括：决策事项是否符合法定权限；决策草案的形成是否履行相关法定程序；决策草案内容是否合法");
pub const ART_28: Basis = art("第二十八条", "在合法性审查过程中，应当组织法律顾问、公职律师提出法律意见");
pub const ART_29: Basis = art(
    "第二十九条",
    "提交决策机关讨论决策草案，应当报送决策草案（涉及市场主体经济活动的，包含公平竞争审查的有关情况）、公众意见研究采纳情况、专家论证意见研究采纳情况、风险评估报告、合法性审查意见等材料",
);
pub const ART_29_1: Basis = art("第二十九条第一项", "决策草案涉及市场主体经济活动的，应当包含公平竞争审查的有关情况");
pub const ART_29_2: Basis = art("第二十九条第二项", "履行公众参与程序的，同时报送社会公众提出的主要意见的研究采纳情况");
pub const ART_29_3: Basis = art("第二十九条第三项", "履行专家论证程序的，同时报送专家论证意见的研究采纳情况");
pub const ART_29_4: Basis = art("第二十九条第四项", "履行风险评估程序的，同时报送风险评估报告等有关材料");
pub const ART_29_5: Basis = art("第二十九条第五项", "合法性审查意见");
pub const ART_30: Basis = art(
    "第三十条",
    "决策草案应当经决策机关常务会议或者全体会议讨论；行政首长最后发表意见；拟作出的决定与多数人的意见不一致的，应当在会上说明理由；不同意见应当如实载明",
);
pub const ART_31: Basis = art("第三十一条", "重大行政决策出台前应当按照规定向同级党委请示报告");
pub const ART_32: Basis =
    art("第三十二条", "决策机关应当通过本级人民政府公报和政府网站以及本行政区域内发行的报纸等途径及时公布重大行政决策，依法不予公开的除外");
pub const ART_33: Basis = art("第三十三条", "将履行决策程序形成的记录、材料及时完整归档");
pub const ART_34: Basis = art("第三十四条", "决策执行单位应当依法全面、及时、正确执行重大行政决策，并向决策机关报告决策执行情况");
pub const ART_36: Basis = art("第三十六条", "决策机关可以组织决策后评估；可以委托专业机构、社会组织等第三方进行，决策作出前承担主要论证评估工作的单位除外");
pub const FCR_17: Basis =
    Basis::checked("公平竞争审查条例", "第十七条", "开展公平竞争审查，应当按照本条例规定的审查标准，在评估对公平竞争影响后，作出审查结论");

/// The catalogue's categories (Art. 3 ¶1).
pub const CATEGORIES: &[(&str, &str)] = &[
    ("policy", "（一）公共服务、市场监管、社会管理、环境保护等方面的重大公共政策和措施"),
    ("plan", "（二）经济和社会发展等方面的重要规划"),
    ("resources", "（三）开发利用、保护重要自然资源和文化资源的重大公共政策和措施"),
    ("project", "（四）在本行政区域实施的重大公共建设项目"),
    ("other", "（五）对经济社会发展有重大影响、涉及重大公共利益或者社会公众切身利益的其他重大事项"),
];

pub fn category_label(code: &str) -> &'static str {
    CATEGORIES.iter().find(|c| c.0 == code).map(|c| c.1).unwrap_or("")
}

pub const OK_BAD: &[(&str, &str)] = &[("ok", "符合"), ("bad", "不符合")];
pub const LEGALITY_RESULTS: &[(&str, &str)] =
    &[("pass", "合法，可以提交决策机关讨论"), ("exploratory", "探索性改革事项，明示法律风险后提交讨论"), ("fail", "不合法，退回承办单位")];
pub const RISK_LEVELS: &[(&str, &str)] =
    &[("low", "低风险"), ("medium", "中风险（可控）"), ("high", "高风险（采取措施后可控）"), ("uncontrollable", "风险不可控")];
pub const MAJORITY: &[(&str, &str)] = &[("agree", "多数同意"), ("disagree", "多数不同意")];
pub const MEETING_RESULTS: &[(&str, &str)] = &[("adopted", "行政首长决定：通过"), ("returned", "行政首长决定：不通过，退回修改")];
pub const YES: &[(&str, &str)] = &[("yes", "是"), ("no", "否")];
pub const FCR_CONCLUSIONS: &[(&str, &str)] =
    &[("compliant", "不违反审查标准，可以出台"), ("amended", "发现问题，已修改后符合审查标准"), ("exception", "适用例外规定（公平竞争审查条例第十二条）")];
pub const EVAL_TRIGGERS: &[(&str, &str)] =
    &[("1", "（一）实施后明显未达到预期效果"), ("2", "（二）公民、法人或者其他组织提出较多意见"), ("3", "（三）决策机关认为有必要")];

pub fn label(list: &[(&'static str, &'static str)], code: &str) -> &'static str {
    list.iter().find(|c| c.0 == code).map(|c| c.1).unwrap_or("")
}

// ------------------------------------------------------------------ guards

/// The package items (Art. 29), each a flag the service computes from the records, with the
/// field, the stable code and the message naming the article. The order is the order of the
/// refusal: the legality opinion first (Art. 25).
fn legality_on_record(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("legality_ok") {
        Ok(())
    } else if ctx.case.flag("legality_failed") {
        Err("合法性审查意见为“不合法”：经审查不合法的决策草案不得提交决策机关讨论（第二十五条）".into())
    } else {
        Err("没有合法性审查意见：决策草案未经合法性审查的，不得提交决策机关讨论（第二十五条、第二十九条第五项）".into())
    }
}
fn participation_settled(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("participation_settled") {
        Ok(())
    } else if ctx.case.flag("participation_open") {
        Err("公众参与尚未完成：征求意见结束后须形成社会公众主要意见的研究采纳情况（第十八条、第二十九条第二项）".into())
    } else {
        Err("缺少公众参与：须公开征求意见并报送意见采纳情况，或记录依法不予公开的理由（第十四条、第二十九条第二项）".into())
    }
}
fn expert_settled(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("expert_settled") {
        Ok(())
    } else {
        Err("缺少专家论证：须报送专家论证意见的研究采纳情况，或记录不属于专业性、技术性较强事项的理由（第十九条、第二十九条第三项）".into())
    }
}
fn risk_settled(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("risk_uncontrollable") {
        Err("风险评估结论为风险不可控：须调整决策草案、重新评估确保风险可控后，方可作出决策（第二十四条）".into())
    } else if ctx.case.flag("risk_settled") {
        Ok(())
    } else {
        Err("缺少风险评估：须报送风险评估报告，或记录不会造成不利影响、已作评估不重复评估的理由（第二十二条、第二十九条第四项）".into())
    }
}
fn fair_settled(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("fair_settled") {
        Ok(())
    } else {
        Err("缺少公平竞争审查情况：决策草案涉及市场主体经济活动的，应当包含公平竞争审查的有关情况（第二十九条第一项）".into())
    }
}

fn head_last(ctx: &GuardCtx<'_>) -> Result<(), String> {
    match ctx.input.field("head_last") {
        Some("yes") => Ok(()),
        _ => Err("行政首长应当在会议组成人员充分发表意见后最后发表意见（第三十条第二款）".into()),
    }
}

fn departure_reasoned(ctx: &GuardCtx<'_>) -> Result<(), String> {
    let majority = ctx.input.field("majority");
    let result = ctx.input.field("result");
    match (majority, result) {
        (None, _) => Err("请选择会议组成人员的多数意见".into()),
        (_, None) => Err("请选择行政首长的决定".into()),
        (Some(m), Some(r)) => {
            let departs = (m == "agree") != (r == "adopted");
            if departs && ctx.input.field("departure_reason").is_none() {
                Err("行政首长的决定与会议组成人员多数人的意见不一致，应当说明理由（第三十条第二款）".into())
            } else {
                Ok(())
            }
        }
    }
}

fn window_ended(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("window_ended") { Ok(()) } else { Err("征求意见期限尚未届满，不能提前结束".into()) }
}

fn no_open_window(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("participation_open") { Err("已有正在进行的公开征求意见".into()) } else { Ok(()) }
}

fn party_reported(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("party_reported") {
        Ok(())
    } else {
        Err("重大行政决策出台前应当按照规定向同级党委请示报告，尚无请示报告记录（第三十一条）".into())
    }
}

fn archived(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("archived") { Ok(()) } else { Err("决策过程记录和材料尚未归档（第三十三条）".into()) }
}

fn legality_consistent(ctx: &GuardCtx<'_>) -> Result<(), String> {
    let checks = ["authority", "procedure", "content"];
    let missing: Vec<&str> = checks.iter().filter(|c| !matches!(ctx.input.field(c), Some("ok" | "bad"))).copied().collect();
    if !missing.is_empty() {
        return Err("合法性审查须逐项审查权限、程序、内容（第二十七条）".into());
    }
    let bad: Vec<&str> = checks
        .iter()
        .filter(|c| ctx.input.field(c) == Some("bad"))
        .map(|c| match *c {
            "authority" => "决策事项不符合法定权限",
            "procedure" => "未履行相关法定程序",
            _ => "决策草案内容不合法",
        })
        .collect();
    match ctx.input.field("result") {
        Some("pass") if !bad.is_empty() => Err(format!("审查发现问题，不能出具“合法”意见：{}", bad.join("；"))),
        Some("exploratory") if ctx.input.field("legal_risk").is_none() => Err("探索性改革决策事项须明示法律风险后方可提交讨论（第二十五条第二款）".into()),
        Some("pass" | "exploratory" | "fail") => Ok(()),
        _ => Err("请选择审查结论".into()),
    }
}

fn choose_legality(_: &crate::kernel::engine::CaseFacts, input: &crate::kernel::engine::Input) -> &'static str {
    if matches!(input.field("result"), Some("pass" | "exploratory")) { "reviewed" } else { "procedures" }
}

fn choose_meeting(_: &crate::kernel::engine::CaseFacts, input: &crate::kernel::engine::Input) -> &'static str {
    if input.field("result") == Some("adopted") { "decided" } else { "procedures" }
}

/// The states in which the draft may get a new version: before it is sent for legality review.
pub const REVISABLE: &[&str] = &["drafting", "procedures"];
/// The states in which the five procedures are recorded.
pub const PROCEDURES: &[&str] = &["procedures"];
pub const OPEN: &[&str] = &["drafting", "procedures", "legality_review", "reviewed", "decided", "published"];

pub static PROCEDURE: LazyLock<Procedure> = LazyLock::new(|| {
    let staff = Taker::Staff;
    let handle = staff(Perm::CASE_HANDLE);
    Procedure {
        code: CODE,
        name: "重大行政决策",
        law: "《重大行政决策程序暂行条例》",
        initial: "drafting",
        number_pattern: "{org}决〔{year}〕{seq}号",
        page_prefix: "/decisions/major/",
        api_prefix: "/api/v1/decisions/major/",
        states: vec![
            StateDef::open("drafting", "草案拟订中", "承办单位调查研究、梳理法律政策、与有关单位协商，拟订决策草案"),
            StateDef::open("procedures", "法定程序履行中", "公众参与、专家论证、风险评估、公平竞争审查：逐项履行，或记录不适用的理由"),
            StateDef::approval("legality_review", "合法性审查中", "负责合法性审查的部门审查权限、程序、内容，组织法律顾问、公职律师提出意见"),
            StateDef::open("reviewed", "合法性审查通过", "待提交决策机关常务会议或全体会议集体讨论"),
            StateDef::open("decided", "已作出决定", "集体讨论后行政首长作出决定；出台前向同级党委请示报告，及时公布"),
            StateDef::open("published", "已公布执行", "决策已公布，执行单位报告执行情况，必要时组织决策后评估"),
            StateDef::end("closed", "已办结", "决策执行完毕，过程记录和材料已归档"),
            StateDef::end("abandoned", "已终止", "决策机关决定不再作出该项决策"),
        ],
        deadlines: vec![],
        transitions: vec![
            Transition::new("draft", "形成决策草案", &["drafting"], To::State("procedures"), handle)
                .guard(Guard::Field { name: "legal_basis", label: "有关法律、法规、规章和政策梳理" }, Some(ART_12))
                .guard(Guard::Field { name: "consultation", label: "与有关单位协商的情况" }, Some(ART_13))
                .ask("legal_basis", "有关法律、法规、规章和政策梳理", AskKind::LongText)
                .ask("consultation", "与有关部门、下级政府协商的情况（不能取得一致的，写明争议和各方意见）", AskKind::LongText)
                .ask("options", "备选方案（有较大分歧时提出两个以上方案，可选）", AskKind::LongText)
                .basis(ART_12)
                .look(Look::Primary),
            Transition::new("open_participation", "公开征求意见", &["procedures"], To::Same, handle)
                .guard(Guard::Check { label: "没有正在进行的征求意见", check: no_open_window }, Some(ART_15))
                .ask("opens_on", "开始日期（默认今天）", AskKind::Date)
                .ask("days", "期限（日，一般不少于30日）", AskKind::Days)
                .ask("shorter_reason", "期限少于30日的理由（情况紧急等）", AskKind::LongText)
                .basis(ART_15)
                .look(Look::Primary)
                .hint("针对最新一稿在政府网站公开征求意见；群众在门户网站验证手机号后提出意见"),
            Transition::new("close_participation", "结束征求意见", &["procedures"], To::Same, handle)
                .guard(Guard::Check { label: "征求意见期限已届满", check: window_ended }, Some(ART_15))
                .guard(Guard::Field { name: "report", label: "社会公众主要意见的研究采纳情况" }, Some(ART_29_2))
                .ask("report", "社会公众主要意见的研究采纳情况", AskKind::LongText)
                .basis(ART_18)
                .look(Look::Primary),
            Transition::new("hearing", "记录听证会", &["procedures"], To::Same, handle)
                .guard(Guard::Field { name: "hearing_on", label: "听证日期" }, Some(ART_16))
                .guard(Guard::Field { name: "materials_on", label: "材料送达日期" }, Some(ART_16))
                .guard(Guard::Field { name: "participants", label: "听证参加人名单" }, Some(ART_16))
                .guard(Guard::Field { name: "record", label: "听证会记录" }, Some(ART_17))
                .ask("hearing_on", "听证日期", AskKind::Date)
                .ask("materials_on", "听证会材料送达参加人的日期", AskKind::Date)
                .ask("participants", "听证参加人名单（已提前公布）", AskKind::LongText)
                .ask("record", "听证会记录（参加人已确认并签字）", AskKind::LongText)
                .basis(ART_16)
                .optional(),
            Transition::new("waive_participation", "不开展公众参与", &["procedures"], To::Same, handle)
                .guard(Guard::Reason, Some(ART_14))
                .basis(ART_14)
                .optional()
                .hint("仅限依法不予公开的决策事项，理由随决策草案报送"),
            Transition::new("expert", "专家论证", &["procedures"], To::Same, handle)
                .guard(Guard::Field { name: "experts", label: "参加论证的专家" }, Some(ART_19))
                .guard(Guard::Opinion { field: "signed", label: "书面论证意见已署名、盖章", passed: "yes" }, Some(ART_19))
                .guard(Guard::Field { name: "report", label: "专家论证意见的研究采纳情况" }, Some(ART_29_3))
                .ask("experts", "参加论证的专家（每行一位：姓名｜单位或专业｜论证意见要点｜利害关系：无）", AskKind::LongText)
                .ask("signed", "书面论证意见已署名、盖章", AskKind::Choice(YES))
                .ask("report", "专家论证意见的研究采纳情况", AskKind::LongText)
                .basis(ART_20)
                .look(Look::Primary)
                .hint("不得选择与决策事项有直接利害关系的专家；注重选择持不同意见的专家"),
            Transition::new("waive_expert", "无需专家论证", &["procedures"], To::Same, handle)
                .guard(Guard::Reason, Some(ART_19))
                .basis(ART_19)
                .optional()
                .hint("不属于专业性、技术性较强的决策事项的，记录理由"),
            Transition::new("risk", "风险评估", &["procedures"], To::Same, handle)
                .guard(Guard::Field { name: "points", label: "风险点" }, Some(ART_23))
                .guard(Guard::Field { name: "measures", label: "风险防范措施" }, Some(ART_23))
                .guard(Guard::Field { name: "plan", label: "处置预案" }, Some(ART_23))
                .guard(Guard::Field { name: "level", label: "风险等级" }, Some(ART_24))
                .ask("points", "风险点", AskKind::LongText)
                .ask("measures", "风险防范措施", AskKind::LongText)
                .ask("plan", "处置预案", AskKind::LongText)
                .ask("level", "风险等级（评估结论）", AskKind::Choice(RISK_LEVELS))
                .ask("assessor", "评估单位（承办单位自评或第三方）", AskKind::Text)
                .basis(ART_23)
                .look(Look::Primary)
                .hint("风险不可控的，须调整决策草案并重新评估后才能提交集体讨论"),
            Transition::new("waive_risk", "无需风险评估", &["procedures"], To::Same, handle)
                .guard(Guard::Reason, Some(ART_22))
                .basis(ART_22)
                .optional()
                .hint("不会对社会稳定、公共安全等造成不利影响，或已按规定评估不作重复评估的，记录理由"),
            Transition::new("fair_competition", "公平竞争审查", &["procedures"], To::Same, handle)
                .guard(Guard::Field { name: "conclusion", label: "审查结论" }, Some(FCR_17))
                .guard(Guard::Field { name: "report", label: "公平竞争审查的有关情况" }, Some(ART_29_1))
                .ask("conclusion", "审查结论", AskKind::Choice(FCR_CONCLUSIONS))
                .ask("report", "公平竞争审查的有关情况（对照审查标准逐项评估、听取经营者意见）", AskKind::LongText)
                .basis(ART_29_1)
                .optional()
                .hint("决策草案涉及市场主体经济活动的，须对照审查标准作出结论后才能提交讨论"),
            Transition::new("submit_legality", "送请合法性审查", &["procedures"], To::State("legality_review"), handle)
                .guard(Guard::Field { name: "materials", label: "法律依据和履行决策法定程序的说明" }, Some(ART_26))
                .ask("materials", "有关法律、法规、规章等依据和履行决策法定程序的说明", AskKind::LongText)
                .ask("review_until", "保证审查时间至（默认7个工作日后）", AskKind::Date)
                .ask("short_reason", "审查时间少于7个工作日的理由", AskKind::LongText)
                .basis(ART_26)
                .look(Look::Primary),
            Transition::new(
                "legality_opinion",
                "出具合法性审查意见",
                &["legality_review"],
                To::Choose { targets: &["reviewed", "procedures"], choose: choose_legality },
                staff(Perm::LEGAL_REVIEW),
            )
            .guard(Guard::Input { field: "result", check: legality_consistent }, Some(ART_27))
            .guard(Guard::Field { name: "adviser_opinion", label: "法律顾问、公职律师的法律意见" }, Some(ART_28))
            .guard(Guard::Field { name: "opinion", label: "合法性审查意见" }, Some(ART_28))
            .ask("authority", "决策事项是否符合法定权限", AskKind::Choice(OK_BAD))
            .ask("procedure", "决策草案的形成是否履行相关法定程序", AskKind::Choice(OK_BAD))
            .ask("content", "决策草案内容是否符合法律、法规、规章和国家政策", AskKind::Choice(OK_BAD))
            .ask("adviser_opinion", "法律顾问、公职律师的法律意见", AskKind::LongText)
            .ask("result", "审查结论", AskKind::Choice(LEGALITY_RESULTS))
            .ask("legal_risk", "明示的法律风险（探索性改革事项）", AskKind::LongText)
            .ask("opinion", "合法性审查意见", AskKind::LongText)
            .basis(ART_27)
            .look(Look::Primary),
            Transition::new(
                "deliberate",
                "集体讨论决定",
                &["procedures", "reviewed"],
                To::Choose { targets: &["decided", "procedures"], choose: choose_meeting },
                staff(Perm::CASE_APPROVE),
            )
            .guard(Guard::Require { field: "legality", code: "legality_opinion_missing", label: "合法性审查意见", check: legality_on_record }, Some(ART_25))
            .guard(Guard::Require { field: "participation", code: "participation_missing", label: "公众参与", check: participation_settled }, Some(ART_29_2))
            .guard(Guard::Require { field: "expert", code: "expert_missing", label: "专家论证", check: expert_settled }, Some(ART_29_3))
            .guard(Guard::Require { field: "risk", code: "risk_missing", label: "风险评估", check: risk_settled }, Some(ART_29_4))
            .guard(Guard::Require { field: "fair_competition", code: "fair_competition_missing", label: "公平竞争审查", check: fair_settled }, Some(ART_29_1))
            .guard(Guard::Field { name: "meeting", label: "会议名称" }, Some(ART_30))
            .guard(Guard::Input { field: "head_last", check: head_last }, Some(ART_30))
            .guard(Guard::Input { field: "departure_reason", check: departure_reasoned }, Some(ART_30))
            .ask("meeting", "会议（常务会议或全体会议，如：市政府第12次常务会议）", AskKind::Text)
            .ask("meeting_on", "会议日期", AskKind::Date)
            .ask("majority", "会议组成人员的多数意见", AskKind::Choice(MAJORITY))
            .ask("head_last", "行政首长在会议组成人员发表意见后最后发表意见", AskKind::Choice(YES))
            .ask("result", "行政首长的决定", AskKind::Choice(MEETING_RESULTS))
            .ask("departure_reason", "决定与多数意见不一致的理由", AskKind::LongText)
            .ask("dissent", "不同意见（如实载明）", AskKind::LongText)
            .basis(ART_30)
            .look(Look::Primary)
            .hint("提交讨论的材料须齐全：合法性审查意见，以及公众参与、专家论证、风险评估、公平竞争审查的情况或不适用的理由"),
            Transition::new("party_report", "向同级党委请示报告", &["decided"], To::Same, staff(Perm::CASE_APPROVE))
                .guard(Guard::Field { name: "report", label: "请示报告情况" }, Some(ART_31))
                .ask("report", "请示报告情况（文号、日期、党委意见）", AskKind::LongText)
                .basis(ART_31)
                .look(Look::Primary),
            Transition::new("publish", "公布决策", &["decided"], To::State("published"), staff(Perm::CASE_APPROVE))
                .guard(Guard::Require { field: "party_report", code: "party_report_missing", label: "向同级党委请示报告", check: party_reported }, Some(ART_31))
                .ask("published_on", "公布日期（默认今天）", AskKind::Date)
                .ask("publication", "公布途径（政府公报、政府网站、报纸）及解读情况", AskKind::LongText)
                .ask("withheld_reason", "依法不予公开的理由（不公开时填写）", AskKind::LongText)
                .basis(ART_32)
                .look(Look::Primary),
            Transition::new("archive", "归档", &["decided", "published"], To::Same, handle)
                .ask("archived_on", "归档日期（默认今天）", AskKind::Date)
                .basis(ART_33),
            Transition::new("execution", "报告执行情况", &["published"], To::Same, handle)
                .guard(Guard::Field { name: "report", label: "执行情况" }, Some(ART_34))
                .ask("report", "执行情况（发现问题、客观情况重大变化的，一并报告）", AskKind::LongText)
                .basis(ART_34)
                .optional(),
            Transition::new("evaluate", "决策后评估", &["published"], To::Same, handle)
                .guard(Guard::Field { name: "trigger", label: "评估情形" }, Some(ART_36))
                .guard(Guard::Field { name: "evaluator", label: "承担评估工作的单位" }, Some(ART_36))
                .guard(Guard::Field { name: "report", label: "评估结论" }, Some(ART_36))
                .ask("trigger", "评估情形", AskKind::Choice(EVAL_TRIGGERS))
                .ask("evaluator", "承担评估具体工作的单位", AskKind::Text)
                .ask("report", "评估结论（含公众、人大代表、政协委员意见）", AskKind::LongText)
                .basis(ART_36)
                .optional(),
            Transition::new("close", "执行完毕", &["published"], To::State("closed"), handle)
                .guard(Guard::Check { label: "已归档", check: archived }, Some(ART_33))
                .basis(ART_33)
                .optional(),
            Transition::new("abandon", "终止决策", &["drafting", "procedures", "reviewed"], To::State("abandoned"), staff(Perm::CASE_APPROVE))
                .guard(Guard::Reason, None)
                .basis(ART_11)
                .look(Look::Danger)
                .optional(),
        ],
    }
});

/// The catalogue's own permission: compile the catalogue, record the Party committee's consent,
/// publish it (the 决策机关's office).
pub const CATALOGUE: Perm = super::super::roles::CATALOGUE;

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
    fn the_diagram_is_readable_with_no_arrow_through_a_box() {
        assert_eq!(crate::kernel::diagram::problems(&PROCEDURE), Vec::<String>::new());
    }
}
