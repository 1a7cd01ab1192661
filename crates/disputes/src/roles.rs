//! The permissions and roles of disputes and legal services. A reconsideration office's staff
//! handle cases and issue 意见书 and 建议书; its head approves extensions and decisions (Art. 61,
//! Art. 62). Agencies answer the letters addressed to them with the platform's handling
//! permission; the rule-of-law office and 督察 read everything through the platform's roles.

use crate::auth::{Perm, Role};

/// Examine, accept, hear and propose decisions in 行政复议 cases; issue 意见书 and 建议书.
pub const RECON_HANDLE: Perm = Perm::new("recon_handle", "行政复议办理");
/// Approve extensions and decisions as the head of the 复议机构 / 复议机关 (Art. 61–62).
pub const RECON_APPROVE: Perm = Perm::new("recon_approve", "行政复议审批");

const RECON_ONLY: Option<&[&str]> = Some(&["reconsideration"]);

pub const RECON_OFFICER: Role = Role {
    code: "recon_officer",
    label: "行政复议人员",
    perms: &[Perm::CASE_READ, RECON_HANDLE, Perm::KPI_READ, Perm::PII_VIEW],
    procedures: RECON_ONLY,
    oversight: false,
};
pub const RECON_HEAD: Role = Role {
    code: "recon_head",
    label: "行政复议机构负责人",
    perms: &[Perm::CASE_READ, RECON_HANDLE, RECON_APPROVE, Perm::KPI_READ, Perm::PII_VIEW],
    procedures: RECON_ONLY,
    oversight: false,
};

const AID_ONLY: Option<&[&str]> = Some(&["legal_aid"]);
use crate::legal_aid_rules::{LA_CLOSE, LA_HANDLE, LA_REVIEW};

/// The legal-aid centre's staff: review applications, decide, assign (法律援助法 Art. 43).
pub const LEGAL_AID_OFFICER: Role = Role {
    code: "legal_aid_officer",
    label: "法律援助机构工作人员",
    perms: &[Perm::CASE_READ, LA_HANDLE, Perm::KPI_READ, Perm::PII_VIEW, crate::advisers::PLS_MANAGE],
    procedures: AID_ONLY,
    oversight: false,
};
/// A lawyer or grassroots legal worker: sees and closes only the cases assigned to them (Art. 50),
/// hence no general read permission over the centre's register.
pub const LEGAL_AID_PROVIDER: Role =
    Role { code: "legal_aid_provider", label: "法律援助人员（律师）", perms: &[LA_CLOSE, Perm::PII_VIEW], procedures: AID_ONLY, oversight: false };
/// The justice bureau deciding objections (Art. 49).
pub const LEGAL_AID_REVIEWER: Role = Role {
    code: "legal_aid_reviewer",
    label: "法律援助异议审查（司法行政部门）",
    perms: &[Perm::CASE_READ, LA_REVIEW, Perm::KPI_READ],
    procedures: AID_ONLY,
    oversight: false,
};

pub const ROLES: &[&Role] = &[&RECON_OFFICER, &RECON_HEAD, &LEGAL_AID_OFFICER, &LEGAL_AID_PROVIDER, &LEGAL_AID_REVIEWER];
