//! The citizens' portal: phone verification, filing with photos, repeat-safe submits, precise
//! errors with nothing written, tracking without probing, rating, my tickets, published letters.

use axum::http::StatusCode;
use futures::FutureExt;

use crate::common::*;
use fazhi::db::q;

const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01];

/// The demo code shown on the page after sending.
pub(crate) fn demo_code(html: &str) -> String {
    let marker = "本次验证码是 <strong class=\"num\">";
    let i = html.find(marker).unwrap_or_else(|| panic!("no demo code on the page: {html}")) + marker.len();
    html[i..i + 6].to_string()
}

/// A hidden field's value in a page.
pub(crate) fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let i = html.find(&marker).unwrap_or_else(|| panic!("no field {name}")) + marker.len();
    html[i..].split('"').next().unwrap().to_string()
}

/// A client whose phone is verified.
pub(crate) async fn citizen(app: &TestApp, phone: &str) -> Client {
    let mut c = app.client();
    let r = c.post_form("/portal/login/send", &[("phone", phone), ("next", "/portal/mine")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let code = demo_code(&r.text);
    let r = c.post_form("/portal/login/verify", &[("phone", phone), ("code", &code), ("next", "/portal/mine")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    c
}

pub(crate) async fn category_id(app: &TestApp, code: &str) -> i64 {
    fazhi::hotline::queries::category_by_code(&app.state.db, code).await.unwrap().unwrap().id
}

/// A change made directly in the database (what staff pages do elsewhere).
pub(crate) async fn write(app: &TestApp, sql: &'static str, id: Option<i64>) {
    app.state
        .db
        .write(move |tx| {
            async move {
                let mut query = q(sql);
                if let Some(id) = id {
                    query = query.bind(id);
                }
                query.execute(&mut *tx).await?;
                Ok(())
            }
            .boxed()
        })
        .await
        .unwrap();
}

pub(crate) async fn count(app: &TestApp, sql: &str) -> i64 {
    q(sql.to_string()).fetch_i64(&app.state.db).await.unwrap()
}

/// File a request through the form; returns the ticket number.
pub(crate) async fn report(app: &TestApp, c: &mut Client, description: &str) -> String {
    let form = c.get("/portal/report").await;
    assert_eq!(form.status, StatusCode::OK);
    let key = hidden(&form.text, "idempotency_key");
    let cat = category_id(app, "ZF-WYGL").await.to_string();
    let town = org_id(app, "T-DH").await.to_string();
    let r = c
        .post_multipart(
            "/portal/report",
            &[("idempotency_key", &key), ("category_id", &cat), ("town_id", &town), ("description", description), ("wants_reply", "1")],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    r.location().strip_prefix("/portal/done/").expect("done page").to_string()
}

#[tokio::test]
async fn phone_verification_with_one_time_codes() {
    let app = TestApp::new().await;
    let mut c = app.client();
    // Pages that need a verified phone send there first, and come back after.
    let r = c.get("/portal/report").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/portal/login?next=/portal/report");
    let r = c.get("/portal/login?next=/portal/report").await;
    assert!(r.contains("验证手机号") && r.contains("value=\"/portal/report\""));
    // A bad number is refused on its field, the typed value kept.
    let r = c.post_form("/portal/login/send", &[("phone", "1381234"), ("next", "/portal/report")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("请填写正确的 11 位手机号码") && r.contains("value=\"1381234\""), "{}", r.text);
    let r = c.post_form("/portal/login/send", &[("phone", ""), ("next", "/portal/report")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("请填写手机号码"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM otp_codes").await, 0);
    // The code is sent (demo: shown in a marked box) to the masked number.
    let r = c.post_form("/portal/login/send", &[("phone", "139 0000 0001"), ("next", "/portal/report")]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.contains("139****0001") && r.contains("演示"));
    let code = demo_code(&r.text);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sms_outbox WHERE phone = '13900000001'").await, 1);
    // Sending again at once sends nothing; the code already sent stays valid, and the demo
    // shows it again.
    let r = c.post_form("/portal/login/send", &[("phone", "13900000001"), ("next", "/portal/report")]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.contains("秒后再试") && r.contains("仍然有效"), "{}", r.text);
    assert_eq!(demo_code(&r.text), code, "the demo shows the code again");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sms_outbox WHERE phone = '13900000001'").await, 1);
    // A malformed or wrong code is refused on its field.
    let r = c.post_form("/portal/login/verify", &[("phone", "13900000001"), ("code", "12ab"), ("next", "/portal/report")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("验证码是 6 位数字"));
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = c.post_form("/portal/login/verify", &[("phone", "13900000001"), ("code", wrong), ("next", "/portal/report")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("验证码不正确，还可尝试 4 次"), "{}", r.text);
    assert!(!c.cookies.contains_key("fazhi_sid"));
    // The right code opens a citizen session and goes back to the form.
    let before = c.token().await;
    let r = c.post_form("/portal/login/verify", &[("phone", "13900000001"), ("code", &code), ("next", "/portal/report")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/portal/report");
    let set: Vec<String> = r.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
    assert!(set.iter().any(|s| s.starts_with("fazhi_sid=") && s.contains("HttpOnly") && s.contains("SameSite=Lax")), "{set:?}");
    assert_ne!(c.token().await, before, "the CSRF token is rotated");
    let r = c.get("/portal/report").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.contains("139****0001") && !r.contains("13900000001"), "only the masked number is shown");
    // A code is used once.
    let mut d = app.client();
    let r = d.post_form("/portal/login/verify", &[("phone", "13900000001"), ("code", &code), ("next", "/portal")]).await;
    assert!(r.contains("验证码已失效"));
    // An expired code is refused.
    let r = d.post_form("/portal/login/send", &[("phone", "13900000009"), ("next", "//evil.example/")]).await;
    let code9 = demo_code(&r.text);
    assert!(r.contains("value=\"/portal\""), "a foreign next is dropped");
    write(&app, "UPDATE otp_codes SET expires_at = 1 WHERE phone = '13900000009'", None).await;
    let r = d.post_form("/portal/login/verify", &[("phone", "13900000009"), ("code", &code9), ("next", "/portal")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("验证码已失效，请重新获取"));
    // Logging out ends the session.
    let r = c.post_form("/portal/logout", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(c.get("/portal/mine").await.status, StatusCode::SEE_OTHER);
    // Every portal form needs the CSRF token.
    let r = c.post_form_no_csrf("/portal/login/send", &[("phone", "13900000002")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn report_with_photo_and_repeat_safe_submit() {
    let app = TestApp::new().await;
    let mut c = citizen(&app, "13900000002").await;
    let form = c.get("/portal/report").await;
    assert!(form.contains("诉求类别") && form.contains("物业管理：物业服务") && form.contains("东湖镇"));
    assert!(!form.contains("市长信箱来信"), "letters have their own form");
    let key = hidden(&form.text, "idempotency_key");
    let cat = category_id(&app, "ZF-WYGL").await.to_string();
    let town = org_id(&app, "T-DH").await.to_string();
    let village = org_id(&app, "T-DH-V01").await.to_string();
    let fields = [
        ("idempotency_key", key.as_str()),
        ("category_id", cat.as_str()),
        ("town_id", town.as_str()),
        ("village_id", village.as_str()),
        ("address", "幸福小区3栋"),
        ("description", "小区电梯停运三天，物业不修。"),
        ("wants_reply", "1"),
        ("confidential", "1"),
    ];
    let r = c.post_multipart("/portal/report", &fields, &[("photos", "elevator.jpg", JPEG)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let done = r.location();
    let no = done.strip_prefix("/portal/done/").unwrap().to_string();
    let r = c.get(&done).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.contains(&format!("data-copy=\"{no}\"")) && r.contains("ticket-no") && r.contains("5 个工作日") && r.contains("照片 1 张"), "{}", r.text);
    // The ticket exists, filed by the verified phone on the web channel, with its photo.
    let case = fazhi::kernel::queries::by_number(&app.state.db, &no).await.unwrap().unwrap();
    let t = fazhi::hotline::queries::ticket(&app.state.db, case.id).await.unwrap().unwrap();
    assert_eq!(t.caller_phone.as_deref(), Some("13900000002"));
    assert_eq!(t.channel, "web");
    assert!(t.confidential && t.wants_reply);
    let files = fazhi::files::list(&app.state.db, "case", case.id).await.unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!((files[0].purpose.as_str(), files[0].mime.as_str()), ("photo", "image/jpeg"));
    // The same form sent again (even edited) is the same ticket, with nothing added.
    let mut again = fields;
    again[5] = ("description", "小区电梯停运三天，物业不修！！");
    let r = c.post_multipart("/portal/report", &again, &[("photos", "elevator.jpg", JPEG)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), done);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM hotline_tickets").await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM attachments").await, 1);
    // The filer sees the photo; nobody else does, and nobody else sees the done page.
    let r = c.get(&format!("/portal/track/{no}")).await;
    assert!(r.contains("小区电梯停运三天") && r.contains(&format!("/portal/photos/{}", files[0].id)));
    let r = c.get(&format!("/portal/photos/{}", files[0].id)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers.get("content-type").unwrap(), "image/jpeg");
    let mut other = citizen(&app, "13900000003").await;
    assert_eq!(other.get(&format!("/portal/photos/{}", files[0].id)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.get(&done).await.status, StatusCode::NOT_FOUND);
    // A key from someone else's form does not reach their ticket.
    let r = other.post_multipart("/portal/report", &fields, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_ne!(r.location(), done);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM hotline_tickets").await, 2);
}

type Fields<'a> = Vec<(&'a str, &'a str)>;
type Files<'a> = Vec<(&'a str, &'a str, &'a [u8])>;

#[tokio::test]
async fn bad_inputs_are_refused_on_their_fields_and_nothing_is_written() {
    let app = TestApp::new().await;
    let mut c = citizen(&app, "13900000004").await;
    let key = hidden(&c.get("/portal/report").await.text, "idempotency_key");
    let cat = category_id(&app, "CG-SRHJ").await.to_string();
    let dh = org_id(&app, "T-DH").await.to_string();
    let xl_village = org_id(&app, "T-XL-V01").await.to_string();
    let long = "字".repeat(4001);
    let cases: Vec<(Fields, Files, &str)> = vec![
        (vec![("category_id", &cat), ("town_id", &dh), ("description", "  "), ("address", "保留的地址")], vec![], "请填写诉求内容"),
        (
            vec![("category_id", &cat), ("town_id", &dh), ("description", &long), ("address", "保留的地址")],
            vec![],
            "诉求内容不能超过 4000 个字（现有 4001 个字）",
        ),
        (vec![("category_id", "999999"), ("town_id", &dh), ("description", "垃圾没人清运"), ("address", "保留的地址")], vec![], "诉求类别不存在"),
        (vec![("category_id", "abc"), ("town_id", &dh), ("description", "垃圾没人清运"), ("address", "保留的地址")], vec![], "诉求类别不存在"),
        (vec![("category_id", "")], vec![], "请选择诉求类别"),
        (
            vec![("category_id", &cat), ("town_id", &dh), ("village_id", &xl_village), ("description", "垃圾没人清运"), ("address", "保留的地址")],
            vec![],
            "不属于所选乡镇",
        ),
        (vec![("category_id", &cat), ("description", "垃圾没人清运")], vec![], "请选择诉求发生的乡镇（园区），或填写地址"),
        (
            vec![("category_id", &cat), ("town_id", &dh), ("description", "垃圾没人清运"), ("address", "保留的地址")],
            vec![("photos", "report.pdf", b"%PDF-1.4 not a photo")],
            "不是照片",
        ),
        (
            vec![("category_id", &cat), ("town_id", &dh), ("description", ""), ("address", "保留的地址")],
            vec![
                ("photos", "a.jpg", JPEG),
                ("photos", "b.jpg", JPEG),
                ("photos", "c.jpg", JPEG),
                ("photos", "d.jpg", JPEG),
                ("photos", "e.jpg", JPEG),
                ("photos", "f.jpg", JPEG),
            ],
            "最多上传 5 张照片（您选择了 6 张）",
        ),
    ];
    for (mut fields, files, message) in cases {
        fields.push(("idempotency_key", &key));
        let r = c.post_multipart("/portal/report", &fields, &files).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{message}: {}", r.text);
        assert!(r.contains(message), "expected “{message}” in {}", r.text);
        assert!(r.contains("class=\"err\""), "the message sits on its field");
        if fields.iter().any(|(k, _)| *k == "address") {
            assert!(r.contains("value=\"保留的地址\""), "values are kept");
        }
    }
    // Several problems at once are all reported.
    let r = c.post_multipart("/portal/report", &[("description", ""), ("idempotency_key", &key)], &[("photos", "x.txt", b"hello")]).await;
    assert!(r.contains("请填写诉求内容") && r.contains("请选择诉求类别") && r.contains("不是照片"), "{}", r.text);
    // Illegal parking needs the plate: the category's extra field.
    let wt = category_id(&app, "JT-WT").await.to_string();
    let r =
        c.post_multipart("/portal/report", &[("category_id", &wt), ("town_id", &dh), ("description", "车堵在消防通道"), ("idempotency_key", &key)], &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("请填写“车牌号”"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM hotline_tickets").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM attachments").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM cases").await, 0);
    // With the plate it goes through.
    let plate = format!("a{wt}.plate");
    let r = c
        .post_multipart(
            "/portal/report",
            &[("category_id", &wt), ("town_id", &dh), ("description", "车堵在消防通道"), (&plate, "苏K12345"), ("idempotency_key", &key)],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    // A letter without a title or body.
    let lk = hidden(&c.get("/portal/letter").await.text, "idempotency_key");
    let r = c.post_form("/portal/letter", &[("subject", ""), ("description", ""), ("publish_consent", "1"), ("idempotency_key", &lk)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("请填写信件标题") && r.contains("请填写来信内容"), "{}", r.text);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM hotline_tickets").await, 1);
}

#[tokio::test]
async fn tracking_by_number_and_phone_cannot_probe_numbers() {
    let app = TestApp::new().await;
    let mut c = citizen(&app, "13900000005").await;
    let no = report(&app, &mut c, "路灯坏了一个月").await;
    let mut anon = app.client();
    let r = anon.post_form("/portal/track", &[("no", &no), ("phone", "139 0000 0005")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.contains("已登记，等待受理") && r.contains("诉求已登记") && r.contains("139****0005"));
    assert!(!r.contains("路灯坏了一个月"), "what was written is shown only to the verified filer");
    assert!(!r.contains("13900000005"));
    // A wrong phone and an unknown number get the very same answer.
    let wrong = anon.post_form("/portal/track", &[("no", &no), ("phone", "13800000000")]).await;
    let unknown_no = "2099999999";
    let unknown = anon.post_form("/portal/track", &[("no", unknown_no), ("phone", "13800000000")]).await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(wrong.contains("没有找到该工单"));
    assert_eq!(wrong.text.replace(&no, "N"), unknown.text.replace(unknown_no, "N"));
    let bad = anon.post_form("/portal/track", &[("no", &no), ("phone", "not-a-phone")]).await;
    assert_eq!(bad.status, StatusCode::NOT_FOUND);
    let r = anon.post_form("/portal/track", &[("no", ""), ("phone", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("请填写工单编号") && r.contains("请填写登记时留的电话号码"));
    // Another verified citizen gets the same not-found for someone else's number.
    let mut other = citizen(&app, "13900000006").await;
    let r = other.get(&format!("/portal/track/{no}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.contains("没有找到该工单"));
    let r = other.post_form(&format!("/portal/track/{no}/rate"), &[("evaluation", "satisfied")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// A staff step through the staff pages.
pub(crate) async fn staff_step(staff: &mut Client, id: i64, action: &str, fields: &[(&str, &str)]) {
    let r = staff.post_form(&format!("/hotline/tickets/{id}/step/{action}"), fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{action}: {}", r.text);
}

#[tokio::test]
async fn rating_flow_end_to_end() {
    let app = TestApp::new().await;
    let mut c = citizen(&app, "13900000007").await;
    let no = report(&app, &mut c, "楼道灯坏了，物业不修").await;
    let id = fazhi::kernel::queries::by_number(&app.state.db, &no).await.unwrap().unwrap().id;
    let zjj = org_id(&app, "D-ZJJ").await.to_string();
    let mut dispatcher = app.login("dispatcher").await;
    let mut zjj_staff = app.login("zjj_staff").await;
    staff_step(&mut dispatcher, id, "accept", &[]).await;
    staff_step(&mut dispatcher, id, "dispatch", &[("org", &zjj)]).await;
    staff_step(&mut zjj_staff, id, "sign", &[]).await;
    staff_step(&mut zjj_staff, id, "reply", &[("reply", "已督促物业更换楼道灯。")]).await;
    // Before the review the reply is not shown and no rating is offered.
    let r = c.get(&format!("/portal/track/{no}")).await;
    assert!(!r.contains("已督促物业更换楼道灯") && !r.contains("name=\"evaluation\""));
    staff_step(&mut dispatcher, id, "review_pass", &[]).await;
    // The filer sees the reply and the rating form; an anonymous lookup sees no form.
    let r = c.get(&format!("/portal/track/{no}")).await;
    assert!(r.contains("已答复，请您评价") && r.contains("已督促物业更换楼道灯") && r.contains("name=\"evaluation\""), "{}", r.text);
    let r = app.client().post_form("/portal/track", &[("no", &no), ("phone", "13900000007")]).await;
    assert!(r.contains("已督促物业更换楼道灯") && !r.contains("name=\"evaluation\"") && r.contains("后即可评价"));
    // 不满意 needs the reason: refused with the rule's basis, the choice kept.
    let r = c.post_form(&format!("/portal/track/{no}/rate"), &[("evaluation", "dissatisfied"), ("comment", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("请填写不满意的原因") && r.contains("依据：") && r.contains("“回访评价”"), "{}", r.text);
    assert!(r.contains("value=\"dissatisfied\" checked"));
    let r = c.post_form(&format!("/portal/track/{no}/rate"), &[("comment", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("请选择评价结果"));
    let (state,): (String,) = q("SELECT state FROM cases WHERE id = $1").bind(id).fetch_one(&app.state.db).await.unwrap();
    assert_eq!(state, "callback");
    // 不满意 with the reason sends it back to be handled again.
    let r = c.post_form(&format!("/portal/track/{no}/rate"), &[("evaluation", "dissatisfied"), ("comment", "灯还是不亮")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let (state,): (String,) = q("SELECT state FROM cases WHERE id = $1").bind(id).fetch_one(&app.state.db).await.unwrap();
    assert_eq!(state, "handling");
    let r = c.get(&format!("/portal/track/{no}")).await;
    assert!(r.contains("因不满意退回重新办理") && r.contains("承办单位正在办理"));
    // Handled again, then 满意 closes it.
    staff_step(&mut zjj_staff, id, "reply", &[("reply", "已更换灯具并复查。")]).await;
    staff_step(&mut dispatcher, id, "review_pass", &[]).await;
    let r = c.post_form(&format!("/portal/track/{no}/rate"), &[("evaluation", "satisfied")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let t = fazhi::hotline::queries::ticket(&app.state.db, id).await.unwrap().unwrap();
    assert_eq!((t.evaluation.as_deref(), t.evaluation_by.as_deref()), (Some("satisfied"), Some("citizen")));
    let r = c.get(&format!("/portal/track/{no}")).await;
    assert!(r.contains("已办结") && r.contains("已评价，办结") && !r.contains("name=\"evaluation\""));
    // Rating a closed ticket again is refused with the reason.
    let r = c.post_form(&format!("/portal/track/{no}/rate"), &[("evaluation", "satisfied")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn mine_lists_only_own_tickets() {
    let app = TestApp::new().await;
    let mut a = citizen(&app, "13900000010").await;
    let mut b = citizen(&app, "13900000011").await;
    let a1 = report(&app, &mut a, "第一件事").await;
    let a2 = report(&app, &mut a, "第二件事").await;
    let a3 = report(&app, &mut a, "第三件事").await;
    let b1 = report(&app, &mut b, "别人的事").await;
    let r = a.get("/portal/mine").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.contains(&a1) && r.contains(&a2) && r.contains(&a3) && !r.contains(&b1) && !r.contains("别人的事"));
    assert!(r.text.find(&a3).unwrap() < r.text.find(&a1).unwrap(), "newest first");
    assert!(r.contains("139****0010") && !r.contains("13900000010"));
    let r = a.get("/portal/mine?per=2").await;
    assert!(r.contains("共 3 条") && r.contains("page=2") && !r.contains(&a1));
    let r = a.get("/portal/mine?per=2&page=2").await;
    assert!(r.contains(&a1) && !r.contains(&a3));
    let r = b.get("/portal/mine").await;
    assert!(r.contains(&b1) && !r.contains(&a1));
    // Not verified: to the phone check.
    let r = app.client().get("/portal/mine").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/portal/login?next=/portal/mine");
}

#[tokio::test]
async fn letters_to_the_mayor_and_only_published_ones_shown() {
    let app = TestApp::new().await;
    let mut c = citizen(&app, "13900000012").await;
    // An empty letter: the errors name the fields as the form does, in its order; it is 提交, not 寄出.
    let key = hidden(&c.get("/portal/letter").await.text, "idempotency_key");
    let r = c.post_form("/portal/letter", &[("subject", ""), ("description", ""), ("publish_consent", "0"), ("idempotency_key", &key)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("还没有提交") && r.contains(">提交</button>") && !r.contains("寄出"), "{}", r.text);
    let (a, b) = (r.text.find("请填写信件标题").unwrap(), r.text.find("请填写来信内容").unwrap());
    assert!(a < b, "{}", r.text);
    let mut numbers = Vec::new();
    for (subject, consent) in [("建议增开公交线路", "1"), ("关于学校门口交通", "0")] {
        let key = hidden(&c.get("/portal/letter").await.text, "idempotency_key");
        let r = c
            .post_form(
                "/portal/letter",
                &[("subject", subject), ("description", &format!("{subject}，详情见信。")), ("publish_consent", consent), ("idempotency_key", &key)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        let no = r.location().strip_prefix("/portal/done/").unwrap().to_string();
        let r = c.get(&format!("/portal/done/{no}")).await;
        assert!(r.contains("来信已提交") && r.contains("10 个工作日"), "{}", r.text);
        numbers.push(no);
    }
    let mailbox = category_id(&app, "XX-SZXX").await;
    let mut ids = Vec::new();
    for (no, consent) in numbers.iter().zip([true, false]) {
        let case = fazhi::kernel::queries::by_number(&app.state.db, no).await.unwrap().unwrap();
        let t = fazhi::hotline::queries::ticket(&app.state.db, case.id).await.unwrap().unwrap();
        assert_eq!((t.channel.as_str(), t.category_id, t.publish_consent), ("mailbox", Some(mailbox), consent));
        assert_eq!(case.title, t.subject.clone().unwrap());
        ids.push(case.id);
    }
    // Staff publish the first (masked texts); the second stays private.
    write(&app, "UPDATE hotline_tickets SET published = TRUE, published_at = 1767225600000, publish_subject = '建议增开公交线路', publish_body = '来信人138****5678建议增开公交线路。', publish_reply = '已研究，明年开通。' WHERE case_id = $1", Some(ids[0])).await;
    let mut anon = app.client();
    let r = anon.get("/portal/letters").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.contains("建议增开公交线路") && !r.contains("关于学校门口交通"), "{}", r.text);
    let r = anon.get(&format!("/portal/letters/{}", ids[0])).await;
    assert!(r.contains("来信人138****5678建议增开公交线路") && r.contains("已研究，明年开通"));
    assert!(!r.contains(&numbers[0]), "the ticket number is not published");
    assert_eq!(anon.get(&format!("/portal/letters/{}", ids[1])).await.status, StatusCode::NOT_FOUND);
    // A published web ticket is not a letter.
    assert_eq!(anon.get("/portal/letters/999999").await.status, StatusCode::NOT_FOUND);
    // The home page states the time limits with the city's own rules as their basis.
    let r = anon.get("/portal").await;
    assert!(r.contains("5 个工作日") && r.contains("10 个工作日") && r.contains("12345政务服务便民热线工作规范》“办理时限”"), "{}", r.text);
}
