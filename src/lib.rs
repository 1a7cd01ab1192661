//! Fazhi (法治): the platform on which a city or county government runs its law-based
//! government work. See ARCHITECTURE.md for the layout and the rules of the code.

pub mod accounts;
pub mod api;
pub mod app;
pub mod audit;
pub mod auth;
pub mod bench;
pub mod calendar;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod disclosure;
pub mod error;
pub mod files;
pub mod hotline;
pub mod jobs;
pub mod kernel;
pub mod metrics;
pub mod org;
pub mod portal;
pub mod privacy;
pub mod procedures;
pub mod reports;
pub mod settings;
pub mod tabular;
pub mod time;
pub mod web;
pub mod workbench;
