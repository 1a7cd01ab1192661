//! Staff pages of 法律援助: the register (filtered, exported to XLSX), the counter's application
//! form, a case page (the shared case page with the means test, its basis and any override, the
//! decision and whether it came in time, the provider and the close-out), the roster of providers
//! and the local means threshold (a setting, shown as a local default).

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use crate::auth::{Perm, Staff};
use crate::error::AppError;
use crate::kernel::definition::{Ask, Transition};
use crate::kernel::page::{self, Asks, CaseView, Party, StepError};
use crate::legal_aid::{self, AidRow, ProviderRow};
use crate::legal_aid_rules::{self as rules, LA_CLOSE, LA_HANDLE, LA_REVIEW, PROCEDURE};
use crate::service::Who;
use crate::state::AppState;
use crate::time::today;
use crate::web::extract::{Path, Query};
use crate::web::form::FormData;
use crate::web::{Ctx, Layout, PageError, redirect_flash, redirect_ok, render};

const P: &str = rules::CODE;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/disputes/legal-aid", get(list))
        .route("/disputes/legal-aid/export.xlsx", get(export))
        .route("/disputes/legal-aid/new", get(new_form).post(create))
        .route("/disputes/legal-aid/providers", get(roster).post(add_provider))
        .route("/disputes/legal-aid/threshold", post(set_threshold))
        .route("/disputes/legal-aid/{id}", get(show))
        .route("/disputes/legal-aid/{id}/reveal", post(reveal))
        .route("/disputes/legal-aid/{id}/step/{action}", post(step))
}

/// Who sees the legal-aid register: the roles of the procedure (a provider sees their own
/// cases), and oversight.
pub fn reads(staff: &Staff) -> bool {
    staff.grants.0.iter().any(|g| {
        (g.role.procedures.is_some() && g.role.covers(Some(P)) && (g.role.perms().contains(&Perm::CASE_READ) || g.role.perms().contains(&LA_CLOSE)))
            || g.role.oversight
    })
}

/// Staff who read the whole register of their units (not only the cases assigned to them).
fn whole_register(staff: &Staff) -> bool {
    staff.scope(Perm::CASE_READ, Some(P)) != crate::auth::roles::Scope::Nothing
}

#[derive(Deserialize, Default)]
pub struct Filter {
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub category: String,
}

#[derive(sqlx::FromRow)]
struct ListRow {
    id: i64,
    case_no: String,
    applicant_name: String,
    category: String,
    channel: String,
    received_on: String,
    state: String,
    due_on: Option<String>,
    decided_in_time: Option<bool>,
    closing_code: Option<String>,
    amount_recovered: i64,
    wages_recovered: i64,
}

pub struct Line {
    pub id: i64,
    pub case_no: String,
    pub applicant: String,
    pub category: &'static str,
    pub channel: &'static str,
    pub received: String,
    pub state: &'static str,
    pub due: String,
    pub in_time: &'static str,
    pub closing: &'static str,
    pub amount: i64,
    pub wages: i64,
}

/// The register as filtered, within the reader's units (a provider: their own cases), one query.
async fn rows(state: &AppState, staff: &Staff, f: &Filter, limit: i64) -> Result<Vec<ListRow>, AppError> {
    let whole = whole_register(staff);
    let scope = staff.scope(if whole { Perm::CASE_READ } else { LA_CLOSE }, Some(P));
    let mut query = crate::db::q(
        "SELECT c.id, c.case_no, a.applicant_name, a.category, a.channel, a.received_on, c.state, c.due_on, a.decided_in_time, a.closing_code, a.amount_recovered, a.wages_recovered FROM cases c JOIN legal_aid_cases a ON a.case_id = c.id WHERE c.procedure = 'legal_aid'",
    );
    if PROCEDURE.state(&f.state).is_some() {
        query = query.push_bind(" AND c.state = {}", f.state.clone());
    }
    if !rules::label(rules::CHANNELS, &f.channel).is_empty() {
        query = query.push_bind(" AND a.channel = {}", f.channel.clone());
    }
    if !rules::label(rules::CATEGORIES, &f.category).is_empty() {
        query = query.push_bind(" AND a.category = {}", f.category.clone());
    }
    if !whole {
        query = query.push_bind(" AND a.provider_id IN (SELECT id FROM legal_aid_providers WHERE user_id = {})", staff.id);
    }
    scope.filter(query, "c.org_id").push(&format!(" ORDER BY a.received_on DESC, c.id DESC LIMIT {limit}")).fetch_all(&state.db).await
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "是",
        Some(false) => "否",
        None => "",
    }
}

