//! `fazhi bench hotline`: the hotline at a million tickets.
//!
//! 1. Prepare (once, reused): a SQLite database (`synchronous=FULL`) with the demo city's base
//!    data and N historical tickets spread over the past year, plus open tickets dispatched to
//!    the departments.
//! 2. Raw-store ceiling: the same intake (validation, case, ticket, event, counters) called
//!    directly, concurrently, for the given seconds — no HTTP.
//! 3. A `fazhi serve` child process on that database; its RSS is sampled throughout.
//! 4. HTTP intake: concurrent keep-alive POSTs to `/api/v1/hotline/tickets`; then Open311
//!    intake (`POST /open311/v2/requests.json`, a form) with a phone number and without one: many
//!    Open311 clients send no phone, and such tickets are checked for duplicates by their text
//!    instead of by the caller's number. The two alternate in three slices each, so that both
//!    meet the same load from whatever else runs on a shared machine.
//! 5. Status lookups by ticket number (`/api/v1/hotline/lookup`).
//! 6. A department's open-ticket list, first page by deadline (page and API).
//! 7. A year's indicators by unit (API and page).
//! 8. With `--postgres`: two `fazhi serve` instances on one PostgreSQL database, concurrent intake
//!    on both, then the checks: no duplicate ticket numbers, nothing lost, the event chain intact.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::Duration as CDuration;
use futures::FutureExt;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::http::{Conn, Stats, drive, drive_rate};
use crate::app::AppState;
use crate::audit::Actor;
use crate::config::Config;
use crate::db::{ConnectOptions, Db, q};
use crate::hotline::import::{self, LegacyTicket, Outcome};
use crate::hotline::model::Channel;
use crate::hotline::service::{self, IntakeInput, StepForm, Who};

