//! 法律援助: a migrant worker applies on the portal and is granted aid without a means test, the
//! assignment refused for a conflict of interest and then made, the close-out only by the lawyer
//! assigned, with the wages counted separately, and the applicant's rating; the means test with
//! its override and its reason, a decision after day 7 (Art. 43); 一次性告知 and 视为撤回 (Art. 43
//! ¶2); an objection decided by the justice bureau (Art. 49); bad input; scope; the register's
//! export; the indicators; the demo year at the seed's scale.

use axum::http::StatusCode;
use chrono::Duration;

use crate::common::*;
use fazhi::db::q;
use fazhi::disputes::legal_aid;
use fazhi::disputes::service::{StepForm, Who};

fn aid(centre: i64, name: &str, extra: serde_json::Value) -> serde_json::Value {
    let mut b = serde_json::json!({
        "org_id": centre, "channel": "counter", "applicant_name": name, "phone": "13800001111", "category": "family",
        "opponent": "周某", "summary": format!("{name}的离婚纠纷，需要代理诉讼"), "household_size": "3", "monthly_income": "1500"
    });
    for (k, v) in extra.as_object().unwrap() {
        b[k] = v.clone();
    }
    b
}

async fn step(c: &mut Client, id: i64, action: &str, json: serde_json::Value) -> Response {
    c.post_json(&format!("/api/v1/disputes/legal-aid/{id}/steps/{action}"), &json).await
}

async fn lawyer_provider(app: &TestApp) -> i64 {
    q("SELECT p.id FROM legal_aid_providers p JOIN users u ON u.id = p.user_id WHERE u.username = 'aid_lawyer'").fetch_i64(&app.state.db).await.unwrap()
}

