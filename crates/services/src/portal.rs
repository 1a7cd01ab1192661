//! Government services on the citizens' portal (`/portal/services`): find an item by life event,
//! department or keyword; its guide (materials, time limit in working days, fee, where to go);
//! the online application for an item that can be done online (the form is the item's, the
//! applicant's phone verified as everywhere on the portal); the applicant's own applications,
//! followed to their result, and 好差评.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use crate::auth::MaybeCitizen;
use crate::db::q;
use crate::error::{AppError, FieldError};
use crate::online::{self, FormField, LIFE_EVENTS, MyApp};
use crate::rules::{self, PROCEDURE};
use crate::service::{self, ITEM_COLS, ItemRow};
use crate::state::AppState;
use crate::web::extract::{Path, Query};
use crate::web::form::{FormData, Multipart};
use crate::web::{Ctx, PageError, PortalLayout, redirect_ok, render};
use fazhi_platform::portal::VerifiedCitizen;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/portal/services", get(home))
        .route("/portal/services/items/{id}", get(guide))
        .route("/portal/services/items/{id}/apply", get(apply_form).post(apply))
        .route("/portal/services/mine", get(mine))
        .route("/portal/services/applications/{id}", get(one))
        .route("/portal/services/applications/{id}/rate", post(rate))
        .route("/portal/services/bundles/{id}", get(bundle_form).post(bundle_apply))
        .route("/portal/services/bundle-apps/{id}", get(bundle_app))
}

#[derive(Deserialize, Default)]
struct Find {
    #[serde(default)]
    q: String,
    #[serde(default)]
    event: String,
    #[serde(default)]
    org: String,
}

