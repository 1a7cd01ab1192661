//! Results of a drawn task: the inspectors who inspected enter them (谁检查、谁录入 — the
//! officers named must be among those drawn for the entity, at least two), the results are
//! published within 20 working days of the inspection on the platform calendar, and what was
//! found is followed up: a penalty case opened, a transfer, or the abnormal list.

use futures::FutureExt;
use serde::Serialize;

use super::drawing::task_for;
use super::rules::{self as r, label};
use crate::audit::{self, Changes, NewEvent};
use crate::auth::roles::Perm;
use crate::db::{Ex, q};
use crate::error::{AppError, Check};
use crate::service::Who;
use crate::state::AppState;
use crate::time::{fmt_date, now_ms, parse_date, today};

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct TargetRow {
    pub id: i64,
    pub task_id: i64,
    pub org_id: i64,
    pub entity_id: i64,
    pub seq: i64,
    pub uscc: String,
    pub risk: String,
    pub score: String,
    pub inspectors: String,
    pub result: Option<String>,
    pub findings: Option<String>,
    pub inspected_on: Option<String>,
    pub entered_by: Option<String>,
    pub publish_due_on: Option<String>,
    pub published_on: Option<String>,
    pub published_on_time: Option<bool>,
    pub follow_up: Option<String>,
    pub follow_case_id: Option<i64>,
    pub follow_org_id: Option<i64>,
    pub follow_note: Option<String>,
    pub version: i64,
    pub name: String,
    pub entity_type: String,
}
pub const TARGET_COLS: &str = "g.id, g.task_id, g.org_id, g.entity_id, g.seq, g.uscc, g.risk, g.score, g.inspectors, g.result, g.findings, g.inspected_on, g.entered_by, g.publish_due_on, g.published_on, g.published_on_time, g.follow_up, g.follow_case_id, g.follow_org_id, g.follow_note, g.version, e.name, e.entity_type";

pub async fn targets<'a>(ex: impl Into<Ex<'a>>, task_id: i64) -> Result<Vec<TargetRow>, AppError> {
    q(format!("SELECT {TARGET_COLS} FROM enf_insp_targets g JOIN enf_entities e ON e.id = g.entity_id WHERE g.task_id = $1 ORDER BY g.seq"))
        .bind(task_id)
        .fetch_all(ex)
        .await
}

async fn target_for(state: &AppState, who: &Who, id: i64) -> Result<TargetRow, AppError> {
    let t: TargetRow = q(format!("SELECT {TARGET_COLS} FROM enf_insp_targets g JOIN enf_entities e ON e.id = g.entity_id WHERE g.id = $1"))
        .bind(id)
        .fetch_optional(&state.db)
        .await?
        .ok_or_else(crate::kernel::access::not_found)?;
    task_for(state, who, t.task_id, Perm::CASE_HANDLE).await?;
    Ok(t)
}

#[derive(Clone, Debug, Default)]
pub struct ResultIn {
    pub version: Option<i64>,
    pub result: Option<String>,
    pub findings: Option<String>,
    pub inspected_on: Option<String>,
    /// Certificate numbers of the officers who inspected, comma-separated.
    pub inspectors: Option<String>,
}

