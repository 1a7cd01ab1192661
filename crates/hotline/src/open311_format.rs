//! Open311 GeoReport v2 documents and their two renderings. Each response is one typed DTO;
//! JSON is its serde form, XML follows the spec's convention ("JSON is XML with the root
//! dropped"): a given root element, list items named by the list (`attributes` →
//! `<attribute>`), booleans as `true`/`false`, and a UTF-8 declaration.

use std::fmt;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

/// The format chosen by the URL suffix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    /// `requests.json` → (`requests`, Json). Anything else is not an Open311 resource.
    pub fn split(file: &str) -> Option<(&str, Format)> {
        if let Some(stem) = file.strip_suffix(".json") { Some((stem, Format::Json)) } else { file.strip_suffix(".xml").map(|stem| (stem, Format::Xml)) }
    }
    /// The format an error for this path is written in (JSON unless the path asks for XML).
    pub fn of_path(path: &str) -> Format {
        if path.ends_with(".xml") { Format::Xml } else { Format::Json }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json; charset=utf-8",
            Format::Xml => "text/xml; charset=utf-8",
        }
    }
}

// ---------------------------------------------------------------- documents

pub const SPECIFICATION: &str = "http://wiki.open311.org/GeoReport_v2";

/// `discovery.{fmt}` (root `<discovery>`).
#[derive(Serialize)]
pub struct DiscoveryDto {
    pub changeset: String,
    pub contact: String,
    pub key_service: String,
    pub endpoints: Vec<EndpointDto>,
}

#[derive(Serialize)]
pub struct EndpointDto {
    pub specification: &'static str,
    pub url: String,
    pub changeset: String,
    /// `production` or `test`
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub formats: Vec<&'static str>,
}

/// One entry of `services.{fmt}` (root `<services>`, items `<service>`).
#[derive(Serialize)]
pub struct ServiceDto {
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    /// Whether the service has attributes (a definition worth fetching).
    pub metadata: bool,
    /// Always `realtime`: a request is created at once and its id returned.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub keywords: String,
    pub group: String,
}

/// `services/{code}.{fmt}` (root `<service_definition>`).
#[derive(Serialize)]
pub struct DefinitionDto {
    pub service_code: String,
    pub attributes: Vec<AttributeDto>,
}

#[derive(Serialize)]
pub struct AttributeDto {
    pub variable: bool,
    pub code: String,
    pub datatype: String,
    pub required: bool,
    pub datatype_description: String,
    pub order: u32,
    pub description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<ValueDto>,
}

#[derive(Serialize)]
pub struct ValueDto {
    pub key: String,
    pub name: String,
}

/// One service request (root `<service_requests>`, items `<request>`).
#[derive(Serialize, Debug)]
pub struct RequestDto {
    /// The ticket number (工单编号).
    pub service_request_id: String,
    /// `open` or `closed`
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_notes: Option<String>,
    pub service_name: String,
    pub service_code: String,
    pub description: String,
    pub agency_responsible: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_notice: Option<String>,
    pub requested_datetime: String,
    pub updated_datetime: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_datetime: Option<String>,
    pub address: String,
    pub address_id: String,
    pub zipcode: String,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: String,
}

/// The answer to a POST (root `<service_requests>`, one `<request>`).
#[derive(Serialize)]
pub struct CreatedDto {
    pub service_request_id: String,
    pub service_notice: String,
}

/// `tokens/{token}.{fmt}` (root `<service_requests>`, one `<request>`).
#[derive(Serialize)]
pub struct TokenDto {
    pub service_request_id: String,
    pub token: String,
}

/// `servicerequestupdates.{fmt}` (root `<service_request_updates>`, items `<request_update>`).
#[derive(Serialize)]
pub struct UpdateDto {
    pub update_id: String,
    pub service_request_id: String,
    pub status: &'static str,
    pub updated_datetime: String,
    pub description: String,
    pub media_url: String,
}

/// The answer to a posted update (root `<service_request_updates>`, one `<request_update>`), as
/// FixMyStreet reads it.
#[derive(Serialize)]
pub struct UpdateCreatedDto {
    pub update_id: String,
}

/// One error (root `<errors>`, items `<error>`).
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct ErrorDto {
    pub code: String,
    pub description: String,
}

// ---------------------------------------------------------------- rendering

/// Render a document: `root` names the XML root element, `item` the element of each entry
/// when the document is a list.
pub fn render<T: Serialize>(fmt: Format, status: StatusCode, root: &str, item: Option<&str>, doc: &T) -> Response {
    let json = match serde_json::to_string(doc) {
        Ok(j) => j,
        Err(e) => {
            tracing::error!(error = %e, "open311 rendering");
            return plain_error(fmt);
        }
    };
    let body = match fmt {
        Format::Json => json,
        Format::Xml => match serde_json::from_str::<Node>(&json) {
            Ok(node) => to_xml(root, item, &node),
            Err(e) => {
                tracing::error!(error = %e, "open311 rendering");
                return plain_error(fmt);
            }
        },
    };
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(fmt.content_type()));
    resp
}

