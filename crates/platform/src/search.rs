//! Search across features, decoupled: a feature that has public texts declares a **source** (the
//! hotline's published 市长信箱 letters); the feature that runs the full-text index (政务公开) is
//! the **indexer**. A source never calls the indexer's code: it asks [`reindex`] to bring one of
//! its records into the index (or take it out) inside its own transaction, and the indexer's
//! background sweep catches up with records that are not indexed yet ([`SearchSource::unindexed`]).

use futures::future::BoxFuture;

use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::registry::Registry;

/// A record as the index sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceDoc {
    /// The source's kind (`letter`): with `ref_id`, the record's identity in the index.
    pub kind: &'static str,
    pub ref_id: i64,
    pub org_id: Option<i64>,
    pub category_id: Option<i64>,
    /// YYYY-MM-DD.
    pub published_on: String,
    pub title: String,
    pub body: String,
}

/// Load a record as published, or `None` when it is not (any more).
pub type LoadFn = for<'a> fn(&'a mut Tx, i64) -> BoxFuture<'a, Result<Option<SourceDoc>, AppError>>;
/// Published records the index does not hold yet (`indexed` answers whether it holds one).
pub type PendingFn = for<'a> fn(&'a Db, &'a str, i64) -> BoxFuture<'a, Result<Vec<SourceDoc>, AppError>>;

/// A feature's searchable records.
pub struct SearchSource {
    pub kind: &'static str,
    /// What the portal calls them (市长信箱来信).
    pub label: &'static str,
    /// The record as published, or `None` when it is not (any more).
    pub load: LoadFn,
    /// Up to `limit` published records missing from the index table named by the second
    /// argument (the indexer's table of documents, keyed by kind and ref_id).
    pub unindexed: PendingFn,
}

/// The feature that keeps the full-text index.
pub trait Indexer: Send + Sync {
    /// The indexer's table of documents (`search_docs`), for [`SearchSource::unindexed`].
    fn table(&self) -> &'static str;
    fn put<'a>(&'a self, tx: &'a mut Tx, doc: &'a SourceDoc) -> BoxFuture<'a, Result<(), AppError>>;
    fn remove<'a>(&'a self, tx: &'a mut Tx, kind: &'a str, ref_id: i64) -> BoxFuture<'a, Result<(), AppError>>;
}

/// Bring one record of a source into the index as it now stands, in the caller's transaction.
/// Without an indexer in the program, nothing to do.
pub async fn reindex(tx: &mut Tx, registry: &Registry, kind: &str, ref_id: i64) -> Result<(), AppError> {
    let Some(indexer) = registry.indexer() else { return Ok(()) };
    let source = registry.search_sources().into_iter().find(|s| s.kind == kind).ok_or_else(|| AppError::internal(format!("no search source {kind}")))?;
    match (source.load)(tx, ref_id).await? {
        Some(doc) => indexer.put(tx, &doc).await,
        None => indexer.remove(tx, source.kind, ref_id).await,
    }
}
