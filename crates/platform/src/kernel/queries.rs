//! Persistence of cases of every procedure: creation with its number, steps applied with
//! optimistic concurrency and an event each, transfer, and the cross-procedure 工作台 queries.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::definition::Procedure;
use super::engine::{CaseFacts, Clock, DeadlineStatus, Plan};
use super::numbering;
use crate::audit::{self, Actor, Changes, NewEvent};
use crate::auth::roles::{Grants, Perm};
use crate::calendar::Calendar;
use crate::db::{Ex, Q, Tx, q};
use crate::error::AppError;
use crate::time::{self, fmt_date, parse_date};

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct CaseRow {
    pub id: i64,
    pub procedure: String,
    pub case_no: String,
    pub year: i64,
    pub title: String,
    pub state: String,
    pub prev_state: Option<String>,
    pub org_id: i64,
    pub assignee_id: Option<i64>,
    pub opened_at: i64,
    pub opened_on: String,
    pub clock_rule: Option<String>,
    pub clock_started_on: Option<String>,
    pub due_on: Option<String>,
    pub paused_on: Option<String>,
    pub extension_days: i64,
    pub extension_count: i64,
    pub warn_on: Option<String>,
    pub action_counts: String,
    pub is_open: bool,
    pub closed_at: Option<i64>,
    pub supervised: bool,
    pub version: i64,
    pub updated_at: i64,
}

pub const CASE_COLUMNS: &str = "c.id, c.procedure, c.case_no, c.year, c.title, c.state, c.prev_state, c.org_id, c.assignee_id, c.opened_at, c.opened_on, c.clock_rule, c.clock_started_on, c.due_on, c.paused_on, c.extension_days, c.extension_count, c.warn_on, c.action_counts, c.is_open, c.closed_at, c.supervised, c.version, c.updated_at";

impl CaseRow {
    pub fn counts(&self) -> BTreeMap<String, i64> {
        serde_json::from_str(&self.action_counts).unwrap_or_default()
    }
    pub fn opened_date(&self) -> NaiveDate {
        parse_date(&self.opened_on).unwrap_or_else(|| time::local_date(self.opened_at))
    }
    pub fn due_date(&self) -> Option<NaiveDate> {
        self.due_on.as_deref().and_then(parse_date)
    }
    /// The kernel's view; modules add their flags.
    pub fn facts(&self, flags: BTreeMap<String, bool>) -> CaseFacts {
        CaseFacts {
            state: self.state.clone(),
            prev_state: self.prev_state.clone(),
            opened_on: self.opened_date(),
            clock_rule: self.clock_rule.clone(),
            clock_started_on: self.clock_started_on.as_deref().and_then(parse_date),
            due_on: self.due_date(),
            paused_on: self.paused_on.as_deref().and_then(parse_date),
            extension_days: self.extension_days,
            extension_count: self.extension_count,
            counts: self.counts(),
            flags,
            takers: BTreeMap::new(),
        }
    }
    /// The due date runs into a year whose official holidays are not loaded yet: it was counted
    /// on weekends alone and will be recomputed when the schedule is loaded.
    pub fn due_provisional(&self, cal: &Calendar) -> bool {
        match (self.is_open, self.due_date()) {
            (true, Some(due)) => {
                let start = self.clock_started_on.as_deref().and_then(parse_date).unwrap_or_else(|| self.opened_date());
                !cal.covers_span(start, due)
            }
            _ => false,
        }
    }

    pub fn deadline(&self, p: &Procedure, today: NaiveDate, cal: &Calendar) -> DeadlineStatus {
        if !self.is_open {
            return DeadlineStatus::None;
        }
        deadline_status(p, self.clock_rule.as_deref(), self.opened_date(), self.due_date(), self.paused_on.as_deref().and_then(parse_date), today, cal)
    }
}

/// The status of a case's clock from its stored columns (lists that do not load whole cases use
/// this too, so that a row and the case page never disagree).
pub fn deadline_status(
    p: &Procedure,
    clock_rule: Option<&str>,
    opened_on: NaiveDate,
    due: Option<NaiveDate>,
    paused: Option<NaiveDate>,
    today: NaiveDate,
    cal: &Calendar,
) -> DeadlineStatus {
    DeadlineStatus::of(due, paused, p.due_soon_days(clock_rule, opened_on), today, cal)
}

