//! The conformance suite on the PostgreSQL backend, and the checks that only PostgreSQL can
//! make (the engine itself refusing changes to posted entries, migrations under two
//! processes, dumps that restore across engines).
//!
//! The database comes from `SYNERGIES_TEST_PG_URL` (`scripts/test` provisions one and exports
//! it), for example `postgresql:///synergies_test?host=/var/run/postgresql&user=USER`. Every
//! store gets a new schema of its own (never migrated), dropped when the test ends. Without
//! the variable the tests say loudly that they did not run, and fail when `CI` is set: in CI a
//! missing PostgreSQL is a failure, not a skip.

use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Barrier, Mutex};
use std::time::Duration;

use postgres::{Client, Config, NoTls};
use serde_json::{json, Value};
use synergies_store::prelude::*;
use synergies_store::{AddOutcome, DumpItem, PostgresStore, SqliteStore, Store, StoreError};
use synergies_store_conformance::{self as conformance, fixture};

/// The test database's URL, or `None` (after saying so loudly) when there is none. Panics in
/// CI, where PostgreSQL must be there.
fn database_url() -> Option<String> {
    synergies_store::testing::postgres_url()
}

static NEXT_SCHEMA: AtomicUsize = AtomicUsize::new(0);

/// Schemas made for one test; dropped (with everything in them) when this is dropped.
struct Schemas {
    url: String,
    made: Mutex<Vec<String>>,
}

impl Schemas {
    fn from_env() -> Option<Schemas> {
        database_url().map(|url| Schemas {
            url,
            made: Mutex::new(vec![]),
        })
    }

    fn admin(&self) -> Client {
        Config::from_str(&self.url)
            .expect("SYNERGIES_TEST_PG_URL is a valid PostgreSQL URL")
            .connect(NoTls)
            .unwrap_or_else(|e| panic!("cannot connect to {}: {e}", self.url))
    }

    /// A new, empty schema.
    fn schema(&self) -> String {
        let name = format!(
            "t_{}_{}",
            std::process::id(),
            NEXT_SCHEMA.fetch_add(1, Ordering::Relaxed)
        );
        self.admin()
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}"
            ))
            .unwrap_or_else(|e| panic!("cannot create schema {name}: {e}"));
        self.made.lock().unwrap().push(name.clone());
        name
    }

    /// The test database's configuration, with `schema` first in the search path.
    fn config(&self, schema: &str) -> Config {
        let mut config = Config::from_str(&self.url).expect("a valid URL");
        let options = match config.get_options() {
            Some(o) if !o.is_empty() => format!("{o} -c search_path={schema}"),
            _ => format!("-c search_path={schema}"),
        };
        config.options(&options);
        config
    }

    fn store_in(&self, schema: &str) -> PostgresStore {
        PostgresStore::from_config(self.config(schema)).expect("open the PostgreSQL store")
    }

    /// A client on the test database in `schema`, for what the store does not offer.
    fn client_in(&self, schema: &str) -> Client {
        self.config(schema).connect(NoTls).expect("connect")
    }

    /// A new store in a new schema, never migrated.
    fn store(&self) -> PostgresStore {
        self.store_in(&self.schema())
    }
}

impl Drop for Schemas {
    fn drop(&mut self) {
        let made = std::mem::take(&mut *self.made.lock().unwrap_or_else(|p| p.into_inner()));
        if made.is_empty() {
            return;
        }
        let Ok(mut admin) = Config::from_str(&self.url).and_then(|c| c.connect(NoTls)) else {
            return;
        };
        for name in made {
            let _ = admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"));
        }
    }
}

/// The conformance suite, one test per check, each store in a new schema.
mod each_check {
    use super::*;

    synergies_store_conformance::conformance_checks!(
        if_available: Schemas::from_env().map(|schemas| move || schemas.store())
    );
}

/// A store with a closing posted, reversed and posted again, and an audit event.
fn seed_ledger(store: &dyn Store) {
    fixture::seed_accepted(store);
    let closing = fixture::close(store, fixture::AGREEMENT, fixture::march(), 1);
    let reversals = fixture::reversals(store, closing, fixture::date("2026-04-30"));
    store
        .reverse_closing(
            closing,
            &reversals,
            &synergies_store::Audit::new("test", "period.reopen", "", serde_json::Value::Null),
        )
        .unwrap();
    fixture::close(store, fixture::AGREEMENT, fixture::march(), 2);
    store
        .audit(
            "mc.finance",
            "close",
            "MC-BRS-2026-01/2026-03",
            &json!({"b": 1, "a": [2, "x"]}),
        )
        .unwrap();
}

