//! The operations on normative documents, shared by the staff pages and the API: a new item of
//! the plan with its first draft, a new version of the text, a comment on a clause during a
//! window, a step on the kernel, and the sweep that records a document past its validity. Each
//! runs in one transaction with its event.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use futures::FutureExt;

use super::model::{self, Clause};
use super::queries::{self, DocRow};
use super::rules::{self, PROCEDURE};
use crate::audit::{self, Actor, Changes, NewEvent};
use crate::auth::Staff;
use crate::auth::roles::Perm;
use crate::auth::tokens::TokenCaller;
use crate::db::q;
use crate::error::{AppError, Check, FieldError};
use crate::kernel::engine::{self, Authority, Clock, Input};
use crate::kernel::queries::{self as cases, CaseRow, NewCase};
use crate::org::OrgKind;
use crate::org::queries as orgs;
use crate::state::AppState;
use crate::time::{fmt_date, now_ms, parse_date, today};

/// Who acts on a document.
#[derive(Clone)]
pub enum Who {
    Staff(Box<Staff>),
    Token(Box<TokenCaller>),
    System,
}

impl Who {
    pub fn staff(s: &Staff) -> Who {
        Who::Staff(Box::new(s.clone()))
    }
    pub fn token(t: &TokenCaller) -> Who {
        Who::Token(Box::new(t.clone()))
    }
    pub fn actor(&self) -> Actor {
        match self {
            Who::Staff(s) => s.actor(),
            Who::Token(t) => t.actor(),
            Who::System => Actor::system(),
        }
    }
    fn user_id(&self) -> Option<i64> {
        match self {
            Who::Staff(s) => Some(s.id),
            _ => None,
        }
    }
    /// Holds `perm` over the unit at `path` for normative documents.
    pub fn may(&self, perm: Perm, path: &str) -> bool {
        match self {
            Who::Staff(s) => s.allows(perm, Some(rules::CODE), path),
            Who::Token(t) => t.allows(perm, path),
            Who::System => true,
        }
    }
}

/// One person's authority over one document.
pub struct DocAuthority<'a> {
    pub who: &'a Who,
    pub path: String,
}

impl Authority for DocAuthority<'_> {
    fn staff_may(&self, perm: Perm) -> bool {
        !matches!(self.who, Who::System) && self.who.may(perm, &self.path)
    }
    fn is_filer(&self) -> bool {
        false
    }
    fn is_system(&self) -> bool {
        matches!(self.who, Who::System)
    }
}

/// Load a document the caller may read, or 404.
pub async fn readable(state: &AppState, who: &Who, id: i64) -> Result<(CaseRow, DocRow, String), AppError> {
    let (c, d) = queries::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let path = crate::kernel::access::org_path(state, c.org_id).await?;
    if !who.may(Perm::CASE_READ, &path) {
        return Err(crate::kernel::access::not_found());
    }
    Ok((c, d, path))
}

/// The facts the kernel's guards read, as of `day`.
pub fn flags(case: &CaseRow, d: &DocRow, window: Option<&queries::WindowRow>, day: NaiveDate, filed_on: Option<NaiveDate>) -> BTreeMap<String, bool> {
    let mut f = BTreeMap::new();
    f.insert("review_passed".into(), d.review_result.as_deref() == Some("pass") && case.state == "reviewed");
    f.insert("window_ended".into(), window.and_then(|w| parse_date(&w.closes_on)).is_some_and(|c| day > c));
    f.insert("past_validity".into(), d.valid_until.as_deref().and_then(parse_date).is_some_and(|v| day > v));
    let due = d.filing_due_on.as_deref().and_then(parse_date);
    f.insert("filing_late".into(), due.is_some_and(|due| filed_on.unwrap_or(day) > due));
    f
}

/// The units that issue normative documents: the city government, its departments, the towns.
pub fn may_issue(kind: OrgKind) -> bool {
    matches!(kind, OrgKind::City | OrgKind::Department | OrgKind::Town | OrgKind::Park)
}

/// A new item of the formulation plan, with its first draft.
#[derive(Clone, Debug, Default)]
pub struct NewDoc {
    pub org_id: Option<i64>,
    pub title: Option<String>,
    pub plan_year: Option<String>,
    pub market_related: bool,
    pub text: Option<String>,
}

