//! 政务公开 replies that deliver what they decide (issue 10 #12–#16): a reply of 予以公开 or 部分公开
//! carries the information (files, publications) that the applicant downloads on the portal and
//! the letter lists; delivery contacts kept and masked; outcome choices as decisions; the person
//! who asks for an extension does not approve it; the 补正 badge; letters signed in full with room
//! for the seal; the annual report's DOCX without placeholders.

use axum::http::StatusCode;
use futures::FutureExt;

use crate::common::*;
use fazhi::db::q;

const ID: &str = "11010519491231002X";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

async fn citizen(app: &TestApp, phone: &str) -> Client {
    let token = fazhi::auth::session::create(&app.state.db, None, Some(phone.to_string()), None, None).await.unwrap();
    let mut c = app.client();
    c.cookies.insert("fazhi_sid".into(), token);
    c
}

fn id_from(location: &str) -> i64 {
    location.rsplit('/').next().unwrap().parse().unwrap()
}

/// The raw bytes of a GET, with the client's cookies, and its status.
async fn get_bytes(app: &TestApp, c: &Client, path: &str) -> (StatusCode, Vec<u8>) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let cookie = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let req = axum::http::Request::builder().uri(path).header("cookie", cookie).body(axum::body::Body::empty()).unwrap();
    let resp = app.router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    (status, resp.into_body().collect().await.unwrap().to_bytes().to_vec())
}

fn docx_text(bytes: &[u8]) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a DOCX is a zip");
    let mut s = String::new();
    std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut s).unwrap();
    s
}

/// Register a letter application at 住建局 on the staff page.
async fn register(app: &TestApp, staff: &mut Client, extra: &[(&str, &str)]) -> crate::common::Response {
    let zjj = org_id(app, "D-ZJJ").await.to_string();
    let mut fields: Vec<(&str, &str)> = vec![
        ("org_id", zjj.as_str()),
        ("channel", "letter"),
        ("applicant_type", "natural"),
        ("applicant_name", "张三"),
        ("id_number", ID),
        ("phone", "13800001111"),
        ("description", "幸福小区二期项目的建设工程规划许可证及附图"),
    ];
    fields.extend_from_slice(extra);
    staff.post_form("/disclosure/requests/new", &fields).await
}

