//! Open311 GeoReport v2 for the 12345 hotline, under `/open311/v2`
//! (<http://wiki.open311.org/GeoReport_v2>), with the `page`/`page_size` extension on
//! `requests` and mySociety's `servicerequestupdates`: read here, posted (a citizen's follow-up,
//! taken as a 补充) in [`super::open311_updates`].
//!
//! What maps to what:
//! - a service is an active hotline category (`service_code` = the category's code); its
//!   definition lists the category's extra fields;
//! - a service request is a ticket: `service_request_id` is the ticket number (工单编号).
//!   A POST creates the ticket at once (every service is `realtime`), so the answer carries
//!   the `service_request_id` and never a token; `tokens/{token}` still answers, and a token
//!   is simply the ticket number;
//! - POST needs `api_key` = one of our API tokens with the 热线受理 permission. GETs need no
//!   key and answer the same public fields to everyone, key or not;
//! - `jurisdiction_id` is accepted and ignored: the endpoint serves one city.
//!
//! Privacy: the public reads never carry the caller's name, phone or e-mail (they are not even
//! selected), nor the description, address or position of a ticket whose caller asked for
//! confidentiality, nor the text of a 市长信箱 letter its writer did not agree to publish.
//! Addresses are shown down to the street only, and phone and ID numbers inside descriptions
//! are masked. `status_notes` and updates use the plain-word step texts citizens see.

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;

use super::api::{iso, public_status, public_step};
use super::model::Channel;
use super::open311_format::{
    self as fmt, AttributeDto, CreatedDto, DefinitionDto, DiscoveryDto, EndpointDto, ErrorDto, Format, RequestDto, ServiceDto, TokenDto, UpdateDto, ValueDto,
};
use super::queries::{self, PublicSelect, PublicTicket};
use super::rules::PROCEDURE;
use super::service::{self, IntakeInput};
use crate::auth::tokens;
use crate::error::AppError;
use crate::privacy::{mask_address, mask_in_text};
use crate::state::AppState;
use crate::time::now_ms;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/{file}", get(get_resource).post(post_resource))
        .route("/services/{file}", get(get_definition))
        .route("/requests/{file}", get(get_request))
        .route("/tokens/{file}", get(get_token))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(unknown_route)
}

/// Unknown addresses under `/open311/v2` answer in the spec's error shape, not the pages' HTML.
async fn unknown_route(uri: axum::http::Uri) -> Response {
    error_response(StatusCode::NOT_FOUND, "404", "不存在的接口地址", uri.path().ends_with(".xml"))
}

/// The `{file}` of an address (`requests.json`). One that is not UTF-8 once decoded answers in
/// the spec's error shape, not axum's plain text.
struct File(String);

impl<S: Send + Sync> FromRequestParts<S> for File {
    type Rejection = Response;
    #[allow(clippy::disallowed_types)]
    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Response> {
        match axum::extract::Path::<String>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(f)) => Ok(File(f)),
            Err(_) => Err(error_response(StatusCode::BAD_REQUEST, "400", "网址中的资源名不是有效的 UTF-8 文本", parts.uri.path().ends_with(".xml"))),
        }
    }
}

/// The spec's error body (a list of `{code, description}`) with an HTTP status, in JSON or XML.
pub fn error_response(status: StatusCode, code: &str, description: &str, xml: bool) -> Response {
    let f = if xml { Format::Xml } else { Format::Json };
    fmt::errors(f, status, &[ErrorDto { code: code.into(), description: description.into() }])
}

/// The steps citizens are told about (their texts come from `api::public_step`).
pub const PUBLIC_ACTIONS: &[&str] = &[
    "intake",
    "accept",
    "not_accept",
    "answer_directly",
    "dispatch",
    "reassign",
    "sign",
    "approve_extension",
    "reply",
    "review_pass",
    "callback_close",
    "rate_close",
    "callback_reopen",
    "rate_reopen",
    "close_unreached",
    "approve_termination",
    "merge",
];

/// A request may ask for at most this many tickets, and a window may span at most 90 days.
pub const MAX_ITEMS: i64 = 1000;
pub const MAX_SPAN_MS: i64 = 90 * 86_400_000;

