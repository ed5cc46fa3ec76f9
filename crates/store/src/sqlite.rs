//! The embedded SQLite backend: one connection in WAL mode, each write method one
//! `BEGIN IMMEDIATE` transaction, bulk imports through cached prepared statements.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::Value;
use synergies_domain::activity::Activity;
use synergies_domain::agreement::Agreement;
use synergies_domain::cooperation::{ActionItem, TaskForceMeeting, TaskForceMember, TrainingEvent};
use synergies_domain::delivery::{Delivery, StoredDelivery};
use synergies_domain::ledger::{JournalEntry, TrialBalance};
use synergies_domain::mandate::Mandate;
use synergies_domain::model::*;
use synergies_domain::Period;

use crate::migrations::{self, Batch, Engine};
use crate::sql::{self, Arg, Db, RowGet};
use crate::*;

pub struct SqliteStore {
    /// The connection that writes (and reads, for an in-memory database).
    conn: Mutex<Connection>,
    /// Read-only connections of a file database (WAL lets them read while the writer writes),
    /// so that a server's concurrent page views do not queue behind one connection.
    readers: Vec<Mutex<Connection>>,
    next_reader: std::sync::atomic::AtomicUsize,
    /// The database file (`None` in memory).
    path: Option<std::path::PathBuf>,
}

/// Read-only connections kept open beside the writer for a file database.
const READERS: usize = 4;

/// A reader connection, held for one read; ends its read transaction when dropped.
struct ReadGuard<'a> {
    conn: MutexGuard<'a, Connection>,
    in_transaction: bool,
}

impl std::ops::Deref for ReadGuard<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.conn
    }
}

impl Drop for ReadGuard<'_> {
    fn drop(&mut self) {
        if self.in_transaction {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

fn db(e: rusqlite::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        db(e)
    }
}

fn invalid(what: &str, value: &str) -> StoreError {
    StoreError::Database(format!("stored {what} {value:?} is not valid"))
}

fn parse_date(s: &str) -> StoreResult<NaiveDate> {
    synergies_domain::period::parse_iso_date(s).ok_or_else(|| invalid("date", s))
}

/// Runs `f` in a `BEGIN IMMEDIATE` transaction, rolling back on any error.
impl RowGet for Row<'_> {
    fn text(&self, i: usize) -> StoreResult<String> {
        Ok(self.get(i)?)
    }
    fn opt_text(&self, i: usize) -> StoreResult<Option<String>> {
        Ok(self.get(i)?)
    }
    fn int(&self, i: usize) -> StoreResult<i64> {
        Ok(self.get(i)?)
    }
    fn opt_int(&self, i: usize) -> StoreResult<Option<i64>> {
        Ok(self.get(i)?)
    }
    fn date(&self, i: usize) -> StoreResult<NaiveDate> {
        parse_date(&self.get::<_, String>(i)?)
    }
    fn opt_date(&self, i: usize) -> StoreResult<Option<NaiveDate>> {
        self.get::<_, Option<String>>(i)?
            .map(|s| parse_date(&s))
            .transpose()
    }
}

