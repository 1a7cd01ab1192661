//! The portal's own SQL: a citizen's tickets, the published letters, the mailbox category,
//! the places a request can be located in.

use crate::db::{Db, q};
use crate::error::AppError;
use crate::org::OrgKind;
use crate::org::queries as orgs;
use crate::queries::{self as hq, Category};
use crate::web::{Page, Paging};

/// A line of "my tickets".
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MineRow {
    pub id: i64,
    pub case_no: String,
    pub title: String,
    pub state: String,
    pub channel: String,
    pub received_at: i64,
    pub due_on: Option<String>,
    pub is_open: bool,
}

/// The tickets filed with this phone, newest first.
pub async fn mine(db: &Db, phone: &str, paging: &Paging) -> Result<Page<MineRow>, AppError> {
    let items: Vec<MineRow> = q(format!(
        "SELECT c.id, c.case_no, c.title, c.state, t.channel, t.received_at, c.due_on, c.is_open FROM hotline_tickets t JOIN cases c ON c.id = t.case_id \
         WHERE t.caller_phone = $1 AND c.procedure = 'hotline' ORDER BY t.received_at DESC, c.id DESC LIMIT {} OFFSET {}",
        paging.per(),
        paging.offset()
    ))
    .bind(phone)
    .fetch_all(db)
    .await?;
    let total = q("SELECT COUNT(*) FROM hotline_tickets WHERE caller_phone = $1").bind(phone).fetch_i64(db).await?;
    Ok(Page::new(items, paging, total))
}

/// A published letter: only the texts prepared for publication (already masked).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LetterRow {
    pub id: i64,
    pub publish_subject: Option<String>,
    pub publish_body: Option<String>,
    pub publish_reply: Option<String>,
    pub received_at: i64,
    pub replied_at: Option<i64>,
    pub published_at: Option<i64>,
}

const LETTER_COLS: &str = "t.case_id AS id, t.publish_subject, t.publish_body, t.publish_reply, t.received_at, t.replied_at, t.published_at";

/// Published 市长信箱 letters, newest publication first.
pub async fn letters(db: &Db, paging: &Paging) -> Result<Page<LetterRow>, AppError> {
    let items: Vec<LetterRow> = q(format!(
        "SELECT {LETTER_COLS} FROM hotline_tickets t WHERE t.published = TRUE AND t.channel = 'mailbox' ORDER BY t.published_at DESC, t.case_id DESC LIMIT {} OFFSET {}",
        paging.per(),
        paging.offset()
    ))
    .fetch_all(db)
    .await?;
    let total = q("SELECT COUNT(*) FROM hotline_tickets t WHERE t.published = TRUE AND t.channel = 'mailbox'").fetch_i64(db).await?;
    Ok(Page::new(items, paging, total))
}

