//! The indicator registry: every module's figures listed with their definitions, evaluated for a
//! period, a unit and a cut under the reader's scope, each value's records, the XLSX export —
//! and the same values as the modules' own computations (the hotline's KPI API, the 政务公开
//! annual table 三).

use axum::http::StatusCode;

use crate::common::*;
use fazhi::registry::DemoSize;

fn period() -> (String, String) {
    let today = fazhi::time::today();
    (fazhi::time::fmt_date(today - chrono::Duration::days(400)), fazhi::time::fmt_date(today))
}

#[tokio::test]
async fn registry_lists_evaluates_and_drills_down() {
    let app = TestApp::new().await;
    fazhi::hotline::demo::seed_year(&app.state, DemoSize::Light).await.unwrap();
    fazhi::disclosure::demo::seed_year(&app.state).await.unwrap();
    let (from, to) = period();
    let mut sfj = app.login("sfj").await;

    // The registry: every module's indicators, with their definitions, under the 纲要's blocks.
    let list = sfj.get("/api/v1/indicators").await.json();
    let codes: Vec<&str> = list.as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap()).collect();
    for c in ["hotline.close_rate", "hotline.satisfaction", "disclosure.requests_received", "disclosure.published_on_time_rate"] {
        assert!(codes.contains(&c), "{c} not registered: {codes:?}");
    }
    assert!(list.as_array().unwrap().iter().all(|i| !i["definition"].as_str().unwrap().is_empty() && !i["basis"].as_str().unwrap().is_empty()));
    let page = sfj.get("/indicators").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.contains("一、健全政府机构职能体系") && page.contains("办结率") && page.contains("政府信息公开申请新收数"), "{}", page.text);

    // The hotline's figures are the KPI API's, cut by every dimension the API knows.
    for dim in ["org", "town", "category"] {
        let own = sfj.get(&format!("/api/v1/hotline/kpi?from={from}&to={to}&dim={dim}")).await.json();
        let reg = sfj.get(&format!("/api/v1/indicators/hotline.close_rate?from={from}&to={to}&by={dim}")).await.json();
        let groups = reg["groups"].as_array().unwrap();
        assert_eq!(groups.len(), own.as_array().unwrap().len(), "{dim}");
        for row in own.as_array().unwrap() {
            let key = row["key"].as_i64().unwrap().to_string();
            let g = groups.iter().find(|g| g["key"] == key.as_str()).unwrap_or_else(|| panic!("{dim} {key} missing"));
            let rate = &row["values"]["close_rate"];
            assert_eq!(g["numerator"], rate["numerator"], "{dim} {key}");
            assert_eq!(g["denominator"], rate["denominator"], "{dim} {key}");
        }
    }
    let own = sfj.get(&format!("/api/v1/hotline/kpi?from={from}&to={to}")).await.json();
    for code in ["received", "accepted", "supervised", "satisfaction", "on_time_rate", "callback_rate"] {
        let reg = sfj.get(&format!("/api/v1/indicators/hotline.{code}?from={from}&to={to}")).await.json();
        let v = &own[0]["values"][code];
        match v.as_i64() {
            Some(n) => assert_eq!(reg["total"]["numerator"].as_i64(), Some(n), "{code}"),
            None => {
                assert_eq!(reg["total"]["numerator"], v["numerator"], "{code}");
                assert_eq!(reg["total"]["value"].as_f64().map(|x| (x * 100.0).round()), v["percent"].as_f64().map(|x| (x * 100.0).round()), "{code}");
            }
        }
    }
    // By channel: the 市长信箱 apart from the hotline, and the channels add up to the whole.
    let reg = sfj.get(&format!("/api/v1/indicators/hotline.received?from={from}&to={to}&by=channel")).await.json();
    let sum: i64 = reg["groups"].as_array().unwrap().iter().map(|g| g["numerator"].as_i64().unwrap()).sum();
    assert_eq!(sum, reg["total"]["numerator"].as_i64().unwrap());
    let mailbox = reg["groups"].as_array().unwrap().iter().find(|g| g["label"] == "市长信箱").expect("mailbox row");
    let letters = fazhi::db::q("SELECT COUNT(*) FROM hotline_tickets WHERE channel = 'mailbox' AND received_on >= $1 AND received_on <= $2")
        .bind(from.clone())
        .bind(to.clone())
        .fetch_i64(&app.state.db)
        .await
        .unwrap();
    assert!(letters > 0);
    assert_eq!(mailbox["numerator"].as_i64(), Some(letters));
    assert!(fazhi::hotline::kpi::verify_counters(&app.state.db).await.unwrap().is_empty(), "the channel counters agree with the tickets");

    // 政务公开: the margins of table 三 of the annual report.
    let year = i64::from(chrono::Datelike::year(&fazhi::time::today()));
    let root = fazhi::org::queries::root(&app.state.db).await.unwrap().unwrap();
    let t3 = fazhi::disclosure::report::table3(&app.state.db, &root.path, year).await.unwrap();
    let (a, b) = (format!("{year}-01-01"), format!("{year}-12-31"));
    let received = sfj.get(&format!("/api/v1/indicators/disclosure.requests_received?from={a}&to={b}&by=type")).await.json();
    assert_eq!(received["total"]["numerator"].as_i64(), Some(t3.row_total("received")));
    for g in received["groups"].as_array().unwrap() {
        assert_eq!(g["numerator"].as_i64(), Some(t3.get("received", g["key"].as_str().unwrap())), "{g}");
    }
    let concluded = sfj.get(&format!("/api/v1/indicators/disclosure.requests_concluded?from={a}&to={b}&by=outcome")).await.json();
    for g in concluded["groups"].as_array().unwrap() {
        assert_eq!(g["numerator"].as_i64(), Some(t3.row_total(g["key"].as_str().unwrap())), "{g}");
    }
    assert!(concluded["total"]["numerator"].as_i64().unwrap() > 0);

    // Every value opens its records: as many as it counts.
    let reg = sfj.get(&format!("/api/v1/indicators/hotline.close_rate?from={from}&to={to}&by=org")).await.json();
    let g = &reg["groups"][0];
    let recs =
        sfj.get(&format!("/api/v1/indicators/hotline.close_rate/records?from={from}&to={to}&by=org&key={}&per=5", g["key"].as_str().unwrap())).await.json();
    assert_eq!(recs["total"], g["numerator"]);
    let den = sfj
        .get(&format!("/api/v1/indicators/hotline.close_rate/records?from={from}&to={to}&by=org&key={}&part=denominator", g["key"].as_str().unwrap()))
        .await
        .json();
    assert_eq!(den["total"], g["denominator"]);
    let page = sfj.get(&format!("/indicators/hotline.close_rate?from={from}&to={to}&by=org")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.contains("/indicators/hotline.close_rate/records?") && page.contains("导出 XLSX（含明细）"), "{}", page.text);
    let drill = sfj.get(&format!("/indicators/hotline.close_rate/records?from={from}&to={to}")).await;
    assert!(drill.contains("/hotline/tickets/"), "{}", drill.text);

    // The export: the value sheet with numbers as numbers, and the records.
    let r = sfj.send(axum::http::Method::GET, &format!("/indicators/hotline.close_rate/export.xlsx?from={from}&to={to}&by=org"), None, vec![], &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers.get("content-disposition").unwrap().to_str().unwrap().contains(".xlsx"));
}

