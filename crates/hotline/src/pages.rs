//! Staff pages of the hotline: the ticket list, the agent's intake console, the ticket page
//! with its steps and timeline.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::model::{Channel, channel_label, evaluation_label};
use super::pii::{self, ListView, TextView};
use super::queries::{self, Category, Filter, ListRow, TicketRow};
use super::rules::{ALT_ROUTES, PROCEDURE};
use super::service::{self, IntakeInput, StepForm, Who};
use crate::audit;
use crate::auth::{Perm, Staff};
use crate::db::q;
use crate::error::{AppError, FieldError};
use crate::kernel::definition::{Ask, AskKind, Transition};
use crate::kernel::engine::{self, Authority};
use crate::kernel::page::{self, Asks, CaseView, Party, StepError};
use crate::org::OrgKind;
use crate::org::queries::{self as orgs, OrgRow};
use crate::privacy::{mask_address, mask_phone};
use crate::state::AppState;
use crate::time::{fmt_date, fmt_datetime, today};
use crate::web::extract::{Path, Query};
use crate::web::form::{FormData, Multipart};
use crate::web::{Ctx, Layout, Page, PageError, redirect_flash, redirect_ok, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/hotline/tickets", get(list))
        .route("/hotline/tickets/export.xlsx", get(super::ticket_export::export))
        .route("/hotline/queue/dispatch", get(queue_dispatch))
        .route("/hotline/queue/callback", get(queue_callback))
        .route("/hotline/queue/sign", get(queue_sign))
        .route("/hotline/tickets/batch", post(super::batch::submit))
        .route("/hotline/new", get(console).post(intake))
        .route("/hotline/new/history", get(history_fragment))
        .route("/hotline/tickets/{id}", get(show))
        .route("/hotline/tickets/{id}/step/{action}", post(step))
        .route("/hotline/tickets/{id}/reveal", post(reveal))
        .route("/hotline/tickets/{id}/print", get(super::print::show))
        .route("/hotline/tickets/{id}/classify", post(classify))
        .route("/hotline/tickets/{id}/assign", post(assign))
        .route("/hotline/tickets/{id}/note", post(note))
        .route("/hotline/tickets/{id}/publish", post(super::publish::publish))
        .merge(super::kpi_pages::routes())
        .merge(super::catalogue_pages::routes())
        .merge(super::import::routes())
}

/// The dispatcher's queue: accepted tickets waiting to be routed.
async fn queue_dispatch(staff: Staff) -> Result<Response, PageError> {
    staff.require(crate::roles::DISPATCH)?;
    Ok(Redirect::to("/hotline/tickets?state=accepted").into_response())
}

/// The handling unit's queue: tickets dispatched to it, waiting to be signed for (签收).
async fn queue_sign(staff: Staff) -> Result<Response, PageError> {
    staff.require(Perm::CASE_HANDLE)?;
    Ok(Redirect::to("/hotline/tickets?state=dispatched").into_response())
}

/// The callback queue: answered tickets waiting for the caller's evaluation.
async fn queue_callback(staff: Staff) -> Result<Response, PageError> {
    staff.require(crate::roles::CALLBACK)?;
    Ok(Redirect::to("/hotline/tickets?state=callback").into_response())
}

/// A period `from..=to` from query text; defaults to this year so far.
pub fn period(from: Option<&str>, to: Option<&str>) -> Result<(String, String), AppError> {
    let t = today();
    let from_d = match from.filter(|s| !s.is_empty()) {
        Some(s) => crate::time::parse_date(s).ok_or_else(|| AppError::field("from", "bad_date", "起始日期格式应为 YYYY-MM-DD"))?,
        None => chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&t), 1, 1).expect("jan 1"),
    };
    let to_d = match to.filter(|s| !s.is_empty()) {
        Some(s) => crate::time::parse_date(s).ok_or_else(|| AppError::field("to", "bad_date", "截止日期格式应为 YYYY-MM-DD"))?,
        None => t,
    };
    if to_d < from_d {
        return Err(AppError::field("to", "bad_period", "截止日期不能早于起始日期"));
    }
    Ok((fmt_date(from_d), fmt_date(to_d)))
}

