//! 重大行政决策 and 行政规范性文件. `major` holds the major decisions (the catalogue of decision
//! items and the five statutory procedures); the rest holds the normative documents: the year's
//! formulation plan, drafting as structured text with versions and stable clause numbers,
//! comment windows (each its own record, tied to the version it asked about), the legality
//! review as a checklist whose items cite their articles, collective deliberation, unified
//! numbering and publication, 备案 within its period, and cleanup, with the text in force on
//! any day (LEGAL-RULES.md §2).

pub mod api;
pub mod demo;
pub mod fcr;
pub mod indicators;
pub mod major;
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

const MIGRATIONS: &[Migration] = &[
    Migration { version: 40, name: "normdocs", sql: include_str!("../migrations/0040_normdocs.sql") },
    Migration { version: 41, name: "major_decisions", sql: include_str!("../migrations/0041_major_decisions.sql") },
    Migration { version: 42, name: "fair_competition", sql: include_str!("../migrations/0042_fair_competition.sql") },
];

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
        vec![&rules::PROCEDURE, &major::rules::PROCEDURE, &fcr::rules::PROCEDURE]
    }
    fn roles(&self) -> &'static [&'static crate::auth::Role] {
        roles::ROLES
    }
    fn migrations(&self) -> &'static [Migration] {
        MIGRATIONS
    }
    fn pages(&self) -> Router<AppState> {
        pages::routes().merge(portal::routes()).merge(major::pages::routes()).merge(major::portal::routes()).merge(fcr::pages::routes())
    }
    fn api(&self) -> fazhi_platform::api::ApiRoutes {
        api::routes().merge(major::api::routes()).merge(fcr::api::routes())
    }
    fn nav(&self, staff: &Staff) -> Vec<(&'static str, &'static str)> {
        let mut v = vec![];
        if major::reads(staff) {
            v.push(("重大行政决策", "/decisions/major"));
        }
        if reads(staff) {
            v.push(("规范性文件", "/decisions/normdocs"));
        }
        if fcr::reads(staff) {
            v.push(("公平竞争审查", "/decisions/fcr"));
        }
        v
    }
    fn portal<'a>(&'a self, _state: &'a AppState) -> BoxFuture<'a, Result<fazhi_platform::registry::PortalEntry, AppError>> {
        async {
            Ok(fazhi_platform::registry::PortalEntry {
                tiles: vec![
                    fazhi_platform::registry::PortalTile {
                        title: "重大行政决策".into(),
                        text: "查看重大行政决策事项目录和决策进程，对正在征求意见的决策草案提出意见".into(),
                        href: "/portal/decisions".into(),
                    },
                    fazhi_platform::registry::PortalTile {
                        title: "行政规范性文件库".into(),
                        text: "查阅现行有效的规范性文件，查看任一文件在某一日施行的文本".into(),
                        href: "/portal/normdocs".into(),
                    },
                ],
                ..Default::default()
            })
        }
        .boxed()
    }
    fn indicators(&self) -> Vec<&'static dyn fazhi_platform::indicators::Indicator> {
        let mut v = major::indicators::all();
        v.extend(indicators::all());
        v.extend(fcr::indicators::all());
        v
    }
    fn audit_kinds(&self) -> Vec<fazhi_platform::audit::log::AuditKind> {
        vec![
            fazhi_platform::audit::log::AuditKind::new("decision_catalogue", "重大行政决策事项目录")
                .named("decision_catalogues", "title")
                .page("/decisions/major/catalogues/{id}"),
        ]
    }
    fn demo_logins(&self) -> &'static [(&'static str, &'static str)] {
        &[
            (demo::REGISTRAR, "规范性文件统一登记、备案与清理（司法局）"),
            (major::demo::OFFICE, "重大行政决策事项目录、政府常务会议（政府办）"),
            (fcr::demo::REVIEWER, "公平竞争审查、抽查与约谈（市场监管局）"),
        ]
    }

    fn demo_base<'a>(&'a self, state: &'a AppState) -> BoxFuture<'a, anyhow::Result<()>> {
        async move {
            demo::seed_base(state).await?;
            major::demo::seed_base(state).await?;
            fcr::demo::seed_base(state).await
        }
        .boxed()
    }
    fn demo<'a>(&'a self, state: &'a AppState, size: DemoSize) -> BoxFuture<'a, anyhow::Result<()>> {
        async move {
            demo::seed_year(state, size).await?;
            major::demo::seed_year(state, size).await?;
            fcr::demo::seed_year(state, size).await
        }
        .boxed()
    }
    fn openapi(&self) -> Option<utoipa::openapi::OpenApi> {
        let mut doc = <api::DecisionsApi as utoipa::OpenApi>::openapi();
        doc.merge(<major::api::MajorApi as utoipa::OpenApi>::openapi());
        doc.merge(<fcr::api::FcrApi as utoipa::OpenApi>::openapi());
        Some(doc)
    }
    fn sweep<'a>(&'a self, state: &'a AppState, day: NaiveDate) -> BoxFuture<'a, Result<usize, AppError>> {
        async move { Ok(service::sweep(state, day).await? + fcr::service::sweep(state, day).await?) }.boxed()
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
            let m = major::demo::sample(state, org_id).await?;
            let f = fcr::demo::sample(state, org_id).await?;
            Ok(vec![c.id, m, f])
        }
        .boxed()
    }
}
