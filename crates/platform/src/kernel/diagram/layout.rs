//! A layered ("Sugiyama") layout of a directed graph with labelled edges, pure geometry:
//!
//! 1. edges that close a cycle (found by a depth-first walk from the root in definition order)
//!    are turned round, so that the graph has no cycle and "back" steps point upwards;
//! 2. each node gets a layer by the longest path from the root;
//! 3. between two layers of nodes lies a row for edge labels: an edge becomes a chain through
//!    the rows it spans, with its label as a box of its own in one row (the way Graphviz's dot
//!    treats labels) and zero-width points in the others. A label is then a node like the states:
//!    it never lies on a box or on another label;
//! 4. the order within each row is found by barycentre sweeps, keeping the order with the
//!    fewest crossings;
//! 5. horizontal positions: each node pulled towards the mean of its neighbours, the order and
//!    the spacing kept (an exact weighted isotonic regression), then spread to the width given;
//! 6. edges run straight down through the rows they cross and as curves with vertical tangents
//!    in the gaps between rows. A curve stays inside its gap (a Bézier curve lies in the hull of
//!    its control points), and inside a row an edge passes only where its own point or label is,
//!    so no edge can pass through a box.

use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pt {
    pub x: f64,
    pub y: f64,
}

/// A rectangle by its top-left corner and size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn cx(&self) -> f64 {
        self.x + self.w / 2.0
    }
    /// Whether the point lies inside, more than `margin` away from the border.
    pub fn holds(&self, p: Pt, margin: f64) -> bool {
        p.x > self.x + margin && p.x < self.x + self.w - margin && p.y > self.y + margin && p.y < self.y + self.h - margin
    }
}

/// A piece of an edge's path.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Seg {
    Line(Pt, Pt),
    /// A cubic Bézier curve: start, two control points, end.
    Curve(Pt, Pt, Pt, Pt),
}

impl Seg {
    /// Points along the piece, ends included (for checks).
    pub fn sample(&self, n: usize) -> Vec<Pt> {
        (0..=n)
            .map(|i| {
                let t = i as f64 / n as f64;
                match *self {
                    Seg::Line(a, b) => Pt { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t },
                    Seg::Curve(a, b, c, d) => {
                        let u = 1.0 - t;
                        let (k0, k1, k2, k3) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
                        Pt { x: k0 * a.x + k1 * b.x + k2 * c.x + k3 * d.x, y: k0 * a.y + k1 * b.y + k2 * c.y + k3 * d.y }
                    }
                }
            })
            .collect()
    }
    fn reversed(self) -> Seg {
        match self {
            Seg::Line(a, b) => Seg::Line(b, a),
            Seg::Curve(a, b, c, d) => Seg::Curve(d, c, b, a),
        }
    }
}

/// A node to place: its size.
#[derive(Clone, Copy, Debug)]
pub struct NodeSpec {
    pub w: f64,
    pub h: f64,
}

/// An edge in its own direction, with the size of its label (none: no label).
#[derive(Clone, Copy, Debug)]
pub struct EdgeSpec {
    pub from: usize,
    pub to: usize,
    pub label: Option<(f64, f64)>,
}

/// How an edge is drawn: its path from its source to its target, whether it points back up
/// (it closes a cycle), and where its label goes.
#[derive(Clone, Debug)]
pub struct Route {
    pub segs: Vec<Seg>,
    pub back: bool,
    pub label: Option<Rect>,
}

#[derive(Clone, Debug)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    /// The width the drawing needs before it is spread to the width asked for.
    pub natural_width: f64,
    pub nodes: Vec<Rect>,
    pub routes: Vec<Route>,
    /// Pairs of edge pieces that cross between two rows.
    pub crossings: usize,
}

/// Spacing, in the drawing's units.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// The width to use: a narrower drawing is spread to it.
    pub width: f64,
    pub margin: f64,
    /// Between two boxes (states, labels) of a row.
    pub gap: f64,
    /// Between an edge passing through a row and its neighbours.
    pub pass_gap: f64,
    /// Between two rows, where the edges curve.
    pub row_gap: f64,
    /// At most this much wider spacing than needed (a small graph is not spread thin).
    pub max_spread: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options { width: 1060.0, margin: 16.0, gap: 26.0, pass_gap: 14.0, row_gap: 32.0, max_spread: 2.2 }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Node(usize),
    Label,
    Pass,
}

