//! 政府信息公开工作年度报告 (条例 Art. 49–50; layout of 国办公开办函〔2021〕30号 [S]) for any
//! unit or the whole government and any year: table 二 from the publications (figures that no
//! module records yet are entered by hand and marked as such), table 三 from the requests, table
//! 四 entered by hand until the reconsideration and litigation modules exist, the narrative
//! sections written by staff, and the invariants checked. Built on `reports` (document model,
//! HTML with every computed figure linking to its records, DOCX).

use std::collections::BTreeMap;

use futures::FutureExt;
use serde::Serialize;

use super::rules::{APPLICANT_TYPES, OUTCOMES};
use crate::audit::{self, Actor, Changes, NewEvent};
use crate::db::{Db, q};
use crate::error::AppError;
use crate::org::queries::OrgRow;
use crate::reports::{Block, Cell, Document, Figure, Table};
use crate::time::now_ms;

pub const REPORT: &str = "gov_disclosure";

/// Narrative sections: (key, heading, hint).
pub const SECTIONS: &[(&str, &str, &str)] = &[
    ("overall", "一、总体情况", "概述本年度政府信息公开工作的组织领导、主动公开、依申请公开、政府信息管理、平台建设、监督保障等情况"),
    (
        "problems",
        "五、存在的主要问题及改进情况",
        "本年度存在的主要问题及改进措施；人民政府的报告还应当包括工作考核、社会评议和责任追究结果情况（第五十条第（四）项）",
    ),
    ("other", "六、其他需要报告的事项", "包括依据《政府信息公开信息处理费管理办法》收取信息处理费的情况等"),
];

/// Hand-entered cells of table 二: (key, label).
pub const T2_MANUAL: &[(&str, &str)] = &[
    ("t2.license", "行政许可·本年处理决定数量"),
    ("t2.penalty", "行政处罚·本年处理决定数量"),
    ("t2.coercion", "行政强制·本年处理决定数量"),
    ("t2.fees", "行政事业性收费·本年收费金额（万元）"),
];

