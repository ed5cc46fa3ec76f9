//! The demo data set seeds the same database whatever form it is kept in: the seeded demo's
//! rows per table and its trial balance equal the values below, written down from the demo
//! as it was seeded when these figures were first recorded. A change to the demo's data that
//! changes the database shows here.

use synergies_app::demo;
use synergies_store::{SqliteStore, Store};
use tempfile::TempDir;

/// A new SQLite file holding the seeded demo (no users: those are the faces' business).
fn demo_store() -> (TempDir, Box<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    let store: Box<dyn Store> = Box::new(SqliteStore::open(path.to_str().unwrap()).unwrap());
    let report = demo::seed(store.as_ref()).unwrap();
    assert!(report.seeded);
    assert_eq!(
        (report.agreements, report.deliveries, report.closings),
        (5, 219, 16)
    );
    (dir, store)
}

/// Rows per table of the seeded demo.
const TABLE_COUNTS: &[(&str, i64)] = &[
    ("organisations", 3),
    ("conventions", 4),
    ("funds", 9),
    ("bienniums", 2),
    ("budget_lines", 7),
    ("services", 10),
    ("rate_cards", 4),
    ("rates", 38),
    ("fx_rates", 48),
    ("decisions", 1),
    ("mandates", 6),
    ("mandate_notes", 0),
    ("activities", 5),
    ("cooperation_records", 10),
    ("agreements", 5),
    ("agreement_versions", 5),
    ("agreement_mandates", 6),
    ("closings", 16),
    ("deliveries", 219),
    ("acceptances", 4),
    ("closing_deliveries", 214),
    ("journal_entries", 16),
    ("postings", 76),
    ("charges", 16),
    ("reversed_closing_deliveries", 0),
    ("audit_events", 40),
    ("users", 0),
    ("sessions", 0),
    ("api_tokens", 0),
];

/// The seeded demo's trial balance: fund, account, currency, balance in minor units.
const TRIAL_BALANCE: &[(&str, &str, &str, i64)] = &[
    ("BC", "expenses:services-received", "USD", 11287970),
    ("BC", "liabilities:payable:MCGTF", "USD", -11287970),
    ("BC", "assets:receivable:MCGTF", "USD", 14122887),
    ("BC", "assets:receivable:MCSTF", "USD", 1659641),
    ("BC", "income:cost-recovery", "USD", -14157771),
    ("BC", "income:psc", "USD", -1624757),
    ("MCGTF", "expenses:services-received", "USD", 21497053),
    ("MCGTF", "liabilities:payable:BC", "USD", -14122887),
    ("MCGTF", "liabilities:payable:SC", "USD", -7374166),
    ("MCGTF", "assets:receivable:BC", "USD", 11287970),
    ("MCGTF", "income:cost-recovery", "USD", -9989354),
    ("MCGTF", "income:psc", "USD", -1298616),
    ("MCSTF", "expenses:services-received", "USD", 1659641),
    ("MCSTF", "liabilities:payable:BC", "USD", -1659641),
    ("SC", "assets:receivable:MCGTF", "USD", 7374166),
    ("SC", "income:cost-recovery", "USD", -6525810),
    ("SC", "income:psc", "USD", -848356),
];

