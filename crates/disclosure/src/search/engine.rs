//! The engine-specific part of the search, in one place: SQLite FTS5 (a contentless table whose
//! rowid is `search_docs.id`, the filters as tokens of a third column, see [`super::tags`]) and
//! PostgreSQL (posting lists of our own over the same tokens and tags, see [`super::postings`]).
//! Everything else is shared.
//!
//! Ranking window: a common word can match hundreds of thousands of documents, and scoring
//! all of them for every query costs hundreds of milliseconds (FTS5's BM25 even counts every
//! match to weigh the word). Both engines therefore return the newest
//! [`RANK_WINDOW`] matches (after the filters), and [`score`] orders those by relevance here,
//! identically for both; the page says so when a search reaches the window, and more words or
//! a filter narrow it.

use super::{Filters, HitRow, Query, postings};
use crate::db::{Backend, Db, Tx, q};
use crate::error::AppError;

/// The newest matches that are scored and counted: "1000+" is all a person needs, and scoring
/// a million is not free.
pub const RANK_WINDOW: i64 = 1000;

/// Put a document's tokens into the index (after removing any earlier version).
pub async fn put(tx: &mut Tx, id: i64, title_tokens: &str, body_tokens: &str, tags: &str) -> Result<(), AppError> {
    match tx.backend() {
        Backend::Sqlite => {
            q("DELETE FROM search_fts WHERE rowid = $1").bind(id).execute(&mut *tx).await?;
            q("INSERT INTO search_fts (rowid, title, body, tags) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(title_tokens)
                .bind(body_tokens)
                .bind(tags)
                .execute(&mut *tx)
                .await?;
        }
        Backend::Postgres => {
            q("UPDATE search_docs SET tokens = $2 WHERE id = $1").bind(id).bind(postings::stored_tokens(title_tokens, body_tokens)).execute(&mut *tx).await?;
            postings::add(tx, &[(id, postings::doc_terms(title_tokens, body_tokens, tags))]).await?;
        }
    }
    Ok(())
}

/// A document's tokens for the index: id, title tokens, body tokens, filter tags.
pub type Tokens = (i64, String, String, String);

/// Many new documents at once (bulk indexing): on SQLite one FTS5 statement per batch; on
/// PostgreSQL the posting lists of the whole batch together (the token sequence was written with
/// the row, [`postings::stored_tokens`]).
pub async fn put_many(tx: &mut Tx, docs: &[Tokens]) -> Result<(), AppError> {
    if docs.is_empty() {
        return Ok(());
    }
    if tx.backend() == Backend::Postgres {
        let terms: Vec<_> = docs.iter().map(|(id, t, b, g)| (*id, postings::doc_terms(t, b, g))).collect();
        return postings::add(tx, &terms).await;
    }
    for chunk in docs.chunks(100) {
        let mut query = q("INSERT INTO search_fts (rowid, title, body, tags) VALUES ");
        for (i, (id, t, b, g)) in chunk.iter().enumerate() {
            if i > 0 {
                query = query.push(", ");
            }
            query = query.push_bind("({}, ", *id).push_bind("{}, ", t.clone()).push_bind("{}, ", b.clone()).push_bind("{})", g.clone());
        }
        query.execute(&mut *tx).await?;
    }
    Ok(())
}

/// Remove a document from the index (on PostgreSQL its offsets stay in the posting lists and
/// the search drops them, as the document row is gone).
pub async fn remove(tx: &mut Tx, id: i64) -> Result<(), AppError> {
    if tx.backend() == Backend::Sqlite {
        q("DELETE FROM search_fts WHERE rowid = $1").bind(id).execute(&mut *tx).await?;
    }
    Ok(())
}

const HIT_COLS: &str = "d.id, d.kind, d.ref_id, d.org_id, d.category_id, d.published_on, d.title, d.body";

/// The first and last publication day in the index (closes open-ended date filters). Two
/// sub-queries: SQLite answers a lone MIN or MAX from the index, but scans for both together.
async fn day_span(db: &Db) -> Result<Option<(chrono::NaiveDate, chrono::NaiveDate)>, AppError> {
    let (lo, hi): (Option<String>, Option<String>) =
        q("SELECT (SELECT MIN(published_on) FROM search_docs), (SELECT MAX(published_on) FROM search_docs)").fetch_one(db).await?;
    Ok(lo.as_deref().and_then(crate::time::parse_date).zip(hi.as_deref().and_then(crate::time::parse_date)))
}

/// The window: the newest [`RANK_WINDOW`] matches after the filters, unscored.
async fn window(db: &Db, qq: &Query, f: &Filters) -> Result<Vec<HitRow>, AppError> {
    let cols = format!("SELECT {HIT_COLS}, CAST(0 AS DOUBLE PRECISION) AS score");
    let span = if f.from.is_some() || f.to.is_some() { day_span(db).await? } else { None };
    match db.backend() {
        Backend::Sqlite => {
            let Some(filter) = super::tags::fts5_filter(f, span) else { return Ok(vec![]) };
            q(format!(
                "{cols} FROM search_docs d JOIN (SELECT rowid FROM search_fts WHERE search_fts MATCH $1 ORDER BY rowid DESC LIMIT $2) w ON d.id = w.rowid"
            ))
            .bind(format!("({}){filter}", qq.fts5()))
            .bind(RANK_WINDOW)
            .fetch_all(db)
            .await
        }
        Backend::Postgres => {
            let Some(groups) = super::tags::filter_groups(f, span) else { return Ok(vec![]) };
            postings::window(db, qq, f, groups, RANK_WINDOW as usize, &cols).await
        }
    }
}

/// Relevance, the same on both engines: BM25F over the window without the IDF factor (every
/// document of the window contains every word, and the engines' own IDF means counting all
/// matches of a common word on each query). Per query word, its occurrences in the title
/// count ten times those in the body, each normalised by the field's length against the
/// window's average; the sum saturates (k1 = 1.2, b = 0.75).
pub fn score(rows: &mut [HitRow], qq: &Query) {
    const K1: f64 = 1.2;
    const B: f64 = 0.75;
    const TITLE_WEIGHT: f64 = 10.0;
    if rows.is_empty() {
        return;
    }
    let words: Vec<String> = qq.words.iter().map(|w| w.to_lowercase()).filter(|w| !w.is_empty()).collect();
    let lens: Vec<(f64, f64)> = rows.iter().map(|r| (r.title.chars().count() as f64, r.body.chars().count() as f64)).collect();
    let n = rows.len() as f64;
    let avg_title = (lens.iter().map(|l| l.0).sum::<f64>() / n).max(1.0);
    let avg_body = (lens.iter().map(|l| l.1).sum::<f64>() / n).max(1.0);
    for (r, (lt, lb)) in rows.iter_mut().zip(lens) {
        let (title, body) = (r.title.to_lowercase(), r.body.to_lowercase());
        let mut s = 0.0;
        for w in &words {
            let (mut tf_t, tf_b) = (title.matches(w.as_str()).count() as f64, body.matches(w.as_str()).count() as f64);
            // The index matched it (perhaps across punctuation the segmenter drops): count it once.
            if tf_t + tf_b == 0.0 {
                tf_t = 1.0 / TITLE_WEIGHT;
            }
            let tf = TITLE_WEIGHT * tf_t / (1.0 - B + B * lt / avg_title) + tf_b / (1.0 - B + B * lb / avg_body);
            s += tf / (K1 + tf);
        }
        r.score = s;
    }
}

/// The best hits from `offset` and the number of matches (up to [`RANK_WINDOW`]).
pub async fn search(db: &Db, qq: &Query, f: &Filters, per: i64, offset: i64) -> Result<(Vec<HitRow>, i64), AppError> {
    let mut rows = window(db, qq, f).await?;
    let total = rows.len() as i64;
    score(&mut rows, qq);
    rows.sort_by(|a, b| b.score.total_cmp(&a.score).then(b.published_on.cmp(&a.published_on)).then(b.id.cmp(&a.id)));
    Ok((rows.into_iter().skip(offset.max(0) as usize).take(per.max(0) as usize).collect(), total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, title: &str, body: &str) -> HitRow {
        HitRow {
            id,
            kind: "publication".into(),
            ref_id: id,
            org_id: None,
            category_id: None,
            published_on: "2020-01-01".into(),
            title: title.into(),
            body: body.into(),
            score: 0.0,
        }
    }

    fn ranked(rows: &mut [HitRow], q: &str) -> Vec<i64> {
        score(rows, &Query::parse(q));
        rows.sort_by(|a, b| b.score.total_cmp(&a.score).then(b.id.cmp(&a.id)));
        rows.iter().map(|r| r.id).collect()
    }

    #[test]
    fn title_beats_body_and_more_beats_fewer() {
        let mut rows = vec![
            row(1, "关于道路养护的通知", "优化营商环境。"),
            row(2, "关于优化营商环境的若干措施", "为持续优化营商环境，制定本措施。"),
            row(3, "关于道路养护的通知", "优化营商环境，营商环境评价，营商环境监测。"),
        ];
        assert_eq!(ranked(&mut rows, "营商环境"), [2, 3, 1]);
        assert!(rows.iter().all(|r| r.score > 0.0));
    }

    #[test]
    fn every_word_counts_and_short_fields_weigh_more() {
        let mut rows = vec![row(1, "法律顾问", "加强政务服务公职律师"), row(2, "法律顾问", "公职律师"), row(3, "工作要点", "法律顾问和公职律师")];
        assert_eq!(ranked(&mut rows, "法律顾问 公职律师"), [2, 1, 3]);
        // A match the index found across dropped punctuation still scores above nothing.
        let mut rows = vec![row(1, "", "营商、环境")];
        score(&mut rows, &Query::parse("营商环境"));
        assert!(rows[0].score > 0.0);
    }
}
