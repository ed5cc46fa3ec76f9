//! CSV: a table in a neutral machine format, whatever the language of its page: amounts in
//! major units with a `.` (exact, from their minor units), numbers as their exact decimals,
//! percentages as fractions, and every text cell that a spreadsheet would read as a formula
//! behind an apostrophe (the domain's `spreadsheet_cell`). Total rows are left out: the rows
//! are the data, a reader sums them.

use synergies_domain::text::spreadsheet_cell;

use crate::doc::{Cell, Table};

/// An amount of `minor` units with `decimals` decimals, e.g. `123456` and 2 give `1234.56`.
fn major(minor: i64, decimals: u32) -> String {
    if decimals == 0 {
        return minor.to_string();
    }
    let digits = format!(
        "{:0>width$}",
        minor.unsigned_abs(),
        width = decimals as usize + 1
    );
    let (whole, fraction) = digits.split_at(digits.len() - decimals as usize);
    let sign = if minor < 0 { "-" } else { "" };
    format!("{sign}{whole}.{fraction}")
}

fn machine(cell: &Cell) -> String {
    match cell {
        Cell::Text(t) => spreadsheet_cell(t).into_owned(),
        Cell::Money {
            minor, decimals, ..
        } => major(*minor, *decimals),
        Cell::Count(n) => n.to_string(),
        Cell::Number { value, .. } | Cell::Percent { value, .. } => value.normalize().to_string(),
        Cell::Empty => String::new(),
    }
}

/// The table's column titles, then its rows.
pub fn render_table(t: &Table) -> Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record(t.columns.iter().map(|c| spreadsheet_cell(c).into_owned()))
        .map_err(|e| e.to_string())?;
    for row in t.rows.iter().filter(|r| !r.total) {
        w.write_record(row.cells.iter().map(machine))
            .map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::Row;

    #[test]
    fn a_table_is_written_in_the_machine_format() {
        let t = Table {
            id: "agreements".into(),
            caption: "Agreements".into(),
            columns: vec!["Code".into(), "Ceiling".into(), "PSC".into()],
            rows: vec![
                Row {
                    cells: vec![
                        Cell::Text("=HYPERLINK(\"x\")".into()),
                        Cell::Money {
                            minor: 8_000_050,
                            decimals: 2,
                            text: "80 000,50 USD".into(),
                        },
                        Cell::Percent {
                            value: rust_decimal::Decimal::new(13, 2),
                            text: "13 %".into(),
                        },
                    ],
                    total: false,
                },
                Row {
                    cells: vec![Cell::Text("Total".into()), Cell::Empty, Cell::Empty],
                    total: true,
                },
            ],
        };
        let text = String::from_utf8(render_table(&t).unwrap()).unwrap();
        assert_eq!(
            text,
            "Code,Ceiling,PSC\n\"'=HYPERLINK(\"\"x\"\")\",80000.50,0.13\n"
        );
        assert_eq!(major(-5, 2), "-0.05");
        assert_eq!(major(7, 0), "7");
    }
}
