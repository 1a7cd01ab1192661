//! The operations on a major decision, shared by the staff pages and the API: launching it from a
//! catalogue item with its first draft, a new version of the draft, a step on the kernel (each
//! statutory procedure recorded as done with what the law asks, or as not applicable with the
//! reason), and a citizen's comment during the window. Each runs in one transaction with its event.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use futures::FutureExt;
use sha2::Digest;

use super::model;
use super::queries::{self, DecisionRow, ProcRow};
use super::rules::{self, PROCEDURE};
use crate::audit::{self, Changes, NewEvent};
use crate::auth::Citizen;
use crate::auth::roles::Perm;
use crate::db::q;
use crate::error::{AppError, Check, FieldError};
use crate::kernel::definition::Basis;
use crate::kernel::engine::{self, Authority, Clock, Input};
use crate::kernel::queries::{self as cases, CaseRow, NewCase};
use crate::org::queries as orgs;
use crate::queries as docs;
use crate::service::{StepForm, Who};
use crate::state::AppState;
use crate::time::{fmt_date, now_ms, parse_date, today};

/// Holds `perm` over the unit at `path` for major decisions.
pub fn may(who: &Who, perm: Perm, path: &str) -> bool {
    match who {
        Who::Staff(s) => s.allows(perm, Some(rules::CODE), path),
        Who::Token(t) => t.allows(perm, path),
        Who::System => true,
    }
}

fn user_id(who: &Who) -> Option<i64> {
    match who {
        Who::Staff(s) => Some(s.id),
        _ => None,
    }
}

/// One person's authority over one decision.
pub struct DecisionAuthority<'a> {
    pub who: &'a Who,
    pub path: String,
}

impl Authority for DecisionAuthority<'_> {
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

/// Load a decision the caller may read, or 404.
pub async fn readable(state: &AppState, who: &Who, id: i64) -> Result<(CaseRow, DecisionRow, String), AppError> {
    let (c, d) = queries::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let path = crate::kernel::access::org_path(state, c.org_id).await?;
    if !may(who, Perm::CASE_READ, &path) {
        return Err(crate::kernel::access::not_found());
    }
    Ok((c, d, path))
}

/// The latest record of a kind.
pub fn latest<'a>(procs: &'a [ProcRow], kind: &str) -> Option<&'a ProcRow> {
    procs.iter().rev().find(|p| p.kind == kind)
}

/// A JSON fact of a procedure record.
pub fn fact(p: &ProcRow, key: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(p.facts.as_deref()?).ok()?;
    v.get(key)?.as_str().map(str::to_string)
}

/// The facts the kernel's guards read: which items of the package (Art. 29) are on record.
pub fn flags(d: &DecisionRow, procs: &[ProcRow], window: Option<&docs::WindowRow>, day: NaiveDate) -> BTreeMap<String, bool> {
    let mut f = BTreeMap::new();
    f.insert("legality_ok".into(), matches!(d.legality_result.as_deref(), Some("pass" | "exploratory")));
    f.insert("legality_failed".into(), d.legality_result.as_deref() == Some("fail"));
    f.insert("participation_open".into(), window.is_some());
    f.insert("window_ended".into(), window.and_then(|w| parse_date(&w.closes_on)).is_some_and(|c| day > c));
    f.insert("participation_settled".into(), window.is_none() && latest(procs, "participation").is_some());
    f.insert("expert_settled".into(), latest(procs, "expert").is_some());
    let risk = latest(procs, "risk");
    f.insert("risk_settled".into(), risk.is_some());
    f.insert("risk_uncontrollable".into(), risk.is_some_and(|r| r.status == "done" && fact(r, "level").as_deref() == Some("uncontrollable")));
    f.insert("fair_settled".into(), !d.market_related || latest(procs, "fair_competition").is_some());
    f.insert("party_reported".into(), d.party_reported_on.is_some());
    f.insert("archived".into(), d.archived_on.is_some());
    f
}

/// Launch the decision of a catalogue item (Art. 10–11): its lead unit drafts.
#[derive(Clone, Debug, Default)]
pub struct Launch {
    pub item_id: i64,
    pub market_related: bool,
    pub text: Option<String>,
}

