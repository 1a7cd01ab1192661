//! The operations and the SQL of fair-competition review: a measure registered for review, a
//! step on the kernel (an opinion with its standards checklist, a spot check or complaint, the
//! rectification, 约谈), and the sweep that reopens the review of an exception whose time limit
//! has run out. Each change runs in one transaction with its event.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use futures::FutureExt;
use serde::Serialize;

use super::rules::{self, PROCEDURE};
use crate::audit::{self, Changes, NewEvent};
use crate::auth::roles::Perm;
use crate::db::{Ex, q};
use crate::error::{AppError, Check, FieldError};
use crate::kernel::engine::{self, Authority, Clock, Input};
use crate::kernel::queries::{self as cases, CaseRow, NewCase};
use crate::org::queries as orgs;
use crate::service::{StepForm, Who};
use crate::state::AppState;
use crate::time::{fmt_date, now_ms, parse_date, today};

pub fn may(who: &Who, perm: Perm, path: &str) -> bool {
    match who {
        Who::Staff(s) => s.allows(perm, Some(rules::CODE), path),
        Who::Token(t) => t.allows(perm, path),
        Who::System => true,
    }
}

struct FcrAuthority<'a> {
    who: &'a Who,
    path: String,
}

impl Authority for FcrAuthority<'_> {
    fn staff_may(&self, perm: Perm) -> bool {
        !matches!(self.who, Who::System) && may(self.who, perm, &self.path)
    }
    fn is_filer(&self) -> bool {
        false
    }
    fn is_system(&self) -> bool {
        matches!(self.who, Who::System)
    }
}

pub fn authority<'a>(who: &'a Who, path: String) -> impl Authority + 'a {
    FcrAuthority { who, path }
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct MeasureRow {
    pub case_id: i64,
    pub org_id: i64,
    pub title: String,
    pub summary: String,
    pub by_government: bool,
    pub linked_case_id: Option<i64>,
}

pub async fn measure<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Option<MeasureRow>, AppError> {
    q("SELECT case_id, org_id, title, summary, by_government, linked_case_id FROM fcr_measures WHERE case_id = $1").bind(id).fetch_optional(ex).await
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct OpinionRow {
    pub id: i64,
    pub stage: String,
    pub answers: String,
    pub found: i64,
    pub operators_views: String,
    pub public_views: Option<String>,
    pub conclusion: String,
    pub amendment: Option<String>,
    pub ground: Option<String>,
    pub no_alternative: Option<String>,
    pub until_on: Option<String>,
    pub termination: Option<String>,
    pub opinion: String,
    pub given_on: String,
    pub expired_on: Option<String>,
}

pub async fn opinions<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Vec<OpinionRow>, AppError> {
    q("SELECT id, stage, answers, found, operators_views, public_views, conclusion, amendment, ground, no_alternative, until_on, termination, opinion, given_on, expired_on FROM fcr_opinions WHERE case_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(ex)
        .await
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct CheckRow {
    pub id: i64,
    pub source: String,
    pub finding: String,
    pub notes: String,
    pub checked_on: String,
    pub rectify_by: Option<String>,
    pub rectified_on: Option<String>,
    pub rectification: Option<String>,
    pub interviewed_on: Option<String>,
    pub interviewee: Option<String>,
    pub interview_record: Option<String>,
}

pub async fn checks<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Vec<CheckRow>, AppError> {
    q("SELECT id, source, finding, notes, checked_on, rectify_by, rectified_on, rectification, interviewed_on, interviewee, interview_record FROM fcr_checks WHERE case_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(ex)
        .await
}

/// Load a measure the caller may read, or 404.
pub async fn readable(state: &AppState, who: &Who, id: i64) -> Result<(CaseRow, MeasureRow, String), AppError> {
    let c = crate::kernel::queries::get(&state.db, id).await?.filter(|c| c.procedure == rules::CODE).ok_or_else(crate::kernel::access::not_found)?;
    let m = measure(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let path = crate::kernel::access::org_path(state, c.org_id).await?;
    if !may(who, Perm::CASE_READ, &path) {
        return Err(crate::kernel::access::not_found());
    }
    Ok((c, m, path))
}

/// The facts the guards read, as of `day`.
pub fn flags(m: &MeasureRow, ops: &[OpinionRow], chs: &[CheckRow], day: NaiveDate) -> BTreeMap<String, bool> {
    let mut f = BTreeMap::new();
    f.insert("by_government".into(), m.by_government);
    let last = ops.iter().rev().find(|o| o.stage != "initial");
    f.insert(
        "exception_expired".into(),
        last.is_some_and(|o| o.conclusion == "exception" && o.expired_on.is_none() && o.until_on.as_deref().and_then(parse_date).is_some_and(|u| day > u)),
    );
    let open = chs.iter().rev().find(|c| c.finding == "violation" && c.rectified_on.is_none());
    f.insert("rectification_overdue".into(), open.and_then(|c| c.rectify_by.as_deref().and_then(parse_date)).is_some_and(|d| day > d));
    f
}

/// A policy measure registered for review (Art. 2: it concerns operators' economic activity).
#[derive(Clone, Debug, Default)]
pub struct NewMeasure {
    pub org_id: Option<i64>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub by_government: bool,
}

pub async fn create(state: &AppState, who: &Who, n: NewMeasure) -> Result<CaseRow, AppError> {
    let mut c = Check::new();
    let title = c.text("title", "政策措施名称", n.title.as_deref(), 100);
    let summary = c.text("summary", "主要内容", n.summary.as_deref(), 5000);
    let org = match n.org_id {
        Some(id) => orgs::get(&state.db, id).await?,
        None => None,
    };
    match &org {
        Some(o) if o.active && crate::service::may_issue(o.kind()) => {
            if !may(who, Perm::CASE_HANDLE, &o.path) {
                c.add("org_id", "org_out_of_scope", "您只能为本单位登记政策措施");
            }
        }
        _ => c.add("org_id", "org_cannot_issue", "起草单位须为市政府、市级部门或乡镇（园区）"),
    }
    if !c.is_ok() {
        let first = c.errors[0].clone();
        return Err(AppError::Refused { code: first.code.clone(), message: first.message, basis: vec![rules::ART_2.full()], fields: c.errors });
    }
    let org = org.expect("checked");
    let actor = who.actor();
    let by_government = n.by_government;
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
                        state: "self_review",
                        clock: Clock::default(),
                        closed: false,
                    },
                    &cal,
                )
                .await?;
                q("INSERT INTO fcr_measures (case_id, org_id, title, summary, by_government, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$6)")
                    .bind(case.id)
                    .bind(org.id)
                    .bind(title.clone())
                    .bind(summary)
                    .bind(by_government)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                let changes = Changes::new()
                    .created("政策措施", title)
                    .created("起草单位", org.name.clone())
                    .created("由政府出台", if by_government { "是" } else { "否" });
                audit::record_at(tx, &actor, NewEvent::new("case", case.id, "create", "登记公平竞争审查").changes(changes), now).await?;
                Ok(case)
            }
            .boxed()
        })
        .await
}

