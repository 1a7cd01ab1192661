//! The demo city's 督察 and rectification: the inspector's account (依法治市办 at 司法局), and the
//! findings of the year's 督察 and of the “补短板、强弱项”专项活动“回头看” (seed 一(二)) in the
//! units that have demo staff, taken through the procedure by the demo accounts themselves
//! (inspector records and verifies, the unit's staff report), at every stage. Everything
//! happens through the service, so every record has its events.

use std::collections::BTreeMap;

use chrono::Duration;
use futures::FutureExt;

use super::service::{self, NewFinding, StepForm, Who};
use crate::registry::DemoSize;
use crate::state::AppState;
use crate::time::{fmt_date, today};

pub const INSPECTOR: &str = "ducha";

/// The inspector's account (法治督察, over the city).
pub async fn seed_base(state: &AppState) -> anyhow::Result<()> {
    let hash = fazhi_platform::auth::password::hash(fazhi_platform::demo::DEMO_PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    let input = fazhi_platform::accounts::queries::UserInput {
        username: INSPECTOR.into(),
        display_name: "周督察".into(),
        org_code: "D-SFJ".into(),
        phone: None,
        active: true,
        roles: vec![(super::roles::INSPECTOR.code.into(), fazhi_platform::demo::CITY.into())],
        password: Some(fazhi_platform::demo::DEMO_PASSWORD.into()),
    };
    state
        .db
        .write(move |tx| {
            async move { fazhi_platform::accounts::queries::create(tx, &crate::audit::Actor::system(), &input, hash, false).await.map(|_| ()) }.boxed()
        })
        .await
        .map_err(|e| anyhow::anyhow!("督察演示账号生成失败：{e}"))
}

async fn staff(state: &AppState, username: &str) -> anyhow::Result<Who> {
    let id = crate::db::q("SELECT id FROM users WHERE username = $1").bind(username.to_string()).fetch_i64(&state.db).await?;
    let s = fazhi_platform::auth::extract::load_staff(state, id).await?.ok_or_else(|| anyhow::anyhow!("no account {username}"))?;
    Ok(Who::staff(&s))
}

fn form(pairs: &[(&str, &str)], reason: Option<&str>) -> StepForm {
    StepForm { reason: reason.map(str::to_string), fields: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<BTreeMap<_, _>>() }
}

const FINDINGS: &[&str] = &[
    "行政执法公示信息未在规定时间内更新，部分执法结果未公示",
    "重大执法决定法制审核记录不完整，个别案件未留存审核意见",
    "行政规范性文件未按规定报送备案",
    "部门主要负责人未在年终述职中述法",
    "执法案卷中告知陈述、申辩权利的文书缺失",
    "法治宣传“谁执法谁普法”责任清单未更新",
    "常务会议会前学法未形成记录",
    "行政复议决定未在规定期限内履行",
];

/// A year of findings: `n` per unit, at every stage of the procedure.
pub async fn seed_year(state: &AppState, size: DemoSize) -> anyhow::Result<()> {
    let n = match size {
        DemoSize::Light => 4,
        DemoSize::Full => FINDINGS.len(),
    };
    let inspector = staff(state, INSPECTOR).await?;
    let err = |e: crate::error::AppError| anyhow::anyhow!("{e} {:?}", e.field_errors());
    for (unit, worker) in [("D-ZJJ", "zjj_staff"), ("D-CGJ", "cgj_staff"), ("T-DH", "dh_staff")] {
        let org = crate::org::queries::by_code(&state.db, unit).await?.ok_or_else(|| anyhow::anyhow!("no unit {unit}"))?;
        let worker = staff(state, worker).await?;
        for (i, finding) in FINDINGS.iter().take(n).enumerate() {
            let (inspection, kind) = if i % 4 == 3 {
                ("“补短板、强弱项”专项活动“回头看”", "follow_up")
            } else {
                ("年度法治政府建设督察", "inspection")
            };
            let new = NewFinding {
                org_id: Some(org.id),
                inspection: Some(inspection.into()),
                kind: Some(kind.into()),
                finding: Some((*finding).into()),
                found_on: Some(fmt_date(today() - Duration::days(20 + 3 * i as i64))),
            };
            let c = service::create(state, &inspector, new).await.map_err(err)?;
            // Stages: 0 found, 1 rectifying, 2 verifying, 3+ closed; 5 reopened by the 回头看; 6 confirmed.
            if i == 0 {
                continue;
            }
            service::step(state, &inspector, c.id, None, "assign", StepForm::default()).await.map_err(err)?;
            if i == 1 {
                continue;
            }
            let report = form(&[("measures", "已制定整改方案，逐项整改到位，并建立长效机制"), ("evidence", "整改报告（附件）；相关制度文件")], None);
            service::step(state, &worker, c.id, None, "report", report).await.map_err(err)?;
            if i == 2 {
                continue;
            }
            service::step(state, &inspector, c.id, None, "verify_pass", form(&[("opinion", "经现场核查，整改到位，同意销号")], None)).await.map_err(err)?;
            match i {
                5 => {
                    service::step(state, &inspector, c.id, None, "reopen", form(&[], Some("回头看发现问题反弹，整改不实"))).await.map_err(err)?;
                }
                6 => {
                    service::step(state, &inspector, c.id, None, "confirm", form(&[("opinion", "回头看确认整改到位，未反弹")], None)).await.map_err(err)?;
                }
                _ => {}
            }
        }
    }
    Ok(())
}
