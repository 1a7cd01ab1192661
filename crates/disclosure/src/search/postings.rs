//! PostgreSQL: the search index as our own posting lists, walked newest first.
//!
//! Why not tsvector with GIN: a GIN index returns its matches in no order and cannot check a
//! phrase, so the newest thousand matches of a common word meant fetching and re-checking tens of
//! thousands of rows, and the planner's guesses for phrases sent it down the wrong path half
//! the time: p95 of 140–257 ms at a million documents (BENCHMARKS.md). The RUM extension, which
//! keeps an order, was tried on a synthetic million documents and still took 5–580 ms per
//! query (a 1.4 GB index), and would have become a deployment requirement.
//!
//! The layout: document ids are cut into blocks of [`BLOCK`] consecutive ids; for every term
//! (a token of the text, or a filter tag prefixed with `#`) and every block in which it occurs,
//! one row of `search_postings` holds the ids' offsets in the block, two bytes each. A search
//! reads the rows of its terms for a range of blocks (newest first; one indexed range scan per
//! step), intersects them as 4,096-bit sets, and has the database verify the candidates against
//! the documents themselves: each phrase in the stored token sequence (`search_docs.tokens`, so
//! phrase semantics are exactly those of FTS5) and each filter on the row. It stops as soon as it has
//! the window, so a common word costs a few blocks and a rare one a few dozen small rows.
//!
//! Writing appends offsets (`ids || new`); nothing is ever removed. A withdrawn or changed
//! document can leave stale offsets behind, which the verification drops, and a repeated offset
//! is one bit of the set.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{Filters, HitRow, Query};
use crate::db::{Db, Tx, q};
use crate::error::AppError;

/// Document ids per block: offsets fit in two bytes and a block's set in 64 words.
pub const BLOCK: i64 = 4096;
const WORDS: usize = (BLOCK / 64) as usize;

/// A block's set of offsets.
type Bits = [u64; WORDS];

/// Blocks read in the first step (16,384 documents: enough for a common word).
const FIRST_STEP: i64 = 4;
/// The most blocks read in one step.
const MAX_STEP: i64 = 256;

/// How many blocks to read next, after `scanned` blocks gave `found` of the `limit` matches:
/// as many as the rate so far says are still needed, with a quarter more (reading more rows of
/// the posting lists costs little, one more step costs a round trip); four times as many while
/// nothing has been found.
fn next_step(step: i64, scanned: i64, found: usize, limit: usize) -> i64 {
    let want = if found == 0 { step * 4 } else { ((limit - found.min(limit)) as f64 / found as f64 * scanned as f64 * 1.25).ceil() as i64 };
    want.clamp(FIRST_STEP, MAX_STEP)
}

/// The stored token sequence of a document: title tokens and body tokens, apart, with a space
/// at both ends, so that a phrase is a substring ` a b ` ([`phrase_needle`]) and never spans the
/// two fields (as in FTS5, where they are two columns). Tokens are alphanumeric.
pub fn stored_tokens(title_tokens: &str, body_tokens: &str) -> String {
    format!(" {title_tokens} | {body_tokens} ")
}

/// What a stored token sequence contains when it contains the phrase: its tokens one after the
/// other, spaces around.
pub fn phrase_needle(phrase: &[String]) -> String {
    format!(" {} ", phrase.join(" "))
}

/// The terms of a document: its distinct tokens and its filter tags (prefixed with `#`, which
/// no token contains).
pub fn doc_terms(title_tokens: &str, body_tokens: &str, tags: &str) -> BTreeSet<String> {
    let mut terms: BTreeSet<String> = title_tokens.split_whitespace().chain(body_tokens.split_whitespace()).map(str::to_string).collect();
    terms.extend(tags.split_whitespace().map(|t| format!("#{t}")));
    terms
}

