//! `/api/v1/hotline`: tickets for other systems — create (idempotent), list, read, take a
//! step — plus a public status lookup, the catalogue and the indicators.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use fazhi_platform::api::ApiRoutes;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::Channel;
use super::pii::{ListView, TextView};
use super::queries::{self, Filter, ListRow, TicketRow};
use super::rules::PROCEDURE;
use super::service::{self, IntakeInput, StepForm, Who};
use crate::auth::client::ClientAddr;
use crate::auth::{Caller, Perm};
use crate::error::AppError;
use crate::kernel::engine;
use crate::kernel::queries::CaseRow;
use crate::privacy::{mask_address, mask_name, mask_phone};
use crate::state::AppState;
use crate::time::{self, today};
use crate::web::extract::{Path, Query};
use crate::web::form::JsonBody;
use fazhi_platform::api::ErrorDoc;

pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .route("/hotline/tickets", post(create_ticket).get(list_tickets))
        .route("/hotline/tickets/{id}", get(get_ticket))
        .route("/hotline/tickets/{id}/steps/{action}", post(take_step))
        .route("/hotline/lookup", get(lookup))
        .route("/hotline/categories", get(categories))
        .route("/hotline/kpi", get(kpi))
}

pub fn iso(ms: i64) -> String {
    time::to_local(ms).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct IntakeDto {
    pub caller_name: Option<String>,
    /// Mobile (11 digits) or landline with area code.
    pub caller_phone: Option<String>,
    /// The category's code (see `/hotline/categories`), or its id.
    pub category_code: Option<String>,
    pub category_id: Option<i64>,
    pub town_id: Option<i64>,
    pub village_id: Option<i64>,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub subject: Option<String>,
    /// 1–4000 characters.
    pub description: Option<String>,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    #[serde(default)]
    pub urgent: bool,
    #[serde(default)]
    pub confidential: bool,
    #[serde(default = "yes")]
    pub wants_reply: bool,
    #[serde(default)]
    pub publish_consent: bool,
    /// `api` (default) or `mailbox` for a letter.
    pub channel: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Serialize, ToSchema)]
pub struct DeadlineDto {
    /// none, paused, ok, soon, over
    pub status: String,
    pub label: String,
    pub due_on: Option<String>,
    /// The due date runs into a year whose official holidays are not published yet: counted on
    /// weekends alone, recomputed when they are.
    pub provisional: bool,
}

#[derive(Serialize, ToSchema)]
pub struct TicketDto {
    pub id: i64,
    pub case_no: String,
    pub state: String,
    pub state_name: String,
    pub title: String,
    pub channel: String,
    pub category_id: Option<i64>,
    pub town_id: Option<i64>,
    pub village_id: Option<i64>,
    pub org_id: i64,
    pub caller_name: Option<String>,
    /// Masked (138****5678).
    pub caller_phone: Option<String>,
    /// Masked below the street.
    pub address: Option<String>,
    pub description: String,
    pub received_at: String,
    pub deadline: DeadlineDto,
    pub supervised: bool,
    pub evaluation: Option<String>,
    pub reply: Option<String>,
    /// Send it back with a step (optimistic concurrency).
    pub version: i64,
    /// True when the submission repeated an earlier one and this is that ticket.
    pub duplicate: bool,
}

/// A ticket as the caller may read it: free text with phone and ID numbers masked unless the
/// caller holds `pii_view` over the ticket (`text`, see [`crate::pii`]).
pub fn ticket_dto(case: &CaseRow, t: &TicketRow, duplicate: bool, state: &AppState, text: TextView) -> TicketDto {
    let cal = state.calendar();
    let d = case.deadline(&PROCEDURE, today(), &cal);
    TicketDto {
        id: case.id,
        case_no: case.case_no.clone(),
        state: case.state.clone(),
        state_name: PROCEDURE.state_name(&case.state).to_string(),
        title: text.text(&case.title),
        channel: t.channel.clone(),
        category_id: t.category_id,
        town_id: t.town_id,
        village_id: t.village_id,
        org_id: case.org_id,
        caller_name: t.caller_name.as_deref().map(mask_name),
        caller_phone: t.caller_phone.as_deref().map(mask_phone),
        address: t.address.as_deref().map(mask_address),
        description: text.text(&t.description),
        received_at: iso(t.received_at),
        deadline: DeadlineDto { status: d.tone().into(), label: d.label(), due_on: case.due_on.clone(), provisional: case.due_provisional(&state.calendar()) },
        supervised: case.supervised,
        evaluation: t.evaluation.clone(),
        reply: text.opt(t.reply_text.as_deref()),
        version: case.version,
        duplicate,
    }
}

