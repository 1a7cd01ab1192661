//! The platform: accounts and sessions, CSRF, organisations, the event log, the calendar,
//! numbering, jobs, error shapes.

use axum::http::StatusCode;
use futures::FutureExt;

use crate::common::*;
use fazhi::audit::{self, Actor, NewEvent, Verdict};
use fazhi::db::q;

#[tokio::test]
async fn health_and_metrics() {
    let app = TestApp::empty().await;
    let mut c = app.client();
    let r = c.get("/healthz").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["database"], "ok");
    c.peer = Some(([127, 0, 0, 1], 40000).into());
    let r = c.get("/metrics").await;
    assert!(r.contains("fazhi_http_requests_total"), "{}", r.text);
    assert!(r.contains("fazhi_cases_open"));
}

#[tokio::test]
async fn login_logout_and_lockout() {
    let app = TestApp::new().await;
    let mut c = app.client();
    // Staff pages need a login.
    let r = c.get("/hotline/tickets").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login?next=/hotline/tickets");
    // APIs answer 401 JSON instead.
    let r = c.get("/api/v1/me").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["code"], "unauthenticated");
    // A wrong password is refused with a message, not a hint of which part was wrong.
    let r = c.post_form("/login", &[("username", "zjj_staff"), ("password", "wrong-password-1")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("用户名或密码不正确"));
    let r = c.post_form("/login", &[("username", "nobody"), ("password", "wrong-password-1")]).await;
    assert!(r.contains("用户名或密码不正确"));
    // The right password works, sets an HttpOnly session cookie and rotates the CSRF token.
    let before = c.token().await;
    let r = c.post_form("/login", &[("username", "zjj_staff"), ("password", PASSWORD), ("next", "/hotline/tickets")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/hotline/tickets");
    let set: Vec<String> = r.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
    assert!(set.iter().any(|s| s.starts_with("fazhi_sid=") && s.contains("HttpOnly") && s.contains("SameSite=Lax")), "{set:?}");
    assert_ne!(c.token().await, before, "the CSRF token is rotated at login");
    let r = c.get("/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.contains("工作台") && r.contains("钱安居"));
    // Logout ends the session.
    let r = c.post_form("/logout", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(c.get("/hotline/tickets").await.status, StatusCode::SEE_OTHER);
    // Five failures lock the account for a while, even with the right password after.
    let mut d = app.client();
    for _ in 0..5 {
        d.post_form("/login", &[("username", "sfj"), ("password", "not-the-password-9")]).await;
    }
    let r = d.post_form("/login", &[("username", "sfj"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.contains("临时锁定"), "{}", r.text);
}

#[tokio::test]
async fn csrf_is_required_on_every_form() {
    let app = TestApp::new().await;
    let mut c = app.login("admin").await;
    let r = c.post_form_no_csrf("/admin/orgs", &[("code", "X1"), ("name", "测试"), ("kind", "department"), ("parent_code", "SFS")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.contains("安全校验未通过"));
    // A token that does not match the cookie is refused too.
    let mut all = vec![("code".to_string(), "X1".to_string()), ("_csrf".to_string(), "x".repeat(40))];
    all.push(("name".into(), "测试".into()));
    let body = encode(&all);
    let r = c.send(axum::http::Method::POST, "/admin/orgs", Some("application/x-www-form-urlencoded"), body.into_bytes(), &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let n = q("SELECT COUNT(*) FROM orgs WHERE code = 'X1'").fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(n, 0, "nothing was written");
}

#[tokio::test]
async fn password_change_ends_other_sessions() {
    let app = TestApp::new().await;
    let mut a = app.login("dh_staff").await;
    let mut b = app.login("dh_staff").await;
    let r = a.post_form("/account/password", &[("old_password", "wrong"), ("new_password", "short"), ("new_password2", "other")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("当前密码不正确") && r.contains("密码至少 10 位") && r.contains("两次输入的新密码不一致"));
    let r = a.post_form("/account/password", &[("old_password", PASSWORD), ("new_password", "Donghu-2026-new"), ("new_password2", "Donghu-2026-new")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(a.get("/account/password").await.status, StatusCode::OK, "this session stays");
    assert_eq!(b.get("/account/password").await.status, StatusCode::SEE_OTHER, "the other session ended");
    // Logout everywhere.
    let mut c = app.client();
    c.post_form("/login", &[("username", "dh_staff"), ("password", "Donghu-2026-new")]).await;
    assert_eq!(c.get("/account/password").await.status, StatusCode::OK);
    a.post_form("/logout-all", &[]).await;
    assert_eq!(c.get("/account/password").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn organisations_validate_version_and_import_all_or_nothing() {
    let app = TestApp::new().await;
    let mut c = app.login("admin").await;
    // Bad input: every problem reported on its field, nothing written.
    let r = c.post_form("/admin/orgs", &[("code", "坏编码"), ("name", ""), ("kind", "village"), ("parent_code", "SFS")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("机构编码须为") && r.contains("请填写机构名称") && r.contains("下不能设立村"), "{}", r.text);
    // A good one.
    let r = c.post_form("/admin/orgs", &[("code", "D-TEST"), ("name", "市测试局"), ("kind", "department"), ("parent_code", "SFS"), ("active", "1")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let id = org_id(&app, "D-TEST").await;
    // A stale version is refused with 409.
    let r = c
        .post_form(
            &format!("/admin/orgs/{id}"),
            &[("code", "D-TEST"), ("name", "市测试局改"), ("kind", "department"), ("parent_code", "SFS"), ("version", "1"), ("active", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = c
        .post_form(
            &format!("/admin/orgs/{id}"),
            &[("code", "D-TEST"), ("name", "旧页面提交"), ("kind", "department"), ("parent_code", "SFS"), ("version", "1"), ("active", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.contains("已被他人修改"));
    // Import: one bad row rejects the file; every bad row is listed.
    let before = q("SELECT COUNT(*) FROM orgs").fetch_i64(&app.state.db).await.unwrap();
    let csv = "编码,名称,类型,上级编码\nD-NEW1,新局一,部门,SFS\nD-NEW2,,部门,SFS\nV-X,某村,村,SFS\n";
    let r = c.post_multipart("/admin/orgs/import", &[], &[("file", "orgs.csv", csv.as_bytes())]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("第 3 行") && r.contains("第 4 行") && r.contains("名称不能为空"), "{}", r.text);
    assert_eq!(q("SELECT COUNT(*) FROM orgs").fetch_i64(&app.state.db).await.unwrap(), before, "nothing imported");
    // GBK encoded, as Excel writes CSV on Chinese Windows.
    let (gbk, _, _) = encoding_rs::GBK.encode("编码,名称,类型,上级编码\nD-NEW1,新局一,部门,SFS\nD-NEW1-K1,新局一办公室,内设机构,D-NEW1\n");
    let r = c.post_multipart("/admin/orgs/import", &[], &[("file", "orgs.csv", &gbk)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let o = fazhi::org::queries::by_code(&app.state.db, "D-NEW1-K1").await.unwrap().unwrap();
    assert_eq!(o.name, "新局一办公室");
    // Export round-trips through XLSX.
    let r = c.get("/admin/orgs/export.xlsx").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers.get("content-type").unwrap().to_str().unwrap().contains("spreadsheetml"));
}

#[tokio::test]
async fn event_log_detects_alteration_and_deletion() {
    let app = TestApp::new().await;
    match audit::verify(&app.state.db).await.unwrap() {
        Verdict::Intact { events } => assert!(events > 200, "the seed wrote events"),
        other => panic!("{other:?}"),
    }
    // Alter one event in the middle.
    let db = app.state.db.clone();
    db.write(|tx| async move { q("UPDATE events SET summary = '被改过' WHERE seq = 100").execute(tx).await.map(|_| ()) }.boxed()).await.unwrap();
    match audit::verify(&app.state.db).await.unwrap() {
        Verdict::Broken { seq, .. } => assert_eq!(seq, 100),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn event_log_detects_deleting_the_newest() {
    let app = TestApp::new().await;
    let db = app.state.db.clone();
    db.write(|tx| async move { audit::record(tx, &Actor::system(), NewEvent::new("org", 1, "test", "测试")).await.map(|_| ()) }.boxed()).await.unwrap();
    let last = q("SELECT MAX(seq) FROM events").fetch_i64(&app.state.db).await.unwrap();
    db.write(move |tx| async move { q("DELETE FROM events WHERE seq = $1").bind(last).execute(tx).await.map(|_| ()) }.boxed()).await.unwrap();
    match audit::verify(&app.state.db).await.unwrap() {
        Verdict::Broken { seq, problem } => {
            assert_eq!(seq, last);
            assert!(problem.contains("链尾"), "{problem}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn case_numbers_are_unique_and_gap_free_under_concurrency() {
    let app = TestApp::new().await;
    let mut handles = Vec::new();
    for i in 0..40 {
        let db = app.state.db.clone();
        handles.push(tokio::spawn(async move {
            db.write(move |tx| {
                async move {
                    let n = fazhi::kernel::numbering::next(tx, "test", "T{year}-{seq:04}", 2026, "").await?;
                    if i % 7 == 0 {
                        // A failing transaction gives its number back.
                        return Err(fazhi::error::AppError::internal("rolled back"));
                    }
                    Ok(n)
                }
                .boxed()
            })
            .await
        }));
    }
    let mut numbers = Vec::new();
    for h in handles {
        if let Ok(n) = h.await.unwrap() {
            numbers.push(n);
        }
    }
    numbers.sort();
    let expected: Vec<String> = (1..=numbers.len()).map(|i| format!("T2026-{i:04}")).collect();
    assert_eq!(numbers, expected, "no duplicates, no gaps");
}

#[tokio::test]
async fn errors_have_one_shape() {
    let app = TestApp::new().await;
    let mut c = app.login("admin").await;
    let r = c.get("/no/such/page").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.contains("您访问的页面不存在") && r.contains("<html"));
    let r = c.get("/api/v1/no/such").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["code"], "route_not_found");
    // Wrong content type on a form → 415.
    let token = c.token().await;
    let r = c.send(axum::http::Method::POST, "/admin/orgs", Some("text/plain"), b"x".to_vec(), &[("x-csrf-token", &token)]).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Security headers everywhere.
    let r = c.get("/").await;
    assert_eq!(r.headers.get("x-frame-options").unwrap(), "DENY");
    assert!(r.headers.get("content-security-policy").is_some());
}

#[tokio::test]
async fn calendar_page_computes_working_days() {
    let app = TestApp::new().await;
    let mut c = app.login("admin").await;
    let r = c.get("/admin/calendar?year=2020&from=2020-09-28&days=20").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.contains("2020-11-02"), "20 working days from 2020-09-28 end on 2020-11-02");
    assert!(r.contains("调休上班"));
    // Adding a year: a bad file changes nothing and lists its lines.
    let bad = "date,kind,name_zh\n2027-10-01,holiday,国庆节\n2027-13-01,holiday,x\n2026-10-01,holiday,国庆节\n";
    let r = c.post_multipart("/admin/calendar", &[("year", "2027")], &[("file", "2027.csv", bad.as_bytes())]).await;
    assert!(r.contains("第 3 行") && r.contains("不属于 2027 年"), "{}", r.text);
    assert!(!app.state.calendar().covers(chrono::NaiveDate::from_ymd_opt(2027, 10, 1).unwrap()));
    let good = "date,kind,name_zh\n2027-10-01,holiday,国庆节\n2027-10-09,workday,国庆节\n";
    let r = c.post_multipart("/admin/calendar", &[("year", "2027")], &[("file", "2027.csv", good.as_bytes())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let cal = app.state.calendar();
    assert!(!cal.is_working_day(chrono::NaiveDate::from_ymd_opt(2027, 10, 1).unwrap()));
    assert!(cal.is_working_day(chrono::NaiveDate::from_ymd_opt(2027, 10, 9).unwrap()));
}

#[tokio::test]
async fn api_tokens_are_scoped_expiring_and_revocable() {
    let app = TestApp::new().await;
    let mut admin = app.login("admin").await;
    let zjj = org_id(&app, "D-ZJJ").await;
    let r = admin.post_form("/admin/tokens", &[("name", "住建系统对接"), ("org_id", &zjj.to_string()), ("days", "30"), ("scopes", "case_read")]).await;
    assert_eq!(r.status, StatusCode::OK);
    let token = r.text.split("<code>fz_").nth(1).map(|t| format!("fz_{}", t.split("</code>").next().unwrap())).expect("the new token is shown once");
    assert!(token.starts_with("fz_"));
    let stored =
        q("SELECT COUNT(*) FROM api_tokens WHERE token_hash = $1").bind(fazhi::auth::session::token_hash(&token)).fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(stored, 1, "only the hash is stored");
    let mut api = app.client();
    api.bearer = Some(token.clone());
    assert_eq!(api.get("/api/v1/me").await.status, StatusCode::OK);
    // Revoke: refused at once.
    let id = q("SELECT id FROM api_tokens").fetch_i64(&app.state.db).await.unwrap();
    admin.post_form(&format!("/admin/tokens/{id}/revoke"), &[]).await;
    let r = api.get("/api/v1/me").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["code"], "invalid_token");
    // Bad input on creation.
    let r = admin.post_form("/admin/tokens", &[("name", ""), ("org_id", &zjj.to_string()), ("days", "999"), ("scopes", "admin_users")]).await;
    assert!(r.contains("请填写令牌名称") && r.contains("有效期应为") && r.contains("不能授予"), "{}", r.text);
}

#[tokio::test]
async fn deadline_sweep_escalates_once_and_reminds_once() {
    let app = TestApp::new().await;
    let db = app.state.db.clone();
    let centre = org_id(&app, fazhi::demo::CENTRE).await;
    // A case overdue since yesterday, and one due tomorrow.
    let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
    for (no, due, warn) in [("X-1", "2026-03-09", "2026-03-06"), ("X-2", "2026-03-11", "2026-03-10")] {
        let (no, due, warn) = (no.to_string(), due.to_string(), warn.to_string());
        db.write(move |tx| {
            async move {
                q("INSERT INTO cases (procedure, case_no, year, title, state, org_id, opened_at, opened_on, due_on, warn_on, is_open, updated_at) VALUES ('test', $1, 2026, '测试', 'handling', $2, 0, '2026-03-01', $3, $4, TRUE, 0)")
                    .bind(no).bind(centre).bind(due).bind(warn).execute(tx).await.map(|_| ())
            }
            .boxed()
        })
        .await
        .unwrap();
    }
    assert!(fazhi::jobs::claim(&app.state).await.unwrap());
    assert!(!fazhi::jobs::claim(&app.state).await.unwrap(), "a second instance cannot take the lease");
    let r = fazhi::jobs::sweep(&app.state, today).await.unwrap();
    assert_eq!((r.escalated, r.reminded), (1, 1));
    let r = fazhi::jobs::sweep(&app.state, today).await.unwrap();
    assert_eq!((r.escalated, r.reminded), (0, 0), "nothing twice");
    let sup = q("SELECT COUNT(*) FROM cases WHERE supervised = TRUE").fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(sup, 1);
}

#[tokio::test]
async fn backup_is_a_consistent_copy() {
    let app = TestApp::new().await;
    if app.is_postgres() {
        return; // PostgreSQL is backed up with pg_dump (README).
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("copy.db");
    fazhi::db::backup::sqlite_backup(&app.state.db, &file).await.unwrap();
    let copy = fazhi::db::Db::connect(&fazhi::db::ConnectOptions::new(format!("sqlite://{}", file.display()))).await.unwrap();
    let a = q("SELECT COUNT(*) FROM orgs").fetch_i64(&app.state.db).await.unwrap();
    let b = q("SELECT COUNT(*) FROM orgs").fetch_i64(&copy).await.unwrap();
    assert_eq!(a, b);
    assert!(matches!(audit::verify(&copy).await.unwrap(), Verdict::Intact { .. }));
    assert!(fazhi::db::backup::sqlite_backup(&app.state.db, &file).await.is_err(), "never overwrites");
}
