//! The operations on 行政复议 cases, shared by the staff pages and the API: registering an
//! application (with the day it was received), a step, and the sweep that takes the system's
//! steps (补正 not made in time; the review period expired without a decision). Each runs in one
//! transaction: the kernel's case, the application's facts, the event.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use futures::FutureExt;

use crate::audit::{self, Actor, Changes, NewEvent};
use crate::auth::Caller;
use crate::auth::roles::Perm;
use crate::db::q;
use crate::error::{AppError, FieldError};
use crate::kernel::engine::{self, Authority, Clock, Input};
use crate::kernel::queries::{self as cases, CaseRow, NewCase};
use crate::model::{self, Application};
use crate::org::OrgKind;
use crate::org::queries as orgs;
use crate::queries::{self, AppRow};
use crate::roles::RECON_HANDLE;
use crate::rules::{self, PROCEDURE};
use crate::state::AppState;
use crate::time::{fmt_date, now_ms, parse_date, start_of_day_ms, today};

/// Who acts: a person or system with an API token, or the system itself (the sweep).
#[derive(Clone)]
pub enum Who {
    Caller(Box<Caller>),
    System,
    /// The office's own records brought in by the program (the demo city, imports): acts as
    /// the office's staff, recorded as the system.
    Import,
}

impl Who {
    pub fn of(c: &Caller) -> Who {
        Who::Caller(Box::new(c.clone()))
    }
    pub fn staff(s: &crate::auth::Staff) -> Who {
        Who::Caller(Box::new(Caller::Staff(s.clone())))
    }
    pub fn actor(&self) -> Actor {
        match self {
            Who::Caller(c) => c.actor(),
            Who::System | Who::Import => Actor::system(),
        }
    }
    fn allows(&self, perm: Perm, path: &str) -> bool {
        match self {
            Who::Caller(c) => c.allows(perm, Some("reconsideration"), path),
            Who::System => false,
            Who::Import => true,
        }
    }
}

/// One person's authority over one case (the case's unit path).
pub struct CaseAuthority<'a> {
    pub who: &'a Who,
    pub path: String,
}

impl Authority for CaseAuthority<'_> {
    fn staff_may(&self, perm: Perm) -> bool {
        self.who.allows(perm, &self.path)
    }
    fn is_filer(&self) -> bool {
        false
    }
    fn is_system(&self) -> bool {
        matches!(self.who, Who::System)
    }
}

/// The module facts the kernel's guards read, as of `day`.
pub fn flags(case: &CaseRow, a: &AppRow, day: NaiveDate) -> BTreeMap<String, bool> {
    let past = case.due_date().is_some_and(|d| day > d);
    let mut f = BTreeMap::new();
    f.insert("simple".into(), a.track.as_deref() == Some("simple"));
    f.insert("correction_lapsed".into(), case.state == "correction" && past);
    f.insert("review_lapsed".into(), case.state == "received" && past);
    f
}

/// The organs that receive applications: the city government and its departments (the 复议
/// 机构 sits in the justice bureau; vertical agencies keep their own).
pub fn may_receive(kind: OrgKind) -> bool {
    matches!(kind, OrgKind::City | OrgKind::Department)
}

pub struct Intake {
    pub case: CaseRow,
    pub duplicate: bool,
}

/// Register an application received on `app.received_on` (default today) at the unit
/// `app.org_id`. The review clock runs five working days from the day of receipt (Art. 30; 1999
/// law Art. 17). A paper application registered after its review period has expired is deemed
/// accepted at once, as the law deems it.
pub async fn register(state: &AppState, who: &Who, app: Application) -> Result<Intake, AppError> {
    register_on(state, who, app, today()).await
}

