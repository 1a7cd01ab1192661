//! 政务服务 (government services), first landing: the item catalogue (事项清单) with its national
//! code, type, implementing unit, legal basis, statutory and committed time limits in working
//! days, online level and 证照分离 mode; and the 行政许可 application on the kernel, whose clock
//! really stops for 补正 and the special procedures of 行政许可法 Art. 45 (LEGAL-RULES.md §3,
//! §12).

pub mod api;
pub mod bundle;
pub mod catalogue;
pub mod catalogue_pages;
pub mod demo;
pub mod exchange;
pub mod indicators;
pub mod online;
pub mod pages;
pub mod portal;
pub mod ratings_pages;
pub mod roles;
pub mod rules;
pub mod service;
pub mod sweep;

// The platform's modules, under the names the code of this crate uses for them.
pub(crate) use fazhi_platform::{
    audit, auth, calendar, db, error, files, indicators as registry_indicators, kernel, org, privacy, registry, settings, state, tabular, time, web,
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
    Migration { version: 62, name: "services_versions", sql: include_str!("../migrations/0062_services_versions.sql") },
    Migration { version: 63, name: "services_portal", sql: include_str!("../migrations/0063_services_portal.sql") },
    Migration { version: 64, name: "services_bundles", sql: include_str!("../migrations/0064_services_bundles.sql") },
];

/// `fazhi import services_items FILE`: the office's own catalogue, brought in by the program.
fn import_items<'a>(state: &'a AppState, bytes: &'a [u8]) -> BoxFuture<'a, crate::registry::ImportResult> {
    async move { exchange::import(state, &service::Who::Import, bytes).await.map(|r| r.summary()) }.boxed()
}

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
        pages::routes().merge(catalogue_pages::routes()).merge(ratings_pages::routes()).merge(portal::routes())
    }
    fn api(&self) -> fazhi_platform::api::ApiRoutes {
        api::routes()
    }
    fn openapi(&self) -> Option<utoipa::openapi::OpenApi> {
        Some(<api::ServicesApi as utoipa::OpenApi>::openapi())
    }
    fn portal<'a>(&'a self, _state: &'a AppState) -> BoxFuture<'a, Result<fazhi_platform::registry::PortalEntry, crate::error::AppError>> {
        async {
            Ok(fazhi_platform::registry::PortalEntry {
                tiles: vec![fazhi_platform::registry::PortalTile {
                    title: "政务服务".into(),
                    text: "按办事场景、部门或关键词查找事项，查看办事指南，在线申请并评价".into(),
                    href: "/portal/services".into(),
                }],
                after: vec![
                    ("受理".into(), "收到申请后5个工作日内受理、不予受理或一次告知补正；逾期未告知的自收件之日起即为受理".into()),
                    ("决定".into(), "受理后在承诺时限内（不超过20个工作日）作出决定；告知承诺事项当场决定".into()),
                ],
                basis: vec![rules::ART_32.full(), rules::ART_42.full()],
                mine: Some(("我的政务服务申请".into(), "/portal/services/mine".into())),
            })
        }
        .boxed()
    }
    fn indicators(&self) -> Vec<&'static dyn fazhi_platform::indicators::Indicator> {
        indicators::all()
    }
    fn sweep<'a>(&'a self, state: &'a AppState, day: chrono::NaiveDate) -> BoxFuture<'a, Result<usize, crate::error::AppError>> {
        sweep::run(state, day).boxed()
    }
    fn importers(&self) -> Vec<crate::registry::Importer> {
        vec![crate::registry::Importer {
            code: "services_items",
            about: "政务服务事项清单（XLSX/CSV，列同事项清单导出；整份文件全部通过才导入，已有编码的事项生成新版本）",
            run: import_items,
        }]
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
                    code: Some(format!("XK{:05}001-TEST{org_id}", org_id.rem_euclid(99_999) + 1)),
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
