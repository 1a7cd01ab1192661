//! The demo city's government services: the window account of the approval bureau, a catalogue
//! at the seed's scale (二(一)(二): 1,224 items can be done without visiting in person, 不见面可办率
//! 99.9 %; 121 public services fully online; 1,182 items reformed under 证照分离 in its four modes;
//! 30 powers moved to the approval bureau), and applications of the last weeks taken through the
//! procedure. Everything goes through the service, so every record has its events.

use std::collections::BTreeMap;

use super::service::{self, NewApplication, NewItem, StepForm, Who};
use crate::registry::DemoSize;
use crate::state::AppState;
use crate::time::{fmt_date, today};
use futures::FutureExt;

pub const WINDOW: &str = "spj_window";

/// The approval bureau's window account.
pub async fn seed_base(state: &AppState) -> anyhow::Result<()> {
    let hash = fazhi_platform::auth::password::hash(fazhi_platform::demo::DEMO_PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    let input = fazhi_platform::accounts::queries::UserInput {
        username: WINDOW.into(),
        display_name: "钱窗口".into(),
        org_code: "D-SPJ".into(),
        phone: None,
        active: true,
        roles: vec![(super::roles::WINDOW.code.into(), "D-SPJ".into())],
        password: Some(fazhi_platform::demo::DEMO_PASSWORD.into()),
    };
    state
        .db
        .write(move |tx| {
            async move { fazhi_platform::accounts::queries::create(tx, &crate::audit::Actor::system(), &input, hash, false).await.map(|_| ()) }.boxed()
        })
        .await
        .map_err(|e| anyhow::anyhow!("政务服务演示账号生成失败：{e}"))
}

/// The units whose items the demo lists, with names of their items.
const UNITS: &[(&str, &[&str])] = &[
    ("D-SPJ", &["建设工程规划许可", "食品经营许可", "药品零售企业许可", "公共场所卫生许可", "道路货物运输经营许可", "民办学校办学许可"]),
    ("D-ZJJ", &["建筑工程施工许可", "商品房预售许可", "建筑业企业资质核准", "燃气经营许可"]),
    ("D-SJG", &["特种设备使用登记", "食品生产许可", "工业产品生产许可"]),
    ("D-WJW", &["医疗机构执业登记", "放射诊疗许可", "母婴保健技术服务执业许可"]),
    ("D-RSJ", &["人力资源服务许可", "劳务派遣经营许可", "社会保险参保登记"]),
    ("D-MZJ", &["社会团体成立登记", "婚姻登记", "殡葬设施建设审批"]),
];
const PUBLIC_SERVICES: &[&str] = &["社保卡申领", "养老保险待遇查询", "公积金缴存证明", "不动产登记信息查询", "个人参保证明打印", "职业资格证书查询"];

fn form(pairs: &[(&str, &str)]) -> StepForm {
    StepForm { reason: None, fields: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<BTreeMap<_, _>>(), days: None }
}

/// The catalogue and a few weeks of applications. `Light` keeps the proportions on a twentieth.
pub async fn seed_year(state: &AppState, size: DemoSize) -> anyhow::Result<()> {
    let (items, public, reformed, transferred, applications) = match size {
        DemoSize::Light => (62, 6, 60, 3, 40),
        DemoSize::Full => (1225, 121, 1182, 30, 600),
    };
    let err = |e: crate::error::AppError| anyhow::anyhow!("{e} {:?}", e.field_errors());
    let who = Who::Import;
    let mut orgs = Vec::new();
    for (code, names) in UNITS {
        let org = crate::org::queries::by_code(&state.db, code).await?.ok_or_else(|| anyhow::anyhow!("no unit {code}"))?;
        orgs.push((org.id, *code, *names));
    }
    let mut open_items: Vec<(i64, String)> = Vec::new();
    for i in 0..items {
        let (org_id, code, names) = orgs[i % orgs.len()];
        let public_service = i < public;
        // The one item left to be handled at a counter is the last: 1,224 of 1,225 need no visit.
        let level = if public_service {
            "full_online"
        } else if i + 1 == items {
            "onsite"
        } else {
            "no_visit"
        };
        // Modes in the proportions of the central list (国发〔2021〕7号: 68 cancelled, 15 to
        // 备案, 37 告知承诺 of 523; the rest 优化审批服务).
        let mode = if public_service || i >= public + reformed {
            "none"
        } else {
            match (i - public) % 100 {
                0..=12 => "cancel",
                13..=15 => "filing",
                16..=22 => "commitment",
                _ => "optimise",
            }
        };
        let base = if public_service { PUBLIC_SERVICES[i % PUBLIC_SERVICES.len()] } else { names[i % names.len()] };
        let n = NewItem {
            org_id: Some(org_id),
            code: Some(format!("11321084-{}-{:05}", &code[2..], i + 1)),
            name: Some(format!("{base}（{}）", i / orgs.len() + 1)),
            kind: Some(if public_service { "public_service" } else { "licence" }.into()),
            basis: Some(
                if public_service {
                    "《国务院关于在线政务服务的若干规定》"
                } else {
                    "《中华人民共和国行政许可法》第十二条及相关法律法规"
                }
                .into(),
            ),
            statutory_days: Some(20),
            committed_days: Some(if mode == "optimise" { 5 } else { 10 }),
            online_level: Some(level.into()),
            reform_mode: Some(mode.into()),
            transferred: code == "D-SPJ" && (i / orgs.len()) < transferred,
        };
        let id = service::create_item(state, &who, n).await.map_err(err)?;
        if mode != "cancel" {
            open_items.push((id, mode.to_string()));
        }
    }
    let cal = state.calendar();
    let day = today();
    for k in 0..applications {
        let (item_id, mode) = &open_items[(k * 7) % open_items.len()];
        let received = day - chrono::Duration::days((k % 28) as i64);
        let online = k % 10 < 7 && open_items.len() > 1;
        let c = service::apply(
            state,
            &who,
            NewApplication {
                item_id: Some(*item_id),
                channel: Some(if online { "online" } else { "counter" }.into()),
                applicant: Some(format!("{}有限公司", ["高新", "湖畔", "运河", "东湖", "城南"][k % 5])),
                applicant_phone: None,
                received_on: Some(fmt_date(received)),
            },
        )
        .await;
        // An item handled only on site refuses online applications: skip those.
        let Ok(c) = c else { continue };
        let accept_on = cal.add_working_days(received, 1).min(day);
        if mode == "commitment" {
            service::step_on(state, &who, c.id, None, "commit", form(&[("commitment_signed", "yes")]), accept_on).await.map_err(err)?;
            continue;
        }
        if k % 9 == 0 {
            service::step_on(state, &who, c.id, None, "request_correction", form(&[("correction_items", "缺少法定代表人身份证明")]), accept_on)
                .await
                .map_err(err)?;
            continue;
        }
        service::step_on(state, &who, c.id, None, "accept", form(&[]), accept_on).await.map_err(err)?;
        // Within the committed limit (5 working days at the least): these are decided on time.
        let decide_on = cal.add_working_days(accept_on, 3 + (k % 3) as u32);
        if decide_on <= day && k % 5 != 0 {
            service::step_on(state, &who, c.id, None, "decide", form(&[("decision", "grant")]), decide_on).await.map_err(err)?;
        }
    }
    Ok(())
}