const WITHHELD_CONFIDENTIAL: &str = "诉求人要求保密，内容不予公开";
const WITHHELD_LETTER: &str = "市长信箱来信，写信人未同意公开或尚未公开";

// ---------------------------------------------------------------- errors

/// A failed Open311 call: HTTP status and the errors to list.
#[derive(Debug)]
pub struct Fail {
    pub status: StatusCode,
    pub errors: Vec<ErrorDto>,
}

impl Fail {
    fn new(status: StatusCode, code: &str, description: impl Into<String>) -> Fail {
        Fail { status, errors: vec![ErrorDto { code: code.into(), description: description.into() }] }
    }
    pub(crate) fn bad(code: &str, description: impl Into<String>) -> Fail {
        Fail::new(StatusCode::BAD_REQUEST, code, description)
    }
    fn forbidden(code: &str, description: impl Into<String>) -> Fail {
        Fail::new(StatusCode::FORBIDDEN, code, description)
    }
    fn not_found(code: &str, description: impl Into<String>) -> Fail {
        Fail::new(StatusCode::NOT_FOUND, code, description)
    }
    pub(crate) fn respond(self, f: Format) -> Response {
        fmt::errors(f, self.status, &self.errors)
    }
}

/// The Open311 name of one of our intake fields.
fn open311_field(field: &str) -> &str {
    match field {
        "caller_phone" => "phone",
        "caller_name" => "first_name/last_name",
        "category" => "service_code",
        "address" => "address_string",
        "town_id" | "village_id" => "lat/long/address_string",
        "idempotency_key" => "Idempotency-Key",
        other => other,
    }
}

/// Our errors in the spec's terms: invalid input is 400 with one entry per field (our stable
/// code, our Chinese message after the Open311 field name), unknown records 404, refused
/// access 403; the rest keeps its status.
impl From<AppError> for Fail {
    fn from(e: AppError) -> Fail {
        e.log();
        let status = match e.status() {
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT | StatusCode::UNSUPPORTED_MEDIA_TYPE => StatusCode::BAD_REQUEST,
            StatusCode::UNAUTHORIZED => StatusCode::FORBIDDEN,
            other => other,
        };
        let fields = e.field_errors();
        if fields.is_empty() {
            return Fail::new(status, e.code(), e.user_message());
        }
        let errors = fields
            .iter()
            .map(|f| {
                let message = match f.code.as_ref() {
                    "location_required" => "请提供诉求发生的位置：lat 和 long，或 address_string".to_string(),
                    _ => f.message.clone(),
                };
                ErrorDto { code: f.code.to_string(), description: format!("{}：{message}", open311_field(&f.field)) }
            })
            .collect();
        Fail { status, errors }
    }
}

async fn method_not_allowed(uri: Uri) -> Response {
    fmt::errors(
        Format::of_path(uri.path()),
        StatusCode::METHOD_NOT_ALLOWED,
        &[ErrorDto { code: "method_not_allowed".into(), description: "该地址不支持此请求方法".into() }],
    )
}

fn unknown_resource() -> Fail {
    Fail::not_found("route_not_found", "不存在的接口地址（Open311 地址以 .json 或 .xml 结尾）")
}

// ---------------------------------------------------------------- parameters

/// Query or form parameters. An empty value counts as absent, as the spec says.
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    pub(crate) fn parse(raw: &[u8]) -> Params {
        Params(crate::web::csrf::form_urlencoded_pairs(raw))
    }
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().filter(|(k, _)| k == key).map(|(_, v)| v.trim()).find(|v| !v.is_empty())
    }
    fn list(&self, key: &str) -> Vec<String> {
        self.get(key).map(|v| v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()).unwrap_or_default()
    }
}

