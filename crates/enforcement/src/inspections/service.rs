//! The registers of 双随机: the item list, the entity directory and its declared conflicts, the
//! annual plans and their tasks (joint ones with their other units). Each write is one
//! transaction with its audit event; a refusal changes nothing. The draw and the results are in
//! `drawing.rs` and `results.rs`.

use futures::FutureExt;
use serde::Serialize;

use super::rules::{self as r, label};
use super::uscc;
use crate::audit::{self, Changes, NewEvent};
use crate::auth::roles::{Perm, Scope};
use crate::db::{Ex, q};
use crate::error::{AppError, Check};
use crate::org::queries::{self as orgs, OrgRow};
use crate::service::Who;
use crate::state::AppState;
use crate::time::{fmt_date, now_ms, parse_date, today};

/// The units whose inspections `who` may see (`perm` = CASE_READ) or run (CASE_HANDLE).
pub fn scope(who: &Who, perm: Perm) -> Scope {
    match who {
        Who::Staff(s) => s.scope(perm, Some(crate::rules::CODE)),
        Who::Token(_) => Scope::Nothing,
        Who::System => Scope::All,
    }
}

/// The unit `org_id`, active, within what `who` may run; an error on `field` otherwise.
pub async fn own_unit(state: &AppState, who: &Who, c: &mut Check, field: &str, org_id: Option<i64>) -> Result<Option<OrgRow>, AppError> {
    let org = match org_id {
        Some(id) => orgs::get(&state.db, id).await?.filter(|o| o.active),
        None => None,
    };
    match &org {
        None => c.add(field, "no_such_org", "请选择执法单位"),
        Some(o) if !who.may(Perm::CASE_HANDLE, &o.path) => {
            c.add(field, "org_out_of_scope", "您只能管理本单位的双随机抽查");
            return Ok(None);
        }
        _ => {}
    }
    Ok(org)
}

fn refused(c: Check, basis: &[crate::kernel::definition::Basis]) -> AppError {
    match AppError::fields(c.errors) {
        AppError::Invalid { code, message, fields } => AppError::Refused { code, message, basis: basis.iter().map(|b| b.full()).collect(), fields },
        e => e,
    }
}

// ---- 抽查事项清单 -------------------------------------------------------------------------