/// The date from which a case counts as "due soon" (stored as `warn_on`, read by the SQL of
/// [`due_soon_sql`]): the first day on which [`DeadlineStatus::of`] says so, found by asking
/// it, so that a list filtered in SQL and the badge on each of its rows cannot disagree, even
/// for a due date that is not a working day.
pub fn warn_date(p: &Procedure, clock: &Clock, opened_on: NaiveDate, cal: &Calendar) -> Option<NaiveDate> {
    let due = clock.due_on?;
    if clock.paused_on.is_some() {
        return None;
    }
    let soon = p.due_soon_days(clock.rule.as_deref(), opened_on);
    let is_soon = |d: NaiveDate| matches!(DeadlineStatus::of(Some(due), None, soon, d, cal), DeadlineStatus::DueSoon { .. });
    // Working days left only grow going back, so the first day that is not "soon" ends the
    // walk; a year of days is far beyond any threshold.
    let mut d = due;
    for _ in 0..366 {
        let before = d - chrono::Duration::days(1);
        if !is_soon(before) {
            break;
        }
        d = before;
    }
    Some(d)
}

/// The SQL condition "due soon today" on the cases aliased `c` (a parenthesised expression to
/// put after AND or in a CASE WHEN): the stored `warn_on` of [`warn_date`] reached, the due date
/// not passed, the clock running.
pub fn due_soon_sql(query: crate::db::Q, today: &str) -> crate::db::Q {
    query.push_bind("(c.is_open = TRUE AND c.paused_on IS NULL AND c.due_on >= {}", today.to_string()).push_bind(" AND c.warn_on <= {})", today.to_string())
}

/// The SQL condition "overdue today" on the cases aliased `c`, as [`due_soon_sql`].
pub fn overdue_sql(query: crate::db::Q, today: &str) -> crate::db::Q {
    query.push_bind("(c.is_open = TRUE AND c.paused_on IS NULL AND c.due_on < {})", today.to_string())
}

pub async fn get<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Option<CaseRow>, AppError> {
    q(format!("SELECT {CASE_COLUMNS} FROM cases c WHERE c.id = $1")).bind(id).fetch_optional(ex).await
}

pub async fn by_number<'a>(ex: impl Into<Ex<'a>>, case_no: &str) -> Result<Option<CaseRow>, AppError> {
    q(format!("SELECT {CASE_COLUMNS} FROM cases c WHERE c.case_no = $1")).bind(case_no).fetch_optional(ex).await
}

/// A new case.
pub struct NewCase<'a> {
    pub procedure: &'a Procedure,
    pub title: String,
    pub org_id: i64,
    pub org_code: String,
    pub assignee_id: Option<i64>,
    pub opened_at: i64,
    pub state: &'static str,
    pub clock: Clock,
    pub closed: bool,
}

/// Create a case with its number (inside the caller's transaction). The caller records the
/// creation event with its own details.
pub async fn create(tx: &mut Tx, new: NewCase<'_>, cal: &Calendar) -> Result<CaseRow, AppError> {
    let opened_on = time::local_date(new.opened_at);
    let year = opened_on.year();
    let case_no = numbering::next(tx, new.procedure.code, new.procedure.number_pattern, year, &new.org_code).await?;
    let warn = warn_date(new.procedure, &new.clock, opened_on, cal);
    let returning = CASE_COLUMNS.replace("c.", "");
    q(format!("INSERT INTO cases (procedure, case_no, year, title, state, org_id, assignee_id, opened_at, opened_on, clock_rule, clock_started_on, due_on, paused_on, extension_days, extension_count, warn_on, action_counts, is_open, closed_at, supervised, version, updated_at) \
                VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,'{{}}',$17,$18,FALSE,1,$8) RETURNING {returning}"))
        .bind(new.procedure.code)
        .bind(case_no)
        .bind(i64::from(year))
        .bind(new.title)
        .bind(new.state)
        .bind(new.org_id)
        .bind(new.assignee_id)
        .bind(new.opened_at)
        .bind(fmt_date(opened_on))
        .bind(new.clock.rule.clone())
        .bind(new.clock.started_on.map(fmt_date))
        .bind(new.clock.due_on.map(fmt_date))
        .bind(new.clock.paused_on.map(fmt_date))
        .bind(new.clock.extension_days)
        .bind(new.clock.extension_count)
        .bind(warn.map(fmt_date))
        .bind(!new.closed)
        .bind(if new.closed { Some(new.opened_at) } else { None })
        .fetch_one(&mut *tx)
        .await
}