pub async fn create(state: &AppState, who: &Who, new: NewDoc) -> Result<CaseRow, AppError> {
    let day = today();
    let mut c = Check::new();
    let title = c.text("title", "文件名称", new.title.as_deref(), 100);
    let year = c.int("plan_year", "计划年度", new.plan_year.as_deref());
    if let Some(y) = year {
        if !(i64::from(day.year()) - 1..=i64::from(day.year()) + 1).contains(&y) {
            c.add("plan_year", "year_out_of_range", format!("计划年度只能是{}至{}年", day.year() - 1, day.year() + 1));
        }
    }
    let clauses = match model::parse_clauses(new.text.as_deref().unwrap_or("")) {
        Ok(v) => v,
        Err(e) => {
            c.errors.push(e);
            vec![]
        }
    };
    let org = match new.org_id {
        Some(id) => orgs::get(&state.db, id).await?,
        None => None,
    };
    let org = match org {
        Some(o) if o.active && may_issue(o.kind()) => {
            if !who.may(Perm::CASE_HANDLE, &o.path) {
                c.add("org_id", "org_out_of_scope", "您只能为本单位起草规范性文件");
            }
            Some(o)
        }
        _ => {
            // 37号: not in the name of an internal unit (内设机构).
            c.add("org_id", "org_cannot_issue", "制定机关须为市政府、市级部门或乡镇（园区），不能以内设机构名义制发");
            None
        }
    };
    if !c.is_ok() {
        let msg = c.errors.first().map(|e| e.message.clone()).unwrap_or_default();
        return Err(AppError::Refused { code: "normdoc_invalid".into(), message: msg, basis: vec![rules::NO_INTERNAL_UNIT.full()], fields: c.errors });
    }
    let (org, year) = (org.expect("checked"), year.expect("checked"));
    let actor = who.actor();
    let by = who.user_id();
    let market = new.market_related;
    let cal = state.calendar();
    state
        .db
        .write(move |tx| {
            async move {
                let now = now_ms();
                let case = cases::create(
                    tx,
                    NewCase {
                        procedure: &PROCEDURE,
                        title: title.clone(),
                        org_id: org.id,
                        org_code: org.code.clone(),
                        assignee_id: None,
                        opened_at: now,
                        state: "drafting",
                        clock: Clock::default(),
                        closed: false,
                    },
                    &cal,
                )
                .await?;
                q("INSERT INTO normdocs (case_id, org_id, title, plan_year, market_related, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)")
                    .bind(case.id)
                    .bind(org.id)
                    .bind(title.clone())
                    .bind(year)
                    .bind(market)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                queries::insert_version(tx, case.id, 1, Some("初稿"), &clauses, by, now).await?;
                let changes = Changes::new()
                    .created("文件名称", title)
                    .created("计划年度", year)
                    .created("与市场主体密切相关", market)
                    .created("第1稿条文数", clauses.len());
                audit::record_at(tx, &actor, NewEvent::new("case", case.id, "create", "列入制定计划并形成初稿").changes(changes), now).await?;
                Ok(case)
            }
            .boxed()
        })
        .await
}

