//! `/admin/calendar`: the official calendar by year, a working-day calculator, and adding a year.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use chrono::Datelike;
use serde::Deserialize;

use crate::auth::{Perm, Staff};
use crate::error::AppError;
use crate::state::AppState;
use crate::tabular::RowError;
use crate::web::extract::Query;
use crate::web::form::Multipart;
use crate::web::{Ctx, Layout, PageError, redirect_ok, render};

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/calendar", get(show).post(upload))
}

#[derive(Deserialize)]
struct CalQuery {
    year: Option<i32>,
    from: Option<String>,
    days: Option<u32>,
    to: Option<String>,
}

struct DayView {
    date: String,
    weekday: &'static str,
    kind: &'static str,
    name: String,
}

#[derive(Template)]
#[template(path = "admin/calendar.html")]
struct CalendarPage {
    layout: Layout,
    year: i32,
    years: Vec<i32>,
    days: Vec<DayView>,
    from: String,
    days_n: u32,
    to: String,
    result: Option<String>,
    errors: Vec<RowError>,
    /// From 1 November: next year's official schedule is not loaded yet.
    missing: Option<i32>,
    /// Open cases whose due date is provisional for want of it.
    provisional: i64,
}

const WEEKDAYS: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];

async fn show(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(q): Query<CalQuery>) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_CALENDAR)?;
    page(&state, &staff, &ctx, q, vec![]).await
}

async fn page(state: &AppState, staff: &Staff, ctx: &Ctx, q: CalQuery, errors: Vec<RowError>) -> Result<Response, PageError> {
    let cal = state.calendar();
    let missing = cal.missing_next_year(crate::time::today());
    let provisional = match missing {
        Some(y) => crate::db::q("SELECT COUNT(*) FROM cases WHERE is_open = TRUE AND due_on >= $1").bind(format!("{y:04}-01-01")).fetch_i64(&state.db).await?,
        None => 0,
    };
    let years: Vec<i32> = cal.covered_years().collect();
    let year = q.year.unwrap_or_else(|| crate::time::today().year());
    let days = cal
        .days_of_year(year)
        .into_iter()
        .map(|d| DayView {
            date: crate::time::fmt_date(d.date),
            weekday: WEEKDAYS[d.date.weekday().num_days_from_monday() as usize],
            kind: match d.kind {
                super::DayKind::Holiday => "放假",
                super::DayKind::Workday => "调休上班",
            },
            name: d.name,
        })
        .collect();
    let from = q.from.clone().unwrap_or_else(|| crate::time::fmt_date(crate::time::today()));
    let days_n = q.days.unwrap_or(20).min(3650);
    let mut result = None;
    if let Some(f) = crate::time::parse_date(&from) {
        let end = cal.add_working_days(f, days_n);
        result = Some(format!(
            "{} 起算（当日不计）第 {} 个工作日是 {}（星期{}）",
            from,
            days_n,
            crate::time::fmt_date(end),
            WEEKDAYS[end.weekday().num_days_from_monday() as usize]
        ));
        if let Some(t) = q.to.as_deref().and_then(crate::time::parse_date) {
            result = Some(format!(
                "{}；{} 至 {} 之间（不含首日）有 {} 个工作日",
                result.unwrap_or_default(),
                from,
                crate::time::fmt_date(t),
                cal.working_days_between(f, t)
            ));
        }
        if !cal.covers(f) || !cal.covers(end) {
            result = Some(format!(
                "{}。注意：{} 年的官方放假安排尚未录入，仅按周末计算",
                result.unwrap_or_default(),
                if cal.covers(f) { end.year() } else { f.year() }
            ));
        }
    }
    render(&CalendarPage {
        layout: Layout::new(staff, ctx, "工作日历").crumb("系统管理", "/admin/calendar").crumb("工作日历", "/admin/calendar"),
        year,
        years,
        days,
        from,
        days_n,
        to: q.to.unwrap_or_default(),
        result,
        errors,
        missing,
        provisional,
    })
}

async fn upload(State(state): State<AppState>, staff: Staff, ctx: Ctx, form: Multipart) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_CALENDAR)?;
    let year: i32 = form
        .fields
        .get("year")
        .and_then(|y| y.trim().parse().ok())
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| AppError::field("year", "invalid_year", "请填写 2000–2100 之间的年份"))?;
    let Some(file) = form.files.first() else {
        return Err(AppError::field("file", "required", "请选择国务院办公厅放假安排的 CSV 文件").into());
    };
    let text = match crate::tabular::decode_text(&file.bytes) {
        Ok((t, _)) => t,
        Err(e) => return Err(e.into()),
    };
    match super::queries::replace_year(&state.db, staff.actor(), year, &text).await {
        Ok(n) => {
            let old = state.calendar();
            let cal = super::queries::load(&state.db).await?;
            state.set_calendar(cal.clone());
            // Deadlines counted without this year's holidays are counted again.
            let moved = crate::kernel::recalc::after_calendar_change(&state, &old, &cal, year, &staff.actor()).await?;
            Ok(redirect_ok(&format!("/admin/calendar?year={year}"), &format!("已更新 {year} 年工作日历：{n} 个特殊日期；重新计算了 {moved} 件在办事项的期限")))
        }
        Err(errors) => page(&state, &staff, &ctx, CalQuery { year: Some(year), from: None, days: None, to: None }, errors).await,
    }
}