/// Names of units and categories for a page of tickets, in two queries; the units' paths too
/// (whether a reader may see personal data depends on the unit).
pub struct Names {
    pub orgs: HashMap<i64, String>,
    pub paths: HashMap<i64, String>,
    pub cats: HashMap<i64, String>,
}

impl Names {
    pub async fn load(state: &AppState, org_ids: &[i64], cat_ids: &[i64]) -> Result<Names, AppError> {
        let o: Vec<(i64, String, String)> = q("SELECT id, short_name, path FROM orgs WHERE").push_in("id", org_ids).fetch_all(&state.db).await?;
        let c: Vec<(i64, String)> = q("SELECT id, name FROM hotline_categories WHERE").push_in("id", cat_ids).fetch_all(&state.db).await?;
        let paths = o.iter().map(|(id, _, p)| (*id, p.clone())).collect();
        Ok(Names { orgs: o.into_iter().map(|(id, n, _)| (id, n)).collect(), paths, cats: c.into_iter().collect() })
    }
    pub fn org(&self, id: Option<i64>) -> String {
        id.and_then(|i| self.orgs.get(&i).cloned()).unwrap_or_default()
    }
    pub fn cat(&self, id: Option<i64>) -> String {
        id.and_then(|i| self.cats.get(&i).cloned()).unwrap_or_default()
    }
}

/// A row of the ticket list, ready to show.
pub struct Line {
    pub id: i64,
    pub case_no: String,
    pub title: String,
    pub state: &'static str,
    pub state_code: String,
    pub category: String,
    pub town: String,
    pub unit: String,
    pub channel: &'static str,
    pub phone: String,
    pub received: String,
    /// The due date (YYYY-MM-DD), empty when no clock runs.
    pub due: String,
    pub due_label: String,
    pub tone: &'static str,
    pub supervised: bool,
    pub urgent: bool,
    pub evaluation: &'static str,
    /// The ticket's state version, for a batch step from the list.
    pub version: i64,
}

/// Rows of a list as `view` lets its reader read them (free text masked where the reader may
/// not see personal data).
pub async fn lines(state: &AppState, rows: Vec<ListRow>, view: &ListView) -> Result<Vec<Line>, AppError> {
    let mut org_ids: Vec<i64> = rows.iter().map(|r| r.org_id).collect();
    org_ids.extend(rows.iter().filter_map(|r| r.town_id));
    let cat_ids: Vec<i64> = rows.iter().filter_map(|r| r.category_id).collect();
    let names = Names::load(state, &org_ids, &cat_ids).await?;
    let cal = state.calendar();
    let t = today();
    Ok(rows
        .into_iter()
        .map(|r| {
            let status = if r.is_open {
                // The kernel's one reading of the clock, as on the case page and the 工作台.
                crate::kernel::queries::deadline_status(
                    &PROCEDURE,
                    r.clock_rule.as_deref(),
                    crate::time::parse_date(&r.opened_on).unwrap_or(t),
                    r.due_on.as_deref().and_then(crate::time::parse_date),
                    r.paused_on.as_deref().and_then(crate::time::parse_date),
                    t,
                    &cal,
                )
            } else {
                engine::DeadlineStatus::None
            };
            let text = view.row_of(r.org_id, &names.paths);
            Line {
                id: r.id,
                case_no: r.case_no.clone(),
                title: text.text(&r.title),
                state: PROCEDURE.state_name(&r.state),
                state_code: r.state.clone(),
                category: names.cat(r.category_id),
                town: names.org(r.town_id),
                unit: names.org(Some(r.org_id)),
                channel: channel_label(&r.channel),
                phone: r.caller_phone.as_deref().map(mask_phone).unwrap_or_default(),
                received: fmt_datetime(r.opened_at),
                due: if r.is_open { r.due_on.clone().unwrap_or_default() } else { String::new() },
                due_label: status.label(),
                tone: status.tone(),
                supervised: r.supervised,
                urgent: r.urgency == "urgent",
                evaluation: r.evaluation.as_deref().map(evaluation_label).unwrap_or(""),
                version: r.version,
            }
        })
        .collect())
}