#[test]
fn the_database_refuses_to_change_posted_entries_and_the_audit_trail() {
    let Some(schemas) = Schemas::from_env() else {
        return;
    };
    let schema = schemas.schema();
    let store = schemas.store_in(&schema);
    seed_ledger(&store);
    let before = conformance::entries(&store);
    let balance = store.trial_balance().unwrap();
    let counts = conformance::counts(&store);

    let mut client = schemas.client_in(&schema);
    for sql in [
        "UPDATE postings SET amount_minor = amount_minor + 1",
        "UPDATE postings SET account = 'assets:cash' WHERE line = 0",
        "DELETE FROM postings",
        "TRUNCATE postings",
        "UPDATE journal_entries SET description = 'rewritten'",
        "UPDATE journal_entries SET key = key || ':x'",
        "DELETE FROM journal_entries",
        "TRUNCATE journal_entries CASCADE",
        "UPDATE audit_events SET actor = 'someone else'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
    ] {
        let err = client
            .batch_execute(sql)
            .expect_err(&format!("the database must refuse: {sql}"));
        let message = err
            .as_db_error()
            .map(|e| e.message().to_string())
            .unwrap_or_else(|| err.to_string());
        assert!(
            message.contains("never change"),
            "{sql} is refused by the schema's triggers, got: {message}"
        );
    }
    drop(client);

    assert_eq!(conformance::entries(&store), before);
    assert_eq!(store.trial_balance().unwrap(), balance);
    assert_eq!(conformance::counts(&store), counts);
}

/// The references that bulk writes check once per statement instead of once per row
/// (PostgreSQL's migration step 1) hold against any writer, as foreign keys would.
#[test]
fn the_database_checks_the_references_that_bulk_writes_check_per_statement() {
    let Some(schemas) = Schemas::from_env() else {
        return;
    };
    let schema = schemas.schema();
    let store = schemas.store_in(&schema);
    fixture::seed_accepted(&store);
    let closing = fixture::closing(
        &store,
        fixture::AGREEMENT,
        fixture::march(),
        1,
        fixture::date("2026-04-05"),
    );
    let closing_id = store
        .post_closing(
            &closing,
            &synergies_store::Audit::new("test", "period.close", "", serde_json::Value::Null),
        )
        .unwrap()
        .expect("the closing is posted");
    let counts = conformance::counts(&store);
    assert!(
        counts["closing_deliveries"] > 0,
        "the closing charged deliveries"
    );

    let mut client = schemas.client_in(&schema);
    let charged: i64 = client
        .query_one("SELECT MIN(delivery_id) FROM closing_deliveries", &[])
        .unwrap()
        .get(0);
    let uncharged: i64 = client
        .query_one(
            "SELECT MIN(id) FROM deliveries d WHERE NOT EXISTS \
             (SELECT 1 FROM closing_deliveries c WHERE c.delivery_id = d.id)",
            &[],
        )
        .unwrap()
        .get(0);
    let refused = |client: &mut Client, sql: &str| {
        let err = client
            .batch_execute(sql)
            .expect_err(&format!("the database must refuse: {sql}"));
        err.code().cloned()
    };
    use postgres::error::SqlState;
    for sql in [
        "INSERT INTO deliveries (agreement_id, service, date, quantity, description, external_id) \
         VALUES (999999, 'MC-LEGAL', '2026-03-02', 1, 'nowhere', 'orphan-1')"
            .to_string(),
        "UPDATE deliveries SET agreement_id = 999999 WHERE id = (SELECT MIN(id) FROM deliveries)"
            .to_string(),
        format!("INSERT INTO closing_deliveries (delivery_id, closing_id) VALUES (999999, {closing_id})"),
        format!("INSERT INTO closing_deliveries (delivery_id, closing_id) VALUES ({uncharged}, 999999)"),
        format!("UPDATE closing_deliveries SET delivery_id = 999999 WHERE delivery_id = {charged}"),
        "UPDATE closing_deliveries SET closing_id = 999999".to_string(),
        format!("DELETE FROM deliveries WHERE id = {charged}"),
        format!("UPDATE deliveries SET id = 999999 WHERE id = {charged}"),
        "DELETE FROM agreement_versions; DELETE FROM agreements".to_string(),
        "TRUNCATE deliveries CASCADE".to_string(),
    ] {
        assert_eq!(
            refused(&mut client, &sql),
            Some(SqlState::FOREIGN_KEY_VIOLATION),
            "{sql}"
        );
    }
    // Outside READ COMMITTED the parents' side cannot see every writer: refused.
    assert_eq!(
        refused(
            &mut client,
            &format!(
                "BEGIN ISOLATION LEVEL REPEATABLE READ; DELETE FROM deliveries WHERE id = {uncharged}"
            )
        ),
        Some(SqlState::FEATURE_NOT_SUPPORTED)
    );
    client.batch_execute("ROLLBACK").unwrap();
    // What no row refers to can go, as with a foreign key; and an insert outside READ
    // COMMITTED is checked too.
    client
        .batch_execute(
            "BEGIN ISOLATION LEVEL REPEATABLE READ; \
             INSERT INTO deliveries (agreement_id, service, date, quantity, description, external_id) \
             SELECT agreement_id, service, date, quantity, description, 'extra-1' FROM deliveries \
             WHERE id = (SELECT MIN(id) FROM deliveries); COMMIT; \
             DELETE FROM deliveries WHERE external_id = 'extra-1'",
        )
        .unwrap();
    drop(client);
    assert_eq!(conformance::counts(&store), counts);
}

