//! 好差评 on the staff side (`/services/ratings`): the ratings of the units in scope, the bad
//! ones first with their follow-up deadline, and the follow-up recorded (on time or late).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};

use crate::auth::Staff;
use crate::error::AppError;
use crate::online::{self, RatingRow};
use crate::rules;
use crate::state::AppState;
use crate::time::{fmt_date, today};
use crate::web::extract::{Path, Query};
use crate::web::form::FormData;
use crate::web::{Ctx, Layout, PageError, redirect_flash, redirect_ok, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/services/ratings", get(list))
        .route("/services/ratings/export.xlsx", get(export))
        .route("/services/ratings/{id}/followup", post(follow_up))
}

pub struct RatingLine {
    pub r: RatingRow,
    pub label: &'static str,
    pub bad: bool,
    /// An open follow-up past its day.
    pub late: bool,
}

#[derive(serde::Deserialize, Default)]
pub struct RatingFilter {
    #[serde(default)]
    pub bad: String,
}

#[derive(Template)]
#[template(path = "services/ratings.html")]
struct RatingsPage {
    layout: Layout,
    items: Vec<RatingLine>,
    filter: RatingFilter,
    days: u32,
    basis: String,
    followup_basis: String,
}

async fn list(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(filter): Query<RatingFilter>) -> Result<Response, PageError> {
    if !crate::reads(&staff) {
        return Err(AppError::forbidden("forbidden", "您没有查看政务服务评价的权限").into());
    }
    let d = fmt_date(today());
    let items = online::ratings(&state, &staff, filter.bad == "1")
        .await?
        .into_iter()
        .map(|r| RatingLine {
            label: rules::rating_label(r.score),
            bad: r.score <= 2,
            late: r.followup_on.is_none() && r.followup_due.as_deref().is_some_and(|due| due < d.as_str()),
            r,
        })
        .collect();
    render(&RatingsPage {
        layout: Layout::new(&staff, &ctx, "好差评").crumb("政务服务", "/services/applications").crumb("好差评", ""),
        items,
        filter,
        days: online::followup_days(&state.db).await?,
        basis: rules::RATING.full(),
        followup_basis: rules::RATING_FOLLOWUP.full(),
    })
}

/// The ratings as listed, as XLSX (dates as dates).
async fn export(State(state): State<AppState>, staff: Staff, Query(filter): Query<RatingFilter>) -> Result<Response, PageError> {
    if !crate::reads(&staff) {
        return Err(AppError::forbidden("forbidden", "您没有查看政务服务评价的权限").into());
    }
    use crate::tabular::XCell;
    let data: Vec<Vec<XCell>> = online::ratings(&state, &staff, filter.bad == "1")
        .await?
        .into_iter()
        .map(|r| {
            vec![
                XCell::text(r.case_no),
                XCell::text(r.item),
                XCell::text(rules::rating_label(r.score)),
                XCell::date(Some(r.rated_on.as_str())),
                XCell::text(r.comment.unwrap_or_default()),
                XCell::date(r.followup_due.as_deref()),
                XCell::date(r.followup_on.as_deref()),
                XCell::text(match r.followup_on_time {
                    Some(true) => "按期",
                    Some(false) => "逾期",
                    None => "",
                }),
                XCell::text(r.followup_note.unwrap_or_default()),
            ]
        })
        .collect();
    let filters = [("评价", if filter.bad == "1" { "只看差评".to_string() } else { String::new() })];
    let title = crate::tabular::export_title("政务服务好差评", &filters, data.len());
    let header = ["申请编号", "事项", "评价", "评价日期", "意见", "回访期限", "回访日期", "是否按期", "回访整改情况"].map(String::from).to_vec();
    Ok(crate::tabular::export("政务服务好差评", &[crate::tabular::Sheet::new("好差评", Some(title), header, data)])?)
}

async fn follow_up(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>, form: FormData) -> Result<Response, PageError> {
    match online::follow_up(&state, &staff, id, form.get("followup_note").map(str::to_string)).await {
        Ok(()) => Ok(redirect_ok("/services/ratings?bad=1", "已登记差评回访整改")),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. } | AppError::Refused { .. })) => {
            Ok(redirect_flash("/services/ratings?bad=1", false, &e.user_message()))
        }
        Err(e) => Err(e.into()),
    }
}