fn refused(errors: Vec<FieldError>, basis: &crate::kernel::definition::Basis) -> AppError {
    let first = errors[0].clone();
    AppError::Refused { code: first.code.clone(), message: first.message, basis: vec![basis.full()], fields: errors }
}

/// Take a step. `seen`: the case version the person saw (stale → 409).
pub async fn step(state: &AppState, who: &Who, id: i64, seen: Option<i64>, action: &str, form: StepForm) -> Result<CaseRow, AppError> {
    let (_, _, path) = readable(state, who, id).await?;
    run(state, who.clone(), path, id, seen, action.to_string(), form, today()).await
}

#[allow(clippy::too_many_arguments)]
async fn run(
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
    let input = Input { reason: form.reason.clone(), fields: form.fields.clone(), attachments: 0, days: form.days, clock_days: None };
    state
        .db
        .write(move |tx| {
            async move {
                let case = cases::load_for_change(tx, id, seen).await?;
                let m = measure(&mut *tx, id).await?.ok_or_else(crate::kernel::access::not_found)?;
                let ops = opinions(&mut *tx, id).await?;
                let chs = checks(&mut *tx, id).await?;
                let auth = FcrAuthority { who: &who, path };
                let facts = case.facts(flags(&m, &ops, &chs, today));
                let plan = engine::plan(&PROCEDURE, &facts, &action, &auth, &input, today, &cal, &BTreeMap::new()).map_err(AppError::from)?;
                let now = now_ms();
                let on = fmt_date(today);
                let by = match &who {
                    Who::Staff(s) => Some(s.id),
                    _ => None,
                };
                let f = |k: &str| input.field(k).map(str::to_string);
                let null = serde_json::Value::Null;
                let mut extra = Changes::new();
                match action.as_str() {
                    "review" | "regulator_review" => {
                        let conclusion = input.field("conclusion").unwrap_or("");
                        let until = match (conclusion, input.field("until")) {
                            ("exception", Some(s)) => match parse_date(s) {
                                Some(d) if d <= today => {
                                    return Err(refused(vec![FieldError::new("until", "until_not_future", "例外规定的实施期限须晚于今天")], &rules::ART_12));
                                }
                                Some(d) if d > today + chrono::Duration::days(5 * 366) => {
                                    return Err(refused(vec![FieldError::new("until", "until_too_far", "实施期限不能超过5年：期限应当合理（第十二条）")], &rules::ART_12));
                                }
                                Some(d) => Some(fmt_date(d)),
                                None => return Err(refused(vec![FieldError::new("until", "bad_date", "日期格式应为 YYYY-MM-DD")], &rules::ART_12)),
                            },
                            _ => None,
                        };
                        let stage = if action == "regulator_review" {
                            "regulator"
                        } else if m.by_government {
                            "initial"
                        } else {
                            "self"
                        };
                        let answers: BTreeMap<&str, &str> = rules::STANDARDS.iter().map(|s| (s.code, input.field(s.code).unwrap_or(""))).collect();
                        let found = rules::found(&input);
                        let keep = |k: &str| if conclusion == "exception" || (k == "amendment" && conclusion == "amended") { f(k) } else { None };
                        q("INSERT INTO fcr_opinions (case_id, stage, answers, found, operators_views, public_views, conclusion, amendment, ground, no_alternative, until_on, termination, opinion, given_on, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)")
                            .bind(id)
                            .bind(stage)
                            .bind(serde_json::to_string(&answers).unwrap_or_default())
                            .bind(found.len() as i64)
                            .bind(f("operators_views").unwrap_or_default())
                            .bind(f("public_views"))
                            .bind(conclusion)
                            .bind(keep("amendment"))
                            .bind(keep("ground"))
                            .bind(keep("no_alternative"))
                            .bind(until.clone())
                            .bind(keep("termination"))
                            .bind(f("opinion").unwrap_or_default())
                            .bind(on.clone())
                            .bind(by)
                            .bind(now)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra
                            .set("审查阶段", null.clone(), if stage == "initial" { "起草单位初审" } else if stage == "regulator" { "市场监管部门审查" } else { "起草单位审查" })
                            .set("发现问题", null.clone(), found.iter().map(|s| s.article).collect::<Vec<_>>().join("、"))
                            .set("结论", null.clone(), rules::label(rules::CONCLUSIONS, conclusion));
                        if let Some(u) = until {
                            extra = extra.set("例外实施期限至", null.clone(), u);
                        }
                    }
                    "expire" => {
                        q("UPDATE fcr_opinions SET expired_on = $1 WHERE case_id = $2 AND conclusion = 'exception' AND expired_on IS NULL").bind(on.clone()).bind(id).execute(&mut *tx).await?;
                    }
                    "check" => {
                        let violation = input.field("finding") == Some("violation");
                        let rectify_by = if violation {
                            let d = match input.field("rectify_by") {
                                None => today + chrono::Duration::days(30),
                                Some(s) => match parse_date(s) {
                                    Some(d) if d > today => d,
                                    _ => return Err(refused(vec![FieldError::new("rectify_by", "bad_date", "整改期限须为今天以后的日期（YYYY-MM-DD）")], &rules::ART_21)),
                                },
                            };
                            Some(fmt_date(d))
                        } else {
                            None
                        };
                        q("INSERT INTO fcr_checks (case_id, source, finding, notes, checked_on, rectify_by, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)")
                            .bind(id)
                            .bind(f("source"))
                            .bind(f("finding"))
                            .bind(f("notes"))
                            .bind(on.clone())
                            .bind(rectify_by.clone())
                            .bind(by)
                            .bind(now)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra
                            .set("来源", null.clone(), rules::label(rules::SOURCES, input.field("source").unwrap_or("")))
                            .set("核查结论", null.clone(), rules::label(rules::FINDINGS, input.field("finding").unwrap_or("")))
                            .set("整改期限", null.clone(), rectify_by);
                    }
                    "rectified" => {
                        q("UPDATE fcr_checks SET rectified_on = $1, rectification = $2 WHERE case_id = $3 AND finding = 'violation' AND rectified_on IS NULL")
                            .bind(on.clone())
                            .bind(f("rectification"))
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    "interview" => {
                        q("UPDATE fcr_checks SET interviewed_on = $1, interviewee = $2, interview_record = $3 WHERE case_id = $4 AND finding = 'violation' AND rectified_on IS NULL")
                            .bind(on.clone())
                            .bind(f("interviewee"))
                            .bind(f("record"))
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("被约谈人", null.clone(), f("interviewee"));
                    }
                    _ => {}
                }
                q("UPDATE fcr_measures SET updated_at = $1 WHERE case_id = $2").bind(now).bind(id).execute(&mut *tx).await?;
                cases::apply(tx, &PROCEDURE, &case, &plan, &who.actor(), input.reason.clone(), extra, now, &cal).await
            }
            .boxed()
        })
        .await
}

/// The sweep: an exception whose time limit has passed reopens its review (the system step).
pub async fn sweep(state: &AppState, day: NaiveDate) -> Result<usize, AppError> {
    let due: Vec<(i64, i64, i64)> = q(
        "SELECT c.id, c.version, c.org_id FROM cases c WHERE c.procedure = 'fair_competition' AND c.state = 'exception' AND EXISTS (SELECT 1 FROM fcr_opinions o WHERE o.case_id = c.id AND o.conclusion = 'exception' AND o.expired_on IS NULL AND o.until_on < $1) ORDER BY c.id LIMIT 500",
    )
    .bind(fmt_date(day))
    .fetch_all(&state.db)
    .await?;
    let mut n = 0;
    for (id, version, org_id) in due {
        let path = crate::kernel::access::org_path(state, org_id).await?;
        match run(state, Who::System, path, id, Some(version), "expire".into(), StepForm::default(), day).await {
            Ok(_) => n += 1,
            Err(AppError::Conflict { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}
