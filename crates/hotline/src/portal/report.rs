//! Filing: `/portal/report` (12345 网上诉求, with photos) and `/portal/letter` (市长信箱), both
//! for a verified phone, both repeat-safe through an idempotency key in the form; and the page
//! that shows the new ticket's number.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::{FormState, VerifiedCitizen, queries, with_status};
use crate::auth::Citizen;
use crate::error::{AppError, FieldError};
use crate::model::{self, Channel};
use crate::queries as hq;
use crate::service::{self, Intake, IntakeInput};
use crate::state::AppState;
use crate::web::extract::Path;
use crate::web::form::{FormData, Multipart, Upload};
use crate::web::{Ctx, PageError, PortalLayout, redirect_ok, render};

/// Photos a citizen may send with one request.
pub const MAX_PHOTOS: usize = 5;
/// The attachment purpose of a citizen's photos.
pub const PHOTO_PURPOSE: &str = "photo";

/// A category as offered to citizens, with its extra fields.
pub struct CatView {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub handle_days: i64,
    pub attrs: Vec<AttrView>,
}

pub struct AttrView {
    /// The form field: `a{category}.{code}`.
    pub input: String,
    /// The field name errors are reported on: `attribute[{code}]`.
    pub field: String,
    pub label: String,
    pub required: bool,
    pub number: bool,
    pub values: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "portal/report.html")]
struct ReportPage {
    layout: PortalLayout,
    form: FormState,
    categories: Vec<CatView>,
    places: Vec<queries::Place>,
    masked: String,
    max_photos: usize,
    max_mb: u64,
    max_description: usize,
}

impl ReportPage {
    /// Is this category the one chosen (its extra fields are shown)?
    fn chosen(&self, id: &i64) -> bool {
        self.form.v("category_id") == id.to_string()
    }
}

async fn categories(state: &AppState) -> Result<Vec<CatView>, AppError> {
    let mailbox = queries::mailbox_category(&state.db).await?.map(|c| c.id);
    Ok(hq::categories(&state.db, true)
        .await?
        .into_iter()
        .filter(|c| Some(c.id) != mailbox)
        .map(|c| CatView {
            attrs: c
                .attribute_defs()
                .into_iter()
                .map(|a| AttrView {
                    input: format!("a{}.{}", c.id, a.code),
                    field: format!("attribute[{}]", a.code),
                    label: a.label,
                    required: a.required,
                    number: a.datatype == "number",
                    values: a.values,
                })
                .collect(),
            id: c.id,
            name: c.name,
            description: c.description,
            handle_days: c.handle_days,
        })
        .collect())
}

async fn report_page(state: &AppState, ctx: &Ctx, c: &Citizen, mut form: FormState) -> Result<Response, PageError> {
    form.order(&["category", "attribute[", "town_id", "village_id", "address", "description", "photos"]);
    let bad = form.bad();
    let r = render(&ReportPage {
        layout: PortalLayout::new(ctx, "我要反映", Some(c)),
        categories: categories(state).await?,
        places: queries::places(&state.db).await?,
        masked: c.phone.masked(),
        max_photos: MAX_PHOTOS,
        max_mb: state.config.server.max_upload_mb,
        max_description: model::MAX_DESCRIPTION,
        form,
    })?;
    Ok(if bad { with_status(r, StatusCode::UNPROCESSABLE_ENTITY) } else { r })
}

fn new_token() -> String {
    crate::auth::session::random_token()
}

pub async fn report_form(State(state): State<AppState>, ctx: Ctx, VerifiedCitizen(c): VerifiedCitizen) -> Result<Response, PageError> {
    let form = FormState::default().with("wants_reply", "1").with("idempotency_key", new_token());
    report_page(&state, &ctx, &c, form).await
}

/// The repeat-safe key of a portal submission: the form's random token, bound to the phone so
/// that one person's key can never return another person's ticket.
fn idempotency_key(c: &Citizen, token: Option<&str>) -> Option<String> {
    let t = token?.trim();
    let ok = (16..=64).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then(|| format!("portal:{}:{t}", c.phone.as_str()))
}

/// Check the photos before anything is stored: how many, what they are, how big.
fn check_photos(files: &[Upload], max_mb: u64) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if files.len() > MAX_PHOTOS {
        errors.push(FieldError::new("photos", "too_many_photos", format!("最多上传 {MAX_PHOTOS} 张照片（您选择了 {} 张）", files.len())));
    }
    let max = (max_mb as usize) * 1024 * 1024;
    for f in files {
        if f.bytes.len() > max {
            errors.push(FieldError::new("photos", "photo_too_large", format!("照片“{}”超过 {max_mb} MB，请压缩后再传", f.filename)));
        } else if !crate::files::sniff(&f.bytes, &f.filename).is_some_and(|m| m.starts_with("image/")) {
            errors.push(FieldError::new("photos", "not_a_photo", format!("“{}”不是照片：只能上传 JPG、PNG 或 WEBP 格式的图片", f.filename)));
        }
    }
    errors
}

