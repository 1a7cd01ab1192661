//! Documents issued on cases: notices, decisions, opinions, agreements. Each feature ships its
//! templates ([`TemplateDef`], `Feature::documents`); administrators edit them without a release
//! (系统管理 › 文书模板), and an edited template is checked against sample values before it is
//! saved. A document is rendered in a sandbox (minijinja: no file or network access, no code),
//! numbered in the form the unit uses (文号 / 案号, gap-free per unit and year), signed with the
//! organ's full name and the date, fixed as issued, registered on the case (an event), and read
//! as HTML (printable, with room for the seal) or downloaded as DOCX.

pub mod pages;

use std::collections::BTreeMap;

use futures::FutureExt;
use serde::Serialize;

use crate::audit::{self, Actor, Changes, NewEvent};
use crate::db::{Db, Ex, Tx, q};
use crate::error::AppError;
use crate::kernel::CaseRow;
use crate::reports::docx::{Align, Docx};
use crate::time::now_ms;

/// A template as a feature ships it.
#[derive(Debug)]
pub struct TemplateDef {
    /// The procedure it belongs to (`reconsideration`).
    pub procedure: &'static str,
    /// Its code within the procedure (`decision`).
    pub code: &'static str,
    /// Its title (行政复议决定书).
    pub name: &'static str,
    /// The body: minijinja, `{{ name }}` for values. Lines are paragraphs; the first line is the
    /// salutation.
    pub body: &'static str,
    /// The document number's pattern (`{org}复决〔{year}〕{seq}号`); empty: no number of its own.
    pub number: &'static str,
    /// Every value the body may use, with a sample: an edited body is rendered with them before
    /// it is saved, and the edit page lists them.
    pub values: &'static [(&'static str, &'static str)],
}

impl TemplateDef {
    pub fn sample(&self) -> BTreeMap<String, String> {
        self.values.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }
}

/// The template in force.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct TemplateRow {
    pub procedure: String,
    pub code: String,
    pub name: String,
    pub body: String,
    pub number_pattern: String,
    /// 0: the shipped template, never edited.
    pub version: i64,
    pub updated_at: i64,
}

/// The edited template, or the shipped one.
pub async fn template<'a>(ex: impl Into<Ex<'a>>, def: &TemplateDef) -> Result<TemplateRow, AppError> {
    let row: Option<TemplateRow> =
        q("SELECT procedure, code, name, body, number_pattern, version, updated_at FROM document_templates WHERE procedure = $1 AND code = $2")
            .bind(def.procedure)
            .bind(def.code)
            .fetch_optional(ex)
            .await?;
    Ok(row.unwrap_or_else(|| TemplateRow {
        procedure: def.procedure.into(),
        code: def.code.into(),
        name: def.name.into(),
        body: def.body.into(),
        number_pattern: def.number.into(),
        version: 0,
        updated_at: 0,
    }))
}

fn environment() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env
}

/// Render a body with values; an error names the problem and its line (for the edit page).
pub fn render(body: &str, values: &BTreeMap<String, String>) -> Result<String, String> {
    environment().render_str(body, values).map_err(|e| {
        let mut msg = format!("模板无法生成：{}", e.kind());
        if let Some(d) = e.detail() {
            msg.push_str(&format!("（{d}）"));
        }
        if let Some(l) = e.line() {
            msg.push_str(&format!("，第 {l} 行"));
        }
        msg
    })
}

/// An issued document.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct DocumentRow {
    pub id: i64,
    pub case_id: i64,
    pub procedure: String,
    pub kind: String,
    pub title: String,
    pub number: Option<String>,
    pub body: String,
    pub issuer: String,
    pub issued_on: String,
    pub template_version: i64,
    pub issued_at: i64,
    pub issued_by: String,
}

const COLS: &str = "id, case_id, procedure, kind, title, number, body, issuer, issued_on, template_version, issued_at, issued_by";

impl DocumentRow {
    /// The date as documents write it: 2026年3月20日.
    pub fn date_cn(&self) -> String {
        crate::time::parse_date(&self.issued_on).map(crate::time::fmt_date_cn).unwrap_or_else(|| self.issued_on.clone())
    }
    /// The body's paragraphs (the first is the salutation).
    pub fn paragraphs(&self) -> Vec<&str> {
        self.body.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
    }
}

