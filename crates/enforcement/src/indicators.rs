//! Enforcement figures in the indicator registry (LEGAL-RULES §3(d)): penalty cases registered,
//! decided within the statutory period, legally reviewed where Art. 58 requires it, decisions
//! disclosed on time, and the hearing rate. Each is one SQL aggregate over the records within
//! the reader's scope (the facts recorded at each step, not recomputed), and the records behind
//! a value are listed by the same condition.

use std::sync::LazyLock;

use crate::registry_indicators::counted::{Counted, Grouping, Labels};
use crate::registry_indicators::{Block, Dimension, Indicator, Meta, Unit, dims};
use crate::rules::FIELDS;

pub const FIELD: Dimension = Dimension { code: "field", label: "执法领域" };
const DIMS: &[Dimension] = &[dims::ORG, FIELD];
const OWNER: &str = "司法局（行政执法协调监督）";

const GROUPS: &[Grouping] = &[Grouping::ORG, Grouping { dim: "field", column: "d.field", labels: Labels::Codes(FIELDS) }];

static ALL: LazyLock<Vec<Counted>> = LazyLock::new(|| {
    let m = |code, name, definition, numerator, denominator, unit, basis| Meta {
        code,
        name,
        block: Block::Enforcement,
        definition,
        numerator,
        denominator,
        unit,
        basis,
        owner: OWNER,
        procedure: Some(crate::rules::CODE),
        dims: DIMS,
    };
    let ind = |meta, period, base, numerator, denominator| Counted {
        meta,
        from: " FROM enf_cases d JOIN cases c ON c.id = d.case_id",
        period,
        base,
        numerator,
        denominator,
        groups: GROUPS,
        number: "COALESCE(d.decision_no, c.case_no)",
        title: "d.title",
        url: |id| crate::rules::PROCEDURE.case_url(id),
    };
    vec![
        ind(
            m(
                "enf.cases_registered",
                "行政处罚立案数",
                "期间内立案的行政处罚案件（普通程序），按立案日期计",
                "立案的案件",
                None,
                Unit::Count,
                "《行政处罚法》第五十四条",
            ),
            "d.registered_on",
            "1=1",
            "1=1",
            None,
        ),
        ind(
            m(
                "enf.decided_in_time_rate",
                "按期作出处罚决定率",
                "期间内作出决定的案件中，在立案之日起九十日（含经批准的延长）内作出的 ÷ 作出决定的案件",
                "按期作出决定的",
                Some("作出决定的案件"),
                Unit::Percent,
                "《行政处罚法》第六十条",
            ),
            "d.decided_on",
            "d.decided_on IS NOT NULL",
            "d.decided_in_time = TRUE",
            Some("1=1"),
        ),
        ind(
            m(
                "enf.legal_review_coverage",
                "重大执法决定法制审核率",
                "期间内作出决定、依第五十八条应当法制审核的案件中，经审核通过后作出决定的 ÷ 应当审核的案件（目标100%）",
                "经法制审核通过的",
                Some("应当法制审核的案件"),
                Unit::Percent,
                "《行政处罚法》第五十八条；国办发〔2018〕118号",
            ),
            "d.decided_on",
            "d.review_required = TRUE",
            "d.review_result = 'pass'",
            Some("1=1"),
        ),
        ind(
            m(
                "enf.disclosed_on_time_rate",
                "处罚决定按期公示率",
                "期间内作出的处罚决定中，自决定之日起7个工作日内公示的 ÷ 作出的处罚决定",
                "按期公示的",
                Some("作出的处罚决定"),
                Unit::Percent,
                "国办发〔2018〕118号（行政处罚决定7个工作日内公开）",
            ),
            "d.decided_on",
            "d.decided_on IS NOT NULL",
            "d.disclosed_on_time = TRUE",
            Some("1=1"),
        ),
        ind(
            m(
                "enf.hearing_rate",
                "听证率",
                "期间内告知听证权利的案件中，举行了听证的 ÷ 告知听证权利的案件",
                "举行听证的",
                Some("告知听证权利的案件"),
                Unit::Percent,
                "《行政处罚法》第六十三条、第六十四条",
            ),
            "d.notified_on",
            "d.hearing_right = TRUE",
            "d.hearing_held_on IS NOT NULL",
            Some("1=1"),
        ),
    ]
});

/// The indicators of enforcement, for `Feature::indicators`.
pub fn all() -> Vec<&'static dyn Indicator> {
    ALL.iter().chain(crate::inspections::indicators::ALL.iter()).map(|i| i as &dyn Indicator).collect()
}