/// Append documents to the posting lists: one row per (term, block), written in (term, block)
/// order so that concurrent writers take the rows' locks in the same order.
pub async fn add(tx: &mut Tx, docs: &[(i64, BTreeSet<String>)]) -> Result<(), AppError> {
    let mut rows: BTreeMap<(&str, i64), Vec<u8>> = BTreeMap::new();
    for (id, terms) in docs {
        let offset = ((id % BLOCK) as u16).to_le_bytes();
        for t in terms {
            rows.entry((t.as_str(), id / BLOCK)).or_default().extend_from_slice(&offset);
        }
    }
    let rows: Vec<_> = rows.into_iter().collect();
    for chunk in rows.chunks(2000) {
        let mut query = q("INSERT INTO search_postings (term, block, ids) VALUES ");
        for (i, ((term, block), ids)) in chunk.iter().enumerate() {
            query = query.push(if i > 0 { ", (" } else { "(" }).push_bind("{}, ", term.to_string()).push_bind("{}, ", *block).push_bind("{})", ids.clone());
        }
        query.push(" ON CONFLICT (term, block) DO UPDATE SET ids = search_postings.ids || EXCLUDED.ids").execute(&mut *tx).await?;
    }
    Ok(())
}

fn set_bits(bits: &mut Bits, ids: &[u8]) {
    for pair in ids.chunks_exact(2) {
        let o = u16::from_le_bytes([pair[0], pair[1]]) as usize % BLOCK as usize;
        bits[o / 64] |= 1 << (o % 64);
    }
}

/// The offsets in a set, highest first.
fn offsets_desc(bits: &Bits) -> impl Iterator<Item = i64> + '_ {
    (0..WORDS).rev().flat_map(move |w| {
        let word = bits[w];
        (0..64).rev().filter(move |b| word & (1 << b) != 0).map(move |b| (w * 64 + b) as i64)
    })
}

/// The candidates among `ids` that contain every phrase and pass the filters, checked by the
/// database (the token sequences never travel).
fn verify(cols: &str, ids: &[i64], qq: &Query, f: &Filters) -> crate::db::Q {
    let ids = format!("{{{}}}", ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","));
    let mut query = q(format!("{cols} FROM search_docs d WHERE d.id = ANY(CAST($1 AS BIGINT[]))")).bind(ids);
    for p in &qq.phrases {
        // strpos, not LIKE '%…%': LIKE walks UTF-8 text character by character (7 ms per
        // thousand documents here, strpos under 1 ms).
        query = query.push_bind(" AND strpos(d.tokens, {}) > 0", phrase_needle(p));
    }
    if let Some(o) = f.org_id {
        query = query.push_bind(" AND d.org_id = {}", o);
    }
    if let Some(c) = f.category_id {
        query = query.push_bind(" AND d.category_id = {}", c);
    }
    if let Some(k) = f.kind.as_deref().filter(|k| matches!(*k, "publication" | "letter")) {
        query = query.push_bind(" AND d.kind = {}", k.to_string());
    }
    if let Some(from) = f.from.as_deref().filter(|s| !s.is_empty()) {
        query = query.push_bind(" AND d.published_on >= {}", from.to_string());
    }
    if let Some(to) = f.to.as_deref().filter(|s| !s.is_empty()) {
        query = query.push_bind(" AND d.published_on <= {}", to.to_string());
    }
    query
}