/// A W3C datetime: `2026-05-01T08:00:00Z`, `…+08:00`, `2026-05-01T08:00:00` (Beijing time), or
/// a date (its start, or its end when `end_of_day`). A `+` decoded to a space is put back.
pub fn parse_w3c(s: &str, end_of_day: bool) -> Option<i64> {
    let s = s.trim();
    let fixed;
    let s = match s.rfind(' ') {
        Some(i) if s.len() - i == 6 && s.contains('T') => {
            fixed = format!("{}+{}", &s[..i], &s[i + 1..]);
            fixed.as_str()
        }
        _ => s,
    };
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    let local = |n: chrono::NaiveDateTime| n.and_local_timezone(crate::time::shanghai()).single().map(|t| t.timestamp_millis());
    for pattern in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(n) = chrono::NaiveDateTime::parse_from_str(s, pattern) {
            return local(n);
        }
    }
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    if end_of_day { local(d.and_hms_milli_opt(23, 59, 59, 999)?) } else { local(d.and_hms_opt(0, 0, 0)?) }
}

/// `[from, to]` from `start_date`/`end_date`: the last 90 days by default, never more than 90.
fn window(p: &Params, now: i64) -> Result<(i64, i64), Fail> {
    let date = |key: &str, end: bool| -> Result<Option<i64>, Fail> {
        match p.get(key) {
            None => Ok(None),
            Some(v) => parse_w3c(v, end)
                .map(Some)
                .ok_or_else(|| Fail::bad("invalid_date", format!("{key}：“{v}”不是有效的 W3C 日期时间（例如 2026-05-01T00:00:00+08:00）"))),
        }
    };
    let (start, end) = (date("start_date", false)?, date("end_date", true)?);
    let (from, to) = match (start, end) {
        (None, None) => (now - MAX_SPAN_MS, now),
        (Some(s), None) => (s, s + MAX_SPAN_MS),
        (None, Some(e)) => (e - MAX_SPAN_MS, e),
        (Some(s), Some(e)) => (s, e),
    };
    if to < from {
        return Err(Fail::bad("invalid_date_range", "end_date：结束时间早于开始时间"));
    }
    if to - from > MAX_SPAN_MS {
        return Err(Fail::bad("date_range_too_long", "start_date/end_date：查询时间跨度不能超过 90 天"));
    }
    Ok((from, to))
}

/// `page` (from 1) and `page_size` (1–1000, default 1000) → (limit, offset).
fn paging(p: &Params) -> Result<(i64, i64), Fail> {
    let num = |key: &str, max: i64, default: i64| -> Result<i64, Fail> {
        match p.get(key) {
            None => Ok(default),
            Some(v) => match v.parse::<i64>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(Fail::bad("invalid_paging", format!("{key}：应为 1–{max} 之间的整数"))),
            },
        }
    };
    let size = num("page_size", MAX_ITEMS, MAX_ITEMS)?;
    let page = num("page", i64::MAX / MAX_ITEMS, 1)?;
    Ok((size, (page - 1) * size))
}

/// What `GET requests` asks for.
fn select(p: &Params, now: i64) -> Result<PublicSelect, Fail> {
    let ids = p.list("service_request_id");
    if !ids.is_empty() {
        if ids.len() as i64 > MAX_ITEMS {
            return Err(Fail::bad("too_many_ids", format!("service_request_id：一次最多查询 {MAX_ITEMS} 件")));
        }
        return Ok(PublicSelect::Numbers(ids));
    }
    let (from, to) = window(p, now)?;
    let mut open = None;
    for s in p.list("status") {
        let this = match s.as_str() {
            "open" => true,
            "closed" => false,
            other => return Err(Fail::bad("invalid_status", format!("status：“{other}”无效，应为 open 或 closed"))),
        };
        open = match open {
            None => Some(Some(this)),
            Some(Some(prev)) if prev != this => Some(None),
            same => same,
        };
    }
    let (limit, offset) = paging(p)?;
    Ok(PublicSelect::Window { from, to, category_codes: p.list("service_code"), open: open.flatten(), limit, offset })
}

// ---------------------------------------------------------------- what the public sees