/// A new version of the text. Refused while a window asks about a version, while the text is
/// under or past review, and in closed states.
pub async fn add_version(state: &AppState, who: &Who, id: i64, text: &str, note: Option<String>) -> Result<i64, AppError> {
    let (case, _, path) = readable(state, who, id).await?;
    if !who.may(Perm::CASE_HANDLE, &path) {
        return Err(AppError::forbidden("not_permitted", "您无权修改本文件的草案：应由起草单位办理"));
    }
    if !rules::REVISABLE.contains(&case.state.as_str()) {
        let why = match case.state.as_str() {
            "commenting" => "征求意见期间不能修改草案：意见针对的是征求意见稿，请在结束征求意见后形成新的一稿",
            "legality_review" | "reviewed" | "decided" => "已送合法性审核的文本不能修改：须退回修改后重新送审",
            _ => "本文件已结束，不能再修改",
        };
        return Err(AppError::Refused { code: "version_not_allowed".into(), message: why.into(), basis: vec![rules::ART_75.full()], fields: vec![] });
    }
    let clauses: Vec<Clause> =
        model::parse_clauses(text).map_err(|e| AppError::Refused { code: e.code.clone(), message: e.message.clone(), basis: vec![], fields: vec![e] })?;
    let note = note.map(|n| n.trim().chars().take(200).collect::<String>()).filter(|n| !n.is_empty());
    let actor = who.actor();
    let by = who.user_id();
    state
        .db
        .write(move |tx| {
            async move {
                let case = cases::load_for_change(tx, id, None).await?;
                let v = queries::latest_version(&mut *tx, id).await? + 1;
                let now = now_ms();
                queries::insert_version(tx, id, v, note.as_deref(), &clauses, by, now).await?;
                q("UPDATE normdocs SET updated_at = $1 WHERE case_id = $2").bind(now).bind(id).execute(&mut *tx).await?;
                // The case's version moves, so that a page showing the older draft is stale.
                q("UPDATE cases SET version = version + 1, updated_at = $1 WHERE id = $2").bind(now).bind(case.id).execute(&mut *tx).await?;
                let changes = Changes::new().created("稿次", v).created("条文数", clauses.len()).created("说明", note.clone());
                audit::record_at(tx, &actor, NewEvent::new("case", id, "version", format!("形成第{v}稿")).changes(changes), now).await?;
                Ok(v)
            }
            .boxed()
        })
        .await
}

/// A comment received during a window, on a clause of the version the window asked about.
#[derive(Clone, Debug, Default)]
pub struct CommentForm {
    pub clause_no: Option<String>,
    pub author: Option<String>,
    pub body: Option<String>,
    pub received_on: Option<String>,
}