/// A shared statement's parameter as SQLite stores it (dates as their ISO text).
impl rusqlite::ToSql for Arg<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value, ValueRef};
        Ok(match *self {
            Arg::Int(n) => ToSqlOutput::Owned(Value::Integer(n)),
            Arg::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Arg::Date(d) => ToSqlOutput::Owned(Value::Text(d.to_string())),
            Arg::OptDate(d) => match d {
                Some(d) => ToSqlOutput::Owned(Value::Text(d.to_string())),
                None => ToSqlOutput::Owned(Value::Null),
            },
            Arg::OptText(s) => match s {
                Some(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
                None => ToSqlOutput::Owned(Value::Null),
            },
            Arg::OptInt(n) => match n {
                Some(n) => ToSqlOutput::Owned(Value::Integer(n)),
                None => ToSqlOutput::Owned(Value::Null),
            },
            Arg::Decimal(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

/// The shared statements run on a connection (or its open transaction), prepared once per
/// connection; their `$n` are bound in order (see the `sql` module).
impl Db for &Connection {
    fn rows<T>(
        &mut self,
        sql: &str,
        args: &[Arg],
        mut map: impl FnMut(&dyn RowGet) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        let mut s = self.prepare_cached(sql)?;
        let mut rows = s.query(rusqlite::params_from_iter(args))?;
        let mut out = vec![];
        while let Some(r) = rows.next()? {
            out.push(map(r)?);
        }
        Ok(out)
    }

    fn each(
        &mut self,
        sql: &str,
        args: &[Arg],
        f: &mut dyn FnMut(&dyn RowGet) -> StoreResult<()>,
    ) -> StoreResult<()> {
        let mut s = self.prepare_cached(sql)?;
        let mut rows = s.query(rusqlite::params_from_iter(args))?;
        while let Some(r) = rows.next()? {
            f(r)?;
        }
        Ok(())
    }

    fn exec(&mut self, sql: &str, args: &[Arg]) -> StoreResult<u64> {
        let mut s = self.prepare_cached(sql)?;
        Ok(s.execute(rusqlite::params_from_iter(args))? as u64)
    }
}

impl Batch for &Connection {
    fn batch(&mut self, sql: &str) -> StoreResult<()> {
        Ok(self.execute_batch(sql)?)
    }
    fn has_table(&mut self, name: &str) -> StoreResult<bool> {
        let n: i64 = self.query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [name],
            |r| r.get(0),
        )?;
        Ok(n > 0)
    }
    fn has_relation(&mut self, name: &str) -> StoreResult<bool> {
        let n: i64 = self.query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?1",
            [name],
            |r| r.get(0),
        )?;
        Ok(n > 0)
    }
}

fn in_transaction<T>(
    conn: &Connection,
    f: impl FnOnce(&Connection) -> StoreResult<T>,
) -> StoreResult<T> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    match f(conn) {
        Ok(v) => {
            conn.execute_batch("COMMIT")?;
            Ok(v)
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

impl SqliteStore {
    pub fn open(path: &str) -> StoreResult<SqliteStore> {
        let open = || {
            Connection::open(path)
                .map_err(|e| StoreError::Database(format!("cannot open {path}: {e}")))
        };
        let mut store = Self::configure(open()?)?;
        store.path = Some(std::path::PathBuf::from(path));
        for _ in 0..READERS {
            let reader = open()?;
            Self::tune(&reader)?;
            reader.pragma_update(None, "query_only", "ON")?;
            store.readers.push(Mutex::new(reader));
        }
        Ok(store)
    }

    pub fn open_in_memory() -> StoreResult<SqliteStore> {
        Self::configure(Connection::open_in_memory()?)
    }

    /// What every connection of the store gets.
    fn tune(conn: &Connection) -> StoreResult<()> {
        wait_for_writers(conn)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "cache_size", -65_536)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        conn.pragma_update(None, "mmap_size", 128_i64 << 20)?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(())
    }

    fn configure(conn: Connection) -> StoreResult<SqliteStore> {
        wait_for_writers(&conn)?;
        // A database opened read-only keeps the journal mode it has (it cannot change it).
        if !conn.is_readonly(rusqlite::DatabaseName::Main)? {
            conn.pragma_update(None, "journal_mode", "WAL")?;
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // A 64 MiB page cache: bulk updates of a million deliveries stay in memory.
        conn.pragma_update(None, "cache_size", -65_536)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // Reads through a memory map instead of copying pages with pread.
        conn.pragma_update(None, "mmap_size", 128_i64 << 20)?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            readers: vec![],
            next_reader: std::sync::atomic::AtomicUsize::new(0),
            path: None,
        })
    }

    /// A connection for reading, inside a read transaction that sees one snapshot until the
    /// guard is dropped: a free reader if there is one, else the next in turn; the writer's
    /// connection (without a transaction) for an in-memory database.
    fn reader(&self) -> ReadGuard<'_> {
        if self.readers.is_empty() {
            return ReadGuard {
                conn: self.conn(),
                in_transaction: false,
            };
        }
        let conn = self
            .readers
            .iter()
            .find_map(|r| r.try_lock().ok())
            .unwrap_or_else(|| {
                let i = self
                    .next_reader
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                    % self.readers.len();
                self.readers[i].lock().unwrap_or_else(|p| p.into_inner())
            });
        // A deferred transaction takes its snapshot at the first read.
        let in_transaction = conn.execute_batch("BEGIN").is_ok();
        ReadGuard {
            conn,
            in_transaction,
        }
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves no half transaction (SQLite rolls back), so a
        // poisoned lock is safe to reuse.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn write<T>(&self, f: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let conn = self.conn();
        in_transaction(&conn, f)
    }

    /// [`Self::write`] with the change's audit event, its outcome the value `f` returns, in
    /// the same transaction.
    /// When `changed` says the outcome changed nothing (an idempotent repeat), no event.
    fn write_audited<T: serde::Serialize>(
        &self,
        audit: &Audit,
        changed: fn(&T) -> bool,
        f: impl FnOnce(&Connection) -> StoreResult<T>,
    ) -> StoreResult<T> {
        self.write(|c| {
            let outcome = f(c)?;
            if changed(&outcome) {
                insert_audit(c, audit, serde_json::to_value(&outcome).unwrap_or_default())?;
            }
            Ok(outcome)
        })
    }

    fn read_users(&self, username: Option<&str>) -> StoreResult<Vec<UserRecord>> {
        sql::users(&*self.reader(), username)
    }
}

/// Writes an audit event in the caller's transaction.
fn insert_audit(c: &Connection, audit: &Audit, outcome: Value) -> StoreResult<()> {
    sql::insert_audit(c, audit, outcome)
}

/// Removes the staging files that restores into `name` killed before they could clean up
/// left in `dir`: those whose process (the number in their name) no longer runs. Where that
/// cannot be told (no `/proc`), nothing is removed.
fn remove_stale_staging(dir: &std::path::Path, name: &str) {
    let prefix = format!(".{name}.restore-");
    if !std::path::Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix(&prefix) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// A staging database beside a SQLite store (see [`Maintenance::stage`]).
struct SqliteStaged<'a> {
    target: &'a SqliteStore,
    store: Option<SqliteStore>,
    /// The staging file, removed when dropped (`None` in memory).
    file: Option<tempfile::TempPath>,
}

impl Staged for SqliteStaged<'_> {
    fn store(&self) -> &dyn Store {
        self.store.as_ref().expect("present until replaced")
    }

    fn replace_target(mut self: Box<Self>, require_empty: bool) -> StoreResult<()> {
        let staged = self.store.take().expect("present until replaced");
        let result = (|| {
            let source = staged.conn();
            let mut target = self.target.conn();
            if require_empty {
                let n: i64 = TABLES
                    .iter()
                    .map(|t| {
                        target
                            .query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0))
                            .unwrap_or(0)
                    })
                    .sum();
                if n > 0 {
                    return Err(StoreError::Conflict(format!(
                        "the target database is not empty ({n} rows); nothing was written"
                    )));
                }
            }
            // SQLite's online backup, all pages in one step: a single write transaction of
            // the target, which readers see whole or not at all, and which a crash rolls back.
            let backup = rusqlite::backup::Backup::new(&source, &mut target)?;
            match backup.step(-1)? {
                rusqlite::backup::StepResult::Done => Ok(()),
                other => Err(StoreError::Database(format!(
                    "the target database could not be replaced ({other:?}): another program \
                     holds it; nothing was changed"
                ))),
            }
        })();
        drop(staged);
        result
    }
}