#[derive(Clone, Debug, Default)]
pub struct NewItem {
    pub org_id: Option<i64>,
    pub code: Option<String>,
    pub name: Option<String>,
    pub basis: Option<String>,
    pub field: Option<String>,
    pub kind: Option<String>,
    pub ratio: Option<String>,
    pub per_year: Option<String>,
    pub entity_type: Option<String>,
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct ItemRow {
    pub id: i64,
    pub org_id: i64,
    pub code: String,
    pub name: String,
    pub basis: String,
    pub field: String,
    pub kind: String,
    pub ratio_bp: i64,
    pub per_year: i64,
    pub entity_type: String,
    pub active: bool,
}
pub const ITEM_COLS: &str = "i.id, i.org_id, i.code, i.name, i.basis, i.field, i.kind, i.ratio_bp, i.per_year, i.entity_type, i.active";

pub async fn create_item(state: &AppState, who: &Who, new: NewItem) -> Result<i64, AppError> {
    let mut c = Check::new();
    let org = own_unit(state, who, &mut c, "org_id", new.org_id).await?;
    let code = c.text("code", "事项编码", new.code.as_deref(), 40);
    let name = c.text("name", "抽查事项名称", new.name.as_deref(), 120);
    // 58号: an item without a legal basis may not be inspected at all.
    let basis = c.text("basis", "检查依据（法律、法规、规章及条款）", new.basis.as_deref(), 500);
    let field = new.field.clone().unwrap_or_default();
    if !crate::rules::FIELDS.iter().any(|f| f.0 == field) {
        c.add("field", "bad_field", "请选择执法领域");
    }
    let kind = new.kind.clone().filter(|k| !k.is_empty()).unwrap_or_else(|| "general".into());
    if label(r::ITEM_KINDS, &kind).is_empty() {
        c.add("kind", "bad_kind", "事项类别只能是一般检查事项或重点检查事项");
    }
    let entity_type = new.entity_type.clone().filter(|k| !k.is_empty()).unwrap_or_else(|| "all".into());
    if label(r::ITEM_SCOPES, &entity_type).is_empty() {
        c.add("entity_type", "bad_entity_type", "请选择检查对象类型");
    }
    let ratio = match new.ratio.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            c.add("ratio", "required", "请填写抽查比例（%）");
            0
        }
        Some(s) => r::parse_percent(s).unwrap_or_else(|| {
            c.add("ratio", "bad_ratio", "抽查比例应为大于0、不超过100的百分数，最多两位小数");
            0
        }),
    };
    let per_year = c.opt_int("per_year", "每年抽查次数", new.per_year.as_deref()).unwrap_or(1);
    if !(1..=12).contains(&per_year) {
        c.add("per_year", "bad_frequency", "每年抽查次数应为1至12次");
    }
    if let Some(o) = &org {
        if !code.is_empty()
            && q("SELECT COUNT(*) FROM enf_insp_items WHERE org_id = $1 AND code = $2").bind(o.id).bind(code.clone()).fetch_i64(&state.db).await? > 0
        {
            c.add("code", "duplicate_code", format!("本单位已有编码为 {code} 的抽查事项"));
        }
    }
    if !c.is_ok() {
        return Err(refused(c, &[r::LIST_ONLY]));
    }
    let org = org.expect("checked");
    let actor = who.actor();
    state
        .db
        .write(move |tx| {
            async move {
                let now = now_ms();
                let id = q("INSERT INTO enf_insp_items (org_id, code, name, basis, field, kind, ratio_bp, per_year, entity_type, active, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,TRUE,$10,$10) RETURNING id")
                    .bind(org.id).bind(code.clone()).bind(name.clone()).bind(basis.clone()).bind(field.clone()).bind(kind.clone()).bind(ratio).bind(per_year).bind(entity_type.clone()).bind(now)
                    .fetch_i64(&mut *tx)
                    .await?;
                let ch = Changes::new().created("编码", code).created("名称", name).created("依据", basis).created("比例", r::percent(ratio)).created("单位", org.name.clone());
                audit::record_at(tx, &actor, NewEvent::new("enf_insp_item", id, "create", "登记抽查事项").changes(ch), now).await?;
                Ok(id)
            }
            .boxed()
        })
        .await
}

pub async fn items<'a>(ex: impl Into<Ex<'a>>, scope: &Scope) -> Result<Vec<ItemRow>, AppError> {
    scope
        .filter(q(format!("SELECT {ITEM_COLS} FROM enf_insp_items i WHERE i.active = TRUE")), "i.org_id")
        .push(" ORDER BY i.org_id, i.code")
        .fetch_all(ex)
        .await
}

// ---- 检查对象名录库 -------------------------------------------------------------------------

/// One entity as entered or imported.
#[derive(Clone, Debug)]
pub struct EntityIn {
    pub uscc: String,
    pub name: String,
    pub entity_type: String,
    pub town_id: Option<i64>,
    pub risk: String,
}

/// Check the fields of one entity; problems as (column, message).
pub fn check_entity(uscc_s: &str, name: &str, kind: &str, risk: &str) -> Vec<(&'static str, String)> {
    let mut bad = Vec::new();
    if let Some(p) = uscc::problem(uscc_s) {
        bad.push(("统一社会信用代码", p));
    }
    if name.trim().is_empty() {
        bad.push(("名称", "名称不能为空".to_string()));
    } else if name.chars().count() > 100 {
        bad.push(("名称", format!("名称不能超过100个字（现有{}个字）", name.chars().count())));
    }
    if label(r::ENTITY_TYPES, kind).is_empty() {
        bad.push(("类型", format!("类型“{kind}”不是企业、个体工商户、农民专业合作社或其他")));
    }
    if label(r::RISKS, risk).is_empty() {
        bad.push(("风险等级", format!("风险等级“{risk}”应为 A、B、C、D 之一")));
    }
    bad
}

