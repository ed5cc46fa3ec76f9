//! The conformance suite on the SQLite backend, in memory and on a file, and the checks that
//! only SQLite can make (the engine itself refusing changes to posted entries).

use std::path::PathBuf;

use rusqlite::Connection;
use serde_json::json;
use synergies_store::prelude::*;
use synergies_store::{SqliteStore, Store, StoreError};
use synergies_store_conformance::{self as conformance, fixture};
use tempfile::TempDir;

/// A new, empty store on a file in a new temporary directory (kept alive by the `TempDir`).
fn file_store() -> (TempDir, PathBuf, SqliteStore) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("synergies.db");
    let store = SqliteStore::open(path.to_str().expect("a UTF-8 path")).expect("open the file");
    (dir, path, store)
}

/// The conformance suite in memory, one test per check.
mod in_memory {
    use super::*;

    synergies_store_conformance::conformance_checks!(
        || SqliteStore::open_in_memory().expect("open in memory")
    );
}

/// Stores on new files in one temporary directory (removed when this is dropped).
fn file_stores() -> impl Fn() -> SqliteStore {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let made = std::cell::Cell::new(0);
    move || {
        made.set(made.get() + 1);
        let path = dir.path().join(format!("synergies-{}.db", made.get()));
        SqliteStore::open(path.to_str().expect("a UTF-8 path")).expect("open the file")
    }
}

/// The conformance suite on files, one test per check.
mod on_file {
    use super::*;

    synergies_store_conformance::conformance_checks!(file_stores());
}

/// A store on a file with a closing posted and reversed and an audit event.
fn seeded_file() -> (TempDir, PathBuf, SqliteStore) {
    let (dir, path, store) = file_store();
    fixture::seed_accepted(&store);
    let closing = fixture::close(&store, fixture::AGREEMENT, fixture::march(), 1);
    let reversals = fixture::reversals(&store, closing, fixture::date("2026-04-30"));
    store
        .reverse_closing(
            closing,
            &reversals,
            &synergies_store::Audit::new("test", "period.reopen", "", serde_json::Value::Null),
        )
        .unwrap();
    fixture::close(&store, fixture::AGREEMENT, fixture::march(), 2);
    store
        .audit("mc.finance", "close", "MC-BRS-2026-01/2026-03", &json!({}))
        .unwrap();
    (dir, path, store)
}

#[test]
fn the_database_refuses_to_change_posted_entries_and_the_audit_trail() {
    let (_dir, path, store) = seeded_file();
    let before = conformance::entries(&store);
    let balance = store.trial_balance().unwrap();
    let counts = conformance::counts(&store);

    let conn = Connection::open(&path).unwrap();
    for sql in [
        "UPDATE postings SET amount_minor = amount_minor + 1",
        "UPDATE postings SET account = 'assets:cash' WHERE line = 0",
        "DELETE FROM postings",
        "UPDATE journal_entries SET description = 'rewritten'",
        "UPDATE journal_entries SET key = key || ':x'",
        "DELETE FROM journal_entries",
        "UPDATE audit_events SET actor = 'someone else'",
        "DELETE FROM audit_events",
    ] {
        let err = conn
            .execute(sql, [])
            .expect_err(&format!("the database must refuse: {sql}"));
        assert!(
            err.to_string().contains("never change"),
            "{sql} is refused by the schema's triggers, got: {err}"
        );
    }
    drop(conn);

    assert_eq!(conformance::entries(&store), before);
    assert_eq!(store.trial_balance().unwrap(), balance);
    assert_eq!(conformance::counts(&store), counts);
}

#[test]
fn table_counts_covers_every_table_of_the_schema() {
    let (_dir, path, store) = file_store();
    store.migrate().unwrap();
    let conn = Connection::open(&path).unwrap();
    let mut in_schema: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name <> 'refinery_schema_history' ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    in_schema.sort();
    let mut counted: Vec<String> = store
        .table_counts()
        .unwrap()
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    counted.sort();
    assert_eq!(
        counted, in_schema,
        "table_counts lists every table of the schema"
    );
    let mut suite: Vec<String> = conformance::TABLES.iter().map(|t| t.to_string()).collect();
    suite.sort();
    assert_eq!(suite, in_schema, "the conformance suite knows every table");
}