#[tokio::test]
async fn indicators_follow_the_readers_scope_and_refuse_bad_input() {
    let app = TestApp::new().await;
    fazhi::hotline::demo::seed_year(&app.state, DemoSize::Light).await.unwrap();
    let (from, to) = period();
    let mut sfj = app.login("sfj").await;
    let mut head = app.login("zjj_head").await;
    let zjj = org_id(&app, "D-ZJJ").await;
    let cgj = org_id(&app, "D-CGJ").await;
    // A unit's head sees its own unit's figures only, whatever it asks for.
    let whole = sfj.get(&format!("/api/v1/indicators/hotline.received?from={from}&to={to}&org={zjj}")).await.json();
    let own = head.get(&format!("/api/v1/indicators/hotline.received?from={from}&to={to}")).await.json();
    assert_eq!(own["total"], whole["total"]);
    let by_org = head.get(&format!("/api/v1/indicators/hotline.received?from={from}&to={to}&by=org")).await.json();
    assert!(by_org["groups"].as_array().unwrap().iter().all(|g| g["key"] == zjj.to_string().as_str()), "{by_org}");
    // Another unit is not found, as a record of it would be.
    let r = head.get(&format!("/api/v1/indicators/hotline.received?from={from}&to={to}&org={cgj}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    assert_eq!(head.get(&format!("/indicators/hotline.received/records?org={cgj}")).await.status, StatusCode::NOT_FOUND);
    // Staff without kpi_read may not read indicators at all.
    let mut staff = app.login("zjj_staff").await;
    assert_eq!(staff.get("/api/v1/indicators").await.status, StatusCode::FORBIDDEN);
    assert_eq!(staff.get("/indicators").await.status, StatusCode::FORBIDDEN);
    // Bad input: each on its field, in Chinese.
    let r = sfj.get("/api/v1/indicators/hotline.received?from=2026-13-01").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"][0]["field"], "from");
    let r = sfj.get("/api/v1/indicators/hotline.received?from=2026-05-01&to=2026-04-01").await;
    assert_eq!(r.json()["fields"][0]["field"], "to");
    let r = sfj.get("/api/v1/indicators/hotline.received?by=planet").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["message"].as_str().unwrap().contains("分组") || r.json()["fields"][0]["message"].as_str().unwrap().contains("分组"));
    assert_eq!(sfj.get("/api/v1/indicators/no.such").await.status, StatusCode::NOT_FOUND);
    let page = sfj.get("/indicators/hotline.received?from=2026-02-30").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("起始日期格式应为") && page.contains("2026-02-30"), "{}", page.text);
}

