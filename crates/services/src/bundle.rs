//! 一件事 bundles (国发〔2024〕3号 "高效办成一件事": 一次告知、一表申请、一套材料、一端受理, LEGAL-RULES
//! §12.2): several items applied for together. The applicant fills one form — a field that
//! several items need (by its name) is asked once — and uploads one set of materials; the bundle
//! promises one date. Each member item is still an application of its own on the kernel, under
//! its own statutory clocks (a 告知承诺 member is decided at once), and records its own decision;
//! the bundle's result is there when every member has its decision.

use std::collections::BTreeMap;

use futures::FutureExt;
use serde::Serialize;

use crate::audit::{self, Changes, NewEvent};
use crate::auth::Citizen;
use crate::db::{Db, q};
use crate::error::{AppError, FieldError};
use crate::online::{self, FormField};
use crate::rules;
use crate::service::{self, ITEM_COLS, Intake, ItemRow, OnlineExtra, StepForm, Who};
use crate::state::AppState;
use crate::time::{fmt_date, now_ms, today};
use crate::web::form::Upload;

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct BundleRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub life_event: String,
    pub committed_days: i64,
    pub shared_form: String,
}

const BUNDLE_COLS: &str = "id, code, name, life_event, committed_days, shared_form";

pub async fn all(db: &Db) -> Result<Vec<BundleRow>, AppError> {
    q(format!("SELECT {BUNDLE_COLS} FROM svc_bundles ORDER BY id")).fetch_all(db).await
}

pub async fn get(db: &Db, id: i64) -> Result<Option<BundleRow>, AppError> {
    q(format!("SELECT {BUNDLE_COLS} FROM svc_bundles WHERE id = $1")).bind(id).fetch_optional(db).await
}

/// The member items in their order, with their guides (two queries).
pub async fn members(db: &Db, bundle_id: i64) -> Result<Vec<(ItemRow, online::Guide)>, AppError> {
    let items: Vec<ItemRow> =
        q(format!("SELECT {ITEM_COLS} FROM svc_items i JOIN svc_bundle_items b ON b.item_id = i.id WHERE b.bundle_id = $1 ORDER BY b.sort"))
            .bind(bundle_id)
            .fetch_all(db)
            .await?;
    let mut out = Vec::with_capacity(items.len());
    let guides: Vec<(i64, String, String, String, String, String)> =
        q("SELECT i.id, i.life_event, i.materials, i.fee, i.place, i.form FROM svc_items i JOIN svc_bundle_items b ON b.item_id = i.id WHERE b.bundle_id = $1")
            .bind(bundle_id)
            .fetch_all(db)
            .await?;
    let mut by_id: BTreeMap<i64, online::Guide> =
        guides.into_iter().map(|(id, life_event, materials, fee, place, form)| (id, online::Guide { life_event, materials, fee, place, form })).collect();
    for i in items {
        let g = by_id.remove(&i.id).unwrap_or_default();
        out.push((i, g));
    }
    Ok(out)
}

/// A field of the one form, with the member items that need it.
#[derive(Clone, Debug)]
pub struct SharedField {
    pub field: FormField,
    pub items: Vec<String>,
}

/// The one form: the bundle's shared fields, then each member's own, every name asked once
/// (required if any member requires it).
pub fn form(b: &BundleRow, members: &[(ItemRow, online::Guide)]) -> Vec<SharedField> {
    let mut out: Vec<SharedField> =
        serde_json::from_str::<Vec<FormField>>(&b.shared_form).unwrap_or_default().into_iter().map(|f| SharedField { field: f, items: vec![] }).collect();
    for (item, g) in members {
        for f in g.fields() {
            match out.iter_mut().find(|s| s.field.name == f.name) {
                Some(s) => {
                    s.field.required |= f.required;
                    s.items.push(item.name.clone());
                }
                None => out.push(SharedField { items: vec![item.name.clone()], field: f }),
            }
        }
    }
    out
}

/// Materials of all members, each named once.
pub fn materials(members: &[(ItemRow, online::Guide)]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (_, g) in members {
        for m in g.materials() {
            if !out.contains(&m) {
                out.push(m);
            }
        }
    }
    out
}

/// A bundle application as submitted.
#[derive(Clone, Debug, Default)]
pub struct BundleForm {
    pub applicant: Option<String>,
    pub values: BTreeMap<String, String>,
    pub commitment_signed: bool,
}