/// A ticket as the public sees it; `notes` is the latest public step.
pub fn public_request(t: &PublicTicket, notes: Option<&str>) -> RequestDto {
    let letter = t.channel == Channel::Mailbox.code();
    let hidden = t.confidential || letter;
    let description = if t.confidential {
        WITHHELD_CONFIDENTIAL.to_string()
    } else if letter {
        match (&t.publish_body, t.published) {
            (Some(body), true) => mask_in_text(body).0,
            _ => WITHHELD_LETTER.to_string(),
        }
    } else {
        mask_in_text(&t.description).0
    };
    let updated = if t.is_open { t.updated_at } else { t.closed_at.unwrap_or(t.updated_at) };
    RequestDto {
        service_request_id: t.case_no.clone(),
        status: if t.is_open { "open" } else { "closed" },
        status_notes: notes.map(str::to_string),
        service_name: t.category_name.clone().unwrap_or_default(),
        service_code: t.category_code.clone().unwrap_or_default(),
        description,
        agency_responsible: t.unit_name.clone(),
        service_notice: Some(public_status(&t.state).to_string()),
        requested_datetime: iso(t.received_at),
        updated_datetime: iso(updated),
        expected_datetime: t.due_on.as_ref().filter(|_| t.is_open).map(|d| format!("{d}T23:59:59+08:00")),
        // A number typed into the address (before the street, where masking the address keeps
        // the text) is masked as in the description.
        address: if hidden { String::new() } else { t.address.as_deref().map(|a| mask_in_text(&mask_address(a)).0).unwrap_or_default() },
        address_id: String::new(),
        zipcode: String::new(),
        lat: if hidden { None } else { t.lat },
        long: if hidden { None } else { t.lon },
        media_url: String::new(),
    }
}

/// Public tickets with their latest public step (one query for all the steps).
async fn public_requests(state: &AppState, select: &PublicSelect) -> Result<Vec<RequestDto>, AppError> {
    let tickets = queries::public_tickets(&state.db, select).await?;
    let ids: Vec<i64> = tickets.iter().map(|t| t.id).collect();
    let mut notes: HashMap<i64, &'static str> = HashMap::new();
    for (id, action) in queries::public_steps(&state.db, &ids, PUBLIC_ACTIONS).await? {
        if let Some(text) = public_step(&action) {
            notes.insert(id, text);
        }
    }
    Ok(tickets.iter().map(|t| public_request(t, notes.get(&t.id).copied())).collect())
}

/// `open` or `closed` after a step, from the state change the event recorded.
fn status_after(changes: &str) -> &'static str {
    let v: serde_json::Value = serde_json::from_str(changes).unwrap_or_default();
    let to = v.get("状态").and_then(|s| s.get("to")).and_then(|t| t.as_str());
    match to.and_then(|name| PROCEDURE.states.iter().find(|s| s.name == name)) {
        Some(s) if s.terminal => "closed",
        _ => "open",
    }
}

// ---------------------------------------------------------------- handlers

async fn get_resource(State(state): State<AppState>, File(file): File, RawQuery(query): RawQuery) -> Response {
    let Some((stem, f)) = Format::split(&file) else { return unknown_resource().respond(Format::of_path(&file)) };
    let p = Params::parse(query.unwrap_or_default().as_bytes());
    let result = match stem {
        "discovery" => discovery(&state, f).await,
        "services" => services(&state, f).await,
        "requests" => list_requests(&state, f, &p).await,
        // `update` is where older FixMyStreet clients find updates.
        "servicerequestupdates" | "update" => updates(&state, f, &p).await,
        _ => Err(unknown_resource()),
    };
    result.unwrap_or_else(|e| e.respond(f))
}

async fn post_resource(State(state): State<AppState>, File(file): File, headers: HeaderMap, body: Bytes) -> Response {
    let Some((stem, f)) = Format::split(&file) else { return unknown_resource().respond(Format::of_path(&file)) };
    let result = match stem {
        "requests" => create_request(&state, f, &headers, &body).await,
        "servicerequestupdates" | "update" => super::open311_updates::post_update(&state, f, &body).await,
        "discovery" | "services" => Err(Fail::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "该地址不支持此请求方法")),
        _ => Err(unknown_resource()),
    };
    result.unwrap_or_else(|e| e.respond(f))
}

