//! The administrator's pages: the event log (records by their numbers, Chinese names, filters,
//! pages, export), list exports (title line, numbers and dates, dated names, the screen's filter),
//! the organisation tree for the picker, and the order of a form's errors.

use std::io::Read;

use axum::http::StatusCode;

use crate::common::*;
use fazhi::db::q;
use fazhi::hotline::service::{self, IntakeInput};

async fn staff(app: &TestApp, username: &str) -> fazhi::auth::Staff {
    let id = q("SELECT id FROM users WHERE username = $1").bind(username).fetch_i64(&app.state.db).await.unwrap();
    fazhi::auth::extract::load_staff(&app.state, id).await.unwrap().unwrap()
}

async fn intake(app: &TestApp, text: &str, direct: Option<&str>) -> fazhi::kernel::CaseRow {
    let agent = staff(app, "agent").await;
    let input = IntakeInput {
        channel: Some(fazhi::hotline::model::Channel::Phone),
        caller_phone: Some("13912345678".into()),
        category_id: Some(fazhi::hotline::queries::category_by_code(&app.state.db, "ZF-WYGL").await.unwrap().unwrap().id),
        town_id: Some(org_id(app, "T-DH").await),
        description: Some(text.into()),
        accept_now: direct.is_none(),
        direct_answer: direct.map(str::to_string),
        phone_required: true,
        ..Default::default()
    };
    service::intake(&app.state, agent.actor(), input).await.unwrap().case
}

/// The text of an XLSX's shared strings (titles and text cells).
fn xlsx_strings(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("an XLSX is a zip");
    let mut s = String::new();
    zip.by_name("xl/sharedStrings.xml").unwrap().read_to_string(&mut s).unwrap();
    s
}

fn disposition(r: &Response) -> String {
    r.headers.get("content-disposition").unwrap().to_str().unwrap().to_string()
}

fn today_compact() -> String {
    fazhi::time::today().format("%Y%m%d").to_string()
}

