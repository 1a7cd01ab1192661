//! The login lockout, kept in the database so that every instance sees the same count.
//!
//! Failures are counted per pair of account and client address: a few are free, then the pair
//! is locked for a minute, and for twice as long after each further failure (up to an hour).
//! Locking the account as a whole would let anyone who knows a user name keep that person out
//! with five wrong passwords; a pair locks out only the address that guesses. The address as a
//! whole (any account) is counted too, with a larger allowance, so that one address cannot try
//! many accounts. A successful login clears its pair. Administrators see and lift locks
//! (`pages`, under 系统管理).

use futures::FutureExt;

use super::client::ClientAddr;
use super::roles::Scope;
use crate::audit::{self, Actor, NewEvent};
use crate::db::{Db, Q, Tx, for_update, q};
use crate::error::AppError;
use crate::time::now_ms;
use crate::web::{Page, Paging};

/// Failures of one account from one address before the first lock.
pub const PAIR_FREE: i64 = 5;
/// A pair with no failure for this long starts afresh.
pub const PAIR_MEMORY_MS: i64 = 24 * 3600 * 1000;
/// Failures from one address, whatever the account, before it is locked.
pub const ADDR_FREE: i64 = 20;
/// An address with no failure for this long starts afresh.
pub const ADDR_MEMORY_MS: i64 = 3600 * 1000;
/// The first lock, doubled at each further failure, and the longest.
pub const BASE_LOCK_MS: i64 = 60 * 1000;
pub const MAX_LOCK_MS: i64 = 3600 * 1000;
/// The `account` of the row that counts an address as a whole.
pub const ANY_ACCOUNT: &str = "";

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

/// The lock after the `failures`-th failure with `free` failures allowed: none, or its end.
pub fn lock_after(failures: i64, free: i64, now: i64) -> Option<i64> {
    (failures >= free).then(|| now + growing_delay(BASE_LOCK_MS, failures - free, MAX_LOCK_MS))
}

/// The account as counted: the user name as typed, without case.
pub fn account_key(username: &str) -> String {
    username.trim().to_lowercase()
}

#[derive(sqlx::FromRow)]
struct Count {
    failures: i64,
    last_failure_at: i64,
}

/// Refuse the attempt if the pair or the address is locked.
pub async fn check(db: &Db, account: &str, from: ClientAddr) -> Result<(), AppError> {
    let now = now_ms();
    let addr = from.key();
    let rows: Vec<(String, i64)> = q("SELECT account, locked_until FROM login_locks WHERE addr = $1 AND (account = $2 OR account = $3) AND locked_until > $4")
        .bind(addr.as_str())
        .bind(account)
        .bind(ANY_ACCOUNT)
        .bind(now)
        .fetch_all(db)
        .await?;
    let Some((acct, until)) = rows.into_iter().max_by_key(|r| r.1) else { return Ok(()) };
    let who = if acct == ANY_ACCOUNT { "您所在的网络登录失败次数过多" } else { "该账号从您所在的网络登录失败次数过多" };
    Err(AppError::RateLimited {
        message: format!("{who}，已临时锁定。{}如确需立即登录，请联系系统管理员解除锁定。", wait_message(until, now)),
        retry_after_secs: ((until - now + 999) / 1000) as u64,
    })
}

/// Count one failure for the pair and for the address; lock what reaches its allowance.
pub async fn failure(db: &Db, account: String, from: ClientAddr) -> Result<(), AppError> {
    let now = now_ms();
    let addr = from.key();
    db.write(move |tx| {
        async move {
            count(tx, &account, &addr, PAIR_FREE, PAIR_MEMORY_MS, now).await?;
            count(tx, ANY_ACCOUNT, &addr, ADDR_FREE, ADDR_MEMORY_MS, now).await
        }
        .boxed()
    })
    .await
}

async fn count(tx: &mut Tx, account: &str, addr: &str, free: i64, memory: i64, now: i64) -> Result<(), AppError> {
    // The row exists before it is locked, so that parallel failures count one after another.
    q("INSERT INTO login_locks (account, addr, failures, last_failure_at) VALUES ($1, $2, 0, 0) ON CONFLICT (account, addr) DO NOTHING")
        .bind(account)
        .bind(addr)
        .execute(&mut *tx)
        .await?;
    let lock = for_update(tx.backend());
    let c: Count = q(format!("SELECT failures, last_failure_at FROM login_locks WHERE account = $1 AND addr = $2{lock}"))
        .bind(account)
        .bind(addr)
        .fetch_one(&mut *tx)
        .await?;
    let failures = if now - c.last_failure_at < memory { c.failures + 1 } else { 1 };
    q("UPDATE login_locks SET failures = $1, last_failure_at = $2, locked_until = $3 WHERE account = $4 AND addr = $5")
        .bind(failures)
        .bind(now)
        .bind(lock_after(failures, free, now))
        .bind(account)
        .bind(addr)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// A successful login clears its pair (not the address: one good password must not reset the
/// count of an address that tries many accounts).
pub async fn success(db: &Db, account: String, from: ClientAddr) -> Result<(), AppError> {
    let addr = from.key();
    db.write(move |tx| {
        async move {
            q("DELETE FROM login_locks WHERE account = $1 AND addr = $2").bind(account).bind(addr).execute(tx).await?;
            Ok(())
        }
        .boxed()
    })
    .await
}

/// A pair or an address with recent failures, for the administrators' page.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LockRow {
    /// The user name as typed (lower case), or empty for the address as a whole.
    pub account: String,
    pub addr: String,
    pub failures: i64,
    pub last_failure_at: i64,
    pub locked_until: Option<i64>,
    /// The account, when the name is one.
    pub user_id: Option<i64>,
    pub display_name: Option<String>,
    pub org_name: Option<String>,
}

