//! 一村（社区）一法律顾问 (seed 五: all 224 villages and communities have one): the advisers
//! (lawyers and grassroots legal workers with their firm), the village each serves, the services
//! they log there (consultations, lectures, documents reviewed, disputes mediated), and the two
//! figures: coverage by town, computed from the assignments, and services by kind.

use futures::FutureExt;
use futures::future::BoxFuture;
use serde::Serialize;

use crate::audit::{self, Changes, NewEvent};
use crate::auth::Perm;
use crate::db::{Db, q};
use crate::error::AppError;
use crate::registry_indicators::counted::{Counted, Grouping, Labels};
use crate::registry_indicators::{Block, Cell, Dimension, Evaluation, Indicator, Meta, Params, Part, RecordRef, Unit, dims, org_names};
use crate::service::Who;
use crate::state::AppState;
use crate::time::{fmt_date, now_ms, today};
use crate::web::{Page, Paging};

/// Keep the register of the public legal service network (the 市公共法律服务中心).
pub const PLS_MANAGE: Perm = Perm::new("pls_manage", "公共法律服务网络管理");

pub const KINDS: &[(&str, &str)] = &[("lawyer", "律师"), ("grassroots", "基层法律服务工作者")];
pub const SERVICES: &[(&str, &str)] =
    &[("consult", "法律咨询"), ("lecture", "法治讲座"), ("review", "审查村规民约、合同等文件"), ("mediation", "参与调解纠纷")];

pub fn label(list: &'static [(&'static str, &'static str)], code: &str) -> &'static str {
    list.iter().find(|c| c.0 == code).map(|c| c.1).unwrap_or("")
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct AdviserRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub firm: String,
    pub villages: i64,
}

pub async fn advisers(db: &Db) -> Result<Vec<AdviserRow>, AppError> {
    q("SELECT a.id, a.name, a.kind, a.firm, CAST(COUNT(v.org_id) AS BIGINT) AS villages FROM legal_advisers a LEFT JOIN adviser_villages v ON v.adviser_id = a.id GROUP BY a.id, a.name, a.kind, a.firm ORDER BY a.kind, a.name")
        .fetch_all(db)
        .await
}

/// One town's coverage: its villages and communities, and how many have an adviser.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct TownCoverage {
    pub town_id: i64,
    pub town: String,
    pub villages: i64,
    pub covered: i64,
}

const VILLAGE_KINDS: &str = "('village', 'community')";

/// Coverage by town, in one query (the villages' parent is their town).
pub async fn coverage(db: &Db) -> Result<Vec<TownCoverage>, AppError> {
    q(format!(
        "SELECT t.id AS town_id, t.short_name AS town, CAST(COUNT(v.id) AS BIGINT) AS villages, CAST(COUNT(a.org_id) AS BIGINT) AS covered FROM orgs v JOIN orgs t ON t.id = v.parent_id LEFT JOIN adviser_villages a ON a.org_id = v.id WHERE v.kind IN {VILLAGE_KINDS} AND v.active = TRUE GROUP BY t.id, t.short_name, t.sort ORDER BY t.sort, t.id"
    ))
    .fetch_all(db)
    .await
}

pub async fn add_adviser(state: &AppState, who: &Who, name: &str, kind: &str, firm: &str) -> Result<i64, AppError> {
    let name = name.trim().to_string();
    if name.is_empty() || name.chars().count() > 50 {
        return Err(AppError::field("name", "required", "请填写法律顾问姓名（50 字以内）"));
    }
    if label(KINDS, kind).is_empty() {
        return Err(AppError::field("kind", "bad_choice", "法律顾问须为律师或基层法律服务工作者"));
    }
    let firm = firm.trim().to_string();
    if firm.is_empty() || firm.chars().count() > 100 {
        return Err(AppError::field("firm", "required", "请填写所在律师事务所或法律服务所（100 字以内）"));
    }
    let (kind, actor) = (kind.to_string(), who.actor());
    state
        .db
        .write(move |tx| {
            async move {
                let id = q("INSERT INTO legal_advisers (name, kind, firm, created_at) VALUES ($1,$2,$3,$4) RETURNING id")
                    .bind(name.clone())
                    .bind(kind.clone())
                    .bind(firm.clone())
                    .bind(now_ms())
                    .fetch_i64(&mut *tx)
                    .await?;
                audit::record(
                    tx,
                    &actor,
                    NewEvent::new("legal_adviser", id, "create", "登记村（社区）法律顾问")
                        .changes(Changes::new().created("姓名", name).created("类别", label(KINDS, &kind)).created("执业机构", firm)),
                )
                .await?;
                Ok(id)
            }
            .boxed()
        })
        .await
}

