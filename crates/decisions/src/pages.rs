//! Staff pages of normative documents: the register (the year's plan, what is in force, what
//! has lapsed) with its XLSX export, a new plan item with its first draft, and the document's
//! page on the shared case page: the text of any version or as in force on a day, with the
//! comments and review opinions on each clause, the windows, the review checklist, the cleanups.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::model::{self, StatusOn};
use super::queries::{self, ClauseRow, CleanupRow, DocRow, Filter, ListRow, NoteRow, VersionRow, WindowRow};
use super::rules::{self, PROCEDURE};
use super::service::{self, CommentForm, NewDoc, StepForm, Who};
use crate::audit;
use crate::auth::roles::Scope;
use crate::auth::{Perm, Staff};
use crate::error::{AppError, FieldError};
use crate::kernel::engine;
use crate::kernel::page::{self, CaseView, NoAsks, StepError};
use crate::org::OrgKind;
use crate::org::queries::{self as orgs, OrgRow};
use crate::state::AppState;
use crate::time::{fmt_date, parse_date, today};
use crate::web::extract::{Path, Query};
use crate::web::form::FormData;
use crate::web::pagination::Page;
use crate::web::{Ctx, Layout, PageError, redirect_flash, redirect_ok, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/decisions/normdocs", get(list))
        .route("/decisions/normdocs/new", get(new_form).post(create))
        .route("/decisions/normdocs/{id}", get(show))
        .route("/decisions/normdocs/{id}/step/{action}", post(step))
        .route("/decisions/normdocs/{id}/versions", post(add_version))
        .route("/decisions/normdocs/{id}/comments", post(add_comment))
}

/// The units that issue documents, for selects.
pub async fn issuers(state: &AppState) -> Result<Vec<OrgRow>, AppError> {
    orgs::of_kinds(&state.db, &[OrgKind::City, OrgKind::Department, OrgKind::Town, OrgKind::Park]).await
}

/// A document's status today as the register shows it: past its validity it reads as expired
/// even before anyone (or the sweep) recorded it.
pub fn status_label(state: &str, effective_on: Option<&str>, valid_until: Option<&str>, ended_on: Option<&str>, day: NaiveDate) -> (String, &'static str) {
    if matches!(state, "published" | "in_force") {
        let d = model::Dates {
            effective_on: effective_on.and_then(parse_date),
            valid_until: valid_until.and_then(parse_date),
            ended_on: ended_on.and_then(parse_date),
        };
        return match model::status_on(&d, day) {
            StatusOn::Lapsed => (StatusOn::Lapsed.label().into(), "red"),
            StatusOn::NotYet => ("已公布、尚未施行".into(), "amber"),
            _ if state == "published" => (PROCEDURE.state_name(state).into(), "amber"),
            _ => (PROCEDURE.state_name(state).into(), "green"),
        };
    }
    let tone = match state {
        "repealed" | "expired" | "abandoned" => "",
        _ => "blue",
    };
    (PROCEDURE.state_name(state).into(), tone)
}

pub struct Line {
    pub id: i64,
    pub case_no: String,
    pub title: String,
    pub unit: String,
    pub plan_year: i64,
    pub doc_no: String,
    pub published_on: String,
    pub valid_until: String,
    pub filing: String,
    pub filing_tone: &'static str,
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
            let (status, tone) = status_label(&r.state, r.effective_on.as_deref(), r.valid_until.as_deref(), r.ended_on.as_deref(), day);
            let (filing, filing_tone) = match (&r.filed_on, r.filed_on_time, &r.filing_due_on) {
                (Some(f), Some(true), _) => (format!("{f} 按期"), "green"),
                (Some(f), _, _) => (format!("{f} 逾期"), "red"),
                (None, _, Some(due)) if parse_date(due).is_some_and(|d| day > d) => (format!("逾期未报（{due}前）"), "red"),
                (None, _, Some(due)) => (format!("{due}前报送"), "amber"),
                _ => (String::new(), ""),
            };
            Line {
                id: r.id,
                case_no: r.case_no,
                title: r.title,
                unit: names.iter().find(|n| n.0 == r.org_id).map(|n| n.1.clone()).unwrap_or_default(),
                plan_year: r.plan_year,
                doc_no: r.doc_no.unwrap_or_default(),
                published_on: r.published_on.unwrap_or_default(),
                valid_until: r.valid_until.unwrap_or_default(),
                filing,
                filing_tone,
                status,
                tone,
            }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "decisions/normdocs.html")]
