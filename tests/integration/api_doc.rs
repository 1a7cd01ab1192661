//! The OpenAPI document held against the handlers: every route of `/api/v1` is documented and
//! every documented path is a route; the methods documented are the methods the router takes;
//! path parameters are the path's own, and required; a query parameter is marked required
//! exactly when the handler refuses a request without it.

use axum::http::{Method, StatusCode};
use serde_json::Value;

use crate::common::*;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// `{id}` and `{action}` filled in with something the router accepts.
fn concrete(path: &str) -> String {
    path.replace("{id}", "1").replace("{action}", "x")
}

/// The `{name}`s of a path template.
fn template_params(path: &str) -> Vec<String> {
    path.split('{').skip(1).filter_map(|p| p.split('}').next()).map(str::to_string).collect()
}

#[tokio::test]
async fn the_openapi_document_matches_the_handlers() {
    let app = TestApp::new().await;
    let mut c = app.login("sfj").await;
    let doc = c.get("/api/v1/openapi.json").await.json();
    let documented: Vec<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    let routes: Vec<String> = fazhi::api::all_routes(&app.state.registry).paths().iter().map(|p| format!("/api/v1{p}")).collect();
    let mut problems = Vec::new();
    for r in &routes {
        // The document does not describe itself.
        if !documented.contains(r) && r != "/api/v1/openapi.json" {
            problems.push(format!("route {r} is not documented"));
        }
    }
    for d in &documented {
        if !routes.contains(d) {
            problems.push(format!("documented path {d} is no route"));
        }
    }
    for (path, ops) in doc["paths"].as_object().unwrap() {
        let url = concrete(path);
        for m in METHODS {
            let method = Method::from_bytes(m.to_uppercase().as_bytes()).unwrap();
            let token = c.token().await;
            let r = c.send(method, &url, Some("application/json"), b"{}".to_vec(), &[("x-csrf-token", &token)]).await;
            let refused = r.status == StatusCode::METHOD_NOT_ALLOWED;
            match (ops.get(m).is_some(), refused) {
                (true, true) => problems.push(format!("{m} {path} is documented but the router refuses it")),
                (false, false) => problems.push(format!("{m} {path} is taken by the router but not documented")),
                _ => {}
            }
        }
        for (m, op) in ops.as_object().unwrap() {
            let params: Vec<&Value> = op["parameters"].as_array().map(|a| a.iter().collect()).unwrap_or_default();
            let in_path: Vec<String> = params.iter().filter(|p| p["in"] == "path").map(|p| p["name"].as_str().unwrap().to_string()).collect();
            let mut from_template = template_params(path);
            from_template.sort();
            let mut declared = in_path.clone();
            declared.sort();
            if declared != from_template {
                problems.push(format!("{m} {path}: path parameters {declared:?}, the path has {from_template:?}"));
            }
            for p in &params {
                if p["in"] == "path" && p["required"] != true {
                    problems.push(format!("{m} {path}: path parameter {} not required", p["name"]));
                }
            }
            if m != "get" {
                continue;
            }
            // Query parameters: required exactly when the handler refuses their absence.
            let required: Vec<&str> = params.iter().filter(|p| p["in"] == "query" && p["required"] == true).map(|p| p["name"].as_str().unwrap()).collect();
            let query = |skip: Option<&str>| required.iter().filter(|n| Some(**n) != skip).map(|n| format!("{n}=1")).collect::<Vec<_>>().join("&");
            let r = c.get(&format!("{url}?{}", query(None))).await;
            if r.status == StatusCode::BAD_REQUEST && r.json()["code"] == "missing_parameter" {
                problems.push(format!("get {path}: {} is required by the handler but documented as optional", r.json()["fields"][0]["field"]));
            }
            for n in &required {
                let r = c.get(&format!("{url}?{}", query(Some(n)))).await;
                let missing = r.status == StatusCode::BAD_REQUEST && r.json()["code"] == "missing_parameter" && r.json()["fields"][0]["field"] == *n;
                if !missing {
                    problems.push(format!("get {path}: {n} is documented as required but the handler does without it ({})", r.status));
                }
            }
        }
    }
    assert!(problems.is_empty(), "the OpenAPI document does not match the handlers:\n{}", problems.join("\n"));
}
