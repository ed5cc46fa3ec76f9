//! Bad reference data and records are refused at input, with every problem named and nothing
//! written, whichever importer brings them: the framework (rates, exchange rates, duplicate
//! keys, what posted closings used), agreements, decisions, activities, training events and
//! the task force; and CSV exports are safe to open in a spreadsheet and re-import to the same
//! data. Every test runs on a real SQLite file.

mod common;

use std::collections::BTreeMap;

use synergies_app::cooperation::{save_events, save_task_force, TaskForce};
use synergies_app::decisions::{import_decision, Standing};
use synergies_app::export::{export, Dataset, Format};
use synergies_app::{activities, agreements, demo, AppError};
use synergies_domain::cooperation::RegionalGroup;
use synergies_domain::decision::Language;
use synergies_domain::model::{Framework, RateKey};
use synergies_store::{SqliteStore, Store};
use tempfile::TempDir;

const MC_6_20_FR: &str = include_str!("../../../data/decisions/MC-6-20.fr.txt");

/// A new SQLite file holding the demo: its framework, agreements, MC-6/20 with its mandates,
/// activities, training, task force, deliveries and the four closings of 2026.
fn demo_store() -> (TempDir, Box<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    let store: Box<dyn Store> = Box::new(SqliteStore::open(path.to_str().unwrap()).unwrap());
    demo::seed(store.as_ref()).unwrap();
    (dir, store)
}

fn counts(store: &dyn Store) -> BTreeMap<String, i64> {
    store.table_counts().unwrap().into_iter().collect()
}

