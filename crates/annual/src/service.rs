//! Every change to reports: a new report from a template, a paragraph edited (every version
//! kept, a stale version refused), a comment, 定稿 (the composed report and each value with its
//! definition's hash stored, never changed afterwards), the submission and the publication.
//! Each runs in one transaction with its event.

use futures::FutureExt;

use crate::compose::{self, Composed};
use crate::queries::{self, ReportRow};
use crate::roles;
use fazhi_platform::audit::{self, Changes, NewEvent};
use fazhi_platform::auth::Staff;
use fazhi_platform::auth::roles::{Perm, Scope};
use fazhi_platform::db::q;
use fazhi_platform::error::{AppError, Check};
use fazhi_platform::indicators::Meta;
use fazhi_platform::state::AppState;
use fazhi_platform::time::{fmt_date, now_ms, parse_date, today};

/// The longest paragraph and comment.
pub const BODY_MAX: usize = 5000;
pub const COMMENT_MAX: usize = 1000;

/// Where a person reads reports (and drafts them).
pub fn scope(staff: &Staff) -> Scope {
    staff.scope(roles::DRAFT, None)
}

/// The reader's scope for one indicator: the figures a report shows are those its reader may see.
pub fn indicator_scope(staff: &Staff) -> impl Fn(&Meta) -> Scope + Sync + '_ {
    move |m: &Meta| staff.scope(Perm::KPI_READ, m.procedure)
}

/// A report the person may read, or not found.
pub async fn readable(state: &AppState, staff: &Staff, id: i64) -> Result<ReportRow, AppError> {
    let scope = scope(staff);
    if scope == Scope::Nothing {
        return Err(AppError::forbidden("forbidden", "您没有查看年度报告的权限"));
    }
    queries::report(&state.db, id, &scope).await?.ok_or_else(|| AppError::not_found("report_not_found", "该年度报告不存在"))
}

/// Compose a report for its reader.
pub async fn composed(state: &AppState, staff: &Staff, r: &ReportRow) -> Result<Composed, AppError> {
    let sections = queries::sections(&state.db, r.id).await?;
    let org = queries::org_name(&state.db, r.org_id).await?;
    compose::compose(state, r, &org, &sections, &indicator_scope(staff)).await
}

/// The frozen report, as stored at 定稿.
pub fn frozen(r: &ReportRow) -> Option<Composed> {
    r.frozen_doc.as_deref().and_then(|d| serde_json::from_str(d).ok())
}

pub struct NewReport {
    pub template_id: Option<String>,
    pub year: Option<String>,
    pub org_id: Option<String>,
    pub title: Option<String>,
    pub doc_no: Option<String>,
}