/// How a staff member reads the rows of ticket lists.
pub fn list_view(staff: &Staff) -> ListView {
    ListView::new(staff.scope(Perm::PII_VIEW, Some("hotline")))
}

#[derive(Template)]
#[template(path = "hotline/list.html")]
struct ListPage {
    layout: Layout,
    page: Page<Line>,
    f: Filter,
    base: String,
    query: String,
    categories: Vec<Category>,
    towns: Vec<OrgRow>,
    units: Vec<OrgRow>,
    states: Vec<(&'static str, &'static str)>,
    /// 批量派单 and 批量签收 from the list (see `batch`).
    batch_dispatch: bool,
    batch_sign: bool,
    batch_units: Vec<OrgRow>,
}

pub fn filter_query(f: &Filter) -> String {
    let mut parts = Vec::new();
    for (k, v) in [
        ("status", &f.status),
        ("q", &f.q),
        ("category", &f.category),
        ("town", &f.town),
        ("org", &f.org),
        ("channel", &f.channel),
        ("from", &f.from),
        ("to", &f.to),
        ("due", &f.due),
        ("state", &f.state),
        ("co", &f.co),
    ] {
        if let Some(v) = v.as_deref().filter(|s| !s.is_empty()) {
            parts.push(format!("{k}={}", crate::web::urlencode(v)));
        }
    }
    parts.join("&")
}

async fn list(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(mut f): Query<Filter>) -> Result<Response, PageError> {
    let scope = staff.scope(Perm::CASE_READ, Some("hotline"));
    if scope == crate::auth::roles::Scope::Nothing {
        return Err(AppError::forbidden("forbidden", "您没有查看热线工单的权限").into());
    }
    super::ticket_export::screen_filter(&mut f);
    let page = queries::list(&state.db, &f, &scope, &fmt_date(today())).await?;
    let total = page.total;
    let items = lines(&state, page.items, &list_view(&staff)).await?;
    let page = Page { items, page: page.page, per_page: page.per_page, total };
    let query = filter_query(&f);
    let batch_dispatch = staff.has(crate::roles::DISPATCH);
    let batch_sign = staff.scope(Perm::CASE_HANDLE, Some("hotline")) != crate::auth::roles::Scope::Nothing;
    render(&ListPage {
        layout: Layout::new(&staff, &ctx, "热线工单").crumb("12345 热线", "/hotline/tickets").crumb("工单", ""),
        base: format!("/hotline/tickets?{query}&"),
        query,
        categories: queries::categories(&state.db, false).await?,
        towns: orgs::of_kinds(&state.db, &[OrgKind::Town, OrgKind::Park]).await?,
        units: orgs::of_kinds(&state.db, &[OrgKind::Department, OrgKind::Town, OrgKind::Park]).await?,
        states: PROCEDURE.states.iter().map(|s| (s.code, s.name)).collect(),
        batch_units: if batch_dispatch { super::batch::units(&state).await? } else { vec![] },
        batch_dispatch,
        batch_sign,
        page,
        f,
    })
}

// ------------------------------------------------------------------ intake console

#[derive(Template)]
#[template(path = "hotline/console.html")]
struct ConsolePage {
    layout: Layout,
    categories: Vec<Category>,
    towns: Vec<OrgRow>,
    villages: Vec<OrgRow>,
    values: BTreeMap<String, String>,
    errors: Vec<FieldError>,
    history: Vec<Line>,
    similar: Vec<Line>,
    kb: Vec<(String, String, String)>,
    token: String,
}

impl ConsolePage {
    fn v(&self, k: &str) -> String {
        self.values.get(k).cloned().unwrap_or_default()
    }
    fn checked(&self, k: &str) -> bool {
        matches!(self.values.get(k).map(String::as_str), Some("1" | "on"))
    }
    fn has_error(&self, k: &str) -> bool {
        self.errors.iter().any(|e| e.field == k)
    }
    fn village_town(&self, v: &OrgRow) -> String {
        self.towns.iter().find(|t| v.path.starts_with(&t.path)).map(|t| t.id.to_string()).unwrap_or_default()
    }
}

#[derive(Deserialize)]
struct ConsoleQuery {
    phone: Option<String>,
    category: Option<String>,
    town: Option<String>,
}