#[tokio::test]
async fn a_migrant_worker_applies_on_the_portal_and_a_lawyer_closes_with_the_wages_recovered() {
    let app = TestApp::new().await;
    let centre = org_id(&app, legal_aid::CENTRE).await;
    let today = fazhi::time::today();
    let cal = app.state.calendar();

    // On the phone: the form, then bad input kept with every message, then the application.
    let mut citizen = crate::portal::citizen(&app, "13912345678").await;
    let r = citizen.get("/portal/legal-aid").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.contains("第四十三条") && r.contains("本地默认"), "{}", r.text);
    let r =
        citizen.post_form("/portal/legal-aid", &[("applicant_name", ""), ("category", "family"), ("exempt_ground", "migrant_worker"), ("summary", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("请填写申请人姓名") && r.contains("第四十二条第三项") && r.contains("请简要说明案情"), "{}", r.text);
    let form = [
        ("applicant_name", "王建国"),
        ("migrant_worker", "1"),
        ("category", "wages"),
        ("opponent", "示范市某建筑劳务公司"),
        ("summary", "在工地做木工三个月，老板拖欠工资 26000 元"),
        ("exempt_ground", "migrant_worker"),
    ];
    let r = citizen.post_form("/portal/legal-aid", &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let r = citizen.post_form("/portal/legal-aid", &form).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a repeated submit is not a second case");
    assert!(r.contains("请勿重复提交"), "{}", r.text);
    let id = q("SELECT case_id FROM legal_aid_cases WHERE phone = '13912345678'").fetch_i64(&app.state.db).await.unwrap();
    let r = citizen.get("/portal/legal-aid/mine").await;
    assert!(r.contains("待审查") && r.contains("追索劳动报酬"), "{}", r.text);

    // The centre: eligible without a means test, seven days to decide (calendar days, rolled).
    let mut staff = app.login("aid_staff").await;
    let j = staff.get(&format!("/api/v1/disputes/legal-aid/{id}")).await.json();
    assert_eq!(j["channel"], "portal");
    assert_eq!(j["computed_eligible"], true);
    assert!(j["eligibility_basis"].as_str().unwrap().contains("第四十二条"), "{j}");
    assert_eq!(j["applicant_name"], "王**", "masked in the API: {j}");
    assert_eq!(j["due_on"].as_str().unwrap(), fazhi::time::fmt_date(cal.add_calendar_days(today, 7, true)));
    let r = step(&mut staff, id, "grant", serde_json::json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let j = r.json();
    assert_eq!((j["state"].as_str().unwrap(), j["decided_in_time"].as_bool()), ("granted", Some(true)));
    assert_eq!(j["due_on"].as_str().unwrap(), fazhi::time::fmt_date(cal.add_calendar_days(today, 3, true)), "three days to assign");

    // The conflict check: a lawyer who declared the opponent as a client is refused, named.
    let conflicted =
        legal_aid::add_provider(&app.state, &Who::Import, centre, "赵律师", "江苏某律师事务所", "lawyer", None, "示范市某建筑劳务公司（常年法律顾问）")
            .await
            .unwrap();
    let r = step(&mut staff, id, "assign", serde_json::json!({"fields": {"provider_id": conflicted.to_string()}})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["code"], "conflict_of_interest");
    assert!(r.text.contains("赵律师") && r.text.contains("常年法律顾问") && r.text.contains("provider_id"), "{}", r.text);
    let lawyer = lawyer_provider(&app).await;
    let r = step(&mut staff, id, "assign", serde_json::json!({"fields": {"provider_id": lawyer.to_string()}})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let j = r.json();
    assert_eq!(j["state"], "assisting");

    // Only the lawyer assigned closes (Art. 50); the wages are no more than the amount.
    let close = serde_json::json!({"fields": {"closing_code": "mediation", "amount_recovered": "26000", "wages_recovered": "26000", "report": "经劳动仲裁委调解，用人单位当场支付全部欠薪"}});
    let r = step(&mut staff, id, "close", close.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["code"], "not_assigned_provider");
    let mut lawyer_c = app.login("aid_lawyer").await;
    // The lawyer's 工作台 lists the case assigned to them (and not the centre's others).
    let case_no = j["case_no"].as_str().unwrap().to_string();
    let r = lawyer_c.get("/").await;
    assert!(r.contains(&case_no), "{}", r.text);
    let r = step(
        &mut lawyer_c,
        id,
        "close",
        serde_json::json!({"fields": {"closing_code": "mediation", "amount_recovered": "1000", "wages_recovered": "26000", "report": "x"}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("不能大于") && r.text.contains("第五十条"), "{}", r.text);
    let r = step(&mut lawyer_c, id, "close", serde_json::json!({"fields": {"closing_code": "won", "amount_recovered": "1", "report": "x"}})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "not a standard closing code");
    let r = step(&mut lawyer_c, id, "close", close).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let j = r.json();
    assert_eq!((j["state"].as_str().unwrap(), j["closing_code"].as_str().unwrap(), j["wages_recovered"].as_i64().unwrap()), ("closed", "mediation", 26000));

    // The citizen rates it, once.
    let r = citizen.post_form(&format!("/portal/legal-aid/{id}/rate"), &[("satisfaction", "5")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(q("SELECT satisfaction FROM legal_aid_cases WHERE case_id = $1").bind(id).fetch_i64(&app.state.db).await.unwrap(), 5);
    let mut other = crate::portal::citizen(&app, "13900009999").await;
    let r = other.post_form(&format!("/portal/legal-aid/{id}/rate"), &[("satisfaction", "1")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "someone else's case");

    // The figures.
    let t = fazhi::time::fmt_date(today);
    for (code, by, n, den) in [
        ("disputes.legal_aid_cases", "channel", 1, None),
        ("disputes.legal_aid_decided_in_time_rate", "", 1, Some(1)),
        ("disputes.legal_aid_assigned_in_time_rate", "", 1, Some(1)),
        ("disputes.legal_aid_amount_recovered", "category", 26000, None),
        ("disputes.legal_aid_migrant_wages", "org", 26000, None),
        ("disputes.legal_aid_closed", "closing", 1, None),
        ("disputes.legal_aid_satisfaction_rate", "", 1, Some(1)),
    ] {
        let r = staff.get(&format!("/api/v1/indicators/{code}?from={t}&to={t}&by={by}")).await;
        assert_eq!(r.status, StatusCode::OK, "{code}: {}", r.text);
        let j = r.json();
        assert_eq!(j["total"]["numerator"], n, "{code}: {j}");
        if let Some(den) = den {
            assert_eq!(j["total"]["denominator"], den, "{code}: {j}");
        }
    }
    let r = staff.get(&format!("/api/v1/indicators/disputes.legal_aid_cases?from={t}&to={t}&by=channel")).await;
    assert!(r.text.contains("网上申请"), "{}", r.text);
}

#[tokio::test]
async fn the_means_test_its_override_and_a_late_decision_need_their_reasons() {
    let app = TestApp::new().await;
    let centre = org_id(&app, legal_aid::CENTRE).await;
    let mut staff = app.login("aid_staff").await;

    // Over the threshold: not eligible, and granting needs the reason recorded.
    let r = staff.post_json("/api/v1/disputes/legal-aid", &aid(centre, "李海燕", serde_json::json!({"monthly_income": "5000"}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let j = r.json();
    let id = j["id"].as_i64().unwrap();
    assert_eq!(j["computed_eligible"], false);
    assert!(j["eligibility_basis"].as_str().unwrap().contains("高于本地经济困难标准 2280 元"), "{j}");
    let r = step(&mut staff, id, "grant", serde_json::json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("override_reason") && r.text.contains("第四十一条"), "{}", r.text);
    let r = step(&mut staff, id, "grant", serde_json::json!({"fields": {"override_reason": "家庭成员重病，医疗支出大，实际经济困难"}})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["override_reason"], "家庭成员重病，医疗支出大，实际经济困难");
    let ev = q("SELECT COUNT(*) FROM events WHERE entity = 'case' AND entity_id = $1 AND changes LIKE '%改变审查结果的理由%'")
        .bind(id)
        .fetch_i64(&app.state.db)
        .await
        .unwrap();
    assert_eq!(ev, 1, "the override is in the case's history");

    // The local threshold is a setting: raised, the same means pass.
    let mut review = app.login("aid_review").await;
    let r = review.post_form("/disputes/legal-aid/threshold", &[("threshold", "abc")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(legal_aid::threshold(&app.state.db).await.unwrap(), (2280, true), "a bad value changes nothing");
    let r = review.post_form("/disputes/legal-aid/threshold", &[("threshold", "6000")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(legal_aid::threshold(&app.state.db).await.unwrap(), (6000, false));
    let r = staff.post_json("/api/v1/disputes/legal-aid", &aid(centre, "张志强", serde_json::json!({"monthly_income": "5000"}))).await;
    assert_eq!(r.json()["computed_eligible"], true, "{}", r.text);
    let late = r.json()["id"].as_i64().unwrap();

    // After the seventh day: a decision needs the reason for the delay, and is counted late.
    let day = fazhi::time::today() + Duration::days(12);
    let r = legal_aid::step_on(
        &app.state,
        &Who::Import,
        late,
        None,
        "refuse",
        StepForm { reason: Some("不属于法律援助事项范围".into()), ..Default::default() },
        day,
    )
    .await;
    let e = r.unwrap_err();
    assert!(format!("{e:?}").contains("逾期") && e.basis().iter().any(|b| b.contains("第四十三条")), "{e:?}");
    let mut f = StepForm { reason: Some("不属于法律援助事项范围".into()), ..Default::default() };
    f.fields.insert("late_reason".into(), "等待人社部门出具证明".into());
    legal_aid::step_on(&app.state, &Who::Import, late, None, "refuse", f, day).await.unwrap();
    let (in_time, code): (bool, String) =
        q("SELECT decided_in_time, closing_code FROM legal_aid_cases WHERE case_id = $1").bind(late).fetch_one(&app.state.db).await.unwrap();
    assert_eq!((in_time, code.as_str()), (false, "refused"));

    // Art. 49: the justice bureau decides the objection within five days, and orders a review.
    let r = step(&mut staff, late, "object", serde_json::json!({"reason": "申请人不服"})).await;
    assert_ne!(r.status, StatusCode::OK, "the centre does not decide objections against itself");
    let r = step(&mut review, late, "object", serde_json::json!({"reason": "申请人认为属于追索劳动报酬事项"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let cal = app.state.calendar();
    assert_eq!(r.json()["due_on"].as_str().unwrap(), fazhi::time::fmt_date(cal.add_calendar_days(fazhi::time::today(), 5, true)));
    let r = step(&mut review, late, "order_resume", serde_json::json!({"reason": "x"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a refusal is reviewed, not resumed");
    let r = step(&mut review, late, "order_review", serde_json::json!({"reason": "属于法律援助事项范围，责令重新审查"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let j = r.json();
    assert_eq!((j["state"].as_str().unwrap(), j["decision"].clone()), ("received", serde_json::Value::Null));
}

#[tokio::test]
async fn missing_materials_are_told_once_and_an_application_not_completed_is_withdrawn() {
    let app = TestApp::new().await;
    let centre = org_id(&app, legal_aid::CENTRE).await;
    let mut staff = app.login("aid_staff").await;
    let r = staff.post_json("/api/v1/disputes/legal-aid", &aid(centre, "陈丽华", serde_json::json!({}))).await;
    let id = r.json()["id"].as_i64().unwrap();
    let r = step(&mut staff, id, "request_materials", serde_json::json!({"fields": {"materials": ""}})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "the notice lists the materials");
    let r = step(&mut staff, id, "request_materials", serde_json::json!({"fields": {"materials": "结婚证复印件；收入证明"}})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json()["version"].as_i64().unwrap();
    let r = step(&mut staff, id, "deem_withdrawn", serde_json::json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "not before the period has run");
    assert!(r.text.contains("第四十三条第二款"), "{}", r.text);
    let r = step(&mut staff, id, "supplement", serde_json::json!({"version": v - 1, "fields": {"supplement_text": "已补"}})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "a stale version");
    let r = step(&mut staff, id, "supplement", serde_json::json!({"fields": {"supplement_text": "已补交结婚证复印件"}})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = step(&mut staff, id, "request_materials", serde_json::json!({"fields": {"materials": "再补"}})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "told once (Art. 43 ¶2)");

    let r = staff.post_json("/api/v1/disputes/legal-aid", &aid(centre, "林玉兰", serde_json::json!({}))).await;
    let other = r.json()["id"].as_i64().unwrap();
    step(&mut staff, other, "request_materials", serde_json::json!({"fields": {"materials": "身份证复印件"}})).await;
    let later = fazhi::time::today() + Duration::days(40);
    let c = legal_aid::step_on(&app.state, &Who::Import, other, None, "deem_withdrawn", StepForm::default(), later).await.unwrap();
    assert_eq!(c.state, "withdrawn");
}

#[tokio::test]
async fn bad_applications_are_refused_field_by_field_and_nothing_is_written() {
    let app = TestApp::new().await;
    let centre = org_id(&app, legal_aid::CENTRE).await;
    let mut staff = app.login("aid_staff").await;
    let r = staff.post_json("/api/v1/disputes/legal-aid", &serde_json::json!({"org_id": centre})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for f in ["applicant_name", "phone", "category", "summary"] {
        assert!(r.text.contains(&format!("\"field\":\"{f}\"")), "{f}: {}", r.text);
    }
    let cases = [
        (serde_json::json!({"exempt_ground": "migrant_worker", "monthly_income": null}), "exempt_ground_not_applicable"),
        (serde_json::json!({"monthly_income": "很多"}), "not_a_number"),
        (serde_json::json!({"monthly_income": null}), "means_required"),
        (serde_json::json!({"phone": "12345"}), "bad_phone"),
        (serde_json::json!({"applicant_name": "长".repeat(51)}), "too_long"),
        (serde_json::json!({"received_on": "2001-01-01"}), "bad_date"),
        (serde_json::json!({"category": "lottery"}), "bad_choice"),
    ];
    for (extra, code) in cases {
        let r = staff.post_json("/api/v1/disputes/legal-aid", &aid(centre, "赵国平", extra.clone())).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{extra}: {}", r.text);
        assert!(r.text.contains(code), "{extra} → {code}: {}", r.text);
    }
    // Another unit: not the centre's staff's to register, nor to see.
    let town = org_id(&app, "T-DH").await;
    let r = staff.post_json("/api/v1/disputes/legal-aid", &aid(town, "赵国平", serde_json::json!({}))).await;
    assert!(r.text.contains("org_out_of_scope"), "{}", r.text);
    assert_eq!(q("SELECT COUNT(*) FROM legal_aid_cases").fetch_i64(&app.state.db).await.unwrap(), 0);
    let r = staff.post_json("/api/v1/disputes/legal-aid", &aid(centre, "赵国平", serde_json::json!({}))).await;
    let id = r.json()["id"].as_i64().unwrap();
    for user in ["dh_staff", "fy_staff", "aid_lawyer"] {
        let mut c = app.login(user).await;
        let r = c.get(&format!("/api/v1/disputes/legal-aid/{id}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{user}");
        let r = c.get(&format!("/disputes/legal-aid/{id}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{user}: {}", r.status);
    }
    let mut sfj = app.login("sfj").await;
    assert_eq!(sfj.get(&format!("/disputes/legal-aid/{id}")).await.status, StatusCode::OK, "oversight reads");
    // The register and its export; the lawyer's register lists only their own cases.
    let r = staff.get("/disputes/legal-aid?category=family").await;
    assert!(r.status == StatusCode::OK && r.contains("赵**") && !r.contains("赵国平"), "masked in the list");
    let r = staff.get("/disputes/legal-aid/export.xlsx?channel=counter").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers.get("content-type").unwrap().to_str().unwrap().contains("spreadsheetml"));
    let mut lawyer = app.login("aid_lawyer").await;
    let r = lawyer.get("/disputes/legal-aid").await;
    assert!(r.status == StatusCode::OK && !r.contains("赵**"), "{}", r.text);
}

/// Seed 五: 879 cases and more than ¥9.5 M of wages recovered for migrant workers.
#[tokio::test]
async fn the_demo_year_has_the_seeds_879_cases_and_the_wages() {
    let app = TestApp::new().await;
    let started = std::time::Instant::now();
    fazhi::disputes::legal_aid_demo::seed_year(&app.state, fazhi::registry::DemoSize::Full).await.unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(60), "{:?}", started.elapsed());
    let db = &app.state.db;
    assert_eq!(
        q("SELECT COUNT(*) FROM legal_aid_cases WHERE decision IN ('granted', 'provisional') AND closing_code IS NOT NULL").fetch_i64(db).await.unwrap(),
        879
    );
    let wages = q("SELECT CAST(SUM(wages_recovered) AS BIGINT) FROM legal_aid_cases").fetch_i64(db).await.unwrap();
    assert!(wages > 9_500_000 && wages < 11_000_000, "{wages}");
    assert_eq!(
        q("SELECT COUNT(*) FROM cases c JOIN legal_aid_cases a ON a.case_id = c.id WHERE c.is_open = FALSE AND a.closing_code IS NULL")
            .fetch_i64(db)
            .await
            .unwrap(),
        0
    );
    let mut sfj = app.login("sfj").await;
    let y = fazhi::time::today();
    let (from, to) = (fazhi::time::fmt_date(y - Duration::days(366)), fazhi::time::fmt_date(y));
    let j = sfj.get(&format!("/api/v1/indicators/disputes.legal_aid_migrant_wages?from={from}&to={to}")).await.json();
    assert_eq!(j["total"]["numerator"].as_i64().unwrap(), wages, "{j}");
    let j = sfj.get(&format!("/api/v1/indicators/disputes.legal_aid_granted?from={from}&to={to}&by=category")).await.json();
    assert!(j["total"]["numerator"].as_i64().unwrap() >= 879, "{j}");
}
