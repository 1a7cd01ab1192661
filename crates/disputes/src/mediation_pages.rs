//! Staff pages of mediation: the cases of the organisations in scope and a case page (the
//! shared case page with the dispute's source, parties, mediator and agreement).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};

use crate::auth::{Perm, Staff};
use crate::error::AppError;
use crate::kernel::definition::{Ask, Transition};
use crate::kernel::page::{self, Asks, CaseView, Party, StepError};
use crate::mediation::{self, MediationRow, MediatorRow};
use crate::mediation_rules::{self as rules, PROCEDURE};
use crate::service::Who;
use crate::state::AppState;
use crate::time::today;
use crate::web::extract::Path;
use crate::web::form::FormData;
use crate::web::{Ctx, Layout, PageError, redirect_flash, redirect_ok, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/disputes/mediation", get(list))
        .route("/disputes/mediation/export.xlsx", get(export))
        .route("/disputes/mediation/new", get(new_form).post(create))
        .route("/disputes/mediators", get(roster).post(add_mediator))
        .route("/disputes/mediation/{id}", get(show))
        .route("/disputes/mediation/{id}/step/{action}", post(step))
}

/// Who sees the mediation list: staff handling cases of a unit.
pub fn reads(staff: &Staff) -> bool {
    staff.grants.0.iter().any(|g| g.role.covers(Some("mediation")) && g.role.perms().contains(&Perm::CASE_HANDLE))
        || staff.grants.0.iter().any(|g| g.role.oversight)
}

pub struct Line {
    pub id: i64,
    pub case_no: String,
    pub title: String,
    pub source: &'static str,
    pub state: &'static str,
    pub closing: &'static str,
    pub registered: String,
}

#[derive(sqlx::FromRow)]
struct ListRow {
    id: i64,
    case_no: String,
    title: String,
    source: String,
    state: String,
    closing_code: Option<String>,
    registered_on: String,
}

#[derive(serde::Deserialize, Default)]
pub struct Filter {
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub kind: String,
}

#[derive(Template)]
#[template(path = "disputes/mediations.html")]
struct ListPage {
    layout: Layout,
    items: Vec<Line>,
    can_create: bool,
    filter: Filter,
    export: String,
    states: Vec<(&'static str, &'static str)>,
    sources: &'static [(&'static str, &'static str)],
    kinds: &'static [(&'static str, &'static str)],
}

/// The cases as filtered, within the reader's units, in one query.
async fn rows(state: &AppState, staff: &Staff, f: &Filter, limit: i64) -> Result<Vec<ListRow>, AppError> {
    let scope = staff.scope(Perm::CASE_READ, Some("mediation"));
    let mut query = crate::db::q(
        "SELECT c.id, c.case_no, c.title, m.source, c.state, m.closing_code, m.registered_on FROM cases c JOIN mediation_cases m ON m.case_id = c.id WHERE c.procedure = 'mediation'",
    );
    if PROCEDURE.state(&f.state).is_some() {
        query = query.push_bind(" AND c.state = {}", f.state.clone());
    }
    if !rules::label(rules::SOURCES, &f.source).is_empty() {
        query = query.push_bind(" AND m.source = {}", f.source.clone());
    }
    if !rules::label(rules::KINDS, &f.kind).is_empty() {
        query = query.push_bind(" AND m.kind = {}", f.kind.clone());
    }
    scope.filter(query, "c.org_id").push(&format!(" ORDER BY m.registered_on DESC, c.id DESC LIMIT {limit}")).fetch_all(&state.db).await
}