/// Table 四's columns: (key, label).
pub const T4_COLUMNS: &[(&str, &str)] = &[("kept", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"), ("pending", "尚未审结"), ("total", "总计")];
pub const T4_GROUPS: &[(&str, &str)] = &[("recon", "行政复议"), ("direct", "未经复议直接起诉"), ("after", "复议后起诉")];

/// Counts of requests for one year by applicant type.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Table3 {
    /// row key → applicant type → count. Row keys: received, carried, carried_out, and each
    /// outcome code.
    pub cells: BTreeMap<String, BTreeMap<String, i64>>,
}

impl Table3 {
    pub fn get(&self, row: &str, t: &str) -> i64 {
        self.cells.get(row).and_then(|m| m.get(t)).copied().unwrap_or(0)
    }
    pub fn row_total(&self, row: &str) -> i64 {
        APPLICANT_TYPES.iter().map(|t| self.get(row, t.0)).sum()
    }
    pub fn concluded(&self, t: &str) -> i64 {
        OUTCOMES.iter().map(|o| self.get(o.code, t)).sum()
    }
    pub fn group(&self, g: &str, t: &str) -> i64 {
        OUTCOMES.iter().filter(|o| o.group == g).map(|o| self.get(o.code, t)).sum()
    }
}

#[derive(sqlx::FromRow)]
struct T3Row {
    applicant_type: String,
    received: Option<i64>,
    carried: Option<i64>,
    carried_out: Option<i64>,
}

fn org_filter(query: crate::db::Q, path: &str) -> crate::db::Q {
    query.push_bind(" AND c.org_id IN (SELECT id FROM orgs WHERE path LIKE {} ESCAPE '\\')", format!("{}%", crate::db::dialect::like_escape(path)))
}

/// Compute table 三 for a unit's subtree and a year.
pub async fn table3(db: &Db, path: &str, year: i64) -> Result<Table3, AppError> {
    let (a, b) = (format!("{year:04}-01-01"), format!("{year:04}-12-31"));
    let query = q("SELECT r.applicant_type, CAST(SUM(CASE WHEN r.received_on >= $1 THEN 1 ELSE 0 END) AS BIGINT) AS received, CAST(SUM(CASE WHEN r.received_on < $1 AND (r.concluded_on IS NULL OR r.concluded_on >= $1) THEN 1 ELSE 0 END) AS BIGINT) AS carried, CAST(SUM(CASE WHEN r.concluded_on IS NULL OR r.concluded_on > $2 THEN 1 ELSE 0 END) AS BIGINT) AS carried_out FROM disclosure_requests r JOIN cases c ON c.id = r.case_id WHERE r.received_on <= $2")
        .bind(a.clone())
        .bind(b.clone());
    let rows: Vec<T3Row> = org_filter(query, path).push(" GROUP BY r.applicant_type").fetch_all(db).await?;
    let mut t = Table3::default();
    for r in rows {
        for (k, v) in [("received", r.received), ("carried", r.carried), ("carried_out", r.carried_out)] {
            t.cells.entry(k.into()).or_default().insert(r.applicant_type.clone(), v.unwrap_or(0));
        }
    }
    let query = q("SELECT r.applicant_type, r.outcome, COUNT(*) FROM disclosure_requests r JOIN cases c ON c.id = r.case_id WHERE r.concluded_on >= $1 AND r.concluded_on <= $2 AND r.outcome IS NOT NULL")
        .bind(a)
        .bind(b);
    let rows: Vec<(String, String, i64)> = org_filter(query, path).push(" GROUP BY r.applicant_type, r.outcome").fetch_all(db).await?;
    for (ty, outcome, n) in rows {
        t.cells.entry(outcome).or_default().insert(ty, n);
    }
    Ok(t)
}

/// Table 二's computed figures: normative documents issued, abolished, in force.
#[derive(Clone, Debug, Default, Serialize, sqlx::FromRow)]
pub struct Table2 {
    pub rule_issued: i64,
    pub rule_abolished: i64,
    pub rule_in_force: i64,
    pub norm_issued: i64,
    pub norm_abolished: i64,
    pub norm_in_force: i64,
    pub published: i64,
    pub on_time: i64,
    pub late: i64,
}

pub async fn table2(db: &Db, path: &str, year: i64) -> Result<Table2, AppError> {
    let (a, b) = (format!("{year:04}-01-01"), format!("{year:04}-12-31"));
    let mut sql = String::from("SELECT ");
    for (kind, pre) in [("rule", "rule"), ("normative", "norm")] {
        sql.push_str(&format!(
            "CAST(COALESCE(SUM(CASE WHEN p.doc_kind = '{kind}' AND p.published_on >= $1 AND p.published_on <= $2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS {pre}_issued, \
             CAST(COALESCE(SUM(CASE WHEN p.doc_kind = '{kind}' AND p.abolished_on >= $1 AND p.abolished_on <= $2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS {pre}_abolished, \
             CAST(COALESCE(SUM(CASE WHEN p.doc_kind = '{kind}' AND p.published_on <= $2 AND (p.abolished_on IS NULL OR p.abolished_on > $2) THEN 1 ELSE 0 END), 0) AS BIGINT) AS {pre}_in_force, "
        ));
    }
    sql.push_str("CAST(COALESCE(SUM(CASE WHEN p.published_on >= $1 AND p.published_on <= $2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS published, CAST(COALESCE(SUM(CASE WHEN p.on_time = TRUE AND p.published_on >= $1 AND p.published_on <= $2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS on_time, CAST(COALESCE(SUM(CASE WHEN p.on_time = FALSE AND p.published_on >= $1 AND p.published_on <= $2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS late FROM disclosure_publications p WHERE p.state IN ('published', 'withdrawn')");
    let query = q(sql)
        .bind(a)
        .bind(b)
        .push_bind(" AND p.org_id IN (SELECT id FROM orgs WHERE path LIKE {} ESCAPE '\\')", format!("{}%", crate::db::dialect::like_escape(path)));
    query.fetch_one(db).await
}

/// Hand-entered values and narrative texts.
pub async fn values(db: &Db, org_id: i64, year: i64) -> Result<BTreeMap<String, String>, AppError> {
    let rows: Vec<(String, String)> =
        q("SELECT cell, value FROM report_values WHERE report = $1 AND org_id = $2 AND year = $3").bind(REPORT).bind(org_id).bind(year).fetch_all(db).await?;
    Ok(rows.into_iter().collect())
}

pub async fn texts(db: &Db, org_id: i64, year: i64) -> Result<BTreeMap<String, (String, i64)>, AppError> {
    let rows: Vec<(String, String, i64)> = q("SELECT section, body, version FROM report_texts WHERE report = $1 AND org_id = $2 AND year = $3")
        .bind(REPORT)
        .bind(org_id)
        .bind(year)
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(|(s, b, v)| (s, (b, v))).collect())
}