#[test]
fn table_counts_covers_every_table_of_the_schema() {
    let Some(schemas) = Schemas::from_env() else {
        return;
    };
    let schema = schemas.schema();
    let store = schemas.store_in(&schema);
    store.migrate().unwrap();
    let mut in_schema: Vec<String> = schemas
        .client_in(&schema)
        .query(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = $1 AND table_type = 'BASE TABLE' \
             AND table_name NOT IN ('refinery_schema_history', 'refinery_postgres_steps') ORDER BY 1",
            &[&schema],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
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
}

/// Adds `options=-c search_path=SCHEMA` to a URL, percent-encoded.
fn url_in_schema(url: &str, schema: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-c%20search_path%3D{schema}")
}

#[test]
fn open_chooses_postgres_from_both_url_schemes() {
    let Some(schemas) = Schemas::from_env() else {
        return;
    };
    let schema = schemas.schema();
    let url = url_in_schema(&schemas.url, &schema);
    let rest = url
        .strip_prefix("postgresql://")
        .or_else(|| url.strip_prefix("postgres://"))
        .expect("SYNERGIES_TEST_PG_URL starts with postgres:// or postgresql://");
    for scheme in ["postgres://", "postgresql://"] {
        let store = synergies_store::open(&format!("{scheme}{rest}"))
            .unwrap_or_else(|e| panic!("open {scheme}…: {e}"));
        assert_eq!(store.engine(), "postgres", "{scheme} opens PostgreSQL");
        assert_eq!(
            store.schema_version().unwrap(),
            0,
            "the URL's options choose the new schema"
        );
    }
    let store = synergies_store::open(&url).unwrap();
    assert_eq!(store.migrate().unwrap(), store.schema_version().unwrap());
    store
        .save_framework(
            &fixture::framework(),
            &synergies_store::Audit::new("test", "record.save", "", serde_json::Value::Null),
        )
        .unwrap();
    let again = synergies_store::open(&format!("postgres://{rest}")).unwrap();
    assert_eq!(
        again.framework().unwrap(),
        conformance::sorted(&fixture::framework()),
        "both schemes open the same database"
    );
    for bad in [
        "postgres://localhost:notaport/synergies",
        "postgresql://x/y?no_such_option=1",
    ] {
        assert!(
            matches!(synergies_store::open(bad), Err(StoreError::Invalid(_))),
            "{bad} is refused as Invalid"
        );
    }
}

#[test]
fn migrate_refuses_a_newer_schema() {
    let Some(schemas) = Schemas::from_env() else {
        return;
    };
    let schema = schemas.schema();
    let store = schemas.store_in(&schema);
    let version = store.migrate().unwrap();
    schemas
        .client_in(&schema)
        .execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) \
             VALUES ($1, 'later', '2099-01-01T00:00:00Z', '0')",
            &[&(version as i32 + 1)],
        )
        .unwrap();
    match store.migrate() {
        Err(StoreError::Invalid(msg)) => assert!(msg.contains("newer"), "{msg}"),
        other => panic!("migrating a newer schema must be refused, got {other:?}"),
    }
}

