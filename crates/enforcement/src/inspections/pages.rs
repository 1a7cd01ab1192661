//! Staff pages of 双随机: plans and tasks, the item list, the entity directory (import, export,
//! 回避), the inspector directory, and a task's page where its parameters are published, the
//! draw made, results entered and published and followed up. A refused action comes back as
//! the message (with its article) on the page it came from.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use super::drawing::{self, TaskRow};
use super::portal::{Facts, TargetLine, facts, target_lines};
use super::results::{self, FollowIn, ResultIn, TargetRow};
use super::rules::{self as r, label};
use super::service::{self, ENTITY_COLS, EntityRow, ItemRow, NewItem, NewTask, scope};
use crate::auth::roles::Scope;
use crate::auth::{Perm, Staff};
use crate::db::q;
use crate::error::AppError;
use crate::org::queries::{self as orgs, OrgRow};
use crate::service::Who;
use crate::state::AppState;
use crate::tabular::RowError;
use crate::time::{fmt_date, today};
use crate::web::extract::{Path, Query};
use crate::web::form::{FormData, Multipart};
use crate::web::pagination::{Page, Paging};
use crate::web::{Ctx, Layout, PageError, redirect_flash, redirect_ok, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/enforcement/inspections", get(index))
        .route("/enforcement/inspections/plans", post(new_plan))
        .route("/enforcement/inspections/tasks", post(new_task))
        .route("/enforcement/inspections/items", get(items).post(new_item))
        .route("/enforcement/inspections/entities", get(entities))
        .route("/enforcement/inspections/entities/import", post(import))
        .route("/enforcement/inspections/entities/{id}/conflicts", post(conflict))
        .route("/enforcement/inspections/inspectors", get(inspectors))
        .route("/enforcement/inspections/tasks/{id}", get(task))
        .route("/enforcement/inspections/tasks/{id}/commit", post(commit))
        .route("/enforcement/inspections/tasks/{id}/draw", post(run_draw))
        .route("/enforcement/inspections/tasks/{id}/publish", post(publish))
        .route("/enforcement/inspections/targets/{id}/result", post(result))
        .route("/enforcement/inspections/targets/{id}/follow", post(follow))
}

fn read_scope(staff: &Staff) -> Result<Scope, AppError> {
    let s = scope(&Who::staff(staff), Perm::CASE_READ);
    if s == Scope::Nothing {
        return Err(AppError::forbidden("forbidden", "您没有查看双随机抽查的权限"));
    }
    Ok(s)
}

/// The units this person may run inspections for.
async fn own_units(state: &AppState, staff: &Staff) -> Result<Vec<OrgRow>, AppError> {
    Ok(orgs::all(&state.db).await?.into_iter().filter(|o| o.active && staff.allows(Perm::CASE_HANDLE, Some(crate::rules::CODE), &o.path)).collect())
}

/// A refusal as a flash on the page it came from (message and article).
fn back(to: &str, e: AppError) -> Result<Response, PageError> {
    match e {
        AppError::Refused { .. } | AppError::Invalid { .. } | AppError::Conflict { .. } | AppError::BadRequest { .. } => {
            let basis = e.basis().first().map(|b| format!("（依据：{b}）")).unwrap_or_default();
            Ok(redirect_flash(to, false, &format!("{}{basis}", e.user_message())))
        }
        e => Err(e.into()),
    }
}

// ---- 计划与任务 ------------------------------------------------------------------------------

/// (id, plan, title, item, unit, state, drawn, entered, published)
type TaskListRow = (i64, String, String, String, String, String, i64, i64, i64);

pub struct TaskLine {
    pub id: i64,
    pub plan: String,
    pub title: String,
    pub item: String,
    pub unit: String,
    pub state: &'static str,
    pub drawn: i64,
    pub entered: i64,
    pub published: i64,
}

#[derive(Template)]
#[template(path = "enforcement/insp_index.html")]
struct IndexPage {
    layout: Layout,
    tasks: Vec<TaskLine>,
    plans: Vec<(i64, String)>,
    items: Vec<ItemRow>,
    units: Vec<OrgRow>,
    towns: Vec<OrgRow>,
    year: i32,
    can_run: bool,
    ends_on: String,
    weighting: String,
}

