//! `/api/v1/disclosure`: requests for other systems (create, list, read, take a step), the
//! search, and table 三 of the annual report.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use fazhi_platform::api::ApiRoutes;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::Application;
use super::queries::{self, Filter, RequestRow};
use super::rules::{self, PROCEDURE};
use super::service::{self, StepForm, Who};
use crate::auth::{Caller, Perm};
use crate::error::AppError;
use crate::kernel::queries::CaseRow;
use crate::state::AppState;
use crate::web::extract::{Path, Query};
use crate::web::form::JsonBody;
use fazhi_platform::api::ErrorDoc;

pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .route("/disclosure/requests", post(create_request).get(list_requests))
        .route("/disclosure/requests/{id}", get(get_request))
        .route("/disclosure/requests/{id}/steps/{action}", post(take_step))
        .route("/disclosure/search", get(search))
        .route("/disclosure/report", get(report))
}

fn who(c: &Caller) -> Who<'_> {
    match c {
        Caller::Staff(s) => Who::Staff(s),
        Caller::Token(t) => Who::Token(t),
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ApplicationDto {
    /// The organ applied to (an organisation id; see `/orgs`).
    pub org_id: Option<i64>,
    /// letter, in_person, email, fax, web
    pub channel: Option<String>,
    /// natural, commercial, research, public_interest, legal_service, other_org
    pub applicant_type: Option<String>,
    pub applicant_name: Option<String>,
    /// resident_id, credit_code, other (default by applicant type)
    pub id_kind: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub email: Option<String>,
    pub contact_person: Option<String>,
    /// The information sought: name, document number or other description (Art. 29).
    pub description: Option<String>,
    pub doc_refs: Option<String>,
    pub purpose: Option<String>,
    /// online, email, post, pickup
    pub delivery: Option<String>,
    /// YYYY-MM-DD, the day the organ received it (Art. 31); default today.
    pub received_on: Option<String>,
    pub idempotency_key: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RequestDto {
    pub id: i64,
    pub case_no: String,
    pub state: String,
    pub state_name: String,
    pub org_id: i64,
    pub applicant_type: String,
    /// Masked.
    pub applicant_name: String,
    /// Masked.
    pub phone: String,
    /// How the applicant wants the information: online, email, post, pickup.
    pub delivery: String,
    /// Masked, like the phone (`z****@example.com`).
    pub email: Option<String>,
    /// Masked after the street (`示范市东湖镇幸福路****`).
    pub address: Option<String>,
    pub description: String,
    pub received_on: String,
    pub due_on: Option<String>,
    /// The due date runs into a year whose official holidays are not published yet: counted on
    /// weekends alone, recomputed when they are.
    pub due_provisional: bool,
    pub paused_on: Option<String>,
    pub extension_days: i64,
    pub outcome: Option<String>,
    pub outcome_label: Option<String>,
    pub concluded_on: Option<String>,
    pub version: i64,
    pub duplicate: bool,
}

fn dto(c: &CaseRow, r: &RequestRow, duplicate: bool, cal: &crate::calendar::Calendar) -> RequestDto {
    RequestDto {
        id: c.id,
        case_no: c.case_no.clone(),
        state: c.state.clone(),
        state_name: PROCEDURE.state_name(&c.state).into(),
        org_id: c.org_id,
        applicant_type: r.applicant_type.clone(),
        applicant_name: crate::privacy::mask_name(&r.applicant_name),
        phone: crate::privacy::mask_phone(&r.phone),
        delivery: r.delivery.clone(),
        email: r.email.as_deref().map(crate::privacy::mask_email),
        address: r.address.as_deref().map(crate::privacy::mask_address),
        description: r.description.clone(),
        received_on: r.received_on.clone(),
        due_on: c.due_on.clone(),
        due_provisional: c.due_provisional(cal),
        paused_on: c.paused_on.clone(),
        extension_days: c.extension_days,
        outcome: r.outcome.clone(),
        outcome_label: r.outcome.as_deref().and_then(rules::outcome).map(super::pages::outcome_label),
        concluded_on: r.concluded_on.clone(),
        version: c.version,
        duplicate,
    }
}

/// Register an application (letters, oral applications, other systems).
#[utoipa::path(post, path = "/api/v1/disclosure/requests", tag = "disclosure", request_body = ApplicationDto,
    responses((status = 201, body = RequestDto), (status = 200, description = "the same Idempotency key was seen: the first request", body = RequestDto), (status = 422, body = ErrorDoc), (status = 401, body = ErrorDoc)),
    security(("bearer" = [])))]
