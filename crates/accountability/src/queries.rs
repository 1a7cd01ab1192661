//! All the SQL of 督察 findings and their rectification.

use serde::{Deserialize, Serialize};

use crate::auth::roles::Scope;
use crate::db::{Ex, Q, q};
use crate::error::AppError;
use crate::kernel::queries::CaseRow;
use crate::web::pagination::{Page, Paging};

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct RectRow {
    pub case_id: i64,
    pub org_id: i64,
    pub inspection: String,
    pub kind: String,
    pub year: i64,
    pub finding: String,
    pub found_on: String,
    pub due_on: Option<String>,
    pub measures: Option<String>,
    pub evidence: Option<String>,
    pub reported_on: Option<String>,
    pub reported_late: Option<bool>,
    pub verified_on: Option<String>,
    pub verifier_id: Option<i64>,
    pub verify_opinion: Option<String>,
    pub reopened: i64,
}

pub const RECT_COLS: &str = "r.case_id, r.org_id, r.inspection, r.kind, r.year, r.finding, r.found_on, r.due_on, r.measures, r.evidence, r.reported_on, r.reported_late, r.verified_on, r.verifier_id, r.verify_opinion, r.reopened";

pub async fn rect<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Option<RectRow>, AppError> {
    q(format!("SELECT {RECT_COLS} FROM rectifications r WHERE r.case_id = $1")).bind(id).fetch_optional(ex).await
}

/// The case and its finding.
pub async fn load(db: &crate::db::Db, id: i64) -> Result<Option<(CaseRow, RectRow)>, AppError> {
    let Some(c) = crate::kernel::queries::get(db, id).await?.filter(|c| c.procedure == super::rules::CODE) else { return Ok(None) };
    Ok(rect(db, id).await?.map(|r| (c, r)))
}

/// The register's filter (pages, API and export).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Filter {
    pub q: Option<String>,
    pub state: Option<String>,
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    pub org: Option<i64>,
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    pub year: Option<i64>,
    pub kind: Option<String>,
    /// open (not yet closed), overdue (open and past its period), late (reported late),
    /// reopened (sent back at least once).
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
    pub state: String,
    pub org_id: i64,
    pub inspection: String,
    pub kind: String,
    pub year: i64,
    pub finding: String,
    pub found_on: String,
    pub due_on: Option<String>,
    pub reported_on: Option<String>,
    pub reported_late: Option<bool>,
    pub verified_on: Option<String>,
    pub reopened: i64,
}

const LIST_COLS: &str = "c.id, c.case_no, c.state, c.org_id, r.inspection, r.kind, r.year, r.finding, r.found_on, c.due_on, r.reported_on, r.reported_late, r.verified_on, r.reopened";
const BASE: &str = "FROM cases c JOIN rectifications r ON r.case_id = c.id WHERE c.procedure = 'rectification'";

fn filtered(mut query: Q, f: &Filter, scope: &Scope, org_path: Option<&str>, today: &str) -> Q {
    query = scope.filter(query, "c.org_id");
    match f.status.as_deref() {
        Some("open") => query = query.push(" AND").push_in("c.state", super::rules::OPEN),
        Some("overdue") => {
            query = query.push(" AND c.state = 'rectifying'").push_bind(" AND c.due_on < {}", today.to_string());
        }
        Some("late") => query = query.push(" AND r.reported_late = TRUE"),
        Some("reopened") => query = query.push(" AND r.reopened > 0"),
        _ => {}
    }
    if let Some(s) = f.state.as_deref().filter(|s| !s.is_empty()) {
        query = query.push_bind(" AND c.state = {}", s.to_string());
    }
    if let Some(k) = f.kind.as_deref().filter(|s| !s.is_empty()) {
        query = query.push_bind(" AND r.kind = {}", k.to_string());
    }
    if let Some(p) = org_path {
        query = query.push_bind(" AND c.org_id IN (SELECT id FROM orgs WHERE path LIKE {} ESCAPE '\\')", format!("{}%", crate::db::dialect::like_escape(p)));
    }
    if let Some(y) = f.year {
        query = query.push_bind(" AND r.year = {}", y);
    }
    if let Some(t) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pat = crate::db::dialect::contains_pattern(t);
        query = query
            .push_bind(" AND (c.case_no LIKE {} ESCAPE '\\'", pat.clone())
            .push_bind(" OR r.finding LIKE {} ESCAPE '\\'", pat.clone())
            .push_bind(" OR r.inspection LIKE {} ESCAPE '\\')", pat);
    }
    query
}

pub async fn list(db: &crate::db::Db, f: &Filter, scope: &Scope, org_path: Option<&str>, today: &str) -> Result<Page<ListRow>, AppError> {
    let paging = Paging { page: f.page, per: f.per };
    let total = filtered(q(format!("SELECT COUNT(*) {BASE}")), f, scope, org_path, today).fetch_i64(db).await?;
    let rows = filtered(q(format!("SELECT {LIST_COLS} {BASE}")), f, scope, org_path, today)
        .push(" ORDER BY r.year DESC, c.id DESC")
        .push_bind(" LIMIT {}", paging.per())
        .push_bind(" OFFSET {}", paging.offset())
        .fetch_all(db)
        .await?;
    Ok(Page::new(rows, &paging, total))
}

/// Every row of the filter, for the export (capped).
pub async fn export(db: &crate::db::Db, f: &Filter, scope: &Scope, org_path: Option<&str>, today: &str) -> Result<Vec<ListRow>, AppError> {
    filtered(q(format!("SELECT {LIST_COLS} {BASE}")), f, scope, org_path, today).push(" ORDER BY r.year DESC, c.id DESC LIMIT 20000").fetch_all(db).await
}
