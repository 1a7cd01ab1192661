//! Storage: one query code path for SQLite and PostgreSQL.
//!
//! SQL is written once, in the portable subset both engines share, with `$1, $2…` placeholders
//! (SQLite accepts `$NNN` as numbered parameters). Values cross the boundary as [`Val`], rows come
//! back through `sqlx::FromRow`, derived once and valid for both row types. The few places where
//! the dialects differ (row locks, full-text search, date functions) ask [`Db::backend`] or use
//! [`dialect`].
//!
//! Writes go through [`Db::write`], which runs a closure inside a transaction. On SQLite every
//! write is sent to one writer task that groups the writes waiting in its queue into one
//! transaction (a savepoint per write, so one failing write changes nothing and does not disturb
//! its neighbours) and commits them with a single fsync. That is how a SQLite database with
//! `synchronous=FULL` takes thousands of durable writes a second. On PostgreSQL each write is
//! its own transaction on the pool.

pub mod backup;
pub mod dialect;
pub mod migrate;
mod value;

use std::borrow::Cow;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::{Postgres, Sqlite};
use tokio::sync::{mpsc, oneshot};

pub use value::Val;

use crate::error::AppError;

/// Which engine a [`Db`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A row type that can be read from both engines (`#[derive(sqlx::FromRow)]` gives both).
pub trait Row: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin {}
impl<T> Row for T where T: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin {}

/// How to open a database.
#[derive(Clone, Debug)]
pub struct ConnectOptions {
    pub url: String,
    /// Connections for readers (SQLite) or for everything (PostgreSQL).
    pub max_connections: u32,
    /// PostgreSQL only: the schema to work in (tests use one schema per test).
    pub pg_schema: Option<String>,
}

impl ConnectOptions {
    pub fn new(url: impl Into<String>) -> Self {
        ConnectOptions { url: url.into(), max_connections: 8, pg_schema: None }
    }
}

type Finisher = Box<dyn FnOnce(Result<(), AppError>) + Send>;
type Job = Box<dyn for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, (bool, Finisher)> + Send>;

/// A write for the SQLite writer: grouped with others, or alone in its own transaction.
enum WriteJob {
    Batched(Job),
    /// A large write (an import of thousands of rows): its own transaction, no savepoint. Inside
    /// a savepoint SQLite keeps a sub-journal of every page changed since it began and walks it at
    /// the end of each statement, which makes large writes quadratic.
    Alone(Job),
}

enum Pools {
    Sqlite { read: SqlitePool, writer: mpsc::Sender<WriteJob>, path: String },
    Postgres(PgPool),
}

/// The database handle shared by the whole application (cheap to clone).
#[derive(Clone)]
pub struct Db {
    inner: Arc<Pools>,
    /// Row history is kept (`indicators::asof::install` has run on this database): write
    /// transactions stamp the images they leave. False while migrating.
    history: Arc<std::sync::atomic::AtomicBool>,
}

/// Largest number of writes grouped into one SQLite transaction.
const MAX_WRITE_BATCH: usize = 512;

impl Db {
    /// Open the database named by the URL. Only `sqlite://` and `postgres://` (or
    /// `postgresql://`) are accepted: a typo must not silently create an empty database.
    pub async fn connect(opts: &ConnectOptions) -> anyhow::Result<Db> {
        let url = opts.url.trim();
        if let Some(rest) = url.strip_prefix("sqlite://") {
            Self::connect_sqlite(rest, opts.max_connections).await
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::connect_pg(url, opts).await
        } else {
            anyhow::bail!("DATABASE_URL 必须以 sqlite:// 或 postgres:// 开头（收到的地址协议无法识别）")
        }
    }

