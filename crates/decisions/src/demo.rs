//! The demo city's normative documents: the registrar's account, and documents of 住建局 and
//! 东湖镇 taken through the procedure by the demo accounts themselves (drafter, reviewer, head,
//! registrar), some still in drafting, most in force, some cleaned up in the seed's proportions
//! (kept, repealed or expired, amended, republished). Everything happens through the service,
//! so every record has its events.

use std::collections::BTreeMap;

use chrono::Duration;
use futures::FutureExt;

use super::service::{self, NewDoc, StepForm, Who};
use crate::registry::DemoSize;
use crate::state::AppState;
use crate::time::{fmt_date, today};

pub const REGISTRAR: &str = "gfwj";

/// The registrar's account (统一登记、编号、备案与清理, over the city).
pub async fn seed_base(state: &AppState) -> anyhow::Result<()> {
    let hash = fazhi_platform::auth::password::hash(fazhi_platform::demo::DEMO_PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    let input = fazhi_platform::accounts::queries::UserInput {
        username: REGISTRAR.into(),
        display_name: "陆登记".into(),
        org_code: "D-SFJ".into(),
        phone: None,
        active: true,
        roles: vec![(super::roles::REGISTRAR.code.into(), fazhi_platform::demo::CITY.into())],
        password: Some(fazhi_platform::demo::DEMO_PASSWORD.into()),
    };
    state
        .db
        .write(move |tx| {
            async move { fazhi_platform::accounts::queries::create(tx, &crate::audit::Actor::system(), &input, hash, false).await.map(|_| ()) }.boxed()
        })
        .await
        .map_err(|e| anyhow::anyhow!("规范性文件演示账号生成失败：{e}"))
}

async fn staff(state: &AppState, username: &str) -> anyhow::Result<Who> {
    let id = crate::db::q("SELECT id FROM users WHERE username = $1").bind(username.to_string()).fetch_i64(&state.db).await?;
    let s = fazhi_platform::auth::extract::load_staff(state, id).await?.ok_or_else(|| anyhow::anyhow!("no account {username}"))?;
    Ok(Who::staff(&s))
}

fn form(pairs: &[(&str, &str)], reason: Option<&str>, days: Option<u32>) -> StepForm {
    StepForm { reason: reason.map(str::to_string), fields: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<BTreeMap<_, _>>(), days }
}

const TITLES: &[&str] = &[
    "建筑垃圾处置管理办法",
    "住宅专项维修资金管理实施细则",
    "物业服务企业信用评价办法",
    "城镇老旧小区改造实施意见",
    "既有住宅加装电梯实施办法",
    "农村危房改造补助资金管理办法",
    "建设工程质量安全监督管理规定",
    "保障性租赁住房管理办法",
];

/// A year of documents: `n` per unit at different stages.
pub async fn seed_year(state: &AppState, size: DemoSize) -> anyhow::Result<()> {
    let n = match size {
        DemoSize::Light => 6,
        DemoSize::Full => 16,
    };
    let legal = staff(state, "legal").await?;
    let reg = staff(state, REGISTRAR).await?;
    let err = |e: crate::error::AppError| anyhow::anyhow!("{e} {:?}", e.field_errors());
    for (unit, drafter, head, prefix) in [("D-ZJJ", "zjj_staff", "zjj_head", "示范市"), ("T-DH", "dh_staff", "dh_head", "东湖镇")] {
        let org = crate::org::queries::by_code(&state.db, unit).await?.ok_or_else(|| anyhow::anyhow!("no unit {unit}"))?;
        let (drafter, head) = (staff(state, drafter).await?, staff(state, head).await?);
        for i in 0..n {
            let title = format!("{prefix}{}", TITLES[i % TITLES.len()]);
            let text = format!(
                "第一条 为了规范{0}工作，根据有关法律、法规，结合本{1}实际，制定本办法。\n第二条 本办法适用于本{1}行政区域内的{0}活动。\n第三条 主管部门应当公开办事指南，不得增设办理条件。\n第四条 本办法自公布之日起施行，有效期五年。",
                TITLES[i % TITLES.len()]
                    .trim_end_matches("管理办法")
                    .trim_end_matches("办法")
                    .trim_end_matches("实施细则")
                    .trim_end_matches("实施意见")
                    .trim_end_matches("规定"),
                if unit == "T-DH" { "镇" } else { "市" }
            );
            let market = i % 2 == 0;
            let c = service::create(
                state,
                &drafter,
                NewDoc {
                    org_id: Some(org.id),
                    title: Some(title),
                    plan_year: Some(chrono::Datelike::year(&today()).to_string()),
                    market_related: market,
                    text: Some(text),
                },
            )
            .await
            .map_err(err)?;
            let id = c.id;
            if i == n - 1 {
                continue; // still being drafted
            }
            service::step(state, &drafter, id, None, "assess", form(&[("assessment", "经调研，制定本办法确有必要，措施可行，不涉及减损公民权益")], None, None))
                .await
                .map_err(err)?;
            let opens = fmt_date(today() - Duration::days(45));
            service::step(state, &drafter, id, None, "open_comment", form(&[("opens_on", &opens)], None, Some(if market { 30 } else { 10 })))
                .await
                .map_err(err)?;
            if i == n - 2 {
                continue; // its window has run, the comments are being summed up
            }
            service::step(
                state,
                &drafter,
                id,
                None,
                "close_comment",
                form(&[("adoption_report", "共收到意见3条，采纳2条，未采纳1条（与上位法不符）")], None, None),
            )
            .await
            .map_err(err)?;
            service::step(state, &drafter, id, None, "submit_review", StepForm::default()).await.map_err(err)?;
            let mut f: Vec<(&str, &str)> = super::rules::CHECKLIST.iter().map(|c| (c.code, "no")).collect();
            f.extend([("result", "pass"), ("opinion", "制定主体适格，程序完备，内容不违反上位法"), ("clause_notes", "第三条：建议列明办事指南的公开方式")]);
            service::step(state, &legal, id, None, "review", form(&f, None, None)).await.map_err(err)?;
            service::step(state, &head, id, None, "deliberate", form(&[("meeting", "政府常务会议"), ("result", "adopted")], None, None)).await.map_err(err)?;
            service::step(state, &reg, id, None, "publish", StepForm::default()).await.map_err(err)?;
            if i % 5 == 4 {
                continue; // published, to be filed
            }
            service::step(state, &reg, id, None, "file", form(&[("filed_to", "扬州市人民政府")], None, None)).await.map_err(err)?;
            // Cleanup outcomes roughly in the seed's proportions (150 : 46 : 17 : 30).
            let outcome = match i % 8 {
                0..=2 => "keep",
                3 => "repeal",
                5 => "republish",
                6 => {
                    service::add_version(state, &drafter, id, "第一条 为了规范管理，制定本办法。\n第二条 本办法适用于本行政区域。\n第三条 主管部门应当公开办事指南。\n第四条 本办法自公布之日起施行。", Some("清理修改".into())).await.map_err(err)?;
                    "amend"
                }
                _ => continue,
            };
            service::step(
                state,
                &reg,
                id,
                None,
                "cleanup",
                form(&[("outcome", outcome), ("campaign", "年度规范性文件清理")], Some("对照上位法逐件审查"), None),
            )
            .await
            .map_err(err)?;
        }
    }
    Ok(())
}