/// `discovery.{fmt}`: where the endpoint is and how to get a key.
async fn discovery(state: &AppState, f: Format) -> Result<Response, Fail> {
    let changed = queries::catalogue_changed_at(&state.db).await?.unwrap_or(0);
    let centre = service::centre(state).await?;
    let changeset = iso(changed);
    let doc = DiscoveryDto {
        changeset: changeset.clone(),
        contact: format!("{}，电话 12345", centre.name),
        key_service:
            "提交诉求（POST）须提供 api_key：即本系统签发的接口令牌，须具有“热线受理”权限，由系统管理员在“系统管理 › 接口令牌”中签发。查询无需 api_key。".into(),
        endpoints: vec![EndpointDto {
            specification: fmt::SPECIFICATION,
            url: format!("{}/open311/v2", state.config.server.public_url.trim_end_matches('/')),
            changeset,
            kind: if state.config.server.demo { "test" } else { "production" },
            formats: vec!["text/xml", "application/json"],
        }],
    };
    Ok(fmt::render(f, StatusCode::OK, "discovery", None, &doc))
}

/// `services.{fmt}`: the active categories.
async fn services(state: &AppState, f: Format) -> Result<Response, Fail> {
    let list: Vec<ServiceDto> = queries::public_services(&state.db)
        .await?
        .into_iter()
        .map(|s| ServiceDto {
            metadata: !super::model::parse_attributes(&s.attributes).is_empty(),
            service_code: s.code,
            service_name: s.name,
            description: s.description,
            kind: "realtime",
            keywords: s.keywords.replace(['，', '|'], ","),
            group: s.unit_name.unwrap_or_else(|| "热线中心分派".into()),
        })
        .collect();
    Ok(fmt::render(f, StatusCode::OK, "services", Some("service"), &list))
}

/// `services/{code}.{fmt}`: a category's extra fields.
async fn get_definition(State(state): State<AppState>, File(file): File) -> Response {
    let Some((code, f)) = Format::split(&file) else { return unknown_resource().respond(Format::of_path(&file)) };
    let result = async {
        let cat = queries::category_by_code(&state.db, code).await?.filter(|c| c.active).ok_or_else(|| unknown_service(code))?;
        let attributes = cat
            .attribute_defs()
            .into_iter()
            .enumerate()
            .map(|(i, a)| AttributeDto {
                variable: true,
                datatype_description: match a.datatype.as_str() {
                    "number" => "数字".into(),
                    "singlevaluelist" => "从 values 中选择一项，提交其 key".into(),
                    _ => "文字，不超过 500 字".into(),
                },
                order: i as u32 + 1,
                description: a.label,
                values: a.values.into_iter().map(|(key, name)| ValueDto { key, name }).collect(),
                code: a.code,
                datatype: a.datatype,
                required: a.required,
            })
            .collect();
        Ok::<_, Fail>(fmt::render(f, StatusCode::OK, "service_definition", None, &DefinitionDto { service_code: cat.code, attributes }))
    };
    result.await.unwrap_or_else(|e| e.respond(f))
}

fn unknown_service(code: &str) -> Fail {
    Fail::not_found("unknown_service_code", format!("service_code：诉求类别“{code}”不存在或已停用"))
}

/// `requests.{fmt}`: public tickets, newest first.
async fn list_requests(state: &AppState, f: Format, p: &Params) -> Result<Response, Fail> {
    let select = select(p, now_ms())?;
    let list = public_requests(state, &select).await?;
    Ok(fmt::render(f, StatusCode::OK, "service_requests", Some("request"), &list))
}

/// `requests/{id}.{fmt}`: one ticket, as a list of one.
async fn get_request(State(state): State<AppState>, File(file): File) -> Response {
    let Some((id, f)) = Format::split(&file) else { return unknown_resource().respond(Format::of_path(&file)) };
    let result = async {
        let list = public_requests(&state, &PublicSelect::Numbers(vec![id.to_string()])).await?;
        if list.is_empty() {
            return Err(unknown_request(id));
        }
        Ok(fmt::render(f, StatusCode::OK, "service_requests", Some("request"), &list))
    };
    result.await.unwrap_or_else(|e| e.respond(f))
}

