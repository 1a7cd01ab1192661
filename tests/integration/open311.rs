//! Open311 GeoReport v2 (`/open311/v2`): discovery, services and definitions, POST with an
//! api_key, lists with filters and paging, one request, tokens, updates, errors 400/403/404 in
//! JSON and XML — and that no public answer ever carries a caller's personal data.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::*;
use fazhi::audit::Actor;
use fazhi::auth::roles::Grants;

const BASE: &str = "/open311/v2";
/// Inside the demo city (the server refuses positions outside it).
const LAT: &str = "32.8";
const LONG: &str = "119.45";

async fn api_key(app: &TestApp, org: &str, scopes: &[&str]) -> String {
    let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
    let org = org_id(app, org).await;
    fazhi::auth::tokens::create(&app.state.db, Actor::system(), &Grants(vec![]), "open311 test", Some(org), &scopes, Some(1)).await.unwrap().1
}

fn query(pairs: &[(&str, &str)]) -> String {
    encode(&pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>())
}

/// POST `requests.{fmt}` as a form, exactly as given.
async fn post(c: &mut Client, fmt: &str, fields: &[(&str, &str)]) -> Response {
    let body = query(fields);
    c.send(Method::POST, &format!("{BASE}/requests.{fmt}"), Some("application/x-www-form-urlencoded; charset=utf-8"), body.into_bytes(), &[]).await
}

/// A valid illegal-parking report (the service with a required attribute).
fn parking<'a>(key: &'a str, description: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("api_key", key), ("service_code", "JT-WT"), ("lat", LAT), ("long", LONG), ("description", description), ("attribute[plate]", "苏K12345")]
}

fn json_doc(r: &Response, status: StatusCode) -> Value {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.headers["content-type"], "application/json; charset=utf-8");
    r.json()
}

fn xml_doc(r: &Response, status: StatusCode, root: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.headers["content-type"], "text/xml; charset=utf-8");
    assert!(r.text.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"), "{}", r.text);
    assert!(r.text.contains(&format!("\n<{root}>")) || r.text.contains(&format!("\n<{root}/>")), "root <{root}>: {}", r.text);
}

/// The error codes of a JSON error answer (always a list of {code, description}).
fn error_codes(r: &Response, status: StatusCode) -> Vec<String> {
    let v = json_doc(r, status);
    let list = v.as_array().unwrap_or_else(|| panic!("errors must be a list: {v}"));
    assert!(!list.is_empty());
    list.iter()
        .map(|e| {
            assert!(!e["description"].as_str().unwrap().is_empty());
            e["code"].as_str().unwrap().to_string()
        })
        .collect()
}

fn xml_error(r: &Response, status: StatusCode, code: &str) {
    xml_doc(r, status, "errors");
    assert!(r.contains(&format!("<error><code>{code}</code><description>")), "{}", r.text);
}

/// Create one ticket over Open311 and return its service_request_id.
async fn create(c: &mut Client, key: &str, description: &str) -> String {
    let r = post(c, "json", &parking(key, description)).await;
    let v = json_doc(&r, StatusCode::CREATED);
    assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
    assert!(v[0].get("token").is_none(), "an id or a token, never both");
    v[0]["service_request_id"].as_str().unwrap().to_string()
}

/// `GET requests.json?…`, answered 200.
async fn get(c: &mut Client, q: &[(&str, &str)]) -> Value {
    json_doc(&c.get(&format!("{BASE}/requests.json?{}", query(q))).await, StatusCode::OK)
}

async fn case_id(app: &TestApp, no: &str) -> i64 {
    fazhi::kernel::queries::by_number(&app.state.db, no).await.unwrap().unwrap().id
}

