//! 法律援助's figures in the indicator registry (LEGAL-RULES.md §9.2, seed 五): cases by type and
//! channel, decisions within the seven days, assignments within the three, the amounts recovered
//! for the aided (元) and, counted separately, migrant workers' wages, and satisfaction. Counts
//! are the platform's `Counted`; an amount is the same selection summed over a column, and its
//! records are the same records the count would list.

use std::sync::LazyLock;

use futures::FutureExt;
use futures::future::BoxFuture;

use crate::db::q;
use crate::error::AppError;
use crate::legal_aid_rules as rules;
use crate::registry_indicators::counted::{Counted, Grouping, Labels};
use crate::registry_indicators::{Block, Cell, Dimension, Evaluation, Indicator, Meta, Params, Part, RecordRef, Unit, dims, org_names};
use crate::state::AppState;
use crate::web::{Page, Paging};

const CATEGORY: Dimension = Dimension { code: "category", label: "援助事项" };
const CLOSING: Dimension = Dimension { code: "closing", label: "结案方式" };
const DIMS: &[Dimension] = &[dims::ORG, dims::CHANNEL, CATEGORY];
const CLOSED_DIMS: &[Dimension] = &[dims::ORG, dims::CHANNEL, CATEGORY, CLOSING];
const OWNER: &str = "法律援助（市公共法律服务中心）";
const FROM: &str = " FROM legal_aid_cases a JOIN cases c ON c.id = a.case_id";
/// A case carried out and closed with one of the standard codes.
const CARRIED_OUT: &str = "a.closing_code IN ('judgment', 'ruling', 'mediation', 'settlement', 'withdrawal', 'arbitration', 'non_litigation')";

const GROUPS: &[Grouping] = &[
    Grouping::ORG,
    Grouping { dim: "channel", column: "a.channel", labels: Labels::Codes(rules::CHANNELS) },
    Grouping { dim: "category", column: "a.category", labels: Labels::Codes(rules::CATEGORIES) },
    Grouping { dim: "closing", column: "a.closing_code", labels: Labels::Codes(rules::ALL_CODES) },
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

fn counted(meta: Meta, period: &'static str, base: &'static str, numerator: &'static str, denominator: Option<&'static str>) -> Counted {
    Counted {
        meta,
        from: FROM,
        period,
        base,
        numerator,
        denominator,
        groups: GROUPS,
        number: "c.case_no",
        title: "c.title",
        url: |id| format!("/disputes/legal-aid/{id}"),
    }
}

/// An amount in 元: the sum of `column` over the records a count would select.
pub struct Summed {
    records: Counted,
    column: &'static str,
}

impl Summed {
    async fn eval(&self, state: &AppState, p: &Params) -> Result<Evaluation, AppError> {
        let c = &self.records;
        let dim = p.by.map(|d| d.code).unwrap_or("");
        let grouping = c.groups.iter().find(|g| g.dim == dim);
        let group = grouping.map(|g| format!("CAST({} AS TEXT)", g.column)).unwrap_or_else(|| "CAST('' AS TEXT)".into());
        let w = q(format!("{} WHERE {} AND {} AND {} >= $1 AND {} <= $2", c.from, c.base, c.numerator, c.period, c.period)).bind(p.from_str()).bind(p.to_str());
        let w = p.scope.filter(w, "c.org_id");
        let mut query = q(format!("SELECT {group} AS k, CAST(COALESCE(SUM({}), 0) AS BIGINT){}", self.column, w.sql()));
        for a in w.args() {
            query = query.bind(a.clone());
        }
        if grouping.is_some() {
            query = query.push(&format!(" GROUP BY {group}"));
        }
        let rows: Vec<(Option<String>, i64)> = query.fetch_all(&state.db).await?;
        let total: i64 = rows.iter().map(|r| r.1).sum();
        let groups = match grouping {
            None => vec![],
            Some(g) => {
                let labels: std::collections::HashMap<String, String> = match &g.labels {
                    Labels::Orgs => {
                        let ids: Vec<i64> = rows.iter().filter_map(|r| r.0.as_deref().and_then(|k| k.parse().ok())).collect();
                        org_names(state, &ids).await?.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
                    }
                    Labels::Codes(codes) => codes.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
                };
                let mut v: Vec<Cell> = rows
                    .into_iter()
                    .map(|(k, n)| {
                        let k = k.unwrap_or_default();
                        Cell { label: labels.get(&k).cloned().unwrap_or_else(|| k.clone()), key: Some(k), numerator: n, denominator: None }
                    })
                    .collect();
                v.sort_by(|a, b| b.numerator.cmp(&a.numerator).then(a.label.cmp(&b.label)));
                v
            }
        };
        Ok(Evaluation { total: Cell::total(total, None), groups })
    }
}

impl Indicator for Summed {
    fn meta(&self) -> &Meta {
        &self.records.meta
    }
    fn evaluate<'a>(&'a self, state: &'a AppState, p: &'a Params) -> BoxFuture<'a, Result<Evaluation, AppError>> {
        self.eval(state, p).boxed()
    }
    fn records<'a>(
        &'a self,
        state: &'a AppState,
        p: &'a Params,
        key: Option<&'a str>,
        part: Part,
        paging: Paging,
    ) -> BoxFuture<'a, Result<Page<RecordRef>, AppError>> {
        self.records.records(state, p, key, part, paging)
    }
}

