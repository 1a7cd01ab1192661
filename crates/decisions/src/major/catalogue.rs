//! The year's catalogue of major decision items (决策事项目录, 重大行政决策程序暂行条例 Art. 3 ¶3):
//! compiled by the government office for the 决策机关 (the city government), each item with its
//! category (Art. 3 ¶1) and lead unit (Art. 11); approved by the Party committee at the same level
//! (经同级党委同意), then published on the portal; adjusted afterwards only with a stated reason.

use futures::FutureExt;

use super::queries::{self, CatalogueRow};
use super::rules;
use crate::audit::{self, Changes, NewEvent};
use crate::db::q;
use crate::error::{AppError, Check};
use crate::org::OrgKind;
use crate::org::queries as orgs;
use crate::service::Who;
use crate::state::AppState;
use crate::time::{fmt_date, now_ms, parse_date, today};

fn refused(code: &'static str, message: impl Into<String>, field: Option<&str>) -> AppError {
    let message = message.into();
    AppError::Refused {
        code: code.into(),
        message: message.clone(),
        basis: vec![rules::ART_3.full()],
        fields: field.map(|f| vec![crate::error::FieldError::new(f, code.to_string(), message)]).unwrap_or_default(),
    }
}

/// The catalogue keeper over the 决策机关 (the root of the tree).
async fn keeper(state: &AppState, who: &Who) -> Result<crate::org::queries::OrgRow, AppError> {
    let root = orgs::root(&state.db).await?.ok_or_else(|| AppError::internal("没有机构树"))?;
    if !super::service::may(who, rules::CATALOGUE, &root.path) {
        return Err(AppError::forbidden("not_permitted", "您无权管理重大行政决策事项目录：应由政府办办理"));
    }
    Ok(root)
}

/// A catalogue the caller keeps, or 404.
async fn kept(state: &AppState, who: &Who, id: i64) -> Result<CatalogueRow, AppError> {
    keeper(state, who).await?;
    queries::catalogue(&state.db, id).await?.ok_or_else(|| AppError::not_found("catalogue_not_found", "没有这份目录"))
}

pub async fn create(state: &AppState, who: &Who, year: Option<&str>, title: Option<&str>) -> Result<i64, AppError> {
    let root = keeper(state, who).await?;
    let mut c = Check::new();
    let y = c.int("year", "年度", year);
    let this = i64::from(chrono::Datelike::year(&today()));
    if let Some(y) = y {
        if !(this - 1..=this + 1).contains(&y) {
            c.add("year", "year_out_of_range", format!("年度只能是{}至{}年", this - 1, this + 1));
        }
    }
    let title = c.opt_text("title", "目录名称", title, 100);
    c.finish()?;
    let y = y.expect("checked");
    let title = title.unwrap_or_else(|| format!("{}{y}年度重大行政决策事项目录", root.name));
    let actor = who.actor();
    state
        .db
        .write(move |tx| {
            async move {
                let exists = q("SELECT COUNT(*) FROM decision_catalogues WHERE org_id = $1 AND year = $2").bind(root.id).bind(y).fetch_i64(&mut *tx).await?;
                if exists > 0 {
                    return Err(refused("catalogue_exists", format!("{y}年度的目录已经建立，请在原目录中调整"), Some("year")));
                }
                let now = now_ms();
                let id = q("INSERT INTO decision_catalogues (org_id, year, title, created_at, updated_at) VALUES ($1,$2,$3,$4,$4) RETURNING id")
                    .bind(root.id)
                    .bind(y)
                    .bind(title.clone())
                    .bind(now)
                    .fetch_i64(&mut *tx)
                    .await?;
                audit::record_at(
                    tx,
                    &actor,
                    NewEvent::new("decision_catalogue", id, "create", format!("编制{title}")).changes(Changes::new().created("年度", y)),
                    now,
                )
                .await?;
                Ok(id)
            }
            .boxed()
        })
        .await
}

/// An item as submitted.
#[derive(Clone, Debug, Default)]
pub struct NewItem {
    pub title: Option<String>,
    pub category: Option<String>,
    pub lead_org_id: Option<i64>,
    pub planned: Option<String>,
    /// Required once the Party committee consented: an adjustment (根据实际情况调整).
    pub adjustment_reason: Option<String>,
}

