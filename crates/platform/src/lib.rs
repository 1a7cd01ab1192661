//! Fazhi's platform: what every feature builds on. Storage for SQLite and PostgreSQL, the
//! working-day calendar, the hash-chained event log, accounts, roles and scopes, the procedure
//! kernel, files, privacy, tables in and out, report documents, the portal's shell and the web
//! shell, and the registry through which features plug in. It depends on no feature.

pub mod accounts;
pub mod api;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod config;
pub mod db;
pub mod demo;
pub mod documents;
pub mod error;
pub mod files;
pub mod headline;
pub mod indicators;
pub mod jobs;
pub mod kernel;
pub mod metrics;
pub mod notify;
pub mod org;
pub mod portal;
pub mod privacy;
pub mod procedures;
pub mod registry;
pub mod reports;
pub mod search;
pub mod server;
pub mod settings;
pub mod state;
pub mod tabular;
pub mod time;
pub mod web;
pub mod workbench;
