//! What the hotline's staff see and do (issue 10 #4 and #20): free text masked for readers
//! without `pii_view` (pages, API, XLSX, the 工作台); the handling unit's address with its logged
//! duty look; the due date on every row and one "即将超期"; the printable 工单办理单; batch
//! dispatch and sign-for, each ticket on its own.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::common::*;
use fazhi::db::q;
use fazhi::hotline::service::{self, IntakeInput, StepForm, Who};

/// A citizen's words with numbers in them, and what must not be shown of those numbers.
const SUBJECT: &str = "楼道漏水，请回电13912345678";
const TEXT: &str = "我家楼上漏水，物业电话0514-84567890打不通，我的身份证32108419900101123X，手机 139 8765 4321。";
const RAW: &[&str] = &["13912345678", "84567890", "19900101", "8765 4321"];
const ADDRESS: &str = "东湖镇东湖村文游路88号3栋201室";

async fn staff(app: &TestApp, username: &str) -> fazhi::auth::Staff {
    let id = q("SELECT id FROM users WHERE username = $1").bind(username).fetch_i64(&app.state.db).await.unwrap();
    fazhi::auth::extract::load_staff(&app.state, id).await.unwrap().unwrap()
}

/// A ticket accepted by the centre (waiting for dispatch).
async fn accepted(app: &TestApp, subject: &str, text: &str) -> i64 {
    let disp = staff(app, "dispatcher").await;
    let cat = fazhi::hotline::queries::category_by_code(&app.state.db, "ZF-WYGL").await.unwrap().unwrap().id;
    let input = IntakeInput {
        caller_name: Some("张三".into()),
        caller_phone: Some("13922223333".into()),
        category_id: Some(cat),
        town_id: Some(org_id(app, "T-DH").await),
        address: Some(ADDRESS.into()),
        subject: Some(subject.into()),
        description: Some(text.into()),
        wants_reply: true,
        accept_now: true,
        phone_required: true,
        ..Default::default()
    };
    service::intake(&app.state, disp.actor(), input).await.unwrap().case.id
}

async fn dispatched(app: &TestApp, unit: &str) -> i64 {
    // Each call a new matter: the same caller and text within a minute would be one ticket.
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let id = accepted(app, SUBJECT, &format!("{TEXT}（第{n}次反映）")).await;
    let disp = staff(app, "dispatcher").await;
    let mut f = StepForm::default();
    f.fields.insert("org".into(), org_id(app, unit).await.to_string());
    service::step(&app.state, Who::Staff(&disp), id, None, "dispatch", f).await.unwrap();
    id
}

async fn state_of(app: &TestApp, id: i64) -> String {
    fazhi::kernel::queries::get(&app.state.db, id).await.unwrap().unwrap().state
}

fn assert_no_raw(what: &str, text: &str) {
    for raw in RAW {
        assert!(!text.contains(raw), "{what} shows {raw}: {text}");
    }
}

