//! `/admin/audit`: the event log filtered by period, operator and record, a page at a time, its
//! XLSX export, and a check of the whole hash chain.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};

use super::log::{self, COUNT_CAP, EXPORT_MAX, Line, LogQuery};
use super::{Verdict, verify};
use crate::auth::{Perm, Staff};
use crate::error::FieldError;
use crate::state::AppState;
use crate::tabular::{Sheet, XCell};
use crate::web::extract::Query;
use crate::web::{Ctx, Layout, PageError, Paging, render};

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/audit", get(list)).route("/admin/audit/export.xlsx", get(export)).route("/admin/audit/verify", post(run_verify))
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    layout: Layout,
    lines: Vec<Line>,
    kinds: Vec<(&'static str, &'static str)>,
    f: LogQuery,
    errors: Vec<FieldError>,
    verdict: Option<(bool, String)>,
    page: i64,
    pages: i64,
    total: i64,
    capped: bool,
    base: String,
    export: String,
}

impl AuditPage {
    fn bad(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }
    /// The filter with one value replaced, for the links in the rows.
    fn with(&self, key: &str, value: &str) -> String {
        let mut f = self.f.clone();
        match key {
            "actor" => f.actor = Some(value.to_string()),
            _ => f.record = Some(value.to_string()),
        }
        format!("/admin/audit?{}", f.query_string())
    }
    /// Every event of one record.
    fn record_link(&self, e: &Line) -> String {
        format!("/admin/audit?entity={}&record={}", crate::web::urlencode(&e.entity), crate::web::urlencode(&e.record_key))
    }
}

async fn page(state: &AppState, staff: &Staff, ctx: &Ctx, f: LogQuery, verdict: Option<(bool, String)>) -> Result<Response, PageError> {
    let paging = Paging { page: f.page, per: f.per.or(Some(50)) };
    let (lines, total, errors) = match log::check(&state.db, &state.registry, &f).await {
        Ok(filter) => {
            let (events, total) = filter.page(&state.db, &paging).await?;
            (log::lines(&state.db, &state.registry, events).await?, total, vec![])
        }
        Err(e) if !e.field_errors().is_empty() => (vec![], 0, e.field_errors().to_vec()),
        Err(e) => return Err(e.into()),
    };
    let query = f.query_string();
    let capped = total > COUNT_CAP;
    let pages = ((total.min(COUNT_CAP) + paging.per() - 1) / paging.per()).max(1);
    let bad = !errors.is_empty();
    let r = render(&AuditPage {
        layout: Layout::new(staff, ctx, "事件日志").crumb("系统管理", "").crumb("事件日志", "/admin/audit"),
        lines,
        kinds: log::kinds(&state.registry).into_iter().map(|k| (k.entity, k.name)).collect(),
        errors,
        verdict,
        page: paging.page(),
        pages,
        total: total.min(COUNT_CAP),
        capped,
        base: format!("/admin/audit?{query}{}", if query.is_empty() { "" } else { "&" }),
        export: format!("/admin/audit/export.xlsx?{query}"),
        f,
    })?;
    Ok(if bad { crate::portal::with_status(r, StatusCode::UNPROCESSABLE_ENTITY) } else { r })
}

async fn list(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(f): Query<LogQuery>) -> Result<Response, PageError> {
    staff.require(Perm::AUDIT_VERIFY)?;
    page(&state, &staff, &ctx, f, None).await
}

/// The filtered log as XLSX: a title line naming the filter and the period, times as times.
async fn export(State(state): State<AppState>, staff: Staff, Query(f): Query<LogQuery>) -> Result<Response, PageError> {
    staff.require(Perm::AUDIT_VERIFY)?;
    let filter = log::check(&state.db, &state.registry, &f).await?;
    let events = filter.all(&state.db).await?;
    let lines = log::lines(&state.db, &state.registry, events).await?;
    let kind = log::kinds(&state.registry).into_iter().find(|k| k.entity == f.entity()).map(|k| k.name.to_string()).unwrap_or_default();
    let mut title = crate::tabular::export_title(
        "事件日志",
        &[
            ("期间", crate::tabular::period(Some(f.from()), Some(f.to()))),
            ("操作人", f.actor().to_string()),
            ("对象类型", kind),
            ("对象", f.record().to_string()),
        ],
        lines.len(),
    );
    if lines.len() as i64 >= EXPORT_MAX {
        title.push_str(&format!("。只导出了最新的 {EXPORT_MAX} 条，请缩小期间分批导出"));
    }
    let header = ["序号", "时间", "操作人", "操作人类型", "对象类型", "对象", "事件", "变更", "理由", "哈希"].map(String::from).to_vec();
    let rows = lines
        .into_iter()
        .map(|l| {
            let changes = l.changes.iter().map(|c| format!("{}：{} → {}", c.0, c.1, c.2)).collect::<Vec<_>>().join("\n");
            vec![
                XCell::Int(l.seq),
                XCell::time_ms(l.at),
                XCell::Text(l.actor),
                XCell::text(l.actor_kind),
                XCell::Text(l.kind),
                XCell::Text(l.record),
                XCell::Text(l.summary),
                XCell::Text(changes),
                l.reason.map(XCell::Text).unwrap_or(XCell::Empty),
                XCell::Text(l.hash),
            ]
        })
        .collect();
    Ok(crate::tabular::export("事件日志", &[Sheet::new("事件日志", Some(title), header, rows)])?)
}

async fn run_verify(State(state): State<AppState>, staff: Staff, ctx: Ctx) -> Result<Response, PageError> {
    staff.require(Perm::AUDIT_VERIFY)?;
    let v = match verify(&state.db).await? {
        Verdict::Intact { events } => (true, format!("校验通过：全部 {events} 条事件的哈希链完整，未发现篡改或删除。")),
        Verdict::Broken { seq, problem } => (false, format!("校验失败：第 {seq} 条事件处断链。{problem}")),
    };
    page(&state, &staff, &ctx, LogQuery::default(), Some(v)).await
}
