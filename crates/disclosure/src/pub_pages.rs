//! Staff pages of proactive disclosure: publications (list, draft, review, publish, withdraw),
//! the annual report (view, edit, export) and the letter templates.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Datelike;
use serde::Deserialize;

use super::letters::{self, TemplateRow};
use super::model::{self, PubAction};
use super::publications::{self as pubs, Category, Filter, PubRow, StepInput};
use super::report;
use crate::audit::{self, EventRow};
use crate::auth::{Perm, Staff};
use crate::error::{AppError, FieldError};
use crate::files::AttachmentRow;
use crate::org::queries::{self as orgs, OrgRow};
use crate::state::AppState;
use crate::time::today;
use crate::web::extract::{Path, Query};
use crate::web::form::{FormData, Multipart};
use crate::web::{Ctx, Layout, Page, PageError, redirect_flash, redirect_ok, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/disclosure/publications", get(list))
        .route("/disclosure/publications/export.xlsx", get(export))
        .route("/disclosure/publications/new", get(new_form).post(create))
        .route("/disclosure/publications/{id}", get(show).post(update))
        .route("/disclosure/publications/{id}/step/{action}", post(step))
        .route("/disclosure/report", get(report_page))
        .route("/disclosure/report/edit", get(report_edit).post(report_save))
        .route("/disclosure/report/export.docx", get(report_docx))
        .route("/disclosure/report/export.html", get(report_html))
        .route("/disclosure/templates", get(templates_page))
        .route("/disclosure/templates/{code}", post(template_save))
}

pub struct PubLine {
    pub p: PubRow,
    pub unit: String,
    pub category: String,
    pub timeliness: (&'static str, &'static str),
}

pub async fn pub_lines(state: &AppState, rows: Vec<PubRow>) -> Result<Vec<PubLine>, AppError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.org_id).collect();
    let names: Vec<(i64, String)> = crate::db::q("SELECT id, short_name FROM orgs WHERE").push_in("id", &ids).fetch_all(&state.db).await?;
    let cats = pubs::categories(&state.db).await?;
    Ok(rows
        .into_iter()
        .map(|p| PubLine {
            unit: names.iter().find(|n| n.0 == p.org_id).map(|n| n.1.clone()).unwrap_or_default(),
            category: cats.iter().find(|c| c.id == p.category_id).map(|c| c.label.clone()).unwrap_or_default(),
            timeliness: p.timeliness(),
            p,
        })
        .collect())
}

#[derive(Template)]
#[template(path = "disclosure/publications.html")]
struct ListPage {
    layout: Layout,
    page: Page<PubLine>,
    f: Filter,
    base: String,
    export: String,
    units: Vec<OrgRow>,
    categories: Vec<Category>,
    timeliness: pubs::Timeliness,
    year: i64,
    can_create: bool,
}

async fn list(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(f): Query<Filter>) -> Result<Response, PageError> {
    let scope = staff.scope(Perm::CASE_READ, Some("disclosure"));
    if scope == crate::auth::roles::Scope::Nothing {
        return Err(AppError::forbidden("forbidden", "您没有查看政务公开信息的权限").into());
    }
    let org_path = match f.org {
        Some(o) => orgs::get(&state.db, o).await?.map(|o| o.path),
        None => None,
    };
    let page = pubs::list(&state.db, &f, Some(&scope), org_path.as_deref()).await?;
    let total = page.total;
    let items = pub_lines(&state, page.items).await?;
    let year = f.year.unwrap_or_else(|| i64::from(today().year()));
    let own = match &org_path {
        Some(p) => Some(p.clone()),
        None if scope != crate::auth::roles::Scope::All => Some(staff.org_path.clone()),
        None => None,
    };
    let mut parts = Vec::new();
    for (k, v) in [("org", f.org), ("category", f.category), ("year", f.year)] {
        if let Some(v) = v {
            parts.push(format!("{k}={v}"));
        }
    }
    for (k, v) in [("state", &f.state), ("indicator", &f.indicator)] {
        if let Some(v) = v {
            parts.push(format!("{k}={}", crate::web::urlencode(v)));
        }
    }
    render(&ListPage {
        layout: Layout::new(&staff, &ctx, "主动公开").crumb("政务公开", "/disclosure/publications").crumb("主动公开", ""),
        page: Page { items, page: page.page, per_page: page.per_page, total },
        base: format!("/disclosure/publications?{}&", parts.join("&")),
        export: format!("/disclosure/publications/export.xlsx?{}", parts.join("&")),
        units: super::pages::receivers(&state).await?,
        categories: pubs::categories(&state.db).await?,
        timeliness: pubs::timeliness(&state.db, own.as_deref(), year).await?,
        year,
        can_create: staff.has(Perm::CASE_HANDLE),
        f,
    })
}