async fn index(State(state): State<AppState>, staff: Staff, ctx: Ctx) -> Result<Response, PageError> {
    let sc = read_scope(&staff)?;
    let rows: Vec<TaskListRow> = sc
        .filter(
            q("SELECT t.id, p.title, t.title, i.name, o.short_name, t.state, \
               (SELECT COUNT(*) FROM enf_insp_targets g WHERE g.task_id = t.id), \
               (SELECT COUNT(*) FROM enf_insp_targets g WHERE g.task_id = t.id AND g.result IS NOT NULL), \
               (SELECT COUNT(*) FROM enf_insp_targets g WHERE g.task_id = t.id AND g.published_on IS NOT NULL) \
               FROM enf_insp_tasks t JOIN enf_insp_plans p ON p.id = t.plan_id JOIN enf_insp_items i ON i.id = t.item_id JOIN orgs o ON o.id = t.org_id WHERE 1=1"),
            "t.org_id",
        )
        .push(" ORDER BY t.id DESC LIMIT 200")
        .fetch_all(&state.db)
        .await?;
    let tasks = rows
        .into_iter()
        .map(|(id, plan, title, item, unit, st, drawn, entered, published)| TaskLine {
            id,
            plan,
            title,
            item,
            unit,
            state: label(r::STATES, &st),
            drawn,
            entered,
            published,
        })
        .collect();
    let run = scope(&Who::staff(&staff), Perm::CASE_HANDLE);
    let plans: Vec<(i64, String)> =
        run.filter(q("SELECT p.id, p.title FROM enf_insp_plans p WHERE 1=1"), "p.org_id").push(" ORDER BY p.year DESC, p.id DESC").fetch_all(&state.db).await?;
    render(&IndexPage {
        layout: Layout::new(&staff, &ctx, "双随机抽查").crumb("双随机抽查", ""),
        tasks,
        plans,
        items: service::items(&state.db, &run).await?,
        units: own_units(&state, &staff).await?,
        towns: orgs::of_kinds(&state.db, &[crate::org::OrgKind::Town, crate::org::OrgKind::Park]).await?,
        year: chrono::Datelike::year(&today()),
        can_run: run != Scope::Nothing,
        ends_on: fmt_date(today() + chrono::Duration::days(30)),
        weighting: r::RISK_WEIGHTING.full(),
    })
}

async fn new_plan(State(state): State<AppState>, staff: Staff, form: FormData) -> Result<Response, PageError> {
    match service::create_plan(&state, &Who::staff(&staff), form.int("org_id"), form.get("year"), form.get("title")).await {
        Ok(_) => Ok(redirect_ok("/enforcement/inspections", "已制定年度抽查计划")),
        Err(e) => back("/enforcement/inspections", e),
    }
}

async fn new_task(State(state): State<AppState>, staff: Staff, form: FormData) -> Result<Response, PageError> {
    let g = |k: &str| form.get(k).map(str::to_string).filter(|s| !s.trim().is_empty());
    let new = NewTask {
        plan_id: form.int("plan_id"),
        item_id: form.int("item_id"),
        title: g("title"),
        town_id: form.int("town_id"),
        ratios: [g("ratio_a"), g("ratio_b"), g("ratio_c"), g("ratio_d")],
        team: g("team"),
        public_source: g("public_source"),
        ends_on: g("ends_on"),
        joint: form.all("joint").iter().filter_map(|s| s.parse().ok()).collect(),
    };
    match service::create_task(&state, &Who::staff(&staff), new).await {
        Ok(id) => Ok(redirect_ok(&format!("/enforcement/inspections/tasks/{id}"), "已新建抽查任务；公布抽取参数后即可抽取")),
        Err(e) => back("/enforcement/inspections", e),
    }
}