/// A new report for a year and an organisation, its sections copied from the template (later
/// changes of the template do not move a report being drafted).
pub async fn create(state: &AppState, staff: &Staff, n: NewReport) -> Result<i64, AppError> {
    staff.require(roles::DRAFT)?;
    let mut c = Check::new();
    let template_id = c.int("template_id", "模板", n.template_id.as_deref());
    let year = c.int("year", "报告年度", n.year.as_deref());
    let org_id = c.int("org_id", "报告单位", n.org_id.as_deref());
    let doc_no = c.opt_text("doc_no", "文号", n.doc_no.as_deref(), 40).unwrap_or_default();
    let title = c.opt_text("title", "标题", n.title.as_deref(), 100);
    let this_year = i64::from(chrono::Datelike::year(&today()));
    if let Some(y) = year {
        if !(2015..=this_year).contains(&y) {
            c.add("year", "year_out_of_range", format!("报告年度应在 2015 至 {this_year} 年之间"));
        }
    }
    c.finish()?;
    let (template_id, year, org_id) = (template_id.unwrap_or(0), year.unwrap_or(0), org_id.unwrap_or(0));
    let template = queries::template(&state.db, template_id).await?.ok_or_else(|| AppError::field("template_id", "template_not_found", "所选模板不存在"))?;
    let org = fazhi_platform::org::queries::get(&state.db, org_id).await?.ok_or_else(|| AppError::field("org_id", "org_not_found", "所选单位不存在"))?;
    if !staff.allows(roles::DRAFT, None, &org.path) {
        // Another unit's report: as if the unit were not there.
        return Err(AppError::field("org_id", "org_not_found", "所选单位不存在或不在您的职责范围内"));
    }
    let title = title.unwrap_or_else(|| format!("{}{}年度法治政府建设情况报告", org.name, year));
    let actor = staff.actor();
    let user = staff.id;
    state
        .db
        .write(move |tx| {
            async move {
                let exists = q("SELECT COUNT(*) FROM annual_reports WHERE org_id = $1 AND year = $2").bind(org_id).bind(year).fetch_i64(&mut *tx).await?;
                if exists > 0 {
                    return Err(AppError::field("year", "report_exists", format!("{}{}年度的报告已经建立，请在列表中打开它", org.name, year)));
                }
                let now = now_ms();
                let id = q("INSERT INTO annual_reports (template_id, year, org_id, title, doc_no, state, version, created_by, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,'draft',1,$6,$7,$7) RETURNING id")
                    .bind(template_id)
                    .bind(year)
                    .bind(org_id)
                    .bind(title.clone())
                    .bind(doc_no)
                    .bind(user)
                    .bind(now)
                    .fetch_i64(&mut *tx)
                    .await?;
                for s in queries::template_sections(&mut *tx, template_id).await? {
                    let sid = q("INSERT INTO annual_report_sections (report_id, position, level, heading, contents, body, version) VALUES ($1,$2,$3,$4,$5,$6,1) RETURNING id")
                        .bind(id)
                        .bind(s.position)
                        .bind(s.level)
                        .bind(s.heading)
                        .bind(s.contents)
                        .bind(s.body.clone())
                        .fetch_i64(&mut *tx)
                        .await?;
                    q("INSERT INTO annual_section_versions (section_id, version, body, edited_by, edited_at) VALUES ($1,1,$2,$3,$4)")
                        .bind(sid)
                        .bind(s.body)
                        .bind(user)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                }
                audit::record(
                    tx,
                    &actor,
                    NewEvent::new("annual_report", id, "create", format!("建立年度报告：{title}（模板：{}）", template.name)).changes(Changes::new().created("year", year)),
                )
                .await?;
                Ok(id)
            }
            .boxed()
        })
        .await
}

fn draft_only(r: &ReportRow) -> Result<(), AppError> {
    if r.frozen() {
        return Err(AppError::conflict("report_frozen", "该报告已定稿，定稿后的内容不能再修改"));
    }
    Ok(())
}

