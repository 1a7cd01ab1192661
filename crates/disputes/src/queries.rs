//! SQL of 行政复议 applications and of the 意见书 / 建议书.

use serde::{Deserialize, Serialize};

use crate::auth::roles::Scope;
use crate::db::{Db, Ex, Q, Tx, q};
use crate::error::AppError;
use crate::kernel::queries::{CASE_COLUMNS, CaseRow};
use crate::model::Valid;
use crate::web::{Page, Paging};

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct AppRow {
    pub case_id: i64,
    pub channel: String,
    pub applicant_name: String,
    pub applicant_kind: String,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub respondent_org_id: Option<i64>,
    pub respondent_name: String,
    pub act_title: String,
    pub act_doc_no: Option<String>,
    pub act_known_on: String,
    pub late_reason: Option<String>,
    pub request_text: String,
    pub received_on: String,
    pub track: Option<String>,
    pub accepted_on: Option<String>,
    pub deemed_accepted: bool,
    pub correction_items: Option<String>,
    pub correction_due_on: Option<String>,
    pub corrected_on: Option<String>,
    pub reject_ground: Option<String>,
    pub competent_organ: Option<String>,
    pub extension_requested_days: Option<i64>,
    pub decision_type: Option<String>,
    pub decision_basis: Option<String>,
    pub decision_text: Option<String>,
    pub decided_on: Option<String>,
    pub decided_on_time: Option<bool>,
    pub served_on: Option<String>,
    pub outcome: Option<String>,
    pub concluded_on: Option<String>,
}

pub const APP_COLS: &str = "a.case_id, a.channel, a.applicant_name, a.applicant_kind, a.id_number, a.phone, a.address, a.respondent_org_id, a.respondent_name, a.act_title, a.act_doc_no, a.act_known_on, a.late_reason, a.request_text, a.received_on, a.track, a.accepted_on, a.deemed_accepted, a.correction_items, a.correction_due_on, a.corrected_on, a.reject_ground, a.competent_organ, a.extension_requested_days, a.decision_type, a.decision_basis, a.decision_text, a.decided_on, a.decided_on_time, a.served_on, a.outcome, a.concluded_on";

pub async fn application<'a>(ex: impl Into<Ex<'a>>, case_id: i64) -> Result<Option<AppRow>, AppError> {
    q(format!("SELECT {APP_COLS} FROM recon_applications a WHERE a.case_id = $1")).bind(case_id).fetch_optional(ex).await
}

/// The case and its application, or `None` (also for a case of another procedure).
pub async fn load(db: &Db, id: i64) -> Result<Option<(CaseRow, AppRow)>, AppError> {
    let Some(case) = crate::kernel::queries::get(db, id).await? else { return Ok(None) };
    if case.procedure != "reconsideration" {
        return Ok(None);
    }
    Ok(application(db, id).await?.map(|a| (case, a)))
}

pub async fn insert(tx: &mut Tx, case_id: i64, v: &Valid, respondent_name: &str) -> Result<(), AppError> {
    q("INSERT INTO recon_applications (case_id, channel, applicant_name, applicant_kind, id_number, phone, address, respondent_org_id, respondent_name, act_title, act_doc_no, act_known_on, late_reason, request_text, received_on, idempotency_key) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)")
        .bind(case_id)
        .bind(v.channel.as_str())
        .bind(v.applicant_name.as_str())
        .bind(v.applicant_kind.as_str())
        .bind(v.id_number.clone())
        .bind(v.phone.clone())
        .bind(v.address.clone())
        .bind(v.respondent_org_id)
        .bind(respondent_name)
        .bind(v.act_title.as_str())
        .bind(v.act_doc_no.clone())
        .bind(crate::time::fmt_date(v.act_known_on))
        .bind(v.late_reason.clone())
        .bind(v.request_text.as_str())
        .bind(crate::time::fmt_date(v.received_on))
        .bind(v.idempotency_key.clone())
        .execute(tx)
        .await?;
    Ok(())
}

pub async fn by_idempotency_key(tx: &mut Tx, key: &str) -> Result<Option<i64>, AppError> {
    let r: Option<(i64,)> = q("SELECT case_id FROM recon_applications WHERE idempotency_key = $1").bind(key).fetch_optional(tx).await?;
    Ok(r.map(|r| r.0))
}

/// Filters of the register.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Filter {
    /// open (default), closed, all
    pub status: Option<String>,
    pub state: Option<String>,
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    pub respondent: Option<i64>,
    pub decision: Option<String>,
    /// YYYY-MM-DD bounds on the day received.
    pub from: Option<String>,
    pub to: Option<String>,
    pub q: Option<String>,
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    pub page: Option<i64>,
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    pub per: Option<i64>,
}

