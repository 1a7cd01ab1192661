//! `/hotline/catalogue`: the service catalogue, the routing rules with a tester, and the
//! hotline's local settings (deadline days, whether 基本满意 counts as satisfied).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use futures::FutureExt;
use serde::Deserialize;

use super::catalogue::{self, CategoryInput, RouteInput};
use super::model::{self, Attribute, Route, RoutingInput};
use super::queries::{self, Category};
use super::rules::PROCEDURE;
use crate::auth::{Perm, Staff};
use crate::error::{AppError, FieldError};
use crate::kernel::engine::rule_days;
use crate::org::OrgKind;
use crate::org::queries::{self as orgs, OrgRow};
use crate::state::AppState;
use crate::web::extract::{Path, Query};
use crate::web::form::FormData;
use crate::web::{Ctx, Layout, PageError, redirect_ok, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/hotline/catalogue", get(show))
        .route("/hotline/catalogue/categories", post(create_category))
        .route("/hotline/catalogue/categories/{id}", post(update_category))
        .route("/hotline/catalogue/routes", post(create_route))
        .route("/hotline/catalogue/routes/{id}/disable", post(disable_route))
        .route("/hotline/catalogue/settings", post(save_settings))
        .route("/hotline/catalogue/example", get(example))
}

/// A model to draft the city's own 12345 rules from: a Shandong city's regulation (public law
/// text), for administrators only — it is never cited to citizens or staff.
const EXAMPLE: &str = include_str!("../assets/weifang-12345-example.md");

#[derive(Template)]
#[template(path = "hotline/example.html")]
struct ExamplePage {
    layout: Layout,
    text: &'static str,
}

async fn example(staff: Staff, ctx: Ctx) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_SETTINGS)?;
    render(&ExamplePage {
        layout: Layout::new(&staff, &ctx, "参考范本").crumb("目录与分派规则", "/hotline/catalogue").crumb("参考范本", ""), text: EXAMPLE
    })
}

/// The settings keys that name the city's own rules and date them.
fn rules_keys() -> (String, String) {
    (format!("{}{}", crate::settings::LOCAL_RULES, super::rules::LOCAL_RULES), format!("{}{}", crate::settings::LOCAL_RULES_SINCE, super::rules::LOCAL_RULES))
}

/// `code|label|datatype|必填或选填|a=甲;b=乙` per line.
pub fn parse_attribute_lines(text: &str) -> Result<Vec<Attribute>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.is_empty() {
            continue;
        }
        let parts: Vec<&str> = l.split('|').map(str::trim).collect();
        if parts.len() < 4 {
            return Err(format!("附加项第 {} 行应为：编码|名称|类型|必填或选填[|选项]", i + 1));
        }
        let values = parts
            .get(4)
            .map(|v| v.split(';').filter_map(|kv| kv.split_once('=').map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))).collect())
            .unwrap_or_default();
        out.push(Attribute { code: parts[0].into(), label: parts[1].into(), datatype: parts[2].into(), required: parts[3] == "必填", values });
    }
    Ok(out)
}

