//! The catalogue in and out: an XLSX (or CSV) import that takes the whole file or nothing and
//! names every bad row; an XLSX export in the same columns, so an exported file imports again;
//! and a CPSV-AP / schema.org JSON-LD export for systems that speak the EU's vocabulary.
//!
//! CPSV-AP's `processingTime` and schema.org's durations are bare ISO 8601 durations with no
//! notion of working days. The export keeps the duration (`P10D`) for those readers but states
//! beside it that the days are working days under 行政许可法 Art. 82, that 补正 and the special
//! procedures of Art. 45 are not counted, and gives the statutory and committed working days as
//! numbers of their own.

use std::collections::{BTreeMap, BTreeSet};

use futures::FutureExt;
use serde_json::{Value, json};

use crate::audit::Actor;
use crate::auth::roles::Perm;
use crate::catalogue::{self, yes_no};
use crate::db::q;
use crate::error::AppError;
use crate::rules;
use crate::service::{self, CheckedItem, ITEM_COLS, ItemRow, NewItem, Who};
use crate::state::AppState;
use crate::tabular::{self, RowError, XCell, cell};

/// The columns, in the order of the export; each with the names an import accepts.
pub const COLUMNS: &[(&str, &[&str])] = &[
    ("事项编码", &["事项编码", "实施编码", "编码"]),
    ("事项名称", &["事项名称", "名称"]),
    ("事项类型", &["事项类型", "类型"]),
    ("实施主体编码", &["实施主体编码", "实施主体", "单位编码"]),
    ("设定依据", &["设定依据", "法律依据"]),
    ("法定时限（工作日）", &["法定时限（工作日）", "法定时限", "法定办结时限"]),
    ("承诺时限（工作日）", &["承诺时限（工作日）", "承诺时限", "承诺办结时限"]),
    ("网办深度", &["网办深度"]),
    ("证照分离改革方式", &["证照分离改革方式", "证照分离"]),
    ("划转审批局", &["划转审批局", "是否划转"]),
];

/// The guide's columns (the portal's 办事指南), optional in an import: a file without them
/// leaves the guides as they are. Guide changes do not make a new version of the item.
pub const GUIDE_COLUMNS: &[(&str, &[&str])] =
    &[("办事场景", &["办事场景"]), ("申请材料", &["申请材料"]), ("收费", &["收费", "收费标准"]), ("办理地点", &["办理地点"]), ("在线表单", &["在线表单"])];

/// An item's guide as imported: `None` where the file has no such column.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GuideIn {
    pub life_event: Option<String>,
    pub materials: Option<String>,
    pub fee: Option<String>,
    pub place: Option<String>,
    pub form: Option<String>,
}

/// Read and check a row's guide cells.
fn check_guide(cells: &[String], cols: &[Option<usize>], bad: &mut dyn FnMut(&str, String)) -> GuideIn {
    let get = |k: usize| cols[k].map(|i| cell(cells, i).trim().to_string());
    let life_event = get(0).map(|v| {
        if v.is_empty() {
            return String::new();
        }
        match crate::online::LIFE_EVENTS.iter().find(|(c, l)| *c == v || *l == v) {
            Some((c, _)) => c.to_string(),
            None => {
                bad(GUIDE_COLUMNS[0].0, format!("“{v}”不是办事场景（{}）", crate::online::LIFE_EVENTS.iter().map(|e| e.1).collect::<Vec<_>>().join("、")));
                String::new()
            }
        }
    });
    let materials = get(1).map(|v| v.split(['\n', '；', ';']).map(str::trim).filter(|m| !m.is_empty()).collect::<Vec<_>>().join("\n"));
    let mut short = |k: usize| {
        get(k).inspect(|v| {
            if v.chars().count() > 200 {
                bad(GUIDE_COLUMNS[k].0, format!("{}不超过200字", GUIDE_COLUMNS[k].0));
            }
        })
    };
    let fee = short(2);
    let place = short(3);
    let form = get(4).map(|v| {
        if v.is_empty() {
            return "[]".to_string();
        }
        match serde_json::from_str::<Vec<crate::online::FormField>>(&v) {
            Ok(f) if f.iter().all(|x| !x.name.is_empty() && x.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !x.label.is_empty()) => v,
            _ => {
                bad(GUIDE_COLUMNS[4].0, "在线表单须为 JSON 数组，每项含 name（字母、数字、下划线）、label 和 required".into());
                "[]".to_string()
            }
        }
    });
    GuideIn { life_event, materials, fee, place, form }
}

