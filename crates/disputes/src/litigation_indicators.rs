//! 行政应诉's figures (LEGAL-RULES.md §7(e)): suits received, 负责人出庭应诉率 (hearings at which
//! the head or a deputy in charge appeared, 规定 Art. 2), 败诉率 by agency (judgments in force
//! that the agency lost) and the share of lost judgments performed. Each is the platform's
//! `Counted` over the suits, or the hearings, of the agencies in the reader's scope.

use std::sync::LazyLock;

use crate::litigation_rules as rules;
use crate::registry_indicators::counted::{Counted, Grouping, Labels};
use crate::registry_indicators::{Block, Dimension, Indicator, Meta, Unit, dims};

const OUTCOME: Dimension = Dimension { code: "outcome", label: "裁判结果" };
const APPEARANCE: Dimension = Dimension { code: "appearance", label: "出庭情况" };
const OWNER: &str = "行政应诉（各被告机关，司法局汇总）";
const SUITS: &str = " FROM lit_cases l JOIN cases c ON c.id = l.case_id";
const HEARINGS: &str = " FROM lit_hearings h JOIN cases c ON c.id = h.case_id";

const GROUPS: &[Grouping] = &[
    Grouping::ORG,
    Grouping { dim: "outcome", column: "l.final_outcome", labels: Labels::Codes(rules::OUTCOMES) },
    Grouping { dim: "appearance", column: "h.appearance", labels: Labels::Codes(rules::APPEARANCE) },
];

fn meta(
    code: &'static str,
    name: &'static str,
    definition: &'static str,
    numerator: &'static str,
    denominator: Option<&'static str>,
    unit: Unit,
    basis: &'static str,
    dims: &'static [Dimension],
) -> Meta {
    Meta { code, name, block: Block::Disputes, definition, numerator, denominator, unit, basis, owner: OWNER, procedure: Some(rules::CODE), dims }
}

fn counted(meta: Meta, from: &'static str, period: &'static str, base: &'static str, numerator: &'static str, denominator: Option<&'static str>) -> Counted {
    Counted {
        meta,
        from,
        period,
        base,
        numerator,
        denominator,
        groups: GROUPS,
        number: "c.case_no",
        title: "c.title",
        url: |id| format!("/disputes/litigation/{id}"),
    }
}

static ALL: LazyLock<Vec<Counted>> = LazyLock::new(|| {
    vec![
        counted(
            meta(
                "disputes.lit_cases",
                "行政应诉案件数",
                "期间内收到起诉状副本的行政诉讼案件（本市行政机关为被告），按收到日期计；按单位分即各被告机关",
                "应诉案件",
                None,
                Unit::Count,
                "《行政诉讼法》第六十七条",
                &[dims::ORG],
            ),
            SUITS,
            "l.served_on",
            "1=1",
            "1=1",
            None,
        ),
        counted(
            meta(
                "disputes.lit_head_appearance_rate",
                "行政机关负责人出庭应诉率",
                "正职、副职或分管负责人出庭的庭次 ÷ 期间内开庭的庭次，按开庭日期计",
                "负责人出庭的庭次",
                Some("开庭庭次"),
                Unit::Percent,
                "《行政诉讼法》第三条第三款；最高人民法院《关于行政机关负责人出庭应诉若干问题的规定》第二条",
                &[dims::ORG, APPEARANCE],
            ),
            HEARINGS,
            "h.hearing_on",
            "1=1",
            "h.appearance IN ('head', 'deputy')",
            Some("1=1"),
        ),
        counted(
            meta(
                "disputes.lit_loss_rate",
                "行政诉讼败诉率",
                "生效裁判为撤销、责令履行、给付、确认违法、确认无效或变更的 ÷ 期间内裁判生效的案件，按生效日期计；按单位分即各机关的败诉率",
                "败诉的案件",
                Some("裁判生效的案件"),
                Unit::Percent,
                "《行政诉讼法》第七十条至第七十七条",
                &[dims::ORG, OUTCOME],
            ),
            SUITS,
            "l.effective_on",
            "l.effective_on IS NOT NULL",
            "l.lost = TRUE",
            Some("1=1"),
        ),
        counted(
            meta(
                "disputes.lit_performed_rate",
                "败诉裁判履行率",
                "败诉案件中已登记全部履行的 ÷ 期间内生效的败诉案件，按生效日期计",
                "已履行的",
                Some("生效的败诉案件"),
                Unit::Percent,
                "《行政诉讼法》第九十四条",
                &[dims::ORG, OUTCOME],
            ),
            SUITS,
            "l.effective_on",
            "l.lost = TRUE",
            "l.performance = 'performed'",
            Some("1=1"),
        ),
    ]
});

pub fn all() -> Vec<&'static dyn Indicator> {
    ALL.iter().map(|i| i as &dyn Indicator).collect()
}