    async fn connect_sqlite(rest: &str, max_connections: u32) -> anyhow::Result<Db> {
        let (path, _query) = rest.split_once('?').unwrap_or((rest, ""));
        anyhow::ensure!(!path.is_empty(), "DATABASE_URL 缺少 SQLite 数据库文件路径");
        if let Some(dir) = Path::new(path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("无法创建数据库目录 {}：{e}", dir.display()))?;
            }
        }
        let base = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30))
            .pragma("temp_store", "memory");
        // The writer: one connection, owned by the writer task.
        // The writer keeps the indexes it updates in memory: 64 MB of page cache.
        let write_pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            // The writer copies the WAL back into the database itself, between groups, every
            // 4,000 pages (16 MB). A checkpoint running beside the writer made commits wait for
            // its writes (an fsync on ext4 flushes the other file's new blocks too): a commit of
            // ~90 ms every second, the p99 of intake. Small checkpoints in line cost some
            // throughput and keep the tail short (BENCHMARKS.md).
            .connect_with(base.clone().pragma("cache_size", "-65536").pragma("wal_autocheckpoint", "4000"))
            .await?;
        // Readers lean on the operating system's file cache; a small private cache each keeps the
        // server's memory bounded whatever the number of connections.
        let read = SqlitePoolOptions::new()
            .max_connections(max_connections.max(1))
            .connect_with(base.clone().pragma("query_only", "ON").pragma("cache_size", "-4000"))
            .await?;
        let conn = write_pool.acquire().await?;
        let (tx, rx) = mpsc::channel::<WriteJob>(4096);
        tokio::spawn(sqlite_writer(conn, rx));
        let inner = Arc::new(Pools::Sqlite { read, writer: tx, path: path.to_string() });
        tokio::spawn(sqlite_checkpointer(Arc::downgrade(&inner), base.clone(), format!("{path}-wal")));
        Ok(Db { inner, history: Default::default() })
    }

    async fn connect_pg(url: &str, opts: &ConnectOptions) -> anyhow::Result<Db> {
        let mut o = PgConnectOptions::from_str(url)?;
        if let Some(schema) = &opts.pg_schema {
            o = o.options([("search_path", schema.as_str())]);
        }
        let pool = PgPoolOptions::new().max_connections(opts.max_connections.max(2)).acquire_timeout(Duration::from_secs(30)).connect_with(o).await?;
        Ok(Db { inner: Arc::new(Pools::Postgres(pool)), history: Default::default() })
    }

    /// From now on, write transactions stamp the row images they leave (`indicators::asof`).
    pub fn keep_history(&self) {
        self.history.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn backend(&self) -> Backend {
        match &*self.inner {
            Pools::Sqlite { .. } => Backend::Sqlite,
            Pools::Postgres(_) => Backend::Postgres,
        }
    }

    /// The SQLite database file, if this is SQLite.
    pub fn sqlite_path(&self) -> Option<&str> {
        match &*self.inner {
            Pools::Sqlite { path, .. } => Some(path),
            Pools::Postgres(_) => None,
        }
    }

    /// Run `f` in a transaction. `Ok` means committed and durable; `Err` means nothing of `f`
    /// was kept. Inside `f` use only the given transaction (never call `write` again: on SQLite
    /// that would wait for itself).
    pub async fn write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, Result<T, AppError>> + Send + 'static,
    {
        self.write_with(f, false).await
    }

    /// Like [`Db::write`], for a large write (imports, bulk generation): on SQLite it runs in a
    /// transaction of its own instead of a savepoint inside a group of writes.
    pub async fn write_alone<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, Result<T, AppError>> + Send + 'static,
    {
        self.write_with(f, true).await
    }

    async fn write_with<T, F>(&self, f: F, alone: bool) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, Result<T, AppError>> + Send + 'static,
    {
        let history = self.history.load(std::sync::atomic::Ordering::Relaxed);
        match &*self.inner {
            Pools::Postgres(pool) => {
                let t = pool.begin().await?;
                let mut tx = Tx { conn: TxConn::Pg(t), backend: Backend::Postgres, event_at: None, history };
                let result = match f(&mut tx).await {
                    Ok(v) => finish_history(&mut tx).await.map(|()| v),
                    Err(e) => Err(e),
                };
                match result {
                    Ok(v) => {
                        match tx.conn {
                            TxConn::Pg(t) => t.commit().await?,
                            TxConn::Sqlite(_) => unreachable!("a PostgreSQL transaction"),
                        }
                        Ok(v)
                    }
                    Err(e) => {
                        if let TxConn::Pg(t) = tx.conn {
                            let _ = t.rollback().await;
                        }
                        Err(e)
                    }
                }
            }
            Pools::Sqlite { writer, .. } => {
                let (send, recv) = oneshot::channel::<Result<T, AppError>>();
                let job: Job = Box::new(move |tx: &mut Tx| {
                    async move {
                        // The writer reuses one transaction for a batch of jobs.
                        tx.event_at = None;
                        tx.history = history;
                        let result = match f(tx).await {
                            Ok(v) => finish_history(tx).await.map(|()| v),
                            Err(e) => Err(e),
                        };
                        let ok = result.is_ok();
                        let finish: Finisher = Box::new(move |commit: Result<(), AppError>| {
                            let out = match (result, commit) {
                                (Ok(v), Ok(())) => Ok(v),
                                (Ok(_), Err(e)) => Err(e),
                                (Err(e), _) => Err(e),
                            };
                            let _ = send.send(out);
                        });
                        (ok, finish)
                    }
                    .boxed()
                });
                let job = if alone { WriteJob::Alone(job) } else { WriteJob::Batched(job) };
                writer.send(job).await.map_err(|_| AppError::internal("数据库写入通道已关闭"))?;
                recv.await.map_err(|_| AppError::internal("数据库写入任务意外中止"))?
            }
        }
    }

    /// Close all connections (waits for queued writes on SQLite).
    pub async fn close(&self) {
        match &*self.inner {
            Pools::Sqlite { read, .. } => read.close().await,
            Pools::Postgres(pool) => pool.close().await,
        }
    }
}

