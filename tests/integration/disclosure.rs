//! 政务公开: the request journey on the portal and the staff pages, the statutory clock across
//! holidays, the third-party pause, one extension only, reasons for outcomes, permissions,
//! publications with their review and the 20-working-day rule, search relevance, the annual
//! report and its invariants.

use axum::http::StatusCode;
use chrono::NaiveDate;
use futures::FutureExt;

use crate::common::*;
use fazhi::db::q;
use fazhi::disclosure::search::index::{self, Doc};

const ID: &str = "11010519491231002X";

async fn citizen(app: &TestApp, phone: &str) -> Client {
    let token = fazhi::auth::session::create(&app.state.db, None, Some(phone.to_string()), None, None).await.unwrap();
    let mut c = app.client();
    c.cookies.insert("fazhi_sid".into(), token);
    c
}

fn id_from(location: &str) -> i64 {
    location.rsplit('/').next().unwrap().parse().unwrap()
}

async fn state_of(app: &TestApp, id: i64) -> (String, Option<String>, Option<String>) {
    q("SELECT state, due_on, paused_on FROM cases WHERE id = $1").bind(id).fetch_one(&app.state.db).await.unwrap()
}

/// The raw bytes of a GET (a download), with the client's cookies.
async fn get_bytes(app: &TestApp, c: &Client, path: &str) -> Vec<u8> {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let cookie = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let req = axum::http::Request::builder().uri(path).header("cookie", cookie).body(axum::body::Body::empty()).unwrap();
    let resp = app.router.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
    resp.into_body().collect().await.unwrap().to_bytes().to_vec()
}

fn docx_text(bytes: &[u8]) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a DOCX is a zip");
    let mut s = String::new();
    std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut s).unwrap();
    s
}