#[tokio::test]
async fn discovery_services_and_definitions() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let d = json_doc(&c.get(&format!("{BASE}/discovery.json")).await, StatusCode::OK);
    let ep = &d["endpoints"][0];
    assert_eq!(ep["specification"], "http://wiki.open311.org/GeoReport_v2");
    assert!(ep["url"].as_str().unwrap().ends_with("/open311/v2"));
    assert_eq!(ep["formats"], json!(["text/xml", "application/json"]));
    assert!(d["changeset"].as_str().unwrap().ends_with("+08:00") && d["contact"].as_str().unwrap().contains("12345"));
    let r = c.get(&format!("{BASE}/discovery.xml")).await;
    xml_doc(&r, StatusCode::OK, "discovery");
    assert!(r.contains("<formats><format>text/xml</format><format>application/json</format></formats>"));

    let s = json_doc(&c.get(&format!("{BASE}/services.json")).await, StatusCode::OK);
    let list = s.as_array().unwrap();
    assert_eq!(list.len(), fazhi::hotline::demo::categories().len());
    let wt = list.iter().find(|x| x["service_code"] == "JT-WT").unwrap();
    assert_eq!((wt["metadata"].clone(), wt["type"].clone(), wt["group"].clone()), (json!(true), json!("realtime"), json!("市公安局")));
    assert_eq!(list.iter().find(|x| x["service_code"] == "CG-LDZM").unwrap()["metadata"], json!(false));
    let r = c.get(&format!("{BASE}/services.xml")).await;
    xml_doc(&r, StatusCode::OK, "services");
    assert!(r.contains("<service><service_code>CG-ZDJY</service_code><service_name>占道经营</service_name>"));
    assert!(r.contains("<metadata>true</metadata>") && r.contains("<metadata>false</metadata>"));

    let def = json_doc(&c.get(&format!("{BASE}/services/JT-WT.json")).await, StatusCode::OK);
    assert_eq!(def["service_code"], "JT-WT");
    let plate = &def["attributes"][0];
    assert_eq!(
        (plate["code"].clone(), plate["datatype"].clone(), plate["required"].clone(), plate["order"].clone()),
        (json!("plate"), json!("string"), json!(true), json!(1))
    );
    assert_eq!(def["attributes"][1]["values"][0], json!({"key": "yes", "name": "堵塞消防或出行通道"}));
    let r = c.get(&format!("{BASE}/services/JT-WT.xml")).await;
    xml_doc(&r, StatusCode::OK, "service_definition");
    assert!(r.contains("<attributes><attribute><variable>true</variable><code>plate</code>"));
    assert!(r.contains("<values><value><key>yes</key>"));
    // A service without extra fields still has a definition, with none.
    assert_eq!(json_doc(&c.get(&format!("{BASE}/services/CG-LDZM.json")).await, StatusCode::OK)["attributes"], json!([]));

    // Unknown things: 404 with the error list, in the format asked for.
    assert_eq!(error_codes(&c.get(&format!("{BASE}/services/NOPE.json")).await, StatusCode::NOT_FOUND), ["unknown_service_code"]);
    xml_error(&c.get(&format!("{BASE}/services/NOPE.xml")).await, StatusCode::NOT_FOUND, "unknown_service_code");
    assert_eq!(error_codes(&c.get(&format!("{BASE}/nothing.json")).await, StatusCode::NOT_FOUND), ["route_not_found"]);
    xml_error(&c.get(&format!("{BASE}/a/b/c.xml")).await, StatusCode::NOT_FOUND, "404");
    let r = c.send(Method::DELETE, &format!("{BASE}/services.json"), None, vec![], &[]).await;
    assert_eq!(error_codes(&r, StatusCode::METHOD_NOT_ALLOWED), ["method_not_allowed"]);
    let r = c.send(Method::POST, &format!("{BASE}/services.xml"), None, vec![], &[]).await;
    xml_error(&r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
}

