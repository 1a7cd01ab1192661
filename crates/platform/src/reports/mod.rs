//! Reports: a document model (headings, paragraphs, tables with merged header cells) in which
//! every figure carries where it came from — computed by a named indicator, with a link to the
//! records behind it, or entered by hand — rendered to HTML (every computed figure a link) and
//! to DOCX ([`docx`]). The 政府信息公开 annual report (`disclosure::report`) is the first user;
//! the annual 法治政府建设 report binds its own indicators to the same model.

pub mod docx;

use serde::Serialize;

/// Where a figure comes from.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// Computed from the records by an indicator; `href` lists the records.
    Computed { indicator: String, href: Option<String> },
    /// Entered by hand (no module records these facts yet).
    Manual,
    /// Not entered yet.
    Missing,
}

/// A figure of a report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Figure {
    pub text: String,
    pub source: Source,
}

impl Figure {
    pub fn computed(value: i64, indicator: impl Into<String>, href: Option<String>) -> Figure {
        Figure { text: value.to_string(), source: Source::Computed { indicator: indicator.into(), href } }
    }
    pub fn manual(text: impl Into<String>) -> Figure {
        Figure { text: text.into(), source: Source::Manual }
    }
    pub fn missing() -> Figure {
        Figure { text: String::new(), source: Source::Missing }
    }
}

/// A table cell: a label or a figure, spanning columns and rows.
#[derive(Clone, Debug, Serialize)]
pub struct Cell {
    pub text: String,
    pub figure: Option<Figure>,
    pub colspan: u32,
    pub rowspan: u32,
    pub header: bool,
    /// Left-aligned label (row headers); figures and column headers are centred.
    pub left: bool,
    /// The key of a hand-entered cell (for the edit form).
    pub key: Option<String>,
}

impl Cell {
    pub fn head(text: impl Into<String>) -> Cell {
        Cell { text: text.into(), figure: None, colspan: 1, rowspan: 1, header: true, left: false, key: None }
    }
    pub fn label(text: impl Into<String>) -> Cell {
        Cell { text: text.into(), figure: None, colspan: 1, rowspan: 1, header: false, left: true, key: None }
    }
    pub fn fig(f: Figure) -> Cell {
        Cell { text: f.text.clone(), figure: Some(f), colspan: 1, rowspan: 1, header: false, left: false, key: None }
    }
    pub fn span(mut self, cols: u32, rows: u32) -> Cell {
        self.colspan = cols.max(1);
        self.rowspan = rows.max(1);
        self
    }
    pub fn key(mut self, k: impl Into<String>) -> Cell {
        self.key = Some(k.into());
        self
    }
    pub fn is_manual(&self) -> bool {
        matches!(self.figure.as_ref().map(|f| &f.source), Some(Source::Manual | Source::Missing))
    }
}

/// A table: column widths (in twentieths of a point, for DOCX) and rows of cells.
#[derive(Clone, Debug, Serialize)]
pub struct Table {
    pub widths: Vec<u32>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn columns(&self) -> usize {
        self.widths.len()
    }
}

/// One block of a document.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    Title(String),
    /// A centred line under the title (unit, date).
    Subtitle(String),
    Heading(String),
    Paragraph(String),
    /// A small note (e.g. which figures were entered by hand).
    Note(String),
    Table(Table),
}

/// A whole document.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Document {
    pub blocks: Vec<Block>,
}

impl Document {
    pub fn push(&mut self, b: Block) -> &mut Self {
        self.blocks.push(b);
        self
    }
    /// Paragraphs from text: one per non-empty line.
    pub fn paragraphs(&mut self, text: &str) -> &mut Self {
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            self.blocks.push(Block::Paragraph(line.to_string()));
        }
        self
    }
}

/// Escape text for HTML (element content and attribute values).
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Render a document to HTML (a fragment; the page wraps it). Computed figures link to their
/// records; hand-entered figures are marked.
pub fn to_html(doc: &Document) -> String {
    let mut h = String::new();
    for b in &doc.blocks {
        match b {
            Block::Title(t) => h.push_str(&format!("<h1 class=\"report-title\">{}</h1>\n", escape_html(t))),
            Block::Subtitle(t) => h.push_str(&format!("<p class=\"report-sub\">{}</p>\n", escape_html(t))),
            Block::Heading(t) => h.push_str(&format!("<h2>{}</h2>\n", escape_html(t))),
            Block::Paragraph(t) => h.push_str(&format!("<p class=\"report-p\">{}</p>\n", escape_html(t))),
            Block::Note(t) => h.push_str(&format!("<p class=\"small muted\">{}</p>\n", escape_html(t))),
            Block::Table(t) => {
                h.push_str("<div class=\"table-wrap\"><table class=\"report\">\n");
                for row in &t.rows {
                    h.push_str("<tr>");
                    for c in row {
                        let tag = if c.header { "th" } else { "td" };
                        let mut attrs = String::new();
                        if c.colspan > 1 {
                            attrs.push_str(&format!(" colspan=\"{}\"", c.colspan));
                        }
                        if c.rowspan > 1 {
                            attrs.push_str(&format!(" rowspan=\"{}\"", c.rowspan));
                        }
                        let class = match (&c.figure, c.left) {
                            (Some(f), _) => match &f.source {
                                Source::Computed { .. } => "fig",
                                Source::Manual => "fig manual",
                                Source::Missing => "fig missing",
                            },
                            (None, true) => "lbl",
                            (None, false) => "",
                        };
                        if !class.is_empty() {
                            attrs.push_str(&format!(" class=\"{class}\""));
                        }
                        let inner = match &c.figure {
                            Some(Figure { text, source: Source::Computed { href: Some(href), indicator } }) => {
                                format!("<a href=\"{}\" title=\"{}\">{}</a>", escape_html(href), escape_html(indicator), escape_html(text))
                            }
                            Some(Figure { text, source: Source::Manual }) => format!("{}<sup title=\"人工填报\">填</sup>", escape_html(text)),
                            Some(Figure { source: Source::Missing, .. }) => "<span title=\"尚未填报\">—</span>".to_string(),
                            Some(Figure { text, .. }) => escape_html(text),
                            None => escape_html(&c.text),
                        };
                        h.push_str(&format!("<{tag}{attrs}>{inner}</{tag}>"));
                    }
                    h.push_str("</tr>\n");
                }
                h.push_str("</table></div>\n");
            }
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_and_links() {
        let mut d = Document::default();
        d.push(Block::Title("<b>报告</b>".into()));
        d.push(Block::Table(Table {
            widths: vec![1000, 1000],
            rows: vec![
                vec![Cell::head("项目").span(2, 1)],
                vec![Cell::label("收到"), Cell::fig(Figure::computed(3, "新收", Some("/x?a=1&b=2".into())))],
                vec![Cell::label("手填"), Cell::fig(Figure::manual("1.5"))],
            ],
        }));
        let h = to_html(&d);
        assert!(h.contains("&lt;b&gt;报告"));
        assert!(h.contains("colspan=\"2\""));
        assert!(h.contains("href=\"/x?a=1&amp;b=2\""));
        assert!(h.contains("人工填报"));
    }
}
