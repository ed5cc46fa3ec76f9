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
    Empty,
}

impl Cell {
    /// The text a page shows.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Money { text, .. } => text.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Empty => String::new(),
        }
    }

    pub fn is_number(&self) -> bool {
        matches!(self, Cell::Money { .. } | Cell::Count(_))
    }

    /// The value a chart plots, in major units (drawing only: no figure of the report comes
    /// from it).
    pub fn plotted(&self) -> Option<f64> {
        match self {
            Cell::Money {
                minor, decimals, ..
            } => Some(*minor as f64 / 10f64.powi(*decimals as i32)),
            Cell::Count(n) => Some(*n as f64),
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
    pub kind: ChartKind,
    /// The id of the table it draws.
    pub table: String,
    pub category_column: usize,
    pub value_columns: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading(String),
    Para(String),
    Table(Table),
    Chart(Chart),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub heading: String,
    pub blocks: Vec<Block>,
}

/// The cover of a UN document: symbol, distribution, date, languages, then the meeting and the
/// title.
#[derive(Debug, Clone, PartialEq)]
pub struct Cover {
    pub body: String,
    pub symbol: String,
    pub distribution: String,
    pub date: String,
    pub original: String,
    pub meeting: String,
    pub agenda: String,
    pub title: String,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Language code (`en`, `fr`) and writing direction (`ltr`, `rtl`).
    pub lang: String,
    pub dir: String,
    pub title: String,
    pub cover: Cover,
    pub sections: Vec<Section>,
    /// Texts of the renderers' own furniture (page label, table of contents, note on charts).
    pub page_label: String,
    pub chart_note: String,
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
}
