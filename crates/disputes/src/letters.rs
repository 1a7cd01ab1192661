//! 行政复议意见书 and 建议书: issued by the reconsideration office to an agency, numbered per
//! issuing unit and year, answered by the agency, escalated when the answer is late. A 意见书
//! asks the agency to report its correction within 60 days of receipt (Art. 76; 实施条例
//! Art. 57 ¶1); a 建议书 (实施条例 Art. 57 ¶2) has no statutory period, so the city's own
//! (a setting) applies. The letter is taken as received on the day it is issued: the office
//! delivers it that day through the government's document system.

use chrono::{Datelike, NaiveDate};
use futures::FutureExt;
use serde::Serialize;

use crate::audit::{self, Actor, Changes, NewEvent};
use crate::auth::roles::Perm;
use crate::db::q;
use crate::error::{AppError, FieldError};
use crate::kernel::definition::Basis;
use crate::org::queries as orgs;
use crate::queries::{self, LetterRow};
use crate::roles::RECON_HANDLE;
use crate::rules;
use crate::service::Who;
use crate::state::AppState;
use crate::time::{fmt_date, now_ms, today};

pub const KINDS: &[(&str, &str)] = &[("opinion", "行政复议意见书"), ("suggestion", "行政复议建议书")];

pub fn kind_label(k: &str) -> &'static str {
    rules::label(KINDS, k)
}

/// The article behind a kind of letter.
pub fn basis(kind: &str) -> Basis {
    if kind == "opinion" { rules::ART_76 } else { rules::REG_57 }
}

fn pattern(kind: &str) -> &'static str {
    if kind == "opinion" { "{org}复意〔{year}〕{seq}号" } else { "{org}复建〔{year}〕{seq}号" }
}

