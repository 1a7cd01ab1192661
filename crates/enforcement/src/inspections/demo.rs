//! The demo city's 双随机: 市监局's item list, an entity directory across the towns (risk
//! classes in proportions a credit classification gives: most A and B, few D), declared
//! conflicts, this year's plan, and tasks at each stage — one drawn with its results entered,
//! published and followed up, one joint task with its parameters published awaiting the draw.
//! Everything goes through the service, so that every record has its events.

use futures::FutureExt;

use super::drawing;
use super::results::{self, FollowIn, ResultIn};
use super::service::{self, EntityIn, NewItem, NewTask};
use super::uscc;
use crate::db::q;
use crate::registry::DemoSize;
use crate::service::Who;
use crate::state::AppState;
use crate::time::{fmt_date, now_ms, today};

const ITEMS: &[(&str, &str, &str, &str, &str)] = &[
    ("SJ-01", "企业公示信息情况检查", "《企业信息公示暂行条例》第十四条", "enterprise", "5"),
    ("SJ-02", "食品经营者经营条件及食品安全管理检查", "《中华人民共和国食品安全法》第一百一十条", "all", "5"),
    ("SJ-03", "价格行为检查", "《中华人民共和国价格法》第三十三条、第三十四条", "all", "3"),
    ("SJ-04", "计量器具使用情况检查", "《中华人民共和国计量法》第二十四条", "all", "3"),
];
const WORDS: &[&str] = &["鑫源", "恒达", "华盛", "永兴", "瑞丰", "德润", "金桥", "嘉禾", "兴隆", "宏远", "福满", "康源"];
const TRADES: &[(&str, &str)] = &[
    ("商贸有限公司", "enterprise"),
    ("餐饮店", "individual"),
    ("食品有限公司", "enterprise"),
    ("农产品专业合作社", "cooperative"),
    ("超市", "individual"),
    ("建材有限公司", "enterprise"),
];

fn e(r: Result<impl Sized, crate::error::AppError>, what: &str) -> anyhow::Result<()> {
    r.map(|_| ()).map_err(|e| anyhow::anyhow!("双随机演示数据生成失败（{what}）：{e} {:?}", e.field_errors()))
}

