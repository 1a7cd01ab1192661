//! The 12345 hotline: the whole lifecycle through the pages and the API, every refusal with its
//! basis, deadlines across holidays, data scope, bad input, indicators and history import.

use axum::http::StatusCode;
use chrono::{NaiveDate, TimeZone};
use serde_json::json;

use crate::common::*;
use fazhi::db::q;
use fazhi::hotline::service::{self, IntakeInput, StepForm, Who};

async fn staff(app: &TestApp, username: &str) -> fazhi::auth::Staff {
    let id = q("SELECT id FROM users WHERE username = $1").bind(username).fetch_i64(&app.state.db).await.unwrap();
    fazhi::auth::extract::load_staff(&app.state, id).await.unwrap().unwrap()
}

async fn cat(app: &TestApp, code: &str) -> i64 {
    fazhi::hotline::queries::category_by_code(&app.state.db, code).await.unwrap().unwrap().id
}

fn ms(y: i32, m: u32, d: u32, h: u32) -> i64 {
    fazhi::time::shanghai().with_ymd_and_hms(y, m, d, h, 0, 0).unwrap().timestamp_millis()
}

/// A ticket taken in by the agent (accepted), optionally at a past moment.
async fn ticket(app: &TestApp, category: &str, town: &str, text: &str, at: Option<i64>) -> i64 {
    let agent = staff(app, "agent").await;
    let input = IntakeInput {
        channel: Some(fazhi::hotline::model::Channel::Phone),
        caller_phone: Some("13912345678".into()),
        caller_name: Some("张先生".into()),
        category_id: Some(cat(app, category).await),
        town_id: Some(org_id(app, town).await),
        description: Some(text.into()),
        wants_reply: true,
        accept_now: true,
        received_at: at,
        phone_required: true,
        ..Default::default()
    };
    service::intake(&app.state, agent.actor(), input).await.unwrap().case.id
}

fn form(pairs: &[(&str, &str)]) -> StepForm {
    let mut f = StepForm::default();
    for (k, v) in pairs {
        match *k {
            "reason" => f.reason = Some(v.to_string()),
            "days" => f.days = v.parse().ok(),
            _ => {
                f.fields.insert(k.to_string(), v.to_string());
            }
        }
    }
    f
}

async fn state_of(app: &TestApp, id: i64) -> (String, Option<String>, i64) {
    let c = fazhi::kernel::queries::get(&app.state.db, id).await.unwrap().unwrap();
    (c.state, c.due_on, c.version)
}

