//! The entity directory (检查对象名录库) from XLSX or CSV, all or nothing: every row is checked
//! first — the 统一社会信用代码 with its check character, the name, the type, the town, the risk
//! class, a code repeated within the file — and every bad row and column reported; only a file
//! without one is written, in one transaction. An entity already in the unit's directory is
//! updated (its risk class changes as the credit classification does).
//!
//! Columns: 统一社会信用代码 [uscc] · 名称 [name] · 类型 [type: 企业/个体工商户/农民专业合作社/其他]
//! · 所属乡镇 [town: name or code, may be empty] · 风险等级 [risk: A/B/C/D]

use std::collections::HashMap;

use futures::FutureExt;

use super::rules as r;
use super::service::{self, EntityIn};
use crate::audit::{self, Changes, NewEvent};
use crate::auth::roles::Perm;
use crate::error::AppError;
use crate::org::OrgKind;
use crate::service::Who;
use crate::state::AppState;
use crate::tabular::{self, RowError, Table, cell};
use crate::time::now_ms;

pub const COLUMNS: &[(&str, &[&str])] = &[
    ("统一社会信用代码", &["统一社会信用代码", "uscc"]),
    ("名称", &["名称", "企业名称", "name"]),
    ("类型", &["类型", "主体类型", "type"]),
    ("所属乡镇", &["所属乡镇", "乡镇", "town"]),
    ("风险等级", &["风险等级", "信用风险分类", "risk"]),
];

/// The type as written in a file (Chinese name or code).
fn entity_type(s: &str) -> Option<&'static str> {
    r::ENTITY_TYPES.iter().find(|t| t.0 == s || t.1 == s).map(|t| t.0)
}

/// Check a table against the towns (name or code → id); every problem reported.
pub fn check(table: &Table, towns: &HashMap<String, i64>) -> Result<Vec<EntityIn>, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut idx = Vec::new();
    for (label, names) in COLUMNS {
        match table.column(names) {
            Some(i) => idx.push(Some(i)),
            None if *label == "所属乡镇" => idx.push(None),
            None => {
                errors.push(RowError::new(1, *label, format!("缺少必需的列“{label}”")));
                idx.push(None);
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if table.rows.is_empty() {
        return Err(vec![RowError::new(1, "", "文件中没有检查对象")]);
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(table.rows.len());
    for (row, cells) in &table.rows {
        let get = |k: usize| idx[k].map(|i| cell(cells, i).trim().to_string()).unwrap_or_default();
        let (code, name, kind_s, town_s, risk) = (get(0).to_uppercase(), get(1), get(2), get(3), get(4).to_uppercase());
        let kind = entity_type(&kind_s).unwrap_or("");
        let mut bad = service::check_entity(&code, &name, if kind.is_empty() { kind_s.as_str() } else { kind }, &risk);
        if let Some(first) = seen.get(&code) {
            bad.push(("统一社会信用代码", format!("统一社会信用代码 {code} 与第 {first} 行重复")));
        } else {
            seen.insert(code.clone(), *row);
        }
        let town_id = if town_s.is_empty() {
            None
        } else {
            let t = towns.get(&town_s).copied();
            if t.is_none() {
                bad.push(("所属乡镇", format!("“{town_s}”不是本市的乡镇或园区（填写名称或编码）")));
            }
            t
        };
        if bad.is_empty() {
            out.push(EntityIn { uscc: code, name, entity_type: kind.to_string(), town_id, risk });
        } else {
            errors.extend(bad.into_iter().map(|(col, msg)| RowError::new(*row, col, msg)));
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// Import a file into the directory of `org_id`: (added, updated), or every problem.
pub async fn import(state: &AppState, who: &Who, org_id: i64, bytes: &[u8]) -> Result<(usize, usize), Vec<RowError>> {
    let one = |e: AppError| vec![RowError::new(0, "", e.user_message())];
    let org = crate::org::queries::get(&state.db, org_id).await.map_err(one)?.filter(|o| o.active);
    let org = match org {
        Some(o) if who.may(Perm::CASE_HANDLE, &o.path) => o,
        _ => return Err(vec![RowError::new(0, "单位", "您只能导入本单位的检查对象名录库")]),
    };
    let table = tabular::read(bytes).map_err(one)?;
    let mut towns = HashMap::new();
    for o in crate::org::queries::of_kinds(&state.db, &[OrgKind::Town, OrgKind::Park]).await.map_err(one)? {
        towns.insert(o.name.clone(), o.id);
        towns.insert(o.short_name.clone(), o.id);
        towns.insert(o.code.clone(), o.id);
    }
    let rows = check(&table, &towns)?;
    let actor = who.actor();
    let n = rows.len();
    state
        .db
        .write_alone(move |tx| {
            async move {
                let now = now_ms();
                let (added, changed) = service::upsert_entities(tx, org.id, &rows, now).await?;
                let ch = Changes::new().created("新增", added).created("更新", changed).created("单位", org.name.clone());
                audit::record_at(tx, &actor, NewEvent::new("enf_entity", 0, "import", format!("导入检查对象名录 {n} 户")).changes(ch), now).await?;
                Ok((added, changed))
            }
            .boxed()
        })
        .await
        .map_err(one)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[&str]]) -> Table {
        Table {
            header: ["统一社会信用代码", "名称", "类型", "所属乡镇", "风险等级"].iter().map(|s| s.to_string()).collect(),
            rows: rows.iter().enumerate().map(|(i, r)| (i + 2, r.iter().map(|s| s.to_string()).collect())).collect(),
            encoding: "XLSX",
        }
    }

    #[test]
    fn every_bad_row_and_column_is_reported() {
        let towns: HashMap<String, i64> = [("东湖镇".to_string(), 7)].into();
        let good = crate::inspections::uscc::complete("9132108100000001A");
        let t =
            table(&[&[&good, "示范市甲公司", "企业", "东湖镇", "a"], &["91350100M000100Y44", "乙公司", "企业", "", "B"], &[&good, "", "工厂", "西天镇", "E"]]);
        let errs = check(&t, &towns).unwrap_err();
        let at = |row: usize, col: &str| errs.iter().any(|e| e.row == row && e.column == col);
        assert!(at(3, "统一社会信用代码"), "{errs:?}");
        assert!(at(4, "统一社会信用代码") && at(4, "名称") && at(4, "类型") && at(4, "所属乡镇") && at(4, "风险等级"), "{errs:?}");
        assert!(!errs.iter().any(|e| e.row == 2), "the good row has no error: {errs:?}");
        let ok = check(&table(&[&[&good, "示范市甲公司", "个体工商户", "东湖镇", "d"]]), &towns).unwrap();
        assert_eq!((ok[0].risk.as_str(), ok[0].entity_type.as_str(), ok[0].town_id), ("D", "individual", Some(7)));
    }
}
