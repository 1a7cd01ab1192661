//! An application for 行政复议 as it arrives (letter, counter, portal, another system), and its
//! checks: pure, no database. The version of the law is that in force on the day of receipt.

use chrono::{Duration, NaiveDate};

use crate::calendar::Calendar;
use crate::error::{AppError, FieldError};
use crate::kernel::definition::Basis;
use crate::rules::{self, CHANNELS};

/// What is submitted (every field optional, so that every problem can be named at once).
#[derive(Clone, Debug, Default)]
pub struct Application {
    /// The 复议机关 / 复议机构's unit that received it.
    pub org_id: Option<i64>,
    pub channel: Option<String>,
    pub applicant_name: Option<String>,
    /// natural, organisation
    pub applicant_kind: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// The respondent agency in the organisation tree…
    pub respondent_org_id: Option<i64>,
    /// …or named (an agency outside the tree, a vertical branch).
    pub respondent_name: Option<String>,
    pub act_title: Option<String>,
    pub act_doc_no: Option<String>,
    /// YYYY-MM-DD: when the applicant knew or should have known of the act (Art. 20).
    pub act_known_on: Option<String>,
    /// Why an application after the 60 days is still in time (Art. 20 ¶2: force majeure or
    /// another justified reason; a longer statutory period).
    pub late_reason: Option<String>,
    pub request_text: Option<String>,
    /// YYYY-MM-DD, the day it was received; default today; within the past year.
    pub received_on: Option<String>,
    pub idempotency_key: Option<String>,
}

/// A checked application.
#[derive(Clone, Debug)]
pub struct Valid {
    pub channel: String,
    pub applicant_name: String,
    pub applicant_kind: String,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub respondent_org_id: Option<i64>,
    pub respondent_name: String,
    pub act_title: String,
    pub act_doc_no: Option<String>,
    pub act_known_on: NaiveDate,
    pub late_reason: Option<String>,
    pub request_text: String,
    pub received_on: NaiveDate,
    pub idempotency_key: Option<String>,
}

pub const APPLICANT_KINDS: &[(&str, &str)] = &[("natural", "公民"), ("organisation", "法人或者其他组织")];