/// Write the guide cells the file had.
async fn write_guide(tx: &mut crate::db::Tx, id: i64, g: &GuideIn) -> Result<(), AppError> {
    if *g == GuideIn::default() {
        return Ok(());
    }
    q("UPDATE svc_items SET life_event = COALESCE($1, life_event), materials = COALESCE($2, materials), fee = COALESCE($3, fee), place = COALESCE($4, place), form = COALESCE($5, form) WHERE id = $6")
        .bind(g.life_event.clone())
        .bind(g.materials.clone())
        .bind(g.fee.clone())
        .bind(g.place.clone())
        .bind(g.form.clone())
        .bind(id)
        .execute(tx)
        .await
        .map(|_| ())
}

/// The column where a field's error belongs.
fn column_of(field: &str) -> &'static str {
    match field {
        "code" => COLUMNS[0].0,
        "name" => COLUMNS[1].0,
        "kind" => COLUMNS[2].0,
        "org_id" => COLUMNS[3].0,
        "basis" => COLUMNS[4].0,
        "statutory_days" => COLUMNS[5].0,
        "committed_days" => COLUMNS[6].0,
        "online_level" => COLUMNS[7].0,
        "reform_mode" => COLUMNS[8].0,
        _ => "",
    }
}

/// A choice given by its code or its Chinese name; `None` when neither.
fn choice(list: &'static [(&'static str, &'static str)], v: &str) -> Option<&'static str> {
    list.iter().find(|(c, l)| *c == v || *l == v).map(|(c, _)| *c)
}

/// What an import did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub created: usize,
    pub revised: usize,
    pub unchanged: usize,
}

impl ImportReport {
    pub fn summary(&self) -> String {
        format!("导入完成：新增 {} 项，修订 {} 项（生成新版本），未变化 {} 项", self.created, self.revised, self.unchanged)
    }
}

/// A row ready to be written: the item in force (to revise) or none (to add), its unit, the item.
type Planned = (Option<ItemRow>, i64, CheckedItem, GuideIn);

