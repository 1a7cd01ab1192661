//! The texts of the demo city's publications (see [`super::demo_corpus`]): periodic reports of
//! the units whose work they report, each unit's budget, final accounts and annual reports, and
//! the documents of single matters in [`super::demo_cases`]. Every figure a text adds up is
//! recorded as a [`Check`].

use chrono::{Datelike, Duration, NaiveDate};

use super::demo_corpus::{Check, Gen, Item, Num, month_end, pct};
use fazhi_platform::demo::DEPARTMENTS;

/// Everything of the year.
pub fn all(g: &mut Gen<'_>) {
    statistics(g);
    air_quality(g);
    subsistence(g);
    permits_monthly(g);
    city_management_monthly(g);
    food_sampling(g);
    housing_fund(g);
    towns_monthly(g);
    homesteads(g);
    consumer_prices(g);
    budgets(g);
    annual_reports(g);
    super::demo_cases::all(g);
}

/// The organ's full name by its unit code: 示范市民政局, 东湖镇人民政府.
pub fn organ(g: &Gen<'_>, code: &str) -> String {
    if let Some(d) = DEPARTMENTS.iter().find(|d| d.0 == code) {
        return format!("示范{}", d.1);
    }
    match g.towns.iter().find(|t| t.code == code) {
        Some(t) if t.code.starts_with("P-") => format!("{}管理委员会", t.name),
        Some(t) => format!("{}人民政府", t.name),
        None => code.to_string(),
    }
}

/// An item with the usual defaults: a report, no 文号.
pub fn item(issuer: &str, category: &'static str, theme: &'static str, formed: NaiveDate, title: String, body: String) -> Item {
    Item {
        issuer: issuer.to_string(),
        category,
        theme,
        kind: "report",
        doc_series: None,
        doc_no: None,
        title,
        body,
        formed,
        period_end: None,
        checks: Vec::new(),
    }
}

/// A figure in hundredths (亿元, 万元 with two decimals).
fn d2(v: i64) -> Num {
    Num::dec(v, 2)
}

fn d1(v: i64) -> Num {
    Num::dec(v, 1)
}

fn n(v: i64) -> Num {
    Num::int(v)
}

// ------------------------------------------------------------------ monthly and quarterly

/// 统计局: the month's main indicators (cumulative from January; 1—2月 reported together).
fn statistics(g: &mut Gen<'_>) {
    for (y, m, formed) in g.report_months(8, 14) {
        if m == 1 {
            continue;
        }
        let industry = d1(g.int(42, 86));
        let investment = d1(g.int(-35, 92));
        let retail_month = g.int(2600, 3100); // 百万元 per month
        let retail = d2(retail_month * i64::from(m));
        let retail_growth = d1(g.int(31, 68));
        let revenue = g.int(380, 450) * i64::from(m); // 百万元
        let tax = revenue * g.int(74, 83) / 100;
        let share = pct(tax, revenue);
        let period = if m == 2 { "1—2月".to_string() } else { format!("1—{m}月") };
        let mut it = item(
            "D-TJJ",
            "A20-04",
            "国民经济管理、国有资产监管",
            formed,
            format!("{y}年{period}全市主要经济指标"),
            format!(
                "{y}年{period}，全市经济运行总体平稳。\n规模以上工业增加值同比增长{industry}%。\n固定资产投资同比{}{}%。\n社会消费品零售总额{retail}亿元，同比增长{retail_growth}%。\n一般公共预算收入{}亿元，其中税收收入{}亿元，税收占一般公共预算收入的{share}%。\n以上数据为快报数，最终以年报数据为准。",
                if investment.v < 0 { "下降" } else { "增长" },
                d1(investment.v.abs()),
                d2(revenue),
                d2(tax),
            ),
        );
        it.period_end = Some(month_end(y, m));
        it.checks.push(Check::Percent { part: d2(tax), whole: d2(revenue), pct: share });
        g.push(it);
    }
}

