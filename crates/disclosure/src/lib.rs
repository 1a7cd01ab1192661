//! 政务公开: proactive disclosure (publications with their review, the 20-working-day rule,
//! the catalogue, 指南 and 目录), Chinese full-text search over publications and published
//! 市长信箱 letters, disclosure on application on the kernel (with its letters), and the
//! 政府信息公开 annual report.

pub mod api;
pub mod bench;
pub mod corpus;
pub mod demo;
mod demo_cases;
pub mod demo_corpus;
mod demo_texts;
pub mod indicators;
pub mod letters;
pub mod meta;
pub mod model;
pub mod pages;
pub mod portal;
pub mod pub_pages;
pub mod publications;
pub mod queries;
pub mod report;
pub mod rules;
pub mod search;
pub mod service;

// The platform's modules, under the names the code of this crate uses for them.
pub(crate) use fazhi_platform::{
    audit, auth, calendar, db, error, files, indicators as registry_indicators, kernel, notify, org, privacy, registry, reports, search as search_api,
    settings, state, tabular, time, web,
};

use axum::Router;
use chrono::NaiveDate;
use futures::FutureExt;
use futures::future::BoxFuture;

use crate::auth::{Perm, Staff};
use crate::db::migrate::Migration;
use crate::error::AppError;
use crate::kernel::Procedure;
use crate::registry::{DemoSize, Feature, PortalEntry, PortalTile};
use crate::state::AppState;

pub fn procedure() -> &'static Procedure {
    &rules::PROCEDURE
}

/// Staff and portal pages (CSRF-guarded page router).
pub fn page_routes() -> Router<AppState> {
    Router::new().merge(pages::routes()).merge(pub_pages::routes()).merge(portal::routes())
}

/// 政务公开 as a feature of the program.
pub struct Disclosure;

const MIGRATIONS: &[Migration] = &[
    Migration { version: 4, name: "disclosure", sql: include_str!("../migrations/0004_disclosure.sql") },
    Migration { version: 6, name: "search_filter_tokens", sql: include_str!("../migrations/0006_search_filter_tokens.sql") },
    Migration { version: 7, name: "extension_reason", sql: include_str!("../migrations/0007_extension_reason.sql") },
    Migration { version: 8, name: "search_postings", sql: include_str!("../migrations/0008_search_postings.sql") },
    Migration { version: 30, name: "publication_index", sql: include_str!("../migrations/0030_publication_index.sql") },
    Migration { version: 31, name: "reply_information", sql: include_str!("../migrations/0031_reply_information.sql") },
];

impl Feature for Disclosure {
    fn code(&self) -> &'static str {
        "disclosure"
    }
    fn name(&self) -> &'static str {
        "政务公开"
    }
    fn procedures(&self) -> Vec<&'static Procedure> {
        vec![procedure()]
    }
    fn migrations(&self) -> &'static [Migration] {
        MIGRATIONS
    }
    fn pages(&self) -> Router<AppState> {
        page_routes()
    }
    fn api(&self) -> fazhi_platform::api::ApiRoutes {
        api::routes()
    }
    fn nav(&self, staff: &Staff) -> Vec<(&'static str, &'static str)> {
        let mut v = Vec::new();
        let reads = staff.grants.0.iter().any(|g| g.role.covers(Some("disclosure")) && g.role.perms().contains(&Perm::CASE_READ));
        if reads {
            v.push(("依申请公开", "/disclosure/requests"));
            v.push(("主动公开", "/disclosure/publications"));
            v.push(("年度报告", "/disclosure/report"));
        }
        if staff.has(Perm::ADMIN_SETTINGS) || staff.has(Perm::CASE_APPROVE) {
            v.push(("告知书模板", "/disclosure/templates"));
        }
        if reads {
            v.push(("公开搜索（门户）", "/portal/disclosure"));
        }
        v
    }
    fn portal<'a>(&'a self, _state: &'a AppState) -> BoxFuture<'a, Result<PortalEntry, AppError>> {
        async {
            Ok(PortalEntry {
                tiles: vec![PortalTile {
                    title: "政府信息公开".into(),
                    text: "查阅、搜索政府公开的信息；申请公开政府信息并查询答复".into(),
                    href: "/portal/disclosure".into(),
                }],
                mine: Some(("我的政府信息公开申请".into(), "/portal/disclosure/mine".into())),
                ..Default::default()
            })
        }
        .boxed()
    }
    fn indicators(&self) -> Vec<&'static dyn fazhi_platform::indicators::Indicator> {
        indicators::all()
    }
    fn indexer(&self) -> Option<&'static dyn fazhi_platform::search::Indexer> {
        Some(&search::index::Index)
    }
    fn audit_kinds(&self) -> Vec<fazhi_platform::audit::log::AuditKind> {
        use fazhi_platform::audit::log::AuditKind;
        vec![
            AuditKind::new("publication", "主动公开信息").named("disclosure_publications", "title").page("/disclosure/publications/{id}"),
            AuditKind::new("disclosure_template", "告知书模板"),
            AuditKind::new("disclosure_report", "政府信息公开年度报告"),
        ]
    }
    fn openapi(&self) -> Option<utoipa::openapi::OpenApi> {
        Some(<api::DisclosureApi as utoipa::OpenApi>::openapi())
    }
    fn sweep<'a>(&'a self, state: &'a AppState, day: NaiveDate) -> BoxFuture<'a, Result<usize, AppError>> {
        async move { service::sweep(state, day).await.map(|r| r.lapsed + r.resumed) }.boxed()
    }
    fn sample<'a>(&'a self, state: &'a AppState, org_id: i64) -> BoxFuture<'a, anyhow::Result<Vec<i64>>> {
        async move {
            let phone = crate::privacy::Phone::parse_mobile("13800002222").map_err(|e| anyhow::anyhow!("{e}"))?;
            let app = model::Application {
                org_id: Some(org_id),
                applicant_type: Some("natural".into()),
                applicant_name: Some("权限测试".into()),
                id_kind: Some("resident_id".into()),
                id_number: Some("110101199003078515".into()),
                description: Some(format!("权限测试申请（受理机关 {org_id}）")),
                delivery: Some("online".into()),
                ..Default::default()
            };
            let i = service::intake(state, service::Who::Citizen(&phone), app, vec![]).await.map_err(|e| anyhow::anyhow!("{e} {:?}", e.field_errors()))?;
            Ok(vec![i.case.id])
        }
        .boxed()
    }
    fn demo<'a>(&'a self, state: &'a AppState, _size: DemoSize) -> BoxFuture<'a, anyhow::Result<()>> {
        demo::seed_year(state).boxed()
    }
}
