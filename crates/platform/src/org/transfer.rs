//! Import and export of the organisation tree as CSV or XLSX.
//!
//! Columns: 编码, 名称, 简称, 类型, 上级编码, 排序, 启用. An import is all-or-nothing: the whole
//! file is checked first (every bad row and column reported), then applied in one transaction
//! — new codes are created, existing codes updated — parents before children, whatever the
//! row order in the file.

use std::collections::{HashMap, HashSet};

use futures::FutureExt;

use super::model::{OrgKind, valid_code};
use super::queries::{self, OrgInput};
use crate::audit::Actor;
use crate::db::Db;
use crate::error::AppError;
use crate::tabular::{self, RowError, Table, cell};

pub const HEADER: [&str; 7] = ["编码", "名称", "简称", "类型", "上级编码", "排序", "启用"];

pub async fn export_rows(db: &Db) -> Result<Vec<Vec<String>>, AppError> {
    let all = queries::all(db).await?;
    let code_of: HashMap<i64, String> = all.iter().map(|o| (o.id, o.code.clone())).collect();
    Ok(all
        .iter()
        .map(|o| {
            vec![
                o.code.clone(),
                o.name.clone(),
                o.short_name.clone(),
                o.kind_label().to_string(),
                o.parent_id.and_then(|p| code_of.get(&p).cloned()).unwrap_or_default(),
                o.sort.to_string(),
                if o.active { "是".into() } else { "否".into() },
            ]
        })
        .collect())
}

/// The outcome of an import.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
}