#[tokio::test]
async fn post_requests_and_their_errors() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let key = api_key(&app, "D-RX", &["hotline_intake"]).await;

    // Form encoding, api_key, attribute[code]; the answer is a list of one with the ticket number.
    let mut form = parking(&key, "小区门口车辆违停，堵塞消防通道");
    form.extend([("attribute[blocking]", "yes"), ("address_string", "东湖镇文游路88号"), ("first_name", "三"), ("last_name", "张"), ("phone", "13912345678")]);
    form.extend([("email", "zhang@example.org"), ("jurisdiction_id", "whatever"), ("device_id", "d1")]);
    let r = post(&mut c, "json", &form).await;
    let v = json_doc(&r, StatusCode::CREATED);
    let no = v[0]["service_request_id"].as_str().unwrap().to_string();
    assert!(v[0]["service_notice"].as_str().unwrap().contains(&no));
    let id = case_id(&app, &no).await;
    let t = fazhi::hotline::queries::ticket(&app.state.db, id).await.unwrap().unwrap();
    assert_eq!((t.channel.as_str(), t.caller_name.as_deref(), t.caller_phone.as_deref()), ("open311", Some("张三"), Some("13912345678")));
    assert_eq!((t.lat, t.lon, t.address.as_deref()), (Some(32.8), Some(119.45), Some("东湖镇文游路88号")));
    assert_eq!(t.attributes, r#"{"blocking":"yes","plate":"苏K12345"}"#);
    let events = fazhi::audit::timeline(&app.state.db, "case", id).await.unwrap();
    assert!(events[0].actor_name.contains("open311 test"), "the token is recorded as the actor");

    // The same submission again is the same ticket (200, same number).
    let r = post(&mut c, "json", &form).await;
    assert_eq!(json_doc(&r, StatusCode::OK)[0]["service_request_id"], no.as_str());
    // A repeated Idempotency-Key is the same ticket too, whatever the text.
    let mut answers = Vec::new();
    for (text, status) in [("幂等提交一", StatusCode::CREATED), ("幂等提交二", StatusCode::OK)] {
        let body = query(&parking(&key, text)).into_bytes();
        let r = c.send(Method::POST, &format!("{BASE}/requests.json"), Some("application/x-www-form-urlencoded"), body, &[("idempotency-key", "k-1")]).await;
        answers.push(json_doc(&r, status)[0]["service_request_id"].clone());
    }
    assert_eq!(answers[0], answers[1]);
    // XML answers carry <service_requests><request>.
    let r = post(&mut c, "xml", &parking(&key, "另一处违停 XML")).await;
    xml_doc(&r, StatusCode::CREATED, "service_requests");
    assert!(r.contains("<request><service_request_id>"));

    // 403: no key, a wrong key, a key without the intake permission — in JSON and XML.
    let no_key: Vec<_> = parking(&key, "无密钥").into_iter().filter(|(k, _)| *k != "api_key").collect();
    assert_eq!(error_codes(&post(&mut c, "json", &no_key).await, StatusCode::FORBIDDEN), ["api_key_missing"]);
    assert_eq!(error_codes(&post(&mut c, "json", &parking("fz_wrong", "错误密钥")).await, StatusCode::FORBIDDEN), ["api_key_invalid"]);
    xml_error(&post(&mut c, "xml", &parking("wrong", "错误密钥")).await, StatusCode::FORBIDDEN, "api_key_invalid");
    let reader = api_key(&app, "D-ZJJ", &["case_read"]).await;
    assert_eq!(error_codes(&post(&mut c, "json", &parking(&reader, "只读密钥")).await, StatusCode::FORBIDDEN), ["api_key_forbidden"]);
    // 404: an unknown service_code.
    let mut unknown = parking(&key, "未知类别");
    unknown[1] = ("service_code", "NOPE");
    assert_eq!(error_codes(&post(&mut c, "json", &unknown).await, StatusCode::NOT_FOUND), ["unknown_service_code"]);
    // 400: missing service_code; missing location, description and required attribute at once.
    let no_code: Vec<_> = parking(&key, "无类别").into_iter().filter(|(k, _)| *k != "service_code").collect();
    assert_eq!(error_codes(&post(&mut c, "json", &no_code).await, StatusCode::BAD_REQUEST), ["required"]);
    let r = post(&mut c, "json", &[("api_key", key.as_str()), ("service_code", "JT-WT")]).await;
    assert_eq!(error_codes(&r, StatusCode::BAD_REQUEST), ["required", "attribute_required", "location_required"]);
    assert!(r.contains("attribute[plate]：请填写“车牌号”"), "our Chinese messages, named by the Open311 field: {}", r.text);
    // 400: a position outside the city, a bad list value, a malformed phone, a bad number.
    let mut outside = parking(&key, "杭州的违停");
    outside[2] = ("lat", "30.2741");
    outside[3] = ("long", "120.1551");
    outside.push(("attribute[blocking]", "maybe"));
    outside.push(("phone", "12345"));
    let r = post(&mut c, "json", &outside).await;
    assert_eq!(error_codes(&r, StatusCode::BAD_REQUEST), ["invalid_phone", "attribute_bad_value", "location_outside_city"]);
    assert!(r.contains("lat：所报位置不在本市行政区域内"));
    xml_error(&post(&mut c, "xml", &outside).await, StatusCode::BAD_REQUEST, "invalid_phone");
    let mut nan = parking(&key, "坐标有误");
    nan[2] = ("lat", "north");
    assert_eq!(error_codes(&post(&mut c, "json", &nan).await, StatusCode::BAD_REQUEST), ["not_a_number"]);
    let mut twice = parking(&key, "两个车牌");
    twice.extend([("attribute[plate][]", "苏K1"), ("attribute[plate][]", "苏K2")]);
    assert_eq!(error_codes(&post(&mut c, "json", &twice).await, StatusCode::BAD_REQUEST), ["attribute_multiple_values"]);
    // Nothing of the refused posts was stored.
    let n = fazhi::db::q("SELECT COUNT(*) FROM hotline_tickets WHERE channel = 'open311'").fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(n, 3);
}

