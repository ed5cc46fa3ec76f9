//! The demo data set seeds the same database whatever form it is kept in: the seeded demo's
//! rows per table, trial balance and audit trail equal the values below, written down from the
//! demo as it was seeded when these figures were first recorded. A change to the demo's data
//! that changes the database shows here. And every file of `data/demo/` is compiled in, reads
//! with the type its importer reads, and is what the seeded database holds.

use std::collections::{BTreeMap, BTreeSet};

use synergies_app::demo;
use synergies_store::{DeliveryFilter, SqliteStore, Store};
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
    ("agreements", 5),
    ("agreement_versions", 5),
    ("agreement_mandates", 6),
    // The one training event (its 2 bodies, 10 participants and 2 contributions) and the task
    // force (4 members, 2 meetings with 5 attendances, 3 action items): the 10 documents that
    // schema 6 kept in `cooperation_records`, now typed rows.
    ("training_events", 1),
    ("training_bodies", 2),
    ("training_participants", 10),
    ("training_contributions", 2),
    ("taskforce_members", 4),
    ("taskforce_meetings", 2),
    ("taskforce_attendees", 5),
    ("taskforce_action_items", 3),
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

/// The files of `data/demo/` in the repository.
fn files_on_disk() -> BTreeMap<String, String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/demo");
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect()
}

#[test]
fn every_file_of_the_demo_is_compiled_in_and_reads() {
    let on_disk = files_on_disk();
    let compiled: BTreeMap<String, String> = demo::FILES
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect();
    assert_eq!(
        on_disk.keys().collect::<Vec<_>>(),
        compiled.keys().collect::<Vec<_>>(),
        "data/demo/ and demo::FILES name the same files"
    );
    assert_eq!(on_disk, compiled);
    for name in compiled.keys() {
        // Each file reads as the type its importer reads (a file that does not panics).
        let records = match name.as_str() {
            "framework.json" => demo::framework().rates.len(),
            "agreements.json" => demo::agreements().len(),
            "decisions.json" => demo::decisions().len(),
            "mandate-links.json" => demo::mandate_links().len(),
            "activities.json" => demo::activities().len(),
            "training.json" => demo::training_events().len(),
            "task-force.json" => demo::task_force().members.len(),
            "delivery-patterns.json" => demo::delivery_patterns().len(),
            other => panic!("data/demo/{other}: no reader and no use"),
        };
        assert!(records > 0, "data/demo/{name} holds nothing");
    }
    for decision in demo::decisions() {
        assert!(!decision.text().is_empty());
    }
}

/// The items of each list of a JSON document, in a fixed order.
fn sorted_lists(value: serde_json::Value) -> BTreeMap<String, BTreeSet<String>> {
    let serde_json::Value::Object(map) = value else {
        panic!("an object");
    };
    map.into_iter()
        .map(|(key, list)| {
            let items = list
                .as_array()
                .unwrap()
                .iter()
                .map(|item| item.to_string())
                .collect();
            (key, items)
        })
        .collect()
}

/// The deliveries of one agreement and service: how many, with which grades and quantities.
#[derive(Default)]
struct Delivered {
    rows: u32,
    grades: BTreeSet<String>,
    quantities: BTreeSet<String>,
}

#[test]
fn the_seeded_database_holds_what_each_file_of_the_demo_says() {
    let (_dir, store) = demo_store();
    let store = store.as_ref();

    // framework.json: every record, as loaded.
    assert_eq!(
        sorted_lists(serde_json::to_value(store.framework().unwrap()).unwrap()),
        sorted_lists(serde_json::to_value(demo::framework()).unwrap())
    );

    // agreements.json: each agreement with the terms of its draft.
    let drafts = demo::agreements();
    let stored = store.agreements().unwrap();
    assert_eq!(stored.len(), drafts.len());
    for draft in &drafts {
        let a = store.agreement(&draft.code).unwrap().unwrap();
        assert_eq!(
            (&a.title, a.kind, &a.provider, &a.provider_fund, &a.biennium),
            (
                &draft.title,
                draft.kind,
                &draft.provider,
                &draft.provider_fund,
                &draft.biennium
            )
        );
        let (v, d) = (&a.versions[0], &draft.versions[0]);
        assert_eq!(
            (v.ceiling_minor, v.psc_rate, &v.lines, &v.participants),
            (d.ceiling_minor, d.psc_rate, &d.lines, &d.participants)
        );
        assert_eq!((&v.share_key, &v.note), (&d.share_key, &d.note));
    }

    // decisions.json: each decision with its language and adoption date.
    let decisions: Vec<_> = store
        .decisions()
        .unwrap()
        .into_iter()
        .map(|d| (d.language, d.adopted_on))
        .collect();
    let expected: Vec<_> = demo::decisions()
        .into_iter()
        .map(|d| (d.language.to_string(), d.adopted_on))
        .collect();
    assert_eq!(decisions, expected);

    // mandate-links.json: each link.
    let links: BTreeSet<(String, String)> = store
        .mandate_links(None)
        .unwrap()
        .into_iter()
        .map(|l| (l.agreement, format!("{} {}", l.decision, l.paragraph)))
        .collect();
    let expected: BTreeSet<(String, String)> = demo::mandate_links()
        .into_iter()
        .map(|l| (l.agreement, l.mandate))
        .collect();
    assert_eq!(links, expected);

    // activities.json: the activities of 2026-2027 as imported.
    let mut activities = store.activities(Some("2026-2027")).unwrap();
    let mut expected = demo::activities();
    activities.sort_by(|a, b| a.code.cmp(&b.code));
    expected.sort_by(|a, b| a.code.cmp(&b.code));
    assert_eq!(activities, expected);

    // training.json and task-force.json: as saved.
    assert_eq!(
        synergies_app::cooperation::events(store).unwrap(),
        demo::training_events()
    );
    let mut task_force = demo::task_force();
    task_force.members.sort_by(|a, b| a.name.cmp(&b.name));
    let mut stored = synergies_app::cooperation::task_force(store).unwrap();
    stored.members.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(stored, task_force);

    // delivery-patterns.json: each pattern's rows of 2026 (and one of January 2027 for the
    // larger ones), with the grades and quantities it gives.
    let mut delivered: BTreeMap<(String, String), Delivered> = BTreeMap::new();
    store
        .for_each_delivery(&DeliveryFilter::default(), &mut |d| {
            let d = d.delivery;
            let seen = delivered.entry((d.agreement, d.service)).or_default();
            seen.rows += 1;
            seen.grades.extend(d.grade);
            seen.quantities.insert(d.quantity.to_string());
            Ok(())
        })
        .unwrap();
    let patterns = demo::delivery_patterns();
    assert_eq!(delivered.len(), patterns.len());
    for p in &patterns {
        let seen = &delivered[&(p.agreement.clone(), p.service.clone())];
        assert_eq!(seen.rows, p.rows + u32::from(p.rows >= 24), "{}", p.service);
        assert!(
            seen.grades.iter().all(|g| p.grades.contains(g)),
            "{}",
            p.service
        );
        assert!(
            seen.quantities.iter().all(|q| p.quantities.contains(q)),
            "{}",
            p.service
        );
    }
}
