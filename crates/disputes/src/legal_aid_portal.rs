//! 法律援助 on the portal: a citizen with a verified phone applies (the means test computed as at
//! the counter, the Art. 42 grounds offered in plain words), follows their applications and rates
//! a concluded case.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};

use crate::error::AppError;
use crate::legal_aid::{self, MineRow};
use crate::legal_aid_rules::{self as rules, PROCEDURE};
use crate::state::AppState;
use crate::web::extract::Path;
use crate::web::form::FormData;
use crate::web::{Ctx, PageError, PortalLayout, redirect_flash, redirect_ok, render};
use fazhi_platform::portal::{FormState, VerifiedCitizen, with_status};

pub fn routes() -> Router<AppState> {
    Router::new().route("/portal/legal-aid", get(form).post(submit)).route("/portal/legal-aid/mine", get(mine)).route("/portal/legal-aid/{id}/rate", post(rate))
}

#[derive(Template)]
#[template(path = "disputes/portal_legal_aid.html")]
struct ApplyPage {
    layout: PortalLayout,
    form: FormState,
    masked: String,
    categories: &'static [(&'static str, &'static str)],
    exempt: &'static [(&'static str, &'static str)],
    threshold: i64,
    threshold_default: bool,
}

async fn page(state: &AppState, ctx: &Ctx, c: &crate::auth::Citizen, form: FormState) -> Result<Response, PageError> {
    let (threshold, threshold_default) = legal_aid::threshold(&state.db).await?;
    let bad = form.bad();
    let r = render(&ApplyPage {
        layout: PortalLayout::new(ctx, "申请法律援助", Some(c)),
        masked: c.phone.masked(),
        form,
        categories: rules::CATEGORIES,
        exempt: rules::EXEMPT,
        threshold,
        threshold_default,
    })?;
    Ok(if bad { with_status(r, axum::http::StatusCode::UNPROCESSABLE_ENTITY) } else { r })
}

async fn form(State(state): State<AppState>, ctx: Ctx, VerifiedCitizen(c): VerifiedCitizen) -> Result<Response, PageError> {
    page(&state, &ctx, &c, FormState::default()).await
}

async fn submit(State(state): State<AppState>, ctx: Ctx, VerifiedCitizen(c): VerifiedCitizen, f: FormData) -> Result<Response, PageError> {
    let mut n = crate::legal_aid_pages::new_aid(&f);
    n.received_on = None;
    n.org_id = None;
    match legal_aid::apply(&state, legal_aid::Applicant::Citizen(c.phone.clone()), n).await {
        Ok(case) => Ok(redirect_ok(
            "/portal/legal-aid/mine",
            &format!("申请已提交，编号 {}。法律援助机构将在 {} 前作出是否给予法律援助的决定", case.case_no, case.due_on.clone().unwrap_or_default()),
        )),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => {
            let mut form = FormState::from_form(&f);
            form.errors = e.field_errors().to_vec();
            if form.errors.is_empty() {
                form.errors.push(crate::error::FieldError::new("summary", "refused", e.user_message()));
            }
            form.order(&["applicant_name", "id_number", "category", "opponent", "summary", "exempt_ground", "household_size", "monthly_income"]);
            page(&state, &ctx, &c, form).await
        }
        Err(e) => Err(e.into()),
    }
}

pub struct MineLine {
    pub row: MineRow,
    pub state: &'static str,
    pub category: &'static str,
    pub closing: &'static str,
    pub can_rate: bool,
    /// The applicant's own rating, in words.
    pub rated: &'static str,
}

#[derive(Template)]
#[template(path = "disputes/portal_legal_aid_mine.html")]
struct MinePage {
    layout: PortalLayout,
    items: Vec<MineLine>,
    masked: String,
    scores: &'static [(&'static str, &'static str)],
}

async fn mine(State(state): State<AppState>, ctx: Ctx, VerifiedCitizen(c): VerifiedCitizen) -> Result<Response, PageError> {
    let items = legal_aid::mine(&state.db, &c.phone)
        .await?
        .into_iter()
        .map(|row| MineLine {
            state: PROCEDURE.state_name(&row.state),
            category: rules::label(rules::CATEGORIES, &row.category),
            closing: row.closing_code.as_deref().map(|x| rules::label(rules::ALL_CODES, x)).unwrap_or(""),
            rated: row.satisfaction.map(|s| rules::label(rules::SATISFACTION, &s.to_string())).unwrap_or(""),
            can_rate: row.satisfaction.is_none() && row.closing_code.as_deref().is_some_and(|x| !rules::label(rules::CLOSING, x).is_empty()),
            row,
        })
        .collect();
    render(&MinePage { layout: PortalLayout::new(&ctx, "我的法律援助申请", Some(&c)), items, masked: c.phone.masked(), scores: rules::SATISFACTION })
}

async fn rate(State(state): State<AppState>, VerifiedCitizen(c): VerifiedCitizen, Path(id): Path<i64>, f: FormData) -> Result<Response, PageError> {
    match legal_aid::rate(&state, &c.phone, id, f.get("satisfaction")).await {
        Ok(()) => Ok(redirect_ok("/portal/legal-aid/mine", "感谢您的评价")),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => Ok(redirect_flash("/portal/legal-aid/mine", false, &e.user_message())),
        Err(e) => Err(e.into()),
    }
}
