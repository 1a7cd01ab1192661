//! `/api/v1`: the JSON API's common parts — who am I, the organisation tree, the OpenAPI
//! document (generated from the handlers' annotations), and the error and page shapes every
//! endpoint shares. Feature modules add their own endpoints (`hotline::api`).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use crate::auth::{Caller, Perm};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::extract::Query;

pub fn routes() -> ApiRoutes {
    ApiRoutes::new().route("/me", get(me)).route("/orgs", get(list_orgs)).route("/openapi.json", get(openapi))
}

/// The routes of `/api/v1`, with their paths written down as they are added: axum cannot list a
/// router's routes, and the OpenAPI document is checked against this list (every route
/// documented, every documented path a route).
#[derive(Default)]
pub struct ApiRoutes {
    router: Router<AppState>,
    paths: Vec<&'static str>,
}

impl ApiRoutes {
    pub fn new() -> ApiRoutes {
        ApiRoutes::default()
    }

    /// A route, as `Router::route` (the path is relative to `/api/v1`).
    pub fn route(mut self, path: &'static str, method_router: MethodRouter<AppState>) -> ApiRoutes {
        self.router = self.router.route(path, method_router);
        if !self.paths.contains(&path) {
            self.paths.push(path);
        }
        self
    }

    pub fn merge(mut self, other: ApiRoutes) -> ApiRoutes {
        self.router = self.router.merge(other.router);
        self.paths.extend(other.paths);
        self
    }

    /// The paths, relative to `/api/v1`.
    pub fn paths(&self) -> &[&'static str] {
        &self.paths
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}

/// Every route of `/api/v1` of this program: the platform's and the features'.
pub fn all_routes(registry: &crate::registry::Registry) -> ApiRoutes {
    registry.features().fold(routes().merge(crate::indicators::api::routes()), |all, f| all.merge(f.api()))
}

/// The error body of every endpoint.
#[derive(Serialize, ToSchema)]
pub struct ErrorDoc {
    /// Stable machine code, e.g. `validation_failed`, `stale_version`, `case_not_found`.
    pub code: String,
    /// A message for people, in Chinese.
    pub message: String,
    /// Errors on input fields.
    pub fields: Option<Vec<FieldErrorDoc>>,
    /// For refused procedural steps: the legal basis of the rule that refused.
    pub basis: Option<Vec<String>>,
}

#[derive(Serialize, ToSchema)]
pub struct FieldErrorDoc {
    pub field: String,
    pub code: String,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeResponse {
    /// `staff` or `token`
    pub kind: String,
    pub id: i64,
    pub name: String,
    pub org_id: i64,
    pub permissions: Vec<String>,
}

/// Who is calling.
#[utoipa::path(get, path = "/api/v1/me", tag = "platform", responses((status = 200, body = MeResponse), (status = 401, body = ErrorDoc), (status = 403, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn me(caller: Caller) -> Json<MeResponse> {
    Json(match &caller {
        Caller::Staff(s) => MeResponse {
            kind: "staff".into(),
            id: s.id,
            name: s.name.clone(),
            org_id: s.org_id,
            permissions: crate::auth::roles::all_perms().into_iter().filter(|p| s.has(*p)).map(|p| p.code().to_string()).collect(),
        },
        Caller::Token(t) => MeResponse {
            kind: "token".into(),
            id: t.token.id,
            name: t.token.name.clone(),
            org_id: t.token.org_id,
            permissions: t.token.perms().iter().map(|p| p.code().to_string()).collect(),
        },
    })
}

#[derive(Serialize, ToSchema)]
pub struct OrgDto {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub code: String,
    pub name: String,
    pub short_name: String,
    /// city, department, town, park, village, community, unit
    pub kind: String,
    pub active: bool,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrgQuery {
    /// Only these kinds (comma separated).
    pub kind: Option<String>,
}

/// The organisation tree (public facts: names and codes).
#[utoipa::path(get, path = "/api/v1/orgs", tag = "platform", params(OrgQuery), responses((status = 200, body = [OrgDto]), (status = 401, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn list_orgs(State(state): State<AppState>, caller: Caller, Query(q): Query<OrgQuery>) -> Result<Json<Vec<OrgDto>>, AppError> {
    if !caller.has(Perm::CASE_READ) && !caller.has(Perm::ADMIN_ORGS) {
        return Err(AppError::forbidden("forbidden", "没有查看机构的权限"));
    }
    let kinds: Vec<String> = q.kind.map(|k| k.split(',').map(|s| s.trim().to_string()).collect()).unwrap_or_default();
    let all = crate::org::queries::all(&state.db).await?;
    Ok(Json(
        all.into_iter()
            .filter(|o| kinds.is_empty() || kinds.contains(&o.kind))
            .map(|o| OrgDto { id: o.id, parent_id: o.parent_id, code: o.code, name: o.name, short_name: o.short_name, kind: o.kind, active: o.active })
            .collect(),
    ))
}

#[derive(OpenApi)]
#[openapi(
    info(title = "法治政府建设平台 API", version = "1", description = "Fazhi JSON API. Authenticate with `Authorization: Bearer <token>` (tokens are issued under 系统管理 › 接口令牌). Errors share one shape (`ErrorDoc`); lists are paginated with `page` and `per` and answer `{items, page, per_page, total}`."),
    paths(me, list_orgs, crate::indicators::api::list, crate::indicators::api::evaluate, crate::indicators::api::records),
    components(schemas(ErrorDoc, FieldErrorDoc, MeResponse, OrgDto)),
    modifiers(&Security),
    tags((name = "platform", description = "账号与机构"))
)]
pub struct ApiDoc;

/// The whole document: the platform's endpoints and every feature's.
pub fn document(registry: &crate::registry::Registry) -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    for f in registry.features() {
        if let Some(part) = f.openapi() {
            doc.merge(part);
        }
    }
    doc
}

struct Security;
impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let comps = openapi.components.get_or_insert_with(Default::default);
        comps.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}

/// The OpenAPI 3 document.
pub async fn openapi(State(state): State<AppState>) -> Response {
    Json(document(&state.registry)).into_response()
}