pub fn intake_from_dto(dto: IntakeDto, channel: Channel, idempotency_key: Option<String>) -> IntakeInput {
    IntakeInput {
        channel: Some(channel),
        caller_name: dto.caller_name,
        caller_phone: dto.caller_phone,
        category_id: dto.category_id,
        category_code: dto.category_code,
        town_id: dto.town_id,
        village_id: dto.village_id,
        address: dto.address,
        lat: dto.lat,
        lon: dto.long,
        subject: dto.subject,
        description: dto.description,
        attributes: dto.attributes.into_iter().collect(),
        urgent: dto.urgent,
        confidential: dto.confidential,
        wants_reply: dto.wants_reply,
        publish_consent: dto.publish_consent,
        idempotency_key,
        phone_required: true,
        ..Default::default()
    }
}

/// Create a ticket. A repeated `Idempotency-Key`, or the same caller and text within a minute,
/// returns the first ticket (200, `duplicate: true`) instead of a second one.
#[utoipa::path(post, path = "/api/v1/hotline/tickets", tag = "hotline", request_body = IntakeDto,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe submission key")),
    responses((status = 201, body = TicketDto), (status = 200, description = "the same submission again", body = TicketDto), (status = 400, body = ErrorDoc), (status = 415, body = ErrorDoc), (status = 422, body = ErrorDoc)),
    security(("bearer" = [])))]
