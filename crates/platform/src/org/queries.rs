//! All SQL of the organisation tree.

use serde::Serialize;

use super::model::{OrgKind, child_path, valid_code};
use crate::audit::{self, Actor, Changes, NewEvent};
use crate::db::{Ex, Tx, dialect, q};
use crate::error::{AppError, Check};
use crate::time::now_ms;

#[derive(Clone, Debug, sqlx::FromRow, Serialize)]
pub struct OrgRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub kind: String,
    pub path: String,
    pub depth: i64,
    pub sort: i64,
    pub active: bool,
    pub version: i64,
}

impl OrgRow {
    pub fn kind(&self) -> OrgKind {
        OrgKind::parse(&self.kind).unwrap_or(OrgKind::Unit)
    }
    pub fn kind_label(&self) -> &'static str {
        self.kind().label()
    }
}

pub const ORG_COLUMNS: &str = "id, parent_id, code, name, short_name, kind, path, depth, sort, active, version";

pub async fn get<'a>(ex: impl Into<Ex<'a>>, id: i64) -> Result<Option<OrgRow>, AppError> {
    q(format!("SELECT {ORG_COLUMNS} FROM orgs WHERE id = $1")).bind(id).fetch_optional(ex).await
}

pub async fn by_code<'a>(ex: impl Into<Ex<'a>>, code: &str) -> Result<Option<OrgRow>, AppError> {
    q(format!("SELECT {ORG_COLUMNS} FROM orgs WHERE code = $1")).bind(code).fetch_optional(ex).await
}

/// The organ's name in full, as it signs its documents: 示范市住房和城乡建设局 for the department
/// 市住房和城乡建设局, 示范市东湖镇人民政府 for the town 东湖镇. `root` is the city (its short name,
/// 示范市, prefixes the others).
pub fn full_name(org: &OrgRow, root: Option<&OrgRow>) -> String {
    let Some(root) = root.filter(|r| r.id != org.id) else { return org.name.clone() };
    let city = root.short_name.as_str();
    let name = org.name.as_str();
    let base = if name.starts_with(city) {
        name.to_string()
    } else if let Some(rest) = name.strip_prefix('市') {
        format!("{city}{rest}")
    } else {
        format!("{city}{name}")
    };
    match org.kind() {
        crate::org::OrgKind::Town if !base.ends_with("人民政府") => format!("{base}人民政府"),
        crate::org::OrgKind::Park if !base.ends_with("管理委员会") => format!("{base}管理委员会"),
        _ => base,
    }
}

pub async fn root<'a>(ex: impl Into<Ex<'a>>) -> Result<Option<OrgRow>, AppError> {
    q(format!("SELECT {ORG_COLUMNS} FROM orgs WHERE parent_id IS NULL ORDER BY id LIMIT 1")).fetch_optional(ex).await
}

/// The whole tree in display order (parents before children, siblings by sort then name).
pub async fn all<'a>(ex: impl Into<Ex<'a>>) -> Result<Vec<OrgRow>, AppError> {
    let rows: Vec<OrgRow> = q(format!("SELECT {ORG_COLUMNS} FROM orgs ORDER BY depth, sort, id")).fetch_all(ex).await?;
    Ok(tree_order(rows))
}

/// Organisations of some kinds (e.g. every department, every town), by sort.
pub async fn of_kinds<'a>(ex: impl Into<Ex<'a>>, kinds: &[OrgKind]) -> Result<Vec<OrgRow>, AppError> {
    let mut query = q(format!("SELECT {ORG_COLUMNS} FROM orgs WHERE active = TRUE AND kind IN ("));
    for (i, k) in kinds.iter().enumerate() {
        if i > 0 {
            query = query.push(", ");
        }
        query = query.push_bind("{}", k.code());
    }
    query.push(") ORDER BY depth, sort, id").fetch_all(ex).await
}

pub async fn children<'a>(ex: impl Into<Ex<'a>>, parent_id: i64) -> Result<Vec<OrgRow>, AppError> {
    q(format!("SELECT {ORG_COLUMNS} FROM orgs WHERE parent_id = $1 ORDER BY sort, id")).bind(parent_id).fetch_all(ex).await
}

