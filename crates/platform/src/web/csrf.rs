//! CSRF protection for every state-changing page request. Every form carries a token (a hidden
//! `_csrf` field, in urlencoded and multipart forms alike; or an `X-CSRF-Token` header), and a
//! POST whose token is not the one this server gave to this browser is refused before any
//! handler runs. The token is bound to something an attacker cannot choose:
//!
//! - with a session (staff or citizen), it is the random token stored with the session
//!   (`sessions.csrf`): a new one at every login, gone at logout;
//! - without one (the login page, the portal's phone check), it is derived with the server's key
//!   from a pre-session cookie that the server issued and signed (`fazhi_csrf`, HttpOnly,
//!   SameSite=Strict, a day long). A cookie the server did not sign is ignored and replaced,
//!   so a cookie and token made up by an attacker are refused.
//!
//! No URL carries the token: a query string ends up in the address bar, the history and logs.
//! The session found here is handed on to the extractors, so a page reads it once.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::auth::session::{self, SESSION_COOKIE, SessionRow, read_cookie};
use crate::error::AppError;
use crate::state::AppState;
use crate::time::now_ms;

pub const CSRF_COOKIE: &str = "fazhi_csrf";
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// How long a pre-session cookie is honoured (and kept by the browser).
const ANON_LIFE_MS: i64 = 24 * 3600 * 1000;

/// The token of this request, for templates.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

/// The session the guard looked up for this request (`None`: no live session), so that the
/// extractors do not read it again.
#[derive(Clone, Debug)]
pub struct LoadedSession(pub Option<SessionRow>);

/// The server's key for CSRF tokens: kept in the database (`server_keys`) so that every
/// instance signs and checks alike. Never printed.
#[derive(Clone)]
pub struct CsrfKey([u8; 32]);

impl std::fmt::Debug for CsrfKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsrfKey(***)")
    }
}

impl CsrfKey {
    pub fn new(bytes: [u8; 32]) -> CsrfKey {
        CsrfKey(bytes)
    }

    fn mac(&self, purpose: &str, parts: &[&str]) -> [u8; 32] {
        // HMAC takes a key of any length: this cannot fail.
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC key");
        m.update(purpose.as_bytes());
        for p in parts {
            m.update(b"\x00");
            m.update(p.as_bytes());
        }
        m.finalize().into_bytes().into()
    }

    /// A new pre-session cookie value, `{issued ms}.{nonce}.{signature}`, and its nonce.
    pub fn issue_anon(&self, now: i64) -> (String, String) {
        let nonce = session::random_token();
        let at = now.to_string();
        let sig = B64.encode(&self.mac("csrf-cookie", &[&at, &nonce])[..18]);
        (format!("{at}.{nonce}.{sig}"), nonce)
    }

    /// The cookie's nonce, if this server signed it and it is still young.
    pub fn verify_anon<'a>(&self, cookie: &'a str, now: i64) -> Option<&'a str> {
        let mut it = cookie.splitn(3, '.');
        let (at, nonce, sig) = (it.next()?, it.next()?, it.next()?);
        let issued: i64 = at.parse().ok()?;
        if !(0..ANON_LIFE_MS).contains(&(now - issued)) {
            return None;
        }
        let want = B64.encode(&self.mac("csrf-cookie", &[at, nonce])[..18]);
        constant_eq(sig, &want).then_some(nonce)
    }

    /// The form token that goes with a pre-session cookie's nonce.
    pub fn anon_token(&self, nonce: &str) -> String {
        B64.encode(self.mac("csrf-form", &[nonce]))
    }
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Do these two tokens match (in constant time)?
pub fn token_matches(submitted: &str, expected: &str) -> bool {
    !expected.is_empty() && constant_eq(submitted, expected)
}

fn field_from_urlencoded(body: &[u8]) -> Option<String> {
    form_urlencoded_pairs(body).into_iter().find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v)
}

