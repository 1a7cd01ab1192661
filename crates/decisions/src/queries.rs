//! All the SQL of normative documents.

use serde::{Deserialize, Serialize};

use crate::auth::roles::Scope;
use crate::db::{Ex, Q, q};
use crate::error::AppError;
use crate::kernel::queries::{CASE_COLUMNS, CaseRow};
use crate::web::pagination::{Page, Paging};

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct DocRow {
    pub case_id: i64,
    pub org_id: i64,
    pub title: String,
    pub plan_year: i64,
    pub market_related: bool,
    pub assessment: Option<String>,
    pub adoption_report: Option<String>,
    pub review_version: Option<i64>,
    pub review_result: Option<String>,
    pub review_opinion: Option<String>,
    pub review_checklist: Option<String>,
    pub reviewed_on: Option<String>,
    pub meeting: Option<String>,
    pub meeting_on: Option<String>,
    pub doc_no: Option<String>,
    pub published_on: Option<String>,
    pub effective_on: Option<String>,
    pub valid_until: Option<String>,
    pub filing_due_on: Option<String>,
    pub filed_on: Option<String>,
    pub filed_on_time: Option<bool>,
    pub filed_to: Option<String>,
    pub ended_on: Option<String>,
}

pub const DOC_COLS: &str = "d.case_id, d.org_id, d.title, d.plan_year, d.market_related, d.assessment, d.adoption_report, d.review_version, d.review_result, d.review_opinion, d.review_checklist, d.reviewed_on, d.meeting, d.meeting_on, d.doc_no, d.published_on, d.effective_on, d.valid_until, d.filing_due_on, d.filed_on, d.filed_on_time, d.filed_to, d.ended_on";

impl DocRow {
    pub fn dates(&self) -> super::model::Dates {
        let p = |s: &Option<String>| s.as_deref().and_then(crate::time::parse_date);
        super::model::Dates { effective_on: p(&self.effective_on), valid_until: p(&self.valid_until), ended_on: p(&self.ended_on) }
    }
}

pub async fn doc<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Option<DocRow>, AppError> {
    q(format!("SELECT {DOC_COLS} FROM normdocs d WHERE d.case_id = $1")).bind(id).fetch_optional(ex).await
}

/// The case and its document.
pub async fn load(db: &crate::db::Db, id: i64) -> Result<Option<(CaseRow, DocRow)>, AppError> {
    let Some(c) = crate::kernel::queries::get(db, id).await?.filter(|c| c.procedure == super::rules::CODE) else { return Ok(None) };
    Ok(doc(db, id).await?.map(|d| (c, d)))
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct VersionRow {
    pub version_no: i64,
    pub note: Option<String>,
    pub in_force_from: Option<String>,
    pub created_at: i64,
}

pub async fn versions<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Vec<VersionRow>, AppError> {
    q("SELECT version_no, note, in_force_from, created_at FROM normdoc_versions WHERE case_id = $1 ORDER BY version_no").bind(id).fetch_all(ex).await
}

pub async fn latest_version<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<i64, AppError> {
    q("SELECT COALESCE(MAX(version_no), 0) FROM normdoc_versions WHERE case_id = $1").bind(id).fetch_i64(ex).await
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct ClauseRow {
    pub clause_no: i64,
    pub heading: String,
    pub body: String,
}

pub async fn clauses<'a>(ex: impl Into<Ex<'a>>, id: i64, version: i64) -> Result<Vec<ClauseRow>, AppError> {
    q("SELECT clause_no, heading, body FROM normdoc_clauses WHERE case_id = $1 AND version_no = $2 ORDER BY clause_no")
        .bind(id)
        .bind(version)
        .fetch_all(ex)
        .await
}

pub async fn clause_count<'a>(ex: impl Into<Ex<'a>>, id: i64, version: i64) -> Result<i64, AppError> {
    q("SELECT COUNT(*) FROM normdoc_clauses WHERE case_id = $1 AND version_no = $2").bind(id).bind(version).fetch_i64(ex).await
}

