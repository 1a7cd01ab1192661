//! The remaining hotline steps one by one: returns, extensions refused, termination, unreached
//! callbacks, manual supervision, reassignment with co-units, notes, the number pattern, and an
//! oversized upload.

use axum::http::StatusCode;

use crate::common::*;
use fazhi::db::q;
use fazhi::hotline::service::{self, IntakeInput, StepForm, Who};

async fn staff(app: &TestApp, username: &str) -> fazhi::auth::Staff {
    let id = q("SELECT id FROM users WHERE username = $1").bind(username).fetch_i64(&app.state.db).await.unwrap();
    fazhi::auth::extract::load_staff(&app.state, id).await.unwrap().unwrap()
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

async fn dispatched(app: &TestApp, unit: &str, text: &str) -> i64 {
    let disp = staff(app, "dispatcher").await;
    let cat = fazhi::hotline::queries::category_by_code(&app.state.db, "ZF-WYGL").await.unwrap().unwrap().id;
    let input = IntakeInput {
        caller_phone: Some("13922223333".into()),
        category_id: Some(cat),
        town_id: Some(org_id(app, "T-DH").await),
        description: Some(text.into()),
        wants_reply: true,
        accept_now: true,
        phone_required: true,
        ..Default::default()
    };
    let id = service::intake(&app.state, disp.actor(), input).await.unwrap().case.id;
    let unit_id = org_id(app, unit).await.to_string();
    service::step(&app.state, Who::Staff(&disp), id, None, "dispatch", form(&[("org", &unit_id)])).await.unwrap();
    id
}

async fn state(app: &TestApp, id: i64) -> String {
    fazhi::kernel::queries::get(&app.state.db, id).await.unwrap().unwrap().state
}

#[tokio::test]
async fn returns_extensions_terminations_and_unreached_callbacks() {
    let app = TestApp::new().await;
    let disp = staff(&app, "dispatcher").await;
    let zjj = staff(&app, "zjj_staff").await;
    // A return refused goes back where it was; a return approved goes back to dispatch.
    let a = dispatched(&app, "D-ZJJ", "退单测试").await;
    service::step(&app.state, Who::Staff(&zjj), a, None, "request_return", form(&[("reason", "属于城管职责")])).await.unwrap();
    assert_eq!(state(&app, a).await, "return_requested");
    let e = service::step(&app.state, Who::Staff(&disp), a, None, "reject_return", StepForm::default()).await.unwrap_err();
    assert!(e.field_errors().iter().any(|f| f.field == "reason"));
    service::step(&app.state, Who::Staff(&disp), a, None, "reject_return", form(&[("reason", "物业管理属于住建局")])).await.unwrap();
    assert_eq!(state(&app, a).await, "dispatched", "back to where it was");
    service::step(&app.state, Who::Staff(&zjj), a, None, "request_return", form(&[("reason", "确属城管职责")])).await.unwrap();
    service::step(&app.state, Who::Staff(&disp), a, None, "approve_return", StepForm::default()).await.unwrap();
    let c = fazhi::kernel::queries::get(&app.state.db, a).await.unwrap().unwrap();
    assert_eq!(c.state, "accepted");
    assert!(c.due_on.is_none(), "the unit's clock stops");
    let returned = q("SELECT COUNT(*) FROM hotline_tickets WHERE case_id = $1 AND k_returned = TRUE").bind(a).fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(returned, 1);
    // Extension refused: stays in handling with its deadline.
    let b = dispatched(&app, "D-ZJJ", "延期测试").await;
    service::step(&app.state, Who::Staff(&zjj), b, None, "sign", StepForm::default()).await.unwrap();
    let due = fazhi::kernel::queries::get(&app.state.db, b).await.unwrap().unwrap().due_on;
    service::step(&app.state, Who::Staff(&zjj), b, None, "request_extension", form(&[("days", "3"), ("reason", "需要检测")])).await.unwrap();
    service::step(&app.state, Who::Staff(&disp), b, None, "reject_extension", form(&[("reason", "可以按期完成")])).await.unwrap();
    let c = fazhi::kernel::queries::get(&app.state.db, b).await.unwrap().unwrap();
    assert_eq!((c.state.as_str(), c.due_on.clone()), ("handling", due));
    // Termination: asked by the unit, decided by the centre.
    service::step(&app.state, Who::Staff(&zjj), b, None, "request_termination", form(&[("reason", "诉求人撤回")])).await.unwrap();
    service::step(&app.state, Who::Staff(&disp), b, None, "reject_termination", form(&[("reason", "需核实")])).await.unwrap();
    assert_eq!(state(&app, b).await, "handling");
    service::step(&app.state, Who::Staff(&zjj), b, None, "request_termination", form(&[("reason", "诉求人书面撤回")])).await.unwrap();
    service::step(&app.state, Who::Staff(&disp), b, None, "approve_termination", form(&[("reason", "已核实撤回")])).await.unwrap();
    assert_eq!(state(&app, b).await, "terminated");
    // A caller who cannot be reached: closed with a reason, not evaluated.
    let c3 = dispatched(&app, "D-ZJJ", "回访不到").await;
    service::step(&app.state, Who::Staff(&zjj), c3, None, "sign", StepForm::default()).await.unwrap();
    service::step(&app.state, Who::Staff(&zjj), c3, None, "reply", form(&[("reply", "已处理")])).await.unwrap();
    service::step(&app.state, Who::Staff(&disp), c3, None, "review_pass", StepForm::default()).await.unwrap();
    service::step(&app.state, Who::Staff(&disp), c3, None, "close_unreached", form(&[("reason", "三次电话无人接听")])).await.unwrap();
    let (st, eval): (String, bool) = q("SELECT c.state, t.k_evaluated FROM cases c JOIN hotline_tickets t ON t.case_id = c.id WHERE c.id = $1")
        .bind(c3)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!((st.as_str(), eval), ("closed", false));
    // Manual supervision, once.
    let d = dispatched(&app, "D-ZJJ", "督办测试").await;
    let sfj = staff(&app, "sfj").await;
    service::step(&app.state, Who::Staff(&sfj), d, None, "supervise", form(&[("reason", "群众多次反映")])).await.unwrap();
    let e = service::step(&app.state, Who::Staff(&sfj), d, None, "supervise", form(&[("reason", "再次")])).await.unwrap_err();
    assert_eq!(e.code(), "condition_not_met");
    assert!(fazhi::hotline::kpi::verify_counters(&app.state.db).await.unwrap().is_empty());
}

#[tokio::test]
async fn reassignment_with_co_units_and_notes() {
    let app = TestApp::new().await;
    let disp = staff(&app, "dispatcher").await;
    let id = dispatched(&app, "D-ZJJ", "需要多部门处理").await;
    let cgj = org_id(&app, "D-CGJ").await.to_string();
    let dh = org_id(&app, "T-DH").await.to_string();
    let sjg = org_id(&app, "D-SJG").await.to_string();
    // The new lead cannot also be a co-unit; a reason is required.
    let e = service::step(&app.state, Who::Staff(&disp), id, None, "reassign", form(&[("org", &cgj), ("co_orgs", &cgj), ("reason", "x")])).await.unwrap_err();
    assert_eq!(e.field_errors()[0].code, "co_is_lead");
    service::step(
        &app.state,
        Who::Staff(&disp),
        id,
        None,
        "reassign",
        form(&[("org", &cgj), ("co_orgs", &format!("{dh},{sjg}")), ("reason", "以城管为主，镇和市监协办")]),
    )
    .await
    .unwrap();
    // The co-unit sees it (in its 协办 list and by id) but cannot take the lead's steps.
    let mut town = app.login("dh_staff").await;
    assert_eq!(town.get(&format!("/hotline/tickets/{id}")).await.status, StatusCode::OK);
    assert!(town.get("/hotline/tickets?co=1").await.contains("需要多部门处理"));
    assert!(!town.get("/hotline/tickets").await.contains("需要多部门处理"));
    let dh_staff = staff(&app, "dh_staff").await;
    let e = service::step(&app.state, Who::Staff(&dh_staff), id, None, "sign", StepForm::default()).await.unwrap_err();
    assert_eq!(e.code(), "not_permitted");
    // Its note is recorded as 协办意见, with a file.
    let pdf = b"%PDF-1.4 minimal";
    let r = town.post_multipart(&format!("/hotline/tickets/{id}/note"), &[("note", "本镇已安排网格员配合")], &[("files", "配合说明.pdf", pdf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let kinds: Vec<(String,)> =
        q("SELECT action FROM events WHERE entity = 'case' AND entity_id = $1 ORDER BY seq").bind(id).fetch_all(&app.state.db).await.unwrap();
    assert!(kinds.iter().any(|k| k.0 == "co_note"));
    // An empty note is refused on its field; a unit with no part in it gets 404.
    let r = town.post_multipart(&format!("/hotline/tickets/{id}/note"), &[("note", "")], &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut zjj = app.login("zjj_staff").await;
    assert_eq!(zjj.post_multipart(&format!("/hotline/tickets/{id}/note"), &[("note", "x")], &[]).await.status, StatusCode::NOT_FOUND);
    // The lead's head gives it to a person of the unit.
    let mut head = app.login("cgj_staff").await;
    let page = head.get(&format!("/hotline/tickets/{id}")).await;
    assert!(page.contains("协办单位") && page.contains("东湖镇"));
}

#[tokio::test]
async fn the_number_pattern_is_configurable_and_gap_free() {
    let app = TestApp::new().await;
    let mut sfj = app.login("sfj").await;
    let r = sfj
        .post_form("/hotline/catalogue/settings", &[("handle_days", "5"), ("mailbox_days", "10"), ("number_pattern", "RX{seq}"), ("basic_counts", "1")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "refused, re-rendered");
    assert!(r.contains("{year}"), "{}", r.text);
    let r = sfj
        .post_form(
            "/hotline/catalogue/settings",
            &[("handle_days", "5"), ("mailbox_days", "10"), ("number_pattern", "RX{year}-{seq:05}"), ("basic_counts", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let a = dispatched(&app, "D-ZJJ", "编号一").await;
    let b = dispatched(&app, "D-ZJJ", "编号二").await;
    let year = chrono::Datelike::year(&fazhi::time::today());
    let no_a = fazhi::kernel::queries::get(&app.state.db, a).await.unwrap().unwrap().case_no;
    let no_b = fazhi::kernel::queries::get(&app.state.db, b).await.unwrap().unwrap().case_no;
    assert_eq!(no_a, format!("RX{year}-00001"));
    assert_eq!(no_b, format!("RX{year}-00002"));
}

#[tokio::test]
async fn an_oversized_upload_is_refused_with_413_and_changes_nothing() {
    let mut app = TestApp::new().await;
    // A small limit for the test: 1 MB.
    let mut cfg = app.state.config.clone();
    cfg.server.max_upload_mb = 1;
    let state = fazhi::app::AppState::with_db(cfg, app.state.db.clone(), fazhi::app::features()).await.unwrap();
    app.router = fazhi::app::router(state);
    let id = dispatched(&app, "D-ZJJ", "大文件").await;
    let mut zjj = app.login("zjj_staff").await;
    let before = q("SELECT COUNT(*) FROM events").fetch_i64(&app.state.db).await.unwrap();
    let mut big = vec![0xFFu8, 0xD8, 0xFF, 0xE0];
    big.resize(2 * 1024 * 1024, 7);
    let r = zjj.post_multipart(&format!("/hotline/tickets/{id}/note"), &[("note", "照片")], &[("files", "big.jpg", &big)]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text);
    assert_eq!(q("SELECT COUNT(*) FROM events").fetch_i64(&app.state.db).await.unwrap(), before);
    // A forbidden type is 415.
    let r = zjj.post_multipart(&format!("/hotline/tickets/{id}/note"), &[("note", "脚本")], &[("files", "x.html", b"<script>alert(1)</script>")]).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn concurrent_intakes_are_grouped_without_losing_or_doubling_any() {
    let app = TestApp::new().await;
    let cat = fazhi::hotline::queries::category_by_code(&app.state.db, "ZF-WYGL").await.unwrap().unwrap().id;
    let town = org_id(&app, "T-DH").await;
    let input = |phone: String, text: String, key: Option<String>| IntakeInput {
        caller_phone: Some(phone),
        category_id: Some(cat),
        town_id: Some(town),
        description: Some(text),
        idempotency_key: key,
        phone_required: true,
        ..Default::default()
    };
    let mut handles = Vec::new();
    // Sixty different tickets, and ten submissions of one more with the same key, all at once.
    for i in 0..70 {
        let state = app.state.clone();
        let inp = if i < 60 {
            input(format!("1390000{i:04}"), format!("并发诉求 {i}"), None)
        } else {
            input("13900009999".into(), "同一次提交".into(), Some("same-key".into()))
        };
        handles.push(tokio::spawn(async move { service::intake(&state, fazhi::audit::Actor::system(), inp).await }));
    }
    let mut ids = Vec::new();
    let mut repeat_ids = Vec::new();
    for (i, h) in handles.into_iter().enumerate() {
        let r = h.await.unwrap().unwrap();
        if i < 60 { ids.push(r.case.id) } else { repeat_ids.push((r.case.id, r.duplicate)) }
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 60, "sixty distinct tickets");
    assert!(repeat_ids.iter().all(|(id, _)| *id == repeat_ids[0].0), "the repeats are one ticket");
    assert_eq!(repeat_ids.iter().filter(|(_, dup)| !dup).count(), 1, "created once");
    let total = q("SELECT COUNT(*) FROM cases WHERE procedure = 'hotline'").fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(total, 61);
    let last = q("SELECT MAX(last) FROM case_sequences WHERE key LIKE 'hotline:%'").fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(last, 61, "numbers without gaps");
    // Without a key: the same text from a caller without a number (found by hash), five times at
    // once, is one ticket; the same caller with another text is another ticket, and so is the
    // same text from another caller.
    let mut handles = Vec::new();
    for i in 0..8 {
        let state = app.state.clone();
        let mut inp = match i {
            0..5 => input(String::new(), "无号码来电：路灯不亮".into(), None),
            5 => input("13900000001".into(), "并发诉求 1 补充说明".into(), None),
            6 => input("13900000002".into(), "并发诉求 1".into(), None),
            _ => input("13900000001".into(), "并发诉求 1".into(), None),
        };
        if i < 5 {
            inp.caller_phone = None;
            inp.phone_required = false;
        }
        handles.push(tokio::spawn(async move { service::intake(&state, fazhi::audit::Actor::system(), inp).await }));
    }
    let mut got = Vec::new();
    for h in handles {
        let r = h.await.unwrap().unwrap();
        got.push((r.case.id, r.duplicate));
    }
    assert!(got[..5].iter().all(|g| g.0 == got[0].0), "{got:?}");
    assert_eq!(got[..5].iter().filter(|g| !g.1).count(), 1);
    assert!(!got[5].1 && !got[6].1, "{got:?}");
    let one =
        q("SELECT case_id FROM hotline_tickets WHERE caller_phone = '13900000001' AND description = '并发诉求 1'").fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(got[7], (one, true), "the same caller and text as ticket 1, within a minute");
    let total = q("SELECT COUNT(*) FROM cases WHERE procedure = 'hotline'").fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(total, 64);
    assert!(fazhi::hotline::kpi::verify_counters(&app.state.db).await.unwrap().is_empty());
    assert!(matches!(fazhi::audit::verify(&app.state.db).await.unwrap(), fazhi::audit::Verdict::Intact { .. }));
}

/// Tickets without a phone number are checked for repeats of their text without an index on it
/// on SQLite (a random key put every new ticket on a B-tree page of its own and made such intakes
/// a third as fast, issue 10 #28): the same text within a minute is one ticket — in a later group,
/// and after the server restarts — and after a minute it is a new one. On PostgreSQL, where
/// several instances take in tickets, the database is asked (the restart is then a second
/// instance).
#[tokio::test]
async fn anonymous_repeats_are_found_without_an_index_on_their_text() {
    let app = TestApp::new().await;
    if !app.is_postgres() {
        let by_text = q("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'hotline_tickets' AND sql LIKE '%(dedupe_hash%'");
        assert_eq!(by_text.fetch_i64(&app.state.db).await.unwrap(), 0, "no index on the hash of the text");
    }
    let cat = fazhi::hotline::queries::category_by_code(&app.state.db, "ZF-WYGL").await.unwrap().unwrap().id;
    let town = org_id(&app, "T-DH").await;
    let now = fazhi::time::now_ms();
    let anon = |text: &str, at: Option<i64>| IntakeInput {
        channel: Some(fazhi::hotline::model::Channel::Open311),
        category_id: Some(cat),
        town_id: Some(town),
        description: Some(text.to_string()),
        received_at: at,
        ..Default::default()
    };
    let take = |state: fazhi::app::AppState, input: IntakeInput| async move {
        let r = service::intake(&state, fazhi::audit::Actor::system(), input).await.unwrap();
        (r.case.id, r.duplicate)
    };
    let recent = take(app.state.clone(), anon("无号码：井盖缺失", Some(now - 50_000))).await;
    let old = take(app.state.clone(), anon("无号码：路面塌陷", Some(now - 61_000))).await;
    assert!(!recent.1 && !old.1);
    assert_eq!(take(app.state.clone(), anon("无号码：井盖缺失", None)).await, (recent.0, true), "within the minute");
    let again = take(app.state.clone(), anon("无号码：路面塌陷", None)).await;
    assert!(!again.1 && again.0 != old.0, "a minute later it is a new ticket");
    assert!(!take(app.state.clone(), anon("无号码：井盖缺失，另一处", None)).await.1, "another text");
    // Another server on the same database, with nothing in its memory yet.
    let other = fazhi::app::AppState::with_db(app.state.config.clone(), app.state.db.clone(), fazhi::app::features()).await.unwrap();
    assert_eq!(take(other.clone(), anon("无号码：井盖缺失", None)).await, (recent.0, true), "after a restart");
    assert_eq!(take(other, anon("无号码：路面塌陷", None)).await, (again.0, true));
    let total = q("SELECT COUNT(*) FROM hotline_tickets WHERE caller_phone IS NULL").fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(total, 4);
}
