//! The kernel's web layer: what every procedure's case page shares. The header (number, state,
//! parties masked by default, the clock badge with its reason), the step panel (each available
//! step with the form it asks for, greyed steps with why), a refused step with its article, the
//! timeline, the documents issued on the case, the attachments with thumbnails, and the logged
//! reveal of personal data. A module's page template extends `case.html` and adds only its own
//! facts and forms; its handler builds a [`CaseView`] and its own fields.

use chrono::NaiveDate;

use super::definition::{Ask, AskKind, Guard, Look, Procedure, Transition};
use super::engine::{self, Authority, CaseFacts, DeadlineStatus};
use super::queries::CaseRow;
use crate::audit::{self, Actor, EventRow};
use crate::calendar::Calendar;
use crate::error::{AppError, FieldError};
use crate::files::AttachmentRow;
use crate::privacy;
use crate::state::AppState;

/// One step on the page: its form, or why it is not available now.
pub struct StepView {
    pub action: &'static str,
    pub name: &'static str,
    pub available: bool,
    pub refused: String,
    pub basis: Vec<String>,
    pub look: &'static str,
    pub hint: &'static str,
    pub needs_reason: bool,
    pub asks: Vec<AskView>,
}

/// One input of a step's form.
pub struct AskView {
    pub name: &'static str,
    pub label: &'static str,
    /// text, long, choice, org, orgs, days, files, date
    pub kind: &'static str,
    pub choices: Vec<(String, String)>,
    pub value: String,
}

/// A refused step, shown on the step's own form.
pub struct StepError {
    pub action: String,
    pub message: String,
    pub basis: Vec<String>,
    pub fields: Vec<FieldError>,
}

impl StepError {
    pub fn new(action: String, e: &AppError) -> StepError {
        StepError { action, message: e.user_message(), basis: e.basis().to_vec(), fields: e.field_errors().to_vec() }
    }
}

/// The clock in the header: due date, days left or over, and why it reads so.
pub struct ClockBadge {
    /// `ok`, `soon`, `over`, `paused`, `none`.
    pub tone: &'static str,
    pub label: String,
    /// What the due date is called for this procedure (答复期限, 办理期限).
    pub caption: &'static str,
    pub due: String,
    /// Why: the rule and its article, an extension, a pause.
    pub reasons: Vec<String>,
    /// Counted on weekends alone: a year's official holidays are not loaded yet.
    pub provisional: bool,
}

/// A party to the case, masked unless revealed.
pub struct Party {
    /// 申请人, 来电人…
    pub role: &'static str,
    pub name: String,
    pub phone: String,
    pub id_kind: &'static str,
    pub id_number: String,
    pub address: String,
}

impl Party {
    /// A party with the personal data masked, or shown when `revealed`.
    pub fn new(role: &'static str, name: Option<&str>, phone: Option<&str>, address: Option<&str>, revealed: bool) -> Party {
        let show = |v: Option<&str>, mask: fn(&str) -> String| v.map(|s| if revealed { s.to_string() } else { mask(s) }).unwrap_or_default();
        Party {
            role,
            name: show(name, privacy::mask_name),
            phone: show(phone, privacy::mask_phone),
            id_kind: "",
            id_number: String::new(),
            address: show(address, privacy::mask_address),
        }
    }
    pub fn id(mut self, kind: &'static str, number: Option<&str>, revealed: bool) -> Party {
        self.id_kind = kind;
        self.id_number = number.map(|s| if revealed { s.to_string() } else { privacy::mask_id(s) }).unwrap_or_default();
        self
    }
}

/// A document issued on the case (a notice, a decision, a reply letter).
pub struct DocumentLink {
    pub title: String,
    pub url: String,
    pub issued: String,
}

