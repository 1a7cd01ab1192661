//! What a published document carries besides its text, as government websites show it above
//! every document: 索引号 (the catalogue number, given when it is published), 主题分类 (the
//! subject, from the national list of 政府信息公开 subjects), 发文机关 (the organ in its full
//! name), 文号 for the kinds of document that have one, 成文日期 and 发布日期.

use crate::org::queries::OrgRow;

/// The subject classification of government information (国务院公文主题分类, as used by the
/// 政府信息公开 catalogues).
pub const THEMES: &[&str] = &[
    "综合政务",
    "国民经济管理、国有资产监管",
    "财政、金融、审计",
    "国土资源、能源",
    "农业、林业、水利",
    "工业、交通",
    "商贸、海关、旅游",
    "市场监管、安全生产监管",
    "城乡建设、环境保护",
    "科技、教育",
    "文化、广电、新闻出版",
    "卫生、体育",
    "人口与计划生育、妇女儿童工作",
    "劳动、人事、监察",
    "公安、安全、司法",
    "民政、扶贫、救灾",
    "民族、宗教",
    "对外事务",
    "港澳台侨工作",
    "国防",
    "其他",
];

/// The subject a catalogue item usually belongs to: the default when staff choose none, and
/// what documents published before subjects were recorded are shown under.
pub fn default_theme(category_code: &str) -> &'static str {
    match category_code {
        "A20-03" | "A20-04" => "国民经济管理、国有资产监管",
        "A20-07" | "A20-08" | "A20-09" => "财政、金融、审计",
        "A20-10" | "A21-C1" | "A21-C5" | "A21-T6" => "城乡建设、环境保护",
        "A20-11" | "A21-C3" | "A21-C7" | "A21-T8" => "民政、扶贫、救灾",
        "A20-13" => "市场监管、安全生产监管",
        "A20-14" => "劳动、人事、监察",
        "A21-C4" | "A21-T4" | "A21-T5" => "国土资源、能源",
        "A21-C6" => "公安、安全、司法",
        "A21-T1" | "A21-T2" | "A21-T3" | "A21-T7" => "农业、林业、水利",
        "A20-15" => "其他",
        _ => "综合政务",
    }
}

/// Kinds of document that are issued with a 文号: a normative document or a rule cannot be
/// published without one, nor a decision.
pub fn kind_has_doc_no(kind: &str) -> bool {
    matches!(kind, "normative" | "rule" | "decision")
}

/// The organ's full name as it signs documents: 示范市民政局, 东湖镇人民政府, 示范经济开发区
/// 管理委员会. `city` is the city's short name (示范市).
pub fn organ_name(org: &OrgRow, city: &str) -> String {
    let name = org.name.as_str();
    match org.kind.as_str() {
        "city" => name.to_string(),
        "town" if !name.ends_with("人民政府") => format!("{name}人民政府"),
        "park" if !name.ends_with("管理委员会") => format!("{name}管理委员会"),
        _ => match name.strip_prefix('市') {
            Some(rest) if !city.is_empty() => format!("{city}{rest}"),
            _ => name.to_string(),
        },
    }
}

/// 索引号: the unit's code, the year of publication and the unit's sequence in that year.
pub fn index_no(org_code: &str, year: i32, seq: i64) -> String {
    format!("{org_code}/{year}-{seq:05}")
}

/// The counter of a unit's index numbers in a year (kept in `case_sequences`).
pub fn index_sequence_key(org_code: &str, year: i32) -> String {
    format!("publication-index:{org_code}:{year}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(name: &str, kind: &str) -> OrgRow {
        OrgRow {
            id: 1,
            parent_id: None,
            code: "X".into(),
            name: name.into(),
            short_name: String::new(),
            kind: kind.into(),
            path: "/1/".into(),
            depth: 1,
            sort: 0,
            active: true,
            version: 1,
        }
    }

    #[test]
    fn organs_sign_with_their_full_names() {
        assert_eq!(organ_name(&org("市民政局", "department"), "示范市"), "示范市民政局");
        assert_eq!(organ_name(&org("东湖镇", "town"), "示范市"), "东湖镇人民政府");
        assert_eq!(organ_name(&org("示范经济开发区", "park"), "示范市"), "示范经济开发区管理委员会");
        assert_eq!(organ_name(&org("示范市人民政府", "city"), "示范市"), "示范市人民政府");
    }

    #[test]
    fn every_catalogue_item_has_a_subject_from_the_list() {
        for code in ["A20-01", "A20-07", "A21-C4", "A21-T8", "A20-15", "LOCAL-1"] {
            assert!(THEMES.contains(&default_theme(code)), "{code}");
        }
        assert_eq!(index_no("D-MZJ", 2026, 12), "D-MZJ/2026-00012");
    }
}
