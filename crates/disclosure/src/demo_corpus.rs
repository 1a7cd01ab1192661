//! The demo city's publications for a year, written so that an official can read any of them:
//! each comes from the unit whose remit it is (低保 from 民政局 or a town, 土地征收 from
//! 自然资源和规划局 or a town, a penalty from the authority that enforces that law), carries
//! its 文号 when its kind has one, its 主题分类 and 目录类别, and states figures that add up
//! (every sum, share and product a text states is recorded beside it and checked by the tests
//! below). Periodic reports appear after the period they report on; titles are unique per
//! unit. The texts themselves are in [`super::demo_texts`].
//!
//! Deterministic for a seed and a day.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Datelike, Duration, NaiveDate};

use super::corpus::Rng;

/// A figure as the text states it: `v` in units of 10^-`scale` (23.45 is {2345, 2}).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Num {
    pub v: i64,
    pub scale: u32,
}

impl Num {
    pub fn int(v: i64) -> Num {
        Num { v, scale: 0 }
    }
    pub fn dec(v: i64, scale: u32) -> Num {
        Num { v, scale }
    }
    fn value(self) -> f64 {
        self.v as f64 / 10f64.powi(self.scale as i32)
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.scale == 0 {
            return write!(f, "{}", self.v);
        }
        let p = 10i64.pow(self.scale);
        let sign = if self.v < 0 { "-" } else { "" };
        write!(f, "{sign}{}.{:0width$}", self.v.abs() / p, self.v.abs() % p, width = self.scale as usize)
    }
}

/// How figures stated in a text must agree.
#[derive(Clone, Debug)]
pub enum Check {
    /// The total is the sum of the parts (a part may be negative: those who left).
    Sum(Num, Vec<Num>),
    /// `pct` is `part` of `whole` in percent, rounded as stated.
    Percent { part: Num, whole: Num, pct: Num },
    /// The first is not more than the second.
    AtMost(Num, Num),
    /// a × b = c (area × rate = amount).
    Product(Num, Num, Num),
}

impl Check {
    pub fn holds(&self) -> bool {
        match self {
            Check::Sum(t, parts) => parts.iter().all(|p| p.scale == t.scale) && parts.iter().map(|p| p.v).sum::<i64>() == t.v,
            Check::Percent { part, whole, pct } => {
                let exact = part.value() / whole.value() * 100.0;
                (exact - pct.value()).abs() <= 0.5 * 10f64.powi(-(pct.scale as i32)) + 1e-9
            }
            Check::AtMost(a, b) => a.value() <= b.value() + 1e-9,
            Check::Product(a, b, c) => (a.value() * b.value() - c.value()).abs() < 1e-6,
        }
    }
    /// The figures the text must state.
    pub fn numbers(&self) -> Vec<Num> {
        match self {
            Check::Sum(t, parts) => std::iter::once(*t).chain(parts.iter().map(|p| Num { v: p.v.abs(), scale: p.scale })).collect(),
            Check::Percent { part, whole, pct } => vec![*part, *whole, *pct],
            Check::AtMost(a, b) => vec![*a, *b],
            Check::Product(a, b, c) => vec![*a, *b, *c],
        }
    }
}

/// A publication of the demo year.
#[derive(Clone, Debug)]
pub struct Item {
    /// The unit's code (D-MZJ, T-DH…).
    pub issuer: String,
    /// The catalogue item's code (A20-07…).
    pub category: &'static str,
    pub theme: &'static str,
    /// normative, decision, notice, report, other.
    pub kind: &'static str,
    /// The series of its 文号 (示民规, 示市监处罚…) when it has one; numbered in order of date.
    pub doc_series: Option<String>,
    pub doc_no: Option<String>,
    pub title: String,
    pub body: String,
    pub formed: NaiveDate,
    /// The last day of the period a report covers (it is formed after it).
    pub period_end: Option<NaiveDate>,
    pub checks: Vec<Check>,
}

/// Where `{文号}` stands in a title or text until the numbers are given.
pub const DOC_NO: &str = "{文号}";

