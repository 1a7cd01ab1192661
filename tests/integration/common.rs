//! The test harness: a real router on its own database (a temporary SQLite file, or a fresh
//! PostgreSQL schema when TEST_DATABASE_URL is set), the demo city's base data, and a client
//! that keeps cookies and fills in CSRF tokens like a browser: it reads the token from the
//! pages it gets, and fetches a page first when its cookies changed since.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use fazhi::app::AppState;
use fazhi::config::Config;
use fazhi::db::{ConnectOptions, Db};

pub const PASSWORD: &str = fazhi::demo::DEMO_PASSWORD;

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    _dir: tempfile::TempDir,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);
static PEERS: AtomicU64 = AtomicU64::new(1);

impl TestApp {
    /// A fresh app with the demo city's base data (orgs, accounts, hotline catalogue).
    pub async fn new() -> TestApp {
        Self::configured(|_| {}).await
    }

    /// The demo city's base data with a configuration of the test's own (a gateway…).
    pub async fn configured(f: impl FnOnce(&mut Config)) -> TestApp {
        let app = Self::empty_with(f).await;
        fazhi::demo::seed_base(&app.state).await.expect("seed");
        app
    }

    /// A fresh app with an empty database (migrated).
    pub async fn empty() -> TestApp {
        Self::empty_with(|_| {}).await
    }

    /// A fresh app with an empty database and the test configuration changed by `change`.
    pub async fn empty_with(change: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let db = match std::env::var("TEST_DATABASE_URL").ok().filter(|u| u.starts_with("postgres")) {
            Some(url) => {
                let n = COUNTER.fetch_add(1, Ordering::SeqCst);
                let schema = format!("t_{}_{}_{}", std::process::id(), n, rand_suffix());
                let admin = Db::connect(&ConnectOptions::new(url.clone())).await.expect("postgres reachable");
                fazhi::db::q(format!("CREATE SCHEMA {schema}")).execute(&admin).await.unwrap();
                admin.close().await;
                let mut o = ConnectOptions::new(url);
                o.pg_schema = Some(schema);
                o.max_connections = 4;
                Db::connect(&o).await.unwrap()
            }
            None => Db::connect(&ConnectOptions::new(format!("sqlite://{}/test.db", dir.path().display()))).await.unwrap(),
        };
        let mut config = Config::default();
        config.files.dir = dir.path().join("files").display().to_string();
        config.jobs.enabled = false;
        config.server.demo = true;
        change(&mut config);
        let state = AppState::with_db(config, db, fazhi::app::features()).await.expect("start");
        let router = fazhi::app::router(state.clone());
        TestApp { state, router, _dir: dir }
    }

    pub fn client(&self) -> Client {
        // Each client connects from its own address, as browsers on different machines do.
        let n = PEERS.fetch_add(1, Ordering::SeqCst);
        let peer = std::net::SocketAddr::from(([10, (n >> 16) as u8, (n >> 8) as u8, n as u8], 40000));
        Client { router: self.router.clone(), cookies: BTreeMap::new(), csrf: String::new(), bearer: None, peer: Some(peer) }
    }

