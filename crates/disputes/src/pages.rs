//! Staff pages of 行政复议: the register (filters, XLSX export), registering a paper application
//! with its day of receipt, and the case page (the shared case page with the application's own
//! facts and its 意见书 / 建议书).

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};

use crate::auth::{Perm, Staff};
use crate::error::{AppError, FieldError};
use crate::kernel::definition::{Ask, Transition};
use crate::kernel::engine;
use crate::kernel::page::{self, Asks, CaseView, DocumentLink, Party, StepError};
use crate::kernel::queries::CaseRow;
use crate::model::{self, Application};
use crate::org::OrgKind;
use crate::org::queries::{self as orgs, OrgRow};
use crate::queries::{self, AppRow, Filter, ListRow};
use crate::roles::RECON_HANDLE;
use crate::rules::{self, PROCEDURE};
use crate::service::{self, StepForm, Who};
use crate::state::AppState;
use crate::time::today;
use crate::web::extract::{Path, Query};
use crate::web::form::FormData;
use crate::web::{Ctx, Layout, Page, PageError, redirect_flash, redirect_ok, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/disputes/reconsideration", get(list))
        .route("/disputes/reconsideration/export.xlsx", get(export))
        .route("/disputes/reconsideration/new", get(new_form).post(create))
        .route("/disputes/reconsideration/{id}", get(show))
        .route("/disputes/reconsideration/{id}/reveal", post(reveal))
        .route("/disputes/reconsideration/{id}/step/{action}", post(step))
}

/// The register's readers: the reconsideration office's roles and the oversight roles (the
/// rule-of-law office, 督察). A department's staff read a case of their unit by its link, but the
/// register is not theirs to browse.
pub fn reads(staff: &Staff) -> bool {
    staff
        .grants
        .0
        .iter()
        .any(|g| g.role.perms().contains(&Perm::CASE_READ) && (g.role.oversight || g.role.procedures.is_some_and(|p| p.contains(&"reconsideration"))))
}

pub struct Line {
    pub id: i64,
    pub case_no: String,
    pub applicant: String,
    pub respondent: String,
    pub act: String,
    pub received: String,
    pub track: &'static str,
    pub state: &'static str,
    pub decision: &'static str,
    pub due_label: String,
    pub due_on: String,
    pub tone: &'static str,
}

