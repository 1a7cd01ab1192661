//! Major decisions' figures in the indicator registry (seed 三(一): public participation in 8
//! decisions, collective deliberation 57 times, 5 technical assessments). Each is one SQL
//! aggregate over the records within the reader's scope, by the day the procedure was recorded,
//! and the records behind a value are listed by the same condition.

use std::sync::LazyLock;

use crate::registry_indicators::counted::{Counted, Grouping};
use crate::registry_indicators::{Block, Dimension, Indicator, Meta, Unit, dims};

const DIMS: &[Dimension] = &[dims::ORG];
const OWNER: &str = "司法局（重大行政决策合法性审查）、政府办";
const PROCS: &str = " FROM major_procedures p JOIN major_decisions m ON m.case_id = p.case_id JOIN cases c ON c.id = p.case_id";
const DECISIONS: &str = " FROM major_decisions m JOIN cases c ON c.id = m.case_id";

static ALL: LazyLock<Vec<Counted>> = LazyLock::new(|| {
    let m = |code, name, definition, numerator, basis| Meta {
        code,
        name,
        block: Block::Decisions,
        definition,
        numerator,
        denominator: None,
        unit: Unit::Count,
        basis,
        owner: OWNER,
        procedure: Some(super::rules::CODE),
        dims: DIMS,
    };
    let url = |id| format!("/decisions/major/{id}");
    let procedure = |meta, base| Counted {
        meta,
        from: PROCS,
        period: "p.recorded_on",
        base,
        numerator: "1=1",
        denominator: None,
        groups: &[Grouping::ORG],
        number: "c.case_no",
        title: "m.title",
        url,
    };
    let decision = |meta, base, period| Counted {
        meta,
        from: DECISIONS,
        period,
        base,
        numerator: "1=1",
        denominator: None,
        groups: &[Grouping::ORG],
        number: "c.case_no",
        title: "m.title",
        url,
    };
    vec![
        procedure(
            m(
                "major.participation",
                "开展公众参与的重大行政决策",
                "期间内结束公开征求意见并形成意见研究采纳情况的重大行政决策（按记录日期计）",
                "履行公众参与程序的决策",
                "《重大行政决策程序暂行条例》第十四条至第十八条",
            ),
            "p.kind = 'participation' AND p.status = 'done'",
        ),
        procedure(
            m(
                "major.expert",
                "组织专家论证的重大行政决策",
                "期间内组织专家、专业机构论证并报送论证意见采纳情况的重大行政决策",
                "履行专家论证程序的决策",
                "《重大行政决策程序暂行条例》第十九条至第二十一条",
            ),
            "p.kind = 'expert' AND p.status = 'done'",
        ),
        procedure(
            m(
                "major.risk",
                "开展风险评估的重大行政决策",
                "期间内形成风险评估报告（风险点、防范措施、处置预案）的重大行政决策",
                "履行风险评估程序的决策",
                "《重大行政决策程序暂行条例》第二十二条至第二十四条",
            ),
            "p.kind = 'risk' AND p.status = 'done'",
        ),
        decision(
            m(
                "major.legality",
                "经合法性审查的重大行政决策",
                "期间内出具合法性审查意见的重大行政决策（按意见出具日期计）",
                "出具合法性审查意见的决策",
                "《重大行政决策程序暂行条例》第二十五条至第二十八条",
            ),
            "m.legality_on IS NOT NULL",
            "m.legality_on",
        ),
        decision(
            m(
                "major.deliberated",
                "集体讨论决定的重大行政决策",
                "期间内经决策机关常务会议或者全体会议集体讨论的重大行政决策（按会议日期计）",
                "集体讨论的决策",
                "《重大行政决策程序暂行条例》第三十条",
            ),
            "m.meeting_on IS NOT NULL",
            "m.meeting_on",
        ),
        decision(
            m(
                "major.published",
                "公布的重大行政决策",
                "期间内公布的重大行政决策（依法不予公开的不计）",
                "公布的决策",
                "《重大行政决策程序暂行条例》第三十二条",
            ),
            "m.published_on IS NOT NULL AND m.withheld_reason IS NULL",
            "m.published_on",
        ),
        procedure(
            m(
                "major.evaluated",
                "开展决策后评估的重大行政决策",
                "期间内完成决策后评估的重大行政决策",
                "开展决策后评估的决策",
                "《重大行政决策程序暂行条例》第三十六条",
            ),
            "p.kind = 'evaluation' AND p.status = 'done'",
        ),
    ]
});

/// The indicators of major decisions, for `Feature::indicators`.
pub fn all() -> Vec<&'static dyn Indicator> {
    ALL.iter().map(|i| i as &dyn Indicator).collect()
}
