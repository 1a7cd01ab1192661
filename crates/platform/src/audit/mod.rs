//! The event log: every change of every record is an append-only event — who, when, which
//! record, what action, which fields changed from what to what, and why. Events are chained by
//! SHA-256 (each hash covers the previous one) and `audit_head` keeps the newest link, so that
//! altering, inserting or deleting any event — including the newest — is detected by
//! [`verify`] (`fazhi audit verify`).

pub mod log;
pub mod pages;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::db::{Db, Ex, Tx, for_update, q};
use crate::error::AppError;
use crate::time;

/// Who did something.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub kind: ActorKind,
    pub id: Option<i64>,
    pub name: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActorKind {
    Staff,
    Citizen,
    Token,
    System,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Staff => "staff",
            ActorKind::Citizen => "citizen",
            ActorKind::Token => "token",
            ActorKind::System => "system",
        }
    }
}

impl Actor {
    pub fn system() -> Actor {
        Actor { kind: ActorKind::System, id: None, name: "系统".into() }
    }
    pub fn staff(id: i64, name: impl Into<String>) -> Actor {
        Actor { kind: ActorKind::Staff, id: Some(id), name: name.into() }
    }
    pub fn citizen(phone_masked: impl Into<String>) -> Actor {
        Actor { kind: ActorKind::Citizen, id: None, name: phone_masked.into() }
    }
    pub fn token(id: i64, name: impl Into<String>) -> Actor {
        Actor { kind: ActorKind::Token, id: Some(id), name: name.into() }
    }
}

/// Changed fields: field name → (before, after).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Changes(pub BTreeMap<String, (Value, Value)>);

impl Changes {
    pub fn new() -> Self {
        Self::default()
    }
    /// Record a field going from `before` to `after` (ignored when equal).
    pub fn set(mut self, field: &str, before: impl Serialize, after: impl Serialize) -> Self {
        let b = serde_json::to_value(before).unwrap_or(Value::Null);
        let a = serde_json::to_value(after).unwrap_or(Value::Null);
        if a != b {
            self.0.insert(field.to_string(), (b, a));
        }
        self
    }
    /// Record a new value (creation).
    pub fn created(self, field: &str, after: impl Serialize) -> Self {
        self.set(field, Value::Null, after)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    fn to_json(&self) -> String {
        let m: BTreeMap<&str, Value> = self.0.iter().map(|(k, (b, a))| (k.as_str(), serde_json::json!({"from": b, "to": a}))).collect();
        serde_json::to_string(&m).unwrap_or_else(|_| "{}".into())
    }
}

/// An event to append.
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub entity: &'static str,
    pub entity_id: i64,
    pub action: String,
    pub summary: String,
    pub changes: Changes,
    pub reason: Option<String>,
}

impl NewEvent {
    pub fn new(entity: &'static str, entity_id: i64, action: impl Into<String>, summary: impl Into<String>) -> Self {
        NewEvent { entity, entity_id, action: action.into(), summary: summary.into(), changes: Changes::new(), reason: None }
    }
    pub fn changes(mut self, c: Changes) -> Self {
        self.changes = c;
        self
    }
    pub fn reason(mut self, r: Option<String>) -> Self {
        self.reason = r.filter(|s| !s.trim().is_empty());
        self
    }
}

#[derive(Serialize)]
struct Hashed<'a> {
    seq: i64,
    at: i64,
    actor_kind: &'a str,
    actor_id: Option<i64>,
    actor_name: &'a str,
    entity: &'a str,
    entity_id: i64,
    action: &'a str,
    summary: &'a str,
    changes: &'a str,
    reason: Option<&'a str>,
    prev_hash: &'a str,
}

