//! Fazhi (法治): the platform on which a city or county government runs its law-based
//! government work. This crate is the application: the list of features ([`app`]), the command
//! line, and the benchmarks. See ARCHITECTURE.md for the layout and the rules of the code.

pub mod app;
pub mod bench;
pub mod cli;

// The platform and the features under the names the command line, the benchmarks and the tests
// use for them.
pub use fazhi_accountability as accountability;
pub use fazhi_annual as annual;
pub use fazhi_decisions as decisions;
pub use fazhi_disclosure as disclosure;
pub use fazhi_disputes as disputes;
pub use fazhi_enforcement as enforcement;
pub use fazhi_hotline as hotline;
pub use fazhi_platform::{
    accounts, api, audit, auth, calendar, config, db, demo, documents, error, files, indicators, jobs, kernel, metrics, notify, org, portal, privacy,
    procedures, registry, reports, server, settings, state, tabular, time, web, workbench,
};
pub use fazhi_services as services;
