//! The permission and role of 督察 and rectification. The units inspected rectify with the
//! platform's roles (部门工作人员 reports with 办理); recording findings, verifying reports and the
//! 回头看 are the inspecting office's work across units (依法治市办, usually at 司法局), so they are
//! a permission of their own. Whether the verifier belongs to the unit is checked on each step.

use crate::auth::{Perm, Role};

/// Record 督察 findings, hand them to the unit, verify rectification, the 回头看.
pub const INSPECT: Perm = Perm::new("rectification_inspect", "督察问题登记、交办、核验销号与回头看");

pub const INSPECTOR: Role = Role {
    code: "rectification_inspector",
    label: "法治督察人员",
    perms: &[Perm::CASE_READ, INSPECT],
    procedures: Some(&[super::rules::CODE]),
    oversight: false,
};

pub const ROLES: &[&Role] = &[&INSPECTOR];