/// 统计局: quarterly consumer prices.
fn consumer_prices(g: &mut Gen<'_>) {
    for (y, m, formed) in g.report_months(12, 18) {
        if m % 3 != 0 {
            continue;
        }
        let q = m / 3;
        let all = d1(g.int(-5, 24));
        let food = d1(g.int(-30, 40));
        let services = d1(g.int(3, 25));
        let words = |v: Num| if v.v < 0 { format!("下降{}%", d1(-v.v)) } else { format!("上涨{v}%") };
        let mut it = item(
            "D-TJJ",
            "A20-04",
            "国民经济管理、国有资产监管",
            formed,
            format!("{y}年第{q}季度全市居民消费价格运行情况"),
            format!(
                "{y}年第{q}季度，全市居民消费价格总水平同比{}。\n分类别看，食品烟酒类价格同比{}，其中鲜菜、鲜果价格受天气影响波动较大；服务价格同比{}，主要是医疗服务和家政服务价格上涨。\n工业消费品价格总体稳定。下阶段，市统计局将继续做好价格监测工作。",
                words(all),
                words(food),
                words(services)
            ),
        );
        it.period_end = Some(month_end(y, m));
        g.push(it);
    }
}

/// 生态环境局: the month's air quality; the days add up to the month.
fn air_quality(g: &mut Gen<'_>) {
    for (y, m, formed) in g.report_months(5, 10) {
        let days = i64::from(month_end(y, m).day());
        let winter = matches!(m, 11 | 12 | 1 | 2);
        let bad = if winter { g.int(3, 9) } else { g.int(0, 4) };
        let moderate = if winter { g.int(0, bad.min(2)) } else { 0 };
        let light = bad - moderate;
        let good_days = days - bad;
        let excellent = g.int(good_days / 4, good_days * 2 / 3);
        let fine = good_days - excellent;
        let share = pct(good_days, days);
        let pm25 = if winter { g.int(42, 68) } else { g.int(18, 36) };
        let pm10 = pm25 + g.int(14, 30);
        let mut it = item(
            "D-STJ",
            "A20-13",
            "城乡建设、环境保护",
            formed,
            format!("{y}年{m}月全市环境空气质量状况"),
            format!(
                "{y}年{m}月，全市环境空气质量优良天数{good_days}天，占当月{days}天的{share}%。其中空气质量为优的{excellent}天、良的{fine}天，轻度污染{light}天，中度污染{moderate}天。\n细颗粒物（PM2.5）月均浓度为{pm25}微克/立方米，可吸入颗粒物（PM10）月均浓度为{pm10}微克/立方米。\n监测数据来自市区两个国控空气自动监测站。"
            ),
        );
        it.period_end = Some(month_end(y, m));
        it.checks.push(Check::Sum(n(days), vec![n(excellent), n(fine), n(light), n(moderate)]));
        it.checks.push(Check::Sum(n(good_days), vec![n(excellent), n(fine)]));
        it.checks.push(Check::Percent { part: n(good_days), whole: n(days), pct: share });
        g.push(it);
    }
}

/// 民政局: the month's subsistence allowances, city and countryside adding up to the total.
fn subsistence(g: &mut Gen<'_>) {
    for (y, m, formed) in g.report_months(3, 8) {
        let (h1, h2) = (g.int(1150, 1260), g.int(5600, 5900));
        let (p1, p2) = (h1 * 17 / 10 + g.int(0, 40), h2 * 16 / 10 + g.int(0, 90));
        let (w1, w2) = (p1 * g.int(520, 560), p2 * g.int(430, 470));
        let mut it = item(
            "D-MZJ",
            "A21-C7",
            "民政、扶贫、救灾",
            formed,
            format!("{y}年{m}月全市城乡低保资金发放情况"),
            format!(
                "{y}年{m}月，全市共保障城乡最低生活保障对象{}户{}人，发放低保资金{}元。\n其中：城市低保对象{h1}户{p1}人，发放资金{w1}元；农村低保对象{h2}户{p2}人，发放资金{w2}元。\n低保资金已通过惠民惠农财政补贴资金“一卡通”按时足额发放到户。对低保对象的认定和发放有异议的，可向户籍所在地镇人民政府（管委会）或市民政局反映。",
                h1 + h2,
                p1 + p2,
                w1 + w2
            ),
        );
        it.period_end = Some(month_end(y, m));
        it.checks.push(Check::Sum(n(h1 + h2), vec![n(h1), n(h2)]));
        it.checks.push(Check::Sum(n(p1 + p2), vec![n(p1), n(p2)]));
        it.checks.push(Check::Sum(n(w1 + w2), vec![n(w1), n(w2)]));
        g.push(it);
    }
}

