//! `/api/v1/enforcement`: officers with their certificates, and penalty cases — register (立案),
//! list, read, take a step. A natural person's name is masked in every answer.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use fazhi_platform::api::{ApiRoutes, ErrorDoc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::queries::{self, Filter, OfficerRow, PenaltyRow};
use super::rules::{self, PROCEDURE};
use super::service::{self, NewOfficer, NewPenalty, StepForm, Who};
use crate::auth::{Caller, Perm};
use crate::error::AppError;
use crate::kernel::queries::CaseRow;
use crate::state::AppState;
use crate::web::extract::{Path, Query};
use crate::web::form::JsonBody;

pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .route("/enforcement/officers", post(create_officer).get(list_officers))
        .route("/enforcement/officers/{id}/status", post(officer_status))
        .route("/enforcement/cases", post(create_case).get(list_cases))
        .route("/enforcement/cases/{id}", get(get_case))
        .route("/enforcement/cases/{id}/steps/{action}", post(take_step))
}

fn who(c: &Caller) -> Who {
    match c {
        Caller::Staff(s) => Who::staff(s),
        Caller::Token(t) => Who::token(t),
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct NewOfficerDto {
    pub org_id: Option<i64>,
    pub name: Option<String>,
    /// 辅助人员: no certificate, never assigned to enforce.
    #[serde(default)]
    pub auxiliary: bool,
    pub cert_no: Option<String>,
    /// 执法领域: urban, market, environment, transport, agriculture, culture, safety, health, land, housing.
    pub field: Option<String>,
    pub issued_on: Option<String>,
    pub expires_on: Option<String>,
    pub training_hours: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct OfficerDto {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub auxiliary: bool,
    pub cert_no: Option<String>,
    pub field: Option<String>,
    pub issued_on: Option<String>,
    pub expires_on: Option<String>,
    /// active, suspended, revoked.
    pub status: String,
    pub training_hours: i64,
}

impl From<OfficerRow> for OfficerDto {
    fn from(o: OfficerRow) -> Self {
        OfficerDto {
            id: o.id,
            org_id: o.org_id,
            name: o.name,
            auxiliary: o.auxiliary,
            cert_no: o.cert_no,
            field: o.field,
            issued_on: o.issued_on,
            expires_on: o.expires_on,
            status: o.status,
            training_hours: o.training_hours,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CreatedDto {
    pub id: i64,
}

/// Register an officer (or an auxiliary) with his certificate.
#[utoipa::path(post, path = "/api/v1/enforcement/officers", tag = "enforcement", request_body = NewOfficerDto,
    responses((status = 201, body = CreatedDto), (status = 422, body = ErrorDoc), (status = 401, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn create_officer(State(state): State<AppState>, caller: Caller, JsonBody(b): JsonBody<NewOfficerDto>) -> Result<Response, AppError> {
    caller.require(super::roles::CERTS)?;
    let new = NewOfficer {
        org_id: b.org_id,
        name: b.name,
        auxiliary: b.auxiliary,
        cert_no: b.cert_no,
        field: b.field,
        issued_on: b.issued_on,
        expires_on: b.expires_on,
        training_hours: b.training_hours,
    };
    let id = service::create_officer(&state, &who(&caller), new).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })).into_response())
}

/// The officers of the units within the caller's reach, certificates expiring first.
#[utoipa::path(get, path = "/api/v1/enforcement/officers", tag = "enforcement", responses((status = 200, body = [OfficerDto]), (status = 401, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn list_officers(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<OfficerDto>>, AppError> {
    let scope = caller.scope(Perm::CASE_READ, Some(rules::CODE));
    Ok(Json(queries::officers(&state.db, &scope, 2000).await?.into_iter().map(OfficerDto::from).collect()))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct StatusDto {
    /// active, suspended (暂扣), revoked (吊销/注销).
    pub status: String,
    pub reason: Option<String>,
}

/// Change a certificate's status, with the reason.
#[utoipa::path(post, path = "/api/v1/enforcement/officers/{id}/status", tag = "enforcement", request_body = StatusDto, params(("id" = i64, Path)),
    responses((status = 204), (status = 422, body = ErrorDoc), (status = 404, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn officer_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<StatusDto>,
) -> Result<StatusCode, AppError> {
    service::set_officer_status(&state, &who(&caller), id, &b.status, b.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct NewCaseDto {
    pub org_id: Option<i64>,
    /// 案由.
    pub title: Option<String>,
    pub field: Option<String>,
    /// person or org.
    pub party_kind: Option<String>,
    pub party_name: Option<String>,
    /// The Art. 58 category: none, public_interest, complex, other_law.
    pub major: Option<String>,
    /// YYYY-MM-DD; default today.
    pub registered_on: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CaseDto {
    pub id: i64,
    pub case_no: String,
    pub state: String,
    pub state_name: String,
    pub org_id: i64,
    pub title: String,
    pub field: String,
    /// A person's name masked.
    pub party: String,
    pub registered_on: String,
    pub major: String,
    /// The running clock's due date (the decision, the service, the disclosure).
    pub due_on: Option<String>,
    pub clock_rule: Option<String>,
    pub officers: Vec<String>,
    pub hearing_right: Option<bool>,
    pub notified_on: Option<String>,
    pub hearing_held_on: Option<String>,
    pub review_result: Option<String>,
    pub decision_no: Option<String>,
    pub fine: Option<i64>,
    pub decided_on: Option<String>,
    pub service_due_on: Option<String>,
    pub served_on: Option<String>,
    pub disclosure_due_on: Option<String>,
    pub disclosed_on: Option<String>,
    pub disclosed_on_time: Option<bool>,
    pub version: i64,
}

fn dto(c: &CaseRow, p: &PenaltyRow, officers: Vec<String>) -> CaseDto {
    CaseDto {
        id: c.id,
        case_no: c.case_no.clone(),
        state: c.state.clone(),
        state_name: PROCEDURE.state_name(&c.state).into(),
        org_id: c.org_id,
        title: p.title.clone(),
        field: p.field.clone(),
        party: p.party_shown(),
        registered_on: p.registered_on.clone(),
        major: p.major.clone(),
        due_on: c.due_on.clone(),
        clock_rule: c.clock_rule.clone(),
        officers,
        hearing_right: p.hearing_right,
        notified_on: p.notified_on.clone(),
        hearing_held_on: p.hearing_held_on.clone(),
        review_result: p.review_result.clone(),
        decision_no: p.decision_no.clone(),
        fine: p.fine,
        decided_on: p.decided_on.clone(),
        service_due_on: p.service_due_on.clone(),
        served_on: p.served_on.clone(),
        disclosure_due_on: p.disclosure_due_on.clone(),
        disclosed_on: p.disclosed_on.clone(),
        disclosed_on_time: p.disclosed_on_time,
        version: c.version,
    }
}

async fn full(state: &AppState, id: i64) -> Result<CaseDto, AppError> {
    let (c, p) = queries::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let officers = queries::assigned(&state.db, id).await?.into_iter().filter_map(|o| o.cert_no).collect();
    Ok(dto(&c, &p, officers))
}

/// Register a penalty case (立案); the 90-day decision clock starts (Art. 60).
#[utoipa::path(post, path = "/api/v1/enforcement/cases", tag = "enforcement", request_body = NewCaseDto,
    responses((status = 201, body = CaseDto), (status = 422, body = ErrorDoc), (status = 401, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn create_case(State(state): State<AppState>, caller: Caller, JsonBody(b): JsonBody<NewCaseDto>) -> Result<Response, AppError> {
    caller.require(Perm::CASE_HANDLE)?;
    let new = NewPenalty {
        org_id: b.org_id,
        title: b.title,
        field: b.field,
        party_kind: b.party_kind,
        party_name: b.party_name,
        major: b.major,
        registered_on: b.registered_on,
    };
    let c = service::create(&state, &who(&caller), new).await?;
    Ok((StatusCode::CREATED, Json(full(&state, c.id).await?)).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct CaseListItem {
    pub id: i64,
    pub case_no: String,
    pub state: String,
    pub state_name: String,
    pub org_id: i64,
    pub title: String,
    pub field: String,
    pub party: String,
    pub registered_on: String,
    pub due_on: Option<String>,
    pub decision_no: Option<String>,
    pub fine: Option<i64>,
    pub decided_on: Option<String>,
    pub disclosed_on: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CasePage {
    pub items: Vec<CaseListItem>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    pub q: Option<String>,
    pub state: Option<String>,
    pub field: Option<String>,
    pub org: Option<i64>,
    /// 立案 from (YYYY-MM-DD).
    pub from: Option<String>,
    /// 立案 to (YYYY-MM-DD).
    pub to: Option<String>,
    pub page: Option<i64>,
    pub per: Option<i64>,
}

/// The case register within the caller's scope.
#[utoipa::path(get, path = "/api/v1/enforcement/cases", tag = "enforcement", params(ListParams), responses((status = 200, body = CasePage), (status = 401, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn list_cases(State(state): State<AppState>, caller: Caller, Query(p): Query<ListParams>) -> Result<Json<CasePage>, AppError> {
    let scope = caller.scope(Perm::CASE_READ, Some(rules::CODE));
    let org_path = match p.org {
        Some(o) => crate::org::queries::get(&state.db, o).await?.map(|o| o.path),
        None => None,
    };
    let f = Filter { q: p.q, state: p.state, field: p.field, org: p.org, from: p.from, to: p.to, format: None, page: p.page, per: p.per };
    let page = queries::list(&state.db, &f, &scope, org_path.as_deref()).await?;
    let items = page
        .items
        .iter()
        .map(|r| CaseListItem {
            id: r.id,
            case_no: r.case_no.clone(),
            state: r.state.clone(),
            state_name: PROCEDURE.state_name(&r.state).into(),
            org_id: r.org_id,
            title: r.title.clone(),
            field: r.field.clone(),
            party: r.party_shown(),
            registered_on: r.registered_on.clone(),
            due_on: r.due_on.clone(),
            decision_no: r.decision_no.clone(),
            fine: r.fine,
            decided_on: r.decided_on.clone(),
            disclosed_on: r.disclosed_on.clone(),
        })
        .collect();
    Ok(Json(CasePage { items, page: page.page, per_page: page.per_page, total: page.total }))
}

/// A penalty case.
#[utoipa::path(get, path = "/api/v1/enforcement/cases/{id}", tag = "enforcement", params(("id" = i64, Path)),
    responses((status = 200, body = CaseDto), (status = 404, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn get_case(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<Json<CaseDto>, AppError> {
    service::readable(&state, &who(&caller), id).await?;
    Ok(Json(full(&state, id).await?))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct StepDto {
    pub version: Option<i64>,
    pub reason: Option<String>,
    pub days: Option<u32>,
    #[serde(default)]
    pub fields: std::collections::BTreeMap<String, String>,
}

/// Take a step (assign, notify, request_hearing, hold_hearing, record_defence, submit_review,
/// review, decide, serve, disclose, archive, extend, close, transfer).
#[utoipa::path(post, path = "/api/v1/enforcement/cases/{id}/steps/{action}", tag = "enforcement", request_body = StepDto, params(("id" = i64, Path), ("action" = String, Path)),
    responses((status = 200, body = CaseDto), (status = 422, description = "refused, with the legal basis", body = ErrorDoc), (status = 409, body = ErrorDoc), (status = 404, body = ErrorDoc)),
    security(("bearer" = [])))]
pub async fn take_step(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, action)): Path<(i64, String)>,
    JsonBody(b): JsonBody<StepDto>,
) -> Result<Json<CaseDto>, AppError> {
    service::step(&state, &who(&caller), id, b.version, &action, StepForm { reason: b.reason, fields: b.fields, days: b.days }).await?;
    Ok(Json(full(&state, id).await?))
}

/// Enforcement in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(create_officer, list_officers, officer_status, create_case, list_cases, get_case, take_step),
    tags((name = "enforcement", description = "行政执法：执法人员与证件、行政处罚案件"))
)]
pub struct EnforcementApi;
