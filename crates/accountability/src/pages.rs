//! Staff pages of 督察 rectification: the register (filters, XLSX export), a new finding, and
//! the task's page on the shared case page with its steps.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{Datelike, NaiveDate};

use super::queries::{self, Filter, ListRow, RectRow};
use super::rules::{self, PROCEDURE};
use super::service::{self, NewFinding, StepForm, Who};
use crate::audit;
use crate::auth::roles::Scope;
use crate::auth::{Perm, Staff};
use crate::error::{AppError, FieldError};
use crate::kernel::page::{self, CaseView, NoAsks, StepError};
use crate::org::queries::{self as orgs, OrgRow};
use crate::state::AppState;
use crate::time::{fmt_date, parse_date, today};
use crate::web::extract::{Path, Query};
use crate::web::form::FormData;
use crate::web::pagination::Page;
use crate::web::{Ctx, Layout, PageError, redirect_flash, redirect_ok, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accountability/rectifications", get(list))
        .route("/accountability/rectifications/new", get(new_form).post(create))
        .route("/accountability/rectifications/{id}", get(show))
        .route("/accountability/rectifications/{id}/step/{action}", post(step))
}

/// Where a task stands today, as the register shows it.
pub fn status_label(state: &str, due_on: Option<&str>, reported_late: Option<bool>, day: NaiveDate) -> (String, &'static str) {
    let name = PROCEDURE.state_name(state);
    match state {
        "rectifying" if due_on.and_then(parse_date).is_some_and(|d| day > d) => (format!("{name}（已超期）"), "red"),
        "rectifying" | "found" => (name.into(), "amber"),
        "verifying" if reported_late == Some(true) => (format!("{name}（逾期报告）"), "amber"),
        "verifying" => (name.into(), "blue"),
        "closed" | "confirmed" => (name.into(), "green"),
        _ => (name.into(), ""),
    }
}

pub struct Line {
    pub id: i64,
    pub case_no: String,
    pub unit: String,
    pub inspection: String,
    pub kind: &'static str,
    pub finding: String,
    pub found_on: String,
    pub due_on: String,
    pub reported_on: String,
    pub verified_on: String,
    pub reopened: i64,
    pub status: String,
    pub tone: &'static str,
}

