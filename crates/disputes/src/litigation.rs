//! 行政应诉 records: a suit registered by the defendant agency with the day the complaint was
//! served (the fifteen days of the defence run from it, Art. 67), and its steps in one
//! transaction each: the defence (late or not), every hearing with who appeared for the agency,
//! the judgment, an appeal, the judgment in force (lost or not) and its performance.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use futures::FutureExt;
use serde::Serialize;

use crate::audit::{self, Changes, NewEvent};
use crate::auth::roles::Perm;
use crate::db::{Db, Ex, q};
use crate::error::{AppError, FieldError};
use crate::kernel::engine::{self, Authority, Clock, Input};
use crate::kernel::queries::{self as cases, CaseRow, NewCase};
use crate::litigation_rules::{self as rules, PROCEDURE};
use crate::org::queries as orgs;
use crate::service::{StepForm, Who};
use crate::state::AppState;
use crate::time::{fmt_date, now_ms, start_of_day_ms, today};

const P: &str = rules::CODE;

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct LitRow {
    pub case_id: i64,
    pub court: String,
    pub court_case_no: String,
    pub plaintiff: String,
    pub cause: String,
    pub act_challenged: String,
    pub served_on: String,
    pub answered_on: Option<String>,
    pub answered_in_time: Option<bool>,
    pub first_outcome: Option<String>,
    pub first_on: Option<String>,
    pub appellant: Option<String>,
    pub final_outcome: Option<String>,
    pub effective_on: Option<String>,
    pub lost: Option<bool>,
    pub performance: Option<String>,
    pub suggestion_on: Option<String>,
    pub suggestion_text: Option<String>,
    pub suggestion_answered_on: Option<String>,
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct HearingRow {
    pub hearing_on: String,
    pub appearance: String,
    pub head_name: Option<String>,
    pub excuse: Option<String>,
}

const COLS: &str = "l.case_id, l.court, l.court_case_no, l.plaintiff, l.cause, l.act_challenged, l.served_on, l.answered_on, l.answered_in_time, l.first_outcome, l.first_on, l.appellant, l.final_outcome, l.effective_on, l.lost, l.performance, l.suggestion_on, l.suggestion_text, l.suggestion_answered_on";

pub async fn row<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Option<LitRow>, AppError> {
    q(format!("SELECT {COLS} FROM lit_cases l WHERE l.case_id = $1")).bind(id).fetch_optional(ex).await
}

pub async fn load(db: &Db, id: i64) -> Result<Option<(CaseRow, LitRow)>, AppError> {
    let Some(c) = cases::get(db, id).await? else { return Ok(None) };
    if c.procedure != P {
        return Ok(None);
    }
    Ok(row(db, id).await?.map(|l| (c, l)))
}

pub async fn hearings(db: &Db, id: i64) -> Result<Vec<HearingRow>, AppError> {
    q("SELECT hearing_on, appearance, head_name, excuse FROM lit_hearings WHERE case_id = $1 ORDER BY hearing_on, id").bind(id).fetch_all(db).await
}

/// A suit as registered.
#[derive(Clone, Debug, Default)]
pub struct NewSuit {
    /// The defendant agency.
    pub org_id: Option<i64>,
    pub court: Option<String>,
    pub court_case_no: Option<String>,
    pub plaintiff: Option<String>,
    pub cause: Option<String>,
    pub act_challenged: Option<String>,
    /// The day the complaint was served on the agency (YYYY-MM-DD, within the past year).
    pub served_on: Option<String>,
}

fn text(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// Register a suit against an agency; the defence is due fifteen days after service (Art. 67).
pub async fn register(state: &AppState, who: &Who, n: NewSuit) -> Result<CaseRow, AppError> {
    let day = today();
    let mut errors = Vec::new();
    let need = |v: &Option<String>, f: &'static str, what: &str, max: usize, errors: &mut Vec<FieldError>| match text(v) {
        None => {
            errors.push(FieldError::new(f, "required", format!("请填写{what}")));
            String::new()
        }
        Some(s) if s.chars().count() > max => {
            errors.push(FieldError::new(f, "too_long", format!("{what}不超过 {max} 字")));
            String::new()
        }
        Some(s) => s,
    };
    let court = need(&n.court, "court", "受理法院", 60, &mut errors);
    let court_no = need(&n.court_case_no, "court_case_no", "法院案号", 60, &mut errors);
    let plaintiff = need(&n.plaintiff, "plaintiff", "原告", 100, &mut errors);
    let cause = need(&n.cause, "cause", "案由", 100, &mut errors);
    let act = need(&n.act_challenged, "act_challenged", "被诉行政行为", 300, &mut errors);
    let served = match text(&n.served_on).map(|s| crate::time::parse_date(&s)) {
        Some(Some(d)) if d <= day && d >= day - chrono::Duration::days(366) => Some(d),
        None => {
            errors.push(FieldError::new("served_on", "required", "请填写收到起诉状副本的日期（答辩期限由此起算，第六十七条）"));
            None
        }
        Some(_) => {
            errors.push(FieldError::new("served_on", "bad_date", "收到起诉状副本的日期须为一年以内、不晚于今天的日期（YYYY-MM-DD）"));
            None
        }
    };
    let org = match n.org_id {
        Some(id) => orgs::get(&state.db, id).await?,
        None => None,
    };
    match &org {
        Some(o) if who.allows_in(Perm::CASE_HANDLE, P, &o.path) => {}
        Some(_) => errors.push(FieldError::new("org_id", "org_out_of_scope", "您只能登记本机关作为被告的案件")),
        None => errors.push(FieldError::new("org_id", "required", "请选择被告行政机关")),
    }
    if !court_no.is_empty() {
        let dup = q("SELECT COUNT(*) FROM lit_cases WHERE court_case_no = $1").bind(court_no.as_str()).fetch_i64(&state.db).await?;
        if dup > 0 {
            errors.push(FieldError::new("court_case_no", "duplicate_case", "这个法院案号已经登记过"));
        }
    }
    if !errors.is_empty() {
        let message =
            if errors.len() == 1 { errors[0].message.clone() } else { format!("{}（另有 {} 处需要修改）", errors[0].message, errors.len() - 1) };
        return Err(AppError::Refused { code: "suit_incomplete".into(), message, basis: vec![rules::ART_67.full()], fields: errors });
    }
    let (org, served) = (org.expect("checked"), served.expect("checked"));
    let rule = PROCEDURE.deadlines[0].clone();
    let cal = state.calendar();
    let actor = who.actor();
    let title: String = format!("{plaintiff}诉{}：{cause}", org.short_name).chars().take(60).collect();
    state
        .db
        .write(move |tx| {
            async move {
                let clock = Clock {
                    rule: Some(rule.code.into()),
                    started_on: Some(served),
                    due_on: Some(engine::add_days(&cal, rule.unit, rule.rollover, served, rule.days)),
                    ..Clock::default()
                };
                let opened_at = if served == today() { now_ms() } else { start_of_day_ms(served) + 9 * 3600 * 1000 };
                let case = cases::create(
                    tx,
                    NewCase {
                        procedure: &PROCEDURE,
                        title,
                        org_id: org.id,
                        org_code: org.code.clone(),
                        assignee_id: None,
                        opened_at,
                        state: "served",
                        clock,
                        closed: false,
                    },
                    &cal,
                )
                .await?;
                q("INSERT INTO lit_cases (case_id, court, court_case_no, plaintiff, cause, act_challenged, served_on) VALUES ($1,$2,$3,$4,$5,$6,$7)")
                    .bind(case.id)
                    .bind(court.as_str())
                    .bind(court_no.as_str())
                    .bind(plaintiff.as_str())
                    .bind(cause.as_str())
                    .bind(act.as_str())
                    .bind(fmt_date(served))
                    .execute(&mut *tx)
                    .await?;
                let changes =
                    Changes::new().created("法院", court).created("法院案号", court_no).created("被诉行为", act).created("答辩期限", case.due_on.clone());
                audit::record_at(
                    tx,
                    &actor,
                    NewEvent::new("case", case.id, "intake", "登记行政应诉案件").changes(changes).reason(Some(format!("依据：{}", rules::ART_67.full()))),
                    opened_at,
                )
                .await?;
                Ok(case)
            }
            .boxed()
        })
        .await
}

struct LitAuthority<'a> {
    who: &'a Who,
    path: String,
}

