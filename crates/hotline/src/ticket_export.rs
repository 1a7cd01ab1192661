//! The ticket list as XLSX: what the screen's filter selects, every status it covers, with the
//! filter and the period in the title line and numbers masked for the reader as on the screen.

use axum::extract::State;
use axum::response::Response;

use super::model::channel_label;
use super::pages::{lines, list_view};
use super::queries::{self, Category, Filter};
use super::rules::PROCEDURE;
use crate::auth::{Perm, Staff};
use crate::error::AppError;
use crate::org::queries::{self as orgs, OrgRow};
use crate::state::AppState;
use crate::tabular::{Sheet, XCell};
use crate::time::{fmt_date, today};
use crate::web::PageError;
use crate::web::extract::Query;

/// The most tickets one export holds (the title says when the filter selects more).
const EXPORT_MAX: i64 = 100_000;

/// The list as the screen shows it: a state chosen from a link (the dispatch queue) covers every
/// status, and the export covers what the screen covers.
pub(crate) fn screen_filter(f: &mut Filter) {
    if f.state.is_some() && f.status.is_none() {
        f.status = Some("all".into());
    }
}

/// The filter in words, for the export's title line.
fn describe(f: &Filter, categories: &[Category], units: &[OrgRow]) -> Vec<(&'static str, String)> {
    let id = |s: &Option<String>| s.as_deref().and_then(|v| v.trim().parse::<i64>().ok());
    let org =
        |s: &Option<String>| id(s).map(|i| units.iter().find(|u| u.id == i).map(|u| u.name.clone()).unwrap_or_else(|| format!("编号 {i}"))).unwrap_or_default();
    let status = match f.status.as_deref().unwrap_or("open") {
        "closed" => "已办结",
        "all" => "全部",
        _ => "在办",
    };
    let due = match f.due.as_deref() {
        Some("over") => "已超期",
        Some("soon") => "即将超期",
        Some("supervised") => "督办件",
        _ => "",
    };
    vec![
        ("范围", status.to_string()),
        ("状态", f.state.as_deref().map(|s| PROCEDURE.state_name(s).to_string()).unwrap_or_default()),
        ("关键词", f.q.clone().unwrap_or_default().trim().to_string()),
        ("类别", id(&f.category).map(|i| categories.iter().find(|c| c.id == i).map(|c| c.name.clone()).unwrap_or_default()).unwrap_or_default()),
        ("乡镇", org(&f.town)),
        ("承办单位", org(&f.org)),
        ("渠道", f.channel.as_deref().filter(|c| !c.is_empty()).map(|c| channel_label(c).to_string()).unwrap_or_default()),
        ("登记日期", crate::tabular::period(f.from.as_deref(), f.to.as_deref())),
        ("期限", due.to_string()),
        ("协办", if f.co.as_deref() == Some("1") { "本单位协办的工单".to_string() } else { String::new() }),
    ]
}

/// The tickets the screen's filter selects, every status it covers, as XLSX with the filter and
/// the period in the title line.
pub(crate) async fn export(State(state): State<AppState>, staff: Staff, Query(mut f): Query<Filter>) -> Result<Response, PageError> {
    let scope = staff.scope(Perm::CASE_READ, Some("hotline"));
    if scope == crate::auth::roles::Scope::Nothing {
        return Err(AppError::forbidden("forbidden", "您没有查看热线工单的权限").into());
    }
    screen_filter(&mut f);
    let view = list_view(&staff);
    let rows = queries::list_all(&state.db, &f, &scope, &fmt_date(today()), EXPORT_MAX + 1).await?;
    let more = rows.len() as i64 > EXPORT_MAX;
    let mut data: Vec<Vec<XCell>> = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(1000).take((EXPORT_MAX / 1000) as usize) {
        let dues: Vec<Option<String>> = chunk.iter().map(|r| r.due_on.clone()).collect();
        for (l, due) in lines(&state, chunk.to_vec(), &view).await?.into_iter().zip(dues) {
            data.push(vec![
                XCell::Text(l.case_no),
                XCell::Text(l.title),
                XCell::Text(l.category),
                XCell::Text(l.town),
                XCell::text(l.state),
                XCell::Text(l.unit),
                XCell::text(l.channel),
                XCell::Text(l.phone),
                XCell::guess(&l.received),
                XCell::date(due.as_deref()),
                XCell::Text(l.due_label),
                XCell::text(l.evaluation),
            ]);
        }
    }
    let categories = queries::categories(&state.db, false).await?;
    let units = orgs::all(&state.db).await?;
    let mut title = crate::tabular::export_title("12345热线工单", &describe(&f, &categories, &units), data.len());
    if more {
        title.push_str(&format!("。筛选结果超过 {EXPORT_MAX} 条，只导出了前 {EXPORT_MAX} 条，请缩小登记日期分批导出"));
    }
    let header =
        ["工单编号", "标题", "类别", "乡镇", "状态", "承办单位", "渠道", "联系电话", "登记时间", "办理期限", "期限状态", "评价"].map(String::from).to_vec();
    Ok(crate::tabular::export("热线工单", &[Sheet::new("工单", Some(title), header, data)])?)
}
