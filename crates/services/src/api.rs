//! `/api/v1/services/…`: the catalogue and applications for other systems — add an item, take in
//! an application, list the register, read one with its clock, take a step.

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
use crate::rules::{self, PROCEDURE};
use crate::service::{self, AppRow, NewApplication, NewItem, StepForm, Who};
use crate::state::AppState;
use crate::web::extract::{Path, Query};
use crate::web::form::JsonBody;

pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .route("/services/items", post(create_item))
        .route("/services/applications", post(create_application).get(list_applications))
        .route("/services/applications/{id}", get(get_application))
        .route("/services/applications/{id}/steps/{action}", post(take_step))
}

fn who(c: &Caller) -> Who {
    Who::Caller(Box::new(c.clone()))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct NewItemDto {
    /// The implementing unit.
    pub org_id: Option<i64>,
    /// The national item code (GB/T 39554.1).
    pub code: Option<String>,
    pub name: Option<String>,
    /// licence, confirmation, payment, public_service, other
    pub kind: Option<String>,
    /// The legal basis with its articles.
    pub basis: Option<String>,
    /// Working days (行政许可法 Art. 82).
    pub statutory_days: Option<u32>,
    /// Working days, at most the statutory limit.
    pub committed_days: Option<u32>,
    /// full_online, no_visit, once, onsite
    pub online_level: Option<String>,
    /// none, cancel, filing, commitment, optimise (证照分离)
    pub reform_mode: Option<String>,
    /// Transferred to the approval bureau.
    #[serde(default)]
    pub transferred: bool,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedDto {
    pub id: i64,
}

/// Add an item to the catalogue.
#[utoipa::path(post, path = "/api/v1/services/items", tag = "services", request_body = NewItemDto,
    responses((status = 201, body = CreatedDto), (status = 422, body = ErrorDoc), (status = 401, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn create_item(State(state): State<AppState>, caller: Caller, JsonBody(b): JsonBody<NewItemDto>) -> Result<Response, AppError> {
    caller.require(Perm::CASE_HANDLE)?;
    let n = NewItem {
        org_id: b.org_id,
        code: b.code,
        name: b.name,
        kind: b.kind,
        basis: b.basis,
        statutory_days: b.statutory_days,
        committed_days: b.committed_days,
        online_level: b.online_level,
        reform_mode: b.reform_mode,
        transferred: b.transferred,
    };
    let id = service::create_item(&state, &who(&caller), n).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })).into_response())
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct NewApplicationDto {
    pub item_id: Option<i64>,
    /// online, counter
    pub channel: Option<String>,
    pub applicant: Option<String>,
    pub applicant_phone: Option<String>,
    /// YYYY-MM-DD, default today: the day the materials arrived.
    pub received_on: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationDto {
    pub id: i64,
    pub case_no: String,
    pub state: String,
    pub state_name: String,
    pub org_id: i64,
    pub item_id: i64,
    pub channel: String,
    pub applicant: String,
    pub received_on: String,
    /// Working days, as the item stood when the application was filed.
    pub statutory_days: i64,
    pub committed_days: i64,
    pub reform_mode: String,
    pub accepted_on: Option<String>,
    pub outcome: Option<String>,
    pub decided_on: Option<String>,
    /// The running clock: acceptance, decision or verification.
    pub clock: Option<String>,
    pub due_on: Option<String>,
    /// The day the clock was stopped for a special procedure (Art. 45).
    pub paused_on: Option<String>,
    pub extension_days: i64,
    pub version: i64,
}

fn dto(c: &CaseRow, a: &AppRow) -> ApplicationDto {
    ApplicationDto {
        id: c.id,
        case_no: c.case_no.clone(),
        state: c.state.clone(),
        state_name: PROCEDURE.state_name(&c.state).into(),
        org_id: c.org_id,
        item_id: a.item_id,
        channel: a.channel.clone(),
        applicant: a.applicant.clone(),
        received_on: a.received_on.clone(),
        statutory_days: a.statutory_days,
        committed_days: a.committed_days,
        reform_mode: a.reform_mode.clone(),
        accepted_on: a.accepted_on.clone(),
        outcome: a.outcome.clone(),
        decided_on: a.decided_on.clone(),
        clock: c.clock_rule.clone(),
        due_on: c.due_on.clone(),
        paused_on: c.paused_on.clone(),
        extension_days: c.extension_days,
        version: c.version,
    }
}

async fn readable(state: &AppState, caller: &Caller, id: i64) -> Result<ApplicationDto, AppError> {
    let (c, a) = service::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let path = crate::kernel::access::org_path(state, c.org_id).await?;
    if !caller.allows(Perm::CASE_READ, Some(rules::CODE), &path) {
        return Err(crate::kernel::access::not_found());
    }
    Ok(dto(&c, &a))
}

/// Take in an application (online, or registered at a counter with the day it arrived).
#[utoipa::path(post, path = "/api/v1/services/applications", tag = "services", request_body = NewApplicationDto,
    responses((status = 201, body = ApplicationDto), (status = 422, description = "refused: an item handled only on site applied for online…", body = ErrorDoc), (status = 401, body = ErrorDoc)),
    security(("bearer" = [])))]
