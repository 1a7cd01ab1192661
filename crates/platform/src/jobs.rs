//! Background work: the deadline sweep sends reminders for cases about to fall due and puts
//! overdue cases under supervision (督办), with an event each. Several instances may run it:
//! each run is claimed through one row of the `jobs` table with a lease (an UPDATE that only one
//! instance can win), and every reminder has a de-duplication key, so nothing is sent twice.

use std::time::Duration;

use chrono::NaiveDate;
use futures::FutureExt;

use crate::audit::{self, Actor, Changes, NewEvent};
use crate::db::q;
use crate::error::AppError;
use crate::kernel::queries::{CASE_COLUMNS, CaseRow};
use crate::state::AppState;
use crate::time::{fmt_date, now_ms, today};

const SWEEP: &str = "deadline_sweep";
const LEASE_MS: i64 = 5 * 60 * 1000;

pub fn spawn(state: AppState) {
    let every = Duration::from_secs(state.config.jobs.interval_secs);
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            // Another instance may have changed the calendar.
            match crate::calendar::queries::load(&state.db).await {
                Ok(c) => state.set_calendar(c),
                Err(e) => tracing::warn!(error = %e, "cannot reload the calendar"),
            }
            // … and the names of the city's own rules.
            if let Err(e) = crate::settings::load_local_rule_names(&state.db).await {
                tracing::warn!(error = %e, "cannot reload the local rule names");
            }
            match claim(&state).await {
                Ok(true) => {
                    if let Err(e) = sweep(&state, today()).await {
                        tracing::error!(error = %e, "deadline sweep failed");
                    }
                    let _ = release(&state).await;
                }
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "cannot claim the deadline sweep"),
            }
        }
    });
}

/// Try to take the sweep's lease. Only one instance wins a lease at a time.
pub async fn claim(state: &AppState) -> Result<bool, AppError> {
    let me = state.instance.clone();
    state
        .db
        .write(move |tx| {
            async move {
                let now = now_ms();
                q("INSERT INTO jobs (kind, dedupe_key, run_at, payload, state, attempts, created_at) VALUES ($1, $1, $2, '{}', 'idle', 0, $2) ON CONFLICT (dedupe_key) DO NOTHING")
                    .bind(SWEEP)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                let won = q("UPDATE jobs SET state = 'running', locked_by = $1, locked_until = $2, attempts = attempts + 1 WHERE dedupe_key = $3 AND (locked_until IS NULL OR locked_until < $4)")
                    .bind(me)
                    .bind(now + LEASE_MS)
                    .bind(SWEEP)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                Ok(won == 1)
            }
            .boxed()
        })
        .await
}

async fn release(state: &AppState) -> Result<(), AppError> {
    let me = state.instance.clone();
    state
        .db
        .write(move |tx| {
            async move {
                q("UPDATE jobs SET state = 'idle', locked_until = NULL, done_at = $1 WHERE dedupe_key = $2 AND locked_by = $3")
                    .bind(now_ms())
                    .bind(SWEEP)
                    .bind(me)
                    .execute(tx)
                    .await?;
                Ok(())
            }
            .boxed()
        })
        .await
}

/// What a sweep did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub reminded: usize,
    pub escalated: usize,
    /// Steps the system took on behalf of a procedure (e.g. 逾期未补正).
    pub system_steps: usize,
}

/// Remind and escalate, as of `day`. Safe to run again: reminders are de-duplicated and an
/// escalated case is not escalated twice.
pub async fn sweep(state: &AppState, day: NaiveDate) -> Result<SweepReport, AppError> {
    let mut report = SweepReport::default();
    // The procedures' own system steps come first (a lapsed 补正 closes the request rather
    // than putting it under supervision).
    for f in state.registry.features() {
        report.system_steps += f.sweep(state, day).await?;
    }
    let d = fmt_date(day);
    // Overdue and not yet supervised: escalate.
    loop {
        let batch: Vec<CaseRow> = q(format!(
            "SELECT {CASE_COLUMNS} FROM cases c WHERE c.is_open = TRUE AND c.paused_on IS NULL AND c.due_on < $1 AND c.supervised = FALSE ORDER BY c.due_on LIMIT 200"
        ))
        .bind(d.clone())
        .fetch_all(&state.db)
        .await?;
        if batch.is_empty() {
            break;
        }
        let n = batch.len();
        let procs = state.procedures();
        let registry = state.registry.clone();
        state
            .db
            .write(move |tx| {
                async move {
                    for c in batch {
                        let name = procs.iter().find(|p| p.code == c.procedure).map(|p| p.name).unwrap_or("办件");
                        q("UPDATE cases SET supervised = TRUE, version = version + 1, updated_at = $1 WHERE id = $2").bind(now_ms()).bind(c.id).execute(&mut *tx).await?;
                        audit::record(
                            tx,
                            &Actor::system(),
                            NewEvent::new("case", c.id, "auto_supervise", "逾期自动督办")
                                .changes(Changes::new().set("督办", false, true))
                                .reason(Some(format!("办理期限 {} 已过仍未办结", c.due_on.clone().unwrap_or_default()))),
                        )
                        .await?;
                        q("INSERT INTO notifications (org_id, case_id, kind, message, dedupe_key, created_at) VALUES ($1, $2, 'overdue', $3, $4, $5) ON CONFLICT (dedupe_key) DO NOTHING")
                            .bind(c.org_id)
                            .bind(c.id)
                            .bind(format!("{name} {} 已超期（期限 {}），已列入督办", c.case_no, c.due_on.clone().unwrap_or_default()))
                            .bind(format!("overdue:{}:{}", c.id, c.due_on.clone().unwrap_or_default()))
                            .bind(now_ms())
                            .execute(&mut *tx)
                            .await?;
                        // The feature's own figures (the hotline's 督办 count) move with the case.
                        if let Some(f) = registry.owner_of(&c.procedure) {
                            f.case_changed(tx, &c).await?;
                        }
                    }
                    Ok(())
                }
                .boxed()
            })
            .await?;
        report.escalated += n;
        if n < 200 {
            break;
        }
    }
    // Due soon: remind once per case and due date.
    let soon: Vec<CaseRow> = crate::kernel::queries::due_soon_sql(q(format!("SELECT {CASE_COLUMNS} FROM cases c WHERE ")), &d)
        .push(" ORDER BY c.due_on LIMIT 5000")
        .fetch_all(&state.db)
        .await?;
    let procs = state.procedures();
    let reminded = state
        .db
        .write(move |tx| {
            async move {
                let mut n = 0;
                for c in soon {
                    let name = procs.iter().find(|p| p.code == c.procedure).map(|p| p.name).unwrap_or("办件");
                    n += q("INSERT INTO notifications (org_id, case_id, kind, message, dedupe_key, created_at) VALUES ($1, $2, 'due_soon', $3, $4, $5) ON CONFLICT (dedupe_key) DO NOTHING")
                        .bind(c.org_id)
                        .bind(c.id)
                        .bind(format!("{name} {} 即将到期（期限 {}），请抓紧办理", c.case_no, c.due_on.clone().unwrap_or_default()))
                        .bind(format!("due_soon:{}:{}", c.id, c.due_on.clone().unwrap_or_default()))
                        .bind(now_ms())
                        .execute(&mut *tx)
                        .await? as usize;
                }
                Ok(n)
            }
            .boxed()
        })
        .await?;
    report.reminded = reminded;
    // Lookup counters whose window and lock have passed are forgotten (the table would
    // otherwise keep a row for every address and phone that ever mistyped).
    crate::auth::probe::purge(&state.db).await?;
    Ok(report)
}
