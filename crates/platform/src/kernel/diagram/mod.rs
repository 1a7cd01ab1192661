//! Draw a procedure from its definition alone, on the server, as SVG: states as boxes in layers
//! from the initial state down, each step as an arrow labelled with its name, steps that go
//! back drawn dashed and pointing up ([`layout`] places everything so that no arrow crosses a
//! box and no label lies on anything). Steps open from every unfinished state (撤回申请) would
//! be an arrow from each box: they are listed under the drawing instead. When even so the
//! drawing would be too wide or too tangled to read, the page shows the steps as a swim-lane
//! table instead (lanes: who takes the step).

pub mod layout;

use std::collections::BTreeMap;
use std::fmt::Write;

use self::layout::{EdgeSpec, Layout, NodeSpec, Options, Route, Seg};
use super::definition::{Procedure, Taker, To, Transition};

/// The width the drawing is laid out for: the content card of a staff page on a laptop.
pub const WIDTH: f64 = 1060.0;
/// A drawing wider than this is shrunk so much that its text gets too small to read.
const MAX_NATURAL_WIDTH: f64 = WIDTH * 1.25;
/// More crossings than this and the arrows cannot be followed.
const MAX_CROSSINGS: usize = 8;
const STATE_FONT: f64 = 13.0;
const LABEL_FONT: f64 = 12.0;
const LABEL_LINE: f64 = 15.0;

/// What the page shows of a procedure's steps.
pub struct Diagram {
    /// The drawing, when it can be read; otherwise the page shows [`Diagram::lanes`].
    pub svg: Option<String>,
    /// Steps open from every unfinished state, in words (not drawn as arrows).
    pub anywhere: Vec<String>,
    pub lanes: Lanes,
}

