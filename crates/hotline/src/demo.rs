//! A year of 12345 hotline activity for the demo city: about sixty thousand closed tickets
//! imported as history (the same path as a legacy import, so they count in every indicator
//! like live ones), then a few hundred live tickets taken through the real steps, some of them
//! late, so that the 工作台 and the dashboards look like a real office on a real day.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use futures::FutureExt;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::audit::Actor;
use crate::auth::extract::load_staff;
use crate::catalogue::{self, CategoryInput, RouteInput};
use crate::db::q;
use crate::import::{self, LegacyTicket, Outcome};
use crate::model::Attribute;
use crate::model::Channel;
use crate::org::queries as orgs;
use crate::registry::DemoSize;
use crate::service::{self, IntakeInput, StepForm, Who};
use crate::state::AppState;
use crate::time::{start_of_day_ms, today};
use fazhi_platform::demo::{CENTRE, TOWNS};

/// Category code, weight (per mille), complaint templates, reply templates.
type CatSpec = (&'static str, u32, &'static [&'static str], &'static [&'static str]);

const CATS: &[CatSpec] = &[
    (
        "CG-ZDJY",
        70,
        &[
            "{v}{road}路口每天早上有流动摊贩占道经营，堵塞人行道，希望尽快处理。",
            "{v}菜场门口商户把货物摆到马路上，车辆无法通行。",
            "{road}夜市摊点占用消防通道，存在安全隐患。",
        ],
        &["经现场核查，已对{road}占道摊点进行劝离，并安排队员早晚巡查，防止反弹。", "已责令商户将货物收回店内经营，并告知相关规定。"],
    ),
    (
        "CG-WZDJ",
        45,
        &["{v}有住户在楼顶违规加盖彩钢房，影响邻居采光。", "{road}沿街商铺私自搭建雨棚，占用公共空间。"],
        &["经核实属违法建设，已下达限期拆除通知书，当事人已于期限内自行拆除。", "已立案调查，责令当事人停止建设并限期改正。"],
    ),
    (
        "CG-SRHJ",
        80,
        &["{v}垃圾桶已满好几天无人清运，气味很大。", "{road}路面有大量建筑垃圾，无人清扫。", "{v}公厕损坏，长期无人维修。"],
        &["已安排环卫作业单位当日清运，并增加清运频次。", "已协调环卫部门清扫路面，并查找倾倒者依法处理。"],
    ),
    (
        "CG-LDZM",
        40,
        &["{road}一段路灯连续多天不亮，夜间出行不安全。", "{v}村口路灯白天也一直亮着，浪费电。"],
        &["经检修，已更换损坏的灯具和线路，路灯已恢复正常。", "已调整路灯控制时间。"],
    ),
    (
        "ZF-WYGL",
        95,
        &["{v}小区物业不作为，电梯经常坏，报修没人管。", "小区物业擅自提高停车费，没有公示。", "{v}小区地下车库积水，物业不处理。"],
        &["已约谈物业服务企业，电梯已完成维修，并督促其建立维保台账。", "经调查，物业收费调整未履行公示程序，已责令其暂停执行并整改。"],
    ),
    (
        "ZF-FWZL",
        25,
        &["新买的房子卫生间渗水到楼下，开发商推诿。", "{v}新建小区外墙开裂，担心质量问题。"],
        &["已联系建设单位和施工单位现场查看，施工单位已安排维修。", "已委托质量检测机构检测，结论为非结构性裂缝，已督促维修。"],
    ),
    (
        "ZF-CQAZ",
        20,
        &["{v}征收安置房迟迟没有交付，超过了协议期限。", "对征收补偿标准有疑问，希望解释。"],
        &["经核实，安置房已进入竣工验收阶段，预计下月交付，已向来电人解释。", "已向来电人解释补偿标准和依据。"],
    ),
    (
        "JT-DLSS",
        40,
        &["{road}路面坑洼很多，电动车经过容易摔倒。", "{v}桥梁护栏损坏，有安全隐患。"],
        &["已安排养护单位修补路面坑槽。", "已设置警示标志，护栏已修复。"],
    ),
    (
        "JT-GJCZ",
        25,
        &["{v}到城区的公交车班次太少，等车时间长。", "出租车司机拒载、不打表。"],
        &["已协调公交公司高峰期加密班次。", "经调查核实，已对涉事驾驶员依法处理。"],
    ),
    (
        "JT-WT",
        45,
        &["{road}有车辆长期乱停，堵住小区出口。", "{v}学校门口接送车辆乱停乱放。"],
        &["交警已到场处置，对违停车辆依法处罚。", "已在上下学时段安排警力疏导。"],
    ),
    (
        "HJ-DQ",
        25,
        &["{v}附近工厂晚上排放刺鼻气体。", "{v}有人露天焚烧秸秆和垃圾。"],
        &["执法人员已现场检查，企业废气处理设施未正常运行，已立案查处。", "已制止焚烧行为并对当事人进行教育。"],
    ),
    ("HJ-SZ", 20, &["{v}河道有黑臭水体，鱼大量死亡。", "有企业向河里偷排污水。"], &["已采样监测并溯源排查，责令相关单位整改。", "已立案调查，依法处罚。"]),
    (
        "HJ-ZS",
        55,
        &["{v}附近工地夜间施工，噪声扰民，影响休息。", "楼下广场舞音响声音太大。", "{road}一家KTV噪声很大。"],
        &["已责令施工单位停止夜间施工，确需连续施工的须依法办理手续。", "已协调社区与广场舞团队沟通，调低音量并控制时间。"],
    ),
    (
        "SC-XFTS",
        80,
        &["在{v}一家店买的手机有质量问题，商家拒绝退换。", "预付卡商家关门跑路，余额无法退回。", "网购商品与描述不符，商家不处理。"],
        &["经调解，商家同意为消费者办理退货。", "已立案调查，并引导消费者依法维权。"],
    ),
    (
        "SC-SPAQ",
        35,
        &["在{v}一家餐馆吃饭后腹泻，怀疑食品不卫生。", "超市出售过期食品。"],
        &["执法人员已对该餐馆进行检查，责令其整改卫生问题。", "已对超市过期食品进行查扣，并立案调查。"],
    ),
    ("SC-JG", 20, &["停车场收费没有明码标价。", "{v}菜场商户短斤缺两。"], &["已责令经营者明码标价。", "已对涉事商户进行查处，并对公平秤进行校验。"]),
    (
        "LD-QX",
        40,
        &["在{v}工地干活，老板拖欠工资三个月。", "公司拖欠我和几个同事的工资。"],
        &["经协调，用人单位已足额支付拖欠工资。", "已立案调查并责令用人单位限期支付。"],
    ),
    ("LD-SB", 30, &["单位没有给我缴纳社保。", "养老保险转移接续怎么办理？"], &["已责令用人单位补缴社保。", "已向来电人解释办理流程和所需材料。"]),
    ("YB-YB", 25, &["异地就医报销比例有疑问。", "医保卡丢失如何补办。"], &["已向来电人解释报销政策。", "已告知补办渠道。"]),
    ("JY-JY", 35, &["孩子入学划片有疑问。", "有校外培训机构违规收费。"], &["已向来电人解释招生划片政策。", "已对该机构进行检查并责令退费整改。"]),
    ("WS-YL", 30, &["医院挂号难，排队时间长。", "诊所医生态度差。"], &["已督促医院优化预约挂号流程。", "已约谈相关人员并进行批评教育。"]),
    (
        "SW-GS",
        50,
        &["{v}停水没有提前通知。", "自来水发黄有异味。", "{road}水管破裂漏水。"],
        &["已恢复供水，并要求供水企业今后提前公告停水信息。", "已对管网进行冲洗，水质检测合格。"],
    ),
    ("NY-NC", 20, &["种粮补贴没有发放到位。", "{v}农田灌溉渠道堵塞。"], &["已核实，补贴已发放到账。", "已组织清淤疏通。"]),
    ("MZ-JZ", 25, &["家庭困难，想申请低保。", "{v}养老院服务不好。"], &["已向来电人解释申请条件和流程，并由所在镇受理。", "已对养老机构进行检查并督促整改。"]),
    ("ZW-BS", 25, &["到政务服务大厅办证来回跑了好几次。", "网上办事系统打不开。"], &["已向来电人致歉，并安排专人帮办代办。", "系统已恢复正常。"]),
    ("ZC-ZX", 30, &["想咨询企业开办的流程。", "咨询人才引进政策。"], &["已向来电人详细解答。", "已告知政策文件和咨询电话。"]),
    ("QT", 10, &["反映其他问题。"], &["已转有关部门处理并答复来电人。"]),
];

const ROADS: &[&str] = &["人民", "建设", "文化", "解放", "湖滨", "东风", "新华", "团结", "府前", "望湖", "运河", "光明"];
const SURNAMES: &[&str] = &["张", "王", "李", "赵", "陈", "刘", "杨", "黄", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭"];

fn pick<'a, T>(rng: &mut StdRng, v: &'a [T]) -> &'a T {
    &v[rng.gen_range(0..v.len())]
}

fn fill(rng: &mut StdRng, template: &str, village: &str) -> String {
    template.replace("{v}", village).replace("{road}", &format!("{}路", pick(rng, ROADS)))
}

fn phone(rng: &mut StdRng) -> String {
    let prefix =
        *pick(rng, &["139", "138", "137", "136", "135", "158", "159", "150", "151", "152", "187", "188", "180", "181", "189", "133", "153", "177", "199"]);
    format!("{prefix}{:08}", rng.gen_range(0..100_000_000u32))
}

/// Weekday volume pattern, with the Spring Festival lull.
fn day_weight(d: NaiveDate, state: &AppState) -> f64 {
    let cal = state.calendar();
    let base = match d.weekday() {
        Weekday::Sat | Weekday::Sun => 0.65,
        Weekday::Mon => 1.2,
        _ => 1.0,
    };
    let holiday = if cal.is_working_day(d) { 1.0 } else { 0.75 };
    let summer = if (6..=8).contains(&d.month()) { 1.15 } else { 1.0 };
    base * holiday * summer
}

/// Generate and import the year; then the live tickets.
pub async fn seed_year(state: &AppState, size: DemoSize) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(20201231);
    let end = today() - Duration::days(6);
    let start = end - Duration::days(365);
    let towns: Vec<(i64, String)> =
        q("SELECT id, code FROM orgs WHERE kind IN ('town', 'park') ORDER BY sort").fetch_all(&state.db).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let villages: Vec<(i64, String, String)> =
        q("SELECT id, path, name FROM orgs WHERE kind IN ('village', 'community')").fetch_all(&state.db).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let town_paths: Vec<(i64, String)> =
        q("SELECT id, path FROM orgs WHERE kind IN ('town', 'park') ORDER BY sort").fetch_all(&state.db).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let cats: Vec<(String, i64, i64, Option<i64>)> =
        q("SELECT code, id, handle_days, default_org_id FROM hotline_categories").fetch_all(&state.db).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let routes = crate::queries::routes(&state.db).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let total_weight: u32 = CATS.iter().map(|c| c.1).sum();
    let per_day = if size == DemoSize::Full { 180.0 } else { 8.0 };
    let mut tickets = Vec::with_capacity(62_000);
    let mut d = start;
    while d <= end {
        let n = (per_day * day_weight(d, state) * rng.gen_range(0.85..1.15)).round() as usize;
        for _ in 0..n {
            let mut w = rng.gen_range(0..total_weight);
            let spec = CATS.iter().find(|c| {
                if w < c.1 {
                    true
                } else {
                    w -= c.1;
                    false
                }
            });
            let spec = spec.unwrap_or(&CATS[0]);
            let Some((_, cat_id, days, default_org)) = cats.iter().find(|c| c.0 == spec.0).cloned() else { continue };
            let (town_id, town_path) = town_paths[rng.gen_range(0..town_paths.len())].clone();
            let in_town: Vec<&(i64, String, String)> = villages.iter().filter(|v| v.1.starts_with(&town_path)).collect();
            let village = in_town[rng.gen_range(0..in_town.len())];
            let tpl = *pick(&mut rng, spec.2);
            let description = fill(&mut rng, tpl, &village.2);
            let received = start_of_day_ms(d) + rng.gen_range(7 * 3600..22 * 3600) * 1000;
            let input = crate::model::RoutingInput { category_id: Some(cat_id), town_id: Some(town_id), village_id: Some(village.0), text: &description };
            let org = crate::model::route(&routes, &input, default_org).0.or(default_org).or_else(|| Some(towns[0].0));
            let roll: f64 = rng.gen_range(0.0..1.0);
            let outcome = if roll < 0.035 {
                Outcome::Answered
            } else if roll < 0.05 {
                Outcome::NotAccepted
            } else if roll < 0.054 {
                Outcome::Terminated
            } else {
                Outcome::Closed
            };
            let dispatched = received + rng.gen_range(10..240) * 60_000;
            let work_days = rng.gen_range(1..=days.max(1) + 1);
            let late = rng.gen_bool(0.03);
            let cal = state.calendar();
            let due = cal.add_working_days(crate::time::local_date(dispatched), days.max(1) as u32);
            let reply_day = if late {
                due + Duration::days(rng.gen_range(1..4))
            } else {
                cal.add_working_days(crate::time::local_date(dispatched), (work_days as u32).min(days as u32))
            };
            let replied = start_of_day_ms(reply_day) + rng.gen_range(9 * 3600..17 * 3600) * 1000;
            let replied = replied.max(dispatched + 3_600_000);
            let closed = replied + rng.gen_range(1..48) * 3_600_000;
            let evaluated = outcome == Outcome::Closed && rng.gen_bool(0.97);
            let ev_roll: f64 = rng.gen_range(0.0..1.0);
            let evaluation = evaluated.then(|| {
                if ev_roll < 0.001 {
                    "dissatisfied"
                } else if ev_roll < 0.1 {
                    "basically"
                } else {
                    "satisfied"
                }
                .to_string()
            });
            let reopens = i64::from(evaluation.as_deref() == Some("dissatisfied") || rng.gen_bool(0.002));
            let reply = match outcome {
                Outcome::Closed | Outcome::Terminated => {
                    let tpl = *pick(&mut rng, spec.3);
                    Some(fill(&mut rng, tpl, &village.2))
                }
                Outcome::Answered => Some("已依据知识库当场答复来电人。".into()),
                Outcome::NotAccepted => Some("该事项属于司法程序，已告知来电人依法向人民法院提起诉讼。".into()),
            };
            // About one in thirteen is a letter to the 市长信箱 (the seed: 4,818 letters beside
            // 60,557 hotline matters); letters are never answered on the spot.
            let roll: f64 = rng.r#gen();
            let channel = if roll < 0.08 && matches!(outcome, Outcome::Closed | Outcome::Terminated) {
                Channel::Mailbox
            } else if roll < 0.78 {
                Channel::Phone
            } else {
                Channel::Web
            };
            tickets.push(LegacyTicket {
                row: 0,
                case_no: None,
                received_at: received,
                channel,
                caller_name: Some(format!("{}{}", pick(&mut rng, SURNAMES), if rng.gen_bool(0.5) { "先生" } else { "女士" })),
                caller_phone: Some(phone(&mut rng)),
                category_id: cat_id,
                handle_days: days,
                town_id: Some(town_id),
                village_id: Some(village.0),
                address: None,
                subject: None,
                description,
                wants_reply: rng.gen_bool(0.93),
                outcome,
                org_id: if matches!(outcome, Outcome::Closed | Outcome::Terminated) { org } else { None },
                dispatched_at: matches!(outcome, Outcome::Closed | Outcome::Terminated).then_some(dispatched),
                replied_at: (outcome == Outcome::Closed).then_some(replied),
                reply,
                on_time: (outcome == Outcome::Closed).then_some(!late),
                closed_at: if matches!(outcome, Outcome::Closed | Outcome::Terminated) { closed } else { received + 600_000 },
                evaluation,
                comment: None,
                returns: i64::from(rng.gen_bool(0.025)),
                extensions: i64::from(rng.gen_bool(0.02)),
                reopens,
                supervised: late && rng.gen_bool(0.5),
            });
        }
        d += Duration::days(1);
    }
    tickets.sort_by_key(|t| t.received_at);
    let n = tickets.len();
    import::write(state, Actor { kind: crate::audit::ActorKind::System, id: None, name: "历史数据导入（演示）".into() }, tickets)
        .await
        .map_err(|e| anyhow::anyhow!("演示工单导入失败：{e}"))?;
    tracing::info!("已生成 {n} 张历史工单");
    let (mailbox, mailbox_days): (i64, i64) =
        q("SELECT id, handle_days FROM hotline_categories WHERE code = 'XX-SZXX'").fetch_one(&state.db).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    crate::demo_letters::seed(state, &mut rng, mailbox, mailbox_days).await?;
    live(state, &mut rng, if size == DemoSize::Full { 260 } else { 40 }).await?;
    knowledge_base(state).await?;
    Ok(())
}

/// A citizen's call at `received`: a random category, town, village, caller and text. Also
/// the category's templates and the village's name, for the reply.
fn phone_call(
    rng: &mut StdRng,
    cats: &[(String, i64)],
    towns: &[(i64, String)],
    villages: &[(i64, String, String)],
    received: i64,
) -> (IntakeInput, &'static CatSpec, String) {
    let (code, cat_id) = cats[rng.gen_range(0..cats.len())].clone();
    let spec = CATS.iter().find(|c| c.0 == code).unwrap_or(&CATS[0]);
    let (town_id, town_path) = towns[rng.gen_range(0..towns.len())].clone();
    let vs: Vec<&(i64, String, String)> = villages.iter().filter(|v| v.1.starts_with(&town_path)).collect();
    let v = vs[rng.gen_range(0..vs.len())];
    let caller_name = format!("{}{}", pick(rng, SURNAMES), if rng.gen_bool(0.5) { "先生" } else { "女士" });
    let caller_phone = phone(rng);
    let tpl = *pick(rng, spec.2);
    let input = IntakeInput {
        channel: Some(Channel::Phone),
        caller_name: Some(caller_name),
        caller_phone: Some(caller_phone),
        category_id: Some(cat_id),
        town_id: Some(town_id),
        village_id: Some(v.0),
        description: Some(fill(rng, tpl, &v.2)),
        attributes: if code == "JT-WT" { vec![("plate".into(), format!("苏K{:05}", rng.gen_range(0..99999)))] } else { vec![] },
        wants_reply: true,
        received_at: Some(received),
        phone_required: true,
        ..Default::default()
    };
    (input, spec, v.2.clone())
}

/// A few hundred tickets taken through the real steps over the last days: open work in every
/// state, some overdue.
async fn live(state: &AppState, rng: &mut StdRng, count: usize) -> anyhow::Result<()> {
    let err = |e: crate::error::AppError| anyhow::anyhow!("{e} {:?}", e.field_errors());
    let user = |name: &'static str| async move {
        let id = q("SELECT id FROM users WHERE username = $1").bind(name).fetch_i64(&state.db).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        load_staff(state, id).await.map_err(|e| anyhow::anyhow!("{e}"))?.ok_or_else(|| anyhow::anyhow!("no {name}"))
    };
    let agent = user("agent").await?;
    let dispatcher = user("dispatcher").await?;
    let cats: Vec<(String, i64)> =
        q("SELECT code, id FROM hotline_categories WHERE code <> 'XX-SZXX'").fetch_all(&state.db).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let towns: Vec<(i64, String)> =
        q("SELECT id, path FROM orgs WHERE kind IN ('town', 'park')").fetch_all(&state.db).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let villages: Vec<(i64, String, String)> =
        q("SELECT id, path, name FROM orgs WHERE kind IN ('village', 'community')").fetch_all(&state.db).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let now = crate::time::now_ms();
    for i in 0..count {
        // Spread over the last twelve days.
        let age_days = rng.gen_range(0..12i64);
        let received = now - age_days * 86_400_000 - rng.gen_range(0..6 * 3_600_000i64);
        let (mut input, spec, village) = phone_call(rng, &cats, &towns, &villages, received);
        input.urgent = rng.gen_bool(0.05);
        let case = service::intake(state, agent.actor(), input).await.map_err(err)?.case;
        // How far it has gone: the older, the further.
        let stage = if age_days >= 6 {
            // Most older tickets are answered; a few are stuck — those become overdue.
            if rng.gen_bool(0.12) { rng.gen_range(2..4) } else { rng.gen_range(4..6) }
        } else if age_days >= 3 {
            rng.gen_range(1..5)
        } else {
            rng.gen_range(0..3)
        };
        let at = |h: i64| Some(received + h * 3_600_000);
        if stage == 0 {
            continue;
        }
        service::step_at(state, Who::Staff(&agent), case.id, None, "accept", StepForm::default(), at(1)).await.map_err(err)?;
        if stage == 1 || (i % 17 == 0) {
            continue;
        }
        let t = crate::queries::ticket(&state.db, case.id).await.map_err(err)?.ok_or_else(|| anyhow::anyhow!("ticket"))?;
        let org = service::suggest(state, &t).await.map_err(err)?.0.unwrap_or(towns[0].0);
        let mut f = StepForm::default();
        f.fields.insert("org".into(), org.to_string());
        service::step_at(state, Who::Staff(&dispatcher), case.id, None, "dispatch", f, at(2)).await.map_err(err)?;
        if stage == 2 {
            continue;
        }
        // The handling unit's staff: any dept staff/head account of that unit, else the dispatcher
        // acts through a unit account we create on the fly is not wanted — use the system's unit
        // users where the demo has them.
        let unit_user: Option<(String,)> = q("SELECT u.username FROM users u JOIN user_roles r ON r.user_id = u.id WHERE u.org_id = $1 AND r.role IN ('dept_staff', 'dept_head') ORDER BY u.id LIMIT 1").bind(org).fetch_optional(&state.db).await.map_err(err)?;
        let Some((uname,)) = unit_user else { continue };
        let staff_id = q("SELECT id FROM users WHERE username = $1").bind(uname).fetch_i64(&state.db).await.map_err(err)?;
        let staff = load_staff(state, staff_id).await.map_err(err)?.ok_or_else(|| anyhow::anyhow!("staff"))?;
        service::step_at(state, Who::Staff(&staff), case.id, None, "sign", StepForm::default(), at(5)).await.map_err(err)?;
        if stage == 3 {
            continue;
        }
        let mut f = StepForm::default();
        let tpl = *pick(rng, spec.3);
        f.fields.insert("reply".into(), fill(rng, tpl, &village));
        service::step_at(state, Who::Staff(&staff), case.id, None, "reply", f, at(30)).await.map_err(err)?;
        if stage == 4 {
            continue;
        }
        service::step_at(state, Who::Staff(&dispatcher), case.id, None, "review_pass", StepForm::default(), at(34)).await.map_err(err)?;
    }
    // Every unit with a demo account has a ticket waiting to be signed, whatever the date (the
    // random history above shifts with the calendar, so on some days a unit would have none).
    let units: Vec<(i64,)> = q("SELECT DISTINCT u.org_id FROM users u JOIN user_roles r ON r.user_id = u.id WHERE r.role IN ('dept_staff', 'dept_head') \
         AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.procedure = 'hotline' AND c.state = 'dispatched' AND c.org_id = u.org_id) ORDER BY u.org_id")
    .fetch_all(&state.db)
    .await
    .map_err(err)?;
    for (org,) in units {
        let received = now - 3 * 3_600_000;
        let (input, _, _) = phone_call(rng, &cats, &towns, &villages, received);
        let case = service::intake(state, agent.actor(), input).await.map_err(err)?.case;
        service::step_at(state, Who::Staff(&agent), case.id, None, "accept", StepForm::default(), Some(received + 1_800_000)).await.map_err(err)?;
        let mut f = StepForm { reason: Some("按职责指定承办单位".into()), ..StepForm::default() };
        f.fields.insert("org".into(), org.to_string());
        service::step_at(state, Who::Staff(&dispatcher), case.id, None, "dispatch", f, Some(received + 3_600_000)).await.map_err(err)?;
    }
    // The overdue ones are escalated as the background job would.
    crate::jobs::sweep(state, today()).await.map_err(err)?;
    Ok(())
}

