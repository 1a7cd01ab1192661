//! All the SQL of major decisions and their catalogue.

use serde::{Deserialize, Serialize};

use crate::auth::roles::Scope;
use crate::db::{Ex, q};
use crate::error::AppError;
use crate::kernel::queries::CaseRow;
use crate::web::pagination::{Page, Paging};

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct DecisionRow {
    pub case_id: i64,
    pub org_id: i64,
    pub item_id: Option<i64>,
    pub title: String,
    pub category: String,
    pub market_related: bool,
    pub legal_basis: Option<String>,
    pub consultation: Option<String>,
    pub options: Option<String>,
    pub legality_materials: Option<String>,
    pub legality_sent_on: Option<String>,
    pub legality_until: Option<String>,
    pub legality_short_reason: Option<String>,
    pub legality_result: Option<String>,
    pub legality_opinion: Option<String>,
    pub legality_checks: Option<String>,
    pub adviser_opinion: Option<String>,
    pub legal_risk: Option<String>,
    pub legality_on: Option<String>,
    pub meeting: Option<String>,
    pub meeting_on: Option<String>,
    pub majority: Option<String>,
    pub meeting_result: Option<String>,
    pub departure_reason: Option<String>,
    pub dissent: Option<String>,
    pub party_reported_on: Option<String>,
    pub party_report: Option<String>,
    pub published_on: Option<String>,
    pub publication: Option<String>,
    pub withheld_reason: Option<String>,
    pub archived_on: Option<String>,
}

pub const DECISION_COLS: &str = "m.case_id, m.org_id, m.item_id, m.title, m.category, m.market_related, m.legal_basis, m.consultation, m.options, m.legality_materials, m.legality_sent_on, m.legality_until, m.legality_short_reason, m.legality_result, m.legality_opinion, m.legality_checks, m.adviser_opinion, m.legal_risk, m.legality_on, m.meeting, m.meeting_on, m.majority, m.meeting_result, m.departure_reason, m.dissent, m.party_reported_on, m.party_report, m.published_on, m.publication, m.withheld_reason, m.archived_on";

pub async fn decision<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Option<DecisionRow>, AppError> {
    q(format!("SELECT {DECISION_COLS} FROM major_decisions m WHERE m.case_id = $1")).bind(id).fetch_optional(ex).await
}

pub async fn load(db: &crate::db::Db, id: i64) -> Result<Option<(CaseRow, DecisionRow)>, AppError> {
    let Some(c) = crate::kernel::queries::get(db, id).await?.filter(|c| c.procedure == super::rules::CODE) else { return Ok(None) };
    Ok(decision(db, id).await?.map(|d| (c, d)))
}

/// The latest record of each procedure of a decision.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct ProcRow {
    pub id: i64,
    pub kind: String,
    pub status: String,
    pub recorded_on: String,
    pub report: Option<String>,
    pub reason: Option<String>,
    pub facts: Option<String>,
}

