//! Government services' figures in the indicator registry: applications received (by unit,
//! channel and 证照分离 mode), the share that arrived online (the actual 全程网办 rate, to set
//! against what the catalogue declares), the on-time rate of decisions, and 好差评 (the share of
//! good ratings, and bad ratings followed up within their period). Each is one SQL
//! aggregate over the applications within the reader's scope, and the records behind a value are
//! listed by the same condition.

use std::sync::LazyLock;

use crate::registry_indicators::counted::{Counted, Grouping, Labels};
use crate::registry_indicators::{Block, Dimension, Indicator, Meta, Unit, dims};
use crate::rules;

pub const MODE: Dimension = Dimension { code: "mode", label: "证照分离改革方式" };
const DIMS: &[Dimension] = &[dims::ORG, dims::CHANNEL, MODE];
/// Ratings are counted by the unit only.
const RATING_DIMS: &[Dimension] = &[dims::ORG];
const RATING_GROUPS: &[Grouping] = &[Grouping::ORG];
const OWNER: &str = "政务服务管理办公室（行政审批局）";

const GROUPS: &[Grouping] = &[
    Grouping::ORG,
    Grouping { dim: "channel", column: "a.channel", labels: Labels::Codes(rules::CHANNELS) },
    Grouping { dim: "mode", column: "a.reform_mode", labels: Labels::Codes(rules::MODES) },
];

static ALL: LazyLock<Vec<Counted>> = LazyLock::new(|| {
    let m = |code, name, definition, numerator, denominator, unit, basis| Meta {
        code,
        name,
        block: Block::Functions,
        definition,
        numerator,
        denominator,
        unit,
        basis,
        owner: OWNER,
        procedure: Some(rules::CODE),
        dims: DIMS,
    };
    vec![
        Counted {
            meta: m(
                "services.applications",
                "政务服务申请数",
                "期间内收件的行政许可等依申请事项的申请，按收件日期计",
                "收件的申请",
                None,
                Unit::Count,
                "《行政许可法》第三十二条",
            ),
            period: "a.received_on",
            base: "1=1",
            numerator: "1=1",
            denominator: None,
            from: " FROM svc_applications a JOIN cases c ON c.id = a.case_id",
            groups: GROUPS,
            number: "c.case_no",
            title: "c.title",
            url: |id| format!("/services/applications/{id}"),
        },
        Counted {
            meta: m(
                "services.online_share",
                "网上申请占比（实际全程网办率）",
                "期间内收件的申请中经网上申请的 ÷ 收件的申请；与事项清单申报的网办深度对照",
                "网上申请的",
                Some("收件的申请"),
                Unit::Percent,
                "《国务院关于在线政务服务的若干规定》；《行政许可法》第三十三条",
            ),
            period: "a.received_on",
            base: "1=1",
            numerator: "a.channel = 'online'",
            denominator: Some("1=1"),
            from: " FROM svc_applications a JOIN cases c ON c.id = a.case_id",
            groups: GROUPS,
            number: "c.case_no",
            title: "c.title",
            url: |id| format!("/services/applications/{id}"),
        },
        Counted {
            meta: m(
                "services.on_time_rate",
                "按期办结率",
                "期间内作出决定的申请中在办理期限内（承诺时限，补正、特别程序顺延，批准延长后）作出的 ÷ 作出决定的申请",
                "按期作出决定的",
                Some("作出决定的申请"),
                Unit::Percent,
                "《行政许可法》第四十二条、第四十五条",
            ),
            period: "a.decided_on",
            base: "a.on_time IS NOT NULL",
            numerator: "a.on_time = TRUE",
            denominator: Some("1=1"),
            from: " FROM svc_applications a JOIN cases c ON c.id = a.case_id",
            groups: GROUPS,
            number: "c.case_no",
            title: "c.title",
            url: |id| format!("/services/applications/{id}"),
        },
        Counted {
            meta: Meta {
                dims: RATING_DIMS,
                ..m(
                    "services.satisfaction",
                    "好差评满意率",
                    "期间内申请人对办结申请的评价中非常满意、满意、基本满意的 ÷ 全部评价；按事项的实施单位计",
                    "好评（非常满意、满意、基本满意）",
                    Some("全部评价"),
                    Unit::Percent,
                    "国办发〔2019〕51号（好差评五个等级）",
                )
            },
            period: "r.rated_on",
            base: "1=1",
            numerator: "r.score >= 3",
            denominator: Some("1=1"),
            from: " FROM svc_ratings r JOIN cases c ON c.id = r.case_id",
            groups: RATING_GROUPS,
            number: "c.case_no",
            title: "c.title",
            url: |id| format!("/services/applications/{id}"),
        },
        Counted {
            meta: Meta {
                dims: RATING_DIMS,
                ..m(
                    "services.followup_on_time",
                    "差评按期回访整改率",
                    "期间内登记回访整改的差评中在回访期限内（本地默认15个工作日，可配置）完成的 ÷ 登记回访整改的差评",
                    "按期回访整改的",
                    Some("登记回访整改的差评"),
                    Unit::Percent,
                    "国办发〔2019〕51号；回访期限为本地规定",
                )
            },
            period: "r.followup_on",
            base: "r.followup_on IS NOT NULL",
            numerator: "r.followup_on_time = TRUE",
            denominator: Some("1=1"),
            from: " FROM svc_ratings r JOIN cases c ON c.id = r.case_id",
            groups: RATING_GROUPS,
            number: "c.case_no",
            title: "c.title",
            url: |id| format!("/services/applications/{id}"),
        },
    ]
});

/// The indicators of government services, for `Feature::indicators`.
pub fn all() -> Vec<&'static dyn Indicator> {
    ALL.iter().map(|i| i as &dyn Indicator).collect()
}
