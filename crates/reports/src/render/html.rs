//! HTML: one self-contained page (styles inline, charts as inline SVG), its direction and
//! language from the document.

use crate::chart;
use crate::doc::{Block, Cell, Document, Table};

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
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

const STYLE: &str = "body{font-family:'Times New Roman',serif;max-width:62rem;margin:2rem auto;padding:0 1rem;line-height:1.4}\
header.cover{border-bottom:2px solid #000;margin-bottom:2rem}\
header.cover .symbol{text-align:end;font-weight:bold}\
table{border-collapse:collapse;margin:1rem 0;font-size:.85rem;width:100%}\
caption{text-align:start;font-weight:bold;padding:.3rem 0}\
th,td{border:1px solid #777;padding:.2rem .4rem;vertical-align:top}\
td.n{text-align:end;white-space:nowrap}\
tr.total td{font-weight:bold;background:#eee}\
figure{margin:1rem 0}figure svg{max-width:100%;height:auto}";

fn table(out: &mut String, t: &Table) {
    out.push_str(&format!(
        "<table id=\"{}\">\n<caption>{}</caption>\n<thead><tr>",
        escape(&t.id),
        escape(&t.caption)
    ));
    for c in &t.columns {
        out.push_str(&format!("<th scope=\"col\">{}</th>", escape(c)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for r in &t.rows {
        out.push_str(if r.total {
            "<tr class=\"total\">"
        } else {
            "<tr>"
        });
        for c in &r.cells {
            match c {
                Cell::Money { minor, text, .. } => out.push_str(&format!(
                    "<td class=\"n\" data-minor=\"{minor}\">{}</td>",
                    escape(text)
                )),
                Cell::Count(n) => out.push_str(&format!("<td class=\"n\">{n}</td>")),
                other => out.push_str(&format!("<td>{}</td>", escape(&other.text()))),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

/// The document as an HTML page.
pub fn render(doc: &Document) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"{}\" dir=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&doc.lang),
        escape(&doc.dir),
        escape(&doc.title)
    ));
    let c = &doc.cover;
    out.push_str(&format!(
        "<header class=\"cover\">\n<p class=\"symbol\">{}</p>\n<p>{}<br>{}<br>{}<br>{}</p>\n<p>{}</p>\n<p>{}<br>{}</p>\n<h1>{}</h1>\n<p><em>{}</em></p>\n</header>\n",
        escape(&c.symbol),
        escape(&c.body),
        escape(&c.distribution),
        escape(&c.date),
        escape(&c.original),
        escape(&c.body),
        escape(&c.meeting),
        escape(&c.agenda),
        escape(&c.title),
        escape(&c.summary)
    ));
    for s in &doc.sections {
        out.push_str(&format!("<section>\n<h2>{}</h2>\n", escape(&s.heading)));
        for b in &s.blocks {
            match b {
                Block::Heading(h) => out.push_str(&format!("<h3>{}</h3>\n", escape(h))),
                Block::Para(p) => out.push_str(&format!("<p>{}</p>\n", escape(p))),
                Block::Table(t) => table(&mut out, t),
                Block::Chart(ch) => {
                    let svg = chart::svg(doc, ch);
                    let svg = svg.trim_start_matches(|c| c != '<');
                    let svg = match svg.find("<svg") {
                        Some(i) => &svg[i..],
                        None => svg,
                    };
                    out.push_str(&format!(
                        "<figure id=\"{}\" role=\"img\" aria-label=\"{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
                        escape(&ch.id),
                        escape(&ch.title),
                        svg.trim(),
                        escape(&doc.chart_note)
                    ));
                }
            }
        }
        out.push_str("</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}