async fn sqlite_exec(conn: &mut PoolConnection<Sqlite>, sql: &str) -> Result<(), AppError> {
    sqlite_raw(conn, sql.to_string()).await?;
    Ok(())
}

/// A backstop for the writer's own checkpoints: when long-running readers kept them from
/// finishing and the WAL has passed 256 MB, copy it back in the background (PASSIVE: it never
/// blocks the writer). Runs while the database is open.
async fn sqlite_checkpointer(db: std::sync::Weak<Pools>, opts: SqliteConnectOptions, wal: String) {
    use sqlx::ConnectOptions as _;
    let mut conn: Option<sqlx::SqliteConnection> = None;
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        if db.upgrade().is_none() {
            break;
        }
        let big = std::fs::metadata(&wal).map(|m| m.len() > 256 * 1024 * 1024).unwrap_or(false);
        if !big {
            continue;
        }
        if conn.is_none() {
            conn = opts.connect().await.ok();
        }
        if let Some(c) = conn.as_mut() {
            if let Err(e) = sqlite_raw(c, "PRAGMA wal_checkpoint(PASSIVE)".into()).await {
                tracing::warn!(error = %e, "background checkpoint failed");
                conn = None;
            }
        }
    }
}

/// The SQLite writer: takes every write job waiting in the queue, runs them in one
/// transaction (each inside its own savepoint) and commits once; a large write runs alone.
async fn sqlite_writer(mut conn: PoolConnection<Sqlite>, mut rx: mpsc::Receiver<WriteJob>) {
    let mut pending: Option<WriteJob> = None;
    loop {
        let first = match pending.take() {
            Some(j) => j,
            None => match rx.recv().await {
                Some(j) => j,
                None => break,
            },
        };
        match first {
            WriteJob::Alone(job) => conn = run_alone(conn, job).await,
            WriteJob::Batched(job) => {
                let mut batch = vec![job];
                while batch.len() < MAX_WRITE_BATCH {
                    match rx.try_recv() {
                        Ok(WriteJob::Batched(j)) => batch.push(j),
                        Ok(alone) => {
                            pending = Some(alone);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                conn = run_batch(conn, batch).await;
            }
        }
    }
}

/// One large job in a transaction of its own.
async fn run_alone(mut conn: PoolConnection<Sqlite>, job: Job) -> PoolConnection<Sqlite> {
    if let Err(e) = sqlite_exec(&mut conn, "BEGIN IMMEDIATE").await {
        tracing::error!(error = %e, "cannot begin a write transaction");
        return conn;
    }
    let mut tx = Tx { conn: TxConn::Sqlite(conn), backend: Backend::Sqlite, event_at: None, history: false };
    let run = std::panic::AssertUnwindSafe(job(&mut tx)).catch_unwind().await;
    let mut conn = match tx.conn {
        TxConn::Sqlite(c) => c,
        TxConn::Pg(_) => unreachable!("the SQLite writer holds a SQLite connection"),
    };
    match run {
        Ok((true, finish)) => {
            let commit = sqlite_exec(&mut conn, "COMMIT").await;
            if commit.is_err() {
                let _ = sqlite_exec(&mut conn, "ROLLBACK").await;
            }
            finish(commit.map_err(|_| AppError::internal("提交失败，本次写入未保存")));
        }
        Ok((false, finish)) => {
            let _ = sqlite_exec(&mut conn, "ROLLBACK").await;
            finish(Ok(()));
        }
        Err(_) => {
            tracing::error!("a write job panicked; its changes are rolled back");
            let _ = sqlite_exec(&mut conn, "ROLLBACK").await;
        }
    }
    conn
}

/// Several jobs in one transaction, each in its own savepoint; one commit for all.
async fn run_batch(mut conn: PoolConnection<Sqlite>, batch: Vec<Job>) -> PoolConnection<Sqlite> {
    if let Err(e) = sqlite_exec(&mut conn, "BEGIN IMMEDIATE").await {
        tracing::error!(error = %e, "cannot begin a write transaction");
        return conn;
    }
    let mut tx = Tx { conn: TxConn::Sqlite(conn), backend: Backend::Sqlite, event_at: None, history: false };
    let mut finishers: Vec<Finisher> = Vec::with_capacity(batch.len());
    let mut broken = false;
    for job in batch {
        if broken {
            // The connection is in an unknown state: refuse the rest of the batch.
            drop(job);
            continue;
        }
        if tx.exec_script("SAVEPOINT w").await.is_err() {
            broken = true;
            drop(job);
            continue;
        }
        let run = std::panic::AssertUnwindSafe(job(&mut tx)).catch_unwind().await;
        match run {
            Ok((true, finish)) => {
                if tx.exec_script("RELEASE w").await.is_err() {
                    broken = true;
                }
                finishers.push(finish);
            }
            Ok((false, finish)) => {
                let undone = tx.exec_script("ROLLBACK TO w").await.is_ok() && tx.exec_script("RELEASE w").await.is_ok();
                if !undone {
                    broken = true;
                }
                finish(Ok(()));
            }
            Err(_) => {
                tracing::error!("a write job panicked; its changes are rolled back");
                let undone = tx.exec_script("ROLLBACK TO w").await.is_ok() && tx.exec_script("RELEASE w").await.is_ok();
                if !undone {
                    broken = true;
                }
            }
        }
    }
    let commit = if broken { Err(AppError::internal("写入事务中断，本批写入已全部撤销")) } else { tx.exec_script("COMMIT").await };
    let mut conn = match tx.conn {
        TxConn::Sqlite(c) => c,
        TxConn::Pg(_) => unreachable!("the SQLite writer holds a SQLite connection"),
    };
    if commit.is_err() {
        let _ = sqlite_exec(&mut conn, "ROLLBACK").await;
    }
    for finish in finishers {
        finish(match &commit {
            Ok(()) => Ok(()),
            Err(_) => Err(AppError::internal("提交失败，本次写入未保存")),
        });
    }
    conn
}

enum TxConn {
    Sqlite(PoolConnection<Sqlite>),
    Pg(sqlx::Transaction<'static, Postgres>),
}

/// An open write transaction, handed to the closure of [`Db::write`].
pub struct Tx {
    conn: TxConn,
    backend: Backend,
    /// The time of the last event this transaction appended: row images the transaction left
    /// unstamped take it when it ends (`indicators::asof`).
    pub(crate) event_at: Option<i64>,
    /// The database keeps row history (see [`Db::keep_history`]).
    pub(crate) history: bool,
}

/// Stamp the row images a transaction left unstamped with the time of its last event (or now,
/// for a change recorded without an event: a recalculation of due dates), so that none is left
/// for a later transaction to stamp with its own time.
async fn finish_history(tx: &mut Tx) -> Result<(), AppError> {
    if !tx.history {
        return Ok(());
    }
    let at = tx.event_at.unwrap_or_else(crate::time::now_ms);
    crate::indicators::asof::stamp(tx, at).await
}

impl Tx {
    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) async fn exec_script(&mut self, sql: &str) -> Result<(), AppError> {
        match &mut self.conn {
            TxConn::Sqlite(c) => sqlite_raw(c, sql.to_string()).await?,
            TxConn::Pg(c) => pg_raw(c, sql.to_string()).await?,
        }
        Ok(())
    }
}

/// Where a query runs: on the pool (reads) or inside a write transaction.
pub enum Ex<'a> {
    Db(&'a Db),
    Tx(&'a mut Tx),
}

impl<'a> From<&'a Db> for Ex<'a> {
    fn from(db: &'a Db) -> Self {
        Ex::Db(db)
    }
}
impl<'a> From<&'a mut Tx> for Ex<'a> {
    fn from(tx: &'a mut Tx) -> Self {
        Ex::Tx(tx)
    }
}

impl Ex<'_> {
    pub fn backend(&self) -> Backend {
        match self {
            Ex::Db(db) => db.backend(),
            Ex::Tx(tx) => tx.backend,
        }
    }
}

/// A query: SQL with `$n` placeholders and its values.
#[derive(Clone, Debug)]
pub struct Q {
    sql: Cow<'static, str>,
    args: Vec<Val>,
}

/// Start a query.
pub fn q(sql: impl Into<Cow<'static, str>>) -> Q {
    Q { sql: sql.into(), args: Vec::new() }
}

// Every call into sqlx happens inside one of these small functions, which box the future with
// a concrete lifetime. Writing the calls inline inside the `for<'t>` closures of `Db::write`
// hits a limit of the compiler's reasoning about higher-ranked lifetimes ("implementation of
// `Executor` is not general enough"); boxing here settles the `Send` question once.

fn sqlite_execute<'c, E>(ex: E, sql: String, args: Vec<Val>) -> BoxFuture<'c, Result<u64, sqlx::Error>>
where
    E: sqlx::Executor<'c, Database = Sqlite> + 'c,
{
    let sql = dialect::sqlite_positional(&sql).unwrap_or(sql);
    Box::pin(async move { value::bind_sqlite(sqlx::query(&sql), args).execute(ex).await.map(|r| r.rows_affected()) })
}

fn pg_execute<'c, E>(ex: E, sql: String, args: Vec<Val>) -> BoxFuture<'c, Result<u64, sqlx::Error>>
where
    E: sqlx::Executor<'c, Database = Postgres> + 'c,
{
    Box::pin(async move { value::bind_pg(sqlx::query(&sql), args).execute(ex).await.map(|r| r.rows_affected()) })
}

fn sqlite_fetch<'c, E, T: Row + 'c>(ex: E, sql: String, args: Vec<Val>, one: bool) -> BoxFuture<'c, Result<Vec<T>, sqlx::Error>>
where
    E: sqlx::Executor<'c, Database = Sqlite> + 'c,
{
    let sql = dialect::sqlite_positional(&sql).unwrap_or(sql);
    Box::pin(async move {
        let q = value::bind_sqlite(sqlx::query(&sql), args);
        let rows = if one { q.fetch_optional(ex).await?.into_iter().collect() } else { q.fetch_all(ex).await? };
        rows.iter().map(|r| T::from_row(r)).collect()
    })
}

fn pg_fetch<'c, E, T: Row + 'c>(ex: E, sql: String, args: Vec<Val>, one: bool) -> BoxFuture<'c, Result<Vec<T>, sqlx::Error>>
where
    E: sqlx::Executor<'c, Database = Postgres> + 'c,
{
    Box::pin(async move {
        let q = value::bind_pg(sqlx::query(&sql), args);
        let rows = if one { q.fetch_optional(ex).await?.into_iter().collect() } else { q.fetch_all(ex).await? };
        rows.iter().map(|r| T::from_row(r)).collect()
    })
}

// A plain `&str` without arguments runs as a simple, unprepared query: several statements at
// once on both engines (migrations, transaction control).
fn sqlite_raw<'c>(conn: &'c mut sqlx::SqliteConnection, sql: String) -> BoxFuture<'c, Result<(), sqlx::Error>> {
    Box::pin(async move { sqlx::Executor::execute(conn, sql.as_str()).await.map(|_| ()) })
}

