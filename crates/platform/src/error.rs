//! One error type for the whole application, one JSON shape for the API
//! (`{"code", "message", "fields": [{"field","code","message"}], "basis": [..]}`), and the
//! mapping to HTTP status codes in one `match`. Messages are Chinese and meant for the user;
//! codes are stable and meant for programs. Internal errors are logged with an id and never
//! shown in detail.

use std::borrow::Cow;

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

type Code = Cow<'static, str>;

/// An error on one input field.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FieldError {
    pub field: String,
    pub code: Code,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: impl Into<Code>, message: impl Into<String>) -> Self {
        FieldError { field: field.into(), code: code.into(), message: message.into() }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the request itself is malformed (wrong type, unreadable body).
    #[error("{message}")]
    BadRequest { code: Code, message: String, fields: Vec<FieldError> },
    /// 422: well-formed but invalid input, with the fields concerned.
    #[error("{message}")]
    Invalid { code: Code, message: String, fields: Vec<FieldError> },
    /// 422: a procedural step refused by the law-as-code kernel, citing its basis.
    #[error("{message}")]
    Refused { code: Code, message: String, basis: Vec<String>, fields: Vec<FieldError> },
    /// 401
    #[error("请先登录")]
    Unauthenticated,
    /// 403
    #[error("{message}")]
    Forbidden { code: Code, message: String },
    /// 404 (also for records of another unit: their existence is not disclosed)
    #[error("{message}")]
    NotFound { code: Code, message: String },
    /// 405: the address exists, the method does not.
    #[error("{message}")]
    MethodNotAllowed { message: String },
    /// 409: stale version or duplicate.
    #[error("{message}")]
    Conflict { code: Code, message: String },
    /// 413
    #[error("{message}")]
    TooLarge { message: String },
    /// 415
    #[error("{message}")]
    UnsupportedMedia { message: String },
    /// 429
    #[error("{message}")]
    RateLimited { message: String, retry_after_secs: u64 },
    /// 500: details go to the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

#[derive(Serialize)]
pub struct ErrorBody<'a> {
    pub code: &'a str,
    pub message: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub fields: &'a [FieldError],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub basis: &'a [String],
}

impl AppError {
    pub fn internal(msg: impl Into<String>) -> Self {
        AppError::Internal(msg.into())
    }
    pub fn not_found(code: impl Into<Code>, message: impl Into<String>) -> Self {
        AppError::NotFound { code: code.into(), message: message.into() }
    }
    pub fn forbidden(code: impl Into<Code>, message: impl Into<String>) -> Self {
        AppError::Forbidden { code: code.into(), message: message.into() }
    }
    pub fn conflict(code: impl Into<Code>, message: impl Into<String>) -> Self {
        AppError::Conflict { code: code.into(), message: message.into() }
    }
    pub fn bad_request(code: impl Into<Code>, message: impl Into<String>) -> Self {
        AppError::BadRequest { code: code.into(), message: message.into(), fields: vec![] }
    }
    /// A single invalid field.
    pub fn field(field: impl Into<String>, code: impl Into<Code>, message: impl Into<String>) -> Self {
        let fe = FieldError::new(field, code, message);
        AppError::Invalid { code: fe.code.clone(), message: fe.message.clone(), fields: vec![fe] }
    }
    /// Several invalid fields; the first one's message is the summary.
    pub fn fields(fields: Vec<FieldError>) -> Self {
        let message = match fields.as_slice() {
            [] => "输入有误".to_string(),
            [one] => one.message.clone(),
            [first, ..] => format!("{}（另有 {} 处输入有误）", first.message, fields.len() - 1),
        };
        AppError::Invalid { code: "validation_failed".into(), message, fields }
    }
    /// The stale-version conflict every editable record uses.
    pub fn stale() -> Self {
        AppError::conflict("stale_version", "该记录已被他人修改，您看到的是旧版本。请刷新页面查看最新内容后再操作。")
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Invalid { .. } | AppError::Refused { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden { .. } => StatusCode::FORBIDDEN,
            AppError::NotFound { .. } => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMedia { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &str {
        match self {
            AppError::BadRequest { code, .. }
            | AppError::Invalid { code, .. }
            | AppError::Refused { code, .. }
            | AppError::Forbidden { code, .. }
            | AppError::NotFound { code, .. }
            | AppError::Conflict { code, .. } => code,
            AppError::Unauthenticated => "unauthenticated",
            AppError::MethodNotAllowed { .. } => "method_not_allowed",
            AppError::TooLarge { .. } => "payload_too_large",
            AppError::UnsupportedMedia { .. } => "unsupported_media_type",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Internal(_) => "internal_error",
        }
    }

    /// The message shown to the user (never the internal detail).
    pub fn user_message(&self) -> String {
        match self {
            AppError::Internal(_) => "系统内部错误，操作未完成，数据未作任何修改。请稍后重试；如持续出现请联系管理员。".into(),
            other => other.to_string(),
        }
    }

    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            AppError::BadRequest { fields, .. } | AppError::Invalid { fields, .. } | AppError::Refused { fields, .. } => fields,
            _ => &[],
        }
    }

    pub fn basis(&self) -> &[String] {
        match self {
            AppError::Refused { basis, .. } => basis,
            _ => &[],
        }
    }

    /// Log internal errors (once, where they become a response).
    pub fn log(&self) {
        if let AppError::Internal(detail) = self {
            tracing::error!(error = %detail, "internal error");
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let status = self.status();
        let message = self.user_message();
        let body = ErrorBody { code: self.code(), message: &message, fields: self.field_errors(), basis: self.basis() };
        let mut resp = (status, axum::Json(&body)).into_response();
        if let AppError::RateLimited { retry_after_secs, .. } = &self {
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                resp.headers_mut().insert("retry-after", v);
            }
        }
        resp
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            match db.kind() {
                sqlx::error::ErrorKind::UniqueViolation => {
                    return AppError::conflict("duplicate", "记录重复：已存在相同的记录");
                }
                sqlx::error::ErrorKind::ForeignKeyViolation => {
                    return AppError::Invalid { code: "reference_missing".into(), message: "引用的记录不存在或已被删除".into(), fields: vec![] };
                }
                _ => {}
            }
        }
        AppError::Internal(format!("database: {e}"))
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        AppError::Internal(format!("{e:#}"))
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        AppError::Internal(format!("io: {e}"))
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// Collects field errors while a form or a JSON body is parsed into domain types.
#[derive(Default, Debug)]
pub struct Check {
    pub errors: Vec<FieldError>,
}

impl Check {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, code: &'static str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, code, message));
    }

    /// A required text: trimmed, not empty, at most `max` characters.
    pub fn text(&mut self, field: &str, label: &str, value: Option<&str>, max: usize) -> String {
        let v = value.unwrap_or("").trim();
        if v.is_empty() {
            self.add(field, "required", format!("请填写{label}"));
        } else if v.chars().count() > max {
            self.add(field, "too_long", format!("{label}不能超过 {max} 个字（现有 {} 个字）", v.chars().count()));
        } else if v.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
            self.add(field, "invalid_characters", format!("{label}含有无法识别的控制字符"));
        }
        v.to_string()
    }

