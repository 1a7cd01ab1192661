//! `/admin/locks` under 系统管理: which accounts are locked out of which addresses after wrong
//! passwords, and which addresses as a whole; an administrator lifts a lock (an event records
//! who did).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use super::throttle::{self, LockRow};
use super::{Perm, Staff};
use crate::error::AppError;
use crate::state::AppState;
use crate::time::{fmt_datetime, now_ms};
use crate::web::extract::Query;
use crate::web::form::FormData;
use crate::web::{Ctx, Layout, Page, PageError, Paging, redirect_ok, render};

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/locks", get(list)).route("/admin/locks/lift", post(lift))
}

#[derive(Deserialize)]
struct ListQuery {
    page: Option<i64>,
}

/// One row as shown.
struct Line {
    account: String,
    who: String,
    /// The address as stored (the form sends it back), and as shown.
    addr_key: String,
    addr: String,
    failures: i64,
    last_failure: String,
    locked_until: Option<String>,
    user_id: Option<i64>,
}

#[derive(Template)]
#[template(path = "admin/locks.html")]
struct LocksPage {
    layout: Layout,
    page: Page<Line>,
    pair_free: i64,
    addr_free: i64,
    base_min: i64,
    max_min: i64,
}

fn line(r: LockRow, now: i64) -> Line {
    let who = match (&r.display_name, r.account.is_empty()) {
        (_, true) => "（该地址的全部账号）".to_string(),
        (Some(name), false) => format!("{name}{}", r.org_name.as_deref().map(|o| format!("（{o}）")).unwrap_or_default()),
        (None, false) => "（不是现有账号）".to_string(),
    };
    let locked_until = r.locked(now).then(|| r.locked_until.map(fmt_datetime).unwrap_or_default());
    Line {
        who,
        addr: if r.addr == "unknown" { "未知地址".into() } else { r.addr.clone() },
        addr_key: r.addr,
        failures: r.failures,
        last_failure: fmt_datetime(r.last_failure_at),
        locked_until,
        user_id: r.user_id,
        account: r.account,
    }
}

async fn list(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_USERS)?;
    let paging = Paging { page: q.page, per: Some(50) };
    let now = now_ms();
    let page = throttle::list(&state.db, &staff.scope(Perm::ADMIN_USERS, None), &paging).await?.map(|r| line(r, now));
    render(&LocksPage {
        layout: Layout::new(&staff, &ctx, "登录锁定").crumb("系统管理", "").crumb("登录锁定", "/admin/locks"),
        page,
        pair_free: throttle::PAIR_FREE,
        addr_free: throttle::ADDR_FREE,
        base_min: throttle::BASE_LOCK_MS / 60_000,
        max_min: throttle::MAX_LOCK_MS / 60_000,
    })
}

async fn lift(State(state): State<AppState>, staff: Staff, form: FormData) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_USERS)?;
    let (Some(account), Some(addr)) = (form.get("account"), form.get("addr")) else {
        return Err(AppError::bad_request("missing_lock", "缺少要解除的账号和地址，请刷新页面后重试").into());
    };
    let scope = staff.scope(Perm::ADMIN_USERS, None);
    let row = throttle::lift(&state.db, staff.actor(), scope, account.to_string(), addr.to_string()).await?;
    let who = if row.account.is_empty() { format!("地址 {}", row.addr) } else { format!("账号 {} 在地址 {}", row.account, row.addr) };
    Ok(redirect_ok("/admin/locks", &format!("已解除{who}的登录锁定")))
}
