//! `fazhi bench indicators`: the indicators of one city (issue 16 §4).
//!
//! 1. Prepare (once, reused): a SQLite database with the demo city and a year of every module
//!    (`--full`: the seed's scale; otherwise the light demo).
//! 2. In process: every registered indicator evaluated for the city as of yesterday (the report's
//!    "as it stood" figures), and live, timed as a whole.
//! 3. A `fazhi serve` child on that database, its RSS sampled: the 驾驶舱 for the city's
//!    rule-of-law office and for one department's head, and a drill-down's first page, each
//!    requested in sequence; p50/p95.
//! 4. With `--postgres`: the same database built on PostgreSQL, two `fazhi serve` instances, the
//!    驾驶舱 requested on both at once.
//!
//! Not built yet: the province (N county-level cities, each with the demo city's year); the demo
//! generators know one city only. The figures are the single-city case.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::hotline::{err, line, open, sequential, session_cookie, start_server};
use super::http::{Stats, drive};
use crate::app::AppState;
use crate::db::{ConnectOptions, Db, q};
use crate::registry::DemoSize;

#[derive(clap::Args, Clone, Debug)]
pub struct Args {
    /// The SQLite database file (created and filled on first use, then reused).
    #[arg(long, default_value = "target/bench/indicators.db")]
    pub db: PathBuf,
    /// The demo city's full year (the seed's scale) instead of the light demo.
    #[arg(long)]
    pub full: bool,
    /// Requests per measured page.
    #[arg(long, default_value_t = 100)]
    pub requests: usize,
    /// Also run the two-instance case on PostgreSQL (a server URL; the database
    /// `fazhi_bench_indicators` on it is dropped and re-created).
    #[arg(long)]
    pub postgres: Option<String>,
    /// Port for the server under test.
    #[arg(long, default_value_t = 18400)]
    pub port: u16,
}

async fn prepare(state: &AppState, full: bool) -> anyhow::Result<()> {
    let t = Instant::now();
    if crate::demo::ensure(state, if full { DemoSize::Full } else { DemoSize::Light }).await? {
        println!("  演示城市生成用时 {:.0} 秒", t.elapsed().as_secs_f64());
    } else {
        println!("  数据库已有演示城市，直接使用");
    }
    Ok(())
}

/// Every indicator for the city, as of `day` where it can be, then live; (as-of time, live
/// time, evaluated as of, refused as of).
async fn evaluate_all(state: &AppState, day: chrono::NaiveDate) -> anyhow::Result<(Duration, Duration, usize, Vec<String>)> {
    let today = crate::time::today();
    let from = format!("{}-01-01", chrono::Datelike::year(&day));
    let to = crate::time::fmt_date(today);
    let mut refused = Vec::new();
    let mut ps = Vec::new();
    for ind in state.registry.indicators() {
        let p = crate::indicators::params(state, ind, crate::auth::roles::Scope::All, Some(&from), Some(&to), None, None).await.map_err(err)?;
        match p.clone().at(ind, Some(day)) {
            Ok(at) => ps.push((ind, p, Some(at))),
            Err(_) => {
                refused.push(ind.meta().code.to_string());
                ps.push((ind, p, None));
            }
        }
    }
    let t = Instant::now();
    let mut n = 0;
    for (ind, _, at) in &ps {
        if let Some(at) = at {
            ind.evaluate(state, at).await.map_err(err)?;
            n += 1;
        }
    }
    let as_of = t.elapsed();
    let t = Instant::now();
    for (ind, p, _) in &ps {
        ind.evaluate(state, p).await.map_err(err)?;
    }
    Ok((as_of, t.elapsed(), n, refused))
}

