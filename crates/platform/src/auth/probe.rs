//! Throttling of public lookups that answer "found" or "not found" (a ticket's progress by its
//! number and phone), so that they cannot be used to enumerate records: ticket numbers are
//! sequential, and whoever knows a phone number could otherwise walk through them.
//!
//! Only failed lookups are counted, so a successful lookup costs no write. Each key — the
//! client's address, the phone asked about — may fail `max` times within [`WINDOW_MS`]; the
//! next failure locks it for [`LOCK_MS`], and while it is locked every lookup with that key is
//! refused, found or not (otherwise the answers would still tell hits from misses). The counts live in
//! the database (`lookup_throttle`, keys prefixed `lookup:`), so every instance sees the same
//! count, and each failure is counted by one upsert, which PostgreSQL serialises on the row:
//! several instances cannot lose a count between a read and a write.

use futures::FutureExt;

use crate::db::{Db, q};
use crate::error::AppError;
use crate::time::now_ms;

pub const WINDOW_MS: i64 = 15 * 60 * 1000;
pub const LOCK_MS: i64 = 15 * 60 * 1000;
/// Failed lookups from one address within the window. Higher than per phone: a service hall
/// or a mobile carrier puts many citizens behind one address.
pub const MAX_PER_ADDRESS: i64 = 30;
/// Failed lookups for one phone number within the window.
pub const MAX_PER_PHONE: i64 = 10;

/// A counter and the failures it allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    pub key: String,
    pub max: i64,
}

impl Key {
    pub fn address(ip: &str) -> Key {
        Key { key: format!("lookup:ip:{ip}"), max: MAX_PER_ADDRESS }
    }
    /// `phone` in its normalised form, so that spellings of one number share a counter.
    pub fn phone(phone: &str) -> Key {
        Key { key: format!("lookup:phone:{phone}"), max: MAX_PER_PHONE }
    }
}

/// The refusal while a lock is in force (`locked_until` in UTC milliseconds), or nothing.
pub fn refusal(locked_until: Option<i64>, now: i64) -> Option<AppError> {
    let until = locked_until.filter(|u| *u > now)?;
    let secs = ((until - now) + 999) / 1000;
    let mins = (secs + 59) / 60;
    Some(AppError::RateLimited {
        message: format!("查询失败次数过多，已暂停查询，请 {mins} 分钟后再试。请核对工单编号和登记时的电话号码"),
        retry_after_secs: secs as u64,
    })
}

/// Count one failed lookup against each key. Returns the latest lock in force afterwards: the
/// failure past a key's limit is itself refused.
pub async fn fail(db: &Db, keys: Vec<Key>) -> Result<Option<i64>, AppError> {
    db.write(move |tx| {
        async move {
            let now = now_ms();
            let mut locked: Option<i64> = None;
            for k in keys {
                // In the window: one more failure, locked past the limit; after it: a new window.
                let (until,): (Option<i64>,) = q("INSERT INTO lookup_throttle (key, failures, window_start, locked_until) VALUES ($1, 1, $2, NULL) \
                     ON CONFLICT (key) DO UPDATE SET \
                       failures = CASE WHEN lookup_throttle.window_start > $3 THEN lookup_throttle.failures + 1 ELSE 1 END, \
                       window_start = CASE WHEN lookup_throttle.window_start > $3 THEN lookup_throttle.window_start ELSE $2 END, \
                       locked_until = CASE WHEN lookup_throttle.window_start > $3 AND lookup_throttle.failures + 1 > $4 THEN $5 ELSE lookup_throttle.locked_until END \
                     RETURNING locked_until")
                .bind(k.key)
                .bind(now)
                .bind(now - WINDOW_MS)
                .bind(k.max)
                .bind(now + LOCK_MS)
                .fetch_one(&mut *tx)
                .await?;
                locked = locked.max(until.filter(|u| *u > now));
            }
            Ok(locked)
        }
        .boxed()
    })
    .await
}

/// Forget counters whose window and lock have both passed (run by the background sweep).
pub async fn purge(db: &Db) -> Result<u64, AppError> {
    let now = now_ms();
    db.write(move |tx| {
        async move {
            q("DELETE FROM lookup_throttle WHERE key LIKE 'lookup:%' AND window_start < $1 AND (locked_until IS NULL OR locked_until < $2)")
                .bind(now - WINDOW_MS)
                .bind(now)
                .execute(tx)
                .await
        }
        .boxed()
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_in_force_is_refused_with_the_time_left() {
        let now = 1_000_000;
        assert!(refusal(None, now).is_none());
        assert!(refusal(Some(now), now).is_none(), "a lock ending now no longer holds");
        let e = refusal(Some(now + 90_500), now).unwrap();
        match &e {
            AppError::RateLimited { message, retry_after_secs } => {
                assert_eq!(*retry_after_secs, 91);
                assert!(message.contains("2 分钟后"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(e.status(), axum::http::StatusCode::TOO_MANY_REQUESTS);
    }

    #[test]
    fn keys_of_address_and_phone_are_apart() {
        assert_ne!(Key::address("13800000000").key, Key::phone("13800000000").key);
        assert!(Key::address("1.2.3.4").max > Key::phone("13800000000").max);
    }
}
