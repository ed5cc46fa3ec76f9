//! Word: the heading block of a UN document, headings with Word's heading styles (so an
//! editor gets a navigable outline), numbered paragraphs with a hanging number, tables as real
//! Word tables (header row in bold), amounts aligned right, each annex on a page of its own,
//! and a running header with the symbol and the page number in the footer from page 2.

use docx_rs::{
    AlignmentType, Docx, Footer, Header, PageNum, Paragraph, Run, SpecialIndentType, Style,
    StyleType, Table, TableCell, TableRow,
};

use crate::doc::{Block, Cell, Document, DraftDecision};

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
                    let mut rows = vec![TableRow::new(
                        t.columns
                            .iter()
                            .map(|h| cell(&Cell::Text(h.clone()), true))
                            .collect(),
                    )
                    .cant_split()];
                    for r in &t.rows {
                        rows.push(TableRow::new(
                            r.cells.iter().map(|c| cell(c, r.total)).collect(),
                        ));
                    }
                    d = d.add_table(Table::new(rows)).add_paragraph(para(""));
                }
                // Charts draw tables that are in the document already; Word gets the tables.
                Block::Chart(_) => {}
            }
        }
    }
    let mut buf = std::io::Cursor::new(Vec::new());
    d.build().pack(&mut buf).map_err(|e| e.to_string())?;
    Ok(buf.into_inner())
}
