pub async fn import_bytes(_s: &crate::app::AppState, _a: crate::audit::Actor, _b: &[u8], _p: Option<i64>) -> Result<usize, Vec<crate::tabular::RowError>> { Ok(0) }
