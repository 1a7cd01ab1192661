//! The features of the program and what each brings: procedures, tables, routes, navigation,
//! portal entries, API documentation, background sweeps, demo data and importers. The
//! application crate lists the features once (`fazhi::app::features`); the router, the
//! navigation, `/procedures`, the 工作台, the jobs, the demo, the command line's `import` and the
//! OpenAPI document are all built from that list. Adding a module is a crate that implements
//! [`Feature`] and one line in that list.

use axum::Router;
use chrono::NaiveDate;
use futures::future::BoxFuture;

use crate::auth::Staff;
use crate::config::Config;
use crate::db::migrate::Migration;
use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::kernel::{CaseRow, Procedure};
use crate::state::{AppState, Extensions};

/// How much history the demo city gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DemoSize {
    /// Hundreds of records: for tests and quick looks.
    Light,
    /// A realistic year, at the seed's scale.
    Full,
}

/// An entry of the citizens' portal home page.
#[derive(Clone, Debug)]
pub struct PortalTile {
    pub title: String,
    pub text: String,
    pub href: String,
}

/// What a feature shows on the portal home page.
#[derive(Clone, Debug, Default)]
pub struct PortalEntry {
    pub tiles: Vec<PortalTile>,
    /// "What happens after you submit": steps in plain words, with the time limits.
    pub after: Vec<(String, String)>,
    /// The rules those time limits rest on, cited.
    pub basis: Vec<String>,
    /// Where a citizen who verified their phone finds their own matters.
    pub mine: Option<(String, String)>,
}

/// What an import answers: a summary, or every bad row (and nothing imported).
pub type ImportResult = Result<String, Vec<crate::tabular::RowError>>;

/// A file importer for the command line (`fazhi import <code> FILE`).
pub struct Importer {
    pub code: &'static str,
    pub about: &'static str,
    /// Import the whole file or nothing; the error lists every bad row.
    pub run: for<'a> fn(&'a AppState, &'a [u8]) -> BoxFuture<'a, ImportResult>,
}

/// One feature module. Every method has a default, so a feature states only what it has.
pub trait Feature: Send + Sync + 'static {
    /// A short code (`hotline`), also the prefix of its routes and settings.
    fn code(&self) -> &'static str;
    /// Its name in the navigation (`12345 热线`).
    fn name(&self) -> &'static str;

    /// The procedures it runs on the kernel.
    fn procedures(&self) -> Vec<&'static Procedure> {
        Vec::new()
    }
    /// Its roles (the platform's roles apply to every feature; these are the feature's own).
    fn roles(&self) -> &'static [&'static crate::auth::Role] {
        &[]
    }
    /// Its tables: migrations, numbered in one sequence with every other feature's.
    fn migrations(&self) -> &'static [Migration] {
        &[]
    }
    /// Set up its own state (kept in [`AppState::ext`]) before the server starts.
    fn init(&self, _db: &Db, _config: &Config, _ext: &mut Extensions) {}
    /// Staff and portal pages (behind the CSRF guard).
    fn pages(&self) -> Router<AppState> {
        Router::new()
    }
    /// JSON endpoints, mounted under `/api/v1`; each documented in `openapi`.
    fn api(&self) -> crate::api::ApiRoutes {
        crate::api::ApiRoutes::new()
    }
    /// Other interfaces with their own prefix and error shape (`/open311/v2`).
    fn mounts(&self) -> Vec<(&'static str, Router<AppState>)> {
        Vec::new()
    }
    /// Its navigation entries for this person: (label, href).
    fn nav(&self, _staff: &Staff) -> Vec<(&'static str, &'static str)> {
        Vec::new()
    }
    /// Its entries on the portal home page.
    fn portal<'a>(&'a self, _state: &'a AppState) -> BoxFuture<'a, Result<PortalEntry, AppError>> {
        Box::pin(async { Ok(PortalEntry::default()) })
    }
    /// Its indicators (`indicators`): every figure it reports, registered once.
    fn indicators(&self) -> Vec<&'static dyn crate::indicators::Indicator> {
        Vec::new()
    }
    /// The templates of the documents its procedures issue (`documents`).
    fn documents(&self) -> Vec<&'static crate::documents::TemplateDef> {
        Vec::new()
    }
    /// Its searchable public records (`search`): the indexer keeps them in the full-text index.
    fn search_sources(&self) -> Vec<crate::search::SearchSource> {
        Vec::new()
    }
    /// The full-text index, if this feature keeps it (one feature of the program does).
    fn indexer(&self) -> Option<&'static dyn crate::search::Indexer> {
        None
    }
    /// The kinds of record it writes to the event log besides cases, so that `/admin/audit`
    /// names them in Chinese and names each record (`audit::log`).
    fn audit_kinds(&self) -> Vec<crate::audit::log::AuditKind> {
        Vec::new()
    }
    /// The OpenAPI description of its endpoints.
    fn openapi(&self) -> Option<utoipa::openapi::OpenApi> {
        None
    }
    /// Steps the system takes for its procedures as of `day` (a lapsed 补正 closes a request),
    /// run by the background sweep before overdue cases are escalated. Returns how many.
    fn sweep<'a>(&'a self, _state: &'a AppState, _day: NaiveDate) -> BoxFuture<'a, Result<usize, AppError>> {
        Box::pin(async { Ok(0) })
    }
    /// The platform changed one of its cases (supervision, due date), in this transaction:
    /// bring its own derived data (counters, flags) along.
    fn case_changed<'a>(&'a self, _tx: &'a mut Tx, _case: &'a CaseRow) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async { Ok(()) })
    }
    /// Its reference data in the demo city (catalogues, routing rules), after the organisation
    /// tree and the accounts; the test harness starts from this too.
    fn demo_base<'a>(&'a self, _state: &'a AppState) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async { Ok(()) })
    }
    /// Its part of the demo city's year of activity.
    fn demo<'a>(&'a self, _state: &'a AppState, _size: DemoSize) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async { Ok(()) })
    }
    /// One open record of each of its procedures in the unit `org_id`, made through its own
    /// services: the generated permission matrix checks who may see and touch each.
    fn sample<'a>(&'a self, _state: &'a AppState, _org_id: i64) -> BoxFuture<'a, anyhow::Result<Vec<i64>>> {
        Box::pin(async { Ok(Vec::new()) })
    }
    /// Its importers of historical records.
    fn importers(&self) -> Vec<Importer> {
        Vec::new()
    }
    /// The demo accounts its `demo_base` creates: (username, what they do), listed on the demo's
    /// login page and at start after the platform's own.
    fn demo_logins(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }
}

