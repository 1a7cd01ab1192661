//! The service catalogue (诉求类别) and the routing rules, as data an administrator changes.

use futures::FutureExt;

use super::model::{Attribute, Route};
use super::queries::{self, Category};
use crate::audit::{self, Actor, Changes, NewEvent};
use crate::db::{Db, Tx, q};
use crate::error::{AppError, Check};
use crate::org::queries as orgs;
use crate::time::now_ms;

#[derive(Clone, Debug, Default)]
pub struct CategoryInput {
    pub code: String,
    pub name: String,
    pub description: String,
    pub handle_days: Option<i64>,
    pub default_org_code: Option<String>,
    pub attributes: Vec<Attribute>,
    pub keywords: String,
    pub active: bool,
    pub sort: i64,
}

async fn check_category(tx: &mut Tx, input: &CategoryInput, existing: Option<i64>) -> Result<Option<i64>, AppError> {
    let mut c = Check::new();
    if !crate::org::model::valid_code(&input.code) {
        c.add("code", "invalid_code", "类别编码须为 1–32 位字母、数字、“-”或“_”");
    } else if let Some(other) = queries::category_by_code(&mut *tx, &input.code).await? {
        if Some(other.id) != existing {
            c.add("code", "duplicate_code", format!("类别编码“{}”已被“{}”使用", input.code, other.name));
        }
    }
    c.text("name", "类别名称", Some(&input.name), 40);
    c.opt_text("description", "说明", Some(&input.description), 500);
    match input.handle_days {
        Some(d) if (1..=60).contains(&d) => {}
        Some(_) => c.add("handle_days", "out_of_range", "办理时限应为 1–60 个工作日"),
        None => c.add("handle_days", "required", "请填写办理时限（工作日）"),
    }
    let mut org_id = None;
    if let Some(code) = input.default_org_code.as_deref().filter(|s| !s.trim().is_empty()) {
        match orgs::by_code(&mut *tx, code.trim()).await? {
            Some(o) => org_id = Some(o.id),
            None => c.add("default_org_code", "org_not_found", format!("默认承办单位“{code}”不存在")),
        }
    }
    for a in &input.attributes {
        if !crate::org::model::valid_code(&a.code) || a.label.trim().is_empty() {
            c.add("attributes", "bad_attribute", format!("附加项“{}”须有编码和名称", a.label));
        }
        if !matches!(a.datatype.as_str(), "string" | "text" | "number" | "singlevaluelist") {
            c.add("attributes", "bad_datatype", format!("附加项“{}”的类型无效", a.label));
        }
    }
    c.finish()?;
    Ok(org_id)
}

pub async fn create_category(tx: &mut Tx, actor: &Actor, input: &CategoryInput) -> Result<i64, AppError> {
    let org_id = check_category(tx, input, None).await?;
    let now = now_ms();
    let id = q("INSERT INTO hotline_categories (code, name, description, handle_days, default_org_id, attributes, keywords, active, sort, version, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,1,$10,$10) RETURNING id")
        .bind(input.code.trim())
        .bind(input.name.trim())
        .bind(input.description.trim())
        .bind(input.handle_days.unwrap_or(5))
        .bind(org_id)
        .bind(serde_json::to_string(&input.attributes).unwrap_or_else(|_| "[]".into()))
        .bind(input.keywords.trim())
        .bind(input.active)
        .bind(input.sort)
        .bind(now)
        .fetch_i64(&mut *tx)
        .await?;
    audit::record(
        tx,
        actor,
        NewEvent::new("hotline_category", id, "create", format!("新建诉求类别“{}”", input.name))
            .changes(Changes::new().created("办理时限", input.handle_days).created("默认承办单位", &input.default_org_code)),
    )
    .await?;
    Ok(id)
}

