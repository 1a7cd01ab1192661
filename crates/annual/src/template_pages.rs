//! The administrators' pages of report templates: the list (a new template, empty or copied),
//! and a template's sections in order with forms to add, edit, move and delete them. A refused
//! change shows the form again with the message beside its field.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};

use crate::model;
use crate::queries::{self, TemplateRow, TemplateSectionRow};
use crate::roles;
use crate::templates::{self, SectionInput};
use fazhi_platform::auth::Staff;
use fazhi_platform::error::AppError;
use fazhi_platform::state::AppState;
use fazhi_platform::web::extract::Path;
use fazhi_platform::web::form::FormData;
use fazhi_platform::web::{Ctx, Layout, PageError, redirect_flash, redirect_ok, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/annual/templates", get(list).post(create))
        .route("/annual/templates/{id}", get(show))
        .route("/annual/templates/{id}/sections", post(add))
        .route("/annual/templates/{id}/sections/{sid}", post(edit))
        .route("/annual/templates/{id}/sections/{sid}/move", post(move_section))
        .route("/annual/templates/{id}/sections/{sid}/delete", post(delete))
}

#[derive(Template)]
#[template(path = "annual/templates.html")]
struct ListPage {
    layout: Layout,
    templates: Vec<TemplateRow>,
    values: BTreeMap<String, String>,
    error: Option<AppError>,
}

impl ListPage {
    fn v(&self, k: &str) -> String {
        self.values.get(k).cloned().unwrap_or_default()
    }
    fn err(&self, k: &str) -> String {
        self.error
            .as_ref()
            .map(|e| e.field_errors().iter().filter(|f| f.field == k).map(|f| f.message.clone()).collect::<Vec<_>>().join("；"))
            .unwrap_or_default()
    }
}

