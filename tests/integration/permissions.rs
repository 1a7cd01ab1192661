//! The permission matrix: every demo role against every route, including another unit's record
//! fetched by id through the pages and the API (404, never a leak).

use axum::http::StatusCode;

use crate::common::*;
use fazhi::db::q;
use fazhi::hotline::service::{self, IntakeInput, StepForm, Who};

const USERS: [&str; 11] = ["admin", "sfj", "legal", "agent", "dispatcher", "zjj_head", "zjj_staff", "cgj_staff", "cgj_zd1", "dh_staff", "inspector"];

async fn dispatched_to(app: &TestApp, unit: &str, text: &str) -> i64 {
    let id = q("SELECT id FROM users WHERE username = 'dispatcher'").fetch_i64(&app.state.db).await.unwrap();
    let disp = fazhi::auth::extract::load_staff(&app.state, id).await.unwrap().unwrap();
    let cat = fazhi::hotline::queries::category_by_code(&app.state.db, "QT").await.unwrap().unwrap().id;
    let input = IntakeInput {
        caller_phone: Some("13911110000".into()),
        category_id: Some(cat),
        town_id: Some(org_id(app, "T-DH").await),
        description: Some(text.into()),
        accept_now: true,
        phone_required: true,
        ..Default::default()
    };
    let case = service::intake(&app.state, disp.actor(), input).await.unwrap().case;
    let mut f = StepForm::default();
    f.fields.insert("org".into(), org_id(app, unit).await.to_string());
    service::step(&app.state, Who::Staff(&disp), case.id, None, "dispatch", f).await.unwrap();
    case.id
}

