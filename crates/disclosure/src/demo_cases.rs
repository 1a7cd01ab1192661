//! The documents of single matters in the demo year (see [`super::demo_corpus`]): penalty
//! decisions of the authorities that enforce each law (with the article that forbids and the
//! one that punishes, and fines inside the range that article allows), planning permits,
//! environmental approvals, tenders and their results, land and house expropriation, traffic
//! control, normative documents, random inspections and the towns' yearly notices.

use chrono::{Datelike, Duration, NaiveDate};

use super::demo_corpus::{Check, DOC_NO, Gen, Item, Num, cn, pct};
use super::demo_texts::{item, organ};

pub fn all(g: &mut Gen<'_>) {
    penalties(g);
    planning_permits(g);
    environmental_approvals(g);
    projects(g);
    expropriation(g);
    traffic_control(g);
    normative(g);
    random_inspections(g);
    town_years(g);
}

const BRANDS: &[&str] = &[
    "宏达", "惠民", "鑫源", "华盛", "永兴", "金穗", "瑞丰", "恒通", "佳禾", "润泽", "天顺", "民安", "盛世", "百川", "汇通", "嘉诚", "长兴", "同泰", "联华",
    "新禾", "广源", "丰泽", "卓越", "德润", "信达", "兴业", "明辉", "益康", "顺昌", "中瑞",
];
const FOOD: &[&str] = &["食品有限公司", "超市有限公司", "餐饮管理有限公司", "商贸有限公司"];
const MAKERS: &[&str] = &["机械制造有限公司", "包装材料有限公司", "新材料科技有限公司", "电子科技有限公司", "纺织有限公司", "木业有限公司", "金属制品有限公司"];
/// What a maker of each kind makes, for projects that need an environmental impact report.
const PRODUCTS: &[(&str, &[&str])] = &[
    ("机械制造有限公司", &["年产5000台农业机械", "年产2万台小型电机"]),
    ("包装材料有限公司", &["年产5000吨塑料包装制品", "年产8000吨食品包装材料"]),
    ("新材料科技有限公司", &["年产1万吨改性塑料粒子", "年产3000吨功能性涂层材料"]),
    ("电子科技有限公司", &["年产50万件电子元器件", "年产20万套汽车线束"]),
    ("纺织有限公司", &["年产300万米功能性面料", "年产10万件服装"]),
    ("木业有限公司", &["年产2000吨木制品", "年产5万张生态板"]),
    ("金属制品有限公司", &["年产50万件汽车零部件", "金属表面处理生产线"]),
    ("建材有限公司", &["年产5万立方米商品混凝土", "年产20万吨干混砂浆"]),
    ("饲料有限公司", &["年产1.2万吨配合饲料", "年产5000吨水产饲料"]),
];
const BUILDERS: &[&str] = &["建设工程有限公司", "建筑安装工程有限公司", "市政工程有限公司", "水利工程有限公司"];
const ROADS: &[&str] = &["幸福路", "人民路", "迎宾大道", "运河西路", "文昌路", "建设路", "湖滨路", "长江路", "学府路", "通湖路", "振兴路", "富民路"];
const RIVERS: &[&str] = &["运粮河", "新开河", "白马河", "清水河", "跃进河", "团结河", "三里河", "老城河"];
const FOODS: &[(&str, &str)] =
    &[("酸奶", "盒"), ("面包", "袋"), ("火腿肠", "袋"), ("饼干", "盒"), ("饮料", "瓶"), ("速冻水饺", "袋"), ("食用植物油", "桶"), ("熟肉制品", "袋")];

