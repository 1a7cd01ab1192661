//! The report as a government document (DOCX), laid out after GB/T 9704-2012 where a report
//! needs it: A4, margins 37/35/28/26 mm, 22 lines of 28 points; the title in 方正小标宋简体 二号,
//! the 文号 under it, parts (一、) in 黑体 三号, sub-sections (（一）) in 楷体_GB2312 三号 leading
//! their paragraph, the text in 仿宋_GB2312 三号 with a two-character indent; page numbers
//! "— 1 —" in 宋体 四号 at the foot, right on odd pages and left on even ones; the issuing
//! organ and the date at the end. Fonts are named; Word and WPS substitute a font not installed.
//! Written with the platform's escaping and download response; the package has its own parts
//! (footers, settings), so it is assembled here.

use std::io::Write;

use zip::write::SimpleFileOptions;

use crate::compose::Composed;
use fazhi_platform::error::AppError;
use fazhi_platform::reports::docx::xml_escape;

const W: &str =
    "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"";

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/word/footer2.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#;

const DOC_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer2.xml"/></Relationships>"#;

/// 三号 = 16 pt = 32 half-points; lines exactly 28 pt (560 twips): 22 lines on the page.
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="仿宋_GB2312" w:cs="Times New Roman"/><w:sz w:val="32"/><w:szCs w:val="32"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="560" w:lineRule="exact"/><w:jc w:val="both"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:jc w:val="center"/><w:spacing w:before="0" w:after="0" w:line="700" w:lineRule="exact"/></w:pPr><w:rPr><w:rFonts w:ascii="方正小标宋简体" w:hAnsi="方正小标宋简体" w:eastAsia="方正小标宋简体"/><w:sz w:val="44"/><w:szCs w:val="44"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:ind w:firstLineChars="200" w:firstLine="640"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:rFonts w:ascii="黑体" w:hAnsi="黑体" w:eastAsia="黑体"/></w:rPr></w:style><w:style w:type="character" w:styleId="Sub"><w:name w:val="sub-section"/><w:rPr><w:rFonts w:ascii="楷体_GB2312" w:hAnsi="楷体_GB2312" w:eastAsia="楷体_GB2312"/></w:rPr></w:style></w:styles>"#;

const SETTINGS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:evenAndOddHeaders/><w:defaultTabStop w:val="420"/></w:settings>"#;

/// A footer with the page number "— N —" (宋体 四号 = 28 half-points).
fn footer(align: &str) -> String {
    let r = "<w:rPr><w:rFonts w:ascii=\"宋体\" w:hAnsi=\"宋体\" w:eastAsia=\"宋体\"/><w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/></w:rPr>";
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:ftr {W}><w:p><w:pPr><w:jc w:val=\"{align}\"/><w:ind w:left=\"280\" w:right=\"280\"/></w:pPr><w:r>{r}<w:t xml:space=\"preserve\">— </w:t></w:r><w:r>{r}<w:fldChar w:fldCharType=\"begin\"/></w:r><w:r>{r}<w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r><w:r>{r}<w:fldChar w:fldCharType=\"separate\"/></w:r><w:r>{r}<w:t>1</w:t></w:r><w:r>{r}<w:fldChar w:fldCharType=\"end\"/></w:r><w:r>{r}<w:t xml:space=\"preserve\"> —</w:t></w:r></w:p></w:ftr>"
    )
}

fn run(text: &str, style: Option<&str>) -> String {
    let rpr = style.map(|s| format!("<w:rPr><w:rStyle w:val=\"{s}\"/></w:rPr>")).unwrap_or_default();
    format!("<w:r>{rpr}<w:t xml:space=\"preserve\">{}</w:t></w:r>", xml_escape(text))
}

fn para(jc: Option<&str>, indent: bool, runs: &str) -> String {
    let mut ppr = String::new();
    if indent {
        ppr.push_str("<w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/>");
    }
    if let Some(j) = jc {
        ppr.push_str(&format!("<w:jc w:val=\"{j}\"/>"));
    }
    format!("<w:p><w:pPr>{ppr}</w:pPr>{runs}</w:p>")
}

