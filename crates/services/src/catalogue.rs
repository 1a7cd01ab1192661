//! The item catalogue's rules: the structure of an item code, and the versions of an item.
//!
//! **The code.** GB/T 39554.1-2020 (全国一体化政务服务平台 政务服务事项基本目录及实施清单 第1部分：
//! 编码要求) codes the basic catalogue and the implementation lists; its text could not be read
//! here, so only what a published local standard of the same family confirms is enforced
//! [S: 贵州 DB52/T 1264-2018 行政许可标准化指南 事项编码 §3 — a basic code of 10 characters: a
//! 2-character item-type code, a 5-digit main-item number 00001–99999 and a 3-digit sub-item
//! number, 000 when the item has no sub-items; its example type code for 行政许可 is XK]. What
//! follows the basic code in an implementation list (the implementing area and unit, the
//! handling item) is accepted as `-` and 1 to 40 digits or capital letters, without a layout
//! [U]. The type codes of the other kinds are [U] defaults an administrator can change
//! (setting `services.item_type_codes`, e.g. `licence=XK;confirmation=QR`).
//!
//! **Versions.** An item changed by an import gets a new version; the old one is kept with the
//! day it stopped applying, and an application records the version in force when it was filed
//! (its limits and mode are copied onto it then, so a later change never moves its clock).

use serde::Serialize;

use crate::audit::{self, Actor, Changes, NewEvent};
use crate::db::{Db, Tx, q};
use crate::error::AppError;
use crate::rules;
use crate::service::{AppRow, CheckedItem, ItemRow};
use crate::time::{fmt_date, now_ms, today};

/// The setting that overrides the type codes.
pub const TYPE_CODES_KEY: &str = "services.item_type_codes";

/// The default type segment of each kind. XK is confirmed for 行政许可 [S]; the others are [U].
pub const DEFAULT_TYPE_CODES: &[(&str, &str, bool)] =
    &[("licence", "XK", true), ("confirmation", "QR", false), ("payment", "JF", false), ("public_service", "GG", false), ("other", "QT", false)];

/// The type codes in force: (kind, code, confirmed).
#[derive(Clone, Debug)]
pub struct TypeCodes(pub Vec<(String, String, bool)>);

impl TypeCodes {
    pub fn defaults() -> TypeCodes {
        TypeCodes(DEFAULT_TYPE_CODES.iter().map(|(k, c, ok)| (k.to_string(), c.to_string(), *ok)).collect())
    }

    /// Apply an override written as `kind=CODE;kind=CODE` (unknown kinds and malformed pairs
    /// are ignored: the defaults stand for them).
    pub fn with_override(mut self, text: &str) -> TypeCodes {
        for pair in text.split([';', '；', ',', '\n']) {
            let Some((kind, code)) = pair.split_once('=') else { continue };
            let (kind, code) = (kind.trim(), code.trim().to_ascii_uppercase());
            if code.len() != 2 || !code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
                continue;
            }
            if let Some(e) = self.0.iter_mut().find(|e| e.0 == kind) {
                e.1 = code;
                e.2 = false;
            }
        }
        self
    }

    pub fn for_kind(&self, kind: &str) -> Option<&str> {
        self.0.iter().find(|e| e.0 == kind).map(|e| e.1.as_str())
    }
}

/// The type codes, with the administrator's override if any.
pub async fn type_codes(db: &Db) -> Result<TypeCodes, AppError> {
    let over = crate::settings::get(db, TYPE_CODES_KEY).await?;
    Ok(match over {
        Some(t) => TypeCodes::defaults().with_override(&t),
        None => TypeCodes::defaults(),
    })
}

/// A code read into its segments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeParts {
    pub type_code: String,
    pub main: u32,
    pub sub: u32,
    /// What the implementation list adds after the basic code [U].
    pub implementation: Option<String>,
}

