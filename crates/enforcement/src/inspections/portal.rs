//! 一公开 on the portal: each task from its commitment on — the item and its basis, the
//! parameters, the hashes of the pools and of the seed published before the draw — then, after
//! the draw, the seed, the public value, the drawn entities with their inspectors, and the
//! results as they are published. The verifier page re-runs the draw in the citizen's browser
//! (`static/draw-verify.js`, loaded as a file: the CSP forbids inline script) from the data at
//! `…/draw.json`, which holds exactly the texts whose hashes were published.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::draw;
use super::drawing::{self, TaskRow};
use super::results::{self, TargetRow};
use super::rules::{self as r, label};
use super::service::shown_name;
use crate::auth::MaybeCitizen;
use crate::db::q;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::extract::{Path, Query};
use crate::web::pagination::Paging;
use crate::web::{Ctx, Page, PageError, PortalLayout, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal/enforcement/inspections", get(list))
        .route("/portal/enforcement/inspections/{id}", get(show))
        .route("/portal/enforcement/inspections/{id}/verify", get(verify))
        .route("/portal/enforcement/inspections/{id}/draw.json", get(data))
        .route("/static/enforcement/draw-verify.js", get(js))
        .route("/static/enforcement/inspections.css", get(css))
}

async fn js() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=300")], super::VERIFY_JS)
}

async fn css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=300")], super::CSS)
}

/// A task the public may see: parameters published (committed or later).
async fn public_task(state: &AppState, id: i64) -> Result<TaskRow, AppError> {
    drawing::task(&state.db, id).await?.filter(|t| t.state != "draft").ok_or_else(crate::kernel::access::not_found)
}

/// (id, title, unit, item, state, entities, ends_on)
type PublicTaskRow = (i64, String, String, String, String, Option<i64>, String);

pub struct TaskLine {
    pub id: i64,
    pub title: String,
    pub unit: String,
    pub item: String,
    pub state: &'static str,
    pub entities: i64,
    pub ends_on: String,
}

#[derive(Template)]
#[template(path = "enforcement/portal_inspections.html")]
struct ListPage {
    layout: PortalLayout,
    page: Page<TaskLine>,
    base: String,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    page: Option<i64>,
}

async fn list(State(state): State<AppState>, ctx: Ctx, MaybeCitizen(c): MaybeCitizen, Query(lq): Query<ListQuery>) -> Result<Response, PageError> {
    let paging = Paging { page: lq.page, per: None };
    let total = q("SELECT COUNT(*) FROM enf_insp_tasks WHERE state <> 'draft'").fetch_i64(&state.db).await?;
    let rows: Vec<PublicTaskRow> = q(
        "SELECT t.id, t.title, o.name, i.name, t.state, t.entity_count, t.ends_on FROM enf_insp_tasks t JOIN orgs o ON o.id = t.org_id JOIN enf_insp_items i ON i.id = t.item_id WHERE t.state <> 'draft' ORDER BY t.committed_at DESC, t.id DESC",
    )
    .push_bind(" LIMIT {}", paging.per())
    .push_bind(" OFFSET {}", paging.offset())
    .fetch_all(&state.db)
    .await?;
    let items = rows
        .into_iter()
        .map(|(id, title, unit, item, st, n, ends_on)| TaskLine { id, title, unit, item, state: label(r::STATES, &st), entities: n.unwrap_or(0), ends_on })
        .collect();
    render(&ListPage {
        layout: PortalLayout::new(&ctx, "双随机抽查公示", c.as_ref()),
        page: Page::new(items, &paging, total),
        base: "/portal/enforcement/inspections?".into(),
    })
}

