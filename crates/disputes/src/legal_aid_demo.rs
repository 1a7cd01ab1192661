//! The demo city's 法律援助 (seed 五: 879 cases, more than ¥9.5 M of wages recovered for migrant
//! workers): the centre's accounts (staff, a lawyer who closes his own cases, the justice bureau
//! deciding objections), a roster of lawyers and grassroots legal workers from the city's firms,
//! a year of concluded cases written as the centre's register would be imported (each with its
//! means test, decision in or out of time, provider, standard closing code and amounts), and the
//! last days' applications taken through the services so that their clocks run.

use chrono::Duration;
use futures::FutureExt;
use rand::{Rng, SeedableRng};

use crate::audit::Actor;
use crate::db::q;
use crate::legal_aid::{self, Applicant, NewAid};
use crate::legal_aid_rules::{self as rules, PROCEDURE};
use crate::registry::DemoSize;
use crate::service::{StepForm, Who};
use crate::state::AppState;
use crate::time::{fmt_date, start_of_day_ms, today};

/// The accounts, and the lawyer's place on the roster (linked to his account).
pub async fn seed_accounts(state: &AppState) -> anyhow::Result<()> {
    let pw = fazhi_platform::demo::DEMO_PASSWORD;
    let hash = crate::auth::password::hash(pw).map_err(|e| anyhow::anyhow!("{e}"))?;
    let lawyer = state
        .db
        .write(move |tx| {
            async move {
                let mut lawyer = 0;
                for (username, name, org, role, scope) in [
                    ("aid_staff", "钱援助", legal_aid::CENTRE, "legal_aid_officer", legal_aid::CENTRE),
                    ("aid_lawyer", "孙明律", legal_aid::CENTRE, "legal_aid_provider", legal_aid::CENTRE),
                    ("aid_review", "李复核", "D-SFJ", "legal_aid_reviewer", "D-SFJ"),
                ] {
                    let input = fazhi_platform::accounts::queries::UserInput {
                        username: username.into(),
                        display_name: name.into(),
                        org_code: org.into(),
                        phone: None,
                        active: true,
                        roles: vec![(role.into(), scope.into())],
                        password: Some(pw.into()),
                    };
                    let id = fazhi_platform::accounts::queries::create(tx, &Actor::system(), &input, hash.clone(), false).await?;
                    if username == "aid_lawyer" {
                        lawyer = id;
                    }
                }
                Ok(lawyer)
            }
            .boxed()
        })
        .await
        .map_err(|e| anyhow::anyhow!("法律援助演示账号生成失败：{e}"))?;
    let centre = crate::org::queries::by_code(&state.db, legal_aid::CENTRE).await?.ok_or_else(|| anyhow::anyhow!("没有市公共法律服务中心"))?;
    legal_aid::add_provider(state, &Who::Import, centre.id, "孙明律", "江苏示范律师事务所", "lawyer", Some(lawyer), "孙某（兄）")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

/// One application received by a unit, for the permission matrix.
pub async fn sample(state: &AppState, org_id: i64) -> anyhow::Result<Vec<i64>> {
    let n = NewAid {
        org_id: Some(org_id),
        applicant_name: Some("权限测试".into()),
        phone: Some("13900000000".into()),
        category: Some("wages".into()),
        summary: Some(format!("权限测试法律援助申请（{org_id}）")),
        exempt_ground: Some("migrant_worker".into()),
        ..Default::default()
    };
    Ok(vec![legal_aid::apply(state, Applicant::Staff(&Who::Import), n).await.map_err(|e| anyhow::anyhow!("{e} {:?}", e.field_errors()))?.id])
}

const FIRMS: &[&str] = &["江苏示范律师事务所", "示范市秦邮律师事务所", "江苏运河律师事务所", "示范市盂城律师事务所", "江苏湖光律师事务所", "示范市法律服务所"];
const GIVEN: &[&str] = &["建国", "海燕", "志强", "丽华", "永明", "春梅", "国平", "晓东", "红霞", "立新", "玉兰", "德胜"];
const SURNAMES: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "朱", "胡", "高", "林"];

/// One concluded case of the year, as the centre's register holds it.
#[derive(Clone)]
struct Rec {
    k: usize,
    category: &'static str,
    migrant: bool,
    received: chrono::NaiveDate,
    decided: chrono::NaiveDate,
    assigned: chrono::NaiveDate,
    concluded: chrono::NaiveDate,
    is_refused: bool,
    channel: &'static str,
    recovered: i64,
    wages: i64,
    code: &'static str,
    income: Option<i64>,
    name: String,
}