// ---- 抽查事项清单 ----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "enforcement/insp_items.html")]
struct ItemsPage {
    layout: Layout,
    rows: Vec<(ItemRow, &'static str, &'static str, &'static str, String)>,
    units: Vec<OrgRow>,
    fields: &'static [(&'static str, &'static str)],
    kinds: &'static [(&'static str, &'static str)],
    scopes: &'static [(&'static str, &'static str)],
    basis: String,
}

async fn items(State(state): State<AppState>, staff: Staff, ctx: Ctx) -> Result<Response, PageError> {
    let sc = read_scope(&staff)?;
    let rows = service::items(&state.db, &sc)
        .await?
        .into_iter()
        .map(|i| {
            let (f, k, s, p) = (
                crate::rules::label(crate::rules::FIELDS, &i.field),
                label(r::ITEM_KINDS, &i.kind),
                label(r::ITEM_SCOPES, &i.entity_type),
                r::percent(i.ratio_bp),
            );
            (i, f, k, s, p)
        })
        .collect();
    render(&ItemsPage {
        layout: Layout::new(&staff, &ctx, "抽查事项清单").crumb("双随机抽查", "/enforcement/inspections").crumb("抽查事项清单", ""),
        rows,
        units: own_units(&state, &staff).await?,
        fields: crate::rules::FIELDS,
        kinds: r::ITEM_KINDS,
        scopes: r::ITEM_SCOPES,
        basis: r::LIST_ONLY.full(),
    })
}

async fn new_item(State(state): State<AppState>, staff: Staff, form: FormData) -> Result<Response, PageError> {
    let g = |k: &str| form.get(k).map(str::to_string).filter(|s| !s.trim().is_empty());
    let new = NewItem {
        org_id: form.int("org_id"),
        code: g("code"),
        name: g("name"),
        basis: g("basis"),
        field: g("field"),
        kind: g("kind"),
        ratio: g("ratio"),
        per_year: g("per_year"),
        entity_type: g("entity_type"),
    };
    match service::create_item(&state, &Who::staff(&staff), new).await {
        Ok(_) => Ok(redirect_ok("/enforcement/inspections/items", "已列入抽查事项清单")),
        Err(e) => back("/enforcement/inspections/items", e),
    }
}

// ---- 检查对象名录库 --------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct EntityFilter {
    q: Option<String>,
    risk: Option<String>,
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    page: Option<i64>,
    format: Option<String>,
}

#[derive(Template)]
#[template(path = "enforcement/insp_entities.html")]
struct EntitiesPage {
    layout: Layout,
    page: Page<(EntityRow, &'static str, String, &'static str)>,
    q: String,
    risk: String,
    risks: &'static [(&'static str, &'static str)],
    base: String,
    export: String,
    units: Vec<OrgRow>,
    import_errors: Vec<RowError>,
}

fn entity_query(sc: &Scope, f: &EntityFilter) -> crate::db::Q {
    let mut w = sc.filter(q(" FROM enf_entities e WHERE e.active = TRUE"), "e.org_id");
    if let Some(s) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        w = w.push_bind(" AND (e.name LIKE {}", format!("%{s}%")).push_bind(" OR e.uscc = {})", s.to_uppercase());
    }
    if let Some(k) = f.risk.as_deref().filter(|s| !s.is_empty()) {
        w = w.push_bind(" AND e.risk = {}", k.to_string());
    }
    w
}

async fn entity_page(state: &AppState, staff: &Staff, ctx: &Ctx, f: EntityFilter, import_errors: Vec<RowError>) -> Result<Response, PageError> {
    let sc = read_scope(staff)?;
    let w = entity_query(&sc, &f);
    let towns: Vec<(i64, String)> = q("SELECT id, short_name FROM orgs WHERE kind IN ('town', 'park')").fetch_all(&state.db).await?;
    let line = |e: EntityRow| {
        let town = e.town_id.and_then(|t| towns.iter().find(|x| x.0 == t)).map(|x| x.1.clone()).unwrap_or_default();
        let (k, rk) = (label(r::ENTITY_TYPES, &e.entity_type), label(r::RISKS, &e.risk));
        (e, k, town, rk)
    };
    let mut query = q(format!("SELECT {ENTITY_COLS}{}", w.sql()));
    for a in w.args() {
        query = query.bind(a.clone());
    }
    let params = format!("q={}&risk={}", crate::web::urlencode(f.q.as_deref().unwrap_or("")), crate::web::urlencode(f.risk.as_deref().unwrap_or("")));
    if f.format.as_deref() == Some("xlsx") {
        let rows: Vec<EntityRow> = query.push(" ORDER BY e.org_id, e.uscc LIMIT 200000").fetch_all(&state.db).await?;
        let header = ["统一社会信用代码", "名称", "类型", "所属乡镇", "风险等级"];
        let data: Vec<Vec<String>> = rows.into_iter().map(line).map(|(e, k, t, _)| vec![e.uscc, e.name, k.into(), t, e.risk]).collect();
        return Ok(crate::tabular::xlsx_response(crate::tabular::write_xlsx("检查对象名录库", &header, &data)?, "检查对象名录库"));
    }
    let mut count = q(format!("SELECT COUNT(*){}", w.sql()));
    for a in w.args() {
        count = count.bind(a.clone());
    }
    let total = count.fetch_i64(&state.db).await?;
    let paging = Paging { page: f.page, per: None };
    let rows: Vec<EntityRow> =
        query.push(" ORDER BY e.risk DESC, e.uscc").push_bind(" LIMIT {}", paging.per()).push_bind(" OFFSET {}", paging.offset()).fetch_all(&state.db).await?;
    render(&EntitiesPage {
        layout: Layout::new(staff, ctx, "检查对象名录库").crumb("双随机抽查", "/enforcement/inspections").crumb("检查对象名录库", ""),
        page: Page::new(rows.into_iter().map(line).collect(), &paging, total),
        q: f.q.clone().unwrap_or_default(),
        risk: f.risk.clone().unwrap_or_default(),
        risks: r::RISKS,
        base: format!("/enforcement/inspections/entities?{params}&"),
        export: format!("/enforcement/inspections/entities?{params}&format=xlsx"),
        units: own_units(state, staff).await?,
        import_errors,
    })
}