/// Apply for a bundle. Every member's required fields must be there (a missing one is named
/// with the member item that needs it); every member must be one that can be done online. All
/// member applications are written in one transaction; 告知承诺 members are then decided at once.
pub async fn apply(state: &AppState, citizen: &Citizen, bundle_id: i64, f: BundleForm, files: &[Upload]) -> Result<(i64, Vec<i64>), AppError> {
    let b = get(&state.db, bundle_id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let members = members(&state.db, bundle_id).await?;
    let mut errors = Vec::new();
    for (item, _) in &members {
        if let Some(reason) = online::not_online(item) {
            errors.push(FieldError::new("bundle", "item_not_online", format!("“{}”{reason}", item.name)));
        }
    }
    let applicant = f.applicant.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    match &applicant {
        None => errors.push(FieldError::new("applicant", "required", "请填写申请人姓名")),
        Some(a) if a.chars().count() > 100 => errors.push(FieldError::new("applicant", "too_long", "申请人不超过100字")),
        _ => {}
    }
    let value = |name: &str| f.values.get(name).map(|v| v.trim().to_string()).unwrap_or_default();
    for s in form(&b, &members) {
        let v = value(&s.field.name);
        if s.field.required && v.is_empty() {
            let whose = if s.items.is_empty() { String::new() } else { format!("（{}需要）", s.items.join("、")) };
            errors.push(FieldError::new(format!("f_{}", s.field.name), "required", format!("请填写{}{whose}", s.field.label)));
        } else if v.chars().count() > 500 {
            errors.push(FieldError::new(format!("f_{}", s.field.name), "too_long", format!("{}不超过500字", s.field.label)));
        }
    }
    let files: Vec<&Upload> = files.iter().filter(|u| !u.bytes.is_empty()).collect();
    let mats = materials(&members);
    if !mats.is_empty() && files.is_empty() {
        errors.push(FieldError::new("materials", "required", format!("请上传申请材料：{}", mats.join("；"))));
    }
    let commitment = members.iter().any(|(i, _)| i.reform_mode == "commitment");
    if commitment && !f.commitment_signed {
        errors.push(FieldError::new("commitment_signed", "required", "其中有实行告知承诺的事项，请阅读并签署告知承诺书"));
    }
    if !errors.is_empty() {
        let message =
            if errors.len() == 1 { errors[0].message.clone() } else { format!("{}（另有 {} 处需要修改）", errors[0].message, errors.len() - 1) };
        return Err(AppError::Refused { code: "bundle_invalid".into(), message, basis: vec![rules::ART_32.full()], fields: errors });
    }
    let max = 20 * 1024 * 1024;
    let mut stored = Vec::new();
    for u in files {
        let (sha, mime) = state.files.put(&u.bytes, &u.filename, max)?;
        stored.push((sha, mime, u.bytes.len(), u.filename.clone()));
    }
    let applicant = applicant.expect("checked");
    let phone = citizen.phone.as_str().to_string();
    let day = today();
    let cal = state.calendar();
    let due = cal.add_working_days(day, b.committed_days.max(1) as u32);
    let mut intakes = Vec::new();
    for (item, g) in &members {
        let org = crate::org::queries::get(&state.db, item.org_id).await?.ok_or_else(crate::kernel::access::not_found)?;
        let own: BTreeMap<String, String> = g.fields().into_iter().map(|ff| (ff.label.clone(), value(&ff.name))).collect();
        let online = OnlineExtra { form_values: serde_json::to_string(&own).unwrap_or_default(), files: stored.clone() };
        intakes.push(Intake {
            item: item.clone(),
            org,
            channel: "online".into(),
            applicant: applicant.clone(),
            phone: Some(phone.clone()),
            received: day,
            online: Some(online),
            bundle_app_id: None,
        });
    }
    let all_values: BTreeMap<String, String> = form(&b, &members).into_iter().map(|s| (s.field.label.clone(), value(&s.field.name))).collect();
    let actor = citizen.actor();
    let name = b.name.clone();
    let (app_id, cases) = state
        .db
        .write(move |tx| {
            async move {
                let app_id = q("INSERT INTO svc_bundle_apps (bundle_id, applicant, applicant_phone, received_on, due_on, form_values, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id")
                    .bind(bundle_id)
                    .bind(applicant)
                    .bind(phone)
                    .bind(fmt_date(day))
                    .bind(fmt_date(due))
                    .bind(serde_json::to_string(&all_values).unwrap_or_default())
                    .bind(now_ms())
                    .fetch_i64(&mut *tx)
                    .await?;
                let mut cases = Vec::new();
                for mut x in intakes {
                    x.bundle_app_id = Some(app_id);
                    let c = service::write_intake(tx, &cal, &actor, &x).await?;
                    cases.push((c.id, c.version, x.item.reform_mode.clone()));
                }
                let changes = Changes::new().created("一件事", name).created("办结承诺日期", fmt_date(due)).created("事项数", cases.len());
                audit::record(tx, &actor, NewEvent::new("svc_bundle_app", app_id, "create", "一件事申请").changes(changes)).await?;
                Ok((app_id, cases))
            }
            .boxed()
        })
        .await?;
    let mut ids = Vec::new();
    for (id, version, mode) in cases {
        if mode == "commitment" {
            let sf = StepForm { reason: None, fields: BTreeMap::from([("commitment_signed".to_string(), "yes".to_string())]), days: None };
            service::step(state, &Who::System, id, Some(version), "commit_online", sf).await?;
        }
        ids.push(id);
    }
    Ok((app_id, ids))
}

/// A bundle application as its applicant follows it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct BundleApp {
    pub id: i64,
    pub bundle_id: i64,
    pub applicant: String,
    pub received_on: String,
    pub due_on: String,
}