pub async fn create_request(State(state): State<AppState>, caller: Caller, JsonBody(b): JsonBody<ApplicationDto>) -> Result<Response, AppError> {
    caller.require(Perm::CASE_HANDLE)?;
    let app = Application {
        org_id: b.org_id,
        channel: b.channel,
        applicant_type: b.applicant_type,
        applicant_name: b.applicant_name,
        id_kind: b.id_kind,
        id_number: b.id_number,
        phone: b.phone,
        address: b.address,
        email: b.email,
        contact_person: b.contact_person,
        description: b.description,
        doc_refs: b.doc_refs,
        purpose: b.purpose,
        delivery: b.delivery,
        received_on: b.received_on,
        idempotency_key: b.idempotency_key,
    };
    let r = service::intake(&state, who(&caller), app, vec![]).await?;
    let req = queries::request(&state.db, r.case.id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let status = if r.duplicate { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(dto(&r.case, &req, r.duplicate, &state.calendar()))).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct RequestPage {
    pub items: Vec<RequestDto>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// open (default), closed, all
    pub status: Option<String>,
    pub state: Option<String>,
    pub org: Option<i64>,
    pub applicant_type: Option<String>,
    pub year: Option<i64>,
    pub page: Option<i64>,
    pub per: Option<i64>,
}

/// Requests in the caller's scope.
#[utoipa::path(get, path = "/api/v1/disclosure/requests", tag = "disclosure", params(ListParams), responses((status = 200, body = RequestPage), (status = 401, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn list_requests(State(state): State<AppState>, caller: Caller, Query(p): Query<ListParams>) -> Result<Json<RequestPage>, AppError> {
    let scope = caller.scope(Perm::CASE_READ, Some("disclosure"));
    let org_path = match p.org {
        Some(o) => crate::org::queries::get(&state.db, o).await?.map(|o| o.path),
        None => None,
    };
    let f = Filter { status: p.status, state: p.state, applicant_type: p.applicant_type, year: p.year, page: p.page, per: p.per, ..Default::default() };
    let page = queries::list(&state.db, &f, &scope, org_path.as_deref()).await?;
    let ids: Vec<i64> = page.items.iter().map(|r| r.id).collect();
    let cases: Vec<CaseRow> =
        crate::db::q(format!("SELECT {} FROM cases c WHERE", crate::kernel::queries::CASE_COLUMNS)).push_in("c.id", &ids).fetch_all(&state.db).await?;
    let reqs: Vec<RequestRow> =
        crate::db::q(format!("SELECT {} FROM disclosure_requests r WHERE", queries::REQUEST_COLS)).push_in("r.case_id", &ids).fetch_all(&state.db).await?;
    let cal = state.calendar();
    let items = ids.iter().filter_map(|id| Some(dto(cases.iter().find(|c| c.id == *id)?, reqs.iter().find(|r| r.case_id == *id)?, false, &cal))).collect();
    Ok(Json(RequestPage { items, page: page.page, per_page: page.per_page, total: page.total }))
}

async fn readable(state: &AppState, caller: &Caller, id: i64) -> Result<(CaseRow, RequestRow), AppError> {
    let (c, r) = queries::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let v = service::view(state, who(caller), &c, &r).await?;
    if !v.can_read() {
        return Err(crate::kernel::access::not_found());
    }
    Ok((c, r))
}

/// One request.
#[utoipa::path(get, path = "/api/v1/disclosure/requests/{id}", tag = "disclosure", params(("id" = i64, Path)), responses((status = 200, body = RequestDto), (status = 404, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn get_request(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<Json<RequestDto>, AppError> {
    let (c, r) = readable(&state, &caller, id).await?;
    Ok(Json(dto(&c, &r, false, &state.calendar())))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct StepDto {
    /// The version last seen (409 when stale).
    pub version: Option<i64>,
    pub reason: Option<String>,
    pub days: Option<u32>,
    /// Step fields: correction_items, correction_text, third_party, opinion, outcome, outcome_reason, reply_text, publications (索引号 of publications a reply of 予以公开 or 部分公开 gives, comma-separated).
    #[serde(default)]
    pub fields: std::collections::BTreeMap<String, String>,
}

/// Take a step: accept, request_correction, record_correction, refer_third_party, third_party_replied, request_extension, approve_extension, reject_extension, reply.
#[utoipa::path(post, path = "/api/v1/disclosure/requests/{id}/steps/{action}", tag = "disclosure", request_body = StepDto, params(("id" = i64, Path), ("action" = String, Path)),
    responses((status = 200, body = RequestDto), (status = 422, description = "refused, with the legal basis", body = ErrorDoc), (status = 409, body = ErrorDoc), (status = 404, body = ErrorDoc)),
    security(("bearer" = [])))]
