//! A composed report as HTML: numbered sections as the document prints them, each figure a link
//! to the records behind it (staff pages), or plain text (the portal), a figure that could not
//! be evaluated marked.

use crate::compose::{Composed, Piece};
use fazhi_platform::reports::escape_html as esc;

/// The body of the report. With `links`, each figure links to its drill-down and names its
/// indicator.
pub fn body(c: &Composed, links: bool) -> String {
    let mut h = String::new();
    for s in &c.sections {
        let mut text = String::new();
        for p in &s.pieces {
            match p {
                Piece::Text { text: t } => text.push_str(&esc(t)),
                Piece::Figure { key, text: t, ok: true, .. } if links => {
                    let v = c.value(key);
                    let href = v.map(|v| v.href.as_str()).unwrap_or("");
                    let name = v.map(|v| v.name.as_str()).unwrap_or("");
                    text.push_str(&format!("<a class=\"ar-fig\" href=\"{}\" title=\"{}：查看这个数字背后的记录\">{}</a>", esc(href), esc(name), esc(t)));
                }
                Piece::Figure { text: t, ok: true, .. } => text.push_str(&format!("<span class=\"ar-num\">{}</span>", esc(t))),
                Piece::Figure { text: t, .. } => text.push_str(&format!("<mark class=\"ar-bad\">{}</mark>", esc(t))),
            }
        }
        match s.level {
            1 => {
                h.push_str(&format!("<h2 class=\"ar-h1\" id=\"s{}\">{}{}</h2>\n", s.id, esc(&s.number), esc(&s.heading)));
                if !text.is_empty() {
                    h.push_str(&format!("<p class=\"ar-p\">{text}</p>\n"));
                }
            }
            2 => h.push_str(&format!("<p class=\"ar-p\" id=\"s{}\"><span class=\"ar-h2\">{}{}</span>{text}</p>\n", s.id, esc(&s.number), esc(&s.heading))),
            _ => h.push_str(&format!("<p class=\"ar-p\" id=\"s{}\">{text}</p>\n", s.id)),
        }
    }
    h
}
