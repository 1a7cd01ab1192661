//! Documents on screen: the administrators' template list and editor (every feature's
//! templates in one place), and an issued document read in the browser (printable, the seal's
//! place kept) or downloaded as DOCX by staff who may read its case.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

use super::{DocumentRow, TemplateDef, TemplateRow};
use crate::auth::{Perm, Staff};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::extract::Path;
use crate::web::form::FormData;
use crate::web::{Ctx, Layout, PageError, redirect_ok, render};

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/documents", get(list)).route("/admin/documents/{procedure}/{code}", get(edit).post(save)).route("/documents/{id}", get(show))
}

struct Group {
    procedure: &'static str,
    items: Vec<(TemplateRow, &'static TemplateDef)>,
}

#[derive(Template)]
#[template(path = "admin/documents.html")]
struct ListPage {
    layout: Layout,
    groups: Vec<Group>,
}

async fn list(State(state): State<AppState>, staff: Staff, ctx: Ctx) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_SETTINGS)?;
    let procs = state.procedures();
    let mut groups: Vec<Group> = Vec::new();
    for def in state.registry.documents() {
        let row = super::template(&state.db, def).await?;
        let name = procs.iter().find(|p| p.code == def.procedure).map(|p| p.name).unwrap_or(def.procedure);
        match groups.iter_mut().find(|g| g.procedure == name) {
            Some(g) => g.items.push((row, def)),
            None => groups.push(Group { procedure: name, items: vec![(row, def)] }),
        }
    }
    render(&ListPage { layout: Layout::new(&staff, &ctx, "文书模板").crumb("系统管理", "").crumb("文书模板", ""), groups })
}

#[derive(Template)]
#[template(path = "admin/document_edit.html")]
struct EditPage {
    layout: Layout,
    def: &'static TemplateDef,
    t: TemplateRow,
    body: String,
    number_pattern: String,
    preview: Result<String, String>,
    error: Option<AppError>,
}

fn find(state: &AppState, procedure: &str, code: &str) -> Result<&'static TemplateDef, AppError> {
    state
        .registry
        .documents()
        .into_iter()
        .find(|d| d.procedure == procedure && d.code == code)
        .ok_or_else(|| AppError::not_found("template_not_found", "没有这个文书模板"))
}

async fn edit_page(
    state: &AppState,
    staff: &Staff,
    ctx: &Ctx,
    def: &'static TemplateDef,
    draft: Option<(String, String)>,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let t = super::template(&state.db, def).await?;
    let (body, number_pattern) = draft.unwrap_or_else(|| (t.body.clone(), t.number_pattern.clone()));
    let preview = super::render(&body, &def.sample());
    let bad = error.is_some();
    let mut r = render(&EditPage {
        layout: Layout::new(staff, ctx, def.name).crumb("文书模板", "/admin/documents").crumb(def.name, ""),
        def,
        t,
        body,
        number_pattern,
        preview,
        error,
    })?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn edit(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path((procedure, code)): Path<(String, String)>) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_SETTINGS)?;
    let def = find(&state, &procedure, &code)?;
    edit_page(&state, &staff, &ctx, def, None, None).await
}

async fn save(
    State(state): State<AppState>,
    staff: Staff,
    ctx: Ctx,
    Path((procedure, code)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_SETTINGS)?;
    let def = find(&state, &procedure, &code)?;
    let body = form.get("body").unwrap_or("").to_string();
    let pattern = form.get("number_pattern").unwrap_or("").to_string();
    let version = form.int("version").unwrap_or(-1);
    match super::save(&state.db, staff.actor(), Some(staff.id), def, body.clone(), pattern.clone(), version).await {
        Ok(()) => {
            Ok(redirect_ok(&format!("/admin/documents/{procedure}/{code}"), &format!("已保存《{}》；此后制作的文书使用新模板，已发出的文书不变", def.name)))
        }
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => edit_page(&state, &staff, &ctx, def, Some((body, pattern)), Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "document.html")]
struct DocumentPage {
    layout: Layout,
    d: DocumentRow,
    case_url: String,
}

/// `/documents/{id}` as a page, `/documents/{id}.docx` as a download.
async fn show(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<String>) -> Result<Response, PageError> {
    let (num, docx) = match id.strip_suffix(".docx") {
        Some(n) => (n, true),
        None => (id.as_str(), false),
    };
    let missing = || AppError::not_found("document_not_found", "文书不存在");
    let id: i64 = num.parse().map_err(|_| missing())?;
    let d = super::get(&state.db, id).await?.ok_or_else(missing)?;
    // Whoever may read the case may read its documents; nobody else learns they exist.
    let case = crate::kernel::access::readable_case(&state, &staff, d.case_id).await.map_err(|_| missing())?;
    if docx {
        let bytes = super::docx(&d)?;
        let name = format!("{}-{}.docx", d.title, d.number.clone().unwrap_or_else(|| case.case_no.clone()));
        return Ok(crate::reports::docx::response(bytes, &name));
    }
    let case_url = state.procedures().iter().find(|p| p.code == case.procedure).map(|p| p.case_url(case.id)).unwrap_or_default();
    render(&DocumentPage {
        layout: Layout::new(&staff, &ctx, d.title.clone()).crumb(case.case_no.clone(), case_url.clone()).crumb(d.title.clone(), ""),
        d,
        case_url,
    })
}
