//! Keeping the search index in step: a publication enters it when it is published and leaves it
//! when withdrawn; a 市长信箱 letter enters it when the hotline publishes it (and the sweep
//! catches any published before this module existed). Each change runs inside the transaction
//! that makes the record public, so the index never shows what is not public.

use futures::FutureExt;

use super::{engine, segment};
use crate::db::{Tx, q};
use crate::error::AppError;
use crate::state::AppState;

/// A document to index.
#[derive(Clone, Debug)]
pub struct Doc {
    pub kind: &'static str,
    pub ref_id: i64,
    pub org_id: Option<i64>,
    pub category_id: Option<i64>,
    pub published_on: String,
    pub title: String,
    pub body: String,
}

impl Doc {
    /// Its filter tokens (see [`super::tags`]).
    pub fn tags(&self) -> String {
        super::tags::doc_tags(self.kind, self.org_id, self.category_id, &self.published_on)
    }
}

/// Insert or replace one document.
pub async fn put(tx: &mut Tx, d: &Doc) -> Result<i64, AppError> {
    let existing: Option<(i64,)> = q("SELECT id FROM search_docs WHERE kind = $1 AND ref_id = $2").bind(d.kind).bind(d.ref_id).fetch_optional(&mut *tx).await?;
    let id = match existing {
        Some((id,)) => {
            q("UPDATE search_docs SET org_id = $1, category_id = $2, published_on = $3, title = $4, body = $5 WHERE id = $6")
                .bind(d.org_id)
                .bind(d.category_id)
                .bind(d.published_on.as_str())
                .bind(d.title.as_str())
                .bind(d.body.as_str())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            id
        }
        None => {
            q("INSERT INTO search_docs (kind, ref_id, org_id, category_id, published_on, title, body) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id")
                .bind(d.kind)
                .bind(d.ref_id)
                .bind(d.org_id)
                .bind(d.category_id)
                .bind(d.published_on.as_str())
                .bind(d.title.as_str())
                .bind(d.body.as_str())
                .fetch_i64(&mut *tx)
                .await?
        }
    };
    engine::put(tx, id, &segment(&d.title), &segment(&d.body), &d.tags()).await?;
    Ok(id)
}

/// Index many new documents (bulk loads): rows in multi-row INSERTs (on PostgreSQL with their
/// token sequence), then the index entries of the whole batch ([`engine::put_many`]). The caller
/// segments (it may do so on several threads).
pub async fn put_new_many(tx: &mut Tx, docs: &[(Doc, String, String)]) -> Result<(), AppError> {
    let pg = tx.backend() == crate::db::Backend::Postgres;
    let mut tokens: Vec<engine::Tokens> = Vec::with_capacity(docs.len());
    for chunk in docs.chunks(100) {
        let mut query = q(if pg {
            "INSERT INTO search_docs (kind, ref_id, org_id, category_id, published_on, title, body, tokens) VALUES "
        } else {
            "INSERT INTO search_docs (kind, ref_id, org_id, category_id, published_on, title, body) VALUES "
        });
        for (i, (d, t, b)) in chunk.iter().enumerate() {
            if i > 0 {
                query = query.push(", ");
            }
            query = query
                .push_bind("({}, ", d.kind)
                .push_bind("{}, ", d.ref_id)
                .push_bind("{}, ", d.org_id)
                .push_bind("{}, ", d.category_id)
                .push_bind("{}, ", d.published_on.clone())
                .push_bind("{}, ", d.title.clone())
                .push_bind("{}", d.body.clone());
            if pg {
                query = query.push_bind(", {}", super::postings::stored_tokens(t, b));
            }
            query = query.push(")");
        }
        let ids: Vec<(i64,)> = query.push(" RETURNING id").fetch_all(&mut *tx).await?;
        tokens.extend(ids.iter().zip(chunk).map(|((id,), (d, t, b))| (*id, t.clone(), b.clone(), d.tags())));
    }
    engine::put_many(tx, &tokens).await
}

/// Take a document out of the index.
pub async fn remove(tx: &mut Tx, kind: &str, ref_id: i64) -> Result<(), AppError> {
    let existing: Option<(i64,)> = q("SELECT id FROM search_docs WHERE kind = $1 AND ref_id = $2").bind(kind).bind(ref_id).fetch_optional(&mut *tx).await?;
    if let Some((id,)) = existing {
        engine::remove(tx, id).await?;
        q("DELETE FROM search_docs WHERE id = $1").bind(id).execute(&mut *tx).await?;
    }
    Ok(())
}

