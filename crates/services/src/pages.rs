//! Staff pages of government services: the application register (filtered by state, item and
//! channel), the counter's registration form, and the application's case page (the shared case
//! page with the item, its limits as filed and every event that moved the due date).

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};

use crate::auth::{Perm, Staff};
use crate::error::{AppError, FieldError};
use crate::kernel::page::{self, CaseView, Party, StepError};
use crate::rules::{self, PROCEDURE};
use crate::service::{self, AppRow, ItemRow, StepForm, Who};
use crate::state::AppState;
use crate::time::today;
use crate::web::extract::{Path, Query};
use crate::web::form::FormData;
use crate::web::{Ctx, Layout, PageError, redirect_flash, redirect_ok, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/services/applications", get(list))
        .route("/services/applications/new", get(new_form).post(create))
        .route("/services/applications/export.xlsx", get(export))
        .route("/services/applications/{id}", get(show))
        .route("/services/applications/{id}/step/{action}", post(step))
}

pub struct Line {
    pub id: i64,
    pub case_no: String,
    pub title: String,
    pub item: String,
    pub channel: &'static str,
    pub received: String,
    pub state: &'static str,
    pub due: String,
}

#[derive(sqlx::FromRow)]
struct ListRow {
    id: i64,
    case_no: String,
    title: String,
    item: String,
    channel: String,
    received_on: String,
    state: String,
    due_on: Option<String>,
}

#[derive(serde::Deserialize, Default)]
pub struct Filter {
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub channel: String,
}

#[derive(Template)]
#[template(path = "services/applications.html")]
struct ListPage {
    layout: Layout,
    items: Vec<Line>,
    filter: Filter,
    export: String,
    states: Vec<(&'static str, &'static str)>,
    channels: &'static [(&'static str, &'static str)],
}

/// The register's rows as filtered, for the caller's units only, in one query.
async fn rows(state: &AppState, staff: &Staff, filter: &Filter, limit: i64) -> Result<Vec<ListRow>, AppError> {
    let scope = staff.scope(Perm::CASE_READ, Some(rules::CODE));
    let mut query = crate::db::q(
        "SELECT c.id, c.case_no, c.title, i.name AS item, a.channel, a.received_on, c.state, c.due_on FROM cases c JOIN svc_applications a ON a.case_id = c.id JOIN svc_items i ON i.id = a.item_id WHERE c.procedure = 'licence'",
    );
    if PROCEDURE.state(&filter.state).is_some() {
        query = query.push_bind(" AND c.state = {}", filter.state.clone());
    }
    if !rules::label(rules::CHANNELS, &filter.channel).is_empty() {
        query = query.push_bind(" AND a.channel = {}", filter.channel.clone());
    }
    scope.filter(query, "c.org_id").push(&format!(" ORDER BY a.received_on DESC, c.id DESC LIMIT {limit}")).fetch_all(&state.db).await
}

async fn list(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(filter): Query<Filter>) -> Result<Response, PageError> {
    if !crate::reads(&staff) {
        return Err(AppError::forbidden("forbidden", "您没有查看政务服务申请的权限").into());
    }
    let items = rows(&state, &staff, &filter, 200)
        .await?
        .into_iter()
        .map(|r| Line {
            id: r.id,
            case_no: r.case_no,
            title: r.title,
            item: r.item,
            channel: rules::label(rules::CHANNELS, &r.channel),
            received: r.received_on,
            state: PROCEDURE.state_name(&r.state),
            due: r.due_on.unwrap_or_default(),
        })
        .collect();
    let export = format!("/services/applications/export.xlsx?state={}&channel={}", filter.state, filter.channel);
    render(&ListPage {
        layout: Layout::new(&staff, &ctx, "政务服务申请").crumb("政务服务", "/services/applications").crumb("申请登记簿", ""),
        items,
        filter,
        export,
        states: PROCEDURE.states.iter().map(|s| (s.code, s.name)).collect(),
        channels: rules::CHANNELS,
    })
}

/// At most this many rows in one export.
const EXPORT_MAX: i64 = 20_000;

