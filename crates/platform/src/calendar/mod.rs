//! The official working-day calendar: statutory holidays and 调休 make-up working days as
//! published each year by the 国务院办公厅, on top of the rule that Monday–Friday are working
//! days and Saturday–Sunday rest days.
//!
//! The official list for 2015–2026 ships with the program (`assets/calendar/`); administrators
//! add later years (`/admin/calendar`). All deadline arithmetic of every procedure goes through
//! [`Calendar`].

pub mod pages;
pub mod queries;

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// The official calendar data shipped with the program.
pub const OFFICIAL_CSV: &str = include_str!("../../assets/calendar/cn-public-holidays.csv");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayKind {
    /// A statutory holiday (法定节假日), including days moved by 调休.
    Holiday,
    /// A weekend day that is a working day by 调休 (调休上班).
    Workday,
}

impl DayKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }
    pub fn parse(s: &str) -> Option<DayKind> {
        match s {
            "holiday" => Some(DayKind::Holiday),
            "workday" => Some(DayKind::Workday),
            _ => None,
        }
    }
}

/// One listed day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecialDay {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub name: String,
}

/// The working-day calendar in memory.
#[derive(Clone, Debug, Default)]
pub struct Calendar {
    special: HashMap<NaiveDate, (DayKind, String)>,
    years: BTreeSet<i32>,
}

/// A problem in a calendar file, with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarRowError {
    pub line: usize,
    pub message: String,
}

impl Calendar {
    pub fn new(days: impl IntoIterator<Item = SpecialDay>) -> Self {
        let mut c = Calendar::default();
        for d in days {
            c.years.insert(d.date.year());
            c.special.insert(d.date, (d.kind, d.name));
        }
        c
    }

    /// The calendar shipped with the program.
    pub fn official() -> Self {
        Calendar::new(parse_csv(OFFICIAL_CSV).expect("the shipped calendar is valid"))
    }

    /// Years for which official data is loaded. Outside them only weekends are known.
    pub fn covered_years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    pub fn covers(&self, d: NaiveDate) -> bool {
        self.years.contains(&d.year())
    }

    /// Is the official schedule loaded for every year from `from` to `to`? A period that runs
    /// into a year without it is counted on weekends alone, and is provisional.
    pub fn covers_span(&self, from: NaiveDate, to: NaiveDate) -> bool {
        let (a, b) = if from <= to { (from.year(), to.year()) } else { (to.year(), from.year()) };
        (a..=b).all(|y| self.years.contains(&y))
    }

    /// From 1 November, the next year whose official schedule is still missing (the State
    /// Council usually publishes it in November or December).
    pub fn missing_next_year(&self, today: NaiveDate) -> Option<i32> {
        let next = today.year() + 1;
        (today.month() >= 11 && !self.years.contains(&next)).then_some(next)
    }

    pub fn special_day(&self, d: NaiveDate) -> Option<(DayKind, &str)> {
        self.special.get(&d).map(|(k, n)| (*k, n.as_str()))
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        match self.special.get(&d) {
            Some((DayKind::Holiday, _)) => false,
            Some((DayKind::Workday, _)) => true,
            None => !matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// The first working day on or after `d`.
    pub fn next_working_day_from(&self, d: NaiveDate) -> NaiveDate {
        let mut x = d;
        while !self.is_working_day(x) {
            x += Duration::days(1);
        }
        x
    }

    /// The date `n` working days after `start`, the start day not counted (民事诉讼法 Art. 85).
    /// With `n = 0` the result is `start` itself.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut d = start;
        let mut left = n;
        while left > 0 {
            d += Duration::days(1);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// The date `n` calendar days after `start` (start day not counted). With `rollover`, a
    /// last day that is not a working day moves to the next working day (民事诉讼法 Art. 85:
    /// a period whose last day falls on a holiday ends on the first day after it).
    pub fn add_calendar_days(&self, start: NaiveDate, n: u32, rollover: bool) -> NaiveDate {
        let d = start + Duration::days(i64::from(n));
        if rollover { self.next_working_day_from(d) } else { d }
    }

    /// Working days in the half-open interval `(from, to]`: the number of working days one
    /// must add to `from` to reach `to`. Negative when `to` is before `from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to == from {
            return 0;
        }
        if to < from {
            return -self.working_days_between(to, from);
        }
        // Whole weeks hold five weekdays; the special days inside are corrected for after.
        let span = (to - from).num_days();
        let weeks = span / 7;
        let mut count = weeks * 5;
        let mut d = from + Duration::days(weeks * 7);
        while d < to {
            d += Duration::days(1);
            if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
                count += 1;
            }
        }
        for (day, (kind, _)) in &self.special {
            if *day > from && *day <= to {
                let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
                match kind {
                    DayKind::Holiday if !weekend => count -= 1,
                    DayKind::Workday if weekend => count += 1,
                    _ => {}
                }
            }
        }
        count
    }

