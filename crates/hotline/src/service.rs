//! The hotline's operations, shared by the pages, the JSON API, Open311 and the portal: taking
//! in a ticket and taking a step on one. Each runs in one transaction: the kernel's case, the
//! ticket's facts, the event and the indicator counters change together or not at all.

use std::collections::BTreeMap;

use futures::FutureExt;
use sha2::{Digest, Sha256};

use super::model::{self, Channel};
use super::queries::{self, NewTicket, TicketRow};
use super::rules::PROCEDURE;
use crate::audit::{self, Actor, Changes, NewEvent};
use crate::auth::Staff;
use crate::auth::roles::Perm;
use crate::auth::tokens::TokenCaller;
use crate::calendar::Calendar;
use crate::db::{Tx, q};
use crate::error::{AppError, Check};
use crate::kernel::engine::{self, Authority, Clock, Input};
use crate::kernel::queries::{self as cases, CaseRow, NewCase};
use crate::org::OrgKind;
use crate::org::queries as orgs;
use crate::privacy::Phone;
use crate::state::AppState;
use crate::time::{self, now_ms};
use crate::web::form::Upload;

/// A city's bounding box for coordinates (south, west, north, east), a setting.
pub const DEFAULT_BBOX: (f64, f64, f64, f64) = (32.55, 119.15, 33.05, 119.75);

/// What comes in, from any channel.
#[derive(Clone, Debug, Default)]
pub struct IntakeInput {
    pub channel: Option<Channel>,
    pub caller_name: Option<String>,
    pub caller_phone: Option<String>,
    pub category_id: Option<i64>,
    pub category_code: Option<String>,
    pub town_id: Option<i64>,
    pub village_id: Option<i64>,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub subject: Option<String>,
    pub description: Option<String>,
    pub attributes: Vec<(String, String)>,
    pub urgent: bool,
    pub confidential: bool,
    pub wants_reply: bool,
    pub publish_consent: bool,
    pub idempotency_key: Option<String>,
    /// The agent takes the call and accepts it at once.
    pub accept_now: bool,
    /// The agent answered from the knowledge base: closed at once.
    pub direct_answer: Option<String>,
    /// When it was received (historical import), else now.
    pub received_at: Option<i64>,
    /// Require a phone number (phone, portal and letters); Open311 may omit it.
    pub phone_required: bool,
}

#[derive(Clone, Debug)]
pub struct Intake {
    pub case: CaseRow,
    /// The same ticket was already there (idempotency key or a double submit).
    pub duplicate: bool,
    /// The facts written, for a new ticket (saves reading them back).
    pub ticket: Option<NewTicket>,
}

pub fn dedupe_hash(phone: Option<&str>, description: &str) -> String {
    let norm: String = description.chars().filter(|c| !c.is_whitespace()).collect();
    hex::encode(Sha256::digest(format!("{}|{norm}", phone.unwrap_or("")).as_bytes()))
}

/// After a step: the citizen's text message, when the procedure says to tell them, and the
/// notice to a unit that received the ticket.
async fn tell(tx: &mut Tx, state: &AppState, action: &str, case: &CaseRow, phone: Option<&str>) -> Result<(), AppError> {
    let told = PROCEDURE.transition(action, case.opened_date()).is_some_and(|t| t.tell.is_some());
    let assigned = matches!(action, "dispatch" | "reassign");
    if !told && !assigned {
        return Ok(());
    }
    let unit: String = q("SELECT name FROM orgs WHERE id = $1").bind(case.org_id).fetch_optional::<(String,)>(&mut *tx).await?.map(|r| r.0).unwrap_or_default();
    if told {
        let url = crate::notify::portal_url(&state.config.server.public_url, &format!("/portal/track/{}", case.case_no));
        crate::notify::tell_citizen(tx, &PROCEDURE, action, case, phone, &unit, &url).await?;
    }
    if assigned {
        let due = case.due_on.as_deref().unwrap_or("—");
        let message = format!("新工单 {} 已派至本单位：{}（办理期限 {due}）", case.case_no, case.title);
        crate::notify::notice(tx, case.org_id, None, Some(case.id), "assigned", &message, &format!("assigned:{}:{}", case.id, case.version)).await?;
    }
    Ok(())
}