/// A source's record as an index document.
fn from_source(d: &crate::search_api::SourceDoc) -> Doc {
    Doc {
        kind: d.kind,
        ref_id: d.ref_id,
        org_id: d.org_id,
        category_id: d.category_id,
        published_on: d.published_on.clone(),
        title: d.title.clone(),
        body: d.body.clone(),
    }
}

/// 政务公开 keeps the program's full-text index: other features' public records come in through
/// their search sources (`search_api`), never through their tables.
pub struct Index;

impl crate::search_api::Indexer for Index {
    fn table(&self) -> &'static str {
        "search_docs"
    }
    fn put<'a>(&'a self, tx: &'a mut Tx, doc: &'a crate::search_api::SourceDoc) -> futures::future::BoxFuture<'a, Result<(), AppError>> {
        async move { put(tx, &from_source(doc)).await.map(|_| ()) }.boxed()
    }
    fn remove<'a>(&'a self, tx: &'a mut Tx, kind: &'a str, ref_id: i64) -> futures::future::BoxFuture<'a, Result<(), AppError>> {
        remove(tx, kind, ref_id).boxed()
    }
}

/// Index the records of every search source that are published and not in the index yet
/// (letters published before, by an import, or while the index was being rebuilt). Returns how
/// many were indexed.
pub async fn sync_sources(state: &AppState) -> Result<usize, AppError> {
    let mut total = 0;
    for source in state.registry.search_sources() {
        loop {
            let docs = (source.unindexed)(&state.db, "search_docs", 500).await?;
            let n = docs.len();
            if n == 0 {
                break;
            }
            state
                .db
                .write(move |tx| {
                    async move {
                        for d in &docs {
                            put(tx, &from_source(d)).await?;
                        }
                        Ok(())
                    }
                    .boxed()
                })
                .await?;
            total += n;
            if n < 500 {
                break;
            }
        }
    }
    Ok(total)
}

#[derive(sqlx::FromRow)]
struct QueuedDoc {
    id: i64,
    kind: String,
    org_id: Option<i64>,
    category_id: Option<i64>,
    published_on: String,
    title: String,
    body: String,
}

/// Index again the documents queued in `search_reindex` (after a change of the index layout),
/// at most `limit` of them per call so that one sweep stays short. Returns how many were done.
pub async fn reindex_queued(state: &AppState, limit: usize) -> Result<usize, AppError> {
    let queued = q("SELECT COUNT(*) FROM (SELECT 1 FROM search_reindex LIMIT 1) x").fetch_i64(&state.db).await?;
    if queued == 0 {
        return Ok(0);
    }
    // Documents deleted since they were queued.
    state
        .db
        .write(|tx| async move { q("DELETE FROM search_reindex WHERE doc_id NOT IN (SELECT id FROM search_docs)").execute(tx).await.map(|_| ()) }.boxed())
        .await?;
    let mut done = 0;
    while done < limit {
        let rows: Vec<QueuedDoc> = q("SELECT d.id, d.kind, d.org_id, d.category_id, d.published_on, d.title, d.body \
             FROM search_reindex r JOIN search_docs d ON d.id = r.doc_id ORDER BY r.doc_id LIMIT 500")
        .fetch_all(&state.db)
        .await?;
        let n = rows.len();
        if n == 0 {
            break;
        }
        let tokens = tokio::task::spawn_blocking(move || {
            rows.into_iter()
                .map(|d| {
                    let tags = super::tags::doc_tags(&d.kind, d.org_id, d.category_id, &d.published_on);
                    (d.id, segment(&d.title), segment(&d.body), tags)
                })
                .collect::<Vec<engine::Tokens>>()
        })
        .await
        .map_err(|e| AppError::Internal(format!("segmenter: {e}")))?;
        state
            .db
            .write(move |tx| {
                async move {
                    let ids: Vec<i64> = tokens.iter().map(|t| t.0).collect();
                    for (id, t, b, g) in &tokens {
                        engine::put(tx, *id, t, b, g).await?;
                    }
                    q("DELETE FROM search_reindex WHERE").push_in("doc_id", &ids).execute(&mut *tx).await?;
                    Ok(())
                }
                .boxed()
            })
            .await?;
        done += n;
    }
    if done > 0 {
        tracing::info!(documents = done, "search documents indexed again");
    }
    Ok(done)
}
