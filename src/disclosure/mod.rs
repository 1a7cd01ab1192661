//! 政务公开: proactive disclosure (publications with their review, the 20-working-day rule,
//! the catalogue, 指南 and 目录), Chinese full-text search over publications and published
//! 市长信箱 letters, disclosure on application on the kernel (with its letters), and the
//! 政府信息公开 annual report.

pub mod letters;
pub mod model;
pub mod queries;
pub mod rules;
pub mod search;
pub mod service;

use crate::kernel::Procedure;

pub fn procedure() -> &'static Procedure {
    &rules::PROCEDURE
}
