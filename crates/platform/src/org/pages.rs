//! `/admin/orgs`: the organisation tree, its editing, import and export.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures::FutureExt;
use serde::Deserialize;

use super::model::ALL_KINDS;
use super::queries::{self, OrgInput, OrgRow};
use super::transfer;
use crate::audit::{self, EventRow};
use crate::auth::{Perm, Staff};
use crate::error::{AppError, FieldError};
use crate::state::AppState;
use crate::tabular::RowError;
use crate::web::extract::{Path, Query};
use crate::web::form::{FormData, Multipart};
use crate::web::{Ctx, Layout, PageError, redirect_ok, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/orgs", get(list).post(create))
        .route("/admin/orgs/new", get(new_form))
        .route("/admin/orgs/import", post(import))
        .route("/admin/orgs/export.csv", get(export_csv))
        .route("/admin/orgs/export.xlsx", get(export_xlsx))
        .route("/admin/orgs/{id}", get(edit_form).post(update))
        .route("/orgs/tree.json", get(tree_json))
}

/// A unit as the organisation picker (`static/orgpicker.js`) reads it.
#[derive(serde::Serialize)]
struct TreeNode {
    id: i64,
    code: String,
    name: String,
    short: String,
    parent: Option<i64>,
    kind: &'static str,
}

/// The whole tree for the organisation picker, parents before children. The names of public
/// bodies are public, and the portal's pickers use it too: no login needed.
async fn tree_json(State(state): State<AppState>) -> Result<Response, AppError> {
    let rows = queries::all(&state.db).await?;
    let nodes: Vec<TreeNode> = rows
        .into_iter()
        .filter(|o| o.active)
        .map(|o| TreeNode { kind: o.kind_label(), id: o.id, code: o.code, name: o.name, short: o.short_name, parent: o.parent_id })
        .collect();
    Ok(axum::Json(nodes).into_response())
}

struct OrgLine {
    org: OrgRow,
    indent: i64,
}

#[derive(Template)]
#[template(path = "admin/orgs.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<OrgLine>,
    search: String,
    kind: String,
    kinds: Vec<(&'static str, &'static str)>,
    total: usize,
    import_errors: Vec<RowError>,
}

#[derive(Deserialize)]
struct ListQuery {
    q: Option<String>,
    kind: Option<String>,
}

async fn list(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_ORGS)?;
    list_page(&state, &staff, &ctx, q, vec![]).await
}

async fn list_page(state: &AppState, staff: &Staff, ctx: &Ctx, q: ListQuery, import_errors: Vec<RowError>) -> Result<Response, PageError> {
    let all = queries::all(&state.db).await?;
    let total = all.len();
    let search = q.q.unwrap_or_default();
    let kind = q.kind.unwrap_or_default();
    let rows = all
        .into_iter()
        .filter(|o| search.is_empty() || o.name.contains(search.trim()) || o.code.contains(search.trim()))
        .filter(|o| kind.is_empty() || o.kind == kind)
        .map(|o| OrgLine { indent: o.depth, org: o })
        .collect();
    render(&ListPage {
        layout: Layout::new(staff, ctx, "机构管理").crumb("系统管理", "").crumb("机构", "/admin/orgs"),
        rows,
        search,
        kind,
        kinds: ALL_KINDS.iter().map(|k| (k.code(), k.label())).collect(),
        total,
        import_errors,
    })
}

#[derive(Template)]
#[template(path = "admin/org_form.html")]
struct FormPage {
    layout: Layout,
    org: Option<OrgRow>,
    input: OrgInput,
    version: i64,
    errors: Vec<FieldError>,
    kinds: Vec<(&'static str, &'static str)>,
    parents: Vec<OrgRow>,
    timeline: Vec<EventRow>,
}

async fn form_page(state: &AppState, staff: &Staff, ctx: &Ctx, org: Option<OrgRow>, input: OrgInput, errors: Vec<FieldError>) -> Result<Response, PageError> {
    let parents = queries::all(&state.db).await?.into_iter().filter(|o| !o.kind().is_village_level()).collect();
    let timeline = match &org {
        Some(o) => audit::timeline(&state.db, "org", o.id).await?,
        None => vec![],
    };
    let title = match &org {
        Some(o) => format!("编辑机构：{}", o.name),
        None => "新建机构".to_string(),
    };
    let bad = !errors.is_empty();
    let mut r = render(&FormPage {
        layout: Layout::new(staff, ctx, title.clone()).crumb("机构", "/admin/orgs").crumb(title, ""),
        version: org.as_ref().map(|o| o.version).unwrap_or(0),
        org,
        input,
        errors,
        kinds: ALL_KINDS.iter().map(|k| (k.code(), k.label())).collect(),
        parents,
        timeline,
    })?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

#[derive(Deserialize)]
struct NewQuery {
    parent: Option<String>,
}

async fn new_form(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(q): Query<NewQuery>) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_ORGS)?;
    let input = OrgInput { parent_code: q.parent, active: true, kind: "department".into(), ..Default::default() };
    form_page(&state, &staff, &ctx, None, input, vec![]).await
}

