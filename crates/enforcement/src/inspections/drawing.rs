//! The two public moments of a draw. At the commitment (公布抽取参数) the pools are snapshotted
//! — the unit's entities of the item's type (and town), the certified officers of the item's
//! field in the task's units, and the declared conflicts among them — their SHA-256 published
//! with the parameters, and a seed generated and committed by its SHA-256; the seed itself is
//! kept from everyone, staff included. At the draw (抽取) the seed is revealed, combined with
//! the public value named in advance if there was one, and `draw::run` decides; its result is
//! stored and published. Nobody can choose the outcome: the pools and the seed were fixed before
//! the public value was known, and the seed's hash binds the unit to it.

use futures::FutureExt;
use rand::RngCore;
use serde::Serialize;

use super::draw::{self, Entity, Inputs};
use super::rules as r;
use super::service::{ITEM_COLS, ItemRow};
use crate::audit::{self, Changes, NewEvent};
use crate::auth::roles::Perm;
use crate::db::{Ex, q};
use crate::error::AppError;
use crate::service::Who;
use crate::state::AppState;
use crate::time::{fmt_date, now_ms, today};

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct TaskRow {
    pub id: i64,
    pub plan_id: i64,
    pub org_id: i64,
    pub item_id: i64,
    pub title: String,
    pub town_id: Option<i64>,
    pub ratio_a: i64,
    pub ratio_b: i64,
    pub ratio_c: i64,
    pub ratio_d: i64,
    pub team: i64,
    pub public_source: Option<String>,
    pub public_value: Option<String>,
    pub ends_on: String,
    pub state: String,
    #[serde(skip)]
    pub seed: Option<String>,
    pub seed_hash: Option<String>,
    pub entity_hash: Option<String>,
    pub inspector_hash: Option<String>,
    pub conflict_hash: Option<String>,
    pub entity_count: Option<i64>,
    pub inspector_count: Option<i64>,
    pub committed_at: Option<i64>,
    pub drawn_at: Option<i64>,
    pub published_on: Option<String>,
}
pub const TASK_COLS: &str = "t.id, t.plan_id, t.org_id, t.item_id, t.title, t.town_id, t.ratio_a, t.ratio_b, t.ratio_c, t.ratio_d, t.team, t.public_source, t.public_value, t.ends_on, t.state, t.seed, t.seed_hash, t.entity_hash, t.inspector_hash, t.conflict_hash, t.entity_count, t.inspector_count, t.committed_at, t.drawn_at, t.published_on";

impl TaskRow {
    pub fn ratios(&self) -> [i64; 4] {
        [self.ratio_a, self.ratio_b, self.ratio_c, self.ratio_d]
    }
    /// The seed, once the draw has revealed it (never before).
    pub fn revealed_seed(&self) -> Option<&str> {
        if matches!(self.state.as_str(), "drawn" | "published") { self.seed.as_deref() } else { None }
    }
}

pub async fn task<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Option<TaskRow>, AppError> {
    q(format!("SELECT {TASK_COLS} FROM enf_insp_tasks t WHERE t.id = $1")).bind(id).fetch_optional(ex).await
}

/// A task `who` may act on with `perm`, or 404.
pub async fn task_for(state: &AppState, who: &Who, id: i64, perm: Perm) -> Result<TaskRow, AppError> {
    let t = task(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let path = crate::kernel::access::org_path(state, t.org_id).await?;
    if !who.may(perm, &path) {
        return Err(crate::kernel::access::not_found());
    }
    Ok(t)
}

/// The units whose officers make up the inspector pool: the task's and the joint ones.
pub async fn units<'a>(ex: impl Into<Ex<'a>>, t: &TaskRow) -> Result<Vec<i64>, AppError> {
    let mut v: Vec<i64> = q("SELECT org_id FROM enf_insp_task_units WHERE task_id = $1 ORDER BY org_id")
        .bind(t.id)
        .fetch_all::<(i64,)>(ex)
        .await?
        .into_iter()
        .map(|r| r.0)
        .collect();
    v.insert(0, t.org_id);
    Ok(v)
}

