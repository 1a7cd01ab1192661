//! 主动公开: publications and their life — drafted by a unit, reviewed for secrecy and
//! third-party rights before anything is published (条例 Art. 17), published within 20 working
//! days of being formed (Art. 26, kept as an indicator), withdrawn with a reason kept in the
//! history. Every change is an event; publishing and withdrawing update the search index in
//! the same transaction.

use futures::FutureExt;
use serde::{Deserialize, Serialize};

use super::meta;
use super::model::{self, PubAction, PubState};
use super::search::index::{self, Doc};
use crate::audit::{self, Actor, Changes, NewEvent};
use crate::auth::roles::Scope;
use crate::auth::{Perm, Staff};
use crate::db::{Ex, Tx, q};
use crate::error::{AppError, Check};
use crate::state::AppState;
use crate::time::{fmt_date, now_ms, parse_date, today};
use crate::web::form::Upload;
use crate::web::{Page, Paging};

pub const BASIS_17: crate::kernel::Basis = crate::kernel::Basis::checked(
    super::rules::LAW,
    "第十七条",
    "行政机关应当建立健全政府信息公开审查机制，依照保守国家秘密法以及其他法律、法规和国家有关规定对拟公开的政府信息进行审查",
);
pub const BASIS_26: crate::kernel::Basis =
    crate::kernel::Basis::checked(super::rules::LAW, "第二十六条", "属于主动公开范围的政府信息，应当自该政府信息形成或者变更之日起20个工作日内及时公开");

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct PubRow {
    pub id: i64,
    pub org_id: i64,
    pub category_id: i64,
    pub title: String,
    pub body: String,
    pub doc_no: Option<String>,
    pub doc_kind: String,
    pub formed_on: String,
    pub state: String,
    pub due_on: String,
    pub published_on: Option<String>,
    pub on_time: Option<bool>,
    pub secrecy_checked: bool,
    pub third_party_checked: bool,
    pub review_opinion: Option<String>,
    pub withdrawn_on: Option<String>,
    pub withdrawn_reason: Option<String>,
    pub abolished_on: Option<String>,
    pub created_at: i64,
    pub version: i64,
    /// 索引号, given when it is published.
    pub index_no: Option<String>,
    /// 主题分类 as chosen (documents from before subjects were recorded have none).
    pub theme: Option<String>,
}

impl PubRow {
    pub fn state(&self) -> PubState {
        PubState::parse(&self.state).unwrap_or(PubState::Draft)
    }
    pub fn state_label(&self) -> &'static str {
        self.state().label()
    }
    /// On time / late / still within the period, for the 20-working-day indicator.
    pub fn timeliness(&self) -> (&'static str, &'static str) {
        match self.on_time {
            Some(true) => ("按时公开", "green"),
            Some(false) => ("超期公开", "red"),
            None if self.due_on.as_str() < fmt_date(today()).as_str() => ("已超20个工作日未公开", "red"),
            None => ("20个工作日内待公开", "amber"),
        }
    }
}

pub const PUB_COLS: &str = "p.id, p.org_id, p.category_id, p.title, p.body, p.doc_no, p.doc_kind, p.formed_on, p.state, p.due_on, p.published_on, p.on_time, p.secrecy_checked, p.third_party_checked, p.review_opinion, p.withdrawn_on, p.withdrawn_reason, p.abolished_on, p.created_at, p.version, p.index_no, p.theme";

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Category {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub article: String,
    pub scope: String,
    pub sort: i64,
    /// The name as lists and pickers show it: the catalogue has items of the same name for
    /// the city's departments and for the towns (土地征收, 房屋征收, 社会救助, Art. 21), which
    /// carry their level there.
    #[sqlx(skip)]
    pub label: String,
}

/// The level a catalogue item is for, as a qualifier of its name.
fn scope_label(scope: &str) -> &'static str {
    match scope {
        "county" => "市级",
        "town" => "乡镇",
        "local" => "本地",
        _ => "通用",
    }
}

