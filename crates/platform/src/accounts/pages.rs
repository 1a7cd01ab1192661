//! `/admin/users` (accounts and role grants) and `/admin/tokens` (API tokens).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use futures::FutureExt;
use serde::Deserialize;

use super::queries::{self, GrantRow, UserInput, UserRow};
use crate::audit::{self, EventRow};
use crate::auth::roles::{all_perms, all_roles};
use crate::auth::tokens::{self, TokenRow};
use crate::auth::{Perm, Staff, password};
use crate::error::{AppError, FieldError};
use crate::org::queries::{self as orgs, OrgRow};
use crate::state::AppState;
use crate::tabular::{Sheet, XCell};
use crate::web::extract::{Path, Query};
use crate::web::form::FormData;
use crate::web::{Ctx, Layout, Page, PageError, Paging, redirect_ok, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list).post(create))
        .route("/admin/users/new", get(new_form))
        .route("/admin/users/export.xlsx", get(export))
        .route("/admin/users/{id}", get(edit_form).post(update))
        .route("/admin/tokens", get(tokens_page).post(create_token))
        .route("/admin/tokens/{id}/revoke", post(revoke_token))
}

#[derive(Deserialize)]
struct ListQuery {
    q: Option<String>,
    org: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct ListPage {
    layout: Layout,
    page: Page<UserRow>,
    search: String,
    org: String,
    base: String,
    query: String,
}

async fn list(State(state): State<AppState>, staff: Staff, ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_USERS)?;
    let paging = Paging { page: q.page, per: Some(30) };
    let org_path = match q.org.as_deref().filter(|s| !s.is_empty()) {
        Some(code) => orgs::by_code(&state.db, code).await?.map(|o| o.path),
        None => None,
    };
    let page = queries::list(&state.db, q.q.as_deref(), org_path.as_deref(), &paging).await?;
    let search = q.q.unwrap_or_default();
    let org = q.org.unwrap_or_default();
    let query = format!("q={}&org={}", crate::web::urlencode(&search), crate::web::urlencode(&org));
    let base = format!("/admin/users?{query}&");
    render(&ListPage {
        layout: Layout::new(&staff, &ctx, "账号管理").crumb("系统管理", "").crumb("账号", "/admin/users"), page, search, org, base, query
    })
}

/// The accounts the filter selects, as XLSX (phone numbers masked, as on the page).
async fn export(State(state): State<AppState>, staff: Staff, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_USERS)?;
    let org = match q.org.as_deref().filter(|s| !s.is_empty()) {
        Some(code) => orgs::by_code(&state.db, code).await?,
        None => None,
    };
    let mut users = Vec::new();
    for p in 1.. {
        let page =
            queries::list(&state.db, q.q.as_deref(), org.as_ref().map(|o| o.path.as_str()), &Paging { page: Some(p), per: Some(Paging::MAX_PER) }).await?;
        let more = page.has_next();
        users.extend(page.items);
        if !more {
            break;
        }
    }
    let title = crate::tabular::export_title(
        "账号",
        &[("姓名或用户名", q.q.clone().unwrap_or_default().trim().to_string()), ("机构（含下级）", org.map(|o| o.name).unwrap_or_default())],
        users.len(),
    );
    let header = ["姓名", "用户名", "所属机构", "角色", "电话", "状态", "须修改密码"].map(String::from).to_vec();
    let rows = users
        .into_iter()
        .map(|u| {
            vec![
                XCell::text(u.display_name.clone()),
                XCell::text(u.username.clone()),
                XCell::text(u.org_name.clone()),
                XCell::text(u.roles_label()),
                XCell::text(u.phone_masked()),
                XCell::text(if u.active { "启用" } else { "停用" }),
                XCell::text(if u.must_change_password { "是" } else { "否" }),
            ]
        })
        .collect();
    Ok(crate::tabular::export("账号", &[Sheet::new("账号", Some(title), header, rows)])?)
}

