//! The hotline's side actions, which do not move a ticket through its procedure: the routing
//! suggestion, seeing an original phone number (a logged look), correcting the category or the
//! place, and notes (办理记录, 协办意见).

use futures::FutureExt;

use super::model::{self, Channel, RoutingInput};
use super::queries::{self, TicketRow};
use super::service::{IntakeInput, Who, authority, can_read, validate};
use crate::audit::{self, Changes, NewEvent};
use crate::auth::Staff;
use crate::auth::roles::Perm;
use crate::db::q;
use crate::error::{AppError, Check};
use crate::kernel::engine::Authority;
use crate::kernel::queries as cases;
use crate::state::AppState;
use crate::time::now_ms;
use crate::web::form::Upload;

/// The unit routing suggests for a ticket.
pub async fn suggest(state: &AppState, t: &TicketRow) -> Result<(Option<i64>, Option<model::Route>), AppError> {
    let rules = queries::routes(&state.db).await?;
    let default = match t.category_id {
        Some(c) => queries::category(&state.db, c).await?.and_then(|c| c.default_org_id),
        None => None,
    };
    let input = RoutingInput { category_id: t.category_id, town_id: t.town_id, village_id: t.village_id, text: &t.description };
    let (org, rule) = model::route(&rules, &input, default);
    Ok((org, rule.cloned()))
}

/// Show an original phone number: allowed with `PiiView` over the ticket, and logged.
pub async fn reveal(state: &AppState, staff: &Staff, case_id: i64) -> Result<TicketRow, AppError> {
    let (case, t) = queries::load(&state.db, case_id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let auth = authority(state, Who::Staff(staff), &case, &t).await?;
    if !can_read(&auth) {
        return Err(crate::kernel::access::not_found());
    }
    if !auth.staff_may(Perm::PII_VIEW) {
        return Err(AppError::forbidden("pii_forbidden", "您没有查看个人信息原文的权限"));
    }
    crate::kernel::page::log_reveal(state, staff.actor(), case_id, "查看来电人电话、地址原文", "电话、姓名、地址").await?;
    Ok(t)
}

/// Change the category or location of a ticket (the dispatcher's correction); routing is
/// evaluated again on the next view.
pub async fn reclassify(
    state: &AppState,
    staff: &Staff,
    case_id: i64,
    version: i64,
    category_id: Option<i64>,
    town_id: Option<i64>,
    village_id: Option<i64>,
    reason: Option<String>,
) -> Result<(), AppError> {
    staff.require(crate::roles::DISPATCH)?;
    let (case, t) = queries::load(&state.db, case_id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let auth = authority(state, Who::Staff(staff), &case, &t).await?;
    if !auth.staff_may(crate::roles::DISPATCH) {
        return Err(crate::kernel::access::not_found());
    }
    if !case.is_open {
        return Err(AppError::conflict("case_closed", "工单已办结，不能再修改分类"));
    }
    let probe = IntakeInput {
        category_id,
        town_id,
        village_id,
        description: Some(t.description.clone()),
        caller_phone: t.caller_phone.clone(),
        channel: Channel::parse(&t.channel),
        address: t.address.clone(),
        subject: t.subject.clone(),
        ..Default::default()
    };
    let (valid, _) = validate(state, &probe).await?;
    let actor = staff.actor();
    state
        .db
        .write(move |tx| {
            async move {
                let c = cases::load_for_change(tx, case_id, Some(version)).await?;
                q("UPDATE hotline_tickets SET category_id = $1, town_id = $2, village_id = $3 WHERE case_id = $4")
                    .bind(valid.category_id)
                    .bind(valid.town_id)
                    .bind(valid.village_id)
                    .bind(case_id)
                    .execute(&mut *tx)
                    .await?;
                q("UPDATE cases SET version = version + 1, updated_at = $1 WHERE id = $2").bind(now_ms()).bind(c.id).execute(&mut *tx).await?;
                audit::record(
                    tx,
                    &actor,
                    NewEvent::new("case", case_id, "reclassify", "修改分类或地点")
                        .changes(Changes::new().set("类别", t.category_id, valid.category_id).set("乡镇", t.town_id, valid.town_id).set(
                            "村社区",
                            t.village_id,
                            valid.village_id,
                        ))
                        .reason(reason),
                )
                .await?;
                queries::refresh_kpi(tx, case_id, false).await?;
                Ok(())
            }
            .boxed()
        })
        .await
}
/// A note on a ticket without changing its state: the lead unit's 办理记录, a co-unit's 协办意见,
/// or the centre's remark; with optional evidence files.
pub async fn add_note(state: &AppState, staff: &Staff, case_id: i64, text: String, files: Vec<Upload>) -> Result<(), AppError> {
    let (case, t) = queries::load(&state.db, case_id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let auth = authority(state, Who::Staff(staff), &case, &t).await?;
    if !can_read(&auth) {
        return Err(crate::kernel::access::not_found());
    }
    let (action, summary) = if auth.staff_may(Perm::CASE_HANDLE) {
        ("note", "办理记录")
    } else if auth.co_may(Perm::CASE_HANDLE) {
        ("co_note", "协办意见")
    } else if auth.staff_may(crate::roles::DISPATCH) {
        ("centre_note", "热线中心备注")
    } else {
        return Err(AppError::forbidden("forbidden", "只有主办、协办单位或热线中心可以添加记录"));
    };
    if !case.is_open {
        return Err(AppError::conflict("case_closed", "工单已办结，不能再添加记录"));
    }
    let mut c = Check::new();
    let text = c.text("note", "记录内容", Some(&text), 2000);
    c.finish()?;
    let max = (state.config.server.max_upload_mb as usize) * 1024 * 1024;
    let mut stored = Vec::new();
    for f in &files {
        let (sha, mime) = state.files.put(&f.bytes, &f.filename, max)?;
        stored.push((sha, mime, f.bytes.len(), f.filename.clone()));
    }
    let actor = staff.actor();
    let uid = staff.id;
    state
        .db
        .write(move |tx| {
            async move {
                audit::record(
                    tx,
                    &actor,
                    NewEvent::new("case", case_id, action, summary).changes(Changes::new().set("记录", serde_json::Value::Null, &text).set(
                        "附件",
                        serde_json::Value::Null,
                        stored.len(),
                    )),
                )
                .await?;
                for (sha, mime, size, name) in &stored {
                    crate::files::attach(tx, "case", case_id, action, sha, mime, *size, name, "staff", Some(uid)).await?;
                }
                Ok(())
            }
            .boxed()
        })
        .await
}
