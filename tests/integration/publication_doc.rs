//! A published document carries what government websites show above it: 索引号 (given when
//! it is published, per unit and year), 主题分类, 发文机关 in full, and a 文号 for the kinds
//! of document that have one.

use axum::http::StatusCode;

use crate::common::*;
use fazhi::db::q;

fn id_from(location: &str) -> i64 {
    location.trim_start_matches("/disclosure/publications/").split(['?', '/']).next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_published_document_gets_its_index_number_subject_and_organ() {
    let app = TestApp::new().await;
    let zjj = org_id(&app, "D-ZJJ").await;
    let (cat,): (i64,) = q("SELECT id FROM disclosure_categories WHERE code = 'A21-C5'").fetch_one(&app.state.db).await.unwrap();
    let mut staff = app.login("zjj_head").await;
    let today = fazhi::time::fmt_date(fazhi::time::today());
    let draft = |title: &'static str, kind: &'static str, doc_no: &'static str, theme: &'static str| {
        vec![
            ("org_id".to_string(), zjj.to_string()),
            ("category_id".to_string(), cat.to_string()),
            ("title".to_string(), title.to_string()),
            ("doc_kind".to_string(), kind.to_string()),
            ("doc_no".to_string(), doc_no.to_string()),
            ("theme".to_string(), theme.to_string()),
            ("formed_on".to_string(), today.clone()),
            ("body".to_string(), "为规范国有土地上房屋征收与补偿活动，根据《国有土地上房屋征收与补偿条例》，结合本市实际，制定本办法。".to_string()),
        ]
    };
    // A normative document needs its 文号; an unknown subject is refused.
    let fields = draft("示范市国有土地上房屋征收与补偿实施办法", "normative", "", "");
    let refs: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let r = staff.post_multipart("/disclosure/publications/new", &refs, &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.contains("行政规范性文件须填写文号"), "{}", r.text);
    let fields = draft("示范市国有土地上房屋征收与补偿实施办法", "normative", "示住建规〔2026〕1号", "天气预报");
    let refs: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let r = staff.post_multipart("/disclosure/publications/new", &refs, &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("主题分类不在政府信息公开主题分类之列"));
    // Without a subject it takes the catalogue item's usual one.
    let fields = draft("示范市国有土地上房屋征收与补偿实施办法", "normative", "示住建规〔2026〕1号", "");
    let refs: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let r = staff.post_multipart("/disclosure/publications/new", &refs, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let first = id_from(&r.location());
    let fields = draft("老城区北门片区房屋征收补偿方案", "notice", "", "城乡建设、环境保护");
    let refs: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let r = staff.post_multipart("/disclosure/publications/new", &refs, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let second = id_from(&r.location());
    // No 索引号 before it is published; then the unit's next one of the year.
    let r = staff.get(&format!("/disclosure/publications/{first}")).await;
    assert!(r.contains("公开时编号") && r.contains("城乡建设、环境保护") && r.contains("示范市住房和城乡建设局"), "{}", r.text);
    for id in [first, second] {
        assert_eq!(staff.post_form(&format!("/disclosure/publications/{id}/step/submit"), &[]).await.status, StatusCode::SEE_OTHER);
        let r = staff.post_form(&format!("/disclosure/publications/{id}/step/approve"), &[("secrecy_checked", "1"), ("third_party_checked", "1")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    }
    let year = chrono::Datelike::year(&fazhi::time::today());
    let numbers: Vec<(Option<String>, Option<String>)> = q("SELECT index_no, theme FROM disclosure_publications WHERE id IN ($1, $2) ORDER BY id")
        .bind(first)
        .bind(second)
        .fetch_all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(numbers[0], (Some(format!("D-ZJJ/{year}-00001")), Some("城乡建设、环境保护".to_string())));
    assert_eq!(numbers[1].0, Some(format!("D-ZJJ/{year}-00002")));
    // The portal shows them above the text; the organ signs below it.
    let r = app.client().get(&format!("/portal/disclosure/p/{first}")).await;
    assert_eq!(r.status, StatusCode::OK);
    for s in [
        format!("D-ZJJ/{year}-00001"),
        "城乡建设、环境保护".into(),
        "示范市住房和城乡建设局".into(),
        "示住建规〔2026〕1号".into(),
        "有效性".into(),
        "房屋征收（市级）".into(),
    ] {
        assert!(r.contains(&s), "{s}: {}", r.text);
    }
}
