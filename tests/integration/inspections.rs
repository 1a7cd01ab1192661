//! 双随机、一公开: the entity directory imported all or nothing, the item list and plans, the
//! commitment (pools and seed hashed before the draw), the draw — with a fixed seed the exact
//! result is pinned, so SQLite and PostgreSQL must give the same — results entered by the drawn
//! inspectors and published on the 20-working-day clock, follow-up, the portal's data, and
//! another unit's task 404.

use axum::http::StatusCode;
use futures::FutureExt;

use crate::common::*;
use fazhi::db::q;
use fazhi::enforcement::inspections::{draw, drawing, import, results, service, uscc};
use fazhi::enforcement::service::{NewOfficer, Who, create_officer};
use fazhi::time::{fmt_date, today};

/// The pinned draw: 12 entities (A 5, B 3, C 2, D 2), 4 inspectors, a conflict of SJT003 with
/// the 10th entity, ratios 50/50/100/100 %, seed "ab"×32 and public value 581 — computed by
/// draw.rs's module comment independently (Python) and by the browser verifier.
const PINNED: &str = "91321081000000010P,A,SJT004;SJT002\n91321081000000011T,A,SJT003;SJT004\n913210810000000069,A,SJT001;SJT002\n91321081000000002W,B,SJT002;SJT001\n91321081000000007C,B,SJT002;SJT001\n91321081000000008F,C,SJT003;SJT002\n913210810000000030,C,SJT002;SJT001\n91321081000000009J,D,SJT001;SJT003\n913210810000000043,D,SJT002;SJT003\n";

fn code(i: usize) -> String {
    uscc::complete(&format!("91321081{i:09}"))
}

fn csv(rows: &[String]) -> Vec<u8> {
    let mut s = String::from("统一社会信用代码,名称,类型,所属乡镇,风险等级\n");
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s.into_bytes()
}

