pub const DEMO_PASSWORD: &str = "demo-2026-fazhi"; pub const DEMO_LOGINS: &[(&str,&str)] = &[]; pub async fn ensure(_s: &crate::app::AppState) -> anyhow::Result<bool> { Ok(false) }
