//! `/admin/audit`: the latest events, filtered, and a check of the whole hash chain.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use super::{EventRow, Verdict, verify};
use crate::auth::{Perm, Staff};
use crate::db::q;
use crate::state::AppState;
use crate::web::extract::Query;
use crate::web::{Ctx, Layout, PageError, render};

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/audit", get(list)).route("/admin/audit/verify", post(run_verify))
}

#[derive(Deserialize)]
struct AuditQuery {
    entity: Option<String>,
    id: Option<String>,
    before: Option<i64>,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    layout: Layout,
    events: Vec<EventRow>,
    entity: String,
    id: String,
    verdict: Option<(bool, String)>,
    next_before: Option<i64>,
}

async fn page(state: &AppState, staff: &Staff, ctx: &Ctx, q_: AuditQuery, verdict: Option<(bool, String)>) -> Result<Response, PageError> {
    let mut query =
        q("SELECT seq, at, actor_kind, actor_id, actor_name, entity, entity_id, action, summary, changes, reason, prev_hash, hash FROM events WHERE 1=1");
    if let Some(e) = q_.entity.as_deref().filter(|s| !s.is_empty()) {
        query = query.push_bind(" AND entity = {}", e.to_string());
    }
    if let Some(i) = q_.id.as_deref().and_then(|s| s.trim().parse::<i64>().ok()) {
        query = query.push_bind(" AND entity_id = {}", i);
    }
    if let Some(b) = q_.before {
        query = query.push_bind(" AND seq < {}", b);
    }
    let events: Vec<EventRow> = query.push(" ORDER BY seq DESC LIMIT 100").fetch_all(&state.db).await?;
    let next_before = if events.len() == 100 { events.last().map(|e| e.seq) } else { None };
    render(&AuditPage {
        layout: Layout::new(staff, ctx, "事件日志").crumb("系统管理", "").crumb("事件日志", "/admin/audit"),
        events,
        entity: q_.entity.unwrap_or_default(),
        id: q_.id.unwrap_or_default(),
        verdict,
        next_before,
    })
}

async fn list(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(q_): Query<AuditQuery>) -> Result<Response, PageError> {
    staff.require(Perm::AUDIT_VERIFY)?;
    page(&state, &staff, &ctx, q_, None).await
}

async fn run_verify(State(state): State<AppState>, staff: Staff, ctx: Ctx) -> Result<Response, PageError> {
    staff.require(Perm::AUDIT_VERIFY)?;
    let v = match verify(&state.db).await? {
        Verdict::Intact { events } => (true, format!("校验通过：全部 {events} 条事件的哈希链完整，未发现篡改或删除。")),
        Verdict::Broken { seq, problem } => (false, format!("校验失败：第 {seq} 条事件处断链。{problem}")),
    };
    page(&state, &staff, &ctx, AuditQuery { entity: None, id: None, before: None }, Some(v)).await
}
