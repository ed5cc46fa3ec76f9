//! The command line on PostgreSQL: the demo gives the same system as on SQLite, and the demo
//! moves SQLite → PostgreSQL → a new SQLite file with identical exports.

mod common;

use common::*;
use serde_json::Value;
use synergies_store::testing::{postgres_url, FreshSchema};

/// Charges without the ids each database assigns.
fn charges_without_ids(sb: &Sandbox, db: &str) -> Vec<Value> {
    let v = sb.run_on(db, &["charges", "list", "--json"]).ok().json();
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let mut c = c.clone();
            for k in ["id", "entry"] {
                c.as_object_mut().unwrap().remove(k);
            }
            c
        })
        .collect()
}

#[test]
fn the_demo_on_postgres_is_the_same_system() {
    let Some(base) = postgres_url() else { return };
    let schema = FreshSchema::new(&base).unwrap();
    let sb = Sandbox::new();
    sb.demo();
    let pg = &schema.url;
    let out = sb.run_on(pg, &["demo", "--no-serve", "--json"]).ok().json();
    assert_eq!(out["demo"]["seeded"], Value::Bool(true), "{out:#}");
    sb.run_on(pg, &["ledger", "check"]).ok();
    assert_eq!(
        charges_without_ids(&sb, pg),
        charges_without_ids(&sb, &sb.db)
    );
    assert_eq!(
        sb.run_on(pg, &["ledger", "trial-balance", "--json"])
            .ok()
            .stdout,
        sb.ok(&["ledger", "trial-balance", "--json"]).stdout
    );
}

#[test]
fn the_demo_moves_to_postgres_and_back_unchanged() {
    let Some(base) = postgres_url() else { return };
    let schema = FreshSchema::new(&base).unwrap();
    let sb = Sandbox::new();
    sb.demo();
    // Some history worth keeping: a reversal, a re-close and a settlement.
    sb.ok(&["reopen", "--period", "2026-Q2"]);
    sb.ok(&["close", "--period", "2026-Q2"]);
    sb.ok(&[
        "settle",
        "--payer-fund",
        "BC",
        "--provider-fund",
        "MCGTF",
        "--amount",
        "1000.00",
        "--reference",
        "TRF-9",
        "--on",
        "2027-01-20",
    ]);
    let original = exports(&sb, &sb.db);
    let pg = schema.url.clone();
    sb.run_raw(&["store", "copy", "--from", &sb.db, "--to", &pg])
        .ok();
    assert_eq!(exports(&sb, &pg), original, "SQLite → PostgreSQL");
    let back = sb.url("back.db");
    sb.run_raw(&["store", "copy", "--from", &pg, "--to", &back])
        .ok();
    assert_eq!(exports(&sb, &back), original, "PostgreSQL → SQLite");
    sb.run_on(&back, &["ledger", "check"]).ok();

    // A backup taken from PostgreSQL restores into SQLite too.
    let file = sb.path("pg.backup");
    sb.run_on(&pg, &["store", "backup", "--out", file.to_str().unwrap()])
        .ok();
    let restored = sb.url("restored.db");
    sb.run_on(&restored, &["store", "restore", file.to_str().unwrap()])
        .ok();
    assert_eq!(
        exports(&sb, &restored),
        original,
        "PostgreSQL backup → SQLite"
    );
}
