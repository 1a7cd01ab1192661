//! The demo city 示范市: a fictional county-level city shaped like the seed report — 37
//! departments, 10 towns and 3 parks, 224 villages and communities, staff accounts for every
//! role — and, from each feature (`Feature::demo_base`, `Feature::demo`), its catalogues and a
//! year of activity. Everything here is made up.

use futures::FutureExt;

use crate::accounts::queries::{self as users, UserInput};
use crate::audit::Actor;
use crate::org::queries::{self as orgs, OrgInput};
pub use crate::registry::DemoSize as Size;
use crate::state::AppState;

pub const DEMO_PASSWORD: &str = "demo-2026-fazhi";

/// (username, what they do), printed at start.
pub const DEMO_LOGINS: &[(&str, &str)] = &[
    ("admin", "系统管理员"),
    ("sfj", "依法治市办（司法局）"),
    ("agent", "12345 热线话务员"),
    ("dispatcher", "12345 热线派单员、回访"),
    ("zjj_head", "住建局负责人"),
    ("zjj_staff", "住建局工作人员"),
    ("cgj_staff", "城管局工作人员"),
    ("dh_staff", "东湖镇工作人员"),
    ("legal", "法制审核员"),
    ("inspector", "督察员（只读）"),
];

pub const CITY: &str = "SFS";
pub const CENTRE: &str = "D-RX";

/// The 37 departments: (code, name, short name).
pub const DEPARTMENTS: &[(&str, &str, &str)] = &[
    ("D-BGS", "市人民政府办公室", "政府办"),
    ("D-FGW", "市发展和改革委员会", "发改委"),
    ("D-JTJ", "市教育体育局", "教体局"),
    ("D-KJJ", "市科学技术局", "科技局"),
    ("D-GXJ", "市工业和信息化局", "工信局"),
    ("D-GAJ", "市公安局", "公安局"),
    ("D-MZJ", "市民政局", "民政局"),
    ("D-SFJ", "市司法局", "司法局"),
    ("D-CZJ", "市财政局", "财政局"),
    ("D-RSJ", "市人力资源和社会保障局", "人社局"),
    ("D-ZRJ", "市自然资源和规划局", "自然资源局"),
    ("D-STJ", "市生态环境局", "生态环境局"),
    ("D-ZJJ", "市住房和城乡建设局", "住建局"),
    ("D-JYJ", "市交通运输局", "交通局"),
    ("D-SWJ", "市水务局", "水务局"),
    ("D-NYJ", "市农业农村局", "农业农村局"),
    ("D-SWU", "市商务局", "商务局"),
    ("D-WLJ", "市文化广电和旅游局", "文广旅局"),
    ("D-WJW", "市卫生健康委员会", "卫健委"),
    ("D-TYJ", "市退役军人事务局", "退役军人局"),
    ("D-YJJ", "市应急管理局", "应急局"),
    ("D-SJJ", "市审计局", "审计局"),
    ("D-SJG", "市市场监督管理局", "市监局"),
    ("D-TJJ", "市统计局", "统计局"),
    ("D-YBJ", "市医疗保障局", "医保局"),
    ("D-CGJ", "市城市管理局", "城管局"),
    ("D-SPJ", "市行政审批局", "审批局"),
    ("D-XFJ", "市信访局", "信访局"),
    ("D-SJU", "市数据局", "数据局"),
    ("D-JGJ", "市机关事务管理局", "机关事务局"),
    ("D-GXS", "市供销合作总社", "供销总社"),
    ("D-GJJ", "市住房公积金管理中心", "公积金中心"),
    ("D-RMT", "市融媒体中心", "融媒体中心"),
    ("D-ZWB", "市政务服务管理办公室", "政务办"),
    ("D-XFD", "市消防救援大队", "消防大队"),
    ("D-QXJ", "市气象局", "气象局"),
    (CENTRE, "市12345政务服务便民热线中心", "12345热线"),
];

