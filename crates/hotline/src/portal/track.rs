//! Following a ticket: by number and phone without login (`/portal/track`), or as its verified
//! filer (`/portal/track/{no}`, `/portal/mine`), who may also rate the reply. An unknown number
//! and a wrong phone get the very same answer, so numbers cannot be probed.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;

use super::lookup::not_found;
use super::report::PHOTO_PURPOSE;
use super::{FormState, VerifiedCitizen, date_cn, iso_to_display, queries, with_status};
use crate::api::public_status;
use crate::auth::client::ClientAddr;
use crate::auth::{Citizen, MaybeCitizen};
use crate::error::{AppError, FieldError};
use crate::kernel::queries::CaseRow;
use crate::queries::{self as hq, TicketRow};
use crate::rules::EVALUATIONS;
use crate::service::{self, StepForm, Who};
use crate::state::AppState;
use crate::web::extract::{Path, Query};
use crate::web::form::FormData;
use crate::web::{Ctx, Page, PageError, Paging, PortalLayout, redirect_flash, redirect_ok, render};

/// A ticket filed with this citizen's phone, or the not-found answer.
pub async fn own_ticket(state: &AppState, c: &Citizen, no: &str) -> Result<(CaseRow, TicketRow), AppError> {
    let case = crate::kernel::queries::by_number(&state.db, no.trim()).await?.filter(|k| k.procedure == "hotline").ok_or_else(not_found)?;
    let t = hq::ticket(&state.db, case.id).await?.ok_or_else(not_found)?;
    if t.caller_phone.as_deref() != Some(c.phone.as_str()) {
        return Err(not_found());
    }
    Ok((case, t))
}

// ------------------------------------------------------------------ the lookup form

#[derive(Template)]
#[template(path = "portal/track.html")]
struct TrackPage {
    layout: PortalLayout,
    form: FormState,
    /// The not-found answer.
    missing: Option<String>,
}

fn track_page(ctx: &Ctx, c: Option<&Citizen>, form: FormState, missing: Option<String>, status: StatusCode) -> Result<Response, PageError> {
    render(&TrackPage { layout: PortalLayout::new(ctx, "查询办理进度", c), form, missing }).map(|r| with_status(r, status))
}

#[derive(Deserialize)]
pub struct NoQuery {
    no: Option<String>,
}

pub async fn form(ctx: Ctx, MaybeCitizen(c): MaybeCitizen, Query(q): Query<NoQuery>) -> Result<Response, PageError> {
    let form = FormState::default().with("no", q.no.unwrap_or_default().trim());
    track_page(&ctx, c.as_ref(), form, None, StatusCode::OK)
}