struct Virt {
    kind: Kind,
    rank: usize,
    w: f64,
    h: f64,
}

/// Edges that close a cycle, by a depth-first walk from `root` (then from any node not yet
/// reached) following edges in the order given.
fn back_edges(n: usize, edges: &[EdgeSpec], root: usize) -> Vec<bool> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, e) in edges.iter().enumerate() {
        out[e.from].push(i);
    }
    let mut back = vec![false; edges.len()];
    let mut mark = vec![0u8; n]; // 0 new, 1 on the path, 2 done
    let starts: Vec<usize> = std::iter::once(root).chain(0..n).collect();
    for s in starts {
        if mark[s] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(s, 0)];
        mark[s] = 1;
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if let Some(&ei) = out[v].get(*next) {
                *next += 1;
                let w = edges[ei].to;
                match mark[w] {
                    0 => {
                        mark[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => back[ei] = true,
                    _ => {}
                }
            } else {
                mark[v] = 2;
                stack.pop();
            }
        }
    }
    back
}

/// The layer of each node: the longest path from a source, edges taken downwards.
fn layers(n: usize, down: &[(usize, usize)]) -> Vec<usize> {
    let mut indeg = vec![0usize; n];
    for &(_, b) in down {
        indeg[b] += 1;
    }
    let mut layer = vec![0usize; n];
    let mut ready: Vec<usize> = (0..n).filter(|&v| indeg[v] == 0).collect();
    while let Some(v) = ready.pop() {
        for &(a, b) in down.iter().filter(|e| e.0 == v) {
            layer[b] = layer[b].max(layer[a] + 1);
            indeg[b] -= 1;
            if indeg[b] == 0 {
                ready.push(b);
            }
        }
    }
    layer
}

fn crossings_between(upper: &[usize], lower: &[usize], pos: &[usize], links: &[(usize, usize)]) -> usize {
    let inside: Vec<(usize, usize)> = links.iter().filter(|(a, b)| upper.contains(a) && lower.contains(b)).map(|&(a, b)| (pos[a], pos[b])).collect();
    let mut n = 0;
    for i in 0..inside.len() {
        for j in i + 1..inside.len() {
            let (a, b) = (inside[i], inside[j]);
            if (a.0 as i64 - b.0 as i64) * (a.1 as i64 - b.1 as i64) < 0 {
                n += 1;
            }
        }
    }
    n
}

fn crossings(order: &[Vec<usize>], pos: &[usize], links: &[(usize, usize)]) -> usize {
    order.windows(2).map(|w| crossings_between(&w[0], &w[1], pos, links)).sum()
}

fn positions(order: &[Vec<usize>], n: usize) -> Vec<usize> {
    let mut pos = vec![0; n];
    for row in order {
        for (i, &v) in row.iter().enumerate() {
            pos[v] = i;
        }
    }
    pos
}

/// Order the rows by barycentre sweeps (down by the row above, up by the row below), keeping
/// the best order seen.
fn order_rows(mut order: Vec<Vec<usize>>, n: usize, links: &[(usize, usize)]) -> (Vec<Vec<usize>>, usize) {
    let mut pos = positions(&order, n);
    let mut best = (order.clone(), crossings(&order, &pos, links));
    for iter in 0..24 {
        let down = iter % 2 == 0;
        let ranks: Vec<usize> = if down { (1..order.len()).collect() } else { (0..order.len().saturating_sub(1)).rev().collect() };
        for r in ranks {
            let mut keyed: Vec<(f64, usize, usize)> = order[r]
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    let near: Vec<usize> = links
                        .iter()
                        .filter_map(|&(a, b)| {
                            if down && b == v {
                                Some(a)
                            } else if !down && a == v {
                                Some(b)
                            } else {
                                None
                            }
                        })
                        .collect();
                    let key = if near.is_empty() { pos[v] as f64 } else { near.iter().map(|&u| pos[u] as f64).sum::<f64>() / near.len() as f64 };
                    (key, i, v)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            order[r] = keyed.into_iter().map(|k| k.2).collect();
            pos = positions(&order, n);
        }
        let c = crossings(&order, &pos, links);
        if c < best.1 {
            best = (order.clone(), c);
        }
    }
    best
}