struct ListPage {
    layout: Layout,
    page: Page<Line>,
    f: Filter,
    base: String,
    export: String,
    units: Vec<OrgRow>,
    states: Vec<(&'static str, &'static str)>,
    years: Vec<i64>,
    can_create: bool,
}

fn read_scope(staff: &Staff) -> Result<Scope, AppError> {
    let scope = staff.scope(Perm::CASE_READ, Some(rules::CODE));
    if scope == Scope::Nothing {
        return Err(AppError::forbidden("forbidden", "您没有查看规范性文件的权限"));
    }
    Ok(scope)
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
        let header = ["登记编号", "文件名称", "制定机关", "计划年度", "文号", "公布日期", "有效期至", "备案", "状态"];
        let data: Vec<Vec<String>> = rows
            .into_iter()
            .map(|l| vec![l.case_no, l.title, l.unit, l.plan_year.to_string(), l.doc_no, l.published_on, l.valid_until, l.filing, l.status])
            .collect();
        let bytes = crate::tabular::write_xlsx("规范性文件", &header, &data)?;
        return Ok(crate::tabular::xlsx_response(bytes, "规范性文件登记簿"));
    }
    let page = queries::list(&state.db, &f, &scope, org_path.as_deref(), &day).await?;
    let total = page.total;
    let items = lines(&state, page.items).await?;
    let mut parts = Vec::new();
    for (k, v) in [("q", f.q.clone()), ("state", f.state.clone()), ("status", f.status.clone())] {
        if let Some(v) = v.filter(|s| !s.is_empty()) {
            parts.push(format!("{k}={}", crate::web::urlencode(&v)));
        }
    }
    for (k, v) in [("org", f.org), ("plan_year", f.plan_year)] {
        if let Some(v) = v {
            parts.push(format!("{k}={v}"));
        }
    }
    let y = i64::from(today().year());
    render(&ListPage {
        layout: Layout::new(&staff, &ctx, "规范性文件").crumb("规范性文件", ""),
        page: Page { items, page: page.page, per_page: page.per_page, total },
        base: format!("/decisions/normdocs?{}&", parts.join("&")),
        export: format!("/decisions/normdocs?{}&format=xlsx", parts.join("&")),
        units: issuers(&state).await?,
        states: PROCEDURE.states.iter().map(|s| (s.code, s.name)).collect(),
        years: vec![y + 1, y, y - 1, y - 2],
        can_create: staff.has(Perm::CASE_HANDLE),
        f,
    })
}

// ------------------------------------------------------------------ a new plan item

#[derive(Template)]
#[template(path = "decisions/normdoc_form.html")]
struct FormPage {
    layout: Layout,
    units: Vec<OrgRow>,
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
        layout: Layout::new(staff, ctx, "列入制定计划").crumb("规范性文件", "/decisions/normdocs").crumb("列入制定计划", ""),
        units: issuers(state).await?,
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
    staff.require(Perm::CASE_HANDLE)?;
    let mut v = BTreeMap::new();
    v.insert("org_id".into(), staff.org_id.to_string());
    v.insert("plan_year".into(), today().year().to_string());
    form_page(&state, &staff, &ctx, v, None).await
}

