//! Following a ticket on the portal: failed lookups are throttled so that ticket numbers
//! cannot be enumerated, and a miss looks the same whatever was wrong.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::common::*;
use crate::portal::{citizen, report};
use fazhi::db::q;

/// A GET from a client at `ip` (the server learns the peer from the connection).
async fn get_from(app: &TestApp, path: &str, ip: Option<&str>) -> Response {
    let mut req = Request::builder().uri(path).body(Body::empty()).unwrap();
    if let Some(ip) = ip {
        let addr: SocketAddr = format!("{ip}:40000").parse().unwrap();
        req.extensions_mut().insert(ConnectInfo(addr));
    }
    let resp = app.router.clone().oneshot(req).await.unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    Response { status, headers, text: String::from_utf8_lossy(&bytes).into_owned() }
}

fn lookup(no: &str, phone: &str) -> String {
    format!("/api/v1/hotline/lookup?no={no}&phone={phone}")
}

async fn throttle_rows(app: &TestApp) -> i64 {
    q("SELECT COUNT(*) FROM lookup_throttle WHERE key LIKE 'lookup:%'").fetch_i64(&app.state.db).await.unwrap()
}

fn assert_throttled(r: &Response) {
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    let secs: u64 = r.headers.get(header::RETRY_AFTER).expect("Retry-After").to_str().unwrap().parse().unwrap();
    assert!((1..=15 * 60).contains(&secs), "{secs}");
}

