//! Citizens identify by mobile phone and a one-time code: no passwords. The code is sent by an
//! [`SmsSender`]; in the demo it is written to the log and shown on the page, in production it
//! goes to the `sms_outbox` table that an SMS-gateway adapter drains.
//!
//! Sending is throttled per phone (one code a minute, ten a day) and per client address: an
//! address may send a few codes freely, then each further one waits twice as long as the one
//! before (`throttle::growing_delay`). No CAPTCHA: the page says when to try again.

use std::sync::Arc;

use futures::FutureExt;
use rand::Rng;

use super::client::ClientAddr;
use super::session::token_hash;
use super::throttle;
use crate::db::{Db, Tx, q};
use crate::error::AppError;
use crate::privacy::Phone;
use crate::time::now_ms;

pub const CODE_LIFE_MS: i64 = 5 * 60 * 1000;
pub const RESEND_AFTER_MS: i64 = 60 * 1000;
pub const MAX_SENDS_PER_DAY: i64 = 10;
pub const MAX_ATTEMPTS: i64 = 5;
/// Codes an address may send before the slowdown starts.
pub const ADDR_FREE_SENDS: i64 = 5;
/// An address that sent nothing for this long starts afresh.
pub const ADDR_QUIET_MS: i64 = 3600 * 1000;
/// The first wait beyond the free codes, doubled at each further code, and the longest.
pub const ADDR_BASE_DELAY_MS: i64 = 30 * 1000;
pub const ADDR_MAX_DELAY_MS: i64 = 30 * 60 * 1000;

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

/// What became of a request for a code.
#[derive(Debug, PartialEq, Eq)]
pub enum Sent {
    /// A new code went out; in the demo, the code.
    New { shown: Option<String> },
    /// The code sent less than a minute ago is still valid and nothing was sent; in the demo,
    /// that code again.
    Recent { wait_secs: u64, shown: Option<String> },
}

/// The text message, and the code read back from it (the demo shows a recent code again).
fn message(code: &str) -> String {
    format!("【法治政府服务平台】您的验证码是 {code}，5 分钟内有效。请勿告诉他人。")
}

fn code_in(message: &str) -> Option<String> {
    let rest = message.split_once("验证码是 ")?.1;
    let code: String = rest.chars().take_while(char::is_ascii_digit).collect();
    (code.len() == 6).then_some(code)
}

#[derive(sqlx::FromRow)]
struct SenderRow {
    sends: i64,
    last_sent_at: i64,
}

/// When the next code may leave an address that sent `sends` codes, the last at `last`.
pub fn addr_next_send(sends: i64, last: i64) -> i64 {
    if sends < ADDR_FREE_SENDS { last } else { last + throttle::growing_delay(ADDR_BASE_DELAY_MS, sends - ADDR_FREE_SENDS, ADDR_MAX_DELAY_MS) }
}

/// Send a new code to the phone from a client at `from`.
pub async fn send_code(db: &Db, sms: Arc<dyn SmsSender>, phone: Phone, from: ClientAddr) -> Result<Sent, AppError> {
    let code: String = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000));
    let shown = sms.shows_code().then(|| code.clone());
    let now = now_ms();
    let addr = from.key();
    db.write(move |tx| {
        async move {
            let prev: Option<OtpRow> = q("SELECT code_hash, expires_at, attempts, sent_at, sends_in_window, window_start FROM otp_codes WHERE phone = $1")
                .bind(phone.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            let (sends, window_start) = match &prev {
                Some(p) if now - p.sent_at < RESEND_AFTER_MS => {
                    let wait_secs = ((RESEND_AFTER_MS - (now - p.sent_at)) / 1000 + 1) as u64;
                    // Only the demo shows codes: its sender keeps them in the outbox.
                    let shown = if sms.shows_code() {
                        let last: Option<(String,)> = q("SELECT message FROM sms_outbox WHERE phone = $1 AND created_at >= $2 ORDER BY id DESC LIMIT 1")
                            .bind(phone.as_str())
                            .bind(p.sent_at)
                            .fetch_optional(&mut *tx)
                            .await?;
                        last.and_then(|(m,)| code_in(&m))
                    } else {
                        None
                    };
                    return Ok(Sent::Recent { wait_secs, shown });
                }
                Some(p) if now - p.window_start < 24 * 3600 * 1000 => {
                    if p.sends_in_window >= MAX_SENDS_PER_DAY {
                        return Err(AppError::RateLimited { message: "该手机号今日获取验证码次数已达上限，请明天再试".into(), retry_after_secs: 3600 });
                    }
                    (p.sends_in_window + 1, p.window_start)
                }
                _ => (1, now),
            };
            // The address's count, locked (PostgreSQL) so that parallel requests cannot all pass.
            q("INSERT INTO otp_senders (addr, sends, last_sent_at) VALUES ($1, 0, 0) ON CONFLICT (addr) DO NOTHING").bind(addr.as_str()).execute(&mut *tx).await?;
            let lock = crate::db::for_update(tx.backend());
            let sender: SenderRow =
                q(format!("SELECT sends, last_sent_at FROM otp_senders WHERE addr = $1{lock}")).bind(addr.as_str()).fetch_one(&mut *tx).await?;
            let addr_sends = if now - sender.last_sent_at >= ADDR_QUIET_MS { 0 } else { sender.sends };
            let allowed_at = addr_next_send(addr_sends, sender.last_sent_at);
            if now < allowed_at {
                return Err(AppError::RateLimited {
                    message: format!("从您所在的网络获取验证码过于频繁，已放慢发送。{}", throttle::wait_message(allowed_at, now)),
                    retry_after_secs: ((allowed_at - now + 999) / 1000) as u64,
                });
            }
            q("UPDATE otp_senders SET sends = $1, last_sent_at = $2 WHERE addr = $3").bind(addr_sends + 1).bind(now).bind(addr.as_str()).execute(&mut *tx).await?;
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
            sms.send(tx, &phone, &message(&code)).await?;
            Ok(Sent::New { shown })
        }
        .boxed()
    })
    .await
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_reads_back_from_its_message() {
        assert_eq!(code_in(&message("012345")).as_deref(), Some("012345"));
        assert_eq!(code_in("您的验证码是 12"), None);
    }

    #[test]
    fn an_address_slows_down_after_a_few_codes() {
        let t = 1_000_000;
        for n in 0..ADDR_FREE_SENDS {
            assert_eq!(addr_next_send(n, t), t, "code {} goes at once", n + 1);
        }
        let waits: Vec<i64> = (ADDR_FREE_SENDS..ADDR_FREE_SENDS + 4).map(|n| addr_next_send(n, t) - t).collect();
        assert!(waits.windows(2).all(|w| w[1] == 2 * w[0]), "{waits:?}");
        assert_eq!(addr_next_send(1000, t) - t, ADDR_MAX_DELAY_MS);
    }
}
