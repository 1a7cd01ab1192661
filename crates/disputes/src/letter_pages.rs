//! Pages of the 行政复议意见书 and 建议书: the list (issued and received, unanswered and
//! overdue), issuing one, reading one and answering it as the recipient agency.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};

use crate::auth::{Perm, Staff};
use crate::error::{AppError, FieldError};
use crate::letters::{self, KINDS, NewLetter};
use crate::org::OrgKind;
use crate::org::queries::{self as orgs, OrgRow};
use crate::queries::{self, LetterFilter, LetterRow};
use crate::roles::RECON_HANDLE;
use crate::service::Who;
use crate::state::AppState;
use crate::time::{fmt_date, today};
use crate::web::extract::{Path, Query};
use crate::web::form::FormData;
use crate::web::{Ctx, Layout, Page, PageError, redirect_ok, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/disputes/letters", get(list))
        .route("/disputes/letters/new", get(new_form).post(create))
        .route("/disputes/letters/{id}", get(show))
        .route("/disputes/letters/{id}/answer", post(answer))
}

pub struct LetterLine {
    pub l: LetterRow,
    pub kind: &'static str,
    pub issuer: String,
    pub recipient: String,
    pub overdue: bool,
}

async fn line_up(state: &AppState, rows: Vec<LetterRow>) -> Result<Vec<LetterLine>, AppError> {
    let ids: Vec<i64> = rows.iter().flat_map(|l| [l.org_id, l.recipient_org_id]).collect();
    let names = crate::registry_indicators::org_names(state, &ids).await?;
    let t = fmt_date(today());
    Ok(rows
        .into_iter()
        .map(|l| LetterLine {
            kind: letters::kind_label(&l.kind),
            issuer: names.get(&l.org_id).cloned().unwrap_or_default(),
            recipient: names.get(&l.recipient_org_id).cloned().unwrap_or_default(),
            overdue: l.answered_on.is_none() && l.due_on < t,
            l,
        })
        .collect())
}

#[derive(Template)]
#[template(path = "disputes/letters.html")]
struct ListPage {
    layout: Layout,
    page: Page<LetterLine>,
    f: LetterFilter,
    kinds: &'static [(&'static str, &'static str)],
    can_issue: bool,
    base: String,
}

async fn list(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(f): Query<LetterFilter>) -> Result<Response, PageError> {
    let issued = staff.scope(Perm::CASE_READ, Some("reconsideration"));
    let received = staff.scope(Perm::CASE_HANDLE, None);
    if !super::pages::reads(&staff) && received == crate::auth::roles::Scope::Nothing {
        return Err(AppError::forbidden("forbidden", "您没有查看行政复议意见书、建议书的权限").into());
    }
    let page = queries::letters(&state.db, &f, &issued, &received, &fmt_date(today())).await?;
    let (p, per, total) = (page.page, page.per_page, page.total);
    let items = line_up(&state, page.items).await?;
    let base = format!("/disputes/letters?kind={}&status={}&", f.kind.clone().unwrap_or_default(), f.status.clone().unwrap_or_default());
    render(&ListPage {
        layout: Layout::new(&staff, &ctx, "行政复议意见书·建议书").crumb("行政复议", "/disputes/reconsideration").crumb("意见书·建议书", ""),
        page: Page { items, page: p, per_page: per, total },
        kinds: KINDS,
        can_issue: staff.has(RECON_HANDLE),
        base,
        f,
    })
}

#[derive(Template)]
#[template(path = "disputes/letter_form.html")]
struct FormPage {
    layout: Layout,
    units: Vec<OrgRow>,
    recipients: Vec<OrgRow>,
    values: BTreeMap<String, String>,
    errors: Vec<FieldError>,
    basis: Vec<String>,
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
        layout: Layout::new(staff, ctx, "制发意见书或建议书").crumb("行政复议", "/disputes/reconsideration").crumb("制发意见书·建议书", ""),
        units: orgs::of_kinds(&state.db, &[OrgKind::City, OrgKind::Department]).await?,
        recipients: orgs::of_kinds(&state.db, &[OrgKind::City, OrgKind::Department, OrgKind::Town, OrgKind::Park]).await?,
        values,
        errors: e.as_ref().map(|e| e.field_errors().to_vec()).unwrap_or_default(),
        basis: e.as_ref().map(|e| e.basis().to_vec()).unwrap_or_default(),
        kinds: KINDS,
    })?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