pub async fn update_category(tx: &mut Tx, actor: &Actor, id: i64, version: i64, input: &CategoryInput) -> Result<(), AppError> {
    let old: Category = queries::category(&mut *tx, id).await?.ok_or_else(|| AppError::not_found("category_not_found", "诉求类别不存在"))?;
    if old.version != version {
        return Err(AppError::stale());
    }
    let org_id = check_category(tx, input, Some(id)).await?;
    let n = q("UPDATE hotline_categories SET code=$1, name=$2, description=$3, handle_days=$4, default_org_id=$5, attributes=$6, keywords=$7, active=$8, sort=$9, version=version+1, updated_at=$10 WHERE id=$11 AND version=$12")
        .bind(input.code.trim())
        .bind(input.name.trim())
        .bind(input.description.trim())
        .bind(input.handle_days.unwrap_or(5))
        .bind(org_id)
        .bind(serde_json::to_string(&input.attributes).unwrap_or_else(|_| "[]".into()))
        .bind(input.keywords.trim())
        .bind(input.active)
        .bind(input.sort)
        .bind(now_ms())
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
    if n != 1 {
        return Err(AppError::stale());
    }
    audit::record(
        tx,
        actor,
        NewEvent::new("hotline_category", id, "update", format!("修改诉求类别“{}”", input.name)).changes(
            Changes::new()
                .set("名称", &old.name, input.name.trim())
                .set("办理时限", old.handle_days, input.handle_days)
                .set("默认承办单位", old.default_org_id, org_id)
                .set("启用", old.active, input.active),
        ),
    )
    .await?;
    Ok(())
}

#[derive(Clone, Debug, Default)]
pub struct RouteInput {
    pub position: i64,
    pub category_id: Option<i64>,
    pub town_id: Option<i64>,
    pub village_id: Option<i64>,
    pub keyword: Option<String>,
    pub org_id: Option<i64>,
    pub note: String,
}

pub async fn create_route(tx: &mut Tx, actor: &Actor, input: &RouteInput) -> Result<i64, AppError> {
    let mut c = Check::new();
    let org = match input.org_id {
        Some(id) => orgs::get(&mut *tx, id).await?,
        None => None,
    };
    if org.is_none() {
        c.add("org_id", "required", "请选择承办单位");
    }
    if input.category_id.is_none() && input.town_id.is_none() && input.village_id.is_none() && input.keyword.as_deref().unwrap_or("").trim().is_empty() {
        c.add("category_id", "no_condition", "规则至少要有一个条件（类别、乡镇、村社区或关键词）");
    }
    if let Some(k) = &input.keyword {
        if k.chars().count() > 100 {
            c.add("keyword", "too_long", "关键词不能超过 100 字");
        }
    }
    c.finish()?;
    let id = q("INSERT INTO hotline_routes (position, category_id, town_id, village_id, keyword, org_id, active, note, created_at) VALUES ($1,$2,$3,$4,$5,$6,TRUE,$7,$8) RETURNING id")
        .bind(input.position)
        .bind(input.category_id)
        .bind(input.town_id)
        .bind(input.village_id)
        .bind(input.keyword.clone().filter(|k| !k.trim().is_empty()))
        .bind(input.org_id)
        .bind(input.note.as_str())
        .bind(now_ms())
        .fetch_i64(&mut *tx)
        .await?;
    audit::record(
        tx,
        actor,
        NewEvent::new("hotline_route", id, "create", "新建分派规则")
            .changes(Changes::new().created("顺序", input.position).created("承办单位", org.map(|o| o.name))),
    )
    .await?;
    Ok(id)
}

pub async fn delete_route(db: &Db, actor: Actor, id: i64) -> Result<(), AppError> {
    db.write(move |tx| {
        async move {
            let n = q("UPDATE hotline_routes SET active = FALSE WHERE id = $1 AND active = TRUE").bind(id).execute(&mut *tx).await?;
            if n == 0 {
                return Err(AppError::not_found("route_not_found", "分派规则不存在或已停用"));
            }
            audit::record(tx, &actor, NewEvent::new("hotline_route", id, "disable", "停用分派规则")).await?;
            Ok(())
        }
        .boxed()
    })
    .await
}

pub async fn active_routes(db: &Db) -> Result<Vec<Route>, AppError> {
    Ok(queries::routes(db).await?.into_iter().filter(|r| r.active).collect())
}
