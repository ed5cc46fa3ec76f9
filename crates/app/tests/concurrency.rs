//! Several writers at once: eight threads, each with its own connection, record deliveries,
//! accept them and close months and quarters of several agreements at the same time.
//! Afterwards every delivery is charged exactly once and the ledger check passes. Imports
//! never fail (they wait for each other); a close that meets another is retried.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};

use common::*;
use synergies_app::close::close_period;
use synergies_app::import::{import_deliveries, BytesSource};
use synergies_app::{ledger, AppError};
use synergies_domain::Period;
use synergies_store::{Store, StoreError};

const THREADS: usize = 8;
const ROUNDS: usize = 6;
const ROWS: usize = 20;
const AGREEMENTS: [&str; 4] = ["A1", "A2", "A3", "A4"];

/// Retries an operation that another writer's concurrent work may invalidate.
fn retrying<T>(mut f: impl FnMut() -> Result<T, AppError>) -> T {
    for _ in 0..50 {
        match f() {
            Ok(v) => return v,
            Err(AppError::Store(StoreError::Conflict(_))) => continue,
            Err(e) => panic!("{e}"),
        }
    }
    panic!("still conflicting after 50 tries");
}

fn run(open: &(dyn Fn() -> Box<dyn Store> + Sync)) {
    let setup = open();
    setup.migrate().unwrap();
    setup
        .save_framework(
            &framework(),
            &synergies_store::Audit::new("test", "framework.load", "", serde_json::Value::Null),
        )
        .unwrap();
    for code in AGREEMENTS {
        let a = purchase(code, i64::MAX / 8, "0.13");
        synergies_app::agreements::create(
            setup.as_ref(),
            &synergies_app::Actor::operator("test"),
            &a,
        )
        .unwrap();
        synergies_app::agreements::propose(
            setup.as_ref(),
            &synergies_app::Actor::operator("t"),
            code,
        )
        .unwrap();
        for org in ["MC", "BRS"] {
            synergies_app::agreements::approve(
                setup.as_ref(),
                &synergies_app::Actor::operator("head"),
                code,
                Some(org),
                day("2026-01-02"),
            )
            .unwrap();
        }
    }
    let inserted = AtomicU64::new(0);
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let inserted = &inserted;
            s.spawn(move || {
                let store = open();
                for round in 0..ROUNDS {
                    let agreement = AGREEMENTS[(t + round) % AGREEMENTS.len()];
                    let mut csv = String::from(HEADER);
                    for r in 0..ROWS {
                        let month = 1 + (t + round + r) % 3;
                        csv.push_str(&format!(
                            "{agreement},PAGES,2026-{month:02}-{:02},{},,,,t{t} r{round},T{t}-R{round}-{r}\n",
                            1 + r % 28,
                            1 + (r * 7 + t) % 13
                        ));
                    }
                    // Imports wait for each other (SQLite's write lock, PostgreSQL's import
                    // lock): none fails, none is retried.
                    let report = import_deliveries(
                        store.as_ref(),
                        &BytesSource { name: "c.csv", bytes: csv.as_bytes() },
                        &mut |_| {}, &synergies_app::Actor::operator("test"),
                    )
                    .unwrap_or_else(|e| panic!("an import failed: {e}"));
                    inserted.fetch_add(report.inserted, Ordering::SeqCst);
                    store
                        .accept_deliveries(Some(agreement), None, day("2026-04-01"), &synergies_store::Audit::new("test", "deliveries.accept", "", serde_json::Value::Null))
                        .unwrap();
                    let period: Period = ["2026-01", "2026-02", "2026-03", "2026-Q1"]
                        [(t * 3 + round) % 4]
                        .parse()
                        .unwrap();
                    let only = if round % 2 == 0 { Some(agreement) } else { None };
                    retrying(|| close_period(store.as_ref(), period, only, day("2026-04-05"), &synergies_app::Actor::operator("test")));
                }
            });
        }
    });
    // Sweep what the last writers accepted after the last closes.
    let q1: Period = "2026-Q1".parse().unwrap();
    retrying(|| {
        close_period(
            setup.as_ref(),
            q1,
            None,
            day("2026-04-06"),
            &synergies_app::Actor::operator("test"),
        )
    });

    let inserted = inserted.load(Ordering::SeqCst);
    assert_eq!(inserted, (THREADS * ROUNDS * ROWS) as u64);
    let charged: u64 = setup
        .closings(None)
        .unwrap()
        .iter()
        .map(|c| c.deliveries)
        .sum();
    assert_eq!(charged, inserted, "every delivery is charged exactly once");
    let links = setup
        .table_counts()
        .unwrap()
        .into_iter()
        .find(|(t, _)| t == "closing_deliveries")
        .unwrap()
        .1;
    assert_eq!(links as u64, inserted);
    let check = ledger::check(setup.as_ref()).unwrap();
    assert!(check.passed(), "{:?}", check.violations);
    // Nothing is left to charge.
    assert!(close_period(
        setup.as_ref(),
        q1,
        None,
        day("2026-04-07"),
        &synergies_app::Actor::operator("test")
    )
    .unwrap()
    .posted
    .is_empty());
}

#[test]
fn eight_writers_on_sqlite_charge_every_delivery_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("c.db").display());
    run(&|| synergies_store::open(&url).unwrap());
}

#[test]
fn eight_writers_on_postgres_charge_every_delivery_once() {
    let Some(base) = synergies_store::testing::postgres_url() else {
        return;
    };
    let schema = synergies_store::testing::FreshSchema::new(&base).unwrap();
    let url = schema.url.clone();
    run(&|| synergies_store::open(&url).unwrap());
}
