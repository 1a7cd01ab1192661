//! Case numbers from a pattern such as `{org}复〔{year}〕{seq}号` or `RX{year}{seq:06}`.
//! `{org}` is filled with the unit's short name (简称, as on its documents: 住建局依申〔2026〕24号);
//! the counter is kept per unit code, which does not change when a unit is renamed.
//! The counter lives in `case_sequences` and is taken with an UPDATE inside the case's own
//! transaction: numbers are unique and gap-free — a rolled-back case gives its number back —
//! also with several instances on one PostgreSQL (the row lock serialises them).

use crate::db::{Tx, q};
use crate::error::AppError;

/// Fill in a pattern.
pub fn format_number(pattern: &str, year: i32, org: &str, seq: i64) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let token = &rest[start + 1..start + end];
        match token {
            "year" => out.push_str(&year.to_string()),
            "org" => out.push_str(org),
            "seq" => out.push_str(&seq.to_string()),
            t if t.starts_with("seq:") => {
                let width: usize = t[4..].trim_start_matches('0').parse().unwrap_or(1);
                out.push_str(&format!("{seq:0width$}"));
            }
            other => {
                out.push('{');
                out.push_str(other);
                out.push('}');
            }
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

/// The counter key: one sequence per procedure and year, and per unit when the pattern
/// carries the unit.
pub fn sequence_key(procedure: &str, pattern: &str, year: i32, org: &str) -> String {
    if pattern.contains("{org}") { format!("{procedure}:{org}:{year}") } else { format!("{procedure}:{year}") }
}

/// Check an administrator's pattern: it must carry the year and the sequence.
pub fn check_pattern(p: &str) -> Result<(), &'static str> {
    if p.chars().count() > 40 {
        return Err("编号规则不能超过 40 个字符");
    }
    if !p.contains("{year}") || !(p.contains("{seq}") || p.contains("{seq:")) {
        return Err("编号规则须包含 {year}（年份）和 {seq}（序号，如 {seq:06}）");
    }
    let mut rest = p;
    while let Some(i) = rest.find('{') {
        let Some(j) = rest[i..].find('}') else { return Err("编号规则中的花括号不成对") };
        let token = &rest[i + 1..i + j];
        let ok = matches!(token, "year" | "seq" | "org") || token.strip_prefix("seq:").is_some_and(|w| w.parse::<u8>().is_ok_and(|w| (1..=12).contains(&w)));
        if !ok {
            return Err("编号规则只能使用 {year}、{seq}、{seq:宽度}、{org}");
        }
        rest = &rest[i + j + 1..];
    }
    Ok(())
}

/// The unit's name in a number: its short name, or its code when it has none.
async fn org_label(tx: &mut Tx, pattern: &str, code: &str) -> Result<String, AppError> {
    if !pattern.contains("{org}") {
        return Ok(String::new());
    }
    let short: Option<(String,)> = q("SELECT short_name FROM orgs WHERE code = $1").bind(code).fetch_optional(&mut *tx).await?;
    Ok(short.map(|s| s.0).filter(|s| !s.trim().is_empty()).unwrap_or_else(|| code.to_string()))
}

/// Take the next number (inside the caller's transaction). An administrator's pattern in
/// `procedure_settings` (key `number_pattern`) replaces the procedure's own.
pub async fn next(tx: &mut Tx, procedure: &str, pattern: &str, year: i32, org: &str) -> Result<String, AppError> {
    let custom: Option<(String,)> =
        q("SELECT value FROM procedure_settings WHERE procedure = $1 AND key = 'number_pattern'").bind(procedure).fetch_optional(&mut *tx).await?;
    let pattern = custom.map(|c| c.0).filter(|p| check_pattern(p).is_ok()).unwrap_or_else(|| pattern.to_string());
    let pattern = pattern.as_str();
    // The counter key depends only on whether the unit is part of the number, so that changing
    // the pattern's wording keeps counting on.
    let key = sequence_key(procedure, pattern, year, org);
    // One statement: the row lock it takes (PostgreSQL) or the single writer (SQLite) makes the
    // number unique; the transaction makes it gap-free.
    let seq = q("INSERT INTO case_sequences (key, last) VALUES ($1, 1) ON CONFLICT (key) DO UPDATE SET last = case_sequences.last + 1 RETURNING last")
        .bind(key)
        .fetch_i64(&mut *tx)
        .await?;
    Ok(format_number(pattern, year, &org_label(tx, pattern, org).await?, seq))
}

/// Take `n` consecutive numbers at once (bulk intake): one statement for the whole block.
pub async fn next_block(tx: &mut Tx, procedure: &str, pattern: &str, year: i32, org: &str, n: usize) -> Result<Vec<String>, AppError> {
    if n == 0 {
        return Ok(vec![]);
    }
    let custom: Option<(String,)> =
        q("SELECT value FROM procedure_settings WHERE procedure = $1 AND key = 'number_pattern'").bind(procedure).fetch_optional(&mut *tx).await?;
    let pattern = custom.map(|c| c.0).filter(|p| check_pattern(p).is_ok()).unwrap_or_else(|| pattern.to_string());
    let key = sequence_key(procedure, &pattern, year, org);
    let last = q("INSERT INTO case_sequences (key, last) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET last = case_sequences.last + $2 RETURNING last")
        .bind(key)
        .bind(n as i64)
        .fetch_i64(&mut *tx)
        .await?;
    let first = last - n as i64 + 1;
    let label = org_label(tx, &pattern, org).await?;
    Ok((first..=last).map(|seq| format_number(&pattern, year, &label, seq)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn administrators_patterns_are_checked() {
        assert!(check_pattern("RX{year}{seq:06}").is_ok());
        assert!(check_pattern("{org}复〔{year}〕{seq}号").is_ok());
        assert!(check_pattern("RX{seq}").is_err(), "needs the year");
        assert!(check_pattern("{year}-{id}").is_err());
        assert!(check_pattern("{year}{seq:99}").is_err());
        assert!(check_pattern("{year{seq}").is_err());
    }

    #[test]
    fn patterns() {
        assert_eq!(format_number("{org}复〔{year}〕{seq}号", 2020, "高政", 7), "高政复〔2020〕7号");
        assert_eq!(format_number("RX{year}{seq:06}", 2026, "", 42), "RX2026000042");
        assert_eq!(format_number("{year}-{seq:4}", 2026, "", 12345), "2026-12345");
        assert_eq!(format_number("A{unknown}B", 2026, "", 1), "A{unknown}B");
        assert_eq!(sequence_key("hotline", "RX{year}{seq:06}", 2026, "x"), "hotline:2026");
        assert_eq!(sequence_key("recon", "{org}复〔{year}〕{seq}号", 2026, "GY"), "recon:GY:2026");
    }
}