    /// An optional text: trimmed, empty becomes `None`, at most `max` characters.
    pub fn opt_text(&mut self, field: &str, label: &str, value: Option<&str>, max: usize) -> Option<String> {
        let v = value.unwrap_or("").trim();
        if v.is_empty() {
            return None;
        }
        if v.chars().count() > max {
            self.add(field, "too_long", format!("{label}不能超过 {max} 个字（现有 {} 个字）", v.chars().count()));
        }
        Some(v.to_string())
    }

    /// A required integer id or number given as text.
    pub fn int(&mut self, field: &str, label: &str, value: Option<&str>) -> Option<i64> {
        match value.map(str::trim).filter(|s| !s.is_empty()) {
            None => {
                self.add(field, "required", format!("请选择或填写{label}"));
                None
            }
            Some(s) => match s.parse::<i64>() {
                Ok(v) => Some(v),
                Err(_) => {
                    self.add(field, "not_a_number", format!("{label}必须是整数"));
                    None
                }
            },
        }
    }

    pub fn opt_int(&mut self, field: &str, label: &str, value: Option<&str>) -> Option<i64> {
        match value.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => match s.parse::<i64>() {
                Ok(v) => Some(v),
                Err(_) => {
                    self.add(field, "not_a_number", format!("{label}必须是整数"));
                    None
                }
            },
        }
    }

    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn finish(self) -> Result<(), AppError> {
        if self.errors.is_empty() { Ok(()) } else { Err(AppError::fields(self.errors)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_collects_every_field() {
        let mut c = Check::new();
        let a = c.text("title", "标题", Some("  "), 10);
        let b = c.text("body", "内容", Some("一二三四五六七八九十十一"), 10);
        let n = c.int("n", "数量", Some("x"));
        assert_eq!(a, "");
        assert_eq!(b.chars().count(), 12);
        assert!(n.is_none());
        let err = c.finish().unwrap_err();
        assert_eq!(err.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let codes: Vec<_> = err.field_errors().iter().map(|f| f.code.to_string()).collect();
        assert_eq!(codes, ["required", "too_long", "not_a_number"]);
        assert!(err.user_message().contains("另有 2 处"));
    }

    #[test]
    fn internal_errors_do_not_leak() {
        let e = AppError::internal("password=hunter2 in connection string");
        assert!(!e.user_message().contains("hunter2"));
        assert_eq!(e.code(), "internal_error");
    }
}