/// 行政审批局: the month's licensing.
fn permits_monthly(g: &mut Gen<'_>) {
    for (y, m, formed) in g.report_months(3, 7) {
        let done = g.int(820, 1240);
        let refused = g.int(2, 11);
        let granted = done - refused;
        let received = done + g.int(10, 60);
        let online = done * g.int(78, 93) / 100;
        let share = pct(online, done);
        let mut it = item(
            "D-SPJ",
            "A20-05",
            "综合政务",
            formed,
            format!("{y}年{m}月行政许可事项办理情况"),
            format!(
                "{y}年{m}月，市行政审批局共受理行政许可申请{received}件，办结{done}件，其中准予许可{granted}件、不予许可{refused}件，均在法定期限内办结。\n办结事项中，全程网上办理（“不见面审批”）{online}件，占{share}%。\n不予许可的，均已书面说明理由，并告知申请人依法申请行政复议或者提起行政诉讼的权利。"
            ),
        );
        it.period_end = Some(month_end(y, m));
        it.checks.push(Check::Sum(n(done), vec![n(granted), n(refused)]));
        it.checks.push(Check::AtMost(n(done), n(received)));
        it.checks.push(Check::Percent { part: n(online), whole: n(done), pct: share });
        g.push(it);
    }
}

/// 城管局: the month's penalty cases by kind.
fn city_management_monthly(g: &mut Gen<'_>) {
    for (y, m, formed) in g.report_months(4, 9) {
        let parts: Vec<i64> = vec![g.int(20, 60), g.int(3, 12), g.int(8, 25), g.int(2, 9)];
        let total: i64 = parts.iter().sum();
        let fines = total * g.int(300, 900);
        let mut it = item(
            "D-CGJ",
            "A20-06",
            "城乡建设、环境保护",
            formed,
            format!("{y}年{m}月城市管理行政处罚案件办理情况"),
            format!(
                "{y}年{m}月，市城市管理局共办结行政处罚案件{total}件，罚没款{fines}元。\n按违法行为分：占道经营{}件，违法建设{}件，擅自设置户外广告{}件，建筑垃圾运输未采取密闭措施{}件。\n所有案件均经法制审核，处罚决定已依法送达当事人。",
                parts[0], parts[1], parts[2], parts[3]
            ),
        );
        it.period_end = Some(month_end(y, m));
        it.checks.push(Check::Sum(n(total), parts.iter().map(|p| n(*p)).collect()));
        g.push(it);
    }
}

/// 市场监管局: food sampling, twice a month, numbered through the year.
fn food_sampling(g: &mut Gen<'_>) {
    for (y, m, formed) in g.report_months(2, 6) {
        for half in 0..2u32 {
            let issue = (m - 1) * 2 + half + 1;
            let batches = g.int(60, 140);
            let failed = g.int(0, 3);
            let passed = batches - failed;
            let share = pct(passed, batches);
            let formed = if half == 0 { formed - Duration::days(14) } else { formed };
            let formed = g.workday(formed);
            let mut it = item(
                "D-SJG",
                "A20-13",
                "市场监管、安全生产监管",
                formed,
                format!("{y}年第{issue}期食品安全监督抽检信息"),
                format!(
                    "本期共抽检粮食加工品、食用油、肉制品、蔬菜、水果、餐饮食品等食品样品{batches}批次，检验合格{passed}批次，不合格{failed}批次，合格率{share}%。\n{}抽检结果已录入国家食品安全抽样检验信息系统。消费者发现不合格食品的，可拨打12315或12345反映。",
                    if failed > 0 {
                        "不合格食品已由属地市场监管所依法责令下架、召回，并立案调查。"
                    } else {
                        "本期未发现不合格样品。"
                    }
                ),
            );
            it.period_end = Some(formed - Duration::days(3));
            it.checks.push(Check::Sum(n(batches), vec![n(passed), n(failed)]));
            it.checks.push(Check::Percent { part: n(passed), whole: n(batches), pct: share });
            g.push(it);
        }
    }
}

