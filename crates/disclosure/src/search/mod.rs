//! Chinese full-text search over published government information and published 市长信箱
//! letters and replies.
//!
//! Text is segmented with jieba (the dictionary is loaded once, on first use) into *fine
//! tokens*: jieba's dictionary segmentation, each word of more than two characters split again
//! into dictionary words of at most two characters, punctuation and a few function words
//! dropped. Documents and queries go through the same function, so a query word becomes the
//! same token sequence wherever it occurs, whatever the words around it (“化解矛盾纠纷” and
//! “矛盾纠纷化解” both contain 矛盾 纠纷). Each query word is searched as a phrase of its tokens;
//! the words of a query must all occur. The tokens are indexed by SQLite FTS5 or, on
//! PostgreSQL, by posting lists of our own ([`postings`], where the module says why not GIN).
//! The newest 1,000 matches after the filters are ranked, identically on both engines, by BM25F
//! with the title weighing more than the body (see [`engine::RANK_WINDOW`] and
//! [`engine::score`]).

pub mod engine;
pub mod index;
pub mod postings;
pub mod tags;

use std::sync::LazyLock;

use jieba_rs::Jieba;
use serde::Serialize;

use crate::error::{AppError, FieldError};
use crate::reports::escape_html;

static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// Function words that carry no meaning for search.
const STOP: &[&str] =
    &["的", "了", "和", "与", "及", "等", "在", "是", "对", "把", "被", "之", "其", "或", "并", "于", "以", "着", "也", "而", "啊", "吗", "呢"];

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Split one dictionary word into words of at most two characters (greedy, dictionary-led).
fn split_word(w: &str, out: &mut Vec<String>) {
    let chars: Vec<char> = w.chars().collect();
    if chars.len() <= 2 || !chars.iter().all(|c| is_cjk(*c)) {
        out.push(w.to_string());
        return;
    }
    let mut i = 0;
    while i < chars.len() {
        if i + 1 < chars.len() {
            let two: String = chars[i..i + 2].iter().collect();
            if JIEBA.has_word(&two) {
                out.push(two);
                i += 2;
                continue;
            }
        }
        out.push(chars[i].to_string());
        i += 1;
    }
}

/// The fine tokens of a text, in order.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for w in JIEBA.cut(text, false) {
        let clean: String = w.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
        if clean.is_empty() || STOP.contains(&clean.as_str()) {
            continue;
        }
        // Mixed runs (letters and CJK) are split at the script boundary.
        let mut part = String::new();
        let mut last_cjk = None;
        for c in clean.chars() {
            let k = is_cjk(c);
            if last_cjk.is_some_and(|l| l != k) && !part.is_empty() {
                split_word(&part, &mut out);
                part.clear();
            }
            part.push(c);
            last_cjk = Some(k);
        }
        if !part.is_empty() {
            split_word(&part, &mut out);
        }
    }
    out
}

/// The segmented text, space-separated, as the index stores it.
pub fn segment(text: &str) -> String {
    tokens(text).join(" ")
}

/// A parsed query: each word of the query as its token phrase.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    /// The words as typed (for highlighting).
    pub words: Vec<String>,
    /// Per word: its tokens (a phrase).
    pub phrases: Vec<Vec<String>>,
}

impl Query {
    pub fn parse(q: &str) -> Query {
        let mut words = Vec::new();
        let mut phrases = Vec::new();
        for w in q.split(|c: char| c.is_whitespace() || c == '，' || c == ',').filter(|w| !w.is_empty()).take(8) {
            let t = tokens(w);
            if !t.is_empty() {
                words.push(w.chars().filter(|c| c.is_alphanumeric()).collect());
                phrases.push(t);
            }
        }
        Query { words, phrases }
    }
    pub fn is_empty(&self) -> bool {
        self.phrases.is_empty()
    }
    /// FTS5 MATCH expression: `"a b" AND "c"`.
    pub fn fts5(&self) -> String {
        self.phrases.iter().map(|p| format!("\"{}\"", p.join(" "))).collect::<Vec<_>>().join(" AND ")
    }
    /// The strings to mark in a snippet, longest first.
    pub fn marks(&self) -> Vec<String> {
        let mut m: Vec<String> = self.words.iter().filter(|w| !w.is_empty()).cloned().collect();
        for p in &self.phrases {
            for t in p {
                if t.chars().count() >= 2 || p.len() == 1 {
                    m.push(t.clone());
                }
            }
        }
        m.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
        m.dedup();
        m
    }
}

/// Filters of a search.
#[derive(Clone, Debug, Default)]
pub struct Filters {
    pub org_id: Option<i64>,
    pub category_id: Option<i64>,
    /// publication, letter
    pub kind: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The kinds of document a search can be limited to.
pub const KINDS: &[&str] = &["publication", "letter"];

/// The filters as a query string gives them (the portal's form, the API), each under its
/// parameter's name: `org`, `category`, `kind`, `from`, `to`.
#[derive(Clone, Debug, Default)]
pub struct RawFilters<'a> {
    pub org: Option<&'a str>,
    pub category: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
}

