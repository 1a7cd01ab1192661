//! The event log as an administrator reads it (`/admin/audit` and its XLSX export): filtered by
//! period, operator, kind of record and record, a page at a time, every record named the way
//! people name it (a case by its number, a unit by its name) and every change in words.
//!
//! The kinds of record come from the platform and from each feature (`Feature::audit_kinds`),
//! so that a new module's records are named here without a line in this file.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::EventRow;
use crate::db::{Db, Q, q};
use crate::error::{AppError, FieldError};
use crate::registry::Registry;
use crate::time;
use crate::web::Paging;

/// A kind of record written to the event log.
#[derive(Clone, Copy, Debug)]
pub struct AuditKind {
    /// `events.entity`.
    pub entity: &'static str,
    /// Its name in Chinese (`诉求类别`).
    pub name: &'static str,
    /// The table and the column that name a record of this kind (`hotline_categories`, `name`),
    /// looked up by `id`; `None` where a record has no name of its own (a setting).
    pub label: Option<(&'static str, &'static str)>,
    /// The staff page of a record: `{id}` is replaced.
    pub href: Option<&'static str>,
}

impl AuditKind {
    pub const fn new(entity: &'static str, name: &'static str) -> AuditKind {
        AuditKind { entity, name, label: None, href: None }
    }
    pub const fn named(mut self, table: &'static str, column: &'static str) -> AuditKind {
        self.label = Some((table, column));
        self
    }
    pub const fn page(mut self, href: &'static str) -> AuditKind {
        self.href = Some(href);
        self
    }
}

/// The platform's own kinds. A case is named by its number and its procedure (from the
/// registry); the others by the column given.
pub const PLATFORM_KINDS: &[AuditKind] = &[
    AuditKind::new("case", "办件"),
    AuditKind::new("org", "机构").named("orgs", "name").page("/admin/orgs/{id}"),
    AuditKind::new("user", "账号").named("users", "display_name").page("/admin/users/{id}"),
    AuditKind::new("api_token", "接口令牌").named("api_tokens", "name"),
    AuditKind::new("calendar", "工作日历"),
    AuditKind::new("setting", "设置"),
    AuditKind::new("login_lock", "登录锁定"),
    AuditKind::new("sms_outbox", "短信发件箱"),
    AuditKind::new("document_template", "文书模板"),
];

/// Every kind: the platform's, then each feature's.
pub fn kinds(registry: &Registry) -> Vec<AuditKind> {
    let mut all = PLATFORM_KINDS.to_vec();
    for f in registry.features() {
        all.extend(f.audit_kinds());
    }
    all
}

/// The name of an actor kind.
pub fn actor_kind_name(kind: &str) -> &'static str {
    match kind {
        "staff" => "工作人员",
        "citizen" => "群众",
        "token" => "接口令牌",
        "system" => "系统",
        _ => "其他",
    }
}

/// The filter of the log, as typed in the form (kept for re-rendering and for the export's link).
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct LogQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    /// The operator: a staff account's username or name, an API token's name, or 系统.
    pub actor: Option<String>,
    /// A kind of record (`events.entity`).
    pub entity: Option<String>,
    /// A record of that kind: a case number, a unit's name, an account's username…
    pub record: Option<String>,
    pub page: Option<i64>,
    pub per: Option<i64>,
}

fn trimmed(s: &Option<String>) -> &str {
    s.as_deref().map(str::trim).unwrap_or("")
}

impl LogQuery {
    pub fn from(&self) -> &str {
        trimmed(&self.from)
    }
    pub fn to(&self) -> &str {
        trimmed(&self.to)
    }
    pub fn actor(&self) -> &str {
        trimmed(&self.actor)
    }
    pub fn entity(&self) -> &str {
        trimmed(&self.entity)
    }
    pub fn record(&self) -> &str {
        trimmed(&self.record)
    }
    /// The query string of the filter (without the page), for links.
    pub fn query_string(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [("from", self.from()), ("to", self.to()), ("actor", self.actor()), ("entity", self.entity()), ("record", self.record())] {
            if !v.is_empty() {
                parts.push(format!("{k}={}", crate::web::urlencode(v)));
            }
        }
        parts.join("&")
    }
}

