//! A report composed: its sections numbered, every placeholder evaluated by its indicator for
//! the report's year and organisation under the reader's scope (the report never counts on its
//! own), each figure carrying the link to its records and the hash of the definition it was
//! computed by; and the checker (statutory contents no section covers, placeholders that
//! cannot be evaluated). The composed report is what the page, the DOCX and 定稿 use.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model;
use crate::placeholder::{self, Format, Placeholder, Segment};
use crate::queries::{ReportRow, SectionRow};
use fazhi_platform::auth::roles::Scope;
use fazhi_platform::error::AppError;
use fazhi_platform::indicators::{self, Indicator, Meta};
use fazhi_platform::state::AppState;

/// A piece of a composed paragraph.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Piece {
    Text {
        text: String,
    },
    /// A figure: `key` is the placeholder as written; `ok` false when it could not be evaluated
    /// (the text then says why).
    Figure {
        key: String,
        code: String,
        text: String,
        ok: bool,
    },
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Section {
    pub id: i64,
    pub number: String,
    pub level: i64,
    pub heading: String,
    pub contents: Vec<String>,
    pub pieces: Vec<Piece>,
}

impl Section {
    /// The paragraph's text as printed.
    pub fn text(&self) -> String {
        self.pieces
            .iter()
            .map(|p| match p {
                Piece::Text { text } | Piece::Figure { text, .. } => text.as_str(),
            })
            .collect()
    }
}

/// One figure's value and where it came from.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Value {
    pub key: String,
    pub code: String,
    pub name: String,
    pub text: String,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    /// The records behind it.
    pub href: String,
    /// SHA-256 of the indicator's definition (its Meta as JSON), and the definition itself.
    pub meta_hash: String,
    pub meta_json: String,
    /// Why it could not be evaluated.
    pub error: Option<String>,
}

impl Value {
    /// The first characters of the definition's hash, as a page shows it.
    pub fn short_hash(&self) -> &str {
        self.meta_hash.get(..12).unwrap_or(&self.meta_hash)
    }
}

/// A composed report.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Composed {
    pub title: String,
    pub org: String,
    pub year: i64,
    pub doc_no: String,
    pub sections: Vec<Section>,
    pub values: Vec<Value>,
}

impl Composed {
    pub fn value(&self, key: &str) -> Option<&Value> {
        self.values.iter().find(|v| v.key == key)
    }
    /// The whole text, paragraphs on lines (tests and search).
    pub fn text(&self) -> String {
        self.sections.iter().map(|s| format!("{}{}{}", s.number, s.heading, s.text())).collect::<Vec<_>>().join("\n")
    }
}

/// What the checker finds.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Findings {
    /// Statutory contents no section covers: (code, label).
    pub missing: Vec<(&'static str, &'static str)>,
    /// Placeholders that cannot be evaluated: (section number and heading, placeholder, why).
    pub unevaluable: Vec<(String, String, String)>,
}

impl Findings {
    pub fn is_clean(&self) -> bool {
        self.missing.is_empty() && self.unevaluable.is_empty()
    }
}

pub fn check(c: &Composed) -> Findings {
    let missing = model::missing_contents(c.sections.iter().flat_map(|s| s.contents.iter().map(String::as_str)));
    let mut unevaluable = Vec::new();
    for (i, s) in c.sections.iter().enumerate() {
        for p in &s.pieces {
            if let Piece::Figure { key, ok: false, .. } = p {
                let why = c.value(key).and_then(|v| v.error.clone()).unwrap_or_default();
                let place = if s.heading.is_empty() { format!("第{}段", i + 1) } else { format!("{}{}", s.number, s.heading) };
                unevaluable.push((place, format!("{{{key}}}"), why));
            }
        }
    }
    Findings { missing, unevaluable }
}

/// The hash of an indicator's definition.
pub fn meta_hash(meta: &Meta) -> (String, String) {
    let json = serde_json::to_string(meta).unwrap_or_default();
    (hex::encode(Sha256::digest(json.as_bytes())), json)
}

