//! All SQL of staff accounts.

use serde::Serialize;

use crate::audit::{self, Actor, Changes, NewEvent};
use crate::auth::password;
use crate::auth::roles::Role;
use crate::db::{Ex, Tx, dialect, q};
use crate::error::{AppError, Check};
use crate::org::queries as orgs;
use crate::time::now_ms;
use crate::web::{Page, Paging};

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct UserRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub active: bool,
    pub must_change_password: bool,
    pub version: i64,
    pub roles: Option<String>,
}

impl UserRow {
    /// Role labels with scopes, for lists.
    pub fn roles_label(&self) -> String {
        self.roles
            .as_deref()
            .unwrap_or("")
            .split(',')
            .filter(|s| !s.is_empty())
            .filter_map(|r| Role::parse(r.split('@').next().unwrap_or("")).map(|role| role.label()))
            .collect::<Vec<_>>()
            .join("、")
    }
    pub fn phone_masked(&self) -> String {
        self.phone.as_deref().map(crate::privacy::mask_phone).unwrap_or_default()
    }
}

const USER_SELECT: &str = "SELECT u.id, u.org_id, o.name AS org_name, u.username, u.display_name, u.phone, u.active, u.must_change_password, u.version, \
    CAST(NULL AS TEXT) AS roles FROM users u JOIN orgs o ON o.id = u.org_id";

/// A page of users, optionally filtered by a name/username search and a unit subtree.
pub async fn list<'a>(ex: impl Into<Ex<'a>>, search: Option<&str>, org_path: Option<&str>, paging: &Paging) -> Result<Page<UserRow>, AppError> {
    let ex = ex.into();
    let Ex::Db(db) = ex else { return Err(AppError::internal("list on pool only")) };
    let mut where_ = q(" WHERE 1=1");
    if let Some(s) = search.map(str::trim).filter(|s| !s.is_empty()) {
        let pat = dialect::contains_pattern(s);
        where_ = where_.push_bind(" AND (u.username LIKE {} ESCAPE '\\'", pat.clone()).push_bind(" OR u.display_name LIKE {} ESCAPE '\\')", pat);
    }
    if let Some(p) = org_path {
        where_ = where_.push_bind(" AND o.path LIKE {} ESCAPE '\\'", format!("{}%", dialect::like_escape(p)));
    }
    let count_sql = format!("SELECT COUNT(*) FROM users u JOIN orgs o ON o.id = u.org_id{}", where_.sql());
    let mut count = q(count_sql);
    let mut list_q = q(format!("{USER_SELECT}{} ORDER BY o.path, u.id LIMIT {} OFFSET {}", where_.sql(), paging.per(), paging.offset()));
    for v in where_args(&where_) {
        count = count.bind(v.clone());
        list_q = list_q.bind(v);
    }
    let total = count.fetch_i64(db).await?;
    let mut items: Vec<UserRow> = list_q.fetch_all(db).await?;
    // The roles of the whole page in one query.
    let ids: Vec<i64> = items.iter().map(|u| u.id).collect();
    let rs: Vec<(i64, String)> = q("SELECT user_id, role FROM user_roles WHERE").push_in("user_id", &ids).push(" ORDER BY role").fetch_all(db).await?;
    for u in &mut items {
        u.roles = Some(rs.iter().filter(|r| r.0 == u.id).map(|r| r.1.as_str()).collect::<Vec<_>>().join(","));
    }
    Ok(Page::new(items, paging, total))
}

fn where_args(q: &crate::db::Q) -> Vec<crate::db::Val> {
    q.args().to_vec()
}

pub async fn get<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Option<UserRow>, AppError> {
    let ex = ex.into();
    let row: Option<UserRow> = match ex {
        Ex::Db(db) => q(format!("{USER_SELECT} WHERE u.id = $1")).bind(id).fetch_optional(db).await?,
        Ex::Tx(tx) => q(format!("{USER_SELECT} WHERE u.id = $1")).bind(id).fetch_optional(tx).await?,
    };
    Ok(row)
}

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct GrantRow {
    pub role: String,
    pub scope_org_id: i64,
    pub scope_name: String,
    pub scope_code: String,
}

