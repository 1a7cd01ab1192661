//! Intake in groups. Taking in a ticket writes a case, the ticket, an event and the counters;
//! done one by one, the per-statement cost of the database driver, not the database, limits a
//! busy hotline. So intakes arriving together are written together: while one group is being
//! written the next accumulates, and each group costs a handful of multi-row statements (one
//! number block, one insert per hundred cases, tickets and events, one for the counters). A
//! repeat of an earlier submission — also within the same group — returns the first ticket. If
//! anything in a group fails, its tickets are written again one by one, each on its own, so that
//! one bad ticket never takes its neighbours down with it.

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
use crate::db::{Db, Tx, q};
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

async fn worker(db: Db, mut rx: mpsc::Receiver<Pending>) {
    while let Some(first) = rx.recv().await {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(p) => group.push(p),
                Err(_) => break,
            }
        }
        if group.len() == 1 {
            let p = group.pop().expect("one");
            let r = write_one(&db, p.item).await;
            let _ = p.reply.send(r);
            continue;
        }
        let (items, replies): (Vec<Item>, Vec<oneshot::Sender<Result<Intake, AppError>>>) = group.into_iter().map(|p| (p.item, p.reply)).unzip();
        let items = Arc::new(items);
        let shared = items.clone();
        let result = db.write(move |tx| async move { write_group(tx, &shared).await }.boxed()).await;
        match result {
            Ok(results) => {
                for (reply, r) in replies.into_iter().zip(results) {
                    let _ = reply.send(Ok(r));
                }
            }
            Err(e) => {
                // Nothing of the group was kept: write each on its own, so that only the bad
                // one fails.
                tracing::warn!(error = %e, size = items.len(), "group intake failed; writing its tickets one by one");
                let items = Arc::try_unwrap(items).unwrap_or_else(|a| a.iter().map(clone_item).collect());
                for (item, reply) in items.into_iter().zip(replies) {
                    let r = write_one(&db, item).await;
                    let _ = reply.send(r);
                }
            }
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

/// One ticket in its own write (a group of one, or the fallback).
async fn write_one(db: &Db, item: Item) -> Result<Intake, AppError> {
    db.write(move |tx| {
        async move {
            let t = &item.ticket;
            if let Some(existing) =
                queries::find_duplicate(tx, t.idempotency_key.as_deref(), t.caller_phone.as_deref(), &t.dedupe_hash, t.received_at - model::DUPLICATE_WINDOW_MS)
                    .await?
            {
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

/// Write a group in one transaction; results in the order of the items.
async fn write_group(tx: &mut Tx, items: &[Item]) -> Result<Vec<Intake>, AppError> {
    // 1. Repeats of earlier submissions, and repeats inside the group.
    let keys: Vec<String> = items.iter().filter_map(|i| i.ticket.idempotency_key.clone()).collect();
    let since = items.iter().map(|i| i.ticket.received_at).min().unwrap_or(0) - model::DUPLICATE_WINDOW_MS;
    let by_key: Vec<(String, i64)> = if keys.is_empty() {
        vec![]
    } else {
        q("SELECT idempotency_key, case_id FROM hotline_tickets WHERE").push_in("idempotency_key", &keys).fetch_all(&mut *tx).await?
    };
    let callers: Vec<(Option<&str>, &str)> = items.iter().map(|i| (i.ticket.caller_phone.as_deref(), i.ticket.dedupe_hash.as_str())).collect();
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
            .created("来电人电话", it.ticket.caller_phone.as_deref().map(crate::privacy::mask_phone))
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
