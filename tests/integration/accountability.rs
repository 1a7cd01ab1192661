//! 督察 findings and their rectification on the kernel: a finding handed to the unit with its
//! period, the unit's report (late is accepted and marked), verification by an inspector not of
//! the unit (the unit itself is refused), the 回头看 reopening a closed task with a new period,
//! escalation of an overdue task by the kernel's sweep, the register and its export, and other
//! units' tasks answering 404.

use axum::http::StatusCode;
use chrono::Duration;
use futures::FutureExt;
use serde_json::{Value, json};

use crate::common::*;
use fazhi::db::q;
use fazhi::time::{fmt_date, today};

async fn inspector(app: &TestApp) -> Client {
    app.login(fazhi::accountability::demo::INSPECTOR).await
}

async fn create(c: &mut Client, org: i64) -> i64 {
    let r = c
        .post_json(
            "/api/v1/accountability/rectifications",
            &json!({"org_id": org, "inspection": "年度法治政府建设督察", "kind": "inspection", "finding": "行政执法公示信息未按时更新"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()["id"].as_i64().unwrap()
}

async fn step(c: &mut Client, id: i64, action: &str, body: Value) -> (StatusCode, Value) {
    let r = c.post_json(&format!("/api/v1/accountability/rectifications/{id}/steps/{action}"), &body).await;
    (r.status, serde_json::from_str(&r.text).unwrap_or(Value::Null))
}

async fn ok(c: &mut Client, id: i64, action: &str, body: Value) -> Value {
    let (s, v) = step(c, id, action, body).await;
    assert_eq!(s, StatusCode::OK, "{action}: {v}");
    v
}

/// Move the task's period into the past (a date the pages would not take), through the writer.
async fn due_in_past(app: &TestApp, id: i64, days: i64) {
    let due = fmt_date(today() - Duration::days(days));
    app.state
        .db
        .write(move |tx| async move { q("UPDATE cases SET due_on = $1 WHERE id = $2").bind(due).bind(id).execute(&mut *tx).await }.boxed())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_finding_is_rectified_verified_and_reopened_by_the_follow_up() {
    let app = TestApp::new().await;
    let mut insp = inspector(&app).await;
    let mut unit = app.login("zjj_staff").await;
    let zjj = org_id(&app, "D-ZJJ").await;

    // Bad input on the page: no unit, an unknown kind, a date in the future, each on its field.
    let future = fmt_date(today() + Duration::days(3));
    let r = insp.post_form("/accountability/rectifications/new", &[("inspection", "督察"), ("kind", "audit"), ("finding", "x"), ("found_on", &future)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("请选择被督察单位") && r.contains("不是规定的督察类型") && r.contains("发现日期不能晚于今天"), "{}", r.text);
    // The unit cannot record findings against itself.
    let r = unit.post_json("/api/v1/accountability/rectifications", &json!({"org_id": zjj, "inspection": "自查", "kind": "inspection", "finding": "x"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);

    let id = create(&mut insp, zjj).await;
    let page = insp.get(&format!("/accountability/rectifications/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.contains("行政执法公示信息未按时更新") && page.contains("交办整改"), "{}", page.text);

    // Reporting before the task was handed over: refused by the kernel.
    let (s, v) = step(&mut unit, id, "report", json!({"fields": {"measures": "已整改", "evidence": "整改报告"}})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["code"], "wrong_state", "{v}");

    // Handed over: the period is 60 calendar days (local default), on the kernel's clock.
    let v = ok(&mut insp, id, "assign", json!({})).await;
    let cal = app.state.calendar();
    assert_eq!(v["due_on"], fmt_date(cal.add_calendar_days(today(), 60, true)), "{v}");
    assert_eq!(v["state"], "rectifying");

    // A report without evidence is refused on its field, citing the regulation.
    let (s, v) = step(&mut unit, id, "report", json!({"fields": {"measures": "已整改"}})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v.to_string().contains("evidence") && v.to_string().contains("督察工作规定"), "{v}");

    // The period ran: the sweep escalates the task once.
    due_in_past(&app, id, 2).await;
    let r = fazhi::jobs::sweep(&app.state, today()).await.unwrap();
    assert!(r.escalated >= 1, "{r:?}");
    let supervised: bool = q("SELECT supervised FROM cases WHERE id = $1").bind(id).fetch_one::<(bool,)>(&app.state.db).await.unwrap().0;
    assert!(supervised);
    let r = insp.get("/api/v1/accountability/rectifications?status=overdue").await;
    assert_eq!(r.json()["total"], 1, "{}", r.text);

    // Reported after the period: accepted, marked late.
    let v = ok(&mut unit, id, "report", json!({"fields": {"measures": "已逐项整改并建立长效机制", "evidence": "整改报告；公示平台截图"}})).await;
    assert_eq!(v["state"], "verifying");
    assert_eq!(v["reported_late"], true, "{v}");
    // The unit cannot verify its own rectification (it lacks the permission)…
    let (s, v) = step(&mut unit, id, "verify_pass", json!({"fields": {"opinion": "已整改"}})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["code"], "not_permitted", "{v}");

    // Verified by the inspector of 司法局: closed, its period stopped.
    let v = ok(&mut insp, id, "verify_pass", json!({"fields": {"opinion": "经核查整改到位"}})).await;
    assert_eq!(v["state"], "closed");
    assert!(v["due_on"].is_null(), "{v}");
    assert!(v["verified_on"].is_string());

    // The 回头看 without a reason is refused; with one it reopens with a new period.
    let (s, v) = step(&mut insp, id, "reopen", json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let v = ok(&mut insp, id, "reopen", json!({"reason": "回头看发现问题反弹"})).await;
    assert_eq!(v["state"], "rectifying");
    assert_eq!(v["reopened"], 1);
    assert_eq!(v["due_on"], fmt_date(cal.add_calendar_days(today(), 60, true)));
    assert!(v["verified_on"].is_null(), "{v}");

    // The register: filters and the export.
    let r = insp.get("/accountability/rectifications?status=reopened").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.contains("行政执法公示信息未按时更新"), "{}", r.text);
    let r = insp.get("/accountability/rectifications?status=late&format=xlsx").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers["content-type"].to_str().unwrap().contains("spreadsheetml"));
    let r = insp.get("/api/v1/accountability/rectifications?status=reopened&kind=special").await;
    assert_eq!(r.json()["total"], 0, "{}", r.text);

    // Another unit's staff: the task is not theirs to see.
    let mut other = app.login("cgj_staff").await;
    assert_eq!(other.get(&format!("/api/v1/accountability/rectifications/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.get(&format!("/accountability/rectifications/{id}")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_inspector_of_the_unit_inspected_cannot_verify_it() {
    let app = TestApp::new().await;
    let mut insp = inspector(&app).await;
    // 司法局 itself is inspected: its own inspector may record and hand over, not verify.
    let sfj = org_id(&app, "D-SFJ").await;
    let id = create(&mut insp, sfj).await;
    ok(&mut insp, id, "assign", json!({})).await;
    // The unit's report, by a staff member of 司法局.
    let input = fazhi::accounts::queries::UserInput {
        username: "sfj_staff".into(),
        display_name: "钱科员".into(),
        org_code: "D-SFJ".into(),
        phone: None,
        active: true,
        roles: vec![("dept_staff".into(), String::new())],
        password: Some(PASSWORD.into()),
    };
    let hash = fazhi::auth::password::hash(PASSWORD).unwrap();
    app.state
        .db
        .write(move |tx| async move { fazhi::accounts::queries::create(tx, &fazhi::audit::Actor::system(), &input, hash, false).await }.boxed())
        .await
        .unwrap();
    let mut unit = app.login("sfj_staff").await;
    ok(&mut unit, id, "report", json!({"fields": {"measures": "已整改", "evidence": "整改报告"}})).await;
    let late: Option<bool> =
        q("SELECT reported_late FROM rectifications WHERE case_id = $1").bind(id).fetch_one::<(Option<bool>,)>(&app.state.db).await.unwrap().0;
    assert_eq!(late, Some(false), "reported within the period");
    let (s, v) = step(&mut insp, id, "verify_pass", json!({"fields": {"opinion": "已整改"}})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v.to_string().contains("核验人员不能来自被督察单位"), "{v}");
    let state: String = q("SELECT state FROM cases WHERE id = $1").bind(id).fetch_one::<(String,)>(&app.state.db).await.unwrap().0;
    assert_eq!(state, "verifying", "a refusal changes nothing");
}

#[tokio::test]
async fn rectification_figures_are_registered_indicators_with_their_records() {
    use fazhi::registry::Feature;
    let app = TestApp::new().await;
    fazhi::accountability::Accountability.demo(&app.state, fazhi::registry::DemoSize::Light).await.unwrap();
    let mut sfj = app.login("sfj").await;
    let (from, to) = (fmt_date(today() - Duration::days(365)), fmt_date(today()));
    let ind = |code: &str, by: &str| format!("/api/v1/indicators/{code}?from={from}&to={to}{by}");
    // The demo: 4 findings in each of three units; per unit one found, one rectifying, one
    // verifying, one closed.
    let r = sfj.get(&ind("rectification.findings", "&by=org")).await;
    let v = r.json();
    assert_eq!(v["total"]["numerator"], 12, "{}", r.text);
    assert_eq!(v["groups"].as_array().unwrap().len(), 3, "{v}");
    let v = sfj.get(&ind("rectification.rectified_rate", "")).await.json();
    assert_eq!((v["total"]["numerator"].as_i64(), v["total"]["denominator"].as_i64()), (Some(3), Some(12)), "{v}");
    let v = sfj.get(&ind("rectification.on_time_rate", "")).await.json();
    assert_eq!((v["total"]["numerator"].as_i64(), v["total"]["denominator"].as_i64()), (Some(6), Some(6)), "{v}");
    let r = sfj.get(&format!("/api/v1/indicators/rectification.rectified_rate/records?from={from}&to={to}")).await;
    assert_eq!(r.json()["total"], 3, "{}", r.text);
    assert!(r.json()["items"][0]["number"].as_str().unwrap().starts_with("督改"), "{}", r.text);
}
