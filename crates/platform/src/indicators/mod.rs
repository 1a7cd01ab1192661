//! The indicator registry. An indicator is a named, documented figure: a code, a Chinese name, a
//! definition in words (what is counted, the numerator and the denominator), a unit, the legal
//! basis or target it answers to, its owner, the dimensions it can be cut by, and two
//! computations — its value for a period and an organisation subtree (under the reader's own
//! scope), and the list of records behind a value. Features register theirs
//! (`Feature::indicators`); dashboards, the `/indicators` pages, the API and the annual reports
//! only ever read indicators, never count on their own.

pub mod api;
pub mod asof;
pub mod counted;
pub mod dashboard;
pub mod pages;

use chrono::NaiveDate;
use futures::future::BoxFuture;
use serde::Serialize;

use crate::auth::roles::Scope;
use crate::error::AppError;
use crate::org::queries::OrgRow;
use crate::state::AppState;
use crate::web::{Page, Paging};

/// The nine task blocks of the 《法治政府建设实施纲要（2021—2025年）》 (LEGAL-RULES §11.1), the
/// top level under which indicators are grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Block {
    Functions,
    Rules,
    Decisions,
    Enforcement,
    Emergencies,
    Disputes,
    Oversight,
    Digital,
    Leadership,
}

pub const BLOCKS: [Block; 9] = [
    Block::Functions,
    Block::Rules,
    Block::Decisions,
    Block::Enforcement,
    Block::Emergencies,
    Block::Disputes,
    Block::Oversight,
    Block::Digital,
    Block::Leadership,
];

impl Block {
    pub fn label(self) -> &'static str {
        match self {
            Block::Functions => "一、健全政府机构职能体系",
            Block::Rules => "二、健全依法行政制度体系",
            Block::Decisions => "三、健全行政决策制度体系",
            Block::Enforcement => "四、健全行政执法工作体系",
            Block::Emergencies => "五、健全突发事件应对体系",
            Block::Disputes => "六、健全社会矛盾纠纷行政预防调处化解体系",
            Block::Oversight => "七、健全行政权力制约和监督体系",
            Block::Digital => "八、健全法治政府建设科技保障体系",
            Block::Leadership => "九、加强党的领导，完善法治政府建设推进机制",
        }
    }
}

/// What a value is measured in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A number of records (件, 条, 人次).
    Count,
    /// numerator ÷ denominator, in percent.
    Percent,
    /// An amount in 元.
    Yuan,
}

impl Unit {
    pub fn label(self) -> &'static str {
        match self {
            Unit::Count => "件",
            Unit::Percent => "%",
            Unit::Yuan => "元",
        }
    }
}

/// A way to cut an indicator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Dimension {
    pub code: &'static str,
    pub label: &'static str,
}

/// The dimensions features use most. A feature may define its own.
pub mod dims {
    use super::Dimension;
    /// The unit responsible for the record (承办单位, 受理机关).
    pub const ORG: Dimension = Dimension { code: "org", label: "单位" };
    pub const TOWN: Dimension = Dimension { code: "town", label: "乡镇（园区）" };
    pub const CATEGORY: Dimension = Dimension { code: "category", label: "类别" };
    pub const CHANNEL: Dimension = Dimension { code: "channel", label: "渠道" };
    pub const TYPE: Dimension = Dimension { code: "type", label: "类型" };
}

/// The description of an indicator: everything but its computation.
#[derive(Clone, Debug, Serialize)]
pub struct Meta {
    /// `hotline.close_rate`: the feature's code, a dot, the indicator's.
    pub code: &'static str,
    pub name: &'static str,
    pub block: Block,
    /// What is counted, in words.
    pub definition: &'static str,
    /// The numerator in words.
    pub numerator: &'static str,
    /// The denominator in words, for rates.
    pub denominator: Option<&'static str>,
    pub unit: Unit,
    /// The legal basis or the target it answers to.
    pub basis: &'static str,
    /// Who is responsible for the figure (the feature and the unit that owns the data).
    pub owner: &'static str,
    /// The procedure whose records it counts: readers need `kpi_read` over it.
    pub procedure: Option<&'static str>,
    pub dims: &'static [Dimension],
}