fn pct(s: &Stats) -> String {
    format!("p50 {:.1} ms，p95 {:.1} ms（{} 次，失败 {}）", s.pct_ms(0.5), s.pct_ms(0.95), s.ok, s.failed)
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    std::fs::create_dir_all(args.db.parent().unwrap_or(std::path::Path::new(".")))?;
    let url = format!("sqlite://{}", args.db.display());
    println!("## 准备：演示城市（{}，{}）", if args.full { "全年规模" } else { "轻量" }, args.db.display());
    let state = open(&url).await?;
    prepare(&state, args.full).await?;
    let cases = q("SELECT COUNT(*) FROM cases").fetch_i64(&state.db).await.map_err(err)?;
    let history = q("SELECT COUNT(*) FROM row_history").fetch_i64(&state.db).await.map_err(err)?;
    println!("  办件 {cases} 件，修改留痕 {history} 条");

    let yesterday = crate::time::today() - chrono::Duration::days(1);
    let (as_of, live, n, refused) = evaluate_all(&state, yesterday).await?;

    let city_cookie = session_cookie(&state, "sfj").await?;
    let unit_cookie = session_cookie(&state, "zjj_head").await?;
    let server = start_server(&url, args.port).await?;
    let addr = format!("127.0.0.1:{}", args.port);
    let year_from = format!("{}-01-01", chrono::Datelike::year(&crate::time::today()));
    let city = sequential(&addr, args.requests, "/dashboard", &[("Cookie", &city_cookie)]).await?;
    let unit = sequential(&addr, args.requests, "/dashboard", &[("Cookie", &unit_cookie)]).await?;
    let drill = sequential(&addr, args.requests, &format!("/indicators/hotline.received/records?from={year_from}"), &[("Cookie", &city_cookie)]).await?;
    let drill_svc =
        sequential(&addr, args.requests, &format!("/indicators/services.applications/records?from={year_from}"), &[("Cookie", &city_cookie)]).await?;
    let rss_mb = server.stop().await as f64 / 1024.0;

    println!("\n## SQLite，单个城市");
    println!("| 项目 | 实测 | 目标 | |");
    println!("|---|---|---|---|");
    line("驾驶舱（全市，司法局）", pct(&city), "p95 < 50 ms", city.pct_ms(0.95) < 50.0 && city.failed == 0);
    line("驾驶舱（一个部门负责人）", pct(&unit), "p95 < 50 ms", unit.pct_ms(0.95) < 50.0 && unit.failed == 0);
    line("明细首页（12345 受理量）", pct(&drill), "p95 < 50 ms", drill.pct_ms(0.95) < 50.0 && drill.failed == 0);
    line("明细首页（政务服务申请数）", pct(&drill_svc), "p95 < 50 ms", drill_svc.pct_ms(0.95) < 50.0 && drill_svc.failed == 0);
    line(
        &format!("全部指标按 {} 日终状态计算（{n} 项）", crate::time::fmt_date(yesterday)),
        format!("{:.2} 秒", as_of.as_secs_f64()),
        "< 2 秒",
        as_of.as_secs_f64() < 2.0,
    );
    line("全部指标当前值计算", format!("{:.2} 秒", live.as_secs_f64()), "—", true);
    line("不支持按时点计算的指标", if refused.is_empty() { "无".into() } else { refused.join("、") }, "—", true);
    line("服务器内存峰值（RSS）", format!("{rss_mb:.0} MB"), "< 300 MB", rss_mb < 300.0);

    if let Some(pg) = &args.postgres {
        postgres_phase(pg, &args).await?;
    }
    Ok(())
}

async fn postgres_phase(pg: &str, args: &Args) -> anyhow::Result<()> {
    println!("\n## PostgreSQL：两个 fazhi serve 实例共用一个数据库");
    let admin = Db::connect(&ConnectOptions::new(pg)).await?;
    q("DROP DATABASE IF EXISTS fazhi_bench_indicators").execute(&admin).await.map_err(err)?;
    q("CREATE DATABASE fazhi_bench_indicators").execute(&admin).await.map_err(err)?;
    admin.close().await;
    let base = pg.rsplit_once('/').map(|(a, _)| a.to_string()).unwrap_or_else(|| pg.to_string());
    let url = format!("{base}/fazhi_bench_indicators");
    let state = open(&url).await?;
    prepare(&state, args.full).await?;
    let yesterday = crate::time::today() - chrono::Duration::days(1);
    let (as_of, _, n, _) = evaluate_all(&state, yesterday).await?;
    let cookie = session_cookie(&state, "sfj").await?;
    let a = start_server(&url, args.port + 1).await?;
    let b = start_server(&url, args.port + 2).await?;
    let (addr_a, addr_b) = (format!("127.0.0.1:{}", args.port + 1), format!("127.0.0.1:{}", args.port + 2));
    let dur = Duration::from_secs(10);
    let (c1, c2) = (cookie.clone(), cookie.clone());
    let (mut ra, rb) = tokio::join!(
        drive(&addr_a, 2, dur, move |_, _| ("GET".into(), "/dashboard".into(), vec![("Cookie".into(), c1.clone())], vec![])),
        drive(&addr_b, 2, dur, move |_, _| ("GET".into(), "/dashboard".into(), vec![("Cookie".into(), c2.clone())], vec![]))
    );
    let rss = (a.stop().await.max(b.stop().await)) as f64 / 1024.0;
    let elapsed = ra.elapsed.max(rb.elapsed);
    ra.merge(rb);
    ra.elapsed = elapsed;
    println!("| 项目 | 实测 | 目标 | |");
    println!("|---|---|---|---|");
    line("驾驶舱（全市，两实例各 2 个并发）", format!("{}，{:.0} 次/秒", pct(&ra), ra.per_sec()), "p95 < 50 ms", ra.pct_ms(0.95) < 50.0 && ra.failed == 0);
    line(&format!("全部指标按时点计算（{n} 项）"), format!("{:.2} 秒", as_of.as_secs_f64()), "< 2 秒", as_of.as_secs_f64() < 2.0);
    line("每实例内存峰值", format!("{rss:.0} MB"), "< 300 MB", rss < 300.0);
    Ok(())
}