/// What a task page shows of the task, the same on the portal and the staff page.
pub struct Facts {
    pub unit: String,
    pub units: Vec<String>,
    pub item: String,
    pub item_basis: String,
    pub field: &'static str,
    pub town: String,
    pub ratios: Vec<(&'static str, String)>,
    pub committed_at: String,
    pub drawn_at: String,
}

pub async fn facts(state: &AppState, t: &TaskRow) -> Result<Facts, AppError> {
    let units = drawing::units(&state.db, t).await?;
    let names: Vec<(i64, String)> = q("SELECT id, name FROM orgs WHERE").push_in("id", &units).fetch_all(&state.db).await?;
    let name = |id: i64| names.iter().find(|n| n.0 == id).map(|n| n.1.clone()).unwrap_or_default();
    let (item, basis, field): (String, String, String) =
        q("SELECT name, basis, field FROM enf_insp_items WHERE id = $1").bind(t.item_id).fetch_one(&state.db).await?;
    let town = match t.town_id {
        Some(id) => q("SELECT name FROM orgs WHERE id = $1").bind(id).fetch_optional::<(String,)>(&state.db).await?.map(|r| r.0).unwrap_or_default(),
        None => "全市".into(),
    };
    let fmt = |ms: Option<i64>| ms.map(crate::time::fmt_datetime).unwrap_or_default();
    Ok(Facts {
        unit: name(t.org_id),
        units: units.iter().skip(1).map(|u| name(*u)).collect(),
        item,
        item_basis: basis,
        field: crate::rules::label(crate::rules::FIELDS, &field),
        town,
        ratios: r::RISKS.iter().zip(t.ratios()).map(|(k, bp)| (k.1, r::percent(bp))).collect(),
        committed_at: fmt(t.committed_at),
        drawn_at: fmt(t.drawn_at),
    })
}

pub struct TargetLine {
    pub seq: i64,
    pub uscc: String,
    pub name: String,
    pub risk: String,
    pub inspectors: String,
    pub result: &'static str,
    pub findings: String,
    pub inspected_on: String,
    pub published_on: String,
    pub follow_up: &'static str,
}

/// The drawn entities with their inspectors (name and certificate: officers' names are public
/// under 行政执法公示) and, once published, their results.
pub async fn target_lines(state: &AppState, rows: &[TargetRow], public: bool) -> Result<Vec<TargetLine>, AppError> {
    let certs: Vec<String> =
        rows.iter().flat_map(|g| g.inspectors.split(';').map(str::to_string)).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    let mut names = std::collections::HashMap::new();
    for chunk in certs.chunks(500) {
        let found: Vec<(String, String)> = q("SELECT cert_no, name FROM enf_officers WHERE").push_in("cert_no", chunk).fetch_all(&state.db).await?;
        names.extend(found);
    }
    Ok(rows
        .iter()
        .map(|g| {
            let shown = !public || g.published_on.is_some();
            TargetLine {
                seq: g.seq,
                uscc: g.uscc.clone(),
                name: if public { shown_name(&g.entity_type, &g.name) } else { g.name.clone() },
                risk: g.risk.clone(),
                inspectors: g.inspectors.split(';').map(|c| format!("{}（{c}）", names.get(c).cloned().unwrap_or_default())).collect::<Vec<_>>().join("、"),
                result: if shown { g.result.as_deref().map(|x| label(r::RESULTS, x)).unwrap_or("") } else { "" },
                findings: if shown { g.findings.clone().unwrap_or_default() } else { String::new() },
                inspected_on: if shown { g.inspected_on.clone().unwrap_or_default() } else { String::new() },
                published_on: g.published_on.clone().unwrap_or_default(),
                follow_up: if shown { g.follow_up.as_deref().map(|x| label(r::FOLLOW_UPS, x)).unwrap_or("") } else { "" },
            }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "enforcement/portal_inspection.html")]
struct ShowPage {
    layout: PortalLayout,
    t: TaskRow,
    f: Facts,
    state: &'static str,
    seed: String,
    targets: Vec<TargetLine>,
    basis_random: String,
    basis_publish: String,
}

async fn show(State(state): State<AppState>, ctx: Ctx, MaybeCitizen(c): MaybeCitizen, Path(id): Path<i64>) -> Result<Response, PageError> {
    let t = public_task(&state, id).await?;
    let f = facts(&state, &t).await?;
    let targets = target_lines(&state, &results::targets(&state.db, id).await?, true).await?;
    render(&ShowPage {
        layout: PortalLayout::new(&ctx, "双随机抽查公示", c.as_ref()),
        state: label(r::STATES, &t.state),
        seed: t.revealed_seed().unwrap_or_default().to_string(),
        basis_random: r::RANDOM.full(),
        basis_publish: r::PUBLISH.full(),
        targets,
        f,
        t,
    })
}

#[derive(Template)]
#[template(path = "enforcement/portal_verify.html")]
struct VerifyPage {
    layout: PortalLayout,
    t: TaskRow,
    ratios: String,
    ratio_text: String,
}

async fn verify(State(state): State<AppState>, ctx: Ctx, MaybeCitizen(c): MaybeCitizen, Path(id): Path<i64>) -> Result<Response, PageError> {
    let t = public_task(&state, id).await?;
    if t.revealed_seed().is_none() {
        return Err(AppError::not_found("not_drawn", "该任务尚未抽取，抽取后即可验证").into());
    }
    render(&VerifyPage {
        layout: PortalLayout::new(&ctx, "验证抽取结果", c.as_ref()),
        ratios: t.ratios().iter().map(|b| b.to_string()).collect::<Vec<_>>().join(","),
        ratio_text: r::RISKS.iter().zip(t.ratios()).map(|(k, bp)| format!("{} {}", k.0, r::percent(bp))).collect::<Vec<_>>().join("，"),
        t,
    })
}

/// The published inputs and result of a drawn task, as the texts whose hashes were published.
async fn data(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Response, AppError> {
    let t = public_task(&state, id).await?;
    let seed = t.revealed_seed().ok_or_else(|| AppError::not_found("not_drawn", "该任务尚未抽取"))?.to_string();
    let inputs = drawing::inputs(&state.db, &t).await?;
    let body = serde_json::json!({
        "task": t.id,
        "algorithm": "双随机抽取算法 v1（见 draw.rs）：SHA-256(种子|统一社会信用代码) 分层排序，比例向上取整；检查人员 SHA-256(种子|代码|j) 前6字节取模",
        "seed": seed,
        "seed_hash": t.seed_hash,
        "public_source": t.public_source,
        "public_value": t.public_value,
        "ratios_bp": t.ratios(),
        "team": t.team,
        "entities": draw::entity_text(&inputs.entities),
        "entity_hash": t.entity_hash,
        "inspectors": draw::inspector_text(&inputs.inspectors),
        "inspector_hash": t.inspector_hash,
        "conflicts": draw::conflict_text(&inputs.conflicts),
        "conflict_hash": t.conflict_hash,
        "result": drawing::result_text(&state.db, id).await?,
    });
    Ok(axum::Json(body).into_response())
}
