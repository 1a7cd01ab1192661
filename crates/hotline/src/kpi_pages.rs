//! `/hotline/kpi`: the indicators per unit, town or category for a period, each figure a link
//! to its tickets, with charts and an XLSX export.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::kpi::{self, Counts, Dim, INDICATORS};
use super::pages::{Line, lines, period};
use crate::auth::roles::Scope;
use crate::auth::{Perm, Staff};
use crate::error::AppError;
use crate::state::AppState;
use crate::tabular::{Sheet, XCell};
use crate::web::charts;
use crate::web::extract::Query;
use crate::web::{Ctx, Layout, Page, PageError, Paging, render};

pub fn routes() -> Router<AppState> {
    Router::new().route("/hotline/kpi", get(dashboard)).route("/hotline/kpi/drill", get(drill)).route("/hotline/kpi/export.xlsx", get(export))
}

#[derive(Deserialize, Default)]
pub struct KpiQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub dim: Option<String>,
}

pub struct Cell {
    pub text: String,
    pub href: String,
    pub title: String,
}

pub struct Row {
    pub name: String,
    pub cells: Vec<Cell>,
    /// The hotline centre's own row: what it answered on the spot or did not accept. It handles
    /// no ticket as a unit, so the rates do not apply to it.
    pub centre: bool,
}

#[derive(Template)]
#[template(path = "hotline/kpi.html")]
struct KpiPage {
    layout: Layout,
    from: String,
    to: String,
    dim: &'static str,
    dims: Vec<(&'static str, &'static str)>,
    headers: Vec<(&'static str, &'static str)>,
    rows: Vec<Row>,
    total: Row,
    basic_counts: bool,
    chart_daily: String,
    chart_categories: String,
    chart_units: String,
    chart_trend: String,
    scoped: bool,
}

async fn names(state: &AppState, dim: Dim) -> Result<std::collections::HashMap<i64, String>, AppError> {
    kpi::group_names(&state.db, dim).await
}

fn drill_href(metric: &str, dim: Dim, key: Option<i64>, from: &str, to: &str) -> String {
    match key {
        Some(k) => format!("/hotline/kpi/drill?metric={metric}&dim={}&key={k}&from={from}&to={to}", dim.code()),
        None => format!("/hotline/kpi/drill?metric={metric}&dim=all&key=0&from={from}&to={to}"),
    }
}

fn row(name: String, c: &Counts, dim: Dim, key: Option<i64>, from: &str, to: &str, basic: bool) -> Row {
    Row {
        name,
        cells: INDICATORS
            .iter()
            .map(|ind| {
                let v = c.value(ind, basic);
                let title = match &v {
                    kpi::Value::Rate(_, n, d) => format!("{n} / {d}"),
                    kpi::Value::Count(_) => String::new(),
                };
                Cell { text: v.display(), href: drill_href(ind.numerator, dim, key, from, to), title }
            })
            .collect(),
        centre: false,
    }
}

/// The centre's row: its counts, no rates.
fn centre_row(mut r: Row) -> Row {
    r.name = "12345热线中心（自办）".into();
    for (c, ind) in r.cells.iter_mut().zip(INDICATORS) {
        if ind.denominator.is_some() {
            c.text = "—".into();
            c.title = "热线中心不作为承办单位办理工单，办结、按时等比率不适用".into();
        }
    }
    r.centre = true;
    r
}

fn scope_of(staff: &Staff) -> Result<Scope, AppError> {
    let scope = staff.scope(Perm::KPI_READ, Some("hotline"));
    if scope == Scope::Nothing {
        return Err(AppError::forbidden("forbidden", "您没有查看热线指标的权限"));
    }
    Ok(scope)
}

