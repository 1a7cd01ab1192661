//! `/dashboard`, the leadership 驾驶舱: a panel per 纲要 block with each indicator the reader may
//! see (this period against the same period last year, as a number and a small bar chart),
//! rankings of units and towns for the rates, and work overdue across every procedure. Every
//! number is a link to the records behind it. Nothing is counted here: the values are the
//! registered indicators', evaluated concurrently under the reader's scope, and the overdue
//! work is the kernel's "overdue" condition in one grouped query.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use futures::future::join_all;
use serde::Deserialize;

use super::{BLOCKS, Cell, Evaluation, Indicator, Params, Unit, dims};
use crate::auth::roles::Scope;
use crate::auth::{Perm, Staff};
use crate::db::{Q, q};
use crate::error::AppError;
use crate::kernel::queries::{CASE_COLUMNS, CaseRow, overdue_sql};
use crate::state::AppState;
use crate::web::extract::Query;
use crate::web::{Ctx, Layout, Page, PageError, Paging, render};

pub fn routes() -> Router<AppState> {
    Router::new().route("/dashboard", get(show)).route("/dashboard/overdue", get(overdue_list))
}

#[derive(Deserialize, Default)]
struct DashQuery {
    from: Option<String>,
    to: Option<String>,
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    org: Option<i64>,
    procedure: Option<String>,
    page: Option<i64>,
}

/// One indicator on a panel.
struct Tile {
    name: &'static str,
    page: String,
    value: String,
    href: String,
    last: String,
    last_href: String,
    /// "较上年同期 +3.20 个百分点", empty when either value is missing.
    delta: String,
    /// `up`, `down` or `flat`: the colour of the change.
    tone: &'static str,
    /// Widths (of 100) of this period's bar and last year's.
    bar_now: u32,
    bar_last: u32,
    error: Option<String>,
}

struct Panel {
    label: &'static str,
    tiles: Vec<Tile>,
}

struct RankRow {
    label: String,
    value: String,
    href: String,
    bar: u32,
}

struct Ranking {
    title: String,
    page: String,
    rows: Vec<RankRow>,
}

struct OverdueRow {
    procedure: &'static str,
    count: i64,
    href: String,
}

#[derive(Template)]
#[template(path = "indicators/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    from: String,
    to: String,
    last_from: String,
    last_to: String,
    org: Option<i64>,
    units: Vec<(i64, String)>,
    panels: Vec<Panel>,
    rankings: Vec<Ranking>,
    overdue: Vec<OverdueRow>,
    overdue_total: i64,
    overdue_href: String,
    error: Option<AppError>,
}

/// The same days one year earlier (29 February falls back to the 28th).
fn year_before(d: NaiveDate) -> NaiveDate {
    d.with_year(d.year() - 1).or_else(|| (d - chrono::Duration::days(1)).with_year(d.year() - 1)).unwrap_or(d)
}

fn selection(p: &Params) -> String {
    let mut s = format!("from={}&to={}", p.from_str(), p.to_str());
    if let Some(o) = &p.org {
        s.push_str(&format!("&org={}", o.id));
    }
    s
}

fn value_of(c: &Cell, unit: Unit) -> Option<f64> {
    c.value(unit)
}

