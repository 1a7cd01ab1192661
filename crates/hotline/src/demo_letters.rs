//! Letters to the mayor in the demo year, answered by the unit whose remit the matter is, and
//! published with the writer's consent (on the portal and in 政务公开's search): each letter
//! and its reply are written together, so that the answer answers what was asked.

use chrono::Duration;
use futures::FutureExt;
use rand::Rng;
use rand::rngs::StdRng;

use crate::audit::{Actor, ActorKind};
use crate::db::q;
use crate::import::{self, LegacyTicket, Outcome};
use crate::model::Channel;
use crate::state::AppState;
use crate::time::{start_of_day_ms, today};

/// (handling unit, subject, letter, reply).
pub const LETTERS: &[(&str, &str, &str, &str)] = &[
    (
        "D-JYJ",
        "建议开通西岭镇至高铁站的公交线路",
        "我家住在西岭镇，每次去高铁站都要先坐公交到城区再换乘，单程将近一个半小时，赶早班车很不方便。建议开通一条西岭镇直达高铁站的公交线路，或者在早晚时段增加班次。",
        "您的建议已收悉。市交通运输局会同市公交公司对西岭镇往返高铁站的客流进行了调查，决定开通西岭镇至高铁站城乡公交专线，途经镇区主要站点，早晚高峰每30分钟一班，首班车6时发车。开通时间将在市交通运输局网站和公交站牌公布。感谢您对城乡交通的关心。",
    ),
    (
        "D-GAJ",
        "城北小学放学时段门口道路拥堵",
        "城北小学每天下午放学时，学校门口的文昌路两侧停满接孩子的车辆，经常堵到十字路口，孩子过马路很危险。希望交警部门能想想办法。",
        "感谢您的来信。市公安局交通警察大队已在城北小学上下学时段设置护学岗，安排警力疏导交通，并在学校周边施划临时停车泊位30个，引导家长即停即走。同时会同学校推行错峰放学。我们将持续关注该路段的通行情况。",
    ),
    (
        "D-ZJJ",
        "老旧小区加装电梯需要满足什么条件",
        "我住在建设路一个九十年代建成的六层小区，楼里老人多，大家想加装电梯。请问需要办理哪些手续，政府有没有补贴？",
        "您好。既有多层住宅加装电梯，应当由本单元业主共同决定，经参与表决专有部分面积四分之三以上且参与表决人数四分之三以上的业主同意（《中华人民共和国民法典》第二百七十八条）。业主达成一致后，可委托代建单位向市政务服务中心提交申请材料，办理规划和施工相关手续。符合条件的项目可申请市级财政补助。具体可咨询市住房和城乡建设局房屋管理科。",
    ),
    (
        "D-WJW",
        "建议社区卫生服务中心周末开设门诊",
        "我们上班族平时很难请假看病，但社区卫生服务中心周末只看急诊。能否在周六上午开设普通门诊，方便上班的人看病、配药？",
        "感谢您的建议。经研究，自下月起，城区四家社区卫生服务中心在周六上午8时至12时开设全科门诊，提供常见病诊疗、慢性病配药和预防接种服务。各中心的周末门诊安排已在门诊大厅和“健康示范”公众号公布。",
    ),
    (
        "D-SWJ",
        "运粮河部分河段水体发黑有异味",
        "运粮河人民路桥至幸福路桥一段，最近水体发黑，气温高时有明显异味，附近居民意见很大，希望尽快治理。",
        "您反映的情况属实。经市水务局现场排查，该河段有两处雨污混接排口，已责令相关单位完成雨污分流改造，并对该河段实施清淤和活水补水。目前水体状况已明显改善，我们将按月开展水质监测，监测结果在市水务局网站公布。",
    ),
    (
        "D-CGJ",
        "湖滨公园缺少公共厕所",
        "湖滨公园每天傍晚散步的人很多，但整个公园只有东门一处公共厕所，离西侧的健身广场很远，老人和孩子很不方便。建议在西侧增设一处公厕。",
        "感谢您的来信。市城市管理局已将湖滨公园西侧公厕建设列入今年城市公厕建设计划，选址在健身广场北侧，设无障碍卫生间和第三卫生间，计划年内建成投入使用。在建成前，已在西侧设置一处移动公厕。",
    ),
    (
        "D-RSJ",
        "灵活就业人员如何参加职工养老保险",
        "我在网上接单做设计，没有固定单位。请问像我这样的灵活就业人员怎样参加职工基本养老保险？缴费基数怎么选？",
        "您好。本市户籍和持有本市居住证的灵活就业人员，可以个人身份参加职工基本养老保险，通过“江苏智慧人社”手机应用或到市政务服务中心社保窗口办理参保登记。缴费基数可在全省公布的缴费基数上下限之间自主选择，按月或按季缴纳。具体标准以当年公布的为准，也可拨打12333咨询。",
    ),
    (
        "D-YBJ",
        "去外地长期居住怎样办理异地就医备案",
        "我退休后要去外地帮子女带孩子，一年里大部分时间住在外地。请问医保异地就医备案怎么办理，在外地看病能直接结算吗？",
        "您好。长期异地居住人员可通过“国家医保服务平台”手机应用或到市政务服务中心医保窗口办理异地就医备案，填写居住地即可，无需提供其他证明材料。备案后在居住地的定点医疗机构就医，住院和门诊费用可以直接结算。备案有效期内可以变更，详情可拨打12393咨询。",
    ),
    (
        "D-MZJ",
        "八十岁以上老人的尊老金怎么领取",
        "我父亲今年满八十周岁，听说政府给高龄老人发尊老金，请问需要怎么申请？",
        "您好，祝老人家健康长寿。本市户籍年满80周岁的老年人，可由本人或家属持身份证、户口簿到户籍所在地村（社区）申请尊老金，经镇（管委会）审核后，从次月起按月发放到本人社会保障卡。也可以通过“苏服办”手机应用在线申请。",
    ),
    (
        "D-STJ",
        "开发区一家企业夜间排放刺鼻气味",
        "最近一个月，每到晚上十点以后，示范经济开发区长江路附近就能闻到刺鼻的化学气味，附近小区居民都不敢开窗。请环保部门查一查。",
        "感谢您的反映。市生态环境局组织执法人员连续三晚开展夜间巡查，查明异味来自一家企业的喷涂工序，其废气收集装置运行不正常。我局已责令该企业停止喷涂工序并限期整改，对其违法行为依法立案处罚。整改完成后，我局对周边环境空气进行了监测，结果符合标准。",
    ),
    (
        "D-SJG",
        "健身房关门后预付卡余额无法退还",
        "我在城区一家健身房办了年卡，用了不到三个月健身房就关门了，老板联系不上，卡里还有两千多元。请问该怎么维权？",
        "您好。市市场监督管理局已对该健身房的经营情况立案调查，并联系到经营者。经调解，经营者同意按未消费金额分批退款，登记的会员已陆续收到退款。如您尚未登记，请携带会员卡和付款凭证到市场监管局城区分局登记。提醒您办理预付卡时注意选择信誉好的经营者，不要一次性大额充值。",
    ),
    (
        "D-NYJ",
        "购买秸秆还田机能享受什么补贴",
        "我是南塘镇的种粮大户，准备购买一台秸秆粉碎还田机。请问农机购置补贴怎么申请？",
        "您好。秸秆粉碎还田机在本省农机购置补贴范围内。您可以先选购列入补贴范围的机具，购机后通过“江苏省农机购置与应用补贴申请”手机应用提交申请，经镇农业农村服务中心核验机具后，补贴资金直接发放到您的银行账户。具体机型的补贴额可在省农业农村厅网站查询。",
    ),
    (
        "D-WLJ",
        "建议市图书馆晚上延长开放时间",
        "市图书馆工作日下午五点半就闭馆，上班族下班后根本去不了。希望能延长晚上的开放时间，方便大家下班后看书学习。",
        "感谢您的建议。经研究，市图书馆自下月起工作日开放时间延长至晚上8时30分，周末和法定节假日照常开放。延时期间开放报刊阅览区、自习区和自助借还服务。欢迎您和家人常来阅读。",
    ),
    (
        "T-DH",
        "农村宅基地上翻建住房要办什么手续",
        "我家在东湖镇，老房子是七十年代建的，现在想在原址拆了重建。请问需要办哪些审批手续？",
        "您好。在原宅基地上翻建住房，应当由户主向所在村民小组提出申请，经村民小组和村民委员会审查公示后，报镇人民政府审批，同时办理乡村建设规划许可证。可以到镇便民服务中心一个窗口提交材料，审批结果会在村里公示。建房前请与镇村建设服务部门确认建筑面积和层数的要求。",
    ),
    (
        "D-GJJ",
        "公积金贷款额度是怎么计算的",
        "我和爱人准备买房，都缴了五年住房公积金。请问公积金贷款额度怎么计算，最多能贷多少？",
        "您好。住房公积金贷款额度根据借款人及配偶的缴存余额、缴存时间、还款能力和所购住房价格综合计算，并不超过本市规定的最高贷款额度。您可以登录住房公积金网上业务大厅使用贷款试算功能，或携带夫妻双方身份证到市住房公积金管理中心服务大厅咨询。",
    ),
    (
        "D-SWU",
        "建议在城东新建小区附近设农贸市场",
        "城东这几年新建了好几个小区，住户越来越多，但附近没有农贸市场，买菜要跑到老城区。建议在城东规划建设一个农贸市场。",
        "感谢您的建议。市商务局已会同市自然资源和规划局将城东农贸市场纳入本市农贸市场布局规划，选址在振兴路与富民路交叉口，建设标准化农贸市场一处。项目正在办理前期手续，建成前在周边社区设置了临时便民蔬菜销售点。",
    ),
    (
        "D-JTJ",
        "外地户籍孩子在本市上小学需要什么材料",
        "我们一家在示范市工作生活三年了，户口不在本地，孩子明年要上小学。请问随迁子女入学需要准备哪些材料？",
        "您好。随迁子女入学以居住证为主要依据，一般需要提供父母的居住证、户口簿、房屋租赁合同或房产证明等材料，在规定时间内通过网上报名平台报名。具体材料和报名时间以每年5月发布的义务教育学校招生工作方案为准，也可咨询市教育体育局基础教育科。",
    ),
    (
        "D-XFD",
        "小区楼道里有人给电动车充电",
        "我们小区有的住户把电动自行车推进楼道，还从家里拉电线充电，存在很大的火灾隐患。希望有关部门管一管。",
        "感谢您的反映。市消防救援大队已会同所在镇、社区和物业对该小区开展检查，清理了楼道内的电动自行车，并督促物业在小区增设集中充电桩。根据规定，电动自行车不得在建筑内的共用走道、楼梯间、安全出口处停放、充电，我们将加强巡查，发现违规的依法处理。",
    ),
    (
        "D-SFJ",
        "经济困难怎样申请法律援助",
        "我在工地干活被拖欠了几个月工资，想打官司但请不起律师。请问怎么申请法律援助？",
        "您好。请求支付劳动报酬属于法律援助的事项范围（《中华人民共和国法律援助法》第三十一条）。您可以携带身份证、经济困难状况的说明和欠薪相关材料，到市公共法律服务中心法律援助窗口申请，也可以拨打12348咨询；经审查符合条件的，中心会指派律师为您提供法律帮助。追讨欠薪也可以同时向市人力资源和社会保障局劳动保障监察机构投诉。",
    ),
];

