//! The hotline's own rules, pure: channels, intake validation, routing, and which indicator
//! each ticket counts in.

use serde::{Deserialize, Serialize};

use crate::error::Check;

pub const MAX_DESCRIPTION: usize = 4000;
pub const MAX_SUBJECT: usize = 100;
/// The same caller with the same text within this time is the same ticket (a double submit).
pub const DUPLICATE_WINDOW_MS: i64 = 60_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Phone,
    Web,
    Mailbox,
    Api,
    Open311,
    Import,
}

impl Channel {
    pub fn code(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::Web => "web",
            Channel::Mailbox => "mailbox",
            Channel::Api => "api",
            Channel::Open311 => "open311",
            Channel::Import => "import",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Channel::Phone => "电话",
            Channel::Web => "网上",
            Channel::Mailbox => "市长信箱",
            Channel::Api => "接口",
            Channel::Open311 => "Open311",
            Channel::Import => "历史导入",
        }
    }
    pub fn parse(s: &str) -> Option<Channel> {
        CHANNELS.into_iter().find(|c| c.code() == s || c.label() == s)
    }
    /// The channel's key in the indicator counters (dimension `channel`); never reused.
    pub fn id(self) -> i64 {
        match self {
            Channel::Phone => 1,
            Channel::Web => 2,
            Channel::Mailbox => 3,
            Channel::Api => 4,
            Channel::Open311 => 5,
            Channel::Import => 6,
        }
    }
    pub fn from_id(id: i64) -> Option<Channel> {
        CHANNELS.into_iter().find(|c| c.id() == id)
    }
}

pub const CHANNELS: [Channel; 6] = [Channel::Phone, Channel::Web, Channel::Mailbox, Channel::Api, Channel::Open311, Channel::Import];

/// The counter key of a stored channel code (0 for an unknown one).
pub fn channel_id(code: &str) -> i64 {
    Channel::parse(code).map(|c| c.id()).unwrap_or(0)
}

pub fn channel_label(code: &str) -> &'static str {
    Channel::parse(code).map(|c| c.label()).unwrap_or("其他")
}

pub fn evaluation_label(code: &str) -> &'static str {
    match code {
        "satisfied" => "满意",
        "basically" => "基本满意",
        "dissatisfied" => "不满意",
        _ => "—",
    }
}

/// A category's extra field (Open311 service definition attribute).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Attribute {
    pub code: String,
    pub label: String,
    /// `string`, `number`, `text`, `singlevaluelist`
    pub datatype: String,
    pub required: bool,
    #[serde(default)]
    pub values: Vec<(String, String)>,
}

pub fn parse_attributes(json: &str) -> Vec<Attribute> {
    serde_json::from_str(json).unwrap_or_default()
}

/// Check submitted attribute values against a category's attributes.
pub fn check_attributes(c: &mut Check, defs: &[Attribute], given: &[(String, String)]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for a in defs {
        let v = given.iter().find(|(k, _)| *k == a.code).map(|(_, v)| v.trim()).unwrap_or("");
        let field = format!("attribute[{}]", a.code);
        if v.is_empty() {
            if a.required {
                c.add(&field, "attribute_required", format!("请填写“{}”", a.label));
            }
            continue;
        }
        match a.datatype.as_str() {
            "number" if v.parse::<f64>().is_err() => c.add(&field, "attribute_not_number", format!("“{}”须为数字", a.label)),
            "singlevaluelist" if !a.values.iter().any(|(k, _)| k == v) => {
                c.add(&field, "attribute_bad_value", format!("“{}”的取值“{v}”不在可选范围内", a.label))
            }
            _ if v.chars().count() > 500 => c.add(&field, "too_long", format!("“{}”不能超过 500 字", a.label)),
            _ => out.push((a.code.clone(), v.to_string())),
        }
    }
    for (k, _) in given {
        if !defs.iter().any(|a| &a.code == k) {
            c.add(&format!("attribute[{k}]"), "unknown_attribute", format!("该类别没有“{k}”这一项"));
        }
    }
    out
}

/// One routing rule: every condition that is set must match; the first matching rule wins.
#[derive(Clone, Debug, Serialize, PartialEq, sqlx::FromRow)]
pub struct Route {
    pub id: i64,
    pub position: i64,
    pub category_id: Option<i64>,
    pub town_id: Option<i64>,
    pub village_id: Option<i64>,
    pub keyword: Option<String>,
    pub org_id: i64,
    pub active: bool,
    pub note: String,
}