/// 住房公积金管理中心: the month's deposits, withdrawals and loans.
fn housing_fund(g: &mut Gen<'_>) {
    for (y, m, formed) in g.report_months(6, 12) {
        let deposits = g.int(9800, 12600);
        let withdrawn = g.int(6200, 9100);
        let loans = g.int(90, 170);
        let loan_sum = loans * g.int(38, 46);
        let mut it = item(
            "D-GJJ",
            "A20-15",
            "城乡建设、环境保护",
            formed,
            format!("{y}年{m}月住房公积金缴存使用情况"),
            format!(
                "{y}年{m}月，全市住房公积金缴存额{}万元，提取额{}万元，发放个人住房公积金贷款{loans}笔、{loan_sum}万元。\n提取主要用于购买、建造、翻建、大修自住住房和偿还住房贷款本息。\n缴存职工可通过住房公积金网上业务大厅或手机客户端查询个人账户。",
                d2(deposits * 100),
                d2(withdrawn * 100)
            ),
        );
        it.period_end = Some(month_end(y, m));
        g.push(it);
    }
}

/// Each town and park: the month's temporary assistance, and the allowance roll carried on
/// from month to month.
fn towns_monthly(g: &mut Gen<'_>) {
    let towns = g.towns.to_vec();
    for t in &towns {
        let mut roll = g.int(380, 760);
        for (y, m, formed) in g.report_months(3, 9) {
            let causes: Vec<i64> = vec![g.int(1, 9), g.int(0, 3), g.int(0, 4)];
            let households: i64 = causes.iter().sum();
            if households == 0 {
                continue;
            }
            let amount = households * g.int(8, 30) * 100;
            let mut it = item(
                &t.code,
                "A21-T8",
                "民政、扶贫、救灾",
                formed,
                format!("{}{y}年{m}月临时救助审批情况公示", t.name),
                format!(
                    "经本人申请、入户调查、村（社区）评议和{}审批，{y}年{m}月共对{households}户遭遇突发性、紧急性、临时性基本生活困难的家庭给予临时救助，发放救助金{amount}元。\n其中：因病{}户，因灾{}户，因意外事故{}户。\n公示期7天。对公示内容有异议的，可向{}社会事务办公室反映。",
                    organ(g, &t.code),
                    causes[0],
                    causes[1],
                    causes[2],
                    t.name
                ),
            );
            it.period_end = Some(month_end(y, m));
            it.checks.push(Check::Sum(n(households), causes.iter().map(|c| n(*c)).collect()));
            g.push(it);

            let joined = g.int(2, 14);
            let left = g.int(1, 12);
            let before = roll;
            roll = before + joined - left;
            let mut it = item(
                &t.code,
                "A21-T8",
                "民政、扶贫、救灾",
                formed,
                format!("{}{y}年{m}月城乡低保对象变动情况公示", t.name),
                format!(
                    "{y}年{m}月，{}共有城乡低保对象{roll}户。上月末为{before}户，本月经申请、调查核实、民主评议和审核确认新增{joined}户，因家庭收入增加或人员变动退出{left}户。\n新增和退出名单已在各村（社区）公示栏张贴，公示期7天。对名单有异议的，可向{}社会事务办公室或市民政局反映。",
                    t.name, t.name
                ),
            );
            it.period_end = Some(month_end(y, m));
            it.checks.push(Check::Sum(n(roll), vec![n(before), n(joined), n(-left)]));
            g.push(it);
        }
    }
}