/// A database made by the first migration (with data) migrates to the newest.
#[test]
fn a_database_of_the_first_schema_migrates_to_the_newest() {
    let Some(schemas) = Schemas::from_env() else {
        return;
    };
    let schema = schemas.schema();
    let mut client = schemas.client_in(&schema);
    client
        .batch_execute(include_str!("../migrations/postgres/V1__initial.sql"))
        .unwrap();
    client
        .batch_execute(
            "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL); \
             INSERT INTO schema_migrations VALUES (1, 'then'); \
             INSERT INTO organisations VALUES ('MC', 'Minamata'), ('BRS', 'BRS'); \
             INSERT INTO conventions VALUES ('MC', 'Minamata Convention', 'MC'); \
             INSERT INTO funds VALUES ('MCGTF', 'General Trust Fund', 'MC', 'MC', 'general'); \
             INSERT INTO bienniums VALUES ('2026-2027', '2026-01-01', '2027-12-31', 'open'); \
             INSERT INTO agreements (code, title, kind, provider, provider_fund, biennium, currency) \
             VALUES ('A-1', 'An old agreement', 'purchase', 'MC', 'MCGTF', '2026-2027', 'USD');",
        )
        .unwrap();
    let store = schemas.store_in(&schema);
    assert_eq!(store.schema_version().unwrap(), 1);
    let newest = store.migrate().unwrap();
    assert!(newest >= 2);
    assert_eq!(store.schema_version().unwrap(), newest);
    let agreements = store.agreements().unwrap();
    assert_eq!(agreements.len(), 1);
    assert_eq!(agreements[0].code, "A-1");
    assert_eq!(agreements[0].revision, 0, "existing agreements start at 0");
    // PostgreSQL's own step 1 ran too (recorded as -1), without changing the schema version:
    // the foreign key of deliveries became a per-statement check.
    let row = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = -1), \
                    EXISTS (SELECT 1 FROM pg_constraint \
                            WHERE conname = 'deliveries_agreement_id_fkey' \
                              AND connamespace = current_schema()::regnamespace), \
                    EXISTS (SELECT 1 FROM pg_trigger \
                            WHERE tgname = 'deliveries_agreement_exists' \
                              AND tgrelid = 'deliveries'::regclass)",
            &[],
        )
        .unwrap();
    assert_eq!(
        (
            row.get::<_, bool>(0),
            row.get::<_, bool>(1),
            row.get::<_, bool>(2)
        ),
        (true, false, true)
    );
    assert_eq!(
        store.migrate().unwrap(),
        newest,
        "migrating again changes nothing"
    );
}