/// A letter as submitted.
#[derive(Clone, Debug, Default)]
pub struct NewLetter {
    pub kind: Option<String>,
    /// The issuing unit (the reconsideration office's).
    pub org_id: Option<i64>,
    /// The case it arose from, if any.
    pub case_id: Option<i64>,
    pub recipient_org_id: Option<i64>,
    pub subject: Option<String>,
    pub body: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Issued {
    pub id: i64,
    pub doc_no: String,
    pub due_on: String,
}

fn text(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// Issue a letter: checked, numbered and registered in one transaction.
pub async fn issue(state: &AppState, who: &Who, l: NewLetter) -> Result<Issued, AppError> {
    issue_on(state, who, l, today()).await
}

pub async fn issue_on(state: &AppState, who: &Who, l: NewLetter, day: NaiveDate) -> Result<Issued, AppError> {
    let mut errors = Vec::new();
    let kind = text(&l.kind).unwrap_or_default();
    if !KINDS.iter().any(|k| k.0 == kind) {
        errors.push(FieldError::new("kind", "bad_choice", "请选择意见书或建议书"));
    }
    let subject = text(&l.subject);
    match &subject {
        None => errors.push(FieldError::new("subject", "required", "请填写事由")),
        Some(s) if s.chars().count() > 200 => errors.push(FieldError::new("subject", "too_long", "事由不能超过 200 字")),
        _ => {}
    }
    let body = text(&l.body);
    match &body {
        None => errors.push(FieldError::new(
            "body",
            "required",
            if kind == "opinion" {
                "请写明发现的违法或者不当行为及纠正意见"
            } else {
                "请写明发现的普遍性问题及完善制度、改进执法的建议"
            },
        )),
        Some(s) if s.chars().count() > 10000 => errors.push(FieldError::new("body", "too_long", "正文不能超过 10000 字")),
        _ => {}
    }
    let org = match l.org_id {
        Some(id) => orgs::get(&state.db, id).await?,
        None => None,
    };
    match &org {
        Some(o) if who.allows_letter(RECON_HANDLE, &o.path) => {}
        Some(_) => errors.push(FieldError::new("org_id", "org_out_of_scope", "您只能以本单位名义制发")),
        None => errors.push(FieldError::new("org_id", "required", "请选择制发单位")),
    }
    let recipient = match l.recipient_org_id {
        Some(id) => orgs::get(&state.db, id).await?,
        None => None,
    };
    if recipient.is_none() {
        errors.push(FieldError::new("recipient_org_id", "required", "请选择收文机关"));
    }
    if let (Some(cid), Some(o)) = (l.case_id, &org) {
        match crate::kernel::queries::get(&state.db, cid).await? {
            Some(c) if c.procedure == "reconsideration" && c.org_id == o.id => {}
            _ => errors.push(FieldError::new("case_id", "case_not_found", "关联的行政复议案件不存在或不属于制发单位")),
        }
    }
    if !errors.is_empty() {
        let message =
            if errors.len() == 1 { errors[0].message.clone() } else { format!("{}（另有 {} 处需要修改）", errors[0].message, errors.len() - 1) };
        return Err(AppError::Refused { code: "letter_incomplete".into(), message, basis: vec![basis(&kind).full()], fields: errors });
    }
    let (org, recipient) = (org.expect("checked"), recipient.expect("checked"));
    let days = if kind == "opinion" {
        rules::OPINION_DAYS
    } else {
        crate::settings::procedure_overrides(&state.db, "reconsideration").await?.get("suggestion_days").copied().unwrap_or(rules::SUGGESTION_DAYS)
    };
    let cal = state.calendar();
    // 60 calendar days from receipt, the last day rolled past a holiday (民事诉讼法 Art. 85).
    let due = cal.add_calendar_days(day, days, true);
    let actor = who.actor();
    let by = who.user_id();
    state
        .db
        .write(move |tx| {
            async move {
                let doc_no = crate::kernel::numbering::next(tx, &format!("recon_{kind}"), pattern(&kind), day.year(), &org.code).await?;
                let id = q("INSERT INTO recon_letters (kind, doc_no, org_id, case_id, recipient_org_id, subject, body, issued_on, due_on, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING id")
                    .bind(kind.as_str())
                    .bind(doc_no.clone())
                    .bind(org.id)
                    .bind(l.case_id)
                    .bind(recipient.id)
                    .bind(subject.clone())
                    .bind(body.clone())
                    .bind(fmt_date(day))
                    .bind(fmt_date(due))
                    .bind(by)
                    .bind(now_ms())
                    .fetch_i64(&mut *tx)
                    .await?;
                let changes = Changes::new()
                    .created("文号", doc_no.clone())
                    .created("收文机关", recipient.name.clone())
                    .created("事由", subject.clone())
                    .created("回复期限", fmt_date(due));
                audit::record(tx, &actor, NewEvent::new("recon_letter", id, "issue", format!("制发{}", kind_label(&kind))).changes(changes).reason(Some(format!("依据：{}", basis(&kind).full()))))
                    .await?;
                if let Some(cid) = l.case_id {
                    audit::record(tx, &actor, NewEvent::new("case", cid, "letter", format!("制发{}", kind_label(&kind))).changes(Changes::new().created("文号", doc_no.clone())))
                        .await?;
                }
                let message = format!("{}向本单位制发{}（{}）：{}，请于 {} 前报送纠正或采纳情况", org.name, kind_label(&kind), doc_no, subject.clone().unwrap_or_default(), fmt_date(due));
                crate::notify::notice(tx, recipient.id, None, None, "recon_letter", &message, &format!("recon_letter:{id}:issued")).await?;
                Ok(Issued { id, doc_no, due_on: fmt_date(due) })
            }
            .boxed()
        })
        .await
}

/// Who may read a letter: the issuing unit's reconsideration staff and the recipient's staff.
pub async fn readable(state: &AppState, who: &Who, id: i64) -> Result<LetterRow, AppError> {
    let l = queries::letter(&state.db, id).await?.ok_or_else(|| AppError::not_found("letter_not_found", "文书不存在"))?;
    let issuer = crate::kernel::access::org_path(state, l.org_id).await?;
    let recipient = crate::kernel::access::org_path(state, l.recipient_org_id).await?;
    if who.allows_letter(Perm::CASE_READ, &issuer) || who.allows_letter(Perm::CASE_READ, &recipient) {
        Ok(l)
    } else {
        Err(AppError::not_found("letter_not_found", "文书不存在"))
    }
}

/// The recipient agency answers (its correction, or the suggestions it adopted): once.
pub async fn answer(state: &AppState, who: &Who, id: i64, seen_version: Option<i64>, text_in: Option<String>) -> Result<LetterRow, AppError> {
    answer_on(state, who, id, seen_version, text_in, today()).await
}

pub async fn answer_on(
    state: &AppState,
    who: &Who,
    id: i64,
    seen_version: Option<i64>,
    text_in: Option<String>,
    day: NaiveDate,
) -> Result<LetterRow, AppError> {
    let l = readable(state, who, id).await?;
    let recipient = crate::kernel::access::org_path(state, l.recipient_org_id).await?;
    if !who.allows_letter(Perm::CASE_HANDLE, &recipient) {
        return Err(AppError::forbidden("not_recipient", "只有收文机关可以报送纠正或采纳情况"));
    }
    let body = text(&text_in);
    let Some(body) = body else {
        return Err(AppError::Refused {
            code: "answer_required".into(),
            message: "请写明纠正相关行政行为或采纳建议的情况".into(),
            basis: vec![basis(&l.kind).full()],
            fields: vec![FieldError::new("answer", "required", "请写明纠正或采纳情况")],
        });
    };
    if body.chars().count() > 10000 {
        return Err(AppError::field("answer", "too_long", "回复不能超过 10000 字"));
    }
    let actor = who.actor();
    state
        .db
        .write(move |tx| {
            async move {
                let cur = queries::letter(&mut *tx, id).await?.ok_or_else(|| AppError::not_found("letter_not_found", "文书不存在"))?;
                if cur.answered_on.is_some() {
                    return Err(AppError::Refused {
                        code: "already_answered".into(),
                        message: format!("本{}已于 {} 回复", kind_label(&cur.kind), cur.answered_on.clone().unwrap_or_default()),
                        basis: vec![],
                        fields: vec![],
                    });
                }
                if seen_version.is_some_and(|v| v != cur.version) {
                    return Err(AppError::stale());
                }
                let on_time = fmt_date(day) <= cur.due_on;
                q("UPDATE recon_letters SET answered_on = $1, answer = $2, answered_on_time = $3, version = version + 1 WHERE id = $4 AND version = $5")
                    .bind(fmt_date(day))
                    .bind(body.clone())
                    .bind(on_time)
                    .bind(id)
                    .bind(cur.version)
                    .execute(&mut *tx)
                    .await?;
                audit::record(
                    tx,
                    &actor,
                    NewEvent::new("recon_letter", id, "answer", "报送纠正（采纳）情况")
                        .changes(Changes::new().created("回复", body.clone()).created("按期", on_time)),
                )
                .await?;
                let message = format!("{}（{}）已回复", kind_label(&cur.kind), cur.doc_no);
                crate::notify::notice(tx, cur.org_id, None, None, "recon_letter", &message, &format!("recon_letter:{id}:answered")).await?;
                queries::letter(&mut *tx, id).await?.ok_or_else(|| AppError::internal("letter vanished"))
            }
            .boxed()
        })
        .await
}

/// Letters unanswered past their date: marked escalated, the recipient and the issuing unit told
/// (each once).
pub async fn escalate(state: &AppState, day: NaiveDate) -> Result<usize, AppError> {
    let overdue = queries::overdue_letters(&state.db, &fmt_date(day)).await?;
    let n = overdue.len();
    if n == 0 {
        return Ok(0);
    }
    state
        .db
        .write(move |tx| {
            async move {
                for l in &overdue {
                    q("UPDATE recon_letters SET escalated_on = $1 WHERE id = $2").bind(fmt_date(day)).bind(l.id).execute(&mut *tx).await?;
                    audit::record(
                        tx,
                        &Actor::system(),
                        NewEvent::new("recon_letter", l.id, "escalate", "逾期未回复·督办").changes(Changes::new().created("回复期限", l.due_on.clone())),
                    )
                    .await?;
                    let message = format!("{}（{}）回复期限 {} 已过，尚未报送纠正或采纳情况", kind_label(&l.kind), l.doc_no, l.due_on);
                    crate::notify::notice(tx, l.recipient_org_id, None, None, "recon_letter_overdue", &message, &format!("recon_letter:{}:overdue:r", l.id))
                        .await?;
                    crate::notify::notice(tx, l.org_id, None, None, "recon_letter_overdue", &message, &format!("recon_letter:{}:overdue:i", l.id)).await?;
                }
                Ok(n)
            }
            .boxed()
        })
        .await
}