/// A publication of 住建局, reviewed and published; its 索引号.
async fn published(app: &TestApp) -> (i64, String) {
    let zjj = org_id(app, "D-ZJJ").await;
    let (cat,): (i64,) = q("SELECT id FROM disclosure_categories WHERE code = 'A20-10'").fetch_one(&app.state.db).await.unwrap();
    let mut staff = app.login("zjj_staff").await;
    let formed = fazhi::time::fmt_date(fazhi::time::today() - chrono::Duration::days(10));
    let r = staff
        .post_multipart(
            "/disclosure/publications/new",
            &[
                ("org_id", &zjj.to_string()),
                ("category_id", &cat.to_string()),
                ("title", "幸福小区二期项目建设工程规划许可批前公示"),
                ("doc_kind", "notice"),
                ("formed_on", &formed),
                ("body", "幸福小区二期项目建设工程规划许可申请已受理，现予公示。"),
            ],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let id = id_from(&r.location());
    staff.post_form(&format!("/disclosure/publications/{id}/step/submit"), &[]).await;
    let mut head = app.login("zjj_head").await;
    let r = head.post_form(&format!("/disclosure/publications/{id}/step/approve"), &[("secrecy_checked", "1"), ("third_party_checked", "1")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let (index_no,): (String,) = q("SELECT index_no FROM disclosure_publications WHERE id = $1").bind(id).fetch_one(&app.state.db).await.unwrap();
    (id, index_no)
}

#[tokio::test]
async fn a_disclosing_reply_carries_the_information_the_applicant_downloads() {
    let app = TestApp::new().await;
    let (pub_id, index_no) = published(&app).await;
    let mut staff = app.login("zjj_staff").await;
    let r = register(&app, &mut staff, &[("delivery", "online")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let id = id_from(&r.location());
    assert_eq!(staff.post_form(&format!("/disclosure/requests/{id}/step/accept"), &[]).await.status, StatusCode::SEE_OTHER);
    // The choices read as decisions; the report's rows stay on the report.
    let page = staff.get(&format!("/disclosure/requests/{id}")).await;
    assert!(page.contains(">予以公开</option>") && page.contains(">不予公开：涉及国家秘密（第十四条）</option>"), "{}", page.text);
    assert!(!page.contains("1.属于国家秘密") && !page.contains("只计这一情形"), "{}", page.text);
    assert!(page.contains("enctype=\"multipart/form-data\""), "the reply uploads files");
    // 予以公开 with nothing attached is refused, with Art. 36, a code and the field.
    let r = staff.post_form(&format!("/disclosure/requests/{id}/step/reply"), &[("outcome", "disclose"), ("reply_text", "现予以公开。")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("应当向申请人提供所申请的政府信息") && r.contains("第三十六条"), "{}", r.text);
    let r = staff
        .post_json(
            &format!("/api/v1/disclosure/requests/{id}/steps/reply"),
            &serde_json::json!({"fields": {"outcome": "partial", "outcome_reason": "附图含个人信息", "reply_text": "见附件"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let j = r.json();
    assert_eq!(j["fields"][0]["field"], "files", "{j}");
    assert_eq!(j["fields"][0]["code"], "information_not_attached", "{j}");
    assert!(j["basis"].to_string().contains("第三十六条"), "{j}");
    // A publication that is not public is refused by name.
    let r = staff
        .post_form(
            &format!("/disclosure/requests/{id}/step/reply"),
            &[("outcome", "disclose"), ("reply_text", "现予以公开。"), ("publications", "NO-SUCH/2026-00001")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("没有索引号或编号为“NO-SUCH/2026-00001”的已公开信息"), "{}", r.text);
    // A 不予公开 reply gives nothing.
    let r = staff
        .post_multipart(
            &format!("/disclosure/requests/{id}/step/reply"),
            &[("outcome", "withhold_secret"), ("outcome_reason", "经定密属于秘密级"), ("reply_text", "不予公开。")],
            &[("files", "规划许可证.pdf", PDF)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("不向申请人提供所申请的信息"), "{}", r.text);
    assert_eq!(q("SELECT COUNT(*) FROM attachments WHERE entity = 'case' AND entity_id = $1").bind(id).fetch_i64(&app.state.db).await.unwrap(), 0);
    // 部分公开 with a file and a publication.
    let r = staff
        .post_multipart(
            &format!("/disclosure/requests/{id}/step/reply"),
            &[
                ("outcome", "partial"),
                ("outcome_reason", "附图中含有第三方个人信息，依照第十五条不予公开"),
                ("reply_text", "提供规划许可证，附图作区分处理。"),
                ("publications", &index_no),
            ],
            &[("files", "规划许可证.pdf", PDF)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let (fid,): (i64,) =
        q("SELECT id FROM attachments WHERE entity = 'case' AND entity_id = $1 AND purpose = 'disclosed'").bind(id).fetch_one(&app.state.db).await.unwrap();
    let page = staff.get(&format!("/disclosure/requests/{id}")).await;
    assert!(page.contains("向申请人提供的信息") && page.contains("规划许可证.pdf") && page.contains(&index_no), "{}", page.text);
    // The applicant downloads the file on the portal and finds the publication.
    let mut applicant = citizen(&app, "13800001111").await;
    let r = applicant.get(&format!("/portal/disclosure/requests/{id}")).await;
    assert!(r.contains("向您提供的政府信息") && r.contains(&format!("/portal/disclosure/requests/{id}/files/{fid}")), "{}", r.text);
    assert!(r.contains(&format!("/portal/disclosure/p/{pub_id}")), "{}", r.text);
    let (status, bytes) = get_bytes(&app, &applicant, &format!("/portal/disclosure/requests/{id}/files/{fid}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, PDF);
    // Nobody else does: another citizen, nor anyone without a verified phone.
    let other = citizen(&app, "13800009999").await;
    assert_eq!(get_bytes(&app, &other, &format!("/portal/disclosure/requests/{id}/files/{fid}")).await.0, StatusCode::NOT_FOUND);
    assert_ne!(get_bytes(&app, &app.client(), &format!("/portal/disclosure/requests/{id}/files/{fid}")).await.0, StatusCode::OK);
    // The reply letter lists what it gives, is signed by the organ in full and leaves room for the seal.
    let (lid,): (i64,) = q("SELECT id FROM disclosure_letters WHERE case_id = $1 AND kind = 'reply'").bind(id).fetch_one(&app.state.db).await.unwrap();
    let (status, raw) = get_bytes(&app, &applicant, &format!("/portal/disclosure/requests/{id}/letters/{lid}.docx")).await;
    assert_eq!(status, StatusCode::OK);
    let xml = docx_text(&raw);
    for s in [
        "张三：",
        "规划许可证.pdf",
        "幸福小区二期项目建设工程规划许可批前公示",
        index_no.as_str(),
        "示范市住房和城乡建设局",
        "示范市人民政府申请行政复议",
        "（印章）",
    ] {
        assert!(xml.contains(s), "{s}: {xml}");
    }
    assert!(!xml.contains("您（单位）"), "a person is addressed as a person: {xml}");
}

#[tokio::test]
async fn delivery_contacts_are_required_kept_and_masked() {
    let app = TestApp::new().await;
    let mut staff = app.login("zjj_staff").await;
    let r = register(&app, &mut staff, &[("delivery", "email")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("选择电子邮件方式的，请填写电子邮箱"), "{}", r.text);
    let r = register(&app, &mut staff, &[("delivery", "email"), ("email", "zhangsan@")]).await;
    assert!(r.contains("电子邮箱格式不正确"), "{}", r.text);
    let r = register(&app, &mut staff, &[("delivery", "post")]).await;
    assert!(r.contains("选择邮寄方式的，请填写通信地址"), "{}", r.text);
    let r = register(&app, &mut staff, &[("delivery", "email"), ("email", "zhangsan@example.com"), ("address", "示范市东湖镇幸福路18号3幢201室")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let id = id_from(&r.location());
    let (email, address): (Option<String>, Option<String>) =
        q("SELECT email, address FROM disclosure_requests WHERE case_id = $1").bind(id).fetch_one(&app.state.db).await.unwrap();
    assert_eq!((email.as_deref(), address.as_deref()), (Some("zhangsan@example.com"), Some("示范市东湖镇幸福路18号3幢201室")));
    // Shown masked, like the phone.
    let page = staff.get(&format!("/disclosure/requests/{id}")).await;
    assert!(page.contains("z****@example.com") && page.contains("示范市东湖镇幸福路****"), "{}", page.text);
    assert!(!page.contains("zhangsan@example.com") && !page.contains("3幢201室"), "{}", page.text);
    // The API shows them masked too.
    let j = staff.get(&format!("/api/v1/disclosure/requests/{id}")).await.json();
    assert_eq!(
        (j["delivery"].as_str(), j["email"].as_str(), j["address"].as_str()),
        (Some("email"), Some("z****@example.com"), Some("示范市东湖镇幸福路****")),
        "{j}"
    );
    // In full only for pii_view, and the look is an event.
    let r = staff.post_form(&format!("/disclosure/requests/{id}/reveal"), &[]).await;
    assert!(r.contains("zhangsan@example.com") && r.contains("3幢201室"), "{}", r.text);
    let n = q("SELECT COUNT(*) FROM events WHERE entity = 'case' AND entity_id = $1 AND action = 'pii_view'").bind(id).fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(n, 1);
    let mut insp = app.login("inspector").await;
    let r = insp.get(&format!("/disclosure/requests/{id}")).await;
    if r.status == StatusCode::OK {
        assert!(!r.contains("zhangsan@example.com"), "{}", r.text);
        assert_ne!(insp.post_form(&format!("/disclosure/requests/{id}/reveal"), &[]).await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn whoever_asks_for_an_extension_does_not_approve_it_and_the_correction_badge_gives_its_date() {
    let app = TestApp::new().await;
    let mut head = app.login("zjj_head").await;
    let r = register(&app, &mut head, &[("delivery", "online")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let id = id_from(&r.location());
    // 补正: the badge says who is waited for and until when.
    let r = head.post_form(&format!("/disclosure/requests/{id}/step/request_correction"), &[("correction_items", "请写明许可证的年份"), ("days", "10")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let due = app.state.calendar().add_working_days(fazhi::time::today(), 10);
    let badge = format!("待申请人补正（补正期限 {}）", fazhi::time::fmt_date_cn(due));
    assert!(head.get(&format!("/disclosure/requests/{id}")).await.contains(&badge), "{badge}");
    assert!(head.get("/disclosure/requests").await.contains(&badge), "the list says it too");
    let mut applicant = citizen(&app, "13800001111").await;
    assert!(applicant.get(&format!("/portal/disclosure/requests/{id}")).await.contains(&badge));
    let r = applicant.post_form(&format!("/portal/disclosure/requests/{id}/step/correct"), &[("correction_text", "2025年核发的规划许可证")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    // The head asks for an extension and cannot approve it: separation of duties, with its rule.
    let r = head.post_form(&format!("/disclosure/requests/{id}/step/request_extension"), &[("days", "10"), ("reason", "需调取城建档案馆档案")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = head.get(&format!("/disclosure/requests/{id}")).await;
    assert!(page.contains("“申请延长答复期限”是您提出的"), "the step is greyed out with its reason: {}", page.text);
    let r = head.post_form(&format!("/disclosure/requests/{id}/step/approve_extension"), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("不能由您本人“批准延期”") && r.contains("第三十三条"), "{}", r.text);
    let r = head.post_json(&format!("/api/v1/disclosure/requests/{id}/steps/approve_extension"), &serde_json::json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["code"], "separation_of_duties", "{}", r.text);
    assert_eq!(q("SELECT state FROM cases WHERE id = $1").bind(id).fetch_one::<(String,)>(&app.state.db).await.unwrap().0, "extension_requested");
    // Another head of the unit approves it.
    let input = fazhi::accounts::queries::UserInput {
        username: "zjj_head2".into(),
        display_name: "孙副局长".into(),
        org_code: "D-ZJJ".into(),
        phone: None,
        active: true,
        roles: vec![("dept_head".into(), String::new())],
        password: Some(PASSWORD.into()),
    };
    let hash = fazhi::auth::password::hash(PASSWORD).unwrap();
    app.state
        .db
        .write(move |tx| async move { fazhi::accounts::queries::create(tx, &fazhi::audit::Actor::system(), &input, hash, false).await }.boxed())
        .await
        .unwrap();
    let mut other = app.login("zjj_head2").await;
    let r = other.post_form(&format!("/disclosure/requests/{id}/step/approve_extension"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
}

#[tokio::test]
async fn the_annual_report_docx_has_no_placeholder_and_its_title_breaks_after_the_organ() {
    let app = TestApp::new().await;
    let org = fazhi::org::queries::by_code(&app.state.db, "D-ZJJ").await.unwrap().unwrap();
    let year = i64::from(chrono::Datelike::year(&fazhi::time::today()));
    let a = fazhi::disclosure::report::load(&app.state.db, org, year).await.unwrap();
    let mut d = fazhi::reports::docx::Docx::new("report");
    d.document(&a.document(false));
    let xml = docx_text(&d.finish().unwrap());
    assert!(!xml.contains("尚未撰写"), "{xml}");
    assert!(
        xml.contains(&format!("示范市住房和城乡建设局</w:t></w:r><w:r><w:br/></w:r><w:r><w:t xml:space=\"preserve\">{year}年政府信息公开工作年度报告")),
        "{xml}"
    );
    assert!(xml.contains("主动公开政府信息"), "一、总体情况 is written from the figures: {xml}");
    assert!(!xml.contains("带 * 的数字"), "no figure is entered by hand, so no mark is explained: {xml}");
    // The page, a draft, still says what is missing.
    assert!(fazhi::reports::to_html(&a.document(true)).contains("尚未撰写"));
}
