//! Messages on screen: the administrator's outbox (what is waiting, what failed, retry), the
//! citizen's own messages on the portal, and in the demo a "demo phone" that shows what would
//! have been sent to a number.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use futures::FutureExt;
use serde::Deserialize;

use crate::audit::{self, Changes, NewEvent};
use crate::auth::{Perm, Staff};
use crate::db::q;
use crate::error::AppError;
use crate::portal::VerifiedCitizen;
use crate::privacy::{Phone, mask_phone};
use crate::state::AppState;
use crate::web::extract::{Path, Query};
use crate::web::{Ctx, Layout, Page, PageError, Paging, PortalLayout, redirect_ok, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/messages", get(outbox))
        .route("/admin/messages/{id}/retry", post(retry))
        .route("/admin/messages/retry-dead", post(retry_all))
        .route("/portal/messages", get(mine))
        .route("/demo/phone", get(demo_phone))
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MessageRow {
    pub id: i64,
    pub phone: String,
    pub message: String,
    pub kind: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

impl MessageRow {
    pub fn status_label(&self) -> &'static str {
        match self.status.as_str() {
            "pending" => "待发送",
            "sent" => "已发送",
            "shown" => "已送达演示手机",
            "dead" => "发送失败",
            "expired" => "验证码已过期未发",
            _ => "未知",
        }
    }
    pub fn when(&self) -> String {
        crate::time::fmt_datetime(self.created_at)
    }
    pub fn masked_phone(&self) -> String {
        mask_phone(&self.phone)
    }
    /// A one-time code is shown only on the demo phone.
    pub fn text(&self) -> String {
        if self.kind == "code" { "【验证码】（内容不显示）".into() } else { self.message.clone() }
    }
}

const COLS: &str = "id, phone, message, kind, status, attempts, last_error, created_at, sent_at";

#[derive(Deserialize)]
struct OutboxQuery {
    status: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "admin/messages.html")]
struct OutboxPage {
    layout: Layout,
    counts: Vec<(&'static str, &'static str, i64)>,
    status: String,
    page: Page<MessageRow>,
    base: String,
    gateway: bool,
}

async fn outbox(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(oq): Query<OutboxQuery>) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_SETTINGS)?;
    let status = match oq.status.as_deref() {
        Some(s @ ("pending" | "sent" | "dead" | "expired" | "shown")) => s.to_string(),
        _ => "dead".into(),
    };
    let mut counts = Vec::new();
    for (k, label) in [("dead", "发送失败"), ("pending", "待发送"), ("sent", "已发送"), ("shown", "演示手机"), ("expired", "过期验证码")] {
        let n = q("SELECT COUNT(*) FROM sms_outbox WHERE status = $1").bind(k).fetch_i64(&state.db).await?;
        counts.push((k, label, n));
    }
    let paging = Paging { page: oq.page, per: Some(50) };
    let rows: Vec<MessageRow> =
        q(format!("SELECT {COLS} FROM sms_outbox WHERE status = $1 ORDER BY id DESC LIMIT {} OFFSET {}", paging.per(), paging.offset()))
            .bind(status.clone())
            .fetch_all(&state.db)
            .await?;
    let total = counts.iter().find(|c| c.0 == status).map(|c| c.2).unwrap_or(0);
    render(&OutboxPage {
        layout: Layout::new(&staff, &ctx, "短信发件箱").crumb("系统管理", "").crumb("短信发件箱", ""),
        counts,
        base: format!("/admin/messages?status={status}&"),
        status,
        page: Page::new(rows, &paging, total),
        gateway: !state.config.sms.gateway_url.is_empty(),
    })
}