/// The caller's earlier tickets, and open tickets about the same kind of matter in the same place.
async fn history_and_similar(
    state: &AppState,
    view: &ListView,
    phone: Option<&str>,
    category: Option<&str>,
    town: Option<&str>,
) -> Result<(Vec<Line>, Vec<Line>), AppError> {
    let history = match phone.and_then(|p| crate::privacy::Phone::parse(p).ok()) {
        Some(p) => lines(state, queries::by_phone(&state.db, p.as_str(), 10).await?, view).await?,
        None => vec![],
    };
    let similar = match (category.and_then(|c| c.parse::<i64>().ok()), town.and_then(|t| t.parse::<i64>().ok())) {
        (Some(c), Some(t)) => {
            let since = crate::time::now_ms() - 14 * 86_400_000;
            let rows = queries::similar_open(&state.db, c, t, since, 5).await?;
            lines(state, rows.into_iter().filter(|r| !history.iter().any(|h| h.id == r.id)).collect(), view).await?
        }
        _ => vec![],
    };
    Ok((history, similar))
}

async fn console_page(state: &AppState, staff: &Staff, ctx: &Ctx, values: BTreeMap<String, String>, errors: Vec<FieldError>) -> Result<Response, PageError> {
    let (history, similar) = history_and_similar(
        state,
        &list_view(staff),
        values.get("caller_phone").map(String::as_str),
        values.get("category_id").map(String::as_str),
        values.get("town_id").map(String::as_str),
    )
    .await?;
    let kb: Vec<(String, String, String)> = q("SELECT k.question, k.answer, COALESCE(c.name, '') FROM hotline_kb k LEFT JOIN hotline_categories c ON c.id = k.category_id WHERE k.active = TRUE ORDER BY k.id LIMIT 50").fetch_all(&state.db).await?;
    let bad = !errors.is_empty();
    let mut r = render(&ConsolePage {
        layout: Layout::new(staff, ctx, "来电登记").crumb("12345 热线", "/hotline/tickets").crumb("来电登记", ""),
        categories: queries::categories(&state.db, true).await?,
        towns: orgs::of_kinds(&state.db, &[OrgKind::Town, OrgKind::Park]).await?,
        villages: orgs::of_kinds(&state.db, &[OrgKind::Village, OrgKind::Community]).await?,
        values,
        errors,
        history,
        similar,
        kb,
        token: crate::auth::session::random_token(),
    })?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn console(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(cq): Query<ConsoleQuery>) -> Result<Response, PageError> {
    staff.require(crate::roles::INTAKE)?;
    let mut values = BTreeMap::new();
    values.insert("wants_reply".into(), "1".into());
    values.insert("accept_now".into(), "1".into());
    if let Some(p) = cq.phone {
        values.insert("caller_phone".into(), p);
    }
    console_page(&state, &staff, &ctx, values, vec![]).await
}

#[derive(Template)]
#[template(path = "hotline/_history.html")]
struct HistoryFragment {
    history: Vec<Line>,
    similar: Vec<Line>,
}

/// The caller's earlier tickets, as an HTML fragment for the console's script.
async fn history_fragment(State(state): State<AppState>, staff: Staff, Query(cq): Query<ConsoleQuery>) -> Result<Response, PageError> {
    staff.require(crate::roles::INTAKE)?;
    let (history, similar) = history_and_similar(&state, &list_view(&staff), cq.phone.as_deref(), cq.category.as_deref(), cq.town.as_deref()).await?;
    render(&HistoryFragment { history, similar })
}

fn form_values(form: &FormData) -> BTreeMap<String, String> {
    form.0.iter().filter(|(k, _)| k != "_csrf").cloned().collect()
}

async fn intake(State(state): State<AppState>, staff: Staff, ctx: Ctx, form: FormData) -> Result<Response, PageError> {
    staff.require(crate::roles::INTAKE)?;
    let values = form_values(&form);
    let attributes: Vec<(String, String)> = form
        .0
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("attribute[").and_then(|x| x.strip_suffix(']')).map(|c| (c.to_string(), v.clone())))
        .filter(|(_, v)| !v.trim().is_empty())
        .collect();
    let direct = form.checked("direct").then(|| form.get("answer").unwrap_or("").to_string());
    let input = IntakeInput {
        channel: Some(if form.get("channel") == Some("mailbox") { Channel::Mailbox } else { Channel::Phone }),
        caller_name: form.get("caller_name").map(str::to_string),
        caller_phone: form.get("caller_phone").map(str::to_string),
        category_id: form.int("category_id"),
        town_id: form.int("town_id"),
        village_id: form.int("village_id"),
        address: form.get("address").map(str::to_string),
        subject: form.get("subject").map(str::to_string),
        description: form.get("description").map(str::to_string),
        attributes,
        urgent: form.checked("urgent"),
        confidential: form.checked("confidential"),
        wants_reply: form.checked("wants_reply"),
        idempotency_key: form.get("idempotency_key").map(str::to_string).filter(|s| !s.is_empty()),
        accept_now: form.checked("accept_now"),
        direct_answer: direct,
        phone_required: true,
        ..Default::default()
    };
    match service::intake(&state, staff.actor(), input).await {
        Ok(r) => {
            let msg = if r.duplicate {
                format!("该诉求已登记过（工单 {}），未重复登记", r.case.case_no)
            } else {
                format!("已登记工单 {}", r.case.case_no)
            };
            Ok(redirect_ok(&format!("/hotline/tickets/{}", r.case.id), &msg))
        }
        Err(AppError::Invalid { mut fields, .. }) => {
            form.order_errors(&mut fields);
            console_page(&state, &staff, &ctx, values, fields).await
        }
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ the ticket page

/// The ticket page: the shared case page (kernel::page) with the hotline's own facts and forms.
#[derive(Template)]
#[template(path = "hotline/ticket.html")]
struct TicketPage {
    layout: Layout,
    cv: CaseView,
    t: TicketRow,
    category: String,
    town: String,
    village: String,
    unit: String,
    channel: &'static str,
    address: String,
    /// The address is shown whole to the handling unit (its duty; the look is logged).
    address_for_duty: bool,
    attributes: Vec<(String, String)>,
    supplements: Vec<super::supplement::SupplementView>,
    history: Vec<Line>,
    suggestion: Option<(i64, String, String)>,
    can_classify: bool,
    categories: Vec<Category>,
    towns: Vec<OrgRow>,
    evaluation: &'static str,
    alt_route: String,
    merged_into: Option<String>,
    can_publish: bool,
    assignee: String,
    can_assign: bool,
    unit_users: Vec<(i64, String)>,
    co_units: String,
    can_note: bool,
}

/// The hotline's step inputs: units to dispatch to (the suggestion preselected), the days a
/// unit asked for when the extension is approved.
struct TicketAsks<'a> {
    units: &'a [OrgRow],
    suggestion: Option<i64>,
    requested_days: Option<i64>,
}

impl Asks for TicketAsks<'_> {
    fn choices(&self, _step: &Transition, a: &Ask) -> Vec<(String, String)> {
        match a.kind {
            AskKind::Org | AskKind::Orgs => self.units.iter().map(|o| (o.id.to_string(), o.name.clone())).collect(),
            _ => vec![],
        }
    }
    fn value(&self, step: &Transition, a: &Ask) -> String {
        match (step.action, a.name) {
            ("dispatch", "org") => self.suggestion.map(|o| o.to_string()).unwrap_or_default(),
            ("approve_extension", "days") => self.requested_days.map(|d| d.to_string()).unwrap_or_default(),
            _ => String::new(),
        }
    }
}

