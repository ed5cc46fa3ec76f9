//! PDF: the document written as Typst markup and compiled in process (crate `synergies-pdf`,
//! embedded fonts, no package download), charts included as SVG files.

use synergies_pdf::escape;

use crate::chart;
use crate::doc::{Block, Cell, Document, DraftDecision, Table};

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

/// The page set-up: A4, a running header with the symbol on the outer side and the page
/// number in the footer from page 2 (page 1 carries the heading block), tables' captions above
/// them, figures floating to where they fit, no hyphenation in headings and titles.
fn setup(out: &mut String, doc: &Document) {
    let dir = if doc.dir == "rtl" { "rtl" } else { "ltr" };
    let symbol = content(&doc.cover.symbol);
    out.push_str(&format!(
        "#set document(title: {title})\n\
#set page(paper: \"a4\", margin: (x: 2cm, top: 2.3cm, bottom: 2cm),\n\
  header: context {{ let p = here().page(); if p > 1 {{ set text(size: 9pt, weight: \"bold\"); align(if calc.even(p) {{ left }} else {{ right }}, {symbol}) }} }},\n\
  footer: context {{ let p = here().page(); if p > 1 {{ set text(size: 9pt); align(if calc.even(p) {{ left }} else {{ right }}, counter(page).display(\"1\")) }} }})\n\
#set text(font: \"Libertinus Serif\", size: 10.5pt, lang: {lang}, dir: {dir})\n\
#set par(justify: true)\n\
#set heading(numbering: none)\n\
#show heading: set text(hyphenate: false)\n\
#show heading.where(level: 1): set text(size: 11.5pt)\n\
#show heading: set block(above: 1.3em, below: 0.8em)\n\
#show figure: set block(breakable: true)\n\
#show figure.where(kind: table): set figure.caption(position: top)\n\
#set footnote(numbering: \"*\")\n\n",
        title = string(&doc.title),
        lang = string(&doc.lang),
    ));
}

/// The heading block (a document without one, a statement, gets its symbol, date and title).
fn heading_block(out: &mut String, doc: &Document) {
    let c = &doc.cover;
    let lines = |items: &[&str]| -> String {
        items
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| escape(s))
            .collect::<Vec<_>>()
            .join(" \\\n")
    };
    if c.organisation.is_empty() {
        out.push_str(&format!(
            "#grid(columns: (1fr, 1fr), [{}], align(right)[*{}*])\n#line(length: 100%)\n#align(right)[{}]\n#line(length: 100%)\n\n",
            escape(&c.body),
            escape(&c.symbol),
            lines(&[&c.distribution, &c.date, &c.original]),
        ));
        out.push_str(&format!(
            "#block(above: 1.5em, below: 1em, text(size: 14pt, weight: \"bold\", hyphenate: false)[{}])\n\n",
            escape(&c.title)
        ));
        if !c.summary.is_empty() {
            out.push_str(&format!("#emph[{}]\n\n", escape(&c.summary)));
        }
        return;
    }
    out.push_str(&format!(
        "#grid(columns: (1fr, auto), align: (left + bottom, right + bottom), text(size: 12pt, weight: \"bold\")[{}], text(size: 22pt, weight: \"bold\")[{}])\n#v(-0.4em)\n#line(length: 100%, stroke: 1.6pt)\n#v(-0.2em)\n",
        escape(&c.organisation.to_uppercase()),
        escape(&c.mark),
    ));
    out.push_str(&format!(
        "#grid(columns: (1fr, 5.2cm), align: (left + horizon, left), text(size: 13pt, weight: \"bold\")[{}], [#text(size: 13pt, weight: \"bold\")[{}] \\\n{}])\n#v(-0.4em)\n#line(length: 100%, stroke: 1.6pt)\n\n",
        escape(&c.programme),
        escape(&c.symbol),
        lines(&[&c.distribution, &c.date, &c.original]),
    ));
    let agenda = if c.footnote.is_empty() {
        escape(&c.agenda)
    } else {
        format!("{}#footnote[{}]", escape(&c.agenda), escape(&c.footnote))
    };
    let mut block = vec![format!("*{}*", escape(&c.body))];
    for l in [&c.meeting, &c.venue] {
        if !l.is_empty() {
            block.push(escape(l));
        }
    }
    block.push(agenda);
    if !c.agenda_title.is_empty() {
        block.push(format!("*{}*", escape(&c.agenda_title)));
    }
    out.push_str(&format!(
        "#block(width: 9cm)[#set par(justify: false)\n{}]\n\n",
        block.join(" \\\n")
    ));
    out.push_str(&format!(
        "#block(inset: (left: 1.5cm), above: 2em, below: 1.2em)[#set par(justify: false)\n#text(size: 15pt, weight: \"bold\", hyphenate: false)[{}]\n#v(0.6em)\n#text(size: 12pt, weight: \"bold\")[{}]]\n\n",
        escape(&c.title),
        escape(&c.note_by),
    ));
    if !c.summary.is_empty() {
        out.push_str(&format!("#emph[{}]\n\n", escape(&c.summary)));
    }
}