#[tokio::test]
async fn the_event_log_names_records_filters_pages_and_exports() {
    let app = TestApp::new().await;
    let case = intake(&app, "小区电梯停运一周，物业不处理。", None).await;
    let mut admin = app.login("admin").await;

    // A case is named by its number and its procedure, not by an internal id; kinds in Chinese.
    let r = admin.get(&format!("/admin/audit?record={}", case.case_no)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.contains(&case.case_no), "{}", r.text);
    assert!(r.contains(fazhi::hotline::rules::PROCEDURE.name));
    assert!(r.contains(&format!("/hotline/tickets/{}", case.id)), "the record links to its page");
    assert!(!r.contains(&format!("case #{}", case.id)) && !r.contains(">case<"), "no internal names: {}", r.text);
    assert!(r.contains("登记并受理"));
    assert!(r.contains("共 1 条事件") || r.contains("共 2 条事件") || r.contains("共 3 条事件"), "{}", r.text);
    // The entity select offers Chinese names.
    assert!(r.contains(">机构</option>") && r.contains(">账号</option>") && r.contains(">诉求类别</option>") && r.contains(">主动公开信息</option>"));
    // Values in words: an organisation's name, yes and no.
    let r = admin.get("/admin/audit?entity=org").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.contains("新建机构") && r.contains("/admin/orgs/"), "{}", r.text);

    // The operator: the agent's events hold the case; the administrator's do not.
    let r = admin.get("/admin/audit?actor=agent").await;
    assert!(r.contains(&case.case_no), "{}", r.text);
    let r = admin.get("/admin/audit?actor=admin&entity=case").await;
    assert!(!r.contains(&case.case_no));
    assert!(r.contains("没有符合条件的事件"));

    // The period: nothing in 2001; a bad date and an inverted period are refused on their field.
    let r = admin.get("/admin/audit?from=2001-01-01&to=2001-12-31").await;
    assert!(r.contains("没有符合条件的事件") && r.contains("共 0 条事件"), "{}", r.text);
    let today = fazhi::time::fmt_date(fazhi::time::today());
    let r = admin.get(&format!("/admin/audit?from={today}&to={today}&record={}", case.case_no)).await;
    assert!(r.contains(&case.case_no));
    let r = admin.get("/admin/audit?from=2026-13-01").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("起始日期应为日期"), "{}", r.text);
    let r = admin.get("/admin/audit?from=2026-03-02&to=2026-03-01").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("截止日期不能早于起始日期"));
    let r = admin.get("/admin/audit?entity=nonsense").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Pages: the seed wrote hundreds of events.
    let r = admin.get("/admin/audit?per=20").await;
    assert!(r.contains("第 1/") && r.contains("page=2"), "{}", r.text);
    let first: Vec<&str> = r.text.split("<td class=\"r num\">").skip(1).map(|s| s.split('<').next().unwrap()).collect();
    let r2 = admin.get("/admin/audit?per=20&page=2").await;
    let second: Vec<&str> = r2.text.split("<td class=\"r num\">").skip(1).map(|s| s.split('<').next().unwrap()).collect();
    assert_eq!(first.len(), 20);
    assert_eq!(second.len(), 20);
    let (a, b): (i64, i64) = (first.last().unwrap().parse().unwrap(), second[0].parse().unwrap());
    assert_eq!(a, b + 1, "page 2 goes on where page 1 stopped");

    // The export: the filter in the title line, a dated name, the record named.
    let r = admin.get(&format!("/admin/audit/export.xlsx?actor=agent&from={today}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(disposition(&r).contains(&format!("-{}.xlsx", today_compact())), "{}", disposition(&r));
    let bytes = bytes_as(&app, "admin", &format!("/admin/audit/export.xlsx?actor=agent&from={today}")).await;
    let strings = xlsx_strings(&bytes);
    assert!(strings.contains("事件日志（期间：") && strings.contains("操作人：agent"), "{strings}");
    assert!(strings.contains(&case.case_no));
    let t = fazhi::tabular::read(&bytes).unwrap();
    assert_eq!(t.header[0], "序号");
    assert!(t.rows.iter().all(|(_, cells)| cells[3] == "工作人员"));
    // Only administrators and the rule-of-law office read the log.
    let mut zjj = app.login("zjj_staff").await;
    assert_eq!(zjj.get("/admin/audit").await.status, StatusCode::FORBIDDEN);
    assert_eq!(zjj.get("/admin/audit/export.xlsx").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_ticket_export_covers_the_screens_filter_with_its_title() {
    let app = TestApp::new().await;
    let open = intake(&app, "小区电梯停运一周，物业不处理。", None).await;
    let direct = intake(&app, "咨询物业费标准，已当场答复。", Some("按市物价局标准执行")).await;
    assert!(!direct.is_open);
    // The screen reached from a link with a state (not a status) lists every status…
    let mut agent = app.login("agent").await;
    let r = agent.get("/hotline/tickets?state=answered").await;
    assert!(r.contains(&direct.case_no), "{}", r.text);
    // …and so does its export, closed tickets included.
    let bytes = bytes_as(&app, "agent", "/hotline/tickets/export.xlsx?state=answered").await;
    let t = fazhi::tabular::read(&bytes).unwrap();
    let numbers: Vec<&str> = t.rows.iter().map(|(_, c)| c[0].as_str()).collect();
    assert!(numbers.contains(&direct.case_no.as_str()), "{numbers:?}");
    assert!(!numbers.contains(&open.case_no.as_str()));
    let strings = xlsx_strings(&bytes);
    assert!(strings.contains("12345热线工单（范围：全部；状态：") && strings.contains("共 1 条"), "{strings}");
    // All statuses with a period: both tickets, the period in the title, dates as dates.
    let today = fazhi::time::fmt_date(fazhi::time::today());
    let r = agent.get(&format!("/hotline/tickets/export.xlsx?status=all&from={today}&to={today}")).await;
    assert!(disposition(&r).contains(&format!("-{}.xlsx", today_compact())));
    let bytes = bytes_as(&app, "agent", &format!("/hotline/tickets/export.xlsx?status=all&from={today}&to={today}")).await;
    let t = fazhi::tabular::read(&bytes).unwrap();
    assert_eq!(t.rows.len(), 2);
    let strings = xlsx_strings(&bytes);
    assert!(strings.contains(&format!("登记日期：{today} 至 {today}")), "{strings}");
    let received = t.header.iter().position(|h| h == "登记时间").unwrap();
    assert!(t.rows[0].1[received].starts_with(&today), "a time read back as a date: {:?}", t.rows[0].1);
}

/// The body of a GET as bytes (the harness keeps text; an XLSX is binary).
async fn bytes_as(app: &TestApp, user: &str, path: &str) -> Vec<u8> {
    use tower::ServiceExt;
    let mut c = app.login(user).await;
    let _ = c.get("/").await;
    let cookie = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let mut req = axum::http::Request::builder().uri(path).header("cookie", cookie);
    if let Some(peer) = c.peer {
        req = req.extension(axum::extract::ConnectInfo(peer));
    }
    let resp = app.router.clone().oneshot(req.body(axum::body::Body::empty()).unwrap()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    http_body_util::BodyExt::collect(resp.into_body()).await.unwrap().to_bytes().to_vec()
}

#[tokio::test]
async fn the_org_export_has_a_title_and_imports_again() {
    let app = TestApp::new().await;
    let mut admin = app.login("admin").await;
    let r = admin.get("/admin/orgs/export.xlsx").await;
    assert!(disposition(&r).contains(&format!("-{}.xlsx", today_compact())));
    let bytes = bytes_as(&app, "admin", "/admin/orgs/export.xlsx").await;
    assert!(xlsx_strings(&bytes).contains("机构（全部；共 "));
    let t = fazhi::tabular::read(&bytes).unwrap();
    assert_eq!(t.header[0], "编码");
    let r = admin.post_multipart("/admin/orgs/import", &[], &[("file", "orgs.xlsx", &bytes)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "the export imports again unchanged: {}", r.text);
    let r = admin.get("/admin/orgs/export.csv").await;
    assert!(disposition(&r).contains(&format!("-{}.csv", today_compact())));
}

#[tokio::test]
async fn the_org_picker_reads_the_tree() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let r = c.get("/orgs/tree.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let tree = r.json();
    let nodes = tree.as_array().unwrap();
    let total = q("SELECT COUNT(*) FROM orgs WHERE active = TRUE").fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(nodes.len() as i64, total);
    // Parents come before their children, so the widget builds the tree in one pass.
    let mut seen = std::collections::HashSet::new();
    for n in nodes {
        if let Some(p) = n["parent"].as_i64() {
            assert!(seen.contains(&p), "{n}");
        }
        seen.insert(n["id"].as_i64().unwrap());
    }
    let r = c.get("/static/orgpicker.js").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.contains("data-org-picker"));
    // Every long organisation list offers the picker.
    for (user, page) in [
        ("admin", "/admin/users/new"),
        ("admin", "/admin/tokens"),
        ("admin", "/admin/orgs/new"),
        ("dispatcher", "/hotline/tickets"),
        ("zjj_staff", "/disclosure/requests/new"),
        ("sfj", "/indicators/hotline.close_rate"),
    ] {
        let mut c = app.login(user).await;
        let r = c.get(page).await;
        assert_eq!(r.status, StatusCode::OK, "{page}");
        assert!(r.contains("data-org-picker"), "{page}");
        assert!(r.contains("/static/orgpicker.js"), "{page}");
    }
}

#[tokio::test]
async fn the_consoles_errors_follow_its_fields_with_the_fields_nouns() {
    let app = TestApp::new().await;
    let mut agent = app.login("agent").await;
    let long = "长".repeat(201);
    let r = agent
        .post_form(
            "/hotline/new",
            &[
                ("caller_phone", ""),
                ("caller_name", ""),
                ("category_id", ""),
                ("channel", "phone"),
                ("town_id", ""),
                ("village_id", ""),
                ("address", &long),
                ("subject", ""),
                ("description", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let list = r.text.split("未登记，请修正").nth(1).unwrap().split("</ul>").next().unwrap();
    let at = |s: &str| list.find(s).unwrap_or_else(|| panic!("{s} missing from {list}"));
    // The phone field is labelled 联系电话 and its error says 联系电话.
    assert!(r.contains(">联系电话</label>"));
    assert!(at("请填写联系电话") < at("请选择诉求类别"));
    assert!(at("请选择诉求类别") < at("详细地址不能超过"));
    assert!(at("详细地址不能超过") < at("请填写诉求内容"));
}

#[tokio::test]
async fn a_generated_title_does_not_stop_on_a_comma() {
    let app = TestApp::new().await;
    let case = intake(&app, "我家楼下的早餐店每天凌晨四点开始用鼓风机，噪音很大，严重影响休息，多次沟通无果", None).await;
    assert!(!case.title.ends_with('，'), "{}", case.title);
    assert!(case.title.ends_with('…'), "{}", case.title);
}

#[tokio::test]
async fn the_accounts_export_names_its_filter() {
    let app = TestApp::new().await;
    let mut admin = app.login("admin").await;
    let r = admin.get("/admin/users?org=D-ZJJ").await;
    assert!(r.contains("/admin/users/export.xlsx?q=&#38;org=D-ZJJ"), "{}", r.text);
    assert!(r.contains("data-org-picker=\"code\""), "the unit filter offers the picker");
    let r = admin.get("/admin/users/export.xlsx?org=D-ZJJ").await;
    assert!(disposition(&r).contains(&format!("-{}.xlsx", today_compact())));
    let bytes = bytes_as(&app, "admin", "/admin/users/export.xlsx?org=D-ZJJ").await;
    let strings = xlsx_strings(&bytes);
    assert!(strings.contains("账号（机构（含下级）：") && strings.contains("住房和城乡建设"), "{strings}");
    let t = fazhi::tabular::read(&bytes).unwrap();
    let names: Vec<&str> = t.rows.iter().map(|(_, c)| c[1].as_str()).collect();
    assert!(names.contains(&"zjj_staff") && !names.contains(&"cgj_staff"), "{names:?}");
}

#[tokio::test]
async fn the_publications_export_names_its_filter() {
    let app = TestApp::new().await;
    let mut zjj = app.login("zjj_staff").await;
    let zjj_id = org_id(&app, "D-ZJJ").await;
    let r = zjj.get(&format!("/disclosure/publications?org={zjj_id}&state=published")).await;
    assert!(r.contains(&format!("/disclosure/publications/export.xlsx?org={zjj_id}&#38;state=published")), "{}", r.text);
    let path = format!("/disclosure/publications/export.xlsx?org={zjj_id}&state=published");
    let r = zjj.get(&path).await;
    assert!(disposition(&r).contains(&format!("-{}.xlsx", today_compact())));
    let bytes = bytes_as(&app, "zjj_staff", &path).await;
    let strings = xlsx_strings(&bytes);
    assert!(strings.contains("主动公开信息（发布单位：") && strings.contains("状态：已公开"), "{strings}");
    assert_eq!(fazhi::tabular::read(&bytes).unwrap().header[0], "索引号");
}