async fn village(state: &AppState, org_id: i64) -> Result<crate::org::queries::OrgRow, AppError> {
    crate::org::queries::get(&state.db, org_id)
        .await?
        .filter(|o| matches!(o.kind.as_str(), "village" | "community"))
        .ok_or_else(|| AppError::field("org_id", "not_a_village", "请选择一个村或社区"))
}

/// Make `adviser_id` the adviser of a village (replacing the previous one, recorded).
pub async fn assign(state: &AppState, who: &Who, org_id: i64, adviser_id: i64) -> Result<(), AppError> {
    let v = village(state, org_id).await?;
    let exists = q("SELECT COUNT(*) FROM legal_advisers WHERE id = $1").bind(adviser_id).fetch_i64(&state.db).await?;
    if exists == 0 {
        return Err(AppError::field("adviser_id", "not_found", "没有这位法律顾问"));
    }
    let actor = who.actor();
    state
        .db
        .write(move |tx| {
            async move {
                let old: Option<(i64,)> = q("SELECT adviser_id FROM adviser_villages WHERE org_id = $1").bind(org_id).fetch_optional(&mut *tx).await?;
                q("DELETE FROM adviser_villages WHERE org_id = $1").bind(org_id).execute(&mut *tx).await?;
                q("INSERT INTO adviser_villages (org_id, adviser_id, since) VALUES ($1,$2,$3)")
                    .bind(org_id)
                    .bind(adviser_id)
                    .bind(fmt_date(today()))
                    .execute(&mut *tx)
                    .await?;
                audit::record(
                    tx,
                    &actor,
                    NewEvent::new("org", org_id, "adviser", format!("{}的法律顾问", v.name)).changes(Changes::new().set(
                        "法律顾问",
                        old.map(|o| o.0),
                        adviser_id,
                    )),
                )
                .await?;
                Ok(())
            }
            .boxed()
        })
        .await
}

/// Log a service given in a village by its adviser.
pub async fn log_service(state: &AppState, who: &Who, org_id: i64, kind: &str, served_on: &str, people: i64, note: &str) -> Result<i64, AppError> {
    village(state, org_id).await?;
    if label(SERVICES, kind).is_empty() {
        return Err(AppError::field("kind", "bad_choice", "请选择服务类型"));
    }
    let day = crate::time::parse_date(served_on.trim())
        .filter(|d| *d <= today() && *d >= today() - chrono::Duration::days(366))
        .ok_or_else(|| AppError::field("served_on", "bad_date", "服务日期须为一年以内、不晚于今天的日期"))?;
    if !(1..=10_000).contains(&people) {
        return Err(AppError::field("people", "not_a_number", "服务人次须为 1 至 10000 的整数"));
    }
    let adviser: Option<(i64,)> = q("SELECT adviser_id FROM adviser_villages WHERE org_id = $1").bind(org_id).fetch_optional(&state.db).await?;
    let Some((adviser,)) = adviser else {
        return Err(AppError::field("org_id", "no_adviser", "这个村（社区）还没有法律顾问，请先确定法律顾问"));
    };
    let (kind, note, actor) = (kind.to_string(), note.trim().chars().take(500).collect::<String>(), who.actor());
    state
        .db
        .write(move |tx| {
            async move {
                let id = q(
                    "INSERT INTO adviser_services (adviser_id, org_id, kind, served_on, people, note, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id",
                )
                .bind(adviser)
                .bind(org_id)
                .bind(kind.clone())
                .bind(fmt_date(day))
                .bind(people)
                .bind(note)
                .bind(now_ms())
                .fetch_i64(&mut *tx)
                .await?;
                audit::record(
                    tx,
                    &actor,
                    NewEvent::new("adviser_service", id, "create", "登记法律顾问服务")
                        .changes(Changes::new().created("服务", label(SERVICES, &kind)).created("人次", people)),
                )
                .await?;
                Ok(id)
            }
            .boxed()
        })
        .await
}

// ------------------------------------------------------------------ figures

const TOWN: Dimension = dims::TOWN;
const KIND: Dimension = Dimension { code: "kind", label: "服务类型" };
const OWNER: &str = "公共法律服务（司法局、市公共法律服务中心）";

/// Villages and communities with an adviser ÷ villages and communities, now, by town.
pub struct Coverage {
    meta: Meta,
}

