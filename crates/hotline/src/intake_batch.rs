//! Intake in groups. Taking in a ticket writes a case, the ticket, an event and the counters;
//! done one by one, the per-statement cost of the database driver, not the database, limits a
//! busy hotline. So intakes arriving together are written together: while one group is being
//! written the next accumulates, and each group costs a handful of multi-row statements (one
//! number block, one insert per hundred cases, tickets and events, one for the counters). A
//! repeat of an earlier submission — also within the same group — returns the first ticket. If
//! anything in a group fails, its tickets are written again one by one, each on its own, so that
//! one bad ticket never takes its neighbours down with it.
//!
//! Repeats of a ticket without a phone number (the same text from an anonymous source within
//! [`model::DUPLICATE_WINDOW_MS`]) are found, on SQLite, in the batcher's memory of the last
//! minute ([`RecentAnonymous`]): this process is the database's only writer and every live intake
//! passes here, so what it remembers is all there is, and at start it reads the last minute back
//! from the database. Asking the database cost too much there: the index on the hash of the
//! text — a random key — put every new ticket on a B-tree page of its own, and the lookup (SQLite,
//! without statistics, chose the index by phone) read every ticket without a number of the last
//! minute, for each group; such intakes ran at a third of the rate of those with a number
//! (BENCHMARKS.md). SQLite no longer has that index (migration 10). On PostgreSQL several
//! instances take in tickets, so there the database is asked, through that index.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use futures::FutureExt;
use tokio::sync::{mpsc, oneshot};

use super::model;
use super::queries::{self, NewTicket};
use super::rules::PROCEDURE;
use super::service::Intake;
use crate::audit::{Actor, Chain, Changes, NewEvent};
use crate::calendar::Calendar;
use crate::db::{Backend, Db, Tx, q};
use crate::error::AppError;
use crate::kernel::queries::{CASE_COLUMNS, CaseRow};
use crate::org::OrgRow;

/// One ticket to take in, already checked.
pub struct Item {
    pub actor: Actor,
    pub centre: OrgRow,
    pub ticket: NewTicket,
    pub title: String,
    pub category_name: Option<String>,
    pub accept_now: bool,
    pub direct: Option<String>,
    /// Files already stored: (sha256, mime, size, name).
    pub stored: Vec<(String, &'static str, usize, String)>,
    pub purpose: String,
    pub calendar: Arc<Calendar>,
    /// The server's public address, for the link in the citizen's text message.
    pub portal: Arc<str>,
}

struct Pending {
    item: Item,
    reply: oneshot::Sender<Result<Intake, AppError>>,
}

/// The per-instance intake queue.
#[derive(Clone)]
pub struct Batcher {
    tx: mpsc::Sender<Pending>,
}

/// Largest group.
const MAX_GROUP: usize = 400;

impl Batcher {
    pub fn start(db: Db) -> Batcher {
        let (tx, rx) = mpsc::channel::<Pending>(8192);
        tokio::spawn(worker(db, rx));
        Batcher { tx }
    }

    pub async fn submit(&self, item: Item) -> Result<Intake, AppError> {
        let (reply, wait) = oneshot::channel();
        self.tx.send(Pending { item, reply }).await.map_err(|_| AppError::internal("受理队列已关闭"))?;
        wait.await.map_err(|_| AppError::internal("受理任务意外中止"))?
    }
}

/// Tickets without a phone number taken in during the last minute, by the hash of their text:
/// their duplicate check on SQLite (see the module's comment). About 40 bytes a ticket: a
/// minute at 5,000 tickets a second is 12 MB.
#[derive(Default)]
struct RecentAnonymous {
    seeded: bool,
    /// The first 128 bits of the hash → (case id, received at), the newest ticket per text.
    by_hash: HashMap<u128, (i64, i64)>,
    /// When entries older than the window were last dropped (received-at time).
    swept: i64,
}

impl RecentAnonymous {
    fn key(hash: &str) -> Option<u128> {
        hash.get(..32).and_then(|h| u128::from_str_radix(h, 16).ok())
    }

