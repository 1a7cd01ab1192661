//! `/api/v1/disputes/legal-aid`: register an application (a paper one with its day of receipt),
//! read one (the applicant masked), take a step (a grant against the means test refused without
//! the override's reason, an assignment refused with the conflict named).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use fazhi_platform::api::{ApiRoutes, ErrorDoc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::AppError;
use crate::kernel::queries::CaseRow;
use crate::legal_aid::{self, AidRow, NewAid};
use crate::legal_aid_rules::PROCEDURE;
use crate::service::{StepForm, Who};
use crate::state::AppState;
use crate::web::extract::Path;
use crate::web::form::JsonBody;

pub fn routes() -> ApiRoutes {
    ApiRoutes::new()
        .route("/disputes/legal-aid", post(create_aid))
        .route("/disputes/legal-aid/{id}", get(get_aid))
        .route("/disputes/legal-aid/{id}/steps/{action}", post(aid_step))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct AidIn {
    /// The legal-aid centre (a unit of the tree).
    pub org_id: Option<i64>,
    /// counter, referral (portal applications come through the portal)
    pub channel: Option<String>,
    pub applicant_name: Option<String>,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub address: Option<String>,
    /// wages, work_injury, labour, social_insurance, support, state_comp, injury, family, criminal, other
    pub category: Option<String>,
    pub opponent: Option<String>,
    pub summary: Option<String>,
    #[serde(default)]
    pub migrant_worker: bool,
    /// Whole number of people.
    pub household_size: Option<String>,
    /// Household monthly income per person, 元.
    pub monthly_income: Option<String>,
    /// An Art. 42 / Art. 32 ground: migrant_worker, no_income_group, assistance, domestic_violence, good_samaritan, hero_kin.
    pub exempt_ground: Option<String>,
    /// YYYY-MM-DD within the past year; default today.
    pub received_on: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AidDto {
    pub id: i64,
    pub case_no: String,
    pub state: String,
    pub state_name: String,
    pub org_id: i64,
    pub channel: String,
    /// Masked.
    pub applicant_name: String,
    /// Masked.
    pub phone: String,
    pub category: String,
    pub migrant_worker: bool,
    pub computed_eligible: bool,
    pub eligibility_basis: String,
    pub threshold: i64,
    pub override_reason: Option<String>,
    pub received_on: String,
    /// The date the current clock ends (decision: 7 days, assignment: 3 days, objection: 5 days).
    pub due_on: Option<String>,
    pub decision: Option<String>,
    pub decided_on: Option<String>,
    pub decided_in_time: Option<bool>,
    pub provider_id: Option<i64>,
    pub closing_code: Option<String>,
    pub amount_recovered: i64,
    pub wages_recovered: i64,
    pub version: i64,
}

fn dto(c: &CaseRow, a: &AidRow) -> AidDto {
    AidDto {
        id: c.id,
        case_no: c.case_no.clone(),
        state: c.state.clone(),
        state_name: PROCEDURE.state_name(&c.state).into(),
        org_id: c.org_id,
        channel: a.channel.clone(),
        applicant_name: crate::privacy::mask_name(&a.applicant_name),
        phone: crate::privacy::mask_phone(&a.phone),
        category: a.category.clone(),
        migrant_worker: a.migrant_worker,
        computed_eligible: a.computed_eligible,
        eligibility_basis: a.eligibility_basis.clone(),
        threshold: a.threshold,
        override_reason: a.override_reason.clone(),
        received_on: a.received_on.clone(),
        due_on: c.due_on.clone(),
        decision: a.decision.clone(),
        decided_on: a.decided_on.clone(),
        decided_in_time: a.decided_in_time,
        provider_id: a.provider_id,
        closing_code: a.closing_code.clone(),
        amount_recovered: a.amount_recovered,
        wages_recovered: a.wages_recovered,
        version: c.version,
    }
}

/// Register a legal-aid application at the centre.
#[utoipa::path(post, path = "/api/v1/disputes/legal-aid", tag = "disputes", request_body = AidIn,
    responses((status = 201, body = AidDto), (status = 422, body = ErrorDoc), (status = 403, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn create_aid(State(state): State<AppState>, caller: Caller, JsonBody(b): JsonBody<AidIn>) -> Result<Response, AppError> {
    caller.require(crate::legal_aid_rules::LA_HANDLE)?;
    let n = NewAid {
        org_id: b.org_id,
        channel: b.channel,
        applicant_name: b.applicant_name,
        phone: b.phone,
        id_number: b.id_number,
        address: b.address,
        category: b.category,
        opponent: b.opponent,
        summary: b.summary,
        migrant_worker: b.migrant_worker,
        household_size: b.household_size,
        monthly_income: b.monthly_income,
        exempt_ground: b.exempt_ground,
        received_on: b.received_on,
    };
    let who = Who::of(&caller);
    let c = legal_aid::apply(&state, legal_aid::Applicant::Staff(&who), n).await?;
    let a = legal_aid::row(&state.db, c.id).await?.ok_or_else(crate::kernel::access::not_found)?;
    Ok((StatusCode::CREATED, Json(dto(&c, &a))).into_response())
}

async fn readable(state: &AppState, caller: &Caller, id: i64) -> Result<(CaseRow, AidRow), AppError> {
    let (c, a) = legal_aid::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    if !legal_aid::may_read(state, &Who::of(caller), &c, &a).await? {
        return Err(crate::kernel::access::not_found());
    }
    Ok((c, a))
}

/// One legal-aid case.
#[utoipa::path(get, path = "/api/v1/disputes/legal-aid/{id}", tag = "disputes", params(("id" = i64, Path)), responses((status = 200, body = AidDto), (status = 404, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn get_aid(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Result<Json<AidDto>, AppError> {
    let (c, a) = readable(&state, &caller, id).await?;
    Ok(Json(dto(&c, &a)))
}

/// Take a step: request_materials (materials), supplement (supplement_text), deem_withdrawn, grant (override_reason when the means test failed, late_reason after day 7), provisional (provisional_ground), refuse (reason), assign (provider_id; refused with the conflict named), close (closing_code, amount_recovered, wages_recovered, report; the assigned provider only), terminate (termination_ground, reason), object, uphold, order_review, order_resume (reason).
#[utoipa::path(post, path = "/api/v1/disputes/legal-aid/{id}/steps/{action}", tag = "disputes", request_body = crate::api::StepDto, params(("id" = i64, Path), ("action" = String, Path)),
    responses((status = 200, body = AidDto), (status = 422, body = ErrorDoc), (status = 409, body = ErrorDoc), (status = 404, body = ErrorDoc)), security(("bearer" = [])))]
pub async fn aid_step(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, action)): Path<(i64, String)>,
    JsonBody(b): JsonBody<crate::api::StepDto>,
) -> Result<Json<AidDto>, AppError> {
    readable(&state, &caller, id).await?;
    let c = legal_aid::step(&state, &Who::of(&caller), id, b.version, &action, StepForm { reason: b.reason, fields: b.fields, days: b.days }).await?;
    let a = legal_aid::row(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    Ok(Json(dto(&c, &a)))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(create_aid, get_aid, aid_step))]
pub struct LegalAidApi;
