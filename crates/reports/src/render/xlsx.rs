//! XLSX: a cover sheet, then one sheet per table, amounts as numbers with their number format,
//! and each chart as a native chart beside the table it draws.

use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::utility::cell_range;
use rust_xlsxwriter::{Chart as XChart, ChartType, Format, Formula, Workbook, XlsxError};

use crate::doc::{Block, Cell, Document, Row};

/// The number format of amounts, and of quantities, rates and factors, with `decimals` decimals.
fn money_format(decimals: u32) -> String {
    if decimals == 0 {
        "#,##0".into()
    } else {
        format!("#,##0.{}", "0".repeat(decimals as usize))
    }
}

/// The value of a numeric cell in the units a spreadsheet shows, exactly as an integer of
/// its smallest unit and that unit's decimals (money in minor units, counts as themselves).
fn exact(cell: &Cell) -> Option<(i128, u32)> {
    match cell {
        Cell::Money {
            minor, decimals, ..
        } => Some((*minor as i128, *decimals)),
        Cell::Count(n) => Some((*n as i128, 0)),
        _ => None,
    }
}

/// The formula of a total row's cell: the `SUM` of the rows above it (since the previous
/// total) when they add up to the total exactly, so that the workbook recomputes what the
/// report states; `None` when the total is not their sum (a total across currencies).
fn total_formula(rows: &[Row], i: usize, j: usize, first_data_row: u32) -> Option<String> {
    let (total, unit) = exact(rows[i].cells.get(j)?)?;
    let start = rows[..i].iter().rposition(|r| r.total).map_or(0, |k| k + 1);
    if start == i {
        return None;
    }
    let mut sum = 0i128;
    for r in &rows[start..i] {
        match r.cells.get(j) {
            Some(Cell::Empty) | None => {}
            Some(c) => {
                let (v, u) = exact(c)?;
                if u != unit {
                    return None;
                }
                sum += v;
            }
        }
    }
    (sum == total).then(|| {
        let (top, bottom) = (first_data_row + start as u32, first_data_row + i as u32 - 1);
        format!("=SUM({})", cell_range(top, j as u16, bottom, j as u16))
    })
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(id: &str) -> String {
    id.chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .take(31)
        .collect()
}

pub fn render(doc: &Document) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    let title = Format::new().set_bold().set_font_size(14);
    {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&doc.cover.symbol.replace('/', "-")))?;
        ws.set_column_width(0, 100)?;
        let c = &doc.cover;
        let agenda = if c.footnote.is_empty() {
            c.agenda.clone()
        } else {
            format!("{}*", c.agenda)
        };
        let footnote = if c.footnote.is_empty() {
            String::new()
        } else {
            format!("* {}", c.footnote)
        };
        let lines: Vec<&str> = [
            &c.symbol,
            &c.date,
            &c.body,
            &c.meeting,
            &c.venue,
            &agenda,
            &c.agenda_title,
            &footnote,
        ]
        .into_iter()
        .map(String::as_str)
        .filter(|l| !l.is_empty())
        .collect();
        let mut r = 0u32;
        for l in &lines {
            ws.write_string_with_format(r, 0, *l, &wrap)?;
            r += 1;
        }
        ws.write_string_with_format(r, 0, &c.title, &title)?;
        r += 1;
        for l in [&c.note_by, &c.summary] {
            if !l.is_empty() {
                ws.write_string_with_format(r, 0, l, &wrap)?;
                r += 1;
            }
        }
        r += 1;
        for s in &doc.sections {
            let heading = match &s.annex {
                Some(label) => format!("{label}: {}", s.heading),
                None => s.full_heading(),
            };
            ws.write_string_with_format(r, 0, &heading, &bold)?;
            r += 1;
            for b in &s.blocks {
                let text = match b {
                    Block::Para(p) => p.clone(),
                    Block::Numbered(n, p) => format!("{n}. {p}"),
                    Block::Decision(d) => {
                        let mut lines = vec![d.title.clone(), d.opening.clone()];
                        lines.extend(d.preamble.iter().map(|c| format!("{} {}", c.lead, c.rest)));
                        lines.extend(
                            d.operative
                                .iter()
                                .enumerate()
                                .map(|(i, c)| format!("{}. {} {}", i + 1, c.lead, c.rest)),
                        );
                        lines.join("\n")
                    }
                    _ => continue,
                };
                ws.write_string_with_format(r, 0, &text, &wrap)?;
                r += 1;
            }
            r += 1;
        }
    }
    for s in &doc.sections {
        for b in &s.blocks {
            match b {
                Block::Table(t) => table_sheet(&mut wb, t)?,
                Block::Chart(ch) => {
                    let Some(t) = doc.table(&ch.table) else {
                        continue;
                    };
                    let name = sheet_name(&t.id);
                    let n = t.rows.iter().filter(|r| !r.total).count() as u32;
                    if n == 0 {
                        continue;
                    }
                    let mut chart = XChart::new(ChartType::Bar);
                    chart.title().set_name(&ch.title);
                    for c in &ch.value_columns {
                        chart
                            .add_series()
                            .set_name((name.as_str(), 1, *c as u16))
                            .set_categories((
                                name.as_str(),
                                2,
                                ch.category_column as u16,
                                1 + n,
                                ch.category_column as u16,
                            ))
                            .set_values((name.as_str(), 2, *c as u16, 1 + n, *c as u16));
                    }
                    let ws = wb.worksheet_from_name(&name)?;
                    let below = 4 + t.rows.len() as u32;
                    ws.insert_chart(below, 0, &chart)?;
                }
                _ => {}
            }
        }
    }
    wb.save_to_buffer()
}

