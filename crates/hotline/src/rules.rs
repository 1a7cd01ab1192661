//! The 12345 hotline ticket (工单) and the 市长信箱 letter, as a procedure.
//!
//! Sources (LEGAL-RULES.md §5): 国办发〔2020〕53号 requires the closed loop 受理、派单、办理、
//! 答复、督办、办结、回访、评价 [S]; GB/T 33358-2016 sets service levels and confidential handling
//! [S]; no national numeric deadline exists [U]. The time limits, returns, extensions and the
//! callback are therefore the city's own rules (本市12345工作规范): citizens and staff read them
//! under the name and date the administrator gives that document (系统管理 › 热线目录与规则); the
//! numbers are settings. The model they were drafted from — 潍坊市12345政务服务便民热线条例, a
//! Shandong regulation, and the 山东省 measures — is offered to the administrator as an example
//! (`/hotline/catalogue/example`), never cited to users of a city elsewhere.

use std::sync::LazyLock;

use crate::auth::Perm;
use crate::kernel::definition::*;
use crate::kernel::engine::{CaseFacts, Input};

pub const OPINION_53: Basis = Basis::secondary(
    "国务院办公厅关于进一步优化地方政务服务便民热线的指导意见（国办发〔2020〕53号）",
    "二、（三）",
    "建立受理、派单、办理、答复、督办、办结、回访、评价的闭环",
);
/// The default name of the city's own 12345 working rules, until the administrator names them.
pub const LOCAL_RULES: &str = "本市12345政务服务便民热线工作规范";
pub const LOCAL_NOT_ACCEPT: Basis = Basis::local(LOCAL_RULES, "“受理范围”", "不属于受理范围的不予受理，告知诉求人理由和依法可以采取的途径");
pub const LOCAL_HANDLE: Basis =
    Basis::local(LOCAL_RULES, "“办理时限”", "承办单位一般在5个工作日内办结，诉求类别另有时限的从其规定；法律法规另有规定的从其规定");
pub const LOCAL_RETURN: Basis = Basis::local(
    LOCAL_RULES,
    "“退单与延期”",
    "非本单位职责的，说明理由申请退回，经热线工作机构审核；指定承办的不得退回；不能按期办结的说明理由申请延期，一般不超过10个工作日",
);
pub const GBT_33358: Basis = Basis::secondary("政府热线服务规范（GB/T 33358-2016）", "", "信件类诉求24小时内响应；来电人要求保密的应保密办理");
pub const MAILBOX_LOCAL: Basis = Basis::local(LOCAL_RULES, "“市长信箱”", "来信按诉求类别的时限或信箱办理时限办理；属于信访事项的按《信访工作条例》办理");
pub const LOCAL_CALLBACK: Basis = Basis::local(LOCAL_RULES, "“回访评价”", "热线工作机构对办理情况回访，诉求人对办理结果评价；不满意的可以要求重新办理");
pub const SUPERVISE_53: Basis = Basis::secondary(
    "国务院办公厅关于进一步优化地方政务服务便民热线的指导意见（国办发〔2020〕53号）",
    "二、（四）",
    "对逾期未办、推诿扯皮、群众不满意的诉求进行督办",
);

/// Outcomes of a callback.
pub const EVALUATIONS: &[(&str, &str)] = &[("satisfied", "满意"), ("basically", "基本满意"), ("dissatisfied", "不满意")];
/// Routes told to a caller whose matter is not accepted.
pub const ALT_ROUTES: &[(&str, &str)] = &[
    ("litigation", "向人民法院提起诉讼"),
    ("arbitration", "申请仲裁"),
    ("reconsideration", "申请行政复议"),
    ("petition", "按《信访工作条例》提出信访事项"),
    ("disclosure", "提出政府信息公开申请"),
    ("police", "向公安机关报警（110）"),
    ("other_org", "向其他有权机关反映"),
    ("not_government", "不属于政府职责，已解释说明"),
];

fn after_review(case: &CaseFacts, _: &Input) -> &'static str {
    if case.flag("wants_reply") { "callback" } else { "closed" }
}

fn reopen_needs_dissatisfied(ctx: &GuardCtx<'_>) -> Result<(), String> {
    match ctx.input.field("evaluation") {
        Some("dissatisfied") => Ok(()),
        Some(_) => Err("满意或基本满意的应办结，不能重办".into()),
        None => Err("请选择评价结果".into()),
    }
}

fn close_needs_satisfied(ctx: &GuardCtx<'_>) -> Result<(), String> {
    match ctx.input.field("evaluation") {
        Some("satisfied" | "basically") => Ok(()),
        Some("dissatisfied") => Err("评价为不满意的，应退回承办单位重办".into()),
        Some(_) => Err("评价结果只能是满意、基本满意或不满意".into()),
        None => Err("请选择评价结果".into()),
    }
}