    /// The last minute from the database, once (after a restart a repeat is still recognised).
    /// Tickets without a number sit together in time order in the index by phone.
    async fn seed(&mut self, db: &Db) -> Result<(), AppError> {
        if self.seeded {
            return Ok(());
        }
        let since = crate::time::now_ms() - model::DUPLICATE_WINDOW_MS;
        let rows: Vec<(String, i64, i64)> = q("SELECT dedupe_hash, case_id, received_at FROM hotline_tickets WHERE caller_phone IS NULL AND received_at >= $1")
            .bind(since)
            .fetch_all(db)
            .await?;
        for (hash, id, at) in rows {
            self.remember(&hash, id, at);
        }
        self.seeded = true;
        Ok(())
    }

    fn remember(&mut self, hash: &str, case_id: i64, at: i64) {
        if let Some(k) = Self::key(hash) {
            let e = self.by_hash.entry(k).or_insert((case_id, at));
            if e.1 <= at {
                *e = (case_id, at);
            }
        }
    }

    /// The earlier ticket a new one without a phone number repeats, if any.
    fn find(&self, t: &NewTicket) -> Option<i64> {
        if t.caller_phone.is_some() {
            return None;
        }
        let (id, at) = self.by_hash.get(&Self::key(&t.dedupe_hash)?)?;
        (*at >= t.received_at - model::DUPLICATE_WINDOW_MS).then_some(*id)
    }

    /// Drop what is older than the window before `now`, every few seconds (a pass over the map).
    fn sweep(&mut self, now: i64) {
        let horizon = now - model::DUPLICATE_WINDOW_MS;
        if horizon - self.swept >= 5_000 {
            self.by_hash.retain(|_, (_, at)| *at >= horizon);
            self.swept = horizon;
        }
    }

    /// Remember the new tickets without a number that were written.
    fn written(&mut self, items: &[Item], results: &[Result<Intake, AppError>]) {
        for (it, r) in items.iter().zip(results) {
            if let Ok(r) = r {
                if !r.duplicate && it.ticket.caller_phone.is_none() {
                    self.remember(&it.ticket.dedupe_hash, r.case.id, it.ticket.received_at);
                }
            }
        }
    }
}

async fn worker(db: Db, mut rx: mpsc::Receiver<Pending>) {
    let mut recent = (db.backend() == Backend::Sqlite).then(RecentAnonymous::default);
    while let Some(first) = rx.recv().await {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(p) => group.push(p),
                Err(_) => break,
            }
        }
        let (items, replies): (Vec<Item>, Vec<oneshot::Sender<Result<Intake, AppError>>>) = group.into_iter().map(|p| (p.item, p.reply)).unzip();
        let items = Arc::new(items);
        // Repeats of tickets without a number, from memory; the database is asked when there is
        // no memory (PostgreSQL), or it could not be read back.
        let memory = match &mut recent {
            Some(r) => match r.seed(&db).await {
                Ok(()) => {
                    r.sweep(crate::time::now_ms());
                    Some(&mut *r)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "recent anonymous intakes not read back; asking the database");
                    None
                }
            },
            None => None,
        };
        let known: Vec<Option<i64>> = items.iter().map(|it| memory.as_ref().and_then(|r| r.find(&it.ticket))).collect();
        let ask_db = memory.is_none();
        let results = write_items(&db, items.clone(), known, ask_db).await;
        if let Some(r) = memory {
            r.written(&items, &results);
        }
        for (reply, r) in replies.into_iter().zip(results) {
            let _ = reply.send(r);
        }
    }
}

/// Write a group (one transaction), or a single ticket; the results in the order of the items.
async fn write_items(db: &Db, items: Arc<Vec<Item>>, known: Vec<Option<i64>>, ask_db: bool) -> Vec<Result<Intake, AppError>> {
    if items.len() == 1 {
        return vec![write_one(db, clone_item(&items[0]), known[0], ask_db).await];
    }
    let shared = items.clone();
    let known_in = known.clone();
    match db.write(move |tx| async move { write_group(tx, &shared, &known_in, ask_db).await }.boxed()).await {
        Ok(results) => results.into_iter().map(Ok).collect(),
        Err(e) => {
            // Nothing of the group was kept: write each on its own, so that only the bad one
            // fails.
            tracing::warn!(error = %e, size = items.len(), "group intake failed; writing its tickets one by one");
            let mut out = Vec::with_capacity(items.len());
            for (item, k) in items.iter().zip(known) {
                out.push(write_one(db, clone_item(item), k, ask_db).await);
            }
            out
        }
    }
}