/// Check a paragraph as an editor saves it: it parses, every indicator is registered, every
/// dimension is one the indicator declares, every format fits the indicator's unit. Errors
/// name `field`.
pub fn validate(state: &AppState, field: &str, body: &str) -> Result<(), AppError> {
    let segs = placeholder::parse(body).map_err(|e| AppError::field(field, e.code, e.message))?;
    for s in segs {
        let Segment::Figure(p) = s else { continue };
        if placeholder::REPORT_FACTS.iter().any(|f| f.0 == p.code) {
            continue;
        }
        let Some(ind) = state.registry.indicator(&p.code) else {
            return Err(AppError::field(field, "unknown_indicator", format!("占位符 {{{}}} 中的指标“{}”不存在，请在指标体系中查找正确的代码", p.raw, p.code)));
        };
        let meta = ind.meta();
        if let Some((dim, _)) = &p.group {
            if !meta.dims.iter().any(|d| d.code == dim) {
                let can: Vec<String> = meta.dims.iter().map(|d| format!("{}（{}）", d.code, d.label)).collect();
                return Err(AppError::field(
                    field,
                    "unknown_dimension",
                    format!("指标“{}”不能按“{dim}”分组；可用的维度：{}", meta.name, if can.is_empty() { "无".into() } else { can.join("、") }),
                ));
            }
        }
        if let Some(f) = p.format {
            if !f.fits(meta.unit) {
                return Err(AppError::field(
                    field,
                    "format_mismatch",
                    format!("占位符 {{{}}} 的格式与指标“{}”的单位（{}）不符", p.raw, meta.name, meta.unit.label()),
                ));
            }
        }
    }
    Ok(())
}

/// Evaluate the figures of `sections` for the report and compose it. `scope_of` gives the
/// reader's scope for an indicator.
pub async fn compose(
    state: &AppState,
    r: &ReportRow,
    org_name: &str,
    sections: &[SectionRow],
    scope_of: &(dyn Fn(&Meta) -> Scope + Sync),
) -> Result<Composed, AppError> {
    let numbers = model::numbering(&sections.iter().map(|s| s.level).collect::<Vec<_>>());
    let parsed: Vec<Result<Vec<Segment>, placeholder::ParseError>> = sections.iter().map(|s| placeholder::parse(&s.body)).collect();
    // Each indicator is evaluated once per dimension (the total, or cut by one dimension).
    let mut wanted: BTreeMap<(String, Option<String>), Vec<Placeholder>> = BTreeMap::new();
    for segs in parsed.iter().flatten() {
        for s in segs {
            if let Segment::Figure(p) = s {
                if !p.code.starts_with("report.") {
                    wanted.entry((p.code.clone(), p.group.as_ref().map(|g| g.0.clone()))).or_default().push(p.clone());
                }
            }
        }
    }
    let from = format!("{}-01-01", r.year);
    let to = format!("{}-12-31", r.year);
    let mut values: BTreeMap<String, Value> = BTreeMap::new();
    for ((code, dim), ps) in &wanted {
        let Some(ind) = state.registry.indicator(code) else {
            for p in ps {
                values.insert(p.raw.clone(), failed(p, code, "", format!("指标“{code}”不存在")));
            }
            continue;
        };
        let meta = ind.meta();
        let (hash, json) = meta_hash(meta);
        let href_base = format!("/indicators/{code}/records?from={from}&to={to}&org={}", r.org_id);
        let evaluated = evaluate(state, ind, scope_of(meta), &from, &to, r.org_id, dim.as_deref()).await;
        for p in ps {
            let mut v = match &evaluated {
                Err(why) => failed(p, code, meta.name, why.clone()),
                Ok(e) => {
                    let cell = match &p.group {
                        None => Some(&e.total),
                        Some((_, key)) => e.groups.iter().find(|c| c.key.as_deref() == Some(key.as_str()) || c.label == *key),
                    };
                    let fmt = p.format.unwrap_or(Format::default_for(meta.unit));
                    match cell {
                        // A group with no records is absent from the evaluation: it counts nothing.
                        None if meta.denominator.is_none() => written(p, meta, fmt, 0, None, href(&href_base, p, None)),
                        None => failed(p, code, meta.name, format!("“{}”分组没有记录，比率无法计算", p.group.as_ref().map(|g| g.1.as_str()).unwrap_or(""))),
                        Some(c) => written(p, meta, fmt, c.numerator, c.denominator, href(&href_base, p, c.key.as_deref())),
                    }
                }
            };
            v.meta_hash = hash.clone();
            v.meta_json = json.clone();
            values.insert(p.raw.clone(), v);
        }
    }
    let mut out = Vec::with_capacity(sections.len());
    for ((s, segs), number) in sections.iter().zip(parsed).zip(numbers) {
        let pieces = match segs {
            Err(e) => vec![Piece::Text { text: format!("【本段无法解析：{}】", e.message) }],
            Ok(segs) => segs
                .into_iter()
                .map(|seg| match seg {
                    Segment::Text(t) => Piece::Text { text: t },
                    Segment::Figure(p) => match p.code.as_str() {
                        "report.year" => Piece::Text { text: r.year.to_string() },
                        "report.next_year" => Piece::Text { text: (r.year + 1).to_string() },
                        "report.org" => Piece::Text { text: org_name.to_string() },
                        _ => match values.get(&p.raw) {
                            Some(v) if v.error.is_none() => Piece::Figure { key: p.raw.clone(), code: p.code.clone(), text: v.text.clone(), ok: true },
                            Some(v) => Piece::Figure {
                                key: p.raw.clone(),
                                code: p.code.clone(),
                                text: format!("【无法计算：{}】", v.error.clone().unwrap_or_default()),
                                ok: false,
                            },
                            None => Piece::Figure { key: p.raw.clone(), code: p.code.clone(), text: format!("【无法计算：{{{}}}】", p.raw), ok: false },
                        },
                    },
                })
                .collect(),
        };
        out.push(Section {
            id: s.id,
            number,
            level: s.level,
            heading: s.heading.replace("{report.year}", &r.year.to_string()).replace("{report.next_year}", &(r.year + 1).to_string()),
            contents: model::content_codes(&s.contents).into_iter().map(String::from).collect(),
            pieces,
        });
    }
    Ok(Composed {
        title: r.title.clone(),
        org: org_name.to_string(),
        year: r.year,
        doc_no: r.doc_no.clone(),
        sections: out,
        values: values.into_values().collect(),
    })
}