async fn value(c: &mut Client, code: &str, from: &str, to: &str, as_of: Option<&str>) -> serde_json::Value {
    let url = format!("/api/v1/indicators/{code}?from={from}&to={to}{}", as_of.map(|d| format!("&as_of={d}")).unwrap_or_default());
    c.get(&url).await.json()
}

/// Issue 16 §1: a value "as it stood at the end of day D". An application received before D is
/// accepted and decided after D, and another is registered after D with an earlier date: the
/// as-of value is the one read before those changes, while the live value moves.
#[tokio::test]
async fn as_of_a_day_the_value_ignores_later_records_and_corrections() {
    use fazhi::services::service::{self, NewApplication, NewItem, StepForm, Who};
    let app = TestApp::new().await;
    let today = fazhi::time::today();
    let day = |n: i64| today - chrono::Duration::days(n);
    let zjj = org_id(&app, "D-ZJJ").await;
    let staff_id = fazhi::db::q("SELECT id FROM users WHERE username = 'zjj_staff'").fetch_i64(&app.state.db).await.unwrap();
    let staff = Who::staff(&fazhi::auth::extract::load_staff(&app.state, staff_id).await.unwrap().unwrap());
    let item = service::create_item(
        &app.state,
        &Who::Import,
        NewItem {
            org_id: Some(zjj),
            code: Some("XK00900000-321084".into()),
            name: Some("建筑工程施工许可（时点测试）".into()),
            kind: Some("licence".into()),
            basis: Some("《中华人民共和国建筑法》第七条".into()),
            statutory_days: Some(20),
            committed_days: Some(10),
            online_level: Some("onsite".into()),
            reform_mode: Some("optimise".into()),
            transferred: true,
        },
    )
    .await
    .unwrap();
    let application = |received: chrono::NaiveDate| NewApplication {
        item_id: Some(item),
        channel: Some("counter".into()),
        applicant: Some("示范市某建设有限公司".into()),
        applicant_phone: Some("13900001111".into()),
        received_on: Some(fazhi::time::fmt_date(received)),
    };
    // Received on paper 10 days ago: on the record from that day.
    let a = service::apply(&app.state, &staff, application(day(10))).await.unwrap();
    let d = fazhi::time::fmt_date(day(5));
    let (from, to) = (fazhi::time::fmt_date(day(30)), fazhi::time::fmt_date(today));
    let mut sfj = app.login("sfj").await;
    let before_apps = value(&mut sfj, "services.applications", &from, &to, Some(&d)).await;
    assert_eq!(before_apps["total"]["numerator"].as_i64(), Some(1), "{before_apps}");
    assert_eq!(before_apps["as_of"].as_str(), Some(d.as_str()));
    let before_rate = value(&mut sfj, "services.on_time_rate", &from, &to, Some(&d)).await;
    assert_eq!(before_rate["total"]["denominator"].as_i64(), Some(0), "{before_rate}");

    // After D: accepted and decided (with business dates before D, typed in later), and another
    // application registered with a date after D.
    let form = |pairs: &[(&str, &str)]| StepForm { reason: None, fields: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), days: None };
    service::step_on(&app.state, &staff, a.id, None, "accept", form(&[]), day(9)).await.unwrap();
    service::step_on(&app.state, &staff, a.id, None, "decide", form(&[("decision", "grant")]), day(8)).await.unwrap();
    service::apply(&app.state, &staff, application(day(2))).await.unwrap();

    // Live: two applications, one decision. As of D: as it stood then.
    let live_apps = value(&mut sfj, "services.applications", &from, &to, None).await;
    assert_eq!(live_apps["total"]["numerator"].as_i64(), Some(2), "{live_apps}");
    let live_rate = value(&mut sfj, "services.on_time_rate", &from, &to, None).await;
    assert_eq!(live_rate["total"]["denominator"].as_i64(), Some(1), "{live_rate}");
    let after_apps = value(&mut sfj, "services.applications", &from, &to, Some(&d)).await;
    assert_eq!(after_apps["total"], before_apps["total"], "as of {d}");
    let after_rate = value(&mut sfj, "services.on_time_rate", &from, &to, Some(&d)).await;
    assert_eq!(after_rate["total"], before_rate["total"], "as of {d}");
    // A day after the decision was typed in would include it; today as of today is live.
    let now = value(&mut sfj, "services.on_time_rate", &from, &to, Some(&fazhi::time::fmt_date(today))).await;
    assert_eq!(now["total"], live_rate["total"]);
    // Cut by unit and drilled down, as of D: the same single record, in its state of that day.
    let by_org = value(&mut sfj, "services.applications", &from, &to, Some(&format!("{d}&by=org"))).await;
    assert_eq!(by_org["groups"].as_array().unwrap().len(), 1, "{by_org}");
    let recs = sfj.get(&format!("/api/v1/indicators/services.applications/records?from={from}&to={to}&as_of={d}")).await.json();
    assert_eq!(recs["total"].as_i64(), Some(1), "{recs}");
    assert_eq!(recs["items"][0]["id"].as_i64(), Some(a.id));
    let page = sfj.get(&format!("/indicators/services.applications?from={from}&to={to}&as_of={d}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.contains(&format!("本表为 {d} 日终时的状态")) && page.contains(&format!("as_of={d}")), "{}", page.text);
    let drill = sfj.get(&format!("/indicators/services.applications/records?from={from}&to={to}&as_of={d}")).await;
    assert!(drill.contains(&format!("按 {d} 日终状态")) && drill.contains(&format!("/services/applications/{}", a.id)), "{}", drill.text);

    // Refusals, each on the field as_of with a stable code.
    let r = sfj.get(&format!("/api/v1/indicators/disputes.recon_received?as_of={d}")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(r.json()["fields"][0]["code"], "as_of_unsupported");
    assert_eq!(r.json()["fields"][0]["field"], "as_of");
    let r = sfj.get(&format!("/api/v1/indicators/services.applications?as_of={}", fazhi::time::fmt_date(today + chrono::Duration::days(1)))).await;
    assert_eq!(r.json()["fields"][0]["code"], "as_of_future");
    let r = sfj.get("/api/v1/indicators/services.applications?as_of=2026-02-30").await;
    assert_eq!(r.json()["fields"][0]["code"], "bad_date");
    let page = sfj.get(&format!("/indicators/disputes.recon_received?as_of={d}")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("暂不支持按历史时点"), "{}", page.text);
}

/// The 驾驶舱: panels, the overdue figure with its list, the reader's scope, no access without
/// kpi_read.
#[tokio::test]
async fn the_dashboard_shows_panels_trends_rankings_and_overdue_work_in_scope() {
    let app = TestApp::new().await;
    fazhi::hotline::demo::seed_year(&app.state, DemoSize::Light).await.unwrap();
    let mut sfj = app.login("sfj").await;
    let page = sfj.get("/dashboard").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.contains("驾驶舱") && page.contains("一、健全政府机构职能体系") && page.contains("上年同期"), "{}", page.text);
    assert!(page.contains("/indicators/hotline.received/records?") && page.contains("<svg class=\"dash-bars\""), "{}", page.text);
    assert!(page.contains("按单位排名") || page.contains("按乡镇（园区）排名"), "rankings: {}", page.text);
    assert!(page.contains("已超期未办结") && page.contains("/dashboard/overdue"), "{}", page.text);
    let list = sfj.get("/dashboard/overdue").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    // The figure on the dashboard is the number of rows its list holds.
    let overdue_total: i64 = {
        let t = fazhi::time::fmt_date(fazhi::time::today());
        fazhi::db::q("SELECT COUNT(*) FROM cases c WHERE c.is_open = TRUE AND c.paused_on IS NULL AND c.due_on < $1")
            .bind(t)
            .fetch_i64(&app.state.db)
            .await
            .unwrap()
    };
    assert!(page.contains(&format!("<div class=\"value\">{overdue_total}</div>")), "overdue {overdue_total}: {}", page.text);

    // As of today, every indicator that can be evaluated so gives its live value (the as-of
    // path reads the rows and their history; the live one, counters and the rows): the rest
    // refuse with their stable code.
    let (from, to) = period();
    let today = fazhi::time::fmt_date(fazhi::time::today());
    let list = sfj.get("/api/v1/indicators").await.json();
    let mut supported = 0;
    for i in list.as_array().unwrap() {
        let code = i["code"].as_str().unwrap();
        let live = sfj.get(&format!("/api/v1/indicators/{code}?from={from}&to={to}")).await.json();
        let r = sfj.get(&format!("/api/v1/indicators/{code}?from={from}&to={to}&as_of={today}")).await;
        if r.status == StatusCode::OK {
            supported += 1;
            assert_eq!(r.json()["total"], live["total"], "{code} as of today");
        } else {
            assert_eq!(r.json()["fields"][0]["code"], "as_of_unsupported", "{code}: {}", r.text);
        }
    }
    assert!(supported >= 20, "{supported} indicators evaluated as of a day");

    // A unit's head: the dashboard of its own unit; another unit is not found.
    let mut head = app.login("zjj_head").await;
    let own = head.get("/dashboard").await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.text);
    let cgj = org_id(&app, "D-CGJ").await;
    assert_eq!(head.get(&format!("/dashboard?org={cgj}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(head.get(&format!("/dashboard/overdue?org={cgj}")).await.status, StatusCode::NOT_FOUND);
    // Bad input and no permission.
    let bad = sfj.get("/dashboard?from=2026-13-01").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.contains("起始日期格式应为"), "{}", bad.text);
    let mut staff = app.login("zjj_staff").await;
    assert_eq!(staff.get("/dashboard").await.status, StatusCode::FORBIDDEN);
}
