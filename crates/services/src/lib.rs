//! 政务服务 (government services), first landing: the item catalogue (事项清单) with its national
//! code, type, implementing unit, legal basis, statutory and committed time limits in working
//! days, online level and 证照分离 mode; and the 行政许可 application on the kernel, whose clock
//! really stops for 补正 and the special procedures of 行政许可法 Art. 45 (LEGAL-RULES.md §3,
//! §12).

pub mod api;
pub mod demo;
pub mod indicators;
pub mod pages;
pub mod roles;
pub mod rules;
pub mod service;

// The platform's modules, under the names the code of this crate uses for them.
pub(crate) use fazhi_platform::{
    audit, auth, calendar, db, error, indicators as registry_indicators, kernel, org, privacy, registry, settings, state, tabular, time, web,
};

use axum::Router;
use futures::FutureExt;
use futures::future::BoxFuture;

use crate::auth::{Perm, Staff};
use crate::db::migrate::Migration;
use crate::kernel::Procedure;
use crate::registry::Feature;
use crate::state::AppState;

/// Government services as a feature of the program.
pub struct Services;

const MIGRATIONS: &[Migration] = &[
    Migration { version: 60, name: "services", sql: include_str!("../migrations/0060_services.sql") },
    Migration { version: 61, name: "services_on_time", sql: include_str!("../migrations/0061_services_on_time.sql") },
];

/// Does this person read applications somewhere?
pub fn reads(staff: &Staff) -> bool {
    staff.grants.0.iter().any(|g| g.role.covers(Some(rules::CODE)) && g.role.perms().contains(&Perm::CASE_READ))
}

impl Feature for Services {
    fn code(&self) -> &'static str {
        "services"
    }
    fn name(&self) -> &'static str {
        "政务服务"
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
    fn openapi(&self) -> Option<utoipa::openapi::OpenApi> {
        Some(<api::ServicesApi as utoipa::OpenApi>::openapi())
    }
    fn indicators(&self) -> Vec<&'static dyn fazhi_platform::indicators::Indicator> {
        indicators::all()
    }
    fn demo_logins(&self) -> &'static [(&'static str, &'static str)] {
        &[(demo::WINDOW, "政务服务窗口收件与办理（市行政审批局）")]
    }
    fn demo_base<'a>(&'a self, state: &'a AppState) -> BoxFuture<'a, anyhow::Result<()>> {
        demo::seed_base(state).boxed()
    }
    fn demo<'a>(&'a self, state: &'a AppState, size: crate::registry::DemoSize) -> BoxFuture<'a, anyhow::Result<()>> {
        demo::seed_year(state, size).boxed()
    }
    fn nav(&self, staff: &Staff) -> Vec<(&'static str, &'static str)> {
        if reads(staff) { vec![("政务服务", "/services/applications")] } else { vec![] }
    }
    fn sample<'a>(&'a self, state: &'a AppState, org_id: i64) -> BoxFuture<'a, anyhow::Result<Vec<i64>>> {
        async move {
            let err = |e: crate::error::AppError| anyhow::anyhow!("{e} {:?}", e.field_errors());
            let item = service::create_item(
                state,
                &service::Who::Import,
                service::NewItem {
                    org_id: Some(org_id),
                    code: Some(format!("TEST-{org_id}-0001")),
                    name: Some(format!("权限测试许可事项（{org_id}）")),
                    kind: Some("licence".into()),
                    basis: Some("《中华人民共和国行政许可法》第十二条".into()),
                    statutory_days: Some(20),
                    committed_days: Some(10),
                    online_level: Some("full_online".into()),
                    reform_mode: Some("none".into()),
                    transferred: false,
                },
            )
            .await
            .map_err(err)?;
            let app = service::apply(
                state,
                &service::Who::Import,
                service::NewApplication {
                    item_id: Some(item),
                    channel: Some("online".into()),
                    applicant: Some("权限测试申请人".into()),
                    applicant_phone: None,
                    received_on: None,
                },
            )
            .await
            .map_err(err)?;
            Ok(vec![app.id])
        }
        .boxed()
    }
}