/// Each town and park: homestead approvals, batch by batch each quarter.
fn homesteads(g: &mut Gen<'_>) {
    let towns = g.towns.to_vec();
    for t in towns.iter().filter(|t| t.code.starts_with("T-")) {
        for (y, m, formed) in g.report_months(10, 20) {
            if m % 3 != 0 {
                continue;
            }
            // One batch a quarter: the quarter's number is the batch's.
            let batch = m / 3;
            let n_villages = g.int(2, 4) as usize;
            let mut lines = Vec::new();
            let (mut households, mut area) = (Vec::new(), Vec::new());
            let mut used = Vec::new();
            for _ in 0..n_villages {
                let v = g.pick(&t.villages).clone();
                if used.contains(&v) {
                    continue;
                }
                used.push(v.clone());
                let h = g.int(1, 5);
                let a = h * g.int(120, 200);
                lines.push(format!("{v}{h}户，批准用地{a}平方米"));
                households.push(h);
                area.push(a);
            }
            let (hs, ar): (i64, i64) = (households.iter().sum(), area.iter().sum());
            let mut it = item(
                &t.code,
                "A21-T4",
                "国土资源、能源",
                formed,
                format!("{}{y}年第{batch}批农村宅基地审批结果公示", t.name),
                format!(
                    "经农户申请、村民小组和村民委员会审查、{}审核批准，本批共批准{hs}户农户的宅基地申请，批准用地面积共{ar}平方米，均为在原址翻建或使用村内空闲地，不占用永久基本农田。\n具体为：{}。\n公示期10天。对公示内容有异议的，可向{}农业农村和自然资源部门反映。",
                    organ(g, &t.code),
                    lines.join("；"),
                    t.name
                ),
            );
            it.kind = "notice";
            it.period_end = Some(month_end(y, m));
            it.checks.push(Check::Sum(n(hs), households.iter().map(|h| n(*h)).collect()));
            it.checks.push(Check::Sum(n(ar), area.iter().map(|a| n(*a)).collect()));
            g.push(it);
        }
    }
}

// ------------------------------------------------------------------ each unit, each year

/// Budgets in spring, final accounts of the year before in summer: departments, and the
/// towns' and parks' public finances.
fn budgets(g: &mut Gen<'_>) {
    let units: Vec<(String, bool)> = DEPARTMENTS.iter().map(|d| (d.0.to_string(), false)).chain(g.towns.iter().map(|t| (t.code.clone(), true))).collect();
    for (code, town) in units {
        let name = organ(g, &code);
        for (y, formed) in g.yearly((2, 20), (3, 20)) {
            let (basic, project) = (g.int(80_000, 900_000), g.int(20_000, 1_600_000)); // 元 / 100
            let total = basic + project;
            let fiscal = total * g.int(82, 97) / 100;
            let other = total - fiscal;
            let (car, reception) = (g.int(200, 1_600), g.int(50, 900));
            let three = car + reception;
            let place = name.trim_end_matches("人民政府").trim_end_matches("管理委员会").to_string();
            // A town's budget is approved by its own people's congress; a park has none.
            let approved = if code.starts_with("P-") {
                format!("经市人民代表大会批准的{y}年预算")
            } else {
                format!("经{place}人民代表大会审查批准")
            };
            let (title, body) = if town {
                (
                    format!("{place}{y}年财政预算"),
                    format!(
                        "{approved}，现将{y}年财政预算公开如下。\n{y}年一般公共预算支出{}万元，其中基本支出{}万元、项目支出{}万元。收入来源为：上级补助和市级财力安排{}万元，本级收入{}万元。\n“三公”经费预算{}万元，其中公务用车运行维护费{}万元、公务接待费{}万元，因公出国（境）费0元。\n本预算按照厉行节约的要求编制，预算执行中不得无预算、超预算支出。",
                        d2(total),
                        d2(basic),
                        d2(project),
                        d2(fiscal),
                        d2(other),
                        d2(three),
                        d2(car),
                        d2(reception)
                    ),
                )
            } else {
                (
                    format!("{name}{y}年部门预算"),
                    format!(
                        "根据市人民代表大会批准的{y}年预算，现将本部门预算公开如下。\n{y}年收入预算{}万元，其中财政拨款收入{}万元、其他收入{}万元；支出预算{}万元，其中基本支出{}万元、项目支出{}万元。\n“三公”经费预算{}万元，其中公务用车运行维护费{}万元、公务接待费{}万元，因公出国（境）费0元。\n本部门将严格执行预算，预算绩效目标随同公开。",
                        d2(total),
                        d2(fiscal),
                        d2(other),
                        d2(total),
                        d2(basic),
                        d2(project),
                        d2(three),
                        d2(car),
                        d2(reception)
                    ),
                )
            };
            let mut it = item(&code, "A20-07", "财政、金融、审计", formed, title, body);
            it.checks.push(Check::Sum(d2(total), vec![d2(basic), d2(project)]));
            it.checks.push(Check::Sum(d2(total), vec![d2(fiscal), d2(other)]));
            it.checks.push(Check::Sum(d2(three), vec![d2(car), d2(reception)]));
            g.push(it);
        }
        for (y, formed) in g.yearly((8, 10), (9, 10)) {
            let last = y - 1;
            let (basic, project) = (g.int(80_000, 900_000), g.int(20_000, 1_500_000));
            let total = basic + project;
            let budget = total + g.int(-total / 20, total / 10);
            let rate = pct(total, budget);
            let short = name.trim_end_matches("人民政府").trim_end_matches("管理委员会").to_string();
            let title = if town { format!("{short}{last}年财政决算") } else { format!("{name}{last}年部门决算") };
            let mut it = item(
                &code,
                "A20-07",
                "财政、金融、审计",
                formed,
                title,
                format!(
                    "现将{last}年度决算公开如下。\n{last}年度支出决算{}万元，其中基本支出{}万元、项目支出{}万元；年初预算及年中追加调整后预算数为{}万元，预算执行率{rate}%。\n基本支出主要用于人员工资、社会保障缴费和日常公用经费；项目支出主要用于履行职能所需的专项工作。\n决算已按规定程序审核批复。",
                    d2(total),
                    d2(basic),
                    d2(project),
                    d2(budget)
                ),
            );
            it.period_end = Some(NaiveDate::from_ymd_opt(last, 12, 31).expect("date"));
            it.checks.push(Check::Sum(d2(total), vec![d2(basic), d2(project)]));
            it.checks.push(Check::Percent { part: d2(total), whole: d2(budget), pct: rate });
            g.push(it);
        }
    }
}