/// Fill in the labels: the name, with its level where another item has the same name.
pub fn label(cats: &mut [Category]) {
    let names: Vec<String> = cats.iter().map(|c| c.name.clone()).collect();
    for c in cats.iter_mut() {
        let same = names.iter().filter(|n| **n == c.name).count();
        c.label = if same > 1 { format!("{}（{}）", c.name, scope_label(&c.scope)) } else { c.name.clone() };
    }
}

pub async fn categories<'a>(ex: impl Into<Ex<'a>>) -> Result<Vec<Category>, AppError> {
    let mut cats: Vec<Category> =
        q("SELECT id, code, name, article, scope, sort FROM disclosure_categories WHERE active = TRUE ORDER BY sort, id").fetch_all(ex).await?;
    label(&mut cats);
    Ok(cats)
}

pub async fn get<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Option<PubRow>, AppError> {
    q(format!("SELECT {PUB_COLS} FROM disclosure_publications p WHERE p.id = $1")).bind(id).fetch_optional(ex).await
}

/// Filters of publication lists (staff and portal).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Filter {
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    pub org: Option<i64>,
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    pub category: Option<i64>,
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    pub year: Option<i64>,
    pub state: Option<String>,
    /// on_time / late (published in `year`), abolished (in `year`), normative_issued, in_force
    pub indicator: Option<String>,
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    pub page: Option<i64>,
    #[serde(default, deserialize_with = "crate::web::form::blank_none")]
    pub per: Option<i64>,
}

fn filtered(mut query: crate::db::Q, f: &Filter, scope: Option<&Scope>, org_path: Option<&str>) -> crate::db::Q {
    match scope {
        Some(s) => query = s.filter(query, "p.org_id"),
        None => query = query.push(" AND p.state = 'published'"),
    }
    if let Some(p) = org_path {
        query = query.push_bind(" AND p.org_id IN (SELECT id FROM orgs WHERE path LIKE {} ESCAPE '\\')", format!("{}%", crate::db::dialect::like_escape(p)));
    } else if let Some(o) = f.org {
        query = query.push_bind(" AND p.org_id = {}", o);
    }
    if let Some(c) = f.category {
        query = query.push_bind(" AND p.category_id = {}", c);
    }
    if let Some(s) = f.state.as_deref().filter(|s| PubState::parse(s).is_some()) {
        query = query.push_bind(" AND p.state = {}", s.to_string());
    }
    if let Some(y) = f.year {
        let (a, b) = (format!("{y:04}-01-01"), format!("{y:04}-12-31"));
        query = match f.indicator.as_deref() {
            Some("abolished") => query.push_bind(" AND p.abolished_on >= {}", a).push_bind(" AND p.abolished_on <= {}", b),
            Some("in_force") => query
                .push(" AND p.doc_kind IN ('normative', 'rule') AND p.state = 'published'")
                .push_bind(" AND p.published_on <= {}", b.clone())
                .push_bind(" AND (p.abolished_on IS NULL OR p.abolished_on > {})", b),
            Some("normative_issued") => {
                query.push(" AND p.doc_kind IN ('normative', 'rule')").push_bind(" AND p.published_on >= {}", a).push_bind(" AND p.published_on <= {}", b)
            }
            Some("on_time") => query.push(" AND p.on_time = TRUE").push_bind(" AND p.published_on >= {}", a).push_bind(" AND p.published_on <= {}", b),
            Some("late") => query.push(" AND p.on_time = FALSE").push_bind(" AND p.published_on >= {}", a).push_bind(" AND p.published_on <= {}", b),
            _ => query.push_bind(" AND p.published_on >= {}", a).push_bind(" AND p.published_on <= {}", b),
        };
    }
    query
}

