//! `/api/v1/disputes`: 行政复议 cases for other systems (register with the day received, list,
//! read, take a step) and the 意见书 / 建议书 (issue, list, read, answer).

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
use crate::letters::{self, NewLetter};
use crate::model::Application;
use crate::queries::{self, AppRow, Filter, LetterFilter, LetterRow};
use crate::roles::RECON_HANDLE;
use crate::rules::{self, PROCEDURE};
use crate::service::{self, StepForm, Who};
use crate::state::AppState;
use crate::time::{fmt_date, today};
use crate::web::extract::{Path, Query};
use crate::web::form::JsonBody;

pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .route("/disputes/reconsiderations", post(create_case).get(list_cases))
        .route("/disputes/reconsiderations/{id}", get(get_case))
        .route("/disputes/reconsiderations/{id}/steps/{action}", post(take_step))
        .route("/disputes/letters", post(create_letter).get(list_letters))
        .route("/disputes/letters/{id}", get(get_letter))
        .route("/disputes/letters/{id}/answer", post(answer_letter))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ApplicationDto {
    /// The unit that received the application (the 复议机关 or its 复议机构).
    pub org_id: Option<i64>,
    /// letter, counter, oral, portal, email
    pub channel: Option<String>,
    pub applicant_name: Option<String>,
    /// natural, organisation
    pub applicant_kind: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// The respondent agency (an organisation id), or `respondent_name` for one outside the tree.
    pub respondent_org_id: Option<i64>,
    pub respondent_name: Option<String>,
    pub act_title: Option<String>,
    pub act_doc_no: Option<String>,
    /// YYYY-MM-DD: when the applicant knew of the act (Art. 20: 60 days from then).
    pub act_known_on: Option<String>,
    /// Why an application after the 60 days is in time.
    pub late_reason: Option<String>,
    pub request_text: Option<String>,
    /// YYYY-MM-DD, the day received (within the past year); default today.
    pub received_on: Option<String>,
    pub idempotency_key: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CaseDto {
    pub id: i64,
    pub case_no: String,
    pub state: String,
    pub state_name: String,
    pub org_id: i64,
    /// Masked.
    pub applicant_name: String,
    pub respondent_org_id: Option<i64>,
    pub respondent_name: String,
    pub act_title: String,
    pub received_on: String,
    /// The law applied: `2023` (cases received from 2024-01-01) or `1999`.
    pub law_version: String,
    /// ordinary, simple
    pub track: Option<String>,
    pub accepted_on: Option<String>,
    pub deemed_accepted: bool,
    /// The clock now running: review, correction, decision, decision_simple.
    pub clock: Option<String>,
    pub due_on: Option<String>,
    /// Counted on weekends alone: the official holidays of a year it runs into are not loaded.
    pub due_provisional: bool,
    pub paused_on: Option<String>,
    pub extension_days: i64,
    pub decision_type: Option<String>,
    pub decision_label: Option<String>,
    pub decision_article: Option<String>,
    pub decided_on: Option<String>,
    pub decided_on_time: Option<bool>,
    pub outcome: Option<String>,
    pub version: i64,
    pub duplicate: bool,
}

fn dto(c: &CaseRow, a: &AppRow, duplicate: bool, cal: &crate::calendar::Calendar) -> CaseDto {
    let received = c.opened_date();
    let dt = a.decision_type.as_deref().and_then(|t| rules::decision_type(t, received));
    CaseDto {
        id: c.id,
        case_no: c.case_no.clone(),
        state: c.state.clone(),
        state_name: PROCEDURE.state_name(&c.state).into(),
        org_id: c.org_id,
        applicant_name: crate::privacy::mask_name(&a.applicant_name),
        respondent_org_id: a.respondent_org_id,
        respondent_name: a.respondent_name.clone(),
        act_title: a.act_title.clone(),
        received_on: a.received_on.clone(),
        law_version: if received < rules::new_law_from() { "1999".into() } else { "2023".into() },
        track: a.track.clone(),
        accepted_on: a.accepted_on.clone(),
        deemed_accepted: a.deemed_accepted,
        clock: c.clock_rule.clone(),
        due_on: c.due_on.clone(),
        due_provisional: c.due_provisional(cal),
        paused_on: c.paused_on.clone(),
        extension_days: c.extension_days,
        decision_type: a.decision_type.clone(),
        decision_label: dt.map(|t| t.label.to_string()),
        decision_article: dt.map(|t| t.article.to_string()),
        decided_on: a.decided_on.clone(),
        decided_on_time: a.decided_on_time,
        outcome: a.outcome.clone(),
        version: c.version,
        duplicate,
    }
}

/// Register an application (letters, the counter, other systems) with the day it was received;
/// the answer carries the computed due date (the 5-working-day review, or the decision period
/// when the review has already expired and the case is deemed accepted).
#[utoipa::path(post, path = "/api/v1/disputes/reconsiderations", tag = "disputes", request_body = ApplicationDto,
    responses((status = 201, body = CaseDto), (status = 200, description = "the same idempotency key was seen: the first case", body = CaseDto), (status = 422, description = "refused, with the article", body = ErrorDoc), (status = 401, body = ErrorDoc)),
    security(("bearer" = [])))]
