//! 法律援助 applications and the people who give aid: an application from the portal (the
//! citizen's verified phone) or the counter, its eligibility computed from the declared means
//! against the local threshold (a setting), the conflict-of-interest check before anyone is
//! assigned, the steps in one transaction each (the close only by the assigned provider), and the
//! applicant's rating of the service.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use futures::FutureExt;
use serde::Serialize;

use crate::audit::{self, Actor, Changes, NewEvent};
use crate::auth::roles::Perm;
use crate::db::{Db, Ex, q};
use crate::error::{AppError, FieldError};
use crate::kernel::engine::{self, Authority, Clock, Input};
use crate::kernel::queries::{self as cases, CaseRow, NewCase};
use crate::legal_aid_rules::{self as rules, LA_CLOSE, LA_HANDLE, PROCEDURE};
use crate::org::queries as orgs;
use crate::service::{StepForm, Who};
use crate::state::AppState;
use crate::time::{fmt_date, now_ms, start_of_day_ms, today};

const P: &str = rules::CODE;
/// The unit that runs the legal-aid centre in the demo city (市公共法律服务中心).
pub const CENTRE: &str = "D-SFJ-GFZX";

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct ProviderRow {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub firm: String,
    pub kind: String,
    pub user_id: Option<i64>,
    pub relations: String,
    pub available: bool,
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct AidRow {
    pub case_id: i64,
    pub channel: String,
    pub applicant_name: String,
    pub phone: String,
    pub id_number: Option<String>,
    pub address: Option<String>,
    pub category: String,
    pub opponent: String,
    pub summary: String,
    pub migrant_worker: bool,
    pub household_size: Option<i64>,
    pub monthly_income: Option<i64>,
    pub exempt_ground: Option<String>,
    pub threshold: i64,
    pub computed_eligible: bool,
    pub eligibility_basis: String,
    pub override_reason: Option<String>,
    pub received_on: String,
    pub decision: Option<String>,
    pub decided_on: Option<String>,
    pub decided_in_time: Option<bool>,
    pub late_reason: Option<String>,
    pub provider_id: Option<i64>,
    pub assigned_on: Option<String>,
    pub closing_code: Option<String>,
    pub amount_recovered: i64,
    pub wages_recovered: i64,
    pub concluded_on: Option<String>,
    pub satisfaction: Option<i64>,
}

pub const COLS: &str = "a.case_id, a.channel, a.applicant_name, a.phone, a.id_number, a.address, a.category, a.opponent, a.summary, a.migrant_worker, a.household_size, a.monthly_income, a.exempt_ground, a.threshold, a.computed_eligible, a.eligibility_basis, a.override_reason, a.received_on, a.decision, a.decided_on, a.decided_in_time, a.late_reason, a.provider_id, a.assigned_on, a.closing_code, a.amount_recovered, a.wages_recovered, a.concluded_on, a.satisfaction";
const PCOLS: &str = "id, org_id, name, firm, kind, user_id, relations, available";

pub async fn row<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Option<AidRow>, AppError> {
    q(format!("SELECT {COLS} FROM legal_aid_cases a WHERE a.case_id = $1")).bind(id).fetch_optional(ex).await
}

pub async fn load(db: &Db, id: i64) -> Result<Option<(CaseRow, AidRow)>, AppError> {
    let Some(c) = cases::get(db, id).await? else { return Ok(None) };
    if c.procedure != P {
        return Ok(None);
    }
    Ok(row(db, id).await?.map(|a| (c, a)))
}

pub async fn provider<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Option<ProviderRow>, AppError> {
    q(format!("SELECT {PCOLS} FROM legal_aid_providers WHERE id = $1")).bind(id).fetch_optional(ex).await
}

pub async fn providers_of(db: &Db, org_id: i64) -> Result<Vec<ProviderRow>, AppError> {
    q(format!("SELECT {PCOLS} FROM legal_aid_providers WHERE org_id = $1 ORDER BY kind, name")).bind(org_id).fetch_all(db).await
}

/// The provider record of a staff account (a lawyer closes only their own cases).
pub async fn provider_of_user(db: &Db, user_id: i64) -> Result<Option<ProviderRow>, AppError> {
    q(format!("SELECT {PCOLS} FROM legal_aid_providers WHERE user_id = $1")).bind(user_id).fetch_optional(db).await
}

/// The local means threshold (元 per person and month): the setting, else the default.
pub async fn threshold<'a>(ex: impl Into<Ex<'a>>) -> Result<(i64, bool), AppError> {
    let v = crate::settings::procedure_value(ex, P, rules::THRESHOLD_KEY).await?;
    Ok(match v.and_then(|s| s.parse::<i64>().ok()) {
        Some(n) => (n, false),
        None => (rules::THRESHOLD_DEFAULT, true),
    })
}

