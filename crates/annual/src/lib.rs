//! 年度法治政府建设报告 (the annual report on building a law-based government, issue 16 §2–3).
//! A report is drafted from a template (data administrators edit: sections with narrative and
//! placeholders bound to registered indicators, each tagged with the statutory contents it
//! covers) for a year and an organisation; its figures are evaluated live by the indicators
//! under the reader's scope, each linked to its records and definition; staff edit the text
//! with every version kept and comment on it; a checker lists missing statutory contents and
//! figures that cannot be evaluated; 定稿 freezes the text and the values with the hash of each
//! definition; the submission (1 March) and publication (1 April, Art. 24) are reminded by the
//! background sweep and recorded, and a published report appears on the portal. It never counts
//! on its own: an indicator registered later can be named in a template without code changes.

pub mod compose;
pub mod demo;
pub mod docx;
pub mod html;
pub mod model;
pub mod pages;
pub mod placeholder;
pub mod portal;
pub mod queries;
pub mod roles;
pub mod service;
pub mod template_pages;
pub mod templates;

use axum::Router;
use chrono::{Datelike, NaiveDate};
use futures::FutureExt;
use futures::future::BoxFuture;

use fazhi_platform::audit::log::AuditKind;
use fazhi_platform::auth::Staff;
use fazhi_platform::db::migrate::Migration;
use fazhi_platform::error::AppError;
use fazhi_platform::registry::{DemoSize, Feature, PortalEntry, PortalTile};
use fazhi_platform::state::AppState;

pub struct Annual;

const MIGRATIONS: &[Migration] = &[
    Migration { version: 80, name: "annual", sql: include_str!("../migrations/0080_annual.sql") },
    Migration { version: 81, name: "annual_seed_templates", sql: include_str!("../migrations/0081_seed_templates.sql") },
];

/// How many days before a deadline the drafters are reminded.
pub const REMIND_DAYS: i64 = 15;

/// In-app notices to the unit of each unfinished report of last year whose deadline is within
/// `REMIND_DAYS` or passed; each notice once (per report, deadline and whether it has passed).
pub async fn remind(state: &AppState, day: NaiveDate) -> Result<usize, AppError> {
    let year = i64::from(day.year() - 1);
    let rows = queries::reports(&state.db, &fazhi_platform::auth::roles::Scope::All, Some(year)).await?;
    let submit = fazhi_platform::settings::get(&state.db, model::SUBMIT_KEY).await?;
    let publish = fazhi_platform::settings::get(&state.db, model::PUBLISH_KEY).await?;
    let mut notices = Vec::new();
    for r in rows {
        for (i, d) in model::deadlines(r.year as i32, submit.as_deref(), publish.as_deref()).into_iter().enumerate() {
            let done = if i == 0 { r.submitted_on.is_some() } else { r.published_on.is_some() };
            let left = (d.due - day).num_days();
            if done || left > REMIND_DAYS {
                continue;
            }
            let (tag, msg) = if left < 0 {
                ("overdue", format!("《{}》{}已逾期（应于 {} 前）。依据：{}", r.title, d.what, d.due, d.basis))
            } else {
                ("due", format!("《{}》应于 {} 前{}，还剩 {left} 天。依据：{}", r.title, d.due, d.what, d.basis))
            };
            notices.push((r.org_id, r.created_by, format!("annual:{}:{i}:{tag}", r.id), msg));
        }
    }
    let n = notices.len();
    if n > 0 {
        state
            .db
            .write(move |tx| {
                async move {
                    for (org, user, key, msg) in notices {
                        fazhi_platform::notify::notice(tx, org, user, None, "annual_report_due", &msg, &key).await?;
                    }
                    Ok(())
                }
                .boxed()
            })
            .await?;
    }
    Ok(n)
}

impl Feature for Annual {
    fn code(&self) -> &'static str {
        "annual"
    }
    fn name(&self) -> &'static str {
        "年度报告"
    }
    fn roles(&self) -> &'static [&'static fazhi_platform::auth::Role] {
        roles::ROLES
    }
    fn migrations(&self) -> &'static [Migration] {
        MIGRATIONS
    }
    fn pages(&self) -> Router<AppState> {
        pages::routes().merge(template_pages::routes()).merge(portal::routes())
    }
    fn nav(&self, staff: &Staff) -> Vec<(&'static str, &'static str)> {
        if staff.has(roles::DRAFT) { vec![("年度法治政府建设报告", "/annual/reports")] } else { vec![] }
    }
    fn portal<'a>(&'a self, _state: &'a AppState) -> BoxFuture<'a, Result<PortalEntry, AppError>> {
        async {
            Ok(PortalEntry {
                tiles: vec![PortalTile {
                    title: "法治政府建设年度报告".into(),
                    text: "查阅本市及各部门、乡镇公开的年度法治政府建设情况报告".into(),
                    href: "/portal/annual-reports".into(),
                }],
                ..Default::default()
            })
        }
        .boxed()
    }
    fn audit_kinds(&self) -> Vec<AuditKind> {
        vec![
            AuditKind::new("annual_report", "年度报告").named("annual_reports", "title").page("/annual/reports/{id}"),
            AuditKind::new("annual_template", "年度报告模板").named("annual_templates", "name").page("/annual/templates/{id}"),
        ]
    }
    fn sweep<'a>(&'a self, state: &'a AppState, day: NaiveDate) -> BoxFuture<'a, Result<usize, AppError>> {
        remind(state, day).boxed()
    }
    fn demo_logins(&self) -> &'static [(&'static str, &'static str)] {
        &[(demo::DRAFTER, "年度法治政府建设报告起草、定稿与模板管理（依法治市办）")]
    }
    fn demo_base<'a>(&'a self, state: &'a AppState) -> BoxFuture<'a, anyhow::Result<()>> {
        demo::seed_base(state).boxed()
    }
    fn demo<'a>(&'a self, state: &'a AppState, size: DemoSize) -> BoxFuture<'a, anyhow::Result<()>> {
        demo::seed_year(state, size).boxed()
    }
}
