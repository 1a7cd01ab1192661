//! Reads of templates and reports. Lists apply the reader's scope in SQL; a report outside it
//! is not found.

use fazhi_platform::auth::roles::Scope;
use fazhi_platform::db::{Db, Ex, q};
use fazhi_platform::error::AppError;
use serde::Serialize;

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct TemplateRow {
    pub id: i64,
    pub code: Option<String>,
    pub name: String,
    pub description: String,
    pub version: i64,
    pub updated_at: i64,
}

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct TemplateSectionRow {
    pub id: i64,
    pub template_id: i64,
    pub position: i64,
    pub level: i64,
    pub heading: String,
    pub body: String,
    pub contents: String,
}

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct ReportRow {
    pub id: i64,
    pub template_id: i64,
    pub year: i64,
    pub org_id: i64,
    pub title: String,
    pub doc_no: String,
    pub state: String,
    pub version: i64,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub frozen_at: Option<i64>,
    pub frozen_by: Option<i64>,
    pub frozen_doc: Option<String>,
    pub submitted_on: Option<String>,
    pub submitted_to: Option<String>,
    pub published_on: Option<String>,
    pub published_url: Option<String>,
}

impl ReportRow {
    pub fn frozen(&self) -> bool {
        self.state == "frozen"
    }
    pub fn state_label(&self) -> &'static str {
        match (self.state.as_str(), &self.published_on, &self.submitted_on) {
            (_, Some(_), _) => "已公开",
            (_, None, Some(_)) => "已报送",
            ("frozen", _, _) => "已定稿",
            _ => "起草中",
        }
    }
}

/// A section of a report (level, heading and the current text).
#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct SectionRow {
    pub id: i64,
    pub position: i64,
    pub level: i64,
    pub heading: String,
    pub contents: String,
    pub body: String,
    pub version: i64,
}

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct VersionRow {
    pub version: i64,
    pub body: String,
    pub editor: Option<String>,
    pub edited_at: i64,
}

impl VersionRow {
    pub fn at(&self) -> String {
        fazhi_platform::time::fmt_datetime(self.edited_at)
    }
}

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct CommentRow {
    pub id: i64,
    pub section_id: i64,
    pub author: Option<String>,
    pub body: String,
    pub created_at: i64,
}

impl CommentRow {
    pub fn at(&self) -> String {
        fazhi_platform::time::fmt_datetime(self.created_at)
    }
}

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct FrozenValueRow {
    pub placeholder: String,
    pub code: String,
    pub text: String,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    pub meta_hash: String,
}

const REPORT_COLS: &str = "r.id, r.template_id, r.year, r.org_id, r.title, r.doc_no, r.state, r.version, r.created_by, r.created_at, r.updated_at, r.frozen_at, r.frozen_by, r.frozen_doc, r.submitted_on, r.submitted_to, r.published_on, r.published_url";

pub async fn templates(db: &Db) -> Result<Vec<TemplateRow>, AppError> {
    q("SELECT id, code, name, description, version, updated_at FROM annual_templates ORDER BY id").fetch_all(db).await
}

pub async fn template<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Option<TemplateRow>, AppError> {
    q("SELECT id, code, name, description, version, updated_at FROM annual_templates WHERE id = $1").bind(id).fetch_optional(ex).await
}

pub async fn template_sections<'a>(ex: impl Into<Ex<'a>>, template_id: i64) -> Result<Vec<TemplateSectionRow>, AppError> {
    q("SELECT id, template_id, position, level, heading, body, contents FROM annual_template_sections WHERE template_id = $1 ORDER BY position")
        .bind(template_id)
        .fetch_all(ex)
        .await
}

/// A report, if the reader's scope includes its organisation.
pub async fn report<'a>(ex: impl Into<Ex<'a>>, id: i64, scope: &Scope) -> Result<Option<ReportRow>, AppError> {
    let query = q(format!("SELECT {REPORT_COLS} FROM annual_reports r WHERE r.id = $1")).bind(id);
    scope.filter(query, "r.org_id").fetch_optional(ex).await
}

/// The reports in the reader's scope, newest year first.
pub async fn reports(db: &Db, scope: &Scope, year: Option<i64>) -> Result<Vec<ReportRow>, AppError> {
    let mut query = q(format!("SELECT {REPORT_COLS} FROM annual_reports r WHERE 1=1"));
    if let Some(y) = year {
        query = query.push_bind(" AND r.year = {}", y);
    }
    scope.filter(query, "r.org_id").push(" ORDER BY r.year DESC, r.org_id").fetch_all(db).await
}

/// Published reports (the portal): public, newest first.
pub async fn published(db: &Db) -> Result<Vec<ReportRow>, AppError> {
    q(format!(
        "SELECT {REPORT_COLS} FROM annual_reports r WHERE r.published_on IS NOT NULL AND r.state = 'frozen' ORDER BY r.year DESC, r.published_on DESC, r.id"
    ))
    .fetch_all(db)
    .await
}

pub async fn sections<'a>(ex: impl Into<Ex<'a>>, report_id: i64) -> Result<Vec<SectionRow>, AppError> {
    q("SELECT id, position, level, heading, contents, body, version FROM annual_report_sections WHERE report_id = $1 ORDER BY position")
        .bind(report_id)
        .fetch_all(ex)
        .await
}

pub async fn versions(db: &Db, section_id: i64) -> Result<Vec<VersionRow>, AppError> {
    q("SELECT v.version, v.body, u.display_name AS editor, v.edited_at FROM annual_section_versions v LEFT JOIN users u ON u.id = v.edited_by WHERE v.section_id = $1 ORDER BY v.version DESC")
        .bind(section_id)
        .fetch_all(db)
        .await
}

pub async fn comments(db: &Db, report_id: i64) -> Result<Vec<CommentRow>, AppError> {
    q("SELECT c.id, c.section_id, u.display_name AS author, c.body, c.created_at FROM annual_comments c LEFT JOIN users u ON u.id = c.author_id WHERE c.report_id = $1 ORDER BY c.id")
        .bind(report_id)
        .fetch_all(db)
        .await
}

pub async fn frozen_values(db: &Db, report_id: i64) -> Result<Vec<FrozenValueRow>, AppError> {
    q("SELECT placeholder, code, text, numerator, denominator, meta_hash FROM annual_frozen_values WHERE report_id = $1 ORDER BY placeholder")
        .bind(report_id)
        .fetch_all(db)
        .await
}

/// Names of organisations by id.
pub async fn org_name(db: &Db, id: i64) -> Result<String, AppError> {
    Ok(fazhi_platform::org::queries::get(db, id).await?.map(|o| o.name).unwrap_or_default())
}