async fn knowledge_base(state: &AppState) -> anyhow::Result<()> {
    let entries: &[(&str, &str, &str)] = &[
        ("ZW-BS", "身份证到期换领需要什么材料？", "携带原身份证到户籍所在地或居住地公安派出所办理，免费拍照；异地换领可在全国任一派出所办理。"),
        ("LD-SB", "灵活就业人员如何缴纳养老保险？", "可通过市政务服务网“社保缴费”栏目或到市人社局窗口办理登记，按年或按月缴费。"),
        ("YB-YB", "医保卡丢失怎么补办？", "可通过医保服务平台线上申请补办，或携带身份证到任一医保经办网点办理，当场制卡。"),
        ("ZC-ZX", "企业开办需要多长时间？", "本市企业开办实行“一窗通办”，营业执照、印章、税务发票一日办结。"),
        ("SW-GS", "停水信息在哪里查询？", "计划停水提前24小时在供水公司公众号和小区公告栏发布；突发停水可拨打供水服务热线。"),
    ];
    let entries: Vec<(String, String, String)> = entries.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect();
    state
        .db
        .write(move |tx| {
            use futures::FutureExt;
            async move {
                for (code, qn, an) in entries {
                    q("INSERT INTO hotline_kb (question, answer, category_id, active, created_at) VALUES ($1, $2, (SELECT id FROM hotline_categories WHERE code = $3), TRUE, $4)")
                        .bind(qn)
                        .bind(an)
                        .bind(code)
                        .bind(crate::time::now_ms())
                        .execute(&mut *tx)
                        .await?;
                }
                Ok(())
            }
            .boxed()
        })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// The hotline's catalogue, its routing rules and the hotline centre, in the demo city.
pub async fn seed_catalogue(state: &AppState) -> anyhow::Result<()> {
    let actor = Actor::system();
    state
        .db
        .write_alone(move |tx| {
            async move {
                let cats = categories();
                for (i, c) in cats.iter().enumerate() {
                    let mut c = c.clone();
                    c.sort = i as i64;
                    catalogue::create_category(tx, &actor, &c).await?;
                }
                // Routing: street-level order problems in a town go to the town; noise to the
                // environment bureau; everything else to the category's unit.
                let mut pos = 10;
                for town in TOWNS.iter().map(|t| t.0) {
                    let town_id = orgs::by_code(&mut *tx, town).await?.map(|o| o.id);
                    for cat in ["CG-ZDJY", "CG-WZDJ", "CG-SRHJ"] {
                        let cat_id = crate::queries::category_by_code(&mut *tx, cat).await?.map(|c| c.id);
                        catalogue::create_route(
                            tx,
                            &actor,
                            &RouteInput {
                                position: pos,
                                category_id: cat_id,
                                town_id,
                                org_id: town_id,
                                note: "镇区城市管理由乡镇综合行政执法局办理".into(),
                                ..Default::default()
                            },
                        )
                        .await?;
                        pos += 10;
                    }
                }
                let stj = orgs::by_code(&mut *tx, "D-STJ").await?.map(|o| o.id);
                catalogue::create_route(
                    tx,
                    &actor,
                    &RouteInput {
                        position: 5,
                        keyword: Some("噪声,噪音,异味,排污".into()),
                        org_id: stj,
                        note: "环境污染类关键词".into(),
                        ..Default::default()
                    },
                )
                .await?;
                q("INSERT INTO settings (key, value, version, updated_at) VALUES ('hotline.centre', $1, 1, $2)")
                    .bind(CENTRE)
                    .bind(crate::time::now_ms())
                    .execute(&mut *tx)
                    .await?;
                Ok(())
            }
            .boxed()
        })
        .await
        .map_err(|e| anyhow::anyhow!("演示热线目录生成失败：{e} {:?}", e.field_errors()))?;
    Ok(())
}

fn cat(code: &str, name: &str, days: i64, org: Option<&str>, keywords: &str, description: &str) -> CategoryInput {
    CategoryInput {
        code: code.into(),
        name: name.into(),
        description: description.into(),
        handle_days: Some(days),
        default_org_code: org.map(str::to_string),
        attributes: vec![],
        keywords: keywords.into(),
        active: true,
        sort: 0,
    }
}

/// The hotline's service catalogue.
pub fn categories() -> Vec<CategoryInput> {
    let mut v = vec![
        cat("CG-ZDJY", "占道经营", 3, Some("D-CGJ"), "占道,摆摊,流动摊贩", "占用道路、人行道经营，流动摊贩"),
        cat("CG-WZDJ", "违章搭建", 5, Some("D-CGJ"), "违建,搭建,加盖", "私搭乱建、违法建设"),
        cat("CG-SRHJ", "市容环境卫生", 3, Some("D-CGJ"), "垃圾,卫生,清扫", "垃圾清运、道路清扫、公厕"),
        cat("CG-LDZM", "路灯照明", 3, Some("D-CGJ"), "路灯", "路灯不亮、损坏"),
        cat("ZF-WYGL", "物业管理", 5, Some("D-ZJJ"), "物业,电梯,小区", "物业服务、小区公共设施、电梯"),
        cat("ZF-FWZL", "房屋质量", 10, Some("D-ZJJ"), "漏水,开裂,质量", "新建商品房质量、渗漏"),
        cat("ZF-CQAZ", "征收安置", 10, Some("D-ZJJ"), "拆迁,安置,征收", "房屋征收补偿、安置房"),
        cat("JT-DLSS", "道路设施损坏", 5, Some("D-JYJ"), "坑洼,路面,护栏", "公路路面、桥梁、护栏损坏"),
        cat("JT-GJCZ", "公交出租", 5, Some("D-JYJ"), "公交,出租车,网约车", "公交线路、出租车服务"),
        cat("JT-WT", "交通违停", 2, Some("D-GAJ"), "违停,堵路", "机动车违法停放"),
        cat("HJ-DQ", "大气污染", 5, Some("D-STJ"), "烟尘,焚烧,异味", "工业废气、露天焚烧"),
        cat("HJ-SZ", "水污染", 5, Some("D-STJ"), "河道,排污,黑臭", "河道污染、偷排"),
        cat("HJ-ZS", "噪声扰民", 3, Some("D-STJ"), "噪声,噪音,施工", "工业、建筑施工、社会生活噪声"),
        cat("SC-XFTS", "消费投诉", 7, Some("D-SJG"), "退款,质量,商家", "商品和服务消费纠纷"),
        cat("SC-SPAQ", "食品安全", 5, Some("D-SJG"), "食品,过期,餐馆", "食品、餐饮安全"),
        cat("SC-JG", "价格投诉", 5, Some("D-SJG"), "价格,收费,明码标价", "价格违法、乱收费"),
        cat("LD-QX", "拖欠工资", 5, Some("D-RSJ"), "工资,欠薪,讨薪", "拖欠劳动报酬（农民工讨薪）"),
        cat("LD-SB", "社会保险", 5, Some("D-RSJ"), "社保,养老,失业", "社保缴纳、待遇"),
        cat("YB-YB", "医疗保障", 5, Some("D-YBJ"), "医保,报销", "医保报销、参保"),
        cat("JY-JY", "教育", 5, Some("D-JTJ"), "学校,入学,补课", "入学、校外培训、学校管理"),
        cat("WS-YL", "医疗卫生", 5, Some("D-WJW"), "医院,医生,疫苗", "医疗服务、公共卫生"),
        cat("SW-GS", "供水排水", 2, Some("D-SWJ"), "停水,水压,水管", "供水、排水、管网"),
        cat("NY-NC", "农业农村", 7, Some("D-NYJ"), "农田,补贴,种子", "农业生产、农村事务"),
        cat("MZ-JZ", "社会救助", 5, Some("D-MZJ"), "低保,救助,养老", "低保、特困、养老服务"),
        cat("ZW-BS", "政务服务", 3, Some("D-SPJ"), "办证,审批,窗口", "审批办事、窗口服务"),
        cat("ZC-ZX", "政策咨询", 3, Some("D-ZWB"), "咨询,政策", "政策咨询"),
        cat("XX-SZXX", "市长信箱来信", 10, None, "", "市长信箱来信，由热线中心分派"),
        cat("QT", "其他", 5, None, "", "以上类别以外的诉求，由派单员人工分派"),
    ];
    // Illegal parking needs the plate, as the police need it to act.
    if let Some(c) = v.iter_mut().find(|c| c.code == "JT-WT") {
        c.attributes = vec![
            Attribute { code: "plate".into(), label: "车牌号".into(), datatype: "string".into(), required: true, values: vec![] },
            Attribute {
                code: "blocking".into(),
                label: "是否堵塞通道".into(),
                datatype: "singlevaluelist".into(),
                required: false,
                values: vec![("yes".into(), "堵塞消防或出行通道".into()), ("no".into(), "未堵塞".into())],
            },
        ];
    }
    if let Some(c) = v.iter_mut().find(|c| c.code == "LD-QX") {
        c.attributes =
            vec![Attribute { code: "amount".into(), label: "拖欠金额（元）".into(), datatype: "number".into(), required: false, values: vec![] }];
    }
    v
}

/// A ticket taken in and dispatched to `org_id` by the city's dispatcher, through the services:
/// the permission matrix's record of the hotline.
pub async fn sample_ticket(state: &AppState, org_id: i64) -> anyhow::Result<i64> {
    let err = |e: crate::error::AppError| anyhow::anyhow!("{e}");
    let dispatcher: Option<(i64,)> =
        q("SELECT user_id FROM user_roles WHERE role = 'dispatcher' ORDER BY user_id LIMIT 1").fetch_optional(&state.db).await.map_err(err)?;
    let dispatcher = load_staff(state, dispatcher.ok_or_else(|| anyhow::anyhow!("no dispatcher account"))?.0)
        .await
        .map_err(err)?
        .ok_or_else(|| anyhow::anyhow!("dispatcher inactive"))?;
    let cat: Option<(i64,)> = q("SELECT id FROM hotline_categories WHERE active = TRUE ORDER BY id LIMIT 1").fetch_optional(&state.db).await.map_err(err)?;
    let town: Option<(i64,)> = q("SELECT id FROM orgs WHERE kind = 'town' ORDER BY id LIMIT 1").fetch_optional(&state.db).await.map_err(err)?;
    let input = IntakeInput {
        caller_phone: Some("13800001111".into()),
        category_id: cat.map(|c| c.0),
        town_id: town.map(|t| t.0),
        description: Some(format!("权限测试工单（承办单位 {org_id}）")),
        accept_now: true,
        phone_required: true,
        ..Default::default()
    };
    let case = service::intake(state, dispatcher.actor(), input).await.map_err(err)?.case;
    let mut f = StepForm::default();
    f.fields.insert("org".into(), org_id.to_string());
    service::step(state, Who::Staff(&dispatcher), case.id, None, "dispatch", f).await.map_err(err)?;
    Ok(case.id)
}