/// A member application's progress.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MemberState {
    pub case_id: i64,
    pub case_no: String,
    pub item: String,
    pub state: String,
    pub outcome: Option<String>,
    pub decided_on: Option<String>,
}

/// One bundle application of the verified phone, with its members; someone else's is not found.
pub async fn my_app(db: &Db, citizen: &Citizen, id: i64) -> Result<(BundleApp, Vec<MemberState>), AppError> {
    let app: BundleApp = q("SELECT id, bundle_id, applicant, received_on, due_on FROM svc_bundle_apps WHERE id = $1 AND applicant_phone = $2")
        .bind(id)
        .bind(citizen.phone.as_str().to_string())
        .fetch_optional(db)
        .await?
        .ok_or_else(crate::kernel::access::not_found)?;
    let members: Vec<MemberState> = q("SELECT c.id AS case_id, c.case_no, i.name AS item, c.state, a.outcome, a.decided_on FROM svc_applications a JOIN cases c ON c.id = a.case_id JOIN svc_items i ON i.id = a.item_id WHERE a.bundle_app_id = $1 ORDER BY c.id")
        .bind(id)
        .fetch_all(db)
        .await?;
    Ok((app, members))
}

/// The verified phone's bundle applications, newest first.
pub async fn mine(db: &Db, citizen: &Citizen) -> Result<Vec<(BundleApp, String)>, AppError> {
    let rows: Vec<(i64, i64, String, String, String, String)> = q("SELECT a.id, a.bundle_id, a.applicant, a.received_on, a.due_on, b.name FROM svc_bundle_apps a JOIN svc_bundles b ON b.id = a.bundle_id WHERE a.applicant_phone = $1 ORDER BY a.id DESC LIMIT 50")
        .bind(citizen.phone.as_str().to_string())
        .fetch_all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, bundle_id, applicant, received_on, due_on, name)| (BundleApp { id, bundle_id, applicant, received_on, due_on }, name))
        .collect())
}

/// Define a bundle (the demo, an administrator's import). Refused when it has fewer than two
/// items or promises more than its members' committed limits together (LEGAL-RULES §12.2).
pub async fn create(
    state: &AppState,
    code: &str,
    name: &str,
    life_event: &str,
    item_ids: &[i64],
    committed_days: u32,
    shared_form: &str,
) -> Result<i64, AppError> {
    if item_ids.len() < 2 {
        return Err(AppError::field("items", "too_few_items", "一件事至少包含两个事项"));
    }
    let items: Vec<ItemRow> = q(format!("SELECT {ITEM_COLS} FROM svc_items WHERE 1=1")).push(" AND").push_in("id", item_ids).fetch_all(&state.db).await?;
    if items.len() != item_ids.len() {
        return Err(AppError::field("items", "item_not_found", "一件事包含不存在的事项"));
    }
    let sum: i64 = items.iter().map(|i| i.committed_days).sum();
    if committed_days == 0 || committed_days as i64 > sum {
        return Err(AppError::field("committed_days", "bundle_over_members", format!("一件事的承诺时限须为1至{sum}个工作日（不超过各事项承诺时限之和）")));
    }
    serde_json::from_str::<Vec<FormField>>(shared_form).map_err(|_| AppError::field("shared_form", "bad_form", "共享字段定义不是有效的表单定义"))?;
    let (code, name, life_event, shared_form, ids) = (code.to_string(), name.to_string(), life_event.to_string(), shared_form.to_string(), item_ids.to_vec());
    state
        .db
        .write(move |tx| {
            async move {
                let id = q("INSERT INTO svc_bundles (code, name, life_event, committed_days, shared_form, created_at) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id")
                    .bind(code)
                    .bind(name.clone())
                    .bind(life_event)
                    .bind(committed_days as i64)
                    .bind(shared_form)
                    .bind(now_ms())
                    .fetch_i64(&mut *tx)
                    .await?;
                for (k, item) in ids.iter().enumerate() {
                    q("INSERT INTO svc_bundle_items (bundle_id, item_id, sort) VALUES ($1,$2,$3)")
                        .bind(id)
                        .bind(*item)
                        .bind(k as i64)
                        .execute(&mut *tx)
                        .await?;
                }
                audit::record(tx, &crate::audit::Actor::system(), NewEvent::new("svc_bundle", id, "create", format!("设立一件事：{name}"))).await?;
                Ok(id)
            }
            .boxed()
        })
        .await
}

/// Whether every member has its decision, and the day the last one came.
pub fn result(members: &[MemberState]) -> Option<String> {
    if members.is_empty() || members.iter().any(|m| m.decided_on.is_none()) {
        return None;
    }
    members.iter().filter_map(|m| m.decided_on.clone()).max()
}
