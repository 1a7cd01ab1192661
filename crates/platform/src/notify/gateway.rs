//! The SMS gateway adapter: drains the outbox. Several instances may run it: each claims a batch
//! of due messages with a lease (an UPDATE only one instance can win for a row), posts each to
//! the configured gateway with the message's key as `Idempotency-Key` (the same on every retry,
//! so a gateway that received a message whose answer we lost drops the repeat), marks it sent
//! on a 2xx, and otherwise retries it later with a doubling wait, until `max_attempts`, after
//! which it waits in the dead-letter list for an administrator. One-time codes older than their
//! life are not sent late: they expire.

use std::time::Duration;

use bytes::Bytes;
use futures::FutureExt;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::config::SmsConfig;
use crate::db::q;
use crate::error::AppError;
use crate::state::AppState;
use crate::time::now_ms;

/// How long a claimed batch is ours before another instance may take it.
const LEASE_MS: i64 = 60_000;
/// Messages per batch.
const BATCH: i64 = 50;
/// The longest wait between two attempts.
const MAX_WAIT_MS: i64 = 3_600_000;

#[derive(sqlx::FromRow)]
struct Pending {
    id: i64,
    phone: String,
    message: String,
    dedupe_key: Option<String>,
    attempts: i64,
}

/// What one drain did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct DrainReport {
    pub sent: usize,
    pub retried: usize,
    pub dead: usize,
    pub expired: usize,
}

/// The wait before attempt `attempts + 1`.
pub fn backoff_ms(cfg: &SmsConfig, attempts: i64) -> i64 {
    let base = cfg.retry_secs.max(1) * 1000;
    base.saturating_mul(1i64 << attempts.clamp(0, 20).saturating_sub(1).max(0)).min(MAX_WAIT_MS)
}

/// Deliver what is due, once. Without a gateway nothing is sent (in the demo the messages are
/// marked as shown on the demo phone instead).
pub async fn drain_once(state: &AppState) -> Result<DrainReport, AppError> {
    let cfg = state.config.sms.clone();
    let mut report = DrainReport::default();
    let now = now_ms();
    // Codes are only worth sending while they are valid.
    report.expired = state
        .db
        .write(move |tx| {
            async move {
                let n = q("UPDATE sms_outbox SET status = 'expired' WHERE status = 'pending' AND kind = 'code' AND created_at < $1")
                    .bind(now - crate::auth::otp::CODE_LIFE_MS)
                    .execute(tx)
                    .await?;
                Ok(n as usize)
            }
            .boxed()
        })
        .await?;
    if cfg.gateway_url.is_empty() {
        if state.config.server.demo {
            state
                .db
                .write(move |tx| {
                    async move {
                        q("UPDATE sms_outbox SET status = 'shown', sent_at = $1 WHERE status = 'pending'").bind(now).execute(tx).await?;
                        Ok(())
                    }
                    .boxed()
                })
                .await?;
        }
        return Ok(report);
    }
    let claim = crate::auth::session::random_token();
    let c2 = claim.clone();
    state
        .db
        .write(move |tx| {
            async move {
                // The outer conditions are checked again on a row another instance just claimed
                // (PostgreSQL re-evaluates them), so a row is claimed by one instance only.
                q("UPDATE sms_outbox SET claim = $1, claimed_until = $2 WHERE id IN (SELECT id FROM sms_outbox WHERE status = 'pending' AND next_attempt_at <= $3 AND (claimed_until IS NULL OR claimed_until < $3) ORDER BY id LIMIT $4) AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < $3)")
                    .bind(c2)
                    .bind(now + LEASE_MS)
                    .bind(now)
                    .bind(BATCH)
                    .execute(tx)
                    .await?;
                Ok(())
            }
            .boxed()
        })
        .await?;
    let batch: Vec<Pending> =
        q("SELECT id, phone, message, dedupe_key, attempts FROM sms_outbox WHERE claim = $1 ORDER BY id").bind(claim.clone()).fetch_all(&state.db).await?;
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    for m in batch {
        let outcome = post(&client, &cfg, &m).await;
        let attempts = m.attempts + 1;
        let (status, next, error) = match &outcome {
            Ok(()) => ("sent", 0, None),
            Err(Failure::Permanent(e)) => ("dead", 0, Some(e.clone())),
            Err(Failure::Temporary(e)) if attempts >= cfg.max_attempts => ("dead", 0, Some(e.clone())),
            Err(Failure::Temporary(e)) => ("pending", now_ms() + backoff_ms(&cfg, attempts), Some(e.clone())),
        };
        match status {
            "sent" => report.sent += 1,
            "dead" => report.dead += 1,
            _ => report.retried += 1,
        }
        let claim = claim.clone();
        state
            .db
            .write(move |tx| {
                async move {
                    q("UPDATE sms_outbox SET status = $1, attempts = $2, next_attempt_at = $3, last_error = $4, sent_at = $5, claim = NULL, claimed_until = NULL WHERE id = $6 AND claim = $7")
                        .bind(status)
                        .bind(attempts)
                        .bind(next)
                        .bind(error)
                        .bind((status == "sent").then(now_ms))
                        .bind(m.id)
                        .bind(claim)
                        .execute(tx)
                        .await?;
                    Ok(())
                }
                .boxed()
            })
            .await?;
    }
    Ok(report)
}

