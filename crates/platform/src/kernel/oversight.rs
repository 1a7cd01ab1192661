//! Oversight across units: the rule-of-law office (依法治市办) and 督察 read every unit's cases in
//! their scope, whatever the procedure, and put overdue or stuck work under supervision (督办)
//! from their 工作台. A 督办 is an event on the case, a notice to the unit, and the feature's own
//! figures move with it (the hotline counts 督办件数).

use futures::FutureExt;

use super::definition::Basis;
use super::queries::{self, CaseRow};
use crate::auth::Staff;
use crate::auth::roles::{Grants, Perm, Scope};
use crate::db::q;
use crate::error::AppError;
use crate::state::AppState;
use crate::time::now_ms;

/// The basis of supervision by the rule-of-law office.
pub const SUPERVISE_BASIS: Basis =
    Basis::secondary("法治政府建设与责任落实督察工作规定", "", "对法治政府建设中的突出问题和群众反映强烈的事项进行督察、督办，督促整改落实");

/// Where a person oversees: the cases their oversight roles may read.
pub fn oversight_scope(grants: &Grants) -> Scope {
    Grants(grants.0.iter().filter(|g| g.role.oversight).cloned().collect()).scope(Perm::CASE_READ, None)
}

/// Put a case under supervision on behalf of the rule-of-law office or 督察, with a reason.
pub async fn supervise(state: &AppState, staff: &Staff, case_id: i64, reason: Option<&str>) -> Result<CaseRow, AppError> {
    let case = queries::get(&state.db, case_id).await?.ok_or_else(super::access::not_found)?;
    let path = crate::org::queries::get(&state.db, case.org_id).await?.map(|o| o.path).unwrap_or_default();
    if !staff.allows(Perm::CASE_READ, Some(&case.procedure), &path) {
        return Err(super::access::not_found());
    }
    if !staff.allows(Perm::SUPERVISE, Some(&case.procedure), &path) {
        return Err(AppError::forbidden("forbidden", "您没有督办的权限"));
    }
    if !case.is_open {
        return Err(AppError::conflict("case_closed", "该事项已办结，无需督办"));
    }
    if case.supervised {
        return Err(AppError::conflict("already_supervised", "该事项已在督办中"));
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty()).ok_or_else(|| AppError::field("reason", "required", "请填写督办事由"))?.to_string();
    if reason.chars().count() > 500 {
        return Err(AppError::field("reason", "too_long", "督办事由不能超过 500 字"));
    }
    let actor = staff.actor();
    let name = state.registry.procedures().iter().find(|p| p.code == case.procedure).map(|p| p.name).unwrap_or("办件");
    let message = format!("{name} {} 已被{}督办：{reason}", case.case_no, staff.org_name);
    let registry = state.registry.clone();
    let c = case.clone();
    state
        .db
        .write(move |tx| {
            async move {
                queries::set_supervised(tx, &c, true, &actor, Some(format!("{reason}（依据：{}）", SUPERVISE_BASIS.cite()))).await?;
                q("INSERT INTO notifications (org_id, case_id, kind, message, dedupe_key, created_at) VALUES ($1, $2, 'supervised', $3, $4, $5) ON CONFLICT (dedupe_key) DO NOTHING")
                    .bind(c.org_id)
                    .bind(c.id)
                    .bind(message)
                    .bind(format!("supervised:{}:{}", c.id, c.version))
                    .bind(now_ms())
                    .execute(&mut *tx)
                    .await?;
                if let Some(f) = registry.owner_of(&c.procedure) {
                    f.case_changed(tx, &c).await?;
                }
                queries::get(&mut *tx, c.id).await?.ok_or_else(|| AppError::internal("办件读取失败"))
            }
            .boxed()
        })
        .await
}
