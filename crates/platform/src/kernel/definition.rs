//! What a procedure is, as data: its states, its transitions (who may take them, what must be
//! present, what they do to the clock), its deadline rules, and on every rule its legal basis
//! and the dates between which it is in force. A procedure's definition lives in one file of its
//! module and reads like its law.

use chrono::NaiveDate;

use crate::auth::roles::Perm;

/// How well a rule's source has been checked (see LEGAL-RULES.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confidence {
    /// [C] checked against the full official text.
    Checked,
    /// [S] from a secondary source quoting the text.
    Secondary,
    /// [U] unconfirmed: a configurable local default, shown as such.
    Unconfirmed,
}

impl Confidence {
    pub fn label(self) -> &'static str {
        match self {
            Confidence::Checked => "已核对原文",
            Confidence::Secondary => "二手来源",
            Confidence::Unconfirmed => "未经核实的本地默认值，可配置",
        }
    }
    pub fn tag(self) -> &'static str {
        match self {
            Confidence::Checked => "C",
            Confidence::Secondary => "S",
            Confidence::Unconfirmed => "U",
        }
    }
}

/// The legal basis of a rule: a law and an article, with what it says in a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Basis {
    pub law: &'static str,
    pub article: &'static str,
    pub says: &'static str,
    pub confidence: Confidence,
}

impl Basis {
    pub const fn checked(law: &'static str, article: &'static str, says: &'static str) -> Basis {
        Basis { law, article, says, confidence: Confidence::Checked }
    }
    pub const fn secondary(law: &'static str, article: &'static str, says: &'static str) -> Basis {
        Basis { law, article, says, confidence: Confidence::Secondary }
    }
    /// A rule of the city's own (its 12345 working rules…): `law` is the document's default
    /// name, which the administrator may replace by the name the city gave it
    /// ([`set_local_names`]).
    pub const fn local(law: &'static str, article: &'static str, says: &'static str) -> Basis {
        Basis { law, article, says, confidence: Confidence::Unconfirmed }
    }
    /// The law's name as users see it: a local rule under the name the city gave it.
    pub fn law_name(&self) -> String {
        if self.confidence == Confidence::Unconfirmed {
            if let Some(n) = local_names().get(self.law) {
                return n.clone();
            }
        }
        self.law.to_string()
    }
    /// `《政府信息公开条例》第三十三条`
    pub fn cite(&self) -> String {
        let law = self.law_name();
        if self.article.is_empty() { format!("《{law}》") } else { format!("《{law}》{}", self.article) }
    }
    /// The citation, for event logs.
    pub fn short(&self) -> String {
        self.cite()
    }
    /// The citation with what it says: what staff and citizens read beside a step or a refusal.
    /// How well the source is checked is for administrators only ([`Basis::provenance`]).
    pub fn full(&self) -> String {
        format!("{}：{}", self.cite(), self.says)
    }
    /// How well the rule's source has been checked, for the administrator's rules page.
    pub fn provenance(&self) -> &'static str {
        self.confidence.label()
    }
}

/// The names a city gave its own rule documents, by their default names (set from the
/// `local_rules.*` settings at start-up, when an administrator changes them, and by the
/// background loop so that every instance follows).
static LOCAL_NAMES: std::sync::LazyLock<std::sync::RwLock<std::collections::BTreeMap<String, String>>> = std::sync::LazyLock::new(Default::default);

fn local_names() -> std::sync::RwLockReadGuard<'static, std::collections::BTreeMap<String, String>> {
    LOCAL_NAMES.read().unwrap_or_else(|p| p.into_inner())
}

/// Replace the names the city gave its own rule documents.
pub fn set_local_names(names: std::collections::BTreeMap<String, String>) {
    match LOCAL_NAMES.write() {
        Ok(mut g) => *g = names,
        Err(p) => *p.into_inner() = names,
    }
}

