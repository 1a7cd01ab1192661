//! `/api/v1/decisions/normdocs`: normative documents for other systems — create a plan item
//! with its first draft, list the register, read one (with the text of a version or as in force
//! on a day), write a new version, register a comment, take a step.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use fazhi_platform::api::{ApiRoutes, ErrorDoc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model;
use super::queries::{self, DocRow, Filter};
use super::rules::PROCEDURE;
use super::service::{self, CommentForm, NewDoc, StepForm, Who};
use crate::auth::{Caller, Perm};
use crate::error::AppError;
use crate::kernel::queries::CaseRow;
use crate::state::AppState;
use crate::time::{parse_date, today};
use crate::web::extract::{Path, Query};
use crate::web::form::JsonBody;

pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .route("/decisions/normdocs", post(create_normdoc).get(list_normdocs))
        .route("/decisions/normdocs/{id}", get(get_normdoc))
        .route("/decisions/normdocs/{id}/versions", post(create_version))
        .route("/decisions/normdocs/{id}/comments", post(create_comment))
        .route("/decisions/normdocs/{id}/steps/{action}", post(take_step))
}

fn who(c: &Caller) -> Who {
    match c {
        Caller::Staff(s) => Who::staff(s),
        Caller::Token(t) => Who::token(t),
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct NewDocDto {
    /// The issuing unit (an organisation id; not an internal unit).
    pub org_id: Option<i64>,
    pub title: Option<String>,
    /// The year of the formulation plan.
    pub plan_year: Option<i64>,
    /// Closely related to market actors (30-day comment window).
    #[serde(default)]
    pub market_related: bool,
    /// The first draft, clause by clause: lines starting 第一条, 第二条…
    pub text: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ClauseDto {
    pub clause_no: i64,
    pub heading: String,
    pub body: String,
}

#[derive(Serialize, ToSchema)]
pub struct NormdocDto {
    pub id: i64,
    pub case_no: String,
    pub state: String,
    pub state_name: String,
    /// in force, lapsed… as of today (a document past its validity reads lapsed at once).
    pub status_today: String,
    pub org_id: i64,
    pub title: String,
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
    pub due_on: Option<String>,
    pub latest_version: i64,
    pub version: i64,
    /// The text asked for (`?version=` or `?on=`), when asked.
    pub text_version: Option<i64>,
    pub clauses: Vec<ClauseDto>,
}

fn dto(c: &CaseRow, d: &DocRow, latest: i64) -> NormdocDto {
    let (status, _) = super::pages::status_label(&c.state, d.effective_on.as_deref(), d.valid_until.as_deref(), d.ended_on.as_deref(), today());
    NormdocDto {
        id: c.id,
        case_no: c.case_no.clone(),
        state: c.state.clone(),
        state_name: PROCEDURE.state_name(&c.state).into(),
        status_today: status,
        org_id: c.org_id,
        title: d.title.clone(),
        plan_year: d.plan_year,
        market_related: d.market_related,
        doc_no: d.doc_no.clone(),
        published_on: d.published_on.clone(),
        effective_on: d.effective_on.clone(),
        valid_until: d.valid_until.clone(),
        filing_due_on: d.filing_due_on.clone(),
        filed_on: d.filed_on.clone(),
        filed_on_time: d.filed_on_time,
        ended_on: d.ended_on.clone(),
        review_result: d.review_result.clone(),
        due_on: c.due_on.clone(),
        latest_version: latest,
        version: c.version,
        text_version: None,
        clauses: vec![],
    }
}

async fn full(state: &AppState, id: i64) -> Result<NormdocDto, AppError> {
    let (c, d) = queries::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let latest = queries::latest_version(&state.db, id).await?;
    Ok(dto(&c, &d, latest))
}

/// Put a document on the formulation plan with its first draft.
#[utoipa::path(post, path = "/api/v1/decisions/normdocs", tag = "decisions", request_body = NewDocDto,
    responses((status = 201, body = NormdocDto), (status = 422, body = ErrorDoc), (status = 401, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn create_normdoc(State(state): State<AppState>, caller: Caller, JsonBody(b): JsonBody<NewDocDto>) -> Result<Response, AppError> {
    caller.require(Perm::CASE_HANDLE)?;
    let new = NewDoc { org_id: b.org_id, title: b.title, plan_year: b.plan_year.map(|y| y.to_string()), market_related: b.market_related, text: b.text };
    let c = service::create(&state, &who(&caller), new).await?;
    Ok((StatusCode::CREATED, Json(full(&state, c.id).await?)).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct NormdocPage {
    pub items: Vec<NormdocDto>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    pub q: Option<String>,
    pub state: Option<String>,
    /// drafting, in_force, lapsed, ended
    pub status: Option<String>,
    pub org: Option<i64>,
    pub plan_year: Option<i64>,
    pub page: Option<i64>,
    pub per: Option<i64>,
}

/// The register within the caller's scope.
#[utoipa::path(get, path = "/api/v1/decisions/normdocs", tag = "decisions", params(ListParams), responses((status = 200, body = NormdocPage), (status = 401, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn list_normdocs(State(state): State<AppState>, caller: Caller, Query(p): Query<ListParams>) -> Result<Json<NormdocPage>, AppError> {
    let scope = caller.scope(Perm::CASE_READ, Some(super::rules::CODE));
    let org_path = match p.org {
        Some(o) => crate::org::queries::get(&state.db, o).await?.map(|o| o.path),
        None => None,
    };
    let f = Filter { q: p.q, state: p.state, status: p.status, org: p.org, plan_year: p.plan_year, page: p.page, per: p.per, format: None };
    let page = queries::list(&state.db, &f, &scope, org_path.as_deref(), &crate::time::fmt_date(today())).await?;
    let ids: Vec<i64> = page.items.iter().map(|r| r.id).collect();
    let cases: Vec<CaseRow> =
        crate::db::q(format!("SELECT {} FROM cases c WHERE", crate::kernel::queries::CASE_COLUMNS)).push_in("c.id", &ids).fetch_all(&state.db).await?;
    let docs: Vec<DocRow> = crate::db::q(format!("SELECT {} FROM normdocs d WHERE", queries::DOC_COLS)).push_in("d.case_id", &ids).fetch_all(&state.db).await?;
    let latest: Vec<(i64, i64)> = crate::db::q("SELECT case_id, MAX(version_no) FROM normdoc_versions WHERE")
        .push_in("case_id", &ids)
        .push(" GROUP BY case_id")
        .fetch_all(&state.db)
        .await?;
    let items = ids
        .iter()
        .filter_map(|id| {
            let v = latest.iter().find(|l| l.0 == *id).map(|l| l.1).unwrap_or(0);
            Some(dto(cases.iter().find(|c| c.id == *id)?, docs.iter().find(|d| d.case_id == *id)?, v))
        })
        .collect();
    Ok(Json(NormdocPage { items, page: page.page, per_page: page.per_page, total: page.total }))
}

#[derive(Deserialize, utoipa::IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct GetParams {
    /// The text of this version.
    pub version: Option<i64>,
    /// The text in force on this day (YYYY-MM-DD).
    pub on: Option<String>,
}

/// A document, with the text of a version or as in force on a day when asked.
#[utoipa::path(get, path = "/api/v1/decisions/normdocs/{id}", tag = "decisions", params(("id" = i64, Path), GetParams),
    responses((status = 200, body = NormdocDto), (status = 404, body = ErrorDoc), (status = 422, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn get_normdoc(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>, Query(p): Query<GetParams>) -> Result<Json<NormdocDto>, AppError> {
    let (c, d, _) = service::readable(&state, &who(&caller), id).await?;
    let latest = queries::latest_version(&state.db, id).await?;
    let mut out = dto(&c, &d, latest);
    let version = match (p.on.as_deref(), p.version) {
        (Some(on), _) => {
            let day = parse_date(on).ok_or_else(|| AppError::field("on", "bad_date", "日期格式应为 YYYY-MM-DD"))?;
            let vs: Vec<(i64, Option<NaiveDate>)> =
                queries::versions(&state.db, id).await?.into_iter().map(|v| (v.version_no, v.in_force_from.as_deref().and_then(parse_date))).collect();
            model::version_on(&d.dates(), &vs, day)
        }
        (None, Some(v)) if (1..=latest).contains(&v) => Some(v),
        (None, Some(_)) => return Err(AppError::field("version", "no_such_version", format!("没有这一稿（共{latest}稿）"))),
        (None, None) => None,
    };
    if let Some(v) = version {
        out.text_version = Some(v);
        out.clauses =
            queries::clauses(&state.db, id, v).await?.into_iter().map(|c| ClauseDto { clause_no: c.clause_no, heading: c.heading, body: c.body }).collect();
    }
    Ok(Json(out))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct VersionDto {
    pub text: String,
    pub note: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedDto {
    pub id: i64,
}

/// A new version of the draft (refused during a comment window and once under review).
#[utoipa::path(post, path = "/api/v1/decisions/normdocs/{id}/versions", tag = "decisions", request_body = VersionDto, params(("id" = i64, Path)),
    responses((status = 201, description = "the new version's number", body = CreatedDto), (status = 422, body = ErrorDoc), (status = 404, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn create_version(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<VersionDto>,
) -> Result<Response, AppError> {
    let v = service::add_version(&state, &who(&caller), id, &b.text, b.note).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id: v })).into_response())
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct CommentDto {
    /// The clause (0: the whole text) of the version the open window asks about.
    pub clause_no: Option<i64>,
    pub author: Option<String>,
    pub body: Option<String>,
    /// YYYY-MM-DD; default today. Must fall inside the window.
    pub received_on: Option<String>,
}

/// A comment received during the comment window, on a clause of the version it asked about.
#[utoipa::path(post, path = "/api/v1/decisions/normdocs/{id}/comments", tag = "decisions", request_body = CommentDto, params(("id" = i64, Path)),
    responses((status = 201, body = CreatedDto), (status = 422, description = "outside the window, or no such clause", body = ErrorDoc), (status = 404, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn create_comment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<CommentDto>,
) -> Result<Response, AppError> {
    let f = CommentForm { clause_no: b.clause_no.map(|c| c.to_string()), author: b.author, body: b.body, received_on: b.received_on };
    let n = service::add_comment(&state, &who(&caller), id, f).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id: n })).into_response())
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

/// Take a step (assess, open_comment, close_comment, skip_comment, submit_review, review,
/// deliberate, publish, file, cleanup, abandon).
#[utoipa::path(post, path = "/api/v1/decisions/normdocs/{id}/steps/{action}", tag = "decisions", request_body = StepDto, params(("id" = i64, Path), ("action" = String, Path)),
    responses((status = 200, body = NormdocDto), (status = 422, description = "refused, with the legal basis", body = ErrorDoc), (status = 409, body = ErrorDoc), (status = 404, body = ErrorDoc)),
    security(("bearer" = [])))]
pub async fn take_step(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, action)): Path<(i64, String)>,
    JsonBody(b): JsonBody<StepDto>,
) -> Result<Json<NormdocDto>, AppError> {
    service::step(&state, &who(&caller), id, b.version, &action, StepForm { reason: b.reason, fields: b.fields, days: b.days }).await?;
    Ok(Json(full(&state, id).await?))
}

/// Decisions and normative documents in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(create_normdoc, list_normdocs, get_normdoc, create_version, create_comment, take_step), tags((name = "decisions", description = "决策与规范性文件")))]
pub struct DecisionsApi;