    /// Replace (or add) the listed days of one year.
    pub fn set_year(&mut self, year: i32, days: Vec<SpecialDay>) {
        self.special.retain(|d, _| d.year() != year);
        for d in days {
            self.special.insert(d.date, (d.kind, d.name));
        }
        self.years.insert(year);
    }

    pub fn days_of_year(&self, year: i32) -> Vec<SpecialDay> {
        let mut v: Vec<SpecialDay> =
            self.special.iter().filter(|(d, _)| d.year() == year).map(|(d, (k, n))| SpecialDay { date: *d, kind: *k, name: n.clone() }).collect();
        v.sort_by_key(|d| d.date);
        v
    }
}

/// Parse a calendar CSV (`date,kind,name_zh[,name_en]`, with a header line). Every bad line is
/// reported; nothing is returned if one is bad.
pub fn parse_csv(text: &str) -> Result<Vec<SpecialDay>, Vec<CalendarRowError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut seen = HashMap::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let l = raw.trim().trim_start_matches('\u{feff}');
        if l.is_empty() || (i == 0 && l.starts_with("date")) {
            continue;
        }
        let cols: Vec<&str> = l.split(',').map(str::trim).collect();
        if cols.len() < 3 {
            errors.push(CalendarRowError { line, message: "需要至少三列：日期,类型,名称".into() });
            continue;
        }
        let Some(date) = crate::time::parse_date(cols[0]) else {
            errors.push(CalendarRowError { line, message: format!("日期“{}”不是 YYYY-MM-DD 格式", cols[0]) });
            continue;
        };
        let Some(kind) = DayKind::parse(cols[1]) else {
            errors.push(CalendarRowError { line, message: format!("类型“{}”应为 holiday（放假）或 workday（调休上班）", cols[1]) });
            continue;
        };
        if cols[2].is_empty() {
            errors.push(CalendarRowError { line, message: "缺少节日名称".into() });
            continue;
        }
        if let Some(prev) = seen.insert(date, line) {
            errors.push(CalendarRowError { line, message: format!("日期 {} 与第 {prev} 行重复", cols[0]) });
            continue;
        }
        let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        if kind == DayKind::Workday && !weekend {
            errors.push(CalendarRowError { line, message: format!("{} 是工作日，不需要标为调休上班", cols[0]) });
            continue;
        }
        out.push(SpecialDay { date, kind, name: cols[2].to_string() });
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn years_without_a_schedule_are_provisional_and_announced_from_november() {
        let c = Calendar::official();
        assert!(c.covers_span(d(2026, 3, 1), d(2026, 12, 31)));
        assert!(!c.covers_span(d(2026, 12, 20), d(2027, 1, 15)), "2027 is not in the shipped data");
        assert_eq!(c.missing_next_year(d(2026, 10, 31)), None);
        assert_eq!(c.missing_next_year(d(2026, 11, 1)), Some(2027));
        assert_eq!(c.missing_next_year(d(2025, 11, 1)), None, "2026 is loaded");
        // Without the schedule only weekends count: 2027-01-01 (a Friday) is a working day.
        assert!(c.is_working_day(d(2027, 1, 1)));
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn national_day_2020_with_make_up_days() {
        let c = Calendar::official();
        // The case the issue gives: 20 working days from 2020-09-28, the start day not counted.
        assert_eq!(c.add_working_days(d(2020, 9, 28), 20), d(2020, 11, 2));
        assert!(c.is_working_day(d(2020, 9, 27)), "Sunday 9-27 is a 调休 working day");
        assert!(c.is_working_day(d(2020, 10, 10)), "Saturday 10-10 is a 调休 working day");
        assert!(!c.is_working_day(d(2020, 10, 8)), "Thursday 10-8 is a holiday");
        assert_eq!(c.working_days_between(d(2020, 9, 28), d(2020, 11, 2)), 20);
    }

    #[test]
    fn spring_festival_2020() {
        let c = Calendar::official();
        // 2020-01-23 (Thu) + 5 working days: 1-24…2-2 are holidays (extended), 1-19 was a make-up day.
        assert_eq!(c.add_working_days(d(2020, 1, 23), 5), d(2020, 2, 7));
        assert!(c.is_working_day(d(2020, 1, 19)));
        assert_eq!(c.add_working_days(d(2020, 1, 17), 1), d(2020, 1, 19));
    }

    #[test]
    fn spring_festival_2024_and_national_day_2024() {
        let c = Calendar::official();
        // 2024 春节: 2-10…2-17 off; 2-4 (Sun) and 2-18 (Sun) worked.
        assert!(c.is_working_day(d(2024, 2, 4)));
        assert!(c.is_working_day(d(2024, 2, 18)));
        assert_eq!(c.add_working_days(d(2024, 2, 8), 2), d(2024, 2, 18));
        // 2024 国庆: 10-1…10-7 off; 9-29 (Sun) and 10-12 (Sat) worked.
        assert_eq!(c.add_working_days(d(2024, 9, 27), 1), d(2024, 9, 29));
        assert_eq!(c.add_working_days(d(2024, 9, 30), 1), d(2024, 10, 8));
    }

    #[test]
    fn calendar_days_roll_over_to_next_working_day() {
        let c = Calendar::official();
        // 2020-09-01 + 30 days = 2020-10-01 (holiday) → 2020-10-09 with rollover.
        assert_eq!(c.add_calendar_days(d(2020, 9, 1), 30, false), d(2020, 10, 1));
        assert_eq!(c.add_calendar_days(d(2020, 9, 1), 30, true), d(2020, 10, 9));
        // A Saturday that is a 调休 working day does not roll.
        assert_eq!(c.add_calendar_days(d(2020, 10, 3), 7, true), d(2020, 10, 10));
    }

    #[test]
    fn weekends_only_outside_covered_years() {
        let c = Calendar::official();
        assert!(!c.covers(d(2030, 1, 1)));
        assert!(c.is_working_day(d(2030, 10, 1)), "no data for 2030: a Tuesday is a working day");
        assert!(c.covers(d(2026, 10, 1)));
    }

    #[test]
    fn csv_errors_are_all_reported() {
        let text = "date,kind,name_zh\n2021-13-01,holiday,x\n2021-10-01,rest,国庆\n2021-10-04,workday,国庆\n2021-10-02,holiday,\n";
        let errs = parse_csv(text).unwrap_err();
        assert_eq!(errs.iter().map(|e| e.line).collect::<Vec<_>>(), vec![2, 3, 4, 5]);
    }

    #[test]
    fn admin_adds_a_year() {
        let mut c = Calendar::official();
        c.set_year(2027, vec![SpecialDay { date: d(2027, 10, 1), kind: DayKind::Holiday, name: "国庆节".into() }]);
        assert!(c.covers(d(2027, 10, 1)));
        assert!(!c.is_working_day(d(2027, 10, 1)));
    }

    proptest! {
        #[test]
        fn adding_then_counting_round_trips(days_from_2015 in 0i64..4300, n in 0u32..120) {
            let c = Calendar::official();
            let start = d(2015, 1, 1) + Duration::days(days_from_2015);
            let end = c.add_working_days(start, n);
            prop_assert_eq!(c.working_days_between(start, end), i64::from(n));
            if n > 0 {
                prop_assert!(c.is_working_day(end));
                // The day before the end leaves exactly one working day to go.
                prop_assert_eq!(c.working_days_between(start, end - Duration::days(1)), i64::from(n) - 1);
            }
        }

        #[test]
        fn counting_is_additive(a in 0i64..4000, b in 0i64..200, e in 0i64..200) {
            let c = Calendar::official();
            let x = d(2015, 1, 1) + Duration::days(a);
            let y = x + Duration::days(b);
            let z = y + Duration::days(e);
            prop_assert_eq!(c.working_days_between(x, z), c.working_days_between(x, y) + c.working_days_between(y, z));
            prop_assert_eq!(c.working_days_between(z, x), -c.working_days_between(x, z));
        }

        #[test]
        fn counting_matches_day_by_day(a in 0i64..4000, span in 0i64..60) {
            let c = Calendar::official();
            let x = d(2015, 1, 1) + Duration::days(a);
            let y = x + Duration::days(span);
            let slow = (1..=span).filter(|i| c.is_working_day(x + Duration::days(*i))).count() as i64;
            prop_assert_eq!(c.working_days_between(x, y), slow);
        }

        #[test]
        fn rollover_lands_on_a_working_day(a in 0i64..4000, n in 0u32..90) {
            let c = Calendar::official();
            let x = d(2015, 1, 1) + Duration::days(a);
            let r = c.add_calendar_days(x, n, true);
            prop_assert!(c.is_working_day(r));
            prop_assert!(r >= c.add_calendar_days(x, n, false));
        }
    }
}