fn lines(rows: Vec<ListRow>, state: &AppState) -> Vec<Line> {
    let cal = state.calendar();
    let t = today();
    rows.into_iter()
        .map(|r| {
            let status = if r.is_open {
                engine::DeadlineStatus::of(
                    r.due_on.as_deref().and_then(crate::time::parse_date),
                    r.paused_on.as_deref().and_then(crate::time::parse_date),
                    3,
                    t,
                    &cal,
                )
            } else {
                engine::DeadlineStatus::None
            };
            Line {
                id: r.id,
                case_no: r.case_no,
                applicant: crate::privacy::mask_name(&r.applicant_name),
                respondent: r.respondent_name,
                act: r.act_title,
                received: r.received_on,
                track: r.track.as_deref().map(|t| rules::label(rules::TRACKS, t)).unwrap_or(""),
                state: PROCEDURE.state_name(&r.state),
                decision: r.decision_type.as_deref().filter(|_| r.decided_on.is_some()).map(rules::decision_label).unwrap_or(""),
                due_label: status.label(),
                due_on: if r.is_open { r.due_on.unwrap_or_default() } else { String::new() },
                tone: status.tone(),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "disputes/register.html")]
struct ListPage {
    layout: Layout,
    page: Page<Line>,
    f: Filter,
    query: String,
    base: String,
    states: Vec<(&'static str, &'static str)>,
    decisions: &'static [(&'static str, &'static str)],
    respondents: Vec<OrgRow>,
    can_create: bool,
}

fn query_string(f: &Filter) -> String {
    let mut parts = Vec::new();
    for (k, v) in [("status", &f.status), ("state", &f.state), ("decision", &f.decision), ("from", &f.from), ("to", &f.to), ("q", &f.q)] {
        if let Some(v) = v.as_deref().filter(|s| !s.is_empty()) {
            parts.push(format!("{k}={}", crate::web::urlencode(v)));
        }
    }
    if let Some(r) = f.respondent {
        parts.push(format!("respondent={r}"));
    }
    parts.join("&")
}

async fn list(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(f): Query<Filter>) -> Result<Response, PageError> {
    if !reads(&staff) {
        return Err(AppError::forbidden("forbidden", "您没有查看行政复议案件的权限").into());
    }
    f.check()?;
    let scope = staff.scope(Perm::CASE_READ, Some("reconsideration"));
    let page = queries::list(&state.db, &f, &scope).await?;
    let total = page.total;
    let (p, per) = (page.page, page.per_page);
    let items = lines(page.items, &state);
    render(&ListPage {
        layout: Layout::new(&staff, &ctx, "行政复议登记簿").crumb("行政复议", "/disputes/reconsideration").crumb("登记簿", ""),
        page: Page { items, page: p, per_page: per, total },
        query: query_string(&f),
        base: format!("/disputes/reconsideration?{}&", query_string(&f)),
        states: PROCEDURE.states.iter().map(|s| (s.code, s.name)).collect(),
        decisions: rules::DECISION_CHOICES,
        respondents: orgs::of_kinds(&state.db, &[OrgKind::City, OrgKind::Department, OrgKind::Town, OrgKind::Park]).await?,
        can_create: staff.has(RECON_HANDLE),
        f,
    })
}

async fn export(State(state): State<AppState>, staff: Staff, Query(f): Query<Filter>) -> Result<Response, PageError> {
    if !reads(&staff) {
        return Err(AppError::forbidden("forbidden", "您没有查看行政复议案件的权限").into());
    }
    f.check()?;
    let scope = staff.scope(Perm::CASE_READ, Some("reconsideration"));
    let rows = queries::export(&state.db, &f, &scope, 50_000).await?;
    let header = ["案号", "申请人", "被申请人", "行政行为", "收到日期", "审理程序", "状态", "决定类型", "期限", "期限状态"];
    let data: Vec<Vec<String>> = lines(rows, &state)
        .into_iter()
        .map(|l| vec![l.case_no, l.applicant, l.respondent, l.act, l.received, l.track.into(), l.state.into(), l.decision.into(), l.due_on, l.due_label])
        .collect();
    let bytes = crate::tabular::write_xlsx("行政复议登记簿", &header, &data)?;
    Ok(crate::tabular::xlsx_response(bytes, "行政复议登记簿"))
}

/// The organs that receive applications, for the form.
async fn receivers(state: &AppState) -> Result<Vec<OrgRow>, AppError> {
    orgs::of_kinds(&state.db, &[OrgKind::City, OrgKind::Department]).await
}

#[derive(Template)]
#[template(path = "disputes/application_form.html")]
struct FormPage {
    layout: Layout,
    units: Vec<OrgRow>,
    respondents: Vec<OrgRow>,
    values: BTreeMap<String, String>,
    errors: Vec<FieldError>,
    basis: Vec<String>,
    channels: &'static [(&'static str, &'static str)],
    kinds: &'static [(&'static str, &'static str)],
}

impl FormPage {
    fn v(&self, k: &str) -> String {
        self.values.get(k).cloned().unwrap_or_default()
    }
    fn err(&self, k: &str) -> String {
        self.errors.iter().filter(|e| e.field == k).map(|e| e.message.clone()).collect::<Vec<_>>().join("；")
    }
}

async fn form_page(state: &AppState, staff: &Staff, ctx: &Ctx, values: BTreeMap<String, String>, e: Option<AppError>) -> Result<Response, PageError> {
    let bad = e.is_some();
    let mut r = render(&FormPage {
        layout: Layout::new(staff, ctx, "登记行政复议申请").crumb("行政复议", "/disputes/reconsideration").crumb("登记申请", ""),
        units: receivers(state).await?,
        respondents: orgs::of_kinds(&state.db, &[OrgKind::City, OrgKind::Department, OrgKind::Town, OrgKind::Park]).await?,
        values,
        errors: e.as_ref().map(|e| e.field_errors().to_vec()).unwrap_or_default(),
        basis: e.as_ref().map(|e| e.basis().to_vec()).unwrap_or_default(),
        channels: rules::CHANNELS,
        kinds: model::APPLICANT_KINDS,
    })?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn new_form(State(state): State<AppState>, staff: Staff, ctx: Ctx) -> Result<Response, PageError> {
    staff.require(RECON_HANDLE)?;
    let mut v = BTreeMap::new();
    v.insert("org_id".into(), staff.org_id.to_string());
    v.insert("channel".into(), "letter".into());
    v.insert("received_on".into(), crate::time::fmt_date(today()));
    form_page(&state, &staff, &ctx, v, None).await
}

pub fn application(f: &FormData) -> Application {
    let s = |k: &str| f.get(k).map(str::to_string).filter(|v| !v.trim().is_empty());
    Application {
        org_id: f.int("org_id"),
        channel: s("channel"),
        applicant_name: s("applicant_name"),
        applicant_kind: s("applicant_kind"),
        id_number: s("id_number"),
        phone: s("phone"),
        address: s("address"),
        respondent_org_id: f.int("respondent_org_id"),
        respondent_name: s("respondent_name"),
        act_title: s("act_title"),
        act_doc_no: s("act_doc_no"),
        act_known_on: s("act_known_on"),
        late_reason: s("late_reason"),
        request_text: s("request_text"),
        received_on: s("received_on"),
        idempotency_key: s("idempotency_key"),
    }
}

async fn create(State(state): State<AppState>, staff: Staff, ctx: Ctx, form: FormData) -> Result<Response, PageError> {
    staff.require(RECON_HANDLE)?;
    let values: BTreeMap<String, String> = form.0.iter().filter(|(k, _)| k != "_csrf").cloned().collect();
    match service::register(&state, &Who::staff(&staff), application(&form)).await {
        Ok(r) => Ok(redirect_ok(
            &format!("/disputes/reconsideration/{}", r.case.id),
            &format!("已登记 {}：{}，期限 {}", r.case.case_no, PROCEDURE.state_name(&r.case.state), r.case.due_on.clone().unwrap_or_default()),
        )),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => form_page(&state, &staff, &ctx, values, Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ the case page

struct CaseAsks<'a> {
    a: &'a AppRow,
    case: &'a CaseRow,
}

impl Asks for CaseAsks<'_> {
    fn value(&self, step: &Transition, ask: &Ask) -> String {
        match (step.action, ask.name) {
            ("approve_extension", "days") => self.a.extension_requested_days.map(|d| d.to_string()).unwrap_or_default(),
            ("request_correction", "days") => rules::OLD_CORRECTION_DAYS.to_string(),
            ("propose_decision", "decision_type") => self.a.decision_type.clone().unwrap_or_default(),
            ("propose_decision", "decision_basis") => self.a.decision_basis.clone().unwrap_or_default(),
            ("propose_decision", "decision_text") => self.a.decision_text.clone().unwrap_or_default(),
            ("withdraw", "settled") => "no".into(),
            _ => {
                let _ = self.case;
                String::new()
            }
        }
    }
}

#[derive(Template)]
#[template(path = "disputes/reconsideration.html")]
struct CasePage {
    layout: Layout,
    cv: CaseView,
    a: AppRow,
    unit: String,
    channel: &'static str,
    track: &'static str,
    law: &'static str,
    decision: String,
    reject_ground: &'static str,
    letters: Vec<crate::queries::LetterRow>,
    can_issue: bool,
}

async fn case_page(state: &AppState, staff: &Staff, ctx: &Ctx, id: i64, revealed: bool, error: Option<(String, AppError)>) -> Result<Response, PageError> {
    let (case, a) = queries::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let path = crate::kernel::access::org_path(state, case.org_id).await?;
    if !staff.allows(Perm::CASE_READ, Some("reconsideration"), &path) {
        return Err(crate::kernel::access::not_found().into());
    }
    let who = Who::staff(staff);
    let auth = service::CaseAuthority { who: &who, path: path.clone() };
    let cal = state.calendar();
    let can_reveal = staff.allows(Perm::PII_VIEW, Some("reconsideration"), &path);
    let revealed = revealed && can_reveal;
    let day = today();
    let facts = case.facts(service::flags(&case, &a, day));
    let steps = page::step_views(&PROCEDURE, &facts, &auth, day, &cal, &CaseAsks { a: &a, case: &case });
    let unit = orgs::get(&state.db, case.org_id).await?.map(|o| o.name).unwrap_or_default();
    let party =
        Party::new("申请人", Some(&a.applicant_name), a.phone.as_deref(), a.address.as_deref(), revealed).id("身份证件", a.id_number.as_deref(), revealed);
    let letters = queries::letters_of_case(&state.db, id).await?;
    let documents = letters
        .iter()
        .map(|l| DocumentLink {
            title: format!("{}（{}）", crate::letters::kind_label(&l.kind), l.doc_no),
            url: format!("/disputes/letters/{}", l.id),
            issued: l.issued_on.clone(),
        })
        .collect();
    let received = case.opened_date();
    let mut tags = vec![];
    if received < rules::new_law_from() {
        tags.push(("适用修订前的法律".to_string(), "amber"));
    }
    if a.deemed_accepted {
        tags.push(("视为受理".to_string(), "blue"));
    }
    let cv = CaseView {
        state_name: PROCEDURE.state_name(&case.state),
        badge: page::badge(&PROCEDURE, &case, "期限", day, &cal),
        tags,
        parties: vec![party],
        revealed,
        can_reveal,
        base: format!("/disputes/reconsideration/{id}"),
        multipart: false,
        steps,
        error: error.map(|(action, e)| StepError::new(action, &e)),
        timeline: crate::audit::timeline(&state.db, "case", id).await?,
        documents,
        attachments: crate::files::list(&state.db, "case", id).await?,
        case,
    };
    let bad = cv.bad();
    let decision = a
        .decision_type
        .as_deref()
        .map(|c| match rules::decision_type(c, received) {
            Some(t) => format!("{}（{}）", t.label, t.article),
            None => rules::decision_label(c).to_string(),
        })
        .unwrap_or_default();
    let page = CasePage {
        layout: Layout::new(staff, ctx, format!("行政复议 {}", cv.case.case_no))
            .crumb("行政复议", "/disputes/reconsideration")
            .crumb(cv.case.case_no.clone(), ""),
        unit,
        channel: rules::label(rules::CHANNELS, &a.channel),
        track: a.track.as_deref().map(|t| rules::label(rules::TRACKS, t)).unwrap_or("尚未受理"),
        law: if received < rules::new_law_from() {
            "修订前的《行政复议法》及2007年实施条例（本案2024年1月1日前收到）"
        } else {
            "《行政复议法》（2023年修订）"
        },
        decision,
        reject_ground: a.reject_ground.as_deref().map(|g| rules::label(rules::REJECT_GROUNDS, g)).unwrap_or(""),
        letters,
        can_issue: staff.allows(RECON_HANDLE, Some("reconsideration"), &path),
        cv,
        a,
    };
    let mut resp = render(&page)?;
    if bad {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

async fn show(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    case_page(&state, &staff, &ctx, id, false, None).await
}

async fn reveal(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    let (case, _) = queries::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let path = crate::kernel::access::org_path(&state, case.org_id).await?;
    if !staff.allows(Perm::CASE_READ, Some("reconsideration"), &path) {
        return Err(crate::kernel::access::not_found().into());
    }
    if !staff.allows(Perm::PII_VIEW, Some("reconsideration"), &path) {
        return Err(AppError::forbidden("pii_forbidden", "您没有查看个人信息原文的权限").into());
    }
    page::log_reveal(&state, staff.actor(), id, "查看申请人电话、证件号码、地址原文", "电话、证件号码、地址").await?;
    case_page(&state, &staff, &ctx, id, true, None).await
}

/// Parse a step form (shared with the API's shape).
pub fn step_form(f: &FormData) -> Result<StepForm, AppError> {
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
        Err(e) => return case_page(&state, &staff, &ctx, id, false, Some((action, e))).await,
    };
    match service::step(&state, &Who::staff(&staff), id, form.int("version"), &action, sf).await {
        Ok(case) => {
            let name = PROCEDURE.transitions.iter().find(|t| t.action == action).map(|t| t.name).unwrap_or("");
            Ok(redirect_ok(&format!("/disputes/reconsideration/{id}"), &format!("已{name}：案件现为“{}”", PROCEDURE.state_name(&case.state))))
        }
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => case_page(&state, &staff, &ctx, id, false, Some((action, e))).await,
        Err(e @ AppError::Conflict { .. }) => Ok(redirect_flash(&format!("/disputes/reconsideration/{id}"), false, &e.user_message())),
        Err(e) => Err(e.into()),
    }
}