/// The bytes of a download (the harness keeps text only).
async fn download(app: &TestApp, c: &Client, path: &str) -> Vec<u8> {
    let cookie = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let mut b = Request::builder().uri(path).header(header::COOKIE, cookie);
    if let Some(peer) = c.peer {
        b = b.extension(axum::extract::ConnectInfo(peer));
    }
    let resp = app.router.clone().oneshot(b.body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
    resp.into_body().collect().await.unwrap().to_bytes().to_vec()
}

#[tokio::test]
async fn readers_without_pii_view_get_numbers_masked_in_free_text() {
    let app = TestApp::new().await;
    let id = dispatched(&app, "D-ZJJ").await;
    // The unit notes a call with the number it dialled; the note is in the timeline.
    let zjj = staff(&app, "zjj_staff").await;
    fazhi::hotline::actions::add_note(&app.state, &zjj, id, "已电话联系业主13700001111，约定上门".into(), vec![]).await.unwrap();
    // Overdue, so that the office's 工作台 lists it across units.
    app.state
        .db
        .write(move |tx| {
            Box::pin(
                async move { q("UPDATE cases SET due_on = '2020-01-02', warn_on = '2020-01-01' WHERE id = $1").bind(id).execute(&mut *tx).await.map(|_| ()) },
            )
        })
        .await
        .unwrap();

    // The inspector: ticket page, list, drill-down of the 工作台, export.
    let mut insp = app.login("inspector").await;
    let page = insp.get(&format!("/hotline/tickets/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert_no_raw("the ticket page", &page.text);
    assert!(!page.contains("13700001111"), "the note in the timeline: {}", page.text);
    assert!(page.contains("139****5678") && page.contains("137****1111"), "masked, not removed: {}", page.text);
    let list = insp.get("/hotline/tickets?status=all").await;
    assert!(list.contains(&format!("/hotline/tickets/{id}")), "{}", list.text);
    assert_no_raw("the list", &list.text);
    let wb = insp.get("/?view=o_over").await;
    assert!(wb.contains("楼道漏水"), "the office's 工作台 lists it: {}", wb.text);
    assert_no_raw("the 工作台", &wb.text);
    let print = insp.get(&format!("/hotline/tickets/{id}/print")).await;
    assert_eq!(print.status, StatusCode::OK);
    assert_no_raw("the 工单办理单", &print.text);
    let xlsx = download(&app, &insp, "/hotline/tickets/export.xlsx?status=all").await;
    let table = fazhi::tabular::read(&xlsx).unwrap();
    let cells: String = table.rows.iter().flat_map(|(_, cells)| cells.iter().cloned()).collect::<Vec<_>>().join("|");
    assert!(cells.contains("楼道漏水"), "the ticket is exported: {cells}");
    assert_no_raw("the XLSX export", &cells);

    // A read-only token of the city: list and detail with its timeline.
    let city = org_id(&app, fazhi::demo::CITY).await;
    let (_, raw) =
        fazhi::auth::tokens::create(&app.state.db, fazhi::audit::Actor::system(), &Default::default(), "只读对接", Some(city), &["case_read".into()], Some(5))
            .await
            .unwrap();
    let mut api = app.client();
    api.bearer = Some(raw);
    let list = api.get("/api/v1/hotline/tickets?status=all").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    assert!(list.contains("139****5678"), "{}", list.text);
    assert_no_raw("the API list", &list.text);
    let one = api.get(&format!("/api/v1/hotline/tickets/{id}")).await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.text);
    assert!(one.json()["ticket"]["description"].as_str().unwrap().contains("139****4321"), "{}", one.text);
    assert_no_raw("the API ticket", &one.text);
    assert!(!one.contains("13700001111"), "the API timeline: {}", one.text);

    // Those who may see personal data read the text as written.
    let mut disp = app.login("dispatcher").await;
    let page = disp.get(&format!("/hotline/tickets/{id}")).await;
    assert!(page.contains("身份证32108419900101123X") && page.contains("13700001111"), "{}", page.text);
    let mut unit = app.login("zjj_staff").await;
    assert!(unit.get("/hotline/tickets?status=all").await.contains(SUBJECT));
}

#[tokio::test]
async fn the_handling_unit_sees_the_address_and_its_look_is_logged_once_a_day() {
    let app = TestApp::new().await;
    let id = dispatched(&app, "D-ZJJ").await;
    let looks = || async {
        q("SELECT COUNT(*) FROM events WHERE entity = 'case' AND entity_id = $1 AND action = 'pii_duty_view'").bind(id).fetch_i64(&app.state.db).await.unwrap()
    };
    let mut unit = app.login("zjj_staff").await;
    for _ in 0..3 {
        let page = unit.get(&format!("/hotline/tickets/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.contains(ADDRESS), "the unit reads the whole address: {}", page.text);
        assert!(page.contains("办理需要·已记录"), "and is told the look is logged");
    }
    assert_eq!(looks().await, 1, "one duty look a day, not one per reload");
    let summary: String =
        q("SELECT summary FROM events WHERE entity_id = $1 AND action = 'pii_duty_view'").bind(id).fetch_one::<(String,)>(&app.state.db).await.unwrap().0;
    assert!(summary.contains("因办理需要"), "{summary}");
    // Another person of the unit is another look.
    let mut head = app.login("zjj_head").await;
    assert!(head.get(&format!("/hotline/tickets/{id}")).await.contains(ADDRESS));
    assert_eq!(looks().await, 2);
    // Readers who do not handle it see the street only, and leave no duty look.
    let mut insp = app.login("inspector").await;
    let page = insp.get(&format!("/hotline/tickets/{id}")).await;
    assert!(!page.contains("88号3栋") && page.contains("文游路****"), "{}", page.text);
    let mut disp = app.login("dispatcher").await;
    assert!(!disp.get(&format!("/hotline/tickets/{id}")).await.contains("88号3栋"), "the centre reveals on purpose, as before");
    assert_eq!(looks().await, 2);
    // Once the ticket is closed the duty has ended.
    app.state
        .db
        .write(move |tx| {
            Box::pin(async move { q("UPDATE cases SET is_open = FALSE, state = 'closed' WHERE id = $1").bind(id).execute(&mut *tx).await.map(|_| ()) })
        })
        .await
        .unwrap();
    assert!(!unit.get(&format!("/hotline/tickets/{id}")).await.contains("88号3栋"));
}

#[tokio::test]
async fn rows_show_their_due_date_and_due_soon_is_the_same_everywhere() {
    let app = TestApp::new().await;
    // A category handled in one working day: due soon from the day it is dispatched.
    app.state
        .db
        .write(|tx| Box::pin(async move { q("UPDATE hotline_categories SET handle_days = 1 WHERE code = 'ZF-WYGL'").execute(&mut *tx).await.map(|_| ()) }))
        .await
        .unwrap();
    let id = dispatched(&app, "D-ZJJ").await;
    let due = fazhi::kernel::queries::get(&app.state.db, id).await.unwrap().unwrap().due_on.unwrap();
    let mut unit = app.login("zjj_staff").await;
    let list = unit.get("/hotline/tickets").await;
    let row = list.text.split("<tr>").find(|r| r.contains(&format!("/hotline/tickets/{id}\""))).unwrap_or_else(|| panic!("{}", list.text)).to_string();
    assert!(row.contains(&due), "the row shows its due date {due}: {row}");
    assert!(row.contains("due soon"), "and reads as due soon: {row}");
    let soon = unit.get("/hotline/tickets?due=soon").await;
    assert!(soon.contains(&format!("/hotline/tickets/{id}\"")), "the filter finds it: {}", soon.text);
    let wb = unit.get("/?view=soon").await;
    assert!(wb.contains(&format!("/hotline/tickets/{id}\"")), "the 工作台's 即将超期 lists it: {}", wb.text);
    // The sign-for queue is the list of dispatched tickets.
    let r = unit.get("/hotline/queue/sign").await;
    assert_eq!(r.location(), "/hotline/tickets?state=dispatched");
}

#[tokio::test]
async fn the_work_order_sheet_prints_the_ticket_for_its_readers() {
    let app = TestApp::new().await;
    let id = dispatched(&app, "D-ZJJ").await;
    let no = fazhi::kernel::queries::get(&app.state.db, id).await.unwrap().unwrap().case_no;
    let mut unit = app.login("zjj_staff").await;
    let sheet = unit.get(&format!("/hotline/tickets/{id}/print")).await;
    assert_eq!(sheet.status, StatusCode::OK, "{}", sheet.text);
    for part in [no.as_str(), "工单办理单", "市住房和城乡建设局", "派单", ADDRESS, "承办人（签字）", "承办单位负责人（签字）", "13922223333"]
    {
        assert!(sheet.contains(part), "the sheet has {part}: {}", sheet.text);
    }
    let due = fazhi::kernel::queries::get(&app.state.db, id).await.unwrap().unwrap().due_on.unwrap();
    assert!(sheet.contains(&due));
    let looked = q("SELECT COUNT(*) FROM events WHERE entity_id = $1 AND action = 'pii_view'").bind(id).fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(looked, 1, "printing the caller's originals is a logged look");
    // The inspector's sheet: the caller masked; another unit: not found.
    let mut insp = app.login("inspector").await;
    let sheet = insp.get(&format!("/hotline/tickets/{id}/print")).await;
    assert!(sheet.contains("139****3333") && !sheet.contains("13922223333") && !sheet.contains("88号3栋"), "{}", sheet.text);
    let mut other = app.login("cgj_staff").await;
    assert_eq!(other.get(&format!("/hotline/tickets/{id}/print")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn batch_dispatch_and_sign_for_report_each_ticket() {
    let app = TestApp::new().await;
    let a = accepted(&app, "批量一", "小区路灯不亮").await;
    let b = accepted(&app, "批量二", "小区门口积水").await;
    let stale = accepted(&app, "批量三", "绿化带垃圾").await;
    let db = &app.state.db;
    let v = |id: i64| async move { fazhi::kernel::queries::get(db, id).await.unwrap().unwrap().version };
    let (va, vb, vs) = (v(a).await, v(b).await, v(stale).await);
    // A ticket changed after the list was read.
    let cat = fazhi::hotline::queries::category_by_code(&app.state.db, "ZF-WYGL").await.unwrap().unwrap().id;
    fazhi::hotline::actions::reclassify(&app.state, &staff(&app, "dispatcher").await, stale, vs, Some(cat), Some(org_id(&app, "T-DH").await), None, None)
        .await
        .unwrap();
    let zjj = org_id(&app, "D-ZJJ").await.to_string();
    let mut disp = app.login("dispatcher").await;
    let r = disp.get("/hotline/tickets?state=accepted").await;
    assert!(r.contains("批量派单") && r.contains(&format!("value=\"{a}:{va}\"")), "{}", r.text);
    let (ia, ib, is) = (format!("{a}:{va}"), format!("{b}:{vb}"), format!("{stale}:{vs}"));
    // Without the form's token nothing happens.
    let r = disp.post_form_no_csrf("/hotline/tickets/batch", &[("action", "dispatch"), ("org", &zjj), ("ids", &ia)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(state_of(&app, a).await, "accepted");
    let r = disp.post_form("/hotline/tickets/batch", &[("action", "dispatch"), ("org", &zjj), ("ids", &ia), ("ids", &ib), ("ids", &is)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.contains("成功 2 件") && r.contains("未办理 1 件"), "{}", r.text);
    assert!(r.contains("派至市住房和城乡建设局"), "{}", r.text);
    let row = r.text.split("<tr>").find(|t| t.contains(&format!("/hotline/tickets/{stale}\""))).unwrap_or_else(|| panic!("{}", r.text)).to_string();
    assert!(row.contains("未办理") && row.contains("刷新"), "changed since it was read: {row}");
    assert_eq!((state_of(&app, a).await, state_of(&app, b).await, state_of(&app, stale).await), ("dispatched".into(), "dispatched".into(), "accepted".into()));

    // The unit signs for its tickets; a ticket of another unit is refused without being named.
    let other = dispatched(&app, "D-CGJ").await;
    let other_no = fazhi::kernel::queries::get(&app.state.db, other).await.unwrap().unwrap().case_no;
    // A ticket the unit already signed for: the kernel refuses to sign it again.
    let signed = dispatched(&app, "D-ZJJ").await;
    service::step(&app.state, Who::Staff(&staff(&app, "zjj_staff").await), signed, None, "sign", StepForm::default()).await.unwrap();
    let mut unit = app.login("zjj_staff").await;
    let list = unit.get("/hotline/queue/sign").await;
    assert_eq!(list.status, StatusCode::SEE_OTHER);
    let list = unit.get("/hotline/tickets?state=dispatched").await;
    assert!(list.contains("批量签收") && !list.contains("批量派单"), "{}", list.text);
    let ids = [a.to_string(), b.to_string(), other.to_string(), signed.to_string()];
    let r = unit.post_form("/hotline/tickets/batch", &[("action", "sign"), ("ids", &ids[0]), ("ids", &ids[1]), ("ids", &ids[2]), ("ids", &ids[3])]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.contains("成功 2 件") && r.contains("未办理 2 件"), "{}", r.text);
    assert!(r.contains("不在您的办理范围内") && !r.contains(&other_no), "{}", r.text);
    assert_eq!((state_of(&app, a).await, state_of(&app, b).await, state_of(&app, other).await), ("handling".into(), "handling".into(), "dispatched".into()));
    // The ticket signed for already is refused with the kernel's reason, and named.
    let row = r.text.split("<tr>").find(|t| t.contains(&format!("/hotline/tickets/{signed}\""))).unwrap_or_else(|| panic!("{}", r.text)).to_string();
    assert!(row.contains("未办理") && row.contains("办理中"), "{row}");
    // Each step is the kernel's: one event per ticket, as on its own page.
    let signs = q("SELECT COUNT(*) FROM events WHERE entity = 'case' AND action = 'sign'").fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(signs, 3);
    // Bad requests are refused whole, on their field.
    let r = unit.post_form("/hotline/tickets/batch", &[("action", "sign")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.contains("请先勾选"), "{}", r.text);
}
