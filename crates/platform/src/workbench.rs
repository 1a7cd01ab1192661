//! The staff 工作台: the counts that matter (待办, 即将超期, 已超期, 待我审核, 督办) and the list
//! behind each, across every procedure, sorted by deadline with overdue first. It lives at `/`
//! for logged-in staff; anyone else gets the citizens' portal there, with its 工作人员登录 link.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::auth::extract::NeedLogin;
use crate::auth::{MaybeCitizen, Perm, Staff};
use crate::db::{Q, q};
use crate::error::AppError;
use crate::kernel::Procedure;
use crate::kernel::oversight::oversight_scope;
use crate::kernel::queries::{CASE_COLUMNS, CaseRow, due_soon_sql, overdue_sql, workbench_filter};
use crate::state::AppState;
use crate::time::{fmt_date, today};
use crate::web::extract::{Path, Query};
use crate::web::form::FormData;
use crate::web::{Ctx, Layout, Page, PageError, Paging, redirect_flash, redirect_ok, render};

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(root)).route("/cases/{id}/supervise", post(supervise))
}

#[derive(Deserialize)]
struct WbQuery {
    view: Option<String>,
    page: Option<i64>,
    /// Oversight lists: `late` (most overdue first, the default) or `unit`.
    sort: Option<String>,
}

/// One line of the list.
pub struct Line {
    pub id: i64,
    pub url: String,
    pub case_no: String,
    pub title: String,
    pub procedure: &'static str,
    pub state: &'static str,
    pub unit: String,
    pub due: String,
    pub due_label: String,
    pub tone: &'static str,
    pub supervised: bool,
    /// The reader may put it under supervision from the list (oversight).
    pub can_supervise: bool,
}

struct Card {
    key: &'static str,
    label: &'static str,
    value: i64,
    hint: &'static str,
    tone: &'static str,
}

#[derive(Template)]
#[template(path = "workbench/index.html")]
struct WorkbenchPage {
    layout: Layout,
    cards: Vec<Card>,
    view: String,
    view_label: &'static str,
    page: Page<Line>,
    base: String,
    notices: Vec<(String, String, String)>,
    /// An oversight list (across units), with its sort.
    oversight: bool,
    sort: String,
    /// For calendar administrators, from 1 November: next year's schedule is missing.
    calendar_missing: Option<i32>,
}

fn view_filter(query: Q, view: &str, procs: &[&Procedure], t: &str) -> Q {
    match view.trim_start_matches("o_") {
        "soon" => due_soon_sql(query.push(" AND "), t),
        "over" => overdue_sql(query.push(" AND "), t),
        "review" => {
            let mut states: Vec<&str> = Vec::new();
            for p in procs {
                for s in p.states.iter().filter(|s| s.awaiting_approval) {
                    states.push(s.code);
                }
            }
            let mut q2 = query.push(" AND");
            q2 = q2.push_in("c.state", &states);
            q2
        }
        "supervised" => query.push(" AND c.supervised = TRUE"),
        _ => query,
    }
}

/// Lines for a page of cases (unit names in one query); `staff`, when given, marks the lines
/// they may put under supervision and reads the titles as typed where they may see personal
/// data (without a reader, numbers in titles are masked).
pub async fn lines(state: &AppState, rows: Vec<CaseRow>, staff: Option<&Staff>) -> Result<Vec<Line>, crate::error::AppError> {
    let procs = state.procedures();
    let cal = state.calendar();
    let day = today();
    let org_ids: Vec<i64> = rows.iter().map(|r| r.org_id).collect();
    let names: Vec<(i64, String, String)> = q("SELECT id, short_name, path FROM orgs WHERE").push_in("id", &org_ids).fetch_all(&state.db).await?;
    Ok(rows
        .into_iter()
        .map(|c| {
            let p = procs.iter().find(|p| p.code == c.procedure).copied();
            let status = p.map(|p| c.deadline(p, day, &cal)).unwrap_or(crate::kernel::DeadlineStatus::None);
            let org = names.iter().find(|n| n.0 == c.org_id);
            let can_supervise =
                staff.is_some_and(|s| c.is_open && !c.supervised && s.allows(Perm::SUPERVISE, Some(&c.procedure), org.map(|o| o.2.as_str()).unwrap_or("")));
            Line {
                id: c.id,
                can_supervise,
                url: p.map(|p| p.case_url(c.id)).unwrap_or_default(),
                case_no: c.case_no.clone(),
                // A title is the citizen's words: numbers in it are masked for readers without
                // `pii_view` over the case (inspectors, the office watching every unit).
                title: if staff.is_some_and(|s| s.allows(Perm::PII_VIEW, Some(&c.procedure), org.map(|o| o.2.as_str()).unwrap_or(""))) {
                    c.title.clone()
                } else {
                    crate::privacy::mask_in_text(&c.title).0
                },
                procedure: p.map(|p| p.name).unwrap_or(""),
                state: p.map(|p| p.state_name(&c.state)).unwrap_or(""),
                unit: org.map(|n| n.1.clone()).unwrap_or_default(),
                due: c.due_on.clone().unwrap_or_default(),
                due_label: status.label(),
                tone: status.tone(),
                supervised: c.supervised,
            }
        })
        .collect())
}

/// `/`: the 工作台 for staff, the portal's home for everyone else.
async fn root(
    State(state): State<AppState>,
    staff: Result<Staff, NeedLogin>,
    ctx: Ctx,
    citizen: MaybeCitizen,
    wq: Query<WbQuery>,
) -> Result<Response, Response> {
    match staff {
        Ok(staff) => show(state, staff, ctx, wq.0).await.map_err(IntoResponse::into_response),
        Err(NeedLogin::Page(_)) => crate::portal::home::home(State(state), ctx, citizen).await.map_err(IntoResponse::into_response),
        // Another error, or a password that must be changed first.
        Err(other) => Err(other.into_response()),
    }
}

