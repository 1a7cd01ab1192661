//! Staff pages of the annual reports: the register (with the two deadlines of each report and
//! an XLSX export), a new report, the report's page (deadlines, the checker, the preview with
//! every figure linked, each section's text with its versions and comments, 定稿, frozen against
//! live, the submission and the publication), a section's history and the DOCX.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{Datelike, NaiveDate};

use crate::compose::{self, Composed, Findings};
use crate::model::{self, Deadline};
use crate::queries::{self, CommentRow, ReportRow, SectionRow, TemplateRow, VersionRow};
use crate::service::{self, NewReport};
use crate::{html, roles};
use fazhi_platform::audit;
use fazhi_platform::auth::Staff;
use fazhi_platform::auth::roles::Scope;
use fazhi_platform::error::AppError;
use fazhi_platform::org::OrgKind;
use fazhi_platform::org::queries::{self as orgs, OrgRow};
use fazhi_platform::state::AppState;
use fazhi_platform::time::{fmt_date, fmt_datetime, today};
use fazhi_platform::web::extract::{Path, Query};
use fazhi_platform::web::form::FormData;
use fazhi_platform::web::{Ctx, Layout, PageError, redirect_flash, redirect_ok, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/annual/reports", get(list))
        .route("/annual/reports/new", post(create))
        .route("/annual/reports/{id}", get(show))
        .route("/annual/reports/{id}/report.docx", get(docx))
        .route("/annual/reports/{id}/freeze", post(freeze))
        .route("/annual/reports/{id}/record/{what}", post(record))
        .route("/annual/reports/{id}/sections/{sid}", get(history).post(edit))
        .route("/annual/reports/{id}/sections/{sid}/comment", post(comment))
}

/// A deadline as a page shows it.
pub struct DueView {
    pub what: &'static str,
    pub due: String,
    pub basis: &'static str,
    pub local_default: bool,
    pub status: String,
    pub tone: &'static str,
}

pub async fn deadlines(state: &AppState, r: &ReportRow) -> Result<Vec<DueView>, AppError> {
    let submit = fazhi_platform::settings::get(&state.db, model::SUBMIT_KEY).await?;
    let publish = fazhi_platform::settings::get(&state.db, model::PUBLISH_KEY).await?;
    let day = today();
    Ok(model::deadlines(r.year as i32, submit.as_deref(), publish.as_deref())
        .into_iter()
        .enumerate()
        .map(|(i, d): (usize, Deadline)| {
            let done = if i == 0 { r.submitted_on.clone() } else { r.published_on.clone() };
            let left = (d.due - day).num_days();
            let (status, tone) = match done {
                Some(on) if on.as_str() <= fmt_date(d.due).as_str() => (format!("已于 {on} 完成"), "green"),
                Some(on) => (format!("已于 {on} 完成（逾期）"), "amber"),
                None if left < 0 => (format!("已逾期 {} 天", -left), "red"),
                None if left <= 15 => (format!("还剩 {left} 天"), "amber"),
                None => (format!("还剩 {left} 天"), ""),
            };
            DueView { what: d.what, due: fmt_date(d.due), basis: d.basis, local_default: d.local_default, status, tone }
        })
        .collect())
}

// ------------------------------------------------------------------ the register

pub struct Line {
    pub r: ReportRow,
    pub unit: String,
    pub template: String,
    pub dues: Vec<DueView>,
}

#[derive(Template)]
#[template(path = "annual/reports.html")]
struct ListPage {
    layout: Layout,
    lines: Vec<Line>,
    templates: Vec<TemplateRow>,
    units: Vec<OrgRow>,
    years: Vec<i64>,
    values: BTreeMap<String, String>,
    error: Option<AppError>,
    can_templates: bool,
}

impl ListPage {
    fn v(&self, k: &str) -> String {
        self.values.get(k).cloned().unwrap_or_default()
    }
    fn err(&self, k: &str) -> String {
        self.error
            .as_ref()
            .map(|e| e.field_errors().iter().filter(|f| f.field == k).map(|f| f.message.clone()).collect::<Vec<_>>().join("；"))
            .unwrap_or_default()
    }
}

fn read_scope(staff: &Staff) -> Result<Scope, AppError> {
    let scope = service::scope(staff);
    if scope == Scope::Nothing {
        return Err(AppError::forbidden("forbidden", "您没有查看年度报告的权限"));
    }
    Ok(scope)
}

/// The units a person may draft for: the city, departments, towns and parks in their scope.
async fn units(state: &AppState, staff: &Staff) -> Result<Vec<OrgRow>, AppError> {
    let scope = service::scope(staff);
    let all = orgs::of_kinds(&state.db, &[OrgKind::City, OrgKind::Department, OrgKind::Town, OrgKind::Park]).await?;
    Ok(all.into_iter().filter(|o| scope.includes(&o.path)).collect())
}