#[tokio::test]
async fn every_role_against_every_route() {
    let app = TestApp::new().await;
    let zjj_ticket = dispatched_to(&app, "D-ZJJ", "住建局的工单").await;
    let zd_ticket = dispatched_to(&app, "D-CGJ-ZD1", "城管一中队的工单").await;
    // Expected status per user, in the order of USERS: 2 = 200, 3 = 403, 4 = 404.
    let matrix: Vec<(String, &str)> = vec![
        ("/".into(), "22222222222"),
        ("/admin/orgs".into(), "23333333333"),
        ("/admin/users".into(), "23333333333"),
        ("/admin/locks".into(), "23333333333"),
        ("/admin/calendar".into(), "23333333333"),
        ("/admin/tokens".into(), "23333333333"),
        ("/admin/audit".into(), "22333333333"),
        ("/hotline/tickets".into(), "32222222222"),
        ("/hotline/new".into(), "33322333333"),
        ("/hotline/kpi".into(), "32332233332"),
        ("/hotline/catalogue".into(), "22332333333"),
        ("/hotline/import".into(), "33332333333"),
        ("/procedures".into(), "22222222222"),
        ("/procedures/hotline".into(), "22222222222"),
        (format!("/hotline/tickets/{zjj_ticket}"), "42222224442"),
        (format!("/hotline/tickets/{zd_ticket}"), "42222442242"),
        ("/api/v1/me".into(), "22222222222"),
        ("/api/v1/hotline/tickets".into(), "22222222222"),
        ("/api/v1/hotline/kpi".into(), "32332233332"),
        (format!("/api/v1/hotline/tickets/{zjj_ticket}"), "42222224442"),
        (format!("/api/v1/hotline/tickets/{zd_ticket}"), "42222442242"),
    ];
    let mut failures = Vec::new();
    for (ui, user) in USERS.iter().enumerate() {
        let mut c = app.login(user).await;
        for (route, expect) in &matrix {
            let want = match expect.as_bytes()[ui] {
                b'2' => StatusCode::OK,
                b'3' => StatusCode::FORBIDDEN,
                _ => StatusCode::NOT_FOUND,
            };
            let got = c.get(route).await.status;
            if got != want {
                failures.push(format!("{user} GET {route}: expected {want}, got {got}"));
            }
        }
        // Nobody outside the unit can act on its ticket: 404, not 403, not a change.
        let v = fazhi::kernel::queries::get(&app.state.db, zjj_ticket).await.unwrap().unwrap().version.to_string();
        let r = c.post_multipart(&format!("/hotline/tickets/{zjj_ticket}/step/sign"), &[("version", &v)], &[]).await;
        let expect_sign = match *user {
            "zjj_staff" | "zjj_head" => StatusCode::SEE_OTHER,
            "sfj" | "legal" | "agent" | "dispatcher" | "inspector" => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::NOT_FOUND,
        };
        if *user == "zjj_staff" || *user == "zjj_head" {
            // Only the first of the two may sign; the second finds it already signed.
            if r.status != StatusCode::SEE_OTHER && r.status != StatusCode::UNPROCESSABLE_ENTITY && r.status != StatusCode::CONFLICT {
                failures.push(format!("{user} sign: got {}", r.status));
            }
        } else if r.status != expect_sign {
            failures.push(format!("{user} POST sign on 住建局 ticket: expected {expect_sign}, got {}", r.status));
        }
        // Lists only ever hold tickets in scope.
        let list = c.get("/api/v1/hotline/tickets?status=all&per=200").await.json();
        for t in list["items"].as_array().unwrap() {
            let org = t["org_id"].as_i64().unwrap();
            let path: String = q("SELECT path FROM orgs WHERE id = $1").bind(org).fetch_one::<(String,)>(&app.state.db).await.unwrap().0;
            let staff_id = q("SELECT id FROM users WHERE username = $1").bind(*user).fetch_i64(&app.state.db).await.unwrap();
            let s = fazhi::auth::extract::load_staff(&app.state, staff_id).await.unwrap().unwrap();
            if !s.allows(fazhi::auth::Perm::CASE_READ, Some("hotline"), &path) {
                failures.push(format!("{user} sees ticket {} of another unit in the API list", t["id"]));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The matrix generated from what the program registers: every role (the platform's and each
/// feature's) over the whole city and over one unit, against every feature's navigation and a
/// record of every procedure in two units — read through the pages and the API, and written to
/// through the API with another unit's token. A feature added later is covered without a line
/// here.
#[tokio::test]
async fn generated_matrix_of_every_registered_role_and_route() {
    use fazhi::auth::roles::{Perm, all_roles};
    use futures::FutureExt;

    let app = TestApp::new().await;
    let registry = app.state.registry.clone();
    // A record of every procedure in 住建局 and in 城管局.
    let mut records: Vec<(&'static fazhi::kernel::Procedure, i64, String)> = Vec::new();
    for unit in ["D-ZJJ", "D-CGJ"] {
        let org = fazhi::org::queries::by_code(&app.state.db, unit).await.unwrap().unwrap();
        for f in registry.features() {
            for id in f.sample(&app.state, org.id).await.unwrap() {
                let case = fazhi::kernel::queries::get(&app.state.db, id).await.unwrap().unwrap();
                let p = registry.procedures().into_iter().find(|p| p.code == case.procedure).unwrap();
                records.push((p, id, org.path.clone()));
            }
        }
    }
    assert!(records.len() >= 2 * registry.procedures().len(), "every procedure has a sample record");
    // One account per role and scope.
    let hash = fazhi::auth::password::hash(PASSWORD).unwrap();
    let mut accounts = Vec::new();
    for (i, role) in all_roles().iter().enumerate() {
        for (scope, home) in [("SFS", "D-BGS"), ("D-ZJJ", "D-ZJJ")] {
            let username = format!("m{i}_{}", if scope == "SFS" { "city" } else { "zjj" });
            let input = fazhi::accounts::queries::UserInput {
                username: username.clone(),
                display_name: format!("矩阵{i}"),
                org_code: home.into(),
                phone: None,
                active: true,
                roles: vec![(role.code.to_string(), scope.to_string())],
                password: Some(PASSWORD.into()),
            };
            let h = hash.clone();
            app.state
                .db
                .write(move |tx| async move { fazhi::accounts::queries::create(tx, &fazhi::audit::Actor::system(), &input, h, false).await }.boxed())
                .await
                .unwrap();
            accounts.push((username, role.code));
        }
    }
    // Every entry each feature shows to anyone.
    let mut hrefs = Vec::new();
    for f in registry.features() {
        hrefs.push(all_nav_hrefs(&app, f).await);
    }
    let mut failures = Vec::new();
    for (username, role) in &accounts {
        let id = q("SELECT id FROM users WHERE username = $1").bind(username.clone()).fetch_i64(&app.state.db).await.unwrap();
        let staff = fazhi::auth::extract::load_staff(&app.state, id).await.unwrap().unwrap();
        let mut c = app.login(username).await;
        // Navigation: what a person is shown opens; another feature's staff page does not.
        for (f, everyone) in registry.features().zip(&hrefs) {
            let shown: Vec<&str> = f.nav(&staff).into_iter().map(|(_, h)| h).collect();
            for &href in everyone {
                let mut r = c.get(href).await;
                if r.status == StatusCode::SEE_OTHER {
                    r = c.get(&r.location()).await;
                }
                if shown.contains(&href) {
                    if r.status != StatusCode::OK {
                        failures.push(format!("{role}@{username}: shown {href} but got {}", r.status));
                    }
                } else if !href.starts_with("/portal") && r.status == StatusCode::OK {
                    failures.push(format!("{role}@{username}: not shown {href} but it opened"));
                }
            }
        }
        // Records: readable where the grants reach, 404 elsewhere, in the pages and the API.
        for (p, rid, path) in &records {
            let may = staff.allows(Perm::CASE_READ, Some(p.code), path);
            let want = if may { StatusCode::OK } else { StatusCode::NOT_FOUND };
            for url in [p.case_url(*rid), p.api_url(*rid)] {
                let got = c.get(&url).await.status;
                if got != want {
                    failures.push(format!("{role}@{username} GET {url}: expected {want}, got {got}"));
                }
            }
        }
    }
    // Writes with tokens: another unit's token finds nothing; the unit's own token reaches the
    // record (and is refused only for the made-up step).
    for unit in ["D-ZJJ", "D-CGJ"] {
        let org = fazhi::org::queries::by_code(&app.state.db, unit).await.unwrap().unwrap();
        let (_, raw) = fazhi::auth::tokens::create(
            &app.state.db,
            fazhi::audit::Actor::system(),
            &fazhi::auth::roles::Grants(vec![]),
            &format!("矩阵令牌{unit}"),
            Some(org.id),
            &["case_read".into(), "case_handle".into(), "case_approve".into()],
            Some(30),
        )
        .await
        .unwrap();
        let mut c = app.client();
        c.bearer = Some(raw);
        for (p, rid, path) in &records {
            let url = format!("{}/steps/no_such_step", p.api_url(*rid));
            let got = c.post_json(&url, &serde_json::json!({})).await.status;
            let own = path.starts_with(&org.path);
            if own && got == StatusCode::NOT_FOUND {
                failures.push(format!("token of {unit} POST {url}: its own record answered 404"));
            }
            if !own && got != StatusCode::NOT_FOUND {
                failures.push(format!("token of {unit} POST {url}: another unit's record answered {got}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every navigation entry a feature shows to anyone (the admin, the office, each demo account).
async fn all_nav_hrefs(app: &TestApp, f: &dyn fazhi::registry::Feature) -> Vec<&'static str> {
    let ids: Vec<(i64,)> = q("SELECT id FROM users").fetch_all(&app.state.db).await.unwrap();
    let mut v = Vec::new();
    for (id,) in ids {
        if let Some(s) = fazhi::auth::extract::load_staff(&app.state, id).await.unwrap() {
            for (_, h) in f.nav(&s) {
                if !v.contains(&h) {
                    v.push(h);
                }
            }
        }
    }
    v
}

/// A unit's API token cannot register an application in another unit's queue (issue 10, item 1):
/// the write path checks the unit it writes to, whoever the caller is.
#[tokio::test]
async fn tokens_write_only_to_their_own_units() {
    let app = TestApp::new().await;
    let zjj = fazhi::org::queries::by_code(&app.state.db, "D-ZJJ").await.unwrap().unwrap();
    let cgj = org_id(&app, "D-CGJ").await;
    let (_, raw) = fazhi::auth::tokens::create(
        &app.state.db,
        fazhi::audit::Actor::system(),
        &fazhi::auth::roles::Grants(vec![]),
        "住建局系统对接",
        Some(zjj.id),
        &["case_read".into(), "case_handle".into()],
        Some(30),
    )
    .await
    .unwrap();
    let mut c = app.client();
    c.bearer = Some(raw);
    let ten_months_ago = fazhi::time::fmt_date(fazhi::time::today() - chrono::Duration::days(300));
    let body = |org: i64| {
        serde_json::json!({
            "org_id": org, "channel": "letter", "applicant_type": "natural", "applicant_name": "李四", "id_number": "110101199003078515",
            "phone": "13900000002", "description": "本单位年度预算说明", "delivery": "post", "address": "示范市东湖镇幸福路1号", "received_on": ten_months_ago
        })
    };
    let before = q("SELECT COUNT(*) FROM disclosure_requests").fetch_i64(&app.state.db).await.unwrap();
    let r = c.post_json("/api/v1/disclosure/requests", &body(cgj)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.json()["fields"][0]["field"], "org_id");
    assert_eq!(r.json()["fields"][0]["code"], "org_out_of_scope");
    assert_eq!(q("SELECT COUNT(*) FROM disclosure_requests").fetch_i64(&app.state.db).await.unwrap(), before, "nothing written");
    // Its own unit, back-dated within the year as paper applications are: accepted.
    let r = c.post_json("/api/v1/disclosure/requests", &body(zjj.id)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}