#[derive(serde::Deserialize)]
struct NewQuery {
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    case_id: Option<i64>,
}

async fn new_form(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(nq): Query<NewQuery>) -> Result<Response, PageError> {
    staff.require(RECON_HANDLE)?;
    let mut v = BTreeMap::new();
    v.insert("kind".into(), "opinion".into());
    v.insert("org_id".into(), staff.org_id.to_string());
    if let Some(cid) = nq.case_id {
        if let Some((case, a)) = queries::load(&state.db, cid).await? {
            let path = crate::kernel::access::org_path(&state, case.org_id).await?;
            if staff.allows(Perm::CASE_READ, Some("reconsideration"), &path) {
                v.insert("case_id".into(), cid.to_string());
                v.insert("org_id".into(), case.org_id.to_string());
                if let Some(r) = a.respondent_org_id {
                    v.insert("recipient_org_id".into(), r.to_string());
                }
                v.insert("subject".into(), format!("关于{}的行政复议意见", a.act_title));
            }
        }
    }
    form_page(&state, &staff, &ctx, v, None).await
}

async fn create(State(state): State<AppState>, staff: Staff, ctx: Ctx, form: FormData) -> Result<Response, PageError> {
    staff.require(RECON_HANDLE)?;
    let values: BTreeMap<String, String> = form.0.iter().filter(|(k, _)| k != "_csrf").cloned().collect();
    let s = |k: &str| form.get(k).map(str::to_string);
    let l = NewLetter {
        kind: s("kind"),
        org_id: form.int("org_id"),
        case_id: form.int("case_id"),
        recipient_org_id: form.int("recipient_org_id"),
        subject: s("subject"),
        body: s("body"),
    };
    match letters::issue(&state, &Who::staff(&staff), l).await {
        Ok(i) => Ok(redirect_ok(&format!("/disputes/letters/{}", i.id), &format!("已制发 {}，回复期限 {}", i.doc_no, i.due_on))),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => form_page(&state, &staff, &ctx, values, Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "disputes/letter.html")]
struct LetterPage {
    layout: Layout,
    x: LetterLine,
    basis: String,
    can_answer: bool,
    case_no: String,
    error: Option<(String, Vec<String>)>,
}

async fn letter_page(state: &AppState, staff: &Staff, ctx: &Ctx, id: i64, error: Option<AppError>) -> Result<Response, PageError> {
    let who = Who::staff(staff);
    let l = letters::readable(state, &who, id).await?;
    let recipient = crate::kernel::access::org_path(state, l.recipient_org_id).await?;
    let can_answer = l.answered_on.is_none() && who.allows_letter(Perm::CASE_HANDLE, &recipient);
    let case_no = match l.case_id {
        Some(c) => crate::kernel::queries::get(&state.db, c).await?.map(|c| c.case_no).unwrap_or_default(),
        None => String::new(),
    };
    let basis = letters::basis(&l.kind).full();
    let x = line_up(state, vec![l]).await?.pop().ok_or_else(|| AppError::internal("letter"))?;
    let bad = error.is_some();
    let mut r = render(&LetterPage {
        layout: Layout::new(staff, ctx, x.l.doc_no.clone()).crumb("意见书·建议书", "/disputes/letters").crumb(x.l.doc_no.clone(), ""),
        x,
        basis,
        can_answer,
        case_no,
        error: error.map(|e| (e.user_message(), e.basis().to_vec())),
    })?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn show(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    letter_page(&state, &staff, &ctx, id, None).await
}

async fn answer(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>, form: FormData) -> Result<Response, PageError> {
    match letters::answer(&state, &Who::staff(&staff), id, form.int("version"), form.get("answer").map(str::to_string)).await {
        Ok(l) => Ok(redirect_ok(&format!("/disputes/letters/{id}"), &format!("已报送 {} 的纠正（采纳）情况", l.doc_no))),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => letter_page(&state, &staff, &ctx, id, Some(e)).await,
        Err(e) => Err(e.into()),
    }
}