pub async fn grants<'a>(ex: impl Into<Ex<'a>>, user_id: i64) -> Result<Vec<GrantRow>, AppError> {
    q("SELECT r.role, r.scope_org_id, o.name AS scope_name, o.code AS scope_code FROM user_roles r JOIN orgs o ON o.id = r.scope_org_id WHERE r.user_id = $1 ORDER BY r.role")
        .bind(user_id)
        .fetch_all(ex)
        .await
}

/// Input for creating or editing an account.
#[derive(Clone, Debug, Default)]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    pub org_code: String,
    pub phone: Option<String>,
    pub active: bool,
    /// (role code, scope org code; empty = the user's own unit)
    pub roles: Vec<(String, String)>,
    pub password: Option<String>,
}

pub fn valid_username(u: &str) -> bool {
    (2..=32).contains(&u.len())
        && u.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
        && u.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
}

struct Valid {
    org_id: i64,
    roles: Vec<(&'static Role, i64)>,
    phone: Option<String>,
}

async fn validate(tx: &mut Tx, input: &UserInput, existing: Option<i64>) -> Result<Valid, AppError> {
    let mut c = Check::new();
    if !valid_username(&input.username) {
        c.add("username", "invalid_username", "用户名须为 2–32 位字母、数字、“_”“.”“-”，以字母开头");
    } else {
        let other = q("SELECT id FROM users WHERE lower(username) = lower($1)").bind(input.username.as_str()).fetch_optional::<(i64,)>(&mut *tx).await?;
        if let Some((oid,)) = other {
            if Some(oid) != existing {
                c.add("username", "duplicate_username", format!("用户名“{}”已被使用", input.username));
            }
        }
    }
    c.text("display_name", "姓名", Some(&input.display_name), 32);
    let org = orgs::by_code(&mut *tx, input.org_code.trim()).await?;
    if org.is_none() {
        c.add("org_code", "org_not_found", format!("所属机构“{}”不存在", input.org_code));
    }
    let phone = match input.phone.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(p) => match crate::privacy::Phone::parse(p) {
            Ok(p) => Some(p.as_str().to_string()),
            Err(m) => {
                c.add("phone", "invalid_phone", m);
                None
            }
        },
        None => None,
    };
    let mut roles = Vec::new();
    for (r, scope) in &input.roles {
        let Some(role) = Role::parse(r) else {
            c.add("roles", "unknown_role", format!("未知角色“{r}”"));
            continue;
        };
        let scope_id = if scope.trim().is_empty() {
            org.as_ref().map(|o| o.id)
        } else {
            match orgs::by_code(&mut *tx, scope.trim()).await? {
                Some(o) => Some(o.id),
                None => {
                    c.add("roles", "scope_not_found", format!("角色“{}”的范围机构“{scope}”不存在", role.label()));
                    None
                }
            }
        };
        if let Some(s) = scope_id {
            if !roles.contains(&(role, s)) {
                roles.push((role, s));
            }
        }
    }
    if input.roles.is_empty() {
        c.add("roles", "required", "请至少授予一个角色");
    }
    if let Some(pw) = &input.password {
        if let Err(m) = password::check_policy(pw, &input.username) {
            c.add("password", "weak_password", m);
        }
    } else if existing.is_none() {
        c.add("password", "required", "请设置初始密码");
    }
    c.finish()?;
    Ok(Valid { org_id: org.map(|o| o.id).unwrap_or(0), roles, phone })
}