/// Sort rows so that each node is followed by its subtree.
pub fn tree_order(mut rows: Vec<OrgRow>) -> Vec<OrgRow> {
    rows.sort_by_key(|a| (a.depth, a.sort, a.id));
    let mut out = Vec::with_capacity(rows.len());
    fn visit(rows: &[OrgRow], parent: Option<i64>, out: &mut Vec<OrgRow>) {
        for r in rows.iter().filter(|r| r.parent_id == parent) {
            out.push(r.clone());
            visit(rows, Some(r.id), out);
        }
    }
    visit(&rows, None, &mut out);
    out
}

/// Input to create or update an organisation.
#[derive(Clone, Debug, Default)]
pub struct OrgInput {
    pub parent_code: Option<String>,
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: String,
    pub sort: i64,
    pub active: bool,
}

/// Parsed and checked input.
pub struct ValidOrg {
    pub parent: Option<OrgRow>,
    pub code: String,
    pub name: String,
    pub short_name: String,
    pub kind: OrgKind,
    pub sort: i64,
    pub active: bool,
}

/// Check an input against the rules and the current tree (inside the write transaction).
pub async fn validate(tx: &mut Tx, input: &OrgInput, existing: Option<&OrgRow>) -> Result<ValidOrg, AppError> {
    let mut c = Check::new();
    let code = input.code.trim().to_string();
    if !valid_code(&code) {
        c.add("code", "invalid_code", "机构编码须为 1–32 位字母、数字、“-”或“_”");
    }
    let name = c.text("name", "机构名称", Some(&input.name), 64);
    let short_name = c.opt_text("short_name", "简称", input.short_name.as_deref(), 32).unwrap_or_else(|| name.clone());
    let kind = OrgKind::parse(&input.kind);
    if kind.is_none() {
        c.add("kind", "invalid_kind", format!("机构类型“{}”无法识别，应为：市、部门、乡镇、园区、村、社区、内设机构", input.kind));
    }
    let mut parent = None;
    match input.parent_code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(pc) => match by_code(&mut *tx, pc).await? {
            Some(p) => parent = Some(p),
            None => c.add("parent_code", "parent_not_found", format!("上级机构编码“{pc}”不存在")),
        },
        None => {
            if kind != Some(OrgKind::City) {
                c.add("parent_code", "required", "请填写上级机构");
            } else if let Some(r) = root(&mut *tx).await? {
                if existing.map(|e| e.id) != Some(r.id) {
                    c.add("kind", "second_root", format!("已有根机构“{}”，不能再建一个“市”级机构", r.name));
                }
            }
        }
    }
    if let (Some(p), Some(k)) = (&parent, kind) {
        if !p.kind().allows_child(k) {
            c.add("kind", "bad_parent_kind", format!("“{}”（{}）下不能设立{}", p.name, p.kind_label(), k.label()));
        }
        if let Some(e) = existing {
            if p.path.starts_with(&e.path) {
                c.add("parent_code", "cycle", "不能把机构移到它自己或它的下级机构之下");
            }
        }
    }
    if valid_code(&code) {
        if let Some(other) = by_code(&mut *tx, &code).await? {
            if existing.map(|e| e.id) != Some(other.id) {
                c.add("code", "duplicate_code", format!("机构编码“{code}”已被“{}”使用", other.name));
            }
        }
    }
    c.finish()?;
    Ok(ValidOrg { parent, code, name, short_name, kind: kind.expect("checked"), sort: input.sort, active: input.active })
}

