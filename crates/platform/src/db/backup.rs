//! A consistent online copy of a SQLite database (`VACUUM INTO`, which reads one snapshot
//! while writers go on). PostgreSQL is backed up with its own tools: `pg_dump -Fc`.

use std::path::Path;
use std::str::FromStr;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

use super::Db;

pub async fn sqlite_backup(db: &Db, file: &Path) -> anyhow::Result<()> {
    let Some(path) = db.sqlite_path() else {
        anyhow::bail!("PostgreSQL 请使用 pg_dump -Fc 备份（见 README）");
    };
    anyhow::ensure!(!file.exists(), "目标文件 {} 已存在，不会覆盖", file.display());
    // A connection of its own: the pool's readers are query-only and the writer batches.
    let mut conn = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))?.connect().await?;
    let target = file.to_string_lossy().replace('\'', "''");
    sqlx::raw_sql(&format!("VACUUM INTO '{target}'")).execute(&mut conn).await.map_err(|e| anyhow::anyhow!("备份失败：{e}"))?;
    conn.close().await?;
    Ok(())
}