static COUNTS: LazyLock<Vec<Counted>> = LazyLock::new(|| {
    vec![
        counted(
            meta(
                "disputes.legal_aid_cases",
                "法律援助申请数",
                "期间内收到的法律援助申请（网上、窗口、办案机关转交），按收到日期计；可按事项、渠道分",
                "收到的申请",
                None,
                Unit::Count,
                "《法律援助法》第三十一条、第四十三条",
                DIMS,
            ),
            "a.received_on",
            "1=1",
            "1=1",
            None,
        ),
        counted(
            meta(
                "disputes.legal_aid_granted",
                "法律援助案件数（给予援助）",
                "期间内决定给予（含先行提供）法律援助的案件，按决定日期计（种子报告：879件）",
                "给予援助的案件",
                None,
                Unit::Count,
                "《法律援助法》第四十三条、第四十四条",
                DIMS,
            ),
            "a.decided_on",
            "a.decision IN ('granted', 'provisional')",
            "1=1",
            None,
        ),
        counted(
            meta(
                "disputes.legal_aid_decided_in_time_rate",
                "法律援助按期决定率",
                "收到申请之日起七日内（补充材料的，自补齐之日起，本地默认）作出是否给予法律援助决定的 ÷ 期间内作出决定的",
                "按期决定的",
                Some("作出决定的"),
                Unit::Percent,
                "《法律援助法》第四十三条第一款",
                DIMS,
            ),
            "a.decided_on",
            "a.decided_on IS NOT NULL",
            "a.decided_in_time = TRUE",
            Some("1=1"),
        ),
        counted(
            meta(
                "disputes.legal_aid_assigned_in_time_rate",
                "法律援助按期指派率",
                "决定给予之日起三日内指派法律援助人员的 ÷ 期间内指派的",
                "按期指派的",
                Some("指派的"),
                Unit::Percent,
                "《法律援助法》第四十三条第一款",
                DIMS,
            ),
            "a.assigned_on",
            "a.assigned_on IS NOT NULL",
            "a.assigned_in_time = TRUE",
            Some("1=1"),
        ),
        counted(
            meta(
                "disputes.legal_aid_closed",
                "法律援助结案数",
                "期间内以统一结案方式办结的案件（判决、裁定、调解、和解、撤诉、仲裁、非诉讼办结），按结案日期计",
                "办结的案件",
                None,
                Unit::Count,
                "《法律援助法》第五十条",
                CLOSED_DIMS,
            ),
            "a.concluded_on",
            CARRIED_OUT,
            "1=1",
            None,
        ),
        counted(
            meta(
                "disputes.legal_aid_satisfaction_rate",
                "法律援助满意率",
                "受援人评价为满意或很满意的 ÷ 期间内作出评价的（按评价日期计）",
                "满意或很满意",
                Some("作出评价的"),
                Unit::Percent,
                "《法律援助法》第五十九条（回访受援人）",
                DIMS,
            ),
            "a.rated_on",
            "a.satisfaction IS NOT NULL",
            "a.satisfaction >= 4",
            Some("1=1"),
        ),
    ]
});

static SUMS: LazyLock<Vec<Summed>> = LazyLock::new(|| {
    vec![
        Summed {
            records: counted(
                meta(
                    "disputes.legal_aid_amount_recovered",
                    "法律援助挽回金额",
                    "期间内办结的法律援助案件为受援人挽回的金额（元），按结案日期计",
                    "挽回金额",
                    None,
                    Unit::Yuan,
                    "《法律援助法》第五十条（结案报告）",
                    CLOSED_DIMS,
                ),
                "a.concluded_on",
                CARRIED_OUT,
                "a.amount_recovered > 0",
                None,
            ),
            column: "a.amount_recovered",
        },
        Summed {
            records: counted(
                meta(
                    "disputes.legal_aid_migrant_wages",
                    "为农民工追回工资",
                    "期间内办结的案件中为进城务工人员追回的劳动报酬（元），单独统计，按结案日期计（种子报告：950余万元）",
                    "追回的农民工工资",
                    None,
                    Unit::Yuan,
                    "《法律援助法》第四十二条第三项；《保障农民工工资支付条例》",
                    CLOSED_DIMS,
                ),
                "a.concluded_on",
                CARRIED_OUT,
                "a.wages_recovered > 0",
                None,
            ),
            column: "a.wages_recovered",
        },
    ]
});

pub fn all() -> Vec<&'static dyn Indicator> {
    let mut v: Vec<&'static dyn Indicator> = COUNTS.iter().map(|i| i as &dyn Indicator).collect();
    v.extend(SUMS.iter().map(|i| i as &dyn Indicator));
    v
}