pub(crate) fn unknown_request(id: &str) -> Fail {
    Fail::not_found("request_not_found", format!("service_request_id：没有编号为“{id}”的诉求"))
}

/// `tokens/{token}.{fmt}`: requests are created at once, so a token is the ticket number.
async fn get_token(State(state): State<AppState>, File(file): File) -> Response {
    let Some((token, f)) = Format::split(&file) else { return unknown_resource().respond(Format::of_path(&file)) };
    let result = async {
        let case = crate::kernel::queries::by_number(&state.db, token).await?.filter(|c| c.procedure == PROCEDURE.code);
        let case = case.ok_or_else(|| Fail::not_found("token_not_found", format!("token：没有“{token}”对应的诉求")))?;
        let doc = [TokenDto { service_request_id: case.case_no.clone(), token: case.case_no }];
        Ok::<_, Fail>(fmt::render(f, StatusCode::OK, "service_requests", Some("request"), &doc))
    };
    result.await.unwrap_or_else(|e| e.respond(f))
}

/// `servicerequestupdates.{fmt}`: the public steps taken in a window, newest first.
async fn updates(state: &AppState, f: Format, p: &Params) -> Result<Response, Fail> {
    let (from, to) = window(p, now_ms())?;
    let (limit, offset) = paging(p)?;
    let steps = queries::public_steps_between(&state.db, PUBLIC_ACTIONS, from, to, limit, offset).await?;
    let list: Vec<UpdateDto> = steps
        .into_iter()
        .filter_map(|s| {
            public_step(&s.action).map(|text| UpdateDto {
                update_id: s.seq.to_string(),
                status: status_after(&s.changes),
                service_request_id: s.case_no,
                updated_datetime: iso(s.at),
                description: text.to_string(),
                media_url: String::new(),
            })
        })
        .collect();
    Ok(fmt::render(f, StatusCode::OK, "service_request_updates", Some("request_update"), &list))
}

/// The caller of a POST: `api_key` must be one of our API tokens with the 热线受理 permission.
pub(crate) async fn authorise(state: &AppState, form: &Params) -> Result<tokens::TokenCaller, Fail> {
    let key = form.get("api_key").ok_or_else(|| Fail::forbidden("api_key_missing", "api_key：提交诉求须提供 api_key（接口令牌）"))?;
    let caller = tokens::authenticate(&state.db, key).await?.ok_or_else(|| Fail::forbidden("api_key_invalid", "api_key：无效、已过期或已吊销"))?;
    if !caller.token.perms().contains(&crate::roles::INTAKE) {
        return Err(Fail::forbidden("api_key_forbidden", "api_key：该接口令牌没有“热线受理”权限"));
    }
    Ok(caller)
}

/// `POST requests.{fmt}`: take in a ticket on the Open311 channel.
async fn create_request(state: &AppState, f: Format, headers: &HeaderMap, body: &[u8]) -> Result<Response, Fail> {
    let form = Params::parse(body);
    let caller = authorise(state, &form).await?;
    let code = form.get("service_code").ok_or_else(|| Fail::bad("required", "service_code：请填写诉求类别代码"))?;
    queries::category_by_code(&state.db, code).await?.filter(|c| c.active).ok_or_else(|| unknown_service(code))?;
    let mut input = intake_input(&form)?;
    input.category_code = Some(code.to_string());
    input.idempotency_key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(|s| s.trim().to_string());
    let r = service::intake(state, caller.actor(), input).await?;
    let no = r.case.case_no;
    let (status, notice) = if r.duplicate {
        (StatusCode::OK, format!("与此前提交的诉求相同，沿用工单编号 {no}"))
    } else {
        (StatusCode::CREATED, format!("诉求已登记，工单编号 {no}，可凭此编号查询办理进度"))
    };
    let doc = [CreatedDto { service_request_id: no, service_notice: notice }];
    Ok(fmt::render(f, status, "service_requests", Some("request"), &doc))
}