/// What an evaluation is asked for.
#[derive(Clone, Debug)]
pub struct Params {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The organisation subtree asked for, if any (already checked against the reader's scope).
    pub org: Option<OrgRow>,
    pub by: Option<Dimension>,
    /// Where the reader may look, narrowed to `org`: every computation filters by it.
    pub scope: Scope,
    /// Evaluate as the records stood at the end of this day (before later corrections) instead
    /// of as they stand now. Set through [`Params::at`], which refuses an indicator that cannot.
    pub as_of: Option<NaiveDate>,
}

impl Params {
    pub fn from_str(&self) -> String {
        crate::time::fmt_date(self.from)
    }
    pub fn to_str(&self) -> String {
        crate::time::fmt_date(self.to)
    }
    /// The same selection evaluated as of the end of `day` (`None`: live). An indicator that
    /// cannot be evaluated so is refused with `as_of_unsupported` on the field `as_of`.
    pub fn at(mut self, ind: &dyn Indicator, day: Option<NaiveDate>) -> Result<Params, AppError> {
        if day.is_some() && ind.history_tables().is_none() {
            return Err(AppError::field(
                "as_of",
                asof::UNSUPPORTED,
                format!("“{}”按专门口径统计，暂不支持按历史时点（日终状态）计算；请清空“截至时点”查看当前值", ind.meta().name),
            ));
        }
        self.as_of = day;
        Ok(self)
    }
    /// `as_of=YYYY-MM-DD` for links; empty when live.
    pub fn as_of_str(&self) -> String {
        self.as_of.map(crate::time::fmt_date).unwrap_or_default()
    }
}

/// One value: the whole selection or one group of it.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Cell {
    /// The group's key (a unit's id, a category's id, a channel's code); `None` for the total.
    pub key: Option<String>,
    pub label: String,
    pub numerator: i64,
    pub denominator: Option<i64>,
}

impl Cell {
    pub fn total(numerator: i64, denominator: Option<i64>) -> Cell {
        Cell { key: None, label: "合计".into(), numerator, denominator }
    }
    /// The value in the indicator's unit; `None` for a rate over nothing.
    pub fn value(&self, unit: Unit) -> Option<f64> {
        match (unit, self.denominator) {
            (Unit::Percent, Some(0) | None) => None,
            (Unit::Percent, Some(d)) => Some(self.numerator as f64 * 100.0 / d as f64),
            _ => Some(self.numerator as f64),
        }
    }
    pub fn display(&self, unit: Unit) -> String {
        match (unit, self.value(unit)) {
            (_, None) => "—".into(),
            (Unit::Percent, Some(v)) => format!("{v:.2}%"),
            (Unit::Yuan, Some(v)) => format!("{v:.0}元"),
            (Unit::Count, Some(v)) => format!("{v:.0}"),
        }
    }
}

/// An indicator's value for a selection: the total and, when cut, each group.
#[derive(Clone, Debug, Serialize)]
pub struct Evaluation {
    pub total: Cell,
    pub groups: Vec<Cell>,
}

/// Which records of a value: those counted in the numerator or in the denominator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Numerator,
    Denominator,
}

impl Part {
    pub fn parse(s: Option<&str>) -> Part {
        if s == Some("denominator") { Part::Denominator } else { Part::Numerator }
    }
}

/// A record behind a value.
#[derive(Clone, Debug, Serialize)]
pub struct RecordRef {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub unit: String,
    pub date: String,
    /// The record's staff page.
    pub url: String,
}

/// An indicator: its description and its two computations.
pub trait Indicator: Send + Sync {
    fn meta(&self) -> &Meta;
    /// The value for the selection, cut by `p.by` when given.
    fn evaluate<'a>(&'a self, state: &'a AppState, p: &'a Params) -> BoxFuture<'a, Result<Evaluation, AppError>>;
    /// The records behind a value (of one group when `key` is given).
    fn records<'a>(
        &'a self,
        state: &'a AppState,
        p: &'a Params,
        key: Option<&'a str>,
        part: Part,
        paging: Paging,
    ) -> BoxFuture<'a, Result<Page<RecordRef>, AppError>>;
    /// The tables its computations read, when it honours [`Params::as_of`] by reading them as
    /// they stood (`asof`); `None` (the default) when it cannot be evaluated as of a past day.
    fn history_tables(&self) -> Option<Vec<&'static str>> {
        None
    }
}

