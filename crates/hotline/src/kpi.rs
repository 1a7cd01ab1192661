//! The hotline's indicators, defined once in plain words and computed from the records: from
//! the counters kept in step with every change (whole-city readers), or from the tickets' own
//! indicator flags within a unit's scope (scoped readers) — the same definitions either way.
//! Every figure links to the tickets behind it.

use serde::Serialize;

use super::model::KPI_COLUMNS;
use super::queries::ListRow;
use crate::auth::roles::Scope;
use crate::db::{Db, q};
use crate::error::AppError;
use crate::web::{Page, Paging};

/// One indicator: a count, or a rate = numerator ÷ denominator.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Indicator {
    pub code: &'static str,
    pub name: &'static str,
    pub definition: &'static str,
    pub numerator: &'static str,
    pub denominator: Option<&'static str>,
}

pub const INDICATORS: &[Indicator] = &[
    Indicator {
        code: "received",
        name: "诉求总量",
        definition: "期间内登记的全部来电、来信和网上诉求（含不予受理、直接答复）",
        numerator: "received",
        denominator: None,
    },
    Indicator {
        code: "accepted",
        name: "受理量",
        definition: "受理并进入办理流程的工单（不含不予受理、直接答复、合并和尚未受理的）",
        numerator: "accepted",
        denominator: None,
    },
    Indicator {
        code: "close_rate", name: "办结率", definition: "已办结（含经审核终止）÷ 受理量", numerator: "closed", denominator: Some("accepted")
    },
    Indicator {
        code: "on_time_rate",
        name: "按时办结率",
        definition: "承办单位在办理期限内答复的办结工单 ÷ 办结工单",
        numerator: "on_time",
        denominator: Some("closed"),
    },
    Indicator {
        code: "callback_rate",
        name: "回访率",
        definition: "已回访并取得评价的办结工单 ÷ 办结工单",
        numerator: "callback",
        denominator: Some("closed"),
    },
    Indicator {
        code: "satisfaction",
        name: "满意率",
        definition: "（满意 + 基本满意）÷ 参评工单；“基本满意”是否计入由本市规定（默认计入）",
        numerator: "satisfied_total",
        denominator: Some("evaluated"),
    },
    Indicator {
        code: "return_rate", name: "退单率", definition: "至少有一次退单获批的工单 ÷ 受理量", numerator: "returned", denominator: Some("accepted")
    },
    Indicator {
        code: "extension_rate", name: "延期率", definition: "至少有一次延期获批的工单 ÷ 受理量", numerator: "extended", denominator: Some("accepted")
    },
    Indicator {
        code: "reopen_rate",
        name: "重办率",
        definition: "回访或评价不满意后退回重办过的工单 ÷ 受理量",
        numerator: "reopened",
        denominator: Some("accepted"),
    },
    Indicator {
        code: "supervised", name: "督办件数", definition: "被督办（人工或逾期自动）过的工单数", numerator: "supervised", denominator: None
    },
    Indicator {
        code: "direct", name: "直接答复", definition: "话务员依据知识库当即答复办结的诉求，单独统计", numerator: "direct", denominator: None
    },
    Indicator {
        code: "not_accepted", name: "不予受理", definition: "不属于受理范围、已告知理由和途径的诉求", numerator: "not_accepted", denominator: None
    },
];

/// Raw counts of one group.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct Counts {
    pub key: i64,
    pub received: i64,
    pub accepted: i64,
    pub closed: i64,
    pub on_time: i64,
    pub callback: i64,
    pub evaluated: i64,
    pub satisfied: i64,
    pub basic: i64,
    pub dissatisfied: i64,
    pub returned: i64,
    pub extended: i64,
    pub reopened: i64,
    pub supervised: i64,
    pub direct: i64,
    pub not_accepted: i64,
}

