//! Letters to the applicant (补正告知书, 延长答复期限告知书, 答复书, 终止处理告知书), generated
//! from templates that staff edit without a release: stored in the database, rendered by
//! minijinja (a sandbox: no file or network access, no code), fixed when issued, and
//! downloadable as DOCX.

use std::collections::BTreeMap;

use futures::FutureExt;
use serde::Serialize;

use super::queries::{LetterRow, RequestRow};
use super::rules;
use crate::audit::{self, Actor, Changes, NewEvent};
use crate::db::{Db, Ex, q};
use crate::error::AppError;
use crate::kernel::queries::CaseRow;
use crate::reports::docx::{Align, Docx};
use crate::time::now_ms;

/// A template as shipped: (code, name, body).
pub const DEFAULTS: &[(&str, &str, &str)] = &[
    (
        "correction",
        "补正告知书",
        "{{ applicant }}：\n本机关于{{ received_on }}收到{{ you }}提出的政府信息公开申请（{{ case_no }}），申请内容为：“{{ description }}”。\n经审查，您的申请内容不明确。根据《中华人民共和国政府信息公开条例》第三十条的规定，请您对以下事项作出补正：\n{{ correction_items }}\n请于{{ correction_due_on }}前提交补正。答复期限自本机关收到补正的申请之日起计算。无正当理由逾期不补正的，视为放弃申请，本机关不再处理该政府信息公开申请。\n联系电话：{{ org_phone }}",
    ),
    (
        "extension",
        "延长答复期限告知书",
        "{{ applicant }}：\n本机关于{{ received_on }}收到{{ you }}提出的政府信息公开申请（{{ case_no }}）。因{{ reason }}，本机关不能在规定期限内作出答复。根据《中华人民共和国政府信息公开条例》第三十三条第二款的规定，经本机关政府信息公开工作机构负责人同意，答复期限延长{{ days }}个工作日，至{{ due_on }}止。\n特此告知。",
    ),
    (
        "reply",
        "政府信息公开申请答复书",
        "{{ applicant }}：\n本机关于{{ received_on }}收到{{ you }}提出的政府信息公开申请（{{ case_no }}），申请内容为：“{{ description }}”。\n{% if outcome_group == \"disclose\" %}经审查，您申请的政府信息属于公开范围，根据《中华人民共和国政府信息公开条例》第三十六条第（二）项的规定，现予以公开。{% elif outcome_group == \"partial\" %}经审查，您申请的政府信息中含有不应当公开的内容，但能够作区分处理。根据《中华人民共和国政府信息公开条例》第三十七条的规定，本机关向您提供可以公开的部分，对不予公开的部分说明理由如下：{{ reason }}{% elif outcome_group == \"withhold\" %}经审查，您申请的政府信息{{ outcome_label }}，根据《中华人民共和国政府信息公开条例》{{ outcome_basis }}的规定，不予公开。理由：{{ reason }}{% elif outcome_group == \"unable\" %}经检索，本机关无法提供您申请的政府信息（{{ outcome_label }}）。理由：{{ reason }}{% elif outcome_group == \"reject\" %}经审查，您的申请属于{{ outcome_label }}的情形，根据《中华人民共和国政府信息公开条例》{{ outcome_basis }}的规定，本机关不作为政府信息公开申请处理。理由：{{ reason }}{% else %}本机关对您的申请处理如下（{{ outcome_label }}）：{{ reason }}{% endif %}\n{{ reply_text }}{% if attachments %}\n本机关向您提供的政府信息如下，请在本机关政府信息公开平台“我的申请”中下载或查阅：\n{{ attachments }}{% endif %}\n如对本答复不服，可以自收到本答复之日起六十日内向{{ reconsideration_body }}申请行政复议，或者自收到本答复之日起六个月内向人民法院提起行政诉讼。",
    ),
    (
        "lapsed",
        "终止处理告知书",
        "{{ applicant }}：\n本机关于{{ received_on }}收到{{ you }}提出的政府信息公开申请（{{ case_no }}），并于{{ correction_sent_on }}告知您在{{ correction_due_on }}前补正。您未在补正期限内补正，根据《中华人民共和国政府信息公开条例》第三十条的规定，视为放弃申请，本机关不再处理该政府信息公开申请。",
    ),
];

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct TemplateRow {
    pub code: String,
    pub name: String,
    pub body: String,
    pub version: i64,
    pub updated_at: i64,
}