/// A paragraph numbered at the margin, its text indented.
fn numbered(out: &mut String, number: &str, text: &str) {
    out.push_str(&format!(
        "#grid(columns: (1cm, 1fr), [{}], [{}])\n#v(0.3em)\n\n",
        escape(number),
        text
    ));
}

fn draft_decision(out: &mut String, d: &DraftDecision) {
    out.push_str("#block(inset: (left: 1cm), above: 1em)[\n");
    out.push_str(&format!(
        "#align(center)[#set text(hyphenate: false)\n*{}*]\n#v(0.6em)\n\n",
        escape(&d.title)
    ));
    out.push_str(&format!("#h(1cm){}\n\n", escape(&d.opening)));
    for c in &d.preamble {
        out.push_str(&format!(
            "#h(1cm)_{}_ {}\n\n",
            escape(&c.lead),
            escape(&c.rest)
        ));
    }
    for (i, c) in d.operative.iter().enumerate() {
        numbered(
            out,
            &format!("{}.", i + 1),
            &format!("_{}_ {}", escape(&c.lead), escape(&c.rest)),
        );
    }
    out.push_str("]\n\n");
}

/// The document as Typst markup, and the SVG files it includes.
pub fn markup(doc: &Document) -> (String, Vec<(String, Vec<u8>)>) {
    let mut files = vec![];
    let mut out = String::new();
    setup(&mut out, doc);
    heading_block(&mut out, doc);
    for s in &doc.sections {
        // An annex starts on a page of its own, landscape when one of its tables is too wide
        // for a portrait page.
        let wide = s
            .blocks
            .iter()
            .any(|b| matches!(b, Block::Table(t) if t.columns.len() > 9));
        if let Some(label) = &s.annex {
            if wide {
                out.push_str("#page(flipped: true)[\n");
            } else {
                out.push_str("#pagebreak(weak: true)\n");
            }
            out.push_str(&format!(
                "#align(center)[#set text(hyphenate: false)\n#heading(level: 1, outlined: true)[{} \\ {}]]\n\n",
                escape(label),
                escape(&s.heading)
            ));
        } else {
            match &s.number {
                Some(n) if !n.is_empty() => out.push_str(&format!(
                    "#heading(level: 1)[#box(width: 1cm)[{}.]{}]\n\n",
                    escape(n),
                    escape(&s.heading)
                )),
                _ => out.push_str(&format!("= {}\n\n", escape(&s.heading))),
            }
        }
        for b in &s.blocks {
            match b {
                Block::Heading(h) => out.push_str(&format!("== {}\n\n", escape(h))),
                Block::Para(p) => out.push_str(&format!("{}\n\n", escape(p))),
                Block::Numbered(n, p) => numbered(&mut out, &format!("{n}."), &escape(p)),
                Block::Decision(d) => draft_decision(&mut out, d),
                // A table too wide for a portrait page gets a landscape page of its own.
                Block::Table(t) if t.columns.len() > 9 && !(wide && s.annex.is_some()) => {
                    out.push_str("#page(flipped: true)[\n");
                    table(&mut out, t);
                    out.push_str("]\n\n");
                }
                Block::Table(t) => table(&mut out, t),
                Block::Chart(ch) => {
                    let name = format!("{}.svg", ch.id);
                    files.push((name.clone(), chart::svg(doc, ch).into_bytes()));
                    out.push_str(&format!(
                        "#figure(image({}, width: 80%), placement: auto, caption: {})\n\n",
                        string(&name),
                        content(&format!("{} — {}", ch.title, ch.note))
                    ));
                }
            }
        }
        if s.annex.is_some() && wide {
            out.push_str("]\n\n");
        }
    }
    (out, files)
}

pub fn render(doc: &Document) -> Result<Vec<u8>, String> {
    let (main, files) = markup(doc);
    synergies_pdf::compile(&main, &files).map_err(|e| e.to_string())
}