fn pg_raw<'c>(conn: &'c mut sqlx::PgConnection, sql: String) -> BoxFuture<'c, Result<(), sqlx::Error>> {
    Box::pin(async move { sqlx::Executor::execute(conn, sql.as_str()).await.map(|_| ()) })
}

async fn run_execute(ex: Ex<'_>, sql: String, args: Vec<Val>) -> Result<u64, sqlx::Error> {
    match ex {
        Ex::Db(db) => match &*db.inner {
            Pools::Sqlite { read, .. } => sqlite_execute(read, sql, args).await,
            Pools::Postgres(pool) => pg_execute(pool, sql, args).await,
        },
        Ex::Tx(tx) => match &mut tx.conn {
            TxConn::Sqlite(c) => sqlite_execute(&mut **c, sql, args).await,
            TxConn::Pg(c) => pg_execute(&mut **c, sql, args).await,
        },
    }
}

async fn run_fetch<T: Row>(ex: Ex<'_>, sql: String, args: Vec<Val>, one: bool) -> Result<Vec<T>, sqlx::Error> {
    match ex {
        Ex::Db(db) => match &*db.inner {
            Pools::Sqlite { read, .. } => sqlite_fetch(read, sql, args, one).await,
            Pools::Postgres(pool) => pg_fetch(pool, sql, args, one).await,
        },
        Ex::Tx(tx) => match &mut tx.conn {
            TxConn::Sqlite(c) => sqlite_fetch(&mut **c, sql, args, one).await,
            TxConn::Pg(c) => pg_fetch(&mut **c, sql, args, one).await,
        },
    }
}

