//! Sessions in the database (so that any instance can serve any request): a random id in an
//! HttpOnly, SameSite=Lax cookie (Secure over HTTPS), stored only as its SHA-256. A new id is
//! issued at every login; logging out everywhere deletes every session of the user.

use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::db::{Db, Ex, q};
use crate::error::AppError;
use crate::time::now_ms;

pub const SESSION_COOKIE: &str = "fazhi_sid";
/// Idle time after which a staff session ends.
pub const STAFF_IDLE_MS: i64 = 2 * 3600 * 1000;
/// Longest life of a staff session.
pub const STAFF_MAX_MS: i64 = 12 * 3600 * 1000;
/// Life of a citizen session (phone verified by one-time code).
pub const CITIZEN_MAX_MS: i64 = 24 * 3600 * 1000;

/// A new random token (32 bytes, URL-safe base64).
pub fn random_token() -> String {
    use base64::Engine;
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SessionRow {
    pub id_hash: String,
    pub user_id: Option<i64>,
    pub citizen_phone: Option<String>,
    pub csrf: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub last_seen_at: i64,
}

/// Create a session; returns the cookie value.
pub async fn create(db: &Db, user_id: Option<i64>, citizen_phone: Option<String>, ip: Option<String>, ua: Option<String>) -> Result<String, AppError> {
    let token = random_token();
    let id_hash = token_hash(&token);
    let now = now_ms();
    let life = if user_id.is_some() { STAFF_MAX_MS } else { CITIZEN_MAX_MS };
    db.write(move |tx| {
        Box::pin(async move {
            q("INSERT INTO sessions (id_hash, user_id, citizen_phone, csrf, created_at, expires_at, last_seen_at, ip, user_agent) VALUES ($1,$2,$3,$4,$5,$6,$5,$7,$8)")
                .bind(id_hash)
                .bind(user_id)
                .bind(citizen_phone)
                .bind(random_token())
                .bind(now)
                .bind(now + life)
                .bind(ip)
                .bind(ua.map(|u| u.chars().take(200).collect::<String>()))
                .execute(tx)
                .await?;
            Ok(())
        })
    })
    .await?;
    Ok(token)
}

/// Look up a live session by its cookie value.
pub async fn load<'a>(ex: impl Into<Ex<'a>>, token: &str) -> Result<Option<SessionRow>, AppError> {
    let row: Option<SessionRow> = q("SELECT id_hash, user_id, citizen_phone, csrf, created_at, expires_at, last_seen_at FROM sessions WHERE id_hash = $1")
        .bind(token_hash(token))
        .fetch_optional(ex)
        .await?;
    let now = now_ms();
    Ok(row.filter(|s| s.expires_at > now && (s.user_id.is_none() || now - s.last_seen_at < STAFF_IDLE_MS)))
}

/// Note activity (at most once a minute, to keep writes off the read path).
pub async fn touch(db: &Db, s: &SessionRow) -> Result<(), AppError> {
    let now = now_ms();
    if now - s.last_seen_at < 60_000 {
        return Ok(());
    }
    let id = s.id_hash.clone();
    db.write(move |tx| {
        Box::pin(async move {
            q("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2").bind(now).bind(id).execute(tx).await?;
            Ok(())
        })
    })
    .await
}

pub async fn delete(db: &Db, token: &str) -> Result<(), AppError> {
    let h = token_hash(token);
    db.write(move |tx| {
        Box::pin(async move {
            q("DELETE FROM sessions WHERE id_hash = $1").bind(h).execute(tx).await?;
            Ok(())
        })
    })
    .await
}

/// Build the Set-Cookie header value.
pub fn cookie(name: &str, value: &str, max_age_secs: i64, secure: bool, same_site: &str) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={max_age_secs}");
    if secure {
        c.push_str("; Secure");
    }
    c
}

/// Read one cookie from a Cookie header.
pub fn read_cookie<'h>(headers: &'h axum::http::HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}
