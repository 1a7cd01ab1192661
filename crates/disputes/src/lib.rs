//! Disputes and public legal services (issue 11), first landing: 行政复议 on the kernel,
//! effective-dated (the 2023 law from 2024-01-01, the previous law and its 2007 regulation
//! before), with its register, the paper application registered with its day of receipt, and
//! the 行政复议意见书 / 建议书 the office sends to agencies, answered and escalated when late;
//! mediation; and 法律援助 (portal and counter, means test, conflict check, closing codes).

pub mod advisers;
pub mod advisers_pages;
pub mod api;
pub mod demo;
pub mod indicators;
pub mod legal_aid;
pub mod legal_aid_api;
pub mod legal_aid_demo;
pub mod legal_aid_indicators;
pub mod legal_aid_pages;
pub mod legal_aid_portal;
pub mod legal_aid_rules;
pub mod letter_pages;
pub mod letters;
pub mod litigation;
pub mod litigation_demo;
pub mod litigation_indicators;
pub mod litigation_pages;
pub mod litigation_rules;
pub mod mediation;
pub mod mediation_api;
pub mod mediation_pages;
pub mod mediation_rules;
pub mod model;
pub mod pages;
pub mod queries;
pub mod roles;
pub mod rules;
pub mod service;

// The platform's modules, under the names the code of this crate uses for them.
pub(crate) use fazhi_platform::{
    audit, auth, calendar, db, error, files, indicators as registry_indicators, kernel, notify, org, privacy, registry, settings, state, tabular, time, web,
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

/// Disputes and legal services as a feature of the program.
pub struct Disputes;

const MIGRATIONS: &[Migration] = &[
    Migration { version: 22, name: "reconsideration", sql: include_str!("../migrations/0022_reconsideration.sql") },
    Migration { version: 23, name: "mediation", sql: include_str!("../migrations/0023_mediation.sql") },
    Migration { version: 24, name: "legal_aid", sql: include_str!("../migrations/0024_legal_aid.sql") },
    Migration { version: 25, name: "litigation", sql: include_str!("../migrations/0025_litigation.sql") },
    Migration { version: 26, name: "advisers", sql: include_str!("../migrations/0026_advisers.sql") },
    Migration { version: 27, name: "judicial_suggestions", sql: include_str!("../migrations/0027_judicial_suggestions.sql") },
];

impl Feature for Disputes {
    fn code(&self) -> &'static str {
        "disputes"
    }
    fn name(&self) -> &'static str {
        "行政复议与纠纷化解"
    }
    fn procedures(&self) -> Vec<&'static Procedure> {
        vec![&rules::PROCEDURE, &mediation_rules::PROCEDURE, &legal_aid_rules::PROCEDURE, &litigation_rules::PROCEDURE]
    }
    fn roles(&self) -> &'static [&'static crate::auth::Role] {
        roles::ROLES
    }
    fn migrations(&self) -> &'static [Migration] {
        MIGRATIONS
    }
    fn pages(&self) -> Router<AppState> {
        Router::new()
            .merge(pages::routes())
            .merge(letter_pages::routes())
            .merge(mediation_pages::routes())
            .merge(legal_aid_pages::routes())
            .merge(legal_aid_portal::routes())
            .merge(litigation_pages::routes())
            .merge(advisers_pages::routes())
    }
    fn api(&self) -> fazhi_platform::api::ApiRoutes {
        api::routes().merge(mediation_api::routes()).merge(legal_aid_api::routes()).merge(litigation_pages::api_routes())
    }
    fn nav(&self, staff: &Staff) -> Vec<(&'static str, &'static str)> {
        let mut v = Vec::new();
        if pages::reads(staff) {
            v.push(("行政复议", "/disputes/reconsideration"));
        }
        if pages::reads(staff) || staff.has(Perm::CASE_HANDLE) {
            v.push(("复议意见书·建议书", "/disputes/letters"));
        }
        if mediation_pages::reads(staff) {
            v.push(("矛盾纠纷调解", "/disputes/mediation"));
        }
        if legal_aid_pages::reads(staff) {
            v.push(("法律援助", "/disputes/legal-aid"));
        }
        if litigation_pages::reads(staff) {
            v.push(("行政应诉", "/disputes/litigation"));
        }
        if advisers_pages::reads(staff) {
            v.push(("村（社区）法律顾问", "/disputes/advisers"));
        }
        v
    }
    fn indicators(&self) -> Vec<&'static dyn fazhi_platform::indicators::Indicator> {
        let mut v = indicators::all();
        v.extend(legal_aid_indicators::all());
        v.extend(litigation_indicators::all());
        v.extend(advisers::indicators());
        v
    }
    fn portal<'a>(&'a self, _state: &'a AppState) -> BoxFuture<'a, Result<fazhi_platform::registry::PortalEntry, AppError>> {
        async {
            Ok(fazhi_platform::registry::PortalEntry {
                tiles: vec![fazhi_platform::registry::PortalTile {
                    title: "申请法律援助".into(),
                    text: "经济困难或讨薪、工伤赔偿的进城务工人员，可以在网上申请免费律师帮助".into(),
                    href: "/portal/legal-aid".into(),
                }],
                after: vec![("法律援助".into(), "收到申请之日起七日内决定是否给予法律援助，给予的三日内指派律师".into())],
                basis: vec![legal_aid_rules::ART_43.cite()],
                mine: Some(("我的法律援助申请".into(), "/portal/legal-aid/mine".into())),
            })
        }
        .boxed()
    }
    fn openapi(&self) -> Option<utoipa::openapi::OpenApi> {
        let mut doc = <api::DisputesApi as utoipa::OpenApi>::openapi();
        doc.merge(<mediation_api::MediationApi as utoipa::OpenApi>::openapi());
        doc.merge(<legal_aid_api::LegalAidApi as utoipa::OpenApi>::openapi());
        doc.merge(<litigation_pages::LitigationApi as utoipa::OpenApi>::openapi());
        Some(doc)
    }
    fn demo_logins(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("fy_staff", "行政复议机构工作人员（司法局）"),
            ("fy_head", "行政复议机构负责人（司法局）"),
            ("aid_staff", "法律援助中心工作人员（市公共法律服务中心）"),
            ("aid_lawyer", "法律援助律师（承办并结案）"),
            ("aid_review", "法律援助异议审查（司法局）"),
        ]
    }

    fn demo_base<'a>(&'a self, state: &'a AppState) -> BoxFuture<'a, anyhow::Result<()>> {
        async move {
            demo::seed_accounts(state).await?;
            legal_aid_demo::seed_accounts(state).await
        }
        .boxed()
    }
    fn sample<'a>(&'a self, state: &'a AppState, org_id: i64) -> BoxFuture<'a, anyhow::Result<Vec<i64>>> {
        async move {
            let mut v = demo::sample(state, org_id).await?;
            v.extend(demo::sample_mediation(state, org_id).await?);
            v.extend(legal_aid_demo::sample(state, org_id).await?);
            v.extend(litigation_demo::sample(state, org_id).await?);
            Ok(v)
        }
        .boxed()
    }
    fn sweep<'a>(&'a self, state: &'a AppState, day: NaiveDate) -> BoxFuture<'a, Result<usize, AppError>> {
        async move { service::sweep(state, day).await.map(|r| r.abandoned + r.deemed_accepted + r.letters_escalated) }.boxed()
    }
    fn demo<'a>(&'a self, state: &'a AppState, size: DemoSize) -> BoxFuture<'a, anyhow::Result<()>> {
        async move {
            demo::seed_year(state, size).await?;
            demo::seed_mediation(state, size).await?;
            legal_aid_demo::seed_year(state, size).await?;
            litigation_demo::seed_year(state, size).await?;
            advisers::seed_demo(state, size).await
        }
        .boxed()
    }
}
