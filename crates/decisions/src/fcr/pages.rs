//! Staff pages of fair-competition review: the register of measures (with XLSX export), a new
//! measure, and the measure's page on the shared case page with its standards checklist, every
//! opinion given on it, and the spot checks and complaints with their rectification and 约谈.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use super::rules::{self, PROCEDURE};
use super::service::{self, CheckRow, MeasureRow, NewMeasure, OpinionRow};
use crate::audit;
use crate::auth::roles::Scope;
use crate::auth::{Perm, Staff};
use crate::db::q;
use crate::error::AppError;
use crate::kernel::page::{self, CaseView, NoAsks, StepError};
use crate::org::queries::OrgRow;
use crate::service::Who;
use crate::state::AppState;
use crate::time::today;
use crate::web::extract::{Path, Query};
use crate::web::form::FormData;
use crate::web::pagination::{Page, Paging};
use crate::web::{Ctx, Layout, PageError, redirect_flash, redirect_ok, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/decisions/fcr", get(list))
        .route("/decisions/fcr/new", get(new_form).post(create))
        .route("/decisions/fcr/{id}", get(show))
        .route("/decisions/fcr/{id}/step/{action}", post(step))
}

fn read_scope(staff: &Staff) -> Result<Scope, AppError> {
    let scope = staff.scope(Perm::CASE_READ, Some(rules::CODE));
    if scope == Scope::Nothing {
        return Err(AppError::forbidden("forbidden", "您没有查看公平竞争审查的权限"));
    }
    Ok(scope)
}

#[derive(Deserialize, Default)]
pub struct Filter {
    pub state: Option<String>,
    pub q: Option<String>,
    pub format: Option<String>,
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    pub page: Option<i64>,
}

#[derive(sqlx::FromRow)]
pub struct Line {
    pub id: i64,
    pub case_no: String,
    pub title: String,
    pub state: String,
    pub unit: String,
    pub by_government: bool,
    pub conclusion: Option<String>,
    pub until_on: Option<String>,
}

const BASE: &str = "FROM cases c JOIN fcr_measures m ON m.case_id = c.id JOIN orgs o ON o.id = c.org_id WHERE c.procedure = 'fair_competition'";
// The latest concluding opinion of each measure, read with the page's rows (one subquery each,
// on the case index; a page has at most a hundred rows).
const COLS: &str = "c.id, c.case_no, m.title, c.state, o.short_name AS unit, m.by_government, \
    (SELECT x.conclusion FROM fcr_opinions x WHERE x.case_id = c.id AND x.stage <> 'initial' ORDER BY x.id DESC LIMIT 1) AS conclusion, \
    (SELECT x.until_on FROM fcr_opinions x WHERE x.case_id = c.id AND x.stage <> 'initial' ORDER BY x.id DESC LIMIT 1) AS until_on";

fn filtered(mut query: crate::db::Q, f: &Filter, scope: &Scope) -> crate::db::Q {
    query = scope.filter(query, "c.org_id");
    if let Some(s) = f.state.as_deref().filter(|s| !s.is_empty()) {
        query = query.push_bind(" AND c.state = {}", s.to_string());
    }
    if let Some(t) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pat = crate::db::dialect::contains_pattern(t);
        query = query.push_bind(" AND (m.title LIKE {} ESCAPE '\\'", pat.clone()).push_bind(" OR c.case_no LIKE {} ESCAPE '\\')", pat);
    }
    query
}

#[derive(Template)]
#[template(path = "decisions/fcr_list.html")]
struct ListPage {
    layout: Layout,
    page: Page<Line>,
    f: Filter,
    base: String,
    export: String,
    states: Vec<(&'static str, &'static str)>,
    can_create: bool,
}

impl ListPage {
    fn state_name(&self, s: &str) -> &'static str {
        PROCEDURE.state_name(s)
    }
    fn conclusion(&self, c: &Option<String>) -> &'static str {
        c.as_deref().map(|c| rules::label(rules::CONCLUSIONS, c)).unwrap_or("")
    }
}