impl Counts {
    pub fn get(&self, metric: &str, basic_counts: bool) -> i64 {
        match metric {
            "received" => self.received,
            "accepted" => self.accepted,
            "closed" => self.closed,
            "on_time" => self.on_time,
            "callback" => self.callback,
            "evaluated" => self.evaluated,
            "satisfied" => self.satisfied,
            "basic" => self.basic,
            "dissatisfied" => self.dissatisfied,
            "returned" => self.returned,
            "extended" => self.extended,
            "reopened" => self.reopened,
            "supervised" => self.supervised,
            "direct" => self.direct,
            "not_accepted" => self.not_accepted,
            "satisfied_total" => self.satisfied + if basic_counts { self.basic } else { 0 },
            _ => 0,
        }
    }

    pub fn add(&mut self, o: &Counts) {
        self.received += o.received;
        self.accepted += o.accepted;
        self.closed += o.closed;
        self.on_time += o.on_time;
        self.callback += o.callback;
        self.evaluated += o.evaluated;
        self.satisfied += o.satisfied;
        self.basic += o.basic;
        self.dissatisfied += o.dissatisfied;
        self.returned += o.returned;
        self.extended += o.extended;
        self.reopened += o.reopened;
        self.supervised += o.supervised;
        self.direct += o.direct;
        self.not_accepted += o.not_accepted;
    }

    /// An indicator's value: a count, or a rate in percent (None when the denominator is 0).
    pub fn value(&self, ind: &Indicator, basic_counts: bool) -> Value {
        let n = self.get(ind.numerator, basic_counts);
        match ind.denominator {
            None => Value::Count(n),
            Some(d) => {
                let d = self.get(d, basic_counts);
                if d == 0 { Value::Rate(None, n, 0) } else { Value::Rate(Some(n as f64 * 100.0 / d as f64), n, d) }
            }
        }
    }
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub enum Value {
    Count(i64),
    /// (percent, numerator, denominator)
    Rate(Option<f64>, i64, i64),
}

impl Value {
    pub fn display(&self) -> String {
        match self {
            Value::Count(n) => n.to_string(),
            Value::Rate(Some(p), _, _) => format!("{p:.2}%"),
            Value::Rate(None, _, _) => "—".into(),
        }
    }
}

/// Grouping of a KPI table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dim {
    All,
    Org,
    Town,
    Category,
    Channel,
}

/// The channel's counter key computed from the stored code, for queries over the tickets.
const CHANNEL_KEY: &str = "CAST(CASE t.channel WHEN 'phone' THEN 1 WHEN 'web' THEN 2 WHEN 'mailbox' THEN 3 WHEN 'api' THEN 4 WHEN 'open311' THEN 5 WHEN 'import' THEN 6 ELSE 0 END AS BIGINT)";

impl Dim {
    pub fn parse(s: &str) -> Dim {
        match s {
            "org" => Dim::Org,
            "town" => Dim::Town,
            "category" => Dim::Category,
            "channel" => Dim::Channel,
            _ => Dim::All,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Dim::All => "all",
            Dim::Org => "org",
            Dim::Town => "town",
            Dim::Category => "category",
            Dim::Channel => "channel",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Dim::All => "全市",
            Dim::Org => "承办单位",
            Dim::Town => "乡镇（园区）",
            Dim::Category => "诉求类别",
            Dim::Channel => "渠道",
        }
    }
    /// The ticket column of this grouping.
    pub fn column(self) -> &'static str {
        match self {
            Dim::All => "CAST(0 AS BIGINT)",
            Dim::Org => "t.kpi_org_id",
            Dim::Town => "COALESCE(t.town_id, 0)",
            Dim::Category => "COALESCE(t.category_id, 0)",
            Dim::Channel => CHANNEL_KEY,
        }
    }
}

