//! 行政规范性文件: from plan to 备案 and cleanup on the kernel — each step, each refusal with its
//! article, the comment window tied to its version, the review checklist, the filing clock, the
//! text in force on a day, a document that lapses by itself, and other units' documents 404.

use axum::http::StatusCode;
use chrono::{Datelike, Duration};
use futures::FutureExt;
use serde_json::{Value, json};

use crate::common::*;
use fazhi::db::q;
use fazhi::time::{fmt_date, today};

const TEXT: &str =
    "第一条 为了规范本市建筑垃圾处置，根据有关法律法规，制定本办法。\n第二条 建筑垃圾处置实行减量化、资源化、无害化。\n第三条 本办法自公布之日起施行。";

/// The demo registrar (统一登记、编号、备案 over the whole city).
async fn registrar(app: &TestApp) -> Client {
    app.login(fazhi::decisions::demo::REGISTRAR).await
}

/// Change a fact directly (a date in the past the pages would not take), through the writer.
async fn set(app: &TestApp, sql: &'static str, values: Vec<String>, id: i64) {
    app.state
        .db
        .write(move |tx| {
            async move {
                let mut query = q(sql);
                for v in values {
                    query = query.bind(v);
                }
                query.bind(id).execute(&mut *tx).await
            }
            .boxed()
        })
        .await
        .unwrap();
}