/// The document for a composed report; `date` is the date written under the organ's name.
pub fn write(c: &Composed, date: &str) -> Result<Vec<u8>, AppError> {
    let mut body = String::new();
    body.push_str(&format!("<w:p><w:pPr><w:pStyle w:val=\"Title\"/></w:pPr>{}</w:p>", run(&c.title, None)));
    if !c.doc_no.is_empty() {
        body.push_str(&para(Some("center"), false, &run(&c.doc_no, None)));
    }
    body.push_str("<w:p/>");
    for s in &c.sections {
        let text = s.text();
        match s.level {
            1 => {
                body.push_str(&format!("<w:p><w:pPr><w:pStyle w:val=\"Heading1\"/></w:pPr>{}</w:p>", run(&format!("{}{}", s.number, s.heading), None)));
                if !text.is_empty() {
                    body.push_str(&para(None, true, &run(&text, None)));
                }
            }
            2 => body.push_str(&para(None, true, &format!("{}{}", run(&format!("{}{}", s.number, s.heading), Some("Sub")), run(&text, None)))),
            _ => body.push_str(&para(None, true, &run(&text, None))),
        }
    }
    // The organ and the date, right, four characters from the edge (GB/T 9704 7.3.5).
    body.push_str("<w:p/>");
    let right = |t: &str| format!("<w:p><w:pPr><w:jc w:val=\"right\"/><w:ind w:right=\"1280\"/></w:pPr>{}</w:p>", run(t, None));
    body.push_str(&right(&c.org));
    body.push_str(&right(date));
    let doc = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document {W}><w:body>{body}<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rId3\"/><w:footerReference w:type=\"even\" r:id=\"rId4\"/><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1588\" w:header=\"851\" w:footer=\"1247\" w:gutter=\"0\"/><w:docGrid w:type=\"linesAndChars\" w:linePitch=\"560\" w:charSpace=\"-842\"/></w:sectPr></w:body></w:document>"
    );
    let core = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{}</dc:title><dc:creator>{}</dc:creator></cp:coreProperties>",
        xml_escape(&c.title),
        xml_escape(&c.org)
    );
    let (odd, even) = (footer("right"), footer("left"));
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let parts: [(&str, &str); 9] = [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", RELS),
            ("word/_rels/document.xml.rels", DOC_RELS),
            ("word/styles.xml", STYLES),
            ("word/settings.xml", SETTINGS),
            ("word/footer1.xml", &odd),
            ("word/footer2.xml", &even),
            ("word/document.xml", &doc),
            ("docProps/core.xml", &core),
        ];
        for (name, text) in parts {
            z.start_file(name, opts).map_err(|e| AppError::internal(format!("docx: {e}")))?;
            z.write_all(text.as_bytes())?;
        }
        z.finish().map_err(|e| AppError::internal(format!("docx: {e}")))?;
    }
    Ok(buf.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::{Piece, Section};

    #[test]
    fn writes_fonts_numbers_and_page_numbers() {
        let c = Composed {
            title: "示范市2025年度法治政府建设情况报告".into(),
            org: "示范市人民政府".into(),
            year: 2025,
            doc_no: "示府〔2026〕3号".into(),
            sections: vec![
                Section { id: 1, number: "一、".into(), level: 1, heading: "加强统筹".into(), contents: vec![], pieces: vec![] },
                Section {
                    id: 2,
                    number: "（一）".into(),
                    level: 2,
                    heading: "提高认识。".into(),
                    contents: vec![],
                    pieces: vec![
                        Piece::Text { text: "共接听".into() },
                        Piece::Figure { key: "k".into(), code: "hotline.received".into(), text: "60557".into(), ok: true },
                    ],
                },
            ],
            values: vec![],
        };
        let bytes = write(&c, "2026年3月1日").unwrap();
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut doc = String::new();
        std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut doc).unwrap();
        assert!(doc.contains("示府〔2026〕3号") && doc.contains("一、加强统筹") && doc.contains("共接听60557"));
        assert!(doc.contains("w:top=\"2098\"") && doc.contains("footerReference"));
        let mut styles = String::new();
        std::io::Read::read_to_string(&mut z.by_name("word/styles.xml").unwrap(), &mut styles).unwrap();
        for font in ["方正小标宋简体", "黑体", "楷体_GB2312", "仿宋_GB2312"] {
            assert!(styles.contains(font), "{font}");
        }
        let mut f = String::new();
        std::io::Read::read_to_string(&mut z.by_name("word/footer2.xml").unwrap(), &mut f).unwrap();
        assert!(f.contains("PAGE") && f.contains("left"));
    }
}
