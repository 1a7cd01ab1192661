//! 督察 and rectification figures in the indicator registry (示范指标体系, 组织领导: 督察发现的
//! 问题、按期整改、回头看重新打开): findings, findings rectified (verified and closed), reported
//! on time, and reopened. Each is one SQL aggregate over the records within the reader's scope,
//! and the records behind a value are listed by the same condition.

use std::sync::LazyLock;

use futures::FutureExt;
use futures::future::BoxFuture;

use crate::db::{Q, q};
use crate::error::AppError;
use crate::registry_indicators::{Block, Cell, Dimension, Evaluation, Indicator, Meta, Params, Part, RecordRef, Unit, dims, org_names};
use crate::rules::KINDS;
use crate::state::AppState;
use crate::web::pagination::{Page, Paging};

pub const KIND: Dimension = Dimension { code: "kind", label: "督察类型" };
const DIMS: &[Dimension] = &[dims::ORG, KIND];
const OWNER: &str = "依法治市办（司法局，法治督察）";
const BASIS: &str = "《法治政府建设与责任落实督察工作规定》（厅字〔2019〕28号）";

pub struct RectIndicator {
    meta: Meta,
    /// The date that puts a record in the period: the day the finding was made.
    period: &'static str,
    base: &'static str,
    numerator: &'static str,
    denominator: Option<&'static str>,
}

/// Rectified: verified by the inspecting office (closed, or confirmed by the 回头看).
const RECTIFIED: &str = "c.state IN ('closed', 'confirmed')";

static ALL: LazyLock<Vec<RectIndicator>> = LazyLock::new(|| {
    let m = |code, name, definition, numerator, denominator, unit| Meta {
        code,
        name,
        block: Block::Leadership,
        definition,
        numerator,
        denominator,
        unit,
        basis: BASIS,
        owner: OWNER,
        procedure: Some(crate::rules::CODE),
        dims: DIMS,
    };
    let ind = |meta, numerator, denominator| RectIndicator { meta, period: "r.found_on", base: "c.state <> 'withdrawn'", numerator, denominator };
    vec![
        ind(
            m(
                "rectification.findings",
                "督察发现问题数",
                "期间内督察（含专项督察、回头看）发现并登记的问题，撤销的除外，按发现日期计",
                "发现的问题",
                None,
                Unit::Count,
            ),
            "1=1",
            None,
        ),
        ind(
            m(
                "rectification.rectified_rate",
                "督察问题整改完成率",
                "期间内发现的问题中经督察单位核验销号的 ÷ 发现的问题",
                "核验销号的",
                Some("发现的问题"),
                Unit::Percent,
            ),
            RECTIFIED,
            Some("1=1"),
        ),
        ind(
            m(
                "rectification.on_time_rate",
                "督察问题按期整改率",
                "在整改期限内报告整改情况的 ÷ 已报告整改情况的问题（整改期限为本地默认60日，可配置）",
                "按期报告的",
                Some("已报告整改的"),
                Unit::Percent,
            ),
            "r.reported_late = FALSE",
            Some("r.reported_on IS NOT NULL"),
        ),
        ind(
            m(
                "rectification.reopened",
                "核验退回或回头看重新打开的问题数",
                "期间内发现的问题中，至少一次核验未通过或经回头看重新打开的",
                "重新整改的问题",
                None,
                Unit::Count,
            ),
            "r.reopened > 0",
            None,
        ),
    ]
});

/// The indicators of rectification, for `Feature::indicators`.
pub fn all() -> Vec<&'static dyn Indicator> {
    ALL.iter().map(|i| i as &dyn Indicator).collect()
}

impl RectIndicator {
    fn tables(&self) -> &'static str {
        " FROM rectifications r JOIN cases c ON c.id = r.case_id"
    }

    fn group_column(&self, dim: &str) -> &'static str {
        match dim {
            "org" => "c.org_id",
            "kind" => "r.kind",
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
                _ => KINDS.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
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
        let cols = format!("c.id, c.case_no, c.title, c.org_id, COALESCE({}, '')", self.period);
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
                url: format!("/accountability/rectifications/{id}"),
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

impl Indicator for RectIndicator {
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
