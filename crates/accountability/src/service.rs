//! The operations on 督察 findings, shared by the staff pages and the API: a new finding, and a
//! step on the kernel. Each runs in one transaction with its event.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use futures::FutureExt;

use super::queries::{self, RectRow};
use super::rules::{self, PROCEDURE};
use crate::audit::{self, Actor, Changes, NewEvent};
use crate::auth::Staff;
use crate::auth::roles::Perm;
use crate::auth::tokens::TokenCaller;
use crate::db::q;
use crate::error::{AppError, Check, FieldError};
use crate::kernel::engine::{self, Authority, Clock, Input};
use crate::kernel::queries::{self as cases, CaseRow, NewCase};
use crate::org::queries as orgs;
use crate::state::AppState;
use crate::time::{fmt_date, now_ms, parse_date, today};

/// Who acts on a finding.
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
    /// Holds `perm` over the unit at `path` for rectification.
    pub fn may(&self, perm: Perm, path: &str) -> bool {
        match self {
            Who::Staff(s) => s.allows(perm, Some(rules::CODE), path),
            Who::Token(t) => t.allows(perm, path),
            Who::System => true,
        }
    }
    /// Not of the unit at `path` (nor of a unit inside it): who may verify its rectification.
    /// A token speaks for no person of a unit, so it cannot verify.
    pub fn independent_of(&self, path: &str) -> bool {
        match self {
            Who::Staff(s) => !path.starts_with(&s.org_path),
            _ => false,
        }
    }
}

/// One person's authority over one finding.
pub struct RectAuthority<'a> {
    pub who: &'a Who,
    pub path: String,
}

impl Authority for RectAuthority<'_> {
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

/// Load a finding the caller may read, or 404.
pub async fn readable(state: &AppState, who: &Who, id: i64) -> Result<(CaseRow, RectRow, String), AppError> {
    let (c, r) = queries::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let path = crate::kernel::access::org_path(state, c.org_id).await?;
    if !who.may(Perm::CASE_READ, &path) {
        return Err(crate::kernel::access::not_found());
    }
    Ok((c, r, path))
}

/// The facts the kernel's guards read.
pub fn flags(who: &Who, path: &str) -> BTreeMap<String, bool> {
    let mut f = BTreeMap::new();
    f.insert("verifier_independent".into(), who.independent_of(path));
    f
}

/// A finding of an inspection.
#[derive(Clone, Debug, Default)]
pub struct NewFinding {
    pub org_id: Option<i64>,
    pub inspection: Option<String>,
    pub kind: Option<String>,
    pub finding: Option<String>,
    pub found_on: Option<String>,
}