fn bad_id(field: &str, what: &str, v: impl std::fmt::Display) -> FieldError {
    FieldError::new(field, "invalid_filter", format!("“{v}”不是有效的{what}，请从列表中选择{what}"))
}

/// An id given as a filter: blank is no filter, anything else a positive whole number.
fn filter_id(field: &str, what: &str, raw: Option<&str>, errors: &mut Vec<FieldError>) -> Option<i64> {
    let v = raw.map(str::trim).filter(|v| !v.is_empty())?;
    match v.parse::<i64>() {
        Ok(id) if id > 0 => Some(id),
        _ => {
            errors.push(bad_id(field, what, v));
            None
        }
    }
}

impl RawFilters<'_> {
    /// The filters of a search for `q`, or every bad value with its field, in the order of the
    /// form (q, org, category, kind, from, to). The ids become part of the index's query syntax
    /// (`tags:o12`), so nothing but a positive number may pass.
    pub fn parse(&self, q: &str) -> Result<Filters, AppError> {
        let mut errors: Vec<FieldError> = query_error(q).into_iter().collect();
        let org_id = filter_id("org", "单位", self.org, &mut errors);
        let category_id = filter_id("category", "类别", self.category, &mut errors);
        let text = |v: Option<&str>| v.map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        let f = Filters { org_id, category_id, kind: text(self.kind), from: text(self.from), to: text(self.to) };
        errors.extend(f.errors());
        if errors.is_empty() { Ok(f) } else { Err(AppError::fields(errors)) }
    }
}

impl Filters {
    /// What is wrong with these filters, each on its query parameter.
    pub fn errors(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        for (field, what, id) in [("org", "单位", self.org_id), ("category", "类别", self.category_id)] {
            if let Some(id) = id.filter(|id| *id <= 0) {
                errors.push(bad_id(field, what, id));
            }
        }
        if let Some(k) = self.kind.as_deref().filter(|k| !k.is_empty() && !KINDS.contains(k)) {
            errors.push(FieldError::new("kind", "invalid_filter", format!("“{k}”不是有效的搜索范围，应为 publication（政府信息）或 letter（市长信箱）")));
        }
        for (field, d) in [("from", &self.from), ("to", &self.to)] {
            if d.as_deref().is_some_and(|d| !d.is_empty() && crate::time::parse_date(d).is_none()) {
                errors.push(FieldError::new(field, "bad_date", "日期格式应为 YYYY-MM-DD"));
            }
        }
        errors
    }
}

/// One hit.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct HitRow {
    pub id: i64,
    pub kind: String,
    pub ref_id: i64,
    pub org_id: Option<i64>,
    pub category_id: Option<i64>,
    pub published_on: String,
    pub title: String,
    pub body: String,
    pub score: f64,
}

/// A hit ready to show: title and snippet as safe HTML with the terms marked.
#[derive(Clone, Debug, Serialize)]
pub struct Hit {
    pub kind: String,
    pub ref_id: i64,
    pub org_id: Option<i64>,
    pub category_id: Option<i64>,
    pub published_on: String,
    pub title_html: String,
    pub snippet_html: String,
    pub score: f64,
}

/// Mark the query's strings in `text` (HTML-escaped first, then marked).
pub fn highlight(text: &str, marks: &[String]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut marked = vec![false; chars.len()];
    for m in marks {
        let mc: Vec<char> = m.chars().collect();
        if mc.is_empty() || mc.len() > chars.len() {
            continue;
        }
        let mut i = 0;
        while i + mc.len() <= chars.len() {
            if chars[i..i + mc.len()].iter().zip(&mc).all(|(a, b)| a.to_lowercase().eq(b.to_lowercase())) {
                for f in &mut marked[i..i + mc.len()] {
                    *f = true;
                }
                i += mc.len();
            } else {
                i += 1;
            }
        }
    }
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let on = marked[i];
        let mut j = i;
        while j < chars.len() && marked[j] == on {
            j += 1;
        }
        let part: String = chars[i..j].iter().collect();
        if on {
            out.push_str("<mark>");
            out.push_str(&escape_html(&part));
            out.push_str("</mark>");
        } else {
            out.push_str(&escape_html(&part));
        }
        i = j;
    }
    out
}

/// A window of about `width` characters of `text` around the first place a mark occurs.
pub fn snippet(text: &str, marks: &[String], width: usize) -> String {
    let chars: Vec<char> = text.chars().filter(|c| !c.is_control() || *c == ' ').collect();
    let flat: String = chars.iter().collect();
    let first = marks.iter().filter_map(|m| flat.find(m.as_str()).map(|b| flat[..b].chars().count())).min();
    let (start, end) = match first {
        Some(p) => {
            let s = p.saturating_sub(width / 4);
            (s, (s + width).min(chars.len()))
        }
        None => (0, width.min(chars.len())),
    };
    let part: String = chars[start..end].iter().collect();
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.push_str(&part);
    if end < chars.len() {
        out.push('…');
    }
    highlight(&out, marks)
}

