//! Word: the heading block of a UN document, headings with Word's heading styles (so an
//! editor gets a navigable outline), numbered paragraphs with a hanging number, tables as real
//! Word tables (header row in bold), amounts aligned right, each annex on a page of its own,
//! and a running header with the symbol and the page number in the footer from page 2; tables
//! with their columns' widths (none under 2 cm), charts as images with their captions, and the
//! file's properties (title, the issuing secretariat as author, date, language).

use docx_rs::{
    AlignmentType, Docx, Footer, Header, PageNum, Paragraph, Pic, Run, SpecialIndentType, Style,
    StyleType, Table, TableCell, TableLayoutType, TableRow, WidthType,
};

use crate::doc::{Block, Cell, Document, DraftDecision};

/// The width of the text on an A4 page with Word's default margins, in twips (16.5 cm).
const TEXT_WIDTH: usize = 9356;

/// The narrowest a column may be: 2 cm, so that a word or an amount fits on a line.
const MIN_COLUMN: usize = 1134;

/// The columns' widths in twips: shared out by how much text each column holds (its longest
/// word and its average cell), none narrower than 2 cm, adding up to the text's width (wider
/// when a table has more columns than 2 cm each allows, which Word then lets run on).
fn column_widths(t: &crate::doc::Table) -> Vec<usize> {
    let n = t.columns.len().max(1);
    let weight = |j: usize| -> usize {
        let texts: Vec<String> = t
            .rows
            .iter()
            .filter_map(|r| r.cells.get(j).map(Cell::text))
            .chain(t.columns.get(j).cloned())
            .collect();
        let longest_word = texts
            .iter()
            .flat_map(|s| s.split_whitespace().map(|w| w.chars().count()))
            .max()
            .unwrap_or(1);
        let average = texts.iter().map(|s| s.chars().count()).sum::<usize>() / texts.len().max(1);
        longest_word.max(average.min(40)).max(4)
    };
    let weights: Vec<usize> = (0..n).map(weight).collect();
    let mut widths: Vec<usize> = vec![MIN_COLUMN; n];
    let spare = TEXT_WIDTH.saturating_sub(MIN_COLUMN * n);
    let total: usize = weights.iter().sum();
    for (w, weight) in widths.iter_mut().zip(&weights) {
        *w += spare * weight / total.max(1);
    }
    widths
}

/// Twentieths of a point in one centimetre.
const CM: i32 = 567;

/// A paragraph whose number hangs at the margin, its text indented by `left` twips.
fn numbered(number: &str, runs: Vec<Run>, left: i32) -> Paragraph {
    let mut p = Paragraph::new()
        .indent(
            Some(left + CM),
            Some(SpecialIndentType::Hanging(CM)),
            None,
            None,
        )
        .add_run(Run::new().add_text(number).add_tab());
    for r in runs {
        p = p.add_run(r);
    }
    p
}

fn draft_decision(mut d: Docx, dd: &DraftDecision) -> Docx {
    d = d.add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .indent(Some(CM), None, None, None)
            .add_run(Run::new().add_text(&dd.title).bold()),
    );
    let indented = |text: Vec<Run>| {
        let mut p =
            Paragraph::new().indent(Some(CM), Some(SpecialIndentType::FirstLine(CM)), None, None);
        for r in text {
            p = p.add_run(r);
        }
        p
    };
    d = d.add_paragraph(indented(vec![Run::new().add_text(&dd.opening)]));
    for c in &dd.preamble {
        d = d.add_paragraph(indented(vec![
            Run::new().add_text(&c.lead).italic(),
            Run::new().add_text(format!(" {}", c.rest)),
        ]));
    }
    for (i, c) in dd.operative.iter().enumerate() {
        d = d.add_paragraph(numbered(
            &format!("{}.", i + 1),
            vec![
                Run::new().add_text(&c.lead).italic(),
                Run::new().add_text(format!(" {}", c.rest)),
            ],
            CM,
        ));
    }
    d
}