/// Read and check every row; the rows to write, or every problem found.
async fn check_file(state: &AppState, who: &Who, bytes: &[u8]) -> Result<Vec<Planned>, Vec<RowError>> {
    let whole = |e: AppError| vec![RowError::new(0, "", e.user_message())];
    let table = tabular::read(bytes).map_err(whole)?;
    let required = &COLUMNS[..COLUMNS.len() - 1];
    let idx = table.require(required).map_err(whole)?;
    let transferred_col = table.column(COLUMNS[COLUMNS.len() - 1].1);
    let guide_cols: Vec<Option<usize>> = GUIDE_COLUMNS.iter().map(|c| table.column(c.1)).collect();
    if table.rows.is_empty() {
        return Err(vec![RowError::new(0, "", "文件中没有事项")]);
    }
    let types = catalogue::type_codes(&state.db).await.map_err(whole)?;
    let orgs: BTreeMap<String, (i64, String)> =
        crate::org::queries::all(&state.db).await.map_err(whole)?.into_iter().map(|o| (o.code.clone(), (o.id, o.path))).collect();
    let paths: BTreeMap<i64, String> = orgs.values().map(|(id, p)| (*id, p.clone())).collect();
    let known: Vec<ItemRow> = q(format!("SELECT {ITEM_COLS} FROM svc_items")).fetch_all(&state.db).await.map_err(whole)?;
    let existing: BTreeMap<String, ItemRow> = known.into_iter().map(|i| (i.code.clone(), i)).collect();
    let mut errors = Vec::new();
    let mut seen = BTreeSet::new();
    let mut planned = Vec::with_capacity(table.rows.len());
    for (row, cells) in &table.rows {
        let row = *row;
        let v = |i: usize| cell(cells, idx[i]).trim().to_string();
        let mut bad = |col: &str, msg: String| errors.push(RowError::new(row, col, msg));
        let days = |i: usize, bad: &mut dyn FnMut(&str, String)| -> Option<u32> {
            let s = v(i);
            match s.parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    bad(COLUMNS[i].0, format!("“{s}”不是工作日数，须为正整数"));
                    None
                }
            }
        };
        let guide = check_guide(cells, &guide_cols, &mut bad);
        let statutory = days(5, &mut bad);
        let committed = days(6, &mut bad);
        let kind = v(2);
        let level = v(7);
        let mode = v(8);
        let kind_code = choice(rules::KINDS, &kind);
        if kind_code.is_none() {
            bad(COLUMNS[2].0, format!("“{kind}”不是事项类型（{}）", rules::KINDS.iter().map(|k| k.1).collect::<Vec<_>>().join("、")));
        }
        let level_code = choice(rules::ONLINE_LEVELS, &level);
        if level_code.is_none() {
            bad(COLUMNS[7].0, format!("“{level}”不是网办深度（{}）", rules::ONLINE_LEVELS.iter().map(|k| k.1).collect::<Vec<_>>().join("、")));
        }
        let mode_code = if mode.is_empty() { Some("none") } else { choice(rules::MODES, &mode) };
        if mode_code.is_none() {
            bad(COLUMNS[8].0, format!("“{mode}”不是证照分离改革方式（{}）", rules::MODES.iter().map(|k| k.1).collect::<Vec<_>>().join("、")));
        }
        let transferred = match transferred_col.map(|i| cell(cells, i).trim()).unwrap_or("") {
            "" | "否" | "0" | "false" | "FALSE" => false,
            "是" | "1" | "true" | "TRUE" => true,
            other => {
                bad(COLUMNS[9].0, format!("“{other}”须为“是”或“否”"));
                false
            }
        };
        let org = orgs.get(&v(3));
        match org {
            None => bad(COLUMNS[3].0, format!("没有编码为“{}”的单位", v(3))),
            Some((_, path)) if !who.allows(Perm::CASE_HANDLE, path) => bad(COLUMNS[3].0, format!("单位“{}”不在您的管理范围内", v(3))),
            Some(_) => {}
        }
        let code = v(0);
        if !code.is_empty() && !seen.insert(code.clone()) {
            bad(COLUMNS[0].0, format!("事项编码“{code}”在文件中重复"));
        }
        let old = existing.get(&code).cloned();
        if let Some(o) = &old {
            if !paths.get(&o.org_id).is_some_and(|p| who.allows(Perm::CASE_HANDLE, p)) {
                bad(COLUMNS[0].0, format!("事项“{code}”属于其他单位，不能修订"));
            }
        }
        let n = NewItem {
            org_id: org.map(|o| o.0),
            code: Some(code),
            name: Some(v(1)),
            kind: Some(kind_code.unwrap_or("").to_string()),
            basis: Some(v(4)),
            statutory_days: statutory,
            committed_days: committed,
            online_level: Some(level_code.unwrap_or("").to_string()),
            reform_mode: Some(mode_code.unwrap_or("none").to_string()),
            transferred,
        };
        match service::check_item(&n, &types) {
            // Choices and numbers already reported above are not reported twice.
            Err(fes) => {
                for fe in fes {
                    let dup = match fe.field.as_str() {
                        "kind" => kind_code.is_none(),
                        "online_level" => level_code.is_none(),
                        "reform_mode" => mode_code.is_none(),
                        "statutory_days" => statutory.is_none(),
                        "committed_days" => committed.is_none() || statutory.is_none(),
                        _ => false,
                    };
                    if !dup {
                        bad(column_of(&fe.field), fe.message);
                    }
                }
            }
            Ok(item) => {
                if let Some((org_id, _)) = org {
                    planned.push((old, *org_id, item, guide));
                }
            }
        }
    }
    if errors.is_empty() { Ok(planned) } else { Err(errors) }
}

