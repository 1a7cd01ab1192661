//! Mediation cases and mediators: registering a dispute with its source (a court referral
//! carries the court's case number, a hotline referral the ticket's number), the roster of an
//! organisation's mediators, the conflict-of-interest check before a mediator is assigned (the
//! refusal names the conflict), and the steps, each in one transaction.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use futures::FutureExt;
use serde::Serialize;

use crate::audit::{self, Changes, NewEvent};
use crate::auth::roles::Perm;
use crate::db::{Db, Ex, q};
use crate::error::{AppError, FieldError};
use crate::kernel::engine::{self, Authority, Clock, Input};
use crate::kernel::queries::{self as cases, CaseRow, NewCase};
use crate::mediation_rules::{self as rules, PROCEDURE};
use crate::org::queries as orgs;
use crate::service::{StepForm, Who};
use crate::state::AppState;
use crate::time::{fmt_date, now_ms, start_of_day_ms, today};

const P: &str = "mediation";

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct MediatorRow {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub specialty: String,
    pub training: String,
    pub available: bool,
    pub relations: String,
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct MediationRow {
    pub case_id: i64,
    pub kind: String,
    pub source: String,
    pub court_case_no: Option<String>,
    pub hotline_ticket_no: Option<String>,
    pub summary: String,
    pub party_a: String,
    pub party_a_phone: Option<String>,
    pub party_b: String,
    pub party_b_phone: Option<String>,
    pub registered_on: String,
    pub mediator_id: Option<i64>,
    pub agreement_kind: Option<String>,
    pub agreement_text: Option<String>,
    pub agreement_on: Option<String>,
    pub confirmation_result: Option<String>,
    pub performance: Option<String>,
    pub closing_code: Option<String>,
    pub concluded_on: Option<String>,
}

const COLS: &str = "m.case_id, m.kind, m.source, m.court_case_no, m.hotline_ticket_no, m.summary, m.party_a, m.party_a_phone, m.party_b, m.party_b_phone, m.registered_on, m.mediator_id, m.agreement_kind, m.agreement_text, m.agreement_on, m.confirmation_result, m.performance, m.closing_code, m.concluded_on";

pub async fn row<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Option<MediationRow>, AppError> {
    q(format!("SELECT {COLS} FROM mediation_cases m WHERE m.case_id = $1")).bind(id).fetch_optional(ex).await
}

pub async fn load(db: &Db, id: i64) -> Result<Option<(CaseRow, MediationRow)>, AppError> {
    let Some(c) = cases::get(db, id).await? else { return Ok(None) };
    if c.procedure != P {
        return Ok(None);
    }
    Ok(row(db, id).await?.map(|m| (c, m)))
}

pub async fn mediator<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Option<MediatorRow>, AppError> {
    q("SELECT id, org_id, name, specialty, training, available, relations FROM mediators WHERE id = $1").bind(id).fetch_optional(ex).await
}

pub async fn mediators_of(db: &Db, org_id: i64) -> Result<Vec<MediatorRow>, AppError> {
    q("SELECT id, org_id, name, specialty, training, available, relations FROM mediators WHERE org_id = $1 ORDER BY name").bind(org_id).fetch_all(db).await
}

/// A conflict between a mediator and the parties, in words: the mediator is a party, or a
/// relation the mediator declared names a party. `None` when there is none.
pub fn conflict(m: &MediatorRow, parties: &[&str]) -> Option<String> {
    conflict_of("调解员", &m.name, &m.relations, parties)
}

/// The same check for anyone assigned to a matter (a mediator, a legal-aid lawyer): `role` names
/// them in the message, `relations` is what they declared, one a line.
pub fn conflict_of(role: &str, name: &str, relations: &str, parties: &[&str]) -> Option<String> {
    let clean = |s: &str| s.trim().to_string();
    for p in parties.iter().map(|p| clean(p)).filter(|p| !p.is_empty()) {
        if clean(name) == p {
            return Some(format!("{role}{name}本人是当事人"));
        }
        for line in relations.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if line.contains(p.as_str()) {
                return Some(format!("{role}{name}申报的利害关系“{line}”涉及当事人{p}"));
            }
        }
    }
    None
}

/// A dispute as submitted.
#[derive(Clone, Debug, Default)]
pub struct NewMediation {
    pub org_id: Option<i64>,
    pub kind: Option<String>,
    pub source: Option<String>,
    pub court_case_no: Option<String>,
    pub hotline_ticket_no: Option<String>,
    pub summary: Option<String>,
    pub party_a: Option<String>,
    pub party_a_phone: Option<String>,
    pub party_b: Option<String>,
    pub party_b_phone: Option<String>,
    /// YYYY-MM-DD, default today, within the past year.
    pub received_on: Option<String>,
}

