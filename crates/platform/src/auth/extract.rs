//! Who is asking: axum extractors for staff (session cookie), API callers (bearer token or
//! staff session with a CSRF header) and citizens (session after a one-time code).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};

use super::roles::{Grant, Grants, Perm, Role, Scope};
use super::session::{self, SESSION_COOKIE, read_cookie};
use super::tokens::{self, TokenCaller};
use crate::audit::Actor;
use crate::db::q;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::csrf::{CSRF_HEADER, LoadedSession, token_matches};

/// A logged-in staff member with their grants.
#[derive(Clone, Debug)]
pub struct Staff {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub grants: Grants,
    pub must_change_password: bool,
}

impl Staff {
    pub fn actor(&self) -> Actor {
        Actor::staff(self.id, format!("{}（{}）", self.name, self.org_name))
    }

    pub fn has(&self, perm: Perm) -> bool {
        self.grants.has(perm)
    }

    /// Refuse (403) unless the permission is held somewhere.
    pub fn require(&self, perm: Perm) -> Result<(), AppError> {
        if self.has(perm) { Ok(()) } else { Err(AppError::forbidden("forbidden", format!("您没有“{}”的权限", perm.label()))) }
    }

    pub fn allows(&self, perm: Perm, procedure: Option<&str>, org_path: &str) -> bool {
        self.grants.allows(perm, procedure, org_path)
    }

    pub fn scope(&self, perm: Perm, procedure: Option<&str>) -> Scope {
        self.grants.scope(perm, procedure)
    }

    pub fn role_labels(&self) -> String {
        let mut v: Vec<&str> = self.grants.roles().iter().map(|r| r.label()).collect();
        v.dedup();
        v.join("、")
    }
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    org_id: i64,
    org_name: String,
    org_path: String,
    active: bool,
    must_change_password: bool,
}

#[derive(sqlx::FromRow)]
struct GrantRow {
    role: String,
    scope_org_id: i64,
    path: String,
    name: String,
}

/// Load a user and their grants (no session involved).
pub async fn load_staff(state: &AppState, user_id: i64) -> Result<Option<Staff>, AppError> {
    let u: Option<UserRow> = q("SELECT u.id, u.username, u.display_name, u.org_id, o.name AS org_name, o.path AS org_path, u.active, u.must_change_password FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.id = $1")
        .bind(user_id)
        .fetch_optional(&state.db)
        .await?;
    let Some(u) = u.filter(|u| u.active) else { return Ok(None) };
    let rows: Vec<GrantRow> =
        q("SELECT r.role, r.scope_org_id, o.path, o.name FROM user_roles r JOIN orgs o ON o.id = r.scope_org_id WHERE r.user_id = $1 ORDER BY r.role")
            .bind(user_id)
            .fetch_all(&state.db)
            .await?;
    let grants = rows
        .into_iter()
        .filter_map(|g| Role::parse(&g.role).map(|role| Grant { role, scope_org_id: g.scope_org_id, scope_path: g.path, scope_name: g.name }))
        .collect();
    Ok(Some(Staff {
        id: u.id,
        username: u.username,
        name: u.display_name,
        org_id: u.org_id,
        org_name: u.org_name,
        org_path: u.org_path,
        grants: Grants(grants),
        must_change_password: u.must_change_password,
    }))
}

fn wants_json(parts: &Parts) -> bool {
    let p = parts.uri.path();
    p.starts_with("/api/") || p.starts_with("/open311/")
}

/// Rejection: pages go to the login page, APIs get 401 JSON.
pub enum NeedLogin {
    Page(String),
    Api,
    Error(AppError),
}

impl IntoResponse for NeedLogin {
    fn into_response(self) -> Response {
        match self {
            NeedLogin::Page(next) => Redirect::to(&format!("/login?next={}", crate::web::urlencode(&next))).into_response(),
            NeedLogin::Api => AppError::Unauthenticated.into_response(),
            NeedLogin::Error(e) => crate::web::PageError(e).into_response(),
        }
    }
}

/// The live session of this request: the one the CSRF guard already read (page routes), or
/// read now (API routes).
pub async fn current_session(parts: &Parts, state: &AppState) -> Result<Option<session::SessionRow>, AppError> {
    if let Some(LoadedSession(s)) = parts.extensions.get::<LoadedSession>() {
        return Ok(s.clone());
    }
    match read_cookie(&parts.headers, SESSION_COOKIE) {
        Some(token) => session::load(&state.db, token).await,
        None => Ok(None),
    }
}

async fn staff_from_session(parts: &Parts, state: &AppState) -> Result<Option<Staff>, AppError> {
    Ok(staff_and_session(parts, state).await?.map(|(staff, _)| staff))
}