/// Import the letters as last year's closed tickets and publish them (masked).
pub async fn seed(state: &AppState, rng: &mut StdRng, mailbox_category: i64, mailbox_days: i64) -> anyhow::Result<()> {
    let err = |e: crate::error::AppError| anyhow::anyhow!("演示信件生成失败：{e}");
    let cal = state.calendar();
    let mut tickets = Vec::new();
    for (unit, subject, letter, reply) in LETTERS {
        let Some(org) = crate::org::queries::by_code(&state.db, unit).await.map_err(err)? else { continue };
        let received_day = today() - Duration::days(rng.gen_range(40..340));
        let received = start_of_day_ms(received_day) + rng.gen_range(8 * 3600..22 * 3600) * 1000;
        let dispatched_day = cal.add_working_days(received_day, 1);
        let replied_day = cal.add_working_days(dispatched_day, rng.gen_range(3..mailbox_days.max(4)) as u32);
        let replied = start_of_day_ms(replied_day) + 15 * 3600 * 1000;
        tickets.push(LegacyTicket {
            row: 0,
            case_no: None,
            received_at: received,
            channel: Channel::Mailbox,
            caller_name: Some(format!("{}{}", ["张", "王", "李", "陈", "刘"][rng.gen_range(0..5)], if rng.gen_bool(0.5) { "先生" } else { "女士" })),
            caller_phone: Some(format!("139{:08}", rng.gen_range(0..100_000_000u32))),
            category_id: mailbox_category,
            handle_days: mailbox_days,
            town_id: None,
            village_id: None,
            address: None,
            subject: Some(subject.to_string()),
            description: letter.to_string(),
            wants_reply: true,
            outcome: Outcome::Closed,
            org_id: Some(org.id),
            dispatched_at: Some(start_of_day_ms(dispatched_day) + 10 * 3600 * 1000),
            replied_at: Some(replied),
            reply: Some(reply.to_string()),
            on_time: Some(true),
            closed_at: replied + 24 * 3_600_000,
            evaluation: Some("satisfied".into()),
            comment: None,
            returns: 0,
            extensions: 0,
            reopens: 0,
            supervised: false,
        });
    }
    tickets.sort_by_key(|t| t.received_at);
    import::write(state, Actor { kind: ActorKind::System, id: None, name: "历史数据导入（演示）".into() }, tickets).await.map_err(err)?;
    // Published a few days after the reply, with the writer's consent, as staff would: numbers
    // that identify a person masked.
    let registry = state.registry.clone();
    state
        .db
        .write(move |tx| {
            async move {
                for (_, subject, letter, reply) in LETTERS {
                    let Some((id, closed)) = q("SELECT case_id, closed_at FROM hotline_tickets WHERE channel = 'mailbox' AND subject = $1").bind(*subject).fetch_optional::<(i64, Option<i64>)>(&mut *tx).await? else { continue };
                    q("UPDATE hotline_tickets SET publish_consent = TRUE, published = TRUE, published_at = $1, publish_subject = $2, publish_body = $3, publish_reply = $4 WHERE case_id = $5")
                        .bind(closed.unwrap_or_default() + 3 * 86_400_000)
                        .bind(*subject)
                        .bind(crate::privacy::mask_in_text(letter).0)
                        .bind(crate::privacy::mask_in_text(reply).0)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    crate::search::reindex(tx, &registry, crate::search_source::KIND, id).await?;
                }
                Ok(())
            }
            .boxed()
        })
        .await
        .map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use fazhi_platform::demo::{DEPARTMENTS, TOWNS};

    #[test]
    fn each_letter_goes_to_a_unit_of_the_demo_city_and_reads_as_written() {
        let mut subjects = std::collections::BTreeSet::new();
        for (unit, subject, letter, reply) in LETTERS {
            assert!(DEPARTMENTS.iter().any(|d| d.0 == *unit) || TOWNS.iter().any(|t| t.0 == *unit), "{unit}");
            assert!(subjects.insert(*subject), "{subject} twice");
            assert!(letter.chars().count() > 25 && reply.chars().count() > 60, "{subject}");
            // Nothing that identifies a person: publishing changes nothing in them.
            assert_eq!(crate::privacy::mask_in_text(letter).1 + crate::privacy::mask_in_text(reply).1, 0, "{subject}");
        }
    }
}
