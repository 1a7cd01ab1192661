//! Staff pages of enforcement: the case register with its filters and XLSX export, 立案, the
//! case's page on the shared case page (the officers with their certificates, the notice, the
//! hearing, the review, the decision, its service and disclosure), and the officers' roster
//! with the certificates due to expire.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::Duration;

use super::queries::{self, Filter, ListRow, OfficerRow, PenaltyRow};
use super::rules::{self, PROCEDURE};
use super::service::{self, NewPenalty, StepForm, Who};
use crate::audit;
use crate::auth::roles::Scope;
use crate::auth::{Perm, Staff};
use crate::error::{AppError, FieldError};
use crate::kernel::page::{self, CaseView, NoAsks, StepError};
use crate::org::queries::{self as orgs, OrgRow};
use crate::state::AppState;
use crate::time::{fmt_date, parse_date, today};
use crate::web::extract::{Path, Query};
use crate::web::form::FormData;
use crate::web::pagination::Page;
use crate::web::{Ctx, Layout, PageError, redirect_flash, redirect_ok, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/enforcement/cases", get(list))
        .route("/enforcement/cases/new", get(new_form).post(create))
        .route("/enforcement/cases/{id}", get(show))
        .route("/enforcement/cases/{id}/step/{action}", post(step))
        .route("/enforcement/officers", get(officers))
}

fn read_scope(staff: &Staff) -> Result<Scope, AppError> {
    let scope = staff.scope(Perm::CASE_READ, Some(rules::CODE));
    if scope == Scope::Nothing {
        return Err(AppError::forbidden("forbidden", "您没有查看行政处罚案件的权限"));
    }
    Ok(scope)
}

pub struct Line {
    pub id: i64,
    pub case_no: String,
    pub title: String,
    pub unit: String,
    pub field: &'static str,
    pub party: String,
    pub registered_on: String,
    pub due_on: String,
    pub decision_no: String,
    pub fine: String,
    pub disclosed: String,
    pub disclosed_tone: &'static str,
    pub state: &'static str,
}

async fn lines(state: &AppState, rows: Vec<ListRow>) -> Result<Vec<Line>, AppError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.org_id).collect();
    let names: Vec<(i64, String)> = crate::db::q("SELECT id, short_name FROM orgs WHERE").push_in("id", &ids).fetch_all(&state.db).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let (disclosed, disclosed_tone) = match (&r.disclosed_on, r.disclosed_on_time) {
                (Some(d), Some(true)) => (format!("{d} 按期"), "green"),
                (Some(d), _) => (format!("{d} 逾期"), "red"),
                _ => (String::new(), ""),
            };
            Line {
                id: r.id,
                party: r.party_shown(),
                case_no: r.case_no,
                title: r.title,
                unit: names.iter().find(|n| n.0 == r.org_id).map(|n| n.1.clone()).unwrap_or_default(),
                field: rules::label(rules::FIELDS, &r.field),
                registered_on: r.registered_on,
                due_on: r.due_on.unwrap_or_default(),
                decision_no: r.decision_no.unwrap_or_default(),
                fine: r.fine.map(|f| f.to_string()).unwrap_or_default(),
                disclosed,
                disclosed_tone,
                state: PROCEDURE.state_name(&r.state),
            }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "enforcement/cases.html")]
struct ListPage {
    layout: Layout,
    page: Page<Line>,
    f: Filter,
    base: String,
    export: String,
    states: Vec<(&'static str, &'static str)>,
    fields: &'static [(&'static str, &'static str)],
    can_create: bool,
}

async fn list(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(f): Query<Filter>) -> Result<Response, PageError> {
    let scope = read_scope(&staff)?;
    let org_path = match f.org {
        Some(o) => orgs::get(&state.db, o).await?.map(|o| o.path),
        None => None,
    };
    let mut parts = Vec::new();
    for (k, v) in [("q", &f.q), ("state", &f.state), ("field", &f.field), ("from", &f.from), ("to", &f.to)] {
        if let Some(v) = v.as_ref().filter(|s| !s.is_empty()) {
            parts.push(format!("{k}={}", crate::web::urlencode(v)));
        }
    }
    if let Some(o) = f.org {
        parts.push(format!("org={o}"));
    }
    if f.format.as_deref() == Some("xlsx") {
        let rows = lines(&state, queries::export(&state.db, &f, &scope, org_path.as_deref()).await?).await?;
        let header = ["立案编号", "案由", "执法单位", "执法领域", "当事人", "立案日期", "当前期限", "决定书文号", "罚款（元）", "公示", "状态"];
        let data: Vec<Vec<String>> = rows
            .into_iter()
            .map(|l| vec![l.case_no, l.title, l.unit, l.field.into(), l.party, l.registered_on, l.due_on, l.decision_no, l.fine, l.disclosed, l.state.into()])
            .collect();
        let bytes = crate::tabular::write_xlsx("行政处罚案件", &header, &data)?;
        return Ok(crate::tabular::xlsx_response(bytes, "行政处罚案件登记簿"));
    }
    let page = queries::list(&state.db, &f, &scope, org_path.as_deref()).await?;
    let total = page.total;
    let items = lines(&state, page.items).await?;
    render(&ListPage {
        layout: Layout::new(&staff, &ctx, "行政处罚案件").crumb("行政处罚案件", ""),
        page: Page { items, page: page.page, per_page: page.per_page, total },
        base: format!("/enforcement/cases?{}&", parts.join("&")),
        export: format!("/enforcement/cases?{}&format=xlsx", parts.join("&")),
        states: PROCEDURE.states.iter().map(|s| (s.code, s.name)).collect(),
        fields: rules::FIELDS,
        can_create: staff.has(Perm::CASE_HANDLE),
        f,
    })
}

