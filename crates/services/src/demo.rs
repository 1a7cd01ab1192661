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

/// Three 一件事 of the national list's kind: (code, name, life event, promised working days,
/// shared fields, members as (unit, item, kind, the item's own form)). A field several members
/// need (the guardian, the company's name) is asked once.
type Member = (&'static str, &'static str, &'static str, &'static str);
type Bundle = (&'static str, &'static str, &'static str, u32, &'static str, &'static [Member]);
const BUNDLES: &[Bundle] = &[
    (
        "YJS-BIRTH",
        "新生儿出生",
        "birth",
        10,
        r#"[{"name":"baby_name","label":"新生儿姓名","required":true},{"name":"birth_date","label":"出生日期","required":true}]"#,
        &[
            (
                "D-WJW",
                "出生医学证明签发",
                "confirmation",
                r#"[{"name":"hospital","label":"出生医院","required":true},{"name":"guardian","label":"监护人姓名","required":true}]"#,
            ),
            ("D-GAJ", "出生户口登记", "confirmation", r#"[{"name":"guardian","label":"监护人姓名","required":true}]"#),
            ("D-YBJ", "城乡居民医保参保登记", "confirmation", r#"[{"name":"guardian","label":"监护人姓名","required":true}]"#),
            ("D-RSJ", "社会保障卡申领（新生儿）", "confirmation", r#"[{"name":"delivery","label":"领卡方式（邮寄或网点自取）","required":true}]"#),
        ],
    ),
    (
        "YJS-BUSINESS",
        "开办企业",
        "business",
        3,
        r#"[{"name":"company","label":"企业名称","required":true},{"name":"legal_rep","label":"法定代表人","required":true}]"#,
        &[
            ("D-SJG", "企业设立登记", "licence", r#"[{"name":"capital","label":"注册资本（万元）","required":true}]"#),
            ("D-GAJ", "公章刻制备案", "confirmation", r#"[{"name":"seals","label":"印章种类和数量","required":true}]"#),
            ("D-RSJ", "企业社会保险登记", "confirmation", r#"[{"name":"staff_count","label":"参保职工人数","required":true}]"#),
        ],
    ),
    (
        "YJS-PROPERTY",
        "不动产登记＋水电气过户",
        "property",
        5,
        r#"[{"name":"property_no","label":"不动产权证书号","required":true},{"name":"buyer","label":"买受人姓名","required":true}]"#,
        &[
            ("D-ZRJ", "不动产转移登记", "confirmation", r#"[{"name":"contract_no","label":"网签合同编号","required":true}]"#),
            ("D-SWJ", "用水过户", "confirmation", r#"[{"name":"water_no","label":"用水户号","required":true}]"#),
            ("D-ZWB", "用电过户（供电企业联办）", "confirmation", r#"[{"name":"power_no","label":"用电户号","required":true}]"#),
            ("D-ZJJ", "燃气过户", "confirmation", r#"[{"name":"gas_no","label":"燃气户号","required":true}]"#),
        ],
    ),
];

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
    // The bundles' member items take the places of generated 优化审批服务 items (not the approval
    // bureau's, whose transfers the seed counts), so the catalogue keeps the seed's proportions.
    let mut slots: std::collections::VecDeque<&Member> = BUNDLES.iter().flat_map(|b| b.5.iter()).collect();
    let mut members: BTreeMap<&str, i64> = BTreeMap::new();
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
        let slot = if mode == "optimise" && code != "D-SPJ" && i + 1 < items { slots.pop_front() } else { None };
        if let Some((unit, name, kind, _)) = slot {
            let org = crate::org::queries::by_code(&state.db, unit).await?.ok_or_else(|| anyhow::anyhow!("no unit {unit}"))?;
            let n = NewItem {
                org_id: Some(org.id),
                code: Some(format!("{}{:05}000-321084{}", if *kind == "licence" { "XK" } else { "QR" }, i + 1, &unit[2..])),
                name: Some(name.to_string()),
                kind: Some(kind.to_string()),
                basis: Some("《国务院关于进一步优化政务服务提升行政效能推动“高效办成一件事”的指导意见》（国发〔2024〕3号）及相关法律法规".into()),
                statutory_days: Some(20),
                committed_days: Some(5),
                online_level: Some(level.into()),
                reform_mode: Some(mode.into()),
                transferred: false,
            };
            let id = service::create_item(state, &who, n).await.map_err(err)?;
            members.insert(*name, id);
            open_items.push((id, mode.to_string()));
            continue;
        }
        let n = NewItem {
            org_id: Some(org_id),
            // The national structure (catalogue.rs): type code, main item, sub-item 000, then the
            // implementing area (如皋 321084) and unit.
            code: Some(format!("{}{:05}000-321084{}", if public_service { "GG" } else { "XK" }, i + 1, &code[2..])),
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
    seed_guides(state).await?;
    seed_bundles(state, &members).await?;
    let cal = state.calendar();
    let day = today();
    let mut decided = Vec::new();
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
                applicant_phone: Some(format!("1390000{:04}", k % 50)),
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
            decided.push((c.id, k, decide_on));
        }
    }
    seed_ratings(state, &decided).await
}

/// Each unit's items: the life event they belong to, materials, where to go and the online
/// form (one UPDATE per unit).
async fn seed_guides(state: &AppState) -> anyhow::Result<()> {
    const FIRM: &str = r#"[{"name":"credit_code","label":"统一社会信用代码","required":true},{"name":"legal_rep","label":"法定代表人","required":true}]"#;
    const PERSON: &str = r#"[{"name":"purpose","label":"申请事由","required":true}]"#;
    let guides: &[(&str, &str, &str, &str, &str)] = &[
        ("D-SPJ", "business", "营业执照\n法定代表人身份证明\n经营场所使用证明", "市政务服务中心二楼综合受理窗口", FIRM),
        ("D-ZJJ", "construction", "建设工程规划许可证\n施工合同\n施工图审查合格书", "市政务服务中心三楼工程建设窗口", FIRM),
        ("D-SJG", "business", "营业执照\n生产场所平面图\n质量管理制度", "市政务服务中心二楼市场监管窗口", FIRM),
        ("D-WJW", "health", "申请书\n执业人员资格证明", "市政务服务中心三楼卫生健康窗口", FIRM),
        ("D-RSJ", "employment", "申请书\n身份证明", "市政务服务中心一楼人社窗口", PERSON),
        ("D-MZJ", "civil", "申请书\n身份证明", "市政务服务中心一楼民政窗口", PERSON),
    ];
    for (code, event, materials, place, form) in guides {
        let (code, event, materials, place, form) = (code.to_string(), event.to_string(), materials.to_string(), place.to_string(), form.to_string());
        state
            .db
            .write(move |tx| {
                async move {
                    crate::db::q("UPDATE svc_items SET life_event = CASE WHEN kind = 'public_service' THEN 'employment' ELSE $1 END, materials = $2, place = $3, form = $4 WHERE org_id = (SELECT id FROM orgs WHERE code = $5)")
                        .bind(event)
                        .bind(materials)
                        .bind(place)
                        .bind(form)
                        .bind(code)
                        .execute(tx)
                        .await
                        .map(|_| ())
                }
                .boxed()
            })
            .await
            .map_err(|e| anyhow::anyhow!("政务服务办事指南生成失败：{e}"))?;
    }
    Ok(())
}

/// The three bundles, and their members' own forms and materials.
async fn seed_bundles(state: &AppState, members: &BTreeMap<&str, i64>) -> anyhow::Result<()> {
    let err = |e: crate::error::AppError| anyhow::anyhow!("{e} {:?}", e.field_errors());
    for (code, name, event, days, shared, list) in BUNDLES {
        let mut ids = Vec::new();
        for (_, item, _, form) in list.iter() {
            let Some(id) = members.get(item).copied() else { continue };
            let (form, event) = (form.to_string(), event.to_string());
            state
                .db
                .write(move |tx| {
                    async move {
                        crate::db::q("UPDATE svc_items SET life_event = $1, materials = '申请人身份证明', form = $2, place = '市政务服务中心一楼“一件事”综合窗口' WHERE id = $3")
                            .bind(event)
                            .bind(form)
                            .bind(id)
                            .execute(tx)
                            .await
                            .map(|_| ())
                    }
                    .boxed()
                })
                .await
                .map_err(err)?;
            ids.push(id);
        }
        // A light demo may not have room for every member: a bundle needs two.
        if ids.len() >= 2 {
            crate::bundle::create(state, code, name, event, &ids, (*days).min(5 * ids.len() as u32), shared).await.map_err(err)?;
        }
    }
    Ok(())
}

/// 好差评 on a quarter of the decided applications: mostly good, a few bad ones followed up.
async fn seed_ratings(state: &AppState, decided: &[(i64, usize, chrono::NaiveDate)]) -> anyhow::Result<()> {
    let err = |e: crate::error::AppError| anyhow::anyhow!("{e} {:?}", e.field_errors());
    for (id, k, on) in decided.iter().filter(|(_, k, _)| k % 4 == 1) {
        let phone = crate::privacy::Phone::parse(&format!("1390000{:04}", k % 50)).map_err(|m| anyhow::anyhow!(m))?;
        let citizen = crate::auth::Citizen { phone };
        let score = [5, 5, 4, 5, 3, 4, 5, 2, 5, 4][k % 10];
        let comment = (score <= 2).then(|| "窗口告知的材料与网上办事指南不一致，多跑了一次".to_string());
        crate::online::rate_on(state, &citizen, *id, Some(score), comment, *on).await.map_err(err)?;
    }
    Ok(())
}
