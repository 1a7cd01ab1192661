//! Disputes and public legal services (issue 11), first landing: 行政复议 on the kernel,
//! effective-dated (the 2023 law from 2024-01-01, the previous law and its 2007 regulation
//! before), with its register, the paper application registered with its day of receipt, and
//! the 行政复议意见书 / 建议书 the office sends to agencies, answered and escalated when late.

pub mod api;
pub mod demo;
pub mod indicators;
pub mod letter_pages;
pub mod letters;
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
];

impl Feature for Disputes {
    fn code(&self) -> &'static str {
        "disputes"
    }
    fn name(&self) -> &'static str {
        "行政复议与纠纷化解"
    }
    fn procedures(&self) -> Vec<&'static Procedure> {
        vec![&rules::PROCEDURE, &mediation_rules::PROCEDURE]
    }
    fn roles(&self) -> &'static [&'static crate::auth::Role] {
        roles::ROLES
    }
    fn migrations(&self) -> &'static [Migration] {
        MIGRATIONS
    }
    fn pages(&self) -> Router<AppState> {
        Router::new().merge(pages::routes()).merge(letter_pages::routes()).merge(mediation_pages::routes())
    }
    fn api(&self) -> fazhi_platform::api::ApiRoutes {
        api::routes().merge(mediation_api::routes())
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
        v
    }
    fn indicators(&self) -> Vec<&'static dyn fazhi_platform::indicators::Indicator> {
        indicators::all()
    }
    fn openapi(&self) -> Option<utoipa::openapi::OpenApi> {
        let mut doc = <api::DisputesApi as utoipa::OpenApi>::openapi();
        doc.merge(<mediation_api::MediationApi as utoipa::OpenApi>::openapi());
        Some(doc)
    }
    fn demo_logins(&self) -> &'static [(&'static str, &'static str)] {
        &[("fy_staff", "行政复议机构工作人员（司法局）"), ("fy_head", "行政复议机构负责人（司法局）")]
    }

    fn demo_base<'a>(&'a self, state: &'a AppState) -> BoxFuture<'a, anyhow::Result<()>> {
        demo::seed_accounts(state).boxed()
    }
    fn sample<'a>(&'a self, state: &'a AppState, org_id: i64) -> BoxFuture<'a, anyhow::Result<Vec<i64>>> {
        async move {
            let mut v = demo::sample(state, org_id).await?;
            v.extend(demo::sample_mediation(state, org_id).await?);
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
            demo::seed_mediation(state, size).await
        }
        .boxed()
    }
}
