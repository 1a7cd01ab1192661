//! All SQL of the hotline: the catalogue, routing rules, tickets, and the indicator counters
//! kept in step with every change.

use serde::Serialize;

use super::model::{KPI_COLUMNS, KPI_FLAG_COLUMNS, KpiFacts, KpiFlags, Route, kpi_flags};
use crate::auth::roles::Scope;
use crate::db::{Ex, Q, Tx, dialect, q};
use crate::error::AppError;
use crate::kernel::queries::{CASE_COLUMNS, CaseRow};
use crate::web::{Page, Paging};

// ---------------------------------------------------------------- catalogue

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Category {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub description: String,
    pub handle_days: i64,
    pub default_org_id: Option<i64>,
    pub attributes: String,
    pub keywords: String,
    pub active: bool,
    pub sort: i64,
    pub version: i64,
}

impl Category {
    pub fn attribute_defs(&self) -> Vec<super::model::Attribute> {
        super::model::parse_attributes(&self.attributes)
    }
}

const CAT_COLS: &str = "id, code, name, description, handle_days, default_org_id, attributes, keywords, active, sort, version";

pub async fn categories<'a>(ex: impl Into<Ex<'a>>, only_active: bool) -> Result<Vec<Category>, AppError> {
    let filter = if only_active { " WHERE active = TRUE" } else { "" };
    q(format!("SELECT {CAT_COLS} FROM hotline_categories{filter} ORDER BY sort, id")).fetch_all(ex).await
}

pub async fn category<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Option<Category>, AppError> {
    q(format!("SELECT {CAT_COLS} FROM hotline_categories WHERE id = $1")).bind(id).fetch_optional(ex).await
}

pub async fn category_by_code<'a>(ex: impl Into<Ex<'a>>, code: &str) -> Result<Option<Category>, AppError> {
    q(format!("SELECT {CAT_COLS} FROM hotline_categories WHERE code = $1")).bind(code).fetch_optional(ex).await
}

pub async fn routes<'a>(ex: impl Into<Ex<'a>>) -> Result<Vec<Route>, AppError> {
    q("SELECT id, position, category_id, town_id, village_id, keyword, org_id, active, note FROM hotline_routes ORDER BY position, id").fetch_all(ex).await
}

// ---------------------------------------------------------------- tickets

/// The hotline's own facts of a ticket.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct TicketRow {
    pub case_id: i64,
    pub channel: String,
    pub caller_name: Option<String>,
    pub caller_phone: Option<String>,
    pub category_id: Option<i64>,
    pub town_id: Option<i64>,
    pub village_id: Option<i64>,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub subject: Option<String>,
    pub description: String,
    pub attributes: String,
    pub urgency: String,
    pub confidential: bool,
    pub wants_reply: bool,
    pub publish_consent: bool,
    pub received_at: i64,
    pub dispatched_at: Option<i64>,
    pub replied_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub reply_text: Option<String>,
    pub replied_on_time: Option<bool>,
    pub evaluation: Option<String>,
    pub evaluation_comment: Option<String>,
    pub evaluation_by: Option<String>,
    pub not_accepted_reason: Option<String>,
    pub alt_route: Option<String>,
    pub answer_text: Option<String>,
    pub merged_into: Option<i64>,
    pub extension_requested_days: Option<i64>,
    pub published: bool,
    pub published_at: Option<i64>,
    pub publish_subject: Option<String>,
    pub publish_body: Option<String>,
    pub publish_reply: Option<String>,
    pub kpi_org_id: i64,
}

impl TicketRow {
    /// A just-written ticket's row, from the facts written (no read-back).
    pub fn from_new(case_id: i64, org_id: i64, t: &NewTicket) -> TicketRow {
        TicketRow {
            case_id,
            channel: t.channel.clone(),
            caller_name: t.caller_name.clone(),
            caller_phone: t.caller_phone.clone(),
            category_id: t.category_id,
            town_id: t.town_id,
            village_id: t.village_id,
            address: t.address.clone(),
            lat: t.lat,
            lon: t.lon,
            subject: t.subject.clone(),
            description: t.description.clone(),
            attributes: t.attributes.clone(),
            urgency: t.urgency.clone(),
            confidential: t.confidential,
            wants_reply: t.wants_reply,
            publish_consent: t.publish_consent,
            received_at: t.received_at,
            dispatched_at: None,
            replied_at: None,
            closed_at: None,
            reply_text: None,
            replied_on_time: None,
            evaluation: None,
            evaluation_comment: None,
            evaluation_by: None,
            not_accepted_reason: None,
            alt_route: None,
            answer_text: None,
            merged_into: None,
            extension_requested_days: None,
            published: false,
            published_at: None,
            publish_subject: None,
            publish_body: None,
            publish_reply: None,
            kpi_org_id: org_id,
        }
    }
}

