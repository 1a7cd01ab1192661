//! 重大行政决策 and 行政规范性文件. This first part holds the normative documents: the year's
//! formulation plan, drafting as structured text with versions and stable clause numbers,
//! comment windows (each its own record, tied to the version it asked about), the legality
//! review as a checklist whose items cite their articles, collective deliberation, unified
//! numbering and publication, 备案 within its period, and cleanup, with the text in force on
//! any day (LEGAL-RULES.md §2).

pub mod api;
pub mod demo;
pub mod indicators;
pub mod model;
pub mod pages;
pub mod portal;
pub mod queries;
pub mod roles;
pub mod rules;
pub mod service;

// The platform's modules, under the names the code of this crate uses for them.
pub(crate) use fazhi_platform::{
    audit, auth, calendar, db, error, indicators as registry_indicators, kernel, org, registry, settings, state, tabular, time, web,
};

use axum::Router;
use chrono::NaiveDate;
use futures::FutureExt;
use futures::future::BoxFuture;

use crate::auth::{Perm, Staff};
use crate::db::migrate::Migration;
use crate::error::AppError;
use crate::kernel::Procedure;
use crate::registry::{DemoSize, Feature};
use crate::state::AppState;

/// Decisions and normative documents as a feature of the program.
pub struct Decisions;

const MIGRATIONS: &[Migration] = &[Migration { version: 40, name: "normdocs", sql: include_str!("../migrations/0040_normdocs.sql") }];

/// Does this person read normative documents somewhere?
pub fn reads(staff: &Staff) -> bool {
    staff.grants.0.iter().any(|g| g.role.covers(Some(rules::CODE)) && g.role.perms().contains(&Perm::CASE_READ))
}

impl Feature for Decisions {
    fn code(&self) -> &'static str {
        "decisions"
    }
    fn name(&self) -> &'static str {
        "决策与规范性文件"
    }
    fn procedures(&self) -> Vec<&'static Procedure> {
        vec![&rules::PROCEDURE]
    }
    fn roles(&self) -> &'static [&'static crate::auth::Role] {
        roles::ROLES
    }
    fn migrations(&self) -> &'static [Migration] {
        MIGRATIONS
    }
    fn pages(&self) -> Router<AppState> {
        pages::routes().merge(portal::routes())
    }
    fn api(&self) -> fazhi_platform::api::ApiRoutes {
        api::routes()
    }
    fn nav(&self, staff: &Staff) -> Vec<(&'static str, &'static str)> {
        if reads(staff) { vec![("规范性文件", "/decisions/normdocs")] } else { vec![] }
    }
    fn portal<'a>(&'a self, _state: &'a AppState) -> BoxFuture<'a, Result<fazhi_platform::registry::PortalEntry, AppError>> {
        async {
            Ok(fazhi_platform::registry::PortalEntry {
                tiles: vec![fazhi_platform::registry::PortalTile {
                    title: "行政规范性文件库".into(),
                    text: "查阅现行有效的规范性文件，查看任一文件在某一日施行的文本".into(),
                    href: "/portal/normdocs".into(),
                }],
                ..Default::default()
            })
        }
        .boxed()
    }
    fn indicators(&self) -> Vec<&'static dyn fazhi_platform::indicators::Indicator> {
        indicators::all()
    }
    fn demo_logins(&self) -> &'static [(&'static str, &'static str)] {
        &[(demo::REGISTRAR, "规范性文件统一登记、备案与清理（司法局）")]
    }

    fn demo_base<'a>(&'a self, state: &'a AppState) -> BoxFuture<'a, anyhow::Result<()>> {
        demo::seed_base(state).boxed()
    }
    fn demo<'a>(&'a self, state: &'a AppState, size: DemoSize) -> BoxFuture<'a, anyhow::Result<()>> {
        demo::seed_year(state, size).boxed()
    }
    fn openapi(&self) -> Option<utoipa::openapi::OpenApi> {
        Some(<api::DecisionsApi as utoipa::OpenApi>::openapi())
    }
    fn sweep<'a>(&'a self, state: &'a AppState, day: NaiveDate) -> BoxFuture<'a, Result<usize, AppError>> {
        service::sweep(state, day).boxed()
    }
    fn sample<'a>(&'a self, state: &'a AppState, org_id: i64) -> BoxFuture<'a, anyhow::Result<Vec<i64>>> {
        async move {
            let new = service::NewDoc {
                org_id: Some(org_id),
                title: Some(format!("权限测试规范性文件（制定机关 {org_id}）")),
                plan_year: Some(chrono::Datelike::year(&crate::time::today()).to_string()),
                market_related: false,
                text: Some("第一条 为了测试权限，制定本办法。\n第二条 本办法自公布之日起施行。".into()),
            };
            let c = service::create(state, &service::Who::System, new).await.map_err(|e| anyhow::anyhow!("{e} {:?}", e.field_errors()))?;
            Ok(vec![c.id])
        }
        .boxed()
    }
}
