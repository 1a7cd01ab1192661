//! The operations of the enforcement module, shared by the staff pages and the API: an officer
//! with his certificate, a penalty case registered (立案), and a step on the kernel. Each runs
//! in one transaction with its event; a refusal changes nothing.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use futures::FutureExt;

use super::queries::{self, OfficerRow, PenaltyRow};
use super::rules::{self, PROCEDURE};
use crate::audit::{self, Actor, Changes, NewEvent};
use crate::auth::Staff;
use crate::auth::roles::Perm;
use crate::auth::tokens::TokenCaller;
use crate::calendar::Calendar;
use crate::db::q;
use crate::error::{AppError, Check, FieldError};
use crate::kernel::definition::Basis;
use crate::kernel::engine::{self, Authority, Clock, Input};
use crate::kernel::queries::{self as cases, CaseRow, NewCase};
use crate::org::queries as orgs;
use crate::state::AppState;
use crate::time::{fmt_date, now_ms, parse_date, today};

/// Who acts.
#[derive(Clone)]
pub enum Who {
    Staff(Box<Staff>),
    Token(Box<TokenCaller>),
    System,
}

impl Who {
    pub fn staff(s: &Staff) -> Who {
        Who::Staff(Box::new(s.clone()))
    }
    pub fn token(t: &TokenCaller) -> Who {
        Who::Token(Box::new(t.clone()))
    }
    pub fn actor(&self) -> Actor {
        match self {
            Who::Staff(s) => s.actor(),
            Who::Token(t) => t.actor(),
            Who::System => Actor::system(),
        }
    }
    /// Holds `perm` over the unit at `path` for penalty cases.
    pub fn may(&self, perm: Perm, path: &str) -> bool {
        match self {
            Who::Staff(s) => s.allows(perm, Some(rules::CODE), path),
            Who::Token(t) => t.allows(perm, path),
            Who::System => true,
        }
    }
}

/// One person's authority over one case.
pub struct CaseAuthority<'a> {
    pub who: &'a Who,
    pub path: String,
}

impl Authority for CaseAuthority<'_> {
    fn staff_may(&self, perm: Perm) -> bool {
        !matches!(self.who, Who::System) && self.who.may(perm, &self.path)
    }
    fn is_filer(&self) -> bool {
        false
    }
    fn is_system(&self) -> bool {
        matches!(self.who, Who::System)
    }
}

fn refused(errors: Vec<FieldError>, basis: &[Basis]) -> AppError {
    let first = errors[0].clone();
    AppError::Refused { code: first.code.clone(), message: first.message, basis: basis.iter().map(Basis::full).collect(), fields: errors }
}

fn date_or(c: &mut Check, field: &str, label: &str, value: Option<&str>, default: NaiveDate) -> NaiveDate {
    match value.map(str::trim).filter(|s| !s.is_empty()) {
        None => default,
        Some(s) => parse_date(s).unwrap_or_else(|| {
            c.add(field, "bad_date", format!("{label}格式应为 YYYY-MM-DD"));
            default
        }),
    }
}

/// Load a case the caller may read, or 404.
pub async fn readable(state: &AppState, who: &Who, id: i64) -> Result<(CaseRow, PenaltyRow, String), AppError> {
    let (c, p) = queries::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let path = crate::kernel::access::org_path(state, c.org_id).await?;
    if !who.may(Perm::CASE_READ, &path) {
        return Err(crate::kernel::access::not_found());
    }
    Ok((c, p, path))
}

// ---- Officers ---------------------------------------------------------------------------

