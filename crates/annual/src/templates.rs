//! Templates are data: administrators add, edit, move and delete sections in the UI. Every
//! change checks the template's version (a stale page is refused), validates the placeholders
//! (an unknown indicator is refused with its field), bumps the version and records an event.
//! Reports already drafted keep the sections they were made with.

use futures::FutureExt;

use crate::compose;
use crate::model;
use crate::queries;
use crate::roles;
use fazhi_platform::audit::{self, Actor, Changes, NewEvent};
use fazhi_platform::auth::Staff;
use fazhi_platform::db::{Tx, q};
use fazhi_platform::error::{AppError, Check};
use fazhi_platform::state::AppState;
use fazhi_platform::time::now_ms;

pub const HEADING_MAX: usize = 100;

/// A section as an administrator submits it.
pub struct SectionInput<'a> {
    pub level: Option<&'a str>,
    pub heading: Option<&'a str>,
    pub body: Option<&'a str>,
    pub contents: Vec<&'a str>,
}

struct Section {
    level: i64,
    heading: String,
    body: String,
    contents: String,
}

fn check_section(state: &AppState, s: &SectionInput) -> Result<Section, AppError> {
    let mut c = Check::new();
    let level = c.int("level", "层级", s.level);
    if let Some(l) = level {
        if !model::LEVELS.iter().any(|x| x.0 == l) {
            c.add("level", "bad_level", "层级只能是段落、部分或分项");
        }
    }
    let heading = c.opt_text("heading", "标题", s.heading, HEADING_MAX).unwrap_or_default();
    if level.is_some_and(|l| l > 0) && heading.is_empty() {
        c.add("heading", "required", "部分和分项须填写标题");
    }
    let body = c.opt_text("body", "正文", s.body, crate::service::BODY_MAX).unwrap_or_default();
    if level == Some(0) && body.is_empty() {
        c.add("body", "required", "无标题的段落须填写正文");
    }
    let mut contents = Vec::new();
    for code in &s.contents {
        if model::CONTENTS.iter().any(|x| x.0 == *code) {
            contents.push(*code);
        } else {
            c.add("contents", "unknown_content", format!("“{code}”不是规定的报告内容"));
        }
    }
    c.finish()?;
    compose::validate(state, "heading", &heading)?;
    compose::validate(state, "body", &body)?;
    Ok(Section { level: level.unwrap_or(0), heading, body, contents: contents.join(",") })
}

/// Lock the template at the version the page showed, and move it on.
async fn bump(tx: &mut Tx, template_id: i64, version: Option<i64>) -> Result<String, AppError> {
    let row: Option<(i64, String)> = q("SELECT version, name FROM annual_templates WHERE id = $1").bind(template_id).fetch_optional(&mut *tx).await?;
    let (v, name) = row.ok_or_else(|| AppError::not_found("template_not_found", "该模板不存在"))?;
    if version != Some(v) {
        return Err(AppError::stale());
    }
    let n = q("UPDATE annual_templates SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3")
        .bind(now_ms())
        .bind(template_id)
        .bind(v)
        .execute(&mut *tx)
        .await?;
    if n == 0 {
        return Err(AppError::stale());
    }
    Ok(name)
}

async fn event(tx: &mut Tx, actor: &Actor, template_id: i64, action: &str, summary: String, changes: Changes) -> Result<(), AppError> {
    audit::record(tx, actor, NewEvent::new("annual_template", template_id, action, summary).changes(changes)).await.map(|_| ())
}

/// A new template, empty or a copy of another.
pub async fn create(state: &AppState, staff: &Staff, name: Option<&str>, description: Option<&str>, copy_from: Option<i64>) -> Result<i64, AppError> {
    staff.require(roles::TEMPLATE)?;
    let mut c = Check::new();
    let name = c.text("name", "模板名称", name, 60);
    let description = c.opt_text("description", "说明", description, 500).unwrap_or_default();
    c.finish()?;
    if let Some(f) = copy_from {
        queries::template(&state.db, f).await?.ok_or_else(|| AppError::field("copy_from", "template_not_found", "要复制的模板不存在"))?;
    }
    let actor = staff.actor();
    state
        .db
        .write(move |tx| {
            async move {
                let dup = q("SELECT COUNT(*) FROM annual_templates WHERE name = $1").bind(name.clone()).fetch_i64(&mut *tx).await?;
                if dup > 0 {
                    return Err(AppError::field("name", "duplicate_name", "已有同名模板"));
                }
                let now = now_ms();
                let id = q("INSERT INTO annual_templates (name, description, version, created_at, updated_at) VALUES ($1,$2,1,$3,$3) RETURNING id")
                    .bind(name.clone())
                    .bind(description)
                    .bind(now)
                    .fetch_i64(&mut *tx)
                    .await?;
                if let Some(f) = copy_from {
                    q("INSERT INTO annual_template_sections (template_id, position, level, heading, body, contents) SELECT $1, position, level, heading, body, contents FROM annual_template_sections WHERE template_id = $2")
                        .bind(id)
                        .bind(f)
                        .execute(&mut *tx)
                        .await?;
                }
                event(tx, &actor, id, "create", format!("新建年度报告模板：{name}"), Changes::new()).await?;
                Ok(id)
            }
            .boxed()
        })
        .await
}

