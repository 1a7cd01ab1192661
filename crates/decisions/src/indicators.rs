//! Normative documents' figures in the indicator registry: documents issued, reviewed for
//! legality before issue, filed (备案) and filed on time, and cleanup outcomes (seed 三: 150
//! kept, 46 repealed or expired, 17 amended, 30 republished). Each is one SQL aggregate over the
//! records within the reader's scope, and the records behind a value are listed by the same
//! condition.

use std::sync::LazyLock;

use futures::FutureExt;
use futures::future::BoxFuture;

use crate::db::{Q, q};
use crate::error::AppError;
use crate::registry_indicators::{Block, Cell, Dimension, Evaluation, Indicator, Meta, Params, Part, RecordRef, Unit, dims, org_names};
use crate::rules::CLEANUP_OUTCOMES;
use crate::state::AppState;
use crate::web::pagination::{Page, Paging};

pub const OUTCOME: Dimension = Dimension { code: "outcome", label: "清理结论" };
const DOC_DIMS: &[Dimension] = &[dims::ORG];
const CLEANUP_DIMS: &[Dimension] = &[dims::ORG, OUTCOME];
const OWNER: &str = "司法局（规范性文件审核、备案与清理）";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Docs,
    Cleanups,
}

pub struct NormdocIndicator {
    meta: Meta,
    source: Source,
    /// The date that puts a record in the period.
    period: &'static str,
    base: &'static str,
    numerator: &'static str,
    denominator: Option<&'static str>,
}

/// Published: numbered and published through the procedure (the state has passed 公布).
const PUBLISHED: &str = "d.published_on IS NOT NULL";

static ALL: LazyLock<Vec<NormdocIndicator>> = LazyLock::new(|| {
    let m = |code, name, definition, numerator, denominator, unit, basis, dims| Meta {
        code,
        name,
        block: Block::Rules,
        definition,
        numerator,
        denominator,
        unit,
        basis,
        owner: OWNER,
        procedure: Some(crate::rules::CODE),
        dims,
    };
    let doc = |meta, numerator, denominator, period| NormdocIndicator { meta, source: Source::Docs, period, base: PUBLISHED, numerator, denominator };
    let cleanup = |meta, numerator| NormdocIndicator { meta, source: Source::Cleanups, period: "k.decided_on", base: "1=1", numerator, denominator: None };
    vec![
        doc(
            m(
                "normdoc.issued",
                "制发行政规范性文件数",
                "期间内统一登记、编号并公布的行政规范性文件，按公布日期计",
                "公布的规范性文件",
                None,
                Unit::Count,
                "《地方组织法》第七十五条",
                DOC_DIMS,
            ),
            "1=1",
            None,
            "d.published_on",
        ),
        doc(
            m(
                "normdoc.legality_reviewed",
                "规范性文件合法性审核数",
                "期间内公布、且公布前经合法性审核通过的行政规范性文件（合法性审核率的分子）",
                "经合法性审核的规范性文件",
                Some("公布的规范性文件"),
                Unit::Percent,
                "《地方组织法》第七十五条：合法性审查；国办发〔2018〕115号",
                DOC_DIMS,
            ),
            "d.review_result = 'pass'",
            Some("1=1"),
            "d.published_on",
        ),
        doc(
            m(
                "normdoc.filed_rate",
                "规范性文件报备率",
                "期间内公布的行政规范性文件中已报送备案的 ÷ 公布的规范性文件（示范指标体系：100%）",
                "已报送备案的",
                Some("公布的规范性文件"),
                Unit::Percent,
                "《地方组织法》第七十五条；市县法治政府建设示范指标体系第27项",
                DOC_DIMS,
            ),
            "d.filed_on IS NOT NULL",
            Some("1=1"),
            "d.published_on",
        ),
        doc(
            m(
                "normdoc.filed_on_time_rate",
                "规范性文件报备及时率",
                "在备案期限（公布之日起30日，本地默认值可配置）内报送的 ÷ 期间内公布且已报送备案的规范性文件",
                "按期报送备案的",
                Some("已报送备案的"),
                Unit::Percent,
                "江苏省行政规范性文件管理规定（本地默认30日）；示范指标体系第27项",
                DOC_DIMS,
            ),
            "d.filed_on_time = TRUE",
            Some("d.filed_on IS NOT NULL"),
            "d.published_on",
        ),
        cleanup(
            m(
                "normdoc.cleanup",
                "规范性文件清理数",
                "期间内作出清理结论的规范性文件，按清理结论（继续保留、修改、废止、失效、重新公布）分组",
                "作出清理结论的规范性文件",
                None,
                Unit::Count,
                "国办发〔2018〕37号：定期清理并公布结果",
                CLEANUP_DIMS,
            ),
            "1=1",
        ),
        cleanup(
            m(
                "normdoc.cleanup_ended",
                "清理废止、失效的规范性文件数",
                "期间内经清理决定废止或宣布失效的规范性文件",
                "废止或失效的规范性文件",
                None,
                Unit::Count,
                "国办发〔2018〕37号",
                DOC_DIMS,
            ),
            "k.outcome IN ('repeal', 'expire')",
        ),
    ]
});

/// The indicators of normative documents, for `Feature::indicators`.
pub fn all() -> Vec<&'static dyn Indicator> {
    ALL.iter().map(|i| i as &dyn Indicator).collect()
}

