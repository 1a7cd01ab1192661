//! The role of government services. Departments' own staff handle and decide with the
//! platform's roles; the 政务服务中心's window staff receive applications for the units whose
//! items are handled there, so the window is a role of its own, limited to this procedure.

use crate::auth::{Perm, Role};

pub const WINDOW: Role = Role {
    code: "svc_window",
    label: "政务服务窗口工作人员",
    perms: &[Perm::CASE_READ, Perm::CASE_HANDLE],
    procedures: Some(&[super::rules::CODE]),
    oversight: false,
};

pub const ROLES: &[&Role] = &[&WINDOW];
