//! 12345 政务服务便民热线 and 市长信箱: intake on every channel, routing, the statutory clock,
//! callback and satisfaction, Open311 GeoReport v2, indicators.

pub mod actions;
pub mod api;
pub mod catalogue;
pub mod catalogue_pages;
pub mod import;
pub mod intake_batch;
pub mod kpi;
pub mod kpi_pages;
pub mod model;
pub mod open311;
pub mod open311_format;
pub mod pages;
pub mod publish;
pub mod queries;
pub mod rules;
pub mod service;

use crate::kernel::Procedure;

pub fn procedure() -> &'static Procedure {
    &rules::PROCEDURE
}