#[derive(Template)]
#[template(path = "disputes/legal_aid_list.html")]
struct ListPage {
    layout: Layout,
    items: Vec<Line>,
    filter: Filter,
    export: String,
    states: Vec<(&'static str, &'static str)>,
    channels: &'static [(&'static str, &'static str)],
    categories: &'static [(&'static str, &'static str)],
    can_create: bool,
    threshold: i64,
    threshold_default: bool,
    can_set_threshold: bool,
}

async fn list(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(filter): Query<Filter>) -> Result<Response, PageError> {
    if !reads(&staff) {
        return Err(AppError::forbidden("forbidden", "您没有查看法律援助案件的权限").into());
    }
    let items = rows(&state, &staff, &filter, 200)
        .await?
        .into_iter()
        .map(|r| Line {
            id: r.id,
            case_no: r.case_no,
            applicant: crate::privacy::mask_name(&r.applicant_name),
            category: rules::label(rules::CATEGORIES, &r.category),
            channel: rules::label(rules::CHANNELS, &r.channel),
            received: r.received_on,
            state: PROCEDURE.state_name(&r.state),
            due: r.due_on.unwrap_or_default(),
            in_time: yes_no(r.decided_in_time),
            closing: r.closing_code.as_deref().map(|c| rules::label(rules::ALL_CODES, c)).unwrap_or(""),
            amount: r.amount_recovered,
            wages: r.wages_recovered,
        })
        .collect();
    let export = format!("/disputes/legal-aid/export.xlsx?state={}&channel={}&category={}", filter.state, filter.channel, filter.category);
    let (threshold, threshold_default) = legal_aid::threshold(&state.db).await?;
    render(&ListPage {
        layout: Layout::new(&staff, &ctx, "法律援助").crumb("纠纷化解", "/disputes/legal-aid").crumb("法律援助案件", ""),
        items,
        filter,
        export,
        states: PROCEDURE.states.iter().map(|s| (s.code, s.name)).collect(),
        channels: rules::CHANNELS,
        categories: rules::CATEGORIES,
        can_create: staff.scope(LA_HANDLE, Some(P)) != crate::auth::roles::Scope::Nothing,
        threshold,
        threshold_default,
        can_set_threshold: staff.scope(LA_REVIEW, Some(P)) != crate::auth::roles::Scope::Nothing || staff.has(Perm::ADMIN_SETTINGS),
    })
}

const EXPORT_MAX: i64 = 20_000;

/// The register as filtered on screen, as XLSX (names masked, dates as dates).
async fn export(State(state): State<AppState>, staff: Staff, Query(filter): Query<Filter>) -> Result<Response, PageError> {
    if !reads(&staff) {
        return Err(AppError::forbidden("forbidden", "您没有查看法律援助案件的权限").into());
    }
    use crate::tabular::XCell;
    let data: Vec<Vec<XCell>> = rows(&state, &staff, &filter, EXPORT_MAX)
        .await?
        .into_iter()
        .map(|r| {
            vec![
                XCell::Text(r.case_no),
                XCell::Text(crate::privacy::mask_name(&r.applicant_name)),
                XCell::Text(rules::label(rules::CATEGORIES, &r.category).into()),
                XCell::Text(rules::label(rules::CHANNELS, &r.channel).into()),
                XCell::date(Some(r.received_on.as_str())),
                XCell::Text(PROCEDURE.state_name(&r.state).into()),
                XCell::Text(yes_no(r.decided_in_time).into()),
                XCell::Text(r.closing_code.as_deref().map(|c| rules::label(rules::ALL_CODES, c)).unwrap_or("").into()),
                XCell::Int(r.amount_recovered),
                XCell::Int(r.wages_recovered),
            ]
        })
        .collect();
    let filters = [
        ("状态", PROCEDURE.state(&filter.state).map(|s| s.name.to_string()).unwrap_or_default()),
        ("申请方式", rules::label(rules::CHANNELS, &filter.channel).to_string()),
        ("事项", rules::label(rules::CATEGORIES, &filter.category).to_string()),
    ];
    let title = crate::tabular::export_title("法律援助案件", &filters, data.len());
    let header =
        ["案号", "申请人", "事项", "申请方式", "收到日期", "状态", "按期决定", "结案方式", "挽回金额（元）", "其中农民工工资（元）"].map(String::from).to_vec();
    Ok(crate::tabular::export("法律援助案件", &[crate::tabular::Sheet::new("法律援助", Some(title), header, data)])?)
}

