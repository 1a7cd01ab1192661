//! The permission and role of normative documents. Drafting units work with the platform's
//! roles (部门工作人员 drafts, 部门负责人 records the collective deliberation), the justice bureau
//! reviews with 合法性审查; the unified registration, numbering, 备案 and cleanup (统一登记、
//! 统一编号、统一印发) are one office's work across units, so they are a permission of their own.

use crate::auth::{Perm, Role};

/// Register, number and publish documents, file them (备案), record cleanup outcomes.
pub const REGISTER: Perm = Perm::new("normdoc_register", "规范性文件统一登记、编号、备案与清理");

pub const REGISTRAR: Role = Role {
    code: "normdoc_registrar",
    label: "规范性文件登记备案员",
    perms: &[Perm::CASE_READ, REGISTER],
    procedures: Some(&[super::rules::CODE]),
    oversight: false,
};

pub const ROLES: &[&Role] = &[&REGISTRAR];