/// A town or park with its villages and communities.
#[derive(Clone, Debug)]
pub struct Town {
    pub code: String,
    pub name: String,
    pub villages: Vec<String>,
}

/// The generator's state: the random source, the year's window, the places.
pub struct Gen<'a> {
    pub rng: Rng,
    pub today: NaiveDate,
    /// The first day of the demo year (a year before today).
    pub start: NaiveDate,
    pub towns: &'a [Town],
    workday: &'a dyn Fn(NaiveDate) -> NaiveDate,
    pub items: Vec<Item>,
}

impl<'a> Gen<'a> {
    pub fn int(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.rng.below((hi - lo + 1).max(1) as usize) as i64
    }
    pub fn pick<'b, T>(&mut self, v: &'b [T]) -> &'b T {
        self.rng.pick(v)
    }
    /// A working day on or after `d`.
    pub fn workday(&self, d: NaiveDate) -> NaiveDate {
        (self.workday)(d)
    }
    /// A working day between `a` and `a + days`.
    pub fn day_after(&mut self, a: NaiveDate, lo: i64, hi: i64) -> NaiveDate {
        let d = a + Duration::days(self.int(lo, hi));
        self.workday(d)
    }
    pub fn in_window(&self, d: NaiveDate) -> bool {
        d >= self.start && d <= self.today
    }
    /// Keep the item if it was formed within the demo year.
    pub fn push(&mut self, item: Item) {
        if self.in_window(item.formed) {
            self.items.push(item);
        }
    }
    /// The months whose reports, due in the first days of the next month, fall in the year:
    /// (year, month, the day the report is formed).
    pub fn report_months(&mut self, lo: i64, hi: i64) -> Vec<(i32, u32, NaiveDate)> {
        let mut out = Vec::new();
        let mut d = NaiveDate::from_ymd_opt(self.start.year() - 1, self.start.month(), 1).expect("date");
        while d <= self.today {
            let next = month_after(d);
            let formed = self.day_after(next, lo, hi);
            if self.in_window(formed) {
                out.push((d.year(), d.month(), formed));
            }
            d = next;
        }
        out
    }
    /// The years `y` for which a date in year `y` between (m1, d1) and (m2, d2) falls in the
    /// demo year, with that date.
    pub fn yearly(&mut self, (m1, d1): (u32, u32), (m2, d2): (u32, u32)) -> Vec<(i32, NaiveDate)> {
        let mut out = Vec::new();
        for y in self.start.year()..=self.today.year() {
            let a = NaiveDate::from_ymd_opt(y, m1, d1).expect("date");
            let b = NaiveDate::from_ymd_opt(y, m2, d2).expect("date");
            let span = (b - a).num_days();
            let d = self.day_after(a, 0, span);
            if self.in_window(d) {
                out.push((y, d));
            }
        }
        out
    }
}

/// The first day of the month after `d`'s.
pub fn month_after(d: NaiveDate) -> NaiveDate {
    if d.month() == 12 { NaiveDate::from_ymd_opt(d.year() + 1, 1, 1) } else { NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1) }.expect("date")
}

/// The last day of a month.
pub fn month_end(y: i32, m: u32) -> NaiveDate {
    month_after(NaiveDate::from_ymd_opt(y, m, 1).expect("date")) - Duration::days(1)
}

