//! Enforcement figures in the indicator registry (LEGAL-RULES §3(d)): penalty cases registered,
//! decided within the statutory period, legally reviewed where Art. 58 requires it, decisions
//! disclosed on time, and the hearing rate. Each is one SQL aggregate over the records within
//! the reader's scope (the facts recorded at each step, not recomputed), and the records behind
//! a value are listed by the same condition.

use std::sync::LazyLock;

use futures::FutureExt;
use futures::future::BoxFuture;

use crate::db::{Q, q};
use crate::error::AppError;
use crate::registry_indicators::{Block, Cell, Dimension, Evaluation, Indicator, Meta, Params, Part, RecordRef, Unit, dims, org_names};
use crate::rules::FIELDS;
use crate::state::AppState;
use crate::web::pagination::{Page, Paging};

pub const FIELD: Dimension = Dimension { code: "field", label: "执法领域" };
const DIMS: &[Dimension] = &[dims::ORG, FIELD];
const OWNER: &str = "司法局（行政执法协调监督）";

pub struct EnfIndicator {
    meta: Meta,
    /// The date that puts a record in the period.
    period: &'static str,
    base: &'static str,
    numerator: &'static str,
    denominator: Option<&'static str>,
}

static ALL: LazyLock<Vec<EnfIndicator>> = LazyLock::new(|| {
    let m = |code, name, definition, numerator, denominator, unit, basis| Meta {
        code,
        name,
        block: Block::Enforcement,
        definition,
        numerator,
        denominator,
        unit,
        basis,
        owner: OWNER,
        procedure: Some(crate::rules::CODE),
        dims: DIMS,
    };
    let ind = |meta, period, base, numerator, denominator| EnfIndicator { meta, period, base, numerator, denominator };
    vec![
        ind(
            m(
                "enf.cases_registered",
                "行政处罚立案数",
                "期间内立案的行政处罚案件（普通程序），按立案日期计",
                "立案的案件",
                None,
                Unit::Count,
                "《行政处罚法》第五十四条",
            ),
            "d.registered_on",
            "1=1",
            "1=1",
            None,
        ),
        ind(
            m(
                "enf.decided_in_time_rate",
                "按期作出处罚决定率",
                "期间内作出决定的案件中，在立案之日起九十日（含经批准的延长）内作出的 ÷ 作出决定的案件",
                "按期作出决定的",
                Some("作出决定的案件"),
                Unit::Percent,
                "《行政处罚法》第六十条",
            ),
            "d.decided_on",
            "d.decided_on IS NOT NULL",
            "d.decided_in_time = TRUE",
            Some("1=1"),
        ),
        ind(
            m(
                "enf.legal_review_coverage",
                "重大执法决定法制审核率",
                "期间内作出决定、依第五十八条应当法制审核的案件中，经审核通过后作出决定的 ÷ 应当审核的案件（目标100%）",
                "经法制审核通过的",
                Some("应当法制审核的案件"),
                Unit::Percent,
                "《行政处罚法》第五十八条；国办发〔2018〕118号",
            ),
            "d.decided_on",
            "d.review_required = TRUE",
            "d.review_result = 'pass'",
            Some("1=1"),
        ),
        ind(
            m(
                "enf.disclosed_on_time_rate",
                "处罚决定按期公示率",
                "期间内作出的处罚决定中，自决定之日起7个工作日内公示的 ÷ 作出的处罚决定",
                "按期公示的",
                Some("作出的处罚决定"),
                Unit::Percent,
                "国办发〔2018〕118号（行政处罚决定7个工作日内公开）",
            ),
            "d.decided_on",
            "d.decided_on IS NOT NULL",
            "d.disclosed_on_time = TRUE",
            Some("1=1"),
        ),
        ind(
            m(
                "enf.hearing_rate",
                "听证率",
                "期间内告知听证权利的案件中，举行了听证的 ÷ 告知听证权利的案件",
                "举行听证的",
                Some("告知听证权利的案件"),
                Unit::Percent,
                "《行政处罚法》第六十三条、第六十四条",
            ),
            "d.notified_on",
            "d.hearing_right = TRUE",
            "d.hearing_held_on IS NOT NULL",
            Some("1=1"),
        ),
    ]
});

/// The indicators of enforcement, for `Feature::indicators`.
pub fn all() -> Vec<&'static dyn Indicator> {
    ALL.iter().map(|i| i as &dyn Indicator).collect()
}

impl EnfIndicator {
    fn tables(&self) -> &'static str {
        " FROM enf_cases d JOIN cases c ON c.id = d.case_id"
    }

    fn group_column(&self, dim: &str) -> &'static str {
        match dim {
            "org" => "c.org_id",
            "field" => "d.field",
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
                _ => FIELDS.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
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
        let cols = format!("c.id, COALESCE(d.decision_no, c.case_no), d.title, c.org_id, COALESCE({}, '')", self.period);
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
                url: crate::rules::PROCEDURE.case_url(id),
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

impl Indicator for EnfIndicator {
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