/// Weighted least squares under order: minimise Σ wᵢ(xᵢ − dᵢ)² with xᵢ₊₁ ≥ xᵢ + sᵢ
/// (pool-adjacent-violators on the shifted targets).
fn place_row(desired: &[f64], weight: &[f64], sep: &[f64]) -> Vec<f64> {
    let mut offset = vec![0.0; desired.len()];
    for i in 1..desired.len() {
        offset[i] = offset[i - 1] + sep[i - 1];
    }
    // Blocks of (weighted sum, weight, count).
    let mut blocks: Vec<(f64, f64, usize)> = Vec::new();
    for i in 0..desired.len() {
        blocks.push((weight[i] * (desired[i] - offset[i]), weight[i], 1));
        while blocks.len() > 1 {
            let (b, a) = (blocks[blocks.len() - 1], blocks[blocks.len() - 2]);
            if a.0 / a.1 > b.0 / b.1 {
                blocks.pop();
                blocks.pop();
                blocks.push((a.0 + b.0, a.1 + b.1, a.2 + b.2));
            } else {
                break;
            }
        }
    }
    let mut out = Vec::with_capacity(desired.len());
    for (s, w, c) in blocks {
        for _ in 0..c {
            out.push(s / w + offset[out.len()]);
        }
    }
    out
}