/// The pool keeps its connections: one thread's calls, one after the other, all go through
/// the same server process (the connection that opening the store made to check the URL), and
/// a transaction that a dropped import left open is rolled back before the connection serves
/// again.
#[test]
fn the_pool_reuses_its_connections() {
    let Some(schemas) = Schemas::from_env() else {
        return;
    };
    let schema = schemas.schema();
    let name = format!("synergies_{schema}");
    let mut config = schemas.config(&schema);
    config.application_name(&name);
    let store = PostgresStore::from_config(config).unwrap();
    let mut admin = schemas.admin();
    let backends = |admin: &mut Client| -> Vec<i32> {
        admin
            .query(
                "SELECT pid FROM pg_stat_activity WHERE application_name = $1 ORDER BY pid",
                &[&name],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    };
    let opened = backends(&mut admin);
    assert_eq!(opened.len(), 1, "opening the store connects once");
    store.migrate().unwrap();
    fixture::seed_accepted(&store);
    for _ in 0..20 {
        store.trial_balance().unwrap();
        store.agreements().unwrap();
    }
    assert_eq!(
        backends(&mut admin),
        opened,
        "every call reused the one connection"
    );
    let import = store.import_deliveries().unwrap();
    drop(import);
    assert_eq!(backends(&mut admin), opened);
    let in_transaction: i64 = admin
        .query_one(
            "SELECT COUNT(*) FROM pg_stat_activity \
             WHERE application_name = $1 AND state LIKE 'idle in transaction%'",
            &[&name],
        )
        .unwrap()
        .get(0);
    assert_eq!(
        in_transaction, 0,
        "the dropped import's transaction was rolled back"
    );
    store.agreements().unwrap();
}

/// Two stores (as two processes would have) migrating a new schema at once.
#[test]
fn two_stores_migrate_a_new_schema_at_once() {
    let Some(schemas) = Schemas::from_env() else {
        return;
    };
    for _ in 0..5 {
        let schema = schemas.schema();
        let stores = [schemas.store_in(&schema), schemas.store_in(&schema)];
        let barrier = Barrier::new(stores.len());
        let results: Vec<_> = std::thread::scope(|s| {
            let spawned: Vec<_> = stores
                .iter()
                .map(|store| {
                    let barrier = &barrier;
                    s.spawn(move || {
                        barrier.wait();
                        store.migrate()
                    })
                })
                .collect();
            spawned.into_iter().map(|t| t.join().unwrap()).collect()
        });
        for r in results {
            let v = r.expect("concurrent migrations of a new schema both succeed");
            assert_eq!(v, stores[0].schema_version().unwrap());
        }
    }
}

/// Two stores on one database posting the same closing at once post it once.
#[test]
fn two_stores_post_the_same_closing_once() {
    let Some(schemas) = Schemas::from_env() else {
        return;
    };
    let schema = schemas.schema();
    let first = schemas.store_in(&schema);
    fixture::seed_accepted(&first);
    let second = schemas.store_in(&schema);
    let closing = fixture::closing(
        &first,
        fixture::AGREEMENT,
        fixture::march(),
        1,
        fixture::date("2026-04-05"),
    );
    let barrier = Barrier::new(2);
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
    assert_eq!(posted.len(), 1, "exactly one store posts the closing");
    for store in [&first, &second] {
        assert_eq!(store.closings(None).unwrap().len(), 1);
        assert_eq!(conformance::entries(store).len(), 1);
        assert!(store.trial_balance().unwrap().violations().is_empty());
    }
}

/// Threads of one store write at once (the pool gives each its own connection): every write
/// lands once and the ledger holds.
#[test]
fn threads_of_one_store_write_concurrently() {
    let Some(schemas) = Schemas::from_env() else {
        return;
    };
    let store = schemas.store();
    fixture::seed(&store);
    let seeded_events = conformance::counts(&store)["audit_events"];
    let threads = 8;
    let per_thread = 15;
    let barrier = Barrier::new(threads);
    std::thread::scope(|s| {
        for t in 0..threads {
            let (store, barrier) = (&store, &barrier);
            s.spawn(move || {
                barrier.wait();
                for i in 0..per_thread {
                    let key = format!("settle:{t}:{i}");
                    let entry = fixture::settlement(
                        &key,
                        "2026-05-15",
                        synergies_domain::Currency::USD,
                        100 + i as i64,
                    );
                    assert!(store
                        .post_entry(
                            &entry,
                            &synergies_store::Audit::new(
                                "test",
                                "ledger.post",
                                "",
                                serde_json::Value::Null
                            )
                        )
                        .unwrap()
                        .is_some());
                    // Every thread also posts one shared key: it lands once.
                    let shared = fixture::settlement(
                        &format!("settle:shared:{i}"),
                        "2026-05-16",
                        synergies_domain::Currency::USD,
                        7,
                    );
                    store
                        .post_entry(
                            &shared,
                            &synergies_store::Audit::new(
                                "test",
                                "ledger.post",
                                "",
                                serde_json::Value::Null,
                            ),
                        )
                        .unwrap();
                    store
                        .audit("test", "write", &key, &json!({"thread": t}))
                        .unwrap();
                }
            });
        }
    });
    let counts = conformance::counts(&store);
    let entries = (threads * per_thread + per_thread) as i64;
    assert_eq!(counts["journal_entries"], entries);
    assert_eq!(counts["postings"], 4 * entries);
    // One event per thread's own write and its own entry, one per shared entry (the first to
    // post it writes its event; the others post nothing and write none).
    assert_eq!(
        counts["audit_events"] - seeded_events,
        entries + (threads * per_thread) as i64
    );
    assert!(store.trial_balance().unwrap().violations().is_empty());
}

/// An import locks the agreements it touches: a second import of the same agreement waits
/// for the first to commit, then sees its deliveries (no lost or doubled delivery).
#[test]
fn an_import_waits_for_another_import_of_the_same_agreement() {
    let Some(schemas) = Schemas::from_env() else {
        return;
    };
    let store = schemas.store();
    fixture::seed(&store);
    let d = fixture::deliveries()[0].clone();
    let staged = Barrier::new(2);
    let (first, second) = std::thread::scope(|s| {
        let a = s.spawn(|| {
            let mut import = store.import_deliveries().unwrap();
            import.stage(1, &d).unwrap();
            let out = import.flush().unwrap();
            staged.wait();
            // The other import is now waiting for this one.
            std::thread::sleep(Duration::from_millis(300));
            import
                .commit(&synergies_store::Audit::new(
                    "test",
                    "deliveries.import",
                    "",
                    serde_json::Value::Null,
                ))
                .unwrap();
            out
        });
        let b = s.spawn(|| {
            staged.wait();
            let mut import = store.import_deliveries().unwrap();
            import.stage(2, &d).unwrap();
            let out = import.flush().unwrap();
            import
                .commit(&synergies_store::Audit::new(
                    "test",
                    "deliveries.import",
                    "",
                    serde_json::Value::Null,
                ))
                .unwrap();
            out
        });
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_eq!(first, vec![], "the first import inserts the delivery");
    assert_eq!(
        second,
        vec![(2, AddOutcome::Identical)],
        "the second finds it recorded"
    );
    assert_eq!(conformance::counts(&store)["deliveries"], 1);
}

/// The dump's values with the timestamps that each engine writes at posting time left out.
fn without_timestamps(items: &[DumpItem]) -> Vec<DumpItem> {
    let mut skip: Vec<usize> = vec![];
    items
        .iter()
        .map(|item| match item {
            DumpItem::Table { columns, .. } => {
                skip = columns
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| *c == "posted_at" || *c == "at")
                    .map(|(i, _)| i)
                    .collect();
                item.clone()
            }
            DumpItem::Row(values) => DumpItem::Row(
                values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        if skip.contains(&i) {
                            Value::Null
                        } else {
                            v.clone()
                        }
                    })
                    .collect(),
            ),
        })
        .collect()
}

