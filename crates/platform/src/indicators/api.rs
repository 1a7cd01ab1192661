//! `/api/v1/indicators`: the registry, one indicator evaluated for a period, a unit and a cut,
//! and the records behind a value — under the caller's scope, like every list.

use axum::Json;
use axum::extract::State;
use axum::routing::get;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Evaluation, Indicator, Meta, Params, Part, RecordRef};
use crate::api::{ApiRoutes, ErrorDoc};
use crate::auth::{Caller, Perm};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::extract::{Path, Query};
use crate::web::{Page, Paging};

pub fn routes() -> ApiRoutes {
    ApiRoutes::new().route("/indicators", get(list)).route("/indicators/{code}", get(evaluate)).route("/indicators/{code}/records", get(records))
}

/// An indicator's description.
#[derive(Serialize, ToSchema)]
pub struct IndicatorDto {
    pub code: String,
    pub name: String,
    /// The 纲要 block it belongs to.
    pub block: String,
    pub definition: String,
    pub numerator: String,
    pub denominator: Option<String>,
    /// `count`, `percent` or `yuan`.
    pub unit: String,
    pub basis: String,
    pub owner: String,
    /// Dimension codes it can be cut by (`by`).
    pub dims: Vec<String>,
}

impl From<&Meta> for IndicatorDto {
    fn from(m: &Meta) -> IndicatorDto {
        IndicatorDto {
            code: m.code.into(),
            name: m.name.into(),
            block: m.block.label().into(),
            definition: m.definition.into(),
            numerator: m.numerator.into(),
            denominator: m.denominator.map(String::from),
            unit: serde_json::to_value(m.unit).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default(),
            basis: m.basis.into(),
            owner: m.owner.into(),
            dims: m.dims.iter().map(|d| d.code.to_string()).collect(),
        }
    }
}

/// Every registered indicator.
#[utoipa::path(get, path = "/api/v1/indicators", tag = "platform", responses((status = 200, body = [IndicatorDto]), (status = 401, body = ErrorDoc), (status = 403, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<IndicatorDto>>, AppError> {
    if !caller.has(Perm::KPI_READ) {
        return Err(AppError::forbidden("forbidden", "您没有查看指标的权限"));
    }
    Ok(Json(state.registry.indicators().iter().map(|i| IndicatorDto::from(i.meta())).collect()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvalParams {
    /// First day, YYYY-MM-DD (default: 1 January of this year).
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD (default: today).
    pub to: Option<String>,
    /// An organisation id: its subtree.
    pub org: Option<i64>,
    /// A dimension code to cut by (see the indicator's `dims`).
    pub by: Option<String>,
    /// YYYY-MM-DD: the value as the records stood at the end of that day, before later
    /// corrections (422 `as_of_unsupported` for an indicator that cannot be evaluated so).
    pub as_of: Option<String>,
}

/// One value.
#[derive(Serialize, ToSchema)]
pub struct CellDto {
    /// The group's key; absent for the total.
    pub key: Option<String>,
    pub label: String,
    /// In the indicator's unit; null for a rate over nothing.
    pub value: Option<f64>,
    pub numerator: i64,
    pub denominator: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct EvaluationDto {
    pub indicator: IndicatorDto,
    pub from: String,
    pub to: String,
    pub org: Option<i64>,
    pub by: Option<String>,
    /// The day the value stood at, when asked for (`as_of`).
    pub as_of: Option<String>,
    pub total: CellDto,
    pub groups: Vec<CellDto>,
}

#[allow(clippy::too_many_arguments)]
async fn prepare(
    state: &AppState,
    caller: &Caller,
    code: &str,
    from: Option<&str>,
    to: Option<&str>,
    org: Option<i64>,
    by: Option<&str>,
    as_of: Option<&str>,
) -> Result<(&'static dyn Indicator, Params), AppError> {
    let ind = state.registry.indicator(code).ok_or_else(|| AppError::not_found("indicator_not_found", "指标不存在"))?;
    let scope = caller.scope(Perm::KPI_READ, ind.meta().procedure);
    let p = super::params_at(state, ind, scope, from, to, org, by, as_of).await?;
    Ok((ind, p))
}

fn dto(ind: &dyn Indicator, p: &Params, e: Evaluation) -> EvaluationDto {
    let unit = ind.meta().unit;
    let cell = |c: super::Cell| CellDto { value: c.value(unit), key: c.key, label: c.label, numerator: c.numerator, denominator: c.denominator };
    EvaluationDto {
        indicator: IndicatorDto::from(ind.meta()),
        from: p.from_str(),
        to: p.to_str(),
        org: p.org.as_ref().map(|o| o.id),
        by: p.by.map(|b| b.code.to_string()),
        as_of: p.as_of.map(crate::time::fmt_date),
        total: cell(e.total),
        groups: e.groups.into_iter().map(cell).collect(),
    }
}

/// An indicator's value for a period and an organisation subtree, optionally cut.
#[utoipa::path(get, path = "/api/v1/indicators/{code}", tag = "platform", params(("code" = String, Path), EvalParams),
    responses((status = 200, body = EvaluationDto), (status = 404, body = ErrorDoc), (status = 422, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn evaluate(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Query(q): Query<EvalParams>,
) -> Result<Json<EvaluationDto>, AppError> {
    let (ind, p) = prepare(&state, &caller, &code, q.from.as_deref(), q.to.as_deref(), q.org, q.by.as_deref(), q.as_of.as_deref()).await?;
    let e = ind.evaluate(&state, &p).await?;
    Ok(Json(dto(ind, &p, e)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecordParams {
    pub from: Option<String>,
    pub to: Option<String>,
    pub org: Option<i64>,
    pub by: Option<String>,
    /// YYYY-MM-DD: the records as they stood at the end of that day.
    pub as_of: Option<String>,
    /// The group's key (with `by`).
    pub key: Option<String>,
    /// `numerator` (default) or `denominator`.
    pub part: Option<String>,
    pub page: Option<i64>,
    pub per: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct RecordDto {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub unit: String,
    pub date: String,
}

#[derive(Serialize, ToSchema)]
pub struct RecordPage {
    pub items: Vec<RecordDto>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

/// The records behind a value.
#[utoipa::path(get, path = "/api/v1/indicators/{code}/records", tag = "platform", params(("code" = String, Path), RecordParams),
    responses((status = 200, body = RecordPage), (status = 404, body = ErrorDoc), (status = 422, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn records(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Query(q): Query<RecordParams>,
) -> Result<Json<RecordPage>, AppError> {
    let (ind, p) = prepare(&state, &caller, &code, q.from.as_deref(), q.to.as_deref(), q.org, q.by.as_deref(), q.as_of.as_deref()).await?;
    let page: Page<RecordRef> = ind.records(&state, &p, q.key.as_deref(), Part::parse(q.part.as_deref()), Paging { page: q.page, per: q.per }).await?;
    Ok(Json(RecordPage {
        page: page.page,
        per_page: page.per_page,
        total: page.total,
        items: page.items.into_iter().map(|r| RecordDto { id: r.id, number: r.number, title: r.title, unit: r.unit, date: r.date }).collect(),
    }))
}