#[derive(Template)]
#[template(path = "services/portal_home.html")]
struct HomePage {
    layout: PortalLayout,
    find: Find,
    events: &'static [(&'static str, &'static str)],
    units: Vec<(i64, String)>,
    items: Vec<(ItemRow, String, &'static str)>,
    searched: bool,
    bundles: Vec<crate::bundle::BundleRow>,
}

/// The units that have items, for the department filter (one query).
async fn units(state: &AppState) -> Result<Vec<(i64, String)>, AppError> {
    q("SELECT o.id, o.name FROM orgs o WHERE o.id IN (SELECT DISTINCT org_id FROM svc_items) ORDER BY o.sort, o.id").fetch_all(&state.db).await
}

async fn home(State(state): State<AppState>, ctx: Ctx, MaybeCitizen(c): MaybeCitizen, Query(find): Query<Find>) -> Result<Response, PageError> {
    let units = units(&state).await?;
    let keyword: String = find.q.trim().chars().take(50).collect();
    let event = LIFE_EVENTS.iter().find(|e| e.0 == find.event).map(|e| e.0);
    let org = find.org.parse::<i64>().ok().filter(|o| units.iter().any(|u| u.0 == *o));
    let searched = !keyword.is_empty() || event.is_some() || org.is_some();
    let mut items = Vec::new();
    if searched {
        // Cancelled approvals are no longer applied for; everything else is listed.
        let mut query = q(format!("SELECT {ITEM_COLS} FROM svc_items i WHERE i.reform_mode <> 'cancel'"));
        if !keyword.is_empty() {
            let like = format!("%{}%", crate::db::dialect::like_escape(&keyword));
            query = query.push_bind(" AND (i.name LIKE {} ESCAPE '\\'", like).push_bind(" OR i.code = {})", keyword.clone());
        }
        if let Some(e) = event {
            query = query.push_bind(" AND i.life_event = {}", e.to_string());
        }
        if let Some(o) = org {
            query = query.push_bind(" AND i.org_id = {}", o);
        }
        let rows: Vec<ItemRow> = query.push(" ORDER BY i.online_level = 'onsite', i.name, i.id LIMIT 50").fetch_all(&state.db).await?;
        let names: BTreeMap<i64, String> = units.iter().cloned().collect();
        items = rows
            .into_iter()
            .map(|i| (names.get(&i.org_id).cloned().unwrap_or_default(), rules::label(rules::ONLINE_LEVELS, &i.online_level), i))
            .map(|(u, l, i)| (i, u, l))
            .collect();
    }
    let bundles = crate::bundle::all(&state.db).await?;
    render(&HomePage { layout: PortalLayout::new(&ctx, "政务服务", c.as_ref()), find, events: LIFE_EVENTS, units, items, searched, bundles })
}

#[derive(Template)]
#[template(path = "services/portal_guide.html")]
struct GuidePage {
    layout: PortalLayout,
    item: ItemRow,
    unit: String,
    kind: &'static str,
    level: &'static str,
    mode: &'static str,
    mode_effect: &'static str,
    materials: Vec<String>,
    fee: String,
    place: String,
    limit: i64,
    meaning: String,
    not_online: Option<String>,
}

async fn guide(State(state): State<AppState>, ctx: Ctx, MaybeCitizen(c): MaybeCitizen, Path(id): Path<i64>) -> Result<Response, PageError> {
    let item = service::item(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let g = online::guide(&state.db, id).await?;
    let unit = crate::org::queries::get(&state.db, item.org_id).await?.map(|o| o.name).unwrap_or_default();
    let limit = item.committed_days.min(item.statutory_days);
    render(&GuidePage {
        layout: PortalLayout::new(&ctx, item.name.clone(), c.as_ref()),
        unit,
        kind: rules::label(rules::KINDS, &item.kind),
        level: rules::label(rules::ONLINE_LEVELS, &item.online_level),
        mode: rules::label(rules::MODES, &item.reform_mode),
        mode_effect: rules::mode_effect(&item.reform_mode),
        materials: g.materials(),
        fee: g.fee.clone(),
        place: g.place.clone(),
        limit,
        meaning: crate::exchange::working_days_meaning(limit),
        not_online: online::not_online(&item),
        item,
    })
}

#[derive(Template)]
#[template(path = "services/portal_apply.html")]
struct ApplyPage {
    layout: PortalLayout,
    item: ItemRow,
    fields: Vec<FieldView>,
    materials: Vec<String>,
    phone: String,
    values: BTreeMap<String, String>,
    errors: Vec<FieldError>,
    basis: Vec<String>,
    commitment: bool,
    limit: i64,
}

/// A field of the item's form with what was typed and its error.
pub struct FieldView {
    pub f: FormField,
    pub input: String,
    pub value: String,
    pub err: String,
}

impl ApplyPage {
    fn v(&self, k: &str) -> String {
        self.values.get(k).cloned().unwrap_or_default()
    }
    fn err(&self, k: &str) -> String {
        self.errors.iter().filter(|e| e.field == k).map(|e| e.message.clone()).collect::<Vec<_>>().join("；")
    }
}

async fn apply_page(
    state: &AppState,
    ctx: &Ctx,
    c: &crate::auth::Citizen,
    id: i64,
    values: BTreeMap<String, String>,
    e: Option<AppError>,
) -> Result<Response, PageError> {
    let item = service::item(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let g = online::guide(&state.db, id).await?;
    let (errors, basis) = match &e {
        Some(AppError::Refused { fields, basis, .. }) => (fields.clone(), basis.clone()),
        Some(other) => (vec![FieldError::new("", "error", other.user_message())], vec![]),
        None => (vec![], vec![]),
    };
    // An item that cannot be done online says why instead of showing a form.
    let errors = match (online::not_online(&item), errors.is_empty()) {
        (Some(reason), true) => vec![FieldError::new("item_id", "item_not_online", reason)],
        _ => errors,
    };
    let bad = !errors.is_empty();
    let fields = g
        .fields()
        .into_iter()
        .map(|f| {
            let input = format!("f_{}", f.name);
            let value = values.get(&input).cloned().unwrap_or_default();
            let err = errors.iter().filter(|e| e.field == input).map(|e| e.message.clone()).collect::<Vec<_>>().join("；");
            FieldView { f, input, value, err }
        })
        .collect();
    let mut r = render(&ApplyPage {
        layout: PortalLayout::new(ctx, format!("在线申请：{}", item.name), Some(c)),
        fields,
        materials: g.materials(),
        phone: c.phone.masked(),
        values,
        errors,
        basis,
        commitment: item.reform_mode == "commitment",
        limit: item.committed_days.min(item.statutory_days),
        item,
    })?;
    if bad && e.is_some() {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn apply_form(State(state): State<AppState>, ctx: Ctx, VerifiedCitizen(c): VerifiedCitizen, Path(id): Path<i64>) -> Result<Response, PageError> {
    apply_page(&state, &ctx, &c, id, BTreeMap::new(), None).await
}

async fn apply(
    State(state): State<AppState>,
    ctx: Ctx,
    VerifiedCitizen(c): VerifiedCitizen,
    Path(id): Path<i64>,
    form: Multipart,
) -> Result<Response, PageError> {
    let values: BTreeMap<String, String> = form.fields.0.iter().filter(|(k, _)| k != "_csrf").cloned().collect();
    let f = online::OnlineForm {
        applicant: form.fields.get("applicant").map(str::to_string),
        values: values.iter().filter_map(|(k, v)| k.strip_prefix("f_").map(|k| (k.to_string(), v.clone()))).collect(),
        commitment_signed: form.fields.get("commitment_signed") == Some("yes"),
    };
    match online::apply(&state, &c, id, f, &form.files).await {
        Ok(case) => {
            let msg = if case.state == "verifying" {
                format!("已提交并以告知承诺方式当场准予许可，申请编号 {}", case.case_no)
            } else {
                format!("已提交，申请编号 {}；5个工作日内受理或一次告知补正", case.case_no)
            };
            Ok(redirect_ok(&format!("/portal/services/applications/{}", case.id), &msg))
        }
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. } | AppError::TooLarge { .. } | AppError::UnsupportedMedia { .. })) => {
            apply_page(&state, &ctx, &c, id, values, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub struct MyLine {
    pub app: MyApp,
    pub state: &'static str,
    pub outcome: &'static str,
}

fn outcome_label(o: Option<&str>) -> &'static str {
    match o {
        Some("granted") => "准予许可",
        Some("denied") => "不予许可",
        Some("revoked") => "已撤销许可",
        _ => "",
    }
}

fn line(app: MyApp) -> MyLine {
    MyLine { state: PROCEDURE.state_name(&app.state), outcome: outcome_label(app.outcome.as_deref()), app }
}

#[derive(Template)]
#[template(path = "services/portal_mine.html")]
struct MinePage {
    layout: PortalLayout,
    items: Vec<MyLine>,
    bundles: Vec<(crate::bundle::BundleApp, String)>,
}

async fn mine(State(state): State<AppState>, ctx: Ctx, VerifiedCitizen(c): VerifiedCitizen) -> Result<Response, PageError> {
    let items = online::mine(&state.db, &c).await?.into_iter().map(line).collect();
    let bundles = crate::bundle::mine(&state.db, &c).await?;
    render(&MinePage { layout: PortalLayout::new(&ctx, "我的政务服务申请", Some(&c)), items, bundles })
}

#[derive(Template)]
#[template(path = "services/portal_app.html")]
struct AppPage {
    layout: PortalLayout,
    l: MyLine,
    state_text: &'static str,
    ratings: &'static [(i64, &'static str)],
    rated: &'static str,
    error: Option<AppError>,
    followup_days: u32,
    verify_note: bool,
}

async fn app_page(state: &AppState, ctx: &Ctx, c: &crate::auth::Citizen, id: i64, error: Option<AppError>) -> Result<Response, PageError> {
    let app = online::my_one(&state.db, c, id).await?;
    let text = PROCEDURE.states.iter().find(|s| s.code == app.state).map(|s| s.description).unwrap_or("");
    let bad = error.is_some();
    let l = line(app);
    let mut r = render(&AppPage {
        layout: PortalLayout::new(ctx, format!("申请 {}", l.app.case_no), Some(c)),
        state_text: text,
        ratings: rules::RATINGS,
        rated: l.app.score.map(rules::rating_label).unwrap_or(""),
        verify_note: l.app.state == "verifying",
        l,
        error,
        followup_days: online::followup_days(&state.db).await?,
    })?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn one(State(state): State<AppState>, ctx: Ctx, VerifiedCitizen(c): VerifiedCitizen, Path(id): Path<i64>) -> Result<Response, PageError> {
    app_page(&state, &ctx, &c, id, None).await
}

async fn rate(
    State(state): State<AppState>,
    ctx: Ctx,
    VerifiedCitizen(c): VerifiedCitizen,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response, PageError> {
    let score = form.int("score");
    match online::rate(&state, &c, id, score, form.get("comment").map(str::to_string)).await {
        Ok(()) => Ok(redirect_ok(&format!("/portal/services/applications/{id}"), "感谢您的评价")),
        Err(e @ (AppError::Refused { .. } | AppError::Conflict { .. })) => app_page(&state, &ctx, &c, id, Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "services/portal_bundle.html")]
struct BundlePage {
    layout: PortalLayout,
    b: crate::bundle::BundleRow,
    members: Vec<(ItemRow, String)>,
    fields: Vec<(crate::bundle::SharedField, String, String)>,
    materials: Vec<String>,
    commitment: bool,
    phone: String,
    applicant: String,
    errors: Vec<FieldError>,
    signed: bool,
}

impl BundlePage {
    fn err(&self, k: &str) -> String {
        self.errors.iter().filter(|e| e.field == k).map(|e| e.message.clone()).collect::<Vec<_>>().join("；")
    }
}

async fn bundle_page(
    state: &AppState,
    ctx: &Ctx,
    c: &crate::auth::Citizen,
    id: i64,
    values: BTreeMap<String, String>,
    e: Option<AppError>,
) -> Result<Response, PageError> {
    let b = crate::bundle::get(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let members = crate::bundle::members(&state.db, id).await?;
    let errors = match &e {
        Some(AppError::Refused { fields, .. }) => fields.clone(),
        Some(other) => vec![FieldError::new("", "error", other.user_message())],
        None => vec![],
    };
    let fields = crate::bundle::form(&b, &members)
        .into_iter()
        .map(|s| {
            let input = format!("f_{}", s.field.name);
            let err = errors.iter().filter(|e| e.field == input).map(|e| e.message.clone()).collect::<Vec<_>>().join("；");
            let value = values.get(&input).cloned().unwrap_or_default();
            (s, value, err)
        })
        .collect();
    let bad = e.is_some();
    let mut r = render(&BundlePage {
        layout: PortalLayout::new(ctx, b.name.clone(), Some(c)),
        materials: crate::bundle::materials(&members),
        commitment: members.iter().any(|(i, _)| i.reform_mode == "commitment"),
        members: members.into_iter().map(|(i, _)| (i.clone(), rules::label(rules::MODES, &i.reform_mode).to_string())).collect(),
        fields,
        phone: c.phone.masked(),
        applicant: values.get("applicant").cloned().unwrap_or_default(),
        signed: values.get("commitment_signed").is_some_and(|v| v == "yes"),
        errors,
        b,
    })?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn bundle_form(State(state): State<AppState>, ctx: Ctx, VerifiedCitizen(c): VerifiedCitizen, Path(id): Path<i64>) -> Result<Response, PageError> {
    bundle_page(&state, &ctx, &c, id, BTreeMap::new(), None).await
}

async fn bundle_apply(
    State(state): State<AppState>,
    ctx: Ctx,
    VerifiedCitizen(c): VerifiedCitizen,
    Path(id): Path<i64>,
    form: Multipart,
) -> Result<Response, PageError> {
    let values: BTreeMap<String, String> = form.fields.0.iter().filter(|(k, _)| k != "_csrf").cloned().collect();
    let f = crate::bundle::BundleForm {
        applicant: form.fields.get("applicant").map(str::to_string),
        values: values.iter().filter_map(|(k, v)| k.strip_prefix("f_").map(|k| (k.to_string(), v.clone()))).collect(),
        commitment_signed: form.fields.get("commitment_signed") == Some("yes"),
    };
    match crate::bundle::apply(&state, &c, id, f, &form.files).await {
        Ok((app, cases)) => Ok(redirect_ok(&format!("/portal/services/bundle-apps/{app}"), &format!("已一次提交 {} 个事项的申请", cases.len()))),
        Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. } | AppError::TooLarge { .. } | AppError::UnsupportedMedia { .. })) => {
            bundle_page(&state, &ctx, &c, id, values, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "services/portal_bundle_app.html")]
struct BundleAppPage {
    layout: PortalLayout,
    app: crate::bundle::BundleApp,
    name: String,
    members: Vec<(crate::bundle::MemberState, &'static str, &'static str)>,
    result: Option<String>,
}

async fn bundle_app(State(state): State<AppState>, ctx: Ctx, VerifiedCitizen(c): VerifiedCitizen, Path(id): Path<i64>) -> Result<Response, PageError> {
    let (app, members) = crate::bundle::my_app(&state.db, &c, id).await?;
    let name = crate::bundle::get(&state.db, app.bundle_id).await?.map(|b| b.name).unwrap_or_default();
    let result = crate::bundle::result(&members);
    let members = members.into_iter().map(|m| (PROCEDURE.state_name(&m.state), outcome_label(m.outcome.as_deref()), m)).map(|(s, o, m)| (m, s, o)).collect();
    render(&BundleAppPage { layout: PortalLayout::new(&ctx, name.clone(), Some(&c)), app, name, members, result })
}