pub async fn set_threshold(state: &AppState, who: &Who, value: &str) -> Result<(), AppError> {
    let n = value
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=100_000).contains(n))
        .ok_or_else(|| AppError::field("threshold", "bad_number", "经济困难标准须为 1 至 100000 之间的整数（元/人·月）"))?;
    crate::settings::set_procedure_value(&state.db, who.actor(), P, rules::THRESHOLD_KEY, n.to_string()).await
}

/// An application as submitted.
#[derive(Clone, Debug, Default)]
pub struct NewAid {
    pub org_id: Option<i64>,
    pub channel: Option<String>,
    pub applicant_name: Option<String>,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub address: Option<String>,
    pub category: Option<String>,
    pub opponent: Option<String>,
    pub summary: Option<String>,
    pub migrant_worker: bool,
    pub household_size: Option<String>,
    pub monthly_income: Option<String>,
    pub exempt_ground: Option<String>,
    /// YYYY-MM-DD, default today, within the past year (a paper application).
    pub received_on: Option<String>,
}

fn text(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// Who applies: staff at the counter (or an import), or a citizen on the portal with their
/// verified phone.
pub enum Applicant<'a> {
    Staff(&'a Who),
    Citizen(crate::privacy::Phone),
}

fn refused(errors: Vec<FieldError>) -> AppError {
    let message = if errors.len() == 1 { errors[0].message.clone() } else { format!("{}（另有 {} 处需要修改）", errors[0].message, errors.len() - 1) };
    AppError::Refused { code: "legal_aid_incomplete".into(), message, basis: vec![rules::ART_41.full()], fields: errors }
}

/// Register an application; the seven days of the review run from the day received (Art. 43).
pub async fn apply(state: &AppState, by: Applicant<'_>, n: NewAid) -> Result<CaseRow, AppError> {
    let day = today();
    let mut errors = Vec::new();
    let channel = match &by {
        Applicant::Citizen(_) => "portal".to_string(),
        Applicant::Staff(_) => text(&n.channel).unwrap_or_else(|| "counter".into()),
    };
    if rules::label(rules::CHANNELS, &channel).is_empty() {
        errors.push(FieldError::new("channel", "bad_choice", "申请方式只能是网上申请、窗口申请或办案机关转交"));
    }
    let name = text(&n.applicant_name);
    match &name {
        None => errors.push(FieldError::new("applicant_name", "required", "请填写申请人姓名")),
        Some(s) if s.chars().count() > 50 => errors.push(FieldError::new("applicant_name", "too_long", "申请人姓名不超过 50 字")),
        _ => {}
    }
    let phone = match &by {
        Applicant::Citizen(p) => Some(p.as_str().to_string()),
        Applicant::Staff(_) => match text(&n.phone).map(|p| crate::privacy::Phone::parse(&p)) {
            None => {
                errors.push(FieldError::new("phone", "required", "请填写申请人联系电话"));
                None
            }
            Some(Ok(p)) => Some(p.as_str().to_string()),
            Some(Err(m)) => {
                errors.push(FieldError::new("phone", "bad_phone", m));
                None
            }
        },
    };
    let id_number = match text(&n.id_number).map(|s| crate::privacy::IdNumber::parse(&s)) {
        None => None,
        Some(Ok(i)) => Some(i.as_str().to_string()),
        Some(Err(m)) => {
            errors.push(FieldError::new("id_number", "bad_id_number", m));
            None
        }
    };
    let address = text(&n.address);
    if address.as_ref().is_some_and(|a| a.chars().count() > 200) {
        errors.push(FieldError::new("address", "too_long", "住址不超过 200 字"));
    }
    let category = text(&n.category).unwrap_or_default();
    if rules::label(rules::CATEGORIES, &category).is_empty() {
        errors.push(FieldError::new("category", "bad_choice", "请选择申请法律援助的事项"));
    }
    let opponent = text(&n.opponent).unwrap_or_default();
    if opponent.chars().count() > 100 {
        errors.push(FieldError::new("opponent", "too_long", "对方当事人不超过 100 字"));
    }
    let summary = text(&n.summary);
    match &summary {
        None => errors.push(FieldError::new("summary", "required", "请简要说明案情和请求")),
        Some(s) if s.chars().count() > 2000 => errors.push(FieldError::new("summary", "too_long", "案情不超过 2000 字")),
        _ => {}
    }
    let int = |v: &Option<String>, f: &'static str, what: &str, errors: &mut Vec<FieldError>| match text(v) {
        None => None,
        Some(s) => match s.replace(',', "").parse::<i64>() {
            Ok(x) if x >= 0 => Some(x),
            _ => {
                errors.push(FieldError::new(f, "not_a_number", format!("{what}须为不小于 0 的整数")));
                None
            }
        },
    };
    let household = int(&n.household_size, "household_size", "家庭人口", &mut errors);
    if household == Some(0) {
        errors.push(FieldError::new("household_size", "not_a_number", "家庭人口至少 1 人"));
    }
    let income = int(&n.monthly_income, "monthly_income", "家庭人均月收入", &mut errors);
    let exempt = text(&n.exempt_ground);
    let (thr, _) = threshold(&state.db).await?;
    let assessment = if errors.iter().any(|e| e.field == "monthly_income" || e.field == "category") {
        None
    } else {
        match rules::assess(exempt.as_deref(), &category, income, thr) {
            Ok(a) => Some(a),
            Err((field, m)) => {
                errors.push(FieldError::new(field, if field == "exempt_ground" { "exempt_ground_not_applicable" } else { "means_required" }, m));
                None
            }
        }
    };
    let received = match text(&n.received_on).map(|s| crate::time::parse_date(&s)) {
        None => day,
        Some(Some(d)) if matches!(by, Applicant::Staff(_)) && d <= day && d >= day - chrono::Duration::days(366) => d,
        Some(_) => {
            errors.push(FieldError::new("received_on", "bad_date", "收到日期须为一年以内、不晚于今天的日期（YYYY-MM-DD）"));
            day
        }
    };
    let org = match (&by, n.org_id) {
        (Applicant::Citizen(_), _) => orgs::by_code(&state.db, CENTRE).await?,
        (Applicant::Staff(_), Some(id)) => orgs::get(&state.db, id).await?,
        (Applicant::Staff(_), None) => None,
    };
    match (&by, &org) {
        (_, None) => errors.push(FieldError::new("org_id", "required", "请选择法律援助机构")),
        (Applicant::Staff(w), Some(o)) if !w.allows_in(LA_HANDLE, P, &o.path) => {
            errors.push(FieldError::new("org_id", "org_out_of_scope", "您只能为本法律援助机构登记申请"))
        }
        _ => {}
    }
    if !errors.is_empty() {
        return Err(refused(errors));
    }
    let (org, name, phone, summary, assessment) =
        (org.expect("checked"), name.expect("checked"), phone.expect("checked"), summary.expect("checked"), assessment.expect("checked"));
    // A repeated submit (the same person, the same matter, the same day) is not a second case.
    let dup: i64 = q("SELECT COUNT(*) FROM legal_aid_cases WHERE phone = $1 AND received_on = $2 AND summary = $3")
        .bind(phone.as_str())
        .bind(fmt_date(received))
        .bind(summary.as_str())
        .fetch_i64(&state.db)
        .await?;
    if dup > 0 {
        return Err(AppError::Refused {
            code: "duplicate_application".into(),
            message: "同一申请人当天已提交过相同的申请，请勿重复提交".into(),
            basis: vec![],
            fields: vec![FieldError::new("summary", "duplicate_application", "今天已提交过相同的申请，请勿重复提交；可在“我的法律援助申请”中查看")],
        });
    }
    let actor = match &by {
        Applicant::Staff(w) => w.actor(),
        Applicant::Citizen(p) => Actor::citizen(p.masked()),
    };
    let cal = state.calendar();
    let rule = PROCEDURE.deadlines[0].clone();
    let title: String = format!("{}：{}", crate::privacy::mask_name(&name), rules::label(rules::CATEGORIES, &category));
    let migrant = n.migrant_worker || exempt.as_deref() == Some("migrant_worker");
    state
        .db
        .write(move |tx| {
            async move {
                let clock = Clock {
                    rule: Some(rule.code.into()),
                    started_on: Some(received),
                    due_on: Some(engine::add_days(&cal, rule.unit, rule.rollover, received, rule.days)),
                    ..Clock::default()
                };
                let opened_at = if received == today() { now_ms() } else { start_of_day_ms(received) + 9 * 3600 * 1000 };
                let case = cases::create(
                    tx,
                    NewCase { procedure: &PROCEDURE, title, org_id: org.id, org_code: org.code.clone(), assignee_id: None, opened_at, state: "received", clock, closed: false },
                    &cal,
                )
                .await?;
                q("INSERT INTO legal_aid_cases (case_id, channel, applicant_name, phone, id_number, address, category, opponent, summary, migrant_worker, household_size, monthly_income, exempt_ground, threshold, computed_eligible, eligibility_basis, received_on) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)")
                    .bind(case.id)
                    .bind(channel.as_str())
                    .bind(name.as_str())
                    .bind(phone.as_str())
                    .bind(id_number)
                    .bind(address)
                    .bind(category.as_str())
                    .bind(opponent.as_str())
                    .bind(summary.as_str())
                    .bind(migrant)
                    .bind(household)
                    .bind(income)
                    .bind(exempt.clone())
                    .bind(thr)
                    .bind(assessment.eligible)
                    .bind(assessment.basis.as_str())
                    .bind(fmt_date(received))
                    .execute(&mut *tx)
                    .await?;
                let changes = Changes::new()
                    .created("申请方式", rules::label(rules::CHANNELS, &channel))
                    .created("事项", rules::label(rules::CATEGORIES, &category))
                    .created("经济困难审查", if assessment.eligible { "符合条件" } else { "不符合条件" })
                    .created("审查依据", assessment.basis.clone())
                    .created("审查期限", case.due_on.clone());
                audit::record_at(tx, &actor, NewEvent::new("case", case.id, "intake", "收到法律援助申请").changes(changes).reason(Some(format!("依据：{}", rules::ART_43.full()))), opened_at)
                    .await?;
                Ok(case)
            }
            .boxed()
        })
        .await
}

