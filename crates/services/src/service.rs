//! The operations of government services, shared by the staff pages and the tests: adding an
//! item to the catalogue, taking in an application (online or at a counter, with the day it
//! arrived), and a step. Each runs in one transaction: the kernel's case, the application's
//! facts, the event.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use futures::FutureExt;
use serde::Serialize;

use crate::audit::{self, Actor, Changes, NewEvent};
use crate::auth::Caller;
use crate::auth::roles::Perm;
use crate::db::{Db, Ex, q};
use crate::error::{AppError, FieldError};
use crate::kernel::engine::{self, Authority, Clock, Input};
use crate::kernel::queries::{self as cases, CaseRow, NewCase};
use crate::org::queries as orgs;
use crate::rules::{self, PROCEDURE};
use crate::state::AppState;
use crate::time::{fmt_date, now_ms, parse_date, start_of_day_ms, today};

const P: &str = rules::CODE;

/// Who acts: a person or a system with an API token, the system itself (the sweep), or the
/// office's own records brought in by the program (the demo, imports, samples).
#[derive(Clone)]
pub enum Who {
    Caller(Box<Caller>),
    /// A citizen or firm whose phone the portal verified: applies online for itself, nothing else.
    Citizen(Box<crate::auth::Citizen>),
    System,
    Import,
}

impl Who {
    pub fn staff(s: &crate::auth::Staff) -> Who {
        Who::Caller(Box::new(Caller::Staff(s.clone())))
    }
    pub fn actor(&self) -> Actor {
        match self {
            Who::Caller(c) => c.actor(),
            Who::Citizen(c) => c.actor(),
            Who::System | Who::Import => Actor::system(),
        }
    }
    pub fn allows(&self, perm: Perm, path: &str) -> bool {
        match self {
            Who::Caller(c) => c.allows(perm, Some(P), path),
            Who::Citizen(_) | Who::System => false,
            Who::Import => true,
        }
    }
}

struct CaseAuthority<'a> {
    who: &'a Who,
    path: String,
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

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct ItemRow {
    pub id: i64,
    pub org_id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub basis: String,
    pub statutory_days: i64,
    pub committed_days: i64,
    pub online_level: String,
    pub reform_mode: String,
    pub transferred: bool,
    /// The catalogue version now in force (an application keeps the one it was filed under).
    pub version: i64,
}

pub const ITEM_COLS: &str = "id, org_id, code, name, kind, basis, statutory_days, committed_days, online_level, reform_mode, transferred, version";