#[test]
fn data_survives_reopening_the_file() {
    let (_dir, path, store) = seeded_file();
    let framework = store.framework().unwrap();
    let agreements = store.agreements().unwrap();
    let entries = conformance::entries(&store);
    let counts = conformance::counts(&store);
    let version = store.schema_version().unwrap();
    drop(store);

    let store = SqliteStore::open(path.to_str().unwrap()).unwrap();
    assert_eq!(store.schema_version().unwrap(), version);
    assert_eq!(
        store.migrate().unwrap(),
        version,
        "reopening migrates nothing"
    );
    assert!(!store.is_empty().unwrap());
    assert_eq!(store.framework().unwrap(), framework);
    assert_eq!(store.agreements().unwrap(), agreements);
    assert_eq!(conformance::entries(&store), entries);
    assert_eq!(conformance::counts(&store), counts);
    assert!(store.trial_balance().unwrap().violations().is_empty());
}

#[test]
fn migrate_refuses_a_newer_schema() {
    let (_dir, path, store) = file_store();
    let version = store.migrate().unwrap();
    let conn = Connection::open(&path).unwrap();
    conn.execute(
        "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) \
         VALUES (?1, 'later', '2099-01-01T00:00:00Z', '0')",
        [version + 1],
    )
    .unwrap();
    drop(conn);
    match store.migrate() {
        Err(StoreError::Invalid(msg)) => assert!(msg.contains("newer"), "{msg}"),
        other => panic!("migrating a newer schema must be refused, got {other:?}"),
    }
}

#[test]
fn open_chooses_the_backend_from_the_url() {
    let (dir, _path, _store) = file_store();
    let url = format!("sqlite://{}", dir.path().join("other.db").display());
    let store = synergies_store::open(&url).unwrap();
    assert_eq!(store.engine(), "sqlite");
    assert_eq!(store.schema_version().unwrap(), 0);
    let memory = synergies_store::open("sqlite::memory:").unwrap();
    assert_eq!(memory.engine(), "sqlite");
    for bad in [
        "sqlite://",
        "postgres://localhost:notaport/synergies",
        "mysql://x",
        "synergies.db",
    ] {
        assert!(
            matches!(synergies_store::open(bad), Err(StoreError::Invalid(_))),
            "{bad} is refused as Invalid"
        );
    }
}

/// Two handles on one new file (as the CLI and the server would have) migrating at once.
#[test]
fn two_handles_migrate_a_new_file_at_once() {
    for _ in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("synergies.db");
        let path = path.to_str().unwrap();
        let handles = [
            SqliteStore::open(path).unwrap(),
            SqliteStore::open(path).unwrap(),
        ];
        let barrier = std::sync::Barrier::new(handles.len());
        let results: Vec<_> = std::thread::scope(|s| {
            let spawned: Vec<_> = handles
                .iter()
                .map(|h| {
                    let barrier = &barrier;
                    s.spawn(move || {
                        barrier.wait();
                        h.migrate()
                    })
                })
                .collect();
            spawned.into_iter().map(|t| t.join().unwrap()).collect()
        });
        for r in results {
            let v = r.expect("concurrent migrations of a new file both succeed");
            assert_eq!(v, handles[0].schema_version().unwrap());
        }
    }
}