pub const TICKET_COLS: &str = "t.case_id, t.channel, t.caller_name, t.caller_phone, t.category_id, t.town_id, t.village_id, t.address, t.lat, t.lon, t.subject, t.description, t.attributes, t.urgency, t.confidential, t.wants_reply, t.publish_consent, t.received_at, t.dispatched_at, t.replied_at, t.closed_at, t.reply_text, t.replied_on_time, t.evaluation, t.evaluation_comment, t.evaluation_by, t.not_accepted_reason, t.alt_route, t.answer_text, t.merged_into, t.extension_requested_days, t.published, t.published_at, t.publish_subject, t.publish_body, t.publish_reply, t.kpi_org_id";

pub async fn ticket<'a>(ex: impl Into<Ex<'a>>, case_id: i64) -> Result<Option<TicketRow>, AppError> {
    q(format!("SELECT {TICKET_COLS} FROM hotline_tickets t WHERE t.case_id = $1")).bind(case_id).fetch_optional(ex).await
}

/// A new ticket's facts (the case row is created by the kernel first).
#[derive(Clone, Debug, Default)]
pub struct NewTicket {
    pub channel: String,
    pub caller_name: Option<String>,
    pub caller_phone: Option<String>,
    pub category_id: Option<i64>,
    pub town_id: Option<i64>,
    pub village_id: Option<i64>,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub subject: Option<String>,
    pub description: String,
    pub attributes: String,
    pub urgency: String,
    pub confidential: bool,
    pub wants_reply: bool,
    pub publish_consent: bool,
    pub idempotency_key: Option<String>,
    pub dedupe_hash: String,
    pub received_at: i64,
}

const TICKET_INSERT_COLS: &str = "case_id, channel, caller_name, caller_phone, category_id, town_id, village_id, address, lat, lon, subject, description, attributes, urgency, confidential, wants_reply, publish_consent, idempotency_key, dedupe_hash, received_at, received_on, kpi_org_id, kpi_town_id, kpi_category_id";

/// One new ticket as a row of a multi-row INSERT (columns: TICKET_INSERT_COLS, then the flags).
fn push_ticket_row(query: Q, first: bool, case_id: i64, org_id: i64, t: &NewTicket, flags: &KpiFlags) -> Q {
    let received_on = crate::time::fmt_date(crate::time::local_date(t.received_at));
    let mut query = query
        .push(if first { "(" } else { ", (" })
        .push_bind("{}", case_id)
        .push_bind(", {}", t.channel.as_str())
        .push_bind(", {}", t.caller_name.clone())
        .push_bind(", {}", t.caller_phone.clone())
        .push_bind(", {}", t.category_id)
        .push_bind(", {}", t.town_id)
        .push_bind(", {}", t.village_id)
        .push_bind(", {}", t.address.clone())
        .push_bind(", {}", t.lat)
        .push_bind(", {}", t.lon)
        .push_bind(", {}", t.subject.clone())
        .push_bind(", {}", t.description.as_str())
        .push_bind(", {}", t.attributes.as_str())
        .push_bind(", {}", t.urgency.as_str())
        .push_bind(", {}", t.confidential)
        .push_bind(", {}", t.wants_reply)
        .push_bind(", {}", t.publish_consent)
        .push_bind(", {}", t.idempotency_key.clone())
        .push_bind(", {}", t.dedupe_hash.as_str())
        .push_bind(", {}", t.received_at)
        .push_bind(", {}", received_on)
        .push_bind(", {}", org_id)
        .push_bind(", {}", t.town_id.unwrap_or(0))
        .push_bind(", {}", t.category_id.unwrap_or(0));
    for f in flags.as_counts() {
        query = query.push_bind(", {}", f == 1);
    }
    query.push(")")
}

