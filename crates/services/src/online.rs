//! The applicant's side: an item's guide (办事指南) and its online form defined as data; the
//! online application by a citizen or firm whose phone the portal verified (refused, with its
//! reason, for an item that cannot be done online); the applicant's own applications; and
//! 好差评 — a rating per application, by item and unit, where a bad rating opens a follow-up
//! with its own deadline in working days.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use futures::FutureExt;
use serde::{Deserialize, Serialize};

use crate::audit::{self, Changes, NewEvent};
use crate::auth::{Citizen, Perm, Staff};
use crate::db::{Db, q};
use crate::error::{AppError, FieldError};
use crate::kernel::queries::CaseRow;
use crate::rules;
use crate::service::{self, ItemRow, NewApplication, OnlineExtra, StepForm, Who};
use crate::state::AppState;
use crate::time::{fmt_date, now_ms, today};
use crate::web::form::Upload;

/// Life events (人生/企业生命周期) by which the portal groups items.
pub const LIFE_EVENTS: &[(&str, &str)] = &[
    ("birth", "新生儿出生"),
    ("business", "开办企业"),
    ("property", "不动产登记与过户"),
    ("construction", "工程建设"),
    ("employment", "就业与社保"),
    ("health", "医疗卫生"),
    ("civil", "婚姻与社会事务"),
];

/// One field of an item's online form.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct FormField {
    pub name: String,
    pub label: String,
    #[serde(default)]
    pub required: bool,
}

/// An item's guide as the portal shows it.
#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct Guide {
    pub life_event: String,
    pub materials: String,
    pub fee: String,
    pub place: String,
    pub form: String,
}

impl Guide {
    pub fn materials(&self) -> Vec<String> {
        self.materials.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
    }
    /// The form's fields; a malformed definition asks nothing beyond the applicant.
    pub fn fields(&self) -> Vec<FormField> {
        serde_json::from_str(&self.form).unwrap_or_default()
    }
}

pub async fn guide(db: &Db, item_id: i64) -> Result<Guide, AppError> {
    Ok(q("SELECT life_event, materials, fee, place, form FROM svc_items WHERE id = $1").bind(item_id).fetch_optional(db).await?.unwrap_or_default())
}

/// Why an item cannot be applied for online, or `None` when it can.
pub fn not_online(item: &ItemRow) -> Option<String> {
    if item.reform_mode == "cancel" {
        Some("该事项已直接取消审批（《优化营商环境条例》第十九条第二款），无需申请".into())
    } else if item.online_level == "onsite" {
        Some("该事项须到现场办理（事项清单载明的网办深度为“现场办理”），请按办事指南到办理地点申请".into())
    } else {
        None
    }
}

/// An online application as submitted on the portal.
#[derive(Clone, Debug, Default)]
pub struct OnlineForm {
    pub applicant: Option<String>,
    pub values: BTreeMap<String, String>,
    pub commitment_signed: bool,
}

/// Largest upload of one material.
const MAX_MATERIAL_MB: usize = 20;

