//! A deadline that runs into a year whose official holidays are not loaded is counted on
//! weekends alone and marked provisional (page and API); loading that year's schedule counts it
//! again and records an event on the case.

use axum::http::StatusCode;
use chrono::{Datelike, Weekday};
use futures::FutureExt;

use crate::common::*;
use fazhi::db::q;

#[tokio::test]
async fn provisional_deadlines_are_recounted_when_the_schedule_is_loaded() {
    let app = TestApp::new().await;
    let today = fazhi::time::today();
    let cal = app.state.calendar();
    let due_plain = cal.add_working_days(today, 20);
    let year = due_plain.year();
    // Take the due date's year out of the calendar, as if its schedule were not published yet.
    let prefix = format!("{year}-%");
    app.state
        .db
        .write(move |tx| {
            async move {
                q("DELETE FROM calendar_days WHERE day LIKE $1").bind(prefix).execute(tx).await?;
                Ok(())
            }
            .boxed()
        })
        .await
        .unwrap();
    app.state.set_calendar(fazhi::calendar::queries::load(&app.state.db).await.unwrap());
    let mut staff = app.login("zjj_staff").await;
    let body = serde_json::json!({
        "org_id": org_id(&app, "D-ZJJ").await, "channel": "letter", "applicant_type": "natural", "applicant_name": "李四",
        "id_number": "110101199003078515", "phone": "13900000002", "description": "本单位年度预算说明", "delivery": "post",
        "address": "示范市东湖镇幸福路1号", "received_on": fazhi::time::fmt_date(today)
    });
    let r = staff.post_json("/api/v1/disclosure/requests", &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.json()["id"].as_i64().unwrap();
    assert_eq!(r.json()["due_provisional"], true, "{}", r.text);
    let old_due = fazhi::kernel::queries::get(&app.state.db, id).await.unwrap().unwrap().due_date().unwrap();
    let page = staff.get(&format!("/disclosure/requests/{id}")).await;
    assert!(page.contains("暂定") && page.contains(&format!("{year} 年放假安排尚未公布")), "{}", page.text);

    // The schedule arrives with a holiday on a weekday inside the period.
    let mut d = today + chrono::Duration::days(1);
    while d.year() != year || matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
        d += chrono::Duration::days(1);
    }
    assert!(d < old_due);
    let csv = format!("date,kind,name_zh\n{},holiday,测试假日\n", fazhi::time::fmt_date(d));
    let mut admin = app.login("admin").await;
    let r = admin.post_multipart("/admin/calendar", &[("year", &year.to_string())], &[("file", "holidays.csv", csv.as_bytes())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let case = fazhi::kernel::queries::get(&app.state.db, id).await.unwrap().unwrap();
    let new_due = case.due_date().unwrap();
    assert_eq!(app.state.calendar().working_days_between(old_due, new_due), 1, "{old_due} → {new_due}: one working day later");
    assert!(new_due > old_due);
    let ev =
        q("SELECT COUNT(*) FROM events WHERE entity = 'case' AND entity_id = $1 AND action = 'recompute_due'").bind(id).fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(ev, 1);
    let r = staff.get(&format!("/api/v1/disclosure/requests/{id}")).await.json();
    assert_eq!(r["due_provisional"], false);
    assert_eq!(r["due_on"], fazhi::time::fmt_date(new_due));
    let page = staff.get(&format!("/disclosure/requests/{id}")).await;
    assert!(page.contains("放假安排公布后重新计算期限") && !page.contains("，暂定）"), "{}", page.text);
    // Loading the same schedule again moves nothing.
    let r = admin.post_multipart("/admin/calendar", &[("year", &year.to_string())], &[("file", "holidays.csv", csv.as_bytes())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(fazhi::kernel::queries::get(&app.state.db, id).await.unwrap().unwrap().due_date().unwrap(), new_due);
}