/// Write a new version with its clauses (one multi-row insert).
pub async fn insert_version(
    tx: &mut crate::db::Tx,
    id: i64,
    version: i64,
    note: Option<&str>,
    clauses: &[super::model::Clause],
    by: Option<i64>,
    at: i64,
) -> Result<(), AppError> {
    q("INSERT INTO normdoc_versions (case_id, version_no, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id)
        .bind(version)
        .bind(note.map(str::to_string))
        .bind(by)
        .bind(at)
        .execute(&mut *tx)
        .await?;
    for chunk in clauses.chunks(100) {
        let mut sql = String::from("INSERT INTO normdoc_clauses (case_id, version_no, clause_no, heading, body) VALUES ");
        let mut query_args = Vec::new();
        for (i, c) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            let b = i * 5;
            sql.push_str(&format!("(${}, ${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4, b + 5));
            query_args.push(c);
        }
        let mut query = q(sql);
        for c in query_args {
            query = query.bind(id).bind(version).bind(c.no).bind(c.heading.clone()).bind(c.body.clone());
        }
        query.execute(&mut *tx).await?;
    }
    Ok(())
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct WindowRow {
    pub id: i64,
    pub version_no: i64,
    pub opens_on: String,
    pub closes_on: String,
    pub days: i64,
    pub unit: String,
    pub shorter_reason: Option<String>,
    pub closed_on: Option<String>,
}

pub async fn windows<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Vec<WindowRow>, AppError> {
    q("SELECT id, version_no, opens_on, closes_on, days, unit, shorter_reason, closed_on FROM normdoc_windows WHERE case_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(ex)
        .await
}

/// The window still open for comments (not closed by the step).
pub async fn open_window<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Option<WindowRow>, AppError> {
    q("SELECT id, version_no, opens_on, closes_on, days, unit, shorter_reason, closed_on FROM normdoc_windows WHERE case_id = $1 AND closed_on IS NULL ORDER BY id DESC LIMIT 1")
        .bind(id)
        .fetch_optional(ex)
        .await
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct NoteRow {
    pub id: i64,
    pub kind: String,
    pub window_id: Option<i64>,
    pub version_no: i64,
    pub clause_no: i64,
    pub author: String,
    pub body: String,
    pub received_on: String,
}

pub async fn notes<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Vec<NoteRow>, AppError> {
    q("SELECT id, kind, window_id, version_no, clause_no, author, body, received_on FROM normdoc_notes WHERE case_id = $1 ORDER BY version_no, clause_no, id LIMIT 2000")
        .bind(id)
        .fetch_all(ex)
        .await
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_note(
    tx: &mut crate::db::Tx,
    id: i64,
    kind: &str,
    window_id: Option<i64>,
    version: i64,
    clause: i64,
    author: &str,
    body: &str,
    received_on: &str,
    by: Option<i64>,
    at: i64,
) -> Result<i64, AppError> {
    q("INSERT INTO normdoc_notes (case_id, kind, window_id, version_no, clause_no, author, body, received_on, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING id")
        .bind(id)
        .bind(kind)
        .bind(window_id)
        .bind(version)
        .bind(clause)
        .bind(author)
        .bind(body)
        .bind(received_on)
        .bind(by)
        .bind(at)
        .fetch_i64(&mut *tx)
        .await
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct CleanupRow {
    pub outcome: String,
    pub decided_on: String,
    pub campaign: String,
    pub reason: Option<String>,
}

pub async fn cleanups<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Vec<CleanupRow>, AppError> {
    q("SELECT outcome, decided_on, campaign, reason FROM normdoc_cleanups WHERE case_id = $1 ORDER BY id").bind(id).fetch_all(ex).await
}

// ------------------------------------------------------------------ the register

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Filter {
    pub q: Option<String>,
    pub state: Option<String>,
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    pub org: Option<i64>,
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    pub plan_year: Option<i64>,
    /// in_force (in force today, validity included), lapsed (past validity, whether recorded or
    /// not), drafting, all.
    pub status: Option<String>,
    /// `xlsx`: the whole filtered register as a spreadsheet.
    pub format: Option<String>,
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
    pub plan_year: i64,
    pub market_related: bool,
    pub doc_no: Option<String>,
    pub published_on: Option<String>,
    pub effective_on: Option<String>,
    pub valid_until: Option<String>,
    pub filing_due_on: Option<String>,
    pub filed_on: Option<String>,
    pub filed_on_time: Option<bool>,
    pub ended_on: Option<String>,
    pub review_result: Option<String>,
}

const LIST_COLS: &str = "c.id, c.case_no, d.title, c.state, c.org_id, d.plan_year, d.market_related, d.doc_no, d.published_on, d.effective_on, d.valid_until, d.filing_due_on, d.filed_on, d.filed_on_time, d.ended_on, d.review_result";
const BASE: &str = "FROM cases c JOIN normdocs d ON d.case_id = c.id WHERE c.procedure = 'normdoc'";

fn filtered(mut query: Q, f: &Filter, scope: &Scope, org_path: Option<&str>, today: &str) -> Q {
    query = scope.filter(query, "c.org_id");
    match f.status.as_deref() {
        // In force today: published, in effect, within validity, not ended.
        Some("in_force") => {
            query = query
                .push(" AND c.state IN ('published', 'in_force')")
                .push_bind(" AND d.effective_on <= {}", today.to_string())
                .push_bind(" AND (d.valid_until IS NULL OR d.valid_until >= {})", today.to_string());
        }
        // Past validity: expired by themselves even if no one recorded it.
        Some("lapsed") => {
            query = query.push(" AND c.state IN ('published', 'in_force', 'expired')").push_bind(" AND d.valid_until < {}", today.to_string());
        }
        Some("drafting") => query = query.push(" AND").push_in("c.state", super::rules::DRAFTING),
        Some("ended") => query = query.push(" AND c.state IN ('repealed', 'expired')"),
        // Everything published through the procedure (the portal's library).
        Some("public") => query = query.push(" AND d.published_on IS NOT NULL"),
        _ => {}
    }
    if let Some(s) = f.state.as_deref().filter(|s| !s.is_empty()) {
        query = query.push_bind(" AND c.state = {}", s.to_string());
    }
    if let Some(p) = org_path {
        query = query.push_bind(" AND c.org_id IN (SELECT id FROM orgs WHERE path LIKE {} ESCAPE '\\')", format!("{}%", crate::db::dialect::like_escape(p)));
    }
    if let Some(y) = f.plan_year {
        query = query.push_bind(" AND d.plan_year = {}", y);
    }
    if let Some(t) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pat = crate::db::dialect::contains_pattern(t);
        query = query
            .push_bind(" AND (c.case_no LIKE {} ESCAPE '\\'", pat.clone())
            .push_bind(" OR d.title LIKE {} ESCAPE '\\'", pat.clone())
            .push_bind(" OR d.doc_no LIKE {} ESCAPE '\\')", pat);
    }
    query
}

pub async fn list(db: &crate::db::Db, f: &Filter, scope: &Scope, org_path: Option<&str>, today: &str) -> Result<Page<ListRow>, AppError> {
    let paging = Paging { page: f.page, per: f.per };
    let total = filtered(q(format!("SELECT COUNT(*) {BASE}")), f, scope, org_path, today).fetch_i64(db).await?;
    let rows = filtered(q(format!("SELECT {LIST_COLS} {BASE}")), f, scope, org_path, today)
        .push(" ORDER BY d.plan_year DESC, c.id DESC")
        .push_bind(" LIMIT {}", paging.per())
        .push_bind(" OFFSET {}", paging.offset())
        .fetch_all(db)
        .await?;
    Ok(Page::new(rows, &paging, total))
}

/// Every row of the filter, for the export (capped).
pub async fn export(db: &crate::db::Db, f: &Filter, scope: &Scope, org_path: Option<&str>, today: &str) -> Result<Vec<ListRow>, AppError> {
    filtered(q(format!("SELECT {LIST_COLS} {BASE}")), f, scope, org_path, today).push(" ORDER BY d.plan_year DESC, c.id DESC LIMIT 20000").fetch_all(db).await
}

/// Documents past their validity that still stand as published or in force (the sweep's
/// system step).
pub async fn past_validity(db: &crate::db::Db, today: &str) -> Result<Vec<CaseRow>, AppError> {
    q(format!(
        "SELECT {CASE_COLUMNS} FROM cases c JOIN normdocs d ON d.case_id = c.id WHERE c.procedure = 'normdoc' AND c.state IN ('published', 'in_force') AND d.valid_until < $1 ORDER BY c.id LIMIT 500"
    ))
    .bind(today)
    .fetch_all(db)
    .await
}