/// What routing looks at.
#[derive(Clone, Debug, Default)]
pub struct RoutingInput<'a> {
    pub category_id: Option<i64>,
    pub town_id: Option<i64>,
    pub village_id: Option<i64>,
    pub text: &'a str,
}

impl Route {
    pub fn matches(&self, t: &RoutingInput<'_>) -> bool {
        self.active
            && self.category_id.is_none_or(|c| Some(c) == t.category_id)
            && self.town_id.is_none_or(|c| Some(c) == t.town_id)
            && self.village_id.is_none_or(|c| Some(c) == t.village_id)
            && self
                .keyword
                .as_deref()
                .filter(|k| !k.trim().is_empty())
                .is_none_or(|k| k.split(['，', ',', '|']).any(|w| !w.trim().is_empty() && t.text.contains(w.trim())))
    }
}

/// The unit a ticket goes to: the first rule that matches (rules sorted by position), else the
/// category's default unit. Returns the rule that decided, if any.
pub fn route<'r>(rules: &'r [Route], t: &RoutingInput<'_>, category_default: Option<i64>) -> (Option<i64>, Option<&'r Route>) {
    match rules.iter().find(|r| r.matches(t)) {
        Some(r) => (Some(r.org_id), Some(r)),
        None => (category_default, None),
    }
}

/// The facts that decide which indicators a ticket counts in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KpiFacts {
    pub state: String,
    pub dispatched: bool,
    pub replied_on_time: Option<bool>,
    pub evaluation: Option<String>,
    pub evaluated_by_callback_or_citizen: bool,
    pub returned: bool,
    pub extended: bool,
    pub reopened: bool,
    pub supervised: bool,
}

/// Which indicators a ticket counts in (each ticket counts in the day it was received).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KpiFlags {
    pub accepted: bool,
    pub closed: bool,
    pub on_time: bool,
    pub callback: bool,
    pub evaluated: bool,
    pub satisfied: bool,
    pub basic: bool,
    pub dissatisfied: bool,
    pub returned: bool,
    pub extended: bool,
    pub reopened: bool,
    pub supervised: bool,
    pub direct: bool,
    pub not_accepted: bool,
}

/// The definitions, in one place:
/// - 受理量 (accepted): every ticket taken for handling — not refused, not answered on the spot,
///   not merged into another, not still waiting for acceptance;
/// - 办结 (closed): accepted and finished (已办结 or 已终止);
/// - 按时办结 (on_time): closed, and the unit's reply came within its deadline;
/// - 回访 (callback) / 评价 (evaluated): closed with a recorded evaluation;
/// - 满意 / 基本满意 / 不满意: the latest evaluation;
/// - 退单, 延期, 重办, 督办: the ticket had at least one approved return, approved extension,
///   reopening, or supervision;
/// - 直接答复, 不予受理: counted apart from 受理量.
pub fn kpi_flags(f: &KpiFacts) -> KpiFlags {
    let s = f.state.as_str();
    let accepted = !matches!(s, "received" | "not_accepted" | "answered" | "merged");
    let closed = accepted && matches!(s, "closed" | "terminated");
    let evaluated = closed && f.evaluation.is_some() && f.evaluated_by_callback_or_citizen;
    let ev = f.evaluation.as_deref();
    KpiFlags {
        accepted,
        closed,
        on_time: closed && f.replied_on_time == Some(true),
        callback: evaluated,
        evaluated,
        satisfied: evaluated && ev == Some("satisfied"),
        basic: evaluated && ev == Some("basically"),
        dissatisfied: evaluated && ev == Some("dissatisfied"),
        returned: accepted && f.returned,
        extended: accepted && f.extended,
        reopened: accepted && f.reopened,
        supervised: accepted && f.supervised,
        direct: s == "answered",
        not_accepted: s == "not_accepted",
    }
}

impl KpiFlags {
    /// As counter increments, in the column order of `hotline_kpi_daily` after `received`.
    pub fn as_counts(&self) -> [i64; 14] {
        [
            self.accepted as i64,
            self.closed as i64,
            self.on_time as i64,
            self.callback as i64,
            self.evaluated as i64,
            self.satisfied as i64,
            self.basic as i64,
            self.dissatisfied as i64,
            self.returned as i64,
            self.extended as i64,
            self.reopened as i64,
            self.supervised as i64,
            self.direct as i64,
            self.not_accepted as i64,
        ]
    }
}