/// Add a section at the end.
pub async fn add_section(state: &AppState, staff: &Staff, template_id: i64, version: Option<i64>, s: SectionInput<'_>) -> Result<(), AppError> {
    staff.require(roles::TEMPLATE)?;
    let s = check_section(state, &s)?;
    let actor = staff.actor();
    state
        .db
        .write(move |tx| {
            async move {
                let name = bump(tx, template_id, version).await?;
                let pos =
                    q("SELECT COALESCE(MAX(position), 0) FROM annual_template_sections WHERE template_id = $1").bind(template_id).fetch_i64(&mut *tx).await?
                        + 1;
                q("INSERT INTO annual_template_sections (template_id, position, level, heading, body, contents) VALUES ($1,$2,$3,$4,$5,$6)")
                    .bind(template_id)
                    .bind(pos)
                    .bind(s.level)
                    .bind(s.heading.clone())
                    .bind(s.body.clone())
                    .bind(s.contents)
                    .execute(&mut *tx)
                    .await?;
                event(
                    tx,
                    &actor,
                    template_id,
                    "add_section",
                    format!("模板“{name}”新增章节：{}", label(&s.heading, &s.body)),
                    Changes::new().created("body", &s.body),
                )
                .await
            }
            .boxed()
        })
        .await
}

fn label(heading: &str, body: &str) -> String {
    if heading.is_empty() { fazhi_platform::headline::headline(body, 20) } else { heading.to_string() }
}

async fn section_of(tx: &mut Tx, template_id: i64, section_id: i64) -> Result<queries::TemplateSectionRow, AppError> {
    q("SELECT id, template_id, position, level, heading, body, contents FROM annual_template_sections WHERE id = $1 AND template_id = $2")
        .bind(section_id)
        .bind(template_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| AppError::not_found("section_not_found", "该章节不存在"))
}

pub async fn edit_section(
    state: &AppState,
    staff: &Staff,
    template_id: i64,
    section_id: i64,
    version: Option<i64>,
    s: SectionInput<'_>,
) -> Result<(), AppError> {
    staff.require(roles::TEMPLATE)?;
    let s = check_section(state, &s)?;
    let actor = staff.actor();
    state
        .db
        .write(move |tx| {
            async move {
                let old = section_of(tx, template_id, section_id).await?;
                let name = bump(tx, template_id, version).await?;
                q("UPDATE annual_template_sections SET level = $1, heading = $2, body = $3, contents = $4 WHERE id = $5")
                    .bind(s.level)
                    .bind(s.heading.clone())
                    .bind(s.body.clone())
                    .bind(s.contents.clone())
                    .bind(section_id)
                    .execute(&mut *tx)
                    .await?;
                let changes = Changes::new().set("level", old.level, s.level).set("heading", &old.heading, &s.heading).set("body", &old.body, &s.body).set(
                    "contents",
                    &old.contents,
                    &s.contents,
                );
                event(tx, &actor, template_id, "edit_section", format!("模板“{name}”修改章节：{}", label(&s.heading, &s.body)), changes).await
            }
            .boxed()
        })
        .await
}

/// Move a section one place up or down (swap with its neighbour).
pub async fn move_section(state: &AppState, staff: &Staff, template_id: i64, section_id: i64, version: Option<i64>, up: bool) -> Result<(), AppError> {
    staff.require(roles::TEMPLATE)?;
    let actor = staff.actor();
    state
        .db
        .write(move |tx| {
            async move {
                let s = section_of(tx, template_id, section_id).await?;
                let name = bump(tx, template_id, version).await?;
                let sql = if up {
                    "SELECT id, position FROM annual_template_sections WHERE template_id = $1 AND position < $2 ORDER BY position DESC LIMIT 1"
                } else {
                    "SELECT id, position FROM annual_template_sections WHERE template_id = $1 AND position > $2 ORDER BY position LIMIT 1"
                };
                let Some((other, pos)) = q(sql).bind(template_id).bind(s.position).fetch_optional::<(i64, i64)>(&mut *tx).await? else {
                    return Err(AppError::conflict("cannot_move", if up { "已经是第一个章节" } else { "已经是最后一个章节" }));
                };
                // Through a free position: (template_id, position) is unique at every statement.
                q("UPDATE annual_template_sections SET position = -1 WHERE id = $1").bind(section_id).execute(&mut *tx).await?;
                q("UPDATE annual_template_sections SET position = $1 WHERE id = $2").bind(s.position).bind(other).execute(&mut *tx).await?;
                q("UPDATE annual_template_sections SET position = $1 WHERE id = $2").bind(pos).bind(section_id).execute(&mut *tx).await?;
                let dir = if up { "上移" } else { "下移" };
                event(
                    tx,
                    &actor,
                    template_id,
                    "move_section",
                    format!("模板“{name}”{dir}章节：{}", label(&s.heading, &s.body)),
                    Changes::new().set("position", s.position, pos),
                )
                .await
            }
            .boxed()
        })
        .await
}

pub async fn delete_section(state: &AppState, staff: &Staff, template_id: i64, section_id: i64, version: Option<i64>) -> Result<(), AppError> {
    staff.require(roles::TEMPLATE)?;
    let actor = staff.actor();
    state
        .db
        .write(move |tx| {
            async move {
                let s = section_of(tx, template_id, section_id).await?;
                let name = bump(tx, template_id, version).await?;
                q("DELETE FROM annual_template_sections WHERE id = $1").bind(section_id).execute(&mut *tx).await?;
                event(
                    tx,
                    &actor,
                    template_id,
                    "delete_section",
                    format!("模板“{name}”删除章节：{}", label(&s.heading, &s.body)),
                    Changes::new().set("body", &s.body, ""),
                )
                .await
            }
            .boxed()
        })
        .await
}
