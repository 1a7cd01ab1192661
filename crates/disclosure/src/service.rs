//! The operations on disclosure requests, shared by the staff pages, the portal and the API:
//! intake and a step, each in one transaction (the kernel's case, the request's facts, the
//! letter issued, the event), and the sweep that takes the system's steps when a 补正 period or
//! a third party's 15 working days have passed.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use futures::FutureExt;

use super::letters;
use super::model::{self, Application};
use super::queries::{self, RequestRow};
use super::rules::{self, PROCEDURE};
use crate::audit::{self, Actor, Changes, NewEvent};
use crate::auth::Staff;
use crate::auth::roles::Perm;
use crate::auth::tokens::TokenCaller;
use crate::calendar::Calendar;
use crate::db::q;
use crate::error::{AppError, FieldError};
use crate::kernel::engine::{self, Authority, Clock, Input};
use crate::kernel::queries::{self as cases, CaseRow, NewCase};
use crate::org::OrgKind;
use crate::org::queries as orgs;
use crate::privacy::Phone;
use crate::state::AppState;
use crate::time::{fmt_date, now_ms, start_of_day_ms, today};
use crate::web::form::Upload;

/// Who acts on a request.
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
            Who::Citizen(p) => Actor::citizen(format!("申请人 {}", p.masked())),
        }
    }
}

enum OwnedWho {
    Staff(Box<Staff>),
    Token(Box<TokenCaller>),
    Citizen(Phone),
    System,
}

impl OwnedWho {
    fn from(w: Who<'_>) -> OwnedWho {
        match w {
            Who::Staff(s) => OwnedWho::Staff(Box::new(s.clone())),
            Who::Token(t) => OwnedWho::Token(Box::new(t.clone())),
            Who::Citizen(p) => OwnedWho::Citizen(p.clone()),
        }
    }
}

/// One person's authority over one request.
pub struct RequestAuthority<'a> {
    who: &'a OwnedWho,
    path: String,
    filer: String,
}

impl Authority for RequestAuthority<'_> {
    fn staff_may(&self, perm: Perm) -> bool {
        match self.who {
            OwnedWho::Staff(s) => s.allows(perm, Some("disclosure"), &self.path),
            OwnedWho::Token(t) => t.allows(perm, &self.path),
            _ => false,
        }
    }
    fn is_filer(&self) -> bool {
        matches!(self.who, OwnedWho::Citizen(p) if p.as_str() == self.filer)
    }
    fn is_system(&self) -> bool {
        matches!(self.who, OwnedWho::System)
    }
    fn identity(&self) -> Option<String> {
        identity(self.who)
    }
}

/// A person as `CaseFacts::takers` records them (separation of duties).
fn identity(who: &OwnedWho) -> Option<String> {
    match who {
        OwnedWho::Staff(s) => Some(format!("user:{}", s.id)),
        OwnedWho::Token(t) => Some(format!("token:{}", t.token.id)),
        _ => None,
    }
}

/// The facts the kernel's guards read: the module's flags and who asked for the extension.
pub fn facts(case: &CaseRow, r: &RequestRow, day: NaiveDate, cal: &Calendar) -> crate::kernel::engine::CaseFacts {
    let mut f = case.facts(flags(case, r, day, cal));
    if let Some(by) = &r.extension_requested_by {
        f.takers.insert("request_extension".into(), by.clone());
    }
    f
}

/// A borrowed view for pages (which steps to show).
pub struct View<'a> {
    owned: OwnedWho,
    path: String,
    filer: String,
    _p: std::marker::PhantomData<&'a ()>,
}

impl View<'_> {
    pub fn authority(&self) -> RequestAuthority<'_> {
        RequestAuthority { who: &self.owned, path: self.path.clone(), filer: self.filer.clone() }
    }
    pub fn can_read(&self) -> bool {
        let a = self.authority();
        a.staff_may(Perm::CASE_READ) || a.is_filer()
    }
}