struct AidAsks<'a> {
    providers: &'a [ProviderRow],
}

impl Asks for AidAsks<'_> {
    fn value(&self, step: &Transition, a: &Ask) -> String {
        match (step.action, a.name) {
            ("assign", "provider_id") => self.providers.iter().find(|p| p.available).map(|p| p.id.to_string()).unwrap_or_default(),
            _ => String::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "disputes/legal_aid.html")]
struct CasePage {
    layout: Layout,
    cv: CaseView,
    a: AidRow,
    category: &'static str,
    channel: &'static str,
    closing: &'static str,
    provider: String,
    providers: Vec<ProviderRow>,
    show_roster: bool,
}

async fn case_page(state: &AppState, staff: &Staff, ctx: &Ctx, id: i64, revealed: bool, error: Option<(String, AppError)>) -> Result<Response, PageError> {
    let (case, a) = legal_aid::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let who = Who::staff(staff);
    if !legal_aid::may_read(state, &who, &case, &a).await? {
        return Err(crate::kernel::access::not_found().into());
    }
    let path = crate::kernel::access::org_path(state, case.org_id).await?;
    let can_reveal = staff.allows(Perm::PII_VIEW, Some(P), &path);
    let revealed = revealed && can_reveal;
    let cal = state.calendar();
    let day = today();
    let providers = legal_aid::providers_of(&state.db, case.org_id).await?;
    struct Auth<'a>(&'a Who, String);
    impl crate::kernel::engine::Authority for Auth<'_> {
        fn staff_may(&self, perm: Perm) -> bool {
            self.0.allows_in(perm, P, &self.1)
        }
        fn is_filer(&self) -> bool {
            false
        }
        fn is_system(&self) -> bool {
            false
        }
    }
    let flags = BTreeMap::from([("eligible".to_string(), a.computed_eligible), ("migrant_worker".to_string(), a.migrant_worker)]);
    let facts = case.facts(flags);
    let steps = page::step_views(&PROCEDURE, &facts, &Auth(&who, path), day, &cal, &AidAsks { providers: &providers });
    let provider = a
        .provider_id
        .and_then(|pid| providers.iter().find(|p| p.id == pid))
        .map(|p| format!("{}（{}，{}）", p.name, rules::label(rules::PROVIDER_KINDS, &p.kind), p.firm))
        .unwrap_or_default();
    let parties =
        vec![Party::new("申请人", Some(&a.applicant_name), Some(&a.phone), a.address.as_deref(), revealed).id("身份证件", a.id_number.as_deref(), revealed)];
    let show_roster = case.state == "granted";
    let cv = CaseView {
        state_name: PROCEDURE.state_name(&case.state),
        badge: page::badge(&PROCEDURE, &case, "期限", day, &cal),
        tags: vec![],
        parties,
        revealed,
        can_reveal,
        base: format!("/disputes/legal-aid/{id}"),
        multipart: false,
        steps,
        error: error.map(|(act, e)| StepError::new(act, &e)),
        timeline: crate::audit::timeline(&state.db, "case", id).await?,
        documents: vec![],
        attachments: vec![],
        case,
    };
    let bad = cv.bad();
    let mut r = render(&CasePage {
        layout: Layout::new(staff, ctx, format!("法律援助 {}", cv.case.case_no)).crumb("法律援助", "/disputes/legal-aid").crumb(cv.case.case_no.clone(), ""),
        category: rules::label(rules::CATEGORIES, &a.category),
        channel: rules::label(rules::CHANNELS, &a.channel),
        closing: a.closing_code.as_deref().map(|c| rules::label(rules::ALL_CODES, c)).unwrap_or(""),
        provider,
        providers,
        show_roster,
        cv,
        a,
    })?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn show(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    case_page(&state, &staff, &ctx, id, false, None).await
}