/// Why an officer may not enforce in `field` on `day`, or `None` when he may (Art. 42: a
/// certificate, active, within its validity, of the field; auxiliaries never).
pub fn cannot_enforce(o: &OfficerRow, field: &str, day: NaiveDate) -> Option<(&'static str, String)> {
    let who = format!("{}（{}）", o.name, o.cert_no.clone().unwrap_or_else(|| "无证件".into()));
    if o.auxiliary {
        return Some(("auxiliary_cannot_enforce", format!("{who}是执法辅助人员，只能协助，不得作为承办人实施行政处罚")));
    }
    match o.status.as_str() {
        "active" => {}
        "suspended" => return Some(("cert_suspended", format!("{who}的执法证已被暂扣"))),
        _ => return Some(("cert_revoked", format!("{who}的执法证已被吊销或注销"))),
    }
    if o.issued_on.as_deref().and_then(parse_date).is_some_and(|d| day < d) {
        return Some(("cert_not_yet_valid", format!("{who}的执法证尚未生效")));
    }
    match o.expires_on.as_deref().and_then(parse_date) {
        Some(d) if day > d => return Some(("cert_expired", format!("{who}的执法证已于 {} 过期", fmt_date(d)))),
        None => return Some(("cert_expired", format!("{who}的执法证没有有效期记录"))),
        _ => {}
    }
    if o.field.as_deref() != Some(field) {
        return Some((
            "cert_wrong_field",
            format!(
                "{who}的执法证领域为“{}”，不能办理“{}”领域的案件",
                rules::label(rules::FIELDS, o.field.as_deref().unwrap_or("")),
                rules::label(rules::FIELDS, field)
            ),
        ));
    }
    None
}

/// An officer as submitted.
#[derive(Clone, Debug, Default)]
pub struct NewOfficer {
    pub org_id: Option<i64>,
    pub name: Option<String>,
    pub auxiliary: bool,
    pub cert_no: Option<String>,
    pub field: Option<String>,
    pub issued_on: Option<String>,
    pub expires_on: Option<String>,
    pub training_hours: Option<i64>,
}

pub async fn create_officer(state: &AppState, who: &Who, new: NewOfficer) -> Result<i64, AppError> {
    let mut c = Check::new();
    let name = c.text("name", "姓名", new.name.as_deref(), 40);
    let org = match new.org_id {
        Some(id) => orgs::get(&state.db, id).await?.filter(|o| o.active),
        None => None,
    };
    match &org {
        None => c.add("org_id", "no_such_org", "请选择所在执法单位"),
        Some(o) if !who.may(super::roles::CERTS, &o.path) => c.add("org_id", "org_out_of_scope", "您无权管理该单位的执法人员"),
        _ => {}
    }
    let (cert, field, issued, expires) = if new.auxiliary {
        // 辅助人员 hold no certificate: whatever was sent for one is ignored, never stored.
        (None, None, None, None)
    } else {
        let cert = c.text("cert_no", "执法证号", new.cert_no.as_deref(), 40);
        let field = new.field.clone().unwrap_or_default();
        if !rules::FIELDS.iter().any(|f| f.0 == field) {
            c.add("field", "bad_field", "请选择执法领域");
        }
        let issued = date_or(&mut c, "issued_on", "发证日期", new.issued_on.as_deref(), today());
        let expires = match new.expires_on.as_deref().and_then(parse_date) {
            Some(d) if d > issued => Some(d),
            Some(_) => {
                c.add("expires_on", "expiry_before_issue", "有效期至须晚于发证日期");
                None
            }
            None => {
                c.add("expires_on", "bad_date", "请填写证件有效期至（YYYY-MM-DD）");
                None
            }
        };
        (Some(cert), Some(field), Some(fmt_date(issued)), expires.map(fmt_date))
    };
    let hours = new.training_hours.unwrap_or(0);
    if hours < 0 {
        c.add("training_hours", "negative", "培训学时不能为负数");
    }
    if let Some(cn) = &cert {
        if !cn.is_empty() && !queries::officers_by_cert(&state.db, std::slice::from_ref(cn)).await?.is_empty() {
            c.add("cert_no", "cert_taken", format!("执法证号 {cn} 已登记"));
        }
    }
    if !c.is_ok() {
        return Err(refused(c.errors, &[rules::ART_42]));
    }
    let org = org.expect("checked");
    let actor = who.actor();
    state
        .db
        .write(move |tx| {
            async move {
                let now = now_ms();
                let id = q("INSERT INTO enf_officers (org_id, name, auxiliary, cert_no, field, issued_on, expires_on, status, training_hours, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,'active',$8,$9,$9) RETURNING id")
                    .bind(org.id)
                    .bind(name.clone())
                    .bind(new.auxiliary)
                    .bind(cert.clone())
                    .bind(field.clone())
                    .bind(issued.clone())
                    .bind(expires.clone())
                    .bind(hours)
                    .bind(now)
                    .fetch_i64(&mut *tx)
                    .await?;
                let changes = Changes::new()
                    .created("姓名", name)
                    .created("单位", org.name.clone())
                    .created("辅助人员", new.auxiliary)
                    .created("执法证号", cert)
                    .created("执法领域", field.as_deref().map(|f| rules::label(rules::FIELDS, f)))
                    .created("有效期至", expires);
                audit::record_at(tx, &actor, NewEvent::new("enf_officer", id, "create", "登记执法人员").changes(changes), now).await?;
                Ok(id)
            }
            .boxed()
        })
        .await
}

