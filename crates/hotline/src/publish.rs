//! Publishing a 市长信箱 letter and its reply: only with the writer's consent and after the
//! letter is closed; phone and ID numbers are masked automatically, staff redact the rest by
//! hand; the original stays untouched beside the published text.

use axum::extract::State;
use axum::response::Response;
use futures::FutureExt;

use super::queries;
use super::service::{self, Who};
use crate::audit::{self, Changes, NewEvent};
use crate::auth::Staff;
use crate::db::q;
use crate::error::{AppError, Check};
use crate::kernel::engine::Authority;
use crate::state::AppState;
use crate::web::extract::Path;
use crate::web::form::FormData;
use crate::web::{PageError, redirect_ok};

pub async fn publish(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>, form: FormData) -> Result<Response, PageError> {
    let (case, t) = queries::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let auth = service::authority(&state, Who::Staff(&staff), &case, &t).await?;
    if !service::can_read(&auth) {
        return Err(crate::kernel::access::not_found().into());
    }
    if !auth.staff_may(crate::roles::DISPATCH) {
        return Err(AppError::forbidden("forbidden", "只有热线工作机构可以公开信件").into());
    }
    if t.channel != "mailbox" {
        return Err(AppError::conflict("not_a_letter", "只有市长信箱来信可以公开").into());
    }
    if !t.publish_consent {
        return Err(AppError::conflict("no_consent", "写信人未同意公开，不能公开").into());
    }
    if case.state != "closed" {
        return Err(AppError::conflict("not_closed", "信件办结后才能公开").into());
    }
    let mut c = Check::new();
    let subject = c.text("subject", "公开标题", form.get("subject"), 100);
    let body = c.text("body", "公开的来信内容", form.get("body"), 4000);
    let reply = c.text("reply", "公开的答复", form.get("reply"), 4000);
    c.finish()?;
    // Whatever staff typed, numbers that identify a person are masked again.
    let (subject, ns) = crate::privacy::mask_in_text(&subject);
    let (body, nb) = crate::privacy::mask_in_text(&body);
    let (reply, nr) = crate::privacy::mask_in_text(&reply);
    let actor = staff.actor();
    let first = !t.published;
    let registry = state.registry.clone();
    state
        .db
        .write(move |tx| {
            async move {
                q("UPDATE hotline_tickets SET published = TRUE, published_at = COALESCE(published_at, $1), publish_subject = $2, publish_body = $3, publish_reply = $4 WHERE case_id = $5")
                    .bind(crate::time::now_ms())
                    .bind(subject.as_str())
                    .bind(body.as_str())
                    .bind(reply.as_str())
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                crate::search::reindex(tx, &registry, crate::search_source::KIND, id).await?;
                audit::record(
                    tx,
                    &actor,
                    NewEvent::new("case", id, "publish", if first { "公开信件及答复" } else { "更新公开内容" }).changes(Changes::new().set("公开标题", serde_json::Value::Null, &subject).set("自动遮盖", serde_json::Value::Null, ns + nb + nr)),
                )
                .await?;
                Ok(())
            }
            .boxed()
        })
        .await?;
    Ok(redirect_ok(&format!("/hotline/tickets/{id}"), "已公开（原件保留未改动）"))
}
