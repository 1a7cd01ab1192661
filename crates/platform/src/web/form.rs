//! Request bodies: forms read as name/value pairs (then parsed into domain types with
//! `error::Check`), JSON bodies whose errors become precise Chinese messages with the field,
//! and multipart uploads with size and type limits (413, 415).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;

use crate::error::{AppError, FieldError};

/// A submitted `application/x-www-form-urlencoded` form.
#[derive(Clone, Debug, Default)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }
    pub fn checked(&self, name: &str) -> bool {
        matches!(self.get(name), Some("1" | "on" | "true" | "yes"))
    }
    pub fn int(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(|v| v.trim().parse().ok())
    }
    /// List field errors in the order of the fields on the form. A browser submits the fields
    /// in the order of the page, so the submission is the form's order; the services check in
    /// their own order. An error belongs to the field of its name, or of its name with `_id`
    /// (`category` → `category_id`) or `[…]` (`attribute` → `attribute[plate]`); errors on
    /// fields that were not submitted (an unticked box, a file) come last, in their order.
    pub fn order_errors(&self, errors: &mut [FieldError]) {
        let rank = |field: &str| {
            self.0
                .iter()
                .position(|(n, _)| {
                    n == field
                        || n.strip_suffix("_id") == Some(field)
                        || n.strip_prefix(field).is_some_and(|rest| rest.starts_with('['))
                        || field.strip_prefix(n.split('[').next().unwrap_or(n)).is_some_and(|rest| rest.starts_with('[') || rest.starts_with('.'))
                })
                .unwrap_or(self.0.len())
        };
        errors.sort_by_key(|e| rank(&e.field));
    }
}

fn content_type(req: &Request) -> String {
    req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase()
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = crate::web::PageError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ct = content_type(&req);
        if !ct.starts_with("application/x-www-form-urlencoded") {
            return Err(AppError::UnsupportedMedia { message: "表单须以 application/x-www-form-urlencoded 提交".into() }.into());
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|_| AppError::TooLarge { message: "提交的内容过大".into() })?;
        if std::str::from_utf8(&bytes).is_err() {
            return Err(AppError::bad_request("bad_encoding", "提交的内容不是 UTF-8 编码").into());
        }
        Ok(FormData(super::csrf::form_urlencoded_pairs(&bytes)))
    }
}

/// A JSON body for the API. Wrong content type → 415; malformed JSON or a wrong field type →
/// 400 naming the field.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ct = content_type(&req);
        if !ct.starts_with("application/json") {
            return Err(AppError::UnsupportedMedia { message: "请求体须为 JSON（Content-Type: application/json）".into() });
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|_| AppError::TooLarge { message: "请求体过大".into() })?;
        parse_json(&bytes).map(JsonBody)
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let r: Result<T, _> = serde_path_to_error::deserialize(de);
    r.map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let msg = if inner.is_syntax() || inner.is_eof() {
            format!("JSON 格式错误（第 {} 行第 {} 列）", inner.line(), inner.column())
        } else {
            let raw = inner.to_string();
            if raw.contains("missing field") {
                let f = raw.split('`').nth(1).unwrap_or("").to_string();
                return AppError::BadRequest {
                    code: "missing_field".into(),
                    message: format!("缺少字段 {f}"),
                    fields: vec![FieldError::new(f, "required", "缺少此字段")],
                };
            }
            if raw.contains("invalid type") {
                format!("字段 {path} 的类型不正确")
            } else if raw.contains("unknown variant") {
                format!("字段 {path} 的取值不在允许范围内")
            } else {
                format!("字段 {path} 无效")
            }
        };
        let field = if path == "." { String::new() } else { path };
        AppError::BadRequest {
            code: "bad_json".into(),
            message: msg.clone(),
            fields: if field.is_empty() { vec![] } else { vec![FieldError::new(field, "invalid", msg)] },
        }
    })
}

