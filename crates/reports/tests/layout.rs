//! The laid-out documents of the demo, compared with committed snapshots: the implementation
//! report in English and French, the cost-recovery statement of an agreement and period, and
//! the statement of a fund. The snapshot is the document's debug form (every text, cell, table
//! id and chart column that any renderer draws) followed by its HTML, so that any change to
//! the layout, however small, fails here until the snapshot is reviewed.

use chrono::NaiveDate;
use synergies_i18n::Lang;
use synergies_reports::model::{implementation, ImplementationOptions};
use synergies_reports::{layout, render, statements, Document, Format};

fn demo() -> Box<dyn synergies_store::Store> {
    let store = synergies_store::open("sqlite::memory:").unwrap();
    synergies_app::demo::seed(store.as_ref()).unwrap();
    store
}

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 5, 3).unwrap()
}

fn lang(code: &str) -> Lang {
    Lang::parse(code).unwrap()
}

/// The document's debug form, then its HTML.
fn laid_out(doc: &Document) -> String {
    let html = String::from_utf8(render(doc, Format::Html).unwrap()).unwrap();
    format!("{doc:#?}\n\n{html}")
}

#[test]
fn the_implementation_report_is_laid_out_as_before() {
    let store = demo();
    let report = implementation(
        store.as_ref(),
        &ImplementationOptions {
            decision: "MC-6/20".into(),
            biennium: "2026-2027".into(),
            next: "2028-2029".into(),
            symbol: None,
            date: date(),
        },
    )
    .unwrap();
    for code in ["en", "fr"] {
        let doc = layout::implementation(&report, lang(code));
        insta::assert_snapshot!(format!("implementation_{code}"), laid_out(&doc));
    }
}

#[test]
fn the_statements_are_laid_out_as_before() {
    let store = demo();
    let s = statements::statement(store.as_ref(), "BRS-MC-2026-01", "2026-Q1", date()).unwrap();
    assert!(
        !s.lines.is_empty(),
        "the demo charged deliveries in 2026-Q1"
    );
    insta::assert_snapshot!(
        "statement_fr",
        laid_out(&statements::statement_document(&s, lang("fr")))
    );
    let f = statements::fund_statement(store.as_ref(), "MCGTF", "2026-2027", date()).unwrap();
    insta::assert_snapshot!(
        "fund_en",
        laid_out(&statements::fund_document(&f, lang("en")))
    );
}