fn text(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

pub struct Registered {
    pub case: CaseRow,
}

/// Register a dispute at a mediation organisation (a unit of the tree: a village or town 调委会,
/// the centre). The month of the mediation runs from the day received.
pub async fn register(state: &AppState, who: &Who, n: NewMediation) -> Result<Registered, AppError> {
    let day = today();
    let mut errors = Vec::new();
    let kind = text(&n.kind).unwrap_or_else(|| "people".into());
    if !rules::KINDS.iter().any(|k| k.0 == kind) {
        errors.push(FieldError::new("kind", "bad_choice", "调解类型只能是人民调解、行政调解、律师调解或行业性专业性调解"));
    }
    let source = text(&n.source).unwrap_or_else(|| "walk_in".into());
    if !rules::SOURCES.iter().any(|k| k.0 == source) {
        errors.push(FieldError::new("source", "bad_choice", "请选择纠纷来源"));
    }
    let court_no = text(&n.court_case_no);
    if source == "court" && court_no.is_none() {
        errors.push(FieldError::new("court_case_no", "required", "法院委派调解的，请填写法院案号"));
    }
    let ticket = text(&n.hotline_ticket_no);
    if source == "hotline" {
        match &ticket {
            None => errors.push(FieldError::new("hotline_ticket_no", "required", "热线移交的，请填写工单编号")),
            Some(t) => {
                if cases::by_number(&state.db, t).await?.is_none_or(|c| c.procedure != "hotline") {
                    errors.push(FieldError::new("hotline_ticket_no", "ticket_not_found", "没有这个热线工单"));
                }
            }
        }
    }
    let summary = text(&n.summary);
    if summary.is_none() {
        errors.push(FieldError::new("summary", "required", "请填写纠纷简要情况"));
    }
    let (a, b) = (text(&n.party_a), text(&n.party_b));
    if a.is_none() {
        errors.push(FieldError::new("party_a", "required", "请填写一方当事人"));
    }
    if b.is_none() {
        errors.push(FieldError::new("party_b", "required", "请填写另一方当事人"));
    }
    let phone = |v: &Option<String>, f: &'static str, errors: &mut Vec<FieldError>| match text(v) {
        None => None,
        Some(p) => match crate::privacy::Phone::parse(&p) {
            Ok(p) => Some(p.as_str().to_string()),
            Err(m) => {
                errors.push(FieldError::new(f, "bad_phone", m));
                None
            }
        },
    };
    let pa = phone(&n.party_a_phone, "party_a_phone", &mut errors);
    let pb = phone(&n.party_b_phone, "party_b_phone", &mut errors);
    let received = match text(&n.received_on).map(|s| crate::time::parse_date(&s)) {
        None => day,
        Some(Some(d)) if d <= day && d >= day - chrono::Duration::days(366) => d,
        Some(_) => {
            errors.push(FieldError::new("received_on", "bad_date", "收到日期须为一年以内、不晚于今天的日期（YYYY-MM-DD）"));
            day
        }
    };
    let org = match n.org_id {
        Some(id) => orgs::get(&state.db, id).await?,
        None => None,
    };
    match &org {
        Some(o) if who.allows_in(Perm::CASE_HANDLE, P, &o.path) => {}
        Some(_) => errors.push(FieldError::new("org_id", "org_out_of_scope", "您只能为本单位（调解组织）登记纠纷")),
        None => errors.push(FieldError::new("org_id", "required", "请选择调解组织")),
    }
    if !errors.is_empty() {
        let message =
            if errors.len() == 1 { errors[0].message.clone() } else { format!("{}（另有 {} 处需要修改）", errors[0].message, errors.len() - 1) };
        return Err(AppError::Refused { code: "mediation_incomplete".into(), message, basis: vec![rules::ART_17.full()], fields: errors });
    }
    let org = org.expect("checked");
    let overrides = crate::settings::procedure_overrides(&state.db, P).await?;
    let rule = PROCEDURE.deadlines[0].clone();
    let days = engine::rule_days(&rule, &overrides);
    let cal = state.calendar();
    let actor = who.actor();
    let title: String =
        format!("{}与{}：{}", a.clone().unwrap_or_default(), b.clone().unwrap_or_default(), summary.clone().unwrap_or_default()).chars().take(60).collect();
    let case = state
        .db
        .write(move |tx| {
            async move {
                let clock = Clock {
                    rule: Some(rule.code.into()),
                    started_on: Some(received),
                    due_on: Some(engine::add_days(&cal, rule.unit, rule.rollover, received, days)),
                    ..Clock::default()
                };
                let opened_at = if received == today() { now_ms() } else { start_of_day_ms(received) + 9 * 3600 * 1000 };
                let case = cases::create(
                    tx,
                    NewCase { procedure: &PROCEDURE, title, org_id: org.id, org_code: org.code.clone(), assignee_id: None, opened_at, state: "registered", clock, closed: false },
                    &cal,
                )
                .await?;
                q("INSERT INTO mediation_cases (case_id, kind, source, court_case_no, hotline_ticket_no, summary, party_a, party_a_phone, party_b, party_b_phone, registered_on) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)")
                    .bind(case.id)
                    .bind(kind.as_str())
                    .bind(source.as_str())
                    .bind(court_no.clone())
                    .bind(ticket.clone())
                    .bind(summary.clone())
                    .bind(a.clone())
                    .bind(pa)
                    .bind(b.clone())
                    .bind(pb)
                    .bind(fmt_date(received))
                    .execute(&mut *tx)
                    .await?;
                let changes = Changes::new()
                    .created("调解类型", rules::label(rules::KINDS, &kind))
                    .created("来源", rules::label(rules::SOURCES, &source))
                    .created("法院案号", court_no.clone())
                    .created("热线工单", ticket.clone())
                    .created("调解期限", case.due_on.clone());
                audit::record_at(tx, &actor, NewEvent::new("case", case.id, "intake", "登记矛盾纠纷").changes(changes).reason(Some(format!("依据：{}", rules::ART_17.full()))), opened_at)
                    .await?;
                Ok(case)
            }
            .boxed()
        })
        .await?;
    Ok(Registered { case })
}

