//! The published reports on the portal (督察工作规定 Art. 24: published by 1 April): a list and
//! each report as frozen. Public, no login; a report not published answers 404. The text is
//! the frozen one, figures as plain text (the drill-downs are staff pages), no personal data
//! (the report holds aggregates only).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

use crate::compose::Composed;
use crate::queries::{self, ReportRow};
use crate::{html, service};
use fazhi_platform::auth::MaybeCitizen;
use fazhi_platform::error::AppError;
use fazhi_platform::state::AppState;
use fazhi_platform::web::extract::Path;
use fazhi_platform::web::{Ctx, PageError, PortalLayout, render};

pub fn routes() -> Router<AppState> {
    Router::new().route("/portal/annual-reports", get(list)).route("/portal/annual-reports/{id}", get(show))
}

pub struct Item {
    pub r: ReportRow,
    pub unit: String,
}

#[derive(Template)]
#[template(path = "annual/portal_list.html")]
struct ListPage {
    layout: PortalLayout,
    items: Vec<Item>,
}

async fn list(State(state): State<AppState>, ctx: Ctx, MaybeCitizen(c): MaybeCitizen) -> Result<Response, PageError> {
    let rows = queries::published(&state.db).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.org_id).collect();
    let names: Vec<(i64, String)> = fazhi_platform::db::q("SELECT id, name FROM orgs WHERE").push_in("id", &ids).fetch_all(&state.db).await?;
    let items = rows.into_iter().map(|r| Item { unit: names.iter().find(|n| n.0 == r.org_id).map(|n| n.1.clone()).unwrap_or_default(), r }).collect();
    render(&ListPage { layout: PortalLayout::new(&ctx, "法治政府建设年度报告", c.as_ref()), items })
}

#[derive(Template)]
#[template(path = "annual/portal_report.html")]
struct ReportPage {
    layout: PortalLayout,
    r: ReportRow,
    doc: Composed,
    body: String,
}

async fn show(State(state): State<AppState>, ctx: Ctx, MaybeCitizen(c): MaybeCitizen, Path(id): Path<i64>) -> Result<Response, PageError> {
    let not_found = || AppError::not_found("report_not_found", "该报告不存在或尚未公开");
    let r = queries::published(&state.db).await?.into_iter().find(|r| r.id == id).ok_or_else(not_found)?;
    let doc = service::frozen(&r).ok_or_else(not_found)?;
    render(&ReportPage { layout: PortalLayout::new(&ctx, r.title.clone(), c.as_ref()), body: html::body(&doc, false), doc, r })
}
