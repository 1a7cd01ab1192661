//! The citizens' side of 政务公开 under `/portal/disclosure`: search over publications and
//! published letters, lists by unit, category and year, each unit's 指南 and 目录 (条例 Art.
//! 12), an Atom feed, and applications for disclosure by a citizen who proved their phone.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::model;
use super::publications::{self as pubs, Category, PubRow};
use super::queries::{self, LetterRow, RequestRow};
use super::rules::{self, PROCEDURE};
use super::search::{self, Hit};
use super::service::{self, Who};
use crate::auth::MaybeCitizen;
use crate::error::{AppError, FieldError};
use crate::org::queries::{self as orgs, OrgRow};
use crate::reports::escape_html;
use crate::state::AppState;
use crate::web::extract::{Path, Query};
use crate::web::form::{FormData, Multipart};
use crate::web::{Ctx, Page, PageError, PortalLayout, redirect_flash, redirect_ok, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal/disclosure", get(home))
        .route("/portal/disclosure/search", get(search_page))
        .route("/portal/disclosure/list", get(list))
        .route("/portal/disclosure/p/{id}", get(publication))
        .route("/portal/disclosure/letters/{id}", get(letter))
        .route("/portal/disclosure/units/{id}", get(unit))
        .route("/portal/disclosure/feed.atom", get(feed))
        .route("/portal/disclosure/files/{id}", get(file))
        .route("/portal/disclosure/apply", get(apply_form).post(apply))
        .route("/portal/disclosure/mine", get(mine))
        .route("/portal/disclosure/requests/{id}", get(request))
        .route("/portal/disclosure/requests/{id}/step/{action}", post(step))
        .route("/portal/disclosure/requests/{id}/letters/{lid}", get(letter_docx))
        .route("/portal/disclosure/requests/{id}/files/{fid}", get(disclosed_file))
}

fn names(units: &[OrgRow], cats: &[Category], org: Option<i64>, cat: Option<i64>) -> (String, String) {
    (
        org.and_then(|o| units.iter().find(|u| u.id == o)).map(|u| u.name.clone()).unwrap_or_default(),
        cat.and_then(|c| cats.iter().find(|x| x.id == c)).map(|c| c.label.clone()).unwrap_or_default(),
    )
}

#[derive(Template)]
#[template(path = "disclosure/portal_home.html")]
struct HomePage {
    layout: PortalLayout,
    units: Vec<OrgRow>,
    categories: Vec<Category>,
    latest: Vec<(PubRow, String)>,
}

async fn home(State(state): State<AppState>, ctx: Ctx, MaybeCitizen(c): MaybeCitizen) -> Result<Response, PageError> {
    let units = super::pages::receivers(&state).await?;
    let page = pubs::list(&state.db, &pubs::Filter { per: Some(10), ..Default::default() }, None, None).await?;
    let latest = page
        .items
        .into_iter()
        .map(|p| (units.iter().find(|u| u.id == p.org_id).map(|u| u.short_name.clone()).unwrap_or_default(), p))
        .map(|(u, p)| (p, u))
        .collect();
    render(&HomePage { layout: PortalLayout::new(&ctx, "政务公开", c.as_ref()), categories: pubs::categories(&state.db).await?, units, latest })
}

/// The search form as typed: the filters are checked by [`search::RawFilters`], so that a bad
/// value comes back on its field instead of failing the whole query string.
#[derive(Deserialize, Default)]
struct SearchQuery {
    q: Option<String>,
    org: Option<String>,
    category: Option<String>,
    kind: Option<String>,
    from: Option<String>,
    to: Option<String>,
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    page: Option<i64>,
}

pub struct HitView {
    pub hit: Hit,
    pub href: String,
    pub unit: String,
    pub category: String,
}

