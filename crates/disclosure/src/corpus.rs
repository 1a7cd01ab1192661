//! The random source of the demo and the benchmarks, the search benchmark's documents and the
//! demo's applications. The benchmark's documents are sentences of the catalogue's vocabulary
//! put together at random, for the term statistics of a large index (the figures in
//! BENCHMARKS.md were measured on them): they are not meant to be read, and nobody sees them
//! outside a benchmark database. The demo city's publications, which people read, are written
//! by `demo_corpus`. Deterministic for a given seed.

/// A small deterministic generator (SplitMix64), so demo data and benchmarks are repeatable.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
    pub fn pick_str(&mut self, v: &[&'static str]) -> &'static str {
        v[self.below(v.len())]
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
}

const TOWNS: &[&str] =
    &["东湖镇", "西岭镇", "南塘镇", "北河镇", "青山镇", "白沙镇", "柳营镇", "桃源镇", "金湾镇", "石桥镇", "示范经济开发区", "高新技术产业园区", "湖西新区"];
const ROADS: &[&str] = &["幸福路", "人民路", "迎宾大道", "运河西路", "文昌路", "建设路", "湖滨路", "长江路", "学府路", "通湖路"];
const PROJECTS: &[&str] = &[
    "农村公路提档升级",
    "老旧小区改造",
    "城区雨污分流",
    "农田水利设施",
    "中小学校舍维修",
    "乡镇卫生院标准化建设",
    "生活垃圾分类",
    "高标准农田建设",
    "河道综合整治",
    "公共文化服务中心",
];
const COMPANIES: &[&str] = &[
    "示范市宏达建设工程有限公司",
    "示范市惠民食品有限公司",
    "江苏华远建材有限公司",
    "示范市湖光物业管理有限公司",
    "示范市新城置业有限公司",
    "示范市利民农产品专业合作社",
];

/// (category code prefix, title templates, body sentences) — `{t}` town, `{r}` road, `{p}`
/// project, `{c}` company, `{y}` year, `{n}` a number, `{m}` a month.
const TOPICS: &[(&str, &[&str], &[&str])] = &[
    (
        "A20-01",
        &[
            "关于进一步优化营商环境的若干措施",
            "关于加强{p}项目管理的实施意见",
            "{y}年行政规范性文件清理结果的公告",
            "关于规范行政事业性收费管理的通知",
            "关于推进“不见面审批”改革的实施办法",
        ],
        &[
            "为深入贯彻落实《优化营商环境条例》，持续打造市场化、法治化、国际化营商环境，结合本市实际，制定本措施。",
            "本意见自印发之日起施行，有效期五年。",
            "各乡镇（园区）、各部门要加强组织领导，明确责任分工，确保各项措施落到实处。",
            "经合法性审查和集体讨论决定，现予公布。",
            "清理后继续有效的规范性文件{n}件，废止、失效的{n}件，修改的{n}件。",
        ],
    ),
    (
        "A20-02",
        &["本机关职能配置、内设机构和人员编制", "{m}月份领导信息及分工调整", "本机关办公地址及办公时间公告"],
        &[
            "本机关设下列内设机构：办公室、政策法规科、行政审批服务科、执法监督科。",
            "办公时间：工作日上午8:30至12:00，下午14:00至17:30，法定节假日除外。",
            "联系电话和通信地址见政府信息公开指南。",
        ],
    ),
    (
        "A20-03",
        &["示范市“十四五”{p}专项规划", "{t}国土空间总体规划（{y}—2035年）批前公示", "{y}年国民经济和社会发展计划"],
        &[
            "规划期限为{y}年至2035年，规划范围为{t}行政辖区。",
            "规划坚持生态优先、绿色发展，统筹生产、生活、生态空间布局。",
            "公示期间，社会公众可通过书面、电子邮件等方式提出意见和建议。",
        ],
    ),
    (
        "A20-04",
        &["{y}年{m}月份全市主要经济指标", "{y}年国民经济和社会发展统计公报", "{y}年第{n}季度居民消费价格情况"],
        &[
            "全市实现地区生产总值{n}亿元，同比增长{n}%。",
            "规模以上工业增加值同比增长{n}%，社会消费品零售总额增长{n}%。",
            "城镇居民人均可支配收入{n}元，农村居民人均可支配收入{n}元。",
        ],
    ),
    (
        "A20-05",
        &[
            "{y}年{m}月行政许可办理结果公示",
            "建设工程规划许可证核发结果公示（{c}）",
            "关于{t}{p}项目环境影响评价文件审批意见",
            "“不见面审批”事项清单（{y}年版）",
        ],
        &[
            "根据《中华人民共和国行政许可法》的规定，现将本月行政许可办理结果予以公示。",
            "项目位于{t}{r}，建设单位为{c}。",
            "申请材料齐全、符合法定形式，依法作出准予许可的决定。",
            "本清单所列{n}项事项实现全程网上办理，申请人无需到现场。",
        ],
    ),
    (
        "A20-06",
        &["行政处罚决定书（{c}）", "{y}年{m}月行政处罚案件信息公开", "行政执法“三项制度”实施情况"],
        &[
            "经查，{c}存在违法行为，违反了相关法律法规的规定。",
            "依据《中华人民共和国行政处罚法》第{n}条，决定给予警告并处罚款{n}元。",
            "当事人如不服本处罚决定，可在六十日内申请行政复议，或者在六个月内提起行政诉讼。",
            "全年共办理行政执法案件{n}件，重大执法决定法制审核率100%。",
        ],
    ),
    (
        "A20-07",
        &["{y}年部门预算公开", "{y}年部门决算公开", "{y}年“三公”经费预算情况说明"],
        &["{y}年部门收入预算{n}万元，支出预算{n}万元。", "“三公”经费预算{n}万元，比上年减少{n}%。", "预算绩效目标设置科学合理，资金使用依法合规。"],
    ),
    (
        "A20-08",
        &["行政事业性收费项目目录清单", "关于调整{p}收费标准的通知"],
        &["本清单列明的收费项目、收费依据和收费标准，清单之外一律不得收费。", "收费标准按照国家和省有关规定执行。"],
    ),
    (
        "A20-09",
        &["{t}{p}项目招标公告", "{p}项目中标结果公示", "{y}年政府集中采购目录及标准"],
        &[
            "招标人为{t}人民政府，项目资金来自财政资金，已具备招标条件。",
            "第一中标候选人：{c}，中标价{n}万元。",
            "公示期为三个工作日，对结果有异议的可向招标人书面提出。",
        ],
    ),
    (
        "A20-10",
        &["{p}项目批准及实施情况", "重大建设项目{p}进展情况"],
        &["项目总投资{n}万元，建设内容包括道路、管网及配套设施。", "截至{m}月底，项目完成投资{n}万元，形象进度{n}%。"],
    ),
    (
        "A20-11",
        &["{y}年城乡低保标准调整情况", "关于做好{y}年就业困难人员援助工作的通知", "{t}{m}月份城乡低保发放名单", "{y}年义务教育招生工作方案"],
        &[
            "城乡低保标准统一调整为每人每月{n}元。",
            "对符合条件的就业困难人员给予社会保险补贴和岗位补贴。",
            "义务教育学校严格按照划定的施教区招生，不得举行任何形式的入学考试。",
            "医疗救助对象在定点医疗机构发生的政策范围内自付费用按规定比例救助。",
        ],
    ),
    (
        "A20-12",
        &["示范市防汛防旱应急预案", "关于{m}月份强对流天气的预警信息", "突发公共事件应对情况通报"],
        &["各地各部门要加强值班值守，及时转移危险区域群众。", "预计未来24小时内将出现雷暴大风、短时强降水等强对流天气。"],
    ),
    (
        "A20-13",
        &["{y}年{m}月食品安全监督抽检结果", "{t}安全生产专项检查情况", "{y}年{m}月环境空气质量状况", "双随机抽查结果公示（第{n}批）"],
        &[
            "本次共抽检食品样品{n}批次，合格{n}批次。",
            "检查企业{n}家，发现问题隐患{n}处，已全部督促整改。",
            "全市PM2.5平均浓度为{n}微克/立方米，优良天数比例为{n}%。",
            "对{n}家市场主体开展随机抽查，抽查结果已录入国家企业信用信息公示系统。",
        ],
    ),
    (
        "A20-14",
        &["{y}年考试录用公务员拟录用人员名单公示", "{y}年事业单位公开招聘公告"],
        &["经笔试、面试、体检和考察，确定拟录用人员{n}名。", "公示期间如有异议，可向市委组织部、市人力资源和社会保障局反映。"],
    ),
    (
        "A21-C",
        &[
            "{t}{r}道路改造工程交通管制公告",
            "{p}工程征收补偿安置方案",
            "关于{t}集体土地征收的预公告",
            "{y}年公共法律服务工作情况",
            "关于化解矛盾纠纷工作的情况通报",
        ],
        &[
            "因{r}道路改造施工，{m}月{n}日起对部分路段实施交通管制。",
            "被征收房屋补偿标准按照评估价格确定，并给予搬迁补助和临时安置补助。",
            "全市公共法律服务中心共接待群众咨询{n}人次，办理法律援助案件{n}件。",
            "人民调解组织共调解矛盾纠纷{n}件，调解成功率{n}%。",
            "村（社区）法律顾问实现全覆盖，为群众提供法律咨询{n}次。",
        ],
    ),
    (
        "A21-T",
        &["{t}{y}年农村土地承包经营权流转情况", "{t}宅基地使用审核情况公示", "{t}{y}年筹资筹劳情况", "{t}农田水利工程建设情况"],
        &[
            "全镇流转土地{n}亩，流转合同全部签订规范文本。",
            "经村民代表会议讨论、镇政府审核，同意以下农户宅基地使用申请。",
            "高标准农田建设项目新增灌溉面积{n}亩。",
        ],
    ),
];

fn fill(t: &str, rng: &mut Rng, year: i32) -> String {
    let mut out = String::with_capacity(t.len() + 16);
    let mut rest = t;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find('}') else { break };
        match &rest[i + 1..i + j] {
            "t" => out.push_str(rng.pick_str(TOWNS)),
            "r" => out.push_str(rng.pick_str(ROADS)),
            "p" => out.push_str(rng.pick_str(PROJECTS)),
            "c" => out.push_str(rng.pick_str(COMPANIES)),
            "y" => out.push_str(&year.to_string()),
            "m" => out.push_str(&(1 + rng.below(12)).to_string()),
            "n" => out.push_str(&(1 + rng.below(2000)).to_string()),
            other => out.push_str(other),
        }
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    out
}

/// The topic of a catalogue category code (county and town items share theirs).
fn topic(code: &str) -> &'static (&'static str, &'static [&'static str], &'static [&'static str]) {
    TOPICS.iter().find(|t| code.starts_with(t.0)).unwrap_or(&TOPICS[14])
}