/// Read a code into its segments, or say in plain words what is wrong with it.
pub fn parse_code(code: &str) -> Result<CodeParts, String> {
    let (basic, rest) = match code.split_once('-') {
        Some((b, r)) => (b, Some(r)),
        None => (code, None),
    };
    let chars: Vec<char> = basic.chars().collect();
    if chars.len() != 10 {
        return Err(format!("基本编码须为10位（2位事项类型代码＋5位主项代码＋3位子项代码），“{basic}”为{}位", chars.len()));
    }
    let type_code: String = chars[..2].iter().collect();
    if !type_code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
        return Err(format!("事项类型代码“{type_code}”须为2位大写字母或数字"));
    }
    let main: String = chars[2..7].iter().collect();
    let sub: String = chars[7..].iter().collect();
    if !main.chars().all(|c| c.is_ascii_digit()) || main == "00000" {
        return Err(format!("主项代码“{main}”须为00001至99999的5位数字"));
    }
    if !sub.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("子项代码“{sub}”须为3位数字（无子项时为000）"));
    }
    let implementation = match rest {
        None => None,
        Some(r) if (1..=40).contains(&r.len()) && r.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) => Some(r.to_string()),
        Some(_) => return Err("基本编码后的实施编码须以“-”连接，为1至40位数字或大写字母".into()),
    };
    Ok(CodeParts { type_code, main: main.parse().expect("digits"), sub: sub.parse().expect("digits"), implementation })
}

/// Check a code against the structure and the item's type: (machine code, message).
pub fn check_code(code: &str, kind: &str, types: &TypeCodes) -> Result<CodeParts, (&'static str, String)> {
    if code.is_empty() {
        return Err(("required", "请填写事项编码".into()));
    }
    let parts = parse_code(code).map_err(|m| ("bad_item_code", format!("事项编码不符合编码结构：{m}")))?;
    if let Some(expected) = types.for_kind(kind) {
        if parts.type_code != expected {
            let label = rules::label(rules::KINDS, kind);
            return Err(("item_code_type_mismatch", format!("事项编码的类型代码“{}”与事项类型“{label}”（{expected}）不符", parts.type_code)));
        }
    }
    Ok(parts)
}

/// The item as a version snapshot (JSON).
fn snapshot(item: &CheckedItem) -> String {
    serde_json::to_string(item).unwrap_or_default()
}

/// Write a new item, as version 1 in force from today, with its event.
pub async fn insert_item(tx: &mut Tx, actor: &Actor, org_id: i64, item: &CheckedItem) -> Result<i64, AppError> {
    let now = now_ms();
    let id = q("INSERT INTO svc_items (org_id, code, name, kind, basis, statutory_days, committed_days, online_level, reform_mode, transferred, created_at, version) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,1) RETURNING id")
        .bind(org_id)
        .bind(item.code.clone())
        .bind(item.name.clone())
        .bind(item.kind.clone())
        .bind(item.basis.clone())
        .bind(item.statutory_days)
        .bind(item.committed_days)
        .bind(item.online_level.clone())
        .bind(item.reform_mode.clone())
        .bind(item.transferred)
        .bind(now)
        .fetch_i64(&mut *tx)
        .await?;
    q("INSERT INTO svc_item_versions (item_id, version, valid_from, snapshot, created_at) VALUES ($1, 1, $2, $3, $4)")
        .bind(id)
        .bind(fmt_date(today()))
        .bind(snapshot(item))
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let changes = Changes::new()
        .created("事项编码", item.code.clone())
        .created("事项名称", item.name.clone())
        .created("承诺时限", format!("{}个工作日", item.committed_days));
    audit::record(tx, actor, NewEvent::new("svc_item", id, "create", "登记政务服务事项").changes(changes)).await?;
    Ok(id)
}

/// What differs between the version in force and a new one, as the event's changes; empty when
/// nothing does.
fn differences(old: &ItemRow, new: &CheckedItem, org_id: i64) -> Changes {
    let l = |list, code: &str| rules::label(list, code);
    Changes::new()
        .set("事项名称", &old.name, &new.name)
        .set("事项类型", l(rules::KINDS, &old.kind), l(rules::KINDS, &new.kind))
        .set("设定依据", &old.basis, &new.basis)
        .set("法定时限（工作日）", old.statutory_days, new.statutory_days)
        .set("承诺时限（工作日）", old.committed_days, new.committed_days)
        .set("网办深度", l(rules::ONLINE_LEVELS, &old.online_level), l(rules::ONLINE_LEVELS, &new.online_level))
        .set("证照分离", l(rules::MODES, &old.reform_mode), l(rules::MODES, &new.reform_mode))
        .set("划转审批局", yes_no(old.transferred), yes_no(new.transferred))
        .set("实施主体（单位编号）", old.org_id, org_id)
}

pub fn yes_no(b: bool) -> &'static str {
    if b { "是" } else { "否" }
}

