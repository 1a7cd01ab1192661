//! 行政复议's figures in the indicator registry (LEGAL-RULES.md §7(e)): applications received,
//! accepted and decided (by respondent, track, decision type), decisions on time, 纠错率 by
//! respondent agency, cases mediated or settled, 意见书 and 建议书 issued and answered on time.
//! Mediation: cases by source and kind, and the success rate by source (closing codes).
//! Each is one SQL aggregate over the records within the reader's scope (indexed by the date
//! that puts a record in the period), and the records behind any value are listed by the same
//! condition.

use std::sync::LazyLock;

use futures::FutureExt;
use futures::future::BoxFuture;

use crate::db::{Q, q};
use crate::error::AppError;
use crate::registry_indicators::{Block, Cell, Dimension, Evaluation, Indicator, Meta, Params, Part, RecordRef, Unit, dims, org_names};
use crate::rules;
use crate::state::AppState;
use crate::web::{Page, Paging};

const RESPONDENT: Dimension = Dimension { code: "respondent", label: "被申请人" };
const TRACK: Dimension = Dimension { code: "track", label: "审理程序" };
const DECISION: Dimension = Dimension { code: "decision", label: "决定类型" };
const OUTCOME: Dimension = Dimension { code: "outcome", label: "结案方式" };
const RECIPIENT: Dimension = Dimension { code: "recipient", label: "收文机关" };
const KIND: Dimension = Dimension { code: "kind", label: "文书种类" };
const MED_SOURCE: Dimension = Dimension { code: "source", label: "纠纷来源" };
const MED_KIND: Dimension = Dimension { code: "med_kind", label: "调解类型" };
const CLOSING: Dimension = Dimension { code: "closing", label: "结案代码" };
const OWNER: &str = "行政复议（司法局行政复议机构）";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Cases,
    Letters,
    Mediation,
}

pub struct ReconIndicator {
    meta: Meta,
    source: Source,
    period: &'static str,
    base: String,
    numerator: String,
    denominator: Option<&'static str>,
}

fn corrective_in() -> String {
    let codes: Vec<String> = rules::corrective_codes().into_iter().map(|c| format!("'{c}'")).collect();
    format!("a.decision_type IN ({})", codes.join(", "))
}

