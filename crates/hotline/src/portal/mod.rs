//! The hotline on the citizens' portal: file a 12345 request with photos, write to the
//! 市长信箱, follow and rate one's tickets; anyone can follow a ticket by number and phone and
//! read the published letters. Nothing of the staff side shows here: no internal notes, no other
//! people's tickets, phone numbers masked.

mod letters;
pub mod lookup;
pub mod queries;
mod report;
mod track;

use axum::Router;
use axum::routing::{get, post};

use crate::error::AppError;
use crate::kernel::engine::rule_days;
use crate::registry::{PortalEntry, PortalTile};
use crate::rules::{LOCAL_HANDLE, MAILBOX_LOCAL, PROCEDURE};
use crate::state::AppState;
pub use fazhi_platform::portal::{FormState, VerifiedCitizen, date_cn, iso_to_display, safe_next, with_status};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal/report", get(report::report_form).post(report::report_submit))
        .route("/portal/letter", get(report::letter_form).post(report::letter_submit))
        .route("/portal/done/{no}", get(report::done))
        .route("/portal/track", get(track::form).post(track::lookup))
        .route("/portal/track/{no}", get(track::own))
        .route("/portal/track/{no}/rate", post(track::rate))
        .route("/portal/mine", get(track::mine))
        .route("/portal/photos/{id}", get(track::photo))
        .route("/portal/letters", get(letters::list))
        .route("/portal/letters/{id}", get(letters::show))
}

/// The hotline's local time limits as configured: (handling days, mailbox days).
pub async fn time_limits(state: &AppState) -> Result<(u32, u32), AppError> {
    let overrides = crate::settings::procedure_overrides(&state.db, "hotline").await?;
    let days = |code: &str| PROCEDURE.deadlines.iter().find(|d| d.code == code).map(|d| rule_days(d, &overrides)).unwrap_or(0);
    Ok((days("handle"), days("mailbox")))
}

/// The hotline's entries on the portal home page.
pub async fn entry(state: &AppState) -> Result<PortalEntry, AppError> {
    let (handle_days, mailbox_days) = time_limits(state).await?;
    let tile = |title: &str, text: &str, href: &str| PortalTile { title: title.into(), text: text.into(), href: href.into() };
    Ok(PortalEntry {
        tiles: vec![
            tile("我要反映", "12345 网上诉求：城市管理、物业、交通、环境、消费等", "/portal/report"),
            tile("写信给市长", "市长信箱：意见建议、反映问题", "/portal/letter"),
            tile("查询办理进度", "凭工单编号和手机号查询，并对答复作出评价", "/portal/track"),
            tile("信件公开", "经写信人同意公开的来信和答复", "/portal/letters"),
        ],
        after: vec![
            ("登记".into(), "提交后立即生成工单编号，请记下或复制保存，凭编号和手机号随时查询进度。".into()),
            ("受理、派单".into(), "12345 热线中心受理后，派给负责的部门或乡镇办理。不属于受理范围的，会告诉您理由和可以通过什么途径解决。".into()),
            (
                "办理、答复".into(),
                format!(
                    "网上诉求一般在 {handle_days} 个工作日内办结答复，市长信箱来信一般在 {mailbox_days} 个工作日内答复；各类别的具体时限在提交时显示。时限自派给承办单位之日起按工作日计算，法定节假日不计；以上天数为本市默认值。"
                ),
            ),
            ("评价".into(), "答复后请您评价：满意、基本满意或不满意。不满意的，退回承办单位重新办理。".into()),
        ],
        basis: vec![LOCAL_HANDLE.full(), MAILBOX_LOCAL.full()],
        mine: Some(("查看我反映过的诉求".into(), "/portal/mine".into())),
    })
}
