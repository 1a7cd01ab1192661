//! The demo city's 行政复议: two accounts of the reconsideration office (司法局), a year of cases
//! received by it against the city's agencies at every stage, with decisions of every common
//! type, and the 意见书 / 建议书 of two years (the seed: seven 建议书 in two years). Built through
//! the same services as the pages, day by day in the past, so that every clock is the law's.

use chrono::{Duration, NaiveDate};
use futures::FutureExt;
use rand::{Rng, SeedableRng};

use crate::audit::Actor;
use crate::db::q;
use crate::letters::{self, NewLetter};
use crate::model::Application;
use crate::registry::DemoSize;
use crate::service::{self, StepForm, Who};
use crate::state::AppState;
use crate::time::{start_of_day_ms, today};

const PASSWORD: &str = fazhi_platform::demo::DEMO_PASSWORD;

/// The office's accounts: 复议人员 and the head who approves decisions and extensions.
pub async fn seed_accounts(state: &AppState) -> anyhow::Result<()> {
    let hash = crate::auth::password::hash(PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    state
        .db
        .write(move |tx| {
            async move {
                for (username, name, role) in [("fy_staff", "韩复议", "recon_officer"), ("fy_head", "许复审", "recon_head")] {
                    let input = fazhi_platform::accounts::queries::UserInput {
                        username: username.into(),
                        display_name: name.into(),
                        org_code: "D-SFJ".into(),
                        phone: None,
                        active: true,
                        roles: vec![(role.into(), fazhi_platform::demo::CITY.into())],
                        password: Some(PASSWORD.into()),
                    };
                    fazhi_platform::accounts::queries::create(tx, &Actor::system(), &input, hash.clone(), false).await?;
                }
                Ok(())
            }
            .boxed()
        })
        .await
        .map_err(|e| anyhow::anyhow!("演示账号生成失败：{e}"))
}

const ACTS: &[(&str, &str)] = &[
    ("D-CGJ", "行政处罚决定（占道经营，罚款2000元）"),
    ("D-ZJJ", "责令限期拆除违法建筑决定"),
    ("D-SJG", "行政处罚决定（销售不符合安全标准的食品）"),
    ("D-GAJ", "行政拘留决定"),
    ("D-ZRJ", "不动产登记行为"),
    ("D-RSJ", "工伤认定决定"),
    ("D-BGS", "政府信息公开申请答复"),
    ("D-ZJJ", "房屋征收补偿决定"),
    ("D-SJG", "营业执照注销登记"),
    ("D-CGJ", "不履行查处违法建设法定职责"),
];

const DECISIONS: &[(&str, u32)] = &[("uphold", 58), ("revoke", 12), ("confirm_illegal", 8), ("dismiss", 10), ("order_perform", 5), ("vary", 3)];

fn pick_decision(r: u32) -> &'static str {
    let mut acc = 0;
    for (c, w) in DECISIONS {
        acc += w;
        if r < acc {
            return c;
        }
    }
    "uphold"
}

fn form(pairs: &[(&str, &str)]) -> StepForm {
    StepForm { fields: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), ..Default::default() }
}