async fn ticket_page(state: &AppState, staff: &Staff, ctx: &Ctx, id: i64, revealed: bool, error: Option<(String, AppError)>) -> Result<Response, PageError> {
    let (mut case, mut t) = queries::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let auth = service::authority(state, Who::Staff(staff), &case, &t).await?;
    if !service::can_read(&auth) {
        return Err(crate::kernel::access::not_found().into());
    }
    let cal = state.calendar();
    let day = today();
    let mut ids = vec![case.org_id];
    ids.extend(t.town_id);
    ids.extend(t.village_id);
    let names = Names::load(state, &ids, &t.category_id.into_iter().collect::<Vec<_>>()).await?;
    let facts = case.facts(service::facts_flags(&case, &t));
    let suggestion = if case.state == "accepted" {
        let (org, rule) = service::suggest(state, &t).await?;
        match org {
            Some(o) => {
                let name = orgs::get(&state.db, o).await?.map(|x| x.name).unwrap_or_default();
                let why = match rule {
                    Some(r) => format!("分派规则第 {} 条{}", r.position, if r.note.is_empty() { String::new() } else { format!("（{}）", r.note) }),
                    None => "诉求类别的默认承办单位".into(),
                };
                Some((o, name, why))
            }
            None => None,
        }
    } else {
        None
    };
    let handling_units = orgs::of_kinds(&state.db, &[OrgKind::Department, OrgKind::Town, OrgKind::Park, OrgKind::Unit]).await?;
    let asks = TicketAsks { units: &handling_units, suggestion: suggestion.as_ref().map(|s| s.0), requested_days: t.extension_requested_days };
    let steps = page::step_views(&PROCEDURE, &facts, &auth, day, &cal, &asks);
    let history = match &t.caller_phone {
        Some(p) => lines(state, queries::by_phone(&state.db, p, 6).await?.into_iter().filter(|r| r.id != id).collect(), &list_view(staff)).await?,
        None => vec![],
    };
    let can_reveal = auth.staff_may(Perm::PII_VIEW);
    let revealed = revealed && can_reveal;
    let address_for_duty = !revealed && t.address.as_deref().is_some_and(|a| !a.trim().is_empty()) && pii::handles(&auth, &case);
    if address_for_duty {
        pii::log_duty_view(state, staff, id).await?;
    }
    // Free text as this reader may read it (masked numbers for inspectors and the like).
    let text = TextView::of(&auth);
    case.title = text.text(&case.title);
    t.subject = text.opt(t.subject.as_deref());
    t.description = text.text(&t.description);
    t.reply_text = text.opt(t.reply_text.as_deref());
    t.answer_text = text.opt(t.answer_text.as_deref());
    t.not_accepted_reason = text.opt(t.not_accepted_reason.as_deref());
    t.evaluation_comment = text.opt(t.evaluation_comment.as_deref());
    let attributes: Vec<(String, String)> = {
        let given: BTreeMap<String, String> = serde_json::from_str(&t.attributes).unwrap_or_default();
        let defs = match t.category_id {
            Some(c) => queries::category(&state.db, c).await?.map(|c| c.attribute_defs()).unwrap_or_default(),
            None => vec![],
        };
        given.into_iter().map(|(k, v)| (defs.iter().find(|d| d.code == k).map(|d| d.label.clone()).unwrap_or(k), text.text(&v))).collect()
    };
    let merged_into = match t.merged_into {
        Some(m) => crate::kernel::queries::get(&state.db, m).await?.map(|c| c.case_no),
        None => None,
    };
    let layout = Layout::new(staff, ctx, format!("工单 {}", case.case_no)).crumb("12345 热线", "/hotline/tickets").crumb(case.case_no.clone(), "");
    let can_classify = auth.staff_may(crate::roles::DISPATCH) && case.is_open;
    let can_publish = t.channel == "mailbox" && t.publish_consent && case.state == "closed" && auth.staff_may(crate::roles::DISPATCH);
    let can_assign = case.is_open && auth.staff_may(Perm::CASE_APPROVE);
    let can_note = case.is_open && (auth.staff_may(Perm::CASE_HANDLE) || auth.co_may(Perm::CASE_HANDLE) || auth.staff_may(crate::roles::DISPATCH));
    let co_units: Vec<(String,)> =
        q("SELECT o.name FROM case_units cu JOIN orgs o ON o.id = cu.org_id WHERE cu.case_id = $1 ORDER BY o.sort").bind(id).fetch_all(&state.db).await?;
    let co_units = co_units.into_iter().map(|r| r.0).collect::<Vec<_>>().join("、");
    let unit_users = if can_assign { unit_users(state, case.org_id).await? } else { vec![] };
    let assignee = match case.assignee_id {
        Some(u) => q("SELECT display_name FROM users WHERE id = $1").bind(u).fetch_optional::<(String,)>(&state.db).await?.map(|r| r.0).unwrap_or_default(),
        None => String::new(),
    };
    let mut tags = Vec::new();
    if t.urgency == "urgent" {
        tags.push(("紧急".to_string(), "red"));
    }
    if t.confidential {
        tags.push(("保密办理".to_string(), "amber"));
    }
    let cv = CaseView {
        state_name: PROCEDURE.state_name(&case.state),
        badge: page::badge(&PROCEDURE, &case, "办理期限", day, &cal),
        tags,
        parties: if t.caller_phone.is_some() || t.caller_name.is_some() {
            vec![Party::new("来电人", t.caller_name.as_deref(), t.caller_phone.as_deref(), None, revealed)]
        } else {
            vec![]
        },
        revealed,
        can_reveal: can_reveal && t.caller_phone.is_some(),
        base: format!("/hotline/tickets/{id}"),
        multipart: true,
        steps,
        error: error.map(|(action, e)| StepError::new(action, &e)),
        timeline: text.events(audit::timeline(&state.db, "case", id).await?),
        documents: vec![],
        attachments: crate::files::list(&state.db, "case", id).await?,
        case,
    };
    let bad = cv.bad();
    let page = TicketPage {
        category: names.cat(t.category_id),
        town: names.org(t.town_id),
        village: names.org(t.village_id),
        unit: names.org(Some(cv.case.org_id)),
        channel: channel_label(&t.channel),
        address: if revealed || address_for_duty { t.address.clone().unwrap_or_default() } else { t.address.as_deref().map(mask_address).unwrap_or_default() },
        address_for_duty,
        attributes,
        supplements: super::supplement::views(&state.db, id, revealed).await?,
        history,
        suggestion,
        can_classify,
        categories: if can_classify { queries::categories(&state.db, true).await? } else { vec![] },
        towns: if can_classify { orgs::of_kinds(&state.db, &[OrgKind::Town, OrgKind::Park]).await? } else { vec![] },
        evaluation: t.evaluation.as_deref().map(evaluation_label).unwrap_or(""),
        alt_route: t.alt_route.as_deref().and_then(|r| ALT_ROUTES.iter().find(|x| x.0 == r)).map(|x| x.1.to_string()).unwrap_or_default(),
        merged_into,
        can_publish,
        assignee,
        can_assign,
        unit_users,
        co_units,
        can_note,
        layout,
        cv,
        t,
    };
    let mut r = render(&page)?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn show(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    ticket_page(&state, &staff, &ctx, id, false, None).await
}

async fn reveal(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    service::reveal(&state, &staff, id).await?;
    ticket_page(&state, &staff, &ctx, id, true, None).await
}

async fn step(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path((id, action)): Path<(i64, String)>, form: Multipart) -> Result<Response, PageError> {
    let f = &form.fields;
    let mut fields: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in &f.0 {
        if !matches!(k.as_str(), "_csrf" | "reason" | "days" | "version") {
            // Multi-selects (协办单位) arrive as repeated fields: keep them all.
            fields
                .entry(k.clone())
                .and_modify(|e| {
                    e.push(',');
                    e.push_str(v);
                })
                .or_insert_with(|| v.clone());
        }
    }
    let days = match f.get("days").map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(d) => match d.parse::<u32>() {
            Ok(v) => Some(v),
            Err(_) => {
                let e = AppError::field("days", "not_a_number", "天数必须是正整数");
                return ticket_page(&state, &staff, &ctx, id, false, Some((action, e))).await;
            }
        },
    };
    let step_form = StepForm { reason: f.get("reason").map(str::to_string).filter(|s| !s.trim().is_empty()), fields, days, files: form.files.clone() };
    let version = f.int("version");
    match service::step(&state, Who::Staff(&staff), id, version, &action, step_form).await {
        Ok(case) => {
            let name = PROCEDURE.transitions.iter().find(|t| t.action == action).map(|t| t.name).unwrap_or("");
            Ok(redirect_ok(&format!("/hotline/tickets/{id}"), &format!("已{name}：工单现为“{}”", PROCEDURE.state_name(&case.state))))
        }
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. })) => ticket_page(&state, &staff, &ctx, id, false, Some((action, e))).await,
        Err(e @ AppError::Conflict { .. }) => Ok(redirect_flash(&format!("/hotline/tickets/{id}"), false, &e.user_message())),
        Err(e) => Err(e.into()),
    }
}