/// The text message of a ticket accepted at intake: its number and where to follow it.
pub fn accepted_message(case: &CaseRow, phone: Option<&str>, centre: &str, portal: &str) -> Option<crate::notify::Outgoing> {
    if case.state != "accepted" {
        return None;
    }
    let url = crate::notify::portal_url(portal, &format!("/portal/track/{}", case.case_no));
    crate::notify::for_step(&PROCEDURE, "accept", case.opened_date(), case, phone, centre, &url)
}

/// The hotline centre: the unit that holds tickets before dispatch.
pub async fn centre(state: &AppState) -> Result<crate::org::OrgRow, AppError> {
    state
        .ext::<crate::HotlineState>()
        .centre
        .get_or_load(|| async {
            if let Some(code) = crate::settings::get(&state.db, "hotline.centre").await? {
                if let Some(o) = orgs::by_code(&state.db, &code).await? {
                    return Ok(o);
                }
            }
            orgs::root(&state.db).await?.ok_or_else(|| AppError::internal("尚未建立机构树"))
        })
        .await
}

async fn bbox(state: &AppState) -> (f64, f64, f64, f64) {
    match crate::settings::get(&state.db, "hotline.bbox").await {
        Ok(Some(v)) => {
            let p: Vec<f64> = v.split(',').filter_map(|x| x.trim().parse().ok()).collect();
            if p.len() == 4 { (p[0], p[1], p[2], p[3]) } else { DEFAULT_BBOX }
        }
        _ => DEFAULT_BBOX,
    }
}