async fn create(app: &TestApp, c: &mut Client, market: bool) -> i64 {
    let org = org_id(app, "D-ZJJ").await;
    let r = c
        .post_json(
            "/api/v1/decisions/normdocs",
            &json!({"org_id": org, "title": "示范市建筑垃圾管理办法", "plan_year": today().year(), "market_related": market, "text": TEXT}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()["id"].as_i64().unwrap()
}

async fn step(c: &mut Client, id: i64, action: &str, body: Value) -> (StatusCode, Value) {
    let r = c.post_json(&format!("/api/v1/decisions/normdocs/{id}/steps/{action}"), &body).await;
    let v = serde_json::from_str(&r.text).unwrap_or(Value::Null);
    (r.status, v)
}

async fn ok(c: &mut Client, id: i64, action: &str, body: Value) -> Value {
    let (s, v) = step(c, id, action, body).await;
    assert_eq!(s, StatusCode::OK, "{action}: {v}");
    v
}

fn passing_checklist() -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    for i in fazhi::decisions::rules::CHECKLIST {
        m.insert(i.code.into(), json!("no"));
    }
    m
}

/// Drive a document to 已集体讨论通过 with a window that ended ten days ago.
async fn to_decided(app: &TestApp, staff: &mut Client, legal: &mut Client, head: &mut Client) -> i64 {
    let id = create(app, staff, true).await;
    ok(staff, id, "assess", json!({"fields": {"assessment": "必要、可行、合法"}})).await;
    let opens = fmt_date(today() - Duration::days(40));
    ok(staff, id, "open_comment", json!({"days": 30, "fields": {"opens_on": opens}})).await;
    ok(staff, id, "close_comment", json!({"fields": {"adoption_report": "收到意见2条，采纳1条"}})).await;
    ok(staff, id, "submit_review", json!({})).await;
    let mut f = passing_checklist();
    f.insert("result".into(), json!("pass"));
    f.insert("opinion".into(), json!("符合法定权限和程序，内容合法"));
    ok(legal, id, "review", json!({"fields": f})).await;
    ok(head, id, "deliberate", json!({"fields": {"meeting": "市政府第12次常务会议", "result": "adopted"}})).await;
    id
}

#[tokio::test]
async fn a_normative_document_from_plan_to_filing_and_cleanup() {
    let app = TestApp::new().await;
    let mut staff = app.login("zjj_staff").await;
    let mut head = app.login("zjj_head").await;
    let mut legal = app.login("legal").await;
    let mut reg = registrar(&app).await;

    // The plan item from the staff page, with its first draft read as clauses.
    let zjj = org_id(&app, "D-ZJJ").await.to_string();
    let year = today().year().to_string();
    let r = staff
        .post_form(
            "/decisions/normdocs/new",
            &[("org_id", &zjj), ("title", "示范市物业服务收费管理办法"), ("plan_year", &year), ("market_related", "1"), ("text", TEXT)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let id: i64 = r.location().rsplit('/').next().unwrap().parse().unwrap();
    let page = staff.get(&format!("/decisions/normdocs/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.contains("第二条") && page.contains("减量化"), "{}", page.text);
    // A text whose clauses skip a number is refused on its field.
    let r = staff.post_form("/decisions/normdocs/new", &[("org_id", &zjj), ("title", "乱序"), ("plan_year", &year), ("text", "第一条 甲\n第三条 乙")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("条文序号不连续"), "{}", r.text);

    // Collective deliberation before any legality review: refused, citing Art. 75.
    let (s, v) = step(&mut head, id, "deliberate", json!({"fields": {"meeting": "常务会议", "result": "adopted"}})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["code"], "wrong_state", "{v}");
    ok(&mut staff, id, "assess", json!({"fields": {"assessment": "经评估，确有必要"}})).await;

    // A market-related document: a 20-day window without a reason is refused (Art. 62).
    let (s, v) = step(&mut staff, id, "open_comment", json!({"days": 20})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["code"], "window_too_short", "{v}");
    assert!(v.to_string().contains("第六十二条"), "{v}");
    assert_eq!(v["fields"][0]["field"], "shorter_reason", "{v}");
    // A window that opened 40 days ago for 30 days (announced in the newspaper).
    let opens = today() - Duration::days(40);
    ok(&mut staff, id, "open_comment", json!({"days": 30, "fields": {"opens_on": fmt_date(opens)}})).await;
    let (w_version, closes): (i64, String) =
        q("SELECT version_no, closes_on FROM normdoc_windows WHERE case_id = $1").bind(id).fetch_one(&app.state.db).await.unwrap();
    assert_eq!(w_version, 1);
    assert_eq!(closes, fmt_date(opens + Duration::days(30)));
    // Comments attach to a clause of the version the window asked about; one received after
    // the window closed, or on a clause the version does not have, is refused.
    let url = format!("/api/v1/decisions/normdocs/{id}/comments");
    let r = staff
        .post_json(
            &url,
            &json!({"clause_no": 2, "author": "某物业公司", "body": "建议明确资源化利用的补贴", "received_on": fmt_date(opens + Duration::days(3))}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = staff.post_json(&url, &json!({"clause_no": 2, "body": "迟到的意见"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["code"], "window_closed", "{}", r.text);
    let r = staff.post_json(&url, &json!({"clause_no": 9, "body": "第九条", "received_on": fmt_date(opens + Duration::days(3))})).await;
    assert_eq!(r.json()["fields"][0]["code"], "no_such_clause", "{}", r.text);
    // No new draft while the window asks about this one.
    let r = staff.post_json(&format!("/api/v1/decisions/normdocs/{id}/versions"), &json!({"text": TEXT})).await;
    assert_eq!(r.json()["code"], "version_not_allowed", "{}", r.text);
    ok(&mut staff, id, "close_comment", json!({"fields": {"adoption_report": "收到意见1条，已采纳"}})).await;
    let note: (i64, i64, String) =
        q("SELECT version_no, clause_no, body FROM normdoc_notes WHERE case_id = $1").bind(id).fetch_one(&app.state.db).await.unwrap();
    assert_eq!((note.0, note.1), (1, 2));

    // Legality review: 15 working days (a local default), by the reviewer only, checklist whole.
    let v = ok(&mut staff, id, "submit_review", json!({})).await;
    let due = fazhi::time::parse_date(v["due_on"].as_str().unwrap()).unwrap();
    assert_eq!(due, app.state.calendar().add_working_days(today(), 15));
    let mut f = passing_checklist();
    f.insert("result".into(), json!("pass"));
    f.insert("opinion".into(), json!("合法"));
    let (s, v) = step(&mut staff, id, "review", json!({"fields": f.clone()})).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("not_permitted")), "{v}");
    let mut bad = f.clone();
    bad.insert("chk_licence".into(), json!("yes"));
    let (s, v) = step(&mut legal, id, "review", json!({"fields": bad})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v.to_string().contains("是否设定行政许可"), "{v}");
    let mut missing = f.clone();
    missing.remove("chk_internal");
    let (s, _) = step(&mut legal, id, "review", json!({"fields": missing})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let mut with_note = f.clone();
    with_note.insert("clause_notes".into(), json!("第二条：建议补充上位法依据"));
    ok(&mut legal, id, "review", json!({"fields": with_note})).await;
    let n: i64 = q("SELECT COUNT(*) FROM normdoc_notes WHERE case_id = $1 AND kind = 'review' AND version_no = 1 AND clause_no = 2")
        .bind(id)
        .fetch_i64(&app.state.db)
        .await
        .unwrap();
    assert_eq!(n, 1);

    // Deliberation, then unified numbering by the registrar only.
    ok(&mut head, id, "deliberate", json!({"fields": {"meeting": "市政府第12次常务会议", "result": "adopted"}})).await;
    let published = today() - Duration::days(40);
    let (s, v) = step(&mut head, id, "publish", json!({"fields": {"published_on": fmt_date(published)}})).await;
    assert_eq!(v["code"], "not_permitted", "{s} {v}");
    let (s, v) = step(&mut reg, id, "publish", json!({"fields": {"published_on": fmt_date(today() + Duration::days(1))}})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // The meeting was today: a publication 40 days ago is before it.
    let (s, v) = step(&mut reg, id, "publish", json!({"fields": {"published_on": fmt_date(published)}})).await;
    assert_eq!(v["fields"][0]["code"], "before_meeting", "{s} {v}");
    set(&app, "UPDATE normdocs SET meeting_on = $1 WHERE case_id = $2", vec![fmt_date(published - Duration::days(2))], id).await;
    let v = ok(&mut reg, id, "publish", json!({"fields": {"published_on": fmt_date(published)}})).await;
    assert_eq!(v["state"], "published");
    assert_eq!(v["doc_no"], format!("住建局规〔{}〕1号", published.year()), "{v}");
    let filing_due = app.state.calendar().add_calendar_days(published, 30, true);
    assert_eq!(v["filing_due_on"], fmt_date(filing_due));

    // 备案 past its period needs the reason for the delay.
    let (s, v) = step(&mut reg, id, "file", json!({"fields": {"filed_to": "扬州市人民政府"}})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["message"].as_str().unwrap().contains("已超过备案期限"), "{v}");
    assert!(v.to_string().contains("30日内报送备案"), "{v}");
    let v = ok(&mut reg, id, "file", json!({"fields": {"filed_to": "扬州市人民政府", "late_reason": "报送材料退回补正"}})).await;
    assert_eq!(v["state"], "in_force");
    assert_eq!(v["filed_on_time"], false);

    // The public library on the portal: no login needed, drafts not shown.
    let mut anyone = app.client();
    let lib = anyone.get("/portal/normdocs").await;
    assert_eq!(lib.status, StatusCode::OK);
    assert!(lib.contains("示范市物业服务收费管理办法") && lib.contains("现行有效"), "{}", lib.text);
    let pub_page = anyone.get(&format!("/portal/normdocs/{id}")).await;
    assert!(pub_page.contains("减量化") && pub_page.contains("住建局规〔"), "{}", pub_page.text);
    let before = anyone.get(&format!("/portal/normdocs/{id}?on={}", fmt_date(published - Duration::days(1)))).await;
    assert!(before.contains("不在有效期内") && !before.contains("减量化"), "{}", before.text);

    // The text in force on a day; an amendment adopted in a cleanup takes effect from its day.
    let doc = |on: &str| format!("/api/v1/decisions/normdocs/{id}?on={on}");
    let r = staff.get(&doc(&fmt_date(published - Duration::days(1)))).await;
    assert!(r.json()["text_version"].is_null(), "{}", r.text);
    let r = staff.get(&doc(&fmt_date(today()))).await;
    assert_eq!(r.json()["text_version"], 1, "{}", r.text);
    let (s, v) = step(&mut reg, id, "cleanup", json!({"reason": "上位法修改", "fields": {"outcome": "amend", "campaign": "2026年度清理"}})).await;
    assert_eq!(v["fields"][0]["code"], "no_amended_text", "{s} {v}");
    let amended = TEXT.replace("减量化、资源化、无害化", "减量化、资源化、无害化和谁产生谁承担处置责任");
    let r = staff.post_json(&format!("/api/v1/decisions/normdocs/{id}/versions"), &json!({"text": amended, "note": "清理修改"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    ok(&mut reg, id, "cleanup", json!({"reason": "上位法修改", "fields": {"outcome": "amend", "campaign": "2026年度清理"}})).await;
    let r = staff.get(&doc(&fmt_date(today() - Duration::days(1)))).await;
    assert_eq!(r.json()["text_version"], 1);
    let r = staff.get(&doc(&fmt_date(today()))).await;
    assert_eq!(r.json()["text_version"], 2);
    assert!(r.json()["clauses"][1]["body"].as_str().unwrap().contains("谁产生谁承担"), "{}", r.text);
    let page = staff.get(&format!("/decisions/normdocs/{id}?on={}", fmt_date(today() - Duration::days(1)))).await;
    assert!(page.contains("施行的文本（第1稿）"), "{}", page.text);

    // The register: in force, in the export; then repealed by a cleanup.
    let list = staff.get("/decisions/normdocs?status=in_force").await;
    assert!(list.contains("住建局规〔"), "{}", list.text);
    let x = staff.get("/decisions/normdocs?status=in_force&format=xlsx").await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.headers["content-type"].to_str().unwrap().contains("spreadsheetml"));
    let v = ok(&mut reg, id, "cleanup", json!({"reason": "已被新办法取代", "fields": {"outcome": "repeal", "campaign": "民法典涉及文件专项清理"}})).await;
    assert_eq!(v["state"], "repealed");
    assert_eq!(v["ended_on"], fmt_date(today()));
    let r = staff.get(&doc(&fmt_date(today()))).await;
    assert!(r.json()["text_version"].is_null());
    let n: i64 = q("SELECT COUNT(*) FROM normdoc_cleanups WHERE case_id = $1").bind(id).fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(n, 2);

    // The figures: issued, reviewed, filed (late), cleanup by outcome, each with its records.
    let mut sfj = app.login("sfj").await;
    let from = fmt_date(published - Duration::days(1));
    let to = fmt_date(today());
    let ind = |code: &str, by: &str| format!("/api/v1/indicators/{code}?from={from}&to={to}{by}");
    let v = sfj.get(&ind("normdoc.legality_reviewed", "")).await.json();
    assert_eq!((v["total"]["numerator"].as_i64(), v["total"]["denominator"].as_i64()), (Some(1), Some(1)), "{v}");
    let v = sfj.get(&ind("normdoc.filed_on_time_rate", "")).await.json();
    assert_eq!((v["total"]["numerator"].as_i64(), v["total"]["denominator"].as_i64()), (Some(0), Some(1)), "{v}");
    let v = sfj.get(&ind("normdoc.cleanup", "&by=outcome")).await.json();
    assert_eq!(v["total"]["numerator"], 2, "{v}");
    let labels: Vec<&str> = v["groups"].as_array().unwrap().iter().map(|g| g["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"修改") && labels.contains(&"废止"), "{v}");
    let v = sfj.get(&ind("normdoc.cleanup_ended", "")).await.json();
    assert_eq!(v["total"]["numerator"], 1, "{v}");
    let r = sfj.get(&format!("/api/v1/indicators/normdoc.cleanup/records?from={from}&to={to}&by=outcome&key=repeal")).await;
    assert_eq!(r.json()["items"][0]["id"], id, "{}", r.text);
    let page = sfj.get(&format!("/indicators/normdoc.cleanup?from={from}&to={to}&by=outcome")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.contains("规范性文件清理数"));
}

#[tokio::test]
async fn the_demo_city_has_documents_at_every_stage() {
    use fazhi::registry::Feature;
    let app = TestApp::new().await;
    fazhi::decisions::Decisions.demo(&app.state, fazhi::registry::DemoSize::Light).await.unwrap();
    let states: Vec<(String, i64)> =
        q("SELECT state, COUNT(*) FROM cases WHERE procedure = 'normdoc' GROUP BY state ORDER BY state").fetch_all(&app.state.db).await.unwrap();
    let has = |s: &str| states.iter().any(|(k, n)| k == s && *n > 0);
    for s in ["drafting", "commenting", "in_force", "repealed"] {
        assert!(has(s), "{s}: {states:?}");
    }
    let bad: i64 = q("SELECT COUNT(*) FROM normdocs WHERE published_on IS NOT NULL AND (review_result IS NULL OR review_result <> 'pass' OR doc_no IS NULL)")
        .fetch_i64(&app.state.db)
        .await
        .unwrap();
    assert_eq!(bad, 0, "every published document was reviewed and numbered");
}

#[tokio::test]
async fn comment_windows_and_reviews_follow_their_rules() {
    let app = TestApp::new().await;
    let mut staff = app.login("zjj_staff").await;
    let mut legal = app.login("legal").await;
    // Not market-related: at least 7 working days; the window cannot be closed early.
    let id = create(&app, &mut staff, false).await;
    ok(&mut staff, id, "assess", json!({"fields": {"assessment": "可行"}})).await;
    let (_, v) = step(&mut staff, id, "open_comment", json!({"days": 5})).await;
    assert_eq!(v["code"], "window_too_short", "{v}");
    assert!(v["message"].as_str().unwrap().contains("7个工作日"), "{v}");
    let v = ok(&mut staff, id, "open_comment", json!({})).await;
    assert_eq!(v["state"], "commenting");
    let (closes,): (String,) = q("SELECT closes_on FROM normdoc_windows WHERE case_id = $1").bind(id).fetch_one(&app.state.db).await.unwrap();
    assert_eq!(closes, fmt_date(app.state.calendar().add_working_days(today(), 7)));
    let (s, v) = step(&mut staff, id, "close_comment", json!({"fields": {"adoption_report": "无意见"}})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["message"].as_str().unwrap().contains("尚未届满"), "{v}");
    // A review that finds a problem returns the draft; deliberation is then refused.
    set(
        &app,
        "UPDATE normdoc_windows SET opens_on = $1, closes_on = $2 WHERE case_id = $3",
        vec![fmt_date(today() - Duration::days(20)), fmt_date(today() - Duration::days(1))],
        id,
    )
    .await;
    ok(&mut staff, id, "close_comment", json!({"fields": {"adoption_report": "无意见"}})).await;
    ok(&mut staff, id, "submit_review", json!({})).await;
    let mut f = passing_checklist();
    f.insert("chk_penalty".into(), json!("yes"));
    f.insert("result".into(), json!("fail"));
    f.insert("opinion".into(), json!("第三条设定罚款，超越权限"));
    f.insert("clause_notes".into(), json!("第七条：不存在的条文"));
    let (_, v) = step(&mut legal, id, "review", json!({"fields": f.clone()})).await;
    assert_eq!(v["fields"][0]["code"], "no_such_clause", "{v}");
    f.insert("clause_notes".into(), json!("第三条：删去罚款的规定"));
    let v = ok(&mut legal, id, "review", json!({"fields": f})).await;
    assert_eq!(v["state"], "drafting");
    let mut head = app.login("zjj_head").await;
    ok(&mut staff, id, "assess", json!({"fields": {"assessment": "修改后再评估"}})).await;
    ok(&mut staff, id, "skip_comment", json!({"reason": "涉及国家秘密事项，依法需要保密"})).await;
    let (s, v) = step(&mut head, id, "deliberate", json!({"fields": {"meeting": "常务会议", "result": "adopted"}})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["message"].as_str().unwrap().contains("未经合法性审核"), "{v}");
    assert!(v.to_string().contains("第七十五条"), "{v}");
}

#[tokio::test]
async fn a_document_past_its_validity_lapses_by_itself() {
    let app = TestApp::new().await;
    let mut staff = app.login("zjj_staff").await;
    let mut legal = app.login("legal").await;
    let mut head = app.login("zjj_head").await;
    let mut reg = registrar(&app).await;
    let id = to_decided(&app, &mut staff, &mut legal, &mut head).await;
    let published = today() - Duration::days(100);
    set(&app, "UPDATE normdocs SET meeting_on = $1 WHERE case_id = $2", vec![fmt_date(published)], id).await;
    // Validity must end after the document takes effect.
    let (_, v) = step(&mut reg, id, "publish", json!({"fields": {"published_on": fmt_date(published), "valid_until": fmt_date(published)}})).await;
    assert_eq!(v["fields"][0]["code"], "validity_before_effect", "{v}");
    let until = today() - Duration::days(10);
    ok(&mut reg, id, "publish", json!({"fields": {"published_on": fmt_date(published), "valid_until": fmt_date(until)}})).await;
    // Nobody acted: the register and the API already read it as expired.
    let r = staff.get(&format!("/api/v1/decisions/normdocs/{id}")).await;
    assert_eq!(r.json()["status_today"], "已失效（有效期届满）", "{}", r.text);
    let lapsed = staff.get("/decisions/normdocs?status=lapsed").await;
    assert!(lapsed.contains(&format!("/decisions/normdocs/{id}\"")), "{}", lapsed.text);
    let in_force = staff.get("/decisions/normdocs?status=in_force").await;
    assert!(!in_force.contains(&format!("/decisions/normdocs/{id}\"")));
    let r = staff.get(&format!("/api/v1/decisions/normdocs/{id}?on={}", fmt_date(until))).await;
    assert_eq!(r.json()["text_version"], 1);
    let r = staff.get(&format!("/api/v1/decisions/normdocs/{id}?on={}", fmt_date(until + Duration::days(1)))).await;
    assert!(r.json()["text_version"].is_null());
    // The sweep records it.
    let n = fazhi::decisions::service::sweep(&app.state, today()).await.unwrap();
    assert_eq!(n, 1);
    let (state,): (String,) = q("SELECT state FROM cases WHERE id = $1").bind(id).fetch_one(&app.state.db).await.unwrap();
    assert_eq!(state, "expired");
}

#[tokio::test]
async fn other_units_documents_answer_not_found() {
    let app = TestApp::new().await;
    let mut staff = app.login("zjj_staff").await;
    let id = create(&app, &mut staff, false).await;
    let mut other = app.login("cgj_staff").await;
    assert_eq!(other.get(&format!("/decisions/normdocs/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.get(&format!("/api/v1/decisions/normdocs/{id}")).await.status, StatusCode::NOT_FOUND);
    let (s, _) = step(&mut other, id, "assess", json!({"fields": {"assessment": "x"}})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(app.client().get(&format!("/portal/normdocs/{id}")).await.status, StatusCode::NOT_FOUND, "a draft is not public");
    let list = other.get("/api/v1/decisions/normdocs").await;
    assert_eq!(list.json()["total"], 0, "{}", list.text);
    // Not in the name of an internal unit.
    let unit = org_id(&app, "D-SFJ-FYK").await;
    let r = staff.post_json("/api/v1/decisions/normdocs", &json!({"org_id": unit, "title": "内设机构发文", "plan_year": today().year(), "text": TEXT})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
}
