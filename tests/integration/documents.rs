//! Documents issued on a case: rendered from the template, numbered per unit and year without
//! gaps, signed with the organ's full name, registered on the case, readable (page and DOCX)
//! by those who may read the case and by nobody else.

use axum::http::StatusCode;
use futures::FutureExt;

use crate::common::*;
use fazhi::documents::TemplateDef;

static NOTICE: TemplateDef = TemplateDef {
    procedure: "hotline",
    code: "test_notice",
    name: "办理告知书",
    body: "{{ name }}：\n您反映的事项（{{ case_no }}）已交本单位办理。",
    number: "{org}告〔{year}〕{seq}号",
    values: &[("name", "张三"), ("case_no", "2026000001")],
};

#[tokio::test]
async fn documents_are_numbered_signed_and_read_only_by_the_case_readers() {
    let app = TestApp::new().await;
    let zjj = fazhi::org::queries::by_code(&app.state.db, "D-ZJJ").await.unwrap().unwrap();
    let root = fazhi::org::queries::root(&app.state.db).await.unwrap();
    let issuer = fazhi::org::queries::full_name(&zjj, root.as_ref());
    assert_eq!(issuer, "示范市住房和城乡建设局");
    let town = fazhi::org::queries::by_code(&app.state.db, "T-DH").await.unwrap().unwrap();
    assert_eq!(fazhi::org::queries::full_name(&town, root.as_ref()), "示范市东湖镇人民政府");
    let hotline = app.state.registry.feature("hotline").unwrap();
    let case_id = hotline.sample(&app.state, zjj.id).await.unwrap()[0];
    let case = fazhi::kernel::queries::get(&app.state.db, case_id).await.unwrap().unwrap();
    let mut ids = Vec::new();
    for _ in 0..2 {
        let (c, iss, code) = (case.clone(), issuer.clone(), zjj.code.clone());
        let d = app
            .state
            .db
            .write(move |tx| {
                async move {
                    let values = [("name".to_string(), "李四".to_string()), ("case_no".to_string(), c.case_no.clone())].into_iter().collect();
                    fazhi::documents::issue(tx, &NOTICE, &c, &values, &iss, &code, &fazhi::audit::Actor::system()).await
                }
                .boxed()
            })
            .await
            .unwrap();
        ids.push(d);
    }
    let year = chrono::Datelike::year(&fazhi::time::today());
    assert_eq!(ids[0].number.as_deref(), Some(format!("住建局告〔{year}〕1号").as_str()));
    assert_eq!(ids[1].number.as_deref(), Some(format!("住建局告〔{year}〕2号").as_str()), "gap-free");
    assert!(ids[0].body.starts_with("李四："));
    let mut zjj_staff = app.login("zjj_staff").await;
    let page = zjj_staff.get(&format!("/documents/{}", ids[0].id)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.contains("示范市住房和城乡建设局") && page.contains(&format!("住建局告〔{year}〕1号")) && page.contains("seal-space"), "{}", page.text);
    let r = zjj_staff.get(&format!("/documents/{}.docx", ids[0].id)).await;
    assert_eq!(r.status, StatusCode::OK);
    // Another unit does not learn the document exists.
    let mut cgj = app.login("cgj_staff").await;
    assert_eq!(cgj.get(&format!("/documents/{}", ids[0].id)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(cgj.get(&format!("/documents/{}.docx", ids[0].id)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(zjj_staff.get("/documents/999999").await.status, StatusCode::NOT_FOUND);
    assert_eq!(zjj_staff.get("/documents/abc").await.status, StatusCode::NOT_FOUND);
    // The case's timeline records it.
    let t = zjj_staff.get(&format!("/hotline/tickets/{case_id}")).await;
    assert!(t.contains("制作文书") && t.contains("《办理告知书》"), "{}", t.text);
}
