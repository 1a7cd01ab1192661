//! The kernel's rules engine: given a case, a step and who asks for it, either a plan (the new
//! state and the new clock) or a refusal that says which condition failed and cites its basis.
//! Pure: no database, no web; the calendar and today's date come in as arguments.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};

use super::definition::{ClockEffect, DayUnit, DeadlineRule, Guard, GuardCtx, Procedure, Since, Taker, To, Transition};
use crate::auth::roles::Perm;
use crate::calendar::Calendar;
use crate::error::{AppError, FieldError};

/// The kernel's view of a case.
#[derive(Clone, Debug, Default)]
pub struct CaseFacts {
    pub state: String,
    pub prev_state: Option<String>,
    pub opened_on: NaiveDate,
    pub clock_rule: Option<String>,
    pub clock_started_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub paused_on: Option<NaiveDate>,
    pub extension_days: i64,
    pub extension_count: i64,
    /// How many times each action has been taken.
    pub counts: BTreeMap<String, i64>,
    /// Procedure-specific yes/no facts (wants a reply, confidential…).
    pub flags: BTreeMap<String, bool>,
    /// Who last took an action, by action (`request_extension` → `user:12`), where the feature
    /// records it: read by `Guard::NotBy`.
    pub takers: BTreeMap<String, String>,
}

impl CaseFacts {
    pub fn flag(&self, name: &str) -> bool {
        self.flags.get(name).copied().unwrap_or(false)
    }
    pub fn count(&self, action: &str) -> i64 {
        self.counts.get(action).copied().unwrap_or(0)
    }
}

/// What the person taking the step submitted.
#[derive(Clone, Debug, Default)]
pub struct Input {
    pub reason: Option<String>,
    pub fields: BTreeMap<String, String>,
    pub attachments: usize,
    pub days: Option<u32>,
    /// Days for a clock started by this step when the module sets them per case (a category's
    /// own handling time); `None` uses the rule's days.
    pub clock_days: Option<u32>,
}

impl Input {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str).map(str::trim).filter(|s| !s.is_empty())
    }
    pub fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        self.fields.insert(name.to_string(), value.into());
        self
    }
    pub fn reason(mut self, r: impl Into<String>) -> Self {
        self.reason = Some(r.into());
        self
    }
}

/// Who asks: what they may do on this case.
pub trait Authority {
    /// Staff: holds `perm` over the case's unit (for the case's procedure).
    fn staff_may(&self, perm: Perm) -> bool;
    /// The citizen who filed the case.
    fn is_filer(&self) -> bool;
    fn is_system(&self) -> bool;
    /// The person acting, in the form features record in `CaseFacts::takers` (`user:12`,
    /// `token:3`); `None` when it does not matter to the procedure.
    fn identity(&self) -> Option<String> {
        None
    }
}

/// The system itself (deadline jobs).
pub struct SystemAuthority;
impl Authority for SystemAuthority {
    fn staff_may(&self, _: Perm) -> bool {
        false
    }
    fn is_filer(&self) -> bool {
        false
    }
    fn is_system(&self) -> bool {
        true
    }
}

/// The new clock of a case.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Clock {
    pub rule: Option<String>,
    pub started_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub paused_on: Option<NaiveDate>,
    pub extension_days: i64,
    pub extension_count: i64,
}

/// An accepted step: apply it.
#[derive(Clone, Debug)]
pub struct Plan {
    pub action: &'static str,
    pub action_name: &'static str,
    pub from: String,
    pub to: String,
    pub clock: Clock,
    pub terminal: bool,
    /// The bases, as short citations for the event.
    pub basis: Vec<String>,
}

/// A refused step.
#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
    pub basis: Vec<String>,
    pub fields: Vec<FieldError>,
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        AppError::Refused { code: r.code.into(), message: r.message, basis: r.basis, fields: r.fields }
    }
}

fn refuse(code: &'static str, message: impl Into<String>, basis: Option<&super::definition::Basis>) -> Refusal {
    Refusal { code, message: message.into(), basis: basis.map(|b| vec![b.full()]).unwrap_or_default(), fields: vec![] }
}

/// Days of a rule, with a local override from settings where the rule allows one.
pub fn rule_days(rule: &DeadlineRule, overrides: &BTreeMap<String, u32>) -> u32 {
    rule.setting.and_then(|k| overrides.get(k).copied()).unwrap_or(rule.days)
}