/// 2026年3月8日.
pub fn cn(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// `part` of `whole` in percent with one decimal, rounded.
pub fn pct(part: i64, whole: i64) -> Num {
    Num::dec(((part as f64 / whole as f64) * 1000.0).round() as i64, 1)
}

/// Split `total` into `n` positive parts at random.
pub fn split(g: &mut Gen<'_>, total: i64, n: usize) -> Vec<i64> {
    let mut cuts: Vec<i64> = (0..n - 1).map(|_| g.int(1, (total - 1).max(1))).collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut parts = Vec::new();
    let mut last = 0;
    for c in cuts {
        parts.push(c - last);
        last = c;
    }
    parts.push(total - last);
    parts.retain(|p| *p > 0);
    parts
}

/// Give the 文号s in order of date, per series and year, and put them into titles and texts.
fn number(items: &mut [Item]) {
    items.sort_by(|a, b| a.formed.cmp(&b.formed).then(a.issuer.cmp(&b.issuer)).then(a.title.cmp(&b.title)));
    let mut next: BTreeMap<(String, i32), i64> = BTreeMap::new();
    for it in items.iter_mut() {
        if let Some(series) = &it.doc_series {
            let n = next.entry((series.clone(), it.formed.year())).or_insert(0);
            *n += 1;
            let no = format!("{series}〔{}〕{}号", it.formed.year(), n);
            it.title = it.title.replace(DOC_NO, &no);
            it.body = it.body.replace(DOC_NO, &no);
            it.doc_no = Some(no);
        }
    }
}

/// The year of publications up to `today`, for the given towns; `workday` moves a day to the
/// next working day.
pub fn generate(seed: u64, today: NaiveDate, towns: &[Town], workday: &dyn Fn(NaiveDate) -> NaiveDate) -> Vec<Item> {
    let mut g = Gen { rng: Rng::new(seed), today, start: today - Duration::days(365), towns, workday, items: Vec::new() };
    super::demo_texts::all(&mut g);
    let mut items = std::mem::take(&mut g.items);
    number(&mut items);
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::{THEMES, kind_has_doc_no};

    fn towns() -> Vec<Town> {
        let names = [
            "东湖镇",
            "西岭镇",
            "南塘镇",
            "北河镇",
            "青山镇",
            "白沙镇",
            "柳营镇",
            "桃源镇",
            "金湾镇",
            "石桥镇",
            "示范经济开发区",
            "示范高新技术产业园区",
            "湖西新区",
        ];
        let codes = ["T-DH", "T-XL", "T-NT", "T-BH", "T-QS", "T-BS", "T-LY", "T-TY", "T-JW", "T-SQ", "P-KFQ", "P-GXQ", "P-HX"];
        let mut v = Vec::new();
        for (i, (c, n)) in codes.iter().zip(names).enumerate() {
            let villages = (0..12)
                .map(|k| format!("{}{}村", ["新", "安", "丰", "和", "兴", "平", "富", "康"][(i + k) % 8], ["河", "桥", "庄", "湾", "塘", "林"][k % 6]))
                .collect::<Vec<_>>();
            let mut villages = villages;
            villages.dedup();
            v.push(Town { code: c.to_string(), name: n.to_string(), villages });
        }
        v
    }

    fn weekdays(d: NaiveDate) -> NaiveDate {
        let mut d = d;
        while d.weekday().number_from_monday() > 5 {
            d += Duration::days(1);
        }
        d
    }

    /// Who may issue a publication whose title speaks of a subject: the units whose remit it is.
    const REMIT: &[(&str, &[&str])] = &[
        ("低保", &["D-MZJ", "town"]),
        ("临时救助", &["D-MZJ", "town"]),
        ("土地征收", &["D-ZRJ", "town"]),
        ("集体土地", &["D-ZRJ", "town"]),
        ("房屋征收", &["D-ZJJ"]),
        ("宅基地", &["town"]),
        ("土地承包经营权", &["town"]),
        ("筹资筹劳", &["town"]),
        ("耕地地力保护补贴", &["town"]),
        ("主要经济指标", &["D-TJJ"]),
        ("居民消费价格", &["D-TJJ"]),
        ("空气质量", &["D-STJ"]),
        ("环境影响报告", &["D-STJ"]),
        ("食品安全", &["D-SJG"]),
        ("招聘", &["D-RSJ"]),
        ("录用", &["D-RSJ"]),
        ("住房公积金", &["D-GJJ"]),
        ("交通管制", &["D-GAJ"]),
        ("规划许可", &["D-ZRJ"]),
        ("行政许可事项办理", &["D-SPJ"]),
        ("城市管理行政处罚", &["D-CGJ"]),
        ("义务教育", &["D-JTJ"]),
        ("医疗保险", &["D-YBJ"]),
        ("防汛", &["D-YJJ"]),
        ("规范性文件清理", &["D-SFJ"]),
    ];

    fn check_year(today: NaiveDate) -> Vec<Item> {
        let towns = towns();
        let items = generate(20_260_101, today, &towns, &weekdays);
        let town_codes: Vec<&str> = towns.iter().map(|t| t.code.as_str()).collect();
        let mut titles: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        let mut numbers: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for it in &items {
            let what = format!("{} {}（{}）", it.issuer, it.title, it.formed);
            // Required fields.
            assert!(THEMES.contains(&it.theme), "{what}: theme {}", it.theme);
            assert!(it.category.starts_with("A20-") || it.category.starts_with("A21-"), "{what}");
            // Normative documents and decisions carry a 文号, reports never; a notice may.
            if kind_has_doc_no(it.kind) {
                assert!(it.doc_no.is_some(), "{what}: a {} without 文号", it.kind);
            } else if it.kind != "notice" {
                assert!(it.doc_no.is_none(), "{what}: a {} with 文号", it.kind);
            }
            assert!(it.doc_no.is_some() == it.doc_series.is_some(), "{what}");
            assert!(!it.title.contains('{') && !it.body.contains('{'), "{what}: {}", it.body);
            assert!(it.body.chars().count() >= 60, "{what}: too short");
            assert!(it.formed >= today - Duration::days(365) && it.formed <= today, "{what}");
            if let Some(end) = it.period_end {
                assert!(it.formed > end, "{what}: a report before the end of its period {end}");
            }
            // Figures agree, and the text states them.
            for c in &it.checks {
                assert!(c.holds(), "{what}: {c:?}\n{}", it.body);
                for n in c.numbers() {
                    assert!(it.body.contains(&n.to_string()) || it.title.contains(&n.to_string()), "{what}: {n} not stated\n{}", it.body);
                }
            }
            // The issuer's remit.
            let kind = if town_codes.contains(&it.issuer.as_str()) { "town" } else { it.issuer.as_str() };
            for (word, who) in REMIT {
                if it.title.contains(word) {
                    assert!(who.contains(&kind) || who.contains(&it.issuer.as_str()), "{what}: {word} is not {}'s remit", it.issuer);
                }
            }
            *titles.entry((it.issuer.as_str(), it.title.as_str())).or_default() += 1;
            if let Some(n) = &it.doc_no {
                *numbers.entry((it.issuer.as_str(), n.as_str())).or_default() += 1;
            }
        }
        let twice: Vec<_> = titles.iter().filter(|(_, n)| **n > 1).collect();
        assert!(twice.is_empty(), "titles twice in one unit: {twice:?}");
        let twice: Vec<_> = numbers.iter().filter(|(_, n)| **n > 1).collect();
        assert!(twice.is_empty(), "文号 twice: {twice:?}");
        assert!(items.len() > 1000, "{}", items.len());
        items
    }

    #[test]
    fn every_publication_has_its_issuer_fields_and_figures_that_agree() {
        for today in ["2026-11-29", "2026-01-05", "2027-07-01"] {
            check_year(NaiveDate::parse_from_str(today, "%Y-%m-%d").unwrap());
        }
    }

    #[test]
    fn the_whole_catalogue_is_used_and_every_unit_publishes() {
        let items = check_year(NaiveDate::from_ymd_opt(2026, 11, 29).unwrap());
        let cats: std::collections::BTreeSet<&str> = items.iter().map(|i| i.category).collect();
        assert!(cats.len() >= 20, "{cats:?}");
        for unit in ["D-MZJ", "D-ZRJ", "D-SJG", "D-TJJ", "T-DH", "P-HX"] {
            assert!(items.iter().filter(|i| i.issuer == unit).count() >= 10, "{unit}");
        }
    }

    #[test]
    fn numbers_print_as_stated() {
        assert_eq!(Num::dec(2345, 2).to_string(), "23.45");
        assert_eq!(Num::dec(5, 1).to_string(), "0.5");
        assert_eq!(Num::int(-3).to_string(), "-3");
        assert!(Check::Percent { part: Num::int(1), whole: Num::int(3), pct: Num::dec(333, 1) }.holds());
        assert!(!Check::Sum(Num::int(10), vec![Num::int(4), Num::int(5)]).holds());
    }
}