/// Change a certificate's status (暂扣, 吊销/注销, 恢复).
pub async fn set_officer_status(state: &AppState, who: &Who, id: i64, status: &str, reason: Option<String>) -> Result<(), AppError> {
    let o: OfficerRow = q(format!("SELECT {} FROM enf_officers o WHERE o.id = $1", queries::OFFICER_COLS))
        .bind(id)
        .fetch_optional(&state.db)
        .await?
        .ok_or_else(crate::kernel::access::not_found)?;
    let path = crate::kernel::access::org_path(state, o.org_id).await?;
    if !who.may(super::roles::CERTS, &path) {
        return Err(crate::kernel::access::not_found());
    }
    if !matches!(status, "active" | "suspended" | "revoked") {
        return Err(AppError::field("status", "bad_status", "证件状态只能是有效、暂扣或吊销"));
    }
    let reason = reason
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .ok_or_else(|| AppError::field("reason", "reason_required", "请说明变更证件状态的原因"))?;
    let actor = who.actor();
    let status = status.to_string();
    state
        .db
        .write(move |tx| {
            async move {
                let now = now_ms();
                q("UPDATE enf_officers SET status = $1, updated_at = $2 WHERE id = $3").bind(status.clone()).bind(now).bind(id).execute(&mut *tx).await?;
                let changes = Changes::new().set("证件状态", o.status.clone(), status).set("原因", serde_json::Value::Null, reason);
                audit::record_at(tx, &actor, NewEvent::new("enf_officer", id, "status", "变更执法证状态").changes(changes), now).await?;
                Ok(())
            }
            .boxed()
        })
        .await
}

// ---- Cases ------------------------------------------------------------------------------

/// A case as registered (立案).
#[derive(Clone, Debug, Default)]
pub struct NewPenalty {
    pub org_id: Option<i64>,
    pub title: Option<String>,
    pub field: Option<String>,
    pub party_kind: Option<String>,
    pub party_name: Option<String>,
    pub major: Option<String>,
    pub registered_on: Option<String>,
}

