//! Fair-competition review's figures in the indicator registry (seed 二(三): 123 measures reviewed,
//! 2 amended): reviews concluded, measures amended, exceptions granted and exceptions whose time
//! limit ran out. Counted over the concluding opinions (the drafter's own review, or the market
//! regulator's for the government's measures; the drafter's 初审 does not count twice), by the
//! day each was given, within the reader's scope.

use std::sync::LazyLock;

use crate::registry_indicators::counted::{Counted, Grouping};
use crate::registry_indicators::{Block, Dimension, Indicator, Meta, Unit, dims};

const DIMS: &[Dimension] = &[dims::ORG];
const OWNER: &str = "市场监管局（公平竞争审查）";
const FROM: &str = " FROM fcr_opinions o JOIN fcr_measures m ON m.case_id = o.case_id JOIN cases c ON c.id = o.case_id";

static ALL: LazyLock<Vec<Counted>> = LazyLock::new(|| {
    let m = |code, name, definition, numerator| Meta {
        code,
        name,
        block: Block::Functions,
        definition,
        numerator,
        denominator: None,
        unit: Unit::Count,
        basis: "《公平竞争审查条例》第十七条、第十二条",
        owner: OWNER,
        procedure: Some(super::rules::CODE),
        dims: DIMS,
    };
    let url = |id| format!("/decisions/fcr/{id}");
    let counted = |meta, numerator, period| Counted {
        meta,
        from: FROM,
        period,
        base: "o.stage <> 'initial'",
        numerator,
        denominator: None,
        groups: &[Grouping::ORG],
        number: "c.case_no",
        title: "m.title",
        url,
    };
    vec![
        counted(m("fcr.reviewed", "公平竞争审查数", "期间内作出审查结论的政策措施（按结论日期计）", "作出审查结论的"), "1=1", "o.given_on"),
        counted(
            m("fcr.amended", "经审查修改的政策措施", "期间内审查发现违反审查标准、修改后出台的政策措施", "修改后出台的"),
            "o.conclusion = 'amended'",
            "o.given_on",
        ),
        counted(
            m("fcr.exceptions", "适用例外规定出台的政策措施", "期间内适用第十二条例外规定出台的政策措施", "适用例外规定的"),
            "o.conclusion = 'exception'",
            "o.given_on",
        ),
        counted(
            m(
                "fcr.exceptions_expired",
                "例外期限届满重新审查的政策措施",
                "期间内适用例外规定的实施期限届满、重新审查的政策措施（按届满后重新审查之日计）",
                "期限届满的例外",
            ),
            "o.expired_on IS NOT NULL",
            "o.expired_on",
        ),
    ]
});

pub fn all() -> Vec<&'static dyn Indicator> {
    ALL.iter().map(|i| i as &dyn Indicator).collect()
}