impl Drop for SqliteStaged<'_> {
    fn drop(&mut self) {
        // Close every connection first, then remove the file and what SQLite kept beside it.
        self.store = None;
        if let Some(file) = self.file.take() {
            let path = file.to_path_buf();
            drop(file);
            for suffix in ["-wal", "-shm", "-journal"] {
                let mut p = path.clone().into_os_string();
                p.push(suffix);
                let _ = std::fs::remove_file(p);
            }
        }
    }
}

impl Maintenance for SqliteStore {
    fn engine(&self) -> &'static str {
        "sqlite"
    }

    fn migrate(&self) -> StoreResult<u32> {
        let conn = self.conn();
        // The write lock (`BEGIN IMMEDIATE`, waited for by the busy handler) is held from the
        // first read of the history to the commit: a second process migrating at once waits,
        // then finds the migrations applied.
        in_transaction(&conn, |mut c| migrations::migrate(&mut c, Engine::Sqlite))
    }

    fn schema_version(&self) -> StoreResult<u32> {
        let conn = self.conn();
        let exists: bool = conn.query_row(
            "SELECT COUNT(*) > 0 FROM sqlite_master WHERE name = 'schema_migrations'",
            [],
            |r| r.get(0),
        )?;
        if !exists {
            return Ok(0);
        }
        sql::schema_version(&*conn)
    }

    fn is_empty(&self) -> StoreResult<bool> {
        let n: i64 = self
            .conn()
            .query_row("SELECT COUNT(*) FROM organisations", [], |r| r.get(0))?;
        Ok(n == 0)
    }

    fn table_counts(&self) -> StoreResult<Vec<(String, i64)>> {
        let conn = self.conn();
        TABLES
            .iter()
            .map(|t| {
                let n: i64 =
                    conn.query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0))?;
                Ok((t.to_string(), n))
            })
            .collect()
    }

    fn dump(&self, sink: &mut dyn FnMut(DumpItem) -> StoreResult<()>) -> StoreResult<()> {
        let conn = self.conn();
        // A read transaction: WAL gives it a snapshot that concurrent writers do not disturb.
        conn.execute_batch("BEGIN DEFERRED")?;
        let result = (|| {
            for table in TABLES {
                // Rows in primary-key order (byte order for text keys), as every backend
                // dumps them, so that dumps of the same data are equal whatever the engine.
                let mut key: Vec<(i64, String)> = conn
                    .prepare(&format!("PRAGMA table_info({table})"))?
                    .query_map([], |r| Ok((r.get(5)?, r.get(1)?)))?
                    .collect::<Result<_, _>>()?;
                key.retain(|(position, _)| *position > 0);
                key.sort();
                let order = if key.is_empty() {
                    "rowid".to_string()
                } else {
                    key.into_iter()
                        .map(|(_, c)| c)
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let mut stmt = conn.prepare(&format!("SELECT * FROM {table} ORDER BY {order}"))?;
                let columns: Vec<String> =
                    stmt.column_names().iter().map(|c| c.to_string()).collect();
                sink(DumpItem::Table {
                    table: table.to_string(),
                    columns: columns.clone(),
                })?;
                let mut rows = stmt.query([])?;
                while let Some(r) = rows.next()? {
                    let mut values = Vec::with_capacity(columns.len());
                    for (i, column) in columns.iter().enumerate() {
                        values.push(match r.get_ref(i)? {
                            rusqlite::types::ValueRef::Null => Value::Null,
                            rusqlite::types::ValueRef::Integer(n) => Value::from(n),
                            rusqlite::types::ValueRef::Text(t) => {
                                Value::from(String::from_utf8_lossy(t).into_owned())
                            }
                            other => {
                                return Err(StoreError::Database(format!(
                                    "{table}.{column}: unexpected stored type {:?}",
                                    other.data_type()
                                )))
                            }
                        });
                    }
                    sink(DumpItem::Row(values))?;
                }
            }
            Ok(())
        })();
        let _ = conn.execute_batch("COMMIT");
        result
    }

    fn restore(
        &self,
        source: &mut dyn FnMut() -> StoreResult<Option<DumpItem>>,
    ) -> StoreResult<()> {
        self.write(|c| {
            for table in TABLES {
                let n: i64 =
                    c.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?;
                if n > 0 {
                    return Err(StoreError::Conflict(format!(
                        "the target database is not empty ({table} has {n} rows)"
                    )));
                }
            }
            let mut check = crate::shape::RestoreCheck::default();
            let mut insert: Option<rusqlite::Statement> = None;
            while let Some(item) = source()? {
                match item {
                    DumpItem::Table { table, columns } => {
                        // Known table and exactly its columns: safe to name in SQL.
                        let shape = check.table(&table, &columns)?;
                        let sql = format!(
                            "INSERT INTO {} ({}) VALUES ({})",
                            shape.name,
                            columns.join(", "),
                            (1..=columns.len())
                                .map(|i| format!("?{i}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        );
                        insert = Some(c.prepare(&sql)?);
                    }
                    DumpItem::Row(values) => {
                        check.row(&values)?;
                        let Some(stmt) = insert.as_mut() else {
                            return Err(StoreError::Invalid("a row before its table".into()));
                        };
                        let params: Vec<rusqlite::types::Value> = values
                            .into_iter()
                            .map(|v| match v {
                                Value::Null => Ok(rusqlite::types::Value::Null),
                                Value::Number(n) => {
                                    n.as_i64().map(rusqlite::types::Value::Integer).ok_or_else(
                                        || StoreError::Invalid(format!("{n} is not an integer")),
                                    )
                                }
                                Value::String(s) => Ok(rusqlite::types::Value::Text(s)),
                                other => {
                                    Err(StoreError::Invalid(format!("unexpected value {other}")))
                                }
                            })
                            .collect::<StoreResult<_>>()?;
                        stmt.execute(rusqlite::params_from_iter(params))?;
                    }
                }
            }
            Ok(())
        })
    }

    fn erase_all(&self) -> StoreResult<()> {
        self.write(|c| {
            // The immutability triggers guard against mistakes; erasing is deliberate, so they
            // are lifted for this transaction only and restored before it commits.
            let triggers: Vec<(String, String)> = c
                .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            for (name, _) in &triggers {
                c.execute_batch(&format!("DROP TRIGGER {name}"))?;
            }
            for table in TABLES.iter().rev() {
                c.execute_batch(&format!("DELETE FROM {table}"))?;
            }
            for (_, sql) in &triggers {
                c.execute_batch(sql)?;
            }
            Ok(())
        })
    }

    fn stage(&self) -> StoreResult<Box<dyn Staged + '_>> {
        let (file, store) = match &self.path {
            None => (None, SqliteStore::open_in_memory()?),
            Some(path) => {
                // Beside the target, so that it is on the same filesystem, under a unique name
                // that says what it is; removed (with its -wal and -shm) when dropped.
                let dir = match path.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                    _ => std::path::PathBuf::from("."),
                };
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                remove_stale_staging(&dir, &name);
                let file = tempfile::Builder::new()
                    .prefix(&format!(".{name}.restore-{}-", std::process::id()))
                    .suffix(".tmp")
                    .tempfile_in(&dir)
                    .map_err(|e| {
                        StoreError::Database(format!(
                            "cannot create a staging database in {}: {e}",
                            dir.display()
                        ))
                    })?
                    .into_temp_path();
                let store = SqliteStore::open(&file.to_string_lossy())?;
                (Some(file), store)
            }
        };
        let mut staged = SqliteStaged {
            target: self,
            store: Some(store),
            file,
        };
        staged.store().migrate()?;
        // A staging database is thrown away after a crash: it need not wait for the disk.
        staged
            .store
            .as_mut()
            .expect("present until replaced")
            .conn()
            .pragma_update(None, "synchronous", "OFF")?;
        Ok(Box::new(staged))
    }
}

impl ReferenceData for SqliteStore {
    fn save_framework(&self, f: &Framework, audit: &Audit) -> StoreResult<()> {
        self.write_audited(audit, |_| true, |c| sql::save_framework(c, f))
    }

    fn framework(&self) -> StoreResult<Framework> {
        let c = self.reader();
        sql::read_framework(&*c)
    }
}

impl Agreements for SqliteStore {
    fn insert_agreements(&self, agreements: &[(&Agreement, &Audit)]) -> StoreResult<()> {
        self.write(|c| {
            for (a, audit) in agreements {
                sql::insert_agreement(c, a)?;
                insert_audit(c, audit, Value::Null)?;
            }
            Ok(())
        })
    }

    fn update_agreement(&self, a: &Agreement, audit: &Audit) -> StoreResult<()> {
        self.write_audited(
            audit,
            |_| true,
            |c| sql::update_agreement(c, sql::agreement_id(c, &a.code)?, a),
        )
    }

    fn agreements(&self) -> StoreResult<Vec<Agreement>> {
        sql::agreements(&*self.reader(), None)
    }

    fn agreement(&self, code: &str) -> StoreResult<Option<Agreement>> {
        Ok(sql::agreements(&*self.reader(), Some(code))?.pop())
    }
}

impl Deliveries for SqliteStore {
    fn import_deliveries(&self) -> StoreResult<Box<dyn DeliveryImport + '_>> {
        let conn = self.conn();
        conn.execute_batch("BEGIN IMMEDIATE")?;
        Ok(Box::new(SqliteImport {
            conn,
            agreement_ids: HashMap::new(),
            not_inserted: vec![],
            open: true,
        }))
    }

    fn for_each_delivery(
        &self,
        filter: &DeliveryFilter,
        f: &mut dyn FnMut(StoredDelivery) -> StoreResult<()>,
    ) -> StoreResult<()> {
        sql::for_each_delivery(&*self.conn(), filter, f)
    }

    fn accept_deliveries(
        &self,
        agreement: Option<&str>,
        through: Option<NaiveDate>,
        accepted_on: NaiveDate,
        audit: &Audit,
    ) -> StoreResult<u64> {
        self.write_audited(
            audit,
            |_| true,
            |c| sql::accept_deliveries(c, agreement, through, accepted_on),
        )
    }

    fn dispute_delivery(
        &self,
        agreement: &str,
        external_id: &str,
        reason: &str,
        audit: &Audit,
    ) -> StoreResult<()> {
        self.write_audited(
            audit,
            |_| true,
            |c| sql::dispute_delivery(c, agreement, external_id, reason),
        )
    }

    fn deliveries_page(
        &self,
        filter: &DeliveryFilter,
        page: Page,
    ) -> StoreResult<Vec<StoredDelivery>> {
        sql::deliveries_page(&*self.reader(), filter, page)
    }

    fn delivery_tally(&self) -> StoreResult<Vec<DeliveryTally>> {
        sql::delivery_tally(&*self.reader())
    }
}

