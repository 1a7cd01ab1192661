//! Time: stored as UTC milliseconds, shown in Asia/Shanghai (UTC+8 all year, no daylight saving
//! since 1991). Calendar dates are `chrono::NaiveDate`, stored as `YYYY-MM-DD` text.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};

pub const SHANGHAI_OFFSET_SECS: i32 = 8 * 3600;

pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(SHANGHAI_OFFSET_SECS).expect("valid offset")
}

/// Milliseconds since the Unix epoch, UTC.
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

pub fn to_local(ms: i64) -> DateTime<FixedOffset> {
    shanghai().timestamp_millis_opt(ms).single().unwrap_or_else(|| shanghai().timestamp_millis_opt(0).single().expect("epoch"))
}

/// The calendar date in Shanghai of an instant.
pub fn local_date(ms: i64) -> NaiveDate {
    to_local(ms).date_naive()
}

/// Today in Shanghai.
pub fn today() -> NaiveDate {
    local_date(now_ms())
}

/// `2020-10-09 14:05`
pub fn fmt_datetime(ms: i64) -> String {
    to_local(ms).format("%Y-%m-%d %H:%M").to_string()
}

/// `2020-10-09 14:05:09`
pub fn fmt_datetime_secs(ms: i64) -> String {
    to_local(ms).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// `2020年10月9日`
pub fn fmt_date_cn(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

pub fn fmt_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// Midnight in Shanghai at the start of `d`, as UTC milliseconds.
pub fn start_of_day_ms(d: NaiveDate) -> i64 {
    let naive = d.and_hms_opt(0, 0, 0).expect("midnight");
    shanghai().from_local_datetime(&naive).single().expect("fixed offset").timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shanghai_dates() {
        // 2020-10-08T16:30Z is 2020-10-09 00:30 in Shanghai.
        let ms = Utc.with_ymd_and_hms(2020, 10, 8, 16, 30, 0).unwrap().timestamp_millis();
        assert_eq!(local_date(ms), NaiveDate::from_ymd_opt(2020, 10, 9).unwrap());
        assert_eq!(fmt_datetime(ms), "2020-10-09 00:30");
        assert_eq!(fmt_date_cn(local_date(ms)), "2020年10月9日");
        assert_eq!(start_of_day_ms(NaiveDate::from_ymd_opt(2020, 10, 9).unwrap()), ms - 30 * 60 * 1000);
    }
}