fn tile(ind: &dyn Indicator, p: &Params, last_p: &Params, now: Result<Evaluation, AppError>, last: Result<Evaluation, AppError>) -> Tile {
    let meta = ind.meta();
    let code = meta.code;
    let page = format!("/indicators/{code}?{}", selection(p));
    let href = format!("/indicators/{code}/records?{}", selection(p));
    let last_href = format!("/indicators/{code}/records?{}", selection(last_p));
    let (now, last) = match (now, last) {
        (Ok(n), Ok(l)) => (n, l),
        (Err(e), _) | (_, Err(e)) => {
            return Tile {
                name: meta.name,
                page,
                value: "—".into(),
                href,
                last: "—".into(),
                last_href,
                delta: String::new(),
                tone: "flat",
                bar_now: 0,
                bar_last: 0,
                error: Some(e.user_message()),
            };
        }
    };
    let (a, b) = (value_of(&now.total, meta.unit), value_of(&last.total, meta.unit));
    let (delta, tone) = match (a, b) {
        (Some(a), Some(b)) if meta.unit == Unit::Percent => {
            let d = a - b;
            (format!("较上年同期 {}{:.2} 个百分点", if d >= 0.0 { "+" } else { "" }, d), tone_of(d))
        }
        (Some(a), Some(b)) if b > 0.0 => {
            let d = (a - b) * 100.0 / b;
            (format!("较上年同期 {}{:.1}%", if d >= 0.0 { "+" } else { "" }, d), tone_of(d))
        }
        (Some(a), Some(_)) if a > 0.0 => ("上年同期为 0".into(), "up"),
        _ => (String::new(), "flat"),
    };
    let scale = match meta.unit {
        Unit::Percent => 100.0,
        _ => a.unwrap_or(0.0).max(b.unwrap_or(0.0)).max(1.0),
    };
    let width = |v: Option<f64>| ((v.unwrap_or(0.0) / scale * 100.0).round().clamp(0.0, 100.0)) as u32;
    Tile {
        name: meta.name,
        page,
        value: now.total.display(meta.unit),
        href,
        last: last.total.display(meta.unit),
        last_href,
        delta,
        tone,
        bar_now: width(a),
        bar_last: width(b),
        error: None,
    }
}

fn tone_of(d: f64) -> &'static str {
    if d > 0.005 {
        "up"
    } else if d < -0.005 {
        "down"
    } else {
        "flat"
    }
}

/// Departments, towns and parks in the reader's KPI scope (the unit picker).
async fn units(state: &AppState, staff: &Staff) -> Result<Vec<(i64, String)>, AppError> {
    let scope = staff.scope(Perm::KPI_READ, None);
    let all = crate::org::queries::of_kinds(&state.db, &[crate::org::OrgKind::Department, crate::org::OrgKind::Town, crate::org::OrgKind::Park]).await?;
    Ok(all.into_iter().filter(|o| scope.includes(&o.path)).map(|o| (o.id, o.name)).collect())
}

/// The overdue condition over every procedure the reader may read, each under its own scope,
/// narrowed to a unit's subtree when one is picked.
fn overdue_query(state: &AppState, staff: &Staff, select: &str, org_path: Option<&str>, procedure: Option<&str>) -> Option<Q> {
    let today = crate::time::fmt_date(crate::time::today());
    let mut w = overdue_sql(q(format!("{select} FROM cases c WHERE ")), &today).push(" AND (1=0");
    let mut any = false;
    for p in state.procedures() {
        if procedure.is_some_and(|x| x != p.code) {
            continue;
        }
        let scope = staff.scope(Perm::KPI_READ, Some(p.code));
        let scope = match org_path {
            Some(path) => scope.narrow(path).unwrap_or(Scope::Nothing),
            None => scope,
        };
        if scope == Scope::Nothing {
            continue;
        }
        any = true;
        w = scope.filter(w.push_bind(" OR (c.procedure = {}", p.code), "c.org_id").push(")");
    }
    any.then(|| w.push(")"))
}