fn dump(store: &dyn Store) -> Vec<DumpItem> {
    let mut items = vec![];
    store
        .dump(&mut |item| {
            items.push(item);
            Ok(())
        })
        .unwrap();
    items
}

fn restore(store: &dyn Store, items: &[DumpItem]) {
    store.migrate().unwrap();
    let mut feed = items.iter().cloned();
    store.restore(&mut || Ok(feed.next())).unwrap();
}

/// The same data dumps to the same values on SQLite and PostgreSQL (integers as numbers,
/// decimals and dates as their text, the same columns in the same order, rows in key order),
/// and a dump of either restores into the other, ids kept, later inserts not colliding.
#[test]
fn dumps_are_equal_across_engines_and_restore_into_each_other() {
    let Some(schemas) = Schemas::from_env() else {
        return;
    };
    let sqlite = SqliteStore::open_in_memory().unwrap();
    let pg = schemas.store();
    for store in [&sqlite as &dyn Store, &pg] {
        seed_ledger(store);
        // A decimal with trailing zeros and text that COPY must escape.
        let mut d = fixture::other_delivery();
        d.external_id = "OTH-\\002".into();
        d.quantity = fixture::dec("1.50");
        d.description = "two\tcolumns\nand a \\ backslash".into();
        fixture::import(store, &[d]);
    }
    let from_sqlite = dump(&sqlite);
    let from_pg = dump(&pg);
    assert_eq!(
        without_timestamps(&from_pg),
        without_timestamps(&from_sqlite),
        "PostgreSQL and SQLite dump the same data to the same values"
    );
    let quantities: Vec<&Value> = {
        let mut in_deliveries = false;
        let mut col = 0;
        from_pg
            .iter()
            .filter_map(|item| match item {
                DumpItem::Table { table, columns } => {
                    in_deliveries = table == "deliveries";
                    col = columns.iter().position(|c| c == "quantity").unwrap_or(0);
                    None
                }
                DumpItem::Row(v) if in_deliveries => Some(&v[col]),
                DumpItem::Row(_) => None,
            })
            .collect()
    };
    assert!(
        quantities.contains(&&json!("1.50")) && quantities.contains(&&json!("0.5")),
        "decimals keep their notation: {quantities:?}"
    );

    // SQLite → PostgreSQL, and PostgreSQL → SQLite.
    let pg_restored = schemas.store();
    restore(&pg_restored, &from_sqlite);
    assert_eq!(
        dump(&pg_restored),
        from_sqlite,
        "a SQLite dump restored into PostgreSQL dumps back identically"
    );
    let sqlite_restored = SqliteStore::open_in_memory().unwrap();
    restore(&sqlite_restored, &from_pg);
    assert_eq!(
        dump(&sqlite_restored),
        from_pg,
        "a PostgreSQL dump restored into SQLite dumps back identically"
    );
    for store in [&pg_restored as &dyn Store, &sqlite_restored] {
        assert_eq!(store.framework().unwrap(), pg.framework().unwrap());
        assert_eq!(store.agreements().unwrap(), pg.agreements().unwrap());
        assert_eq!(store.trial_balance().unwrap(), pg.trial_balance().unwrap());
        assert_eq!(conformance::entries(store), conformance::entries(&pg));
    }

    // After a restore, new rows get new ids (the identity sequences moved past the old ones).
    let last = conformance::entries(&pg_restored)
        .last()
        .map(|e| e.id)
        .unwrap();
    let id = pg_restored
        .post_entry(
            &fixture::settlement(
                "settle:after-restore",
                "2026-06-01",
                synergies_domain::Currency::USD,
                5,
            ),
            &synergies_store::Audit::new("test", "ledger.post", "", serde_json::Value::Null),
        )
        .unwrap()
        .expect("a new entry");
    assert_eq!(id, last + 1, "the next entry id follows the restored ones");
    pg_restored
        .audit("test", "after-restore", "x", &json!({}))
        .unwrap();
    let mut import = pg_restored.import_deliveries().unwrap();
    let mut d = fixture::other_delivery();
    d.external_id = "OTH-AFTER".into();
    assert_eq!(import.add(&d).unwrap(), AddOutcome::Inserted);
    import
        .commit(&synergies_store::Audit::new(
            "test",
            "deliveries.import",
            "",
            serde_json::Value::Null,
        ))
        .unwrap();
}