/// A year of cases (fewer with `--light`).
pub async fn seed_year(state: &AppState, size: DemoSize) -> anyhow::Result<()> {
    let err = |e: crate::error::AppError| anyhow::anyhow!("行政复议演示数据：{e} {:?}", e.field_errors());
    let sfj = crate::org::queries::by_code(&state.db, "D-SFJ").await.map_err(err)?.ok_or_else(|| anyhow::anyhow!("no D-SFJ"))?;
    let mut respondents = Vec::new();
    for (code, act) in ACTS {
        if let Some(o) = crate::org::queries::by_code(&state.db, code).await.map_err(err)? {
            respondents.push((o.id, *act));
        }
    }
    if respondents.is_empty() {
        return Ok(());
    }
    let who = Who::Import;
    let office = Who::Import;
    let cal = state.calendar();
    let t = today();
    let n = if matches!(size, DemoSize::Light) { 24 } else { 140 };
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    let surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙"];
    for i in 0..n {
        let received = t - Duration::days(360 - (i as i64 * 355 / n as i64));
        let received = cal.next_working_day_from(received);
        if received > t {
            break;
        }
        let (resp, act) = respondents[i % respondents.len()];
        let known = received - Duration::days(rng.gen_range(5..50));
        let app = Application {
            org_id: Some(sfj.id),
            channel: Some(["letter", "counter", "portal", "letter", "oral"][i % 5].into()),
            applicant_name: Some(format!("{}{}", surnames[i % surnames.len()], ["某", "某某"][i % 2])),
            applicant_kind: Some(if i % 7 == 0 { "organisation" } else { "natural" }.into()),
            phone: Some(format!("139{:08}", 10_000_000 + i * 7919 % 89_999_999)),
            respondent_org_id: Some(resp),
            act_title: Some(act.into()),
            act_known_on: Some(crate::time::fmt_date(known)),
            request_text: Some(format!("请求撤销被申请人作出的{act}。事实与理由：认定事实不清，适用依据错误。")),
            received_on: Some(crate::time::fmt_date(received)),
            ..Default::default()
        };
        let case = service::register_on(state, &who, app, received).await.map_err(err)?.case;
        let id = case.id;
        let age = (t - received).num_days();
        let roll = rng.gen_range(0..100u32);
        // Recent cases are still under review; a few need 补正; some are not accepted.
        if age < 4 {
            continue;
        }
        let d1 = cal.add_working_days(received, rng.gen_range(1..4));
        if roll < 6 {
            let reason = "申请人对被申请人的行政行为不服，但该行为属于信访事项处理意见";
            service::step_on(state, &office, id, None, "reject", StepForm { reason: Some(reason.into()), ..form(&[("ground", "out_of_scope")]) }, d1)
                .await
                .map_err(err)?;
            continue;
        }
        let simple = roll % 5 == 0 && received >= crate::rules::new_law_from();
        let accepted_on = d1;
        let (action, f) = if simple { ("accept_simple", form(&[("simple_ground", "涉及款额三千元以下")])) } else { ("accept", StepForm::default()) };
        service::step_on(state, &office, id, None, action, f, accepted_on).await.map_err(err)?;
        let period = if simple { 30 } else { 60 };
        let decide_on = accepted_on + Duration::days(rng.gen_range(15..period - 2));
        if decide_on + Duration::days(3) > t {
            continue;
        }
        if roll > 92 {
            let settled = if roll % 2 == 0 { "yes" } else { "no" };
            service::step_on(
                state,
                &office,
                id,
                None,
                "withdraw",
                StepForm { reason: Some("申请人与被申请人达成和解，申请撤回".into()), ..form(&[("settled", settled)]) },
                decide_on,
            )
            .await
            .map_err(err)?;
            continue;
        }
        if roll > 88 {
            service::step_on(state, &office, id, None, "mediate", form(&[("agreement", "被申请人重新核定罚款数额，申请人自愿履行")]), decide_on)
                .await
                .map_err(err)?;
            continue;
        }
        let code = pick_decision(rng.gen_range(0..96));
        let basis = match code {
            "uphold" => "《中华人民共和国行政复议法》第六十八条",
            "revoke" => "《中华人民共和国行政复议法》第六十四条第一款第（一）项",
            "confirm_illegal" => "《中华人民共和国行政复议法》第六十五条第一款第（一）项",
            "dismiss" => "《中华人民共和国行政复议法》第六十九条",
            "order_perform" => "《中华人民共和国行政复议法》第六十六条",
            _ => "《中华人民共和国行政复议法》第六十三条第一款第（二）项",
        };
        let text = "经审理查明，被申请人作出的行政行为认定事实、适用依据及程序情况如决定书所述。";
        service::step_on(
            state,
            &office,
            id,
            None,
            "propose_decision",
            form(&[("decision_type", code), ("decision_basis", basis), ("decision_text", text)]),
            decide_on - Duration::days(2),
        )
        .await
        .map_err(err)?;
        service::step_on(state, &office, id, None, "approve_decision", StepForm::default(), decide_on).await.map_err(err)?;
        if decide_on + Duration::days(5) < t {
            service::step_on(state, &office, id, None, "serve", form(&[("service_method", "直接送达")]), decide_on + Duration::days(2)).await.map_err(err)?;
        }
        // Some corrective decisions come with a 意见书 to the agency.
        if matches!(code, "revoke" | "confirm_illegal") && i % 3 == 0 {
            let issued = decide_on + Duration::days(1);
            let l = letters::issue_on(
                state,
                &office,
                NewLetter {
                    kind: Some("opinion".into()),
                    org_id: Some(sfj.id),
                    case_id: Some(id),
                    recipient_org_id: Some(resp),
                    subject: Some(format!("关于纠正{act}中违法行为的意见")),
                    body: Some("你单位在作出该行政行为时存在证据不足、程序不当的问题，请依法纠正并在收到本意见书之日起六十日内报送纠正情况。".into()),
                },
                issued,
            )
            .await
            .map_err(err)?;
            let answer_on = issued + Duration::days(rng.gen_range(20..75));
            if answer_on < t {
                letters::answer_on(state, &office, l.id, None, Some("已重新调查取证并撤销原决定，完善了执法案卷审核流程。".into()), answer_on)
                    .await
                    .map_err(err)?;
            }
        }
    }
    // The 建议书 of two years: seven, the seed's figure, on systemic problems.
    let topics = [
        ("D-CGJ", "关于规范占道经营行政处罚自由裁量的建议"),
        ("D-ZJJ", "关于完善违法建设查处程序的建议"),
        ("D-SJG", "关于统一食品安全行政处罚证据标准的建议"),
        ("D-RSJ", "关于规范工伤认定调查程序的建议"),
        ("D-ZRJ", "关于不动产登记告知义务的建议"),
        ("D-BGS", "关于政府信息公开答复格式的建议"),
        ("D-GAJ", "关于治安处罚案件送达程序的建议"),
    ];
    let count = if matches!(size, DemoSize::Light) { 3 } else { topics.len() };
    for (k, (code, subject)) in topics.iter().take(count).enumerate() {
        let Some(o) = crate::org::queries::by_code(&state.db, code).await.map_err(err)? else { continue };
        let issued: NaiveDate = t - Duration::days(700 - k as i64 * 95);
        let l = letters::issue_on(
            state,
            &office,
            NewLetter {
                kind: Some("suggestion".into()),
                org_id: Some(sfj.id),
                case_id: None,
                recipient_org_id: Some(o.id),
                subject: Some((*subject).into()),
                body: Some("办理行政复议案件中发现该类行政行为存在普遍性问题，建议完善相关制度、改进行政执法。".into()),
            },
            issued,
        )
        .await
        .map_err(err)?;
        if k < 6 {
            letters::answer_on(state, &office, l.id, None, Some("已采纳建议，修订了相关工作规程并组织培训。".into()), issued + Duration::days(40))
                .await
                .map_err(err)?;
        }
    }
    Ok(())
}

