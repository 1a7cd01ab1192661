//! Roles, permissions and data scope.
//!
//! A user holds role grants; each grant is a role over an organisation subtree (the scope).
//! A permission is allowed on a record when some grant's role has the permission, the record's
//! unit lies in the grant's subtree, and the role covers the record's procedure. Lists filter by
//! the same rule in SQL ([`Scope`]), so a unit never sees another unit's records — not in a
//! list, not by id, not through the API.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    SysAdmin,
    RuleOfLaw,
    DeptHead,
    DeptStaff,
    LegalReviewer,
    HotlineAgent,
    Dispatcher,
    Inspector,
}

pub const ALL_ROLES: [Role; 8] =
    [Role::SysAdmin, Role::RuleOfLaw, Role::DeptHead, Role::DeptStaff, Role::LegalReviewer, Role::HotlineAgent, Role::Dispatcher, Role::Inspector];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Perm {
    /// Manage the organisation tree.
    AdminOrgs,
    /// Manage accounts and role grants.
    AdminUsers,
    /// Manage the working-day calendar.
    AdminCalendar,
    /// Manage catalogues, routing rules and local deadline settings.
    AdminSettings,
    /// Issue and revoke API tokens.
    AdminTokens,
    /// Check the event log's hash chain.
    AuditVerify,
    /// Read case records in scope.
    CaseRead,
    /// Handle cases as the responsible unit (sign, handle, reply, ask for return/extension).
    CaseHandle,
    /// Approve as the head of a unit (extensions of disclosure replies etc.).
    CaseApprove,
    /// Give legality-review opinions.
    LegalReview,
    /// Take hotline calls and letters, accept or refuse them, answer directly.
    HotlineIntake,
    /// Route tickets, approve returns/extensions/terminations, review replies, merge.
    HotlineDispatch,
    /// Call citizens back and record their satisfaction.
    HotlineCallback,
    /// Put overdue or unresolved work under supervision (督办).
    Supervise,
    /// Read indicators and dashboards.
    KpiRead,
    /// See unmasked phone numbers, ID numbers and addresses (each look is logged).
    PiiView,
    /// Publish government information (主动公开) after its review.
    Publish,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::SysAdmin => "sysadmin",
            Role::RuleOfLaw => "rule_of_law",
            Role::DeptHead => "dept_head",
            Role::DeptStaff => "dept_staff",
            Role::LegalReviewer => "legal_reviewer",
            Role::HotlineAgent => "hotline_agent",
            Role::Dispatcher => "dispatcher",
            Role::Inspector => "inspector",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::SysAdmin => "系统管理员",
            Role::RuleOfLaw => "依法治市办（司法局）",
            Role::DeptHead => "部门负责人",
            Role::DeptStaff => "部门工作人员",
            Role::LegalReviewer => "法制审核员",
            Role::HotlineAgent => "热线话务员",
            Role::Dispatcher => "热线派单员",
            Role::Inspector => "督察员（只读）",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        ALL_ROLES.into_iter().find(|r| r.code() == s.trim() || r.label() == s.trim())
    }

    pub fn perms(self) -> &'static [Perm] {
        use Perm::*;
        match self {
            Role::SysAdmin => &[AdminOrgs, AdminUsers, AdminCalendar, AdminSettings, AdminTokens, AuditVerify],
            Role::RuleOfLaw => &[CaseRead, KpiRead, Supervise, LegalReview, AuditVerify, AdminSettings],
            Role::DeptHead => &[CaseRead, CaseHandle, CaseApprove, KpiRead, PiiView, Publish],
            Role::DeptStaff => &[CaseRead, CaseHandle, PiiView],
            Role::LegalReviewer => &[CaseRead, LegalReview],
            Role::HotlineAgent => &[CaseRead, HotlineIntake, HotlineCallback, PiiView],
            Role::Dispatcher => &[CaseRead, HotlineIntake, HotlineDispatch, HotlineCallback, Supervise, KpiRead, PiiView],
            Role::Inspector => &[CaseRead, KpiRead],
        }
    }

    /// The procedures this role works on (`None`: all of them).
    pub fn procedures(self) -> Option<&'static [&'static str]> {
        match self {
            Role::HotlineAgent | Role::Dispatcher => Some(&["hotline"]),
            _ => None,
        }
    }

    pub fn covers(self, procedure: Option<&str>) -> bool {
        match (self.procedures(), procedure) {
            (None, _) | (_, None) => true,
            (Some(list), Some(p)) => list.contains(&p),
        }
    }
}