async fn reveal(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    let (case, a) = legal_aid::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    if !legal_aid::may_read(&state, &Who::staff(&staff), &case, &a).await? {
        return Err(crate::kernel::access::not_found().into());
    }
    let path = crate::kernel::access::org_path(&state, case.org_id).await?;
    if !staff.allows(Perm::PII_VIEW, Some(P), &path) {
        return Err(AppError::forbidden("pii_forbidden", "您没有查看个人信息原文的权限").into());
    }
    page::log_reveal(&state, staff.actor(), id, "查看法律援助申请人电话、证件号码、住址原文", "电话、证件号码、住址").await?;
    case_page(&state, &staff, &ctx, id, true, None).await
}

async fn step(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path((id, action)): Path<(i64, String)>, form: FormData) -> Result<Response, PageError> {
    let sf = match crate::pages::step_form(&form) {
        Ok(s) => s,
        Err(e) => return case_page(&state, &staff, &ctx, id, false, Some((action, e))).await,
    };
    match legal_aid::step(&state, &Who::staff(&staff), id, form.int("version"), &action, sf).await {
        Ok(c) => Ok(redirect_ok(&format!("/disputes/legal-aid/{id}"), &format!("案件现为“{}”", PROCEDURE.state_name(&c.state)))),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => case_page(&state, &staff, &ctx, id, false, Some((action, e))).await,
        Err(e @ AppError::Conflict { .. }) => Ok(redirect_flash(&format!("/disputes/legal-aid/{id}"), false, &e.user_message())),
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ the counter's form

#[derive(Template)]
#[template(path = "disputes/legal_aid_form.html")]
struct FormPage {
    layout: Layout,
    units: Vec<crate::org::queries::OrgRow>,
    values: BTreeMap<String, String>,
    errors: Vec<crate::error::FieldError>,
    channels: &'static [(&'static str, &'static str)],
    categories: &'static [(&'static str, &'static str)],
    exempt: &'static [(&'static str, &'static str)],
    threshold: i64,
    threshold_default: bool,
}

impl FormPage {
    fn v(&self, k: &str) -> String {
        self.values.get(k).cloned().unwrap_or_default()
    }
    fn err(&self, k: &str) -> String {
        self.errors.iter().filter(|e| e.field == k).map(|e| e.message.clone()).collect::<Vec<_>>().join("；")
    }
}

async fn own_units(state: &AppState, staff: &Staff) -> Result<Vec<crate::org::queries::OrgRow>, AppError> {
    let all = crate::org::queries::of_kinds(&state.db, &[crate::org::OrgKind::Department, crate::org::OrgKind::Unit, crate::org::OrgKind::Town]).await?;
    Ok(all.into_iter().filter(|o| staff.allows(LA_HANDLE, Some(P), &o.path)).collect())
}

async fn form_page(state: &AppState, staff: &Staff, ctx: &Ctx, values: BTreeMap<String, String>, e: Option<AppError>) -> Result<Response, PageError> {
    let bad = e.is_some();
    let (threshold, threshold_default) = legal_aid::threshold(&state.db).await?;
    let mut r = render(&FormPage {
        layout: Layout::new(staff, ctx, "窗口受理法律援助申请").crumb("法律援助", "/disputes/legal-aid").crumb("窗口受理", ""),
        units: own_units(state, staff).await?,
        values,
        errors: e.as_ref().map(|e| e.field_errors().to_vec()).unwrap_or_default(),
        channels: rules::CHANNELS,
        categories: rules::CATEGORIES,
        exempt: rules::EXEMPT,
        threshold,
        threshold_default,
    })?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn new_form(State(state): State<AppState>, staff: Staff, ctx: Ctx) -> Result<Response, PageError> {
    if staff.scope(LA_HANDLE, Some(P)) == crate::auth::roles::Scope::Nothing {
        return Err(AppError::forbidden("forbidden", "您没有受理法律援助申请的权限").into());
    }
    let mut v = BTreeMap::new();
    v.insert("org_id".into(), staff.org_id.to_string());
    v.insert("channel".into(), "counter".into());
    form_page(&state, &staff, &ctx, v, None).await
}

/// What a form (the counter's or the portal's) says.
pub fn new_aid(form: &FormData) -> legal_aid::NewAid {
    let s = |k: &str| form.get(k).map(str::to_string);
    legal_aid::NewAid {
        org_id: form.int("org_id"),
        channel: s("channel"),
        applicant_name: s("applicant_name"),
        phone: s("phone"),
        id_number: s("id_number"),
        address: s("address"),
        category: s("category"),
        opponent: s("opponent"),
        summary: s("summary"),
        migrant_worker: matches!(form.get("migrant_worker"), Some("1" | "on" | "true")),
        household_size: s("household_size"),
        monthly_income: s("monthly_income"),
        exempt_ground: s("exempt_ground"),
        received_on: s("received_on"),
    }
}

async fn create(State(state): State<AppState>, staff: Staff, ctx: Ctx, form: FormData) -> Result<Response, PageError> {
    let values: BTreeMap<String, String> = form.0.iter().filter(|(k, _)| k != "_csrf").cloned().collect();
    let who = Who::staff(&staff);
    match legal_aid::apply(&state, legal_aid::Applicant::Staff(&who), new_aid(&form)).await {
        Ok(c) => Ok(redirect_ok(&format!("/disputes/legal-aid/{}", c.id), &format!("已受理 {}，审查期限 {}", c.case_no, c.due_on.clone().unwrap_or_default()))),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => form_page(&state, &staff, &ctx, values, Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ the roster and the threshold

#[derive(Template)]
#[template(path = "disputes/legal_aid_providers.html")]
struct RosterPage {
    layout: Layout,
    rows: Vec<(String, ProviderRow)>,
    units: Vec<crate::org::queries::OrgRow>,
    kinds: &'static [(&'static str, &'static str)],
    error: String,
}

impl RosterPage {
    fn kind(&self, k: &str) -> &'static str {
        rules::label(rules::PROVIDER_KINDS, k)
    }
}

async fn roster_page(state: &AppState, staff: &Staff, ctx: &Ctx, error: String) -> Result<Response, PageError> {
    if !reads(staff) || !whole_register(staff) {
        return Err(AppError::forbidden("forbidden", "您没有查看法律援助人员名册的权限").into());
    }
    let scope = staff.scope(Perm::CASE_READ, Some(P));
    let q = crate::db::q("SELECT p.id, p.org_id, p.name, p.firm, p.kind, p.user_id, p.relations, p.available FROM legal_aid_providers p WHERE 1=1");
    let list: Vec<ProviderRow> = scope.filter(q, "p.org_id").push(" ORDER BY p.org_id, p.kind, p.name LIMIT 500").fetch_all(&state.db).await?;
    let ids: Vec<i64> = list.iter().map(|m| m.org_id).collect();
    let names = crate::registry_indicators::org_names(state, &ids).await?;
    let bad = !error.is_empty();
    let mut r = render(&RosterPage {
        layout: Layout::new(staff, ctx, "法律援助人员名册").crumb("法律援助", "/disputes/legal-aid").crumb("承办人员名册", ""),
        rows: list.into_iter().map(|m| (names.get(&m.org_id).cloned().unwrap_or_default(), m)).collect(),
        units: own_units(state, staff).await?,
        kinds: rules::PROVIDER_KINDS,
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

async fn add_provider(State(state): State<AppState>, staff: Staff, ctx: Ctx, form: FormData) -> Result<Response, PageError> {
    let g = |k: &str| form.get(k).unwrap_or("").to_string();
    match legal_aid::add_provider(&state, &Who::staff(&staff), form.int("org_id").unwrap_or(0), &g("name"), &g("firm"), &g("kind"), None, &g("relations")).await
    {
        Ok(_) => Ok(redirect_ok("/disputes/legal-aid/providers", "已登记法律援助人员")),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. } | AppError::BadRequest { .. })) => {
            roster_page(&state, &staff, &ctx, e.user_message()).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn set_threshold(State(state): State<AppState>, staff: Staff, form: FormData) -> Result<Response, PageError> {
    if staff.scope(LA_REVIEW, Some(P)) == crate::auth::roles::Scope::Nothing && !staff.has(Perm::ADMIN_SETTINGS) {
        return Err(AppError::forbidden("forbidden", "经济困难标准由司法行政部门或系统管理员设置").into());
    }
    match legal_aid::set_threshold(&state, &Who::staff(&staff), form.get("threshold").unwrap_or("")).await {
        Ok(()) => Ok(redirect_ok("/disputes/legal-aid", "已修改本地经济困难标准；此后的申请按新标准审查")),
        Err(e @ AppError::Invalid { .. }) | Err(e @ AppError::Refused { .. }) => Ok(redirect_flash("/disputes/legal-aid", false, &e.user_message())),
        Err(e) => Err(e.into()),
    }
}