/// The dates a rule is in force: from `from` (inclusive) until `to` (exclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Validity {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Validity {
    pub const ALWAYS: Validity = Validity { from: None, to: None };

    pub fn between(from: Option<&str>, to: Option<&str>) -> Validity {
        Validity { from: from.and_then(crate::time::parse_date), to: to.and_then(crate::time::parse_date) }
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from.is_none_or(|f| d >= f) && self.to.is_none_or(|t| d < t)
    }

    pub fn describe(&self) -> String {
        match (self.from, self.to) {
            (None, None) => "长期有效".into(),
            (Some(f), None) => format!("{} 起施行", crate::time::fmt_date(f)),
            (None, Some(t)) => format!("至 {} 止", crate::time::fmt_date(t)),
            (Some(f), Some(t)) => format!("{} 至 {}", crate::time::fmt_date(f), crate::time::fmt_date(t)),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayUnit {
    WorkingDays,
    CalendarDays,
}

impl DayUnit {
    pub fn label(self) -> &'static str {
        match self {
            DayUnit::WorkingDays => "个工作日",
            DayUnit::CalendarDays => "日",
        }
    }
}

/// A deadline rule: `days` of `unit` from the start event, the start day not counted.
#[derive(Clone, Debug)]
pub struct DeadlineRule {
    pub code: &'static str,
    pub name: &'static str,
    pub days: u32,
    pub unit: DayUnit,
    /// For calendar days: a last day that is not a working day moves to the next working day.
    pub rollover: bool,
    /// Warn this many working days before the due date.
    pub due_soon_days: u32,
    /// The actions that start this clock (for the diagram and the table).
    pub starts_on: &'static [&'static str],
    pub basis: Basis,
    pub validity: Validity,
    /// Settings key when an administrator may change the number of days.
    pub setting: Option<&'static str>,
}

/// What a transition does to the case's clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClockEffect {
    /// Start (or restart) the named clock today.
    Start(&'static str),
    /// Stop counting (补正 awaited, third-party consultation…).
    Pause,
    /// Resume: the due date moves by the time paused.
    Resume,
    /// Move the due date by the days given in the input, at most `max_days`, at most
    /// `max_times` times over the case.
    Extend { max_days: u32, max_times: u32, basis: Basis },
    /// The clock ends (the case is answered, closed…).
    Stop,
}

/// A condition a transition requires; refused with its basis otherwise.
#[derive(Clone, Debug)]
pub enum Guard {
    /// A field of the submission must be filled.
    Field { name: &'static str, label: &'static str },
    /// A reason must be given.
    Reason,
    /// At least `min` evidence attachments must come with the step.
    Evidence { min: usize },
    /// A review opinion field must have the value that means "passed".
    Opinion { field: &'static str, label: &'static str, passed: &'static str },
    /// Only within `days` working days of the start of the named clock (or of the case).
    WithinWorkingDays { since: Since, days: u32 },
    /// This action may be taken at most `max` times in the life of the case.
    AtMost { max: i64 },
    /// A procedure-specific check on the case facts alone (also greys out the button).
    Check { label: &'static str, check: fn(&GuardCtx<'_>) -> Result<(), String> },
    /// A procedure-specific check on what is submitted; the error is put on `field`.
    Input { field: &'static str, check: fn(&GuardCtx<'_>) -> Result<(), String> },
    /// Like `Input`, with a stable code of its own for the field error (`information_not_attached`),
    /// so that a client can tell this refusal from others; `label` is what the procedure page shows.
    Require { field: &'static str, code: &'static str, label: &'static str, check: fn(&GuardCtx<'_>) -> Result<(), String> },
    /// Separation of duties: whoever took `action` on this case may not take this step (the
    /// person who asked for an extension does not approve it). The feature records who took
    /// `action` in `CaseFacts::takers`; the person acting is `Authority::identity`.
    NotBy { action: &'static str },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Since {
    /// The date the case was opened (received).
    Opened,
    /// The date the current clock started.
    ClockStart,
}

/// The facts a guard sees.
pub struct GuardCtx<'a> {
    pub case: &'a super::engine::CaseFacts,
    pub input: &'a super::engine::Input,
    pub today: NaiveDate,
    pub calendar: &'a crate::calendar::Calendar,
}

/// Where a transition leads.
#[derive(Clone, Debug)]
pub enum To {
    State(&'static str),
    /// Back to the state before the current one (a refused request returns where it was).
    Previous,
    /// Stay (an overlay step such as 督办 or a note).
    Same,
    /// One of these states, chosen from the case facts and the input.
    Choose {
        targets: &'static [&'static str],
        choose: fn(&super::engine::CaseFacts, &super::engine::Input) -> &'static str,
    },
}

/// Who takes a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Taker {
    /// Staff holding the permission over the case's unit.
    Staff(Perm),
    /// The citizen who filed the case (identified by phone).
    Citizen,
    /// The system (deadlines passing).
    System,
}

