//! The public progress lookup by ticket number and phone, shared by `/portal/track` and
//! `/api/v1/hotline/lookup`. Ticket numbers are sequential, so the lookup must not be usable
//! to walk through the tickets of a phone: an unknown number and a wrong phone get the same
//! answer after the same work (one statement, one counted failure), and failed lookups are
//! throttled per client address and per phone (`auth::probe`). A successful lookup stays one
//! read: the lock on the asker comes back in the same statement as the ticket; a miss learns
//! of the lock from the write that counts it.

use std::net::IpAddr;

use super::queries;
use crate::api::{ProgressDto, StepTextDto, iso, public_status, public_step};
use crate::auth::probe::{self, Key};
use crate::error::AppError;
use crate::model::evaluation_label;
use crate::state::AppState;
use crate::time::now_ms;

/// The one answer for an unknown number and for a wrong phone.
pub fn not_found() -> AppError {
    AppError::not_found("ticket_not_found", "没有找到该工单：请核对工单编号和登记时的电话号码")
}

/// The throttle keys of a lookup: the client's address (when known) and the phone asked about
/// (when it is a phone number at all; an unparsable one can match no ticket).
fn keys(peer: Option<IpAddr>, phone: Option<&str>) -> Vec<Key> {
    peer.map(|ip| Key::address(&ip.to_string())).into_iter().chain(phone.map(Key::phone)).collect()
}

/// A citizen's view of a ticket: plain-word steps, the handling unit, the due date, the reply
/// once reviewed. 404 for a wrong number or phone, 429 while the asker is locked.
pub async fn progress(state: &AppState, no: &str, phone: &str, peer: Option<IpAddr>) -> Result<ProgressDto, AppError> {
    let parsed = crate::privacy::Phone::parse(phone).ok();
    // An unparsable phone still runs the same statement (it matches nothing), so that it takes
    // as long as any other miss.
    let phone_norm = parsed.as_ref().map(|p| p.as_str().to_string()).unwrap_or_else(|| phone.trim().to_string());
    let keys = keys(peer, parsed.as_ref().map(|p| p.as_str()));
    let names: Vec<String> = keys.iter().map(|k| k.key.clone()).collect();
    let Some(found) = queries::lookup(&state.db, no.trim(), &phone_norm, &names).await? else {
        // A miss is counted; the one past a limit is refused already.
        let locked = if keys.is_empty() { None } else { probe::fail(&state.db, keys).await? };
        return Err(probe::refusal(locked, now_ms()).unwrap_or_else(not_found));
    };
    // A hit while the asker is locked is refused like a miss would be.
    if let Some(e) = probe::refusal(found.locked_until, now_ms()) {
        return Err(e);
    }
    let (t, steps) = (found.ticket, found.steps);
    let show_reply = matches!(t.state.as_str(), "callback" | "closed");
    Ok(ProgressDto {
        status: public_status(&t.state).into(),
        received_at: iso(t.received_at),
        steps: steps.iter().filter_map(|(at, action)| public_step(action).map(|text| StepTextDto { at: iso(*at), text: text.into() })).collect(),
        reply: if show_reply { t.reply_text.clone().or(t.answer_text.clone()) } else { t.answer_text.clone() },
        evaluation: t.evaluation.as_deref().map(|e| evaluation_label(e).to_string()),
        unit: handling_unit(&t.state, t.dispatched_at, &t.org_name),
        // The kernel clears the due date when the clock stops (answer reviewed, case closed).
        due_on: t.due_on,
        case_no: t.case_no,
    })
}

/// The unit the citizen is told handles the matter: none while the hotline centre has not
/// dispatched it (or has it back to dispatch again), else the case's unit — the handling unit,
/// or the centre itself for what it answered or declined without dispatch.
pub fn handling_unit(state: &str, dispatched_at: Option<i64>, org_name: &str) -> Option<String> {
    match state {
        "received" | "accepted" => None,
        "merged" if dispatched_at.is_none() => None,
        _ => Some(org_name.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unit_is_named_once_the_matter_is_with_one() {
        assert_eq!(handling_unit("accepted", Some(1), "市住房和城乡建设局"), None, "returned to the centre, waiting to be dispatched again");
        assert_eq!(handling_unit("received", None, "市12345政务服务便民热线中心"), None);
        assert_eq!(handling_unit("handling", Some(1), "市住房和城乡建设局").as_deref(), Some("市住房和城乡建设局"));
        assert_eq!(handling_unit("answered", None, "市12345政务服务便民热线中心").as_deref(), Some("市12345政务服务便民热线中心"));
    }

    #[test]
    fn keys_cover_the_address_and_a_parsed_phone_only() {
        let ip: IpAddr = "10.0.0.7".parse().unwrap();
        assert_eq!(keys(Some(ip), Some("13800000000")), vec![Key::address("10.0.0.7"), Key::phone("13800000000")]);
        assert_eq!(keys(None, Some("13800000000")), vec![Key::phone("13800000000")]);
        assert_eq!(keys(Some(ip), None), vec![Key::address("10.0.0.7")]);
    }
}