impl Ledger for SqliteStore {
    fn post_closings(
        &self,
        closings: &[NewClosing],
        audit: &Audit,
    ) -> StoreResult<Vec<Option<i64>>> {
        self.write_audited(
            audit,
            |posted: &Vec<Option<i64>>| posted.iter().any(Option::is_some),
            |c| {
                check_priced_with(&sql::read_framework(c)?, closings)?;
                let mut results = Vec::with_capacity(closings.len());
                // Per period: (agreement id, closing id, through delivery id, expected count).
                let mut marks: HashMap<Period, Vec<sql::Mark>> = HashMap::new();
                for closing in closings {
                    let mark = sql::post_closing(c, closing)?;
                    results.push(mark.map(|m| m.1));
                    if let Some(mark) = mark {
                        marks.entry(closing.period).or_default().push(mark);
                    }
                }
                for (period, marks) in marks {
                    mark_charged_deliveries(c, period, &marks)?;
                }
                Ok(results)
            },
        )
    }

    fn closings(&self, agreement: Option<&str>) -> StoreResult<Vec<ClosingRecord>> {
        sql::closings(&*self.reader(), agreement)
    }

    fn reverse_closing(
        &self,
        closing: i64,
        reversals: &[JournalEntry],
        audit: &Audit,
    ) -> StoreResult<()> {
        self.write_audited(
            audit,
            |_| true,
            |c| {
                let status: Option<String> = c
                    .query_row(
                        "SELECT status FROM closings WHERE id = ?1",
                        [closing],
                        |r| r.get(0),
                    )
                    .optional()?;
                match status.as_deref() {
                    None => return Err(StoreError::NotFound(format!("no closing {closing}"))),
                    Some("reversed") => {
                        return Err(StoreError::Conflict(format!(
                            "closing {closing} is already reversed"
                        )))
                    }
                    _ => {}
                }
                sql::reverse_closing(c, closing, reversals)
            },
        )
    }

