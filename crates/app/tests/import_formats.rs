//! Delivery files as spreadsheets write them: Windows line ends (CRLF, as Excel saves a CSV),
//! a byte-order mark, quoted cells holding line breaks, and XLSX workbooks. Every bad row is
//! named by the line (CSV) or the row (XLSX) a person sees in their editor.

mod common;

use common::*;
use synergies_app::import::{import_deliveries, BytesSource, FileSource};
use synergies_app::AppError;

fn issues_of(err: AppError) -> Vec<(u64, String)> {
    let AppError::Rejected { issues, .. } = err else {
        panic!("not a rejection: {err}")
    };
    issues.into_iter().map(|i| (i.line, i.column)).collect()
}

fn import_bytes(
    store: &dyn synergies_store::Store,
    name: &str,
    bytes: &[u8],
) -> Result<u64, AppError> {
    import_deliveries(
        store,
        &BytesSource { name, bytes },
        &mut |_| {},
        &synergies_app::Actor::operator("test"),
    )
    .map(|r| r.inserted)
}

const ROWS: [&str; 3] = [
    "A,LEGAL,2026-03-10,1,P-4,,,first,X1",
    "A,LEGAL,2026-03-11,1,P-4,,,second,X2",
    "A,LEGAL,2026-02-30,1,P-4,,,bad date,X3",
];

#[test]
fn a_crlf_file_names_the_line_an_editor_shows() {
    let store = store_with(&[purchase("A", 100_000_000, "0.13")]);
    let text = format!("{}\r\n{}\r\n", HEADER.trim_end(), ROWS.join("\r\n"));
    let issues = issues_of(import_bytes(store.as_ref(), "excel.csv", text.as_bytes()).unwrap_err());
    assert_eq!(issues, vec![(4, "date".to_string())]);
    // With a byte-order mark, as Excel's "CSV UTF-8" writes it, and LF line ends.
    let text = format!("\u{feff}{HEADER}{}\n", ROWS.join("\n"));
    let issues = issues_of(import_bytes(store.as_ref(), "bom.csv", text.as_bytes()).unwrap_err());
    assert_eq!(issues, vec![(4, "date".to_string())]);
}

#[test]
fn a_quoted_cell_with_line_breaks_counts_its_lines() {
    let store = store_with(&[purchase("A", 100_000_000, "0.13")]);
    let text = format!(
        "{}\r\nA,LEGAL,2026-03-10,1,P-4,,,\"two\nlines\",X1\r\n{}\r\n",
        HEADER.trim_end(),
        ROWS[2]
    );
    // The header is line 1, the first record lines 2 and 3, the bad one line 4.
    let issues = issues_of(import_bytes(store.as_ref(), "multi.csv", text.as_bytes()).unwrap_err());
    assert_eq!(issues, vec![(4, "date".to_string())]);
}

/// Writes an XLSX workbook whose first sheet holds `rows` (the header first).
fn workbook(path: &std::path::Path, rows: &[Vec<&str>]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            // Numbers as numbers and dates as dates, as a person types them into Excel.
            if let Ok(n) = cell.parse::<f64>() {
                sheet.write_number(r as u32, c as u16, n).unwrap();
            } else if let Ok(d) = chrono::NaiveDate::parse_from_str(cell, "%Y-%m-%d") {
                let date = rust_xlsxwriter::ExcelDateTime::from_ymd(
                    d.format("%Y").to_string().parse().unwrap(),
                    d.format("%m").to_string().parse().unwrap(),
                    d.format("%d").to_string().parse().unwrap(),
                )
                .unwrap();
                let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
                sheet
                    .write_datetime_with_format(r as u32, c as u16, &date, &format)
                    .unwrap();
            } else {
                sheet.write_string(r as u32, c as u16, *cell).unwrap();
            }
        }
    }
    book.save(path).unwrap();
}

fn split(row: &str) -> Vec<&str> {
    row.split(',').collect()
}

#[test]
fn an_xlsx_workbook_imports_like_its_csv_and_names_rows() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with(&[purchase("A", 100_000_000, "0.13")]);
    let header: Vec<&str> = HEADER.trim_end().split(',').collect();
    let bad = dir.path().join("bad.xlsx");
    workbook(
        &bad,
        &[
            header.clone(),
            split(ROWS[0]),
            split(ROWS[1]),
            split(ROWS[2]),
        ],
    );
    let before = snapshot(store.as_ref());
    let err = import_deliveries(
        store.as_ref(),
        &FileSource(bad.clone()),
        &mut |_| {},
        &synergies_app::Actor::operator("test"),
    )
    .unwrap_err();
    assert!(err.to_string().contains("bad.xlsx:4: date:"), "{err}");
    assert_eq!(snapshot(store.as_ref()), before, "nothing written");

    let good = dir.path().join("good.xlsx");
    workbook(&good, &[header, split(ROWS[0]), split(ROWS[1])]);
    let report = import_deliveries(
        store.as_ref(),
        &FileSource(good),
        &mut |_| {},
        &synergies_app::Actor::operator("test"),
    )
    .unwrap();
    assert_eq!(report.inserted, 2);
    // The same rows as CSV are the same deliveries: nothing new.
    let csv = format!("{HEADER}{}\n{}\n", ROWS[0], ROWS[1]);
    assert_eq!(
        import_bytes(store.as_ref(), "same.csv", csv.as_bytes()).unwrap(),
        0
    );
}