pub async fn lookup(
    State(state): State<AppState>,
    ctx: Ctx,
    MaybeCitizen(c): MaybeCitizen,
    ClientAddr(peer): ClientAddr,
    f: FormData,
) -> Result<Response, PageError> {
    let mut form = FormState::from_form(&f);
    let no = f.get("no").unwrap_or("").trim().to_string();
    let phone = f.get("phone").unwrap_or("").trim().to_string();
    if no.is_empty() {
        form.errors.push(FieldError::new("no", "required", "请填写工单编号"));
    }
    if phone.is_empty() {
        form.errors.push(FieldError::new("phone", "required", "请填写登记时留的电话号码"));
    }
    if form.bad() {
        return track_page(&ctx, c.as_ref(), form, None, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let asker = Asker { citizen: c.as_ref(), peer };
    match progress_page(&state, &ctx, &asker, &no, &phone, FormState::default(), None).await {
        Err(PageError(AppError::NotFound { message, .. })) => track_page(&ctx, c.as_ref(), form, Some(message), StatusCode::NOT_FOUND),
        Err(PageError(AppError::RateLimited { message, retry_after_secs })) => {
            let mut r = track_page(&ctx, c.as_ref(), form, Some(message), StatusCode::TOO_MANY_REQUESTS)?;
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            Ok(r)
        }
        other => other,
    }
}

/// Who asks for a ticket's progress: the verified citizen, if any, and the client's address
/// (for the lookup throttle).
struct Asker<'a> {
    citizen: Option<&'a Citizen>,
    peer: Option<std::net::IpAddr>,
}

// ------------------------------------------------------------------ progress

pub struct StepLine {
    pub when: String,
    pub text: String,
}

/// What only the filer sees: what they wrote and sent.
pub struct OwnView {
    pub letter: bool,
    pub subject: String,
    pub category: String,
    pub place: String,
    pub description: String,
    pub photos: Vec<(i64, String)>,
    /// What they wrote with their rating.
    pub comment: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/progress.html")]
struct ProgressPage {
    layout: PortalLayout,
    case_no: String,
    status: &'static str,
    state: String,
    is_open: bool,
    received: String,
    /// The unit handling the matter; none while it waits to be dispatched.
    unit: Option<String>,
    /// The promised date (the handling deadline), while the ticket is open.
    due: String,
    /// The clock stands still while the hotline centre reviews the answer.
    paused: bool,
    closed: String,
    phone: String,
    steps: Vec<StepLine>,
    reply: Option<String>,
    evaluation: Option<String>,
    own: Option<OwnView>,
    can_rate: bool,
    evaluations: &'static [(&'static str, &'static str)],
    form: FormState,
    /// A refused rating: the message and the rule's basis.
    refusal: Option<(String, Vec<String>)>,
}

async fn progress_page(
    state: &AppState,
    ctx: &Ctx,
    asker: &Asker<'_>,
    no: &str,
    phone: &str,
    form: FormState,
    refusal: Option<(String, Vec<String>)>,
) -> Result<Response, PageError> {
    let c = asker.citizen;
    let p = super::lookup::progress(state, no, phone, asker.peer).await?;
    let case = crate::kernel::queries::by_number(&state.db, &p.case_no).await?.ok_or_else(not_found)?;
    let t = hq::ticket(&state.db, case.id).await?.ok_or_else(not_found)?;
    let owner = c.filter(|c| t.caller_phone.as_deref() == Some(c.phone.as_str()));
    let own = match owner {
        Some(_) => {
            let mut ids: Vec<i64> = Vec::new();
            ids.extend(t.town_id);
            ids.extend(t.village_id);
            let names: Vec<(i64, String)> = crate::db::q("SELECT id, name FROM orgs WHERE").push_in("id", &ids).fetch_all(&state.db).await?;
            let name = |id: Option<i64>| id.and_then(|i| names.iter().find(|n| n.0 == i)).map(|n| n.1.clone());
            let mut place: Vec<String> = [name(t.town_id), name(t.village_id)].into_iter().flatten().collect();
            // Unmasked: the filer proved the phone the ticket was filed with.
            place.extend(t.address.clone());
            let category = match t.category_id {
                Some(id) => hq::category(&state.db, id).await?.map(|c| c.name).unwrap_or_default(),
                None => String::new(),
            };
            let photos = crate::files::list(&state.db, "case", case.id)
                .await?
                .into_iter()
                .filter(|a| a.purpose == PHOTO_PURPOSE && a.is_image())
                .map(|a| (a.id, a.filename))
                .collect();
            Some(OwnView {
                letter: t.channel == "mailbox",
                subject: t.subject.clone().unwrap_or_default(),
                category,
                place: place.join(" "),
                description: t.description.clone(),
                photos,
                comment: t.evaluation_comment.clone(),
            })
        }
        None => None,
    };
    let bad = refusal.is_some() || form.bad();
    let r = render(&ProgressPage {
        layout: PortalLayout::new(ctx, format!("工单 {}", p.case_no), c),
        status: public_status(&case.state),
        state: case.state.clone(),
        is_open: case.is_open,
        received: iso_to_display(&p.received_at),
        unit: p.unit.clone(),
        due: if case.is_open { p.due_on.as_deref().map(date_cn).unwrap_or_default() } else { String::new() },
        paused: case.paused_on.is_some(),
        closed: t.closed_at.filter(|_| !case.is_open).map(crate::time::fmt_datetime).unwrap_or_default(),
        phone: t.caller_phone.as_deref().map(crate::privacy::mask_phone).unwrap_or_default(),
        steps: p.steps.iter().map(|s| StepLine { when: iso_to_display(&s.at), text: s.text.clone() }).collect(),
        reply: p.reply.clone(),
        evaluation: p.evaluation.clone(),
        can_rate: owner.is_some() && case.state == "callback",
        own,
        evaluations: EVALUATIONS,
        form,
        refusal,
        case_no: p.case_no,
    })?;
    Ok(if bad { with_status(r, StatusCode::UNPROCESSABLE_ENTITY) } else { r })
}

/// The filer's own view of a ticket (after the phone check).
pub async fn own(
    State(state): State<AppState>,
    ctx: Ctx,
    VerifiedCitizen(c): VerifiedCitizen,
    ClientAddr(peer): ClientAddr,
    Path(no): Path<String>,
) -> Result<Response, PageError> {
    let asker = Asker { citizen: Some(&c), peer };
    match progress_page(&state, &ctx, &asker, &no, c.phone.as_str(), FormState::default(), None).await {
        Err(PageError(AppError::NotFound { message, .. })) => {
            track_page(&ctx, Some(&c), FormState::default().with("no", no.trim()), Some(message), StatusCode::NOT_FOUND)
        }
        other => other,
    }
}

/// The filer rates the reply: 满意 / 基本满意 close the ticket, 不满意 (with the reason) sends
/// it back to be handled again. The procedure's guards decide; a refusal shows its basis.
pub async fn rate(
    State(state): State<AppState>,
    ctx: Ctx,
    VerifiedCitizen(c): VerifiedCitizen,
    Path(no): Path<String>,
    f: FormData,
) -> Result<Response, PageError> {
    let (case, _) = match own_ticket(&state, &c, &no).await {
        Ok(x) => x,
        Err(AppError::NotFound { message, .. }) => {
            return track_page(&ctx, Some(&c), FormState::default().with("no", no.trim()), Some(message), StatusCode::NOT_FOUND);
        }
        Err(e) => return Err(e.into()),
    };
    let mut form = FormState::from_form(&f);
    let evaluation = f.get("evaluation").map(str::trim).filter(|s| !s.is_empty());
    let comment = f.get("comment").map(str::trim).filter(|s| !s.is_empty());
    if comment.is_some_and(|s| s.chars().count() > 500) {
        form.errors.push(FieldError::new("comment", "too_long", "意见不能超过 500 字"));
        return progress_page(&state, &ctx, &Asker { citizen: Some(&c), peer: None }, &case.case_no, c.phone.as_str(), form, None).await;
    }
    let action = if evaluation == Some("dissatisfied") { "rate_reopen" } else { "rate_close" };
    let mut step = StepForm::default();
    if let Some(e) = evaluation {
        step.fields.insert("evaluation".into(), e.to_string());
    }
    if let Some(t) = comment {
        step.fields.insert("comment".into(), t.to_string());
    }
    let url = format!("/portal/track/{}", case.case_no);
    match service::step(&state, Who::Citizen(&c.phone), case.id, None, action, step).await {
        Ok(_) if action == "rate_reopen" => Ok(redirect_ok(&url, "已收到您的评价：不满意。工单已退回承办单位重新办理，办理时限重新计算。")),
        Ok(_) => Ok(redirect_ok(&url, "感谢您的评价，工单已办结。")),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => {
            form.errors = e.field_errors().to_vec();
            let refusal = Some((e.user_message(), e.basis().to_vec()));
            progress_page(&state, &ctx, &Asker { citizen: Some(&c), peer: None }, &case.case_no, c.phone.as_str(), form, refusal).await
        }
        Err(e @ AppError::Conflict { .. }) => Ok(redirect_flash(&url, false, &e.user_message())),
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ my tickets

pub struct MineLine {
    pub case_no: String,
    pub title: String,
    pub status: &'static str,
    pub received: String,
    pub letter: bool,
    pub is_open: bool,
    pub rate: bool,
}

#[derive(Template)]
#[template(path = "portal/mine.html")]
struct MinePage {
    layout: PortalLayout,
    page: Page<MineLine>,
    masked: String,
    base: String,
}

pub async fn mine(State(state): State<AppState>, ctx: Ctx, VerifiedCitizen(c): VerifiedCitizen, Query(paging): Query<Paging>) -> Result<Response, PageError> {
    let paging = Paging { page: paging.page, per: Some(paging.per.unwrap_or(10).min(50)) };
    let page = queries::mine(&state.db, c.phone.as_str(), &paging).await?.map(|r| MineLine {
        status: public_status(&r.state),
        rate: r.state == "callback",
        received: crate::time::fmt_datetime(r.received_at),
        letter: r.channel == "mailbox",
        is_open: r.is_open,
        case_no: r.case_no,
        title: r.title,
    });
    render(&MinePage { layout: PortalLayout::new(&ctx, "我的诉求", Some(&c)), page, masked: c.phone.masked(), base: "/portal/mine?".into() })
}

/// A photo the citizen sent with their own ticket.
pub async fn photo(State(state): State<AppState>, VerifiedCitizen(c): VerifiedCitizen, Path(id): Path<i64>) -> Result<Response, PageError> {
    let missing = || AppError::not_found("file_not_found", "照片不存在");
    let att = crate::files::get(&state.db, id).await?.filter(|a| a.entity == "case" && a.purpose == PHOTO_PURPOSE).ok_or_else(missing)?;
    let t = hq::ticket(&state.db, att.entity_id).await?.ok_or_else(missing)?;
    if t.caller_phone.as_deref() != Some(c.phone.as_str()) {
        return Err(missing().into());
    }
    let bytes = state.files.read(&att.sha256)?;
    Ok(crate::files::download(&att, bytes))
}
