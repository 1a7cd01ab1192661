//! The permissions and roles of decisions and normative documents. Drafting units work with the
//! platform's roles (部门工作人员 drafts, 部门负责人 records the collective deliberation), the
//! justice bureau reviews with 合法性审查; the unified registration, numbering, 备案 and cleanup
//! of normative documents (统一登记、统一编号、统一印发) are one office's work across units, and so
//! is the government office's keeping of the catalogue of major decisions and the minutes of the
//! government's meetings, so they are permissions of their own.

use crate::auth::{Perm, Role};

/// Register, number and publish documents, file them (备案), record cleanup outcomes.
pub const REGISTER: Perm = Perm::new("normdoc_register", "规范性文件统一登记、编号、备案与清理");

/// Keep the catalogue of major decision items: compile it, record the Party committee's consent,
/// publish and adjust it (重大行政决策程序暂行条例 Art. 3 ¶3).
pub const CATALOGUE: Perm = Perm::new("decision_catalogue", "重大行政决策事项目录管理");

/// The market regulator's part in fair-competition review: the review of the measures the
/// government itself issues (公平竞争审查条例 Art. 14), spot checks, complaints, 约谈 (Art. 21–24).
pub const FCR_REVIEW: Perm = Perm::new("fcr_review", "公平竞争审查（市场监管部门）");

pub const REGISTRAR: Role = Role {
    code: "normdoc_registrar",
    label: "规范性文件登记备案员",
    perms: &[Perm::CASE_READ, REGISTER],
    procedures: Some(&[super::rules::CODE]),
    oversight: false,
};

/// The government office (政府办): the catalogue, and the collective deliberation, the report to
/// the Party committee and the publication of the government's own decisions.
pub const DECISION_OFFICE: Role = Role {
    code: "decision_office",
    label: "政府办（重大行政决策目录与会议）",
    perms: &[Perm::CASE_READ, CATALOGUE, Perm::CASE_APPROVE],
    procedures: Some(&[super::major::rules::CODE]),
    oversight: false,
};

/// The market regulator (市场监管局) over the city: reads every unit's measures and reviews them.
pub const FCR_REVIEWER: Role = Role {
    code: "fcr_reviewer",
    label: "公平竞争审查员（市场监管局）",
    perms: &[Perm::CASE_READ, FCR_REVIEW],
    procedures: Some(&[super::fcr::rules::CODE]),
    oversight: false,
};

pub const ROLES: &[&Role] = &[&REGISTRAR, &DECISION_OFFICE, &FCR_REVIEWER];