/// Add someone who gives aid to a centre's roster.
pub async fn add_provider(
    state: &AppState,
    who: &Who,
    org_id: i64,
    name: &str,
    firm: &str,
    kind: &str,
    user_id: Option<i64>,
    relations: &str,
) -> Result<i64, AppError> {
    let org = orgs::get(&state.db, org_id).await?.ok_or_else(|| AppError::field("org_id", "required", "请选择法律援助机构"))?;
    if !who.allows_in(LA_HANDLE, P, &org.path) {
        return Err(AppError::field("org_id", "org_out_of_scope", "您只能为本法律援助机构登记承办人员"));
    }
    let name = name.trim().to_string();
    if name.is_empty() || name.chars().count() > 50 {
        return Err(AppError::field("name", "required", "请填写承办人员姓名（50 字以内）"));
    }
    if rules::label(rules::PROVIDER_KINDS, kind).is_empty() {
        return Err(AppError::field("kind", "bad_choice", "请选择律师、基层法律服务工作者或法律援助机构工作人员"));
    }
    let (firm, relations, kind) = (firm.trim().to_string(), relations.trim().to_string(), kind.to_string());
    let actor = who.actor();
    state
        .db
        .write(move |tx| {
            async move {
                let id = q("INSERT INTO legal_aid_providers (org_id, name, firm, kind, user_id, relations, available, created_at) VALUES ($1,$2,$3,$4,$5,$6,TRUE,$7) RETURNING id")
                    .bind(org_id)
                    .bind(name.clone())
                    .bind(firm.clone())
                    .bind(kind.clone())
                    .bind(user_id)
                    .bind(relations)
                    .bind(now_ms())
                    .fetch_i64(&mut *tx)
                    .await?;
                audit::record(
                    tx,
                    &actor,
                    NewEvent::new("legal_aid_provider", id, "create", "登记法律援助人员").changes(Changes::new().created("姓名", name).created("执业机构", firm).created("类别", rules::label(rules::PROVIDER_KINDS, &kind))),
                )
                .await?;
                Ok(id)
            }
            .boxed()
        })
        .await
}

