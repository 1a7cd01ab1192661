//! 12345 政务服务便民热线 and 市长信箱: intake on every channel, routing, the statutory clock,
//! callback and satisfaction, Open311 GeoReport v2, indicators.

pub mod actions;
pub mod api;
pub mod batch;
pub mod catalogue;
pub mod catalogue_pages;
pub mod demo;
pub mod demo_letters;
pub mod import;
pub mod indicators;
pub mod intake_batch;
pub mod kpi;
pub mod kpi_pages;
pub mod model;
pub mod open311;
pub mod open311_format;
pub mod open311_updates;
pub mod pages;
pub mod pii;
pub mod portal;
pub mod print;
pub mod publish;
pub mod queries;
pub mod roles;
pub mod rules;
pub mod search_source;
pub mod service;
pub mod supplement;
pub mod ticket_export;

// The platform's modules, under the names the code of this crate uses for them.
pub(crate) use fazhi_platform::{
    audit, auth, calendar, db, error, files, indicators as registry_indicators, jobs, kernel, notify, org, privacy, registry, search, settings, state, tabular,
    time, web,
};

use axum::Router;
use futures::FutureExt;
use futures::future::BoxFuture;

use crate::auth::{Perm, Staff};
use crate::db::migrate::Migration;
use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::kernel::{CaseRow, Procedure};
use crate::registry::{DemoSize, Feature, Importer, PortalEntry};
use crate::state::{AppState, Cached, Extensions};

pub fn procedure() -> &'static Procedure {
    &rules::PROCEDURE
}

/// The hotline's own state in [`AppState::ext`].
pub struct HotlineState {
    /// Intakes are written in groups (see [`intake_batch`]).
    pub intake: intake_batch::Batcher,
    /// The hotline centre, read on every intake, changed once in years.
    pub centre: Cached<fazhi_platform::org::OrgRow>,
}

/// The hotline as a feature of the program.
pub struct Hotline;

const MIGRATIONS: &[Migration] = &[
    Migration { version: 2, name: "hotline", sql: include_str!("../migrations/0002_hotline.sql") },
    Migration { version: 3, name: "open311", sql: include_str!("../migrations/0003_open311.sql") },
    Migration { version: 9, name: "write_path_indexes", sql: include_str!("../migrations/0009_write_path_indexes.sql") },
    Migration { version: 12, name: "channel_counters", sql: include_str!("../migrations/0012_channel_counters.sql") },
    Migration { version: 18, name: "supplements_anonymous_dedupe", sql: include_str!("../migrations/0018_supplements_anonymous_dedupe.sql") },
];

impl Feature for Hotline {
    fn code(&self) -> &'static str {
        "hotline"
    }
    fn name(&self) -> &'static str {
        "12345 热线"
    }
    fn procedures(&self) -> Vec<&'static Procedure> {
        vec![procedure()]
    }
    fn roles(&self) -> &'static [&'static crate::auth::Role] {
        roles::ROLES
    }
    fn migrations(&self) -> &'static [Migration] {
        MIGRATIONS
    }
    fn init(&self, db: &Db, _config: &fazhi_platform::config::Config, ext: &mut Extensions) {
        ext.insert(HotlineState { intake: intake_batch::Batcher::start(db.clone()), centre: Cached::default() });
    }
    fn pages(&self) -> Router<AppState> {
        pages::routes().merge(portal::routes())
    }
    fn api(&self) -> fazhi_platform::api::ApiRoutes {
        api::routes()
    }
    fn mounts(&self) -> Vec<(&'static str, Router<AppState>)> {
        vec![("/open311/v2", open311::routes())]
    }
    fn nav(&self, staff: &Staff) -> Vec<(&'static str, &'static str)> {
        let mut v = Vec::new();
        if staff.has(Perm::CASE_READ) && staff.grants.0.iter().any(|g| g.role.covers(Some("hotline"))) {
            v.push(("工单", "/hotline/tickets"));
        }
        if staff.has(crate::roles::INTAKE) {
            v.push(("来电登记", "/hotline/new"));
        }
        if staff.has(crate::roles::DISPATCH) {
            v.push(("待派单", "/hotline/queue/dispatch"));
        }
        if staff.has(Perm::CASE_HANDLE) && staff.grants.0.iter().any(|g| g.role.covers(Some("hotline")) && g.role.perms().contains(&Perm::CASE_HANDLE)) {
            v.push(("待签收", "/hotline/queue/sign"));
        }
        if staff.has(crate::roles::CALLBACK) {
            v.push(("待回访", "/hotline/queue/callback"));
        }
        // Indicators of the hotline, not any procedure's: a role may read another feature's only.
        if staff.scope(Perm::KPI_READ, Some("hotline")) != crate::auth::roles::Scope::Nothing {
            v.push(("热线指标", "/hotline/kpi"));
        }
        if staff.has(Perm::ADMIN_SETTINGS) || staff.has(crate::roles::DISPATCH) {
            v.push(("目录与分派规则", "/hotline/catalogue"));
        }
        if staff.has(crate::roles::DISPATCH) {
            v.push(("历史数据导入", "/hotline/import"));
        }
        v
    }
    fn portal<'a>(&'a self, state: &'a AppState) -> BoxFuture<'a, Result<PortalEntry, AppError>> {
        portal::entry(state).boxed()
    }
    fn indicators(&self) -> Vec<&'static dyn fazhi_platform::indicators::Indicator> {
        indicators::all()
    }
    fn search_sources(&self) -> Vec<fazhi_platform::search::SearchSource> {
        vec![search_source::source()]
    }
    fn audit_kinds(&self) -> Vec<fazhi_platform::audit::log::AuditKind> {
        use fazhi_platform::audit::log::AuditKind;
        vec![
            AuditKind::new("hotline_category", "诉求类别").named("hotline_categories", "name").page("/hotline/catalogue"),
            AuditKind::new("hotline_route", "分派规则").page("/hotline/catalogue"),
        ]
    }
    fn openapi(&self) -> Option<utoipa::openapi::OpenApi> {
        Some(<api::HotlineApi as utoipa::OpenApi>::openapi())
    }
    fn case_changed<'a>(&'a self, tx: &'a mut Tx, case: &'a CaseRow) -> BoxFuture<'a, Result<(), AppError>> {
        // The 督办 indicator and the other flags move with the case.
        queries::refresh_kpi(tx, case.id, false).boxed()
    }
    fn demo_base<'a>(&'a self, state: &'a AppState) -> BoxFuture<'a, anyhow::Result<()>> {
        demo::seed_catalogue(state).boxed()
    }
    fn demo<'a>(&'a self, state: &'a AppState, size: DemoSize) -> BoxFuture<'a, anyhow::Result<()>> {
        demo::seed_year(state, size).boxed()
    }
    fn sample<'a>(&'a self, state: &'a AppState, org_id: i64) -> BoxFuture<'a, anyhow::Result<Vec<i64>>> {
        async move { Ok(vec![demo::sample_ticket(state, org_id).await?]) }.boxed()
    }
    fn importers(&self) -> Vec<Importer> {
        vec![Importer {
            code: "hotline",
            about: "历史热线工单（列见 README）",
            run: |state, bytes| {
                async move { import::import_bytes(state, fazhi_platform::audit::Actor::system(), bytes, None).await.map(|n| format!("导入 {n} 张历史工单")) }
                    .boxed()
            },
        }]
    }
}
