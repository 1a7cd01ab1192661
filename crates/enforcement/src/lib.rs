//! 行政执法. This first landing holds the enforcement officers with their certificates
//! (number, field, validity, status; auxiliaries never enforce) and the administrative-penalty
//! case under the 三项制度 on the kernel: 立案, investigation by at least two certified officers
//! of the case's field with recusal checked, 告知 with the 陈述申辩 and 听证 rights and periods,
//! 法制审核 before a decision where Art. 58 requires it, the decision within 90 days, 送达,
//! and disclosure within its period (LEGAL-RULES.md §3).

pub mod api;
pub mod demo;
pub mod indicators;
pub mod inspections;
pub mod pages;
pub mod portal;
pub mod queries;
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
use crate::registry::{DemoSize, Feature};
use crate::state::AppState;

/// Enforcement as a feature of the program.
pub struct Enforcement;

const MIGRATIONS: &[Migration] = &[
    Migration { version: 50, name: "enforcement", sql: include_str!("../migrations/0050_enforcement.sql") },
    Migration { version: 51, name: "inspections", sql: include_str!("../migrations/0051_inspections.sql") },
];

/// Does this person read penalty cases somewhere?
pub fn reads(staff: &Staff) -> bool {
    staff.grants.0.iter().any(|g| g.role.covers(Some(rules::CODE)) && g.role.perms().contains(&Perm::CASE_READ))
}

impl Feature for Enforcement {
    fn code(&self) -> &'static str {
        "enforcement"
    }
    fn name(&self) -> &'static str {
        "行政执法"
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
        pages::routes().merge(portal::routes()).merge(inspections::pages::routes()).merge(inspections::portal::routes())
    }
    fn api(&self) -> fazhi_platform::api::ApiRoutes {
        api::routes()
    }
    fn nav(&self, staff: &Staff) -> Vec<(&'static str, &'static str)> {
        if reads(staff) { vec![("行政处罚", "/enforcement/cases"), ("双随机抽查", "/enforcement/inspections")] } else { vec![] }
    }
    fn portal<'a>(&'a self, _state: &'a AppState) -> BoxFuture<'a, Result<fazhi_platform::registry::PortalEntry, crate::error::AppError>> {
        async {
            Ok(fazhi_platform::registry::PortalEntry {
                tiles: vec![
                    fazhi_platform::registry::PortalTile {
                        title: "行政处罚决定公示".into(),
                        text: "查阅本市行政执法机关作出并公示的行政处罚决定".into(),
                        href: "/portal/enforcement/decisions".into(),
                    },
                    fazhi_platform::registry::PortalTile {
                        title: "双随机抽查公示".into(),
                        text: "查看随机抽查的抽取参数、抽取结果和检查结果，并在浏览器中自行验证抽取".into(),
                        href: "/portal/enforcement/inspections".into(),
                    },
                ],
                ..Default::default()
            })
        }
        .boxed()
    }
    fn indicators(&self) -> Vec<&'static dyn fazhi_platform::indicators::Indicator> {
        indicators::all()
    }
    fn audit_kinds(&self) -> Vec<crate::audit::log::AuditKind> {
        vec![
            crate::audit::log::AuditKind::new("enf_officer", "执法人员").named("enf_officers", "name"),
            crate::audit::log::AuditKind::new("enf_insp_item", "抽查事项").named("enf_insp_items", "name"),
            crate::audit::log::AuditKind::new("enf_insp_plan", "抽查计划").named("enf_insp_plans", "title"),
            crate::audit::log::AuditKind::new("enf_insp_task", "抽查任务").named("enf_insp_tasks", "title"),
            crate::audit::log::AuditKind::new("enf_entity", "检查对象").named("enf_entities", "name"),
        ]
    }
    fn demo_logins(&self) -> &'static [(&'static str, &'static str)] {
        demo::LOGINS
    }
    fn demo_base<'a>(&'a self, state: &'a AppState) -> BoxFuture<'a, anyhow::Result<()>> {
        demo::seed_base(state).boxed()
    }
    fn demo<'a>(&'a self, state: &'a AppState, size: DemoSize) -> BoxFuture<'a, anyhow::Result<()>> {
        demo::seed_year(state, size).boxed()
    }
    fn openapi(&self) -> Option<utoipa::openapi::OpenApi> {
        Some(<api::EnforcementApi as utoipa::OpenApi>::openapi())
    }
    fn sample<'a>(&'a self, state: &'a AppState, org_id: i64) -> BoxFuture<'a, anyhow::Result<Vec<i64>>> {
        async move {
            let new = service::NewPenalty {
                org_id: Some(org_id),
                title: Some(format!("权限测试案件（执法单位 {org_id}）")),
                field: Some("urban".into()),
                party_kind: Some("org".into()),
                party_name: Some("权限测试有限公司".into()),
                major: None,
                registered_on: None,
            };
            let c = service::create(state, &service::Who::System, new).await.map_err(|e| anyhow::anyhow!("{e} {:?}", e.field_errors()))?;
            Ok(vec![c.id])
        }
        .boxed()
    }
}