/// The Open311 form as our intake. `email`, `device_id`, `account_id` and `media_url` are not
/// kept; a location is `lat`+`long` or `address_string` (`address_id` is not used here).
fn intake_input(form: &Params) -> Result<IntakeInput, Fail> {
    let coordinate = |key: &str| -> Result<Option<f64>, Fail> {
        match form.get(key) {
            None => Ok(None),
            Some(v) => v.parse::<f64>().map(Some).map_err(|_| Fail::bad("not_a_number", format!("{key}：“{v}”不是有效的数值"))),
        }
    };
    let mut attributes: Vec<(String, String)> = Vec::new();
    for (k, v) in &form.0 {
        let Some(code) = k.strip_prefix("attribute[").and_then(|r| r.strip_suffix("][]").or_else(|| r.strip_suffix(']'))) else { continue };
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        if attributes.iter().any(|(c, _)| c == code) {
            return Err(Fail::bad("attribute_multiple_values", format!("attribute[{code}]：只能填写一个值")));
        }
        attributes.push((code.to_string(), v.to_string()));
    }
    let phone = form.get("phone").map(str::to_string);
    Ok(IntakeInput {
        channel: Some(Channel::Open311),
        caller_name: caller_name(form.get("first_name"), form.get("last_name")),
        wants_reply: phone.is_some(),
        caller_phone: phone,
        address: form.get("address_string").map(str::to_string),
        lat: coordinate("lat")?,
        lon: coordinate("long")?,
        description: form.get("description").map(str::to_string),
        attributes,
        phone_required: false,
        ..Default::default()
    })
}