/// Apply online. Everything is checked first (every problem on its field); materials are stored
/// (content-addressed, harmless if the write then fails) and the application, its form and its
/// materials are written in one transaction. A 告知承诺 item with the commitment signed is then
/// decided on the spot (`commit_online`), and its post-verification clock starts.
pub async fn apply(state: &AppState, citizen: &Citizen, item_id: i64, form: OnlineForm, files: &[Upload]) -> Result<CaseRow, AppError> {
    let item = service::item(&state.db, item_id).await?.ok_or_else(crate::kernel::access::not_found)?;
    if let Some(reason) = not_online(&item) {
        return Err(AppError::Refused {
            code: "item_not_online".into(),
            message: format!("“{}”不能网上申请：{reason}", item.name),
            basis: vec![rules::BIZ_19.full()],
            fields: vec![FieldError::new("item_id", "item_not_online", reason)],
        });
    }
    let g = guide(&state.db, item_id).await?;
    let mut errors = Vec::new();
    let applicant = form.applicant.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    match &applicant {
        None => errors.push(FieldError::new("applicant", "required", "请填写申请人（个人姓名或单位名称）")),
        Some(a) if a.chars().count() > 100 => errors.push(FieldError::new("applicant", "too_long", "申请人不超过100字")),
        _ => {}
    }
    let mut values = BTreeMap::new();
    for f in g.fields() {
        let v = form.values.get(&f.name).map(|v| v.trim().to_string()).unwrap_or_default();
        if f.required && v.is_empty() {
            errors.push(FieldError::new(format!("f_{}", f.name), "required", format!("请填写{}", f.label)));
        } else if v.chars().count() > 500 {
            errors.push(FieldError::new(format!("f_{}", f.name), "too_long", format!("{}不超过500字", f.label)));
        }
        values.insert(f.label.clone(), v);
    }
    let files: Vec<&Upload> = files.iter().filter(|f| !f.bytes.is_empty()).collect();
    if !g.materials().is_empty() && files.is_empty() {
        errors.push(FieldError::new("materials", "required", format!("请上传申请材料：{}", g.materials().join("；"))));
    }
    if item.reform_mode == "commitment" && !form.commitment_signed {
        errors.push(FieldError::new("commitment_signed", "required", "该事项实行告知承诺，请阅读并签署告知承诺书"));
    }
    if !errors.is_empty() {
        let message =
            if errors.len() == 1 { errors[0].message.clone() } else { format!("{}（另有 {} 处需要修改）", errors[0].message, errors.len() - 1) };
        return Err(AppError::Refused { code: "application_invalid".into(), message, basis: vec![rules::ART_32.full()], fields: errors });
    }
    let max = MAX_MATERIAL_MB * 1024 * 1024;
    let mut stored = Vec::new();
    for f in files {
        let (sha, mime) = state.files.put(&f.bytes, &f.filename, max)?;
        stored.push((sha, mime, f.bytes.len(), f.filename.clone()));
    }
    let who = Who::Citizen(Box::new(citizen.clone()));
    let n = NewApplication {
        item_id: Some(item_id),
        channel: Some("online".into()),
        applicant: applicant.clone(),
        applicant_phone: Some(citizen.phone.as_str().to_string()),
        received_on: None,
    };
    let extra = OnlineExtra { form_values: serde_json::to_string(&values).unwrap_or_default(), files: stored };
    let case = service::apply_with(state, &who, n, Some(extra)).await?;
    if item.reform_mode == "commitment" {
        let f = StepForm { reason: None, fields: BTreeMap::from([("commitment_signed".to_string(), "yes".to_string())]), days: None };
        return service::step(state, &Who::System, case.id, Some(case.version), "commit_online", f).await;
    }
    Ok(case)
}

/// One of the applicant's own applications, as the portal lists it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MyApp {
    pub id: i64,
    pub case_no: String,
    pub item: String,
    pub item_id: i64,
    pub org_id: i64,
    pub received_on: String,
    pub state: String,
    pub due_on: Option<String>,
    pub outcome: Option<String>,
    pub decided_on: Option<String>,
    pub score: Option<i64>,
}

const MY_COLS: &str = "SELECT c.id, c.case_no, i.name AS item, a.item_id, c.org_id, a.received_on, c.state, c.due_on, a.outcome, a.decided_on, r.score FROM svc_applications a JOIN cases c ON c.id = a.case_id JOIN svc_items i ON i.id = a.item_id LEFT JOIN svc_ratings r ON r.case_id = a.case_id";

/// The verified phone's applications, newest first (by the phone index).
pub async fn mine(db: &Db, citizen: &Citizen) -> Result<Vec<MyApp>, AppError> {
    q(format!("{MY_COLS} WHERE a.applicant_phone = $1 ORDER BY a.received_on DESC, c.id DESC LIMIT 100"))
        .bind(citizen.phone.as_str().to_string())
        .fetch_all(db)
        .await
}

