//! `fazhi bench search`: fill the search index with generated publications (segmented on every
//! core while the previous batch is written) and measure the indexing rate, then the latency
//! of one- and two-word queries with filters (unit, category, date range). Targets: at least
//! 2,000 documents/s, p95 under 30 ms.

use std::time::{Duration, Instant};

use futures::FutureExt;

use super::corpus::{self, Rng};
use super::search::index::{self, Doc};
use super::search::{self, Filters};
use crate::db::q;
use crate::state::AppState;

const BATCH: usize = 2000;

/// Segment a batch of documents on all cores.
fn segment_batch(docs: Vec<Doc>) -> Vec<(Doc, String, String)> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let chunk = docs.len().div_ceil(threads).max(1);
    let mut parts: Vec<Vec<Doc>> = Vec::new();
    let mut it = docs.into_iter().peekable();
    while it.peek().is_some() {
        parts.push(it.by_ref().take(chunk).collect());
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| {
                s.spawn(move || {
                    part.into_iter().map(|d| (search::segment(&d.title), search::segment(&d.body), d)).map(|(t, b, d)| (d, t, b)).collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("segmenter thread")).collect()
    })
}

fn generate(rng: &mut Rng, start: usize, n: usize, orgs: &[i64], cats: &[(i64, String)]) -> Vec<Doc> {
    (start..start + n)
        .map(|i| {
            let year = 2016 + (i % 11) as i32;
            let (cat, code) = rng.pick(cats).clone();
            let (title, body) = corpus::publication(rng, &code, year);
            let day = format!("{year:04}-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28));
            Doc { kind: "publication", ref_id: 1_000_000_000 + i as i64, org_id: Some(*rng.pick(orgs)), category_id: Some(cat), published_on: day, title, body }
        })
        .collect()
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    if v.is_empty() {
        return 0.0;
    }
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i].as_secs_f64() * 1000.0
}

/// Run the benchmark with `docs` documents in the index; prints the figures.
pub async fn bench(state: &AppState, docs: usize, queries: usize) -> anyhow::Result<()> {
    let backend = format!("{:?}", state.db.backend());
    let mut orgs: Vec<i64> =
        q("SELECT id FROM orgs WHERE kind IN ('city', 'department', 'town', 'park')").fetch_all::<(i64,)>(&state.db).await?.into_iter().map(|r| r.0).collect();
    if orgs.is_empty() {
        orgs = (1..=50).collect();
    }
    let cats: Vec<(i64, String)> = q("SELECT id, code FROM disclosure_categories ORDER BY id").fetch_all(&state.db).await?;
    let have = q("SELECT COUNT(*) FROM search_docs WHERE kind = 'publication' AND ref_id >= 1000000000").fetch_i64(&state.db).await? as usize;
    println!("后端：{backend}；索引中已有基准文档 {have} 篇，目标 {docs} 篇");
    if state.db.backend() == crate::db::Backend::Postgres {
        // Search reads the documents of the window at random: whether they are in PostgreSQL's
        // own buffers or must be copied from the OS cache shows in the figures.
        let (buffers,): (String,) = q("SELECT current_setting('shared_buffers')").fetch_one(&state.db).await?;
        println!("PostgreSQL shared_buffers = {buffers}");
    }
    if have < docs {
        let mut rng = Rng::new(have as u64 + 42);
        let t0 = Instant::now();
        let mut done = have;
        let first = (docs - done).min(BATCH);
        let mut pending = {
            let batch = generate(&mut rng, done, first, &orgs, &cats);
            tokio::task::spawn_blocking(move || segment_batch(batch))
        };
        let mut segmented_total = Duration::ZERO;
        while done < docs {
            let ts = Instant::now();
            let ready = pending.await?;
            segmented_total += ts.elapsed();
            let n = ready.len();
            let next_start = done + n;
            let next_n = docs.saturating_sub(next_start).min(BATCH);
            pending = {
                let batch = generate(&mut rng, next_start, next_n, &orgs, &cats);
                tokio::task::spawn_blocking(move || segment_batch(batch))
            };
            state.db.write(move |tx| async move { index::put_new_many(tx, &ready).await }.boxed()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            done += n;
            if done % 50_000 < BATCH || done == docs {
                let secs = t0.elapsed().as_secs_f64();
                println!("  已索引 {done} 篇，{:.0} 篇/秒（本次运行），等待分词 {:.1} 秒", (done - have) as f64 / secs, segmented_total.as_secs_f64());
            }
        }
        let _ = pending.await;
        let secs = t0.elapsed().as_secs_f64();
        println!("索引：{} 篇，用时 {secs:.1} 秒，{:.0} 篇/秒（目标 ≥ 2000）", docs - have, (docs - have) as f64 / secs);
        if state.db.backend() == crate::db::Backend::Sqlite {
            let t = Instant::now();
            state
                .db
                .write(|tx| async move { q("INSERT INTO search_fts(search_fts) VALUES ('optimize')").execute(tx).await.map(|_| ()) }.boxed())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("FTS5 optimize：{:.1} 秒", t.elapsed().as_secs_f64());
        } else {
            q("ANALYZE search_docs").execute(&state.db).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    let one = ["营商环境", "行政许可", "食品安全", "低保", "招标", "征收", "预算", "法律顾问", "矛盾纠纷", "规划", "抽检", "公务员"];
    let two = ["行政许可 结果", "食品 抽检", "土地 征收", "预算 三公", "道路 改造", "营商环境 措施", "低保 标准", "招标 中标", "环境 空气", "法律 援助"];
    let mut rng = Rng::new(7);
    for (label, set) in [("一个词", &one[..]), ("两个词", &two[..])] {
        for (flabel, mode) in [("无筛选", 0), ("按单位", 1), ("按类别", 2), ("按日期范围", 3)] {
            let mut lat = Vec::with_capacity(queries);
            let mut hits = 0usize;
            for _ in 0..queries {
                let qs = *rng.pick(set);
                let y = 2016 + rng.below(11);
                let f = match mode {
                    1 => Filters { org_id: Some(*rng.pick(&orgs)), ..Default::default() },
                    2 => Filters { category_id: Some(rng.pick(&cats).0), ..Default::default() },
                    3 => Filters { from: Some(format!("{y}-01-01")), to: Some(format!("{y}-06-30")), ..Default::default() },
                    _ => Filters::default(),
                };
                let t = Instant::now();
                let r = search::search(&state.db, qs, &f, 10, 0).await.map_err(|e| anyhow::anyhow!("{e}"))?;
                lat.push(t.elapsed());
                hits += r.hits.len();
            }
            let (p50, p95, max) = (pct(&mut lat, 0.5), pct(&mut lat, 0.95), pct(&mut lat, 1.0));
            println!(
                "查询（{label}·{flabel}）：{queries} 次，p50 {p50:.1} ms，p95 {p95:.1} ms，最大 {max:.1} ms，平均每次 {:.1} 条结果（目标 p95 < 30 ms）",
                hits as f64 / queries as f64
            );
        }
    }
    Ok(())
}
