//! Historical tickets from a legacy system (XLSX or CSV, UTF-8 or GBK), with their whole
//! lifecycle dates. The file is checked first — every bad row and column is reported and
//! nothing is written — then imported in one transaction: cases with their original numbers
//! and times, events with the original times, indicator flags and counters exactly as for live
//! tickets. Large files run in the background with their progress on a page.
//!
//! Columns (header names; English alternatives in brackets):
//! 工单编号 [case_no] optional · 登记时间 [received_at] · 渠道 [channel] · 诉求人 [caller_name] ·
//! 联系电话 [caller_phone] · 诉求类别编码 [category_code] · 乡镇编码 [town_code] ·
//! 村社区编码 [village_code] · 地址 [address] · 标题 [subject] · 诉求内容 [description] ·
//! 需要回复 [wants_reply] · 结果 [outcome: 办结/不予受理/直接答复/终止] · 承办单位编码 [org_code] ·
//! 派单时间 [dispatched_at] · 答复时间 [replied_at] · 答复内容 [reply] · 是否按时 [on_time] ·
//! 办结时间 [closed_at] · 回访结果 [evaluation: 满意/基本满意/不满意] · 回访意见 [comment] ·
//! 退单次数 [returns] · 延期次数 [extensions] · 重办次数 [reopens] · 督办 [supervised]

use std::collections::{BTreeMap, HashMap, HashSet};

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use chrono::NaiveDateTime;
use futures::FutureExt;

use super::model::{self, Channel, KpiFacts, kpi_flags};
use super::queries;
use super::rules::PROCEDURE;
use crate::audit::{Actor, Chain, Changes, NewEvent};
use crate::auth::Staff;
use crate::calendar::Calendar;
use crate::db::{Tx, q};
use crate::error::AppError;
use crate::org::queries as orgs;
use crate::state::AppState;
use crate::tabular::{self, RowError, Table, cell};
use crate::time::{fmt_date, local_date};
use crate::web::extract::Path;
use crate::web::form::Multipart;
use crate::web::{Ctx, Layout, PageError, redirect_ok, render};

/// One historical ticket, checked.
#[derive(Clone, Debug)]
pub struct LegacyTicket {
    pub row: usize,
    pub case_no: Option<String>,
    pub received_at: i64,
    pub channel: Channel,
    pub caller_name: Option<String>,
    pub caller_phone: Option<String>,
    pub category_id: i64,
    pub handle_days: i64,
    pub town_id: Option<i64>,
    pub village_id: Option<i64>,
    pub address: Option<String>,
    pub subject: Option<String>,
    pub description: String,
    pub wants_reply: bool,
    pub outcome: Outcome,
    pub org_id: Option<i64>,
    pub dispatched_at: Option<i64>,
    pub replied_at: Option<i64>,
    pub reply: Option<String>,
    pub on_time: Option<bool>,
    pub closed_at: i64,
    pub evaluation: Option<String>,
    pub comment: Option<String>,
    pub returns: i64,
    pub extensions: i64,
    pub reopens: i64,
    pub supervised: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Closed,
    NotAccepted,
    Answered,
    Terminated,
}

impl Outcome {
    fn parse(s: &str) -> Option<Outcome> {
        match s.trim() {
            "办结" | "已办结" | "closed" => Some(Outcome::Closed),
            "不予受理" | "not_accepted" => Some(Outcome::NotAccepted),
            "直接答复" | "answered" => Some(Outcome::Answered),
            "终止" | "已终止" | "terminated" => Some(Outcome::Terminated),
            _ => None,
        }
    }
    fn state(self) -> &'static str {
        match self {
            Outcome::Closed => "closed",
            Outcome::NotAccepted => "not_accepted",
            Outcome::Answered => "answered",
            Outcome::Terminated => "terminated",
        }
    }
}

