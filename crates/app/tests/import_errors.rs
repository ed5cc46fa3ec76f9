//! Bad delivery files: every bad row is reported as FILE:LINE: column: reason, and the
//! database is exactly as it was before.

mod common;

use common::*;
use synergies_app::AppError;
use synergies_store::Store;

fn fixture() -> Box<dyn Store> {
    let store = store_with(&[purchase("A", 100_000_000, "0.13")]);
    import(
        store.as_ref(),
        "A,LEGAL,2026-03-10,1,P-4,,,first import,X1\n",
    )
    .unwrap();
    store
}

/// Imports `rows`, expects a rejection, checks nothing changed, returns the issue lines.
fn rejected(store: &dyn Store, rows: &str) -> Vec<String> {
    let before = snapshot(store);
    let err = import(store, rows).unwrap_err();
    assert_eq!(
        snapshot(store),
        before,
        "the database changed after a refused import"
    );
    let AppError::Rejected { file, issues, more } = &err else {
        panic!("not a rejection: {err}")
    };
    assert_eq!(*more, 0);
    assert!(err.to_string().ends_with("nothing was written"), "{err}");
    issues
        .iter()
        .map(|i| format!("{file}:{}: {}: {}", i.line, i.column, i.reason))
        .collect()
}

fn assert_one(issues: &[String], prefix: &str, needle: &str) {
    assert_eq!(issues.len(), 1, "{issues:#?}");
    assert!(issues[0].starts_with(prefix), "{issues:#?}");
    assert!(issues[0].contains(needle), "{issues:#?}");
}

#[test]
fn a_wrong_date() {
    let store = fixture();
    let issues = rejected(
        store.as_ref(),
        "A,LEGAL,2026-03-11,1,P-4,,,ok,X2\nA,LEGAL,2026-02-30,1,P-4,,,bad,X3\n",
    );
    assert_one(&issues, "test.csv:3: date:", "2026-02-30");
}

#[test]
fn a_negative_quantity() {
    let store = fixture();
    let issues = rejected(store.as_ref(), "A,LEGAL,2026-03-11,-1,P-4,,,bad,X2\n");
    assert_one(&issues, "test.csv:2: quantity:", "negative");
}

#[test]
fn an_unknown_agreement() {
    let store = fixture();
    let issues = rejected(store.as_ref(), "NOPE,LEGAL,2026-03-11,1,P-4,,,bad,X2\n");
    assert_one(&issues, "test.csv:2: agreement:", "unknown agreement NOPE");
}

#[test]
fn an_unknown_grade() {
    let store = fixture();
    let issues = rejected(store.as_ref(), "A,LEGAL,2026-03-11,1,D-9,,,bad,X2\n");
    assert_one(&issues, "test.csv:2: grade:", "unknown grade D-9");
}

#[test]
fn a_currency_with_no_rate_for_that_month() {
    let store = fixture();
    // CHF has an operational rate for March 2026 only.
    let issues = rejected(
        store.as_ref(),
        "A,LEGAL,2026-04-02,1,P-4,10.00,CHF,bad,X2\n",
    );
    assert_one(
        &issues,
        "test.csv:2: expense_currency:",
        "no operational rate for CHF in 2026-04",
    );
    let issues = rejected(
        store.as_ref(),
        "A,LEGAL,2026-03-02,1,P-4,10.00,XYZ,bad,X2\n",
    );
    assert_one(
        &issues,
        "test.csv:2: expense_currency:",
        "unknown currency XYZ",
    );
}

#[test]
fn a_duplicate_external_id_with_other_content() {
    let store = fixture();
    let issues = rejected(
        store.as_ref(),
        "A,LEGAL,2026-03-10,2,P-4,,,first import,X1\n",
    );
    assert_one(
        &issues,
        "test.csv:2: external_id:",
        "X1 is already recorded under A with a different quantity",
    );
    // The same id twice in one file with different content.
    let issues = rejected(
        store.as_ref(),
        "A,LEGAL,2026-03-12,1,P-4,,,,Y1\nA,LEGAL,2026-03-13,1,P-4,,,,Y1\n",
    );
    assert_one(&issues, "test.csv:3: external_id:", "different date");
}