pub async fn create_case(State(state): State<AppState>, caller: Caller, JsonBody(b): JsonBody<ApplicationDto>) -> Result<Response, AppError> {
    caller.require(RECON_HANDLE)?;
    let app = Application {
        org_id: b.org_id,
        channel: b.channel,
        applicant_name: b.applicant_name,
        applicant_kind: b.applicant_kind,
        id_number: b.id_number,
        phone: b.phone,
        address: b.address,
        respondent_org_id: b.respondent_org_id,
        respondent_name: b.respondent_name,
        act_title: b.act_title,
        act_doc_no: b.act_doc_no,
        act_known_on: b.act_known_on,
        late_reason: b.late_reason,
        request_text: b.request_text,
        received_on: b.received_on,
        idempotency_key: b.idempotency_key,
    };
    let r = service::register(&state, &Who::of(&caller), app).await?;
    let a = queries::application(&state.db, r.case.id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let status = if r.duplicate { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(dto(&r.case, &a, r.duplicate, &state.calendar()))).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct CasePage {
    pub items: Vec<CaseDto>,
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
    pub respondent: Option<i64>,
    /// A decision type: vary, revoke, confirm_illegal, order_perform, confirm_void, uphold, dismiss, agreement.
    pub decision: Option<String>,
    /// YYYY-MM-DD bounds on the day received.
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<i64>,
    pub per: Option<i64>,
}

/// The register in the caller's scope.
#[utoipa::path(get, path = "/api/v1/disputes/reconsiderations", tag = "disputes", params(ListParams), responses((status = 200, body = CasePage), (status = 422, body = ErrorDoc), (status = 401, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn list_cases(State(state): State<AppState>, caller: Caller, Query(p): Query<ListParams>) -> Result<Json<CasePage>, AppError> {
    let scope = caller.scope(Perm::CASE_READ, Some("reconsideration"));
    let f =
        Filter { status: p.status, state: p.state, respondent: p.respondent, decision: p.decision, from: p.from, to: p.to, q: None, page: p.page, per: p.per };
    f.check()?;
    let page = queries::list(&state.db, &f, &scope).await?;
    let ids: Vec<i64> = page.items.iter().map(|r| r.id).collect();
    let cases = queries::cases_by_ids(&state.db, &ids).await?;
    let apps = queries::apps_by_ids(&state.db, &ids).await?;
    let cal = state.calendar();
    let items = ids.iter().filter_map(|id| Some(dto(cases.iter().find(|c| c.id == *id)?, apps.iter().find(|a| a.case_id == *id)?, false, &cal))).collect();
    Ok(Json(CasePage { items, page: page.page, per_page: page.per_page, total: page.total }))
}

async fn readable(state: &AppState, caller: &Caller, id: i64) -> Result<(CaseRow, AppRow), AppError> {
    let (c, a) = queries::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let path = crate::kernel::access::org_path(state, c.org_id).await?;
    if !caller.allows(Perm::CASE_READ, Some("reconsideration"), &path) {
        return Err(crate::kernel::access::not_found());
    }
    Ok((c, a))
}

/// One case.
#[utoipa::path(get, path = "/api/v1/disputes/reconsiderations/{id}", tag = "disputes", params(("id" = i64, Path)), responses((status = 200, body = CaseDto), (status = 404, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn get_case(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<Json<CaseDto>, AppError> {
    let (c, a) = readable(&state, &caller, id).await?;
    Ok(Json(dto(&c, &a, false, &state.calendar())))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct StepDto {
    /// The version last seen (409 when stale).
    pub version: Option<i64>,
    pub reason: Option<String>,
    pub days: Option<u32>,
    /// Step fields: simple_ground, correction_items, correction_text, ground, competent_organ, decision_type, decision_basis, decision_text, service_method, agreement, settled.
    #[serde(default)]
    pub fields: std::collections::BTreeMap<String, String>,
}

/// Take a step: accept, accept_simple, convert_to_ordinary, request_correction, record_correction, reject, request_extension, approve_extension, reject_extension, suspend, resume, propose_decision, approve_decision, return_decision, serve, mediate, withdraw, terminate.
#[utoipa::path(post, path = "/api/v1/disputes/reconsiderations/{id}/steps/{action}", tag = "disputes", request_body = StepDto, params(("id" = i64, Path), ("action" = String, Path)),
    responses((status = 200, body = CaseDto), (status = 422, description = "refused, with the legal basis", body = ErrorDoc), (status = 409, body = ErrorDoc), (status = 404, body = ErrorDoc)),
    security(("bearer" = [])))]
