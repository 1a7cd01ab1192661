//! Staff login, logout (here and everywhere) and password change.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use futures::FutureExt;
use serde::Deserialize;

use super::client::ClientAddr;
use super::session::{self, SESSION_COOKIE, read_cookie};
use super::{Staff, password, throttle};
use crate::audit::{self, Actor, NewEvent};
use crate::db::q;
use crate::error::{AppError, FieldError};
use crate::state::AppState;
use crate::web::extract::Query;
use crate::web::form::FormData;
use crate::web::{Ctx, Layout, PageError, redirect_ok, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/logout-all", post(logout_all))
        .route("/account/password", get(password_form).post(change_password))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
    /// In the demo: the accounts to try, and their password.
    demo: bool,
    demo_logins: Vec<(&'static str, &'static str)>,
    demo_password: &'static str,
}

impl LoginPage {
    fn new(ctx: &Ctx, next: String, username: String, error: Option<String>) -> LoginPage {
        LoginPage {
            csrf: ctx.csrf.clone(),
            next,
            username,
            error,
            demo: ctx.demo,
            demo_logins: if ctx.demo { ctx.registry.demo_logins() } else { Vec::new() },
            demo_password: crate::demo::DEMO_PASSWORD,
        }
    }
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only paths of this site (`web::next`): never redirect to another site after login, nor
/// back to the login page.
fn safe_next(n: Option<&str>) -> String {
    n.and_then(crate::web::next::same_site_path).filter(|p| !p.starts_with("/login")).unwrap_or_else(|| "/".to_string())
}

async fn login_form(ctx: Ctx, Query(q): Query<NextQuery>) -> Result<Response, PageError> {
    render(&LoginPage::new(&ctx, safe_next(q.next.as_deref()), String::new(), None))
}

#[derive(sqlx::FromRow)]
struct Cred {
    id: i64,
    password_hash: String,
    active: bool,
    display_name: String,
}

async fn login(State(state): State<AppState>, ctx: Ctx, from: ClientAddr, headers: HeaderMap, form: FormData) -> Result<Response, PageError> {
    let username = form.get("username").unwrap_or("").trim().to_string();
    let pw = form.get("password").unwrap_or("").to_string();
    let next = safe_next(form.get("next"));
    let again = |error: String| {
        render(&LoginPage::new(&ctx, next.clone(), username.clone(), Some(error))).map(|mut r| {
            *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            r
        })
    };
    if username.is_empty() || pw.is_empty() {
        return again("请输入用户名和密码".into());
    }
    if username.chars().count() > 64 || pw.chars().count() > 128 {
        return again("用户名或密码不正确".into());
    }
    let account = throttle::account_key(&username);
    if let Err(e) = throttle::check(&state.db, &account, from).await {
        return again(e.user_message()).map(|mut r| {
            *r.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
            if let AppError::RateLimited { retry_after_secs, .. } = e {
                r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs.max(1)));
            }
            r
        });
    }
    let cred: Option<Cred> = q("SELECT id, password_hash, active, display_name FROM users WHERE lower(username) = lower($1)")
        .bind(username.as_str())
        .fetch_optional(&state.db)
        .await?;
    let hash = cred.as_ref().map(|c| c.password_hash.clone()).unwrap_or_else(|| password::dummy_hash().to_string());
    let pw2 = pw.clone();
    let ok = tokio::task::spawn_blocking(move || password::verify(&pw2, &hash)).await.unwrap_or(false);
    let cred = match cred {
        Some(c) if ok && c.active => c,
        Some(c) if ok && !c.active => return again("该账号已停用，请联系系统管理员".into()),
        _ => {
            throttle::failure(&state.db, account, from).await?;
            return again("用户名或密码不正确".into());
        }
    };
    throttle::success(&state.db, account, from).await?;
    let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_string);
    let token = session::create(&state.db, Some(cred.id), None, from.0.map(|a| a.to_string()), ua).await?;
    let actor = Actor::staff(cred.id, cred.display_name.clone());
    let uid = cred.id;
    state.db.write(move |tx| async move { audit::record(tx, &actor, NewEvent::new("user", uid, "login", "登录")).await.map(|_| ()) }.boxed()).await?;
    let secure = state.config.secure_cookies();
    let mut resp = Redirect::to(&next).into_response();
    let h = resp.headers_mut();
    h.append(
        header::SET_COOKIE,
        HeaderValue::from_str(&session::cookie(SESSION_COOKIE, &token, session::STAFF_MAX_MS / 1000, secure, "Lax"))
            .map_err(|e| AppError::internal(e.to_string()))?,
    );
    let csrf_cookie = crate::web::csrf::rotate_cookie(&state.csrf_key, secure);
    h.append(header::SET_COOKIE, HeaderValue::from_str(&csrf_cookie).map_err(|e| AppError::internal(e.to_string()))?);
    Ok(resp)
}