/// The publications the filter selects, as XLSX: the filter in the title line, dates as dates.
async fn export(State(state): State<AppState>, staff: Staff, Query(mut f): Query<Filter>) -> Result<Response, PageError> {
    use fazhi_platform::tabular::{self, Sheet, XCell};
    let scope = staff.scope(Perm::CASE_READ, Some("disclosure"));
    if scope == crate::auth::roles::Scope::Nothing {
        return Err(AppError::forbidden("forbidden", "您没有查看政务公开信息的权限").into());
    }
    let org = match f.org {
        Some(o) => orgs::get(&state.db, o).await?,
        None => None,
    };
    let mut rows = Vec::new();
    f.per = Some(crate::web::Paging::MAX_PER);
    for p in 1.. {
        f.page = Some(p);
        let page = pubs::list(&state.db, &f, Some(&scope), org.as_ref().map(|o| o.path.as_str())).await?;
        let more = page.has_next();
        rows.extend(pub_lines(&state, page.items).await?);
        if !more {
            break;
        }
    }
    let categories = pubs::categories(&state.db).await?;
    let state_name = match f.state.as_deref() {
        Some("draft") => "草稿",
        Some("review") => "待公开审查",
        Some("published") => "已公开",
        Some("withdrawn") => "已撤回",
        _ => "",
    };
    let title = tabular::export_title(
        "主动公开信息",
        &[
            ("发布单位", org.map(|o| o.name).unwrap_or_default()),
            ("类别", f.category.and_then(|c| categories.iter().find(|x| x.id == c)).map(|c| c.label.clone()).unwrap_or_default()),
            ("年度", f.year.map(|y| format!("{y}年")).unwrap_or_default()),
            ("状态", state_name.to_string()),
        ],
        rows.len(),
    );
    let header = ["索引号", "标题", "文号", "发布单位", "类别", "状态", "形成日期", "应公开日期", "公开日期", "是否按时"].map(String::from).to_vec();
    let cells = rows
        .into_iter()
        .map(|l| {
            vec![
                XCell::text(l.p.index_no.clone().unwrap_or_default()),
                XCell::text(l.p.title.clone()),
                XCell::text(l.p.doc_no.clone().unwrap_or_default()),
                XCell::text(l.unit.clone()),
                XCell::text(l.category.clone()),
                XCell::text(l.p.state_label()),
                XCell::date(Some(&l.p.formed_on)),
                XCell::date(Some(&l.p.due_on)),
                XCell::date(l.p.published_on.as_deref()),
                XCell::text(if l.p.on_time.is_some() { l.timeliness.0 } else { "" }),
            ]
        })
        .collect();
    Ok(tabular::export("主动公开信息", &[Sheet::new("主动公开", Some(title), header, cells)])?)
}

/// What stands above and below a published document's text.
pub struct DocHead {
    /// 索引号; none until published.
    pub index_no: String,
    pub theme: String,
    /// 发文机关, in full.
    pub organ: String,
    pub category: String,
    pub kind: &'static str,
    /// 成文日期, 2026年3月8日.
    pub formed_cn: String,
    /// The text in paragraphs.
    pub paragraphs: Vec<String>,
    /// 有效性 of a normative document or a rule: none for other kinds.
    pub validity: Option<String>,
}