/// Insert new tickets' facts with the indicator flags they start with, and count them in the
/// daily counters: one statement per hundred tickets, one for the counters. `rows` holds
/// (case id, lead unit, state, ticket).
pub async fn insert_tickets(tx: &mut Tx, rows: &[(i64, i64, &str, &NewTicket)]) -> Result<(), AppError> {
    let flag_cols = KPI_FLAG_COLUMNS.join(", ");
    let mut counters: std::collections::BTreeMap<(&'static str, i64, String), [i64; 15]> = std::collections::BTreeMap::new();
    for chunk in rows.chunks(100) {
        let mut query = q(format!("INSERT INTO hotline_tickets ({TICKET_INSERT_COLS}, {flag_cols}) VALUES "));
        for (i, (case_id, org_id, state, t)) in chunk.iter().enumerate() {
            let flags = kpi_flags(&KpiFacts { state: state.to_string(), ..Default::default() });
            query = push_ticket_row(query, i == 0, *case_id, *org_id, t, &flags);
            let day = crate::time::fmt_date(crate::time::local_date(t.received_at));
            for key in dims(*org_id, t.town_id, t.category_id, &t.channel) {
                let e = counters.entry((key.0, key.1, day.clone())).or_insert([0; 15]);
                e[0] += 1;
                for (j, c) in flags.as_counts().iter().enumerate() {
                    e[j + 1] += c;
                }
            }
        }
        query.execute(&mut *tx).await?;
    }
    add_counts_many(tx, counters).await
}

/// Add many counter rows in one statement per hundred.
pub async fn add_counts_many(tx: &mut Tx, counters: std::collections::BTreeMap<(&'static str, i64, String), [i64; 15]>) -> Result<(), AppError> {
    let cols = std::iter::once("received").chain(KPI_COLUMNS.iter().copied()).collect::<Vec<_>>();
    let updates: Vec<String> = cols.iter().map(|c| format!("{c} = hotline_kpi_daily.{c} + excluded.{c}")).collect();
    let rows: Vec<_> = counters.into_iter().collect();
    for chunk in rows.chunks(100) {
        let mut query = q(format!("INSERT INTO hotline_kpi_daily (dim, dim_id, day, {}) VALUES ", cols.join(", ")));
        for (i, ((dim, id, day), vals)) in chunk.iter().enumerate() {
            query = query.push(if i == 0 { "(" } else { ", (" }).push_bind("{}", *dim).push_bind(", {}", *id).push_bind(", {}", day.clone());
            for v in vals {
                query = query.push_bind(", {}", *v);
            }
            query = query.push(")");
        }
        query.push(&format!(" ON CONFLICT (dim, dim_id, day) DO UPDATE SET {}", updates.join(", "))).execute(&mut *tx).await?;
    }
    Ok(())
}

/// Insert one new ticket (see [`insert_tickets`]).
pub async fn insert_ticket(tx: &mut Tx, case_id: i64, org_id: i64, state: &str, t: &NewTicket) -> Result<(), AppError> {
    insert_tickets(tx, &[(case_id, org_id, state, t)]).await
}

/// An earlier ticket with the same idempotency key, or (when `by_text`) the same caller and text
/// within the duplicate window.
pub async fn find_duplicate(
    tx: &mut Tx,
    key: Option<&str>,
    phone: Option<&str>,
    dedupe_hash: &str,
    since: i64,
    by_text: bool,
) -> Result<Option<i64>, AppError> {
    if let Some(k) = key {
        let r: Option<(i64,)> = q("SELECT case_id FROM hotline_tickets WHERE idempotency_key = $1").bind(k).fetch_optional(&mut *tx).await?;
        if let Some((id,)) = r {
            return Ok(Some(id));
        }
    }
    if !by_text {
        return Ok(None);
    }
    let recent = recent_same_text(tx, &[(phone, dedupe_hash)], since).await?;
    Ok(recent.into_iter().filter(|r| r.0 == dedupe_hash).max_by_key(|r| r.2).map(|r| r.1))
}

/// The tickets received since `since` from the same callers as `callers` (phone, hash of phone
/// and text): `(dedupe_hash, case_id, received_at)`, for the caller to compare hashes. A
/// caller's recent tickets come from the index by phone that the caller history needs anyway.
/// Tickets without a number are looked up by hash: on PostgreSQL through a partial index on it
/// (migration 0009); SQLite has none (a hash is random, and an index on it cost every intake a
/// page write of its own, migration 10) — there the intake batcher remembers them and asks here
/// only when it could not read them back (`intake_batch`).
pub async fn recent_same_text(tx: &mut Tx, callers: &[(Option<&str>, &str)], since: i64) -> Result<Vec<(String, i64, i64)>, AppError> {
    let phones: Vec<String> = callers.iter().filter_map(|c| c.0).map(str::to_string).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    let hashes: Vec<String> = callers.iter().filter(|c| c.0.is_none()).map(|c| c.1.to_string()).collect();
    let mut out = Vec::new();
    if !phones.is_empty() {
        out = q("SELECT dedupe_hash, case_id, received_at FROM hotline_tickets WHERE")
            .push_in("caller_phone", &phones)
            .push_bind(" AND received_at >= {}", since)
            .fetch_all(&mut *tx)
            .await?;
    }
    if !hashes.is_empty() {
        let more: Vec<(String, i64, i64)> = q("SELECT dedupe_hash, case_id, received_at FROM hotline_tickets WHERE caller_phone IS NULL AND")
            .push_in("dedupe_hash", &hashes)
            .push_bind(" AND received_at >= {}", since)
            .fetch_all(&mut *tx)
            .await?;
        out.extend(more);
    }
    Ok(out)
}

// ---------------------------------------------------------------- indicators

#[derive(sqlx::FromRow)]
struct KpiState {
    state: String,
    org_id: i64,
    action_counts: String,
    supervised: bool,
    town_id: Option<i64>,
    category_id: Option<i64>,
    received_on: String,
    replied_on_time: Option<bool>,
    evaluation: Option<String>,
    evaluation_by: Option<String>,
    k_accepted: bool,
    k_closed: bool,
    k_on_time: bool,
    k_callback: bool,
    k_evaluated: bool,
    k_satisfied: bool,
    k_basic: bool,
    k_dissatisfied: bool,
    k_returned: bool,
    k_extended: bool,
    k_reopened: bool,
    k_supervised: bool,
    k_direct: bool,
    k_not_accepted: bool,
    kpi_org_id: i64,
    kpi_town_id: i64,
    kpi_category_id: i64,
    channel: String,
}

impl KpiState {
    fn stored(&self) -> KpiFlags {
        KpiFlags {
            accepted: self.k_accepted,
            closed: self.k_closed,
            on_time: self.k_on_time,
            callback: self.k_callback,
            evaluated: self.k_evaluated,
            satisfied: self.k_satisfied,
            basic: self.k_basic,
            dissatisfied: self.k_dissatisfied,
            returned: self.k_returned,
            extended: self.k_extended,
            reopened: self.k_reopened,
            supervised: self.k_supervised,
            direct: self.k_direct,
            not_accepted: self.k_not_accepted,
        }
    }
    fn facts(&self) -> KpiFacts {
        let counts: std::collections::BTreeMap<String, i64> = serde_json::from_str(&self.action_counts).unwrap_or_default();
        let n = |a: &str| counts.get(a).copied().unwrap_or(0);
        KpiFacts {
            state: self.state.clone(),
            dispatched: n("dispatch") > 0,
            replied_on_time: self.replied_on_time,
            evaluation: self.evaluation.clone(),
            evaluated_by_callback_or_citizen: matches!(self.evaluation_by.as_deref(), Some("callback" | "citizen" | "import")),
            returned: n("approve_return") > 0,
            extended: n("approve_extension") > 0,
            reopened: n("callback_reopen") + n("rate_reopen") > 0,
            supervised: self.supervised || n("supervise") > 0 || n("auto_supervise") > 0,
        }
    }
}

/// The counter rows a ticket counts in: the whole city, its unit, town, category and channel.
pub fn dims(org: i64, town: Option<i64>, category: Option<i64>, channel: &str) -> [(&'static str, i64); 5] {
    [("all", 0), ("org", org), ("town", town.unwrap_or(0)), ("category", category.unwrap_or(0)), ("channel", crate::model::channel_id(channel))]
}

async fn add_counts(tx: &mut Tx, dims: &[(&'static str, i64); 5], day: &str, received: i64, counts: [i64; 14]) -> Result<(), AppError> {
    if received == 0 && counts.iter().all(|c| *c == 0) {
        return Ok(());
    }
    let cols = KPI_COLUMNS.join(", ");
    let updates: Vec<String> = std::iter::once("received".to_string())
        .chain(KPI_COLUMNS.iter().map(|c| c.to_string()))
        .map(|c| format!("{c} = hotline_kpi_daily.{c} + excluded.{c}"))
        .collect();
    // The five dimensions in one statement.
    let mut qq = q(format!("INSERT INTO hotline_kpi_daily (dim, dim_id, day, received, {cols}) VALUES "));
    for (i, (dim, id)) in dims.iter().enumerate() {
        qq = qq.push(if i == 0 { "(" } else { ", (" });
        qq = qq.push_bind("{}, ", *dim).push_bind("{}, ", *id).push_bind("{}, ", day.to_string()).push_bind("{}", received);
        for c in counts {
            qq = qq.push_bind(", {}", c);
        }
        qq = qq.push(")");
    }
    qq.push(&format!(" ON CONFLICT (dim, dim_id, day) DO UPDATE SET {}", updates.join(", "))).execute(&mut *tx).await?;
    Ok(())
}

/// Recompute which indicators a ticket counts in and move the counters by the difference.
/// Called inside every transaction that changes a ticket; `created` adds it to 受理总量.
pub async fn refresh_kpi(tx: &mut Tx, case_id: i64, created: bool) -> Result<(), AppError> {
    let k: KpiState = q("SELECT c.state, c.org_id, c.action_counts, c.supervised, t.town_id, t.category_id, t.received_on, t.replied_on_time, t.evaluation, t.evaluation_by, \
                          t.k_accepted, t.k_closed, t.k_on_time, t.k_callback, t.k_evaluated, t.k_satisfied, t.k_basic, t.k_dissatisfied, t.k_returned, t.k_extended, t.k_reopened, t.k_supervised, t.k_direct, t.k_not_accepted, t.kpi_org_id, t.kpi_town_id, t.kpi_category_id, t.channel \
                          FROM cases c JOIN hotline_tickets t ON t.case_id = c.id WHERE c.id = $1")
        .bind(case_id)
        .fetch_one(&mut *tx)
        .await?;
    let old = if created { KpiFlags::default() } else { k.stored() };
    let new = kpi_flags(&k.facts());
    let old_dims = if created {
        dims(k.org_id, k.town_id, k.category_id, &k.channel)
    } else {
        // Where the ticket was counted last time (a channel never changes).
        [("all", 0), ("org", k.kpi_org_id), ("town", k.kpi_town_id), ("category", k.kpi_category_id), ("channel", crate::model::channel_id(&k.channel))]
    };
    let new_dims = dims(k.org_id, k.town_id, k.category_id, &k.channel);
    if old == new && old_dims == new_dims && !created {
        return Ok(());
    }
    let (o, n) = (old.as_counts(), new.as_counts());
    if old_dims == new_dims {
        let mut delta = [0i64; 14];
        for i in 0..14 {
            delta[i] = n[i] - o[i];
        }
        add_counts(tx, &new_dims, &k.received_on, created as i64, delta).await?;
    } else {
        add_counts(tx, &old_dims, &k.received_on, -1, o.map(|x| -x)).await?;
        add_counts(tx, &new_dims, &k.received_on, 1, n).await?;
    }
    let sets: Vec<String> = KPI_FLAG_COLUMNS.iter().enumerate().map(|(i, c)| format!("{c} = ${}", i + 1)).collect();
    let mut qq = q(format!("UPDATE hotline_tickets SET {}, kpi_org_id = $15, kpi_town_id = $16, kpi_category_id = $17 WHERE case_id = $18", sets.join(", ")));
    for c in n {
        qq = qq.bind(c == 1);
    }
    qq.bind(k.org_id).bind(k.town_id.unwrap_or(0)).bind(k.category_id.unwrap_or(0)).bind(case_id).execute(&mut *tx).await?;
    Ok(())
}

// ---------------------------------------------------------------- lists

/// A line of a ticket list.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct ListRow {
    pub id: i64,
    pub case_no: String,
    pub title: String,
    pub state: String,
    pub org_id: i64,
    pub due_on: Option<String>,
    pub paused_on: Option<String>,
    pub clock_rule: Option<String>,
    pub is_open: bool,
    pub supervised: bool,
    pub opened_at: i64,
    pub opened_on: String,
    pub channel: String,
    pub caller_phone: Option<String>,
    pub category_id: Option<i64>,
    pub town_id: Option<i64>,
    pub urgency: String,
    pub evaluation: Option<String>,
    pub version: i64,
}

/// Filters of the ticket list.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct Filter {
    pub status: Option<String>,
    pub q: Option<String>,
    pub category: Option<String>,
    pub town: Option<String>,
    pub org: Option<String>,
    pub channel: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub due: Option<String>,
    pub state: Option<String>,
    /// `1`: the tickets the caller's units co-handle (协办) instead of those they lead.
    pub co: Option<String>,
    pub page: Option<i64>,
    pub per: Option<i64>,
}

fn opt_id(s: &Option<String>) -> Option<i64> {
    s.as_deref().and_then(|v| v.trim().parse().ok())
}

/// The WHERE part shared by the list and its count.
pub fn filter_sql(f: &Filter, scope: &Scope, today: &str) -> Q {
    let mut w = q(" FROM cases c JOIN hotline_tickets t ON t.case_id = c.id WHERE c.procedure = 'hotline'");
    if f.co.as_deref() == Some("1") {
        // Co-handled: the scope applies to the co-units.
        w = w.push(" AND c.id IN (SELECT cu.case_id FROM case_units cu WHERE cu.role = 'co'");
        w = scope.filter(w, "cu.org_id");
        w = w.push(")");
    } else {
        w = scope.filter(w, "c.org_id");
    }
    match f.status.as_deref().unwrap_or("open") {
        "open" => w = w.push(" AND c.is_open = TRUE"),
        "closed" => w = w.push(" AND c.is_open = FALSE"),
        _ => {}
    }
    if let Some(s) = f.state.as_deref().filter(|s| !s.is_empty()) {
        w = w.push_bind(" AND c.state = {}", s.to_string());
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        if text.chars().all(|c| c.is_ascii_digit()) && text.len() >= 8 {
            w = w.push_bind(" AND (c.case_no = {}", text.to_string()).push_bind(" OR t.caller_phone = {})", text.to_string());
        } else {
            w = w
                .push_bind(" AND (c.title LIKE {} ESCAPE '\\'", dialect::contains_pattern(text))
                .push_bind(" OR t.description LIKE {} ESCAPE '\\')", dialect::contains_pattern(text));
        }
    }
    if let Some(id) = opt_id(&f.category) {
        w = w.push_bind(" AND t.category_id = {}", id);
    }
    if let Some(id) = opt_id(&f.town) {
        w = w.push_bind(" AND t.town_id = {}", id);
    }
    if let Some(id) = opt_id(&f.org) {
        w = w.push_bind(" AND c.org_id = {}", id);
    }
    if let Some(ch) = f.channel.as_deref().filter(|s| !s.is_empty()) {
        w = w.push_bind(" AND t.channel = {}", ch.to_string());
    }
    if let Some(d) = f.from.as_deref().and_then(crate::time::parse_date) {
        w = w.push_bind(" AND t.received_on >= {}", crate::time::fmt_date(d));
    }
    if let Some(d) = f.to.as_deref().and_then(crate::time::parse_date) {
        w = w.push_bind(" AND t.received_on <= {}", crate::time::fmt_date(d));
    }
    match f.due.as_deref() {
        // The kernel's one definition of 已超期 and 即将超期, as on the 工作台 and the badges.
        Some("over") => w = crate::kernel::queries::overdue_sql(w.push(" AND "), today),
        Some("soon") => w = crate::kernel::queries::due_soon_sql(w.push(" AND "), today),
        Some("supervised") => w = w.push(" AND c.supervised = TRUE"),
        _ => {}
    }
    w
}

pub const LIST_COLS: &str = "c.id, c.case_no, c.title, c.state, c.org_id, c.due_on, c.paused_on, c.clock_rule, c.is_open, c.supervised, c.opened_at, c.opened_on, t.channel, t.caller_phone, t.category_id, t.town_id, t.urgency, t.evaluation, c.version";

/// Counting stops at this many, so that a broad filter never scans the whole table to count.
pub const COUNT_CAP: i64 = 10_000;

pub async fn list<'a>(ex: impl Into<Ex<'a>>, f: &Filter, scope: &Scope, today: &str) -> Result<Page<ListRow>, AppError> {
    let Ex::Db(db) = ex.into() else { return Err(AppError::internal("list on pool only")) };
    let paging = Paging { page: f.page, per: f.per };
    let w = filter_sql(f, scope, today);
    let open_order = f.status.as_deref().unwrap_or("open") == "open";
    let order = if open_order { " ORDER BY CASE WHEN c.due_on IS NULL THEN 1 ELSE 0 END, c.due_on, c.id" } else { " ORDER BY c.opened_at DESC, c.id DESC" };
    let mut lq = q(format!("SELECT {LIST_COLS}{}{order} LIMIT {} OFFSET {}", w.sql(), paging.per(), paging.offset()));
    let mut cq = q(format!("SELECT COUNT(*) FROM (SELECT 1{} LIMIT {}) x", w.sql(), COUNT_CAP + 1));
    for a in w.args() {
        lq = lq.bind(a.clone());
        cq = cq.bind(a.clone());
    }
    let items: Vec<ListRow> = lq.fetch_all(db).await?;
    let total = cq.fetch_i64(db).await?;
    Ok(Page::new(items, &paging, total))
}

/// Every ticket the filter selects, in the list's order, up to `limit` (the export: one query,
/// no count).
pub async fn list_all(db: &crate::db::Db, f: &Filter, scope: &Scope, today: &str, limit: i64) -> Result<Vec<ListRow>, AppError> {
    let w = filter_sql(f, scope, today);
    let open_order = f.status.as_deref().unwrap_or("open") == "open";
    let order = if open_order { " ORDER BY CASE WHEN c.due_on IS NULL THEN 1 ELSE 0 END, c.due_on, c.id" } else { " ORDER BY c.opened_at DESC, c.id DESC" };
    let mut lq = q(format!("SELECT {LIST_COLS}{}{order} LIMIT {limit}", w.sql()));
    for a in w.args() {
        lq = lq.bind(a.clone());
    }
    lq.fetch_all(db).await
}

/// Earlier tickets of the same caller (newest first), for the agent console.
pub async fn by_phone<'a>(ex: impl Into<Ex<'a>>, phone: &str, limit: i64) -> Result<Vec<ListRow>, AppError> {
    q(format!("SELECT {LIST_COLS} FROM cases c JOIN hotline_tickets t ON t.case_id = c.id WHERE t.caller_phone = $1 ORDER BY t.received_at DESC LIMIT $2"))
        .bind(phone)
        .bind(limit)
        .fetch_all(ex)
        .await
}

/// Load case and ticket together.
pub async fn load<'a>(ex: impl Into<Ex<'a>>, case_id: i64) -> Result<Option<(CaseRow, TicketRow)>, AppError> {
    let ex = ex.into();
    match ex {
        Ex::Db(db) => {
            let c: Option<CaseRow> =
                q(format!("SELECT {CASE_COLUMNS} FROM cases c WHERE c.id = $1 AND c.procedure = 'hotline'")).bind(case_id).fetch_optional(db).await?;
            let Some(c) = c else { return Ok(None) };
            let t = ticket(db, case_id).await?.ok_or_else(|| AppError::internal("ticket row missing"))?;
            Ok(Some((c, t)))
        }
        Ex::Tx(tx) => {
            let c: Option<CaseRow> =
                q(format!("SELECT {CASE_COLUMNS} FROM cases c WHERE c.id = $1 AND c.procedure = 'hotline'")).bind(case_id).fetch_optional(&mut *tx).await?;
            let Some(c) = c else { return Ok(None) };
            let t = ticket(&mut *tx, case_id).await?.ok_or_else(|| AppError::internal("ticket row missing"))?;
            Ok(Some((c, t)))
        }
    }
}