/// Save a paragraph: a new version if the text changed. `base` is the version the editor
/// started from; an older one is refused (someone else saved in between).
pub async fn edit_section(state: &AppState, staff: &Staff, report_id: i64, section_id: i64, base: Option<i64>, body: Option<&str>) -> Result<i64, AppError> {
    staff.require(roles::DRAFT)?;
    let r = readable(state, staff, report_id).await?;
    draft_only(&r)?;
    let body = body.unwrap_or("").trim().to_string();
    if body.chars().count() > BODY_MAX {
        return Err(AppError::field("body", "too_long", format!("段落不能超过 {BODY_MAX} 个字（现有 {} 个字）", body.chars().count())));
    }
    compose::validate(state, "body", &body)?;
    let base = base.ok_or_else(|| AppError::field("version", "required", "缺少段落版本号，请刷新页面后再保存"))?;
    let actor = staff.actor();
    let user = staff.id;
    state
        .db
        .write(move |tx| {
            async move {
                let cur: Option<(i64, String, String)> = q("SELECT version, body, heading FROM annual_report_sections WHERE id = $1 AND report_id = $2")
                    .bind(section_id)
                    .bind(report_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let (version, old, heading) = cur.ok_or_else(|| AppError::not_found("section_not_found", "该段落不存在"))?;
                if version != base {
                    return Err(AppError::stale());
                }
                if old == body {
                    return Ok(version);
                }
                let state_now: String = q("SELECT state FROM annual_reports WHERE id = $1").bind(report_id).fetch_one::<(String,)>(&mut *tx).await?.0;
                if state_now == "frozen" {
                    return Err(AppError::conflict("report_frozen", "该报告已定稿，定稿后的内容不能再修改"));
                }
                let next = version + 1;
                let now = now_ms();
                q("UPDATE annual_report_sections SET body = $1, version = $2 WHERE id = $3")
                    .bind(body.clone())
                    .bind(next)
                    .bind(section_id)
                    .execute(&mut *tx)
                    .await?;
                q("INSERT INTO annual_section_versions (section_id, version, body, edited_by, edited_at) VALUES ($1,$2,$3,$4,$5)")
                    .bind(section_id)
                    .bind(next)
                    .bind(body.clone())
                    .bind(user)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                q("UPDATE annual_reports SET updated_at = $1, version = version + 1 WHERE id = $2").bind(now).bind(report_id).execute(&mut *tx).await?;
                let name = if heading.is_empty() { "段落".to_string() } else { heading };
                audit::record(
                    tx,
                    &actor,
                    NewEvent::new("annual_report", report_id, "edit_section", format!("修改“{name}”（第{next}版）"))
                        .changes(Changes::new().set("body", old, &body)),
                )
                .await?;
                Ok(next)
            }
            .boxed()
        })
        .await
}

pub async fn comment(state: &AppState, staff: &Staff, report_id: i64, section_id: i64, body: Option<&str>) -> Result<(), AppError> {
    staff.require(roles::DRAFT)?;
    readable(state, staff, report_id).await?;
    let mut c = Check::new();
    let body = c.text("comment", "意见", body, COMMENT_MAX);
    c.finish()?;
    let actor = staff.actor();
    let user = staff.id;
    state
        .db
        .write(move |tx| {
            async move {
                let n = q("SELECT COUNT(*) FROM annual_report_sections WHERE id = $1 AND report_id = $2")
                    .bind(section_id)
                    .bind(report_id)
                    .fetch_i64(&mut *tx)
                    .await?;
                if n == 0 {
                    return Err(AppError::not_found("section_not_found", "该段落不存在"));
                }
                q("INSERT INTO annual_comments (report_id, section_id, author_id, body, created_at) VALUES ($1,$2,$3,$4,$5)")
                    .bind(report_id)
                    .bind(section_id)
                    .bind(user)
                    .bind(body.clone())
                    .bind(now_ms())
                    .execute(&mut *tx)
                    .await?;
                audit::record(
                    tx,
                    &actor,
                    NewEvent::new("annual_report", report_id, "comment", format!("提出意见：{}", fazhi_platform::headline::headline(&body, 40))),
                )
                .await?;
                Ok(())
            }
            .boxed()
        })
        .await
}

/// 定稿: the report as composed now, with every value and the hash of its definition, stored
/// for good. Refused while a figure cannot be evaluated, and while a statutory content is
/// missing unless the person confirms it (`ack_missing`).
pub async fn freeze(state: &AppState, staff: &Staff, report_id: i64, version: Option<i64>, ack_missing: bool) -> Result<(), AppError> {
    staff.require(roles::DRAFT)?;
    let r = readable(state, staff, report_id).await?;
    draft_only(&r)?;
    if version != Some(r.version) {
        return Err(AppError::stale());
    }
    let doc = composed(state, staff, &r).await?;
    let f = compose::check(&doc);
    if !f.unevaluable.is_empty() {
        let list: Vec<String> = f.unevaluable.iter().map(|u| format!("{} {}：{}", u.0, u.1, u.2)).collect();
        return Err(AppError::field("freeze", "figures_unevaluable", format!("有数字无法计算，不能定稿：{}", list.join("；"))));
    }
    if !f.missing.is_empty() && !ack_missing {
        let list: Vec<&str> = f.missing.iter().map(|m| m.1).collect();
        return Err(AppError::field(
            "ack_missing",
            "statutory_contents_missing",
            format!("报告缺少规定内容：{}（{}）。确需定稿请勾选“已知悉缺少的内容”", list.join("、"), crate::model::BASIS),
        ));
    }
    let json = serde_json::to_string(&doc).map_err(|e| AppError::internal(format!("定稿序列化失败：{e}")))?;
    let actor = staff.actor();
    let user = staff.id;
    let missing: Vec<String> = f.missing.iter().map(|m| m.1.to_string()).collect();
    state
        .db
        .write(move |tx| {
            async move {
                let now = now_ms();
                let n = q("UPDATE annual_reports SET state = 'frozen', frozen_at = $1, frozen_by = $2, frozen_doc = $3, version = version + 1, updated_at = $1 WHERE id = $4 AND version = $5 AND state = 'draft'")
                    .bind(now)
                    .bind(user)
                    .bind(json)
                    .bind(report_id)
                    .bind(r.version)
                    .execute(&mut *tx)
                    .await?;
                if n == 0 {
                    return Err(AppError::stale());
                }
                for v in &doc.values {
                    q("INSERT INTO annual_frozen_values (report_id, placeholder, code, text, numerator, denominator, meta_hash, meta_json) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)")
                        .bind(report_id)
                        .bind(v.key.clone())
                        .bind(v.code.clone())
                        .bind(v.text.clone())
                        .bind(v.numerator)
                        .bind(v.denominator)
                        .bind(v.meta_hash.clone())
                        .bind(v.meta_json.clone())
                        .execute(&mut *tx)
                        .await?;
                }
                let mut summary = format!("定稿（{} 个数字连同指标定义一并固定）", doc.values.len());
                if !missing.is_empty() {
                    summary.push_str(&format!("；经确认缺少：{}", missing.join("、")));
                }
                audit::record(tx, &actor, NewEvent::new("annual_report", report_id, "freeze", summary)).await?;
                Ok(())
            }
            .boxed()
        })
        .await
}

/// Record the submission (date and to whom) or the publication (date and address).
pub async fn record(
    state: &AppState,
    staff: &Staff,
    report_id: i64,
    what: &str,
    date: Option<&str>,
    detail: Option<&str>,
    secrecy_checked: bool,
) -> Result<(), AppError> {
    staff.require(roles::DRAFT)?;
    let r = readable(state, staff, report_id).await?;
    if !r.frozen() {
        return Err(AppError::conflict("not_frozen", "报告定稿后才能报送或公开"));
    }
    let mut c = Check::new();
    let day = match date.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            c.add("date", "required", "请填写日期");
            None
        }
        Some(s) => match parse_date(s) {
            None => {
                c.add("date", "bad_date", "日期格式应为 YYYY-MM-DD");
                None
            }
            Some(d) if d > today() => {
                c.add("date", "date_in_future", "日期不能晚于今天");
                None
            }
            Some(d) if d < r.frozen_at.map(fazhi_platform::time::local_date).unwrap_or(d) => {
                c.add("date", "before_frozen", "日期不能早于定稿日期");
                None
            }
            Some(d) => Some(d),
        },
    };
    let (label, detail) = match what {
        "submit" => ("报送对象", c.text("detail", "报送对象", detail, 200)),
        "publish" => {
            let url = c.text("detail", "公开网址", detail, 500);
            if !(url.is_empty() || url.starts_with("http://") || url.starts_with("https://")) {
                c.add("detail", "bad_url", "公开网址应以 http:// 或 https:// 开头");
            }
            if !secrecy_checked {
                c.add("secrecy_checked", "secrecy_not_checked", "公开前须经保密审查，确认不含党和国家秘密（督察工作规定第二十四条）");
            }
            ("公开网址", url)
        }
        _ => return Err(AppError::not_found("not_found", "没有这项操作")),
    };
    c.finish()?;
    let day = fmt_date(day.unwrap_or_default());
    let actor = staff.actor();
    let what = what.to_string();
    state
        .db
        .write(move |tx| {
            async move {
                let sql = if what == "submit" {
                    "UPDATE annual_reports SET submitted_on = $1, submitted_to = $2, updated_at = $3 WHERE id = $4"
                } else {
                    "UPDATE annual_reports SET published_on = $1, published_url = $2, updated_at = $3 WHERE id = $4"
                };
                q(sql).bind(day.clone()).bind(detail.clone()).bind(now_ms()).bind(report_id).execute(&mut *tx).await?;
                let (action, name) = if what == "submit" { ("submit", "报送") } else { ("publish", "向社会公开") };
                audit::record(tx, &actor, NewEvent::new("annual_report", report_id, action, format!("{name}：{day}，{label}：{detail}"))).await?;
                Ok(())
            }
            .boxed()
        })
        .await
}
