//! PDF: the document written as Typst markup and compiled in process (crate `synergies-pdf`,
//! embedded fonts, no package download), charts included as SVG files.

use synergies_pdf::escape;

use crate::chart;
use crate::doc::{Block, Cell, Document, Table};

/// A Typst string literal.
fn string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Content in brackets.
fn content(s: &str) -> String {
    format!("[{}]", escape(s))
}

fn table(out: &mut String, t: &Table) {
    let n = t.columns.len();
    let align: Vec<&str> = (0..n)
        .map(|j| {
            let numeric = t
                .rows
                .iter()
                .any(|r| r.cells.get(j).map(Cell::is_number).unwrap_or(false));
            if numeric {
                "right"
            } else {
                "left"
            }
        })
        .collect();
    let size = if n > 8 { "7pt" } else { "8pt" };
    out.push_str(&format!(
        "#figure(kind: table, caption: {}, {{\nset text(size: {size})\ntable(columns: {n}, align: ({}), stroke: 0.4pt,\n",
        content(&t.caption),
        align.join(", ")
    ));
    out.push_str("table.header(");
    for c in &t.columns {
        out.push_str(&format!("[*{}*], ", escape(c)));
    }
    out.push_str("),\n");
    for r in &t.rows {
        for c in &r.cells {
            let text = escape(&c.text());
            if r.total && !text.is_empty() {
                out.push_str(&format!("[*{text}*], "));
            } else {
                out.push_str(&format!("[{text}], "));
            }
        }
        out.push('\n');
    }
    out.push_str(")})\n\n");
}

/// The document as Typst markup, and the SVG files it includes.
pub fn markup(doc: &Document) -> (String, Vec<(String, Vec<u8>)>) {
    let mut files = vec![];
    let mut out = String::new();
    let dir = if doc.dir == "rtl" { "rtl" } else { "ltr" };
    out.push_str(&format!(
        "#set document(title: {})\n#set page(paper: \"a4\", margin: (x: 1.8cm, y: 2cm), numbering: \"1\")\n#set text(font: \"Libertinus Serif\", size: 10.5pt, lang: {}, dir: {dir})\n#set par(justify: true)\n#set heading(numbering: \"I.\")\n#show figure: set block(breakable: true)\n\n",
        string(&doc.title),
        string(&doc.lang)
    ));
    let c = &doc.cover;
    out.push_str(&format!(
        "#grid(columns: (1fr, 1fr), [{}], align(right)[*{}*])\n#line(length: 100%)\n#align(right)[{} \\ {} \\ {}]\n#line(length: 100%)\n\n{} \\\n{} \\\n{}\n\n#block(above: 1.5em, below: 1em, text(size: 15pt, weight: \"bold\")[{}])\n\n#emph[{}]\n\n#pagebreak()\n\n",
        escape(&c.body),
        escape(&c.symbol),
        escape(&c.distribution),
        escape(&c.date),
        escape(&c.original),
        escape(&c.body),
        escape(&c.meeting),
        escape(&c.agenda),
        escape(&c.title),
        escape(&c.summary),
    ));
    for s in &doc.sections {
        out.push_str(&format!("= {}\n\n", escape(&s.heading)));
        for b in &s.blocks {
            match b {
                Block::Heading(h) => out.push_str(&format!("== {}\n\n", escape(h))),
                Block::Para(p) => out.push_str(&format!("{}\n\n", escape(p))),
                // A table too wide for a portrait page gets a landscape page of its own.
                Block::Table(t) if t.columns.len() > 9 => {
                    out.push_str("#page(flipped: true)[\n");
                    table(&mut out, t);
                    out.push_str("]\n\n");
                }
                Block::Table(t) => table(&mut out, t),
                Block::Chart(ch) => {
                    let name = format!("{}.svg", ch.id);
                    files.push((name.clone(), chart::svg(doc, ch).into_bytes()));
                    out.push_str(&format!(
                        "#figure(image({}, width: 85%), caption: {})\n\n",
                        string(&name),
                        content(&format!("{} — {}", ch.title, doc.chart_note))
                    ));
                }
            }
        }
    }
    (out, files)
}

pub fn render(doc: &Document) -> Result<Vec<u8>, String> {
    let (main, files) = markup(doc);
    synergies_pdf::compile(&main, &files).map_err(|e| e.to_string())
}
