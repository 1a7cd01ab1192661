//! The catalogue's staff pages: the list of the units' items (filtered by 证照分离 mode, online
//! level, and items whose declared 全程网办 is contradicted by counter applications), with what
//! the last year's applications show about each item's real online level; the import of an
//! XLSX/CSV file (all or nothing, every bad row listed); the XLSX and JSON-LD exports.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::auth::{Perm, Staff};
use crate::db::{Q, q};
use crate::error::AppError;
use crate::exchange;
use crate::rules;
use crate::service::{ITEM_COLS, ItemRow, Who};
use crate::state::AppState;
use crate::tabular::RowError;
use crate::time::{fmt_date, today};
use crate::web::extract::Query;
use crate::web::form::Multipart;
use crate::web::{Ctx, Layout, PageError, redirect_ok, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/services/items", get(catalogue))
        .route("/services/items/export.xlsx", get(export_xlsx))
        .route("/services/items/catalogue.jsonld", get(export_jsonld))
        .route("/services/items/import", post(import))
}

/// The window over which the declared online level is compared with how applications came.
pub const MISMATCH_DAYS: i64 = 365;

#[derive(serde::Deserialize, Default)]
pub struct ItemFilter {
    #[serde(default)]
    pub mode: String,
    #[serde(default)]
    pub level: String,
    /// "1": only items declared 全程网办 that were nevertheless handled at a counter.
    #[serde(default)]
    pub mismatch: String,
}

impl ItemFilter {
    fn query(&self) -> String {
        format!("mode={}&level={}&mismatch={}", self.mode, self.level, self.mismatch)
    }
}

pub struct ItemLine {
    pub item: ItemRow,
    pub kind: &'static str,
    pub level: &'static str,
    pub mode: &'static str,
    pub effect: &'static str,
    pub online: i64,
    pub counter: i64,
    /// Declared 全程网办 but applications arrived at a counter.
    pub flagged: bool,
}

