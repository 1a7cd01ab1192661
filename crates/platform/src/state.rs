//! The application state every handler, service and job receives: the database, the
//! configuration, the working-day calendar, files, messages, and the registry of the features
//! this program was built with. It lives low in the tree so that features depend downward only;
//! the application crate decides which features there are and hands them over at start-up.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::ops::Deref;
use std::sync::{Arc, RwLock};

use crate::auth::otp::{OutboxSender, SmsSender};
use crate::calendar::Calendar;
use crate::config::Config;
use crate::db::{ConnectOptions, Db};
use crate::files::FileStore;
use crate::kernel::Procedure;
use crate::metrics::Metrics;
use crate::registry::Registry;

pub struct State {
    pub db: Db,
    pub config: Config,
    calendar: RwLock<Arc<Calendar>>,
    pub files: FileStore,
    pub sms: Arc<dyn SmsSender>,
    pub metrics: Metrics,
    /// The key of CSRF tokens, the same on every instance.
    pub csrf_key: crate::web::csrf::CsrfKey,
    /// A name for this instance (job locks, logs).
    pub instance: String,
    /// Reference facts read on every request that change once in years (the root of the tree):
    /// kept for a short while. An administrator's change reaches every instance within
    /// [`REFERENCE_TTL`].
    pub root: Cached<Option<crate::org::OrgRow>>,
    /// The features of this program, and what they registered.
    pub registry: Arc<Registry>,
    /// Each feature's own state (a hotline keeps its intake batcher here), by type.
    extensions: Extensions,
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

/// Features' own state, one value per type, set once at start-up.
#[derive(Default)]
pub struct Extensions(HashMap<TypeId, Box<dyn Any + Send + Sync>>);

impl Extensions {
    pub fn insert<T: Any + Send + Sync>(&mut self, value: T) {
        self.0.insert(TypeId::of::<T>(), Box::new(value));
    }
    pub fn get<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.0.get(&TypeId::of::<T>()).and_then(|b| b.downcast_ref())
    }
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
    pub async fn start(config: Config, registry: Registry) -> anyhow::Result<AppState> {
        let mut opts = ConnectOptions::new(config.database.url.clone());
        opts.max_connections = config.database.max_connections;
        let db = Db::connect(&opts).await?;
        Self::with_db(config, db, registry).await
    }

    pub async fn with_db(config: Config, db: Db, registry: Registry) -> anyhow::Result<AppState> {
        crate::db::migrate::run(&db, &registry.migrations()).await.map_err(|e| anyhow::anyhow!("数据库迁移失败：{e}"))?;
        crate::indicators::install_history(&db, &registry).await.map_err(|e| anyhow::anyhow!("指标历史留痕初始化失败：{e}"))?;
        crate::calendar::queries::seed_official(&db).await.map_err(|e| anyhow::anyhow!("工作日历初始化失败：{e}"))?;
        let calendar = crate::calendar::queries::load(&db).await.map_err(|e| anyhow::anyhow!("工作日历读取失败：{e}"))?;
        crate::settings::load_local_rule_names(&db).await.map_err(|e| anyhow::anyhow!("本地规则名称读取失败：{e}"))?;
        let files = FileStore::new(&config.files.dir)?;
        let csrf_key = server_key(&db, "csrf").await.map_err(|e| anyhow::anyhow!("服务器密钥读取失败：{e}"))?;
        let sms: Arc<dyn SmsSender> = Arc::new(OutboxSender { demo: config.server.demo });
        let instance = format!("{}-{}", hostname(), std::process::id());
        let mut extensions = Extensions::default();
        for f in registry.features() {
            f.init(&db, &config, &mut extensions);
        }
        Ok(AppState(Arc::new(State {
            root: Cached::default(),
            registry: Arc::new(registry),
            extensions,
            db,
            config,
            calendar: RwLock::new(Arc::new(calendar)),
            files,
            sms,
            metrics: Metrics::default(),
            csrf_key: crate::web::csrf::CsrfKey::new(csrf_key),
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
        self.registry.procedures()
    }

    /// A feature's own state. Panics when the feature did not set it up in `Feature::init`,
    /// which is a programming error found by the first test that touches the feature.
    pub fn ext<T: Any + Send + Sync>(&self) -> &T {
        self.extensions.get::<T>().unwrap_or_else(|| panic!("feature state {} was not initialised", std::any::type_name::<T>()))
    }
}

/// A server key by name: created by the first instance that needs it, read by the others.
async fn server_key(db: &Db, name: &'static str) -> Result<[u8; 32], crate::error::AppError> {
    use futures::FutureExt;
    use rand::RngCore;
    let mut fresh = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut fresh);
    let hexed = hex::encode(fresh);
    db.write(move |tx| {
        async move {
            crate::db::q("INSERT INTO server_keys (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
                .bind(name)
                .bind(hexed)
                .bind(crate::time::now_ms())
                .execute(tx)
                .await?;
            Ok(())
        }
        .boxed()
    })
    .await?;
    let (v,): (String,) = crate::db::q("SELECT value FROM server_keys WHERE name = $1").bind(name).fetch_one(db).await?;
    let bytes = hex::decode(v.trim()).ok().and_then(|b| <[u8; 32]>::try_from(b).ok());
    bytes.ok_or_else(|| crate::error::AppError::internal(format!("server key {name} is not 32 bytes of hex")))
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname").map(|s| s.trim().to_string()).unwrap_or_else(|_| "fazhi".into())
}