/// Insert or update entities of one unit in the given transaction (by code).
pub async fn upsert_entities(tx: &mut crate::db::Tx, org_id: i64, rows: &[EntityIn], now: i64) -> Result<(usize, usize), AppError> {
    let codes: Vec<String> = rows.iter().map(|e| e.uscc.clone()).collect();
    let mut existing = std::collections::HashMap::new();
    for chunk in codes.chunks(500) {
        let found: Vec<(String, i64)> =
            q("SELECT uscc, id FROM enf_entities WHERE org_id = $1 AND").bind(org_id).push_in("uscc", chunk).fetch_all(&mut *tx).await?;
        existing.extend(found);
    }
    let (mut added, mut changed) = (0, 0);
    let fresh: Vec<&EntityIn> = rows.iter().filter(|e| !existing.contains_key(&e.uscc)).collect();
    for chunk in fresh.chunks(400) {
        let mut sql = String::from("INSERT INTO enf_entities (org_id, uscc, name, entity_type, town_id, risk, active, created_at, updated_at) VALUES ");
        for k in 0..chunk.len() {
            let b = k * 7;
            if k > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("(${}, ${}, ${}, ${}, ${}, ${}, TRUE, ${}, ${})", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, b + 7));
        }
        let mut query = q(sql);
        for e in chunk {
            query = query.bind(org_id).bind(e.uscc.clone()).bind(e.name.clone()).bind(e.entity_type.clone()).bind(e.town_id).bind(e.risk.clone()).bind(now);
        }
        query.execute(&mut *tx).await?;
        added += chunk.len();
    }
    for e in rows.iter().filter(|e| existing.contains_key(&e.uscc)) {
        q("UPDATE enf_entities SET name = $1, entity_type = $2, town_id = $3, risk = $4, active = TRUE, updated_at = $5 WHERE org_id = $6 AND uscc = $7")
            .bind(e.name.clone())
            .bind(e.entity_type.clone())
            .bind(e.town_id)
            .bind(e.risk.clone())
            .bind(now)
            .bind(org_id)
            .bind(e.uscc.clone())
            .execute(&mut *tx)
            .await?;
        changed += 1;
    }
    Ok((added, changed))
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct EntityRow {
    pub id: i64,
    pub org_id: i64,
    pub uscc: String,
    pub name: String,
    pub entity_type: String,
    pub town_id: Option<i64>,
    pub risk: String,
}
pub const ENTITY_COLS: &str = "e.id, e.org_id, e.uscc, e.name, e.entity_type, e.town_id, e.risk";

/// The entity's name as published: a 个体工商户 without a shop name goes by its owner's name
/// (a short name), which is masked; shop and company names are public.
pub fn shown_name(kind: &str, name: &str) -> String {
    if kind == "individual" && name.chars().count() <= 4 { crate::privacy::mask_name(name) } else { name.to_string() }
}

/// Declare a conflict (回避): the officer will not be drawn for the entity.
pub async fn declare_conflict(state: &AppState, who: &Who, entity_id: i64, cert_no: &str, reason: Option<&str>) -> Result<(), AppError> {
    let e: EntityRow = q(format!("SELECT {ENTITY_COLS} FROM enf_entities e WHERE e.id = $1"))
        .bind(entity_id)
        .fetch_optional(&state.db)
        .await?
        .ok_or_else(crate::kernel::access::not_found)?;
    let path = crate::kernel::access::org_path(state, e.org_id).await?;
    if !who.may(Perm::CASE_HANDLE, &path) {
        return Err(crate::kernel::access::not_found());
    }
    let mut c = Check::new();
    let reason = c.text("reason", "回避事由", reason, 200);
    let officer = q("SELECT id FROM enf_officers WHERE cert_no = $1").bind(cert_no.trim().to_string()).fetch_optional::<(i64,)>(&state.db).await?;
    if officer.is_none() {
        c.add("cert_no", "no_such_officer", format!("没有执法证号为“{}”的执法人员", cert_no.trim()));
    }
    if !c.is_ok() {
        return Err(refused(c, &[r::RECUSAL]));
    }
    let officer = officer.expect("checked").0;
    let actor = who.actor();
    state
        .db
        .write(move |tx| {
            async move {
                let now = now_ms();
                let n =
                    q("SELECT COUNT(*) FROM enf_conflicts WHERE entity_id = $1 AND officer_id = $2").bind(entity_id).bind(officer).fetch_i64(&mut *tx).await?;
                if n > 0 {
                    return Err(AppError::conflict("conflict_exists", "该执法人员对该检查对象的回避已登记"));
                }
                q("INSERT INTO enf_conflicts (officer_id, entity_id, reason, declared_on) VALUES ($1,$2,$3,$4)")
                    .bind(officer)
                    .bind(entity_id)
                    .bind(reason.clone())
                    .bind(fmt_date(today()))
                    .execute(&mut *tx)
                    .await?;
                let ch = Changes::new().created("执法人员", officer).created("回避事由", reason);
                audit::record_at(tx, &actor, NewEvent::new("enf_entity", entity_id, "conflict", "登记回避").changes(ch), now).await?;
                Ok(())
            }
            .boxed()
        })
        .await
}