pub async fn take_step(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, action)): Path<(i64, String)>,
    JsonBody(b): JsonBody<StepDto>,
) -> Result<Json<RequestDto>, AppError> {
    readable(&state, &caller, id).await?;
    let c = service::step(&state, who(&caller), id, b.version, &action, StepForm { reason: b.reason, fields: b.fields, days: b.days, files: vec![] }).await?;
    let r = queries::request(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    Ok(Json(dto(&c, &r, false, &state.calendar())))
}

/// The filters are taken as text and checked by [`super::search::RawFilters`]: a bad value is a
/// 422 with its field, like every other input error, instead of a failed query string.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    pub q: String,
    /// A publishing unit's id (a positive integer).
    #[param(value_type = Option<i64>)]
    pub org: Option<String>,
    /// A catalogue category's id (a positive integer).
    #[param(value_type = Option<i64>)]
    pub category: Option<String>,
    /// publication, letter
    pub kind: Option<String>,
    /// YYYY-MM-DD
    pub from: Option<String>,
    /// YYYY-MM-DD
    pub to: Option<String>,
    pub page: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct HitDto {
    pub kind: String,
    pub ref_id: i64,
    pub org_id: Option<i64>,
    pub category_id: Option<i64>,
    pub published_on: String,
    /// HTML, escaped, terms in `<mark>`.
    pub title_html: String,
    pub snippet_html: String,
    pub score: f64,
}

#[derive(Serialize, ToSchema)]
pub struct SearchDto {
    pub hits: Vec<HitDto>,
    pub total: i64,
    /// True when `total` is the cap (there are more; the hits are the best of the newest `total` matches).
    pub capped: bool,
}

/// Full-text search over published information and letters (public data).
#[utoipa::path(get, path = "/api/v1/disclosure/search", tag = "disclosure", params(SearchParams), responses((status = 200, body = SearchDto), (status = 422, description = "a filter, a date or the query is invalid (on its field)", body = ErrorDoc)), security(("bearer" = [])))]
pub async fn search(State(state): State<AppState>, _caller: Caller, Query(p): Query<SearchParams>) -> Result<Json<SearchDto>, AppError> {
    let raw = super::search::RawFilters {
        org: p.org.as_deref(),
        category: p.category.as_deref(),
        kind: p.kind.as_deref(),
        from: p.from.as_deref(),
        to: p.to.as_deref(),
    };
    let f = raw.parse(&p.q)?;
    let page = p.page.unwrap_or(1).clamp(1, 100);
    let r = super::search::search(&state.db, &p.q, &f, 20, (page - 1) * 20).await?;
    Ok(Json(SearchDto {
        hits: r
            .hits
            .into_iter()
            .map(|h| HitDto {
                kind: h.kind,
                ref_id: h.ref_id,
                org_id: h.org_id,
                category_id: h.category_id,
                published_on: h.published_on,
                title_html: h.title_html,
                snippet_html: h.snippet_html,
                score: h.score,
            })
            .collect(),
        total: r.total,
        capped: r.capped,
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    pub org: i64,
    pub year: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ReportDto {
    pub org_id: i64,
    pub year: i64,
    /// Table 三: row (received, carried, carried_out, or an outcome code) → applicant type → count.
    pub table3: std::collections::BTreeMap<String, std::collections::BTreeMap<String, i64>>,
    pub invariants_ok: bool,
}

/// Table 三 of the annual report of a unit (its subtree) for a year.
#[utoipa::path(get, path = "/api/v1/disclosure/report", tag = "disclosure", params(ReportParams), responses((status = 200, body = ReportDto), (status = 404, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn report(State(state): State<AppState>, caller: Caller, Query(p): Query<ReportParams>) -> Result<Json<ReportDto>, AppError> {
    let org = crate::org::queries::get(&state.db, p.org).await?.ok_or_else(|| AppError::not_found("org_not_found", "单位不存在"))?;
    if !(caller.allows(Perm::CASE_READ, Some("disclosure"), &org.path) || caller.allows(Perm::KPI_READ, Some("disclosure"), &org.path)) {
        return Err(AppError::not_found("org_not_found", "单位不存在，或不在您的查看范围内"));
    }
    let a = super::report::load(&state.db, org, p.year).await?;
    let ok = a.invariants().iter().take(APPLICANT_INVARIANTS).all(|i| i.ok);
    Ok(Json(ReportDto { org_id: p.org, year: p.year, table3: a.t3.cells.clone(), invariants_ok: ok }))
}

/// The invariants of table 三 (per column, total, rows = columns); table 四's are hand-entered.
const APPLICANT_INVARIANTS: usize = rules::APPLICANT_TYPES.len() + 2;

/// 政务公开's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(create_request, list_requests, get_request, take_step, search, report), tags((name = "disclosure", description = "政务公开")))]
pub struct DisclosureApi;