pub const COLUMNS: &[(&str, &[&str])] = &[
    ("工单编号", &["工单编号", "case_no"]),
    ("登记时间", &["登记时间", "受理时间", "received_at"]),
    ("渠道", &["渠道", "channel"]),
    ("诉求人", &["诉求人", "caller_name"]),
    ("联系电话", &["联系电话", "caller_phone"]),
    ("诉求类别编码", &["诉求类别编码", "category_code"]),
    ("乡镇编码", &["乡镇编码", "town_code"]),
    ("村社区编码", &["村社区编码", "village_code"]),
    ("地址", &["地址", "address"]),
    ("标题", &["标题", "subject"]),
    ("诉求内容", &["诉求内容", "description"]),
    ("需要回复", &["需要回复", "wants_reply"]),
    ("结果", &["结果", "outcome"]),
    ("承办单位编码", &["承办单位编码", "org_code"]),
    ("派单时间", &["派单时间", "dispatched_at"]),
    ("答复时间", &["答复时间", "replied_at"]),
    ("答复内容", &["答复内容", "reply"]),
    ("是否按时", &["是否按时", "on_time"]),
    ("办结时间", &["办结时间", "closed_at"]),
    ("回访结果", &["回访结果", "evaluation"]),
    ("回访意见", &["回访意见", "comment"]),
    ("退单次数", &["退单次数", "returns"]),
    ("延期次数", &["延期次数", "extensions"]),
    ("重办次数", &["重办次数", "reopens"]),
    ("督办", &["督办", "supervised"]),
];

fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim().replace('/', "-");
    for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(&s, f) {
            return crate::time::shanghai().from_local_datetime(&dt).single().map(|d| d.timestamp_millis());
        }
    }
    crate::time::parse_date(&s).map(|d| crate::time::start_of_day_ms(d) + 9 * 3600 * 1000)
}

use chrono::TimeZone;

fn yes_no(s: &str) -> Option<bool> {
    match s.trim() {
        "是" | "Y" | "y" | "1" | "true" | "需要" => Some(true),
        "否" | "N" | "n" | "0" | "false" | "不需要" => Some(false),
        _ => None,
    }
}

/// Everything a check needs to know about the database, loaded once.
pub struct Lookups {
    pub categories: HashMap<String, (i64, i64)>,
    pub orgs: HashMap<String, (i64, String, crate::org::OrgKind)>,
    pub existing_numbers: HashSet<String>,
}

impl Lookups {
    pub async fn load(state: &AppState, numbers: &[String]) -> Result<Lookups, AppError> {
        let cats = queries::categories(&state.db, false).await?;
        let all = orgs::all(&state.db).await?;
        let mut existing = HashSet::new();
        for chunk in numbers.chunks(500) {
            let rows: Vec<(String,)> = q("SELECT case_no FROM cases WHERE").push_in("case_no", chunk).fetch_all(&state.db).await?;
            existing.extend(rows.into_iter().map(|r| r.0));
        }
        Ok(Lookups {
            categories: cats.into_iter().map(|c| (c.code, (c.id, c.handle_days))).collect(),
            orgs: all.into_iter().map(|o| (o.code.clone(), (o.id, o.path.clone(), o.kind()))).collect(),
            existing_numbers: existing,
        })
    }
}