#[test]
fn the_same_content_again_adds_nothing() {
    let store = fixture();
    let before = snapshot(store.as_ref());
    let report = import(
        store.as_ref(),
        "A,LEGAL,2026-03-10,1.0,P-4,,,first import,X1\n",
    )
    .unwrap();
    assert_eq!((report.rows, report.inserted, report.identical), (1, 0, 1));
    assert_eq!(snapshot(store.as_ref()), before);
}

#[test]
fn every_bad_row_of_a_file_is_reported_and_nothing_is_written() {
    let store = fixture();
    let issues = rejected(
        store.as_ref(),
        "A,LEGAL,2026-03-11,1,P-4,,,good row,G1\n\
         A,LEGAL,2026-13-01,1,P-4,,,bad date,B1\n\
         A,LEGAL,2026-03-11,-2,P-4,,,negative,B2\n\
         ZZ,LEGAL,2026-03-11,1,P-4,,,unknown agreement,B3\n\
         A,LEGAL,2026-03-11,1,X-1,,,unknown grade,B4\n\
         A,LEGAL,2026-05-11,1,P-4,5.00,CHF,no rate,B5\n\
         A,LEGAL,2026-03-10,3,P-4,,,first import,X1\n\
         A,PAGES,2026-03-11,1,P-4,,,grade on a unit service,B6\n\
         A,LEGAL,2026-03-11,1,,,,no grade,B7\n\
         A,LEGAL,2026-03-11,abc,P-4,12.345,USD,two bad fields,B8\n\
         A,LEGAL,2026-03-11,1,P-4,,,,\n\
         A,NOPE,2026-03-11,1,P-4,,,unknown service,B9\n\
         A,LEGAL,2029-03-11,1,P-4,,,outside the biennium,B10\n",
    );
    let expected = [
        "test.csv:3: date:",
        "test.csv:4: quantity:",
        "test.csv:5: agreement:",
        "test.csv:6: grade:",
        "test.csv:7: expense_currency:",
        "test.csv:8: external_id:",
        "test.csv:9: grade:",
        "test.csv:10: grade:",
        "test.csv:11: quantity:",
        "test.csv:11: expense_amount:",
        "test.csv:12: external_id:",
        "test.csv:13: service:",
        "test.csv:14: date:",
    ];
    assert_eq!(issues.len(), expected.len(), "{issues:#?}");
    for (issue, prefix) in issues.iter().zip(expected) {
        assert!(
            issue.starts_with(prefix),
            "{issue} should start with {prefix}"
        );
    }
}

#[test]
fn a_header_without_the_columns_is_refused() {
    let store = fixture();
    let before = snapshot(store.as_ref());
    let text = "agreement,service,date\nA,LEGAL,2026-03-11\n";
    let err = synergies_app::import::import_deliveries(
        store.as_ref(),
        &synergies_app::import::BytesSource {
            name: "short.csv",
            bytes: text.as_bytes(),
        },
        &mut |_| {},
        &synergies_app::Actor::operator("test"),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("short.csv:1: the header must name the columns"),
        "{err}"
    );
    assert!(
        err.to_string().contains("missing: quantity, grade"),
        "{err}"
    );
    assert_eq!(snapshot(store.as_ref()), before);
}

#[test]
fn an_inactive_agreement_takes_no_deliveries() {
    let store = store_with(&[]);
    synergies_app::agreements::create(
        store.as_ref(),
        &synergies_app::Actor::operator("test"),
        &purchase("D", 100_000, "0"),
    )
    .unwrap();
    let issues = rejected(store.as_ref(), "D,LEGAL,2026-03-11,1,P-4,,,,1\n");
    assert_one(
        &issues,
        "test.csv:2: agreement:",
        "agreement D is not active (version 1 is draft)",
    );
}
