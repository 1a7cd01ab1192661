//! `/indicators`: every registered indicator with its definition, grouped under the 纲要's nine
//! blocks; one indicator evaluated for a period, a unit and a cut, each value a link to the
//! records behind it; the records; and an XLSX export of the value with its records.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::{BLOCKS, Cell, Evaluation, Indicator, Meta, Params, Part, RecordRef};
use crate::auth::{Perm, Staff};
use crate::error::AppError;
use crate::org::OrgKind;
use crate::state::AppState;
use crate::tabular::{Sheet, XCell};
use crate::web::extract::{Path, Query};
use crate::web::{Ctx, Layout, Page, PageError, Paging, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/indicators", get(list))
        .route("/indicators/{code}", get(show))
        .route("/indicators/{code}/records", get(records))
        .route("/indicators/{code}/export.xlsx", get(export))
}

/// The query of an evaluation, a drill-down and an export.
#[derive(Deserialize, Default)]
pub struct EvalQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    pub org: Option<i64>,
    pub by: Option<String>,
    /// Evaluate as the records stood at the end of this day (YYYY-MM-DD).
    pub as_of: Option<String>,
    pub key: Option<String>,
    pub part: Option<String>,
    pub page: Option<i64>,
}

impl EvalQuery {
    /// The query string of the selection (without key, part and page).
    fn selection(&self, p: &Params) -> String {
        let mut s = format!("from={}&to={}", p.from_str(), p.to_str());
        if let Some(o) = &p.org {
            s.push_str(&format!("&org={}", o.id));
        }
        if let Some(b) = p.by {
            s.push_str(&format!("&by={}", b.code));
        }
        if p.as_of.is_some() {
            s.push_str(&format!("&as_of={}", p.as_of_str()));
        }
        s
    }
}

struct BlockGroup {
    label: &'static str,
    items: Vec<&'static Meta>,
}

#[derive(Template)]
#[template(path = "indicators/list.html")]
struct ListPage {
    layout: Layout,
    blocks: Vec<BlockGroup>,
}

async fn list(State(state): State<AppState>, staff: Staff, ctx: Ctx) -> Result<Response, PageError> {
    staff.require(Perm::KPI_READ)?;
    let all = state.registry.indicators();
    let blocks =
        BLOCKS.iter().map(|b| BlockGroup { label: b.label(), items: all.iter().filter(|i| i.meta().block == *b).map(|i| i.meta()).collect() }).collect();
    render(&ListPage { layout: Layout::new(&staff, &ctx, "指标体系").crumb("指标体系", ""), blocks })
}

/// The indicator and the reader's evaluation parameters, or 404 / 403 / a field error.
async fn indicator_and_params(state: &AppState, staff: &Staff, code: &str, q: &EvalQuery) -> Result<(&'static dyn Indicator, Params), AppError> {
    let ind = state.registry.indicator(code).ok_or_else(|| AppError::not_found("indicator_not_found", "指标不存在"))?;
    let scope = staff.scope(Perm::KPI_READ, ind.meta().procedure);
    let p = super::params_at(state, ind, scope, q.from.as_deref(), q.to.as_deref(), q.org, q.by.as_deref(), q.as_of.as_deref()).await?;
    Ok((ind, p))
}

/// A value on the page, with the links to its records.
struct ValueView {
    label: String,
    value: String,
    numerator: i64,
    denominator: Option<i64>,
    href: String,
    den_href: String,
}

#[derive(Template)]
#[template(path = "indicators/show.html")]
struct ShowPage {
    layout: Layout,
    meta: &'static Meta,
    block: &'static str,
    from: String,
    to: String,
    org: Option<i64>,
    by: String,
    as_of: String,
    units: Vec<(i64, String)>,
    total: ValueView,
    groups: Vec<ValueView>,
    export: String,
    error: Option<AppError>,
}

impl ShowPage {
    fn bad(&self, field: &str) -> bool {
        self.error.as_ref().is_some_and(|e| e.field_errors().iter().any(|f| f.field == field))
    }
}

