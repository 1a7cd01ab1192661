//! The hotline's permissions and roles. Its agents and dispatchers work on the hotline's
//! procedure only; department staff handle tickets with the platform's handling permissions.

use crate::auth::{Perm, Role};

/// Take hotline calls and letters, accept or refuse them, answer directly.
pub const INTAKE: Perm = Perm::new("hotline_intake", "热线受理");
/// Route tickets, approve returns/extensions/terminations, review replies, merge.
pub const DISPATCH: Perm = Perm::new("hotline_dispatch", "热线派单与审核");
/// Call citizens back and record their satisfaction.
pub const CALLBACK: Perm = Perm::new("hotline_callback", "热线回访");

const HOTLINE_ONLY: Option<&[&str]> = Some(&["hotline"]);

pub const AGENT: Role = Role {
    code: "hotline_agent",
    label: "热线话务员",
    perms: &[Perm::CASE_READ, INTAKE, CALLBACK, Perm::PII_VIEW],
    procedures: HOTLINE_ONLY,
    oversight: false,
};
pub const DISPATCHER: Role = Role {
    code: "dispatcher",
    label: "热线派单员",
    perms: &[Perm::CASE_READ, INTAKE, DISPATCH, CALLBACK, Perm::SUPERVISE, Perm::KPI_READ, Perm::PII_VIEW],
    procedures: HOTLINE_ONLY,
    oversight: false,
};

pub const ROLES: &[&Role] = &[&AGENT, &DISPATCHER];
