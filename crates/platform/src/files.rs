//! Attachments, stored by SHA-256 content hash in a local folder (`files.dir`): the same file
//! uploaded twice is stored once. Types are recognised from the content, not the name; sizes
//! and types outside the allowed list are refused (413, 415). Served with their type, a safe
//! download name and `nosniff`, only to those who may read the record they belong to.

use std::path::{Path, PathBuf};

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get as get_route;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::auth::{Perm, Staff};
use crate::db::{Ex, Tx, q};
use crate::error::AppError;
use crate::state::AppState;
use crate::time::now_ms;
use crate::web::PageError;
use crate::web::extract::Path as UrlPath;

#[derive(Clone, Debug)]
pub struct FileStore {
    dir: PathBuf,
}

/// What a file is, from its first bytes and its name.
pub fn sniff(bytes: &[u8], filename: &str) -> Option<&'static str> {
    let ext = filename.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    if bytes.starts_with(b"%PDF-") {
        return Some("application/pdf");
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some("image/jpeg");
    }
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return Some("image/png");
    }
    if bytes.len() > 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some("image/webp");
    }
    if bytes.len() > 12 && &bytes[4..8] == b"ftyp" {
        return Some(if ext == "m4a" { "audio/mp4" } else { "video/mp4" });
    }
    if bytes.starts_with(b"ID3") || bytes.starts_with(&[0xFF, 0xFB]) {
        return Some("audio/mpeg");
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return match ext.as_str() {
            "docx" => Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            "xlsx" => Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            "ofd" => Some("application/ofd"),
            _ => None,
        };
    }
    if ext == "txt" && std::str::from_utf8(bytes).is_ok() {
        return Some("text/plain; charset=utf-8");
    }
    None
}

pub const ALLOWED_LABEL: &str = "PDF、JPG、PNG、WEBP、DOCX、XLSX、OFD、TXT、MP4、MP3";

impl FileStore {
    pub fn new(dir: &str) -> anyhow::Result<FileStore> {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).map_err(|e| anyhow::anyhow!("无法创建附件目录 {}：{e}", dir.display()))?;
        Ok(FileStore { dir })
    }

    fn path_of(&self, sha: &str) -> PathBuf {
        self.dir.join(&sha[..2]).join(sha)
    }

    /// Write the bytes (if not already there) and return (sha256, mime). The file is written
    /// to a temporary name, synced, then renamed, so a crash never leaves half a file.
    pub fn put(&self, bytes: &[u8], filename: &str, max_bytes: usize) -> Result<(String, &'static str), AppError> {
        if bytes.len() > max_bytes {
            return Err(AppError::TooLarge { message: format!("文件“{filename}”超过 {} MB 上限", max_bytes / 1024 / 1024) });
        }
        let mime = sniff(bytes, filename)
            .ok_or_else(|| AppError::UnsupportedMedia { message: format!("文件“{filename}”的类型不允许上传，仅支持 {ALLOWED_LABEL}") })?;
        let sha = hex::encode(Sha256::digest(bytes));
        let path = self.path_of(&sha);
        if !path.exists() {
            let dir = path.parent().unwrap_or(Path::new("."));
            std::fs::create_dir_all(dir)?;
            let tmp = dir.join(format!(".{sha}.{}.tmp", std::process::id()));
            {
                use std::io::Write;
                let mut f = std::fs::File::create(&tmp)?;
                f.write_all(bytes)?;
                f.sync_all()?;
            }
            std::fs::rename(&tmp, &path)?;
        }
        Ok((sha, mime))
    }

    pub fn read(&self, sha: &str) -> Result<Vec<u8>, AppError> {
        if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(AppError::not_found("file_not_found", "文件不存在"));
        }
        std::fs::read(self.path_of(sha)).map_err(|_| AppError::not_found("file_not_found", "文件不存在"))
    }
}

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct AttachmentRow {
    pub id: i64,
    pub entity: String,
    pub entity_id: i64,
    pub purpose: String,
    pub sha256: String,
    pub filename: String,
    pub mime: String,
    pub size: i64,
    pub created_at: i64,
}

impl AttachmentRow {
    pub fn size_label(&self) -> String {
        if self.size >= 1024 * 1024 { format!("{:.1} MB", self.size as f64 / 1024.0 / 1024.0) } else { format!("{} KB", (self.size + 1023) / 1024) }
    }
    pub fn is_image(&self) -> bool {
        self.mime.starts_with("image/")
    }
}