pub fn attribute_lines(attrs: &[Attribute]) -> String {
    attrs
        .iter()
        .map(|a| {
            let mut s = format!("{}|{}|{}|{}", a.code, a.label, a.datatype, if a.required { "必填" } else { "选填" });
            if !a.values.is_empty() {
                s.push('|');
                s.push_str(&a.values.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(";"));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("\n")
}

struct CatView {
    cat: Category,
    unit: String,
    attrs: String,
}

struct RouteView {
    route: Route,
    category: String,
    town: String,
    unit: String,
}

#[derive(Deserialize, Default)]
struct TestQuery {
    category: Option<String>,
    town: Option<String>,
    text: Option<String>,
}

#[derive(Template)]
#[template(path = "hotline/catalogue.html")]
struct CataloguePage {
    layout: Layout,
    cats: Vec<CatView>,
    routes: Vec<RouteView>,
    units: Vec<OrgRow>,
    towns: Vec<OrgRow>,
    errors: Vec<FieldError>,
    can_edit: bool,
    test: Option<String>,
    tq_category: String,
    tq_town: String,
    tq_text: String,
    handle_days: u32,
    mailbox_days: u32,
    basic_counts: bool,
    number_pattern: String,
    /// The name the city gave its 12345 working rules, and the date they took effect.
    rules_name: String,
    rules_since: String,
}

async fn page(state: &AppState, staff: &Staff, ctx: &Ctx, tq: TestQuery, errors: Vec<FieldError>) -> Result<Response, PageError> {
    let all_cats = queries::categories(&state.db, false).await?;
    let all_orgs = orgs::all(&state.db).await?;
    let name = |id: Option<i64>| id.and_then(|i| all_orgs.iter().find(|o| o.id == i)).map(|o| o.short_name.clone()).unwrap_or_default();
    let routes = catalogue::active_routes(&state.db).await?;
    let cat_names: Vec<(i64, String)> = all_cats.iter().map(|c| (c.id, c.name.clone())).collect();
    let test = match tq.category.as_deref().and_then(|c| c.parse::<i64>().ok()) {
        Some(cid) => {
            let town = tq.town.as_deref().and_then(|t| t.parse::<i64>().ok());
            let text = tq.text.clone().unwrap_or_default();
            let default = all_cats.iter().find(|c| c.id == cid).and_then(|c| c.default_org_id);
            let (org, rule) = model::route(&routes, &RoutingInput { category_id: Some(cid), town_id: town, village_id: None, text: &text }, default);
            Some(match (org, rule) {
                (Some(o), Some(r)) => {
                    format!("→ {}（命中第 {} 条规则{}）", name(Some(o)), r.position, if r.note.is_empty() { String::new() } else { format!("：{}", r.note) })
                }
                (Some(o), None) => format!("→ {}（没有规则命中，使用类别的默认承办单位）", name(Some(o))),
                (None, _) => "→ 没有规则命中，类别也没有默认承办单位：留在热线中心由派单员人工分派".into(),
            })
        }
        None => None,
    };
    let overrides = crate::settings::procedure_overrides(&state.db, "hotline").await?;
    let rule = |code: &str| PROCEDURE.deadlines.iter().find(|d| d.code == code).map(|r| rule_days(r, &overrides)).unwrap_or(0);
    let bad = !errors.is_empty();
    let mut r = render(&CataloguePage {
        layout: Layout::new(staff, ctx, "目录与分派规则").crumb("12345 热线", "/hotline/tickets").crumb("目录与分派规则", ""),
        cats: all_cats.into_iter().map(|c| CatView { unit: name(c.default_org_id), attrs: attribute_lines(&c.attribute_defs()), cat: c }).collect(),
        routes: routes
            .into_iter()
            .map(|r| RouteView {
                category: r.category_id.and_then(|id| cat_names.iter().find(|c| c.0 == id).map(|c| c.1.clone())).unwrap_or_default(),
                town: name(r.town_id),
                unit: name(Some(r.org_id)),
                route: r,
            })
            .collect(),
        units: all_orgs.iter().filter(|o| matches!(o.kind(), OrgKind::Department | OrgKind::Town | OrgKind::Park | OrgKind::Unit)).cloned().collect(),
        towns: all_orgs.iter().filter(|o| o.kind().is_town_level()).cloned().collect(),
        errors,
        can_edit: staff.has(Perm::ADMIN_SETTINGS),
        test,
        tq_category: tq.category.unwrap_or_default(),
        tq_town: tq.town.unwrap_or_default(),
        tq_text: tq.text.unwrap_or_default(),
        handle_days: rule("handle"),
        mailbox_days: rule("mailbox"),
        basic_counts: super::kpi::basic_counts(&state.db).await,
        rules_name: crate::settings::get(&state.db, &rules_keys().0).await?.unwrap_or_default(),
        rules_since: crate::settings::get(&state.db, &rules_keys().1).await?.unwrap_or_default(),
        number_pattern: crate::settings::procedure_value(&state.db, "hotline", "number_pattern").await?.unwrap_or_else(|| PROCEDURE.number_pattern.to_string()),
    })?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

fn can_view(staff: &Staff) -> Result<(), AppError> {
    if staff.has(Perm::ADMIN_SETTINGS) || staff.has(crate::roles::DISPATCH) {
        Ok(())
    } else {
        Err(AppError::forbidden("forbidden", "您没有查看热线目录与规则的权限"))
    }
}

async fn show(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(tq): Query<TestQuery>) -> Result<Response, PageError> {
    can_view(&staff)?;
    page(&state, &staff, &ctx, tq, vec![]).await
}

fn category_input(form: &FormData) -> Result<CategoryInput, AppError> {
    let attributes = parse_attribute_lines(form.get("attributes").unwrap_or("")).map_err(|m| AppError::field("attributes", "bad_attributes", m))?;
    Ok(CategoryInput {
        code: form.get("code").unwrap_or("").trim().to_string(),
        name: form.get("name").unwrap_or("").to_string(),
        description: form.get("description").unwrap_or("").to_string(),
        handle_days: form.int("handle_days"),
        default_org_code: form.get("default_org_code").map(str::to_string),
        attributes,
        keywords: form.get("keywords").unwrap_or("").to_string(),
        active: form.checked("active"),
        sort: form.int("sort").unwrap_or(0),
    })
}

async fn create_category(State(state): State<AppState>, staff: Staff, ctx: Ctx, form: FormData) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_SETTINGS)?;
    let input = match category_input(&form) {
        Ok(i) => i,
        Err(AppError::Invalid { fields, .. }) => return page(&state, &staff, &ctx, TestQuery::default(), fields).await,
        Err(e) => return Err(e.into()),
    };
    let actor = staff.actor();
    match state.db.write(move |tx| async move { catalogue::create_category(tx, &actor, &input).await }.boxed()).await {
        Ok(_) => Ok(redirect_ok("/hotline/catalogue", "已新建诉求类别")),
        Err(AppError::Invalid { fields, .. }) => page(&state, &staff, &ctx, TestQuery::default(), fields).await,
        Err(e) => Err(e.into()),
    }
}

async fn update_category(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>, form: FormData) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_SETTINGS)?;
    let version = form.int("version").ok_or_else(|| AppError::bad_request("missing_version", "缺少版本号，请刷新页面后重试"))?;
    let input = match category_input(&form) {
        Ok(i) => i,
        Err(AppError::Invalid { fields, .. }) => return page(&state, &staff, &ctx, TestQuery::default(), fields).await,
        Err(e) => return Err(e.into()),
    };
    let actor = staff.actor();
    match state.db.write(move |tx| async move { catalogue::update_category(tx, &actor, id, version, &input).await }.boxed()).await {
        Ok(()) => Ok(redirect_ok("/hotline/catalogue", "已保存诉求类别")),
        Err(AppError::Invalid { fields, .. }) => page(&state, &staff, &ctx, TestQuery::default(), fields).await,
        Err(e) => Err(e.into()),
    }
}

