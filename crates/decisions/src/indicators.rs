//! Normative documents' figures in the indicator registry: documents issued, reviewed for
//! legality before issue, filed (备案) and filed on time, and cleanup outcomes (seed 三: 150
//! kept, 46 repealed or expired, 17 amended, 30 republished). Each is one SQL aggregate over the
//! records within the reader's scope, and the records behind a value are listed by the same
//! condition.

use std::sync::LazyLock;

use crate::registry_indicators::counted::{Counted, Grouping, Labels};
use crate::registry_indicators::{Block, Dimension, Indicator, Meta, Unit, dims};
use crate::rules::CLEANUP_OUTCOMES;

pub const OUTCOME: Dimension = Dimension { code: "outcome", label: "清理结论" };
const DOC_DIMS: &[Dimension] = &[dims::ORG];
const CLEANUP_DIMS: &[Dimension] = &[dims::ORG, OUTCOME];
const OWNER: &str = "司法局（规范性文件审核、备案与清理）";

/// Published: numbered and published through the procedure (the state has passed 公布).
const PUBLISHED: &str = "d.published_on IS NOT NULL";

const CLEANUP_GROUPS: &[Grouping] = &[Grouping::ORG, Grouping { dim: "outcome", column: "k.outcome", labels: Labels::Codes(CLEANUP_OUTCOMES) }];

static ALL: LazyLock<Vec<Counted>> = LazyLock::new(|| {
    let m = |code, name, definition, numerator, denominator, unit, basis, dims| Meta {
        code,
        name,
        block: Block::Rules,
        definition,
        numerator,
        denominator,
        unit,
        basis,
        owner: OWNER,
        procedure: Some(crate::rules::CODE),
        dims,
    };
    let url = |id| format!("/decisions/normdocs/{id}");
    let doc = |meta, numerator, denominator, period| Counted {
        meta,
        from: " FROM normdocs d JOIN cases c ON c.id = d.case_id",
        period,
        base: PUBLISHED,
        numerator,
        denominator,
        groups: &[Grouping::ORG],
        number: "COALESCE(d.doc_no, c.case_no)",
        title: "d.title",
        url,
    };
    let cleanup = |meta, numerator| Counted {
        meta,
        from: " FROM normdoc_cleanups k JOIN normdocs d ON d.case_id = k.case_id JOIN cases c ON c.id = k.case_id",
        period: "k.decided_on",
        base: "1=1",
        numerator,
        denominator: None,
        groups: CLEANUP_GROUPS,
        number: "COALESCE(d.doc_no, c.case_no)",
        title: "d.title",
        url,
    };
    vec![
        doc(
            m(
                "normdoc.issued",
                "制发行政规范性文件数",
                "期间内统一登记、编号并公布的行政规范性文件，按公布日期计",
                "公布的规范性文件",
                None,
                Unit::Count,
                "《地方组织法》第七十五条",
                DOC_DIMS,
            ),
            "1=1",
            None,
            "d.published_on",
        ),
        doc(
            m(
                "normdoc.legality_reviewed",
                "规范性文件合法性审核数",
                "期间内公布、且公布前经合法性审核通过的行政规范性文件（合法性审核率的分子）",
                "经合法性审核的规范性文件",
                Some("公布的规范性文件"),
                Unit::Percent,
                "《地方组织法》第七十五条：合法性审查；国办发〔2018〕115号",
                DOC_DIMS,
            ),
            "d.review_result = 'pass'",
            Some("1=1"),
            "d.published_on",
        ),
        doc(
            m(
                "normdoc.filed_rate",
                "规范性文件报备率",
                "期间内公布的行政规范性文件中已报送备案的 ÷ 公布的规范性文件（示范指标体系：100%）",
                "已报送备案的",
                Some("公布的规范性文件"),
                Unit::Percent,
                "《地方组织法》第七十五条；市县法治政府建设示范指标体系第27项",
                DOC_DIMS,
            ),
            "d.filed_on IS NOT NULL",
            Some("1=1"),
            "d.published_on",
        ),
        doc(
            m(
                "normdoc.filed_on_time_rate",
                "规范性文件报备及时率",
                "在备案期限（公布之日起30日，本地默认值可配置）内报送的 ÷ 期间内公布且已报送备案的规范性文件",
                "按期报送备案的",
                Some("已报送备案的"),
                Unit::Percent,
                "江苏省行政规范性文件管理规定（本地默认30日）；示范指标体系第27项",
                DOC_DIMS,
            ),
            "d.filed_on_time = TRUE",
            Some("d.filed_on IS NOT NULL"),
            "d.published_on",
        ),
        cleanup(
            m(
                "normdoc.cleanup",
                "规范性文件清理数",
                "期间内作出清理结论的规范性文件，按清理结论（继续保留、修改、废止、失效、重新公布）分组",
                "作出清理结论的规范性文件",
                None,
                Unit::Count,
                "国办发〔2018〕37号：定期清理并公布结果",
                CLEANUP_DIMS,
            ),
            "1=1",
        ),
        cleanup(
            m(
                "normdoc.cleanup_ended",
                "清理废止、失效的规范性文件数",
                "期间内经清理决定废止或宣布失效的规范性文件",
                "废止或失效的规范性文件",
                None,
                Unit::Count,
                "国办发〔2018〕37号",
                DOC_DIMS,
            ),
            "k.outcome IN ('repeal', 'expire')",
        ),
    ]
});

/// The indicators of normative documents, for `Feature::indicators`.
pub fn all() -> Vec<&'static dyn Indicator> {
    ALL.iter().map(|i| i as &dyn Indicator).collect()
}