// ---------------------------------------------------------------- public reads (Open311)

/// A service of the public catalogue, with the name of the unit that usually handles it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PublicService {
    pub code: String,
    pub name: String,
    pub description: String,
    pub attributes: String,
    pub keywords: String,
    pub unit_name: Option<String>,
}

pub async fn public_services<'a>(ex: impl Into<Ex<'a>>) -> Result<Vec<PublicService>, AppError> {
    q("SELECT k.code, k.name, k.description, k.attributes, k.keywords, o.name AS unit_name FROM hotline_categories k LEFT JOIN orgs o ON o.id = k.default_org_id \
       WHERE k.active = TRUE ORDER BY k.sort, k.id")
    .fetch_all(ex)
    .await
}

/// A ticket as far as the public may see it. The caller's name and phone are not even read.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PublicTicket {
    pub id: i64,
    pub case_no: String,
    pub state: String,
    pub is_open: bool,
    pub due_on: Option<String>,
    pub closed_at: Option<i64>,
    pub updated_at: i64,
    pub unit_name: String,
    pub channel: String,
    pub category_code: Option<String>,
    pub category_name: Option<String>,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub description: String,
    pub confidential: bool,
    pub published: bool,
    pub publish_body: Option<String>,
    pub received_at: i64,
}

const PUBLIC_COLS: &str = "c.id, c.case_no, c.state, c.is_open, c.due_on, c.closed_at, c.updated_at, o.name AS unit_name, t.channel, k.code AS category_code, \
                           k.name AS category_name, t.address, t.lat, t.lon, t.description, t.confidential, t.published, t.publish_body, t.received_at";