pub async fn create_application(State(state): State<AppState>, caller: Caller, JsonBody(b): JsonBody<NewApplicationDto>) -> Result<Response, AppError> {
    caller.require(Perm::CASE_HANDLE)?;
    let n = NewApplication { item_id: b.item_id, channel: b.channel, applicant: b.applicant, applicant_phone: b.applicant_phone, received_on: b.received_on };
    let c = service::apply(&state, &who(&caller), n).await?;
    Ok((StatusCode::CREATED, Json(readable(&state, &caller, c.id).await?)).into_response())
}

#[derive(Deserialize, utoipa::IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// A state code of the procedure.
    pub state: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationPage {
    pub items: Vec<ApplicationDto>,
}

/// The register of the units in the caller's scope (the latest 200).
#[utoipa::path(get, path = "/api/v1/services/applications", tag = "services", params(ListParams),
    responses((status = 200, body = ApplicationPage), (status = 401, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn list_applications(State(state): State<AppState>, caller: Caller, Query(p): Query<ListParams>) -> Result<Json<ApplicationPage>, AppError> {
    let ids = service::register_ids(&state, &who(&caller), p.state.as_deref()).await?;
    let mut items = Vec::with_capacity(ids.len());
    for (c, a) in service::load_many(&state.db, &ids).await? {
        items.push(dto(&c, &a));
    }
    Ok(Json(ApplicationPage { items }))
}

/// One application with its clock.
#[utoipa::path(get, path = "/api/v1/services/applications/{id}", tag = "services", params(("id" = i64, Path)),
    responses((status = 200, body = ApplicationDto), (status = 404, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn get_application(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<Json<ApplicationDto>, AppError> {
    Ok(Json(readable(&state, &caller, id).await?))
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

/// Take a step (accept, request_correction, corrected, not_accept, start_special, end_special,
/// request_extension, approve_extension, reject_extension, decide, commit, verify).
#[utoipa::path(post, path = "/api/v1/services/applications/{id}/steps/{action}", tag = "services", request_body = StepDto, params(("id" = i64, Path), ("action" = String, Path)),
    responses((status = 200, body = ApplicationDto), (status = 422, description = "refused, with the legal basis", body = ErrorDoc), (status = 409, body = ErrorDoc), (status = 404, body = ErrorDoc)),
    security(("bearer" = [])))]
pub async fn take_step(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, action)): Path<(i64, String)>,
    JsonBody(b): JsonBody<StepDto>,
) -> Result<Json<ApplicationDto>, AppError> {
    service::step(&state, &who(&caller), id, b.version, &action, StepForm { reason: b.reason, fields: b.fields, days: b.days }).await?;
    Ok(Json(readable(&state, &caller, id).await?))
}

/// Government services in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(create_item, create_application, list_applications, get_application, take_step), tags((name = "services", description = "政务服务")))]
pub struct ServicesApi;
