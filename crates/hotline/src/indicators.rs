//! The hotline's figures in the indicator registry: each of `kpi::INDICATORS`, computed by the
//! same counters and flags as the KPI page and API (one computation, so the figures agree), cut
//! by unit, town, category or channel — the channel separates the 市长信箱 (the seed reports its
//! letters apart from the hotline's calls).

use std::sync::LazyLock;

use futures::FutureExt;
use futures::future::BoxFuture;

use crate::error::AppError;
use crate::kpi::{self, Counts, Dim};
use crate::registry_indicators::{Block, Cell, Dimension, Evaluation, Indicator, Meta, Params, Part, RecordRef, Unit, dims};
use crate::state::AppState;
use crate::web::{Page, Paging};

const DIMS: &[Dimension] = &[dims::ORG, dims::TOWN, dims::CATEGORY, dims::CHANNEL];
const BASIS: &str = "《国务院办公厅关于进一步优化地方政务服务便民热线的指导意见》（国办发〔2020〕53号）；本市12345工作规范";
const OWNER: &str = "12345 热线（市12345政务服务便民热线中心）";

pub struct HotlineIndicator {
    meta: Meta,
    kpi: &'static kpi::Indicator,
}

static ALL: LazyLock<Vec<HotlineIndicator>> = LazyLock::new(|| {
    kpi::INDICATORS
        .iter()
        .map(|k| HotlineIndicator {
            meta: Meta {
                code: Box::leak(format!("hotline.{}", k.code).into_boxed_str()),
                name: k.name,
                block: Block::Functions,
                definition: k.definition,
                numerator: metric_words(k.numerator),
                denominator: k.denominator.map(metric_words),
                unit: if k.denominator.is_some() { Unit::Percent } else { Unit::Count },
                basis: BASIS,
                owner: OWNER,
                procedure: Some("hotline"),
                dims: DIMS,
            },
            kpi: k,
        })
        .collect()
});

/// The hotline's indicators, for `Feature::indicators`.
pub fn all() -> Vec<&'static dyn Indicator> {
    ALL.iter().map(|i| i as &dyn Indicator).collect()
}

/// A counter in words.
pub fn metric_words(metric: &str) -> &'static str {
    match metric {
        "received" => "登记的诉求",
        "accepted" => "受理的工单",
        "closed" => "办结的工单",
        "on_time" => "按时办结的工单",
        "callback" => "已回访评价的工单",
        "evaluated" => "参评工单",
        "satisfied_total" => "满意和基本满意的工单",
        "returned" => "退单获批的工单",
        "extended" => "延期获批的工单",
        "reopened" => "退回重办的工单",
        "supervised" => "督办的工单",
        "direct" => "直接答复的诉求",
        "not_accepted" => "不予受理的诉求",
        _ => "工单",
    }
}

fn dim_of(p: &Params) -> Dim {
    match p.by.map(|d| d.code) {
        Some("org") => Dim::Org,
        Some("town") => Dim::Town,
        Some("category") => Dim::Category,
        Some("channel") => Dim::Channel,
        _ => Dim::All,
    }
}

impl HotlineIndicator {
    fn cell(&self, c: &Counts, basic: bool, key: Option<String>, label: String) -> Cell {
        Cell { key, label, numerator: c.get(self.kpi.numerator, basic), denominator: self.kpi.denominator.map(|d| c.get(d, basic)) }
    }

    async fn eval(&self, state: &AppState, p: &Params) -> Result<Evaluation, AppError> {
        let basic = kpi::basic_counts(&state.db).await;
        let dim = dim_of(p);
        let counts = match p.as_of {
            None => kpi::counts(&state.db, dim, &p.from_str(), &p.to_str(), &p.scope).await?,
            // As of a day: from the tickets as they stood then (the counters move with later
            // corrections).
            Some(day) => {
                let source = crate::registry_indicators::asof::from_as_of(&state.db, kpi::TICKETS, day).await?;
                kpi::counts_in(&state.db, &source, dim, &p.from_str(), &p.to_str(), &p.scope).await?
            }
        };
        let mut total = Counts::default();
        for c in &counts {
            total.add(c);
        }
        let groups = if dim == Dim::All {
            vec![]
        } else {
            let names = kpi::group_names(&state.db, dim).await?;
            let mut g: Vec<Cell> = counts
                .iter()
                .map(|c| self.cell(c, basic, Some(c.key.to_string()), names.get(&c.key).cloned().unwrap_or_else(|| format!("#{}", c.key))))
                .collect();
            g.sort_by(|a, b| b.numerator.cmp(&a.numerator).then(a.label.cmp(&b.label)));
            g
        };
        Ok(Evaluation { total: self.cell(&total, basic, None, "合计".into()), groups })
    }

    async fn list(&self, state: &AppState, p: &Params, key: Option<&str>, part: Part, paging: Paging) -> Result<Page<RecordRef>, AppError> {
        let basic = kpi::basic_counts(&state.db).await;
        let metric = match part {
            Part::Denominator => self.kpi.denominator.unwrap_or(self.kpi.numerator),
            Part::Numerator => self.kpi.numerator,
        };
        let cond = kpi::metric_condition(metric, basic).ok_or_else(|| AppError::internal(format!("no condition for {metric}")))?;
        let (dim, key) = match key {
            Some(k) => (dim_of(p), k.parse::<i64>().map_err(|_| AppError::field("key", "bad_key", "分组编号应为数字"))?),
            None => (Dim::All, 0),
        };
        let source = match p.as_of {
            None => std::borrow::Cow::Borrowed(kpi::CASE_TICKETS),
            Some(day) => std::borrow::Cow::Owned(crate::registry_indicators::asof::from_as_of(&state.db, kpi::CASE_TICKETS, day).await?),
        };
        let page = kpi::tickets_in(&state.db, &source, &cond, dim, key, &p.from_str(), &p.to_str(), &p.scope, paging).await?;
        let ids: Vec<i64> = page.items.iter().map(|r| r.org_id).collect();
        let names = crate::registry_indicators::org_names(state, &ids).await?;
        Ok(page.map(|r| RecordRef {
            url: format!("/hotline/tickets/{}", r.id),
            unit: names.get(&r.org_id).cloned().unwrap_or_default(),
            date: r.opened_on,
            id: r.id,
            number: r.case_no,
            // The records behind a figure are read by whoever reads the figure (an inspector, an
            // office that only counts): the reader is not known here, so numbers are masked.
            title: crate::privacy::mask_in_text(&r.title).0,
        }))
    }
}

impl Indicator for HotlineIndicator {
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
        Some(crate::registry_indicators::asof::tables_of(kpi::CASE_TICKETS))
    }
}
