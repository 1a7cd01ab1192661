//! Case numbers from a pattern such as `{org}复〔{year}〕{seq}号` or `RX{year}{seq:06}`.
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

/// Take the next number (inside the caller's transaction).
pub async fn next(tx: &mut Tx, procedure: &str, pattern: &str, year: i32, org: &str) -> Result<String, AppError> {
    let key = sequence_key(procedure, pattern, year, org);
    q("INSERT INTO case_sequences (key, last) VALUES ($1, 0) ON CONFLICT (key) DO NOTHING").bind(key.as_str()).execute(&mut *tx).await?;
    let seq = q("UPDATE case_sequences SET last = last + 1 WHERE key = $1 RETURNING last").bind(key).fetch_i64(&mut *tx).await?;
    Ok(format_number(pattern, year, org, seq))
}

#[cfg(test)]
mod tests {
    use super::*;

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
