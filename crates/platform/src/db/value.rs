//! Values bound to query placeholders, typed so that PostgreSQL also knows the type of a NULL.

use sqlx::postgres::PgArguments;
use sqlx::query::Query;
use sqlx::sqlite::SqliteArguments;
use sqlx::{Postgres, Sqlite};

/// A value for a placeholder. `None` inside a variant is a NULL of that type.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
    Bool(Option<bool>),
    Bytes(Option<Vec<u8>>),
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Val { fn from(v: $t) -> Self { Val::Int(Some(v as i64)) } }
        impl From<Option<$t>> for Val { fn from(v: Option<$t>) -> Self { Val::Int(v.map(|v| v as i64)) } }
    )*};
}
from_int!(i64, i32, u32, u16, u8);

impl From<usize> for Val {
    fn from(v: usize) -> Self {
        Val::Int(Some(i64::try_from(v).unwrap_or(i64::MAX)))
    }
}
impl From<f64> for Val {
    fn from(v: f64) -> Self {
        Val::Real(Some(v))
    }
}
impl From<Option<f64>> for Val {
    fn from(v: Option<f64>) -> Self {
        Val::Real(v)
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Self {
        Val::Bool(Some(v))
    }
}
impl From<Option<bool>> for Val {
    fn from(v: Option<bool>) -> Self {
        Val::Bool(v)
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(Some(v))
    }
}
impl From<&String> for Val {
    fn from(v: &String) -> Self {
        Val::Text(Some(v.clone()))
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(Some(v.to_string()))
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Self {
        Val::Text(v)
    }
}
impl From<Option<&str>> for Val {
    fn from(v: Option<&str>) -> Self {
        Val::Text(v.map(str::to_string))
    }
}
impl From<&Option<String>> for Val {
    fn from(v: &Option<String>) -> Self {
        Val::Text(v.clone())
    }
}
impl From<Vec<u8>> for Val {
    fn from(v: Vec<u8>) -> Self {
        Val::Bytes(Some(v))
    }
}

pub(super) fn bind_sqlite<'q>(mut q: Query<'q, Sqlite, SqliteArguments<'q>>, args: Vec<Val>) -> Query<'q, Sqlite, SqliteArguments<'q>> {
    for a in args {
        q = match a {
            Val::Int(v) => q.bind(v),
            Val::Real(v) => q.bind(v),
            Val::Text(v) => q.bind(v),
            Val::Bool(v) => q.bind(v),
            Val::Bytes(v) => q.bind(v),
        };
    }
    q
}

pub(super) fn bind_pg(mut q: Query<'_, Postgres, PgArguments>, args: Vec<Val>) -> Query<'_, Postgres, PgArguments> {
    for a in args {
        q = match a {
            Val::Int(v) => q.bind(v),
            Val::Real(v) => q.bind(v),
            Val::Text(v) => q.bind(v),
            Val::Bool(v) => q.bind(v),
            Val::Bytes(v) => q.bind(v),
        };
    }
    q
}
