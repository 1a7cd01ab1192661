#[derive(clap::Subcommand)]
pub enum BenchWhat {
    Hotline,
}
pub async fn run(_w: BenchWhat, _c: Option<&std::path::PathBuf>) -> anyhow::Result<()> {
    Ok(())
}
