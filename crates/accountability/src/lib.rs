//! 法治建设责任落实 (accountability). This first part holds the 督察 findings and their
//! rectification: a finding of an inspection (督察, 专项督察, 回头看) becomes a task of the unit
//! inspected with a period on the kernel's clock; the unit reports its measures and evidence
//! (late reports accepted and marked); an inspector who is not of that unit verifies and closes
//! it or sends it back; the 回头看 confirms it or reopens it (LEGAL-RULES.md §10).

pub mod api;
pub mod demo;
pub mod indicators;
pub mod pages;
pub mod queries;
pub mod roles;
pub mod rules;
pub mod service;

// The platform's modules, under the names the code of this crate uses for them.
pub(crate) use fazhi_platform::{audit, auth, db, error, indicators as registry_indicators, kernel, org, registry, settings, state, tabular, time, web};

use axum::Router;
use futures::FutureExt;
use futures::future::BoxFuture;

use crate::auth::{Perm, Staff};
use crate::db::migrate::Migration;
use crate::kernel::Procedure;
use crate::registry::{DemoSize, Feature};
use crate::state::AppState;

/// Accountability as a feature of the program.
pub struct Accountability;

const MIGRATIONS: &[Migration] = &[Migration { version: 70, name: "rectification", sql: include_str!("../migrations/0070_rectification.sql") }];

/// Does this person read rectification tasks somewhere?
pub fn reads(staff: &Staff) -> bool {
    staff.grants.0.iter().any(|g| g.role.covers(Some(rules::CODE)) && g.role.perms().contains(&Perm::CASE_READ))
}

impl Feature for Accountability {
    fn code(&self) -> &'static str {
        "accountability"
    }
    fn name(&self) -> &'static str {
        "督察与责任落实"
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
        pages::routes()
    }
    fn api(&self) -> fazhi_platform::api::ApiRoutes {
        api::routes()
    }
    fn nav(&self, staff: &Staff) -> Vec<(&'static str, &'static str)> {
        if reads(staff) { vec![("督察整改", "/accountability/rectifications")] } else { vec![] }
    }
    fn indicators(&self) -> Vec<&'static dyn fazhi_platform::indicators::Indicator> {
        indicators::all()
    }
    fn demo_logins(&self) -> &'static [(&'static str, &'static str)] {
        &[(demo::INSPECTOR, "法治督察：登记问题、交办整改、核验销号、回头看（依法治市办）")]
    }
    fn demo_base<'a>(&'a self, state: &'a AppState) -> BoxFuture<'a, anyhow::Result<()>> {
        demo::seed_base(state).boxed()
    }
    fn demo<'a>(&'a self, state: &'a AppState, size: DemoSize) -> BoxFuture<'a, anyhow::Result<()>> {
        demo::seed_year(state, size).boxed()
    }
    fn openapi(&self) -> Option<utoipa::openapi::OpenApi> {
        Some(<api::AccountabilityApi as utoipa::OpenApi>::openapi())
    }
    fn sample<'a>(&'a self, state: &'a AppState, org_id: i64) -> BoxFuture<'a, anyhow::Result<Vec<i64>>> {
        async move {
            let new = service::NewFinding {
                org_id: Some(org_id),
                inspection: Some("权限测试督察".into()),
                kind: Some("inspection".into()),
                finding: Some(format!("权限测试发现的问题（单位 {org_id}）")),
                found_on: None,
            };
            let c = service::create(state, &service::Who::System, new).await.map_err(|e| anyhow::anyhow!("{e} {:?}", e.field_errors()))?;
            Ok(vec![c.id])
        }
        .boxed()
    }
}