/// The register as filtered on screen, as XLSX: a title line naming the filter, dates as dates.
async fn export(State(state): State<AppState>, staff: Staff, Query(filter): Query<Filter>) -> Result<Response, PageError> {
    if !crate::reads(&staff) {
        return Err(AppError::forbidden("forbidden", "您没有查看政务服务申请的权限").into());
    }
    use crate::tabular::XCell;
    let data: Vec<Vec<XCell>> = rows(&state, &staff, &filter, EXPORT_MAX)
        .await?
        .into_iter()
        .map(|r| {
            vec![
                XCell::Text(r.case_no),
                XCell::Text(r.title),
                XCell::Text(r.item),
                XCell::Text(rules::label(rules::CHANNELS, &r.channel).to_string()),
                XCell::date(Some(r.received_on.as_str())),
                XCell::Text(PROCEDURE.state_name(&r.state).to_string()),
                XCell::date(r.due_on.as_deref()),
            ]
        })
        .collect();
    let filters = [
        ("状态", PROCEDURE.state(&filter.state).map(|s| s.name.to_string()).unwrap_or_default()),
        ("申请方式", rules::label(rules::CHANNELS, &filter.channel).to_string()),
    ];
    let title = crate::tabular::export_title("政务服务申请", &filters, data.len());
    let header = ["申请编号", "申请", "事项", "申请方式", "收件日期", "状态", "期限"].map(String::from).to_vec();
    Ok(crate::tabular::export("政务服务申请", &[crate::tabular::Sheet::new("申请", Some(title), header, data)])?)
}

#[derive(Template)]
#[template(path = "services/application.html")]
struct CasePage {
    layout: Layout,
    cv: CaseView,
    a: AppRow,
    item: ItemRow,
    channel: &'static str,
    mode: &'static str,
    mode_effect: &'static str,
    level: &'static str,
    limit: i64,
    /// Accepted by the sweep because no answer came within 5 working days (Art. 32(四)).
    deemed: bool,
    /// Still waiting for acceptance after its 5 working days: the next sweep accepts it.
    lapsing: bool,
    art32: String,
    version_note: String,
}

async fn case_page(state: &AppState, staff: &Staff, ctx: &Ctx, id: i64, error: Option<(String, AppError)>) -> Result<Response, PageError> {
    let (case, a) = service::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let path = crate::kernel::access::org_path(state, case.org_id).await?;
    if !staff.allows(Perm::CASE_READ, Some(rules::CODE), &path) {
        return Err(crate::kernel::access::not_found().into());
    }
    let item = service::item(&state.db, a.item_id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let who = Who::staff(staff);
    let cal = state.calendar();
    let day = today();
    struct Auth<'a>(&'a Who, String);
    impl crate::kernel::engine::Authority for Auth<'_> {
        fn staff_may(&self, perm: Perm) -> bool {
            self.0.allows(perm, &self.1)
        }
        fn is_filer(&self) -> bool {
            false
        }
        fn is_system(&self) -> bool {
            false
        }
    }
    let mut flags = BTreeMap::new();
    flags.insert("commitment_mode".to_string(), a.reform_mode == "commitment");
    let facts = case.facts(flags);
    let deemed = facts.count("deemed_accept") > 0;
    let lapsing = case.state == "received" && case.clock_rule.as_deref() == Some("acceptance") && case.due_date().is_some_and(|due| day > due);
    let steps = page::step_views(&PROCEDURE, &facts, &Auth(&who, path), day, &cal, &page::NoAsks);
    let cv = CaseView {
        state_name: PROCEDURE.state_name(&case.state),
        badge: page::badge(&PROCEDURE, &case, "期限", day, &cal),
        tags: vec![],
        parties: vec![Party::new("申请人", Some(&a.applicant), a.applicant_phone.as_deref(), None, false)],
        revealed: false,
        can_reveal: false,
        base: format!("/services/applications/{id}"),
        multipart: false,
        steps,
        error: error.map(|(act, e)| StepError::new(act, &e)),
        timeline: crate::audit::timeline(&state.db, "case", id).await?,
        documents: vec![],
        attachments: vec![],
        case,
    };
    let bad = cv.bad();
    let mut r = render(&CasePage {
        layout: Layout::new(staff, ctx, format!("申请 {}", cv.case.case_no)).crumb("政务服务", "/services/applications").crumb(cv.case.case_no.clone(), ""),
        channel: rules::label(rules::CHANNELS, &a.channel),
        mode: rules::label(rules::MODES, &a.reform_mode),
        mode_effect: rules::mode_effect(&a.reform_mode),
        level: rules::label(rules::ONLINE_LEVELS, &item.online_level),
        limit: a.committed_days.min(a.statutory_days),
        deemed,
        lapsing,
        art32: rules::ART_32.full(),
        version_note: crate::catalogue::version_note(&state.db, &a).await?,
        cv,
        a,
        item,
    })?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn show(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    case_page(&state, &staff, &ctx, id, None).await
}