#[tokio::test]
async fn failed_lookups_are_throttled_per_phone_and_per_address() {
    let app = TestApp::new().await;
    let mut c = citizen(&app, "13900000021").await;
    let no = report(&app, &mut c, "小区门口路灯不亮").await;
    let mut other = citizen(&app, "13900000022").await;
    let other_no = report(&app, &mut other, "楼下噪音扰民").await;
    let base: i64 = no.parse().unwrap();

    // Successful lookups are answered and write nothing, however many.
    for _ in 0..40 {
        let r = get_from(&app, &lookup(&no, "13900000021"), Some("10.0.0.1")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    assert_eq!(throttle_rows(&app).await, 0, "the success path must not write");

    // Walking the numbers of one phone, each guess from another address: ten misses, then 429.
    for i in 1..=10 {
        let r = get_from(&app, &lookup(&(base + 100 + i).to_string(), "13900000021"), Some(&format!("10.1.0.{i}"))).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "guess {i}: {}", r.text);
    }
    let r = get_from(&app, &lookup(&(base + 200).to_string(), "13900000021"), Some("10.1.0.99")).await;
    assert_throttled(&r);
    let j = r.json();
    assert_eq!(j["code"], "rate_limited");
    assert!(j["message"].as_str().unwrap().contains("查询失败次数过多"), "{j}");
    // While the phone is locked even the right number is refused: a hit must not stand out.
    assert_throttled(&get_from(&app, &lookup(&no, "13900000021"), Some("10.1.0.98")).await);
    // Another phone is not affected.
    assert_eq!(get_from(&app, &lookup(&other_no, "13900000022"), Some("10.1.0.97")).await.status, StatusCode::OK);

    // One address guessing phones: thirty misses (never ten on one phone), then 429 for it only.
    for i in 0..30 {
        let phone = format!("1370000{:04}", i);
        let r = get_from(&app, &lookup(&other_no, &phone), Some("10.2.0.1")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "guess {i}: {}", r.text);
    }
    assert_throttled(&get_from(&app, &lookup(&other_no, "13700009999"), Some("10.2.0.1")).await);
    assert_throttled(&get_from(&app, &lookup(&other_no, "13900000022"), Some("10.2.0.1")).await);
    assert_eq!(get_from(&app, &lookup(&other_no, "13900000022"), Some("10.2.0.2")).await.status, StatusCode::OK);

    // The portal form is throttled by the same counters: 429 on the form, in Chinese.
    let mut anon = app.client();
    let r = anon.post_form("/portal/track", &[("no", &no), ("phone", "139 0000 0021")]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    assert!(r.headers.contains_key(header::RETRY_AFTER));
    assert!(r.contains("查询失败次数过多") && r.contains("分钟后再试"), "{}", r.text);
}

#[tokio::test]
async fn a_wrong_number_and_a_wrong_phone_are_answered_alike() {
    let app = TestApp::new().await;
    let mut c = citizen(&app, "13900000023").await;
    let no = report(&app, &mut c, "路面塌陷").await;
    let unknown = "2099000001";
    let wrong_phone = get_from(&app, &lookup(&no, "13900000024"), None).await;
    let wrong_number = get_from(&app, &lookup(unknown, "13900000024"), None).await;
    assert_eq!(wrong_phone.status, StatusCode::NOT_FOUND);
    assert_eq!((wrong_phone.status, wrong_phone.text.as_str()), (wrong_number.status, wrong_number.text.as_str()));
    assert!(wrong_phone.contains("没有找到该工单"));
    // Both did the same work: each counted one failure against the phone.
    let (failures,): (i64,) = q("SELECT failures FROM lookup_throttle WHERE key = 'lookup:phone:13900000024'").fetch_one(&app.state.db).await.unwrap();
    assert_eq!(failures, 2);
    // An unparsable phone is a miss like any other, counted against the address.
    let bad = get_from(&app, &lookup(&no, "not-a-phone"), Some("10.3.0.1")).await;
    assert_eq!((bad.status, bad.text.as_str()), (wrong_number.status, wrong_number.text.as_str()));
    let (failures,): (i64,) = q("SELECT failures FROM lookup_throttle WHERE key = 'lookup:ip:10.3.0.1'").fetch_one(&app.state.db).await.unwrap();
    assert_eq!(failures, 1);
}

#[tokio::test]
async fn concurrent_failures_are_all_counted() {
    // Several instances on one PostgreSQL count through the same row: no failure may be lost
    // between a read and a write (one upsert per failure).
    let app = TestApp::new().await;
    let key = fazhi::auth::probe::Key { key: "lookup:phone:13900000031".into(), max: 1000 };
    let tasks: Vec<_> = (0..24)
        .map(|_| {
            let (db, key) = (app.state.db.clone(), key.clone());
            tokio::spawn(async move { fazhi::auth::probe::fail(&db, vec![key]).await.unwrap() })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), None, "below the limit nothing is locked");
    }
    let (failures,): (i64,) = q("SELECT failures FROM lookup_throttle WHERE key = $1").bind(key.key.as_str()).fetch_one(&app.state.db).await.unwrap();
    assert_eq!(failures, 24);
}

#[tokio::test]
async fn the_tracking_page_names_the_unit_the_promised_date_and_the_rating_back() {
    use crate::portal::{category_id, hidden, staff_step};
    let app = TestApp::new().await;
    let mut c = citizen(&app, "13900000041").await;
    let form = c.get("/portal/report").await;
    let key = hidden(&form.text, "idempotency_key");
    let (cat, town) = (category_id(&app, "ZF-WYGL").await.to_string(), org_id(&app, "T-DH").await.to_string());
    let address = "幸福路88号3单元502室";
    let r = c
        .post_multipart(
            "/portal/report",
            &[
                ("idempotency_key", &key),
                ("category_id", &cat),
                ("town_id", &town),
                ("address", address),
                ("description", "楼道灯坏了，物业不修"),
                ("wants_reply", "1"),
            ],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let no = r.location().strip_prefix("/portal/done/").unwrap().to_string();
    let id = fazhi::kernel::queries::by_number(&app.state.db, &no).await.unwrap().unwrap().id;
    let anon_lookup = || async { app.client().post_form("/portal/track", &[("no", &no), ("phone", "13900000041")]).await };

    // Before dispatch: no unit yet, and the clock has not started.
    let r = anon_lookup().await;
    assert!(r.contains("承办单位") && r.contains("待热线中心派单") && r.contains("派给承办单位后开始计算"), "{}", r.text);

    let zjj = org_id(&app, "D-ZJJ").await.to_string();
    let mut dispatcher = app.login("dispatcher").await;
    let mut zjj_staff = app.login("zjj_staff").await;
    staff_step(&mut dispatcher, id, "accept", &[]).await;
    staff_step(&mut dispatcher, id, "dispatch", &[("org", &zjj)]).await;
    let case = fazhi::kernel::queries::by_number(&app.state.db, &no).await.unwrap().unwrap();
    let due = fazhi::portal::date_cn(case.due_on.as_deref().unwrap());
    // Anyone with the number and the phone sees who handles it and by when, never the address.
    let r = anon_lookup().await;
    assert!(r.contains("市住房和城乡建设局") && r.contains("承诺办结") && r.contains(&format!("{due}前")), "{}", r.text);
    assert!(!r.contains("幸福路") && !r.contains("502"), "the address is the filer's alone");
    let api = get_from(&app, &lookup(&no, "13900000041"), None).await.json();
    assert_eq!(api["unit"], "市住房和城乡建设局");
    assert_eq!(api["due_on"], case.due_on.clone().unwrap());
    // The verified filer sees the address as written.
    let r = c.get(&format!("/portal/track/{no}")).await;
    assert!(r.contains(address) && r.contains("东湖镇"), "{}", r.text);
    // Another verified citizen sees nothing of it.
    let mut other = citizen(&app, "13900000042").await;
    let r = other.get(&format!("/portal/track/{no}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.contains("幸福路"));

    // Rated 不满意 with a reason: the rating and the reason come back to the filer.
    staff_step(&mut zjj_staff, id, "sign", &[]).await;
    staff_step(&mut zjj_staff, id, "reply", &[("reply", "已督促物业更换楼道灯。")]).await;
    staff_step(&mut dispatcher, id, "review_pass", &[]).await;
    let r = c.post_form(&format!("/portal/track/{no}/rate"), &[("evaluation", "dissatisfied"), ("comment", "灯还是不亮，物业说没有配件")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let r = c.get(&format!("/portal/track/{no}")).await;
    assert!(r.contains("您的评价") && r.contains(">不满意<") && r.contains("灯还是不亮，物业说没有配件"), "{}", r.text);
    assert!(r.contains("市住房和城乡建设局") && r.contains("承诺办结"), "back with the unit, a new promised date");
    let r = anon_lookup().await;
    assert!(r.contains(">不满意<") && !r.contains("物业说没有配件"), "the reason is shown to the verified filer only");

    // Handled again and rated 满意 with a word of thanks: closed, the new rating shown.
    staff_step(&mut zjj_staff, id, "reply", &[("reply", "已更换灯具并复查。")]).await;
    staff_step(&mut dispatcher, id, "review_pass", &[]).await;
    let r = c.post_form(&format!("/portal/track/{no}/rate"), &[("evaluation", "satisfied"), ("comment", "修好了，谢谢")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let r = c.get(&format!("/portal/track/{no}")).await;
    assert!(r.contains(">满意<") && r.contains("修好了，谢谢") && r.contains("办结时间") && !r.contains("承诺办结"), "{}", r.text);
}

#[tokio::test]
async fn the_demo_publishes_letters_answered_by_the_unit_in_charge() {
    use rand::SeedableRng;
    let app = TestApp::new().await;
    let (mailbox, days): (i64, i64) = q("SELECT id, handle_days FROM hotline_categories WHERE code = 'XX-SZXX'").fetch_one(&app.state.db).await.unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    fazhi::hotline::demo_letters::seed(&app.state, &mut rng, mailbox, days).await.unwrap();
    let letters = fazhi::hotline::demo_letters::LETTERS;
    let rows: Vec<(String, String)> = q("SELECT t.publish_subject, o.code FROM hotline_tickets t JOIN cases c ON c.id = t.case_id JOIN orgs o ON o.id = c.org_id WHERE t.published = TRUE AND t.channel = 'mailbox'")
        .fetch_all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), letters.len());
    for (subject, unit) in rows {
        let l = letters.iter().find(|l| l.1 == subject).unwrap();
        assert_eq!(unit, l.0, "{subject} answered by {unit}");
    }
    let mut anon = app.client();
    let r = anon.get("/portal/letters").await;
    assert!(letters.iter().filter(|l| r.contains(l.1)).count() >= 10, "{}", r.text);
    let r = anon.get("/portal/disclosure/search?q=公交&kind=letter").await;
    assert!(r.contains("西岭镇至高铁站"), "{}", r.text);
}
