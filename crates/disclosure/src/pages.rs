//! Staff pages of disclosure requests: the list, intake of letters and oral applications, the
//! request page with its steps (each refused step says why and cites its article), the letters.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};

use super::model::{self, Application};
use super::queries::{self, Filter, ListRow, RequestRow};
use super::rules::{self, PROCEDURE};
use super::service::{self, StepForm, Who};
use crate::audit;
use crate::auth::{Perm, Staff};
use crate::error::{AppError, FieldError};
use crate::kernel::definition::{Ask, Transition};
use crate::kernel::engine;
use crate::kernel::page::{self, Asks, CaseView, DocumentLink, Party, StepError};
use crate::kernel::queries::CaseRow;
use crate::org::OrgKind;
use crate::org::queries::{self as orgs, OrgRow};
use crate::state::AppState;
use crate::tabular::XCell;
use crate::time::{fmt_datetime, today};
use crate::web::extract::{Path, Query};
use crate::web::form::{FormData, Multipart};
use crate::web::{Ctx, Layout, Page, PageError, redirect_flash, redirect_ok, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/disclosure/requests", get(list))
        .route("/disclosure/requests/new", get(new_form).post(create))
        .route("/disclosure/requests/export.xlsx", get(export))
        .route("/disclosure/requests/{id}", get(show))
        .route("/disclosure/requests/{id}/reveal", post(reveal))
        .route("/disclosure/requests/{id}/step/{action}", post(step))
        .route("/disclosure/requests/{id}/letters/{lid}", get(letter_docx))
}

pub struct Line {
    pub id: i64,
    pub case_no: String,
    pub title: String,
    pub state: &'static str,
    pub unit: String,
    pub applicant_type: &'static str,
    pub applicant: String,
    pub received: String,
    pub outcome: String,
    pub due_label: String,
    pub tone: &'static str,
}

pub async fn lines(state: &AppState, rows: Vec<ListRow>) -> Result<Vec<Line>, AppError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.org_id).collect();
    let names: Vec<(i64, String)> = crate::db::q("SELECT id, short_name FROM orgs WHERE").push_in("id", &ids).fetch_all(&state.db).await?;
    let cal = state.calendar();
    let t = today();
    Ok(rows
        .into_iter()
        .map(|r| {
            let status = if r.is_open {
                // The one "due soon" of the kernel, so that this row, the case page and the
                // 即将超期 filters agree.
                crate::kernel::queries::deadline_status(
                    &PROCEDURE,
                    r.clock_rule.as_deref(),
                    crate::time::local_date(r.opened_at),
                    r.due_on.as_deref().and_then(crate::time::parse_date),
                    r.paused_on.as_deref().and_then(crate::time::parse_date),
                    t,
                    &cal,
                )
            } else {
                engine::DeadlineStatus::None
            };
            let waiting = waiting_for_correction(&r.state, r.correction_due_on.as_deref());
            Line {
                id: r.id,
                case_no: r.case_no,
                title: r.title,
                state: PROCEDURE.state_name(&r.state),
                unit: names.iter().find(|n| n.0 == r.org_id).map(|n| n.1.clone()).unwrap_or_default(),
                applicant_type: rules::applicant_type_label(&r.applicant_type),
                applicant: crate::privacy::mask_name(&r.applicant_name),
                received: r.received_on,
                outcome: r.outcome.as_deref().and_then(rules::outcome).map(outcome_label).unwrap_or_default(),
                tone: if waiting.is_some() { "paused" } else { status.tone() },
                due_label: waiting.unwrap_or_else(|| status.label()),
            }
        })
        .collect())
}

/// While a request waits for the applicant's 补正 the reply clock is stopped (Art. 30): the badge
/// says so and gives the day the 补正 is due, “待申请人补正（补正期限 2026年3月23日）”.
pub fn waiting_for_correction(state: &str, due: Option<&str>) -> Option<String> {
    (state == "correction").then(|| match due.and_then(crate::time::parse_date) {
        Some(d) => format!("待申请人补正（补正期限 {}）", crate::time::fmt_date_cn(d)),
        None => "待申请人补正".to_string(),
    })
}