struct AidAuthority<'a> {
    who: &'a Who,
    path: String,
}

impl Authority for AidAuthority<'_> {
    fn staff_may(&self, perm: Perm) -> bool {
        self.who.allows_in(perm, P, &self.path)
    }
    fn is_filer(&self) -> bool {
        false
    }
    fn is_system(&self) -> bool {
        false
    }
}

/// Whether this person sees the case: anyone reading the unit's cases of the procedure (the
/// centre's staff, the justice bureau, oversight); a provider only the cases assigned to them.
pub async fn may_read(state: &AppState, who: &Who, case: &CaseRow, a: &AidRow) -> Result<bool, AppError> {
    let path = crate::kernel::access::org_path(state, case.org_id).await?;
    if who.allows_in(Perm::CASE_READ, P, &path) {
        return Ok(true);
    }
    if !who.allows_in(LA_CLOSE, P, &path) {
        return Ok(false);
    }
    let Some(uid) = who.user_id() else { return Ok(false) };
    Ok(match a.provider_id {
        Some(pid) => provider(&state.db, pid).await?.is_some_and(|p| p.user_id == Some(uid)),
        None => false,
    })
}

fn refusal(code: &'static str, message: String, basis: &crate::kernel::definition::Basis, field: &'static str) -> AppError {
    AppError::Refused { code: code.into(), message: message.clone(), basis: vec![basis.full()], fields: vec![FieldError::new(field, code, message)] }
}

