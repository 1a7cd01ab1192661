//! `/api/v1/decisions/fcr`: fair-competition reviews for other systems — register a measure,
//! read one with its opinions, take a step (refused with the article, in the common error shape).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use fazhi_platform::api::{ApiRoutes, ErrorDoc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::rules::PROCEDURE;
use super::service::{self, NewMeasure};
use crate::auth::{Caller, Perm};
use crate::error::AppError;
use crate::service::{StepForm, Who};
use crate::state::AppState;
use crate::web::extract::Path;
use crate::web::form::JsonBody;

pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .route("/decisions/fcr", post(create_measure))
        .route("/decisions/fcr/{id}", get(get_measure))
        .route("/decisions/fcr/{id}/steps/{action}", post(take_step))
}

fn who(c: &Caller) -> Who {
    match c {
        Caller::Staff(s) => Who::staff(s),
        Caller::Token(t) => Who::token(t),
    }
}

#[derive(Serialize, ToSchema)]
pub struct OpinionDto {
    /// self, initial (the drafter's 初审 of a government measure), regulator.
    pub stage: String,
    pub conclusion: String,
    /// The articles of the standards found.
    pub found: Vec<String>,
    pub until_on: Option<String>,
    pub expired_on: Option<String>,
    pub given_on: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeasureDto {
    pub id: i64,
    pub case_no: String,
    pub state: String,
    pub state_name: String,
    pub org_id: i64,
    pub title: String,
    pub by_government: bool,
    pub version: i64,
    pub opinions: Vec<OpinionDto>,
}

async fn full(state: &AppState, who: &Who, id: i64) -> Result<MeasureDto, AppError> {
    let (c, m, _) = service::readable(state, who, id).await?;
    let opinions = service::opinions(&state.db, id)
        .await?
        .into_iter()
        .map(|o| {
            let answers: std::collections::BTreeMap<String, String> = serde_json::from_str(&o.answers).unwrap_or_default();
            OpinionDto {
                found: super::rules::STANDARDS
                    .iter()
                    .filter(|s| answers.get(s.code).map(String::as_str) == Some("yes"))
                    .map(|s| s.article.to_string())
                    .collect(),
                stage: o.stage,
                conclusion: o.conclusion,
                until_on: o.until_on,
                expired_on: o.expired_on,
                given_on: o.given_on,
            }
        })
        .collect();
    Ok(MeasureDto {
        id: c.id,
        case_no: c.case_no.clone(),
        state: c.state.clone(),
        state_name: PROCEDURE.state_name(&c.state).into(),
        org_id: c.org_id,
        title: m.title,
        by_government: m.by_government,
        version: c.version,
        opinions,
    })
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct NewMeasureDto {
    pub org_id: Option<i64>,
    pub title: Option<String>,
    pub summary: Option<String>,
    /// To be issued by the government itself: the market regulator reviews it (Art. 14).
    #[serde(default)]
    pub by_government: bool,
}

/// Register a policy measure for fair-competition review.
#[utoipa::path(post, path = "/api/v1/decisions/fcr", tag = "decisions", request_body = NewMeasureDto,
    responses((status = 201, body = MeasureDto), (status = 422, body = ErrorDoc), (status = 401, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn create_measure(State(state): State<AppState>, caller: Caller, JsonBody(b): JsonBody<NewMeasureDto>) -> Result<Response, AppError> {
    caller.require(Perm::CASE_HANDLE)?;
    let w = who(&caller);
    let c = service::create(&state, &w, NewMeasure { org_id: b.org_id, title: b.title, summary: b.summary, by_government: b.by_government }).await?;
    Ok((StatusCode::CREATED, Json(full(&state, &w, c.id).await?)).into_response())
}

/// A measure with every opinion given on it.
#[utoipa::path(get, path = "/api/v1/decisions/fcr/{id}", tag = "decisions", params(("id" = i64, Path)),
    responses((status = 200, body = MeasureDto), (status = 404, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn get_measure(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<Json<MeasureDto>, AppError> {
    Ok(Json(full(&state, &who(&caller), id).await?))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct FcrStepDto {
    pub version: Option<i64>,
    pub reason: Option<String>,
    #[serde(default)]
    pub fields: std::collections::BTreeMap<String, String>,
}

/// Take a step (review, regulator_review, check, rectified, interview).
#[utoipa::path(post, path = "/api/v1/decisions/fcr/{id}/steps/{action}", tag = "decisions", request_body = FcrStepDto, params(("id" = i64, Path), ("action" = String, Path)),
    responses((status = 200, body = MeasureDto), (status = 422, description = "refused, with the article", body = ErrorDoc), (status = 409, body = ErrorDoc), (status = 404, body = ErrorDoc)),
    security(("bearer" = [])))]
pub async fn take_step(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, action)): Path<(i64, String)>,
    JsonBody(b): JsonBody<FcrStepDto>,
) -> Result<Json<MeasureDto>, AppError> {
    let w = who(&caller);
    service::step(&state, &w, id, b.version, &action, StepForm { reason: b.reason, fields: b.fields, days: None }).await?;
    Ok(Json(full(&state, &w, id).await?))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(create_measure, get_measure, take_step), tags((name = "decisions", description = "决策与规范性文件")))]
pub struct FcrApi;