async fn create(State(state): State<AppState>, staff: Staff, ctx: Ctx, form: FormData) -> Result<Response, PageError> {
    staff.require(Perm::CASE_HANDLE)?;
    let values: BTreeMap<String, String> = form.0.iter().filter(|(k, _)| k != "_csrf").cloned().collect();
    let new = NewDoc {
        org_id: form.int("org_id"),
        title: form.get("title").map(str::to_string),
        plan_year: form.get("plan_year").map(str::to_string),
        market_related: form.checked("market_related"),
        text: form.get("text").map(str::to_string),
    };
    match service::create(&state, &Who::staff(&staff), new).await {
        Ok(c) => Ok(redirect_ok(&format!("/decisions/normdocs/{}", c.id), &format!("已列入制定计划：{}，形成第1稿", c.case_no))),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => form_page(&state, &staff, &ctx, values, Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ the document's page

/// A clause with the comments and opinions on it.
pub struct ClauseView {
    pub c: ClauseRow,
    pub notes: Vec<NoteRow>,
}

#[derive(Template)]
#[template(path = "decisions/normdoc.html")]
struct DocPage {
    layout: Layout,
    cv: CaseView,
    d: DocRow,
    unit: String,
    status: String,
    status_tone: &'static str,
    versions: Vec<VersionRow>,
    shown: i64,
    /// What the text shown is: 第2稿, or the text in force on a day.
    shown_label: String,
    clauses: Vec<ClauseView>,
    whole_notes: Vec<NoteRow>,
    windows: Vec<WindowRow>,
    cleanups: Vec<CleanupRow>,
    checklist: Vec<(&'static str, String, &'static str)>,
    on: String,
    can_revise: bool,
    can_comment: bool,
    form_error: Option<(String, AppError)>,
    latest_text: String,
}

impl DocPage {
    fn form_err(&self, form: &str) -> String {
        match &self.form_error {
            Some((f, e)) if f == form => {
                let mut s = e.user_message();
                for b in e.basis() {
                    s.push_str(&format!("（依据：{b}）"));
                }
                s
            }
            _ => String::new(),
        }
    }
    fn window_unit(&self, w: &WindowRow) -> &'static str {
        if w.unit == "working_days" { "个工作日" } else { "日" }
    }
}

#[derive(Deserialize, Default)]
struct ShowQuery {
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    v: Option<i64>,
    on: Option<String>,
}

async fn doc_page(state: &AppState, staff: &Staff, ctx: &Ctx, id: i64, sq: ShowQuery, error: Option<(String, AppError)>) -> Result<Response, PageError> {
    let who = Who::staff(staff);
    let (case, d, path) = service::readable(state, &who, id).await?;
    let auth = service::DocAuthority { who: &who, path: path.clone() };
    let cal = state.calendar();
    let day = today();
    let window = queries::open_window(&state.db, id).await?;
    let facts = case.facts(service::flags(&case, &d, window.as_ref(), day, None));
    let steps = page::step_views(&PROCEDURE, &facts, &auth, day, &cal, &NoAsks);
    let versions = queries::versions(&state.db, id).await?;
    let latest = versions.iter().map(|v| v.version_no).max().unwrap_or(1);
    let mut bad_on = None;
    let (shown, shown_label, on) = match sq.on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => match parse_date(s) {
            Some(on_day) => {
                let vs: Vec<(i64, Option<NaiveDate>)> = versions.iter().map(|v| (v.version_no, v.in_force_from.as_deref().and_then(parse_date))).collect();
                match model::version_on(&d.dates(), &vs, on_day) {
                    Some(v) => (v, format!("{} 施行的文本（第{v}稿）", fmt_date(on_day)), fmt_date(on_day)),
                    None => (0, format!("{} 本文件不在有效期内：{}", fmt_date(on_day), model::status_on(&d.dates(), on_day).label()), fmt_date(on_day)),
                }
            }
            None => {
                bad_on = Some("日期格式应为 YYYY-MM-DD".to_string());
                (latest, format!("第{latest}稿（最新）"), s.to_string())
            }
        },
        None => {
            let v = sq.v.filter(|v| versions.iter().any(|x| x.version_no == *v)).unwrap_or(latest);
            (v, if v == latest { format!("第{v}稿（最新）") } else { format!("第{v}稿") }, String::new())
        }
    };
    let rows = if shown > 0 { queries::clauses(&state.db, id, shown).await? } else { vec![] };
    let notes = queries::notes(&state.db, id).await?;
    let whole_notes: Vec<NoteRow> = notes.iter().filter(|n| n.version_no == shown && n.clause_no == 0).cloned().collect();
    let clauses = rows
        .into_iter()
        .map(|c| ClauseView { notes: notes.iter().filter(|n| n.version_no == shown && n.clause_no == c.clause_no).cloned().collect(), c })
        .collect();
    let latest_text = queries::clauses(&state.db, id, latest).await?.into_iter().map(|c| format!("{} {}", c.heading, c.body)).collect::<Vec<_>>().join("\n");
    let answers: BTreeMap<String, String> = d.review_checklist.as_deref().and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default();
    let checklist = if answers.is_empty() {
        vec![]
    } else {
        rules::CHECKLIST
            .iter()
            .map(|i| (i.question, i.basis.cite(), if answers.get(i.code).map(String::as_str) == Some("yes") { "是（存在问题）" } else { "否" }))
            .collect()
    };
    let (status, status_tone) = status_label(&case.state, d.effective_on.as_deref(), d.valid_until.as_deref(), d.ended_on.as_deref(), day);
    let unit = orgs::get(&state.db, case.org_id).await?.map(|o| o.name).unwrap_or_default();
    let mut tags = vec![];
    if d.market_related {
        tags.push(("涉及市场主体".to_string(), "amber"));
    }
    let cv = CaseView {
        state_name: PROCEDURE.state_name(&case.state),
        badge: page::badge(&PROCEDURE, &case, if case.clock_rule.as_deref() == Some("filing") { "备案期限" } else { "审核期限" }, day, &cal),
        tags,
        parties: vec![],
        revealed: false,
        can_reveal: false,
        base: format!("/decisions/normdocs/{id}"),
        multipart: false,
        steps,
        error: error.as_ref().filter(|(a, _)| !a.starts_with('_')).map(|(a, e)| StepError::new(a.clone(), e)),
        timeline: audit::timeline(&state.db, "case", id).await?,
        documents: vec![],
        attachments: vec![],
        case,
    };
    let can_handle = engine::Authority::staff_may(&auth, Perm::CASE_HANDLE);
    let form_error = match (bad_on, error) {
        (Some(m), _) => Some(("_on".to_string(), AppError::field("on", "bad_date", m))),
        (None, Some((a, e))) if a.starts_with('_') => Some((a, e)),
        _ => None,
    };
    let bad = cv.bad() || form_error.is_some();
    let page = DocPage {
        layout: Layout::new(staff, ctx, cv.case.title.clone()).crumb("规范性文件", "/decisions/normdocs").crumb(cv.case.case_no.clone(), ""),
        can_revise: can_handle && rules::REVISABLE.contains(&cv.case.state.as_str()),
        can_comment: can_handle && window.is_some(),
        windows: queries::windows(&state.db, id).await?,
        cleanups: queries::cleanups(&state.db, id).await?,
        cv,
        d,
        unit,
        status,
        status_tone,
        versions,
        shown,
        shown_label,
        clauses,
        whole_notes,
        checklist,
        on,
        form_error,
        latest_text,
    };
    let mut resp = render(&page)?;
    if bad {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

async fn show(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>, Query(sq): Query<ShowQuery>) -> Result<Response, PageError> {
    doc_page(&state, &staff, &ctx, id, sq, None).await
}

/// Parse a step form.
pub fn step_form(f: &FormData) -> Result<StepForm, AppError> {
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
        Err(e) => return doc_page(&state, &staff, &ctx, id, ShowQuery::default(), Some((action, e))).await,
    };
    match service::step(&state, &Who::staff(&staff), id, form.int("version"), &action, sf).await {
        Ok(case) => {
            let name = PROCEDURE.transitions.iter().find(|t| t.action == action).map(|t| t.name).unwrap_or("");
            Ok(redirect_ok(&format!("/decisions/normdocs/{id}"), &format!("已{name}：文件现为“{}”", PROCEDURE.state_name(&case.state))))
        }
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => doc_page(&state, &staff, &ctx, id, ShowQuery::default(), Some((action, e))).await,
        Err(e @ AppError::Conflict { .. }) => Ok(redirect_flash(&format!("/decisions/normdocs/{id}"), false, &e.user_message())),
        Err(e) => Err(e.into()),
    }
}

async fn add_version(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>, form: FormData) -> Result<Response, PageError> {
    let text = form.get("text").unwrap_or("").to_string();
    match service::add_version(&state, &Who::staff(&staff), id, &text, form.get("note").map(str::to_string)).await {
        Ok(v) => Ok(redirect_ok(&format!("/decisions/normdocs/{id}"), &format!("已保存第{v}稿"))),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => {
            doc_page(&state, &staff, &ctx, id, ShowQuery::default(), Some(("_version".into(), e))).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn add_comment(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>, form: FormData) -> Result<Response, PageError> {
    let f = CommentForm {
        clause_no: form.get("clause_no").map(str::to_string),
        author: form.get("author").map(str::to_string),
        body: form.get("body").map(str::to_string),
        received_on: form.get("received_on").map(str::to_string),
    };
    match service::add_comment(&state, &Who::staff(&staff), id, f).await {
        Ok(_) => Ok(redirect_ok(&format!("/decisions/normdocs/{id}"), "已登记意见")),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => {
            doc_page(&state, &staff, &ctx, id, ShowQuery::default(), Some(("_comment".into(), e))).await
        }
        Err(e) => Err(e.into()),
    }
}
