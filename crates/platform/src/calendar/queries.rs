//! The calendar in the database: the shipped official years are inserted once; administrators
//! add or replace a year; every instance reloads when the stored calendar changes.

use futures::FutureExt;

use super::{Calendar, DayKind, OFFICIAL_CSV, SpecialDay, parse_csv};
use crate::audit::{self, Actor, Changes, NewEvent};
use crate::db::{Db, q};
use crate::error::AppError;
use crate::tabular::RowError;
use crate::time::fmt_date;

#[derive(sqlx::FromRow)]
struct DayRow {
    day: String,
    kind: String,
    name: String,
}

/// Insert the shipped official calendar for years not yet in the database.
pub async fn seed_official(db: &Db) -> Result<(), AppError> {
    let days = parse_csv(OFFICIAL_CSV).map_err(|e| AppError::internal(format!("shipped calendar invalid: {e:?}")))?;
    let have: Vec<(String,)> = q("SELECT DISTINCT substr(day, 1, 4) FROM calendar_days").fetch_all(db).await?;
    let have: Vec<String> = have.into_iter().map(|r| r.0).collect();
    let missing: Vec<SpecialDay> = days.into_iter().filter(|d| !have.contains(&d.date.format("%Y").to_string())).collect();
    if missing.is_empty() {
        return Ok(());
    }
    db.write(move |tx| {
        async move {
            for d in missing {
                q("INSERT INTO calendar_days (day, kind, name, source) VALUES ($1, $2, $3, 'official') ON CONFLICT (day) DO NOTHING")
                    .bind(fmt_date(d.date))
                    .bind(d.kind.as_str())
                    .bind(d.name)
                    .execute(&mut *tx)
                    .await?;
            }
            Ok(())
        }
        .boxed()
    })
    .await
}

pub async fn load(db: &Db) -> Result<Calendar, AppError> {
    let rows: Vec<DayRow> = q("SELECT day, kind, name FROM calendar_days ORDER BY day").fetch_all(db).await?;
    let mut years: std::collections::BTreeSet<i32> = std::collections::BTreeSet::new();
    let days: Vec<SpecialDay> = rows
        .into_iter()
        .filter_map(|r| {
            let date = crate::time::parse_date(&r.day)?;
            years.insert(chrono::Datelike::year(&date));
            Some(SpecialDay { date, kind: DayKind::parse(&r.kind)?, name: r.name })
        })
        .collect();
    Ok(Calendar::new(days))
}

/// Replace the listed days of one year from an administrator's CSV. All-or-nothing: every bad
/// line is reported and nothing is changed.
pub async fn replace_year(db: &Db, actor: Actor, year: i32, csv_text: &str) -> Result<usize, Vec<RowError>> {
    let parsed = parse_csv(csv_text);
    // Lines of another year are reported together with the format errors.
    let mut errors: Vec<RowError> = match &parsed {
        Ok(_) => vec![],
        Err(errs) => errs.iter().map(|e| RowError::new(e.line, "", e.message.clone())).collect(),
    };
    for (i, line) in csv_text.lines().enumerate() {
        let date = line.split(',').next().unwrap_or("").trim().trim_start_matches('\u{feff}');
        if let Some(d) = crate::time::parse_date(date) {
            if chrono::Datelike::year(&d) != year && !errors.iter().any(|e| e.row == i + 1) {
                errors.push(RowError::new(i + 1, "日期", format!("{date} 不属于 {year} 年")));
            }
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        return Err(errors);
    }
    let days = parsed.unwrap_or_default();
    if days.is_empty() {
        return Err(vec![RowError::new(1, "", "文件中没有任何日期")]);
    }
    let n = days.len();
    db.write(move |tx| {
        async move {
            let prefix = format!("{year}-%");
            let before = q("SELECT COUNT(*) FROM calendar_days WHERE day LIKE $1").bind(prefix.as_str()).fetch_i64(&mut *tx).await?;
            q("DELETE FROM calendar_days WHERE day LIKE $1").bind(prefix.as_str()).execute(&mut *tx).await?;
            for d in &days {
                q("INSERT INTO calendar_days (day, kind, name, source) VALUES ($1, $2, $3, 'admin')")
                    .bind(fmt_date(d.date))
                    .bind(d.kind.as_str())
                    .bind(d.name.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
            audit::record(
                tx,
                &actor,
                NewEvent::new("calendar", i64::from(year), "replace_year", format!("更新 {year} 年工作日历")).changes(Changes::new().set(
                    "特殊日期数",
                    before,
                    days.len(),
                )),
            )
            .await?;
            Ok(())
        }
        .boxed()
    })
    .await
    .map_err(|e| vec![RowError::new(0, "", e.user_message())])?;
    Ok(n)
}
