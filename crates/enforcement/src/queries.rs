//! All the SQL of the enforcement module: officers, penalty cases, assignments, the register.

use serde::{Deserialize, Serialize};

use crate::auth::roles::Scope;
use crate::db::{Ex, Q, q};
use crate::error::AppError;
use crate::kernel::queries::CaseRow;
use crate::web::pagination::{Page, Paging};

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct OfficerRow {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub auxiliary: bool,
    pub cert_no: Option<String>,
    pub field: Option<String>,
    pub issued_on: Option<String>,
    pub expires_on: Option<String>,
    pub status: String,
    pub training_hours: i64,
}

pub const OFFICER_COLS: &str = "o.id, o.org_id, o.name, o.auxiliary, o.cert_no, o.field, o.issued_on, o.expires_on, o.status, o.training_hours";

pub async fn officers_by_cert<'a>(ex: impl Into<Ex<'a>>, certs: &[String]) -> Result<Vec<OfficerRow>, AppError> {
    q(format!("SELECT {OFFICER_COLS} FROM enf_officers o WHERE")).push_in("o.cert_no", certs).fetch_all(ex).await
}

/// The officers assigned to a case.
pub async fn assigned<'a>(ex: impl Into<Ex<'a>>, case_id: i64) -> Result<Vec<OfficerRow>, AppError> {
    q(format!("SELECT {OFFICER_COLS} FROM enf_officers o JOIN enf_assignments a ON a.officer_id = o.id WHERE a.case_id = $1 ORDER BY o.id"))
        .bind(case_id)
        .fetch_all(ex)
        .await
}