pub async fn seed(state: &AppState, size: DemoSize) -> anyhow::Result<()> {
    let n = match size {
        DemoSize::Light => 300,
        DemoSize::Full => 3000,
    };
    let sys = Who::System;
    let sjg = q("SELECT id FROM orgs WHERE code = 'D-SJG'").fetch_i64(&state.db).await?;
    let cgj = q("SELECT id FROM orgs WHERE code = 'D-CGJ'").fetch_i64(&state.db).await?;
    let mut items = Vec::new();
    for (code, name, basis, kind, ratio) in ITEMS {
        let id = service::create_item(
            state,
            &sys,
            NewItem {
                org_id: Some(sjg),
                code: Some((*code).into()),
                name: Some((*name).into()),
                basis: Some((*basis).into()),
                field: Some("market".into()),
                kind: Some("general".into()),
                ratio: Some((*ratio).into()),
                per_year: Some("1".into()),
                entity_type: Some((*kind).into()),
            },
        )
        .await;
        items.push(id.map_err(|e| anyhow::anyhow!("抽查事项生成失败：{e}"))?);
    }
    let towns: Vec<(i64, String)> = q("SELECT id, short_name FROM orgs WHERE kind = 'town' ORDER BY sort, id").fetch_all(&state.db).await?;
    let rows: Vec<EntityIn> = (0..n)
        .map(|i| {
            let (town, tname) = &towns[i % towns.len()];
            let (trade, kind) = TRADES[(i / towns.len()) % TRADES.len()];
            // A 60%, B 25%, C 10%, D 5%.
            let risk = match i % 20 {
                0 => "D",
                1 | 2 => "C",
                3..=7 => "B",
                _ => "A",
            };
            EntityIn {
                uscc: uscc::complete(&format!(
                    "{}321081{:09}",
                    if kind == "individual" {
                        "92"
                    } else if kind == "cooperative" {
                        "93"
                    } else {
                        "91"
                    },
                    i + 1
                )),
                name: format!("示范市{}{}{}", tname, WORDS[i % WORDS.len()], trade),
                entity_type: kind.into(),
                town_id: Some(*town),
                risk: risk.into(),
            }
        })
        .collect();
    let now = now_ms();
    state
        .db
        .write_alone(move |tx| async move { service::upsert_entities(tx, sjg, &rows, now).await }.boxed())
        .await
        .map_err(|e| anyhow::anyhow!("检查对象名录生成失败：{e}"))?;
    // A declared conflict: the first market officer of 市监局 with the first entity.
    let cert: Option<(String,)> = q("SELECT cert_no FROM enf_officers WHERE org_id = $1 AND field = 'market' AND auxiliary = FALSE ORDER BY id")
        .bind(sjg)
        .fetch_optional(&state.db)
        .await?;
    let first: i64 = q("SELECT id FROM enf_entities WHERE org_id = $1 ORDER BY id").bind(sjg).fetch_i64(&state.db).await?;
    if let Some((c,)) = cert {
        e(service::declare_conflict(state, &sys, first, &c, Some("该执法人员的配偶在该企业任职")).await, "回避")?;
    }
    let year = chrono::Datelike::year(&today());
    let plan =
        service::create_plan(state, &sys, Some(sjg), Some(year.to_string().as_str()), Some(format!("{year}年度市场监管领域双随机抽查工作计划").as_str()))
            .await
            .map_err(|e| anyhow::anyhow!("抽查计划生成失败：{e}"))?;
    let ends = fmt_date(today() + chrono::Duration::days(30));
    let task = |item: i64, title: &str, joint: Vec<i64>, source: Option<&str>| NewTask {
        plan_id: Some(plan),
        item_id: Some(item),
        title: Some(title.into()),
        ends_on: Some(ends.clone()),
        public_source: source.map(str::to_string),
        joint,
        ..Default::default()
    };
    // The first task: drawn, results entered and published, findings followed up.
    let t1 = service::create_task(state, &sys, task(items[0], &format!("{year}年企业公示信息抽查"), vec![], Some("抽取当日中国福利彩票3D开奖号码")))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    e(drawing::commit(state, &sys, t1).await, "公布抽取参数")?;
    e(drawing::run_draw(state, &sys, t1, Some("3D 第2026318期 581")).await, "抽取")?;
    let targets = results::targets(&state.db, t1).await?;
    let day = fmt_date(today());
    for (k, g) in targets.iter().enumerate() {
        // A fifth still being inspected; of the rest, one in six with findings.
        if k % 5 == 4 {
            continue;
        }
        let issues = k % 6 == 1;
        let input = ResultIn {
            version: Some(g.version),
            result: Some(
                if issues {
                    "issues"
                } else if k % 17 == 3 {
                    "absent"
                } else {
                    "ok"
                }
                .into(),
            ),
            findings: issues.then(|| "年度报告公示的从业人数、资产状况与实际不符".to_string()),
            inspected_on: Some(day.clone()),
            inspectors: Some(g.inspectors.replace(';', ",")),
        };
        e(results::enter_result(state, &sys, g.id, input).await, "录入检查结果")?;
        if issues {
            let f = FollowIn {
                kind: Some("abnormal".into()),
                note: Some("责令限期改正；逾期未改正的，依《企业信息公示暂行条例》第十七条列入经营异常名录".into()),
                ..Default::default()
            };
            e(results::follow_up(state, &sys, g.id, f).await, "后续处置")?;
        }
    }
    e(results::publish(state, &sys, t1).await, "公示检查结果")?;
    // A joint task with 城管局 (its officers join the pool only if certified in the field).
    let t2 =
        service::create_task(state, &sys, task(items[1], &format!("{year}年食品经营联合抽查"), vec![cgj], None)).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    e(drawing::commit(state, &sys, t2).await, "公布联合抽查参数")?;
    // A draft: the price inspection, not yet published.
    service::create_task(state, &sys, task(items[2], &format!("{year}年价格行为抽查"), vec![], None)).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}
