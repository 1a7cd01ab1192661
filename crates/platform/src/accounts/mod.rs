//! Staff accounts and their role grants.

pub mod pages;
pub mod queries;
