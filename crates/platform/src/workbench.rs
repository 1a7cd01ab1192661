//! The staff 工作台: the counts that matter (待办, 即将超期, 已超期, 待我审核, 督办) and the list
//! behind each, across every procedure, sorted by deadline with overdue first. It lives at `/`
//! for logged-in staff; anyone else gets the citizens' portal there, with its 工作人员登录 link.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::auth::extract::NeedLogin;
use crate::auth::{MaybeCitizen, Staff};
use crate::db::{Q, q};
use crate::kernel::Procedure;
use crate::kernel::queries::{CASE_COLUMNS, CaseRow, workbench_filter};
use crate::state::AppState;
use crate::time::{fmt_date, today};
use crate::web::extract::Query;
use crate::web::{Ctx, Layout, Page, PageError, Paging, render};

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(root))
}

#[derive(Deserialize)]
struct WbQuery {
    view: Option<String>,
    page: Option<i64>,
}

/// One line of the list.
pub struct Line {
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
}

fn view_filter(query: Q, view: &str, procs: &[&Procedure], t: &str) -> Q {
    match view {
        "soon" => query.push_bind(" AND c.due_on >= {}", t.to_string()).push_bind(" AND c.warn_on <= {}", t.to_string()),
        "over" => query.push_bind(" AND c.due_on < {} AND c.paused_on IS NULL", t.to_string()),
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

/// Lines for a page of cases (unit names in one query).
pub async fn lines(state: &AppState, rows: Vec<CaseRow>) -> Result<Vec<Line>, crate::error::AppError> {
    let procs = state.procedures();
    let cal = state.calendar();
    let day = today();
    let org_ids: Vec<i64> = rows.iter().map(|r| r.org_id).collect();
    let names: Vec<(i64, String)> = q("SELECT id, short_name FROM orgs WHERE").push_in("id", &org_ids).fetch_all(&state.db).await?;
    Ok(rows
        .into_iter()
        .map(|c| {
            let p = procs.iter().find(|p| p.code == c.procedure).copied();
            let status = p.map(|p| c.deadline(p, day, &cal)).unwrap_or(crate::kernel::DeadlineStatus::None);
            Line {
                url: p.map(|p| p.case_url(c.id)).unwrap_or_default(),
                case_no: c.case_no.clone(),
                title: c.title.clone(),
                procedure: p.map(|p| p.name).unwrap_or(""),
                state: p.map(|p| p.state_name(&c.state)).unwrap_or(""),
                unit: names.iter().find(|n| n.0 == c.org_id).map(|n| n.1.clone()).unwrap_or_default(),
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
    let view = wq.view.clone().unwrap_or_else(|| "todo".into());
    let base_q = |sql: &str| workbench_filter(q(sql.to_string()), &procs, &staff.grants, staff.id);
    let count = |v: &str| view_filter(base_q("SELECT COUNT(*) FROM cases c WHERE c.is_open = TRUE"), v, &procs, &t);
    let mut cards = Vec::new();
    for (key, label, hint, tone) in [
        ("todo", "待办", "等我或本单位办理", "todo"),
        ("soon", "即将超期", "临近法定或规定期限", "soon"),
        ("over", "已超期", "超过期限仍未办结", "over"),
        ("review", "待我审核", "等待审批、审核", "todo"),
        ("supervised", "督办中", "已列入督办", "over"),
    ] {
        let value = count(key).fetch_i64(&state.db).await?;
        cards.push(Card { key, label, value, hint, tone });
    }
    let paging = Paging { page: wq.page, per: Some(20) };
    let total = count(&view).fetch_i64(&state.db).await?;
    let list_sql = format!("SELECT {CASE_COLUMNS} FROM cases c WHERE c.is_open = TRUE");
    let list_q = view_filter(base_q(&list_sql), &view, &procs, &t)
        .push(" ORDER BY CASE WHEN c.due_on IS NULL THEN 1 ELSE 0 END, c.due_on, c.id")
        .push(&format!(" LIMIT {} OFFSET {}", paging.per(), paging.offset()));
    let rows: Vec<CaseRow> = list_q.fetch_all(&state.db).await?;
    let items = lines(&state, rows).await?;
    let view_label = cards.iter().find(|c| c.key == view).map(|c| c.label).unwrap_or("待办");
    let notices: Vec<(String, String, String)> = {
        let rows: Vec<(String, i64, i64)> =
            q("SELECT message, case_id, created_at FROM notifications WHERE org_id IN (SELECT id FROM orgs WHERE path LIKE $1) ORDER BY id DESC LIMIT 8")
                .bind(format!("{}%", crate::db::dialect::like_escape(&staff.org_path)))
                .fetch_all(&state.db)
                .await
                .unwrap_or_default();
        rows.into_iter().map(|(m, cid, at)| (m, format!("/cases/{cid}"), crate::time::fmt_datetime(at))).collect()
    };
    render(&WorkbenchPage {
        layout: Layout::new(&staff, &ctx, "工作台"),
        cards,
        base: format!("/?view={view}&"),
        view,
        view_label,
        page: Page::new(items, &paging, total),
        notices,
    })
}
