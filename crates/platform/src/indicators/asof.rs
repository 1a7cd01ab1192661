//! As-of evaluation: an indicator "as it stood at the end of day D", before later corrections
//! (issue 16 §1: the annual report freezes the figures of 31 December even when a case is
//! corrected in January).
//!
//! Why not replay the event log: events say what changed in words (状态: 受理 → 办结) for people
//! to read; they do not carry the columns an indicator's SQL reads (`d.filed_on`,
//! `a.on_time`…). So the database keeps, for every table a registered indicator reads, the
//! image of a row before each change and a marker when a row is created (migration 85, triggers
//! installed at start-up from the registry: a new module's indicators are covered without code
//! here). Each image is stamped with the time of the event its transaction appends, so the
//! history runs on the event log's clock.
//!
//! A table read as of a cutoff is then: its current rows that have no image stamped after the
//! cutoff, plus, for each row changed after it, the earliest such image (the row as it stood),
//! minus the rows whose earliest later entry is a creation marker (created after the day). An
//! indicator built on [`super::counted`] is evaluated as of a day by reading its `FROM` clause
//! that way; nothing per indicator.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use chrono::NaiveDate;
use futures::FutureExt;

use crate::db::{Backend, Db, Tx, q};
use crate::error::AppError;
use crate::time;

/// The stable code of an indicator that cannot be evaluated as of a past day.
pub const UNSUPPORTED: &str = "as_of_unsupported";

/// The last millisecond of day `d` in Shanghai: what is stamped later is a later correction.
pub fn cutoff(d: NaiveDate) -> i64 {
    time::start_of_day_ms(d + chrono::Duration::days(1)) - 1
}

/// The `as_of` of a query: a past or present day, or none (the live value). Errors name the field.
pub fn parse(s: Option<&str>) -> Result<Option<NaiveDate>, AppError> {
    let Some(s) = s.map(str::trim).filter(|s| !s.is_empty()) else { return Ok(None) };
    let d = time::parse_date(s).ok_or_else(|| AppError::field("as_of", "bad_date", "统计时点格式应为 YYYY-MM-DD"))?;
    if d > time::today() {
        return Err(AppError::field("as_of", "as_of_future", "统计时点不能晚于今天"));
    }
    Ok(Some(d))
}

/// The tables named after `FROM` and `JOIN` in a `FROM …` clause (a counted indicator's `from`).
pub fn tables_of(from: &'static str) -> Vec<&'static str> {
    let toks: Vec<&'static str> = from.split_whitespace().collect();
    let mut out: Vec<&'static str> =
        toks.windows(2).filter(|w| w[0].eq_ignore_ascii_case("FROM") || w[0].eq_ignore_ascii_case("JOIN")).map(|w| w[1]).filter(|t| is_ident(t)).collect();
    out.dedup();
    out
}

fn is_ident(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') && !s.as_bytes()[0].is_ascii_digit()
}

/// A table's columns (name, declared type), read once per process: the schema is the same in
/// every database this program opens.
type Columns = Vec<(String, String)>;
static COLUMNS: LazyLock<Mutex<HashMap<(bool, String), Columns>>> = LazyLock::new(Default::default);

async fn columns(db: &Db, table: &str) -> Result<Vec<(String, String)>, AppError> {
    let pg = db.backend() == Backend::Postgres;
    if let Some(c) = COLUMNS.lock().ok().and_then(|m| m.get(&(pg, table.to_string())).cloned()) {
        return Ok(c);
    }
    let cols: Vec<(String, String)> = if pg {
        q("SELECT CAST(column_name AS TEXT), CAST(data_type AS TEXT) FROM information_schema.columns WHERE table_name = $1 AND table_schema = current_schema() ORDER BY ordinal_position")
            .bind(table)
            .fetch_all(db)
            .await?
    } else {
        q("SELECT name, type FROM pragma_table_info($1) ORDER BY cid").bind(table).fetch_all(db).await?
    };
    let cols: Vec<(String, String)> = cols.into_iter().filter(|(n, _)| is_ident(n)).collect();
    if let Ok(mut m) = COLUMNS.lock() {
        m.insert((pg, table.to_string()), cols.clone());
    }
    Ok(cols)
}

/// Columns of personal data are left out of the images (no figure counts by a phone number, and
/// the history must not keep what was corrected or erased): read as NULL as of a day.
fn personal(column: &str) -> bool {
    ["phone", "address", "id_number", "id_no", "id_card", "idcard", "caller_name", "contact", "email"].iter().any(|p| column.contains(p))
}

/// The column that names a row: `id`, else `case_id` (a module's facts about one case).
fn key_column(cols: &[(String, String)]) -> Option<&'static str> {
    ["id", "case_id"].into_iter().find(|k| cols.iter().any(|(n, _)| n == k))
}