/// The steps as a swim-lane table: a column per who takes the step, a row per state.
pub struct Lanes {
    pub lanes: Vec<String>,
    /// (state name, per lane the steps taken from it: "受理 → 待派单").
    pub rows: Vec<(&'static str, Vec<Vec<String>>)>,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The width of a text in a CJK font: a Chinese character is one em, Latin letters and digits
/// about six tenths (estimated on the safe side, so that no text overflows its box).
pub fn text_width(s: &str, font: f64) -> f64 {
    s.chars().map(|c| if c.is_ascii() { 0.62 } else { 1.0 }).sum::<f64>() * font
}

/// A step from every unfinished state is not drawn from each box.
fn anywhere(p: &Procedure, t: &Transition) -> bool {
    let open: Vec<&str> = p.states.iter().filter(|s| !s.terminal).map(|s| s.code).collect();
    open.len() >= 3 && open.iter().all(|s| t.from.contains(s))
}

fn lane(t: Taker) -> String {
    match t {
        Taker::Staff(perm) => perm.label().to_string(),
        Taker::Citizen => "申请人／诉求人".into(),
        Taker::System => "系统（期限届满）".into(),
    }
}

fn target_words(p: &Procedure, t: &Transition) -> String {
    match &t.to {
        To::State(s) => p.state_name(s).to_string(),
        To::Choose { targets, .. } => targets.iter().map(|s| p.state_name(s)).collect::<Vec<_>>().join("或"),
        To::Previous => "回到原状态".into(),
        To::Same => "状态不变".into(),
    }
}

/// An arrow: from and to (indexes of states) and the names of the steps along it.
pub type Arrow = (usize, usize, Vec<&'static str>);

/// The edges to draw: one per (from, to) pair, with the names of the steps along it.
fn edges(p: &Procedure) -> Vec<Arrow> {
    let index = |code: &str| p.states.iter().position(|s| s.code == code);
    let mut out: BTreeMap<(usize, usize), Vec<&'static str>> = BTreeMap::new();
    let mut order: Vec<(usize, usize)> = Vec::new();
    for t in p.transitions.iter().filter(|t| !anywhere(p, t)) {
        for f in t.from.iter().filter_map(|f| index(f)) {
            for to in t.targets().iter().filter_map(|s| index(s)) {
                if f == to {
                    continue;
                }
                let names = out.entry((f, to)).or_default();
                if names.is_empty() {
                    order.push((f, to));
                }
                if !names.contains(&t.name) {
                    names.push(t.name);
                }
            }
        }
    }
    order.into_iter().map(|k| (k.0, k.1, out.remove(&k).unwrap_or_default())).collect()
}

/// The boxes and arrows of a procedure, laid out.
pub fn lay_out(p: &Procedure) -> (Layout, Vec<EdgeSpec>, Vec<Arrow>) {
    let nodes: Vec<NodeSpec> = p.states.iter().map(|s| NodeSpec { w: (text_width(s.name, STATE_FONT) + 28.0).max(112.0), h: 40.0 }).collect();
    let list = edges(p);
    let specs: Vec<EdgeSpec> = list
        .iter()
        .map(|(f, t, names)| {
            let w = names.iter().map(|n| text_width(n, LABEL_FONT)).fold(0.0, f64::max) + 10.0;
            EdgeSpec { from: *f, to: *t, label: Some((w, names.len() as f64 * LABEL_LINE + 4.0)) }
        })
        .collect();
    let root = p.states.iter().position(|s| s.code == p.initial).unwrap_or(0);
    let l = layout::layout(&nodes, &specs, root, &Options { width: WIDTH, ..Options::default() });
    (l, specs, list)
}

/// Whether a layout can be read at the card's width.
pub fn readable(l: &Layout) -> bool {
    l.natural_width <= MAX_NATURAL_WIDTH && l.crossings <= MAX_CROSSINGS
}

/// What is wrong with a procedure's drawing (for each procedure's own tests): an arrow through
/// a box or a label, a label outside the drawing, not using the card's width, or not readable.
pub fn problems(p: &Procedure) -> Vec<String> {
    let (l, specs, _) = lay_out(p);
    let mut out = layout::check(&l, &specs);
    if !readable(&l) {
        out.push(format!("{}: not readable (natural width {:.0}, {} crossings)", p.code, l.natural_width, l.crossings));
    }
    if (l.width - WIDTH).abs() >= 1.0 {
        out.push(format!("{}: {:.0} wide instead of the card's {WIDTH}", p.code, l.width));
    }
    out
}

/// The drawing, the steps open from anywhere, and the swim lanes of a procedure.
pub fn diagram(p: &Procedure) -> Diagram {
    let (l, _, list) = lay_out(p);
    let anywhere = p
        .transitions
        .iter()
        .filter(|t| anywhere(p, t))
        .map(|t| match t.to {
            To::Same => format!("{}：办结前在任何状态下均可办理，不改变状态（{}）", t.name, lane(t.taker)),
            _ => format!("{}：办结前在任何状态下均可办理，之后为“{}”（{}）", t.name, target_words(p, t), lane(t.taker)),
        })
        .collect();
    Diagram { svg: readable(&l).then(|| svg(p, &l, &list)), anywhere, lanes: lanes(p) }
}

/// The swim-lane table.
pub fn lanes(p: &Procedure) -> Lanes {
    let mut names: Vec<String> = Vec::new();
    for t in &p.transitions {
        let l = lane(t.taker);
        if !names.contains(&l) {
            names.push(l);
        }
    }
    let rows = p
        .states
        .iter()
        .filter(|s| !s.terminal)
        .map(|s| {
            let cells = names
                .iter()
                .map(|l| {
                    p.transitions
                        .iter()
                        .filter(|t| t.from.contains(&s.code) && lane(t.taker) == *l)
                        .map(|t| if matches!(t.to, To::Same) { format!("{}（状态不变）", t.name) } else { format!("{} → {}", t.name, target_words(p, t)) })
                        .collect()
                })
                .collect();
            (s.name, cells)
        })
        .collect();
    Lanes { lanes: names, rows }
}

fn path_d(r: &Route) -> String {
    let mut d = String::new();
    if let Some(first) = r.segs.first() {
        let s = match first {
            Seg::Line(a, _) | Seg::Curve(a, _, _, _) => a,
        };
        let _ = write!(d, "M{:.1},{:.1}", s.x, s.y);
    }
    for seg in &r.segs {
        let _ = match seg {
            Seg::Line(_, b) => write!(d, " L{:.1},{:.1}", b.x, b.y),
            Seg::Curve(_, c1, c2, b) => write!(d, " C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}", c1.x, c1.y, c2.x, c2.y, b.x, b.y),
        };
    }
    d
}

/// The SVG of a laid-out procedure: as wide as the card (it scales with it), never clipped.
fn svg(p: &Procedure, l: &Layout, list: &[Arrow]) -> String {
    const INK: &str = "#5b6b7f";
    const BACK: &str = "#b0752a";
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {:.0} {:.0}" width="100%" role="img" aria-label="{}流程图" class="procedure-diagram">"#,
        l.width.ceil(),
        l.height.ceil(),
        esc(p.name)
    );
    let _ = write!(
        out,
        r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{INK}"/></marker><marker id="arrow-back" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{BACK}"/></marker></defs>"##
    );
    for (route, (f, t, names)) in l.routes.iter().zip(list) {
        let (color, dash, marker) = if route.back { (BACK, r#" stroke-dasharray="6 3""#, "arrow-back") } else { (INK, "", "arrow") };
        let _ = write!(
            out,
            r#"<path d="{}" fill="none" stroke="{color}" stroke-width="1.4"{dash} marker-end="url(#{marker})"><title>{}：{} → {}</title></path>"#,
            path_d(route),
            esc(&names.join("、")),
            esc(p.states[*f].name),
            esc(p.states[*t].name)
        );
    }
    for (route, (_, _, names)) in l.routes.iter().zip(list) {
        let Some(b) = route.label else { continue };
        let color = if route.back { BACK } else { "#34495e" };
        let _ = write!(out, r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="3" fill="#fff"/>"##, b.x, b.y, b.w, b.h);
        for (i, n) in names.iter().enumerate() {
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{:.1}" font-size="{LABEL_FONT}" text-anchor="middle" fill="{color}">{}</text>"#,
                b.cx(),
                b.y + 2.0 + LABEL_LINE * (i as f64 + 1.0) - 3.5,
                esc(n)
            );
        }
    }
    for (s, b) in p.states.iter().zip(&l.nodes) {
        let (fill, stroke) = if s.code == p.initial {
            ("#e6f0fb", "#2f6fb3")
        } else if s.terminal {
            ("#eef6ee", "#3b8a4a")
        } else if s.awaiting_approval {
            ("#fff6e5", BACK)
        } else {
            ("#f7f9fc", INK)
        };
        let _ = write!(
            out,
            r##"<g><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="8" fill="{fill}" stroke="{stroke}" stroke-width="1.6"/><text x="{:.1}" y="{:.1}" font-size="{STATE_FONT}" text-anchor="middle" fill="#1d2b3a">{}</text></g>"##,
            b.x,
            b.y,
            b.w,
            b.h,
            b.cx(),
            b.y + b.h / 2.0 + 4.5,
            esc(s.name)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Perm;
    use crate::kernel::definition::StateDef;

    #[test]
    fn text_width_is_estimated_on_the_safe_side() {
        assert_eq!(text_width("受理", 12.0), 24.0);
        assert!(text_width("12345", 10.0) >= 30.0);
    }

    /// A procedure too wide to draw: twenty outcomes straight from the start.
    fn wide() -> Procedure {
        let mut states = vec![StateDef::open("start", "已登记", "")];
        let codes: Vec<&'static str> = (0..20).map(|i| &*Box::leak(format!("end{i}").into_boxed_str())).collect();
        let names: Vec<&'static str> = (0..20).map(|i| &*Box::leak(format!("第{i}种结果").into_boxed_str())).collect();
        for i in 0..20 {
            states.push(StateDef::end(codes[i], names[i], ""));
        }
        let transitions = (0..20).map(|i| Transition::new(codes[i], names[i], &["start"], To::State(codes[i]), Taker::Staff(Perm::CASE_HANDLE))).collect();
        Procedure {
            code: "wide",
            name: "宽",
            law: "",
            initial: "start",
            states,
            transitions,
            deadlines: vec![],
            number_pattern: "{year}{seq}",
            page_prefix: "/x/",
            api_prefix: "/api/v1/x/",
        }
    }

    #[test]
    fn a_diagram_too_wide_to_read_becomes_a_swim_lane_table() {
        let p = wide();
        let d = diagram(&p);
        assert!(d.svg.is_none());
        assert_eq!(d.lanes.lanes, ["办理"]);
        assert_eq!(d.lanes.rows.len(), 1, "one unfinished state");
        assert_eq!(d.lanes.rows[0].1[0].len(), 20);
        assert_eq!(d.lanes.rows[0].1[0][3], "第3种结果 → 第3种结果");
    }
}