/// Import a catalogue file: every row is checked first; if any is bad nothing is written and
/// every bad row is reported. New codes are added; known codes get a new version when something
/// changed. One transaction.
pub async fn import(state: &AppState, who: &Who, bytes: &[u8]) -> Result<ImportReport, Vec<RowError>> {
    let planned = check_file(state, who, bytes).await?;
    let actor: Actor = who.actor();
    state
        .db
        .write(move |tx| {
            async move {
                let mut r = ImportReport::default();
                for (old, org_id, item, guide) in &planned {
                    let id = match old {
                        None => {
                            r.created += 1;
                            catalogue::insert_item(tx, &actor, *org_id, item).await?
                        }
                        Some(o) => {
                            if catalogue::revise_item(tx, &actor, o, *org_id, item).await? {
                                r.revised += 1;
                            } else {
                                r.unchanged += 1;
                            }
                            o.id
                        }
                    };
                    write_guide(tx, id, guide).await?;
                }
                Ok(r)
            }
            .boxed()
        })
        .await
        .map_err(|e| vec![RowError::new(0, "", e.user_message())])
}

/// The export's header: the import's column names.
pub fn header() -> Vec<String> {
    COLUMNS.iter().chain(GUIDE_COLUMNS).map(|c| c.0.to_string()).collect()
}

/// An item with its guide, as the export reads it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ExportRow {
    #[sqlx(flatten)]
    pub item: ItemRow,
    pub life_event: String,
    pub materials: String,
    pub fee: String,
    pub place: String,
    pub form: String,
}

/// The columns of [`ExportRow`].
pub fn export_cols() -> String {
    format!("{ITEM_COLS}, life_event, materials, fee, place, form")
}

/// One item as an export row (`org_code` is the implementing unit's code).
pub fn export_row(e: &ExportRow, org_code: &str) -> Vec<XCell> {
    let mut r = row(&e.item, org_code);
    r.extend([
        XCell::text(crate::online::LIFE_EVENTS.iter().find(|x| x.0 == e.life_event).map(|x| x.1).unwrap_or("")),
        XCell::text(e.materials.lines().collect::<Vec<_>>().join("；")),
        XCell::text(e.fee.clone()),
        XCell::text(e.place.clone()),
        XCell::text(if e.form == "[]" { String::new() } else { e.form.clone() }),
    ]);
    r
}

/// An item's catalogue columns (without the guide).
pub fn row(i: &ItemRow, org_code: &str) -> Vec<XCell> {
    vec![
        XCell::text(i.code.clone()),
        XCell::text(i.name.clone()),
        XCell::text(rules::label(rules::KINDS, &i.kind)),
        XCell::text(org_code),
        XCell::text(i.basis.clone()),
        XCell::Int(i.statutory_days),
        XCell::Int(i.committed_days),
        XCell::text(rules::label(rules::ONLINE_LEVELS, &i.online_level)),
        XCell::text(rules::label(rules::MODES, &i.reform_mode)),
        XCell::text(yes_no(i.transferred)),
    ]
}

/// The sentence that gives a number of days its working-day meaning.
pub fn working_days_meaning(days: i64) -> String {
    format!(
        "{days}个工作日：按国务院公布的节假日安排计算，不含法定节假日和调休休息日（《中华人民共和国行政许可法》第八十二条）；补正期间及听证、检验、检测、专家评审等所需时间不计入（第三十二条、第四十五条）。ISO 8601 时长 P{days}D 在此按工作日理解，不是日历日。"
    )
}

