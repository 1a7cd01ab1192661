//! The system's part of the procedure, run by the platform's deadline sweep (`jobs::sweep`, which
//! calls every feature's own sweep before it escalates overdue cases): an application that was
//! neither accepted, refused, nor sent back once for 补正 within 5 working days of its arrival
//! counts as accepted from the day it arrived (行政许可法 Art. 32(四)). The step is the kernel's
//! `deemed_accept`, so it shows on the case page with its basis and the decision clock starts
//! from the day of receipt.

use chrono::NaiveDate;

use crate::db::q;
use crate::error::AppError;
use crate::kernel::queries::{CASE_COLUMNS, CaseRow};
use crate::service::{self, StepForm, Who};
use crate::state::AppState;
use crate::time::fmt_date;

/// At most this many applications per run; the next run takes the rest.
const BATCH: i64 = 500;

/// Applications still waiting for acceptance whose 5 working days ended before `day`.
async fn lapsed(state: &AppState, day: NaiveDate) -> Result<Vec<CaseRow>, AppError> {
    q(format!(
        "SELECT {CASE_COLUMNS} FROM cases c WHERE c.procedure = 'licence' AND c.is_open = TRUE AND c.state = 'received' AND c.clock_rule = 'acceptance' AND c.due_on < $1 ORDER BY c.due_on, c.id LIMIT {BATCH}"
    ))
    .bind(fmt_date(day))
    .fetch_all(&state.db)
    .await
}

/// Take the deemed acceptance for every lapsed application, as of `day`. Returns how many.
/// Safe to run again: an application once accepted is no longer in `received`.
pub async fn run(state: &AppState, day: NaiveDate) -> Result<usize, AppError> {
    let mut n = 0;
    for c in lapsed(state, day).await? {
        match service::step_on(state, &Who::System, c.id, Some(c.version), "deemed_accept", StepForm::default(), day).await {
            Ok(_) => n += 1,
            // Someone acted on it meanwhile (a stale version): it is no longer lapsed.
            Err(e) => tracing::warn!(case = c.id, error = %e, "deemed acceptance not applied"),
        }
    }
    Ok(n)
}