/// One application of the verified phone; someone else's is "not found".
pub async fn my_one(db: &Db, citizen: &Citizen, id: i64) -> Result<MyApp, AppError> {
    q(format!("{MY_COLS} WHERE a.case_id = $1 AND a.applicant_phone = $2"))
        .bind(id)
        .bind(citizen.phone.as_str().to_string())
        .fetch_optional(db)
        .await?
        .ok_or_else(crate::kernel::access::not_found)
}

/// The follow-up period of a bad rating, as configured.
pub async fn followup_days(db: &Db) -> Result<u32, AppError> {
    let o = crate::settings::procedure_overrides(db, rules::CODE).await?;
    Ok(o.get(rules::RATING_FOLLOWUP_KEY).copied().filter(|d| *d > 0).unwrap_or(rules::RATING_FOLLOWUP_DAYS))
}

/// Rate an application (once, after its decision). A bad rating must say why and opens a
/// follow-up due in the configured working days.
pub async fn rate(state: &AppState, citizen: &Citizen, id: i64, score: Option<i64>, comment: Option<String>) -> Result<(), AppError> {
    rate_on(state, citizen, id, score, comment, today()).await
}

pub async fn rate_on(state: &AppState, citizen: &Citizen, id: i64, score: Option<i64>, comment: Option<String>, day: NaiveDate) -> Result<(), AppError> {
    let app = my_one(&state.db, citizen, id).await?;
    let refuse = |code: &'static str, field: &str, msg: String| AppError::Refused {
        code: code.into(),
        message: msg.clone(),
        basis: vec![rules::RATING.full()],
        fields: vec![FieldError::new(field, code, msg)],
    };
    if app.decided_on.is_none() {
        return Err(refuse("not_decided", "score", "申请办结（作出决定）后才能评价".into()));
    }
    if app.score.is_some() {
        return Err(refuse("already_rated", "score", "本申请已评价过，每件申请只能评价一次".into()));
    }
    let score = match score {
        Some(s) if (1..=5).contains(&s) => s,
        _ => return Err(refuse("bad_choice", "score", "请选择评价等级（非常满意至非常不满意）".into())),
    };
    let comment = comment.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
    if comment.as_ref().is_some_and(|c| c.chars().count() > 500) {
        return Err(refuse("too_long", "comment", "评价内容不超过500字".into()));
    }
    let bad = score <= 2;
    if bad && comment.is_none() {
        return Err(refuse("reason_required", "comment", "请说明不满意的原因，以便回访整改".into()));
    }
    let due = if bad { Some(state.calendar().add_working_days(day, followup_days(&state.db).await?)) } else { None };
    let actor = citizen.actor();
    state
        .db
        .write(move |tx| {
            async move {
                // The UNIQUE case_id makes a double submission fail here rather than count twice.
                let rid = q("INSERT INTO svc_ratings (case_id, item_id, org_id, score, comment, rated_on, created_at, followup_due) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id")
                    .bind(app.id)
                    .bind(app.item_id)
                    .bind(app.org_id)
                    .bind(score)
                    .bind(comment.clone())
                    .bind(fmt_date(day))
                    .bind(now_ms())
                    .bind(due.map(fmt_date))
                    .fetch_i64(&mut *tx)
                    .await
                    .map_err(|_| AppError::conflict("already_rated", "本申请已评价过，每件申请只能评价一次"))?;
                let mut changes = Changes::new().created("评价", rules::rating_label(score));
                if let Some(d) = due {
                    changes = changes.created("差评回访整改期限", fmt_date(d));
                }
                audit::record(tx, &actor, NewEvent::new("case", app.id, "rate", "申请人评价（好差评）").changes(changes).reason(comment)).await?;
                audit::record(tx, &actor, NewEvent::new("svc_rating", rid, "create", "好差评")).await?;
                Ok(())
            }
            .boxed()
        })
        .await
}