/// The `_csrf` text field of a `multipart/form-data` body.
fn field_from_multipart(body: &[u8], boundary: &str) -> Option<String> {
    let delim = format!("--{boundary}");
    let d = delim.as_bytes();
    let mut rest = body;
    while let Some(i) = find(rest, d) {
        rest = &rest[i + d.len()..];
        let Some(end) = find(rest, d) else { break };
        let part = &rest[..end];
        let Some(h) = find(part, b"\r\n\r\n") else { continue };
        let headers = String::from_utf8_lossy(&part[..h]).to_ascii_lowercase();
        let disposition = headers.lines().find(|l| l.trim_start().starts_with("content-disposition:")).unwrap_or("");
        let named = disposition.split(';').any(|p| matches!(p.trim(), "name=\"_csrf\"" | "name=_csrf"));
        if named && !disposition.contains("filename") {
            let value = part[h + 4..].strip_suffix(b"\r\n").unwrap_or(&part[h + 4..]);
            return std::str::from_utf8(value).ok().map(str::to_string);
        }
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn boundary(content_type: &str) -> Option<String> {
    content_type
        .split(';')
        .find_map(|p| p.trim().split_once('=').filter(|(k, _)| k.eq_ignore_ascii_case("boundary")))
        .map(|(_, b)| b.trim_matches('"').to_string())
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

fn refused(message: &str) -> Response {
    crate::web::PageError(AppError::forbidden("csrf_failed", message)).into_response()
}

/// The token a write must carry: from the header, or from the body of a form (the body is
/// read and put back for the handler).
async fn submitted(req: Request, limit: usize) -> Result<(Request, Option<String>), Response> {
    if let Some(t) = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        let t = t.to_string();
        return Ok((req, Some(t)));
    }
    // The boundary is case-sensitive: only the media type is compared without case.
    let ct = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let media = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let multipart = media == "multipart/form-data";
    if !multipart && media != "application/x-www-form-urlencoded" {
        return Ok((req, None));
    }
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => return Err(crate::web::PageError(AppError::TooLarge { message: "提交的内容过大".into() }).into_response()),
    };
    let token = if multipart { boundary(&ct).and_then(|b| field_from_multipart(&bytes, &b)) } else { field_from_urlencoded(&bytes) };
    Ok((Request::from_parts(parts, Body::from(bytes)), token))
}

/// The middleware for page routes.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let now = now_ms();
    let key = &state.csrf_key;
    let live = match read_cookie(req.headers(), SESSION_COOKIE) {
        Some(t) => match session::load(&state.db, t).await {
            Ok(s) => s,
            Err(e) => return crate::web::PageError(e).into_response(),
        },
        None => None,
    };
    let anon = read_cookie(req.headers(), CSRF_COOKIE).and_then(|c| key.verify_anon(c, now)).map(str::to_string);
    let expected = match (&live, &anon) {
        (Some(s), _) => Some(s.csrf.clone()),
        (None, Some(nonce)) => Some(key.anon_token(nonce)),
        (None, None) => None,
    };
    let mut req = req;
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        let Some(expected) = expected.clone() else {
            return refused("页面已过期或浏览器禁用了 Cookie，请刷新页面后重新提交");
        };
        let limit = (state.config.server.max_upload_mb as usize).max(4) * 1024 * 1024;
        let (r, token) = match submitted(req, limit).await {
            Ok(x) => x,
            Err(resp) => return resp,
        };
        req = r;
        if !token.is_some_and(|t| token_matches(&t, &expected)) {
            return refused("页面已过期（安全校验未通过），请刷新页面后重新提交");
        }
    }
    // A browser without a valid pre-session cookie gets one, whether or not it has a session:
    // it needs one again after logging out.
    let new_cookie = anon.is_none().then(|| key.issue_anon(now));
    let token = match (&expected, &new_cookie) {
        (Some(t), _) => t.clone(),
        (None, Some((_, nonce))) => key.anon_token(nonce),
        (None, None) => String::new(),
    };
    req.extensions_mut().insert(CsrfToken(token));
    req.extensions_mut().insert(LoadedSession(live));
    let had_flash = read_cookie(req.headers(), "fazhi_flash").is_some();
    let mut resp = next.run(req).await;
    // A flash message is shown once: the first page rendered after it clears it.
    if had_flash
        && !resp.status().is_redirection()
        && !resp.headers().get_all(header::SET_COOKIE).iter().any(|v| v.to_str().unwrap_or("").starts_with("fazhi_flash="))
    {
        resp.headers_mut().append(header::SET_COOKIE, HeaderValue::from_static("fazhi_flash=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"));
    }
    if let Some((c, _)) = new_cookie {
        if !resp.headers().get_all(header::SET_COOKIE).iter().any(|v| v.to_str().unwrap_or("").starts_with(CSRF_COOKIE)) {
            if let Ok(v) = HeaderValue::from_str(&anon_cookie(&c, state.config.secure_cookies())) {
                resp.headers_mut().append(header::SET_COOKIE, v);
            }
        }
    }
    resp
}

fn anon_cookie(value: &str, secure: bool) -> String {
    let mut c = format!("{CSRF_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}", ANON_LIFE_MS / 1000);
    if secure {
        c.push_str("; Secure");
    }
    c
}

/// A fresh pre-session cookie (set at login and at the phone check, so that a cookie planted
/// before is gone when the session ends).
pub fn rotate_cookie(key: &CsrfKey, secure: bool) -> String {
    anon_cookie(&key.issue_anon(now_ms()).0, secure)
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
        assert!(!token_matches("", ""), "an empty expectation matches nothing");
    }

    #[test]
    fn reads_the_token_from_a_multipart_body() {
        let b = "XyZ";
        let body = format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n_csrf\r\n\
             --{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"_csrf\"\r\nContent-Type: text/plain\r\n\r\nname=\"_csrf\"\r\n\
             --{b}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\ntok-123\r\n--{b}--\r\n"
        );
        assert_eq!(field_from_multipart(body.as_bytes(), b).as_deref(), Some("tok-123"));
        assert_eq!(boundary("multipart/form-data; boundary=\"XyZ\"").as_deref(), Some("XyZ"));
        assert_eq!(boundary("Multipart/Form-Data; Boundary=XyZ").as_deref(), Some("XyZ"));
        let none = format!("--{b}\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--{b}--\r\n");
        assert_eq!(field_from_multipart(none.as_bytes(), b), None);
    }

    #[test]
    fn only_cookies_this_server_signed_count() {
        let key = CsrfKey::new([7; 32]);
        let now = 1_800_000_000_000;
        let (c, issued) = key.issue_anon(now);
        let nonce = key.verify_anon(&c, now + 1000).expect("own cookie");
        assert_eq!(nonce, issued);
        assert_eq!(key.anon_token(nonce).len(), 43);
        // Another key, a changed nonce, a made-up cookie and an old cookie are all refused.
        assert_eq!(CsrfKey::new([8; 32]).verify_anon(&c, now), None);
        let (at, rest) = c.split_once('.').unwrap();
        let (_, sig) = rest.split_once('.').unwrap();
        assert_eq!(key.verify_anon(&format!("{at}.{}.{sig}", "a".repeat(43)), now), None);
        assert_eq!(key.verify_anon(&"t".repeat(40), now), None);
        assert_eq!(key.verify_anon(&c, now + ANON_LIFE_MS), None);
        assert_eq!(format!("{key:?}"), "CsrfKey(***)");
    }
}