/// The period of an evaluation from query text; defaults to this year so far. Errors name the
/// field.
pub fn period(from: Option<&str>, to: Option<&str>) -> Result<(NaiveDate, NaiveDate), AppError> {
    let t = crate::time::today();
    let from = match from.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => crate::time::parse_date(s).ok_or_else(|| AppError::field("from", "bad_date", "起始日期格式应为 YYYY-MM-DD"))?,
        None => NaiveDate::from_ymd_opt(chrono::Datelike::year(&t), 1, 1).unwrap_or(t),
    };
    let to = match to.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => crate::time::parse_date(s).ok_or_else(|| AppError::field("to", "bad_date", "截止日期格式应为 YYYY-MM-DD"))?,
        None => t,
    };
    if to < from {
        return Err(AppError::field("to", "bad_period", "截止日期不能早于起始日期"));
    }
    if (to - from).num_days() > 366 * 5 {
        return Err(AppError::field("from", "period_too_long", "统计期间不能超过五年"));
    }
    Ok((from, to))
}

/// Build the parameters of an evaluation for a reader whose scope for the indicator is `scope`.
/// An organisation outside that scope is answered as not found, like any record.
pub async fn params(
    state: &AppState,
    ind: &dyn Indicator,
    scope: Scope,
    from: Option<&str>,
    to: Option<&str>,
    org: Option<i64>,
    by: Option<&str>,
) -> Result<Params, AppError> {
    if scope == Scope::Nothing {
        return Err(AppError::forbidden("forbidden", "您没有查看该指标的权限"));
    }
    let (from, to) = period(from, to)?;
    let by = match by.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(code) => Some(
            *ind.meta()
                .dims
                .iter()
                .find(|d| d.code == code)
                .ok_or_else(|| AppError::field("by", "unknown_dimension", format!("该指标不能按“{code}”分组统计")))?,
        ),
    };
    let (org, scope) = match org {
        None => (None, scope),
        Some(id) => {
            let o = crate::org::queries::get(&state.db, id).await?.ok_or_else(|| AppError::field("org", "org_not_found", "所选单位不存在"))?;
            let narrowed = scope.narrow(&o.path).ok_or_else(|| AppError::not_found("org_not_found", "所选单位不存在"))?;
            (Some(o), narrowed)
        }
    };
    Ok(Params { from, to, org, by, scope, as_of: None })
}

/// [`params`] with an `as_of` day from query text (`None` or blank: live).
#[allow(clippy::too_many_arguments)]
pub async fn params_at(
    state: &AppState,
    ind: &dyn Indicator,
    scope: Scope,
    from: Option<&str>,
    to: Option<&str>,
    org: Option<i64>,
    by: Option<&str>,
    as_of: Option<&str>,
) -> Result<Params, AppError> {
    let day = asof::parse(as_of)?;
    params(state, ind, scope, from, to, org, by).await?.at(ind, day)
}

/// Keep the history of the tables every registered indicator reads (at start-up).
pub async fn install_history(db: &crate::db::Db, registry: &crate::registry::Registry) -> Result<(), AppError> {
    let tables: Vec<&'static str> = registry.indicators().iter().filter_map(|i| i.history_tables()).flatten().collect();
    asof::install(db, tables).await
}

/// Names of organisations by id, in one query (labels of groups cut by unit or town).
pub async fn org_names(state: &AppState, ids: &[i64]) -> Result<std::collections::HashMap<i64, String>, AppError> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(i64, String)> = crate::db::q("SELECT id, short_name FROM orgs WHERE").push_in("id", ids).fetch_all(&state.db).await?;
    Ok(rows.into_iter().collect())
}
