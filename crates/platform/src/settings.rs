//! Settings an administrator changes without a release: local deadline days of procedures
//! (`procedure_settings`) and a few named values (`settings`).

use std::collections::BTreeMap;

use futures::FutureExt;

use crate::audit::{self, Actor, Changes, NewEvent};
use crate::db::{Db, Ex, q};
use crate::error::AppError;
use crate::time::now_ms;

/// Local day counts of a procedure's deadline rules (rule setting key → days).
pub async fn procedure_overrides<'a>(ex: impl Into<Ex<'a>>, procedure: &str) -> Result<BTreeMap<String, u32>, AppError> {
    let rows: Vec<(String, String)> = q("SELECT key, value FROM procedure_settings WHERE procedure = $1").bind(procedure).fetch_all(ex).await?;
    Ok(rows.into_iter().filter_map(|(k, v)| v.parse().ok().map(|d| (k, d))).collect())
}

/// A procedure's text setting (such as its case-number pattern).
pub async fn procedure_value<'a>(ex: impl Into<Ex<'a>>, procedure: &str, key: &str) -> Result<Option<String>, AppError> {
    let r: Option<(String,)> = q("SELECT value FROM procedure_settings WHERE procedure = $1 AND key = $2").bind(procedure).bind(key).fetch_optional(ex).await?;
    Ok(r.map(|r| r.0))
}

pub async fn set_procedure_value(db: &Db, actor: Actor, procedure: &'static str, key: &'static str, value: String) -> Result<(), AppError> {
    db.write(move |tx| {
        async move {
            let old = procedure_value(&mut *tx, procedure, key).await?;
            if old.as_deref() == Some(value.as_str()) {
                return Ok(());
            }
            q("INSERT INTO procedure_settings (procedure, key, value) VALUES ($1, $2, $3) ON CONFLICT (procedure, key) DO UPDATE SET value = excluded.value")
                .bind(procedure)
                .bind(key)
                .bind(value.as_str())
                .execute(&mut *tx)
                .await?;
            audit::record(
                tx,
                &actor,
                NewEvent::new("setting", 0, "procedure_value", format!("修改{procedure}设置 {key}")).changes(Changes::new().set(key, old, &value)),
            )
            .await?;
            Ok(())
        }
        .boxed()
    })
    .await
}

pub async fn set_procedure_days(db: &Db, actor: Actor, procedure: &'static str, key: String, days: u32) -> Result<(), AppError> {
    db.write(move |tx| {
        async move {
            let old: Option<(String,)> =
                q("SELECT value FROM procedure_settings WHERE procedure = $1 AND key = $2").bind(procedure).bind(key.as_str()).fetch_optional(&mut *tx).await?;
            q("INSERT INTO procedure_settings (procedure, key, value) VALUES ($1, $2, $3) ON CONFLICT (procedure, key) DO UPDATE SET value = excluded.value")
                .bind(procedure)
                .bind(key.as_str())
                .bind(days.to_string())
                .execute(&mut *tx)
                .await?;
            audit::record(
                tx,
                &actor,
                NewEvent::new("setting", 0, "procedure_days", format!("修改{procedure}时限设置 {key}")).changes(Changes::new().set(
                    &key,
                    old.map(|o| o.0),
                    days,
                )),
            )
            .await?;
            Ok(())
        }
        .boxed()
    })
    .await
}

pub async fn get<'a>(ex: impl Into<Ex<'a>>, key: &str) -> Result<Option<String>, AppError> {
    let r: Option<(String,)> = q("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(ex).await?;
    Ok(r.map(|r| r.0))
}

pub async fn set(db: &Db, actor: Actor, key: &str, value: String) -> Result<(), AppError> {
    let key = key.to_string();
    db.write(move |tx| {
        async move {
            let key = key.as_str();
            let old = get(&mut *tx, key).await?;
            q("INSERT INTO settings (key, value, version, updated_at, updated_by) VALUES ($1, $2, 1, $3, $4) ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = settings.version + 1, updated_at = excluded.updated_at, updated_by = excluded.updated_by")
                .bind(key)
                .bind(value.as_str())
                .bind(now_ms())
                .bind(actor.id)
                .execute(&mut *tx)
                .await?;
            audit::record(tx, &actor, NewEvent::new("setting", 0, "set", format!("修改设置 {key}")).changes(Changes::new().set(key, old, &value))).await?;
            Ok(())
        }
        .boxed()
    })
    .await
}

/// The prefix of the settings that name the city's own rule documents:
/// `local_rules.<default name>` = the name the city gave it, `local_rules_since.<default name>` =
/// the date it took effect.
pub const LOCAL_RULES: &str = "local_rules.";
pub const LOCAL_RULES_SINCE: &str = "local_rules_since.";

/// Read the names of the city's own rule documents into the citations (`Basis::cite`).
pub async fn load_local_rule_names(db: &Db) -> Result<(), AppError> {
    let rows: Vec<(String, String)> = q("SELECT key, value FROM settings WHERE key LIKE 'local\\_rules.%' ESCAPE '\\'").fetch_all(db).await?;
    let names = rows.into_iter().filter_map(|(k, v)| k.strip_prefix(LOCAL_RULES).map(|d| (d.to_string(), v))).filter(|(_, v)| !v.trim().is_empty()).collect();
    crate::kernel::definition::set_local_names(names);
    Ok(())
}
