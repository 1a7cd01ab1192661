//! Draw a procedure as SVG, from its definition alone: states in layers by their distance from
//! the initial state, transitions as arrows labelled with the step's name. Server-side, no
//! script. The table beside it (in the page) carries the full text of every rule.

use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write;

use super::definition::{Procedure, To};

const BOX_W: i64 = 132;
const BOX_H: i64 = 40;
const GAP_X: i64 = 36;
const GAP_Y: i64 = 78;
const MARGIN: i64 = 24;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The layer of each state: shortest distance from the initial state.
fn layers(p: &Procedure) -> BTreeMap<&'static str, usize> {
    let mut layer = BTreeMap::new();
    let mut queue = VecDeque::new();
    layer.insert(p.initial, 0usize);
    queue.push_back(p.initial);
    while let Some(s) = queue.pop_front() {
        let l = layer[s];
        for t in p.transitions.iter().filter(|t| t.from.contains(&s)) {
            for target in t.targets() {
                if !layer.contains_key(target) {
                    layer.insert(target, l + 1);
                    queue.push_back(target);
                }
            }
        }
    }
    let max = layer.values().copied().max().unwrap_or(0);
    for s in &p.states {
        layer.entry(s.code).or_insert(max + 1);
    }
    layer
}

pub fn svg(p: &Procedure) -> String {
    let layer = layers(p);
    let mut rows: BTreeMap<usize, Vec<&'static str>> = BTreeMap::new();
    for s in &p.states {
        rows.entry(layer[s.code]).or_default().push(s.code);
    }
    let widest = rows.values().map(Vec::len).max().unwrap_or(1) as i64;
    let width = MARGIN * 2 + widest * BOX_W + (widest - 1).max(0) * GAP_X;
    let height = MARGIN * 2 + rows.len() as i64 * BOX_H + (rows.len() as i64 - 1).max(0) * GAP_Y;
    let mut pos: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for (i, (_, states)) in rows.iter().enumerate() {
        let n = states.len() as i64;
        let row_w = n * BOX_W + (n - 1) * GAP_X;
        let x0 = (width - row_w) / 2;
        for (j, s) in states.iter().enumerate() {
            pos.insert(s, (x0 + j as i64 * (BOX_W + GAP_X), MARGIN + i as i64 * (BOX_H + GAP_Y)));
        }
    }
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{}流程图" class="procedure-diagram">"#,
        esc(p.name)
    );
    out.push_str(r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#5b6b7f"/></marker></defs>"##);
    // Edges: one per (from, to) pair, labels joined.
    let mut edges: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    for t in &p.transitions {
        let targets: Vec<&str> = match &t.to {
            To::Same | To::Previous => continue,
            _ => t.targets(),
        };
        for f in t.from {
            for target in &targets {
                let e = edges.entry((f, target)).or_default();
                if !e.contains(&t.name) {
                    e.push(t.name);
                }
            }
        }
    }
    for ((f, t), names) in &edges {
        let (Some(&(x1, y1)), Some(&(x2, y2))) = (pos.get(f), pos.get(t)) else { continue };
        let (sx, sy, ex, ey);
        if f == t {
            continue;
        }
        if y2 > y1 {
            sx = x1 + BOX_W / 2;
            sy = y1 + BOX_H;
            ex = x2 + BOX_W / 2;
            ey = y2;
        } else if y2 < y1 {
            sx = x1 + BOX_W / 2 + 18;
            sy = y1;
            ex = x2 + BOX_W / 2 + 18;
            ey = y2 + BOX_H;
        } else {
            sy = y1 + BOX_H / 2;
            ey = y2 + BOX_H / 2;
            if x2 > x1 {
                sx = x1 + BOX_W;
                ex = x2;
            } else {
                sx = x1;
                ex = x2 + BOX_W;
            }
        }
        let back = y2 < y1;
        let (mx, my) = ((sx + ex) / 2, (sy + ey) / 2);
        let bend = if back { 40 } else { 0 };
        let _ = write!(
            out,
            r##"<path d="M{sx},{sy} Q{},{} {ex},{ey}" fill="none" stroke="{}" stroke-width="1.4" {} marker-end="url(#arrow)"/>"##,
            mx + bend,
            my,
            if back { "#b0752a" } else { "#5b6b7f" },
            if back { r#"stroke-dasharray="5 3""# } else { "" }
        );
        let label = names.join("/");
        let _ = write!(
            out,
            r##"<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="#34495e" paint-order="stroke" stroke="#fff" stroke-width="3">{}</text>"##,
            mx + bend / 2,
            my + 4,
            esc(&label)
        );
    }
    for s in &p.states {
        let (x, y) = pos[s.code];
        let (fill, stroke) = if s.code == p.initial {
            ("#e6f0fb", "#2f6fb3")
        } else if s.terminal {
            ("#eef6ee", "#3b8a4a")
        } else if s.awaiting_approval {
            ("#fff6e5", "#b0752a")
        } else {
            ("#f7f9fc", "#5b6b7f")
        };
        let _ = write!(
            out,
            r##"<g><rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="8" fill="{fill}" stroke="{stroke}" stroke-width="1.6"/><text x="{}" y="{}" font-size="13" text-anchor="middle" fill="#1d2b3a">{}</text></g>"##,
            x + BOX_W / 2,
            y + BOX_H / 2 + 5,
            esc(s.name)
        );
    }
    out.push_str("</svg>");
    out
}