/// Issue a document on a case, inside the caller's transaction (the step that calls for it):
/// render the template in force with `values`, number it, keep it as issued, record the event.
/// `issuer` is the organ in full (`org::queries::full_name`); `org_short` fills `{org}` of the
/// number.
#[allow(clippy::too_many_arguments)]
pub async fn issue(
    tx: &mut Tx,
    def: &TemplateDef,
    case: &CaseRow,
    values: &BTreeMap<String, String>,
    issuer: &str,
    org_code: &str,
    actor: &Actor,
) -> Result<DocumentRow, AppError> {
    let t = template(&mut *tx, def).await?;
    let body = render(&t.body, values).map_err(|m| AppError::conflict("template_broken", format!("《{}》{m}，请管理员修改模板后重试", t.name)))?;
    let today = crate::time::today();
    let number = if t.number_pattern.is_empty() {
        None
    } else {
        let key = format!("doc:{}:{}", def.procedure, def.code);
        Some(crate::kernel::numbering::next(tx, &key, &t.number_pattern, chrono::Datelike::year(&today), org_code).await?)
    };
    let id = q("INSERT INTO case_documents (case_id, procedure, kind, title, number, body, issuer, issued_on, template_version, issued_at, issued_by) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING id")
        .bind(case.id)
        .bind(def.procedure)
        .bind(def.code)
        .bind(t.name.as_str())
        .bind(number.clone())
        .bind(body.as_str())
        .bind(issuer)
        .bind(crate::time::fmt_date(today))
        .bind(t.version)
        .bind(now_ms())
        .bind(actor.name.as_str())
        .fetch_i64(&mut *tx)
        .await?;
    let label = match &number {
        Some(n) => format!("《{}》{n}", t.name),
        None => format!("《{}》", t.name),
    };
    audit::record(tx, actor, NewEvent::new("case", case.id, "document", "制作文书").changes(Changes::new().created("文书", label))).await?;
    q(format!("SELECT {COLS} FROM case_documents WHERE id = $1")).bind(id).fetch_one(&mut *tx).await
}

/// The documents of a case, in the order issued.
pub async fn of_case<'a>(ex: impl Into<Ex<'a>>, case_id: i64) -> Result<Vec<DocumentRow>, AppError> {
    q(format!("SELECT {COLS} FROM case_documents WHERE case_id = $1 ORDER BY id")).bind(case_id).fetch_all(ex).await
}

/// The links of a case's documents for the case page.
pub async fn links<'a>(ex: impl Into<Ex<'a>>, case_id: i64) -> Result<Vec<crate::kernel::page::DocumentLink>, AppError> {
    Ok(of_case(ex, case_id)
        .await?
        .into_iter()
        .map(|d| crate::kernel::page::DocumentLink {
            title: match &d.number {
                Some(n) => format!("{}（{n}）", d.title),
                None => d.title.clone(),
            },
            url: format!("/documents/{}", d.id),
            issued: d.date_cn(),
        })
        .collect())
}

pub async fn get<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Option<DocumentRow>, AppError> {
    q(format!("SELECT {COLS} FROM case_documents WHERE id = $1")).bind(id).fetch_optional(ex).await
}

/// A document as DOCX: the title, the number, the salutation, the body, and the signature block
/// on the right with room above it for the seal.
pub fn docx(d: &DocumentRow) -> Result<Vec<u8>, AppError> {
    let mut x = Docx::new(&d.title);
    x.title(&d.title);
    if let Some(n) = &d.number {
        x.line(n, Align::Center, false);
    }
    for (i, p) in d.paragraphs().into_iter().enumerate() {
        if i == 0 {
            x.line(p, Align::Left, false);
        } else {
            x.paragraph(p);
        }
    }
    // Room for the seal over the organ's name.
    x.line("", Align::Left, false);
    x.line("", Align::Left, false);
    x.line(&d.issuer, Align::Right, false);
    x.line(&d.date_cn(), Align::Right, false);
    x.line("（印章）", Align::Right, false);
    x.finish()
}