pub async fn item<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Option<ItemRow>, AppError> {
    q(format!("SELECT {ITEM_COLS} FROM svc_items WHERE id = $1")).bind(id).fetch_optional(ex).await
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct AppRow {
    pub case_id: i64,
    pub item_id: i64,
    pub channel: String,
    pub applicant: String,
    pub applicant_phone: Option<String>,
    pub received_on: String,
    pub statutory_days: i64,
    pub committed_days: i64,
    pub reform_mode: String,
    pub accepted_on: Option<String>,
    pub outcome: Option<String>,
    pub decided_on: Option<String>,
    /// The catalogue version in force when it was filed (none for applications filed before versions were kept).
    pub item_version: Option<i64>,
}

const APP_COLS: &str = "case_id, item_id, channel, applicant, applicant_phone, received_on, statutory_days, committed_days, reform_mode, accepted_on, outcome, decided_on, item_version";

pub async fn application<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Option<AppRow>, AppError> {
    q(format!("SELECT {APP_COLS} FROM svc_applications WHERE case_id = $1")).bind(id).fetch_optional(ex).await
}

pub async fn load(db: &Db, id: i64) -> Result<Option<(CaseRow, AppRow)>, AppError> {
    let Some(c) = cases::get(db, id).await? else { return Ok(None) };
    if c.procedure != P {
        return Ok(None);
    }
    Ok(application(db, id).await?.map(|a| (c, a)))
}

fn text(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

fn refused(code: &'static str, errors: Vec<FieldError>, basis: Vec<String>) -> AppError {
    let message = if errors.len() == 1 { errors[0].message.clone() } else { format!("{}（另有 {} 处需要修改）", errors[0].message, errors.len() - 1) };
    AppError::Refused { code: code.into(), message, basis, fields: errors }
}

/// An item of the catalogue as submitted.
#[derive(Clone, Debug, Default)]
pub struct NewItem {
    pub org_id: Option<i64>,
    pub code: Option<String>,
    pub name: Option<String>,
    pub kind: Option<String>,
    pub basis: Option<String>,
    pub statutory_days: Option<u32>,
    pub committed_days: Option<u32>,
    pub online_level: Option<String>,
    pub reform_mode: Option<String>,
    pub transferred: bool,
}

/// An item checked against the catalogue's rules, ready to be written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckedItem {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub basis: String,
    pub statutory_days: i64,
    pub committed_days: i64,
    pub online_level: String,
    pub reform_mode: String,
    pub transferred: bool,
}

/// The rules every item obeys, whether typed in, sent by the API or imported: the code follows
/// the national structure and its type segment matches the item's type; a committed limit may
/// be shorter than the statutory one, never longer (limits in working days, Art. 82).
pub fn check_item(n: &NewItem, types: &crate::catalogue::TypeCodes) -> Result<CheckedItem, Vec<FieldError>> {
    let mut errors = Vec::new();
    let code = text(&n.code).unwrap_or_default();
    let kind = text(&n.kind).unwrap_or_default();
    if rules::label(rules::KINDS, &kind).is_empty() {
        errors.push(FieldError::new("kind", "bad_choice", "请选择事项类型"));
    }
    if let Err((machine, message)) = crate::catalogue::check_code(&code, &kind, types) {
        errors.push(FieldError::new("code", machine, message));
    }
    let name = text(&n.name);
    match &name {
        None => errors.push(FieldError::new("name", "required", "请填写事项名称")),
        Some(v) if v.chars().count() > 200 => errors.push(FieldError::new("name", "too_long", "事项名称不超过200字")),
        _ => {}
    }
    let basis = text(&n.basis);
    if basis.is_none() {
        errors.push(FieldError::new("basis", "required", "请填写设定依据（法律法规名称及条款）"));
    }
    let statutory = n.statutory_days.unwrap_or(0);
    let committed = n.committed_days.unwrap_or(0);
    if statutory == 0 || statutory > 365 {
        errors.push(FieldError::new("statutory_days", "required", "请填写法定办结时限（1至365个工作日）"));
    }
    if committed == 0 || committed > statutory {
        errors.push(FieldError::new("committed_days", "committed_over_statutory", "承诺办结时限须为不超过法定时限的工作日数"));
    }
    let level = text(&n.online_level).unwrap_or_default();
    if rules::label(rules::ONLINE_LEVELS, &level).is_empty() {
        errors.push(FieldError::new("online_level", "bad_choice", "请选择网办深度"));
    }
    let mode = text(&n.reform_mode).unwrap_or_else(|| "none".into());
    if rules::label(rules::MODES, &mode).is_empty() {
        errors.push(FieldError::new("reform_mode", "bad_choice", "请选择证照分离改革方式"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(CheckedItem {
        code,
        name: name.expect("checked"),
        kind,
        basis: basis.expect("checked"),
        statutory_days: statutory as i64,
        committed_days: committed as i64,
        online_level: level,
        reform_mode: mode,
        transferred: n.transferred,
    })
}

/// Add an item to the catalogue, as its version 1.
pub async fn create_item(state: &AppState, who: &Who, n: NewItem) -> Result<i64, AppError> {
    let types = crate::catalogue::type_codes(&state.db).await?;
    let checked = check_item(&n, &types);
    let mut errors = checked.as_ref().err().cloned().unwrap_or_default();
    if let Ok(c) = &checked {
        if q("SELECT COUNT(*) FROM svc_items WHERE code = $1").bind(c.code.clone()).fetch_i64(&state.db).await? > 0 {
            errors.push(FieldError::new("code", "duplicate_item_code", "事项编码已存在"));
        }
    }
    let org = match n.org_id {
        Some(id) => orgs::get(&state.db, id).await?,
        None => None,
    };
    match &org {
        Some(o) if who.allows(Perm::CASE_HANDLE, &o.path) => {}
        Some(_) => errors.push(FieldError::new("org_id", "org_out_of_scope", "您只能为本单位登记事项")),
        None => errors.push(FieldError::new("org_id", "required", "请选择实施主体")),
    }
    if !errors.is_empty() {
        return Err(refused("item_invalid", errors, vec![rules::BIZ_19.full(), rules::ART_82.full()]));
    }
    let org_id = org.expect("checked").id;
    let item = checked.expect("checked");
    let actor = who.actor();
    state.db.write(move |tx| async move { crate::catalogue::insert_item(tx, &actor, org_id, &item).await }.boxed()).await
}

/// An application as submitted.
#[derive(Clone, Debug, Default)]
pub struct NewApplication {
    pub item_id: Option<i64>,
    pub channel: Option<String>,
    pub applicant: Option<String>,
    pub applicant_phone: Option<String>,
    /// YYYY-MM-DD, default today, within the past 30 days (a counter registering late).
    pub received_on: Option<String>,
}

/// Take in an application. The kernel's clock starts on the day the materials arrived: 5
/// working days to accept, refuse or ask once for 补正 (Art. 32).
pub async fn apply(state: &AppState, who: &Who, n: NewApplication) -> Result<CaseRow, AppError> {
    apply_with(state, who, n, None).await
}

/// What an online application brings besides the common facts: the item's form as filled in
/// (JSON) and the materials, already stored (sha256, mime, size, file name).
#[derive(Clone, Debug, Default)]
pub struct OnlineExtra {
    pub form_values: String,
    pub files: Vec<(String, &'static str, usize, String)>,
}

/// [`apply`], with what an online application brings, written in the same transaction.
pub async fn apply_with(state: &AppState, who: &Who, n: NewApplication, online: Option<OnlineExtra>) -> Result<CaseRow, AppError> {
    let day = today();
    let mut errors = Vec::new();
    let item = match n.item_id {
        Some(id) => item(&state.db, id).await?,
        None => None,
    };
    let channel = text(&n.channel).unwrap_or_else(|| "counter".into());
    if rules::label(rules::CHANNELS, &channel).is_empty() {
        errors.push(FieldError::new("channel", "bad_choice", "申请方式只能是网上申请或窗口申请"));
    }
    let path = match &item {
        None => {
            errors.push(FieldError::new("item_id", "item_not_found", "请选择申请的事项"));
            String::new()
        }
        Some(i) => {
            if channel == "online" && i.online_level == "onsite" {
                return Err(AppError::Refused {
                    code: "item_not_online".into(),
                    message: format!("“{}”须现场办理，不能网上申请", i.name),
                    basis: vec![rules::ART_82.full()],
                    fields: vec![FieldError::new("channel", "item_not_online", "该事项须现场办理，不能网上申请")],
                });
            }
            if i.reform_mode == "cancel" {
                errors.push(FieldError::new("item_id", "approval_cancelled", "该事项已直接取消审批，不再受理申请"));
            }
            crate::kernel::access::org_path(state, i.org_id).await?
        }
    };
    // A citizen applies for itself to any unit's online items; staff only for their units.
    if item.is_some() && !matches!(who, Who::Citizen(_)) && !who.allows(Perm::CASE_HANDLE, &path) {
        errors.push(FieldError::new("item_id", "org_out_of_scope", "您只能为本单位的事项登记申请"));
    }
    let applicant = text(&n.applicant);
    if applicant.is_none() {
        errors.push(FieldError::new("applicant", "required", "请填写申请人"));
    }
    let phone = match text(&n.applicant_phone) {
        None => None,
        Some(p) => match crate::privacy::Phone::parse(&p) {
            Ok(p) => Some(p.as_str().to_string()),
            Err(m) => {
                errors.push(FieldError::new("applicant_phone", "bad_phone", m));
                None
            }
        },
    };
    let received = match text(&n.received_on).map(|s| parse_date(&s)) {
        None => day,
        Some(Some(d)) if d <= day && d >= day - chrono::Duration::days(30) => d,
        Some(_) => {
            errors.push(FieldError::new("received_on", "bad_date", "收件日期须为30日以内、不晚于今天的日期（YYYY-MM-DD）"));
            day
        }
    };
    if !errors.is_empty() {
        return Err(refused("application_invalid", errors, vec![rules::ART_32.full()]));
    }
    let item = item.expect("checked");
    let org = orgs::get(&state.db, item.org_id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let cal = state.calendar();
    let actor = who.actor();
    let intake = Intake { item, org, channel, applicant: applicant.expect("checked"), phone, received, online, bundle_app_id: None };
    state.db.write(move |tx| async move { write_intake(tx, &cal, &actor, &intake).await }.boxed()).await
}

/// An application checked and ready to be written.
pub struct Intake {
    pub item: ItemRow,
    pub org: crate::org::queries::OrgRow,
    pub channel: String,
    pub applicant: String,
    pub phone: Option<String>,
    pub received: NaiveDate,
    pub online: Option<OnlineExtra>,
    /// The 一件事 application it is part of.
    pub bundle_app_id: Option<i64>,
}

/// Write an application in the caller's transaction: the kernel's case with its acceptance clock
/// (5 working days from the day the materials arrived, Art. 32), the application with the item's
/// limits and version as they stand, the online form and materials, the intake event.
pub async fn write_intake(tx: &mut crate::db::Tx, cal: &crate::calendar::Calendar, actor: &Actor, x: &Intake) -> Result<CaseRow, AppError> {
    let rule = PROCEDURE.deadlines.iter().find(|r| r.code == "acceptance").expect("defined");
    let received = x.received;
    let clock = Clock {
        rule: Some(rule.code.into()),
        started_on: Some(received),
        due_on: Some(engine::add_days(cal, rule.unit, rule.rollover, received, rule.days)),
        ..Clock::default()
    };
    let title: String = format!("{}：{}", x.applicant, x.item.name).chars().take(60).collect();
    let opened_at = if received == today() { now_ms() } else { start_of_day_ms(received) + 9 * 3600 * 1000 };
    let case = cases::create(
        tx,
        NewCase {
            procedure: &PROCEDURE,
            title,
            org_id: x.org.id,
            org_code: x.org.code.clone(),
            assignee_id: None,
            opened_at,
            state: "received",
            clock,
            closed: false,
        },
        cal,
    )
    .await?;
    q("INSERT INTO svc_applications (case_id, item_id, channel, applicant, applicant_phone, received_on, statutory_days, committed_days, reform_mode, item_version, bundle_app_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)")
        .bind(case.id)
        .bind(x.item.id)
        .bind(x.channel.clone())
        .bind(x.applicant.clone())
        .bind(x.phone.clone())
        .bind(fmt_date(received))
        .bind(x.item.statutory_days)
        .bind(x.item.committed_days)
        .bind(x.item.reform_mode.clone())
        .bind(x.item.version)
        .bind(x.bundle_app_id)
        .execute(&mut *tx)
        .await?;
    if let Some(o) = &x.online {
        q("UPDATE svc_applications SET form_values = $1 WHERE case_id = $2").bind(o.form_values.clone()).bind(case.id).execute(&mut *tx).await?;
        for (sha, mime, size, name) in &o.files {
            crate::files::attach(tx, "case", case.id, "material", sha, mime, *size, name, "citizen", None).await?;
        }
    }
    let changes = Changes::new()
        .created("事项", format!("{}（{}）", x.item.name, x.item.code))
        .created("申请方式", rules::label(rules::CHANNELS, &x.channel))
        .created("受理期限", case.due_on.clone());
    audit::record_at(
        tx,
        actor,
        NewEvent::new("case", case.id, "intake", "收件").changes(changes).reason(Some(format!("依据：{}", rules::ART_32.full()))),
        opened_at,
    )
    .await?;
    Ok(case)
}

/// What a step carries.
#[derive(Clone, Debug, Default)]
pub struct StepForm {
    pub reason: Option<String>,
    pub fields: BTreeMap<String, String>,
    pub days: Option<u32>,
}

pub async fn step(state: &AppState, who: &Who, id: i64, seen_version: Option<i64>, action: &str, form: StepForm) -> Result<CaseRow, AppError> {
    step_on(state, who, id, seen_version, action, form, today()).await
}

/// Working days the decision clock gets when it starts on `day`: the item's committed limit (at
/// most the statutory 20, Art. 42). An application that was not answered within 5 working days
/// counts as accepted on the day it arrived (Art. 32(四)), so its clock is counted from then.
fn decision_days(cal: &crate::calendar::Calendar, a: &AppRow, case: &CaseRow, day: NaiveDate) -> u32 {
    let limit = (a.committed_days.min(a.statutory_days).max(1)) as u32;
    let deemed = case.clock_rule.as_deref() == Some("acceptance") && case.due_date().is_some_and(|due| day > due);
    if !deemed {
        return limit;
    }
    let received = parse_date(&a.received_on).unwrap_or(day);
    let target = engine::add_days(cal, crate::kernel::definition::DayUnit::WorkingDays, false, received, limit);
    let mut n = 0;
    let mut d = day;
    while d < target {
        d = d.succ_opt().expect("date");
        if cal.is_working_day(d) {
            n += 1;
        }
    }
    n
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
    let (case, _) = load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let path = crate::kernel::access::org_path(state, case.org_id).await?;
    // The system (the sweep) reads every unit's applications; the procedure says which steps it may take.
    if !matches!(who, Who::System) && !who.allows(Perm::CASE_READ, &path) {
        return Err(crate::kernel::access::not_found());
    }
    let cal = state.calendar();
    let overrides = crate::settings::procedure_overrides(&state.db, P).await?;
    let who = who.clone();
    let action = action.to_string();
    state
        .db
        .write(move |tx| {
            async move {
                let case = cases::load_for_change(tx, id, seen_version).await?;
                let a = application(&mut *tx, id).await?.ok_or_else(crate::kernel::access::not_found)?;
                let auth = CaseAuthority { who: &who, path };
                let clock_days = matches!(action.as_str(), "accept" | "corrected" | "deemed_accept").then(|| decision_days(&cal, &a, &case, day));
                let input = Input { reason: form.reason.clone(), fields: form.fields.clone(), attachments: 0, days: form.days, clock_days };
                let mut flags = BTreeMap::new();
                flags.insert("commitment_mode".to_string(), a.reform_mode == "commitment");
                let overdue = case.clock_rule.as_deref() == Some("decision") && case.paused_on.is_none() && case.due_date().is_some_and(|due| day > due);
                flags.insert("overdue".to_string(), overdue);
                let facts = case.facts(flags);
                let plan = engine::plan(&PROCEDURE, &facts, &action, &auth, &input, day, &cal, &overrides).map_err(AppError::from)?;
                let d = fmt_date(day);
                let mut extra = Changes::new();
                match action.as_str() {
                    "accept" | "corrected" => {
                        q("UPDATE svc_applications SET accepted_on = $1 WHERE case_id = $2").bind(d.clone()).bind(id).execute(&mut *tx).await?;
                        extra = extra.set("承诺办结时限", serde_json::Value::Null, format!("{}个工作日", a.committed_days.min(a.statutory_days)));
                    }
                    "deemed_accept" => {
                        // Accepted as of the day the materials arrived (Art. 32(四)), not the day the sweep noticed.
                        q("UPDATE svc_applications SET accepted_on = received_on WHERE case_id = $1").bind(id).execute(&mut *tx).await?;
                        extra = extra.set("视为受理", serde_json::Value::Null, format!("自收件之日（{}）起视为受理", a.received_on));
                    }
                    "decide" => {
                        let outcome = if input.field("decision") == Some("grant") { "granted" } else { "denied" };
                        q("UPDATE svc_applications SET outcome = $1, decided_on = $2, on_time = $3 WHERE case_id = $4")
                            .bind(outcome)
                            .bind(d.clone())
                            .bind(!overdue)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    "commit" | "commit_online" => {
                        q("UPDATE svc_applications SET accepted_on = $1, outcome = 'granted', decided_on = $1, on_time = TRUE WHERE case_id = $2")
                            .bind(d.clone())
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("许可决定", serde_json::Value::Null, "以告知承诺方式当场准予许可");
                    }
                    "verify" if input.field("result") == Some("false") => {
                        q("UPDATE svc_applications SET outcome = 'revoked' WHERE case_id = $1").bind(id).execute(&mut *tx).await?;
                        extra = extra.set("许可", serde_json::Value::Null, "承诺不实，撤销许可");
                    }
                    "not_accept" => {
                        q("UPDATE svc_applications SET decided_on = $1 WHERE case_id = $2").bind(d.clone()).bind(id).execute(&mut *tx).await?;
                    }
                    _ => {}
                }
                cases::apply(tx, &PROCEDURE, &case, &plan, &who.actor(), input.reason.clone(), extra, now_ms(), &cal).await
            }
            .boxed()
        })
        .await
}

/// The ids of the latest 200 applications of the units in the person's scope, in one query.
pub async fn register_ids(state: &AppState, who: &Who, state_code: Option<&str>) -> Result<Vec<i64>, AppError> {
    let Who::Caller(c) = who else { return Ok(Vec::new()) };
    let scope = c.scope(Perm::CASE_READ, Some(P));
    let mut query = q("SELECT c.id FROM cases c JOIN svc_applications a ON a.case_id = c.id WHERE c.procedure = 'licence'");
    if let Some(s) = state_code.filter(|s| PROCEDURE.state(s).is_some()) {
        query = query.push_bind(" AND c.state = {}", s.to_string());
    }
    let rows: Vec<(i64,)> = scope.filter(query, "c.org_id").push(" ORDER BY a.received_on DESC, c.id DESC LIMIT 200").fetch_all(&state.db).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Cases and their applications for a list of ids, in two queries (no query per row).
pub async fn load_many(db: &Db, ids: &[i64]) -> Result<Vec<(CaseRow, AppRow)>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let cs: Vec<CaseRow> = q(format!("SELECT {} FROM cases c WHERE 1=1", cases::CASE_COLUMNS)).push(" AND").push_in("c.id", ids).fetch_all(db).await?;
    let apps: Vec<AppRow> = q(format!("SELECT {APP_COLS} FROM svc_applications a WHERE 1=1")).push(" AND").push_in("a.case_id", ids).fetch_all(db).await?;
    let mut by_id: BTreeMap<i64, AppRow> = apps.into_iter().map(|a| (a.case_id, a)).collect();
    let mut out: Vec<(CaseRow, AppRow)> = cs.into_iter().filter_map(|c| by_id.remove(&c.id).map(|a| (c, a))).collect();
    let order: BTreeMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    out.sort_by_key(|(c, _)| order.get(&c.id).copied().unwrap_or(usize::MAX));
    Ok(out)
}