impl Coverage {
    fn selection(p: &Params) -> crate::db::Q {
        p.scope.filter(q(format!(" FROM orgs v LEFT JOIN adviser_villages a ON a.org_id = v.id WHERE v.kind IN {VILLAGE_KINDS} AND v.active = TRUE")), "v.id")
    }
    async fn eval(&self, state: &AppState, p: &Params) -> Result<Evaluation, AppError> {
        let by_town = p.by.is_some_and(|d| d.code == "town");
        let group = if by_town { "CAST(v.parent_id AS TEXT)" } else { "CAST('' AS TEXT)" };
        let w = Self::selection(p);
        let mut query = q(format!("SELECT {group}, CAST(COUNT(a.org_id) AS BIGINT), CAST(COUNT(v.id) AS BIGINT){}", w.sql()));
        for a in w.args() {
            query = query.bind(a.clone());
        }
        if by_town {
            query = query.push(&format!(" GROUP BY {group}"));
        }
        let rows: Vec<(Option<String>, i64, i64)> = query.fetch_all(&state.db).await?;
        let (n, d) = rows.iter().fold((0, 0), |(n, d), r| (n + r.1, d + r.2));
        let ids: Vec<i64> = rows.iter().filter_map(|r| r.0.as_deref().and_then(|k| k.parse().ok())).collect();
        let names = if by_town { org_names(state, &ids).await? } else { Default::default() };
        let groups = if by_town {
            rows.into_iter()
                .map(|(k, n, d)| {
                    let k = k.unwrap_or_default();
                    Cell {
                        label: k.parse().ok().and_then(|i: i64| names.get(&i).cloned()).unwrap_or_else(|| k.clone()),
                        key: Some(k),
                        numerator: n,
                        denominator: Some(d),
                    }
                })
                .collect()
        } else {
            vec![]
        };
        Ok(Evaluation { total: Cell::total(n, Some(d)), groups })
    }
    async fn list(&self, state: &AppState, p: &Params, key: Option<&str>, part: Part, paging: Paging) -> Result<Page<RecordRef>, AppError> {
        let mut w = Self::selection(p);
        if matches!(part, Part::Numerator) {
            w = w.push(" AND a.org_id IS NOT NULL");
        }
        if let (Some(k), Some(_)) = (key, p.by) {
            w = w.push_bind(" AND CAST(v.parent_id AS TEXT) = {}", k.to_string());
        }
        let mut lq = q(format!(
            "SELECT v.id, v.code, v.name, COALESCE(v.parent_id, v.id), COALESCE(a.since, ''){} ORDER BY v.path LIMIT {} OFFSET {}",
            w.sql(),
            paging.per(),
            paging.offset()
        ));
        let mut cq = q(format!("SELECT COUNT(*){}", w.sql()));
        for a in w.args() {
            lq = lq.bind(a.clone());
            cq = cq.bind(a.clone());
        }
        let rows: Vec<(i64, String, String, i64, String)> = lq.fetch_all(&state.db).await?;
        let total = cq.fetch_i64(&state.db).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.3).collect();
        let names = org_names(state, &ids).await?;
        let items = rows
            .into_iter()
            .map(|(id, code, name, town, since)| RecordRef {
                url: "/disputes/advisers".into(),
                number: code,
                unit: names.get(&town).cloned().unwrap_or_default(),
                id,
                title: name,
                date: since,
            })
            .collect();
        Ok(Page::new(items, &paging, total))
    }
}

impl Indicator for Coverage {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn evaluate<'a>(&'a self, state: &'a AppState, p: &'a Params) -> BoxFuture<'a, Result<Evaluation, AppError>> {
        self.eval(state, p).boxed()
    }
    fn records<'a>(
        &'a self,
        state: &'a AppState,
        p: &'a Params,
        key: Option<&'a str>,
        part: Part,
        paging: Paging,
    ) -> BoxFuture<'a, Result<Page<RecordRef>, AppError>> {
        self.list(state, p, key, part, paging).boxed()
    }
}

static COVERAGE: std::sync::LazyLock<Coverage> = std::sync::LazyLock::new(|| Coverage {
    meta: Meta {
        code: "disputes.adviser_coverage",
        name: "村（社区）法律顾问覆盖率",
        block: Block::Disputes,
        definition: "已确定法律顾问的村（社区） ÷ 村（社区）总数，按当前的配备情况计（种子报告：224个村（社区）全覆盖）；按乡镇分",
        numerator: "配备法律顾问的村（社区）",
        denominator: Some("村（社区）"),
        unit: Unit::Percent,
        basis: "《关于加快推进公共法律服务体系建设的意见》：一村（社区）一法律顾问",
        owner: OWNER,
        procedure: None,
        dims: &[TOWN],
    },
});