enum Failure {
    /// The gateway refused the message itself (a bad number, a bad request): retrying will not help.
    Permanent(String),
    /// The gateway was down, slow or busy.
    Temporary(String),
}

async fn post(client: &Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>, cfg: &SmsConfig, m: &Pending) -> Result<(), Failure> {
    let key = m.dedupe_key.clone().unwrap_or_else(|| format!("outbox:{}", m.id));
    let body = serde_json::json!({"id": m.id, "phone": m.phone, "message": m.message, "key": key}).to_string();
    let mut req = hyper::Request::post(&cfg.gateway_url).header("content-type", "application/json").header("idempotency-key", key.as_str());
    if !cfg.gateway_token.is_empty() {
        req = req.header("authorization", format!("Bearer {}", cfg.gateway_token));
    }
    let req = req.body(Full::new(Bytes::from(body))).map_err(|e| Failure::Permanent(format!("请求无效：{e}")))?;
    let answer = tokio::time::timeout(Duration::from_secs(cfg.timeout_secs), client.request(req)).await;
    let resp = match answer {
        Err(_) => return Err(Failure::Temporary(format!("网关 {} 秒内未应答", cfg.timeout_secs))),
        Ok(Err(e)) => return Err(Failure::Temporary(format!("无法连接网关：{e}"))),
        Ok(Ok(r)) => r,
    };
    let status = resp.status();
    // Read the body so the connection can be reused; keep a little of it for the error.
    let text = resp.into_body().collect().await.map(|b| String::from_utf8_lossy(&b.to_bytes()).chars().take(200).collect::<String>()).unwrap_or_default();
    if status.is_success() {
        Ok(())
    } else if status.is_client_error() && status.as_u16() != 408 && status.as_u16() != 429 {
        Err(Failure::Permanent(format!("网关拒绝（{status}）：{text}")))
    } else {
        Err(Failure::Temporary(format!("网关返回 {status}：{text}")))
    }
}

/// Drain the outbox every few seconds, beside the server.
pub fn spawn(state: AppState) {
    if state.config.sms.gateway_url.is_empty() && !state.config.server.demo {
        tracing::warn!("未配置短信网关（sms.gateway_url）：短信留在发件箱中");
    }
    tokio::spawn(async move {
        loop {
            match drain_once(&state).await {
                Ok(r) if r.dead > 0 => tracing::warn!(dead = r.dead, "短信发送失败，已转入待人工处理"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "短信发件箱处理失败"),
            }
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_an_hour() {
        let cfg = SmsConfig { retry_secs: 30, ..Default::default() };
        assert_eq!(backoff_ms(&cfg, 1), 30_000);
        assert_eq!(backoff_ms(&cfg, 2), 60_000);
        assert_eq!(backoff_ms(&cfg, 3), 120_000);
        assert_eq!(backoff_ms(&cfg, 12), 3_600_000);
        assert_eq!(backoff_ms(&cfg, 60), 3_600_000);
    }
}