pub async fn create(state: &AppState, who: &Who, new: NewPenalty) -> Result<CaseRow, AppError> {
    let day = today();
    let mut c = Check::new();
    let title = c.text("title", "案由", new.title.as_deref(), 120);
    let party = c.text("party_name", "当事人", new.party_name.as_deref(), 100);
    let kind = new.party_kind.clone().unwrap_or_default();
    if !matches!(kind.as_str(), "person" | "org") {
        c.add("party_kind", "bad_party_kind", "请选择当事人类型（自然人或单位）");
    }
    let field = new.field.clone().unwrap_or_default();
    if !rules::FIELDS.iter().any(|f| f.0 == field) {
        c.add("field", "bad_field", "请选择执法领域");
    }
    let major = new.major.clone().filter(|m| !m.is_empty()).unwrap_or_else(|| "none".into());
    if !rules::MAJOR.iter().any(|m| m.0 == major) {
        c.add("major", "bad_major", "法制审核情形不在第五十八条所列范围内");
    }
    let registered = date_or(&mut c, "registered_on", "立案日期", new.registered_on.as_deref(), day);
    if registered > day {
        c.add("registered_on", "date_in_future", "立案日期不能晚于今天");
    }
    if registered < parse_date(rules::LAW_FROM).expect("a date") {
        c.add("registered_on", "before_law", "2021年7月15日前立案的案件适用修订前的行政处罚法，本程序不适用");
    }
    let org = match new.org_id {
        Some(id) => orgs::get(&state.db, id).await?.filter(|o| o.active),
        None => None,
    };
    match &org {
        None => c.add("org_id", "no_such_org", "请选择立案的执法单位"),
        Some(o) if !who.may(Perm::CASE_HANDLE, &o.path) => c.add("org_id", "org_out_of_scope", "您只能为本单位立案"),
        _ => {}
    }
    if !c.is_ok() {
        return Err(refused(c.errors, &[rules::ART_54]));
    }
    let org = org.expect("checked");
    let actor = who.actor();
    let cal = state.calendar();
    state
        .db
        .write(move |tx| {
            async move {
                let rule = PROCEDURE.deadline("decision", registered).ok_or_else(|| AppError::internal("no decision rule"))?;
                let clock = Clock {
                    rule: Some(rule.code.into()),
                    started_on: Some(registered),
                    due_on: Some(engine::add_days(&cal, rule.unit, rule.rollover, registered, rule.days)),
                    ..Clock::default()
                };
                let now = now_ms();
                let opened_at = if registered == today() { now } else { crate::time::start_of_day_ms(registered) + 9 * 3600 * 1000 };
                let case = cases::create(
                    tx,
                    NewCase {
                        procedure: &PROCEDURE,
                        title: title.clone(),
                        org_id: org.id,
                        org_code: org.code.clone(),
                        assignee_id: None,
                        opened_at,
                        state: "registered",
                        clock,
                        closed: false,
                    },
                    &cal,
                )
                .await?;
                q("INSERT INTO enf_cases (case_id, org_id, title, field, party_kind, party_name, registered_on, major, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9)")
                    .bind(case.id)
                    .bind(org.id)
                    .bind(title.clone())
                    .bind(field.clone())
                    .bind(kind.clone())
                    .bind(party.clone())
                    .bind(fmt_date(registered))
                    .bind(major.clone())
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                let changes = Changes::new()
                    .created("案由", title)
                    .created("执法领域", rules::label(rules::FIELDS, &field))
                    .created("当事人类型", if kind == "person" { "自然人" } else { "单位" })
                    .created("立案日期", fmt_date(registered))
                    .created("法制审核情形", rules::label(rules::MAJOR, &major))
                    .created("决定期限", case.due_on.clone());
                audit::record_at(tx, &actor, NewEvent::new("case", case.id, "create", "立案").changes(changes), now).await?;
                Ok(case)
            }
            .boxed()
        })
        .await
}

/// A step as submitted.
#[derive(Clone, Debug, Default)]
pub struct StepForm {
    pub reason: Option<String>,
    pub fields: BTreeMap<String, String>,
    pub days: Option<u32>,
}