/// Errors as the spec wants them: always a list, HTTP status beside it.
pub fn errors(fmt: Format, status: StatusCode, errors: &[ErrorDto]) -> Response {
    render(fmt, status, "errors", Some("error"), &errors)
}

/// The answer when a document cannot be rendered (never expected: every DTO serialises).
fn plain_error(fmt: Format) -> Response {
    let body = match fmt {
        Format::Json => r#"[{"code":"internal_error","description":"系统内部错误，请稍后重试"}]"#.to_string(),
        Format::Xml => {
            format!("{XML_DECLARATION}<errors><error><code>internal_error</code><description>系统内部错误，请稍后重试</description></error></errors>\n")
        }
    };
    let mut resp = (StatusCode::INTERNAL_SERVER_ERROR, body).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(fmt.content_type()));
    resp
}

const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";

/// A JSON document read back with its key order kept (serde_json's own `Value` sorts keys).
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Null,
    Text(String),
    List(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
                Ok(Node::Text(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
                Ok(Node::Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
                Ok(Node::Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
                Ok(Node::Text(v.to_string()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
                Ok(Node::Text(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
                Ok(Node::Text(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(n) = seq.next_element()? {
                    items.push(n);
                }
                Ok(Node::List(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut fields = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Node>()? {
                    fields.push((k, v));
                }
                Ok(Node::Object(fields))
            }
        }
        d.deserialize_any(V)
    }
}

/// The element of each entry of a list element.
fn item_name(list: &str) -> &str {
    match list {
        "service_requests" => "request",
        "service_request_updates" => "request_update",
        other => other.strip_suffix('s').unwrap_or(other),
    }
}

fn to_xml(root: &str, item: Option<&str>, node: &Node) -> String {
    let mut out = String::from(XML_DECLARATION);
    match (node, item) {
        (Node::List(items), Some(item)) => {
            out.push_str(&format!("<{root}>"));
            for n in items {
                element(&mut out, item, n);
            }
            out.push_str(&format!("</{root}>"));
        }
        _ => element(&mut out, root, node),
    }
    out.push('\n');
    out
}

fn element(out: &mut String, name: &str, node: &Node) {
    match node {
        Node::Null => out.push_str(&format!("<{name}/>")),
        Node::Text(t) => out.push_str(&format!("<{name}>{}</{name}>", escape(t))),
        Node::List(items) => {
            out.push_str(&format!("<{name}>"));
            let item = item_name(name);
            for n in items {
                element(out, item, n);
            }
            out.push_str(&format!("</{name}>"));
        }
        Node::Object(fields) => {
            out.push_str(&format!("<{name}>"));
            for (k, v) in fields {
                element(out, k, v);
            }
            out.push_str(&format!("</{name}>"));
        }
    }
}

/// Escape text for XML, dropping characters XML 1.0 cannot carry.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xml<T: Serialize>(root: &str, item: Option<&str>, doc: &T) -> String {
        to_xml(root, item, &serde_json::from_str(&serde_json::to_string(doc).unwrap()).unwrap())
    }

    #[test]
    fn lists_name_their_items_and_keep_field_order() {
        let d = DefinitionDto {
            service_code: "JT-WT".into(),
            attributes: vec![AttributeDto {
                variable: true,
                code: "blocking".into(),
                datatype: "singlevaluelist".into(),
                required: false,
                datatype_description: String::new(),
                order: 2,
                description: "是否堵塞 <通道> & 出口".into(),
                values: vec![ValueDto { key: "yes".into(), name: "堵塞".into() }],
            }],
        };
        let x = xml("service_definition", None, &d);
        assert!(x.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
        assert!(x.contains("<service_definition><service_code>JT-WT</service_code><attributes><attribute><variable>true</variable><code>blocking</code>"));
        assert!(x.contains("<description>是否堵塞 &lt;通道&gt; &amp; 出口</description>"));
        assert!(x.contains("<values><value><key>yes</key><name>堵塞</name></value></values>"));
    }

    #[test]
    fn root_lists_and_nulls() {
        let e = [ErrorDto { code: "required".into(), description: "请填写\u{1}诉求内容".into() }];
        assert_eq!(
            xml("errors", Some("error"), &e),
            format!("{XML_DECLARATION}<errors><error><code>required</code><description>请填写诉求内容</description></error></errors>\n")
        );
        let empty: [ErrorDto; 0] = [];
        assert_eq!(xml("service_requests", Some("request"), &empty), format!("{XML_DECLARATION}<service_requests></service_requests>\n"));
        #[derive(Serialize)]
        struct P {
            lat: Option<f64>,
            formats: Vec<&'static str>,
        }
        let x = xml("p", None, &P { lat: None, formats: vec!["text/xml", "application/json"] });
        assert!(x.contains("<p><lat/><formats><format>text/xml</format><format>application/json</format></formats></p>"));
    }

    #[test]
    fn formats_by_suffix() {
        assert_eq!(Format::split("requests.json"), Some(("requests", Format::Json)));
        assert_eq!(Format::split("2026000001.xml"), Some(("2026000001", Format::Xml)));
        assert_eq!(Format::split("requests.html"), None);
        assert_eq!(Format::of_path("/open311/v2/x.xml"), Format::Xml);
    }
}