// ---- 年度计划与任务 -------------------------------------------------------------------------

pub async fn create_plan(state: &AppState, who: &Who, org_id: Option<i64>, year: Option<&str>, title: Option<&str>) -> Result<i64, AppError> {
    let mut c = Check::new();
    let org = own_unit(state, who, &mut c, "org_id", org_id).await?;
    let title = c.text("title", "计划名称", title, 100);
    let this = chrono::Datelike::year(&today()) as i64;
    let year = c.int("year", "年度", year).unwrap_or(0);
    if year != 0 && !(this - 1..=this + 1).contains(&year) {
        c.add("year", "bad_year", format!("年度应为 {}–{} 年", this - 1, this + 1));
    }
    if let Some(o) = &org {
        if q("SELECT COUNT(*) FROM enf_insp_plans WHERE org_id = $1 AND year = $2 AND title = $3")
            .bind(o.id)
            .bind(year)
            .bind(title.clone())
            .fetch_i64(&state.db)
            .await?
            > 0
        {
            c.add("title", "duplicate_plan", "本单位该年度已有同名抽查计划");
        }
    }
    if !c.is_ok() {
        return Err(refused(c, &[r::RANDOM]));
    }
    let org = org.expect("checked");
    let actor = who.actor();
    state
        .db
        .write(move |tx| {
            async move {
                let now = now_ms();
                let id = q("INSERT INTO enf_insp_plans (org_id, year, title, created_at, updated_at) VALUES ($1,$2,$3,$4,$4) RETURNING id")
                    .bind(org.id)
                    .bind(year)
                    .bind(title.clone())
                    .bind(now)
                    .fetch_i64(&mut *tx)
                    .await?;
                audit::record_at(
                    tx,
                    &actor,
                    NewEvent::new("enf_insp_plan", id, "create", "制定年度抽查计划").changes(Changes::new().created("计划", title).created("年度", year)),
                    now,
                )
                .await?;
                Ok(id)
            }
            .boxed()
        })
        .await
}

#[derive(Clone, Debug, Default)]
pub struct NewTask {
    pub plan_id: Option<i64>,
    pub item_id: Option<i64>,
    pub title: Option<String>,
    pub town_id: Option<i64>,
    /// Percentages per class A–D; empty: the default (rules::default_ratios).
    pub ratios: [Option<String>; 4],
    pub team: Option<String>,
    pub public_source: Option<String>,
    pub ends_on: Option<String>,
    /// The other units of a joint inspection.
    pub joint: Vec<i64>,
}