/// An uploaded file, read fully and checked.
#[derive(Clone, Debug)]
pub struct Upload {
    pub field: String,
    pub filename: String,
    pub content_type: String,
    pub bytes: Bytes,
}

/// A parsed multipart form: text fields and files.
#[derive(Clone, Debug, Default)]
pub struct Multipart {
    pub fields: FormData,
    pub files: Vec<Upload>,
}

impl<S: Send + Sync> FromRequest<S> for Multipart {
    type Rejection = crate::web::PageError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ct = content_type(&req);
        if ct.starts_with("application/x-www-form-urlencoded") {
            let f = FormData::from_request(req, state).await?;
            return Ok(Multipart { fields: f, files: vec![] });
        }
        if !ct.starts_with("multipart/form-data") {
            return Err(AppError::UnsupportedMedia { message: "上传须以 multipart/form-data 提交".into() }.into());
        }
        let mut mp =
            axum::extract::Multipart::from_request(req, state).await.map_err(|e| AppError::bad_request("bad_multipart", format!("上传内容无法解析：{e}")))?;
        let mut out = Multipart::default();
        loop {
            let field = match mp.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) => {
                    let status = e.status();
                    if status == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                        return Err(AppError::TooLarge { message: "上传的文件超过大小上限".into() }.into());
                    }
                    return Err(AppError::bad_request("bad_multipart", format!("上传内容无法解析：{e}")).into());
                }
            };
            let name = field.name().unwrap_or("").to_string();
            let filename = field.file_name().map(str::to_string);
            let ctype = field.content_type().unwrap_or("application/octet-stream").to_string();
            let data = field.bytes().await.map_err(|e| {
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::TooLarge { message: "上传的文件超过大小上限".into() }
                } else {
                    AppError::bad_request("bad_multipart", format!("上传内容无法读取：{e}"))
                }
            })?;
            match filename {
                Some(f) if !f.is_empty() => {
                    if !data.is_empty() {
                        out.files.push(Upload { field: name, filename: f, content_type: ctype, bytes: data });
                    }
                }
                _ => {
                    let text = String::from_utf8(data.to_vec()).map_err(|_| AppError::bad_request("bad_encoding", "提交的内容不是 UTF-8 编码"))?;
                    out.fields.0.push((name, text));
                }
            }
        }
        Ok(out)
    }
}

/// A number in a query string where a blank means "none": a select's 全部 option sends `org=`,
/// which must filter nothing rather than fail. Use with
/// `#[serde(default, deserialize_with = "crate::web::form::blank_none")]`.
pub fn blank_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
{
    use serde::Deserialize as _;
    use serde::de::Error as _;
    let s: Option<String> = Option::deserialize(d)?;
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| D::Error::custom(format!("“{v}”不是有效的数字"))),
    }
}

#[cfg(test)]
mod blank_tests {
    #[derive(serde::Deserialize)]
    struct Q {
        #[serde(default, deserialize_with = "super::blank_none")]
        org: Option<i64>,
    }

    #[test]
    fn blank_numbers_mean_none() {
        let q = |s: &str| crate::web::extract::parse_query::<Q>(s).map(|q| q.org);
        assert_eq!(q("org=").unwrap(), None);
        assert_eq!(q("").unwrap(), None);
        assert_eq!(q("org=12").unwrap(), Some(12));
        assert!(q("org=x").is_err());
    }
}

#[cfg(test)]
mod order_tests {
    use super::*;

    #[test]
    fn errors_follow_the_fields_of_the_form() {
        let form = FormData(
            ["_csrf", "caller_phone", "caller_name", "category_id", "town_id", "attribute[plate]", "description"]
                .iter()
                .map(|k| (k.to_string(), String::new()))
                .collect(),
        );
        let mut errors: Vec<FieldError> =
            ["description", "photos", "attribute[plate]", "category", "caller_phone"].iter().map(|f| FieldError::new(*f, "x", *f)).collect();
        form.order_errors(&mut errors);
        let order: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(order, ["caller_phone", "category", "attribute[plate]", "description", "photos"]);
    }
}
