//! 督察 and rectification figures in the indicator registry (示范指标体系, 组织领导: 督察发现的
//! 问题、按期整改、回头看重新打开): findings, findings rectified (verified and closed), reported
//! on time, and reopened. Each is one SQL aggregate over the records within the reader's scope,
//! and the records behind a value are listed by the same condition.

use std::sync::LazyLock;

use crate::registry_indicators::counted::{Counted, Grouping, Labels};
use crate::registry_indicators::{Block, Dimension, Indicator, Meta, Unit, dims};
use crate::rules::KINDS;

pub const KIND: Dimension = Dimension { code: "kind", label: "督察类型" };
const DIMS: &[Dimension] = &[dims::ORG, KIND];
const OWNER: &str = "依法治市办（司法局，法治督察）";
const BASIS: &str = "《法治政府建设与责任落实督察工作规定》（厅字〔2019〕28号）";

/// Rectified: verified by the inspecting office (closed, or confirmed by the 回头看).
const RECTIFIED: &str = "c.state IN ('closed', 'confirmed')";

const GROUPS: &[Grouping] = &[Grouping::ORG, Grouping { dim: "kind", column: "r.kind", labels: Labels::Codes(KINDS) }];

static ALL: LazyLock<Vec<Counted>> = LazyLock::new(|| {
    let m = |code, name, definition, numerator, denominator, unit| Meta {
        code,
        name,
        block: Block::Leadership,
        definition,
        numerator,
        denominator,
        unit,
        basis: BASIS,
        owner: OWNER,
        procedure: Some(crate::rules::CODE),
        dims: DIMS,
    };
    let ind = |meta, numerator, denominator| Counted {
        meta,
        from: " FROM rectifications r JOIN cases c ON c.id = r.case_id",
        period: "r.found_on",
        base: "c.state <> 'withdrawn'",
        numerator,
        denominator,
        groups: GROUPS,
        number: "c.case_no",
        title: "c.title",
        url: |id| format!("/accountability/rectifications/{id}"),
    };
    vec![
        ind(
            m(
                "rectification.findings",
                "督察发现问题数",
                "期间内督察（含专项督察、回头看）发现并登记的问题，撤销的除外，按发现日期计",
                "发现的问题",
                None,
                Unit::Count,
            ),
            "1=1",
            None,
        ),
        ind(
            m(
                "rectification.rectified_rate",
                "督察问题整改完成率",
                "期间内发现的问题中经督察单位核验销号的 ÷ 发现的问题",
                "核验销号的",
                Some("发现的问题"),
                Unit::Percent,
            ),
            RECTIFIED,
            Some("1=1"),
        ),
        ind(
            m(
                "rectification.on_time_rate",
                "督察问题按期整改率",
                "在整改期限内报告整改情况的 ÷ 已报告整改情况的问题（整改期限为本地默认60日，可配置）",
                "按期报告的",
                Some("已报告整改的"),
                Unit::Percent,
            ),
            "r.reported_late = FALSE",
            Some("r.reported_on IS NOT NULL"),
        ),
        ind(
            m(
                "rectification.reopened",
                "核验退回或回头看重新打开的问题数",
                "期间内发现的问题中，至少一次核验未通过或经回头看重新打开的",
                "重新整改的问题",
                None,
                Unit::Count,
            ),
            "r.reopened > 0",
            None,
        ),
    ]
});

/// The indicators of rectification, for `Feature::indicators`.
pub fn all() -> Vec<&'static dyn Indicator> {
    ALL.iter().map(|i| i as &dyn Indicator).collect()
}