pub async fn take_step(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, action)): Path<(i64, String)>,
    JsonBody(b): JsonBody<StepDto>,
) -> Result<Json<CaseDto>, AppError> {
    readable(&state, &caller, id).await?;
    let c = service::step(&state, &Who::of(&caller), id, b.version, &action, StepForm { reason: b.reason, fields: b.fields, days: b.days }).await?;
    let a = queries::application(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    Ok(Json(dto(&c, &a, false, &state.calendar())))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct LetterIn {
    /// opinion (意见书), suggestion (建议书)
    pub kind: Option<String>,
    pub org_id: Option<i64>,
    pub case_id: Option<i64>,
    pub recipient_org_id: Option<i64>,
    pub subject: Option<String>,
    pub body: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LetterDto {
    pub id: i64,
    pub kind: String,
    pub doc_no: String,
    pub org_id: i64,
    pub case_id: Option<i64>,
    pub recipient_org_id: i64,
    pub subject: String,
    pub issued_on: String,
    pub due_on: String,
    pub answered_on: Option<String>,
    pub answered_on_time: Option<bool>,
    pub overdue: bool,
    pub escalated_on: Option<String>,
    pub version: i64,
}

fn letter_dto(l: &LetterRow) -> LetterDto {
    LetterDto {
        id: l.id,
        kind: l.kind.clone(),
        doc_no: l.doc_no.clone(),
        org_id: l.org_id,
        case_id: l.case_id,
        recipient_org_id: l.recipient_org_id,
        subject: l.subject.clone(),
        issued_on: l.issued_on.clone(),
        due_on: l.due_on.clone(),
        answered_on: l.answered_on.clone(),
        answered_on_time: l.answered_on_time,
        overdue: l.answered_on.is_none() && l.due_on < fmt_date(today()),
        escalated_on: l.escalated_on.clone(),
        version: l.version,
    }
}

/// Issue a 意见书 or 建议书 (numbered; the answer is due in 60 days for a 意见书, Art. 76).
#[utoipa::path(post, path = "/api/v1/disputes/letters", tag = "disputes", request_body = LetterIn,
    responses((status = 201, body = LetterDto), (status = 422, body = ErrorDoc), (status = 403, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn create_letter(State(state): State<AppState>, caller: Caller, JsonBody(b): JsonBody<LetterIn>) -> Result<Response, AppError> {
    caller.require(RECON_HANDLE)?;
    let who = Who::of(&caller);
    let i = letters::issue(
        &state,
        &who,
        NewLetter { kind: b.kind, org_id: b.org_id, case_id: b.case_id, recipient_org_id: b.recipient_org_id, subject: b.subject, body: b.body },
    )
    .await?;
    let l = queries::letter(&state.db, i.id).await?.ok_or_else(|| AppError::internal("letter"))?;
    Ok((StatusCode::CREATED, Json(letter_dto(&l))).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct LetterPage {
    pub items: Vec<LetterDto>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LetterParams {
    /// opinion, suggestion
    pub kind: Option<String>,
    /// open, overdue, answered (default: all)
    pub status: Option<String>,
    pub page: Option<i64>,
}

/// Letters issued by units in the caller's scope or addressed to them.
#[utoipa::path(get, path = "/api/v1/disputes/letters", tag = "disputes", params(LetterParams), responses((status = 200, body = LetterPage), (status = 401, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn list_letters(State(state): State<AppState>, caller: Caller, Query(p): Query<LetterParams>) -> Result<Json<LetterPage>, AppError> {
    let issued = caller.scope(Perm::CASE_READ, Some("reconsideration"));
    let received = caller.scope(Perm::CASE_HANDLE, None);
    let f = LetterFilter { kind: p.kind, status: p.status, page: p.page };
    let page = queries::letters(&state.db, &f, &issued, &received, &fmt_date(today())).await?;
    Ok(Json(LetterPage { items: page.items.iter().map(letter_dto).collect(), page: page.page, per_page: page.per_page, total: page.total }))
}

/// One letter (the issuing unit's and the recipient's readers).
#[utoipa::path(get, path = "/api/v1/disputes/letters/{id}", tag = "disputes", params(("id" = i64, Path)), responses((status = 200, body = LetterDto), (status = 404, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn get_letter(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<Json<LetterDto>, AppError> {
    let l = letters::readable(&state, &Who::of(&caller), id).await?;
    Ok(Json(letter_dto(&l)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct AnswerIn {
    pub version: Option<i64>,
    /// The correction made, or the suggestions adopted.
    pub answer: Option<String>,
}

/// The recipient agency reports its correction (or the suggestions adopted): once.
#[utoipa::path(post, path = "/api/v1/disputes/letters/{id}/answer", tag = "disputes", request_body = AnswerIn, params(("id" = i64, Path)),
    responses((status = 200, body = LetterDto), (status = 422, body = ErrorDoc), (status = 403, body = ErrorDoc), (status = 404, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn answer_letter(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<AnswerIn>,
) -> Result<Json<LetterDto>, AppError> {
    let l = letters::answer(&state, &Who::of(&caller), id, b.version, b.answer).await?;
    Ok(Json(letter_dto(&l)))
}

/// Disputes' part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(create_case, list_cases, get_case, take_step, create_letter, list_letters, get_letter, answer_letter),
    tags((name = "disputes", description = "行政复议与纠纷化解"))
)]
pub struct DisputesApi;
