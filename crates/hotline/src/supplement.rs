//! 补充: what a citizen adds to a ticket already taken in — today from Open311 clients
//! (mySociety's service-request updates: FixMyStreet posts a citizen's follow-up on a report).
//!
//! A supplement changes neither the ticket's state nor its clock: it is information for whoever
//! handles it. It is kept beside the ticket (`hotline_supplements`, with the client's own id of
//! it), recorded on the case's timeline and shown on the ticket page; the handling unit is told
//! on its 工作台. A repeat — the same client id on the same ticket — records nothing and answers
//! with the first one's id. A ticket that was merged passes the supplement on to the ticket it
//! was merged into (the matter is handled there); a finished ticket takes none, so that nothing
//! is acknowledged that no one will read.
//!
//! What is shown to staff is masked like the rest of the ticket (phone and ID numbers in the text,
//! the name) unless they asked to see the originals; the event keeps the masked text only.

use futures::FutureExt;

use super::model::Channel;
use super::rules::PROCEDURE;
use crate::audit::{self, Actor, Changes, NewEvent};
use crate::db::{Db, Tx, for_update, q};
use crate::error::{AppError, Check, FieldError};
use crate::privacy::{mask_in_text, mask_name};
use crate::state::AppState;
use crate::time::now_ms;

/// Longest text of a supplement (as a ticket's description).
pub const MAX_TEXT: usize = super::model::MAX_DESCRIPTION;
/// A ticket merged into another passes a supplement on at most this many times.
const MAX_MERGE_HOPS: usize = 8;

/// A supplement as it comes in. The field names of its errors are the Open311 ones.
#[derive(Clone, Debug)]
pub struct SupplementInput {
    pub case_id: i64,
    pub channel: Channel,
    /// The client's id of this supplement (Open311 `update_id_ext`): a repeat is recognised by it.
    pub external_id: Option<String>,
    pub author_name: Option<String>,
    pub text: Option<String>,
    /// The report's status as the client sees it (`OPEN`, `CLOSED`, `FIXED`…), kept as told.
    pub client_status: Option<String>,
    pub media_url: Option<String>,
    /// When the citizen wrote it, by the client's clock.
    pub client_at: Option<i64>,
}

/// A supplement recorded (or found again).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// The event's number: the update id the client keeps (the same numbers as the public
    /// updates of `GET servicerequestupdates`, so the two never collide).
    pub update_id: i64,
    /// The ticket it is on (another one when the ticket given was merged).
    pub case_id: i64,
    pub duplicate: bool,
}

/// Every problem of an input, on its field.
pub fn check(input: &SupplementInput) -> Vec<FieldError> {
    let mut c = Check::new();
    c.text("description", "补充内容", input.text.as_deref(), MAX_TEXT);
    c.opt_text("update_id_ext", "补充的外部编号", input.external_id.as_deref(), 100);
    c.opt_text("first_name/last_name", "姓名", input.author_name.as_deref(), 32);
    if let Some(s) = input.client_status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        if s.len() > 40 || !s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            c.add("status", "invalid_status", format!("“{s}”不是有效的状态（应为 OPEN、CLOSED、FIXED 等英文状态代码）"));
        }
    }
    if let Some(u) = input.media_url.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let scheme = u.starts_with("https://") || u.starts_with("http://");
        if !scheme || u.chars().count() > 500 || u.chars().any(|ch| ch.is_whitespace() || ch.is_control()) {
            c.add("media_url", "invalid_media_url", "图片地址应为以 http:// 或 https:// 开头、不超过 500 个字符的网址");
        }
    }
    c.errors
}

/// What the client's status says, in plain words for the handling unit.
pub fn status_label(status: &str) -> String {
    match status {
        "open" | "reopen" | "not_fixed" => "市民认为问题仍未解决".into(),
        "closed" | "fixed" => "市民认为问题已经解决".into(),
        "in_progress" | "action_scheduled" | "investigating" | "planned" => "市民所用平台显示正在处理".into(),
        other => format!("市民所用平台的状态：{other}"),
    }
}

