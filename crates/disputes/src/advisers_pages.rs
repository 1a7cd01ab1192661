//! The page of 一村（社区）一法律顾问: coverage by town (computed from the assignments), the
//! advisers with the villages they serve, and — for the 市公共法律服务中心 — registering an
//! adviser, assigning a village and logging a service.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};

use crate::advisers::{self, AdviserRow, PLS_MANAGE, TownCoverage};
use crate::auth::{Perm, Staff};
use crate::error::AppError;
use crate::service::Who;
use crate::state::AppState;
use crate::web::form::FormData;
use crate::web::{Ctx, Layout, PageError, redirect_flash, redirect_ok, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/disputes/advisers", get(page))
        .route("/disputes/advisers/new", post(add))
        .route("/disputes/advisers/assign", post(assign))
        .route("/disputes/advisers/service", post(service))
}

pub fn reads(staff: &Staff) -> bool {
    staff.has(PLS_MANAGE) || staff.has(Perm::KPI_READ)
}

#[derive(Template)]
#[template(path = "disputes/advisers.html")]
struct AdvisersPage {
    layout: Layout,
    towns: Vec<TownCoverage>,
    total: (i64, i64),
    advisers: Vec<AdviserRow>,
    villages: Vec<crate::org::queries::OrgRow>,
    manage: bool,
    kinds: &'static [(&'static str, &'static str)],
    services: &'static [(&'static str, &'static str)],
    today: String,
}

impl AdvisersPage {
    fn kind(&self, k: &str) -> &'static str {
        advisers::label(advisers::KINDS, k)
    }
}

async fn page(State(state): State<AppState>, staff: Staff, ctx: Ctx) -> Result<Response, PageError> {
    if !reads(&staff) {
        return Err(AppError::forbidden("forbidden", "您没有查看法律顾问配备情况的权限").into());
    }
    let towns = advisers::coverage(&state.db).await?;
    let total = towns.iter().fold((0, 0), |(c, v), t| (c + t.covered, v + t.villages));
    let manage = staff.has(PLS_MANAGE);
    let villages =
        if manage { crate::org::queries::of_kinds(&state.db, &[crate::org::OrgKind::Village, crate::org::OrgKind::Community]).await? } else { vec![] };
    render(&AdvisersPage {
        layout: Layout::new(&staff, &ctx, "村（社区）法律顾问").crumb("公共法律服务", "/disputes/advisers").crumb("一村一法律顾问", ""),
        towns,
        total,
        advisers: advisers::advisers(&state.db).await?,
        villages,
        manage,
        kinds: advisers::KINDS,
        services: advisers::SERVICES,
        today: crate::time::fmt_date(crate::time::today()),
    })
}

fn done(r: Result<impl Sized, AppError>, ok: &str) -> Result<Response, PageError> {
    match r {
        Ok(_) => Ok(redirect_ok("/disputes/advisers", ok)),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => Ok(redirect_flash("/disputes/advisers", false, &e.user_message())),
        Err(e) => Err(e.into()),
    }
}

async fn add(State(state): State<AppState>, staff: Staff, form: FormData) -> Result<Response, PageError> {
    staff.require(PLS_MANAGE)?;
    let g = |k: &str| form.get(k).unwrap_or("").to_string();
    done(advisers::add_adviser(&state, &Who::staff(&staff), &g("name"), &g("kind"), &g("firm")).await, "已登记法律顾问")
}

async fn assign(State(state): State<AppState>, staff: Staff, form: FormData) -> Result<Response, PageError> {
    staff.require(PLS_MANAGE)?;
    done(
        advisers::assign(&state, &Who::staff(&staff), form.int("org_id").unwrap_or(0), form.int("adviser_id").unwrap_or(0)).await,
        "已确定该村（社区）的法律顾问",
    )
}

async fn service(State(state): State<AppState>, staff: Staff, form: FormData) -> Result<Response, PageError> {
    staff.require(PLS_MANAGE)?;
    let r = advisers::log_service(
        &state,
        &Who::staff(&staff),
        form.int("org_id").unwrap_or(0),
        form.get("kind").unwrap_or(""),
        form.get("served_on").unwrap_or(""),
        form.int("people").unwrap_or(1),
        form.get("note").unwrap_or(""),
    )
    .await;
    done(r, "已登记服务")
}