impl Taker {
    pub fn label(self) -> String {
        match self {
            Taker::Staff(p) => format!("有“{}”权限的工作人员", p.label()),
            Taker::Citizen => "申请人/来电人本人".into(),
            Taker::System => "系统自动".into(),
        }
    }
}

/// An input the step's form asks for.
#[derive(Clone, Debug)]
pub struct Ask {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: AskKind,
}

#[derive(Clone, Debug)]
pub enum AskKind {
    Text,
    LongText,
    /// One of fixed options (value, label).
    Choice(&'static [(&'static str, &'static str)]),
    /// A unit of the organisation tree.
    Org,
    /// Several units (comma-separated ids in the input).
    Orgs,
    /// A number of days.
    Days,
    /// Evidence files.
    Files,
    Date,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Look {
    Primary,
    Normal,
    Danger,
}

#[derive(Clone, Debug)]
pub struct Transition {
    pub action: &'static str,
    pub name: &'static str,
    pub from: &'static [&'static str],
    pub to: To,
    pub taker: Taker,
    pub guards: Vec<(Guard, Option<Basis>)>,
    pub clock: Vec<ClockEffect>,
    pub basis: Option<Basis>,
    pub validity: Validity,
    pub asks: Vec<Ask>,
    pub look: Look,
    /// Shown to the user beside the button.
    pub hint: &'static str,
    /// A step one may take (督办, 改派, 申请延期…), not a duty that puts the case on someone's
    /// 工作台.
    pub optional: bool,
    /// The text message the citizen receives when the step is taken (`notify`): `{no}` the case
    /// number, `{unit}` the unit, `{due}` the due date, `{url}` where to follow it.
    pub tell: Option<&'static str>,
}

impl Transition {
    pub fn new(action: &'static str, name: &'static str, from: &'static [&'static str], to: To, taker: Taker) -> Transition {
        Transition {
            action,
            name,
            from,
            to,
            taker,
            guards: Vec::new(),
            clock: Vec::new(),
            basis: None,
            validity: Validity::ALWAYS,
            asks: Vec::new(),
            look: Look::Normal,
            hint: "",
            optional: false,
            tell: None,
        }
    }
    pub fn guard(mut self, g: Guard, basis: Option<Basis>) -> Self {
        self.guards.push((g, basis));
        self
    }
    pub fn clock(mut self, e: ClockEffect) -> Self {
        self.clock.push(e);
        self
    }
    pub fn basis(mut self, b: Basis) -> Self {
        self.basis = Some(b);
        self
    }
    pub fn valid(mut self, v: Validity) -> Self {
        self.validity = v;
        self
    }
    pub fn ask(mut self, name: &'static str, label: &'static str, kind: AskKind) -> Self {
        self.asks.push(Ask { name, label, kind });
        self
    }
    pub fn look(mut self, l: Look) -> Self {
        self.look = l;
        self
    }
    pub fn hint(mut self, h: &'static str) -> Self {
        self.hint = h;
        self
    }
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }
    /// Tell the citizen by text message when this step is taken.
    pub fn tell(mut self, template: &'static str) -> Self {
        self.tell = Some(template);
        self
    }
    /// The states this transition may lead to.
    pub fn targets(&self) -> Vec<&'static str> {
        match &self.to {
            To::State(s) => vec![s],
            To::Choose { targets, .. } => targets.to_vec(),
            To::Previous | To::Same => vec![],
        }
    }
}

#[derive(Clone, Debug)]
pub struct StateDef {
    pub code: &'static str,
    pub name: &'static str,
    pub terminal: bool,
    /// Cases here wait for someone's approval or review (counted as 待我审核).
    pub awaiting_approval: bool,
    pub description: &'static str,
}

impl StateDef {
    pub const fn open(code: &'static str, name: &'static str, description: &'static str) -> StateDef {
        StateDef { code, name, terminal: false, awaiting_approval: false, description }
    }
    pub const fn approval(code: &'static str, name: &'static str, description: &'static str) -> StateDef {
        StateDef { code, name, terminal: false, awaiting_approval: true, description }
    }
    pub const fn end(code: &'static str, name: &'static str, description: &'static str) -> StateDef {
        StateDef { code, name, terminal: true, awaiting_approval: false, description }
    }
}