async fn write_roles(tx: &mut Tx, user_id: i64, roles: &[(&'static Role, i64)]) -> Result<(), AppError> {
    q("DELETE FROM user_roles WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
    for (r, s) in roles {
        q("INSERT INTO user_roles (user_id, role, scope_org_id) VALUES ($1, $2, $3)").bind(user_id).bind(r.code()).bind(*s).execute(&mut *tx).await?;
    }
    Ok(())
}

fn roles_text(roles: &[(&'static Role, i64)]) -> String {
    roles.iter().map(|(r, s)| format!("{}@{s}", r.label())).collect::<Vec<_>>().join("、")
}

/// Create an account. `password_hash` is computed by the caller (off the async threads).
pub async fn create(tx: &mut Tx, actor: &Actor, input: &UserInput, password_hash: String, must_change: bool) -> Result<i64, AppError> {
    let v = validate(tx, input, None).await?;
    let now = now_ms();
    let id = q("INSERT INTO users (org_id, username, display_name, phone, password_hash, active, must_change_password, version, created_at, updated_at, password_changed_at) VALUES ($1,$2,$3,$4,$5,$6,$7,1,$8,$8,$8) RETURNING id")
        .bind(v.org_id)
        .bind(input.username.trim())
        .bind(input.display_name.trim())
        .bind(v.phone.clone())
        .bind(password_hash)
        .bind(input.active)
        .bind(must_change)
        .bind(now)
        .fetch_i64(&mut *tx)
        .await?;
    write_roles(tx, id, &v.roles).await?;
    audit::record(
        tx,
        actor,
        NewEvent::new("user", id, "create", format!("新建账号 {}", input.username))
            .changes(Changes::new().created("姓名", input.display_name.trim()).created("机构", &input.org_code).created("角色", roles_text(&v.roles))),
    )
    .await?;
    Ok(id)
}

/// Update an account (optimistic concurrency on `version`). A new password, if any, is
/// already hashed.
pub async fn update(tx: &mut Tx, actor: &Actor, id: i64, version: i64, input: &UserInput, new_hash: Option<String>) -> Result<(), AppError> {
    let old = get(&mut *tx, id).await?.ok_or_else(|| AppError::not_found("user_not_found", "账号不存在"))?;
    if old.version != version {
        return Err(AppError::stale());
    }
    let v = validate(tx, input, Some(id)).await?;
    let old_roles: Vec<(&'static Role, i64)> =
        grants(&mut *tx, id).await?.into_iter().filter_map(|g| Role::parse(&g.role).map(|r| (r, g.scope_org_id))).collect();
    let now = now_ms();
    let n = q("UPDATE users SET username = $1, display_name = $2, org_id = $3, phone = $4, active = $5, version = version + 1, updated_at = $6 WHERE id = $7 AND version = $8")
        .bind(input.username.trim())
        .bind(input.display_name.trim())
        .bind(v.org_id)
        .bind(v.phone.clone())
        .bind(input.active)
        .bind(now)
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
    if n != 1 {
        return Err(AppError::stale());
    }
    if let Some(h) = &new_hash {
        q("UPDATE users SET password_hash = $1, must_change_password = TRUE, password_changed_at = $2 WHERE id = $3")
            .bind(h.as_str())
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        q("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
    }
    if !input.active {
        q("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
    }
    write_roles(tx, id, &v.roles).await?;
    let mut changes = Changes::new()
        .set("用户名", &old.username, input.username.trim())
        .set("姓名", &old.display_name, input.display_name.trim())
        .set("机构", old.org_id, v.org_id)
        .set("启用", old.active, input.active)
        .set("角色", roles_text(&old_roles), roles_text(&v.roles));
    if old.phone != v.phone {
        changes = changes.set("电话", old.phone.as_deref().map(crate::privacy::mask_phone), v.phone.as_deref().map(crate::privacy::mask_phone));
    }
    if new_hash.is_some() {
        changes = changes.set("密码", "—", "已重置（下次登录须修改）");
    }
    audit::record(tx, actor, NewEvent::new("user", id, "update", format!("修改账号 {}", input.username)).changes(changes)).await?;
    Ok(())
}