async fn list(
    State(state): State<AppState>,
    staff: Staff,
    ctx: Ctx,
    crate::web::extract::Query(filter): crate::web::extract::Query<Filter>,
) -> Result<Response, PageError> {
    if !reads(&staff) {
        return Err(AppError::forbidden("forbidden", "您没有查看调解案件的权限").into());
    }
    let items = rows(&state, &staff, &filter, 200)
        .await?
        .into_iter()
        .map(|r| Line {
            id: r.id,
            case_no: r.case_no,
            title: r.title,
            source: rules::label(rules::SOURCES, &r.source),
            state: PROCEDURE.state_name(&r.state),
            closing: r.closing_code.as_deref().map(|c| rules::label(rules::CLOSING_CODES, c)).unwrap_or(""),
            registered: r.registered_on,
        })
        .collect();
    let export = format!("/disputes/mediation/export.xlsx?state={}&source={}&kind={}", filter.state, filter.source, filter.kind);
    render(&ListPage {
        layout: Layout::new(&staff, &ctx, "矛盾纠纷调解").crumb("纠纷化解", "/disputes/mediation").crumb("调解案件", ""),
        items,
        can_create: staff.scope(Perm::CASE_HANDLE, Some("mediation")) != crate::auth::roles::Scope::Nothing,
        filter,
        export,
        states: PROCEDURE.states.iter().map(|s| (s.code, s.name)).collect(),
        sources: rules::SOURCES,
        kinds: rules::KINDS,
    })
}

/// The cases as filtered on screen, as XLSX (a title line naming the filter, dates as dates).
async fn export(
    State(state): State<AppState>,
    staff: Staff,
    crate::web::extract::Query(filter): crate::web::extract::Query<Filter>,
) -> Result<Response, PageError> {
    if !reads(&staff) {
        return Err(AppError::forbidden("forbidden", "您没有查看调解案件的权限").into());
    }
    use crate::tabular::XCell;
    let data: Vec<Vec<XCell>> = rows(&state, &staff, &filter, 20_000)
        .await?
        .into_iter()
        .map(|r| {
            vec![
                XCell::Text(r.case_no),
                XCell::Text(r.title),
                XCell::Text(rules::label(rules::SOURCES, &r.source).into()),
                XCell::date(Some(r.registered_on.as_str())),
                XCell::Text(PROCEDURE.state_name(&r.state).into()),
                XCell::Text(r.closing_code.as_deref().map(|c| rules::label(rules::CLOSING_CODES, c)).unwrap_or("").into()),
            ]
        })
        .collect();
    let filters = [
        ("状态", PROCEDURE.state(&filter.state).map(|s| s.name.to_string()).unwrap_or_default()),
        ("来源", rules::label(rules::SOURCES, &filter.source).to_string()),
        ("调解类型", rules::label(rules::KINDS, &filter.kind).to_string()),
    ];
    let title = crate::tabular::export_title("矛盾纠纷调解案件", &filters, data.len());
    let header = ["编号", "纠纷", "来源", "登记日期", "状态", "结案代码"].map(String::from).to_vec();
    Ok(crate::tabular::export("矛盾纠纷调解案件", &[crate::tabular::Sheet::new("调解案件", Some(title), header, data)])?)
}

struct MedAsks<'a> {
    mediators: &'a [MediatorRow],
}

impl Asks for MedAsks<'_> {
    fn value(&self, step: &Transition, a: &Ask) -> String {
        match (step.action, a.name) {
            ("assign", "mediator_id") => self.mediators.iter().find(|m| m.available).map(|m| m.id.to_string()).unwrap_or_default(),
            _ => String::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "disputes/mediation.html")]
struct CasePage {
    layout: Layout,
    cv: CaseView,
    m: MediationRow,
    kind: &'static str,
    source: &'static str,
    closing: &'static str,
    mediator: String,
    mediators: Vec<MediatorRow>,
}