/// 姓 then 名 for Chinese names, "first last" for Latin ones.
pub(crate) fn caller_name(first: Option<&str>, last: Option<&str>) -> Option<String> {
    match (first, last) {
        (Some(f), Some(l)) if f.chars().chain(l.chars()).any(|c| c.is_ascii_alphabetic()) => Some(format!("{f} {l}")),
        (Some(f), Some(l)) => Some(format!("{l}{f}")),
        (Some(one), None) | (None, Some(one)) => Some(one.to_string()),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(q: &str) -> Params {
        Params::parse(q.as_bytes())
    }

    #[test]
    fn every_public_step_is_listed() {
        for a in PUBLIC_ACTIONS {
            assert!(public_step(a).is_some(), "{a} has no public text");
        }
        for t in &PROCEDURE.transitions {
            if public_step(t.action).is_some() {
                assert!(PUBLIC_ACTIONS.contains(&t.action), "{} is public but not listed", t.action);
            }
        }
    }

    #[test]
    fn w3c_datetimes() {
        let utc = parse_w3c("2026-05-01T00:00:00Z", false).unwrap();
        assert_eq!(parse_w3c("2026-05-01T08:00:00+08:00", false), Some(utc));
        assert_eq!(parse_w3c("2026-05-01T08:00:00 08:00", false), Some(utc), "a + decoded as a space");
        assert_eq!(parse_w3c("2026-05-01T08:00:00", false), Some(utc), "no zone: Beijing time");
        assert_eq!(parse_w3c("2026-05-01", false), Some(utc - 8 * 3_600_000));
        assert_eq!(parse_w3c("2026-05-01", true), Some(utc - 8 * 3_600_000 + 86_400_000 - 1));
        assert_eq!(parse_w3c("May 1st", false), None);
    }

    #[test]
    fn windows_and_paging() {
        let now = parse_w3c("2026-05-01T00:00:00Z", false).unwrap();
        assert_eq!(window(&params(""), now).unwrap(), (now - MAX_SPAN_MS, now));
        assert_eq!(window(&params("start_date=&end_date="), now).unwrap(), (now - MAX_SPAN_MS, now), "empty is absent");
        assert_eq!(window(&params("start_date=2026-01-01T00:00:00Z&end_date=2026-05-01T00:00:00Z"), now).unwrap_err().errors[0].code, "date_range_too_long");
        assert_eq!(window(&params("start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z"), now).unwrap_err().errors[0].code, "invalid_date_range");
        assert_eq!(window(&params("start_date=yesterday"), now).unwrap_err().status, StatusCode::BAD_REQUEST);
        assert_eq!(paging(&params("")).unwrap(), (1000, 0));
        assert_eq!(paging(&params("page=3&page_size=10")).unwrap(), (10, 20));
        assert!(paging(&params("page_size=1001")).is_err());
        assert!(paging(&params("page=0")).is_err());
    }

    #[test]
    fn request_ids_override_everything() {
        let now = now_ms();
        let s = select(&params("service_request_id=1,%202&status=bogus&start_date=nonsense"), now).unwrap();
        assert_eq!(s, PublicSelect::Numbers(vec!["1".into(), "2".into()]));
        match select(&params("status=open,closed&service_code=A,B"), now).unwrap() {
            PublicSelect::Window { open, category_codes, .. } => {
                assert_eq!(open, None);
                assert_eq!(category_codes, ["A", "B"]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(select(&params("status=pending"), now).unwrap_err().errors[0].code, "invalid_status");
    }

    fn ticket() -> PublicTicket {
        PublicTicket {
            id: 1,
            case_no: "20260000001".into(),
            state: "handling".into(),
            is_open: true,
            due_on: Some("2026-05-08".into()),
            closed_at: None,
            updated_at: 0,
            unit_name: "市城市管理局".into(),
            channel: "open311".into(),
            category_code: Some("CG-LDZM".into()),
            category_name: Some("路灯照明".into()),
            address: Some("东湖镇文游路88号3栋201室".into()),
            lat: Some(32.8),
            lon: Some(119.4),
            description: "路灯不亮，联系我13812345678".into(),
            confidential: false,
            published: false,
            publish_body: None,
            received_at: 0,
        }
    }

    #[test]
    fn the_public_sees_no_personal_data() {
        let r = public_request(&ticket(), Some("承办单位已签收"));
        assert_eq!(r.address, "东湖镇文游路****");
        let typed = public_request(&PublicTicket { address: Some("电话138 1234 5678 东湖镇文游路".into()), ..ticket() }, None);
        assert_eq!(typed.address, "电话138****5678 东湖镇文游路");
        assert!(r.description.contains("138****5678") && !r.description.contains("13812345678"));
        assert_eq!(r.expected_datetime.as_deref(), Some("2026-05-08T23:59:59+08:00"));
        assert_eq!((r.status, r.status_notes.as_deref()), ("open", Some("承办单位已签收")));
        let secret = public_request(&PublicTicket { confidential: true, ..ticket() }, None);
        assert_eq!((secret.description.as_str(), secret.address.as_str(), secret.lat), (WITHHELD_CONFIDENTIAL, "", None));
        let letter = PublicTicket { channel: "mailbox".into(), ..ticket() };
        assert_eq!(public_request(&letter, None).description, WITHHELD_LETTER);
        let published = PublicTicket { published: true, publish_body: Some("公开的来信".into()), ..letter };
        assert_eq!(public_request(&published, None).description, "公开的来信");
    }

    #[test]
    fn update_status_follows_the_recorded_state() {
        assert_eq!(status_after(r#"{"状态":{"from":null,"to":"待受理"}}"#), "open");
        assert_eq!(status_after(r#"{"状态":{"from":"待回访","to":"已办结"}}"#), "closed");
        assert_eq!(status_after("{}"), "open");
    }

    #[test]
    fn names_and_field_errors() {
        assert_eq!(caller_name(Some("测试"), Some("用户")).as_deref(), Some("用户测试"));
        assert_eq!(caller_name(Some("Ann"), Some("Lee")).as_deref(), Some("Ann Lee"));
        let e = Fail::from(AppError::fields(vec![
            crate::error::FieldError::new("town_id", "location_required", "x"),
            crate::error::FieldError::new("caller_phone", "invalid_phone", "请填写正确的电话号码"),
        ]));
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert_eq!(e.errors[0].code, "location_required");
        assert!(e.errors[0].description.contains("address_string"));
        assert_eq!(e.errors[1].description, "phone：请填写正确的电话号码");
        assert_eq!(Fail::from(AppError::not_found("x", "y")).status, StatusCode::NOT_FOUND);
    }
}