const PUBLIC_FROM: &str = " FROM cases c JOIN hotline_tickets t ON t.case_id = c.id JOIN orgs o ON o.id = c.org_id \
                            LEFT JOIN hotline_categories k ON k.id = t.category_id WHERE c.procedure = 'hotline'";

/// Which tickets a public list asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum PublicSelect {
    /// These ticket numbers, whatever else was asked.
    Numbers(Vec<String>),
    /// Received within `[from, to]` (UTC ms), optionally of these categories and open or closed.
    Window { from: i64, to: i64, category_codes: Vec<String>, open: Option<bool>, limit: i64, offset: i64 },
}

/// Public tickets, newest first (received time, then id: a stable order for paging).
pub async fn public_tickets<'a>(ex: impl Into<Ex<'a>>, select: &PublicSelect) -> Result<Vec<PublicTicket>, AppError> {
    let base = q(format!("SELECT {PUBLIC_COLS}{PUBLIC_FROM}"));
    let query = match select {
        PublicSelect::Numbers(nos) => base.push(" AND").push_in("c.case_no", nos).push(" ORDER BY t.received_at DESC, c.id DESC"),
        PublicSelect::Window { from, to, category_codes, open, limit, offset } => {
            let mut w = base.push_bind(" AND t.received_at >= {}", *from).push_bind(" AND t.received_at <= {}", *to);
            if !category_codes.is_empty() {
                w = w.push(" AND").push_in("k.code", category_codes);
            }
            if let Some(open) = open {
                w = w.push_bind(" AND c.is_open = {}", *open);
            }
            w.push(&format!(" ORDER BY t.received_at DESC, c.id DESC LIMIT {} OFFSET {}", (*limit).max(0), (*offset).max(0)))
        }
    };
    query.fetch_all(ex).await
}