/// Lay the graph out. `edges` must not hold loops (an edge from a node to itself).
pub fn layout(nodes: &[NodeSpec], edges: &[EdgeSpec], root: usize, o: &Options) -> Layout {
    let n = nodes.len();
    let back = back_edges(n, edges, root);
    let down: Vec<(usize, usize)> = edges.iter().zip(&back).map(|(e, &b)| if b { (e.to, e.from) } else { (e.from, e.to) }).collect();
    let mut layer = layers(n, &down);
    // A node with no edge drawn (reached only by a step open from everywhere) goes to the
    // bottom, with the other ends, not beside the start.
    let last = layer.iter().max().copied().unwrap_or(0);
    for (v, l) in layer.iter_mut().enumerate() {
        if v != root && !down.iter().any(|&(a, b)| a == v || b == v) {
            *l = last;
        }
    }
    let ranks = layer.iter().max().map(|m| 2 * m + 1).unwrap_or(1);

    // Virtual nodes: the states, then for each edge its label and the points it passes.
    let mut virt: Vec<Virt> = nodes.iter().enumerate().map(|(i, s)| Virt { kind: Kind::Node(i), rank: 2 * layer[i], w: s.w, h: s.h }).collect();
    let mut chains: Vec<Vec<usize>> = Vec::with_capacity(edges.len());
    for (ei, e) in edges.iter().enumerate() {
        let (a, b) = down[ei];
        let (ra, rb) = (2 * layer[a], 2 * layer[b]);
        // The label sits in the row next to where the step is taken.
        let label_rank = if back[ei] { rb - 1 } else { ra + 1 };
        let mut chain = vec![a];
        for r in ra + 1..rb {
            let (kind, (w, h)) = match e.label {
                Some(size) if r == label_rank => (Kind::Label, size),
                _ => (Kind::Pass, (0.0, 0.0)),
            };
            virt.push(Virt { kind, rank: r, w, h });
            chain.push(virt.len() - 1);
        }
        chain.push(b);
        chains.push(chain);
    }
    let links: Vec<(usize, usize)> = chains.iter().flat_map(|c| c.windows(2).map(|w| (w[0], w[1]))).collect();

    // Rows, first in the order nodes were defined, then by barycentres.
    let mut order: Vec<Vec<usize>> = vec![Vec::new(); ranks];
    for (i, v) in virt.iter().enumerate() {
        order[v.rank].push(i);
    }
    let (order, crossing_count) = order_rows(order, virt.len(), &links);

    // Horizontal positions.
    let sep = |a: &Virt, b: &Virt| {
        let gap = if a.kind == Kind::Pass || b.kind == Kind::Pass { o.pass_gap } else { o.gap };
        (a.w + b.w) / 2.0 + gap
    };
    let mut x = vec![0.0; virt.len()];
    for row in &order {
        let mut at = 0.0;
        for (i, &v) in row.iter().enumerate() {
            if i > 0 {
                at += sep(&virt[row[i - 1]], &virt[v]);
            }
            x[v] = at;
        }
    }
    let mut neighbours: Vec<Vec<(usize, f64)>> = vec![Vec::new(); virt.len()];
    for &(a, b) in &links {
        // Straight long edges read best: the links between two passing points pull harder.
        let w = if !matches!(virt[a].kind, Kind::Node(_)) && !matches!(virt[b].kind, Kind::Node(_)) { 4.0 } else { 1.0 };
        neighbours[a].push((b, w));
        neighbours[b].push((a, w));
    }
    for iter in 0..40 {
        let rows: Vec<usize> = if iter % 2 == 0 { (0..ranks).collect() } else { (0..ranks).rev().collect() };
        for r in rows {
            let row = &order[r];
            if row.is_empty() {
                continue;
            }
            let mut desired = Vec::with_capacity(row.len());
            let mut weight = Vec::with_capacity(row.len());
            for &v in row {
                let (s, w) = neighbours[v].iter().fold((0.0, 0.0), |(s, t), &(u, w)| (s + w * x[u], t + w));
                if w > 0.0 {
                    desired.push(s / w);
                    weight.push(w);
                } else {
                    desired.push(x[v]);
                    weight.push(0.2);
                }
            }
            let seps: Vec<f64> = row.windows(2).map(|p| sep(&virt[p[0]], &virt[p[1]])).collect();
            for (v, nx) in row.iter().zip(place_row(&desired, &weight, &seps)) {
                x[*v] = nx;
            }
        }
    }
    let extent = |x: &[f64]| {
        let left = virt.iter().zip(x).map(|(v, &c)| c - v.w / 2.0).fold(f64::INFINITY, f64::min);
        let right = virt.iter().zip(x).map(|(v, &c)| c + v.w / 2.0).fold(f64::NEG_INFINITY, f64::max);
        (left, right)
    };
    let (l, r) = extent(&x);
    let natural_width = r - l + 2.0 * o.margin;
    // Spread to the width asked for (wider spacing only: the order and the gaps hold).
    let room = o.width - 2.0 * o.margin;
    if r - l < room {
        let (mut lo, mut hi) = (1.0f64, o.max_spread);
        for _ in 0..40 {
            let k = (lo + hi) / 2.0;
            let scaled: Vec<f64> = x.iter().map(|c| c * k).collect();
            let (l2, r2) = extent(&scaled);
            if r2 - l2 <= room {
                lo = k;
            } else {
                hi = k;
            }
        }
        x.iter_mut().for_each(|c| *c *= lo);
    }
    let (l, r) = extent(&x);
    let width = natural_width.max(o.width);
    let shift = (width - (r - l)) / 2.0 - l;
    x.iter_mut().for_each(|c| *c += shift);

    // Vertical positions: each row as tall as its tallest box.
    let mut row_h = vec![0.0f64; ranks];
    for v in &virt {
        row_h[v.rank] = row_h[v.rank].max(v.h);
    }
    let mut row_y = vec![o.margin; ranks];
    for r in 1..ranks {
        row_y[r] = row_y[r - 1] + row_h[r - 1] + o.row_gap;
    }
    let height = row_y[ranks - 1] + row_h[ranks - 1] + o.margin;
    let rect = |v: usize| {
        let t = &virt[v];
        Rect { x: x[v] - t.w / 2.0, y: row_y[t.rank] + (row_h[t.rank] - t.h) / 2.0, w: t.w, h: t.h }
    };

    // Ports: the edges leaving a box's bottom (or entering its top) spread along it, in the
    // order of where they go.
    let mut ports: BTreeMap<(usize, bool, usize), f64> = BTreeMap::new();
    for i in 0..n {
        for bottom in [true, false] {
            let mut at: Vec<(f64, usize)> = chains
                .iter()
                .enumerate()
                .filter_map(|(ci, c)| {
                    let (end, next) = if bottom { (c[0], c[1]) } else { (c[c.len() - 1], c[c.len() - 2]) };
                    (end == i).then_some((x[next], ci))
                })
                .collect();
            at.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let b = rect(i);
            for (k, (_, ci)) in at.iter().enumerate() {
                ports.insert((i, bottom, *ci), b.x + b.w * (k + 1) as f64 / (at.len() + 1) as f64);
            }
        }
    }
    let routes = chains
        .iter()
        .enumerate()
        .map(|(ci, c)| {
            let (first, last) = (c[0], c[c.len() - 1]);
            let mut pts: Vec<(Pt, Pt)> = Vec::new(); // (enter, leave) of each node on the way
            let top = rect(first);
            let start = Pt { x: ports[&(first, true, ci)], y: top.y + top.h };
            pts.push((start, start));
            let mut label = None;
            for &v in &c[1..c.len() - 1] {
                let r = virt[v].rank;
                pts.push((Pt { x: x[v], y: row_y[r] }, Pt { x: x[v], y: row_y[r] + row_h[r] }));
                if virt[v].kind == Kind::Label {
                    label = Some(rect(v));
                }
            }
            let bot = rect(last);
            let end = Pt { x: ports[&(last, false, ci)], y: bot.y };
            pts.push((end, end));
            let mut segs = Vec::new();
            for w in pts.windows(2) {
                let (a, b) = (w[0].1, w[1].0);
                let mid = (a.y + b.y) / 2.0;
                segs.push(Seg::Curve(a, Pt { x: a.x, y: mid }, Pt { x: b.x, y: mid }, b));
                if w[1].0 != w[1].1 {
                    segs.push(Seg::Line(w[1].0, w[1].1));
                }
            }
            if back[ci] {
                segs = segs.into_iter().rev().map(Seg::reversed).collect();
            }
            Route { segs, back: back[ci], label }
        })
        .collect();
    Layout { width, height, natural_width, nodes: (0..n).map(rect).collect(), routes, crossings: crossing_count }
}

