//! The demo city's 行政应诉: a year of suits against its agencies, taken through the services day
//! by day (the defence within its fifteen days, hearings with the head or a deputy appearing in
//! most, judgments mostly upholding the act, a few lost and performed), and a few still open.

use chrono::Duration;
use rand::{Rng, SeedableRng};

use crate::litigation::{self, NewSuit};
use crate::registry::DemoSize;
use crate::service::{StepForm, Who};
use crate::state::AppState;
use crate::time::{fmt_date, today};

const SUITS: &[(&str, &str, &str)] = &[
    ("D-CGJ", "城乡建设行政管理", "限期拆除决定"),
    ("D-ZRJ", "土地行政管理", "不动产登记行为"),
    ("D-RSJ", "劳动和社会保障行政管理", "工伤认定决定"),
    ("D-GAJ", "公安行政管理", "行政拘留决定"),
    ("D-SJG", "工商行政管理", "行政处罚决定"),
    ("D-ZJJ", "房屋征收", "房屋征收补偿决定"),
    ("D-BGS", "政府信息公开", "政府信息公开申请答复"),
];

fn form(pairs: &[(&str, &str)]) -> StepForm {
    StepForm { fields: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), ..Default::default() }
}

pub async fn seed_year(state: &AppState, size: DemoSize) -> anyhow::Result<()> {
    let err = |e: crate::error::AppError| anyhow::anyhow!("行政应诉演示数据：{e} {:?}", e.field_errors());
    let n = if matches!(size, DemoSize::Light) { 8 } else { 64 };
    let t = today();
    let mut rng = rand::rngs::StdRng::seed_from_u64(23);
    let surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
    for k in 0..n {
        let (code, cause, act) = SUITS[k % SUITS.len()];
        let Some(org) = crate::org::queries::by_code(&state.db, code).await.map_err(err)? else { continue };
        let served = t - Duration::days(rng.gen_range(5..360));
        let s = NewSuit {
            org_id: Some(org.id),
            court: Some(if k % 3 == 0 { "示范市人民法院" } else { "扬州市邗江区人民法院" }.into()),
            court_case_no: Some(format!("（{}）苏1084行初{}号", chrono::Datelike::year(&served), 100 + k)),
            plaintiff: Some(format!("{}某", surnames[k % surnames.len()])),
            cause: Some(cause.into()),
            act_challenged: Some(format!("{}作出的{act}", org.short_name)),
            served_on: Some(fmt_date(served)),
        };
        let c = litigation::register(state, &Who::Import, s).await.map_err(err)?;
        let step = |action: &'static str, f: StepForm, day: chrono::NaiveDate| {
            let id = c.id;
            async move { litigation::step_on(state, &Who::Import, id, None, action, f, day).await }
        };
        let answered = served + Duration::days(rng.gen_range(3..14));
        if answered > t {
            continue;
        }
        step("answer", form(&[("answer_summary", "被诉行政行为认定事实清楚，证据确凿，适用法律正确，程序合法。提交证据十二份及所依据的规范性文件")]), answered)
            .await
            .map_err(err)?;
        let hearing = answered + Duration::days(rng.gen_range(20..60));
        if hearing > t {
            continue;
        }
        let appearance = match k % 12 {
            0 => "staff",
            1..=4 => "head",
            _ => "deputy",
        };
        let mut f = form(&[("hearing_on", &fmt_date(hearing)), ("appearance", appearance), ("head_name", "分管副局长")]);
        if appearance == "staff" {
            f.fields.insert("excuse".into(), "duty".into());
        }
        step("hearing", f, hearing).await.map_err(err)?;
        let judged = hearing + Duration::days(rng.gen_range(15..60));
        if judged > t {
            continue;
        }
        let outcome = match k % 13 {
            0 => "revoked",
            5 => "confirm_illegal",
            3 | 9 => "withdrawn",
            7 => "suit_rejected",
            _ => "dismissed",
        };
        let ruling = matches!(outcome, "withdrawn" | "suit_rejected");
        let j = step(if ruling { "rule" } else { "judge" }, form(&[("outcome", outcome)]), judged).await.map_err(err)?;
        // In force the day after the appeal period (Art. 85), rolled past holidays as the clock is.
        let effective = j.due_on.as_deref().and_then(crate::time::parse_date).unwrap_or(judged) + Duration::days(1);
        if effective > t {
            continue;
        }
        step("effective", StepForm::default(), effective).await.map_err(err)?;
        let lost = crate::litigation_rules::is_lost(outcome);
        let closed = effective + Duration::days(rng.gen_range(5..40));
        if closed > t {
            continue;
        }
        step("close", if lost { form(&[("performance", "performed")]) } else { StepForm::default() }, closed).await.map_err(err)?;
    }
    Ok(())
}

/// One suit against a unit, for the permission matrix.
pub async fn sample(state: &AppState, org_id: i64) -> anyhow::Result<Vec<i64>> {
    let s = NewSuit {
        org_id: Some(org_id),
        court: Some("示范市人民法院".into()),
        court_case_no: Some(format!("（2026）苏1084行初权限{org_id}号")),
        plaintiff: Some("权限测试".into()),
        cause: Some("权限测试".into()),
        act_challenged: Some("权限测试行政行为".into()),
        served_on: Some(fmt_date(today())),
    };
    Ok(vec![litigation::register(state, &Who::Import, s).await.map_err(|e| anyhow::anyhow!("{e} {:?}", e.field_errors()))?.id])
}
