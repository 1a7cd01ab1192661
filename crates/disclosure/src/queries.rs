//! SQL of disclosure requests and their letters. (Publications: `publications.rs`; the search
//! index: `search/`; the annual report: `report.rs`.)

use serde::{Deserialize, Serialize};

use super::model::ValidApplication;
use crate::auth::roles::Scope;
use crate::db::{Ex, Tx, q};
use crate::error::AppError;
use crate::kernel::queries::{CASE_COLUMNS, CaseRow};
use crate::web::{Page, Paging};

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct RequestRow {
    pub case_id: i64,
    pub channel: String,
    pub applicant_type: String,
    pub applicant_name: String,
    pub id_kind: String,
    pub id_number: String,
    pub phone: String,
    pub address: Option<String>,
    pub email: Option<String>,
    pub contact_person: Option<String>,
    pub description: String,
    pub doc_refs: Option<String>,
    pub purpose: Option<String>,
    pub delivery: String,
    pub received_on: String,
    pub correction_items: Option<String>,
    pub correction_due_on: Option<String>,
    pub corrected_on: Option<String>,
    pub correction_text: Option<String>,
    pub third_party: Option<String>,
    pub third_party_since: Option<String>,
    pub third_party_opinion: Option<String>,
    pub extension_requested_days: Option<i64>,
    pub extension_reason: Option<String>,
    /// Who asked for the extension (`user:12`), so that someone else approves it.
    pub extension_requested_by: Option<String>,
    pub outcome: Option<String>,
    pub outcome_reason: Option<String>,
    pub reply_text: Option<String>,
    pub concluded_on: Option<String>,
    pub replied_on_time: Option<bool>,
}

pub const REQUEST_COLS: &str = "r.case_id, r.channel, r.applicant_type, r.applicant_name, r.id_kind, r.id_number, r.phone, r.address, r.email, r.contact_person, r.description, r.doc_refs, r.purpose, r.delivery, r.received_on, r.correction_items, r.correction_due_on, r.corrected_on, r.correction_text, r.third_party, r.third_party_since, r.third_party_opinion, r.extension_requested_days, r.extension_reason, r.extension_requested_by, r.outcome, r.outcome_reason, r.reply_text, r.concluded_on, r.replied_on_time";

pub async fn request<'a>(ex: impl Into<Ex<'a>>, case_id: i64) -> Result<Option<RequestRow>, AppError> {
    q(format!("SELECT {REQUEST_COLS} FROM disclosure_requests r WHERE r.case_id = $1")).bind(case_id).fetch_optional(ex).await
}

/// The case and the request, or `None` (also for a case of another procedure).
pub async fn load(db: &crate::db::Db, id: i64) -> Result<Option<(CaseRow, RequestRow)>, AppError> {
    let Some(case) = crate::kernel::queries::get(db, id).await? else { return Ok(None) };
    if case.procedure != "disclosure" {
        return Ok(None);
    }
    Ok(request(db, id).await?.map(|r| (case, r)))
}

pub async fn insert(tx: &mut Tx, case_id: i64, a: &ValidApplication) -> Result<(), AppError> {
    q("INSERT INTO disclosure_requests (case_id, channel, applicant_type, applicant_name, id_kind, id_number, phone, address, email, contact_person, description, doc_refs, purpose, delivery, received_on, idempotency_key) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)")
        .bind(case_id)
        .bind(a.channel.as_str())
        .bind(a.applicant_type.as_str())
        .bind(a.applicant_name.as_str())
        .bind(a.id_kind.as_str())
        .bind(a.id_number.as_str())
        .bind(a.phone.as_str())
        .bind(a.address.clone())
        .bind(a.email.clone())
        .bind(a.contact_person.clone())
        .bind(a.description.as_str())
        .bind(a.doc_refs.clone())
        .bind(a.purpose.clone())
        .bind(a.delivery.as_str())
        .bind(crate::time::fmt_date(a.received_on))
        .bind(a.idempotency_key.clone())
        .execute(tx)
        .await?;
    Ok(())
}

pub async fn by_idempotency_key(tx: &mut Tx, key: &str) -> Result<Option<i64>, AppError> {
    let r: Option<(i64,)> = q("SELECT case_id FROM disclosure_requests WHERE idempotency_key = $1").bind(key).fetch_optional(tx).await?;
    Ok(r.map(|r| r.0))
}

/// Filters of the request list.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Filter {
    pub state: Option<String>,
    /// open (default), closed, all
    pub status: Option<String>,
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    pub org: Option<i64>,
    pub applicant_type: Option<String>,
    pub outcome: Option<String>,
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    pub year: Option<i64>,
    /// Report drill-down: received / carried / concluded / carried_out, in `year`.
    pub row: Option<String>,
    pub q: Option<String>,
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    pub page: Option<i64>,
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    pub per: Option<i64>,
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct ListRow {
    pub id: i64,
    pub case_no: String,
    pub title: String,
    pub state: String,
    pub org_id: i64,
    pub is_open: bool,
    pub due_on: Option<String>,
    pub paused_on: Option<String>,
    pub clock_rule: Option<String>,
    pub opened_at: i64,
    pub supervised: bool,
    pub applicant_type: String,
    pub applicant_name: String,
    pub received_on: String,
    pub outcome: Option<String>,
    pub concluded_on: Option<String>,
    pub correction_due_on: Option<String>,
}