pub async fn add_item(state: &AppState, who: &Who, catalogue_id: i64, n: NewItem) -> Result<i64, AppError> {
    let cat = kept(state, who, catalogue_id).await?;
    let mut c = Check::new();
    let title = c.text("title", "决策事项", n.title.as_deref(), 100);
    let planned = c.opt_text("planned", "计划完成时间", n.planned.as_deref(), 40);
    let reason = c.opt_text("adjustment_reason", "调整理由", n.adjustment_reason.as_deref(), 500);
    let category = n.category.clone().unwrap_or_default();
    if !rules::CATEGORIES.iter().any(|x| x.0 == category) {
        c.add("category", "bad_category", "请选择第三条第一款规定的事项类别");
    }
    let lead = match n.lead_org_id {
        Some(i) => orgs::get(&state.db, i).await?,
        None => None,
    };
    match &lead {
        Some(o) if o.active && matches!(o.kind(), OrgKind::City | OrgKind::Department | OrgKind::Town | OrgKind::Park) => {}
        _ => c.add("lead_org_id", "bad_lead_unit", "请选择决策承办单位（市政府部门或乡镇、园区）"),
    }
    if cat.party_approved_on.is_some() && reason.is_none() {
        c.add("adjustment_reason", "adjustment_reason_required", "目录已经同级党委同意，增加事项属于目录调整，须说明理由");
    }
    if !c.is_ok() {
        let first = c.errors[0].clone();
        return Err(AppError::Refused { code: first.code.clone(), message: first.message, basis: vec![rules::ART_3.full()], fields: c.errors });
    }
    let lead = lead.expect("checked");
    let actor = who.actor();
    state
        .db
        .write(move |tx| {
            async move {
                let seq = q("SELECT COALESCE(MAX(seq), 0) + 1 FROM decision_catalogue_items WHERE catalogue_id = $1").bind(catalogue_id).fetch_i64(&mut *tx).await?;
                let now = now_ms();
                let id = q("INSERT INTO decision_catalogue_items (catalogue_id, seq, title, category, lead_org_id, planned, adjustment_reason, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id")
                    .bind(catalogue_id)
                    .bind(seq)
                    .bind(title.clone())
                    .bind(category.clone())
                    .bind(lead.id)
                    .bind(planned)
                    .bind(reason.clone())
                    .bind(now)
                    .fetch_i64(&mut *tx)
                    .await?;
                q("UPDATE decision_catalogues SET updated_at = $1 WHERE id = $2").bind(now).bind(catalogue_id).execute(&mut *tx).await?;
                let changes = Changes::new()
                    .created("序号", seq)
                    .created("决策事项", title.clone())
                    .created("类别", rules::category_label(&category))
                    .created("承办单位", lead.name.clone())
                    .created("调整理由", reason);
                audit::record_at(tx, &actor, NewEvent::new("decision_catalogue", catalogue_id, "add_item", format!("列入目录：{title}")).changes(changes), now).await?;
                Ok(id)
            }
            .boxed()
        })
        .await
}

/// Record the Party committee's consent (经同级党委同意): its date and reference.
pub async fn approve(state: &AppState, who: &Who, id: i64, on: Option<&str>, reference: Option<&str>) -> Result<(), AppError> {
    let cat = kept(state, who, id).await?;
    if cat.party_approved_on.is_some() {
        return Err(refused("already_approved", "目录已记录同级党委同意", None));
    }
    let mut c = Check::new();
    let reference = c.text("reference", "党委同意的文号或会议", reference, 100);
    let day = match on.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(today()),
        Some(s) => parse_date(s).or_else(|| {
            c.add("approved_on", "bad_date", "日期格式应为 YYYY-MM-DD");
            None
        }),
    };
    if day.is_some_and(|d| d > today()) {
        c.add("approved_on", "date_in_future", "同意日期不能晚于今天");
    }
    c.finish()?;
    let items = queries::items(&state.db, id).await?;
    if items.is_empty() {
        return Err(refused("catalogue_empty", "目录中还没有决策事项", None));
    }
    let day = fmt_date(day.expect("checked"));
    let actor = who.actor();
    state
        .db
        .write(move |tx| {
            async move {
                let now = now_ms();
                q("UPDATE decision_catalogues SET party_approved_on = $1, party_approval_ref = $2, updated_at = $3 WHERE id = $4 AND party_approved_on IS NULL")
                    .bind(day.clone())
                    .bind(reference.clone())
                    .bind(now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                let changes = Changes::new().created("同意日期", day).created("文号或会议", reference);
                audit::record_at(tx, &actor, NewEvent::new("decision_catalogue", id, "approve", "记录同级党委同意").changes(changes), now).await?;
                Ok(())
            }
            .boxed()
        })
        .await
}

/// Publish on the portal: only after the Party committee's consent (Art. 3 ¶3). `on`: the day
/// it was published (default today; a catalogue published on paper is recorded with its day).
pub async fn publish(state: &AppState, who: &Who, id: i64, on: Option<&str>) -> Result<(), AppError> {
    let cat = kept(state, who, id).await?;
    let Some(approved) = cat.party_approved_on.as_deref().and_then(parse_date) else {
        return Err(refused("catalogue_not_approved", "决策事项目录须经同级党委同意后方可向社会公布，尚未记录党委同意", None));
    };
    if cat.published_on.is_some() {
        return Err(refused("already_published", "目录已经公布", None));
    }
    let day = match on.map(str::trim).filter(|s| !s.is_empty()) {
        None => today(),
        Some(s) => parse_date(s).ok_or_else(|| refused("bad_date", "公布日期格式应为 YYYY-MM-DD", Some("published_on")))?,
    };
    if day > today() {
        return Err(refused("date_in_future", "公布日期不能晚于今天", Some("published_on")));
    }
    if day < approved {
        return Err(refused("published_before_approval", format!("公布日期不能早于党委同意之日（{}）", fmt_date(approved)), Some("published_on")));
    }
    let actor = who.actor();
    let on = fmt_date(day);
    state
        .db
        .write(move |tx| {
            async move {
                let now = now_ms();
                q("UPDATE decision_catalogues SET published_on = $1, updated_at = $2 WHERE id = $3")
                    .bind(on.clone())
                    .bind(now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                audit::record_at(
                    tx,
                    &actor,
                    NewEvent::new("decision_catalogue", id, "publish", "向社会公布目录").changes(Changes::new().created("公布日期", on)),
                    now,
                )
                .await?;
                Ok(())
            }
            .boxed()
        })
        .await
}

/// Does this person keep the catalogue?
pub fn keeps(staff: &crate::auth::Staff) -> bool {
    staff.grants.0.iter().any(|g| g.role.covers(Some(rules::CODE)) && g.role.perms().contains(&rules::CATALOGUE))
}
