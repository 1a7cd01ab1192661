//! `/procedures`: every procedure the kernel runs, drawn from its definition, with each step,
//! who takes it, what it requires, its deadline and its legal basis — the law as the system
//! applies it, readable by anyone who works with it.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use std::collections::BTreeMap;

use crate::auth::Staff;
use crate::error::AppError;
use crate::kernel::definition::{ClockEffect, Guard, Procedure, To};
use crate::kernel::engine::rule_days;
use crate::state::AppState;
use crate::web::extract::Path;
use crate::web::{Ctx, Layout, PageError, render};

pub fn routes() -> Router<AppState> {
    Router::new().route("/procedures", get(list)).route("/procedures/{code}", get(show)).route("/cases/{id}", get(case_redirect))
}

#[derive(Template)]
#[template(path = "procedures/list.html")]
struct ListPage {
    layout: Layout,
    procs: Vec<(&'static str, &'static str, &'static str, usize, usize)>,
}

async fn list(State(state): State<AppState>, staff: Staff, ctx: Ctx) -> Result<Response, PageError> {
    let procs = state.procedures().iter().map(|p| (p.code, p.name, p.law, p.states.len(), p.transitions.len())).collect();
    render(&ListPage { layout: Layout::new(&staff, &ctx, "法定程序与时限").crumb("法定程序与时限", "/procedures"), procs })
}

pub struct StepRow {
    pub from: String,
    pub name: &'static str,
    pub to: String,
    pub who: String,
    pub requires: Vec<String>,
    pub clock: Vec<String>,
    pub basis: Vec<String>,
    pub validity: String,
    pub unconfirmed: bool,
}

pub struct RuleRow {
    pub name: &'static str,
    pub days: String,
    pub starts: String,
    pub basis: String,
    pub validity: String,
    pub unconfirmed: bool,
    pub configurable: bool,
}

#[derive(Template)]
#[template(path = "procedures/show.html")]
struct ShowPage {
    layout: Layout,
    name: &'static str,
    law: &'static str,
    /// The drawing, or (when it cannot be read) the swim-lane table below.
    svg: Option<String>,
    anywhere: Vec<String>,
    lanes: crate::kernel::diagram::Lanes,
    states: Vec<(&'static str, &'static str, &'static str)>,
    steps: Vec<StepRow>,
    rules: Vec<RuleRow>,
    number_pattern: &'static str,
    /// Whether a rule's source is checked, or a local default, is for administrators: they
    /// configure the rules. Staff read the rule and its article.
    show_provenance: bool,
}

pub fn describe_steps(p: &Procedure) -> Vec<StepRow> {
    p.transitions
        .iter()
        .map(|t| {
            let mut requires = Vec::new();
            let mut basis: Vec<String> = t.basis.iter().map(|b| b.full()).collect();
            let mut unconfirmed = t.basis.is_some_and(|b| b.confidence == crate::kernel::definition::Confidence::Unconfirmed);
            for (g, b) in &t.guards {
                requires.push(match g {
                    Guard::Field { label, .. } => format!("须填写{label}"),
                    Guard::Reason => "须说明理由".into(),
                    Guard::Evidence { min } => format!("须附证据材料至少 {min} 份"),
                    Guard::Opinion { label, passed, .. } => format!("{label}须为“{passed}”"),
                    Guard::WithinWorkingDays { days, .. } => format!("须在 {days} 个工作日内"),
                    Guard::AtMost { max } => format!("全案至多 {max} 次"),
                    Guard::Check { label, .. } | Guard::Input { field: label, .. } | Guard::Require { label, .. } => (*label).to_string(),
                    Guard::NotBy { action } => {
                        let other = p.transitions.iter().find(|x| x.action == *action).map_or(*action, |x| x.name);
                        format!("不得由“{other}”的提出人办理")
                    }
                });
                if let Some(b) = b {
                    if !basis.contains(&b.full()) {
                        basis.push(b.full());
                    }
                    unconfirmed |= b.confidence == crate::kernel::definition::Confidence::Unconfirmed;
                }
            }
            let clock = t
                .clock
                .iter()
                .map(|c| match c {
                    ClockEffect::Start(r) => format!("开始计时：{}", p.deadlines.iter().find(|d| d.code == *r).map(|d| d.name).unwrap_or(r)),
                    ClockEffect::Pause => "暂停计时".into(),
                    ClockEffect::Resume => "恢复计时（期限顺延暂停的天数）".into(),
                    ClockEffect::Extend { max_days, max_times, .. } => format!("延长期限：最多 {max_days} 个工作日，全案 {max_times} 次"),
                    ClockEffect::Stop => "停止计时".into(),
                })
                .collect();
            let to = match &t.to {
                To::State(s) => p.state_name(s).to_string(),
                To::Previous => "回到原状态".into(),
                To::Same => "状态不变".into(),
                To::Choose { targets, .. } => targets.iter().map(|s| p.state_name(s)).collect::<Vec<_>>().join(" 或 "),
            };
            StepRow {
                from: t.from.iter().map(|s| p.state_name(s)).collect::<Vec<_>>().join("、"),
                name: t.name,
                to,
                who: t.taker.label(),
                requires,
                clock,
                basis,
                validity: t.validity.describe(),
                unconfirmed,
            }
        })
        .collect()
}

pub fn describe_rules(p: &Procedure, overrides: &BTreeMap<String, u32>) -> Vec<RuleRow> {
    p.deadlines
        .iter()
        .map(|r| RuleRow {
            name: r.name,
            days: format!("{}{}", rule_days(r, overrides), r.unit.label()),
            starts: r.starts_on.iter().filter_map(|a| p.transitions.iter().find(|t| t.action == *a).map(|t| t.name)).collect::<Vec<_>>().join("、"),
            basis: r.basis.full(),
            validity: r.validity.describe(),
            unconfirmed: r.basis.confidence == crate::kernel::definition::Confidence::Unconfirmed,
            configurable: r.setting.is_some(),
        })
        .collect()
}

async fn show(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(code): Path<String>) -> Result<Response, PageError> {
    let p = state.procedures().into_iter().find(|p| p.code == code).ok_or_else(|| AppError::not_found("procedure_not_found", "没有这个程序"))?;
    let overrides = crate::settings::procedure_overrides(&state.db, p.code).await?;
    let diagram = crate::kernel::diagram::diagram(p);
    render(&ShowPage {
        show_provenance: staff.has(crate::auth::Perm::ADMIN_SETTINGS),
        layout: Layout::new(&staff, &ctx, p.name).crumb("法定程序与时限", "/procedures").crumb(p.name, ""),
        name: p.name,
        law: p.law,
        svg: diagram.svg,
        anywhere: diagram.anywhere,
        lanes: diagram.lanes,
        states: p
            .states
            .iter()
            .map(|s| {
                (
                    s.name,
                    if s.terminal {
                        "终结"
                    } else if s.awaiting_approval {
                        "待审批"
                    } else {
                        "进行中"
                    },
                    s.description,
                )
            })
            .collect(),
        steps: describe_steps(p),
        rules: describe_rules(p, &overrides),
        number_pattern: p.number_pattern,
    })
}

async fn case_redirect(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> Result<Response, PageError> {
    let case = crate::kernel::access::readable_case(&state, &staff, id).await?;
    let p = state.procedures().into_iter().find(|p| p.code == case.procedure).ok_or_else(|| AppError::not_found("procedure_not_found", "没有这个程序"))?;
    Ok(Redirect::to(&p.case_url(id)).into_response())
}