async fn show(state: AppState, staff: Staff, ctx: Ctx, wq: WbQuery) -> Result<Response, PageError> {
    let procs = state.procedures();
    let day = today();
    let t = fmt_date(day);
    let oversees = staff.grants.oversees();
    let watch = oversight_scope(&staff.grants);
    let base_q = |sql: &str| workbench_filter(q(sql.to_string()), &procs, &staff.grants, staff.id);
    // Oversight lists: every open case in the overseer's scope, whichever unit and procedure.
    let watch_q = |sql: &str| watch.filter(q(sql.to_string()), "c.org_id");
    let count = |v: &str| {
        let sql = "SELECT COUNT(*) FROM cases c WHERE c.is_open = TRUE";
        view_filter(if v.starts_with("o_") { watch_q(sql) } else { base_q(sql) }, v, &procs, &t)
    };
    let mut cards = Vec::new();
    let mut kinds = vec![
        ("todo", "待办", "等我或本单位办理", "todo"),
        ("soon", "即将超期", "临近法定或规定期限", "soon"),
        ("over", "已超期", "超过期限仍未办结", "over"),
        ("review", "待我审核", "等待审批、审核", "todo"),
        ("supervised", "督办中", "已列入督办", "over"),
    ];
    if oversees {
        kinds.extend([
            ("o_over", "监督·已超期", "监督范围内各单位超期未办结", "over"),
            ("o_soon", "监督·即将超期", "监督范围内临近期限", "soon"),
            ("o_supervised", "监督·督办中", "监督范围内已列入督办", "over"),
        ]);
    }
    for (key, label, hint, tone) in kinds {
        let value = count(key).fetch_i64(&state.db).await?;
        cards.push(Card { key, label, value, hint, tone });
    }
    // An overseer with no work of their own opens on what is overdue across units.
    let default_view = if oversees && cards.iter().find(|c| c.key == "todo").is_some_and(|c| c.value == 0) { "o_over" } else { "todo" };
    let view = wq.view.clone().filter(|v| cards.iter().any(|c| c.key == v)).unwrap_or_else(|| default_view.into());
    let oversight = view.starts_with("o_");
    let sort = if wq.sort.as_deref() == Some("unit") { "unit" } else { "late" };
    let paging = Paging { page: wq.page, per: Some(20) };
    let total = cards.iter().find(|c| c.key == view).map(|c| c.value).unwrap_or(0);
    let rows: Vec<CaseRow> = if oversight {
        let list_sql = format!("SELECT {CASE_COLUMNS} FROM cases c JOIN orgs o ON o.id = c.org_id WHERE c.is_open = TRUE");
        let order =
            if sort == "unit" { " ORDER BY o.sort, o.id, c.due_on, c.id" } else { " ORDER BY CASE WHEN c.due_on IS NULL THEN 1 ELSE 0 END, c.due_on, c.id" };
        view_filter(watch_q(&list_sql), &view, &procs, &t)
            .push(order)
            .push(&format!(" LIMIT {} OFFSET {}", paging.per(), paging.offset()))
            .fetch_all(&state.db)
            .await?
    } else {
        let list_sql = format!("SELECT {CASE_COLUMNS} FROM cases c WHERE c.is_open = TRUE");
        view_filter(base_q(&list_sql), &view, &procs, &t)
            .push(" ORDER BY CASE WHEN c.due_on IS NULL THEN 1 ELSE 0 END, c.due_on, c.id")
            .push(&format!(" LIMIT {} OFFSET {}", paging.per(), paging.offset()))
            .fetch_all(&state.db)
            .await?
    };
    let items = lines(&state, rows, Some(&staff)).await?;
    let view_label = cards.iter().find(|c| c.key == view).map(|c| c.label).unwrap_or("待办");
    let notices: Vec<(String, String, String)> = {
        let rows: Vec<(String, i64, i64)> =
            // The unit's notices (and its sub-units'), and those addressed to this person.
            q("SELECT message, case_id, created_at FROM notifications WHERE (user_id IS NULL AND org_id IN (SELECT id FROM orgs WHERE path LIKE $1)) OR user_id = $2 ORDER BY id DESC LIMIT 8")
                .bind(format!("{}%", crate::db::dialect::like_escape(&staff.org_path)))
                .bind(staff.id)
                .fetch_all(&state.db)
                .await
                .unwrap_or_default();
        rows.into_iter().map(|(m, cid, at)| (m, format!("/cases/{cid}"), crate::time::fmt_datetime(at))).collect()
    };
    render(&WorkbenchPage {
        layout: Layout::new(&staff, &ctx, "工作台"),
        cards,
        base: format!("/?view={view}&sort={sort}&"),
        view,
        view_label,
        page: Page::new(items, &paging, total),
        notices,
        oversight,
        sort: sort.to_string(),
        calendar_missing: if staff.has(Perm::ADMIN_CALENDAR) { state.calendar().missing_next_year(day) } else { None },
    })
}

/// 督办 from the 工作台: the case goes under supervision, the unit is told.
async fn supervise(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>, form: FormData) -> Result<Response, PageError> {
    let back = form.get("back").filter(|b| b.starts_with("/?") || *b == "/").unwrap_or("/").to_string();
    match crate::kernel::oversight::supervise(&state, &staff, id, form.get("reason")).await {
        Ok(c) => Ok(redirect_ok(&back, &format!("已督办 {}，已通知承办单位", c.case_no))),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => Ok(redirect_flash(&back, false, &e.user_message())),
        Err(e) => Err(e.into()),
    }
}