pub async fn enter_result(state: &AppState, who: &Who, target_id: i64, input: ResultIn) -> Result<TargetRow, AppError> {
    let g = target_for(state, who, target_id).await?;
    let task = task_for(state, who, g.task_id, Perm::CASE_HANDLE).await?;
    if g.published_on.is_some() {
        return Err(AppError::conflict("already_published", "该检查结果已经公示，不能修改"));
    }
    if input.version.is_some_and(|v| v != g.version) {
        return Err(AppError::stale());
    }
    let mut c = Check::new();
    let result = input.result.clone().unwrap_or_default();
    if label(r::RESULTS, &result).is_empty() {
        c.add("result", "bad_result", "请选择检查结果");
    }
    let findings = c.opt_text("findings", "检查情况", input.findings.as_deref(), 1000);
    if result == "issues" && findings.is_none() {
        c.add("findings", "findings_required", "发现问题的，请写明发现的问题");
    }
    let drawn: Vec<&str> = g.inspectors.split(';').collect();
    let named: Vec<String> =
        input.inspectors.as_deref().unwrap_or("").split([',', '，', ';', ' ']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
    if let Some(x) = named.iter().find(|n| !drawn.contains(&n.as_str())) {
        c.add("inspectors", "not_drawn", format!("执法证号 {x} 不是随机选派给该检查对象的检查人员（谁检查、谁录入）"));
    } else if named.iter().collect::<std::collections::HashSet<_>>().len() < r::MIN_TEAM as usize {
        c.add("inspectors", "single_inspector", "实施检查的执法人员不得少于两人（行政处罚法第四十二条）");
    }
    let drawn_on = task.drawn_at.map(crate::time::local_date).unwrap_or_else(today);
    let inspected = match input.inspected_on.as_deref().and_then(parse_date) {
        Some(d) if d > today() => {
            c.add("inspected_on", "date_in_future", "检查日期不能晚于今天");
            None
        }
        Some(d) if d < drawn_on => {
            c.add("inspected_on", "before_draw", "检查日期不能早于抽取日期");
            None
        }
        Some(d) => Some(d),
        None => {
            c.add("inspected_on", "bad_date", "请填写检查日期（YYYY-MM-DD）");
            None
        }
    };
    if !c.is_ok() {
        return Err(AppError::Refused {
            code: c.errors[0].code.clone(),
            message: c.errors[0].message.clone(),
            basis: vec![r::TWO.full(), r::PUBLISH.full()],
            fields: c.errors,
        });
    }
    let inspected = inspected.expect("checked");
    // 20 working days from the day the inspection ended, on the platform calendar.
    let due = state.calendar().add_working_days(inspected, r::PUBLISH_WD);
    let actor = who.actor();
    let names = named.join(";");
    state
        .db
        .write(move |tx| {
            async move {
                let now = now_ms();
                let n = q("UPDATE enf_insp_targets SET result = $1, findings = $2, inspected_on = $3, entered_by = $4, publish_due_on = $5, version = version + 1 WHERE id = $6 AND version = $7 AND published_on IS NULL")
                    .bind(result.clone()).bind(findings.clone()).bind(fmt_date(inspected)).bind(names.clone()).bind(fmt_date(due)).bind(target_id).bind(g.version)
                    .execute(&mut *tx)
                    .await?;
                if n != 1 {
                    return Err(AppError::stale());
                }
                let ch = Changes::new().set("检查结果", g.result.clone(), label(r::RESULTS, &result)).set("检查情况", g.findings.clone(), findings).created("检查人员", names).created("公示期限", fmt_date(due));
                audit::record_at(tx, &actor, NewEvent::new("enf_insp_task", g.task_id, "result", format!("录入检查结果：{}", g.uscc)).changes(ch), now).await?;
                Ok(())
            }
            .boxed()
        })
        .await?;
    target_for(state, who, target_id).await
}

/// Publish every entered, unpublished result of a task; each records whether it was in time.
pub async fn publish(state: &AppState, who: &Who, task_id: i64) -> Result<usize, AppError> {
    let t = task_for(state, who, task_id, Perm::CASE_HANDLE).await?;
    if !matches!(t.state.as_str(), "drawn" | "published") {
        return Err(AppError::conflict("wrong_state", "尚未抽取的任务没有可公示的检查结果"));
    }
    let actor = who.actor();
    let day = fmt_date(today());
    state
        .db
        .write(move |tx| {
            async move {
                let now = now_ms();
                let n = q("UPDATE enf_insp_targets SET published_on = $1, published_on_time = CASE WHEN publish_due_on >= $1 THEN TRUE ELSE FALSE END, version = version + 1 WHERE task_id = $2 AND result IS NOT NULL AND published_on IS NULL")
                    .bind(day.clone())
                    .bind(task_id)
                    .execute(&mut *tx)
                    .await?;
                if n == 0 {
                    return Err(AppError::conflict("nothing_to_publish", "没有已录入且尚未公示的检查结果"));
                }
                let open = q("SELECT COUNT(*) FROM enf_insp_targets WHERE task_id = $1 AND published_on IS NULL").bind(task_id).fetch_i64(&mut *tx).await?;
                if open == 0 {
                    q("UPDATE enf_insp_tasks SET state = 'published', published_on = $1, updated_at = $2 WHERE id = $3").bind(day.clone()).bind(now).bind(task_id).execute(&mut *tx).await?;
                }
                audit::record_at(tx, &actor, NewEvent::new("enf_insp_task", task_id, "publish", format!("公示检查结果 {n} 户")).changes(Changes::new().created("公示日期", day)), now).await?;
                Ok(n as usize)
            }
            .boxed()
        })
        .await
}

#[derive(Clone, Debug, Default)]
pub struct FollowIn {
    pub kind: Option<String>,
    pub case_no: Option<String>,
    pub org_id: Option<i64>,
    pub note: Option<String>,
}

/// Record what was done about a finding (58号 §二(四)).
pub async fn follow_up(state: &AppState, who: &Who, target_id: i64, input: FollowIn) -> Result<TargetRow, AppError> {
    let g = target_for(state, who, target_id).await?;
    let mut c = Check::new();
    if g.result.as_deref() != Some("issues") {
        c.add("kind", "no_findings", "只有发现问题的检查结果需要登记后续处置");
    }
    let kind = input.kind.clone().unwrap_or_default();
    if label(r::FOLLOW_UPS, &kind).is_empty() {
        c.add("kind", "bad_follow_up", "请选择后续处置方式");
    }
    let note = c.opt_text("note", "处置说明", input.note.as_deref(), 500);
    let mut case_id = None;
    let mut org_id = None;
    match kind.as_str() {
        "case" => {
            let no = input.case_no.as_deref().map(str::trim).unwrap_or("");
            let found: Option<(i64, i64)> = q("SELECT c.id, c.org_id FROM cases c JOIN enf_cases d ON d.case_id = c.id WHERE c.case_no = $1")
                .bind(no.to_string())
                .fetch_optional(&state.db)
                .await?;
            let path = match found {
                Some((_, org)) => Some(crate::kernel::access::org_path(state, org).await?),
                None => None,
            };
            match (found, path) {
                (Some((id, _)), Some(p)) if who.may(Perm::CASE_READ, &p) => case_id = Some(id),
                _ => c.add("case_no", "no_such_case", format!("没有您可查看的立案编号为“{no}”的行政处罚案件")),
            }
        }
        "transferred" => {
            let org = match input.org_id {
                Some(o) => crate::org::queries::get(&state.db, o).await?.filter(|o| o.active),
                None => None,
            };
            match org {
                Some(o) => org_id = Some(o.id),
                None => c.add("org_id", "no_such_org", "请选择接收移送的部门"),
            }
        }
        "abnormal" if note.is_none() => c.add("note", "note_required", "请写明列入经营异常名录的决定文号或事由"),
        _ => {}
    }
    if !c.is_ok() {
        return Err(AppError::Refused {
            code: c.errors[0].code.clone(),
            message: c.errors[0].message.clone(),
            basis: vec![r::FOLLOW_UP.full()],
            fields: c.errors,
        });
    }
    let actor = who.actor();
    state
        .db
        .write(move |tx| {
            async move {
                let now = now_ms();
                q("UPDATE enf_insp_targets SET follow_up = $1, follow_case_id = $2, follow_org_id = $3, follow_note = $4, version = version + 1 WHERE id = $5")
                    .bind(kind.clone())
                    .bind(case_id)
                    .bind(org_id)
                    .bind(note.clone())
                    .bind(target_id)
                    .execute(&mut *tx)
                    .await?;
                let ch =
                    Changes::new().set("后续处置", g.follow_up.clone().map(|f| label(r::FOLLOW_UPS, &f)), label(r::FOLLOW_UPS, &kind)).created("说明", note);
                audit::record_at(tx, &actor, NewEvent::new("enf_insp_task", g.task_id, "follow_up", format!("登记后续处置：{}", g.uscc)).changes(ch), now)
                    .await?;
                Ok(())
            }
            .boxed()
        })
        .await?;
    target_for(state, who, target_id).await
}