fn clone_item(i: &Item) -> Item {
    Item {
        actor: i.actor.clone(),
        centre: i.centre.clone(),
        ticket: i.ticket.clone(),
        title: i.title.clone(),
        category_name: i.category_name.clone(),
        accept_now: i.accept_now,
        direct: i.direct.clone(),
        stored: i.stored.clone(),
        purpose: i.purpose.clone(),
        calendar: i.calendar.clone(),
        portal: i.portal.clone(),
    }
}

/// One ticket in its own write (a group of one, or the fallback). `known`: the earlier ticket it
/// repeats, found in memory; `ask_db`: look for a repeat without a number in the database too.
async fn write_one(db: &Db, item: Item, known: Option<i64>, ask_db: bool) -> Result<Intake, AppError> {
    db.write(move |tx| {
        async move {
            let t = &item.ticket;
            let since = t.received_at - model::DUPLICATE_WINDOW_MS;
            let by_text = t.caller_phone.is_some() || ask_db;
            let found = match known {
                Some(id) if t.idempotency_key.is_none() => Some(id),
                _ => queries::find_duplicate(tx, t.idempotency_key.as_deref(), t.caller_phone.as_deref(), &t.dedupe_hash, since, by_text).await?.or(known),
            };
            if let Some(existing) = found {
                let case = crate::kernel::queries::get(&mut *tx, existing).await?.ok_or_else(|| AppError::internal("duplicate vanished"))?;
                return Ok(Intake { case, duplicate: true, ticket: None });
            }
            let case = super::service::insert_ticket(
                tx,
                &item.actor,
                &item.centre,
                item.ticket.clone(),
                item.title.clone(),
                item.category_name.clone(),
                item.accept_now,
                item.direct.clone(),
                &item.calendar,
                &item.portal,
            )
            .await?;
            for (sha, mime, size, name) in &item.stored {
                crate::files::attach(tx, "case", case.id, &item.purpose, sha, mime, *size, name, item.actor.kind.as_str(), item.actor.id).await?;
            }
            Ok(Intake { case, duplicate: false, ticket: Some(item.ticket.clone()) })
        }
        .boxed()
    })
    .await
}

fn state_of(item: &Item) -> &'static str {
    if item.direct.is_some() {
        "answered"
    } else if item.accept_now {
        "accepted"
    } else {
        "received"
    }
}