/// A page of publications: staff see their scope in every state; the portal (`scope = None`)
/// sees what is published.
pub async fn list(db: &crate::db::Db, f: &Filter, scope: Option<&Scope>, org_path: Option<&str>) -> Result<Page<PubRow>, AppError> {
    let paging = Paging { page: f.page, per: f.per };
    let total = filtered(q("SELECT COUNT(*) FROM disclosure_publications p WHERE 1=1"), f, scope, org_path).fetch_i64(db).await?;
    let rows = filtered(q(format!("SELECT {PUB_COLS} FROM disclosure_publications p WHERE 1=1")), f, scope, org_path)
        .push(" ORDER BY COALESCE(p.published_on, p.formed_on) DESC, p.id DESC")
        .push_bind(" LIMIT {}", paging.per())
        .push_bind(" OFFSET {}", paging.offset())
        .fetch_all(db)
        .await?;
    Ok(Page::new(rows, &paging, total))
}

/// A publication as drafted.
#[derive(Clone, Debug, Default)]
pub struct Draft {
    pub org_id: Option<i64>,
    pub category_id: Option<i64>,
    pub title: Option<String>,
    pub body: Option<String>,
    pub doc_no: Option<String>,
    pub doc_kind: Option<String>,
    pub formed_on: Option<String>,
    /// 主题分类; none: the usual subject of the catalogue item.
    pub theme: Option<String>,
}

struct ValidDraft {
    org_id: i64,
    category_id: i64,
    title: String,
    body: String,
    doc_no: Option<String>,
    doc_kind: String,
    formed_on: chrono::NaiveDate,
    theme: String,
}

async fn check(state: &AppState, staff: &Staff, d: &Draft, files: &[Upload]) -> Result<ValidDraft, AppError> {
    let mut c = Check::new();
    let title = c.text("title", "标题", d.title.as_deref(), 200);
    let body = c.text("body", "正文", d.body.as_deref(), 50_000);
    let doc_no = c.opt_text("doc_no", "文号", d.doc_no.as_deref(), 60);
    let doc_kind = d.doc_kind.clone().filter(|k| !model::label(model::DOC_KINDS, k).is_empty()).unwrap_or_else(|| "other".into());
    if doc_no.is_none() && meta::kind_has_doc_no(&doc_kind) {
        c.add("doc_no", "doc_no_required", format!("{}须填写文号", model::label(model::DOC_KINDS, &doc_kind)));
    }
    let formed_on = match d.formed_on.as_deref().and_then(parse_date) {
        Some(x) if x > today() => {
            c.add("formed_on", "future_date", "形成日期不能晚于今天");
            today()
        }
        Some(x) => x,
        None => {
            c.add("formed_on", "required", "请填写信息形成或者变更的日期（第二十六条自该日起计算20个工作日）");
            today()
        }
    };
    let cats = categories(&state.db).await?;
    let category_id = match d.category_id {
        Some(id) if cats.iter().any(|x| x.id == id) => id,
        Some(_) => {
            c.add("category_id", "unknown_category", "公开目录类别不存在");
            0
        }
        None => {
            c.add("category_id", "required", "请选择公开目录类别");
            0
        }
    };
    let theme = match d.theme.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) if meta::THEMES.contains(&t) => t.to_string(),
        Some(_) => {
            c.add("theme", "unknown_theme", "主题分类不在政府信息公开主题分类之列");
            String::new()
        }
        None => meta::default_theme(cats.iter().find(|x| x.id == category_id).map(|x| x.code.as_str()).unwrap_or("")).to_string(),
    };
    let org = match d.org_id {
        Some(id) => crate::org::queries::get(&state.db, id).await?,
        None => None,
    };
    let org_id = match org {
        Some(o) if staff.allows(Perm::CASE_HANDLE, Some("disclosure"), &o.path) => o.id,
        Some(_) => {
            c.add("org_id", "org_out_of_scope", "只能以本单位名义发布");
            0
        }
        None => {
            c.add("org_id", "required", "请选择发布单位");
            0
        }
    };
    let max = (state.config.server.max_upload_mb as usize) * 1024 * 1024;
    for f in files {
        if f.bytes.len() > max {
            c.add("files", "file_too_large", format!("附件“{}”超过 {} MB 上限", f.filename, state.config.server.max_upload_mb));
        } else if crate::files::sniff(&f.bytes, &f.filename).is_none() {
            c.add("files", "file_type_not_allowed", format!("附件“{}”的类型不允许上传，仅支持 {}", f.filename, crate::files::ALLOWED_LABEL));
        }
    }
    c.finish()?;
    Ok(ValidDraft { org_id, category_id, title, body, doc_no, doc_kind, formed_on, theme })
}