/// The heading block of a UN document.
fn heading_block(mut d: Docx, doc: &Document) -> Docx {
    let c = &doc.cover;
    let line = |text: &str| para(text);
    if c.organisation.is_empty() {
        d = d.add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Right)
                .add_run(Run::new().add_text(&c.symbol).bold().size(28)),
        );
        for l in [&c.distribution, &c.date, &c.original, &c.body] {
            if !l.is_empty() {
                d = d.add_paragraph(line(l));
            }
        }
    } else {
        d = d
            .add_paragraph(
                Paragraph::new()
                    .add_run(
                        Run::new()
                            .add_text(c.organisation.to_uppercase())
                            .bold()
                            .size(24),
                    )
                    .add_run(Run::new().add_tab().add_text(&c.mark).bold().size(40)),
            )
            .add_paragraph(
                Paragraph::new().add_run(Run::new().add_text(&c.programme).bold().size(26)),
            )
            .add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Right)
                    .add_run(Run::new().add_text(&c.symbol).bold().size(26)),
            );
        for l in [&c.distribution, &c.date, &c.original] {
            d = d.add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Right)
                    .add_run(Run::new().add_text(l)),
            );
        }
        d = d.add_paragraph(Paragraph::new().add_run(Run::new().add_text(&c.body).bold()));
        for l in [&c.meeting, &c.venue] {
            if !l.is_empty() {
                d = d.add_paragraph(line(l));
            }
        }
        let star = if c.footnote.is_empty() { "" } else { "*" };
        d = d
            .add_paragraph(para(&format!("{}{star}", c.agenda)))
            .add_paragraph(Paragraph::new().add_run(Run::new().add_text(&c.agenda_title).bold()));
    }
    d = d.add_paragraph(
        Paragraph::new()
            .style("Title")
            .indent(Some(2 * CM), None, None, None)
            .add_run(Run::new().add_text(&c.title)),
    );
    if !c.note_by.is_empty() {
        d = d.add_paragraph(
            Paragraph::new()
                .style("Heading2")
                .indent(Some(2 * CM), None, None, None)
                .add_run(Run::new().add_text(&c.note_by)),
        );
    }
    if !c.summary.is_empty() {
        d = d.add_paragraph(Paragraph::new().add_run(Run::new().add_text(&c.summary).italic()));
    }
    if !c.footnote.is_empty() {
        d = d.add_paragraph(
            Paragraph::new().add_run(Run::new().add_text(format!("* {}", c.footnote)).size(18)),
        );
    }
    d
}

fn para(text: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(text))
}

fn cell(c: &Cell, bold: bool) -> TableCell {
    let mut run = Run::new().add_text(c.text()).size(16);
    if bold {
        run = run.bold();
    }
    let mut p = Paragraph::new().add_run(run);
    if c.is_number() {
        p = p.align(AlignmentType::Right);
    }
    TableCell::new().add_paragraph(p)
}

pub fn render(doc: &Document) -> Result<Vec<u8>, String> {
    let mut d = Docx::new()
        .add_style(
            Style::new("Heading1", StyleType::Paragraph)
                .name("Heading 1")
                .bold()
                .size(28),
        )
        .add_style(
            Style::new("Heading2", StyleType::Paragraph)
                .name("Heading 2")
                .bold()
                .size(24),
        )
        .add_style(
            Style::new("Caption", StyleType::Paragraph)
                .name("Caption")
                .bold()
                .size(18),
        );
    d = d
        .add_style(
            Style::new("Title", StyleType::Paragraph)
                .name("Title")
                .bold()
                .size(30),
        )
        .header(
            Header::new().add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Right)
                    .add_run(Run::new().add_text(&doc.cover.symbol).bold().size(18)),
            ),
        )
        .first_header(Header::new())
        .footer(
            Footer::new().add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Right)
                    .add_page_num(PageNum::new()),
            ),
        )
        .first_footer(Footer::new());
    d = heading_block(d, doc);
    for s in &doc.sections {
        d = match &s.annex {
            Some(label) => d.add_paragraph(
                Paragraph::new()
                    .style("Heading1")
                    .align(AlignmentType::Center)
                    .page_break_before(true)
                    .add_run(Run::new().add_text(label))
                    .add_run(Run::new().add_break(docx_rs::BreakType::TextWrapping))
                    .add_run(Run::new().add_text(&s.heading)),
            ),
            None => d.add_paragraph(
                Paragraph::new()
                    .style("Heading1")
                    .keep_next(true)
                    .add_run(Run::new().add_text(s.full_heading())),
            ),
        };
        for b in &s.blocks {
            match b {
                Block::Heading(h) => {
                    d = d.add_paragraph(
                        Paragraph::new()
                            .style("Heading2")
                            .add_run(Run::new().add_text(h)),
                    )
                }
                Block::Para(p) => d = d.add_paragraph(para(p)),
                Block::Numbered(n, p) => {
                    d = d.add_paragraph(numbered(&format!("{n}."), vec![Run::new().add_text(p)], 0))
                }
                Block::Decision(dd) => d = draft_decision(d, dd),
                Block::Table(t) => {
                    d = d.add_paragraph(
                        Paragraph::new()
                            .style("Caption")
                            .keep_next(true)
                            .add_run(Run::new().add_text(&t.caption)),
                    );
                    let widths = column_widths(t);
                    let sized = |c: TableCell, j: usize| c.width(widths[j], WidthType::Dxa);
                    let mut rows = vec![TableRow::new(
                        t.columns
                            .iter()
                            .enumerate()
                            .map(|(j, h)| sized(cell(&Cell::Text(h.clone()), true), j))
                            .collect(),
                    )
                    .cant_split()];
                    for r in &t.rows {
                        rows.push(TableRow::new(
                            r.cells
                                .iter()
                                .enumerate()
                                .map(|(j, c)| sized(cell(c, r.total), j.min(widths.len() - 1)))
                                .collect(),
                        ));
                    }
                    let table = Table::new(rows)
                        .set_grid(widths.clone())
                        .layout(TableLayoutType::Fixed)
                        .width(widths.iter().sum(), WidthType::Dxa);
                    d = d.add_table(table).add_paragraph(para(""));
                }
                Block::Chart(ch) => d = chart(d, doc, ch)?,
            }
        }
    }
    let mut buf = std::io::Cursor::new(Vec::new());
    d.build().pack(&mut buf).map_err(|e| e.to_string())?;
    with_properties(&buf.into_inner(), doc).map_err(|e| e.to_string())
}

