//! `/api/v1/accountability/rectifications`: 督察 findings and their rectification for other
//! systems — record a finding, list the register, read one, take a step.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use fazhi_platform::api::{ApiRoutes, ErrorDoc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::queries::{self, Filter, RectRow};
use super::rules::{self, PROCEDURE};
use super::service::{self, NewFinding, StepForm, Who};
use crate::auth::{Caller, Perm};
use crate::error::AppError;
use crate::kernel::queries::CaseRow;
use crate::state::AppState;
use crate::time::{fmt_date, today};
use crate::web::extract::{Path, Query};
use crate::web::form::JsonBody;

pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .route("/accountability/rectifications", post(create_rectification).get(list_rectifications))
        .route("/accountability/rectifications/{id}", get(get_rectification))
        .route("/accountability/rectifications/{id}/steps/{action}", post(take_step))
}

fn who(c: &Caller) -> Who {
    match c {
        Caller::Staff(s) => Who::staff(s),
        Caller::Token(t) => Who::token(t),
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct NewFindingDto {
    /// The unit inspected, which rectifies (an organisation id).
    pub org_id: Option<i64>,
    /// The inspection, e.g. 2020年度法治政府建设督察.
    pub inspection: Option<String>,
    /// inspection (法治督察), special (专项督察), follow_up (回头看).
    pub kind: Option<String>,
    pub finding: Option<String>,
    /// YYYY-MM-DD; default today.
    pub found_on: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RectificationDto {
    pub id: i64,
    pub case_no: String,
    pub state: String,
    pub state_name: String,
    pub org_id: i64,
    pub inspection: String,
    pub kind: String,
    pub year: i64,
    pub finding: String,
    pub found_on: String,
    /// The current period (the kernel's clock).
    pub due_on: Option<String>,
    pub measures: Option<String>,
    pub evidence: Option<String>,
    pub reported_on: Option<String>,
    /// Reported after the period ran (accepted, marked late).
    pub reported_late: Option<bool>,
    pub verified_on: Option<String>,
    pub verify_opinion: Option<String>,
    /// Times sent back by verification or reopened by the 回头看.
    pub reopened: i64,
    pub version: i64,
}

fn dto(c: &CaseRow, r: &RectRow) -> RectificationDto {
    RectificationDto {
        id: c.id,
        case_no: c.case_no.clone(),
        state: c.state.clone(),
        state_name: PROCEDURE.state_name(&c.state).into(),
        org_id: c.org_id,
        inspection: r.inspection.clone(),
        kind: r.kind.clone(),
        year: r.year,
        finding: r.finding.clone(),
        found_on: r.found_on.clone(),
        due_on: c.due_on.clone(),
        measures: r.measures.clone(),
        evidence: r.evidence.clone(),
        reported_on: r.reported_on.clone(),
        reported_late: r.reported_late,
        verified_on: r.verified_on.clone(),
        verify_opinion: r.verify_opinion.clone(),
        reopened: r.reopened,
        version: c.version,
    }
}

async fn full(state: &AppState, id: i64) -> Result<RectificationDto, AppError> {
    let (c, r) = queries::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    Ok(dto(&c, &r))
}

/// Record a finding of an inspection (督察、专项督察、回头看) against a unit.
#[utoipa::path(post, path = "/api/v1/accountability/rectifications", tag = "accountability", request_body = NewFindingDto,
    responses((status = 201, body = RectificationDto), (status = 422, body = ErrorDoc), (status = 401, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn create_rectification(State(state): State<AppState>, caller: Caller, JsonBody(b): JsonBody<NewFindingDto>) -> Result<Response, AppError> {
    caller.require(super::roles::INSPECT)?;
    let new = NewFinding { org_id: b.org_id, inspection: b.inspection, kind: b.kind, finding: b.finding, found_on: b.found_on };
    let c = service::create(&state, &who(&caller), new).await?;
    Ok((StatusCode::CREATED, Json(full(&state, c.id).await?)).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct RectificationPage {
    pub items: Vec<RectificationDto>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    pub q: Option<String>,
    pub state: Option<String>,
    /// open, overdue, late, reopened
    pub status: Option<String>,
    /// inspection, special, follow_up
    pub kind: Option<String>,
    pub org: Option<i64>,
    pub year: Option<i64>,
    pub page: Option<i64>,
    pub per: Option<i64>,
}

/// The register within the caller's scope.
#[utoipa::path(get, path = "/api/v1/accountability/rectifications", tag = "accountability", params(ListParams),
    responses((status = 200, body = RectificationPage), (status = 401, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn list_rectifications(State(state): State<AppState>, caller: Caller, Query(p): Query<ListParams>) -> Result<Json<RectificationPage>, AppError> {
    let scope = caller.scope(Perm::CASE_READ, Some(rules::CODE));
    let org_path = match p.org {
        Some(o) => crate::org::queries::get(&state.db, o).await?.map(|o| o.path),
        None => None,
    };
    let f = Filter { q: p.q, state: p.state, status: p.status, kind: p.kind, org: p.org, year: p.year, page: p.page, per: p.per, format: None };
    let page = queries::list(&state.db, &f, &scope, org_path.as_deref(), &fmt_date(today())).await?;
    let ids: Vec<i64> = page.items.iter().map(|r| r.id).collect();
    let cases: Vec<CaseRow> =
        crate::db::q(format!("SELECT {} FROM cases c WHERE", crate::kernel::queries::CASE_COLUMNS)).push_in("c.id", &ids).fetch_all(&state.db).await?;
    let rects: Vec<RectRow> =
        crate::db::q(format!("SELECT {} FROM rectifications r WHERE", queries::RECT_COLS)).push_in("r.case_id", &ids).fetch_all(&state.db).await?;
    let items = ids.iter().filter_map(|id| Some(dto(cases.iter().find(|c| c.id == *id)?, rects.iter().find(|r| r.case_id == *id)?))).collect();
    Ok(Json(RectificationPage { items, page: page.page, per_page: page.per_page, total: page.total }))
}

/// A finding and its rectification.
#[utoipa::path(get, path = "/api/v1/accountability/rectifications/{id}", tag = "accountability", params(("id" = i64, Path)),
    responses((status = 200, body = RectificationDto), (status = 404, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn get_rectification(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<Json<RectificationDto>, AppError> {
    let (c, r, _) = service::readable(&state, &who(&caller), id).await?;
    Ok(Json(dto(&c, &r)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct StepDto {
    pub version: Option<i64>,
    pub reason: Option<String>,
    #[serde(default)]
    pub fields: std::collections::BTreeMap<String, String>,
}

/// Take a step (assign, report, verify_pass, verify_fail, confirm, reopen, withdraw).
#[utoipa::path(post, path = "/api/v1/accountability/rectifications/{id}/steps/{action}", tag = "accountability", request_body = StepDto,
    params(("id" = i64, Path), ("action" = String, Path)),
    responses((status = 200, body = RectificationDto), (status = 422, description = "refused, with the legal basis", body = ErrorDoc), (status = 409, body = ErrorDoc), (status = 404, body = ErrorDoc)),
    security(("bearer" = [])))]
pub async fn take_step(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, action)): Path<(i64, String)>,
    JsonBody(b): JsonBody<StepDto>,
) -> Result<Json<RectificationDto>, AppError> {
    service::step(&state, &who(&caller), id, b.version, &action, StepForm { reason: b.reason, fields: b.fields }).await?;
    Ok(Json(full(&state, id).await?))
}

/// Accountability in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(create_rectification, list_rectifications, get_rectification, take_step), tags((name = "accountability", description = "督察与责任落实")))]
pub struct AccountabilityApi;