/// The officers of the units within the scope (the roster), certificates expiring first.
pub async fn officers(db: &crate::db::Db, scope: &Scope, limit: i64) -> Result<Vec<OfficerRow>, AppError> {
    scope
        .filter(q(format!("SELECT {OFFICER_COLS} FROM enf_officers o WHERE 1 = 1")), "o.org_id")
        .push(" ORDER BY o.auxiliary, o.expires_on, o.id")
        .push_bind(" LIMIT {}", limit)
        .fetch_all(db)
        .await
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct PenaltyRow {
    pub case_id: i64,
    pub org_id: i64,
    pub title: String,
    pub field: String,
    pub party_kind: String,
    pub party_name: String,
    pub registered_on: String,
    pub major: String,
    pub facts: Option<String>,
    pub proposed: Option<String>,
    pub hearing_right: Option<bool>,
    pub notified_on: Option<String>,
    pub hearing_requested_on: Option<String>,
    pub hearing_notice_on: Option<String>,
    pub hearing_held_on: Option<String>,
    pub statement: Option<String>,
    pub review_result: Option<String>,
    pub review_opinion: Option<String>,
    pub reviewed_on: Option<String>,
    pub decision_no: Option<String>,
    pub decision: Option<String>,
    pub fine: Option<i64>,
    pub decided_by: Option<String>,
    pub decided_on: Option<String>,
    pub service_due_on: Option<String>,
    pub served_on: Option<String>,
    pub service_method: Option<String>,
    pub disclosure_due_on: Option<String>,
    pub disclosed_on: Option<String>,
    pub disclosed_on_time: Option<bool>,
    pub archive_no: Option<String>,
}

pub const PENALTY_COLS: &str = "p.case_id, p.org_id, p.title, p.field, p.party_kind, p.party_name, p.registered_on, p.major, p.facts, p.proposed, p.hearing_right, p.notified_on, p.hearing_requested_on, p.hearing_notice_on, p.hearing_held_on, p.statement, p.review_result, p.review_opinion, p.reviewed_on, p.decision_no, p.decision, p.fine, p.decided_by, p.decided_on, p.service_due_on, p.served_on, p.service_method, p.disclosure_due_on, p.disclosed_on, p.disclosed_on_time, p.archive_no";

impl PenaltyRow {
    /// The party as lists and the published decision show it: a person's name masked.
    pub fn party_shown(&self) -> String {
        if self.party_kind == "person" { crate::privacy::mask_name(&self.party_name) } else { self.party_name.clone() }
    }
}

pub async fn penalty<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Option<PenaltyRow>, AppError> {
    q(format!("SELECT {PENALTY_COLS} FROM enf_cases p WHERE p.case_id = $1")).bind(id).fetch_optional(ex).await
}

/// The case and its penalty facts.
pub async fn load(db: &crate::db::Db, id: i64) -> Result<Option<(CaseRow, PenaltyRow)>, AppError> {
    let Some(c) = crate::kernel::queries::get(db, id).await?.filter(|c| c.procedure == super::rules::CODE) else { return Ok(None) };
    Ok(penalty(db, id).await?.map(|p| (c, p)))
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Filter {
    pub q: Option<String>,
    pub state: Option<String>,
    pub field: Option<String>,
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    pub org: Option<i64>,
    /// 立案 from / to (YYYY-MM-DD).
    pub from: Option<String>,
    pub to: Option<String>,
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
    pub due_on: Option<String>,
    pub org_id: i64,
    pub title: String,
    pub field: String,
    pub party_kind: String,
    pub party_name: String,
    pub registered_on: String,
    pub major: String,
    pub decision_no: Option<String>,
    pub fine: Option<i64>,
    pub decided_on: Option<String>,
    pub disclosed_on: Option<String>,
    pub disclosed_on_time: Option<bool>,
}

impl ListRow {
    pub fn party_shown(&self) -> String {
        if self.party_kind == "person" { crate::privacy::mask_name(&self.party_name) } else { self.party_name.clone() }
    }
}

const LIST_COLS: &str = "c.id, c.case_no, c.state, c.due_on, c.org_id, p.title, p.field, p.party_kind, p.party_name, p.registered_on, p.major, p.decision_no, p.fine, p.decided_on, p.disclosed_on, p.disclosed_on_time";
const BASE: &str = "FROM cases c JOIN enf_cases p ON p.case_id = c.id WHERE c.procedure = 'penalty'";

fn filtered(mut query: Q, f: &Filter, scope: &Scope, org_path: Option<&str>) -> Q {
    query = scope.filter(query, "c.org_id");
    if let Some(s) = f.state.as_deref().filter(|s| !s.is_empty()) {
        query = query.push_bind(" AND c.state = {}", s.to_string());
    }
    if let Some(s) = f.field.as_deref().filter(|s| !s.is_empty()) {
        query = query.push_bind(" AND p.field = {}", s.to_string());
    }
    if let Some(p) = org_path {
        query = query.push_bind(" AND c.org_id IN (SELECT id FROM orgs WHERE path LIKE {} ESCAPE '\\')", format!("{}%", crate::db::dialect::like_escape(p)));
    }
    if let Some(d) = f.from.as_deref().and_then(crate::time::parse_date) {
        query = query.push_bind(" AND p.registered_on >= {}", crate::time::fmt_date(d));
    }
    if let Some(d) = f.to.as_deref().and_then(crate::time::parse_date) {
        query = query.push_bind(" AND p.registered_on <= {}", crate::time::fmt_date(d));
    }
    if let Some(t) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pat = crate::db::dialect::contains_pattern(t);
        query = query
            .push_bind(" AND (c.case_no LIKE {} ESCAPE '\\'", pat.clone())
            .push_bind(" OR p.title LIKE {} ESCAPE '\\'", pat.clone())
            .push_bind(" OR p.decision_no LIKE {} ESCAPE '\\')", pat);
    }
    query
}

pub async fn list(db: &crate::db::Db, f: &Filter, scope: &Scope, org_path: Option<&str>) -> Result<Page<ListRow>, AppError> {
    let paging = Paging { page: f.page, per: f.per };
    let total = filtered(q(format!("SELECT COUNT(*) {BASE}")), f, scope, org_path).fetch_i64(db).await?;
    let rows = filtered(q(format!("SELECT {LIST_COLS} {BASE}")), f, scope, org_path)
        .push(" ORDER BY p.registered_on DESC, c.id DESC")
        .push_bind(" LIMIT {}", paging.per())
        .push_bind(" OFFSET {}", paging.offset())
        .fetch_all(db)
        .await?;
    Ok(Page::new(rows, &paging, total))
}

/// Every row of the filter, for the export (capped).
pub async fn export(db: &crate::db::Db, f: &Filter, scope: &Scope, org_path: Option<&str>) -> Result<Vec<ListRow>, AppError> {
    filtered(q(format!("SELECT {LIST_COLS} {BASE}")), f, scope, org_path).push(" ORDER BY p.registered_on DESC, c.id DESC LIMIT 20000").fetch_all(db).await
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct PublicRow {
    pub id: i64,
    pub org_id: i64,
    pub title: String,
    pub field: String,
    pub party_kind: String,
    pub party_name: String,
    pub decision_no: Option<String>,
    pub decision: Option<String>,
    pub fine: Option<i64>,
    pub decided_on: Option<String>,
    pub disclosed_on: Option<String>,
}

impl PublicRow {
    pub fn party_shown(&self) -> String {
        if self.party_kind == "person" { crate::privacy::mask_name(&self.party_name) } else { self.party_name.clone() }
    }
}

/// The decisions disclosed on the portal (事后公示): only those that went through the disclosure
/// step, newest first.
pub async fn public_decisions(db: &crate::db::Db, text: Option<&str>, paging: &Paging) -> Result<Page<PublicRow>, AppError> {
    let mut w = q("FROM cases c JOIN enf_cases p ON p.case_id = c.id WHERE c.procedure = 'penalty' AND p.disclosed_on IS NOT NULL");
    if let Some(t) = text.map(str::trim).filter(|s| !s.is_empty()) {
        let pat = crate::db::dialect::contains_pattern(t);
        w = w.push_bind(" AND (p.title LIKE {} ESCAPE '\\'", pat.clone()).push_bind(" OR p.decision_no LIKE {} ESCAPE '\\')", pat);
    }
    let mut cq = q(format!("SELECT COUNT(*) {}", w.sql()));
    let mut lq = q(format!(
        "SELECT c.id, c.org_id, p.title, p.field, p.party_kind, p.party_name, p.decision_no, p.decision, p.fine, p.decided_on, p.disclosed_on {} ORDER BY p.disclosed_on DESC, c.id DESC LIMIT {} OFFSET {}",
        w.sql(),
        paging.per(),
        paging.offset()
    ));
    for a in w.args() {
        cq = cq.bind(a.clone());
        lq = lq.bind(a.clone());
    }
    let total = cq.fetch_i64(db).await?;
    let rows = lq.fetch_all(db).await?;
    Ok(Page::new(rows, paging, total))
}