    /// A client logged in as a demo account.
    pub async fn login(&self, username: &str) -> Client {
        let mut c = self.client();
        let r = c.post_form("/login", &[("username", username), ("password", PASSWORD), ("next", "/")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "login of {username} failed: {}", r.text);
        c
    }

    pub fn is_postgres(&self) -> bool {
        self.state.db.backend() == fazhi::db::Backend::Postgres
    }
}

fn rand_suffix() -> String {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    format!("{t:x}")
}

pub struct Response {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub text: String,
}

impl Response {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
    pub fn location(&self) -> String {
        self.headers.get(header::LOCATION).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
    }
    pub fn contains(&self, s: &str) -> bool {
        self.text.contains(s)
    }
}

pub struct Client {
    router: Router,
    pub cookies: BTreeMap<String, String>,
    /// The CSRF token of the last page seen; empty when the cookies changed since.
    pub csrf: String,
    pub bearer: Option<String>,
    /// The address the server sees this client connect from (`None`: no connection at all, as
    /// when the router is called in-process).
    pub peer: Option<std::net::SocketAddr>,
}

impl Client {
    pub async fn send(&mut self, method: Method, path: &str, content_type: Option<&str>, body: Vec<u8>, extra: &[(&str, &str)]) -> Response {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(peer) = self.peer {
            b = b.extension(axum::extract::ConnectInfo(peer));
        }
        let cookie = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        b = b.header(header::COOKIE, cookie);
        if let Some(ct) = content_type {
            b = b.header(header::CONTENT_TYPE, ct);
        }
        if let Some(t) = &self.bearer {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        for (k, v) in extra {
            b = b.header(*k, *v);
        }
        let resp = self.router.clone().oneshot(b.body(Body::from(body)).unwrap()).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        for v in headers.get_all(header::SET_COOKIE) {
            let s = v.to_str().unwrap();
            let kv = s.split(';').next().unwrap();
            if let Some((k, v)) = kv.split_once('=') {
                if k == "fazhi_csrf" || k == "fazhi_sid" {
                    self.csrf.clear();
                }
                if v.is_empty() || s.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), v.to_string());
                }
            }
        }
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(t) = page_token(&text) {
            self.csrf = t;
        }
        Response { status, headers, text }
    }

    /// The CSRF token for the next write: the last page's, or a fresh page's.
    pub async fn token(&mut self) -> String {
        if self.csrf.is_empty() {
            let r = self.get("/login").await;
            assert!(!self.csrf.is_empty(), "no CSRF token on the login page: {}", r.text);
        }
        self.csrf.clone()
    }

    pub async fn get(&mut self, path: &str) -> Response {
        self.send(Method::GET, path, None, vec![], &[]).await
    }

    /// Post a form with the CSRF token filled in.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut all: Vec<(String, String)> = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        all.push(("_csrf".into(), self.token().await));
        let body = encode(&all);
        self.send(Method::POST, path, Some("application/x-www-form-urlencoded"), body.into_bytes(), &[]).await
    }

    /// Post a form without a CSRF token (to test that it is refused).
    pub async fn post_form_no_csrf(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let all: Vec<(String, String)> = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        self.send(Method::POST, path, Some("application/x-www-form-urlencoded"), encode(&all).into_bytes(), &[]).await
    }

    /// Post multipart form data: text fields and (name, filename, bytes) files.
    pub async fn post_multipart(&mut self, path: &str, fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> Response {
        let boundary = "----fazhitestboundary7MA4YWxk";
        let mut body = Vec::new();
        let token = self.token().await;
        for (k, v) in [("_csrf", token.as_str())].iter().chain(fields) {
            body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
        }
        for (name, filename, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        self.send(Method::POST, path, Some(&format!("multipart/form-data; boundary={boundary}")), body, &[]).await
    }

    pub async fn post_json(&mut self, path: &str, json: &serde_json::Value) -> Response {
        let token = self.token().await;
        self.send(Method::POST, path, Some("application/json"), json.to_string().into_bytes(), &[("x-csrf-token", &token)]).await
    }
}

/// The CSRF token a page gives its forms.
pub fn page_token(html: &str) -> Option<String> {
    let marker = "name=\"_csrf\" value=\"";
    let i = html.find(marker)? + marker.len();
    html[i..].split('"').next().filter(|t| !t.is_empty()).map(str::to_string)
}

pub fn encode(pairs: &[(String, String)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", fazhi::web::urlencode(k), fazhi::web::urlencode(v))).collect::<Vec<_>>().join("&")
}

/// The id of an organisation by code.
pub async fn org_id(app: &TestApp, code: &str) -> i64 {
    fazhi::org::queries::by_code(&app.state.db, code).await.unwrap().unwrap_or_else(|| panic!("org {code}")).id
}