pub async fn view<'a>(state: &AppState, who: Who<'a>, case: &CaseRow, r: &RequestRow) -> Result<View<'a>, AppError> {
    let path = crate::kernel::access::org_path(state, case.org_id).await?;
    Ok(View { owned: OwnedWho::from(who), path, filer: r.phone.clone(), _p: std::marker::PhantomData })
}

/// The module facts the kernel's guards read.
pub fn flags(case: &CaseRow, r: &RequestRow, day: NaiveDate, cal: &Calendar) -> BTreeMap<String, bool> {
    let mut f = BTreeMap::new();
    let lapsed = case.state == "correction" && r.correction_due_on.as_deref().and_then(crate::time::parse_date).is_some_and(|d| day > d);
    f.insert("correction_lapsed".into(), lapsed);
    let tp = case.state == "third_party" && r.third_party_since.as_deref().and_then(crate::time::parse_date).is_some_and(|d| day > cal.add_working_days(d, 15));
    f.insert("third_party_lapsed".into(), tp);
    f
}

/// The organs that may receive applications (Art. 27): the city government, its departments
/// and the towns and parks.
pub fn may_receive(kind: OrgKind) -> bool {
    matches!(kind, OrgKind::City | OrgKind::Department | OrgKind::Town | OrgKind::Park)
}

/// Check the files of an application: types and sizes as the file store allows.
fn check_files(state: &AppState, files: &[Upload], errors: &mut Vec<FieldError>) {
    let max = (state.config.server.max_upload_mb as usize) * 1024 * 1024;
    if files.len() > 10 {
        errors.push(FieldError::new("files", "too_many_files", "附件最多 10 个"));
    }
    for f in files {
        if f.bytes.len() > max {
            errors.push(FieldError::new("files", "file_too_large", format!("附件“{}”超过 {} MB 上限", f.filename, state.config.server.max_upload_mb)));
        } else if crate::files::sniff(&f.bytes, &f.filename).is_none() {
            errors.push(FieldError::new(
                "files",
                "file_type_not_allowed",
                format!("附件“{}”的类型不允许上传，仅支持 {}", f.filename, crate::files::ALLOWED_LABEL),
            ));
        }
    }
}

/// The result of an intake.
pub struct Intake {
    pub case: CaseRow,
    pub duplicate: bool,
}

