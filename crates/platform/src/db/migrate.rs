//! Embedded migrations, applied at start-up, each once, in order, each in its own transaction.
//! A migration that has shipped is never edited: its checksum is recorded and checked.

use futures::FutureExt;
use sha2::{Digest, Sha256};

use super::{Backend, Db, dialect, q};
use crate::error::AppError;

/// One migration: a version in the one sequence shared by the platform and every feature, a
/// name, and SQL with portable markers. Features list theirs in `Feature::migrations`.
#[derive(Debug)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Two features must never claim the same version.
pub fn check_unique(migrations: &[&Migration]) -> Result<(), String> {
    for w in migrations.windows(2) {
        if w[0].version == w[1].version {
            return Err(format!("迁移版本号 {} 重复：{} 与 {}", w[0].version, w[0].name, w[1].name));
        }
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Applied {
    version: i64,
    checksum: String,
}

fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

/// Apply every migration that has not run yet. Returns how many ran.
pub async fn run(db: &Db, migrations: &[&'static Migration]) -> Result<usize, AppError> {
    check_unique(migrations).map_err(AppError::internal)?;
    let backend = db.backend();
    db.write(move |tx| {
        async move {
            if backend == Backend::Postgres {
                // Several instances may start together: one migrates, the others wait.
                q("SELECT pg_advisory_xact_lock(7461001)").execute(&mut *tx).await?;
            }
            q("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)")
                .execute(&mut *tx)
                .await?;
            Ok(())
        }
        .boxed()
    })
    .await?;
    let applied: Vec<Applied> = q("SELECT version, checksum FROM schema_migrations ORDER BY version").fetch_all(db).await?;
    let mut ran = 0;
    for m in migrations {
        let (version, name, sql) = (&m.version, m.name, m.sql);
        let sum = checksum(sql);
        if let Some(a) = applied.iter().find(|a| a.version == *version) {
            if a.checksum != sum {
                return Err(AppError::internal(format!("迁移 {version:04}_{name} 在发布后被修改过（校验和不符），拒绝启动")));
            }
            continue;
        }
        let expanded = dialect::expand_migration(sql, backend);
        let (version, name) = (*version, name.to_string());
        db.write(move |tx| {
            async move {
                if backend == Backend::Postgres {
                    q("SELECT pg_advisory_xact_lock(7461001)").execute(&mut *tx).await?;
                }
                let done = q("SELECT COUNT(*) FROM schema_migrations WHERE version = $1").bind(version).fetch_i64(&mut *tx).await?;
                if done > 0 {
                    return Ok(());
                }
                tx.exec_script(&expanded).await?;
                q("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)")
                    .bind(version)
                    .bind(name)
                    .bind(sum)
                    .bind(crate::time::now_ms())
                    .execute(&mut *tx)
                    .await?;
                Ok(())
            }
            .boxed()
        })
        .await?;
        ran += 1;
    }
    Ok(ran)
}
