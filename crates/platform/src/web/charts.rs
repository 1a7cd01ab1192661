//! Server-side SVG charts: no script, no third-party code. Every chart has a title, a unit and
//! its period; bars link to the records behind them where a link is given. Text is at least
//! 12 units high, and a chart is never drawn narrower than its 760-unit view box (app.css: it
//! scrolls sideways on a phone instead), so no label is drawn under 12 px.

use std::fmt::Write;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn nice_max(v: f64) -> f64 {
    if v <= 0.0 {
        return 1.0;
    }
    let mag = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if v <= m * mag {
            return m * mag;
        }
    }
    10.0 * mag
}

/// Vertical bars over time (daily volume), with a y axis and sparse x labels.
pub fn columns(title: &str, unit: &str, points: &[(String, f64)]) -> String {
    let (w, h, left, bottom, top) = (760.0, 240.0, 48.0, 28.0, 30.0);
    let max = nice_max(points.iter().map(|p| p.1).fold(0.0, f64::max));
    let n = points.len().max(1) as f64;
    let bw = (w - left - 10.0) / n;
    let mut s = String::new();
    let _ = write!(s, r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{}"><title>{}</title>"#, esc(title), esc(title));
    let _ = write!(
        s,
        r##"<text x="{left}" y="18" font-size="15" font-weight="600" fill="#1d2b3a">{}</text><text x="{}" y="18" font-size="12" text-anchor="end" fill="#7a8896">单位：{}</text>"##,
        esc(title),
        w - 10.0,
        esc(unit)
    );
    for i in 0..=4 {
        let v = max * i as f64 / 4.0;
        let y = h - bottom - (h - bottom - top) * i as f64 / 4.0;
        let _ = write!(
            s,
            r##"<line x1="{left}" y1="{y}" x2="{}" y2="{y}" stroke="#e3e8ee"/><text x="{}" y="{}" font-size="12" text-anchor="end" fill="#7a8896">{}</text>"##,
            w - 10.0,
            left - 4.0,
            y + 3.0,
            v.round()
        );
    }
    let every = ((n / 12.0).ceil() as usize).max(1);
    for (i, (label, v)) in points.iter().enumerate() {
        let bh = (h - bottom - top) * v / max;
        let x = left + bw * i as f64;
        let _ = write!(
            s,
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="#1f5fa8"><title>{} {}{}</title></rect>"##,
            x + bw * 0.1,
            h - bottom - bh,
            (bw * 0.8).max(0.6),
            bh,
            esc(label),
            v,
            esc(unit)
        );
        if i % every == 0 {
            let _ = write!(s, r##"<text x="{:.1}" y="{}" font-size="12" text-anchor="middle" fill="#7a8896">{}</text>"##, x + bw / 2.0, h - 10.0, esc(label));
        }
    }
    s.push_str("</svg>");
    s
}

/// Horizontal bars (rankings), each bar optionally a link.
pub fn bars(title: &str, unit: &str, items: &[(String, f64, Option<String>)], percent: bool) -> String {
    let row = 24.0;
    let (w, left, top) = (760.0, 150.0, 30.0);
    let h = top + row * items.len().max(1) as f64 + 10.0;
    let max = if percent { 100.0 } else { nice_max(items.iter().map(|i| i.1).fold(0.0, f64::max)) };
    let mut s = String::new();
    let _ = write!(s, r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{}"><title>{}</title>"#, esc(title), esc(title));
    let _ = write!(
        s,
        r##"<text x="0" y="18" font-size="15" font-weight="600" fill="#1d2b3a">{}</text><text x="{}" y="18" font-size="12" text-anchor="end" fill="#7a8896">单位：{}</text>"##,
        esc(title),
        w - 10.0,
        esc(unit)
    );
    for (i, (label, v, href)) in items.iter().enumerate() {
        let y = top + row * i as f64;
        let bw = ((w - left - 70.0) * v / max).max(1.0);
        let text = if percent { format!("{v:.2}%") } else { format!("{v}") };
        let bar = format!(r##"<rect x="{left}" y="{:.1}" width="{bw:.1}" height="{:.1}" rx="2" fill="#1f5fa8"/>"##, y + 4.0, row - 8.0);
        let _ = write!(s, r##"<text x="{}" y="{:.1}" font-size="12" text-anchor="end" fill="#34495e">{}</text>"##, left - 6.0, y + row / 2.0 + 4.0, esc(label));
        match href {
            Some(hr) => {
                let _ = write!(s, r#"<a href="{}">{bar}</a>"#, esc(hr));
            }
            None => s.push_str(&bar),
        }
        let _ = write!(s, r##"<text x="{:.1}" y="{:.1}" font-size="12" fill="#34495e">{}</text>"##, left + bw + 6.0, y + row / 2.0 + 4.0, text);
    }
    s.push_str("</svg>");
    s
}

/// A line over months (trends), values in percent when `percent`.
pub fn line(title: &str, unit: &str, points: &[(String, Option<f64>)], percent: bool) -> String {
    let (w, h, left, bottom, top) = (760.0, 220.0, 48.0, 28.0, 30.0);
    let vals: Vec<f64> = points.iter().filter_map(|p| p.1).collect();
    let (lo, hi) = if percent {
        let min = vals.iter().copied().fold(100.0, f64::min);
        ((min - 2.0).floor().clamp(0.0, 95.0), 100.0)
    } else {
        (0.0, nice_max(vals.iter().copied().fold(0.0, f64::max)))
    };
    let n = points.len().max(2) as f64;
    let x = |i: usize| left + (w - left - 20.0) * i as f64 / (n - 1.0);
    // At most eight labels under the axis, so that they never overlap.
    let label_every = (points.len() as f64 / 8.0).ceil().max(1.0) as usize;
    let y = |v: f64| h - bottom - (h - bottom - top) * (v - lo) / (hi - lo).max(0.0001);
    let mut s = String::new();
    let _ = write!(s, r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{}"><title>{}</title>"#, esc(title), esc(title));
    let _ = write!(
        s,
        r##"<text x="{left}" y="18" font-size="15" font-weight="600" fill="#1d2b3a">{}</text><text x="{}" y="18" font-size="12" text-anchor="end" fill="#7a8896">单位：{}</text>"##,
        esc(title),
        w - 10.0,
        esc(unit)
    );
    for i in 0..=4 {
        let v = lo + (hi - lo) * i as f64 / 4.0;
        let yy = y(v);
        let _ = write!(
            s,
            r##"<line x1="{left}" y1="{yy:.1}" x2="{}" y2="{yy:.1}" stroke="#e3e8ee"/><text x="{}" y="{:.1}" font-size="12" text-anchor="end" fill="#7a8896">{}</text>"##,
            w - 10.0,
            left - 4.0,
            yy + 3.0,
            if percent { format!("{v:.0}%") } else { format!("{v:.0}") }
        );
    }
    let mut path = String::new();
    for (i, (_, v)) in points.iter().enumerate() {
        if let Some(v) = v {
            let _ = write!(path, "{}{:.1},{:.1} ", if path.is_empty() { "M" } else { "L" }, x(i), y(*v));
        }
    }
    let _ = write!(s, r##"<path d="{path}" fill="none" stroke="#1f5fa8" stroke-width="2"/>"##);
    for (i, (label, v)) in points.iter().enumerate() {
        if let Some(v) = v {
            let _ = write!(
                s,
                r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="#1f5fa8"><title>{} {}</title></circle>"##,
                x(i),
                y(*v),
                esc(label),
                if percent { format!("{v:.2}%") } else { format!("{v}") }
            );
        }
        if i % label_every == 0 {
            let _ = write!(s, r##"<text x="{:.1}" y="{}" font-size="12" text-anchor="middle" fill="#7a8896">{}</text>"##, x(i), h - 10.0, esc(label));
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_valid_svg_with_titles() {
        let c = columns("日受理量", "件", &[("01-01".into(), 3.0), ("01-02".into(), 0.0)]);
        assert!(c.starts_with("<svg") && c.ends_with("</svg>") && c.contains("日受理量") && c.contains("单位：件"));
        let b = bars("满意率", "%", &[("住建局".into(), 99.5, Some("/x?a=1&b=2".into()))], true);
        assert!(b.contains("&amp;b=2"), "links are escaped");
        let l = line("趋势", "%", &[("1月".into(), Some(99.0)), ("2月".into(), None), ("3月".into(), Some(98.0))], true);
        assert!(l.contains("<path"));
        assert_eq!(nice_max(73.0), 100.0);
        for svg in [&c, &b, &l] {
            for size in svg.split("font-size=\"").skip(1).map(|t| t.split('"').next().unwrap().parse::<f64>().unwrap()) {
                assert!(size >= 12.0, "text of {size} units");
            }
        }
        assert_eq!(nice_max(0.0), 1.0);
    }
}