/// One case received by a unit, for the permission matrix.
pub async fn sample(state: &AppState, org_id: i64) -> anyhow::Result<Vec<i64>> {
    let err = |e: crate::error::AppError| anyhow::anyhow!("{e} {:?}", e.field_errors());
    let t = today();
    let app = Application {
        org_id: Some(org_id),
        applicant_name: Some("权限测试".into()),
        respondent_name: Some("示范市某局".into()),
        act_title: Some(format!("权限测试行政行为（复议机关 {org_id}）")),
        act_known_on: Some(crate::time::fmt_date(t)),
        request_text: Some("请求撤销".into()),
        ..Default::default()
    };
    let c = service::register(state, &Who::Import, app).await.map_err(err)?;
    Ok(vec![c.case.id])
}

/// One mediation case registered by a unit, for the permission matrix.
pub async fn sample_mediation(state: &AppState, org_id: i64) -> anyhow::Result<Vec<i64>> {
    let err = |e: crate::error::AppError| anyhow::anyhow!("{e} {:?}", e.field_errors());
    let n = crate::mediation::NewMediation {
        org_id: Some(org_id),
        summary: Some(format!("权限测试纠纷（调解组织 {org_id}）")),
        party_a: Some("甲方".into()),
        party_b: Some("乙方".into()),
        ..Default::default()
    };
    Ok(vec![crate::mediation::register(state, &Who::Import, n).await.map_err(err)?.case.id])
}

