//! 公平竞争审查 (fair-competition review, 公平竞争审查条例 2024): each policy measure reviewed
//! against the standards of Arts. 8–11 with the operators heard and a written conclusion; Art. 12
//! exceptions with their reason and time limit, reopened when the limit runs out; the market
//! regulator's review of the government's own measures, spot checks, complaints and 约谈.

pub mod api;
pub mod demo;
pub mod indicators;
pub mod pages;
pub mod rules;
pub mod service;

use crate::auth::{Perm, Staff};

/// Does this person read fair-competition reviews somewhere?
pub fn reads(staff: &Staff) -> bool {
    staff.grants.0.iter().any(|g| g.role.covers(Some(rules::CODE)) && g.role.perms().contains(&Perm::CASE_READ))
}