/// An outcome as people read it: the decision (“不予公开：涉及国家秘密”), not the report's row
/// (“（三）不予公开 1.属于国家秘密”), which stays on the annual report.
pub fn outcome_label(o: &rules::Outcome) -> String {
    o.decision.to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn outcome_labels_read_plainly() {
        let l = |c| super::outcome_label(super::rules::outcome(c).unwrap());
        assert_eq!(l("partial"), "部分公开");
        assert_eq!(l("disclose"), "予以公开");
        assert_eq!(l("withhold_secret"), "不予公开：涉及国家秘密");
        assert!(!l("partial").contains('（'));
    }
}

#[derive(Template)]
#[template(path = "disclosure/requests.html")]
struct ListPage {
    layout: Layout,
    page: Page<Line>,
    f: Filter,
    base: String,
    units: Vec<OrgRow>,
    states: Vec<(&'static str, &'static str)>,
    types: &'static [(&'static str, &'static str)],
    can_create: bool,
    drill: String,
    export: String,
}

/// The list's filter as query parameters (for paging and the export).
fn filter_query(f: &Filter) -> Vec<String> {
    let mut parts = Vec::new();
    for (k, v) in [
        ("state", f.state.clone()),
        ("status", f.status.clone()),
        ("applicant_type", f.applicant_type.clone()),
        ("outcome", f.outcome.clone()),
        ("row", f.row.clone()),
        ("q", f.q.clone()),
    ] {
        if let Some(v) = v.filter(|s| !s.is_empty()) {
            parts.push(format!("{k}={}", crate::web::urlencode(&v)));
        }
    }
    for (k, v) in [("org", f.org), ("year", f.year)] {
        if let Some(v) = v {
            parts.push(format!("{k}={v}"));
        }
    }
    parts
}

/// The most requests one export holds (the title says when the filter selects more).
const EXPORT_MAX: i64 = 100_000;

/// The requests the screen's filter selects, as XLSX with the filter in the title line; the
/// applicant's name masked as on the screen.
async fn export(State(state): State<AppState>, staff: Staff, Query(f): Query<Filter>) -> Result<Response, PageError> {
    let scope = staff.scope(Perm::CASE_READ, Some("disclosure"));
    if scope == crate::auth::roles::Scope::Nothing {
        return Err(AppError::forbidden("forbidden", "您没有查看政府信息公开申请的权限").into());
    }
    let org = match f.org {
        Some(o) => orgs::get(&state.db, o).await?,
        None => None,
    };
    let rows = queries::list_all(&state.db, &f, &scope, org.as_ref().map(|o| o.path.as_str()), EXPORT_MAX + 1).await?;
    let more = rows.len() as i64 > EXPORT_MAX;
    let mut data: Vec<Vec<XCell>> = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(1000).take((EXPORT_MAX / 1000) as usize) {
        let dues: Vec<Option<String>> = chunk.iter().map(|r| r.due_on.clone()).collect();
        for (l, due) in lines(&state, chunk.to_vec()).await?.into_iter().zip(dues) {
            data.push(vec![
                XCell::Text(l.case_no),
                XCell::Text(l.title),
                XCell::Text(l.unit),
                XCell::text(l.applicant_type),
                XCell::Text(l.applicant),
                XCell::date(Some(l.received.as_str())),
                XCell::text(l.state),
                XCell::date(due.as_deref()),
                XCell::Text(l.due_label),
                XCell::Text(l.outcome),
            ]);
        }
    }
    let status = match f.status.as_deref().unwrap_or("open") {
        "closed" => "已办结",
        "all" => "全部",
        _ => "在办",
    };
    let filters = [
        ("范围", if f.row.is_some() { String::new() } else { status.to_string() }),
        ("状态", f.state.as_deref().map(|s| PROCEDURE.state_name(s).to_string()).unwrap_or_default()),
        ("受理机关", org.map(|o| o.name).unwrap_or_default()),
        ("申请人", f.applicant_type.as_deref().map(|t| rules::applicant_type_label(t).to_string()).unwrap_or_default()),
        ("处理结果", f.outcome.as_deref().and_then(rules::outcome).map(outcome_label).unwrap_or_default()),
        ("年度", f.year.map(|y| format!("{y}年")).unwrap_or_default()),
        ("编号或内容", f.q.clone().unwrap_or_default().trim().to_string()),
    ];
    let mut title = crate::tabular::export_title("政府信息公开申请", &filters, data.len());
    if more {
        title.push_str(&format!("。筛选结果超过 {EXPORT_MAX} 条，只导出了前 {EXPORT_MAX} 条，请缩小范围分批导出"));
    }
    let header =
        ["申请编号", "申请内容", "受理机关", "申请人类型", "申请人", "收到日期", "状态", "答复期限", "期限状态", "处理结果"].map(String::from).to_vec();
    Ok(crate::tabular::export("依申请公开", &[crate::tabular::Sheet::new("申请", Some(title), header, data)])?)
}