/// Add a number of days in a rule's unit.
pub fn add_days(cal: &Calendar, unit: DayUnit, rollover: bool, from: NaiveDate, days: u32) -> NaiveDate {
    match unit {
        DayUnit::WorkingDays => cal.add_working_days(from, days),
        DayUnit::CalendarDays => cal.add_calendar_days(from, days, rollover),
    }
}

/// The checks that do not depend on what is submitted: state, taker, time windows, counts.
/// Used to show a step as available or greyed out with its reason.
pub fn precheck(p: &Procedure, case: &CaseFacts, t: &Transition, who: &dyn Authority, today: NaiveDate, cal: &Calendar) -> Result<(), Refusal> {
    if !t.validity.contains(case.opened_on) {
        return Err(refuse(
            "rule_not_in_force",
            format!("“{}”在本案受理之日（{}）不适用：{}", t.name, crate::time::fmt_date(case.opened_on), t.validity.describe()),
            t.basis.as_ref(),
        ));
    }
    if !t.from.contains(&case.state.as_str()) {
        let allowed: Vec<&str> = t.from.iter().map(|s| p.state_name(s)).collect();
        return Err(refuse(
            "wrong_state",
            format!("当前状态为“{}”，不能“{}”（仅在“{}”时可以）", p.state_name(&case.state), t.name, allowed.join("”“")),
            t.basis.as_ref(),
        ));
    }
    let allowed = match t.taker {
        Taker::Staff(perm) => who.staff_may(perm),
        Taker::Citizen => who.is_filer(),
        Taker::System => who.is_system(),
    };
    if !allowed {
        return Err(refuse("not_permitted", format!("您无权“{}”：此步骤应由{}办理", t.name, t.taker.label()), None));
    }
    let dummy = Input::default();
    for (g, basis) in &t.guards {
        match g {
            Guard::WithinWorkingDays { since, days } => {
                let start = match since {
                    Since::Opened => Some(case.opened_on),
                    Since::ClockStart => case.clock_started_on,
                };
                if let Some(start) = start {
                    let limit = cal.add_working_days(start, *days);
                    if today > limit {
                        return Err(refuse(
                            "time_window_passed",
                            format!(
                                "“{}”须在 {} 后 {} 个工作日内（即 {} 前）办理，现已超过",
                                t.name,
                                crate::time::fmt_date(start),
                                days,
                                crate::time::fmt_date(limit)
                            ),
                            basis.as_ref().or(t.basis.as_ref()),
                        ));
                    }
                }
            }
            Guard::AtMost { max } if case.count(t.action) >= *max => {
                let times = if *max == 1 { "一次".to_string() } else { format!("{max} 次") };
                return Err(refuse("limit_reached", format!("“{}”在本案中只能办理{times}，已经办理过", t.name), basis.as_ref().or(t.basis.as_ref())));
            }
            Guard::Check { check, .. } => {
                let ctx = GuardCtx { case, input: &dummy, today, calendar: cal };
                if let Err(msg) = check(&ctx) {
                    return Err(refuse("condition_not_met", msg, basis.as_ref().or(t.basis.as_ref())));
                }
            }
            Guard::NotBy { action } => {
                if let (Some(me), Some(earlier)) = (who.identity(), case.takers.get(*action)) {
                    if &me == earlier {
                        let other = p.transitions.iter().find(|x| x.action == *action).map_or(*action, |x| x.name);
                        return Err(refuse(
                            "separation_of_duties",
                            format!("“{other}”是您提出的，不能由您本人“{}”：须由其他有权人员办理", t.name),
                            basis.as_ref().or(t.basis.as_ref()),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    for e in &t.clock {
        if let ClockEffect::Extend { max_times, basis, .. } = e {
            if case.extension_count >= i64::from(*max_times) {
                let times = if *max_times == 1 { "一次".to_string() } else { format!("{max_times} 次") };
                return Err(refuse("extension_limit", format!("延长期限只能{times}，本案已延长过"), Some(basis)));
            }
        }
    }
    Ok(())
}

/// Check a step completely and compute its effects.
pub fn plan(
    p: &Procedure,
    case: &CaseFacts,
    action: &str,
    who: &dyn Authority,
    input: &Input,
    today: NaiveDate,
    cal: &Calendar,
    overrides: &BTreeMap<String, u32>,
) -> Result<Plan, Refusal> {
    let Some(t) = p.transition(action, case.opened_on).or_else(|| p.transitions.iter().find(|t| t.action == action)) else {
        return Err(refuse("unknown_action", format!("“{action}”不是本程序的步骤"), None));
    };
    precheck(p, case, t, who, today, cal)?;
    let mut fields = Vec::new();
    let mut first_basis = None;
    let ctx = GuardCtx { case, input, today, calendar: cal };
    for (g, basis) in &t.guards {
        let b = basis.as_ref().or(t.basis.as_ref());
        let mut fail = |field: &str, code: &'static str, msg: String| {
            if first_basis.is_none() {
                first_basis = b.copied();
            }
            fields.push(FieldError::new(field, code, msg));
        };
        match g {
            Guard::Field { name, label } => {
                if input.field(name).is_none() {
                    fail(name, "required", format!("请填写{label}"));
                }
            }
            Guard::Reason => {
                if input.reason.as_deref().map(str::trim).unwrap_or("").is_empty() {
                    fail("reason", "reason_required", format!("“{}”必须说明理由", t.name));
                } else if input.reason.as_deref().unwrap_or("").chars().count() > 2000 {
                    fail("reason", "too_long", "理由不能超过 2000 字".into());
                }
            }
            Guard::Evidence { min } => {
                if input.attachments < *min {
                    fail("files", "evidence_required", format!("“{}”须附至少 {min} 份证据材料", t.name));
                }
            }
            Guard::Opinion { field, label, passed } => match input.field(field) {
                None => fail(field, "opinion_required", format!("请填写{label}")),
                Some(v) if v != *passed => fail(field, "opinion_not_passed", format!("{label}为“{v}”，未通过的不能“{}”", t.name)),
                Some(_) => {}
            },
            Guard::Input { field, check } => {
                if let Err(msg) = check(&ctx) {
                    fail(field, "condition_not_met", msg);
                }
            }
            Guard::Require { field, code, check, .. } => {
                if let Err(msg) = check(&ctx) {
                    fail(field, code, msg);
                }
            }
            Guard::Check { .. } | Guard::WithinWorkingDays { .. } | Guard::AtMost { .. } | Guard::NotBy { .. } => {}
        }
    }
    // The clock.
    let mut clock = Clock {
        rule: case.clock_rule.clone(),
        started_on: case.clock_started_on,
        due_on: case.due_on,
        paused_on: case.paused_on,
        extension_days: case.extension_days,
        extension_count: case.extension_count,
    };
    let mut basis: Vec<String> = t.basis.iter().map(|b| b.short()).collect();
    for e in &t.clock {
        match e {
            ClockEffect::Start(code) => {
                let rule = p
                    .deadline(code, case.opened_on)
                    .or_else(|| p.deadlines.iter().find(|r| r.code == *code))
                    .ok_or_else(|| refuse("no_deadline_rule", format!("时限规则 {code} 未定义"), None))?;
                let days = input.clock_days.unwrap_or_else(|| rule_days(rule, overrides));
                clock = Clock {
                    rule: Some(rule.code.to_string()),
                    started_on: Some(today),
                    due_on: Some(add_days(cal, rule.unit, rule.rollover, today, days)),
                    paused_on: None,
                    extension_days: 0,
                    extension_count: 0,
                };
                basis.push(format!("时限{days}{}（{}，{}）", rule.unit.label(), rule.name, rule.basis.short()));
            }
            ClockEffect::Pause => {
                if clock.paused_on.is_none() {
                    clock.paused_on = Some(today);
                }
            }
            ClockEffect::Resume => {
                if let (Some(paused), Some(due)) = (clock.paused_on, clock.due_on) {
                    let unit = clock.rule.as_deref().and_then(|r| p.deadline(r, case.opened_on)).map(|r| r.unit).unwrap_or(DayUnit::WorkingDays);
                    clock.due_on = Some(match unit {
                        DayUnit::WorkingDays => {
                            let gone = cal.working_days_between(paused, today).max(0) as u32;
                            cal.add_working_days(due, gone)
                        }
                        DayUnit::CalendarDays => due + Duration::days((today - paused).num_days().max(0)),
                    });
                }
                clock.paused_on = None;
            }
            ClockEffect::Extend { max_days, basis: b, .. } => match input.days {
                None | Some(0) => {
                    if first_basis.is_none() {
                        first_basis = Some(*b);
                    }
                    fields.push(FieldError::new("days", "days_required", "请填写延长的天数"));
                }
                Some(d) if d > *max_days => {
                    if first_basis.is_none() {
                        first_basis = Some(*b);
                    }
                    fields.push(FieldError::new("days", "too_many_days", format!("最多只能延长 {max_days} 个工作日")));
                }
                Some(d) => {
                    if let Some(due) = clock.due_on {
                        let unit = clock
                            .rule
                            .as_deref()
                            .and_then(|r| p.deadline(r, case.opened_on))
                            .map(|r| (r.unit, r.rollover))
                            .unwrap_or((DayUnit::WorkingDays, false));
                        clock.due_on = Some(add_days(cal, unit.0, unit.1, due, d));
                    }
                    clock.extension_days += i64::from(d);
                    clock.extension_count += 1;
                    basis.push(b.full());
                }
            },
            ClockEffect::Stop => {
                clock = Clock { extension_days: clock.extension_days, extension_count: clock.extension_count, ..Clock::default() };
            }
        }
    }
    if !fields.is_empty() {
        let message =
            if fields.len() == 1 { fields[0].message.clone() } else { format!("{}（另有 {} 处未满足）", fields[0].message, fields.len() - 1) };
        return Err(Refusal { code: "guard_failed", message, basis: first_basis.map(|b| vec![b.full()]).unwrap_or_default(), fields });
    }
    let to = match &t.to {
        To::State(s) => s.to_string(),
        To::Previous => case.prev_state.clone().unwrap_or_else(|| case.state.clone()),
        To::Same => case.state.clone(),
        To::Choose { choose, .. } => choose(case, input).to_string(),
    };
    let terminal = p.state(&to).map(|s| s.terminal).unwrap_or(false);
    if terminal {
        clock = Clock { extension_days: clock.extension_days, extension_count: clock.extension_count, ..Clock::default() };
    }
    Ok(Plan { action: t.action, action_name: t.name, from: case.state.clone(), to, clock, terminal, basis })
}

/// The steps a person could take now, each with `Ok` or the reason it is not available.
pub fn available<'p>(p: &'p Procedure, case: &CaseFacts, who: &dyn Authority, today: NaiveDate, cal: &Calendar) -> Vec<(&'p Transition, Result<(), Refusal>)> {
    p.transitions
        .iter()
        .filter(|t| t.from.contains(&case.state.as_str()) && t.validity.contains(case.opened_on))
        .filter(|t| match t.taker {
            Taker::Staff(perm) => who.staff_may(perm),
            Taker::Citizen => who.is_filer(),
            Taker::System => false,
        })
        .map(|t| (t, precheck(p, case, t, who, today, cal)))
        .collect()
}

/// Where a case stands against its deadline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeadlineStatus {
    /// No clock running.
    None,
    Paused {
        since: NaiveDate,
    },
    OnTime {
        due: NaiveDate,
        working_days_left: i64,
    },
    DueSoon {
        due: NaiveDate,
        working_days_left: i64,
    },
    Overdue {
        due: NaiveDate,
        working_days_over: i64,
    },
}

impl DeadlineStatus {
    pub fn of(due: Option<NaiveDate>, paused: Option<NaiveDate>, due_soon_days: u32, today: NaiveDate, cal: &Calendar) -> DeadlineStatus {
        if let Some(since) = paused {
            return DeadlineStatus::Paused { since };
        }
        let Some(due) = due else { return DeadlineStatus::None };
        if today > due {
            return DeadlineStatus::Overdue { due, working_days_over: cal.working_days_between(due, today).max(1) };
        }
        let left = cal.working_days_between(today, due);
        if left <= i64::from(due_soon_days) {
            DeadlineStatus::DueSoon { due, working_days_left: left }
        } else {
            DeadlineStatus::OnTime { due, working_days_left: left }
        }
    }

    /// `ok`, `soon`, `over`, `paused`, `none`: for colours.
    pub fn tone(&self) -> &'static str {
        match self {
            DeadlineStatus::None => "none",
            DeadlineStatus::Paused { .. } => "paused",
            DeadlineStatus::OnTime { .. } => "ok",
            DeadlineStatus::DueSoon { .. } => "soon",
            DeadlineStatus::Overdue { .. } => "over",
        }
    }

    pub fn label(&self) -> String {
        match self {
            DeadlineStatus::None => "—".into(),
            DeadlineStatus::Paused { since } => format!("已暂停计时（{}起）", crate::time::fmt_date(*since)),
            DeadlineStatus::OnTime { working_days_left, .. } => format!("剩 {working_days_left} 个工作日"),
            DeadlineStatus::DueSoon { working_days_left: 0, .. } => "今日到期".into(),
            DeadlineStatus::DueSoon { working_days_left, .. } => format!("即将到期·剩 {working_days_left} 个工作日"),
            DeadlineStatus::Overdue { working_days_over, .. } => format!("已超期 {working_days_over} 个工作日"),
        }
    }
}