/// Create an organisation (inside the caller's transaction).
pub async fn create(tx: &mut Tx, actor: &Actor, input: &OrgInput) -> Result<OrgRow, AppError> {
    let v = validate(tx, input, None).await?;
    let now = now_ms();
    let (parent_id, parent_path, depth) = match &v.parent {
        Some(p) => (Some(p.id), p.path.clone(), p.depth + 1),
        None => (None, "/".to_string(), 0),
    };
    let id = q("INSERT INTO orgs (parent_id, code, name, short_name, kind, path, depth, sort, active, version, created_at, updated_at) \
                VALUES ($1, $2, $3, $4, $5, '', $6, $7, $8, 1, $9, $9) RETURNING id")
    .bind(parent_id)
    .bind(v.code.as_str())
    .bind(v.name.as_str())
    .bind(v.short_name.as_str())
    .bind(v.kind.code())
    .bind(depth)
    .bind(v.sort)
    .bind(v.active)
    .bind(now)
    .fetch_i64(&mut *tx)
    .await?;
    let path = child_path(&parent_path, id);
    q("UPDATE orgs SET path = $1 WHERE id = $2").bind(path.as_str()).bind(id).execute(&mut *tx).await?;
    audit::record(
        tx,
        actor,
        NewEvent::new("org", id, "create", format!("新建机构“{}”", v.name)).changes(
            Changes::new()
                .created("编码", &v.code)
                .created("名称", &v.name)
                .created("类型", v.kind.label())
                .created("上级", v.parent.as_ref().map(|p| p.name.clone())),
        ),
    )
    .await?;
    get(&mut *tx, id).await?.ok_or_else(|| AppError::internal("新建的机构读取失败"))
}

/// Update an organisation; `expected_version` must match (optimistic concurrency).
pub async fn update(tx: &mut Tx, actor: &Actor, id: i64, expected_version: i64, input: &OrgInput) -> Result<OrgRow, AppError> {
    let Some(old) = get(&mut *tx, id).await? else {
        return Err(AppError::not_found("org_not_found", "机构不存在"));
    };
    if old.version != expected_version {
        return Err(AppError::stale());
    }
    let v = validate(tx, input, Some(&old)).await?;
    if old.parent_id.is_none() && v.parent.is_some() {
        return Err(AppError::field("parent_code", "root_fixed", "根机构不能移到其他机构之下"));
    }
    let now = now_ms();
    let n = q("UPDATE orgs SET code = $1, name = $2, short_name = $3, kind = $4, sort = $5, active = $6, version = version + 1, updated_at = $7 \
               WHERE id = $8 AND version = $9")
    .bind(v.code.as_str())
    .bind(v.name.as_str())
    .bind(v.short_name.as_str())
    .bind(v.kind.code())
    .bind(v.sort)
    .bind(v.active)
    .bind(now)
    .bind(id)
    .bind(expected_version)
    .execute(&mut *tx)
    .await?;
    if n != 1 {
        return Err(AppError::stale());
    }
    let new_parent = v.parent.as_ref().map(|p| p.id);
    if new_parent != old.parent_id {
        if let Some(p) = &v.parent {
            let new_path = child_path(&p.path, id);
            let depth_delta = p.depth + 1 - old.depth;
            q("UPDATE orgs SET path = $1 || substr(path, CAST($2 AS INTEGER)), depth = depth + $3 WHERE path LIKE $4 ESCAPE '\\'")
                .bind(new_path.as_str())
                .bind(old.path.chars().count() as i64 + 1)
                .bind(depth_delta)
                .bind(format!("{}%", dialect::like_escape(&old.path)))
                .execute(&mut *tx)
                .await?;
            q("UPDATE orgs SET parent_id = $1 WHERE id = $2").bind(p.id).bind(id).execute(&mut *tx).await?;
        }
    }
    let parent_name = |o: Option<&OrgRow>| o.map(|p| p.name.clone());
    let old_parent = match old.parent_id {
        Some(pid) => get(&mut *tx, pid).await?,
        None => None,
    };
    audit::record(
        tx,
        actor,
        NewEvent::new("org", id, "update", format!("修改机构“{}”", v.name)).changes(
            Changes::new()
                .set("编码", &old.code, &v.code)
                .set("名称", &old.name, &v.name)
                .set("简称", &old.short_name, &v.short_name)
                .set("类型", old.kind_label(), v.kind.label())
                .set("排序", old.sort, v.sort)
                .set("启用", old.active, v.active)
                .set("上级", parent_name(old_parent.as_ref()), parent_name(v.parent.as_ref())),
        ),
    )
    .await?;
    get(&mut *tx, id).await?.ok_or_else(|| AppError::internal("机构读取失败"))
}
