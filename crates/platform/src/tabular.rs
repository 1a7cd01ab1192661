//! Tabular files in and out: CSV (UTF-8, with or without BOM, or GBK/GB18030 as government
//! Excel exports often are) and XLSX. Imports read a whole file into rows first, so that a file
//! with bad rows can be rejected whole with every bad row and column reported.

use std::io::Cursor;

use serde::Serialize;

use crate::error::AppError;

/// A file read into text cells. `rows[0]` is the header.
#[derive(Debug, Clone)]
pub struct Table {
    pub header: Vec<String>,
    /// (line or row number as the user sees it, cells)
    pub rows: Vec<(usize, Vec<String>)>,
    pub encoding: &'static str,
}

/// A problem in one cell or row of an import.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub message: String,
}

impl RowError {
    pub fn new(row: usize, column: impl Into<String>, message: impl Into<String>) -> Self {
        RowError { row, column: column.into(), message: message.into() }
    }
}

/// Largest import file accepted.
pub const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

/// Decode bytes as UTF-8 (BOM stripped) or, failing that, as GB18030 (a superset of GBK).
pub fn decode_text(bytes: &[u8]) -> Result<(String, &'static str), AppError> {
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok((s.to_string(), "UTF-8"));
    }
    let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
    if had_errors {
        return Err(AppError::bad_request("unknown_encoding", "文件编码无法识别：请保存为 UTF-8 或 GBK 编码的 CSV，或 XLSX 格式"));
    }
    Ok((text.into_owned(), "GBK"))
}

/// Read a CSV or XLSX file (detected from its content, not its name).
pub fn read(bytes: &[u8]) -> Result<Table, AppError> {
    if bytes.is_empty() {
        return Err(AppError::bad_request("empty_file", "文件是空的"));
    }
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(AppError::TooLarge { message: format!("文件超过 {} MB 上限", MAX_IMPORT_BYTES / 1024 / 1024) });
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return read_xlsx(bytes);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(AppError::UnsupportedMedia { message: "不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后再导入".into() });
    }
    let (text, encoding) = decode_text(bytes)?;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut header = None;
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| AppError::bad_request("bad_csv", format!("CSV 第 {} 行格式错误：{e}", i + 1)))?;
        let cells: Vec<String> = rec.iter().map(|s| s.trim().to_string()).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        if header.is_none() {
            header = Some(cells);
        } else {
            rows.push((i + 1, cells));
        }
    }
    let header = header.ok_or_else(|| AppError::bad_request("empty_file", "文件没有表头"))?;
    Ok(Table { header, rows, encoding })
}

fn read_xlsx(bytes: &[u8]) -> Result<Table, AppError> {
    use calamine::{Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).map_err(|e| AppError::bad_request("bad_xlsx", format!("XLSX 文件无法读取：{e}")))?;
    let sheet = wb
        .worksheet_range_at(0)
        .ok_or_else(|| AppError::bad_request("bad_xlsx", "XLSX 文件没有工作表"))?
        .map_err(|e| AppError::bad_request("bad_xlsx", format!("XLSX 工作表无法读取：{e}")))?;
    let start_row = sheet.start().map(|(r, _)| r as usize).unwrap_or(0);
    let mut header = None;
    let mut rows = Vec::new();
    for (i, row) in sheet.rows().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .map(|c| match c {
                Data::Empty => String::new(),
                Data::String(s) => s.trim().to_string(),
                Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
                Data::Float(f) => f.to_string(),
                Data::Int(i) => i.to_string(),
                Data::Bool(b) => {
                    if *b {
                        "是".into()
                    } else {
                        "否".into()
                    }
                }
                Data::DateTime(d) => d
                    .as_datetime()
                    .map(|dt| if dt.time() == chrono::NaiveTime::MIN { dt.format("%Y-%m-%d").to_string() } else { dt.format("%Y-%m-%d %H:%M:%S").to_string() })
                    .unwrap_or_default(),
                Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                Data::Error(e) => format!("#ERR:{e:?}"),
            })
            .collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        // Our exports open with a title line (one cell) above the header: skip it, so that an
        // exported file can be imported again.
        let lone = cells.iter().filter(|c| !c.is_empty()).count() == 1;
        if header.as_ref().is_some_and(|h: &Vec<String>| h.iter().filter(|c| !c.is_empty()).count() == 1) && rows.is_empty() && !lone {
            header = None;
        }
        if header.is_none() {
            header = Some(cells);
        } else {
            rows.push((start_row + i + 1, cells));
        }
    }
    let header = header.ok_or_else(|| AppError::bad_request("empty_file", "工作表没有表头"))?;
    Ok(Table { header, rows, encoding: "XLSX" })
}