/// Replace an item by a new version in force from today, if anything changed. Returns whether
/// a version was made.
pub async fn revise_item(tx: &mut Tx, actor: &Actor, old: &ItemRow, org_id: i64, item: &CheckedItem) -> Result<bool, AppError> {
    let changes = differences(old, item, org_id);
    if changes.is_empty() {
        return Ok(false);
    }
    let version = old.version + 1;
    let day = fmt_date(today());
    let now = now_ms();
    q("UPDATE svc_items SET org_id = $1, name = $2, kind = $3, basis = $4, statutory_days = $5, committed_days = $6, online_level = $7, reform_mode = $8, transferred = $9, version = $10 WHERE id = $11 AND version = $12")
        .bind(org_id)
        .bind(item.name.clone())
        .bind(item.kind.clone())
        .bind(item.basis.clone())
        .bind(item.statutory_days)
        .bind(item.committed_days)
        .bind(item.online_level.clone())
        .bind(item.reform_mode.clone())
        .bind(item.transferred)
        .bind(version)
        .bind(old.id)
        .bind(old.version)
        .execute(&mut *tx)
        .await
        .and_then(|n| if n == 1 { Ok(()) } else { Err(AppError::conflict("stale_item", format!("事项“{}”已被他人修改，请重新导入", old.code))) })?;
    q("UPDATE svc_item_versions SET valid_to = $1 WHERE item_id = $2 AND version = $3")
        .bind(day.clone())
        .bind(old.id)
        .bind(old.version)
        .execute(&mut *tx)
        .await?;
    q("INSERT INTO svc_item_versions (item_id, version, valid_from, snapshot, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(old.id)
        .bind(version)
        .bind(day)
        .bind(snapshot(item))
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let what = format!("事项修订为第{version}版（在办申请按收件时施行的版本办理）");
    audit::record(tx, actor, NewEvent::new("svc_item", old.id, "revise", &what).changes(changes)).await?;
    Ok(true)
}

/// A version of an item as the case page names it.
#[derive(sqlx::FromRow, Serialize)]
struct VersionRow {
    version: i64,
    valid_from: String,
    valid_to: Option<String>,
}

/// "第2版（2026-01-05 起施行；已于 2026-03-01 修订）" for the version an application was filed under.
pub async fn version_note(db: &Db, a: &AppRow) -> Result<String, AppError> {
    let Some(v) = a.item_version else { return Ok(String::new()) };
    let row: Option<VersionRow> =
        q("SELECT version, valid_from, valid_to FROM svc_item_versions WHERE item_id = $1 AND version = $2").bind(a.item_id).bind(v).fetch_optional(db).await?;
    Ok(match row {
        None => format!("第{v}版"),
        Some(r) => match r.valid_to {
            None => format!("按收件时施行的第{}版办理（{} 起施行，现行）", r.version, r.valid_from),
            Some(to) => format!("按收件时施行的第{}版办理（{} 起施行，{} 已修订；本申请的时限和改革方式不随修订变化）", r.version, r.valid_from, to),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_read_into_its_segments() {
        let p = parse_code("XK00101002-321084").unwrap();
        assert_eq!((p.type_code.as_str(), p.main, p.sub, p.implementation.as_deref()), ("XK", 101, 2, Some("321084")));
        assert_eq!(parse_code("XK00101000").unwrap().implementation, None);
    }

    #[test]
    fn a_code_that_breaks_the_structure_is_refused_with_the_reason() {
        assert!(parse_code("XK0010100").unwrap_err().contains("10位"));
        assert!(parse_code("XK00000000").unwrap_err().contains("主项代码"));
        assert!(parse_code("XK00101A00").unwrap_err().contains("子项代码"));
        assert!(parse_code("xk00101000").unwrap_err().contains("类型代码"));
        assert!(parse_code("XK00101000-").unwrap_err().contains("实施编码"));
        assert!(parse_code("XK00101000-ab").unwrap_err().contains("实施编码"));
    }

    #[test]
    fn the_type_segment_must_match_the_kind_and_can_be_reconfigured() {
        let t = TypeCodes::defaults();
        assert!(check_code("XK00101000", "licence", &t).is_ok());
        assert_eq!(check_code("QR00101000", "licence", &t).unwrap_err().0, "item_code_type_mismatch");
        assert_eq!(check_code("", "licence", &t).unwrap_err().0, "required");
        let t = TypeCodes::defaults().with_override("confirmation=07; bad; payment=toolong");
        assert!(check_code("0700101000", "confirmation", &t).is_ok());
        assert_eq!(t.for_kind("payment"), Some("JF"));
        assert!(!t.0.iter().find(|e| e.0 == "confirmation").unwrap().2, "an override is not a confirmed value");
    }
}