pub async fn add_comment(state: &AppState, who: &Who, id: i64, f: CommentForm) -> Result<i64, AppError> {
    let (_, _, path) = readable(state, who, id).await?;
    if !who.may(Perm::CASE_HANDLE, &path) {
        return Err(AppError::forbidden("not_permitted", "您无权登记本文件的意见：应由起草单位办理"));
    }
    let window = queries::windows(&state.db, id).await?.into_iter().last();
    let Some(w) = window else {
        return Err(AppError::Refused {
            code: "no_comment_window".into(),
            message: "本文件尚未公开征求意见，不能登记意见".into(),
            basis: vec![rules::BIZ_62.full()],
            fields: vec![],
        });
    };
    let mut c = Check::new();
    let body = c.text("body", "意见内容", f.body.as_deref(), 5000);
    let author = c.opt_text("author", "提出人", f.author.as_deref(), 60).unwrap_or_else(|| "匿名".into());
    let clause = c.opt_int("clause_no", "条文序号", f.clause_no.as_deref()).unwrap_or(0);
    let received = match f.received_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(today()),
        Some(s) => match parse_date(s) {
            Some(d) => Some(d),
            None => {
                c.add("received_on", "bad_date", "收到日期格式应为 YYYY-MM-DD");
                None
            }
        },
    };
    let count = queries::clause_count(&state.db, id, w.version_no).await?;
    if clause < 0 || clause > count {
        c.add("clause_no", "no_such_clause", format!("征求意见稿（第{}稿）没有第{clause}条（共{count}条；0 表示对全文的意见）", w.version_no));
    }
    let mut basis = vec![];
    if let Some(r) = received {
        let opens = parse_date(&w.opens_on).unwrap_or(r);
        let closes = parse_date(&w.closes_on).unwrap_or(r);
        if r > today() {
            c.add("received_on", "date_in_future", "收到日期不能晚于今天");
        } else if r < opens {
            c.add("received_on", "before_window", format!("征求意见自 {} 开始，{} 收到的意见不属于本次征求意见", w.opens_on, fmt_date(r)));
        } else if r > closes || w.closed_on.is_some() {
            c.add("received_on", "window_closed", format!("征求意见已于 {} 截止，{} 收到的意见不能作为本次征求意见登记", w.closes_on, fmt_date(r)));
            basis.push(rules::BIZ_62.full());
        }
    }
    if !c.is_ok() {
        let first = c.errors[0].clone();
        return Err(AppError::Refused { code: first.code.clone(), message: first.message, basis, fields: c.errors });
    }
    let received = fmt_date(received.expect("checked"));
    let actor = who.actor();
    let by = who.user_id();
    state
        .db
        .write(move |tx| {
            async move {
                let now = now_ms();
                let nid = queries::insert_note(tx, id, "comment", Some(w.id), w.version_no, clause, &author, &body, &received, by, now).await?;
                let where_ = if clause == 0 { "全文".to_string() } else { model::article(clause) };
                let changes = Changes::new().created("稿次", w.version_no).created("条文", where_.clone()).created("收到日期", received.clone());
                audit::record_at(tx, &actor, NewEvent::new("case", id, "comment", format!("登记对第{}稿{}的意见", w.version_no, where_)).changes(changes), now)
                    .await?;
                Ok(nid)
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
}

fn date_input(input: &Input, name: &str, label: &str, default: NaiveDate, errors: &mut Vec<FieldError>) -> NaiveDate {
    match input.field(name) {
        None => default,
        Some(s) => parse_date(s).unwrap_or_else(|| {
            errors.push(FieldError::new(name, "bad_date", format!("{label}格式应为 YYYY-MM-DD")));
            default
        }),
    }
}

fn refused(errors: Vec<FieldError>, basis: &crate::kernel::definition::Basis) -> AppError {
    let first = errors[0].clone();
    AppError::Refused { code: first.code.clone(), message: first.message, basis: vec![basis.full()], fields: errors }
}

/// Take a step. `seen_version`: the version the person saw (stale → 409).
pub async fn step(state: &AppState, who: &Who, id: i64, seen_version: Option<i64>, action: &str, form: StepForm) -> Result<CaseRow, AppError> {
    let (_, _, path) = readable(state, who, id).await?;
    run_step(state, who.clone(), path, id, seen_version, action.to_string(), form, today()).await
}

#[allow(clippy::too_many_arguments)]
async fn run_step(
    state: &AppState,
    who: Who,
    path: String,
    id: i64,
    seen: Option<i64>,
    action: String,
    form: StepForm,
    today: NaiveDate,
) -> Result<CaseRow, AppError> {
    let cal = state.calendar();
    let overrides = crate::settings::procedure_overrides(&state.db, rules::CODE).await?;
    let input = Input { reason: form.reason.clone(), fields: form.fields.clone(), attachments: 0, days: form.days, clock_days: None };
    state
        .db
        .write(move |tx| {
            async move {
                let case = cases::load_for_change(tx, id, seen).await?;
                let d = queries::doc(&mut *tx, id).await?.ok_or_else(crate::kernel::access::not_found)?;
                let window = queries::open_window(&mut *tx, id).await?;
                let auth = DocAuthority { who: &who, path };
                let mut errors = Vec::new();
                // The day the step took effect: a paper record may carry an earlier date.
                let mut day = today;
                let mut filed_on = None;
                match action.as_str() {
                    "publish" => day = date_input(&input, "published_on", "公布日期", today, &mut errors),
                    "file" => filed_on = Some(date_input(&input, "filed_on", "报送日期", today, &mut errors)),
                    _ => {}
                }
                if day > today {
                    errors.push(FieldError::new("published_on", "date_in_future", "公布日期不能晚于今天"));
                }
                let facts = case.facts(flags(&case, &d, window.as_ref(), today, filed_on));
                // The kernel first: state, who, guards (a refused step cites its rule).
                let plan = engine::plan(&PROCEDURE, &facts, &action, &auth, &input, day.min(today), &cal, &overrides).map_err(AppError::from)?;
                let now = now_ms();
                let mut extra = Changes::new();
                let null = serde_json::Value::Null;
                match action.as_str() {
                    "assess" => {
                        q("UPDATE normdocs SET assessment = $1, updated_at = $2 WHERE case_id = $3").bind(input.field("assessment")).bind(now).bind(id).execute(&mut *tx).await?;
                    }
                    "open_comment" => {
                        let opens = date_input(&input, "opens_on", "开始日期", today, &mut errors);
                        if !errors.is_empty() {
                            return Err(refused(errors, &rules::BIZ_62));
                        }
                        let (closes, rule, days) = model::check_window(d.market_related, opens, input.days, input.field("shorter_reason"), today, &cal)
                            .map_err(|e| refused(e, if d.market_related { &rules::BIZ_62 } else { &rules::INDICATOR_24 }))?;
                        let version = queries::latest_version(&mut *tx, id).await?;
                        let unit = if rule.working_days { "working_days" } else { "days" };
                        q("INSERT INTO normdoc_windows (case_id, version_no, opens_on, closes_on, days, unit, shorter_reason, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)")
                            .bind(id)
                            .bind(version)
                            .bind(fmt_date(opens))
                            .bind(fmt_date(closes))
                            .bind(i64::from(days))
                            .bind(unit)
                            .bind(input.field("shorter_reason"))
                            .bind(now)
                            .execute(&mut *tx)
                            .await?;
                        let unit_label = if rule.working_days { "个工作日" } else { "日" };
                        extra = extra
                            .set("征求意见稿", null.clone(), format!("第{version}稿"))
                            .set("征求意见期间", null.clone(), format!("{} 至 {}（{days}{unit_label}）", fmt_date(opens), fmt_date(closes)));
                        if let Some(r) = input.field("shorter_reason") {
                            extra = extra.set("缩短理由", null.clone(), r);
                        }
                    }
                    "close_comment" => {
                        q("UPDATE normdocs SET adoption_report = $1, updated_at = $2 WHERE case_id = $3")
                            .bind(input.field("adoption_report"))
                            .bind(now)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        q("UPDATE normdoc_windows SET closed_on = $1 WHERE case_id = $2 AND closed_on IS NULL").bind(fmt_date(today)).bind(id).execute(&mut *tx).await?;
                    }
                    "submit_review" => {
                        let version = queries::latest_version(&mut *tx, id).await?;
                        q("UPDATE normdocs SET review_version = $1, review_result = NULL, updated_at = $2 WHERE case_id = $3").bind(version).bind(now).bind(id).execute(&mut *tx).await?;
                        extra = extra.set("送审稿", null.clone(), format!("第{version}稿"));
                    }
                    "review" => {
                        let version = d.review_version.unwrap_or(1);
                        let count = queries::clause_count(&mut *tx, id, version).await?;
                        let notes = model::parse_clause_notes(input.field("clause_notes").unwrap_or(""), count).map_err(|e| refused(vec![e], &rules::ART_75))?;
                        let answers: BTreeMap<&str, &str> = rules::CHECKLIST.iter().map(|i| (i.code, input.field(i.code).unwrap_or(""))).collect();
                        let result = input.field("result").unwrap_or("fail");
                        q("UPDATE normdocs SET review_result = $1, review_opinion = $2, review_checklist = $3, reviewed_on = $4, reviewer_id = $5, updated_at = $6 WHERE case_id = $7")
                            .bind(result)
                            .bind(input.field("opinion"))
                            .bind(serde_json::to_string(&answers).unwrap_or_default())
                            .bind(fmt_date(today))
                            .bind(who.user_id())
                            .bind(now)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        let reviewer = match &who {
                            Who::Staff(s) => s.name.clone(),
                            _ => "合法性审核机构".into(),
                        };
                        for (clause, text) in &notes {
                            queries::insert_note(tx, id, "review", None, version, *clause, &reviewer, text, &fmt_date(today), who.user_id(), now).await?;
                        }
                        let found: Vec<&str> = rules::CHECKLIST.iter().filter(|i| answers.get(i.code) == Some(&"yes")).map(|i| i.question).collect();
                        extra = extra
                            .set("送审稿", null.clone(), format!("第{version}稿"))
                            .set("审核结论", null.clone(), rules::REVIEW_RESULTS.iter().find(|r| r.0 == result).map(|r| r.1).unwrap_or(""))
                            .set("发现的问题", null.clone(), if found.is_empty() { "无".to_string() } else { found.join("；") })
                            .set("逐条意见", null.clone(), notes.len());
                    }
                    "deliberate" => {
                        let on = date_input(&input, "meeting_on", "会议日期", today, &mut errors);
                        if on > today {
                            errors.push(FieldError::new("meeting_on", "date_in_future", "会议日期不能晚于今天"));
                        }
                        if d.reviewed_on.as_deref().and_then(parse_date).is_some_and(|r| on < r) {
                            errors.push(FieldError::new("meeting_on", "before_review", format!("会议日期不能早于合法性审核意见出具之日（{}）", d.reviewed_on.clone().unwrap_or_default())));
                        }
                        if !errors.is_empty() {
                            return Err(refused(errors, &rules::ART_75));
                        }
                        q("UPDATE normdocs SET meeting = $1, meeting_on = $2, updated_at = $3 WHERE case_id = $4")
                            .bind(input.field("meeting"))
                            .bind(fmt_date(on))
                            .bind(now)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        if plan.to == "drafting" {
                            // Returned: the review applies to the text reviewed, a new text needs a new one.
                            q("UPDATE normdocs SET review_result = NULL WHERE case_id = $1").bind(id).execute(&mut *tx).await?;
                        }
                        extra = extra.set("会议", null.clone(), input.field("meeting")).set("会议日期", null.clone(), fmt_date(on));
                    }
                    "publish" => {
                        let published = day;
                        if d.meeting_on.as_deref().and_then(parse_date).is_some_and(|m| published < m) {
                            errors.push(FieldError::new("published_on", "before_meeting", format!("公布日期不能早于集体讨论决定之日（{}）", d.meeting_on.clone().unwrap_or_default())));
                        }
                        if published < today - chrono::Duration::days(365) {
                            errors.push(FieldError::new("published_on", "date_too_early", "公布日期不能早于一年前"));
                        }
                        let effective = date_input(&input, "effective_on", "施行日期", published, &mut errors);
                        if effective < published {
                            errors.push(FieldError::new("effective_on", "effective_before_publication", "施行日期不能早于公布日期：未经公布的规范性文件不得作为行政管理依据"));
                        }
                        let years = overrides.get("valid_years").copied().unwrap_or(rules::VALID_YEARS);
                        let until = date_input(&input, "valid_until", "有效期", model::default_valid_until(effective, years), &mut errors);
                        if until <= effective {
                            errors.push(FieldError::new("valid_until", "validity_before_effect", "有效期须晚于施行日期"));
                        }
                        if !errors.is_empty() {
                            return Err(refused(errors, &rules::BIZ_64));
                        }
                        let org = orgs::get(&mut *tx, case.org_id).await?.ok_or_else(|| AppError::internal("制定机关不存在"))?;
                        let doc_no = crate::kernel::numbering::next(tx, "normdoc_docno", "{org}规〔{year}〕{seq}号", published.year(), &org.code).await?;
                        let version = d.review_version.unwrap_or(1);
                        q("UPDATE normdoc_versions SET in_force_from = $1 WHERE case_id = $2 AND version_no = $3").bind(fmt_date(effective)).bind(id).bind(version).execute(&mut *tx).await?;
                        q("UPDATE normdocs SET doc_no = $1, published_on = $2, effective_on = $3, valid_until = $4, filing_due_on = $5, updated_at = $6 WHERE case_id = $7")
                            .bind(doc_no.clone())
                            .bind(fmt_date(published))
                            .bind(fmt_date(effective))
                            .bind(fmt_date(until))
                            .bind(plan.clock.due_on.map(fmt_date))
                            .bind(now)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra
                            .set("文号", null.clone(), doc_no)
                            .set("公布日期", null.clone(), fmt_date(published))
                            .set("施行日期", null.clone(), fmt_date(effective))
                            .set("有效期至", null.clone(), fmt_date(until))
                            .set("公布文本", null.clone(), format!("第{version}稿"));
                    }
                    "file" => {
                        let on = filed_on.unwrap_or(today);
                        if on > today {
                            errors.push(FieldError::new("filed_on", "date_in_future", "报送日期不能晚于今天"));
                        }
                        if d.published_on.as_deref().and_then(parse_date).is_some_and(|p| on < p) {
                            errors.push(FieldError::new("filed_on", "before_publication", "报送日期不能早于公布日期"));
                        }
                        if !errors.is_empty() {
                            return Err(refused(errors, &rules::FILING));
                        }
                        let on_time = d.filing_due_on.as_deref().and_then(parse_date).is_none_or(|due| on <= due);
                        q("UPDATE normdocs SET filed_on = $1, filed_on_time = $2, filed_to = $3, updated_at = $4 WHERE case_id = $5")
                            .bind(fmt_date(on))
                            .bind(on_time)
                            .bind(input.field("filed_to"))
                            .bind(now)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("报送日期", null.clone(), fmt_date(on)).set("按期备案", null.clone(), on_time).set("备案机关", null.clone(), input.field("filed_to"));
                        if let Some(r) = input.field("late_reason") {
                            extra = extra.set("逾期原因", null.clone(), r);
                        }
                    }
                    "cleanup" => {
                        let outcome = input.field("outcome").unwrap_or("");
                        let on = date_input(&input, "decided_on", "清理决定日期", today, &mut errors);
                        if on > today {
                            errors.push(FieldError::new("decided_on", "date_in_future", "清理决定日期不能晚于今天"));
                        }
                        if d.published_on.as_deref().and_then(parse_date).is_some_and(|p| on < p) {
                            errors.push(FieldError::new("decided_on", "before_publication", "清理决定日期不能早于公布日期"));
                        }
                        let versions = queries::versions(&mut *tx, id).await?;
                        let in_force = versions.iter().filter(|v| v.in_force_from.is_some()).map(|v| v.version_no).max().unwrap_or(0);
                        let latest = versions.iter().map(|v| v.version_no).max().unwrap_or(0);
                        if outcome == "amend" && latest <= in_force {
                            errors.push(FieldError::new("outcome", "no_amended_text", "清理结论为“修改”的，须先形成修改后的新一稿文本"));
                        }
                        if !errors.is_empty() {
                            return Err(refused(errors, &rules::CLEANUP));
                        }
                        match outcome {
                            "amend" => {
                                q("UPDATE normdoc_versions SET in_force_from = $1 WHERE case_id = $2 AND version_no = $3").bind(fmt_date(on)).bind(id).bind(latest).execute(&mut *tx).await?;
                                extra = extra.set("修改后文本", null.clone(), format!("第{latest}稿自 {} 起施行", fmt_date(on)));
                            }
                            "repeal" | "expire" => {
                                q("UPDATE normdocs SET ended_on = $1 WHERE case_id = $2").bind(fmt_date(on)).bind(id).execute(&mut *tx).await?;
                            }
                            _ => {}
                        }
                        q("INSERT INTO normdoc_cleanups (case_id, outcome, decided_on, campaign, reason, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)")
                            .bind(id)
                            .bind(outcome)
                            .bind(fmt_date(on))
                            .bind(input.field("campaign"))
                            .bind(input.reason.clone())
                            .bind(who.user_id())
                            .bind(now)
                            .execute(&mut *tx)
                            .await?;
                        q("UPDATE normdocs SET updated_at = $1 WHERE case_id = $2").bind(now).bind(id).execute(&mut *tx).await?;
                        extra = extra
                            .set("清理结论", null.clone(), rules::cleanup_label(outcome))
                            .set("清理批次", null.clone(), input.field("campaign"))
                            .set("决定日期", null.clone(), fmt_date(on));
                    }
                    _ => {}
                }
                let reason = input.reason.clone().or_else(|| input.field("late_reason").map(str::to_string));
                cases::apply(tx, &PROCEDURE, &case, &plan, &who.actor(), reason, extra, now, &cal).await
            }
            .boxed()
        })
        .await
}

/// The sweep: documents past their validity are recorded as expired (the register shows them
/// expired from the day after the validity ends, whether or not the sweep has run).
pub async fn sweep(state: &AppState, day: NaiveDate) -> Result<usize, AppError> {
    let due = queries::past_validity(&state.db, &fmt_date(day)).await?;
    let mut n = 0;
    for c in due {
        let path = crate::kernel::access::org_path(state, c.org_id).await?;
        match run_step(state, Who::System, path, c.id, Some(c.version), "lapse".into(), StepForm::default(), day).await {
            Ok(_) => n += 1,
            Err(AppError::Conflict { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}
