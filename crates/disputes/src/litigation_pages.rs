//! Staff pages and API of 行政应诉: the register of suits against the agencies in scope (filtered
//! by state, exported to XLSX), registering a suit with the day of service, and a case page (the
//! shared case page with the court, the defence deadline, the hearings and who appeared).

use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use fazhi_platform::api::{ApiRoutes, ErrorDoc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Caller, Perm, Staff};
use crate::error::AppError;
use crate::kernel::page::{self, CaseView, NoAsks, StepError};
use crate::kernel::queries::CaseRow;
use crate::litigation::{self, HearingRow, LitRow, NewSuit};
use crate::litigation_rules::{self as rules, PROCEDURE};
use crate::service::{StepForm, Who};
use crate::state::AppState;
use crate::time::today;
use crate::web::extract::{Path, Query};
use crate::web::form::{FormData, JsonBody};
use crate::web::{Ctx, Layout, PageError, redirect_flash, redirect_ok, render};

const P: &str = rules::CODE;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/disputes/litigation", get(list))
        .route("/disputes/litigation/export.xlsx", get(export))
        .route("/disputes/litigation/new", get(new_form).post(create))
        .route("/disputes/litigation/{id}", get(show))
        .route("/disputes/litigation/{id}/step/{action}", post(step))
}

pub fn reads(staff: &Staff) -> bool {
    staff.scope(Perm::CASE_READ, Some(P)) != crate::auth::roles::Scope::Nothing
        && staff.grants.0.iter().any(|g| g.role.oversight || (g.role.covers(Some(P)) && g.role.perms().contains(&Perm::CASE_HANDLE)))
}

#[derive(Deserialize, Default)]
pub struct Filter {
    #[serde(default)]
    pub state: String,
}

#[derive(sqlx::FromRow)]
struct ListRow {
    id: i64,
    case_no: String,
    org_id: i64,
    court_case_no: String,
    plaintiff: String,
    cause: String,
    served_on: String,
    state: String,
    due_on: Option<String>,
    final_outcome: Option<String>,
    lost: Option<bool>,
}

pub struct Line {
    pub id: i64,
    pub case_no: String,
    pub agency: String,
    pub court_case_no: String,
    pub plaintiff: String,
    pub cause: String,
    pub served: String,
    pub state: &'static str,
    pub due: String,
    pub outcome: &'static str,
    pub lost: &'static str,
}

async fn rows(state: &AppState, staff: &Staff, f: &Filter, limit: i64) -> Result<Vec<ListRow>, AppError> {
    let scope = staff.scope(Perm::CASE_READ, Some(P));
    let mut query = crate::db::q(
        "SELECT c.id, c.case_no, c.org_id, l.court_case_no, l.plaintiff, l.cause, l.served_on, c.state, c.due_on, l.final_outcome, l.lost FROM cases c JOIN lit_cases l ON l.case_id = c.id WHERE c.procedure = 'litigation'",
    );
    if PROCEDURE.state(&f.state).is_some() {
        query = query.push_bind(" AND c.state = {}", f.state.clone());
    }
    scope.filter(query, "c.org_id").push(&format!(" ORDER BY l.served_on DESC, c.id DESC LIMIT {limit}")).fetch_all(&state.db).await
}

async fn lines(state: &AppState, staff: &Staff, f: &Filter, limit: i64) -> Result<Vec<Line>, AppError> {
    let rows = rows(state, staff, f, limit).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.org_id).collect();
    let names = crate::registry_indicators::org_names(state, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| Line {
            id: r.id,
            case_no: r.case_no,
            agency: names.get(&r.org_id).cloned().unwrap_or_default(),
            court_case_no: r.court_case_no,
            plaintiff: crate::privacy::mask_name(&r.plaintiff),
            cause: r.cause,
            served: r.served_on,
            state: PROCEDURE.state_name(&r.state),
            due: r.due_on.unwrap_or_default(),
            outcome: r.final_outcome.as_deref().map(|o| rules::label(rules::OUTCOMES, o)).unwrap_or(""),
            lost: match r.lost {
                Some(true) => "败诉",
                Some(false) => "胜诉",
                None => "",
            },
        })
        .collect())
}

#[derive(Template)]
#[template(path = "disputes/litigation_list.html")]
struct ListPage {
    layout: Layout,
    items: Vec<Line>,
    filter: Filter,
    states: Vec<(&'static str, &'static str)>,
    can_create: bool,
}

