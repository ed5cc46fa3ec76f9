//! The laid-out document that every renderer draws: a cover, sections of paragraphs, tables
//! and charts, every text already translated and every amount already computed (with its text
//! in the document's language beside the number, so that a spreadsheet gets the number and a
//! page gets the text). Renderers walk it; they compute nothing.

/// One cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// An amount in minor units, its number of decimals and its text in the document's language.
    Money {
        minor: i64,
        decimals: u32,
        text: String,
    },
    /// A count (participants, activities).
    Count(i64),
    /// An exact figure that is not money: a quantity, a rate, an exchange factor, staff-days;
    /// with its text in the document's language. A spreadsheet stores the number.
    Number {
        value: rust_decimal::Decimal,
        text: String,
    },
    /// A percentage, `value` as a fraction (0.13 for 13 %), with its text in the language.
    Percent {
        value: rust_decimal::Decimal,
        text: String,
    },
    Empty,
}

impl Cell {
    /// The text a page shows.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Money { text, .. } | Cell::Number { text, .. } | Cell::Percent { text, .. } => {
                text.clone()
            }
            Cell::Count(n) => n.to_string(),
            Cell::Empty => String::new(),
        }
    }

    pub fn is_number(&self) -> bool {
        matches!(
            self,
            Cell::Money { .. } | Cell::Count(_) | Cell::Number { .. } | Cell::Percent { .. }
        )
    }

    /// The value a chart plots, in major units (drawing only: no figure of the report comes
    /// from it).
    pub fn plotted(&self) -> Option<f64> {
        match self {
            Cell::Money {
                minor, decimals, ..
            } => Some(*minor as f64 / 10f64.powi(*decimals as i32)),
            Cell::Count(n) => Some(*n as f64),
            Cell::Number { value, .. } | Cell::Percent { value, .. } => {
                rust_decimal::prelude::ToPrimitive::to_f64(value)
            }
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub cells: Vec<Cell>,
    /// A total row (printed bold, left out of charts).
    pub total: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// A short name, unique in the document: the sheet's name in a workbook (at most 31
    /// characters) and the anchor of charts.
    pub id: String,
    pub caption: String,
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// Horizontal bars, one group per category, one bar per series (stacked).
    Bar,
}

/// A chart of columns of a table: categories from one column, one series per value column.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub id: String,
    pub title: String,
    /// What its figures are (`Amounts in USD`, or counts), printed under it.
    pub note: String,
    pub kind: ChartKind,
    /// The id of the table it draws.
    pub table: String,
    pub category_column: usize,
    pub value_columns: Vec<usize>,
}

/// One paragraph of a draft decision: its leading words (printed in italics, "Takes note")
/// and the rest.
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    pub lead: String,
    pub rest: String,
}

/// A draft decision that the governing body may adopt: its title, its opening ("The
/// Conference of the Parties,"), its preambular paragraphs and its operative paragraphs
/// (numbered 1, 2, … within the decision).
#[derive(Debug, Clone, PartialEq)]
pub struct DraftDecision {
    pub title: String,
    pub opening: String,
    pub preamble: Vec<Clause>,
    pub operative: Vec<Clause>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading(String),
    /// A paragraph without a number (statements, annexes).
    Para(String),
    /// A paragraph of a UN document, numbered in one sequence throughout the document.
    Numbered(u32, String),
    Table(Table),
    Chart(Chart),
    Decision(DraftDecision),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// The section's number in roman numerals (`I`, `II`…); none for an annex.
    pub number: Option<String>,
    /// For an annex, its label (`Annex I`): it starts on a page of its own, its label above
    /// its heading.
    pub annex: Option<String>,
    pub heading: String,
    pub blocks: Vec<Block>,
}

impl Section {
    pub fn new(heading: String, blocks: Vec<Block>) -> Section {
        Section {
            number: None,
            annex: None,
            heading,
            blocks,
        }
    }

    /// The heading as printed: `I. Introduction`, or the annex's heading.
    pub fn full_heading(&self) -> String {
        match &self.number {
            Some(n) => format!("{n}. {}", self.heading),
            None => self.heading.clone(),
        }
    }
}

