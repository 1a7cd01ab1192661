//! `/api/v1/disputes/mediations` and `/api/v1/disputes/mediators`: register a dispute with its
//! source, add a mediator to an organisation's roster, read a case, take a step (the assignment
//! refused with the conflict named).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use fazhi_platform::api::{ApiRoutes, ErrorDoc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Caller, Perm};
use crate::error::AppError;
use crate::kernel::queries::CaseRow;
use crate::mediation::{self, MediationRow, NewMediation};
use crate::mediation_rules::PROCEDURE;
use crate::service::{StepForm, Who};
use crate::state::AppState;
use crate::web::extract::Path;
use crate::web::form::JsonBody;

pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .route("/disputes/mediations", post(create_mediation))
        .route("/disputes/mediations/{id}", get(get_mediation))
        .route("/disputes/mediations/{id}/steps/{action}", post(mediation_step))
        .route("/disputes/mediators", post(create_mediator))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct MediationIn {
    /// The mediation organisation (a unit of the tree).
    pub org_id: Option<i64>,
    /// people, admin, lawyer, industry
    pub kind: Option<String>,
    /// walk_in, court, petition, hotline, initiative
    pub source: Option<String>,
    /// Required when the source is court.
    pub court_case_no: Option<String>,
    /// Required when the source is hotline: the ticket's number.
    pub hotline_ticket_no: Option<String>,
    pub summary: Option<String>,
    pub party_a: Option<String>,
    pub party_a_phone: Option<String>,
    pub party_b: Option<String>,
    pub party_b_phone: Option<String>,
    /// YYYY-MM-DD, within the past year; default today.
    pub received_on: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MediationDto {
    pub id: i64,
    pub case_no: String,
    pub state: String,
    pub state_name: String,
    pub org_id: i64,
    pub kind: String,
    pub source: String,
    pub court_case_no: Option<String>,
    pub hotline_ticket_no: Option<String>,
    /// Masked.
    pub party_a: String,
    /// Masked.
    pub party_b: String,
    pub registered_on: String,
    pub mediator_id: Option<i64>,
    pub due_on: Option<String>,
    pub agreement_kind: Option<String>,
    pub agreement_on: Option<String>,
    pub confirmation_result: Option<String>,
    pub performance: Option<String>,
    /// agreement_written, agreement_oral, failed, withdrawn, refused
    pub closing_code: Option<String>,
    pub version: i64,
}

fn dto(c: &CaseRow, m: &MediationRow) -> MediationDto {
    MediationDto {
        id: c.id,
        case_no: c.case_no.clone(),
        state: c.state.clone(),
        state_name: PROCEDURE.state_name(&c.state).into(),
        org_id: c.org_id,
        kind: m.kind.clone(),
        source: m.source.clone(),
        court_case_no: m.court_case_no.clone(),
        hotline_ticket_no: m.hotline_ticket_no.clone(),
        party_a: crate::privacy::mask_name(&m.party_a),
        party_b: crate::privacy::mask_name(&m.party_b),
        registered_on: m.registered_on.clone(),
        mediator_id: m.mediator_id,
        due_on: c.due_on.clone(),
        agreement_kind: m.agreement_kind.clone(),
        agreement_on: m.agreement_on.clone(),
        confirmation_result: m.confirmation_result.clone(),
        performance: m.performance.clone(),
        closing_code: m.closing_code.clone(),
        version: c.version,
    }
}

/// Register a dispute at a mediation organisation.
#[utoipa::path(post, path = "/api/v1/disputes/mediations", tag = "disputes", request_body = MediationIn,
    responses((status = 201, body = MediationDto), (status = 422, body = ErrorDoc), (status = 403, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn create_mediation(State(state): State<AppState>, caller: Caller, JsonBody(b): JsonBody<MediationIn>) -> Result<Response, AppError> {
    caller.require(Perm::CASE_HANDLE)?;
    let n = NewMediation {
        org_id: b.org_id,
        kind: b.kind,
        source: b.source,
        court_case_no: b.court_case_no,
        hotline_ticket_no: b.hotline_ticket_no,
        summary: b.summary,
        party_a: b.party_a,
        party_a_phone: b.party_a_phone,
        party_b: b.party_b,
        party_b_phone: b.party_b_phone,
        received_on: b.received_on,
    };
    let r = mediation::register(&state, &Who::of(&caller), n).await?;
    let m = mediation::row(&state.db, r.case.id).await?.ok_or_else(crate::kernel::access::not_found)?;
    Ok((StatusCode::CREATED, Json(dto(&r.case, &m))).into_response())
}

async fn readable(state: &AppState, caller: &Caller, id: i64) -> Result<(CaseRow, MediationRow), AppError> {
    let (c, m) = mediation::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let path = crate::kernel::access::org_path(state, c.org_id).await?;
    if !caller.allows(Perm::CASE_READ, Some("mediation"), &path) {
        return Err(crate::kernel::access::not_found());
    }
    Ok((c, m))
}

/// One mediation case.
#[utoipa::path(get, path = "/api/v1/disputes/mediations/{id}", tag = "disputes", params(("id" = i64, Path)), responses((status = 200, body = MediationDto), (status = 404, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn get_mediation(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<Json<MediationDto>, AppError> {
    let (c, m) = readable(&state, &caller, id).await?;
    Ok(Json(dto(&c, &m)))
}

/// Take a step: assign (mediator_id; refused with the conflict named), decline, agree (agreement_kind, agreement_text), terminate (closing_code, routes_told), record_confirmation (result), close (performance).
#[utoipa::path(post, path = "/api/v1/disputes/mediations/{id}/steps/{action}", tag = "disputes", request_body = crate::api::StepDto, params(("id" = i64, Path), ("action" = String, Path)),
    responses((status = 200, body = MediationDto), (status = 422, body = ErrorDoc), (status = 409, body = ErrorDoc), (status = 404, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn mediation_step(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, action)): Path<(i64, String)>,
    JsonBody(b): JsonBody<crate::api::StepDto>,
) -> Result<Json<MediationDto>, AppError> {
    readable(&state, &caller, id).await?;
    let c = mediation::step(&state, &Who::of(&caller), id, b.version, &action, StepForm { reason: b.reason, fields: b.fields, days: b.days }).await?;
    let m = mediation::row(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    Ok(Json(dto(&c, &m)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct MediatorIn {
    pub org_id: i64,
    pub name: String,
    #[serde(default)]
    pub specialty: String,
    #[serde(default)]
    pub training: String,
    /// Declared relations for the conflict-of-interest check, one a line (relatives' names, employer…).
    #[serde(default)]
    pub relations: String,
}

#[derive(Serialize, ToSchema)]
pub struct MediatorOut {
    pub id: i64,
}

/// Add a mediator to an organisation's roster.
#[utoipa::path(post, path = "/api/v1/disputes/mediators", tag = "disputes", request_body = MediatorIn, responses((status = 201, body = MediatorOut), (status = 422, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn create_mediator(State(state): State<AppState>, caller: Caller, JsonBody(b): JsonBody<MediatorIn>) -> Result<Response, AppError> {
    caller.require(Perm::CASE_HANDLE)?;
    let id = mediation::add_mediator(&state, &Who::of(&caller), b.org_id, &b.name, &b.specialty, &b.training, &b.relations).await?;
    Ok((StatusCode::CREATED, Json(MediatorOut { id })).into_response())
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(create_mediation, get_mediation, mediation_step, create_mediator))]
pub struct MediationApi;
