//! 行政处罚 under the 三项制度 on the kernel: each step from 立案 to 归档, each refusal with its
//! article (an expired certificate, an auxiliary, a single officer, a decision without legal
//! review, a late hearing request, a short hearing notice, a late disclosure without reason),
//! the clocks (90 days from 立案, service, disclosure counted from the decision), the register
//! and its export, and other units' cases 404.

use axum::http::StatusCode;
use chrono::Duration;
use futures::FutureExt;
use serde_json::{Value, json};

use crate::common::*;
use fazhi::db::q;
use fazhi::enforcement::demo::CGJ_OFFICERS;
use fazhi::time::{fmt_date, parse_date, today};

/// Two valid 城市管理 certificates of 城管局 (demo base).
fn two_valid() -> String {
    format!("{},{}", CGJ_OFFICERS[0].1, CGJ_OFFICERS[1].1)
}

async fn create(app: &TestApp, c: &mut Client, registered: chrono::NaiveDate, major: &str) -> Value {
    let org = org_id(app, "D-CGJ").await;
    let r = c
        .post_json(
            "/api/v1/enforcement/cases",
            &json!({"org_id": org, "title": "占道经营案", "field": "urban", "party_kind": "person", "party_name": "张三丰", "major": major, "registered_on": fmt_date(registered)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()
}

async fn step(c: &mut Client, id: i64, action: &str, fields: Value) -> (StatusCode, Value) {
    let r = c.post_json(&format!("/api/v1/enforcement/cases/{id}/steps/{action}"), &json!({"fields": fields})).await;
    let v = serde_json::from_str(&r.text).unwrap_or(Value::Null);
    (r.status, v)
}

async fn ok(c: &mut Client, id: i64, action: &str, fields: Value) -> Value {
    let (s, v) = step(c, id, action, fields).await;
    assert_eq!(s, StatusCode::OK, "{action}: {v}");
    v
}

/// Change a fact directly (a date in the past the pages would not take), through the writer.
async fn set(app: &TestApp, sql: &'static str, value: String, id: i64) {
    app.state.db.write(move |tx| async move { q(sql).bind(value).bind(id).execute(&mut *tx).await }.boxed()).await.unwrap();
}

#[tokio::test]
async fn a_case_goes_from_registration_through_hearing_and_review_to_disclosure() {
    let app = TestApp::new().await;
    let cal = app.state.calendar();
    let mut staff = app.login("cgj_staff").await;
    let mut legal = app.login("legal").await;
    let mut head = app.login(fazhi::enforcement::demo::HEAD).await;
    let registered = today() - Duration::days(40);
    let v = create(&app, &mut staff, registered, "none").await;
    let id = v["id"].as_i64().unwrap();
    // The decision is due 90 calendar days after 立案 (Art. 60), a holiday moving it on.
    assert_eq!(v["clock_rule"], "decision");
    assert_eq!(v["due_on"], fmt_date(cal.add_calendar_days(registered, 90, true)), "{v}");
    assert_eq!(v["party"], "张**", "a person's name is masked: {v}");

    let v = ok(&mut staff, id, "assign", json!({"officers": two_valid(), "recusal": "checked"})).await;
    assert_eq!(v["state"], "investigating");
    assert_eq!(v["officers"].as_array().unwrap().len(), 2);

    let notified = today() - Duration::days(30);
    ok(&mut staff, id, "notify", json!({"facts": "占用人行道经营", "proposed": "罚款五千元", "hearing_right": "yes", "notified_on": fmt_date(notified)})).await;
    // The decision cannot be taken before the defence is recorded.
    let (s, v) = step(&mut head, id, "decide", json!({"decision": "罚款", "decided_by": "head"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["code"], "wrong_state", "{v}");

    // A hearing asked for within 5 working days of the notice (Art. 64(1), Art. 85).
    let requested = cal.add_working_days(notified, 5);
    ok(&mut staff, id, "request_hearing", json!({"requested_on": fmt_date(requested)})).await;
    // Notice 6 working days before the hearing: refused (≥ 7, Art. 64(2)).
    let notice = requested + Duration::days(1);
    let short = cal.add_working_days(notice, 6);
    let (s, v) = step(&mut staff, id, "hold_hearing", json!({"notice_on": fmt_date(notice), "held_on": fmt_date(short), "record": "当事人到场陈述"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["fields"][0]["code"], "hearing_notice_too_short", "{v}");
    assert!(v.to_string().contains("第六十四条"), "{v}");
    let held = cal.add_working_days(notice, 7);
    ok(&mut staff, id, "hold_hearing", json!({"notice_on": fmt_date(notice), "held_on": fmt_date(held), "record": "当事人到场陈述"})).await;
    ok(&mut staff, id, "record_defence", json!({"statement": "当事人称系初次违法，经复核，事实清楚，不予采纳"})).await;

    // A hearing was held: Art. 58(2) makes the legal review mandatory; without it, refused.
    let (s, v) = step(&mut head, id, "decide", json!({"decision": "罚款五千元", "fine": "5000", "decided_by": "head"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v.to_string().contains("第五十八条"), "{v}");
    // The handler may not review; the reviewer may.
    ok(&mut staff, id, "submit_review", json!({})).await;
    let (s, v) = step(&mut staff, id, "review", json!({"result": "pass", "opinion": "同意"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["code"], "not_permitted", "{v}");
    ok(&mut legal, id, "review", json!({"result": "pass", "opinion": "主体合法，程序正当，事实清楚，适用依据正确"})).await;
    // The handler does not decide; the head does.
    let (s, _) = step(&mut staff, id, "decide", json!({"decision": "罚款五千元", "fine": "5000", "decided_by": "head"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let v = ok(&mut head, id, "decide", json!({"decision": "罚款五千元", "fine": "5000", "decided_by": "head"})).await;
    assert_eq!(v["state"], "decided");
    assert!(v["decision_no"].as_str().unwrap().contains("罚决"), "{v}");
    assert_eq!(v["fine"], 5000);
    // Service within 7 working days (Art. 61); disclosure 7 working days from the decision.
    assert_eq!(v["clock_rule"], "service");
    assert_eq!(v["due_on"], fmt_date(cal.add_working_days(today(), 7)), "{v}");
    assert_eq!(v["disclosure_due_on"], fmt_date(cal.add_working_days(today(), 7)), "{v}");

    let v = ok(&mut staff, id, "serve", json!({"method": "direct"})).await;
    assert_eq!(v["clock_rule"], "disclosure");
    let decision_no = v["decision_no"].as_str().unwrap().to_string();
    let mut citizen = app.client();
    let r = citizen.get("/portal/enforcement/decisions").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.contains(&decision_no), "not on the portal before the disclosure step");
    assert_eq!(v["due_on"], v["disclosure_due_on"], "the disclosure clock counts from the decision: {v}");
    let v = ok(&mut staff, id, "disclose", json!({})).await;
    assert_eq!(v["disclosed_on_time"], true);
    let r = citizen.get("/portal/enforcement/decisions").await;
    assert!(r.contains(&decision_no) && r.contains("张**") && !r.contains("张三丰"), "disclosed, the person masked: {}", r.text);
    let v = ok(&mut staff, id, "archive", json!({"archive_no": "CG-2026-0001"})).await;
    assert_eq!(v["state"], "archived");
    // Every step is in the case's events.
    let n = q("SELECT COUNT(*) FROM events WHERE entity = 'case' AND entity_id = $1").bind(id).fetch_i64(&app.state.db).await.unwrap();
    assert!(n >= 12, "{n} events");
}

#[tokio::test]
async fn assignment_checks_every_certificate_and_needs_two_officers() {
    let app = TestApp::new().await;
    let mut staff = app.login("cgj_staff").await;
    let id = create(&app, &mut staff, today(), "none").await["id"].as_i64().unwrap();
    let assign = |officers: String| json!({"officers": officers, "recusal": "checked"});

    // One officer: refused (Art. 42).
    let (s, v) = step(&mut staff, id, "assign", assign(CGJ_OFFICERS[0].1.into())).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["code"], "two_officers_required", "{v}");
    assert!(v.to_string().contains("第四十二条"), "{v}");
    // An expired certificate.
    let (_, v) = step(&mut staff, id, "assign", assign(format!("{},{}", CGJ_OFFICERS[0].1, CGJ_OFFICERS[3].1))).await;
    assert_eq!(v["code"], "cert_expired", "{v}");
    assert_eq!(v["fields"][0]["field"], "officers", "{v}");
    // A certificate of another field (市场监管 on a 城市管理 case).
    let (_, v) = step(&mut staff, id, "assign", assign(format!("{},{}", CGJ_OFFICERS[0].1, CGJ_OFFICERS[4].1))).await;
    assert_eq!(v["code"], "cert_wrong_field", "{v}");
    // An unknown number.
    let (_, v) = step(&mut staff, id, "assign", assign(format!("{},99999", CGJ_OFFICERS[0].1))).await;
    assert_eq!(v["code"], "no_such_officer", "{v}");
    // Recusal must be checked (Art. 43).
    let (_, v) = step(&mut staff, id, "assign", json!({"officers": two_valid()})).await;
    assert!(v.to_string().contains("第四十三条"), "{v}");
    // Nothing was written by the refusals.
    let n = q("SELECT COUNT(*) FROM enf_assignments WHERE case_id = $1").bind(id).fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(n, 0);
    ok(&mut staff, id, "assign", assign(two_valid())).await;

    // A certificate suspended after assignment: the next step is refused until reassigned.
    let mut cert = app.login(fazhi::enforcement::demo::CERT_OFFICE).await;
    let oid = q("SELECT id FROM enf_officers WHERE cert_no = $1").bind(CGJ_OFFICERS[1].1.to_string()).fetch_i64(&app.state.db).await.unwrap();
    let r = cert.post_json(&format!("/api/v1/enforcement/officers/{oid}/status"), &json!({"status": "suspended", "reason": "涉嫌违纪，暂扣执法证"})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let (s, v) = step(&mut staff, id, "notify", json!({"facts": "事实", "proposed": "警告", "hearing_right": "no"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v.to_string().contains("第四十二条"), "{v}");
}

#[tokio::test]
async fn auxiliaries_never_enforce_and_officers_are_registered_with_their_certificates() {
    let app = TestApp::new().await;
    let mut cert = app.login(fazhi::enforcement::demo::CERT_OFFICE).await;
    let org = org_id(&app, "D-CGJ").await;
    let r = cert.post_json("/api/v1/enforcement/officers", &json!({"org_id": org, "name": "李协助", "auxiliary": true, "cert_no": "32108109999"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    // An auxiliary holds no certificate, whatever was sent.
    let aux = r.json()["id"].as_i64().unwrap();
    let stored: Option<String> = q("SELECT cert_no FROM enf_officers WHERE id = $1").bind(aux).fetch_one::<(Option<String>,)>(&app.state.db).await.unwrap().0;
    assert_eq!(stored, None);
    // Bad input: expiry before issue, an unknown field, a number taken.
    let r = cert
        .post_json(
            "/api/v1/enforcement/officers",
            &json!({"org_id": org, "name": "错证", "cert_no": CGJ_OFFICERS[0].1, "field": "space", "issued_on": "2025-01-01", "expires_on": "2024-01-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let codes: Vec<String> = r.json()["fields"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_string()).collect();
    for want in ["bad_field", "expiry_before_issue", "cert_taken"] {
        assert!(codes.iter().any(|c| c == want), "{want} in {codes:?}");
    }
    // A department's staff cannot register officers.
    let mut staff = app.login("cgj_staff").await;
    let r = staff
        .post_json("/api/v1/enforcement/officers", &json!({"org_id": org, "name": "某人", "cert_no": "1", "field": "urban", "expires_on": "2030-01-01"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);

    // The auxiliary of the demo cannot be assigned, even with two valid officers.
    let id = create(&app, &mut staff, today(), "none").await["id"].as_i64().unwrap();
    let (_, v) = step(&mut staff, id, "assign", json!({"officers": format!("{},钱协管", two_valid()), "recusal": "checked"})).await;
    assert_eq!(v["code"], "no_such_officer", "an auxiliary has no certificate number to name: {v}");
    // Even one given a number by hand is refused as an auxiliary.
    set(&app, "UPDATE enf_officers SET cert_no = $1 WHERE id = $2", "32108108888".into(), aux).await;
    let (_, v) = step(&mut staff, id, "assign", json!({"officers": format!("{},32108108888", two_valid()), "recusal": "checked"})).await;
    assert_eq!(v["code"], "auxiliary_cannot_enforce", "{v}");
    // The roster page flags the expired certificate.
    let r = staff.get("/enforcement/officers").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.contains("过期") && r.contains("辅助人员"), "{}", r.text);
}

#[tokio::test]
async fn clocks_refuse_a_late_hearing_request_and_a_late_disclosure_without_reason() {
    let app = TestApp::new().await;
    let cal = app.state.calendar();
    let mut staff = app.login("cgj_staff").await;
    let mut head = app.login(fazhi::enforcement::demo::HEAD).await;
    let id = create(&app, &mut staff, today() - Duration::days(60), "complex").await["id"].as_i64().unwrap();
    ok(&mut staff, id, "assign", json!({"officers": two_valid(), "recusal": "checked"})).await;
    let notified = today() - Duration::days(30);
    ok(&mut staff, id, "notify", json!({"facts": "事实", "proposed": "罚款", "hearing_right": "yes", "notified_on": fmt_date(notified)})).await;
    // Six working days after the notice: too late (Art. 64(1)).
    let late = cal.add_working_days(notified, 6);
    let (s, v) = step(&mut staff, id, "request_hearing", json!({"requested_on": fmt_date(late)})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["fields"][0]["code"], "hearing_request_late", "{v}");
    ok(&mut staff, id, "record_defence", json!({"statement": "当事人未陈述申辩"})).await;
    ok(&mut staff, id, "submit_review", json!({})).await;
    let mut legal = app.login("legal").await;
    // A failed review returns the case to investigation, and a decision is refused.
    ok(&mut legal, id, "review", json!({"result": "fail", "opinion": "证据不足"})).await;
    let v: Value = staff.get(&format!("/api/v1/enforcement/cases/{id}")).await.json();
    assert_eq!(v["state"], "investigating");
    ok(&mut staff, id, "notify", json!({"facts": "补充证据后的事实", "proposed": "罚款", "hearing_right": "no"})).await;
    ok(&mut staff, id, "record_defence", json!({"statement": "当事人书面放弃", "waived": "yes"})).await;
    ok(&mut staff, id, "submit_review", json!({})).await;
    ok(&mut legal, id, "review", json!({"result": "pass", "opinion": "同意"})).await;
    // 疑难复杂: collective discussion required (Art. 57 ¶2).
    let (_, v) = step(&mut head, id, "decide", json!({"decision": "罚款", "fine": "3000", "decided_by": "head"})).await;
    assert_eq!(v["fields"][0]["code"], "collective_required", "{v}");
    let (_, v) = step(&mut head, id, "decide", json!({"decision": "罚款", "fine": "-1", "decided_by": "collective"})).await;
    assert_eq!(v["fields"][0]["field"], "fine", "{v}");
    ok(&mut head, id, "decide", json!({"decision": "罚款", "fine": "3000", "decided_by": "collective"})).await;
    ok(&mut staff, id, "serve", json!({"method": "on_spot"})).await;
    // The disclosure period has run (moved back as if decided weeks ago): a reason is required.
    set(&app, "UPDATE enf_cases SET disclosure_due_on = $1 WHERE case_id = $2", fmt_date(today() - Duration::days(5)), id).await;
    let (s, v) = step(&mut staff, id, "disclose", json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["fields"][0]["code"], "late_reason_required", "{v}");
    assert!(v.to_string().contains("118号"), "{v}");
    let v = ok(&mut staff, id, "disclose", json!({"late_reason": "系统故障延误"})).await;
    assert_eq!(v["disclosed_on_time"], false);
}

#[tokio::test]
async fn bad_registration_the_extension_and_other_units() {
    let app = TestApp::new().await;
    let mut staff = app.login("cgj_staff").await;
    let org = org_id(&app, "D-CGJ").await;
    let r = staff
        .post_json("/api/v1/enforcement/cases", &json!({"org_id": org, "title": "", "field": "moon", "party_kind": "alien", "party_name": "x", "registered_on": fmt_date(today() + Duration::days(1))}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let fields: Vec<String> = r.json()["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap().to_string()).collect();
    for want in ["title", "field", "party_kind", "registered_on"] {
        assert!(fields.contains(&want.to_string()), "{want} in {fields:?}");
    }
    // Another unit's staff: 立案 for 城管局 refused; its cases answer 404.
    let mut other = app.login("zjj_staff").await;
    let r = other
        .post_json("/api/v1/enforcement/cases", &json!({"org_id": org, "title": "案", "field": "urban", "party_kind": "org", "party_name": "某公司"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let v = create(&app, &mut staff, today() - Duration::days(10), "none").await;
    let id = v["id"].as_i64().unwrap();
    let due = parse_date(v["due_on"].as_str().unwrap()).unwrap();
    assert_eq!(other.get(&format!("/api/v1/enforcement/cases/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.get(&format!("/enforcement/cases/{id}")).await.status, StatusCode::NOT_FOUND);

    // One extension of at most 30 days, by the head, with a reason.
    let mut head = app.login(fazhi::enforcement::demo::HEAD).await;
    ok(&mut staff, id, "assign", json!({"officers": two_valid(), "recusal": "checked"})).await;
    let r = head.post_json(&format!("/api/v1/enforcement/cases/{id}/steps/extend"), &json!({"days": 30})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a reason is required: {}", r.text);
    let r = head.post_json(&format!("/api/v1/enforcement/cases/{id}/steps/extend"), &json!({"days": 30, "reason": "案情复杂，需委托鉴定"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let new_due = parse_date(r.json()["due_on"].as_str().unwrap()).unwrap();
    assert!(new_due > due && new_due <= due + Duration::days(33), "{due} → {new_due}");
    let r = head.post_json(&format!("/api/v1/enforcement/cases/{id}/steps/extend"), &json!({"days": 10, "reason": "再次延长"})).await;
    assert_eq!(r.json()["code"], "extension_limit", "{}", r.text);

    // The register: filtered, masked, exported.
    let r = staff.get("/enforcement/cases?field=urban").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.contains("张**") && !r.contains("张三丰"), "masked in the list");
    let r = staff.get("/enforcement/cases?field=urban&format=xlsx").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers.get("content-type").unwrap().to_str().unwrap().contains("spreadsheet"), "{:?}", r.headers);
    let r = staff.get(&format!("/enforcement/cases/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.contains("周正") && r.contains("事先告知"), "the case page shows the officers and the next step");
    let list: Value = staff.get("/api/v1/enforcement/cases?state=investigating").await.json();
    assert!(list["items"].as_array().unwrap().iter().all(|i| i["state"] == "investigating"), "{list}");
    assert!(list["total"].as_i64().unwrap() >= 1);
}

#[tokio::test]
async fn the_demo_city_has_the_seeds_officers_and_cases_at_every_stage() {
    use fazhi::registry::Feature;
    let app = TestApp::new().await;
    let started = std::time::Instant::now();
    fazhi::enforcement::Enforcement.demo(&app.state, fazhi::registry::DemoSize::Full).await.unwrap();
    assert!(started.elapsed().as_secs() < 60, "the demo year took {:?}", started.elapsed());
    // Seed 二(三): 1,239 enforcement officers, 77 certified this year.
    let certified = q("SELECT COUNT(*) FROM enf_officers WHERE auxiliary = FALSE").fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(certified, 1239);
    let states: Vec<(String, i64)> =
        q("SELECT state, COUNT(*) FROM cases WHERE procedure = 'penalty' GROUP BY state ORDER BY state").fetch_all(&app.state.db).await.unwrap();
    let has = |s: &str| states.iter().any(|(k, n)| k == s && *n > 0);
    for s in ["registered", "investigating", "disclosed", "archived"] {
        assert!(has(s), "{s}: {states:?}");
    }
    // Every decided case that required a review passed one, and was decided collectively when complex.
    let bad = q("SELECT COUNT(*) FROM enf_cases WHERE decided_on IS NOT NULL AND ((review_required = TRUE AND review_result <> 'pass') OR (major = 'complex' AND decided_by <> 'collective'))")
        .fetch_i64(&app.state.db)
        .await
        .unwrap();
    assert_eq!(bad, 0);
}