/// The heading block of a UN document: the organisation, the programme and the convention's
/// mark; the symbol with distribution, date and original language; the body, its meeting,
/// venue and dates, the agenda item with its title (and the footnote to the provisional
/// agenda); the title; and who presents it ("Note by the secretariat"). Empty texts are left
/// out.
#[derive(Debug, Clone, PartialEq)]
pub struct Cover {
    pub organisation: String,
    pub programme: String,
    /// The convention's mark printed beside the organisation (`MC`).
    pub mark: String,
    pub body: String,
    pub symbol: String,
    pub distribution: String,
    pub date: String,
    pub original: String,
    pub meeting: String,
    /// Venue and dates of the meeting (`Geneva, 3–7 November 2027`).
    pub venue: String,
    pub agenda: String,
    pub agenda_title: String,
    /// The footnote that the agenda item's asterisk calls (`UNEP/MC/COP.7/1.`).
    pub footnote: String,
    pub title: String,
    pub note_by: String,
    pub summary: String,
}

impl Cover {
    /// A cover with only a body, symbol, date and title (statements).
    pub fn plain(body: String, symbol: String, date: String, title: String) -> Cover {
        Cover {
            organisation: String::new(),
            programme: String::new(),
            mark: String::new(),
            body,
            symbol,
            distribution: String::new(),
            date,
            original: String::new(),
            meeting: String::new(),
            venue: String::new(),
            agenda: String::new(),
            agenda_title: String::new(),
            footnote: String::new(),
            title,
            note_by: String::new(),
            summary: String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Language code (`en`, `fr`) and writing direction (`ltr`, `rtl`).
    pub lang: String,
    pub dir: String,
    pub title: String,
    pub cover: Cover,
    pub sections: Vec<Section>,
    /// Texts of the renderers' own furniture (the page label).
    pub page_label: String,
    /// Who issues the document (the secretariat), and when: a file's own properties.
    pub author: String,
    pub issued: chrono::NaiveDate,
}

impl Document {
    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.sections.iter().flat_map(|s| {
            s.blocks.iter().filter_map(|b| match b {
                Block::Table(t) => Some(t),
                _ => None,
            })
        })
    }

    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables().find(|t| t.id == id)
    }

    /// Applies `f` to every text of the document (cover, headings, paragraphs, captions,
    /// column titles, cells, chart titles and the furniture's texts).
    pub fn map_texts(&mut self, f: &dyn Fn(&str) -> String) {
        let m = |s: &mut String| *s = f(s);
        m(&mut self.title);
        let c = &mut self.cover;
        for s in [
            &mut c.organisation,
            &mut c.programme,
            &mut c.body,
            &mut c.distribution,
            &mut c.date,
            &mut c.original,
            &mut c.meeting,
            &mut c.venue,
            &mut c.agenda,
            &mut c.agenda_title,
            &mut c.footnote,
            &mut c.title,
            &mut c.note_by,
            &mut c.summary,
        ] {
            m(s);
        }
        m(&mut self.page_label);
        for s in &mut self.sections {
            m(&mut s.heading);
            if let Some(a) = &mut s.annex {
                m(a);
            }
            for b in &mut s.blocks {
                match b {
                    Block::Heading(t) | Block::Para(t) | Block::Numbered(_, t) => m(t),
                    Block::Table(t) => {
                        m(&mut t.caption);
                        t.columns.iter_mut().for_each(m);
                        for r in &mut t.rows {
                            for cell in &mut r.cells {
                                match cell {
                                    Cell::Text(t)
                                    | Cell::Money { text: t, .. }
                                    | Cell::Number { text: t, .. }
                                    | Cell::Percent { text: t, .. } => m(t),
                                    _ => {}
                                }
                            }
                        }
                    }
                    Block::Chart(ch) => {
                        m(&mut ch.title);
                        m(&mut ch.note);
                    }
                    Block::Decision(d) => {
                        m(&mut d.title);
                        m(&mut d.opening);
                        for cl in d.preamble.iter_mut().chain(d.operative.iter_mut()) {
                            m(&mut cl.lead);
                            m(&mut cl.rest);
                        }
                    }
                }
            }
        }
    }
}

/// `n` in roman numerals (1 to 3999).
pub fn roman(mut n: u32) -> String {
    const DIGITS: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (v, d) in DIGITS {
        while n >= v {
            out.push_str(d);
            n -= v;
        }
    }
    out
}