pub async fn procedures<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Vec<ProcRow>, AppError> {
    q("SELECT id, kind, status, recorded_on, report, reason, facts FROM major_procedures WHERE case_id = $1 ORDER BY id").bind(id).fetch_all(ex).await
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_procedure(
    tx: &mut crate::db::Tx,
    id: i64,
    kind: &str,
    status: &str,
    on: &str,
    report: Option<&str>,
    reason: Option<&str>,
    facts: Option<String>,
    by: Option<i64>,
    at: i64,
) -> Result<i64, AppError> {
    q("INSERT INTO major_procedures (case_id, kind, status, recorded_on, report, reason, facts, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id")
        .bind(id)
        .bind(kind)
        .bind(status)
        .bind(on)
        .bind(report.map(str::to_string))
        .bind(reason.map(str::to_string))
        .bind(facts)
        .bind(by)
        .bind(at)
        .fetch_i64(&mut *tx)
        .await
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct ExpertRow {
    pub procedure_id: i64,
    pub name: String,
    pub affiliation: String,
    pub opinion: String,
}

pub async fn experts<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Vec<ExpertRow>, AppError> {
    q("SELECT procedure_id, name, affiliation, opinion FROM major_experts WHERE case_id = $1 ORDER BY id").bind(id).fetch_all(ex).await
}

// ------------------------------------------------------------------ the catalogue

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct CatalogueRow {
    pub id: i64,
    pub org_id: i64,
    pub year: i64,
    pub title: String,
    pub party_approved_on: Option<String>,
    pub party_approval_ref: Option<String>,
    pub published_on: Option<String>,
}

const CAT_COLS: &str = "id, org_id, year, title, party_approved_on, party_approval_ref, published_on";

pub async fn catalogue<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Option<CatalogueRow>, AppError> {
    q(format!("SELECT {CAT_COLS} FROM decision_catalogues WHERE id = $1")).bind(id).fetch_optional(ex).await
}

/// The catalogues, newest year first (one per 决策机关 and year: a few rows).
pub async fn catalogues<'a>(ex: impl Into<Ex<'a>>, published_only: bool) -> Result<Vec<CatalogueRow>, AppError> {
    let cond = if published_only { " WHERE published_on IS NOT NULL" } else { "" };
    q(format!("SELECT {CAT_COLS} FROM decision_catalogues{cond} ORDER BY year DESC, id DESC LIMIT 200")).fetch_all(ex).await
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct ItemRow {
    pub id: i64,
    pub catalogue_id: i64,
    pub seq: i64,
    pub title: String,
    pub category: String,
    pub lead_org_id: i64,
    pub lead_name: String,
    pub planned: Option<String>,
    pub adjustment_reason: Option<String>,
    pub withdrawn_reason: Option<String>,
    pub case_id: Option<i64>,
    pub case_no: Option<String>,
    pub state: Option<String>,
}

pub async fn items<'a>(ex: impl Into<Ex<'a>>, catalogue_id: i64) -> Result<Vec<ItemRow>, AppError> {
    q("SELECT i.id, i.catalogue_id, i.seq, i.title, i.category, i.lead_org_id, o.name AS lead_name, i.planned, i.adjustment_reason, i.withdrawn_reason, i.case_id, c.case_no, c.state \
       FROM decision_catalogue_items i JOIN orgs o ON o.id = i.lead_org_id LEFT JOIN cases c ON c.id = i.case_id WHERE i.catalogue_id = $1 ORDER BY i.seq")
        .bind(catalogue_id)
        .fetch_all(ex)
        .await
}

pub async fn item<'a>(ex: impl Into<Ex<'a>>, item_id: i64) -> Result<Option<ItemRow>, AppError> {
    q("SELECT i.id, i.catalogue_id, i.seq, i.title, i.category, i.lead_org_id, o.name AS lead_name, i.planned, i.adjustment_reason, i.withdrawn_reason, i.case_id, c.case_no, c.state \
       FROM decision_catalogue_items i JOIN orgs o ON o.id = i.lead_org_id LEFT JOIN cases c ON c.id = i.case_id WHERE i.id = $1")
        .bind(item_id)
        .fetch_optional(ex)
        .await
}

// ------------------------------------------------------------------ the register

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Filter {
    pub q: Option<String>,
    pub state: Option<String>,
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
    pub unit: String,
    pub category: String,
    pub legality_result: Option<String>,
    pub meeting_on: Option<String>,
    pub published_on: Option<String>,
}

const LIST_COLS: &str = "c.id, c.case_no, m.title, c.state, c.org_id, o.short_name AS unit, m.category, m.legality_result, m.meeting_on, m.published_on";
const BASE: &str = "FROM cases c JOIN major_decisions m ON m.case_id = c.id JOIN orgs o ON o.id = c.org_id WHERE c.procedure = 'major_decision'";

fn filtered(mut query: crate::db::Q, f: &Filter, scope: &Scope) -> crate::db::Q {
    query = scope.filter(query, "c.org_id");
    if let Some(s) = f.state.as_deref().filter(|s| !s.is_empty()) {
        query = query.push_bind(" AND c.state = {}", s.to_string());
    }
    if let Some(t) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pat = crate::db::dialect::contains_pattern(t);
        query = query.push_bind(" AND (c.case_no LIKE {} ESCAPE '\\'", pat.clone()).push_bind(" OR m.title LIKE {} ESCAPE '\\')", pat);
    }
    query
}

pub async fn list(db: &crate::db::Db, f: &Filter, scope: &Scope) -> Result<Page<ListRow>, AppError> {
    let paging = Paging { page: f.page, per: f.per };
    let total = filtered(q(format!("SELECT COUNT(*) {BASE}")), f, scope).fetch_i64(db).await?;
    let rows = filtered(q(format!("SELECT {LIST_COLS} {BASE}")), f, scope)
        .push(" ORDER BY c.id DESC")
        .push_bind(" LIMIT {}", paging.per())
        .push_bind(" OFFSET {}", paging.offset())
        .fetch_all(db)
        .await?;
    Ok(Page::new(rows, &paging, total))
}

pub async fn export(db: &crate::db::Db, f: &Filter, scope: &Scope) -> Result<Vec<ListRow>, AppError> {
    filtered(q(format!("SELECT {LIST_COLS} {BASE}")), f, scope).push(" ORDER BY c.id DESC LIMIT 20000").fetch_all(db).await
}