/// Take a step as of today.
pub async fn step(state: &AppState, who: &Who, id: i64, seen_version: Option<i64>, action: &str, form: StepForm) -> Result<CaseRow, AppError> {
    step_on(state, who, id, seen_version, action, form, today()).await
}

pub async fn step_on(
    state: &AppState,
    who: &Who,
    id: i64,
    seen_version: Option<i64>,
    action: &str,
    form: StepForm,
    day: NaiveDate,
) -> Result<CaseRow, AppError> {
    let (case, a) = load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    if !may_read(state, who, &case, &a).await? {
        return Err(crate::kernel::access::not_found());
    }
    let path = crate::kernel::access::org_path(state, case.org_id).await?;
    // The conflict-of-interest check before anyone is assigned.
    let mut provider_name = String::new();
    if action == "assign" {
        if let Some(pid) = form.fields.get("provider_id").and_then(|v| v.trim().parse::<i64>().ok()) {
            match provider(&state.db, pid).await?.filter(|p| p.org_id == case.org_id) {
                None => return Err(refusal("provider_not_found", "所选人员不在本法律援助机构的承办人员名册中".into(), &rules::ART_43, "provider_id")),
                Some(p) if !p.available => return Err(refusal("provider_unavailable", format!("{}目前不能接受指派", p.name), &rules::ART_43, "provider_id")),
                Some(p) => {
                    let role = rules::label(rules::PROVIDER_KINDS, &p.kind);
                    if let Some(c) = crate::mediation::conflict_of(role, &p.name, &p.relations, &[&a.applicant_name, &a.opponent]) {
                        return Err(refusal("conflict_of_interest", format!("存在利害关系，不能指派：{c}"), &rules::ART_43, "provider_id"));
                    }
                    provider_name = format!("{}（{}）", p.name, p.firm);
                }
            }
        }
    }
    // Only the provider the case was assigned to reports its close-out (Art. 50).
    if action == "close" && !matches!(who, Who::Import) {
        let mine = match (a.provider_id, who.user_id()) {
            (Some(pid), Some(uid)) => provider(&state.db, pid).await?.is_some_and(|p| p.user_id == Some(uid)),
            _ => false,
        };
        if !mine {
            return Err(AppError::Refused {
                code: "not_assigned_provider".into(),
                message: "结案报告由承办本案的法律援助人员提交".into(),
                basis: vec![rules::ART_50.full()],
                fields: vec![],
            });
        }
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
                let auth = AidAuthority { who: &who, path };
                let input = Input { reason: form.reason.clone(), fields: form.fields.clone(), attachments: 0, days: form.days, clock_days: None };
                let flags = BTreeMap::from([("eligible".to_string(), a.computed_eligible), ("migrant_worker".to_string(), a.migrant_worker)]);
                let facts = case.facts(flags);
                let due = facts.due_on;
                let plan = engine::plan(&PROCEDURE, &facts, &action, &auth, &input, day, &cal, &overrides).map_err(AppError::from)?;
                let d = fmt_date(day);
                let field = |k: &str| input.field(k).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
                let in_time = due.is_none_or(|due| day <= due);
                let null = serde_json::Value::Null;
                let mut extra = Changes::new();
                match action.as_str() {
                    "grant" | "provisional" | "refuse" => {
                        let decision = match action.as_str() {
                            "grant" => "granted",
                            "provisional" => "provisional",
                            _ => "refused",
                        };
                        let over = if action == "grant" && !a.computed_eligible { field("override_reason") } else { None };
                        let code = (decision == "refused").then_some("refused");
                        q("UPDATE legal_aid_cases SET decision = $1, decided_on = $2, decided_in_time = $3, late_reason = $4, override_reason = COALESCE($5, override_reason), closing_code = COALESCE($6, closing_code), concluded_on = CASE WHEN $6 IS NULL THEN concluded_on ELSE $2 END WHERE case_id = $7")
                            .bind(decision)
                            .bind(d.clone())
                            .bind(in_time)
                            .bind(field("late_reason"))
                            .bind(over.clone())
                            .bind(code)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("决定", null.clone(), if decision == "refused" { "不予法律援助" } else if decision == "provisional" { "先行提供法律援助" } else { "给予法律援助" });
                        extra = extra.set("按期决定", null.clone(), if in_time { "是" } else { "否" });
                        if let Some(o) = over {
                            extra = extra.set("改变审查结果的理由", null.clone(), o);
                        }
                    }
                    "assign" => {
                        let pid: i64 = input.field("provider_id").and_then(|v| v.trim().parse().ok()).unwrap_or_default();
                        q("UPDATE legal_aid_cases SET provider_id = $1, assigned_on = $2, assigned_in_time = $3 WHERE case_id = $4").bind(pid).bind(d.clone()).bind(in_time).bind(id).execute(&mut *tx).await?;
                        // The provider's account becomes the case's assignee: their 工作台 lists
                        // the cases assigned to them, and only those (the close is not a queue).
                        let user = provider(&mut *tx, pid).await?.and_then(|p| p.user_id);
                        q("UPDATE cases SET assignee_id = $1 WHERE id = $2").bind(user).bind(id).execute(&mut *tx).await?;
                        extra = extra.set("承办人员", null.clone(), provider_name.clone()).set("利害关系核查", null.clone(), "未发现利害关系").set("按期指派", null.clone(), if in_time { "是" } else { "否" });
                    }
                    "close" => {
                        let code = input.field("closing_code").unwrap_or("");
                        let amount = rules::yuan(input.field("amount_recovered")).unwrap_or(0);
                        let wages = rules::yuan(input.field("wages_recovered")).unwrap_or(0);
                        q("UPDATE legal_aid_cases SET closing_code = $1, amount_recovered = $2, wages_recovered = $3, concluded_on = $4 WHERE case_id = $5").bind(code).bind(amount).bind(wages).bind(d.clone()).bind(id).execute(&mut *tx).await?;
                        extra = extra
                            .set("结案方式", null.clone(), rules::label(rules::CLOSING, code))
                            .set("挽回金额（元）", null.clone(), amount)
                            .set("其中农民工工资（元）", null.clone(), wages)
                            .set("办理情况报告", null.clone(), field("report"));
                    }
                    "terminate" | "deem_withdrawn" => {
                        let code = if action == "terminate" { "terminated" } else { "withdrawn" };
                        q("UPDATE legal_aid_cases SET closing_code = $1, concluded_on = $2 WHERE case_id = $3").bind(code).bind(d.clone()).bind(id).execute(&mut *tx).await?;
                        extra = extra.set("结案代码", null.clone(), rules::label(rules::ALL_CODES, code));
                        if let Some(g) = field("termination_ground") {
                            extra = extra.set("终止情形", null.clone(), rules::label(rules::TERMINATION, &g));
                        }
                    }
                    "order_review" => {
                        q("UPDATE legal_aid_cases SET decision = NULL, decided_on = NULL, decided_in_time = NULL, closing_code = NULL, concluded_on = NULL WHERE case_id = $1").bind(id).execute(&mut *tx).await?;
                    }
                    "order_resume" => {
                        q("UPDATE legal_aid_cases SET closing_code = NULL, concluded_on = NULL WHERE case_id = $1").bind(id).execute(&mut *tx).await?;
                    }
                    "request_materials" => {
                        extra = extra.set("需要补充的材料", null.clone(), field("materials"));
                    }
                    "supplement" => {
                        extra = extra.set("补充的材料", null.clone(), field("supplement_text"));
                    }
                    _ => {}
                }
                // A step taken for a past day (the demo, a record brought in late) is dated that day.
                let at = if day == today() { now_ms() } else { start_of_day_ms(day) + 10 * 3600 * 1000 };
                cases::apply(tx, &PROCEDURE, &case, &plan, &who.actor(), input.reason.clone(), extra, at, &cal).await
            }
            .boxed()
        })
        .await
}