async fn list(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(filter): Query<Filter>) -> Result<Response, PageError> {
    if !reads(&staff) {
        return Err(AppError::forbidden("forbidden", "您没有查看行政应诉案件的权限").into());
    }
    let items = lines(&state, &staff, &filter, 200).await?;
    render(&ListPage {
        layout: Layout::new(&staff, &ctx, "行政应诉").crumb("纠纷化解", "/disputes/litigation").crumb("行政应诉案件", ""),
        items,
        filter,
        states: PROCEDURE.states.iter().map(|s| (s.code, s.name)).collect(),
        can_create: staff.scope(Perm::CASE_HANDLE, Some(P)) != crate::auth::roles::Scope::Nothing,
    })
}

async fn export(State(state): State<AppState>, staff: Staff, Query(filter): Query<Filter>) -> Result<Response, PageError> {
    if !reads(&staff) {
        return Err(AppError::forbidden("forbidden", "您没有查看行政应诉案件的权限").into());
    }
    use crate::tabular::XCell;
    let data: Vec<Vec<XCell>> = lines(&state, &staff, &filter, 20_000)
        .await?
        .into_iter()
        .map(|l| {
            vec![
                XCell::Text(l.case_no),
                XCell::Text(l.agency),
                XCell::Text(l.court_case_no),
                XCell::Text(l.plaintiff),
                XCell::Text(l.cause),
                XCell::date(Some(l.served.as_str())),
                XCell::Text(l.state.into()),
                XCell::Text(l.outcome.into()),
                XCell::Text(l.lost.into()),
            ]
        })
        .collect();
    let title =
        crate::tabular::export_title("行政应诉案件", &[("状态", PROCEDURE.state(&filter.state).map(|s| s.name.to_string()).unwrap_or_default())], data.len());
    let header = ["编号", "被告机关", "法院案号", "原告", "案由", "收到起诉状", "状态", "生效结果", "胜败诉"].map(String::from).to_vec();
    Ok(crate::tabular::export("行政应诉案件", &[crate::tabular::Sheet::new("行政应诉", Some(title), header, data)])?)
}

#[derive(Template)]
#[template(path = "disputes/litigation.html")]
struct CasePage {
    layout: Layout,
    cv: CaseView,
    l: LitRow,
    hearings: Vec<(HearingRow, &'static str, &'static str)>,
    outcome: &'static str,
}