/// A checked invariant.
#[derive(Clone, Debug, Serialize)]
pub struct Invariant {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

/// Everything the report shows.
pub struct Annual {
    pub org: OrgRow,
    /// The organ in full, as it signs the report (示范市住房和城乡建设局).
    pub issuer: String,
    pub year: i64,
    pub t2: Table2,
    pub t3: Table3,
    pub values: BTreeMap<String, String>,
    pub texts: BTreeMap<String, (String, i64)>,
}

pub async fn load(db: &Db, org: OrgRow, year: i64) -> Result<Annual, AppError> {
    let root = crate::org::queries::root(db).await?;
    Ok(Annual {
        issuer: crate::org::queries::full_name(&org, root.as_ref()),
        t2: table2(db, &org.path, year).await?,
        t3: table3(db, &org.path, year).await?,
        values: values(db, org.id, year).await?,
        texts: texts(db, org.id, year).await?,
        org,
        year,
    })
}

impl Annual {
    fn manual(&self, key: &str) -> Cell {
        match self.values.get(key) {
            Some(v) => Cell::fig(Figure::manual(v.clone())).key(key),
            None => Cell::fig(Figure::missing()).key(key),
        }
    }

    fn req_link(&self, row: &str, t: Option<&str>, outcome: Option<&str>) -> String {
        let mut s = format!("/disclosure/requests?status=all&year={}&org={}&row={row}", self.year, self.org.id);
        if let Some(t) = t {
            s.push_str(&format!("&applicant_type={t}"));
        }
        if let Some(o) = outcome {
            s.push_str(&format!("&outcome={o}"));
        }
        s
    }

    fn pub_link(&self, indicator: &str) -> String {
        format!("/disclosure/publications?year={}&org={}&indicator={indicator}", self.year, self.org.id)
    }

    /// The invariants of table 三 and table 四.
    pub fn invariants(&self) -> Vec<Invariant> {
        let t = &self.t3;
        let mut v = Vec::new();
        for (code, label) in APPLICANT_TYPES.iter().copied().chain([("", "总计")]) {
            let f = |row: &str| if code.is_empty() { t.row_total(row) } else { t.get(row, code) };
            let concluded = if code.is_empty() { APPLICANT_TYPES.iter().map(|x| t.concluded(x.0)).sum() } else { t.concluded(code) };
            let (a, b) = (f("received") + f("carried"), concluded + f("carried_out"));
            v.push(Invariant {
                name: format!("{label}：新收 + 上年结转 = 办结总计 + 结转下年"),
                ok: a == b,
                detail: format!("{} + {} = {}；{} + {} = {}", f("received"), f("carried"), a, concluded, f("carried_out"), b),
            });
        }
        let sum_rows: i64 = OUTCOMES.iter().map(|o| t.row_total(o.code)).sum();
        let sum_cols: i64 = APPLICANT_TYPES.iter().map(|x| t.concluded(x.0)).sum();
        v.push(Invariant {
            name: "办理结果：各行之和 = 各列之和 = 总计".into(),
            ok: sum_rows == sum_cols,
            detail: format!("各行 {sum_rows}，各列 {sum_cols}"),
        });
        for (g, label) in T4_GROUPS {
            let get = |k: &str| self.values.get(&format!("t4.{g}.{k}")).and_then(|s| s.trim().parse::<i64>().ok());
            let parts: Vec<Option<i64>> = ["kept", "corrected", "other", "pending"].iter().map(|k| get(k)).collect();
            match (parts.iter().all(Option::is_some), get("total")) {
                (true, Some(total)) => {
                    let s: i64 = parts.iter().flatten().sum();
                    v.push(Invariant {
                        name: format!("表四{label}：总计 = 四项结果之和"), ok: s == total, detail: format!("四项之和 {s}，总计 {total}")
                    });
                }
                _ => v.push(Invariant { name: format!("表四{label}：总计 = 四项结果之和"), ok: false, detail: "尚未填报完整".into() }),
            }
        }
        v
    }

    /// The report's title: the organ in full, then the year and the report's name on a line of
    /// their own, so that a long name never leaves a word alone on the second line.
    pub fn title(&self) -> String {
        format!("{}\n{}年政府信息公开工作年度报告", self.issuer, self.year)
    }

    /// The title on one line (file names, the page's heading).
    pub fn title_line(&self) -> String {
        self.title().replace('\n', "")
    }