/// The non-litigation centre's year (seed 五): the mediators placed at the court resolved 1,087
/// disputes and those at the petition office 91; the towns' 调委会 take walk-ins and hotline
/// referrals. Past cases are written as closed records in a few transactions (as an import of
/// the centre's registers would be), each with its closing code and an event; the month's open
/// cases run their clock.
pub async fn seed_mediation(state: &AppState, size: DemoSize) -> anyhow::Result<()> {
    use crate::kernel::engine::Clock;
    use crate::kernel::queries::{self as cases, NewCase};
    use crate::mediation_rules::PROCEDURE as MED;
    let err = |e: crate::error::AppError| anyhow::anyhow!("调解演示数据：{e}");
    let Some(centre) = crate::org::queries::by_code(&state.db, "D-SFJ").await.map_err(err)? else { return Ok(()) };
    let towns: Vec<crate::org::queries::OrgRow> = crate::org::queries::of_kinds(&state.db, &[crate::org::OrgKind::Town]).await.map_err(err)?;
    // The roster.
    for (name, spec, rel) in
        [("周正平", "民商事纠纷（法院调解工作室）", ""), ("吴和顺", "信访矛盾（信访局调解工作室）", ""), ("郑明理", "婚姻家庭", "郑某（子）")]
    {
        crate::mediation::add_mediator(state, &Who::Import, centre.id, name, spec, "2025年度人民调解员培训", rel).await.map_err(err)?;
    }
    for t in &towns {
        crate::mediation::add_mediator(state, &Who::Import, t.id, &format!("{}调委会主任", t.short_name), "邻里、土地、婚姻家庭纠纷", "", "")
            .await
            .map_err(err)?;
    }
    let light = matches!(size, DemoSize::Light);
    // (source, organisation, resolved, not resolved)
    let mut plan: Vec<(&str, i64, usize, usize)> = vec![
        ("court", centre.id, if light { 40 } else { 1087 }, if light { 6 } else { 163 }),
        ("petition", centre.id, if light { 6 } else { 91 }, if light { 2 } else { 17 }),
    ];
    for (i, t) in towns.iter().enumerate() {
        plan.push((if i % 3 == 0 { "hotline" } else { "walk_in" }, t.id, if light { 2 } else { 18 }, if light { 1 } else { 4 }));
    }
    let cal = state.calendar();
    let t = today();
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    let kinds = ["people", "people", "people", "lawyer", "industry", "admin"];
    let disputes =
        ["买卖合同纠纷", "民间借贷纠纷", "相邻关系纠纷", "婚姻家庭纠纷", "劳务报酬纠纷", "物业服务合同纠纷", "机动车交通事故责任纠纷", "房屋租赁合同纠纷"];
    let surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡"];
    let mut records = Vec::new();
    for (source, org, ok, failed) in plan {
        for k in 0..(ok + failed) {
            let agreed = k < ok;
            // Resolved ones are past (the seed's counts are of resolved disputes); some of the
            // others are still being mediated.
            let registered = t - Duration::days(if agreed { rng.gen_range(30..360) } else { rng.gen_range(1..360) });
            let concluded = registered + Duration::days(rng.gen_range(3..28));
            let what = disputes[rng.gen_range(0..disputes.len())];
            records.push((
                source,
                org,
                registered,
                agreed,
                concluded,
                what,
                kinds[k % kinds.len()],
                surnames[rng.gen_range(0..surnames.len())],
                surnames[rng.gen_range(0..surnames.len())],
            ));
        }
    }
    records.sort_by_key(|r| r.2);
    let codes: std::collections::HashMap<i64, String> =
        crate::db::q("SELECT id, code FROM orgs").fetch_all::<(i64, String)>(&state.db).await.map_err(err)?.into_iter().collect();
    for chunk in records.chunks(400) {
        let chunk = chunk.to_vec();
        let codes = codes.clone();
        let cal = cal.clone();
        state
            .db
            .write(move |tx| {
                async move {
                    for (n, (source, org, registered, agreed, concluded, what, kind, a, b)) in chunk.into_iter().enumerate() {
                        let open = concluded >= t;
                        let (state_code, closing) = match (open, agreed) {
                            (true, _) => ("mediating", None),
                            (false, true) => ("closed", Some(if n % 4 == 0 { "agreement_oral" } else { "agreement_written" })),
                            (false, false) => ("terminated", Some(if n % 5 == 0 { "withdrawn" } else { "failed" })),
                        };
                        let clock = if open {
                            Clock { rule: Some("mediation".into()), started_on: Some(registered), due_on: Some(cal.add_calendar_days(registered, 30, true)), ..Clock::default() }
                        } else {
                            Clock::default()
                        };
                        let court_no = (source == "court").then(|| format!("（{}）苏1084民诉前调{}号", chrono::Datelike::year(&registered), 1000 + n));
                        let title = format!("{a}某与{b}某{what}");
                        let case = cases::create(
                            tx,
                            NewCase {
                                procedure: &MED,
                                title: title.clone(),
                                org_id: org,
                                org_code: codes.get(&org).cloned().unwrap_or_default(),
                                assignee_id: None,
                                opened_at: start_of_day_ms(registered) + 10 * 3600 * 1000,
                                state: state_code,
                                clock,
                                closed: !open,
                            },
                            &cal,
                        )
                        .await?;
                        let d = |x: NaiveDate| crate::time::fmt_date(x);
                        q("INSERT INTO mediation_cases (case_id, kind, source, court_case_no, summary, party_a, party_b, registered_on, agreement_kind, agreement_text, agreement_on, performance, closing_code, concluded_on) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)")
                            .bind(case.id)
                            .bind(kind)
                            .bind(source)
                            .bind(court_no)
                            .bind(title)
                            .bind(format!("{a}某"))
                            .bind(format!("{b}某"))
                            .bind(d(registered))
                            .bind(closing.filter(|c| c.starts_with("agreement")).map(|c| if c == "agreement_oral" { "oral" } else { "written" }))
                            .bind((agreed && !open).then_some("双方就争议事项达成一致，按约定期限履行"))
                            .bind((agreed && !open).then(|| d(concluded)))
                            .bind((agreed && !open).then_some("performed"))
                            .bind(closing)
                            .bind((!open).then(|| d(concluded)))
                            .execute(&mut *tx)
                            .await?;
                        crate::audit::record_at(
                            tx,
                            &Actor::system(),
                            crate::audit::NewEvent::new("case", case.id, "intake", "登记矛盾纠纷（演示数据）").changes(crate::audit::Changes::new().created("结案代码", closing)),
                            start_of_day_ms(registered) + 10 * 3600 * 1000,
                        )
                        .await?;
                    }
                    Ok(())
                }
                .boxed()
            })
            .await
            .map_err(err)?;
    }
    Ok(())
}