impl Table {
    /// The index of a required column, by any of its accepted names.
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        self.header.iter().position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
    }

    /// Check that every required column is present; report the missing ones.
    pub fn require(&self, columns: &[(&str, &[&str])]) -> Result<Vec<usize>, AppError> {
        let mut missing = Vec::new();
        let mut idx = Vec::new();
        for (label, names) in columns {
            match self.column(names) {
                Some(i) => idx.push(i),
                None => missing.push(*label),
            }
        }
        if missing.is_empty() {
            Ok(idx)
        } else {
            Err(AppError::bad_request("missing_columns", format!("表头缺少必需的列：{}（现有表头：{}）", missing.join("、"), self.header.join("、"))))
        }
    }
}

/// A cell by index ("" when the row is short).
pub fn cell(cells: &[String], i: usize) -> &str {
    cells.get(i).map(String::as_str).unwrap_or("")
}

/// Write rows as CSV with a UTF-8 BOM so that Excel opens Chinese text correctly.
pub fn write_csv(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let _ = w.write_record(header);
        for r in rows {
            let _ = w.write_record(r);
        }
        let _ = w.flush();
    }
    out
}

/// Write rows as an XLSX workbook with one sheet and no title line: the organisation tree's
/// export, which is also its import format. Lists people read are exported with [`export`].
pub fn write_xlsx(sheet_name: &str, header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, AppError> {
    let rows = rows.iter().map(|r| r.iter().map(|v| XCell::guess(v)).collect()).collect();
    write_workbook(&[Sheet::new(sheet_name, None, header.iter().map(|h| h.to_string()).collect(), rows)])
}

/// A cell of an exported sheet: numbers stay numbers (a rate is a number formatted as a
/// percentage) and dates stay dates, so that the figures can be summed, sorted and charted in
/// Excel.
#[derive(Clone, Debug, PartialEq)]
pub enum XCell {
    Text(String),
    Int(i64),
    Num(f64),
    /// A rate in percent (99.91 for 99.91 %).
    Percent(f64),
    Date(chrono::NaiveDate),
    /// A local (Asia/Shanghai) time to the minute.
    DateTime(chrono::NaiveDateTime),
    Empty,
}

impl XCell {
    pub fn text(s: impl Into<String>) -> XCell {
        XCell::Text(s.into())
    }
    /// A date given as `YYYY-MM-DD` (empty when there is none).
    pub fn date(s: Option<&str>) -> XCell {
        match s.filter(|s| !s.is_empty()) {
            None => XCell::Empty,
            Some(v) => crate::time::parse_date(v).map(XCell::Date).unwrap_or_else(|| XCell::Text(v.to_string())),
        }
    }
    /// A stored time (UTC milliseconds) as the local date and time.
    pub fn time_ms(ms: i64) -> XCell {
        XCell::DateTime(crate::time::to_local(ms).naive_local())
    }
    /// A value of a text export: plain numbers become numbers and `YYYY-MM-DD[ HH:MM[:SS]]`
    /// dates; codes, phone numbers and anything with a leading zero stay text so that Excel
    /// does not mangle them.
    pub fn guess(v: &str) -> XCell {
        let numeric = v.len() <= 10 && (!v.starts_with('0') || v == "0" || v.starts_with("0.")) && v.parse::<f64>().is_ok();
        if let Some(p) = v.strip_suffix('%').and_then(|p| p.parse::<f64>().ok()) {
            XCell::Percent(p)
        } else if numeric {
            match v.parse::<i64>() {
                Ok(n) => XCell::Int(n),
                Err(_) => XCell::Num(v.parse().unwrap_or(0.0)),
            }
        } else if let Some(d) = (v.len() == 10).then(|| chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()).flatten() {
            XCell::Date(d)
        } else if let Some(t) = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"].iter().find_map(|f| chrono::NaiveDateTime::parse_from_str(v, f).ok()) {
            XCell::DateTime(t)
        } else {
            XCell::Text(v.to_string())
        }
    }
    fn width(&self) -> usize {
        match self {
            XCell::Text(s) => s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum::<usize>().div_ceil(2),
            XCell::Empty => 0,
            XCell::DateTime(_) => 9,
            XCell::Date(_) => 6,
            _ => 5,
        }
    }
}

/// Excel's serial number of a day (days since 1899-12-30, the epoch Excel's 1900 system uses
/// for every date after February 1900).
fn excel_serial(d: chrono::NaiveDate) -> f64 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid date");
    (d - epoch).num_days() as f64
}