    /// 一、总体情况 written from the figures when the unit has not written its own: what the
    /// tables say, in sentences.
    fn overall_from_figures(&self) -> String {
        let t = &self.t3;
        let concluded: i64 = APPLICANT_TYPES.iter().map(|x| t.concluded(x.0)).sum();
        format!(
            "{}年，{}主动公开政府信息{}条，其中在形成或者变更之日起20个工作日内公开{}条。本年新收政府信息公开申请{}件，上年结转{}件，办结{}件，结转下年度继续办理{}件。",
            self.year,
            self.issuer,
            self.t2.published,
            self.t2.on_time,
            t.row_total("received"),
            t.row_total("carried"),
            concluded,
            t.row_total("carried_out")
        )
    }

    /// The report as a document. `draft`: the page, where an unwritten section says so; an
    /// export carries no placeholder (一 is then written from the figures, 五 and 六 stay empty
    /// under their headings for the unit to fill in).
    pub fn document(&self, draft: bool) -> Document {
        let mut d = Document::default();
        d.push(Block::Title(self.title()));
        let text = |k: &str| self.texts.get(k).map(|t| t.0.clone()).unwrap_or_default();
        d.push(Block::Heading(SECTIONS[0].1.into()));
        if text("overall").trim().is_empty() {
            d.paragraphs(&self.overall_from_figures());
        } else {
            d.paragraphs(&text("overall"));
        }
        d.push(Block::Heading("二、主动公开政府信息情况".into()));
        d.push(Block::Table(self.table_two()));
        // The mark of a figure entered by hand is explained only where one is shown.
        let manual = self.values.iter().any(|(k, v)| k.starts_with("t2.") && !v.trim().is_empty());
        d.push(Block::Note(format!(
            "本年主动公开政府信息 {} 条，其中在形成或者变更之日起20个工作日内公开 {} 条，超期公开 {} 条（《政府信息公开条例》第二十六条）。{}",
            self.t2.published,
            self.t2.on_time,
            self.t2.late,
            if manual { "带 * 的数字为人工填报。" } else { "" }
        )));
        d.push(Block::Heading("三、收到和处理政府信息公开申请情况".into()));
        d.push(Block::Table(self.table_three()));
        d.push(Block::Heading("四、政府信息公开行政复议、行政诉讼情况".into()));
        d.push(Block::Table(self.table_four()));
        if self.values.iter().any(|(k, v)| k.starts_with("t4.") && !v.trim().is_empty()) {
            d.push(Block::Note("带 * 的数字为人工填报。".into()));
        }
        for (k, h, _) in &SECTIONS[1..] {
            d.push(Block::Heading(h.to_string()));
            if !text(k).trim().is_empty() {
                d.paragraphs(&text(k));
            } else if draft {
                d.push(Block::Note("（尚未撰写：请在“编辑”中填写本节）".into()));
            }
        }
        d
    }

    fn table_two(&self) -> Table {
        let t = &self.t2;
        let c = |v: i64, ind: &str, name: &str| Cell::fig(Figure::computed(v, name, Some(self.pub_link(ind))));
        let sec = |s: &str| vec![Cell::head(s).span(4, 1)];
        Table {
            widths: vec![2820, 2000, 2000, 2000],
            rows: vec![
                sec("第二十条第（一）项"),
                vec![Cell::head("信息内容"), Cell::head("本年制发件数"), Cell::head("本年废止件数"), Cell::head("现行有效件数")],
                vec![
                    Cell::label("规章"),
                    c(t.rule_issued, "normative_issued", "本年制发规章"),
                    c(t.rule_abolished, "abolished", "本年废止规章"),
                    c(t.rule_in_force, "in_force", "现行有效规章"),
                ],
                vec![
                    Cell::label("行政规范性文件"),
                    c(t.norm_issued, "normative_issued", "本年制发行政规范性文件"),
                    c(t.norm_abolished, "abolished", "本年废止行政规范性文件"),
                    c(t.norm_in_force, "in_force", "现行有效行政规范性文件"),
                ],
                sec("第二十条第（五）项"),
                vec![Cell::head("信息内容"), Cell::head("本年处理决定数量").span(3, 1)],
                vec![Cell::label("行政许可"), self.manual("t2.license").span(3, 1)],
                sec("第二十条第（六）项"),
                vec![Cell::head("信息内容"), Cell::head("本年处理决定数量").span(3, 1)],
                vec![Cell::label("行政处罚"), self.manual("t2.penalty").span(3, 1)],
                vec![Cell::label("行政强制"), self.manual("t2.coercion").span(3, 1)],
                sec("第二十条第（八）项"),
                vec![Cell::head("信息内容"), Cell::head("本年收费金额（单位：万元）").span(3, 1)],
                vec![Cell::label("行政事业性收费"), self.manual("t2.fees").span(3, 1)],
            ],
        }
    }

