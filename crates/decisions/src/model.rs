//! Pure rules of normative documents: the text as numbered clauses (第一条…), the comment
//! window's minimum length, which version of the text was in force on a day, and the status a
//! document has on a day (a document past its validity is expired whether or not anyone acted).

use chrono::NaiveDate;

use crate::calendar::Calendar;
use crate::error::FieldError;

/// Longest text accepted for a version (characters).
pub const MAX_TEXT: usize = 60_000;
pub const MAX_CLAUSES: usize = 300;

/// One clause of a version: its number (1 = 第一条), its heading as written and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clause {
    pub no: i64,
    pub heading: String,
    pub body: String,
}

const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五.
pub fn cn_number(n: i64) -> String {
    if !(0..1000).contains(&n) {
        return n.to_string();
    }
    let (h, t, u) = (n / 100, (n / 10) % 10, n % 10);
    let mut s = String::new();
    if h > 0 {
        s.push(DIGITS[h as usize]);
        s.push('百');
        if t == 0 && u > 0 {
            s.push('零');
        }
    }
    if t > 0 {
        if !(h == 0 && t == 1) {
            s.push(DIGITS[t as usize]);
        }
        s.push('十');
    }
    if u > 0 || n == 0 {
        s.push(DIGITS[u as usize]);
    }
    s
}

/// 第十二条 → 12 (also 第12条).
pub fn parse_article(s: &str) -> Option<i64> {
    let inner = s.trim().strip_prefix('第')?.strip_suffix('条')?;
    if let Ok(n) = inner.parse::<i64>() {
        return (n > 0).then_some(n);
    }
    let mut total = 0i64;
    let mut current = 0i64;
    for c in inner.chars() {
        match c {
            '百' => {
                total += current.max(1) * 100;
                current = 0;
            }
            '十' => {
                total += current.max(1) * 10;
                current = 0;
            }
            '零' | '〇' => {}
            _ => current = DIGITS.iter().position(|d| *d == c)? as i64,
        }
    }
    let n = total + current;
    (n > 0).then_some(n)
}

pub fn article(n: i64) -> String {
    format!("第{}条", cn_number(n))
}

/// The heading that starts a line (“第三条 …”), with the rest of the line.
fn split_heading(line: &str) -> Option<(i64, &str)> {
    let t = line.trim_start();
    if !t.starts_with('第') {
        return None;
    }
    let end = t.find('条')?;
    let head = &t[..end + '条'.len_utf8()];
    let n = parse_article(head)?;
    Some((n, t[head.len()..].trim_start_matches([' ', '　', '：', ':'])))
}

/// Read a text as clauses. Lines that begin “第X条” start a clause and must run 第一条, 第二条…
/// in order (so that a number always means the same clause of the version); a text without
/// any heading is read one paragraph per clause.
pub fn parse_clauses(text: &str) -> Result<Vec<Clause>, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(FieldError::new("text", "text_required", "请填写文件正文（按条文书写：第一条……第二条……）"));
    }
    if text.chars().count() > MAX_TEXT {
        return Err(FieldError::new("text", "text_too_long", format!("正文不能超过 {MAX_TEXT} 字")));
    }
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let headed = lines.iter().any(|l| split_heading(l).is_some());
    let mut out: Vec<Clause> = Vec::new();
    if headed {
        for l in &lines {
            match split_heading(l) {
                Some((n, rest)) => {
                    let want = out.len() as i64 + 1;
                    if n != want {
                        return Err(FieldError::new(
                            "text",
                            "clause_out_of_order",
                            format!("条文序号不连续：“{}”处应为{}", l.trim().chars().take(12).collect::<String>(), article(want)),
                        ));
                    }
                    out.push(Clause { no: n, heading: article(n), body: rest.to_string() });
                }
                None if out.is_empty() => {
                    if !l.trim().is_empty() {
                        return Err(FieldError::new("text", "text_before_first_clause", "第一条之前不能有正文（标题请填在“文件名称”中）"));
                    }
                }
                None => {
                    let c = out.last_mut().expect("a clause");
                    if !l.trim().is_empty() {
                        if !c.body.is_empty() {
                            c.body.push('\n');
                        }
                        c.body.push_str(l.trim());
                    }
                }
            }
        }
    } else {
        for p in lines.iter().map(|l| l.trim()).filter(|l| !l.is_empty()) {
            let n = out.len() as i64 + 1;
            out.push(Clause { no: n, heading: article(n), body: p.to_string() });
        }
    }
    if let Some(c) = out.iter().find(|c| c.body.trim().is_empty()) {
        return Err(FieldError::new("text", "clause_empty", format!("{}没有内容", c.heading)));
    }
    if out.len() > MAX_CLAUSES {
        return Err(FieldError::new("text", "too_many_clauses", format!("条文不能超过 {MAX_CLAUSES} 条")));
    }
    Ok(out)
}