/// Everything the shared case page shows.
pub struct CaseView {
    pub case: CaseRow,
    pub state_name: &'static str,
    pub badge: ClockBadge,
    /// Extra tags in the header: (text, colour).
    pub tags: Vec<(String, &'static str)>,
    pub parties: Vec<Party>,
    pub revealed: bool,
    pub can_reveal: bool,
    /// The case's page (`/hotline/tickets/7`): steps post to `{base}/step/{action}`, the reveal
    /// to `{base}/reveal`.
    pub base: String,
    /// Steps post multipart forms (they may carry files).
    pub multipart: bool,
    pub steps: Vec<StepView>,
    pub error: Option<StepError>,
    pub timeline: Vec<EventRow>,
    pub documents: Vec<DocumentLink>,
    pub attachments: Vec<AttachmentRow>,
}

impl CaseView {
    /// The message on one field of a refused step.
    pub fn field_error(&self, action: &str, field: &str) -> String {
        match &self.error {
            Some(e) if e.action == action => e.fields.iter().find(|f| f.field == field).map(|f| f.message.clone()).unwrap_or_default(),
            _ => String::new(),
        }
    }
    /// Is this step's form the one to show open?
    pub fn open_step(&self, action: &str) -> bool {
        self.error.as_ref().is_some_and(|e| e.action == action)
    }
    pub fn bad(&self) -> bool {
        self.error.is_some()
    }
}

/// How a module fills the forms of its steps: the choices of an input and its value.
pub trait Asks {
    /// Choices for an input of kind `Org` or `Orgs` (and any other kind the module fills).
    fn choices(&self, _step: &Transition, _ask: &Ask) -> Vec<(String, String)> {
        Vec::new()
    }
    /// A value to put in the input (a suggestion, the days asked for…).
    fn value(&self, _step: &Transition, _ask: &Ask) -> String {
        String::new()
    }
}

/// No choices, no values.
pub struct NoAsks;
impl Asks for NoAsks {}

/// The steps a person could take now, and the others greyed with the reason.
pub fn step_views(p: &Procedure, facts: &CaseFacts, auth: &dyn Authority, day: NaiveDate, cal: &Calendar, asks: &dyn Asks) -> Vec<StepView> {
    engine::available(p, facts, auth, day, cal)
        .into_iter()
        .map(|(tr, res)| StepView {
            action: tr.action,
            name: tr.name,
            available: res.is_ok(),
            refused: res.as_ref().err().map(|e| e.message.clone()).unwrap_or_default(),
            basis: res.err().map(|e| e.basis).filter(|b| !b.is_empty()).unwrap_or_else(|| tr.basis.iter().map(|b| b.full()).collect()),
            look: match tr.look {
                Look::Primary => "primary",
                Look::Danger => "danger",
                Look::Normal => "",
            },
            hint: tr.hint,
            needs_reason: tr.guards.iter().any(|(g, _)| matches!(g, Guard::Reason)),
            asks: tr
                .asks
                .iter()
                .map(|a| {
                    let kind = match &a.kind {
                        AskKind::Text => "text",
                        AskKind::Date => "date",
                        AskKind::LongText => "long",
                        AskKind::Choice(_) => "choice",
                        AskKind::Org => "org",
                        AskKind::Orgs => "orgs",
                        AskKind::Days => "days",
                        AskKind::Files => "files",
                    };
                    let choices = match &a.kind {
                        AskKind::Choice(c) => c.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
                        _ => asks.choices(tr, a),
                    };
                    AskView { name: a.name, label: a.label, kind, choices, value: asks.value(tr, a) }
                })
                .collect(),
        })
        .collect()
}

/// The clock badge of a case: the status, and the reasons behind the due date.
pub fn badge(p: &Procedure, case: &CaseRow, caption: &'static str, day: NaiveDate, cal: &Calendar) -> ClockBadge {
    let status = case.deadline(p, day, cal);
    let mut reasons = Vec::new();
    if case.is_open {
        if let Some(rule) = case.clock_rule.as_deref().and_then(|r| p.deadline(r, case.opened_date())) {
            // The number of days may be a category's or a setting's, so the badge names the rule
            // and where the count starts; the due date beside it is the computed one.
            let from = case.clock_started_on.as_deref().map(|d| format!("，自 {d} 起算")).unwrap_or_default();
            reasons.push(format!("{}（{}）{from}", rule.name, rule.basis.cite()));
        }
        if case.extension_count > 0 {
            reasons.push(format!("已延长 {} 个工作日", case.extension_days));
        }
        if let DeadlineStatus::Paused { since } = status {
            reasons.push(format!("{}起暂停计时：{}", crate::time::fmt_date(since), p.state_name(&case.state)));
        }
    }
    let provisional = case.due_provisional(cal);
    if provisional {
        let year = case.due_date().map(|d| chrono::Datelike::year(&d)).unwrap_or_default();
        reasons.push(format!("暂定：{year} 年放假安排尚未公布，期限暂按周末计算，公布后自动重新计算"));
    }
    ClockBadge { tone: status.tone(), label: status.label(), caption, due: case.due_on.clone().unwrap_or_default(), reasons, provisional }
}

/// Record that a person looked at a case's personal data in full. Called before the page is
/// rendered with the originals; the look is an event on the case, like any step.
/// `fields` names what was shown (电话、证件号码).
pub async fn log_reveal(state: &AppState, actor: Actor, case_id: i64, summary: &'static str, fields: &'static str) -> Result<(), AppError> {
    state
        .db
        .write(move |tx| {
            futures::FutureExt::boxed(async move {
                let changes = audit::Changes::new().set("查看字段", serde_json::Value::Null, fields);
                audit::record(tx, &actor, audit::NewEvent::new("case", case_id, "pii_view", summary).changes(changes)).await?;
                Ok(())
            })
        })
        .await
}