async fn case_page(state: &AppState, staff: &Staff, ctx: &Ctx, id: i64, error: Option<(String, AppError)>) -> Result<Response, PageError> {
    let (case, m) = mediation::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let path = crate::kernel::access::org_path(state, case.org_id).await?;
    if !staff.allows(Perm::CASE_READ, Some("mediation"), &path) {
        return Err(crate::kernel::access::not_found().into());
    }
    let who = Who::staff(staff);
    let cal = state.calendar();
    let day = today();
    let mediators = mediation::mediators_of(&state.db, case.org_id).await?;
    struct Auth<'a>(&'a Who, String);
    impl crate::kernel::engine::Authority for Auth<'_> {
        fn staff_may(&self, perm: Perm) -> bool {
            self.0.allows_in(perm, "mediation", &self.1)
        }
        fn is_filer(&self) -> bool {
            false
        }
        fn is_system(&self) -> bool {
            false
        }
    }
    let facts = case.facts(Default::default());
    let steps = page::step_views(&PROCEDURE, &facts, &Auth(&who, path), day, &cal, &MedAsks { mediators: &mediators });
    let mediator = match m.mediator_id {
        Some(mid) => mediators.iter().find(|x| x.id == mid).map(|x| x.name.clone()).unwrap_or_default(),
        None => String::new(),
    };
    let parties = vec![
        Party::new("一方当事人", Some(&m.party_a), m.party_a_phone.as_deref(), None, false),
        Party::new("另一方当事人", Some(&m.party_b), m.party_b_phone.as_deref(), None, false),
    ];
    let cv = CaseView {
        state_name: PROCEDURE.state_name(&case.state),
        badge: page::badge(&PROCEDURE, &case, "期限", day, &cal),
        tags: vec![],
        parties,
        revealed: false,
        can_reveal: false,
        base: format!("/disputes/mediation/{id}"),
        multipart: false,
        steps,
        error: error.map(|(a, e)| StepError::new(a, &e)),
        timeline: crate::audit::timeline(&state.db, "case", id).await?,
        documents: vec![],
        attachments: vec![],
        case,
    };
    let bad = cv.bad();
    let mut r = render(&CasePage {
        layout: Layout::new(staff, ctx, format!("调解 {}", cv.case.case_no)).crumb("纠纷化解", "/disputes/mediation").crumb(cv.case.case_no.clone(), ""),
        kind: rules::label(rules::KINDS, &m.kind),
        source: rules::label(rules::SOURCES, &m.source),
        closing: m.closing_code.as_deref().map(|c| rules::label(rules::CLOSING_CODES, c)).unwrap_or(""),
        mediator,
        mediators,
        cv,
        m,
    })?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn show(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    case_page(&state, &staff, &ctx, id, None).await
}

