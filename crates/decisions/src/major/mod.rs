//! 重大行政决策 (major administrative decisions): the year's catalogue of decision items and each
//! decision on the kernel through the five statutory procedures of 《重大行政决策程序暂行条例》 —
//! public participation, expert argumentation, risk assessment, legality review, collective
//! deliberation — then publication, execution and post-evaluation (LEGAL-RULES.md §1).

pub mod api;
pub mod catalogue;
pub mod demo;
pub mod indicators;
pub mod model;
pub mod pages;
pub mod portal;
pub mod queries;
pub mod rules;
pub mod service;

use crate::auth::{Perm, Staff};

/// Does this person read major decisions somewhere?
pub fn reads(staff: &Staff) -> bool {
    staff.grants.0.iter().any(|g| g.role.covers(Some(rules::CODE)) && g.role.perms().contains(&Perm::CASE_READ))
}