/// Save an edited template, checked against the sample values first.
pub async fn save(
    db: &Db,
    actor: Actor,
    user_id: Option<i64>,
    def: &'static TemplateDef,
    body: String,
    number_pattern: String,
    seen_version: i64,
) -> Result<(), AppError> {
    if body.trim().is_empty() {
        return Err(AppError::field("body", "required", "模板内容不能为空"));
    }
    if body.chars().count() > 20000 {
        return Err(AppError::field("body", "too_long", "模板内容不能超过 20000 字"));
    }
    render(&body, &def.sample()).map_err(|m| AppError::field("body", "template_invalid", m))?;
    let number_pattern = number_pattern.trim().to_string();
    if !number_pattern.is_empty() {
        crate::kernel::numbering::check_pattern(&number_pattern).map_err(|m| AppError::field("number_pattern", "bad_pattern", m))?;
    }
    db.write(move |tx| {
        async move {
            let current = template(&mut *tx, def).await?;
            if current.version != seen_version {
                return Err(AppError::stale());
            }
            if current.version == 0 {
                q("INSERT INTO document_templates (procedure, code, name, body, number_pattern, version, updated_at, updated_by) VALUES ($1,$2,$3,$4,$5,1,$6,$7)")
                    .bind(def.procedure)
                    .bind(def.code)
                    .bind(def.name)
                    .bind(body.as_str())
                    .bind(number_pattern.as_str())
                    .bind(now_ms())
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
            } else {
                q("UPDATE document_templates SET body = $1, number_pattern = $2, version = version + 1, updated_at = $3, updated_by = $4 WHERE procedure = $5 AND code = $6 AND version = $7")
                    .bind(body.as_str())
                    .bind(number_pattern.as_str())
                    .bind(now_ms())
                    .bind(user_id)
                    .bind(def.procedure)
                    .bind(def.code)
                    .bind(seen_version)
                    .execute(&mut *tx)
                    .await?;
            }
            audit::record(
                tx,
                &actor,
                NewEvent::new("document_template", 0, "edit", format!("修改文书模板《{}》", def.name))
                    .changes(Changes::new().set("模板", current.body, &body).set("文号规则", current.number_pattern, &number_pattern)),
            )
            .await?;
            Ok(())
        }
        .boxed()
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEF: TemplateDef = TemplateDef {
        procedure: "p",
        code: "notice",
        name: "告知书",
        body: "{{ applicant }}：\n您的申请（{{ case_no }}）已受理。\n{% if extra %}附：{{ extra }}{% endif %}",
        number: "{org}告〔{year}〕{seq}号",
        values: &[("applicant", "张三"), ("case_no", "复〔2026〕1号"), ("extra", "材料清单")],
    };

    #[test]
    fn templates_render_in_a_sandbox_and_refuse_unknown_names() {
        let out = render(DEF.body, &DEF.sample()).unwrap();
        assert!(out.starts_with("张三：") && out.contains("附：材料清单"));
        assert!(render("{{ nothing_here }}", &DEF.sample()).is_err(), "an unknown value is an error, not a blank");
        assert!(render("{% include \"/etc/passwd\" %}", &DEF.sample()).is_err());
    }

    #[test]
    fn a_document_docx_carries_the_number_the_signature_and_room_for_the_seal() {
        let d = DocumentRow {
            id: 1,
            case_id: 1,
            procedure: "p".into(),
            kind: "notice".into(),
            title: "告知书".into(),
            number: Some("司法局告〔2026〕3号".into()),
            body: "张三：\n您的申请已受理。".into(),
            issuer: "示范市司法局".into(),
            issued_on: "2026-03-20".into(),
            template_version: 0,
            issued_at: 0,
            issued_by: "x".into(),
        };
        let bytes = docx(&d).unwrap();
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
        for s in ["司法局告〔2026〕3号", "示范市司法局", "2026年3月20日", "（印章）", "张三："] {
            assert!(xml.contains(s), "{s}");
        }
    }
}