/// The largest export, in events (the page says so when the filter selects more).
pub const EXPORT_MAX: i64 = 50_000;
/// Counting stops here, so that a broad filter never counts the whole log.
pub const COUNT_CAP: i64 = 10_000;

/// A checked filter, ready for SQL.
#[derive(Clone, Debug, Default)]
pub struct LogFilter {
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
    actors: Option<ActorMatch>,
    entity: Option<String>,
    ids: Option<Vec<i64>>,
}

#[derive(Clone, Debug)]
enum ActorMatch {
    Staff(Vec<i64>),
    Tokens(Vec<i64>),
    System,
    Name(String),
}

/// Check the filter; every bad field is reported with its own message.
pub async fn check(db: &Db, registry: &Registry, lq: &LogQuery) -> Result<LogFilter, AppError> {
    let mut errors = Vec::new();
    let mut date = |field: &str, label: &str, v: &str| {
        if v.is_empty() {
            return None;
        }
        let d = time::parse_date(v);
        if d.is_none() {
            errors.push(FieldError::new(field, "invalid_date", format!("{label}应为日期，如 2026-03-01")));
        }
        d
    };
    let from = date("from", "起始日期", lq.from());
    let to = date("to", "截止日期", lq.to());
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            errors.push(FieldError::new("to", "to_before_from", "截止日期不能早于起始日期"));
        }
    }
    let all = kinds(registry);
    let entity = match lq.entity() {
        "" => None,
        e => match all.iter().find(|k| k.entity == e) {
            Some(k) => Some(k.entity.to_string()),
            None => {
                errors.push(FieldError::new("entity", "unknown_kind", "对象类型不在列表中"));
                None
            }
        },
    };
    let mut filter = LogFilter { from, to, actors: None, entity: entity.clone(), ids: None };
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    let actor = lq.actor();
    if !actor.is_empty() {
        let staff: Vec<(i64,)> = q("SELECT id FROM users WHERE username = $1 OR display_name = $1").bind(actor).fetch_all(db).await?;
        filter.actors = Some(if !staff.is_empty() {
            ActorMatch::Staff(staff.into_iter().map(|r| r.0).collect())
        } else if actor == "系统" {
            ActorMatch::System
        } else {
            let tokens: Vec<(i64,)> = q("SELECT id FROM api_tokens WHERE name = $1").bind(actor).fetch_all(db).await?;
            if tokens.is_empty() { ActorMatch::Name(actor.to_string()) } else { ActorMatch::Tokens(tokens.into_iter().map(|r| r.0).collect()) }
        });
    }
    let record = lq.record();
    if !record.is_empty() {
        let kind = entity.as_deref().unwrap_or("case");
        let ids: Vec<(i64,)> = if kind == "case" {
            q("SELECT id FROM cases WHERE case_no = $1").bind(record).fetch_all(db).await?
        } else {
            match all.iter().find(|k| k.entity == kind).and_then(|k| k.label) {
                Some((table, column)) => q(format!("SELECT id FROM {table} WHERE {column} = $1")).bind(record).fetch_all(db).await?,
                None => match record.parse::<i64>() {
                    Ok(id) => vec![(id,)],
                    Err(_) => return Err(AppError::field("record", "unnamed_kind", "这类对象没有名称，请填写编号或不填")),
                },
            }
        };
        filter.entity = Some(kind.to_string());
        filter.ids = Some(ids.into_iter().map(|r| r.0).collect());
    }
    Ok(filter)
}

impl LogFilter {
    fn sql(&self, head: &str) -> Q {
        let mut w = q(format!("{head} FROM events WHERE 1=1"));
        if let Some(f) = self.from {
            w = w.push_bind(" AND at >= {}", time::start_of_day_ms(f));
        }
        if let Some(t) = self.to.and_then(|t| t.succ_opt()) {
            w = w.push_bind(" AND at < {}", time::start_of_day_ms(t));
        }
        match &self.actors {
            None => {}
            Some(ActorMatch::Staff(ids)) => w = w.push(" AND actor_kind = 'staff' AND").push_in("actor_id", ids),
            Some(ActorMatch::Tokens(ids)) => w = w.push(" AND actor_kind = 'token' AND").push_in("actor_id", ids),
            Some(ActorMatch::System) => w = w.push(" AND actor_kind = 'system'"),
            Some(ActorMatch::Name(n)) => w = w.push_bind(" AND actor_name = {}", n.clone()),
        }
        if let Some(e) = &self.entity {
            w = w.push_bind(" AND entity = {}", e.clone());
        }
        if let Some(ids) = &self.ids {
            w = w.push(" AND").push_in("entity_id", ids);
        }
        w
    }