/// A database of schema version 3 with a decision migrates to version 4: the decision keeps
/// its type (read from its stored structure), is `adopted` with no adoption date.
#[test]
fn a_decision_of_schema_3_gets_its_type_and_a_status() {
    use synergies_domain::decision::{DecisionKind, DecisionStatus, MeetingBody};
    let Some(schemas) = Schemas::from_env() else {
        return;
    };
    let schema = schemas.schema();
    let mut client = schemas.client_in(&schema);
    for sql in [
        include_str!("../migrations/postgres/V1__initial.sql"),
        include_str!("../migrations/postgres/V2__agreement_revisions.sql"),
        include_str!("../migrations/postgres/V3__decisions_and_cooperation_records.sql"),
    ] {
        client.batch_execute(sql).unwrap();
    }
    client
        .batch_execute(
            "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL); \
             INSERT INTO schema_migrations VALUES (1, 'then'), (2, 'then'), (3, 'then'); \
             INSERT INTO decisions VALUES ('BC-16/21', 'en', 'basel', 16, 'A resolution', \
                 '{\"number\":\"BC-16/21\",\"kind\":\"resolution\"}', 'then');",
        )
        .unwrap();
    let store = schemas.store_in(&schema);
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

/// A staging schema left by a restore that was killed (its owner's lock is free) is removed by
/// the next restore's staging; one whose owner still runs (holds the lock) is kept.
#[test]
fn stale_staging_schemas_are_removed_and_live_ones_kept() {
    let Some(schemas) = Schemas::from_env() else {
        return;
    };
    let store = schemas.store();
    store.migrate().expect("migrate");
    let (stale, live) = ("synergies_restore_0_stale", "synergies_restore_0_live");
    let mut owner = schemas.admin();
    owner
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {stale} CASCADE; CREATE SCHEMA {stale}; \
             DROP SCHEMA IF EXISTS {live} CASCADE; CREATE SCHEMA {live}; \
             SELECT pg_advisory_lock({}, hashtext('{live}'))",
            0x5359_4E52
        ))
        .expect("make the schemas");
    drop(store.stage().expect("stage"));
    let exists = |name: &str| -> bool {
        schemas
            .admin()
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
                &[&name],
            )
            .expect("query")
            .get(0)
    };
    assert!(!exists(stale), "the stale staging schema is gone");
    assert!(exists(live), "the live one is kept");
    owner
        .batch_execute(&format!("DROP SCHEMA {live} CASCADE"))
        .expect("drop the live one");
}

/// A restore replaces the whole schema, so a schema that holds more than Synergies' tables is
/// refused before anything is staged, and what it holds stays.
#[test]
fn staging_refuses_a_schema_shared_with_other_tables() {
    let Some(schemas) = Schemas::from_env() else {
        return;
    };
    let schema = schemas.schema();
    let store = schemas.store_in(&schema);
    store.migrate().expect("migrate");
    let mut client = schemas.client_in(&schema);
    client
        .batch_execute("CREATE TABLE notes (id BIGINT PRIMARY KEY); INSERT INTO notes VALUES (7)")
        .expect("another table");
    match store.stage() {
        Err(StoreError::Invalid(m)) => assert!(m.contains("notes"), "{m}"),
        Err(e) => panic!("expected a refusal naming notes, got {e}"),
        Ok(_) => panic!("a shared schema was staged"),
    }
    let n: i64 = client
        .query_one("SELECT COUNT(*) FROM notes", &[])
        .expect("notes")
        .get(0);
    assert_eq!(n, 1);
}

/// The schema files of the releases that kept their own bookkeeping (`schema_migrations`: one
/// row per version applied, and PostgreSQL's own steps under their number negated), in order,
/// each with the steps that ran after it.
const RELEASED_SCHEMAS: &[(&str, &[(i64, &str)])] = &[
    (include_str!("../migrations/postgres/V1__initial.sql"), &[]),
    (
        include_str!("../migrations/postgres/V2__agreement_revisions.sql"),
        &[(
            1,
            include_str!("../migrations/postgres_steps/V1__deliveries_checked_per_statement.sql"),
        )],
    ),
    (
        include_str!("../migrations/postgres/V3__decisions_and_cooperation_records.sql"),
        &[],
    ),
    (
        include_str!("../migrations/postgres/V4__decision_status_and_agreement_mandates.sql"),
        &[],
    ),
    (
        include_str!("../migrations/postgres/V5__users_sessions_and_api_tokens.sql"),
        &[],
    ),
    (
        include_str!("../migrations/postgres/V6__api_token_expiry.sql"),
        &[],
    ),
];

