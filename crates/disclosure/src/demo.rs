//! A year of 政务公开 in the demo city: about twelve hundred publications of the departments,
//! towns and parks, each from the unit whose remit it is (`demo_corpus`; most published on
//! time, some late, some still in review, a few withdrawn, normative documents with their
//! abolitions), each published one with its 索引号, and about 200 applications across every
//! outcome, some still open. Made up; called by `demo::ensure`.

use chrono::{Datelike, Duration};
use futures::FutureExt;

use std::collections::BTreeMap;

use super::corpus::{self, Rng};
use super::demo_corpus::{self, Town};
use super::model;
use super::publications;
use super::queries;
use super::rules::{OUTCOMES, PROCEDURE};
use super::search::{self, index};
use crate::audit::{self, Actor, Changes, NewEvent};
use crate::db::q;
use crate::kernel::engine::Clock;
use crate::kernel::queries::{self as cases, NewCase};
use crate::org::OrgKind;
use crate::state::AppState;
use crate::time::{fmt_date, start_of_day_ms, today};

const NAMES: &[&str] = &["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周婷", "吴斌", "徐丽", "孙浩"];
const ORGS: &[(&str, &str)] = &[
    ("commercial", "示范市宏达建设工程有限公司"),
    ("commercial", "示范市惠民食品有限公司"),
    ("research", "江苏某大学公共管理学院"),
    ("public_interest", "示范市绿色家园环保志愿者协会"),
    ("legal_service", "江苏示范律师事务所"),
    ("other_org", "东湖镇幸福村村民委员会"),
];

fn id_number(rng: &mut Rng) -> String {
    let mut s = format!("3210{:02}{}{:02}{:02}{:03}", 80 + rng.below(20), 1960 + rng.below(40), 1 + rng.below(12), 1 + rng.below(28), rng.below(1000));
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const C: &[u8; 11] = b"10X98765432";
    let sum: u32 = s.bytes().zip(W).map(|(d, w)| u32::from(d - b'0') * w).sum();
    s.push(C[(sum % 11) as usize] as char);
    s
}

/// The demo's units that publish: departments, towns and parks (in the demo city's tree).
async fn publishing_units(state: &AppState) -> Result<(BTreeMap<String, i64>, Vec<Town>), crate::error::AppError> {
    let mut ids = BTreeMap::new();
    let mut towns = Vec::new();
    for o in crate::org::queries::of_kinds(&state.db, &[OrgKind::Department, OrgKind::Town, OrgKind::Park]).await? {
        if o.kind().is_town_level() {
            let villages: Vec<(String,)> = q("SELECT name FROM orgs WHERE parent_id = $1 ORDER BY sort, id").bind(o.id).fetch_all(&state.db).await?;
            towns.push(Town { code: o.code.clone(), name: o.name.clone(), villages: villages.into_iter().map(|v| v.0).collect() });
        }
        ids.insert(o.code, o.id);
    }
    Ok((ids, towns))
}