impl DocHead {
    pub async fn load(state: &AppState, p: &PubRow) -> Result<DocHead, AppError> {
        let cats = pubs::categories(&state.db).await?;
        let cat = cats.iter().find(|c| c.id == p.category_id);
        let city = orgs::root(&state.db).await?.map(|r| r.short_name).unwrap_or_default();
        let organ = orgs::get(&state.db, p.org_id).await?.map(|o| super::meta::organ_name(&o, &city)).unwrap_or_default();
        Ok(DocHead {
            index_no: p.index_no.clone().unwrap_or_default(),
            theme: p.theme.clone().unwrap_or_else(|| super::meta::default_theme(cat.map(|c| c.code.as_str()).unwrap_or("")).to_string()),
            organ,
            category: cat.map(|c| format!("{}（{}）", c.label, c.article)).unwrap_or_default(),
            kind: model::label(model::DOC_KINDS, &p.doc_kind),
            formed_cn: crate::time::parse_date(&p.formed_on).map(crate::time::fmt_date_cn).unwrap_or_else(|| p.formed_on.clone()),
            paragraphs: p.body.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect(),
            validity: matches!(p.doc_kind.as_str(), "normative" | "rule").then(|| match &p.abolished_on {
                Some(d) => format!("已于 {d} 废止"),
                None => "有效".to_string(),
            }),
        })
    }
}

#[derive(Template)]
#[template(path = "disclosure/publication.html")]
struct PubPage {
    layout: Layout,
    p: Option<PubRow>,
    values: BTreeMap<String, String>,
    errors: Vec<FieldError>,
    basis: Vec<String>,
    units: Vec<OrgRow>,
    categories: Vec<Category>,
    kinds: &'static [(&'static str, &'static str)],
    themes: &'static [&'static str],
    /// 索引号, 主题分类, 发文机关 of a publication.
    doc: Option<DocHead>,
    timeline: Vec<EventRow>,
    attachments: Vec<AttachmentRow>,
    editable: bool,
    can_submit: bool,
    can_review: bool,
    can_withdraw: bool,
    can_abolish: bool,
    unit: String,
    category: String,
    timeliness: (&'static str, &'static str),
}

impl PubPage {
    fn v(&self, k: &str) -> String {
        self.values.get(k).cloned().unwrap_or_default()
    }
    fn is_theme(&self, t: &str) -> bool {
        self.values.get("theme").map(String::as_str) == Some(t)
    }
    fn err(&self, k: &str) -> String {
        self.errors.iter().filter(|e| e.field == k).map(|e| e.message.clone()).collect::<Vec<_>>().join("；")
    }
}

