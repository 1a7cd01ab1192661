//! Roles, permissions and data scope, as data.
//!
//! A permission is a code and a label; a role is a set of permissions, optionally limited to some
//! procedures. The platform defines the roles every government unit has (administrator, the
//! rule-of-law office, department heads and staff, legality reviewers, inspectors); each feature
//! adds its own (`Feature::roles`: the hotline's agents and dispatchers, a reconsideration
//! office's staff…) without changing this file. The program's roles are registered once at
//! start-up, from the list of features.
//!
//! A user holds role grants; each grant is a role over an organisation subtree (the scope).
//! A permission is allowed on a record when some grant's role has the permission, the record's
//! unit lies in the grant's subtree, and the role covers the record's procedure. Lists filter by
//! the same rule in SQL ([`Scope`]), so a unit never sees another unit's records — not in a
//! list, not by id, not through the API.

use std::sync::OnceLock;

use serde::Serialize;

/// A permission: a stable code (stored in API tokens) and a label for people.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Perm {
    code: &'static str,
    label: &'static str,
}

impl Serialize for Perm {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code)
    }
}

impl Perm {
    pub const fn new(code: &'static str, label: &'static str) -> Perm {
        Perm { code, label }
    }
    pub fn code(self) -> &'static str {
        self.code
    }
    pub fn label(self) -> &'static str {
        self.label
    }
    /// May an API token carry this permission? Administration stays with people.
    pub fn for_tokens(self) -> bool {
        ![Perm::ADMIN_ORGS, Perm::ADMIN_USERS, Perm::ADMIN_TOKENS, Perm::ADMIN_CALENDAR].contains(&self)
    }
    /// A permission of this program by its code.
    pub fn parse(s: &str) -> Option<Perm> {
        all_perms().into_iter().find(|p| p.code == s.trim())
    }

    /// Manage the organisation tree.
    pub const ADMIN_ORGS: Perm = Perm::new("admin_orgs", "管理机构");
    /// Manage accounts and role grants.
    pub const ADMIN_USERS: Perm = Perm::new("admin_users", "管理账号");
    /// Manage the working-day calendar.
    pub const ADMIN_CALENDAR: Perm = Perm::new("admin_calendar", "管理工作日历");
    /// Manage catalogues, routing rules and local deadline settings.
    pub const ADMIN_SETTINGS: Perm = Perm::new("admin_settings", "管理目录与时限设置");
    /// Issue and revoke API tokens.
    pub const ADMIN_TOKENS: Perm = Perm::new("admin_tokens", "管理接口令牌");
    /// Check the event log's hash chain.
    pub const AUDIT_VERIFY: Perm = Perm::new("audit_verify", "校验事件日志");
    /// Read case records in scope.
    pub const CASE_READ: Perm = Perm::new("case_read", "查看办件");
    /// Handle cases as the responsible unit (sign, handle, reply, ask for return/extension).
    pub const CASE_HANDLE: Perm = Perm::new("case_handle", "办理");
    /// Approve as the head of a unit (extensions of disclosure replies etc.).
    pub const CASE_APPROVE: Perm = Perm::new("case_approve", "审批");
    /// Give legality-review opinions.
    pub const LEGAL_REVIEW: Perm = Perm::new("legal_review", "合法性审查");
    /// Put overdue or unresolved work under supervision (督办).
    pub const SUPERVISE: Perm = Perm::new("supervise", "督办");
    /// Read indicators and dashboards.
    pub const KPI_READ: Perm = Perm::new("kpi_read", "查看指标");
    /// See unmasked phone numbers, ID numbers and addresses (each look is logged).
    pub const PII_VIEW: Perm = Perm::new("pii_view", "查看个人信息原文");
    /// Publish government information (主动公开) after its review.
    pub const PUBLISH: Perm = Perm::new("publish", "发布政府信息");
}

/// A role: what its holders may do, and on which procedures.
#[derive(Debug, PartialEq, Eq)]
pub struct Role {
    pub code: &'static str,
    pub label: &'static str,
    pub perms: &'static [Perm],
    /// The procedures the role works on (`None`: all of them).
    pub procedures: Option<&'static [&'static str]>,
    /// Oversight (依法治市办, 督察): reads every unit's cases across procedures in its scope, and
    /// its 工作台 lists what is overdue or supervised there instead of work of its own.
    pub oversight: bool,
}

