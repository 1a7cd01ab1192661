//! The public library of normative documents on the portal: every document published through
//! the procedure, with its status today (a document past its validity reads expired at once),
//! its versions and the days each took effect, its cleanups, and its text as it stood on any
//! day. Drafts are not shown; a document not published answers 404.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use chrono::NaiveDate;
use serde::Deserialize;

use super::model;
use super::queries::{self, ClauseRow, CleanupRow, DocRow, Filter, VersionRow};
use crate::auth::MaybeCitizen;
use crate::auth::roles::Scope;
use crate::error::AppError;
use crate::state::AppState;
use crate::time::{fmt_date, parse_date, today};
use crate::web::extract::{Path, Query};
use crate::web::{Ctx, Page, PageError, PortalLayout, render};

pub fn routes() -> Router<AppState> {
    Router::new().route("/portal/normdocs", get(library)).route("/portal/normdocs/{id}", get(document))
}

pub struct Item {
    pub id: i64,
    pub title: String,
    pub doc_no: String,
    pub unit: String,
    pub published_on: String,
    pub status: String,
    pub tone: &'static str,
}

#[derive(Template)]
#[template(path = "decisions/portal_library.html")]
struct LibraryPage {
    layout: PortalLayout,
    page: Page<Item>,
    q: String,
    status: String,
    base: String,
}

#[derive(Deserialize, Default)]
struct LibraryQuery {
    q: Option<String>,
    /// in_force (default), lapsed, ended, all
    status: Option<String>,
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    page: Option<i64>,
}

async fn library(State(state): State<AppState>, ctx: Ctx, MaybeCitizen(c): MaybeCitizen, Query(lq): Query<LibraryQuery>) -> Result<Response, PageError> {
    let status = match lq.status.as_deref() {
        Some(s @ ("lapsed" | "ended" | "all")) => s.to_string(),
        _ => "in_force".to_string(),
    };
    let f = Filter { q: lq.q.clone(), status: Some(if status == "all" { "public".into() } else { status.clone() }), page: lq.page, ..Default::default() };
    let day = today();
    let rows = queries::list(&state.db, &f, &Scope::All, None, &fmt_date(day)).await?;
    let ids: Vec<i64> = rows.items.iter().map(|r| r.org_id).collect();
    let names: Vec<(i64, String)> = crate::db::q("SELECT id, name FROM orgs WHERE").push_in("id", &ids).fetch_all(&state.db).await?;
    let items = rows
        .items
        .into_iter()
        .map(|r| {
            let (status, tone) = super::pages::status_label(&r.state, r.effective_on.as_deref(), r.valid_until.as_deref(), r.ended_on.as_deref(), day);
            Item {
                id: r.id,
                title: r.title,
                doc_no: r.doc_no.unwrap_or_default(),
                unit: names.iter().find(|n| n.0 == r.org_id).map(|n| n.1.clone()).unwrap_or_default(),
                published_on: r.published_on.unwrap_or_default(),
                status,
                tone,
            }
        })
        .collect();
    let q = lq.q.unwrap_or_default();
    render(&LibraryPage {
        layout: PortalLayout::new(&ctx, "行政规范性文件库", c.as_ref()),
        page: Page { items, page: rows.page, per_page: rows.per_page, total: rows.total },
        base: format!("/portal/normdocs?q={}&status={status}&", crate::web::urlencode(&q)),
        q,
        status,
    })
}

#[derive(Template)]
#[template(path = "decisions/portal_document.html")]
struct DocumentPage {
    layout: PortalLayout,
    d: DocRow,
    unit: String,
    status: String,
    tone: &'static str,
    versions: Vec<VersionRow>,
    cleanups: Vec<CleanupRow>,
    on: String,
    shown: String,
    clauses: Vec<ClauseRow>,
}

#[derive(Deserialize, Default)]
struct DocQuery {
    on: Option<String>,
}

async fn document(
    State(state): State<AppState>,
    ctx: Ctx,
    MaybeCitizen(c): MaybeCitizen,
    Path(id): Path<i64>,
    Query(dq): Query<DocQuery>,
) -> Result<Response, PageError> {
    let not_found = || AppError::not_found("normdoc_not_found", "该规范性文件不存在或尚未公布");
    let (case, d) = queries::load(&state.db, id).await?.filter(|(_, d)| d.published_on.is_some()).ok_or_else(not_found)?;
    let day = today();
    let on: NaiveDate = match dq.on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => day,
        Some(s) => parse_date(s).ok_or_else(|| AppError::field("on", "bad_date", "日期格式应为 YYYY-MM-DD"))?,
    };
    let versions: Vec<VersionRow> = queries::versions(&state.db, id).await?.into_iter().filter(|v| v.in_force_from.is_some()).collect();
    let vs: Vec<(i64, Option<NaiveDate>)> = versions.iter().map(|v| (v.version_no, v.in_force_from.as_deref().and_then(parse_date))).collect();
    let (shown, clauses) = match model::version_on(&d.dates(), &vs, on) {
        Some(v) => (format!("{} 施行的文本", fmt_date(on)), queries::clauses(&state.db, id, v).await?),
        None => (format!("{} 本文件不在有效期内：{}", fmt_date(on), model::status_on(&d.dates(), on).label()), vec![]),
    };
    let (status, tone) = super::pages::status_label(&case.state, d.effective_on.as_deref(), d.valid_until.as_deref(), d.ended_on.as_deref(), day);
    let unit = crate::org::queries::get(&state.db, case.org_id).await?.map(|o| o.name).unwrap_or_default();
    render(&DocumentPage {
        layout: PortalLayout::new(&ctx, d.title.clone(), c.as_ref()),
        cleanups: queries::cleanups(&state.db, id).await?,
        on: fmt_date(on),
        d,
        unit,
        status,
        tone,
        versions,
        shown,
        clauses,
    })
}
