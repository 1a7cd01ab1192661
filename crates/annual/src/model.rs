//! The rules of the annual report: the five statutory contents, how sections are numbered, and
//! the two deadlines, each with its basis (LEGAL-RULES.md §10).

use chrono::NaiveDate;

/// The basis of the report and its contents.
pub const BASIS: &str = "《法治政府建设与责任落实督察工作规定》（厅字〔2019〕28号）";

/// The five contents a report must give (督察工作规定, LEGAL-RULES §10 [S]).
pub const CONTENTS: &[(&str, &str)] = &[
    ("measures", "上一年度推进法治政府建设的主要举措和成效"),
    ("shortcomings", "存在的不足和原因"),
    ("leaders", "党政主要负责人履行推进法治建设第一责任人职责，加强法治政府建设的有关情况"),
    ("plans", "下一年度推进法治政府建设的主要安排"),
    ("other", "其他需要报告的情况"),
];

pub fn content_label(code: &str) -> &'static str {
    CONTENTS.iter().find(|c| c.0 == code).map(|c| c.1).unwrap_or("")
}

/// The content codes of a section, as stored ("measures,leaders"), known ones only.
pub fn content_codes(stored: &str) -> Vec<&'static str> {
    CONTENTS.iter().filter(|c| stored.split(',').any(|s| s.trim() == c.0)).map(|c| c.0).collect()
}

/// Section levels.
pub const LEVELS: &[(i64, &str)] = &[(0, "段落（无标题，如引言、结语）"), (1, "部分（一、）"), (2, "分项（（一））")];

const CN: [&str; 20] =
    ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五", "十六", "十七", "十八", "十九", "二十"];

fn cn(n: usize) -> String {
    CN.get(n.saturating_sub(1)).map(|s| s.to_string()).unwrap_or_else(|| n.to_string())
}

/// The numbers of sections in order, from their levels: parts 一、二、…, sub-sections
/// （一）（二）… counted again under each part; paragraphs have none.
pub fn numbering(levels: &[i64]) -> Vec<String> {
    let (mut part, mut sub) = (0usize, 0usize);
    levels
        .iter()
        .map(|l| match l {
            1 => {
                part += 1;
                sub = 0;
                format!("{}、", cn(part))
            }
            2 => {
                sub += 1;
                format!("（{}）", cn(sub))
            }
            _ => String::new(),
        })
        .collect()
}

/// The statutory contents no section covers.
pub fn missing_contents<'a>(sections: impl Iterator<Item = &'a str>) -> Vec<(&'static str, &'static str)> {
    let covered: Vec<&'static str> = sections.flat_map(content_codes).collect();
    CONTENTS.iter().filter(|c| !covered.contains(&c.0)).copied().collect()
}

/// A deadline of a report year, with its basis.
#[derive(Clone, Debug)]
pub struct Deadline {
    pub what: &'static str,
    pub due: NaiveDate,
    pub basis: &'static str,
    /// The date is a local default to be confirmed (LEGAL-RULES marks it [U]).
    pub local_default: bool,
}

/// Settings keys of the two dates ("MM-DD" in the year after the report's).
pub const SUBMIT_KEY: &str = "annual.submit_due";
pub const PUBLISH_KEY: &str = "annual.publish_due";

/// The two deadlines of a report on `year`: the report to the Party committee and the people's
/// congress standing committee by 1 March, publication by 1 April of the next year. The
/// administrator may change either date (`settings`): "MM-DD".
pub fn deadlines(year: i32, submit: Option<&str>, publish: Option<&str>) -> Vec<Deadline> {
    let date = |s: Option<&str>, m: u32, d: u32| {
        s.and_then(|s| {
            let (a, b) = s.split_once('-')?;
            NaiveDate::from_ymd_opt(year + 1, a.parse().ok()?, b.parse().ok()?)
        })
        .or_else(|| NaiveDate::from_ymd_opt(year + 1, m, d))
        .unwrap_or_default()
    };
    vec![
        Deadline {
            what: "向同级党委和人大常委会报告",
            due: date(submit, 3, 1),
            basis: "《法治政府建设与责任落实督察工作规定》：县级以上地方各级政府每年第一季度向同级党委和人大常委会报告上一年度法治政府建设情况（3月1日前，据省级实施文件；日期归属待核实，本地默认，可在设置中修改）",
            local_default: true,
        },
        Deadline {
            what: "向社会公开",
            due: date(publish, 4, 1),
            basis: "《法治政府建设与责任落实督察工作规定》第二十四条：年度报告于每年4月1日之前通过报刊、政府网站等向社会公开（涉及党和国家秘密的除外）",
            local_default: false,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parts_and_sub_sections() {
        assert_eq!(numbering(&[0, 1, 2, 2, 1, 2, 0]), vec!["", "一、", "（一）", "（二）", "二、", "（一）", ""]);
    }

    #[test]
    fn finds_the_contents_no_section_covers() {
        let missing = missing_contents(["measures", "measures,leaders", "plans"].into_iter());
        assert_eq!(missing.iter().map(|m| m.0).collect::<Vec<_>>(), vec!["shortcomings", "other"]);
        assert!(missing_contents(["measures,shortcomings,leaders,plans,other"].into_iter()).is_empty());
    }

    #[test]
    fn deadlines_are_in_the_next_year_and_follow_settings() {
        let d = deadlines(2020, None, None);
        assert_eq!(d[0].due, NaiveDate::from_ymd_opt(2021, 3, 1).unwrap());
        assert_eq!(d[1].due, NaiveDate::from_ymd_opt(2021, 4, 1).unwrap());
        assert!(d[1].basis.contains("第二十四条"));
        let d = deadlines(2020, Some("02-28"), Some("bad"));
        assert_eq!(d[0].due, NaiveDate::from_ymd_opt(2021, 2, 28).unwrap());
        assert_eq!(d[1].due, NaiveDate::from_ymd_opt(2021, 4, 1).unwrap());
    }
}
