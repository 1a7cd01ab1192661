//! Who drafts the annual report. The rule-of-law office (法治办, at 司法局) drafts the city's
//! report and keeps the templates; each department and town drafts its own report over its own
//! unit. Drafting reads the figures, so both roles read indicators over their scope, and the
//! records behind them (read-only, personal data masked): a figure that looks wrong is traced to
//! the records that made it, whose pages need `case_read`.

use fazhi_platform::auth::{Perm, Role};

/// Draft, edit, comment on, freeze and record the submission and publication of reports.
pub const DRAFT: Perm = Perm::new("annual_draft", "起草年度法治政府建设报告");
/// Edit the report templates.
pub const TEMPLATE: Perm = Perm::new("annual_template", "管理年度报告模板");

pub const EDITOR: Role = Role {
    code: "annual_editor",
    label: "年度报告起草与模板管理（法治办）",
    perms: &[Perm::CASE_READ, Perm::KPI_READ, DRAFT, TEMPLATE],
    procedures: None,
    oversight: false,
};

pub const DRAFTER: Role =
    Role {
        code: "annual_drafter", label: "年度报告起草（部门、乡镇）", perms: &[Perm::CASE_READ, Perm::KPI_READ, DRAFT], procedures: None, oversight: false
    };

pub const ROLES: &[&Role] = &[&EDITOR, &DRAFTER];