/// Check an intake into a ticket, reporting every problem with its field.
pub async fn validate(state: &AppState, input: &IntakeInput) -> Result<(NewTicket, Option<queries::Category>), AppError> {
    let mut c = Check::new();
    let channel = input.channel.unwrap_or(Channel::Web);
    // The error names the field as the form does: a letter's text is 来信内容.
    let described = if channel == Channel::Mailbox { "来信内容" } else { "诉求内容" };
    let description = c.text("description", described, input.description.as_deref(), model::MAX_DESCRIPTION);
    let subject = if channel == Channel::Mailbox {
        Some(c.text("subject", "信件标题", input.subject.as_deref(), model::MAX_SUBJECT))
    } else {
        c.opt_text("subject", "标题", input.subject.as_deref(), model::MAX_SUBJECT)
    };
    let caller_name = c.opt_text("caller_name", "称呼", input.caller_name.as_deref(), 32);
    let phone = match input.caller_phone.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(p) => match Phone::parse(p) {
            Ok(p) => Some(p.as_str().to_string()),
            Err(m) => {
                c.add("caller_phone", "invalid_phone", m);
                None
            }
        },
        None => {
            if input.phone_required {
                c.add("caller_phone", "required", "请填写联系电话");
            }
            None
        }
    };
    let address = c.opt_text("address", "详细地址", input.address.as_deref(), 200);
    // Category.
    let category = match (input.category_id, input.category_code.as_deref().filter(|s| !s.trim().is_empty())) {
        (Some(id), _) => queries::category(&state.db, id).await?,
        (None, Some(code)) => queries::category_by_code(&state.db, code.trim()).await?,
        (None, None) => {
            c.add("category", "required", "请选择诉求类别");
            None
        }
    };
    let category = match category {
        Some(cat) if cat.active => Some(cat),
        Some(_) => {
            c.add("category", "category_inactive", "该诉求类别已停用，请选择其他类别");
            None
        }
        None if input.category_id.is_some() || input.category_code.is_some() => {
            c.add("category", "unknown_category", "诉求类别不存在");
            None
        }
        None => None,
    };
    let attributes = match &category {
        Some(cat) => model::check_attributes(&mut c, &cat.attribute_defs(), &input.attributes),
        None => vec![],
    };
    // Location: a town or park of this city, a village inside it, or coordinates inside the city.
    let root = state.root.get_or_load(|| orgs::root(&state.db)).await?.map(|r| r.path).unwrap_or_else(|| "/".into());
    let mut town_path = None;
    if let Some(tid) = input.town_id {
        match orgs::get(&state.db, tid).await? {
            Some(t) if t.kind().is_town_level() && t.path.starts_with(&root) && t.active => town_path = Some(t.path),
            _ => c.add("town_id", "town_outside_city", "所选乡镇（园区）不在本市范围内"),
        }
    }
    if let Some(vid) = input.village_id {
        match orgs::get(&state.db, vid).await? {
            Some(v) if v.kind().is_village_level() => {
                if let Some(tp) = &town_path {
                    if !v.path.starts_with(tp.as_str()) {
                        c.add("village_id", "village_not_in_town", format!("“{}”不属于所选乡镇", v.name));
                    }
                } else if input.town_id.is_none() {
                    c.add("town_id", "required", "选择村（社区）时须同时选择所属乡镇");
                }
            }
            _ => c.add("village_id", "village_outside_city", "所选村（社区）不存在"),
        }
    }
    match (input.lat, input.lon) {
        (Some(lat), Some(lon)) => {
            let (s, w, n, e) = bbox(state).await;
            if !(lat.is_finite() && lon.is_finite()) || lat < s || lat > n || lon < w || lon > e {
                c.add("lat", "location_outside_city", "所报位置不在本市行政区域内");
            }
        }
        (Some(_), None) | (None, Some(_)) => c.add("long", "incomplete_location", "经纬度须同时提供"),
        _ => {}
    }
    if input.town_id.is_none() && input.lat.is_none() && address.is_none() && channel != Channel::Mailbox {
        c.add("town_id", "location_required", "请选择诉求发生的乡镇（园区），或填写地址");
    }
    if let Some(k) = &input.idempotency_key {
        if k.is_empty() || k.len() > 128 {
            c.add("idempotency_key", "invalid_idempotency_key", "Idempotency-Key 长度应为 1–128");
        }
    }
    if let Some(a) = &input.direct_answer {
        if a.trim().is_empty() {
            c.add("answer", "required", "直接答复须填写答复内容");
        }
    }
    c.finish()?;
    let attrs: BTreeMap<String, String> = attributes.into_iter().collect();
    Ok((
        NewTicket {
            channel: channel.code().to_string(),
            caller_name,
            caller_phone: phone.clone(),
            category_id: category.as_ref().map(|c| c.id),
            town_id: input.town_id,
            village_id: input.village_id,
            address,
            lat: input.lat,
            lon: input.lon,
            subject,
            dedupe_hash: dedupe_hash(phone.as_deref(), &description),
            description,
            attributes: serde_json::to_string(&attrs).unwrap_or_else(|_| "{}".into()),
            urgency: if input.urgent { "urgent".into() } else { "normal".into() },
            confidential: input.confidential,
            wants_reply: input.wants_reply,
            publish_consent: input.publish_consent,
            idempotency_key: input.idempotency_key.clone(),
            received_at: input.received_at.unwrap_or_else(now_ms),
        },
        category,
    ))
}

fn title_of(t: &NewTicket, cat: Option<&queries::Category>) -> String {
    if let Some(s) = &t.subject {
        return s.clone();
    }
    // The category's name, then the start of what was said, ending at a sentence or a clause.
    let head = fazhi_platform::headline::headline(&t.description, 30);
    match cat {
        Some(c) => format!("{}：{head}", c.name),
        None => head,
    }
}

/// Take in a ticket. A repeat of the same submission returns the first ticket.
pub async fn intake(state: &AppState, actor: Actor, input: IntakeInput) -> Result<Intake, AppError> {
    intake_with_files(state, actor, input, vec![], "").await
}

