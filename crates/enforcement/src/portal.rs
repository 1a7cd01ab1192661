//! 事后公示 on the portal: the penalty decisions that went through the disclosure step, with
//! the deciding unit, the decision and its number; a natural person's name is masked
//! (LEGAL-RULES §3(c), 118号). Cases not yet disclosed are not shown.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::queries;
use super::rules;
use crate::auth::MaybeCitizen;
use crate::state::AppState;
use crate::web::extract::Query;
use crate::web::pagination::Paging;
use crate::web::{Ctx, Page, PageError, PortalLayout, render};

pub fn routes() -> Router<AppState> {
    Router::new().route("/portal/enforcement/decisions", get(decisions))
}

pub struct Item {
    pub decision_no: String,
    pub title: String,
    pub unit: String,
    pub field: &'static str,
    pub party: String,
    pub decision: String,
    pub fine: String,
    pub decided_on: String,
    pub disclosed_on: String,
}

#[derive(Template)]
#[template(path = "enforcement/portal_decisions.html")]
struct DecisionsPage {
    layout: PortalLayout,
    page: Page<Item>,
    q: String,
    base: String,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    q: Option<String>,
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    page: Option<i64>,
}

async fn decisions(State(state): State<AppState>, ctx: Ctx, MaybeCitizen(c): MaybeCitizen, Query(lq): Query<ListQuery>) -> Result<Response, PageError> {
    let paging = Paging { page: lq.page, per: None };
    let rows = queries::public_decisions(&state.db, lq.q.as_deref(), &paging).await?;
    let ids: Vec<i64> = rows.items.iter().map(|r| r.org_id).collect();
    let names: Vec<(i64, String)> = crate::db::q("SELECT id, name FROM orgs WHERE").push_in("id", &ids).fetch_all(&state.db).await?;
    let items = rows
        .items
        .into_iter()
        .map(|r| Item {
            party: r.party_shown(),
            unit: names.iter().find(|n| n.0 == r.org_id).map(|n| n.1.clone()).unwrap_or_default(),
            field: rules::label(rules::FIELDS, &r.field),
            decision_no: r.decision_no.unwrap_or_default(),
            title: r.title,
            decision: r.decision.unwrap_or_default(),
            fine: r.fine.map(|f| format!("罚款 {f} 元")).unwrap_or_default(),
            decided_on: r.decided_on.unwrap_or_default(),
            disclosed_on: r.disclosed_on.unwrap_or_default(),
        })
        .collect();
    let q = lq.q.unwrap_or_default();
    render(&DecisionsPage {
        layout: PortalLayout::new(&ctx, "行政处罚决定公示", c.as_ref()),
        page: Page { items, page: rows.page, per_page: rows.per_page, total: rows.total },
        base: format!("/portal/enforcement/decisions?q={}&", crate::web::urlencode(&q)),
        q,
    })
}