/// A database written by the release of schema `version` opens with this program: a schema
/// made as that release made it (its schema files, its steps and its bookkeeping), holding the
/// rows of a seeded store (agreements, deliveries, closings posted and reversed, their entries,
/// an audit event), is recognised, migrates in place to the newest keeping every row (the same
/// counts, entries and trial balance), and takes new writes.
fn a_released_database_migrates_in_place(version: usize) {
    let Some(schemas) = Schemas::from_env() else {
        return;
    };
    let source = schemas.schema();
    let seeded = schemas.store_in(&source);
    seed_ledger(&seeded);
    conformance::fixture::seed_cooperation(&seeded);
    let held = conformance::Held::of(&seeded);
    drop(seeded);

    let schema = schemas.schema();
    let mut client = schemas.client_in(&schema);
    client
        .batch_execute(
            "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)",
        )
        .unwrap();
    for (i, (sql, steps)) in RELEASED_SCHEMAS[..version].iter().enumerate() {
        client.batch_execute(sql).unwrap();
        client
            .execute(
                "INSERT INTO schema_migrations VALUES ($1, 'then')",
                &[&(i as i64 + 1)],
            )
            .unwrap();
        for (step, sql) in *steps {
            client.batch_execute(sql).unwrap();
            client
                .execute(
                    "INSERT INTO schema_migrations VALUES ($1, 'then')",
                    &[&-step],
                )
                .unwrap();
        }
    }
    for table in conformance::TABLES {
        let columns: Vec<String> = client
            .query(
                "SELECT quote_ident(column_name::text) FROM information_schema.columns \
                 WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
                &[&schema, table],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        if columns.is_empty() {
            continue; // a table of a later schema
        }
        let columns = columns.join(", ");
        client
            .batch_execute(&format!(
                "INSERT INTO {schema}.{table} ({columns}) SELECT {columns} FROM {source}.{table}"
            ))
            .unwrap();
    }
    // Training events and the task force as those releases kept them: JSON documents.
    for (kind, code, document) in conformance::fixture::cooperation_records() {
        client
            .execute(
                "INSERT INTO cooperation_records (kind, code, document) VALUES ($1, $2, $3)",
                &[&kind, &code, &document],
            )
            .unwrap();
    }
    // Identities continue after the copied ids, as in the release's own database.
    for row in client
        .query(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = $1 AND is_identity = 'YES'",
            &[&schema],
        )
        .unwrap()
    {
        let (table, column): (String, String) = (row.get(0), row.get(1));
        client
            .batch_execute(&format!(
                "SELECT setval(pg_get_serial_sequence('{schema}.{table}', '{column}'), \
                 GREATEST(1, (SELECT COALESCE(MAX({column}), 0) FROM {schema}.{table})))"
            ))
            .unwrap();
    }

    let store = schemas.store_in(&schema);
    conformance::released_database_migrates_in_place(version as u32, &held, &store);
    // The history is refinery's now: every version, and the engine's step 1 (which ran with the
    // release) recorded, not run again; the older bookkeeping is a view of both.
    let row = client
        .query_one(
            "SELECT (SELECT array_agg(version ORDER BY version) FROM refinery_schema_history), \
                    (SELECT array_agg(version ORDER BY version) FROM refinery_postgres_steps), \
                    (SELECT relkind::text FROM pg_class WHERE relname = 'schema_migrations' \
                       AND relnamespace = current_schema()::regnamespace), \
                    (SELECT MIN(version)::bigint FROM schema_migrations)",
            &[],
        )
        .unwrap();
    let latest = synergies_store::latest_schema_version() as i32;
    assert_eq!(row.get::<_, Vec<i32>>(0), (1..=latest).collect::<Vec<_>>());
    assert_eq!(row.get::<_, Vec<i32>>(1), vec![1]);
    assert_eq!(row.get::<_, String>(2), "v");
    assert_eq!(row.get::<_, i64>(3), -1);
}

#[test]
fn a_database_of_schema_5_migrates_in_place() {
    a_released_database_migrates_in_place(5);
}

#[test]
fn a_database_of_schema_6_migrates_in_place() {
    a_released_database_migrates_in_place(6);
}