impl Filter {
    /// Dates that are not dates are refused with their field, like every other input.
    pub fn check(&self) -> Result<(), AppError> {
        for (k, v) in [("from", &self.from), ("to", &self.to)] {
            if let Some(s) = v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                if crate::time::parse_date(s).is_none() {
                    return Err(AppError::field(k, "bad_date", "日期格式应为 YYYY-MM-DD"));
                }
            }
        }
        if let Some(s) = self.state.as_deref().filter(|s| !s.is_empty()) {
            if crate::rules::PROCEDURE.state(s).is_none() {
                return Err(AppError::field("state", "bad_choice", "没有这个案件状态"));
            }
        }
        Ok(())
    }
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct ListRow {
    pub id: i64,
    pub case_no: String,
    pub state: String,
    pub org_id: i64,
    pub is_open: bool,
    pub due_on: Option<String>,
    pub paused_on: Option<String>,
    pub applicant_name: String,
    pub respondent_name: String,
    pub act_title: String,
    pub received_on: String,
    pub track: Option<String>,
    pub accepted_on: Option<String>,
    pub decision_type: Option<String>,
    pub decided_on: Option<String>,
    pub outcome: Option<String>,
}

const LIST_COLS: &str = "c.id, c.case_no, c.state, c.org_id, c.is_open, c.due_on, c.paused_on, a.applicant_name, a.respondent_name, a.act_title, a.received_on, a.track, a.accepted_on, a.decision_type, a.decided_on, a.outcome";

fn filtered(mut query: Q, f: &Filter, scope: &Scope) -> Q {
    query = scope.filter(query, "c.org_id");
    match f.status.as_deref() {
        Some("closed") => query = query.push(" AND c.is_open = FALSE"),
        Some("all") => {}
        _ => query = query.push(" AND c.is_open = TRUE"),
    }
    if let Some(s) = f.state.as_deref().filter(|s| !s.is_empty()) {
        query = query.push_bind(" AND c.state = {}", s.to_string());
    }
    if let Some(r) = f.respondent {
        query = query.push_bind(" AND a.respondent_org_id = {}", r);
    }
    if let Some(d) = f.decision.as_deref().filter(|s| !s.is_empty()) {
        query = query.push_bind(" AND a.decision_type = {}", d.to_string());
    }
    if let Some(s) = f.from.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        query = query.push_bind(" AND a.received_on >= {}", s.to_string());
    }
    if let Some(s) = f.to.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        query = query.push_bind(" AND a.received_on <= {}", s.to_string());
    }
    if let Some(t) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pat = crate::db::dialect::contains_pattern(t);
        query = query
            .push_bind(" AND (c.case_no LIKE {} ESCAPE '\\'", pat.clone())
            .push_bind(" OR a.act_title LIKE {} ESCAPE '\\'", pat.clone())
            .push_bind(" OR a.respondent_name LIKE {} ESCAPE '\\')", pat);
    }
    query
}

const BASE: &str = "FROM cases c JOIN recon_applications a ON a.case_id = c.id WHERE c.procedure = 'reconsideration'";

/// A page of the register within the scope.
pub async fn list(db: &Db, f: &Filter, scope: &Scope) -> Result<Page<ListRow>, AppError> {
    let paging = Paging { page: f.page, per: f.per };
    let total = filtered(q(format!("SELECT COUNT(*) {BASE}")), f, scope).fetch_i64(db).await?;
    let rows: Vec<ListRow> = filtered(q(format!("SELECT {LIST_COLS} {BASE}")), f, scope)
        .push(" ORDER BY a.received_on DESC, c.id DESC")
        .push_bind(" LIMIT {}", paging.per())
        .push_bind(" OFFSET {}", paging.offset())
        .fetch_all(db)
        .await?;
    Ok(Page::new(rows, &paging, total))
}

/// The whole register under the filter, for the XLSX export (capped).
pub async fn export(db: &Db, f: &Filter, scope: &Scope, cap: i64) -> Result<Vec<ListRow>, AppError> {
    filtered(q(format!("SELECT {LIST_COLS} {BASE}")), f, scope).push(" ORDER BY a.received_on DESC, c.id DESC").push_bind(" LIMIT {}", cap).fetch_all(db).await
}