#[derive(Template)]
#[template(path = "admin/user_form.html")]
struct FormPage {
    layout: Layout,
    user: Option<UserRow>,
    input: UserInput,
    version: i64,
    errors: Vec<FieldError>,
    all_orgs: Vec<OrgRow>,
    roles: Vec<(&'static str, &'static str, String)>,
    timeline: Vec<EventRow>,
}

impl FormPage {
    fn role_scope(&self, role: &str) -> Option<String> {
        self.input.roles.iter().find(|(r, _)| r == role).map(|(_, s)| s.clone())
    }
}

async fn form_page(
    state: &AppState,
    staff: &Staff,
    ctx: &Ctx,
    user: Option<UserRow>,
    input: UserInput,
    errors: Vec<FieldError>,
) -> Result<Response, PageError> {
    let all_orgs = orgs::all(&state.db).await?;
    let timeline = match &user {
        Some(u) => audit::timeline(&state.db, "user", u.id).await?,
        None => vec![],
    };
    let roles = all_roles().iter().map(|r| (r.code(), r.label(), r.perms().iter().map(|p| p.label()).collect::<Vec<_>>().join("、"))).collect();
    let title = user.as_ref().map(|u| format!("编辑账号：{}", u.display_name)).unwrap_or_else(|| "新建账号".into());
    let bad = !errors.is_empty();
    let mut r = render(&FormPage {
        layout: Layout::new(staff, ctx, title.clone()).crumb("账号", "/admin/users").crumb(title, ""),
        version: user.as_ref().map(|u| u.version).unwrap_or(0),
        user,
        input,
        errors,
        all_orgs,
        roles,
        timeline,
    })?;
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn new_form(State(state): State<AppState>, staff: Staff, ctx: Ctx) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_USERS)?;
    form_page(&state, &staff, &ctx, None, UserInput { active: true, ..Default::default() }, vec![]).await
}

fn input_from(form: &FormData) -> UserInput {
    let mut roles = Vec::new();
    for r in all_roles() {
        if form.checked(&format!("role_{}", r.code())) {
            roles.push((r.code().to_string(), form.get(&format!("scope_{}", r.code())).unwrap_or("").to_string()));
        }
    }
    UserInput {
        username: form.get("username").unwrap_or("").trim().to_string(),
        display_name: form.get("display_name").unwrap_or("").to_string(),
        org_code: form.get("org_code").unwrap_or("").to_string(),
        phone: form.get("phone").map(str::to_string),
        active: form.checked("active"),
        roles,
        password: form.get("password").filter(|p| !p.is_empty()).map(str::to_string),
    }
}

async fn hash_opt(pw: Option<String>) -> Result<Option<String>, AppError> {
    match pw {
        Some(p) if password::check_policy(&p, "").is_ok() => {
            Ok(Some(tokio::task::spawn_blocking(move || password::hash(&p)).await.map_err(|e| AppError::internal(e.to_string()))??))
        }
        _ => Ok(None),
    }
}

