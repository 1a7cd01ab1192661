//! Placeholders in a narrative paragraph and how a value is written. A paragraph is text with
//! figures in braces:
//!
//! - `{hotline.received}` — an indicator's total for the report's year and organisation;
//! - `{hotline.received@channel=市长信箱}` — one group of it, cut by a dimension the indicator
//!   declares; the key is the group's key or its label as the indicator page shows it;
//! - `{hotline.close_rate|pct1}` — with a format: `count`, `pct` (at most two decimals, trailing
//!   zeros dropped: 100%, 99.91%), `pct0`…`pct3` (fixed decimals), `wan` (万元), `yuan` (元);
//! - `{report.year}`, `{report.next_year}`, `{report.org}` — the report's own facts.
//!
//! Pure functions: parsing, and writing a value in a format.

use fazhi_platform::indicators::Unit;

/// One piece of a paragraph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Text(String),
    Figure(Placeholder),
}

/// A figure asked for by a paragraph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placeholder {
    /// As written, without the braces: the key under which its value is frozen.
    pub raw: String,
    pub code: String,
    /// (dimension code, group key or label).
    pub group: Option<(String, String)>,
    pub format: Option<Format>,
}

/// How a value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Count,
    /// Percent with at most two decimals, trailing zeros dropped.
    Pct,
    /// Percent with this many decimals.
    PctFixed(u8),
    /// 万元, at most two decimals.
    Wan,
    Yuan,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s {
            "count" => Format::Count,
            "pct" => Format::Pct,
            "pct0" => Format::PctFixed(0),
            "pct1" => Format::PctFixed(1),
            "pct2" => Format::PctFixed(2),
            "pct3" => Format::PctFixed(3),
            "wan" => Format::Wan,
            "yuan" => Format::Yuan,
            _ => return None,
        })
    }
    /// Can a value in this unit be written so? Percentages only as percentages.
    pub fn fits(self, unit: Unit) -> bool {
        matches!((self, unit), (Format::Pct | Format::PctFixed(_), Unit::Percent) | (Format::Count | Format::Wan | Format::Yuan, Unit::Count | Unit::Yuan))
    }
    /// The format a unit is written in when the paragraph names none.
    pub fn default_for(unit: Unit) -> Format {
        match unit {
            Unit::Count => Format::Count,
            Unit::Percent => Format::Pct,
            Unit::Yuan => Format::Yuan,
        }
    }
}

/// The report's own facts a paragraph may name.
pub const REPORT_FACTS: &[(&str, &str)] = &[("report.year", "报告年度"), ("report.next_year", "下一年度"), ("report.org", "报告单位")];

/// A paragraph that cannot be parsed: the message names the place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub code: &'static str,
    pub message: String,
}

/// Split a paragraph into text and figures.
pub fn parse(body: &str) -> Result<Vec<Segment>, ParseError> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = body;
    while let Some(open) = rest.find(['{', '}']) {
        text.push_str(&rest[..open]);
        if rest[open..].starts_with('}') {
            return Err(ParseError { code: "unmatched_brace", message: format!("“{}”附近多了一个右花括号 }}", context(rest, open)) });
        }
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err(ParseError { code: "unclosed_placeholder", message: format!("“{}”附近的占位符缺少右花括号 }}", context(rest, open)) });
        };
        let inner = &after[..close];
        if inner.contains('{') {
            return Err(ParseError { code: "unclosed_placeholder", message: format!("“{}”附近的占位符缺少右花括号 }}", context(rest, open)) });
        }
        if !text.is_empty() {
            out.push(Segment::Text(std::mem::take(&mut text)));
        }
        out.push(Segment::Figure(placeholder(inner)?));
        rest = &after[close + 1..];
    }
    text.push_str(rest);
    if !text.is_empty() {
        out.push(Segment::Text(text));
    }
    Ok(out)
}

fn context(s: &str, at: usize) -> String {
    s[at..].chars().take(12).collect()
}

fn placeholder(inner: &str) -> Result<Placeholder, ParseError> {
    let raw = inner.trim().to_string();
    let (main, format) = match raw.split_once('|') {
        Some((m, f)) => {
            let f = f.trim();
            let fmt = Format::parse(f).ok_or_else(|| ParseError {
                code: "bad_format",
                message: format!("占位符 {{{raw}}} 的格式“{f}”无法识别（可用：count、pct、pct0～pct3、wan、yuan）"),
            })?;
            (m.trim(), Some(fmt))
        }
        None => (raw.as_str(), None),
    };
    let (code, group) = match main.split_once('@') {
        Some((c, g)) => {
            let (d, k) = g
                .split_once('=')
                .ok_or_else(|| ParseError {
                    code: "bad_group", message: format!("占位符 {{{raw}}} 的分组应写作 @维度=分组，如 @channel=市长信箱")
                })?;
            if d.trim().is_empty() || k.trim().is_empty() {
                return Err(ParseError { code: "bad_group", message: format!("占位符 {{{raw}}} 的分组维度和分组都不能为空") });
            }
            (c.trim(), Some((d.trim().to_string(), k.trim().to_string())))
        }
        None => (main, None),
    };
    let valid = !code.is_empty() && code.contains('.') && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
    if !valid {
        return Err(ParseError { code: "bad_placeholder", message: format!("{{{raw}}} 不是有效的占位符：指标代码形如 hotline.received") });
    }
    Ok(Placeholder { raw: raw.clone(), code: code.to_string(), group, format })
}