/// The facts the kernel's guards read, as of `day`, with the dates the step submits.
pub fn flags(p: &PenaltyRow, assigned: &[OfficerRow], input: &Input, state: &str, day: NaiveDate, cal: &Calendar) -> BTreeMap<String, bool> {
    let d = |s: &Option<String>| s.as_deref().and_then(parse_date);
    let given = |name: &str| input.field(name).and_then(parse_date).unwrap_or(day);
    let mut f = BTreeMap::new();
    let valid = assigned.iter().filter(|o| cannot_enforce(o, &p.field, day).is_none()).count();
    f.insert("officers_valid".into(), valid >= 2);
    f.insert("hearing_right".into(), p.hearing_right == Some(true));
    let request_by = d(&p.notified_on).map(|n| cal.add_working_days(n, rules::HEARING_REQUEST_WD));
    f.insert("hearing_request_late".into(), request_by.is_some_and(|by| given("requested_on") > by));
    let notice = input.field("notice_on").and_then(parse_date);
    f.insert("hearing_notice_short".into(), notice.is_some_and(|n| cal.add_working_days(n, rules::HEARING_NOTICE_WD) > given("held_on")));
    // The decision waits until the party could ask for a hearing: the period has run, the
    // hearing was held, or the party waived in writing.
    let open = p.hearing_right == Some(true) && state == "notified" && request_by.is_some_and(|by| day <= by) && input.field("waived") != Some("yes");
    f.insert("defence_open".into(), open);
    f.insert("review_required".into(), p.major != "none" || p.hearing_held_on.is_some());
    f.insert("review_passed".into(), p.review_result.as_deref() == Some("pass"));
    f.insert("collective_required".into(), matches!(p.major.as_str(), "public_interest" | "complex"));
    f.insert("service_late".into(), d(&p.service_due_on).is_some_and(|due| given("served_on") > due));
    f.insert("disclosure_late".into(), d(&p.disclosure_due_on).is_some_and(|due| given("disclosed_on") > due));
    f
}