const LIST_COLS: &str = "c.id, c.case_no, c.title, c.state, c.org_id, c.is_open, c.due_on, c.paused_on, c.clock_rule, c.opened_at, c.supervised, r.applicant_type, r.applicant_name, r.received_on, r.outcome, r.concluded_on, r.correction_due_on";

fn filtered(mut query: crate::db::Q, f: &Filter, scope: &Scope, org_path: Option<&str>) -> crate::db::Q {
    query = scope.filter(query, "c.org_id");
    match f.status.as_deref() {
        Some("closed") => query = query.push(" AND c.is_open = FALSE"),
        Some("all") => {}
        _ if f.year.is_some() || f.row.is_some() => {}
        _ => query = query.push(" AND c.is_open = TRUE"),
    }
    if let Some(s) = f.state.as_deref().filter(|s| !s.is_empty()) {
        query = query.push_bind(" AND c.state = {}", s.to_string());
    }
    if let Some(p) = org_path {
        query = query.push_bind(" AND c.org_id IN (SELECT id FROM orgs WHERE path LIKE {} ESCAPE '\\')", format!("{}%", crate::db::dialect::like_escape(p)));
    }
    if let Some(t) = f.applicant_type.as_deref().filter(|s| !s.is_empty()) {
        query = query.push_bind(" AND r.applicant_type = {}", t.to_string());
    }
    if let Some(o) = f.outcome.as_deref().filter(|s| !s.is_empty()) {
        if super::rules::outcome(o).is_some() {
            query = query.push_bind(" AND r.outcome = {}", o.to_string());
        } else {
            // A group of outcomes (withhold, unable…).
            let codes: Vec<&str> = super::rules::OUTCOMES.iter().filter(|x| x.group == o).map(|x| x.code).collect();
            query = query.push(" AND").push_in("r.outcome", &codes);
        }
    }
    if let Some(y) = f.year {
        let start = format!("{y:04}-01-01");
        let end = format!("{y:04}-12-31");
        query = match f.row.as_deref() {
            Some("carried") => {
                query.push_bind(" AND r.received_on < {}", start.clone()).push_bind(" AND (r.concluded_on IS NULL OR r.concluded_on >= {})", start)
            }
            Some("carried_out") => {
                query.push_bind(" AND r.received_on <= {}", end.clone()).push_bind(" AND (r.concluded_on IS NULL OR r.concluded_on > {})", end)
            }
            Some("concluded") => query.push_bind(" AND r.concluded_on >= {}", start).push_bind(" AND r.concluded_on <= {}", end),
            _ => query.push_bind(" AND r.received_on >= {}", start).push_bind(" AND r.received_on <= {}", end),
        };
    }
    if let Some(t) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pat = crate::db::dialect::contains_pattern(t);
        query = query.push_bind(" AND (c.case_no LIKE {} ESCAPE '\\'", pat.clone()).push_bind(" OR c.title LIKE {} ESCAPE '\\')", pat);
    }
    query
}

/// A page of requests within the scope (and, when given, within the unit `org_path`).
pub async fn list(db: &crate::db::Db, f: &Filter, scope: &Scope, org_path: Option<&str>) -> Result<Page<ListRow>, AppError> {
    let paging = Paging { page: f.page, per: f.per };
    let base = "FROM cases c JOIN disclosure_requests r ON r.case_id = c.id WHERE c.procedure = 'disclosure'";
    let total = filtered(q(format!("SELECT COUNT(*) {base}")), f, scope, org_path).fetch_i64(db).await?;
    let rows: Vec<ListRow> = filtered(q(format!("SELECT {LIST_COLS} {base}")), f, scope, org_path)
        .push(" ORDER BY CASE WHEN c.is_open THEN 0 ELSE 1 END, c.due_on, c.id DESC")
        .push_bind(" LIMIT {}", paging.per())
        .push_bind(" OFFSET {}", paging.offset())
        .fetch_all(db)
        .await?;
    Ok(Page::new(rows, &paging, total))
}

/// Every request the filter selects, in the list's order, at most `limit` (the export).
pub async fn list_all(db: &crate::db::Db, f: &Filter, scope: &Scope, org_path: Option<&str>, limit: i64) -> Result<Vec<ListRow>, AppError> {
    let base = "FROM cases c JOIN disclosure_requests r ON r.case_id = c.id WHERE c.procedure = 'disclosure'";
    filtered(q(format!("SELECT {LIST_COLS} {base}")), f, scope, org_path)
        .push(" ORDER BY CASE WHEN c.is_open THEN 0 ELSE 1 END, c.due_on, c.id DESC")
        .push_bind(" LIMIT {}", limit)
        .fetch_all(db)
        .await
}