/// A citizen's letter as published: phone and ID numbers masked again whenever it is shown, so
/// that letters indexed before the masker learnt a way of writing them are covered too.
/// Publications are the government's own texts (an office's phone number stays).
pub fn published_letter_text(kind: &str, text: &str) -> String {
    if kind == "letter" { crate::privacy::mask_in_text(text).0 } else { text.to_string() }
}

pub fn present(rows: Vec<HitRow>, query: &Query) -> Vec<Hit> {
    let marks = query.marks();
    rows.into_iter()
        .map(|r| Hit {
            title_html: highlight(&published_letter_text(&r.kind, &r.title), &marks),
            snippet_html: snippet(&published_letter_text(&r.kind, &r.body), &marks, 120),
            kind: r.kind,
            ref_id: r.ref_id,
            org_id: r.org_id,
            category_id: r.category_id,
            published_on: r.published_on,
            score: r.score,
        })
        .collect()
}

/// Results of a search.
#[derive(Clone, Debug, Serialize)]
pub struct Results {
    pub hits: Vec<Hit>,
    /// Matching documents, counted up to [`engine::RANK_WINDOW`].
    pub total: i64,
    pub capped: bool,
}

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 100;

fn query_error(q: &str) -> Option<FieldError> {
    (q.chars().count() > MAX_QUERY_CHARS).then(|| FieldError::new("q", "too_long", format!("搜索词过长（不超过 {MAX_QUERY_CHARS} 个字）")))
}

/// Search: the best `per` hits from `offset`, with the (capped) number of matches. An over-long
/// query or a bad filter (see [`Filters::errors`]) is refused with its field, for the portal and
/// the API alike.
pub async fn search(db: &crate::db::Db, q: &str, f: &Filters, per: i64, offset: i64) -> Result<Results, AppError> {
    let mut errors: Vec<FieldError> = query_error(q).into_iter().collect();
    errors.extend(f.errors());
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    let query = Query::parse(q);
    if query.is_empty() {
        return Ok(Results { hits: vec![], total: 0, capped: false });
    }
    let (rows, total) = engine::search(db, &query, f, per, offset).await?;
    Ok(Results { hits: present(rows, &query), capped: total >= engine::RANK_WINDOW, total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segmentation_is_stable_across_contexts() {
        assert_eq!(tokens("矛盾纠纷"), ["矛盾", "纠纷"]);
        let a = tokens("派驻市法院调解员共化解矛盾纠纷1087件");
        assert!(a.windows(2).any(|w| w == ["矛盾", "纠纷"]), "{a:?}");
        assert!(tokens("聘请法律顾问模式").windows(2).any(|w| w == ["法律", "顾问"]));
        assert_eq!(tokens("法律顾问"), ["法律", "顾问"]);
        assert_eq!(tokens("不见面审批(服务)"), ["不", "见面", "审批", "服务"]);
        assert!(tokens("政府的信息").iter().all(|t| t != "的"));
        assert_eq!(tokens("COVID-19 疫情"), ["covid", "19", "疫情"]);
    }

    #[test]
    fn queries_become_phrases() {
        let q = Query::parse("营商环境  法律顾问");
        assert_eq!(q.fts5(), "\"营商 环境\" AND \"法律 顾问\"");
        assert!(Query::parse("，、。").is_empty());
    }

    #[test]
    fn filter_values_are_positive_ids_known_kinds_and_dates() {
        let ok = RawFilters { org: Some(" 12 "), category: Some(""), kind: Some("letter"), from: Some("2026-01-01"), to: None }.parse("").unwrap();
        assert_eq!((ok.org_id, ok.category_id, ok.kind.as_deref(), ok.from.as_deref()), (Some(12), None, Some("letter"), Some("2026-01-01")));
        let long = "字".repeat(MAX_QUERY_CHARS + 1);
        let bad = RawFilters { org: Some("-1"), category: Some("x"), kind: Some("all"), from: Some("2026-13-01"), to: Some("0") }.parse(&long).unwrap_err();
        let fields: Vec<(&str, &str)> = bad.field_errors().iter().map(|e| (e.field.as_str(), e.code.as_ref())).collect();
        assert_eq!(
            fields,
            [
                ("q", "too_long"),
                ("org", "invalid_filter"),
                ("category", "invalid_filter"),
                ("kind", "invalid_filter"),
                ("from", "bad_date"),
                ("to", "bad_date")
            ]
        );
        assert_eq!(bad.field_errors()[1].message, "“-1”不是有效的单位，请从列表中选择单位");
        for id in ["0", "-1", "99999999999999999999", "1 OR 1", "1e3"] {
            assert!(RawFilters { category: Some(id), ..Default::default() }.parse("").is_err(), "{id}");
        }
        let typed = Filters { org_id: Some(-1), ..Default::default() };
        assert_eq!(typed.errors()[0].field, "org");
    }

    #[test]
    fn snippets_escape_then_mark() {
        let marks = Query::parse("营商环境").marks();
        let h = snippet("<script>优化营商环境</script>，推进服务。", &marks, 50);
        assert!(h.contains("&lt;script&gt;优化<mark>营商环境</mark>&lt;/script&gt;"), "{h}");
        assert!(!h.contains("<script>"));
    }
}