async fn entities(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(f): Query<EntityFilter>) -> Result<Response, PageError> {
    entity_page(&state, &staff, &ctx, f, vec![]).await
}

async fn import(State(state): State<AppState>, staff: Staff, ctx: Ctx, form: Multipart) -> Result<Response, PageError> {
    let Some(file) = form.files.first() else {
        return back("/enforcement/inspections/entities", AppError::field("file", "required", "请选择要导入的 XLSX 或 CSV 文件"));
    };
    let org = form.fields.int("org_id").unwrap_or(staff.org_id);
    match super::import::import(&state, &Who::staff(&staff), org, &file.bytes).await {
        Ok((added, changed)) => Ok(redirect_ok("/enforcement/inspections/entities", &format!("导入完成：新增 {added} 户，更新 {changed} 户"))),
        Err(errors) => {
            let mut resp = entity_page(&state, &staff, &ctx, EntityFilter::default(), errors).await?;
            *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
    }
}

async fn conflict(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>, form: FormData) -> Result<Response, PageError> {
    match service::declare_conflict(&state, &Who::staff(&staff), id, form.get("cert_no").unwrap_or(""), form.get("reason")).await {
        Ok(()) => Ok(redirect_ok("/enforcement/inspections/entities", "已登记回避：该执法人员不会被抽取检查该对象")),
        Err(e) => back("/enforcement/inspections/entities", e),
    }
}

// ---- 执法检查人员名录库 ----------------------------------------------------------------------

#[derive(Template)]
#[template(path = "enforcement/insp_inspectors.html")]
struct InspectorsPage {
    layout: Layout,
    by_field: Vec<(&'static str, i64)>,
    rows: Vec<(String, String, &'static str, String, String)>,
    total: i64,
}

/// Built from the officers: certified (not auxiliaries), certificate active and valid today.
async fn inspectors(State(state): State<AppState>, staff: Staff, ctx: Ctx) -> Result<Response, PageError> {
    let sc = read_scope(&staff)?;
    let day = fmt_date(today());
    let base = |sel: &str| {
        sc.filter(q(format!("SELECT {sel} FROM enf_officers o JOIN orgs g ON g.id = o.org_id WHERE o.auxiliary = FALSE AND o.status = 'active' AND o.cert_no IS NOT NULL AND o.issued_on <= $1 AND o.expires_on >= $1")).bind(day.clone()), "o.org_id")
    };
    let counts: Vec<(String, i64)> = base("o.field, COUNT(*)").push(" GROUP BY o.field").fetch_all(&state.db).await?;
    let rows: Vec<(String, String, String, String, String)> = base("o.name, o.cert_no, o.field, g.short_name, o.expires_on")
        .push(" ORDER BY o.field, g.short_name, o.cert_no LIMIT 500")
        .fetch_all(&state.db)
        .await?;
    render(&InspectorsPage {
        layout: Layout::new(&staff, &ctx, "执法检查人员名录库").crumb("双随机抽查", "/enforcement/inspections").crumb("执法检查人员名录库", ""),
        total: counts.iter().map(|c| c.1).sum(),
        by_field: counts.into_iter().map(|(f, n)| (crate::rules::label(crate::rules::FIELDS, &f), n)).collect(),
        rows: rows.into_iter().map(|(n, c, f, u, e)| (n, c, crate::rules::label(crate::rules::FIELDS, &f), u, e)).collect(),
    })
}

// ---- 任务 ------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "enforcement/insp_task.html")]
struct TaskPage {
    layout: Layout,
    t: TaskRow,
    f: Facts,
    state: &'static str,
    lines: Vec<(TargetLine, TargetRow)>,
    can_run: bool,
    results: &'static [(&'static str, &'static str)],
    follow_ups: &'static [(&'static str, &'static str)],
    units: Vec<OrgRow>,
    today: String,
    basis: Vec<String>,
}

async fn task(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    let who = Who::staff(&staff);
    let t = drawing::task_for(&state, &who, id, Perm::CASE_READ).await?;
    let path = crate::kernel::access::org_path(&state, t.org_id).await?;
    let rows = results::targets(&state.db, id).await?;
    let lines = target_lines(&state, &rows, false).await?.into_iter().zip(rows).collect();
    render(&TaskPage {
        layout: Layout::new(&staff, &ctx, t.title.clone()).crumb("双随机抽查", "/enforcement/inspections").crumb(t.title.clone(), ""),
        f: facts(&state, &t).await?,
        state: label(r::STATES, &t.state),
        lines,
        can_run: who.may(Perm::CASE_HANDLE, &path),
        results: r::RESULTS,
        follow_ups: r::FOLLOW_UPS,
        units: orgs::of_kinds(&state.db, &[crate::org::OrgKind::Department]).await?,
        today: fmt_date(today()),
        basis: [r::RANDOM, r::TWO, r::RECUSAL, r::PUBLISH, r::FOLLOW_UP].iter().map(|b| b.full()).collect(),
        t,
    })
}

fn task_url(id: i64) -> String {
    format!("/enforcement/inspections/tasks/{id}")
}

async fn commit(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> Result<Response, PageError> {
    match drawing::commit(&state, &Who::staff(&staff), id).await {
        Ok(t) => Ok(redirect_ok(
            &task_url(id),
            &format!("已公布抽取参数：名录 {} 户、检查人员 {} 名，种子承诺值已公开", t.entity_count.unwrap_or(0), t.inspector_count.unwrap_or(0)),
        )),
        Err(e) => back(&task_url(id), e),
    }
}

async fn run_draw(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>, form: FormData) -> Result<Response, PageError> {
    match drawing::run_draw(&state, &Who::staff(&staff), id, form.get("public_value")).await {
        Ok(_) => Ok(redirect_ok(&task_url(id), "已抽取：种子已揭示，抽取结果已在门户公示，公众可自行验证")),
        Err(e) => back(&task_url(id), e),
    }
}

async fn publish(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> Result<Response, PageError> {
    match results::publish(&state, &Who::staff(&staff), id).await {
        Ok(n) => Ok(redirect_ok(&task_url(id), &format!("已公示 {n} 户的检查结果"))),
        Err(e) => back(&task_url(id), e),
    }
}

async fn target_task(state: &AppState, id: i64) -> String {
    match q("SELECT task_id FROM enf_insp_targets WHERE id = $1").bind(id).fetch_optional::<(i64,)>(&state.db).await {
        Ok(Some((t,))) => task_url(t),
        _ => "/enforcement/inspections".into(),
    }
}

async fn result(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>, form: FormData) -> Result<Response, PageError> {
    let to = target_task(&state, id).await;
    let input = ResultIn {
        version: form.int("version"),
        result: form.get("result").map(str::to_string),
        findings: form.get("findings").map(str::to_string),
        inspected_on: form.get("inspected_on").map(str::to_string),
        inspectors: Some(form.all("inspectors").join(",")),
    };
    match results::enter_result(&state, &Who::staff(&staff), id, input).await {
        Ok(g) => Ok(redirect_ok(&to, &format!("已录入 {} 的检查结果，应于 {} 前公示", g.uscc, g.publish_due_on.unwrap_or_default()))),
        Err(e) => back(&to, e),
    }
}

async fn follow(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>, form: FormData) -> Result<Response, PageError> {
    let to = target_task(&state, id).await;
    let input = FollowIn {
        kind: form.get("kind").map(str::to_string),
        case_no: form.get("case_no").map(str::to_string),
        org_id: form.int("org_id"),
        note: form.get("note").map(str::to_string),
    };
    match results::follow_up(&state, &Who::staff(&staff), id, input).await {
        Ok(_) => Ok(redirect_ok(&to, "已登记后续处置")),
        Err(e) => back(&to, e),
    }
}
