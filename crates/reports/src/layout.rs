//! From a report model to a [`Document`] in one language: every text comes from the Fluent
//! files (`reports.ftl`), every figure from the model. Nothing is summed here.
//!
//! The implementation report is laid out one section per function, each in its own file
//! (`layout/`): the cover and summary, the numbered sections I to VI and the annex. Every table
//! of every report, the statements' included, is built by one helper, [`table`].

mod action;
mod activities;
mod annex;
mod budget;
mod costs;
mod cover;
mod framework;
mod mandate;
mod training;

use synergies_domain::Currency;
use synergies_i18n::{FluentValue, Lang};

use crate::doc::{roman, Block, Cell, Chart, ChartKind, Document, Row, Table};
use crate::model::{Amounts, ImplementationReport};

/// The snake-case name serde gives an enum value (`technical_assistance`), the tail of its key.
pub(crate) fn name_of<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// The column titles of direct cost, programme support costs and total.
const AMOUNT_COLUMNS: [&str; 3] = ["report-col-direct", "report-col-psc", "report-col-total"];

pub(crate) struct Writer {
    pub lang: Lang,
    pub currency: Currency,
}

impl Writer {
    pub fn t(&self, key: &str) -> String {
        self.lang.text(key)
    }

    pub fn tw(&self, key: &str, args: &[(&str, String)]) -> String {
        let args: Vec<(&str, FluentValue<'static>)> = args
            .iter()
            .map(|(k, v)| (*k, FluentValue::from(v.clone())))
            .collect();
        self.lang.text_with(key, &args)
    }

    /// The text of `key` with `texts` and `counts` as its arguments. A count reaches Fluent as
    /// a number, so that the text picks its plural form by the language's own rules
    /// (`{ $events -> [one] … *[other] … }`: "1 joint training event", "2 joint training
    /// events"; French counts 0 and 1 as singular).
    pub fn counted(&self, key: &str, texts: &[(&str, String)], counts: &[(&str, usize)]) -> String {
        let mut args: Vec<(&str, FluentValue<'static>)> = texts
            .iter()
            .map(|(k, v)| (*k, FluentValue::from(v.clone())))
            .collect();
        args.extend(
            counts
                .iter()
                .map(|(k, n)| (*k, FluentValue::from(*n as u64))),
        );
        self.lang.text_with(key, &args)
    }

    /// The note under a chart of amounts: their unit.
    pub fn amounts_note(&self) -> String {
        self.tw(
            "report-chart-note",
            &[("currency", self.currency.code().to_string())],
        )
    }

    /// The note under a chart of counts (people, activities): numbers, not amounts.
    pub fn counts_note(&self) -> String {
        self.t("report-chart-note-counts")
    }

    /// The label of an enum value: `report-<kind>-<name>`.
    pub fn label<T: serde::Serialize>(&self, kind: &str, v: &T) -> String {
        self.t(&format!("report-{kind}-{}", name_of(v).replace('_', "-")))
    }

    pub fn money(&self, minor: i64) -> Cell {
        self.money_in(minor, self.currency)
    }

    pub fn money_in(&self, minor: i64, currency: Currency) -> Cell {
        Cell::Money {
            minor,
            decimals: currency.exponent(),
            text: self.lang.amount(minor, currency.exponent()),
        }
    }

    pub fn amount_text(&self, minor: i64) -> String {
        self.lang.amount(minor, self.currency.exponent())
    }

    pub fn amounts(&self, a: &Amounts, currency: Currency) -> [Cell; 3] {
        [
            self.money_in(a.direct, currency),
            self.money_in(a.psc, currency),
            self.money_in(a.total, currency),
        ]
    }

    /// Column titles from keys.
    pub fn columns(&self, keys: &[&str]) -> Vec<String> {
        keys.iter().map(|k| self.t(k)).collect()
    }

    /// A decimal figure (a rate, a quantity) with the language's decimal separator.
    pub fn decimal(&self, d: rust_decimal::Decimal) -> String {
        d.normalize()
            .to_string()
            .replace('.', &self.t("number-decimal-separator"))
    }

    /// A quantity, rate or factor as a number cell, written in the language with the
    /// decimals it has (`2173.5000` is `2 173,5000` in French; normalise a quantity first).
    pub fn number(&self, d: rust_decimal::Decimal) -> Cell {
        let text = i64::try_from(d.mantissa())
            .map(|m| self.lang.amount(m, d.scale()))
            .unwrap_or_else(|_| self.decimal(d));
        Cell::Number { value: d, text }
    }

    /// A fraction (0.13) as a percentage cell (`13 %` in French, `13%` in English).
    pub fn percent(&self, fraction: rust_decimal::Decimal) -> Cell {
        Cell::Percent {
            value: fraction,
            text: self.percent_text(fraction),
        }
    }

    /// A fraction (0.13) as the language writes the percentage.
    pub fn percent_text(&self, fraction: rust_decimal::Decimal) -> String {
        self.lang.percent(&fraction.to_string())
    }

    /// The cells of a total row: "Total", `empty` empty cells, then `rest`.
    pub fn total(&self, empty: usize, rest: impl IntoIterator<Item = Cell>) -> Vec<Cell> {
        let mut cells = vec![text(self.t("report-total"))];
        cells.extend(std::iter::repeat_n(Cell::Empty, empty));
        cells.extend(rest);
        cells
    }

    /// The days from `start` to `end` as UN documents write them: `5–7 October 2026`,
    /// `30 September–2 October 2026`, `30 December 2026–2 January 2027` (the dash and the
    /// order from the language's texts); one day is written as a date.
    pub fn date_range(&self, start: chrono::NaiveDate, end: chrono::NaiveDate) -> String {
        use chrono::Datelike;
        if start == end {
            return self.date(start);
        }
        let month = |d: chrono::NaiveDate| self.t(&format!("report-month-{}", d.month()));
        let (key, args) = if start.year() != end.year() {
            (
                "report-date-range-years",
                vec![("start", self.date(start)), ("end", self.date(end))],
            )
        } else if start.month() != end.month() {
            (
                "report-date-range-months",
                vec![
                    ("startday", start.day().to_string()),
                    ("startmonth", month(start)),
                    ("endday", end.day().to_string()),
                    ("endmonth", month(end)),
                    ("year", end.year().to_string()),
                ],
            )
        } else {
            (
                "report-date-range-days",
                vec![
                    ("startday", start.day().to_string()),
                    ("endday", end.day().to_string()),
                    ("month", month(end)),
                    ("year", end.year().to_string()),
                ],
            )
        };
        self.tw(key, &args)
    }

    pub fn date(&self, d: chrono::NaiveDate) -> String {
        use chrono::Datelike;
        self.lang.date(d.year(), d.month(), d.day())
    }
}

pub(crate) fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

/// The one way a table of a report is built: an id and a caption, then its columns, its rows
/// (each from an item of the model) and its total rows, in the order they are given.
pub(crate) fn table(id: &str, caption: String) -> TableBuilder {
    TableBuilder(Table {
        id: id.to_string(),
        caption,
        columns: vec![],
        rows: vec![],
    })
}

pub(crate) struct TableBuilder(Table);

impl TableBuilder {
    /// Adds column titles (already written in the document's language).
    pub fn columns(mut self, titles: impl IntoIterator<Item = String>) -> Self {
        self.0.columns.extend(titles);
        self
    }

    /// Adds one row per item, its cells given by `cells`.
    pub fn rows<T>(
        mut self,
        items: impl IntoIterator<Item = T>,
        cells: impl FnMut(T) -> Vec<Cell>,
    ) -> Self {
        self.0
            .rows
            .extend(items.into_iter().map(cells).map(|cells| Row {
                cells,
                total: false,
            }));
        self
    }

    /// Adds one row.
    pub fn row(self, cells: Vec<Cell>) -> Self {
        self.rows([cells], |cells| cells)
    }

    /// Adds a total row (printed bold, left out of charts).
    pub fn total(mut self, cells: Vec<Cell>) -> Self {
        self.0.rows.push(Row { cells, total: true });
        self
    }

    pub fn block(self) -> Block {
        Block::Table(self.0)
    }
}

/// A bar chart of a table: categories from its first column, one series per value column.
fn bar_chart(
    id: &str,
    title: String,
    note: String,
    table: &str,
    value_columns: Vec<usize>,
) -> Block {
    Block::Chart(Chart {
        id: id.to_string(),
        title,
        note,
        kind: ChartKind::Bar,
        table: table.to_string(),
        category_column: 0,
        value_columns,
    })
}

/// The text with its first letter in upper case ("seventh" → "Seventh"), for the languages
/// that have cases.
pub(crate) fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn or_dash(v: &[String]) -> String {
    if v.is_empty() {
        "—".to_string()
    } else {
        v.join(", ")
    }
}

/// What every part of the implementation report is written with: the language, the model and
/// the arguments that its texts share (decision, bienniums, meeting, currency).
struct Context<'a> {
    w: Writer,
    r: &'a ImplementationReport,
    /// The currency's code.
    currency: String,
    /// The arguments of most texts: decision, biennium, next, meeting, ordinal, currency.
    dec: [(&'static str, String); 6],
}

impl Context<'_> {
    /// The ordinal of the report's meeting as running text writes it ("seventh").
    fn ordinal(&self) -> String {
        self.ordinal_of(self.r.meeting)
    }

    /// The ordinal of meeting `n` as running text writes it, or its number when the language
    /// has no word for it.
    fn ordinal_of(&self, n: u32) -> String {
        let key = format!("report-ordinal-{n}");
        match self.w.t(&key) {
            t if t == key => n.to_string(),
            t => t,
        }
    }

    /// The decision's title in the document's language when it is recorded in it, else as
    /// recorded first.
    fn decision_title(&self) -> String {
        self.r
            .decision_titles
            .get(&self.w.lang.code())
            .cloned()
            .unwrap_or_else(|| self.r.decision_title.clone())
    }

    /// The title of an activity in the document's language (English unless French).
    fn title_of(&self, en: &str, fr: &str) -> String {
        if self.w.lang.code() == "fr" {
            fr.to_string()
        } else {
            en.to_string()
        }
    }
}

/// Lays out the implementation report in `lang`, as a UN pre-session document: the heading
/// block, the note's numbered sections (paragraphs numbered in one sequence throughout), the
/// suggested action with its draft decision, then the annexes.
pub fn implementation(r: &ImplementationReport, lang: Lang) -> Document {
    let w = Writer {
        lang,
        currency: r.currency,
    };
    let currency = r.currency.code().to_string();
    let dec = [
        ("decision", r.decision.clone()),
        ("biennium", r.biennium.clone()),
        ("next", r.next.clone()),
        ("meeting", r.meeting.to_string()),
        ("ordinal", String::new()),
        ("currency", currency.clone()),
    ];
    let mut c = Context {
        w,
        r,
        currency,
        dec,
    };
    c.dec[4].1 = c.ordinal();
    let title = c.w.tw("report-impl-title", &c.dec);
    let mut sections = vec![
        mandate::section(&c),
        framework::section(&c),
        costs::section(&c),
        activities::section(&c),
        training::section(&c),
        budget::section(&c),
        action::section(&c),
    ];
    let mut number = 0;
    for (i, s) in sections.iter_mut().enumerate() {
        s.number = Some(roman(i as u32 + 1));
        for b in s.blocks.iter_mut() {
            if let Block::Para(p) = b {
                number += 1;
                *b = Block::Numbered(number, std::mem::take(p));
            }
        }
    }
    let mut annexes = vec![annex::planned(&c), annex::quarters(&c)];
    for (i, a) in annexes.iter_mut().enumerate() {
        a.annex = Some(c.w.tw("report-annex-label", &[("number", roman(i as u32 + 1))]));
    }
    sections.extend(annexes);
    typeset(
        Document {
            lang: c.w.lang.code(),
            dir: c.w.lang.direction().to_string(),
            title: title.clone(),
            cover: cover::cover(&c, title),
            sections,
            page_label: c.w.t("report-page"),
            author: c.w.t(&format!("report-author-{}", r.treaty.to_lowercase())),
            issued: r.date,
        },
        c.w.lang,
    )
}

/// The document with every text of it set in the typography of its language
/// ([`Lang::typeset`]: French spaces before `; : ! ?`, « », ’): the translations' texts and the
/// data's names alike, whichever format draws it.
pub(crate) fn typeset(mut doc: Document, lang: Lang) -> Document {
    doc.map_texts(&|t| lang.typeset(t));
    doc
}