/// One sheet: a title line (what, which period), the header, the rows.
pub struct Sheet {
    pub name: String,
    pub title: Option<String>,
    pub header: Vec<String>,
    pub rows: Vec<Vec<XCell>>,
}

impl Sheet {
    pub fn new(name: impl Into<String>, title: Option<String>, header: Vec<String>, rows: Vec<Vec<XCell>>) -> Sheet {
        Sheet { name: name.into(), title, header, rows }
    }
}

/// An XLSX file of one or more sheets.
pub fn write_workbook(sheets: &[Sheet]) -> Result<Vec<u8>, AppError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let err = |e: rust_xlsxwriter::XlsxError| AppError::internal(format!("xlsx: {e}"));
    let bold = Format::new().set_bold().set_background_color("#E8EEF7");
    let title_fmt = Format::new().set_bold().set_font_size(13);
    let pct = Format::new().set_num_format("0.00\\%");
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    let time_fmt = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    for sheet in sheets {
        let ws = wb.add_worksheet();
        // Excel allows 31 characters and no []:*?/\ in a sheet name.
        let name: String = sheet.name.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
        ws.set_name(if name.is_empty() { "Sheet1" } else { &name }).map_err(err)?;
        let mut top = 0u32;
        if let Some(t) = &sheet.title {
            ws.write_string_with_format(0, 0, t, &title_fmt).map_err(err)?;
            top = 2;
        }
        for (c, h) in sheet.header.iter().enumerate() {
            ws.write_string_with_format(top, c as u16, h, &bold).map_err(err)?;
            let width = sheet.rows.iter().take(200).map(|r| r.get(c).map(XCell::width).unwrap_or(0)).max().unwrap_or(0);
            let width = width.max(h.chars().count()).clamp(3, 30);
            ws.set_column_width(c as u16, width as f64 * 2.2 + 1.0).map_err(err)?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = top + 1 + r as u32;
            for (c, v) in row.iter().enumerate() {
                let c = c as u16;
                match v {
                    XCell::Text(s) => ws.write_string(r, c, s).map(|_| ()),
                    XCell::Int(n) => ws.write_number(r, c, *n as f64).map(|_| ()),
                    XCell::Num(n) => ws.write_number(r, c, *n).map(|_| ()),
                    XCell::Percent(p) => ws.write_number_with_format(r, c, *p, &pct).map(|_| ()),
                    XCell::Date(d) => ws.write_number_with_format(r, c, excel_serial(*d), &date_fmt).map(|_| ()),
                    XCell::DateTime(t) => {
                        let secs = chrono::Timelike::num_seconds_from_midnight(&t.time()) as f64;
                        ws.write_number_with_format(r, c, excel_serial(t.date()) + secs / 86_400.0, &time_fmt).map(|_| ())
                    }
                    XCell::Empty => Ok(()),
                }
                .map_err(err)?;
            }
        }
        ws.set_freeze_panes(top + 1, 0).map_err(err)?;
    }
    wb.save_to_buffer().map_err(err)
}

/// The one way a list is exported: an XLSX workbook whose sheets open with a title line (what
/// the list covers: the filter and the period), numbers as numbers and dates as dates, offered
/// as `{stem}-{YYYYMMDD}.xlsx`.
pub fn export(stem: &str, sheets: &[Sheet]) -> Result<axum::response::Response, AppError> {
    Ok(xlsx_response(write_workbook(sheets)?, stem))
}

/// The title line of an exported list: its subject, then each filter in effect (`名称：值`),
/// then the number of rows and the day of the export, e.g.
/// `热线工单（状态：全部；登记日期：2026-01-01 至 2026-03-31；共 812 条；导出日期 2026-04-02）`.
pub fn export_title(subject: &str, filters: &[(&str, String)], rows: usize) -> String {
    let mut parts: Vec<String> = filters.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}：{v}")).collect();
    if parts.is_empty() {
        parts.push("全部".into());
    }
    parts.push(format!("共 {rows} 条"));
    parts.push(format!("导出日期 {}", crate::time::fmt_date(crate::time::today())));
    format!("{subject}（{}）", parts.join("；"))
}

/// A period as the title line shows it: `2026-01-01 至 2026-03-31`, `2026-01-01 起`, `至 …`.
pub fn period(from: Option<&str>, to: Option<&str>) -> String {
    match (from.filter(|s| !s.is_empty()), to.filter(|s| !s.is_empty())) {
        (Some(f), Some(t)) => format!("{f} 至 {t}"),
        (Some(f), None) => format!("{f} 起"),
        (None, Some(t)) => format!("至 {t}"),
        (None, None) => String::new(),
    }
}

