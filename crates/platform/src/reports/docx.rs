//! A small DOCX (WordprocessingML) writer: titles, headings, paragraphs with a two-character
//! first-line indent, and tables with borders and merged cells (column spans as `gridSpan`, row
//! spans as `vMerge`). Enough for official letters and report tables; opens in Word, WPS and
//! LibreOffice. Written with the `zip` crate; no template file is needed.

use std::io::Write;

use zip::write::SimpleFileOptions;

use super::{Block, Document, Table};
use crate::error::AppError;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#;

const DOC_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="SimSun" w:cs="Times New Roman"/><w:sz w:val="28"/><w:szCs w:val="28"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="440" w:lineRule="exact"/></w:pPr></w:pPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:jc w:val="center"/><w:spacing w:before="240" w:after="240" w:line="560" w:lineRule="exact"/></w:pPr><w:rPr><w:rFonts w:eastAsia="SimHei"/><w:b/><w:sz w:val="40"/><w:szCs w:val="40"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="200" w:after="100"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:rFonts w:eastAsia="SimHei"/><w:sz w:val="30"/><w:szCs w:val="30"/></w:rPr></w:style>
<w:style w:type="table" w:styleId="Grid"><w:name w:val="Table Grid"/><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:right w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/></w:tblBorders><w:tblCellMar><w:left w:w="60" w:type="dxa"/><w:right w:w="60" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>
</w:styles>"#;

/// Escape text for XML.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Characters XML 1.0 forbids.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
    Both,
}

impl Align {
    fn code(self) -> &'static str {
        match self {
            Align::Left => "left",
            Align::Center => "center",
            Align::Right => "right",
            Align::Both => "both",
        }
    }
}

/// A DOCX being written.
#[derive(Default)]
pub struct Docx {
    body: String,
    title: String,
}

fn run(text: &str, bold: bool, size: Option<u32>) -> String {
    let mut rpr = String::new();
    if bold {
        rpr.push_str("<w:b/>");
    }
    if let Some(s) = size {
        rpr.push_str(&format!("<w:sz w:val=\"{s}\"/><w:szCs w:val=\"{s}\"/>"));
    }
    let rpr = if rpr.is_empty() { String::new() } else { format!("<w:rPr>{rpr}</w:rPr>") };
    // Line breaks inside one paragraph.
    let mut out = String::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push_str(&format!("<w:r>{rpr}<w:br/></w:r>"));
        }
        out.push_str(&format!("<w:r>{rpr}<w:t xml:space=\"preserve\">{}</w:t></w:r>", xml_escape(line)));
    }
    out
}

impl Docx {
    pub fn new(title: &str) -> Docx {
        Docx { body: String::new(), title: title.to_string() }
    }

    pub fn title(&mut self, text: &str) -> &mut Self {
        self.body.push_str(&format!("<w:p><w:pPr><w:pStyle w:val=\"Title\"/></w:pPr>{}</w:p>", run(text, false, None)));
        self
    }

    pub fn heading(&mut self, text: &str) -> &mut Self {
        self.body.push_str(&format!("<w:p><w:pPr><w:pStyle w:val=\"Heading1\"/></w:pPr>{}</w:p>", run(text, false, None)));
        self
    }

    /// A body paragraph with the customary two-character first-line indent.
    pub fn paragraph(&mut self, text: &str) -> &mut Self {
        self.body.push_str(&format!(
            "<w:p><w:pPr><w:ind w:firstLineChars=\"200\" w:firstLine=\"560\"/><w:jc w:val=\"both\"/></w:pPr>{}</w:p>",
            run(text, false, None)
        ));
        self
    }

    /// A paragraph without indent, aligned as asked.
    pub fn line(&mut self, text: &str, align: Align, bold: bool) -> &mut Self {
        self.body.push_str(&format!("<w:p><w:pPr><w:jc w:val=\"{}\"/></w:pPr>{}</w:p>", align.code(), run(text, bold, None)));
        self
    }

    pub fn small(&mut self, text: &str) -> &mut Self {
        self.body.push_str(&format!("<w:p><w:pPr><w:jc w:val=\"left\"/></w:pPr>{}</w:p>", run(text, false, Some(20))));
        self
    }