/// 市监局 with four market officers, twelve entities, an item, a plan and a task.
async fn setup(app: &TestApp) -> (i64, i64) {
    let sjg = org_id(app, "D-SJG").await;
    let day = today();
    for i in 1..=4 {
        let new = NewOfficer {
            org_id: Some(sjg),
            name: Some(format!("市监检查员{i}")),
            cert_no: Some(format!("SJT{i:03}")),
            field: Some("market".into()),
            issued_on: Some(fmt_date(day - chrono::Duration::days(100))),
            expires_on: Some(fmt_date(day + chrono::Duration::days(1000))),
            training_hours: Some(60),
            ..Default::default()
        };
        create_officer(&app.state, &Who::System, new).await.unwrap();
    }
    let rows: Vec<String> = (1..=12).map(|i| format!("{},示范市测试{i}有限公司,企业,东湖镇,{}", code(i), ["A", "A", "B", "C", "D"][i % 5])).collect();
    let (added, changed) = import::import(&app.state, &Who::System, sjg, &csv(&rows)).await.unwrap();
    assert_eq!((added, changed), (12, 0));
    let item = service::create_item(
        &app.state,
        &Who::System,
        service::NewItem {
            org_id: Some(sjg),
            code: Some("T-01".into()),
            name: Some("企业公示信息情况检查".into()),
            basis: Some("《企业信息公示暂行条例》第十四条".into()),
            field: Some("market".into()),
            ratio: Some("50".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let ent: i64 = q("SELECT id FROM enf_entities WHERE uscc = $1").bind(code(10)).fetch_i64(&app.state.db).await.unwrap();
    service::declare_conflict(&app.state, &Who::System, ent, "SJT003", Some("近亲属在该企业任职")).await.unwrap();
    let plan =
        service::create_plan(&app.state, &Who::System, Some(sjg), Some(chrono::Datelike::year(&day).to_string().as_str()), Some("年度抽查计划")).await.unwrap();
    let task = service::create_task(
        &app.state,
        &Who::System,
        service::NewTask {
            plan_id: Some(plan),
            item_id: Some(item),
            title: Some("企业公示信息抽查".into()),
            ratios: [None, None, Some("100".into()), Some("100".into())],
            public_source: Some("抽取当日福利彩票3D开奖号码".into()),
            ends_on: Some(fmt_date(day + chrono::Duration::days(20))),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    (sjg, task)
}

#[tokio::test]
async fn a_bad_directory_file_is_refused_whole_with_every_bad_row() {
    let app = TestApp::new().await;
    let sjg = org_id(&app, "D-SJG").await;
    let rows = vec![format!("{},甲公司,企业,东湖镇,A", code(1)), "91350100M000100Y44,乙公司,企业,,B".to_string(), format!("{},,工厂,不存在镇,E", code(1))];
    let errs = import::import(&app.state, &Who::System, sjg, &csv(&rows)).await.unwrap_err();
    let at = |row: usize, col: &str| errs.iter().any(|e| e.row == row && e.column == col);
    assert!(at(3, "统一社会信用代码") && errs.iter().any(|e| e.message.contains("校验位")), "{errs:?}");
    for col in ["统一社会信用代码", "名称", "类型", "所属乡镇", "风险等级"] {
        assert!(at(4, col), "row 4 {col}: {errs:?}");
    }
    assert_eq!(q("SELECT COUNT(*) FROM enf_entities").fetch_i64(&app.state.db).await.unwrap(), 0, "nothing written");
    // Through the page: 422 and every error listed; someone else's unit refused.
    let mut c = app.login("sjg_staff").await;
    let r = c.post_multipart("/enforcement/inspections/entities/import", &[("org_id", &sjg.to_string())], &[("file", "名录.csv", &csv(&rows))]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.contains("第 4 行") && r.contains("风险等级"), "{}", r.text);
    let cgj = org_id(&app, "D-CGJ").await;
    let good = csv(&[format!("{},甲公司,企业,东湖镇,A", code(1))]);
    let r = c.post_multipart("/enforcement/inspections/entities/import", &[("org_id", &cgj.to_string())], &[("file", "名录.csv", &good)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert_eq!(q("SELECT COUNT(*) FROM enf_entities").fetch_i64(&app.state.db).await.unwrap(), 0);
    let r = c.post_multipart("/enforcement/inspections/entities/import", &[("org_id", &sjg.to_string())], &[("file", "名录.csv", &good)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(q("SELECT COUNT(*) FROM enf_entities").fetch_i64(&app.state.db).await.unwrap(), 1);
}

#[tokio::test]
async fn items_and_tasks_refuse_what_the_rules_forbid() {
    let app = TestApp::new().await;
    let (sjg, task) = setup(&app).await;
    let no_basis = service::NewItem {
        org_id: Some(sjg),
        code: Some("T-02".into()),
        name: Some("无依据检查".into()),
        field: Some("market".into()),
        ratio: Some("0".into()),
        ..Default::default()
    };
    let e = service::create_item(&app.state, &Who::System, no_basis).await.unwrap_err();
    let codes: Vec<&str> = e.field_errors().iter().map(|f| f.code.as_ref()).collect();
    assert!(codes.contains(&"required") && codes.contains(&"bad_ratio"), "{codes:?}");
    assert!(e.basis().iter().any(|b| b.contains("58号")), "{:?}", e.basis());
    let t = drawing::task(&app.state.db, task).await.unwrap().unwrap();
    let one = service::NewTask {
        plan_id: Some(t.plan_id),
        item_id: Some(t.item_id),
        title: Some("单人".into()),
        team: Some("1".into()),
        ends_on: Some(fmt_date(today())),
        ..Default::default()
    };
    let e = service::create_task(&app.state, &Who::System, one).await.unwrap_err();
    assert_eq!(e.field_errors()[0].code, "team_too_small", "{e:?}");
    assert!(e.basis().iter().any(|b| b.contains("第四十二条")));
}

#[tokio::test]
async fn the_draw_is_committed_then_revealed_and_gives_the_pinned_result() {
    let app = TestApp::new().await;
    let (_, task) = setup(&app).await;
    let mut citizen = app.client();
    assert_eq!(citizen.get(&format!("/portal/enforcement/inspections/{task}")).await.status, StatusCode::NOT_FOUND, "a draft is not public");
    let e = drawing::run_draw(&app.state, &Who::System, task, Some("581")).await.unwrap_err();
    assert_eq!(e.code(), "wrong_state");

    let t = drawing::commit(&app.state, &Who::System, task).await.unwrap();
    assert_eq!((t.state.as_str(), t.entity_count, t.inspector_count), ("committed", Some(12), Some(4)));
    let inputs = drawing::inputs(&app.state.db, &t).await.unwrap();
    assert_eq!(t.entity_hash.as_deref(), Some(draw::sha256_hex(&draw::entity_text(&inputs.entities)).as_str()));
    assert_eq!(inputs.conflicts, vec![(code(10), "SJT003".to_string())]);
    let seed = t.seed.clone().unwrap();
    assert_eq!(t.seed_hash.as_deref(), Some(draw::sha256_hex(&seed).as_str()));
    // Before the draw: the commitment is public, the seed is not.
    let r = citizen.get(&format!("/portal/enforcement/inspections/{task}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.contains(t.seed_hash.as_deref().unwrap()) && r.contains(t.entity_hash.as_deref().unwrap()) && !r.contains(&seed), "{}", r.text);
    assert_eq!(citizen.get(&format!("/portal/enforcement/inspections/{task}/draw.json")).await.status, StatusCode::NOT_FOUND);
    let e = drawing::commit(&app.state, &Who::System, task).await.unwrap_err();
    assert_eq!(e.code(), "wrong_state", "the pools are snapshotted once");

    // A fixed seed (as if generated so), to pin the exact outcome on every engine.
    let fixed = "ab".repeat(32);
    let (s1, s2) = (fixed.clone(), draw::sha256_hex(&fixed));
    app.state
        .db
        .write(move |tx| {
            async move { q("UPDATE enf_insp_tasks SET seed = $1, seed_hash = $2 WHERE id = $3").bind(s1).bind(s2).bind(task).execute(&mut *tx).await }.boxed()
        })
        .await
        .unwrap();
    let e = drawing::run_draw(&app.state, &Who::System, task, None).await.unwrap_err();
    assert_eq!(e.field_errors()[0].code, "public_value_required", "the public value named in advance is required");
    let t = drawing::run_draw(&app.state, &Who::System, task, Some("581")).await.unwrap();
    assert_eq!(t.state, "drawn");
    assert_eq!(drawing::result_text(&app.state.db, task).await.unwrap(), PINNED);
    let e = drawing::run_draw(&app.state, &Who::System, task, Some("582")).await.unwrap_err();
    assert_eq!(e.code(), "wrong_state", "a task is drawn once");

    // The portal's data holds exactly the texts whose hashes were published.
    let r = citizen.get(&format!("/portal/enforcement/inspections/{task}/draw.json")).await;
    let v = r.json();
    assert_eq!(v["seed"], fixed);
    assert_eq!(v["result"], PINNED);
    assert_eq!(draw::sha256_hex(v["entities"].as_str().unwrap()), v["entity_hash"].as_str().unwrap());
    assert_eq!(draw::sha256_hex(v["inspectors"].as_str().unwrap()), v["inspector_hash"].as_str().unwrap());
    assert_eq!(draw::sha256_hex(v["conflicts"].as_str().unwrap()), v["conflict_hash"].as_str().unwrap());
    let r = citizen.get(&format!("/portal/enforcement/inspections/{task}/verify")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.contains("/static/enforcement/draw-verify.js") && !r.contains("<script>"), "the verifier is a file (CSP)");
    assert!(citizen.get("/static/enforcement/draw-verify.js").await.contains("crypto.subtle.digest"));
    // The pool changed after the commitment: its hash no longer matches.
    let changed = v["entities"].as_str().unwrap().replacen(",A\n", ",D\n", 1);
    assert_ne!(draw::sha256_hex(&changed), v["entity_hash"].as_str().unwrap());

    // Other units' staff do not see the task; 市监局's do.
    let mut other = app.login("cgj_staff").await;
    assert_eq!(other.get(&format!("/enforcement/inspections/tasks/{task}")).await.status, StatusCode::NOT_FOUND);
    let mut own = app.login("sjg_staff").await;
    let r = own.get(&format!("/enforcement/inspections/tasks/{task}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.contains("91321081000000010P"));
}

#[tokio::test]
async fn results_are_entered_by_the_drawn_inspectors_published_on_the_clock_and_followed_up() {
    let app = TestApp::new().await;
    let (_, task) = setup(&app).await;
    drawing::commit(&app.state, &Who::System, task).await.unwrap();
    drawing::run_draw(&app.state, &Who::System, task, Some("581")).await.unwrap();
    let targets = results::targets(&app.state.db, task).await.unwrap();
    let g = &targets[0];
    let drawn: Vec<&str> = g.inspectors.split(';').collect();
    let input = |who: &str, result: &str| results::ResultIn {
        version: Some(g.version),
        result: Some(result.into()),
        findings: Some("年报从业人数与实际不符".into()),
        inspected_on: Some(fmt_date(today())),
        inspectors: Some(who.into()),
    };
    let e = results::enter_result(&app.state, &Who::System, g.id, input(drawn[0], "issues")).await.unwrap_err();
    assert_eq!(e.field_errors()[0].code, "single_inspector", "{e:?}");
    let stranger = ["SJT001", "SJT002", "SJT003", "SJT004"].into_iter().find(|c| !drawn.contains(c)).unwrap();
    let e = results::enter_result(&app.state, &Who::System, g.id, input(&format!("{},{stranger}", drawn[0]), "issues")).await.unwrap_err();
    assert_eq!(e.field_errors()[0].code, "not_drawn", "谁检查、谁录入: {e:?}");
    let e = results::enter_result(&app.state, &Who::System, g.id, results::ResultIn { version: Some(g.version + 5), ..input(&g.inspectors, "ok") })
        .await
        .unwrap_err();
    assert_eq!(e.code(), "stale_version");
    let done = results::enter_result(&app.state, &Who::System, g.id, input(&g.inspectors.replace(';', ","), "issues")).await.unwrap();
    let due = app.state.calendar().add_working_days(today(), 20);
    assert_eq!(done.publish_due_on, Some(fmt_date(due)), "20 working days on the platform calendar");
    // Follow-up: a case number that does not exist is refused; the abnormal list needs its note.
    let f = results::FollowIn { kind: Some("case".into()), case_no: Some("不存在".into()), ..Default::default() };
    assert_eq!(results::follow_up(&app.state, &Who::System, g.id, f).await.unwrap_err().field_errors()[0].code, "no_such_case");
    let f = results::FollowIn { kind: Some("abnormal".into()), ..Default::default() };
    assert_eq!(results::follow_up(&app.state, &Who::System, g.id, f).await.unwrap_err().field_errors()[0].code, "note_required");
    let f = results::FollowIn { kind: Some("abnormal".into()), note: Some("列入经营异常名录".into()), ..Default::default() };
    assert_eq!(results::follow_up(&app.state, &Who::System, g.id, f).await.unwrap().follow_up.as_deref(), Some("abnormal"));
    let ok = results::FollowIn { kind: Some("none".into()), ..Default::default() };
    assert_eq!(results::follow_up(&app.state, &Who::System, targets[1].id, ok).await.unwrap_err().field_errors()[0].code, "no_findings");

    // Not on the portal before publication; then published, on time.
    let mut citizen = app.client();
    let page = citizen.get(&format!("/portal/enforcement/inspections/{task}")).await;
    assert!(!page.contains("年报从业人数与实际不符"));
    assert_eq!(results::publish(&app.state, &Who::System, task).await.unwrap(), 1);
    let g1 = &results::targets(&app.state.db, task).await.unwrap()[0];
    assert_eq!((g1.published_on.clone(), g1.published_on_time), (Some(fmt_date(today())), Some(true)));
    assert!(citizen.get(&format!("/portal/enforcement/inspections/{task}")).await.contains("年报从业人数与实际不符"));
    let e = results::enter_result(&app.state, &Who::System, g.id, input(&g.inspectors.replace(';', ","), "ok")).await.unwrap_err();
    assert_eq!(e.code(), "already_published");
    assert_eq!(results::publish(&app.state, &Who::System, task).await.unwrap_err().code(), "nothing_to_publish");

    // The figures count what was recorded.
    let n: i64 = q("SELECT COUNT(*) FROM enf_insp_targets WHERE task_id = $1 AND published_on_time = TRUE").bind(task).fetch_i64(&app.state.db).await.unwrap();
    assert_eq!(n, 1);
}
