//! Government services' figures in the indicator registry: applications received (by unit,
//! channel and 证照分离 mode), the share that arrived online (the actual 全程网办 rate, to set
//! against what the catalogue declares), and the on-time rate of decisions. Each is one SQL
//! aggregate over the applications within the reader's scope, and the records behind a value are
//! listed by the same condition.

use std::sync::LazyLock;

use futures::FutureExt;
use futures::future::BoxFuture;

use crate::db::{Q, q};
use crate::error::AppError;
use crate::registry_indicators::{Block, Cell, Dimension, Evaluation, Indicator, Meta, Params, Part, RecordRef, Unit, dims, org_names};
use crate::rules;
use crate::state::AppState;
use crate::web::pagination::{Page, Paging};

pub const MODE: Dimension = Dimension { code: "mode", label: "证照分离改革方式" };
const DIMS: &[Dimension] = &[dims::ORG, dims::CHANNEL, MODE];
const OWNER: &str = "政务服务管理办公室（行政审批局）";

pub struct ServiceIndicator {
    meta: Meta,
    /// The date that puts a record in the period.
    period: &'static str,
    base: &'static str,
    numerator: &'static str,
    denominator: Option<&'static str>,
}

static ALL: LazyLock<Vec<ServiceIndicator>> = LazyLock::new(|| {
    let m = |code, name, definition, numerator, denominator, unit, basis| Meta {
        code,
        name,
        block: Block::Functions,
        definition,
        numerator,
        denominator,
        unit,
        basis,
        owner: OWNER,
        procedure: Some(rules::CODE),
        dims: DIMS,
    };
    vec![
        ServiceIndicator {
            meta: m(
                "services.applications",
                "政务服务申请数",
                "期间内收件的行政许可等依申请事项的申请，按收件日期计",
                "收件的申请",
                None,
                Unit::Count,
                "《行政许可法》第三十二条",
            ),
            period: "a.received_on",
            base: "1=1",
            numerator: "1=1",
            denominator: None,
        },
        ServiceIndicator {
            meta: m(
                "services.online_share",
                "网上申请占比（实际全程网办率）",
                "期间内收件的申请中经网上申请的 ÷ 收件的申请；与事项清单申报的网办深度对照",
                "网上申请的",
                Some("收件的申请"),
                Unit::Percent,
                "《国务院关于在线政务服务的若干规定》；《行政许可法》第三十三条",
            ),
            period: "a.received_on",
            base: "1=1",
            numerator: "a.channel = 'online'",
            denominator: Some("1=1"),
        },
        ServiceIndicator {
            meta: m(
                "services.on_time_rate",
                "按期办结率",
                "期间内作出决定的申请中在办理期限内（承诺时限，补正、特别程序顺延，批准延长后）作出的 ÷ 作出决定的申请",
                "按期作出决定的",
                Some("作出决定的申请"),
                Unit::Percent,
                "《行政许可法》第四十二条、第四十五条",
            ),
            period: "a.decided_on",
            base: "a.on_time IS NOT NULL",
            numerator: "a.on_time = TRUE",
            denominator: Some("1=1"),
        },
    ]
});

/// The indicators of government services, for `Feature::indicators`.
pub fn all() -> Vec<&'static dyn Indicator> {
    ALL.iter().map(|i| i as &dyn Indicator).collect()
}

fn group_column(dim: &str) -> &'static str {
    match dim {
        "org" => "c.org_id",
        "channel" => "a.channel",
        "mode" => "a.reform_mode",
        _ => "''",
    }
}

impl ServiceIndicator {
    fn selection(&self, p: &Params) -> Q {
        let w = q(format!(" FROM svc_applications a JOIN cases c ON c.id = a.case_id WHERE {} AND {} >= $1 AND {} <= $2", self.base, self.period, self.period))
            .bind(p.from_str())
            .bind(p.to_str());
        p.scope.filter(w, "c.org_id")
    }

    async fn eval(&self, state: &AppState, p: &Params) -> Result<Evaluation, AppError> {
        let dim = p.by.map(|d| d.code).unwrap_or("");
        let group = if dim.is_empty() { "CAST('' AS TEXT)".to_string() } else { format!("CAST({} AS TEXT)", group_column(dim)) };
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
                "channel" => rules::CHANNELS.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
                _ => rules::MODES.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
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
            w = w.push_bind(&format!(" AND CAST({} AS TEXT) = {{}}", group_column(d.code)), k.to_string());
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
                url: format!("/services/applications/{id}"),
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

impl Indicator for ServiceIndicator {
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
