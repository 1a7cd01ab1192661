//! The organisation tree: 市 → 部门 / 乡镇·园区 → 村·社区, plus units inside departments and
//! towns (科室, 中队). Pure rules, no SQL.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// 市（县级市）人民政府 — the root.
    City,
    /// 市级部门 (局、委、办) and centres such as the 12345 hotline centre.
    Department,
    /// 乡镇
    Town,
    /// 园区 / 开发区 (treated like a town)
    Park,
    /// 村
    Village,
    /// 社区
    Community,
    /// 内设机构、中队、站所 inside a department or town.
    Unit,
}

pub const ALL_KINDS: [OrgKind; 7] = [OrgKind::City, OrgKind::Department, OrgKind::Town, OrgKind::Park, OrgKind::Village, OrgKind::Community, OrgKind::Unit];

impl OrgKind {
    pub fn code(self) -> &'static str {
        match self {
            OrgKind::City => "city",
            OrgKind::Department => "department",
            OrgKind::Town => "town",
            OrgKind::Park => "park",
            OrgKind::Village => "village",
            OrgKind::Community => "community",
            OrgKind::Unit => "unit",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OrgKind::City => "市",
            OrgKind::Department => "部门",
            OrgKind::Town => "乡镇",
            OrgKind::Park => "园区",
            OrgKind::Village => "村",
            OrgKind::Community => "社区",
            OrgKind::Unit => "内设机构",
        }
    }

    pub fn parse(s: &str) -> Option<OrgKind> {
        let s = s.trim();
        ALL_KINDS.into_iter().find(|k| k.code() == s || k.label() == s)
    }

    /// Which kinds may sit directly under this one.
    pub fn allows_child(self, child: OrgKind) -> bool {
        use OrgKind::*;
        match self {
            City => matches!(child, Department | Town | Park),
            Department => matches!(child, Unit),
            Town | Park => matches!(child, Village | Community | Unit),
            Unit => matches!(child, Unit),
            Village | Community => false,
        }
    }

    /// 乡镇 and 园区: the level that locates a hotline ticket.
    pub fn is_town_level(self) -> bool {
        matches!(self, OrgKind::Town | OrgKind::Park)
    }

    pub fn is_village_level(self) -> bool {
        matches!(self, OrgKind::Village | OrgKind::Community)
    }
}

/// An organisation code: 1–32 characters of ASCII letters, digits, `-` and `_`.
pub fn valid_code(code: &str) -> bool {
    !code.is_empty() && code.len() <= 32 && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The materialised path of a node: `/1/5/23/`. A subtree is every path with this prefix.
pub fn child_path(parent_path: &str, id: i64) -> String {
    format!("{parent_path}{id}/")
}

/// Is `path` inside the subtree rooted at `root_path` (itself included)?
pub fn within(path: &str, root_path: &str) -> bool {
    path.starts_with(root_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_shape_rules() {
        assert!(OrgKind::City.allows_child(OrgKind::Department));
        assert!(OrgKind::Town.allows_child(OrgKind::Village));
        assert!(!OrgKind::Department.allows_child(OrgKind::Village));
        assert!(!OrgKind::Village.allows_child(OrgKind::Unit));
        assert!(OrgKind::Department.allows_child(OrgKind::Unit));
        assert_eq!(OrgKind::parse("乡镇"), Some(OrgKind::Town));
        assert_eq!(OrgKind::parse("community"), Some(OrgKind::Community));
        assert_eq!(OrgKind::parse("省"), None);
    }

    #[test]
    fn codes_and_paths() {
        assert!(valid_code("GY-ZJJ_01"));
        assert!(!valid_code(""));
        assert!(!valid_code("住建局"));
        assert!(!valid_code(&"x".repeat(33)));
        assert_eq!(child_path("/1/", 5), "/1/5/");
        assert!(within("/1/5/23/", "/1/5/"));
        assert!(!within("/1/55/", "/1/5/"));
    }
}
