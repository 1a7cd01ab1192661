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