// ------------------------------------------------------------------ 立案

#[derive(Template)]
#[template(path = "enforcement/case_form.html")]
struct FormPage {
    layout: Layout,
    units: Vec<OrgRow>,
    fields: &'static [(&'static str, &'static str)],
    majors: &'static [(&'static str, &'static str)],
    values: BTreeMap<String, String>,
    errors: Vec<FieldError>,
    basis: Vec<String>,
}

impl FormPage {
    fn v(&self, k: &str) -> String {
        self.values.get(k).cloned().unwrap_or_default()
    }
    fn err(&self, k: &str) -> String {
        self.errors.iter().find(|e| e.field == k).map(|e| e.message.clone()).unwrap_or_default()
    }
}

/// The units this person may register cases for.
async fn own_units(state: &AppState, staff: &Staff) -> Result<Vec<OrgRow>, AppError> {
    let all: Vec<OrgRow> = orgs::all(&state.db).await?;
    Ok(all.into_iter().filter(|o| o.active && staff.allows(Perm::CASE_HANDLE, Some(rules::CODE), &o.path)).collect())
}

async fn new_form(State(state): State<AppState>, staff: Staff, ctx: Ctx) -> Result<Response, PageError> {
    let mut values = BTreeMap::new();
    values.insert("registered_on".into(), fmt_date(today()));
    values.insert("org_id".into(), staff.org_id.to_string());
    render(&FormPage {
        layout: Layout::new(&staff, &ctx, "立案").crumb("行政处罚案件", "/enforcement/cases").crumb("立案", ""),
        units: own_units(&state, &staff).await?,
        fields: rules::FIELDS,
        majors: rules::MAJOR,
        values,
        errors: vec![],
        basis: vec![],
    })
}