    fn charges(&self, filter: &ChargeFilter) -> StoreResult<Vec<ChargeRecord>> {
        sql::charges(&*self.reader(), filter)
    }

    fn charge_totals(
        &self,
        agreement: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<ChargeTotal>> {
        sql::charge_totals(&*self.conn(), agreement, from, to)
    }

    fn post_entry(&self, entry: &JournalEntry, audit: &Audit) -> StoreResult<Option<i64>> {
        self.write_audited(
            audit,
            |posted: &Option<i64>| posted.is_some(),
            |c| sql::write_entry(c, entry),
        )
    }

    fn entry(&self, id: i64) -> StoreResult<Option<JournalEntry>> {
        sql::entry(&*self.conn(), id)
    }

    fn entry_id_by_key(&self, key: &str) -> StoreResult<Option<i64>> {
        sql::entry_id_by_key(&*self.conn(), key)
    }

    fn for_each_entry(
        &self,
        f: &mut dyn FnMut(JournalEntry) -> StoreResult<()>,
    ) -> StoreResult<()> {
        sql::for_each_entry(&*self.conn(), f)
    }

    fn trial_balance(&self) -> StoreResult<TrialBalance> {
        sql::trial_balance(&*self.reader())
    }
}

impl Registry for SqliteStore {
    fn save_decision(&self, d: &DecisionRecord, audit: &Audit) -> StoreResult<bool> {
        self.write_audited(audit, |_| true, |c| sql::write_decision(c, d))
    }

    fn decisions(&self) -> StoreResult<Vec<DecisionRecord>> {
        sql::decisions(&*self.conn())
    }

    fn update_decision(
        &self,
        number: &str,
        status: synergies_domain::decision::DecisionStatus,
        adopted_on: Option<NaiveDate>,
        audit: &Audit,
    ) -> StoreResult<()> {
        self.write_audited(
            audit,
            |_| true,
            |c| {
                let n = sql::set_decision_status(c, number, status, adopted_on)?;
                if n == 0 {
                    return Err(StoreError::NotFound(format!("no decision {number}")));
                }
                Ok(())
            },
        )
    }

    fn save_mandates(&self, mandates: &[Mandate], audit: &Audit) -> StoreResult<()> {
        self.write_audited(audit, |_| true, |c| sql::write_mandates(c, mandates))
    }

    fn save_decision_and_mandates(
        &self,
        d: &DecisionRecord,
        mandates: &[Mandate],
        audit: &Audit,
    ) -> StoreResult<bool> {
        self.write_audited(
            audit,
            |_| true,
            |c| {
                let new = sql::write_decision(c, d)?;
                sql::write_mandates(c, mandates)?;
                Ok(new)
            },
        )
    }

    fn mandates(&self, decision: Option<&str>) -> StoreResult<Vec<Mandate>> {
        sql::mandates(&*self.conn(), decision)
    }

