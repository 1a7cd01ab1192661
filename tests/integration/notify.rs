//! Notifications: the citizen is told at each step that concerns them (text messages through
//! the outbox, and on the portal), staff get in-app notices, and the gateway adapter delivers
//! every message exactly once through a gateway that fails — checked against a local HTTP
//! server that plays the gateway.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};

use crate::common::*;
use fazhi::db::q;
use fazhi::hotline::service::{self, IntakeInput, StepForm, Who};

/// A gateway that refuses the first `fail_first` requests (500), refuses phones ending in 0
/// outright (400), and otherwise delivers — once per Idempotency-Key: a repeat is acknowledged
/// and not delivered again.
#[derive(Clone, Default)]
struct Gateway {
    requests: Arc<Mutex<usize>>,
    delivered: Arc<Mutex<HashMap<String, usize>>>,
    bodies: Arc<Mutex<Vec<serde_json::Value>>>,
    fail_first: usize,
}

async fn start_gateway(g: Gateway) -> String {
    let app = axum::Router::new().route(
        "/send",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let g = g.clone();
            async move {
                let n = {
                    let mut r = g.requests.lock().unwrap();
                    *r += 1;
                    *r
                };
                if n <= g.fail_first {
                    return (StatusCode::INTERNAL_SERVER_ERROR, "busy".to_string());
                }
                let v: serde_json::Value = serde_json::from_str(&body).unwrap();
                if v["phone"].as_str().unwrap().ends_with('0') {
                    return (StatusCode::BAD_REQUEST, "空号".to_string());
                }
                let key = headers.get("idempotency-key").unwrap().to_str().unwrap().to_string();
                assert_eq!(v["key"].as_str(), Some(key.as_str()));
                assert_eq!(headers.get("authorization").unwrap(), "Bearer gw-secret");
                g.bodies.lock().unwrap().push(v);
                *g.delivered.lock().unwrap().entry(key).or_insert(0) += 1;
                (StatusCode::OK, "ok".to_string())
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/send")
}

async fn staff(app: &TestApp, username: &str) -> fazhi::auth::Staff {
    let id = q("SELECT id FROM users WHERE username = $1").bind(username).fetch_i64(&app.state.db).await.unwrap();
    fazhi::auth::extract::load_staff(&app.state, id).await.unwrap().unwrap()
}

async fn intake(app: &TestApp, phone: &str, text: &str) -> i64 {
    let agent = staff(app, "agent").await;
    let cat = fazhi::hotline::queries::category_by_code(&app.state.db, "QT").await.unwrap().unwrap().id;
    let input = IntakeInput {
        caller_phone: Some(phone.into()),
        category_id: Some(cat),
        town_id: Some(org_id(app, "T-DH").await),
        description: Some(text.into()),
        accept_now: true,
        phone_required: true,
        ..Default::default()
    };
    service::intake(&app.state, agent.actor(), input).await.unwrap().case.id
}

/// Let time pass for the retries: everything pending is due now.
async fn make_due(app: &TestApp) {
    use futures::FutureExt;
    app.state
        .db
        .write(|tx| {
            async move {
                q("UPDATE sms_outbox SET next_attempt_at = 0 WHERE status = 'pending'").execute(tx).await?;
                Ok(())
            }
            .boxed()
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn citizens_are_told_each_step_and_every_message_is_delivered_once() {
    let gw = Gateway { fail_first: 2, ..Default::default() };
    let url = start_gateway(gw.clone()).await;
    let app = TestApp::configured(|c| {
        c.sms.gateway_url = url.clone();
        c.sms.gateway_token = "gw-secret".into();
        c.sms.max_attempts = 4;
        c.sms.retry_secs = 1;
    })
    .await;
    // Intake (受理 with the number) and dispatch (the unit and the due date) tell the caller.
    let id = intake(&app, "13912340001", "小区路灯不亮").await;
    let disp = staff(&app, "dispatcher").await;
    let mut f = StepForm::default();
    f.fields.insert("org".into(), org_id(&app, "D-CGJ").await.to_string());
    service::step(&app.state, Who::Staff(&disp), id, None, "dispatch", f).await.unwrap();
    let case = fazhi::kernel::queries::get(&app.state.db, id).await.unwrap().unwrap();
    let texts: Vec<(String,)> = q("SELECT message FROM sms_outbox WHERE phone = '13912340001' ORDER BY id").fetch_all(&app.state.db).await.unwrap();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(texts[0].0.contains(&case.case_no) && texts[0].0.contains("已受理") && texts[0].0.contains("/portal/track/"), "{}", texts[0].0);
    assert!(texts[1].0.contains("市城市管理局") && texts[1].0.contains(case.due_on.as_deref().unwrap()), "{}", texts[1].0);
    // A landline is not sent a text message; a step that tells nobody sends nothing.
    let _ = intake(&app, "0514-84567890", "固定电话来电").await;
    let signer = staff(&app, "cgj_staff").await;
    service::step(&app.state, Who::Staff(&signer), id, None, "sign", StepForm::default()).await.unwrap();
    assert_eq!(q("SELECT COUNT(*) FROM sms_outbox WHERE kind = 'case'").fetch_i64(&app.state.db).await.unwrap(), 2);
    // The unit got an in-app notice of the new ticket.
    let mut cgj = app.login("cgj_staff").await;
    assert!(cgj.get("/").await.contains(&format!("新工单 {} 已派至本单位", case.case_no)));
    // One message the gateway refuses for good (a number ending in 0 here).
    let _ = intake(&app, "13912340000", "会被网关拒绝的号码").await;

    // The gateway fails the first two requests: those messages wait and are sent later; the
    // refused one goes to the dead-letter list at once.
    let r = fazhi::notify::gateway::drain_once(&app.state).await.unwrap();
    assert_eq!((r.sent, r.retried, r.dead), (0, 2, 1), "{r:?}");
    make_due(&app).await;
    // Two instances drain together: no message is claimed twice.
    let (a, b) = tokio::join!(fazhi::notify::gateway::drain_once(&app.state), fazhi::notify::gateway::drain_once(&app.state));
    assert_eq!(a.unwrap().sent + b.unwrap().sent, 2);
    make_due(&app).await;
    let r = fazhi::notify::gateway::drain_once(&app.state).await.unwrap();
    assert_eq!(r.sent, 0, "nothing left");
    let delivered = gw.delivered.lock().unwrap().clone();
    assert_eq!(delivered.len(), 2);
    assert!(delivered.values().all(|n| *n == 1), "each exactly once: {delivered:?}");
    assert_eq!(q("SELECT COUNT(*) FROM sms_outbox WHERE kind = 'case' AND status = 'sent' AND attempts = 2").fetch_i64(&app.state.db).await.unwrap(), 2);

    // The dead letter: the administrator sees it with its error and sends it again; the retry
    // keeps the key, so a gateway that had received it would not deliver it twice.
    let mut admin = app.login("admin").await;
    let page = admin.get("/admin/messages?status=dead").await;
    assert!(page.contains("网关拒绝") && page.contains("139****0000"), "{}", page.text);
    let dead = q("SELECT id FROM sms_outbox WHERE status = 'dead'").fetch_i64(&app.state.db).await.unwrap();
    let r = admin.post_form(&format!("/admin/messages/{dead}/retry"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(q("SELECT status FROM sms_outbox WHERE id = $1").bind(dead).fetch_one::<(String,)>(&app.state.db).await.unwrap().0, "pending");
    assert_eq!(admin.post_form("/admin/messages/999999/retry", &[]).await.status, StatusCode::NOT_FOUND);
    let mut staff_c = app.login("zjj_staff").await;
    assert_eq!(staff_c.get("/admin/messages").await.status, StatusCode::FORBIDDEN);
    assert!(matches!(fazhi::audit::verify(&app.state.db).await.unwrap(), fazhi::audit::Verdict::Intact { .. }));
}

#[tokio::test]
async fn the_citizen_reads_messages_on_the_portal_and_the_demo_phone_shows_them() {
    let app = TestApp::new().await;
    let id = intake(&app, "13912345678", "消息测试诉求").await;
    let case = fazhi::kernel::queries::get(&app.state.db, id).await.unwrap().unwrap();
    // In the demo there is no gateway: the drain marks them as shown on the demo phone.
    fazhi::notify::gateway::drain_once(&app.state).await.unwrap();
    let mut anon = app.client();
    let page = anon.get("/demo/phone?phone=13912345678").await;
    assert!(page.contains(&case.case_no) && page.contains("已送达演示手机"), "{}", page.text);
    let r = anon.get("/demo/phone?phone=123").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    // Messages on the portal: only one's own, after proving the phone.
    assert_eq!(anon.get("/portal/messages").await.status, StatusCode::SEE_OTHER);
    let mut citizen = app.client();
    let r = citizen.post_form("/portal/login/send", &[("phone", "13912345678"), ("next", "/portal/messages")]).await;
    assert!(r.status.is_redirection() || r.status == StatusCode::OK, "{}", r.text);
    let code: String = q("SELECT message FROM sms_outbox WHERE phone = '13912345678' AND kind = 'code' ORDER BY id DESC LIMIT 1")
        .fetch_one::<(String,)>(&app.state.db)
        .await
        .unwrap()
        .0
        .chars()
        .filter(|c| c.is_ascii_digit())
        .take(6)
        .collect();
    let r = citizen.post_form("/portal/login/verify", &[("phone", "13912345678"), ("code", &code), ("next", "/portal/messages")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = citizen.get("/portal/messages").await;
    assert!(page.contains(&case.case_no) && !page.contains(&code), "codes are not listed: {}", page.text);
    let _ = intake(&app, "13987654321", "别人的诉求").await;
    assert!(!citizen.get("/portal/messages").await.contains("别人的诉求"));
}