/// Load a case for a change, checking the version the user saw.
pub async fn load_for_change(tx: &mut Tx, id: i64, seen_version: Option<i64>) -> Result<CaseRow, AppError> {
    let lock = crate::db::for_update(tx.backend());
    let row: Option<CaseRow> = q(format!("SELECT {CASE_COLUMNS} FROM cases c WHERE c.id = $1{lock}")).bind(id).fetch_optional(&mut *tx).await?;
    let row = row.ok_or_else(|| AppError::not_found("case_not_found", "办件不存在"))?;
    if let Some(v) = seen_version {
        if v != row.version {
            return Err(AppError::stale());
        }
    }
    Ok(row)
}

/// Apply an accepted plan: new state and clock, one more version, one event.
pub async fn apply(
    tx: &mut Tx,
    p: &Procedure,
    case: &CaseRow,
    plan: &Plan,
    actor: &Actor,
    reason: Option<String>,
    extra: Changes,
    at: i64,
    cal: &Calendar,
) -> Result<CaseRow, AppError> {
    let mut counts = case.counts();
    *counts.entry(plan.action.to_string()).or_insert(0) += 1;
    let counts_json = serde_json::to_string(&counts).unwrap_or_else(|_| "{}".into());
    let state_changed = plan.to != case.state;
    let prev = if state_changed { Some(case.state.clone()) } else { case.prev_state.clone() };
    let warn = warn_date(p, &plan.clock, case.opened_date(), cal);
    let n = q("UPDATE cases SET state = $1, prev_state = $2, clock_rule = $3, clock_started_on = $4, due_on = $5, paused_on = $6, extension_days = $7, extension_count = $8, warn_on = $9, action_counts = $10, is_open = $11, closed_at = $12, version = version + 1, updated_at = $13 WHERE id = $14 AND version = $15")
        .bind(plan.to.as_str())
        .bind(prev)
        .bind(plan.clock.rule.clone())
        .bind(plan.clock.started_on.map(fmt_date))
        .bind(plan.clock.due_on.map(fmt_date))
        .bind(plan.clock.paused_on.map(fmt_date))
        .bind(plan.clock.extension_days)
        .bind(plan.clock.extension_count)
        .bind(warn.map(fmt_date))
        .bind(counts_json)
        .bind(!plan.terminal)
        .bind(if plan.terminal { Some(at) } else { case.closed_at })
        .bind(at)
        .bind(case.id)
        .bind(case.version)
        .execute(&mut *tx)
        .await?;
    if n != 1 {
        return Err(AppError::stale());
    }
    let mut changes = extra;
    if state_changed {
        changes = changes.set("状态", p.state_name(&case.state), p.state_name(&plan.to));
    }
    changes = changes.set("办理期限", case.due_on.clone(), plan.clock.due_on.map(fmt_date));
    if plan.clock.paused_on.map(fmt_date) != case.paused_on {
        changes = changes.set("暂停计时", case.paused_on.clone(), plan.clock.paused_on.map(fmt_date));
    }
    if !plan.basis.is_empty() {
        changes = changes.set("依据", serde_json::Value::Null, plan.basis.join("；"));
    }
    audit::record_at(tx, actor, NewEvent::new("case", case.id, plan.action, plan.action_name).changes(changes).reason(reason), at).await?;
    get(&mut *tx, case.id).await?.ok_or_else(|| AppError::internal("办件读取失败"))
}

/// Move a case to another unit and/or person, with a reason.
pub async fn transfer(
    tx: &mut Tx,
    case: &CaseRow,
    org_id: i64,
    assignee_id: Option<i64>,
    actor: &Actor,
    reason: Option<String>,
    labels: (&str, &str),
) -> Result<CaseRow, AppError> {
    let n = q("UPDATE cases SET org_id = $1, assignee_id = $2, version = version + 1, updated_at = $3 WHERE id = $4 AND version = $5")
        .bind(org_id)
        .bind(assignee_id)
        .bind(time::now_ms())
        .bind(case.id)
        .bind(case.version)
        .execute(&mut *tx)
        .await?;
    if n != 1 {
        return Err(AppError::stale());
    }
    audit::record(tx, actor, NewEvent::new("case", case.id, "transfer", "转办").changes(Changes::new().set("承办单位", labels.0, labels.1)).reason(reason))
        .await?;
    get(&mut *tx, case.id).await?.ok_or_else(|| AppError::internal("办件读取失败"))
}

