//! The router built from the platform's own routes and every registered feature's, the staff
//! navigation by permission, and the server.

use std::net::SocketAddr;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::{Router, middleware};

use crate::auth::{Perm, Staff};
use crate::registry::Registry;
use crate::state::AppState;
use crate::web::{NavItem, NavSection};

/// All routes. Page routes get the CSRF guard; API routes authenticate per request.
pub fn router(state: AppState) -> Router {
    let max_upload = (state.config.server.max_upload_mb as usize) * 1024 * 1024;
    let mut pages = Router::new()
        .merge(crate::workbench::routes())
        .merge(crate::auth::pages::routes())
        .merge(crate::auth::locks::routes())
        .merge(crate::org::pages::routes())
        .merge(crate::accounts::pages::routes())
        .merge(crate::calendar::pages::routes())
        .merge(crate::audit::pages::routes())
        .merge(crate::procedures::routes())
        .merge(crate::files::routes())
        .merge(crate::portal::routes())
        .merge(crate::indicators::pages::routes())
        .merge(crate::indicators::dashboard::routes())
        .merge(crate::notify::pages::routes())
        .merge(crate::documents::pages::routes());
    let api = crate::api::all_routes(&state.registry).into_router();
    let mut mounts = Vec::new();
    for f in state.registry.features() {
        pages = pages.merge(f.pages());
        mounts.extend(f.mounts());
    }
    let pages = pages.layer(middleware::from_fn_with_state(state.clone(), crate::web::csrf::guard));
    let mut app = Router::new().merge(pages).nest("/api/v1", api);
    for (prefix, r) in mounts {
        app = app.nest(prefix, r);
    }
    app.route("/static/app.css", get(crate::web::assets::css))
        .route("/static/app.js", get(crate::web::assets::js))
        .route("/static/orgpicker.js", get(crate::web::assets::org_picker))
        .route("/healthz", get(crate::metrics::healthz))
        .route("/metrics", get(crate::metrics::prometheus))
        .fallback(crate::web::fallback)
        .method_not_allowed_fallback(crate::web::method_not_allowed)
        .layer(DefaultBodyLimit::max(max_upload))
        .layer(middleware::from_fn_with_state(state.clone(), crate::metrics::track))
        .layer(middleware::from_fn(crate::web::security_headers))
        .with_state(state)
}

/// The navigation a staff member sees: the 工作台, each feature's entries, the rules, the
/// administration, by their permissions.
pub fn navigation(registry: &Registry, staff: &Staff, path: &str) -> Vec<NavSection> {
    let item = |label: &'static str, href: &'static str| NavItem { label, href, active: path == href || (href != "/" && path.starts_with(href)) };
    let mut nav = vec![NavSection { title: "", items: vec![item("工作台", "/")] }];
    for f in registry.features() {
        let items: Vec<NavItem> = f.nav(staff).into_iter().map(|(l, h)| item(l, h)).collect();
        if !items.is_empty() {
            nav.push(NavSection { title: f.name(), items });
        }
    }
    let mut rules = vec![item("法定程序与时限", "/procedures")];
    if staff.has(Perm::KPI_READ) {
        rules.push(item("驾驶舱", "/dashboard"));
        rules.push(item("指标体系", "/indicators"));
    }
    nav.push(NavSection { title: "程序与指标", items: rules });
    let mut admin = Vec::new();
    if staff.has(Perm::ADMIN_ORGS) {
        admin.push(item("机构", "/admin/orgs"));
    }
    if staff.has(Perm::ADMIN_USERS) {
        admin.push(item("账号", "/admin/users"));
        admin.push(item("登录锁定", "/admin/locks"));
    }
    if staff.has(Perm::ADMIN_CALENDAR) {
        admin.push(item("工作日历", "/admin/calendar"));
    }
    if staff.has(Perm::ADMIN_TOKENS) {
        admin.push(item("接口令牌", "/admin/tokens"));
    }
    if staff.has(Perm::ADMIN_SETTINGS) {
        admin.push(item("短信发件箱", "/admin/messages"));
        admin.push(item("文书模板", "/admin/documents"));
    }
    if staff.has(Perm::AUDIT_VERIFY) {
        admin.push(item("事件日志", "/admin/audit"));
    }
    if !admin.is_empty() {
        nav.push(NavSection { title: "系统管理", items: admin });
    }
    nav.push(NavSection { title: "我的", items: vec![item("修改密码", "/account/password")] });
    nav
}

/// Serve until Ctrl-C or SIGTERM; background jobs run beside the server when enabled.
pub async fn serve(state: AppState) -> anyhow::Result<()> {
    let addr: SocketAddr = state.config.server.bind.parse()?;
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| anyhow::anyhow!("无法监听 {addr}：{e}"))?;
    serve_on(state, listener).await
}

pub async fn serve_on(state: AppState, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    if state.config.jobs.enabled {
        crate::jobs::spawn(state.clone());
        crate::notify::gateway::spawn(state.clone());
    }
    let app = router(state.clone());
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(shutdown_signal()).await?;
    state.db.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