async fn step(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path((id, action)): Path<(i64, String)>, form: FormData) -> Result<Response, PageError> {
    let sf = match crate::pages::step_form(&form) {
        Ok(s) => s,
        Err(e) => return case_page(&state, &staff, &ctx, id, Some((action, e))).await,
    };
    match mediation::step(&state, &Who::staff(&staff), id, form.int("version"), &action, sf).await {
        Ok(c) => Ok(redirect_ok(&format!("/disputes/mediation/{id}"), &format!("案件现为“{}”", PROCEDURE.state_name(&c.state)))),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => case_page(&state, &staff, &ctx, id, Some((action, e))).await,
        Err(e @ AppError::Conflict { .. }) => Ok(redirect_flash(&format!("/disputes/mediation/{id}"), false, &e.user_message())),
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ registering and the roster

#[derive(Template)]
#[template(path = "disputes/mediation_form.html")]
struct FormPage {
    layout: Layout,
    units: Vec<crate::org::queries::OrgRow>,
    values: std::collections::BTreeMap<String, String>,
    errors: Vec<crate::error::FieldError>,
    kinds: &'static [(&'static str, &'static str)],
    sources: &'static [(&'static str, &'static str)],
}

impl FormPage {
    fn v(&self, k: &str) -> String {
        self.values.get(k).cloned().unwrap_or_default()
    }
    fn err(&self, k: &str) -> String {
        self.errors.iter().filter(|e| e.field == k).map(|e| e.message.clone()).collect::<Vec<_>>().join("；")
    }
}

/// The units where the person registers disputes (their own and below).
async fn own_units(state: &AppState, staff: &Staff) -> Result<Vec<crate::org::queries::OrgRow>, AppError> {
    let all = crate::org::queries::of_kinds(
        &state.db,
        &[crate::org::OrgKind::City, crate::org::OrgKind::Department, crate::org::OrgKind::Town, crate::org::OrgKind::Park],
    )
    .await?;
    Ok(all.into_iter().filter(|o| staff.allows(Perm::CASE_HANDLE, Some("mediation"), &o.path)).collect())
}

async fn form_page(
    state: &AppState,
    staff: &Staff,
    ctx: &Ctx,
    values: std::collections::BTreeMap<String, String>,
    e: Option<AppError>,
) -> Result<Response, PageError> {
    let bad = e.is_some();
    let mut r = render(&FormPage {
        layout: Layout::new(staff, ctx, "登记矛盾纠纷").crumb("纠纷化解", "/disputes/mediation").crumb("登记纠纷", ""),
        units: own_units(state, staff).await?,
        values,
        errors: e.as_ref().map(|e| e.field_errors().to_vec()).unwrap_or_default(),
        kinds: rules::KINDS,
        sources: rules::SOURCES,
    })?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn new_form(State(state): State<AppState>, staff: Staff, ctx: Ctx) -> Result<Response, PageError> {
    staff.require(Perm::CASE_HANDLE)?;
    let mut v = std::collections::BTreeMap::new();
    v.insert("org_id".into(), staff.org_id.to_string());
    form_page(&state, &staff, &ctx, v, None).await
}

async fn create(State(state): State<AppState>, staff: Staff, ctx: Ctx, form: FormData) -> Result<Response, PageError> {
    staff.require(Perm::CASE_HANDLE)?;
    let values: std::collections::BTreeMap<String, String> = form.0.iter().filter(|(k, _)| k != "_csrf").cloned().collect();
    let s = |k: &str| form.get(k).map(str::to_string);
    let n = mediation::NewMediation {
        org_id: form.int("org_id"),
        kind: s("kind"),
        source: s("source"),
        court_case_no: s("court_case_no"),
        hotline_ticket_no: s("hotline_ticket_no"),
        summary: s("summary"),
        party_a: s("party_a"),
        party_a_phone: s("party_a_phone"),
        party_b: s("party_b"),
        party_b_phone: s("party_b_phone"),
        received_on: s("received_on"),
    };
    match mediation::register(&state, &Who::staff(&staff), n).await {
        Ok(r) => Ok(redirect_ok(
            &format!("/disputes/mediation/{}", r.case.id),
            &format!("已登记 {}，调解期限 {}", r.case.case_no, r.case.due_on.clone().unwrap_or_default()),
        )),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => form_page(&state, &staff, &ctx, values, Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "disputes/mediators.html")]
struct RosterPage {
    layout: Layout,
    rows: Vec<(String, MediatorRow)>,
    units: Vec<crate::org::queries::OrgRow>,
    error: String,
}

async fn roster_page(state: &AppState, staff: &Staff, ctx: &Ctx, error: String) -> Result<Response, PageError> {
    if !reads(staff) {
        return Err(AppError::forbidden("forbidden", "您没有查看调解员名册的权限").into());
    }
    let scope = staff.scope(Perm::CASE_READ, Some("mediation"));
    let q = crate::db::q("SELECT m.id, m.org_id, m.name, m.specialty, m.training, m.available, m.relations FROM mediators m WHERE 1=1");
    let list: Vec<MediatorRow> = scope.filter(q, "m.org_id").push(" ORDER BY m.org_id, m.name LIMIT 500").fetch_all(&state.db).await?;
    let ids: Vec<i64> = list.iter().map(|m| m.org_id).collect();
    let names = crate::registry_indicators::org_names(state, &ids).await?;
    let bad = !error.is_empty();
    let mut r = render(&RosterPage {
        layout: Layout::new(staff, ctx, "调解员名册").crumb("纠纷化解", "/disputes/mediation").crumb("调解员名册", ""),
        rows: list.into_iter().map(|m| (names.get(&m.org_id).cloned().unwrap_or_default(), m)).collect(),
        units: own_units(state, staff).await?,
        error,
    })?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn roster(State(state): State<AppState>, staff: Staff, ctx: Ctx) -> Result<Response, PageError> {
    roster_page(&state, &staff, &ctx, String::new()).await
}

async fn add_mediator(State(state): State<AppState>, staff: Staff, ctx: Ctx, form: FormData) -> Result<Response, PageError> {
    staff.require(Perm::CASE_HANDLE)?;
    let g = |k: &str| form.get(k).unwrap_or("").to_string();
    match mediation::add_mediator(&state, &Who::staff(&staff), form.int("org_id").unwrap_or(0), &g("name"), &g("specialty"), &g("training"), &g("relations"))
        .await
    {
        Ok(_) => Ok(redirect_ok("/disputes/mediators", "已登记调解员")),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. } | AppError::BadRequest { .. })) => {
            roster_page(&state, &staff, &ctx, e.user_message()).await
        }
        Err(e) => Err(e.into()),
    }
}