/// A year of the centre's work at the seed's scale (a twentieth with `--light`).
pub async fn seed_year(state: &AppState, size: DemoSize) -> anyhow::Result<()> {
    let err = |e: crate::error::AppError| anyhow::anyhow!("法律援助演示数据：{e} {:?}", e.field_errors());
    let Some(centre) = crate::org::queries::by_code(&state.db, legal_aid::CENTRE).await.map_err(err)? else { return Ok(()) };
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    let mut providers = Vec::new();
    for i in 0..24 {
        let name = format!("{}{}", SURNAMES[i % SURNAMES.len()], GIVEN[(i * 5) % GIVEN.len()]);
        let kind = if i % 4 == 3 { "grassroots" } else { "lawyer" };
        providers.push(legal_aid::add_provider(state, &Who::Import, centre.id, &name, FIRMS[i % FIRMS.len()], kind, None, "").await.map_err(err)?);
    }
    let light = matches!(size, DemoSize::Light);
    let granted = if light { 44 } else { 879 };
    let refused = if light { 3 } else { 41 };
    let t = today();
    let cal = state.calendar();
    // (category, migrant worker, weight)
    let mix: &[(&str, bool, u32)] = &[
        ("wages", true, 34),
        ("work_injury", true, 8),
        ("labour", false, 6),
        ("support", false, 9),
        ("family", false, 12),
        ("injury", false, 10),
        ("criminal", false, 14),
        ("social_insurance", false, 3),
        ("state_comp", false, 1),
        ("other", false, 3),
    ];
    let total_w: u32 = mix.iter().map(|m| m.2).sum();
    let pick = |r: u32| {
        let mut acc = 0;
        for m in mix {
            acc += m.2;
            if r < acc {
                return (m.0, m.1);
            }
        }
        ("other", false)
    };
    let codes = ["judgment", "mediation", "mediation", "settlement", "arbitration", "judgment", "withdrawal", "non_litigation", "ruling"];
    let mut rows = Vec::new();
    for k in 0..(granted + refused) {
        let (category, migrant) = pick(rng.gen_range(0..total_w));
        let received = t - Duration::days(rng.gen_range(40..365));
        let decided = received + Duration::days(if k % 37 == 0 { 9 } else { rng.gen_range(1..7) });
        let assigned = decided + Duration::days(rng.gen_range(0..3));
        let concluded = assigned + Duration::days(rng.gen_range(20..150)).min(t - assigned - Duration::days(1));
        let is_refused = k >= granted;
        let channel = match k % 10 {
            0..=3 => "portal",
            4..=8 => "counter",
            _ => "referral",
        };
        // Wages in a migrant worker's claim: typically tens of thousands (a crew's wages more).
        let amount: i64 = match category {
            "wages" => rng.gen_range(15..70) * 1000 + rng.gen_range(0..1000),
            "work_injury" => rng.gen_range(30..200) * 1000,
            "injury" => rng.gen_range(10..120) * 1000,
            "support" => rng.gen_range(6..40) * 1000,
            "labour" | "social_insurance" => rng.gen_range(3..30) * 1000,
            _ => 0,
        };
        let code = codes[k % codes.len()];
        let recovered = if is_refused || matches!(code, "withdrawal" | "ruling") { 0 } else { amount };
        let wages = if migrant && category == "wages" { recovered } else { 0 };
        let income: Option<i64> = if migrant { None } else { Some(if is_refused { rng.gen_range(2_400..6_000) } else { rng.gen_range(600..2_200) }) };
        let name = format!("{}{}", SURNAMES[rng.gen_range(0..SURNAMES.len())], GIVEN[rng.gen_range(0..GIVEN.len())]);
        rows.push(Rec { k, category, migrant, received, decided, assigned, concluded, is_refused, channel, recovered, wages, code, income, name });
    }
    rows.sort_by_key(|r| r.received);
    let org_code = centre.code.clone();
    let threshold = rules::THRESHOLD_DEFAULT;
    for chunk in rows.chunks(300) {
        let chunk = chunk.to_vec();
        let providers = providers.clone();
        let cal = cal.clone();
        let org_code = org_code.clone();
        let centre_id = centre.id;
        state
            .db
            .write(move |tx| {
                async move {
                    for Rec { k, category, migrant, received, decided, assigned, concluded, is_refused, channel, recovered, wages, code, income, name } in chunk {
                        let title = format!("{}：{}", crate::privacy::mask_name(&name), rules::label(rules::CATEGORIES, category));
                        let state_code = if is_refused { "refused" } else { "closed" };
                        let case = crate::kernel::queries::create(
                            tx,
                            crate::kernel::queries::NewCase {
                                procedure: &PROCEDURE,
                                title,
                                org_id: centre_id,
                                org_code: org_code.clone(),
                                assignee_id: None,
                                opened_at: start_of_day_ms(received) + 9 * 3600 * 1000,
                                state: state_code,
                                clock: crate::kernel::engine::Clock::default(),
                                closed: true,
                            },
                            &cal,
                        )
                        .await?;
                        let exempt = migrant.then_some("migrant_worker");
                        let basis = match (exempt, income) {
                            (Some(_), _) => format!("{}，免予经济困难审查（{}）", rules::label(rules::EXEMPT, "migrant_worker"), rules::ART_42.cite()),
                            (None, Some(i)) if i <= threshold => format!("家庭人均月收入 {i} 元，不高于本地经济困难标准 {threshold} 元（{}）", rules::ART_34.cite()),
                            (None, Some(i)) => format!("家庭人均月收入 {i} 元，高于本地经济困难标准 {threshold} 元（{}）", rules::ART_34.cite()),
                            (None, None) => String::new(),
                        };
                        let in_time = (decided - received).num_days() <= 7;
                        let provider = (!is_refused).then(|| providers[k % providers.len()]);
                        q("INSERT INTO legal_aid_cases (case_id, channel, applicant_name, phone, category, opponent, summary, migrant_worker, household_size, monthly_income, exempt_ground, threshold, computed_eligible, eligibility_basis, received_on, decision, decided_on, decided_in_time, late_reason, provider_id, assigned_on, assigned_in_time, closing_code, amount_recovered, wages_recovered, concluded_on, satisfaction, rated_on) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28)")
                            .bind(case.id)
                            .bind(channel)
                            .bind(name.as_str())
                            .bind(format!("139{:08}", 10_000_000 + k))
                            .bind(category)
                            .bind(if category == "wages" { "示范市某建筑劳务公司" } else { "" })
                            .bind(format!("{}（演示数据）", rules::label(rules::CATEGORIES, category)))
                            .bind(migrant)
                            .bind(income.map(|_| 3_i64))
                            .bind(income)
                            .bind(exempt)
                            .bind(threshold)
                            .bind(!is_refused)
                            .bind(basis)
                            .bind(fmt_date(received))
                            .bind(if is_refused { "refused" } else { "granted" })
                            .bind(fmt_date(decided))
                            .bind(in_time)
                            .bind((!in_time).then_some("申请人补充证据材料，经负责人同意延后决定"))
                            .bind(provider)
                            .bind(provider.map(|_| fmt_date(assigned)))
                            .bind(provider.map(|_| true))
                            .bind(if is_refused { "refused" } else { code })
                            .bind(recovered)
                            .bind(wages)
                            .bind(fmt_date(if is_refused { decided } else { concluded }))
                            .bind((!is_refused && k % 3 == 0).then_some(if k % 30 == 0 { 3_i64 } else { 5 }))
                            .bind((!is_refused && k % 3 == 0).then(|| fmt_date(concluded)))
                            .execute(&mut *tx)
                            .await?;
                        crate::audit::record_at(
                            tx,
                            &Actor::system(),
                            crate::audit::NewEvent::new("case", case.id, "intake", "收到法律援助申请（演示数据）").changes(crate::audit::Changes::new().created("结案代码", rules::label(rules::ALL_CODES, if is_refused { "refused" } else { code }))),
                            start_of_day_ms(received) + 9 * 3600 * 1000,
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
    // The last days' applications, through the services: their clocks run.
    // (category, summary, exempt ground, monthly income, migrant worker, days ago)
    type Live<'a> = (&'a str, &'a str, Option<&'a str>, Option<&'a str>, bool, i64);
    let live: &[Live] = &[
        ("wages", "在示范市某工地做木工三个月，老板拖欠工资 2.6 万元", Some("migrant_worker"), None, true, 1),
        ("family", "离婚纠纷，需要代理诉讼", None, Some("1500"), false, 2),
        ("injury", "交通事故受伤，对方拒绝赔偿", None, Some("3900"), false, 3),
        ("work_injury", "在厂里工伤，单位不给认定", Some("migrant_worker"), None, true, 5),
        ("support", "追索赡养费", Some("no_income_group"), None, false, 0),
    ];
    for (i, (category, summary, exempt, income, migrant, ago)) in live.iter().enumerate() {
        let n = NewAid {
            org_id: Some(centre.id),
            channel: Some(if i % 2 == 0 { "counter" } else { "referral" }.into()),
            applicant_name: Some(format!("{}{}", SURNAMES[i], GIVEN[i + 3])),
            phone: Some(format!("1371234{:04}", 5600 + i)),
            category: Some(category.to_string()),
            opponent: Some("示范市某公司".into()),
            summary: Some(summary.to_string()),
            migrant_worker: *migrant,
            household_size: income.map(|_| "3".into()),
            monthly_income: income.map(str::to_string),
            exempt_ground: exempt.map(str::to_string),
            received_on: Some(fmt_date(t - Duration::days(*ago))),
            ..Default::default()
        };
        let c = legal_aid::apply(state, Applicant::Staff(&Who::Import), n).await.map_err(err)?;
        if i == 0 {
            legal_aid::step(state, &Who::Import, c.id, None, "grant", StepForm::default()).await.map_err(err)?;
        }
    }
    Ok(())
}