#[derive(clap::Args, Clone, Debug)]
pub struct Args {
    /// Tickets in the database.
    #[arg(long, default_value_t = 1_000_000)]
    pub tickets: usize,
    /// The SQLite database file (created and filled on first use, then reused).
    #[arg(long, default_value = "target/bench/hotline.db")]
    pub db: PathBuf,
    /// Seconds per load phase.
    #[arg(long, default_value_t = 15)]
    pub seconds: u64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Also run the two-instance check on PostgreSQL (a server URL; the database `fazhi_bench`
    /// on it is dropped and re-created).
    #[arg(long)]
    pub postgres: Option<String>,
    /// Port for the server under test.
    #[arg(long, default_value_t = 18300)]
    pub port: u16,
}

pub(super) fn err(e: crate::error::AppError) -> anyhow::Error {
    anyhow::anyhow!("{e} {:?}", e.field_errors())
}

pub(super) async fn open(url: &str) -> anyhow::Result<AppState> {
    let mut cfg = Config::default();
    cfg.database.url = url.to_string();
    cfg.jobs.enabled = false;
    cfg.files.dir = "target/bench/files".into();
    let mut o = ConnectOptions::new(url);
    o.max_connections = 8;
    let db = Db::connect(&o).await?;
    AppState::with_db(cfg, db, crate::app::features()).await
}

/// Fill the database up to `n` tickets (historical, closed) plus open work in the departments.
async fn prepare(state: &AppState, n: usize) -> anyhow::Result<()> {
    if !crate::demo::present(state).await? {
        crate::demo::seed_base(state).await?;
    }
    let have = q("SELECT COUNT(*) FROM hotline_tickets").fetch_i64(&state.db).await.map_err(err)? as usize;
    if have >= n {
        println!("数据库已有 {have} 张工单，直接使用");
        return Ok(());
    }
    let cats: Vec<(i64, i64, Option<i64>)> =
        q("SELECT id, handle_days, default_org_id FROM hotline_categories WHERE default_org_id IS NOT NULL").fetch_all(&state.db).await.map_err(err)?;
    let towns: Vec<(i64,)> = q("SELECT id FROM orgs WHERE kind IN ('town', 'park')").fetch_all(&state.db).await.map_err(err)?;
    let mut rng = StdRng::seed_from_u64(7);
    let today = crate::time::today();
    let start = today - CDuration::days(366);
    let t0 = Instant::now();
    let mut done = have;
    let closed_target = n.saturating_sub(20_000).max(have);
    while done < closed_target {
        let chunk = (closed_target - done).min(25_000);
        let mut batch = Vec::with_capacity(chunk);
        for i in 0..chunk {
            let (cat, days, org) = cats[rng.gen_range(0..cats.len())];
            let day = start + CDuration::days(rng.gen_range(0..360));
            let received = crate::time::start_of_day_ms(day) + rng.gen_range(8 * 3600..20 * 3600) * 1000;
            let dispatched = received + 3_600_000;
            let replied = dispatched + rng.gen_range(1..(days.max(1) * 86_400)) * 1000;
            batch.push(LegacyTicket {
                row: i,
                case_no: None,
                received_at: received,
                channel: Channel::Phone,
                caller_name: None,
                caller_phone: Some(format!("139{:08}", (done + i) % 100_000_000)),
                category_id: cat,
                handle_days: days,
                town_id: Some(towns[rng.gen_range(0..towns.len())].0),
                village_id: None,
                address: None,
                subject: None,
                description: format!("历史诉求第 {} 件：反映的问题已经处理", done + i),
                wants_reply: true,
                outcome: Outcome::Closed,
                org_id: org,
                dispatched_at: Some(dispatched),
                replied_at: Some(replied),
                reply: Some("已处理完毕并答复".into()),
                on_time: None,
                closed_at: replied + 3_600_000,
                evaluation: Some(if rng.gen_bool(0.9) { "satisfied" } else { "basically" }.into()),
                comment: None,
                returns: 0,
                extensions: 0,
                reopens: 0,
                supervised: false,
            });
        }
        import::write(state, Actor::system(), batch).await.map_err(err)?;
        done += chunk;
        println!("  已生成 {done}/{n} 张（{:.0} 张/秒）", (done - have) as f64 / t0.elapsed().as_secs_f64());
    }
    // Open work: accepted and dispatched to the departments, so their lists are not empty.
    let agent_id = q("SELECT id FROM users WHERE username = 'dispatcher'").fetch_i64(&state.db).await.map_err(err)?;
    let disp = crate::auth::extract::load_staff(state, agent_id).await.map_err(err)?.ok_or_else(|| anyhow::anyhow!("dispatcher"))?;
    let open_n = n.saturating_sub(done);
    // Live intakes are validated: leave out categories that ask for a required attribute
    // (a plate number, say), which this generator does not fill in.
    let cats: Vec<(i64, i64, Option<i64>)> =
        q("SELECT id, handle_days, default_org_id FROM hotline_categories WHERE default_org_id IS NOT NULL AND attributes NOT LIKE '%\"required\":true%'")
            .fetch_all(&state.db)
            .await
            .map_err(err)?;
    let counter = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let mut handles = Vec::new();
    for w in 0..8usize {
        let state = state.clone();
        let disp = disp.clone();
        let cats = cats.clone();
        let towns = towns.clone();
        let counter = counter.clone();
        let failed = failed.clone();
        handles.push(tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(100 + w as u64);
            for i in (w..open_n).step_by(8) {
                let (cat, _, org) = cats[rng.gen_range(0..cats.len())];
                let input = IntakeInput {
                    channel: Some(Channel::Phone),
                    caller_phone: Some(format!("136{:08}", i)),
                    category_id: Some(cat),
                    town_id: Some(towns[rng.gen_range(0..towns.len())].0),
                    description: Some(format!("在办诉求第 {i} 件")),
                    accept_now: true,
                    phone_required: true,
                    ..Default::default()
                };
                let r = match service::intake(&state, disp.actor(), input).await {
                    Ok(r) => r,
                    Err(e) => {
                        if failed.fetch_add(1, Ordering::Relaxed) == 0 {
                            eprintln!("  在办工单受理失败：{e}");
                        }
                        continue;
                    }
                };
                let mut f = StepForm::default();
                f.fields.insert("org".into(), org.unwrap_or(0).to_string());
                let _ = service::step(&state, Who::Staff(&disp), r.case.id, None, "dispatch", f).await;
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for h in handles {
        let _ = h.await;
    }
    println!("  在办工单 {} 张（受理失败 {}）；准备用时 {:.0} 秒", counter.load(Ordering::Relaxed), failed.load(Ordering::Relaxed), t0.elapsed().as_secs_f64());
    Ok(())
}

fn intake_body(w: usize, i: u64, town: i64) -> Vec<u8> {
    serde_json::json!({
        "caller_phone": format!("15{:09}", (w as u64 * 10_000_000 + i) % 1_000_000_000),
        "category_code": "ZF-WYGL",
        "town_id": town,
        "description": format!("压测诉求 {w}-{i}：小区电梯故障，请物业尽快维修"),
    })
    .to_string()
    .into_bytes()
}

/// An Open311 report as a client posts it, with the caller's phone number or without one.
fn open311_body(key: &str, w: usize, i: u64, phone: bool) -> Vec<u8> {
    let description = format!("压测 Open311 {}-{w}-{i}：小区电梯故障，请物业尽快维修", if phone { "有电话" } else { "无电话" });
    let mut form = format!("api_key={key}&service_code=ZF-WYGL&lat=32.8&long=119.45&description={}", crate::web::urlencode(&description));
    if phone {
        form.push_str(&format!("&phone=17{:09}", (w as u64 * 10_000_000 + i) % 1_000_000_000));
    }
    form.into_bytes()
}

/// Open311 intake over HTTP, closed loop, with and without a phone number in turn: three slices
/// of a third of `--seconds` each.
async fn open311_phases(addr: &str, args: &Args, key: &str) -> (Stats, Stats) {
    let (mut with, mut without) = (Stats::default(), Stats::default());
    let slice = Duration::from_secs_f64(args.seconds as f64 / 3.0);
    for round in 0..3usize {
        for phone in [true, false] {
            let key = key.to_string();
            let s = drive(addr, args.concurrency, slice, move |w, i| {
                (
                    "POST".into(),
                    "/open311/v2/requests.json".into(),
                    vec![("Content-Type".into(), "application/x-www-form-urlencoded".into())],
                    open311_body(&key, w + round * 1000, i, phone),
                )
            })
            .await;
            let total = if phone { &mut with } else { &mut without };
            total.elapsed += s.elapsed;
            total.merge(s);
        }
    }
    (with, without)
}

/// The raw-store ceiling: the same intake without HTTP.
async fn raw_store(state: &AppState, workers: usize, seconds: u64, town: i64) -> anyhow::Result<Stats> {
    let start = Instant::now();
    let dur = Duration::from_secs(seconds);
    let cat = crate::hotline::queries::category_by_code(&state.db, "ZF-WYGL").await.map_err(err)?.map(|c| c.id);
    let mut handles = Vec::new();
    for w in 0..workers {
        let state = state.clone();
        handles.push(tokio::spawn(async move {
            let mut st = Stats::default();
            let mut i = 0u64;
            while start.elapsed() < dur {
                let input = IntakeInput {
                    channel: Some(Channel::Api),
                    caller_phone: Some(format!("18{:09}", (w as u64 * 10_000_000 + i) % 1_000_000_000)),
                    category_id: cat,
                    town_id: Some(town),
                    description: Some(format!("基准诉求 {w}-{i}：小区电梯故障，请物业尽快维修")),
                    wants_reply: true,
                    phone_required: true,
                    ..Default::default()
                };
                i += 1;
                let t = Instant::now();
                match service::intake(&state, Actor::system(), input).await {
                    Ok(_) => {
                        st.ok += 1;
                        st.latencies_us.push(t.elapsed().as_micros() as u64);
                    }
                    Err(_) => st.failed += 1,
                }
            }
            st
        }));
    }
    let mut all = Stats::default();
    for h in handles {
        if let Ok(s) = h.await {
            all.merge(s);
        }
    }
    all.elapsed = start.elapsed();
    Ok(all)
}

pub(super) struct Server {
    child: tokio::process::Child,
    max_rss_kb: Arc<AtomicU64>,
}

pub(super) async fn start_server(db_url: &str, port: u16) -> anyhow::Result<Server> {
    let exe = std::env::current_exe()?;
    let child = tokio::process::Command::new(exe)
        .arg("serve")
        .env("DATABASE_URL", db_url)
        .env("FAZHI_SERVER_BIND", format!("127.0.0.1:{port}"))
        .env("FAZHI_JOBS_ENABLED", "false")
        .env("FAZHI_FILES_DIR", "target/bench/files")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()?;
    let pid = child.id().unwrap_or(0);
    let max_rss_kb = Arc::new(AtomicU64::new(0));
    let m = max_rss_kb.clone();
    tokio::spawn(async move {
        while let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
            if let Some(kb) = s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse::<u64>().ok()) {
                m.fetch_max(kb, Ordering::Relaxed);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let addr = format!("127.0.0.1:{port}");
    for _ in 0..600 {
        if let Ok(mut c) = Conn::open(&addr).await {
            if let Ok(r) = c.request("GET", "/healthz", &[], b"").await {
                if r.status == 200 {
                    return Ok(Server { child, max_rss_kb });
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("server on {addr} did not start")
}

impl Server {
    pub(super) async fn stop(mut self) -> u64 {
        let _ = self.child.kill().await;
        self.max_rss_kb.load(Ordering::Relaxed)
    }
}

/// A session for a staff member, created directly (the load client keeps no cookies).
pub(super) async fn session_cookie(state: &AppState, user: &str) -> anyhow::Result<String> {
    let id = q("SELECT id FROM users WHERE username = $1").bind(user).fetch_i64(&state.db).await.map_err(err)?;
    let token = crate::auth::session::create(&state.db, Some(id), None, None, None).await.map_err(err)?;
    Ok(format!("fazhi_sid={token}"))
}

pub(super) async fn sequential(addr: &str, n: usize, path: &str, headers: &[(&str, &str)]) -> anyhow::Result<Stats> {
    let mut c = Conn::open(addr).await?;
    let mut st = Stats::default();
    let t = Instant::now();
    for _ in 0..n {
        let s = Instant::now();
        let r = c.request("GET", path, headers, b"").await?;
        if r.status == 200 {
            st.ok += 1;
            st.latencies_us.push(s.elapsed().as_micros() as u64);
        } else {
            st.failed += 1;
        }
    }
    st.elapsed = t.elapsed();
    Ok(st)
}

pub(super) fn line(name: &str, value: String, target: &str, ok: bool) {
    println!("| {name} | {value} | {target} | {} |", if ok { "达标" } else { "未达标" });
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    std::fs::create_dir_all(args.db.parent().unwrap_or(std::path::Path::new(".")))?;
    let url = format!("sqlite://{}", args.db.display());
    println!("## 准备：{} 张工单（{}）", args.tickets, args.db.display());
    let state = open(&url).await?;
    prepare(&state, args.tickets).await?;
    let town = crate::org::queries::by_code(&state.db, "T-DH").await.map_err(err)?.map(|o| o.id).unwrap_or(0);
    let root = crate::org::queries::root(&state.db).await.map_err(err)?.map(|o| o.id);
    let zjj = crate::org::queries::by_code(&state.db, "D-ZJJ").await.map_err(err)?.map(|o| o.id);
    let perms = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let (_, token) = crate::auth::tokens::create(
        &state.db,
        Actor::system(),
        &Default::default(),
        "bench",
        root,
        &perms(&["hotline_intake", "case_read", "kpi_read"]),
        Some(1),
    )
    .await
    .map_err(err)?;
    let (_, dept_token) =
        crate::auth::tokens::create(&state.db, Actor::system(), &Default::default(), "bench-zjj", zjj, &perms(&["case_read"]), Some(1)).await.map_err(err)?;
    let dept_cookie = session_cookie(&state, "zjj_staff").await?;
    let kpi_cookie = session_cookie(&state, "dispatcher").await?;
    let total = q("SELECT COUNT(*) FROM hotline_tickets").fetch_i64(&state.db).await.map_err(err)?;
    let samples: Vec<(String, String)> = q("SELECT c.case_no, t.caller_phone FROM cases c JOIN hotline_tickets t ON t.case_id = c.id WHERE t.caller_phone IS NOT NULL AND c.id % 97 = 0 LIMIT 20000").fetch_all(&state.db).await.map_err(err)?;
    let dept_open = q("SELECT COUNT(*) FROM cases WHERE org_id = $1 AND is_open = TRUE").bind(zjj).fetch_i64(&state.db).await.map_err(err)?;
    println!("工单总数 {total}；住建局在办 {dept_open}");

    println!("\n## 直接写入上限（无 HTTP，{} 并发，{} 秒）", args.concurrency, args.seconds);
    let raw = raw_store(&state, args.concurrency, args.seconds, town).await?;
    println!("{} 张，{:.0} 张/秒，p50 {:.1} ms，p99 {:.1} ms，失败 {}", raw.ok, raw.per_sec(), raw.pct_ms(0.5), raw.pct_ms(0.99), raw.failed);
    state.db.close().await;
    drop(state);

    let addr = format!("127.0.0.1:{}", args.port);
    let server = start_server(&url, args.port).await?;

    println!("\n## HTTP 受理（{} 并发，{} 秒）", args.concurrency, args.seconds);
    let bearer = format!("Bearer {token}");
    let b2 = bearer.clone();
    let intake = drive(&addr, args.concurrency, Duration::from_secs(args.seconds), move |w, i| {
        (
            "POST".into(),
            "/api/v1/hotline/tickets".into(),
            vec![("Authorization".into(), b2.clone()), ("Content-Type".into(), "application/json".into())],
            intake_body(w, i, town),
        )
    })
    .await;
    println!("{} 张，{:.0} 张/秒，p50 {:.1} ms，p99 {:.1} ms，失败 {}", intake.ok, intake.per_sec(), intake.pct_ms(0.5), intake.pct_ms(0.99), intake.failed);

    println!("\n## HTTP 受理，恒定负载 3000 张/秒（{} 个连接，{} 秒）", args.concurrency, args.seconds);
    let b3 = bearer.clone();
    let at_rate = drive_rate(&addr, args.concurrency, Duration::from_secs(args.seconds), 3000.0, move |w, i| {
        (
            "POST".into(),
            "/api/v1/hotline/tickets".into(),
            vec![("Authorization".into(), b3.clone()), ("Content-Type".into(), "application/json".into())],
            intake_body(w + 5000, i, town),
        )
    })
    .await;
    println!(
        "{} 张，实际 {:.0} 张/秒，p50 {:.1} ms，p99 {:.1} ms，失败 {}",
        at_rate.ok,
        at_rate.per_sec(),
        at_rate.pct_ms(0.5),
        at_rate.pct_ms(0.99),
        at_rate.failed
    );

    println!("\n## Open311 受理，有电话 / 无电话（{} 并发，各 {} 秒）", args.concurrency, args.seconds);
    let (o311_phone, o311_anon) = open311_phases(&addr, &args, &token).await;
    for (name, s) in [("有电话", &o311_phone), ("无电话", &o311_anon)] {
        println!("{name}：{} 张，{:.0} 张/秒，p50 {:.1} ms，p99 {:.1} ms，失败 {}", s.ok, s.per_sec(), s.pct_ms(0.5), s.pct_ms(0.99), s.failed);
    }

    println!("\n## 按工单编号查询进度（{} 并发，{} 秒）", args.concurrency, args.seconds);
    let samples = Arc::new(samples);
    let s2 = samples.clone();
    let lookup = drive(&addr, args.concurrency, Duration::from_secs(args.seconds), move |w, i| {
        let (no, phone) = &s2[((w as u64 * 7919 + i * 31) % s2.len().max(1) as u64) as usize];
        ("GET".into(), format!("/api/v1/hotline/lookup?no={no}&phone={phone}"), vec![], vec![])
    })
    .await;
    println!("{} 次，{:.0} 次/秒，p50 {:.2} ms，p99 {:.2} ms，失败 {}", lookup.ok, lookup.per_sec(), lookup.pct_ms(0.5), lookup.pct_ms(0.99), lookup.failed);

    println!("\n## 部门在办列表（住建局，第一页，按期限）");
    let dept_page = sequential(&addr, 300, "/hotline/tickets", &[("Cookie", &dept_cookie)]).await?;
    let dept_bearer = format!("Bearer {dept_token}");
    let dept_api = sequential(&addr, 300, "/api/v1/hotline/tickets", &[("Authorization", &dept_bearer)]).await?;
    println!("页面 p95 {:.2} ms；API p95 {:.2} ms（失败 {} / {}）", dept_page.pct_ms(0.95), dept_api.pct_ms(0.95), dept_page.failed, dept_api.failed);

    println!("\n## 一年的指标（按承办单位）");
    let year_ago = crate::time::fmt_date(crate::time::today() - CDuration::days(365));
    let now = crate::time::fmt_date(crate::time::today());
    let kpi_path = format!("/api/v1/hotline/kpi?dim=org&from={year_ago}&to={now}");
    let kpi_api = sequential(&addr, 300, &kpi_path, &[("Authorization", &bearer)]).await?;
    let kpi_page = sequential(&addr, 100, &format!("/hotline/kpi?dim=org&from={year_ago}&to={now}"), &[("Cookie", &kpi_cookie)]).await?;
    println!("API p95 {:.2} ms；页面（含四张图表）p95 {:.2} ms（失败 {} / {}）", kpi_api.pct_ms(0.95), kpi_page.pct_ms(0.95), kpi_api.failed, kpi_page.failed);
    let rss_mb = server.stop().await as f64 / 1024.0;

    let ratio = intake.per_sec() / raw.per_sec().max(1e-9);
    println!("\n## 结果（SQLite，synchronous=FULL，{total} 张工单）\n");
    println!("| 项目 | 实测 | 目标 | |");
    println!("|---|---|---|---|");
    line("HTTP 受理吞吐", format!("{:.0} 张/秒", intake.per_sec()), "≥ 3000 张/秒", intake.per_sec() >= 3000.0);
    line("HTTP 受理 p99（满负荷）", format!("{:.1} ms", intake.pct_ms(0.99)), "—", true);
    line(
        "HTTP 受理 p99（恒定 3000 张/秒）",
        format!("{:.1} ms（实际 {:.0} 张/秒）", at_rate.pct_ms(0.99), at_rate.per_sec()),
        "< 50 ms",
        at_rate.pct_ms(0.99) < 50.0 && at_rate.per_sec() >= 2900.0,
    );
    let anon_ratio = o311_anon.per_sec() / o311_phone.per_sec().max(1e-9);
    line("Open311 受理（有电话）", format!("{:.0} 张/秒，p99 {:.1} ms", o311_phone.per_sec(), o311_phone.pct_ms(0.99)), "—", true);
    line("Open311 受理（无电话）", format!("{:.0} 张/秒，p99 {:.1} ms", o311_anon.per_sec(), o311_anon.pct_ms(0.99)), "—", true);
    line("无电话 ÷ 有电话", format!("{:.0}%", anon_ratio * 100.0), "≥ 80%", anon_ratio >= 0.8);
    line("直接写入上限", format!("{:.0} 张/秒", raw.per_sec()), "—", true);
    line("HTTP ÷ 直接写入", format!("{:.0}%", ratio * 100.0), "≥ 50%", ratio >= 0.5);
    line("进度查询", format!("{:.0} 次/秒", lookup.per_sec()), "≥ 10000 次/秒", lookup.per_sec() >= 10_000.0);
    line("部门在办列表 p95（页面）", format!("{:.2} ms", dept_page.pct_ms(0.95)), "< 20 ms", dept_page.pct_ms(0.95) < 20.0);
    line("部门在办列表 p95（API）", format!("{:.2} ms", dept_api.pct_ms(0.95)), "< 20 ms", dept_api.pct_ms(0.95) < 20.0);
    line("一年指标按单位 p95（API）", format!("{:.2} ms", kpi_api.pct_ms(0.95)), "< 50 ms", kpi_api.pct_ms(0.95) < 50.0);
    line("一年指标页面 p95", format!("{:.2} ms", kpi_page.pct_ms(0.95)), "—", true);
    line("服务器内存峰值（RSS）", format!("{rss_mb:.0} MB"), "< 200 MB", rss_mb < 200.0);

    if let Some(pg) = &args.postgres {
        postgres_phase(pg, &args).await?;
    }
    Ok(())
}

async fn postgres_phase(pg: &str, args: &Args) -> anyhow::Result<()> {
    println!("\n## PostgreSQL：两个 fazhi serve 实例共用一个数据库");
    let admin = Db::connect(&ConnectOptions::new(pg)).await?;
    q("DROP DATABASE IF EXISTS fazhi_bench").execute(&admin).await.map_err(err)?;
    q("CREATE DATABASE fazhi_bench").execute(&admin).await.map_err(err)?;
    admin.close().await;
    let base = pg.rsplit_once('/').map(|(a, _)| a.to_string()).unwrap_or_else(|| pg.to_string());
    let url = format!("{base}/fazhi_bench");
    let state = open(&url).await?;
    crate::demo::seed_base(&state).await?;
    let town = crate::org::queries::by_code(&state.db, "T-DH").await.map_err(err)?.map(|o| o.id).unwrap_or(0);
    let root = crate::org::queries::root(&state.db).await.map_err(err)?.map(|o| o.id);
    let (_, token) =
        crate::auth::tokens::create(&state.db, Actor::system(), &Default::default(), "bench", root, &["hotline_intake".into()], Some(1)).await.map_err(err)?;
    let a = start_server(&url, args.port + 1).await?;
    let b = start_server(&url, args.port + 2).await?;
    let bearer = format!("Bearer {token}");
    let half = (args.concurrency / 2).max(1);
    let (b1, b2) = (bearer.clone(), bearer.clone());
    let addr_a = format!("127.0.0.1:{}", args.port + 1);
    let addr_b = format!("127.0.0.1:{}", args.port + 2);
    let dur = Duration::from_secs(args.seconds);
    let (mut ra, rb) = tokio::join!(
        drive(&addr_a, half, dur, move |w, i| (
            "POST".into(),
            "/api/v1/hotline/tickets".into(),
            vec![("Authorization".into(), b1.clone()), ("Content-Type".into(), "application/json".into())],
            intake_body(w, i, town)
        )),
        drive(&addr_b, half, dur, move |w, i| (
            "POST".into(),
            "/api/v1/hotline/tickets".into(),
            vec![("Authorization".into(), b2.clone()), ("Content-Type".into(), "application/json".into())],
            intake_body(w + 1000, i, town)
        ))
    );
    let rss = (a.stop().await.max(b.stop().await)) as f64 / 1024.0;
    let ok = ra.ok + rb.ok;
    let stored = q("SELECT COUNT(*) FROM hotline_tickets WHERE channel = 'api'").fetch_i64(&state.db).await.map_err(err)?;
    let dups = q("SELECT COUNT(*) FROM (SELECT case_no FROM cases GROUP BY case_no HAVING COUNT(*) > 1) x").fetch_i64(&state.db).await.map_err(err)?;
    let last = q("SELECT COALESCE(MAX(last), 0) FROM case_sequences WHERE key LIKE 'hotline:%'").fetch_i64(&state.db).await.map_err(err)?;
    let numbered = q("SELECT COUNT(*) FROM cases WHERE procedure = 'hotline'").fetch_i64(&state.db).await.map_err(err)?;
    let chain = crate::audit::verify(&state.db).await.map_err(err)?;
    let elapsed = ra.elapsed.max(rb.elapsed);
    ra.merge(rb);
    ra.elapsed = elapsed;
    println!("| 项目 | 实测 | 目标 | |");
    println!("|---|---|---|---|");
    line("两实例受理吞吐", format!("{:.0} 张/秒（p99 {:.1} ms）", ra.per_sec(), ra.pct_ms(0.99)), "—", true);
    line("成功应答 = 入库工单", format!("{ok} / {stored}"), "相等", ok as i64 == stored);
    line("重复工单编号", dups.to_string(), "0", dups == 0);
    line("编号连续无空号", format!("最大序号 {last}，工单 {numbered}"), "相等", last == numbered);
    line("事件哈希链", format!("{chain:?}"), "完整", matches!(chain, crate::audit::Verdict::Intact { .. }));
    line("每实例内存峰值", format!("{rss:.0} MB"), "< 200 MB", rss < 200.0);
    let _ = state.db.write(|_tx| async move { Ok(()) }.boxed()).await;
    Ok(())
}