async fn list(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(f): Query<Filter>) -> Result<Response, PageError> {
    let scope = staff.scope(Perm::CASE_READ, Some("disclosure"));
    if scope == crate::auth::roles::Scope::Nothing {
        return Err(AppError::forbidden("forbidden", "您没有查看政府信息公开申请的权限").into());
    }
    let org_path = match f.org {
        Some(o) => orgs::get(&state.db, o).await?.map(|o| o.path),
        None => None,
    };
    let page = queries::list(&state.db, &f, &scope, org_path.as_deref()).await?;
    let total = page.total;
    let items = lines(&state, page.items).await?;
    let parts = filter_query(&f);
    let drill = match (&f.year, &f.row) {
        (Some(y), Some(r)) => format!(
            "{y}年 · {}{}{}",
            match r.as_str() {
                "received" => "本年新收",
                "carried" => "上年结转",
                "carried_out" => "结转下年",
                _ => "本年办结",
            },
            f.applicant_type.as_deref().map(|t| format!(" · {}", rules::applicant_type_label(t))).unwrap_or_default(),
            f.outcome.as_deref().and_then(rules::outcome).map(|o| format!(" · {}", outcome_label(o))).unwrap_or_default()
        ),
        _ => String::new(),
    };
    render(&ListPage {
        layout: Layout::new(&staff, &ctx, "依申请公开").crumb("政务公开", "/disclosure/requests").crumb("依申请公开", ""),
        page: Page { items, page: page.page, per_page: page.per_page, total },
        export: format!("/disclosure/requests/export.xlsx?{}", parts.join("&")),
        base: format!("/disclosure/requests?{}&", parts.join("&")),
        units: receivers(&state).await?,
        states: PROCEDURE.states.iter().map(|s| (s.code, s.name)).collect(),
        types: rules::APPLICANT_TYPES,
        can_create: staff.has(Perm::CASE_HANDLE),
        drill,
        f,
    })
}

/// The organs that receive applications, for selects.
pub async fn receivers(state: &AppState) -> Result<Vec<OrgRow>, AppError> {
    orgs::of_kinds(&state.db, &[OrgKind::City, OrgKind::Department, OrgKind::Town, OrgKind::Park]).await
}

#[derive(Template)]
#[template(path = "disclosure/request_form.html")]
struct FormPage {
    layout: Layout,
    units: Vec<OrgRow>,
    values: BTreeMap<String, String>,
    errors: Vec<FieldError>,
    basis: Vec<String>,
    types: &'static [(&'static str, &'static str)],
    channels: &'static [(&'static str, &'static str)],
    delivery: &'static [(&'static str, &'static str)],
    id_kinds: &'static [(&'static str, &'static str)],
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
        layout: Layout::new(staff, ctx, "登记政府信息公开申请").crumb("政务公开", "/disclosure/requests").crumb("登记申请", ""),
        units: receivers(state).await?,
        values,
        errors: e.as_ref().map(|e| e.field_errors().to_vec()).unwrap_or_default(),
        basis: e.as_ref().map(|e| e.basis().to_vec()).unwrap_or_default(),
        types: rules::APPLICANT_TYPES,
        channels: &model::CHANNELS[1..],
        delivery: model::DELIVERY,
        id_kinds: model::ID_KINDS,
    })?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn new_form(State(state): State<AppState>, staff: Staff, ctx: Ctx) -> Result<Response, PageError> {
    staff.require(Perm::CASE_HANDLE)?;
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
        applicant_type: s("applicant_type"),
        applicant_name: s("applicant_name"),
        id_kind: s("id_kind"),
        id_number: s("id_number"),
        phone: s("phone"),
        address: s("address"),
        email: s("email"),
        contact_person: s("contact_person"),
        description: s("description"),
        doc_refs: s("doc_refs"),
        purpose: s("purpose"),
        delivery: s("delivery"),
        received_on: s("received_on"),
        idempotency_key: s("idempotency_key"),
    }
}

