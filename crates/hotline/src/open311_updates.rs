//! `POST servicerequestupdates.{fmt}` (older clients: `update.{fmt}`): a citizen's follow-up on a
//! request, as FixMyStreet sends it (mySociety's Open311 updates extension), taken as a 补充 on
//! the ticket (see [`super::supplement`]).
//!
//! The form: `api_key` (as for requests: a token with 热线受理), `service_request_id`,
//! `description`, and optionally `update_id_ext` (the client's id: a repeat answers with the same
//! update id and records nothing), `status` (the report's status at the client, kept as told: a
//! citizen cannot close a ticket), `updated_datetime` (W3C), `media_url`, `first_name`,
//! `last_name`. `email`, `service_request_id_ext`, `public_anonymity_required` and
//! `jurisdiction_id` are accepted and not kept.
//!
//! The answer is a list of one update with its id: `<service_request_updates><request_update>
//! <update_id>…</update_id></request_update></service_request_updates>`, or `[{"update_id": …}]`;
//! 201 for a new one, 200 for a repeat. An unknown request is 404, a finished one 400
//! (`request_closed`), in the spec's error list.

use axum::http::StatusCode;
use axum::response::Response;

use super::model::Channel;
use super::open311::{Fail, Params, authorise, caller_name, parse_w3c, unknown_request};
use super::open311_format::{self as fmt, Format, UpdateCreatedDto};
use super::rules::PROCEDURE;
use super::supplement::{self, SupplementInput};
use crate::error::{AppError, FieldError};
use crate::state::AppState;

pub async fn post_update(state: &AppState, f: Format, body: &[u8]) -> Result<Response, Fail> {
    let form = Params::parse(body);
    let caller = authorise(state, &form).await?;
    let no = form.get("service_request_id").ok_or_else(|| Fail::bad("required", "service_request_id：请填写要补充的诉求编号"))?;
    let case = crate::kernel::queries::by_number(&state.db, no).await?.filter(|c| c.procedure == PROCEDURE.code).ok_or_else(|| unknown_request(no))?;
    let mut errors = Vec::new();
    let client_at = form.get("updated_datetime").and_then(|v| {
        let at = parse_w3c(v, false);
        if at.is_none() {
            errors.push(FieldError::new("updated_datetime", "invalid_date", format!("“{v}”不是有效的 W3C 日期时间（例如 2026-05-01T08:00:00+08:00）")));
        }
        at
    });
    let input = SupplementInput {
        case_id: case.id,
        channel: Channel::Open311,
        external_id: form.get("update_id_ext").map(str::to_string),
        author_name: caller_name(form.get("first_name"), form.get("last_name")),
        text: form.get("description").map(str::to_string),
        client_status: form.get("status").map(str::to_string),
        media_url: form.get("media_url").map(str::to_string),
        client_at,
    };
    // Every problem at once, in the order of the form.
    errors.splice(0..0, supplement::check(&input));
    if !errors.is_empty() {
        return Err(Fail::from(AppError::fields(errors)));
    }
    let r = supplement::record(state, caller.actor(), input).await?;
    let status = if r.duplicate { StatusCode::OK } else { StatusCode::CREATED };
    let doc = [UpdateCreatedDto { update_id: r.update_id.to_string() }];
    Ok(fmt::render(f, status, "service_request_updates", Some("request_update"), &doc))
}
