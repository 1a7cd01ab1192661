//! 行政复议: a case through 补正, 简易 acceptance and a 撤销 decision with its 意见书 answered by
//! the agency; refusals with their articles (out of time, no respondent, no legal basis, a 简易
//! case extended, a step out of order, a stale version); the clocks (deemed acceptance of a paper
//! application, 60 calendar days rolled past holidays, the previous law for cases received
//! before 2024); the register and its export; scope (another unit's case is 404); the indicators;
//! an unanswered 意见书 escalated.

use axum::http::StatusCode;
use chrono::{Duration, NaiveDate};

use crate::common::*;
use fazhi::db::q;
use fazhi::disputes::model::Application;
use fazhi::disputes::service::{self, StepForm, Who};

fn d(s: &str) -> NaiveDate {
    fazhi::time::parse_date(s).unwrap()
}

async fn sfj(app: &TestApp) -> i64 {
    org_id(app, "D-SFJ").await
}

fn body(sfj: i64, respondent: i64, received: &str, known: &str) -> serde_json::Value {
    serde_json::json!({
        "org_id": sfj, "channel": "letter", "applicant_name": "张三", "applicant_kind": "natural", "phone": "13900001111",
        "address": "示范市东湖镇幸福路1号", "respondent_org_id": respondent, "act_title": "行政处罚决定（占道经营，罚款2000元）",
        "act_doc_no": "城管罚〔2026〕15号", "act_known_on": known, "request_text": "请求撤销该处罚决定。理由：认定事实不清。", "received_on": received
    })
}

async fn step(c: &mut Client, id: i64, action: &str, json: serde_json::Value) -> Response {
    c.post_json(&format!("/api/v1/disputes/reconsiderations/{id}/steps/{action}"), &json).await
}