impl Perm {
    pub fn label(self) -> &'static str {
        match self {
            Perm::AdminOrgs => "管理机构",
            Perm::AdminUsers => "管理账号",
            Perm::AdminCalendar => "管理工作日历",
            Perm::AdminSettings => "管理目录与时限设置",
            Perm::AdminTokens => "管理接口令牌",
            Perm::AuditVerify => "校验事件日志",
            Perm::CaseRead => "查看办件",
            Perm::CaseHandle => "办理",
            Perm::CaseApprove => "审批",
            Perm::LegalReview => "合法性审查",
            Perm::HotlineIntake => "热线受理",
            Perm::HotlineDispatch => "热线派单与审核",
            Perm::HotlineCallback => "热线回访",
            Perm::Supervise => "督办",
            Perm::KpiRead => "查看指标",
            Perm::PiiView => "查看个人信息原文",
            Perm::Publish => "发布政府信息",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Perm::AdminOrgs => "admin_orgs",
            Perm::AdminUsers => "admin_users",
            Perm::AdminCalendar => "admin_calendar",
            Perm::AdminSettings => "admin_settings",
            Perm::AdminTokens => "admin_tokens",
            Perm::AuditVerify => "audit_verify",
            Perm::CaseRead => "case_read",
            Perm::CaseHandle => "case_handle",
            Perm::CaseApprove => "case_approve",
            Perm::LegalReview => "legal_review",
            Perm::HotlineIntake => "hotline_intake",
            Perm::HotlineDispatch => "hotline_dispatch",
            Perm::HotlineCallback => "hotline_callback",
            Perm::Supervise => "supervise",
            Perm::KpiRead => "kpi_read",
            Perm::PiiView => "pii_view",
            Perm::Publish => "publish",
        }
    }

    pub fn parse(s: &str) -> Option<Perm> {
        ALL_PERMS.into_iter().find(|p| p.code() == s.trim())
    }
}

pub const ALL_PERMS: [Perm; 17] = [
    Perm::AdminOrgs,
    Perm::AdminUsers,
    Perm::AdminCalendar,
    Perm::AdminSettings,
    Perm::AdminTokens,
    Perm::AuditVerify,
    Perm::CaseRead,
    Perm::CaseHandle,
    Perm::CaseApprove,
    Perm::LegalReview,
    Perm::HotlineIntake,
    Perm::HotlineDispatch,
    Perm::HotlineCallback,
    Perm::Supervise,
    Perm::KpiRead,
    Perm::PiiView,
    Perm::Publish,
];

/// One role over one organisation subtree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub role: Role,
    pub scope_org_id: i64,
    /// The materialised path of the scope organisation (`/1/5/`).
    pub scope_path: String,
    pub scope_name: String,
}

/// Where a permission reaches, as used by list queries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The whole tree.
    All,
    /// These subtrees (paths).
    Subtrees(Vec<String>),
    /// Nothing.
    Nothing,
}

impl Scope {
    /// Does this scope include an organisation with this path?
    pub fn includes(&self, org_path: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Subtrees(roots) => roots.iter().any(|r| org_path.starts_with(r.as_str())),
            Scope::Nothing => false,
        }
    }

    /// A SQL condition on an organisation id column, appended to `query`.
    pub fn filter(&self, query: crate::db::Q, org_id_column: &str) -> crate::db::Q {
        match self {
            Scope::All => query.push(" AND 1=1"),
            Scope::Nothing => query.push(" AND 1=0"),
            Scope::Subtrees(roots) => {
                let mut qq = query.push(&format!(" AND {org_id_column} IN (SELECT id FROM orgs WHERE "));
                for (i, r) in roots.iter().enumerate() {
                    if i > 0 {
                        qq = qq.push(" OR ");
                    }
                    qq = qq.push_bind("path LIKE {} ESCAPE '\\'", format!("{}%", crate::db::dialect::like_escape(r)));
                }
                qq.push(")")
            }
        }
    }
}