/// [`register`] as of `day` (tests of the previous law's cases).
pub async fn register_on(state: &AppState, who: &Who, app: Application, day: NaiveDate) -> Result<Intake, AppError> {
    let cal = state.calendar();
    let respondent = match app.respondent_org_id {
        Some(id) => orgs::get(&state.db, id).await?,
        None => None,
    };
    let checked = model::check(&app, respondent.is_some(), day, &cal);
    let mut errors: Vec<FieldError> = match &checked {
        Err(e) => e.field_errors().to_vec(),
        Ok(_) => vec![],
    };
    let org = match app.org_id {
        Some(id) => orgs::get(&state.db, id).await?,
        None => None,
    };
    let org = match org {
        Some(o) if o.active && may_receive(o.kind()) => {
            if !who.allows(RECON_HANDLE, &o.path) {
                errors.push(FieldError::new("org_id", "org_out_of_scope", "您只能为本单位登记行政复议申请"));
            }
            Some(o)
        }
        _ => {
            errors.push(FieldError::new("org_id", "organ_cannot_receive", "请选择收到申请的行政复议机关（市政府或市级部门）"));
            None
        }
    };
    let valid = match checked {
        Ok(v) if errors.is_empty() => v,
        Ok(v) => return Err(model_refusal(errors, model::respondent_basis(v.received_on))),
        Err(AppError::Refused { code, message, basis, .. }) => return Err(AppError::Refused { code, message, basis, fields: errors }),
        Err(e) => return Err(e),
    };
    let org = org.ok_or_else(|| AppError::internal("org checked"))?;
    let respondent_name = match &respondent {
        Some(r) => r.name.clone(),
        None => valid.respondent_name.clone(),
    };
    let actor = who.actor();
    let received = valid.received_on;
    let rule = PROCEDURE.deadline("review", received).ok_or_else(|| AppError::internal("review rule"))?.clone();
    let title: String = format!("{}：{}", respondent_name, valid.act_title).chars().take(60).collect();
    let cal2 = cal.clone();
    let intake = state
        .db
        .write(move |tx| {
            async move {
                if let Some(k) = &valid.idempotency_key {
                    if let Some(id) = queries::by_idempotency_key(tx, k).await? {
                        let case = cases::get(&mut *tx, id).await?.ok_or_else(|| AppError::internal("duplicate vanished"))?;
                        return Ok(Intake { case, duplicate: true });
                    }
                }
                let clock = Clock {
                    rule: Some(rule.code.into()),
                    started_on: Some(received),
                    due_on: Some(engine::add_days(&cal2, rule.unit, rule.rollover, received, rule.days)),
                    ..Clock::default()
                };
                let opened_at = if received == today() { now_ms() } else { start_of_day_ms(received) + 9 * 3600 * 1000 };
                let case = cases::create(
                    tx,
                    NewCase {
                        procedure: &PROCEDURE,
                        title,
                        org_id: org.id,
                        org_code: org.code.clone(),
                        assignee_id: None,
                        opened_at,
                        state: "received",
                        clock,
                        closed: false,
                    },
                    &cal2,
                )
                .await?;
                queries::insert(tx, case.id, &valid, &respondent_name).await?;
                let changes = Changes::new()
                    .created("申请方式", rules::label(rules::CHANNELS, &valid.channel))
                    .created("被申请人", respondent_name.clone())
                    .created("行政行为", valid.act_title.clone())
                    .created("收到申请日期", fmt_date(received))
                    .created("受理审查期限", case.due_on.clone())
                    .created(
                        "适用法律",
                        if received < rules::new_law_from() {
                            "修订前的《行政复议法》及2007年实施条例"
                        } else {
                            "《行政复议法》（2023年修订）"
                        },
                    );
                audit::record_at(
                    tx,
                    &actor,
                    NewEvent::new("case", case.id, "intake", "登记行政复议申请").changes(changes).reason(Some(format!("依据：{}", rule.basis.full()))),
                    opened_at,
                )
                .await?;
                Ok(Intake { case, duplicate: false })
            }
            .boxed()
        })
        .await?;
    if intake.duplicate {
        return Ok(intake);
    }
    // A letter that lay unregistered past the review period: the law deems it accepted.
    if intake.case.due_date().is_some_and(|d| day > d) {
        let case = run_step(state, &Who::System, intake.case.id, None, "deemed_accepted", StepForm::default(), day).await?;
        return Ok(Intake { case, duplicate: false });
    }
    Ok(intake)
}

