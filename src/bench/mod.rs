//! `fazhi bench …`: benchmarks whose figures go to BENCHMARKS.md. Benchmarks measure; they are
//! never timed tests (the machines are shared and noisy).

pub mod hotline;
pub mod http;
pub mod indicators;

use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum BenchWhat {
    /// Hotline at scale: intake over HTTP against the raw-store ceiling, status lookups, a
    /// department's open list, a year's indicators, server memory; optionally PostgreSQL with two
    /// instances.
    Hotline(hotline::Args),
    /// Enforcement: the 双随机 draw over a generated pool (pure computation, no database).
    Enforcement {
        /// Entities in the pool.
        #[arg(long, default_value_t = 100_000)]
        entities: usize,
        /// Inspectors in the pool.
        #[arg(long, default_value_t = 2_000)]
        inspectors: usize,
        /// Draws to time.
        #[arg(long, default_value_t = 10)]
        runs: usize,
    },
    /// Indicators: the 驾驶舱 for the city and for one unit, a drill-down's first page, every
    /// indicator evaluated as of a past day, server memory; optionally PostgreSQL with two
    /// instances.
    Indicators(indicators::Args),
    /// Full-text search: index generated publications, then time queries with filters. Uses
    /// data/bench-search.db unless DATABASE_URL (or a config file) names another database.
    Search {
        /// Documents in the index.
        #[arg(long, default_value_t = 1_000_000)]
        docs: usize,
        /// Queries per kind of query.
        #[arg(long, default_value_t = 200)]
        queries: usize,
    },
}

pub async fn run(what: BenchWhat, config: Option<&PathBuf>) -> anyhow::Result<()> {
    match what {
        BenchWhat::Hotline(args) => hotline::run(args).await,
        BenchWhat::Enforcement { entities, inspectors, runs } => {
            crate::enforcement::inspections::bench::draw_bench(entities, inspectors, runs);
            Ok(())
        }
        BenchWhat::Indicators(args) => indicators::run(args).await,
        BenchWhat::Search { docs, queries } => {
            let mut cfg = crate::config::Config::load(config.map(|p| p.as_path()))?;
            if config.is_none() && std::env::var("DATABASE_URL").is_err() && std::env::var("FAZHI_DATABASE_URL").is_err() {
                cfg.database.url = "sqlite://data/bench-search.db".into();
            }
            cfg.jobs.enabled = false;
            let state = crate::app::start(cfg).await?;
            crate::disclosure::bench::bench(&state, docs, queries).await
        }
    }
}
