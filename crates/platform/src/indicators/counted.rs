//! The common kind of indicator: a count (or a share) of a procedure's records, decided by SQL
//! conditions on the record and its case. A module states its tables, the date that puts a record
//! in the period, the conditions, how records are cut by each dimension and how a record is named
//! and linked; the value is one aggregate under the reader's scope, and the records behind a value
//! are listed by the same conditions, so that a figure and its drill-down cannot disagree.

use futures::FutureExt;
use futures::future::BoxFuture;

use super::{Cell, Evaluation, Indicator, Meta, Params, Part, RecordRef, org_names};
use crate::db::{Q, q};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::{Page, Paging};

/// How the values of a dimension are named.
pub enum Labels {
    /// Organisation ids, named by their short names.
    Orgs,
    /// Codes stored in the column, with their Chinese names.
    Codes(&'static [(&'static str, &'static str)]),
}

/// One dimension the records can be cut by: its code (as in `Meta::dims`), the SQL column and
/// the names of its values.
pub struct Grouping {
    pub dim: &'static str,
    pub column: &'static str,
    pub labels: Labels,
}

impl Grouping {
    /// The unit that holds the case.
    pub const ORG: Grouping = Grouping { dim: "org", column: "c.org_id", labels: Labels::Orgs };
}

pub struct Counted {
    pub meta: Meta,
    /// `FROM …` joining the module's table to `cases c`.
    pub from: &'static str,
    /// The date (`YYYY-MM-DD`) that puts a record in the period.
    pub period: &'static str,
    /// Which records count at all.
    pub base: &'static str,
    pub numerator: &'static str,
    /// For a share: the records it is a share of.
    pub denominator: Option<&'static str>,
    pub groups: &'static [Grouping],
    /// The record's number and title in the drill-down list (SQL).
    pub number: &'static str,
    pub title: &'static str,
    /// The record's page, from the case id.
    pub url: fn(i64) -> String,
}

impl Counted {
    fn group_column(&self, dim: &str) -> &'static str {
        self.groups.iter().find(|g| g.dim == dim).map(|g| g.column).unwrap_or("''")
    }

    /// The records of the period under the reader's scope; as of a day, every table is read as
    /// it stood at its end (`asof`), so the same conditions give the value of that day.
    async fn selection(&self, state: &AppState, p: &Params) -> Result<Q, AppError> {
        let from = match p.as_of {
            None => std::borrow::Cow::Borrowed(self.from),
            Some(day) => std::borrow::Cow::Owned(super::asof::from_as_of(&state.db, self.from, day).await?),
        };
        let w = q(format!("{from} WHERE {} AND {} >= $1 AND {} <= $2", self.base, self.period, self.period)).bind(p.from_str()).bind(p.to_str());
        Ok(p.scope.filter(w, "c.org_id"))
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
        let (n, d) = rows.iter().fold((0, 0), |(n, d), r| (n + r.1.unwrap_or(0), d + r.2.unwrap_or(0)));
        let groups = if dim.is_empty() {
            vec![]
        } else {
            let labels: std::collections::HashMap<String, String> = match self.groups.iter().find(|g| g.dim == dim).map(|g| &g.labels) {
                Some(Labels::Orgs) => {
                    let ids: Vec<i64> = rows.iter().filter_map(|r| r.0.parse().ok()).collect();
                    org_names(state, &ids).await?.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
                }
                Some(Labels::Codes(codes)) => codes.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
                None => Default::default(),
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
        let mut w = self.selection(state, p).await?.push(&format!(" AND {cond}"));
        if let (Some(k), Some(d)) = (key, p.by) {
            w = w.push_bind(&format!(" AND CAST({} AS TEXT) = {{}}", self.group_column(d.code)), k.to_string());
        }
        let cols = format!("c.id, {}, {}, c.org_id, COALESCE({}, '')", self.number, self.title, self.period);
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
                url: (self.url)(id),
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

impl Indicator for Counted {
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
        Some(super::asof::tables_of(self.from))
    }
}