/// Give a case to a person of its unit (or take it back to the unit), with a reason.
pub async fn assign_person(
    tx: &mut Tx,
    case: &CaseRow,
    assignee_id: Option<i64>,
    actor: &Actor,
    reason: Option<String>,
    names: (Option<String>, Option<String>),
) -> Result<CaseRow, AppError> {
    let n = q("UPDATE cases SET assignee_id = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4")
        .bind(assignee_id)
        .bind(time::now_ms())
        .bind(case.id)
        .bind(case.version)
        .execute(&mut *tx)
        .await?;
    if n != 1 {
        return Err(AppError::stale());
    }
    audit::record(tx, actor, NewEvent::new("case", case.id, "assign", "指定承办人").changes(Changes::new().set("承办人", names.0, names.1)).reason(reason))
        .await?;
    if let Some(user) = assignee_id {
        let message = format!("您被指定为 {}（{}）的承办人，期限 {}", case.case_no, case.title, case.due_on.as_deref().unwrap_or("—"));
        crate::notify::notice(tx, case.org_id, Some(user), Some(case.id), "assigned_to_me", &message, &format!("assign:{}:{}:{user}", case.id, case.version))
            .await?;
    }
    get(&mut *tx, case.id).await?.ok_or_else(|| AppError::internal("办件读取失败"))
}

/// Put a case under supervision (督办) or take it off.
pub async fn set_supervised(tx: &mut Tx, case: &CaseRow, on: bool, actor: &Actor, reason: Option<String>) -> Result<(), AppError> {
    q("UPDATE cases SET supervised = $1, version = version + 1, updated_at = $2 WHERE id = $3")
        .bind(on)
        .bind(time::now_ms())
        .bind(case.id)
        .execute(&mut *tx)
        .await?;
    let (action, label) = if on { ("supervise", "督办") } else { ("unsupervise", "解除督办") };
    audit::record(tx, actor, NewEvent::new("case", case.id, action, label).changes(Changes::new().set("督办", case.supervised, on)).reason(reason)).await?;
    Ok(())
}

/// The 工作台 filter: open cases in states where the user acts, in units where the user holds
/// the acting permission.
pub fn workbench_filter(mut query: Q, procedures: &[&Procedure], grants: &Grants, my_id: i64) -> Q {
    query = query.push(" AND (").push_bind("c.assignee_id = {}", my_id);
    for p in procedures {
        let mut by_perm: BTreeMap<&str, (Perm, Vec<&str>)> = BTreeMap::new();
        for (state, perm) in p.queues() {
            by_perm.entry(perm.code()).or_insert((perm, Vec::new())).1.push(state);
        }
        for (perm, states) in by_perm.values() {
            let scope = grants.scope(*perm, Some(p.code));
            if scope == crate::auth::roles::Scope::Nothing {
                continue;
            }
            query = query.push(" OR (").push_bind("c.procedure = {}", p.code).push(" AND c.state IN (");
            for (i, s) in states.iter().enumerate() {
                if i > 0 {
                    query = query.push(", ");
                }
                query = query.push_bind("{}", *s);
            }
            query = query.push(")");
            query = scope.filter(query, "c.org_id");
            query = query.push(")");
        }
    }
    query.push(")")
}

/// Counts for the 工作台 cards.
#[derive(Clone, Debug, Default, Serialize)]
pub struct WorkbenchCounts {
    pub todo: i64,
    pub due_soon: i64,
    pub overdue: i64,
    pub to_review: i64,
}

#[derive(sqlx::FromRow)]
struct CountsRow {
    todo: i64,
    due_soon: Option<i64>,
    overdue: Option<i64>,
}