async fn dashboard(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(kq): Query<KpiQuery>) -> Result<Response, PageError> {
    let scope = scope_of(&staff)?;
    let (from, to) = period(kq.from.as_deref(), kq.to.as_deref())?;
    let dim = match Dim::parse(kq.dim.as_deref().unwrap_or("org")) {
        Dim::All => Dim::Org,
        d => d,
    };
    let basic = kpi::basic_counts(&state.db).await;
    let mut counts = kpi::counts(&state.db, dim, &from, &to, &scope).await?;
    let nm = names(&state, dim).await?;
    counts.sort_by(|a, b| b.accepted.cmp(&a.accepted).then(a.key.cmp(&b.key)));
    let mut total = Counts::default();
    for c in &counts {
        total.add(c);
    }
    let centre = crate::service::centre(&state).await?.id;
    let mut rows: Vec<Row> = Vec::with_capacity(counts.len());
    let mut centre_line = None;
    for c in &counts {
        let r = row(nm.get(&c.key).cloned().unwrap_or_else(|| format!("#{}", c.key)), c, dim, Some(c.key), &from, &to, basic);
        if dim == Dim::Org && c.key == centre {
            centre_line = Some(centre_row(r));
        } else {
            rows.push(r);
        }
    }
    rows.extend(centre_line);
    // Charts.
    let daily = kpi::daily(&state.db, &from, &to, &scope).await?;
    let chart_daily =
        charts::columns(&format!("每日诉求量（{from} 至 {to}）"), "件", &daily.iter().map(|(d, r, _)| (d[5..].to_string(), *r as f64)).collect::<Vec<_>>());
    let mut by_cat = kpi::counts(&state.db, Dim::Category, &from, &to, &scope).await?;
    by_cat.sort_by_key(|c| std::cmp::Reverse(c.received));
    let cat_names = names(&state, Dim::Category).await?;
    let chart_categories = charts::bars(
        "诉求类别前十",
        "件",
        &by_cat
            .iter()
            .take(10)
            .map(|c| {
                (cat_names.get(&c.key).cloned().unwrap_or_default(), c.received as f64, Some(drill_href("received", Dim::Category, Some(c.key), &from, &to)))
            })
            .collect::<Vec<_>>(),
        false,
    );
    let mut by_unit = if dim == Dim::Org { counts.clone() } else { kpi::counts(&state.db, Dim::Org, &from, &to, &scope).await? };
    let org_names = names(&state, Dim::Org).await?;
    // Units ranked by how many tickets they closed late: near-equal rates (97–100 %) hide
    // the differences that the counts show.
    by_unit.retain(|c| c.closed >= 5 && c.key != centre);
    by_unit.sort_by(|a, b| (b.closed - b.on_time).cmp(&(a.closed - a.on_time)).then(a.key.cmp(&b.key)));
    let late_units: Vec<(String, f64, Option<String>)> = by_unit
        .iter()
        .filter(|c| c.closed > c.on_time)
        .take(15)
        .map(|c| {
            let rate = c.on_time as f64 * 100.0 / c.closed.max(1) as f64;
            (
                format!("{}（按时 {rate:.1}%）", org_names.get(&c.key).cloned().unwrap_or_default()),
                (c.closed - c.on_time) as f64,
                Some(drill_href("closed", Dim::Org, Some(c.key), &from, &to)),
            )
        })
        .collect();
    let chart_units = if late_units.is_empty() {
        String::new()
    } else {
        charts::bars("承办单位超期办结件数（办结 5 件以上的单位）", "件", &late_units, false)
    };
    let months = kpi::monthly(&state.db, &from, &to, &scope).await?;
    let sat = INDICATORS.iter().find(|i| i.code == "satisfaction").expect("satisfaction");
    let chart_trend = charts::line(
        "回访满意率月度走势",
        "%",
        &months
            .iter()
            .map(|(m, c)| {
                (
                    m[2..].replace('-', "年") + "月",
                    match c.value(sat, basic) {
                        kpi::Value::Rate(p, _, _) => p,
                        _ => None,
                    },
                )
            })
            .collect::<Vec<_>>(),
        true,
    );
    render(&KpiPage {
        layout: Layout::new(&staff, &ctx, "热线指标").crumb("12345 热线", "/hotline/tickets").crumb("指标", ""),
        total: row("合计".into(), &total, Dim::All, None, &from, &to, basic),
        from,
        to,
        dim: dim.code(),
        dims: [Dim::Org, Dim::Town, Dim::Category, Dim::Channel].iter().map(|d| (d.code(), d.label())).collect(),
        headers: INDICATORS.iter().map(|i| (i.name, i.definition)).collect(),
        rows,
        basic_counts: basic,
        chart_daily,
        chart_categories,
        chart_units,
        chart_trend,
        scoped: scope != Scope::All,
    })
}