/// Take in an application. From the portal `who` is the citizen and the phone is theirs.
pub async fn intake(state: &AppState, who: Who<'_>, mut app: Application, files: Vec<Upload>) -> Result<Intake, AppError> {
    if let Who::Citizen(p) = who {
        // The applicant's contact is the phone they proved; web applications are received today.
        app.phone = Some(p.as_str().to_string());
        app.channel = Some("web".into());
        app.received_on = None;
    }
    let day = today();
    let mut valid = match model::check(&app, day) {
        Ok(v) => Some(v),
        Err(AppError::Refused { fields, .. }) => {
            let mut fields = fields;
            check_files(state, &files, &mut fields);
            return Err(model::refused(fields, &rules::ART_29));
        }
        Err(e) => return Err(e),
    };
    let mut errors = Vec::new();
    check_files(state, &files, &mut errors);
    let org = match app.org_id {
        Some(id) => orgs::get(&state.db, id).await?,
        None => None,
    };
    let org = match org {
        Some(o) if o.active && may_receive(o.kind()) => Some(o),
        _ => {
            errors.push(FieldError::new("org_id", "organ_cannot_receive", "所选机关不受理政府信息公开申请：请选择市政府、市级部门或乡镇（园区）"));
            None
        }
    };
    // Staff and integrations register applications for their own units only; a citizen may
    // apply to any organ.
    if let Some(o) = &org {
        let own = match who {
            Who::Staff(s) => s.allows(Perm::CASE_HANDLE, Some("disclosure"), &o.path),
            Who::Token(t) => t.allows(Perm::CASE_HANDLE, &o.path),
            Who::Citizen(_) => true,
        };
        if !own {
            errors.push(FieldError::new("org_id", "org_out_of_scope", "您只能为本单位登记申请"));
        }
    }
    if !errors.is_empty() {
        return Err(model::refused(errors, &rules::ART_29));
    }
    let (valid, org) = (valid.take().expect("checked"), org.expect("checked"));
    // Files are stored first (content-addressed: harmless if the write then fails).
    let max = (state.config.server.max_upload_mb as usize) * 1024 * 1024;
    let mut stored = Vec::new();
    for f in &files {
        let (sha, mime) = state.files.put(&f.bytes, &f.filename, max)?;
        stored.push((sha, mime, f.bytes.len(), f.filename.clone()));
    }
    let cal = state.calendar();
    let actor = who.actor();
    let by = match who {
        Who::Staff(s) => ("staff", Some(s.id)),
        Who::Token(t) => ("token", Some(t.token.id)),
        Who::Citizen(_) => ("citizen", None),
    };
    let title = fazhi_platform::headline::headline(&valid.description, 40);
    let portal = state.config.server.public_url.clone();
    state
        .db
        .write(move |tx| {
            async move {
                if let Some(k) = &valid.idempotency_key {
                    if let Some(id) = queries::by_idempotency_key(tx, k).await? {
                        let case = cases::get(&mut *tx, id).await?.ok_or_else(|| AppError::internal("duplicate vanished"))?;
                        return Ok(Intake { case, duplicate: true });
                    }
                }
                // Art. 31: the day of receipt; the reply is due 20 working days after it.
                let received = valid.received_on;
                let rule = &PROCEDURE.deadlines[0];
                let clock = Clock {
                    rule: Some(rule.code.into()),
                    started_on: Some(received),
                    due_on: Some(cal.add_working_days(received, rule.days)),
                    ..Clock::default()
                };
                let opened_at = if received == today() { now_ms() } else { start_of_day_ms(received) + 9 * 3600 * 1000 };
                let case = cases::create(
                    tx,
                    NewCase {
                        procedure: &PROCEDURE,
                        title,
                        org_id: org.id,
                        org_code: org.code.clone(),
                        assignee_id: None,
                        opened_at,
                        state: "received",
                        clock,
                        closed: false,
                    },
                    &cal,
                )
                .await?;
                queries::insert(tx, case.id, &valid).await?;
                // The applicant learns the number and the due date at once.
                if let Some(phone) = crate::notify::mobile(Some(&valid.phone)) {
                    let url = crate::notify::portal_url(&portal, &format!("/portal/disclosure/requests/{}", case.id));
                    let vars = crate::notify::Vars { case_no: &case.case_no, unit: &org.name, due: case.due_on.as_deref(), url: &url };
                    let message = crate::notify::render(rules::RECEIVED_TELL, &vars);
                    crate::notify::enqueue(tx, &[crate::notify::Outgoing { phone, message, case_id: Some(case.id), key: format!("case:{}:intake", case.id) }])
                        .await?;
                }
                let changes = Changes::new()
                    .created("渠道", model::label(model::CHANNELS, &valid.channel))
                    .created("申请人类型", rules::applicant_type_label(&valid.applicant_type))
                    .created("联系电话", crate::privacy::mask_phone(&valid.phone))
                    .created("收到申请日期", fmt_date(received))
                    .created("答复期限", case.due_on.clone());
                audit::record_at(
                    tx,
                    &actor,
                    NewEvent::new("case", case.id, "intake", "登记政府信息公开申请").changes(changes).reason(Some(format!("依据：{}", rules::ART_31.full()))),
                    opened_at,
                )
                .await?;
                for (sha, mime, size, name) in &stored {
                    crate::files::attach(tx, "case", case.id, "application", sha, mime, *size, name, by.0, by.1).await?;
                }
                Ok(Intake { case, duplicate: false })
            }
            .boxed()
        })
        .await
}

/// A step as submitted.
#[derive(Clone, Debug, Default)]
pub struct StepForm {
    pub reason: Option<String>,
    pub fields: BTreeMap<String, String>,
    pub days: Option<u32>,
    /// Files given with a reply of 予以公开 or 部分公开: the information itself.
    pub files: Vec<Upload>,
}

