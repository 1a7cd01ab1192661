//! What a reader sees of the personal data in a ticket.
//!
//! - **Free text** (title, description, reply, answers, comments, notes and the timeline): those
//!   who may see personal data (`pii_view` over the ticket's unit: agents, dispatchers, the
//!   handling unit) read it as the citizen typed it; everyone else (inspectors, read-only API
//!   tokens, an office that only reads the figures) reads it with phone and ID numbers masked
//!   by the platform's masker, on the pages, in the JSON API and in the XLSX exports alike.
//! - **The address** is masked below the street, except for the unit that handles the ticket
//!   while it is open: going there is its duty. That look is a logged event too, recorded as
//!   the duty it is ([`log_duty_view`]).

use std::collections::HashMap;

use futures::FutureExt;
use serde_json::Value;

use crate::audit::{self, Changes, EventRow, NewEvent};
use crate::auth::Staff;
use crate::auth::roles::{Perm, Scope};
use crate::db::q;
use crate::error::AppError;
use crate::kernel::engine::Authority;
use crate::kernel::queries::CaseRow;
use crate::privacy::mask_in_text;
use crate::state::AppState;

use super::service::TicketAuthority;

/// How one reader reads a ticket's free text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextView {
    /// As typed.
    Plain,
    /// Phone and ID numbers masked.
    Masked,
}

impl TextView {
    /// `Plain` when the reader may see personal data.
    pub fn new(plain: bool) -> TextView {
        if plain { TextView::Plain } else { TextView::Masked }
    }

    /// How this reader reads this ticket: `pii_view` over its lead or a co-handling unit.
    pub fn of(auth: &TicketAuthority<'_>) -> TextView {
        TextView::new(auth.staff_may(Perm::PII_VIEW) || auth.co_may(Perm::PII_VIEW))
    }

    pub fn text(self, s: &str) -> String {
        match self {
            TextView::Plain => s.to_string(),
            TextView::Masked => mask_in_text(s).0,
        }
    }

    pub fn opt(self, s: Option<&str>) -> Option<String> {
        s.map(|s| self.text(s))
    }

    /// An event of the timeline: its summary, reason and every text in its changes (a note, a
    /// reply, a comment are recorded there as they were typed).
    pub fn event(self, mut e: EventRow) -> EventRow {
        if self == TextView::Plain {
            return e;
        }
        e.summary = self.text(&e.summary);
        e.reason = self.opt(e.reason.as_deref());
        if let Ok(mut v) = serde_json::from_str::<Value>(&e.changes) {
            mask_json(&mut v);
            e.changes = v.to_string();
        }
        e
    }

    pub fn events(self, events: Vec<EventRow>) -> Vec<EventRow> {
        events.into_iter().map(|e| self.event(e)).collect()
    }
}

fn mask_json(v: &mut Value) {
    match v {
        Value::String(s) => *s = mask_in_text(s).0,
        Value::Array(a) => a.iter_mut().for_each(mask_json),
        Value::Object(o) => o.values_mut().for_each(mask_json),
        _ => {}
    }
}

/// Per-row reading for a list of tickets: the reader's `pii_view` scope and the units' paths
/// (loaded with the units' names, in the same query).
pub struct ListView {
    scope: Scope,
}

impl ListView {
    pub fn new(scope: Scope) -> ListView {
        ListView { scope }
    }
    /// The reading of a ticket of the unit at `org_path`.
    pub fn row(&self, org_path: Option<&str>) -> TextView {
        TextView::new(org_path.is_some_and(|p| self.scope.includes(p)))
    }
    /// The reading of one row, by the unit's id and a map of paths.
    pub fn row_of(&self, org_id: i64, paths: &HashMap<i64, String>) -> TextView {
        self.row(paths.get(&org_id).map(String::as_str))
    }
}

/// Does the reader see the address as its handling unit (lead or co-handling, with the right
/// to handle it, while it is open)?
pub fn handles(auth: &TicketAuthority<'_>, case: &CaseRow) -> bool {
    case.is_open && (auth.staff_may(Perm::CASE_HANDLE) || auth.co_may(Perm::CASE_HANDLE))
}

/// The action of a duty look in the event log.
pub const DUTY_VIEW: &str = "pii_duty_view";

/// Record that a handling unit's staff member read the caller's address for the duty of
/// handling the ticket. Once per person, ticket and day (Beijing time): the event says who had
/// the address and on which days, which is what an inquiry asks; an event on every reload
/// would bury the ticket's timeline without saying more. Returns whether an event was written.
pub async fn log_duty_view(state: &AppState, staff: &Staff, case_id: i64) -> Result<bool, AppError> {
    let actor = staff.actor();
    let uid = staff.id;
    let since = crate::time::start_of_day_ms(crate::time::today());
    const SEEN: &str =
        "SELECT COUNT(*) FROM events WHERE entity = 'case' AND entity_id = $1 AND action = $2 AND actor_kind = 'staff' AND actor_id = $3 AND at >= $4";
    // Most reloads end here, without a write.
    if q(SEEN).bind(case_id).bind(DUTY_VIEW).bind(uid).bind(since).fetch_i64(&state.db).await? > 0 {
        return Ok(false);
    }
    state
        .db
        .write(move |tx| {
            async move {
                // Asked again inside the write: two tabs opened at once record one look.
                let n = q(SEEN).bind(case_id).bind(DUTY_VIEW).bind(uid).bind(since).fetch_i64(&mut *tx).await?;
                if n > 0 {
                    return Ok(false);
                }
                let changes = Changes::new().set("查看字段", Value::Null, "地址");
                audit::record(tx, &actor, NewEvent::new("case", case_id, DUTY_VIEW, "承办单位因办理需要查看诉求地址").changes(changes)).await?;
                Ok(true)
            }
            .boxed()
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(summary: &str, changes: &str, reason: Option<&str>) -> EventRow {
        EventRow {
            seq: 1,
            at: 0,
            actor_kind: "staff".into(),
            actor_id: Some(1),
            actor_name: "张三".into(),
            entity: "case".into(),
            entity_id: 1,
            action: "note".into(),
            summary: summary.into(),
            changes: changes.into(),
            reason: reason.map(str::to_string),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    #[test]
    fn masked_readers_get_no_number_from_the_timeline() {
        let e = event(
            "办理记录",
            r#"{"记录":{"from":null,"to":"已联系业主 139 8765 4321"},"附件":{"from":null,"to":0},"答复":{"from":"旧","to":["身份证32108419900101123X"]}}"#,
            Some("来电人手机13712345678"),
        );
        let m = TextView::Masked.event(e.clone());
        for raw in ["8765 4321", "19900101", "12345678"] {
            assert!(!m.changes.contains(raw) && !m.reason.clone().unwrap_or_default().contains(raw), "{raw}: {m:?}");
        }
        assert!(m.changes.contains("139****4321") && m.changes.contains(r#""to":0"#), "{}", m.changes);
        assert_eq!(TextView::Plain.event(e.clone()).changes, e.changes);
    }

    #[test]
    fn list_rows_follow_the_scope() {
        let v = ListView::new(Scope::Subtrees(vec!["/1/5/".into()]));
        assert_eq!(v.row(Some("/1/5/9/")), TextView::Plain);
        assert_eq!(v.row(Some("/1/6/")), TextView::Masked);
        assert_eq!(v.row(None), TextView::Masked);
        assert_eq!(ListView::new(Scope::Nothing).row(Some("/1/")), TextView::Masked);
        assert_eq!(TextView::Masked.text("电话13812345678"), "电话138****5678");
    }
}
