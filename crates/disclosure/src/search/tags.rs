//! Filter tokens. The filters of a search (unit, category, kind, publication date) are answered
//! by the index itself: every document carries tags such as `o12 c3 kpublication y2020 m202006
//! d20200615` (on SQLite a third FTS5 column, on PostgreSQL terms of the posting lists, see
//! [`super::postings`]), and a filter becomes one more AND term of the match. The index then intersects posting lists and stops as soon as it
//! has enough matches, instead of finding every match of a common word and throwing most of
//! them away in a join with the document table. A date range becomes the smallest set of whole
//! years, whole months and single days that covers it (at most a few dozen tokens).

use chrono::{Datelike, NaiveDate};

use super::Filters;

/// The filter tokens of a document.
pub fn doc_tags(kind: &str, org_id: Option<i64>, category_id: Option<i64>, published_on: &str) -> String {
    let mut t = vec![format!("k{kind}")];
    if let Some(o) = org_id {
        t.push(format!("o{o}"));
    }
    if let Some(c) = category_id {
        t.push(format!("c{c}"));
    }
    if let Some(d) = crate::time::parse_date(published_on) {
        t.push(format!("y{:04}", d.year()));
        t.push(format!("m{:04}{:02}", d.year(), d.month()));
        t.push(format!("d{:04}{:02}{:02}", d.year(), d.month(), d.day()));
    }
    t.join(" ")
}

fn first_of_next_month(d: NaiveDate) -> NaiveDate {
    if d.month() == 12 { NaiveDate::from_ymd_opt(d.year() + 1, 1, 1) } else { NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1) }.unwrap_or(NaiveDate::MAX)
}

/// The fewest year, month and day tokens that together cover `from..=to`.
pub fn date_cover(from: NaiveDate, to: NaiveDate) -> Vec<String> {
    let mut out = Vec::new();
    let mut d = from;
    while d <= to {
        let next_year = NaiveDate::from_ymd_opt(d.year() + 1, 1, 1).unwrap_or(NaiveDate::MAX);
        let next_month = first_of_next_month(d);
        if d.ordinal() == 1 && next_year.pred_opt().is_some_and(|e| e <= to) {
            out.push(format!("y{:04}", d.year()));
            d = next_year;
        } else if d.day() == 1 && next_month.pred_opt().is_some_and(|e| e <= to) {
            out.push(format!("m{:04}{:02}", d.year(), d.month()));
            d = next_month;
        } else {
            out.push(format!("d{:04}{:02}{:02}", d.year(), d.month(), d.day()));
            match d.succ_opt() {
                Some(n) => d = n,
                None => break,
            }
        }
    }
    out
}

/// The filters as groups of tags: a document passes when it carries at least one tag of every
/// group (an empty list when there are no filters). `span` is the first and last publication day
/// in the index, used to close an open-ended date range. `None` means the filters can match
/// nothing (an empty date range).
pub fn filter_groups(f: &Filters, span: Option<(NaiveDate, NaiveDate)>) -> Option<Vec<Vec<String>>> {
    let mut groups = Vec::new();
    if let Some(o) = f.org_id {
        groups.push(vec![format!("o{o}")]);
    }
    if let Some(c) = f.category_id {
        groups.push(vec![format!("c{c}")]);
    }
    if let Some(k) = f.kind.as_deref().filter(|k| matches!(*k, "publication" | "letter")) {
        groups.push(vec![format!("k{k}")]);
    }
    let from = f.from.as_deref().and_then(crate::time::parse_date);
    let to = f.to.as_deref().and_then(crate::time::parse_date);
    if from.is_some() || to.is_some() {
        let (lo, hi) = span?;
        let (from, to) = (from.map_or(lo, |d| d.max(lo)), to.map_or(hi, |d| d.min(hi)));
        if from > to {
            return None;
        }
        groups.push(date_cover(from, to));
    }
    Some(groups)
}

/// The filters as FTS5 terms to AND with the words (empty when there are none); `None` when
/// they can match nothing. See [`filter_groups`].
pub fn fts5_filter(f: &Filters, span: Option<(NaiveDate, NaiveDate)>) -> Option<String> {
    let groups = filter_groups(f, span)?;
    Some(
        groups
            .iter()
            .map(|g| match g.as_slice() {
                [one] => format!(" AND tags:{one}"),
                many => format!(" AND ({})", many.iter().map(|t| format!("tags:{t}")).collect::<Vec<_>>().join(" OR ")),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        crate::time::parse_date(s).unwrap()
    }

    #[test]
    fn covers_ranges_with_few_tokens() {
        assert_eq!(date_cover(d("2019-01-01"), d("2019-06-30")), ["m201901", "m201902", "m201903", "m201904", "m201905", "m201906"]);
        assert_eq!(date_cover(d("2018-12-30"), d("2020-01-02")), ["d20181230", "d20181231", "y2019", "d20200101", "d20200102"]);
        assert_eq!(date_cover(d("2020-02-28"), d("2020-03-01")), ["d20200228", "d20200229", "d20200301"]);
        assert_eq!(date_cover(d("2020-01-01"), d("2020-12-31")), ["y2020"]);
        assert!(date_cover(d("2020-02-01"), d("2020-01-31")).is_empty());
    }

    #[test]
    fn every_day_of_a_range_is_covered_exactly_once() {
        let (from, to) = (d("2019-11-17"), d("2021-03-09"));
        let cover = date_cover(from, to);
        let mut day = d("2019-10-01");
        while day <= d("2021-05-01") {
            let t = doc_tags("publication", None, None, &crate::time::fmt_date(day));
            let hits = t.split(' ').filter(|x| cover.iter().any(|c| c == x)).count();
            assert_eq!(hits, usize::from(day >= from && day <= to), "{day}");
            day = day.succ_opt().unwrap();
        }
        assert!(cover.len() < 40, "{cover:?}");
    }

    #[test]
    fn filters_become_terms() {
        let span = Some((d("2016-01-01"), d("2026-12-31")));
        let f = Filters { org_id: Some(7), category_id: Some(3), kind: Some("letter".into()), ..Default::default() };
        assert_eq!(fts5_filter(&f, span).unwrap(), " AND tags:o7 AND tags:c3 AND tags:kletter");
        let f = Filters { to: Some("2016-12-31".into()), ..Default::default() };
        assert_eq!(fts5_filter(&f, span).unwrap(), " AND tags:y2016");
        let f = Filters { from: Some("2016-12-31".into()), to: Some("2017-01-01".into()), ..Default::default() };
        assert_eq!(fts5_filter(&f, span).unwrap(), " AND (tags:d20161231 OR tags:d20170101)");
        let f = Filters { from: Some("2030-01-01".into()), ..Default::default() };
        assert!(fts5_filter(&f, span).is_none());
        assert_eq!(fts5_filter(&Filters::default(), None).unwrap(), "");
        assert_eq!(doc_tags("letter", Some(4), None, "2020-06-15"), "kletter o4 y2020 m202006 d20200615");
    }
}
