//! `Query` and `Path` extractors whose errors answer like every other error: the JSON error
//! shape under `/api/`, the HTML error page elsewhere, with a Chinese message and the parameter
//! named as the field. axum's own answer with plain English text; `clippy.toml` forbids them
//! (Open311 reads its paths itself, to answer in the spec's shape).

#![allow(clippy::disallowed_types)]

use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, OriginalUri, RawPathParams};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::error::{AppError, FieldError};

/// The query string, deserialised into `T`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

/// The path parameters, deserialised into `T`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<T>(pub T);

/// A refused query or path, rendered for whoever asked.
#[derive(Debug)]
pub struct Rejected {
    api: bool,
    error: AppError,
}

impl Rejected {
    fn new(parts: &Parts, error: AppError) -> Rejected {
        // Nested routers see their own part of the path; the original tells API from page.
        let path = parts.extensions.get::<OriginalUri>().map(|u| u.0.path()).unwrap_or_else(|| parts.uri.path());
        Rejected { api: path.starts_with("/api/"), error }
    }

    pub fn error(&self) -> &AppError {
        &self.error
    }
}

impl IntoResponse for Rejected {
    fn into_response(self) -> Response {
        if self.api { self.error.into_response() } else { crate::web::PageError(self.error).into_response() }
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Rejected;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or("");
        parse_query(raw).map(Query).map_err(|e| Rejected::new(parts, e))
    }
}

/// Deserialise a query string, naming the parameter that failed.
pub fn parse_query<T: DeserializeOwned>(raw: &str) -> Result<T, AppError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(raw.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        let detail = e.into_inner().to_string();
        if let Some(missing) = detail.strip_prefix("missing field `").and_then(|r| r.split('`').next()) {
            let message = format!("缺少查询参数 {missing}");
            return AppError::BadRequest {
                code: "missing_parameter".into(),
                message: message.clone(),
                fields: vec![FieldError::new(missing, "required", message)],
            };
        }
        if let Some(unknown) = detail.strip_prefix("unknown field `").and_then(|r| r.split('`').next()) {
            let message = format!("不认识的查询参数 {unknown}");
            return AppError::BadRequest {
                code: "unknown_parameter".into(),
                message: message.clone(),
                fields: vec![FieldError::new(unknown, "unknown", message)],
            };
        }
        let field = if field == "." || field == "?" { String::new() } else { field };
        let value = form_urlencoded::parse(raw.as_bytes()).find(|(k, _)| *k == field.as_str()).map(|(_, v)| v.into_owned());
        let message = match value {
            Some(v) => format!("查询参数 {field} 的值“{}”无效：{}", shorten(&v), hint(&detail)),
            None => format!("查询参数{} 无效：{}", if field.is_empty() { String::new() } else { format!(" {field}") }, hint(&detail)),
        };
        AppError::BadRequest { code: "invalid_parameter".into(), message: message.clone(), fields: vec![FieldError::new(field, "invalid", message)] }
    })
}

/// What the value should have been, from serde's or the parser's words.
fn hint(detail: &str) -> String {
    if !detail.is_ascii() {
        // Our own deserialisers (`form::blank_none`) already speak Chinese.
        return detail.to_string();
    }
    let d = detail.to_ascii_lowercase();
    let h = if d.contains("digit") || d.contains("integer") || d.contains("number too") {
        "应为整数"
    } else if d.contains("float") {
        "应为数字"
    } else if d.contains("`true` or `false`") || d.contains("bool") {
        "应为 true 或 false"
    } else if d.contains("unknown variant") {
        "不在允许的取值范围内"
    } else {
        "格式不正确"
    };
    h.to_string()
}

fn shorten(v: &str) -> String {
    if v.chars().count() > 40 { format!("{}…", v.chars().take(40).collect::<String>()) } else { v.to_string() }
}

fn type_hint(expected: &str) -> &'static str {
    match expected {
        "i8" | "i16" | "i32" | "i64" | "i128" | "u8" | "u16" | "u32" | "u64" | "u128" | "isize" | "usize" => "应为整数",
        "f32" | "f64" => "应为数字",
        "bool" => "应为 true 或 false",
        _ => "格式不正确",
    }
}

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = Rejected;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(rejection) => {
                let names: Vec<(String, String)> = match RawPathParams::from_request_parts(parts, state).await {
                    Ok(p) => p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
                    Err(_) => Vec::new(),
                };
                Err(Rejected::new(parts, path_error(rejection, &names)))
            }
        }
    }
}

/// The error for a path that does not parse, naming the parameter.
fn path_error(rejection: PathRejection, params: &[(String, String)]) -> AppError {
    let PathRejection::FailedToDeserializePathParams(e) = rejection else {
        return AppError::internal(format!("path: {rejection}"));
    };
    let key_of_value = |value: &str| params.iter().find(|(_, v)| v == value).map(|(k, _)| k.clone());
    let (field, message) = match e.into_kind() {
        ErrorKind::ParseErrorAtKey { key, value, expected_type } => {
            let m = format!("网址中的 {key}“{}”无效：{}", shorten(&value), type_hint(expected_type));
            (key, m)
        }
        ErrorKind::ParseError { value, expected_type } => {
            let key = key_of_value(&value).unwrap_or_default();
            let m = format!("网址中的 {key}“{}”无效：{}", shorten(&value), type_hint(expected_type));
            (key, m)
        }
        ErrorKind::ParseErrorAtIndex { index, value, expected_type } => {
            let key = params.get(index).map(|(k, _)| k.clone()).unwrap_or_default();
            let m = format!("网址中的 {key}“{}”无效：{}", shorten(&value), type_hint(expected_type));
            (key, m)
        }
        ErrorKind::DeserializeError { key, value, message } => {
            let m = format!("网址中的 {key}“{}”无效：{}", shorten(&value), hint(&message));
            (key, m)
        }
        ErrorKind::InvalidUtf8InPathParam { key } => {
            let m = format!("网址中的 {key} 不是有效的 UTF-8 文本");
            (key, m)
        }
        other => return AppError::internal(format!("path: {other}")),
    };
    AppError::BadRequest { code: "invalid_path".into(), message: message.clone(), fields: vec![FieldError::new(field, "invalid", message)] }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Q {
        no: String,
        page: Option<i64>,
        #[serde(default, deserialize_with = "crate::web::form::blank_none")]
        org: Option<i64>,
        urgent: Option<bool>,
    }

    fn field(e: &AppError) -> (&str, &str) {
        let f = &e.field_errors()[0];
        (f.field.as_str(), &f.code)
    }

    #[test]
    fn query_errors_name_the_parameter() {
        assert!(parse_query::<Q>("no=1&page=2&org=&urgent=true").is_ok());
        let e = parse_query::<Q>("page=2").unwrap_err();
        assert_eq!((e.status().as_u16(), e.code(), field(&e)), (400, "missing_parameter", ("no", "required")));
        assert_eq!(e.user_message(), "缺少查询参数 no");
        let e = parse_query::<Q>("no=1&page=x1").unwrap_err();
        assert_eq!(field(&e), ("page", "invalid"));
        assert_eq!(e.user_message(), "查询参数 page 的值“x1”无效：应为整数");
        let e = parse_query::<Q>("no=1&org=abc").unwrap_err();
        assert_eq!(e.user_message(), "查询参数 org 的值“abc”无效：“abc”不是有效的数字");
        let e = parse_query::<Q>("no=1&urgent=maybe").unwrap_err();
        assert!(e.user_message().ends_with("应为 true 或 false"), "{}", e.user_message());
    }
}