/// Each unit's annual report on 政府信息公开 (by 31 January, 条例 Art. 49) and on its
/// law-based work (in the first quarter).
fn annual_reports(g: &mut Gen<'_>) {
    let units: Vec<String> = DEPARTMENTS.iter().map(|d| d.0.to_string()).chain(g.towns.iter().map(|t| t.code.clone())).collect();
    for code in units {
        let name = organ(g, &code);
        for (y, formed) in g.yearly((1, 12), (1, 28)) {
            let last = y - 1;
            let published = g.int(40, 260);
            let received = g.int(0, 18);
            let carried = if received > 0 { g.int(0, 1.min(received)) } else { 0 };
            let answered = received - carried;
            let mut it = item(
                &code,
                "A20-15",
                "综合政务",
                formed,
                format!("{name}{last}年政府信息公开工作年度报告"),
                format!(
                    "本报告依据《中华人民共和国政府信息公开条例》第五十条编制，包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况等内容。\n{last}年，本机关主动公开政府信息{published}条。收到政府信息公开申请{received}件，办结{answered}件，结转下年度继续办理{carried}件。\n{last}年未发生因政府信息公开引起的行政复议和行政诉讼。\n本报告中所列数据的统计期限自{last}年1月1日起至{last}年12月31日止。"
                ),
            );
            it.period_end = Some(NaiveDate::from_ymd_opt(last, 12, 31).expect("date"));
            it.checks.push(Check::Sum(n(received), vec![n(answered), n(carried)]));
            g.push(it);
        }
        for (y, formed) in g.yearly((2, 20), (3, 25)) {
            let last = y - 1;
            let trainings = g.int(3, 16);
            let reviewed = g.int(5, 60);
            let mut it = item(
                &code,
                "A20-15",
                "综合政务",
                formed,
                format!("{name}关于{last}年法治政府建设情况的报告"),
                format!(
                    "{last}年，本机关深入学习贯彻习近平法治思想，严格落实法治政府建设第一责任人职责，依法全面履行职能。\n一、依法决策。重大行政决策严格履行公众参与、专家论证、风险评估、合法性审查和集体讨论决定程序。\n二、规范执法。全面推行行政执法公示、执法全过程记录、重大执法决定法制审核制度，全年经法制审核的执法决定、合同和文件{reviewed}件。\n三、学法用法。组织领导干部和工作人员法治培训{trainings}次。\n{y}年，本机关将继续把法治政府建设各项任务落到实处。"
                ),
            );
            it.period_end = Some(NaiveDate::from_ymd_opt(last, 12, 31).expect("date"));
            g.push(it);
        }
    }
}