fn input_from(form: &FormData) -> OrgInput {
    OrgInput {
        parent_code: form.get("parent_code").map(str::to_string).filter(|s| !s.is_empty()),
        code: form.get("code").unwrap_or("").trim().to_string(),
        name: form.get("name").unwrap_or("").to_string(),
        short_name: form.get("short_name").map(str::to_string),
        kind: form.get("kind").unwrap_or("").to_string(),
        sort: form.int("sort").unwrap_or(0),
        active: form.checked("active"),
    }
}

async fn create(State(state): State<AppState>, staff: Staff, ctx: Ctx, form: FormData) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_ORGS)?;
    let input = input_from(&form);
    let actor = staff.actor();
    let i2 = input.clone();
    match state.db.write(move |tx| async move { queries::create(tx, &actor, &i2).await }.boxed()).await {
        Ok(o) => Ok(redirect_ok("/admin/orgs", &format!("已新建机构“{}”（编码 {}）", o.name, o.code))),
        Err(AppError::Invalid { mut fields, .. }) => {
            form.order_errors(&mut fields);
            form_page(&state, &staff, &ctx, None, input, fields).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit_form(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_ORGS)?;
    let org = queries::get(&state.db, id).await?.ok_or_else(|| AppError::not_found("org_not_found", "机构不存在"))?;
    let parent_code = match org.parent_id {
        Some(p) => queries::get(&state.db, p).await?.map(|p| p.code),
        None => None,
    };
    let input = OrgInput {
        parent_code,
        code: org.code.clone(),
        name: org.name.clone(),
        short_name: Some(org.short_name.clone()),
        kind: org.kind.clone(),
        sort: org.sort,
        active: org.active,
    };
    form_page(&state, &staff, &ctx, Some(org), input, vec![]).await
}

async fn update(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>, form: FormData) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_ORGS)?;
    let input = input_from(&form);
    let version = form.int("version").ok_or_else(|| AppError::bad_request("missing_version", "缺少版本号，请刷新页面后重试"))?;
    let actor = staff.actor();
    let i2 = input.clone();
    match state.db.write(move |tx| async move { queries::update(tx, &actor, id, version, &i2).await }.boxed()).await {
        Ok(o) => Ok(redirect_ok(&format!("/admin/orgs/{id}"), &format!("已保存“{}”", o.name))),
        Err(AppError::Invalid { mut fields, .. }) => {
            form.order_errors(&mut fields);
            let org = queries::get(&state.db, id).await?;
            form_page(&state, &staff, &ctx, org, input, fields).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn import(State(state): State<AppState>, staff: Staff, ctx: Ctx, form: Multipart) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_ORGS)?;
    let Some(file) = form.files.first() else {
        return Err(AppError::field("file", "required", "请选择要导入的 CSV 或 XLSX 文件").into());
    };
    match transfer::import(&state.db, staff.actor(), &file.bytes).await {
        Ok(r) => Ok(redirect_ok("/admin/orgs", &format!("导入完成：新建 {} 个、更新 {} 个机构", r.created, r.updated))),
        Err(errors) => {
            let mut resp = list_page(&state, &staff, &ctx, ListQuery { q: None, kind: None }, errors).await?;
            *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
    }
}

async fn export_csv(State(state): State<AppState>, staff: Staff) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_ORGS)?;
    let rows = transfer::export_rows(&state.db).await?;
    Ok(crate::tabular::csv_response(crate::tabular::write_csv(&transfer::HEADER, &rows), "机构"))
}

async fn export_xlsx(State(state): State<AppState>, staff: Staff) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_ORGS)?;
    let rows = transfer::export_rows(&state.db).await?;
    // The columns are the import's: the file can be edited and imported again (the reader
    // skips the title line).
    let title = crate::tabular::export_title("机构", &[], rows.len());
    // Codes stay text (leading zeros); the order is a number.
    let cells = rows
        .iter()
        .map(|r| r.iter().enumerate().map(|(i, v)| if i == 5 { crate::tabular::XCell::guess(v) } else { crate::tabular::XCell::text(v.clone()) }).collect())
        .collect();
    let header = transfer::HEADER.iter().map(|h| h.to_string()).collect();
    Ok(crate::tabular::export("机构", &[crate::tabular::Sheet::new("机构", Some(title), header, cells)])?)
}