impl Q {
    /// Add the value of the next placeholder.
    pub fn bind(mut self, v: impl Into<Val>) -> Self {
        self.args.push(v.into());
        self
    }

    /// The number of values bound so far (the next placeholder is `$len+1`).
    pub fn len(&self) -> usize {
        self.args.len()
    }

    pub fn is_empty(&self) -> bool {
        self.args.is_empty()
    }

    pub fn sql(&self) -> &str {
        &self.sql
    }

    pub fn args(&self) -> &[Val] {
        &self.args
    }

    /// Append `column IN ($n, $n+1, …)` (or a false condition for an empty list).
    pub fn push_in<V: Into<Val> + Clone>(mut self, column: &str, values: &[V]) -> Self {
        if values.is_empty() {
            return self.push(" 1=0");
        }
        self = self.push(&format!(" {column} IN ("));
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self = self.push(", ");
            }
            self = self.push_bind("{}", v.clone());
        }
        self.push(")")
    }

    /// Append SQL text (for queries assembled from optional filters).
    pub fn push(mut self, sql: &str) -> Self {
        self.sql.to_mut().push_str(sql);
        self
    }

    /// Append SQL text with one value: `{}` in `sql` becomes the next placeholder.
    pub fn push_bind(mut self, sql: &str, v: impl Into<Val>) -> Self {
        let n = self.args.len() + 1;
        let text = sql.replacen("{}", &format!("${n}"), 1);
        self.sql.to_mut().push_str(&text);
        self.args.push(v.into());
        self
    }

    pub fn execute<'a>(self, ex: impl Into<Ex<'a>>) -> BoxFuture<'a, Result<u64, AppError>> {
        let ex = ex.into();
        let Q { sql, args } = self;
        Box::pin(async move { Ok(run_execute(ex, sql.into_owned(), args).await?) })
    }

    pub fn fetch_all<'a, T: Row + 'a>(self, ex: impl Into<Ex<'a>>) -> BoxFuture<'a, Result<Vec<T>, AppError>> {
        let ex = ex.into();
        let Q { sql, args } = self;
        Box::pin(async move { Ok(run_fetch(ex, sql.into_owned(), args, false).await?) })
    }

    pub fn fetch_optional<'a, T: Row + 'a>(self, ex: impl Into<Ex<'a>>) -> BoxFuture<'a, Result<Option<T>, AppError>> {
        let ex = ex.into();
        let Q { sql, args } = self;
        Box::pin(async move { Ok(run_fetch(ex, sql.into_owned(), args, true).await?.into_iter().next()) })
    }

    pub fn fetch_one<'a, T: Row + 'a>(self, ex: impl Into<Ex<'a>>) -> BoxFuture<'a, Result<T, AppError>> {
        let f = self.fetch_optional(ex);
        Box::pin(async move { f.await?.ok_or_else(|| AppError::internal("查询没有返回结果")) })
    }

    /// The first column of the first row, as an integer (COUNT, MAX, RETURNING id…).
    pub fn fetch_i64<'a>(self, ex: impl Into<Ex<'a>>) -> BoxFuture<'a, Result<i64, AppError>> {
        let f = self.fetch_one::<(i64,)>(ex);
        Box::pin(async move { Ok(f.await?.0) })
    }
}

