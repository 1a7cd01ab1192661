//! `fazhi bench …`: benchmarks whose figures go to BENCHMARKS.md. Benchmarks measure; they are
//! never timed tests (the machines are shared and noisy).

pub mod hotline;
pub mod http;

use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum BenchWhat {
    /// Hotline at scale: intake over HTTP against the raw-store ceiling, status lookups, a
    /// department's open list, a year's indicators, server memory; optionally PostgreSQL with two
    /// instances.
    Hotline(hotline::Args),
}

pub async fn run(what: BenchWhat, _config: Option<&PathBuf>) -> anyhow::Result<()> {
    match what {
        BenchWhat::Hotline(args) => hotline::run(args).await,
    }
}