/// Open cases in a state where the system may act as of `today`: 补正 periods passed, review
/// periods expired.
pub async fn system_due(db: &Db, today: &str) -> Result<Vec<(i64, String)>, AppError> {
    q("SELECT c.id, c.state FROM cases c WHERE c.procedure = 'reconsideration' AND c.state IN ('correction', 'received') AND c.due_on < $1 ORDER BY c.id LIMIT 500")
        .bind(today)
        .fetch_all(db)
        .await
}

// ------------------------------------------------------------------ 意见书 and 建议书

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct LetterRow {
    pub id: i64,
    pub kind: String,
    pub doc_no: String,
    pub org_id: i64,
    pub case_id: Option<i64>,
    pub recipient_org_id: i64,
    pub subject: String,
    pub body: String,
    pub issued_on: String,
    pub due_on: String,
    pub answered_on: Option<String>,
    pub answer: Option<String>,
    pub answered_on_time: Option<bool>,
    pub escalated_on: Option<String>,
    pub version: i64,
}

const LETTER_COLS: &str = "l.id, l.kind, l.doc_no, l.org_id, l.case_id, l.recipient_org_id, l.subject, l.body, l.issued_on, l.due_on, l.answered_on, l.answer, l.answered_on_time, l.escalated_on, l.version";

pub async fn letter<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Option<LetterRow>, AppError> {
    q(format!("SELECT {LETTER_COLS} FROM recon_letters l WHERE l.id = $1")).bind(id).fetch_optional(ex).await
}

pub async fn letters_of_case<'a>(ex: impl Into<Ex<'a>>, case_id: i64) -> Result<Vec<LetterRow>, AppError> {
    q(format!("SELECT {LETTER_COLS} FROM recon_letters l WHERE l.case_id = $1 ORDER BY l.id")).bind(case_id).fetch_all(ex).await
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct LetterFilter {
    /// opinion, suggestion
    pub kind: Option<String>,
    /// open (unanswered), overdue, answered, all (default)
    pub status: Option<String>,
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    pub page: Option<i64>,
}

/// Letters the reader may see: issued by a unit in the issuing scope, or addressed to one in
/// the answering scope.
pub async fn letters(db: &Db, f: &LetterFilter, issued: &Scope, received: &Scope, today: &str) -> Result<Page<LetterRow>, AppError> {
    let paging = Paging { page: f.page, per: Some(50) };
    let build = |head: String| {
        let mut w = q(head).push(" FROM recon_letters l WHERE ((1=1");
        w = issued.filter(w, "l.org_id").push(") OR (1=1");
        w = received.filter(w, "l.recipient_org_id").push("))");
        if let Some(k) = f.kind.as_deref().filter(|s| !s.is_empty()) {
            w = w.push_bind(" AND l.kind = {}", k.to_string());
        }
        match f.status.as_deref() {
            Some("open") => w = w.push(" AND l.answered_on IS NULL"),
            Some("overdue") => w = w.push_bind(" AND l.answered_on IS NULL AND l.due_on < {}", today.to_string()),
            Some("answered") => w = w.push(" AND l.answered_on IS NOT NULL"),
            _ => {}
        }
        w
    };
    let total = build("SELECT COUNT(*)".into()).fetch_i64(db).await?;
    let rows = build(format!("SELECT {LETTER_COLS}"))
        .push(" ORDER BY l.issued_on DESC, l.id DESC")
        .push_bind(" LIMIT {}", paging.per())
        .push_bind(" OFFSET {}", paging.offset())
        .fetch_all(db)
        .await?;
    Ok(Page::new(rows, &paging, total))
}

/// Unanswered letters past their date and not yet escalated.
pub async fn overdue_letters(db: &Db, today: &str) -> Result<Vec<LetterRow>, AppError> {
    q(format!("SELECT {LETTER_COLS} FROM recon_letters l WHERE l.answered_on IS NULL AND l.escalated_on IS NULL AND l.due_on < $1 ORDER BY l.id LIMIT 500"))
        .bind(today)
        .fetch_all(db)
        .await
}

/// The cases of a set of ids (one query for a page).
pub async fn cases_by_ids(db: &Db, ids: &[i64]) -> Result<Vec<CaseRow>, AppError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    q(format!("SELECT {CASE_COLUMNS} FROM cases c WHERE")).push_in("c.id", ids).fetch_all(db).await
}

pub async fn apps_by_ids(db: &Db, ids: &[i64]) -> Result<Vec<AppRow>, AppError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    q(format!("SELECT {APP_COLS} FROM recon_applications a WHERE")).push_in("a.case_id", ids).fetch_all(db).await
}
