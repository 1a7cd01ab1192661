//! Who may read a case: staff holding `CaseRead` over the case's unit (or over a co-handling
//! unit) for its procedure. Anyone else gets 404, not 403: the existence of another unit's
//! record is not disclosed.

use crate::auth::{Perm, Staff};
use crate::db::q;
use crate::error::AppError;
use crate::state::AppState;

use super::queries::{self, CaseRow};

/// The paths of the case's lead unit and co-units.
pub async fn case_org_paths(state: &AppState, case: &CaseRow) -> Result<Vec<String>, AppError> {
    let rows: Vec<(String,)> =
        q("SELECT o.path FROM orgs o WHERE o.id = $1 UNION SELECT o.path FROM case_units cu JOIN orgs o ON o.id = cu.org_id WHERE cu.case_id = $2")
            .bind(case.org_id)
            .bind(case.id)
            .fetch_all(&state.db)
            .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

pub fn not_found() -> AppError {
    AppError::not_found("case_not_found", "办件不存在，或不在您的查看范围内")
}

/// The lead unit's path and the co-handling units' paths, separately.
pub async fn lead_and_co_paths(state: &AppState, case: &CaseRow) -> Result<(String, Vec<String>), AppError> {
    let lead = org_path(state, case.org_id).await?;
    let co: Vec<(String,)> =
        q("SELECT o.path FROM case_units cu JOIN orgs o ON o.id = cu.org_id WHERE cu.case_id = $1").bind(case.id).fetch_all(&state.db).await?;
    Ok((lead, co.into_iter().map(|r| r.0).collect()))
}

/// Load a case the staff member may read, or 404.
pub async fn readable_case(state: &AppState, staff: &Staff, id: i64) -> Result<CaseRow, AppError> {
    let case = queries::get(&state.db, id).await?.ok_or_else(not_found)?;
    let paths = case_org_paths(state, &case).await?;
    if paths.iter().any(|p| staff.allows(Perm::CASE_READ, Some(&case.procedure), p)) { Ok(case) } else { Err(not_found()) }
}

/// The lead unit's path.
pub async fn org_path(state: &AppState, org_id: i64) -> Result<String, AppError> {
    let (p,): (String,) = q("SELECT path FROM orgs WHERE id = $1").bind(org_id).fetch_one(&state.db).await?;
    Ok(p)
}