/// Register an application through the API as a staff member of the unit.
async fn register(app: &TestApp, c: &mut Client, org: &str, received_on: &str, applicant_type: &str) -> i64 {
    let org_id = org_id(app, org).await;
    let mut body = serde_json::json!({
        "org_id": org_id, "channel": "letter", "applicant_type": applicant_type, "applicant_name": "李四",
        "phone": "13900000002", "description": "本单位2025年度部门预算及三公经费的说明", "delivery": "post", "address": "示范市东湖镇幸福路1号",
        "received_on": received_on
    });
    if applicant_type == "natural" {
        body["id_number"] = serde_json::json!(ID);
    } else {
        body["id_number"] = serde_json::json!("91321084MA1X2Y3W4K");
        body["contact_person"] = serde_json::json!("王经理");
    }
    let r = c.post_json("/api/v1/disclosure/requests", &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    // The number carries the unit's short name, as on its documents (住建局依申〔2026〕3号).
    let id = r.json()["id"].as_i64().unwrap();
    let (no, short): (String, String) =
        q("SELECT c.case_no, o.short_name FROM cases c JOIN orgs o ON o.id = c.org_id WHERE c.id = $1").bind(id).fetch_one(&app.state.db).await.unwrap();
    assert!(no.starts_with(&format!("{short}依申〔")) && no.ends_with('号'), "{no}");
    id
}

#[tokio::test]
async fn request_journey_from_portal_to_annual_table() {
    let app = TestApp::new().await;
    let zjj = org_id(&app, "D-ZJJ").await;
    let mut citizen_c = citizen(&app, "13800000001").await;
    // Bad input: nothing written, every problem named with Art. 29.
    let r = citizen_c
        .post_multipart(
            "/portal/disclosure/apply",
            &[("org_id", &zjj.to_string()), ("applicant_type", "natural"), ("description", "文件"), ("delivery", "online")],
            &[("files", "virus.exe", b"MZ\x90\x00binary")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.contains("特征性描述") && r.contains("身份证明号码") && r.contains("请填写申请人姓名") && r.contains("类型不允许上传") && r.contains("第二十九条"),
        "{}",
        r.text
    );
    assert_eq!(q("SELECT COUNT(*) FROM disclosure_requests").fetch_i64(&app.state.db).await.unwrap(), 0);
    // A complete application.
    let r = citizen_c
        .post_multipart(
            "/portal/disclosure/apply",
            &[
                ("org_id", &zjj.to_string()),
                ("applicant_type", "natural"),
                ("applicant_name", "张三"),
                ("id_number", ID),
                ("description", "幸福小区二期项目的建设工程规划许可证及附图"),
                ("delivery", "online"),
            ],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let id = id_from(&r.location());
    let (st, due, _) = state_of(&app, id).await;
    assert_eq!(st, "received");
    let cal = app.state.calendar();
    let today = fazhi::time::today();
    assert_eq!(due.as_deref(), Some(fazhi::time::fmt_date(cal.add_working_days(today, 20)).as_str()), "20 working days from receipt");
    // Staff ask for a 补正 (once, within 7 working days); the clock stops.
    let mut staff = app.login("zjj_staff").await;
    let r = staff.get(&format!("/disclosure/requests/{id}")).await;
    assert!(r.contains("补正告知") && r.contains("第三十条"), "{}", r.text);
    let r = staff
        .post_form(&format!("/disclosure/requests/{id}/step/request_correction"), &[("correction_items", "请写明许可证的年份或项目地址"), ("days", "10")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let (st, due, _) = state_of(&app, id).await;
    assert_eq!((st.as_str(), due), ("correction", None));
    // The timeline names the notice it generated.
    let r = staff.get(&format!("/disclosure/requests/{id}")).await;
    assert!(r.contains("《补正告知书》（第 "), "{}", r.text);
    // The citizen sees the notice and completes the application: the clock starts anew.
    let r = citizen_c.get(&format!("/portal/disclosure/requests/{id}")).await;
    assert!(r.contains("请补正") && r.contains("补正告知书"), "{}", r.text);
    let r = citizen_c
        .post_form(
            &format!("/portal/disclosure/requests/{id}/step/correct"),
            &[("correction_text", "2024年核发的幸福小区二期（东湖镇幸福路）建设工程规划许可证")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let (st, due, _) = state_of(&app, id).await;
    assert_eq!(st, "handling");
    let due20 = cal.add_working_days(today, 20);
    assert_eq!(due.as_deref(), Some(fazhi::time::fmt_date(due20).as_str()));
    // A second 补正 is refused: one notice only.
    let r = staff.post_form(&format!("/disclosure/requests/{id}/step/request_correction"), &[("correction_items", "再补")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Extension: staff ask, staff cannot approve, the head approves; the applicant is told.
    let r = staff.post_form(&format!("/disclosure/requests/{id}/step/request_extension"), &[("days", "25"), ("reason", "档案需调取")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("最长不得超过20个工作日"), "{}", r.text);
    let r = staff.post_form(&format!("/disclosure/requests/{id}/step/request_extension"), &[("days", "10"), ("reason", "需调取城建档案馆档案")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let r = staff.post_form(&format!("/disclosure/requests/{id}/step/approve_extension"), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "only the head approves");
    let mut head = app.login("zjj_head").await;
    let r = head.post_form(&format!("/disclosure/requests/{id}/step/approve_extension"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let (_, due, _) = state_of(&app, id).await;
    assert_eq!(due.as_deref(), Some(fazhi::time::fmt_date(cal.add_working_days(due20, 10)).as_str()));
    // One extension only.
    let r = staff.post_form(&format!("/disclosure/requests/{id}/step/request_extension"), &[("days", "5"), ("reason", "还需时间")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("只能延长一次") && r.contains("第三十三条"), "{}", r.text);
    // A reply needs an outcome of the report rows, and a reason unless 予以公开.
    let r = staff.post_form(&format!("/disclosure/requests/{id}/step/reply"), &[("reply_text", "见附件")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("请选择答复结果"), "{}", r.text);
    let r = staff.post_form(&format!("/disclosure/requests/{id}/step/reply"), &[("outcome", "partial"), ("reply_text", "提供许可证正本复印件")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("须说明理由") && r.contains("第三十六条"), "{}", r.text);
    let r = staff
        .post_form(&format!("/disclosure/requests/{id}/step/reply"), &[("outcome", "other_no_correction"), ("outcome_reason", "x"), ("reply_text", "x")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "the system's outcome cannot be chosen");
    let r = staff
        .post_multipart(
            &format!("/disclosure/requests/{id}/step/reply"),
            &[
                ("outcome", "partial"),
                ("outcome_reason", "附图中含有第三方个人信息，依照第十五条不予公开"),
                ("reply_text", "提供许可证正本复印件，附图作区分处理"),
            ],
            &[("files", "许可证正本.pdf", b"%PDF-1.4\n%%EOF\n")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(state_of(&app, id).await.0, "replied");
    // The citizen downloads the reply letter as DOCX.
    let r = citizen_c.get(&format!("/portal/disclosure/requests/{id}")).await;
    assert!(r.contains("政府信息公开申请答复书"), "{}", r.text);
    let (lid,): (i64,) = q("SELECT id FROM disclosure_letters WHERE case_id = $1 AND kind = 'reply'").bind(id).fetch_one(&app.state.db).await.unwrap();
    let r = citizen_c.send(axum::http::Method::GET, &format!("/portal/disclosure/requests/{id}/letters/{lid}.docx"), None, vec![], &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers.get("content-type").unwrap().to_str().unwrap().contains("wordprocessingml"));
    let raw = get_bytes(&app, &citizen_c, &format!("/portal/disclosure/requests/{id}/letters/{lid}.docx")).await;
    let xml = docx_text(&raw);
    assert!(xml.contains("第三十七条") && xml.contains("张三") && xml.contains("区分处理"), "{xml}");
    // The extension letter states the reason given when it was asked for.
    let (eid,): (i64,) = q("SELECT id FROM disclosure_letters WHERE case_id = $1 AND kind = 'extension'").bind(id).fetch_one(&app.state.db).await.unwrap();
    let xml = docx_text(&get_bytes(&app, &citizen_c, &format!("/portal/disclosure/requests/{id}/letters/{eid}.docx")).await);
    assert!(xml.contains("因需调取城建档案馆档案，") && xml.contains("延长10个工作日"), "{xml}");
    // Another citizen cannot see it.
    let mut other = citizen(&app, "13800000009").await;
    assert_eq!(other.get(&format!("/portal/disclosure/requests/{id}")).await.status, StatusCode::NOT_FOUND);
    // The annual table counts it: received this year, concluded as 部分公开, natural person.
    let year = i64::from(chrono::Datelike::year(&today));
    let t3 = fazhi::disclosure::report::table3(&app.state.db, "/", year).await.unwrap();
    assert_eq!(t3.get("received", "natural"), 1);
    assert_eq!(t3.get("partial", "natural"), 1);
    assert_eq!(t3.get("carried_out", "natural"), 0);
    let r = staff.get(&format!("/disclosure/report?org={zjj}&year={year}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.contains("row=concluded&amp;applicant_type=natural&amp;outcome=partial"), "{}", r.text);
    assert!(!r.contains("tag red\">不符</span> 自然人"), "invariants hold");
    // The unit list offers only what this person may open: its own unit, not the city or others.
    let cgj = org_id(&app, "D-CGJ").await;
    assert!(r.contains(&format!("<option value=\"{zjj}\" selected>")), "{}", r.text);
    assert!(!r.contains("（全市）") && !r.contains(&format!("<option value=\"{cgj}\"")), "{}", r.text);
    assert_eq!(staff.get(&format!("/disclosure/report?org={cgj}&year={year}")).await.status, StatusCode::NOT_FOUND);
    // The drill-down lists the request.
    let r = staff.get(&format!("/disclosure/requests?status=all&year={year}&org={zjj}&row=concluded&applicant_type=natural&outcome=partial")).await;
    assert!(r.contains("幸福小区二期"), "{}", r.text);
}

#[tokio::test]
async fn deadlines_across_spring_festival_and_national_day() {
    let app = TestApp::new().await;
    let cal = app.state.calendar();
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    // 春节 2026: 2-14 (Sat) is a make-up working day, 2-15 to 2-23 are holidays, 2-28 (Sat) works.
    assert_eq!(cal.add_working_days(d("2026-02-06"), 20), d("2026-03-12"));
    // 国庆 2026: 9-25 to 9-27 and 10-1 to 10-7 are holidays, 10-10 (Sat) works.
    assert_eq!(cal.add_working_days(d("2026-09-23"), 20), d("2026-10-28"));
    // The 7-working-day window for a 补正 notice across 国庆 2026.
    assert_eq!(cal.add_working_days(d("2026-09-29"), 7), d("2026-10-14"));
    // Through the procedure: an application received on 2026-09-23 by letter is due 2026-10-28.
    let mut staff = app.login("zjj_staff").await;
    if fazhi::time::today() - d("2026-09-23") <= chrono::Duration::days(366) {
        let id = register(&app, &mut staff, "D-ZJJ", "2026-09-23", "natural").await;
        assert_eq!(state_of(&app, id).await.1.as_deref(), Some("2026-10-28"));
        // More than 7 working days after receipt, a 补正 notice is too late.
        let r = staff.post_form(&format!("/disclosure/requests/{id}/step/request_correction"), &[("correction_items", "请说明")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.contains("7 个工作日内") && r.contains("第三十条"), "{}", r.text);
    }
}

#[tokio::test]
async fn third_party_time_is_not_counted_and_correction_lapses() {
    let app = TestApp::new().await;
    let mut staff = app.login("zjj_staff").await;
    let today = fazhi::time::today();
    let cal = app.state.calendar();
    let id = register(&app, &mut staff, "D-ZJJ", &fazhi::time::fmt_date(today), "commercial").await;
    staff.post_form(&format!("/disclosure/requests/{id}/step/accept"), &[]).await;
    let r = staff.post_form(&format!("/disclosure/requests/{id}/step/refer_third_party"), &[("third_party", "某建筑公司")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a reason is required");
    let r =
        staff.post_form(&format!("/disclosure/requests/{id}/step/refer_third_party"), &[("third_party", "某建筑公司"), ("reason", "涉及该公司商业秘密")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let (st, due_before, paused) = state_of(&app, id).await;
    assert_eq!(st, "third_party");
    assert_eq!(paused.as_deref(), Some(fazhi::time::fmt_date(today).as_str()));
    // Pretend the consultation began on a working day with 16 working days in (start, today]
    // (today may be a weekend or a holiday: then it adds none); the sweep resumes the clock and
    // the paused working days are added to the due date (Art. 33 ¶3).
    let mut start = today - chrono::Duration::days(1);
    while !(cal.is_working_day(start) && cal.working_days_between(start, today) == 16) {
        start -= chrono::Duration::days(1);
    }
    let s = fazhi::time::fmt_date(start);
    app.state
        .db
        .write(move |tx| {
            async move {
                q("UPDATE cases SET paused_on = $1 WHERE id = $2").bind(s.clone()).bind(id).execute(&mut *tx).await?;
                q("UPDATE disclosure_requests SET third_party_since = $1 WHERE case_id = $2").bind(s).bind(id).execute(&mut *tx).await?;
                Ok(())
            }
            .boxed()
        })
        .await
        .unwrap();
    let rep = fazhi::disclosure::service::sweep(&app.state, today).await.unwrap();
    assert_eq!(rep.resumed, 1);
    let (st, due_after, paused) = state_of(&app, id).await;
    assert_eq!((st.as_str(), paused), ("handling", None));
    let expect = cal.add_working_days(fazhi::time::parse_date(&due_before.unwrap()).unwrap(), 16);
    assert_eq!(due_after.as_deref(), Some(fazhi::time::fmt_date(expect).as_str()));
    // A 补正 left unanswered: the sweep closes the application as abandoned (其他处理 1).
    let id2 = register(&app, &mut staff, "D-ZJJ", &fazhi::time::fmt_date(today), "natural").await;
    let r = staff.post_form(&format!("/disclosure/requests/{id2}/step/request_correction"), &[("correction_items", "请写明文件名称"), ("days", "5")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let rep = fazhi::disclosure::service::sweep(&app.state, today).await.unwrap();
    assert_eq!(rep.lapsed, 0, "not before the period ends");
    let later = cal.add_working_days(today, 6);
    let rep = fazhi::disclosure::service::sweep(&app.state, later).await.unwrap();
    assert_eq!(rep.lapsed, 1);
    assert_eq!(state_of(&app, id2).await.0, "lapsed");
    let (o,): (Option<String>,) = q("SELECT outcome FROM disclosure_requests WHERE case_id = $1").bind(id2).fetch_one(&app.state.db).await.unwrap();
    assert_eq!(o.as_deref(), Some("other_no_correction"));
    let n = q("SELECT COUNT(*) FROM disclosure_letters WHERE case_id = $1 AND kind = 'lapsed'").bind(id2).fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn permissions_follow_the_unit() {
    let app = TestApp::new().await;
    let mut staff = app.login("zjj_staff").await;
    let id = register(&app, &mut staff, "D-ZJJ", &fazhi::time::fmt_date(fazhi::time::today()), "natural").await;
    // Staff of another unit: 404 by id, nothing in the list, nothing by API.
    let mut cgj = app.login("cgj_staff").await;
    assert_eq!(cgj.get(&format!("/disclosure/requests/{id}")).await.status, StatusCode::NOT_FOUND);
    assert!(!cgj.get("/disclosure/requests?status=all").await.contains("三公经费"));
    assert_eq!(cgj.get(&format!("/api/v1/disclosure/requests/{id}")).await.status, StatusCode::NOT_FOUND);
    let r = cgj.post_form(&format!("/disclosure/requests/{id}/step/accept"), &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Registering for another unit is refused.
    let zjj = org_id(&app, "D-ZJJ").await;
    let r = cgj
        .post_json(
            "/api/v1/disclosure/requests",
            &serde_json::json!({"org_id": zjj, "applicant_type": "natural", "applicant_name": "王五", "id_number": ID, "phone": "13900000003", "description": "某某文件的全文内容", "delivery": "online"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("org_out_of_scope"), "{}", r.text);
    // The list's export: the screen's filter in the title line, the unit's own requests only,
    // the applicant masked as on the screen (issue 10 #25).
    let r = staff.get("/disclosure/requests?status=all").await;
    assert!(r.contains("/disclosure/requests/export.xlsx?status=all"), "{}", r.text);
    let t = fazhi::tabular::read(&get_bytes(&app, &staff, "/disclosure/requests/export.xlsx?status=all").await).unwrap();
    assert_eq!(t.rows.len(), 1, "{:?}", t.rows);
    assert!(t.rows[0].1.iter().any(|c| c.contains("三公经费")) && !t.rows[0].1.iter().any(|c| c == "李四"), "{:?}", t.rows[0].1);
    let title = {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(get_bytes(&app, &staff, "/disclosure/requests/export.xlsx?status=all").await)).unwrap();
        let mut s = String::new();
        std::io::Read::read_to_string(&mut z.by_name("xl/sharedStrings.xml").unwrap(), &mut s).unwrap();
        s
    };
    assert!(title.contains("政府信息公开申请（范围：全部；共 1 条"), "{title}");
    let t = fazhi::tabular::read(&get_bytes(&app, &cgj, "/disclosure/requests/export.xlsx?status=all").await).unwrap();
    assert!(t.rows.is_empty(), "another unit's export: {:?}", t.rows);
    // The inspector reads everything but cannot act; hotline roles see nothing.
    let mut insp = app.login("inspector").await;
    let r = insp.get(&format!("/disclosure/requests/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.contains("当前没有您可以办理的步骤"), "{}", r.text);
    let mut disp = app.login("dispatcher").await;
    assert_eq!(disp.get(&format!("/disclosure/requests/{id}")).await.status, StatusCode::NOT_FOUND);
    // The rule-of-law office reads the whole government's report.
    let mut sfj = app.login("sfj").await;
    let r = sfj.get("/disclosure/report?year=2026").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // The organ in full, then the year and the report's name (a line of their own in the DOCX).
    assert!(r.contains("示范市人民政府\n2026年政府信息公开工作年度报告"), "{}", r.text);
    // The OpenAPI document lists the endpoints.
    assert!(staff.get("/api/v1/openapi.json").await.contains("/api/v1/disclosure/requests/{id}/steps/{action}"));
}

#[tokio::test]
async fn publication_review_and_the_twenty_day_rule() {
    let app = TestApp::new().await;
    let zjj = org_id(&app, "D-ZJJ").await;
    let (cat,): (i64,) = q("SELECT id FROM disclosure_categories WHERE code = 'A20-01'").fetch_one(&app.state.db).await.unwrap();
    let mut staff = app.login("zjj_staff").await;
    let formed = fazhi::time::fmt_date(fazhi::time::today() - chrono::Duration::days(60));
    let r = staff
        .post_multipart(
            "/disclosure/publications/new",
            &[
                ("org_id", &zjj.to_string()),
                ("category_id", &cat.to_string()),
                ("title", "关于加强住宅小区物业服务管理的实施意见"),
                ("doc_no", "示住建规〔2026〕1号"),
                ("doc_kind", "normative"),
                ("formed_on", &formed),
                ("body", "为规范住宅小区物业服务活动，维护业主合法权益，制定本意见。"),
            ],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let id = id_from(&r.location());
    // Not published without review; staff cannot approve.
    assert_eq!(
        staff.post_form(&format!("/disclosure/publications/{id}/step/approve"), &[("secrecy_checked", "1"), ("third_party_checked", "1")]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(staff.post_form(&format!("/disclosure/publications/{id}/step/submit"), &[]).await.status, StatusCode::SEE_OTHER);
    let mut head = app.login("zjj_head").await;
    let r = head.post_form(&format!("/disclosure/publications/{id}/step/approve"), &[("secrecy_checked", "1")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("第三方合法权益") && r.contains("第十七条"), "{}", r.text);
    let r = head.post_form(&format!("/disclosure/publications/{id}/step/approve"), &[("secrecy_checked", "1"), ("third_party_checked", "1")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let (on_time,): (Option<bool>,) = q("SELECT on_time FROM disclosure_publications WHERE id = $1").bind(id).fetch_one(&app.state.db).await.unwrap();
    assert_eq!(on_time, Some(false), "formed 60 days ago: later than 20 working days");
    // It is public and searchable; the portal lists it and the feed carries it.
    let mut anon = app.client();
    let r = anon.get("/portal/disclosure/search?q=物业服务").await;
    assert!(r.contains("<mark>物业</mark>") || r.contains("<mark>物业服务</mark>"), "{}", r.text);
    assert!(anon.get(&format!("/portal/disclosure/units/{zjj}")).await.contains("政府信息公开指南"));
    assert!(anon.get("/portal/disclosure/feed.atom").await.contains("物业服务管理的实施意见"));
    // Withdrawal needs a reason, is kept in the history, and takes it out of search.
    let r = head.post_form(&format!("/disclosure/publications/{id}/step/withdraw"), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = head.post_form(&format!("/disclosure/publications/{id}/step/withdraw"), &[("reason", "文件被上级机关撤销")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert!(!anon.get("/portal/disclosure/search?q=物业服务").await.contains("实施意见"));
    assert_eq!(anon.get(&format!("/portal/disclosure/p/{id}")).await.status, StatusCode::NOT_FOUND);
    assert!(staff.get(&format!("/disclosure/publications/{id}")).await.contains("文件被上级机关撤销"));
    // A publication formed today and published today is on time.
    let r = staff
        .post_multipart(
            "/disclosure/publications/new",
            &[
                ("org_id", &zjj.to_string()),
                ("category_id", &cat.to_string()),
                ("title", "住建局2026年度行政许可事项目录"),
                ("formed_on", &fazhi::time::fmt_date(fazhi::time::today())),
                ("body", "行政许可事项目录。"),
            ],
            &[],
        )
        .await;
    let id2 = id_from(&r.location());
    staff.post_form(&format!("/disclosure/publications/{id2}/step/submit"), &[]).await;
    head.post_form(&format!("/disclosure/publications/{id2}/step/approve"), &[("secrecy_checked", "1"), ("third_party_checked", "1")]).await;
    let year = i64::from(chrono::Datelike::year(&fazhi::time::today()));
    let t = fazhi::disclosure::publications::timeliness(&app.state.db, None, year).await.unwrap();
    assert_eq!((t.on_time, t.late), (1, 1));
}

/// The paragraphs of the seed report as a corpus: a sub-heading sentence is the title, the
/// rest the body; chapter headings (一、… 五、) are headings, not paragraphs.
async fn seed_corpus(app: &TestApp) -> Vec<String> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/seed/000_5770321b2e468db9.txt"))
        .or_else(|_| std::fs::read_to_string("/work/shared/seed/000_5770321b2e468db9.txt"))
        .expect("the seed report");
    let chapters = ["一、", "二、", "三、", "四、", "五、"];
    let paras: Vec<String> = text.lines().map(str::trim).filter(|l| !l.is_empty() && !chapters.iter().any(|c| l.starts_with(c))).map(str::to_string).collect();
    let docs: Vec<Doc> = paras
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (title, body) = if p.starts_with('(') || p.starts_with('（') {
                match p.find('。') {
                    Some(e) => (p[..e + '。'.len_utf8()].to_string(), p[e + '。'.len_utf8()..].to_string()),
                    None => (p.clone(), String::new()),
                }
            } else {
                (String::new(), p.clone())
            };
            Doc { kind: "publication", ref_id: i as i64 + 1, org_id: None, category_id: None, published_on: "2021-01-15".into(), title, body }
        })
        .collect();
    app.state
        .db
        .write(move |tx| {
            async move {
                for d in &docs {
                    index::put(tx, d).await?;
                }
                Ok(())
            }
            .boxed()
        })
        .await
        .unwrap();
    paras
}

#[tokio::test]
async fn search_relevance_on_the_seed_report() {
    let app = TestApp::empty().await;
    let paras = seed_corpus(&app).await;
    for (query, starts) in [
        ("营商环境", "(一)优化法治营商环境"),
        ("不见面审批", "(二)规范行政审批运行"),
        ("法律顾问", "(四)用好法律顾问指导关"),
        ("矛盾纠纷", "(一)构建多元化矛盾纠纷化解机制"),
    ] {
        let r = fazhi::disclosure::search::search(&app.state.db, query, &Default::default(), 5, 0).await.unwrap();
        assert!(!r.hits.is_empty(), "{query}: no hit");
        let top = &paras[(r.hits[0].ref_id - 1) as usize];
        assert!(top.starts_with(starts), "{query}: first hit is {top}");
        assert!(r.hits[0].snippet_html.contains("<mark>") || r.hits[0].title_html.contains("<mark>"), "{query}: highlighted");
    }
    // Two words must both occur; filters apply.
    let r = fazhi::disclosure::search::search(&app.state.db, "法律顾问 公职律师", &Default::default(), 5, 0).await.unwrap();
    assert!(paras[(r.hits[0].ref_id - 1) as usize].starts_with("(四)用好法律顾问指导关"));
    let f = fazhi::disclosure::search::Filters { from: Some("2022-01-01".into()), ..Default::default() };
    assert!(fazhi::disclosure::search::search(&app.state.db, "营商环境", &f, 5, 0).await.unwrap().hits.is_empty());
}

/// Filters narrow the search inside the index: an old document of one unit is found even when
/// more than a window of newer documents match the same word; the window is counted and said.
#[tokio::test]
async fn search_filters_and_the_rank_window() {
    use fazhi::disclosure::search::{Filters, engine::RANK_WINDOW, search};
    let app = TestApp::empty().await;
    let n = RANK_WINDOW as usize + 50;
    let docs: Vec<Doc> = (0..n)
        .map(|i| Doc {
            kind: if i % 2 == 0 { "publication" } else { "letter" },
            ref_id: i as i64 + 1,
            // The oldest document is the only one of unit 9 and category 5.
            org_id: Some(if i == 0 { 9 } else { 1 }),
            category_id: Some(if i == 0 { 5 } else { 2 }),
            published_on: if i == 0 { "2017-03-09".into() } else { format!("2020-{:02}-{:02}", 1 + i % 12, 1 + i % 28) },
            title: format!("关于优化营商环境的第{i}号通知"),
            body: if i == 0 { "推进不见面审批，优化营商环境。".into() } else { "优化营商环境，提升政务服务水平。".into() },
        })
        .collect();
    let segmented: Vec<(Doc, String, String)> = docs
        .into_iter()
        .map(|d| (fazhi::disclosure::search::segment(&d.title), fazhi::disclosure::search::segment(&d.body), d))
        .map(|(t, b, d)| (d, t, b))
        .collect();
    // The oldest document first, then ids jump three blocks of the PostgreSQL posting lists, so
    // that a filtered search walks across empty blocks to find it.
    let mut segmented = segmented;
    let rest = segmented.split_off(1);
    app.state.db.write(move |tx| async move { index::put_new_many(tx, &segmented).await }.boxed()).await.unwrap();
    let jump = 3 * fazhi::disclosure::search::postings::BLOCK;
    app.state
        .db
        .write(move |tx| {
            async move {
                if tx.backend() == fazhi::db::Backend::Postgres {
                    q("SELECT setval(pg_get_serial_sequence('search_docs', 'id'), $1)").bind(jump).execute(&mut *tx).await?;
                } else {
                    q("INSERT INTO search_docs (id, kind, ref_id, published_on, title, body) VALUES ($1, 'publication', 0, '2020-01-01', '', '')")
                        .bind(jump)
                        .execute(&mut *tx)
                        .await?;
                }
                index::put_new_many(tx, &rest).await?;
                q("DELETE FROM search_docs WHERE ref_id = 0").execute(&mut *tx).await.map(|_| ())
            }
            .boxed()
        })
        .await
        .unwrap();
    let ids: (i64, i64) = q("SELECT MIN(id), MAX(id) FROM search_docs").fetch_one(&app.state.db).await.unwrap();
    assert!(ids.1 - ids.0 > jump, "{ids:?}");

    let all = search(&app.state.db, "营商环境", &Filters::default(), 10, 0).await.unwrap();
    assert_eq!((all.total, all.capped, all.hits.len()), (RANK_WINDOW, true, 10));
    assert!(all.hits.iter().all(|h| h.ref_id != 1), "the oldest is outside the window");
    for f in [
        Filters { org_id: Some(9), ..Default::default() },
        Filters { category_id: Some(5), ..Default::default() },
        Filters { from: Some("2017-03-01".into()), to: Some("2017-03-31".into()), ..Default::default() },
        Filters { to: Some("2019-12-31".into()), ..Default::default() },
        Filters { from: Some("2017-03-09".into()), to: Some("2017-03-09".into()), kind: Some("publication".into()), ..Default::default() },
    ] {
        let r = search(&app.state.db, "营商环境", &f, 10, 0).await.unwrap();
        assert_eq!((r.total, r.capped), (1, false), "{f:?}");
        assert_eq!(r.hits[0].ref_id, 1, "{f:?}");
    }
    for f in [
        Filters { org_id: Some(9), kind: Some("letter".into()), ..Default::default() },
        Filters { from: Some("2017-03-10".into()), to: Some("2019-12-31".into()), ..Default::default() },
        Filters { from: Some("2030-01-01".into()), ..Default::default() },
    ] {
        assert_eq!(search(&app.state.db, "营商环境", &f, 10, 0).await.unwrap().total, 0, "{f:?}");
    }
    // Both words must occur; pages do not overlap.
    let f = Filters { org_id: Some(1), ..Default::default() };
    assert_eq!(search(&app.state.db, "营商环境 不见面审批", &f, 10, 0).await.unwrap().total, 0);
    let p1 = search(&app.state.db, "营商环境", &f, 10, 0).await.unwrap();
    let p2 = search(&app.state.db, "营商环境", &f, 10, 10).await.unwrap();
    assert!(p1.hits.iter().all(|a| p2.hits.iter().all(|b| a.ref_id != b.ref_id)));

    // A document queued for indexing again (after a change of the index layout) is found once.
    app.state
        .db
        .write(|tx| async move { q("INSERT INTO search_reindex (doc_id) SELECT id FROM search_docs WHERE ref_id <= 3").execute(tx).await.map(|_| ()) }.boxed())
        .await
        .unwrap();
    assert_eq!(index::reindex_queued(&app.state, 100).await.unwrap(), 3);
    let f = Filters { org_id: Some(9), ..Default::default() };
    assert_eq!(search(&app.state.db, "营商环境", &f, 10, 0).await.unwrap().total, 1);
    assert_eq!(q("SELECT COUNT(*) FROM search_reindex").fetch_i64(&app.state.db).await.unwrap(), 0);

    // A document changed in place: found by its new words and filters, no longer by the old.
    let changed = Doc {
        kind: "publication",
        ref_id: 1,
        org_id: Some(8),
        category_id: Some(5),
        published_on: "2017-03-09".into(),
        title: "关于法律顾问工作的通知".into(),
        body: "建立法律顾问制度。".into(),
    };
    app.state.db.write(move |tx| async move { index::put(tx, &changed).await.map(|_| ()) }.boxed()).await.unwrap();
    for (words, f, found) in [
        ("营商环境", Filters { org_id: Some(9), ..Default::default() }, 0),
        ("营商环境", Filters { org_id: Some(8), ..Default::default() }, 0),
        ("法律顾问", Filters { org_id: Some(9), ..Default::default() }, 0),
        ("法律顾问", Filters { org_id: Some(8), ..Default::default() }, 1),
        ("法律顾问", Filters::default(), 1),
    ] {
        assert_eq!(search(&app.state.db, words, &f, 10, 0).await.unwrap().total, found, "{words} {f:?}");
    }
}

#[tokio::test]
async fn annual_report_invariants_and_exports() {
    let app = TestApp::new().await;
    let mut staff = app.login("zjj_staff").await;
    let today = fazhi::time::today();
    let year = i64::from(chrono::Datelike::year(&today));
    let last_dec = format!("{}-12-01", year - 1);
    // One received last year and still open (carried over), one this year replied, one open.
    let a = register(&app, &mut staff, "D-ZJJ", &last_dec, "research").await;
    let b = register(&app, &mut staff, "D-ZJJ", &fazhi::time::fmt_date(today), "natural").await;
    let _c = register(&app, &mut staff, "D-ZJJ", &fazhi::time::fmt_date(today), "legal_service").await;
    for (id, outcome, reason) in [(a, "unable_not_held", "经检索本机关未制作该信息"), (b, "disclose", "")] {
        // 予以公开 gives the information with the reply (Art. 36).
        let files: &[(&str, &str, &[u8])] = if outcome == "disclose" { &[("files", "三公经费说明.pdf", b"%PDF-1.4\n%%EOF\n")] } else { &[] };
        let r = staff
            .post_multipart(
                &format!("/disclosure/requests/{id}/step/reply"),
                &[("outcome", outcome), ("outcome_reason", reason), ("reply_text", "答复如下")],
                files,
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    }
    let root = fazhi::org::queries::root(&app.state.db).await.unwrap().unwrap();
    let prev = fazhi::disclosure::report::load(&app.state.db, root.clone(), year - 1).await.unwrap();
    assert!(prev.invariants().iter().take(8).all(|i| i.ok), "{:?}", prev.invariants());
    assert_eq!((prev.t3.get("received", "research"), prev.t3.get("carried_out", "research")), (1, 1));
    let cur = fazhi::disclosure::report::load(&app.state.db, root.clone(), year).await.unwrap();
    assert!(cur.invariants().iter().take(8).all(|i| i.ok), "{:?}", cur.invariants());
    assert_eq!(cur.t3.get("carried", "research"), 1);
    assert_eq!(cur.t3.get("unable_not_held", "research"), 1);
    assert_eq!(cur.t3.row_total("received"), 2);
    assert_eq!(cur.t3.row_total("carried_out"), 1);
    // Narrative and hand-entered figures; table 四's invariant checks them.
    let mut sfj = app.login("sfj").await;
    let url = format!("/disclosure/report/edit?org={}&year={year}", root.id);
    let r = sfj.post_form(&url, &[("s:overall", "本年度，全市政府信息公开工作稳步推进。"), ("v:t2.license", "x")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields: Vec<(String, String)> = vec![
        ("s:overall".into(), "本年度，全市政府信息公开工作稳步推进。".into()),
        ("v:t2.license".into(), "1532".into()),
        ("v:t2.fees".into(), "12.5".into()),
    ];
    for (k, v) in [("kept", "2"), ("corrected", "1"), ("other", "0"), ("pending", "1"), ("total", "5")] {
        fields.push((format!("v:t4.recon.{k}"), v.into()));
    }
    let refs: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let r = sfj.post_form(&url, &refs).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let r = sfj.get(&format!("/disclosure/report?org={}&year={year}", root.id)).await;
    assert!(r.contains("稳步推进") && r.contains("1532<sup"), "{}", r.text);
    assert!(r.contains("表四行政复议：总计 = 四项结果之和") && r.contains("四项之和 4，总计 5"), "{}", r.text);
    // Exports.
    let raw = get_bytes(&app, &sfj, &format!("/disclosure/report/export.docx?org={}&year={year}", root.id)).await;
    let xml = docx_text(&raw);
    assert!(xml.contains("三、收到和处理政府信息公开申请情况") && xml.contains("<w:vMerge w:val=\"restart\"/>") && xml.contains("1532*"));
    let r = sfj.get(&format!("/disclosure/report/export.html?org={}&year={year}", root.id)).await;
    assert!(r.contains("<table class=\"report\">"));
}

#[tokio::test]
async fn demo_year_is_consistent() {
    let app = TestApp::new().await;
    fazhi::disclosure::demo::seed_year(&app.state).await.unwrap();
    let n = q("SELECT COUNT(*) FROM disclosure_publications WHERE state = 'published'").fetch_i64(&app.state.db).await.unwrap();
    assert!(n > 900, "{n}");
    // Every published document has its 索引号 (unique), a subject, and a 文号 where its kind has
    // one; no unit publishes two documents under one title.
    let db = app.state.db.clone();
    let count = |sql: &'static str| {
        let db = db.clone();
        async move { q(sql).fetch_i64(&db).await.unwrap() }
    };
    assert_eq!(count("SELECT COUNT(*) FROM disclosure_publications WHERE state IN ('published', 'withdrawn') AND index_no IS NULL").await, 0);
    assert_eq!(count("SELECT COUNT(DISTINCT index_no) FROM disclosure_publications").await, count("SELECT COUNT(index_no) FROM disclosure_publications").await);
    assert_eq!(count("SELECT COUNT(*) FROM disclosure_publications WHERE theme IS NULL").await, 0);
    assert_eq!(count("SELECT COUNT(*) FROM disclosure_publications WHERE doc_kind IN ('normative', 'decision') AND doc_no IS NULL").await, 0);
    assert_eq!(count("SELECT COUNT(*) FROM (SELECT org_id, title FROM disclosure_publications GROUP BY org_id, title HAVING COUNT(*) > 1) d").await, 0);
    // 低保 comes from 民政局 or a town, 征收 from 自然资源和规划局, 住建局 or a town.
    assert_eq!(
        count("SELECT COUNT(*) FROM disclosure_publications p JOIN orgs o ON o.id = p.org_id WHERE p.title LIKE '%低保%' AND o.code <> 'D-MZJ' AND o.kind NOT IN ('town', 'park')").await,
        0
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM disclosure_publications p JOIN orgs o ON o.id = p.org_id WHERE p.title LIKE '%征收%' AND o.code NOT IN ('D-ZRJ', 'D-ZJJ') AND o.kind <> 'town'").await,
        0
    );
    // A publication's page carries its catalogue data and prints as the document.
    let (id, index_no, doc_no): (i64, String, String) =
        q("SELECT id, index_no, doc_no FROM disclosure_publications WHERE state = 'published' AND doc_kind = 'decision' ORDER BY id LIMIT 1")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    let r = app.client().get(&format!("/portal/disclosure/p/{id}")).await;
    for s in ["索引号", index_no.as_str(), "主题分类", "发文机关", "示范市", "文号", doc_no.as_str(), "成文日期", "发布日期", "data-print", "doc-sign"]
    {
        assert!(r.contains(s), "{s}: {}", r.text);
    }
    assert_eq!(q("SELECT COUNT(*) FROM disclosure_requests").fetch_i64(&app.state.db).await.unwrap(), 210);
    let r = fazhi::disclosure::search::search(&app.state.db, "行政许可", &Default::default(), 5, 0).await.unwrap();
    assert!(!r.hits.is_empty());
    let root = fazhi::org::queries::root(&app.state.db).await.unwrap().unwrap();
    let year = i64::from(chrono::Datelike::year(&fazhi::time::today()));
    for y in [year - 1, year] {
        let a = fazhi::disclosure::report::load(&app.state.db, root.clone(), y).await.unwrap();
        assert!(a.invariants().iter().take(8).all(|i| i.ok), "{y}: {:?}", a.invariants());
    }
    // With DISCLOSURE_DOCX_OUT=dir, write a unit's report and a letter for a look in a word processor.
    if let Ok(dir) = std::env::var("DISCLOSURE_DOCX_OUT") {
        let org = fazhi::org::queries::by_code(&app.state.db, "D-ZJJ").await.unwrap().unwrap();
        let a = fazhi::disclosure::report::load(&app.state.db, org, year).await.unwrap();
        let mut d = fazhi::reports::docx::Docx::new("report");
        d.document(&a.document(false));
        std::fs::write(format!("{dir}/report.docx"), d.finish().unwrap()).unwrap();
        let l = fazhi::disclosure::queries::LetterRow {
            id: 1,
            case_id: 1,
            kind: "reply".into(),
            title: "政府信息公开申请答复书".into(),
            body: "张三：\n本机关于2026年3月2日收到您提出的政府信息公开申请。\n经审查，现予以公开。\n\n示范市住房和城乡建设局\n2026年3月20日".into(),
            template_code: "reply".into(),
            template_version: 0,
            issued_at: 0,
        };
        std::fs::write(format!("{dir}/letter.docx"), fazhi::disclosure::letters::letter_docx(&l, "住建局依申〔2026〕1号").unwrap()).unwrap();
    }
    // Running it again adds nothing.
    fazhi::disclosure::demo::seed_year(&app.state).await.unwrap();
    assert_eq!(q("SELECT COUNT(*) FROM disclosure_requests").fetch_i64(&app.state.db).await.unwrap(), 210);
}

/// A filter form's 全部 option sends an empty value: it filters nothing, on every list page;
/// a value that is not a number is refused.
#[tokio::test]
async fn blank_filters_mean_all() {
    let app = TestApp::new().await;
    let mut anon = app.client();
    let mut staff = app.login("zjj_staff").await;
    for (is_staff, path) in [
        (false, "/portal/disclosure/search?q=营商环境&org=&category=&kind=&from=&to="),
        (false, "/portal/disclosure/list?org=&category=&year="),
        (true, "/disclosure/requests?org=&year=&state="),
        (true, "/disclosure/publications?org=&category=&year="),
        (true, "/disclosure/report?org=&year="),
    ] {
        let r = if is_staff { staff.get(path).await } else { anon.get(path).await };
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", &r.text[..r.text.len().min(300)]);
    }
    assert_eq!(anon.get("/portal/disclosure/search?q=x&org=abc").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A bad date or an over-long query is refused on its field, not ignored.
    let r = anon.get("/portal/disclosure/search?q=x&to=2020-13-01").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.contains("日期格式应为"), "{}", r.text);
    let r = anon.get(&format!("/portal/disclosure/search?q={}", "营商".repeat(60))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("搜索词过长（不超过 100 个字）") && !r.contains("搜索词不能超过"), "{}", r.text);
}

/// A filter value that is not the id of a unit or category (negative, zero, text) or not a known
/// kind is refused on its field, by the portal's search (the form again, the value and the words
/// kept) and by the API (the JSON error with the field) — never put into the index's query, where
/// `?org=-1` made a 500 (issue 10 #7).
#[tokio::test]
async fn bad_search_filters_are_refused_on_their_field() {
    let app = TestApp::new().await;
    let mut anon = app.client();
    let mut staff = app.login("zjj_staff").await;
    let cases = [
        ("org=-1", "org", "-1"),
        ("category=-1", "category", "-1"),
        ("org=0", "org", "0"),
        ("category=abc", "category", "abc"),
        ("org=1%20OR%201", "org", "1 OR 1"),
        ("kind=all", "kind", "all"),
    ];
    for (filter, field, value) in cases {
        let r = anon.get(&format!("/portal/disclosure/search?q=营商环境&{filter}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{filter}: {}", r.text);
        assert!(r.contains(&format!("<div class=\"field bad\"><label for=\"{field}\">")), "{filter}: the field is marked: {}", r.text);
        assert!(r.contains(&format!("<div class=\"err\">“{value}”不是有效的")), "{filter}: the error is on the field: {}", r.text);
        assert!(r.contains(&format!("<option value=\"{value}\" selected>")), "{filter}: the value is kept: {}", r.text);
        assert!(r.contains("name=\"q\" value=\"营商环境\""), "{filter}: the words are kept");

        let r = staff.get(&format!("/api/v1/disclosure/search?q=营商环境&{filter}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{filter}: {}", r.text);
        let v = r.json();
        assert_eq!((v["fields"][0]["field"].as_str(), v["fields"][0]["code"].as_str()), (Some(field), Some("invalid_filter")), "{filter}: {v}");
        assert_eq!(v["fields"].as_array().unwrap().len(), 1, "{v}");
    }
    // Valid filters still search.
    assert_eq!(anon.get("/portal/disclosure/search?q=营商环境&org=1&category=1&kind=letter").await.status, StatusCode::OK);
    assert_eq!(staff.get("/api/v1/disclosure/search?q=营商环境&org=1").await.status, StatusCode::OK);
}