async fn show(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(dq): Query<DashQuery>) -> Result<Response, PageError> {
    staff.require(Perm::KPI_READ)?;
    let layout = Layout::new(&staff, &ctx, "驾驶舱").crumb("驾驶舱", "");
    let units = units(&state, &staff).await?;
    let all: Vec<&'static dyn Indicator> =
        state.registry.indicators().into_iter().filter(|i| staff.scope(Perm::KPI_READ, i.meta().procedure) != Scope::Nothing).collect();
    // The unit asked for, read once; each indicator's scope is narrowed to it (an indicator
    // whose scope does not reach the unit is left out; a unit outside all of them is not found).
    let org = match dq.org {
        Some(id) => Some(crate::org::queries::get(&state.db, id).await?.ok_or_else(|| AppError::field("org", "org_not_found", "所选单位不存在"))?),
        None => None,
    };
    let mut prepared = Vec::with_capacity(all.len());
    for ind in &all {
        let scope = staff.scope(Perm::KPI_READ, ind.meta().procedure);
        match super::params(&state, *ind, scope, dq.from.as_deref(), dq.to.as_deref(), None, None).await {
            Ok(mut p) => {
                if let Some(o) = &org {
                    let Some(narrowed) = p.scope.narrow(&o.path) else { continue };
                    p.scope = narrowed;
                    p.org = Some(o.clone());
                }
                let mut last = p.clone();
                last.from = year_before(p.from);
                last.to = year_before(p.to);
                prepared.push((*ind, p, last));
            }
            Err(e @ AppError::Invalid { .. }) => {
                let mut r = render(&DashboardPage {
                    layout,
                    from: dq.from.clone().unwrap_or_default(),
                    to: dq.to.clone().unwrap_or_default(),
                    last_from: String::new(),
                    last_to: String::new(),
                    org: dq.org,
                    units,
                    panels: vec![],
                    rankings: vec![],
                    overdue: vec![],
                    overdue_total: 0,
                    overdue_href: String::new(),
                    error: Some(e),
                })?;
                *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
                return Ok(r);
            }
            Err(e) => return Err(e.into()),
        }
    }
    if org.is_some() && prepared.is_empty() {
        return Err(AppError::not_found("org_not_found", "所选单位不存在").into());
    }
    // Every value at once: this period, last year's, and the rates cut by unit and by town.
    let st = &state;
    let values = join_all(prepared.iter().map(|(ind, p, last)| async move { (ind.evaluate(st, p).await, ind.evaluate(st, last).await) })).await;
    let mut cuts = Vec::new();
    for (ind, p, _) in &prepared {
        if ind.meta().unit != Unit::Percent {
            continue;
        }
        for d in [dims::ORG, dims::TOWN] {
            if ind.meta().dims.iter().any(|x| x.code == d.code) {
                let mut cp = p.clone();
                cp.by = Some(d);
                cuts.push((*ind, cp));
            }
        }
    }
    let cut_values = join_all(cuts.iter().map(|(ind, cp)| ind.evaluate(st, cp))).await;

    let mut panels: Vec<Panel> = BLOCKS.iter().map(|b| Panel { label: b.label(), tiles: vec![] }).collect();
    for ((ind, p, last), (now, before)) in prepared.iter().zip(values) {
        if let Some(i) = BLOCKS.iter().position(|b| *b == ind.meta().block) {
            panels[i].tiles.push(tile(*ind, p, last, now, before));
        }
    }
    panels.retain(|p| !p.tiles.is_empty());

    let mut rankings = Vec::new();
    for ((ind, cp), e) in cuts.iter().zip(cut_values) {
        let Ok(e) = e else { continue };
        let meta = ind.meta();
        let mut rows: Vec<(f64, &Cell)> = e.groups.iter().filter_map(|c| c.value(meta.unit).map(|v| (v, c))).collect();
        if rows.len() < 2 {
            continue;
        }
        rows.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal).then(a.1.label.cmp(&b.1.label)));
        let by = cp.by.map(|d| d.label).unwrap_or("");
        let base = format!("/indicators/{}/records?{}&by={}", meta.code, selection(cp), cp.by.map(|d| d.code).unwrap_or(""));
        rankings.push(Ranking {
            title: format!("{}·按{}排名", meta.name, by),
            page: format!("/indicators/{}?{}&by={}", meta.code, selection(cp), cp.by.map(|d| d.code).unwrap_or("")),
            rows: rows
                .into_iter()
                .take(10)
                .map(|(v, c)| RankRow {
                    label: c.label.clone(),
                    value: c.display(meta.unit),
                    href: format!("{base}&key={}", crate::web::urlencode(c.key.as_deref().unwrap_or(""))),
                    bar: v.round().clamp(0.0, 100.0) as u32,
                })
                .collect(),
        });
    }

    // Work overdue today, by procedure, in one grouped query.
    let org_q = org.as_ref().map(|o| format!("&org={}", o.id)).unwrap_or_default();
    let mut overdue = Vec::new();
    if let Some(w) = overdue_query(&state, &staff, "SELECT c.procedure, COUNT(*)", org.as_ref().map(|o| o.path.as_str()), None) {
        let rows: Vec<(String, i64)> = w.push(" GROUP BY c.procedure").fetch_all(&state.db).await?;
        for p in state.procedures() {
            if let Some((_, n)) = rows.iter().find(|r| r.0 == p.code) {
                overdue.push(OverdueRow { procedure: p.name, count: *n, href: format!("/dashboard/overdue?procedure={}{org_q}", p.code) });
            }
        }
    }
    overdue.sort_by_key(|o| std::cmp::Reverse(o.count));
    let overdue_total = overdue.iter().map(|o| o.count).sum();

    let (from, to, last_from, last_to) = prepared
        .first()
        .map(|(_, p, l)| (p.from_str(), p.to_str(), l.from_str(), l.to_str()))
        .unwrap_or_else(|| (dq.from.clone().unwrap_or_default(), dq.to.clone().unwrap_or_default(), String::new(), String::new()));
    render(&DashboardPage {
        layout,
        from,
        to,
        last_from,
        last_to,
        org: dq.org,
        units,
        panels,
        rankings,
        overdue,
        overdue_total,
        overdue_href: format!("/dashboard/overdue?{}", org_q.trim_start_matches('&')),
        error: None,
    })
}