async fn list(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(f): Query<Filter>) -> Result<Response, PageError> {
    let scope = read_scope(&staff)?;
    if f.format.as_deref() == Some("xlsx") {
        let rows: Vec<Line> = filtered(q(format!("SELECT {COLS} {BASE}")), &f, &scope).push(" ORDER BY c.id DESC LIMIT 20000").fetch_all(&state.db).await?;
        let header = ["登记编号", "政策措施", "起草单位", "由政府出台", "审查结论", "例外实施期限至", "状态"];
        let data: Vec<Vec<String>> = rows
            .into_iter()
            .map(|r| {
                vec![
                    r.case_no,
                    r.title,
                    r.unit,
                    if r.by_government { "是" } else { "否" }.into(),
                    r.conclusion.as_deref().map(|c| rules::label(rules::CONCLUSIONS, c)).unwrap_or("").into(),
                    r.until_on.unwrap_or_default(),
                    PROCEDURE.state_name(&r.state).into(),
                ]
            })
            .collect();
        let bytes = crate::tabular::write_xlsx("公平竞争审查", &header, &data)?;
        return Ok(crate::tabular::xlsx_response(bytes, "公平竞争审查登记簿"));
    }
    let paging = Paging { page: f.page, per: None };
    let total = filtered(q(format!("SELECT COUNT(*) {BASE}")), &f, &scope).fetch_i64(&state.db).await?;
    let rows = filtered(q(format!("SELECT {COLS} {BASE}")), &f, &scope)
        .push(" ORDER BY c.id DESC")
        .push_bind(" LIMIT {}", paging.per())
        .push_bind(" OFFSET {}", paging.offset())
        .fetch_all(&state.db)
        .await?;
    let mut parts = Vec::new();
    for (k, v) in [("q", f.q.clone()), ("state", f.state.clone())] {
        if let Some(v) = v.filter(|s| !s.is_empty()) {
            parts.push(format!("{k}={}", crate::web::urlencode(&v)));
        }
    }
    render(&ListPage {
        layout: Layout::new(&staff, &ctx, "公平竞争审查").crumb("公平竞争审查", ""),
        page: Page::new(rows, &paging, total),
        base: format!("/decisions/fcr?{}&", parts.join("&")),
        export: format!("/decisions/fcr?{}&format=xlsx", parts.join("&")),
        states: PROCEDURE.states.iter().map(|s| (s.code, s.name)).collect(),
        can_create: staff.has(Perm::CASE_HANDLE),
        f,
    })
}

#[derive(Template)]
#[template(path = "decisions/fcr_form.html")]
struct FormPage {
    layout: Layout,
    units: Vec<OrgRow>,
    org_id: i64,
    title: String,
    summary: String,
    by_government: bool,
    error: String,
}

async fn form_page(state: &AppState, staff: &Staff, ctx: &Ctx, f: Option<&FormData>, e: Option<AppError>) -> Result<Response, PageError> {
    let bad = e.is_some();
    let mut r = render(&FormPage {
        layout: Layout::new(staff, ctx, "登记政策措施").crumb("公平竞争审查", "/decisions/fcr").crumb("登记政策措施", ""),
        units: crate::pages::issuers(state).await?,
        org_id: f.and_then(|f| f.int("org_id")).unwrap_or(staff.org_id),
        title: f.and_then(|f| f.get("title")).unwrap_or("").to_string(),
        summary: f.and_then(|f| f.get("summary")).unwrap_or("").to_string(),
        by_government: f.is_some_and(|f| f.checked("by_government")),
        error: e
            .map(|e| {
                let mut s: Vec<String> = e.field_errors().iter().map(|f| f.message.clone()).collect();
                if s.is_empty() {
                    s.push(e.user_message());
                }
                s.join("；")
            })
            .unwrap_or_default(),
    })?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn new_form(State(state): State<AppState>, staff: Staff, ctx: Ctx) -> Result<Response, PageError> {
    staff.require(Perm::CASE_HANDLE)?;
    form_page(&state, &staff, &ctx, None, None).await
}

async fn create(State(state): State<AppState>, staff: Staff, ctx: Ctx, form: FormData) -> Result<Response, PageError> {
    staff.require(Perm::CASE_HANDLE)?;
    let n = NewMeasure {
        org_id: form.int("org_id"),
        title: form.get("title").map(str::to_string),
        summary: form.get("summary").map(str::to_string),
        by_government: form.checked("by_government"),
    };
    match service::create(&state, &Who::staff(&staff), n).await {
        Ok(c) => Ok(redirect_ok(&format!("/decisions/fcr/{}", c.id), &format!("已登记：{}", c.case_no))),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => form_page(&state, &staff, &ctx, Some(&form), Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

/// One opinion as shown: its standards, the ones found first.
pub struct OpinionView {
    pub o: OpinionRow,
    pub found: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "decisions/fcr.html")]
struct MeasurePage {
    layout: Layout,
    cv: CaseView,
    m: MeasureRow,
    unit: String,
    opinions: Vec<OpinionView>,
    checks: Vec<CheckRow>,
    standards: &'static [rules::Standard],
}

impl MeasurePage {
    fn conclusion(&self, c: &str) -> &'static str {
        rules::label(rules::CONCLUSIONS, c)
    }
    fn ground(&self, g: &Option<String>) -> &'static str {
        g.as_deref().map(|g| rules::label(rules::GROUNDS, g)).unwrap_or("")
    }
    fn stage(&self, s: &str) -> &'static str {
        match s {
            "initial" => "起草单位初审",
            "regulator" => "市场监管部门审查",
            _ => "起草单位审查",
        }
    }
    fn source(&self, s: &str) -> &'static str {
        rules::label(rules::SOURCES, s)
    }
    fn finding(&self, s: &str) -> &'static str {
        rules::label(rules::FINDINGS, s)
    }
}

