//! CSRF protection for every state-changing page request: a double-submit token. A random token
//! lives in an HttpOnly, SameSite=Strict cookie; every form carries the same token (a hidden
//! `_csrf` field, or `?_csrf=` in the action URL of multipart forms); a POST whose token does not
//! match is refused before any handler runs. Logged-out forms (login, the citizen portal) are
//! covered too, without a session. The token is rotated at login.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::session::{random_token, read_cookie};
use crate::error::AppError;

pub const CSRF_COOKIE: &str = "fazhi_csrf";
pub const CSRF_FIELD: &str = "_csrf";

/// The token of this request, for templates.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

fn valid_format(t: &str) -> bool {
    t.len() >= 32 && t.len() <= 64 && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn field_from_urlencoded(body: &[u8]) -> Option<String> {
    form_urlencoded_pairs(body).into_iter().find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v)
}

/// Minimal `application/x-www-form-urlencoded` decoding.
pub fn form_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    body.split(|b| *b == b'&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let mut it = pair.splitn(2, |b| *b == b'=');
            let k = percent_decode(it.next().unwrap_or(&[]));
            let v = percent_decode(it.next().unwrap_or(&[]));
            (k, v)
        })
        .collect()
}

fn percent_decode(s: &[u8]) -> String {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' if i + 2 < s.len() => {
                let h = std::str::from_utf8(&s[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                match h {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn query_token(req: &Request) -> Option<String> {
    req.uri().query().and_then(|q| form_urlencoded_pairs(q.as_bytes()).into_iter().find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v))
}

/// The middleware for page routes.
pub async fn guard(mut req: Request, next: Next) -> Response {
    let existing = read_cookie(req.headers(), CSRF_COOKIE).filter(|t| valid_format(t)).map(str::to_string);
    let is_write = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if is_write {
        let Some(expected) = existing.clone() else {
            return crate::web::PageError(AppError::forbidden("csrf_failed", "页面已过期或浏览器禁用了 Cookie，请刷新页面后重新提交")).into_response();
        };
        let mut submitted = query_token(&req).or_else(|| req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_string));
        let is_form =
            req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
        if submitted.is_none() && is_form {
            let (parts, body) = req.into_parts();
            let bytes = match to_bytes(body, 4 * 1024 * 1024).await {
                Ok(b) => b,
                Err(_) => return crate::web::PageError(AppError::TooLarge { message: "提交的内容过大".into() }).into_response(),
            };
            submitted = field_from_urlencoded(&bytes);
            req = Request::from_parts(parts, Body::from(bytes));
        }
        match submitted {
            Some(s) if constant_eq(&s, &expected) => {}
            _ => {
                return crate::web::PageError(AppError::forbidden("csrf_failed", "页面已过期（安全校验未通过），请刷新页面后重新提交")).into_response();
            }
        }
    }
    let token = existing.clone().unwrap_or_else(random_token);
    req.extensions_mut().insert(CsrfToken(token.clone()));
    let had_flash = read_cookie(req.headers(), "fazhi_flash").is_some();
    let mut resp = next.run(req).await;
    // A flash message is shown once: the first page rendered after it clears it.
    if had_flash
        && !resp.status().is_redirection()
        && !resp.headers().get_all(header::SET_COOKIE).iter().any(|v| v.to_str().unwrap_or("").starts_with("fazhi_flash="))
    {
        resp.headers_mut().append(header::SET_COOKIE, HeaderValue::from_static("fazhi_flash=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"));
    }
    if existing.is_none() && !resp.headers().get_all(header::SET_COOKIE).iter().any(|v| v.to_str().unwrap_or("").starts_with(CSRF_COOKIE)) {
        let c = format!("{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=86400");
        if let Ok(v) = HeaderValue::from_str(&c) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

/// A fresh token cookie (set at login, so that a token planted before login is useless).
pub fn rotate_cookie(secure: bool) -> (String, String) {
    let t = random_token();
    let mut c = format!("{CSRF_COOKIE}={t}; Path=/; HttpOnly; SameSite=Strict; Max-Age=86400");
    if secure {
        c.push_str("; Secure");
    }
    (t, c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_forms() {
        let p = form_urlencoded_pairs(b"a=1&_csrf=abc%2Bd&name=%E5%BC%A0+%E4%B8%89&bad=%zz&end=%");
        assert_eq!(p[1], ("_csrf".into(), "abc+d".into()));
        assert_eq!(p[2].1, "张 三");
        assert_eq!(p[3].1, "%zz");
        assert_eq!(p[4].1, "%");
    }

    #[test]
    fn compares_in_constant_time_shape() {
        assert!(constant_eq("abc", "abc"));
        assert!(!constant_eq("abc", "abd"));
        assert!(!constant_eq("abc", "ab"));
    }
}
