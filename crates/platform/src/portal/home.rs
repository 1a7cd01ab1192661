//! `/portal`: what a citizen can do here, and what happens after, with the time limits. Each
//! feature brings its own entries (`Feature::portal`).

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use crate::auth::MaybeCitizen;
use crate::registry::PortalEntry;
use crate::state::AppState;
use crate::web::{Ctx, PageError, PortalLayout, render};

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage {
    layout: PortalLayout,
    entries: Vec<PortalEntry>,
}

impl HomePage {
    fn mine(&self) -> Vec<&(String, String)> {
        self.entries.iter().filter_map(|e| e.mine.as_ref()).collect()
    }
}

pub async fn home(State(state): State<AppState>, ctx: Ctx, MaybeCitizen(c): MaybeCitizen) -> Result<Response, PageError> {
    let mut entries = Vec::new();
    for f in state.registry.features() {
        let e = f.portal(&state).await?;
        if !e.tiles.is_empty() {
            entries.push(e);
        }
    }
    render(&HomePage { layout: PortalLayout::new(&ctx, "首页", c.as_ref()).with_staff_login(), entries })
}