impl NormdocIndicator {
    fn tables(&self) -> &'static str {
        match self.source {
            Source::Docs => " FROM normdocs d JOIN cases c ON c.id = d.case_id",
            Source::Cleanups => " FROM normdoc_cleanups k JOIN normdocs d ON d.case_id = k.case_id JOIN cases c ON c.id = k.case_id",
        }
    }

    fn group_column(&self, dim: &str) -> &'static str {
        match dim {
            "org" => "c.org_id",
            "outcome" if self.source == Source::Cleanups => "k.outcome",
            _ => "''",
        }
    }

    fn selection(&self, p: &Params) -> Q {
        let w = q(format!("{} WHERE {} AND {} >= $1 AND {} <= $2", self.tables(), self.base, self.period, self.period)).bind(p.from_str()).bind(p.to_str());
        p.scope.filter(w, "c.org_id")
    }

    async fn eval(&self, state: &AppState, p: &Params) -> Result<Evaluation, AppError> {
        let dim = p.by.map(|d| d.code).unwrap_or("");
        let group = if dim.is_empty() { "CAST('' AS TEXT)".to_string() } else { format!("CAST({} AS TEXT)", self.group_column(dim)) };
        let den = self.denominator.unwrap_or("1=0");
        let w = self.selection(p);
        let mut query = q(format!(
            "SELECT {group} AS k, CAST(SUM(CASE WHEN {} THEN 1 ELSE 0 END) AS BIGINT), CAST(SUM(CASE WHEN {den} THEN 1 ELSE 0 END) AS BIGINT){}",
            self.numerator,
            w.sql()
        ));
        for a in w.args() {
            query = query.bind(a.clone());
        }
        if !dim.is_empty() {
            query = query.push(&format!(" GROUP BY {group}"));
        }
        let rows: Vec<(String, Option<i64>, Option<i64>)> = query.fetch_all(&state.db).await?;
        let has_den = self.denominator.is_some();
        let (n, d) = rows.iter().fold((0, 0), |(n, d), r| (n + r.1.unwrap_or(0), d + r.2.unwrap_or(0)));
        let groups = if dim.is_empty() {
            vec![]
        } else {
            let labels: std::collections::HashMap<String, String> = match dim {
                "org" => {
                    let ids: Vec<i64> = rows.iter().filter_map(|r| r.0.parse().ok()).collect();
                    org_names(state, &ids).await?.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
                }
                _ => CLEANUP_OUTCOMES.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            };
            let mut g: Vec<Cell> = rows
                .into_iter()
                .filter(|r| r.1.unwrap_or(0) > 0 || r.2.unwrap_or(0) > 0)
                .map(|(k, n, d)| Cell {
                    label: labels.get(&k).cloned().unwrap_or_else(|| k.clone()),
                    key: Some(k),
                    numerator: n.unwrap_or(0),
                    denominator: has_den.then(|| d.unwrap_or(0)),
                })
                .collect();
            g.sort_by(|a, b| b.numerator.cmp(&a.numerator).then(a.label.cmp(&b.label)));
            g
        };
        Ok(Evaluation { total: Cell::total(n, has_den.then_some(d)), groups })
    }

    async fn list(&self, state: &AppState, p: &Params, key: Option<&str>, part: Part, paging: Paging) -> Result<Page<RecordRef>, AppError> {
        let cond = match part {
            Part::Denominator => self.denominator.unwrap_or(self.numerator),
            Part::Numerator => self.numerator,
        };
        let mut w = self.selection(p).push(&format!(" AND {cond}"));
        if let (Some(k), Some(d)) = (key, p.by) {
            w = w.push_bind(&format!(" AND CAST({} AS TEXT) = {{}}", self.group_column(d.code)), k.to_string());
        }
        let cols = format!("c.id, COALESCE(d.doc_no, c.case_no), d.title, c.org_id, COALESCE({}, '')", self.period);
        let order = format!(" ORDER BY {} DESC, c.id DESC LIMIT {} OFFSET {}", self.period, paging.per(), paging.offset());
        let mut lq = q(format!("SELECT {cols}{}{order}", w.sql()));
        let mut cq = q(format!("SELECT COUNT(*){}", w.sql()));
        for a in w.args() {
            lq = lq.bind(a.clone());
            cq = cq.bind(a.clone());
        }
        let rows: Vec<(i64, String, String, i64, String)> = lq.fetch_all(&state.db).await?;
        let total = cq.fetch_i64(&state.db).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.3).collect();
        let names = org_names(state, &ids).await?;
        let items = rows
            .into_iter()
            .map(|(id, number, title, org, date)| RecordRef {
                url: format!("/decisions/normdocs/{id}"),
                number,
                unit: names.get(&org).cloned().unwrap_or_default(),
                id,
                title,
                date,
            })
            .collect();
        Ok(Page::new(items, &paging, total))
    }
}

impl Indicator for NormdocIndicator {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn evaluate<'a>(&'a self, state: &'a AppState, p: &'a Params) -> BoxFuture<'a, Result<Evaluation, AppError>> {
        self.eval(state, p).boxed()
    }
    fn records<'a>(
        &'a self,
        state: &'a AppState,
        p: &'a Params,
        key: Option<&'a str>,
        part: Part,
        paging: Paging,
    ) -> BoxFuture<'a, Result<Page<RecordRef>, AppError>> {
        self.list(state, p, key, part, paging).boxed()
    }
}
