//! Pure rules of 政务公开: the parts of an application and how they are checked (条例 Art. 29),
//! the 20-working-day rule for publications (Art. 26), the publication review states (Art. 17).
//! No SQL, no web.

use chrono::NaiveDate;

use super::rules::{APPLICANT_TYPES, ART_29};
use crate::calendar::Calendar;
use crate::error::{AppError, Check, FieldError};
use crate::kernel::Basis;
use crate::privacy::{IdNumber, Phone};

pub const MAX_DESCRIPTION: usize = 4000;

/// How an application came in (Art. 29: 信件、数据电文; oral applications written down by staff).
pub const CHANNELS: &[(&str, &str)] = &[("web", "网上申请"), ("letter", "信函"), ("in_person", "当面申请"), ("email", "电子邮件"), ("fax", "传真")];

/// How the applicant wants the information (Art. 29 (三), Art. 40).
pub const DELIVERY: &[(&str, &str)] = &[("online", "在线查看与下载"), ("email", "电子邮件"), ("post", "邮寄"), ("pickup", "当面领取")];

/// Kinds of identity documents.
pub const ID_KINDS: &[(&str, &str)] = &[("resident_id", "居民身份证"), ("credit_code", "统一社会信用代码"), ("other", "其他有效证件")];

pub fn label(list: &[(&'static str, &'static str)], code: &str) -> &'static str {
    list.iter().find(|x| x.0 == code).map(|x| x.1).unwrap_or("")
}

/// An application as submitted, before it is checked.
#[derive(Clone, Debug, Default)]
pub struct Application {
    pub org_id: Option<i64>,
    pub channel: Option<String>,
    pub applicant_type: Option<String>,
    pub applicant_name: Option<String>,
    pub id_kind: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub email: Option<String>,
    pub contact_person: Option<String>,
    pub description: Option<String>,
    pub doc_refs: Option<String>,
    pub purpose: Option<String>,
    pub delivery: Option<String>,
    /// The day the organ received it (Art. 31); `None` is today.
    pub received_on: Option<String>,
    pub idempotency_key: Option<String>,
}

/// A checked application.
#[derive(Clone, Debug)]
pub struct ValidApplication {
    pub org_id: i64,
    pub channel: String,
    pub applicant_type: String,
    pub applicant_name: String,
    pub id_kind: String,
    pub id_number: String,
    pub phone: String,
    pub address: Option<String>,
    pub email: Option<String>,
    pub contact_person: Option<String>,
    pub description: String,
    pub doc_refs: Option<String>,
    pub purpose: Option<String>,
    pub delivery: String,
    pub received_on: NaiveDate,
    pub idempotency_key: Option<String>,
}

/// A refusal of an application with the fields concerned and Art. 29 as its basis.
pub fn refused(fields: Vec<FieldError>, basis: &Basis) -> AppError {
    let message = match fields.as_slice() {
        [] => "申请内容不完整".to_string(),
        [one] => one.message.clone(),
        [first, ..] => format!("{}（另有 {} 处需要修改）", first.message, fields.len() - 1),
    };
    AppError::Refused { code: "application_incomplete".into(), message, basis: vec![basis.full()], fields }
}

/// A unified social credit code: 18 characters of digits and capital letters (no I, O, S, V, Z).
pub fn valid_credit_code(s: &str) -> bool {
    s.len() == 18 && s.bytes().all(|b| b.is_ascii_digit() || (b.is_ascii_uppercase() && !matches!(b, b'I' | b'O' | b'S' | b'V' | b'Z')))
}