/// Check a file against the rules; return the inputs in an order that creates parents first.
pub fn check(table: &Table, existing_codes: &HashMap<String, (OrgKind, Option<String>)>) -> Result<Vec<(usize, OrgInput)>, Vec<RowError>> {
    let idx = match table.require(&[
        ("编码", &["编码", "code"]),
        ("名称", &["名称", "name"]),
        ("类型", &["类型", "kind"]),
        ("上级编码", &["上级编码", "parent_code", "上级"]),
    ]) {
        Ok(i) => i,
        Err(e) => return Err(vec![RowError::new(1, "", e.user_message())]),
    };
    let (c_code, c_name, c_kind, c_parent) = (idx[0], idx[1], idx[2], idx[3]);
    let c_short = table.column(&["简称", "short_name"]);
    let c_sort = table.column(&["排序", "sort"]);
    let c_active = table.column(&["启用", "active", "状态"]);
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (line, cells) in &table.rows {
        let code = cell(cells, c_code).to_string();
        let name = cell(cells, c_name).to_string();
        let kind = cell(cells, c_kind).to_string();
        let parent = cell(cells, c_parent).to_string();
        if !valid_code(&code) {
            errors.push(RowError::new(*line, "编码", format!("“{code}”不是有效编码（1–32 位字母、数字、-、_）")));
        } else if let Some(prev) = seen.insert(code.clone(), *line) {
            errors.push(RowError::new(*line, "编码", format!("编码“{code}”与第 {prev} 行重复")));
        }
        if name.is_empty() {
            errors.push(RowError::new(*line, "名称", "名称不能为空"));
        } else if name.chars().count() > 64 {
            errors.push(RowError::new(*line, "名称", "名称不能超过 64 个字"));
        }
        if OrgKind::parse(&kind).is_none() {
            errors.push(RowError::new(*line, "类型", format!("类型“{kind}”无法识别，应为：市、部门、乡镇、园区、村、社区、内设机构")));
        }
        let sort = match c_sort.map(|c| cell(cells, c)).filter(|s| !s.is_empty()) {
            None => 0,
            Some(s) => match s.parse::<i64>() {
                Ok(v) => v,
                Err(_) => {
                    errors.push(RowError::new(*line, "排序", format!("排序“{s}”不是整数")));
                    0
                }
            },
        };
        let active = match c_active.map(|c| cell(cells, c)).unwrap_or("") {
            "" | "是" | "启用" | "1" | "true" | "TRUE" | "Y" => true,
            "否" | "停用" | "0" | "false" | "FALSE" | "N" => false,
            other => {
                errors.push(RowError::new(*line, "启用", format!("“{other}”应为“是”或“否”")));
                true
            }
        };
        rows.push((
            *line,
            OrgInput {
                parent_code: if parent.is_empty() { None } else { Some(parent) },
                code,
                name,
                short_name: c_short.map(|c| cell(cells, c).to_string()).filter(|s| !s.is_empty()),
                kind,
                sort,
                active,
            },
        ));
    }
    // Parents must exist in the file or the database, and the kinds must fit.
    let in_file: HashMap<String, OrgKind> = rows.iter().filter_map(|(_, r)| OrgKind::parse(&r.kind).map(|k| (r.code.clone(), k))).collect();
    for (line, r) in &rows {
        let Some(kind) = OrgKind::parse(&r.kind) else { continue };
        match &r.parent_code {
            None => {
                if kind != OrgKind::City {
                    errors.push(RowError::new(*line, "上级编码", "只有“市”级机构可以没有上级"));
                }
            }
            Some(p) => {
                let pk = in_file.get(p).copied().or_else(|| existing_codes.get(p).map(|e| e.0));
                match pk {
                    None => errors.push(RowError::new(*line, "上级编码", format!("上级编码“{p}”在文件和系统中都不存在"))),
                    Some(pk) if !pk.allows_child(kind) => errors.push(RowError::new(*line, "类型", format!("{}下不能设立{}", pk.label(), kind.label()))),
                    _ => {}
                }
                if p == &r.code {
                    errors.push(RowError::new(*line, "上级编码", "上级不能是自己"));
                }
            }
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        return Err(errors);
    }
    // Order: parents before children.
    let mut done: HashSet<String> = existing_codes.keys().cloned().collect();
    let mut ordered = Vec::with_capacity(rows.len());
    let mut pending = rows;
    while !pending.is_empty() {
        let before = pending.len();
        let mut rest = Vec::new();
        for (line, r) in pending {
            let ready = r.parent_code.as_ref().is_none_or(|p| done.contains(p) && !rest.iter().any(|(_, x): &(usize, OrgInput)| &x.code == p));
            if ready {
                done.insert(r.code.clone());
                ordered.push((line, r));
            } else {
                rest.push((line, r));
            }
        }
        if rest.len() == before {
            return Err(rest.into_iter().map(|(line, r)| RowError::new(line, "上级编码", format!("“{}”的上级关系形成了循环", r.code))).collect());
        }
        pending = rest;
    }
    Ok(ordered)
}

/// Import a file; nothing is changed unless every row is good.
pub async fn import(db: &Db, actor: Actor, bytes: &[u8]) -> Result<ImportReport, Vec<RowError>> {
    let table = tabular::read(bytes).map_err(|e| vec![RowError::new(0, "", e.user_message())])?;
    let all = queries::all(db).await.map_err(|e| vec![RowError::new(0, "", e.user_message())])?;
    let code_of: HashMap<i64, String> = all.iter().map(|o| (o.id, o.code.clone())).collect();
    let existing: HashMap<String, (OrgKind, Option<String>)> =
        all.iter().map(|o| (o.code.clone(), (o.kind(), o.parent_id.and_then(|p| code_of.get(&p).cloned())))).collect();
    let ordered = check(&table, &existing)?;
    db.write_alone(move |tx| {
        async move {
            let mut report = ImportReport::default();
            for (line, input) in ordered {
                let current = queries::by_code(&mut *tx, &input.code).await?;
                let result = match current {
                    Some(o) => queries::update(tx, &actor, o.id, o.version, &input).await.map(|_| report.updated += 1),
                    None => queries::create(tx, &actor, &input).await.map(|_| report.created += 1),
                };
                if let Err(e) = result {
                    let detail = e.field_errors().iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("；");
                    return Err(AppError::bad_request(
                        "import_row_failed",
                        format!("第 {line} 行：{}", if detail.is_empty() { e.user_message() } else { detail }),
                    ));
                }
            }
            Ok(report)
        }
        .boxed()
    })
    .await
    .map_err(|e| vec![RowError::new(0, "", e.user_message())])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> Table {
        tabular::read(text.as_bytes()).unwrap()
    }

    #[test]
    fn every_bad_row_is_reported() {
        let t = table("编码,名称,类型,上级编码,排序\nC,示范市,市,,0\nD1,,部门,C,x\nD1,住建局,部门,C,1\nV1,某村,村,C,1\nT1,某镇,乡镇,NOPE,1\n");
        let errs = check(&t, &HashMap::new()).unwrap_err();
        let rows: Vec<usize> = errs.iter().map(|e| e.row).collect();
        assert!(rows.contains(&3) && rows.contains(&4) && rows.contains(&5) && rows.contains(&6), "{errs:?}");
        assert!(errs.iter().any(|e| e.column == "排序"));
        assert!(errs.iter().any(|e| e.message.contains("重复")));
        assert!(errs.iter().any(|e| e.message.contains("市下不能设立村")));
    }

    #[test]
    fn children_may_come_before_parents() {
        let t = table("编码,名称,类型,上级编码\nV1,某村,村,T1\nT1,某镇,乡镇,C\nC,示范市,市,\n");
        let ordered = check(&t, &HashMap::new()).unwrap();
        let codes: Vec<&str> = ordered.iter().map(|(_, r)| r.code.as_str()).collect();
        assert_eq!(codes, ["C", "T1", "V1"]);
    }
}