async fn store_files(state: &AppState, files: &[Upload]) -> Result<Vec<(String, &'static str, usize, String)>, AppError> {
    let max = (state.config.server.max_upload_mb as usize) * 1024 * 1024;
    let mut v = Vec::new();
    for f in files {
        let (sha, mime) = state.files.put(&f.bytes, &f.filename, max)?;
        v.push((sha, mime, f.bytes.len(), f.filename.clone()));
    }
    Ok(v)
}

/// Create a draft (`id = None`) or change one.
pub async fn save(state: &AppState, staff: &Staff, id: Option<i64>, seen_version: Option<i64>, d: Draft, files: Vec<Upload>) -> Result<i64, AppError> {
    staff.require(Perm::CASE_HANDLE)?;
    let v = check(state, staff, &d, &files).await?;
    let stored = store_files(state, &files).await?;
    let due = model::publish_due(v.formed_on, &state.calendar());
    let actor = staff.actor();
    let uid = staff.id;
    let scope = staff.scope(Perm::CASE_HANDLE, Some("disclosure"));
    state
        .db
        .write(move |tx| {
            async move {
                let now = now_ms();
                let id = match id {
                    None => {
                        let id = q("INSERT INTO disclosure_publications (org_id, category_id, title, body, doc_no, doc_kind, formed_on, state, due_on, created_by, created_at, updated_at, theme) VALUES ($1,$2,$3,$4,$5,$6,$7,'draft',$8,$9,$10,$10,$11) RETURNING id")
                            .bind(v.org_id)
                            .bind(v.category_id)
                            .bind(v.title.as_str())
                            .bind(v.body.as_str())
                            .bind(v.doc_no.clone())
                            .bind(v.doc_kind.as_str())
                            .bind(fmt_date(v.formed_on))
                            .bind(fmt_date(due))
                            .bind(uid)
                            .bind(now)
                            .bind(v.theme.as_str())
                            .fetch_i64(&mut *tx)
                            .await?;
                        audit::record(tx, &actor, NewEvent::new("publication", id, "create", "起草主动公开信息").changes(Changes::new().created("标题", &v.title).created("形成日期", fmt_date(v.formed_on)).created("应公开期限", fmt_date(due)))).await?;
                        id
                    }
                    Some(id) => {
                        let p = load_for_change(tx, id, seen_version, &scope).await?;
                        p.state().next(PubAction::Edit).map_err(|m| AppError::conflict("wrong_state", m))?;
                        q("UPDATE disclosure_publications SET org_id = $1, category_id = $2, title = $3, body = $4, doc_no = $5, doc_kind = $6, formed_on = $7, due_on = $8, updated_at = $9, theme = $11, version = version + 1 WHERE id = $10")
                            .bind(v.org_id)
                            .bind(v.category_id)
                            .bind(v.title.as_str())
                            .bind(v.body.as_str())
                            .bind(v.doc_no.clone())
                            .bind(v.doc_kind.as_str())
                            .bind(fmt_date(v.formed_on))
                            .bind(fmt_date(due))
                            .bind(now)
                            .bind(id)
                            .bind(v.theme.as_str())
                            .execute(&mut *tx)
                            .await?;
                        audit::record(tx, &actor, NewEvent::new("publication", id, "edit", "修改主动公开信息").changes(Changes::new().set("标题", &p.title, &v.title).set("形成日期", &p.formed_on, fmt_date(v.formed_on)))).await?;
                        id
                    }
                };
                for (sha, mime, size, name) in &stored {
                    crate::files::attach(tx, "publication", id, "attachment", sha, mime, *size, name, "staff", Some(uid)).await?;
                }
                Ok(id)
            }
            .boxed()
        })
        .await
}