/// `SELECT … FOR UPDATE` on PostgreSQL; nothing on SQLite, where the single writer already
/// serialises every write transaction.
pub fn for_update(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn rejects_unknown_scheme() {
        let err = Db::connect(&ConnectOptions::new("mysql://x")).await.err().unwrap();
        assert!(err.to_string().contains("sqlite://"));
    }

    #[tokio::test]
    async fn failed_write_changes_nothing_and_neighbours_commit() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/t.db", dir.path().display());
        let db = Db::connect(&ConnectOptions::new(url)).await.unwrap();
        db.write(|tx| {
            async move {
                q("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)").execute(tx).await?;
                Ok(())
            }
            .boxed()
        })
        .await
        .unwrap();
        let mut handles = Vec::new();
        for i in 0..50i64 {
            let db = db.clone();
            handles.push(tokio::spawn(async move {
                db.write(move |tx| {
                    async move {
                        q("INSERT INTO t (v) VALUES ($1)").bind(format!("v{i}")).execute(&mut *tx).await?;
                        if i % 5 == 0 {
                            return Err(AppError::internal("boom"));
                        }
                        Ok(i)
                    }
                    .boxed()
                })
                .await
            }));
        }
        let mut ok = 0;
        for h in handles {
            if h.await.unwrap().is_ok() {
                ok += 1;
            }
        }
        assert_eq!(ok, 40);
        let n = q("SELECT COUNT(*) FROM t").fetch_i64(&db).await.unwrap();
        assert_eq!(n, 40, "the failed writes left nothing behind");
    }

    #[tokio::test]
    async fn large_writes_run_alone_between_batches() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&ConnectOptions::new(format!("sqlite://{}/t.db", dir.path().display()))).await.unwrap();
        db.write(|tx| async move { q("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)").execute(tx).await.map(|_| ()) }.boxed()).await.unwrap();
        let mut handles = Vec::new();
        for i in 0..20i64 {
            let db = db.clone();
            handles.push(tokio::spawn(async move {
                if i % 5 == 0 {
                    // A large write; every fourth one fails and must leave nothing.
                    db.write_alone(move |tx| {
                        async move {
                            for k in 0..2000 {
                                q("INSERT INTO t (v) VALUES ($1)").bind(format!("big{i}-{k}")).execute(&mut *tx).await?;
                            }
                            if i == 10 {
                                return Err(AppError::internal("boom"));
                            }
                            Ok(())
                        }
                        .boxed()
                    })
                    .await
                } else {
                    db.write(move |tx| async move { q("INSERT INTO t (v) VALUES ($1)").bind(format!("small{i}")).execute(tx).await.map(|_| ()) }.boxed()).await
                }
            }));
        }
        let results: Vec<bool> = futures::future::join_all(handles).await.into_iter().map(|r| r.unwrap().is_ok()).collect();
        assert_eq!(results.iter().filter(|ok| !**ok).count(), 1);
        let n = q("SELECT COUNT(*) FROM t").fetch_i64(&db).await.unwrap();
        assert_eq!(n, 3 * 2000 + 16, "three large writes and sixteen small ones");
    }
}