/// The template in force: the edited one, or the shipped default (version 0).
pub async fn template<'a>(ex: impl Into<Ex<'a>>, code: &str) -> Result<TemplateRow, AppError> {
    let row: Option<TemplateRow> =
        q("SELECT code, name, body, version, updated_at FROM disclosure_templates WHERE code = $1").bind(code).fetch_optional(ex).await?;
    if let Some(r) = row {
        return Ok(r);
    }
    let (c, n, b) = DEFAULTS.iter().find(|d| d.0 == code).ok_or_else(|| AppError::internal(format!("no letter template {code}")))?;
    Ok(TemplateRow { code: c.to_string(), name: n.to_string(), body: b.to_string(), version: 0, updated_at: 0 })
}

pub async fn all(db: &Db) -> Result<Vec<TemplateRow>, AppError> {
    let mut out = Vec::new();
    for (code, _, _) in DEFAULTS {
        out.push(template(db, code).await?);
    }
    Ok(out)
}

fn environment() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env
}

/// Render a template body with a context; errors name the problem (for the edit page).
pub fn render(body: &str, ctx: &BTreeMap<String, String>) -> Result<String, String> {
    let env = environment();
    env.render_str(body, ctx).map_err(|e| {
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

/// A sample context, to check an edited template before it is saved.
pub fn sample_context() -> BTreeMap<String, String> {
    let mut c = BTreeMap::new();
    for (k, v) in [
        ("applicant", "张三"),
        ("you", "您"),
        ("case_no", "住建局依申〔2026〕1号"),
        ("org", "示范市住房和城乡建设局"),
        (
            "attachments",
            "1. 幸福小区二期建设工程规划许可证.pdf\n2. 《示范市住房和城乡建设局关于幸福小区二期竣工验收备案的公告》（已主动公开，索引号D-ZJJ/2026-00012）",
        ),
        ("org_phone", "0000-0000000"),
        ("received_on", "2026年3月2日"),
        ("description", "某小区规划许可文件"),
        ("correction_items", "请写明文件名称或文号"),
        ("correction_due_on", "2026年3月23日"),
        ("correction_sent_on", "2026年3月4日"),
        ("reason", "需要检索的档案较多"),
        ("days", "10"),
        ("due_on", "2026年4月14日"),
        ("outcome_group", "partial"),
        ("outcome_label", "部分公开"),
        ("outcome_basis", "第三十七条"),
        ("reply_text", "现将可以公开的部分随本答复书提供。"),
        ("reconsideration_body", "示范市人民政府"),
        ("today", "2026年3月20日"),
    ] {
        c.insert(k.to_string(), v.to_string());
    }
    c
}

fn cn_date(s: &str) -> String {
    crate::time::parse_date(s).map(crate::time::fmt_date_cn).unwrap_or_else(|| s.to_string())
}

/// The context of a letter for a request.
pub fn context(case: &CaseRow, r: &RequestRow, org_name: &str, extra: &[(&str, String)]) -> BTreeMap<String, String> {
    let mut c = BTreeMap::new();
    c.insert("applicant".into(), r.applicant_name.clone());
    // A person is “您”; an organisation “你单位”, as the letters of organs write.
    c.insert("you".into(), if r.applicant_type == "natural" { "您" } else { "你单位" }.into());
    c.insert("attachments".into(), String::new());
    c.insert("case_no".into(), case.case_no.clone());
    c.insert("org".into(), org_name.to_string());
    c.insert("org_phone".into(), "（见本机关政府信息公开指南）".into());
    c.insert("received_on".into(), cn_date(&r.received_on));
    c.insert("description".into(), r.description.clone());
    c.insert("correction_items".into(), r.correction_items.clone().unwrap_or_default());
    c.insert("correction_due_on".into(), r.correction_due_on.as_deref().map(cn_date).unwrap_or_default());
    c.insert("correction_sent_on".into(), String::new());
    c.insert("reason".into(), r.outcome_reason.clone().unwrap_or_default());
    c.insert("days".into(), String::new());
    c.insert("due_on".into(), case.due_on.as_deref().map(cn_date).unwrap_or_default());
    let o = r.outcome.as_deref().and_then(rules::outcome);
    c.insert("outcome_group".into(), o.map(|o| o.group).unwrap_or("").into());
    // The ground in words (“涉及国家秘密”), never the report's row (“1.属于国家秘密”).
    c.insert("outcome_label".into(), o.map(|o| o.ground().to_string()).unwrap_or_default());
    c.insert("outcome_basis".into(), o.map(|o| o.basis).unwrap_or("").into());
    c.insert("reply_text".into(), r.reply_text.clone().unwrap_or_default());
    c.insert("reconsideration_body".into(), "示范市人民政府".into());
    c.insert("today".into(), crate::time::fmt_date_cn(crate::time::today()));
    for (k, v) in extra {
        c.insert(k.to_string(), v.clone());
    }
    c
}

/// Issue a letter inside the caller's transaction: render the template in force and keep the
/// text as issued.
pub async fn issue(tx: &mut crate::db::Tx, kind: &str, case: &CaseRow, ctx: &BTreeMap<String, String>, org_name: &str) -> Result<i64, AppError> {
    let t = template(&mut *tx, kind).await?;
    let body = render(&t.body, ctx).map_err(|m| AppError::conflict("template_broken", format!("“{}”{m}，请管理员修改模板后重试", t.name)))?;
    // A template edited before replies carried the information may not list it: the list is
    // added, for the letter must say what it gives (Art. 36 (二)).
    let attached = ctx.get("attachments").filter(|a| !a.is_empty() && !t.body.contains("attachments"));
    let body = match attached {
        Some(a) => format!("{body}\n附：本机关向{}提供的政府信息\n{a}", ctx.get("you").map_or("您", String::as_str)),
        None => body,
    };
    let body = format!("{body}\n\n{org_name}\n{}", ctx.get("today").cloned().unwrap_or_default());
    super::queries::insert_letter(tx, case.id, kind, &t.name, &body, (&t.code, t.version), now_ms()).await
}

/// A letter as DOCX: the title, the number, the salutation, the body, then the signature block
/// (the organ in full and the date, the last two lines) on the right with room above it for the
/// seal, as the platform's documents have it.
pub fn letter_docx(l: &LetterRow, case_no: &str) -> Result<Vec<u8>, AppError> {
    let mut d = Docx::new(&l.title);
    d.title(&l.title);
    d.line(case_no, Align::Center, false);
    let lines: Vec<&str> = l.body.lines().collect();
    let n = lines.len();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        if n >= 2 && i == n - 2 {
            // Room for the seal over the organ's name.
            d.line("", Align::Left, false);
            d.line("", Align::Left, false);
        }
        if t.is_empty() {
            d.line("", Align::Left, false);
        } else if i == 0 {
            d.line(t, Align::Left, false);
        } else if n >= 2 && i >= n - 2 {
            d.line(t, Align::Right, false);
        } else {
            d.paragraph(t);
        }
    }
    d.line("（印章）", Align::Right, false);
    d.finish()
}

/// Save an edited template, checked against a sample context first.
pub async fn save(db: &Db, actor: Actor, user_id: Option<i64>, code: String, body: String, seen_version: i64) -> Result<(), AppError> {
    let (_, name, _) = DEFAULTS.iter().find(|d| d.0 == code).ok_or_else(|| AppError::not_found("template_not_found", "没有这个模板"))?;
    if body.trim().is_empty() {
        return Err(AppError::field("body", "required", "模板内容不能为空"));
    }
    if body.chars().count() > 20000 {
        return Err(AppError::field("body", "too_long", "模板内容不能超过 20000 字"));
    }
    render(&body, &sample_context()).map_err(|m| AppError::field("body", "template_invalid", m))?;
    let name = name.to_string();
    db.write(move |tx| {
        async move {
            let current = template(&mut *tx, &code).await?;
            if current.version != seen_version {
                return Err(AppError::stale());
            }
            let now = now_ms();
            if current.version == 0 {
                q("INSERT INTO disclosure_templates (code, name, body, version, updated_at, updated_by) VALUES ($1,$2,$3,1,$4,$5)")
                    .bind(code.as_str())
                    .bind(name.as_str())
                    .bind(body.as_str())
                    .bind(now)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
            } else {
                q("UPDATE disclosure_templates SET body = $1, version = version + 1, updated_at = $2, updated_by = $3 WHERE code = $4 AND version = $5")
                    .bind(body.as_str())
                    .bind(now)
                    .bind(user_id)
                    .bind(code.as_str())
                    .bind(seen_version)
                    .execute(&mut *tx)
                    .await?;
            }
            audit::record(
                tx,
                &actor,
                NewEvent::new("disclosure_template", 0, "edit", format!("修改告知书模板“{name}”")).changes(Changes::new().set("模板", current.body, &body)),
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

    #[test]
    fn shipped_templates_render_and_are_sandboxed() {
        for (code, _, body) in DEFAULTS {
            let out = render(body, &sample_context()).unwrap_or_else(|e| panic!("{code}: {e}"));
            assert!(out.contains("张三"), "{code}");
        }
        let mut ctx = sample_context();
        ctx.insert("outcome_group".into(), "withhold".into());
        assert!(render(DEFAULTS[2].2, &ctx).unwrap().contains("不予公开"));
        // Unknown variables and file access are errors, not silent blanks.
        assert!(render("{{ nothing_here }}", &ctx).is_err());
        assert!(render("{% include \"/etc/passwd\" %}", &ctx).is_err());
    }
}