async fn evaluate(
    state: &AppState,
    ind: &dyn Indicator,
    scope: Scope,
    from: &str,
    to: &str,
    org: i64,
    by: Option<&str>,
) -> Result<indicators::Evaluation, String> {
    if scope == Scope::Nothing {
        return Err("您没有查看该指标的权限".into());
    }
    let p = indicators::params(state, ind, scope, Some(from), Some(to), Some(org), by).await.map_err(|e| e.user_message())?;
    ind.evaluate(state, &p).await.map_err(|e| e.user_message())
}

fn failed(p: &Placeholder, code: &str, name: &str, why: String) -> Value {
    Value {
        key: p.raw.clone(),
        code: code.to_string(),
        name: name.to_string(),
        text: String::new(),
        numerator: None,
        denominator: None,
        href: String::new(),
        meta_hash: String::new(),
        meta_json: String::new(),
        error: Some(why),
    }
}

/// The drill-down of a figure: the group's own key (a unit's id, a channel's number), not the
/// label the paragraph may have named it by.
fn href(base: &str, p: &Placeholder, cell_key: Option<&str>) -> String {
    match &p.group {
        None => base.to_string(),
        Some((dim, key)) => {
            let key = cell_key.unwrap_or(key);
            format!("{base}&by={}&key={}", fazhi_platform::web::urlencode(dim), fazhi_platform::web::urlencode(key))
        }
    }
}

fn written(p: &Placeholder, meta: &Meta, fmt: Format, numerator: i64, denominator: Option<i64>, href: String) -> Value {
    match placeholder::write(meta.unit, fmt, numerator, denominator) {
        Some(text) => Value {
            key: p.raw.clone(),
            code: meta.code.to_string(),
            name: meta.name.to_string(),
            text,
            numerator: Some(numerator),
            denominator,
            href,
            meta_hash: String::new(),
            meta_json: String::new(),
            error: None,
        },
        None => failed(p, meta.code, meta.name, "分母为零，比率无法计算".into()),
    }
}