async fn create(State(state): State<AppState>, staff: Staff, ctx: Ctx, form: FormData) -> Result<Response, PageError> {
    let g = |k: &str| form.get(k).map(str::to_string).filter(|s| !s.trim().is_empty());
    let new = NewPenalty {
        org_id: form.int("org_id"),
        title: g("title"),
        field: g("field"),
        party_kind: g("party_kind"),
        party_name: g("party_name"),
        major: g("major"),
        registered_on: g("registered_on"),
    };
    match service::create(&state, &Who::staff(&staff), new).await {
        Ok(c) => Ok(redirect_ok(&PROCEDURE.case_url(c.id), &format!("已立案：{}，应于 {} 前作出决定", c.case_no, c.due_on.clone().unwrap_or_default()))),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => {
            let values = form.0.iter().cloned().collect();
            let mut resp = render(&FormPage {
                layout: Layout::new(&staff, &ctx, "立案").crumb("行政处罚案件", "/enforcement/cases").crumb("立案", ""),
                units: own_units(&state, &staff).await?,
                fields: rules::FIELDS,
                majors: rules::MAJOR,
                values,
                errors: e.field_errors().to_vec(),
                basis: e.basis().to_vec(),
            })?;
            *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ the case page

#[derive(Template)]
#[template(path = "enforcement/penalty.html")]
struct CasePage {
    layout: Layout,
    cv: CaseView,
    p: PenaltyRow,
    unit: String,
    field: &'static str,
    major: &'static str,
    party: String,
    officers: Vec<(OfficerRow, String)>,
    review_required: bool,
}

async fn case_page(state: &AppState, staff: &Staff, ctx: &Ctx, id: i64, error: Option<(String, AppError)>) -> Result<Response, PageError> {
    let who = Who::staff(staff);
    let (case, p, path) = service::readable(state, &who, id).await?;
    let auth = service::CaseAuthority { who: &who, path };
    let cal = state.calendar();
    let day = today();
    let assigned = queries::assigned(&state.db, id).await?;
    let flags = service::flags(&p, &assigned, &crate::kernel::engine::Input::default(), &case.state, day, &cal);
    let review_required = flags.get("review_required").copied().unwrap_or(false);
    let facts = case.facts(flags);
    let steps = page::step_views(&PROCEDURE, &facts, &auth, day, &cal, &NoAsks);
    let caption = match case.clock_rule.as_deref() {
        Some("service") => "送达期限",
        Some("disclosure") => "公示期限",
        _ => "决定期限",
    };
    let unit = orgs::get(&state.db, case.org_id).await?.map(|o| o.name).unwrap_or_default();
    let mut tags = vec![];
    if review_required {
        tags.push(("应当法制审核".to_string(), "amber"));
    }
    let officers = assigned
        .into_iter()
        .map(|o| {
            let why = service::cannot_enforce(&o, &p.field, day).map(|(_, m)| m).unwrap_or_default();
            (o, why)
        })
        .collect();
    let cv = CaseView {
        state_name: PROCEDURE.state_name(&case.state),
        badge: page::badge(&PROCEDURE, &case, caption, day, &cal),
        tags,
        parties: vec![],
        revealed: false,
        can_reveal: false,
        base: PROCEDURE.case_url(id),
        multipart: false,
        steps,
        error: error.as_ref().map(|(a, e)| StepError::new(a.clone(), e)),
        timeline: audit::timeline(&state.db, "case", id).await?,
        documents: vec![],
        attachments: vec![],
        case,
    };
    let bad = cv.bad();
    let page = CasePage {
        layout: Layout::new(staff, ctx, cv.case.title.clone()).crumb("行政处罚案件", "/enforcement/cases").crumb(cv.case.case_no.clone(), ""),
        cv,
        unit,
        field: rules::label(rules::FIELDS, &p.field),
        major: rules::label(rules::MAJOR, &p.major),
        party: p.party_shown(),
        officers,
        review_required,
        p,
    };
    let mut resp = render(&page)?;
    if bad {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

async fn show(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    case_page(&state, &staff, &ctx, id, None).await
}

/// Parse a step form.
fn step_form(f: &FormData) -> Result<StepForm, AppError> {
    let mut fields = BTreeMap::new();
    for (k, v) in &f.0 {
        if !matches!(k.as_str(), "_csrf" | "reason" | "days" | "version") {
            fields.insert(k.clone(), v.clone());
        }
    }
    let days = match f.get("days").map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(d) => Some(d.parse::<u32>().map_err(|_| AppError::field("days", "not_a_number", "天数必须是正整数"))?),
    };
    Ok(StepForm { reason: f.get("reason").map(str::to_string).filter(|s| !s.trim().is_empty()), fields, days })
}

async fn step(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path((id, action)): Path<(i64, String)>, form: FormData) -> Result<Response, PageError> {
    let sf = match step_form(&form) {
        Ok(s) => s,
        Err(e) => return case_page(&state, &staff, &ctx, id, Some((action, e))).await,
    };
    match service::step(&state, &Who::staff(&staff), id, form.int("version"), &action, sf).await {
        Ok(case) => {
            let name = PROCEDURE.transitions.iter().find(|t| t.action == action).map(|t| t.name).unwrap_or("");
            Ok(redirect_ok(&PROCEDURE.case_url(id), &format!("已{name}：案件现为“{}”", PROCEDURE.state_name(&case.state))))
        }
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => case_page(&state, &staff, &ctx, id, Some((action, e))).await,
        Err(e @ AppError::Conflict { .. }) => Ok(redirect_flash(&PROCEDURE.case_url(id), false, &e.user_message())),
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ the officers' roster

/// Days before expiry at which a certificate is flagged.
pub const EXPIRY_WARNING_DAYS: i64 = 90;

#[derive(Template)]
#[template(path = "enforcement/officers.html")]
struct OfficersPage {
    layout: Layout,
    rows: Vec<(OfficerRow, &'static str, String, &'static str)>,
    certified: usize,
    auxiliaries: usize,
    expiring: usize,
}

async fn officers(State(state): State<AppState>, staff: Staff, ctx: Ctx) -> Result<Response, PageError> {
    let scope = read_scope(&staff)?;
    let list = queries::officers(&state.db, &scope, 2000).await?;
    let day = today();
    let soon = day + Duration::days(EXPIRY_WARNING_DAYS);
    let mut expiring = 0;
    let rows: Vec<_> = list
        .into_iter()
        .map(|o| {
            let (label, tone) = match (o.auxiliary, o.status.as_str(), o.expires_on.as_deref().and_then(parse_date)) {
                (true, _, _) => ("辅助人员（不得独立执法）".to_string(), ""),
                (_, "suspended", _) => ("暂扣".to_string(), "red"),
                (_, "revoked", _) => ("吊销/注销".to_string(), "red"),
                (_, _, Some(e)) if e < day => (format!("已于 {} 过期", fmt_date(e)), "red"),
                (_, _, Some(e)) if e <= soon => {
                    expiring += 1;
                    (format!("{} 到期", fmt_date(e)), "amber")
                }
                _ => ("有效".to_string(), "green"),
            };
            let field = rules::label(rules::FIELDS, o.field.as_deref().unwrap_or(""));
            (o, field, label, tone)
        })
        .collect();
    render(&OfficersPage {
        layout: Layout::new(&staff, &ctx, "执法人员").crumb("行政处罚案件", "/enforcement/cases").crumb("执法人员", ""),
        certified: rows.iter().filter(|r| !r.0.auxiliary).count(),
        auxiliaries: rows.iter().filter(|r| r.0.auxiliary).count(),
        expiring,
        rows,
    })
}