fn refuse(code: &'static str, message: String, basis: &[crate::kernel::definition::Basis]) -> AppError {
    AppError::Refused { code: code.into(), message, basis: basis.iter().map(|b| b.full()).collect(), fields: vec![] }
}

/// 公布抽取参数: snapshot the pools, commit the seed. draft → committed.
pub async fn commit(state: &AppState, who: &Who, id: i64) -> Result<TaskRow, AppError> {
    let t = task_for(state, who, id, Perm::CASE_HANDLE).await?;
    if t.state != "draft" {
        return Err(AppError::conflict("wrong_state", "该任务的抽取参数已经公布，不能再次公布"));
    }
    let item: ItemRow = q(format!("SELECT {ITEM_COLS} FROM enf_insp_items i WHERE i.id = $1")).bind(t.item_id).fetch_one(&state.db).await?;
    let units = units(&state.db, &t).await?;
    let day = fmt_date(today());
    let mut eq = q("SELECT id, uscc, risk FROM enf_entities WHERE active = TRUE AND org_id = $1").bind(t.org_id);
    if item.entity_type != "all" {
        eq = eq.push_bind(" AND entity_type = {}", item.entity_type.clone());
    }
    if let Some(town) = t.town_id {
        eq = eq.push_bind(" AND town_id = {}", town);
    }
    let entities: Vec<(i64, String, String)> = eq.fetch_all(&state.db).await?;
    // Certified in the item's field, active, valid today; auxiliaries never (Art. 42).
    let inspectors: Vec<(i64, String)> = q("SELECT id, cert_no FROM enf_officers WHERE auxiliary = FALSE AND status = 'active' AND cert_no IS NOT NULL AND field = $1 AND issued_on <= $2 AND expires_on >= $2 AND")
        .bind(item.field.clone())
        .bind(day.clone())
        .push_in("org_id", &units)
        .fetch_all(&state.db)
        .await?;
    let officer_ids: Vec<i64> = inspectors.iter().map(|i| i.0).collect();
    let mut conflicts: Vec<(String, String)> = Vec::new();
    for chunk in officer_ids.chunks(500) {
        let rows: Vec<(String, String)> = q("SELECT e.uscc, o.cert_no FROM enf_conflicts c JOIN enf_entities e ON e.id = c.entity_id JOIN enf_officers o ON o.id = c.officer_id WHERE e.org_id = $1 AND")
            .bind(t.org_id)
            .push_in("c.officer_id", chunk)
            .fetch_all(&state.db)
            .await?;
        conflicts.extend(rows);
    }
    let in_pool: std::collections::HashSet<&str> = entities.iter().map(|e| e.1.as_str()).collect();
    conflicts.retain(|c| in_pool.contains(c.0.as_str()));
    if entities.is_empty() {
        return Err(refuse("empty_entity_pool", "检查对象名录库中没有符合本事项的检查对象，无法抽取".into(), &[r::RANDOM]));
    }
    let inputs = Inputs {
        entities: entities.iter().map(|e| Entity { code: e.1.clone(), risk: e.2.clone() }).collect(),
        inspectors: inspectors.iter().map(|i| i.1.clone()).collect(),
        conflicts: conflicts.clone(),
        ratios: t.ratios(),
        team: t.team as usize,
    };
    if inputs.inspectors.len() < inputs.team {
        return Err(refuse(
            "not_enough_inspectors",
            format!(
                "执法检查人员名录库中持有“{}”领域有效执法证的人员只有{}名，少于每户{}名，无法抽取",
                crate::rules::label(crate::rules::FIELDS, &item.field),
                inputs.inspectors.len(),
                t.team
            ),
            &[r::TWO],
        ));
    }
    if let Some((code, eligible)) = draw::short_of_inspectors(&inputs) {
        return Err(refuse(
            "not_enough_after_recusal",
            format!("检查对象 {code} 回避后可选派的检查人员只有{eligible}名，少于每户{}名", t.team),
            &[r::TWO, r::RECUSAL],
        ));
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let seed = draw::hex(&bytes);
    let seed_hash = draw::sha256_hex(&seed);
    let entity_hash = draw::sha256_hex(&draw::entity_text(&inputs.entities));
    let inspector_hash = draw::sha256_hex(&draw::inspector_text(&inputs.inspectors));
    let conflict_hash = draw::sha256_hex(&draw::conflict_text(&inputs.conflicts));
    let actor = who.actor();
    state
        .db
        .write_alone(move |tx| {
            async move {
                let now = now_ms();
                let n = q("UPDATE enf_insp_tasks SET state = 'committed', seed = $1, seed_hash = $2, entity_hash = $3, inspector_hash = $4, conflict_hash = $5, entity_count = $6, inspector_count = $7, committed_at = $8, updated_at = $8 WHERE id = $9 AND state = 'draft'")
                    .bind(seed).bind(seed_hash.clone()).bind(entity_hash.clone()).bind(inspector_hash.clone()).bind(conflict_hash.clone()).bind(entities.len()).bind(inspectors.len()).bind(now).bind(id)
                    .execute(&mut *tx)
                    .await?;
                if n != 1 {
                    return Err(AppError::conflict("wrong_state", "该任务的抽取参数已经公布，不能再次公布"));
                }
                for chunk in entities.chunks(300) {
                    let mut sql = String::from("INSERT INTO enf_insp_pool_entities (task_id, uscc, risk, entity_id) VALUES ");
                    for k in 0..chunk.len() {
                        sql.push_str(&format!("{}(${}, ${}, ${}, ${})", if k > 0 { "," } else { "" }, k * 4 + 1, k * 4 + 2, k * 4 + 3, k * 4 + 4));
                    }
                    let mut query = q(sql);
                    for e in chunk {
                        query = query.bind(id).bind(e.1.clone()).bind(e.2.clone()).bind(e.0);
                    }
                    query.execute(&mut *tx).await?;
                }
                for (oid, cert) in &inspectors {
                    q("INSERT INTO enf_insp_pool_inspectors (task_id, cert_no, officer_id) VALUES ($1,$2,$3)").bind(id).bind(cert.clone()).bind(*oid).execute(&mut *tx).await?;
                }
                for (e, c) in &conflicts {
                    q("INSERT INTO enf_insp_pool_conflicts (task_id, uscc, cert_no) VALUES ($1,$2,$3)").bind(id).bind(e.clone()).bind(c.clone()).execute(&mut *tx).await?;
                }
                let ch = Changes::new()
                    .created("种子哈希", seed_hash)
                    .created("检查对象快照哈希", entity_hash)
                    .created("检查人员快照哈希", inspector_hash)
                    .created("回避快照哈希", conflict_hash)
                    .created("检查对象数", entities.len())
                    .created("检查人员数", inspectors.len());
                audit::record_at(tx, &actor, NewEvent::new("enf_insp_task", id, "commit", "公布抽取参数与名录快照").changes(ch), now).await?;
                Ok(())
            }
            .boxed()
        })
        .await?;
    task(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)
}

/// The snapshotted inputs of a committed task.
pub async fn inputs(ex: &crate::db::Db, t: &TaskRow) -> Result<Inputs, AppError> {
    let entities: Vec<(String, String)> = q("SELECT uscc, risk FROM enf_insp_pool_entities WHERE task_id = $1").bind(t.id).fetch_all(ex).await?;
    let inspectors: Vec<(String,)> = q("SELECT cert_no FROM enf_insp_pool_inspectors WHERE task_id = $1").bind(t.id).fetch_all(ex).await?;
    let conflicts: Vec<(String, String)> = q("SELECT uscc, cert_no FROM enf_insp_pool_conflicts WHERE task_id = $1").bind(t.id).fetch_all(ex).await?;
    Ok(Inputs {
        entities: entities.into_iter().map(|(code, risk)| Entity { code, risk }).collect(),
        inspectors: inspectors.into_iter().map(|r| r.0).collect(),
        conflicts,
        ratios: t.ratios(),
        team: t.team as usize,
    })
}

/// 抽取: reveal the seed, run the draw, store and publish its result. committed → drawn.
pub async fn run_draw(state: &AppState, who: &Who, id: i64, public_value: Option<&str>) -> Result<TaskRow, AppError> {
    let t = task_for(state, who, id, Perm::CASE_HANDLE).await?;
    if t.state != "committed" {
        let msg = if t.state == "draft" {
            "请先公布抽取参数和名录快照，再进行抽取"
        } else {
            "该任务已经抽取，同一任务不能重新抽取"
        };
        return Err(AppError::conflict("wrong_state", msg));
    }
    let public_value = public_value.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    match (&t.public_source, &public_value) {
        (Some(src), None) => return Err(AppError::field("public_value", "public_value_required", format!("请填写事先公布的公开随机值（{src}）"))),
        (None, Some(_)) => return Err(AppError::field("public_value", "no_public_source", "本任务抽取前未公布公开随机值来源，不能在抽取时加入")),
        (_, Some(v)) if v.chars().count() > 200 => return Err(AppError::field("public_value", "too_long", "公开随机值不能超过200个字")),
        _ => {}
    }
    let seed = t.seed.clone().ok_or_else(|| AppError::internal("committed task without a seed"))?;
    let inputs = inputs(&state.db, &t).await?;
    let drawn = draw::run(&inputs, &draw::key(&seed, public_value.as_deref())).map_err(|e| match e {
        draw::DrawError::TeamTooSmall => refuse("team_too_small", "每户检查人员不得少于2名".into(), &[r::TWO]),
        draw::DrawError::NotEnoughInspectors { code, eligible } => {
            refuse("not_enough_after_recusal", format!("检查对象 {code} 回避后可选派的检查人员只有{eligible}名"), &[r::TWO, r::RECUSAL])
        }
    })?;
    let ids: Vec<(String, i64)> = q("SELECT uscc, entity_id FROM enf_insp_pool_entities WHERE task_id = $1").bind(id).fetch_all(&state.db).await?;
    let ids: std::collections::HashMap<String, i64> = ids.into_iter().collect();
    let actor = who.actor();
    let org = t.org_id;
    state
        .db
        .write_alone(move |tx| {
            async move {
                let now = now_ms();
                let n = q("UPDATE enf_insp_tasks SET state = 'drawn', public_value = $1, drawn_at = $2, updated_at = $2 WHERE id = $3 AND state = 'committed'").bind(public_value.clone()).bind(now).bind(id).execute(&mut *tx).await?;
                if n != 1 {
                    return Err(AppError::conflict("wrong_state", "该任务已经抽取，同一任务不能重新抽取"));
                }
                for (k, d) in drawn.iter().enumerate() {
                    q("INSERT INTO enf_insp_targets (task_id, org_id, entity_id, seq, uscc, risk, score, inspectors, version) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,1)")
                        .bind(id)
                        .bind(org)
                        .bind(ids.get(&d.code).copied().unwrap_or(0))
                        .bind(k + 1)
                        .bind(d.code.clone())
                        .bind(d.risk.clone())
                        .bind(d.score.clone())
                        .bind(d.inspectors.join(";"))
                        .execute(&mut *tx)
                        .await?;
                }
                let ch = Changes::new().created("公开随机值", public_value).created("抽中检查对象数", drawn.len()).created("结果哈希", draw::sha256_hex(&draw::result_text(&drawn)));
                audit::record_at(tx, &actor, NewEvent::new("enf_insp_task", id, "draw", "揭示种子并抽取").changes(ch), now).await?;
                Ok(())
            }
            .boxed()
        })
        .await?;
    task(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)
}

/// The published result of a drawn task, in the order drawn (the verifier's expected text).
pub async fn result_text<'a>(ex: impl Into<Ex<'a>>, task_id: i64) -> Result<String, AppError> {
    let rows: Vec<(String, String, String)> =
        q("SELECT uscc, risk, inspectors FROM enf_insp_targets WHERE task_id = $1 ORDER BY seq").bind(task_id).fetch_all(ex).await?;
    Ok(rows.into_iter().map(|(c, r, i)| format!("{c},{r},{i}\n")).collect())
}