/// Write a value in a format. `numerator`/`denominator` as the indicator computed them; `None`
/// when a rate has nothing to divide by.
pub fn write(unit: Unit, format: Format, numerator: i64, denominator: Option<i64>) -> Option<String> {
    let value = match (unit, denominator) {
        (Unit::Percent, Some(0) | None) => return None,
        (Unit::Percent, Some(d)) => numerator as f64 * 100.0 / d as f64,
        _ => numerator as f64,
    };
    let whole = unit == Unit::Percent && denominator == Some(numerator);
    Some(match format {
        Format::Count => format!("{}", value.round() as i64),
        Format::Pct => format!("{}%", trimmed(value, 2, whole)),
        Format::PctFixed(n) => format!("{}%", fixed(value, n as usize, whole)),
        Format::Wan => format!("{}万元", trimmed(value / 10_000.0, 2, false)),
        Format::Yuan => format!("{}元", value.round() as i64),
    })
}

/// `n` decimals. A rate that is not whole is never written as 100: 99.996% rounds to 100.00
/// but says every record was counted when one was not, so it is cut to 99.99 instead.
fn fixed(v: f64, n: usize, whole: bool) -> String {
    let s = format!("{v:.n$}");
    if !whole && s.parse::<f64>().is_ok_and(|r| r >= 100.0) && v < 100.0 {
        let f = 10f64.powi(n as i32);
        return format!("{:.n$}", (v * f).floor() / f);
    }
    s
}

fn trimmed(v: f64, n: usize, whole: bool) -> String {
    let s = fixed(v, n, whole);
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_text_figures_groups_and_formats() {
        let s = parse("共接听处理{hotline.received}件次,办结率达{hotline.close_rate|pct1},信箱{hotline.received@channel=市长信箱}条").unwrap();
        assert_eq!(s.len(), 7);
        assert_eq!(s[0], Segment::Text("共接听处理".into()));
        let Segment::Figure(p) = &s[3] else { panic!() };
        assert_eq!((p.code.as_str(), p.format), ("hotline.close_rate", Some(Format::PctFixed(1))));
        let Segment::Figure(p) = &s[5] else { panic!() };
        assert_eq!(p.group, Some(("channel".into(), "市长信箱".into())));
        assert_eq!(p.raw, "hotline.received@channel=市长信箱");
        assert_eq!(parse("没有数字").unwrap(), vec![Segment::Text("没有数字".into())]);
        assert_eq!(parse("").unwrap(), vec![]);
    }

    #[test]
    fn refuses_broken_placeholders_with_a_reason() {
        assert_eq!(parse("办结率{hotline.close_rate").unwrap_err().code, "unclosed_placeholder");
        assert_eq!(parse("办结率}").unwrap_err().code, "unmatched_brace");
        assert_eq!(parse("{hotline.close_rate|percent}").unwrap_err().code, "bad_format");
        assert_eq!(parse("{热线}").unwrap_err().code, "bad_placeholder");
        assert_eq!(parse("{hotline.received@channel}").unwrap_err().code, "bad_group");
        assert_eq!(parse("{}").unwrap_err().code, "bad_placeholder");
    }

    #[test]
    fn writes_values_as_the_seed_prints_them() {
        assert_eq!(write(Unit::Count, Format::Count, 60557, None).unwrap(), "60557");
        assert_eq!(write(Unit::Percent, Format::Pct, 60000, Some(60000)).unwrap(), "100%");
        assert_eq!(write(Unit::Percent, Format::Pct, 10990, Some(11000)).unwrap(), "99.91%");
        assert_eq!(write(Unit::Percent, Format::Pct, 999, Some(1000)).unwrap(), "99.9%");
        assert_eq!(write(Unit::Percent, Format::PctFixed(2), 1, Some(3)).unwrap(), "33.33%");
        // Not everything: never 100.
        assert_eq!(write(Unit::Percent, Format::Pct, 99999, Some(100000)).unwrap(), "99.99%");
        assert_eq!(write(Unit::Percent, Format::PctFixed(0), 999, Some(1000)).unwrap(), "99%");
        assert_eq!(write(Unit::Percent, Format::Pct, 0, Some(0)), None);
        assert_eq!(write(Unit::Yuan, Format::Wan, 9_503_000, None).unwrap(), "950.3万元");
    }
}
