//! `/healthz` and `/metrics` (Prometheus text format): requests by route group and status
//! class, a latency histogram, and the write queue of this instance. `/healthz` is public (load
//! balancers ask it); `/metrics` tells how busy the service is and answers only clients on this
//! machine (`metrics.allow_loopback`) or holding `metrics.token`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::client::ClientAddr;
use crate::db::q;
use crate::error::AppError;
use crate::state::AppState;

const GROUPS: [&str; 6] = ["page", "api", "open311", "portal", "static", "other"];
const CLASSES: [&str; 4] = ["2xx", "3xx", "4xx", "5xx"];
const BUCKETS_MS: [u64; 10] = [1, 2, 5, 10, 20, 50, 100, 250, 1000, 5000];

#[derive(Default)]
pub struct Metrics {
    requests: [[AtomicU64; 4]; 6],
    buckets: [AtomicU64; 10],
    count: AtomicU64,
    sum_us: AtomicU64,
}

fn group(path: &str) -> usize {
    if path.starts_with("/api/") {
        1
    } else if path.starts_with("/open311/") {
        2
    } else if path.starts_with("/portal") {
        3
    } else if path.starts_with("/static/") {
        4
    } else if path == "/metrics" || path == "/healthz" {
        5
    } else {
        0
    }
}

impl Metrics {
    pub fn observe(&self, path: &str, status: StatusCode, elapsed_us: u64) {
        let class = match status.as_u16() {
            200..=299 => 0,
            300..=399 => 1,
            400..=499 => 2,
            _ => 3,
        };
        self.requests[group(path)][class].fetch_add(1, Ordering::Relaxed);
        let ms = elapsed_us / 1000;
        for (i, b) in BUCKETS_MS.iter().enumerate() {
            if ms <= *b {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_us.fetch_add(elapsed_us, Ordering::Relaxed);
    }

    pub fn render(&self) -> String {
        let mut s = String::new();
        s.push_str("# HELP fazhi_http_requests_total HTTP requests by route group and status class.\n# TYPE fazhi_http_requests_total counter\n");
        for (g, name) in GROUPS.iter().enumerate() {
            for (c, class) in CLASSES.iter().enumerate() {
                let v = self.requests[g][c].load(Ordering::Relaxed);
                s.push_str(&format!("fazhi_http_requests_total{{group=\"{name}\",status=\"{class}\"}} {v}\n"));
            }
        }
        s.push_str("# HELP fazhi_http_request_duration_seconds Request latency.\n# TYPE fazhi_http_request_duration_seconds histogram\n");
        for (i, b) in BUCKETS_MS.iter().enumerate() {
            let v = self.buckets[i].load(Ordering::Relaxed);
            s.push_str(&format!("fazhi_http_request_duration_seconds_bucket{{le=\"{}\"}} {v}\n", *b as f64 / 1000.0));
        }
        let count = self.count.load(Ordering::Relaxed);
        s.push_str(&format!("fazhi_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}\n"));
        s.push_str(&format!("fazhi_http_request_duration_seconds_sum {}\n", self.sum_us.load(Ordering::Relaxed) as f64 / 1e6));
        s.push_str(&format!("fazhi_http_request_duration_seconds_count {count}\n"));
        s
    }
}

pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let start = Instant::now();
    let resp = next.run(req).await;
    state.metrics.observe(&path, resp.status(), start.elapsed().as_micros() as u64);
    resp
}

pub async fn healthz(State(state): State<AppState>) -> Response {
    match q("SELECT CAST(1 AS BIGINT)").fetch_i64(&state.db).await {
        Ok(_) => (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], r#"{"status":"ok","database":"ok"}"#).into_response(),
        Err(_) => {
            (StatusCode::SERVICE_UNAVAILABLE, [(header::CONTENT_TYPE, "application/json")], r#"{"status":"error","database":"unreachable"}"#).into_response()
        }
    }
}

/// May this request read `/metrics`?
fn metrics_access(state: &AppState, from: ClientAddr, headers: &HeaderMap) -> Result<(), AppError> {
    let cfg = &state.config.metrics;
    if cfg.allow_loopback && from.0.is_some_and(|a| a.is_loopback()) {
        return Ok(());
    }
    let bearer = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).map(str::trim);
    match bearer {
        Some(t) if !cfg.token.is_empty() && crate::web::csrf::token_matches(t, &cfg.token) => Ok(()),
        Some(_) => Err(AppError::forbidden("metrics_token_invalid", "监控令牌不正确")),
        None => Err(AppError::forbidden("metrics_forbidden", "运行指标只对本机或持有监控令牌（metrics.token）的请求开放")),
    }
}

pub async fn prometheus(State(state): State<AppState>, from: ClientAddr, headers: HeaderMap) -> Response {
    if let Err(e) = metrics_access(&state, from, &headers) {
        return e.into_response();
    }
    let mut body = state.metrics.render();
    if let Ok(open) = q("SELECT COUNT(*) FROM cases WHERE is_open = TRUE").fetch_i64(&state.db).await {
        body.push_str(&format!("# HELP fazhi_cases_open Open cases of all procedures.\n# TYPE fazhi_cases_open gauge\nfazhi_cases_open {open}\n"));
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body).into_response()
}