/// A citizen's own requests (by their verified phone), newest first.
pub async fn by_phone(db: &crate::db::Db, phone: &str, limit: i64) -> Result<Vec<ListRow>, AppError> {
    q(format!("SELECT {LIST_COLS} FROM cases c JOIN disclosure_requests r ON r.case_id = c.id WHERE r.phone = $1 ORDER BY c.id DESC LIMIT $2"))
        .bind(phone)
        .bind(limit)
        .fetch_all(db)
        .await
}

/// Open requests whose 补正 period has passed or whose third party has had 15 working days,
/// as of `today` (the system steps of the sweep).
pub async fn lapsed_corrections(db: &crate::db::Db, today: &str) -> Result<Vec<CaseRow>, AppError> {
    q(format!(
        "SELECT {CASE_COLUMNS} FROM cases c JOIN disclosure_requests r ON r.case_id = c.id WHERE c.procedure = 'disclosure' AND c.state = 'correction' AND r.correction_due_on < $1 ORDER BY c.id LIMIT 500"
    ))
    .bind(today)
    .fetch_all(db)
    .await
}

pub async fn third_party_waiting(db: &crate::db::Db) -> Result<Vec<(i64, String)>, AppError> {
    q("SELECT c.id, r.third_party_since FROM cases c JOIN disclosure_requests r ON r.case_id = c.id WHERE c.procedure = 'disclosure' AND c.state = 'third_party' AND r.third_party_since IS NOT NULL ORDER BY c.id LIMIT 500")
        .fetch_all(db)
        .await
}

// ------------------------------------------------------------------ letters

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct LetterRow {
    pub id: i64,
    pub case_id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub template_code: String,
    pub template_version: i64,
    pub issued_at: i64,
}

const LETTER_COLS: &str = "id, case_id, kind, title, body, template_code, template_version, issued_at";

pub async fn letters<'a>(ex: impl Into<Ex<'a>>, case_id: i64) -> Result<Vec<LetterRow>, AppError> {
    q(format!("SELECT {LETTER_COLS} FROM disclosure_letters WHERE case_id = $1 ORDER BY id")).bind(case_id).fetch_all(ex).await
}

pub async fn letter<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Option<LetterRow>, AppError> {
    q(format!("SELECT {LETTER_COLS} FROM disclosure_letters WHERE id = $1")).bind(id).fetch_optional(ex).await
}

pub async fn insert_letter(tx: &mut Tx, case_id: i64, kind: &str, title: &str, body: &str, template: (&str, i64), at: i64) -> Result<i64, AppError> {
    q("INSERT INTO disclosure_letters (case_id, kind, title, body, template_code, template_version, issued_at) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id")
        .bind(case_id)
        .bind(kind)
        .bind(title)
        .bind(body)
        .bind(template.0)
        .bind(template.1)
        .bind(at)
        .fetch_i64(tx)
        .await
}

// ------------------------------------------------------------------ the information a reply gives

/// A publication a reply points to (Art. 36 (一)(二)).
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct LinkedPublication {
    pub id: i64,
    pub title: String,
    pub index_no: Option<String>,
}

/// A published publication by its 索引号 or id (what staff type in the reply form).
pub async fn published_by_ref<'a>(ex: impl Into<Ex<'a>>, reference: &str) -> Result<Option<LinkedPublication>, AppError> {
    let by_id = reference.parse::<i64>().ok();
    q("SELECT id, title, index_no FROM disclosure_publications WHERE state = 'published' AND (index_no = $1 OR id = $2)")
        .bind(reference)
        .bind(by_id.unwrap_or(-1))
        .fetch_optional(ex)
        .await
}

pub async fn link_publication(tx: &mut Tx, case_id: i64, publication_id: i64, sort: i64) -> Result<(), AppError> {
    q("INSERT INTO disclosure_reply_publications (case_id, publication_id, sort) VALUES ($1, $2, $3)")
        .bind(case_id)
        .bind(publication_id)
        .bind(sort)
        .execute(tx)
        .await?;
    Ok(())
}

/// The publications a reply points to, in the order the reply lists them.
pub async fn linked_publications<'a>(ex: impl Into<Ex<'a>>, case_id: i64) -> Result<Vec<LinkedPublication>, AppError> {
    q("SELECT p.id, p.title, p.index_no FROM disclosure_reply_publications l JOIN disclosure_publications p ON p.id = l.publication_id WHERE l.case_id = $1 ORDER BY l.sort")
        .bind(case_id)
        .fetch_all(ex)
        .await
}

/// The files a reply gives the applicant (platform attachments on the case, purpose `disclosed`).
pub async fn disclosed_files<'a>(ex: impl Into<Ex<'a>>, case_id: i64) -> Result<Vec<crate::files::AttachmentRow>, AppError> {
    Ok(crate::files::list(ex, "case", case_id).await?.into_iter().filter(|a| a.purpose == DISCLOSED).collect())
}

/// The purpose of an attachment that is information given to the applicant.
pub const DISCLOSED: &str = "disclosed";
