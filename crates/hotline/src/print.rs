//! The printable 工单办理单: one sheet per ticket that the handling unit files with its papers
//! or takes on site — the number, the caller (masked per the reader's rights), what was asked,
//! how it was routed, the unit, the due date and its rule, the reply, and room for signatures.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::model::{channel_label, evaluation_label};
use super::pages::Names;
use super::pii::{self, TextView};
use super::queries;
use super::rules::PROCEDURE;
use super::service::{self, Who};
use crate::audit;
use crate::auth::{Perm, Staff};
use crate::db::q;
use crate::kernel::engine::Authority;
use crate::privacy::{mask_address, mask_name, mask_phone};
use crate::state::AppState;
use crate::time::{fmt_datetime, today};
use crate::web::extract::Path;
use crate::web::{Ctx, Layout, PageError, render};

/// One step of the routing and handling, as the sheet lists it.
pub struct ChainStep {
    pub at: String,
    pub actor: String,
    pub step: String,
    /// 承办单位 A → B, 协办单位, days of an extension…
    pub detail: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "hotline/print.html")]
struct PrintPage {
    layout: Layout,
    id: i64,
    case_no: String,
    title: String,
    state: &'static str,
    channel: &'static str,
    received: String,
    caller_name: String,
    caller_phone: String,
    /// The caller's data are shown as given (the reader may see personal data; logged).
    caller_original: bool,
    category: String,
    place: String,
    address_original: bool,
    subject: String,
    description: String,
    unit: String,
    co_units: String,
    assignee: String,
    due: String,
    due_rule: String,
    chain: Vec<ChainStep>,
    reply: String,
    replied: String,
    on_time: &'static str,
    evaluation: String,
    printed: String,
    printed_by: String,
}

/// The changes of a step worth printing: who handles it and for how long.
const CHAIN_FIELDS: &[&str] = &["承办单位", "协办单位", "延长工作日", "评价", "告知途径", "并入"];

pub async fn show(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    let (case, t) = queries::load(&state.db, id).await?.ok_or_else(crate::kernel::access::not_found)?;
    let auth = service::authority(&state, Who::Staff(&staff), &case, &t).await?;
    if !service::can_read(&auth) {
        return Err(crate::kernel::access::not_found().into());
    }
    let text = TextView::of(&auth);
    // The caller's name and phone as given to those who may see personal data: a sheet taken on
    // site must let the unit call back. Printing them is a look at the originals, logged as such.
    let caller_original = auth.staff_may(Perm::PII_VIEW) && (t.caller_phone.is_some() || t.caller_name.is_some());
    let handles = pii::handles(&auth, &case);
    let address_original = t.address.is_some() && (caller_original || handles);
    if caller_original {
        crate::kernel::page::log_reveal(&state, staff.actor(), id, "打印工单办理单（含来电人电话、地址原文）", "电话、姓名、地址").await?;
    } else if address_original {
        pii::log_duty_view(&state, &staff, id).await?;
    }
    let mut ids = vec![case.org_id];
    ids.extend(t.town_id);
    ids.extend(t.village_id);
    let names = Names::load(&state, &ids, &t.category_id.into_iter().collect::<Vec<_>>()).await?;
    let co_units: Vec<(String,)> =
        q("SELECT o.name FROM case_units cu JOIN orgs o ON o.id = cu.org_id WHERE cu.case_id = $1 ORDER BY o.sort").bind(id).fetch_all(&state.db).await?;
    let unit: Option<(String,)> = q("SELECT name FROM orgs WHERE id = $1").bind(case.org_id).fetch_optional(&state.db).await?;
    let assignee = match case.assignee_id {
        Some(u) => q("SELECT display_name FROM users WHERE id = $1").bind(u).fetch_optional::<(String,)>(&state.db).await?.map(|r| r.0).unwrap_or_default(),
        None => String::new(),
    };
    let steps: Vec<&str> = PROCEDURE.transitions.iter().map(|tr| tr.action).collect();
    let chain = text
        .events(audit::timeline(&state.db, "case", id).await?)
        .into_iter()
        .filter(|e| e.action == "intake" || steps.contains(&e.action.as_str()))
        .map(|e| {
            let detail = e
                .change_list()
                .into_iter()
                .filter(|c| CHAIN_FIELDS.contains(&c.0.as_str()))
                .map(|(k, from, to)| if from == "—" { format!("{k}：{to}") } else { format!("{k}：{from} → {to}") })
                .collect::<Vec<_>>()
                .join("；");
            ChainStep { at: e.at_display(), actor: e.actor_name.clone(), step: e.summary.clone(), detail, reason: e.reason.clone().unwrap_or_default() }
        })
        .collect();
    let cal = state.calendar();
    let badge = crate::kernel::page::badge(&PROCEDURE, &case, "办理期限", today(), &cal);
    let place = [names.org(t.town_id), names.org(t.village_id)].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ");
    let address = t.address.as_deref().map(|a| if address_original { a.to_string() } else { mask_address(a) }).unwrap_or_default();
    render(&PrintPage {
        layout: Layout::new(&staff, &ctx, format!("工单办理单 {}", case.case_no))
            .crumb("12345 热线", "/hotline/tickets")
            .crumb(case.case_no.clone(), format!("/hotline/tickets/{id}"))
            .crumb("工单办理单", ""),
        id,
        case_no: case.case_no.clone(),
        title: text.text(&case.title),
        state: PROCEDURE.state_name(&case.state),
        channel: channel_label(&t.channel),
        received: fmt_datetime(t.received_at),
        caller_name: t.caller_name.as_deref().map(|n| if caller_original { n.to_string() } else { mask_name(n) }).unwrap_or_default(),
        caller_phone: t.caller_phone.as_deref().map(|p| if caller_original { p.to_string() } else { mask_phone(p) }).unwrap_or_default(),
        caller_original,
        category: names.cat(t.category_id),
        place: format!("{place} {address}").trim().to_string(),
        address_original,
        subject: text.opt(t.subject.as_deref()).unwrap_or_default(),
        description: text.text(&t.description),
        unit: unit.map(|u| u.0).unwrap_or_default(),
        co_units: co_units.into_iter().map(|r| r.0).collect::<Vec<_>>().join("、"),
        assignee,
        due: if case.is_open { case.due_on.clone().unwrap_or_default() } else { String::new() },
        due_rule: badge.reasons.join("；"),
        chain,
        reply: text.opt(t.reply_text.as_deref()).unwrap_or_default(),
        replied: t.replied_at.map(fmt_datetime).unwrap_or_default(),
        on_time: match t.replied_on_time {
            Some(true) => "按时",
            Some(false) => "超期",
            None => "",
        },
        evaluation: match (t.evaluation.as_deref(), text.opt(t.evaluation_comment.as_deref())) {
            (Some(e), Some(c)) if !c.is_empty() => format!("{}（{c}）", evaluation_label(e)),
            (Some(e), _) => evaluation_label(e).to_string(),
            _ => String::new(),
        },
        printed: fmt_datetime(crate::time::now_ms()),
        printed_by: staff.name.clone(),
    })
}