/// Take a step. `seen_version`: the version the person saw (stale → 409).
pub async fn step(state: &AppState, who: &Who, id: i64, seen_version: Option<i64>, action: &str, form: StepForm) -> Result<CaseRow, AppError> {
    let (_, _, path) = readable(state, who, id).await?;
    let cal = state.calendar();
    let overrides = crate::settings::procedure_overrides(&state.db, rules::CODE).await?;
    let input = Input { reason: form.reason.clone(), fields: form.fields.clone(), attachments: 0, days: form.days, clock_days: None };
    let who = who.clone();
    let action = action.to_string();
    let day = today();
    // The officers named for an assignment, read before the transaction (they are checked
    // again inside it against the case's field).
    let certs: Vec<String> =
        input.field("officers").unwrap_or("").split([',', '，', ' ', '、']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
    state
        .db
        .write(move |tx| {
            async move {
                let case = cases::load_for_change(tx, id, seen_version).await?;
                let p = queries::penalty(&mut *tx, id).await?.ok_or_else(crate::kernel::access::not_found)?;
                let assigned = queries::assigned(&mut *tx, id).await?;
                let mut input = input;
                let mut c = Check::new();
                // Dates a paper record may carry: never in the future, never before the step it follows.
                let dated = |c: &mut Check, name: &str, label: &str, after: Option<&str>| -> NaiveDate {
                    let v = date_or(c, name, label, input.field(name), day);
                    if v > day {
                        c.add(name, "date_in_future", format!("{label}不能晚于今天"));
                    }
                    if let Some(a) = after.and_then(parse_date) {
                        if v < a {
                            c.add(name, "date_too_early", format!("{label}不能早于 {}", fmt_date(a)));
                        }
                    }
                    v
                };
                let mut chosen = Vec::new();
                let mut basis = vec![rules::ART_42];
                match action.as_str() {
                    "assign" if !certs.is_empty() => {
                        let mut uniq = certs.clone();
                        uniq.sort();
                        uniq.dedup();
                        let found = queries::officers_by_cert(&mut *tx, &uniq).await?;
                        for cert in &uniq {
                            match found.iter().find(|o| o.cert_no.as_deref() == Some(cert)) {
                                None => c.add("officers", "no_such_officer", format!("执法证号 {cert} 未登记")),
                                Some(o) if o.org_id != case.org_id => c.add("officers", "other_unit", format!("{}不是本单位的执法人员", o.name)),
                                Some(o) => match cannot_enforce(o, &p.field, day) {
                                    Some((code, msg)) => c.add("officers", code, msg),
                                    None => chosen.push(o.clone()),
                                },
                            }
                        }
                        if c.is_ok() && chosen.len() < 2 {
                            c.add("officers", "two_officers_required", "行政处罚应当由不少于两名持有本领域有效执法证的执法人员实施");
                        }
                    }
                    "hold_hearing" => {
                        basis = vec![rules::ART_64];
                        let notice = dated(&mut c, "notice_on", "听证通知日期", p.hearing_requested_on.as_deref());
                        dated(&mut c, "held_on", "听证日期", Some(&fmt_date(notice)));
                    }
                    "notify" => {
                        basis = vec![rules::ART_44];
                        dated(&mut c, "notified_on", "告知日期", Some(&p.registered_on));
                    }
                    "request_hearing" => {
                        basis = vec![rules::ART_64];
                        dated(&mut c, "requested_on", "提出听证要求的日期", p.notified_on.as_deref());
                    }
                    "serve" => {
                        basis = vec![rules::ART_61];
                        dated(&mut c, "served_on", "送达日期", p.decided_on.as_deref());
                    }
                    "disclose" => {
                        basis = vec![rules::DISCLOSURE];
                        dated(&mut c, "disclosed_on", "公示日期", p.decided_on.as_deref());
                    }
                    _ => {}
                }
                if !c.is_ok() {
                    return Err(refused(c.errors, &basis));
                }
                if action == "serve" {
                    // The disclosure clock counts from the decision (118号), not from service:
                    // it runs for the working days left until that date.
                    let due = p.disclosure_due_on.as_deref().and_then(parse_date).unwrap_or(day);
                    input.clock_days = Some(u32::try_from(cal.working_days_between(day, due).max(0)).unwrap_or(0));
                }
                let facts = case.facts(flags(&p, &assigned, &input, &case.state, day, &cal));
                let auth = CaseAuthority { who: &who, path };
                let plan = engine::plan(&PROCEDURE, &facts, &action, &auth, &input, day, &cal, &overrides).map_err(AppError::from)?;
                let now = now_ms();
                let null = serde_json::Value::Null;
                let mut extra = Changes::new();
                let f = |n: &str| input.field(n).map(str::to_string);
                let on = |n: &str| fmt_date(input.field(n).and_then(parse_date).unwrap_or(day));
                match action.as_str() {
                    "assign" => {
                        for o in &chosen {
                            q("INSERT INTO enf_assignments (case_id, officer_id, assigned_on) VALUES ($1, $2, $3)").bind(id).bind(o.id).bind(fmt_date(day)).execute(&mut *tx).await?;
                        }
                        let names: Vec<String> = chosen.iter().map(|o| format!("{}（{}）", o.name, o.cert_no.clone().unwrap_or_default())).collect();
                        extra = extra.set("承办执法人员", null.clone(), names.join("、")).set("回避核查", null.clone(), "已核查");
                    }
                    "notify" => {
                        q("UPDATE enf_cases SET facts = $1, proposed = $2, hearing_right = $3, notified_on = $4, updated_at = $5 WHERE case_id = $6")
                            .bind(f("facts"))
                            .bind(f("proposed"))
                            .bind(input.field("hearing_right") == Some("yes"))
                            .bind(on("notified_on"))
                            .bind(now)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("告知日期", null.clone(), on("notified_on")).set("告知听证权利", null.clone(), input.field("hearing_right") == Some("yes"));
                    }
                    "request_hearing" => {
                        q("UPDATE enf_cases SET hearing_requested_on = $1, updated_at = $2 WHERE case_id = $3").bind(on("requested_on")).bind(now).bind(id).execute(&mut *tx).await?;
                        extra = extra.set("要求听证日期", null.clone(), on("requested_on"));
                    }
                    "hold_hearing" => {
                        q("UPDATE enf_cases SET hearing_notice_on = $1, hearing_held_on = $2, updated_at = $3 WHERE case_id = $4")
                            .bind(on("notice_on"))
                            .bind(on("held_on"))
                            .bind(now)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("听证通知日期", null.clone(), on("notice_on")).set("听证日期", null.clone(), on("held_on")).set("听证笔录", null.clone(), f("record"));
                    }
                    "record_defence" => {
                        q("UPDATE enf_cases SET statement = $1, updated_at = $2 WHERE case_id = $3").bind(f("statement")).bind(now).bind(id).execute(&mut *tx).await?;
                        extra = extra.set("陈述申辩及复核", null.clone(), f("statement"));
                        if input.field("waived") == Some("yes") {
                            extra = extra.set("当事人书面放弃", null.clone(), true);
                        }
                    }
                    "review" => {
                        q("UPDATE enf_cases SET review_result = $1, review_opinion = $2, reviewed_on = $3, updated_at = $4 WHERE case_id = $5")
                            .bind(f("result"))
                            .bind(f("opinion"))
                            .bind(fmt_date(day))
                            .bind(now)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("审核结论", null.clone(), rules::label(rules::REVIEW_RESULTS, input.field("result").unwrap_or("")));
                    }
                    "decide" => {
                        let org = orgs::get(&mut *tx, case.org_id).await?.ok_or_else(|| AppError::internal("执法单位不存在"))?;
                        let no = crate::kernel::numbering::next(tx, "penalty_decision", "{org}罚决〔{year}〕{seq}号", day.year(), &org.code).await?;
                        let fine = input.field("fine").and_then(|s| s.parse::<i64>().ok());
                        let disclosure_days = overrides.get("disclosure_days").copied().unwrap_or(7);
                        let disclosure_due = cal.add_working_days(day, disclosure_days);
                        let in_time = case.due_on.as_deref().and_then(parse_date).is_none_or(|due| day <= due);
                        q("UPDATE enf_cases SET decision_no = $1, decision = $2, fine = $3, decided_by = $4, decided_on = $5, service_due_on = $6, disclosure_due_on = $7, decided_in_time = $8, review_required = $9, updated_at = $10 WHERE case_id = $11")
                            .bind(no.clone())
                            .bind(f("decision"))
                            .bind(fine)
                            .bind(f("decided_by"))
                            .bind(fmt_date(day))
                            .bind(plan.clock.due_on.map(fmt_date))
                            .bind(fmt_date(disclosure_due))
                            .bind(in_time)
                            .bind(facts.flag("review_required"))
                            .bind(now)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra
                            .set("决定书文号", null.clone(), no)
                            .set("罚款（元）", null.clone(), fine)
                            .set("决定方式", null.clone(), rules::label(rules::DECIDED_BY, input.field("decided_by").unwrap_or("")))
                            .set("公示期限", null.clone(), fmt_date(disclosure_due))
                            .set("在决定期限内", null.clone(), in_time);
                    }
                    "serve" => {
                        q("UPDATE enf_cases SET served_on = $1, service_method = $2, updated_at = $3 WHERE case_id = $4")
                            .bind(on("served_on"))
                            .bind(f("method"))
                            .bind(now)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("送达日期", null.clone(), on("served_on")).set("送达方式", null.clone(), rules::label(rules::SERVICE, input.field("method").unwrap_or("")));
                    }
                    "disclose" => {
                        let on_time = !facts.flag("disclosure_late");
                        q("UPDATE enf_cases SET disclosed_on = $1, disclosed_on_time = $2, updated_at = $3 WHERE case_id = $4")
                            .bind(on("disclosed_on"))
                            .bind(on_time)
                            .bind(now)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("公示日期", null.clone(), on("disclosed_on")).set("按期公示", null.clone(), on_time);
                    }
                    "archive" => {
                        q("UPDATE enf_cases SET archive_no = $1, updated_at = $2 WHERE case_id = $3").bind(f("archive_no")).bind(now).bind(id).execute(&mut *tx).await?;
                        extra = extra.set("档案号", null.clone(), f("archive_no"));
                    }
                    "transfer" => extra = extra.set("接收机关", null.clone(), f("receiver")),
                    _ => {}
                }
                let reason = input.reason.clone().or_else(|| f("late_reason"));
                cases::apply(tx, &PROCEDURE, &case, &plan, &who.actor(), reason, extra, now, &cal).await
            }
            .boxed()
        })
        .await
}