    fn table_three(&self) -> Table {
        let t = &self.t3;
        let mut rows = vec![
            vec![Cell::head("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）").span(3, 3), Cell::head("申请人情况").span(7, 1)],
            vec![Cell::head("自然人").span(1, 2), Cell::head("法人或其他组织").span(5, 1), Cell::head("总计").span(1, 2)],
            APPLICANT_TYPES[1..].iter().map(|x| Cell::head(x.1)).collect(),
        ];
        let figs = |row: &str, outcome: Option<&str>, name: &str, f: &dyn Fn(&str) -> i64, total: i64| -> Vec<Cell> {
            let mut v: Vec<Cell> = APPLICANT_TYPES
                .iter()
                .map(|x| Cell::fig(Figure::computed(f(x.0), format!("{name}·{}", x.1), Some(self.req_link(row, Some(x.0), outcome)))))
                .collect();
            v.push(Cell::fig(Figure::computed(total, format!("{name}·总计"), Some(self.req_link(row, None, outcome)))));
            v
        };
        let mut r = vec![Cell::label("一、本年新收政府信息公开申请数量").span(3, 1)];
        r.extend(figs("received", None, "本年新收", &|x| t.get("received", x), t.row_total("received")));
        rows.push(r);
        let mut r = vec![Cell::label("二、上年结转政府信息公开申请数量").span(3, 1)];
        r.extend(figs("carried", None, "上年结转", &|x| t.get("carried", x), t.row_total("carried")));
        rows.push(r);
        // 三、本年度办理结果: 21 outcome rows + 总计 = 22 rows under one label.
        let result_rows = OUTCOMES.len() as u32 + 1;
        let mut first = true;
        let mut i = 0;
        while i < OUTCOMES.len() {
            let o = &OUTCOMES[i];
            let group: Vec<&super::rules::Outcome> = OUTCOMES.iter().filter(|x| x.group == o.group).collect();
            for (k, sub) in group.iter().enumerate() {
                let mut r = Vec::new();
                if first {
                    r.push(Cell::label("三、本年度办理结果").span(1, result_rows));
                    first = false;
                }
                if sub.label.is_empty() {
                    r.push(Cell::label(sub.group_label).span(2, 1));
                } else {
                    if k == 0 {
                        r.push(Cell::label(sub.group_label).span(1, group.len() as u32));
                    }
                    r.push(Cell::label(sub.label));
                }
                let code = sub.code;
                r.extend(figs("concluded", Some(code), sub.label, &|x| t.get(code, x), t.row_total(code)));
                rows.push(r);
            }
            i += group.len();
        }
        let mut r = vec![Cell::label("（七）总计").span(2, 1)];
        let total: i64 = APPLICANT_TYPES.iter().map(|x| t.concluded(x.0)).sum();
        r.extend(figs("concluded", None, "办理结果总计", &|x| t.concluded(x), total));
        rows.push(r);
        let mut r = vec![Cell::label("四、结转下年度继续办理").span(3, 1)];
        r.extend(figs("carried_out", None, "结转下年", &|x| t.get("carried_out", x), t.row_total("carried_out")));
        rows.push(r);
        let mut widths = vec![560, 1180, 2320];
        widths.extend(std::iter::repeat_n(680, 7));
        Table { widths, rows }
    }

    fn table_four(&self) -> Table {
        let mut rows = vec![
            vec![Cell::head("行政复议").span(5, 1), Cell::head("行政诉讼").span(10, 1)],
            {
                let mut r: Vec<Cell> = T4_COLUMNS.iter().map(|c| Cell::head(c.1).span(1, 2)).collect();
                r.push(Cell::head("未经复议直接起诉").span(5, 1));
                r.push(Cell::head("复议后起诉").span(5, 1));
                r
            },
            T4_COLUMNS.iter().chain(T4_COLUMNS.iter()).map(|c| Cell::head(c.1)).collect(),
        ];
        let mut r = Vec::new();
        for (g, _) in T4_GROUPS {
            for (c, _) in T4_COLUMNS {
                r.push(self.manual(&format!("t4.{g}.{c}")));
            }
        }
        rows.push(r);
        Table { widths: std::iter::repeat_n(588, 15).collect(), rows }
    }
}

/// Every hand-entered cell: (key, label).
pub fn manual_cells() -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = T2_MANUAL.iter().map(|(k, l)| (k.to_string(), format!("表二 {l}"))).collect();
    for (g, gl) in T4_GROUPS {
        for (c, cl) in T4_COLUMNS {
            v.push((format!("t4.{g}.{c}"), format!("表四 {gl}·{cl}")));
        }
    }
    v
}