/// Keep the history of every table the registered indicators read (at start-up, after the
/// migrations). Idempotent; several instances may start together.
pub async fn install(db: &Db, tables: Vec<&'static str>) -> Result<(), AppError> {
    let mut plan = Vec::new();
    for t in tables {
        if plan.iter().any(|(x, _, _): &(&str, _, _)| *x == t) {
            continue;
        }
        let cols = columns(db, t).await?;
        let Some(key) = key_column(&cols) else {
            tracing::warn!(table = t, "no id or case_id column: its history is not kept, indicators reading it cannot be evaluated as of a day");
            continue;
        };
        plan.push((t, key, cols));
    }
    let backend = db.backend();
    db.write_alone(move |tx| {
        async move {
            if backend == Backend::Postgres {
                q("SELECT pg_advisory_xact_lock(7461085)").execute(&mut *tx).await?;
            }
            for (t, key, cols) in &plan {
                match backend {
                    Backend::Sqlite => {
                        let pairs: Vec<String> = cols
                            .iter()
                            .filter(|(n, ty)| !ty.eq_ignore_ascii_case("blob") && !personal(n))
                            .map(|(n, _)| format!("'{n}', OLD.\"{n}\""))
                            .collect();
                        let ins = |when: &str, row: &str, image: &str| {
                            format!(
                                "DROP TRIGGER IF EXISTS rh_{t}_{when}; CREATE TRIGGER rh_{t}_{when} AFTER {} ON \"{t}\" BEGIN INSERT INTO row_history (tbl, row_id, at, image) VALUES ('{t}', {row}.\"{key}\", NULL, {image}); END;",
                                match when {
                                    "i" => "INSERT",
                                    "u" => "UPDATE",
                                    _ => "DELETE",
                                }
                            )
                        };
                        // SQLite allows 127 arguments to a function: wide tables are written in
                        // chunks merged by json_patch.
                        let image = pairs
                            .chunks(50)
                            .map(|c| format!("json_object({})", c.join(", ")))
                            .reduce(|a, b| format!("json_patch({a}, {b})"))
                            .unwrap_or_else(|| "json_object()".into());
                        let script = [ins("i", "NEW", "NULL"), ins("u", "OLD", &image), ins("d", "OLD", &image)].join("\n");
                        tx.exec_script(&script).await?;
                    }
                    Backend::Postgres => {
                        // Re-created at each start: the personal columns follow the table's.
                        let mut args = vec![format!("'{key}'")];
                        args.extend(cols.iter().filter(|(n, _)| personal(n)).map(|(n, _)| format!("'{n}'")));
                        tx.exec_script(&format!(
                            "DROP TRIGGER IF EXISTS rh_{t} ON \"{t}\"; CREATE TRIGGER rh_{t} AFTER INSERT OR UPDATE OR DELETE ON \"{t}\" FOR EACH ROW EXECUTE FUNCTION fazhi_row_history({})",
                            args.join(", ")
                        ))
                        .await?;
                    }
                }
                // A table that already holds rows has no history before now.
                let known = q("SELECT COUNT(*) FROM row_history_tables WHERE tbl = $1").bind(*t).fetch_i64(&mut *tx).await?;
                if known == 0 {
                    let has_rows = q(format!("SELECT COUNT(*) FROM (SELECT 1 FROM \"{t}\" LIMIT 1) x")).fetch_i64(&mut *tx).await? > 0;
                    q("INSERT INTO row_history_tables (tbl, key_column, complete_from) VALUES ($1, $2, $3)")
                        .bind(*t)
                        .bind(*key)
                        .bind(if has_rows { Some(time::now_ms()) } else { None })
                        .execute(&mut *tx)
                        .await?;
                }
            }
            Ok(())
        }
        .boxed()
    })
    .await?;
    db.keep_history();
    Ok(())
}

/// Stamp the images this transaction left unstamped with the time of its event (called when an
/// event is appended, and when the transaction ends).
pub async fn stamp(tx: &mut Tx, at: i64) -> Result<(), AppError> {
    q("UPDATE row_history SET at = $1 WHERE at IS NULL").bind(at).execute(&mut *tx).await?;
    Ok(())
}