/// Take a step. `seen_version`: the version the person saw (stale → 409).
pub async fn step(state: &AppState, who: Who<'_>, id: i64, seen_version: Option<i64>, action: &str, form: StepForm) -> Result<CaseRow, AppError> {
    let (case, r) = queries::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let v = view(state, who, &case, &r).await?;
    if !v.can_read() {
        return Err(crate::kernel::access::not_found());
    }
    run_step(state, v.owned, v.path, id, seen_version, action.to_string(), form, today()).await
}

#[allow(clippy::too_many_arguments)]
async fn run_step(
    state: &AppState,
    owned: OwnedWho,
    path: String,
    id: i64,
    seen_version: Option<i64>,
    action: String,
    form: StepForm,
    day: NaiveDate,
) -> Result<CaseRow, AppError> {
    let cal = state.calendar();
    let overrides = crate::settings::procedure_overrides(&state.db, "disclosure").await?;
    let correction_days = overrides.get("correction_days").copied().unwrap_or(rules::CORRECTION_DAYS);
    // What a reply gives the applicant, checked and its files stored before the write
    // (content-addressed: harmless if the step is then refused).
    let given = if action == "reply" { reply_information(state, &form).await? } else { Given::default() };
    let mut input = Input { reason: form.reason.clone(), fields: form.fields.clone(), attachments: given.files.len(), days: form.days, clock_days: None };
    let portal = state.config.server.public_url.clone();
    state
        .db
        .write(move |tx| {
            async move {
                let case = cases::load_for_change(tx, id, seen_version).await?;
                let r = queries::request(&mut *tx, id).await?.ok_or_else(crate::kernel::access::not_found)?;
                let org = orgs::get(&mut *tx, case.org_id).await?;
                let org_name = org.as_ref().map(|o| o.name.clone()).unwrap_or_default();
                let auth = RequestAuthority { who: &owned, path, filer: r.phone.clone() };
                if action == "approve_extension" && input.days.is_none() {
                    input.days = r.extension_requested_days.map(|d| d as u32);
                }
                if action == "approve_extension" && input.reason.is_none() {
                    input.reason = Some("延长答复期限".into());
                }
                let facts = facts(&case, &r, day, &cal);
                let plan = engine::plan(&PROCEDURE, &facts, &action, &auth, &input, day, &cal, &overrides).map_err(AppError::from)?;
                let actor = match &owned {
                    OwnedWho::Staff(s) => s.actor(),
                    OwnedWho::Token(t) => t.actor(),
                    OwnedWho::Citizen(p) => Actor::citizen(format!("申请人 {}", p.masked())),
                    OwnedWho::System => Actor::system(),
                };
                let now = now_ms();
                let d = fmt_date(day);
                let mut extra = Changes::new();
                let mut letter: Option<(&str, Vec<(&str, String)>)> = None;
                match action.as_str() {
                    "request_correction" => {
                        let days = input.days.unwrap_or(correction_days);
                        let due = cal.add_working_days(day, days);
                        q("UPDATE disclosure_requests SET correction_items = $1, correction_due_on = $2 WHERE case_id = $3")
                            .bind(input.field("correction_items"))
                            .bind(fmt_date(due))
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("补正期限", serde_json::Value::Null, fmt_date(due)).set("补正事项", serde_json::Value::Null, input.field("correction_items"));
                        letter = Some(("correction", vec![]));
                    }
                    "correct" | "record_correction" => {
                        q("UPDATE disclosure_requests SET corrected_on = $1, correction_text = $2 WHERE case_id = $3")
                            .bind(d.clone())
                            .bind(input.field("correction_text"))
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("补正内容", serde_json::Value::Null, input.field("correction_text"));
                    }
                    "refer_third_party" => {
                        q("UPDATE disclosure_requests SET third_party = $1, third_party_since = $2, third_party_opinion = NULL WHERE case_id = $3")
                            .bind(input.field("third_party"))
                            .bind(d.clone())
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("第三方", serde_json::Value::Null, input.field("third_party"));
                    }
                    "third_party_replied" | "third_party_lapsed" => {
                        let op = if action == "third_party_lapsed" { "none" } else { input.field("opinion").unwrap_or("none") };
                        q("UPDATE disclosure_requests SET third_party_opinion = $1 WHERE case_id = $2").bind(op).bind(id).execute(&mut *tx).await?;
                        extra = extra.set("第三方意见", serde_json::Value::Null, model::label(rules::THIRD_PARTY_OPINIONS, op));
                    }
                    "request_extension" => {
                        q("UPDATE disclosure_requests SET extension_requested_days = $1, extension_reason = $2, extension_requested_by = $3 WHERE case_id = $4")
                            .bind(input.days.map(i64::from))
                            .bind(input.reason.clone())
                            .bind(identity(&owned))
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("申请延长工作日", serde_json::Value::Null, input.days);
                    }
                    "approve_extension" => {
                        extra = extra.set("延长工作日", serde_json::Value::Null, input.days);
                        // The letter states the reason given when the extension was asked for.
                        let why = r
                            .extension_reason
                            .as_deref()
                            .map(|s| s.trim().trim_end_matches(['。', '.', '，', ',', '；']))
                            .filter(|s| !s.is_empty())
                            .unwrap_or("需要检索、审查的信息较多")
                            .to_string();
                        letter = Some(("extension", vec![("days", input.days.unwrap_or(0).to_string()), ("reason", why)]));
                    }
                    "reply" => {
                        let code = input.field("outcome").unwrap_or("");
                        let o = rules::outcome(code).ok_or_else(|| AppError::internal("outcome checked"))?;
                        let on_time = case.due_date().is_none_or(|due| day <= due);
                        q("UPDATE disclosure_requests SET outcome = $1, outcome_reason = $2, reply_text = $3, concluded_on = $4, replied_on_time = $5 WHERE case_id = $6")
                            .bind(code)
                            .bind(input.field("outcome_reason"))
                            .bind(input.field("reply_text"))
                            .bind(d.clone())
                            .bind(on_time)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("答复结果", serde_json::Value::Null, o.decision).set("按时答复", serde_json::Value::Null, on_time);
                        let (by_kind, by) = match &owned {
                            OwnedWho::Staff(s) => ("staff", Some(s.id)),
                            OwnedWho::Token(t) => ("token", Some(t.token.id)),
                            _ => ("system", None),
                        };
                        for f in &given.files {
                            crate::files::attach(tx, "case", id, queries::DISCLOSED, &f.sha, f.mime, f.size, &f.name, by_kind, by).await?;
                        }
                        for (i, p) in given.publications.iter().enumerate() {
                            queries::link_publication(tx, id, p.id, i as i64).await?;
                        }
                        let list = given.list(&portal);
                        if !list.is_empty() {
                            extra = extra.set("所附信息", serde_json::Value::Null, list.join("；"));
                        }
                        letter = Some(("reply", vec![("attachments", list.join("\n"))]));
                    }
                    "correction_lapsed" => {
                        q("UPDATE disclosure_requests SET outcome = 'other_no_correction', concluded_on = $1 WHERE case_id = $2")
                            .bind(d.clone())
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("办理结果", serde_json::Value::Null, "逾期不补正，视为放弃申请");
                        letter = Some(("lapsed", vec![]));
                    }
                    "withdraw" => {
                        q("UPDATE disclosure_requests SET outcome = 'other_other', outcome_reason = '申请人撤回申请', concluded_on = $1 WHERE case_id = $2")
                            .bind(d.clone())
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    _ => {}
                }
                let updated = cases::apply(tx, &PROCEDURE, &case, &plan, &actor, input.reason.clone(), extra, now, &cal).await?;
                let url = crate::notify::portal_url(&portal, &format!("/portal/disclosure/requests/{id}"));
                crate::notify::tell_citizen(tx, &PROCEDURE, &action, &updated, Some(&r.phone), &org_name, &url).await?;
                if let Some((kind, mut more)) = letter {
                    let r2 = queries::request(&mut *tx, id).await?.ok_or_else(crate::kernel::access::not_found)?;
                    if kind == "lapsed" {
                        let sent: Option<(i64,)> =
                            q("SELECT issued_at FROM disclosure_letters WHERE case_id = $1 AND kind = 'correction' ORDER BY id LIMIT 1").bind(id).fetch_optional(&mut *tx).await?;
                        more.push(("correction_sent_on", sent.map(|s| crate::time::fmt_date_cn(crate::time::local_date(s.0))).unwrap_or_default()));
                    }
                    // Letters name the organ in full (示范市住房和城乡建设局), as it signs them.
                    let root = orgs::root(&mut *tx).await?;
                    let full = org.as_ref().map(|o| orgs::full_name(o, root.as_ref())).unwrap_or_default();
                    let body = root.as_ref().map(|r| reconsideration_body(org.as_ref().map(|o| o.id), r)).unwrap_or_default();
                    more.push(("reconsideration_body", body));
                    let ctx = letters::context(&updated, &r2, &full, &more);
                    let lid = letters::issue(tx, kind, &updated, &ctx, &full).await?;
                    let name = letters::DEFAULTS.iter().find(|d| d.0 == kind).map_or(kind, |d| d.1);
                    audit::record(tx, &actor, NewEvent::new("case", id, "letter", "生成告知书").changes(Changes::new().created("文书", format!("《{name}》（第 {lid} 号）"))))
                        .await?;
                }
                Ok(updated)
            }
            .boxed()
        })
        .await
}

/// Where a reply may be challenged (行政复议法 2023 Art. 24 first paragraph): a department's or a
/// town's reply before the city's government, named in full (items (一) and (二)); the city
/// government's own reply before the government one level up (item (二) seen from above), which
/// the letter names as the statute does, since the platform does not hold the higher government.
fn reconsideration_body(organ: Option<i64>, root: &crate::org::queries::OrgRow) -> String {
    if organ == Some(root.id) {
        return "上一级人民政府".into();
    }
    if root.name.ends_with("人民政府") { root.name.clone() } else { format!("{}人民政府", root.short_name) }
}

/// A file given with a reply, stored.
pub struct GivenFile {
    sha: String,
    mime: &'static str,
    size: usize,
    name: String,
}

/// What a reply of 予以公开 or 部分公开 gives the applicant (Art. 36 (一)(二), Art. 37).
#[derive(Default)]
pub struct Given {
    files: Vec<GivenFile>,
    publications: Vec<queries::LinkedPublication>,
}

impl Given {
    /// The lines of the letter's list of what is attached.
    fn list(&self, portal: &str) -> Vec<String> {
        let mut v: Vec<String> = self.files.iter().map(|f| f.name.clone()).collect();
        for p in &self.publications {
            let url = crate::notify::portal_url(portal, &format!("/portal/disclosure/p/{}", p.id));
            v.push(match &p.index_no {
                Some(n) => format!("《{}》（已主动公开，索引号{n}，{url}）", p.title),
                None => format!("《{}》（已主动公开，{url}）", p.title),
            });
        }
        v.iter().enumerate().map(|(i, l)| format!("{}. {l}", i + 1)).collect()
    }
}

/// Check what a reply gives: files as the file store allows them, publications that are public,
/// and nothing given with a decision that gives nothing.
async fn reply_information(state: &AppState, form: &StepForm) -> Result<Given, AppError> {
    let files: Vec<Upload> = form.files.iter().filter(|f| !(f.filename.is_empty() && f.bytes.is_empty())).cloned().collect();
    let mut errors = Vec::new();
    check_files(state, &files, &mut errors);
    let mut refs: Vec<&str> = form
        .fields
        .get("publications")
        .map(|s| s.split(|c: char| matches!(c, ',' | '，' | '、' | ';' | '；') || c.is_whitespace()).map(str::trim).filter(|x| !x.is_empty()).collect())
        .unwrap_or_default();
    refs.dedup();
    let mut publications: Vec<queries::LinkedPublication> = Vec::new();
    if refs.len() > 20 {
        errors.push(FieldError::new("publications", "too_many_publications", "所附已公开信息最多 20 条"));
    } else {
        for r in &refs {
            // A link to the publication on the portal is as good as its number.
            let key = r.rsplit_once("/p/").map_or(*r, |(_, id)| id.trim_end_matches('/'));
            match queries::published_by_ref(&state.db, key).await? {
                Some(p) if !publications.iter().any(|x| x.id == p.id) => publications.push(p),
                Some(_) => {}
                None => errors.push(FieldError::new("publications", "publication_not_found", format!("没有索引号或编号为“{r}”的已公开信息"))),
            }
        }
    }
    if let Some(o) = form.fields.get("outcome").and_then(|c| rules::outcome(c)) {
        if !o.gives_information() && (!files.is_empty() || !refs.is_empty()) {
            errors.push(FieldError::new(
                "files",
                "information_not_for_outcome",
                format!("答复结果为“{}”的，不向申请人提供所申请的信息，请不要附信息文件或已公开信息", o.decision),
            ));
        }
    }
    if !errors.is_empty() {
        let message = errors[0].message.clone();
        return Err(AppError::Refused { code: "reply_information_invalid".into(), message, basis: vec![rules::ART_36_2.full()], fields: errors });
    }
    let max = (state.config.server.max_upload_mb as usize) * 1024 * 1024;
    let mut stored = Vec::new();
    for f in &files {
        let (sha, mime) = state.files.put(&f.bytes, &f.filename, max)?;
        stored.push(GivenFile { sha, mime, size: f.bytes.len(), name: f.filename.clone() });
    }
    Ok(Given { files: stored, publications })
}

/// What a sweep did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub lapsed: usize,
    pub resumed: usize,
    pub letters_indexed: usize,
    /// Documents indexed again after a change of the index layout.
    pub reindexed: usize,
}

