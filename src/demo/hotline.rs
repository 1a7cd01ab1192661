pub async fn seed_year(_s: &crate::app::AppState) -> anyhow::Result<()> {
    Ok(())
}
