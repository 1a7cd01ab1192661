//! The demo city's annual report: the 法治办 drafter's account (`fzb`, at 司法局, over the city)
//! and the city's report on the last full year, drafted from the seed's template and the demo
//! data through the service, so its figures are the demo city's own.

use chrono::Datelike;
use futures::FutureExt;

use crate::service::{self, NewReport};
use fazhi_platform::registry::DemoSize;
use fazhi_platform::state::AppState;
use fazhi_platform::time::today;

pub const DRAFTER: &str = "fzb";

pub async fn seed_base(state: &AppState) -> anyhow::Result<()> {
    let hash = fazhi_platform::auth::password::hash(fazhi_platform::demo::DEMO_PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    let input = fazhi_platform::accounts::queries::UserInput {
        username: DRAFTER.into(),
        display_name: "林法治".into(),
        org_code: "D-SFJ".into(),
        phone: None,
        active: true,
        roles: vec![(crate::roles::EDITOR.code.into(), fazhi_platform::demo::CITY.into())],
        password: Some(fazhi_platform::demo::DEMO_PASSWORD.into()),
    };
    state
        .db
        .write(move |tx| {
            async move { fazhi_platform::accounts::queries::create(tx, &fazhi_platform::audit::Actor::system(), &input, hash, false).await.map(|_| ()) }.boxed()
        })
        .await
        .map_err(|e| anyhow::anyhow!("年度报告演示账号生成失败：{e}"))
}

/// The city's report on last year, from the seed's template.
pub async fn seed_year(state: &AppState, _size: DemoSize) -> anyhow::Result<()> {
    let id = fazhi_platform::db::q("SELECT id FROM users WHERE username = $1").bind(DRAFTER).fetch_i64(&state.db).await?;
    let staff = fazhi_platform::auth::extract::load_staff(state, id).await?.ok_or_else(|| anyhow::anyhow!("no account {DRAFTER}"))?;
    let city = fazhi_platform::org::queries::by_code(&state.db, fazhi_platform::demo::CITY).await?.ok_or_else(|| anyhow::anyhow!("no city"))?;
    let template = fazhi_platform::db::q("SELECT id FROM annual_templates WHERE code = 'seed2020'").fetch_i64(&state.db).await?;
    let year = today().year() - 1;
    let n = NewReport {
        template_id: Some(template.to_string()),
        year: Some(year.to_string()),
        org_id: Some(city.id.to_string()),
        title: None,
        doc_no: Some(format!("示府〔{}〕3号", year + 1)),
    };
    service::create(state, &staff, n).await.map_err(|e| anyhow::anyhow!("{e} {:?}", e.field_errors()))?;
    Ok(())
}
