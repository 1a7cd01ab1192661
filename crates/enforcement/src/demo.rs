//! The demo city's enforcement: the certificate office's and the 城管局 head's accounts, the
//! officers' roster at the seed's scale (1,239 officers, 77 newly certified this year, town
//! teams with auxiliaries at 1:2), and penalty cases of 城管局 taken through the procedure by
//! the demo accounts themselves, so that every record has its events.

use std::collections::BTreeMap;

use chrono::Duration;
use futures::FutureExt;

use super::service::{self, NewOfficer, NewPenalty, StepForm, Who};
use crate::db::q;
use crate::registry::DemoSize;
use crate::state::AppState;
use crate::time::{fmt_date, now_ms, today};

/// 执法证件管理 over the city (司法局).
pub const CERT_OFFICE: &str = "zf_cert";
/// 城管局 head: decides penalty cases.
pub const HEAD: &str = "zf_head";

pub const LOGINS: &[(&str, &str)] = &[(CERT_OFFICE, "执法人员与执法证件管理（司法局）"), (HEAD, "城管局负责人（作出行政处罚决定）")];

/// The officers of 城管局 every test and demo starts from: (name, certificate, field, years
/// valid from today; negative: expired). 城管局's own certificates are in 城市管理.
/// A plausible name for the `i`-th generated officer: surname and given name drawn in turn from
/// common ones (an official reading the roster should not meet "执法人员0060").
fn officer_name(i: usize) -> String {
    const SURNAMES: &[&str] = &[
        "张", "王", "李", "赵", "陈", "刘", "杨", "黄", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗", "梁", "宋", "郑", "谢", "韩",
        "唐", "冯", "于", "董", "萧",
    ];
    const GIVEN: &[&str] = &[
        "建国", "志强", "海燕", "丽华", "明", "伟", "静", "晓东", "国庆", "春梅", "文斌", "秀英", "立军", "红霞", "俊杰", "雪梅", "志刚", "玉兰", "永明",
        "凤英", "建华", "玲", "亮", "桂芳", "涛", "敏", "新民", "燕", "晓峰", "淑珍", "宏伟",
    ];
    // Surname by the remainder, given name by the quotient: 30 × 31 = 930 distinct names before
    // one repeats (a roster of 1,239 has namesakes, as real ones do).
    format!("{}{}", SURNAMES[i % SURNAMES.len()], GIVEN[(i / SURNAMES.len()) % GIVEN.len()])
}

pub const CGJ_OFFICERS: &[(&str, &str, &str, i64)] = &[
    ("周正", "32108101001", "urban", 3),
    ("吴海峰", "32108101002", "urban", 2),
    ("郑立新", "32108101003", "urban", 1),
    ("王建军", "32108101004", "urban", -1),
    ("冯晓燕", "32108101005", "market", 2),
];