async fn pub_page(
    state: &AppState,
    staff: &Staff,
    ctx: &Ctx,
    p: Option<PubRow>,
    values: Option<BTreeMap<String, String>>,
    e: Option<AppError>,
) -> Result<Response, PageError> {
    let values = values.unwrap_or_else(|| match &p {
        Some(p) => [
            ("org_id", p.org_id.to_string()),
            ("category_id", p.category_id.to_string()),
            ("title", p.title.clone()),
            ("body", p.body.clone()),
            ("doc_no", p.doc_no.clone().unwrap_or_default()),
            ("doc_kind", p.doc_kind.clone()),
            ("formed_on", p.formed_on.clone()),
            ("theme", p.theme.clone().unwrap_or_default()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
        None => [("org_id", staff.org_id.to_string()), ("formed_on", crate::time::fmt_date(today()))].into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
    });
    let (path, title) = match &p {
        Some(p) => (crate::kernel::access::org_path(state, p.org_id).await?, p.title.clone()),
        None => (staff.org_path.clone(), "起草主动公开信息".to_string()),
    };
    let st = p.as_ref().map(|p| p.state());
    let handle = staff.allows(Perm::CASE_HANDLE, Some("disclosure"), &path);
    let publish = staff.allows(Perm::PUBLISH, Some("disclosure"), &path);
    let cats = pubs::categories(&state.db).await?;
    let bad = e.is_some();
    let page = PubPage {
        layout: Layout::new(staff, ctx, title.clone()).crumb("主动公开", "/disclosure/publications").crumb(title, ""),
        values,
        errors: e.as_ref().map(|e| e.field_errors().to_vec()).unwrap_or_default(),
        basis: e.as_ref().map(|e| if e.basis().is_empty() { vec![e.user_message()] } else { e.basis().to_vec() }).unwrap_or_default(),
        units: super::pages::receivers(state).await?,
        kinds: model::DOC_KINDS,
        themes: super::meta::THEMES,
        doc: match &p {
            Some(p) => Some(DocHead::load(state, p).await?),
            None => None,
        },
        timeline: match &p {
            Some(p) => audit::timeline(&state.db, "publication", p.id).await?,
            None => vec![],
        },
        attachments: match &p {
            Some(p) => crate::files::list(&state.db, "publication", p.id).await?,
            None => vec![],
        },
        editable: handle && st.is_none_or(|s| s == model::PubState::Draft),
        can_submit: handle && st == Some(model::PubState::Draft),
        can_review: publish && st == Some(model::PubState::Review),
        can_withdraw: publish && st == Some(model::PubState::Published),
        can_abolish: handle && st == Some(model::PubState::Published) && p.as_ref().is_some_and(|p| matches!(p.doc_kind.as_str(), "normative" | "rule")),
        unit: match &p {
            Some(p) => orgs::get(&state.db, p.org_id).await?.map(|o| o.name).unwrap_or_default(),
            None => String::new(),
        },
        category: p.as_ref().and_then(|p| cats.iter().find(|c| c.id == p.category_id)).map(|c| format!("{}（{}）", c.name, c.article)).unwrap_or_default(),
        timeliness: p.as_ref().map(|p| p.timeliness()).unwrap_or(("", "")),
        categories: cats,
        p,
    };
    let mut r = render(&page)?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn new_form(State(state): State<AppState>, staff: Staff, ctx: Ctx) -> Result<Response, PageError> {
    staff.require(Perm::CASE_HANDLE)?;
    pub_page(&state, &staff, &ctx, None, None, None).await
}

fn draft(f: &FormData) -> pubs::Draft {
    let s = |k: &str| f.get(k).map(str::to_string);
    pubs::Draft {
        org_id: f.int("org_id"),
        category_id: f.int("category_id"),
        title: s("title"),
        body: s("body"),
        doc_no: s("doc_no"),
        doc_kind: s("doc_kind"),
        formed_on: s("formed_on"),
        theme: s("theme"),
    }
}

async fn create(State(state): State<AppState>, staff: Staff, ctx: Ctx, form: Multipart) -> Result<Response, PageError> {
    let values: BTreeMap<String, String> = form.fields.0.iter().filter(|(k, _)| k != "_csrf").cloned().collect();
    match pubs::save(&state, &staff, None, None, draft(&form.fields), form.files.clone()).await {
        Ok(id) => Ok(redirect_ok(&format!("/disclosure/publications/{id}"), "已保存草稿；请提交公开审查")),
        Err(e @ (AppError::Invalid { .. } | AppError::Refused { .. })) => pub_page(&state, &staff, &ctx, None, Some(values), Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

async fn show(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    let p = pubs::readable(&state, &staff, id).await?;
    pub_page(&state, &staff, &ctx, Some(p), None, None).await
}

async fn update(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>, form: Multipart) -> Result<Response, PageError> {
    let p = pubs::readable(&state, &staff, id).await?;
    let values: BTreeMap<String, String> = form.fields.0.iter().filter(|(k, _)| k != "_csrf").cloned().collect();
    match pubs::save(&state, &staff, Some(id), form.fields.int("version"), draft(&form.fields), form.files.clone()).await {
        Ok(_) => Ok(redirect_ok(&format!("/disclosure/publications/{id}"), "已保存")),
        Err(e @ (AppError::Invalid { .. } | AppError::Refused { .. })) => pub_page(&state, &staff, &ctx, Some(p), Some(values), Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

async fn step(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path((id, action)): Path<(i64, String)>, form: FormData) -> Result<Response, PageError> {
    let p = pubs::readable(&state, &staff, id).await?;
    let a = match action.as_str() {
        "submit" => PubAction::Submit,
        "approve" => PubAction::Approve,
        "refuse" => PubAction::Refuse,
        "withdraw" => PubAction::Withdraw,
        "abolish" => PubAction::Abolish,
        _ => return Err(AppError::not_found("unknown_action", "没有这个步骤").into()),
    };
    let input = StepInput {
        secrecy_checked: form.checked("secrecy_checked"),
        third_party_checked: form.checked("third_party_checked"),
        opinion: form.get("opinion").map(str::to_string).filter(|s| !s.trim().is_empty()),
        reason: form.get("reason").map(str::to_string),
        date: form.get("date").map(str::to_string),
    };
    match pubs::step(&state, &staff, id, form.int("version"), a, input).await {
        Ok(p) => Ok(redirect_ok(&format!("/disclosure/publications/{id}"), &format!("已{}：现为“{}”", model::action_label(a), p.state_label()))),
        Err(e @ (AppError::Invalid { .. } | AppError::Refused { .. })) => pub_page(&state, &staff, &ctx, Some(p), None, Some(e)).await,
        Err(e @ AppError::Conflict { .. }) => Ok(redirect_flash(&format!("/disclosure/publications/{id}"), false, &e.user_message())),
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ the annual report

#[derive(Deserialize)]
struct ReportQuery {
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    org: Option<i64>,
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    year: Option<i64>,
}

/// The unit (default: the user's own unit, or the whole government for city-wide roles) and
/// year (default: last year) of a report, checked against the user's scope.
async fn report_target(state: &AppState, staff: &Staff, rq: &ReportQuery) -> Result<(OrgRow, i64), AppError> {
    let year = rq.year.unwrap_or_else(|| i64::from(today().year()) - 1);
    if !(2008..=2100).contains(&year) {
        return Err(AppError::field("year", "bad_year", "年度不正确"));
    }
    let org = match rq.org {
        Some(id) => orgs::get(&state.db, id).await?,
        None => {
            let scope = staff.scope(Perm::CASE_READ, Some("disclosure"));
            if scope == crate::auth::roles::Scope::All { orgs::root(&state.db).await? } else { orgs::get(&state.db, staff.org_id).await? }
        }
    }
    .ok_or_else(|| AppError::not_found("org_not_found", "单位不存在"))?;
    if !(staff.allows(Perm::CASE_READ, Some("disclosure"), &org.path) || staff.allows(Perm::KPI_READ, Some("disclosure"), &org.path)) {
        return Err(AppError::not_found("org_not_found", "单位不存在，或不在您的查看范围内"));
    }
    Ok((org, year))
}

fn can_edit_report(staff: &Staff, org: &OrgRow) -> bool {
    staff.allows(Perm::CASE_HANDLE, Some("disclosure"), &org.path) || staff.allows(Perm::SUPERVISE, Some("disclosure"), &org.path)
}

#[derive(Template)]
#[template(path = "disclosure/report.html")]
struct ReportPage {
    layout: Layout,
    org: OrgRow,
    year: i64,
    body: String,
    invariants: Vec<report::Invariant>,
    units: Vec<OrgRow>,
    can_edit: bool,
}

async fn report_page(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(rq): Query<ReportQuery>) -> Result<Response, PageError> {
    let (org, year) = report_target(&state, &staff, &rq).await?;
    let a = report::load(&state.db, org.clone(), year).await?;
    render(&ReportPage {
        layout: Layout::new(&staff, &ctx, "政府信息公开工作年度报告").crumb("政务公开", "/disclosure/publications").crumb("年度报告", ""),
        body: crate::reports::to_html(&a.document(true)),
        invariants: a.invariants(),
        // Only the units whose report this person may open.
        units: super::pages::receivers(&state)
            .await?
            .into_iter()
            .filter(|o| staff.allows(Perm::CASE_READ, Some("disclosure"), &o.path) || staff.allows(Perm::KPI_READ, Some("disclosure"), &o.path))
            .collect(),
        can_edit: can_edit_report(&staff, &org),
        org,
        year,
    })
}

#[derive(Template)]
#[template(path = "disclosure/report_edit.html")]
struct ReportEdit {
    layout: Layout,
    org: OrgRow,
    year: i64,
    cells: Vec<(String, String, String)>,
    sections: Vec<(&'static str, &'static str, &'static str, String, i64)>,
}

async fn report_edit(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(rq): Query<ReportQuery>) -> Result<Response, PageError> {
    let (org, year) = report_target(&state, &staff, &rq).await?;
    if !can_edit_report(&staff, &org) {
        return Err(AppError::forbidden("forbidden", "您不能编辑该单位的年度报告").into());
    }
    let values = report::values(&state.db, org.id, year).await?;
    let texts = report::texts(&state.db, org.id, year).await?;
    render(&ReportEdit {
        layout: Layout::new(&staff, &ctx, "编辑年度报告").crumb("年度报告", format!("/disclosure/report?org={}&year={year}", org.id)).crumb("编辑", ""),
        cells: report::manual_cells().into_iter().map(|(k, l)| (values.get(&k).cloned().unwrap_or_default(), k, l)).collect(),
        sections: report::SECTIONS
            .iter()
            .map(|(k, h, hint)| (*k, *h, *hint, texts.get(*k).map(|t| t.0.clone()).unwrap_or_default(), texts.get(*k).map(|t| t.1).unwrap_or(0)))
            .collect(),
        org,
        year,
    })
}

async fn report_save(State(state): State<AppState>, staff: Staff, Query(rq): Query<ReportQuery>, form: FormData) -> Result<Response, PageError> {
    let (org, year) = report_target(&state, &staff, &rq).await?;
    if !can_edit_report(&staff, &org) {
        return Err(AppError::forbidden("forbidden", "您不能编辑该单位的年度报告").into());
    }
    let values: Vec<(String, String)> =
        report::manual_cells().into_iter().filter_map(|(k, _)| form.get(&format!("v:{k}")).map(|v| (k, v.to_string()))).collect();
    let sections: Vec<(String, String, Option<i64>)> = report::SECTIONS
        .iter()
        .filter_map(|(k, _, _)| form.get(&format!("s:{k}")).map(|v| (k.to_string(), v.replace("\r\n", "\n"), form.int(&format!("sv:{k}")).filter(|v| *v > 0))))
        .collect();
    report::save(&state.db, staff.actor(), staff.id, org.id, year, values, sections).await?;
    Ok(redirect_ok(&format!("/disclosure/report?org={}&year={year}", org.id), "已保存年度报告"))
}

async fn report_docx(State(state): State<AppState>, staff: Staff, Query(rq): Query<ReportQuery>) -> Result<Response, PageError> {
    let (org, year) = report_target(&state, &staff, &rq).await?;
    let a = report::load(&state.db, org.clone(), year).await?;
    let mut d = crate::reports::docx::Docx::new(&a.title_line());
    d.document(&a.document(false));
    Ok(crate::reports::docx::response(d.finish()?, &format!("{}.docx", a.title_line())))
}

#[derive(Template)]
#[template(path = "disclosure/report_export.html")]
struct ReportExport {
    title: String,
    body: String,
}

async fn report_html(State(state): State<AppState>, staff: Staff, Query(rq): Query<ReportQuery>) -> Result<Response, PageError> {
    let (org, year) = report_target(&state, &staff, &rq).await?;
    let a = report::load(&state.db, org.clone(), year).await?;
    let body = crate::reports::to_html(&a.document(false));
    let html = ReportExport { title: a.title_line(), body }.render().map_err(AppError::from)?;
    let disp = format!("attachment; filename=\"report.html\"; filename*=UTF-8''{}", crate::web::urlencode(&format!("{}.html", a.title_line())));
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, disp)], html).into_response())
}

// ------------------------------------------------------------------ letter templates

#[derive(Template)]
#[template(path = "disclosure/templates.html")]
struct TemplatesPage {
    layout: Layout,
    templates: Vec<TemplateRow>,
    error: Option<(String, String)>,
    variables: Vec<String>,
}

fn templates_admin(staff: &Staff) -> Result<(), AppError> {
    if staff.has(Perm::ADMIN_SETTINGS) || staff.has(Perm::CASE_APPROVE) {
        Ok(())
    } else {
        Err(AppError::forbidden("forbidden", "只有管理员或单位负责人可以修改告知书模板"))
    }
}

async fn templates_page(State(state): State<AppState>, staff: Staff, ctx: Ctx) -> Result<Response, PageError> {
    templates_admin(&staff)?;
    render(&TemplatesPage {
        layout: Layout::new(&staff, &ctx, "告知书模板").crumb("政务公开", "/disclosure/requests").crumb("告知书模板", ""),
        templates: letters::all(&state.db).await?,
        error: None,
        variables: letters::sample_context().into_keys().collect(),
    })
}

async fn template_save(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(code): Path<String>, form: FormData) -> Result<Response, PageError> {
    templates_admin(&staff)?;
    let body = form.get("body").unwrap_or("").replace("\r\n", "\n");
    match letters::save(&state.db, staff.actor(), Some(staff.id), code.clone(), body, form.int("version").unwrap_or(0)).await {
        Ok(()) => Ok(redirect_ok("/disclosure/templates", "已保存模板；此后生成的文书使用新模板，已发出的文书不变")),
        Err(e @ AppError::Invalid { .. }) => {
            let mut r = render(&TemplatesPage {
                layout: Layout::new(&staff, &ctx, "告知书模板").crumb("政务公开", "/disclosure/requests").crumb("告知书模板", ""),
                templates: letters::all(&state.db).await?,
                error: Some((code, e.user_message())),
                variables: letters::sample_context().into_keys().collect(),
            })?;
            *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}