/// Write a group in one transaction; results in the order of the items. `known` and `ask_db` as
/// for [`write_one`].
async fn write_group(tx: &mut Tx, items: &[Item], known: &[Option<i64>], ask_db: bool) -> Result<Vec<Intake>, AppError> {
    // 1. Repeats of earlier submissions, and repeats inside the group.
    let keys: Vec<String> = items.iter().filter_map(|i| i.ticket.idempotency_key.clone()).collect();
    let since = items.iter().map(|i| i.ticket.received_at).min().unwrap_or(0) - model::DUPLICATE_WINDOW_MS;
    let by_key: Vec<(String, i64)> = if keys.is_empty() {
        vec![]
    } else {
        q("SELECT idempotency_key, case_id FROM hotline_tickets WHERE").push_in("idempotency_key", &keys).fetch_all(&mut *tx).await?
    };
    let callers: Vec<(Option<&str>, &str)> =
        items.iter().filter(|i| i.ticket.caller_phone.is_some() || ask_db).map(|i| (i.ticket.caller_phone.as_deref(), i.ticket.dedupe_hash.as_str())).collect();
    let by_hash = queries::recent_same_text(tx, &callers, since).await?;
    // For each item: an existing case, the index of an earlier item of the group, or new.
    enum Fate {
        Existing(i64),
        SameAs(usize),
        New,
    }
    let mut fates = Vec::with_capacity(items.len());
    let mut first_key: HashMap<&str, usize> = HashMap::new();
    let mut first_hash: HashMap<&str, usize> = HashMap::new();
    for (i, it) in items.iter().enumerate() {
        let t = &it.ticket;
        let window = t.received_at - model::DUPLICATE_WINDOW_MS;
        let existing = t
            .idempotency_key
            .as_deref()
            .and_then(|k| by_key.iter().find(|(kk, _)| kk == k).map(|x| x.1))
            .or(known[i])
            .or_else(|| by_hash.iter().filter(|(h, _, at)| *h == t.dedupe_hash && *at >= window).max_by_key(|x| x.2).map(|x| x.1));
        let fate = match existing {
            Some(id) => Fate::Existing(id),
            None => match t.idempotency_key.as_deref().and_then(|k| first_key.get(k)).or_else(|| first_hash.get(t.dedupe_hash.as_str())) {
                Some(j) => Fate::SameAs(*j),
                None => Fate::New,
            },
        };
        if matches!(fate, Fate::New) {
            if let Some(k) = t.idempotency_key.as_deref() {
                first_key.insert(k, i);
            }
            first_hash.insert(t.dedupe_hash.as_str(), i);
        }
        fates.push(fate);
    }
    // 2. Numbers, one block per sequence.
    let new_idx: Vec<usize> = fates.iter().enumerate().filter(|(_, f)| matches!(f, Fate::New)).map(|(i, _)| i).collect();
    let mut numbers: HashMap<usize, String> = HashMap::new();
    let mut groups: BTreeMap<(i32, String), Vec<usize>> = BTreeMap::new();
    for &i in &new_idx {
        let year = chrono::Datelike::year(&crate::time::local_date(items[i].ticket.received_at));
        groups.entry((year, items[i].centre.code.clone())).or_default().push(i);
    }
    for ((year, org), idx) in groups {
        let block = crate::kernel::numbering::next_block(tx, PROCEDURE.code, PROCEDURE.number_pattern, year, &org, idx.len()).await?;
        for (i, no) in idx.into_iter().zip(block) {
            numbers.insert(i, no);
        }
    }
    // 3. Cases, one statement per hundred.
    let returning = CASE_COLUMNS.replace("c.", "");
    let mut created: HashMap<String, CaseRow> = HashMap::new();
    for chunk in new_idx.chunks(100) {
        let mut query = q(
            "INSERT INTO cases (procedure, case_no, year, title, state, org_id, opened_at, opened_on, action_counts, is_open, closed_at, supervised, version, updated_at) VALUES ",
        );
        for (n, &i) in chunk.iter().enumerate() {
            let it = &items[i];
            let day = crate::time::local_date(it.ticket.received_at);
            let closed = it.direct.is_some();
            query = query
                .push(if n == 0 { "(" } else { ", (" })
                .push_bind("{}", PROCEDURE.code)
                .push_bind(", {}", numbers[&i].clone())
                .push_bind(", {}", i64::from(chrono::Datelike::year(&day)))
                .push_bind(", {}", it.title.clone())
                .push_bind(", {}", state_of(it))
                .push_bind(", {}", it.centre.id)
                .push_bind(", {}", it.ticket.received_at)
                .push_bind(", {}", crate::time::fmt_date(day))
                .push(", '{}'")
                .push_bind(", {}", !closed)
                .push_bind(", {}", closed.then_some(it.ticket.received_at))
                .push(", FALSE, 1")
                .push_bind(", {})", it.ticket.received_at);
        }
        let rows: Vec<CaseRow> = query.push(&format!(" RETURNING {returning}")).fetch_all(&mut *tx).await?;
        for r in rows {
            created.insert(r.case_no.clone(), r);
        }
    }
    let case_of = |i: usize| -> Result<&CaseRow, AppError> { created.get(&numbers[&i]).ok_or_else(|| AppError::internal("新建办件未返回")) };
    // 4. Tickets and counters.
    let mut rows = Vec::with_capacity(new_idx.len());
    for &i in &new_idx {
        let c = case_of(i)?;
        rows.push((c.id, items[i].centre.id, state_of(&items[i]), &items[i].ticket));
    }
    queries::insert_tickets(tx, &rows).await?;
    for &i in &new_idx {
        if let Some(a) = &items[i].direct {
            let c = case_of(i)?;
            q("UPDATE hotline_tickets SET answer_text = $1, closed_at = $2 WHERE case_id = $3")
                .bind(a.as_str())
                .bind(items[i].ticket.received_at)
                .bind(c.id)
                .execute(&mut *tx)
                .await?;
        }
    }
    // 5. Events, in the order of the group.
    let mut events = Vec::with_capacity(new_idx.len());
    for &i in &new_idx {
        let it = &items[i];
        let c = case_of(i)?;
        let st = state_of(it);
        let summary = match st {
            "answered" => "登记并直接答复办结",
            "accepted" => "登记并受理",
            _ => "登记",
        };
        let changes = Changes::new()
            .created("渠道", model::channel_label(&it.ticket.channel))
            .created("类别", it.category_name.clone())
            .created("联系电话", it.ticket.caller_phone.as_deref().map(crate::privacy::mask_phone))
            .created("状态", PROCEDURE.state_name(st));
        events.push((it.actor.clone(), NewEvent::new("case", c.id, "intake", summary).changes(changes), it.ticket.received_at));
    }
    let mut chain = Chain::open(tx).await?;
    chain.append_many(tx, events).await?;
    chain.close(tx).await?;
    // The callers' text messages (受理 with the number), in one statement.
    let mut messages = Vec::new();
    for &i in &new_idx {
        let it = &items[i];
        messages.extend(super::service::accepted_message(case_of(i)?, it.ticket.caller_phone.as_deref(), &it.centre.name, &it.portal));
    }
    crate::notify::enqueue(tx, &messages).await?;
    // 6. Files (the portal's photos).
    for &i in &new_idx {
        let it = &items[i];
        let c = case_of(i)?;
        for (sha, mime, size, name) in &it.stored {
            crate::files::attach(tx, "case", c.id, &it.purpose, sha, mime, *size, name, it.actor.kind.as_str(), it.actor.id).await?;
        }
    }
    // 7. Answers in the order asked.
    let existing_ids: Vec<i64> = fates.iter().filter_map(|f| if let Fate::Existing(id) = f { Some(*id) } else { None }).collect();
    let existing: Vec<CaseRow> = if existing_ids.is_empty() {
        vec![]
    } else {
        q(format!("SELECT {CASE_COLUMNS} FROM cases c WHERE")).push_in("c.id", &existing_ids).fetch_all(&mut *tx).await?
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, f) in fates.iter().enumerate() {
        out.push(match f {
            Fate::New => Intake { case: case_of(i)?.clone(), duplicate: false, ticket: Some(items[i].ticket.clone()) },
            Fate::SameAs(j) => Intake { case: case_of(*j)?.clone(), duplicate: true, ticket: None },
            Fate::Existing(id) => Intake {
                case: existing.iter().find(|c| c.id == *id).cloned().ok_or_else(|| AppError::internal("duplicate vanished"))?,
                duplicate: true,
                ticket: None,
            },
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(text: &str, phone: Option<&str>, at: i64) -> NewTicket {
        NewTicket {
            dedupe_hash: super::super::service::dedupe_hash(phone, text),
            caller_phone: phone.map(str::to_string),
            received_at: at,
            ..Default::default()
        }
    }

    #[test]
    fn remembers_a_minute_of_tickets_without_a_number() {
        let mut r = RecentAnonymous::default();
        let t0 = 1_000_000_000;
        let first = ticket("路灯不亮", None, t0);
        r.remember(&first.dedupe_hash, 7, t0);
        assert_eq!(r.find(&ticket("路灯不亮", None, t0 + 59_999)), Some(7));
        assert_eq!(r.find(&ticket("路 灯不亮", None, t0 + 1_000)), Some(7), "spaces do not make another text");
        assert_eq!(r.find(&ticket("路灯不亮", None, t0 + 60_001)), None, "after the window");
        assert_eq!(r.find(&ticket("井盖缺失", None, t0 + 1_000)), None);
        assert_eq!(r.find(&ticket("路灯不亮", Some("13812345678"), t0 + 1_000)), None, "callers with a number are found by number");
        // The newest ticket of a text wins; an older one read back later does not replace it.
        r.remember(&first.dedupe_hash, 9, t0 + 30_000);
        r.remember(&first.dedupe_hash, 8, t0 + 10_000);
        assert_eq!(r.find(&ticket("路灯不亮", None, t0 + 80_000)), Some(9));
        // Swept once the window has passed.
        r.sweep(t0 + 30_000 + model::DUPLICATE_WINDOW_MS + 6_000);
        assert!(r.by_hash.is_empty());
    }
}
