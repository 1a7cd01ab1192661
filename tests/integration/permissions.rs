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
