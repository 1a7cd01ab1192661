//! The rules of 双随机、一公开 (LEGAL-RULES.md §4), each with its source and its standing:
//! checked [C], secondary [S] or a local default [U] an administrator may change.

use crate::kernel::definition::Basis;

pub const LIST_ONLY: Basis = Basis::secondary(
    "国务院办公厅关于推广随机抽查规范事中事后监管的通知（国办发〔2015〕58号）",
    "二（一）",
    "制定随机抽查事项清单……法律法规规章没有规定的，一律不得擅自开展检查",
);
pub const RANDOM: Basis = Basis::secondary(
    "国务院办公厅关于推广随机抽查规范事中事后监管的通知（国办发〔2015〕58号）",
    "二（二）、二（三）",
    "建立检查对象名录库和执法检查人员名录库，随机抽取检查对象，随机选派执法检查人员；合理确定随机抽查的比例和频次",
);
pub const SCOPE: Basis =
    Basis::checked("优化营商环境条例", "第五十四条", "除特殊行业、重点领域外，市场监管领域的行政检查原则上应当通过双随机、一公开的方式进行");
pub const TWO: Basis =
    Basis::checked("中华人民共和国行政处罚法", "第四十二条", "行政处罚应当由具有行政执法资格的执法人员实施。执法人员不得少于两人，法律另有规定的除外");
pub const RECUSAL: Basis = Basis::checked("中华人民共和国行政处罚法", "第四十三条", "执法人员与案件有直接利害关系或者有其他关系可能影响公正执法的，应当回避");
pub const PUBLISH: Basis = Basis::secondary(
    "企业信息公示暂行条例第六条第二款；市场监管总局关于双随机、一公开监管工作的说明（2018）",
    "",
    "抽查检查结果自检查结束之日起20个工作日内通过国家企业信用信息公示系统向社会公示",
);
pub const FOLLOW_UP: Basis = Basis::secondary(
    "国务院办公厅关于推广随机抽查规范事中事后监管的通知（国办发〔2015〕58号）",
    "二（四）",
    "抽查结果及时向社会公布；对抽查发现的违法违规行为依法查处，涉嫌犯罪的移送司法机关",
);
/// The per-class ratios a task starts from: the item's ratio for A and B, twice it for C,
/// three times for D (capped at 100%), because 58号 asks for a higher ratio where risk is
/// higher. A local default: the task form shows and changes it.
pub const RISK_WEIGHTING: Basis = Basis::local(
    "本地默认（国办发〔2015〕58号 二（三）：对……违法违规记录多的，可以提高抽查比例和频次）",
    "",
    "A、B类按事项比例，C类为其2倍，D类为其3倍（最高100%）；可在任务中逐类调整",
);

/// Working days within which results are published after the inspection.
pub const PUBLISH_WD: u32 = 20;
/// The smallest team the draw assigns (Art. 42).
pub const MIN_TEAM: i64 = 2;

pub const RISKS: &[(&str, &str)] = &[("A", "A类（低风险）"), ("B", "B类（一般风险）"), ("C", "C类（较高风险）"), ("D", "D类（高风险）")];
pub const ENTITY_TYPES: &[(&str, &str)] = &[("enterprise", "企业"), ("individual", "个体工商户"), ("cooperative", "农民专业合作社"), ("other", "其他")];
pub const ITEM_SCOPES: &[(&str, &str)] =
    &[("all", "全部类型"), ("enterprise", "企业"), ("individual", "个体工商户"), ("cooperative", "农民专业合作社"), ("other", "其他")];
pub const ITEM_KINDS: &[(&str, &str)] = &[("general", "一般检查事项"), ("key", "重点检查事项")];
pub const STATES: &[(&str, &str)] =
    &[("draft", "待公布抽取参数"), ("committed", "已公布参数，待抽取"), ("drawn", "已抽取，检查中"), ("published", "结果已全部公示")];
pub const RESULTS: &[(&str, &str)] = &[("ok", "未发现问题"), ("issues", "发现问题"), ("absent", "未发现开展经营活动（查无下落）")];
pub const FOLLOW_UPS: &[(&str, &str)] = &[("none", "无需后续处置"), ("case", "立案查处"), ("transferred", "移送其他部门"), ("abnormal", "列入经营异常名录")];

pub fn label(list: &[(&'static str, &'static str)], code: &str) -> &'static str {
    list.iter().find(|o| o.0 == code).map(|o| o.1).unwrap_or("")
}

/// A ratio typed as a percentage ("5", "5.5", "12.25%") in basis points.
pub fn parse_percent(s: &str) -> Option<i64> {
    let s = s.trim().trim_end_matches('%').trim();
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() || int.len() > 3 || frac.len() > 2 || !int.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let frac = format!("{frac:0<2}");
    let bp = int.parse::<i64>().ok()? * 100 + frac.parse::<i64>().ok()?;
    (1..=10_000).contains(&bp).then_some(bp)
}

/// Basis points as a percentage for people.
pub fn percent(bp: i64) -> String {
    if bp % 100 == 0 { format!("{}%", bp / 100) } else { format!("{}.{:02}%", bp / 100, bp % 100).replace("0%", "%") }
}

/// The ratios per class a task starts from (RISK_WEIGHTING).
pub fn default_ratios(item_bp: i64) -> [i64; 4] {
    [item_bp, item_bp, (item_bp * 2).min(10_000), (item_bp * 3).min(10_000)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages() {
        assert_eq!(parse_percent("5"), Some(500));
        assert_eq!(parse_percent("5.5%"), Some(550));
        assert_eq!(parse_percent("12.25"), Some(1225));
        assert_eq!(parse_percent("100"), Some(10_000));
        assert_eq!(parse_percent("0"), None);
        assert_eq!(parse_percent("101"), None);
        assert_eq!(parse_percent("5.555"), None);
        assert_eq!(parse_percent("abc"), None);
        assert_eq!(percent(500), "5%");
        assert_eq!(percent(550), "5.5%");
        assert_eq!(percent(1225), "12.25%");
        assert_eq!(default_ratios(5000), [5000, 5000, 10_000, 10_000]);
    }
}