/// One table read as it stood at `cut` (a parenthesised subquery to put where the table was).
fn table_as_of(backend: Backend, t: &str, key: &str, cols: &[(String, String)], cut: i64) -> String {
    let names: Vec<String> = cols.iter().map(|(n, _)| format!("x.\"{n}\"")).collect();
    let from_image: Vec<String> = cols
        .iter()
        .map(|(n, ty)| match backend {
            Backend::Sqlite => format!("json_extract(h.image, '$.{n}') AS \"{n}\""),
            Backend::Postgres => format!("CAST(CAST(h.image AS jsonb) ->> '{n}' AS {ty}) AS \"{n}\""),
        })
        .collect();
    format!(
        "(SELECT {} FROM \"{t}\" x WHERE NOT EXISTS (SELECT 1 FROM row_history r WHERE r.tbl = '{t}' AND r.row_id = x.\"{key}\" AND r.at > {cut}) \
         UNION ALL SELECT {} FROM row_history h WHERE h.tbl = '{t}' AND h.at > {cut} AND h.image IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM row_history e WHERE e.tbl = '{t}' AND e.row_id = h.row_id AND e.at > {cut} AND (e.at < h.at OR (e.at = h.at AND e.id < h.id))))",
        names.join(", "),
        from_image.join(", ")
    )
}

/// A `FROM …` clause with every table read as it stood at the end of `day`. Refuses, naming the
/// field, when a table's history is not kept or does not reach back to that day.
pub async fn from_as_of(db: &Db, from: &'static str, day: NaiveDate) -> Result<String, AppError> {
    let cut = cutoff(day);
    let tables = tables_of(from);
    let kept: Vec<(String, String, Option<i64>)> =
        q("SELECT tbl, key_column, complete_from FROM row_history_tables WHERE").push_in("tbl", &tables).fetch_all(db).await?;
    let mut subs = HashMap::new();
    for t in &tables {
        let Some((_, key, complete)) = kept.iter().find(|k| k.0 == *t) else {
            return Err(AppError::field("as_of", UNSUPPORTED, "该指标读取的数据未保留修改留痕，不能按历史时点计算"));
        };
        if let Some(since) = complete {
            if cut < *since {
                return Err(AppError::field(
                    "as_of",
                    "as_of_before_history",
                    format!("该指标的数据自 {} 起保留修改留痕，更早的时点无法还原，请选择该日及以后的日期", time::fmt_date(time::local_date(*since))),
                ));
            }
        }
        let cols = columns(db, t).await?;
        subs.insert(*t, table_as_of(db.backend(), t, key, &cols, cut));
    }
    let toks: Vec<&str> = from.split_whitespace().collect();
    let mut out = String::with_capacity(from.len() * 8);
    for (i, tok) in toks.iter().enumerate() {
        out.push(' ');
        let after_from = i > 0 && (toks[i - 1].eq_ignore_ascii_case("FROM") || toks[i - 1].eq_ignore_ascii_case("JOIN"));
        match subs.get(tok) {
            Some(sub) if after_from => out.push_str(sub),
            _ => out.push_str(tok),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_read_from_the_from_clause() {
        assert_eq!(tables_of(" FROM normdocs d JOIN cases c ON c.id = d.case_id"), vec!["normdocs", "cases"]);
        assert_eq!(
            tables_of(" FROM normdoc_cleanups k JOIN normdocs d ON d.case_id = k.case_id JOIN cases c ON c.id = k.case_id"),
            vec!["normdoc_cleanups", "normdocs", "cases"]
        );
        assert!(tables_of(" FROM (SELECT 1) x").is_empty());
    }

    #[test]
    fn personal_columns_are_not_kept() {
        for c in ["caller_phone", "applicant_phone", "address", "caller_name", "id_number"] {
            assert!(personal(c), "{c}");
        }
        for c in ["received_on", "on_time", "state", "org_id", "title", "channel"] {
            assert!(!personal(c), "{c}");
        }
    }

    #[test]
    fn the_cutoff_is_the_last_millisecond_of_the_day_in_shanghai() {
        let d = NaiveDate::from_ymd_opt(2020, 12, 31).unwrap();
        assert_eq!(time::local_date(cutoff(d)), d);
        assert_eq!(time::local_date(cutoff(d) + 1), NaiveDate::from_ymd_opt(2021, 1, 1).unwrap());
    }

    #[test]
    fn a_table_as_of_keeps_current_rows_without_later_images_and_the_earliest_later_image() {
        let cols = vec![("case_id".to_string(), "bigint".to_string()), ("filed_on".to_string(), "text".to_string())];
        let s = table_as_of(Backend::Sqlite, "normdocs", "case_id", &cols, 42);
        assert!(s.contains("r.row_id = x.\"case_id\" AND r.at > 42"));
        assert!(s.contains("json_extract(h.image, '$.filed_on') AS \"filed_on\""));
        let p = table_as_of(Backend::Postgres, "normdocs", "case_id", &cols, 42);
        assert!(p.contains("CAST(CAST(h.image AS jsonb) ->> 'filed_on' AS text)"));
    }
}