impl Role {
    pub fn code(&self) -> &'static str {
        self.code
    }
    pub fn label(&self) -> &'static str {
        self.label
    }
    pub fn perms(&self) -> &'static [Perm] {
        self.perms
    }
    /// A role of this program by its code or label.
    pub fn parse(s: &str) -> Option<&'static Role> {
        let s = s.trim();
        all_roles().iter().copied().find(|r| r.code == s || r.label == s)
    }
    pub fn covers(&self, procedure: Option<&str>) -> bool {
        match (self.procedures, procedure) {
            (None, _) | (_, None) => true,
            (Some(list), Some(p)) => list.contains(&p),
        }
    }

    pub const SYSADMIN: Role = Role {
        code: "sysadmin",
        label: "系统管理员",
        perms: &[Perm::ADMIN_ORGS, Perm::ADMIN_USERS, Perm::ADMIN_CALENDAR, Perm::ADMIN_SETTINGS, Perm::ADMIN_TOKENS, Perm::AUDIT_VERIFY],
        procedures: None,
        oversight: false,
    };
    pub const RULE_OF_LAW: Role = Role {
        code: "rule_of_law",
        label: "依法治市办（司法局）",
        perms: &[Perm::CASE_READ, Perm::KPI_READ, Perm::SUPERVISE, Perm::LEGAL_REVIEW, Perm::AUDIT_VERIFY, Perm::ADMIN_SETTINGS],
        procedures: None,
        oversight: true,
    };
    pub const DEPT_HEAD: Role = Role {
        code: "dept_head",
        label: "部门负责人",
        perms: &[Perm::CASE_READ, Perm::CASE_HANDLE, Perm::CASE_APPROVE, Perm::KPI_READ, Perm::PII_VIEW, Perm::PUBLISH],
        procedures: None,
        oversight: false,
    };
    pub const DEPT_STAFF: Role =
        Role {
            code: "dept_staff", label: "部门工作人员", perms: &[Perm::CASE_READ, Perm::CASE_HANDLE, Perm::PII_VIEW], procedures: None, oversight: false
        };
    pub const LEGAL_REVIEWER: Role =
        Role { code: "legal_reviewer", label: "法制审核员", perms: &[Perm::CASE_READ, Perm::LEGAL_REVIEW], procedures: None, oversight: false };
    pub const INSPECTOR: Role =
        Role { code: "inspector", label: "督察员（只读）", perms: &[Perm::CASE_READ, Perm::KPI_READ], procedures: None, oversight: true };
}

/// The roles every government unit has, whatever the features.
pub const PLATFORM_ROLES: &[&Role] = &[&Role::SYSADMIN, &Role::RULE_OF_LAW, &Role::DEPT_HEAD, &Role::DEPT_STAFF, &Role::LEGAL_REVIEWER, &Role::INSPECTOR];

static ROLES: OnceLock<Vec<&'static Role>> = OnceLock::new();

/// Register the program's roles: the platform's and the features'. Called once at start-up
/// (`Registry::new`); the features of a program never change while it runs, so a second call
/// with the same features changes nothing.
pub fn register(feature_roles: Vec<&'static Role>) {
    ROLES.get_or_init(|| {
        let mut v: Vec<&'static Role> = PLATFORM_ROLES.to_vec();
        for r in feature_roles {
            if !v.iter().any(|x| x.code == r.code) {
                v.push(r);
            }
        }
        v
    });
}

/// Every role of this program (the platform's alone before the features are registered).
pub fn all_roles() -> &'static [&'static Role] {
    ROLES.get().map(|v| v.as_slice()).unwrap_or(PLATFORM_ROLES)
}

/// Every permission some role of this program holds, in the order the roles list them.
pub fn all_perms() -> Vec<Perm> {
    let mut v: Vec<Perm> = Vec::new();
    for r in all_roles() {
        for p in r.perms {
            if !v.contains(p) {
                v.push(*p);
            }
        }
    }
    v
}