pub async fn create_ticket(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    JsonBody(dto): JsonBody<IntakeDto>,
) -> Result<Response, AppError> {
    caller.require(crate::roles::INTAKE)?;
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_string);
    let channel = match dto.channel.as_deref() {
        None | Some("api") => Channel::Api,
        Some("mailbox") => Channel::Mailbox,
        Some("phone") => Channel::Phone,
        Some(other) => return Err(AppError::field("channel", "unknown_channel", format!("渠道“{other}”无效，应为 api、phone 或 mailbox"))),
    };
    let input = intake_from_dto(dto, channel, key);
    let r = service::intake(&state, caller.actor(), input).await?;
    let t = match &r.ticket {
        Some(new) => TicketRow::from_new(r.case.id, r.case.org_id, new),
        None => queries::ticket(&state.db, r.case.id).await?.ok_or_else(|| AppError::internal("ticket missing"))?,
    };
    let status = if r.duplicate { StatusCode::OK } else { StatusCode::CREATED };
    let text = text_view(&state, &caller, &r.case).await?;
    Ok((status, Json(ticket_dto(&r.case, &t, r.duplicate, &state, text))).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct ListItemDto {
    pub id: i64,
    pub case_no: String,
    pub title: String,
    pub state: String,
    pub state_name: String,
    pub org_id: i64,
    pub channel: String,
    pub category_id: Option<i64>,
    pub town_id: Option<i64>,
    pub caller_phone: Option<String>,
    pub received_at: String,
    pub due_on: Option<String>,
    pub supervised: bool,
}

#[derive(Serialize, ToSchema)]
pub struct TicketPage {
    pub items: Vec<ListItemDto>,
    pub page: i64,
    pub per_page: i64,
    /// Counted up to 10,001 (`total > 10000` means "more than 10,000").
    pub total: i64,
}

fn list_item(r: ListRow, text: TextView) -> ListItemDto {
    ListItemDto {
        id: r.id,
        case_no: r.case_no,
        title: text.text(&r.title),
        state_name: PROCEDURE.state_name(&r.state).to_string(),
        state: r.state,
        org_id: r.org_id,
        channel: r.channel,
        category_id: r.category_id,
        town_id: r.town_id,
        caller_phone: r.caller_phone.as_deref().map(mask_phone),
        received_at: iso(r.opened_at),
        due_on: r.due_on,
        supervised: r.supervised,
    }
}

/// Tickets in the caller's scope, filtered and paginated.
#[utoipa::path(get, path = "/api/v1/hotline/tickets", tag = "hotline",
    params(("status" = Option<String>, Query, description = "open (default), closed, all"), ("q" = Option<String>, Query), ("category" = Option<i64>, Query), ("town" = Option<i64>, Query), ("org" = Option<i64>, Query), ("channel" = Option<String>, Query), ("from" = Option<String>, Query, description = "YYYY-MM-DD"), ("to" = Option<String>, Query), ("due" = Option<String>, Query, description = "over, soon, supervised"), ("page" = Option<i64>, Query), ("per" = Option<i64>, Query)),
    responses((status = 200, body = TicketPage), (status = 401, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn list_tickets(State(state): State<AppState>, caller: Caller, Query(f): Query<Filter>) -> Result<Json<TicketPage>, AppError> {
    let scope = caller.scope(Perm::CASE_READ, Some("hotline"));
    let page = queries::list(&state.db, &f, &scope, &time::fmt_date(today())).await?;
    // Whether the caller reads personal data depends on each ticket's unit: their paths in one query.
    let ids: Vec<i64> = page.items.iter().map(|r| r.org_id).collect();
    let paths: std::collections::HashMap<i64, String> =
        crate::db::q("SELECT id, path FROM orgs WHERE").push_in("id", &ids).fetch_all::<(i64, String)>(&state.db).await?.into_iter().collect();
    let view = ListView::new(caller.scope(Perm::PII_VIEW, Some("hotline")));
    let items = page.items.into_iter().map(|r| {
        let text = view.row_of(r.org_id, &paths);
        list_item(r, text)
    });
    Ok(Json(TicketPage { page: page.page, per_page: page.per_page, total: page.total, items: items.collect() }))
}

#[derive(Serialize, ToSchema)]
pub struct EventDto {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub summary: String,
    pub changes: serde_json::Value,
    pub reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ActionDto {
    pub action: String,
    pub name: String,
    pub available: bool,
    /// Why not, citing the rule.
    pub refused: Option<String>,
    pub basis: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TicketDetailDto {
    pub ticket: TicketDto,
    pub timeline: Vec<EventDto>,
    pub actions: Vec<ActionDto>,
}

async fn readable(state: &AppState, caller: &Caller, id: i64) -> Result<(CaseRow, TicketRow), AppError> {
    let (case, t) = queries::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let paths = crate::kernel::access::case_org_paths(state, &case).await?;
    if !paths.iter().any(|p| caller.allows(Perm::CASE_READ, Some("hotline"), p)) {
        return Err(crate::kernel::access::not_found());
    }
    Ok((case, t))
}

/// How the caller reads a ticket's free text.
async fn text_view(state: &AppState, caller: &Caller, case: &CaseRow) -> Result<TextView, AppError> {
    // Most callers (intake tokens, the hotline centre) hold pii_view nowhere or everywhere: they
    // are answered without reading the case's units, a read on every intake otherwise.
    match caller.scope(Perm::PII_VIEW, Some("hotline")) {
        crate::auth::roles::Scope::Nothing => return Ok(TextView::new(false)),
        crate::auth::roles::Scope::All => return Ok(TextView::new(true)),
        crate::auth::roles::Scope::Subtrees(_) => {}
    }
    let paths = crate::kernel::access::case_org_paths(state, case).await?;
    Ok(TextView::new(paths.iter().any(|p| caller.allows(Perm::PII_VIEW, Some("hotline"), p))))
}

fn who(caller: &Caller) -> Who<'_> {
    match caller {
        Caller::Staff(s) => Who::Staff(s),
        Caller::Token(t) => Who::Token(t),
    }
}

/// One ticket with its timeline and the steps the caller can take.
#[utoipa::path(get, path = "/api/v1/hotline/tickets/{id}", tag = "hotline", params(("id" = i64, Path)), responses((status = 200, body = TicketDetailDto), (status = 404, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn get_ticket(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<Json<TicketDetailDto>, AppError> {
    let (case, t) = readable(&state, &caller, id).await?;
    let events = crate::audit::timeline(&state.db, "case", id).await?;
    let auth = service::authority(&state, who(&caller), &case, &t).await?;
    let text = TextView::of(&auth);
    let cal = state.calendar();
    let facts = case.facts(service::facts_flags(&case, &t));
    let actions = engine::available(&PROCEDURE, &facts, &auth, today(), &cal)
        .into_iter()
        .map(|(tr, r)| ActionDto {
            action: tr.action.into(),
            name: tr.name.into(),
            available: r.is_ok(),
            refused: r.as_ref().err().map(|e| e.message.clone()),
            basis: r.err().map(|e| e.basis).unwrap_or_else(|| tr.basis.iter().map(|b| b.full()).collect()),
        })
        .collect();
    Ok(Json(TicketDetailDto {
        ticket: ticket_dto(&case, &t, false, &state, text),
        timeline: text
            .events(events)
            .into_iter()
            .map(|e| EventDto {
                at: iso(e.at),
                actor: e.actor_name,
                action: e.action,
                summary: e.summary,
                changes: serde_json::from_str(&e.changes).unwrap_or_default(),
                reason: e.reason,
            })
            .collect(),
        actions,
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct StepDto {
    /// The ticket's `version` as last read; a stale one gets 409.
    pub version: Option<i64>,
    pub reason: Option<String>,
    /// Step fields: `org` (dispatch), `reply`, `evaluation`, `comment`, `alt_route`, `answer`, `merge_into`…
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    pub days: Option<u32>,
}

/// Take a step (`accept`, `dispatch`, `sign`, `reply`, `review_pass`, `callback_close`…; see
/// `/procedures/hotline`). A refused step answers 422 with the rule's basis.
#[utoipa::path(post, path = "/api/v1/hotline/tickets/{id}/steps/{action}", tag = "hotline", request_body = StepDto, params(("id" = i64, Path), ("action" = String, Path)),
    responses((status = 200, body = TicketDto), (status = 404, body = ErrorDoc), (status = 409, body = ErrorDoc), (status = 422, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn take_step(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, action)): Path<(i64, String)>,
    JsonBody(dto): JsonBody<StepDto>,
) -> Result<Json<TicketDto>, AppError> {
    readable(&state, &caller, id).await?;
    let form = StepForm { reason: dto.reason, fields: dto.fields, days: dto.days, files: vec![] };
    let case = service::step(&state, who(&caller), id, dto.version, &action, form).await?;
    let t = queries::ticket(&state.db, id).await?.ok_or_else(|| AppError::internal("ticket missing"))?;
    let text = text_view(&state, &caller, &case).await?;
    Ok(Json(ticket_dto(&case, &t, false, &state, text)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupQuery {
    /// The ticket number.
    pub no: String,
    /// The phone number given when it was filed.
    pub phone: String,
}

#[derive(Serialize, ToSchema)]
pub struct ProgressDto {
    pub case_no: String,
    pub status: String,
    pub received_at: String,
    /// The date by which the handling unit has to answer (while the ticket is open).
    pub due_on: Option<String>,
    /// The unit handling the matter, once the ticket is dispatched.
    pub unit: Option<String>,
    pub steps: Vec<StepTextDto>,
    pub reply: Option<String>,
    pub evaluation: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StepTextDto {
    pub at: String,
    pub text: String,
}

/// Public progress by ticket number and phone (no login). Unknown number and wrong phone give
/// the same answer; failed lookups are throttled per address and per phone (429 with
/// Retry-After), so numbers cannot be probed.
#[utoipa::path(get, path = "/api/v1/hotline/lookup", tag = "hotline", params(LookupQuery),
    responses((status = 200, body = ProgressDto), (status = 404, body = ErrorDoc), (status = 429, body = ErrorDoc)))]
pub async fn lookup(State(state): State<AppState>, ClientAddr(peer): ClientAddr, Query(q): Query<LookupQuery>) -> Result<Json<ProgressDto>, AppError> {
    let p = super::portal::lookup::progress(&state, &q.no, &q.phone, peer).await?;
    Ok(Json(p))
}

/// What a citizen is told of each state.
pub fn public_status(state: &str) -> &'static str {
    match state {
        "received" => "已登记，等待受理",
        "accepted" => "已受理，正在分派承办单位",
        "dispatched" | "handling" | "return_requested" | "extension_requested" | "termination_requested" => "承办单位正在办理",
        "replied" => "承办单位已答复，热线中心审核中",
        "callback" => "已答复，请您评价",
        "closed" => "已办结",
        "not_accepted" => "不予受理（已告知理由和途径）",
        "answered" => "已当场答复",
        "merged" => "已与您的另一件诉求合并办理",
        "terminated" => "已终止办理",
        _ => "办理中",
    }
}

/// What a citizen is told of each step (internal steps are not shown).
pub fn public_step(action: &str) -> Option<&'static str> {
    Some(match action {
        "intake" => "诉求已登记",
        "accept" => "热线中心已受理",
        "not_accept" => "不予受理，已告知理由和可以采取的途径",
        "answer_directly" => "已当场答复",
        "dispatch" => "已派给承办单位办理",
        "reassign" => "已改派其他单位办理",
        "sign" => "承办单位已签收",
        "approve_extension" => "经批准延长办理期限",
        "reply" => "承办单位已提交办理结果",
        "review_pass" => "办理结果审核通过",
        "callback_close" | "rate_close" => "已评价，办结",
        "callback_reopen" | "rate_reopen" => "因不满意退回重新办理",
        "close_unreached" => "已办结",
        "approve_termination" => "经审核终止办理",
        "merge" => "已合并办理",
        _ => return None,
    })
}

#[derive(Serialize, ToSchema)]
pub struct CategoryDto {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub description: String,
    pub handle_days: i64,
    pub attributes: serde_json::Value,
}

/// The service catalogue.
#[utoipa::path(get, path = "/api/v1/hotline/categories", tag = "hotline", responses((status = 200, body = [CategoryDto])))]
pub async fn categories(State(state): State<AppState>) -> Result<Json<Vec<CategoryDto>>, AppError> {
    let cats = queries::categories(&state.db, true).await?;
    Ok(Json(
        cats.into_iter()
            .map(|c| CategoryDto {
                attributes: serde_json::from_str(&c.attributes).unwrap_or_default(),
                id: c.id,
                code: c.code,
                name: c.name,
                description: c.description,
                handle_days: c.handle_days,
            })
            .collect(),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KpiQuery {
    /// YYYY-MM-DD (default: 1 January of this year)
    pub from: Option<String>,
    /// YYYY-MM-DD (default: today)
    pub to: Option<String>,
    /// all (default), org, town, category
    pub dim: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct KpiRowDto {
    pub key: i64,
    pub values: BTreeMap<String, serde_json::Value>,
}

/// Indicators for a period, grouped.
#[utoipa::path(get, path = "/api/v1/hotline/kpi", tag = "hotline", params(KpiQuery), responses((status = 200, body = [KpiRowDto]), (status = 403, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn kpi(State(state): State<AppState>, caller: Caller, Query(q): Query<KpiQuery>) -> Result<Json<Vec<KpiRowDto>>, AppError> {
    caller.require(Perm::KPI_READ)?;
    let (from, to) = super::pages::period(q.from.as_deref(), q.to.as_deref())?;
    let dim = super::kpi::Dim::parse(q.dim.as_deref().unwrap_or("all"));
    let scope = caller.scope(Perm::KPI_READ, Some("hotline"));
    let rows = super::kpi::counts(&state.db, dim, &from, &to, &scope).await?;
    let basic = super::kpi::basic_counts(&state.db).await;
    Ok(Json(
        rows.into_iter()
            .map(|c| KpiRowDto {
                key: c.key,
                values: super::kpi::INDICATORS
                    .iter()
                    .map(|i| {
                        let v = match c.value(i, basic) {
                            super::kpi::Value::Count(n) => serde_json::json!(n),
                            super::kpi::Value::Rate(p, n, d) => serde_json::json!({"percent": p, "numerator": n, "denominator": d}),
                        };
                        (i.code.to_string(), v)
                    })
                    .collect(),
            })
            .collect(),
    ))
}

/// The hotline's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(create_ticket, list_tickets, get_ticket, take_step, lookup, categories, kpi), tags((name = "hotline", description = "12345 热线")))]
pub struct HotlineApi;