impl LockRow {
    pub fn locked(&self, now: i64) -> bool {
        self.locked_until.is_some_and(|u| u > now)
    }
}

/// Rows locked now or with a failure in the last day, of the accounts in the administrator's
/// scope; the address-wide rows and names that are no account only for a scope over the
/// whole tree.
fn visible(select: &str, scope: &Scope, now: i64) -> Q {
    let base =
        q(format!("{select} FROM login_locks l LEFT JOIN users u ON lower(u.username) = l.account LEFT JOIN orgs o ON o.id = u.org_id WHERE l.failures > 0"))
            .push_bind(" AND (l.locked_until > {}", now)
            .push_bind(" OR l.last_failure_at > {})", now - PAIR_MEMORY_MS);
    scope.filter(base, "u.org_id")
}

const LOCK_COLUMNS: &str = "SELECT l.account, l.addr, l.failures, l.last_failure_at, l.locked_until, u.id AS user_id, u.display_name, o.short_name AS org_name";

/// Locks first, longest first, then the most recent failures.
pub async fn list(db: &Db, scope: &Scope, paging: &Paging) -> Result<Page<LockRow>, AppError> {
    let now = now_ms();
    let total = visible("SELECT COUNT(*)", scope, now).fetch_i64(db).await?;
    let rows: Vec<LockRow> = visible(LOCK_COLUMNS, scope, now)
        .push_bind(" ORDER BY CASE WHEN l.locked_until > {} THEN l.locked_until ELSE 0 END DESC", now)
        .push(&format!(", l.last_failure_at DESC, l.account, l.addr LIMIT {} OFFSET {}", paging.per(), paging.offset()))
        .fetch_all(db)
        .await?;
    Ok(Page::new(rows, paging, total))
}

/// Lift a lock (or forget the failures) of a pair or an address, with an event. A row outside
/// the administrator's scope is not found.
pub async fn lift(db: &Db, actor: Actor, scope: Scope, account: String, addr: String) -> Result<LockRow, AppError> {
    let now = now_ms();
    db.write(move |tx| {
        async move {
            let row: Option<LockRow> = visible(LOCK_COLUMNS, &scope, now)
                .push_bind(" AND l.account = {}", account.as_str())
                .push_bind(" AND l.addr = {}", addr.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            let row = row.ok_or_else(|| AppError::not_found("lock_not_found", "没有这条登录锁定记录，可能已到期或已被解除"))?;
            q("DELETE FROM login_locks WHERE account = $1 AND addr = $2").bind(account.as_str()).bind(addr.as_str()).execute(&mut *tx).await?;
            let what = match &row.display_name {
                Some(name) => format!("账号 {}（{name}）从地址 {addr}", row.account),
                None if row.account.is_empty() => format!("地址 {addr} 的全部账号"),
                None => format!("用户名 {}（不是现有账号）从地址 {addr}", row.account),
            };
            let state = if row.locked(now) { "解除登录锁定" } else { "清除登录失败记录" };
            let summary = format!("{state}：{what}（失败 {} 次）", row.failures);
            let event = match row.user_id {
                Some(uid) => NewEvent::new("user", uid, "login_unlock", summary),
                None => NewEvent::new("login_lock", 0, "login_unlock", summary),
            };
            audit::record(tx, &actor, event).await?;
            Ok(row)
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
    fn a_pair_locks_after_its_free_failures_for_longer_each_time() {
        let now = 1_000_000;
        assert_eq!(lock_after(PAIR_FREE - 1, PAIR_FREE, now), None);
        assert_eq!(lock_after(PAIR_FREE, PAIR_FREE, now), Some(now + BASE_LOCK_MS));
        assert_eq!(lock_after(PAIR_FREE + 1, PAIR_FREE, now), Some(now + 2 * BASE_LOCK_MS));
        assert_eq!(lock_after(PAIR_FREE + 40, PAIR_FREE, now), Some(now + MAX_LOCK_MS));
        assert_eq!(account_key("  ZJJ_Staff "), "zjj_staff");
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