/// Services logged: the table is read as `c` so that the platform's `Counted` (which scopes by
/// `c.org_id`) scopes them by the village served.
static SERVICES_COUNT: std::sync::LazyLock<Counted> = std::sync::LazyLock::new(|| Counted {
    meta: Meta {
        code: "disputes.adviser_services",
        name: "村（社区）法律顾问服务次数",
        block: Block::Disputes,
        definition: "期间内村（社区）法律顾问登记的服务（法律咨询、法治讲座、审查文件、参与调解），按服务日期计",
        numerator: "服务次数",
        denominator: None,
        unit: Unit::Count,
        basis: "一村（社区）一法律顾问工作要求",
        owner: OWNER,
        procedure: None,
        dims: &[dims::ORG, KIND],
    },
    from: " FROM adviser_services c",
    period: "c.served_on",
    base: "1=1",
    numerator: "1=1",
    denominator: None,
    groups: &[Grouping { dim: "org", column: "c.org_id", labels: Labels::Orgs }, Grouping { dim: "kind", column: "c.kind", labels: Labels::Codes(SERVICES) }],
    number: "CAST(c.id AS TEXT)",
    title: "c.kind",
    url: |_| "/disputes/advisers".to_string(),
});

pub fn indicators() -> Vec<&'static dyn Indicator> {
    vec![&*COVERAGE as &dyn Indicator, &*SERVICES_COUNT as &dyn Indicator]
}

// ------------------------------------------------------------------ the demo city

/// Seed 五: 43 grassroots legal workers and 22 lawyers were advisers, 51 lawyers from the city's
/// firms joined, and all 224 villages and communities have one; a year of their services.
pub async fn seed_demo(state: &AppState, size: crate::registry::DemoSize) -> anyhow::Result<()> {
    use rand::{Rng, SeedableRng};
    let err = |e: AppError| anyhow::anyhow!("法律顾问演示数据：{e}");
    let villages: Vec<(i64,)> =
        q(format!("SELECT id FROM orgs WHERE kind IN {VILLAGE_KINDS} AND active = TRUE ORDER BY path")).fetch_all(&state.db).await.map_err(err)?;
    if villages.is_empty() {
        return Ok(());
    }
    let firms = [
        "江苏示范律师事务所",
        "示范市秦邮律师事务所",
        "江苏运河律师事务所",
        "示范市盂城律师事务所",
        "江苏湖光律师事务所",
        "扬州某律师事务所",
        "示范市城区法律服务所",
        "示范市乡镇法律服务所",
    ];
    let surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗"];
    let given = ["文", "华", "军", "平", "静", "敏", "强", "磊", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞", "刚"];
    let mut ids = Vec::new();
    for i in 0..116usize {
        let kind = if i < 43 { "grassroots" } else { "lawyer" };
        let firm = if kind == "grassroots" { firms[6 + i % 2] } else { firms[i % 6] };
        let name = format!("{}{}{}", surnames[i % surnames.len()], given[(i / 3) % given.len()], given[(i * 7 + 2) % given.len()]);
        ids.push(add_adviser(state, &Who::Import, &name, kind, firm).await.map_err(err)?);
    }
    let t = today();
    let since = fmt_date(t - chrono::Duration::days(300));
    let per_village = if matches!(size, crate::registry::DemoSize::Light) { 1 } else { 12 };
    let mut rng = rand::rngs::StdRng::seed_from_u64(31);
    let mut services = Vec::new();
    for (k, (v,)) in villages.iter().enumerate() {
        let a = ids[k % ids.len()];
        for _ in 0..per_village {
            let kind = SERVICES[[0, 0, 0, 1, 2, 3][rng.gen_range(0..6)]].0;
            services.push((
                a,
                *v,
                kind,
                fmt_date(t - chrono::Duration::days(rng.gen_range(1..360))),
                if kind == "lecture" { rng.gen_range(20..120) } else { 1 },
            ));
        }
    }
    let villages = villages.clone();
    let ids2 = ids.clone();
    state
        .db
        .write(move |tx| {
            async move {
                for (k, (v,)) in villages.iter().enumerate() {
                    q("INSERT INTO adviser_villages (org_id, adviser_id, since) VALUES ($1,$2,$3)")
                        .bind(*v)
                        .bind(ids2[k % ids2.len()])
                        .bind(since.clone())
                        .execute(&mut *tx)
                        .await?;
                }
                for (a, v, kind, on, people) in services {
                    q("INSERT INTO adviser_services (adviser_id, org_id, kind, served_on, people, note, created_at) VALUES ($1,$2,$3,$4,$5,'',$6)")
                        .bind(a)
                        .bind(v)
                        .bind(kind)
                        .bind(on)
                        .bind(people)
                        .bind(now_ms())
                        .execute(&mut *tx)
                        .await?;
                }
                Ok(())
            }
            .boxed()
        })
        .await
        .map_err(err)
}
