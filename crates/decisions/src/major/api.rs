//! `/api/v1/decisions/major`: major decisions for other systems — read one with its package (what
//! the law asks to be on record before collective deliberation, and what is missing), and take a
//! step (refused with the article, in the common error shape).

use axum::Json;
use axum::extract::State;
use axum::routing::{get, post};
use fazhi_platform::api::{ApiRoutes, ErrorDoc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::queries;
use super::rules::PROCEDURE;
use super::service;
use crate::auth::Caller;
use crate::error::AppError;
use crate::queries as docs;
use crate::service::{StepForm, Who};
use crate::state::AppState;
use crate::web::extract::Path;
use crate::web::form::JsonBody;

pub fn routes() -> ApiRoutes {
    ApiRoutes::new().route("/decisions/major/{id}", get(get_decision)).route("/decisions/major/{id}/steps/{action}", post(take_step))
}

fn who(c: &Caller) -> Who {
    match c {
        Caller::Staff(s) => Who::staff(s),
        Caller::Token(t) => Who::token(t),
    }
}

#[derive(Serialize, ToSchema)]
pub struct PackageItemDto {
    pub item: String,
    pub status: String,
    pub basis: String,
}

#[derive(Serialize, ToSchema)]
pub struct DecisionDto {
    pub id: i64,
    pub case_no: String,
    pub state: String,
    pub state_name: String,
    pub org_id: i64,
    pub title: String,
    pub category: String,
    pub market_related: bool,
    pub legality_result: Option<String>,
    pub meeting_on: Option<String>,
    pub meeting_result: Option<String>,
    pub published_on: Option<String>,
    pub version: i64,
    /// The materials Art. 29 asks for, each with its status (已履行, 不适用, 缺…).
    pub package: Vec<PackageItemDto>,
}

async fn full(state: &AppState, who: &Who, id: i64) -> Result<DecisionDto, AppError> {
    let (c, d, _) = service::readable(state, who, id).await?;
    let procs = queries::procedures(&state.db, id).await?;
    let window = docs::open_window(&state.db, id).await?;
    let package = super::pages::package(&d, &procs, window.as_ref())
        .into_iter()
        .map(|l| PackageItemDto { item: l.name.to_string(), status: l.status, basis: l.basis })
        .collect();
    Ok(DecisionDto {
        id: c.id,
        case_no: c.case_no.clone(),
        state: c.state.clone(),
        state_name: PROCEDURE.state_name(&c.state).into(),
        org_id: c.org_id,
        title: d.title,
        category: d.category,
        market_related: d.market_related,
        legality_result: d.legality_result,
        meeting_on: d.meeting_on,
        meeting_result: d.meeting_result,
        published_on: d.published_on,
        version: c.version,
        package,
    })
}

/// A major decision with its package.
#[utoipa::path(get, path = "/api/v1/decisions/major/{id}", tag = "decisions", params(("id" = i64, Path)),
    responses((status = 200, body = DecisionDto), (status = 404, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn get_decision(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<Json<DecisionDto>, AppError> {
    Ok(Json(full(&state, &who(&caller), id).await?))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct MajorStepDto {
    pub version: Option<i64>,
    pub reason: Option<String>,
    pub days: Option<u32>,
    #[serde(default)]
    pub fields: std::collections::BTreeMap<String, String>,
}

/// Take a step (draft, open_participation, close_participation, hearing, waive_participation,
/// expert, waive_expert, risk, waive_risk, fair_competition, submit_legality, legality_opinion,
/// deliberate, party_report, publish, archive, execution, evaluate, close, abandon).
#[utoipa::path(post, path = "/api/v1/decisions/major/{id}/steps/{action}", tag = "decisions", request_body = MajorStepDto, params(("id" = i64, Path), ("action" = String, Path)),
    responses((status = 200, body = DecisionDto), (status = 422, description = "refused, each missing item with its article", body = ErrorDoc), (status = 409, body = ErrorDoc), (status = 404, body = ErrorDoc)),
    security(("bearer" = [])))]
pub async fn take_step(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, action)): Path<(i64, String)>,
    JsonBody(b): JsonBody<MajorStepDto>,
) -> Result<Json<DecisionDto>, AppError> {
    let w = who(&caller);
    service::step(&state, &w, id, b.version, &action, StepForm { reason: b.reason, fields: b.fields, days: b.days }).await?;
    Ok(Json(full(&state, &w, id).await?))
}

/// Major decisions in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(get_decision, take_step), tags((name = "decisions", description = "决策与规范性文件")))]
pub struct MajorApi;