/// A rating as the staff list shows it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RatingRow {
    pub id: i64,
    pub case_id: i64,
    pub case_no: String,
    pub item: String,
    pub org_id: i64,
    pub score: i64,
    pub comment: Option<String>,
    pub rated_on: String,
    pub followup_due: Option<String>,
    pub followup_on: Option<String>,
    pub followup_note: Option<String>,
    pub followup_on_time: Option<bool>,
}

/// Ratings of the units in the person's scope: open follow-ups first, by due date.
pub async fn ratings(state: &AppState, staff: &Staff, only_bad: bool) -> Result<Vec<RatingRow>, AppError> {
    let scope = staff.scope(Perm::CASE_READ, Some(rules::CODE));
    let mut query = q(
        "SELECT r.id, r.case_id, c.case_no, i.name AS item, r.org_id, r.score, r.comment, r.rated_on, r.followup_due, r.followup_on, r.followup_note, r.followup_on_time FROM svc_ratings r JOIN cases c ON c.id = r.case_id JOIN svc_items i ON i.id = r.item_id WHERE 1=1",
    );
    if only_bad {
        query = query.push(" AND r.score <= 2");
    }
    scope
        .filter(query, "r.org_id")
        .push(
            " ORDER BY CASE WHEN r.followup_due IS NOT NULL AND r.followup_on IS NULL THEN 0 ELSE 1 END, r.followup_due, r.rated_on DESC, r.id DESC LIMIT 200",
        )
        .fetch_all(&state.db)
        .await
}

/// Record the follow-up of a bad rating (the call back, what was put right).
pub async fn follow_up(state: &AppState, staff: &Staff, rating_id: i64, note: Option<String>) -> Result<(), AppError> {
    follow_up_on(state, staff, rating_id, note, today()).await
}

pub async fn follow_up_on(state: &AppState, staff: &Staff, rating_id: i64, note: Option<String>, day: NaiveDate) -> Result<(), AppError> {
    let row: Option<(i64, i64, Option<String>, Option<String>)> =
        q("SELECT org_id, case_id, followup_due, followup_on FROM svc_ratings WHERE id = $1").bind(rating_id).fetch_optional(&state.db).await?;
    let (org_id, case_id, due, done) = row.ok_or_else(crate::kernel::access::not_found)?;
    let path = crate::kernel::access::org_path(state, org_id).await?;
    if !staff.allows(Perm::CASE_READ, Some(rules::CODE), &path) {
        return Err(crate::kernel::access::not_found());
    }
    if !staff.allows(Perm::CASE_HANDLE, Some(rules::CODE), &path) {
        return Err(AppError::forbidden("forbidden", "您没有办理本单位差评回访的权限"));
    }
    let Some(due) = due else { return Err(AppError::field("rating", "not_bad", "该评价不是差评，无需回访整改")) };
    if done.is_some() {
        return Err(AppError::conflict("already_followed_up", "该差评已登记回访整改"));
    }
    let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    let Some(note) = note else { return Err(AppError::field("followup_note", "required", "请填写回访核实和整改情况")) };
    let on_time = fmt_date(day) <= due;
    let actor = staff.actor();
    state
        .db
        .write(move |tx| {
            async move {
                let n = q("UPDATE svc_ratings SET followup_on = $1, followup_note = $2, followup_on_time = $3 WHERE id = $4 AND followup_on IS NULL")
                    .bind(fmt_date(day))
                    .bind(note.clone())
                    .bind(on_time)
                    .bind(rating_id)
                    .execute(&mut *tx)
                    .await?;
                if n != 1 {
                    return Err(AppError::conflict("already_followed_up", "该差评已登记回访整改"));
                }
                let changes = Changes::new().set("回访整改", serde_json::Value::Null, if on_time { "按期" } else { "逾期" });
                audit::record(tx, &actor, NewEvent::new("case", case_id, "rating_followup", "差评回访整改").changes(changes).reason(Some(note))).await?;
                Ok(())
            }
            .boxed()
        })
        .await
}