async fn account(state: &AppState, username: &str, name: &str, org: &str, role: &str, scope: &str) -> anyhow::Result<()> {
    let hash = fazhi_platform::auth::password::hash(fazhi_platform::demo::DEMO_PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    let input = fazhi_platform::accounts::queries::UserInput {
        username: username.into(),
        display_name: name.into(),
        org_code: org.into(),
        phone: None,
        active: true,
        roles: vec![(role.into(), scope.into())],
        password: Some(fazhi_platform::demo::DEMO_PASSWORD.into()),
    };
    state
        .db
        .write(move |tx| {
            async move { fazhi_platform::accounts::queries::create(tx, &crate::audit::Actor::system(), &input, hash, false).await.map(|_| ()) }.boxed()
        })
        .await
        .map_err(|e| anyhow::anyhow!("行政执法演示账号生成失败：{e}"))
}

async fn org_id(state: &AppState, code: &str) -> anyhow::Result<i64> {
    Ok(q("SELECT id FROM orgs WHERE code = $1").bind(code.to_string()).fetch_i64(&state.db).await?)
}

/// The accounts and 城管局's officers.
pub async fn seed_base(state: &AppState) -> anyhow::Result<()> {
    account(state, CERT_OFFICE, "韩持证", "D-SFJ", super::roles::CERT_OFFICE.code, fazhi_platform::demo::CITY).await?;
    account(state, HEAD, "蒋城管", "D-CGJ", "dept_head", "").await?;
    let cgj = org_id(state, "D-CGJ").await?;
    let day = today();
    for (name, cert, field, years) in CGJ_OFFICERS {
        let expires = day + Duration::days(365 * years);
        let new = NewOfficer {
            org_id: Some(cgj),
            name: Some((*name).into()),
            auxiliary: false,
            cert_no: Some((*cert).into()),
            field: Some((*field).into()),
            issued_on: Some(fmt_date(expires - Duration::days(365 * 5))),
            expires_on: Some(fmt_date(expires)),
            training_hours: Some(60),
        };
        service::create_officer(state, &Who::System, new).await.map_err(|e| anyhow::anyhow!("执法人员生成失败：{e} {:?}", e.field_errors()))?;
    }
    service::create_officer(state, &Who::System, NewOfficer { org_id: Some(cgj), name: Some("钱协管".into()), auxiliary: true, ..Default::default() })
        .await
        .map_err(|e| anyhow::anyhow!("辅助人员生成失败：{e}"))?;
    Ok(())
}

async fn staff(state: &AppState, username: &str) -> anyhow::Result<Who> {
    let id = q("SELECT id FROM users WHERE username = $1").bind(username.to_string()).fetch_i64(&state.db).await?;
    let s = fazhi_platform::auth::extract::load_staff(state, id).await?.ok_or_else(|| anyhow::anyhow!("no account {username}"))?;
    Ok(Who::staff(&s))
}

fn form(pairs: &[(&str, &str)]) -> StepForm {
    StepForm { fields: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<BTreeMap<_, _>>(), ..Default::default() }
}

/// Enforcement units and their fields, for the roster.
const UNITS: &[(&str, &str)] = &[
    ("D-CGJ", "urban"),
    ("D-SJG", "market"),
    ("D-STJ", "environment"),
    ("D-JYJ", "transport"),
    ("D-NYJ", "agriculture"),
    ("D-WLJ", "culture"),
    ("D-YJJ", "safety"),
    ("D-WJW", "health"),
    ("D-ZRJ", "land"),
    ("D-ZJJ", "housing"),
];

/// The seed's figures: 1,239 officers, of whom 77 obtained a 综合行政执法证 this year.
const OFFICERS: usize = 1239;
const NEW_CERTIFICATES: usize = 77;

const TITLES: &[&str] = &["占道经营", "违法设置户外广告", "擅自挖掘城市道路", "建筑垃圾未按规定处置", "违规搭建临时建筑", "餐饮油烟直排", "夜间施工噪声扰民"];

/// The roster in one transaction (batched rows), and penalty cases through the service.
pub async fn seed_year(state: &AppState, size: DemoSize) -> anyhow::Result<()> {
    let (officers, cases) = match size {
        DemoSize::Light => (60, 6),
        DemoSize::Full => (OFFICERS - CGJ_OFFICERS.len(), 120),
    };
    let mut units = Vec::new();
    for (code, field) in UNITS {
        units.push((org_id(state, code).await?, *field));
    }
    let day = today();
    state
        .db
        .write(move |tx| {
            async move {
                let now = now_ms();
                for chunk in (0..officers).collect::<Vec<_>>().chunks(200) {
                    let mut sql = String::from("INSERT INTO enf_officers (org_id, name, auxiliary, cert_no, field, issued_on, expires_on, status, training_hours, created_at, updated_at) VALUES ");
                    let mut query_args = Vec::new();
                    for (k, i) in chunk.iter().enumerate() {
                        let (org, field) = units[i % units.len()];
                        // The newest certificates were issued this year; the others spread over
                        // five years of validity, a few expiring within the quarter.
                        let issued = if *i < NEW_CERTIFICATES { day - Duration::days((i % 300) as i64) } else { day - Duration::days(200 + ((i * 37) % 1500) as i64) };
                        let expires = issued + Duration::days(5 * 365);
                        let b = k * 9;
                        if k > 0 {
                            sql.push(',');
                        }
                        sql.push_str(&format!("(${}, ${}, FALSE, ${}, ${}, ${}, ${}, 'active', ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, b + 8, b + 9));
                        query_args.push((org, officer_name(*i), format!("3210819{:05}", i + 1), field, fmt_date(issued), fmt_date(expires), ((i * 7) % 80) as i64, now));
                    }
                    let mut query = q(sql);
                    for (org, name, cert, field, issued, expires, hours, at) in query_args {
                        query = query.bind(org).bind(name).bind(cert).bind(field).bind(issued).bind(expires).bind(hours).bind(at).bind(at);
                    }
                    query.execute(&mut *tx).await?;
                }
                Ok(())
            }
            .boxed()
        })
        .await
        .map_err(|e| anyhow::anyhow!("执法人员名录生成失败：{e}"))?;
    let handler = staff(state, "cgj_staff").await?;
    let legal = staff(state, "legal").await?;
    let head = staff(state, HEAD).await?;
    let cgj = org_id(state, "D-CGJ").await?;
    let officers = format!("{},{}", CGJ_OFFICERS[0].1, CGJ_OFFICERS[1].1);
    for i in 0..cases {
        let registered = day - Duration::days(100 - (i as i64 * 90 / cases as i64));
        let major = if i % 5 == 0 { "complex" } else { "none" };
        let new = NewPenalty {
            org_id: Some(cgj),
            title: Some(format!("{}案", TITLES[i % TITLES.len()])),
            field: Some("urban".into()),
            party_kind: Some(if i % 3 == 0 { "person" } else { "org" }.into()),
            party_name: Some(if i % 3 == 0 { format!("张{}", ["明", "华", "强", "伟"][i % 4]) } else { format!("示范市{}商贸有限公司", i + 1) }),
            major: Some(major.into()),
            registered_on: Some(fmt_date(registered)),
        };
        let c = service::create(state, &Who::System, new).await.map_err(|e| anyhow::anyhow!("{e} {:?}", e.field_errors()))?;
        // Most cases are far along; the newest still under investigation.
        let depth = if i + 3 >= cases { i % 3 } else { 9 };
        let run = |who: &Who, action: &'static str, f: StepForm| {
            let who = who.clone();
            async move { service::step(state, &who, c.id, None, action, f).await.map(|_| ()) }
        };
        let res: Result<(), crate::error::AppError> = async {
            if depth >= 1 {
                run(&handler, "assign", form(&[("officers", &officers), ("recusal", "checked")])).await?;
            }
            if depth >= 2 {
                let notified = fmt_date((registered + Duration::days(20)).min(day));
                run(
                    &handler,
                    "notify",
                    form(&[
                        ("facts", "经现场检查，当事人存在违法行为，有现场笔录、照片为证"),
                        ("proposed", "责令改正，罚款"),
                        ("hearing_right", "no"),
                        ("notified_on", &notified),
                    ]),
                )
                .await?;
                run(&handler, "record_defence", form(&[("statement", "当事人未提出陈述申辩")])).await?;
                if major != "none" {
                    run(&handler, "submit_review", StepForm::default()).await?;
                    run(&legal, "review", form(&[("result", "pass"), ("opinion", "主体合法、程序正当、事实清楚、适用依据正确、裁量适当")])).await?;
                }
                let by = if major == "complex" { "collective" } else { "head" };
                let fine = (200 * (1 + i % 10)).to_string();
                run(&head, "decide", form(&[("decision", "责令改正，并处罚款"), ("fine", &fine), ("decided_by", by)])).await?;
                run(&handler, "serve", form(&[("method", "direct")])).await?;
                run(&handler, "disclose", StepForm::default()).await?;
                if i % 2 == 0 {
                    run(&handler, "archive", form(&[("archive_no", &format!("CG-{}-{:04}", chrono::Datelike::year(&day), i + 1))])).await?;
                }
            }
            Ok(())
        }
        .await;
        res.map_err(|e| anyhow::anyhow!("行政处罚演示案件生成失败：{e} {:?}", e.field_errors()))?;
    }
    crate::inspections::demo::seed(state, size).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn generated_officers_have_distinct_plausible_names() {
        let names: std::collections::HashSet<String> = (0..930).map(super::officer_name).collect();
        assert_eq!(names.len(), 930);
        assert!(names.iter().all(|n| (2..=3).contains(&n.chars().count()) && !n.chars().any(|c| c.is_ascii_digit())));
    }
}