pub async fn workbench_counts<'a>(
    ex: impl Into<Ex<'a>>,
    procedures: &[&Procedure],
    grants: &Grants,
    my_id: i64,
    today: NaiveDate,
) -> Result<WorkbenchCounts, AppError> {
    let t = fmt_date(today);
    let mut query = due_soon_sql(q("SELECT COUNT(*) AS todo, CAST(SUM(CASE WHEN "), &t).push(" THEN 1 ELSE 0 END) AS BIGINT) AS due_soon, ");
    query = overdue_sql(query.push("CAST(SUM(CASE WHEN "), &t).push(" THEN 1 ELSE 0 END) AS BIGINT) AS overdue FROM cases c WHERE c.is_open = TRUE");
    query = workbench_filter(query, procedures, grants, my_id);
    let r: CountsRow = query.fetch_one(ex).await?;
    Ok(WorkbenchCounts { todo: r.todo, due_soon: r.due_soon.unwrap_or(0), overdue: r.overdue.unwrap_or(0), to_review: 0 })
}

#[cfg(test)]
mod due_soon_tests {
    //! "即将超期" has one definition: the badge of a row ([`DeadlineStatus::of`]) and the SQL
    //! filters and counts (the stored `warn_on` of [`warn_date`]) agree on every day.

    use super::*;
    use crate::calendar::{DayKind, SpecialDay};
    use crate::kernel::definition::{Basis, DayUnit, DeadlineRule, Validity};
    use proptest::prelude::*;

    fn procedure(due_soon_days: u32) -> Procedure {
        Procedure {
            code: "t",
            name: "测试",
            law: "",
            initial: "open",
            states: vec![],
            transitions: vec![],
            deadlines: vec![DeadlineRule {
                code: "r",
                name: "期限",
                days: 15,
                unit: DayUnit::CalendarDays,
                rollover: false,
                due_soon_days,
                starts_on: &[],
                basis: Basis::checked("法", "第一条", ""),
                validity: Validity::ALWAYS,
                setting: None,
            }],
            number_pattern: "{seq}",
            page_prefix: "/t/",
            api_prefix: "/api/t/",
        }
    }

    fn calendar(holidays: &[u16], workdays: &[u16]) -> Calendar {
        let base = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let day = |n: &u16| base + chrono::Duration::days(i64::from(*n));
        let mut days: Vec<SpecialDay> = holidays.iter().map(|n| SpecialDay { date: day(n), kind: DayKind::Holiday, name: "假".into() }).collect();
        days.extend(workdays.iter().map(day).filter(|d| matches!(d.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun)).map(|date| SpecialDay {
            date,
            kind: DayKind::Workday,
            name: "班".into(),
        }));
        Calendar::new(days)
    }

    #[test]
    fn a_due_date_on_a_sunday_is_soon_from_the_same_day_in_sql_and_on_the_badge() {
        // 2026-03-01 is a Sunday: a calendar-day limit without roll-over may end on it. With one
        // day's warning the badge turns on Thursday (one working day, Friday, left); the stored
        // warn date used to be Friday, so the 工作台 and the filter missed it for a day.
        let p = procedure(1);
        let cal = Calendar::default();
        let due = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let clock = Clock { rule: Some("r".into()), started_on: None, due_on: Some(due), paused_on: None, extension_days: 0, extension_count: 0 };
        let thursday = NaiveDate::from_ymd_opt(2026, 2, 26).unwrap();
        assert_eq!(deadline_status(&p, Some("r"), thursday, Some(due), None, thursday, &cal).tone(), "soon");
        assert_eq!(warn_date(&p, &clock, thursday, &cal), Some(thursday));
    }

    proptest! {
        #[test]
        fn badge_and_stored_warn_date_agree(
            soon in 0u32..5,
            due_n in 20u16..330,
            holidays in proptest::collection::vec(0u16..365, 0..30),
            workdays in proptest::collection::vec(0u16..365, 0..6),
        ) {
            let p = procedure(soon);
            let cal = calendar(&holidays, &workdays);
            let base = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
            let due = base + chrono::Duration::days(i64::from(due_n));
            let opened = base;
            let clock = Clock { rule: Some("r".into()), started_on: Some(opened), due_on: Some(due), paused_on: None, extension_days: 0, extension_count: 0 };
            let warn = warn_date(&p, &clock, opened, &cal).expect("a running clock has a warn date");
            for back in 0..20 {
                let today = due - chrono::Duration::days(back);
                let badge = deadline_status(&p, Some("r"), opened, Some(due), None, today, &cal).tone() == "soon";
                let sql = warn <= today && today <= due;
                prop_assert_eq!(badge, sql, "today {} due {} warn {}", today, due, warn);
            }
        }
    }
}