async fn load_for_change(tx: &mut Tx, id: i64, seen: Option<i64>, scope: &Scope) -> Result<PubRow, AppError> {
    let lock = crate::db::for_update(tx.backend());
    let p: Option<PubRow> = q(format!("SELECT {PUB_COLS} FROM disclosure_publications p WHERE p.id = $1{lock}")).bind(id).fetch_optional(&mut *tx).await?;
    let p = p.ok_or_else(not_found)?;
    let path: (String,) = q("SELECT path FROM orgs WHERE id = $1").bind(p.org_id).fetch_one(&mut *tx).await?;
    if !scope.includes(&path.0) {
        return Err(not_found());
    }
    if seen.is_some_and(|v| v != p.version) {
        return Err(AppError::stale());
    }
    Ok(p)
}

pub fn not_found() -> AppError {
    AppError::not_found("publication_not_found", "信息不存在，或不在您的查看范围内")
}

/// A step of the review and publication procedure.
#[derive(Clone, Debug, Default)]
pub struct StepInput {
    pub secrecy_checked: bool,
    pub third_party_checked: bool,
    pub opinion: Option<String>,
    pub reason: Option<String>,
    pub date: Option<String>,
}

/// Submit, approve (publish), refuse, withdraw or register abolition. `on` is the day it
/// happens (today; demo data passes past days).
pub async fn step(state: &AppState, staff: &Staff, id: i64, seen_version: Option<i64>, action: PubAction, input: StepInput) -> Result<PubRow, AppError> {
    let perm = match action {
        PubAction::Approve | PubAction::Refuse | PubAction::Withdraw => Perm::PUBLISH,
        _ => Perm::CASE_HANDLE,
    };
    let scope = staff.scope(perm, Some("disclosure"));
    if scope == Scope::Nothing {
        return Err(AppError::forbidden("forbidden", format!("您没有“{}”的权限", perm.label())));
    }
    let read = staff.scope(Perm::CASE_READ, Some("disclosure"));
    let actor = staff.actor();
    let uid = staff.id;
    let cal = state.calendar();
    let on = today();
    state
        .db
        .write(move |tx| {
            async move {
                let p = load_for_change(tx, id, seen_version, &read).await?;
                let path: (String,) = q("SELECT path FROM orgs WHERE id = $1").bind(p.org_id).fetch_one(&mut *tx).await?;
                if !scope.includes(&path.0) {
                    return Err(AppError::forbidden("forbidden", format!("您无权对本单位以外的信息“{}”", model::action_label(action))));
                }
                apply(tx, &actor, uid, &p, action, &input, on, &cal).await
            }
            .boxed()
        })
        .await
}

