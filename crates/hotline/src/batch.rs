//! 批量派单 and 批量签收 from the ticket list: the tickets ticked, one action.
//!
//! Each ticket goes through the same step as on its own page ([`service::step`]: the kernel's
//! transition, its guards, the unit's scope, the version the reader saw), in its own
//! transaction: a ticket refused (taken meanwhile, in another state, outside the reader's
//! units) changes nothing and does not stop the others. The answer lists every ticket with
//! what happened to it and, for a refusal, why and on what basis.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::queries;
use super::rules::PROCEDURE;
use super::service::{self, StepForm, Who};
use crate::auth::Staff;
use crate::error::AppError;
use crate::org::OrgKind;
use crate::org::queries as orgs;
use crate::state::AppState;
use crate::web::form::FormData;
use crate::web::{Ctx, Layout, PageError, render};

/// At most this many tickets in one batch (a page of the list).
pub const MAX_BATCH: usize = 100;

/// The steps that may be taken in a batch.
pub const ACTIONS: &[(&str, &str)] = &[("dispatch", "批量派单"), ("sign", "批量签收")];

/// A ticket's outcome.
pub struct Outcome {
    pub id: i64,
    /// Empty when the ticket is not one the reader may see (it is not named then).
    pub case_no: String,
    pub ok: bool,
    pub message: String,
    pub basis: Vec<String>,
}

#[derive(Template)]
#[template(path = "hotline/batch.html")]
struct BatchPage {
    layout: Layout,
    name: &'static str,
    outcomes: Vec<Outcome>,
    done: usize,
    refused: usize,
    back: String,
}

/// A ticked row: `id:version` (the version the reader saw, so that a ticket changed since is
/// refused rather than stepped blind).
fn parse_row(v: &str) -> Option<(i64, Option<i64>)> {
    let (id, version) = match v.split_once(':') {
        Some((i, ver)) => (i, Some(ver.trim().parse().ok()?)),
        None => (v, None),
    };
    Some((id.trim().parse().ok()?, version))
}

/// What the form asks for, checked before any ticket is touched.
#[derive(Debug)]
pub struct Request {
    pub action: &'static str,
    pub name: &'static str,
    pub rows: Vec<(i64, Option<i64>)>,
    /// The unit to dispatch to; `None` for each ticket's routing suggestion.
    pub org: Option<i64>,
}

pub fn parse(form: &FormData) -> Result<Request, AppError> {
    let (action, name) = ACTIONS
        .iter()
        .find(|a| Some(a.0) == form.get("action"))
        .copied()
        .ok_or_else(|| AppError::field("action", "unknown_action", "请选择批量办理的事项：批量派单或批量签收"))?;
    let mut rows: Vec<(i64, Option<i64>)> = Vec::new();
    for v in form.all("ids") {
        let r = parse_row(v).ok_or_else(|| AppError::field("ids", "bad_id", format!("“{v}”不是有效的工单")))?;
        if !rows.iter().any(|x| x.0 == r.0) {
            rows.push(r);
        }
    }
    if rows.is_empty() {
        return Err(AppError::field("ids", "required", "请先勾选要办理的工单"));
    }
    if rows.len() > MAX_BATCH {
        return Err(AppError::field("ids", "too_many", format!("一次最多办理 {MAX_BATCH} 件，已勾选 {} 件", rows.len())));
    }
    let org = match (action, form.get("org").map(str::trim).unwrap_or("")) {
        ("dispatch", "" | "suggested") => None,
        ("dispatch", o) => Some(o.parse().map_err(|_| AppError::field("org", "not_a_number", "承办单位须为机构编号"))?),
        _ => None,
    };
    Ok(Request { action, name, rows, org })
}