#[derive(Template)]
#[template(path = "services/items.html")]
struct CataloguePage {
    layout: Layout,
    items: Vec<ItemLine>,
    filter: ItemFilter,
    modes: &'static [(&'static str, &'static str)],
    levels: &'static [(&'static str, &'static str)],
    query: String,
    can_import: bool,
    errors: Vec<RowError>,
    since: String,
    type_codes: Vec<(String, &'static str, String, bool)>,
}

fn since() -> String {
    fmt_date(today() - chrono::Duration::days(MISMATCH_DAYS))
}

/// The items in the person's scope as filtered, in one query (`cols`: the columns read).
fn filtered(staff: &Staff, filter: &ItemFilter, perm: Perm, cols: &str) -> Q {
    let scope = staff.scope(perm, Some(rules::CODE));
    let mut query = q(format!("SELECT {cols} FROM svc_items i WHERE 1=1"));
    if !rules::label(rules::MODES, &filter.mode).is_empty() {
        query = query.push_bind(" AND i.reform_mode = {}", filter.mode.clone());
    }
    if !rules::label(rules::ONLINE_LEVELS, &filter.level).is_empty() {
        query = query.push_bind(" AND i.online_level = {}", filter.level.clone());
    }
    if filter.mismatch == "1" {
        query = query.push_bind(
            " AND i.online_level = 'full_online' AND EXISTS (SELECT 1 FROM svc_applications a WHERE a.item_id = i.id AND a.channel = 'counter' AND a.received_on >= {})",
            since(),
        );
    }
    scope.filter(query, "i.org_id")
}

/// Applications of the last year by item and channel, for the items listed (one grouped query
/// on the (item, received) index).
async fn channels(state: &AppState, ids: &[i64]) -> Result<BTreeMap<(i64, String), i64>, AppError> {
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let rows: Vec<(i64, String, i64)> = q("SELECT a.item_id, a.channel, COUNT(*) FROM svc_applications a WHERE 1=1")
        .push_bind(" AND a.received_on >= {}", since())
        .push(" AND")
        .push_in("a.item_id", ids)
        .push(" GROUP BY a.item_id, a.channel")
        .fetch_all(&state.db)
        .await?;
    Ok(rows.into_iter().map(|(i, c, n)| ((i, c), n)).collect())
}

async fn page(state: &AppState, staff: &Staff, ctx: &Ctx, filter: ItemFilter, errors: Vec<RowError>) -> Result<Response, PageError> {
    if !crate::reads(staff) {
        return Err(AppError::forbidden("forbidden", "您没有查看政务服务事项的权限").into());
    }
    let rows: Vec<ItemRow> = filtered(staff, &filter, Perm::CASE_READ, ITEM_COLS).push(" ORDER BY i.code LIMIT 500").fetch_all(&state.db).await?;
    let ids: Vec<i64> = rows.iter().map(|i| i.id).collect();
    let counts = channels(state, &ids).await?;
    let items = rows
        .into_iter()
        .map(|i| {
            let online = counts.get(&(i.id, "online".to_string())).copied().unwrap_or(0);
            let counter = counts.get(&(i.id, "counter".to_string())).copied().unwrap_or(0);
            ItemLine {
                kind: rules::label(rules::KINDS, &i.kind),
                level: rules::label(rules::ONLINE_LEVELS, &i.online_level),
                mode: rules::label(rules::MODES, &i.reform_mode),
                effect: rules::mode_effect(&i.reform_mode),
                flagged: i.online_level == "full_online" && counter > 0,
                online,
                counter,
                item: i,
            }
        })
        .collect();
    let types = crate::catalogue::type_codes(&state.db).await?;
    let bad = !errors.is_empty();
    let mut r = render(&CataloguePage {
        layout: Layout::new(staff, ctx, "政务服务事项清单").crumb("政务服务", "/services/applications").crumb("事项清单", ""),
        items,
        query: filter.query(),
        filter,
        modes: rules::MODES,
        levels: rules::ONLINE_LEVELS,
        can_import: staff.scope(Perm::CASE_HANDLE, Some(rules::CODE)) != crate::auth::roles::Scope::Nothing,
        errors,
        since: since(),
        type_codes: types.0.into_iter().map(|(k, c, ok)| (c, rules::label(rules::KINDS, &k), k, ok)).collect(),
    })?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn catalogue(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(filter): Query<ItemFilter>) -> Result<Response, PageError> {
    page(&state, &staff, &ctx, filter, vec![]).await
}

/// At most this many items in one export.
const EXPORT_MAX: i64 = 50_000;

async fn units(state: &AppState) -> Result<BTreeMap<i64, (String, String)>, AppError> {
    Ok(crate::org::queries::all(&state.db).await?.into_iter().map(|o| (o.id, (o.code, o.name))).collect())
}

/// The catalogue as filtered, as XLSX in the import's columns (so it can be edited and imported).
async fn export_xlsx(State(state): State<AppState>, staff: Staff, Query(filter): Query<ItemFilter>) -> Result<Response, PageError> {
    if !crate::reads(&staff) {
        return Err(AppError::forbidden("forbidden", "您没有查看政务服务事项的权限").into());
    }
    let rows: Vec<exchange::ExportRow> =
        filtered(&staff, &filter, Perm::CASE_READ, &exchange::export_cols()).push(&format!(" ORDER BY i.code LIMIT {EXPORT_MAX}")).fetch_all(&state.db).await?;
    let units = units(&state).await?;
    let data = rows.iter().map(|e| exchange::export_row(e, units.get(&e.item.org_id).map(|u| u.0.as_str()).unwrap_or(""))).collect::<Vec<_>>();
    let filters = [
        ("证照分离", rules::label(rules::MODES, &filter.mode).to_string()),
        ("网办深度", rules::label(rules::ONLINE_LEVELS, &filter.level).to_string()),
        ("申报与实际不符", if filter.mismatch == "1" { "是".to_string() } else { String::new() }),
    ];
    let title = crate::tabular::export_title("政务服务事项清单（时限为工作日）", &filters, data.len());
    Ok(crate::tabular::export("政务服务事项清单", &[crate::tabular::Sheet::new("事项", Some(title), exchange::header(), data)])?)
}

/// The catalogue as filtered, as CPSV-AP / schema.org JSON-LD.
async fn export_jsonld(State(state): State<AppState>, staff: Staff, Query(filter): Query<ItemFilter>) -> Result<Response, PageError> {
    if !crate::reads(&staff) {
        return Err(AppError::forbidden("forbidden", "您没有查看政务服务事项的权限").into());
    }
    let rows: Vec<ItemRow> =
        filtered(&staff, &filter, Perm::CASE_READ, ITEM_COLS).push(&format!(" ORDER BY i.code LIMIT {EXPORT_MAX}")).fetch_all(&state.db).await?;
    let v = exchange::jsonld(&rows, &units(&state).await?);
    let body = serde_json::to_vec_pretty(&v).map_err(|e| AppError::internal(e.to_string()))?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/ld+json; charset=utf-8"),
            (axum::http::header::CONTENT_DISPOSITION, "attachment; filename=\"catalogue.jsonld\""),
        ],
        body,
    )
        .into_response())
}

/// Import a catalogue file: all rows or none.
async fn import(State(state): State<AppState>, staff: Staff, ctx: Ctx, form: Multipart) -> Result<Response, PageError> {
    staff.require(Perm::CASE_HANDLE)?;
    let Some(file) = form.files.first().filter(|f| !f.bytes.is_empty()) else {
        return page(&state, &staff, &ctx, ItemFilter::default(), vec![RowError::new(0, "", "请选择要导入的事项清单文件（XLSX 或 CSV）")]).await;
    };
    match exchange::import(&state, &Who::staff(&staff), &file.bytes).await {
        Ok(r) => Ok(redirect_ok("/services/items", &r.summary())),
        Err(errors) => page(&state, &staff, &ctx, ItemFilter::default(), errors).await,
    }
}