/// A whole procedure.
#[derive(Clone, Debug)]
pub struct Procedure {
    pub code: &'static str,
    pub name: &'static str,
    /// The main law, for the page header.
    pub law: &'static str,
    pub initial: &'static str,
    pub states: Vec<StateDef>,
    pub transitions: Vec<Transition>,
    pub deadlines: Vec<DeadlineRule>,
    /// Case number pattern: `{year}`, `{seq}` or `{seq:06}`, `{org}` (the unit's code).
    pub number_pattern: &'static str,
    /// Where a case's staff page lives: `{prefix}{id}`.
    pub page_prefix: &'static str,
    /// Where a case lives in the JSON API: `{prefix}{id}`, steps at `{prefix}{id}/steps/{action}`.
    pub api_prefix: &'static str,
}

impl Procedure {
    pub fn state(&self, code: &str) -> Option<&StateDef> {
        self.states.iter().find(|s| s.code == code)
    }
    pub fn case_url(&self, id: i64) -> String {
        format!("{}{id}", self.page_prefix)
    }
    pub fn api_url(&self, id: i64) -> String {
        format!("{}{id}", self.api_prefix)
    }
    pub fn state_name(&self, code: &str) -> &'static str {
        self.state(code).map(|s| s.name).unwrap_or("未知状态")
    }
    /// The version of a deadline rule in force on `on`.
    pub fn deadline(&self, code: &str, on: NaiveDate) -> Option<&DeadlineRule> {
        self.deadlines.iter().find(|r| r.code == code && r.validity.contains(on))
    }
    /// The "即将超期" threshold of a case's clock: the working days before the due date from
    /// which it is due soon, as the deadline rule in force when the case was opened says (one
    /// working day when the clock has no rule). The one place the threshold is read: the badges,
    /// the lists, the 工作台, the filters and the reminders all come through here (by
    /// [`super::engine::DeadlineStatus::of`] or the stored `warn_on`, [`super::queries::warn_date`]).
    pub fn due_soon_days(&self, clock_rule: Option<&str>, opened_on: NaiveDate) -> u32 {
        clock_rule.and_then(|r| self.deadline(r, opened_on)).map(|r| r.due_soon_days).unwrap_or(1)
    }
    /// The transitions named `action` in force on `on`.
    pub fn transition(&self, action: &str, on: NaiveDate) -> Option<&Transition> {
        self.transitions.iter().find(|t| t.action == action && t.validity.contains(on))
    }
    /// The (state, permission) pairs where staff act: the queues of the 工作台.
    pub fn queues(&self) -> Vec<(&'static str, Perm)> {
        let mut v = Vec::new();
        for t in self.transitions.iter().filter(|t| !t.optional) {
            if let Taker::Staff(perm) = t.taker {
                for s in t.from {
                    if !v.contains(&(*s, perm)) {
                        v.push((*s, perm));
                    }
                }
            }
        }
        v
    }

    /// Check the definition for mistakes (unknown states, clocks, duplicate actions).
    pub fn validate(&self) -> Result<(), String> {
        let known = |s: &str| self.states.iter().any(|x| x.code == s);
        if !known(self.initial) {
            return Err(format!("{}: initial state {} unknown", self.code, self.initial));
        }
        for t in &self.transitions {
            for f in t.from {
                if !known(f) {
                    return Err(format!("{}: {} from unknown state {f}", self.code, t.action));
                }
            }
            for s in t.targets() {
                if !known(s) {
                    return Err(format!("{}: {} to unknown state {s}", self.code, t.action));
                }
            }
            for e in &t.clock {
                if let ClockEffect::Start(rule) = e {
                    if !self.deadlines.iter().any(|d| d.code == *rule) {
                        return Err(format!("{}: {} starts unknown clock {rule}", self.code, t.action));
                    }
                }
            }
            let clash = self
                .transitions
                .iter()
                .filter(|o| o.action == t.action)
                .any(|o| !std::ptr::eq(o, t) && overlaps(&o.validity, &t.validity) && o.from.iter().any(|f| t.from.contains(f)));
            if clash {
                return Err(format!("{}: action {} defined twice for the same dates and state", self.code, t.action));
            }
        }
        Ok(())
    }
}

fn overlaps(a: &Validity, b: &Validity) -> bool {
    let start = match (a.from, b.from) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    };
    let end = match (a.to, b.to) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    match (start, end) {
        (Some(s), Some(e)) => s < e,
        _ => true,
    }
}