fn view(ind: &dyn Indicator, c: &Cell, base: &str) -> ValueView {
    let key = c.key.as_deref().map(|k| format!("&key={}", crate::web::urlencode(k))).unwrap_or_default();
    ValueView {
        label: c.label.clone(),
        value: c.display(ind.meta().unit),
        numerator: c.numerator,
        denominator: c.denominator,
        href: format!("{base}{key}"),
        den_href: format!("{base}{key}&part=denominator"),
    }
}

/// Units a reader may pick: departments, towns and parks in their scope.
async fn units(state: &AppState, staff: &Staff, meta: &Meta) -> Result<Vec<(i64, String)>, AppError> {
    let scope = staff.scope(Perm::KPI_READ, meta.procedure);
    let all = crate::org::queries::of_kinds(&state.db, &[OrgKind::Department, OrgKind::Town, OrgKind::Park]).await?;
    Ok(all.into_iter().filter(|o| scope.includes(&o.path)).map(|o| (o.id, o.name)).collect())
}

async fn show(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(code): Path<String>, Query(q): Query<EvalQuery>) -> Result<Response, PageError> {
    staff.require(Perm::KPI_READ)?;
    let ind = state.registry.indicator(&code).ok_or_else(|| AppError::not_found("indicator_not_found", "指标不存在"))?;
    let meta = ind.meta();
    let layout = Layout::new(&staff, &ctx, meta.name).crumb("指标体系", "/indicators").crumb(meta.name, "");
    let units = units(&state, &staff, meta).await?;
    let evaluated = match indicator_and_params(&state, &staff, &code, &q).await {
        Ok((_, p)) => ind.evaluate(&state, &p).await.map(|e| (p, e)),
        Err(e) => Err(e),
    };
    match evaluated {
        Ok((p, e)) => {
            let base = format!("/indicators/{code}/records?{}", q.selection(&p));
            render(&ShowPage {
                layout,
                meta,
                block: meta.block.label(),
                from: p.from_str(),
                to: p.to_str(),
                org: p.org.as_ref().map(|o| o.id),
                by: p.by.map(|b| b.code.to_string()).unwrap_or_default(),
                as_of: p.as_of_str(),
                units,
                total: view(ind, &e.total, &base),
                groups: e.groups.iter().map(|c| view(ind, c, &base)).collect(),
                export: format!("/indicators/{code}/export.xlsx?{}", q.selection(&p)),
                error: None,
            })
        }
        // A bad period or cut: the form again with the error on its field.
        Err(e @ AppError::Invalid { .. }) => {
            let mut r = render(&ShowPage {
                layout,
                meta,
                block: meta.block.label(),
                from: q.from.clone().unwrap_or_default(),
                to: q.to.clone().unwrap_or_default(),
                org: q.org,
                by: q.by.clone().unwrap_or_default(),
                as_of: q.as_of.clone().unwrap_or_default(),
                units,
                total: ValueView { label: "合计".into(), value: "—".into(), numerator: 0, denominator: None, href: String::new(), den_href: String::new() },
                groups: vec![],
                export: String::new(),
                error: Some(e),
            })?;
            *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "indicators/records.html")]
struct RecordsPage {
    layout: Layout,
    title: String,
    page: Page<RecordRef>,
    base: String,
}

async fn records(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(code): Path<String>, Query(q): Query<EvalQuery>) -> Result<Response, PageError> {
    staff.require(Perm::KPI_READ)?;
    let (ind, p) = indicator_and_params(&state, &staff, &code, &q).await?;
    let part = Part::parse(q.part.as_deref());
    let paging = Paging { page: q.page, per: Some(50) };
    let page = ind.records(&state, &p, q.key.as_deref(), part, paging).await?;
    let meta = ind.meta();
    let what = match (part, meta.denominator) {
        (Part::Denominator, Some(d)) => d,
        _ => meta.numerator,
    };
    let mut title = format!("{}：{}（{} 至 {}）", meta.name, what, p.from_str(), p.to_str());
    if p.as_of.is_some() {
        title.push_str(&format!("，按 {} 日终状态", p.as_of_str()));
    }
    let mut base = format!("/indicators/{code}/records?{}", q.selection(&p));
    if let Some(k) = &q.key {
        base.push_str(&format!("&key={}", crate::web::urlencode(k)));
    }
    if part == Part::Denominator {
        base.push_str("&part=denominator");
    }
    base.push('&');
    render(&RecordsPage {
        layout: Layout::new(&staff, &ctx, meta.name)
            .crumb("指标体系", "/indicators")
            .crumb(meta.name, format!("/indicators/{code}?{}", q.selection(&p)))
            .crumb("明细", ""),
        title,
        page,
        base,
    })
}

/// The most records an export lists (a year of a large city's hotline is far below).
const EXPORT_RECORDS: i64 = 20_000;

/// The value sheet and the records sheet of an indicator for a selection.
pub async fn workbook(state: &AppState, ind: &dyn Indicator, p: &Params, e: &Evaluation) -> Result<Vec<Sheet>, AppError> {
    let meta = ind.meta();
    let unit_name = p.org.as_ref().map(|o| o.name.clone()).unwrap_or_else(|| "全部".into());
    let mut title = format!("{}（{} 至 {}，{}）", meta.name, p.from_str(), p.to_str(), unit_name);
    if p.as_of.is_some() {
        title = format!("{}（{} 至 {}，{}，按 {} 日终状态）", meta.name, p.from_str(), p.to_str(), unit_name, p.as_of_str());
    }
    let value = |c: &Cell| match c.value(meta.unit) {
        None => XCell::Empty,
        Some(v) if meta.unit == super::Unit::Percent => XCell::Percent((v * 100.0).round() / 100.0),
        Some(v) => XCell::Num(v),
    };
    let mut header = vec![p.by.map(|b| b.label).unwrap_or("范围").to_string(), format!("{}（{}）", meta.name, meta.unit.label()), meta.numerator.to_string()];
    if let Some(d) = meta.denominator {
        header.push(d.to_string());
    }
    let row = |c: &Cell| {
        let mut r = vec![XCell::text(c.label.clone()), value(c), XCell::Int(c.numerator)];
        if meta.denominator.is_some() {
            r.push(c.denominator.map(XCell::Int).unwrap_or(XCell::Empty));
        }
        r
    };
    let mut rows: Vec<Vec<XCell>> = e.groups.iter().map(row).collect();
    rows.push(row(&e.total));
    let mut sheets = vec![Sheet { name: "指标值".into(), title: Some(title.clone()), header, rows }];
    let mut recs = Vec::new();
    let mut page = 1;
    loop {
        let chunk = ind.records(state, p, None, Part::Numerator, Paging { page: Some(page), per: Some(Paging::MAX_PER) }).await?;
        let done = !chunk.has_next() || (recs.len() as i64) >= EXPORT_RECORDS;
        recs.extend(chunk.items);
        if done {
            break;
        }
        page += 1;
    }
    sheets.push(Sheet {
        name: "明细".into(),
        title: Some(format!("{}：{}", title, meta.numerator)),
        header: ["编号", "标题", "单位", "日期"].map(String::from).to_vec(),
        rows: recs.into_iter().map(|r| vec![XCell::Text(r.number), XCell::Text(r.title), XCell::Text(r.unit), XCell::guess(&r.date)]).collect(),
    });
    Ok(sheets)
}

async fn export(State(state): State<AppState>, staff: Staff, Path(code): Path<String>, Query(q): Query<EvalQuery>) -> Result<Response, PageError> {
    staff.require(Perm::KPI_READ)?;
    let (ind, p) = indicator_and_params(&state, &staff, &code, &q).await?;
    let e = ind.evaluate(&state, &p).await?;
    let sheets = workbook(&state, ind, &p, &e).await?;
    Ok(crate::tabular::export(&format!("{}-{}-{}", ind.meta().name, p.from_str(), p.to_str()), &sheets)?)
}