fn model_refusal(fields: Vec<FieldError>, basis: crate::kernel::definition::Basis) -> AppError {
    let message = match fields.as_slice() {
        [one] => one.message.clone(),
        [first, ..] => format!("{}（另有 {} 处需要修改）", first.message, fields.len() - 1),
        [] => "申请内容不完整".into(),
    };
    AppError::Refused { code: "application_incomplete".into(), message, basis: vec![basis.full()], fields }
}

/// A step as submitted.
#[derive(Clone, Debug, Default)]
pub struct StepForm {
    pub reason: Option<String>,
    pub fields: BTreeMap<String, String>,
    pub days: Option<u32>,
}

/// Take a step. `seen_version`: the version the person saw (stale → 409). A case the caller may
/// not read is not found.
pub async fn step(state: &AppState, who: &Who, id: i64, seen_version: Option<i64>, action: &str, form: StepForm) -> Result<CaseRow, AppError> {
    step_on(state, who, id, seen_version, action, form, today()).await
}

/// [`step`] as of `day` (tests of clocks).
pub async fn step_on(
    state: &AppState,
    who: &Who,
    id: i64,
    seen_version: Option<i64>,
    action: &str,
    form: StepForm,
    day: NaiveDate,
) -> Result<CaseRow, AppError> {
    let (case, _) = queries::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let path = crate::kernel::access::org_path(state, case.org_id).await?;
    if !who.allows(Perm::CASE_READ, &path) {
        return Err(crate::kernel::access::not_found());
    }
    run_step(state, who, id, seen_version, action, form, day).await
}

/// The day a case counts as accepted when the law deems it so: from the expiry of the review
/// period under the 2023 law (Art. 30 ¶3), from receipt under the 1999 law (Art. 17 ¶2).
pub fn deemed_acceptance_day(case: &CaseRow) -> NaiveDate {
    let start = case.clock_started_on.as_deref().and_then(parse_date).unwrap_or_else(|| case.opened_date());
    if case.opened_date() < rules::new_law_from() { start } else { case.due_date().unwrap_or(start) }
}