pub async fn create(state: &AppState, who: &Who, new: NewFinding) -> Result<CaseRow, AppError> {
    let day = today();
    let mut c = Check::new();
    let inspection = c.text("inspection", "督察名称", new.inspection.as_deref(), 100);
    let finding = c.text("finding", "发现的问题", new.finding.as_deref(), 4000);
    let kind = match new.kind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(k) if rules::KINDS.iter().any(|x| x.0 == k) => k.to_string(),
        Some(k) => {
            c.add("kind", "bad_kind", format!("“{k}”不是规定的督察类型（法治督察、专项督察、回头看）"));
            String::new()
        }
        None => {
            c.add("kind", "required", "请选择督察类型");
            String::new()
        }
    };
    let found_on = match new.found_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => day,
        Some(s) => match parse_date(s) {
            Some(d) if d > day => {
                c.add("found_on", "date_in_future", "发现日期不能晚于今天");
                day
            }
            Some(d) if d < parse_date(rules::IN_FORCE).unwrap_or(d) => {
                c.add("found_on", "before_regulation", format!("发现日期不能早于《{}》施行之日（{}）", rules::DUCHA, rules::IN_FORCE));
                day
            }
            Some(d) => d,
            None => {
                c.add("found_on", "bad_date", "发现日期格式应为 YYYY-MM-DD");
                day
            }
        },
    };
    let org = match new.org_id {
        Some(id) => orgs::get(&state.db, id).await?.filter(|o| o.active),
        None => None,
    };
    match &org {
        None => c.add("org_id", "required", "请选择被督察单位"),
        Some(o) if !who.may(super::roles::INSPECT, &o.path) => c.add("org_id", "org_out_of_scope", "您无权对该单位登记督察问题"),
        _ => {}
    }
    if !c.is_ok() {
        let first = c.errors[0].clone();
        return Err(AppError::Refused { code: first.code, message: first.message, basis: vec![rules::RECTIFY.full()], fields: c.errors });
    }
    let org = org.expect("checked");
    let actor = who.actor();
    let cal = state.calendar();
    let title: String = format!("{}：{}", org.short_name, finding.chars().take(40).collect::<String>());
    let year = i64::from(found_on.year());
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
                        state: "found",
                        clock: Clock::default(),
                        closed: false,
                    },
                    &cal,
                )
                .await?;
                q("INSERT INTO rectifications (case_id, org_id, inspection, kind, year, finding, found_on, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$8)")
                    .bind(case.id)
                    .bind(org.id)
                    .bind(inspection.clone())
                    .bind(kind.clone())
                    .bind(year)
                    .bind(finding.clone())
                    .bind(fmt_date(found_on))
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                let changes = Changes::new()
                    .created("督察", inspection)
                    .created("类型", rules::kind_label(&kind))
                    .created("被督察单位", org.name.clone())
                    .created("发现日期", fmt_date(found_on))
                    .created("问题", finding);
                audit::record_at(tx, &actor, NewEvent::new("case", case.id, "create", "登记督察发现的问题").changes(changes), now).await?;
                Ok(case)
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
    let input = Input { reason: form.reason.clone(), fields: form.fields.clone(), attachments: 0, days: None, clock_days: None };
    state
        .db
        .write(move |tx| {
            async move {
                let case = cases::load_for_change(tx, id, seen).await?;
                let r = queries::rect(&mut *tx, id).await?.ok_or_else(crate::kernel::access::not_found)?;
                let facts = case.facts(flags(&who, &path));
                let auth = RectAuthority { who: &who, path };
                // The kernel first: state, who, guards (a refused step cites its rule).
                let plan = engine::plan(&PROCEDURE, &facts, &action, &auth, &input, today, &cal, &overrides).map_err(AppError::from)?;
                let now = now_ms();
                let null = serde_json::Value::Null;
                let mut extra = Changes::new();
                let day = fmt_date(today);
                match action.as_str() {
                    "assign" | "verify_fail" | "reopen" => {
                        let due = plan.clock.due_on.map(fmt_date);
                        let sent_back = i64::from(action != "assign");
                        q("UPDATE rectifications SET due_on = $1, reopened = reopened + $2, updated_at = $3 WHERE case_id = $4")
                            .bind(due)
                            .bind(sent_back)
                            .bind(now)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        // The kernel's event records the new period (办理期限); only a send-back is noted here.
                        if sent_back == 1 {
                            extra = extra.set("重新整改次数", serde_json::Value::from(r.reopened), r.reopened + 1);
                        }
                    }
                    "report" => {
                        // Late is accepted and marked: the rectification still has to be verified.
                        let late = case.due_on.as_deref().and_then(parse_date).is_some_and(|due| today > due);
                        q("UPDATE rectifications SET measures = $1, evidence = $2, reported_on = $3, reported_late = $4, updated_at = $5 WHERE case_id = $6")
                            .bind(input.field("measures"))
                            .bind(input.field("evidence"))
                            .bind(day.clone())
                            .bind(late)
                            .bind(now)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("报告日期", null.clone(), day.clone()).set("逾期报告", null.clone(), if late { "是（超过整改期限）" } else { "否" });
                    }
                    "verify_pass" | "confirm" => {
                        q("UPDATE rectifications SET verified_on = $1, verifier_id = $2, verify_opinion = $3, updated_at = $4 WHERE case_id = $5")
                            .bind(day.clone())
                            .bind(who.user_id())
                            .bind(input.field("opinion"))
                            .bind(now)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("核验日期", null.clone(), day.clone());
                    }
                    _ => {}
                }
                if action == "verify_fail" || action == "reopen" {
                    q("UPDATE rectifications SET verified_on = NULL, verifier_id = NULL, verify_opinion = NULL WHERE case_id = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                let reason = input.reason.clone();
                cases::apply(tx, &PROCEDURE, &case, &plan, &who.actor(), reason, extra, now, &cal).await
            }
            .boxed()
        })
        .await
}

/// The unit's own field errors as a refusal (used by the pages for a step form that cannot be read).
pub fn refused(errors: Vec<FieldError>) -> AppError {
    let first = errors[0].clone();
    AppError::Refused { code: first.code.clone(), message: first.message, basis: vec![rules::RECTIFY.full()], fields: errors }
}