/// What a drawing must never do: an edge through a box other than its own two ends (or
/// through another edge's label), or anything outside the drawing. Returns what is wrong.
pub fn check(l: &Layout, edges: &[EdgeSpec]) -> Vec<String> {
    let mut wrong = Vec::new();
    let inside = |r: &Rect| r.x >= 0.0 && r.y >= 0.0 && r.x + r.w <= l.width + 0.01 && r.y + r.h <= l.height + 0.01;
    for (i, r) in l.nodes.iter().enumerate() {
        if !inside(r) {
            wrong.push(format!("node {i} outside the drawing: {r:?}"));
        }
        for (j, s) in l.nodes.iter().enumerate().skip(i + 1) {
            if r.x < s.x + s.w && s.x < r.x + r.w && r.y < s.y + s.h && s.y < r.y + r.h {
                wrong.push(format!("nodes {i} and {j} overlap"));
            }
        }
    }
    let labels: Vec<(usize, Rect)> = l.routes.iter().enumerate().filter_map(|(i, r)| r.label.map(|b| (i, b))).collect();
    for (i, b) in &labels {
        if !inside(b) {
            wrong.push(format!("label of edge {i} outside the drawing: {b:?}"));
        }
        for (j, n) in l.nodes.iter().enumerate() {
            if b.x < n.x + n.w && n.x < b.x + b.w && b.y < n.y + n.h && n.y < b.y + b.h {
                wrong.push(format!("label of edge {i} on node {j}"));
            }
        }
    }
    for (ei, route) in l.routes.iter().enumerate() {
        let ends = [edges[ei].from, edges[ei].to];
        for seg in &route.segs {
            for p in seg.sample(24) {
                if p.x < 0.0 || p.y < 0.0 || p.x > l.width || p.y > l.height {
                    wrong.push(format!("edge {ei} leaves the drawing at {p:?}"));
                }
                for (ni, n) in l.nodes.iter().enumerate() {
                    if !ends.contains(&ni) && n.holds(p, 0.5) {
                        wrong.push(format!("edge {ei} passes through node {ni} at {p:?}"));
                    }
                }
                for (li, b) in &labels {
                    if *li != ei && b.holds(p, 0.5) {
                        wrong.push(format!("edge {ei} passes through the label of edge {li}"));
                    }
                }
            }
        }
    }
    wrong.dedup();
    wrong
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(n: usize) -> Vec<NodeSpec> {
        vec![NodeSpec { w: 110.0, h: 40.0 }; n]
    }
    fn e(from: usize, to: usize) -> EdgeSpec {
        EdgeSpec { from, to, label: Some((48.0, 18.0)) }
    }

    #[test]
    fn cycles_are_turned_round_and_layers_follow_the_longest_path() {
        let edges = [e(0, 1), e(1, 2), e(2, 1), e(0, 2)];
        let back = back_edges(3, &edges, 0);
        assert_eq!(back, [false, false, true, false]);
        let down: Vec<(usize, usize)> = edges.iter().zip(&back).map(|(e, &b)| if b { (e.to, e.from) } else { (e.from, e.to) }).collect();
        assert_eq!(layers(3, &down), [0, 1, 2]);
    }

    #[test]
    fn rows_keep_order_and_spacing_and_come_close_to_what_they_want() {
        let x = place_row(&[50.0, 40.0, 200.0], &[1.0, 1.0, 1.0], &[30.0, 30.0]);
        assert!(x[1] - x[0] >= 30.0 - 1e-9 && x[2] - x[1] >= 30.0 - 1e-9, "{x:?}");
        assert!((x[0] + x[1] - 90.0).abs() < 1e-9, "the two that collide share the difference: {x:?}");
        assert!((x[2] - 200.0).abs() < 1e-9);
    }

    #[test]
    fn a_tangled_graph_is_drawn_without_edges_through_boxes() {
        // A diamond with a skip, a long edge, returns and a dead end.
        let nodes = spec(7);
        let edges = [e(0, 1), e(0, 2), e(0, 3), e(1, 4), e(2, 4), e(3, 5), e(4, 5), e(5, 1), e(4, 2), e(0, 5), e(5, 6), e(2, 6)];
        let l = layout(&nodes, &edges, 0, &Options::default());
        assert_eq!(check(&l, &edges), Vec::<String>::new());
        // 5→1 and 2→4 close cycles in the walk 0→1→4→5, 4→2.
        assert!(l.routes[7].back && l.routes[4].back && !l.routes[8].back && !l.routes[0].back);
        // Back edges end at the bottom of their target, pointing up.
        let last = |r: &Route| match r.segs.last().unwrap() {
            Seg::Curve(_, _, _, p) | Seg::Line(_, p) => *p,
        };
        let t = l.nodes[1];
        assert!((last(&l.routes[7]).y - (t.y + t.h)).abs() < 1e-9);
        // It uses the width asked for, and every label lies inside it.
        assert!((l.width - 1060.0).abs() < 1e-9);
        for r in &l.routes {
            let b = r.label.unwrap();
            assert!(b.x >= 0.0 && b.x + b.w <= l.width);
        }
    }

    #[test]
    fn a_small_graph_is_not_spread_thin() {
        let edges = [e(0, 1), e(0, 2)];
        let l = layout(&spec(3), &edges, 0, &Options::default());
        assert_eq!(check(&l, &edges), Vec::<String>::new());
        let span = l.nodes[2].cx() - l.nodes[1].cx();
        assert!(span.abs() <= (110.0 + 26.0) * 2.2 + 1e-6, "{span}");
    }
}