static ALL: LazyLock<Vec<ReconIndicator>> = LazyLock::new(|| {
    let m = |code, name, definition, numerator, denominator, unit, basis, dims| Meta {
        code,
        name,
        block: Block::Disputes,
        definition,
        numerator,
        denominator,
        unit,
        basis,
        owner: OWNER,
        procedure: Some("reconsideration"),
        dims,
    };
    const CASE_DIMS: &[Dimension] = &[dims::ORG, RESPONDENT];
    const ACCEPT_DIMS: &[Dimension] = &[dims::ORG, RESPONDENT, TRACK];
    const DECIDED_DIMS: &[Dimension] = &[dims::ORG, RESPONDENT, TRACK, DECISION];
    const CLOSED_DIMS: &[Dimension] = &[dims::ORG, RESPONDENT, OUTCOME];
    const LETTER_DIMS: &[Dimension] = &[dims::ORG, RECIPIENT];
    const ANSWER_DIMS: &[Dimension] = &[dims::ORG, RECIPIENT, KIND];
    const MED_DIMS: &[Dimension] = &[dims::ORG, MED_SOURCE, MED_KIND];
    const MED_CLOSED_DIMS: &[Dimension] = &[dims::ORG, MED_SOURCE, MED_KIND, CLOSING];
    let med = |code, name, definition, numerator, denominator, unit, basis, dims| Meta {
        code,
        name,
        block: Block::Disputes,
        definition,
        numerator,
        denominator,
        unit,
        basis,
        owner: "矛盾纠纷调解（司法局、各调解组织）",
        procedure: Some("mediation"),
        dims,
    };
    vec![
        ReconIndicator {
            meta: med(
                "disputes.mediation_cases",
                "调解案件受理数",
                "期间内登记的矛盾纠纷调解案件，按登记日期计；按来源分即法院诉前委派、信访分中心移交、热线移交等各渠道的件数",
                "登记的调解案件",
                None,
                Unit::Count,
                "《人民调解法》第十七条",
                MED_DIMS,
            ),
            source: Source::Mediation,
            period: "m.registered_on",
            base: "1=1".into(),
            numerator: "1=1".into(),
            denominator: None,
        },
        ReconIndicator {
            meta: med(
                "disputes.mediation_success_rate",
                "调解成功率",
                "达成调解协议（书面或口头）结案的 ÷ 期间内结案的调解案件（结案代码：调解成功、调解不成、当事人撤回、拒绝调解），按结案日期计",
                "达成协议的案件",
                Some("结案的调解案件"),
                Unit::Percent,
                "《人民调解法》第二十六条、第二十八条",
                MED_CLOSED_DIMS,
            ),
            source: Source::Mediation,
            period: "m.concluded_on",
            base: "m.closing_code IS NOT NULL".into(),
            numerator: "m.closing_code IN ('agreement_written', 'agreement_oral')".into(),
            denominator: Some("1=1"),
        },
        ReconIndicator {
            meta: m(
                "disputes.recon_received",
                "行政复议申请收件数",
                "期间内收到的行政复议申请（含补正后视为放弃、不予受理的），按收到申请之日计",
                "收到的申请",
                None,
                Unit::Count,
                "《行政复议法》第二十二条、第三十条",
                CASE_DIMS,
            ),
            source: Source::Cases,
            period: "a.received_on",
            base: "1=1".into(),
            numerator: "1=1".into(),
            denominator: None,
        },
        ReconIndicator {
            meta: m(
                "disputes.recon_accepted",
                "行政复议案件受理数",
                "期间内受理（含审查期限届满视为受理）的行政复议案件，按受理之日计",
                "受理的案件",
                None,
                Unit::Count,
                "《行政复议法》第三十条",
                ACCEPT_DIMS,
            ),
            source: Source::Cases,
            period: "a.accepted_on",
            base: "a.accepted_on IS NOT NULL".into(),
            numerator: "1=1".into(),
            denominator: None,
        },
        ReconIndicator {
            meta: m(
                "disputes.recon_decided",
                "行政复议决定数",
                "期间内作出行政复议决定（经负责人同意）的案件，按决定之日计，可按决定类型分",
                "作出决定的案件",
                None,
                Unit::Count,
                "《行政复议法》第六十一条至第七十二条",
                DECIDED_DIMS,
            ),
            source: Source::Cases,
            period: "a.decided_on",
            base: "a.decided_on IS NOT NULL".into(),
            numerator: "1=1".into(),
            denominator: None,
        },
        ReconIndicator {
            meta: m(
                "disputes.recon_decided_on_time_rate",
                "行政复议按期决定率",
                "在法定期限内（普通程序六十日、依法延长不超过三十日，简易程序三十日，中止期间不计）作出决定的 ÷ 期间内作出决定的案件",
                "按期作出决定的案件",
                Some("作出决定的案件"),
                Unit::Percent,
                "《行政复议法》第六十二条",
                DECIDED_DIMS,
            ),
            source: Source::Cases,
            period: "a.decided_on",
            base: "a.decided_on IS NOT NULL".into(),
            numerator: "a.decided_on_time = TRUE".into(),
            denominator: Some("1=1"),
        },
        ReconIndicator {
            meta: m(
                "disputes.recon_correction_rate",
                "行政复议纠错率",
                "决定变更、撤销（部分撤销）、确认违法、责令履行、确认无效或责令承担行政协议责任的 ÷ 期间内作出决定的案件；按被申请人分即各机关的纠错率",
                "纠错的决定",
                Some("作出决定的案件"),
                Unit::Percent,
                "《行政复议法》第六十三条至第六十七条、第七十一条",
                DECIDED_DIMS,
            ),
            source: Source::Cases,
            period: "a.decided_on",
            base: "a.decided_on IS NOT NULL".into(),
            numerator: corrective_in(),
            denominator: Some("1=1"),
        },
        ReconIndicator {
            meta: m(
                "disputes.recon_mediated_settled",
                "行政复议调解、和解结案数",
                "期间内经调解达成协议结案或和解后撤回申请的案件，按结案之日计",
                "调解或和解结案的案件",
                None,
                Unit::Count,
                "《行政复议法》第七十三条、第七十四条",
                CLOSED_DIMS,
            ),
            source: Source::Cases,
            period: "a.concluded_on",
            base: "a.outcome IN ('mediated', 'settled')".into(),
            numerator: "1=1".into(),
            denominator: None,
        },
        ReconIndicator {
            meta: m(
                "disputes.recon_opinions_issued",
                "行政复议意见书制发数",
                "期间内制发的行政复议意见书，按制发日期计",
                "制发的意见书",
                None,
                Unit::Count,
                "《行政复议法》第七十六条",
                LETTER_DIMS,
            ),
            source: Source::Letters,
            period: "l.issued_on",
            base: "l.kind = 'opinion'".into(),
            numerator: "1=1".into(),
            denominator: None,
        },
        ReconIndicator {
            meta: m(
                "disputes.recon_suggestions_issued",
                "行政复议建议书制发数",
                "期间内制发的行政复议建议书，按制发日期计（种子报告：两年7份）",
                "制发的建议书",
                None,
                Unit::Count,
                "《行政复议法实施条例》第五十七条第二款",
                LETTER_DIMS,
            ),
            source: Source::Letters,
            period: "l.issued_on",
            base: "l.kind = 'suggestion'".into(),
            numerator: "1=1".into(),
            denominator: None,
        },
        ReconIndicator {
            meta: m(
                "disputes.recon_letters_answered_rate",
                "意见书、建议书按期回复率",
                "期间内制发的意见书、建议书中，收文机关在回复期限内报送纠正或采纳情况的 ÷ 期间内制发的",
                "按期回复的",
                Some("制发的意见书、建议书"),
                Unit::Percent,
                "《行政复议法》第七十六条：自收到之日起六十日内报送纠正情况",
                ANSWER_DIMS,
            ),
            source: Source::Letters,
            period: "l.issued_on",
            base: "1=1".into(),
            numerator: "l.answered_on_time = TRUE".into(),
            denominator: Some("1=1"),
        },
    ]
});