#[derive(Template)]
#[template(path = "indicators/overdue.html")]
struct OverduePage {
    layout: Layout,
    title: String,
    page: Page<crate::workbench::Line>,
    base: String,
}

/// The overdue work behind the dashboard's figure: open cases past their deadline, most
/// overdue first, under the reader's scope.
async fn overdue_list(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(dq): Query<DashQuery>) -> Result<Response, PageError> {
    staff.require(Perm::KPI_READ)?;
    let org = match dq.org {
        Some(id) => Some(crate::org::queries::get(&state.db, id).await?.ok_or_else(|| AppError::not_found("org_not_found", "所选单位不存在"))?),
        None => None,
    };
    let procedure = dq.procedure.as_deref().filter(|p| !p.is_empty());
    let proc_name = match procedure {
        Some(code) => {
            Some(state.procedures().iter().find(|p| p.code == code).map(|p| p.name).ok_or_else(|| AppError::not_found("procedure_not_found", "程序不存在"))?)
        }
        None => None,
    };
    let paging = Paging { page: dq.page, per: Some(20) };
    let path = org.as_ref().map(|o| o.path.as_str());
    // A unit outside every scope the reader has is not found, like any of its records.
    if path.is_some() && overdue_query(&state, &staff, "SELECT COUNT(*)", path, None).is_none() {
        return Err(AppError::not_found("org_not_found", "所选单位不存在").into());
    }
    let (rows, total) = match (
        overdue_query(&state, &staff, &format!("SELECT {CASE_COLUMNS}"), path, procedure),
        overdue_query(&state, &staff, "SELECT COUNT(*)", path, procedure),
    ) {
        (Some(list), Some(count)) => {
            let rows: Vec<CaseRow> =
                list.push(&format!(" ORDER BY c.due_on, c.id LIMIT {} OFFSET {}", paging.per(), paging.offset())).fetch_all(&state.db).await?;
            (rows, count.fetch_i64(&state.db).await?)
        }
        _ => (vec![], 0),
    };
    let items = crate::workbench::lines(&state, rows, Some(&staff)).await?;
    let mut title = format!("已超期未办结（截至 {}）", crate::time::fmt_date(crate::time::today()));
    if let Some(n) = proc_name {
        title = format!("{n}·{title}");
    }
    if let Some(o) = &org {
        title = format!("{}·{title}", o.name);
    }
    let mut base = String::from("/dashboard/overdue?");
    if let Some(p) = procedure {
        base.push_str(&format!("procedure={p}&"));
    }
    if let Some(o) = &org {
        base.push_str(&format!("org={}&", o.id));
    }
    render(&OverduePage {
        layout: Layout::new(&staff, &ctx, "已超期未办结").crumb("驾驶舱", "/dashboard").crumb("已超期未办结", ""),
        title,
        page: Page::new(items, &paging, total),
        base,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_year_is_the_same_days() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(year_before(d(2026, 6, 30)), d(2025, 6, 30));
        assert_eq!(year_before(d(2024, 2, 29)), d(2023, 2, 28));
    }
}