/// One sheet of a workbook holding one table: its caption, its column titles (kept in view
/// and on every printed page), amounts and numbers as numbers with their formats, and total
/// rows as the SUM of the rows above them when that is exact.
fn table_sheet(wb: &mut Workbook, t: &crate::doc::Table) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let name = sheet_name(&t.id);
    let ws = wb.add_worksheet();
    ws.set_name(&name)?;
    ws.write_string_with_format(0, 0, &t.caption, &bold)?;
    for (j, c) in t.columns.iter().enumerate() {
        ws.write_string_with_format(1, j as u16, c, &bold)?;
        ws.set_column_width(j as u16, 16)?;
    }
    // The caption and the column titles stay in view and on every printed
    // page; a page holds the table's width.
    ws.set_freeze_panes(2, 0)?;
    ws.set_repeat_rows(0, 1)?;
    ws.set_landscape();
    ws.set_paper_size(9); // A4
    ws.set_print_fit_to_pages(1, 0);
    for (i, row) in t.rows.iter().enumerate() {
        let r = 2 + i as u32;
        for (j, cell) in row.cells.iter().enumerate() {
            let j = j as u16;
            let mut f = Format::new();
            if row.total {
                f = f.set_bold();
            }
            let formula = if row.total {
                total_formula(&t.rows, i, j as usize, 2)
            } else {
                None
            };
            match cell {
                Cell::Money {
                    minor, decimals, ..
                } => {
                    let f = f.set_num_format(money_format(*decimals));
                    let v = *minor as f64 / 10f64.powi(*decimals as i32);
                    match formula {
                        Some(sum) => ws.write_formula_with_format(
                            r,
                            j,
                            Formula::new(sum).set_result(v.to_string()),
                            &f,
                        )?,
                        None => ws.write_number_with_format(r, j, v, &f)?,
                    };
                }
                Cell::Count(n) => {
                    match formula {
                        Some(sum) => ws.write_formula_with_format(
                            r,
                            j,
                            Formula::new(sum).set_result(n.to_string()),
                            &f,
                        )?,
                        None => ws.write_number_with_format(r, j, *n as f64, &f)?,
                    };
                }
                Cell::Number { value, .. } => {
                    let f = f.set_num_format(money_format(value.scale()));
                    let v = value.to_f64().unwrap_or_default();
                    ws.write_number_with_format(r, j, v, &f)?;
                }
                Cell::Percent { value, .. } => {
                    let places = value.normalize().scale().saturating_sub(2);
                    let pattern = if places == 0 {
                        "0%".to_string()
                    } else {
                        format!("0.{}%", "0".repeat(places as usize))
                    };
                    let f = f.set_num_format(pattern);
                    let v = value.to_f64().unwrap_or_default();
                    ws.write_number_with_format(r, j, v, &f)?;
                }
                Cell::Text(text) => {
                    ws.write_string_with_format(r, j, text, &f)?;
                }
                Cell::Empty => {}
            }
        }
    }
    Ok(())
}

/// A workbook of one table: a list as a page shows it, exported.
pub fn render_table(t: &crate::doc::Table) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    table_sheet(&mut wb, t)?;
    wb.save_to_buffer()
}