    /// One page of events, newest first, and how many match (counted up to [`COUNT_CAP`]).
    pub async fn page(&self, db: &Db, paging: &Paging) -> Result<(Vec<EventRow>, i64), AppError> {
        let rows: Vec<EventRow> = self
            .sql(&format!("SELECT {}", super::EVENT_COLUMNS))
            .push(&format!(" ORDER BY seq DESC LIMIT {} OFFSET {}", paging.per(), paging.offset()))
            .fetch_all(db)
            .await?;
        let inner = self.sql("SELECT 1");
        let mut count = q(format!("SELECT COUNT(*) FROM ({} LIMIT {}) x", inner.sql(), COUNT_CAP + 1));
        for a in inner.args() {
            count = count.bind(a.clone());
        }
        Ok((rows, count.fetch_i64(db).await?))
    }

    /// Every matching event, newest first, up to [`EXPORT_MAX`].
    pub async fn all(&self, db: &Db) -> Result<Vec<EventRow>, AppError> {
        self.sql(&format!("SELECT {}", super::EVENT_COLUMNS)).push(&format!(" ORDER BY seq DESC LIMIT {EXPORT_MAX}")).fetch_all(db).await
    }
}

/// An event ready to show: the record named, the kind and the changes in words.
#[derive(Clone, Debug)]
pub struct Line {
    pub seq: i64,
    pub at: i64,
    pub at_display: String,
    pub actor: String,
    pub actor_kind: &'static str,
    /// The operator's filter value (username, token name, 系统), for the link.
    pub actor_key: String,
    pub kind: String,
    pub record: String,
    pub record_href: Option<String>,
    /// The filter value of the record (its number or name), for the link.
    pub record_key: String,
    pub entity: String,
    pub summary: String,
    pub reason: Option<String>,
    pub changes: Vec<(String, String, String)>,
    pub hash: String,
}

/// Fields whose values are organisation ids in events written before they were named.
const ORG_FIELDS: &[&str] = &["乡镇", "村社区", "承办单位", "默认承办单位", "协办单位"];

