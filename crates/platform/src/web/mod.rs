//! The web shell: page layout and navigation, HTML error pages, flash messages, pagination,
//! static assets, security headers, CSRF.

pub mod assets;
pub mod charts;
pub mod csrf;
pub mod extract;
pub mod form;
pub mod next;
pub mod pagination;

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::auth::Staff;
use crate::error::AppError;
use crate::state::AppState;

pub use pagination::{Page, Paging};

/// Percent-encode for a URL query value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A message shown once on the next page.
#[derive(Clone, Debug)]
pub struct Flash {
    pub ok: bool,
    pub text: String,
}

const FLASH_COOKIE: &str = "fazhi_flash";

/// Redirect after a successful POST, with a message for the next page.
pub fn redirect_ok(to: &str, text: &str) -> Response {
    redirect_flash(to, true, text)
}

pub fn redirect_flash(to: &str, ok: bool, text: &str) -> Response {
    let mut r = Redirect::to(to).into_response();
    let text: String = text.chars().take(300).collect();
    let v = format!("{FLASH_COOKIE}={}{}; Path=/; HttpOnly; SameSite=Lax; Max-Age=60", if ok { "1" } else { "0" }, urlencode(&text));
    if let Ok(h) = HeaderValue::from_str(&v) {
        r.headers_mut().append(header::SET_COOKIE, h);
    }
    r
}

/// What every page needs from the request: the CSRF token, a pending flash, the path.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub csrf: String,
    pub flash: Option<Flash>,
    pub path: String,
    pub demo: bool,
    /// The features, for the navigation.
    pub registry: std::sync::Arc<crate::registry::Registry>,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let csrf = parts.extensions.get::<csrf::CsrfToken>().map(|t| t.0.clone()).unwrap_or_default();
        let flash = crate::auth::session::read_cookie(&parts.headers, FLASH_COOKIE).and_then(|v| {
            let (k, rest) = v.split_at_checked(1)?;
            let text = csrf::form_urlencoded_pairs(format!("x={rest}").as_bytes()).pop()?.1;
            Some(Flash { ok: k == "1", text })
        });
        Ok(Ctx { csrf, flash, path: parts.uri.path().to_string(), demo: state.config.server.demo, registry: state.registry.clone() })
    }
}

/// One navigation entry.
#[derive(Clone, Debug)]
pub struct NavItem {
    pub label: &'static str,
    pub href: &'static str,
    pub active: bool,
}

#[derive(Clone, Debug)]
pub struct NavSection {
    pub title: &'static str,
    pub items: Vec<NavItem>,
}

/// The staff layout: top bar, navigation by role, breadcrumbs.
#[derive(Clone, Debug)]
pub struct Layout {
    pub title: String,
    pub csrf: String,
    pub flash: Option<Flash>,
    pub user_name: String,
    pub org_name: String,
    pub roles: String,
    pub nav: Vec<NavSection>,
    pub crumbs: Vec<(String, String)>,
    pub demo: bool,
}

impl Layout {
    pub fn new(staff: &Staff, ctx: &Ctx, title: impl Into<String>) -> Layout {
        Layout {
            title: title.into(),
            csrf: ctx.csrf.clone(),
            flash: ctx.flash.clone(),
            user_name: staff.name.clone(),
            org_name: staff.org_name.clone(),
            roles: staff.role_labels(),
            nav: crate::server::navigation(&ctx.registry, staff, &ctx.path),
            crumbs: Vec::new(),
            demo: ctx.demo,
        }
    }
    pub fn crumb(mut self, label: impl Into<String>, href: impl Into<String>) -> Layout {
        self.crumbs.push((label.into(), href.into()));
        self
    }
}

/// The public portal's layout.
#[derive(Clone, Debug)]
pub struct PortalLayout {
    pub title: String,
    pub csrf: String,
    pub flash: Option<Flash>,
    pub citizen: Option<String>,
    pub demo: bool,
    pub staff_login: bool,
}

impl PortalLayout {
    pub fn new(ctx: &Ctx, title: impl Into<String>, citizen: Option<&crate::auth::Citizen>) -> PortalLayout {
        PortalLayout {
            title: title.into(),
            csrf: ctx.csrf.clone(),
            flash: ctx.flash.clone(),
            citizen: citizen.map(|c| c.phone.masked()),
            demo: ctx.demo,
            staff_login: false,
        }
    }

    /// Show the way in for staff at the top (the home page, which is also the site's root).
    pub fn with_staff_login(mut self) -> PortalLayout {
        self.staff_login = true;
        self
    }
}

/// Render a template into a response.
pub fn render<T: Template>(t: &T) -> Result<Response, PageError> {
    let body = t.render().map_err(AppError::from)?;
    Ok(Html(body).into_response())
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: String,
    code: &'a str,
    basis: &'a [String],
    fields: &'a [crate::error::FieldError],
}

/// An error rendered as an HTML page (for page routes).
#[derive(Debug)]
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = self.0;
        e.log();
        let status = e.status();
        let title = match status {
            StatusCode::NOT_FOUND => "页面或记录不存在",
            StatusCode::FORBIDDEN => "没有权限",
            StatusCode::UNAUTHORIZED => "请先登录",
            StatusCode::CONFLICT => "记录已被修改",
            StatusCode::UNPROCESSABLE_ENTITY => "无法办理",
            StatusCode::BAD_REQUEST => "请求有误",
            StatusCode::METHOD_NOT_ALLOWED => "请求方式有误",
            StatusCode::PAYLOAD_TOO_LARGE => "文件过大",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "文件类型不支持",
            StatusCode::TOO_MANY_REQUESTS => "操作过于频繁",
            _ => "系统错误",
        };
        let page = ErrorPage { status: status.as_u16(), title, message: e.user_message(), code: e.code(), basis: e.basis(), fields: e.field_errors() };
        let body = page.render().unwrap_or_else(|_| format!("<h1>{title}</h1>"));
        (status, Html(body)).into_response()
    }
}

/// 404 for unknown routes: HTML for pages, JSON for the APIs.
pub async fn fallback(uri: axum::http::Uri) -> Response {
    let p = uri.path();
    let e = AppError::not_found("route_not_found", "您访问的页面不存在");
    if p.starts_with("/api/") { e.into_response() } else { PageError(e).into_response() }
}

/// 405 for a method a route does not take, in the same shapes.
pub async fn method_not_allowed(uri: axum::http::Uri, method: axum::http::Method) -> Response {
    let e = AppError::MethodNotAllowed { message: format!("此地址不接受 {method} 请求") };
    if uri.path().starts_with("/api/") { e.into_response() } else { PageError(e).into_response() }
}

/// Security headers on every response. Nothing is cached unless its handler says it may be
/// (the static assets): staff pages, a verified citizen's pages and API answers carry personal
/// data, and a shared computer or a proxy must not keep them.
pub async fn security_headers(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    if !h.contains_key("content-security-policy") {
        h.insert(
            "content-security-policy",
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'",
            ),
        );
    }
    resp
}