/// Take in a submission; a race between two identical submissions ends with the first ticket.
async fn file(state: &AppState, c: &Citizen, input: IntakeInput, photos: Vec<Upload>) -> Result<Intake, AppError> {
    let key = input.idempotency_key.clone();
    match service::intake_with_files(state, c.actor(), input.clone(), photos, PHOTO_PURPOSE).await {
        Err(AppError::Conflict { code, .. }) if code == "duplicate" && key.is_some() => service::intake(state, c.actor(), input).await,
        other => other,
    }
}

pub async fn report_submit(State(state): State<AppState>, ctx: Ctx, VerifiedCitizen(c): VerifiedCitizen, mp: Multipart) -> Result<Response, PageError> {
    let f = &mp.fields;
    let mut form = FormState::from_form(f);
    let category_id = f.int("category_id");
    // Only the extra fields of the chosen category are sent on.
    let attributes: Vec<(String, String)> = match category_id {
        Some(id) => {
            let prefix = format!("a{id}.");
            f.0.iter()
                .filter_map(|(k, v)| k.strip_prefix(&prefix).map(|code| (code.to_string(), v.trim().to_string())))
                .filter(|(_, v)| !v.is_empty())
                .collect()
        }
        None => vec![],
    };
    let input = IntakeInput {
        channel: Some(Channel::Web),
        caller_phone: Some(c.phone.as_str().to_string()),
        category_id,
        category_code: None,
        town_id: f.int("town_id"),
        village_id: f.int("village_id"),
        address: f.get("address").map(str::to_string),
        description: f.get("description").map(str::to_string),
        attributes,
        confidential: f.checked("confidential"),
        wants_reply: f.checked("wants_reply"),
        idempotency_key: idempotency_key(&c, f.get("idempotency_key")),
        phone_required: true,
        ..Default::default()
    };
    if f.get("category_id").is_some_and(|v| !v.trim().is_empty()) && category_id.is_none() {
        form.errors.push(FieldError::new("category", "unknown_category", "诉求类别不存在"));
    }
    let photos: Vec<Upload> = mp.files.into_iter().filter(|u| u.field == "photos").collect();
    form.errors.extend(check_photos(&photos, state.config.server.max_upload_mb));
    if form.bad() {
        // Report every problem at once: the photos' and the form's.
        if let Err(AppError::Invalid { fields, .. }) = service::validate(&state, &input).await {
            let seen: Vec<String> = form.errors.iter().map(|e| e.field.clone()).collect();
            form.errors.extend(fields.into_iter().filter(|e| !seen.contains(&e.field)));
        }
        return report_page(&state, &ctx, &c, form).await;
    }
    match file(&state, &c, input, photos).await {
        Ok(r) => Ok(done_redirect(&r)),
        Err(AppError::Invalid { fields, .. }) => {
            form.errors = fields;
            report_page(&state, &ctx, &c, form).await
        }
        Err(e @ (AppError::TooLarge { .. } | AppError::UnsupportedMedia { .. })) => {
            form.errors = vec![FieldError::new("photos", "photo_refused", e.user_message())];
            report_page(&state, &ctx, &c, form).await
        }
        Err(e) => Err(e.into()),
    }
}

fn done_redirect(r: &Intake) -> Response {
    let msg = if r.duplicate { "这份诉求已经提交过，没有重复登记。工单编号如下。" } else { "提交成功" };
    redirect_ok(&format!("/portal/done/{}", r.case.case_no), msg)
}

// ------------------------------------------------------------------ 市长信箱

#[derive(Template)]
#[template(path = "portal/letter.html")]
struct LetterPage {
    layout: PortalLayout,
    form: FormState,
    masked: String,
    max_subject: usize,
    max_description: usize,
    mailbox_days: u32,
}

async fn letter_page(state: &AppState, ctx: &Ctx, c: &Citizen, mut form: FormState) -> Result<Response, PageError> {
    form.order(&["subject", "description", "publish_consent"]);
    let bad = form.bad();
    let (_, mailbox_days) = super::time_limits(state).await?;
    let r = render(&LetterPage {
        layout: PortalLayout::new(ctx, "写信给市长", Some(c)),
        masked: c.phone.masked(),
        max_subject: model::MAX_SUBJECT,
        max_description: model::MAX_DESCRIPTION,
        mailbox_days,
        form,
    })?;
    Ok(if bad { with_status(r, StatusCode::UNPROCESSABLE_ENTITY) } else { r })
}

pub async fn letter_form(State(state): State<AppState>, ctx: Ctx, VerifiedCitizen(c): VerifiedCitizen) -> Result<Response, PageError> {
    let form = FormState::default().with("publish_consent", "0").with("idempotency_key", new_token());
    letter_page(&state, &ctx, &c, form).await
}