/// The grants of one user, and the questions asked of them.
#[derive(Clone, Debug, Default)]
pub struct Grants(pub Vec<Grant>);

impl Grants {
    pub fn roles(&self) -> Vec<Role> {
        let mut v: Vec<Role> = self.0.iter().map(|g| g.role).collect();
        v.dedup();
        v
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.0.iter().any(|g| g.role == role)
    }

    /// Does the user hold this permission anywhere?
    pub fn has(&self, perm: Perm) -> bool {
        self.0.iter().any(|g| g.role.perms().contains(&perm))
    }

    /// Does the user hold this permission for a record of `procedure` in the unit at `org_path`?
    pub fn allows(&self, perm: Perm, procedure: Option<&str>, org_path: &str) -> bool {
        self.0.iter().any(|g| g.role.perms().contains(&perm) && g.role.covers(procedure) && org_path.starts_with(g.scope_path.as_str()))
    }

    /// Where the permission reaches, for list queries.
    pub fn scope(&self, perm: Perm, procedure: Option<&str>) -> Scope {
        let mut roots: Vec<String> =
            self.0.iter().filter(|g| g.role.perms().contains(&perm) && g.role.covers(procedure)).map(|g| g.scope_path.clone()).collect();
        if roots.is_empty() {
            return Scope::Nothing;
        }
        if roots.iter().any(|r| r.matches('/').count() <= 2) {
            // A grant on the root ("/1/") reaches everything.
            return Scope::All;
        }
        roots.sort();
        roots.dedup();
        // Drop subtrees inside other subtrees.
        let mut minimal: Vec<String> = Vec::new();
        for r in roots {
            if !minimal.iter().any(|m| r.starts_with(m.as_str())) {
                minimal.push(r);
            }
        }
        Scope::Subtrees(minimal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(role: Role, path: &str) -> Grant {
        Grant { role, scope_org_id: 0, scope_path: path.into(), scope_name: String::new() }
    }

    #[test]
    fn scope_follows_grants() {
        let staff = Grants(vec![g(Role::DeptStaff, "/1/5/")]);
        assert!(staff.allows(Perm::CaseHandle, Some("hotline"), "/1/5/"));
        assert!(staff.allows(Perm::CaseHandle, Some("hotline"), "/1/5/77/"), "sub-units are in scope");
        assert!(!staff.allows(Perm::CaseHandle, Some("hotline"), "/1/6/"));
        assert!(!staff.allows(Perm::HotlineDispatch, Some("hotline"), "/1/5/"));
        assert_eq!(staff.scope(Perm::CaseRead, None), Scope::Subtrees(vec!["/1/5/".into()]));

        let dispatcher = Grants(vec![g(Role::Dispatcher, "/1/")]);
        assert_eq!(dispatcher.scope(Perm::CaseRead, Some("hotline")), Scope::All);
        assert_eq!(dispatcher.scope(Perm::CaseRead, Some("disclosure")), Scope::Nothing, "hotline roles see hotline only");

        let two = Grants(vec![g(Role::DeptStaff, "/1/5/"), g(Role::DeptHead, "/1/5/9/"), g(Role::DeptStaff, "/1/8/")]);
        assert_eq!(two.scope(Perm::CaseRead, None), Scope::Subtrees(vec!["/1/5/".into(), "/1/8/".into()]));
        assert_eq!(two.scope(Perm::CaseApprove, None), Scope::Subtrees(vec!["/1/5/9/".into()]));
        assert!(!Grants::default().has(Perm::CaseRead));
    }

    #[test]
    fn every_role_has_a_label_and_round_trips() {
        for r in ALL_ROLES {
            assert_eq!(Role::parse(r.code()), Some(r));
            assert!(!r.label().is_empty());
        }
        for p in ALL_PERMS {
            assert_eq!(Perm::parse(p.code()), Some(p));
        }
    }
}
