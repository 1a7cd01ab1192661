//! Figures of 双随机 in the indicator registry (LEGAL-RULES §4(d)): entities drawn, inspections
//! done, the share of each pool drawn, findings, results published within 20 working days, and
//! findings followed up. Each is one aggregate over the drawn entities (`d`) and their task
//! (`c`, which carries the unit) within the reader's scope; the records behind a value are the
//! drawn entities, linked to their task.

use std::sync::LazyLock;

use super::rules::RISKS;
use crate::registry_indicators::counted::{Counted, Grouping, Labels};
use crate::registry_indicators::{Block, Dimension, Meta, Unit, dims};

pub const RISK: Dimension = Dimension { code: "risk", label: "风险等级" };
const DIMS: &[Dimension] = &[dims::ORG, RISK];
const GROUPS: &[Grouping] =
    &[Grouping { dim: "org", column: "c.org_id", labels: Labels::Orgs }, Grouping { dim: "risk", column: "d.risk", labels: Labels::Codes(RISKS) }];
const OWNER: &str = "司法局（行政执法协调监督）；市场监管局（双随机牵头）";
const TARGETS: &str = " FROM enf_insp_targets d JOIN enf_insp_tasks c ON c.id = d.task_id";

fn url(id: i64) -> String {
    format!("/enforcement/inspections/tasks/{id}")
}

pub static ALL: LazyLock<Vec<Counted>> = LazyLock::new(|| {
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
        procedure: None,
        dims: DIMS,
    };
    let ind = |meta, from, period, base, numerator, denominator| Counted {
        meta,
        from,
        period,
        base,
        numerator,
        denominator,
        groups: GROUPS,
        number: "d.uscc",
        title: "c.title",
        url,
    };
    vec![
        ind(
            m(
                "enf.insp_drawn",
                "双随机抽取检查对象数",
                "期间内检查结束的抽查任务随机抽中的检查对象（按任务的检查结束日期计）",
                "抽中的检查对象",
                None,
                Unit::Count,
                "国办发〔2015〕58号 二（二）",
            ),
            TARGETS,
            "c.ends_on",
            "1=1",
            "1=1",
            None,
        ),
        ind(
            m(
                "enf.insp_done_rate",
                "双随机抽查完成率",
                "期间内检查结束的任务中，已录入检查结果的检查对象 ÷ 抽中的检查对象",
                "已录入检查结果的",
                Some("抽中的检查对象"),
                Unit::Percent,
                "国办发〔2015〕58号 二（四）",
            ),
            TARGETS,
            "c.ends_on",
            "1=1",
            "d.result IS NOT NULL",
            Some("1=1"),
        ),
        ind(
            m(
                "enf.insp_coverage",
                "检查对象抽查比例",
                "期间内检查结束的任务中，被抽中的检查对象 ÷ 任务名录快照中的检查对象（与计划比例对照）",
                "被抽中的",
                Some("名录快照中的检查对象"),
                Unit::Percent,
                "国办发〔2015〕58号 二（三）",
            ),
            " FROM enf_insp_pool_entities d JOIN enf_insp_tasks c ON c.id = d.task_id",
            "c.ends_on",
            "c.state IN ('drawn', 'published')",
            "EXISTS (SELECT 1 FROM enf_insp_targets g WHERE g.task_id = d.task_id AND g.uscc = d.uscc)",
            Some("1=1"),
        ),
        ind(
            m(
                "enf.insp_findings_rate",
                "抽查发现问题率",
                "期间内完成检查的检查对象中，发现问题的 ÷ 完成检查的（按检查日期计）",
                "发现问题的",
                Some("完成检查的"),
                Unit::Percent,
                "国办发〔2015〕58号 二（四）",
            ),
            TARGETS,
            "d.inspected_on",
            "d.result IS NOT NULL",
            "d.result = 'issues'",
            Some("1=1"),
        ),
        ind(
            m(
                "enf.insp_published_on_time_rate",
                "抽查结果按期公示率",
                "期间内完成检查的检查对象中，自检查之日起20个工作日内公示结果的 ÷ 完成检查的",
                "按期公示的",
                Some("完成检查的"),
                Unit::Percent,
                "企业信息公示暂行条例第六条第二款；市场监管总局（20个工作日）",
            ),
            TARGETS,
            "d.inspected_on",
            "d.result IS NOT NULL",
            "d.published_on_time = TRUE",
            Some("1=1"),
        ),
        ind(
            m(
                "enf.insp_followed_up_rate",
                "抽查问题后续处置率",
                "期间内发现问题的检查对象中，已登记立案查处、移送或列入经营异常名录等处置的 ÷ 发现问题的",
                "已登记处置的",
                Some("发现问题的"),
                Unit::Percent,
                "国办发〔2015〕58号 二（四）",
            ),
            TARGETS,
            "d.inspected_on",
            "d.result = 'issues'",
            "d.follow_up IS NOT NULL",
            Some("1=1"),
        ),
    ]
});