pub fn all() -> Vec<&'static dyn Indicator> {
    ALL.iter().map(|i| i as &dyn Indicator).collect()
}

impl ReconIndicator {
    fn tables(&self) -> &'static str {
        match self.source {
            Source::Cases => " FROM recon_applications a JOIN cases c ON c.id = a.case_id",
            Source::Letters => " FROM recon_letters l",
            Source::Mediation => " FROM mediation_cases m JOIN cases c ON c.id = m.case_id",
        }
    }
    fn org_column(&self) -> &'static str {
        match self.source {
            Source::Cases | Source::Mediation => "c.org_id",
            Source::Letters => "l.org_id",
        }
    }
    fn group_column(&self, dim: &str) -> &'static str {
        match (self.source, dim) {
            (_, "org") => self.org_column(),
            (Source::Cases, "respondent") => "COALESCE(CAST(a.respondent_org_id AS TEXT), a.respondent_name)",
            (Source::Cases, "track") => "a.track",
            (Source::Cases, "decision") => "a.decision_type",
            (Source::Cases, "outcome") => "a.outcome",
            (Source::Letters, "recipient") => "l.recipient_org_id",
            (Source::Letters, "kind") => "l.kind",
            (Source::Mediation, "source") => "m.source",
            (Source::Mediation, "med_kind") => "m.kind",
            (Source::Mediation, "closing") => "m.closing_code",
            _ => "''",
        }
    }
    fn selection(&self, p: &Params) -> Q {
        let w = q(format!("{} WHERE {} AND {} >= $1 AND {} <= $2", self.tables(), self.base, self.period, self.period)).bind(p.from_str()).bind(p.to_str());
        p.scope.filter(w, self.org_column())
    }

    async fn labels(&self, state: &AppState, dim: &str, keys: &[String]) -> Result<std::collections::HashMap<String, String>, AppError> {
        Ok(match dim {
            "org" | "recipient" | "respondent" => {
                let ids: Vec<i64> = keys.iter().filter_map(|k| k.parse().ok()).collect();
                org_names(state, &ids).await?.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            }
            "track" => rules::TRACKS.iter().map(|t| (t.0.to_string(), t.1.to_string())).collect(),
            "decision" => rules::DECISION_CHOICES.iter().map(|t| (t.0.to_string(), rules::decision_label(t.0).to_string())).collect(),
            "outcome" => [("mediated", "调解结案"), ("settled", "和解后撤回")].iter().map(|t| (t.0.to_string(), t.1.to_string())).collect(),
            "kind" => crate::letters::KINDS.iter().map(|t| (t.0.to_string(), t.1.to_string())).collect(),
            "source" => crate::mediation_rules::SOURCES.iter().map(|t| (t.0.to_string(), t.1.to_string())).collect(),
            "med_kind" => crate::mediation_rules::KINDS.iter().map(|t| (t.0.to_string(), t.1.to_string())).collect(),
            "closing" => crate::mediation_rules::CLOSING_CODES.iter().map(|t| (t.0.to_string(), t.1.to_string())).collect(),
            _ => Default::default(),
        })
    }

    async fn eval(&self, state: &AppState, p: &Params) -> Result<Evaluation, AppError> {
        let dim = p.by.map(|d| d.code).unwrap_or("");
        let group = if dim.is_empty() { "CAST('' AS TEXT)".to_string() } else { format!("CAST({} AS TEXT)", self.group_column(dim)) };
        let den = self.denominator.unwrap_or("1=0");
        let w = self.selection(p);
        let mut query = q(format!(
            "SELECT {group} AS k, CAST(SUM(CASE WHEN {} THEN 1 ELSE 0 END) AS BIGINT), CAST(SUM(CASE WHEN {den} THEN 1 ELSE 0 END) AS BIGINT){}",
            self.numerator,
            w.sql()
        ));
        for a in w.args() {
            query = query.bind(a.clone());
        }
        if !dim.is_empty() {
            query = query.push(&format!(" GROUP BY {group}"));
        }
        let rows: Vec<(Option<String>, Option<i64>, Option<i64>)> = query.fetch_all(&state.db).await?;
        let has_den = self.denominator.is_some();
        let (mut n, mut d) = (0, 0);
        for r in &rows {
            n += r.1.unwrap_or(0);
            d += r.2.unwrap_or(0);
        }
        let total = Cell::total(n, has_den.then_some(d));
        let groups = if dim.is_empty() {
            vec![]
        } else {
            let keys: Vec<String> = rows.iter().map(|r| r.0.clone().unwrap_or_default()).collect();
            let labels = self.labels(state, dim, &keys).await?;
            let mut g: Vec<Cell> = rows
                .into_iter()
                .map(|(k, n, d)| {
                    let k = k.unwrap_or_default();
                    Cell {
                        label: labels.get(&k).cloned().unwrap_or_else(|| if k.is_empty() { "（未填）".into() } else { k.clone() }),
                        key: Some(k),
                        numerator: n.unwrap_or(0),
                        denominator: has_den.then(|| d.unwrap_or(0)),
                    }
                })
                .collect();
            g.sort_by(|a, b| b.numerator.cmp(&a.numerator).then(a.label.cmp(&b.label)));
            g
        };
        Ok(Evaluation { total, groups })
    }

    async fn list(&self, state: &AppState, p: &Params, key: Option<&str>, part: Part, paging: Paging) -> Result<Page<RecordRef>, AppError> {
        let cond = match part {
            Part::Denominator => self.denominator.unwrap_or(self.numerator.as_str()),
            Part::Numerator => self.numerator.as_str(),
        };
        let mut w = self.selection(p).push(&format!(" AND {cond}"));
        if let (Some(k), Some(d)) = (key, p.by) {
            w = w.push_bind(&format!(" AND COALESCE(CAST({} AS TEXT), '') = {{}}", self.group_column(d.code)), k.to_string());
        }
        let cols = match self.source {
            Source::Cases => "c.id, c.case_no, a.act_title, c.org_id, a.received_on",
            Source::Letters => "l.id, l.doc_no, l.subject, l.org_id, l.issued_on",
            Source::Mediation => "c.id, c.case_no, c.title, c.org_id, m.registered_on",
        };
        let order = format!(" ORDER BY {} DESC LIMIT {} OFFSET {}", self.period, paging.per(), paging.offset());
        let mut lq = q(format!("SELECT {cols}{}{order}", w.sql()));
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
            .map(|(id, number, title, org, date)| RecordRef {
                url: match self.source {
                    Source::Cases => format!("/disputes/reconsideration/{id}"),
                    Source::Letters => format!("/disputes/letters/{id}"),
                    Source::Mediation => format!("/disputes/mediation/{id}"),
                },
                number,
                unit: names.get(&org).cloned().unwrap_or_default(),
                id,
                title,
                date,
            })
            .collect();
        Ok(Page::new(items, &paging, total))
    }
}

impl Indicator for ReconIndicator {
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