/// The system's steps as of `day`: applications whose 补正 period has passed are closed as
/// abandoned (Art. 30), consultations whose 15 working days have passed resume the clock
/// (Art. 32); published letters not yet in the search index are indexed.
pub async fn sweep(state: &AppState, day: NaiveDate) -> Result<SweepReport, AppError> {
    let mut report = SweepReport::default();
    let cal = state.calendar();
    for c in queries::lapsed_corrections(&state.db, &fmt_date(day)).await? {
        match run_step(state, OwnedWho::System, String::new(), c.id, None, "correction_lapsed".into(), StepForm::default(), day).await {
            Ok(_) => report.lapsed += 1,
            Err(e) => tracing::warn!(case = c.id, error = %e, "correction lapse not applied"),
        }
    }
    for (id, since) in queries::third_party_waiting(&state.db).await? {
        let Some(s) = crate::time::parse_date(&since) else { continue };
        if day > cal.add_working_days(s, 15) {
            match run_step(state, OwnedWho::System, String::new(), id, None, "third_party_lapsed".into(), StepForm::default(), day).await {
                Ok(_) => report.resumed += 1,
                Err(e) => tracing::warn!(case = id, error = %e, "third-party lapse not applied"),
            }
        }
    }
    report.letters_indexed = super::search::index::sync_sources(state).await?;
    report.reindexed = super::search::index::reindex_queued(state, 50_000).await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::reconsideration_body;
    use crate::org::queries::OrgRow;

    fn city() -> OrgRow {
        OrgRow {
            id: 1,
            parent_id: None,
            code: "C".into(),
            name: "示范市人民政府".into(),
            short_name: "示范市".into(),
            kind: "government".into(),
            path: "/1/".into(),
            depth: 0,
            sort: 0,
            active: true,
            version: 1,
        }
    }

    #[test]
    fn a_reply_is_challenged_one_level_up_never_before_its_own_organ() {
        assert_eq!(reconsideration_body(Some(7), &city()), "示范市人民政府", "a department's reply: the city government (Art. 24 (一))");
        assert_eq!(reconsideration_body(Some(1), &city()), "上一级人民政府", "the city government's own reply: not itself (Art. 24 (二))");
        let mut short = city();
        short.name = "示范市".into();
        assert_eq!(reconsideration_body(Some(7), &short), "示范市人民政府");
    }
}