fn csv_of(store: &dyn Store, what: Dataset) -> String {
    let mut out = vec![];
    export(store, what, Format::Csv, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The refusal's message, after checking that nothing was written.
fn refused<T: std::fmt::Debug>(
    store: &dyn Store,
    before: &BTreeMap<String, i64>,
    result: Result<T, AppError>,
) -> String {
    let e = result.expect_err("the input is refused").to_string();
    assert_eq!(&counts(store), before, "nothing written: {e}");
    e
}

#[test]
fn a_rate_or_exchange_rate_that_posted_closings_used_never_changes() {
    let (_dir, store) = demo_store();
    let store = store.as_ref();
    assert!(
        !store.closings(None).unwrap().is_empty(),
        "the demo posts closings"
    );
    let rates_before = csv_of(store, Dataset::Rates);
    let fx_before = csv_of(store, Dataset::Fx);
    let before = counts(store);
    let stored = store.framework().unwrap();

    // Every staff-day rate of a provider with posted closings in 2026, raised by one unit.
    let mut changed = stored.clone();
    for r in changed.rates.iter_mut().filter(|r| {
        r.biennium == "2026-2027" && matches!(r.key, RateKey::Grade(_)) && r.provider == "MC"
    }) {
        r.amount += rust_decimal::Decimal::ONE;
    }
    let e = refused(
        store,
        &before,
        store
            .save_framework(
                &changed,
                &synergies_store::Audit::new("test", "framework.load", "", serde_json::Value::Null),
            )
            .map_err(AppError::from),
    );
    assert!(e.contains("was used by a posted closing"), "{e}");
    // Every exchange rate of 2026 halved.
    let mut fx = Framework::default();
    for x in stored
        .fx_rates
        .iter()
        .filter(|x| x.month.to_string().starts_with("2026"))
    {
        let mut x = x.clone();
        x.per_usd /= rust_decimal::Decimal::TWO;
        fx.fx_rates.push(x);
    }
    assert!(
        !fx.fx_rates.is_empty(),
        "the demo has exchange rates of 2026"
    );
    let e = refused(
        store,
        &before,
        store
            .save_framework(
                &fx,
                &synergies_store::Audit::new("test", "framework.load", "", serde_json::Value::Null),
            )
            .map_err(AppError::from),
    );
    assert!(e.contains("a month's rate is fixed"), "{e}");
    // The exports anyone recomputes the posted charges from are as they were.
    assert_eq!(csv_of(store, Dataset::Rates), rates_before);
    assert_eq!(csv_of(store, Dataset::Fx), fx_before);
    assert_eq!(store.framework().unwrap(), stored);
}

#[test]
fn a_bad_framework_is_refused_with_every_problem() {
    let (_dir, store) = demo_store();
    let store = store.as_ref();
    let before = counts(store);
    let mut f = store.framework().unwrap();
    f.rates[0].amount = rust_decimal::Decimal::new(-5000, 2);
    f.fx_rates[0].per_usd = rust_decimal::Decimal::ZERO;
    let twice = f.services[0].clone();
    f.services.push(twice);
    f.organisations[0].name = "x".repeat(40_000);
    f.funds[0].code = "MC\u{202E}GTF".into();
    let e = refused(
        store,
        &before,
        store
            .save_framework(
                &f,
                &synergies_store::Audit::new("test", "framework.load", "", serde_json::Value::Null),
            )
            .map_err(AppError::from),
    );
    for needle in [
        "not more than zero",
        "per_usd",
        "more than once",
        "40000 characters",
        "bidirectional",
        "5 problems",
    ] {
        assert!(e.contains(needle), "{needle:?} in {e}");
    }
}

#[test]
fn agreements_import_with_a_code_twice_writes_nothing() {
    let store = common::store_with(&[]);
    let store = store.as_ref();
    let before = counts(store);
    let a = common::purchase("MC-BRS-1", 1_000_000, "0.13");
    let mut b = common::purchase("MC-BRS-2", 1_000_000, "0.13");
    b.title = "nul\u{0}".into();
    let result = agreements::import_agreements(
        store,
        &[a.clone(), b, a],
        &synergies_app::Actor::operator("test"),
    );
    let e = refused(store, &before, result);
    assert!(
        e.contains("agreement 3 (MC-BRS-1): code: is given more than once"),
        "{e}"
    );
    assert!(
        e.contains("agreement 2 (MC-BRS-2)") && e.contains("control character"),
        "{e}"
    );
    assert!(store.agreements().unwrap().is_empty());
}

#[test]
fn a_truncated_decision_does_not_replace_the_recorded_one() {
    let (_dir, store) = demo_store();
    let store = store.as_ref();
    let before = counts(store);
    let decisions = store.decisions().unwrap();
    let mandates = store.mandates(Some("MC-6/20")).unwrap();
    // The text cut after its first third: later paragraphs, their mandates, links and
    // notes would point at nothing.
    let cut = MC_6_20_FR
        .char_indices()
        .nth(MC_6_20_FR.chars().count() / 3)
        .map(|(i, _)| i)
        .unwrap();
    let truncated = &MC_6_20_FR[..cut];
    let e = refused(
        store,
        &before,
        import_decision(
            store,
            "MC-6-20.cut.txt",
            truncated,
            Some(Language::Fr),
            Standing::default(),
            &synergies_app::Actor::operator("test"),
        ),
    );
    assert!(e.contains("is recorded but missing from this text"), "{e}");
    assert!(e.contains("agreements "), "the links are named: {e}");
    assert_eq!(store.decisions().unwrap(), decisions);
    assert_eq!(store.mandates(Some("MC-6/20")).unwrap(), mandates);
    // The whole text again is accepted, and changes nothing of the mandates.
    import_decision(
        store,
        "MC-6-20.fr.txt",
        MC_6_20_FR,
        Some(Language::Fr),
        Standing::default(),
        &synergies_app::Actor::operator("test"),
    )
    .unwrap();
    assert_eq!(store.mandates(Some("MC-6/20")).unwrap(), mandates);
}

#[test]
fn activities_import_reports_every_bad_record_and_writes_nothing() {
    let (_dir, store) = demo_store();
    let store = store.as_ref();
    let before = counts(store);
    let good = demo::activities().remove(0);
    let mut unknown_mandate = good.clone();
    unknown_mandate.code = "A-MANDATE".into();
    unknown_mandate.mandates = vec!["MC-6/20 99(z)".into()];
    let mut unknown_names = good.clone();
    unknown_names.code = "A-NAMES".into();
    unknown_names.agreements = vec!["NO-SUCH-AGREEMENT".into()];
    unknown_names.partners = vec!["NOBODY".into()];
    unknown_names.contributions[0].fund = "NOFUND".into();
    let mut long_title = good.clone();
    long_title.code = "A-LONG".into();
    long_title.title_en = "x".repeat(40_000);
    let mut bad_code = good.clone();
    bad_code.code = "A\u{200B}B".into();
    let e = refused(
        store,
        &before,
        activities::import_activities(
            store,
            &[good, unknown_mandate, unknown_names, long_title, bad_code],
            &synergies_app::Actor::operator("test"),
        ),
    );
    for needle in [
        "activity A-MANDATE: mandates: no mandate 99(z) of MC-6/20",
        "unknown agreement NO-SUCH-AGREEMENT",
        "unknown organisation NOBODY",
        "unknown fund NOFUND",
        "activity A-LONG: title_en: is 40000 characters long",
        "invisible character U+200B",
    ] {
        assert!(e.contains(needle), "{needle:?} in {e}");
    }
    // A change through `activities update` is checked the same way.
    let code = demo::activities()[0].code.clone();
    let change = activities::ActivityChange {
        title_en: Some("y".repeat(40_000)),
        ..Default::default()
    };
    let e = refused(
        store,
        &before,
        activities::update(
            store,
            &code,
            Some("2026-2027"),
            &change,
            &synergies_app::Actor::operator("test"),
        ),
    );
    assert!(e.contains("40000 characters"), "{e}");
}

#[test]
fn training_import_refuses_unknown_countries_and_wrong_regional_groups() {
    let (_dir, store) = demo_store();
    let store = store.as_ref();
    let before = counts(store);
    let mut e1 = demo::training_events().remove(0);
    e1.code = "T-BAD".into();
    e1.participants[0].country = "ZZ".into();
    e1.participants[1].country = "KE".into();
    e1.participants[1].region = RegionalGroup::AsiaPacific;
    let e = refused(
        store,
        &before,
        save_events(store, &[e1], &synergies_app::Actor::operator("test")),
    );
    assert!(e.contains("participant 1: country: \"ZZ\" is not"), "{e}");
    assert!(
        e.contains("participant 2: country: Kenya (KE) belongs to the African group, not the Asia-Pacific group"),
        "{e}"
    );
}

#[test]
fn task_force_import_refuses_unknown_owners_attendees_and_duplicate_meetings() {
    let (_dir, store) = demo_store();
    let store = store.as_ref();
    let before = counts(store);
    let demo_tf = demo::task_force();
    let mut tf = TaskForce {
        members: vec![],
        meetings: vec![demo_tf.meetings[0].clone(), demo_tf.meetings[0].clone()],
        action_items: vec![demo_tf.action_items[0].clone()],
    };
    tf.meetings[0].attendees.push("Mallory".into());
    tf.action_items[0].owner = "Nobody Known".into();
    let e = refused(
        store,
        &before,
        save_task_force(store, &tf, &synergies_app::Actor::operator("test")),
    );
    assert!(
        e.contains("meeting TF-2026-1: code: is given more than once"),
        "{e}"
    );
    assert!(
        e.contains("\"Mallory\" is neither an organisation nor a member"),
        "{e}"
    );
    assert!(e.contains("owner: \"Nobody Known\" is neither"), "{e}");
    // A member's name is a known owner.
    let mut ok = demo_tf.clone();
    ok.action_items[0].owner = ok.members[0].name.clone();
    save_task_force(store, &ok, &synergies_app::Actor::operator("test")).unwrap();
}

/// The cells of a CSV text, by row.
fn cells(csv_text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv_text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn csv_exports_never_start_a_text_cell_with_a_formula_and_deliveries_reimport() {
    let a = common::purchase("MC-BRS-CSV", 100_000_000, "0.13");
    let store = common::store_with(std::slice::from_ref(&a));
    let store = store.as_ref();
    let hostile = [
        "=1+1",
        "=HYPERLINK(\"http://evil.example\",\"x\")",
        "+41 22 917 8111",
        "-2+3",
        "@SUM(A1:A2)",
        "'=already quoted",
        "plain",
    ];
    let rows: String = hostile
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let quoted = h.replace('"', "\"\"");
            format!(
                "MC-BRS-CSV,PAGES,2026-03-0{},2,,,,\"{quoted}\",\"{quoted}-{i}\"\n",
                i + 1
            )
        })
        .collect();
    common::import(store, &rows).unwrap();
    let exported = csv_of(store, Dataset::Deliveries);
    for row in cells(&exported) {
        for c in &row {
            assert!(
                !c.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell starts a formula: {c:?} in {row:?}"
            );
        }
    }
    // The export re-imports to the same data: into the same store it adds nothing, and into a
    // new store it gives the same deliveries.
    let again = synergies_app::import::import_deliveries(
        store,
        &synergies_app::import::BytesSource {
            name: "export.csv",
            bytes: exported.as_bytes(),
        },
        &mut |_| {},
        &synergies_app::Actor::operator("test"),
    )
    .unwrap();
    assert_eq!((again.inserted, again.identical), (0, hostile.len() as u64));
    let fresh = common::store_with(std::slice::from_ref(&a));
    synergies_app::import::import_deliveries(
        fresh.as_ref(),
        &synergies_app::import::BytesSource {
            name: "export.csv",
            bytes: exported.as_bytes(),
        },
        &mut |_| {},
        &synergies_app::Actor::operator("test"),
    )
    .unwrap();
    assert_eq!(csv_of(fresh.as_ref(), Dataset::Deliveries), exported);
    let mut json = vec![];
    export(fresh.as_ref(), Dataset::Deliveries, Format::Json, &mut json).unwrap();
    let json = String::from_utf8(json).unwrap();
    // (A hand-written apostrophe before a formula character marks a text, as in spreadsheets.)
    assert!(
        json.contains("\"=1+1\"") && json.contains("\"=already quoted\""),
        "{json}"
    );
    // Agreement and charge exports too: a title that starts a formula is neutralised.
    let mut t = common::purchase("MC-BRS-T", 100_000_000, "0.13");
    t.title = "=cmd|' /C calc'!A0".into();
    agreements::create(store, &synergies_app::Actor::operator("test"), &t).unwrap();
    for row in cells(&csv_of(store, Dataset::Agreements)) {
        assert!(!row[1].starts_with('='), "{row:?}");
    }
}

#[test]
fn deliveries_with_control_characters_or_huge_texts_are_refused() {
    let a = common::purchase("MC-BRS-TXT", 100_000_000, "0.13");
    let store = common::store_with(std::slice::from_ref(&a));
    let store = store.as_ref();
    let before = counts(store);
    let big = "x".repeat(100_000);
    let rows = format!(
        "MC-BRS-TXT,PAGES,2026-03-02,2,,,,\"nul \u{0} here\",n1\n\
         MC-BRS-TXT,PAGES,2026-03-02,2,,,,\"{big}\",n2\n\
         MC-BRS-TXT,PAGES,2026-03-02,2,,,,ok,\"id\u{1b}[31m\"\n"
    );
    let e = refused(store, &before, common::import(store, &rows));
    assert!(
        e.contains("test.csv:2: description: holds the control character U+0000"),
        "{e}"
    );
    assert!(
        e.contains("test.csv:3: description: is 100000 characters long"),
        "{e}"
    );
    assert!(
        e.contains("test.csv:4: external_id: holds the control character U+001B"),
        "{e}"
    );
}

fn hostile_text() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let piece = prop_oneof![
        Just("=".to_string()),
        Just("+".to_string()),
        Just("-".to_string()),
        Just("@".to_string()),
        Just("'".to_string()),
        Just("\t".to_string()),
        Just("\r".to_string()),
        Just("\n".to_string()),
        Just("\u{0}".to_string()),
        Just("\u{202E}".to_string()),
        Just("\"".to_string()),
        Just(",".to_string()),
        "[a-zA-Z0-9 ]{0,8}",
        "\\PC{0,4}",
        (0usize..2).prop_map(|n| "x".repeat([10_001, 100_000][n])),
    ];
    proptest::collection::vec(piece, 0..6).prop_map(|v| v.concat())
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Whatever a delivery's description holds, the import refuses it (and writes nothing) or
    /// records it; a recorded one is exported with no cell that starts a formula, and the
    /// export re-imports into a new store to the same export.
    #[test]
    fn any_description_is_refused_or_exported_safely_and_reimported(text in hostile_text()) {
        let a = common::purchase("MC-BRS-P", 100_000_000, "0.13");
        let store = common::store_with(std::slice::from_ref(&a));
        let before = counts(store.as_ref());
        let mut out = vec![];
        {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(["MC-BRS-P", "PAGES", "2026-03-02", "2", "", "", "", &text, "x-1"])
                .unwrap();
        }
        let row = String::from_utf8(out).unwrap();
        match common::import(store.as_ref(), &row) {
            Err(_) => proptest::prop_assert_eq!(counts(store.as_ref()), before),
            Ok(_) => {
                let exported = csv_of(store.as_ref(), Dataset::Deliveries);
                for row in cells(&exported) {
                    for c in &row {
                        proptest::prop_assert!(!c.starts_with(['=', '+', '-', '@', '\t', '\r']));
                    }
                }
                let fresh = common::store_with(std::slice::from_ref(&a));
                synergies_app::import::import_deliveries(
                    fresh.as_ref(),
                    &synergies_app::import::BytesSource {
                        name: "export.csv",
                        bytes: exported.as_bytes(),
                    },
                    &mut |_| {},
                    &synergies_app::Actor::operator("test"),
                )
                .unwrap();
                proptest::prop_assert_eq!(csv_of(fresh.as_ref(), Dataset::Deliveries), exported);
            }
        }
    }
}

