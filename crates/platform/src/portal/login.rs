//! Phone verification, one question per screen: the mobile number, then the one-time code.
//! A right code opens a citizen session (24 hours) in the same cookie staff sessions use.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;

use super::{FormState, safe_next, with_status};
use crate::auth::MaybeCitizen;
use crate::auth::client::ClientAddr;
use crate::auth::otp::{self, Sent};
use crate::auth::session::{self, SESSION_COOKIE, read_cookie};
use crate::error::{AppError, FieldError};
use crate::privacy::Phone;
use crate::state::AppState;
use crate::web::extract::Query;
use crate::web::form::FormData;
use crate::web::{Ctx, PageError, PortalLayout, redirect_ok, render};

#[derive(Template)]
#[template(path = "portal/login.html")]
struct LoginPage {
    layout: PortalLayout,
    /// 1: the number; 2: the code.
    step: u8,
    /// The number as typed (step 1) or verified (step 2, hidden field).
    phone: String,
    masked: String,
    next: String,
    /// Demo only: the code, since no real SMS is sent.
    demo_code: Option<String>,
    /// A note on step 2 (the code was already sent).
    note: Option<String>,
    form: FormState,
    code_life_min: i64,
    resend_secs: i64,
}

struct LoginView<'a> {
    ctx: &'a Ctx,
    citizen: Option<&'a crate::auth::Citizen>,
    next: String,
}

impl LoginView<'_> {
    fn page(&self, step: u8, phone: &str, masked: String, demo_code: Option<String>, note: Option<String>, errors: Vec<FieldError>) -> LoginPage {
        let title = if step == 1 { "验证手机号" } else { "输入验证码" };
        LoginPage {
            layout: PortalLayout::new(self.ctx, title, self.citizen),
            step,
            phone: phone.to_string(),
            masked,
            next: self.next.clone(),
            demo_code,
            note,
            form: FormState { values: Default::default(), errors },
            code_life_min: otp::CODE_LIFE_MS / 60_000,
            resend_secs: otp::RESEND_AFTER_MS / 1000,
        }
    }
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn form(ctx: Ctx, MaybeCitizen(c): MaybeCitizen, Query(q): Query<NextQuery>) -> Result<Response, PageError> {
    let v = LoginView { ctx: &ctx, citizen: c.as_ref(), next: safe_next(q.next.as_deref()) };
    render(&v.page(1, "", String::new(), None, None, vec![]))
}

/// Step 1 (and "send again" on step 2): send a code to the number.
pub async fn send(State(state): State<AppState>, ctx: Ctx, MaybeCitizen(c): MaybeCitizen, from: ClientAddr, form: FormData) -> Result<Response, PageError> {
    let v = LoginView { ctx: &ctx, citizen: c.as_ref(), next: safe_next(form.get("next")) };
    let raw = form.get("phone").unwrap_or("").trim().to_string();
    let phone = match Phone::parse_mobile(&raw) {
        Ok(p) => p,
        Err(m) => {
            let m = if raw.is_empty() { "请填写手机号码" } else { m };
            let code = if raw.is_empty() { "required" } else { "invalid_phone" };
            return render(&v.page(1, &raw, String::new(), None, None, vec![FieldError::new("phone", code, m)]))
                .map(|r| with_status(r, StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    match otp::send_code(&state.db, state.sms.clone(), phone.clone(), from).await {
        Ok(Sent::New { shown }) => render(&v.page(2, phone.as_str(), phone.masked(), shown, None, vec![])),
        // Sent less than a minute ago: the code already sent still works (the demo shows it again).
        Ok(Sent::Recent { wait_secs, shown }) => {
            let note = format!("验证码已发送，请 {wait_secs} 秒后再试；已收到的验证码在 {} 分钟内仍然有效。", otp::CODE_LIFE_MS / 60_000);
            render(&v.page(2, phone.as_str(), phone.masked(), shown, Some(note), vec![])).map(|r| too_many(r, wait_secs))
        }
        Err(AppError::RateLimited { message, retry_after_secs }) => {
            render(&v.page(1, &raw, String::new(), None, None, vec![FieldError::new("phone", "rate_limited", message)])).map(|r| too_many(r, retry_after_secs))
        }
        Err(e) => Err(e.into()),
    }
}

/// 429 with the time to wait, for people (on the page) and programs (`Retry-After`).
fn too_many(r: Response, secs: u64) -> Response {
    let mut r = with_status(r, StatusCode::TOO_MANY_REQUESTS);
    r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
    r
}

/// Step 2: check the code and open the citizen session.
pub async fn verify(
    State(state): State<AppState>,
    ctx: Ctx,
    MaybeCitizen(c): MaybeCitizen,
    from: ClientAddr,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, PageError> {
    let v = LoginView { ctx: &ctx, citizen: c.as_ref(), next: safe_next(form.get("next")) };
    let phone = match Phone::parse_mobile(form.get("phone").unwrap_or("")) {
        Ok(p) => p,
        Err(m) => {
            return render(&v.page(1, "", String::new(), None, None, vec![FieldError::new("phone", "invalid_phone", m)]))
                .map(|r| with_status(r, StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    let code: String = form.get("code").unwrap_or("").chars().filter(|c| !c.is_whitespace()).collect();
    let bad = |errors: Vec<FieldError>| {
        render(&v.page(2, phone.as_str(), phone.masked(), None, None, errors)).map(|r| with_status(r, StatusCode::UNPROCESSABLE_ENTITY))
    };
    if code.is_empty() {
        return bad(vec![FieldError::new("code", "required", "请输入短信验证码")]);
    }
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return bad(vec![FieldError::new("code", "invalid_code", "验证码是 6 位数字")]);
    }
    match otp::verify_code(&state.db, phone.clone(), code).await {
        Ok(()) => {}
        Err(AppError::Invalid { fields, .. }) => return bad(fields),
        Err(e) => return Err(e.into()),
    }
    // A new session for the verified phone; whatever session this browser had ends.
    if let Some(old) = read_cookie(&headers, SESSION_COOKIE) {
        session::delete(&state.db, old).await?;
    }
    let ip = from.0.map(|a| a.to_string());
    let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_string);
    let token = session::create(&state.db, None, Some(phone.as_str().to_string()), ip, ua).await?;
    let secure = state.config.secure_cookies();
    let mut resp = redirect_ok(&v.next, &format!("手机号 {} 已验证", phone.masked()));
    let h = resp.headers_mut();
    h.append(
        header::SET_COOKIE,
        HeaderValue::from_str(&session::cookie(SESSION_COOKIE, &token, session::CITIZEN_MAX_MS / 1000, secure, "Lax"))
            .map_err(|e| AppError::internal(e.to_string()))?,
    );
    let csrf_cookie = crate::web::csrf::rotate_cookie(&state.csrf_key, secure);
    h.append(header::SET_COOKIE, HeaderValue::from_str(&csrf_cookie).map_err(|e| AppError::internal(e.to_string()))?);
    Ok(resp)
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    if let Some(t) = read_cookie(&headers, SESSION_COOKIE) {
        session::delete(&state.db, t).await?;
    }
    let mut r = redirect_ok("/portal", "已退出，本设备不再保留您的手机号验证");
    if let Ok(v) = HeaderValue::from_str(&session::cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies(), "Lax")) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(r)
}