fn text(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// The last day of the 60-day application period from the day the act became known, counted as
/// the law counts (start day not counted, a last day on a holiday moves to the next working day).
pub fn apply_until(known: NaiveDate, cal: &Calendar) -> NaiveDate {
    cal.add_calendar_days(known, 60, true)
}

/// The article that sets the application period for a case received on `received`.
pub fn period_basis(received: NaiveDate) -> Basis {
    if received < rules::new_law_from() { rules::OLD_9 } else { rules::ART_20 }
}

/// The article that requires a respondent, by version.
pub fn respondent_basis(received: NaiveDate) -> Basis {
    if received < rules::new_law_from() {
        Basis::checked(rules::REG, "第二十八条第（一）项", "有明确的申请人和符合规定的被申请人")
    } else {
        Basis::checked(rules::LAW, "第三十条第一款第（一）项", "有明确的申请人和符合本法规定的被申请人")
    }
}

/// Check an application received as of `today`; the refusal names every field and cites the
/// article of the first problem.
pub fn check(a: &Application, respondent_known: bool, today: NaiveDate, cal: &Calendar) -> Result<Valid, AppError> {
    let mut errors: Vec<(FieldError, Basis)> = Vec::new();
    let general = rules::ART_22;
    let received = match text(&a.received_on) {
        None => today,
        Some(s) => match crate::time::parse_date(&s) {
            None => {
                errors.push((FieldError::new("received_on", "bad_date", "收到日期格式应为 YYYY-MM-DD"), general));
                today
            }
            Some(d) if d > today => {
                errors.push((FieldError::new("received_on", "date_in_future", "收到日期不能晚于今天"), general));
                today
            }
            Some(d) if d < today - Duration::days(366) => {
                errors.push((FieldError::new("received_on", "date_too_old", "只能登记一年以内收到的申请；更早的案件请用历史数据导入"), general));
                today
            }
            Some(d) => d,
        },
    };
    let channel = text(&a.channel).unwrap_or_else(|| "letter".into());
    if !CHANNELS.iter().any(|c| c.0 == channel) {
        errors.push((FieldError::new("channel", "bad_choice", "申请方式只能是书面、当面、口头、网上或电子邮件"), general));
    }
    let name = text(&a.applicant_name);
    match &name {
        None => errors.push((FieldError::new("applicant_name", "required", "请填写申请人姓名或名称"), respondent_basis(received))),
        Some(n) if n.chars().count() > 100 => errors.push((FieldError::new("applicant_name", "too_long", "申请人姓名或名称不能超过 100 字"), general)),
        _ => {}
    }
    let kind = text(&a.applicant_kind).unwrap_or_else(|| "natural".into());
    if !APPLICANT_KINDS.iter().any(|k| k.0 == kind) {
        errors.push((FieldError::new("applicant_kind", "bad_choice", "申请人类型只能是公民或法人、其他组织"), general));
    }
    let id_number = text(&a.id_number);
    if kind == "natural" {
        if let Some(n) = &id_number {
            if let Err(m) = crate::privacy::IdNumber::parse(n) {
                errors.push((FieldError::new("id_number", "bad_id", m), general));
            }
        }
    }
    let phone = match text(&a.phone) {
        None => None,
        Some(p) => match crate::privacy::Phone::parse(&p) {
            Ok(p) => Some(p.as_str().to_string()),
            Err(m) => {
                errors.push((FieldError::new("phone", "bad_phone", m), general));
                None
            }
        },
    };
    let respondent_name = text(&a.respondent_name);
    if a.respondent_org_id.is_none() && respondent_name.is_none() {
        errors.push((FieldError::new("respondent", "respondent_required", "请写明被申请人（作出行政行为的行政机关）"), respondent_basis(received)));
    } else if a.respondent_org_id.is_some() && !respondent_known {
        errors.push((FieldError::new("respondent", "respondent_unknown", "所选被申请人不存在"), respondent_basis(received)));
    }
    let act = text(&a.act_title);
    match &act {
        None => errors.push((FieldError::new("act_title", "required", "请写明申请复议的行政行为"), respondent_basis(received))),
        Some(t) if t.chars().count() > 200 => errors.push((FieldError::new("act_title", "too_long", "行政行为名称不能超过 200 字"), general)),
        _ => {}
    }
    let request = text(&a.request_text);
    match &request {
        None => errors.push((
            FieldError::new("request_text", "required", "请写明具体的行政复议请求和理由"),
            if received < rules::new_law_from() {
                Basis::checked(rules::REG, "第二十八条第（三）项", "有具体的行政复议请求和理由")
            } else {
                Basis::checked(rules::LAW, "第三十条第一款第（三）项", "有具体的行政复议请求和理由")
            },
        )),
        Some(t) if t.chars().count() > 5000 => errors.push((FieldError::new("request_text", "too_long", "复议请求和理由不能超过 5000 字"), general)),
        _ => {}
    }
    let late_reason = text(&a.late_reason);
    let known = match text(&a.act_known_on).map(|s| crate::time::parse_date(&s)) {
        None => {
            errors.push((FieldError::new("act_known_on", "required", "请填写知道该行政行为的日期（申请期限自该日起计算）"), period_basis(received)));
            None
        }
        Some(None) => {
            errors.push((FieldError::new("act_known_on", "bad_date", "知道行政行为的日期格式应为 YYYY-MM-DD"), period_basis(received)));
            None
        }
        Some(Some(d)) if d > received => {
            errors.push((FieldError::new("act_known_on", "after_receipt", "知道行政行为的日期不能晚于收到申请的日期"), period_basis(received)));
            None
        }
        Some(Some(d)) => {
            let until = apply_until(d, cal);
            if received > until && late_reason.is_none() {
                errors.push((
                    FieldError::new(
                        "act_known_on",
                        "out_of_time",
                        format!(
                            "申请已超过法定申请期限：自知道该行政行为之日（{}）起六十日，至 {} 止；有不可抗力等正当理由或法律规定更长期限的，请在“逾期理由”中写明",
                            crate::time::fmt_date(d),
                            crate::time::fmt_date(until)
                        ),
                    ),
                    period_basis(received),
                ));
            }
            Some(d)
        }
    };
    if errors.is_empty() {
        return Ok(Valid {
            channel,
            applicant_name: name.unwrap_or_default(),
            applicant_kind: kind,
            id_number,
            phone,
            address: text(&a.address),
            respondent_org_id: a.respondent_org_id,
            respondent_name: respondent_name.unwrap_or_default(),
            act_title: act.unwrap_or_default(),
            act_doc_no: text(&a.act_doc_no),
            act_known_on: known.unwrap_or(received),
            late_reason,
            request_text: request.unwrap_or_default(),
            received_on: received,
            idempotency_key: text(&a.idempotency_key),
        });
    }
    let basis = errors[0].1;
    let fields: Vec<FieldError> = errors.into_iter().map(|e| e.0).collect();
    let code = if fields.iter().any(|f| f.code == "out_of_time") {
        "application_out_of_time"
    } else if fields.iter().any(|f| f.field == "respondent") {
        "respondent_required"
    } else {
        "application_incomplete"
    };
    let message = match fields.as_slice() {
        [one] => one.message.clone(),
        [first, ..] => format!("{}（另有 {} 处需要修改）", first.message, fields.len() - 1),
        [] => "申请内容不完整".into(),
    };
    Err(AppError::Refused { code: code.into(), message, basis: vec![basis.full()], fields })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        crate::time::parse_date(s).unwrap()
    }

    fn good() -> Application {
        Application {
            applicant_name: Some("张三".into()),
            respondent_name: Some("示范市城市管理局".into()),
            act_title: Some("行政处罚决定".into()),
            act_known_on: Some("2024-08-02".into()),
            request_text: Some("请求撤销该处罚决定".into()),
            received_on: Some("2024-10-08".into()),
            ..Default::default()
        }
    }

    #[test]
    fn sixty_days_from_knowing_the_act_rolled_past_a_holiday() {
        let cal = Calendar::official();
        // 2024-08-02 + 60 = 2024-10-01, 国庆: the period ends on 2024-10-08.
        assert_eq!(apply_until(d("2024-08-02"), &cal), d("2024-10-08"));
        assert!(check(&good(), false, d("2024-11-01"), &cal).is_ok());
        let mut late = good();
        late.received_on = Some("2024-10-09".into());
        let e = check(&late, false, d("2024-11-01"), &cal).unwrap_err();
        assert_eq!(e.field_errors()[0].code, "out_of_time");
        assert!(e.basis()[0].contains("第二十条"), "{:?}", e.basis());
        late.late_reason = Some("住院治疗，出院证明附后".into());
        assert!(check(&late, false, d("2024-11-01"), &cal).is_ok());
    }

    #[test]
    fn a_respondent_is_required_with_the_article_of_the_version() {
        let cal = Calendar::official();
        let mut a = good();
        a.respondent_name = None;
        let e = check(&a, false, d("2024-11-01"), &cal).unwrap_err();
        assert!(matches!(&e, AppError::Refused { code, .. } if code == "respondent_required"));
        assert!(e.basis()[0].contains("第三十条第一款第（一）项"), "{:?}", e.basis());
        a.received_on = Some("2023-12-20".into());
        a.act_known_on = Some("2023-12-01".into());
        let e = check(&a, false, d("2024-06-01"), &cal).unwrap_err();
        assert!(e.basis()[0].contains("实施条例") && e.basis()[0].contains("第二十八条"), "{:?}", e.basis());
    }

    #[test]
    fn received_dates_within_the_past_year_only() {
        let cal = Calendar::official();
        let mut a = good();
        a.received_on = Some("2024-10-08".into());
        let e = check(&a, false, d("2025-11-01"), &cal).unwrap_err();
        assert_eq!(e.field_errors()[0].code, "date_too_old");
        a.received_on = Some("2024-11-02".into());
        assert_eq!(check(&a, false, d("2024-11-01"), &cal).unwrap_err().field_errors()[0].code, "date_in_future");
    }
}