/// Take in a ticket with files the filer sent along (the portal's photos): checked first, then
/// stored (content-addressed, harmless if the intake then fails), then attached to the new
/// ticket with `purpose` in the intake's own transaction. A repeat of the same submission
/// returns the first ticket and attaches nothing.
pub async fn intake_with_files(state: &AppState, actor: Actor, input: IntakeInput, files: Vec<Upload>, purpose: &str) -> Result<Intake, AppError> {
    let (ticket, category) = validate(state, &input).await?;
    let max = (state.config.server.max_upload_mb as usize) * 1024 * 1024;
    let mut stored = Vec::with_capacity(files.len());
    for f in &files {
        let (sha, mime) = state.files.put(&f.bytes, &f.filename, max)?;
        stored.push((sha, mime, f.bytes.len(), f.filename.clone()));
    }
    let item = super::intake_batch::Item {
        actor,
        centre: centre(state).await?,
        title: title_of(&ticket, category.as_ref()),
        category_name: category.map(|c| c.name),
        ticket,
        accept_now: input.accept_now,
        direct: input.direct_answer.clone(),
        stored,
        purpose: purpose.to_string(),
        calendar: state.calendar(),
        portal: state.config.server.public_url.as_str().into(),
    };
    state.ext::<crate::HotlineState>().intake.submit(item).await
}

/// The writes of one intake (inside the caller's transaction): case, ticket, event, counters.
#[allow(clippy::too_many_arguments)]
pub async fn insert_ticket(
    tx: &mut crate::db::Tx,
    actor: &Actor,
    centre: &crate::org::OrgRow,
    ticket: NewTicket,
    title: String,
    category_name: Option<String>,
    accept_now: bool,
    direct: Option<String>,
    cal: &Calendar,
    portal: &str,
) -> Result<CaseRow, AppError> {
    let state_code = if direct.is_some() {
        "answered"
    } else if accept_now {
        "accepted"
    } else {
        "received"
    };
    let case = cases::create(
        tx,
        NewCase {
            procedure: &PROCEDURE,
            title,
            org_id: centre.id,
            org_code: centre.code.clone(),
            assignee_id: None,
            opened_at: ticket.received_at,
            state: state_code,
            clock: Clock::default(),
            closed: direct.is_some(),
        },
        cal,
    )
    .await?;
    queries::insert_ticket(tx, case.id, centre.id, state_code, &ticket).await?;
    if let Some(m) = accepted_message(&case, ticket.caller_phone.as_deref(), &centre.name, portal) {
        crate::notify::enqueue(tx, &[m]).await?;
    }
    if let Some(a) = &direct {
        q("UPDATE hotline_tickets SET answer_text = $1, closed_at = $2 WHERE case_id = $3")
            .bind(a.as_str())
            .bind(ticket.received_at)
            .bind(case.id)
            .execute(&mut *tx)
            .await?;
    }
    let summary = match state_code {
        "answered" => "登记并直接答复办结",
        "accepted" => "登记并受理",
        _ => "登记",
    };
    let changes = Changes::new()
        .created("渠道", model::channel_label(&ticket.channel))
        .created("类别", category_name)
        .created("联系电话", ticket.caller_phone.as_deref().map(crate::privacy::mask_phone))
        .created("状态", PROCEDURE.state_name(state_code));
    audit::record_at(tx, actor, NewEvent::new("case", case.id, "intake", summary).changes(changes), ticket.received_at).await?;
    Ok(case)
}

/// Who takes a step.
#[derive(Clone, Copy)]
pub enum Who<'a> {
    Staff(&'a Staff),
    Token(&'a TokenCaller),
    Citizen(&'a Phone),
}

impl Who<'_> {
    pub fn actor(&self) -> Actor {
        match self {
            Who::Staff(s) => s.actor(),
            Who::Token(t) => t.actor(),
            Who::Citizen(p) => Actor::citizen(format!("诉求人 {}", p.masked())),
        }
    }
}

/// The authority of one person over one ticket.
pub struct TicketAuthority<'a> {
    pub who: Who<'a>,
    /// The lead unit's path: steps of the procedure are taken over it.
    pub paths: Vec<String>,
    /// The co-handling units' paths (协办): they may read the ticket and add their notes.
    pub co_paths: Vec<String>,
    pub filer_phone: Option<String>,
}

impl TicketAuthority<'_> {
    fn may_on(&self, perm: Perm, paths: &[String]) -> bool {
        match self.who {
            Who::Staff(s) => paths.iter().any(|p| s.allows(perm, Some("hotline"), p)),
            Who::Token(t) => paths.iter().any(|p| t.allows(perm, p)),
            Who::Citizen(_) => false,
        }
    }
    /// Holds the permission as a co-handling unit.
    pub fn co_may(&self, perm: Perm) -> bool {
        self.may_on(perm, &self.co_paths)
    }
}