/// Units inside departments: (parent, code, name).
pub const UNITS: &[(&str, &str, &str)] = &[
    ("D-CGJ", "D-CGJ-ZD1", "城管局执法一中队"),
    ("D-CGJ", "D-CGJ-ZD2", "城管局执法二中队"),
    ("D-CGJ", "D-CGJ-FZK", "城管局法制科"),
    ("D-ZJJ", "D-ZJJ-WYK", "住建局物业管理科"),
    ("D-ZJJ", "D-ZJJ-JZK", "住建局建筑业管理科"),
    ("D-SJG", "D-SJG-CQ", "市监局城区分局"),
    ("D-SJG", "D-SJG-FGK", "市监局法规科"),
    ("D-NYJ", "D-NYJ-ZFD", "农业综合行政执法大队"),
    ("D-JYJ", "D-JYJ-ZFD", "交通综合行政执法大队"),
    ("D-SFJ", "D-SFJ-FYK", "司法局行政复议科"),
    ("D-SFJ", "D-SFJ-GFZX", "市公共法律服务中心"),
];

/// 10 towns and 3 parks: (code, name, kind, villages, communities).
pub const TOWNS: &[(&str, &str, &str, usize, usize)] = &[
    ("T-DH", "东湖镇", "town", 14, 8),
    ("T-XL", "西岭镇", "town", 18, 2),
    ("T-NT", "南塘镇", "town", 19, 2),
    ("T-BH", "北河镇", "town", 16, 3),
    ("T-QS", "青山镇", "town", 19, 1),
    ("T-BS", "白沙镇", "town", 17, 2),
    ("T-LY", "柳营镇", "town", 15, 2),
    ("T-TY", "桃源镇", "town", 17, 1),
    ("T-JW", "金湾镇", "town", 14, 3),
    ("T-SQ", "石桥镇", "town", 16, 2),
    ("P-KFQ", "示范经济开发区", "park", 6, 8),
    ("P-GXQ", "示范高新技术产业园区", "park", 4, 6),
    ("P-HX", "湖西新区", "park", 5, 4),
];

const FIRST: &[char] = &[
    '龙', '凤', '杨', '柳', '桑', '梅', '荷', '竹', '松', '石', '沙', '湖', '河', '塘', '桥', '庄', '营', '港', '湾', '林', '泉', '溪', '岗', '圩', '墩', '集',
    '甸', '坝',
];
const SECOND: &[char] = &[
    '东', '西', '南', '北', '中', '新', '前', '后', '上', '下', '大', '小', '安', '丰', '兴', '和', '平', '太', '富', '康', '宁', '福', '庆', '华', '光', '明',
];

/// A place name that is not used yet.
fn place_name(seed: usize, used: &mut std::collections::HashSet<String>) -> String {
    let mut i = seed * 7 + 3;
    loop {
        let a = FIRST[i % FIRST.len()];
        let b = SECOND[(i / FIRST.len() + i * 3) % SECOND.len()];
        let name = format!("{b}{a}");
        if used.insert(name.clone()) {
            return name;
        }
        i += 1;
    }
}

/// Does the database already hold the demo city?
pub async fn present(state: &AppState) -> anyhow::Result<bool> {
    Ok(orgs::by_code(&state.db, CITY).await.map_err(|e| anyhow::anyhow!("{e}"))?.is_some())
}

/// Fill the demo city on first start. Returns whether anything was created.
pub async fn ensure(state: &AppState, size: Size) -> anyhow::Result<bool> {
    if present(state).await? {
        return Ok(false);
    }
    tracing::info!("生成演示城市「示范市」……");
    seed_base(state).await?;
    for f in state.registry.features() {
        f.demo(state, size).await?;
    }
    Ok(true)
}

