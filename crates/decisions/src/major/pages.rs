//! Staff pages of major decisions: the register with its XLSX export, the catalogues (compile,
//! Party committee's consent, publication, launching an item), and the decision's page on the
//! shared case page — the draft as clauses with the comments on each (mass campaigns grouped),
//! the record of each statutory procedure, the package and what it still lacks.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};

use super::model;
use super::queries::{self, CatalogueRow, DecisionRow, ExpertRow, Filter, ItemRow, ListRow};
use super::rules::{self, PROCEDURE};
use super::service;
use crate::audit;
use crate::auth::roles::Scope;
use crate::auth::{Perm, Staff};
use crate::error::AppError;
use crate::kernel::page::{self, CaseView, NoAsks, StepError};
use crate::org::queries::OrgRow;
use crate::queries as docs;
use crate::service::{StepForm, Who};
use crate::state::AppState;
use crate::time::today;
use crate::web::extract::{Path, Query};
use crate::web::form::FormData;
use crate::web::pagination::Page;
use crate::web::{Ctx, Layout, PageError, redirect_flash, redirect_ok, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/decisions/major", get(list))
        .route("/decisions/major/catalogues", get(catalogues).post(create_catalogue))
        .route("/decisions/major/catalogues/{id}", get(catalogue))
        .route("/decisions/major/catalogues/{id}/items", post(add_item))
        .route("/decisions/major/catalogues/{id}/approve", post(approve))
        .route("/decisions/major/catalogues/{id}/publish", post(publish))
        .route("/decisions/major/items/{id}/launch", post(launch))
        .route("/decisions/major/{id}", get(show))
        .route("/decisions/major/{id}/step/{action}", post(step))
        .route("/decisions/major/{id}/versions", post(add_version))
}

fn read_scope(staff: &Staff) -> Result<Scope, AppError> {
    let scope = staff.scope(Perm::CASE_READ, Some(rules::CODE));
    if scope == Scope::Nothing {
        return Err(AppError::forbidden("forbidden", "您没有查看重大行政决策的权限"));
    }
    Ok(scope)
}

fn tone(state: &str) -> &'static str {
    match state {
        "published" | "closed" => "green",
        "abandoned" => "",
        "legality_review" => "amber",
        _ => "blue",
    }
}

#[derive(Template)]
#[template(path = "decisions/major_list.html")]
struct ListPage {
    layout: Layout,
    page: Page<ListRow>,
    f: Filter,
    base: String,
    export: String,
    states: Vec<(&'static str, &'static str)>,
    keeps: bool,
}

impl ListPage {
    fn state_name(&self, s: &str) -> &'static str {
        PROCEDURE.state_name(s)
    }
    fn tone(&self, s: &str) -> &'static str {
        tone(s)
    }
    fn legality(&self, r: &Option<String>) -> &'static str {
        r.as_deref().map(|r| rules::label(rules::LEGALITY_RESULTS, r)).unwrap_or("")
    }
}

async fn list(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(f): Query<Filter>) -> Result<Response, PageError> {
    let scope = read_scope(&staff)?;
    if f.format.as_deref() == Some("xlsx") {
        let rows = queries::export(&state.db, &f, &scope).await?;
        let header = ["登记编号", "决策事项", "承办单位", "类别", "状态", "合法性审查", "集体讨论日期", "公布日期"];
        let data: Vec<Vec<String>> = rows
            .into_iter()
            .map(|r| {
                vec![
                    r.case_no,
                    r.title,
                    r.unit,
                    rules::category_label(&r.category).to_string(),
                    PROCEDURE.state_name(&r.state).to_string(),
                    r.legality_result.as_deref().map(|x| rules::label(rules::LEGALITY_RESULTS, x)).unwrap_or("").to_string(),
                    r.meeting_on.unwrap_or_default(),
                    r.published_on.unwrap_or_default(),
                ]
            })
            .collect();
        let bytes = crate::tabular::write_xlsx("重大行政决策", &header, &data)?;
        return Ok(crate::tabular::xlsx_response(bytes, "重大行政决策登记簿"));
    }
    let page = queries::list(&state.db, &f, &scope).await?;
    let mut parts = Vec::new();
    for (k, v) in [("q", f.q.clone()), ("state", f.state.clone())] {
        if let Some(v) = v.filter(|s| !s.is_empty()) {
            parts.push(format!("{k}={}", crate::web::urlencode(&v)));
        }
    }
    render(&ListPage {
        layout: Layout::new(&staff, &ctx, "重大行政决策").crumb("重大行政决策", ""),
        page,
        base: format!("/decisions/major?{}&", parts.join("&")),
        export: format!("/decisions/major?{}&format=xlsx", parts.join("&")),
        states: PROCEDURE.states.iter().map(|s| (s.code, s.name)).collect(),
        keeps: super::catalogue::keeps(&staff),
        f,
    })
}