/// Put failed messages back in the queue, now; an event records who did it.
async fn requeue(state: &AppState, staff: &Staff, id: Option<i64>) -> Result<u64, AppError> {
    staff.require(Perm::ADMIN_SETTINGS)?;
    let actor = staff.actor();
    state
        .db
        .write(move |tx| {
            async move {
                let mut query =
                    q("UPDATE sms_outbox SET status = 'pending', attempts = 0, next_attempt_at = 0, claim = NULL, claimed_until = NULL WHERE status = 'dead'");
                if let Some(id) = id {
                    query = query.push_bind(" AND id = {}", id);
                }
                let n = query.execute(&mut *tx).await?;
                if n == 0 && id.is_some() {
                    return Err(AppError::not_found("message_not_found", "该短信不存在或不在发送失败列表中"));
                }
                audit::record(
                    tx,
                    &actor,
                    NewEvent::new("sms_outbox", id.unwrap_or(0), "retry", "短信重新发送").changes(Changes::new().set("条数", 0, n as i64)),
                )
                .await?;
                Ok(n)
            }
            .boxed()
        })
        .await
}

async fn retry(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> Result<Response, PageError> {
    requeue(&state, &staff, Some(id)).await?;
    Ok(redirect_ok("/admin/messages?status=dead", "已重新排队发送"))
}

async fn retry_all(State(state): State<AppState>, staff: Staff) -> Result<Response, PageError> {
    let n = requeue(&state, &staff, None).await?;
    Ok(redirect_ok("/admin/messages?status=dead", &format!("已将 {n} 条失败短信重新排队发送")))
}

#[derive(Template)]
#[template(path = "portal/messages.html")]
struct MinePage {
    layout: PortalLayout,
    page: Page<MessageRow>,
    base: String,
    demo_phone: bool,
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<i64>,
    phone: Option<String>,
}

/// The messages sent to a number about its matters (codes excluded), newest first.
async fn messages_to(state: &AppState, phone: &str, paging: &Paging, with_codes: bool) -> Result<Page<MessageRow>, AppError> {
    let kinds = if with_codes { "" } else { " AND kind = 'case'" };
    let rows: Vec<MessageRow> =
        q(format!("SELECT {COLS} FROM sms_outbox WHERE phone = $1{kinds} ORDER BY id DESC LIMIT {} OFFSET {}", paging.per(), paging.offset()))
            .bind(phone.to_string())
            .fetch_all(&state.db)
            .await?;
    let total = q(format!("SELECT COUNT(*) FROM sms_outbox WHERE phone = $1{kinds}")).bind(phone.to_string()).fetch_i64(&state.db).await?;
    Ok(Page::new(rows, paging, total))
}

async fn mine(State(state): State<AppState>, ctx: Ctx, VerifiedCitizen(c): VerifiedCitizen, Query(pq): Query<PageQuery>) -> Result<Response, PageError> {
    let paging = Paging { page: pq.page, per: Some(20) };
    let page = messages_to(&state, c.phone.as_str(), &paging, false).await?;
    render(&MinePage { layout: PortalLayout::new(&ctx, "我的消息", Some(&c)), page, base: "/portal/messages?".into(), demo_phone: false })
}

/// In the demo only: what a number would have received, codes included.
async fn demo_phone(State(state): State<AppState>, ctx: Ctx, Query(pq): Query<PageQuery>) -> Result<Response, PageError> {
    if !state.config.server.demo {
        return Err(AppError::not_found("route_not_found", "您访问的页面不存在").into());
    }
    let paging = Paging { page: pq.page, per: Some(20) };
    let phone = pq.phone.as_deref().map(str::trim).filter(|p| !p.is_empty());
    let page = match phone {
        Some(p) => {
            let p = Phone::parse_mobile(p).map_err(|m| AppError::field("phone", "bad_phone", m))?;
            messages_to(&state, p.as_str(), &paging, true).await?
        }
        None => Page::new(vec![], &paging, 0),
    };
    let base = format!("/demo/phone?phone={}&", crate::web::urlencode(phone.unwrap_or("")));
    render(&MinePage { layout: PortalLayout::new(&ctx, "演示手机", None), page, base, demo_phone: true })
}