/// Generate the year (idempotent: does nothing when publications already exist).
pub async fn seed_year(state: &AppState) -> anyhow::Result<()> {
    let e = |e: crate::error::AppError| anyhow::anyhow!("政务公开演示数据生成失败：{e}");
    if q("SELECT COUNT(*) FROM disclosure_publications").fetch_i64(&state.db).await.map_err(e)? > 0 {
        return Ok(());
    }
    let (unit_ids, towns) = publishing_units(state).await.map_err(e)?;
    if unit_ids.is_empty() {
        return Ok(());
    }
    let cats: Vec<(i64, String)> = q("SELECT id, code FROM disclosure_categories").fetch_all(&state.db).await.map_err(e)?;
    let cal = state.calendar();
    let end = today();
    let start = end - Duration::days(365);
    let mut rng = Rng::new(20_260_101);
    // ---- publications: each from the unit whose remit it is (demo_corpus), published within
    // the 20 working days mostly, some late, the most recent still in review.
    let workday = |d| cal.next_working_day_from(d);
    let items = demo_corpus::generate(20_260_101, end, &towns, &workday);
    let mut rows = Vec::new();
    for it in items {
        let (Some(&org), Some(cat)) = (unit_ids.get(&it.issuer), cats.iter().find(|c| c.1 == it.category).map(|c| c.0)) else { continue };
        let formed = it.formed;
        let due = model::publish_due(formed, &cal);
        let lag = if rng.chance(92) { 1 + rng.below(18) as u32 } else { 21 + rng.below(25) as u32 };
        let published = cal.add_working_days(formed, lag);
        let (state_code, published_on) = if published > end { (if rng.chance(50) { "review" } else { "draft" }, None) } else { ("published", Some(published)) };
        let withdrawn = state_code == "published" && rng.chance(1);
        let abolished = (it.kind == "normative" && state_code == "published" && rng.chance(8))
            .then(|| published + Duration::days(20 + rng.below(60) as i64))
            .filter(|d| *d <= end);
        rows.push((org, cat, it, due, state_code, published_on, withdrawn, abolished));
    }
    // 索引号 are given in order of publication.
    rows.sort_by_key(|r| (r.5.is_none(), r.5, r.2.formed));
    for chunk in rows.chunks(400) {
        let chunk = chunk.to_vec();
        let segmented: Vec<(String, String)> = chunk.iter().map(|r| (search::segment(&r.2.title), search::segment(&r.2.body))).collect();
        state
            .db
            .write_alone(move |tx| {
                async move {
                    let actor = Actor::system();
                    let mut to_index = Vec::new();
                    for (k, (org, cat, it, due, st, published_on, withdrawn, abolished)) in chunk.into_iter().enumerate() {
                        let formed = it.formed;
                        let at = start_of_day_ms(published_on.unwrap_or(formed)) + 10 * 3600 * 1000;
                        let on_time = published_on.map(|p| p <= due);
                        let st = if withdrawn { "withdrawn" } else { st };
                        let index_no = match published_on {
                            Some(p) => Some(publications::next_index_no(tx, org, p).await?),
                            None => None,
                        };
                        let id = q("INSERT INTO disclosure_publications (org_id, category_id, title, body, doc_no, doc_kind, formed_on, state, due_on, published_on, published_at, on_time, secrecy_checked, third_party_checked, review_opinion, withdrawn_on, withdrawn_reason, abolished_on, created_at, updated_at, index_no, theme) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$13,$14,$15,$16,$17,$18,$18,$19,$20) RETURNING id")
                            .bind(org)
                            .bind(cat)
                            .bind(it.title.as_str())
                            .bind(it.body.as_str())
                            .bind(it.doc_no.clone())
                            .bind(it.kind)
                            .bind(fmt_date(formed))
                            .bind(st)
                            .bind(fmt_date(due))
                            .bind(published_on.map(fmt_date))
                            .bind(published_on.map(|_| at))
                            .bind(on_time)
                            .bind(published_on.is_some())
                            .bind(published_on.map(|_| "不涉及国家秘密和第三方合法权益，同意公开".to_string()))
                            .bind(withdrawn.then(|| fmt_date(published_on.unwrap_or(formed) + Duration::days(3))))
                            .bind(withdrawn.then(|| "发现附件含有个人身份信息，撤回处理后重新发布".to_string()))
                            .bind(abolished.map(fmt_date))
                            .bind(start_of_day_ms(formed))
                            .bind(index_no)
                            .bind(it.theme)
                            .fetch_i64(&mut *tx)
                            .await?;
                        let title = it.title;
                        let mut ev = NewEvent::new("publication", id, "create", "起草主动公开信息（演示数据）").changes(Changes::new().created("标题", &title));
                        if published_on.is_some() {
                            ev = NewEvent::new("publication", id, "publish", "公开审查通过并公开（演示数据）").changes(Changes::new().created("标题", &title).created("按时公开", on_time));
                        }
                        audit::record_at(tx, &actor, ev, at).await?;
                        if st == "published" {
                            let (t, b) = segmented[k].clone();
                            let doc = index::Doc { kind: "publication", ref_id: id, org_id: Some(org), category_id: Some(cat), published_on: fmt_date(published_on.unwrap_or(formed)), title, body: it.body };
                            to_index.push((doc, t, b));
                        }
                    }
                    index::put_new_many(tx, &to_index).await?;
                    Ok(())
                }
                .boxed()
            })
            .await
            .map_err(e)?;
    }
    // ---- applications
    let receivers: Vec<(i64, String, String)> = {
        let mut v = Vec::new();
        for code in ["D-ZJJ", "D-ZRJ", "D-CZJ", "D-SJG", "D-STJ", "D-MZJ", "D-BGS", "T-DH", "T-XL", "D-CGJ"] {
            if let Some(o) = crate::org::queries::by_code(&state.db, code).await.map_err(e)? {
                v.push((o.id, o.code, o.name));
            }
        }
        v
    };
    let weights: &[(&str, u64)] = &[
        ("disclose", 38),
        ("partial", 12),
        ("withhold_third_party", 4),
        ("withhold_process", 4),
        ("withhold_internal", 2),
        ("withhold_enforcement", 2),
        ("withhold_secret", 1),
        ("withhold_law", 1),
        ("withhold_safety", 1),
        ("withhold_inquiry", 2),
        ("unable_not_held", 12),
        ("unable_no_ready", 4),
        ("unable_unclear", 2),
        ("reject_petition", 4),
        ("reject_repeat", 3),
        ("reject_publication", 1),
        ("reject_mass", 1),
        ("reject_confirm", 1),
        ("other_no_correction", 3),
        ("other_no_fee", 1),
        ("other_other", 1),
    ];
    let total_w: u64 = weights.iter().map(|w| w.1).sum();
    let mut apps = Vec::new();
    for _ in 0..210 {
        let received = start + Duration::days(rng.below(360) as i64);
        let received = cal.next_working_day_from(received);
        // The topic first, then a unit that holds such information.
        let (topic, holders) = *rng.pick(corpus::REQUEST_TOPICS);
        let fitting: Vec<&(i64, String, String)> =
            receivers.iter().filter(|r| holders.contains(&r.1.as_str()) || (holders.contains(&"town") && r.1.starts_with("T-"))).collect();
        let Some((org, code, org_name)) = (!fitting.is_empty()).then(|| (*rng.pick(&fitting)).clone()) else { continue };
        let town = code.starts_with("T-").then_some(org_name.as_str());
        let natural = rng.chance(75);
        let (ty, name) = if natural {
            ("natural".to_string(), rng.pick_str(NAMES).to_string())
        } else {
            let o = rng.pick(ORGS);
            (o.0.to_string(), o.1.to_string())
        };
        let desc = corpus::request_description(&mut rng, topic, received.year(), town);
        let mut roll = rng.next_u64() % total_w;
        let mut outcome = "disclose";
        for (o, w) in weights {
            if roll < *w {
                outcome = o;
                break;
            }
            roll -= w;
        }
        let days = if rng.chance(90) { 3 + rng.below(17) as u32 } else { 21 + rng.below(15) as u32 };
        let concluded = cal.add_working_days(received, days);
        let open = concluded > end;
        let id_no = if natural { id_number(&mut rng) } else { "91321084MA1X2Y3W4K".to_string() };
        apps.push((org, code, ty, name, id_no, desc, received, outcome, days, concluded, open));
    }
    state
        .db
        .write_alone(move |tx| {
            async move {
                let actor = Actor::system();
                for (org, code, ty, name, id_no, desc, received, outcome, days, concluded, open) in apps {
                    let due = cal.add_working_days(received, 20);
                    let opened_at = start_of_day_ms(received) + 9 * 3600 * 1000;
                    let st = if open { "handling" } else if outcome == "other_no_correction" { "lapsed" } else { "replied" };
                    let case = cases::create(
                        tx,
                        NewCase { procedure: &PROCEDURE, title: desc.chars().take(40).collect(), org_id: org, org_code: code, assignee_id: None, opened_at, state: st, clock: if open { Clock { rule: Some("reply".into()), started_on: Some(received), due_on: Some(due), ..Clock::default() } } else { Clock::default() }, closed: !open },
                        &cal,
                    )
                    .await?;
                    let valid = model::ValidApplication {
                        org_id: org,
                        channel: if days % 3 == 0 { "letter".into() } else { "web".into() },
                        applicant_type: ty.clone(),
                        applicant_name: name,
                        id_kind: if ty == "natural" { "resident_id".into() } else { "credit_code".into() },
                        id_number: id_no,
                        phone: format!("139{:08}", case.id * 7919 % 100_000_000),
                        address: None,
                        email: None,
                        contact_person: (ty != "natural").then(|| "联系人".to_string()),
                        description: desc,
                        doc_refs: None,
                        purpose: None,
                        delivery: "online".into(),
                        received_on: received,
                        idempotency_key: None,
                    };
                    queries::insert(tx, case.id, &valid).await?;
                    audit::record_at(tx, &actor, NewEvent::new("case", case.id, "intake", "登记政府信息公开申请（演示数据）"), opened_at).await?;
                    if open {
                        continue;
                    }
                    let o = OUTCOMES.iter().find(|x| x.code == outcome).expect("outcome");
                    let reason = o.needs_reason.then(|| format!("依据《政府信息公开条例》{}：{}", o.basis, o.ground()));
                    let closed_at = start_of_day_ms(concluded) + 15 * 3600 * 1000;
                    q("UPDATE disclosure_requests SET outcome = $1, outcome_reason = $2, reply_text = $3, concluded_on = $4, replied_on_time = $5 WHERE case_id = $6")
                        .bind(outcome)
                        .bind(reason)
                        .bind((outcome != "other_no_correction").then(|| "已按申请人要求的方式提供。".to_string()))
                        .bind(fmt_date(concluded))
                        .bind(concluded <= due)
                        .bind(case.id)
                        .execute(&mut *tx)
                        .await?;
                    q("UPDATE cases SET closed_at = $1, updated_at = $1 WHERE id = $2").bind(closed_at).bind(case.id).execute(&mut *tx).await?;
                    audit::record_at(tx, &actor, NewEvent::new("case", case.id, "reply", "答复（演示数据）").changes(Changes::new().created("答复结果", format!("{}{}", o.group_label, o.label))), closed_at).await?;
                }
                Ok(())
            }
            .boxed()
        })
        .await
        .map_err(e)?;
    Ok(())
}