fn clear_session_cookie(resp: &mut Response, secure: bool) {
    if let Ok(v) = HeaderValue::from_str(&session::cookie(SESSION_COOKIE, "", 0, secure, "Lax")) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    if let Some(t) = read_cookie(&headers, SESSION_COOKIE) {
        session::delete(&state.db, t).await?;
    }
    let mut r = redirect_ok("/login", "您已退出登录");
    clear_session_cookie(&mut r, state.config.secure_cookies());
    Ok(r)
}

async fn logout_all(State(state): State<AppState>, staff: Staff) -> Result<Response, PageError> {
    let uid = staff.id;
    let actor = staff.actor();
    let n = state
        .db
        .write(move |tx| {
            async move {
                let n = q("DELETE FROM sessions WHERE user_id = $1").bind(uid).execute(&mut *tx).await?;
                audit::record(tx, &actor, NewEvent::new("user", uid, "logout_all", format!("退出全部设备（{n} 个会话）"))).await?;
                Ok(n)
            }
            .boxed()
        })
        .await?;
    let mut r = redirect_ok("/login", &format!("已在全部 {n} 个设备上退出登录"));
    clear_session_cookie(&mut r, state.config.secure_cookies());
    Ok(r)
}

#[derive(Template)]
#[template(path = "account/password.html")]
struct PasswordPage {
    layout: Layout,
    errors: Vec<FieldError>,
    forced: bool,
}

async fn password_form(staff: Staff, ctx: Ctx) -> Result<Response, PageError> {
    let forced = staff.must_change_password;
    render(&PasswordPage { layout: Layout::new(&staff, &ctx, "修改密码"), errors: vec![], forced })
}

async fn change_password(State(state): State<AppState>, staff: Staff, ctx: Ctx, headers: HeaderMap, form: FormData) -> Result<Response, PageError> {
    let old = form.get("old_password").unwrap_or("").to_string();
    let new = form.get("new_password").unwrap_or("").to_string();
    let again = form.get("new_password2").unwrap_or("").to_string();
    let (hash,): (String,) = q("SELECT password_hash FROM users WHERE id = $1").bind(staff.id).fetch_one(&state.db).await?;
    let old2 = old.clone();
    let ok = tokio::task::spawn_blocking(move || password::verify(&old2, &hash)).await.unwrap_or(false);
    let mut errors = Vec::new();
    if !ok {
        errors.push(FieldError::new("old_password", "wrong_password", "当前密码不正确"));
    }
    if let Err(m) = password::check_policy(&new, &staff.username) {
        errors.push(FieldError::new("new_password", "weak_password", m));
    } else if new == old {
        errors.push(FieldError::new("new_password", "same_password", "新密码不能与当前密码相同"));
    }
    if new != again {
        errors.push(FieldError::new("new_password2", "mismatch", "两次输入的新密码不一致"));
    }
    if !errors.is_empty() {
        let forced = staff.must_change_password;
        let mut r = render(&PasswordPage { layout: Layout::new(&staff, &ctx, "修改密码"), errors, forced })?;
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(r);
    }
    let new_hash = tokio::task::spawn_blocking(move || password::hash(&new)).await.map_err(|e| AppError::internal(e.to_string()))??;
    let uid = staff.id;
    let actor = staff.actor();
    let keep = read_cookie(&headers, SESSION_COOKIE).map(session::token_hash).unwrap_or_default();
    state
        .db
        .write(move |tx| {
            async move {
                q("UPDATE users SET password_hash = $1, must_change_password = FALSE, password_changed_at = $2, version = version + 1, updated_at = $2 WHERE id = $3")
                    .bind(new_hash)
                    .bind(crate::time::now_ms())
                    .bind(uid)
                    .execute(&mut *tx)
                    .await?;
                // Other sessions end: a stolen session does not survive a password change.
                q("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2").bind(uid).bind(keep).execute(&mut *tx).await?;
                audit::record(tx, &actor, NewEvent::new("user", uid, "password_change", "修改密码")).await?;
                Ok(())
            }
            .boxed()
        })
        .await?;
    Ok(redirect_ok("/", "密码已修改，其他设备上的登录已失效"))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_site() {
        assert_eq!(safe_next(Some("/hotline/tickets?x=1")), "/hotline/tickets?x=1");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/x\nLocation: //evil.example")), "/");
        assert_eq!(safe_next(Some("/login?next=/")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