#[derive(sqlx::FromRow)]
struct Target {
    id: i64,
    case_no: String,
    state: String,
    is_open: bool,
    org_id: i64,
    merged_into: Option<i64>,
}

/// The ticket, locked (on PostgreSQL) so that two copies of one supplement are recorded once.
async fn target(tx: &mut Tx, id: i64) -> Result<Option<Target>, AppError> {
    let lock = for_update(tx.backend());
    q(format!(
        "SELECT c.id, c.case_no, c.state, c.is_open, c.org_id, t.merged_into FROM cases c JOIN hotline_tickets t ON t.case_id = c.id \
         WHERE c.id = $1 AND c.procedure = 'hotline'{lock}"
    ))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await
}

/// Record a supplement on a ticket (see the module's comment).
pub async fn record(state: &AppState, actor: Actor, input: SupplementInput) -> Result<Recorded, AppError> {
    let errors = check(&input);
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    let trim = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let text = trim(&input.text).unwrap_or_default();
    let external_id = trim(&input.external_id);
    let author = trim(&input.author_name);
    let status = trim(&input.client_status).map(|s| s.to_ascii_lowercase());
    let media_url = trim(&input.media_url);
    state
        .db
        .write(move |tx| {
            async move {
                // The ticket named, and the tickets it was merged into, in order.
                let mut chain: Vec<Target> = Vec::new();
                let mut next = Some(input.case_id);
                while let Some(id) = next.filter(|_| chain.len() <= MAX_MERGE_HOPS) {
                    let Some(t) = target(tx, id).await? else { break };
                    next = if t.state == "merged" { t.merged_into } else { None };
                    chain.push(t);
                }
                let Some(first) = chain.first() else {
                    return Err(AppError::not_found("request_not_found", "没有这张工单"));
                };
                let first_no = first.case_no.clone();
                if let Some(ext) = &external_id {
                    let ids: Vec<i64> = chain.iter().map(|t| t.id).collect();
                    let seen: Option<(i64, i64)> = q("SELECT event_seq, case_id FROM hotline_supplements WHERE channel = $1 AND external_id = $2 AND")
                        .bind(input.channel.code())
                        .bind(ext.as_str())
                        .push_in("case_id", &ids)
                        .fetch_optional(&mut *tx)
                        .await?;
                    if let Some((seq, case_id)) = seen {
                        return Ok(Recorded { update_id: seq, case_id, duplicate: true });
                    }
                }
                let here = chain.pop().expect("the chain has the ticket named");
                if !here.is_open {
                    let via = if here.id == input.case_id { String::new() } else { format!("（工单 {first_no} 已并入该工单）") };
                    return Err(AppError::conflict(
                        "request_closed",
                        format!("工单 {}{via}的状态为“{}”，不再接收补充；问题仍未解决的，请提交新的诉求", here.case_no, PROCEDURE.state_name(&here.state)),
                    ));
                }
                let summary = if here.id == input.case_id {
                    format!("市民补充（{}）", input.channel.label())
                } else {
                    format!("市民补充（{}，经已合并的工单 {first_no} 转来）", input.channel.label())
                };
                let changes = Changes::new()
                    .set("补充内容", serde_json::Value::Null, mask_in_text(&text).0)
                    .set("补充人", serde_json::Value::Null, author.as_deref().map(mask_name))
                    .set("市民标记", serde_json::Value::Null, status.as_deref().map(status_label))
                    .set("图片", serde_json::Value::Null, media_url.as_deref())
                    .set("外部编号", serde_json::Value::Null, external_id.as_deref());
                let seq = audit::record(tx, &actor, NewEvent::new("case", here.id, "supplement", summary).changes(changes)).await?;
                let now = now_ms();
                q("INSERT INTO hotline_supplements (case_id, event_seq, channel, external_id, author_name, body, client_status, media_url, client_at, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                .bind(here.id)
                .bind(seq)
                .bind(input.channel.code())
                .bind(external_id)
                .bind(author)
                .bind(text)
                .bind(status)
                .bind(media_url)
                .bind(input.client_at)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                // The handling unit sees it on its 工作台 as well as on the ticket.
                q("INSERT INTO notifications (org_id, case_id, kind, message, dedupe_key, created_at) VALUES ($1, $2, 'supplement', $3, $4, $5)")
                    .bind(here.org_id)
                    .bind(here.id)
                    .bind(format!("工单 {} 收到市民补充", here.case_no))
                    .bind(format!("supplement:{seq}"))
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                Ok(Recorded { update_id: seq, case_id: here.id, duplicate: false })
            }
            .boxed()
        })
        .await
}

#[derive(sqlx::FromRow)]
struct Row {
    channel: String,
    author_name: Option<String>,
    body: String,
    client_status: Option<String>,
    media_url: Option<String>,
    client_at: Option<i64>,
    created_at: i64,
}

/// A supplement as the ticket page shows it.
pub struct SupplementView {
    pub received: String,
    /// When the citizen wrote it, when the client says so and it differs.
    pub written: String,
    pub source: &'static str,
    pub author: String,
    pub text: String,
    pub status: String,
    pub media_url: String,
}

/// The supplements of a ticket, oldest first; originals only when `reveal` (a logged look).
pub async fn views(db: &Db, case_id: i64, reveal: bool) -> Result<Vec<SupplementView>, AppError> {
    let rows: Vec<Row> =
        q("SELECT channel, author_name, body, client_status, media_url, client_at, created_at FROM hotline_supplements WHERE case_id = $1 ORDER BY id")
            .bind(case_id)
            .fetch_all(db)
            .await?;
    Ok(rows
        .into_iter()
        .map(|r| SupplementView {
            received: crate::time::fmt_datetime(r.created_at),
            written: r.client_at.filter(|at| (at - r.created_at).abs() >= 60_000).map(crate::time::fmt_datetime).unwrap_or_default(),
            source: super::model::channel_label(&r.channel),
            author: r.author_name.map(|n| if reveal { n } else { mask_name(&n) }).unwrap_or_default(),
            text: if reveal { r.body } else { mask_in_text(&r.body).0 },
            status: r.client_status.as_deref().map(status_label).unwrap_or_default(),
            media_url: r.media_url.unwrap_or_default(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> SupplementInput {
        SupplementInput {
            case_id: 1,
            channel: Channel::Open311,
            external_id: Some("fms-1".into()),
            author_name: Some("张三".into()),
            text: Some("路灯还是不亮".into()),
            client_status: Some("OPEN".into()),
            media_url: Some("https://fms.example/photo/1.jpeg".into()),
            client_at: None,
        }
    }

    #[test]
    fn inputs_are_checked_on_their_open311_fields() {
        assert!(check(&input()).is_empty());
        let bad = SupplementInput {
            text: Some("  ".into()),
            external_id: Some("x".repeat(101)),
            client_status: Some("not fixed!".into()),
            media_url: Some("javascript:alert(1)".into()),
            ..input()
        };
        let fields: Vec<(String, String)> = check(&bad).into_iter().map(|e| (e.field, e.code.to_string())).collect();
        assert_eq!(
            fields,
            [
                ("description".to_string(), "required".to_string()),
                ("update_id_ext".into(), "too_long".into()),
                ("status".into(), "invalid_status".into()),
                ("media_url".into(), "invalid_media_url".into())
            ]
        );
        assert_eq!(check(&SupplementInput { client_status: Some("IN_PROGRESS".into()), media_url: None, ..input() }).len(), 0);
    }

    #[test]
    fn statuses_in_plain_words() {
        assert_eq!(status_label("closed"), "市民认为问题已经解决");
        assert_eq!(status_label("open"), "市民认为问题仍未解决");
        assert_eq!(status_label("duplicate"), "市民所用平台的状态：duplicate");
    }
}