async fn case_page(state: &AppState, staff: &Staff, ctx: &Ctx, id: i64, error: Option<(String, AppError)>) -> Result<Response, PageError> {
    let (case, l) = litigation::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let path = crate::kernel::access::org_path(state, case.org_id).await?;
    if !staff.allows(Perm::CASE_READ, Some(P), &path) {
        return Err(crate::kernel::access::not_found().into());
    }
    let who = Who::staff(staff);
    let cal = state.calendar();
    let day = today();
    struct Auth<'a>(&'a Who, String);
    impl crate::kernel::engine::Authority for Auth<'_> {
        fn staff_may(&self, perm: Perm) -> bool {
            self.0.allows_in(perm, P, &self.1)
        }
        fn is_filer(&self) -> bool {
            false
        }
        fn is_system(&self) -> bool {
            false
        }
    }
    let facts = case.facts(std::collections::BTreeMap::from([("lost".to_string(), l.lost == Some(true))]));
    let steps = page::step_views(&PROCEDURE, &facts, &Auth(&who, path), day, &cal, &NoAsks);
    let hearings = litigation::hearings(&state.db, id)
        .await?
        .into_iter()
        .map(|h| {
            let a = rules::label(rules::APPEARANCE, &h.appearance);
            let e = h.excuse.as_deref().map(|e| rules::label(rules::EXCUSES, e)).unwrap_or("");
            (h, a, e)
        })
        .collect();
    let cv = CaseView {
        state_name: PROCEDURE.state_name(&case.state),
        badge: page::badge(&PROCEDURE, &case, "期限", day, &cal),
        tags: vec![],
        parties: vec![],
        revealed: false,
        can_reveal: false,
        base: format!("/disputes/litigation/{id}"),
        multipart: false,
        steps,
        error: error.map(|(a, e)| StepError::new(a, &e)),
        timeline: crate::audit::timeline(&state.db, "case", id).await?,
        documents: vec![],
        attachments: vec![],
        case,
    };
    let bad = cv.bad();
    let mut r = render(&CasePage {
        layout: Layout::new(staff, ctx, format!("行政应诉 {}", l.court_case_no)).crumb("行政应诉", "/disputes/litigation").crumb(cv.case.case_no.clone(), ""),
        outcome: l.final_outcome.as_deref().or(l.first_outcome.as_deref()).map(|o| rules::label(rules::OUTCOMES, o)).unwrap_or(""),
        hearings,
        cv,
        l,
    })?;
    if bad {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn show(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    case_page(&state, &staff, &ctx, id, None).await
}

async fn step(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path((id, action)): Path<(i64, String)>, form: FormData) -> Result<Response, PageError> {
    let sf = match crate::pages::step_form(&form) {
        Ok(s) => s,
        Err(e) => return case_page(&state, &staff, &ctx, id, Some((action, e))).await,
    };
    match litigation::step(&state, &Who::staff(&staff), id, form.int("version"), &action, sf).await {
        Ok(c) => Ok(redirect_ok(&format!("/disputes/litigation/{id}"), &format!("案件现为“{}”", PROCEDURE.state_name(&c.state)))),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => case_page(&state, &staff, &ctx, id, Some((action, e))).await,
        Err(e @ AppError::Conflict { .. }) => Ok(redirect_flash(&format!("/disputes/litigation/{id}"), false, &e.user_message())),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "disputes/litigation_form.html")]
struct FormPage {
    layout: Layout,
    units: Vec<crate::org::queries::OrgRow>,
    values: std::collections::BTreeMap<String, String>,
    errors: Vec<crate::error::FieldError>,
}

impl FormPage {
    fn v(&self, k: &str) -> String {
        self.values.get(k).cloned().unwrap_or_default()
    }
    fn err(&self, k: &str) -> String {
        self.errors.iter().filter(|e| e.field == k).map(|e| e.message.clone()).collect::<Vec<_>>().join("；")
    }
}

async fn form_page(
    state: &AppState,
    staff: &Staff,
    ctx: &Ctx,
    values: std::collections::BTreeMap<String, String>,
    e: Option<AppError>,
) -> Result<Response, PageError> {
    let bad = e.is_some();
    let all = crate::org::queries::of_kinds(
        &state.db,
        &[crate::org::OrgKind::City, crate::org::OrgKind::Department, crate::org::OrgKind::Town, crate::org::OrgKind::Park],
    )
    .await?;
    let mut r = render(&FormPage {
        layout: Layout::new(staff, ctx, "登记行政应诉案件").crumb("行政应诉", "/disputes/litigation").crumb("登记", ""),
        units: all.into_iter().filter(|o| staff.allows(Perm::CASE_HANDLE, Some(P), &o.path)).collect(),
        values,
        errors: e.as_ref().map(|e| e.field_errors().to_vec()).unwrap_or_default(),
    })?;
    if bad {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn new_form(State(state): State<AppState>, staff: Staff, ctx: Ctx) -> Result<Response, PageError> {
    staff.require(Perm::CASE_HANDLE)?;
    let mut v = std::collections::BTreeMap::new();
    v.insert("org_id".into(), staff.org_id.to_string());
    form_page(&state, &staff, &ctx, v, None).await
}

fn suit(form: &FormData) -> NewSuit {
    let s = |k: &str| form.get(k).map(str::to_string);
    NewSuit {
        org_id: form.int("org_id"),
        court: s("court"),
        court_case_no: s("court_case_no"),
        plaintiff: s("plaintiff"),
        cause: s("cause"),
        act_challenged: s("act_challenged"),
        served_on: s("served_on"),
    }
}

async fn create(State(state): State<AppState>, staff: Staff, ctx: Ctx, form: FormData) -> Result<Response, PageError> {
    staff.require(Perm::CASE_HANDLE)?;
    let values = form.0.iter().filter(|(k, _)| k != "_csrf").cloned().collect();
    match litigation::register(&state, &Who::staff(&staff), suit(&form)).await {
        Ok(c) => Ok(redirect_ok(&format!("/disputes/litigation/{}", c.id), &format!("已登记，答辩举证期限 {}", c.due_on.clone().unwrap_or_default()))),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => form_page(&state, &staff, &ctx, values, Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ the API

pub fn api_routes() -> ApiRoutes {
    ApiRoutes::new()
        .route("/disputes/litigation", post(api_create))
        .route("/disputes/litigation/{id}", get(api_get))
        .route("/disputes/litigation/{id}/steps/{action}", post(api_step))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct SuitIn {
    /// The defendant agency.
    pub org_id: Option<i64>,
    pub court: Option<String>,
    pub court_case_no: Option<String>,
    pub plaintiff: Option<String>,
    pub cause: Option<String>,
    pub act_challenged: Option<String>,
    /// YYYY-MM-DD: the day the complaint was served (the 15 days of Art. 67 run from it).
    pub served_on: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SuitDto {
    pub id: i64,
    pub case_no: String,
    pub state: String,
    pub org_id: i64,
    pub court_case_no: String,
    pub due_on: Option<String>,
    pub answered_in_time: Option<bool>,
    pub final_outcome: Option<String>,
    pub lost: Option<bool>,
    pub performance: Option<String>,
    pub version: i64,
}

fn dto(c: &CaseRow, l: &LitRow) -> SuitDto {
    SuitDto {
        id: c.id,
        case_no: c.case_no.clone(),
        state: c.state.clone(),
        org_id: c.org_id,
        court_case_no: l.court_case_no.clone(),
        due_on: c.due_on.clone(),
        answered_in_time: l.answered_in_time,
        final_outcome: l.final_outcome.clone(),
        lost: l.lost,
        performance: l.performance.clone(),
        version: c.version,
    }
}

/// Register a suit against an agency.
#[utoipa::path(post, path = "/api/v1/disputes/litigation", tag = "disputes", request_body = SuitIn, responses((status = 201, body = SuitDto), (status = 422, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn api_create(State(state): State<AppState>, caller: Caller, JsonBody(b): JsonBody<SuitIn>) -> Result<Response, AppError> {
    caller.require(Perm::CASE_HANDLE)?;
    let n = NewSuit {
        org_id: b.org_id,
        court: b.court,
        court_case_no: b.court_case_no,
        plaintiff: b.plaintiff,
        cause: b.cause,
        act_challenged: b.act_challenged,
        served_on: b.served_on,
    };
    let c = litigation::register(&state, &Who::of(&caller), n).await?;
    let l = litigation::row(&state.db, c.id).await?.ok_or_else(crate::kernel::access::not_found)?;
    Ok((StatusCode::CREATED, Json(dto(&c, &l))).into_response())
}

async fn readable(state: &AppState, caller: &Caller, id: i64) -> Result<(CaseRow, LitRow), AppError> {
    let (c, l) = litigation::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let path = crate::kernel::access::org_path(state, c.org_id).await?;
    if !caller.allows(Perm::CASE_READ, Some(P), &path) {
        return Err(crate::kernel::access::not_found());
    }
    Ok((c, l))
}

/// One suit.
#[utoipa::path(get, path = "/api/v1/disputes/litigation/{id}", tag = "disputes", params(("id" = i64, Path)), responses((status = 200, body = SuitDto), (status = 404, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn api_get(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<Json<SuitDto>, AppError> {
    let (c, l) = readable(&state, &caller, id).await?;
    Ok(Json(dto(&c, &l)))
}

/// Take a step: answer (answer_summary), hearing (hearing_on, appearance, head_name, excuse), judge / rule (outcome), appeal (appellant), effective, final (outcome), close (performance when lost).
#[utoipa::path(post, path = "/api/v1/disputes/litigation/{id}/steps/{action}", tag = "disputes", request_body = crate::api::StepDto, params(("id" = i64, Path), ("action" = String, Path)),
    responses((status = 200, body = SuitDto), (status = 422, body = ErrorDoc), (status = 409, body = ErrorDoc), (status = 404, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn api_step(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, action)): Path<(i64, String)>,
    JsonBody(b): JsonBody<crate::api::StepDto>,
) -> Result<Json<SuitDto>, AppError> {
    readable(&state, &caller, id).await?;
    let c = litigation::step(&state, &Who::of(&caller), id, b.version, &action, StepForm { reason: b.reason, fields: b.fields, days: b.days }).await?;
    let l = litigation::row(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    Ok(Json(dto(&c, &l)))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(api_create, api_get, api_step))]
pub struct LitigationApi;