// ------------------------------------------------------------------ catalogues

#[derive(Template)]
#[template(path = "decisions/major_catalogues.html")]
struct CataloguesPage {
    layout: Layout,
    list: Vec<CatalogueRow>,
    keeps: bool,
    year: i32,
    error: String,
}

async fn catalogues_page(state: &AppState, staff: &Staff, ctx: &Ctx, error: Option<AppError>) -> Result<Response, PageError> {
    read_scope(staff)?;
    let bad = error.is_some();
    let mut r = render(&CataloguesPage {
        layout: Layout::new(staff, ctx, "重大行政决策事项目录").crumb("重大行政决策", "/decisions/major").crumb("决策事项目录", ""),
        list: queries::catalogues(&state.db, false).await?,
        keeps: super::catalogue::keeps(staff),
        year: chrono::Datelike::year(&today()),
        error: error.map(|e| explain(&e)).unwrap_or_default(),
    })?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

/// An error as a line: the message, each field's message, and the basis.
fn explain(e: &AppError) -> String {
    let mut s = e.user_message();
    for f in e.field_errors() {
        if !s.contains(&f.message) {
            s.push_str(&format!("；{}", f.message));
        }
    }
    for b in e.basis() {
        s.push_str(&format!("（依据：{b}）"));
    }
    s
}

async fn catalogues(State(state): State<AppState>, staff: Staff, ctx: Ctx) -> Result<Response, PageError> {
    catalogues_page(&state, &staff, &ctx, None).await
}

async fn create_catalogue(State(state): State<AppState>, staff: Staff, ctx: Ctx, form: FormData) -> Result<Response, PageError> {
    match super::catalogue::create(&state, &Who::staff(&staff), form.get("year"), form.get("title")).await {
        Ok(id) => Ok(redirect_ok(&format!("/decisions/major/catalogues/{id}"), "已建立目录，请列入决策事项")),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => catalogues_page(&state, &staff, &ctx, Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "decisions/major_catalogue.html")]
struct CataloguePage {
    layout: Layout,
    c: CatalogueRow,
    items: Vec<ItemRow>,
    keeps: bool,
    units: Vec<OrgRow>,
    categories: &'static [(&'static str, &'static str)],
    /// Items whose lead unit this person drafts for (may launch).
    launchable: Vec<i64>,
    error: String,
}

impl CataloguePage {
    fn category(&self, c: &str) -> &'static str {
        rules::category_label(c)
    }
    fn state_name(&self, s: &Option<String>) -> &'static str {
        s.as_deref().map(|s| PROCEDURE.state_name(s)).unwrap_or("未启动")
    }
}

