//! Citizens identify by mobile phone and a one-time code: no passwords. The code is sent by an
//! [`SmsSender`]; in the demo it is written to the log and shown on the page, in production it
//! goes to the `sms_outbox` table that an SMS-gateway adapter drains.

use std::sync::Arc;

use futures::FutureExt;
use rand::Rng;

use super::session::token_hash;
use crate::db::{Db, Tx, q};
use crate::error::AppError;
use crate::privacy::Phone;
use crate::time::now_ms;

pub const CODE_LIFE_MS: i64 = 5 * 60 * 1000;
pub const RESEND_AFTER_MS: i64 = 60 * 1000;
pub const MAX_SENDS_PER_DAY: i64 = 10;
pub const MAX_ATTEMPTS: i64 = 5;

/// Sends a text message. Implementations must be quick; slow gateways queue.
pub trait SmsSender: Send + Sync {
    /// Deliver (or queue) the message inside the caller's transaction where possible.
    fn send<'a>(&'a self, tx: &'a mut Tx, phone: &'a Phone, message: &'a str) -> futures::future::BoxFuture<'a, Result<(), AppError>>;
    /// Whether the code may be shown on the page (demo only).
    fn shows_code(&self) -> bool;
}

/// Queues messages in `sms_outbox` for a gateway adapter; in demo mode also logs them.
pub struct OutboxSender {
    pub demo: bool,
}

impl SmsSender for OutboxSender {
    fn send<'a>(&'a self, tx: &'a mut Tx, phone: &'a Phone, message: &'a str) -> futures::future::BoxFuture<'a, Result<(), AppError>> {
        async move {
            if self.demo {
                tracing::info!(phone = %phone.masked(), "演示短信：{message}");
            }
            q("INSERT INTO sms_outbox (phone, message, created_at) VALUES ($1, $2, $3)").bind(phone.as_str()).bind(message).bind(now_ms()).execute(tx).await?;
            Ok(())
        }
        .boxed()
    }
    fn shows_code(&self) -> bool {
        self.demo
    }
}

#[derive(sqlx::FromRow)]
struct OtpRow {
    code_hash: String,
    expires_at: i64,
    attempts: i64,
    sent_at: i64,
    sends_in_window: i64,
    window_start: i64,
}

/// Send a new code to the phone. Returns the code when the sender allows showing it (demo).
pub async fn send_code(db: &Db, sms: Arc<dyn SmsSender>, phone: Phone) -> Result<Option<String>, AppError> {
    let code: String = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000));
    let shown = sms.shows_code().then(|| code.clone());
    let now = now_ms();
    db.write(move |tx| {
        async move {
            let prev: Option<OtpRow> = q("SELECT code_hash, expires_at, attempts, sent_at, sends_in_window, window_start FROM otp_codes WHERE phone = $1")
                .bind(phone.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            let (sends, window_start) = match &prev {
                Some(p) if now - p.sent_at < RESEND_AFTER_MS => {
                    let secs = (RESEND_AFTER_MS - (now - p.sent_at)) / 1000 + 1;
                    return Err(AppError::RateLimited { message: format!("验证码已发送，请 {secs} 秒后再试"), retry_after_secs: secs as u64 });
                }
                Some(p) if now - p.window_start < 24 * 3600 * 1000 => {
                    if p.sends_in_window >= MAX_SENDS_PER_DAY {
                        return Err(AppError::RateLimited { message: "该手机号今日获取验证码次数已达上限，请明天再试".into(), retry_after_secs: 3600 });
                    }
                    (p.sends_in_window + 1, p.window_start)
                }
                _ => (1, now),
            };
            q("INSERT INTO otp_codes (phone, code_hash, expires_at, attempts, sent_at, sends_in_window, window_start) VALUES ($1,$2,$3,0,$4,$5,$6) \
               ON CONFLICT (phone) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at, attempts = 0, sent_at = excluded.sent_at, sends_in_window = excluded.sends_in_window, window_start = excluded.window_start")
                .bind(phone.as_str())
                .bind(token_hash(&format!("{}:{code}", phone.as_str())))
                .bind(now + CODE_LIFE_MS)
                .bind(now)
                .bind(sends)
                .bind(window_start)
                .execute(&mut *tx)
                .await?;
            let msg = format!("【法治政府服务平台】您的验证码是 {code}，5 分钟内有效。请勿告诉他人。");
            sms.send(tx, &phone, &msg).await?;
            Ok(())
        }
        .boxed()
    })
    .await?;
    Ok(shown)
}

/// Check a code; a right code is used up, a wrong one counts against the limit.
pub async fn verify_code(db: &Db, phone: Phone, code: String) -> Result<(), AppError> {
    let now = now_ms();
    db.write(move |tx| {
        async move {
            let row: Option<OtpRow> = q("SELECT code_hash, expires_at, attempts, sent_at, sends_in_window, window_start FROM otp_codes WHERE phone = $1")
                .bind(phone.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            let Some(row) = row else {
                return Err(AppError::field("code", "code_not_sent", "请先获取验证码"));
            };
            if row.expires_at <= now || row.attempts >= MAX_ATTEMPTS {
                return Err(AppError::field("code", "code_expired", "验证码已失效，请重新获取"));
            }
            if row.code_hash != token_hash(&format!("{}:{}", phone.as_str(), code.trim())) {
                q("UPDATE otp_codes SET attempts = attempts + 1 WHERE phone = $1").bind(phone.as_str()).execute(&mut *tx).await?;
                let left = MAX_ATTEMPTS - row.attempts - 1;
                // The failed attempt must be counted, so this write commits and the error is
                // reported after it.
                return Ok(Err(AppError::field("code", "code_wrong", format!("验证码不正确，还可尝试 {left} 次"))));
            }
            q("UPDATE otp_codes SET expires_at = 0 WHERE phone = $1").bind(phone.as_str()).execute(&mut *tx).await?;
            Ok(Ok(()))
        }
        .boxed()
    })
    .await?
}