/// The catalogue as JSON-LD: each item is both a CPSV-AP `PublicService` and a schema.org
/// `GovernmentService`. `units` gives each unit's (code, name).
pub fn jsonld(items: &[ItemRow], units: &BTreeMap<i64, (String, String)>) -> Value {
    let graph: Vec<Value> = items
        .iter()
        .map(|i| {
            let (org_code, org_name) = units.get(&i.org_id).cloned().unwrap_or_default();
            let days = i.committed_days.min(i.statutory_days);
            let org = json!({
                "@id": format!("urn:fazhi:org:{org_code}"),
                "@type": ["cv:PublicOrganisation", "schema:GovernmentOrganization"],
                "dct:identifier": org_code,
                "skos:prefLabel": {"@value": org_name, "@language": "zh"},
                "schema:name": org_name,
            });
            json!({
                "@id": format!("urn:fazhi:service:{}", i.code),
                "@type": ["cpsv:PublicService", "schema:GovernmentService"],
                "dct:identifier": i.code,
                "schema:identifier": i.code,
                "dct:title": {"@value": i.name, "@language": "zh"},
                "schema:name": i.name,
                "dct:type": rules::label(rules::KINDS, &i.kind),
                "schema:serviceType": rules::label(rules::KINDS, &i.kind),
                "cv:hasCompetentAuthority": org.clone(),
                "schema:provider": org,
                "cv:hasLegalResource": {"@type": "eli:LegalResource", "dct:title": {"@value": i.basis, "@language": "zh"}},
                "cv:processingTime": {"@value": format!("P{days}D"), "@type": "xsd:duration"},
                "fazhi:processingTimeMeaning": {"@value": working_days_meaning(days), "@language": "zh"},
                "fazhi:committedWorkingDays": i.committed_days,
                "fazhi:statutoryWorkingDays": i.statutory_days,
                "fazhi:onlineLevel": rules::label(rules::ONLINE_LEVELS, &i.online_level),
                "fazhi:reformMode": rules::label(rules::MODES, &i.reform_mode),
                "fazhi:catalogueVersion": i.version,
                "schema:availableChannel": {
                    "@type": "schema:ServiceChannel",
                    "schema:name": rules::label(rules::ONLINE_LEVELS, &i.online_level),
                },
            })
        })
        .collect();
    json!({
        "@context": {
            "cpsv": "http://purl.org/vocab/cpsv#",
            "cv": "http://data.europa.eu/m8g/",
            "dct": "http://purl.org/dc/terms/",
            "skos": "http://www.w3.org/2004/02/skos/core#",
            "eli": "http://data.europa.eu/eli/ontology#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
            "schema": "https://schema.org/",
            "fazhi": "urn:fazhi:vocab:",
        },
        "@graph": graph,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item() -> ItemRow {
        ItemRow {
            id: 1,
            org_id: 7,
            code: "XK00101000-321084".into(),
            name: "建筑工程施工许可".into(),
            kind: "licence".into(),
            basis: "《中华人民共和国建筑法》第七条".into(),
            statutory_days: 20,
            committed_days: 7,
            online_level: "full_online".into(),
            reform_mode: "optimise".into(),
            transferred: true,
            version: 2,
        }
    }

    #[test]
    fn the_json_ld_states_that_its_days_are_working_days() {
        let units = BTreeMap::from([(7, ("D-ZJJ".to_string(), "住房和城乡建设局".to_string()))]);
        let v = jsonld(&[item()], &units);
        let s = &v["@graph"][0];
        assert_eq!(s["cv:processingTime"]["@value"], "P7D");
        assert_eq!(s["fazhi:committedWorkingDays"], 7);
        assert_eq!(s["fazhi:statutoryWorkingDays"], 20);
        assert!(s["fazhi:processingTimeMeaning"]["@value"].as_str().unwrap().contains("第八十二条"));
        assert_eq!(s["@type"][1], "schema:GovernmentService");
        assert_eq!(s["schema:provider"]["schema:name"], "住房和城乡建设局");
    }

    #[test]
    fn an_export_row_has_the_import_columns_in_order() {
        let r = row(&item(), "D-ZJJ");
        assert_eq!(r.len(), COLUMNS.len());
        let mut bad = Vec::new();
        let cells: Vec<String> = ["开办企业", "营业执照；章程", "不收费", "一楼", r#"[{"name":"x y","label":"坏"}]"#].map(String::from).to_vec();
        let g = check_guide(&cells, &[Some(0), Some(1), Some(2), Some(3), Some(4)], &mut |c: &str, m: String| bad.push((c.to_string(), m)));
        assert_eq!((g.life_event.as_deref(), g.materials.as_deref()), (Some("business"), Some("营业执照\n章程")));
        assert_eq!(bad.len(), 1, "the form's field name is checked: {bad:?}");
        assert_eq!(check_guide(&cells, &[None; 5], &mut |_: &str, _: String| {}), GuideIn::default(), "no columns, no change");
        assert_eq!(choice(rules::MODES, "实行告知承诺"), Some("commitment"));
        assert_eq!(choice(rules::MODES, "commitment"), Some("commitment"));
        assert_eq!(choice(rules::MODES, "告知承诺制"), None);
    }
}