/// Check a table; every problem is reported with its row and column.
pub fn check(table: &Table, l: &Lookups, mut progress: impl FnMut(usize)) -> Result<Vec<LegacyTicket>, Vec<RowError>> {
    let mut errors = Vec::new();
    let required = ["登记时间", "诉求类别编码", "诉求内容", "结果"];
    let mut idx: HashMap<&str, usize> = HashMap::new();
    for (label, names) in COLUMNS {
        if let Some(i) = table.column(names) {
            idx.insert(label, i);
        } else if required.contains(label) {
            errors.push(RowError::new(1, *label, format!("缺少必需的列“{label}”")));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut seen_numbers: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(table.rows.len());
    for (n, (row, cells)) in table.rows.iter().enumerate() {
        if n % 1000 == 0 {
            progress(n);
        }
        let row = *row;
        let get = |label: &str| idx.get(label).map(|i| cell(cells, *i).trim()).unwrap_or("");
        let mut bad = |col: &str, msg: String| errors.push(RowError::new(row, col, msg));
        let case_no = Some(get("工单编号").to_string()).filter(|s| !s.is_empty());
        if let Some(no) = &case_no {
            if no.chars().count() > 40 {
                bad("工单编号", "工单编号不能超过 40 个字符".into());
            } else if l.existing_numbers.contains(no) {
                bad("工单编号", format!("工单编号“{no}”在系统中已存在"));
            } else if let Some(prev) = seen_numbers.insert(no.clone(), row) {
                bad("工单编号", format!("工单编号“{no}”与第 {prev} 行重复"));
            }
        }
        let time = |label: &str, required: bool, bad: &mut dyn FnMut(&str, String)| -> Option<i64> {
            let v = get(label);
            if v.is_empty() {
                if required {
                    bad(label, format!("缺少{label}"));
                }
                return None;
            }
            let t = parse_time(v);
            if t.is_none() {
                bad(label, format!("“{v}”不是有效的时间（应为 YYYY-MM-DD HH:MM）"));
            }
            t
        };
        let received_at = time("登记时间", true, &mut bad);
        let channel = match get("渠道") {
            "" => Channel::Phone,
            c => Channel::parse(c).unwrap_or_else(|| {
                bad("渠道", format!("渠道“{c}”无法识别（电话、网上、市长信箱、接口）"));
                Channel::Phone
            }),
        };
        let caller_phone = match get("联系电话") {
            "" => None,
            p => match crate::privacy::Phone::parse(p) {
                Ok(p) => Some(p.as_str().to_string()),
                Err(m) => {
                    bad("联系电话", m.into());
                    None
                }
            },
        };
        let (category_id, handle_days) = match l.categories.get(get("诉求类别编码")) {
            Some(c) => *c,
            None => {
                bad("诉求类别编码", format!("诉求类别“{}”不存在", get("诉求类别编码")));
                (0, 5)
            }
        };
        let org_of = |label: &str, bad: &mut dyn FnMut(&str, String), want: &dyn Fn(crate::org::OrgKind) -> bool| -> Option<(i64, String)> {
            let v = get(label);
            if v.is_empty() {
                return None;
            }
            match l.orgs.get(v) {
                Some((id, path, kind)) if want(*kind) => Some((*id, path.clone())),
                Some(_) => {
                    bad(label, format!("“{v}”不是该列要求的机构类型"));
                    None
                }
                None => {
                    bad(label, format!("机构编码“{v}”不存在"));
                    None
                }
            }
        };
        let town = org_of("乡镇编码", &mut bad, &|k| k.is_town_level());
        let village = org_of("村社区编码", &mut bad, &|k| k.is_village_level());
        if let (Some((_, tp)), Some((_, vp))) = (&town, &village) {
            if !vp.starts_with(tp.as_str()) {
                bad("村社区编码", "村（社区）不属于所填乡镇".into());
            }
        }
        let description = get("诉求内容").to_string();
        if description.is_empty() {
            bad("诉求内容", "诉求内容不能为空".into());
        } else if description.chars().count() > model::MAX_DESCRIPTION {
            bad("诉求内容", format!("诉求内容超过 {} 字", model::MAX_DESCRIPTION));
        }
        let wants_reply = match get("需要回复") {
            "" => true,
            v => yes_no(v).unwrap_or_else(|| {
                bad("需要回复", format!("“{v}”应为“是”或“否”"));
                true
            }),
        };
        let outcome = Outcome::parse(get("结果"));
        if outcome.is_none() {
            bad("结果", format!("结果“{}”应为：办结、不予受理、直接答复、终止", get("结果")));
        }
        let handled = matches!(outcome, Some(Outcome::Closed | Outcome::Terminated));
        let org = org_of("承办单位编码", &mut bad, &|k| {
            !matches!(k, crate::org::OrgKind::City | crate::org::OrgKind::Village | crate::org::OrgKind::Community)
        });
        if handled && org.is_none() && get("承办单位编码").is_empty() {
            bad("承办单位编码", "办结或终止的工单须填写承办单位".into());
        }
        let dispatched_at = time("派单时间", handled, &mut bad);
        let replied_at = time("答复时间", outcome == Some(Outcome::Closed), &mut bad);
        let closed_at = time("办结时间", false, &mut bad).or(replied_at).or(received_at);
        let reply = Some(get("答复内容").to_string()).filter(|s| !s.is_empty());
        if outcome == Some(Outcome::Closed) && reply.is_none() {
            bad("答复内容", "办结的工单须有答复内容".into());
        }
        let on_time = match get("是否按时") {
            "" => None,
            v => match yes_no(v) {
                Some(b) => Some(b),
                None => {
                    bad("是否按时", format!("“{v}”应为“是”或“否”"));
                    None
                }
            },
        };
        let evaluation = match get("回访结果") {
            "" => None,
            "满意" | "satisfied" => Some("satisfied".to_string()),
            "基本满意" | "basically" => Some("basically".to_string()),
            "不满意" | "dissatisfied" => Some("dissatisfied".to_string()),
            v => {
                bad("回访结果", format!("“{v}”应为满意、基本满意或不满意"));
                None
            }
        };
        let count = |label: &str, bad: &mut dyn FnMut(&str, String)| -> i64 {
            match get(label) {
                "" => 0,
                v => v.parse::<i64>().ok().filter(|n| (0..=50).contains(n)).unwrap_or_else(|| {
                    bad(label, format!("“{v}”应为 0–50 的整数"));
                    0
                }),
            }
        };
        let returns = count("退单次数", &mut bad);
        let extensions = count("延期次数", &mut bad);
        let reopens = count("重办次数", &mut bad);
        let supervised = match get("督办") {
            "" => false,
            v => yes_no(v).unwrap_or_else(|| {
                bad("督办", format!("“{v}”应为“是”或“否”"));
                false
            }),
        };
        // The dates must follow the lifecycle.
        let seq = [("登记时间", received_at), ("派单时间", dispatched_at), ("答复时间", replied_at), ("办结时间", closed_at)];
        let mut last: Option<(&str, i64)> = None;
        for (label, t) in seq {
            if let Some(t) = t {
                if let Some((pl, pt)) = last {
                    if t < pt {
                        bad(label, format!("{label}早于{pl}"));
                    }
                }
                last = Some((label, t));
            }
        }
        if let (Some(r), Some(o)) = (received_at, outcome) {
            out.push(LegacyTicket {
                row,
                case_no,
                received_at: r,
                channel,
                caller_name: Some(get("诉求人").to_string()).filter(|s| !s.is_empty()),
                caller_phone,
                category_id,
                handle_days,
                town_id: town.map(|t| t.0),
                village_id: village.map(|v| v.0),
                address: Some(get("地址").to_string()).filter(|s| !s.is_empty()),
                subject: Some(get("标题").to_string()).filter(|s| !s.is_empty()),
                description,
                wants_reply,
                outcome: o,
                org_id: org.map(|o| o.0),
                dispatched_at,
                replied_at,
                reply,
                on_time,
                closed_at: closed_at.unwrap_or(r),
                evaluation,
                comment: Some(get("回访意见").to_string()).filter(|s| !s.is_empty()),
                returns,
                extensions,
                reopens,
                supervised,
            });
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// Write checked tickets in one transaction. Returns how many.
pub async fn write(state: &AppState, actor: Actor, tickets: Vec<LegacyTicket>) -> Result<usize, AppError> {
    let centre = super::service::centre(state).await?;
    let cal = state.calendar();
    let n = tickets.len();
    state
        .db
        .write_alone(move |tx| {
            async move {
                let mut chain = Chain::open(tx).await?;
                let mut counters: BTreeMap<(&'static str, i64, String), [i64; 15]> = BTreeMap::new();
                for t in tickets {
                    write_one(tx, &mut chain, &actor, &centre, &cal, t, &mut counters).await?;
                }
                chain.close(tx).await?;
                queries::add_counts_many(tx, counters).await?;
                Ok(n)
            }
            .boxed()
        })
        .await
}

async fn write_one(
    tx: &mut Tx,
    chain: &mut Chain,
    actor: &Actor,
    centre: &crate::org::OrgRow,
    cal: &Calendar,
    t: LegacyTicket,
    counters: &mut BTreeMap<(&'static str, i64, String), [i64; 15]>,
) -> Result<(), AppError> {
    let opened_on = local_date(t.received_at);
    let year = chrono::Datelike::year(&opened_on);
    let case_no = match &t.case_no {
        Some(n) => n.clone(),
        None => crate::kernel::numbering::next(tx, PROCEDURE.code, PROCEDURE.number_pattern, year, &centre.code).await?,
    };
    let org_id = t.org_id.unwrap_or(centre.id);
    let due = t.dispatched_at.map(|d| cal.add_working_days(local_date(d), t.handle_days.max(1) as u32));
    let on_time = t.on_time.or_else(|| match (t.replied_at, due) {
        (Some(r), Some(d)) => Some(local_date(r) <= d),
        _ => None,
    });
    let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
    let handled = matches!(t.outcome, Outcome::Closed | Outcome::Terminated);
    if handled {
        counts.insert("accept", 1);
        counts.insert("dispatch", 1 + t.returns);
        counts.insert("reply", 1 + t.reopens);
    }
    if t.returns > 0 {
        counts.insert("approve_return", t.returns);
    }
    if t.extensions > 0 {
        counts.insert("approve_extension", t.extensions);
    }
    if t.reopens > 0 {
        counts.insert("callback_reopen", t.reopens);
    }
    if t.supervised {
        counts.insert("supervise", 1);
    }
    let title = t.subject.clone().unwrap_or_else(|| fazhi_platform::headline::headline(&t.description, 30));
    let case_id = q("INSERT INTO cases (procedure, case_no, year, title, state, org_id, opened_at, opened_on, due_on, extension_count, action_counts, is_open, closed_at, supervised, version, updated_at) \
                     VALUES ('hotline',$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,FALSE,$11,$12,1,$11) RETURNING id")
        .bind(case_no.as_str())
        .bind(i64::from(year))
        .bind(title)
        .bind(t.outcome.state())
        .bind(org_id)
        .bind(t.received_at)
        .bind(fmt_date(opened_on))
        .bind(due.map(fmt_date))
        .bind(t.extensions)
        .bind(serde_json::to_string(&counts).unwrap_or_else(|_| "{}".into()))
        .bind(t.closed_at)
        .bind(t.supervised)
        .fetch_i64(&mut *tx)
        .await?;
    let facts = KpiFacts {
        state: t.outcome.state().into(),
        dispatched: handled,
        replied_on_time: on_time,
        evaluation: t.evaluation.clone(),
        evaluated_by_callback_or_citizen: t.evaluation.is_some(),
        returned: t.returns > 0,
        extended: t.extensions > 0,
        reopened: t.reopens > 0,
        supervised: t.supervised,
    };
    let flags = kpi_flags(&facts).as_counts();
    let received_on = fmt_date(opened_on);
    let flag_cols = model::KPI_FLAG_COLUMNS.join(", ");
    let mut ins = q(format!(
        "INSERT INTO hotline_tickets (case_id, channel, caller_name, caller_phone, category_id, town_id, village_id, address, subject, description, attributes, urgency, confidential, wants_reply, publish_consent, dedupe_hash, received_at, received_on, dispatched_at, replied_at, closed_at, reply_text, replied_on_time, evaluation, evaluation_comment, evaluation_by, answer_text, not_accepted_reason, kpi_org_id, kpi_town_id, kpi_category_id, {flag_cols}) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,'{{}}','normal',FALSE,$11,FALSE,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28,$29,$30,$31,$32,$33,$34,$35,$36,$37,$38,$39,$40,$41)"
    ))
    .bind(case_id)
    .bind(t.channel.code())
    .bind(t.caller_name.clone())
    .bind(t.caller_phone.clone())
    .bind(t.category_id)
    .bind(t.town_id)
    .bind(t.village_id)
    .bind(t.address.clone())
    .bind(t.subject.clone())
    .bind(t.description.as_str())
    .bind(t.wants_reply)
    .bind(super::service::dedupe_hash(t.caller_phone.as_deref(), &t.description))
    .bind(t.received_at)
    .bind(received_on.as_str())
    .bind(t.dispatched_at)
    .bind(t.replied_at)
    .bind(t.closed_at)
    .bind(t.reply.clone().filter(|_| t.outcome == Outcome::Closed || t.outcome == Outcome::Terminated))
    .bind(on_time)
    .bind(t.evaluation.clone())
    .bind(t.comment.clone())
    .bind(t.evaluation.as_ref().map(|_| "import"))
    .bind(t.reply.clone().filter(|_| t.outcome == Outcome::Answered))
    .bind(t.reply.clone().filter(|_| t.outcome == Outcome::NotAccepted))
    .bind(org_id)
    .bind(t.town_id.unwrap_or(0))
    .bind(t.category_id);
    for f in flags {
        ins = ins.bind(f == 1);
    }
    ins.execute(&mut *tx).await?;
    // Counters, added up in memory and written once at the end.
    let mut vals = [0i64; 15];
    vals[0] = 1;
    vals[1..].copy_from_slice(&flags);
    for key in queries::dims(org_id, t.town_id, Some(t.category_id), t.channel.code()) {
        let e = counters.entry((key.0, key.1, received_on.clone())).or_insert([0; 15]);
        for i in 0..15 {
            e[i] += vals[i];
        }
    }
    // The lifecycle as events, at their original times.
    let ev = |action: &str, summary: &str| NewEvent::new("case", case_id, action, summary);
    chain
        .append(
            tx,
            actor,
            ev("intake", "登记（历史数据导入）").changes(Changes::new().created("渠道", t.channel.label()).created("工单编号", &case_no)),
            t.received_at,
        )
        .await?;
    match t.outcome {
        Outcome::NotAccepted => {
            chain.append(tx, actor, ev("not_accept", "不予受理").reason(t.reply.clone()), t.closed_at).await?;
        }
        Outcome::Answered => {
            chain.append(tx, actor, ev("answer_directly", "直接答复办结").changes(Changes::new().created("答复", t.reply.clone())), t.closed_at).await?;
        }
        Outcome::Closed | Outcome::Terminated => {
            chain.append(tx, actor, ev("accept", "受理"), t.received_at).await?;
            let d = t.dispatched_at.unwrap_or(t.received_at);
            chain.append(tx, actor, ev("dispatch", "派单").changes(Changes::new().set("办理期限", serde_json::Value::Null, due.map(fmt_date))), d).await?;
            if let Some(r) = t.replied_at {
                chain.append(tx, actor, ev("reply", "答复").changes(Changes::new().set("答复", serde_json::Value::Null, t.reply.clone())), r).await?;
            }
            let (action, summary) = if t.outcome == Outcome::Terminated { ("approve_termination", "同意终止") } else { ("review_pass", "审核通过") };
            chain.append(tx, actor, ev(action, summary), t.closed_at).await?;
            if let Some(e) = &t.evaluation {
                chain
                    .append(
                        tx,
                        actor,
                        ev("callback_close", "回访并办结").changes(Changes::new().set("评价", serde_json::Value::Null, model::evaluation_label(e))),
                        t.closed_at,
                    )
                    .await?;
            }
        }
    }
    Ok(())
}

/// Check and write a file (the command line and uploads). With a job, its record always ends
/// as done or failed with the reasons, whatever went wrong, so that the page never waits for
/// ever.
pub async fn import_bytes(state: &AppState, actor: Actor, bytes: &[u8], job: Option<i64>) -> Result<usize, Vec<RowError>> {
    let r = check_and_write(state, actor, bytes, job).await;
    if let (Err(errors), Some(id)) = (&r, job) {
        fail_job(state, id, errors).await;
    }
    r
}

/// Mark a job failed with its reasons (keeping the counts it reached).
async fn fail_job(state: &AppState, id: i64, errors: &[RowError]) {
    let errors = serde_json::to_string(&errors.iter().take(2000).collect::<Vec<_>>()).unwrap_or_else(|_| "[]".into());
    let r = state
        .db
        .write(move |tx| {
            async move {
                q("UPDATE hotline_imports SET state = 'failed', errors = $1, finished_at = $2 WHERE id = $3")
                    .bind(errors)
                    .bind(crate::time::now_ms())
                    .bind(id)
                    .execute(tx)
                    .await?;
                Ok(())
            }
            .boxed()
        })
        .await;
    if let Err(e) = r {
        tracing::warn!(error = %e, "cannot record the failed import");
    }
}

async fn check_and_write(state: &AppState, actor: Actor, bytes: &[u8], job: Option<i64>) -> Result<usize, Vec<RowError>> {
    let table = tabular::read(bytes).map_err(|e| vec![RowError::new(0, "", e.user_message())])?;
    let no_col = table.column(COLUMNS[0].1);
    let numbers: Vec<String> = match no_col {
        Some(i) => table.rows.iter().map(|(_, c)| cell(c, i).trim().to_string()).filter(|s| !s.is_empty()).collect(),
        None => vec![],
    };
    let lookups = Lookups::load(state, &numbers).await.map_err(|e| vec![RowError::new(0, "", e.user_message())])?;
    let total = table.rows.len();
    if let Some(id) = job {
        set_job(state, id, "checking", total as i64, 0, 0, None).await;
    }
    let mut last = 0;
    let checked = check(&table, &lookups, |n| last = n);
    let _ = last;
    let tickets = match checked {
        Ok(t) => t,
        Err(errors) => return Err(errors),
    };
    if let Some(id) = job {
        set_job(state, id, "writing", total as i64, total as i64, 0, None).await;
    }
    match write(state, actor, tickets).await {
        Ok(n) => {
            if let Some(id) = job {
                set_job(state, id, "done", total as i64, total as i64, n as i64, None).await;
            }
            Ok(n)
        }
        Err(e) => Err(vec![RowError::new(0, "", e.user_message())]),
    }
}

async fn set_job(state: &AppState, id: i64, phase: &'static str, total: i64, checked: i64, imported: i64, errors: Option<&[RowError]>) {
    let errors = errors.map(|e| serde_json::to_string(&e.iter().take(2000).collect::<Vec<_>>()).unwrap_or_else(|_| "[]".into()));
    let finished = matches!(phase, "done" | "failed").then(crate::time::now_ms);
    let r = state
        .db
        .write(move |tx| {
            async move {
                q("UPDATE hotline_imports SET state = $1, total_rows = $2, checked_rows = $3, imported = $4, errors = COALESCE($5, errors), finished_at = $6 WHERE id = $7")
                    .bind(phase)
                    .bind(total)
                    .bind(checked)
                    .bind(imported)
                    .bind(errors)
                    .bind(finished)
                    .bind(id)
                    .execute(tx)
                    .await?;
                Ok(())
            }
            .boxed()
        })
        .await;
    if let Err(e) = r {
        tracing::warn!(error = %e, "cannot record import progress");
    }
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/hotline/import", get(form).post(upload)).route("/hotline/import/{id}", get(status))
}

#[derive(sqlx::FromRow)]
pub struct ImportRow {
    pub id: i64,
    pub filename: String,
    pub state: String,
    pub total_rows: i64,
    pub checked_rows: i64,
    pub imported: i64,
    pub errors: String,
    pub created_at: i64,
}

impl ImportRow {
    pub fn state_label(&self) -> &'static str {
        match self.state.as_str() {
            "queued" => "排队中",
            "checking" => "校验中",
            "writing" => "写入中",
            "done" => "已完成",
            "failed" => "未导入",
            _ => "未知",
        }
    }
    pub fn error_list(&self) -> Vec<RowError> {
        serde_json::from_str::<Vec<serde_json::Value>>(&self.errors)
            .unwrap_or_default()
            .into_iter()
            .map(|v| RowError::new(v["row"].as_u64().unwrap_or(0) as usize, v["column"].as_str().unwrap_or(""), v["message"].as_str().unwrap_or("")))
            .collect()
    }
}

#[derive(Template)]
#[template(path = "hotline/import.html")]
struct ImportPage {
    layout: Layout,
    imports: Vec<ImportRow>,
    current: Option<ImportRow>,
    columns: Vec<&'static str>,
}

async fn form(State(state): State<AppState>, staff: Staff, ctx: Ctx) -> Result<Response, PageError> {
    staff.require(crate::roles::DISPATCH)?;
    let imports: Vec<ImportRow> =
        q("SELECT id, filename, state, total_rows, checked_rows, imported, errors, created_at FROM hotline_imports ORDER BY id DESC LIMIT 20")
            .fetch_all(&state.db)
            .await?;
    render(&ImportPage {
        layout: Layout::new(&staff, &ctx, "历史数据导入").crumb("12345 热线", "/hotline/tickets").crumb("历史数据导入", ""),
        imports,
        current: None,
        columns: COLUMNS.iter().map(|c| c.0).collect(),
    })
}

async fn upload(State(state): State<AppState>, staff: Staff, form: Multipart) -> Result<Response, PageError> {
    staff.require(crate::roles::DISPATCH)?;
    let Some(file) = form.files.into_iter().next() else {
        return Err(AppError::field("file", "required", "请选择要导入的 XLSX 或 CSV 文件").into());
    };
    let name: String = file.filename.chars().take(100).collect();
    let uid = staff.id;
    let id = state
        .db
        .write(move |tx| {
            async move {
                q("INSERT INTO hotline_imports (filename, state, created_by, created_at) VALUES ($1, 'queued', $2, $3) RETURNING id")
                    .bind(name)
                    .bind(uid)
                    .bind(crate::time::now_ms())
                    .fetch_i64(tx)
                    .await
            }
            .boxed()
        })
        .await?;
    let actor = Actor { name: format!("{}（历史数据导入）", staff.name), ..staff.actor() };
    let st = state.clone();
    tokio::spawn(async move {
        // A file that makes a reader fail in an unexpected way still ends the job, as failed.
        let run = std::panic::AssertUnwindSafe(import_bytes(&st, actor, &file.bytes, Some(id))).catch_unwind().await;
        if run.is_err() {
            fail_job(&st, id, &[RowError::new(0, "", "文件无法读取：格式已损坏或不是 XLSX/CSV 文件")]).await;
        }
    });
    Ok(redirect_ok(&format!("/hotline/import/{id}"), "文件已接收，正在校验"))
}

async fn status(State(state): State<AppState>, staff: Staff, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    staff.require(crate::roles::DISPATCH)?;
    let current: ImportRow = q("SELECT id, filename, state, total_rows, checked_rows, imported, errors, created_at FROM hotline_imports WHERE id = $1")
        .bind(id)
        .fetch_optional(&state.db)
        .await?
        .ok_or_else(|| AppError::not_found("import_not_found", "导入记录不存在"))?;
    let mut r = render(&ImportPage {
        layout: Layout::new(&staff, &ctx, "历史数据导入").crumb("12345 热线", "/hotline/tickets").crumb("历史数据导入", "/hotline/import"),
        imports: vec![],
        current: Some(current),
        columns: COLUMNS.iter().map(|c| c.0).collect(),
    })?;
    r.headers_mut().insert("cache-control", axum::http::HeaderValue::from_static("no-store"));
    Ok(r)
}