/// The platform's own tables.
pub const PLATFORM_MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "core", sql: include_str!("../migrations/0001_core.sql") },
    Migration { version: 5, name: "event_steps_index", sql: include_str!("../migrations/0005_event_steps_index.sql") },
    Migration { version: 13, name: "messages", sql: include_str!("../migrations/0013_messages.sql") },
    Migration { version: 14, name: "server_keys", sql: include_str!("../migrations/0014_server_keys.sql") },
    Migration { version: 15, name: "otp_senders", sql: include_str!("../migrations/0015_otp_senders.sql") },
    Migration { version: 16, name: "login_locks", sql: include_str!("../migrations/0016_login_locks.sql") },
    Migration { version: 17, name: "documents", sql: include_str!("../migrations/0017_documents.sql") },
    Migration { version: 19, name: "events_at_index", sql: include_str!("../migrations/0019_events_at_index.sql") },
    Migration { version: 20, name: "lookup_throttle", sql: include_str!("../migrations/0020_lookup_throttle.sql") },
    Migration { version: 85, name: "row_history", sql: include_str!("../migrations/0085_row_history.sql") },
];

/// The features of this program, in the order of the navigation.
pub struct Registry {
    features: Vec<Box<dyn Feature>>,
}

impl Registry {
    pub fn new(features: Vec<Box<dyn Feature>>) -> Registry {
        crate::auth::roles::register(features.iter().flat_map(|f| f.roles().iter().copied()).collect());
        Registry { features }
    }

    pub fn features(&self) -> impl Iterator<Item = &dyn Feature> {
        self.features.iter().map(|f| f.as_ref())
    }

    pub fn feature(&self, code: &str) -> Option<&dyn Feature> {
        self.features().find(|f| f.code() == code)
    }

    /// Every procedure of every feature.
    pub fn procedures(&self) -> Vec<&'static Procedure> {
        self.features().flat_map(|f| f.procedures()).collect()
    }

    /// The feature that runs a procedure.
    pub fn owner_of(&self, procedure: &str) -> Option<&dyn Feature> {
        self.features().find(|f| f.procedures().iter().any(|p| p.code == procedure))
    }

    /// Every migration, the platform's and the features', in version order.
    pub fn migrations(&self) -> Vec<&'static Migration> {
        let mut v: Vec<&'static Migration> = PLATFORM_MIGRATIONS.iter().collect();
        for f in self.features() {
            v.extend(f.migrations().iter());
        }
        v.sort_by_key(|m| m.version);
        v
    }

    /// The demo accounts: the platform's, then each feature's.
    pub fn demo_logins(&self) -> Vec<(&'static str, &'static str)> {
        let mut v = crate::demo::DEMO_LOGINS.to_vec();
        v.extend(self.features().flat_map(|f| f.demo_logins().iter().copied()));
        v
    }

    /// Every registered indicator, in the order of the features.
    pub fn indicators(&self) -> Vec<&'static dyn crate::indicators::Indicator> {
        self.features().flat_map(|f| f.indicators()).collect()
    }

    pub fn indicator(&self, code: &str) -> Option<&'static dyn crate::indicators::Indicator> {
        self.indicators().into_iter().find(|i| i.meta().code == code)
    }

    /// Every feature's document templates.
    pub fn documents(&self) -> Vec<&'static crate::documents::TemplateDef> {
        self.features().flat_map(|f| f.documents()).collect()
    }

    /// Every feature's searchable records.
    pub fn search_sources(&self) -> Vec<crate::search::SearchSource> {
        self.features().flat_map(|f| f.search_sources()).collect()
    }

    /// The feature that keeps the full-text index.
    pub fn indexer(&self) -> Option<&'static dyn crate::search::Indexer> {
        self.features().find_map(|f| f.indexer())
    }

    pub fn importers(&self) -> Vec<Importer> {
        self.features().flat_map(|f| f.importers()).collect()
    }
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.features().map(|x| x.code())).finish()
    }
}