/// The newest `limit` documents that contain every phrase and pass the filters. `tag_groups`
/// are the filters as tag groups ([`super::tags::filter_groups`]).
pub async fn window(db: &Db, qq: &Query, f: &Filters, tag_groups: Vec<Vec<String>>, limit: usize, cols: &str) -> Result<Vec<HitRow>, AppError> {
    // AND of groups, OR within a group.
    let mut groups: Vec<Vec<String>> = qq.phrases.iter().flatten().collect::<BTreeSet<_>>().into_iter().map(|t| vec![t.clone()]).collect();
    groups.extend(tag_groups.into_iter().map(|g| g.into_iter().map(|t| format!("#{t}")).collect()));
    let group_of: HashMap<&str, usize> = groups.iter().enumerate().flat_map(|(i, g)| g.iter().map(move |t| (t.as_str(), i))).collect();
    // Terms and ids are sent as one array literal each: a list of a thousand parameters costs
    // the server more to parse and plan than the lookups themselves. Terms are alphanumeric
    // (tags add `#`): quoted, they need no escaping (and a token `null` stays a string).
    let terms_array = format!("{{{}}}", group_of.keys().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(","));

    let Some(max_id) = q("SELECT MAX(id) FROM search_docs").fetch_one::<(Option<i64>,)>(db).await?.0 else { return Ok(vec![]) };
    let mut out: Vec<HitRow> = Vec::new();

    let (mut hi, mut step) = (max_id / BLOCK, FIRST_STEP);
    while hi >= 0 && out.len() < limit {
        let lo = (hi - step + 1).max(0);
        let rows: Vec<(String, i64, Vec<u8>)> =
            q("SELECT term, block, ids FROM search_postings WHERE term = ANY(CAST($1 AS TEXT[])) AND block BETWEEN $2 AND $3")
                .bind(&terms_array)
                .bind(lo)
                .bind(hi)
                .fetch_all(db)
                .await?;
        // Per block, per group: the union of the group's sets.
        let mut sets: BTreeMap<i64, Vec<Option<Bits>>> = BTreeMap::new();
        for (term, block, ids) in &rows {
            let g = group_of[term.as_str()];
            let slot = &mut sets.entry(*block).or_insert_with(|| vec![None; groups.len()])[g];
            set_bits(slot.get_or_insert([0; WORDS]), ids);
        }
        let mut candidates = Vec::new();
        for (block, per_group) in sets.iter().rev() {
            if per_group.iter().any(Option::is_none) {
                continue;
            }
            let mut all = [u64::MAX; WORDS];
            for s in per_group.iter().flatten() {
                for (a, b) in all.iter_mut().zip(s) {
                    *a &= b;
                }
            }
            candidates.extend(offsets_desc(&all).map(|o| block * BLOCK + o));
        }
        // Verify newest first, fetching a little more than is still missing at a time.
        let mut rest = &candidates[..];
        while !rest.is_empty() && out.len() < limit {
            let take = (limit - out.len() + 64).min(rest.len());
            let (now, later) = rest.split_at(take);
            rest = later;
            // Two halves on two connections: the lookups are the bulk of a search, and the
            // server then works on both cores.
            let (a, b) = now.split_at(now.len() / 2);
            let (mut found, more): (Vec<HitRow>, Vec<HitRow>) = futures::try_join!(verify(cols, a, qq, f).fetch_all(db), verify(cols, b, qq, f).fetch_all(db))?;
            found.extend(more);
            found.sort_by_key(|r| std::cmp::Reverse(r.id));
            out.extend(found.into_iter().take(limit - out.len()));
        }
        hi = lo - 1;
        step = next_step(step, max_id / BLOCK - hi, out.len(), limit);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phrase(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn phrases_are_found_within_one_field() {
        let t = stored_tokens("关于 优化 营商 环境", "营商 活动 环境 保护");
        let has = |p: &str| t.contains(&phrase_needle(&phrase(p)));
        assert!(has("营商 环境") && has("环境 保护") && has("关于") && has("保护"));
        assert!(!has("环境 营商"));
        // The last title token and the first body token are not a phrase.
        assert!(!has("环境 营商 活动"));
        // Whole tokens only.
        assert!(!has("商 环境") && !has("环"));
        assert!(stored_tokens("", "法律 顾问").contains(&phrase_needle(&phrase("法律 顾问"))));
    }

    #[test]
    fn steps_follow_the_rate_of_matches() {
        // 4 blocks gave 100 of 1,000: about 45 more blocks.
        assert_eq!(next_step(4, 4, 100, 1000), 45);
        assert_eq!(next_step(4, 4, 0, 1000), 16);
        assert_eq!(next_step(64, 100, 0, 1000), MAX_STEP);
        assert_eq!(next_step(4, 4, 999, 1000), FIRST_STEP);
    }

    #[test]
    fn sets_round_trip_highest_first() {
        let mut bits = [0; WORDS];
        let ids: Vec<u8> = [5u16, 4095, 0, 64, 5].iter().flat_map(|o| o.to_le_bytes()).collect();
        set_bits(&mut bits, &ids);
        assert_eq!(offsets_desc(&bits).collect::<Vec<_>>(), [4095, 64, 5, 0]);
        let terms = doc_terms("营商 环境", "环境 保护", "o7 y2020");
        assert_eq!(terms.into_iter().collect::<Vec<_>>(), ["#o7", "#y2020", "保护", "环境", "营商"]);
    }
}