/// Record an attachment (the bytes are already stored by [`FileStore::put`]).
#[allow(clippy::too_many_arguments)]
pub async fn attach(
    tx: &mut Tx,
    entity: &str,
    entity_id: i64,
    purpose: &str,
    sha: &str,
    mime: &str,
    size: usize,
    filename: &str,
    by_kind: &str,
    by: Option<i64>,
) -> Result<i64, AppError> {
    let now = now_ms();
    q("INSERT INTO files (sha256, size, mime, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING")
        .bind(sha)
        .bind(size as i64)
        .bind(mime)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let name: String = filename.chars().filter(|c| !c.is_control() && *c != '/' && *c != '\\').take(120).collect();
    q("INSERT INTO attachments (entity, entity_id, purpose, sha256, filename, mime, size, uploaded_by_kind, uploaded_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING id")
        .bind(entity)
        .bind(entity_id)
        .bind(purpose)
        .bind(sha)
        .bind(name)
        .bind(mime)
        .bind(size as i64)
        .bind(by_kind)
        .bind(by)
        .bind(now)
        .fetch_i64(tx)
        .await
}

pub async fn list<'a>(ex: impl Into<Ex<'a>>, entity: &str, entity_id: i64) -> Result<Vec<AttachmentRow>, AppError> {
    q("SELECT id, entity, entity_id, purpose, sha256, filename, mime, size, created_at FROM attachments WHERE entity = $1 AND entity_id = $2 ORDER BY id")
        .bind(entity)
        .bind(entity_id)
        .fetch_all(ex)
        .await
}

pub async fn get<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Option<AttachmentRow>, AppError> {
    q("SELECT id, entity, entity_id, purpose, sha256, filename, mime, size, created_at FROM attachments WHERE id = $1").bind(id).fetch_optional(ex).await
}

/// Build a download response with safe headers.
pub fn download(att: &AttachmentRow, bytes: Vec<u8>) -> Response {
    let inline = att.is_image() || att.mime == "application/pdf";
    let disp = format!(
        "{}; filename=\"attachment-{}\"; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        att.id,
        crate::web::urlencode(&att.filename)
    );
    // Attachments are personal data (photos of a home, letters): no cache keeps them.
    ([(header::CONTENT_TYPE, att.mime.clone()), (header::CONTENT_DISPOSITION, disp), (header::CACHE_CONTROL, "no-store".to_string())], bytes).into_response()
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/files/{id}", get_route(get_file))
}

/// A staff download: allowed when the staff member may read the case it belongs to.
async fn get_file(State(state): State<AppState>, staff: Staff, UrlPath(id): UrlPath<i64>) -> Result<Response, PageError> {
    let att = get(&state.db, id).await?.ok_or_else(|| AppError::not_found("file_not_found", "附件不存在"))?;
    match att.entity.as_str() {
        "case" => {
            crate::kernel::access::readable_case(&state, &staff, att.entity_id).await?;
        }
        _ => {
            staff.require(Perm::ADMIN_SETTINGS)?;
        }
    }
    let bytes = state.files.read(&att.sha256)?;
    Ok(download(&att, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_types_from_content() {
        assert_eq!(sniff(b"%PDF-1.7 ...", "a.exe"), Some("application/pdf"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0], "photo.jpg"), Some("image/jpeg"));
        assert_eq!(sniff(b"PK\x03\x04....", "a.docx").map(|m| m.contains("word")), Some(true));
        assert_eq!(sniff(b"PK\x03\x04....", "a.zip"), None);
        assert_eq!(sniff(b"MZ\x90\x00", "a.pdf"), None, "an executable named .pdf is refused");
        assert_eq!(sniff("说明".as_bytes(), "a.txt"), Some("text/plain; charset=utf-8"));
        assert_eq!(sniff(b"<script>", "a.html"), None);
    }

    #[test]
    fn stores_by_hash_once() {
        let dir = tempfile::tempdir().unwrap();
        let fs = FileStore::new(dir.path().to_str().unwrap()).unwrap();
        let (a, m) = fs.put(b"%PDF-1.4 test", "x.pdf", 1000).unwrap();
        let (b, _) = fs.put(b"%PDF-1.4 test", "y.pdf", 1000).unwrap();
        assert_eq!(a, b);
        assert_eq!(m, "application/pdf");
        assert_eq!(fs.read(&a).unwrap(), b"%PDF-1.4 test");
        assert_eq!(fs.put(&[0u8; 2000], "big.pdf", 1000).unwrap_err().code(), "payload_too_large");
        assert_eq!(fs.read("../../etc/passwd").unwrap_err().code(), "file_not_found");
    }
}