pub async fn create_task(state: &AppState, who: &Who, new: NewTask) -> Result<i64, AppError> {
    let mut c = Check::new();
    let plan: Option<(i64, i64, i64)> = match new.plan_id {
        Some(id) => q("SELECT id, org_id, year FROM enf_insp_plans WHERE id = $1").bind(id).fetch_optional(&state.db).await?,
        None => None,
    };
    let org = match plan {
        Some(p) => own_unit(state, who, &mut c, "plan_id", Some(p.1)).await?,
        None => {
            c.add("plan_id", "no_such_plan", "请选择年度抽查计划");
            None
        }
    };
    let item: Option<ItemRow> = match (new.item_id, &org) {
        (Some(id), Some(o)) => {
            q(format!("SELECT {ITEM_COLS} FROM enf_insp_items i WHERE i.id = $1 AND i.org_id = $2 AND i.active = TRUE"))
                .bind(id)
                .bind(o.id)
                .fetch_optional(&state.db)
                .await?
        }
        _ => None,
    };
    if item.is_none() {
        // 58号: only an item of the unit's published list may be drawn.
        c.add("item_id", "no_such_item", "请选择本单位抽查事项清单中的事项（清单外事项不得检查）");
    }
    let title = c.text("title", "任务名称", new.title.as_deref(), 100);
    let mut ratios = item.as_ref().map(|i| r::default_ratios(i.ratio_bp)).unwrap_or([0; 4]);
    for (k, v) in new.ratios.iter().enumerate() {
        if let Some(s) = v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            match r::parse_percent(s) {
                Some(bp) => ratios[k] = bp,
                None => {
                    c.add(&format!("ratio_{}", r::RISKS[k].0.to_lowercase()), "bad_ratio", format!("{}抽查比例应为大于0、不超过100的百分数", r::RISKS[k].1))
                }
            }
        }
    }
    let team = c.opt_int("team", "每户检查人员数", new.team.as_deref()).unwrap_or(r::MIN_TEAM);
    if team < r::MIN_TEAM {
        c.add("team", "team_too_small", format!("每个检查对象应随机选派不少于{}名执法检查人员（行政处罚法第四十二条）", r::MIN_TEAM));
    } else if team > 5 {
        c.add("team", "team_too_large", "每个检查对象选派的检查人员不超过5名");
    }
    let public_source = c.opt_text("public_source", "公开随机值来源", new.public_source.as_deref(), 200);
    let ends_on = match new.ends_on.as_deref().and_then(parse_date) {
        Some(d) if d >= today() => Some(d),
        Some(_) => {
            c.add("ends_on", "date_in_past", "检查结束日期不能早于今天");
            None
        }
        None => {
            c.add("ends_on", "bad_date", "请填写检查结束日期（YYYY-MM-DD）");
            None
        }
    };
    let town = match new.town_id {
        Some(t) => match orgs::get(&state.db, t).await? {
            Some(o) if matches!(o.kind(), crate::org::OrgKind::Town | crate::org::OrgKind::Park) => Some(o.id),
            _ => {
                c.add("town_id", "not_a_town", "抽查范围只能是本市的乡镇或园区");
                None
            }
        },
        None => None,
    };
    let mut joint = Vec::new();
    for id in new.joint.iter().copied().filter(|id| Some(*id) != org.as_ref().map(|o| o.id)) {
        match orgs::get(&state.db, id).await?.filter(|o| o.active) {
            Some(o) if !joint.contains(&o.id) => joint.push(o.id),
            Some(_) => {}
            None => c.add("joint", "no_such_org", "联合抽查的部门不存在"),
        }
    }
    if !c.is_ok() {
        return Err(refused(c, &[r::LIST_ONLY, r::TWO]));
    }
    let (plan, org, item, ends_on) = (plan.expect("checked"), org.expect("checked"), item.expect("checked"), ends_on.expect("checked"));
    let actor = who.actor();
    state
        .db
        .write(move |tx| {
            async move {
                let now = now_ms();
                let id = q("INSERT INTO enf_insp_tasks (plan_id, org_id, item_id, title, town_id, ratio_a, ratio_b, ratio_c, ratio_d, team, public_source, ends_on, state, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,'draft',$13,$13) RETURNING id")
                    .bind(plan.0).bind(org.id).bind(item.id).bind(title.clone()).bind(town).bind(ratios[0]).bind(ratios[1]).bind(ratios[2]).bind(ratios[3]).bind(team).bind(public_source.clone()).bind(fmt_date(ends_on)).bind(now)
                    .fetch_i64(&mut *tx)
                    .await?;
                for j in &joint {
                    q("INSERT INTO enf_insp_task_units (task_id, org_id) VALUES ($1,$2)").bind(id).bind(*j).execute(&mut *tx).await?;
                }
                let ch = Changes::new()
                    .created("任务", title)
                    .created("事项", item.name.clone())
                    .created("比例（A/B/C/D）", ratios.iter().map(|b| r::percent(*b)).collect::<Vec<_>>().join("/"))
                    .created("每户人数", team)
                    .created("联合抽查部门数", joint.len());
                audit::record_at(tx, &actor, NewEvent::new("enf_insp_task", id, "create", "新建抽查任务").changes(ch), now).await?;
                Ok(id)
            }
            .boxed()
        })
        .await
}