/// Name the records, operators and values of a page of events, with one query per kind of
/// record (not per row).
pub async fn lines(db: &Db, registry: &Registry, events: Vec<EventRow>) -> Result<Vec<Line>, AppError> {
    let all = kinds(registry);
    let mut by_kind: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for e in &events {
        by_kind.entry(e.entity.as_str()).or_default().push(e.entity_id);
    }
    // (entity, id) → (label, procedure code for cases)
    let mut names: HashMap<(String, i64), (String, Option<String>)> = HashMap::new();
    for (entity, ids) in &by_kind {
        let mut ids = ids.clone();
        ids.sort_unstable();
        ids.dedup();
        if *entity == "case" {
            let rows: Vec<(i64, String, String)> = q("SELECT id, case_no, procedure FROM cases WHERE").push_in("id", &ids).fetch_all(db).await?;
            for (id, no, proc_) in rows {
                names.insert(("case".into(), id), (no, Some(proc_)));
            }
        } else if let Some((table, column)) = all.iter().find(|k| k.entity == *entity).and_then(|k| k.label) {
            let rows: Vec<(i64, String)> = q(format!("SELECT id, {column} FROM {table} WHERE")).push_in("id", &ids).fetch_all(db).await?;
            for (id, name) in rows {
                names.insert((entity.to_string(), id), (name, None));
            }
        }
    }
    let staff_ids: Vec<i64> = events.iter().filter(|e| e.actor_kind == "staff").filter_map(|e| e.actor_id).collect();
    let usernames: HashMap<i64, String> = if staff_ids.is_empty() {
        HashMap::new()
    } else {
        let rows: Vec<(i64, String)> = q("SELECT id, username FROM users WHERE").push_in("id", &staff_ids).fetch_all(db).await?;
        rows.into_iter().collect()
    };
    let mut org_ids: Vec<i64> = Vec::new();
    let parsed: Vec<BTreeMap<String, Value>> = events.iter().map(|e| serde_json::from_str(&e.changes).unwrap_or_default()).collect();
    for m in &parsed {
        for (k, v) in m {
            if ORG_FIELDS.contains(&k.as_str()) {
                org_ids.extend([&v["from"], &v["to"]].into_iter().filter_map(Value::as_i64));
            }
        }
    }
    let org_names: HashMap<i64, String> = if org_ids.is_empty() {
        HashMap::new()
    } else {
        let rows: Vec<(i64, String)> = q("SELECT id, name FROM orgs WHERE").push_in("id", &org_ids).fetch_all(db).await?;
        rows.into_iter().collect()
    };
    let procedures = registry.procedures();
    Ok(events
        .into_iter()
        .zip(parsed)
        .map(|(e, changes)| {
            let kind = all.iter().find(|k| k.entity == e.entity);
            let named = names.get(&(e.entity.clone(), e.entity_id));
            let (kind_name, record, href, key) = match (e.entity.as_str(), named) {
                ("case", Some((no, Some(p)))) => {
                    let proc_ = procedures.iter().find(|x| x.code == p);
                    (proc_.map(|x| x.name).unwrap_or("办件").to_string(), no.clone(), proc_.map(|x| x.case_url(e.entity_id)), no.clone())
                }
                (_, Some((name, _))) => {
                    let href = kind.and_then(|k| k.href).map(|h| h.replace("{id}", &e.entity_id.to_string()));
                    (kind.map(|k| k.name).unwrap_or("其他").to_string(), name.clone(), href, name.clone())
                }
                // A record with no name of its own (a setting), or one deleted since.
                (_, None) => {
                    let record = if e.entity_id == 0 { String::new() } else { format!("编号 {}", e.entity_id) };
                    let key = if e.entity_id == 0 { String::new() } else { e.entity_id.to_string() };
                    (kind.map(|k| k.name).unwrap_or("其他").to_string(), record, None, key)
                }
            };
            let actor_key = match e.actor_kind.as_str() {
                "staff" => e.actor_id.and_then(|i| usernames.get(&i).cloned()).unwrap_or_else(|| e.actor_name.clone()),
                "system" => "系统".to_string(),
                _ => e.actor_name.clone(),
            };
            let changes = changes
                .into_iter()
                .map(|(k, v)| {
                    let org_field = ORG_FIELDS.contains(&k.as_str());
                    let show = |x: &Value| match x {
                        Value::Number(n) if org_field => n.as_i64().and_then(|i| org_names.get(&i).cloned()).unwrap_or_else(|| n.to_string()),
                        other => value_text(other),
                    };
                    (k, show(&v["from"]), show(&v["to"]))
                })
                .collect();
            Line {
                seq: e.seq,
                at: e.at,
                at_display: time::fmt_datetime_secs(e.at),
                actor: e.actor_name,
                actor_kind: actor_kind_name(&e.actor_kind),
                actor_key,
                kind: kind_name,
                record,
                record_href: href,
                record_key: key,
                entity: e.entity,
                summary: e.summary,
                reason: e.reason,
                changes,
                hash: e.hash,
            }
        })
        .collect())
}

/// A value of a change in words: 是/否 for yes and no, — for nothing, lists joined.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::Bool(true) => "是".into(),
        Value::Bool(false) => "否".into(),
        Value::String(s) if s.is_empty() => "（空）".into(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Array(a) => a.iter().map(value_text).collect::<Vec<_>>().join("、"),
        Value::Object(_) => v.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_words() {
        assert_eq!(value_text(&Value::Bool(true)), "是");
        assert_eq!(value_text(&Value::Bool(false)), "否");
        assert_eq!(value_text(&Value::Null), "—");
        assert_eq!(value_text(&serde_json::json!(["a", "b"])), "a、b");
        assert_eq!(value_text(&serde_json::json!(12)), "12");
    }

    #[test]
    fn the_filter_keeps_its_values_in_links() {
        let lq = LogQuery { from: Some("2026-01-01".into()), actor: Some(" 张 三 ".into()), record: Some("2026000001".into()), ..Default::default() };
        assert_eq!(lq.query_string(), "from=2026-01-01&actor=%E5%BC%A0%20%E4%B8%89&record=2026000001");
    }
}