fn sums(prefix: &str) -> String {
    std::iter::once("received".to_string())
        .chain(KPI_COLUMNS.iter().map(|c| c.to_string()))
        .map(|c| format!("CAST(SUM({prefix}{c}) AS BIGINT) AS {c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Counts per group for received days `from..=to` (YYYY-MM-DD).
pub async fn counts(db: &Db, dim: Dim, from: &str, to: &str, scope: &Scope) -> Result<Vec<Counts>, AppError> {
    if *scope == Scope::All {
        // From the counters: a few thousand rows at most for a year.
        let sql = format!("SELECT dim_id AS key, {} FROM hotline_kpi_daily WHERE dim = $1 AND day >= $2 AND day <= $3 GROUP BY dim_id", sums(""));
        let rows: Vec<Counts> = q(sql).bind(dim.code()).bind(from).bind(to).fetch_all(db).await?;
        return Ok(rows);
    }
    // Within a unit's scope: from the tickets' flags, by the unit index.
    counts_in(db, TICKETS, dim, from, to, scope).await
}

/// The tickets, for [`counts_in`].
pub const TICKETS: &str = " FROM hotline_tickets t";
/// The tickets with their cases, for [`tickets_in`].
pub const CASE_TICKETS: &str = " FROM cases c JOIN hotline_tickets t ON t.case_id = c.id";

/// Counts per group from the tickets' flags, the tickets read from `source` ([`TICKETS`], or the
/// same table as it stood at the end of a day: the indicators' as-of evaluation).
pub async fn counts_in(db: &Db, source: &str, dim: Dim, from: &str, to: &str, scope: &Scope) -> Result<Vec<Counts>, AppError> {
    let flag_sums = std::iter::once("CAST(COUNT(*) AS BIGINT) AS received".to_string())
        .chain(KPI_COLUMNS.iter().map(|c| format!("CAST(SUM(CASE WHEN t.k_{c} THEN 1 ELSE 0 END) AS BIGINT) AS {c}")))
        .collect::<Vec<_>>()
        .join(", ");
    let mut query = q(format!("SELECT {} AS key, {flag_sums}{source} WHERE t.received_on >= $1 AND t.received_on <= $2", dim.column())).bind(from).bind(to);
    query = scope.filter(query, "t.kpi_org_id");
    if dim != Dim::All {
        query = query.push(&format!(" GROUP BY {}", dim.column()));
    }
    let rows: Vec<Counts> = query.fetch_all(db).await?;
    Ok(rows.into_iter().filter(|r| r.received > 0).collect())
}

/// Daily received counts (for the volume chart) from the counters or, scoped, from tickets.
pub async fn daily(db: &Db, from: &str, to: &str, scope: &Scope) -> Result<Vec<(String, i64, i64)>, AppError> {
    if *scope == Scope::All {
        let rows: Vec<(String, i64, i64)> =
            q("SELECT day, received, accepted FROM hotline_kpi_daily WHERE dim = 'all' AND dim_id = 0 AND day >= $1 AND day <= $2 ORDER BY day")
                .bind(from)
                .bind(to)
                .fetch_all(db)
                .await?;
        return Ok(rows);
    }
    let query = scope.filter(q("SELECT t.received_on, CAST(COUNT(*) AS BIGINT), CAST(SUM(CASE WHEN t.k_accepted THEN 1 ELSE 0 END) AS BIGINT) FROM hotline_tickets t WHERE t.received_on >= $1 AND t.received_on <= $2").bind(from).bind(to), "t.kpi_org_id");
    query.push(" GROUP BY t.received_on ORDER BY t.received_on").fetch_all(db).await
}

/// Monthly satisfaction (for the trend chart).
pub async fn monthly(db: &Db, from: &str, to: &str, scope: &Scope) -> Result<Vec<(String, Counts)>, AppError> {
    let days: Vec<(String, Counts)> = if *scope == Scope::All {
        let rows: Vec<DayCounts> = q(format!(
            "SELECT day, CAST(0 AS BIGINT) AS key, {} FROM hotline_kpi_daily WHERE dim = 'all' AND dim_id = 0 AND day >= $1 AND day <= $2 GROUP BY day ORDER BY day",
            sums("")
        ))
        .bind(from)
        .bind(to)
        .fetch_all(db)
        .await?;
        rows.into_iter().map(|r| (r.day.clone(), r.into())).collect()
    } else {
        let flag_sums = std::iter::once("CAST(COUNT(*) AS BIGINT) AS received".to_string())
            .chain(KPI_COLUMNS.iter().map(|c| format!("CAST(SUM(CASE WHEN t.k_{c} THEN 1 ELSE 0 END) AS BIGINT) AS {c}")))
            .collect::<Vec<_>>()
            .join(", ");
        let query = scope.filter(
            q(format!(
                "SELECT t.received_on AS day, CAST(0 AS BIGINT) AS key, {flag_sums} FROM hotline_tickets t WHERE t.received_on >= $1 AND t.received_on <= $2"
            ))
            .bind(from)
            .bind(to),
            "t.kpi_org_id",
        );
        let rows: Vec<DayCounts> = query.push(" GROUP BY t.received_on ORDER BY t.received_on").fetch_all(db).await?;
        rows.into_iter().map(|r| (r.day.clone(), r.into())).collect()
    };
    let mut months: Vec<(String, Counts)> = Vec::new();
    for (day, c) in days {
        let m = day[..7].to_string();
        match months.last_mut() {
            Some((lm, acc)) if *lm == m => acc.add(&c),
            _ => months.push((m, c)),
        }
    }
    Ok(months)
}

#[derive(sqlx::FromRow)]
struct DayCounts {
    day: String,
    #[sqlx(flatten)]
    c: Counts,
}

impl From<DayCounts> for Counts {
    fn from(d: DayCounts) -> Counts {
        d.c
    }
}

/// The names of a grouping's keys (units, towns, categories, channels), for tables and charts.
pub async fn group_names(db: &Db, dim: Dim) -> Result<std::collections::HashMap<i64, String>, AppError> {
    let rows: Vec<(i64, String)> = match dim {
        Dim::All => vec![(0, "全市".to_string())],
        Dim::Org | Dim::Town => q("SELECT id, short_name FROM orgs").fetch_all(db).await?,
        Dim::Category => q("SELECT id, name FROM hotline_categories").fetch_all(db).await?,
        Dim::Channel => super::model::CHANNELS.iter().map(|c| (c.id(), c.label().to_string())).collect(),
    };
    let mut m: std::collections::HashMap<i64, String> = rows.into_iter().collect();
    m.entry(0).or_insert_with(|| match dim {
        Dim::Town => "（未填乡镇）".into(),
        Dim::Channel => "（其他渠道）".into(),
        _ => "（未分类）".into(),
    });
    Ok(m)
}

/// Whether 基本满意 counts as satisfied (a setting, default yes).
pub async fn basic_counts(db: &Db) -> bool {
    !matches!(crate::settings::get(db, "hotline.basic_counts").await, Ok(Some(v)) if v == "false")
}

/// The ticket condition behind a metric, for drill-down lists.
pub fn metric_condition(metric: &str, basic_counts: bool) -> Option<String> {
    match metric {
        "received" => Some("1=1".into()),
        "satisfied_total" => Some(if basic_counts { "(t.k_satisfied OR t.k_basic)".into() } else { "t.k_satisfied".into() }),
        m if KPI_COLUMNS.contains(&m) => Some(format!("t.k_{m} = TRUE")),
        _ => None,
    }
}

/// The tickets behind a figure: received in `from..=to`, meeting `condition` (from
/// [`metric_condition`]), in the group `key` of `dim`, within the reader's scope; newest first.
#[allow(clippy::too_many_arguments)]
pub async fn tickets(db: &Db, condition: &str, dim: Dim, key: i64, from: &str, to: &str, scope: &Scope, paging: Paging) -> Result<Page<ListRow>, AppError> {
    tickets_in(db, CASE_TICKETS, condition, dim, key, from, to, scope, paging).await
}

/// [`tickets`], the cases and tickets read from `source` ([`CASE_TICKETS`] or as of a day).
#[allow(clippy::too_many_arguments)]
pub async fn tickets_in(
    db: &Db,
    source: &str,
    condition: &str,
    dim: Dim,
    key: i64,
    from: &str,
    to: &str,
    scope: &Scope,
    paging: Paging,
) -> Result<Page<ListRow>, AppError> {
    let mut w = q(format!("{source} WHERE t.received_on >= $1 AND t.received_on <= $2 AND {condition}")).bind(from.to_string()).bind(to.to_string());
    if dim != Dim::All {
        w = w.push_bind(&format!(" AND {} = {{}}", dim.column()), key);
    }
    w = scope.filter(w, "t.kpi_org_id");
    let mut lq =
        q(format!("SELECT {}{} ORDER BY c.opened_at DESC, c.id DESC LIMIT {} OFFSET {}", super::queries::LIST_COLS, w.sql(), paging.per(), paging.offset()));
    let mut cq = q(format!("SELECT COUNT(*){}", w.sql()));
    for a in w.args() {
        lq = lq.bind(a.clone());
        cq = cq.bind(a.clone());
    }
    let rows: Vec<ListRow> = lq.fetch_all(db).await?;
    let total = cq.fetch_i64(db).await?;
    Ok(Page::new(rows, &paging, total))
}

/// Recount every counter from the tickets' flags and compare: the counters are derived data,
/// and this proves they match their source. Returns the differing (dim, id, day) keys.
pub async fn verify_counters(db: &Db) -> Result<Vec<String>, AppError> {
    let mut diffs = Vec::new();
    for dim in [Dim::All, Dim::Org, Dim::Town, Dim::Category, Dim::Channel] {
        let flag_sums = std::iter::once("CAST(COUNT(*) AS BIGINT) AS received".to_string())
            .chain(KPI_COLUMNS.iter().map(|c| format!("CAST(SUM(CASE WHEN t.k_{c} THEN 1 ELSE 0 END) AS BIGINT) AS {c}")))
            .collect::<Vec<_>>()
            .join(", ");
        let col = match dim {
            Dim::All => "CAST(0 AS BIGINT)",
            Dim::Org => "t.kpi_org_id",
            Dim::Town => "t.kpi_town_id",
            Dim::Category => "t.kpi_category_id",
            Dim::Channel => CHANNEL_KEY,
        };
        let group = if dim == Dim::All { "t.received_on".to_string() } else { format!("t.received_on, {col}") };
        let from_flags: Vec<DayCounts> =
            q(format!("SELECT t.received_on AS day, {col} AS key, {flag_sums} FROM hotline_tickets t GROUP BY {group}")).fetch_all(db).await?;
        let stored: Vec<DayCounts> = q(format!("SELECT day, dim_id AS key, {} FROM hotline_kpi_daily WHERE dim = $1 GROUP BY day, dim_id", sums("")))
            .bind(dim.code())
            .fetch_all(db)
            .await?;
        let key = |d: &DayCounts| (d.day.clone(), d.c.key);
        let mut a: std::collections::BTreeMap<(String, i64), Counts> = from_flags.into_iter().map(|d| (key(&d), d.c)).collect();
        for s in stored {
            let k = key(&s);
            let zero = Counts { key: s.c.key, ..Default::default() };
            let expected = a.remove(&k).unwrap_or(zero);
            if expected != s.c {
                diffs.push(format!("{}:{}:{}", dim.code(), k.1, k.0));
            }
        }
        for (k, c) in a {
            if c.received != 0 {
                diffs.push(format!("{}:{}:{} (missing)", dim.code(), k.1, k.0));
            }
        }
    }
    Ok(diffs)
}
