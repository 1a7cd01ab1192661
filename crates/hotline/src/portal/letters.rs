//! `/portal/letters`: the 市长信箱 letters published with their writers' consent, and the
//! replies — only the texts staff prepared for publication, with numbers that identify a
//! person masked.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::queries::{self, LetterRow};
use crate::auth::MaybeCitizen;
use crate::error::AppError;
use crate::state::AppState;
use crate::time::{fmt_date_cn, local_date};
use crate::web::extract::{Path, Query};
use crate::web::{Ctx, Page, PageError, Paging, PortalLayout, render};

pub struct LetterView {
    pub id: i64,
    pub subject: String,
    pub excerpt: String,
    pub body: String,
    pub reply: String,
    pub received: String,
    pub replied: String,
    pub published: String,
}

fn day(ms: Option<i64>) -> String {
    ms.map(|m| fmt_date_cn(local_date(m))).unwrap_or_default()
}

/// What was published is masked again when shown: a letter published before the masker learnt a
/// way of writing a number is covered too.
fn view(r: LetterRow) -> LetterView {
    let mask = |s: Option<String>| crate::privacy::mask_in_text(s.as_deref().unwrap_or_default()).0;
    let body = mask(r.publish_body);
    let mut excerpt: String = body.chars().filter(|c| !c.is_control()).take(60).collect();
    if body.chars().count() > 60 {
        excerpt.push('…');
    }
    LetterView {
        id: r.id,
        subject: mask(r.publish_subject),
        excerpt,
        body,
        reply: mask(r.publish_reply),
        received: day(Some(r.received_at)),
        replied: day(r.replied_at),
        published: day(r.published_at),
    }
}

#[derive(Template)]
#[template(path = "portal/letters.html")]
struct LettersPage {
    layout: PortalLayout,
    page: Page<LetterView>,
    base: String,
}

pub async fn list(State(state): State<AppState>, ctx: Ctx, MaybeCitizen(c): MaybeCitizen, Query(paging): Query<Paging>) -> Result<Response, PageError> {
    let paging = Paging { page: paging.page, per: Some(paging.per.unwrap_or(10).min(50)) };
    let page = queries::letters(&state.db, &paging).await?.map(view);
    render(&LettersPage { layout: PortalLayout::new(&ctx, "信件公开", c.as_ref()), page, base: "/portal/letters?".into() })
}

#[derive(Template)]
#[template(path = "portal/letter_show.html")]
struct LetterShowPage {
    layout: PortalLayout,
    l: LetterView,
}

pub async fn show(State(state): State<AppState>, ctx: Ctx, MaybeCitizen(c): MaybeCitizen, Path(id): Path<i64>) -> Result<Response, PageError> {
    let l = queries::letter(&state.db, id).await?.map(view).ok_or_else(|| AppError::not_found("letter_not_found", "该信件不存在或未公开"))?;
    render(&LetterShowPage { layout: PortalLayout::new(&ctx, l.subject.clone(), c.as_ref()), l })
}