/// A benchmark document's title and body for `category_code` in `year`.
pub fn publication(rng: &mut Rng, category_code: &str, year: i32) -> (String, String) {
    let (_, titles, sentences) = topic(category_code);
    let t: &str = rng.pick_str(titles);
    let title = fill(t, rng, year);
    let n = 3 + rng.below(5);
    let mut body = String::new();
    for _ in 0..n {
        let s: &str = rng.pick_str(sentences);
        body.push_str(&fill(s, rng, year));
        // A sentence from another topic now and then, as real documents mix subjects.
        if rng.chance(15) {
            let other = rng.pick(TOPICS);
            let s: &str = rng.pick_str(other.2);
            body.push_str(&fill(s, rng, year));
        }
    }
    (title, body)
}

/// Descriptions of information people ask for (demo applications), with the units that hold
/// such information; `town` stands for the town the request names.
pub const REQUEST_TOPICS: &[(&str, &[&str])] = &[
    ("{t}{p}项目的立项批复、招标文件和中标结果", &["D-ZJJ", "town"]),
    ("{y}年本单位部门预算中“三公”经费的具体构成", &["D-ZJJ", "D-ZRJ", "D-CZJ", "D-SJG", "D-STJ", "D-MZJ", "D-BGS", "D-CGJ"]),
    ("{t}{r}道路改造工程的规划许可证及施工许可证", &["D-ZRJ", "D-ZJJ"]),
    ("{c}的行政处罚决定书全文", &["D-SJG", "D-CGJ"]),
    ("{t}集体土地征收的批准文件、征地补偿标准和安置方案", &["D-ZRJ", "town"]),
    ("{y}年城乡低保对象名单及发放标准", &["D-MZJ", "town"]),
    ("{r}沿线房屋征收补偿评估报告", &["D-ZJJ"]),
    ("{p}项目环境影响评价报告书及审批意见", &["D-STJ"]),
    ("{y}年本单位规范性文件清理结果", &["D-BGS", "D-ZJJ", "D-CZJ"]),
    ("{t}{y}年宅基地审批名单", &["town"]),
];

/// A request's description from a topic; `town` fills `{t}` when the request names the town
/// it is sent to.
pub fn request_description(rng: &mut Rng, topic: &str, year: i32, town: Option<&str>) -> String {
    match town {
        Some(t) => fill(&topic.replace("{t}", t), rng, year),
        None => fill(topic, rng, year),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_chinese_and_varied() {
        let mut r = Rng::new(7);
        let a = publication(&mut r, "A20-05", 2026);
        let b = publication(&mut r, "A20-05", 2026);
        assert_ne!(a, b);
        assert!(!a.0.contains('{') && !a.1.contains('{'));
        assert!(a.1.chars().count() > 40);
    }
}
