//! Due dates after the calendar changes. A deadline that ran into a year whose official holidays
//! were not loaded was counted on weekends alone (provisional); when an administrator loads that
//! year's schedule, every open case whose period touches the year is counted again, and each
//! case whose due date moves gets an event saying so.

use chrono::NaiveDate;
use futures::FutureExt;

use super::definition::DayUnit;
use super::engine::Clock;
use super::queries::{CASE_COLUMNS, CaseRow, warn_date};
use crate::audit::{self, Actor, Changes, NewEvent};
use crate::calendar::Calendar;
use crate::db::q;
use crate::error::AppError;
use crate::state::AppState;
use crate::time::{fmt_date, now_ms, parse_date};

/// The due date of a case under `new`, counting the same working days (extensions and resumed
/// pauses included) from the same start as under `old`. `None` when it does not move or the
/// case has no counted period.
pub fn recount(case: &CaseRow, unit: DayUnit, rollover: bool, old: &Calendar, new: &Calendar) -> Option<NaiveDate> {
    let due = case.due_date()?;
    let start = case.clock_started_on.as_deref().and_then(parse_date).unwrap_or_else(|| case.opened_date());
    let moved = match unit {
        DayUnit::WorkingDays => {
            let n = old.working_days_between(start, due);
            if n < 0 {
                return None;
            }
            new.add_working_days(start, n as u32)
        }
        // A calendar-day period only moves when its last day is no longer a working day.
        DayUnit::CalendarDays if rollover => new.next_working_day_from(due),
        DayUnit::CalendarDays => due,
    };
    (moved != due).then_some(moved)
}

/// Count again the open cases whose period touches `year`, after its schedule was loaded.
/// Returns how many due dates moved.
pub async fn after_calendar_change(state: &AppState, old: &Calendar, new: &Calendar, year: i32, actor: &Actor) -> Result<usize, AppError> {
    let procs = state.procedures();
    let (first, last) = (format!("{year:04}-01-01"), format!("{year:04}-12-31"));
    let mut after_id = 0i64;
    let mut moved = 0usize;
    loop {
        let batch: Vec<CaseRow> = q(format!(
            "SELECT {CASE_COLUMNS} FROM cases c WHERE c.is_open = TRUE AND c.due_on IS NOT NULL AND c.due_on >= $1 AND COALESCE(c.clock_started_on, c.opened_on) <= $2 AND c.id > $3 ORDER BY c.id LIMIT 500"
        ))
        .bind(first.clone())
        .bind(last.clone())
        .bind(after_id)
        .fetch_all(&state.db)
        .await?;
        let Some(last_row) = batch.last() else { break };
        after_id = last_row.id;
        let mut changes: Vec<(CaseRow, NaiveDate, Option<NaiveDate>)> = Vec::new();
        for c in batch {
            let Some(p) = procs.iter().find(|p| p.code == c.procedure) else { continue };
            let Some(rule) = c.clock_rule.as_deref().and_then(|r| p.deadline(r, c.opened_date())) else { continue };
            if let Some(due) = recount(&c, rule.unit, rule.rollover, old, new) {
                let clock = Clock {
                    rule: c.clock_rule.clone(),
                    started_on: c.clock_started_on.as_deref().and_then(parse_date),
                    due_on: Some(due),
                    paused_on: c.paused_on.as_deref().and_then(parse_date),
                    extension_days: c.extension_days,
                    extension_count: c.extension_count,
                };
                let warn = warn_date(p, &clock, c.opened_date(), new);
                changes.push((c, due, warn));
            }
        }
        if changes.is_empty() {
            continue;
        }
        moved += changes.len();
        let actor = actor.clone();
        let registry = state.registry.clone();
        state
            .db
            .write(move |tx| {
                async move {
                    for (c, due, warn) in changes {
                        q("UPDATE cases SET due_on = $1, warn_on = $2, version = version + 1, updated_at = $3 WHERE id = $4")
                            .bind(fmt_date(due))
                            .bind(warn.map(fmt_date))
                            .bind(now_ms())
                            .bind(c.id)
                            .execute(&mut *tx)
                            .await?;
                        audit::record(
                            tx,
                            &actor,
                            NewEvent::new("case", c.id, "recompute_due", "放假安排公布后重新计算期限")
                                .changes(Changes::new().set("办理期限", c.due_on.clone(), fmt_date(due)))
                                .reason(Some(format!("{year} 年国务院办公厅放假安排已录入工作日历，期限按法定节假日和调休重新计算"))),
                        )
                        .await?;
                        if let Some(f) = registry.owner_of(&c.procedure) {
                            f.case_changed(tx, &c).await?;
                        }
                    }
                    Ok(())
                }
                .boxed()
            })
            .await?;
    }
    Ok(moved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{DayKind, SpecialDay};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn case(start: &str, due: &str) -> CaseRow {
        CaseRow {
            id: 1,
            procedure: "p".into(),
            case_no: "1".into(),
            year: 2026,
            title: String::new(),
            state: "s".into(),
            prev_state: None,
            org_id: 1,
            assignee_id: None,
            opened_at: 0,
            opened_on: start.into(),
            clock_rule: Some("r".into()),
            clock_started_on: Some(start.into()),
            due_on: Some(due.into()),
            paused_on: None,
            extension_days: 0,
            extension_count: 0,
            warn_on: None,
            action_counts: "{}".into(),
            is_open: true,
            closed_at: None,
            supervised: false,
            version: 1,
            updated_at: 0,
        }
    }

    #[test]
    fn a_provisional_due_date_moves_with_the_new_holidays() {
        let old = Calendar::official();
        // 20 working days from 2026-12-20 on weekends alone: 2027-01-15.
        let start = d(2026, 12, 20);
        let due = old.add_working_days(start, 20);
        assert_eq!(due, d(2027, 1, 15));
        // The 2027 schedule puts New Year on Friday 1 January.
        let mut new = old.clone();
        new.set_year(2027, vec![SpecialDay { date: d(2027, 1, 1), kind: DayKind::Holiday, name: "元旦".into() }]);
        let c = case("2026-12-20", "2027-01-15");
        assert_eq!(recount(&c, DayUnit::WorkingDays, false, &old, &new), Some(d(2027, 1, 18)), "one more working day after the holiday");
        // A calendar-day period moves only when its last day becomes a holiday.
        let c = case("2026-12-02", "2027-01-01");
        assert_eq!(recount(&c, DayUnit::CalendarDays, true, &old, &new), Some(d(2027, 1, 4)));
        assert_eq!(recount(&c, DayUnit::CalendarDays, false, &old, &new), None);
        // A period inside a loaded year does not move.
        let c = case("2026-03-02", "2026-03-30");
        assert_eq!(recount(&c, DayUnit::WorkingDays, false, &old, &new), None);
    }
}