#[tokio::test]
async fn lifecycle_through_the_pages_counts_in_the_indicators() {
    let app = TestApp::new().await;
    // The agent takes a call on the console.
    let mut agent = app.login("agent").await;
    let town = org_id(&app, "T-DH").await.to_string();
    let category = cat(&app, "ZF-WYGL").await.to_string();
    let r = agent
        .post_form(
            "/hotline/new",
            &[
                ("caller_phone", "13800001111"),
                ("caller_name", "李女士"),
                ("category_id", &category),
                ("town_id", &town),
                ("description", "小区电梯坏了一周没人修"),
                ("wants_reply", "1"),
                ("accept_now", "1"),
                ("idempotency_key", "k-console-1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let id: i64 = r.location().rsplit('/').next().unwrap().parse().unwrap();
    // A double submit of the same form gives the same ticket.
    let r2 = agent
        .post_form(
            "/hotline/new",
            &[
                ("caller_phone", "13800001111"),
                ("caller_name", "李女士"),
                ("category_id", &category),
                ("town_id", &town),
                ("description", "小区电梯坏了一周没人修"),
                ("wants_reply", "1"),
                ("accept_now", "1"),
                ("idempotency_key", "k-console-1"),
            ],
        )
        .await;
    assert_eq!(r2.location(), r.location());
    // The dispatcher sees the routing suggestion (物业管理 → 住建局) and dispatches.
    let mut disp = app.login("dispatcher").await;
    let page = disp.get(&format!("/hotline/tickets/{id}")).await;
    assert!(page.contains("分派建议") && page.contains("市住房和城乡建设局"), "{}", page.text);
    let zjj = org_id(&app, "D-ZJJ").await.to_string();
    let v = state_of(&app, id).await.2.to_string();
    let r = disp.post_multipart(&format!("/hotline/tickets/{id}/step/dispatch"), &[("version", &v), ("org", &zjj)], &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let (st, due, _) = state_of(&app, id).await;
    assert_eq!(st, "dispatched");
    assert!(due.is_some(), "the handling clock runs from dispatch");
    // 住建局 signs and replies with a photo.
    let mut zjj_staff = app.login("zjj_staff").await;
    assert!(zjj_staff.get("/").await.contains("小区电梯坏了"), "on the unit's 工作台");
    let v = state_of(&app, id).await.2.to_string();
    assert_eq!(zjj_staff.post_multipart(&format!("/hotline/tickets/{id}/step/sign"), &[("version", &v)], &[]).await.status, StatusCode::SEE_OTHER);
    // A reply without content is refused on its field, citing the rule.
    let v = state_of(&app, id).await.2.to_string();
    let r = zjj_staff.post_multipart(&format!("/hotline/tickets/{id}/step/reply"), &[("version", &v), ("reply", "")], &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("请填写答复内容") && r.contains("依据"), "{}", r.text);
    let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F'];
    let r = zjj_staff
        .post_multipart(
            &format!("/hotline/tickets/{id}/step/reply"),
            &[("version", &v), ("reply", "已督促物业维修，电梯已恢复运行")],
            &[("files", "现场.jpg", &jpeg)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(state_of(&app, id).await.0, "replied");
    // A stale page is refused with 409, not applied twice.
    let r = zjj_staff.post_multipart(&format!("/hotline/tickets/{id}/step/reply"), &[("version", &v), ("reply", "再次答复")], &[]).await;
    assert!(r.status == StatusCode::SEE_OTHER || r.status == StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(state_of(&app, id).await.0, "replied");
    // Review and callback.
    let v = state_of(&app, id).await.2.to_string();
    assert_eq!(disp.post_multipart(&format!("/hotline/tickets/{id}/step/review_pass"), &[("version", &v)], &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(state_of(&app, id).await.0, "callback");
    let v = state_of(&app, id).await.2.to_string();
    let r = disp.post_multipart(&format!("/hotline/tickets/{id}/step/callback_close"), &[("version", &v), ("evaluation", "dissatisfied")], &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "不满意 cannot close");
    assert!(r.contains("应退回承办单位重办"));
    let r = disp
        .post_multipart(&format!("/hotline/tickets/{id}/step/callback_close"), &[("version", &v), ("evaluation", "satisfied"), ("comment", "很快")], &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(state_of(&app, id).await.0, "closed");
    // The timeline has every step; the attachment is served to the unit.
    let page = zjj_staff.get(&format!("/hotline/tickets/{id}")).await;
    for s in ["登记并受理", "派单", "签收", "答复", "审核通过", "回访并办结", "现场.jpg"] {
        assert!(page.contains(s), "timeline lacks {s}");
    }
    let att = q("SELECT id FROM attachments WHERE entity_id = $1").bind(id).fetch_i64(&app.state.db).await.unwrap();
    let f = zjj_staff.get(&format!("/files/{att}")).await;
    assert_eq!(f.status, StatusCode::OK);
    assert_eq!(f.headers.get("content-type").unwrap(), "image/jpeg");
    // Indicators count it, and the counters agree with the tickets.
    let today = fazhi::time::fmt_date(fazhi::time::today());
    let k = fazhi::hotline::kpi::counts(&app.state.db, fazhi::hotline::kpi::Dim::All, &today, &today, &fazhi::auth::roles::Scope::All).await.unwrap();
    assert_eq!((k[0].accepted, k[0].closed, k[0].evaluated, k[0].satisfied), (1, 1, 1, 1));
    assert!(fazhi::hotline::kpi::verify_counters(&app.state.db).await.unwrap().is_empty());
    let page = disp.get(&format!("/hotline/kpi?from={today}&to={today}")).await;
    assert!(page.contains("100.00%"), "{}", page.text);
    let drill = disp.get(&format!("/hotline/kpi/drill?metric=closed&dim=all&key=0&from={today}&to={today}")).await;
    assert!(drill.contains("小区电梯坏了"));
    assert!(matches!(fazhi::audit::verify(&app.state.db).await.unwrap(), fazhi::audit::Verdict::Intact { .. }));
}

#[tokio::test]
async fn every_refusal_names_its_rule() {
    let app = TestApp::new().await;
    let disp = staff(&app, "dispatcher").await;
    let zjj = staff(&app, "zjj_staff").await;
    let zjj_id = org_id(&app, "D-ZJJ").await.to_string();
    // Dispatched on Monday 2026-03-02; the unit may return it for 2 working days only.
    let id = ticket(&app, "ZF-WYGL", "T-DH", "物业乱收费", Some(ms(2026, 3, 2, 9))).await;
    service::step_at(&app.state, Who::Staff(&disp), id, None, "dispatch", form(&[("org", &zjj_id)]), Some(ms(2026, 3, 2, 10))).await.unwrap();
    let late = service::step_at(&app.state, Who::Staff(&zjj), id, None, "request_return", form(&[("reason", "不属于本单位")]), Some(ms(2026, 3, 5, 10)))
        .await
        .unwrap_err();
    assert_eq!(late.code(), "time_window_passed");
    assert!(late.basis().iter().any(|b| b.contains("工作规范》“退单与延期”")), "{:?}", late.basis());
    // Not the unit's step: the dispatcher's approval.
    let e = service::step_at(&app.state, Who::Staff(&zjj), id, None, "review_pass", StepForm::default(), Some(ms(2026, 3, 3, 10))).await.unwrap_err();
    assert_eq!(e.code(), "wrong_state");
    service::step_at(&app.state, Who::Staff(&zjj), id, None, "sign", StepForm::default(), Some(ms(2026, 3, 2, 11))).await.unwrap();
    // Extension: needs a reason, at most 10 days, only once.
    let e = service::step_at(&app.state, Who::Staff(&zjj), id, None, "request_extension", form(&[("days", "15")]), Some(ms(2026, 3, 3, 10))).await.unwrap_err();
    let codes: Vec<String> = e.field_errors().iter().map(|f| format!("{}:{}", f.field, f.code)).collect();
    assert!(codes.contains(&"reason:reason_required".to_string()) && codes.contains(&"days:condition_not_met".to_string()), "{codes:?}");
    service::step_at(
        &app.state,
        Who::Staff(&zjj),
        id,
        None,
        "request_extension",
        form(&[("days", "5"), ("reason", "需要协调开发商")]),
        Some(ms(2026, 3, 3, 10)),
    )
    .await
    .unwrap();
    let before = state_of(&app, id).await.1.unwrap();
    // The unit cannot approve its own extension.
    let e = service::step_at(&app.state, Who::Staff(&zjj), id, None, "approve_extension", StepForm::default(), Some(ms(2026, 3, 3, 11))).await.unwrap_err();
    assert_eq!(e.code(), "not_permitted");
    service::step_at(&app.state, Who::Staff(&disp), id, None, "approve_extension", StepForm::default(), Some(ms(2026, 3, 3, 12))).await.unwrap();
    let after = state_of(&app, id).await.1.unwrap();
    assert_eq!(before, "2026-03-09", "5 working days after 2026-03-02");
    assert_eq!(after, "2026-03-16", "moved by the 5 approved working days");
    service::step_at(&app.state, Who::Staff(&zjj), id, None, "request_extension", form(&[("days", "3"), ("reason", "再延")]), Some(ms(2026, 3, 4, 10)))
        .await
        .unwrap();
    let e = service::step_at(&app.state, Who::Staff(&disp), id, None, "approve_extension", StepForm::default(), Some(ms(2026, 3, 4, 11))).await.unwrap_err();
    assert_eq!(e.code(), "extension_limit");
    assert!(!e.basis().is_empty());
    // Not accepting needs a reason and the route told to the caller.
    let other = ticket(&app, "QT", "T-DH", "要求法院改判", None).await;
    q("UPDATE cases SET state = 'received' WHERE id = $1").bind(other).execute(&app.state.db).await.ok();
    let db = app.state.db.clone();
    db.write(move |tx| Box::pin(async move { q("UPDATE cases SET state = 'received' WHERE id = $1").bind(other).execute(tx).await.map(|_| ()) }))
        .await
        .unwrap();
    let agent = staff(&app, "agent").await;
    let e = service::step(&app.state, Who::Staff(&agent), other, None, "not_accept", StepForm::default()).await.unwrap_err();
    let fields: Vec<&str> = e.field_errors().iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["reason", "alt_route"]);
    assert!(e.basis()[0].contains("工作规范》“受理范围”"), "{:?}", e.basis());
    service::step(&app.state, Who::Staff(&agent), other, None, "not_accept", form(&[("reason", "属于诉讼事项"), ("alt_route", "litigation")])).await.unwrap();
    assert_eq!(state_of(&app, other).await.0, "not_accepted");
}

#[tokio::test]
async fn deadlines_follow_the_official_calendar_across_holidays() {
    let app = TestApp::new().await;
    let disp = staff(&app, "dispatcher").await;
    let zjj = staff(&app, "zjj_staff").await;
    let zjj_id = org_id(&app, "D-ZJJ").await.to_string();
    // 国庆 2020: dispatched 2020-09-28, 5 working days (物业管理) → 2020-10-12 (10-1…10-8 off, 10-10 worked).
    let a = ticket(&app, "ZF-WYGL", "T-DH", "国庆前反映", Some(ms(2020, 9, 28, 9))).await;
    service::step_at(&app.state, Who::Staff(&disp), a, None, "dispatch", form(&[("org", &zjj_id)]), Some(ms(2020, 9, 28, 10))).await.unwrap();
    assert_eq!(state_of(&app, a).await.1.as_deref(), Some("2020-10-12"));
    // 春节 2020: dispatched 2020-01-23 → 2020-02-07.
    let b = ticket(&app, "ZF-WYGL", "T-DH", "春节前反映", Some(ms(2020, 1, 23, 9))).await;
    service::step_at(&app.state, Who::Staff(&disp), b, None, "dispatch", form(&[("org", &zjj_id)]), Some(ms(2020, 1, 23, 10))).await.unwrap();
    assert_eq!(state_of(&app, b).await.1.as_deref(), Some("2020-02-07"));
    // The centre's review does not count against the unit: a reply pauses the clock, a review
    // sent back resumes it with the paused working days added.
    service::step_at(&app.state, Who::Staff(&zjj), a, None, "sign", StepForm::default(), Some(ms(2020, 9, 28, 11))).await.unwrap();
    service::step_at(&app.state, Who::Staff(&zjj), a, None, "reply", form(&[("reply", "已处理")]), Some(ms(2020, 9, 29, 9))).await.unwrap();
    service::step_at(&app.state, Who::Staff(&disp), a, None, "review_reject", form(&[("reason", "未附现场照片")]), Some(ms(2020, 10, 9, 9))).await.unwrap();
    // Paused 9-29 → 10-9: 2 working days (9-30, 10-9); 10-12 + 2 working days = 10-14.
    assert_eq!(state_of(&app, a).await.1.as_deref(), Some("2020-10-14"));
    let cal = app.state.calendar();
    assert_eq!(cal.add_working_days(NaiveDate::from_ymd_opt(2020, 9, 28).unwrap(), 20), NaiveDate::from_ymd_opt(2020, 11, 2).unwrap());
}

#[tokio::test]
async fn a_unit_never_sees_another_units_tickets() {
    let app = TestApp::new().await;
    let disp = staff(&app, "dispatcher").await;
    let cgj_id = org_id(&app, "D-CGJ").await.to_string();
    let id = ticket(&app, "CG-ZDJY", "T-DH", "占道经营很严重", None).await;
    service::step(&app.state, Who::Staff(&disp), id, None, "dispatch", form(&[("org", &cgj_id)])).await.unwrap();
    // 住建局 staff: not in lists, 404 by id on the page and the API, no step possible.
    let mut zjj = app.login("zjj_staff").await;
    assert_eq!(zjj.get(&format!("/hotline/tickets/{id}")).await.status, StatusCode::NOT_FOUND);
    assert!(!zjj.get("/hotline/tickets?status=all").await.contains("占道经营很严重"));
    assert_eq!(zjj.get(&format!("/api/v1/hotline/tickets/{id}")).await.status, StatusCode::NOT_FOUND);
    let r = zjj.post_multipart(&format!("/hotline/tickets/{id}/step/sign"), &[], &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let list = zjj.get("/api/v1/hotline/tickets?status=all").await.json();
    assert!(list["items"].as_array().unwrap().iter().all(|t| t["id"] != id));
    // 城管局 staff, and its 中队 (a unit below it) — the 中队 sees only its own subtree.
    let mut cgj = app.login("cgj_staff").await;
    assert_eq!(cgj.get(&format!("/hotline/tickets/{id}")).await.status, StatusCode::OK);
    let mut zd = app.login("cgj_zd1").await;
    assert_eq!(zd.get(&format!("/hotline/tickets/{id}")).await.status, StatusCode::NOT_FOUND);
    // A token scoped to 住建局 reads nothing of 城管局.
    let zjj_org = org_id(&app, "D-ZJJ").await;
    let (_, raw) = fazhi::auth::tokens::create(
        &app.state.db,
        fazhi::audit::Actor::system(),
        &Default::default(),
        "住建对接",
        Some(zjj_org),
        &["case_read".into()],
        Some(5),
    )
    .await
    .unwrap();
    let mut api = app.client();
    api.bearer = Some(raw);
    assert_eq!(api.get(&format!("/api/v1/hotline/tickets/{id}")).await.status, StatusCode::NOT_FOUND);
    // Phone numbers are masked in lists; the original is a logged look.
    let page = cgj.get(&format!("/hotline/tickets/{id}")).await;
    assert!(page.contains("139****5678") && !page.contains("13912345678"));
    let r = cgj.post_form(&format!("/hotline/tickets/{id}/reveal"), &[]).await;
    assert!(r.contains("13912345678"));
    let looks = q("SELECT COUNT(*) FROM events WHERE entity_id = $1 AND action = 'pii_view'").bind(id).fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(looks, 1);
    let mut insp = app.login("inspector").await;
    assert_eq!(insp.post_form(&format!("/hotline/tickets/{id}/reveal"), &[]).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_api_validates_and_is_idempotent() {
    let app = TestApp::new().await;
    let centre = org_id(&app, fazhi::demo::CENTRE).await;
    let (_, raw) = fazhi::auth::tokens::create(
        &app.state.db,
        fazhi::audit::Actor::system(),
        &Default::default(),
        "网格系统",
        Some(centre),
        &["hotline_intake".into(), "case_read".into()],
        Some(5),
    )
    .await
    .unwrap();
    let mut api = app.client();
    api.bearer = Some(raw);
    let town = org_id(&app, "T-XL").await;
    let good = json!({"caller_phone": "13700000001", "category_code": "SW-GS", "town_id": town, "description": "西岭镇停水两天了"});
    let before = q("SELECT COUNT(*) FROM cases").fetch_i64(&app.state.db).await.unwrap();
    let r = api
        .send(axum::http::Method::POST, "/api/v1/hotline/tickets", Some("application/json"), good.to_string().into_bytes(), &[("idempotency-key", "abc-1")])
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let first = r.json();
    assert_eq!(first["caller_phone"], "137****0001", "masked in the answer");
    let r = api
        .send(axum::http::Method::POST, "/api/v1/hotline/tickets", Some("application/json"), good.to_string().into_bytes(), &[("idempotency-key", "abc-1")])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["id"], first["id"]);
    assert_eq!(r.json()["duplicate"], true);
    // The same caller and text within a minute without a key is the same ticket too.
    let r = api.post_json("/api/v1/hotline/tickets", &good).await;
    assert_eq!(r.json()["id"], first["id"]);
    assert_eq!(q("SELECT COUNT(*) FROM cases").fetch_i64(&app.state.db).await.unwrap(), before + 1);
    // Bad inputs, each on its field, nothing written.
    let long = "很".repeat(4001);
    let village = org_id(&app, "T-XL-V01").await;
    let cases: Vec<(serde_json::Value, &str, &str)> = vec![
        (json!({"caller_phone": "13700000002", "category_code": "SW-GS", "town_id": town, "description": ""}), "description", "required"),
        (json!({"caller_phone": "13700000002", "category_code": "SW-GS", "town_id": town, "description": long}), "description", "too_long"),
        (json!({"caller_phone": "13700000002", "category_code": "NOPE", "town_id": town, "description": "x"}), "category", "unknown_category"),
        (json!({"caller_phone": "13700000002", "category_code": "SW-GS", "town_id": village, "description": "x"}), "town_id", "town_outside_city"),
        (json!({"caller_phone": "12345", "category_code": "SW-GS", "town_id": town, "description": "x"}), "caller_phone", "invalid_phone"),
        (json!({"caller_phone": "13700000002", "category_code": "JT-WT", "town_id": town, "description": "乱停车"}), "attribute[plate]", "attribute_required"),
        (json!({"caller_phone": "13700000002", "category_code": "SW-GS", "lat": 31.0, "long": 121.0, "description": "x"}), "lat", "location_outside_city"),
    ];
    for (body, field, code) in cases {
        let r = api.post_json("/api/v1/hotline/tickets", &body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.text);
        let j = r.json();
        assert!(j["fields"].as_array().unwrap().iter().any(|f| f["field"] == field && f["code"] == code), "{field}/{code}: {j}");
        assert!(!j["message"].as_str().unwrap().is_empty());
    }
    assert_eq!(q("SELECT COUNT(*) FROM cases").fetch_i64(&app.state.db).await.unwrap(), before + 1, "nothing half-written");
    // Wrong content type, broken JSON, unknown field, wrong type.
    let r = api.send(axum::http::Method::POST, "/api/v1/hotline/tickets", Some("text/plain"), b"x".to_vec(), &[]).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let r = api.send(axum::http::Method::POST, "/api/v1/hotline/tickets", Some("application/json"), b"{\"description\":".to_vec(), &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = api.post_json("/api/v1/hotline/tickets", &json!({"description": "x", "town_id": "东湖"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["message"].as_str().unwrap().contains("town_id"));
    // A step through the API with a stale version → 409; a refused one carries its basis.
    let id = first["id"].as_i64().unwrap();
    let r = api.post_json(&format!("/api/v1/hotline/tickets/{id}/steps/accept"), &json!({"version": 99})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["code"], "stale_version");
    let r = api.post_json(&format!("/api/v1/hotline/tickets/{id}/steps/dispatch"), &json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["code"], "wrong_state");
    // The public lookup needs the right phone; a wrong one looks like an unknown number.
    let no = first["case_no"].as_str().unwrap();
    let mut anon = app.client();
    let ok = anon.get(&format!("/api/v1/hotline/lookup?no={no}&phone=13700000001")).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.json()["status"], "已登记，等待受理");
    let wrong = anon.get(&format!("/api/v1/hotline/lookup?no={no}&phone=13700000009")).await;
    let unknown = anon.get("/api/v1/hotline/lookup?no=19990000001&phone=13700000001").await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    assert_eq!(wrong.text, unknown.text);
    // The OpenAPI document describes the endpoints.
    let doc = anon.get("/api/v1/openapi.json").await.json();
    assert!(doc["paths"]["/api/v1/hotline/tickets"]["post"].is_object());
    assert_eq!(doc["openapi"].as_str().unwrap().chars().next(), Some('3'));
}

#[tokio::test]
async fn reopen_merge_and_direct_answers() {
    let app = TestApp::new().await;
    let disp = staff(&app, "dispatcher").await;
    let zjj = staff(&app, "zjj_staff").await;
    let agent = staff(&app, "agent").await;
    let zjj_id = org_id(&app, "D-ZJJ").await.to_string();
    let id = ticket(&app, "ZF-WYGL", "T-DH", "物业不管绿化", None).await;
    for (who, action, f) in [
        (Who::Staff(&disp), "dispatch", form(&[("org", &zjj_id)])),
        (Who::Staff(&zjj), "sign", StepForm::default()),
        (Who::Staff(&zjj), "reply", form(&[("reply", "已处理")])),
        (Who::Staff(&disp), "review_pass", StepForm::default()),
    ] {
        service::step(&app.state, who, id, None, action, f).await.unwrap();
    }
    // Dissatisfied: back to the same unit with a new deadline; counted as 重办.
    let e = service::step(&app.state, Who::Staff(&disp), id, None, "callback_reopen", form(&[("evaluation", "dissatisfied")])).await.unwrap_err();
    assert!(e.field_errors().iter().any(|f| f.field == "comment"));
    service::step(&app.state, Who::Staff(&disp), id, None, "callback_reopen", form(&[("evaluation", "dissatisfied"), ("comment", "绿化还是没人管")]))
        .await
        .unwrap();
    let c = fazhi::kernel::queries::get(&app.state.db, id).await.unwrap().unwrap();
    assert_eq!(c.state, "handling");
    assert_eq!(c.org_id, zjj_id.parse::<i64>().unwrap());
    let reopened = q("SELECT COUNT(*) FROM hotline_tickets WHERE k_reopened = TRUE").fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(reopened, 1);
    // The citizen rates it after the second reply.
    service::step(&app.state, Who::Staff(&zjj), id, None, "reply", form(&[("reply", "已安排园林公司养护")])).await.unwrap();
    service::step(&app.state, Who::Staff(&disp), id, None, "review_pass", StepForm::default()).await.unwrap();
    let other = fazhi::privacy::Phone::parse("13600000000").unwrap();
    let e = service::step(&app.state, Who::Citizen(&other), id, None, "rate_close", form(&[("evaluation", "satisfied")])).await.unwrap_err();
    assert_eq!(e.code(), "case_not_found", "someone else's ticket does not exist for them");
    let owner = fazhi::privacy::Phone::parse("13912345678").unwrap();
    service::step(&app.state, Who::Citizen(&owner), id, None, "rate_close", form(&[("evaluation", "basically")])).await.unwrap();
    assert_eq!(state_of(&app, id).await.0, "closed");
    // Merging a duplicate into an open ticket; direct answers are closed at once.
    let dup = ticket(&app, "ZF-WYGL", "T-DH", "同一小区电梯又坏", None).await;
    let main = ticket(&app, "ZF-WYGL", "T-DH", "电梯坏", None).await;
    let main_no = fazhi::kernel::queries::get(&app.state.db, main).await.unwrap().unwrap().case_no;
    let e = service::step(&app.state, Who::Staff(&agent), dup, None, "merge", form(&[("merge_into", "19990000001")])).await.unwrap_err();
    assert_eq!(e.code(), "merge_not_found");
    service::step(&app.state, Who::Staff(&agent), dup, None, "merge", form(&[("merge_into", &main_no)])).await.unwrap();
    assert_eq!(state_of(&app, dup).await.0, "merged");
    let direct = service::intake(
        &app.state,
        agent.actor(),
        IntakeInput {
            caller_phone: Some("13500000000".into()),
            category_id: Some(cat(&app, "ZC-ZX").await),
            town_id: Some(org_id(&app, "T-DH").await),
            description: Some("咨询企业开办流程".into()),
            direct_answer: Some("一窗通办，一日办结".into()),
            phone_required: true,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .case;
    assert_eq!(direct.state, "answered");
    assert!(!direct.is_open);
    let k = q("SELECT COUNT(*) FROM hotline_tickets WHERE k_direct = TRUE AND k_accepted = FALSE").fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(k, 1, "direct answers are counted apart from 受理量");
    assert!(fazhi::hotline::kpi::verify_counters(&app.state.db).await.unwrap().is_empty());
}

#[tokio::test]
async fn overdue_tickets_are_supervised_and_counted() {
    let app = TestApp::new().await;
    let disp = staff(&app, "dispatcher").await;
    let zjj_id = org_id(&app, "D-ZJJ").await.to_string();
    let id = ticket(&app, "ZF-WYGL", "T-DH", "很久没人管", Some(ms(2026, 3, 2, 9))).await;
    service::step_at(&app.state, Who::Staff(&disp), id, None, "dispatch", form(&[("org", &zjj_id)]), Some(ms(2026, 3, 2, 10))).await.unwrap();
    let r = fazhi::jobs::sweep(&app.state, NaiveDate::from_ymd_opt(2026, 3, 20).unwrap()).await.unwrap();
    assert_eq!(r.escalated, 1);
    let sup = q("SELECT COUNT(*) FROM hotline_tickets WHERE k_supervised = TRUE").fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(sup, 1);
    assert!(fazhi::hotline::kpi::verify_counters(&app.state.db).await.unwrap().is_empty());
    let mut zjj = app.login("zjj_head").await;
    let page = zjj.get(&format!("/hotline/tickets/{id}")).await;
    assert!(page.contains("逾期自动督办") && page.contains("督办"));
}

#[tokio::test]
async fn history_import_is_all_or_nothing_and_counts_like_live_tickets() {
    let app = TestApp::new().await;
    let mut disp = app.login("dispatcher").await;
    let header = "工单编号,登记时间,渠道,诉求人,联系电话,诉求类别编码,乡镇编码,诉求内容,结果,承办单位编码,派单时间,答复时间,答复内容,回访结果\n";
    let bad = format!(
        "{header}H-1,2025-03-03 09:00,电话,王先生,13811112222,ZF-WYGL,T-DH,电梯坏了,办结,D-ZJJ,2025-03-03 10:00,2025-03-05 16:00,已修好,满意\n\
         H-2,2025-03-40 09:00,电话,,13811112222,NOPE,T-DH,,办结,,2025-03-03 10:00,,,\n\
         H-1,2025-03-03 09:00,邮件,,1381111,ZF-WYGL,T-DH,x,办结,D-ZJJ,2025-03-02 10:00,2025-03-05 16:00,好,很满意\n"
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(&bad);
    disp.post_multipart("/hotline/import", &[], &[("file", "old.csv", &gbk)]).await;
    let id = wait_import(&app).await;
    let (state, errors): (String, String) = q("SELECT state, errors FROM hotline_imports WHERE id = $1").bind(id).fetch_one(&app.state.db).await.unwrap();
    assert_eq!(state, "failed");
    for needle in ["登记时间", "诉求类别", "诉求内容", "承办单位", "答复时间", "工单编号", "渠道", "联系电话", "回访结果", "派单时间早于登记时间"]
    {
        assert!(errors.contains(needle), "missing report of {needle}: {errors}");
    }
    assert_eq!(q("SELECT COUNT(*) FROM cases").fetch_i64(&app.state.db).await.unwrap(), 0, "nothing imported");
    let good = format!(
        "{header}H-1,2025-03-03 09:00,电话,王先生,13811112222,ZF-WYGL,T-DH,电梯坏了,办结,D-ZJJ,2025-03-03 10:00,2025-03-05 16:00,已修好,满意\n\
         H-2,2025-03-04 09:00,网上,,13811113333,SW-GS,T-XL,停水,办结,D-SWJ,2025-03-04 10:00,2025-03-20 16:00,已恢复,基本满意\n\
         H-3,2025-03-04 11:00,电话,,,ZC-ZX,,咨询政策,直接答复,,,,已答复,\n"
    );
    disp.post_multipart("/hotline/import", &[], &[("file", "old.csv", good.as_bytes())]).await;
    let id = wait_import(&app).await;
    let (state, imported): (String, i64) = q("SELECT state, imported FROM hotline_imports WHERE id = $1").bind(id).fetch_one(&app.state.db).await.unwrap();
    assert_eq!((state.as_str(), imported), ("done", 3));
    let k =
        fazhi::hotline::kpi::counts(&app.state.db, fazhi::hotline::kpi::Dim::All, "2025-03-01", "2025-03-31", &fazhi::auth::roles::Scope::All).await.unwrap();
    assert_eq!((k[0].received, k[0].accepted, k[0].closed, k[0].on_time, k[0].direct), (3, 2, 2, 1, 1), "H-2 replied after its 2-day limit");
    assert!(fazhi::hotline::kpi::verify_counters(&app.state.db).await.unwrap().is_empty());
    assert!(matches!(fazhi::audit::verify(&app.state.db).await.unwrap(), fazhi::audit::Verdict::Intact { .. }));
    let page = disp.get("/hotline/tickets?status=closed&q=H-1").await;
    let _ = page;
}

async fn wait_import(app: &TestApp) -> i64 {
    for _ in 0..200 {
        let r: Option<(i64, String)> = q("SELECT id, state FROM hotline_imports ORDER BY id DESC LIMIT 1").fetch_optional(&app.state.db).await.unwrap();
        if let Some((id, s)) = r {
            if s == "done" || s == "failed" {
                return id;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("import did not finish");
}

/// An unreadable file uploaded on the web ends as 未导入 with the reason, never 排队中 for ever
/// (issue 10 #8): a fake XLSX, a broken one, and text that is not valid GBK or UTF-8.
#[tokio::test]
async fn web_imports_of_unreadable_files_fail_with_the_reason() {
    let app = TestApp::new().await;
    let mut disp = app.login("dispatcher").await;
    let mut broken_zip = b"PK\x03\x04".to_vec();
    broken_zip.extend_from_slice(&[0x14, 0, 0, 0, 8, 0, 0xde, 0xad, 0xbe, 0xef]);
    let bad_gbk: Vec<u8> = [b"\xb5\xc7\xbc\xc7\xca\xb1\xbc\xe4,".as_slice(), &[0x81, 0x20, 0xff, 0xfe, 0x80, b'\n'], &[0xff; 40]].concat();
    for (name, bytes) in [("假表格.xlsx", b"this is not a spreadsheet".to_vec()), ("损坏.xlsx", broken_zip), ("乱码.csv", bad_gbk)] {
        let r = disp.post_multipart("/hotline/import", &[], &[("file", name, &bytes)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let url = r.location();
        let mut page = disp.get(&url).await;
        for _ in 0..100 {
            if !page.contains("排队中") && !page.contains("校验中") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            page = disp.get(&url).await;
        }
        assert!(page.contains("未导入"), "{name}: {}", page.text);
        let id: i64 = url.rsplit('/').next().unwrap().parse().unwrap();
        let (state, errors): (String, String) = q("SELECT state, errors FROM hotline_imports WHERE id = $1").bind(id).fetch_one(&app.state.db).await.unwrap();
        assert_eq!(state, "failed", "{name}");
        assert!(errors.len() > 4, "{name}: the reason is kept: {errors}");
    }
}

/// Text meant for developers stays out of what citizens and staff read (issue 10 #17), and the
/// hotline's rules are cited as the city's own, under the name the administrator gives them,
/// never as another province's regulation (#18).
#[tokio::test]
async fn users_read_the_rule_and_its_article_not_its_provenance() {
    let app = TestApp::new().await;
    let mut anon = app.client();
    let mut disp = app.login("dispatcher").await;
    let id = ticket(&app, "ZF-WYGL", "T-DH", "电梯故障", None).await;
    let mut pages = vec![anon.get("/portal").await.text, disp.get(&format!("/hotline/tickets/{id}")).await.text, disp.get("/hotline/kpi").await.text];
    // A staff refusal and a citizen's refused rating.
    let v = fazhi::kernel::queries::get(&app.state.db, id).await.unwrap().unwrap().version.to_string();
    pages.push(disp.post_multipart(&format!("/hotline/tickets/{id}/step/dispatch"), &[("version", &v)], &[]).await.text);
    pages.push(disp.get("/procedures/hotline").await.text);
    for (i, p) in pages.iter().enumerate() {
        for bad in ["未经核实", "已核对原文", "二手来源", "本地默认", "hotline.basic_counts", "潍坊", "山东省"] {
            assert!(!p.contains(bad), "page {i} shows “{bad}”");
        }
    }
    assert!(pages[0].contains("《本市12345政务服务便民热线工作规范》“办理时限”"));
    // The administrator names and dates the city's rules; every citation follows.
    let mut admin = app.login("sfj").await;
    let r = admin
        .post_form(
            "/hotline/catalogue/settings",
            &[
                ("handle_days", "5"),
                ("mailbox_days", "10"),
                ("number_pattern", "{year}{seq:06}"),
                ("rules_name", "示范市12345政务服务便民热线工作规范"),
                ("rules_since", "2024-03-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let home = anon.get("/portal").await;
    assert!(home.contains("《示范市12345政务服务便民热线工作规范》“办理时限”"), "{}", home.text);
    // The administrator sees where each rule comes from, and the model text, with a warning.
    let rules = admin.get("/procedures/hotline").await;
    assert!(rules.contains("本地默认"));
    let example = admin.get("/hotline/catalogue/example").await;
    assert!(example.contains("潍坊市12345政务服务便民热线条例") && example.contains("不适用于本市"));
    assert_eq!(disp.get("/hotline/catalogue/example").await.status, StatusCode::FORBIDDEN);
    let r = admin
        .post_form(
            "/hotline/catalogue/settings",
            &[("handle_days", "5"), ("mailbox_days", "10"), ("number_pattern", "{year}{seq:06}"), ("rules_since", "2024-13-01")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("施行日期格式应为"));
    // Back to the default name for the other tests of this process.
    admin
        .post_form("/hotline/catalogue/settings", &[("handle_days", "5"), ("mailbox_days", "10"), ("number_pattern", "{year}{seq:06}"), ("rules_name", "")])
        .await;
}
