//! The application: its state, its router (every feature's routes merged in one visible
//! place), its navigation, and the server.

use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::{Arc, RwLock};

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::{Router, middleware};

use crate::auth::otp::{OutboxSender, SmsSender};
use crate::auth::{Perm, Staff};
use crate::calendar::Calendar;
use crate::config::Config;
use crate::db::{ConnectOptions, Db};
use crate::files::FileStore;
use crate::kernel::Procedure;
use crate::metrics::Metrics;
use crate::web::{NavItem, NavSection};

pub struct State {
    pub db: Db,
    pub config: Config,
    calendar: RwLock<Arc<Calendar>>,
    pub files: FileStore,
    pub sms: Arc<dyn SmsSender>,
    pub metrics: Metrics,
    /// A name for this instance (job locks, logs).
    pub instance: String,
    /// Hotline intakes are written in groups (see `hotline::intake_batch`).
    pub intake: crate::hotline::intake_batch::Batcher,
    /// Reference facts read on every intake that change once in years (the root of the tree, the
    /// hotline centre): kept for a short while. An administrator's change reaches every instance
    /// within [`REFERENCE_TTL`].
    pub reference: Reference,
}

/// How long an instance keeps reference facts before reading them again.
pub const REFERENCE_TTL: std::time::Duration = std::time::Duration::from_secs(30);

/// A value kept for [`REFERENCE_TTL`].
pub struct Cached<T: Clone> {
    slot: std::sync::Mutex<Option<(std::time::Instant, T)>>,
}

impl<T: Clone> Default for Cached<T> {
    fn default() -> Self {
        Cached { slot: std::sync::Mutex::new(None) }
    }
}

impl<T: Clone> Cached<T> {
    pub async fn get_or_load<F, Fut, E>(&self, load: F) -> Result<T, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T, E>>,
    {
        if let Ok(g) = self.slot.lock() {
            if let Some((at, v)) = g.as_ref() {
                if at.elapsed() < REFERENCE_TTL {
                    return Ok(v.clone());
                }
            }
        }
        let v = load().await?;
        if let Ok(mut g) = self.slot.lock() {
            *g = Some((std::time::Instant::now(), v.clone()));
        }
        Ok(v)
    }

    pub fn clear(&self) {
        if let Ok(mut g) = self.slot.lock() {
            *g = None;
        }
    }
}

#[derive(Default)]
pub struct Reference {
    pub root: Cached<Option<crate::org::OrgRow>>,
    pub hotline_centre: Cached<crate::org::OrgRow>,
}

/// Shared, cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<State>);

impl Deref for AppState {
    type Target = State;
    fn deref(&self) -> &State {
        &self.0
    }
}

impl AppState {
    /// Connect, migrate, load the calendar.
    pub async fn start(config: Config) -> anyhow::Result<AppState> {
        let mut opts = ConnectOptions::new(config.database.url.clone());
        opts.max_connections = config.database.max_connections;
        let db = Db::connect(&opts).await?;
        Self::with_db(config, db).await
    }

    pub async fn with_db(config: Config, db: Db) -> anyhow::Result<AppState> {
        crate::db::migrate::run(&db).await.map_err(|e| anyhow::anyhow!("数据库迁移失败：{e}"))?;
        crate::calendar::queries::seed_official(&db).await.map_err(|e| anyhow::anyhow!("工作日历初始化失败：{e}"))?;
        let calendar = crate::calendar::queries::load(&db).await.map_err(|e| anyhow::anyhow!("工作日历读取失败：{e}"))?;
        let files = FileStore::new(&config.files.dir)?;
        let sms: Arc<dyn SmsSender> = Arc::new(OutboxSender { demo: config.server.demo });
        let instance = format!("{}-{}", hostname(), std::process::id());
        let intake = crate::hotline::intake_batch::Batcher::start(db.clone());
        Ok(AppState(Arc::new(State {
            reference: Reference::default(),
            intake,
            db,
            config,
            calendar: RwLock::new(Arc::new(calendar)),
            files,
            sms,
            metrics: Metrics::default(),
            instance,
        })))
    }

    /// The working-day calendar (reloaded when an administrator changes it).
    pub fn calendar(&self) -> Arc<Calendar> {
        self.calendar.read().map(|c| c.clone()).unwrap_or_else(|p| p.into_inner().clone())
    }

    pub fn set_calendar(&self, c: Calendar) {
        match self.calendar.write() {
            Ok(mut g) => *g = Arc::new(c),
            Err(p) => *p.into_inner() = Arc::new(c),
        }
    }

