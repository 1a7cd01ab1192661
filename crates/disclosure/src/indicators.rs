//! 政务公开's figures in the indicator registry: proactive publication (how much, how much within
//! the 20 working days of Art. 26) and disclosure on application (received, concluded by
//! outcome and by applicant type — the margins of the annual report's table 三 — and replied on
//! time). Each is one SQL aggregate over the records within the reader's scope, and the records
//! behind any value are listed by the same condition.

use std::sync::LazyLock;

use futures::FutureExt;
use futures::future::BoxFuture;

use crate::db::{Q, q};
use crate::error::AppError;
use crate::registry_indicators::{Block, Cell, Dimension, Evaluation, Indicator, Meta, Params, Part, RecordRef, Unit, dims, org_names};
use crate::rules::{APPLICANT_TYPES, OUTCOMES, applicant_type_label};
use crate::state::AppState;
use crate::web::{Page, Paging};

/// The annual report's outcome rows as a dimension.
pub const OUTCOME: Dimension = Dimension { code: "outcome", label: "答复结果" };
const APPLICANT: Dimension = Dimension { code: "type", label: "申请人类型" };
const REQUEST_DIMS: &[Dimension] = &[dims::ORG, APPLICANT];
const CONCLUDED_DIMS: &[Dimension] = &[dims::ORG, APPLICANT, OUTCOME];
const PUBLICATION_DIMS: &[Dimension] = &[dims::ORG, dims::CATEGORY];
const OWNER: &str = "政务公开（各机关政府信息公开工作机构；本级人民政府办公室主管）";

/// Which records an indicator counts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Requests,
    Publications,
}

pub struct DisclosureIndicator {
    meta: Meta,
    source: Source,
    /// The date that puts a record in the period.
    period: &'static str,
    /// The condition of the records counted (beside the period).
    base: &'static str,
    numerator: &'static str,
    denominator: Option<&'static str>,
}

static ALL: LazyLock<Vec<DisclosureIndicator>> = LazyLock::new(|| {
    let m = |code, name, block, definition, numerator, denominator, unit, basis, dims| Meta {
        code,
        name,
        block,
        definition,
        numerator,
        denominator,
        unit,
        basis,
        owner: OWNER,
        procedure: Some("disclosure"),
        dims,
    };
    vec![
        DisclosureIndicator {
            meta: m(
                "disclosure.published",
                "主动公开政府信息数",
                Block::Oversight,
                "期间内发布（含其后撤回）的主动公开政府信息条数，按发布日期计",
                "发布的政府信息",
                None,
                Unit::Count,
                "《政府信息公开条例》第十九条至第二十六条",
                PUBLICATION_DIMS,
            ),
            source: Source::Publications,
            period: "p.published_on",
            base: "p.state IN ('published', 'withdrawn')",
            numerator: "1=1",
            denominator: None,
        },
        DisclosureIndicator {
            meta: m(
                "disclosure.published_on_time_rate",
                "主动公开及时率",
                Block::Oversight,
                "自政府信息形成或者变更之日起 20 个工作日内公开的 ÷ 期间内发布的主动公开信息",
                "20 个工作日内公开的政府信息",
                Some("发布的政府信息"),
                Unit::Percent,
                "《政府信息公开条例》第二十六条：20 个工作日内及时公开",
                PUBLICATION_DIMS,
            ),
            source: Source::Publications,
            period: "p.published_on",
            base: "p.state IN ('published', 'withdrawn')",
            numerator: "p.on_time = TRUE",
            denominator: Some("1=1"),
        },
        DisclosureIndicator {
            meta: m(
                "disclosure.requests_received",
                "政府信息公开申请新收数",
                Block::Oversight,
                "期间内收到的政府信息公开申请（年度报告表三“本年新收政府信息公开申请数量”），按收到申请之日计",
                "收到的申请",
                None,
                Unit::Count,
                "《政府信息公开条例》第五十条；国办公开办函〔2021〕30号 表三",
                REQUEST_DIMS,
            ),
            source: Source::Requests,
            period: "r.received_on",
            base: "1=1",
            numerator: "1=1",
            denominator: None,
        },
        DisclosureIndicator {
            meta: m(
                "disclosure.requests_concluded",
                "政府信息公开申请办结数",
                Block::Oversight,
                "期间内作出答复或以其他方式办结的申请（年度报告表三“本年度办理结果”各项之和），按办结之日计",
                "办结的申请",
                None,
                Unit::Count,
                "《政府信息公开条例》第三十六条；国办公开办函〔2021〕30号 表三",
                CONCLUDED_DIMS,
            ),
            source: Source::Requests,
            period: "r.concluded_on",
            base: "r.outcome IS NOT NULL",
            numerator: "1=1",
            denominator: None,
        },
        DisclosureIndicator {
            meta: m(
                "disclosure.reply_on_time_rate",
                "依申请公开按时答复率",
                Block::Oversight,
                "在法定期限（含依法延长、不计第三方征求意见和补正时间）内答复的 ÷ 期间内办结的申请",
                "按时答复的申请",
                Some("办结的申请"),
                Unit::Percent,
                "《政府信息公开条例》第三十三条：20 个工作日，延长不超过 20 个工作日",
                CONCLUDED_DIMS,
            ),
            source: Source::Requests,
            period: "r.concluded_on",
            base: "r.outcome IS NOT NULL",
            numerator: "r.replied_on_time = TRUE",
            denominator: Some("1=1"),
        },
    ]
});