/// A company with its unified social credit code (check character as GB 32100 sets it).
fn company(g: &mut Gen<'_>, kinds: &[&str]) -> (String, String) {
    let prefix = if g.rng.chance(75) { "示范市" } else { "江苏" };
    let name = format!("{prefix}{}{}", g.pick(BRANDS), g.pick(kinds));
    const CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const W: [usize; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let mut code: Vec<u8> = b"91321084".to_vec();
    for _ in 0..9 {
        code.push(CHARS[g.rng.below(CHARS.len())]);
    }
    let sum: usize = code.iter().zip(W).map(|(c, w)| CHARS.iter().position(|x| x == c).unwrap_or(0) * w).sum();
    code.push(CHARS[(31 - sum % 31) % 31]);
    (name, String::from_utf8(code).unwrap_or_default())
}

/// A maker and one of the things its kind makes.
fn maker(g: &mut Gen<'_>) -> (String, String, String) {
    let (kind, products) = *g.pick(PRODUCTS);
    let (name, code) = company(g, &[kind]);
    (name, code, g.pick(products).to_string())
}

/// An address in a town.
fn address(g: &mut Gen<'_>) -> String {
    let t = g.pick(g.towns).name.clone();
    format!("{t}{}{}号", g.pick(ROADS), g.int(1, 299))
}

/// A working day in the demo year.
fn any_day(g: &mut Gen<'_>) -> NaiveDate {
    let span = (g.today - g.start).num_days();
    let d = g.start + Duration::days(g.int(0, span));
    g.workday(d)
}

const APPEAL: &str = "当事人如不服本处罚决定，可以在收到本决定书之日起六十日内向示范市人民政府申请行政复议，也可以在六个月内依法向人民法院提起行政诉讼。";
const PAY: &str = "当事人应当自收到本决定书之日起十五日内，到指定银行缴纳罚没款。到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款。";

/// A penalty decision of `issuer` against a company (`party`: name and credit code): what was
/// found and decided (`facts`), how to pay and how to appeal.
fn penalty(g: &mut Gen<'_>, issuer: &str, theme: &'static str, series: &str, party: (String, String), formed: NaiveDate, facts: String) -> Item {
    let (name, code) = party;
    let addr = address(g);
    let mut it = item(
        issuer,
        "A20-06",
        theme,
        formed,
        format!("行政处罚决定书（{DOC_NO}）"),
        format!("当事人：{name}\n统一社会信用代码：{code}\n住所：{addr}\n{facts}\n{PAY}\n{APPEAL}"),
    );
    it.kind = "decision";
    it.doc_series = Some(series.into());
    it
}

/// Penalty decisions: each authority, the law it enforces.
fn penalties(g: &mut Gen<'_>) {
    const MARKET: &str = "市场监管、安全生产监管";
    for _ in 0..95 {
        let party = company(g, FOOD);
        let formed = any_day(g);
        let found = g.day_after(formed, -60, -25);
        let (food, unit) = *g.pick(FOODS);
        let k = g.int(6, 80);
        let value = k * g.int(5, 60);
        let gain = value * g.int(20, 60) / 100;
        // 第一百二十四条: 货值金额不足一万元的，并处五万元以上十万元以下罚款.
        let fine = if value > 3000 { g.int(11, 14) * 5000 } else { 50_000 };
        let facts = format!(
            "经查，{}，本局执法人员在当事人经营场所检查时发现，当事人销售的{food}{k}{unit}已超过标注的保质期，货值金额{value}元，已售出部分违法所得{gain}元。\n当事人的上述行为违反了《中华人民共和国食品安全法》第三十四条第（十）项的规定。依据《中华人民共和国食品安全法》第一百二十四条第一款第（五）项的规定，本局决定对当事人作出如下行政处罚：\n一、没收超过保质期的{food}{k}{unit}；\n二、没收违法所得{gain}元；\n三、罚款{fine}元。",
            cn(found)
        );
        let mut it = penalty(g, "D-SJG", MARKET, "示市监罚", party, formed, facts);
        it.checks.push(Check::AtMost(Num::int(gain), Num::int(value)));
        g.push(it);
    }
    for _ in 0..30 {
        let party = company(g, FOOD);
        let formed = any_day(g);
        let found = g.day_after(formed, -45, -20);
        let items = g.int(8, 40);
        let fine = g.int(2, 10) * 500;
        let facts = format!(
            "经查，{}，本局执法人员检查发现，当事人经营场所内陈列销售的{items}种商品未按规定标示价格。\n当事人的上述行为违反了《中华人民共和国价格法》第十三条第一款的规定。依据《中华人民共和国价格法》第四十二条的规定，本局责令当事人立即改正，并决定处罚款{fine}元。",
            cn(found)
        );
        let it = penalty(g, "D-SJG", MARKET, "示市监罚", party, formed, facts);
        g.push(it);
    }
    for _ in 0..45 {
        let party = company(g, MAKERS);
        let formed = any_day(g);
        let built = g.day_after(formed, -150, -60);
        let area = g.int(80, 900);
        let cost = area * g.int(900, 1600);
        let rate = g.int(5, 10);
        let fine = cost * rate / 100;
        let fix = g.day_after(formed, 30, 60);
        let facts = format!(
            "经查，当事人未取得建设工程规划许可证，于{}在其厂区内擅自建设钢结构厂房一处，建筑面积{area}平方米，工程造价{cost}元。经规划部门认定，该建设工程尚可采取改正措施消除对规划实施的影响。\n当事人的上述行为违反了《中华人民共和国城乡规划法》第四十条第一款的规定。依据《中华人民共和国城乡规划法》第六十四条的规定，本局决定：\n一、责令当事人于{}前改正，依法补办建设工程规划许可手续；\n二、处建设工程造价{rate}%的罚款，计{fine}元。",
            cn(built),
            cn(fix)
        );
        let mut it = penalty(g, "D-CGJ", "城乡建设、环境保护", "示城管罚", party, formed, facts);
        it.checks.push(Check::Percent { part: Num::int(fine), whole: Num::int(cost), pct: Num::int(rate) });
        g.push(it);
    }
    for _ in 0..30 {
        let (name, code, product) = maker(g);
        let formed = any_day(g);
        let started = g.day_after(formed, -120, -60);
        let investment = g.int(300, 5000);
        let rate = g.int(1, 5);
        let fine = investment * rate; // 万元 × % = hundredths of 万元
        let facts = format!(
            "经查，当事人{product}项目总投资{investment}万元，依法应当编制环境影响报告表。当事人未依法报批建设项目环境影响评价文件，于{}擅自开工建设，至本局检查时主体设备已安装完毕。\n当事人的上述行为违反了《中华人民共和国环境影响评价法》第二十五条的规定。依据《中华人民共和国环境影响评价法》第三十一条第一款的规定，本局决定：\n一、责令当事人停止建设；\n二、处建设项目总投资额{rate}%的罚款，计{}万元。",
            cn(started),
            Num::dec(fine, 2)
        );
        let mut it = penalty(g, "D-STJ", "城乡建设、环境保护", "示环罚", (name, code), formed, facts);
        it.checks.push(Check::Percent { part: Num::dec(fine, 2), whole: Num::int(investment), pct: Num::int(rate) });
        g.push(it);
    }
    for _ in 0..30 {
        let party = company(g, MAKERS);
        let formed = any_day(g);
        let found = g.day_after(formed, -50, -20);
        let workers = g.int(2, 9);
        let fine = g.int(2, 8) * 5000;
        let fix = g.day_after(formed, 10, 20);
        let facts = format!(
            "经查，{}，本局执法人员检查发现，当事人未按照规定对从业人员进行安全生产教育和培训，{workers}名新入职员工未经安全生产教育和培训即上岗作业。\n当事人的上述行为违反了《中华人民共和国安全生产法》第二十八条第一款的规定。依据《中华人民共和国安全生产法》第九十七条第（三）项的规定，本局决定：\n一、责令当事人于{}前改正；\n二、处罚款{fine}元。",
            cn(found),
            cn(fix)
        );
        let it = penalty(g, "D-YJJ", MARKET, "示应急罚", party, formed, facts);
        g.push(it);
    }
}

/// Planning permits for buildings (自然资源和规划局), numbered in the order they are issued.
fn planning_permits(g: &mut Gen<'_>) {
    let mut permits = Vec::new();
    for _ in 0..70 {
        let (builder, _) = company(g, &["置业有限公司", "房地产开发有限公司", "实业有限公司"]);
        let road = g.pick(ROADS).to_string();
        let kind = g.pick(&["住宅小区", "商业综合体", "标准厂房", "邻里中心", "人才公寓"]).to_string();
        let project = format!("{road}{kind}（{}期）", ["一", "二", "三"][g.rng.below(3)]);
        if permits.iter().any(|p: &(NaiveDate, String, String, String)| p.1 == builder && p.2 == project) {
            continue;
        }
        permits.push((any_day(g), builder, project, road));
    }
    permits.sort();
    let mut seq = std::collections::BTreeMap::new();
    for (formed, builder, project, road) in permits {
        let n = seq.entry(formed.year()).or_insert(0);
        *n += 1;
        let above = g.int(8_000, 120_000);
        let below = above * g.int(5, 30) / 100;
        let total = above + below;
        let mut it = item(
            "D-ZRJ",
            "A20-05",
            "国土资源、能源",
            formed,
            format!("建设工程规划许可证核发公示（{builder}{project}）"),
            format!(
                "根据《中华人民共和国城乡规划法》第四十条，现将建设工程规划许可证核发情况公示如下：\n建设单位：{builder}\n建设项目：{project}\n建设位置：{}{road}\n建设规模：总建筑面积{total}平方米，其中地上{above}平方米、地下{below}平方米\n证书编号：建字第321084{}{:04}号\n发证日期：{}\n项目的规划总平面图可在市自然资源和规划局政务服务窗口查阅。",
                g.pick(g.towns).name.clone(),
                formed.year(),
                n,
                cn(formed)
            ),
        );
        it.kind = "notice";
        it.checks.push(Check::Sum(Num::int(total), vec![Num::int(above), Num::int(below)]));
        g.push(it);
    }
}

/// Approvals of environmental impact reports (生态环境局).
fn environmental_approvals(g: &mut Gen<'_>) {
    let mut used = Vec::new();
    for _ in 0..40 {
        let (name, _, product) = maker(g);
        let title = format!("关于{name}{product}项目环境影响报告表的批复");
        if used.contains(&title) {
            continue;
        }
        used.push(title.clone());
        let formed = any_day(g);
        let investment = g.int(1200, 30000);
        let env = investment * g.int(15, 60) / 1000;
        let share = pct(env, investment);
        let place = address(g);
        let mut it = item(
            "D-STJ",
            "A20-05",
            "城乡建设、环境保护",
            formed,
            title,
            format!(
                "{name}：\n你公司报送的《{product}项目环境影响报告表》收悉。经研究，批复如下：\n一、项目位于{place}，总投资{investment}万元，其中环保投资{env}万元，占总投资的{share}%。在全面落实报告表提出的各项污染防治和生态保护措施后，项目建设对环境的不利影响能够得到缓解和控制。从生态环境保护角度，同意项目建设。\n二、项目建设须严格执行配套的环境保护设施与主体工程同时设计、同时施工、同时投产使用的制度。\n三、项目竣工后，须按规定开展竣工环境保护验收，验收合格后方可正式投入生产。\n此复。"
            ),
        );
        it.kind = "decision";
        it.doc_series = Some("示环审".into());
        it.checks.push(Check::Percent { part: Num::int(env), whole: Num::int(investment), pct: share });
        g.push(it);
    }
}

/// Public works: the tender notice, then the result a month later; by the unit that owns
/// the work.
fn projects(g: &mut Gen<'_>) {
    let towns = g.towns.to_vec();
    // (owner, project, subject, price cap range in 万元 as such works cost)
    let mut list: Vec<(String, String, &'static str, (i64, i64))> = Vec::new();
    for t in towns.iter().filter(|t| t.code.starts_with("T-")) {
        let v = g.pick(&t.villages).clone();
        list.push((t.code.clone(), format!("{v}农田灌溉泵站更新改造工程"), "农业、林业、水利", (60, 260)));
        list.push(("D-JYJ".into(), format!("{}{}提档升级工程", t.name, g.pick(&["至县道连接线", "环镇路", "中心路"])), "工业、交通", (300, 1500)));
    }
    for r in RIVERS {
        list.push(("D-SWJ".into(), format!("{r}河道综合整治工程"), "农业、林业、水利", (500, 3000)));
    }
    for t in towns.iter().take(8) {
        list.push(("D-ZJJ".into(), format!("{}{}片区老旧小区改造工程", t.name, g.pick(ROADS)), "城乡建设、环境保护", (800, 3500)));
        list.push(("D-WJW".into(), format!("{}卫生院业务用房改造工程", t.name), "卫生、体育", (300, 1200)));
    }
    for (owner, project, theme, (lo, hi)) in list {
        let tender = any_day(g);
        let cap = g.int(lo, hi);
        let days = g.int(60, 240);
        let close = g.day_after(tender, 20, 25);
        let owner_name = organ(g, &owner);
        let mut it = item(
            &owner,
            "A20-10",
            theme,
            tender,
            format!("{project}招标公告"),
            format!(
                "一、招标条件：{project}已按规定批准建设，招标人为{owner_name}，建设资金来自财政资金，项目已具备招标条件，现进行公开招标。\n二、项目概况：最高投标限价{cap}万元，计划工期{days}日历天。\n三、投标人资格要求：具备相应施工总承包资质，并在人员、设备、资金等方面具有相应的施工能力。\n四、投标截止时间：{}上午9时30分，地点为示范市公共资源交易中心。\n五、本公告同时在江苏省公共资源交易网发布。",
                cn(close)
            ),
        );
        it.kind = "notice";
        g.push(it);
        let (winner, _) = company(g, BUILDERS);
        let bid = cap * g.int(88, 97) / 100;
        let result = g.day_after(close, 3, 8);
        let mut it = item(
            &owner,
            "A20-10",
            theme,
            result,
            format!("{project}中标候选人公示"),
            format!(
                "{project}于{}开标，经评标委员会评审，现将中标候选人公示如下：\n第一中标候选人：{winner}，投标报价{bid}万元（最高投标限价{cap}万元），工期{days}日历天。\n公示期为3日。投标人或者其他利害关系人对评标结果有异议的，应当在公示期内向招标人书面提出。",
                cn(close)
            ),
        );
        it.kind = "notice";
        it.checks.push(Check::AtMost(Num::int(bid), Num::int(cap)));
        g.push(it);
    }
}

/// Land expropriation (自然资源和规划局 announces, the town pays out) and expropriation of
/// houses on state land (住房和城乡建设局 as the expropriation department).
fn expropriation(g: &mut Gen<'_>) {
    let towns = g.towns.to_vec();
    for t in towns.iter().filter(|t| t.code.starts_with("T-")).take(7) {
        let project = format!("{}{}", t.name, g.pick(&["工业集中区配套道路", "污水处理厂扩建", "中心小学迁建", "物流园区", "安置小区"]));
        let villages: Vec<String> = {
            let mut v = Vec::new();
            for _ in 0..3 {
                let x = g.pick(&t.villages).clone();
                if !v.contains(&x) {
                    v.push(x);
                }
            }
            v
        };
        let farm = g.int(40, 260);
        let arable = farm * g.int(50, 90) / 100;
        let building = g.int(3, 40);
        let total = farm + building;
        let notice = any_day(g);
        let survey = g.day_after(notice, 5, 12);
        let mut it = item(
            "D-ZRJ",
            "A21-C4",
            "国土资源、能源",
            notice,
            format!("关于{}集体土地征收的预公告（{project}项目）", villages.join("、")),
            format!(
                "因{project}项目建设需要，拟征收{}{}集体土地。根据《中华人民共和国土地管理法》第四十七条和《中华人民共和国土地管理法实施条例》第二十六条的规定，现将有关事项预公告如下：\n一、拟征收土地面积共{total}亩，其中农用地{farm}亩（含耕地{arable}亩）、建设用地{building}亩。\n二、自本公告发布之日起，在拟征收范围内暂停办理户口迁入、分户，不得抢栽抢建；违反规定抢栽抢建的，对抢栽抢建部分不予补偿。\n三、土地现状调查自{}开始，请有关村集体经济组织和农户予以配合。",
                t.name,
                villages.join("、"),
                cn(survey)
            ),
        );
        it.kind = "notice";
        it.checks.push(Check::Sum(Num::int(total), vec![Num::int(farm), Num::int(building)]));
        it.checks.push(Check::AtMost(Num::int(arable), Num::int(farm)));
        g.push(it);
        let price = g.int(52, 66) * 1000;
        let amount = total * price;
        let plan = g.day_after(notice, 35, 60);
        let mut it = item(
            "D-ZRJ",
            "A21-C4",
            "国土资源、能源",
            plan,
            format!("{project}项目征地补偿安置方案公告"),
            format!(
                "根据《中华人民共和国土地管理法实施条例》第二十七条的规定，现将{project}项目征地补偿安置方案公告如下：\n一、征收范围：{}{}，共{total}亩。\n二、补偿标准：土地补偿费和安置补助费按本市征地区片综合地价每亩{price}元执行，合计{amount}元；地上附着物和青苗按市人民政府公布的标准另行补偿。\n三、被征地农民按规定纳入社会保障。\n四、公告期30日。被征地的农村集体经济组织、村民或者其他权利人对方案有异议的，可在公告期内向市自然资源和规划局提出；过半数被征地的农村集体经济组织成员认为方案不符合法律、法规规定的，市人民政府将组织听证。",
                t.name,
                villages.join("、")
            ),
        );
        it.kind = "notice";
        it.checks.push(Check::Product(Num::int(total), Num::int(price), Num::int(amount)));
        g.push(it);
        let paid = g.day_after(plan, 60, 120);
        let mut it = item(
            &t.code,
            "A21-T5",
            "国土资源、能源",
            paid,
            format!("{project}项目征地补偿款发放情况公示"),
            format!(
                "{project}项目涉及{}，征收土地{total}亩。按照市人民政府批准的征地补偿安置方案，土地补偿费和安置补助费按每亩{price}元计算，共计{amount}元，已于{}全部足额拨付至各村集体经济组织和被征地农户。\n公示期7天。对补偿款发放有异议的，可向{}反映。",
                villages.join("、"),
                cn(paid),
                organ(g, &t.code)
            ),
        );
        it.checks.push(Check::Product(Num::int(total), Num::int(price), Num::int(amount)));
        g.push(it);
    }
    for area in ["老城区北门片区", "运河西路沿线片区", "城东菜市场片区"] {
        let homes = g.int(60, 400);
        let shops = g.int(5, 60);
        let all = homes + shops;
        let draft = any_day(g);
        let mut it = item(
            "D-ZJJ",
            "A21-C5",
            "城乡建设、环境保护",
            draft,
            format!("{area}国有土地上房屋征收补偿方案（征求意见稿）"),
            format!(
                "为实施{area}城市更新项目，根据《国有土地上房屋征收与补偿条例》第十条的规定，市住房和城乡建设局作为房屋征收部门拟定了征收补偿方案，现公布征求公众意见。\n一、征收范围内共有房屋{all}户，其中住宅{homes}户、非住宅{shops}户。\n二、被征收房屋的价值由具有相应资质的房地产价格评估机构按照房屋征收评估办法评估确定；被征收人可以选择货币补偿，也可以选择房屋产权调换。\n三、征求意见期限为30日。公众可通过书面、电子邮件等方式向市住房和城乡建设局提出意见。"
            ),
        );
        it.kind = "notice";
        it.checks.push(Check::Sum(Num::int(all), vec![Num::int(homes), Num::int(shops)]));
        g.push(it);
    }
}

/// Traffic control during road works (公安局 traffic police).
fn traffic_control(g: &mut Gen<'_>) {
    let mut used = Vec::new();
    for _ in 0..16 {
        let road = g.pick(ROADS).to_string();
        let from = g.pick(ROADS).to_string();
        let to = g.pick(ROADS).to_string();
        if from == road || to == road || from == to || used.contains(&road) {
            continue;
        }
        used.push(road.clone());
        let formed = any_day(g);
        let begin = g.day_after(formed, 3, 7);
        let end = begin + Duration::days(g.int(20, 90));
        let works = g.pick(&["雨污分流管网改造", "路面大修", "给水管道迁改", "人行道改造"]).to_string();
        let mut it = item(
            "D-GAJ",
            "A21-C6",
            "公安、安全、司法",
            formed,
            format!("关于{road}（{from}至{to}段）施工期间实施交通管制的通告"),
            format!(
                "因{road}{works}工程施工需要，根据《中华人民共和国道路交通安全法》第三十九条的规定，决定自{}起至{}止，对{road}{from}至{to}段实施全封闭交通管制。\n管制期间，机动车请绕行{from}、{to}等道路，行人和非机动车在施工围挡外侧的临时通道通行。\n请过往车辆和行人服从交通民警和现场指挥人员的指挥。特此通告。",
                cn(begin),
                cn(end)
            ),
        );
        it.kind = "notice";
        g.push(it);
    }
}

/// Normative documents and yearly notices of the units whose remit they are.
fn normative(g: &mut Gen<'_>) {
    let rules = [
        "政府投资项目管理办法",
        "公共资源交易管理办法",
        "城市道路挖掘管理办法",
        "农村集体资产管理办法",
        "行政执法公示办法",
        "政府购买服务管理办法",
        "住宅小区物业管理办法",
        "重大行政决策程序规定",
    ];
    for rule in rules {
        let formed = any_day(g);
        let meeting = g.int(2, 40);
        let effective = formed + Duration::days(30);
        let mut it = item(
            "D-BGS",
            "A20-01",
            "综合政务",
            formed,
            format!("示范市人民政府办公室关于印发《示范市{rule}》的通知"),
            format!(
                "各镇人民政府（管委会），市各委办局，市各直属单位：\n《示范市{rule}》已经市人民政府第{meeting}次常务会议审议通过，现印发给你们，请认真贯彻执行。\n附件：示范市{rule}\n第一条 为了规范相关管理活动，根据有关法律、法规和规章，结合本市实际，制定本办法。\n第二条 本办法适用于本市行政区域内的相关管理活动。\n第三条 市有关部门按照各自职责做好相关工作；镇人民政府（管委会）负责本辖区内的具体实施。\n第四条 本办法自{}起施行，有效期五年。",
                cn(effective)
            ),
        );
        it.kind = "normative";
        it.doc_series = Some("示政办规".into());
        g.push(it);
    }
    for (y, formed) in g.yearly((6, 10), (6, 25)) {
        let (old_city, old_rural) = (g.int(80, 86) * 10, g.int(74, 79) * 10);
        let (up_city, up_rural) = (g.int(2, 5) * 10, g.int(3, 6) * 10);
        let (new_city, new_rural) = (old_city + up_city, old_rural + up_rural);
        let mut it = item(
            "D-MZJ",
            "A21-C7",
            "民政、扶贫、救灾",
            formed,
            format!("示范市民政局关于调整{y}年城乡最低生活保障标准的通知"),
            format!(
                "各镇人民政府（管委会），市各有关部门：\n经市人民政府同意，自{y}年7月1日起调整本市城乡最低生活保障标准：城市低保标准由每人每月{old_city}元提高到{new_city}元，提高{up_city}元；农村低保标准由每人每月{old_rural}元提高到{new_rural}元，提高{up_rural}元。\n各地要按照新标准及时调整低保对象的补差金额，所需资金按现行渠道解决，确保新标准按时落实到位。"
            ),
        );
        it.kind = "normative";
        it.doc_series = Some("示民规".into());
        it.checks.push(Check::Sum(Num::int(new_city), vec![Num::int(old_city), Num::int(up_city)]));
        it.checks.push(Check::Sum(Num::int(new_rural), vec![Num::int(old_rural), Num::int(up_rural)]));
        g.push(it);
    }
    for (y, formed) in g.yearly((3, 10), (3, 31)) {
        let (keep, amend, repeal) = (g.int(60, 140), g.int(3, 15), g.int(5, 25));
        let total = keep + amend + repeal;
        let mut it = item(
            "D-SFJ",
            "A20-01",
            "公安、安全、司法",
            formed,
            format!("关于公布{}年行政规范性文件清理结果的通知", y - 1),
            format!(
                "根据市人民政府部署，市司法局会同各有关部门对截至{}年12月31日现行有效的行政规范性文件进行了全面清理。\n本次共清理行政规范性文件{total}件，其中继续有效{keep}件，需要修改{amend}件，宣布废止或失效{repeal}件。\n废止和失效的文件自本通知公布之日起不再作为行政管理的依据；需要修改的文件由制定机关在六个月内修改完毕。",
                y - 1
            ),
        );
        it.kind = "notice";
        it.doc_series = Some("示司发".into());
        it.checks.push(Check::Sum(Num::int(total), vec![Num::int(keep), Num::int(amend), Num::int(repeal)]));
        g.push(it);
    }
    for (y, formed) in g.yearly((8, 20), (9, 5)) {
        let (own, subsidy) = (g.int(38, 42) * 10, g.int(67, 70) * 10);
        let mut it = item(
            "D-YBJ",
            "A20-11",
            "卫生、体育",
            formed,
            format!("关于做好{}年度城乡居民基本医疗保险参保缴费工作的通知", y + 1),
            format!(
                "各镇人民政府（管委会），市各有关部门：\n{}年度城乡居民基本医疗保险个人缴费标准为每人每年{own}元，各级财政补助标准为每人每年不低于{subsidy}元。集中缴费期为{y}年9月1日至12月31日。\n城乡低保对象、特困人员等困难群体的个人缴费部分按规定给予资助。参保人员可通过手机客户端、银行网点或村（社区）代办点缴费。",
                y + 1
            ),
        );
        it.kind = "notice";
        it.doc_series = Some("示医保发".into());
        g.push(it);
    }
    for (y, formed) in g.yearly((5, 6), (5, 20)) {
        let (c1, c2) = (g.int(70, 90), g.int(55, 75));
        let (s1, s2) = (c1 * g.int(40, 45), c2 * g.int(45, 50));
        let mut it = item(
            "D-JTJ",
            "A20-11",
            "科技、教育",
            formed,
            format!("示范市{y}年义务教育学校招生工作方案"),
            format!(
                "一、招生原则：义务教育学校坚持免试就近入学，严禁以任何形式的考试选拔学生。\n二、招生计划：全市小学一年级计划招生{c1}个班{s1}人，初中一年级计划招生{c2}个班{s2}人。\n三、报名时间：小学和初中新生网上报名时间为{y}年7月1日至7月10日。\n四、随迁子女按照以居住证为主要依据的办法入学。"
            ),
        );
        it.kind = "notice";
        it.doc_series = Some("示教体发".into());
        g.push(it);
    }
    for (y, formed) in g.yearly((3, 15), (4, 10)) {
        let (manage, tech) = (g.int(10, 30), g.int(40, 120));
        let total = manage + tech;
        let mut it = item(
            "D-RSJ",
            "A20-14",
            "劳动、人事、监察",
            formed,
            format!("示范市{y}年事业单位公开招聘工作人员公告"),
            format!(
                "根据《事业单位人事管理条例》和江苏省事业单位公开招聘的有关规定，经研究，{y}年市属事业单位公开招聘工作人员{total}名，其中管理岗位{manage}名、专业技术岗位{tech}名。\n招聘岗位、人数及资格条件详见招聘岗位表。\n报名采取网上报名方式，笔试和面试成绩各占50%。\n招聘工作接受纪检监察机关和社会监督。"
            ),
        );
        it.kind = "notice";
        it.checks.push(Check::Sum(Num::int(total), vec![Num::int(manage), Num::int(tech)]));
        g.push(it);
        let hired = total - g.int(0, 4);
        let later = g.day_after(formed, 100, 120);
        let mut it = item(
            "D-RSJ",
            "A20-14",
            "劳动、人事、监察",
            later,
            format!("示范市{y}年事业单位公开招聘拟聘用人员公示"),
            format!(
                "示范市{y}年事业单位公开招聘工作人员计划招聘{total}名，经笔试、面试、资格复审、体检和考察，确定拟聘用人员{hired}名，名单附后。\n公示期为7个工作日。对公示人员有异议的，可以书面形式向市人力资源和社会保障局反映，反映问题要实事求是。"
            ),
        );
        it.kind = "notice";
        it.checks.push(Check::AtMost(Num::int(hired), Num::int(total)));
        g.push(it);
    }
    for (y, formed) in g.yearly((5, 10), (5, 25)) {
        let mut it = item(
            "D-YJJ",
            "A20-12",
            "市场监管、安全生产监管",
            formed,
            format!("关于做好{y}年防汛防台工作的通知"),
            format!(
                "各镇人民政府（管委会），市防汛防旱指挥部各成员单位：\n{y}年汛期即将到来。各地各部门要严格落实以行政首长负责制为核心的防汛责任制，于6月1日前完成河道、涵闸、泵站和在建工程的汛前检查，及时消除隐患。\n汛期实行24小时值班和领导带班制度，遇有重大险情，须在第一时间报告市防汛防旱指挥部办公室，并组织转移危险区域群众。"
            ),
        );
        it.kind = "notice";
        it.doc_series = Some("示应急发".into());
        g.push(it);
    }
}

/// Random inspections (“双随机、一公开”), each quarter, by the authorities that inspect.
fn random_inspections(g: &mut Gen<'_>) {
    let who: &[(&str, &str, &str)] = &[
        ("D-SJG", "市场监管、安全生产监管", "食品经营、产品质量和计量"),
        ("D-STJ", "城乡建设、环境保护", "排污单位"),
        ("D-YJJ", "市场监管、安全生产监管", "工贸企业安全生产"),
        ("D-WJW", "卫生、体育", "公共场所卫生和医疗机构"),
        ("D-JYJ", "工业、交通", "道路运输企业"),
        ("D-NYJ", "农业、林业、水利", "农药和兽药经营"),
        ("D-WLJ", "文化、广电、新闻出版", "文化娱乐场所"),
        ("D-SWU", "商贸、海关、旅游", "成品油零售和单用途预付卡"),
    ];
    for (y, m, formed) in g.report_months(10, 20) {
        if m % 3 != 0 {
            continue;
        }
        for (code, theme, field) in who {
            let total = g.int(12, 60);
            let issues = g.int(0, total / 6);
            let fine = total - issues;
            let mut it = item(
                code,
                "A20-13",
                theme,
                formed,
                format!("{y}年第{}季度“双随机、一公开”抽查结果公示", m / 3),
                format!(
                    "按照“双随机、一公开”监管工作要求，{}于{y}年第{}季度从{field}检查对象名录库中随机抽取检查对象{total}家，随机选派执法检查人员实施检查。\n检查结果：未发现问题{fine}家，发现问题{issues}家。对发现问题的，已依法责令限期整改，并将跟踪复查。\n抽查结果已同步记于国家企业信用信息公示系统。",
                    organ(g, code),
                    m / 3
                ),
            );
            it.period_end = Some(super::demo_corpus::month_end(y, m));
            it.checks.push(Check::Sum(Num::int(total), vec![Num::int(fine), Num::int(issues)]));
            g.push(it);
        }
    }
}

/// The towns' yearly notices: land transfers, 一事一议, irrigation works, farmland subsidies.
fn town_years(g: &mut Gen<'_>) {
    let towns: Vec<_> = g.towns.iter().filter(|t| t.code.starts_with("T-")).cloned().collect();
    for t in &towns {
        for (y, formed) in g.yearly((1, 15), (3, 15)) {
            let contracted = g.int(30_000, 80_000);
            let parts: Vec<i64> = vec![g.int(3_000, 12_000), g.int(2_000, 9_000), g.int(2_000, 8_000), g.int(500, 3_000)];
            let moved: i64 = parts.iter().sum();
            let share = pct(moved, contracted);
            let mut it = item(
                &t.code,
                "A21-T3",
                "农业、林业、水利",
                formed,
                format!("{}{}年农村土地承包经营权流转情况", t.name, y - 1),
                format!(
                    "截至{}年底，全镇家庭承包耕地面积{contracted}亩，其中流转面积{moved}亩，流转率{share}%。\n按流入主体分：流转给专业大户{}亩，家庭农场{}亩，农民专业合作社{}亩，农业企业{}亩。\n流转合同均使用省统一示范文本，并经镇农村土地承包经营权流转服务中心备案。",
                    y - 1,
                    parts[0],
                    parts[1],
                    parts[2],
                    parts[3]
                ),
            );
            it.period_end = Some(NaiveDate::from_ymd_opt(y - 1, 12, 31).expect("date"));
            it.checks.push(Check::Sum(Num::int(moved), parts.iter().map(|p| Num::int(*p)).collect()));
            it.checks.push(Check::Percent { part: Num::int(moved), whole: Num::int(contracted), pct: share });
            g.push(it);
        }
        for (y, formed) in g.yearly((4, 10), (6, 10)) {
            let (raised, award, village) = (g.int(20, 90), g.int(40, 150), g.int(10, 60));
            let total = raised + award + village;
            let k = g.int(3, 9);
            let labour = g.int(300, 1500);
            let mut it = item(
                &t.code,
                "A21-T7",
                "农业、林业、水利",
                formed,
                format!("{}{y}年村级公益事业建设一事一议筹资筹劳情况公示", t.name),
                format!(
                    "{y}年，全镇经村民会议或村民代表会议讨论通过，实施村级公益事业建设一事一议项目{k}个，主要用于村内道路硬化、小型水利设施和村庄环境整治。\n项目总投资{total}万元，其中村民筹资{raised}万元、财政奖补{award}万元、村集体投入{village}万元；筹劳{labour}个工日。\n筹资筹劳严格执行上限标准，不得强行以资代劳。"
                ),
            );
            it.checks.push(Check::Sum(Num::int(total), vec![Num::int(raised), Num::int(award), Num::int(village)]));
            g.push(it);
        }
        for (y, formed) in g.yearly((6, 15), (7, 15)) {
            let area = g.int(25_000, 70_000);
            let rate = g.int(100, 130);
            let amount = area * rate;
            let mut it = item(
                &t.code,
                "A21-T1",
                "农业、林业、水利",
                formed,
                format!("{}{y}年耕地地力保护补贴发放情况公示", t.name),
                format!(
                    "根据市财政局、市农业农村局下达的{y}年耕地地力保护补贴资金，全镇补贴面积{area}亩，补贴标准每亩{rate}元，发放补贴资金{amount}元，已通过“一卡通”直接发放到农户。\n补贴面积以农户承包地确权面积为基础，已改变用途的耕地不予补贴。对补贴发放有异议的，可向镇农业农村服务中心反映。"
                ),
            );
            it.checks.push(Check::Product(Num::int(area), Num::int(rate), Num::int(amount)));
            g.push(it);
        }
        for (y, formed) in g.yearly((11, 20), (12, 20)) {
            let (pumps, ditches, area) = (g.int(2, 12), g.int(5, 40), g.int(2_000, 12_000));
            let investment = g.int(300, 1500);
            let it = item(
                &t.code,
                "A21-T2",
                "农业、林业、水利",
                formed,
                format!("{}{y}年农田水利工程建设情况", t.name),
                format!(
                    "{y}年，全镇完成农田水利工程投资{investment}万元，新建和改造灌溉泵站{pumps}座，疏浚沟渠{ditches}公里，新增和改善灌溉面积{area}亩。\n工程建成后由受益村管理，镇水利站负责技术指导，确保工程长期发挥效益。"
                ),
            );
            g.push(it);
        }
    }
}