/// Check an application (every problem at once). The organ is checked by the caller.
pub fn check(a: &Application, today: NaiveDate) -> Result<ValidApplication, AppError> {
    let mut c = Check::new();
    let channel = a.channel.clone().unwrap_or_else(|| "web".into());
    if label(CHANNELS, &channel).is_empty() {
        c.add("channel", "unknown_channel", "申请渠道不正确");
    }
    let applicant_type = a.applicant_type.as_deref().map(str::trim).unwrap_or("").to_string();
    if applicant_type.is_empty() {
        c.add("applicant_type", "required", "请选择申请人类型（自然人或法人、其他组织）");
    } else if !APPLICANT_TYPES.iter().any(|t| t.0 == applicant_type) {
        c.add("applicant_type", "unknown_applicant_type", "申请人类型不正确");
    }
    let natural = applicant_type == "natural";
    let name_label = if natural { "申请人姓名" } else { "申请人名称" };
    let applicant_name = c.text("applicant_name", name_label, a.applicant_name.as_deref(), 100);
    let id_kind = a.id_kind.clone().filter(|s| !s.trim().is_empty()).unwrap_or_else(|| if natural { "resident_id".into() } else { "credit_code".into() });
    if label(ID_KINDS, &id_kind).is_empty() {
        c.add("id_kind", "unknown_id_kind", "身份证明类型不正确");
    }
    let raw_id = a.id_number.as_deref().map(str::trim).unwrap_or("");
    let id_number = if raw_id.is_empty() {
        c.add("id_number", "identity_required", "请填写身份证明号码（自然人为身份证号，法人或其他组织为统一社会信用代码）");
        String::new()
    } else {
        match id_kind.as_str() {
            "resident_id" => match IdNumber::parse(raw_id) {
                Ok(id) => id.as_str().to_string(),
                Err(m) => {
                    c.add("id_number", "invalid_id_number", m);
                    String::new()
                }
            },
            "credit_code" => {
                let up = raw_id.to_uppercase();
                if !valid_credit_code(&up) {
                    c.add("id_number", "invalid_credit_code", "统一社会信用代码应为 18 位数字或大写字母");
                }
                up
            }
            _ => {
                if raw_id.chars().count() > 40 {
                    c.add("id_number", "too_long", "证件号码不能超过 40 个字符");
                }
                raw_id.to_string()
            }
        }
    };
    let phone = match a.phone.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            c.add("phone", "contact_required", "请填写联系电话，以便告知补正、延期和答复");
            String::new()
        }
        Some(p) => match Phone::parse(p) {
            Ok(p) => p.as_str().to_string(),
            Err(m) => {
                c.add("phone", "invalid_phone", m);
                String::new()
            }
        },
    };
    let address = c.opt_text("address", "通信地址", a.address.as_deref(), 200);
    let email = c.opt_text("email", "电子邮箱", a.email.as_deref(), 100);
    if let Some(e) = &email {
        let ok = e.split_once('@').is_some_and(|(u, d)| !u.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.')) && !e.contains(' ');
        if !ok {
            c.add("email", "invalid_email", "电子邮箱格式不正确");
        }
    }
    let contact_person = c.opt_text("contact_person", "联系人", a.contact_person.as_deref(), 50);
    if !natural && !applicant_type.is_empty() && contact_person.is_none() {
        c.add("contact_person", "required", "法人或其他组织申请的，请填写联系人");
    }
    let desc = a.description.as_deref().map(str::trim).unwrap_or("");
    let description = if desc.is_empty() {
        c.add("description", "information_not_described", "请写明申请公开的政府信息的名称、文号或者便于查询的其他特征性描述");
        String::new()
    } else if desc.chars().filter(|c| !c.is_whitespace() && !c.is_ascii_punctuation()).count() < 6 {
        c.add("description", "information_not_described", "对所需政府信息的描述过于简单，请写明信息的名称、文号或者便于查询的特征（至少 6 个字）");
        desc.to_string()
    } else {
        c.text("description", "所需信息的描述", Some(desc), MAX_DESCRIPTION)
    };
    let doc_refs = c.opt_text("doc_refs", "文号", a.doc_refs.as_deref(), 200);
    let purpose = c.opt_text("purpose", "用途", a.purpose.as_deref(), 500);
    let delivery = a.delivery.clone().filter(|s| !s.trim().is_empty()).unwrap_or_default();
    if delivery.is_empty() {
        c.add("delivery", "required", "请选择获取信息的方式");
    } else if label(DELIVERY, &delivery).is_empty() {
        c.add("delivery", "unknown_delivery", "获取信息的方式不正确");
    } else if delivery == "email" && email.is_none() {
        c.add("email", "required", "选择电子邮件方式的，请填写电子邮箱");
    } else if delivery == "post" && address.is_none() {
        c.add("address", "required", "选择邮寄方式的，请填写通信地址");
    }
    let received_on = match a.received_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => today,
        Some(s) => match crate::time::parse_date(s) {
            Some(d) if d > today => {
                c.add("received_on", "future_date", "收到申请的日期不能晚于今天");
                today
            }
            Some(d) if (today - d).num_days() > 366 => {
                c.add("received_on", "too_old", "收到申请的日期不能早于一年前");
                today
            }
            Some(d) => d,
            None => {
                c.add("received_on", "bad_date", "收到申请的日期格式应为 YYYY-MM-DD");
                today
            }
        },
    };
    if let Some(k) = &a.idempotency_key {
        if k.is_empty() || k.len() > 128 {
            c.add("idempotency_key", "invalid_idempotency_key", "Idempotency-Key 长度应为 1–128");
        }
    }
    if a.org_id.is_none() {
        c.add("org_id", "required", "请选择受理申请的行政机关");
    }
    if !c.is_ok() {
        return Err(refused(c.errors, &ART_29));
    }
    Ok(ValidApplication {
        org_id: a.org_id.unwrap_or_default(),
        channel,
        applicant_type,
        applicant_name,
        id_kind,
        id_number,
        phone,
        address,
        email,
        contact_person,
        description,
        doc_refs,
        purpose,
        delivery,
        received_on,
        idempotency_key: a.idempotency_key.clone(),
    })
}