/// The applicant's rating of a concluded case, on the portal (their own cases only, once).
pub async fn rate(state: &AppState, phone: &crate::privacy::Phone, id: i64, score: Option<&str>) -> Result<(), AppError> {
    let (case, a) = load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    if a.phone != phone.as_str() {
        return Err(crate::kernel::access::not_found());
    }
    let s = score
        .and_then(|s| s.trim().parse::<i64>().ok())
        .filter(|s| (1..=5).contains(s))
        .ok_or_else(|| AppError::field("satisfaction", "bad_choice", "请选择满意程度"))?;
    if case.is_open || a.closing_code.as_deref().is_none_or(|c| rules::label(rules::CLOSING, c).is_empty()) {
        return Err(AppError::Refused { code: "not_concluded".into(), message: "案件办结后才能评价".into(), basis: vec![], fields: vec![] });
    }
    if a.satisfaction.is_some() {
        return Err(AppError::Refused { code: "already_rated".into(), message: "您已评价过本案".into(), basis: vec![], fields: vec![] });
    }
    let actor = Actor::citizen(phone.masked());
    state
        .db
        .write(move |tx| {
            async move {
                q("UPDATE legal_aid_cases SET satisfaction = $1, rated_on = $2 WHERE case_id = $3")
                    .bind(s)
                    .bind(fmt_date(today()))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                audit::record(
                    tx,
                    &actor,
                    NewEvent::new("case", id, "rate", "受援人评价")
                        .changes(Changes::new().created("满意程度", rules::label(rules::SATISFACTION, &s.to_string()))),
                )
                .await?;
                Ok(())
            }
            .boxed()
        })
        .await
}

/// One of a citizen's own applications, as the portal lists it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MineRow {
    pub id: i64,
    pub case_no: String,
    pub state: String,
    pub due_on: Option<String>,
    pub category: String,
    pub received_on: String,
    pub decision: Option<String>,
    pub closing_code: Option<String>,
    pub amount_recovered: i64,
    pub satisfaction: Option<i64>,
}

/// A citizen's own applications, newest first, in one query.
pub async fn mine(db: &Db, phone: &crate::privacy::Phone) -> Result<Vec<MineRow>, AppError> {
    q("SELECT c.id, c.case_no, c.state, c.due_on, a.category, a.received_on, a.decision, a.closing_code, a.amount_recovered, a.satisfaction FROM legal_aid_cases a JOIN cases c ON c.id = a.case_id WHERE a.phone = $1 ORDER BY a.received_on DESC, c.id DESC LIMIT 50")
        .bind(phone.as_str())
        .fetch_all(db)
        .await
}
