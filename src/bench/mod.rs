//! `fazhi bench …`: benchmarks whose figures go to BENCHMARKS.md.

#[derive(clap::Subcommand)]
pub enum BenchWhat {
    Hotline,
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

pub async fn run(w: BenchWhat, c: Option<&std::path::PathBuf>) -> anyhow::Result<()> {
    match w {
        BenchWhat::Hotline => Ok(()),
        BenchWhat::Search { docs, queries } => {
            let mut cfg = crate::config::Config::load(c.map(|p| p.as_path()))?;
            if c.is_none() && std::env::var("DATABASE_URL").is_err() && std::env::var("FAZHI_DATABASE_URL").is_err() {
                cfg.database.url = "sqlite://data/bench-search.db".into();
            }
            cfg.jobs.enabled = false;
            let state = crate::app::AppState::start(cfg).await?;
            crate::disclosure::bench::bench(&state, docs, queries).await
        }
    }
}