/// Two handles on one file posting the same closing at once post it once.
#[test]
fn two_handles_post_the_same_closing_once() {
    let (_dir, path, first) = file_store();
    fixture::seed_accepted(&first);
    let second = SqliteStore::open(path.to_str().unwrap()).unwrap();
    let closing = fixture::closing(
        &first,
        fixture::AGREEMENT,
        fixture::march(),
        1,
        fixture::date("2026-04-05"),
    );
    let barrier = std::sync::Barrier::new(2);
    let results: Vec<_> = std::thread::scope(|s| {
        let spawned: Vec<_> = [&first, &second]
            .into_iter()
            .map(|h| {
                let (barrier, closing) = (&barrier, &closing);
                s.spawn(move || {
                    barrier.wait();
                    h.post_closing(
                        closing,
                        &synergies_store::Audit::new(
                            "test",
                            "period.close",
                            "",
                            serde_json::Value::Null,
                        ),
                    )
                })
            })
            .collect();
        spawned.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let posted: Vec<i64> = results.into_iter().filter_map(|r| r.unwrap()).collect();
    assert_eq!(posted.len(), 1, "exactly one handle posts the closing");
    for store in [&first, &second] {
        assert_eq!(store.closings(None).unwrap().len(), 1);
        assert_eq!(conformance::entries(store).len(), 1);
        assert!(store.trial_balance().unwrap().violations().is_empty());
    }
}

/// A database made by the first migration (with data) migrates to the newest, keeping it.
#[test]
fn a_database_of_the_first_schema_migrates_to_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(include_str!("../migrations/sqlite/V1__initial.sql"))
        .unwrap();
    conn.execute_batch(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL); \
         INSERT INTO schema_migrations VALUES (1, 'then'); \
         INSERT INTO organisations VALUES ('MC', 'Minamata'), ('BRS', 'BRS'); \
         INSERT INTO conventions VALUES ('MC', 'Minamata Convention', 'MC'); \
         INSERT INTO funds VALUES ('MCGTF', 'General Trust Fund', 'MC', 'MC', 'general'); \
         INSERT INTO bienniums VALUES ('2026-2027', '2026-01-01', '2027-12-31', 'open'); \
         INSERT INTO agreements (code, title, kind, provider, provider_fund, biennium, currency) \
         VALUES ('A-1', 'An old agreement', 'purchase', 'MC', 'MCGTF', '2026-2027', 'USD');",
    )
    .unwrap();
    drop(conn);
    let store = SqliteStore::open(path.to_str().unwrap()).unwrap();
    assert_eq!(store.schema_version().unwrap(), 1);
    let newest = store.migrate().unwrap();
    assert!(newest >= 2);
    assert_eq!(store.schema_version().unwrap(), newest);
    let agreements = store.agreements().unwrap();
    assert_eq!(agreements.len(), 1);
    assert_eq!(agreements[0].code, "A-1");
    assert_eq!(agreements[0].revision, 0, "existing agreements start at 0");
    assert_eq!(
        store.migrate().unwrap(),
        newest,
        "migrating again changes nothing"
    );
}

/// A database of schema version 3 with a decision migrates to version 4: the decision keeps
/// its type (read from its stored structure), is `adopted` with no adoption date, and can be
/// linked to agreements.
#[test]
fn a_decision_of_schema_3_gets_its_type_and_a_status() {
    use synergies_domain::decision::{DecisionKind, DecisionStatus, MeetingBody};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v3.db");
    let conn = Connection::open(&path).unwrap();
    for sql in [
        include_str!("../migrations/sqlite/V1__initial.sql"),
        include_str!("../migrations/sqlite/V2__agreement_revisions.sql"),
        include_str!("../migrations/sqlite/V3__decisions_and_cooperation_records.sql"),
    ] {
        conn.execute_batch(sql).unwrap();
    }
    conn.execute_batch(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL); \
         INSERT INTO schema_migrations VALUES (1, 'then'), (2, 'then'), (3, 'then'); \
         INSERT INTO decisions VALUES ('BC-16/21', 'en', 'basel', 16, 'A resolution', \
             '{\"number\":\"BC-16/21\",\"kind\":\"resolution\"}', 'then');",
    )
    .unwrap();
    drop(conn);
    let store = SqliteStore::open(path.to_str().unwrap()).unwrap();
    assert_eq!(store.schema_version().unwrap(), 3);
    assert!(store.migrate().unwrap() >= 4);
    let d = store.decisions().unwrap().remove(0);
    assert_eq!(
        (d.kind, d.body, d.status, d.adopted_on),
        (
            DecisionKind::Resolution,
            MeetingBody::Cop,
            DecisionStatus::Adopted,
            None
        )
    );
    assert_eq!(d.title, "A resolution");
}