/// A CSV download named `{stem}-{YYYYMMDD}.csv`.
pub fn csv_response(bytes: Vec<u8>, stem: &str) -> axum::response::Response {
    download(bytes, stem, "csv", "text/csv; charset=utf-8")
}

/// An XLSX download named `{stem}-{YYYYMMDD}.xlsx` (the day of the export), the Chinese name kept
/// for browsers (RFC 5987) with an ASCII fallback.
pub fn xlsx_response(bytes: Vec<u8>, stem: &str) -> axum::response::Response {
    download(bytes, stem, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
}

fn download(bytes: Vec<u8>, stem: &str, ext: &str, mime: &str) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let day = crate::time::today().format("%Y%m%d");
    let name = format!("{stem}-{day}.{ext}");
    let ascii: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", crate::web::urlencode(&name))),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_utf8_gbk_and_xlsx_alike() {
        let text = "编码,名称\nA1,住房和城乡建设局\n,\nA2,司法局\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        for bytes in [text.as_bytes().to_vec(), gbk.into_owned(), bom] {
            let t = read(&bytes).unwrap();
            assert_eq!(t.header, ["编码", "名称"]);
            assert_eq!(t.rows.len(), 2);
            assert_eq!(t.rows[1].0, 4, "row numbers are the file's line numbers");
            assert_eq!(t.rows[0].1[1], "住房和城乡建设局");
        }
        let x = write_xlsx("机构", &["编码", "名称"], &[vec!["A1".into(), "住房和城乡建设局".into()]]).unwrap();
        let t = read(&x).unwrap();
        assert_eq!(t.encoding, "XLSX");
        assert_eq!(t.rows[0].1, ["A1", "住房和城乡建设局"]);
        assert_eq!(t.rows[0].0, 2);
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        assert_eq!(read(b"").unwrap_err().code(), "empty_file");
        assert_eq!(read(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0]).unwrap_err().code(), "unsupported_media_type");
        assert_eq!(read(&[0x81, 0x20, 0xFF, 0xFF, 0x30]).unwrap_err().code(), "unknown_encoding");
        let t = read("a,b\n1,2\n".as_bytes()).unwrap();
        assert_eq!(t.require(&[("编码", &["编码", "code"])]).unwrap_err().code(), "missing_columns");
    }

    #[test]
    fn exports_carry_a_title_numbers_and_dates() {
        use calamine::{Data, Reader, Xlsx};
        let rows =
            vec![vec![XCell::guess("2026000123"), XCell::guess("12"), XCell::guess("2026-03-05"), XCell::guess("2026-03-05 14:20"), XCell::guess("0514")]];
        let header = ["编号", "件数", "期限", "登记时间", "区号"].map(String::from).to_vec();
        let title =
            export_title("热线工单", &[("状态", "全部".into()), ("乡镇", String::new()), ("登记日期", period(Some("2026-01-01"), Some("2026-03-31")))], 1);
        assert!(title.starts_with("热线工单（状态：全部；登记日期：2026-01-01 至 2026-03-31；共 1 条；导出日期 "), "{title}");
        let bytes = write_workbook(&[Sheet::new("工单", Some(title.clone()), header, rows)]).unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes.clone())).unwrap();
        let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
        assert_eq!(sheet.get((0, 0)), Some(&Data::String(title)));
        assert_eq!(sheet.get((2, 1)), Some(&Data::String("件数".into())));
        assert_eq!(sheet.get((3, 1)), Some(&Data::Float(12.0)), "numbers are numbers");
        assert!(
            matches!(sheet.get((3, 2)), Some(Data::DateTime(d)) if d.as_datetime().unwrap().format("%Y-%m-%d").to_string() == "2026-03-05"),
            "dates are dates"
        );
        assert!(matches!(sheet.get((3, 3)), Some(Data::DateTime(d)) if d.as_datetime().unwrap().format("%Y-%m-%d %H:%M").to_string() == "2026-03-05 14:20"));
        assert_eq!(sheet.get((3, 4)), Some(&Data::String("0514".into())), "codes stay text");
        // An exported file reads back with its header, the title line skipped.
        let t = read(&bytes).unwrap();
        assert_eq!(t.header[0], "编号");
        assert_eq!(t.rows.len(), 1);
        // A one-column file keeps its header.
        let one = write_xlsx("名单", &["名称"], &[vec!["司法局".into()]]).unwrap();
        assert_eq!(read(&one).unwrap().header, ["名称"]);
        assert_eq!(period(None, Some("2026-01-31")), "至 2026-01-31");
    }

    #[test]
    fn csv_export_has_bom() {
        let b = write_csv(&["名称"], &[vec!["司法局".into()]]);
        assert!(b.starts_with(&[0xEF, 0xBB, 0xBF]));
    }
}