/// The seeded demo's audit trail, oldest first: who did what to which subject. The data go in
/// through the same services, with the same actors, in the same order.
const AUDIT_TRAIL: &[(&str, &str, &str)] = &[
    ("demo", "framework.load", "demo"),
    ("demo", "agreement.create", "MC-BRS-2026-01"),
    ("demo", "agreement.propose", "MC-BRS-2026-01"),
    ("mc.head", "agreement.approve", "MC-BRS-2026-01"),
    ("brs.head", "agreement.approve", "MC-BRS-2026-01"),
    ("demo", "agreement.create", "BRS-MC-2026-01"),
    ("demo", "agreement.propose", "BRS-MC-2026-01"),
    ("brs.head", "agreement.approve", "BRS-MC-2026-01"),
    ("mc.head", "agreement.approve", "BRS-MC-2026-01"),
    ("demo", "agreement.create", "BRS-MC-2026-02"),
    ("demo", "agreement.propose", "BRS-MC-2026-02"),
    ("brs.head", "agreement.approve", "BRS-MC-2026-02"),
    ("mc.head", "agreement.approve", "BRS-MC-2026-02"),
    ("demo", "agreement.create", "JOINT-TRAIN-2026"),
    ("demo", "agreement.propose", "JOINT-TRAIN-2026"),
    ("brs.head", "agreement.approve", "JOINT-TRAIN-2026"),
    ("mc.head", "agreement.approve", "JOINT-TRAIN-2026"),
    ("demo", "agreement.create", "MC-BRS-2026-02"),
    ("demo", "agreement.propose", "MC-BRS-2026-02"),
    ("mc.head", "agreement.approve", "MC-BRS-2026-02"),
    ("demo", "decision.import", "MC-6/20"),
    ("demo", "agreement.link_mandate", "MC-BRS-2026-01"),
    ("demo", "agreement.link_mandate", "MC-BRS-2026-01"),
    ("demo", "agreement.link_mandate", "BRS-MC-2026-01"),
    ("demo", "agreement.link_mandate", "BRS-MC-2026-02"),
    ("demo", "agreement.link_mandate", "MC-BRS-2026-02"),
    ("demo", "agreement.link_mandate", "JOINT-TRAIN-2026"),
    ("demo", "activities.import", "3 activities"),
    ("demo", "activities.plan", "2026-2027 -> 2028-2029"),
    ("demo", "task_force.import", "task force"),
    ("demo", "deliveries.import", "demo-deliveries.csv"),
    ("demo", "training.create", "TRAIN-2026-GVA"),
    ("demo", "deliveries.accept", "MC-BRS-2026-01"),
    ("demo", "deliveries.accept", "BRS-MC-2026-01"),
    ("demo", "deliveries.accept", "BRS-MC-2026-02"),
    ("demo", "deliveries.accept", "JOINT-TRAIN-2026"),
    ("demo", "period.close", "2026-Q1"),
    ("demo", "period.close", "2026-Q2"),
    ("demo", "period.close", "2026-Q3"),
    ("demo", "period.close", "2026-Q4"),
];

#[test]
fn the_seeded_demo_has_the_recorded_rows_per_table() {
    let (_dir, store) = demo_store();
    let counts: Vec<(String, i64)> = store.table_counts().unwrap();
    let expected: Vec<(String, i64)> = TABLE_COUNTS
        .iter()
        .map(|(t, n)| (t.to_string(), *n))
        .collect();
    assert_eq!(counts, expected);
}

#[test]
fn the_seeded_demo_has_the_recorded_trial_balance() {
    let (_dir, store) = demo_store();
    let tb = synergies_app::ledger::trial_balance(store.as_ref(), None).unwrap();
    let rows: Vec<(String, String, String, i64)> = tb
        .rows
        .iter()
        .map(|r| {
            (
                r.fund.clone(),
                r.account.name(),
                r.currency.code().to_string(),
                r.balance_minor,
            )
        })
        .collect();
    let expected: Vec<(String, String, String, i64)> = TRIAL_BALANCE
        .iter()
        .map(|(f, a, c, b)| (f.to_string(), a.to_string(), c.to_string(), *b))
        .collect();
    assert_eq!(rows, expected);
    assert!(synergies_app::ledger::check(store.as_ref())
        .unwrap()
        .passed());
}

#[test]
fn the_seeded_demo_went_in_through_the_recorded_services_in_order() {
    let (_dir, store) = demo_store();
    let mut events = store
        .audit_events(&synergies_store::AuditFilter::default(), 1_000)
        .unwrap();
    events.reverse();
    let trail: Vec<(String, String, String)> = events
        .into_iter()
        .map(|e| (e.actor, e.action, e.subject))
        .collect();
    let expected: Vec<(String, String, String)> = AUDIT_TRAIL
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(trail, expected);
}