/// The public steps of these tickets, oldest first: (ticket id, action).
pub async fn public_steps<'a>(ex: impl Into<Ex<'a>>, case_ids: &[i64], actions: &[&'static str]) -> Result<Vec<(i64, String)>, AppError> {
    if case_ids.is_empty() {
        return Ok(vec![]);
    }
    let actions: Vec<String> = actions.iter().map(|a| a.to_string()).collect();
    q("SELECT entity_id, action FROM events WHERE entity = 'case' AND")
        .push_in("entity_id", case_ids)
        .push(" AND")
        .push_in("action", &actions)
        .push(" ORDER BY seq")
        .fetch_all(ex)
        .await
}

/// One public step of a ticket, from the event log.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PublicStep {
    pub seq: i64,
    pub at: i64,
    pub action: String,
    pub changes: String,
    pub case_no: String,
}

/// Public steps taken within `[from, to]` (UTC ms), newest first.
pub async fn public_steps_between<'a>(
    ex: impl Into<Ex<'a>>,
    actions: &[&'static str],
    from: i64,
    to: i64,
    limit: i64,
    offset: i64,
) -> Result<Vec<PublicStep>, AppError> {
    let actions: Vec<String> = actions.iter().map(|a| a.to_string()).collect();
    q("SELECT e.seq, e.at, e.action, e.changes, c.case_no FROM events e JOIN cases c ON c.id = e.entity_id \
       WHERE e.entity = 'case' AND c.procedure = 'hotline' AND")
    .push_in("e.action", &actions)
    .push_bind(" AND e.at >= {}", from)
    .push_bind(" AND e.at <= {}", to)
    .push(&format!(" ORDER BY e.at DESC, e.seq DESC LIMIT {} OFFSET {}", limit.max(0), offset.max(0)))
    .fetch_all(ex)
    .await
}

/// When the public catalogue last changed (UTC ms), if it ever did.
pub async fn catalogue_changed_at<'a>(ex: impl Into<Ex<'a>>) -> Result<Option<i64>, AppError> {
    let r: Option<(Option<i64>,)> = q("SELECT MAX(at) FROM events WHERE entity = 'hotline_category'").fetch_optional(ex).await?;
    Ok(r.and_then(|r| r.0))
}

/// Open tickets of the same category in the same town received in the last two weeks: possible
/// repeats of the same matter, for the agent to merge.
pub async fn similar_open<'a>(ex: impl Into<Ex<'a>>, category_id: i64, town_id: i64, since_ms: i64, limit: i64) -> Result<Vec<ListRow>, AppError> {
    q(format!(
        "SELECT {LIST_COLS} FROM cases c JOIN hotline_tickets t ON t.case_id = c.id WHERE t.category_id = $1 AND t.town_id = $2 AND t.received_at >= $3 AND c.is_open = TRUE ORDER BY t.received_at DESC LIMIT $4"
    ))
    .bind(category_id)
    .bind(town_id)
    .bind(since_ms)
    .bind(limit)
    .fetch_all(ex)
    .await
}
