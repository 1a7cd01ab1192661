//! The annual 法治政府建设 report (issue 16 §2–3): the seed test (a year of hotline records
//! loaded through the public importer, the city's report generated, the seed's sentence exact),
//! templates edited with validation, the checker, paragraph history and comments, 定稿 frozen
//! against later corrections, DOCX, submission and publication on the portal, the reminders,
//! and that no drafter sees another unit's report.

use axum::http::StatusCode;
use chrono::NaiveDate;

use crate::common::{TestApp, org_id};
use fazhi::db::q;

/// The seed's figures (LEGAL-RULES §11.3) that this test does not load yet, and why. Each is
/// still printed as literal text in the seed template; when a module can load one through a
/// public path, bind it to its indicator in the template and move it into the seed test.
pub const PENDING: &[(&str, &str)] = &[
    ("市政府常务会议共召开8次,安排会前学法7次,学习法律8部", "会前学法无业务模块（组织领导）"),
    ("新任乡科级领导干部学法考试56人次", "学法考试、培训无业务模块"),
    ("累计办理相关事项1182项,惠及企业1137户", "证照分离按改革方式的办理量：政务服务模块尚无按证照分离方式统计的指标"),
    ("“不见面审批(服务)”事项共计1224项,不见面可办率达99.9%", "事项目录的网上可办率：政务服务指标为申请的网办占比，不是事项目录的可办率"),
    ("9个部门的30项行政权力事项已平稳划转", "权力事项划转无业务模块"),
    ("对26个领域902家企业开展随机检查", "双随机、一公开尚无模块"),
    ("全年共审查文件123份,督促修改存在排除、限制竞争条款的文件2份", "公平竞争审查尚无指标"),
    ("公开政府信息{disclosure.published}条", "已绑定指标；29,742 条主动公开信息经公开 API 逐条发布过慢，本测试未装载"),
    ("其中继续保留{normdoc.cleanup@outcome=继续保留}件", "已绑定指标；243 件规范性文件须逐件走完制定、公布、清理程序，本测试未装载"),
    ("集体讨论审议案件57次", "重大行政决策模块尚未落地"),
    ("11起文件开展合法性审查或法制审核", "跨模块合计，尚无指标"),
    ("单独聘请执业律师作为法律顾问的33个,占89%", "法律顾问无业务模块"),
    ("共有1239名行政执法人员", "执法人员名册尚无人数指标"),
    ("近两年,复议机关已经制作7份行政复议建议书", "两年期间的数字，模板按年度计算"),
    ("派驻市法院调解员共化解矛盾纠纷1087件", "调解来源（法院派驻）尚无分组"),
    ("共办理法律援助案件879件", "法律援助尚无模块"),
];

/// The seed's sentences this test checks exactly (the seed's own punctuation).
const SEED_12345: &str = "共接听处理60557件次,办结率达100%,回访满意率达99.91%";
const SEED_MAILBOX: &str = "“市长信箱”接收投诉建议4818条,已全部回复";

/// A year of 12345 records as the legacy system exports them: 60,557 tickets of 2020, all
/// closed, 4,818 of them letters to the 市长信箱; 11,000 visited back, 10 dissatisfied
/// (10,990 ÷ 11,000 = 99.909…% → 99.91%).
fn seed_hotline_csv() -> Vec<u8> {
    let mut s = String::with_capacity(60557 * 140);
    s.push_str("工单编号,登记时间,渠道,诉求类别编码,乡镇编码,诉求内容,结果,承办单位编码,派单时间,答复时间,答复内容,回访结果\n");
    let start = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    for i in 0..60557u32 {
        let day = start + chrono::Duration::days(i64::from(i % 360));
        let next = day + chrono::Duration::days(1);
        let channel = if i < 4818 { "市长信箱" } else { "电话" };
        let visit = match i {
            _ if i >= 11000 => "",
            _ if i < 10 => "不满意",
            _ => "满意",
        };
        s.push_str(&format!("S2020-{i:06},{day} 09:00,{channel},ZF-WYGL,T-DH,小区电梯故障,办结,D-ZJJ,{day} 10:00,{next} 16:00,已修复,{visit}\n"));
    }
    s.into_bytes()
}