/// A dispute's reason is a text of the record like any other: one with control characters or
/// longer than a long text is refused, and the delivery stays recorded with nothing written.
#[test]
fn a_dispute_reason_with_control_characters_or_too_long_is_refused() {
    let store = common::store_with(&[common::purchase("A", 1_000_000, "0.13")]);
    let store = store.as_ref();
    common::import(store, "A,PAGES,2026-01-15,5,,,,five pages,1\n").unwrap();
    let before = counts(store);
    let snapshot = common::snapshot(store);
    for reason in [
        "not\u{0}delivered".to_string(),
        "x".repeat(10_001),
        " ".into(),
    ] {
        let e = refused(
            store,
            &before,
            synergies_app::deliveries::dispute(
                store,
                "A",
                "1",
                &reason,
                &synergies_app::Actor::operator("test"),
            ),
        );
        assert!(e.contains("reason"), "{e}");
    }
    assert_eq!(common::snapshot(store), snapshot);
    synergies_app::deliveries::dispute(
        store,
        "A",
        "1",
        "five pages were four",
        &synergies_app::Actor::operator("test"),
    )
    .unwrap();
    let trail = store
        .audit_events(&synergies_store::AuditFilter::default(), 1)
        .unwrap();
    assert_eq!(
        (trail[0].action.as_str(), trail[0].subject.as_str()),
        ("delivery.dispute", "A/1")
    );
}