async fn catalogue_page(state: &AppState, staff: &Staff, ctx: &Ctx, id: i64, error: Option<AppError>) -> Result<Response, PageError> {
    read_scope(staff)?;
    let c = queries::catalogue(&state.db, id).await?.ok_or_else(|| AppError::not_found("catalogue_not_found", "没有这份目录"))?;
    let items = queries::items(&state.db, id).await?;
    let who = Who::staff(staff);
    let mut launchable = Vec::new();
    let paths: Vec<(i64, String)> =
        crate::db::q("SELECT id, path FROM orgs WHERE").push_in("id", &items.iter().map(|i| i.lead_org_id).collect::<Vec<_>>()).fetch_all(&state.db).await?;
    for i in &items {
        if i.case_id.is_none() && paths.iter().any(|(o, p)| *o == i.lead_org_id && service::may(&who, Perm::CASE_HANDLE, p)) {
            launchable.push(i.id);
        }
    }
    let bad = error.is_some();
    let mut r = render(&CataloguePage {
        layout: Layout::new(staff, ctx, c.title.clone())
            .crumb("重大行政决策", "/decisions/major")
            .crumb("决策事项目录", "/decisions/major/catalogues")
            .crumb(c.year.to_string(), ""),
        keeps: super::catalogue::keeps(staff),
        units: crate::pages::issuers(state).await?,
        categories: rules::CATEGORIES,
        launchable,
        error: error.map(|e| explain(&e)).unwrap_or_default(),
        c,
        items,
    })?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn catalogue(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    catalogue_page(&state, &staff, &ctx, id, None).await
}

async fn add_item(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>, form: FormData) -> Result<Response, PageError> {
    let n = super::catalogue::NewItem {
        title: form.get("title").map(str::to_string),
        category: form.get("category").map(str::to_string),
        lead_org_id: form.int("lead_org_id"),
        planned: form.get("planned").map(str::to_string),
        adjustment_reason: form.get("adjustment_reason").map(str::to_string),
    };
    match super::catalogue::add_item(&state, &Who::staff(&staff), id, n).await {
        Ok(_) => Ok(redirect_ok(&format!("/decisions/major/catalogues/{id}"), "已列入目录")),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => catalogue_page(&state, &staff, &ctx, id, Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

async fn approve(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>, form: FormData) -> Result<Response, PageError> {
    match super::catalogue::approve(&state, &Who::staff(&staff), id, form.get("approved_on"), form.get("reference")).await {
        Ok(()) => Ok(redirect_ok(&format!("/decisions/major/catalogues/{id}"), "已记录同级党委同意")),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => catalogue_page(&state, &staff, &ctx, id, Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

async fn publish(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>, form: FormData) -> Result<Response, PageError> {
    match super::catalogue::publish(&state, &Who::staff(&staff), id, form.get("published_on")).await {
        Ok(()) => Ok(redirect_ok(&format!("/decisions/major/catalogues/{id}"), "目录已在门户网站公布")),
        Err(e @ AppError::Refused { .. }) => catalogue_page(&state, &staff, &ctx, id, Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

async fn launch(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(item_id): Path<i64>, form: FormData) -> Result<Response, PageError> {
    let l = service::Launch { item_id, market_related: form.checked("market_related"), text: form.get("text").map(str::to_string) };
    match service::launch(&state, &Who::staff(&staff), l).await {
        Ok(c) => Ok(redirect_ok(&format!("/decisions/major/{}", c.id), &format!("已启动决策程序：{}", c.case_no))),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => {
            let cat = queries::item(&state.db, item_id).await?.map(|i| i.catalogue_id).unwrap_or(0);
            catalogue_page(&state, &staff, &ctx, cat, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ the decision's page

/// A procedure's line in the package: done, not applicable, open, missing; with its article.
pub struct PackageLine {
    pub name: &'static str,
    pub status: String,
    pub tone: &'static str,
    pub detail: String,
    pub basis: String,
}

/// The package (Art. 29) as it stands: what is on record and what is missing.
pub fn package(d: &DecisionRow, procs: &[queries::ProcRow], window: Option<&docs::WindowRow>) -> Vec<PackageLine> {
    let line = |name, kind: &str, basis: &crate::kernel::definition::Basis| {
        let (status, tone, detail) = match service::latest(procs, kind) {
            Some(p) if p.status == "waived" => ("不适用".to_string(), "", format!("理由：{}", p.reason.clone().unwrap_or_default())),
            Some(p) => ("已履行".to_string(), "green", format!("{} {}", p.recorded_on, p.report.clone().unwrap_or_default())),
            None if kind == "participation" && window.is_some() => ("征求意见中".to_string(), "blue", String::new()),
            None => ("缺".to_string(), "red", String::new()),
        };
        PackageLine { name, status, tone, detail, basis: basis.cite() }
    };
    let mut out = vec![
        line("公众参与（意见采纳情况）", "participation", &rules::ART_29_2),
        line("专家论证（意见采纳情况）", "expert", &rules::ART_29_3),
        line("风险评估报告", "risk", &rules::ART_29_4),
    ];
    if d.market_related {
        out.push(line("公平竞争审查情况", "fair_competition", &rules::ART_29_1));
    }
    let (status, tone) = match d.legality_result.as_deref() {
        Some(r @ ("pass" | "exploratory")) => (rules::label(rules::LEGALITY_RESULTS, r).to_string(), "green"),
        Some("fail") => ("不合法".to_string(), "red"),
        _ if d.legality_sent_on.is_some() => ("审查中".to_string(), "amber"),
        _ => ("缺".to_string(), "red"),
    };
    out.push(PackageLine {
        name: "合法性审查意见", status, tone, detail: d.legality_opinion.clone().unwrap_or_default(), basis: rules::ART_29_5.cite()
    });
    out
}

/// A group of comments as staff see it.
pub struct CommentGroup {
    pub label: &'static str,
    pub count: usize,
    pub sources: usize,
    pub first: docs::NoteRow,
}

#[derive(Template)]
#[template(path = "decisions/major.html")]
struct DecisionPage {
    layout: Layout,
    cv: CaseView,
    d: DecisionRow,
    unit: String,
    category: &'static str,
    versions: Vec<docs::VersionRow>,
    clauses: Vec<docs::ClauseRow>,
    latest: i64,
    windows: Vec<docs::WindowRow>,
    groups: Vec<CommentGroup>,
    procs: Vec<queries::ProcRow>,
    experts: Vec<ExpertRow>,
    package: Vec<PackageLine>,
    can_revise: bool,
    latest_text: String,
    version_error: String,
}

impl DecisionPage {
    fn kind_name(&self, k: &str) -> &'static str {
        match k {
            "participation" => "公众参与",
            "hearing" => "听证会",
            "expert" => "专家论证",
            "risk" => "风险评估",
            "fair_competition" => "公平竞争审查",
            "execution" => "执行情况",
            "evaluation" => "决策后评估",
            _ => "",
        }
    }
    fn risk_level(&self, p: &queries::ProcRow) -> &'static str {
        service::fact(p, "level").map(|l| rules::label(rules::RISK_LEVELS, &l)).unwrap_or("")
    }
    fn result(&self, list: &'static [(&'static str, &'static str)], v: &Option<String>) -> &'static str {
        v.as_deref().map(|v| rules::label(list, v)).unwrap_or("")
    }
}

async fn decision_page(state: &AppState, staff: &Staff, ctx: &Ctx, id: i64, error: Option<(String, AppError)>) -> Result<Response, PageError> {
    let who = Who::staff(staff);
    let (case, d, path) = service::readable(state, &who, id).await?;
    let auth = service::DecisionAuthority { who: &who, path };
    let cal = state.calendar();
    let day = today();
    let procs = queries::procedures(&state.db, id).await?;
    let window = docs::open_window(&state.db, id).await?;
    let facts = case.facts(service::flags(&d, &procs, window.as_ref(), day));
    let steps = page::step_views(&PROCEDURE, &facts, &auth, day, &cal, &NoAsks);
    let versions = docs::versions(&state.db, id).await?;
    let latest = versions.iter().map(|v| v.version_no).max().unwrap_or(1);
    let clauses = docs::clauses(&state.db, id, latest).await?;
    let latest_text = clauses.iter().map(|c| format!("{} {}", c.heading, c.body)).collect::<Vec<_>>().join("\n");
    // Comments of every window, grouped: a campaign is one line with its count.
    let notes = comment_rows(state, id).await?;
    let groups = group_notes(&notes);
    let unit = crate::org::queries::get(&state.db, case.org_id).await?.map(|o| o.name).unwrap_or_default();
    let mut tags = vec![];
    if d.market_related {
        tags.push(("涉及市场主体经济活动".to_string(), "amber"));
    }
    let (step_error, version_error) = match error {
        Some((a, e)) if a == "_version" => (None, explain(&e)),
        Some((a, e)) => (Some(StepError::new(a, &e)), String::new()),
        None => (None, String::new()),
    };
    let cv = CaseView {
        state_name: PROCEDURE.state_name(&case.state),
        badge: page::badge(&PROCEDURE, &case, "期限", day, &cal),
        tags,
        parties: vec![],
        revealed: false,
        can_reveal: false,
        base: format!("/decisions/major/{id}"),
        multipart: false,
        steps,
        error: step_error,
        timeline: audit::timeline(&state.db, "case", id).await?,
        documents: vec![],
        attachments: vec![],
        case,
    };
    let bad = cv.bad() || !version_error.is_empty();
    let can_revise =
        crate::kernel::engine::Authority::staff_may(&auth, Perm::CASE_HANDLE) && rules::REVISABLE.contains(&cv.case.state.as_str()) && window.is_none();
    let page = DecisionPage {
        layout: Layout::new(staff, ctx, cv.case.title.clone()).crumb("重大行政决策", "/decisions/major").crumb(cv.case.case_no.clone(), ""),
        category: rules::category_label(&d.category),
        package: package(&d, &procs, window.as_ref()),
        experts: queries::experts(&state.db, id).await?,
        windows: docs::windows(&state.db, id).await?,
        cv,
        unit,
        versions,
        clauses,
        latest,
        groups,
        procs,
        can_revise,
        latest_text,
        version_error,
        d,
    };
    let mut resp = render(&page)?;
    if bad {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

/// The comments of a decision with their sources (capped: a campaign of more is still counted
/// whole by the grouping the windows page does with `LIMIT`-free counts).
#[derive(sqlx::FromRow)]
pub struct CommentRow {
    pub id: i64,
    pub kind: String,
    pub window_id: Option<i64>,
    pub version_no: i64,
    pub clause_no: i64,
    pub author: String,
    pub body: String,
    pub received_on: String,
    pub source: Option<String>,
    pub created_at: i64,
}

pub async fn comment_rows(state: &AppState, id: i64) -> Result<Vec<CommentRow>, AppError> {
    crate::db::q(
        "SELECT id, kind, window_id, version_no, clause_no, author, body, received_on, source, created_at FROM normdoc_notes WHERE case_id = $1 AND kind = 'comment' ORDER BY id LIMIT 200000",
    )
    .bind(id)
    .fetch_all(&state.db)
    .await
}

pub fn group_notes(notes: &[CommentRow]) -> Vec<CommentGroup> {
    let sources: Vec<String> = notes.iter().map(|n| n.source.clone().unwrap_or_else(|| format!("staff:{}", n.author))).collect();
    let input: Vec<model::CommentIn> =
        notes.iter().zip(&sources).map(|(n, s)| model::CommentIn { id: n.id, source: s, body: &n.body, at: n.created_at }).collect();
    let by_id: BTreeMap<i64, &CommentRow> = notes.iter().map(|n| (n.id, n)).collect();
    model::group(&input)
        .into_iter()
        .filter_map(|g| {
            let n = by_id.get(&g.first)?;
            Some(CommentGroup {
                label: g.kind.label(),
                count: g.ids.len(),
                sources: g.sources,
                first: docs::NoteRow {
                    id: n.id,
                    kind: n.kind.clone(),
                    window_id: n.window_id,
                    version_no: n.version_no,
                    clause_no: n.clause_no,
                    author: n.author.clone(),
                    body: n.body.clone(),
                    received_on: n.received_on.clone(),
                },
            })
        })
        .collect()
}

async fn show(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    decision_page(&state, &staff, &ctx, id, None).await
}

async fn step(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path((id, action)): Path<(i64, String)>, form: FormData) -> Result<Response, PageError> {
    let sf: StepForm = match crate::pages::step_form(&form) {
        Ok(s) => s,
        Err(e) => return decision_page(&state, &staff, &ctx, id, Some((action, e))).await,
    };
    match service::step(&state, &Who::staff(&staff), id, form.int("version"), &action, sf).await {
        Ok(case) => {
            let name = PROCEDURE.transitions.iter().find(|t| t.action == action).map(|t| t.name).unwrap_or("");
            Ok(redirect_ok(&format!("/decisions/major/{id}"), &format!("已{name}：决策现为“{}”", PROCEDURE.state_name(&case.state))))
        }
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => decision_page(&state, &staff, &ctx, id, Some((action, e))).await,
        Err(e @ AppError::Conflict { .. }) => Ok(redirect_flash(&format!("/decisions/major/{id}"), false, &e.user_message())),
        Err(e) => Err(e.into()),
    }
}

async fn add_version(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>, form: FormData) -> Result<Response, PageError> {
    let text = form.get("text").unwrap_or("").to_string();
    match service::add_version(&state, &Who::staff(&staff), id, &text, form.get("note").map(str::to_string)).await {
        Ok(v) => Ok(redirect_ok(&format!("/decisions/major/{id}"), &format!("已保存决策草案第{v}稿"))),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => decision_page(&state, &staff, &ctx, id, Some(("_version".into(), e))).await,
        Err(e) => Err(e.into()),
    }
}