impl Authority for TicketAuthority<'_> {
    fn staff_may(&self, perm: Perm) -> bool {
        self.may_on(perm, &self.paths)
    }
    fn is_filer(&self) -> bool {
        match self.who {
            Who::Citizen(p) => self.filer_phone.as_deref() == Some(p.as_str()),
            _ => false,
        }
    }
    fn is_system(&self) -> bool {
        false
    }
}

/// May this person read the ticket? (Staff and tokens: `CaseRead` over a unit of the ticket;
/// the citizen: it is theirs.)
pub fn can_read(auth: &TicketAuthority<'_>) -> bool {
    auth.staff_may(Perm::CASE_READ) || auth.co_may(Perm::CASE_READ) || auth.is_filer()
}

pub fn facts_flags(case: &CaseRow, t: &TicketRow) -> BTreeMap<String, bool> {
    let mut f = BTreeMap::new();
    f.insert("wants_reply".into(), t.wants_reply);
    f.insert("supervised".into(), case.supervised);
    f.insert("mailbox".into(), t.channel == "mailbox");
    f.insert("designated".into(), false);
    f
}

/// Build the authority for a ticket.
pub async fn authority<'a>(state: &AppState, who: Who<'a>, case: &CaseRow, t: &TicketRow) -> Result<TicketAuthority<'a>, AppError> {
    let (lead, co_paths) = crate::kernel::access::lead_and_co_paths(state, case).await?;
    Ok(TicketAuthority { who, paths: vec![lead], co_paths, filer_phone: t.caller_phone.clone() })
}

/// A step as submitted.
#[derive(Clone, Debug, Default)]
pub struct StepForm {
    pub reason: Option<String>,
    pub fields: BTreeMap<String, String>,
    pub days: Option<u32>,
    pub files: Vec<Upload>,
}

impl StepForm {
    fn input(&self) -> Input {
        Input { reason: self.reason.clone(), fields: self.fields.clone(), attachments: self.files.len(), days: self.days, clock_days: None }
    }
}

/// Take a step on a ticket. `seen_version` is the version the person saw (stale → 409).
pub async fn step(state: &AppState, who: Who<'_>, case_id: i64, seen_version: Option<i64>, action: &str, form: StepForm) -> Result<CaseRow, AppError> {
    step_at(state, who, case_id, seen_version, action, form, None).await
}