/// Add a mediator to an organisation's roster.
pub async fn add_mediator(state: &AppState, who: &Who, org_id: i64, name: &str, specialty: &str, training: &str, relations: &str) -> Result<i64, AppError> {
    let org = orgs::get(&state.db, org_id).await?.ok_or_else(|| AppError::field("org_id", "required", "请选择调解组织"))?;
    if !who.allows_in(Perm::CASE_HANDLE, P, &org.path) {
        return Err(AppError::field("org_id", "org_out_of_scope", "您只能为本单位登记调解员"));
    }
    let name = name.trim().to_string();
    if name.is_empty() || name.chars().count() > 50 {
        return Err(AppError::field("name", "required", "请填写调解员姓名（50 字以内）"));
    }
    let (s, t, r) = (specialty.trim().to_string(), training.trim().to_string(), relations.trim().to_string());
    let actor = who.actor();
    state
        .db
        .write(move |tx| {
            async move {
                let id = q(
                    "INSERT INTO mediators (org_id, name, specialty, training, available, relations, created_at) VALUES ($1,$2,$3,$4,TRUE,$5,$6) RETURNING id",
                )
                .bind(org_id)
                .bind(name.clone())
                .bind(s)
                .bind(t)
                .bind(r)
                .bind(now_ms())
                .fetch_i64(&mut *tx)
                .await?;
                audit::record(tx, &actor, NewEvent::new("mediator", id, "create", "登记调解员").changes(Changes::new().created("姓名", name))).await?;
                Ok(id)
            }
            .boxed()
        })
        .await
}

struct MedAuthority<'a> {
    who: &'a Who,
    path: String,
}

