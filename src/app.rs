//! The features of this program, listed once. The router, the navigation, `/procedures`, the
//! 工作台, the jobs, the demo city, the command line's importers and the OpenAPI document are
//! built from this list (`fazhi_platform::registry`). Adding a module is a crate implementing
//! `Feature` and one line here.

use fazhi_platform::registry::Registry;

pub use fazhi_platform::state::AppState;

/// Every feature, in the order of the staff navigation.
pub fn features() -> Registry {
    Registry::new(vec![
        Box::new(fazhi_hotline::Hotline),
        Box::new(fazhi_disclosure::Disclosure),
        Box::new(fazhi_disputes::Disputes),
        Box::new(fazhi_decisions::Decisions),
        Box::new(fazhi_enforcement::Enforcement),
        Box::new(fazhi_services::Services),
        Box::new(fazhi_accountability::Accountability),
        Box::new(fazhi_annual::Annual),
    ])
}

/// Connect, migrate and start the program's state with every feature.
pub async fn start(config: fazhi_platform::config::Config) -> anyhow::Result<AppState> {
    AppState::start(config, features()).await
}

/// The whole router of the program.
pub fn router(state: AppState) -> axum::Router {
    fazhi_platform::server::router(state)
}