/// 政务公开's indicators, for `Feature::indicators`.
pub fn all() -> Vec<&'static dyn Indicator> {
    ALL.iter().map(|i| i as &dyn Indicator).collect()
}

impl DisclosureIndicator {
    fn tables(&self) -> &'static str {
        match self.source {
            Source::Requests => " FROM disclosure_requests r JOIN cases c ON c.id = r.case_id",
            Source::Publications => " FROM disclosure_publications p",
        }
    }

    fn org_column(&self) -> &'static str {
        match self.source {
            Source::Requests => "c.org_id",
            Source::Publications => "p.org_id",
        }
    }

    /// The grouping column of a dimension.
    fn group_column(&self, dim: &str) -> &'static str {
        match (self.source, dim) {
            (_, "org") => self.org_column(),
            (Source::Requests, "type") => "r.applicant_type",
            (Source::Requests, "outcome") => "r.outcome",
            (Source::Publications, "category") => "p.category_id",
            _ => "''",
        }
    }

    /// `FROM … WHERE` the period, the base condition and the reader's scope; as of a day, the
    /// tables as they stood at its end.
    async fn selection(&self, state: &AppState, p: &Params) -> Result<Q, AppError> {
        let from = match p.as_of {
            None => std::borrow::Cow::Borrowed(self.tables()),
            Some(day) => std::borrow::Cow::Owned(crate::registry_indicators::asof::from_as_of(&state.db, self.tables(), day).await?),
        };
        let w = q(format!("{from} WHERE {} AND {} >= $1 AND {} <= $2", self.base, self.period, self.period)).bind(p.from_str()).bind(p.to_str());
        Ok(p.scope.filter(w, self.org_column()))
    }

    async fn labels(&self, state: &AppState, dim: &str, keys: &[String]) -> Result<std::collections::HashMap<String, String>, AppError> {
        Ok(match dim {
            "org" => {
                let ids: Vec<i64> = keys.iter().filter_map(|k| k.parse().ok()).collect();
                org_names(state, &ids).await?.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            }
            "type" => APPLICANT_TYPES.iter().map(|t| (t.0.to_string(), applicant_type_label(t.0).to_string())).collect(),
            "outcome" => OUTCOMES
                .iter()
                .map(|o| (o.code.to_string(), if o.label.is_empty() { o.group_label.to_string() } else { format!("{}·{}", o.group_label, o.label) }))
                .collect(),
            "category" => {
                let rows: Vec<(i64, String)> = q("SELECT id, name FROM disclosure_categories").fetch_all(&state.db).await?;
                rows.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            }
            _ => Default::default(),
        })
    }

    async fn eval(&self, state: &AppState, p: &Params) -> Result<Evaluation, AppError> {
        let dim = p.by.map(|d| d.code).unwrap_or("");
        let group = if dim.is_empty() { "CAST('' AS TEXT)".to_string() } else { format!("CAST({} AS TEXT)", self.group_column(dim)) };
        let den = self.denominator.unwrap_or("1=0");
        let w = self.selection(state, p).await?;
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
        let (mut n, mut d) = (0, 0);
        for r in &rows {
            n += r.1.unwrap_or(0);
            d += r.2.unwrap_or(0);
        }
        let total = Cell::total(n, has_den.then_some(d));
        let groups = if dim.is_empty() {
            vec![]
        } else {
            let keys: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
            let labels = self.labels(state, dim, &keys).await?;
            let mut g: Vec<Cell> = rows
                .into_iter()
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
        Ok(Evaluation { total, groups })
    }

    async fn list(&self, state: &AppState, p: &Params, key: Option<&str>, part: Part, paging: Paging) -> Result<Page<RecordRef>, AppError> {
        let cond = match part {
            Part::Denominator => self.denominator.unwrap_or(self.numerator),
            Part::Numerator => self.numerator,
        };
        let mut w = self.selection(state, p).await?.push(&format!(" AND {cond}"));
        if let (Some(k), Some(d)) = (key, p.by) {
            w = w.push_bind(&format!(" AND CAST({} AS TEXT) = {{}}", self.group_column(d.code)), k.to_string());
        }
        let cols = match self.source {
            Source::Requests => "c.id, c.case_no, c.title, c.org_id, r.received_on",
            Source::Publications => "p.id, COALESCE(p.doc_no, ''), p.title, p.org_id, COALESCE(p.published_on, '')",
        };
        let order = format!(" ORDER BY {} DESC LIMIT {} OFFSET {}", self.period, paging.per(), paging.offset());
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
        let url = |id: i64| match self.source {
            Source::Requests => format!("/disclosure/requests/{id}"),
            Source::Publications => format!("/disclosure/publications/{id}"),
        };
        let items = rows
            .into_iter()
            .map(|(id, number, title, org, date)| RecordRef {
                url: url(id),
                number: if number.is_empty() { format!("#{id}") } else { number },
                unit: names.get(&org).cloned().unwrap_or_default(),
                id,
                title,
                date,
            })
            .collect();
        Ok(Page::new(items, &paging, total))
    }
}

impl Indicator for DisclosureIndicator {
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
    fn history_tables(&self) -> Option<Vec<&'static str>> {
        Some(crate::registry_indicators::asof::tables_of(self.tables()))
    }
}
