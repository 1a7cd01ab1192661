//! The demo city's major decisions at the seed's scale (三(一): public participation in 8 decisions,
//! 5 technical assessments by experts): the government office's account, the year's catalogue
//! approved by the Party committee and published, and its items taken through the procedure by
//! the demo accounts themselves (drafter, legality reviewer, the office recording the meetings),
//! at every stage, one of them out for public comment now. Everything goes through the services, so every record has its events.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration};
use futures::FutureExt;

use super::{catalogue, service};
use crate::registry::DemoSize;
use crate::service::{StepForm, Who};
use crate::state::AppState;
use crate::time::{fmt_date, today};

pub const OFFICE: &str = "zfb";

pub async fn seed_base(state: &AppState) -> anyhow::Result<()> {
    let hash = fazhi_platform::auth::password::hash(fazhi_platform::demo::DEMO_PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    let input = fazhi_platform::accounts::queries::UserInput {
        username: OFFICE.into(),
        display_name: "吴政办".into(),
        org_code: "D-BGS".into(),
        phone: None,
        active: true,
        roles: vec![(crate::roles::DECISION_OFFICE.code.into(), fazhi_platform::demo::CITY.into())],
        password: Some(fazhi_platform::demo::DEMO_PASSWORD.into()),
    };
    state
        .db
        .write(move |tx| {
            async move { fazhi_platform::accounts::queries::create(tx, &crate::audit::Actor::system(), &input, hash, false).await.map(|_| ()) }.boxed()
        })
        .await
        .map_err(|e| anyhow::anyhow!("重大行政决策演示账号生成失败：{e}"))
}

async fn staff(state: &AppState, username: &str) -> anyhow::Result<Who> {
    let id = crate::db::q("SELECT id FROM users WHERE username = $1").bind(username.to_string()).fetch_i64(&state.db).await?;
    let s = fazhi_platform::auth::extract::load_staff(state, id).await?.ok_or_else(|| anyhow::anyhow!("no account {username}"))?;
    Ok(Who::staff(&s))
}

pub fn form(pairs: &[(&str, &str)], reason: Option<&str>, days: Option<u32>) -> StepForm {
    StepForm { reason: reason.map(str::to_string), fields: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<BTreeMap<_, _>>(), days }
}

/// This year's catalogue, made and published if there is none (the sample and the demo).
async fn published_catalogue(state: &AppState, who: &Who) -> anyhow::Result<i64> {
    let err = |e: crate::error::AppError| anyhow::anyhow!("{e} {:?}", e.field_errors());
    let year = today().year();
    let found: Option<(i64,)> = crate::db::q("SELECT id FROM decision_catalogues WHERE year = $1").bind(i64::from(year)).fetch_optional(&state.db).await?;
    let id = match found {
        Some((id,)) => id,
        None => catalogue::create(state, who, Some(&year.to_string()), None).await.map_err(err)?,
    };
    Ok(id)
}

async fn approve_and_publish(state: &AppState, who: &Who, id: i64) -> anyhow::Result<()> {
    let err = |e: crate::error::AppError| anyhow::anyhow!("{e} {:?}", e.field_errors());
    let c = super::queries::catalogue(&state.db, id).await?.ok_or_else(|| anyhow::anyhow!("no catalogue"))?;
    // Consented to early in the year and published a week later (never after today).
    let approved = today() - Duration::days(300).min(Duration::days(i64::from(today().ordinal0())));
    if c.party_approved_on.is_none() {
        catalogue::approve(state, who, id, Some(&fmt_date(approved)), Some("市委常委会会议")).await.map_err(err)?;
    }
    if c.published_on.is_none() {
        let published = fmt_date((approved + Duration::days(7)).min(today()));
        catalogue::publish(state, who, id, Some(&published)).await.map_err(err)?;
    }
    Ok(())
}

const TEXT: &str = "第一条 为了推进本项工作，根据有关法律、法规和政策，结合本市实际，制定本方案。\n第二条 本方案由承办单位组织实施，有关部门按照职责分工配合。\n第三条 所需资金列入年度财政预算，实行绩效管理。\n第四条 本方案自公布之日起施行。";

/// One open decision in the unit, for the permission matrix.
pub async fn sample(state: &AppState, org_id: i64) -> anyhow::Result<i64> {
    let err = |e: crate::error::AppError| anyhow::anyhow!("{e} {:?}", e.field_errors());
    let sys = Who::System;
    let cat = published_catalogue(state, &sys).await?;
    let approved = super::queries::catalogue(&state.db, cat).await?.and_then(|c| c.party_approved_on).is_some();
    let item = catalogue::add_item(
        state,
        &sys,
        cat,
        catalogue::NewItem {
            title: Some(format!("权限测试决策事项（承办单位 {org_id}）")),
            category: Some("policy".into()),
            lead_org_id: Some(org_id),
            planned: None,
            adjustment_reason: approved.then(|| "权限测试".to_string()),
        },
    )
    .await
    .map_err(err)?;
    approve_and_publish(state, &sys, cat).await?;
    let c = service::launch(state, &sys, service::Launch { item_id: item, market_related: false, text: Some(TEXT.into()) }).await.map_err(err)?;
    Ok(c.id)
}

/// The catalogue's items: title, category, lead unit, drafter, how far it goes.
const ITEMS: &[(&str, &str, &str)] = &[
    ("示范市国土空间总体规划（2021—2035年）", "plan", "D-ZJJ"),
    ("城区生活垃圾分类处理设施布局方案", "project", "D-ZJJ"),
    ("老旧小区改造三年行动计划", "policy", "D-ZJJ"),
    ("城区停车设施建设与收费管理办法", "policy", "D-ZJJ"),
    ("东湖镇集镇污水管网建设项目", "project", "T-DH"),
    ("东湖湿地保护与利用规划", "resources", "T-DH"),
    ("农村人居环境整治提升实施方案", "policy", "T-DH"),
    ("城区公交线网优化调整方案", "other", "D-ZJJ"),
    ("保障性租赁住房筹集建设方案", "policy", "D-ZJJ"),
    ("东湖镇农贸市场改造提升项目", "project", "T-DH"),
    ("历史文化街区保护利用规划", "resources", "D-ZJJ"),
    ("建筑垃圾资源化利用特许经营方案", "other", "D-ZJJ"),
];

/// The year: a published catalogue of 12 items; 10 launched and taken to different stages, 8 of
/// them with public participation done, 5 with expert argumentation, the last launched out for
/// comment now (`--light`: the first 6 items, 4 launched).
pub async fn seed_year(state: &AppState, size: DemoSize) -> anyhow::Result<()> {
    let err = |e: crate::error::AppError| anyhow::anyhow!("{e} {:?}", e.field_errors());
    let office = staff(state, OFFICE).await?;
    let legal = staff(state, "legal").await?;
    let cat = published_catalogue(state, &office).await?;
    let n = match size {
        DemoSize::Light => 6,
        DemoSize::Full => ITEMS.len(),
    };
    let mut items = Vec::new();
    for (i, (title, category, unit)) in ITEMS.iter().take(n).enumerate() {
        let org = crate::org::queries::by_code(&state.db, unit).await?.ok_or_else(|| anyhow::anyhow!("no unit {unit}"))?;
        let new = catalogue::NewItem {
            title: Some(title.to_string()),
            category: Some(category.to_string()),
            lead_org_id: Some(org.id),
            planned: Some(format!("第{}季度", i % 4 + 1)),
            adjustment_reason: None,
        };
        items.push((catalogue::add_item(state, &office, cat, new).await.map_err(err)?, *unit));
    }
    approve_and_publish(state, &office, cat).await?;
    let launched = n.saturating_sub(2);
    for (i, (item, unit)) in items.into_iter().take(launched).enumerate() {
        let drafter = staff(state, if unit == "T-DH" { "dh_staff" } else { "zjj_staff" }).await?;
        let market = i % 4 == 3;
        let c = service::launch(state, &drafter, service::Launch { item_id: item, market_related: market, text: Some(TEXT.into()) }).await.map_err(err)?;
        let id = c.id;
        let step = |who: &Who, action: &'static str, f: StepForm| {
            let who = who.clone();
            async move { service::step(state, &who, id, None, action, f).await.map_err(err) }
        };
        step(
            &drafter,
            "draft",
            form(&[("legal_basis", "《中华人民共和国城乡规划法》等有关规定"), ("consultation", "已征求发改、财政、自然资源等部门意见，均无异议")], None, None),
        )
        .await?;
        if i == launched - 1 {
            // Its draft is out for comment now: citizens comment on the portal, a campaign among them.
            step(&drafter, "open_participation", form(&[], None, Some(30))).await?;
            let texts = [
                "坚决反对提高城区停车收费标准，增加市民负担！",
                "坚决反对提高城区停车收费标准，增加市民负担！！",
                "坚决反对提高城区停车收费标准，增加市民负担",
                "坚决反对提高城区停车收费标准,增加市民负担!",
                "坚决反对提高城区停车收费标准，增加市民负担。",
                "坚决反对 提高城区停车收费标准，增加市民负担！",
                "建议在学校、医院周边设置限时免费停车位。",
                "希望公布停车收费标准的测算依据。",
            ];
            for (k, t) in texts.iter().enumerate() {
                let phone = fazhi_platform::privacy::Phone::parse(&format!("1395555{:04}", 100 + k)).map_err(|e| anyhow::anyhow!("{e}"))?;
                let citizen = crate::auth::Citizen { phone };
                service::citizen_comment(state, &citizen, id, Some(if k < 6 { "2" } else { "0" }), Some(t)).await.map_err(err)?;
            }
            continue;
        }
        // Participation in 8 (the seed's figure), with a window that ran its 30 days.
        if i < 8 {
            let opens = fmt_date(today() - Duration::days(45));
            step(&drafter, "open_participation", form(&[("opens_on", &opens)], None, Some(30))).await?;
            step(
                &drafter,
                "close_participation",
                form(&[("report", "网上未收到书面意见；召开群众代表座谈会2场，收集意见14条，采纳8条，未采纳6条（理由已向提出人说明）")], None, None),
            )
            .await?;
        } else {
            step(&drafter, "waive_participation", form(&[], Some("涉及国家秘密，依法不予公开"), None)).await?;
        }
        // Experts for the 5 technical items.
        if i < 5 {
            step(
                &drafter,
                "expert",
                form(
                    &[
                        ("experts", "张明｜扬州大学建筑科学与工程学院｜方案可行，建议分期实施\n李华｜市规划设计院｜同意，注意与上位规划衔接\n王芳｜江苏某律师事务所｜程序合法"),
                        ("signed", "yes"),
                        ("report", "专家意见3条，全部采纳"),
                    ],
                    None,
                    None,
                ),
            )
            .await?;
        } else {
            step(&drafter, "waive_expert", form(&[], Some("不属于专业性、技术性较强的事项"), None)).await?;
        }
        step(
            &drafter,
            "risk",
            form(
                &[
                    ("points", "征收补偿、施工扰民"),
                    ("measures", "公开补偿标准，错峰施工"),
                    ("plan", "设立矛盾调处专班"),
                    ("level", if i % 3 == 0 { "medium" } else { "low" }),
                    ("assessor", "市社会稳定风险评估中心"),
                ],
                None,
                None,
            ),
        )
        .await?;
        if market {
            step(
                &drafter,
                "fair_competition",
                form(&[("conclusion", "compliant"), ("report", "对照公平竞争审查条例第八条至第十一条逐项审查，未发现排除、限制竞争内容")], None, None),
            )
            .await?;
        }
        if i == launched - 2 {
            continue; // procedures done, not yet sent for review
        }
        step(&drafter, "submit_legality", form(&[("materials", "决策草案、起草说明、法律依据、程序履行情况说明")], None, None)).await?;
        if i == launched - 3 {
            continue; // under legality review
        }
        step(
            &legal,
            "legality_opinion",
            form(
                &[
                    ("authority", "ok"),
                    ("procedure", "ok"),
                    ("content", "ok"),
                    ("adviser_opinion", "法律顾问：决策事项属于市政府职权范围，程序完备"),
                    ("result", "pass"),
                    ("opinion", "符合法定权限，已履行法定程序，内容合法"),
                ],
                None,
                None,
            ),
        )
        .await?;
        step(
            &office,
            "deliberate",
            form(&[("meeting", &format!("市政府第{}次常务会议", i + 3)), ("majority", "agree"), ("head_last", "yes"), ("result", "adopted")], None, None),
        )
        .await?;
        if i == launched - 4 {
            continue; // decided, to be reported and published
        }
        step(&office, "party_report", form(&[("report", "已向市委请示报告，市委同意")], None, None)).await?;
        step(&office, "publish", form(&[("publication", "市政府门户网站、政府公报")], None, None)).await?;
        step(&drafter, "archive", StepForm::default()).await?;
        if i == 0 {
            step(&drafter, "execution", form(&[("report", "已完成年度建设任务的60%")], None, None)).await?;
        }
    }
    Ok(())
}