#[derive(Template)]
#[template(path = "disclosure/portal_search.html")]
struct SearchPage {
    layout: PortalLayout,
    q: String,
    sq: SearchQuery,
    hits: Vec<HitView>,
    total: i64,
    capped: bool,
    units: Vec<OrgRow>,
    /// The catalogue by the article and level it comes from (条例 Art. 20, Art. 21).
    category_groups: Vec<(&'static str, Vec<Category>)>,
    /// The filters in force, in words.
    chosen: Vec<String>,
    /// The same search without the filters.
    unfiltered: String,
    page: i64,
    next: String,
    prev: String,
    took_ms: u128,
    /// Bad values, each on its field, in the order of the form.
    errors: Vec<FieldError>,
    /// The unit and category chosen, when valid.
    org: Option<i64>,
    category: Option<i64>,
}

impl SearchPage {
    fn bad(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    /// A filter (not the words) is wrong: the filters open to show it.
    fn filters_bad(&self) -> bool {
        self.errors.iter().any(|e| e.field != "q")
    }

    /// A value the form cannot offer as a choice, kept as typed with its error beside it.
    fn kept(&self, field: &str) -> String {
        let raw = match field {
            "org" => &self.sq.org,
            "category" => &self.sq.category,
            _ => &self.sq.kind,
        };
        if self.bad(field) { raw.clone().unwrap_or_default() } else { String::new() }
    }
}

/// The catalogue grouped for a picker: every organ's items, the city's, the towns', local ones.
fn category_groups(cats: &[Category]) -> Vec<(&'static str, Vec<Category>)> {
    let groups = [("all", "各级行政机关（第二十条）"), ("county", "市政府及部门（第二十一条）"), ("town", "乡镇人民政府（第二十一条）"), ("local", "本地增设")];
    groups.iter().map(|(scope, title)| (*title, cats.iter().filter(|c| c.scope == *scope).cloned().collect::<Vec<_>>())).filter(|g| !g.1.is_empty()).collect()
}

async fn search_page(State(state): State<AppState>, ctx: Ctx, MaybeCitizen(c): MaybeCitizen, Query(sq): Query<SearchQuery>) -> Result<Response, PageError> {
    let q = sq.q.clone().unwrap_or_default();
    let per = 10;
    let page = sq.page.unwrap_or(1).clamp(1, 100);
    let raw = search::RawFilters {
        org: sq.org.as_deref(),
        category: sq.category.as_deref(),
        kind: sq.kind.as_deref(),
        from: sq.from.as_deref(),
        to: sq.to.as_deref(),
    };
    let t0 = std::time::Instant::now();
    // Bad filters, a bad date or an over-long query are shown on their fields of the form, which
    // keeps what was typed (422).
    let parsed = raw.parse(&q);
    let f = parsed.as_ref().cloned().unwrap_or_default();
    let found = match parsed {
        Ok(f) => search::search(&state.db, &q, &f, per, (page - 1) * per).await,
        Err(e) => Err(e),
    };
    let (r, errors) = match found {
        Ok(r) => (r, vec![]),
        Err(AppError::Invalid { fields, .. }) => (search::Results { hits: vec![], total: 0, capped: false }, fields),
        Err(e) => return Err(e.into()),
    };
    let took_ms = t0.elapsed().as_millis();
    let units = super::pages::receivers(&state).await?;
    let cats = pubs::categories(&state.db).await?;
    let hits = r
        .hits
        .into_iter()
        .map(|h| {
            let (unit, category) = names(&units, &cats, h.org_id, h.category_id);
            let href = if h.kind == "letter" { format!("/portal/disclosure/letters/{}", h.ref_id) } else { format!("/portal/disclosure/p/{}", h.ref_id) };
            HitView { hit: h, href, unit, category }
        })
        .collect();
    let mut base = vec![format!("q={}", crate::web::urlencode(&q))];
    for (k, v) in [("org", f.org_id), ("category", f.category_id)] {
        if let Some(v) = v {
            base.push(format!("{k}={v}"));
        }
    }
    for (k, v) in [("kind", &sq.kind), ("from", &sq.from), ("to", &sq.to)] {
        if let Some(v) = v.as_deref().filter(|s| !s.is_empty()) {
            base.push(format!("{k}={}", crate::web::urlencode(v)));
        }
    }
    let base = format!("/portal/disclosure/search?{}", base.join("&"));
    let mut chosen = Vec::new();
    let (unit, category) = names(&units, &cats, f.org_id, f.category_id);
    chosen.extend([unit, category].into_iter().filter(|s| !s.is_empty()));
    match sq.kind.as_deref() {
        Some("publication") => chosen.push("政府信息".into()),
        Some("letter") => chosen.push("市长信箱".into()),
        _ => {}
    }
    match (sq.from.as_deref().filter(|s| !s.is_empty()), sq.to.as_deref().filter(|s| !s.is_empty())) {
        (Some(a), Some(b)) => chosen.push(format!("{a} 至 {b}")),
        (Some(a), None) => chosen.push(format!("{a} 起")),
        (None, Some(b)) => chosen.push(format!("至 {b}")),
        (None, None) => {}
    }
    let unfiltered = format!("/portal/disclosure/search?q={}", crate::web::urlencode(&q));
    let invalid = !errors.is_empty();
    let mut resp = render(&SearchPage {
        layout: PortalLayout::new(&ctx, if q.is_empty() { "搜索".to_string() } else { format!("搜索：{q}") }, c.as_ref()),
        next: if page * per < r.total { format!("{base}&page={}", page + 1) } else { String::new() },
        prev: if page > 1 { format!("{base}&page={}", page - 1) } else { String::new() },
        q,
        sq,
        hits,
        total: r.total,
        capped: r.capped,
        units,
        category_groups: category_groups(&cats),
        chosen,
        unfiltered,
        page,
        took_ms,
        errors,
        org: f.org_id,
        category: f.category_id,
    })?;
    if invalid {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

#[derive(Template)]
#[template(path = "disclosure/portal_list.html")]
struct ListPage {
    layout: PortalLayout,
    title: String,
    page: Page<PubRow>,
    base: String,
    f: pubs::Filter,
    units: Vec<OrgRow>,
    categories: Vec<Category>,
}

async fn list(State(state): State<AppState>, ctx: Ctx, MaybeCitizen(c): MaybeCitizen, Query(mut f): Query<pubs::Filter>) -> Result<Response, PageError> {
    f.state = None;
    f.indicator = None;
    let page = pubs::list(&state.db, &f, None, None).await?;
    let units = super::pages::receivers(&state).await?;
    let cats = pubs::categories(&state.db).await?;
    let (u, k) = names(&units, &cats, f.org, f.category);
    let title = [u, k, f.year.map(|y| format!("{y}年")).unwrap_or_default()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ");
    let mut parts = Vec::new();
    for (k, v) in [("org", f.org), ("category", f.category), ("year", f.year)] {
        if let Some(v) = v {
            parts.push(format!("{k}={v}"));
        }
    }
    render(&ListPage {
        layout: PortalLayout::new(&ctx, "主动公开目录", c.as_ref()),
        title: if title.is_empty() { "全部主动公开信息".into() } else { title },
        base: format!("/portal/disclosure/list?{}&", parts.join("&")),
        page,
        f,
        units,
        categories: cats,
    })
}

#[derive(Template)]
#[template(path = "disclosure/portal_pub.html")]
struct PubPage {
    layout: PortalLayout,
    p: PubRow,
    unit: String,
    doc: super::pub_pages::DocHead,
    attachments: Vec<crate::files::AttachmentRow>,
}

/// A publication as a government website shows it: its catalogue data above the text, the
/// organ and date below it, and a page that prints as the document (print CSS).
async fn publication(State(state): State<AppState>, ctx: Ctx, MaybeCitizen(c): MaybeCitizen, Path(id): Path<i64>) -> Result<Response, PageError> {
    let p = pubs::get(&state.db, id)
        .await?
        .filter(|p| p.state == "published")
        .ok_or_else(|| AppError::not_found("publication_not_found", "该信息不存在或已撤回"))?;
    let doc = super::pub_pages::DocHead::load(&state, &p).await?;
    render(&PubPage {
        layout: PortalLayout::new(&ctx, p.title.clone(), c.as_ref()),
        unit: orgs::get(&state.db, p.org_id).await?.map(|o| o.name).unwrap_or_default(),
        doc,
        attachments: crate::files::list(&state.db, "publication", id).await?,
        p,
    })
}

#[derive(Template)]
#[template(path = "disclosure/portal_letter.html")]
struct LetterPage {
    layout: PortalLayout,
    title: String,
    published_on: String,
    body: String,
}

async fn letter(State(state): State<AppState>, ctx: Ctx, MaybeCitizen(c): MaybeCitizen, Path(id): Path<i64>) -> Result<Response, PageError> {
    let row: Option<(String, String, String)> =
        crate::db::q("SELECT title, body, published_on FROM search_docs WHERE kind = 'letter' AND ref_id = $1").bind(id).fetch_optional(&state.db).await?;
    let (title, body, published_on) = row.ok_or_else(|| AppError::not_found("letter_not_found", "该信件未公开"))?;
    let (title, body) = (search::published_letter_text("letter", &title), search::published_letter_text("letter", &body));
    render(&LetterPage { layout: PortalLayout::new(&ctx, title.clone(), c.as_ref()), title, published_on, body })
}

#[derive(Template)]
#[template(path = "disclosure/portal_unit.html")]
struct UnitPage {
    layout: PortalLayout,
    org: OrgRow,
    categories: Vec<(Category, i64)>,
    page: Page<PubRow>,
    base: String,
}

/// A unit's 指南 (how to get information from it) and 目录 (what it has published).
async fn unit(
    State(state): State<AppState>,
    ctx: Ctx,
    MaybeCitizen(c): MaybeCitizen,
    Path(id): Path<i64>,
    Query(f): Query<pubs::Filter>,
) -> Result<Response, PageError> {
    let org = orgs::get(&state.db, id).await?.filter(|o| service::may_receive(o.kind())).ok_or_else(|| AppError::not_found("org_not_found", "单位不存在"))?;
    let counts: Vec<(i64, i64)> =
        crate::db::q("SELECT category_id, COUNT(*) FROM disclosure_publications WHERE org_id = $1 AND state = 'published' GROUP BY category_id")
            .bind(id)
            .fetch_all(&state.db)
            .await?;
    let town = org.kind().is_town_level();
    let categories = pubs::categories(&state.db)
        .await?
        .into_iter()
        .filter(|c| c.scope == "all" || c.scope == "local" || (c.scope == "town") == town)
        .map(|c| {
            let n = counts.iter().find(|x| x.0 == c.id).map(|x| x.1).unwrap_or(0);
            (c, n)
        })
        .collect();
    let f = pubs::Filter { org: Some(id), category: f.category, year: f.year, page: f.page, ..Default::default() };
    let page = pubs::list(&state.db, &f, None, None).await?;
    render(&UnitPage {
        layout: PortalLayout::new(&ctx, format!("{} 政府信息公开", org.name), c.as_ref()),
        base: format!("/portal/disclosure/units/{id}?{}", f.category.map(|c| format!("category={c}&")).unwrap_or_default()),
        categories,
        page,
        org,
    })
}

/// Atom feed of the newest publications (optionally of one unit or category).
async fn feed(State(state): State<AppState>, Query(f): Query<pubs::Filter>) -> Result<Response, PageError> {
    let f = pubs::Filter { org: f.org, category: f.category, per: Some(50), ..Default::default() };
    let page = pubs::list(&state.db, &f, None, None).await?;
    let base = state.config.server.public_url.trim_end_matches('/').to_string();
    let updated = page.items.first().and_then(|p| p.published_on.clone()).unwrap_or_else(|| crate::time::fmt_date(crate::time::today()));
    let mut x = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>示范市政府信息主动公开</title><id>{base}/portal/disclosure</id><link rel=\"self\" href=\"{base}/portal/disclosure/feed.atom\"/><updated>{updated}T00:00:00+08:00</updated>"
    );
    for p in &page.items {
        let summary: String = p.body.chars().take(200).collect();
        x.push_str(&format!(
            "<entry><title>{}</title><id>{base}/portal/disclosure/p/{}</id><link href=\"{base}/portal/disclosure/p/{}\"/><updated>{}T00:00:00+08:00</updated><summary>{}</summary></entry>",
            escape_html(&p.title),
            p.id,
            p.id,
            p.published_on.clone().unwrap_or_default(),
            escape_html(&summary)
        ));
    }
    x.push_str("</feed>");
    Ok(([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], x).into_response())
}

/// An attachment of a published publication.
async fn file(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Response, PageError> {
    let att =
        crate::files::get(&state.db, id).await?.filter(|a| a.entity == "publication").ok_or_else(|| AppError::not_found("file_not_found", "附件不存在"))?;
    let p = pubs::get(&state.db, att.entity_id).await?;
    let public = p.as_ref().is_some_and(|p| p.state == "published");
    if !public {
        return Err(AppError::not_found("file_not_found", "附件不存在").into());
    }
    let bytes = state.files.read(&att.sha256)?;
    Ok(crate::files::download(&att, bytes))
}

// ------------------------------------------------------------------ applications

#[derive(Template)]
#[template(path = "disclosure/portal_apply.html")]
struct ApplyPage {
    layout: PortalLayout,
    units: Vec<OrgRow>,
    values: BTreeMap<String, String>,
    errors: Vec<FieldError>,
    basis: Vec<String>,
    types: &'static [(&'static str, &'static str)],
    delivery: &'static [(&'static str, &'static str)],
    phone: String,
}

impl ApplyPage {
    fn v(&self, k: &str) -> String {
        self.values.get(k).cloned().unwrap_or_default()
    }
    fn err(&self, k: &str) -> String {
        self.errors.iter().filter(|e| e.field == k).map(|e| e.message.clone()).collect::<Vec<_>>().join("；")
    }
}

fn login_redirect(next: &str) -> Response {
    Redirect::to(&format!("/portal/login?next={}", crate::web::urlencode(next))).into_response()
}

async fn apply_form(
    State(state): State<AppState>,
    ctx: Ctx,
    MaybeCitizen(c): MaybeCitizen,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let Some(c) = c else { return Ok(login_redirect("/portal/disclosure/apply")) };
    let mut values = BTreeMap::new();
    values.insert("applicant_type".into(), "natural".into());
    values.insert("delivery".into(), "online".into());
    if let Some(o) = q.get("org") {
        values.insert("org_id".into(), o.clone());
    }
    render(&ApplyPage {
        layout: PortalLayout::new(&ctx, "申请政府信息公开", Some(&c)),
        units: super::pages::receivers(&state).await?,
        values,
        errors: vec![],
        basis: vec![],
        types: rules::APPLICANT_TYPES,
        delivery: model::DELIVERY,
        phone: c.phone.masked(),
    })
}

async fn apply(State(state): State<AppState>, ctx: Ctx, MaybeCitizen(c): MaybeCitizen, form: Multipart) -> Result<Response, PageError> {
    let Some(c) = c else { return Ok(login_redirect("/portal/disclosure/apply")) };
    let app = super::pages::application(&form.fields);
    match service::intake(&state, Who::Citizen(&c.phone), app, form.files.clone()).await {
        Ok(r) => Ok(redirect_ok(
            &format!("/portal/disclosure/requests/{}", r.case.id),
            &format!("申请已提交，编号 {}。答复期限为收到申请之日起20个工作日", r.case.case_no),
        )),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => {
            let mut r = render(&ApplyPage {
                layout: PortalLayout::new(&ctx, "申请政府信息公开", Some(&c)),
                units: super::pages::receivers(&state).await?,
                values: form.fields.0.iter().filter(|(k, _)| k != "_csrf").cloned().collect(),
                errors: {
                    let mut errors = e.field_errors().to_vec();
                    form.fields.order_errors(&mut errors);
                    errors
                },
                basis: e.basis().to_vec(),
                types: rules::APPLICANT_TYPES,
                delivery: model::DELIVERY,
                phone: c.phone.masked(),
            })?;
            *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "disclosure/portal_mine.html")]
struct MinePage {
    layout: PortalLayout,
    items: Vec<super::pages::Line>,
}

async fn mine(State(state): State<AppState>, ctx: Ctx, MaybeCitizen(c): MaybeCitizen) -> Result<Response, PageError> {
    let Some(c) = c else { return Ok(login_redirect("/portal/disclosure/mine")) };
    let rows = queries::by_phone(&state.db, c.phone.as_str(), 100).await?;
    render(&MinePage { layout: PortalLayout::new(&ctx, "我的公开申请", Some(&c)), items: super::pages::lines(&state, rows).await? })
}

#[derive(Template)]
#[template(path = "disclosure/portal_request.html")]
struct RequestPage {
    layout: PortalLayout,
    case: crate::kernel::queries::CaseRow,
    r: RequestRow,
    state_name: &'static str,
    due: String,
    unit: String,
    outcome: String,
    letters: Vec<LetterRow>,
    /// What the reply gave: files to download and publications to read.
    files: Vec<crate::files::AttachmentRow>,
    publications: Vec<queries::LinkedPublication>,
    /// “待申请人补正（补正期限 …）” while the request waits for the applicant.
    waiting: String,
    can_correct: bool,
    can_withdraw: bool,
    error: Option<(String, Vec<String>)>,
}

async fn load_own(state: &AppState, c: &crate::auth::Citizen, id: i64) -> Result<(crate::kernel::queries::CaseRow, RequestRow), AppError> {
    let (case, r) = queries::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    if r.phone != c.phone.as_str() {
        return Err(crate::kernel::access::not_found());
    }
    Ok((case, r))
}

async fn request_page(state: &AppState, ctx: &Ctx, c: &crate::auth::Citizen, id: i64, error: Option<AppError>) -> Result<Response, PageError> {
    let (case, r) = load_own(state, c, id).await?;
    let v = service::view(state, Who::Citizen(&c.phone), &case, &r).await?;
    let steps = super::pages::step_views(&case, &r, &v.authority(), state);
    let ok = |a: &str| steps.iter().any(|s| s.action == a && s.available);
    let bad = error.is_some();
    let mut resp = render(&RequestPage {
        layout: PortalLayout::new(ctx, format!("申请 {}", case.case_no), Some(c)),
        state_name: PROCEDURE.state_name(&case.state),
        due: if case.is_open { case.due_on.clone().unwrap_or_default() } else { String::new() },
        unit: orgs::get(&state.db, case.org_id).await?.map(|o| o.name).unwrap_or_default(),
        outcome: r.outcome.as_deref().and_then(rules::outcome).map(super::pages::outcome_label).unwrap_or_default(),
        letters: queries::letters(&state.db, id).await?,
        files: queries::disclosed_files(&state.db, id).await?,
        publications: queries::linked_publications(&state.db, id).await?,
        waiting: super::pages::waiting_for_correction(&case.state, r.correction_due_on.as_deref()).unwrap_or_default(),
        can_correct: ok("correct"),
        can_withdraw: ok("withdraw"),
        error: error.map(|e| (e.user_message(), e.basis().to_vec())),
        case,
        r,
    })?;
    if bad {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

async fn request(State(state): State<AppState>, ctx: Ctx, MaybeCitizen(c): MaybeCitizen, Path(id): Path<i64>) -> Result<Response, PageError> {
    let Some(c) = c else { return Ok(login_redirect(&format!("/portal/disclosure/requests/{id}"))) };
    request_page(&state, &ctx, &c, id, None).await
}

async fn step(
    State(state): State<AppState>,
    ctx: Ctx,
    MaybeCitizen(c): MaybeCitizen,
    Path((id, action)): Path<(i64, String)>,
    form: FormData,
) -> Result<Response, PageError> {
    let Some(c) = c else { return Ok(login_redirect(&format!("/portal/disclosure/requests/{id}"))) };
    if !matches!(action.as_str(), "correct" | "withdraw") {
        return Err(AppError::not_found("unknown_action", "没有这个步骤").into());
    }
    load_own(&state, &c, id).await?;
    let sf = super::pages::step_form(&form)?;
    match service::step(&state, Who::Citizen(&c.phone), id, form.int("version"), &action, sf).await {
        Ok(_) => Ok(redirect_ok(
            &format!("/portal/disclosure/requests/{id}"),
            if action == "correct" { "已提交补正，答复期限自今日起重新计算" } else { "已撤回申请" },
        )),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => request_page(&state, &ctx, &c, id, Some(e)).await,
        Err(e @ AppError::Conflict { .. }) => Ok(redirect_flash(&format!("/portal/disclosure/requests/{id}"), false, &e.user_message())),
        Err(e) => Err(e.into()),
    }
}

async fn letter_docx(State(state): State<AppState>, MaybeCitizen(c): MaybeCitizen, Path((id, lid)): Path<(i64, String)>) -> Result<Response, PageError> {
    let Some(c) = c else { return Ok(login_redirect(&format!("/portal/disclosure/requests/{id}"))) };
    let (case, _) = load_own(&state, &c, id).await?;
    let lid: i64 = lid.trim_end_matches(".docx").parse().map_err(|_| AppError::not_found("letter_not_found", "文书不存在"))?;
    let l = queries::letter(&state.db, lid).await?.filter(|l| l.case_id == id).ok_or_else(|| AppError::not_found("letter_not_found", "文书不存在"))?;
    let bytes = super::letters::letter_docx(&l, &case.case_no)?;
    Ok(crate::reports::docx::response(bytes, &format!("{}-{}.docx", l.title, case.case_no)))
}

/// A file a reply gave: only the applicant who proved their phone downloads it, and only files
/// given to them (not the staff's other attachments on the case).
async fn disclosed_file(State(state): State<AppState>, MaybeCitizen(c): MaybeCitizen, Path((id, fid)): Path<(i64, i64)>) -> Result<Response, PageError> {
    let Some(c) = c else { return Ok(login_redirect(&format!("/portal/disclosure/requests/{id}"))) };
    load_own(&state, &c, id).await?;
    let att = crate::files::get(&state.db, fid)
        .await?
        .filter(|a| a.entity == "case" && a.entity_id == id && a.purpose == queries::DISCLOSED)
        .ok_or_else(|| AppError::not_found("file_not_found", "文件不存在"))?;
    let bytes = state.files.read(&att.sha256)?;
    Ok(crate::files::download(&att, bytes))
}