/// A step at a given moment (the demo city's history is built with this; live requests use
/// the present).
pub async fn step_at(
    state: &AppState,
    who: Who<'_>,
    case_id: i64,
    seen_version: Option<i64>,
    action: &str,
    form: StepForm,
    at: Option<i64>,
) -> Result<CaseRow, AppError> {
    let (case, ticket) = queries::load(&state.db, case_id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let auth = authority(state, who, &case, &ticket).await?;
    if !can_read(&auth) {
        return Err(crate::kernel::access::not_found());
    }
    let cal = state.calendar();
    let today = at.map(time::local_date).unwrap_or_else(time::today);
    let overrides = crate::settings::procedure_overrides(&state.db, "hotline").await?;
    let mut input = form.input();
    // Days of a started clock: the category's own handling time, or the mailbox time for letters.
    if matches!(action, "dispatch" | "reassign" | "callback_reopen" | "rate_reopen") {
        input.clock_days = Some(clock_days(state, &ticket, &overrides).await?);
    }
    // Approving an extension grants what was asked unless the approver gives another number.
    if action == "approve_extension" && input.days.is_none() {
        input.days = ticket.extension_requested_days.map(|d| d as u32);
    }
    // A quick check before any file is stored or any lock taken.
    let plan = engine::plan(&PROCEDURE, &case.facts(facts_flags(&case, &ticket)), action, &auth, &input, today, &cal, &overrides).map_err(AppError::from)?;
    let _ = plan;
    // Module checks that need the database.
    let mut target_org = None;
    if matches!(action, "dispatch" | "reassign") {
        let id: i64 = input.field("org").and_then(|v| v.parse().ok()).ok_or_else(|| AppError::field("org", "required", "请选择承办单位"))?;
        let o = orgs::get(&state.db, id).await?.ok_or_else(|| AppError::field("org", "org_not_found", "承办单位不存在"))?;
        if !o.active || o.kind() == OrgKind::City {
            return Err(AppError::field("org", "org_cannot_handle", format!("“{}”不能作为承办单位", o.name)));
        }
        if action == "reassign" && o.id == case.org_id {
            return Err(AppError::field("org", "same_org", "改派的单位与现承办单位相同"));
        }
        target_org = Some(o);
    }
    let mut co_orgs: Vec<crate::org::OrgRow> = Vec::new();
    if matches!(action, "dispatch" | "reassign") {
        for part in input.field("co_orgs").unwrap_or("").split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let id: i64 = part.parse().map_err(|_| AppError::field("co_orgs", "not_a_number", "协办单位须为机构编号"))?;
            let o = orgs::get(&state.db, id).await?.ok_or_else(|| AppError::field("co_orgs", "org_not_found", "协办单位不存在"))?;
            if !o.active || o.kind() == OrgKind::City {
                return Err(AppError::field("co_orgs", "org_cannot_handle", format!("“{}”不能作为协办单位", o.name)));
            }
            if Some(o.id) == target_org.as_ref().map(|t| t.id) {
                return Err(AppError::field("co_orgs", "co_is_lead", format!("“{}”已是主办单位，不能同时协办", o.name)));
            }
            if !co_orgs.iter().any(|c| c.id == o.id) {
                co_orgs.push(o);
            }
        }
    }
    let mut merge_target = None;
    if action == "merge" {
        let no = input.field("merge_into").unwrap_or("").to_string();
        let other = cases::by_number(&state.db, &no).await?.filter(|c| c.procedure == "hotline");
        match other {
            Some(o) if o.id == case.id => return Err(AppError::field("merge_into", "merge_self", "不能并入工单自身")),
            Some(o) if !o.is_open => return Err(AppError::field("merge_into", "merge_closed", format!("工单 {no} 已办结，不能并入"))),
            Some(o) => merge_target = Some(o),
            None => return Err(AppError::field("merge_into", "merge_not_found", format!("工单 {no} 不存在"))),
        }
    }
    // Files first (content-addressed, harmless if the step is then refused).
    let max = (state.config.server.max_upload_mb as usize) * 1024 * 1024;
    let mut stored = Vec::new();
    for f in &form.files {
        let (sha, mime) = state.files.put(&f.bytes, &f.filename, max)?;
        stored.push((sha, mime, f.bytes.len(), f.filename.clone()));
    }
    let actor = who.actor();
    let citizen = matches!(who, Who::Citizen(_));
    let by_kind = match who {
        Who::Staff(_) => "staff",
        Who::Token(_) => "token",
        Who::Citizen(_) => "citizen",
    };
    let by_id = match who {
        Who::Staff(s) => Some(s.id),
        Who::Token(t) => Some(t.token.id),
        Who::Citizen(_) => None,
    };
    let action = action.to_string();
    let paths = auth.paths.clone();
    let co_paths = auth.co_paths.clone();
    let filer = auth.filer_phone.clone();
    let who_owned = OwnedWho::from(who);
    let state2 = state.clone();
    state
        .db
        .write(move |tx| {
            async move {
                let case = cases::load_for_change(tx, case_id, seen_version).await?;
                let ticket = queries::ticket(&mut *tx, case_id).await?.ok_or_else(crate::kernel::access::not_found)?;
                let auth = TicketAuthority { who: who_owned.as_who(), paths, co_paths, filer_phone: filer };
                let now = at.unwrap_or_else(now_ms);
                let plan = engine::plan(&PROCEDURE, &case.facts(facts_flags(&case, &ticket)), &action, &auth, &input, today, &cal, &overrides)
                    .map_err(AppError::from)?;
                let mut extra = Changes::new();
                let names = OrgNames::load(tx, &[Some(case.org_id), target_org.as_ref().map(|o| o.id)]).await?;
                match action.as_str() {
                    "dispatch" | "reassign" => {
                        let o = target_org.as_ref().expect("checked");
                        extra = extra.set("承办单位", names.get(case.org_id), o.name.clone());
                        if !co_orgs.is_empty() {
                            extra = extra.set("协办单位", serde_json::Value::Null, co_orgs.iter().map(|c| c.name.clone()).collect::<Vec<_>>().join("、"));
                        }
                    }
                    "reply" => {
                        extra = extra.set("答复", ticket.reply_text.clone(), input.field("reply"));
                    }
                    "not_accept" => {
                        let route = input.field("alt_route").unwrap_or("");
                        let label = super::rules::ALT_ROUTES.iter().find(|r| r.0 == route).map(|r| r.1).unwrap_or(route);
                        extra = extra.set("告知途径", serde_json::Value::Null, label);
                    }
                    "callback_close" | "callback_reopen" | "rate_close" | "rate_reopen" => {
                        extra = extra.set(
                            "评价",
                            ticket.evaluation.as_deref().map(model::evaluation_label),
                            input.field("evaluation").map(model::evaluation_label),
                        );
                        if let Some(c) = input.field("comment") {
                            extra = extra.set("意见", serde_json::Value::Null, c);
                        }
                    }
                    "merge" => {
                        extra = extra.set("并入", serde_json::Value::Null, merge_target.as_ref().map(|m| m.case_no.clone()));
                    }
                    "request_extension" | "approve_extension" => {
                        extra = extra.set("延长工作日", serde_json::Value::Null, input.days);
                    }
                    "answer_directly" => {
                        extra = extra.set("答复", serde_json::Value::Null, input.field("answer"));
                    }
                    _ => {}
                }
                let updated = cases::apply(tx, &PROCEDURE, &case, &plan, &actor, input.reason.clone(), extra, now, &cal).await?;
                // The hotline's own facts.
                match action.as_str() {
                    "dispatch" | "reassign" => {
                        let o = target_org.as_ref().expect("checked");
                        q("UPDATE cases SET org_id = $1, assignee_id = NULL WHERE id = $2").bind(o.id).bind(case_id).execute(&mut *tx).await?;
                        q("DELETE FROM case_units WHERE case_id = $1").bind(case_id).execute(&mut *tx).await?;
                        for c in &co_orgs {
                            q("INSERT INTO case_units (case_id, org_id, role) VALUES ($1, $2, 'co')").bind(case_id).bind(c.id).execute(&mut *tx).await?;
                        }
                        q("UPDATE hotline_tickets SET dispatched_at = $1, replied_on_time = NULL WHERE case_id = $2")
                            .bind(now)
                            .bind(case_id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    "reply" => {
                        let on_time = case.due_date().is_none_or(|d| today <= d);
                        q("UPDATE hotline_tickets SET reply_text = $1, replied_at = $2, replied_on_time = $3 WHERE case_id = $4")
                            .bind(input.field("reply"))
                            .bind(now)
                            .bind(on_time)
                            .bind(case_id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    "not_accept" => {
                        q("UPDATE hotline_tickets SET not_accepted_reason = $1, alt_route = $2, closed_at = $3 WHERE case_id = $4")
                            .bind(input.reason.clone())
                            .bind(input.field("alt_route"))
                            .bind(now)
                            .bind(case_id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    "answer_directly" => {
                        q("UPDATE hotline_tickets SET answer_text = $1, closed_at = $2 WHERE case_id = $3")
                            .bind(input.field("answer"))
                            .bind(now)
                            .bind(case_id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    "merge" => {
                        let m = merge_target.as_ref().expect("checked");
                        q("UPDATE hotline_tickets SET merged_into = $1, closed_at = $2 WHERE case_id = $3")
                            .bind(m.id)
                            .bind(now)
                            .bind(case_id)
                            .execute(&mut *tx)
                            .await?;
                        audit::record(tx, &actor, NewEvent::new("case", m.id, "merged_in", format!("工单 {} 并入本工单", case.case_no))).await?;
                    }
                    "request_extension" => {
                        q("UPDATE hotline_tickets SET extension_requested_days = $1 WHERE case_id = $2")
                            .bind(input.days.map(i64::from))
                            .bind(case_id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    "callback_close" | "callback_reopen" | "rate_close" | "rate_reopen" => {
                        let by = if citizen { "citizen" } else { "callback" };
                        q("UPDATE hotline_tickets SET evaluation = $1, evaluation_comment = $2, evaluation_by = $3 WHERE case_id = $4")
                            .bind(input.field("evaluation"))
                            .bind(input.field("comment"))
                            .bind(by)
                            .bind(case_id)
                            .execute(&mut *tx)
                            .await?;
                        if matches!(action.as_str(), "callback_reopen" | "rate_reopen") {
                            q("UPDATE hotline_tickets SET replied_on_time = NULL WHERE case_id = $1").bind(case_id).execute(&mut *tx).await?;
                        }
                    }
                    "close_unreached" => {
                        q("UPDATE hotline_tickets SET evaluation = NULL, evaluation_by = 'unreached' WHERE case_id = $1")
                            .bind(case_id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    "supervise" => {
                        q("UPDATE cases SET supervised = TRUE WHERE id = $1").bind(case_id).execute(&mut *tx).await?;
                    }
                    _ => {}
                }
                if plan.terminal {
                    q("UPDATE hotline_tickets SET closed_at = COALESCE(closed_at, $1) WHERE case_id = $2").bind(now).bind(case_id).execute(&mut *tx).await?;
                }
                for (sha, mime, size, name) in &stored {
                    crate::files::attach(tx, "case", case_id, &action, sha, mime, *size, name, by_kind, by_id).await?;
                }
                queries::refresh_kpi(tx, case_id, false).await?;
                let after = cases::get(&mut *tx, updated.id).await?.ok_or_else(|| AppError::internal("办件读取失败"))?;
                tell(tx, &state2, &action, &after, ticket.caller_phone.as_deref()).await?;
                Ok(after)
            }
            .boxed()
        })
        .await
}

async fn clock_days(state: &AppState, t: &TicketRow, overrides: &BTreeMap<String, u32>) -> Result<u32, AppError> {
    if t.channel == "mailbox" {
        let rule = PROCEDURE.deadlines.iter().find(|d| d.code == "mailbox").expect("mailbox rule");
        return Ok(engine::rule_days(rule, overrides));
    }
    if let Some(cid) = t.category_id {
        if let Some(c) = queries::category(&state.db, cid).await? {
            if c.handle_days > 0 {
                return Ok(c.handle_days as u32);
            }
        }
    }
    let rule = PROCEDURE.deadlines.iter().find(|d| d.code == "handle").expect("handle rule");
    Ok(engine::rule_days(rule, overrides))
}

/// A `Who` that can move into a write job.
enum OwnedWho {
    Staff(Box<Staff>),
    Token(Box<TokenCaller>),
    Citizen(Phone),
}

impl OwnedWho {
    fn from(w: Who<'_>) -> OwnedWho {
        match w {
            Who::Staff(s) => OwnedWho::Staff(Box::new(s.clone())),
            Who::Token(t) => OwnedWho::Token(Box::new(t.clone())),
            Who::Citizen(p) => OwnedWho::Citizen(p.clone()),
        }
    }
    fn as_who(&self) -> Who<'_> {
        match self {
            OwnedWho::Staff(s) => Who::Staff(s),
            OwnedWho::Token(t) => Who::Token(t),
            OwnedWho::Citizen(p) => Who::Citizen(p),
        }
    }
}

/// Organisation names for event texts.
struct OrgNames(Vec<(i64, String)>);

impl OrgNames {
    async fn load(tx: &mut crate::db::Tx, ids: &[Option<i64>]) -> Result<OrgNames, AppError> {
        let ids: Vec<i64> = ids.iter().flatten().copied().collect();
        let rows: Vec<(i64, String)> = q("SELECT id, name FROM orgs WHERE").push_in("id", &ids).fetch_all(tx).await?;
        Ok(OrgNames(rows))
    }
    fn get(&self, id: i64) -> String {
        self.0.iter().find(|r| r.0 == id).map(|r| r.1.clone()).unwrap_or_default()
    }
}

pub use super::actions::{add_note, reclassify, reveal, suggest};