/// Save hand-entered values and narrative sections (one event).
pub async fn save(
    db: &Db,
    actor: Actor,
    user: i64,
    org_id: i64,
    year: i64,
    values: Vec<(String, String)>,
    sections: Vec<(String, String, Option<i64>)>,
) -> Result<(), AppError> {
    let mut errors = Vec::new();
    let allowed = manual_cells();
    for (k, v) in &values {
        if !allowed.iter().any(|a| &a.0 == k) {
            errors.push(crate::error::FieldError::new(k.clone(), "unknown_cell", "没有这个填报项"));
        } else if !v.trim().is_empty() {
            let ok = if k == "t2.fees" { v.trim().parse::<f64>().is_ok_and(|x| x >= 0.0) } else { v.trim().parse::<i64>().is_ok_and(|x| x >= 0) };
            if !ok {
                errors.push(crate::error::FieldError::new(
                    k.clone(),
                    "not_a_number",
                    if k == "t2.fees" { "收费金额应为非负数（万元）" } else { "应为非负整数" },
                ));
            }
        }
    }
    for (s, body, _) in &sections {
        if !SECTIONS.iter().any(|x| x.0 == s) {
            errors.push(crate::error::FieldError::new(s.clone(), "unknown_section", "没有这个章节"));
        } else if body.chars().count() > 20000 {
            errors.push(crate::error::FieldError::new(s.clone(), "too_long", "每个章节不超过 20000 字"));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    db.write(move |tx| {
        async move {
            let now = now_ms();
            let mut changes = Changes::new();
            for (k, v) in values {
                let old: Option<(String,)> = q("SELECT value FROM report_values WHERE report = $1 AND org_id = $2 AND year = $3 AND cell = $4")
                    .bind(REPORT)
                    .bind(org_id)
                    .bind(year)
                    .bind(k.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                let v = v.trim().to_string();
                if v.is_empty() {
                    q("DELETE FROM report_values WHERE report = $1 AND org_id = $2 AND year = $3 AND cell = $4").bind(REPORT).bind(org_id).bind(year).bind(k.as_str()).execute(&mut *tx).await?;
                } else {
                    q("INSERT INTO report_values (report, org_id, year, cell, value, updated_at, updated_by) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (report, org_id, year, cell) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by")
                        .bind(REPORT)
                        .bind(org_id)
                        .bind(year)
                        .bind(k.as_str())
                        .bind(v.as_str())
                        .bind(now)
                        .bind(user)
                        .execute(&mut *tx)
                        .await?;
                }
                changes = changes.set(&k, old.map(|o| o.0), if v.is_empty() { None } else { Some(v) });
            }
            for (s, body, seen) in sections {
                let old: Option<(String, i64)> = q("SELECT body, version FROM report_texts WHERE report = $1 AND org_id = $2 AND year = $3 AND section = $4")
                    .bind(REPORT)
                    .bind(org_id)
                    .bind(year)
                    .bind(s.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                if let (Some((_, v)), Some(seen)) = (&old, seen) {
                    if *v != seen {
                        return Err(AppError::stale());
                    }
                }
                if old.as_ref().map(|o| o.0.as_str()) == Some(body.as_str()) {
                    continue;
                }
                q("INSERT INTO report_texts (report, org_id, year, section, body, version, updated_at, updated_by) VALUES ($1,$2,$3,$4,$5,1,$6,$7) ON CONFLICT (report, org_id, year, section) DO UPDATE SET body = excluded.body, version = report_texts.version + 1, updated_at = excluded.updated_at, updated_by = excluded.updated_by")
                    .bind(REPORT)
                    .bind(org_id)
                    .bind(year)
                    .bind(s.as_str())
                    .bind(body.as_str())
                    .bind(now)
                    .bind(user)
                    .execute(&mut *tx)
                    .await?;
                changes = changes.set(&format!("章节 {s}"), old.map(|o| o.0), &body);
            }
            if !changes.is_empty() {
                audit::record(tx, &actor, NewEvent::new("disclosure_report", org_id, "edit", format!("编辑{year}年政府信息公开工作年度报告")).changes(changes)).await?;
            }
            Ok(())
        }
        .boxed()
    })
    .await
}
