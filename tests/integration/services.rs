//! 政务服务: the 行政许可 application on the kernel. Refusals with their articles (an online
//! application for an item handled only on site, 补正 asked after its 5 working days, a refusal
//! without reasons, a late decision without an extension, 告知承诺 for an item not in that mode);
//! the clock (补正 stops it and the decision period starts from the complete materials; a hearing
//! moves the due date by the working days it took; one extension of at most 10 working days; an
//! application not answered in 5 working days counts as accepted on the day it arrived);
//! 告知承诺 decided on the spot with its post-verification; the register and scope (another
//! unit's application is 404).

use axum::http::StatusCode;
use chrono::NaiveDate;

use crate::common::*;
use fazhi::calendar::Calendar;
use fazhi::db::q;
use fazhi::error::AppError;
use fazhi::services::service::{self, NewApplication, NewItem, StepForm, Who};

async fn who(app: &TestApp, username: &str) -> Who {
    let id = q("SELECT id FROM users WHERE username = $1").bind(username.to_string()).fetch_i64(&app.state.db).await.unwrap();
    Who::staff(&fazhi::auth::extract::load_staff(&app.state, id).await.unwrap().unwrap())
}

async fn item(app: &TestApp, code: &str, level: &str, mode: &str, committed: u32) -> i64 {
    let zjj = org_id(app, "D-ZJJ").await;
    service::create_item(
        &app.state,
        &Who::Import,
        NewItem {
            org_id: Some(zjj),
            code: Some(code.into()),
            name: Some(format!("建筑工程施工许可（{code}）")),
            kind: Some("licence".into()),
            basis: Some("《中华人民共和国建筑法》第七条".into()),
            statutory_days: Some(20),
            committed_days: Some(committed),
            online_level: Some(level.into()),
            reform_mode: Some(mode.into()),
            transferred: true,
        },
    )
    .await
    .unwrap()
}

fn form(pairs: &[(&str, &str)], reason: Option<&str>, days: Option<u32>) -> StepForm {
    StepForm { reason: reason.map(str::to_string), fields: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), days }
}

fn wd(cal: &Calendar, from: NaiveDate, n: u32) -> NaiveDate {
    cal.add_working_days(from, n)
}

fn due(c: &fazhi::kernel::queries::CaseRow) -> NaiveDate {
    c.due_date().expect("a due date")
}

fn refused(e: AppError) -> String {
    match e {
        AppError::Refused { code, message, basis, fields } => format!("{code} {message} {basis:?} {fields:?}"),
        other => panic!("not a refusal: {other:?}"),
    }
}

async fn get_bytes(app: &TestApp, c: &Client, path: &str) -> Vec<u8> {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let cookie = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let req = axum::http::Request::builder().uri(path).header("cookie", cookie).body(axum::body::Body::empty()).unwrap();
    let resp = app.router.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
    resp.into_body().collect().await.unwrap().to_bytes().to_vec()
}