#[derive(Deserialize)]
struct DrillQuery {
    metric: String,
    dim: Option<String>,
    key: Option<i64>,
    from: Option<String>,
    to: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "hotline/drill.html")]
struct DrillPage {
    layout: Layout,
    title: String,
    page: Page<Line>,
    base: String,
}

async fn drill(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(d): Query<DrillQuery>) -> Result<Response, PageError> {
    let scope = scope_of(&staff)?;
    let (from, to) = period(d.from.as_deref(), d.to.as_deref())?;
    let basic = kpi::basic_counts(&state.db).await;
    let cond = kpi::metric_condition(&d.metric, basic).ok_or_else(|| AppError::field("metric", "unknown_metric", "未知指标"))?;
    let dim = Dim::parse(d.dim.as_deref().unwrap_or("all"));
    let key = d.key.unwrap_or(0);
    let paging = Paging { page: d.page, per: Some(30) };
    let found = kpi::tickets(&state.db, &cond, dim, key, &from, &to, &scope, paging).await?;
    let total = found.total;
    let rows = found.items;
    let items = lines(&state, rows, &super::pages::list_view(&staff)).await?;
    let metric_name = match d.metric.as_str() {
        "received" => "诉求总量",
        "accepted" => "受理量",
        "closed" => "办结",
        "on_time" => "按时办结",
        "callback" | "evaluated" => "已回访评价",
        "satisfied_total" => "满意（含基本满意）",
        "returned" => "退单",
        "extended" => "延期",
        "reopened" => "重办",
        "supervised" => "督办",
        "direct" => "直接答复",
        "not_accepted" => "不予受理",
        _ => "指标",
    };
    let who = if dim == Dim::All { "全市".to_string() } else { names(&state, dim).await?.get(&key).cloned().unwrap_or_default() };
    let title = format!("{who} · {metric_name} · {from} 至 {to}（{total} 件）");
    render(&DrillPage {
        layout: Layout::new(&staff, &ctx, title.clone()).crumb("热线指标", format!("/hotline/kpi?from={from}&to={to}")).crumb("明细", ""),
        base: format!("/hotline/kpi/drill?metric={}&dim={}&key={key}&from={from}&to={to}&", d.metric, dim.code()),
        title,
        page: Page::new(items, &paging, total),
    })
}

async fn export(State(state): State<AppState>, staff: Staff, Query(kq): Query<KpiQuery>) -> Result<Response, PageError> {
    let scope = scope_of(&staff)?;
    let (from, to) = period(kq.from.as_deref(), kq.to.as_deref())?;
    let dim = Dim::parse(kq.dim.as_deref().unwrap_or("org"));
    let basic = kpi::basic_counts(&state.db).await;
    let counts = kpi::counts(&state.db, dim, &from, &to, &scope).await?;
    let nm = names(&state, dim).await?;
    let centre = crate::service::centre(&state).await?.id;
    let mut header: Vec<String> = vec![dim.label().to_string()];
    header.extend(INDICATORS.iter().map(|i| i.name.to_string()));
    // Counts as numbers, rates as percentages Excel can compute with; no rate for the centre.
    let cells = |name: String, c: &Counts, rates: bool| {
        let mut r = vec![XCell::Text(name)];
        r.extend(INDICATORS.iter().map(|i| match c.value(i, basic) {
            kpi::Value::Count(n) => XCell::Int(n),
            kpi::Value::Rate(Some(p), _, _) if rates => XCell::Percent((p * 100.0).round() / 100.0),
            kpi::Value::Rate(..) => XCell::Empty,
        }));
        r
    };
    let mut total = Counts::default();
    let mut rows: Vec<Vec<XCell>> = Vec::new();
    for c in &counts {
        total.add(c);
        let is_centre = dim == Dim::Org && c.key == centre;
        let name =
            if is_centre { "12345热线中心（自办：当场答复、不予受理等）".to_string() } else { nm.get(&c.key).cloned().unwrap_or_default() };
        rows.push(cells(name, c, !is_centre));
    }
    rows.push(cells("合计".into(), &total, true));
    let sheet = Sheet { name: "热线指标".into(), title: Some(format!("12345热线指标（{from} 至 {to}，按{}）", dim.label())), header, rows };
    Ok(crate::tabular::export(&format!("热线指标-{from}-{to}"), &[sheet])?)
}