/// The shapes that exports publish are the schema's: the same columns in the same order,
/// INTEGER where the shape says integer, NOT NULL (or key) where it says not nullable, and the
/// same primary key.
#[test]
fn table_shapes_match_the_sqlite_schema() {
    use synergies_store::shape::{ColumnKind, SHAPES};
    let (_dir, path, store) = file_store();
    store.migrate().unwrap();
    let conn = Connection::open(&path).unwrap();
    for s in SHAPES {
        let columns: Vec<(String, String, bool, i64)> = conn
            .prepare(&format!("PRAGMA table_info({})", s.name))
            .unwrap()
            .query_map([], |r| {
                Ok((r.get(1)?, r.get(2)?, r.get::<_, i64>(3)? == 1, r.get(5)?))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let names: Vec<&str> = columns.iter().map(|c| c.0.as_str()).collect();
        let expected: Vec<&str> = s.columns.iter().map(|c| c.name).collect();
        assert_eq!(names, expected, "columns of {}", s.name);
        for (c, (name, ty, not_null, pk)) in s.columns.iter().zip(&columns) {
            assert_eq!(
                c.kind == ColumnKind::Integer,
                ty == "INTEGER",
                "{}.{name}: {ty} against {:?}",
                s.name,
                c.kind
            );
            assert_eq!(
                c.nullable,
                !not_null && *pk == 0,
                "{}.{name} nullability",
                s.name
            );
        }
        let mut key: Vec<(i64, &str)> = columns
            .iter()
            .filter(|c| c.3 > 0)
            .map(|c| (c.3, c.0.as_str()))
            .collect();
        key.sort();
        let key: Vec<&str> = key.into_iter().map(|(_, n)| n).collect();
        assert_eq!(key, s.primary_key, "primary key of {}", s.name);
    }
}

/// Staging on a file: a temporary file beside the database, replaced in place by SQLite's
/// backup, and no file left beside the database afterwards, even one a killed restore left.
#[test]
fn staging_on_a_file_leaves_nothing_beside_the_database() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let make = || -> Box<dyn Store> {
        let path = dir.path().join(format!(
            "db-{}.db",
            NEXT_FILE.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        Box::new(SqliteStore::open(path.to_str().expect("a UTF-8 path")).expect("open the file"))
    };
    // Left by a restore whose process is gone (no process has this number).
    let stale = dir.path().join(".db-1.db.restore-4294967295-x.tmp");
    std::fs::write(&stale, b"").expect("write");
    conformance::stage_replaces_whole_or_not_at_all(&make);
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .expect("read the directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".restore-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

static NEXT_FILE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The schema files of the releases that kept their own bookkeeping (`schema_migrations`, one
/// row per version applied), in order.
const RELEASED_SCHEMAS: &[&str] = &[
    include_str!("../migrations/sqlite/V1__initial.sql"),
    include_str!("../migrations/sqlite/V2__agreement_revisions.sql"),
    include_str!("../migrations/sqlite/V3__decisions_and_cooperation_records.sql"),
    include_str!("../migrations/sqlite/V4__decision_status_and_agreement_mandates.sql"),
    include_str!("../migrations/sqlite/V5__users_sessions_and_api_tokens.sql"),
    include_str!("../migrations/sqlite/V6__api_token_expiry.sql"),
];

/// A database at schema `version`, made as the release of that version made it (its schema
/// files and its bookkeeping), holding the rows of [`seeded_file`]'s store (agreements,
/// deliveries, closings posted and reversed, their entries, an audit event); and those rows'
/// counts, entries and trial balance.
fn released_database(version: usize) -> (TempDir, PathBuf, conformance::Held) {
    let (dir, source, store) = seeded_file();
    fixture::seed_cooperation(&store);
    let held = conformance::Held::of(&store);
    drop(store);
    let path = dir.path().join(format!("schema-{version}.db"));
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
    )
    .unwrap();
    for (i, sql) in RELEASED_SCHEMAS[..version].iter().enumerate() {
        conn.execute_batch(sql).unwrap();
        conn.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, 'then')",
            [i as i64 + 1],
        )
        .unwrap();
    }
    conn.execute("ATTACH DATABASE ?1 AS source", [source.to_str().unwrap()])
        .unwrap();
    for table in conformance::TABLES {
        let columns: Vec<String> = conn
            .prepare(&format!(
                "SELECT name FROM pragma_table_info('{table}', 'main')"
            ))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        if columns.is_empty() {
            continue; // a table of a later schema
        }
        let columns = columns.join(", ");
        conn.execute_batch(&format!(
            "INSERT INTO main.{table} ({columns}) SELECT {columns} FROM source.{table}"
        ))
        .unwrap();
    }
    // Training events and the task force as those releases kept them: JSON documents.
    for (kind, code, document) in fixture::cooperation_records() {
        conn.execute(
            "INSERT INTO cooperation_records (kind, code, document) VALUES (?1, ?2, ?3)",
            [kind, &code, &document],
        )
        .unwrap();
    }
    drop(conn);
    (dir, path, held)
}

/// A database written by the release of schema `version` opens with this program and
/// migrates in place (the conformance suite's check), its history now refinery's (every
/// version, with the checksums of this program's files) and its older bookkeeping a view.
fn a_released_database_migrates_in_place(version: usize) {
    let (_dir, path, held) = released_database(version);
    let store = SqliteStore::open(path.to_str().unwrap()).unwrap();
    conformance::released_database_migrates_in_place(version as u32, &held, &store);
    drop(store);
    let conn = Connection::open(&path).unwrap();
    let versions: Vec<i64> = conn
        .prepare("SELECT version FROM refinery_schema_history ORDER BY version")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let latest = i64::from(synergies_store::latest_schema_version());
    assert_eq!(versions, (1..=latest).collect::<Vec<_>>());
    let (kind, newest): (String, i64) = conn
        .query_row(
            "SELECT (SELECT type FROM sqlite_master WHERE name = 'schema_migrations'), \
                    (SELECT MAX(version) FROM schema_migrations)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((kind.as_str(), newest), ("view", latest));
}

/// Two handles migrating a database of the release of schema 6 at once (the first opening by
/// this program, which also moves its history to refinery's): both succeed, once.
#[test]
fn two_handles_migrate_a_released_database_at_once() {
    let (_dir, path, held) = released_database(6);
    let path = path.to_str().unwrap();
    let handles = [
        SqliteStore::open(path).unwrap(),
        SqliteStore::open(path).unwrap(),
    ];
    let barrier = std::sync::Barrier::new(handles.len());
    let results: Vec<_> = std::thread::scope(|s| {
        let spawned: Vec<_> = handles
            .iter()
            .map(|h| {
                let barrier = &barrier;
                s.spawn(move || {
                    barrier.wait();
                    h.migrate()
                })
            })
            .collect();
        spawned.into_iter().map(|t| t.join().unwrap()).collect()
    });
    for r in results {
        assert_eq!(
            r.expect("both migrations succeed"),
            synergies_store::latest_schema_version()
        );
    }
    assert_eq!(conformance::Held::of(&handles[0]), held);
}

#[test]
fn a_database_of_schema_5_migrates_in_place() {
    a_released_database_migrates_in_place(5);
}

#[test]
fn a_database_of_schema_6_migrates_in_place() {
    a_released_database_migrates_in_place(6);
}