    /// A table with borders; cells span columns and rows as given (continuation cells of a
    /// row span are written by the writer).
    pub fn table(&mut self, t: &Table) -> &mut Self {
        let ncols = t.columns();
        let mut x = String::from(
            "<w:tbl><w:tblPr><w:tblStyle w:val=\"Grid\"/><w:tblW w:w=\"0\" w:type=\"auto\"/><w:jc w:val=\"center\"/><w:tblLayout w:type=\"fixed\"/></w:tblPr><w:tblGrid>",
        );
        for w in &t.widths {
            x.push_str(&format!("<w:gridCol w:w=\"{w}\"/>"));
        }
        x.push_str("</w:tblGrid>");
        // For each column: rows still covered by a row span above, and that span's width.
        let mut pending: Vec<(u32, u32)> = vec![(0, 0); ncols];
        // Leading rows made only of header cells repeat on every page the table runs onto.
        let head_rows = t.rows.iter().take_while(|r| !r.is_empty() && r.iter().all(|c| c.header)).count();
        for (ri, row) in t.rows.iter().enumerate() {
            x.push_str(if ri < head_rows { "<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" } else { "<w:tr><w:trPr><w:cantSplit/></w:trPr>" });
            let mut col = 0usize;
            let mut cells = row.iter();
            while col < ncols {
                if pending[col].0 > 0 {
                    let span = pending[col].1.max(1);
                    pending[col].0 -= 1;
                    let w: u32 = t.widths[col..(col + span as usize).min(ncols)].iter().sum();
                    x.push_str(&format!(
                        "<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/>{}<w:vMerge/></w:tcPr><w:p/></w:tc>",
                        if span > 1 { format!("<w:gridSpan w:val=\"{span}\"/>") } else { String::new() }
                    ));
                    col += span as usize;
                    continue;
                }
                let Some(c) = cells.next() else {
                    // A short row: fill with empty cells so the grid stays whole.
                    let w = t.widths[col];
                    x.push_str(&format!("<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/></w:tcPr><w:p/></w:tc>"));
                    col += 1;
                    continue;
                };
                let span = (c.colspan as usize).min(ncols - col).max(1);
                let w: u32 = t.widths[col..col + span].iter().sum();
                let mut pr = format!("<w:tcW w:w=\"{w}\" w:type=\"dxa\"/>");
                if span > 1 {
                    pr.push_str(&format!("<w:gridSpan w:val=\"{span}\"/>"));
                }
                if c.rowspan > 1 {
                    pr.push_str("<w:vMerge w:val=\"restart\"/>");
                    pending[col] = (c.rowspan - 1, span as u32);
                }
                if c.header {
                    pr.push_str("<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"EDEFF2\"/>");
                }
                pr.push_str("<w:vAlign w:val=\"center\"/>");
                let align = if c.left { "left" } else { "center" };
                let text = match &c.figure {
                    Some(f) if matches!(f.source, super::Source::Manual) => format!("{}*", f.text),
                    // Not entered yet: a dash, as on the page, not an empty cell that reads as zero.
                    Some(f) if matches!(f.source, super::Source::Missing) => "—".to_string(),
                    Some(f) => f.text.clone(),
                    None => c.text.clone(),
                };
                x.push_str(&format!(
                    "<w:tc><w:tcPr>{pr}</w:tcPr><w:p><w:pPr><w:spacing w:line=\"300\" w:lineRule=\"auto\"/><w:jc w:val=\"{align}\"/></w:pPr>{}</w:p></w:tc>",
                    run(&text, c.header, Some(20))
                ));
                col += span;
            }
            x.push_str("</w:tr>");
        }
        x.push_str("</w:tbl><w:p/>");
        self.body.push_str(&x);
        self
    }

    /// Add a whole report document.
    pub fn document(&mut self, doc: &Document) -> &mut Self {
        for b in &doc.blocks {
            match b {
                Block::Title(t) => self.title(t),
                Block::Subtitle(t) => self.line(t, Align::Center, false),
                Block::Heading(t) => self.heading(t),
                Block::Paragraph(t) => self.paragraph(t),
                Block::Note(t) => self.small(t),
                Block::Table(t) => self.table(t),
            };
        }
        self
    }

    /// The finished file.
    pub fn finish(self) -> Result<Vec<u8>, AppError> {
        let doc = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><w:body>{}<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1588\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>",
            self.body
        );
        let core = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{}</dc:title><dc:creator>法治政府建设平台</dc:creator></cp:coreProperties>",
            xml_escape(&self.title)
        );
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
            let parts: [(&str, &str); 6] = [
                ("[Content_Types].xml", CONTENT_TYPES),
                ("_rels/.rels", RELS),
                ("word/_rels/document.xml.rels", DOC_RELS),
                ("word/styles.xml", STYLES),
                ("word/document.xml", &doc),
                ("docProps/core.xml", &core),
            ];
            for (name, body) in parts {
                z.start_file(name, opts).map_err(|e| AppError::internal(format!("docx: {e}")))?;
                z.write_all(body.as_bytes())?;
            }
            z.finish().map_err(|e| AppError::internal(format!("docx: {e}")))?;
        }
        Ok(buf.into_inner())
    }
}

/// The content type of a DOCX download.
pub const DOCX_MIME: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// A download response for a DOCX file.
pub fn response(bytes: Vec<u8>, filename: &str) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let disp = format!("attachment; filename=\"document.docx\"; filename*=UTF-8''{}", crate::web::urlencode(filename));
    ([(header::CONTENT_TYPE, DOCX_MIME.to_string()), (header::CONTENT_DISPOSITION, disp)], bytes).into_response()
}

#[cfg(test)]
mod tests {
    use super::super::{Cell, Figure};
    use super::*;

    #[test]
    fn writes_a_zip_with_merged_cells() {
        let mut d = Docx::new("测试");
        d.title("标题 & <测试>");
        d.paragraph("正文");
        d.table(&Table {
            widths: vec![2000, 1000, 1000],
            rows: vec![
                vec![Cell::head("项目").span(1, 2), Cell::head("法人").span(2, 1)],
                vec![Cell::head("甲"), Cell::head("乙")],
                vec![Cell::label("新收"), Cell::fig(Figure::computed(1, "x", None)), Cell::fig(Figure::manual("2"))],
                vec![Cell::label("未填"), Cell::fig(Figure::missing()), Cell::fig(Figure::missing())],
            ],
        });
        let bytes = d.finish().unwrap();
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut s = String::new();
        std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut s).unwrap();
        assert!(s.contains("标题 &amp; &lt;测试&gt;"));
        assert!(s.contains("<w:gridSpan w:val=\"2\"/>"));
        assert!(s.contains("<w:vMerge w:val=\"restart\"/>") && s.contains("<w:vMerge/>"));
        // Every row has the full grid: 3 cells in row 2 (1 continuation + 2).
        let row2 = s.split("<w:tr>").nth(2).unwrap();
        assert_eq!(row2.matches("<w:tc>").count(), 3);
        // A figure not entered yet is a dash, as on the page.
        assert_eq!(s.split("<w:tr>").nth(4).unwrap().matches("—").count(), 2);
    }
}
