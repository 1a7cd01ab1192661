//! `/portal`: what a citizen can do here, and what happens after, with the time limits.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use crate::app::AppState;
use crate::auth::MaybeCitizen;
use crate::hotline::rules::{MAILBOX_LOCAL, PROCEDURE, WEIFANG_20};
use crate::kernel::engine::rule_days;
use crate::web::{Ctx, PageError, PortalLayout, render};

/// The hotline's local time limits as configured: (handling days, mailbox days).
pub async fn time_limits(state: &AppState) -> Result<(u32, u32), crate::error::AppError> {
    let overrides = crate::settings::procedure_overrides(&state.db, "hotline").await?;
    let days = |code: &str| PROCEDURE.deadlines.iter().find(|d| d.code == code).map(|d| rule_days(d, &overrides)).unwrap_or(0);
    Ok((days("handle"), days("mailbox")))
}

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage {
    layout: PortalLayout,
    handle_days: u32,
    mailbox_days: u32,
    handle_basis: String,
    mailbox_basis: String,
}

pub async fn home(State(state): State<AppState>, ctx: Ctx, MaybeCitizen(c): MaybeCitizen) -> Result<Response, PageError> {
    let (handle_days, mailbox_days) = time_limits(&state).await?;
    render(&HomePage {
        layout: PortalLayout::new(&ctx, "首页", c.as_ref()),
        handle_days,
        mailbox_days,
        handle_basis: WEIFANG_20.full(),
        mailbox_basis: MAILBOX_LOCAL.full(),
    })
}