async fn measure_page(state: &AppState, staff: &Staff, ctx: &Ctx, id: i64, error: Option<(String, AppError)>) -> Result<Response, PageError> {
    let who = Who::staff(staff);
    let (case, m, path) = service::readable(state, &who, id).await?;
    let auth = service::authority(&who, path);
    let cal = state.calendar();
    let day = today();
    let ops = service::opinions(&state.db, id).await?;
    let chs = service::checks(&state.db, id).await?;
    let facts = case.facts(service::flags(&m, &ops, &chs, day));
    let steps = page::step_views(&PROCEDURE, &facts, &auth, day, &cal, &NoAsks);
    let unit = crate::org::queries::get(&state.db, case.org_id).await?.map(|o| o.name).unwrap_or_default();
    let mut tags = vec![];
    if m.by_government {
        tags.push(("由政府出台·市场监管部门审查".to_string(), "amber"));
    }
    let cv = CaseView {
        state_name: PROCEDURE.state_name(&case.state),
        badge: page::badge(&PROCEDURE, &case, "期限", day, &cal),
        tags,
        parties: vec![],
        revealed: false,
        can_reveal: false,
        base: format!("/decisions/fcr/{id}"),
        multipart: false,
        steps,
        error: error.map(|(a, e)| StepError::new(a, &e)),
        timeline: audit::timeline(&state.db, "case", id).await?,
        documents: vec![],
        attachments: vec![],
        case,
    };
    let opinions = ops
        .into_iter()
        .rev()
        .map(|o| {
            let answers: std::collections::BTreeMap<String, String> = serde_json::from_str(&o.answers).unwrap_or_default();
            let found = rules::STANDARDS.iter().filter(|s| answers.get(s.code).map(String::as_str) == Some("yes")).map(|s| (s.article, s.text)).collect();
            OpinionView { o, found }
        })
        .collect();
    let bad = cv.bad();
    let mut r = render(&MeasurePage {
        layout: Layout::new(staff, ctx, cv.case.title.clone()).crumb("公平竞争审查", "/decisions/fcr").crumb(cv.case.case_no.clone(), ""),
        cv,
        m,
        unit,
        opinions,
        checks: chs,
        standards: rules::STANDARDS,
    })?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn show(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    measure_page(&state, &staff, &ctx, id, None).await
}

async fn step(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path((id, action)): Path<(i64, String)>, form: FormData) -> Result<Response, PageError> {
    let sf = match crate::pages::step_form(&form) {
        Ok(s) => s,
        Err(e) => return measure_page(&state, &staff, &ctx, id, Some((action, e))).await,
    };
    match service::step(&state, &Who::staff(&staff), id, form.int("version"), &action, sf).await {
        Ok(case) => {
            let name = PROCEDURE.transitions.iter().find(|t| t.action == action).map(|t| t.name).unwrap_or("");
            Ok(redirect_ok(&format!("/decisions/fcr/{id}"), &format!("已{name}：现为“{}”", PROCEDURE.state_name(&case.state))))
        }
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => measure_page(&state, &staff, &ctx, id, Some((action, e))).await,
        Err(e @ AppError::Conflict { .. }) => Ok(redirect_flash(&format!("/decisions/fcr/{id}"), false, &e.user_message())),
        Err(e) => Err(e.into()),
    }
}