// ------------------------------------------------------------------ publications

/// Art. 26: the day by which information formed on `formed` must be published.
pub fn publish_due(formed: NaiveDate, cal: &Calendar) -> NaiveDate {
    cal.add_working_days(formed, 20)
}

/// The states of a publication: draft → review → published → withdrawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PubState {
    Draft,
    Review,
    Published,
    Withdrawn,
}

/// What may be done to a publication.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PubAction {
    Edit,
    Submit,
    Approve,
    Refuse,
    Withdraw,
    Abolish,
}

impl PubState {
    pub fn parse(s: &str) -> Option<PubState> {
        Some(match s {
            "draft" => PubState::Draft,
            "review" => PubState::Review,
            "published" => PubState::Published,
            "withdrawn" => PubState::Withdrawn,
            _ => return None,
        })
    }
    pub fn code(self) -> &'static str {
        match self {
            PubState::Draft => "draft",
            PubState::Review => "review",
            PubState::Published => "published",
            PubState::Withdrawn => "withdrawn",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            PubState::Draft => "草稿",
            PubState::Review => "待公开审查",
            PubState::Published => "已公开",
            PubState::Withdrawn => "已撤回",
        }
    }

    /// The one transition function of a publication.
    pub fn next(self, action: PubAction) -> Result<PubState, String> {
        use PubAction::*;
        use PubState::*;
        match (self, action) {
            (Draft, Edit) => Ok(Draft),
            (Draft, Submit) => Ok(Review),
            (Review, Approve) => Ok(Published),
            (Review, Refuse) => Ok(Draft),
            (Published, Withdraw) => Ok(Withdrawn),
            (Published, Abolish) => Ok(Published),
            (s, a) => Err(format!("“{}”状态下不能{}", s.label(), action_label(a))),
        }
    }
}

pub fn action_label(a: PubAction) -> &'static str {
    match a {
        PubAction::Edit => "修改",
        PubAction::Submit => "提交公开审查",
        PubAction::Approve => "审查通过并公开",
        PubAction::Refuse => "退回修改",
        PubAction::Withdraw => "撤回",
        PubAction::Abolish => "登记废止",
    }
}

pub const DOC_KINDS: &[(&str, &str)] =
    &[("normative", "行政规范性文件"), ("rule", "规章"), ("decision", "决定、批复"), ("notice", "通知、公告"), ("report", "报告、统计"), ("other", "其他")];

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> Application {
        Application {
            org_id: Some(3),
            applicant_type: Some("natural".into()),
            applicant_name: Some("张三".into()),
            id_number: Some("11010519491231002X".into()),
            phone: Some("13812345678".into()),
            description: Some("2020年东湖镇农村公路建设项目的招标文件和中标结果".into()),
            delivery: Some("online".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_application_passes() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let v = check(&good(), d).unwrap();
        assert_eq!(v.received_on, d);
        assert_eq!(v.id_kind, "resident_id");
    }

    #[test]
    fn missing_parts_are_refused_with_article_29() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let mut a = good();
        a.description = Some("文件".into());
        a.id_number = None;
        a.phone = None;
        let e = check(&a, d).unwrap_err();
        let codes: Vec<String> = e.field_errors().iter().map(|f| f.code.to_string()).collect();
        assert!(codes.contains(&"information_not_described".to_string()), "{codes:?}");
        assert!(codes.contains(&"identity_required".to_string()));
        assert!(codes.contains(&"contact_required".to_string()));
        assert!(e.basis()[0].contains("第二十九条"));
        let mut b = good();
        b.applicant_type = Some("commercial".into());
        b.id_kind = None;
        b.id_number = Some("91321084MA1XXXXX0Y".into());
        let e = check(&b, d).unwrap_err();
        assert!(e.field_errors().iter().any(|f| f.field == "contact_person"));
    }

    #[test]
    fn publication_states() {
        assert_eq!(PubState::Draft.next(PubAction::Submit), Ok(PubState::Review));
        assert_eq!(PubState::Review.next(PubAction::Approve), Ok(PubState::Published));
        assert_eq!(PubState::Review.next(PubAction::Refuse), Ok(PubState::Draft));
        assert!(PubState::Draft.next(PubAction::Approve).is_err(), "nothing is published without review");
        assert!(PubState::Withdrawn.next(PubAction::Withdraw).is_err());
    }
}