/// The organisation tree, the accounts, and each feature's catalogues (`Feature::demo_base`).
pub async fn seed_base(state: &AppState) -> anyhow::Result<()> {
    let hash = crate::auth::password::hash(DEMO_PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?;
    let actor = Actor::system();
    state
        .db
        .write_alone(move |tx| {
            async move {
                let mk = |parent: Option<&str>, code: &str, name: &str, short: Option<&str>, kind: &str, sort: i64| OrgInput {
                    parent_code: parent.map(str::to_string),
                    code: code.into(),
                    name: name.into(),
                    short_name: short.map(str::to_string),
                    kind: kind.into(),
                    sort,
                    active: true,
                };
                orgs::create(tx, &actor, &mk(None, CITY, "示范市人民政府", Some("示范市"), "city", 0)).await?;
                for (i, (code, name, short)) in DEPARTMENTS.iter().enumerate() {
                    orgs::create(tx, &actor, &mk(Some(CITY), code, name, Some(short), "department", i as i64 + 1)).await?;
                }
                for (i, (parent, code, name)) in UNITS.iter().enumerate() {
                    orgs::create(tx, &actor, &mk(Some(parent), code, name, None, "unit", i as i64 + 1)).await?;
                }
                let mut used = std::collections::HashSet::new();
                let mut n = 0usize;
                for (i, (code, name, kind, villages, communities)) in TOWNS.iter().enumerate() {
                    orgs::create(tx, &actor, &mk(Some(CITY), code, name, None, kind, 100 + i as i64)).await?;
                    for v in 0..*villages {
                        n += 1;
                        let pname = place_name(n, &mut used);
                        orgs::create(tx, &actor, &mk(Some(code), &format!("{code}-V{:02}", v + 1), &format!("{pname}村"), None, "village", v as i64)).await?;
                    }
                    for c in 0..*communities {
                        n += 1;
                        let pname = place_name(n, &mut used);
                        orgs::create(tx, &actor, &mk(Some(code), &format!("{code}-C{:02}", c + 1), &format!("{pname}社区"), None, "community", 100 + c as i64))
                            .await?;
                    }
                }
                let user = |username: &str, name: &str, org: &str, roles: &[(&str, &str)]| UserInput {
                    username: username.into(),
                    display_name: name.into(),
                    org_code: org.into(),
                    phone: None,
                    active: true,
                    roles: roles.iter().map(|(r, s)| (r.to_string(), s.to_string())).collect(),
                    password: Some(DEMO_PASSWORD.into()),
                };
                let accounts = [
                    user("admin", "系统管理员", "D-SJU", &[("sysadmin", CITY)]),
                    user("sfj", "周法宁", "D-SFJ", &[("rule_of_law", CITY), ("legal_reviewer", CITY)]),
                    user("legal", "陈审之", "D-SFJ", &[("legal_reviewer", CITY)]),
                    user("agent", "李接听", CENTRE, &[("hotline_agent", CITY)]),
                    user("dispatcher", "王派单", CENTRE, &[("dispatcher", CITY)]),
                    user("zjj_head", "赵建国", "D-ZJJ", &[("dept_head", "")]),
                    user("zjj_staff", "钱安居", "D-ZJJ", &[("dept_staff", "")]),
                    user("cgj_staff", "孙城管", "D-CGJ", &[("dept_staff", "")]),
                    user("cgj_zd1", "吴执法", "D-CGJ-ZD1", &[("dept_staff", "")]),
                    user("sjg_staff", "郑市监", "D-SJG", &[("dept_staff", "")]),
                    user("dh_staff", "冯东湖", "T-DH", &[("dept_staff", "")]),
                    user("dh_head", "褚镇长", "T-DH", &[("dept_head", "")]),
                    user("inspector", "卫督察", "D-BGS", &[("inspector", CITY)]),
                ];
                // The demo password is published, so accounts need not change it; a real
                // deployment creates accounts with `must_change_password`.
                for u in accounts {
                    users::create(tx, &actor, &u, hash.clone(), false).await?;
                }
                Ok(())
            }
            .boxed()
        })
        .await
        .map_err(|e| anyhow::anyhow!("演示数据生成失败：{e} {:?}", e.field_errors()))?;
    for f in state.registry.features() {
        f.demo_base(state).await?;
    }
    Ok(())
}