    fn update_mandate(
        &self,
        decision: &str,
        paragraph: &str,
        note: &MandateNote,
        audit: &Audit,
    ) -> StoreResult<()> {
        self.write_audited(
            audit,
            |_| true,
            |c| sql::update_mandate(c, decision, paragraph, note),
        )
    }

    fn mandate_notes(&self, decision: &str, paragraph: &str) -> StoreResult<Vec<MandateNote>> {
        sql::mandate_notes(&*self.conn(), decision, paragraph)
    }

    fn link_mandate(&self, link: &MandateLink, audit: &Audit) -> StoreResult<bool> {
        self.write_audited(
            audit,
            |changed: &bool| *changed,
            |c| {
                let agreement: bool = c.query_row(
                    "SELECT COUNT(*) > 0 FROM agreements WHERE code = ?1",
                    [&link.agreement],
                    |r| r.get(0),
                )?;
                let mandate: bool = c.query_row(
                    "SELECT COUNT(*) > 0 FROM mandates WHERE decision = ?1 AND paragraph = ?2",
                    params![link.decision, link.paragraph],
                    |r| r.get(0),
                )?;
                if !agreement || !mandate {
                    return Err(unknown_link(link, agreement));
                }
                sql::link_mandate(c, link)
            },
        )
    }

    fn unlink_mandate(&self, link: &MandateLink, audit: &Audit) -> StoreResult<bool> {
        self.write_audited(
            audit,
            |changed: &bool| *changed,
            |c| sql::unlink_mandate(c, link),
        )
    }

    fn mandate_links(&self, agreement: Option<&str>) -> StoreResult<Vec<MandateLink>> {
        sql::mandate_links(&*self.conn(), agreement)
    }
}

impl Cooperation for SqliteStore {
    fn save_activities(&self, activities: &[Activity], audit: &Audit) -> StoreResult<()> {
        self.write_audited(audit, |_| true, |c| sql::save_activities(c, activities))
    }

    fn activities(&self, biennium: Option<&str>) -> StoreResult<Vec<Activity>> {
        sql::activities(&*self.conn(), biennium)
    }

    fn save_training_events(&self, events: &[TrainingEvent], audit: &Audit) -> StoreResult<()> {
        self.write_audited(audit, |_| true, |c| sql::save_training_events(c, events))
    }

    fn training_events(&self) -> StoreResult<Vec<TrainingEvent>> {
        sql::training_events(&*self.reader())
    }

    fn save_task_force(
        &self,
        members: &[TaskForceMember],
        meetings: &[TaskForceMeeting],
        action_items: &[ActionItem],
        audit: &Audit,
    ) -> StoreResult<()> {
        self.write_audited(
            audit,
            |_| true,
            |c| sql::save_task_force(c, members, meetings, action_items),
        )
    }

    fn task_force_members(&self) -> StoreResult<Vec<TaskForceMember>> {
        sql::task_force_members(&*self.reader())
    }

    fn task_force_meetings(&self) -> StoreResult<Vec<TaskForceMeeting>> {
        sql::task_force_meetings(&*self.reader())
    }

    fn action_items(&self) -> StoreResult<Vec<ActionItem>> {
        sql::action_items(&*self.reader())
    }
}

impl Identity for SqliteStore {
    fn save_user(
        &self,
        user: &UserRecord,
        end_sign_ins_at: Option<&str>,
        audit: &Audit,
    ) -> StoreResult<SignInsEnded> {
        self.write_audited(
            audit,
            |_| true,
            |c| sql::save_user(c, user, end_sign_ins_at),
        )
    }

    fn user(&self, username: &str) -> StoreResult<Option<UserRecord>> {
        Ok(self.read_users(Some(username))?.pop())
    }

    fn users(&self) -> StoreResult<Vec<UserRecord>> {
        self.read_users(None)
    }

    fn create_session(&self, session: &SessionRecord) -> StoreResult<()> {
        self.write(|c| sql::create_session(c, session))
    }

    fn session(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>> {
        sql::session(&*self.reader(), token_hash)
    }

    fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        self.write(|c| sql::delete_session(c, token_hash))
    }

    fn create_api_token(&self, t: &NewApiToken) -> StoreResult<i64> {
        self.write(|c| sql::create_api_token(c, t))
    }

    fn api_tokens(&self, username: &str) -> StoreResult<Vec<ApiTokenRecord>> {
        sql::api_tokens(&*self.reader(), username)
    }

    fn revoke_api_token(&self, username: &str, id: i64, at: &str) -> StoreResult<bool> {
        self.write(|c| sql::revoke_api_token(c, username, id, at))
    }

    fn api_token_owner(&self, token_hash: &str, now: &str) -> StoreResult<Option<String>> {
        sql::api_token_owner(&*self.reader(), token_hash, now)
    }
}

impl AuditTrail for SqliteStore {
    fn audit(&self, actor: &str, action: &str, subject: &str, detail: &Value) -> StoreResult<()> {
        let event = Audit::new(actor, action, subject, detail.clone());
        self.write(|c| insert_audit(c, &event, Value::Null))
    }