async fn run_step(state: &AppState, who: &Who, id: i64, seen_version: Option<i64>, action: &str, form: StepForm, day: NaiveDate) -> Result<CaseRow, AppError> {
    let cal = state.calendar();
    let overrides = crate::settings::procedure_overrides(&state.db, "reconsideration").await?;
    let who = who.clone();
    let action = action.to_string();
    let path = {
        let c = cases::get(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
        crate::kernel::access::org_path(state, c.org_id).await?
    };
    state
        .db
        .write(move |tx| {
            async move {
                let case = cases::load_for_change(tx, id, seen_version).await?;
                let a = queries::application(&mut *tx, id).await?.ok_or_else(crate::kernel::access::not_found)?;
                let auth = CaseAuthority { who: &who, path };
                let mut input = Input { reason: form.reason.clone(), fields: form.fields.clone(), attachments: 0, days: form.days, clock_days: None };
                let old_law = case.opened_date() < rules::new_law_from();
                if action == "request_correction" && old_law {
                    // The notice states its own period (a local default otherwise).
                    input.clock_days = Some(input.days.unwrap_or_else(|| overrides.get("old_correction_days").copied().unwrap_or(rules::OLD_CORRECTION_DAYS)));
                }
                if action == "approve_extension" && input.days.is_none() {
                    input.days = a.extension_requested_days.map(|d| d as u32);
                }
                let facts = case.facts(flags(&case, &a, day));
                // The system's acceptance counts from the day the law names, not the sweep's.
                let step_day = if action == "deemed_accepted" { deemed_acceptance_day(&case) } else { day };
                let mut plan = engine::plan(&PROCEDURE, &facts, &action, &auth, &input, step_day, &cal, &overrides).map_err(AppError::from)?;
                if action == "convert_to_ordinary" {
                    // Art. 62: the 60 days run from acceptance, not from the conversion.
                    if let Some(acc) = a.accepted_on.as_deref().and_then(parse_date) {
                        plan.clock.started_on = Some(acc);
                        plan.clock.due_on = Some(cal.add_calendar_days(acc, 60, true));
                    }
                }
                let d = fmt_date(step_day);
                let mut extra = Changes::new();
                match action.as_str() {
                    "accept" | "accept_simple" | "deemed_accepted" => {
                        let track = if action == "accept_simple" { "simple" } else { "ordinary" };
                        q("UPDATE recon_applications SET track = $1, accepted_on = $2, deemed_accepted = $3 WHERE case_id = $4")
                            .bind(track)
                            .bind(d.clone())
                            .bind(action == "deemed_accepted")
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("审理程序", serde_json::Value::Null, rules::label(rules::TRACKS, track)).set(
                            "受理日期",
                            serde_json::Value::Null,
                            d.clone(),
                        );
                    }
                    "convert_to_ordinary" => {
                        q("UPDATE recon_applications SET track = 'ordinary' WHERE case_id = $1").bind(id).execute(&mut *tx).await?;
                        extra = extra.set("审理程序", "简易程序", "普通程序");
                    }
                    "request_correction" => {
                        q("UPDATE recon_applications SET correction_items = $1, correction_due_on = $2 WHERE case_id = $3")
                            .bind(input.field("correction_items"))
                            .bind(plan.clock.due_on.map(fmt_date))
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("补正事项", serde_json::Value::Null, input.field("correction_items"));
                    }
                    "record_correction" => {
                        q("UPDATE recon_applications SET corrected_on = $1 WHERE case_id = $2").bind(d.clone()).bind(id).execute(&mut *tx).await?;
                        extra = extra.set("补正内容", serde_json::Value::Null, input.field("correction_text"));
                    }
                    "reject" => {
                        let ground = input.field("ground").unwrap_or("");
                        q("UPDATE recon_applications SET reject_ground = $1, competent_organ = $2, outcome = 'rejected', concluded_on = $3 WHERE case_id = $4")
                            .bind(ground)
                            .bind(input.field("competent_organ"))
                            .bind(d.clone())
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("不予受理理由", serde_json::Value::Null, rules::label(rules::REJECT_GROUNDS, ground));
                    }
                    "correction_lapsed" => {
                        q("UPDATE recon_applications SET outcome = 'abandoned', concluded_on = $1 WHERE case_id = $2")
                            .bind(d.clone())
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    "request_extension" => {
                        q("UPDATE recon_applications SET extension_requested_days = $1 WHERE case_id = $2")
                            .bind(input.days.map(i64::from))
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("申请延长天数", serde_json::Value::Null, input.days);
                    }
                    "approve_extension" => {
                        extra = extra.set("延长天数", serde_json::Value::Null, input.days);
                    }
                    "propose_decision" => {
                        let code = input.field("decision_type").unwrap_or("");
                        q("UPDATE recon_applications SET decision_type = $1, decision_basis = $2, decision_text = $3 WHERE case_id = $4")
                            .bind(code)
                            .bind(input.field("decision_basis"))
                            .bind(input.field("decision_text"))
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        let article = rules::decision_type(code, case.opened_date()).map(|t| t.article).unwrap_or("");
                        extra = extra.set("决定类型", serde_json::Value::Null, format!("{}（{}）", rules::decision_label(code), article)).set(
                            "法律依据",
                            serde_json::Value::Null,
                            input.field("decision_basis"),
                        );
                    }
                    "approve_decision" => {
                        let on_time = case.due_date().is_none_or(|due| step_day <= due);
                        q("UPDATE recon_applications SET decided_on = $1, decided_on_time = $2, outcome = 'decided', concluded_on = $1 WHERE case_id = $3")
                            .bind(d.clone())
                            .bind(on_time)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("按期作出决定", serde_json::Value::Null, on_time);
                    }
                    "serve" => {
                        q("UPDATE recon_applications SET served_on = $1 WHERE case_id = $2").bind(d.clone()).bind(id).execute(&mut *tx).await?;
                        extra = extra.set("送达方式", serde_json::Value::Null, input.field("service_method"));
                    }
                    "mediate" | "withdraw" | "terminate" => {
                        let outcome = match action.as_str() {
                            "mediate" => "mediated",
                            "withdraw" if input.field("settled") == Some("yes") => "settled",
                            "withdraw" => "withdrawn",
                            _ => "terminated",
                        };
                        q("UPDATE recon_applications SET outcome = $1, concluded_on = $2 WHERE case_id = $3")
                            .bind(outcome)
                            .bind(d.clone())
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        if let Some(g) = input.field("ground") {
                            extra = extra.set("终止情形", serde_json::Value::Null, rules::label(rules::TERMINATE_GROUNDS, g));
                        }
                        if let Some(t) = input.field("agreement") {
                            extra = extra.set("调解协议", serde_json::Value::Null, t);
                        }
                    }
                    "suspend" => {
                        if let Some(g) = input.field("ground") {
                            extra = extra.set("中止情形", serde_json::Value::Null, rules::label(rules::SUSPEND_GROUNDS, g));
                        }
                    }
                    _ => {}
                }
                let actor = who.actor();
                let updated = cases::apply(tx, &PROCEDURE, &case, &plan, &actor, input.reason.clone(), extra, now_ms(), &cal).await?;
                let unit = orgs::get(&mut *tx, case.org_id).await?.map(|o| o.name).unwrap_or_default();
                crate::notify::tell_citizen(tx, &PROCEDURE, &action, &updated, a.phone.as_deref(), &unit, "").await?;
                Ok(updated)
            }
            .boxed()
        })
        .await
}

/// What a sweep did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub abandoned: usize,
    pub deemed_accepted: usize,
    pub letters_escalated: usize,
}

/// The system's steps as of `day`: 补正 periods passed (Art. 31 ¶2), review periods expired
/// without a decision (Art. 30 ¶3; 1999 law Art. 17 ¶2), and 意见书 / 建议书 unanswered past
/// their date escalated to both units.
pub async fn sweep(state: &AppState, day: NaiveDate) -> Result<SweepReport, AppError> {
    let mut report = SweepReport::default();
    for (id, st) in queries::system_due(&state.db, &fmt_date(day)).await? {
        let action = if st == "correction" { "correction_lapsed" } else { "deemed_accepted" };
        match run_step(state, &Who::System, id, None, action, StepForm::default(), day).await {
            Ok(_) if action == "correction_lapsed" => report.abandoned += 1,
            Ok(_) => report.deemed_accepted += 1,
            Err(e) => tracing::warn!(case = id, error = %e, "reconsideration system step not applied"),
        }
    }
    report.letters_escalated = crate::letters::escalate(state, day).await?;
    Ok(report)
}

impl Who {
    /// Letters are not cases of a procedure: the grant's procedures do not narrow them.
    pub fn allows_letter(&self, perm: Perm, path: &str) -> bool {
        match self {
            Who::Caller(c) => c.allows(perm, Some("reconsideration"), path) || (perm != RECON_HANDLE && c.allows(perm, None, path)),
            Who::System => false,
            Who::Import => true,
        }
    }
    pub fn user_id(&self) -> Option<i64> {
        match self {
            Who::Caller(c) => c.staff().map(|s| s.id),
            Who::System | Who::Import => None,
        }
    }
}

impl Who {
    /// `perm` over a unit for the cases of `procedure`.
    pub fn allows_in(&self, perm: Perm, procedure: &str, path: &str) -> bool {
        match self {
            Who::Caller(c) => c.allows(perm, Some(procedure), path),
            Who::System => false,
            Who::Import => true,
        }
    }
}