/// Opinions given clause by clause: lines “第X条：…” (a line without a heading is about the
/// document as a whole, clause 0).
pub fn parse_clause_notes(text: &str, clauses: i64) -> Result<Vec<(i64, String)>, FieldError> {
    let mut out = Vec::new();
    for l in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match split_heading(l) {
            Some((n, rest)) => {
                if n > clauses {
                    return Err(FieldError::new("clause_notes", "no_such_clause", format!("送审稿没有{}（共{}条）", article(n), clauses)));
                }
                if rest.trim().is_empty() {
                    return Err(FieldError::new("clause_notes", "note_empty", format!("对{}的意见没有内容", article(n))));
                }
                out.push((n, rest.trim().to_string()));
            }
            None => out.push((0, l.to_string())),
        }
    }
    Ok(out)
}

/// How long a comment window must be: 30 calendar days for documents closely related to market
/// actors (优化营商环境条例 Art. 62), 7 working days otherwise (示范指标体系 24).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowRule {
    pub min_days: u32,
    pub working_days: bool,
}

pub fn window_rule(market_related: bool) -> WindowRule {
    if market_related { WindowRule { min_days: 30, working_days: false } } else { WindowRule { min_days: 7, working_days: true } }
}

/// A window as asked: the first day, the number of days (in the rule's unit), why shorter.
/// Returns the last day of the window, or the field errors.
pub fn check_window(
    market_related: bool,
    opens_on: NaiveDate,
    days: Option<u32>,
    shorter_reason: Option<&str>,
    today: NaiveDate,
    cal: &Calendar,
) -> Result<(NaiveDate, WindowRule, u32), Vec<FieldError>> {
    let rule = window_rule(market_related);
    let mut errors = Vec::new();
    let days = days.unwrap_or(rule.min_days);
    if days == 0 || days > 90 {
        errors.push(FieldError::new("days", "days_out_of_range", "征求意见期限应为1至90日"));
    }
    if opens_on > today + chrono::Duration::days(60) {
        errors.push(FieldError::new("opens_on", "date_too_late", "开始日期不能晚于60日之后"));
    }
    if opens_on < today - chrono::Duration::days(365) {
        errors.push(FieldError::new("opens_on", "date_too_early", "开始日期不能早于一年前"));
    }
    let unit = if rule.working_days { "个工作日" } else { "日" };
    if days < rule.min_days && shorter_reason.map(str::trim).is_none_or(str::is_empty) {
        errors.push(FieldError::new(
            "shorter_reason",
            "window_too_short",
            format!("征求意见期限{days}{unit}短于规定的{}{unit}，须说明缩短的理由", rule.min_days),
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // The opening day is not counted; the window closes at the end of its last day.
    let closes = if rule.working_days { cal.add_working_days(opens_on, days) } else { cal.add_calendar_days(opens_on, days, false) };
    Ok((closes, rule, days))
}

/// The dates that decide a document's status on a day.
#[derive(Clone, Debug, Default)]
pub struct Dates {
    pub effective_on: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
}

/// What a document was on a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusOn {
    /// Not yet in force (not published, or its 施行日期 later).
    NotYet,
    InForce,
    /// Past its validity (有效期届满), whether or not anyone recorded it.
    Lapsed,
    /// Repealed or declared expired by a cleanup.
    Ended,
}

impl StatusOn {
    pub fn label(self) -> &'static str {
        match self {
            StatusOn::NotYet => "尚未施行",
            StatusOn::InForce => "现行有效",
            StatusOn::Lapsed => "已失效（有效期届满）",
            StatusOn::Ended => "已废止或宣布失效",
        }
    }
}

pub fn status_on(d: &Dates, on: NaiveDate) -> StatusOn {
    match d.effective_on {
        None => StatusOn::NotYet,
        Some(e) if on < e => StatusOn::NotYet,
        _ if d.ended_on.is_some_and(|x| on >= x) => StatusOn::Ended,
        _ if d.valid_until.is_some_and(|v| on > v) => StatusOn::Lapsed,
        _ => StatusOn::InForce,
    }
}

/// The version whose text was in force on `on`: the published version with the latest
/// `in_force_from` not after that day, if the document was in force then.
pub fn version_on(d: &Dates, versions: &[(i64, Option<NaiveDate>)], on: NaiveDate) -> Option<i64> {
    if status_on(d, on) != StatusOn::InForce {
        return None;
    }
    versions.iter().filter_map(|(v, from)| from.filter(|f| *f <= on).map(|f| (f, *v))).max().map(|(_, v)| v)
}

/// The default validity: `years` years from the day it takes effect, the day before the
/// anniversary being the last.
pub fn default_valid_until(effective: NaiveDate, years: u32) -> NaiveDate {
    use chrono::Datelike;
    let y = effective.year() + years as i32;
    let anniversary = NaiveDate::from_ymd_opt(y, effective.month(), effective.day()).or_else(|| NaiveDate::from_ymd_opt(y, 3, 1)).unwrap_or(effective);
    anniversary.pred_opt().unwrap_or(anniversary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn chinese_article_numbers_both_ways() {
        for n in 1..=250 {
            assert_eq!(parse_article(&article(n)), Some(n), "{}", article(n));
        }
        assert_eq!(article(10), "第十条");
        assert_eq!(article(21), "第二十一条");
        assert_eq!(article(105), "第一百零五条");
        assert_eq!(article(110), "第一百一十条");
        assert_eq!(parse_article("第12条"), Some(12));
        assert_eq!(parse_article("第零条"), None);
        assert_eq!(parse_article("第甲条"), None);
    }

    #[test]
    fn clauses_read_from_headings_in_order() {
        let c = parse_clauses("第一条 为了规范管理，制定本办法。\n第二条 本办法适用于本市。\n继续第二条。\n第三条：本办法自公布之日起施行。").unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(c[1].body, "本办法适用于本市。\n继续第二条。");
        assert_eq!(c[2].body, "本办法自公布之日起施行。");
        let e = parse_clauses("第一条 甲\n第三条 乙").unwrap_err();
        assert_eq!(e.code, "clause_out_of_order");
        assert_eq!(parse_clauses("前言\n第一条 甲").unwrap_err().code, "text_before_first_clause");
        assert_eq!(parse_clauses("  ").unwrap_err().code, "text_required");
        assert_eq!(parse_clauses("第一条").unwrap_err().code, "clause_empty");
        let p = parse_clauses("甲段\n\n乙段").unwrap();
        assert_eq!(p.iter().map(|c| c.no).collect::<Vec<_>>(), vec![1, 2]);
    }

    #[test]
    fn clause_notes_name_existing_clauses() {
        let n = parse_clause_notes("第二条：删去“须经审批”。\n总体可行", 3).unwrap();
        assert_eq!(n, vec![(2, "删去“须经审批”。".to_string()), (0, "总体可行".to_string())]);
        assert_eq!(parse_clause_notes("第五条：x", 3).unwrap_err().code, "no_such_clause");
    }

    #[test]
    fn a_short_window_needs_a_reason() {
        let cal = Calendar::official();
        let today = d("2026-03-02");
        let e = check_window(true, today, Some(20), None, today, &cal).unwrap_err();
        assert_eq!(e[0].code, "window_too_short");
        assert!(e[0].message.contains("30日"), "{}", e[0].message);
        let (closes, _, _) = check_window(true, today, Some(20), Some("疫情防控急需"), today, &cal).unwrap();
        assert_eq!(closes, d("2026-03-22"));
        // 7 working days from a Monday: the next Wednesday week.
        let (closes, rule, days) = check_window(false, today, None, None, today, &cal).unwrap();
        assert!(rule.working_days);
        assert_eq!(days, 7);
        assert_eq!(closes, d("2026-03-11"));
        assert!(check_window(false, today, Some(5), None, today, &cal).is_err());
    }

    #[test]
    fn the_text_in_force_on_a_day() {
        let dates = Dates { effective_on: Some(d("2024-01-01")), valid_until: Some(d("2028-12-31")), ended_on: None };
        let versions = [(1, None), (2, Some(d("2024-01-01"))), (3, Some(d("2025-07-01"))), (4, None)];
        assert_eq!(version_on(&dates, &versions, d("2023-12-31")), None);
        assert_eq!(version_on(&dates, &versions, d("2024-01-01")), Some(2));
        assert_eq!(version_on(&dates, &versions, d("2025-06-30")), Some(2));
        assert_eq!(version_on(&dates, &versions, d("2025-07-01")), Some(3));
        assert_eq!(version_on(&dates, &versions, d("2029-01-01")), None);
        assert_eq!(status_on(&dates, d("2029-01-01")), StatusOn::Lapsed);
        let ended = Dates { ended_on: Some(d("2026-05-01")), ..dates };
        assert_eq!(status_on(&ended, d("2026-04-30")), StatusOn::InForce);
        assert_eq!(status_on(&ended, d("2026-05-01")), StatusOn::Ended);
    }

    #[test]
    fn five_years_of_validity() {
        assert_eq!(default_valid_until(d("2024-03-01"), 5), d("2029-02-28"));
        assert_eq!(default_valid_until(d("2024-02-29"), 5), d("2029-02-28"));
    }
}
