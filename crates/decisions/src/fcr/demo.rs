//! The demo city's fair-competition reviews at the seed's scale (二(三): 123 measures reviewed, 2
//! amended): the market regulator's account, measures of 住建局 and 东湖镇 reviewed by their own
//! staff, a few issued by the government reviewed by the regulator, one exception with a time
//! limit, and a spot check. Everything goes through the service.

use futures::FutureExt;

use super::rules;
use super::service::{self, NewMeasure};
use crate::registry::DemoSize;
use crate::service::{StepForm, Who};
use crate::state::AppState;
use crate::time::{fmt_date, today};

pub const REVIEWER: &str = "scjg";

pub async fn seed_base(state: &AppState) -> anyhow::Result<()> {
    let hash = fazhi_platform::auth::password::hash(fazhi_platform::demo::DEMO_PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    let input = fazhi_platform::accounts::queries::UserInput {
        username: REVIEWER.into(),
        display_name: "郑公平".into(),
        org_code: "D-SJG".into(),
        phone: None,
        active: true,
        roles: vec![(crate::roles::FCR_REVIEWER.code.into(), fazhi_platform::demo::CITY.into())],
        password: Some(fazhi_platform::demo::DEMO_PASSWORD.into()),
    };
    state
        .db
        .write(move |tx| {
            async move { fazhi_platform::accounts::queries::create(tx, &crate::audit::Actor::system(), &input, hash, false).await.map(|_| ()) }.boxed()
        })
        .await
        .map_err(|e| anyhow::anyhow!("公平竞争审查演示账号生成失败：{e}"))
}

/// A review's fields: every standard "no" except those named "yes".
pub fn review_fields(found: &[&str], conclusion: &str, extra: &[(&str, &str)]) -> StepForm {
    let mut fields: std::collections::BTreeMap<String, String> =
        rules::STANDARDS.iter().map(|s| (s.code.to_string(), if found.contains(&s.code) { "yes" } else { "no" }.to_string())).collect();
    fields.insert("operators_views".into(), "召开企业座谈会，听取行业协会和有关经营者意见".into());
    fields.insert("conclusion".into(), conclusion.into());
    fields.insert("opinion".into(), "经对照审查标准逐项审查，作出本结论".into());
    for (k, v) in extra {
        fields.insert(k.to_string(), v.to_string());
    }
    StepForm { reason: None, fields, days: None }
}

async fn staff(state: &AppState, username: &str) -> anyhow::Result<Who> {
    let id = crate::db::q("SELECT id FROM users WHERE username = $1").bind(username.to_string()).fetch_i64(&state.db).await?;
    let s = fazhi_platform::auth::extract::load_staff(state, id).await?.ok_or_else(|| anyhow::anyhow!("no account {username}"))?;
    Ok(Who::staff(&s))
}

const TOPICS: &[&str] = &["招商引资优惠", "建筑市场管理", "物业服务企业扶持", "农贸市场经营", "住房租赁市场", "建材采购", "工程招标投标", "装配式建筑奖励"];

/// The year: 123 measures reviewed (12 with `--light`), 2 amended, one exception, one spot check.
pub async fn seed_year(state: &AppState, size: DemoSize) -> anyhow::Result<()> {
    let err = |e: crate::error::AppError| anyhow::anyhow!("{e} {:?}", e.field_errors());
    let n = match size {
        DemoSize::Light => 12,
        DemoSize::Full => 123,
    };
    let reviewer = staff(state, REVIEWER).await?;
    let units = [("D-ZJJ", "zjj_staff"), ("T-DH", "dh_staff")];
    let mut drafters = Vec::new();
    for (code, user) in units {
        let org = crate::org::queries::by_code(&state.db, code).await?.ok_or_else(|| anyhow::anyhow!("no unit {code}"))?;
        drafters.push((org.id, staff(state, user).await?));
    }
    for i in 0..n {
        let (org_id, drafter) = &drafters[i % 2];
        let by_government = i % 10 == 9;
        let c = service::create(
            state,
            drafter,
            NewMeasure {
                org_id: Some(*org_id),
                title: Some(format!("关于{}的若干措施（{}）", TOPICS[i % TOPICS.len()], i + 1)),
                summary: Some("对符合条件的经营者给予支持，具体条件和标准向社会公开，平等对待各类经营者。".into()),
                by_government,
            },
        )
        .await
        .map_err(err)?;
        let form = match i {
            // The seed's two measures found and amended.
            3 | 40 => review_fields(&["a9_3"], "amended", &[("amendment", "删去“优先选择本地企业”的表述")]),
            // One exception, for energy saving, with its time limit.
            7 => {
                let until = fmt_date(today() + chrono::Duration::days(180));
                review_fields(
                    &["a10_2"],
                    "exception",
                    &[("ground", "3"), ("no_alternative", "节能改造补贴面向全部符合能效标准的经营者，无其他影响更小的方式"), ("until", until.as_str())],
                )
            }
            _ => review_fields(&[], "compliant", &[]),
        };
        service::step(state, drafter, c.id, None, "review", form.clone()).await.map_err(err)?;
        if by_government {
            service::step(state, &reviewer, c.id, None, "regulator_review", form).await.map_err(err)?;
        }
        if i == 5 {
            let f = StepForm {
                reason: None,
                fields: [("source", "spot_check"), ("finding", "ok"), ("notes", "抽查未发现违反条例规定的内容")]
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                days: None,
            };
            service::step(state, &reviewer, c.id, None, "check", f).await.map_err(err)?;
        }
    }
    Ok(())
}

/// One measure under review in the unit, for the permission matrix.
pub async fn sample(state: &AppState, org_id: i64) -> anyhow::Result<i64> {
    let c = service::create(
        state,
        &Who::System,
        NewMeasure {
            org_id: Some(org_id),
            title: Some(format!("权限测试政策措施（起草单位 {org_id}）")),
            summary: Some("权限测试".into()),
            by_government: false,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e} {:?}", e.field_errors()))?;
    Ok(c.id)
}
