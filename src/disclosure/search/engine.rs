//! The engine-specific SQL of the search, in one place: SQLite FTS5 (a contentless table whose
//! rowid is `search_docs.id`, BM25 ranking with the title weighted ten times the body) and
//! PostgreSQL (`search_docs.tsv`, a tsvector over the same tokens with the 'simple'
//! configuration, title weight A and body weight D, a GIN index, `ts_rank` normalised by
//! length). Everything else is shared.

use super::{Filters, HitRow, Query};
use crate::db::{Backend, Db, Q, Tx, q};
use crate::error::AppError;

/// Counting stops here: "1000+" is all a person needs, and counting a million is not free.
pub const COUNT_CAP: i64 = 1000;

/// Put a document's tokens into the index (after removing any earlier version).
pub async fn put(tx: &mut Tx, id: i64, title_tokens: &str, body_tokens: &str) -> Result<(), AppError> {
    match tx.backend() {
        Backend::Sqlite => {
            q("DELETE FROM search_fts WHERE rowid = $1").bind(id).execute(&mut *tx).await?;
            q("INSERT INTO search_fts (rowid, title, body) VALUES ($1, $2, $3)").bind(id).bind(title_tokens).bind(body_tokens).execute(&mut *tx).await?;
        }
        Backend::Postgres => {
            q("UPDATE search_docs SET tsv = setweight(to_tsvector('simple', $2), 'A') || setweight(to_tsvector('simple', $3), 'D') WHERE id = $1")
                .bind(id)
                .bind(title_tokens)
                .bind(body_tokens)
                .execute(&mut *tx)
                .await?;
        }
    }
    Ok(())
}

/// Many documents at once (bulk indexing): one statement per batch.
pub async fn put_many(tx: &mut Tx, docs: &[(i64, String, String)]) -> Result<(), AppError> {
    if docs.is_empty() {
        return Ok(());
    }
    match tx.backend() {
        Backend::Sqlite => {
            let mut query = q("INSERT INTO search_fts (rowid, title, body) VALUES ");
            for (i, (id, t, b)) in docs.iter().enumerate() {
                if i > 0 {
                    query = query.push(", ");
                }
                query = query.push_bind("({}, ", *id).push_bind("{}, ", t.clone()).push_bind("{})", b.clone());
            }
            query.execute(&mut *tx).await?;
        }
        Backend::Postgres => {
            let mut query =
                q("UPDATE search_docs d SET tsv = setweight(to_tsvector('simple', v.t), 'A') || setweight(to_tsvector('simple', v.b), 'D') FROM (VALUES ");
            for (i, (id, t, b)) in docs.iter().enumerate() {
                if i > 0 {
                    query = query.push(", ");
                }
                query = query.push_bind("(CAST({} AS BIGINT), ", *id).push_bind("CAST({} AS TEXT), ", t.clone()).push_bind("CAST({} AS TEXT))", b.clone());
            }
            query.push(") AS v(id, t, b) WHERE d.id = v.id").execute(&mut *tx).await?;
        }
    }
    Ok(())
}

/// Remove a document from the index.
pub async fn remove(tx: &mut Tx, id: i64) -> Result<(), AppError> {
    if tx.backend() == Backend::Sqlite {
        q("DELETE FROM search_fts WHERE rowid = $1").bind(id).execute(&mut *tx).await?;
    }
    Ok(())
}

fn filters(mut query: Q, f: &Filters) -> Q {
    if let Some(o) = f.org_id {
        query = query.push_bind(" AND d.org_id = {}", o);
    }
    if let Some(c) = f.category_id {
        query = query.push_bind(" AND d.category_id = {}", c);
    }
    if let Some(k) = f.kind.as_deref().filter(|k| !k.is_empty()) {
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

const HIT_COLS: &str = "d.id, d.kind, d.ref_id, d.org_id, d.category_id, d.published_on, d.title, d.body";

/// The PostgreSQL tsquery of a query: the phrases joined with AND.
fn pg_tsquery(mut query: Q, qq: &Query) -> Q {
    query = query.push("(");
    for (i, p) in qq.phrases.iter().enumerate() {
        if i > 0 {
            query = query.push(" && ");
        }
        query = query.push_bind("phraseto_tsquery('simple', {})", p.join(" "));
    }
    query.push(")")
}

/// The best hits and the number of matches (up to [`COUNT_CAP`]).
pub async fn search(db: &Db, qq: &Query, f: &Filters, per: i64, offset: i64) -> Result<(Vec<HitRow>, i64), AppError> {
    match db.backend() {
        Backend::Sqlite => {
            let m = qq.fts5();
            let rows: Vec<HitRow> = filters(
                q(format!("SELECT {HIT_COLS}, bm25(search_fts, 10.0, 1.0) AS score FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid WHERE search_fts MATCH $1"))
                    .bind(m.clone()),
                f,
            )
            .push(" ORDER BY score, d.published_on DESC, d.id DESC")
            .push_bind(" LIMIT {}", per)
            .push_bind(" OFFSET {}", offset)
            .fetch_all(db)
            .await?;
            let total =
                filters(q("SELECT COUNT(*) FROM (SELECT 1 FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid WHERE search_fts MATCH $1").bind(m), f)
                    .push_bind(" LIMIT {}) x", COUNT_CAP)
                    .fetch_i64(db)
                    .await?;
            Ok((rows, total))
        }
        Backend::Postgres => {
            let mut query = q(format!("SELECT {HIT_COLS}, CAST(ts_rank(d.tsv, qq.q, 1) AS DOUBLE PRECISION) AS score FROM search_docs d, (SELECT "));
            query = pg_tsquery(query, qq).push(" AS q) qq WHERE d.tsv @@ qq.q");
            let rows: Vec<HitRow> = filters(query, f)
                .push(" ORDER BY score DESC, d.published_on DESC, d.id DESC")
                .push_bind(" LIMIT {}", per)
                .push_bind(" OFFSET {}", offset)
                .fetch_all(db)
                .await?;
            let mut cq = q("SELECT COUNT(*) FROM (SELECT 1 FROM search_docs d WHERE d.tsv @@ ");
            cq = pg_tsquery(cq, qq);
            let total = filters(cq, f).push_bind(" LIMIT {}) x", COUNT_CAP).fetch_i64(db).await?;
            Ok((rows, total))
        }
    }
}