async fn lines(state: &AppState, rows: Vec<ListRow>) -> Result<Vec<Line>, AppError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.org_id).collect();
    let names: Vec<(i64, String)> = crate::db::q("SELECT id, short_name FROM orgs WHERE").push_in("id", &ids).fetch_all(&state.db).await?;
    let day = today();
    Ok(rows
        .into_iter()
        .map(|r| {
            let (status, tone) = status_label(&r.state, r.due_on.as_deref(), r.reported_late, day);
            let reported_on = match (r.reported_on, r.reported_late) {
                (Some(d), Some(true)) => format!("{d}（逾期）"),
                (Some(d), _) => d,
                _ => String::new(),
            };
            Line {
                id: r.id,
                case_no: r.case_no,
                unit: names.iter().find(|n| n.0 == r.org_id).map(|n| n.1.clone()).unwrap_or_default(),
                inspection: r.inspection,
                kind: rules::kind_label(&r.kind),
                finding: r.finding,
                found_on: r.found_on,
                due_on: r.due_on.unwrap_or_default(),
                reported_on,
                verified_on: r.verified_on.unwrap_or_default(),
                reopened: r.reopened,
                status,
                tone,
            }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "accountability/rectifications.html")]
struct ListPage {
    layout: Layout,
    page: Page<Line>,
    f: Filter,
    base: String,
    export: String,
    units: Vec<OrgRow>,
    states: Vec<(&'static str, &'static str)>,
    kinds: &'static [(&'static str, &'static str)],
    years: Vec<i64>,
    can_create: bool,
}

fn read_scope(staff: &Staff) -> Result<Scope, AppError> {
    let scope = staff.scope(Perm::CASE_READ, Some(rules::CODE));
    if scope == Scope::Nothing {
        return Err(AppError::forbidden("forbidden", "您没有查看督察整改的权限"));
    }
    Ok(scope)
}

async fn units(state: &AppState) -> Result<Vec<OrgRow>, AppError> {
    use crate::org::OrgKind;
    orgs::of_kinds(&state.db, &[OrgKind::City, OrgKind::Department, OrgKind::Town, OrgKind::Park]).await
}

async fn list(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(f): Query<Filter>) -> Result<Response, PageError> {
    let scope = read_scope(&staff)?;
    let org_path = match f.org {
        Some(o) => orgs::get(&state.db, o).await?.map(|o| o.path),
        None => None,
    };
    let day = fmt_date(today());
    if f.format.as_deref() == Some("xlsx") {
        let rows = lines(&state, queries::export(&state.db, &f, &scope, org_path.as_deref(), &day).await?).await?;
        let header = ["编号", "被督察单位", "督察", "类型", "发现的问题", "发现日期", "整改期限", "报告整改", "核验销号", "重新整改次数", "状态"];
        let data: Vec<Vec<String>> = rows
            .into_iter()
            .map(|l| {
                vec![
                    l.case_no,
                    l.unit,
                    l.inspection,
                    l.kind.to_string(),
                    l.finding,
                    l.found_on,
                    l.due_on,
                    l.reported_on,
                    l.verified_on,
                    l.reopened.to_string(),
                    l.status,
                ]
            })
            .collect();
        let bytes = crate::tabular::write_xlsx("督察整改", &header, &data)?;
        return Ok(crate::tabular::xlsx_response(bytes, "督察问题整改台账"));
    }
    let page = queries::list(&state.db, &f, &scope, org_path.as_deref(), &day).await?;
    let total = page.total;
    let items = lines(&state, page.items).await?;
    let mut parts = Vec::new();
    for (k, v) in [("q", f.q.clone()), ("state", f.state.clone()), ("status", f.status.clone()), ("kind", f.kind.clone())] {
        if let Some(v) = v.filter(|s| !s.is_empty()) {
            parts.push(format!("{k}={}", crate::web::urlencode(&v)));
        }
    }
    for (k, v) in [("org", f.org), ("year", f.year)] {
        if let Some(v) = v {
            parts.push(format!("{k}={v}"));
        }
    }
    let y = i64::from(today().year());
    render(&ListPage {
        layout: Layout::new(&staff, &ctx, "督察整改").crumb("督察整改", ""),
        page: Page { items, page: page.page, per_page: page.per_page, total },
        base: format!("/accountability/rectifications?{}&", parts.join("&")),
        export: format!("/accountability/rectifications?{}&format=xlsx", parts.join("&")),
        units: units(&state).await?,
        states: PROCEDURE.states.iter().map(|s| (s.code, s.name)).collect(),
        kinds: rules::KINDS,
        years: vec![y, y - 1, y - 2],
        can_create: staff.has(super::roles::INSPECT),
        f,
    })
}

// ------------------------------------------------------------------ a new finding

#[derive(Template)]
#[template(path = "accountability/rectification_form.html")]
struct FormPage {
    layout: Layout,
    units: Vec<OrgRow>,
    kinds: &'static [(&'static str, &'static str)],
    values: BTreeMap<String, String>,
    errors: Vec<FieldError>,
    basis: Vec<String>,
}

impl FormPage {
    fn v(&self, k: &str) -> String {
        self.values.get(k).cloned().unwrap_or_default()
    }
    fn err(&self, k: &str) -> String {
        self.errors.iter().filter(|e| e.field == k).map(|e| e.message.clone()).collect::<Vec<_>>().join("；")
    }
}

async fn form_page(state: &AppState, staff: &Staff, ctx: &Ctx, values: BTreeMap<String, String>, e: Option<AppError>) -> Result<Response, PageError> {
    let bad = e.is_some();
    let mut r = render(&FormPage {
        layout: Layout::new(staff, ctx, "登记督察问题").crumb("督察整改", "/accountability/rectifications").crumb("登记督察问题", ""),
        units: units(state).await?,
        kinds: rules::KINDS,
        values,
        errors: e.as_ref().map(|e| e.field_errors().to_vec()).unwrap_or_default(),
        basis: e.as_ref().map(|e| e.basis().to_vec()).unwrap_or_default(),
    })?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn new_form(State(state): State<AppState>, staff: Staff, ctx: Ctx) -> Result<Response, PageError> {
    staff.require(super::roles::INSPECT)?;
    let mut v = BTreeMap::new();
    v.insert("kind".into(), "inspection".into());
    v.insert("found_on".into(), fmt_date(today()));
    form_page(&state, &staff, &ctx, v, None).await
}

async fn create(State(state): State<AppState>, staff: Staff, ctx: Ctx, form: FormData) -> Result<Response, PageError> {
    staff.require(super::roles::INSPECT)?;
    let values: BTreeMap<String, String> = form.0.iter().filter(|(k, _)| k != "_csrf").cloned().collect();
    let new = NewFinding {
        org_id: form.int("org_id"),
        inspection: form.get("inspection").map(str::to_string),
        kind: form.get("kind").map(str::to_string),
        finding: form.get("finding").map(str::to_string),
        found_on: form.get("found_on").map(str::to_string),
    };
    match service::create(&state, &Who::staff(&staff), new).await {
        Ok(c) => Ok(redirect_ok(&format!("/accountability/rectifications/{}", c.id), &format!("已登记督察问题：{}", c.case_no))),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => form_page(&state, &staff, &ctx, values, Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ the task's page

#[derive(Template)]
#[template(path = "accountability/rectification.html")]
struct RectPage {
    layout: Layout,
    cv: CaseView,
    r: RectRow,
    unit: String,
    kind: &'static str,
    status: String,
    status_tone: &'static str,
    verifier: String,
}

async fn rect_page(state: &AppState, staff: &Staff, ctx: &Ctx, id: i64, error: Option<(String, AppError)>) -> Result<Response, PageError> {
    let who = Who::staff(staff);
    let (case, r, path) = service::readable(state, &who, id).await?;
    let cal = state.calendar();
    let day = today();
    let facts = case.facts(service::flags(&who, &path));
    let auth = service::RectAuthority { who: &who, path: path.clone() };
    let steps = page::step_views(&PROCEDURE, &facts, &auth, day, &cal, &NoAsks);
    let (status, status_tone) = status_label(&case.state, case.due_on.as_deref(), r.reported_late, day);
    let unit = orgs::get(&state.db, case.org_id).await?.map(|o| o.name).unwrap_or_default();
    let verifier = match r.verifier_id {
        Some(v) => {
            crate::db::q("SELECT display_name FROM users WHERE id = $1").bind(v).fetch_optional::<(String,)>(&state.db).await?.map(|x| x.0).unwrap_or_default()
        }
        None => String::new(),
    };
    let mut tags = vec![];
    if r.reported_late == Some(true) {
        tags.push(("逾期报告".to_string(), "red"));
    }
    if r.reopened > 0 {
        tags.push((format!("重新整改{}次", r.reopened), "amber"));
    }
    let caption = if case.clock_rule.as_deref() == Some("verify") { "核验期限" } else { "整改期限" };
    let cv = CaseView {
        state_name: PROCEDURE.state_name(&case.state),
        badge: page::badge(&PROCEDURE, &case, caption, day, &cal),
        tags,
        parties: vec![],
        revealed: false,
        can_reveal: false,
        base: format!("/accountability/rectifications/{id}"),
        multipart: false,
        steps,
        error: error.as_ref().map(|(a, e)| StepError::new(a.clone(), e)),
        timeline: audit::timeline(&state.db, "case", id).await?,
        documents: vec![],
        attachments: vec![],
        case,
    };
    let bad = cv.bad();
    let page = RectPage {
        layout: Layout::new(staff, ctx, cv.case.title.clone()).crumb("督察整改", "/accountability/rectifications").crumb(cv.case.case_no.clone(), ""),
        kind: rules::kind_label(&r.kind),
        cv,
        r,
        unit,
        status,
        status_tone,
        verifier,
    };
    let mut resp = render(&page)?;
    if bad {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

async fn show(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    rect_page(&state, &staff, &ctx, id, None).await
}

async fn step(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path((id, action)): Path<(i64, String)>, form: FormData) -> Result<Response, PageError> {
    let mut fields = BTreeMap::new();
    for (k, v) in &form.0 {
        if !matches!(k.as_str(), "_csrf" | "reason" | "version") {
            fields.insert(k.clone(), v.clone());
        }
    }
    let sf = StepForm { reason: form.get("reason").map(str::to_string).filter(|s| !s.trim().is_empty()), fields };
    match service::step(&state, &Who::staff(&staff), id, form.int("version"), &action, sf).await {
        Ok(case) => {
            let name = PROCEDURE.transitions.iter().find(|t| t.action == action).map(|t| t.name).unwrap_or("");
            Ok(redirect_ok(&format!("/accountability/rectifications/{id}"), &format!("已{name}：现为“{}”", PROCEDURE.state_name(&case.state))))
        }
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => rect_page(&state, &staff, &ctx, id, Some((action, e))).await,
        Err(e @ AppError::Conflict { .. }) => Ok(redirect_flash(&format!("/accountability/rectifications/{id}"), false, &e.user_message())),
        Err(e) => Err(e.into()),
    }
}