fn step_form(f: &FormData) -> Result<StepForm, AppError> {
    let mut fields = BTreeMap::new();
    for (k, v) in &f.0 {
        if !matches!(k.as_str(), "_csrf" | "reason" | "days" | "version") {
            fields.insert(k.clone(), v.clone());
        }
    }
    let days = match f.get("days").map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(d) => Some(d.parse::<u32>().map_err(|_| AppError::field("days", "not_a_number", "天数必须是正整数"))?),
    };
    Ok(StepForm { reason: f.get("reason").map(str::to_string).filter(|s| !s.trim().is_empty()), fields, days })
}

async fn step(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path((id, action)): Path<(i64, String)>, form: FormData) -> Result<Response, PageError> {
    let sf = match step_form(&form) {
        Ok(s) => s,
        Err(e) => return case_page(&state, &staff, &ctx, id, Some((action, e))).await,
    };
    match service::step(&state, &Who::staff(&staff), id, form.int("version"), &action, sf).await {
        Ok(c) => Ok(redirect_ok(&format!("/services/applications/{id}"), &format!("申请现为“{}”", PROCEDURE.state_name(&c.state)))),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => case_page(&state, &staff, &ctx, id, Some((action, e))).await,
        Err(e @ AppError::Conflict { .. }) => Ok(redirect_flash(&format!("/services/applications/{id}"), false, &e.user_message())),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "services/application_form.html")]
struct FormPage {
    layout: Layout,
    items: Vec<ItemRow>,
    values: BTreeMap<String, String>,
    errors: Vec<FieldError>,
    channels: &'static [(&'static str, &'static str)],
}

impl FormPage {
    fn v(&self, k: &str) -> String {
        self.values.get(k).cloned().unwrap_or_default()
    }
    fn err(&self, k: &str) -> String {
        self.errors.iter().filter(|e| e.field == k).map(|e| e.message.clone()).collect::<Vec<_>>().join("；")
    }
}

/// The items of the units where the person takes in applications.
async fn own_items(state: &AppState, staff: &Staff) -> Result<Vec<ItemRow>, AppError> {
    let scope = staff.scope(Perm::CASE_HANDLE, Some(rules::CODE));
    let query = crate::db::q(format!("SELECT {} FROM svc_items i WHERE i.reform_mode <> 'cancel'", service::ITEM_COLS));
    scope.filter(query, "i.org_id").push(" ORDER BY i.code LIMIT 500").fetch_all(&state.db).await
}

async fn form_page(state: &AppState, staff: &Staff, ctx: &Ctx, values: BTreeMap<String, String>, e: Option<AppError>) -> Result<Response, PageError> {
    let bad = e.is_some();
    let mut r = render(&FormPage {
        layout: Layout::new(staff, ctx, "窗口收件").crumb("政务服务", "/services/applications").crumb("窗口收件", ""),
        items: own_items(state, staff).await?,
        values,
        errors: e.as_ref().map(|e| e.field_errors().to_vec()).unwrap_or_default(),
        channels: rules::CHANNELS,
    })?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn new_form(State(state): State<AppState>, staff: Staff, ctx: Ctx) -> Result<Response, PageError> {
    staff.require(Perm::CASE_HANDLE)?;
    form_page(&state, &staff, &ctx, BTreeMap::new(), None).await
}

async fn create(State(state): State<AppState>, staff: Staff, ctx: Ctx, form: FormData) -> Result<Response, PageError> {
    staff.require(Perm::CASE_HANDLE)?;
    let values: BTreeMap<String, String> = form.0.iter().filter(|(k, _)| k != "_csrf").cloned().collect();
    let s = |k: &str| form.get(k).map(str::to_string);
    let n = service::NewApplication {
        item_id: form.int("item_id"),
        channel: s("channel"),
        applicant: s("applicant"),
        applicant_phone: s("applicant_phone"),
        received_on: s("received_on"),
    };
    match service::apply(&state, &Who::staff(&staff), n).await {
        Ok(c) => {
            Ok(redirect_ok(&format!("/services/applications/{}", c.id), &format!("已收件 {}，受理期限 {}", c.case_no, c.due_on.clone().unwrap_or_default())))
        }
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => form_page(&state, &staff, &ctx, values, Some(e)).await,
        Err(e) => Err(e.into()),
    }
}
