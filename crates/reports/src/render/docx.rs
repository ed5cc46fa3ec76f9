//! Word: headings with Word's heading styles (so an editor gets a navigable outline), tables
//! as real Word tables (header row in bold), amounts aligned right.

use docx_rs::{AlignmentType, Docx, Paragraph, Run, Style, StyleType, Table, TableCell, TableRow};

use crate::doc::{Block, Cell, Document};

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
    let c = &doc.cover;
    d = d
        .add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Right)
                .add_run(Run::new().add_text(&c.symbol).bold().size(28)),
        )
        .add_paragraph(para(&c.distribution))
        .add_paragraph(para(&c.date))
        .add_paragraph(para(&c.original))
        .add_paragraph(para(&c.body))
        .add_paragraph(para(&c.meeting))
        .add_paragraph(para(&c.agenda))
        .add_paragraph(
            Paragraph::new()
                .style("Heading1")
                .add_run(Run::new().add_text(&c.title)),
        )
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text(&c.summary).italic()));
    for s in &doc.sections {
        d = d.add_paragraph(
            Paragraph::new()
                .style("Heading1")
                .add_run(Run::new().add_text(&s.heading)),
        );
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
                Block::Table(t) => {
                    d = d.add_paragraph(
                        Paragraph::new()
                            .style("Caption")
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
