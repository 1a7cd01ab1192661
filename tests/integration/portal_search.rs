//! 政务公开 search on the portal, phone first: one search box, the filters behind 筛选, and
//! catalogue items of the same name told apart by their level.

use axum::http::StatusCode;

use crate::common::*;
use fazhi::db::q;

#[tokio::test]
async fn search_starts_with_one_box_and_keeps_filters_behind_a_button() {
    let app = TestApp::new().await;
    let mut anon = app.client();
    let r = anon.get("/portal/disclosure/search").await;
    assert_eq!(r.status, StatusCode::OK);
    let text = &r.text;
    let boxed = text.find("type=\"search\" name=\"q\"").expect("one search box");
    let filters = text.find("<details class=\"search-filters\">").expect("the filters behind 筛选, closed");
    assert!(boxed < filters, "the search box comes first");
    assert!(text[filters..].contains("<summary>筛选</summary>"));
    for name in ["org", "category", "kind", "from", "to"] {
        let at = text.find(&format!("name=\"{name}\"")).unwrap_or_else(|| panic!("{name}"));
        assert!(at > filters && at < text.find("</details>").unwrap(), "{name} sits inside 筛选");
    }
    assert_eq!(text.matches("type=\"search\"").count(), 1);
    assert!(!text.contains("已筛选"));

    // Filters in force are counted on the button and named below the box, with a way out.
    let (town_cat,): (i64,) = q("SELECT id FROM disclosure_categories WHERE code = 'A21-T5'").fetch_one(&app.state.db).await.unwrap();
    let dh = org_id(&app, "T-DH").await;
    let r = anon.get(&format!("/portal/disclosure/search?q=征收&org={dh}&category={town_cat}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.contains("筛选（已选 2 项）") && r.contains("已筛选") && r.contains("土地征收（乡镇）") && r.contains("清除筛选"), "{}", r.text);
    assert!(r.contains("href=\"/portal/disclosure/search?q=%E5%BE%81%E6%94%B6\""), "clearing keeps the words");
}

#[tokio::test]
async fn catalogue_items_of_the_same_name_are_told_apart() {
    let app = TestApp::new().await;
    let mut anon = app.client();
    let r = anon.get("/portal/disclosure/search").await;
    for name in ["土地征收", "房屋征收", "社会救助"] {
        assert!(r.contains(&format!(">{name}（市级）</option>")) && r.contains(&format!(">{name}（乡镇）</option>")), "{name}: {}", r.text);
        assert!(!r.contains(&format!(">{name}</option>")), "{name} alone is ambiguous");
    }
    assert!(r.contains("<optgroup label=\"乡镇人民政府（第二十一条）\">"));
    // Names that are unique stay as they are.
    assert!(r.contains(">财政预算、决算信息</option>"));
    // The other lists name them the same way.
    for path in ["/portal/disclosure", "/portal/disclosure/list"] {
        let r = anon.get(path).await;
        assert!(r.contains("土地征收（市级）") && r.contains("土地征收（乡镇）"), "{path}");
    }
    let mut staff = app.login("zjj_staff").await;
    let r = staff.get("/disclosure/publications").await;
    assert!(r.contains("社会救助（市级）") && r.contains("社会救助（乡镇）"), "{}", r.text);
}