/// Take the step on each ticket of the request, each on its own.
pub async fn run(state: &AppState, staff: &Staff, req: &Request) -> Result<Vec<Outcome>, AppError> {
    let mut out = Vec::with_capacity(req.rows.len());
    for &(id, version) in &req.rows {
        let found = queries::load(&state.db, id).await?;
        let readable = match &found {
            Some((case, t)) => service::can_read(&service::authority(state, Who::Staff(staff), case, t).await?),
            None => false,
        };
        let Some((case, t)) = found.filter(|_| readable) else {
            out.push(Outcome { id, case_no: String::new(), ok: false, message: "工单不存在，或不在您的办理范围内".into(), basis: vec![] });
            continue;
        };
        let mut form = StepForm::default();
        if req.action == "dispatch" {
            let org = match req.org {
                Some(o) => Some(o),
                None => service::suggest(state, &t).await?.0,
            };
            match org {
                Some(o) => {
                    form.fields.insert("org".into(), o.to_string());
                }
                None => {
                    out.push(Outcome {
                        id,
                        case_no: case.case_no,
                        ok: false,
                        message: "没有分派建议（类别无默认承办单位，分派规则也不适用），请在工单页选择承办单位".into(),
                        basis: vec![],
                    });
                    continue;
                }
            }
        }
        match service::step(state, Who::Staff(staff), id, version, req.action, form).await {
            Ok(after) => {
                let unit = if req.action == "dispatch" {
                    orgs::get(&state.db, after.org_id).await?.map(|o| format!("：派至{}", o.name)).unwrap_or_default()
                } else {
                    String::new()
                };
                let due = after.due_on.as_deref().map(|d| format!("，办理期限 {d}")).unwrap_or_default();
                out.push(Outcome {
                    id,
                    case_no: case.case_no,
                    ok: true,
                    message: format!("已{}{unit}{due}", if req.action == "dispatch" { "派单" } else { "签收" }),
                    basis: vec![],
                });
            }
            Err(e @ (AppError::Refused { .. } | AppError::Invalid { .. } | AppError::Conflict { .. } | AppError::Forbidden { .. })) => {
                let mut message = e.user_message();
                for f in e.field_errors() {
                    if !message.contains(&f.message) {
                        message = format!("{message}：{}", f.message);
                    }
                }
                out.push(Outcome { id, case_no: case.case_no, ok: false, message, basis: e.basis().to_vec() });
            }
            Err(e) if e.code() == "case_not_found" => {
                out.push(Outcome { id, case_no: String::new(), ok: false, message: "工单不存在，或不在您的办理范围内".into(), basis: vec![] });
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// `POST /hotline/tickets/batch`.
pub async fn submit(State(state): State<AppState>, staff: Staff, ctx: Ctx, form: FormData) -> Result<Response, PageError> {
    // Back to the list the reader came from (a path of this list only).
    let back = form.get("back").filter(|b| b.starts_with("/hotline/tickets?") || *b == "/hotline/tickets").unwrap_or("/hotline/tickets").to_string();
    let req = parse(&form)?;
    if req.action == "dispatch" {
        if let Some(o) = req.org {
            let org = orgs::get(&state.db, o).await?.ok_or_else(|| AppError::field("org", "org_not_found", "承办单位不存在"))?;
            if !org.active || org.kind() == OrgKind::City {
                return Err(AppError::field("org", "org_cannot_handle", format!("“{}”不能作为承办单位", org.name)).into());
            }
        }
    }
    let outcomes = run(&state, &staff, &req).await?;
    let done = outcomes.iter().filter(|o| o.ok).count();
    render(&BatchPage {
        layout: Layout::new(&staff, &ctx, req.name).crumb("12345 热线", "/hotline/tickets").crumb(req.name, ""),
        name: req.name,
        refused: outcomes.len() - done,
        done,
        outcomes,
        back,
    })
}

/// The units a dispatcher may choose for a batch (as on a ticket's 派单 form).
pub async fn units(state: &AppState) -> Result<Vec<crate::org::queries::OrgRow>, AppError> {
    orgs::of_kinds(&state.db, &[OrgKind::Department, OrgKind::Town, OrgKind::Park, OrgKind::Unit]).await
}

/// The name of a step, for the list's buttons.
pub fn step_name(action: &str) -> &'static str {
    PROCEDURE.transitions.iter().find(|t| t.action == action).map(|t| t.name).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> FormData {
        FormData(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    #[test]
    fn requests_are_checked_before_any_ticket() {
        let r = parse(&form(&[("action", "sign"), ("ids", "7:3"), ("ids", "9"), ("ids", "7:3")])).unwrap();
        assert_eq!(r.rows, vec![(7, Some(3)), (9, None)]);
        assert_eq!(r.org, None);
        let r = parse(&form(&[("action", "dispatch"), ("ids", "7:3"), ("org", "12")])).unwrap();
        assert_eq!(r.org, Some(12));
        assert_eq!(parse(&form(&[("action", "dispatch"), ("ids", "7:3"), ("org", "suggested")])).unwrap().org, None);
        assert_eq!(parse(&form(&[("action", "sign")])).unwrap_err().field_errors()[0].field, "ids");
        assert_eq!(parse(&form(&[("action", "reply"), ("ids", "1")])).unwrap_err().field_errors()[0].field, "action");
        assert_eq!(parse(&form(&[("action", "sign"), ("ids", "x")])).unwrap_err().field_errors()[0].code, "bad_id");
        let many: Vec<(String, String)> = (0..=MAX_BATCH).map(|i| ("ids".to_string(), i.to_string())).chain([("action".into(), "sign".into())]).collect();
        assert_eq!(parse(&FormData(many)).unwrap_err().field_errors()[0].code, "too_many");
    }
}
