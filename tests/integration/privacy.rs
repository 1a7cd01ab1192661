//! Phone and ID numbers inside free text, however people type them, never reach what the public
//! reads without logging in: the Open311 lists and the published 市长信箱 letters (the letters
//! page, the 政务公开 letter page and the search), also for a letter published before the masker
//! learnt a way of writing a number.

use axum::http::{Method, StatusCode};
use futures::FutureExt;

use crate::common::*;
use fazhi::audit::Actor;
use fazhi::auth::roles::Grants;
use fazhi::db::q;
use fazhi::disclosure::search::index::Doc;
use fazhi::hotline::model::Channel;
use fazhi::hotline::service::{self, IntakeInput};

/// A citizen's text with numbers written in the ways issue 10 lists, and ordinary figures.
const TEXT: &str = "路灯不亮。请联系Tel139-8765-4321或+86 137 1111 2222，座机(0514)84567890，\
                    身份证32108419900101123x，老证321084900101123。2026年3月5日起，已垫付12000元。";

/// Fragments of those numbers that must not be shown.
const RAW: &[&str] = &["8765-4321", "98765", "1111 2222", "11112222", "84567890", "19900101", "900101123"];

fn assert_masked(what: &str, text: &str) {
    for raw in RAW {
        assert!(!text.contains(raw), "{what} shows {raw}: {text}");
    }
    assert!(text.contains("139****4321") && text.contains("137****2222") && text.contains("0514****7890"), "{what}: {text}");
    assert!(text.contains("2026年3月5日") && text.contains("12000元"), "{what} keeps ordinary figures: {text}");
}

#[tokio::test]
async fn open311_lists_mask_numbers_however_written() {
    let app = TestApp::new().await;
    let org = org_id(&app, "D-RX").await;
    let scopes = vec!["hotline_intake".to_string()];
    let key = fazhi::auth::tokens::create(&app.state.db, Actor::system(), &Grants(vec![]), "open311", Some(org), &scopes, Some(1)).await.unwrap().1;
    let mut c = app.client();
    let form = encode(
        &[("api_key", key.as_str()), ("service_code", "JT-WT"), ("lat", "32.8"), ("long", "119.45"), ("description", TEXT), ("attribute[plate]", "苏K12345")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<Vec<_>>(),
    );
    let r = c.send(Method::POST, "/open311/v2/requests.json", Some("application/x-www-form-urlencoded"), form.into_bytes(), &[]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.json()[0]["service_request_id"].as_str().unwrap().to_string();
    let mut anon = app.client();
    for path in
        ["/open311/v2/requests.json".to_string(), format!("/open311/v2/requests/{id}.xml"), format!("/open311/v2/requests.json?service_request_id={id}")]
    {
        let r = anon.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_masked(&path, &r.text);
    }
}

/// A closed 市长信箱 letter whose writer agreed to publication.
async fn closed_letter(app: &TestApp) -> i64 {
    let mailbox = fazhi::hotline::portal::queries::mailbox_category(&app.state.db).await.unwrap().unwrap();
    let input = IntakeInput {
        channel: Some(Channel::Mailbox),
        caller_phone: Some("13900000012".into()),
        category_id: Some(mailbox.id),
        subject: Some("关于路灯".into()),
        description: Some(TEXT.into()),
        wants_reply: true,
        publish_consent: true,
        phone_required: true,
        ..Default::default()
    };
    let id = service::intake(&app.state, Actor::system(), input).await.unwrap().case.id;
    // The letter's handling is not what this test is about: it is closed as staff would close it.
    app.state
        .db
        .write(move |tx| async move { q("UPDATE cases SET state = 'closed' WHERE id = $1").bind(id).execute(&mut *tx).await.map(|_| ()) }.boxed())
        .await
        .unwrap();
    id
}

async fn assert_public_letter_masked(app: &TestApp, id: i64) {
    let mut anon = app.client();
    for path in ["/portal/letters".to_string(), format!("/portal/letters/{id}"), format!("/portal/disclosure/letters/{id}")] {
        let r = anon.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
        for raw in RAW {
            assert!(!r.text.contains(raw), "{path} shows {raw}");
        }
    }
    assert_masked("the letter page", &anon.get(&format!("/portal/letters/{id}")).await.text);
    let r = anon.get("/portal/disclosure/search?q=%E8%B7%AF%E7%81%AF&kind=letter").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.contains(&format!("/portal/disclosure/letters/{id}")), "the letter is found: {}", r.text);
    for raw in RAW {
        assert!(!r.text.contains(raw), "the search shows {raw}");
    }
}

#[tokio::test]
async fn published_letters_mask_numbers_however_written() {
    let app = TestApp::new().await;
    // Published by staff through the page: subject, letter and reply are masked when stored.
    let id = closed_letter(&app).await;
    let mut staff = app.login("dispatcher").await;
    let subject = "关于路灯（来信人 138 1234 5678）";
    let r = staff
        .post_form(&format!("/hotline/tickets/{id}/publish"), &[("subject", subject), ("body", TEXT), ("reply", "已修复，可致电0514-84567890了解。")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let (s, b, rep): (String, String, String) =
        q("SELECT publish_subject, publish_body, publish_reply FROM hotline_tickets WHERE case_id = $1").bind(id).fetch_one(&app.state.db).await.unwrap();
    assert_eq!(s, "关于路灯（来信人 138****5678）");
    assert_masked("the stored letter", &b);
    assert_eq!(rep, "已修复，可致电0514****7890了解。");
    assert_public_letter_masked(&app, id).await;

    // Published before this masker (the text stored and indexed as it was): masked when shown.
    let old = closed_letter(&app).await;
    app.state
        .db
        .write(move |tx| {
            async move {
                q("UPDATE hotline_tickets SET published = TRUE, published_at = 1767225600000, publish_subject = '关于路灯', publish_body = $1, publish_reply = '已修复。' WHERE case_id = $2")
                    .bind(TEXT)
                    .bind(old)
                    .execute(&mut *tx)
                    .await?;
                let doc = Doc { kind: "letter", ref_id: old, org_id: None, category_id: None, published_on: "2026-01-01".into(), title: "关于路灯".into(), body: TEXT.into() };
                fazhi::disclosure::search::index::put(tx, &doc).await?;
                Ok(())
            }
            .boxed()
        })
        .await
        .unwrap();
    assert_public_letter_masked(&app, old).await;
}
