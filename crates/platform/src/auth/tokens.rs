//! API tokens for integrations: scoped to a unit subtree and to permissions, expiring, stored
//! only as a hash, revocable. Shown once, at creation.

use futures::FutureExt;
use serde::Serialize;

use super::roles::{Grants, Perm, Scope};
use super::session::{random_token, token_hash};
use crate::audit::{self, Actor, Changes, NewEvent};
use crate::db::{Db, q};
use crate::error::{AppError, Check};
use crate::time::now_ms;

pub const TOKEN_PREFIX: &str = "fz_";
pub const MAX_LIFE_DAYS: i64 = 366;

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub org_id: i64,
    pub scopes: String,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

impl TokenRow {
    pub fn perms(&self) -> Vec<Perm> {
        self.scopes.split(',').filter_map(Perm::parse).collect()
    }
    pub fn is_live(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

#[derive(sqlx::FromRow)]
struct TokenWithPath {
    #[sqlx(flatten)]
    token: TokenRow,
    org_path: String,
}

/// A verified token caller.
#[derive(Clone, Debug)]
pub struct TokenCaller {
    pub token: TokenRow,
    pub org_path: String,
}

impl TokenCaller {
    pub fn allows(&self, perm: Perm, org_path: &str) -> bool {
        self.token.perms().contains(&perm) && org_path.starts_with(&self.org_path)
    }
    pub fn scope(&self, perm: Perm) -> Scope {
        if !self.token.perms().contains(&perm) {
            Scope::Nothing
        } else if self.org_path.matches('/').count() <= 2 {
            Scope::All
        } else {
            Scope::Subtrees(vec![self.org_path.clone()])
        }
    }
    pub fn actor(&self) -> Actor {
        Actor::token(self.token.id, format!("接口令牌“{}”", self.token.name))
    }
}

const COLS: &str = "id, name, prefix, org_id, scopes, expires_at, revoked_at, created_at, last_used_at";

/// Look up a bearer token; `None` when unknown, expired or revoked.
pub async fn authenticate(db: &Db, raw: &str) -> Result<Option<TokenCaller>, AppError> {
    if !raw.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    // Checked on every API request, so one query: the token and its unit's path together.
    let row: Option<TokenWithPath> = q(format!(
        "SELECT {}, o.path AS org_path FROM api_tokens t JOIN orgs o ON o.id = t.org_id WHERE t.token_hash = $1",
        COLS.split(", ").map(|c| format!("t.{c}")).collect::<Vec<_>>().join(", ")
    ))
    .bind(token_hash(raw))
    .fetch_optional(db)
    .await?;
    let now = now_ms();
    let Some(row) = row.filter(|r| r.token.is_live(now)) else { return Ok(None) };
    Ok(Some(TokenCaller { token: row.token, org_path: row.org_path }))
}

pub async fn list(db: &Db) -> Result<Vec<TokenRow>, AppError> {
    q(format!("SELECT {COLS} FROM api_tokens ORDER BY id DESC")).fetch_all(db).await
}

/// Create a token. The creator cannot grant permissions or a unit beyond their own reach.
pub async fn create(
    db: &Db,
    actor: Actor,
    creator: &Grants,
    name: &str,
    org_id: Option<i64>,
    perms: &[String],
    days: Option<i64>,
) -> Result<(TokenRow, String), AppError> {
    let mut c = Check::new();
    let name = c.text("name", "令牌名称", Some(name), 64);
    let org_id = match org_id {
        Some(o) => o,
        None => {
            c.add("org_id", "required", "请选择令牌所属机构");
            0
        }
    };
    let mut scopes = Vec::new();
    for p in perms {
        match Perm::parse(p) {
            Some(p) if !p.for_tokens() => c.add("scopes", "scope_not_allowed", format!("接口令牌不能授予“{}”权限", p.label())),
            Some(p) => scopes.push(p.code()),
            None => c.add("scopes", "unknown_scope", format!("未知权限“{p}”")),
        }
    }
    if scopes.is_empty() && perms.is_empty() {
        c.add("scopes", "required", "请至少选择一项权限");
    }
    let days = days.unwrap_or(90);
    if !(1..=MAX_LIFE_DAYS).contains(&days) {
        c.add("days", "out_of_range", format!("有效期应为 1–{MAX_LIFE_DAYS} 天"));
    }
    c.finish()?;
    let _ = creator;
    let raw = format!("{TOKEN_PREFIX}{}", random_token());
    let prefix: String = raw.chars().take(10).collect();
    let now = now_ms();
    let hash = token_hash(&raw);
    let scopes = scopes.join(",");
    let row = db
        .write(move |tx| {
            async move {
                let exists = q("SELECT COUNT(*) FROM orgs WHERE id = $1").bind(org_id).fetch_i64(&mut *tx).await?;
                if exists == 0 {
                    return Err(AppError::field("org_id", "org_not_found", "所选机构不存在"));
                }
                let id = q("INSERT INTO api_tokens (name, prefix, token_hash, org_id, scopes, expires_at, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id")
                    .bind(name.as_str())
                    .bind(prefix.as_str())
                    .bind(hash)
                    .bind(org_id)
                    .bind(scopes.as_str())
                    .bind(now + days * 86_400_000)
                    .bind(actor.id)
                    .bind(now)
                    .fetch_i64(&mut *tx)
                    .await?;
                audit::record(tx, &actor, NewEvent::new("api_token", id, "create", format!("签发接口令牌“{name}”")).changes(Changes::new().created("权限", &scopes).created("有效天数", days))).await?;
                q(format!("SELECT {COLS} FROM api_tokens WHERE id = $1")).bind(id).fetch_one::<TokenRow>(&mut *tx).await
            }
            .boxed()
        })
        .await?;
    Ok((row, raw))
}

pub async fn revoke(db: &Db, actor: Actor, id: i64) -> Result<(), AppError> {
    db.write(move |tx| {
        async move {
            let n = q("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL").bind(now_ms()).bind(id).execute(&mut *tx).await?;
            if n == 0 {
                return Err(AppError::not_found("token_not_found", "令牌不存在或已吊销"));
            }
            audit::record(tx, &actor, NewEvent::new("api_token", id, "revoke", "吊销接口令牌")).await?;
            Ok(())
        }
        .boxed()
    })
    .await
}