/// One role over one organisation subtree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub role: &'static Role,
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

    /// This scope within the subtree at `path`: the subtree itself when the scope covers it,
    /// the parts of the scope inside it otherwise, `None` when they do not meet.
    pub fn narrow(&self, path: &str) -> Option<Scope> {
        match self {
            Scope::All => Some(Scope::Subtrees(vec![path.to_string()])),
            Scope::Nothing => None,
            Scope::Subtrees(roots) if roots.iter().any(|r| path.starts_with(r.as_str())) => Some(Scope::Subtrees(vec![path.to_string()])),
            Scope::Subtrees(roots) => {
                let inside: Vec<String> = roots.iter().filter(|r| r.starts_with(path)).cloned().collect();
                if inside.is_empty() { None } else { Some(Scope::Subtrees(inside)) }
            }
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
    pub fn roles(&self) -> Vec<&'static Role> {
        let mut v: Vec<&'static Role> = self.0.iter().map(|g| g.role).collect();
        v.dedup();
        v
    }

    pub fn has_role(&self, role: &Role) -> bool {
        self.0.iter().any(|g| g.role.code == role.code)
    }

    /// Does some grant make this person an overseer (依法治市办, 督察)?
    pub fn oversees(&self) -> bool {
        self.0.iter().any(|g| g.role.oversight)
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

    fn g(role: &'static Role, path: &str) -> Grant {
        Grant { role, scope_org_id: 0, scope_path: path.into(), scope_name: String::new() }
    }

    const DISPATCH: Perm = Perm::new("t_dispatch", "派单");
    const DISPATCHER: Role =
        Role { code: "t_dispatcher", label: "派单员", perms: &[Perm::CASE_READ, DISPATCH], procedures: Some(&["hotline"]), oversight: false };

    #[test]
    fn scope_follows_grants() {
        let staff = Grants(vec![g(&Role::DEPT_STAFF, "/1/5/")]);
        assert!(staff.allows(Perm::CASE_HANDLE, Some("hotline"), "/1/5/"));
        assert!(staff.allows(Perm::CASE_HANDLE, Some("hotline"), "/1/5/77/"), "sub-units are in scope");
        assert!(!staff.allows(Perm::CASE_HANDLE, Some("hotline"), "/1/6/"));
        assert!(!staff.allows(DISPATCH, Some("hotline"), "/1/5/"));
        assert_eq!(staff.scope(Perm::CASE_READ, None), Scope::Subtrees(vec!["/1/5/".into()]));

        let dispatcher = Grants(vec![g(&DISPATCHER, "/1/")]);
        assert_eq!(dispatcher.scope(Perm::CASE_READ, Some("hotline")), Scope::All);
        assert_eq!(dispatcher.scope(Perm::CASE_READ, Some("disclosure")), Scope::Nothing, "hotline roles see hotline only");

        let two = Grants(vec![g(&Role::DEPT_STAFF, "/1/5/"), g(&Role::DEPT_HEAD, "/1/5/9/"), g(&Role::DEPT_STAFF, "/1/8/")]);
        assert_eq!(two.scope(Perm::CASE_READ, None), Scope::Subtrees(vec!["/1/5/".into(), "/1/8/".into()]));
        assert_eq!(two.scope(Perm::CASE_APPROVE, None), Scope::Subtrees(vec!["/1/5/9/".into()]));
        assert!(!Grants::default().has(Perm::CASE_READ));
        assert!(!two.oversees() && Grants(vec![g(&Role::INSPECTOR, "/1/")]).oversees());
        // Narrowing to a unit: inside the scope, around it, beside it.
        assert_eq!(Scope::All.narrow("/1/5/"), Some(Scope::Subtrees(vec!["/1/5/".into()])));
        let s = Scope::Subtrees(vec!["/1/5/".into(), "/1/8/".into()]);
        assert_eq!(s.narrow("/1/5/9/"), Some(Scope::Subtrees(vec!["/1/5/9/".into()])));
        assert_eq!(s.narrow("/1/"), Some(s.clone()));
        assert_eq!(s.narrow("/1/6/"), None);
        assert_eq!(Scope::Nothing.narrow("/1/"), None);
    }

    #[test]
    fn every_role_has_a_label_and_round_trips() {
        for r in all_roles() {
            assert_eq!(Role::parse(r.code()).map(|x| x.code), Some(r.code));
            assert!(!r.label().is_empty());
        }
        for p in all_perms() {
            assert_eq!(Perm::parse(p.code()), Some(p));
        }
        let codes: std::collections::HashSet<&str> = all_perms().iter().map(|p| p.code()).collect();
        assert_eq!(codes.len(), all_perms().len(), "one code, one permission");
    }
}