#[tokio::test]
async fn lists_filters_paging_tokens_and_updates() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let key = api_key(&app, "D-RX", &["hotline_intake"]).await;
    let a = create(&mut c, &key, "违停一").await;
    let b = create(&mut c, &key, "违停二").await;
    let closed = create(&mut c, &key, "违停三，不属于受理范围").await;
    // One ticket from long ago (a phone call taken 120 days back).
    let old = fazhi::hotline::service::intake(
        &app.state,
        Actor::system(),
        fazhi::hotline::service::IntakeInput {
            channel: Some(fazhi::hotline::model::Channel::Phone),
            category_code: Some("CG-LDZM".into()),
            address: Some("东湖镇路灯".into()),
            description: Some("很久以前的路灯不亮".into()),
            received_at: Some(fazhi::time::now_ms() - 120 * 86_400_000),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .case
    .case_no;
    // Staff take steps: accept and dispatch `a` to 住建局; refuse `closed`.
    let mut staff = app.login("dispatcher").await;
    let (ida, idc) = (case_id(&app, &a).await, case_id(&app, &closed).await);
    let zjj = org_id(&app, "D-ZJJ").await.to_string();
    for (step, body) in [("accept", json!({})), ("dispatch", json!({"fields": {"org": zjj}}))] {
        let r = staff.post_json(&format!("/api/v1/hotline/tickets/{ida}/steps/{step}"), &body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    let r = staff
        .post_json(&format!("/api/v1/hotline/tickets/{idc}/steps/not_accept"), &json!({"reason": "属于民事纠纷", "fields": {"alt_route": "litigation"}}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    let ids = |v: &Value| v.as_array().unwrap().iter().map(|r| r["service_request_id"].as_str().unwrap().to_string()).collect::<Vec<_>>();

    // Default: the last 90 days, newest first.
    let all = get(&mut c, &[]).await;
    assert_eq!(ids(&all), [closed.as_str(), b.as_str(), a.as_str()]);
    let ra = &all[2];
    assert_eq!(
        (ra["status"].clone(), ra["agency_responsible"].clone(), ra["status_notes"].clone()),
        (json!("open"), json!("市住房和城乡建设局"), json!("已派给承办单位办理"))
    );
    assert!(ra["expected_datetime"].as_str().unwrap().ends_with("T23:59:59+08:00"), "the due date once dispatched: {ra}");
    assert!(ra["requested_datetime"].as_str().unwrap().ends_with("+08:00"));
    assert_eq!((ra["lat"].clone(), ra["long"].clone(), ra["service_name"].clone()), (json!(32.8), json!(119.45), json!("交通违停")));
    let rc = &all[0];
    assert_eq!((rc["status"].clone(), rc["status_notes"].clone()), (json!("closed"), json!("不予受理，已告知理由和可以采取的途径")));
    assert!(rc.get("expected_datetime").is_none());
    // Status, service_code and the window.
    assert_eq!(ids(&get(&mut c, &[("status", "closed")]).await), [closed.as_str()]);
    assert_eq!(ids(&get(&mut c, &[("status", "open")]).await), [b.as_str(), a.as_str()]);
    assert_eq!(ids(&get(&mut c, &[("status", "open,closed"), ("service_code", "JT-WT,XX")]).await).len(), 3);
    assert!(ids(&get(&mut c, &[("service_code", "CG-LDZM")]).await).is_empty(), "the old ticket is outside the default window");
    let old_window = [("start_date", "2000-01-01T00:00:00Z"), ("end_date", "2000-02-01T00:00:00+08:00")];
    assert!(ids(&get(&mut c, &old_window).await).is_empty());
    let when = fazhi::hotline::api::iso(fazhi::time::now_ms() - 120 * 86_400_000);
    let day = &when[..10];
    assert_eq!(ids(&get(&mut c, &[("start_date", day), ("end_date", day)]).await), [old.as_str()]);
    // service_request_id overrides every other argument.
    let q = format!("{a},{old}, nope");
    assert_eq!(ids(&get(&mut c, &[("service_request_id", q.as_str()), ("status", "closed"), ("start_date", "2000-01-01")]).await), [a.as_str(), old.as_str()]);
    // Paging: 1-based, stable, past the end is an empty list.
    assert_eq!(ids(&get(&mut c, &[("page_size", "2")]).await), [closed.as_str(), b.as_str()]);
    assert_eq!(ids(&get(&mut c, &[("page_size", "2"), ("page", "2")]).await), [a.as_str()]);
    assert!(ids(&get(&mut c, &[("page_size", "2"), ("page", "3")]).await).is_empty());
    // Bad arguments: 400.
    let bad = |q: &str| format!("{BASE}/requests.json?{q}");
    assert_eq!(error_codes(&c.get(&bad("status=pending")).await, StatusCode::BAD_REQUEST), ["invalid_status"]);
    assert_eq!(error_codes(&c.get(&bad("start_date=2026-01-01&end_date=2026-06-01")).await, StatusCode::BAD_REQUEST), ["date_range_too_long"]);
    assert_eq!(error_codes(&c.get(&bad("start_date=tomorrow")).await, StatusCode::BAD_REQUEST), ["invalid_date"]);
    assert_eq!(error_codes(&c.get(&bad("page_size=5000")).await, StatusCode::BAD_REQUEST), ["invalid_paging"]);
    xml_error(&c.get(&format!("{BASE}/requests.xml?page=0")).await, StatusCode::BAD_REQUEST, "invalid_paging");
    // XML list.
    let r = c.get(&format!("{BASE}/requests.xml?status=closed")).await;
    xml_doc(&r, StatusCode::OK, "service_requests");
    assert!(r.contains(&format!("<request><service_request_id>{closed}</service_request_id><status>closed</status>")));
    let r = c.get(&format!("{BASE}/requests.xml?start_date=2000-01-01&end_date=2000-01-02")).await;
    assert!(r.contains("<service_requests></service_requests>"));

    // One request: a list of one; unknown: 404.
    let one = json_doc(&c.get(&format!("{BASE}/requests/{a}.json")).await, StatusCode::OK);
    assert_eq!(ids(&one), [a.as_str()]);
    assert_eq!(one[0]["description"], "违停一");
    let r = c.get(&format!("{BASE}/requests/{a}.xml")).await;
    xml_doc(&r, StatusCode::OK, "service_requests");
    assert_eq!(r.text.matches("<request>").count(), 1);
    assert_eq!(error_codes(&c.get(&format!("{BASE}/requests/999.json")).await, StatusCode::NOT_FOUND), ["request_not_found"]);
    xml_error(&c.get(&format!("{BASE}/requests/999.xml")).await, StatusCode::NOT_FOUND, "request_not_found");

    // Tokens: a token is the ticket number.
    let t = json_doc(&c.get(&format!("{BASE}/tokens/{b}.json")).await, StatusCode::OK);
    assert_eq!(t, json!([{"service_request_id": b, "token": b}]));
    let r = c.get(&format!("{BASE}/tokens/{b}.xml")).await;
    xml_doc(&r, StatusCode::OK, "service_requests");
    assert!(r.contains(&format!("<request><service_request_id>{b}</service_request_id><token>{b}</token></request>")));
    assert_eq!(error_codes(&c.get(&format!("{BASE}/tokens/unknown.json")).await, StatusCode::NOT_FOUND), ["token_not_found"]);

    // Updates: public steps only, newest first, with the status after each.
    let u = json_doc(&c.get(&format!("{BASE}/servicerequestupdates.json")).await, StatusCode::OK);
    let of = |no: &str| {
        u.as_array().unwrap().iter().filter(|x| x["service_request_id"] == no).map(|x| (x["description"].clone(), x["status"].clone())).collect::<Vec<_>>()
    };
    assert_eq!(of(&a), [(json!("已派给承办单位办理"), json!("open")), (json!("热线中心已受理"), json!("open")), (json!("诉求已登记"), json!("open"))]);
    assert_eq!(of(&closed)[0], (json!("不予受理，已告知理由和可以采取的途径"), json!("closed")));
    assert!(of(&old).is_empty(), "outside the default window");
    assert!(u.as_array().unwrap().iter().all(|x| x["media_url"] == "" && x["updated_datetime"].as_str().unwrap().ends_with("+08:00")));
    let r = c.get(&format!("{BASE}/servicerequestupdates.xml?page_size=1")).await;
    xml_doc(&r, StatusCode::OK, "service_request_updates");
    assert_eq!(r.text.matches("<request_update>").count(), 1);
}

#[tokio::test]
async fn private_fields_never_appear() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let key = api_key(&app, "D-RX", &["hotline_intake"]).await;
    // A department's token, scoped to its unit, reading with its key changes nothing.
    let dept_key = api_key(&app, "D-ZJJ", &["hotline_intake", "case_read"]).await;

    // Over Open311, with the caller's name, phone and e-mail.
    let mut form = parking(&key, "Open311 来的违停");
    form.extend([("first_name", "秘密"), ("last_name", "欧阳"), ("phone", "13900001111"), ("email", "secret@example.org")]);
    let no1 = json_doc(&post(&mut c, "json", &form).await, StatusCode::CREATED)[0]["service_request_id"].as_str().unwrap().to_string();
    // Taken by an agent on the phone, confidential, then dispatched to 住建局.
    let mut agent = app.login("agent").await;
    let r = agent
        .post_json(
            "/api/v1/hotline/tickets",
            &json!({"channel": "phone", "caller_name": "司马隐名", "caller_phone": "13800002222", "category_code": "ZF-WYGL",
                    "address": "东湖镇翠苑小区7栋302室", "description": "物业私自停水，我家住翠苑小区7栋302室", "confidential": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id2 = r.json()["id"].as_i64().unwrap();
    let no2 = r.json()["case_no"].as_str().unwrap().to_string();
    let mut staff = app.login("dispatcher").await;
    staff.post_json(&format!("/api/v1/hotline/tickets/{id2}/steps/accept"), &json!({})).await;
    let zjj = org_id(&app, "D-ZJJ").await.to_string();
    let r = staff.post_json(&format!("/api/v1/hotline/tickets/{id2}/steps/dispatch"), &json!({"fields": {"org": zjj}})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // A mayor's-mailbox letter whose writer did not agree to publication.
    let r = agent
        .post_json(
            "/api/v1/hotline/tickets",
            &json!({"channel": "mailbox", "caller_name": "上官来信", "caller_phone": "13700003333", "category_code": "XX-SZXX",
                    "subject": "关于学区划分的建议", "description": "我的孩子在实验小学读书，身份证号11010519491231002X", "address": "西岭镇某村"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let no3 = r.json()["case_no"].as_str().unwrap().to_string();

    let secrets = [
        "秘密",
        "欧阳",
        "13900001111",
        "139****1111",
        "secret@example.org",
        "司马",
        "隐名",
        "13800002222",
        "138****2222",
        "翠苑",
        "私自",
        "上官",
        "13700003333",
        "137****3333",
        "实验小学",
        "11010519491231002X",
        "学区",
    ];
    let ids = format!("{no1},{no2},{no3}");
    let mut urls = Vec::new();
    for fmt in ["json", "xml"] {
        for path in [
            format!("requests.{fmt}"),
            format!("requests.{fmt}?service_request_id={ids}"),
            format!("requests.{fmt}?status=open&service_code=ZF-WYGL"),
            format!("requests/{no1}.{fmt}"),
            format!("requests/{no2}.{fmt}"),
            format!("requests/{no3}.{fmt}"),
            format!("tokens/{no2}.{fmt}"),
            format!("servicerequestupdates.{fmt}"),
            format!("services.{fmt}"),
            format!("discovery.{fmt}"),
        ] {
            urls.push(format!("{BASE}/{path}"));
            let sep = if path.contains('?') { '&' } else { '?' };
            urls.push(format!("{BASE}/{path}{sep}api_key={key}"));
            urls.push(format!("{BASE}/{path}{sep}api_key={dept_key}"));
        }
    }
    let mut seen = 0;
    for url in &urls {
        let r = c.get(url).await;
        assert_eq!(r.status, StatusCode::OK, "{url}: {}", r.text);
        for s in secrets {
            assert!(!r.contains(s), "{url} discloses {s:?}: {}", r.text);
        }
        seen += 1;
    }
    assert_eq!(seen, 60);
    // What the public does see of the confidential ticket: who handles it and how far it is.
    let two = json_doc(&c.get(&format!("{BASE}/requests/{no2}.json?api_key={dept_key}")).await, StatusCode::OK);
    assert_eq!(two[0]["agency_responsible"], "市住房和城乡建设局");
    assert_eq!((two[0]["address"].clone(), two[0]["lat"].clone()), (json!(""), Value::Null));
    assert_eq!(two[0]["description"], "诉求人要求保密，内容不予公开");
    let three = json_doc(&c.get(&format!("{BASE}/requests/{no3}.json")).await, StatusCode::OK);
    assert_eq!(three[0]["description"], "市长信箱来信，写信人未同意公开或尚未公开");
    // The non-confidential Open311 ticket shows its own description (it is the report itself).
    let one = json_doc(&c.get(&format!("{BASE}/requests/{no1}.json")).await, StatusCode::OK);
    assert_eq!(one[0]["description"], "Open311 来的违停");
}

/// POST an update (a citizen's follow-up) as a form to `{path}.{fmt}`.
async fn post_update(c: &mut Client, path: &str, fmt: &str, fields: &[(&str, &str)]) -> Response {
    let body = query(fields);
    c.send(Method::POST, &format!("{BASE}/{path}.{fmt}"), Some("application/x-www-form-urlencoded"), body.into_bytes(), &[]).await
}

/// What FixMyStreet posts for a comment on a report it sent.
fn fms_update<'a>(key: &'a str, no: &'a str, ext: &'a str, text: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("jurisdiction_id", "demo"),
        ("api_key", key),
        ("update_id_ext", ext),
        ("updated_datetime", "2026-05-01T08:00:00+08:00"),
        ("service_request_id", no),
        ("service_request_id_ext", "4711"),
        ("status", "OPEN"),
        ("email", "citizen@example.org"),
        ("first_name", "小明"),
        ("last_name", "王"),
        ("description", text),
        ("public_anonymity_required", "FALSE"),
        ("media_url", "https://fms.example/photo/4711.jpeg"),
    ]
}

fn update_id_of_xml(r: &Response, status: StatusCode) -> String {
    xml_doc(r, status, "service_request_updates");
    let start = r.text.find("<request_update><update_id>").unwrap_or_else(|| panic!("no update id: {}", r.text)) + "<request_update><update_id>".len();
    let id = &r.text[start..start + r.text[start..].find("</update_id></request_update>").unwrap()];
    assert!(id.parse::<i64>().is_ok(), "{}", r.text);
    id.to_string()
}

/// A citizen's follow-up posted by an Open311 client (FixMyStreet: `servicerequestupdates` or the
/// older `update`) becomes a 补充 on the ticket: on its timeline and its page for the handling
/// unit, once however often it is sent, refused for unknown or finished tickets, passed on from a
/// merged ticket to the one it was merged into; the public updates never show it.
#[tokio::test]
async fn citizens_updates_become_supplements() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let key = api_key(&app, "D-RX", &["hotline_intake"]).await;
    let a = create(&mut c, &key, "路灯不亮").await;
    let ida = case_id(&app, &a).await;
    // The ticket is with 住建局 when the citizen writes again.
    let mut staff = app.login("dispatcher").await;
    let zjj = org_id(&app, "D-ZJJ").await;
    for (step, body) in [("accept", json!({})), ("dispatch", json!({"fields": {"org": zjj.to_string()}}))] {
        let r = staff.post_json(&format!("/api/v1/hotline/tickets/{ida}/steps/{step}"), &body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    let version = fazhi::kernel::queries::get(&app.state.db, ida).await.unwrap().unwrap().version;

    // XML, as FixMyStreet reads it; the same update again is the same id and nothing new.
    let form = fms_update(&key, &a, "fms-101", "今晚路灯还是不亮，可以打我电话138 1234 5678");
    let first = update_id_of_xml(&post_update(&mut c, "servicerequestupdates", "xml", &form).await, StatusCode::CREATED);
    let again = update_id_of_xml(&post_update(&mut c, "servicerequestupdates", "xml", &form).await, StatusCode::OK);
    assert_eq!(first, again);
    // JSON: a list of one; the older clients' address too.
    let r = post_update(&mut c, "servicerequestupdates", "json", &fms_update(&key, &a, "fms-102", "灯杆也歪了")).await;
    let v = json_doc(&r, StatusCode::CREATED);
    assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
    let second = v[0]["update_id"].as_str().unwrap().to_string();
    assert_ne!(first, second);
    let third = update_id_of_xml(&post_update(&mut c, "update", "xml", &fms_update(&key, &a, "fms-103", "附近的也不亮了")).await, StatusCode::CREATED);
    let db = app.state.db.clone();
    let count = |sql: &'static str| {
        let db = db.clone();
        async move { fazhi::db::q(sql).bind(ida).fetch_i64(&db).await.unwrap() }
    };
    assert_eq!(count("SELECT COUNT(*) FROM hotline_supplements WHERE case_id = $1").await, 3);
    assert_eq!(count("SELECT COUNT(*) FROM events WHERE entity = 'case' AND entity_id = $1 AND action = 'supplement'").await, 3);
    let supplement_events: Vec<String> = fazhi::audit::timeline(&app.state.db, "case", ida)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "supplement")
        .map(|e| {
            assert_eq!(e.summary, "市民补充（Open311）");
            assert!(!e.changes.contains("13812345678") && !e.changes.contains("1234 5678") && !e.changes.contains("小明"), "{}", e.changes);
            e.seq.to_string()
        })
        .collect();
    assert_eq!(supplement_events, [first.clone(), second.clone(), third]);
    // Information only: the ticket's state and version are as they were; 住建局 is told.
    let case = fazhi::kernel::queries::get(&app.state.db, ida).await.unwrap().unwrap();
    assert_eq!((case.state.as_str(), case.version), ("dispatched", version));
    let told = fazhi::db::q("SELECT COUNT(*) FROM notifications WHERE org_id = $1 AND case_id = $2 AND kind = 'supplement'").bind(zjj).bind(ida);
    assert_eq!(told.fetch_i64(&app.state.db).await.unwrap(), 3);

    // The handling unit sees them on the ticket page, masked like the rest of the ticket.
    let mut unit = app.login("zjj_staff").await;
    let page = unit.get(&format!("/hotline/tickets/{ida}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.contains("市民补充（3）") && page.contains("今晚路灯还是不亮，可以打我电话138****5678") && page.contains("灯杆也歪了"), "{}", page.text);
    assert!(page.contains("王*") && page.contains("市民认为问题仍未解决") && page.contains("https://fms.example/photo/4711.jpeg"));
    assert!(!page.contains("1234 5678") && !page.contains("citizen@example.org"));
    assert!(page.contains("市民补充（Open311）"), "on the timeline");

    // The public updates are the government's steps only.
    let u = json_doc(&c.get(&format!("{BASE}/servicerequestupdates.json")).await, StatusCode::OK);
    assert!(u.as_array().unwrap().iter().all(|x| x["update_id"] != first.as_str() && x["update_id"] != second.as_str()), "{u}");
    assert!(!u.to_string().contains("路灯还是不亮"));
    let r = c.get(&format!("{BASE}/update.xml")).await;
    xml_doc(&r, StatusCode::OK, "service_request_updates");

    // Refused: unknown request 404, missing or weak key 403, bad fields 400 (all of them at once).
    let r = post_update(&mut c, "servicerequestupdates", "json", &fms_update(&key, "19990000001", "x-1", "补充")).await;
    assert_eq!(error_codes(&r, StatusCode::NOT_FOUND), ["request_not_found"]);
    xml_error(&post_update(&mut c, "update", "xml", &fms_update(&key, "19990000001", "x-1", "补充")).await, StatusCode::NOT_FOUND, "request_not_found");
    let no_key: Vec<_> = fms_update(&key, &a, "x-2", "补充").into_iter().filter(|(k, _)| *k != "api_key").collect();
    assert_eq!(error_codes(&post_update(&mut c, "servicerequestupdates", "json", &no_key).await, StatusCode::FORBIDDEN), ["api_key_missing"]);
    let reader = api_key(&app, "D-ZJJ", &["case_read"]).await;
    let r = post_update(&mut c, "servicerequestupdates", "json", &fms_update(&reader, &a, "x-3", "补充")).await;
    assert_eq!(error_codes(&r, StatusCode::FORBIDDEN), ["api_key_forbidden"]);
    let mut bad = fms_update(&key, &a, "x-4", "");
    for (k, v) in [("status", "not fixed!"), ("media_url", "javascript:alert(1)"), ("updated_datetime", "yesterday")] {
        bad.iter_mut().find(|(kk, _)| *kk == k).unwrap().1 = v;
    }
    let r = post_update(&mut c, "servicerequestupdates", "json", &bad).await;
    assert_eq!(error_codes(&r, StatusCode::BAD_REQUEST), ["required", "invalid_status", "invalid_media_url", "invalid_date"]);
    assert!(r.contains("description：请填写补充内容"), "{}", r.text);
    let no_id: Vec<_> = fms_update(&key, &a, "x-5", "补充").into_iter().filter(|(k, _)| *k != "service_request_id").collect();
    assert_eq!(error_codes(&post_update(&mut c, "servicerequestupdates", "json", &no_id).await, StatusCode::BAD_REQUEST), ["required"]);
    assert_eq!(count("SELECT COUNT(*) FROM hotline_supplements WHERE case_id = $1").await, 3, "nothing refused was kept");

    // A finished ticket takes no new supplement, but a repeat of one it took is still answered.
    let b = create(&mut c, &key, "另一处违停").await;
    let idb = case_id(&app, &b).await;
    let kept = update_id_of_xml(&post_update(&mut c, "servicerequestupdates", "xml", &fms_update(&key, &b, "fms-201", "车还停着")).await, StatusCode::CREATED);
    let r = staff
        .post_json(&format!("/api/v1/hotline/tickets/{idb}/steps/not_accept"), &json!({"reason": "属于民事纠纷", "fields": {"alt_route": "litigation"}}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let repeat = update_id_of_xml(&post_update(&mut c, "servicerequestupdates", "xml", &fms_update(&key, &b, "fms-201", "车还停着")).await, StatusCode::OK);
    assert_eq!(kept, repeat);
    let r = post_update(&mut c, "servicerequestupdates", "json", &fms_update(&key, &b, "fms-202", "车还停着")).await;
    assert_eq!(error_codes(&r, StatusCode::BAD_REQUEST), ["request_closed"]);
    assert!(r.contains("不予受理") && r.contains("请提交新的诉求"), "{}", r.text);
    xml_error(&post_update(&mut c, "update", "xml", &fms_update(&key, &b, "fms-203", "车还停着")).await, StatusCode::BAD_REQUEST, "request_closed");

    // A merged ticket passes it on to the ticket it was merged into.
    let (dup, main) = (create(&mut c, &key, "违停重复反映").await, create(&mut c, &key, "违停首次反映").await);
    let (iddup, idmain) = (case_id(&app, &dup).await, case_id(&app, &main).await);
    let mut agent = app.login("agent").await;
    let r = agent.post_json(&format!("/api/v1/hotline/tickets/{iddup}/steps/merge"), &json!({"fields": {"merge_into": main}})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = post_update(&mut c, "servicerequestupdates", "json", &fms_update(&key, &dup, "fms-301", "还是堵着")).await;
    let passed = json_doc(&r, StatusCode::CREATED)[0]["update_id"].as_str().unwrap().to_string();
    let on: i64 = fazhi::db::q("SELECT case_id FROM hotline_supplements WHERE event_seq = $1")
        .bind(passed.parse::<i64>().unwrap())
        .fetch_i64(&app.state.db)
        .await
        .unwrap();
    assert_eq!(on, idmain);
    let events = fazhi::audit::timeline(&app.state.db, "case", idmain).await.unwrap();
    assert!(events.iter().any(|e| e.action == "supplement" && e.summary.contains(&format!("经已合并的工单 {dup} 转来"))));
    let r = post_update(&mut c, "servicerequestupdates", "json", &fms_update(&key, &dup, "fms-301", "还是堵着")).await;
    assert_eq!(json_doc(&r, StatusCode::OK)[0]["update_id"], passed.as_str(), "a repeat through the merged ticket");
}