#[derive(serde::Deserialize, Default)]
struct ListQuery {
    #[serde(default, deserialize_with = "fazhi_platform::web::form::blank_none")]
    year: Option<i64>,
    format: Option<String>,
}

async fn lines(state: &AppState, rows: Vec<ReportRow>, templates: &[TemplateRow]) -> Result<Vec<Line>, AppError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.org_id).collect();
    let names = fazhi_platform::indicators::org_names(state, &ids).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let dues = deadlines(state, &r).await?;
        out.push(Line {
            unit: names.get(&r.org_id).cloned().unwrap_or_default(),
            template: templates.iter().find(|t| t.id == r.template_id).map(|t| t.name.clone()).unwrap_or_default(),
            dues,
            r,
        });
    }
    Ok(out)
}

async fn list_page(
    state: &AppState,
    staff: &Staff,
    ctx: &Ctx,
    year: Option<i64>,
    values: BTreeMap<String, String>,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let scope = read_scope(staff)?;
    let templates = queries::templates(&state.db).await?;
    let rows = queries::reports(&state.db, &scope, year).await?;
    let bad = error.is_some();
    let y = i64::from(today().year());
    let mut r = render(&ListPage {
        layout: Layout::new(staff, ctx, "年度法治政府建设报告").crumb("年度报告", ""),
        lines: lines(state, rows, &templates).await?,
        units: units(state, staff).await?,
        years: (2015..=y).rev().collect(),
        templates,
        values,
        error,
        can_templates: staff.has(roles::TEMPLATE),
    })?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn list(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(lq): Query<ListQuery>) -> Result<Response, PageError> {
    if lq.format.as_deref() == Some("xlsx") {
        let scope = read_scope(&staff)?;
        let templates = queries::templates(&state.db).await?;
        let rows = lines(&state, queries::reports(&state.db, &scope, lq.year).await?, &templates).await?;
        let header = ["年度", "单位", "标题", "文号", "模板", "状态", "报送期限", "报送", "报送对象", "公开期限", "公开", "公开网址"];
        let data: Vec<Vec<String>> = rows
            .into_iter()
            .map(|l| {
                vec![
                    l.r.year.to_string(),
                    l.unit,
                    l.r.title.clone(),
                    l.r.doc_no.clone(),
                    l.template,
                    l.r.state_label().to_string(),
                    l.dues[0].due.clone(),
                    l.r.submitted_on.clone().unwrap_or_default(),
                    l.r.submitted_to.clone().unwrap_or_default(),
                    l.dues[1].due.clone(),
                    l.r.published_on.clone().unwrap_or_default(),
                    l.r.published_url.clone().unwrap_or_default(),
                ]
            })
            .collect();
        let bytes = fazhi_platform::tabular::write_xlsx("年度报告", &header, &data)?;
        return Ok(fazhi_platform::tabular::xlsx_response(bytes, "年度法治政府建设报告台账"));
    }
    let mut v = BTreeMap::new();
    v.insert("year".into(), (today().year() - 1).to_string());
    v.insert("org_id".into(), staff.org_id.to_string());
    list_page(&state, &staff, &ctx, lq.year, v, None).await
}

async fn create(State(state): State<AppState>, staff: Staff, ctx: Ctx, form: FormData) -> Result<Response, PageError> {
    let values: BTreeMap<String, String> = form.0.iter().filter(|(k, _)| k != "_csrf").cloned().collect();
    let g = |k: &str| form.get(k).map(str::to_string);
    let n = NewReport { template_id: g("template_id"), year: g("year"), org_id: g("org_id"), title: g("title"), doc_no: g("doc_no") };
    match service::create(&state, &staff, n).await {
        Ok(id) => Ok(redirect_ok(&format!("/annual/reports/{id}"), "已建立年度报告，数字已按指标自动计算")),
        Err(e @ AppError::Invalid { .. }) => list_page(&state, &staff, &ctx, None, values, Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ the report

pub struct SectionView {
    pub s: SectionRow,
    pub number: String,
    pub contents: Vec<&'static str>,
    pub comments: Vec<CommentRow>,
    /// The text to show in the editor (what was submitted, after a refusal).
    pub draft: String,
    pub error: String,
}

/// A figure frozen against its value now.
pub struct Compare {
    pub key: String,
    pub name: String,
    pub frozen: String,
    pub live: String,
    pub changed: bool,
    pub definition_changed: bool,
    pub href: String,
}

#[derive(Template)]
#[template(path = "annual/report.html")]
struct ReportPage {
    layout: Layout,
    r: ReportRow,
    unit: String,
    dues: Vec<DueView>,
    findings: Findings,
    preview: String,
    doc: Composed,
    sections: Vec<SectionView>,
    compare: Vec<Compare>,
    frozen_at: String,
    timeline: Vec<audit::EventRow>,
    can_edit: bool,
    error: Option<(String, String)>,
    values: BTreeMap<String, String>,
    today: String,
}

impl ReportPage {
    fn v(&self, k: &str) -> String {
        self.values.get(k).cloned().unwrap_or_default()
    }
    fn err(&self, k: &str) -> String {
        match &self.error {
            Some((f, m)) if f == k => m.clone(),
            _ => String::new(),
        }
    }
}

/// A refused form on the report page: which form (or section) and the message.
struct Refused {
    place: String,
    error: AppError,
    values: BTreeMap<String, String>,
}

async fn report_page(state: &AppState, staff: &Staff, ctx: &Ctx, id: i64, refused: Option<Refused>) -> Result<Response, PageError> {
    let r = service::readable(state, staff, id).await?;
    let unit = queries::org_name(&state.db, r.org_id).await?;
    let rows = queries::sections(&state.db, id).await?;
    let live = service::composed(state, staff, &r).await?;
    let frozen = service::frozen(&r);
    let doc = frozen.clone().unwrap_or_else(|| live.clone());
    let findings = compose::check(&doc);
    let mut comments = queries::comments(&state.db, id).await?;
    let numbers = model::numbering(&rows.iter().map(|s| s.level).collect::<Vec<_>>());
    let sections: Vec<SectionView> = rows
        .into_iter()
        .zip(numbers)
        .map(|(s, number)| {
            let (mine, rest): (Vec<CommentRow>, Vec<CommentRow>) = std::mem::take(&mut comments).into_iter().partition(|c| c.section_id == s.id);
            comments = rest;
            let place = format!("sec:{}", s.id);
            let (draft, error) = match &refused {
                Some(f) if f.place == place => (f.values.get("body").cloned().unwrap_or_else(|| s.body.clone()), f.error.user_message()),
                Some(f) if f.place == format!("com:{}", s.id) => (s.body.clone(), f.error.user_message()),
                _ => (s.body.clone(), String::new()),
            };
            SectionView { contents: model::content_codes(&s.contents).into_iter().map(model::content_label).collect(), number, comments: mine, draft, error, s }
        })
        .collect();
    let compare = match &frozen {
        None => vec![],
        Some(f) => f
            .values
            .iter()
            .map(|fv| {
                let lv = live.value(&fv.key);
                let live_text = lv.map(|v| if v.error.is_some() { "无法计算".to_string() } else { v.text.clone() }).unwrap_or_default();
                Compare {
                    key: fv.key.clone(),
                    name: fv.name.clone(),
                    frozen: fv.text.clone(),
                    changed: live_text != fv.text,
                    definition_changed: lv.is_some_and(|v| !v.meta_hash.is_empty() && v.meta_hash != fv.meta_hash),
                    live: live_text,
                    href: fv.href.clone(),
                }
            })
            .collect(),
    };
    let (error, values) = match refused {
        Some(f) if !f.place.starts_with("sec:") && !f.place.starts_with("com:") => {
            let field = f.error.field_errors().first().map(|e| e.field.clone()).unwrap_or(f.place.clone());
            (Some((field, f.error.user_message())), f.values)
        }
        _ => (None, BTreeMap::new()),
    };
    let bad = error.is_some() || sections_bad(&sections);
    let page = ReportPage {
        layout: Layout::new(staff, ctx, r.title.clone()).crumb("年度报告", "/annual/reports").crumb(format!("{}年度 {}", r.year, unit), ""),
        dues: deadlines(state, &r).await?,
        preview: html::body(&doc, true),
        frozen_at: r.frozen_at.map(fmt_datetime).unwrap_or_default(),
        timeline: audit::timeline(&state.db, "annual_report", id).await?,
        can_edit: staff.allows(roles::DRAFT, None, &fazhi_platform::org::queries::get(&state.db, r.org_id).await?.map(|o| o.path).unwrap_or_default()),
        today: fmt_date(today()),
        unit,
        findings,
        doc,
        sections,
        compare,
        error,
        values,
        r,
    };
    let mut resp = render(&page)?;
    if bad {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

fn sections_bad(s: &[SectionView]) -> bool {
    s.iter().any(|s| !s.error.is_empty())
}

async fn show(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    report_page(&state, &staff, &ctx, id, None).await
}

/// Refusals the page shows beside the form; anything else is an error page.
fn shown(e: &AppError) -> bool {
    matches!(e, AppError::Invalid { .. } | AppError::Refused { .. } | AppError::Conflict { .. })
}

async fn edit(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path((id, sid)): Path<(i64, i64)>, form: FormData) -> Result<Response, PageError> {
    match service::edit_section(&state, &staff, id, sid, form.int("version"), form.get("body")).await {
        Ok(v) => Ok(redirect_ok(&format!("/annual/reports/{id}#s{sid}"), &format!("已保存（第{v}版）"))),
        Err(e) if shown(&e) => {
            let values = form.0.iter().filter(|(k, _)| k != "_csrf").cloned().collect();
            report_page(&state, &staff, &ctx, id, Some(Refused { place: format!("sec:{sid}"), error: e, values })).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn comment(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path((id, sid)): Path<(i64, i64)>, form: FormData) -> Result<Response, PageError> {
    match service::comment(&state, &staff, id, sid, form.get("comment")).await {
        Ok(()) => Ok(redirect_ok(&format!("/annual/reports/{id}#s{sid}"), "已提出意见")),
        Err(e) if shown(&e) => report_page(&state, &staff, &ctx, id, Some(Refused { place: format!("com:{sid}"), error: e, values: BTreeMap::new() })).await,
        Err(e) => Err(e.into()),
    }
}

async fn freeze(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>, form: FormData) -> Result<Response, PageError> {
    match service::freeze(&state, &staff, id, form.int("version"), form.checked("ack_missing")).await {
        Ok(()) => Ok(redirect_ok(&format!("/annual/reports/{id}"), "已定稿：数字连同指标定义一并固定，今后不再变化")),
        Err(e @ AppError::Conflict { .. }) => Ok(redirect_flash(&format!("/annual/reports/{id}"), false, &e.user_message())),
        Err(e) if shown(&e) => report_page(&state, &staff, &ctx, id, Some(Refused { place: "freeze".into(), error: e, values: BTreeMap::new() })).await,
        Err(e) => Err(e.into()),
    }
}

async fn record(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path((id, what)): Path<(i64, String)>, form: FormData) -> Result<Response, PageError> {
    match service::record(&state, &staff, id, &what, form.get("date"), form.get("detail"), form.checked("secrecy_checked")).await {
        Ok(()) => Ok(redirect_ok(&format!("/annual/reports/{id}"), if what == "submit" { "已登记报送" } else { "已登记公开，报告已在门户网站公布" })),
        Err(e) if shown(&e) => {
            let values: BTreeMap<String, String> = form.0.iter().filter(|(k, _)| k != "_csrf").map(|(k, v)| (format!("{what}.{k}"), v.clone())).collect();
            let e = match e {
                AppError::Invalid { .. } => AppError::fields(
                    e.field_errors()
                        .iter()
                        .map(|f| fazhi_platform::error::FieldError::new(format!("{what}.{}", f.field), f.code.clone(), f.message.clone()))
                        .collect(),
                ),
                e => e,
            };
            report_page(&state, &staff, &ctx, id, Some(Refused { place: what, error: e, values })).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "annual/history.html")]
struct HistoryPage {
    layout: Layout,
    r: ReportRow,
    heading: String,
    versions: Vec<VersionRow>,
}

async fn history(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path((id, sid)): Path<(i64, i64)>) -> Result<Response, PageError> {
    let r = service::readable(&state, &staff, id).await?;
    let s =
        queries::sections(&state.db, id).await?.into_iter().find(|s| s.id == sid).ok_or_else(|| AppError::not_found("section_not_found", "该段落不存在"))?;
    let heading = if s.heading.is_empty() { format!("第{}段", s.position) } else { s.heading.clone() };
    render(&HistoryPage {
        layout: Layout::new(&staff, &ctx, format!("修改记录：{heading}"))
            .crumb("年度报告", "/annual/reports")
            .crumb(r.title.clone(), format!("/annual/reports/{id}"))
            .crumb("修改记录", ""),
        versions: queries::versions(&state.db, sid).await?,
        heading,
        r,
    })
}

async fn docx(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> Result<Response, PageError> {
    let r = service::readable(&state, &staff, id).await?;
    let doc = match service::frozen(&r) {
        Some(d) => d,
        None => service::composed(&state, &staff, &r).await?,
    };
    let day: NaiveDate = r.frozen_at.map(fazhi_platform::time::local_date).unwrap_or_else(today);
    let bytes = crate::docx::write(&doc, &fazhi_platform::time::fmt_date_cn(day))?;
    let name = if r.frozen() { format!("{}.docx", r.title) } else { format!("{}（草稿）.docx", r.title) };
    Ok(fazhi_platform::reports::docx::response(bytes, &name))
}