async fn create(State(state): State<AppState>, staff: Staff, ctx: Ctx, form: FormData) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_USERS)?;
    let input = input_from(&form);
    let hash = hash_opt(input.password.clone()).await?.unwrap_or_default();
    let actor = staff.actor();
    let i2 = input.clone();
    match state.db.write(move |tx| async move { queries::create(tx, &actor, &i2, hash, true).await }.boxed()).await {
        Ok(_) => Ok(redirect_ok("/admin/users", &format!("已新建账号 {}，首次登录须修改密码", input.username))),
        Err(AppError::Invalid { mut fields, .. }) => {
            form.order_errors(&mut fields);
            form_page(&state, &staff, &ctx, None, input, fields).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn load_input(state: &AppState, u: &UserRow) -> Result<UserInput, AppError> {
    let grants: Vec<GrantRow> = queries::grants(&state.db, u.id).await?;
    let org = orgs::get(&state.db, u.org_id).await?;
    let roles = grants.into_iter().map(|g| (g.role, g.scope_code)).collect();
    Ok(UserInput {
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        org_code: org.map(|o| o.code).unwrap_or_default(),
        phone: u.phone.clone(),
        active: u.active,
        roles,
        password: None,
    })
}

async fn edit_form(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_USERS)?;
    let u = queries::get(&state.db, id).await?.ok_or_else(|| AppError::not_found("user_not_found", "账号不存在"))?;
    let input = load_input(&state, &u).await?;
    form_page(&state, &staff, &ctx, Some(u), input, vec![]).await
}

async fn update(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>, form: FormData) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_USERS)?;
    let input = input_from(&form);
    let version = form.int("version").ok_or_else(|| AppError::bad_request("missing_version", "缺少版本号，请刷新页面后重试"))?;
    if id == staff.id && !input.active {
        return Err(AppError::field("active", "cannot_disable_self", "不能停用自己的账号").into());
    }
    let hash = hash_opt(input.password.clone()).await?;
    let actor = staff.actor();
    let i2 = input.clone();
    match state.db.write(move |tx| async move { queries::update(tx, &actor, id, version, &i2, hash).await }.boxed()).await {
        Ok(()) => Ok(redirect_ok(&format!("/admin/users/{id}"), "已保存")),
        Err(AppError::Invalid { mut fields, .. }) => {
            form.order_errors(&mut fields);
            let u = queries::get(&state.db, id).await?;
            form_page(&state, &staff, &ctx, u, input, fields).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "admin/tokens.html")]
struct TokensPage {
    layout: Layout,
    tokens: Vec<(TokenRow, String, bool)>,
    all_orgs: Vec<OrgRow>,
    perms: Vec<(&'static str, &'static str)>,
    created: Option<String>,
    errors: Vec<FieldError>,
}

async fn tokens_view(state: &AppState, staff: &Staff, ctx: &Ctx, created: Option<String>, errors: Vec<FieldError>) -> Result<Response, PageError> {
    let now = crate::time::now_ms();
    let list = tokens::list(&state.db).await?;
    let all_orgs = orgs::all(&state.db).await?;
    let tokens = list
        .into_iter()
        .map(|t| {
            let org = all_orgs.iter().find(|o| o.id == t.org_id).map(|o| o.name.clone()).unwrap_or_default();
            let live = t.is_live(now);
            (t, org, live)
        })
        .collect();
    let perms = all_perms().iter().filter(|p| p.for_tokens()).map(|p| (p.code(), p.label())).collect();
    render(&TokensPage {
        layout: Layout::new(staff, ctx, "接口令牌").crumb("系统管理", "").crumb("接口令牌", "/admin/tokens"),
        tokens,
        all_orgs,
        perms,
        created,
        errors,
    })
}

async fn tokens_page(State(state): State<AppState>, staff: Staff, ctx: Ctx) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_TOKENS)?;
    tokens_view(&state, &staff, &ctx, None, vec![]).await
}

async fn create_token(State(state): State<AppState>, staff: Staff, ctx: Ctx, form: FormData) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_TOKENS)?;
    let perms: Vec<String> = form.all("scopes").into_iter().map(str::to_string).collect();
    match tokens::create(&state.db, staff.actor(), &staff.grants, form.get("name").unwrap_or(""), form.int("org_id"), &perms, form.int("days")).await {
        Ok((_, raw)) => tokens_view(&state, &staff, &ctx, Some(raw), vec![]).await,
        Err(AppError::Invalid { mut fields, .. }) => {
            form.order_errors(&mut fields);
            tokens_view(&state, &staff, &ctx, None, fields).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn revoke_token(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> Result<Response, PageError> {
    staff.require(Perm::ADMIN_TOKENS)?;
    tokens::revoke(&state.db, staff.actor(), id).await?;
    Ok(redirect_ok("/admin/tokens", "令牌已吊销，使用它的请求将立即被拒绝"))
}