pub const KPI_COLUMNS: [&str; 14] = [
    "accepted",
    "closed",
    "on_time",
    "callback",
    "evaluated",
    "satisfied",
    "basic",
    "dissatisfied",
    "returned",
    "extended",
    "reopened",
    "supervised",
    "direct",
    "not_accepted",
];
pub const KPI_FLAG_COLUMNS: [&str; 14] = [
    "k_accepted",
    "k_closed",
    "k_on_time",
    "k_callback",
    "k_evaluated",
    "k_satisfied",
    "k_basic",
    "k_dissatisfied",
    "k_returned",
    "k_extended",
    "k_reopened",
    "k_supervised",
    "k_direct",
    "k_not_accepted",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn r(pos: i64, cat: Option<i64>, town: Option<i64>, kw: Option<&str>, org: i64) -> Route {
        Route {
            id: pos,
            position: pos,
            category_id: cat,
            town_id: town,
            village_id: None,
            keyword: kw.map(str::to_string),
            org_id: org,
            active: true,
            note: String::new(),
        }
    }

    #[test]
    fn first_matching_rule_wins() {
        let rules = vec![r(1, Some(7), Some(3), None, 100), r(2, Some(7), None, None, 200), r(3, None, None, Some("噪音,噪声"), 300)];
        let t = RoutingInput { category_id: Some(7), town_id: Some(3), village_id: None, text: "" };
        assert_eq!(route(&rules, &t, Some(9)).0, Some(100));
        let t = RoutingInput { category_id: Some(7), town_id: Some(4), village_id: None, text: "" };
        assert_eq!(route(&rules, &t, Some(9)).0, Some(200));
        let t = RoutingInput { category_id: Some(8), town_id: None, village_id: None, text: "夜间施工噪声扰民" };
        assert_eq!(route(&rules, &t, Some(9)).0, Some(300));
        let t = RoutingInput { category_id: Some(8), town_id: None, village_id: None, text: "路灯不亮" };
        assert_eq!(route(&rules, &t, Some(9)), (Some(9), None), "falls back to the category's unit");
        let mut off = rules.clone();
        off[0].active = false;
        let t = RoutingInput { category_id: Some(7), town_id: Some(3), village_id: None, text: "" };
        assert_eq!(route(&off, &t, None).0, Some(200), "inactive rules are skipped");
    }

    #[test]
    fn kpi_definitions() {
        let f = KpiFacts { state: "received".into(), ..Default::default() };
        assert_eq!(kpi_flags(&f), KpiFlags::default());
        let f = KpiFacts {
            state: "closed".into(),
            replied_on_time: Some(true),
            evaluation: Some("basically".into()),
            evaluated_by_callback_or_citizen: true,
            ..Default::default()
        };
        let k = kpi_flags(&f);
        assert!(k.accepted && k.closed && k.on_time && k.evaluated && k.basic && !k.satisfied);
        let f = KpiFacts { state: "handling".into(), evaluation: Some("dissatisfied".into()), reopened: true, ..Default::default() };
        let k = kpi_flags(&f);
        assert!(k.accepted && k.reopened && !k.closed && !k.evaluated, "a reopened ticket is not evaluated until it closes again");
        assert!(kpi_flags(&KpiFacts { state: "answered".into(), ..Default::default() }).direct);
        assert!(!kpi_flags(&KpiFacts { state: "answered".into(), ..Default::default() }).accepted);
        assert!(kpi_flags(&KpiFacts { state: "not_accepted".into(), ..Default::default() }).not_accepted);
    }

    #[test]
    fn attributes_are_checked() {
        let defs = vec![
            Attribute { code: "plate".into(), label: "车牌号".into(), datatype: "string".into(), required: true, values: vec![] },
            Attribute {
                code: "kind".into(),
                label: "类型".into(),
                datatype: "singlevaluelist".into(),
                required: false,
                values: vec![("a".into(), "甲".into())],
            },
        ];
        let mut c = Check::new();
        check_attributes(&mut c, &defs, &[("kind".into(), "b".into()), ("x".into(), "1".into())]);
        let codes: Vec<_> = c.errors.iter().map(|e| e.code.to_string()).collect();
        assert_eq!(codes, ["attribute_required", "attribute_bad_value", "unknown_attribute"]);
    }
}