impl Authority for LitAuthority<'_> {
    fn staff_may(&self, perm: Perm) -> bool {
        self.who.allows_in(perm, P, &self.path)
    }
    fn is_filer(&self) -> bool {
        false
    }
    fn is_system(&self) -> bool {
        false
    }
}

pub async fn step(state: &AppState, who: &Who, id: i64, seen_version: Option<i64>, action: &str, form: StepForm) -> Result<CaseRow, AppError> {
    step_on(state, who, id, seen_version, action, form, today()).await
}

pub async fn step_on(
    state: &AppState,
    who: &Who,
    id: i64,
    seen_version: Option<i64>,
    action: &str,
    form: StepForm,
    day: NaiveDate,
) -> Result<CaseRow, AppError> {
    let (case, l) = load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let path = crate::kernel::access::org_path(state, case.org_id).await?;
    if !who.allows_in(Perm::CASE_READ, P, &path) {
        return Err(crate::kernel::access::not_found());
    }
    let cal = state.calendar();
    let overrides = crate::settings::procedure_overrides(&state.db, P).await?;
    let who = who.clone();
    let action = action.to_string();
    let org_id = case.org_id;
    state
        .db
        .write(move |tx| {
            async move {
                let case = cases::load_for_change(tx, id, seen_version).await?;
                let auth = LitAuthority { who: &who, path };
                let input = Input { reason: form.reason.clone(), fields: form.fields.clone(), attachments: 0, days: form.days, clock_days: None };
                let facts = case.facts(BTreeMap::from([("lost".to_string(), l.lost == Some(true))]));
                let in_time = facts.due_on.is_none_or(|due| day <= due);
                let plan = engine::plan(&PROCEDURE, &facts, &action, &auth, &input, day, &cal, &overrides).map_err(AppError::from)?;
                let d = fmt_date(day);
                let null = serde_json::Value::Null;
                let f = |k: &str| input.field(k).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
                let mut extra = Changes::new();
                match action.as_str() {
                    "answer" => {
                        q("UPDATE lit_cases SET answered_on = $1, answered_in_time = $2 WHERE case_id = $3")
                            .bind(d.clone())
                            .bind(in_time)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("按期答辩", null.clone(), if in_time { "是" } else { "否（逾期举证的，视为没有相应证据，第三十四条）" });
                    }
                    "hearing" => {
                        let a = f("appearance").unwrap_or_default();
                        let excuse = if matches!(a.as_str(), "staff" | "none") { f("excuse") } else { None };
                        q("INSERT INTO lit_hearings (case_id, org_id, hearing_on, appearance, head_name, excuse, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)")
                            .bind(id)
                            .bind(org_id)
                            .bind(f("hearing_on"))
                            .bind(a.as_str())
                            .bind(f("head_name"))
                            .bind(excuse.clone())
                            .bind(now_ms())
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("开庭", null.clone(), f("hearing_on")).set("出庭情况", null.clone(), rules::label(rules::APPEARANCE, &a));
                        if let Some(e) = excuse {
                            extra = extra.set("负责人不能出庭的理由", null.clone(), rules::label(rules::EXCUSES, &e));
                        }
                    }
                    "judge" | "rule" => {
                        let o = f("outcome").unwrap_or_default();
                        q("UPDATE lit_cases SET first_outcome = $1, first_on = $2 WHERE case_id = $3")
                            .bind(o.as_str())
                            .bind(d.clone())
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("一审结果", null.clone(), rules::label(rules::OUTCOMES, &o));
                    }
                    "suggestion" => {
                        q("UPDATE lit_cases SET suggestion_on = $1, suggestion_text = $2 WHERE case_id = $3")
                            .bind(d.clone())
                            .bind(f("suggestion_text"))
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("司法建议", null.clone(), f("suggestion_text"));
                    }
                    "answer_suggestion" => {
                        q("UPDATE lit_cases SET suggestion_answered_on = $1, suggestion_answer = $2 WHERE case_id = $3")
                            .bind(d.clone())
                            .bind(f("suggestion_answer"))
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("司法建议回复", null.clone(), f("suggestion_answer"));
                    }
                    "appeal" => {
                        q("UPDATE lit_cases SET appellant = $1 WHERE case_id = $2").bind(f("appellant")).bind(id).execute(&mut *tx).await?;
                    }
                    "effective" | "final" => {
                        let o = if action == "final" { f("outcome").unwrap_or_default() } else { l.first_outcome.clone().unwrap_or_default() };
                        let lost = rules::is_lost(&o);
                        q("UPDATE lit_cases SET final_outcome = $1, effective_on = $2, lost = $3 WHERE case_id = $4")
                            .bind(o.as_str())
                            .bind(d.clone())
                            .bind(lost)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra =
                            extra.set("生效结果", null.clone(), rules::label(rules::OUTCOMES, &o)).set("败诉", null.clone(), if lost { "是" } else { "否" });
                    }
                    "close" => {
                        q("UPDATE lit_cases SET performance = $1, closed_on = $2 WHERE case_id = $3")
                            .bind(f("performance"))
                            .bind(d.clone())
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        if let Some(p) = f("performance") {
                            extra = extra.set("履行情况", null.clone(), rules::label(rules::PERFORMANCE, &p));
                        }
                    }
                    _ => {}
                }
                // A step taken for a past day (the demo, a record brought in late) is dated that day.
                let at = if day == today() { now_ms() } else { start_of_day_ms(day) + 10 * 3600 * 1000 };
                cases::apply(tx, &PROCEDURE, &case, &plan, &who.actor(), input.reason.clone(), extra, at, &cal).await
            }
            .boxed()
        })
        .await
}