async fn create_route(State(state): State<AppState>, staff: Staff, ctx: Ctx, form: FormData) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_SETTINGS)?;
    let input = RouteInput {
        position: form.int("position").unwrap_or(1000),
        category_id: form.int("category_id"),
        town_id: form.int("town_id"),
        village_id: None,
        keyword: form.get("keyword").map(str::to_string),
        org_id: form.int("org_id"),
        note: form.get("note").unwrap_or("").chars().take(200).collect(),
    };
    let actor = staff.actor();
    match state.db.write(move |tx| async move { catalogue::create_route(tx, &actor, &input).await }.boxed()).await {
        Ok(_) => Ok(redirect_ok("/hotline/catalogue", "已新增分派规则")),
        Err(AppError::Invalid { fields, .. }) => page(&state, &staff, &ctx, TestQuery::default(), fields).await,
        Err(e) => Err(e.into()),
    }
}

async fn disable_route(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_SETTINGS)?;
    catalogue::delete_route(&state.db, staff.actor(), id).await?;
    Ok(redirect_ok("/hotline/catalogue", "已停用该分派规则"))
}

async fn save_settings(State(state): State<AppState>, staff: Staff, ctx: Ctx, form: FormData) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_SETTINGS)?;
    let mut errors = Vec::new();
    let days = |k: &str| form.get(k).and_then(|v| v.trim().parse::<u32>().ok()).filter(|d| (1..=60).contains(d));
    let handle = days("handle_days");
    let mailbox = days("mailbox_days");
    if handle.is_none() {
        errors.push(FieldError::new("handle_days", "out_of_range", "承办时限应为 1–60 个工作日"));
    }
    if mailbox.is_none() {
        errors.push(FieldError::new("mailbox_days", "out_of_range", "信箱办理时限应为 1–60 个工作日"));
    }
    let rules_name: String = form.get("rules_name").unwrap_or("").trim().to_string();
    if rules_name.chars().count() > 60 {
        errors.push(FieldError::new("rules_name", "too_long", "规范名称不能超过 60 字"));
    }
    let rules_since = form.get("rules_since").unwrap_or("").trim().to_string();
    if !rules_since.is_empty() && crate::time::parse_date(&rules_since).is_none() {
        errors.push(FieldError::new("rules_since", "bad_date", "施行日期格式应为 YYYY-MM-DD"));
    }
    let pattern = form.get("number_pattern").unwrap_or("").trim().to_string();
    if let Err(m) = crate::kernel::numbering::check_pattern(&pattern) {
        errors.push(FieldError::new("number_pattern", "bad_pattern", m));
    }
    if !errors.is_empty() {
        return page(&state, &staff, &ctx, TestQuery::default(), errors).await;
    }
    crate::settings::set_procedure_days(&state.db, staff.actor(), "hotline", "handle_days".into(), handle.unwrap_or(5)).await?;
    crate::settings::set_procedure_days(&state.db, staff.actor(), "hotline", "mailbox_days".into(), mailbox.unwrap_or(10)).await?;
    crate::settings::set_procedure_value(&state.db, staff.actor(), "hotline", "number_pattern", pattern).await?;
    crate::settings::set(&state.db, staff.actor(), "hotline.basic_counts", if form.checked("basic_counts") { "true".into() } else { "false".into() }).await?;
    let (name_key, since_key) = rules_keys();
    crate::settings::set(&state.db, staff.actor(), &name_key, rules_name).await?;
    crate::settings::set(&state.db, staff.actor(), &since_key, rules_since).await?;
    crate::settings::load_local_rule_names(&state.db).await?;
    Ok(redirect_ok("/hotline/catalogue", "已保存热线设置；新的时限对此后开始计时的工单生效"))
}