async fn create(State(state): State<AppState>, staff: Staff, ctx: Ctx, form: Multipart) -> Result<Response, PageError> {
    staff.require(Perm::CASE_HANDLE)?;
    let values: BTreeMap<String, String> = form.fields.0.iter().filter(|(k, _)| k != "_csrf").cloned().collect();
    match service::intake(&state, Who::Staff(&staff), application(&form.fields), form.files.clone()).await {
        Ok(r) => Ok(redirect_ok(
            &format!("/disclosure/requests/{}", r.case.id),
            &format!("已登记申请 {}，答复期限 {}", r.case.case_no, r.case.due_on.clone().unwrap_or_default()),
        )),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => form_page(&state, &staff, &ctx, values, Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ the request page

/// A request's form inputs: the correction period proposed, the days the unit asked for.
struct RequestAsks<'a> {
    r: &'a RequestRow,
}

impl Asks for RequestAsks<'_> {
    fn value(&self, step: &Transition, a: &Ask) -> String {
        match (step.action, a.name) {
            ("approve_extension", "days") => self.r.extension_requested_days.map(|d| d.to_string()).unwrap_or_default(),
            ("request_correction", "days") => rules::CORRECTION_DAYS.to_string(),
            _ => String::new(),
        }
    }
}

/// The steps of a request for whoever looks at it (staff here, the applicant on the portal).
pub fn step_views(case: &CaseRow, r: &RequestRow, auth: &dyn engine::Authority, state: &AppState) -> Vec<page::StepView> {
    let cal = state.calendar();
    let day = today();
    let facts = service::facts(case, r, day, &cal);
    page::step_views(&PROCEDURE, &facts, auth, day, &cal, &RequestAsks { r })
}

/// The request page: the shared case page (kernel::page) with 政务公开's own facts.
#[derive(Template)]
#[template(path = "disclosure/request.html")]
struct RequestPage {
    layout: Layout,
    cv: CaseView,
    r: RequestRow,
    unit: String,
    applicant_type: &'static str,
    channel: &'static str,
    delivery: &'static str,
    email: String,
    outcome: String,
    /// What the reply gave: files (also among the case's attachments) and publications.
    files: Vec<crate::files::AttachmentRow>,
    publications: Vec<queries::LinkedPublication>,
}

async fn request_page(state: &AppState, staff: &Staff, ctx: &Ctx, id: i64, revealed: bool, error: Option<(String, AppError)>) -> Result<Response, PageError> {
    let (case, r) = queries::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let v = service::view(state, Who::Staff(staff), &case, &r).await?;
    if !v.can_read() {
        return Err(crate::kernel::access::not_found().into());
    }
    let auth = v.authority();
    let cal = state.calendar();
    let can_reveal = engine::Authority::staff_may(&auth, Perm::PII_VIEW);
    let revealed = revealed && can_reveal;
    let steps = step_views(&case, &r, &auth, state);
    let unit = orgs::get(&state.db, case.org_id).await?.map(|o| o.name).unwrap_or_default();
    let applicant = match &r.contact_person {
        Some(c) => format!("{}（联系人 {c}）", r.applicant_name),
        None => r.applicant_name.clone(),
    };
    // The postal address and the email are personal data like the phone: masked unless revealed.
    let mut party =
        Party::new("申请人", None, Some(&r.phone), r.address.as_deref(), revealed).id(model::label(model::ID_KINDS, &r.id_kind), Some(&r.id_number), revealed);
    let email = r.email.as_deref().map(|e| if revealed { e.to_string() } else { crate::privacy::mask_email(e) }).unwrap_or_default();
    party.name = applicant;
    let documents = queries::letters(&state.db, id)
        .await?
        .into_iter()
        .map(|l| DocumentLink {
            url: format!("/disclosure/requests/{id}/letters/{}.docx", l.id),
            issued: fmt_datetime(l.issued_at),
            title: format!("{}（DOCX）", l.title),
        })
        .collect();
    let mut badge = page::badge(&PROCEDURE, &case, "答复期限", today(), &cal);
    if let Some(label) = waiting_for_correction(&case.state, r.correction_due_on.as_deref()) {
        badge.tone = "paused";
        badge.label = label;
        badge.reasons.push(format!("答复期限自收到补正之日起重新计算（{}）", rules::ART_30.cite()));
    }
    let files = queries::disclosed_files(&state.db, id).await?;
    let publications = queries::linked_publications(&state.db, id).await?;
    let cv = CaseView {
        state_name: PROCEDURE.state_name(&case.state),
        badge,
        tags: vec![],
        parties: vec![party],
        revealed,
        can_reveal,
        base: format!("/disclosure/requests/{id}"),
        // A reply carries the information as files.
        multipart: true,
        steps,
        error: error.map(|(action, e)| StepError::new(action, &e)),
        timeline: audit::timeline(&state.db, "case", id).await?,
        documents,
        attachments: crate::files::list(&state.db, "case", id).await?,
        case,
    };
    let bad = cv.bad();
    let page = RequestPage {
        layout: Layout::new(staff, ctx, format!("申请 {}", cv.case.case_no)).crumb("政务公开", "/disclosure/requests").crumb(cv.case.case_no.clone(), ""),
        unit,
        applicant_type: rules::applicant_type_label(&r.applicant_type),
        channel: model::label(model::CHANNELS, &r.channel),
        delivery: model::label(model::DELIVERY, &r.delivery),
        email,
        outcome: r.outcome.as_deref().and_then(rules::outcome).map(outcome_label).unwrap_or_default(),
        files,
        publications,
        cv,
        r,
    };
    let mut resp = render(&page)?;
    if bad {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

async fn show(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    request_page(&state, &staff, &ctx, id, false, None).await
}

async fn reveal(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    let (case, r) = queries::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let v = service::view(&state, Who::Staff(&staff), &case, &r).await?;
    if !v.can_read() {
        return Err(crate::kernel::access::not_found().into());
    }
    if !engine::Authority::staff_may(&v.authority(), Perm::PII_VIEW) {
        return Err(AppError::forbidden("pii_forbidden", "您没有查看个人信息原文的权限").into());
    }
    page::log_reveal(&state, staff.actor(), id, "查看申请人电话、证件号码、通信地址、电子邮箱原文", "电话、证件号码、通信地址、电子邮箱").await?;
    request_page(&state, &staff, &ctx, id, true, None).await
}

/// Parse a step form (shared with the portal).
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
    Ok(StepForm { reason: f.get("reason").map(str::to_string).filter(|s| !s.trim().is_empty()), fields, days, files: vec![] })
}

async fn step(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path((id, action)): Path<(i64, String)>, mp: Multipart) -> Result<Response, PageError> {
    let form = mp.fields;
    let sf = match step_form(&form) {
        // The files of a reply are the information it gives.
        Ok(s) => StepForm { files: mp.files, ..s },
        Err(e) => return request_page(&state, &staff, &ctx, id, false, Some((action, e))).await,
    };
    match service::step(&state, Who::Staff(&staff), id, form.int("version"), &action, sf).await {
        Ok(case) => {
            let name = PROCEDURE.transitions.iter().find(|t| t.action == action).map(|t| t.name).unwrap_or("");
            Ok(redirect_ok(&format!("/disclosure/requests/{id}"), &format!("已{name}：申请现为“{}”", PROCEDURE.state_name(&case.state))))
        }
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => request_page(&state, &staff, &ctx, id, false, Some((action, e))).await,
        Err(e @ AppError::Conflict { .. }) => Ok(redirect_flash(&format!("/disclosure/requests/{id}"), false, &e.user_message())),
        Err(e) => Err(e.into()),
    }
}

async fn letter_docx(State(state): State<AppState>, staff: Staff, Path((id, lid)): Path<(i64, String)>) -> Result<Response, PageError> {
    let case = crate::kernel::access::readable_case(&state, &staff, id).await?;
    let lid: i64 = lid.trim_end_matches(".docx").parse().map_err(|_| AppError::not_found("letter_not_found", "文书不存在"))?;
    let l = queries::letter(&state.db, lid).await?.filter(|l| l.case_id == id).ok_or_else(|| AppError::not_found("letter_not_found", "文书不存在"))?;
    let bytes = super::letters::letter_docx(&l, &case.case_no)?;
    Ok(crate::reports::docx::response(bytes, &format!("{}-{}.docx", l.title, case.case_no)))
}
