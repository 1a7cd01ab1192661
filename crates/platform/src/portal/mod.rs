//! The citizens' public portal (`/portal`), its shell: phone first, no passwords. A citizen proves
//! a mobile number with a one-time code; the home page lists what each feature offers
//! (`Feature::portal`), and the features bring their own pages (the hotline's reports, letters
//! and tracking; 政务公开's search and applications). Nothing of the staff side shows here.

pub(crate) mod home;
mod login;

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::auth::{Citizen, MaybeCitizen};
use crate::error::FieldError;
use crate::state::AppState;
use crate::web::form::FormData;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal", get(home::home))
        .route("/portal/login", get(login::form))
        .route("/portal/login/send", post(login::send))
        .route("/portal/login/verify", post(login::verify))
        .route("/portal/logout", post(login::logout))
}

/// A citizen whose phone is verified in this browser; otherwise the request goes to the
/// phone check and comes back to the page it came from.
pub struct VerifiedCitizen(pub Citizen);

impl FromRequestParts<AppState> for VerifiedCitizen {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let MaybeCitizen(c) = MaybeCitizen::from_request_parts(parts, state).await.map_err(|e| crate::web::PageError(e).into_response())?;
        match c {
            Some(c) => Ok(VerifiedCitizen(c)),
            None => {
                // Back to the page after the check; a form post comes back to its (empty) form.
                let next = if parts.method == axum::http::Method::GET {
                    parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/portal".into())
                } else {
                    parts.uri.path().to_string()
                };
                Err(Redirect::to(&format!("/portal/login?next={}", crate::web::urlencode(&safe_next(Some(&next))))).into_response())
            }
        }
    }
}

/// Where to go after the phone check: only pages of the portal itself.
pub fn safe_next(n: Option<&str>) -> String {
    n.and_then(crate::web::next::same_site_path)
        .filter(|p| (p == "/portal" || p.starts_with("/portal/") || p.starts_with("/portal?")) && !p.starts_with("/portal/login"))
        .unwrap_or_else(|| "/portal".to_string())
}

/// A form as submitted, with its errors, for re-rendering with the values kept.
#[derive(Clone, Debug, Default)]
pub struct FormState {
    pub values: BTreeMap<String, String>,
    pub errors: Vec<FieldError>,
}

impl FormState {
    pub fn from_form(f: &FormData) -> FormState {
        FormState { values: f.0.iter().filter(|(k, _)| k != "_csrf").cloned().collect(), errors: vec![] }
    }
    pub fn with(mut self, k: &str, v: impl Into<String>) -> FormState {
        self.values.insert(k.to_string(), v.into());
        self
    }
    pub fn v(&self, k: &str) -> String {
        self.values.get(k).cloned().unwrap_or_default()
    }
    pub fn is(&self, k: &str, v: &str) -> bool {
        self.values.get(k).map(String::as_str) == Some(v)
    }
    pub fn checked(&self, k: &str) -> bool {
        matches!(self.values.get(k).map(String::as_str), Some("1" | "on" | "true"))
    }
    pub fn has_err(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }
    /// The messages on one field, joined.
    pub fn err(&self, field: &str) -> String {
        self.errors.iter().filter(|e| e.field == field).map(|e| e.message.as_str()).collect::<Vec<_>>().join("；")
    }
    pub fn bad(&self) -> bool {
        !self.errors.is_empty()
    }
    /// List the errors in the order the fields appear on the form (others last).
    pub fn order(&mut self, fields: &[&str]) {
        let rank = |f: &str| fields.iter().position(|x| *x == f || (x.ends_with('[') && f.starts_with(*x))).unwrap_or(fields.len());
        self.errors.sort_by_key(|e| rank(&e.field));
    }
}

/// `2026-03-05 14:20` from the API's ISO time.
pub fn iso_to_display(s: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(s).map(|d| d.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_else(|_| s.to_string())
}

/// `2026年3月5日` from a stored date.
pub fn date_cn(s: &str) -> String {
    crate::time::parse_date(s).map(crate::time::fmt_date_cn).unwrap_or_else(|| s.to_string())
}

/// Set a status on a rendered page.
pub fn with_status(mut r: Response, status: axum::http::StatusCode) -> Response {
    *r.status_mut() = status;
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_in_the_portal() {
        assert_eq!(safe_next(Some("/portal/report")), "/portal/report");
        assert_eq!(safe_next(Some("/portal/track/2026000001")), "/portal/track/2026000001");
        assert_eq!(safe_next(Some("/portal")), "/portal");
        assert_eq!(safe_next(Some("//evil.example/portal")), "/portal");
        assert_eq!(safe_next(Some("https://evil.example/portal")), "/portal");
        assert_eq!(safe_next(Some("/portalx")), "/portal");
        assert_eq!(safe_next(Some("/portal/login?next=/portal")), "/portal");
        assert_eq!(safe_next(Some("/admin/users")), "/portal");
        assert_eq!(safe_next(Some("/portal/\\evil")), "/portal");
        assert_eq!(safe_next(Some("/portal/\t/evil")), "/portal");
        assert_eq!(safe_next(Some("/portal/x\r\nSet-Cookie: a=b")), "/portal");
        assert_eq!(safe_next(None), "/portal");
    }

    #[test]
    fn form_state_keeps_values_and_errors() {
        let f = FormData(vec![("a".into(), "1".into()), ("_csrf".into(), "x".into()), ("b".into(), "on".into())]);
        let mut s = FormState::from_form(&f);
        s.errors.push(FieldError::new("a", "bad", "错一"));
        s.errors.push(FieldError::new("a", "bad2", "错二"));
        assert_eq!(s.v("a"), "1");
        assert_eq!(s.v("_csrf"), "");
        assert!(s.checked("b"));
        assert_eq!(s.err("a"), "错一；错二");
        assert!(s.has_err("a") && !s.has_err("b"));
        s.errors.push(FieldError::new("attribute[plate]", "required", "车牌"));
        s.errors.insert(0, FieldError::new("photos", "bad", "照片"));
        s.order(&["attribute[", "a", "photos"]);
        let order: Vec<&str> = s.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(order, ["attribute[plate]", "a", "a", "photos"]);
        assert_eq!(iso_to_display("2026-03-05T14:20:09+08:00"), "2026-03-05 14:20");
        assert_eq!(date_cn("2026-03-05"), "2026年3月5日");
    }
}