    /// Every procedure the kernel runs.
    pub fn procedures(&self) -> Vec<&'static Procedure> {
        procedures()
    }
}

/// Every procedure definition, for the 工作台, the rules pages and the jobs.
pub fn procedures() -> Vec<&'static Procedure> {
    vec![crate::hotline::procedure(), crate::disclosure::procedure()]
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname").map(|s| s.trim().to_string()).unwrap_or_else(|_| "fazhi".into())
}

/// All routes. Page routes get the CSRF guard; API routes authenticate per request.
pub fn router(state: AppState) -> Router {
    let max_upload = (state.config.server.max_upload_mb as usize) * 1024 * 1024;
    let pages = Router::new()
        .merge(crate::workbench::routes())
        .merge(crate::auth::pages::routes())
        .merge(crate::org::pages::routes())
        .merge(crate::accounts::pages::routes())
        .merge(crate::calendar::pages::routes())
        .merge(crate::audit::pages::routes())
        .merge(crate::procedures::routes())
        .merge(crate::files::routes())
        .merge(crate::portal::routes())
        .merge(crate::hotline::pages::routes())
        .merge(crate::disclosure::page_routes())
        .layer(middleware::from_fn(crate::web::csrf::guard));
    let api = Router::new().merge(crate::api::routes()).merge(crate::hotline::api::routes()).merge(crate::disclosure::api_routes());
    Router::new()
        .merge(pages)
        .nest("/api/v1", api)
        .nest("/open311/v2", crate::hotline::open311::routes())
        .route("/static/app.css", get(crate::web::assets::css))
        .route("/static/app.js", get(crate::web::assets::js))
        .route("/healthz", get(crate::metrics::healthz))
        .route("/metrics", get(crate::metrics::prometheus))
        .fallback(crate::web::fallback)
        .layer(DefaultBodyLimit::max(max_upload))
        .layer(middleware::from_fn_with_state(state.clone(), crate::metrics::track))
        .layer(middleware::from_fn(crate::web::security_headers))
        .with_state(state)
}

/// The navigation a staff member sees, by their permissions.
pub fn navigation(staff: &Staff, path: &str) -> Vec<NavSection> {
    let item = |label: &'static str, href: &'static str| NavItem { label, href, active: path == href || (href != "/" && path.starts_with(href)) };
    let mut nav = vec![NavSection { title: "", items: vec![item("工作台", "/")] }];
    let mut hotline = Vec::new();
    if staff.has(Perm::CaseRead) && (staff.grants.0.iter().any(|g| g.role.covers(Some("hotline")))) {
        hotline.push(item("工单", "/hotline/tickets"));
    }
    if staff.has(Perm::HotlineIntake) {
        hotline.push(item("来电登记", "/hotline/new"));
    }
    if staff.has(Perm::HotlineDispatch) {
        hotline.push(item("待派单", "/hotline/queue/dispatch"));
    }
    if staff.has(Perm::HotlineCallback) {
        hotline.push(item("待回访", "/hotline/queue/callback"));
    }
    if staff.has(Perm::KpiRead) {
        hotline.push(item("热线指标", "/hotline/kpi"));
    }
    if staff.has(Perm::AdminSettings) || staff.has(Perm::HotlineDispatch) {
        hotline.push(item("目录与分派规则", "/hotline/catalogue"));
    }
    if staff.has(Perm::HotlineDispatch) {
        hotline.push(item("历史数据导入", "/hotline/import"));
    }
    if !hotline.is_empty() {
        nav.push(NavSection { title: "12345 热线", items: hotline });
    }
    let disclosure: Vec<NavItem> = crate::disclosure::navigation(staff).into_iter().map(|(l, h)| item(l, h)).collect();
    if !disclosure.is_empty() {
        nav.push(NavSection { title: "政务公开", items: disclosure });
    }
    nav.push(NavSection { title: "程序规则", items: vec![item("法定程序与时限", "/procedures")] });
    let mut admin = Vec::new();
    if staff.has(Perm::AdminOrgs) {
        admin.push(item("机构", "/admin/orgs"));
    }
    if staff.has(Perm::AdminUsers) {
        admin.push(item("账号", "/admin/users"));
    }
    if staff.has(Perm::AdminCalendar) {
        admin.push(item("工作日历", "/admin/calendar"));
    }
    if staff.has(Perm::AdminTokens) {
        admin.push(item("接口令牌", "/admin/tokens"));
    }
    if staff.has(Perm::AuditVerify) {
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