async fn import(app: &TestApp, bytes: &[u8]) -> String {
    let imp = app.state.registry.features().flat_map(|f| f.importers()).find(|i| i.code == "hotline").expect("hotline importer");
    (imp.run)(&app.state, bytes).await.unwrap_or_else(|e| panic!("import refused: {:?}", e.iter().take(3).collect::<Vec<_>>()))
}

async fn template_id(app: &TestApp, code: &str) -> i64 {
    q("SELECT id FROM annual_templates WHERE code = $1").bind(code.to_string()).fetch_i64(&app.state.db).await.unwrap()
}

async fn report_id(app: &TestApp, org: i64, year: i64) -> i64 {
    q("SELECT id FROM annual_reports WHERE org_id = $1 AND year = $2").bind(org).bind(year).fetch_i64(&app.state.db).await.unwrap()
}

/// The seed test: the records go in through the importer (`fazhi import hotline`), the city's
/// report is drafted from the seed's template, and it prints the seed's figures exactly, each
/// linked to its records.
#[tokio::test]
async fn the_city_report_reproduces_the_seeds_hotline_figures() {
    let app = TestApp::new().await;
    if app.is_postgres() {
        // The 60,557-ticket import runs in one transaction through the importer; on PostgreSQL
        // in a debug build, with the as-of row history written for every row, it took over 20
        // minutes in CI. The figures are the same SQL on both engines and are checked on
        // PostgreSQL by the smaller indicator and report tests; this one runs on SQLite until the
        // importer's PostgreSQL path is batched.
        eprintln!("seed test skipped on PostgreSQL: see the comment");
        return;
    }
    let csv = seed_hotline_csv();
    let t0 = std::time::Instant::now();
    let summary = import(&app, &csv).await;
    eprintln!("imported 60,557 tickets in {:?}: {summary}", t0.elapsed());
    let mut fzb = app.login("fzb").await;
    let city = org_id(&app, "SFS").await;
    let seed = template_id(&app, "seed2020").await;
    let r = fzb
        .post_form("/annual/reports/new", &[("template_id", &seed.to_string()), ("year", "2020"), ("org_id", &city.to_string()), ("doc_no", "示府〔2021〕3号")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let id = report_id(&app, city, 2020).await;
    let page = fzb.get(&format!("/annual/reports/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    // The figures are links; the text as printed is what the DOCX holds.
    let docx = fzb.get(&format!("/annual/reports/{id}/report.docx")).await;
    assert_eq!(docx.status, StatusCode::OK);
    let staff = fazhi::auth::extract::load_staff(&app.state, user(&app, "fzb").await).await.unwrap().unwrap();
    let rr = fazhi::annual::service::readable(&app.state, &staff, id).await.unwrap();
    let doc = fazhi::annual::service::composed(&app.state, &staff, &rr).await.unwrap();
    let text = doc.text();
    assert!(text.contains(SEED_12345), "the seed's 12345 sentence: {}", &text[text.find("共接听").unwrap_or(0)..][..200.min(text.len())]);
    assert!(text.contains(SEED_MAILBOX));
    assert!(text.starts_with("2020年,在市委、市政府的正确领导下"));
    assert!(text.contains("2021年,我们将以习近平法治思想为指导"));
    // Every figure links to its records, and the drill-down lists them.
    let v = doc.value("hotline.received").unwrap();
    assert_eq!((v.numerator, v.text.as_str()), (Some(60557), "60557"));
    assert!(page.contains(&v.href.replace('&', "&amp;")), "figure linked to {}", v.href);
    let drill = fzb.get(&v.href).await;
    assert_eq!(drill.status, StatusCode::OK);
    assert!(drill.contains("S2020-"), "the drill-down lists the tickets");
    let mailbox = doc.value("hotline.received@channel=市长信箱").unwrap();
    assert_eq!(mailbox.numerator, Some(4818));
    assert!(mailbox.href.contains("by=channel&key=3"), "the group's own key: {}", mailbox.href);
    assert_eq!(fzb.get(&mailbox.href).await.status, StatusCode::OK);
    assert!(page.contains("/indicators/hotline.satisfaction"), "the definition is linked");
    // The checker: the seed itself lacks 存在的不足和原因.
    let f = fazhi::annual::compose::check(&doc);
    assert!(f.missing.iter().any(|m| m.0 == "shortcomings"), "{:?}", f.missing);
    assert!(page.contains("存在的不足和原因"));
    assert!(f.unevaluable.is_empty(), "{:?}", f.unevaluable);
    // The pending figures are still literal (or unloaded) text of the template.
    let template_text: Vec<(String,)> =
        q("SELECT body FROM annual_template_sections WHERE template_id = $1").bind(seed).fetch_all(&app.state.db).await.unwrap();
    let all: String = template_text.into_iter().map(|t| t.0).collect();
    for (figure, why) in PENDING {
        assert!(all.contains(figure), "pending figure not in the template any more ({why}): {figure}");
    }
}

async fn user(app: &TestApp, name: &str) -> i64 {
    q("SELECT id FROM users WHERE username = $1").bind(name.to_string()).fetch_i64(&app.state.db).await.unwrap()
}

/// A small year of tickets (for the other tests): `n` closed in 2020.
fn few(n: u32, prefix: &str) -> Vec<u8> {
    let mut s = String::from("工单编号,登记时间,渠道,诉求类别编码,乡镇编码,诉求内容,结果,承办单位编码,派单时间,答复时间,答复内容,回访结果\n");
    for i in 0..n {
        s.push_str(&format!("{prefix}-{i},2020-05-06 09:00,电话,ZF-WYGL,T-DH,电梯坏了,办结,D-ZJJ,2020-05-06 10:00,2020-05-07 16:00,已修好,满意\n"));
    }
    s.into_bytes()
}

async fn new_report(app: &TestApp, c: &mut crate::common::Client, template: &str, org: &str, year: &str) -> i64 {
    let t = template_id(app, template).await;
    let o = org_id(app, org).await;
    let r = c.post_form("/annual/reports/new", &[("template_id", &t.to_string()), ("year", year), ("org_id", &o.to_string())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    report_id(app, o, year.parse().unwrap()).await
}

async fn section(app: &TestApp, report: i64, needle: &str) -> (i64, i64) {
    let rows: Vec<(i64, i64, String)> =
        q("SELECT id, version, body FROM annual_report_sections WHERE report_id = $1 ORDER BY position").bind(report).fetch_all(&app.state.db).await.unwrap();
    rows.into_iter().find(|r| r.2.contains(needle)).map(|r| (r.0, r.1)).expect(needle)
}

#[tokio::test]
async fn paragraphs_keep_every_version_refuse_stale_and_unknown_codes_and_freeze_for_good() {
    let app = TestApp::new().await;
    import(&app, &few(3, "A")).await;
    let mut fzb = app.login("fzb").await;
    // The statutory template covers all five contents, but its rates over nothing (no
    // publications, no cases in this database) cannot be evaluated: flagged, and 定稿 refused.
    let stat = new_report(&app, &mut fzb, "statutory", "SFS", "2019").await;
    let page = fzb.get(&format!("/annual/reports/{stat}")).await;
    assert!(!page.contains("class=\"missing-content\""), "the statutory template misses nothing");
    assert!(page.contains("无法计算") && page.contains("disclosure.published_on_time_rate"));
    let version: i64 = q("SELECT version FROM annual_reports WHERE id = $1").bind(stat).fetch_i64(&app.state.db).await.unwrap();
    let r = fzb.post_form(&format!("/annual/reports/{stat}/freeze"), &[("version", &version.to_string())]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("有数字无法计算，不能定稿"));
    let id = new_report(&app, &mut fzb, "seed2020", "SFS", "2020").await;
    // A duplicate report for the same unit and year is refused with its field.
    let t = template_id(&app, "seed2020").await.to_string();
    let city = org_id(&app, "SFS").await.to_string();
    let dup = fzb.post_form("/annual/reports/new", &[("template_id", &t), ("year", "2020"), ("org_id", &city)]).await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(dup.contains("已经建立"));
    let bad_year = fzb.post_form("/annual/reports/new", &[("template_id", &t), ("year", "abc"), ("org_id", &city)]).await;
    assert_eq!(bad_year.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_year.contains("报告年度必须是整数"));
    let (sid, v) = section(&app, id, "{hotline.received}").await;
    let url = format!("/annual/reports/{id}/sections/{sid}");
    // An unknown indicator is refused, naming it; nothing changes.
    let r = fzb.post_form(&url, &[("version", &v.to_string()), ("body", "共受理{hotline.nope}件")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("hotline.nope") && r.contains("不存在"), "{}", r.text);
    let r = fzb.post_form(&url, &[("version", &v.to_string()), ("body", "共受理{hotline.received@nope=1}件")]).await;
    assert!(r.contains("不能按“nope”分组"));
    let r = fzb.post_form(&url, &[("version", &v.to_string()), ("body", "共受理{hotline.received|pct1}件")]).await;
    assert!(r.contains("格式与指标"));
    let r = fzb.post_form(&url, &[("version", &v.to_string()), ("body", "共受理{hotline.received件")]).await;
    assert!(r.contains("缺少右花括号"));
    let too_long = "字".repeat(5001);
    let r = fzb.post_form(&url, &[("version", &v.to_string()), ("body", &too_long)]).await;
    assert!(r.contains("不能超过 5000 个字"));
    assert_eq!(section(&app, id, "{hotline.received}").await.1, v, "refusals change nothing");
    // A good edit is version 2; the old version stays; a stale save is refused.
    let r = fzb.post_form(&url, &[("version", &v.to_string()), ("body", "热线全年共接听处理{hotline.received}件次，办结率{hotline.close_rate|pct1}。")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let r = fzb.post_form(&url, &[("version", &v.to_string()), ("body", "别人的旧版本")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("已被他人修改"));
    let hist = fzb.get(&url).await;
    assert!(hist.contains("第2版") && hist.contains("第1版") && hist.contains("林法治"));
    let page = fzb.get(&format!("/annual/reports/{id}")).await;
    assert!(page.contains("热线全年共接听处理") && page.contains(">100.0%</a>"), "the edit is composed with its format");
    // Comments: empty refused, a good one shown.
    let r = fzb.post_form(&format!("{url}/comment"), &[("comment", "  ")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    fzb.post_form(&format!("{url}/comment"), &[("comment", "请补充按时办结率")]).await;
    assert!(fzb.get(&format!("/annual/reports/{id}")).await.contains("请补充按时办结率"));
    // 定稿 with a stale version is refused; then frozen with every value and its definition.
    let version: i64 = q("SELECT version FROM annual_reports WHERE id = $1").bind(id).fetch_i64(&app.state.db).await.unwrap();
    let r = fzb.post_form(&format!("/annual/reports/{id}/freeze"), &[("version", &(version - 1).to_string())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(q("SELECT COUNT(*) FROM annual_reports WHERE id = $1 AND state = 'draft'").bind(id).fetch_i64(&app.state.db).await.unwrap(), 1);
    // The seed's structure lacks two statutory contents: 定稿 asks for them to be acknowledged.
    let r = fzb.post_form(&format!("/annual/reports/{id}/freeze"), &[("version", &version.to_string())]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("报告缺少规定内容") && r.contains("存在的不足和原因"));
    let r = fzb.post_form(&format!("/annual/reports/{id}/freeze"), &[("version", &version.to_string()), ("ack_missing", "1")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let (text, hash): (String, String) = q("SELECT text, meta_hash FROM annual_frozen_values WHERE report_id = $1 AND placeholder = 'hotline.received'")
        .bind(id)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(text, "3");
    assert_eq!(hash.len(), 64);
    // Edits after 定稿 are refused; later records move the live figure, not the frozen one.
    let (sid2, v2) = section(&app, id, "热线全年").await;
    let r = fzb.post_form(&format!("/annual/reports/{id}/sections/{sid2}"), &[("version", &v2.to_string()), ("body", "改")]).await;
    assert!(r.contains("已定稿"), "{}", r.status);
    import(&app, &few(2, "B")).await;
    let page = fzb.get(&format!("/annual/reports/{id}")).await;
    assert!(page.contains("热线全年共接听处理") && page.contains(">3</a>件次"), "frozen text unchanged");
    assert!(page.contains("已变化"), "live differs from frozen");
    // Publication needs the secrecy review and a web address; then it is on the portal.
    let today = fazhi::time::fmt_date(fazhi::time::today());
    let r = fzb.post_form(&format!("/annual/reports/{id}/record/publish"), &[("date", &today), ("detail", "www.example.gov.cn")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("保密审查") && r.contains("http://"));
    let mut public = app.client();
    assert_eq!(public.get(&format!("/portal/annual-reports/{id}")).await.status, StatusCode::NOT_FOUND);
    let r = fzb
        .post_form(
            &format!("/annual/reports/{id}/record/publish"),
            &[("date", &today), ("detail", "https://www.example.gov.cn/fzzf/2020.html"), ("secrecy_checked", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let list = public.get("/portal/annual-reports").await;
    assert!(list.contains("2020年度法治政府建设情况报告"));
    let p = public.get(&format!("/portal/annual-reports/{id}")).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.contains("热线全年共接听处理") && !p.contains("/indicators/"), "public page: frozen text, no staff links");
    let events = q("SELECT COUNT(*) FROM events WHERE entity = 'annual_report' AND entity_id = $1").bind(id).fetch_i64(&app.state.db).await.unwrap();
    assert!(events >= 5, "create, edit, comment, freeze, publish: {events}");
}

#[tokio::test]
async fn templates_are_edited_in_the_ui_with_validation_and_moves() {
    let app = TestApp::new().await;
    let mut fzb = app.login("fzb").await;
    let t = template_id(&app, "statutory").await;
    let page = fzb.get(&format!("/annual/templates/{t}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let version = || async { q("SELECT version FROM annual_templates WHERE id = $1").bind(t).fetch_i64(&app.state.db).await.unwrap() };
    let v = version().await.to_string();
    let r = fzb
        .post_form(&format!("/annual/templates/{t}/sections"), &[("version", &v), ("level", "2"), ("heading", "新项"), ("body", "办理{nothing.here}件")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("nothing.here") && r.contains("不存在"));
    let r = fzb.post_form(&format!("/annual/templates/{t}/sections"), &[("version", &v), ("level", "2"), ("heading", ""), ("body", "x")]).await;
    assert!(r.contains("部分和分项须填写标题"));
    let r = fzb
        .post_form(
            &format!("/annual/templates/{t}/sections"),
            &[("version", &v), ("level", "2"), ("heading", "热线办理情况。"), ("body", "受理{hotline.accepted}件。"), ("content_measures", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    // The page showed the old version: refused as stale.
    let r = fzb.post_form(&format!("/annual/templates/{t}/sections"), &[("version", &v), ("level", "0"), ("body", "再加一段")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(q("SELECT COUNT(*) FROM annual_template_sections WHERE body = '再加一段'").fetch_i64(&app.state.db).await.unwrap(), 0);
    let last: (i64, i64) = q("SELECT id, position FROM annual_template_sections WHERE template_id = $1 ORDER BY position DESC LIMIT 1")
        .bind(t)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    let v = version().await.to_string();
    let r = fzb.post_form(&format!("/annual/templates/{t}/sections/{}/move", last.0), &[("version", &v), ("dir", "up")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let pos = q("SELECT position FROM annual_template_sections WHERE id = $1").bind(last.0).fetch_i64(&app.state.db).await.unwrap();
    assert!(pos < last.1);
    // Delete the 其他 section: the template page flags the missing content.
    let other: i64 = q("SELECT id FROM annual_template_sections WHERE template_id = $1 AND contents = 'other'").bind(t).fetch_i64(&app.state.db).await.unwrap();
    let v = version().await.to_string();
    assert_eq!(fzb.post_form(&format!("/annual/templates/{t}/sections/{other}/delete"), &[("version", &v)]).await.status, StatusCode::SEE_OTHER);
    assert!(fzb.get(&format!("/annual/templates/{t}")).await.contains("缺少规定内容"));
    // Only template administrators: a department drafter may not.
    let mut dept = drafter(&app, "zjj_fz", "D-ZJJ").await;
    assert_eq!(dept.get(&format!("/annual/templates/{t}")).await.status, StatusCode::FORBIDDEN);
}

async fn drafter(app: &TestApp, username: &str, org: &str) -> crate::common::Client {
    let hash = fazhi::auth::password::hash(crate::common::PASSWORD).unwrap();
    let input = fazhi::accounts::queries::UserInput {
        username: username.into(),
        display_name: "部门起草人".into(),
        org_code: org.into(),
        phone: None,
        active: true,
        roles: vec![("annual_drafter".into(), org.into())],
        password: Some(crate::common::PASSWORD.into()),
    };
    app.state
        .db
        .write(move |tx| Box::pin(async move { fazhi::accounts::queries::create(tx, &fazhi::audit::Actor::system(), &input, hash, false).await.map(|_| ()) }))
        .await
        .unwrap();
    app.login(username).await
}

#[tokio::test]
async fn a_department_drafts_its_own_report_and_sees_no_other() {
    let app = TestApp::new().await;
    import(&app, &few(4, "Z")).await;
    let mut fzb = app.login("fzb").await;
    let city_report = new_report(&app, &mut fzb, "seed2020", "SFS", "2020").await;
    let mut zjj = drafter(&app, "zjj_fz", "D-ZJJ").await;
    let mine = new_report(&app, &mut zjj, "statutory", "D-ZJJ", "2020").await;
    // Its figures are its own unit's (the four tickets were handled by 住建局).
    let page = zjj.get(&format!("/annual/reports/{mine}")).await;
    assert!(page.contains("共接听处理<a") && page.contains(">4</a>件次"), "{}", &page.text[page.text.find("共接听").unwrap_or(0)..][..300]);
    // The city's report, and another unit's, are not there for it (404, not 403).
    assert_eq!(zjj.get(&format!("/annual/reports/{city_report}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(zjj.get(&format!("/annual/reports/{city_report}/report.docx")).await.status, StatusCode::NOT_FOUND);
    let list = zjj.get("/annual/reports").await;
    assert!(!list.contains(&format!("/annual/reports/{city_report}\"")));
    let cgj = org_id(&app, "D-CGJ").await.to_string();
    let t = template_id(&app, "statutory").await.to_string();
    let r = zjj.post_form("/annual/reports/new", &[("template_id", &t), ("year", "2020"), ("org_id", &cgj)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("不在您的职责范围内"));
    let (sid, v) = section(&app, city_report, "{hotline.received}").await;
    let r = zjj.post_form(&format!("/annual/reports/{city_report}/sections/{sid}"), &[("version", &v.to_string()), ("body", "x")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Someone without the role sees nothing at all.
    let mut agent = app.login("agent").await;
    assert_eq!(agent.get("/annual/reports").await.status, StatusCode::FORBIDDEN);
    assert_eq!(agent.get(&format!("/annual/reports/{mine}")).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn deadlines_are_shown_with_their_basis_and_reminded_once() {
    let app = TestApp::new().await;
    let mut fzb = app.login("fzb").await;
    let id = new_report(&app, &mut fzb, "statutory", "SFS", "2020").await;
    let page = fzb.get(&format!("/annual/reports/{id}")).await;
    assert!(page.contains("2021-03-01") && page.contains("2021-04-01") && page.contains("第二十四条") && page.contains("本地默认"));
    // Sweeps in 2021: 20 February reminds of 1 March; 2 April says both are overdue; again, nothing new.
    let n = |d| fazhi::annual::remind(&app.state, d);
    assert_eq!(n(NaiveDate::from_ymd_opt(2021, 1, 10).unwrap()).await.unwrap(), 0);
    n(NaiveDate::from_ymd_opt(2021, 2, 20).unwrap()).await.unwrap();
    fazhi::jobs::sweep(&app.state, NaiveDate::from_ymd_opt(2021, 4, 2).unwrap()).await.unwrap();
    fazhi::jobs::sweep(&app.state, NaiveDate::from_ymd_opt(2021, 4, 3).unwrap()).await.unwrap();
    let notes: Vec<(String,)> = q("SELECT message FROM notifications WHERE kind = 'annual_report_due' ORDER BY id").fetch_all(&app.state.db).await.unwrap();
    assert_eq!(notes.len(), 3, "one reminder before 1 March, then each deadline overdue once: {notes:?}");
    assert!(notes[0].0.contains("2021-03-01") && notes[0].0.contains("还剩 9 天"));
    assert!(notes.iter().any(|n| n.0.contains("向社会公开已逾期")));
}
