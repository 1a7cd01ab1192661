//! The permissions and roles of enforcement, as data. Enforcement units work with the
//! platform's roles (部门工作人员 registers and handles a case, 部门负责人 decides, 法制审核员
//! reviews); two roles are the module's own: the certificate office (执法证件管理, 司法局 over
//! the city) and the enforcement officer, who handles penalty cases only.

use crate::auth::{Perm, Role};

/// Register officers, change a certificate's status (暂扣, 吊销).
pub const CERTS: Perm = Perm::new("enf_certs", "执法人员与执法证件管理");

pub const CERT_OFFICE: Role = Role {
    code: "enf_cert_office",
    label: "执法证件管理员",
    perms: &[Perm::CASE_READ, Perm::KPI_READ, CERTS],
    procedures: Some(&[super::rules::CODE]),
    oversight: false,
};

pub const OFFICER: Role = Role {
    code: "enf_officer",
    label: "行政执法人员",
    perms: &[Perm::CASE_READ, Perm::CASE_HANDLE],
    procedures: Some(&[super::rules::CODE]),
    oversight: false,
};

pub const ROLES: &[&Role] = &[&CERT_OFFICE, &OFFICER];