async fn list_page(state: &AppState, staff: &Staff, ctx: &Ctx, values: BTreeMap<String, String>, error: Option<AppError>) -> Result<Response, PageError> {
    staff.require(roles::TEMPLATE)?;
    let bad = error.is_some();
    let mut r = render(&ListPage {
        layout: Layout::new(staff, ctx, "年度报告模板").crumb("年度报告", "/annual/reports").crumb("报告模板", ""),
        templates: queries::templates(&state.db).await?,
        values,
        error,
    })?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn list(State(state): State<AppState>, staff: Staff, ctx: Ctx) -> Result<Response, PageError> {
    list_page(&state, &staff, &ctx, BTreeMap::new(), None).await
}

async fn create(State(state): State<AppState>, staff: Staff, ctx: Ctx, form: FormData) -> Result<Response, PageError> {
    match templates::create(&state, &staff, form.get("name"), form.get("description"), form.int("copy_from")).await {
        Ok(id) => Ok(redirect_ok(&format!("/annual/templates/{id}"), "已新建模板")),
        Err(e @ AppError::Invalid { .. }) => list_page(&state, &staff, &ctx, form.0.iter().filter(|(k, _)| k != "_csrf").cloned().collect(), Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

pub struct SectionLine {
    pub s: TemplateSectionRow,
    pub number: String,
    pub contents: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "annual/template.html")]
struct TemplatePage {
    layout: Layout,
    t: TemplateRow,
    sections: Vec<SectionLine>,
    missing: Vec<(&'static str, &'static str)>,
    levels: &'static [(i64, &'static str)],
    contents: &'static [(&'static str, &'static str)],
    /// The section whose form was refused ("new" for the add form), its values and the error.
    refused: Option<(String, BTreeMap<String, String>, AppError)>,
}

impl TemplatePage {
    fn bad(&self, place: &str) -> bool {
        self.refused.as_ref().is_some_and(|r| r.0 == place)
    }
    /// A value of the form at `place`: what was submitted after a refusal, the section's own
    /// otherwise.
    fn v(&self, place: &str, k: &str, own: &str) -> String {
        match &self.refused {
            Some((p, v, _)) if p == place => v.get(k).cloned().unwrap_or_default(),
            _ => own.to_string(),
        }
    }
    fn has(&self, place: &str, code: &str, own: &str) -> bool {
        match &self.refused {
            Some((p, v, _)) if p == place => v.get(&format!("content_{code}")).is_some(),
            _ => own.split(',').any(|c| c == code),
        }
    }
    fn err(&self, place: &str, k: &str) -> String {
        match &self.refused {
            // "_": what no field of the form shows (the level, the contents, a stale page).
            Some((p, _, e)) if p == place && k == "_" => {
                let f: Vec<String> = e.field_errors().iter().filter(|f| f.field != "heading" && f.field != "body").map(|f| f.message.clone()).collect();
                if e.field_errors().is_empty() { e.user_message() } else { f.join("；") }
            }
            Some((p, _, e)) if p == place => e.field_errors().iter().filter(|f| f.field == k).map(|f| f.message.clone()).collect::<Vec<_>>().join("；"),
            _ => String::new(),
        }
    }
}

async fn template_page(
    state: &AppState,
    staff: &Staff,
    ctx: &Ctx,
    id: i64,
    refused: Option<(String, BTreeMap<String, String>, AppError)>,
) -> Result<Response, PageError> {
    staff.require(roles::TEMPLATE)?;
    let t = queries::template(&state.db, id).await?.ok_or_else(|| AppError::not_found("template_not_found", "该模板不存在"))?;
    let rows = queries::template_sections(&state.db, id).await?;
    let numbers = model::numbering(&rows.iter().map(|s| s.level).collect::<Vec<_>>());
    let missing = model::missing_contents(rows.iter().map(|s| s.contents.as_str()));
    let sections = rows
        .into_iter()
        .zip(numbers)
        .map(|(s, number)| SectionLine { contents: model::content_codes(&s.contents).into_iter().map(model::content_label).collect(), number, s })
        .collect();
    let bad = refused.is_some();
    let mut r = render(&TemplatePage {
        layout: Layout::new(staff, ctx, t.name.clone()).crumb("年度报告", "/annual/reports").crumb("报告模板", "/annual/templates").crumb(t.name.clone(), ""),
        t,
        sections,
        missing,
        levels: model::LEVELS,
        contents: model::CONTENTS,
        refused,
    })?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn show(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    template_page(&state, &staff, &ctx, id, None).await
}

fn input(form: &FormData) -> SectionInput<'_> {
    SectionInput {
        level: form.get("level"),
        heading: form.get("heading"),
        body: form.get("body"),
        contents: model::CONTENTS.iter().filter(|c| form.checked(&format!("content_{}", c.0))).map(|c| c.0).collect(),
    }
}

/// After a change to template `at.0` from the form at `at.1`: back to the template, or its page
/// again with the refusal beside the form.
async fn after(
    state: &AppState,
    staff: &Staff,
    ctx: &Ctx,
    at: (i64, String),
    form: &FormData,
    r: Result<(), AppError>,
    ok: &str,
) -> Result<Response, PageError> {
    let (id, place) = at;
    match r {
        Ok(()) => Ok(redirect_ok(&format!("/annual/templates/{id}"), ok)),
        Err(e @ AppError::Invalid { .. }) => {
            let values = form.0.iter().filter(|(k, _)| k != "_csrf").cloned().collect();
            template_page(state, staff, ctx, id, Some((place, values, e))).await
        }
        Err(e @ AppError::Conflict { .. }) => Ok(redirect_flash(&format!("/annual/templates/{id}"), false, &e.user_message())),
        Err(e) => Err(e.into()),
    }
}

async fn add(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>, form: FormData) -> Result<Response, PageError> {
    let r = templates::add_section(&state, &staff, id, form.int("version"), input(&form)).await;
    after(&state, &staff, &ctx, (id, "new".into()), &form, r, "已新增章节").await
}

async fn edit(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path((id, sid)): Path<(i64, i64)>, form: FormData) -> Result<Response, PageError> {
    let r = templates::edit_section(&state, &staff, id, sid, form.int("version"), input(&form)).await;
    after(&state, &staff, &ctx, (id, sid.to_string()), &form, r, "已保存章节").await
}

async fn move_section(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path((id, sid)): Path<(i64, i64)>, form: FormData) -> Result<Response, PageError> {
    let r = templates::move_section(&state, &staff, id, sid, form.int("version"), form.get("dir") == Some("up")).await;
    after(&state, &staff, &ctx, (id, sid.to_string()), &form, r, "已移动章节").await
}

async fn delete(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path((id, sid)): Path<(i64, i64)>, form: FormData) -> Result<Response, PageError> {
    let r = templates::delete_section(&state, &staff, id, sid, form.int("version")).await;
    after(&state, &staff, &ctx, (id, sid.to_string()), &form, r, "已删除章节").await
}