/// One published letter (nothing if it is not published).
pub async fn letter(db: &Db, id: i64) -> Result<Option<LetterRow>, AppError> {
    q(format!("SELECT {LETTER_COLS} FROM hotline_tickets t WHERE t.case_id = $1 AND t.published = TRUE AND t.channel = 'mailbox'"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The category letters to the mayor are filed under: the `hotline.mailbox_category` setting
/// (a category code) when set, else the category coded `XX-SZXX`, else the first active
/// category named like 市长信箱.
pub async fn mailbox_category(db: &Db) -> Result<Option<Category>, AppError> {
    if let Some(code) = crate::settings::get(db, "hotline.mailbox_category").await? {
        if let Some(c) = hq::category_by_code(db, code.trim()).await?.filter(|c| c.active) {
            return Ok(Some(c));
        }
    }
    if let Some(c) = hq::category_by_code(db, "XX-SZXX").await?.filter(|c| c.active) {
        return Ok(Some(c));
    }
    let id: Option<(i64,)> =
        q("SELECT id FROM hotline_categories WHERE active = TRUE AND name LIKE '%市长信箱%' ORDER BY sort, id LIMIT 1").fetch_optional(db).await?;
    match id {
        Some((id,)) => hq::category(db, id).await,
        None => Ok(None),
    }
}

/// A town or park with its villages and communities, for the grouped place selects.
#[derive(Clone, Debug)]
pub struct Place {
    pub id: i64,
    pub name: String,
    pub villages: Vec<(i64, String)>,
}

/// Every active town and park with its villages and communities (two queries).
pub async fn places(db: &Db) -> Result<Vec<Place>, AppError> {
    let towns = orgs::of_kinds(db, &[OrgKind::Town, OrgKind::Park]).await?;
    let villages = orgs::of_kinds(db, &[OrgKind::Village, OrgKind::Community]).await?;
    let mut out: Vec<Place> = towns.iter().map(|t| Place { id: t.id, name: t.name.clone(), villages: vec![] }).collect();
    for v in villages {
        if let Some(i) = towns.iter().position(|t| v.path.starts_with(&t.path)) {
            out[i].villages.push((v.id, v.name));
        }
    }
    Ok(out)
}

/// What the public progress lookup needs of a ticket.
#[derive(Clone, Debug)]
pub struct ProgressRow {
    pub id: i64,
    pub case_no: String,
    pub state: String,
    pub due_on: Option<String>,
    /// The unit the case is with (after dispatch: the handling unit).
    pub org_name: String,
    pub received_at: i64,
    pub dispatched_at: Option<i64>,
    pub reply_text: Option<String>,
    pub answer_text: Option<String>,
    pub evaluation: Option<String>,
}

/// A lookup's answer when number and phone match: the ticket with its steps `(at, action)` in
/// order, and the lock on the asker (UTC ms, when one was ever set).
pub struct Lookup {
    pub locked_until: Option<i64>,
    pub ticket: ProgressRow,
    pub steps: Vec<(i64, String)>,
}

#[derive(sqlx::FromRow)]
struct LookupRow {
    locked_until: Option<i64>,
    id: i64,
    case_no: String,
    state: String,
    due_on: Option<String>,
    org_name: String,
    received_at: i64,
    dispatched_at: Option<i64>,
    reply_text: Option<String>,
    answer_text: Option<String>,
    evaluation: Option<String>,
    at: Option<i64>,
    action: Option<String>,
}

/// The public lookup by ticket number and phone, with the asker's throttle keys: one statement
/// (one row per event), as this is the most frequent public request; the lock comes with it
/// as a subquery evaluated once. Number and phone are matched together, so an unknown number
/// and a wrong phone cost the same index lookups and give the same empty answer.
pub async fn lookup(db: &Db, case_no: &str, phone: &str, keys: &[String]) -> Result<Option<Lookup>, AppError> {
    let key = |i: usize| keys.get(i).or(keys.first()).cloned().unwrap_or_default();
    let rows: Vec<LookupRow> = q("SELECT (SELECT MAX(locked_until) FROM lookup_throttle WHERE key IN ($3, $4)) AS locked_until, \
         c.id, c.case_no, c.state, c.due_on, o.name AS org_name, t.received_at, t.dispatched_at, t.reply_text, t.answer_text, t.evaluation, e.at, e.action \
         FROM cases c JOIN hotline_tickets t ON t.case_id = c.id JOIN orgs o ON o.id = c.org_id \
         LEFT JOIN events e ON e.entity = 'case' AND e.entity_id = c.id \
         WHERE c.case_no = $1 AND c.procedure = 'hotline' AND t.caller_phone = $2 ORDER BY e.seq")
    .bind(case_no)
    .bind(phone)
    .bind(key(0))
    .bind(key(1))
    .fetch_all(db)
    .await?;
    let steps = rows.iter().filter_map(|r| r.at.zip(r.action.clone())).collect();
    Ok(rows.into_iter().next().map(|r| Lookup {
        locked_until: r.locked_until,
        ticket: ProgressRow {
            id: r.id,
            case_no: r.case_no,
            state: r.state,
            due_on: r.due_on,
            org_name: r.org_name,
            received_at: r.received_at,
            dispatched_at: r.dispatched_at,
            reply_text: r.reply_text,
            answer_text: r.answer_text,
            evaluation: r.evaluation,
        },
        steps,
    }))
}