fn link_hash(h: &Hashed<'_>) -> String {
    let canonical = serde_json::to_string(h).expect("serialisable");
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

/// Append an event inside the caller's transaction; returns its sequence number.
pub async fn record(tx: &mut Tx, actor: &Actor, ev: NewEvent) -> Result<i64, AppError> {
    record_at(tx, actor, ev, time::now_ms()).await
}

/// Append an event with an explicit time (historical imports keep the original times).
pub async fn record_at(tx: &mut Tx, actor: &Actor, ev: NewEvent, at: i64) -> Result<i64, AppError> {
    let mut chain = Chain::open(tx).await?;
    let seq = chain.append(tx, actor, ev, at).await?;
    chain.close(tx).await?;
    Ok(seq)
}

/// The end of the chain, held for a series of appends in one transaction (imports write
/// thousands of events; the head is read and written once).
pub struct Chain {
    seq: i64,
    hash: String,
}

impl Chain {
    /// Lock and read the head (row-locked on PostgreSQL; SQLite has a single writer).
    pub async fn open(tx: &mut Tx) -> Result<Chain, AppError> {
        let lock = for_update(tx.backend());
        let (seq, hash): (i64, String) = q(format!("SELECT seq, hash FROM audit_head WHERE id = 1{lock}")).fetch_one(&mut *tx).await?;
        Ok(Chain { seq, hash })
    }

    pub async fn append(&mut self, tx: &mut Tx, actor: &Actor, ev: NewEvent, at: i64) -> Result<i64, AppError> {
        let seqs = self.append_many(tx, vec![(actor.clone(), ev, at)]).await?;
        seqs.first().copied().ok_or_else(|| AppError::internal("event not appended"))
    }

    /// Append many events with one statement per hundred (bulk intake); returns their numbers.
    pub async fn append_many(&mut self, tx: &mut Tx, events: Vec<(Actor, NewEvent, i64)>) -> Result<Vec<i64>, AppError> {
        // Row images written before these events belong to them: stamp them with the first
        // event's time (indicators::asof reads the history on the event log's clock).
        if let (Some(first), true) = (events.first(), tx.history) {
            crate::indicators::asof::stamp(tx, first.2).await?;
        }
        if let Some(last) = events.last() {
            tx.event_at = Some(last.2);
        }
        let mut seqs = Vec::with_capacity(events.len());
        let mut rows = Vec::with_capacity(events.len());
        for (actor, ev, at) in events {
            let seq = self.seq + 1;
            let changes = ev.changes.to_json();
            let hash = link_hash(&Hashed {
                seq,
                at,
                actor_kind: actor.kind.as_str(),
                actor_id: actor.id,
                actor_name: &actor.name,
                entity: ev.entity,
                entity_id: ev.entity_id,
                action: &ev.action,
                summary: &ev.summary,
                changes: &changes,
                reason: ev.reason.as_deref(),
                prev_hash: &self.hash,
            });
            rows.push((seq, at, actor, ev, changes, self.hash.clone(), hash.clone()));
            self.seq = seq;
            self.hash = hash;
            seqs.push(seq);
        }
        for chunk in rows.chunks(100) {
            let mut query = q(
                "INSERT INTO events (seq, at, actor_kind, actor_id, actor_name, entity, entity_id, action, summary, changes, reason, prev_hash, hash) VALUES ",
            );
            for (i, (seq, at, actor, ev, changes, prev, hash)) in chunk.iter().enumerate() {
                query = query.push(if i == 0 { "(" } else { ", (" });
                query = query
                    .push_bind("{}", *seq)
                    .push_bind(", {}", *at)
                    .push_bind(", {}", actor.kind.as_str())
                    .push_bind(", {}", actor.id)
                    .push_bind(", {}", actor.name.as_str())
                    .push_bind(", {}", ev.entity)
                    .push_bind(", {}", ev.entity_id)
                    .push_bind(", {}", ev.action.as_str())
                    .push_bind(", {}", ev.summary.as_str())
                    .push_bind(", {}", changes.as_str())
                    .push_bind(", {}", ev.reason.clone())
                    .push_bind(", {}", prev.as_str())
                    .push_bind(", {})", hash.as_str());
            }
            query.execute(&mut *tx).await?;
        }
        Ok(seqs)
    }

    pub async fn close(self, tx: &mut Tx) -> Result<(), AppError> {
        q("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1").bind(self.seq).bind(self.hash).execute(&mut *tx).await?;
        Ok(())
    }
}

/// One event as stored.
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct EventRow {
    pub seq: i64,
    pub at: i64,
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub entity: String,
    pub entity_id: i64,
    pub action: String,
    pub summary: String,
    pub changes: String,
    pub reason: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl EventRow {
    pub fn at_display(&self) -> String {
        time::fmt_datetime(self.at)
    }
    /// Changed fields as (field, before, after) text, for timelines.
    pub fn change_list(&self) -> Vec<(String, String, String)> {
        let parsed: BTreeMap<String, Value> = serde_json::from_str(&self.changes).unwrap_or_default();
        parsed
            .into_iter()
            .map(|(k, v)| {
                let show = |x: &Value| match x {
                    Value::Null => "—".to_string(),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k, show(&v["from"]), show(&v["to"]))
            })
            .collect()
    }
}

pub(crate) const EVENT_COLUMNS: &str = "seq, at, actor_kind, actor_id, actor_name, entity, entity_id, action, summary, changes, reason, prev_hash, hash";

/// The timeline of one record, oldest first.
pub async fn timeline<'a>(ex: impl Into<Ex<'a>>, entity: &str, entity_id: i64) -> Result<Vec<EventRow>, AppError> {
    q(format!("SELECT {EVENT_COLUMNS} FROM events WHERE entity = $1 AND entity_id = $2 ORDER BY seq")).bind(entity).bind(entity_id).fetch_all(ex).await
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Intact { events: i64 },
    Broken { seq: i64, problem: String },
}

/// Walk the whole chain and report the first broken link.
pub async fn verify(db: &Db) -> Result<Verdict, AppError> {
    let mut expected_seq = 1i64;
    let mut prev_hash = "0".repeat(64);
    loop {
        let batch: Vec<EventRow> =
            q(format!("SELECT {EVENT_COLUMNS} FROM events WHERE seq >= $1 ORDER BY seq LIMIT 5000")).bind(expected_seq).fetch_all(db).await?;
        if batch.is_empty() {
            break;
        }
        for e in &batch {
            if e.seq != expected_seq {
                return Ok(Verdict::Broken {
                    seq: expected_seq, problem: format!("事件 {expected_seq} 缺失（下一条是 {}），有记录被删除", e.seq)
                });
            }
            if e.prev_hash != prev_hash {
                return Ok(Verdict::Broken {
                    seq: e.seq, problem: format!("事件 {} 记录的前一环哈希与事件 {} 的哈希不符", e.seq, e.seq - 1)
                });
            }
            let h = link_hash(&Hashed {
                seq: e.seq,
                at: e.at,
                actor_kind: &e.actor_kind,
                actor_id: e.actor_id,
                actor_name: &e.actor_name,
                entity: &e.entity,
                entity_id: e.entity_id,
                action: &e.action,
                summary: &e.summary,
                changes: &e.changes,
                reason: e.reason.as_deref(),
                prev_hash: &e.prev_hash,
            });
            if h != e.hash {
                return Ok(Verdict::Broken { seq: e.seq, problem: format!("事件 {} 的内容被改动（哈希不符）", e.seq) });
            }
            prev_hash = e.hash.clone();
            expected_seq += 1;
        }
    }
    let (head_seq, head_hash): (i64, String) = q("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(db).await?;
    let last = expected_seq - 1;
    if head_seq != last || head_hash != prev_hash {
        return Ok(Verdict::Broken {
            seq: last + 1, problem: format!("链尾记录为事件 {head_seq}，实际最后一条为事件 {last}：最新的事件被删除或链尾被改动")
        });
    }
    Ok(Verdict::Intact { events: last })
}