/// A chart as Word shows it: the drawing as an image 15 cm wide (Word cannot show SVG),
/// captioned with its title and what its figures are.
fn chart(d: Docx, doc: &Document, ch: &crate::doc::Chart) -> Result<Docx, String> {
    const WIDTH_PX: u32 = 1280;
    const WIDTH_EMU: u32 = 15 * 360_000;
    let svg = crate::chart::svg(doc, ch);
    let (png, height_px) = synergies_pdf::svg_to_png(&svg, WIDTH_PX).map_err(|e| e.to_string())?;
    let height_emu = (WIDTH_EMU as u64 * height_px as u64 / WIDTH_PX as u64) as u32;
    let picture = Pic::new_with_dimensions(png, WIDTH_PX, height_px).size(WIDTH_EMU, height_emu);
    Ok(d.add_paragraph(
        Paragraph::new()
            .keep_next(true)
            .add_run(Run::new().add_image(picture)),
    )
    .add_paragraph(
        Paragraph::new()
            .style("Caption")
            .add_run(Run::new().add_text(format!("{} — {}", ch.title, ch.note))),
    ))
}

/// The package with the document's own properties, which docx-rs cannot set: its title, its
/// author (the issuing secretariat), its date and language (`docProps/core.xml`), and the
/// language of its text, so that Word checks its spelling in that language (the default run
/// properties of `word/styles.xml`).
fn with_properties(package: &[u8], doc: &Document) -> zip::result::ZipResult<Vec<u8>> {
    use std::io::{Read, Write};
    let mut from = zip::ZipArchive::new(std::io::Cursor::new(package))?;
    let mut to = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let lang = word_language(&doc.lang);
    for i in 0..from.len() {
        let mut entry = from.by_index(i)?;
        let name = entry.name().to_string();
        match name.as_str() {
            "docProps/core.xml" => {
                to.start_file(name, options)?;
                to.write_all(core_properties(doc).as_bytes())?;
            }
            "word/styles.xml" => {
                let mut xml = String::new();
                entry.read_to_string(&mut xml)?;
                let tag =
                    format!("<w:lang w:val=\"{lang}\" w:eastAsia=\"{lang}\" w:bidi=\"{lang}\" />");
                // The default run properties are empty (`<w:rPr />`) or hold some: the
                // language goes in once either way.
                let xml = if xml.contains("<w:rPrDefault><w:rPr />") {
                    xml.replacen(
                        "<w:rPrDefault><w:rPr />",
                        &format!("<w:rPrDefault><w:rPr>{tag}</w:rPr>"),
                        1,
                    )
                } else {
                    xml.replacen(
                        "<w:rPrDefault><w:rPr>",
                        &format!("<w:rPrDefault><w:rPr>{tag}"),
                        1,
                    )
                };
                to.start_file(name, options)?;
                to.write_all(xml.as_bytes())?;
            }
            _ => to.raw_copy_file(entry)?,
        }
    }
    Ok(to.finish()?.into_inner())
}

/// The language tag Word uses for the document's language (`en-GB`, as the United Nations
/// writes English; `fr-FR`; others as given).
fn word_language(code: &str) -> String {
    match code {
        "en" => "en-GB".into(),
        "fr" => "fr-FR".into(),
        "es" => "es-ES".into(),
        other => other.into(),
    }
}

fn xml_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `docProps/core.xml`: title, author, language and the date of issue.
fn core_properties(doc: &Document) -> String {
    let date = format!("{}T00:00:00Z", doc.issued);
    format!(
        concat!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
            "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" ",
            "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" ",
            "xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">",
            "<dc:title>{title}</dc:title><dc:subject>{symbol}</dc:subject><dc:creator>{author}</dc:creator>",
            "<cp:lastModifiedBy>{author}</cp:lastModifiedBy><dc:language>{lang}</dc:language>",
            "<dcterms:created xsi:type=\"dcterms:W3CDTF\">{date}</dcterms:created>",
            "<dcterms:modified xsi:type=\"dcterms:W3CDTF\">{date}</dcterms:modified>",
            "</cp:coreProperties>"
        ),
        title = xml_text(&doc.title),
        symbol = xml_text(&doc.cover.symbol),
        author = xml_text(&doc.author),
        lang = word_language(&doc.lang),
        date = date,
    )
}
