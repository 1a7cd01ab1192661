//! The hotline's published 市长信箱 letters as a search source: the full-text index (政务公开)
//! reads them through here, never from the hotline's tables itself.

use futures::FutureExt;

use crate::db::{Db, Tx, q};
use crate::error::AppError;
use crate::search::{SearchSource, SourceDoc};

pub const KIND: &str = "letter";

#[derive(sqlx::FromRow)]
struct LetterRow {
    case_id: i64,
    org_id: i64,
    published_at: Option<i64>,
    publish_subject: Option<String>,
    publish_body: Option<String>,
    publish_reply: Option<String>,
}

const LETTER_SQL: &str =
    "SELECT t.case_id, c.org_id, t.published_at, t.publish_subject, t.publish_body, t.publish_reply FROM hotline_tickets t JOIN cases c ON c.id = t.case_id";

/// A citizen's letter as the index holds it: the letter and the reply, numbers that identify a
/// person masked again (the masker may have learnt a way of writing them since publication).
fn doc(l: LetterRow) -> SourceDoc {
    let mask = |t: &str| crate::privacy::mask_in_text(t).0;
    let body = format!("来信：{}\n答复：{}", l.publish_body.unwrap_or_default(), l.publish_reply.unwrap_or_default());
    SourceDoc {
        kind: KIND,
        ref_id: l.case_id,
        org_id: Some(l.org_id),
        category_id: None,
        published_on: crate::time::fmt_date(crate::time::local_date(l.published_at.unwrap_or_else(crate::time::now_ms))),
        title: mask(&l.publish_subject.unwrap_or_default()),
        body: mask(&body),
    }
}

fn load<'a>(tx: &'a mut Tx, case_id: i64) -> futures::future::BoxFuture<'a, Result<Option<SourceDoc>, AppError>> {
    async move {
        let row: Option<LetterRow> = q(format!("{LETTER_SQL} WHERE t.case_id = $1 AND t.published = TRUE")).bind(case_id).fetch_optional(&mut *tx).await?;
        Ok(row.map(doc))
    }
    .boxed()
}

fn unindexed<'a>(db: &'a Db, table: &'a str, limit: i64) -> futures::future::BoxFuture<'a, Result<Vec<SourceDoc>, AppError>> {
    async move {
        let rows: Vec<LetterRow> = q(format!(
            "{LETTER_SQL} LEFT JOIN {table} d ON d.kind = '{KIND}' AND d.ref_id = t.case_id WHERE t.published = TRUE AND d.id IS NULL ORDER BY t.case_id LIMIT {limit}"
        ))
        .fetch_all(db)
        .await?;
        Ok(rows.into_iter().map(doc).collect())
    }
    .boxed()
}

pub fn source() -> SearchSource {
    SearchSource { kind: KIND, label: "市长信箱来信", load, unindexed }
}
