//! HTML: one self-contained page (styles inline, charts as inline SVG), its direction and
//! language from the document.

use crate::chart;
use crate::doc::{Block, Cell, Document, DraftDecision, Table};

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
header.cover{margin-bottom:2rem}\
header.cover .un,header.cover .unep{display:flex;justify-content:space-between;align-items:flex-end;border-bottom:3px solid #000;padding:.2rem 0}\
header.cover .un strong{font-size:1.1rem}header.cover .mark{font-size:2rem;font-weight:bold}\
header.cover .unep .programme{font-size:1.15rem;font-weight:bold}header.cover .symbol{font-weight:bold;font-size:1.1rem}\
header.cover .meeting{margin-top:1rem}header.cover .title{margin-left:3rem}\
p.footnote{font-size:.85rem;border-top:1px solid #000;width:12rem;padding-top:.2rem}\
p.numbered{display:flex;gap:0}p.numbered .n{flex:0 0 2.5rem}\
section.annex{break-before:page;page-break-before:always}section.annex h2{text-align:center}\
.draft{margin-left:2.5rem}.draft h3{text-align:center}.draft p.preamble{text-indent:2.5rem}\
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

/// Lines joined with line breaks, the empty ones left out.
fn lines(items: &[&str]) -> String {
    items
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| escape(s))
        .collect::<Vec<_>>()
        .join("<br>")
}

/// The heading block, as a UN document prints it (or, for a statement, its symbol, date and
/// title).
fn cover(out: &mut String, doc: &Document) {
    let c = &doc.cover;
    out.push_str("<header class=\"cover\">\n");
    if c.organisation.is_empty() {
        out.push_str(&format!(
            "<p class=\"symbol\">{}</p>\n<p>{}</p>\n<h1>{}</h1>\n",
            escape(&c.symbol),
            lines(&[&c.body, &c.distribution, &c.date, &c.original]),
            escape(&c.title)
        ));
    } else {
        out.push_str(&format!(
            "<div class=\"un\"><strong>{}</strong><span class=\"mark\">{}</span></div>\n",
            escape(&c.organisation.to_uppercase()),
            escape(&c.mark)
        ));
        out.push_str(&format!(
            "<div class=\"unep\"><span class=\"programme\">{}</span><span><span class=\"symbol\">{}</span><br>{}</span></div>\n",
            escape(&c.programme),
            escape(&c.symbol),
            lines(&[&c.distribution, &c.date, &c.original])
        ));
        let agenda = if c.footnote.is_empty() {
            escape(&c.agenda)
        } else {
            format!("{}<a href=\"#agenda-note\">*</a>", escape(&c.agenda))
        };
        out.push_str(&format!(
            "<p class=\"meeting\"><strong>{}</strong><br>{}{}<br><strong>{}</strong></p>\n",
            escape(&c.body),
            lines(&[&c.meeting, &c.venue]),
            if c.meeting.is_empty() && c.venue.is_empty() {
                agenda
            } else {
                format!("<br>{agenda}")
            },
            escape(&c.agenda_title)
        ));
        out.push_str(&format!(
            "<div class=\"title\">\n<h1>{}</h1>\n<h2>{}</h2>\n</div>\n",
            escape(&c.title),
            escape(&c.note_by)
        ));
        if !c.footnote.is_empty() {
            out.push_str(&format!(
                "<p class=\"footnote\" id=\"agenda-note\">* {}</p>\n",
                escape(&c.footnote)
            ));
        }
    }
    if !c.summary.is_empty() {
        out.push_str(&format!("<p><em>{}</em></p>\n", escape(&c.summary)));
    }
    out.push_str("</header>\n");
}

fn draft(out: &mut String, d: &DraftDecision) {
    out.push_str(&format!(
        "<div class=\"draft\">\n<h3>{}</h3>\n<p class=\"preamble\">{}</p>\n",
        escape(&d.title),
        escape(&d.opening)
    ));
    for c in &d.preamble {
        out.push_str(&format!(
            "<p class=\"preamble\"><em>{}</em> {}</p>\n",
            escape(&c.lead),
            escape(&c.rest)
        ));
    }
    for (i, c) in d.operative.iter().enumerate() {
        out.push_str(&format!(
            "<p class=\"numbered\"><span class=\"n\">{}.</span><span><em>{}</em> {}</span></p>\n",
            i + 1,
            escape(&c.lead),
            escape(&c.rest)
        ));
    }
    out.push_str("</div>\n");
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
    cover(&mut out, doc);
    for s in &doc.sections {
        match &s.annex {
            Some(label) => out.push_str(&format!(
                "<section class=\"annex\">\n<h2>{}<br>{}</h2>\n",
                escape(label),
                escape(&s.heading)
            )),
            None => out.push_str(&format!(
                "<section>\n<h2>{}</h2>\n",
                escape(&s.full_heading())
            )),
        }
        for b in &s.blocks {
            match b {
                Block::Heading(h) => out.push_str(&format!("<h3>{}</h3>\n", escape(h))),
                Block::Para(p) => out.push_str(&format!("<p>{}</p>\n", escape(p))),
                Block::Numbered(n, p) => out.push_str(&format!(
                    "<p class=\"numbered\"><span class=\"n\">{n}.</span><span>{}</span></p>\n",
                    escape(p)
                )),
                Block::Decision(d) => draft(&mut out, d),
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
                        escape(&ch.note)
                    ));
                }
            }
        }
        out.push_str("</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}