    fn audit_events(&self, filter: &AuditFilter, limit: u64) -> StoreResult<Vec<AuditEvent>> {
        sql::audit_events(&*self.reader(), filter, limit)
    }
}

/// Marks the deliveries of each closing of one period in a single pass over the table, and
/// checks that each closing got exactly the deliveries it was computed from.
fn mark_charged_deliveries(
    c: &Connection,
    period: Period,
    marks: &[(i64, i64, i64, u64)],
) -> StoreResult<()> {
    c.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS closing_marks (\
             agreement_id INTEGER PRIMARY KEY, closing_id INTEGER NOT NULL, \
             through_id INTEGER NOT NULL); \
         DELETE FROM closing_marks;",
    )?;
    for (aid, closing_id, through, _) in marks {
        c.prepare_cached(
            "INSERT INTO closing_marks (agreement_id, closing_id, through_id) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![aid, closing_id, through])?;
    }
    // `+d.agreement_id` keeps the planner on one sequential scan of the deliveries. A delivery
    // already charged is skipped by its primary key in closing_deliveries (OR IGNORE) and
    // so missing from the counts below.
    let mut stmt = c.prepare_cached(
        "INSERT OR IGNORE INTO closing_deliveries (delivery_id, closing_id) \
         SELECT d.id, m.closing_id FROM deliveries AS d \
         JOIN closing_marks AS m ON m.agreement_id = +d.agreement_id \
         WHERE d.date >= ?1 AND d.date <= ?2 AND d.status = 'accepted' \
           AND d.id <= m.through_id \
         RETURNING closing_id",
    )?;
    let mut counts: HashMap<i64, u64> = HashMap::new();
    let mut rows = stmt.query(params![
        period.first_day().to_string(),
        period.last_day().to_string()
    ])?;
    while let Some(r) = rows.next()? {
        *counts.entry(r.get(0)?).or_default() += 1;
    }
    drop(rows);
    for (_, closing_id, _, expected) in marks {
        let marked = counts.get(closing_id).copied().unwrap_or(0);
        if marked != *expected {
            return Err(StoreError::Conflict(format!(
                "the deliveries of closing {closing_id} ({period}) changed while it was being \
                 computed ({expected} expected, {marked} found); run close again"
            )));
        }
    }
    c.execute_batch("DELETE FROM closing_marks")?;
    Ok(())
}

/// A delivery import holding the connection and an open transaction.
struct SqliteImport<'a> {
    conn: MutexGuard<'a, Connection>,
    agreement_ids: HashMap<String, i64>,
    /// Staged deliveries that were not inserted, with their tags, until the next flush.
    not_inserted: Vec<(u64, AddOutcome)>,
    open: bool,
}

impl SqliteImport<'_> {
    fn agreement_id(&mut self, code: &str) -> StoreResult<i64> {
        if let Some(id) = self.agreement_ids.get(code) {
            return Ok(*id);
        }
        let id = sql::agreement_id(&*self.conn, code)?;
        self.agreement_ids.insert(code.to_string(), id);
        Ok(id)
    }

    /// Inserts a delivery at once (SQLite's fast path: a cached prepared statement in the open
    /// transaction), or tells how it matches the delivery already recorded under its id.
    fn insert(&mut self, d: &Delivery) -> StoreResult<AddOutcome> {
        let aid = self.agreement_id(&d.agreement)?;
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO deliveries (agreement_id, service, date, quantity, grade, \
                 expense_minor, expense_currency, description, external_id) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
                 ON CONFLICT(agreement_id, external_id) DO NOTHING",
            )?
            .execute(params![
                aid,
                d.service,
                d.date.to_string(),
                d.quantity.to_string(),
                d.grade,
                d.expense.map(|e| e.minor),
                d.expense.map(|e| e.currency.code().to_string()),
                d.description,
                d.external_id
            ])?;
        if inserted == 1 {
            return Ok(AddOutcome::Inserted);
        }
        let existing = sql::recorded_delivery(&*self.conn, aid, &d.agreement, &d.external_id)?
            .ok_or_else(|| {
                StoreError::Database(format!(
                    "delivery {} of {} was neither inserted nor found",
                    d.external_id, d.agreement
                ))
            })?;
        if existing.delivery.same_content(d) {
            Ok(AddOutcome::Identical)
        } else {
            Ok(AddOutcome::Conflict(existing.delivery))
        }
    }
}

impl DeliveryImport for SqliteImport<'_> {
    fn stage(&mut self, tag: u64, d: &Delivery) -> StoreResult<()> {
        match self.insert(d)? {
            AddOutcome::Inserted => {}
            other => self.not_inserted.push((tag, other)),
        }
        Ok(())
    }

    fn flush(&mut self) -> StoreResult<Vec<(u64, AddOutcome)>> {
        Ok(std::mem::take(&mut self.not_inserted))
    }

    fn for_each_pending(
        &mut self,
        agreement: &str,
        f: &mut dyn FnMut(&Delivery) -> StoreResult<()>,
    ) -> StoreResult<()> {
        let aid = self.agreement_id(agreement)?;
        sql::for_each_pending(&*self.conn, aid, agreement, f)
    }

    fn charged_total(&mut self, agreement: &str) -> StoreResult<i64> {
        let aid = self.agreement_id(agreement)?;
        sql::charged_total(&*self.conn, aid)
    }

    fn commit(mut self: Box<Self>, audit: &Audit) -> StoreResult<()> {
        insert_audit(&self.conn, audit, Value::Null)?;
        self.open = false;
        self.conn.execute_batch("COMMIT").map_err(|e| {
            let _ = self.conn.execute_batch("ROLLBACK");
            db(e)
        })
    }
}

impl Drop for SqliteImport<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Opening an existing database, read-only when it cannot be written, and waiting for writers.