pub async fn launch(state: &AppState, who: &Who, l: Launch) -> Result<CaseRow, AppError> {
    let item = queries::item(&state.db, l.item_id).await?.ok_or_else(|| AppError::not_found("item_not_found", "目录中没有这一事项"))?;
    let cat = queries::catalogue(&state.db, item.catalogue_id).await?.ok_or_else(|| AppError::not_found("item_not_found", "目录中没有这一事项"))?;
    let org = orgs::get(&state.db, item.lead_org_id).await?.ok_or_else(|| AppError::internal("承办单位不存在"))?;
    if !may(who, Perm::CASE_HANDLE, &org.path) {
        return Err(AppError::not_found("item_not_found", "目录中没有这一事项"));
    }
    let refuse = |code: &'static str, msg: String, b: &Basis| AppError::Refused { code: code.into(), message: msg, basis: vec![b.full()], fields: vec![] };
    if cat.published_on.is_none() {
        return Err(refuse("catalogue_not_published", "决策事项目录经同级党委同意并向社会公布后，方可启动目录中事项的决策程序".into(), &rules::ART_3));
    }
    if let Some(c) = &item.case_no {
        return Err(refuse("already_launched", format!("该事项已启动决策程序（{c}）"), &rules::ART_11));
    }
    if item.withdrawn_reason.is_some() {
        return Err(refuse("item_withdrawn", "该事项已从目录中调出".into(), &rules::ART_3));
    }
    let clauses = crate::model::parse_clauses(l.text.as_deref().unwrap_or("")).map_err(|e| AppError::Refused {
        code: e.code.clone(),
        message: e.message.clone(),
        basis: vec![rules::ART_12.full()],
        fields: vec![e],
    })?;
    let actor = who.actor();
    let by = user_id(who);
    let cal = state.calendar();
    state
        .db
        .write(move |tx| {
            async move {
                // Launched once: the item row is the lock.
                let taken = q("SELECT COUNT(*) FROM decision_catalogue_items WHERE id = $1 AND case_id IS NOT NULL").bind(item.id).fetch_i64(&mut *tx).await?;
                if taken > 0 {
                    return Err(AppError::conflict("already_launched", "该事项已启动决策程序"));
                }
                let now = now_ms();
                let case = cases::create(
                    tx,
                    NewCase {
                        procedure: &PROCEDURE,
                        title: item.title.clone(),
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
                q("INSERT INTO major_decisions (case_id, org_id, item_id, title, category, market_related, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$7)")
                    .bind(case.id)
                    .bind(org.id)
                    .bind(item.id)
                    .bind(item.title.clone())
                    .bind(item.category.clone())
                    .bind(l.market_related)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                q("UPDATE decision_catalogue_items SET case_id = $1 WHERE id = $2").bind(case.id).bind(item.id).execute(&mut *tx).await?;
                docs::insert_version(tx, case.id, 1, Some("决策草案初稿"), &clauses, by, now).await?;
                let changes = Changes::new()
                    .created("决策事项", item.title.clone())
                    .created("承办单位", org.name.clone())
                    .created("涉及市场主体经济活动", if l.market_related { "是" } else { "否" })
                    .created("草案条文数", clauses.len());
                audit::record_at(tx, &actor, NewEvent::new("case", case.id, "create", format!("启动决策程序（目录第{}项）", item.seq)).changes(changes), now).await?;
                Ok(case)
            }
            .boxed()
        })
        .await
}

/// A new version of the draft: before it goes to legality review, and not while the public is
/// asked about a version.
pub async fn add_version(state: &AppState, who: &Who, id: i64, text: &str, note: Option<String>) -> Result<i64, AppError> {
    let (case, _, path) = readable(state, who, id).await?;
    if !may(who, Perm::CASE_HANDLE, &path) {
        return Err(AppError::forbidden("not_permitted", "您无权修改决策草案：应由决策承办单位办理"));
    }
    let open = docs::open_window(&state.db, id).await?;
    if !rules::REVISABLE.contains(&case.state.as_str()) || open.is_some() {
        let why = if open.is_some() {
            "公开征求意见期间不能修改决策草案：意见针对的是征求意见稿，请在征求意见结束后形成新的一稿"
        } else {
            "已送合法性审查的决策草案不能修改：须退回后修改"
        };
        return Err(AppError::Refused { code: "version_not_allowed".into(), message: why.into(), basis: vec![rules::ART_18.full()], fields: vec![] });
    }
    let clauses = crate::model::parse_clauses(text).map_err(|e| AppError::Refused {
        code: e.code.clone(),
        message: e.message.clone(),
        basis: vec![],
        fields: vec![e],
    })?;
    let note = note.map(|n| n.trim().chars().take(200).collect::<String>()).filter(|n| !n.is_empty());
    let actor = who.actor();
    let by = user_id(who);
    state
        .db
        .write(move |tx| {
            async move {
                let case = cases::load_for_change(tx, id, None).await?;
                let v = docs::latest_version(&mut *tx, id).await? + 1;
                let now = now_ms();
                docs::insert_version(tx, id, v, note.as_deref(), &clauses, by, now).await?;
                q("UPDATE cases SET version = version + 1, updated_at = $1 WHERE id = $2").bind(now).bind(case.id).execute(&mut *tx).await?;
                let changes = Changes::new().created("稿次", v).created("条文数", clauses.len()).created("说明", note.clone());
                audit::record_at(tx, &actor, NewEvent::new("case", id, "version", format!("形成决策草案第{v}稿")).changes(changes), now).await?;
                Ok(v)
            }
            .boxed()
        })
        .await
}

/// A procedure's record, written after the kernel accepted the step.
type Record = (&'static str, &'static str, Option<String>, Option<String>, serde_json::Value);

fn record(kind: &'static str, status: &'static str, report: Option<String>, reason: Option<String>, facts: serde_json::Value) -> Record {
    (kind, status, report, reason, facts)
}

fn refused(errors: Vec<FieldError>, basis: &Basis) -> AppError {
    let first = errors[0].clone();
    let message = if errors.len() > 1 { format!("{}（另有 {} 处问题）", first.message, errors.len() - 1) } else { first.message };
    AppError::Refused { code: first.code.clone(), message, basis: vec![basis.full()], fields: errors }
}

fn date_input(input: &Input, name: &str, label: &str, default: NaiveDate, today: NaiveDate, errors: &mut Vec<FieldError>) -> NaiveDate {
    let d = match input.field(name) {
        None => default,
        Some(s) => match parse_date(s) {
            Some(d) => d,
            None => {
                errors.push(FieldError::new(name, "bad_date", format!("{label}格式应为 YYYY-MM-DD")));
                return default;
            }
        },
    };
    if d > today {
        errors.push(FieldError::new(name, "date_in_future", format!("{label}不能晚于今天")));
    } else if d < today - chrono::Duration::days(365) {
        errors.push(FieldError::new(name, "date_too_early", format!("{label}不能早于一年前")));
    }
    d
}

/// Take a step. `seen`: the case version the person saw (stale → 409).
pub async fn step(state: &AppState, who: &Who, id: i64, seen: Option<i64>, action: &str, form: StepForm) -> Result<CaseRow, AppError> {
    let (_, _, path) = readable(state, who, id).await?;
    let lead = orgs::get(&state.db, queries::decision(&state.db, id).await?.map(|d| d.org_id).unwrap_or(0)).await?;
    let lead_names = lead.map(|o| vec![o.name, o.short_name]).unwrap_or_default();
    let cal = state.calendar();
    let today = today();
    let who = who.clone();
    let action = action.to_string();
    let input = Input { reason: form.reason.clone(), fields: form.fields.clone(), attachments: 0, days: form.days, clock_days: None };
    state
        .db
        .write(move |tx| {
            async move {
                let case = cases::load_for_change(tx, id, seen).await?;
                let d = queries::decision(&mut *tx, id).await?.ok_or_else(crate::kernel::access::not_found)?;
                let procs = queries::procedures(&mut *tx, id).await?;
                let window = docs::open_window(&mut *tx, id).await?;
                let auth = DecisionAuthority { who: &who, path };
                let facts = case.facts(flags(&d, &procs, window.as_ref(), today));
                // The kernel first: state, who, the package (a refused step cites its article).
                let plan = engine::plan(&PROCEDURE, &facts, &action, &auth, &input, today, &cal, &BTreeMap::new()).map_err(AppError::from)?;
                let now = now_ms();
                let on = fmt_date(today);
                let by = user_id(&who);
                let mut errors = Vec::new();
                let mut extra = Changes::new();
                let null = serde_json::Value::Null;
                let f = |k: &str| input.field(k).map(str::to_string);
                let mut proc_row: Option<Record> = None;
                match action.as_str() {
                    "draft" => {
                        q("UPDATE major_decisions SET legal_basis = $1, consultation = $2, options = $3, updated_at = $4 WHERE case_id = $5")
                            .bind(f("legal_basis"))
                            .bind(f("consultation"))
                            .bind(f("options"))
                            .bind(now)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    "open_participation" => {
                        let opens = date_input(&input, "opens_on", "开始日期", today, today + chrono::Duration::days(60), &mut errors);
                        if !errors.is_empty() {
                            return Err(refused(errors, &rules::ART_15));
                        }
                        // Art. 15: 30 calendar days, shorter only with a reason stated in the notice.
                        let (closes, _, days) = crate::model::check_window(true, opens, input.days, input.field("shorter_reason"), today, &cal)
                            .map_err(|e| refused(e, &rules::ART_15))?;
                        let version = docs::latest_version(&mut *tx, id).await?;
                        q("INSERT INTO normdoc_windows (case_id, version_no, opens_on, closes_on, days, unit, shorter_reason, created_at) VALUES ($1,$2,$3,$4,$5,'days',$6,$7)")
                            .bind(id)
                            .bind(version)
                            .bind(fmt_date(opens))
                            .bind(fmt_date(closes))
                            .bind(i64::from(days))
                            .bind(f("shorter_reason"))
                            .bind(now)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra
                            .set("征求意见稿", null.clone(), format!("第{version}稿"))
                            .set("征求意见期间", null.clone(), format!("{} 至 {}（{days}日）", fmt_date(opens), fmt_date(closes)));
                        if let Some(r) = f("shorter_reason") {
                            extra = extra.set("缩短期限的理由", null.clone(), r);
                        }
                    }
                    "close_participation" => {
                        let w = window.clone().ok_or_else(|| AppError::internal("no open window"))?;
                        let n = q("SELECT COUNT(*) FROM normdoc_notes WHERE window_id = $1 AND kind = 'comment'").bind(w.id).fetch_i64(&mut *tx).await?;
                        q("UPDATE normdoc_windows SET closed_on = $1 WHERE id = $2").bind(on.clone()).bind(w.id).execute(&mut *tx).await?;
                        proc_row = Some(record(
                            "participation",
                            "done",
                            f("report"),
                            None,
                            serde_json::json!({"window_id": w.id, "version": w.version_no, "opens_on": w.opens_on, "closes_on": w.closes_on, "comments": n}),
                        ));
                        extra = extra.set("收到意见", null.clone(), n);
                    }
                    "hearing" => {
                        let hearing_on = date_input(&input, "hearing_on", "听证日期", today, today, &mut errors);
                        let materials_on = date_input(&input, "materials_on", "材料送达日期", today, today, &mut errors);
                        if errors.is_empty() {
                            if let Err(e) = model::hearing_notice(hearing_on, materials_on) {
                                errors.push(e);
                            }
                        }
                        if !errors.is_empty() {
                            return Err(refused(errors, &rules::ART_16));
                        }
                        proc_row = Some(record(
                            "hearing",
                            "done",
                            f("record"),
                            None,
                            serde_json::json!({"hearing_on": fmt_date(hearing_on), "materials_on": fmt_date(materials_on), "participants": f("participants")}),
                        ));
                    }
                    "waive_participation" => {
                        if window.is_some() {
                            return Err(refused(vec![FieldError::new("reason", "window_open", "正在公开征求意见，不能同时记录不开展公众参与")], &rules::ART_14));
                        }
                        proc_row = Some(record("participation", "waived", None, input.reason.clone(), serde_json::json!({})));
                    }
                    "expert" => {
                        let experts = model::parse_experts(input.field("experts").unwrap_or("")).map_err(|e| refused(vec![e], &rules::ART_20))?;
                        let names: Vec<String> = experts.iter().map(|e| e.name.clone()).collect();
                        let affiliations: Vec<String> = experts.iter().map(|e| e.affiliation.clone()).collect();
                        let pid = queries::insert_procedure(
                            tx,
                            id,
                            "expert",
                            "done",
                            &on,
                            input.field("report"),
                            None,
                            Some(serde_json::json!({"experts": experts.len(), "affiliations": affiliations}).to_string()),
                            by,
                            now,
                        )
                        .await?;
                        for e in &experts {
                            q("INSERT INTO major_experts (case_id, procedure_id, name, affiliation, opinion, created_at) VALUES ($1,$2,$3,$4,$5,$6)")
                                .bind(id)
                                .bind(pid)
                                .bind(e.name.clone())
                                .bind(e.affiliation.clone())
                                .bind(e.opinion.clone())
                                .bind(now)
                                .execute(&mut *tx)
                                .await?;
                        }
                        extra = extra.set("论证专家", null.clone(), names.join("、"));
                    }
                    "waive_expert" => proc_row = Some(record("expert", "waived", None, input.reason.clone(), serde_json::json!({}))),
                    "risk" => {
                        let level = input.field("level").unwrap_or("");
                        if !rules::RISK_LEVELS.iter().any(|l| l.0 == level) {
                            return Err(refused(vec![FieldError::new("level", "bad_choice", "请选择规定的风险等级")], &rules::ART_24));
                        }
                        let report = format!(
                            "风险点：{}\n防范措施：{}\n处置预案：{}",
                            input.field("points").unwrap_or(""),
                            input.field("measures").unwrap_or(""),
                            input.field("plan").unwrap_or("")
                        );
                        proc_row = Some(record("risk", "done", Some(report), None, serde_json::json!({"level": level, "assessor": f("assessor")})));
                        extra = extra.set("风险等级", null.clone(), rules::label(rules::RISK_LEVELS, level));
                    }
                    "waive_risk" => proc_row = Some(record("risk", "waived", None, input.reason.clone(), serde_json::json!({}))),
                    "fair_competition" => {
                        let c = input.field("conclusion").unwrap_or("");
                        if !rules::FCR_CONCLUSIONS.iter().any(|l| l.0 == c) {
                            return Err(refused(vec![FieldError::new("conclusion", "bad_choice", "请选择规定的审查结论")], &rules::FCR_17));
                        }
                        proc_row = Some(record("fair_competition", "done", f("report"), None, serde_json::json!({"conclusion": c})));
                        extra = extra.set("审查结论", null.clone(), rules::label(rules::FCR_CONCLUSIONS, c));
                    }
                    "submit_legality" => {
                        let until = match input.field("review_until") {
                            None => None,
                            Some(s) => Some(parse_date(s).ok_or_else(|| refused(vec![FieldError::new("review_until", "bad_date", "日期格式应为 YYYY-MM-DD")], &rules::ART_26))?),
                        };
                        let until = model::review_until(today, until, input.field("short_reason"), &cal).map_err(|e| refused(vec![e], &rules::ART_26))?;
                        q("UPDATE major_decisions SET legality_materials = $1, legality_sent_on = $2, legality_until = $3, legality_short_reason = $4, legality_result = NULL, updated_at = $5 WHERE case_id = $6")
                            .bind(f("materials"))
                            .bind(on.clone())
                            .bind(fmt_date(until))
                            .bind(f("short_reason"))
                            .bind(now)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("保证审查时间至", null.clone(), fmt_date(until));
                    }
                    "legality_opinion" => {
                        let checks: BTreeMap<&str, &str> = ["authority", "procedure", "content"].iter().map(|k| (*k, input.field(k).unwrap_or(""))).collect();
                        let result = input.field("result").unwrap_or("fail");
                        q("UPDATE major_decisions SET legality_result = $1, legality_opinion = $2, legality_checks = $3, adviser_opinion = $4, legal_risk = $5, legality_on = $6, legality_by = $7, updated_at = $8 WHERE case_id = $9")
                            .bind(result)
                            .bind(f("opinion"))
                            .bind(serde_json::to_string(&checks).unwrap_or_default())
                            .bind(f("adviser_opinion"))
                            .bind(f("legal_risk"))
                            .bind(on.clone())
                            .bind(by)
                            .bind(now)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("审查结论", null.clone(), rules::label(rules::LEGALITY_RESULTS, result));
                    }
                    "deliberate" => {
                        let meeting_on = date_input(&input, "meeting_on", "会议日期", today, today, &mut errors);
                        if d.legality_on.as_deref().and_then(parse_date).is_some_and(|l| meeting_on < l) {
                            errors.push(FieldError::new(
                                "meeting_on",
                                "before_legality_review",
                                format!("会议日期不能早于合法性审查意见出具之日（{}）", d.legality_on.clone().unwrap_or_default()),
                            ));
                        }
                        if !errors.is_empty() {
                            return Err(refused(errors, &rules::ART_30));
                        }
                        let result = input.field("result").unwrap_or("returned");
                        q("UPDATE major_decisions SET meeting = $1, meeting_on = $2, majority = $3, meeting_result = $4, departure_reason = $5, dissent = $6, updated_at = $7 WHERE case_id = $8")
                            .bind(f("meeting"))
                            .bind(fmt_date(meeting_on))
                            .bind(f("majority"))
                            .bind(result)
                            .bind(f("departure_reason"))
                            .bind(f("dissent"))
                            .bind(now)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        if plan.to == "procedures" {
                            // Returned for changes: the adjusted draft needs a review of its own.
                            q("UPDATE major_decisions SET legality_result = NULL WHERE case_id = $1").bind(id).execute(&mut *tx).await?;
                        }
                        extra = extra
                            .set("会议", null.clone(), f("meeting"))
                            .set("会议日期", null.clone(), fmt_date(meeting_on))
                            .set("多数意见", null.clone(), rules::label(rules::MAJORITY, input.field("majority").unwrap_or("")))
                            .set("决定", null.clone(), rules::label(rules::MEETING_RESULTS, result));
                        if let Some(r) = f("dissent") {
                            extra = extra.set("不同意见", null.clone(), r);
                        }
                    }
                    "party_report" => {
                        q("UPDATE major_decisions SET party_reported_on = $1, party_report = $2, updated_at = $3 WHERE case_id = $4")
                            .bind(on.clone())
                            .bind(f("report"))
                            .bind(now)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    "publish" => {
                        let published = date_input(&input, "published_on", "公布日期", today, today, &mut errors);
                        if d.meeting_on.as_deref().and_then(parse_date).is_some_and(|m| published < m) {
                            errors.push(FieldError::new("published_on", "before_meeting", format!("公布日期不能早于集体讨论之日（{}）", d.meeting_on.clone().unwrap_or_default())));
                        }
                        if f("publication").is_none() && f("withheld_reason").is_none() {
                            errors.push(FieldError::new("publication", "publication_required", "请写明公布途径；依法不予公开的，写明理由"));
                        }
                        if !errors.is_empty() {
                            return Err(refused(errors, &rules::ART_32));
                        }
                        q("UPDATE major_decisions SET published_on = $1, publication = $2, withheld_reason = $3, updated_at = $4 WHERE case_id = $5")
                            .bind(fmt_date(published))
                            .bind(f("publication"))
                            .bind(f("withheld_reason"))
                            .bind(now)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        extra = extra.set("公布日期", null.clone(), fmt_date(published));
                    }
                    "archive" => {
                        let a = date_input(&input, "archived_on", "归档日期", today, today, &mut errors);
                        if !errors.is_empty() {
                            return Err(refused(errors, &rules::ART_33));
                        }
                        q("UPDATE major_decisions SET archived_on = $1, updated_at = $2 WHERE case_id = $3").bind(fmt_date(a)).bind(now).bind(id).execute(&mut *tx).await?;
                        extra = extra.set("归档日期", null.clone(), fmt_date(a));
                    }
                    "execution" => proc_row = Some(record("execution", "done", f("report"), None, serde_json::json!({}))),
                    "evaluate" => {
                        let evaluator = input.field("evaluator").unwrap_or("").to_string();
                        let trigger = input.field("trigger").unwrap_or("");
                        if !rules::EVAL_TRIGGERS.iter().any(|t| t.0 == trigger) {
                            errors.push(FieldError::new("trigger", "bad_choice", "请选择第三十六条规定的评估情形"));
                        }
                        // Art. 36 ¶2: not whoever did the main assessment work before the decision.
                        let mut before: Vec<String> = lead_names.clone();
                        for p in procs.iter().filter(|p| p.kind == "risk" || p.kind == "expert") {
                            if let Some(a) = fact(p, "assessor") {
                                before.push(a);
                            }
                            if let Some(list) = p.facts.as_deref().and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok()) {
                                if let Some(arr) = list.get("affiliations").and_then(|a| a.as_array()) {
                                    before.extend(arr.iter().filter_map(|v| v.as_str().map(str::to_string)));
                                }
                            }
                        }
                        if let Some(b) = before.iter().find(|b| !b.is_empty() && (evaluator.contains(b.as_str()) || b.contains(evaluator.as_str()))) {
                            errors.push(FieldError::new(
                                "evaluator",
                                "evaluator_not_independent",
                                format!("{b}在决策作出前承担了主要论证评估工作，不能承担决策后评估（第三十六条第二款）"),
                            ));
                        }
                        if !errors.is_empty() {
                            return Err(refused(errors, &rules::ART_36));
                        }
                        proc_row = Some(record("evaluation", "done", f("report"), None, serde_json::json!({"trigger": trigger, "evaluator": evaluator})));
                    }
                    _ => {}
                }
                if let Some((kind, status, report, reason, facts)) = proc_row {
                    queries::insert_procedure(tx, id, kind, status, &on, report.as_deref(), reason.as_deref(), Some(facts.to_string()), by, now).await?;
                }
                cases::apply(tx, &PROCEDURE, &case, &plan, &who.actor(), input.reason.clone(), extra, now, &cal).await
            }
            .boxed()
        })
        .await
}

// ------------------------------------------------------------------ citizens' comments

/// The hash that groups a citizen's comments without keeping the phone beside them.
pub fn source_of(c: &Citizen) -> String {
    let h = sha2::Sha256::digest(format!("fazhi-major-comment:{}", c.phone.as_str()).as_bytes());
    h.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// A citizen comments on a clause (0: the whole draft) of the version the open window asks
/// about, after verifying the phone. Refused outside the window, on a decision not published for
/// comment, and for the same text twice.
pub async fn citizen_comment(state: &AppState, c: &Citizen, id: i64, clause: Option<&str>, body: Option<&str>) -> Result<i64, AppError> {
    let not_found = || AppError::not_found("decision_not_found", "该决策草案不存在或未公开征求意见");
    let (_, d) = queries::load(&state.db, id).await?.ok_or_else(not_found)?;
    let w = docs::windows(&state.db, id).await?.into_iter().last().ok_or_else(not_found)?;
    let today = today();
    let mut ch = Check::new();
    let body = ch.text("body", "意见内容", body, 2000);
    let clause_no = ch.opt_int("clause_no", "条文", clause).unwrap_or(0);
    let count = docs::clause_count(&state.db, id, w.version_no).await?;
    if !(0..=count).contains(&clause_no) {
        ch.add("clause_no", "no_such_clause", format!("征求意见稿没有第{clause_no}条（共{count}条）"));
    }
    let (opens, closes) = (parse_date(&w.opens_on).unwrap_or(today), parse_date(&w.closes_on).unwrap_or(today));
    if today < opens {
        ch.add("body", "window_not_open", format!("征求意见自 {} 开始", w.opens_on));
    } else if today > closes || w.closed_on.is_some() {
        ch.add("body", "window_closed", format!("征求意见已于 {} 截止，不再接收意见", w.closes_on));
    }
    if !ch.is_ok() {
        let first = ch.errors[0].clone();
        return Err(AppError::Refused { code: first.code.clone(), message: first.message, basis: vec![rules::ART_15.full()], fields: ch.errors });
    }
    let source = source_of(c);
    let author = format!("群众 {}", c.phone.masked());
    let actor = c.actor();
    let title = d.title.clone();
    state
        .db
        .write(move |tx| {
            async move {
                let same = q("SELECT COUNT(*) FROM normdoc_notes WHERE window_id = $1 AND source = $2 AND body = $3")
                    .bind(w.id)
                    .bind(source.clone())
                    .bind(body.clone())
                    .fetch_i64(&mut *tx)
                    .await?;
                if same > 0 {
                    return Err(AppError::Refused {
                        code: "duplicate_comment".into(),
                        message: "您已提交过相同的意见".into(),
                        basis: vec![],
                        fields: vec![FieldError::new("body", "duplicate_comment", "您已提交过相同的意见")],
                    });
                }
                let now = now_ms();
                let nid = docs::insert_note(tx, id, "comment", Some(w.id), w.version_no, clause_no, &author, &body, &fmt_date(today), None, now).await?;
                q("UPDATE normdoc_notes SET source = $1 WHERE id = $2").bind(source).bind(nid).execute(&mut *tx).await?;
                let where_ = if clause_no == 0 { "全文".to_string() } else { crate::model::article(clause_no) };
                audit::record_at(tx, &actor, NewEvent::new("case", id, "comment", format!("群众对“{title}”征求意见稿{where_}提出意见")), now).await?;
                Ok(nid)
            }
            .boxed()
        })
        .await
}