/// Apply a step inside a transaction (also used by the demo data with past days).
#[allow(clippy::too_many_arguments)]
pub async fn apply(
    tx: &mut Tx,
    actor: &Actor,
    uid: i64,
    p: &PubRow,
    action: PubAction,
    input: &StepInput,
    on: chrono::NaiveDate,
    cal: &crate::calendar::Calendar,
) -> Result<PubRow, AppError> {
    let next = p.state().next(action).map_err(|m| AppError::conflict("wrong_state", m))?;
    let now = now_ms();
    let d = fmt_date(on);
    let mut changes = Changes::new().set("状态", p.state_label(), next.label());
    let mut reason = input.reason.clone().filter(|r| !r.trim().is_empty());
    match action {
        PubAction::Approve => {
            let mut fields = Vec::new();
            if !input.secrecy_checked {
                fields.push(crate::error::FieldError::new("secrecy_checked", "secrecy_review_required", "公开前须完成保密审查（不涉及国家秘密）"));
            }
            if !input.third_party_checked {
                fields.push(crate::error::FieldError::new(
                    "third_party_checked",
                    "third_party_review_required",
                    "公开前须审查是否涉及商业秘密、个人隐私等第三方合法权益",
                ));
            }
            if !fields.is_empty() {
                return Err(AppError::Refused { code: "review_incomplete".into(), message: fields[0].message.clone(), basis: vec![BASIS_17.full()], fields });
            }
            let due = parse_date(&p.due_on).unwrap_or_else(|| model::publish_due(parse_date(&p.formed_on).unwrap_or(on), cal));
            let on_time = on <= due;
            let index_no = match &p.index_no {
                Some(n) => n.clone(),
                None => next_index_no(tx, p.org_id, on).await?,
            };
            changes = changes.set("索引号", serde_json::Value::Null, &index_no);
            q("UPDATE disclosure_publications SET state = 'published', published_on = $1, published_at = $2, on_time = $3, secrecy_checked = TRUE, third_party_checked = TRUE, review_opinion = $4, reviewed_by = $5, reviewed_at = $2, updated_at = $2, index_no = $7, version = version + 1 WHERE id = $6")
                .bind(d.clone())
                .bind(now)
                .bind(on_time)
                .bind(input.opinion.clone())
                .bind(uid)
                .bind(p.id)
                .bind(index_no)
                .execute(&mut *tx)
                .await?;
            changes = changes.set("公开日期", serde_json::Value::Null, &d).set("按时公开", serde_json::Value::Null, on_time);
            index::put(
                tx,
                &Doc {
                    kind: "publication",
                    ref_id: p.id,
                    org_id: Some(p.org_id),
                    category_id: Some(p.category_id),
                    published_on: d.clone(),
                    title: p.title.clone(),
                    body: p.body.clone(),
                },
            )
            .await?;
            if reason.is_none() {
                reason = Some(format!("公开审查通过；{}", BASIS_26.cite()));
            }
        }
        PubAction::Refuse | PubAction::Withdraw => {
            if reason.is_none() {
                return Err(AppError::field(
                    "reason",
                    "reason_required",
                    if action == PubAction::Withdraw { "撤回已公开的信息必须说明理由" } else { "退回修改须说明审查意见" },
                ));
            }
            if action == PubAction::Withdraw {
                q("UPDATE disclosure_publications SET state = 'withdrawn', withdrawn_on = $1, withdrawn_reason = $2, updated_at = $3, version = version + 1 WHERE id = $4")
                    .bind(d.clone())
                    .bind(reason.clone())
                    .bind(now)
                    .bind(p.id)
                    .execute(&mut *tx)
                    .await?;
                index::remove(tx, "publication", p.id).await?;
            } else {
                q("UPDATE disclosure_publications SET state = 'draft', review_opinion = $1, updated_at = $2, version = version + 1 WHERE id = $3")
                    .bind(reason.clone())
                    .bind(now)
                    .bind(p.id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        PubAction::Submit => {
            q("UPDATE disclosure_publications SET state = 'review', updated_at = $1, version = version + 1 WHERE id = $2")
                .bind(now)
                .bind(p.id)
                .execute(&mut *tx)
                .await?;
        }
        PubAction::Abolish => {
            if !matches!(p.doc_kind.as_str(), "normative" | "rule") {
                return Err(AppError::conflict("not_normative", "只有规章和行政规范性文件可以登记废止"));
            }
            let date = input.date.as_deref().and_then(parse_date).ok_or_else(|| AppError::field("date", "required", "请填写废止日期"))?;
            q("UPDATE disclosure_publications SET abolished_on = $1, updated_at = $2, version = version + 1 WHERE id = $3")
                .bind(fmt_date(date))
                .bind(now)
                .bind(p.id)
                .execute(&mut *tx)
                .await?;
            changes = changes.set("废止日期", p.abolished_on.clone(), fmt_date(date));
        }
        PubAction::Edit => {}
    }
    let (code, label) = match action {
        PubAction::Submit => ("submit", "提交公开审查"),
        PubAction::Approve => ("publish", "公开审查通过并公开"),
        PubAction::Refuse => ("refuse", "公开审查退回"),
        PubAction::Withdraw => ("withdraw", "撤回已公开信息"),
        PubAction::Abolish => ("abolish", "登记废止"),
        PubAction::Edit => ("edit", "修改"),
    };
    audit::record_at(tx, actor, NewEvent::new("publication", p.id, code, label).changes(changes).reason(reason), now).await?;
    get(&mut *tx, p.id).await?.ok_or_else(not_found)
}

/// The next 索引号 of a unit in the year of `on` (inside the publishing transaction: the
/// counter's row lock, or SQLite's single writer, keeps numbers unique).
pub async fn next_index_no(tx: &mut Tx, org_id: i64, on: chrono::NaiveDate) -> Result<String, AppError> {
    use chrono::Datelike;
    let (code,): (String,) = q("SELECT code FROM orgs WHERE id = $1").bind(org_id).fetch_one(&mut *tx).await?;
    let seq = q("INSERT INTO case_sequences (key, last) VALUES ($1, 1) ON CONFLICT (key) DO UPDATE SET last = case_sequences.last + 1 RETURNING last")
        .bind(meta::index_sequence_key(&code, on.year()))
        .fetch_i64(&mut *tx)
        .await?;
    Ok(meta::index_no(&code, on.year(), seq))
}

/// May the staff member read this publication?
pub async fn readable(state: &AppState, staff: &Staff, id: i64) -> Result<PubRow, AppError> {
    let p = get(&state.db, id).await?.ok_or_else(not_found)?;
    let path = crate::kernel::access::org_path(state, p.org_id).await?;
    if staff.allows(Perm::CASE_READ, Some("disclosure"), &path) { Ok(p) } else { Err(not_found()) }
}

/// Per unit and year: published on time, late, and not yet published past the due date.
#[derive(Clone, Debug, Default, Serialize, sqlx::FromRow)]
pub struct Timeliness {
    pub on_time: i64,
    pub late: i64,
    pub overdue_unpublished: i64,
}

pub async fn timeliness(db: &crate::db::Db, org_path: Option<&str>, year: i64) -> Result<Timeliness, AppError> {
    let (a, b) = (format!("{year:04}-01-01"), format!("{year:04}-12-31"));
    let mut query = q("SELECT CAST(COALESCE(SUM(CASE WHEN p.on_time = TRUE THEN 1 ELSE 0 END), 0) AS BIGINT) AS on_time, CAST(COALESCE(SUM(CASE WHEN p.on_time = FALSE THEN 1 ELSE 0 END), 0) AS BIGINT) AS late, CAST(COALESCE(SUM(CASE WHEN p.on_time IS NULL AND p.state <> 'withdrawn' AND p.due_on < ")
        .push_bind("{} THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue_unpublished FROM disclosure_publications p WHERE ", fmt_date(today()))
        .push_bind("((p.published_on >= {}", a.clone())
        .push_bind(" AND p.published_on <= {})", b.clone())
        .push_bind(" OR (p.published_on IS NULL AND p.formed_on >= {}", a)
        .push_bind(" AND p.formed_on <= {}))", b);
    if let Some(p) = org_path {
        query = query.push_bind(" AND p.org_id IN (SELECT id FROM orgs WHERE path LIKE {} ESCAPE '\\')", format!("{}%", crate::db::dialect::like_escape(p)));
    }
    query.fetch_one(db).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(id: i64, name: &str, scope: &str) -> Category {
        Category { id, code: format!("C{id}"), name: name.into(), article: String::new(), scope: scope.into(), sort: id, label: String::new() }
    }

    #[test]
    fn same_names_carry_their_level() {
        let mut cats = vec![cat(1, "财政预算、决算信息", "all"), cat(2, "土地征收", "county"), cat(3, "土地征收", "town"), cat(4, "筹资筹劳", "town")];
        label(&mut cats);
        let labels: Vec<&str> = cats.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["财政预算、决算信息", "土地征收（市级）", "土地征收（乡镇）", "筹资筹劳"]);
    }
}
