//! Issue 10's security items: redirects after login, CSRF bound to the session, throttles and
//! lockout, the admin's view of locks, `/metrics`, error shapes, caching, the root address.

use axum::http::StatusCode;

use crate::common::*;

#[tokio::test]
async fn next_after_login_stays_on_this_site() {
    let app = TestApp::new().await;
    let mut c = app.client();
    // A tab after the first slash reads as `//evil.example` in a browser.
    let r = c.get("/login?next=/%09/evil.example").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.contains("name=\"next\" value=\"/\""), "{}", r.text);
    let r = c.post_form("/login", &[("username", "zjj_staff"), ("password", PASSWORD), ("next", "/\t/evil.example")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/");
    // A newline used to make the redirect header invalid: a 500 after a successful login.
    let mut d = app.client();
    let r = d.post_form("/login", &[("username", "zjj_staff"), ("password", PASSWORD), ("next", "/hotline\r\nSet-Cookie: x=1")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(r.location(), "/");
    // A Chinese query survives, encoded.
    let mut e = app.client();
    let r = e.post_form("/login", &[("username", "zjj_staff"), ("password", PASSWORD), ("next", "/disclosure/search?q=低保")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(r.location(), "/disclosure/search?q=%E4%BD%8E%E4%BF%9D");
    // The portal's phone check keeps to the portal the same way.
    let mut p = app.client();
    let r = p.get("/portal/login?next=/portal/%09/evil.example").await;
    assert!(r.contains("name=\"next\" value=\"/portal\""), "{}", r.text);
    let r = p.post_form("/portal/login/send", &[("phone", "13900000031"), ("next", "/portal/\n/evil.example")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.contains("name=\"next\" value=\"/portal\""), "{}", r.text);
}

/// Post a form with a cookie and token of the caller's choosing.
async fn post_with_pair(c: &mut Client, path: &str, cookie: &str, token: &str, fields: &[(&str, &str)]) -> Response {
    c.cookies.insert("fazhi_csrf".into(), cookie.to_string());
    let mut all: Vec<(String, String)> = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    all.push(("_csrf".into(), token.to_string()));
    c.send(axum::http::Method::POST, path, Some("application/x-www-form-urlencoded"), encode(&all).into_bytes(), &[]).await
}

#[tokio::test]
async fn csrf_tokens_chosen_by_an_attacker_are_refused() {
    let app = TestApp::new().await;
    // Without a session: a made-up cookie and the same made-up token (the double submit an
    // attacker can plant) is refused, and the server replaces the cookie with one it signed.
    let mut c = app.client();
    let made_up = "t".repeat(40);
    let r = post_with_pair(&mut c, "/portal/login/send", &made_up, &made_up, &[("phone", "13900000041")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(r.contains("页面已过期") && r.contains("csrf_failed"), "{}", r.text);
    let r = post_with_pair(&mut c, "/login", &made_up, &made_up, &[("username", "admin"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!c.cookies.contains_key("fazhi_sid"));
    let r = c.get("/portal/login").await;
    let issued = r.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).find(|s| s.starts_with("fazhi_csrf=")).expect("a new cookie");
    assert!(issued.contains("HttpOnly") && issued.contains("SameSite=Strict"), "{issued}");
    assert!(!issued.contains(&made_up));
    // The token on the page goes with the server's cookie only.
    let token = c.token().await;
    assert_ne!(token, c.cookies["fazhi_csrf"], "the page does not show the cookie");
    let r = c.post_form("/portal/login/send", &[("phone", "13900000041")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // With a staff session: a chosen cookie and token do not count either, nor does the token of
    // another session (the attacker's own), nor the pre-session token.
    let mut victim = app.login("admin").await;
    let mut attacker = app.login("zjj_staff").await;
    let theirs = attacker.token().await;
    let org = [("code", "X-CSRF"), ("name", "伪造请求局"), ("kind", "department"), ("parent_code", "SFS"), ("active", "1")];
    let r = post_with_pair(&mut victim, "/admin/orgs", &made_up, &made_up, &org).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let cookie = victim.cookies["fazhi_csrf"].clone();
    let r = post_with_pair(&mut victim, "/admin/orgs", &cookie, &theirs, &org).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let n = fazhi::db::q("SELECT COUNT(*) FROM orgs WHERE code = 'X-CSRF'").fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(n, 0, "nothing was written");
    // The session's own token works; after logout it is worthless.
    let mine = victim.token().await;
    assert_ne!(mine, theirs);
    let r = victim.post_form("/admin/orgs", &org).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    victim.post_form("/logout", &[]).await;
    let cookie = victim.cookies["fazhi_csrf"].clone();
    let r = post_with_pair(&mut victim, "/portal/login/send", &cookie, &mine, &[("phone", "13900000042")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn api_writes_from_a_browser_session_need_the_sessions_token() {
    let app = TestApp::new().await;
    let mut c = app.login("agent").await;
    let body = serde_json::json!({"caller_phone": "13912345678", "address": "东湖镇幸福路 1 号", "category_code": "ZF-WYGL", "description": "楼道灯坏了"});
    // The cookie's value in the header (the old double submit) is not the session's token.
    let cookie = c.cookies.get("fazhi_csrf").cloned().unwrap_or_default();
    let r = c
        .send(axum::http::Method::POST, "/api/v1/hotline/tickets", Some("application/json"), body.to_string().into_bytes(), &[("x-csrf-token", &cookie)])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(r.json()["code"], "csrf_failed");
    let r = c.post_json("/api/v1/hotline/tickets", &body).await;
    assert!(r.status.is_success(), "{}", r.text);
}

#[tokio::test]
async fn no_url_carries_the_csrf_token() {
    let app = TestApp::new().await;
    let mut admin = app.login("admin").await;
    let token = admin.token().await;
    // A token in the query string no longer counts.
    let r = admin
        .send(axum::http::Method::POST, &format!("/admin/orgs?_csrf={token}"), Some("application/x-www-form-urlencoded"), b"code=X-Q&name=x".to_vec(), &[])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Every form that uploads files carries it in a field, so no address bar shows it.
    let mut pages = vec![admin.get("/admin/orgs").await, admin.get("/admin/calendar").await];
    let mut dispatcher = app.login("dispatcher").await;
    pages.push(dispatcher.get("/hotline/import").await);
    let mut zjj = app.login("zjj_staff").await;
    pages.push(zjj.get("/disclosure/requests/new").await);
    pages.push(zjj.get("/disclosure/publications/new").await);
    for p in &pages {
        assert_eq!(p.status, StatusCode::OK, "{}", p.text);
        assert!(p.contains("multipart/form-data"), "{}", p.text);
        assert!(!p.contains("_csrf="), "a token in a URL: {}", p.text);
    }
}

/// Ask for a code for `phone`.
async fn send_code(c: &mut Client, phone: &str) -> Response {
    c.post_form("/portal/login/send", &[("phone", phone), ("next", "/portal")]).await
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    fazhi::db::q(sql.to_string()).fetch_i64(&app.state.db).await.unwrap()
}

/// A change made directly in the database, about one client address (`$1`).
async fn exec(app: &TestApp, sql: String, addr: &str) {
    let addr = addr.to_string();
    app.state
        .db
        .write(move |tx| {
            Box::pin(async move {
                fazhi::db::q(sql).bind(addr).execute(tx).await?;
                Ok(())
            })
        })
        .await
        .unwrap();
}

/// Move an address's last code back in time, as if `secs` had passed.
async fn age_sender(app: &TestApp, addr: &str, secs: i64) {
    exec(app, format!("UPDATE otp_senders SET last_sent_at = last_sent_at - {} WHERE addr = $1", secs * 1000), addr).await;
}

#[tokio::test]
async fn one_time_codes_slow_down_per_address() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let addr = c.peer.unwrap().ip().to_string();
    // A few codes go out at once, to different numbers.
    for i in 0..5 {
        let r = send_code(&mut c, &format!("1390000010{i}")).await;
        assert_eq!(r.status, StatusCode::OK, "code {}: {}", i + 1, r.text);
    }
    // Then the address waits, told in Chinese until when; an X-Forwarded-For from an untrusted
    // peer changes nothing.
    let token = c.token().await;
    let body = encode(&[("phone".into(), "13900000105".into()), ("_csrf".into(), token)]);
    let r = c
        .send(
            axum::http::Method::POST,
            "/portal/login/send",
            Some("application/x-www-form-urlencoded"),
            body.into_bytes(),
            &[("x-forwarded-for", "198.51.100.7")],
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    assert!(r.contains("获取验证码过于频繁") && r.contains("之后再试") && r.contains("还需约 30 秒"), "{}", r.text);
    assert_eq!(r.headers.get("retry-after").unwrap(), "30");
    assert!(r.contains("value=\"13900000105\""), "the number typed is kept");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM otp_codes WHERE phone = '13900000105'").await, 0, "no code was sent");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sms_outbox").await, 5);
    // Another address is not slowed down.
    let mut other = app.client();
    assert_eq!(send_code(&mut other, "13900000106").await.status, StatusCode::OK);
    // After the wait one more goes; the next wait is twice as long.
    age_sender(&app, &addr, 31).await;
    assert_eq!(send_code(&mut c, "13900000105").await.status, StatusCode::OK);
    let r = send_code(&mut c, "13900000107").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.contains("还需约 1 分钟"), "{}", r.text);
    // An hour of quiet starts afresh.
    age_sender(&app, &addr, 3600).await;
    assert_eq!(send_code(&mut c, "13900000107").await.status, StatusCode::OK);
    // Requests with no known address share one allowance rather than escaping it.
    let (mut x, mut y) = (app.client(), app.client());
    x.peer = None;
    y.peer = None;
    for i in 0..5 {
        assert_eq!(send_code(&mut x, &format!("1390000020{i}")).await.status, StatusCode::OK);
    }
    assert_eq!(send_code(&mut y, "13900000210").await.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn wrong_password(c: &mut Client, username: &str) -> Response {
    c.post_form("/login", &[("username", username), ("password", "not-the-password-9")]).await
}

#[tokio::test]
async fn wrong_passwords_lock_one_address_out_of_one_account_and_admins_lift_it() {
    let app = TestApp::new().await;
    let mut attacker = app.client();
    let from = attacker.peer.unwrap().ip().to_string();
    for _ in 0..5 {
        assert_eq!(wrong_password(&mut attacker, "sfj").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // The guessing address is locked out of the account, even with the right password…
    let r = attacker.post_form("/login", &[("username", "SFJ"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.contains("已临时锁定") && r.contains("之后再试") && r.contains("还需约 1 分钟") && r.contains("系统管理员"), "{}", r.text);
    assert_eq!(r.headers.get("retry-after").unwrap(), "60");
    // …but the account's owner, elsewhere, is not.
    let mut owner = app.client();
    let r = owner.post_form("/login", &[("username", "sfj"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "the owner logs in from another address: {}", r.text);
    // Each further failure doubles the wait.
    exec(&app, "UPDATE login_locks SET locked_until = 1 WHERE addr = $1 AND account = 'sfj'".into(), &from).await;
    wrong_password(&mut attacker, "sfj").await;
    let r = wrong_password(&mut attacker, "sfj").await;
    assert!(r.contains("还需约 2 分钟"), "{}", r.text);
    // Administrators see the lock under 系统管理, and only they.
    let mut admin = app.login("admin").await;
    let page = admin.get("/admin/locks").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.contains("href=\"/admin/locks\"") && page.contains("登录锁定"), "in the navigation");
    assert!(page.contains(">sfj<") && page.contains(&from) && page.contains("锁定至") && page.contains("6 次"), "{}", page.text);
    let mut staff = app.login("zjj_staff").await;
    assert_eq!(staff.get("/admin/locks").await.status, StatusCode::FORBIDDEN);
    assert_eq!(staff.post_form("/admin/locks/lift", &[("account", "sfj"), ("addr", &from)]).await.status, StatusCode::FORBIDDEN);
    // Lifting it lets the address in again, and is recorded.
    let r = admin.post_form("/admin/locks/lift", &[("account", "sfj"), ("addr", &from)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let r = admin.post_form("/admin/locks/lift", &[("account", "sfj"), ("addr", &from)]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "already lifted");
    let events = count(&app, "SELECT COUNT(*) FROM events WHERE entity = 'user' AND action = 'login_unlock' AND summary LIKE '解除登录锁定：账号 sfj%'").await;
    assert_eq!(events, 1);
    let r = attacker.post_form("/login", &[("username", "sfj"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
}

#[tokio::test]
async fn one_address_trying_many_accounts_is_locked_as_a_whole() {
    let app = TestApp::new().await;
    let mut c = app.client();
    for i in 0..20 {
        let r = wrong_password(&mut c, &format!("nobody{i}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "attempt {}", i + 1);
    }
    let r = c.post_form("/login", &[("username", "legal"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.contains("您所在的网络登录失败次数过多"), "{}", r.text);
    // Only an administrator over the whole tree sees the address and names that are no account.
    let mut admin = app.login("admin").await;
    let page = admin.get("/admin/locks").await;
    assert!(page.contains("该地址的全部账号") && page.contains("不是现有账号"), "{}", page.text);
}

#[tokio::test]
async fn metrics_answer_this_machine_or_a_token_holder_only() {
    let app = TestApp::empty().await;
    let mut outside = app.client();
    let r = outside.get("/metrics").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["code"], "metrics_forbidden");
    assert!(!r.contains("fazhi_http_requests_total"));
    assert_eq!(outside.get("/healthz").await.status, StatusCode::OK, "health stays public");
    let mut local = app.client();
    local.peer = Some(([127, 0, 0, 1], 50000).into());
    assert!(local.get("/metrics").await.contains("fazhi_http_requests_total"));
    // With a token and no loopback exception.
    let token = "prometheus-0123456789abcdef";
    let app = TestApp::empty_with(|c| {
        c.metrics.allow_loopback = false;
        c.metrics.token = token.into();
    })
    .await;
    let mut local = app.client();
    local.peer = Some(([127, 0, 0, 1], 50000).into());
    assert_eq!(local.get("/metrics").await.status, StatusCode::FORBIDDEN);
    let mut prom = app.client();
    prom.bearer = Some("wrong-token-0123456789".into());
    let r = prom.get("/metrics").await;
    assert_eq!((r.status, r.json()["code"].as_str()), (StatusCode::FORBIDDEN, Some("metrics_token_invalid")));
    prom.bearer = Some(token.into());
    let r = prom.get("/metrics").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.contains("fazhi_http_requests_total"));
}

#[tokio::test]
async fn bad_query_and_path_parameters_answer_in_the_common_shape() {
    let app = TestApp::new().await;
    let mut c = app.login("dispatcher").await;
    // The API: JSON with the parameter named.
    for (path, field, code) in [
        ("/api/v1/hotline/tickets/abc", "id", "invalid_path"),
        ("/api/v1/hotline/tickets?page=x", "page", "invalid_parameter"),
        ("/api/v1/hotline/lookup?phone=13900000001", "no", "missing_parameter"),
    ] {
        let r = c.get(path).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}: {}", r.text);
        let j = r.json();
        assert_eq!(j["code"], code, "{path}");
        assert_eq!(j["fields"][0]["field"], field, "{path}: {j}");
        assert!(j["message"].as_str().unwrap().contains(field), "{path}: {j}");
    }
    // Pages: the HTML error page, naming the parameter.
    for (path, says) in [("/hotline/tickets/abc", "网址中的 id“abc”无效：应为整数"), ("/hotline/tickets?page=x", "查询参数 page 的值“x”无效：应为整数")]
    {
        let r = c.get(path).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
        assert!(r.contains("<html") && r.contains(says), "{path}: {}", r.text);
    }
    // A method a route does not take answers in the same shapes.
    let r = c.send(axum::http::Method::DELETE, "/api/v1/me", None, vec![], &[]).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.json()["code"], "method_not_allowed");
    let r = c.get("/logout").await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.contains("<html") && r.contains("method_not_allowed"), "{}", r.text);
    // Open311 keeps the spec's own error shape.
    let r = c.get("/open311/v2/requests/%FF.json").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(r.json()[0]["code"], "400");
}

#[tokio::test]
async fn personal_data_is_not_cached() {
    let app = TestApp::new().await;
    let mut staff = app.login("zjj_staff").await;
    let mut answers =
        vec![staff.get("/").await, staff.get("/hotline/tickets").await, staff.get("/api/v1/me").await, staff.get("/api/v1/hotline/tickets").await];
    answers.push(staff.get("/api/v1/no/such").await);
    let mut citizen = app.client();
    let r = citizen.post_form("/portal/login/send", &[("phone", "13900000051")]).await;
    let marker = "本次验证码是 <strong class=\"num\">";
    let code = r.text.split(marker).nth(1).map(|t| t[..6].to_string()).expect("demo code");
    let r = citizen.post_form("/portal/login/verify", &[("phone", "13900000051"), ("code", &code), ("next", "/portal/mine")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    answers.push(citizen.get("/portal/mine").await);
    answers.push(citizen.get("/portal").await);
    // A photo filed with a report is personal data too.
    let form = citizen.get("/portal/report").await;
    let key = form.text.split("name=\"idempotency_key\" value=\"").nth(1).and_then(|t| t.split('"').next()).unwrap().to_string();
    let cat = fazhi::hotline::queries::category_by_code(&app.state.db, "ZF-WYGL").await.unwrap().unwrap().id.to_string();
    let town = org_id(&app, "T-DH").await.to_string();
    let jpeg: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01];
    let fields = [("idempotency_key", key.as_str()), ("category_id", &cat), ("town_id", &town), ("description", "楼道堆满杂物，存在消防隐患。")];
    let r = citizen.post_multipart("/portal/report", &fields, &[("photos", "hall.jpg", jpeg)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let file = count(&app, "SELECT MAX(id) FROM attachments").await;
    let mut dispatcher = app.login("dispatcher").await;
    let photo = dispatcher.get(&format!("/files/{file}")).await;
    assert_eq!(photo.status, StatusCode::OK);
    answers.push(photo);
    for a in &answers {
        assert_eq!(a.headers.get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"), "{}", a.text);
    }
    // Our own stylesheet and script may be cached.
    let css = staff.get("/static/app.css").await;
    assert!(css.headers.get("cache-control").unwrap().to_str().unwrap().starts_with("public"));
}

#[tokio::test]
async fn the_root_address_welcomes_visitors_and_the_demo_shows_its_accounts() {
    let app = TestApp::new().await;
    let mut visitor = app.client();
    // An anonymous visitor gets the portal, with the way in for staff; no redirect to a login.
    let r = visitor.get("/").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.location());
    assert!(r.contains("class=\"portal\"") && r.contains("<a class=\"staff\" href=\"/login\">工作人员登录</a>"), "at the top: {}", r.text);
    // Staff get their 工作台 there.
    let mut staff = app.login("zjj_staff").await;
    let r = staff.get("/").await;
    assert!(r.contains("工作台") && r.contains("待办") && !r.contains("class=\"portal\""), "{}", r.text);
    // The demo's login page lists every demo account: who it is, and the password.
    let r = visitor.get("/login").await;
    assert!(!r.contains("见终端输出"));
    let logins = fazhi::app::features().demo_logins();
    // The features' own accounts are listed too (the registrar of normative documents, the
    // reconsideration office's head).
    assert!(logins.iter().any(|(u, _)| *u == "gfwj") && logins.iter().any(|(u, _)| *u == "fy_head"));
    for (user, what) in logins {
        assert!(r.contains(&format!("<code>{user}</code></td><td>{what}</td><td><code>{PASSWORD}</code>")), "{user}: {}", r.text);
    }
    // Outside the demo, nothing of the kind.
    let real = TestApp::empty_with(|c| c.server.demo = false).await;
    let r = real.client().get("/login").await;
    assert!(!r.contains(PASSWORD) && !r.contains("演示"), "{}", r.text);
}