async fn classify(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>, form: FormData) -> Result<Response, PageError> {
    let version = form.int("version").ok_or_else(|| AppError::bad_request("missing_version", "缺少版本号，请刷新页面后重试"))?;
    match service::reclassify(
        &state,
        &staff,
        id,
        version,
        form.int("category_id"),
        form.int("town_id"),
        form.int("village_id"),
        form.get("reason").map(str::to_string),
    )
    .await
    {
        Ok(()) => Ok(redirect_ok(&format!("/hotline/tickets/{id}"), "已修改分类或地点，分派建议已按新信息重新计算")),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => Ok(redirect_flash(&format!("/hotline/tickets/{id}"), false, &e.user_message())),
        Err(e) => Err(e.into()),
    }
}

/// Active staff of a unit and the units below it.
async fn unit_users(state: &AppState, org_id: i64) -> Result<Vec<(i64, String)>, AppError> {
    let path = crate::kernel::access::org_path(state, org_id).await?;
    q("SELECT u.id, u.display_name FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.active = TRUE AND o.path LIKE $1 ESCAPE '\\' ORDER BY u.id")
        .bind(format!("{}%", crate::db::dialect::like_escape(&path)))
        .fetch_all(&state.db)
        .await
}

async fn assign(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>, form: FormData) -> Result<Response, PageError> {
    let (case, t) = queries::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let auth = service::authority(&state, Who::Staff(&staff), &case, &t).await?;
    if !service::can_read(&auth) {
        return Err(crate::kernel::access::not_found().into());
    }
    if !auth.staff_may(Perm::CASE_APPROVE) {
        return Err(AppError::forbidden("forbidden", "只有承办单位负责人可以指定承办人").into());
    }
    let version = form.int("version").ok_or_else(|| AppError::bad_request("missing_version", "缺少版本号，请刷新页面后重试"))?;
    let users = unit_users(&state, case.org_id).await?;
    let target = match form.int("assignee") {
        Some(u) => Some(users.iter().find(|x| x.0 == u).cloned().ok_or_else(|| AppError::field("assignee", "not_in_unit", "所选人员不属于承办单位"))?),
        None => None,
    };
    let before = match case.assignee_id {
        Some(u) => q("SELECT display_name FROM users WHERE id = $1").bind(u).fetch_optional::<(String,)>(&state.db).await?.map(|r| r.0),
        None => None,
    };
    let reason = form.get("reason").map(str::to_string).filter(|s| !s.trim().is_empty());
    let actor = staff.actor();
    let r = state
        .db
        .write(move |tx| {
            Box::pin(async move {
                let c = crate::kernel::queries::load_for_change(tx, id, Some(version)).await?;
                crate::kernel::queries::assign_person(tx, &c, target.as_ref().map(|t| t.0), &actor, reason, (before, target.map(|t| t.1))).await
            })
        })
        .await;
    match r {
        Ok(_) => Ok(redirect_ok(&format!("/hotline/tickets/{id}"), "已指定承办人")),
        Err(e @ AppError::Conflict { .. }) => Ok(redirect_flash(&format!("/hotline/tickets/{id}"), false, &e.user_message())),
        Err(e) => Err(e.into()),
    }
}

async fn note(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>, form: Multipart) -> Result<Response, PageError> {
    let text = form.fields.get("note").unwrap_or("").to_string();
    match service::add_note(&state, &staff, id, text, form.files.clone()).await {
        Ok(()) => Ok(redirect_ok(&format!("/hotline/tickets/{id}"), "已添加记录")),
        Err(e @ AppError::Invalid { .. }) => ticket_page(&state, &staff, &ctx, id, false, Some(("note".into(), e))).await,
        Err(e @ AppError::Conflict { .. }) => Ok(redirect_flash(&format!("/hotline/tickets/{id}"), false, &e.user_message())),
        Err(e) => Err(e.into()),
    }
}
