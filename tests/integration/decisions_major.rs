//! 重大行政决策: the catalogue (published only after the Party committee's consent), a decision
//! through its five statutory procedures on the kernel — collective deliberation refused without
//! a legality opinion, every missing item of the package named with its article — publication
//! after the report to the Party committee, post-evaluation by someone independent; citizens'
//! comments during the window only, grouped as a campaign for staff; the figures; other units 404.

use axum::http::StatusCode;
use chrono::{Datelike, Duration};
use futures::FutureExt;
use serde_json::{Value, json};

use crate::common::*;
use fazhi::db::q;
use fazhi::time::{fmt_date, today};

const TEXT: &str = "第一条 为了推进城区停车设施建设，制定本办法。\n第二条 停车收费实行政府指导价。\n第三条 本办法自公布之日起施行。";

/// Change facts directly (a window that ran in the past), through the writer.
async fn set(app: &TestApp, sql: &'static str, values: Vec<String>, id: i64) {
    app.state
        .db
        .write(move |tx| {
            async move {
                let mut query = q(sql);
                for v in values {
                    query = query.bind(v);
                }
                query.bind(id).execute(&mut *tx).await
            }
            .boxed()
        })
        .await
        .unwrap();
}

/// A client whose phone is verified, connecting from an address of its own (the portal limits
/// the codes one address may ask for).
async fn citizen(app: &TestApp, n: u8) -> Client {
    let phone = format!("139000{:05}", u32::from(n));
    let mut c = app.client();
    c.peer = Some(([10, 0, 0, n], 40000).into());
    let r = c.post_form("/portal/login/send", &[("phone", &phone), ("next", "/portal/decisions")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let code = crate::portal::demo_code(&r.text);
    let r = c.post_form("/portal/login/verify", &[("phone", &phone), ("code", &code), ("next", "/portal/decisions")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    c
}

async fn step(c: &mut Client, id: i64, action: &str, body: Value) -> (StatusCode, Value) {
    let r = c.post_json(&format!("/api/v1/decisions/major/{id}/steps/{action}"), &body).await;
    (r.status, serde_json::from_str(&r.text).unwrap_or(Value::Null))
}

async fn ok(c: &mut Client, id: i64, action: &str, body: Value) -> Value {
    let (s, v) = step(c, id, action, body).await;
    assert_eq!(s, StatusCode::OK, "{action}: {v}");
    v
}

fn field_codes(v: &Value) -> Vec<String> {
    v["fields"].as_array().map(|a| a.iter().map(|f| f["code"].as_str().unwrap_or("").to_string()).collect()).unwrap_or_default()
}

/// A published catalogue with one item led by 住建局; the item's id.
async fn catalogue_with_item(app: &TestApp, office: &mut Client, title: &str) -> (i64, i64) {
    let year = today().year().to_string();
    let r = office.post_form("/decisions/major/catalogues", &[("year", &year)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let cat: i64 = r.location().rsplit('/').next().unwrap().parse().unwrap();
    let zjj = org_id(app, "D-ZJJ").await.to_string();
    let r = office.post_form(&format!("/decisions/major/catalogues/{cat}/items"), &[("title", title), ("category", "policy"), ("lead_org_id", &zjj)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let r = office.post_form(&format!("/decisions/major/catalogues/{cat}/approve"), &[("reference", "市委常委会第8次会议")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let r = office.post_form(&format!("/decisions/major/catalogues/{cat}/publish"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let item = q("SELECT id FROM decision_catalogue_items WHERE catalogue_id = $1 ORDER BY seq DESC").bind(cat).fetch_i64(&app.state.db).await.unwrap();
    (cat, item)
}

async fn launch(staff: &mut Client, item: i64, market: bool) -> i64 {
    let mut f = vec![("text", TEXT)];
    if market {
        f.push(("market_related", "1"));
    }
    let r = staff.post_form(&format!("/decisions/major/items/{item}/launch"), &f).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    r.location().rsplit('/').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn the_catalogue_is_published_only_after_the_party_committee_consents() {
    let app = TestApp::new().await;
    let mut office = app.login(fazhi::decisions::major::demo::OFFICE).await;
    let year = today().year().to_string();
    let r = office.post_form("/decisions/major/catalogues", &[("year", &year)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let cat: i64 = r.location().rsplit('/').next().unwrap().parse().unwrap();
    // The same year twice: refused.
    let r = office.post_form("/decisions/major/catalogues", &[("year", &year)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("已经建立"), "{}", r.text);
    // An item without a category or lead unit: each field named.
    let r = office.post_form(&format!("/decisions/major/catalogues/{cat}/items"), &[("title", "城区停车设施建设与收费管理办法")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("第三条第一款") && r.contains("决策承办单位"), "{}", r.text);
    let zjj = org_id(&app, "D-ZJJ").await.to_string();
    let r = office
        .post_form(
            &format!("/decisions/major/catalogues/{cat}/items"),
            &[("title", "城区停车设施建设与收费管理办法"), ("category", "policy"), ("lead_org_id", &zjj)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    // Not published before the Party committee's consent (Art. 3 ¶3).
    let r = office.post_form(&format!("/decisions/major/catalogues/{cat}/publish"), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("经同级党委同意") && r.contains("第三条第三款"), "{}", r.text);
    let mut portal = app.client();
    assert!(!portal.get("/portal/decisions").await.contains("城区停车设施"));
    // Launching an item of an unpublished catalogue: refused.
    let item = q("SELECT id FROM decision_catalogue_items WHERE catalogue_id = $1").bind(cat).fetch_i64(&app.state.db).await.unwrap();
    let mut staff = app.login("zjj_staff").await;
    let r = staff.post_form(&format!("/decisions/major/items/{item}/launch"), &[("text", TEXT)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("向社会公布后"), "{}", r.text);
    let r = office.post_form(&format!("/decisions/major/catalogues/{cat}/approve"), &[("reference", "市委常委会第8次会议")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    // Not dated before the consent.
    let before = fmt_date(today() - Duration::days(1));
    let r = office.post_form(&format!("/decisions/major/catalogues/{cat}/publish"), &[("published_on", &before)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("不能早于党委同意之日"), "{}", r.text);
    let r = office.post_form(&format!("/decisions/major/catalogues/{cat}/publish"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let page = portal.get("/portal/decisions").await;
    assert!(page.contains("城区停车设施建设与收费管理办法") && page.contains("市委常委会第8次会议"), "{}", page.text);
    // After consent an added item is an adjustment and needs its reason.
    let r =
        office.post_form(&format!("/decisions/major/catalogues/{cat}/items"), &[("title", "公交线网优化"), ("category", "other"), ("lead_org_id", &zjj)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("须说明理由"), "{}", r.text);
    // Staff of a unit cannot keep the catalogue.
    let r = staff.post_form("/decisions/major/catalogues", &[("year", &(today().year() + 1).to_string())]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The events of the catalogue are on the log.
    let n: i64 = q("SELECT COUNT(*) FROM events WHERE entity = 'decision_catalogue' AND entity_id = $1").bind(cat).fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(n, 4);
}

#[tokio::test]
async fn a_major_decision_through_its_five_procedures() {
    let app = TestApp::new().await;
    let mut office = app.login(fazhi::decisions::major::demo::OFFICE).await;
    let mut staff = app.login("zjj_staff").await;
    let mut legal = app.login("legal").await;
    let (_, item) = catalogue_with_item(&app, &mut office, "城区停车设施建设与收费管理办法").await;
    let id = launch(&mut staff, item, true).await;
    // Launched once only.
    let r = staff.post_form(&format!("/decisions/major/items/{item}/launch"), &[("text", TEXT)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    ok(&mut staff, id, "draft", json!({"fields": {"legal_basis": "价格法、城乡规划法", "consultation": "发改、财政、公安交警无异议"}})).await;

    // Collective deliberation with nothing on record: refused, naming every missing item.
    let meeting = json!({"fields": {"meeting": "市政府第12次常务会议", "majority": "agree", "head_last": "yes", "result": "adopted"}});
    let (s, v) = step(&mut office, id, "deliberate", meeting.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let codes = field_codes(&v);
    for want in ["legality_opinion_missing", "participation_missing", "expert_missing", "risk_missing", "fair_competition_missing"] {
        assert!(codes.contains(&want.to_string()), "{want} in {v}");
    }
    assert!(v["message"].as_str().unwrap().contains("合法性审查"), "{v}");
    assert!(v["basis"][0].as_str().unwrap().contains("第二十五条"), "{v}");
    let msgs = v["fields"].to_string();
    assert!(
        msgs.contains("第二十九条第二项") && msgs.contains("第二十九条第三项") && msgs.contains("第二十九条第四项") && msgs.contains("第二十九条第一项"),
        "{v}"
    );
    // The same on the page, in Chinese.
    let page = office
        .post_form(
            &format!("/decisions/major/{id}/step/deliberate"),
            &[("meeting", "常务会议"), ("majority", "agree"), ("head_last", "yes"), ("result", "adopted")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("没有合法性审查意见") && page.contains("缺少专家论证"), "{}", page.text);

    // Public participation: a window shorter than 30 days needs its reason (Art. 15).
    let (s, v) = step(&mut staff, id, "open_participation", json!({"days": 15})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["code"], "window_too_short", "{v}");
    assert!(v["basis"][0].as_str().unwrap().contains("第十五条"), "{v}");
    ok(&mut staff, id, "open_participation", json!({"days": 30})).await;
    // The draft cannot change while the public is asked about it.
    let r = staff.post_form(&format!("/decisions/major/{id}/versions"), &[("text", TEXT)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Citizens comment after verifying their phone; a campaign is grouped, nothing dropped.
    let mut anon = app.client();
    let r = anon.post_form(&format!("/portal/decisions/{id}/comments"), &[("body", "支持")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/portal/login"), "{}", r.location());
    let campaign = "坚决反对提高城区停车收费标准，增加市民负担，请取消第二条！";
    for i in 0..6 {
        let mut c = citizen(&app, i + 1).await;
        let r = c.post_form(&format!("/portal/decisions/{id}/comments"), &[("clause_no", "2"), ("body", campaign)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        if i == 0 {
            let r = c.post_form(&format!("/portal/decisions/{id}/comments"), &[("clause_no", "2"), ("body", campaign)]).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "the same text twice");
            let r = c.post_form(&format!("/portal/decisions/{id}/comments"), &[("clause_no", "9"), ("body", "第九条？")]).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(r.contains("没有第9条"), "{}", r.text);
            let r = c.post_form(&format!("/portal/decisions/{id}/comments"), &[("clause_no", "0"), ("body", "建议夜间停车免费。")]).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER);
        }
    }
    let n: i64 = q("SELECT COUNT(*) FROM normdoc_notes WHERE case_id = $1 AND kind = 'comment'").bind(id).fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(n, 7);
    let page = staff.get(&format!("/decisions/major/{id}")).await;
    assert!(page.contains("内容高度雷同 · 6 条 · 来源 6 个") && page.contains("建议夜间停车免费"), "{}", page.text);
    assert!(!page.contains("13900000001"), "phones are never shown");
    // Not closed before the window has run; then the window is put in the past.
    let (s, v) = step(&mut staff, id, "close_participation", json!({"fields": {"report": "x"}})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let opens = fmt_date(today() - Duration::days(40));
    let closes = fmt_date(today() - Duration::days(10));
    set(&app, "UPDATE normdoc_windows SET opens_on = $1, closes_on = $2 WHERE case_id = $3", vec![opens, closes], id).await;
    // A comment after the window closed: refused, citing Art. 15.
    let mut late = citizen(&app, 99).await;
    let r = late.post_form(&format!("/portal/decisions/{id}/comments"), &[("body", "晚到的意见")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.contains("已于") && r.contains("截止"), "{}", r.text);
    ok(&mut staff, id, "close_participation", json!({"fields": {"report": "收到意见7条，其中内容雷同的6条合并研究，未采纳；采纳1条"}})).await;
    // The 采纳情况 is published with the draft on the portal (Art. 18).
    let page = anon.get(&format!("/portal/decisions/{id}")).await;
    assert!(page.contains("公众意见研究采纳情况") && page.contains("合并研究"), "{}", page.text);

    // Experts: one with a direct interest is refused (Art. 20); unsigned opinions too (Art. 19).
    let (s, v) =
        step(&mut staff, id, "expert", json!({"fields": {"experts": "王强｜某停车公司｜同意｜利害关系：系投资方股东", "signed": "yes", "report": "x"}})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["code"], "expert_conflict_of_interest", "{v}");
    let (s, v) = step(&mut staff, id, "expert", json!({"fields": {"experts": "张明｜扬州大学｜可行", "signed": "no", "report": "x"}})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    ok(
        &mut staff,
        id,
        "expert",
        json!({"fields": {"experts": "张明｜扬州大学交通学院｜可行\n李华｜市规划设计院｜同意", "signed": "yes", "report": "全部采纳"}}),
    )
    .await;
    // Risk uncontrollable blocks the decision until reassessed (Art. 24).
    let risk = |level: &str| json!({"fields": {"points": "收费上涨引发不满", "measures": "分时段定价", "plan": "舆情应对预案", "level": level, "assessor": "市社会稳定风险评估中心"}});
    ok(&mut staff, id, "risk", risk("uncontrollable")).await;
    ok(&mut staff, id, "fair_competition", json!({"fields": {"conclusion": "compliant", "report": "不限定特定经营者"}})).await;
    let (s, v) = step(&mut office, id, "deliberate", meeting.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let codes = field_codes(&v);
    assert_eq!(codes, vec!["legality_opinion_missing".to_string(), "risk_missing".to_string()], "{v}");
    assert!(v["fields"][1]["message"].as_str().unwrap().contains("风险不可控"), "{v}");
    ok(&mut staff, id, "risk", risk("medium")).await;

    // Legality review: at least 7 working days unless a reason is given (Art. 26).
    let soon = fmt_date(today() + Duration::days(2));
    let (s, v) = step(&mut staff, id, "submit_legality", json!({"fields": {"materials": "草案、依据、程序说明", "review_until": soon}})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["code"], "review_time_too_short", "{v}");
    ok(&mut staff, id, "submit_legality", json!({"fields": {"materials": "草案、依据、程序说明"}})).await;
    // The reviewer must answer 权限, 程序, 内容 and attach the advisers' opinion (Art. 27–28).
    let (s, v) = step(&mut legal, id, "legality_opinion", json!({"fields": {"result": "pass", "opinion": "合法"}})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, v) = step(
        &mut legal,
        id,
        "legality_opinion",
        json!({"fields": {"authority": "ok", "procedure": "ok", "content": "bad", "adviser_opinion": "顾问意见", "result": "pass", "opinion": "合法"}}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a problem found cannot pass: {v}");
    // Drafting staff cannot give the opinion.
    let (s, _) = step(
        &mut staff,
        id,
        "legality_opinion",
        json!({"fields": {"authority": "ok", "procedure": "ok", "content": "ok", "adviser_opinion": "x", "result": "pass", "opinion": "x"}}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    ok(
        &mut legal,
        id,
        "legality_opinion",
        json!({"fields": {"authority": "ok", "procedure": "ok", "content": "ok", "adviser_opinion": "法律顾问：程序完备", "result": "pass", "opinion": "符合法定权限，程序完备，内容合法"}}),
    )
    .await;

    // The meeting: the head speaks last; a decision against the majority states why (Art. 30).
    let (s, v) = step(
        &mut office,
        id,
        "deliberate",
        json!({"fields": {"meeting": "市政府第12次常务会议", "majority": "agree", "head_last": "no", "result": "adopted"}}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["message"].as_str().unwrap().contains("最后发表意见"), "{v}");
    let (s, v) = step(
        &mut office,
        id,
        "deliberate",
        json!({"fields": {"meeting": "市政府第12次常务会议", "majority": "disagree", "head_last": "yes", "result": "adopted"}}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(field_codes(&v).contains(&"condition_not_met".to_string()) && v.to_string().contains("说明理由"), "{v}");
    let v = ok(
        &mut office,
        id,
        "deliberate",
        json!({"fields": {"meeting": "市政府第12次常务会议", "majority": "agree", "head_last": "yes", "result": "adopted", "dissent": "副市长甲：建议缓行一年"}}),
    )
    .await;
    assert_eq!(v["state"], "decided");
    // Published only after the report to the Party committee (Art. 31).
    let (s, v) = step(&mut office, id, "publish", json!({"fields": {"publication": "政府网站"}})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(field_codes(&v), vec!["party_report_missing".to_string()], "{v}");
    ok(&mut office, id, "party_report", json!({"fields": {"report": "已向市委请示报告"}})).await;
    let v = ok(&mut office, id, "publish", json!({"fields": {"publication": "市政府门户网站、政府公报"}})).await;
    assert_eq!(v["state"], "published");
    // Post-evaluation: not by the lead unit or whoever assessed before the decision (Art. 36).
    let (s, v) = step(&mut staff, id, "evaluate", json!({"fields": {"trigger": "3", "evaluator": "市社会稳定风险评估中心", "report": "x"}})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["code"], "evaluator_not_independent", "{v}");
    ok(&mut staff, id, "evaluate", json!({"fields": {"trigger": "3", "evaluator": "扬州市某第三方评估机构", "report": "达到预期效果"}})).await;
    let (s, _) = step(&mut staff, id, "close", json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "not archived yet");
    ok(&mut staff, id, "archive", json!({})).await;
    ok(&mut staff, id, "close", json!({})).await;

    // Another unit's staff does not see it.
    let mut other = app.login("cgj_staff").await;
    assert_eq!(other.get(&format!("/decisions/major/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.get(&format!("/api/v1/decisions/major/{id}")).await.status, StatusCode::NOT_FOUND);

    // The figures, each with its record.
    let mut sfj = app.login("sfj").await;
    let (from, to) = (fmt_date(today() - Duration::days(1)), fmt_date(today()));
    for code in ["major.participation", "major.expert", "major.risk", "major.legality", "major.deliberated", "major.published", "major.evaluated"] {
        let v = sfj.get(&format!("/api/v1/indicators/{code}?from={from}&to={to}")).await.json();
        let want = if code == "major.risk" { 2 } else { 1 };
        assert_eq!(v["total"]["numerator"], want, "{code}: {v}");
    }
    let r = sfj.get(&format!("/api/v1/indicators/major.deliberated/records?from={from}&to={to}")).await;
    assert_eq!(r.json()["items"][0]["id"], id, "{}", r.text);
    // The register and its export.
    let r = staff.get("/decisions/major").await;
    assert!(r.contains("城区停车设施建设与收费管理办法"), "{}", r.text);
    let r = staff.get("/decisions/major?format=xlsx").await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn a_stale_version_and_an_unknown_step() {
    let app = TestApp::new().await;
    let mut office = app.login(fazhi::decisions::major::demo::OFFICE).await;
    let mut staff = app.login("zjj_staff").await;
    let (_, item) = catalogue_with_item(&app, &mut office, "老旧小区改造三年行动计划").await;
    let id = launch(&mut staff, item, false).await;
    let (s, v) = step(&mut staff, id, "draft", json!({"version": 0, "fields": {"legal_basis": "x", "consultation": "y"}})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let (s, v) = step(&mut staff, id, "no_such_step", json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // Required fields named.
    let (s, v) = step(&mut staff, id, "draft", json!({"fields": {}})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v.to_string().contains("第十二条"), "{v}");
    // Not market-related: no fair-competition review is asked for.
    ok(&mut staff, id, "draft", json!({"fields": {"legal_basis": "x", "consultation": "y"}})).await;
    let (_, v) = step(&mut office, id, "deliberate", json!({"fields": {"meeting": "m", "majority": "agree", "head_last": "yes", "result": "adopted"}})).await;
    assert!(!field_codes(&v).contains(&"fair_competition_missing".to_string()), "{v}");
    // Waivers need their reason.
    let (s, v) = step(&mut staff, id, "waive_expert", json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_codes(&v), vec!["reason_required".to_string()], "{v}");
}

// ------------------------------------------------------------------ 公平竞争审查

fn review(found: &[&str], conclusion: &str, extra: &[(&str, &str)]) -> Value {
    let mut m = serde_json::Map::new();
    for s in fazhi::decisions::fcr::rules::STANDARDS {
        m.insert(s.code.into(), json!(if found.contains(&s.code) { "yes" } else { "no" }));
    }
    m.insert("operators_views".into(), json!("召开企业座谈会听取意见"));
    m.insert("conclusion".into(), json!(conclusion));
    m.insert("opinion".into(), json!("逐项审查"));
    for (k, v) in extra {
        m.insert(k.to_string(), json!(v));
    }
    json!({ "fields": m })
}

async fn fcr_step(c: &mut Client, id: i64, action: &str, body: Value) -> (StatusCode, Value) {
    let r = c.post_json(&format!("/api/v1/decisions/fcr/{id}/steps/{action}"), &body).await;
    (r.status, serde_json::from_str(&r.text).unwrap_or(Value::Null))
}

async fn measure(app: &TestApp, c: &mut Client, by_government: bool) -> i64 {
    let org = org_id(app, "D-ZJJ").await;
    let r = c
        .post_json(
            "/api/v1/decisions/fcr",
            &json!({"org_id": org, "title": "关于支持本地建筑企业发展的若干措施", "summary": "政府投资项目优先选择本地企业", "by_government": by_government}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json()["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_fair_competition_review_with_an_exception_that_expires() {
    let app = TestApp::new().await;
    let mut staff = app.login("zjj_staff").await;
    let id = measure(&app, &mut staff, false).await;
    // A finding cannot conclude "may be issued" (Art. 17–18), naming the standard.
    let (s, v) = fcr_step(&mut staff, id, "review", review(&["a9_3"], "compliant", &[])).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["message"].as_str().unwrap().contains("第九条第三项"), "{v}");
    // An exception without its time limit or the reason no alternative exists (Art. 12).
    let (s, v) = fcr_step(&mut staff, id, "review", review(&["a10_2"], "exception", &[("ground", "3")])).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["message"].as_str().unwrap().contains("实施期限") && v["message"].as_str().unwrap().contains("替代方案"), "{v}");
    assert!(v["basis"][0].as_str().unwrap().contains("第十七条"), "{v}");
    let (s, v) =
        fcr_step(&mut staff, id, "review", review(&["a10_2"], "exception", &[("ground", "3"), ("no_alternative", "x"), ("until", &fmt_date(today()))])).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a limit already passed: {v}");
    let until = fmt_date(today() + Duration::days(90));
    let (s, v) = fcr_step(
        &mut staff,
        id,
        "review",
        review(&["a10_2"], "exception", &[("ground", "3"), ("no_alternative", "补贴面向全部达标经营者"), ("until", &until)]),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "exception");
    // Before the limit the sweep leaves it; after, the review reopens by itself.
    assert_eq!(fazhi::decisions::fcr::service::sweep(&app.state, today()).await.unwrap(), 0);
    set(&app, "UPDATE fcr_opinions SET until_on = $1 WHERE case_id = $2", vec![fmt_date(today() - Duration::days(1))], id).await;
    assert_eq!(fazhi::decisions::fcr::service::sweep(&app.state, today()).await.unwrap(), 1);
    let v = staff.get(&format!("/api/v1/decisions/fcr/{id}")).await.json();
    assert_eq!(v["state"], "self_review", "{v}");
    assert_eq!(v["opinions"][0]["expired_on"], fmt_date(today()), "{v}");
    // Reviewed again: found and amended.
    let (s, v) = fcr_step(&mut staff, id, "review", review(&["a9_3"], "amended", &[])).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "the amendment is written: {v}");
    let (s, v) = fcr_step(&mut staff, id, "review", review(&["a9_3"], "amended", &[("amendment", "删去优先选择本地企业")])).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "passed");

    // The market regulator's spot check finds a violation; 约谈 only after the period (Art. 24).
    let mut scjg = app.login(fazhi::decisions::fcr::demo::REVIEWER).await;
    let (s, v) = fcr_step(&mut scjg, id, "check", json!({"fields": {"source": "complaint", "finding": "violation", "notes": "举报：仍限定本地企业"}})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "rectifying");
    let (s, v) = fcr_step(&mut scjg, id, "interview", json!({"fields": {"interviewee": "住建局局长", "record": "约谈记录"}})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["basis"][0].as_str().unwrap().contains("第二十四条"), "{v}");
    set(&app, "UPDATE fcr_checks SET rectify_by = $1 WHERE case_id = $2", vec![fmt_date(today() - Duration::days(1))], id).await;
    let (s, v) = fcr_step(&mut scjg, id, "interview", json!({"fields": {"interviewee": "住建局局长", "record": "责令十日内整改"}})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = fcr_step(&mut staff, id, "rectified", json!({"fields": {"rectification": "已删除相关条款"}})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "self_review");
    let page = staff.get(&format!("/decisions/fcr/{id}")).await;
    assert!(page.contains("约谈 住建局局长") && page.contains("第九条第三项"), "{}", page.text);

    // The figures.
    let mut sfj = app.login("sfj").await;
    let (from, to) = (fmt_date(today() - Duration::days(1)), fmt_date(today()));
    for (code, want) in [("fcr.reviewed", 2), ("fcr.amended", 1), ("fcr.exceptions", 1), ("fcr.exceptions_expired", 1)] {
        let v = sfj.get(&format!("/api/v1/indicators/{code}?from={from}&to={to}")).await.json();
        assert_eq!(v["total"]["numerator"], want, "{code}: {v}");
    }
    // Another unit does not see it.
    let mut other = app.login("cgj_staff").await;
    assert_eq!(other.get(&format!("/decisions/fcr/{id}")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_governments_own_measure_goes_to_the_market_regulator() {
    let app = TestApp::new().await;
    let mut staff = app.login("zjj_staff").await;
    let id = measure(&app, &mut staff, true).await;
    let (s, v) = fcr_step(&mut staff, id, "review", review(&[], "compliant", &[])).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "regulator_review", "the drafter's review is the 初审 (Art. 14)");
    let (s, _) = fcr_step(&mut staff, id, "regulator_review", review(&[], "compliant", &[])).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "the drafter cannot conclude for the regulator");
    let mut scjg = app.login(fazhi::decisions::fcr::demo::REVIEWER).await;
    let (s, v) = fcr_step(&mut scjg, id, "regulator_review", review(&["a8_3"], "violation", &[])).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "not_issuable");
    let stages: Vec<&str> = v["opinions"].as_array().unwrap().iter().map(|o| o["stage"].as_str().unwrap()).collect();
    assert_eq!(stages, vec!["initial", "regulator"]);
    let mut sfj = app.login("sfj").await;
    let (from, to) = (fmt_date(today()), fmt_date(today()));
    let v = sfj.get(&format!("/api/v1/indicators/fcr.reviewed?from={from}&to={to}")).await.json();
    assert_eq!(v["total"]["numerator"], 1, "the 初审 is not counted twice: {v}");
    // The register lists it with its conclusion.
    let page = scjg.get("/decisions/fcr").await;
    assert!(page.contains("关于支持本地建筑企业发展的若干措施") && page.contains("不得出台"), "{}", page.text);
}

/// The demo year at the seed's scale (三(一): public participation in 8 decisions, 5 technical
/// assessments by experts; 二(三): 123 measures reviewed for fair competition, 2 amended), with
/// decisions at every stage and a campaign among the comments on the draft out for comment.
#[tokio::test]
async fn the_demo_year_has_the_seeds_figures() {
    let app = TestApp::new().await;
    fazhi::decisions::major::demo::seed_year(&app.state, fazhi::registry::DemoSize::Full).await.unwrap();
    fazhi::decisions::fcr::demo::seed_year(&app.state, fazhi::registry::DemoSize::Full).await.unwrap();
    let db = &app.state.db;
    let count = |sql: &'static str| async move { q(sql).fetch_i64(db).await.unwrap() };
    assert_eq!(count("SELECT COUNT(DISTINCT case_id) FROM major_procedures WHERE kind = 'participation' AND status = 'done'").await, 8);
    assert_eq!(count("SELECT COUNT(DISTINCT case_id) FROM major_procedures WHERE kind = 'expert' AND status = 'done'").await, 5);
    assert_eq!(count("SELECT COUNT(*) FROM fcr_opinions WHERE stage <> 'initial'").await, 123);
    assert_eq!(count("SELECT COUNT(*) FROM fcr_opinions WHERE stage <> 'initial' AND conclusion = 'amended'").await, 2);
    let states: Vec<(String, i64)> =
        q("SELECT state, COUNT(*) FROM cases WHERE procedure = 'major_decision' GROUP BY state ORDER BY state").fetch_all(&app.state.db).await.unwrap();
    for s in ["procedures", "legality_review", "decided", "published"] {
        assert!(states.iter().any(|(k, n)| k == s && *n > 0), "{s}: {states:?}");
    }
    let bad = count("SELECT COUNT(*) FROM major_decisions WHERE meeting_on IS NOT NULL AND legality_result IS NULL").await;
    assert_eq!(bad, 0, "no decision deliberated without a legality opinion");
    // The campaign is one group on the staff page.
    let id = q("SELECT case_id FROM normdoc_notes WHERE source IS NOT NULL LIMIT 1").fetch_i64(&app.state.db).await.unwrap();
    let mut office = app.login("sfj").await;
    let page = office.get(&format!("/decisions/major/{id}")).await;
    assert!(page.contains("内容高度雷同 · 6 条"), "{}", page.text);
}
