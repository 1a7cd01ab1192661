//! The citizens' side of major decisions on the portal: the published catalogues with the stage
//! each item has reached, and each launched decision's draft while the public is asked about it;
//! a citizen comments on a clause after verifying the phone (the comment is one of the window's
//! records, grouped with look-alikes for staff, never dropped).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};

use super::queries::{self, CatalogueRow, DecisionRow, ItemRow};
use super::rules::{self, PROCEDURE};
use crate::auth::MaybeCitizen;
use crate::error::AppError;
use crate::queries as docs;
use crate::state::AppState;
use crate::time::{parse_date, today};
use crate::web::extract::Path;
use crate::web::form::FormData;
use crate::web::{Ctx, PageError, PortalLayout, redirect_ok, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal/decisions", get(catalogues))
        .route("/portal/decisions/{id}", get(decision))
        .route("/portal/decisions/{id}/comments", post(comment))
}

pub struct PublicCatalogue {
    pub c: CatalogueRow,
    pub items: Vec<ItemRow>,
}

#[derive(Template)]
#[template(path = "decisions/portal_decisions.html")]
struct CataloguesPage {
    layout: PortalLayout,
    list: Vec<PublicCatalogue>,
}

impl CataloguesPage {
    fn category(&self, c: &str) -> &'static str {
        rules::category_label(c)
    }
    fn stage(&self, s: &Option<String>) -> &'static str {
        s.as_deref().map(|s| PROCEDURE.state_name(s)).unwrap_or("尚未启动")
    }
}

async fn catalogues(State(state): State<AppState>, ctx: Ctx, MaybeCitizen(c): MaybeCitizen) -> Result<Response, PageError> {
    let mut list = Vec::new();
    for cat in queries::catalogues(&state.db, true).await?.into_iter().take(3) {
        let items = queries::items(&state.db, cat.id).await?;
        list.push(PublicCatalogue { c: cat, items });
    }
    render(&CataloguesPage { layout: PortalLayout::new(&ctx, "重大行政决策", c.as_ref()), list })
}

#[derive(Template)]
#[template(path = "decisions/portal_decision.html")]
struct DecisionPage {
    layout: PortalLayout,
    d: DecisionRow,
    stage: &'static str,
    unit: String,
    window: Option<docs::WindowRow>,
    open: bool,
    clauses: Vec<docs::ClauseRow>,
    signed_in: bool,
    /// The 采纳情况 of public comments once the window closed (Art. 18), and of the experts' once
    /// the decision is published (Art. 32).
    participation_report: Option<String>,
    expert_report: Option<String>,
    error: String,
    body: String,
    clause_no: String,
}

/// A decision is public once launched from a published catalogue; its draft is shown while a
/// window asks about it and after publication.
async fn public(state: &AppState, id: i64) -> Result<(crate::kernel::queries::CaseRow, DecisionRow), AppError> {
    let nf = || AppError::not_found("decision_not_found", "该决策事项不存在或尚未公开");
    let (c, d) = queries::load(&state.db, id).await?.ok_or_else(nf)?;
    let item = match d.item_id {
        Some(i) => queries::item(&state.db, i).await?,
        None => None,
    };
    let cat = match item {
        Some(i) => queries::catalogue(&state.db, i.catalogue_id).await?,
        None => None,
    };
    if cat.and_then(|c| c.published_on).is_none() || d.withheld_reason.is_some() {
        return Err(nf());
    }
    Ok((c, d))
}

async fn decision_page(
    state: &AppState,
    ctx: &Ctx,
    c: Option<&crate::auth::Citizen>,
    id: i64,
    error: Option<AppError>,
    body: String,
    clause_no: String,
) -> Result<Response, PageError> {
    let (case, d) = public(state, id).await?;
    let window = docs::windows(&state.db, id).await?.into_iter().last();
    let day = today();
    let open = window
        .as_ref()
        .is_some_and(|w| w.closed_on.is_none() && parse_date(&w.opens_on).is_some_and(|o| o <= day) && parse_date(&w.closes_on).is_some_and(|c| day <= c));
    // The text asked about (the window's version), or the latest once published.
    let version = match &window {
        Some(w) if case.state != "published" && case.state != "closed" => Some(w.version_no),
        _ if d.published_on.is_some() => Some(docs::latest_version(&state.db, id).await?),
        _ => None,
    };
    let clauses = match version {
        Some(v) => docs::clauses(&state.db, id, v).await?,
        None => vec![],
    };
    let unit = crate::org::queries::get(&state.db, d.org_id).await?.map(|o| o.name).unwrap_or_default();
    let procs = queries::procedures(&state.db, id).await?;
    let done = |kind: &str| super::service::latest(&procs, kind).filter(|p| p.status == "done").and_then(|p| p.report.clone());
    let participation_report = done("participation");
    let expert_report = if d.published_on.is_some() { done("expert") } else { None };
    let bad = error.is_some();
    let mut r = render(&DecisionPage {
        layout: PortalLayout::new(ctx, d.title.clone(), c),
        stage: PROCEDURE.state_name(&case.state),
        unit,
        window,
        open,
        clauses,
        signed_in: c.is_some(),
        participation_report,
        expert_report,
        error: error.map(|e| e.field_errors().first().map(|f| f.message.clone()).unwrap_or_else(|| e.user_message())).unwrap_or_default(),
        body,
        clause_no,
        d,
    })?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn decision(State(state): State<AppState>, ctx: Ctx, MaybeCitizen(c): MaybeCitizen, Path(id): Path<i64>) -> Result<Response, PageError> {
    decision_page(&state, &ctx, c.as_ref(), id, None, String::new(), String::new()).await
}

async fn comment(State(state): State<AppState>, ctx: Ctx, MaybeCitizen(c): MaybeCitizen, Path(id): Path<i64>, form: FormData) -> Result<Response, PageError> {
    public(&state, id).await?;
    let Some(citizen) = c else {
        return Ok(axum::response::IntoResponse::into_response(axum::response::Redirect::to(&format!("/portal/login?next=/portal/decisions/{id}"))));
    };
    let body = form.get("body").unwrap_or("").to_string();
    let clause = form.get("clause_no").unwrap_or("").to_string();
    match super::service::citizen_comment(&state, &citizen, id, Some(clause.as_str()), Some(body.as_str())).await {
        Ok(_) => Ok(redirect_ok(&format!("/portal/decisions/{id}"), "您的意见已提交，承办单位将研究采纳情况并随决策一并公布")),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => decision_page(&state, &ctx, Some(&citizen), id, Some(e), body, clause).await,
        Err(e) => Err(e.into()),
    }
}
