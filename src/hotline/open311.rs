use crate::app::AppState;
use axum::Router;
pub fn routes() -> Router<AppState> {
    Router::new()
}
pub fn error_response(status: axum::http::StatusCode, code: &str, description: &str, _xml: bool) -> axum::response::Response {
    use axum::response::IntoResponse;
    (status, axum::Json(serde_json::json!([{"code": code, "description": description}]))).into_response()
}