pub async fn letter_submit(State(state): State<AppState>, ctx: Ctx, VerifiedCitizen(c): VerifiedCitizen, f: FormData) -> Result<Response, PageError> {
    let mut form = FormState::from_form(&f);
    let Some(category) = queries::mailbox_category(&state.db).await? else {
        return Err(AppError::not_found("mailbox_closed", "市长信箱暂未开通（未设置信件类别），请通过“我要反映”提交").into());
    };
    let consent = match f.get("publish_consent") {
        Some("1") => true,
        Some("0") | None => false,
        Some(_) => {
            form.errors.push(FieldError::new("publish_consent", "invalid_choice", "请选择是否同意公开"));
            false
        }
    };
    let input = IntakeInput {
        channel: Some(Channel::Mailbox),
        caller_phone: Some(c.phone.as_str().to_string()),
        category_id: Some(category.id),
        subject: f.get("subject").map(str::to_string),
        description: f.get("description").map(str::to_string),
        wants_reply: true,
        publish_consent: consent,
        idempotency_key: idempotency_key(&c, f.get("idempotency_key")),
        phone_required: true,
        ..Default::default()
    };
    let fields = if form.bad() {
        match service::validate(&state, &input).await {
            Err(AppError::Invalid { fields, .. }) => fields,
            _ => vec![],
        }
    } else {
        match file(&state, &c, input, vec![]).await {
            Ok(r) => return Ok(done_redirect(&r)),
            Err(AppError::Invalid { fields, .. }) => fields,
            Err(e) => return Err(e.into()),
        }
    };
    // The hotline's messages say 诉求内容; a letter has a body (来信内容).
    form.errors.extend(fields.into_iter().map(|mut e| {
        e.message = e.message.replace("诉求内容", "来信内容");
        e
    }));
    letter_page(&state, &ctx, &c, form).await
}

// ------------------------------------------------------------------ the new ticket's number

#[derive(Template)]
#[template(path = "portal/done.html")]
struct DonePage {
    layout: PortalLayout,
    case_no: String,
    letter: bool,
    days: i64,
    photos: usize,
    wants_reply: bool,
    masked: String,
}

pub async fn done(State(state): State<AppState>, ctx: Ctx, VerifiedCitizen(c): VerifiedCitizen, Path(no): Path<String>) -> Result<Response, PageError> {
    let (case, t) = super::track::own_ticket(&state, &c, &no).await?;
    let letter = t.channel == "mailbox";
    let (handle, mailbox) = super::time_limits(&state).await?;
    let days = if letter {
        i64::from(mailbox)
    } else {
        match t.category_id {
            Some(id) => hq::category(&state.db, id).await?.map(|c| c.handle_days).filter(|d| *d > 0).unwrap_or(i64::from(handle)),
            None => i64::from(handle),
        }
    };
    let photos = crate::files::list(&state.db, "case", case.id).await?.into_iter().filter(|a| a.purpose == PHOTO_PURPOSE).count();
    render(&DonePage {
        layout: PortalLayout::new(&ctx, if letter { "来信已提交" } else { "诉求已提交" }, Some(&c)),
        case_no: case.case_no,
        letter,
        days,
        photos,
        wants_reply: t.wants_reply,
        masked: c.phone.masked(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Bytes;

    fn up(name: &str, bytes: &'static [u8]) -> Upload {
        Upload { field: "photos".into(), filename: name.into(), content_type: "image/jpeg".into(), bytes: Bytes::from_static(bytes) }
    }

    #[test]
    fn photos_are_checked_by_content_count_and_size() {
        let jpg: &'static [u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0];
        assert!(check_photos(&[up("a.jpg", jpg)], 10).is_empty());
        let e = check_photos(&[up("a.jpg", b"%PDF-1.4 x")], 10);
        assert_eq!(e[0].code, "not_a_photo");
        let six: Vec<Upload> = (0..6).map(|i| up(&format!("{i}.jpg"), jpg)).collect();
        assert_eq!(check_photos(&six, 10)[0].code, "too_many_photos");
        assert_eq!(check_photos(&[up("a.jpg", jpg)], 0)[0].code, "photo_too_large");
    }

    #[test]
    fn keys_are_bound_to_the_phone() {
        let c = Citizen { phone: crate::privacy::Phone::parse_mobile("13812345678").unwrap() };
        assert_eq!(idempotency_key(&c, Some("abcdefghijklmnopqrstuvwxyz012345")).unwrap(), "portal:13812345678:abcdefghijklmnopqrstuvwxyz012345");
        assert!(idempotency_key(&c, Some("short")).is_none());
        assert!(idempotency_key(&c, Some("abcdefghijklmnop qrstuvwxyz")).is_none());
        assert!(idempotency_key(&c, None).is_none());
    }
}
