//! Login rate limit with temporary lockout, kept in the database so that every instance sees
//! the same count: 5 failures within 15 minutes for one account (or 20 from one address) lock
//! further attempts for 15 minutes.

use futures::FutureExt;

use crate::db::{Db, q};
use crate::error::AppError;
use crate::time::now_ms;

pub const WINDOW_MS: i64 = 15 * 60 * 1000;
pub const LOCK_MS: i64 = 15 * 60 * 1000;
pub const MAX_PER_ACCOUNT: i64 = 5;
pub const MAX_PER_IP: i64 = 20;

#[derive(sqlx::FromRow)]
struct Row {
    failures: i64,
    window_start: i64,
    locked_until: Option<i64>,
}

/// The wait after the `step`-th attempt beyond what is free: `base`, doubled at each further
/// step, at most `max`.
pub fn growing_delay(base_ms: i64, step: i64, max_ms: i64) -> i64 {
    base_ms.saturating_mul(1 << step.clamp(0, 30)).min(max_ms)
}

/// "请在 14:32:05 之后再试（还需约 2 分 5 秒）。" — when, in China's time, and how long.
pub fn wait_message(until: i64, now: i64) -> String {
    let secs = ((until - now).max(1) + 999) / 1000;
    let span = match secs {
        s if s < 60 => format!("{s} 秒"),
        s if s % 60 == 0 => format!("{} 分钟", s / 60),
        s => format!("{} 分 {} 秒", s / 60, s % 60),
    };
    format!("请在 {} 之后再试（还需约 {span}）。", crate::time::to_local(until).format("%H:%M:%S"))
}

/// Refuse the attempt if the account or the address is locked.
pub async fn check(db: &Db, keys: &[String]) -> Result<(), AppError> {
    let now = now_ms();
    for k in keys {
        let r: Option<Row> = q("SELECT failures, window_start, locked_until FROM login_throttle WHERE key = $1").bind(k.as_str()).fetch_optional(db).await?;
        if let Some(Row { locked_until: Some(until), .. }) = r {
            if until > now {
                let mins = ((until - now) + 59_999) / 60_000;
                return Err(AppError::RateLimited {
                    message: format!("登录失败次数过多，已临时锁定，请 {mins} 分钟后再试"),
                    retry_after_secs: ((until - now) / 1000).max(1) as u64,
                });
            }
        }
    }
    Ok(())
}

/// Count a failure against each key; lock keys that reach their limit.
pub async fn failure(db: &Db, account_key: String, ip_key: Option<String>) -> Result<(), AppError> {
    let now = now_ms();
    db.write(move |tx| {
        async move {
            let mut keys = vec![(account_key, MAX_PER_ACCOUNT)];
            if let Some(ip) = ip_key {
                keys.push((ip, MAX_PER_IP));
            }
            for (k, max) in keys {
                let r: Option<Row> =
                    q("SELECT failures, window_start, locked_until FROM login_throttle WHERE key = $1").bind(k.as_str()).fetch_optional(&mut *tx).await?;
                let (failures, start) = match r {
                    Some(r) if now - r.window_start < WINDOW_MS => (r.failures + 1, r.window_start),
                    _ => (1, now),
                };
                let locked = if failures >= max { Some(now + LOCK_MS) } else { None };
                q("INSERT INTO login_throttle (key, failures, window_start, locked_until) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start, locked_until = excluded.locked_until")
                .bind(k)
                .bind(failures)
                .bind(start)
                .bind(locked)
                .execute(&mut *tx)
                .await?;
            }
            Ok(())
        }
        .boxed()
    })
    .await
}

/// A successful login clears the account's count.
pub async fn success(db: &Db, account_key: String) -> Result<(), AppError> {
    db.write(move |tx| {
        async move {
            q("DELETE FROM login_throttle WHERE key = $1").bind(account_key).execute(tx).await?;
            Ok(())
        }
        .boxed()
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_a_ceiling() {
        let d: Vec<i64> = (0..6).map(|s| growing_delay(1000, s, 10_000)).collect();
        assert_eq!(d, [1000, 2000, 4000, 8000, 10_000, 10_000]);
        assert_eq!(growing_delay(1000, 500, 10_000), 10_000);
    }

    #[test]
    fn waits_say_when_and_how_long() {
        // 2026-01-01 00:00:00 UTC is 08:00:00 in China.
        let t = 1_767_225_600_000;
        assert_eq!(wait_message(t + 5_000, t), "请在 08:00:05 之后再试（还需约 5 秒）。");
        assert_eq!(wait_message(t + 125_000, t), "请在 08:02:05 之后再试（还需约 2 分 5 秒）。");
        assert_eq!(wait_message(t + 120_000, t), "请在 08:02:00 之后再试（还需约 2 分钟）。");
    }
}