async fn staff_and_session(parts: &Parts, state: &AppState) -> Result<Option<(Staff, session::SessionRow)>, AppError> {
    let Some(s) = current_session(parts, state).await? else { return Ok(None) };
    let Some(user_id) = s.user_id else { return Ok(None) };
    let Some(staff) = load_staff(state, user_id).await? else { return Ok(None) };
    session::touch(&state.db, &s).await?;
    Ok(Some((staff, s)))
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = NeedLogin;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(s) = parts.extensions.get::<Staff>() {
            return Ok(s.clone());
        }
        match staff_from_session(parts, state).await {
            Ok(Some(s)) => {
                let path = parts.uri.path();
                if s.must_change_password && !wants_json(parts) && path != "/account/password" && path != "/logout" {
                    return Err(NeedLogin::Page("/account/password".into()).force_password());
                }
                parts.extensions.insert(s.clone());
                Ok(s)
            }
            Ok(None) if wants_json(parts) => Err(NeedLogin::Api),
            Ok(None) => {
                let next = parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
                Err(NeedLogin::Page(next))
            }
            Err(e) => Err(NeedLogin::Error(e)),
        }
    }
}

impl NeedLogin {
    fn force_password(self) -> NeedLogin {
        NeedLogin::Error(AppError::forbidden("password_change_required", "首次登录或密码已被重置，请先修改密码"))
    }
}

/// A staff member if logged in, for pages that also work without login.
pub struct MaybeStaff(pub Option<Staff>);

impl FromRequestParts<AppState> for MaybeStaff {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(MaybeStaff(staff_from_session(parts, state).await?))
    }
}

/// A caller of `/api/v1`: an integration with a token, or a staff member's browser session.
#[derive(Clone, Debug)]
pub enum Caller {
    Staff(Staff),
    Token(TokenCaller),
}

impl Caller {
    pub fn allows(&self, perm: Perm, procedure: Option<&str>, org_path: &str) -> bool {
        match self {
            Caller::Staff(s) => s.allows(perm, procedure, org_path),
            Caller::Token(t) => t.allows(perm, org_path),
        }
    }
    pub fn scope(&self, perm: Perm, procedure: Option<&str>) -> Scope {
        match self {
            Caller::Staff(s) => s.scope(perm, procedure),
            Caller::Token(t) => t.scope(perm),
        }
    }
    pub fn has(&self, perm: Perm) -> bool {
        match self {
            Caller::Staff(s) => s.has(perm),
            Caller::Token(t) => t.token.perms().contains(&perm),
        }
    }
    pub fn require(&self, perm: Perm) -> Result<(), AppError> {
        if self.has(perm) { Ok(()) } else { Err(AppError::forbidden("forbidden", format!("没有“{}”的权限", perm.label()))) }
    }
    pub fn actor(&self) -> Actor {
        match self {
            Caller::Staff(s) => s.actor(),
            Caller::Token(t) => t.actor(),
        }
    }
    pub fn staff(&self) -> Option<&Staff> {
        match self {
            Caller::Staff(s) => Some(s),
            Caller::Token(_) => None,
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(auth) = parts.headers.get(axum::http::header::AUTHORIZATION) {
            let v = auth.to_str().unwrap_or("");
            let Some(raw) = v.strip_prefix("Bearer ").map(str::trim) else {
                return Err(AppError::Unauthenticated);
            };
            return match tokens::authenticate(&state.db, raw).await? {
                Some(t) => Ok(Caller::Token(t)),
                None => Err(AppError::forbidden("invalid_token", "接口令牌无效、已过期或已吊销")),
            };
        }
        let (staff, s) = staff_and_session(parts, state).await?.ok_or(AppError::Unauthenticated)?;
        if !matches!(parts.method, axum::http::Method::GET | axum::http::Method::HEAD) {
            // A browser session writing through the API must prove it came from our pages: the
            // header carries the token stored with this session.
            let header = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
            if !token_matches(header, &s.csrf) {
                return Err(AppError::forbidden("csrf_failed", "缺少或错误的 X-CSRF-Token 请求头"));
            }
        }
        Ok(Caller::Staff(staff))
    }
}

/// A citizen who proved their phone with a one-time code.
#[derive(Clone, Debug)]
pub struct Citizen {
    pub phone: crate::privacy::Phone,
}

impl Citizen {
    pub fn actor(&self) -> Actor {
        Actor::citizen(format!("群众 {}", self.phone.masked()))
    }
}

/// The citizen, if one is identified in this browser.
pub struct MaybeCitizen(pub Option<Citizen>);

impl FromRequestParts<AppState> for MaybeCitizen {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(s) = current_session(parts, state).await? else { return Ok(MaybeCitizen(None)) };
        Ok(MaybeCitizen(s.citizen_phone.and_then(|p| crate::privacy::Phone::parse(&p).ok()).map(|phone| Citizen { phone })))
    }
}