async fn counter(app: &TestApp, item_id: i64, received: NaiveDate) -> fazhi::kernel::queries::CaseRow {
    let w = who(app, "zjj_staff").await;
    service::apply(
        &app.state,
        &w,
        NewApplication {
            item_id: Some(item_id),
            channel: Some("counter".into()),
            applicant: Some("示范市某建设有限公司".into()),
            applicant_phone: Some("13900001111".into()),
            received_on: Some(fazhi::time::fmt_date(received)),
        },
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn a_counter_application_through_correction_a_hearing_and_an_extension_to_a_grant() {
    let app = TestApp::new().await;
    let cal = app.state.calendar();
    let today = fazhi::time::today();
    let staff = who(&app, "zjj_staff").await;
    let head = who(&app, "zjj_head").await;
    let id = item(&app, "XK00001000-321084", "onsite", "optimise", 10).await;

    // Bad input: an item handled only on site cannot be applied for online; nothing is written.
    let e = service::apply(
        &app.state,
        &staff,
        NewApplication { item_id: Some(id), channel: Some("online".into()), applicant: Some("某公司".into()), ..Default::default() },
    )
    .await
    .unwrap_err();
    let m = refused(e);
    assert!(m.starts_with("item_not_online") && m.contains("channel"), "{m}");
    assert_eq!(q("SELECT COUNT(*) FROM svc_applications").fetch_i64(&app.state.db).await.unwrap(), 0);

    // Received today: 5 working days to accept or ask for 补正 (Art. 32).
    let c = counter(&app, id, today).await;
    assert_eq!(due(&c), wd(&cal, today, 5));
    // 补正 asked after the 5 working days is refused with its article; then asked in time.
    let late = wd(&cal, today, 6);
    let e = service::step_on(&app.state, &staff, c.id, None, "request_correction", form(&[("correction_items", "缺施工图审查合格书")], None, None), late)
        .await
        .unwrap_err();
    let m = refused(e);
    assert!(m.starts_with("time_window_passed") && m.contains("第三十二条"), "{m}");
    let d1 = wd(&cal, today, 1);
    let c = service::step_on(&app.state, &staff, c.id, None, "request_correction", form(&[("correction_items", "缺施工图审查合格书")], None, None), d1)
        .await
        .unwrap();
    assert_eq!(c.state, "correction");
    assert_eq!(c.due_on, None, "补正 stops the clock");

    // The materials complete: the committed 10 working days run from that day.
    let d2 = wd(&cal, today, 4);
    let c = service::step_on(&app.state, &staff, c.id, None, "corrected", form(&[("correction_text", "已补交合格书")], None, None), d2).await.unwrap();
    assert_eq!(c.state, "review");
    assert_eq!(due(&c), wd(&cal, d2, 10));
    let before = due(&c);

    // A hearing (Art. 45): its working days do not count; the due date moves by them.
    let h1 = wd(&cal, d2, 2);
    let e = service::step_on(&app.state, &staff, c.id, None, "start_special", form(&[("notice", "听证约需5个工作日")], None, None), h1).await.unwrap_err();
    assert!(refused(e).contains("special_kind"));
    let c = service::step_on(
        &app.state,
        &staff,
        c.id,
        None,
        "start_special",
        form(&[("special_kind", "hearing"), ("notice", "听证约需5个工作日")], None, None),
        h1,
    )
    .await
    .unwrap();
    assert_eq!(c.state, "special");
    let h2 = wd(&cal, h1, 5);
    let c = service::step_on(&app.state, &staff, c.id, None, "end_special", form(&[("special_result", "听证笔录已形成")], None, None), h2).await.unwrap();
    assert_eq!(due(&c), wd(&cal, before, 5), "the due date moved by the 5 working days of the hearing");
    let before = due(&c);

    // One extension of at most 10 working days, approved by the head, not by the requester.
    let c = service::step_on(&app.state, &staff, c.id, None, "request_extension", form(&[], Some("需现场核验"), None), h2).await.unwrap();
    assert_eq!(c.state, "extension_requested");
    let e = service::step_on(&app.state, &head, c.id, None, "approve_extension", form(&[], None, Some(15)), h2).await.unwrap_err();
    assert!(refused(e).contains("too_many_days"));
    let c = service::step_on(&app.state, &head, c.id, None, "approve_extension", form(&[], None, Some(10)), h2).await.unwrap();
    assert_eq!(due(&c), wd(&cal, before, 10));
    let e = service::step_on(&app.state, &staff, c.id, None, "request_extension", form(&[], Some("再延"), None), h2).await.unwrap_err();
    assert!(refused(e).contains("已延长过"));

    // A refusal needs its reasons (Art. 38); a grant ends the clock.
    let e = service::step_on(&app.state, &staff, c.id, None, "decide", form(&[("decision", "deny")], None, None), h2).await.unwrap_err();
    assert!(refused(e).contains("第三十八条"));
    let c = service::step_on(&app.state, &staff, c.id, None, "decide", form(&[("decision", "grant")], None, None), h2).await.unwrap();
    assert_eq!(c.state, "granted");
    assert!(!c.is_open);
    let a = service::application(&app.state.db, c.id).await.unwrap().unwrap();
    assert_eq!(a.outcome.as_deref(), Some("granted"));
    assert_eq!(a.accepted_on.as_deref(), Some(fazhi::time::fmt_date(d2).as_str()));
}

#[tokio::test]
async fn unanswered_for_five_working_days_counts_as_accepted_on_arrival_and_a_late_decision_must_say_why() {
    let app = TestApp::new().await;
    let cal = app.state.calendar();
    let today = fazhi::time::today();
    let staff = who(&app, "zjj_staff").await;
    let id = item(&app, "XK00002000-321084", "full_online", "none", 10).await;
    // Received 8 working days ago (within the 30 days a counter may register late).
    let mut received = today;
    while cal.working_days_between(received, today) < 8 {
        received = received.pred_opt().unwrap();
    }
    let c = counter(&app, id, received).await;
    let c = service::step(&app.state, &staff, c.id, None, "accept", form(&[], None, None)).await.unwrap();
    assert_eq!(due(&c), wd(&cal, received, 10), "counted from the day the materials arrived (Art. 32(四))");

    let late = wd(&cal, due(&c), 1);
    let e = service::step_on(&app.state, &staff, c.id, None, "decide", form(&[("decision", "grant")], None, None), late).await.unwrap_err();
    let m = refused(e);
    assert!(m.contains("late_reason") && m.contains("第四十二条"), "{m}");
    let c = service::step_on(&app.state, &staff, c.id, None, "decide", form(&[("decision", "grant"), ("late_reason", "系统故障")], None, None), late)
        .await
        .unwrap();
    assert_eq!(c.state, "granted");
}

#[tokio::test]
async fn a_commitment_is_decided_on_the_spot_and_a_false_one_is_revoked() {
    let app = TestApp::new().await;
    let cal = app.state.calendar();
    let today = fazhi::time::today();
    let staff = who(&app, "zjj_staff").await;
    let plain = item(&app, "XK00003000-321084", "no_visit", "optimise", 10).await;
    let c = counter(&app, plain, today).await;
    let e = service::step(&app.state, &staff, c.id, None, "commit", form(&[("commitment_signed", "yes")], None, None)).await.unwrap_err();
    assert!(refused(e).contains("未实行告知承诺"));

    let id = item(&app, "XK00004000-321084", "full_online", "commitment", 5).await;
    let c = counter(&app, id, today).await;
    let e = service::step(&app.state, &staff, c.id, None, "commit", form(&[], None, None)).await.unwrap_err();
    assert!(refused(e).contains("告知承诺书"));
    let c = service::step(&app.state, &staff, c.id, None, "commit", form(&[("commitment_signed", "yes")], None, None)).await.unwrap();
    assert_eq!(c.state, "verifying");
    assert_eq!(due(&c), wd(&cal, today, 20), "the post-verification task has its deadline");
    assert_eq!(service::application(&app.state.db, c.id).await.unwrap().unwrap().outcome.as_deref(), Some("granted"));
    let c = service::step(&app.state, &staff, c.id, None, "verify", form(&[("result", "false"), ("findings", "现场无相应设施")], None, None)).await.unwrap();
    assert_eq!(c.state, "revoked");
    assert_eq!(service::application(&app.state.db, c.id).await.unwrap().unwrap().outcome.as_deref(), Some("revoked"));
}

#[tokio::test]
async fn the_register_and_case_page_are_scoped_and_steps_are_taken_from_the_page() {
    let app = TestApp::new().await;
    let id = item(&app, "XK00005000-321084", "once", "none", 10).await;
    let c = counter(&app, id, fazhi::time::today()).await;
    let mut zjj = app.login("zjj_staff").await;
    let r = zjj.get("/services/applications").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.contains(&c.case_no));
    let r = zjj.get("/services/applications?state=granted").await;
    assert!(!r.contains(&c.case_no), "the state filter applies");
    assert!(r.contains("/services/applications/export.xlsx?state=granted"), "{}", r.text);
    let t = fazhi::tabular::read(&get_bytes(&app, &zjj, "/services/applications/export.xlsx?state=received").await).unwrap();
    assert_eq!(t.rows.len(), 1, "{:?}", t.rows);
    assert!(t.rows[0].1.iter().any(|x| x == &c.case_no) && t.rows[0].1.iter().any(|x| x == "窗口申请"), "{:?}", t.rows[0].1);
    let t = fazhi::tabular::read(&get_bytes(&app, &zjj, "/services/applications/export.xlsx?state=granted").await).unwrap();
    assert!(t.rows.is_empty(), "the export follows the filter: {:?}", t.rows);
    let r = zjj.get(&format!("/services/applications/{}", c.id)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.contains("第三十二条") && r.contains("XK00005000-321084"));
    assert!(!r.contains("13900001111"), "the phone is masked");
    let r = zjj.post_form(&format!("/services/applications/{}/step/accept", c.id), &[("version", &c.version.to_string())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let (after, _) = service::load(&app.state.db, c.id).await.unwrap().unwrap();
    assert_eq!(after.state, "review");

    let r = zjj.get("/services/items?level=once").await;
    assert!(r.status == StatusCode::OK && r.contains("XK00005000-321084") && r.contains("最多跑一次"), "{}", r.text);
    assert!(!zjj.get("/services/items?level=onsite").await.contains("XK00005000-321084"), "the level filter applies");

    let mut dh = app.login("dh_staff").await;
    assert_eq!(dh.get(&format!("/services/applications/{}", c.id)).await.status, StatusCode::NOT_FOUND);
    assert!(!dh.get("/services/items").await.contains("XK00005000-321084"), "another unit's items are not listed");
    let r = dh.get("/services/applications").await;
    assert!(!r.contains(&c.case_no));
    let t = fazhi::tabular::read(&get_bytes(&app, &dh, "/services/applications/export.xlsx").await).unwrap();
    assert!(t.rows.is_empty(), "another unit's export: {:?}", t.rows);
}

#[tokio::test]
async fn the_api_takes_in_an_online_application_and_steps_it_with_refusals_in_codes() {
    let app = TestApp::new().await;
    let zjj = org_id(&app, "D-ZJJ").await;
    let mut c = app.login("zjj_staff").await;
    let item = serde_json::json!({"org_id": zjj, "code": "bad code", "name": "燃气经营许可", "kind": "licence", "basis": "《城镇燃气管理条例》第十五条",
        "statutory_days": 20, "committed_days": 25, "online_level": "full_online", "reform_mode": "optimise"});
    let r = c.post_json("/api/v1/services/items", &item).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("bad_item_code") && r.text.contains("committed_over_statutory"), "{}", r.text);
    let mut ok = item.clone();
    ok["code"] = "XK00006000-321084".into();
    ok["committed_days"] = 8.into();
    let r = c.post_json("/api/v1/services/items", &ok).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let item_id = r.json()["id"].as_i64().unwrap();
    let r = c.post_json("/api/v1/services/applications", &serde_json::json!({"item_id": item_id, "channel": "online", "applicant": "某燃气公司"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let j = r.json();
    let id = j["id"].as_i64().unwrap();
    assert_eq!(j["clock"], "acceptance");
    let r = c.post_json(&format!("/api/v1/services/applications/{id}/steps/accept"), &serde_json::json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let cal = app.state.calendar();
    assert_eq!(r.json()["due_on"], fazhi::time::fmt_date(cal.add_working_days(fazhi::time::today(), 8)));
    let r = c.post_json(&format!("/api/v1/services/applications/{id}/steps/decide"), &serde_json::json!({"fields": {"decision": "deny"}})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("decision_reason"), "{}", r.text);
    let r = c.get("/api/v1/services/applications?state=review").await;
    assert_eq!(r.json()["items"].as_array().unwrap().len(), 1);
    let mut dh = app.login("dh_staff").await;
    assert_eq!(dh.get(&format!("/api/v1/services/applications/{id}")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_indicators_count_online_arrivals_and_decisions_on_time_by_unit_and_channel() {
    let app = TestApp::new().await;
    let cal = app.state.calendar();
    let today = fazhi::time::today();
    let staff = who(&app, "zjj_staff").await;
    let id = item(&app, "XK00007000-321084", "full_online", "optimise", 5).await;
    let on_time = counter(&app, id, today).await;
    service::step(&app.state, &staff, on_time.id, None, "accept", form(&[], None, None)).await.unwrap();
    service::step(&app.state, &staff, on_time.id, None, "decide", form(&[("decision", "grant")], None, None)).await.unwrap();
    let late = service::apply(
        &app.state,
        &staff,
        NewApplication { item_id: Some(id), channel: Some("online".into()), applicant: Some("某公司".into()), ..Default::default() },
    )
    .await
    .unwrap();
    let c = service::step(&app.state, &staff, late.id, None, "accept", form(&[], None, None)).await.unwrap();
    let after = wd(&cal, due(&c), 2);
    service::step_on(&app.state, &staff, late.id, None, "decide", form(&[("decision", "grant"), ("late_reason", "材料核验延误")], None, None), after)
        .await
        .unwrap();

    let mut sfj = app.login("sfj").await;
    let (from, to) = (fazhi::time::fmt_date(today - chrono::Duration::days(30)), fazhi::time::fmt_date(after));
    let j = sfj.get(&format!("/api/v1/indicators/services.online_share?from={from}&to={to}&by=channel")).await.json();
    assert_eq!((j["total"]["numerator"].as_i64(), j["total"]["denominator"].as_i64()), (Some(1), Some(2)), "{j}");
    let j = sfj.get(&format!("/api/v1/indicators/services.on_time_rate?from={from}&to={to}&by=channel")).await.json();
    assert_eq!((j["total"]["numerator"].as_i64(), j["total"]["denominator"].as_i64()), (Some(1), Some(2)), "{j}");
    let online = j["groups"].as_array().unwrap().iter().find(|g| g["key"] == "online").cloned().unwrap_or_default();
    assert_eq!((online["numerator"].as_i64(), online["denominator"].as_i64()), (Some(0), Some(1)), "the late one arrived online: {j}");
    let j = sfj.get(&format!("/api/v1/indicators/services.applications?from={from}&to={to}&by=mode")).await.json();
    assert_eq!(j["groups"][0]["label"], "优化审批服务", "{j}");
}

#[tokio::test]
async fn the_demo_catalogue_keeps_the_seeds_proportions_and_its_window_account_works() {
    let app = TestApp::new().await;
    fazhi::services::demo::seed_year(&app.state, fazhi::registry::DemoSize::Light).await.unwrap();
    let db = &app.state.db;
    let n = |sql: &'static str| async move { q(sql).fetch_i64(db).await.unwrap() };
    assert_eq!(n("SELECT COUNT(*) FROM svc_items").await, 62);
    assert_eq!(n("SELECT COUNT(*) FROM svc_items WHERE online_level <> 'onsite'").await, 61, "all but one need no visit");
    assert_eq!(n("SELECT COUNT(*) FROM svc_items WHERE reform_mode <> 'none'").await, 56);
    assert_eq!(n("SELECT COUNT(*) FROM svc_items WHERE kind = 'public_service' AND online_level = 'full_online'").await, 6);
    assert!(n("SELECT COUNT(*) FROM svc_applications").await >= 30);
    assert!(n("SELECT COUNT(*) FROM svc_applications WHERE on_time = TRUE").await > 0);
    assert_eq!(n("SELECT COUNT(*) FROM svc_applications WHERE on_time = FALSE").await, 0);
    let mut w = app.login(fazhi::services::demo::WINDOW).await;
    let r = w.get("/services/applications").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.contains("许申〔"), "the bureau's applications are listed: {}", r.text);
}

#[tokio::test]
async fn an_application_left_unanswered_five_working_days_is_deemed_accepted_by_the_sweep() {
    let app = TestApp::new().await;
    let cal = app.state.calendar();
    let today = fazhi::time::today();
    let id = item(&app, "XK00008000-321084", "no_visit", "optimise", 10).await;
    let c = counter(&app, id, today).await;
    // On the fifth working day the window may still answer: nothing happens.
    let r = fazhi::jobs::sweep(&app.state, wd(&cal, today, 5)).await.unwrap();
    assert_eq!(r.system_steps, 0);
    // The staff cannot take the system's step.
    let staff = who(&app, "zjj_staff").await;
    assert!(service::step_on(&app.state, &staff, c.id, None, "deemed_accept", form(&[], None, None), wd(&cal, today, 6)).await.is_err());
    // The day after: accepted as of the day the materials arrived (Art. 32(四)), the decision
    // clock counted from then.
    let day = wd(&cal, today, 6);
    let r = fazhi::jobs::sweep(&app.state, day).await.unwrap();
    assert_eq!(r.system_steps, 1);
    let (after, a) = service::load(&app.state.db, c.id).await.unwrap().unwrap();
    assert_eq!(after.state, "review");
    assert_eq!(a.accepted_on.as_deref(), Some(fazhi::time::fmt_date(today).as_str()));
    assert_eq!(due(&after), wd(&cal, today, 10), "10 committed working days from receipt");
    assert!(!after.supervised, "deemed accepted, not escalated as overdue");
    assert_eq!(fazhi::jobs::sweep(&app.state, day).await.unwrap().system_steps, 0, "a second run changes nothing");
    let mut zjj = app.login("zjj_staff").await;
    let r = zjj.get(&format!("/services/applications/{}", c.id)).await;
    assert!(r.contains("视为受理") && r.contains("第三十二条第一款第（四）项"), "{}", r.text);
}

fn xlsx(rows: &[[&str; 10]]) -> Vec<u8> {
    let header = fazhi::services::exchange::header();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let rows: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    fazhi::tabular::write_xlsx("事项", &header, &rows).unwrap()
}

#[tokio::test]
async fn the_catalogue_imports_whole_files_only_versions_what_changed_and_exports_as_xlsx_and_json_ld() {
    let app = TestApp::new().await;
    let staff = who(&app, "zjj_staff").await;
    let basis = "《中华人民共和国建筑法》第七条";
    // Bad input: every bad row is named and nothing is written.
    let bad = xlsx(&[
        ["XK00101000-321084", "建筑工程施工许可", "行政许可", "D-ZJJ", basis, "20", "10", "全程网办", "优化审批服务", "是"],
        ["XK0010100", "短编码", "行政许可", "D-ZJJ", basis, "20", "10", "全程网办", "", "否"],
        ["QR00102000", "类型不符", "行政许可", "D-ZJJ", basis, "20", "10", "全程网办", "", "否"],
        ["XK00103000", "承诺超过法定", "行政许可", "D-ZJJ", basis, "20", "30", "网上", "", "否"],
        ["XK00104000", "别的单位", "行政许可", "T-DH", basis, "二十", "10", "全程网办", "", "否"],
        ["XK00101000-321084", "重复", "行政许可", "D-ZJJ", basis, "20", "10", "全程网办", "", "否"],
    ]);
    let errors = fazhi::services::exchange::import(&app.state, &staff, &bad).await.unwrap_err();
    let rows: Vec<usize> = errors.iter().map(|e| e.row).collect();
    for r in [3, 4, 5, 6, 7] {
        assert!(rows.contains(&r), "row {r} reported: {errors:?}");
    }
    assert!(!rows.contains(&2), "{errors:?}");
    let text = format!("{errors:?}");
    for m in ["10位", "不符", "承诺办结时限", "网办深度", "不在您的管理范围", "二十", "重复"] {
        assert!(text.contains(m), "{m}: {text}");
    }
    assert_eq!(q("SELECT COUNT(*) FROM svc_items").fetch_i64(&app.state.db).await.unwrap(), 0);

    let good = [
        ["XK00101000-321084", "建筑工程施工许可", "行政许可", "D-ZJJ", basis, "20", "10", "全程网办", "优化审批服务", "是"],
        ["XK00102000-321084", "商品房预售许可", "licence", "D-ZJJ", basis, "20", "10", "no_visit", "", "否"],
    ];
    let r = fazhi::services::exchange::import(&app.state, &staff, &xlsx(&good)).await.unwrap();
    assert_eq!((r.created, r.revised, r.unchanged), (2, 0, 0));
    let id = q("SELECT id FROM svc_items WHERE code = 'XK00101000-321084'").fetch_i64(&app.state.db).await.unwrap();
    let first = counter(&app, id, fazhi::time::today()).await;

    // A new version: the application already filed keeps the limits it was filed under.
    let mut changed = good;
    changed[0][6] = "6";
    let r = fazhi::services::exchange::import(&app.state, &staff, &xlsx(&changed)).await.unwrap();
    assert_eq!((r.created, r.revised, r.unchanged), (0, 1, 1));
    let (_, a) = service::load(&app.state.db, first.id).await.unwrap().unwrap();
    assert_eq!((a.committed_days, a.item_version), (10, Some(1)));
    let second = counter(&app, id, fazhi::time::today()).await;
    let (_, b) = service::load(&app.state.db, second.id).await.unwrap().unwrap();
    assert_eq!((b.committed_days, b.item_version), (6, Some(2)));
    let mut zjj = app.login("zjj_staff").await;
    let page = zjj.get(&format!("/services/applications/{}", first.id)).await;
    assert!(page.contains("第1版") && page.contains("不随修订变化"), "{}", page.text);

    // The export reads back in the import's columns, and imports again unchanged.
    let bytes = get_bytes(&app, &zjj, "/services/items/export.xlsx").await;
    let t = fazhi::tabular::read(&bytes).unwrap();
    assert_eq!(t.rows.len(), 2);
    assert!(t.rows.iter().any(|(_, r)| r.iter().any(|c| c == "XK00101000-321084") && r.iter().any(|c| c == "6")), "{:?}", t.rows);
    let r = fazhi::services::exchange::import(&app.state, &staff, &bytes).await.unwrap();
    assert_eq!((r.created, r.revised, r.unchanged), (0, 0, 2));
    let j: serde_json::Value = serde_json::from_slice(&get_bytes(&app, &zjj, "/services/items/catalogue.jsonld").await).unwrap();
    let s = j["@graph"].as_array().unwrap().iter().find(|s| s["dct:identifier"] == "XK00101000-321084").cloned().unwrap();
    assert_eq!(s["cv:processingTime"]["@value"], "P6D");
    assert!(s["fazhi:processingTimeMeaning"]["@value"].as_str().unwrap().contains("工作日"), "{s}");

    // The guide's columns: checked like the others, written when present, shown on the portal.
    let header = fazhi::services::exchange::header();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut row: Vec<String> = changed[0].iter().map(|c| c.to_string()).collect();
    row.extend(
        ["开办企业", "营业执照；施工合同", "不收费", "市政务服务中心三楼", r#"[{"name":"credit_code","label":"统一社会信用代码","required":true}]"#]
            .map(String::from),
    );
    let mut bad_row = row.clone();
    bad_row[10] = "买房".into();
    let e = fazhi::services::exchange::import(&app.state, &staff, &fazhi::tabular::write_xlsx("事项", &header, &[bad_row]).unwrap()).await.unwrap_err();
    assert!(format!("{e:?}").contains("不是办事场景"), "{e:?}");
    fazhi::services::exchange::import(&app.state, &staff, &fazhi::tabular::write_xlsx("事项", &header, &[row]).unwrap()).await.unwrap();
    let mut portal = app.client();
    let r = portal.get(&format!("/portal/services/items/{id}")).await;
    assert!(r.contains("施工合同") && r.contains("市政务服务中心三楼"), "{}", r.text);
    let t = fazhi::tabular::read(&get_bytes(&app, &zjj, "/services/items/export.xlsx").await).unwrap();
    assert!(t.rows.iter().any(|(_, r)| r.iter().any(|c| c == "营业执照；施工合同")), "{:?}", t.rows);

    // Declared 全程网办, handled at the counter: flagged.
    let r = zjj.get("/services/items?mismatch=1").await;
    assert!(r.contains("XK00101000-321084") && r.contains("实际窗口办理") && !r.contains("XK00102000-321084"), "{}", r.text);

    // Another unit may neither import into this unit nor see its items.
    let dh = who(&app, "dh_staff").await;
    let e = fazhi::services::exchange::import(&app.state, &dh, &bytes).await.unwrap_err();
    assert!(format!("{e:?}").contains("不在您的管理范围"), "{e:?}");
    let mut dhc = app.login("dh_staff").await;
    let j: serde_json::Value = serde_json::from_slice(&get_bytes(&app, &dhc, "/services/items/catalogue.jsonld").await).unwrap();
    assert!(j["@graph"].as_array().unwrap().is_empty(), "{j}");
    assert!(!dhc.get("/services/items").await.contains("XK00101000"));
}

/// An item's guide as an administrator sets it.
async fn set_guide(app: &TestApp, id: i64, event: &str, materials: &str, form: &str) {
    use futures::FutureExt;
    let (event, materials, form) = (event.to_string(), materials.to_string(), form.to_string());
    app.state
        .db
        .write(move |tx| {
            async move {
                q("UPDATE svc_items SET life_event = $1, materials = $2, form = $3 WHERE id = $4")
                    .bind(event)
                    .bind(materials)
                    .bind(form)
                    .bind(id)
                    .execute(tx)
                    .await
                    .map(|_| ())
            }
            .boxed()
        })
        .await
        .unwrap();
}

async fn citizen(app: &TestApp, phone: &str) -> Client {
    let token = fazhi::auth::session::create(&app.state.db, None, Some(phone.to_string()), None, None).await.unwrap();
    let mut c = app.client();
    c.cookies.insert("fazhi_sid".into(), token);
    c
}

#[tokio::test]
async fn a_firm_applies_online_under_commitment_is_decided_at_once_and_rates_the_service() {
    let app = TestApp::new().await;
    let cal = app.state.calendar();
    let today = fazhi::time::today();
    let id = item(&app, "XK00009000-321084", "full_online", "commitment", 5).await;
    let onsite = item(&app, "XK00010000-321084", "onsite", "none", 10).await;
    set_guide(&app, id, "business", "营业执照", r#"[{"name":"credit_code","label":"统一社会信用代码","required":true}]"#).await;
    let mut firm = citizen(&app, "13812345678").await;
    let r = firm.get("/portal/services?event=business").await;
    assert!(r.contains(&format!("/portal/services/items/{id}")) && !r.contains(&format!("/portal/services/items/{onsite}")), "{}", r.text);
    let r = firm.get(&format!("/portal/services/items/{id}")).await;
    assert!(r.contains("营业执照") && r.contains("在线申请") && r.contains("第八十二条"), "{}", r.text);
    // Bad input: an on-site item is refused with its reason; nothing is written.
    let r = firm.get(&format!("/portal/services/items/{onsite}")).await;
    assert!(r.contains("不能网上申请") && !r.contains("/apply\""), "{}", r.text);
    let r = firm.post_multipart(&format!("/portal/services/items/{onsite}/apply"), &[("applicant", "某公司")], &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("须到现场办理"), "{}", r.text);
    // Missing form field, material and commitment: each said on its field.
    let r = firm.post_multipart(&format!("/portal/services/items/{id}/apply"), &[("applicant", "示范市某餐饮有限公司")], &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("请填写统一社会信用代码") && r.contains("请上传申请材料") && r.contains("告知承诺书"), "{}", r.text);
    assert_eq!(q("SELECT COUNT(*) FROM svc_applications").fetch_i64(&app.state.db).await.unwrap(), 0);

    let r = firm
        .post_multipart(
            &format!("/portal/services/items/{id}/apply"),
            &[("applicant", "示范市某餐饮有限公司"), ("f_credit_code", "91321084MA1XXXXX1X"), ("commitment_signed", "yes")],
            &[("files", "licence.pdf", b"%PDF-1.4 test")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let case_id: i64 = r.location().rsplit('/').next().unwrap().parse().unwrap();
    let (c, a) = service::load(&app.state.db, case_id).await.unwrap().unwrap();
    assert_eq!((c.state.as_str(), a.channel.as_str(), a.outcome.as_deref()), ("verifying", "online", Some("granted")));
    assert_eq!(due(&c), wd(&cal, today, 20), "the post-verification clock");
    assert_eq!(q("SELECT COUNT(*) FROM attachments WHERE entity = 'case' AND entity_id = $1").bind(case_id).fetch_i64(&app.state.db).await.unwrap(), 1);
    let r = firm.get(&format!("/portal/services/applications/{case_id}")).await;
    assert!(r.contains("准予许可") && r.contains("核查"), "{}", r.text);
    // The post-verification task is the unit's; another citizen does not see the application.
    let mut zjj = app.login("zjj_staff").await;
    assert!(zjj.get("/services/applications?state=verifying").await.contains(&c.case_no));
    let mut other = citizen(&app, "13900009999").await;
    assert_eq!(other.get(&format!("/portal/services/applications/{case_id}")).await.status, StatusCode::NOT_FOUND);

    // 好差评: a bad rating must say why, opens a follow-up due in 15 working days, only once.
    let path = format!("/portal/services/applications/{case_id}/rate");
    let r = firm.post_form(&path, &[("score", "1")]).await;
    assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY && r.contains("不满意的原因"), "{}", r.text);
    let r = firm.post_form(&path, &[("score", "1"), ("comment", "材料要求前后不一")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let r = firm.post_form(&path, &[("score", "5")]).await;
    assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY && r.contains("已评价"), "{}", r.text);
    let (rid, due_on): (i64, Option<String>) =
        q("SELECT id, followup_due FROM svc_ratings WHERE case_id = $1").bind(case_id).fetch_one(&app.state.db).await.unwrap();
    assert_eq!(due_on, Some(fazhi::time::fmt_date(wd(&cal, today, 15))));
    let mut dh = app.login("dh_staff").await;
    assert!(!dh.get("/services/ratings").await.contains(&c.case_no), "another unit's ratings are not listed");
    let r = zjj.get("/services/ratings?bad=1").await;
    assert!(r.contains(&c.case_no) && r.contains("非常不满意"), "{}", r.text);
    let r = zjj.post_form(&format!("/services/ratings/{rid}/followup"), &[("followup_note", "已回访，统一了窗口与网上的材料清单")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let t = fazhi::tabular::read(&get_bytes(&app, &zjj, "/services/ratings/export.xlsx?bad=1").await).unwrap();
    assert!(t.rows.len() == 1 && t.rows[0].1.iter().any(|x| x == "按期"), "{:?}", t.rows);
    let t = fazhi::tabular::read(&get_bytes(&app, &dh, "/services/ratings/export.xlsx").await).unwrap();
    assert!(t.rows.is_empty(), "another unit's export: {:?}", t.rows);
    let on_time: Option<bool> =
        q("SELECT followup_on_time FROM svc_ratings WHERE id = $1").bind(rid).fetch_one(&app.state.db).await.map(|r: (Option<bool>,)| r.0).unwrap();
    assert_eq!(on_time, Some(true));

    let mut sfj = app.login("sfj").await;
    let d = fazhi::time::fmt_date(today);
    let j = sfj.get(&format!("/api/v1/indicators/services.satisfaction?from={d}&to={d}")).await.json();
    assert_eq!((j["total"]["numerator"].as_i64(), j["total"]["denominator"].as_i64()), (Some(0), Some(1)), "{j}");
    let j = sfj.get(&format!("/api/v1/indicators/services.followup_on_time?from={d}&to={d}")).await.json();
    assert_eq!((j["total"]["numerator"].as_i64(), j["total"]["denominator"].as_i64()), (Some(1), Some(1)), "{j}");
}

#[tokio::test]
async fn a_bundle_asks_shared_fields_once_writes_every_member_or_none_and_each_member_decides() {
    let app = TestApp::new().await;
    let a = item(&app, "XK00011000-321084", "no_visit", "optimise", 5).await;
    let b = item(&app, "XK00012000-321084", "full_online", "commitment", 5).await;
    let guardian = r#"[{"name":"guardian","label":"监护人姓名","required":true}]"#;
    let own = r#"[{"name":"guardian","label":"监护人姓名","required":true},{"name":"gas_no","label":"燃气户号","required":true}]"#;
    for (id, f) in [(a, guardian), (b, own)] {
        set_guide(&app, id, "property", "", f).await;
    }
    let shared = r#"[{"name":"property_no","label":"不动产权证书号","required":true}]"#;
    // Bad definitions: one item, or a promise longer than the members' limits together.
    assert!(fazhi::services::bundle::create(&app.state, "T1", "单项", "property", &[a], 5, shared).await.is_err());
    let e = fazhi::services::bundle::create(&app.state, "T2", "超时", "property", &[a, b], 11, shared).await.unwrap_err();
    assert!(format!("{e:?}").contains("bundle_over_members"), "{e:?}");
    let bid = fazhi::services::bundle::create(&app.state, "T3", "过户一件事", "property", &[a, b], 8, shared).await.unwrap();

    let mut c = citizen(&app, "13712345678").await;
    let r = c.get(&format!("/portal/services/bundles/{bid}")).await;
    assert_eq!(r.text.matches("name=\"f_guardian\"").count(), 1, "a shared field is asked once: {}", r.text);
    assert!(r.contains("只填一次") && r.contains("f_property_no") && r.contains("f_gas_no"), "{}", r.text);
    // A member's required field missing: refused naming the member; nothing written.
    let r = c
        .post_multipart(
            &format!("/portal/services/bundles/{bid}"),
            &[("applicant", "林晓雨"), ("f_property_no", "苏(2026)如皋市不动产权第0001号"), ("f_guardian", "林晓雨"), ("commitment_signed", "yes")],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("请填写燃气户号") && r.contains("XK00012000-321084"), "{}", r.text);
    assert_eq!(q("SELECT COUNT(*) FROM svc_applications").fetch_i64(&app.state.db).await.unwrap(), 0);
    assert_eq!(q("SELECT COUNT(*) FROM svc_bundle_apps").fetch_i64(&app.state.db).await.unwrap(), 0);

    let r = c
        .post_multipart(
            &format!("/portal/services/bundles/{bid}"),
            &[
                ("applicant", "林晓雨"),
                ("f_property_no", "苏(2026)如皋市不动产权第0001号"),
                ("f_guardian", "林晓雨"),
                ("f_gas_no", "G-778812"),
                ("commitment_signed", "yes"),
            ],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let app_id: i64 = r.location().rsplit('/').next().unwrap().parse().unwrap();
    let members: Vec<(i64, String)> =
        q("SELECT c.id, c.state FROM svc_applications a JOIN cases c ON c.id = a.case_id WHERE a.bundle_app_id = $1 ORDER BY a.item_id")
            .bind(app_id)
            .fetch_all(&app.state.db)
            .await
            .unwrap();
    assert_eq!(members.iter().map(|m| m.1.as_str()).collect::<Vec<_>>(), vec!["received", "verifying"], "the 告知承诺 member is decided at once");
    let r = c.get(&format!("/portal/services/bundle-apps/{app_id}")).await;
    assert!(r.contains("办理中") && !r.contains("全部办结"), "{}", r.text);
    // The other member records its own decision; then the bundle has its one result.
    let staff = who(&app, "zjj_staff").await;
    service::step(&app.state, &staff, members[0].0, None, "accept", form(&[], None, None)).await.unwrap();
    service::step(&app.state, &staff, members[0].0, None, "decide", form(&[("decision", "grant")], None, None)).await.unwrap();
    let r = c.get(&format!("/portal/services/bundle-apps/{app_id}")).await;
    assert!(r.contains("全部办结"), "{}", r.text);
    let mut other = citizen(&app, "13900008888").await;
    assert_eq!(other.get(&format!("/portal/services/bundle-apps/{app_id}")).await.status, StatusCode::NOT_FOUND);
}