#[tokio::test]
async fn reconsideration_through_correction_simple_track_and_revocation_with_an_opinion_answered() {
    let app = TestApp::new().await;
    let (sfj, cgj) = (sfj(&app).await, org_id(&app, "D-CGJ").await);
    let mut staff = app.login("fy_staff").await;
    let today = fazhi::time::today();
    let t = fazhi::time::fmt_date(today);
    let cal = app.state.calendar();

    // Bad input: no respondent, out of time — nothing written, each with its article.
    let mut b = body(sfj, cgj, &t, &t);
    b.as_object_mut().unwrap().remove("respondent_org_id");
    let r = staff.post_json("/api/v1/disputes/reconsiderations", &b).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.json()["code"], "respondent_required");
    assert!(r.text.contains("第三十条第一款第（一）项") && r.text.contains("\"field\":\"respondent\""), "{}", r.text);
    let known = fazhi::time::fmt_date(today - Duration::days(120));
    let r = staff.post_json("/api/v1/disputes/reconsiderations", &body(sfj, cgj, &t, &known)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["code"], "application_out_of_time");
    assert!(r.text.contains("第二十条") && r.text.contains("act_known_on"), "{}", r.text);
    let old = fazhi::time::fmt_date(today - Duration::days(400));
    let r = staff.post_json("/api/v1/disputes/reconsiderations", &body(sfj, cgj, &old, &old)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("date_too_old"), "{}", r.text);
    assert_eq!(q("SELECT COUNT(*) FROM recon_applications").fetch_i64(&app.state.db).await.unwrap(), 0);

    // Received today: the review runs five working days (Art. 30, Art. 88).
    let known = fazhi::time::fmt_date(today - Duration::days(10));
    let r = staff.post_json("/api/v1/disputes/reconsiderations", &body(sfj, cgj, &t, &known)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let j = r.json();
    let id = j["id"].as_i64().unwrap();
    assert_eq!(j["state"], "received");
    assert_eq!(j["law_version"], "2023");
    assert_eq!(j["due_on"].as_str().unwrap(), fazhi::time::fmt_date(cal.add_working_days(today, 5)));
    assert!(j["case_no"].as_str().unwrap().starts_with("司法局复〔"), "{}", j["case_no"]);
    assert_eq!(j["applicant_name"], "张*", "masked in the API");

    // 补正 once; the applicant's ten working days.
    let r = step(&mut staff, id, "request_correction", serde_json::json!({"fields": {"correction_items": "请提交处罚决定书复印件"}})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["due_on"].as_str().unwrap(), fazhi::time::fmt_date(cal.add_working_days(today, 10)));
    let r = step(&mut staff, id, "record_correction", serde_json::json!({"fields": {"correction_text": "已提交处罚决定书复印件"}})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["state"], "received");
    // A second 补正 is refused (one notice, Art. 31).
    let r = step(&mut staff, id, "request_correction", serde_json::json!({"fields": {"correction_items": "再补"}})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["code"], "limit_reached");
    assert!(r.text.contains("第三十一条"), "{}", r.text);
    // A decision before acceptance: a step out of order.
    let r = step(&mut staff, id, "propose_decision", serde_json::json!({"fields": {"decision_type": "revoke"}})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["code"], "wrong_state");

    // Accepted on the 简易 track: 30 calendar days, rolled to a working day.
    let r = step(&mut staff, id, "accept_simple", serde_json::json!({"fields": {"simple_ground": "涉及款额三千元以下"}})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let j = r.json();
    assert_eq!(j["track"], "simple");
    assert_eq!(j["due_on"].as_str().unwrap(), fazhi::time::fmt_date(cal.add_calendar_days(today, 30, true)));
    let version = j["version"].as_i64().unwrap();
    // 简易 cannot be extended (Art. 62 ¶2).
    let r = step(&mut staff, id, "request_extension", serde_json::json!({"reason": "情况复杂", "days": 10})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("第六十二条第二款"), "{}", r.text);
    // A decision without its legal basis is refused (Art. 75).
    let r = step(&mut staff, id, "propose_decision", serde_json::json!({"fields": {"decision_type": "revoke", "decision_text": "认定事实不清"}})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("decision_basis") && r.text.contains("第七十五条"), "{}", r.text);
    // A stale version is a conflict.
    let r = step(
        &mut staff,
        id,
        "propose_decision",
        serde_json::json!({"version": version - 1, "fields": {"decision_type": "revoke", "decision_basis": "《行政复议法》第六十四条", "decision_text": "x"}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let r = step(
        &mut staff,
        id,
        "propose_decision",
        serde_json::json!({"version": version, "fields": {"decision_type": "revoke", "decision_basis": "《中华人民共和国行政复议法》第六十四条第一款第（一）项", "decision_text": "被申请人认定事实不清，证据不足"}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["state"], "decision_review");
    // Only the head approves (Art. 61).
    let r = step(&mut staff, id, "approve_decision", serde_json::json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["code"], "not_permitted");
    let mut head = app.login("fy_head").await;
    let r = step(&mut head, id, "approve_decision", serde_json::json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let j = r.json();
    assert_eq!(
        (j["state"].as_str(), j["decided_on_time"].as_bool(), j["decision_article"].as_str()),
        (Some("decided"), Some(true), Some("《行政复议法》（2023）第六十四条"))
    );
    let r = step(&mut staff, id, "serve", serde_json::json!({"fields": {"service_method": "直接送达"}})).await;
    assert_eq!(r.json()["state"], "served");

    // The case page: the facts, the decision with its article, the timeline.
    let r = staff.get(&format!("/disputes/reconsideration/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.contains("撤销或者部分撤销") && r.contains("第六十四条") && r.contains("简易程序") && r.contains("已送达"), "{}", r.text);
    assert!(!r.contains("13900001111"), "the phone is masked");

    // A 意见书 to the respondent; the agency reports its correction.
    let r = staff
        .post_form(
            "/disputes/letters/new",
            &[
                ("kind", "opinion"),
                ("org_id", &sfj.to_string()),
                ("case_id", &id.to_string()),
                ("recipient_org_id", &cgj.to_string()),
                ("subject", "关于纠正占道经营处罚的意见"),
                ("body", "请依法纠正并报送纠正情况"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let lid: i64 = r.location().rsplit('/').next().unwrap().parse().unwrap();
    let (doc_no, due): (String, String) = q("SELECT doc_no, due_on FROM recon_letters WHERE id = $1").bind(lid).fetch_one(&app.state.db).await.unwrap();
    assert!(doc_no.starts_with("司法局复意〔") && doc_no.ends_with("1号"), "{doc_no}");
    assert_eq!(due, fazhi::time::fmt_date(cal.add_calendar_days(today, 60, true)), "60 days (Art. 76)");
    // Another agency does not see it; the respondent's staff answer it.
    let mut zjj = app.login("zjj_staff").await;
    assert_eq!(zjj.get(&format!("/disputes/letters/{lid}")).await.status, StatusCode::NOT_FOUND);
    let mut cgj_c = app.login("cgj_staff").await;
    let r = cgj_c.get(&format!("/disputes/letters/{lid}")).await;
    assert!(r.status == StatusCode::OK && r.contains("报送纠正"), "{}", r.text);
    let r = cgj_c.post_form(&format!("/disputes/letters/{lid}/answer"), &[("answer", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = cgj_c.post_form(&format!("/disputes/letters/{lid}/answer"), &[("answer", "已撤销原处罚决定并重新调查")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let r = staff.get(&format!("/api/v1/disputes/letters/{lid}")).await;
    assert_eq!(r.json()["answered_on_time"], true);
    // Answered once only.
    let r = cgj_c.post_json(&format!("/api/v1/disputes/letters/{lid}/answer"), &serde_json::json!({"answer": "再次报送"})).await;
    assert_eq!(r.json()["code"], "already_answered");

    // The indicators: received, decided, 纠错率 by respondent, the 意见书.
    for (code, by, n, den) in [
        ("disputes.recon_received", "", 1, None),
        ("disputes.recon_decided", "decision", 1, None),
        ("disputes.recon_correction_rate", "respondent", 1, Some(1)),
        ("disputes.recon_opinions_issued", "recipient", 1, None),
        ("disputes.recon_letters_answered_rate", "", 1, Some(1)),
    ] {
        let r = head.get(&format!("/api/v1/indicators/{code}?from={t}&to={t}&by={by}")).await;
        assert_eq!(r.status, StatusCode::OK, "{code}: {}", r.text);
        let j = r.json();
        assert_eq!(j["total"]["numerator"], n, "{code}: {j}");
        if let Some(den) = den {
            assert_eq!(j["total"]["denominator"], den, "{code}: {j}");
        }
    }
    let j = head.get(&format!("/api/v1/indicators/disputes.recon_correction_rate?from={t}&to={t}&by=respondent")).await.json();
    assert!(j.to_string().contains("城市管理局") || j.to_string().contains("城管局"), "by respondent, named: {j}");
}

/// A 简易 case converted to 普通 with the head's approval (Art. 55): 60 days from acceptance, and
/// then it may be extended.
#[tokio::test]
async fn a_simple_case_converted_to_the_ordinary_track_counts_sixty_days_from_acceptance() {
    let app = TestApp::new().await;
    let (sfj, cgj) = (sfj(&app).await, org_id(&app, "D-CGJ").await);
    let mut staff = app.login("fy_staff").await;
    let cal = app.state.calendar();
    let today = fazhi::time::today();
    let t = fazhi::time::fmt_date(today);
    let r = staff.post_json("/api/v1/disputes/reconsiderations", &body(sfj, cgj, &t, &t)).await;
    let id = r.json()["id"].as_i64().unwrap();
    step(&mut staff, id, "accept_simple", serde_json::json!({"fields": {"simple_ground": "当事人各方同意"}})).await;
    let r = step(&mut staff, id, "convert_to_ordinary", serde_json::json!({"reason": "案情复杂"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "the head approves: {}", r.text);
    let mut head = app.login("fy_head").await;
    let r = step(&mut head, id, "convert_to_ordinary", serde_json::json!({})).await;
    assert!(r.text.contains("第五十五条"), "a reason: {}", r.text);
    let r = step(&mut head, id, "convert_to_ordinary", serde_json::json!({"reason": "案情复杂，不宜适用简易程序"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let j = r.json();
    assert_eq!((j["track"].as_str(), j["state"].as_str()), (Some("ordinary"), Some("accepted")));
    assert_eq!(j["due_on"].as_str().unwrap(), fazhi::time::fmt_date(cal.add_calendar_days(today, 60, true)));
    let r = step(&mut head, id, "convert_to_ordinary", serde_json::json!({"reason": "再转"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = step(&mut staff, id, "request_extension", serde_json::json!({"reason": "需要调查取证", "days": 30})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn a_paper_application_registered_late_is_deemed_accepted_and_the_decision_clock_runs_from_then() {
    let app = TestApp::new().await;
    let (sfj, zjj) = (sfj(&app).await, org_id(&app, "D-ZJJ").await);
    let mut staff = app.login("fy_staff").await;
    let cal = app.state.calendar();
    let today = fazhi::time::today();
    // A letter received 20 days ago: its five working days have passed.
    let received = today - Duration::days(20);
    let known = received - Duration::days(30);
    let r = staff.post_json("/api/v1/disputes/reconsiderations", &body(sfj, zjj, &fazhi::time::fmt_date(received), &fazhi::time::fmt_date(known))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let j = r.json();
    let expiry = cal.add_working_days(received, 5);
    assert_eq!(j["state"], "accepted");
    assert_eq!(j["deemed_accepted"], true);
    assert_eq!(j["accepted_on"].as_str().unwrap(), fazhi::time::fmt_date(expiry), "Art. 30 ¶3: from the expiry of the review");
    assert_eq!(j["due_on"].as_str().unwrap(), fazhi::time::fmt_date(cal.add_calendar_days(expiry, 60, true)));
    let id = j["id"].as_i64().unwrap();
    // Too late to refuse it: the review period is over.
    let r = step(&mut staff, id, "reject", serde_json::json!({"reason": "x", "fields": {"ground": "no_claim"}})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The extension: once, at most 30 days, approved by the head; the due date moves by the days.
    let due: NaiveDate = d(j["due_on"].as_str().unwrap());
    let r = step(&mut staff, id, "request_extension", serde_json::json!({"reason": "案情复杂，需要调查取证", "days": 45})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("三十日"), "{}", r.text);
    let r = step(&mut staff, id, "request_extension", serde_json::json!({"reason": "案情复杂，需要调查取证", "days": 30})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let mut head = app.login("fy_head").await;
    let r = step(&mut head, id, "approve_extension", serde_json::json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["due_on"].as_str().unwrap(), fazhi::time::fmt_date(cal.add_calendar_days(due, 30, true)));
    let r = step(&mut staff, id, "request_extension", serde_json::json!({"reason": "再延", "days": 5})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The register shows it, filtered, and exports it; another unit's staff see nothing.
    let r = staff.get(&format!("/disputes/reconsideration?status=open&respondent={zjj}")).await;
    assert!(r.status == StatusCode::OK && r.contains(j["case_no"].as_str().unwrap()), "{}", r.text);
    let r = staff.get("/disputes/reconsideration?from=not-a-date").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = staff.get("/disputes/reconsideration/export.xlsx?status=all").await;
    assert_eq!(r.status, StatusCode::OK);
    let mut cgj = app.login("cgj_staff").await;
    assert_eq!(cgj.get("/disputes/reconsideration").await.status, StatusCode::FORBIDDEN);
    assert_eq!(cgj.get(&format!("/disputes/reconsideration/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(cgj.get(&format!("/api/v1/disputes/reconsiderations/{id}")).await.status, StatusCode::NOT_FOUND);
    let r = step(&mut cgj, id, "propose_decision", serde_json::json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The respondent's own staff (a department) cannot act on the office's case either.
    let mut zjj_c = app.login("zjj_staff").await;
    assert_eq!(zjj_c.get(&format!("/api/v1/disputes/reconsiderations/{id}")).await.status, StatusCode::NOT_FOUND);
}

/// Cases received before 2024-01-01 follow the previous law: deemed accepted from the day of
/// receipt (1999 law Art. 17 ¶2), no 简易 track; from 2024 the 2023 law: deemed accepted from the
/// expiry of the review (Art. 30 ¶3). Each clock is the law's.
#[tokio::test]
async fn each_version_of_the_law_applies_to_the_cases_received_under_it() {
    let app = TestApp::new().await;
    let (sfj, gaj) = (sfj(&app).await, org_id(&app, "D-GAJ").await);
    let who = Who::Import;
    let app_of = |received: &str, known: &str| Application {
        org_id: Some(sfj),
        applicant_name: Some("李四".into()),
        respondent_org_id: Some(gaj),
        act_title: Some("行政拘留决定".into()),
        act_known_on: Some(known.into()),
        request_text: Some("请求撤销".into()),
        received_on: Some(received.into()),
        ..Default::default()
    };
    let old = service::register_on(&app.state, &who, app_of("2023-12-20", "2023-12-01"), d("2023-12-21")).await.unwrap().case;
    let new = service::register_on(&app.state, &who, app_of("2024-01-02", "2023-12-25"), d("2024-01-03")).await.unwrap().case;
    assert_eq!(old.due_on.as_deref(), Some("2023-12-27"), "five working days");
    assert_eq!(new.due_on.as_deref(), Some("2024-01-09"));
    // No 简易程序 for the old case.
    let e = service::step_on(
        &app.state,
        &who,
        old.id,
        None,
        "accept_simple",
        StepForm { fields: [("simple_ground".to_string(), "x".to_string())].into(), ..Default::default() },
        d("2023-12-22"),
    )
    .await
    .unwrap_err();
    assert!(matches!(&e, fazhi::error::AppError::Refused { code, .. } if code == "rule_not_in_force"), "{e:?}");
    // Nobody decided in time: the sweep deems both accepted, each from its own day.
    let report = service::sweep(&app.state, d("2024-01-15")).await.unwrap();
    assert_eq!(report.deemed_accepted, 2);
    let (acc_old, due_old): (Option<String>, Option<String>) =
        q("SELECT a.accepted_on, c.due_on FROM recon_applications a JOIN cases c ON c.id = a.case_id WHERE a.case_id = $1")
            .bind(old.id)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    // 1999 law: accepted from receipt; 2023-12-20 + 60 = 2024-02-18, a 调休 Sunday that is a working day.
    assert_eq!((acc_old.as_deref(), due_old.as_deref()), (Some("2023-12-20"), Some("2024-02-18")));
    let (acc_new, due_new): (Option<String>, Option<String>) =
        q("SELECT a.accepted_on, c.due_on FROM recon_applications a JOIN cases c ON c.id = a.case_id WHERE a.case_id = $1")
            .bind(new.id)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    // 2023 law: from the expiry 2024-01-09; + 60 = 2024-03-09, a Saturday: Monday 2024-03-11.
    assert_eq!((acc_new.as_deref(), due_new.as_deref()), (Some("2024-01-09"), Some("2024-03-11")));
    // The timeline names the article that applied.
    let basis: Vec<(String,)> = q("SELECT changes FROM events WHERE entity = 'case' AND entity_id = $1 AND action = 'deemed_accepted'")
        .bind(old.id)
        .fetch_all(&app.state.db)
        .await
        .unwrap();
    assert!(basis[0].0.contains("1999"), "{basis:?}");
    // 确认无效 is not a decision of the previous law.
    let f = StepForm {
        fields: [("decision_type", "confirm_void"), ("decision_basis", "《行政复议法》第六十七条"), ("decision_text", "无效")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..Default::default()
    };
    let e = service::step_on(&app.state, &who, old.id, None, "propose_decision", f.clone(), d("2024-01-20")).await.unwrap_err();
    assert!(e.to_string().contains("修订前") || format!("{:?}", e.field_errors()).contains("修订前"), "{e:?}");
    assert!(service::step_on(&app.state, &who, new.id, None, "propose_decision", f, d("2024-01-20")).await.is_ok());
}

#[tokio::test]
async fn a_correction_not_made_in_time_is_abandoned_and_an_unanswered_opinion_escalates() {
    let app = TestApp::new().await;
    let (sfj, zjj) = (sfj(&app).await, org_id(&app, "D-ZJJ").await);
    let who = Who::Import;
    let cal = app.state.calendar();
    let today = fazhi::time::today();
    let received = cal.next_working_day_from(today - Duration::days(40));
    let a = Application {
        org_id: Some(sfj),
        applicant_name: Some("王五".into()),
        respondent_org_id: Some(zjj),
        act_title: Some("责令限期拆除决定".into()),
        act_known_on: Some(fazhi::time::fmt_date(received - Duration::days(3))),
        request_text: Some("请求撤销".into()),
        received_on: Some(fazhi::time::fmt_date(received)),
        ..Default::default()
    };
    let case = service::register_on(&app.state, &who, a, received).await.unwrap().case;
    let asked = cal.add_working_days(received, 2);
    let f = StepForm { fields: [("correction_items".to_string(), "请提交拆除决定书".to_string())].into(), ..Default::default() };
    let c = service::step_on(&app.state, &who, case.id, None, "request_correction", f, asked).await.unwrap();
    let until = cal.add_working_days(asked, 10);
    assert_eq!(c.due_on.as_deref(), Some(fazhi::time::fmt_date(until).as_str()), "ten working days (Art. 31 ¶2)");
    // Not before the period has passed…
    let r = service::sweep(&app.state, until).await.unwrap();
    assert_eq!(r.abandoned, 0);
    // …then abandoned.
    let r = service::sweep(&app.state, until + Duration::days(1)).await.unwrap();
    assert_eq!(r.abandoned, 1);
    let (st, outcome): (String, Option<String>) = q("SELECT c.state, a.outcome FROM cases c JOIN recon_applications a ON a.case_id = c.id WHERE c.id = $1")
        .bind(case.id)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!((st.as_str(), outcome.as_deref()), ("abandoned", Some("abandoned")));

    // A 意见书 issued 70 days ago and not answered: escalated once, both units told.
    let issued = today - Duration::days(70);
    let l = fazhi::disputes::letters::issue_on(
        &app.state,
        &who,
        fazhi::disputes::letters::NewLetter {
            kind: Some("opinion".into()),
            org_id: Some(sfj),
            case_id: None,
            recipient_org_id: Some(zjj),
            subject: Some("关于规范拆违程序的意见".into()),
            body: Some("请纠正".into()),
        },
        issued,
    )
    .await
    .unwrap();
    let r = service::sweep(&app.state, today).await.unwrap();
    assert_eq!(r.letters_escalated, 1);
    assert_eq!(service::sweep(&app.state, today).await.unwrap().letters_escalated, 0, "once");
    let notices = q("SELECT COUNT(*) FROM notifications WHERE kind = 'recon_letter_overdue'").fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(notices, 2);
    let mut staff = app.login("fy_staff").await;
    let r = staff.get("/api/v1/disputes/letters?status=overdue").await;
    assert_eq!(r.json()["total"], 1, "{}", r.text);
    assert_eq!(r.json()["items"][0]["id"], l.id);
    // A bad letter: every field named, with Art. 76.
    let r = staff.post_json("/api/v1/disputes/letters", &serde_json::json!({"kind": "opinion", "org_id": sfj})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("recipient_org_id") && r.text.contains("subject") && r.text.contains("第七十六条"), "{}", r.text);
}

/// The demo year: built through the services (every clock the law's), at the seed's scale
/// (seven 建议书 in two years), quickly, and its figures add up.
#[tokio::test]
async fn the_demo_year_is_consistent_and_quick() {
    let app = TestApp::new().await;
    let started = std::time::Instant::now();
    fazhi::disputes::demo::seed_year(&app.state, fazhi::registry::DemoSize::Full).await.unwrap();
    fazhi::disputes::demo::seed_mediation(&app.state, fazhi::registry::DemoSize::Full).await.unwrap();
    let took = started.elapsed();
    assert!(took < std::time::Duration::from_secs(60), "{took:?}");
    // Seed 五: 1,087 resolved by the mediators at the court, 91 at the petition office.
    let resolved = |src: &'static str| {
        let db = app.state.db.clone();
        async move {
            q("SELECT COUNT(*) FROM mediation_cases WHERE source = $1 AND closing_code IN ('agreement_written', 'agreement_oral')")
                .bind(src)
                .fetch_i64(&db)
                .await
                .unwrap()
        }
    };
    assert_eq!((resolved("court").await, resolved("petition").await), (1087, 91));
    // Every closed mediation carries exactly one standard closing code.
    assert_eq!(
        q("SELECT COUNT(*) FROM cases c JOIN mediation_cases m ON m.case_id = c.id WHERE c.is_open = FALSE AND m.closing_code IS NULL")
            .fetch_i64(&app.state.db)
            .await
            .unwrap(),
        0
    );
    let db = &app.state.db;
    let n = q("SELECT COUNT(*) FROM recon_applications").fetch_i64(db).await.unwrap();
    assert!(n >= 120, "{n}");
    assert_eq!(q("SELECT COUNT(*) FROM recon_letters WHERE kind = 'suggestion'").fetch_i64(db).await.unwrap(), 7);
    // Every decided case has its type and basis, and every decision is on time.
    assert_eq!(
        q("SELECT COUNT(*) FROM recon_applications WHERE decided_on IS NOT NULL AND (decision_type IS NULL OR decision_basis IS NULL)")
            .fetch_i64(db)
            .await
            .unwrap(),
        0
    );
    assert_eq!(q("SELECT COUNT(*) FROM recon_applications WHERE decided_on_time = FALSE").fetch_i64(db).await.unwrap(), 0);
    // The register's states and the outcomes agree.
    assert_eq!(
        q("SELECT COUNT(*) FROM cases c JOIN recon_applications a ON a.case_id = c.id WHERE (c.is_open = FALSE) <> (a.outcome IS NOT NULL AND c.state <> 'decided')").fetch_i64(db).await.unwrap(),
        0
    );
    let mut sfj = app.login("sfj").await;
    let r = sfj.get("/disputes/reconsideration?status=all").await;
    assert!(r.status == StatusCode::OK && r.contains("司法局复〔"), "{}", r.text);
    let y = fazhi::time::today();
    let from = fazhi::time::fmt_date(y - Duration::days(365));
    let to = fazhi::time::fmt_date(y);
    let j = sfj.get(&format!("/api/v1/indicators/disputes.recon_correction_rate?from={from}&to={to}&by=respondent")).await.json();
    let (num, den) = (j["total"]["numerator"].as_i64().unwrap(), j["total"]["denominator"].as_i64().unwrap());
    assert!(den > 50 && num > 5 && num < den / 2, "{j}");
    let j = sfj.get(&format!("/api/v1/indicators/disputes.mediation_success_rate?from={from}&to={to}&by=source")).await.json();
    let court = j["groups"].as_array().unwrap().iter().find(|g| g["key"] == "court").cloned().unwrap_or_default();
    assert_eq!(court["numerator"], 1087, "{j}");
    let j = sfj.get(&format!("/api/v1/indicators/disputes.mediation_cases?from={from}&to={to}&by=source")).await.json();
    assert!(j["total"]["numerator"].as_i64().unwrap() > 1300, "{j}");
}

/// A court-referred mediation: the court's case number required, the conflict of interest
/// refused with the conflict named, an agreement with the 30 days of 司法确认 (Art. 33), the
/// court's answer and the follow-up; a failed mediation tells the parties the other routes.
#[tokio::test]
async fn a_court_referred_mediation_with_a_conflict_refused_ends_in_an_agreement_confirmed() {
    let app = TestApp::new().await;
    let dh = org_id(&app, "T-DH").await;
    let mut c = app.login("dh_staff").await;
    let cal = app.state.calendar();
    let today = fazhi::time::today();
    let base = serde_json::json!({"org_id": dh, "kind": "people", "source": "court", "summary": "相邻通行纠纷", "party_a": "赵甲", "party_b": "钱乙", "party_a_phone": "13900002222"});
    let r = c.post_json("/api/v1/disputes/mediations", &base).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("court_case_no") && r.text.contains("法院案号"), "{}", r.text);
    let r = c
        .post_json(
            "/api/v1/disputes/mediations",
            &serde_json::json!({"org_id": dh, "source": "hotline", "hotline_ticket_no": "不存在", "summary": "x", "party_a": "a", "party_b": "b"}),
        )
        .await;
    assert!(r.text.contains("ticket_not_found"), "{}", r.text);
    let mut b = base.clone();
    b["court_case_no"] = serde_json::json!("（2026）苏1084民诉前调1234号");
    let r = c.post_json("/api/v1/disputes/mediations", &b).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let j = r.json();
    let id = j["id"].as_i64().unwrap();
    assert_eq!(j["due_on"].as_str().unwrap(), fazhi::time::fmt_date(cal.add_calendar_days(today, 30, true)), "a month (local default)");
    // The roster: one mediator is the party's relative.
    let m1 = c.post_json("/api/v1/disputes/mediators", &serde_json::json!({"org_id": dh, "name": "孙调解", "relations": "赵甲（表兄）"})).await.json()["id"]
        .as_i64()
        .unwrap();
    let m2 = c.post_json("/api/v1/disputes/mediators", &serde_json::json!({"org_id": dh, "name": "李调解", "specialty": "邻里纠纷"})).await.json()["id"]
        .as_i64()
        .unwrap();
    let r = c.post_json(&format!("/api/v1/disputes/mediations/{id}/steps/assign"), &serde_json::json!({"fields": {"mediator_id": m1.to_string()}})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["code"], "conflict_of_interest");
    assert!(r.text.contains("赵甲（表兄）") && r.text.contains("第二十一条"), "{}", r.text);
    // Another unit's mediator cannot be assigned either.
    let other = c.post_json("/api/v1/disputes/mediators", &serde_json::json!({"org_id": org_id(&app, "D-ZJJ").await, "name": "外单位"})).await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", other.text);
    let r = c.post_json(&format!("/api/v1/disputes/mediations/{id}/steps/assign"), &serde_json::json!({"fields": {"mediator_id": m2.to_string()}})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["mediator_id"], m2);
    let r = c.post_json(&format!("/api/v1/disputes/mediations/{id}/steps/agree"), &serde_json::json!({"fields": {"agreement_kind": "written"}})).await;
    assert!(r.text.contains("agreement_text"), "{}", r.text);
    let r = c
        .post_json(
            &format!("/api/v1/disputes/mediations/{id}/steps/agree"),
            &serde_json::json!({"fields": {"agreement_kind": "written", "agreement_text": "钱乙让出通道1米，赵甲补偿2000元"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let j = r.json();
    assert_eq!((j["state"].as_str(), j["closing_code"].as_str()), (Some("agreed"), Some("agreement_written")));
    assert_eq!(j["due_on"].as_str().unwrap(), fazhi::time::fmt_date(cal.add_calendar_days(today, 30, true)), "司法确认 within 30 days (Art. 33)");
    let r = c.post_json(&format!("/api/v1/disputes/mediations/{id}/steps/record_confirmation"), &serde_json::json!({"fields": {"result": "confirmed"}})).await;
    assert_eq!(r.json()["confirmation_result"], "confirmed", "{}", r.text);
    let r = c.post_json(&format!("/api/v1/disputes/mediations/{id}/steps/close"), &serde_json::json!({"fields": {"performance": "performed"}})).await;
    assert_eq!(r.json()["state"], "closed", "{}", r.text);
    let r = c.get(&format!("/disputes/mediation/{id}")).await;
    assert!(r.status == StatusCode::OK && r.contains("法院诉前委派") && r.contains("调解成功（书面协议）"), "{}", r.text);
    // Another town's staff: 404.
    let mut zjj = app.login("zjj_staff").await;
    assert_eq!(zjj.get(&format!("/api/v1/disputes/mediations/{id}")).await.status, StatusCode::NOT_FOUND);
    // The same through the pages: the form names the missing court number; the roster lists
    // the mediators and takes a new one.
    let r = c
        .post_form(
            "/disputes/mediation/new",
            &[("org_id", &dh.to_string()), ("source", "court"), ("summary", "劳务纠纷"), ("party_a", "郑戊"), ("party_b", "王己")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("法院委派调解的，请填写法院案号"), "{}", r.text);
    let r = c
        .post_form(
            "/disputes/mediation/new",
            &[("org_id", &dh.to_string()), ("source", "walk_in"), ("summary", "劳务纠纷"), ("party_a", "郑戊"), ("party_b", "王己")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let r = c.post_form("/disputes/mediators", &[("org_id", &dh.to_string()), ("name", "陈调解"), ("relations", "王己（同事）")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let r = c.get("/disputes/mediators").await;
    assert!(r.status == StatusCode::OK && r.contains("陈调解") && r.contains("孙调解"), "{}", r.text);
    let r = c.get("/disputes/mediation").await;
    assert!(r.status == StatusCode::OK && r.contains("郑戊"), "{}", r.text);
    // A failed mediation must tell the parties the other routes (Art. 26).
    let r = c
        .post_json(
            "/api/v1/disputes/mediations",
            &serde_json::json!({"org_id": dh, "source": "walk_in", "summary": "欠款纠纷", "party_a": "周丙", "party_b": "吴丁"}),
        )
        .await;
    let id2 = r.json()["id"].as_i64().unwrap();
    c.post_json(&format!("/api/v1/disputes/mediations/{id2}/steps/assign"), &serde_json::json!({"fields": {"mediator_id": m2.to_string()}})).await;
    let r = c.post_json(&format!("/api/v1/disputes/mediations/{id2}/steps/terminate"), &serde_json::json!({"fields": {"closing_code": "failed"}})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("第二十六条"), "{}", r.text);
    let r = c
        .post_json(
            &format!("/api/v1/disputes/mediations/{id2}/steps/terminate"),
            &serde_json::json!({"fields": {"closing_code": "failed", "routes_told": "yes"}}),
        )
        .await;
    assert_eq!(r.json()["closing_code"], "failed", "{}", r.text);
}
