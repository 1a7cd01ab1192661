//! 政务公开: proactive disclosure (publications with their review, the 20-working-day rule,
//! the catalogue, 指南 and 目录), Chinese full-text search over publications and published
//! 市长信箱 letters, disclosure on application on the kernel (with its letters), and the
//! 政府信息公开 annual report.

pub mod api;
pub mod bench;
pub mod corpus;
pub mod demo;
pub mod letters;
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

use axum::Router;

use crate::app::AppState;
use crate::kernel::Procedure;

pub fn procedure() -> &'static Procedure {
    &rules::PROCEDURE
}

/// Staff and portal pages (CSRF-guarded page router).
pub fn page_routes() -> Router<AppState> {
    Router::new().merge(pages::routes()).merge(pub_pages::routes()).merge(portal::routes())
}

/// `/api/v1/disclosure/...`
pub fn api_routes() -> Router<AppState> {
    api::routes()
}

/// Staff navigation entries of the module: (label, href).
pub fn navigation(staff: &crate::auth::Staff) -> Vec<(&'static str, &'static str)> {
    use crate::auth::Perm;
    let mut v = Vec::new();
    let reads = staff.grants.0.iter().any(|g| g.role.covers(Some("disclosure")) && g.role.perms().contains(&Perm::CaseRead));
    if reads {
        v.push(("依申请公开", "/disclosure/requests"));
        v.push(("主动公开", "/disclosure/publications"));
        v.push(("年度报告", "/disclosure/report"));
    }
    if staff.has(Perm::AdminSettings) || staff.has(Perm::CaseApprove) {
        v.push(("告知书模板", "/disclosure/templates"));
    }
    if reads {
        v.push(("公开搜索（门户）", "/portal/disclosure"));
    }
    v
}