fn not_designated(ctx: &GuardCtx<'_>) -> Result<(), String> {
    if ctx.case.flag("designated") { Err("该工单由热线工作机构指定承办，不得退回".into()) } else { Ok(()) }
}

const OPEN: &[&str] =
    &["received", "accepted", "dispatched", "handling", "return_requested", "extension_requested", "termination_requested", "replied", "callback"];

pub static PROCEDURE: LazyLock<Procedure> = LazyLock::new(|| {
    let handle = DeadlineRule {
        code: "handle",
        name: "承办单位办理时限",
        days: 5,
        unit: DayUnit::WorkingDays,
        rollover: false,
        due_soon_days: 1,
        starts_on: &["dispatch", "reassign", "callback_reopen", "rate_reopen"],
        basis: LOCAL_HANDLE,
        validity: Validity::ALWAYS,
        setting: Some("handle_days"),
    };
    let mailbox = DeadlineRule {
        code: "mailbox",
        name: "市长信箱来信办理时限（信件按类别时限或此值）",
        days: 10,
        unit: DayUnit::WorkingDays,
        rollover: false,
        due_soon_days: 2,
        starts_on: &["dispatch"],
        basis: MAILBOX_LOCAL,
        validity: Validity::ALWAYS,
        setting: Some("mailbox_days"),
    };
    let staff = Taker::Staff;
    Procedure {
        code: "hotline",
        name: "12345 热线工单",
        law: "国办发〔2020〕53号；GB/T 33358-2016；本地热线管理规定",
        initial: "received",
        number_pattern: "{year}{seq:07}",
        page_prefix: "/hotline/tickets/",
        api_prefix: "/api/v1/hotline/tickets/",
        states: vec![
            StateDef::open("received", "待受理", "来电、来信或网上诉求已登记，等待话务员受理"),
            StateDef::open("accepted", "待派单", "已受理，等待派单员派给承办单位"),
            StateDef::open("dispatched", "待签收", "已派单，等待承办单位签收"),
            StateDef::open("handling", "办理中", "承办单位正在办理"),
            StateDef::approval("return_requested", "退单待审", "承办单位申请退单，等待热线工作机构审核"),
            StateDef::approval("extension_requested", "延期待审", "承办单位申请延期，等待热线工作机构审核"),
            StateDef::approval("termination_requested", "终止待审", "承办单位申请终止办理，等待审核"),
            StateDef::approval("replied", "待审核", "承办单位已答复，等待热线工作机构审核办理结果"),
            StateDef::open("callback", "待回访", "等待回访诉求人并请其评价"),
            StateDef::end("closed", "已办结", "办理完毕"),
            StateDef::end("not_accepted", "不予受理", "不属于热线受理范围，已告知理由和途径"),
            StateDef::end("answered", "直接答复", "话务员依据知识库当即答复，直接办结"),
            StateDef::end("merged", "已合并", "与另一工单为同一诉求，已并入该工单"),
            StateDef::end("terminated", "已终止", "经审核终止办理"),
        ],
        deadlines: vec![handle, mailbox],
        transitions: vec![
            Transition::new("accept", "受理", &["received"], To::State("accepted"), staff(crate::roles::INTAKE))
                .basis(OPINION_53)
                .look(Look::Primary)
                .tell("【12345】您反映的诉求已受理，工单编号{no}。可凭编号和手机号查询进度：{url}"),
            Transition::new("not_accept", "不予受理", &["received"], To::State("not_accepted"), staff(crate::roles::INTAKE))
                .guard(Guard::Reason, Some(LOCAL_NOT_ACCEPT))
                .guard(Guard::Field { name: "alt_route", label: "告知的途径" }, Some(LOCAL_NOT_ACCEPT))
                .ask("alt_route", "告知的途径", AskKind::Choice(ALT_ROUTES))
                .basis(LOCAL_NOT_ACCEPT)
                .look(Look::Danger),
            Transition::new("answer_directly", "直接答复办结", &["received"], To::State("answered"), staff(crate::roles::INTAKE))
                .guard(Guard::Field { name: "answer", label: "答复内容" }, None)
                .ask("answer", "答复内容（知识库）", AskKind::LongText)
                .basis(OPINION_53)
                .hint("话务员依据知识库当即答复的，直接办结，单独统计"),
            Transition::new("merge", "合并重复工单", &["received", "accepted"], To::State("merged"), staff(crate::roles::INTAKE))
                .optional()
                .guard(Guard::Field { name: "merge_into", label: "并入的工单编号" }, None)
                .ask("merge_into", "并入的工单编号", AskKind::Text)
                .basis(OPINION_53)
                .hint("同一诉求人就同一事项重复反映的，并入在办工单"),
            Transition::new("dispatch", "派单", &["accepted"], To::State("dispatched"), staff(crate::roles::DISPATCH))
                .guard(Guard::Field { name: "org", label: "承办单位" }, None)
                .ask("org", "承办单位（主办）", AskKind::Org)
                .ask("co_orgs", "协办单位（可多选）", AskKind::Orgs)
                .clock(ClockEffect::Start("handle"))
                .basis(LOCAL_HANDLE)
                .look(Look::Primary)
                .tell("【12345】您的诉求（工单{no}）已交{unit}办理，办理期限{due}。查询：{url}"),
            Transition::new("reassign", "改派", &["dispatched", "handling"], To::State("dispatched"), staff(crate::roles::DISPATCH))
                .optional()
                .guard(Guard::Reason, None)
                .guard(Guard::Field { name: "org", label: "新的承办单位" }, None)
                .ask("org", "新的承办单位", AskKind::Org)
                .ask("co_orgs", "协办单位（可多选）", AskKind::Orgs)
                .clock(ClockEffect::Start("handle"))
                .basis(LOCAL_RETURN)
                .tell("【12345】您的诉求（工单{no}）已改由{unit}办理，办理期限{due}。查询：{url}"),
            Transition::new("sign", "签收", &["dispatched"], To::State("handling"), staff(Perm::CASE_HANDLE)).basis(OPINION_53).look(Look::Primary),
            Transition::new("request_return", "申请退单", &["dispatched", "handling"], To::State("return_requested"), staff(Perm::CASE_HANDLE))
                .optional()
                .guard(Guard::Reason, Some(LOCAL_RETURN))
                .guard(Guard::WithinWorkingDays { since: Since::ClockStart, days: 2 }, Some(LOCAL_RETURN))
                .guard(Guard::Check { label: "非指定承办", check: not_designated }, Some(LOCAL_RETURN))
                .ask("suggest_org", "建议承办单位（可选）", AskKind::Org)
                .basis(LOCAL_RETURN),
            Transition::new("approve_return", "同意退单", &["return_requested"], To::State("accepted"), staff(crate::roles::DISPATCH))
                .clock(ClockEffect::Stop)
                .basis(LOCAL_RETURN)
                .hint("工单回到待派单，重新派给正确的单位"),
            Transition::new("reject_return", "驳回退单", &["return_requested"], To::Previous, staff(crate::roles::DISPATCH))
                .guard(Guard::Reason, None)
                .basis(LOCAL_RETURN),
            Transition::new("request_extension", "申请延期", &["handling"], To::State("extension_requested"), staff(Perm::CASE_HANDLE))
                .optional()
                .guard(Guard::Reason, Some(LOCAL_RETURN))
                .guard(Guard::Input { field: "days", check: extension_days_requested }, Some(LOCAL_RETURN))
                .ask("days", "申请延长的工作日数（不超过10）", AskKind::Days)
                .basis(LOCAL_RETURN),
            Transition::new("approve_extension", "同意延期", &["extension_requested"], To::State("handling"), staff(crate::roles::DISPATCH))
                .clock(ClockEffect::Extend { max_days: 10, max_times: 1, basis: LOCAL_RETURN })
                .ask("days", "批准延长的工作日数", AskKind::Days)
                .basis(LOCAL_RETURN)
                .tell("【12345】您的诉求（工单{no}）办理期限已依规延长至{due}。查询：{url}"),
            Transition::new("reject_extension", "驳回延期", &["extension_requested"], To::State("handling"), staff(crate::roles::DISPATCH))
                .guard(Guard::Reason, None)
                .basis(LOCAL_RETURN),
            Transition::new("reply", "答复", &["handling", "extension_requested"], To::State("replied"), staff(Perm::CASE_HANDLE))
                .guard(Guard::Field { name: "reply", label: "答复内容" }, Some(OPINION_53))
                .ask("reply", "办理结果与答复内容", AskKind::LongText)
                .ask("files", "证据材料（照片、文书）", AskKind::Files)
                .clock(ClockEffect::Pause)
                .basis(OPINION_53)
                .look(Look::Primary)
                .hint("诉求人不需要答复的，仍须填写办理结果，供审核和回访"),
            Transition::new("request_termination", "申请终止", &["handling"], To::State("termination_requested"), staff(Perm::CASE_HANDLE))
                .optional()
                .guard(Guard::Reason, Some(LOCAL_RETURN))
                .basis(LOCAL_RETURN),
            Transition::new("approve_termination", "同意终止", &["termination_requested"], To::State("terminated"), staff(crate::roles::DISPATCH))
                .guard(Guard::Reason, None)
                .basis(LOCAL_RETURN)
                .look(Look::Danger)
                .tell("【12345】您的诉求（工单{no}）已依规终止办理，理由见：{url}"),
            Transition::new("reject_termination", "驳回终止", &["termination_requested"], To::Previous, staff(crate::roles::DISPATCH))
                .guard(Guard::Reason, None)
                .basis(LOCAL_RETURN),
            Transition::new(
                "review_pass",
                "审核通过",
                &["replied"],
                To::Choose { targets: &["callback", "closed"], choose: after_review },
                staff(crate::roles::DISPATCH),
            )
            .clock(ClockEffect::Stop)
            .basis(OPINION_53)
            .look(Look::Primary)
            .hint("诉求人要求回复的进入回访，否则直接办结")
            .tell("【12345】您的诉求（工单{no}）已办理答复，请查看答复并评价：{url}"),
            Transition::new("review_reject", "审核退回", &["replied"], To::State("handling"), staff(crate::roles::DISPATCH))
                .guard(Guard::Reason, None)
                .clock(ClockEffect::Resume)
                .basis(OPINION_53)
                .hint("办理结果不合格的退回承办单位继续办理，审核期间不计入办理时限"),
            Transition::new("callback_close", "回访并办结", &["callback"], To::State("closed"), staff(crate::roles::CALLBACK))
                .guard(Guard::Input { field: "evaluation", check: close_needs_satisfied }, Some(LOCAL_CALLBACK))
                .ask("evaluation", "评价结果", AskKind::Choice(&[("satisfied", "满意"), ("basically", "基本满意")]))
                .ask("comment", "诉求人意见", AskKind::Text)
                .basis(LOCAL_CALLBACK)
                .look(Look::Primary),
            Transition::new("callback_reopen", "回访不满意·重办", &["callback"], To::State("handling"), staff(crate::roles::CALLBACK))
                .guard(Guard::Input { field: "evaluation", check: reopen_needs_dissatisfied }, Some(LOCAL_CALLBACK))
                .guard(Guard::Field { name: "comment", label: "诉求人的不满意意见" }, Some(LOCAL_CALLBACK))
                .ask("evaluation", "评价结果", AskKind::Choice(&[("dissatisfied", "不满意")]))
                .ask("comment", "诉求人的不满意意见", AskKind::Text)
                .clock(ClockEffect::Start("handle"))
                .basis(LOCAL_CALLBACK)
                .hint("退回原承办单位重新办理，重新计算办理时限"),
            Transition::new("close_unreached", "无法回访·办结", &["callback"], To::State("closed"), staff(crate::roles::CALLBACK))
                .optional()
                .guard(Guard::Reason, None)
                .basis(LOCAL_CALLBACK)
                .hint("多次联系不上诉求人的，说明情况后办结，不计入评价"),
            Transition::new("rate_close", "评价并办结", &["callback"], To::State("closed"), Taker::Citizen)
                .guard(Guard::Input { field: "evaluation", check: close_needs_satisfied }, Some(LOCAL_CALLBACK))
                .basis(LOCAL_CALLBACK),
            Transition::new("rate_reopen", "不满意·要求重办", &["callback"], To::State("handling"), Taker::Citizen)
                .guard(Guard::Input { field: "evaluation", check: reopen_needs_dissatisfied }, Some(LOCAL_CALLBACK))
                .guard(Guard::Field { name: "comment", label: "不满意的原因" }, Some(LOCAL_CALLBACK))
                .clock(ClockEffect::Start("handle"))
                .basis(LOCAL_CALLBACK),
            Transition::new("supervise", "督办", OPEN, To::Same, staff(Perm::SUPERVISE))
                .optional()
                .guard(Guard::Reason, Some(SUPERVISE_53))
                .guard(Guard::Check { label: "尚未督办", check: |c| if c.case.flag("supervised") { Err("该工单已在督办中".into()) } else { Ok(()) } }, None)
                .basis(SUPERVISE_53),
        ],
    }
});

fn extension_days_requested(ctx: &GuardCtx<'_>) -> Result<(), String> {
    match ctx.input.days {
        None | Some(0) => Err("请填写申请延长的工作日数".into()),
        Some(d) if d > 10 => Err("延期一般不超过 10 个工作日".into()),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definition_is_consistent() {
        PROCEDURE.validate().unwrap();
        // Every non-terminal state has a way forward; every terminal state none.
        for s in &PROCEDURE.states {
            let out = PROCEDURE.transitions.iter().filter(|t| t.from.contains(&s.code) && t.action != "supervise").count();
            assert_eq!(out == 0, s.terminal, "state {}", s.code);
        }
        // Every rule and step carries a basis.
        for t in &PROCEDURE.transitions {
            assert!(t.basis.is_some(), "{} has no basis", t.action);
        }
    }

    #[test]
    fn the_diagram_is_readable_with_no_arrow_through_a_box() {
        assert_eq!(crate::kernel::diagram::problems(&PROCEDURE), Vec::<String>::new());
    }
}
