//! 行政应诉 and the village legal advisers: a suit against the 城管局 with its fifteen days of
//! defence (Art. 67), a hearing where the head did not appear refused without a legal excuse,
//! a judgment lost, the appeal period (Art. 85), performance required when lost (Art. 94), the
//! figures (负责人出庭应诉率, 败诉率 by agency, performed); another agency's suit is 404; the
//! advisers' coverage computed from the assignments and their services counted; mediation's
//! register filtered and exported.

use axum::http::StatusCode;
use chrono::Duration;

use crate::common::*;
use fazhi::disputes::litigation;
use fazhi::disputes::service::{StepForm, Who};

fn suit(org: i64, served: &str, no: &str) -> serde_json::Value {
    serde_json::json!({"org_id": org, "court": "示范市人民法院", "court_case_no": no, "plaintiff": "张三", "cause": "城乡建设行政管理",
        "act_challenged": "限期拆除违法建筑决定", "served_on": served})
}

async fn step(c: &mut Client, id: i64, action: &str, json: serde_json::Value) -> Response {
    c.post_json(&format!("/api/v1/disputes/litigation/{id}/steps/{action}"), &json).await
}

#[tokio::test]
async fn a_suit_is_answered_heard_lost_and_the_judgment_performed() {
    let app = TestApp::new().await;
    let cgj = org_id(&app, "D-CGJ").await;
    let today = fazhi::time::today();
    let cal = app.state.calendar();
    let served = today - Duration::days(3);
    let mut c = app.login("cgj_staff").await;

    let r = c.post_json("/api/v1/disputes/litigation", &serde_json::json!({"org_id": cgj})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for f in ["court", "court_case_no", "plaintiff", "cause", "act_challenged", "served_on"] {
        assert!(r.text.contains(&format!("\"field\":\"{f}\"")), "{f}: {}", r.text);
    }
    assert!(r.text.contains("第六十七条"), "{}", r.text);
    let r = c.post_json("/api/v1/disputes/litigation", &suit(cgj, &fazhi::time::fmt_date(served), "（2026）苏1084行初1号")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let j = r.json();
    let id = j["id"].as_i64().unwrap();
    assert_eq!(j["due_on"].as_str().unwrap(), fazhi::time::fmt_date(cal.add_calendar_days(served, 15, true)), "15 days from service");
    let r = c.post_json("/api/v1/disputes/litigation", &suit(cgj, &fazhi::time::fmt_date(served), "（2026）苏1084行初1号")).await;
    assert!(r.text.contains("duplicate_case"), "{}", r.text);

    let r = step(&mut c, id, "answer", serde_json::json!({"fields": {"answer_summary": "认定事实清楚，提交证据十二份"}})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["answered_in_time"], true);
    // The head absent: only with a legal excuse (规定 Arts. 8–9).
    let t = fazhi::time::fmt_date(today);
    let r = step(&mut c, id, "hearing", serde_json::json!({"fields": {"hearing_on": t, "appearance": "staff"}})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("正当理由") && r.text.contains("第八条"), "{}", r.text);
    let r = step(&mut c, id, "hearing", serde_json::json!({"fields": {"hearing_on": fazhi::time::fmt_date(today + Duration::days(3)), "appearance": "head"}}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a hearing in the future is not recorded");
    let r = step(&mut c, id, "hearing", serde_json::json!({"fields": {"hearing_on": t, "appearance": "staff", "excuse": "duty"}})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = step(&mut c, id, "hearing", serde_json::json!({"fields": {"hearing_on": t, "appearance": "deputy", "head_name": "王副局长"}})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // A 司法建议 from the court, tracked to the answer.
    let r = step(&mut c, id, "answer_suggestion", serde_json::json!({"fields": {"suggestion_answer": "x"}})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "nothing to answer yet");
    let r = step(&mut c, id, "suggestion", serde_json::json!({"fields": {"suggestion_text": "建议规范违法建设认定程序"}})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = step(&mut c, id, "answer_suggestion", serde_json::json!({"fields": {"suggestion_answer": "已修订违法建设认定工作规程"}})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = step(&mut c, id, "judge", serde_json::json!({"fields": {"outcome": "revoked"}})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let due = r.json()["due_on"].as_str().unwrap().to_string();
    assert_eq!(due, fazhi::time::fmt_date(cal.add_calendar_days(today, 15, true)), "15 days to appeal a judgment");
    let r = step(&mut c, id, "effective", serde_json::json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "not before the appeal period has run");
    let after = fazhi::time::parse_date(&due).unwrap() + Duration::days(1);
    let case = litigation::step_on(&app.state, &Who::Import, id, None, "effective", StepForm::default(), after).await.unwrap();
    assert_eq!(case.state, "effective");
    let r = step(&mut c, id, "close", serde_json::json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "lost: performance must be recorded (Art. 94)");
    assert!(r.text.contains("第九十四条"), "{}", r.text);
    let r = step(&mut c, id, "close", serde_json::json!({"fields": {"performance": "performed"}})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!((r.json()["lost"].as_bool(), r.json()["performance"].as_str()), (Some(true), Some("performed")));

    // Another agency's staff: 404. The rule-of-law office reads the figures.
    let mut other = app.login("dh_staff").await;
    assert_eq!(other.get(&format!("/api/v1/disputes/litigation/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.get(&format!("/disputes/litigation/{id}")).await.status, StatusCode::NOT_FOUND);
    let mut sfj = app.login("sfj").await;
    let (from, to) = (fazhi::time::fmt_date(today - Duration::days(30)), fazhi::time::fmt_date(after));
    for (code, by, n, den) in [
        ("disputes.lit_cases", "org", 1, None),
        ("disputes.lit_head_appearance_rate", "appearance", 1, Some(2)),
        ("disputes.lit_loss_rate", "org", 1, Some(1)),
        ("disputes.lit_performed_rate", "", 1, Some(1)),
    ] {
        let r = sfj.get(&format!("/api/v1/indicators/{code}?from={from}&to={to}&by={by}")).await;
        assert_eq!(r.status, StatusCode::OK, "{code}: {}", r.text);
        let j = r.json();
        assert_eq!(j["total"]["numerator"], n, "{code}: {j}");
        if let Some(den) = den {
            assert_eq!(j["total"]["denominator"], den, "{code}: {j}");
        }
    }
    let r = sfj.get("/disputes/litigation").await;
    assert!(r.status == StatusCode::OK && r.contains("（2026）苏1084行初1号") && r.contains("败诉"), "{}", r.text);
    let r = sfj.get("/disputes/litigation/export.xlsx?state=closed").await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn every_village_has_an_adviser_and_the_coverage_is_computed_from_the_assignments() {
    let app = TestApp::new().await;
    fazhi::disputes::advisers::seed_demo(&app.state, fazhi::registry::DemoSize::Light).await.unwrap();
    let mut sfj = app.login("sfj").await;
    let t = fazhi::time::fmt_date(fazhi::time::today());
    let j = sfj.get(&format!("/api/v1/indicators/disputes.adviser_coverage?from={t}&to={t}&by=town")).await.json();
    assert_eq!((j["total"]["numerator"].as_i64(), j["total"]["denominator"].as_i64()), (Some(224), Some(224)), "{j}");
    assert!(j["groups"].as_array().unwrap().len() >= 13, "{j}");
    let r = sfj.get("/disputes/advisers").await;
    assert!(r.status == StatusCode::OK && r.contains("224 / 224"), "{}", r.text);

    // A village left without one: the figure follows.
    let v = fazhi::db::q("SELECT org_id FROM adviser_villages ORDER BY org_id LIMIT 1").fetch_i64(&app.state.db).await.unwrap();
    app.state
        .db
        .write(move |tx| {
            Box::pin(async move {
                fazhi::db::q("DELETE FROM adviser_services WHERE org_id = $1").bind(v).execute(&mut *tx).await?;
                fazhi::db::q("DELETE FROM adviser_villages WHERE org_id = $1").bind(v).execute(&mut *tx).await?;
                Ok(())
            })
        })
        .await
        .unwrap();
    let j = sfj.get(&format!("/api/v1/indicators/disputes.adviser_coverage?from={t}&to={t}")).await.json();
    assert_eq!(j["total"]["numerator"].as_i64(), Some(223), "{j}");

    // The centre logs a service; it must be a village with an adviser, a date in range.
    let mut aid = app.login("aid_staff").await;
    let r = aid.post_form("/disputes/advisers/service", &[("org_id", &v.to_string()), ("kind", "lecture"), ("served_on", &t), ("people", "40")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        fazhi::db::q("SELECT COUNT(*) FROM adviser_services WHERE org_id = $1").bind(v).fetch_i64(&app.state.db).await.unwrap(),
        0,
        "no adviser, no service"
    );
    let adviser = fazhi::db::q("SELECT id FROM legal_advisers ORDER BY id LIMIT 1").fetch_i64(&app.state.db).await.unwrap();
    let r = aid.post_form("/disputes/advisers/assign", &[("org_id", &v.to_string()), ("adviser_id", &adviser.to_string())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = aid.post_form("/disputes/advisers/service", &[("org_id", &v.to_string()), ("kind", "lecture"), ("served_on", &t), ("people", "40")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let j = sfj.get(&format!("/api/v1/indicators/disputes.adviser_services?from={t}&to={t}&by=kind")).await.json();
    assert!(j["total"]["numerator"].as_i64().unwrap() >= 1 && j.to_string().contains("法治讲座"), "{j}");
    let mut dh = app.login("dh_staff").await;
    let r = dh.post_form("/disputes/advisers/new", &[("name", "某"), ("kind", "lawyer"), ("firm", "某所")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_mediation_register_is_filtered_and_exported() {
    let app = TestApp::new().await;
    let dh = org_id(&app, "T-DH").await;
    fazhi::disputes::demo::sample_mediation(&app.state, dh).await.unwrap();
    let mut c = app.login("dh_staff").await;
    let r = c.get("/disputes/mediation?source=walk_in").await;
    assert!(r.status == StatusCode::OK && r.contains("权限测试纠纷"), "{}", r.text);
    let r = c.get("/disputes/mediation?source=court").await;
    assert!(r.status == StatusCode::OK && !r.contains("权限测试纠纷"), "{}", r.text);
    let r = c.get("/disputes/mediation/export.xlsx?state=registered").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers.get("content-type").unwrap().to_str().unwrap().contains("spreadsheetml"));
}