/// How many times a connection asks again for a lock another connection holds before it gives
/// up: with the pauses of [`busy`], about an hour, longer than the longest write (a million
/// deliveries imported or closed). A lock is only ever held by a live process (the operating
/// system releases a killed process's locks), so waiting is waiting for it to finish.
const BUSY_RETRIES: i32 = 36_000;

/// SQLite's busy handler: called with how many times it was already called for this lock.
/// Says once, through [`crate::wait_notice`], why the command waits; then pauses (1, 2, 4, …
/// 64 ms, then 100 ms) and asks again, up to [`BUSY_RETRIES`] times.
fn busy(attempt: i32) -> bool {
    if attempt == 0 {
        crate::wait_notice("the database is locked by another writer; waiting for it to finish");
    }
    let pause = if attempt < 7 { 1 << attempt } else { 100 };
    std::thread::sleep(std::time::Duration::from_millis(pause));
    attempt < BUSY_RETRIES
}

/// Writers wait for each other: a connection that finds the database locked waits (see
/// [`busy`]) rather than failing at once with "database is locked". Every write starts with
/// `BEGIN IMMEDIATE`, which takes the write lock through this handler: a deferred transaction
/// that upgrades to a write gets SQLITE_BUSY without waiting.
fn wait_for_writers(conn: &Connection) -> StoreResult<()> {
    conn.busy_handler(Some(busy))?;
    Ok(())
}

/// Whether this process can write `path` and the directory its journal files go in.
fn writable(path: &std::path::Path) -> bool {
    if std::fs::OpenOptions::new().write(true).open(path).is_err() {
        return false;
    }
    // WAL mode creates `-wal` and `-shm` beside the database: the directory must take them
    // (unless they exist and are writable).
    let side = |suffix: &str| {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        std::path::PathBuf::from(p)
    };
    let (wal, shm) = (side("-wal"), side("-shm"));
    let open_rw = |p: &std::path::Path| std::fs::OpenOptions::new().write(true).open(p).is_ok();
    if open_rw(&wal) && open_rw(&shm) {
        return true;
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    // Named as the atomic writes' temporaries: should this process die before removing
    // it, the next run that writes into the directory removes it.
    let probe = dir.join(format!(".synergies-tmp-{}-probe", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            true
        }
        Err(e) => e.kind() == std::io::ErrorKind::AlreadyExists,
    }
}

/// `path` as the file part of an SQLite URI (`?`, `#` and `%` escaped).
fn uri_path(path: &std::path::Path) -> String {
    let mut out = String::new();
    for c in path.to_string_lossy().chars() {
        match c {
            '?' | '#' | '%' => out.push_str(&format!("%{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

impl SqliteStore {
    /// Opens the database file `path`, which must exist: a mistyped path is `NotFound`, never
    /// a new empty database (`synergies init` creates one). A database that this process cannot
    /// write (a read-only file, directory or file system) is opened read-only: it can be read,
    /// and every write fails with SQLite's "attempt to write a readonly database".
    pub fn open_existing(path: &str) -> StoreResult<SqliteStore> {
        let file = std::path::Path::new(path);
        match std::fs::metadata(file) {
            // Opening it would write a header into it: refused as it is.
            Ok(m) if m.is_file() && m.len() == 0 => {
                return Err(StoreError::Invalid(format!(
                    "{path} is an empty file, not a Synergies database yet: create it with \
                     `synergies init`"
                )))
            }
            Ok(m) if m.is_file() => {}
            Ok(_) => {
                return Err(StoreError::Invalid(format!(
                    "{path} is not a database file"
                )))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::NotFound(format!(
                    "there is no database at {path}: check the path, or create one with \
                     `synergies init` (or `synergies demo`)"
                )))
            }
            Err(e) => return Err(StoreError::Database(format!("cannot open {path}: {e}"))),
        }
        if writable(file) {
            Self::open(path)
        } else {
            Self::open_read_only(file)
        }
    }

    /// Opens a database that cannot be written: read-only and `immutable` (SQLite then takes no
    /// lock and creates no `-wal` or `-shm` file, which a read-only directory could not hold).
    ///
    /// Unless a write-ahead log holds transactions not yet copied into the file (a writer
    /// still had the database open, or was killed): then it is opened read-only but not
    /// immutable, so that SQLite reads the log too (it can, with the `-shm` beside it); and
    /// when it cannot, the open is refused rather than showing the data without them.
    fn open_read_only(path: &std::path::Path) -> StoreResult<SqliteStore> {
        use rusqlite::OpenFlags;
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let logged = std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0);
        let uri = if logged {
            format!("file:{}?mode=ro", uri_path(path))
        } else {
            format!("file:{}?immutable=1", uri_path(path))
        };
        let conn = Connection::open_with_flags(
            &uri,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| StoreError::Database(format!("cannot open {}: {e}", path.display())))?;
        if logged {
            conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| {
                r.get::<_, i64>(0)
            })
            .map_err(|e| {
                StoreError::Database(format!(
                    "{} cannot be written and its write-ahead log cannot be read ({e}): \
                         open it once where it can be written, so that the log is copied \
                         into the file",
                    path.display()
                ))
            })?;
        }
        let store = Self::configure(conn)?;
        store.conn().pragma_update(None, "query_only", "ON")?;
        Ok(store)
    }

    /// Whether the store was opened read-only.
    pub fn read_only(&self) -> bool {
        self.conn()
            .is_readonly(rusqlite::DatabaseName::Main)
            .unwrap_or(false)
    }
}
