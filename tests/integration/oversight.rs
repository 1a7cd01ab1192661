//! Oversight across units: the rule-of-law office (sfj) and 督察 (inspector) see what is overdue
//! in every unit and procedure on their 工作台, sorted by lateness or by unit; sfj puts a case
//! under supervision from there, the unit is told and the hotline counts it.

use axum::http::StatusCode;

use crate::common::*;
use fazhi::db::q;
use fazhi::hotline::service::{self, IntakeInput, StepForm, Who};

async fn staff(app: &TestApp, username: &str) -> fazhi::auth::Staff {
    let id = q("SELECT id FROM users WHERE username = $1").bind(username).fetch_i64(&app.state.db).await.unwrap();
    fazhi::auth::extract::load_staff(&app.state, id).await.unwrap().unwrap()
}

/// A ticket dispatched to `unit` `days_ago` days ago: overdue by now.
async fn old_ticket(app: &TestApp, unit: &str, text: &str, days_ago: i64) -> i64 {
    let disp = staff(app, "dispatcher").await;
    let at = fazhi::time::now_ms() - days_ago * 86_400_000;
    let cat = fazhi::hotline::queries::category_by_code(&app.state.db, "QT").await.unwrap().unwrap().id;
    let input = IntakeInput {
        caller_phone: Some("13911112222".into()),
        category_id: Some(cat),
        town_id: Some(org_id(app, "T-DH").await),
        description: Some(text.into()),
        accept_now: true,
        received_at: Some(at),
        phone_required: true,
        ..Default::default()
    };
    let case = service::intake(&app.state, disp.actor(), input).await.unwrap().case;
    let mut f = StepForm::default();
    f.fields.insert("org".into(), org_id(app, unit).await.to_string());
    service::step_at(&app.state, Who::Staff(&disp), case.id, None, "dispatch", f, Some(at + 3_600_000)).await.unwrap();
    case.id
}

#[tokio::test]
async fn overseers_see_overdue_work_across_units_and_supervise_it() {
    let app = TestApp::new().await;
    let zjj = old_ticket(&app, "D-ZJJ", "住建局超期很久的工单", 40).await;
    let cgj = old_ticket(&app, "D-CGJ", "城管局稍微超期的工单", 20).await;
    let mut sfj = app.login("sfj").await;
    // With no work of its own, the office opens on what is overdue across units, most overdue first.
    let page = sfj.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.contains("监督·已超期"), "{}", page.text);
    let (a, b) = (page.text.find("住建局超期很久的工单").expect("zjj listed"), page.text.find("城管局稍微超期的工单").expect("cgj listed"));
    assert!(a < b, "most overdue first");
    assert!(page.contains(&format!("/cases/{zjj}/supervise")));
    let by_unit = sfj.get("/?view=o_over&sort=unit").await;
    assert!(by_unit.contains("<strong>按单位</strong>"));
    // The inspector sees the same list, read-only: no 督办 form, and a post is refused.
    let mut inspector = app.login("inspector").await;
    let page = inspector.get("/?view=o_over").await;
    assert!(page.contains("住建局超期很久的工单") && !page.contains(&format!("/cases/{zjj}/supervise")), "{}", page.text);
    assert_eq!(inspector.post_form(&format!("/cases/{zjj}/supervise"), &[("reason", "请尽快办理")]).await.status, StatusCode::FORBIDDEN);
    // Units cannot supervise: their own case is forbidden, another unit's is not found.
    let mut zjj_staff = app.login("zjj_staff").await;
    assert_eq!(zjj_staff.post_form(&format!("/cases/{zjj}/supervise"), &[("reason", "x")]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(zjj_staff.post_form(&format!("/cases/{cgj}/supervise"), &[("reason", "x")]).await.status, StatusCode::NOT_FOUND);
    // A reason is required; the case is unchanged without one.
    let r = sfj.post_form(&format!("/cases/{zjj}/supervise"), &[("reason", " "), ("back", "/?view=o_over")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(!fazhi::kernel::queries::get(&app.state.db, zjj).await.unwrap().unwrap().supervised);
    let r = sfj.post_form(&format!("/cases/{zjj}/supervise"), &[("reason", "超期四十天仍未答复，请三日内办结"), ("back", "https://evil.example/")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/", "back only to the 工作台");
    let case = fazhi::kernel::queries::get(&app.state.db, zjj).await.unwrap().unwrap();
    assert!(case.supervised);
    // Twice is refused, not recorded twice.
    sfj.post_form(&format!("/cases/{zjj}/supervise"), &[("reason", "再次督办")]).await;
    let events =
        q("SELECT COUNT(*) FROM events WHERE entity = 'case' AND entity_id = $1 AND action = 'supervise'").bind(zjj).fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(events, 1);
    // The unit is told on its 工作台, the ticket's timeline shows it with its reason, and the
    // hotline counts it as 督办.
    let page = zjj_staff.get("/").await;
    assert!(page.contains("已被示范市司法局督办") || page.contains("督办：超期四十天"), "{}", page.text);
    let t = zjj_staff.get(&format!("/hotline/tickets/{zjj}")).await;
    assert!(t.contains("超期四十天仍未答复") && t.contains("督察工作规定"), "{}", t.text);
    let sup = q("SELECT COUNT(*) FROM hotline_tickets WHERE k_supervised = TRUE").fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(sup, 1);
    assert!(fazhi::hotline::kpi::verify_counters(&app.state.db).await.unwrap().is_empty());
    // It now shows under 监督·督办中.
    assert!(sfj.get("/?view=o_supervised").await.contains("住建局超期很久的工单"));
}