impl Authority for MedAuthority<'_> {
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
    let (case, m) = load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let path = crate::kernel::access::org_path(state, case.org_id).await?;
    if !who.allows_in(Perm::CASE_READ, P, &path) {
        return Err(crate::kernel::access::not_found());
    }
    // The conflict-of-interest check: before anyone is assigned (人民调解法 Art. 21).
    if action == "assign" {
        if let Some(mid) = form.fields.get("mediator_id").and_then(|v| v.trim().parse::<i64>().ok()) {
            let med = mediator(&state.db, mid).await?.filter(|x| x.org_id == case.org_id);
            let basis = vec![rules::ART_19.full()];
            match med {
                None => {
                    return Err(AppError::Refused {
                        code: "mediator_not_found".into(),
                        message: "所选调解员不属于本调解组织".into(),
                        basis,
                        fields: vec![FieldError::new("mediator_id", "mediator_not_found", "所选调解员不属于本调解组织")],
                    });
                }
                Some(x) if !x.available => {
                    return Err(AppError::Refused {
                        code: "mediator_unavailable".into(),
                        message: format!("调解员{}目前不能接受指派", x.name),
                        basis,
                        fields: vec![FieldError::new("mediator_id", "mediator_unavailable", "该调解员目前不能接受指派")],
                    });
                }
                Some(x) => {
                    if let Some(c) = conflict(&x, &[&m.party_a, &m.party_b]) {
                        return Err(AppError::Refused {
                            code: "conflict_of_interest".into(),
                            message: format!("存在利害关系，不能指派：{c}"),
                            basis: vec![rules::ART_21.full()],
                            fields: vec![FieldError::new("mediator_id", "conflict_of_interest", c)],
                        });
                    }
                }
            }
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
                let auth = MedAuthority { who: &who, path };
                let input = Input { reason: form.reason.clone(), fields: form.fields.clone(), attachments: 0, days: form.days, clock_days: None };
                let facts = case.facts(BTreeMap::new());
                let plan = engine::plan(&PROCEDURE, &facts, &action, &auth, &input, day, &cal, &overrides).map_err(AppError::from)?;
                let d = fmt_date(day);
                let mut extra = Changes::new();
                match action.as_str() {
                    "assign" => {
                        let mid: i64 = input.field("mediator_id").and_then(|v| v.parse().ok()).unwrap_or_default();
                        q("UPDATE mediation_cases SET mediator_id = $1 WHERE case_id = $2").bind(mid).bind(id).execute(&mut *tx).await?;
                        let name = mediator(&mut *tx, mid).await?.map(|x| x.name).unwrap_or_default();
                        extra = extra.set("调解员", serde_json::Value::Null, name).set("利害关系核查", serde_json::Value::Null, "未发现利害关系");
                    }
                    "decline" => {
                        q("UPDATE mediation_cases SET closing_code = 'refused', concluded_on = $1 WHERE case_id = $2").bind(d.clone()).bind(id).execute(&mut *tx).await?;
                    }
                    "agree" => {
                        let k = input.field("agreement_kind").unwrap_or("written");
                        let code = if k == "oral" { "agreement_oral" } else { "agreement_written" };
                        q("UPDATE mediation_cases SET agreement_kind = $1, agreement_text = $2, agreement_on = $3, closing_code = $4, concluded_on = $3 WHERE case_id = $5")
                            .bind(k)
                            .bind(input.field("agreement_text"))
                            .bind(d.clone())
                            .bind(code)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("结案代码", serde_json::Value::Null, rules::label(rules::CLOSING_CODES, code));
                    }
                    "terminate" => {
                        let code = input.field("closing_code").unwrap_or("failed");
                        q("UPDATE mediation_cases SET closing_code = $1, concluded_on = $2 WHERE case_id = $3").bind(code).bind(d.clone()).bind(id).execute(&mut *tx).await?;
                        extra = extra.set("结案代码", serde_json::Value::Null, rules::label(rules::CLOSING_CODES, code));
                    }
                    "record_confirmation" => {
                        let r = input.field("result").unwrap_or("");
                        q("UPDATE mediation_cases SET confirmation_result = $1, confirmation_applied_on = $2 WHERE case_id = $3").bind(r).bind(d.clone()).bind(id).execute(&mut *tx).await?;
                        extra = extra.set("司法确认", serde_json::Value::Null, rules::label(rules::CONFIRMATION, r));
                    }
                    "close" => {
                        let p = input.field("performance").unwrap_or("");
                        q("UPDATE mediation_cases SET performance = $1 WHERE case_id = $2").bind(p).bind(id).execute(&mut *tx).await?;
                        extra = extra.set("履行情况", serde_json::Value::Null, rules::label(rules::PERFORMANCE, p));
                    }
                    _ => {}
                }
                cases::apply(tx, &PROCEDURE, &case, &plan, &who.actor(), input.reason.clone(), extra, now_ms(), &cal).await
            }
            .boxed()
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(name: &str, relations: &str) -> MediatorRow {
        MediatorRow { id: 1, org_id: 1, name: name.into(), specialty: String::new(), training: String::new(), available: true, relations: relations.into() }
    }

    #[test]
    fn a_conflict_names_the_relation_and_the_party() {
        assert_eq!(
            conflict(&m("孙调解", "赵甲（表兄）\n示范市某公司（曾任职）"), &["赵甲", "钱乙"]).as_deref(),
            Some("调解员孙调解申报的利害关系“赵甲（表兄）”涉及当事人赵甲")
        );
        assert_eq!(conflict(&m("钱乙", ""), &["赵甲", "钱乙"]).as_deref(), Some("调解员钱乙本人是当事人"));
        assert_eq!(conflict(&m("李调解", "周某（配偶）"), &["赵甲", "钱乙"]), None);
        assert_eq!(conflict(&m("李调解", "\n \n"), &["", " "]), None, "blank lines and parties match nothing");
    }
}
