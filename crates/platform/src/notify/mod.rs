//! Notifications. Citizens get a text message at each step that concerns them — the procedure
//! definition says which (`Transition::tell`) — queued in the outbox in the same transaction as
//! the step, delivered by the gateway adapter ([`gateway`]) and shown on the portal. Staff get
//! in-app notices when work is given to their unit or to them, and when a deadline is near.

pub mod gateway;
pub mod pages;

use chrono::NaiveDate;

use crate::db::{Tx, q};
use crate::error::AppError;
use crate::kernel::{CaseRow, Procedure};
use crate::privacy::Phone;
use crate::time::now_ms;

/// What a message template can name.
pub struct Vars<'a> {
    pub case_no: &'a str,
    pub unit: &'a str,
    pub due: Option<&'a str>,
    /// Where the citizen follows the matter (an address on the portal).
    pub url: &'a str,
}

/// Fill a template: `{no}`, `{unit}`, `{due}`, `{url}`.
pub fn render(template: &str, v: &Vars<'_>) -> String {
    template.replace("{no}", v.case_no).replace("{unit}", v.unit).replace("{due}", v.due.unwrap_or("（以通知为准）")).replace("{url}", v.url)
}

/// Only mobile numbers receive text messages; a landline gets nothing (the portal still shows
/// the matter's progress).
pub fn mobile(phone: Option<&str>) -> Option<String> {
    phone.and_then(|p| Phone::parse_mobile(p).ok()).map(|p| p.as_str().to_string())
}

/// One message for the outbox.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub phone: String,
    pub message: String,
    pub case_id: Option<i64>,
    /// Repeating an enqueue with the same key adds nothing.
    pub key: String,
}

/// Queue messages in the caller's transaction: they are sent only if the change commits, and
/// exactly once (the key). One statement for many.
pub async fn enqueue(tx: &mut Tx, msgs: &[Outgoing]) -> Result<(), AppError> {
    let now = now_ms();
    for chunk in msgs.chunks(100) {
        let mut query = q("INSERT INTO sms_outbox (phone, message, created_at, kind, case_id, dedupe_key, status, next_attempt_at) VALUES ");
        for (i, m) in chunk.iter().enumerate() {
            query = query
                .push(if i == 0 { "(" } else { ", (" })
                .push_bind("{}", m.phone.clone())
                .push_bind(", {}", m.message.clone())
                .push_bind(", {}", now)
                .push(", 'case'")
                .push_bind(", {}", m.case_id)
                .push_bind(", {}", m.key.clone())
                .push(", 'pending'")
                .push_bind(", {})", now);
        }
        query.push(" ON CONFLICT (dedupe_key) DO NOTHING").execute(&mut *tx).await?;
    }
    Ok(())
}

/// The message a step sends the citizen, if the step's definition says to tell them.
pub fn for_step(p: &Procedure, action: &str, on: NaiveDate, case: &CaseRow, phone: Option<&str>, unit: &str, url: &str) -> Option<Outgoing> {
    let template = p.transition(action, on)?.tell?;
    let phone = mobile(phone)?;
    let text = render(template, &Vars { case_no: &case.case_no, unit, due: case.due_on.as_deref(), url });
    Some(Outgoing { phone, message: text, case_id: Some(case.id), key: format!("case:{}:{action}:{}", case.id, case.version) })
}

/// Queue the citizen's message for a step just applied (no-op when the step tells nobody).
#[allow(clippy::too_many_arguments)]
pub async fn tell_citizen(tx: &mut Tx, p: &Procedure, action: &str, case: &CaseRow, phone: Option<&str>, unit: &str, url: &str) -> Result<(), AppError> {
    match for_step(p, action, case.opened_date(), case, phone, unit, url) {
        Some(m) => enqueue(tx, &[m]).await,
        None => Ok(()),
    }
}

/// An in-app notice for a unit, or for one person of it.
pub async fn notice(tx: &mut Tx, org_id: i64, user_id: Option<i64>, case_id: Option<i64>, kind: &str, message: &str, key: &str) -> Result<(), AppError> {
    q("INSERT INTO notifications (org_id, user_id, case_id, kind, message, dedupe_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dedupe_key) DO NOTHING")
        .bind(org_id)
        .bind(user_id)
        .bind(case_id)
        .bind(kind)
        .bind(message)
        .bind(key)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// The address of the portal (for links in messages).
pub fn portal_url(public_url: &str, path: &str) -> String {
    format!("{}{path}", public_url.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_every_name() {
        let v = Vars { case_no: "2026000012", unit: "市住房和城乡建设局", due: Some("2026-12-03"), url: "https://x/portal/track/2026000012" };
        assert_eq!(
            render("工单{no}交{unit}办理，期限{due}，查询：{url}", &v),
            "工单2026000012交市住房和城乡建设局办理，期限2026-12-03，查询：https://x/portal/track/2026000012"
        );
        assert!(render("期限{due}", &Vars { due: None, ..v }).contains("以通知为准"));
        assert_eq!(mobile(Some("13912345678")).as_deref(), Some("13912345678"));
        assert_eq!(mobile(Some("0514-84567890")), None, "a landline gets no text message");
        assert_eq!(mobile(None), None);
    }
}
