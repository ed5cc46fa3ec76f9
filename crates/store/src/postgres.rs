//! The PostgreSQL backend: a small pool (r2d2) of synchronous connections, each write method one
//! transaction (retried whole when PostgreSQL reports a deadlock or a serialization failure),
//! bulk imports through `COPY` straight into `deliveries` (through a temporary staging table
//! when rows are already recorded). The references that bulk writes hit row by row are
//! checked once per statement (the engine's own migration step 1,
//! `migrations/postgres_steps/V1__deliveries_checked_per_statement.sql`).
//!
//! Behaviour equals the SQLite backend's wherever the conformance suite looks. The schema uses
//! native types where they are exact (BIGINT, NUMERIC, DATE); every text column compares in
//! byte order (`COLLATE "C"`), as SQLite's do; NUMERIC values are read and written as their
//! text, so a decimal keeps the notation it was written with (`1.50`).

use std::collections::{HashMap, HashSet};
use std::io::Write as _;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use ::postgres::error::SqlState;
use ::postgres::fallible_iterator::FallibleIterator;
use ::postgres::types::ToSql;
use ::postgres::{Client, Config, NoTls, Row, Statement};
use chrono::NaiveDate;
use r2d2_postgres::PostgresConnectionManager;
use rust_decimal::Decimal;
use serde_json::Value;
use synergies_domain::activity::Activity;
use synergies_domain::agreement::Agreement;
use synergies_domain::cooperation::{ActionItem, TaskForceMeeting, TaskForceMember, TrainingEvent};
use synergies_domain::delivery::{Delivery, StoredDelivery};
use synergies_domain::ledger::{JournalEntry, TrialBalance};
use synergies_domain::mandate::Mandate;
use synergies_domain::model::*;
use synergies_domain::{Currency, Money, Period};

use crate::migrations::{self, Batch, Engine};
use crate::sql::{self, Arg, Db, Mark, RowGet};
use crate::*;

/// The most connections one store opens.
const POOL_SIZE: u32 = 8;
/// How long a caller waits for a free connection before giving up.
const POOL_WAIT: Duration = Duration::from_secs(60);
/// How many times a write transaction is retried after a deadlock or serialization failure.
const RETRIES: u32 = 8;
/// The first key of the advisory lock that a staging schema's owner holds (ASCII "SYNR"); the
/// second is a hash of the schema's name.
const STAGING_LOCK: i32 = 0x5359_4E52;
/// The first key of the advisory lock that serialises migrations (ASCII "SYNE"); the second
/// is a hash of the schema, so that stores in different schemas migrate independently.
const MIGRATION_LOCK: i32 = 0x5359_4E45;
/// The first key of the advisory lock that an import holds alone and closings share (ASCII
/// "SYNI"); the second is a hash of the schema, as for [`MIGRATION_LOCK`].
const IMPORT_LOCK: i32 = 0x5359_4E49;
/// A restore sends a table's rows to `COPY` in chunks of about this many bytes.
const RESTORE_CHUNK: usize = 1 << 20;
/// An acceptance of at least this many deliveries refreshes the planner's statistics of the
/// table.
const ANALYZE_AFTER: u64 = 10_000;
/// The memory a sort or hash of a bulk statement may use before it spills to disk (the
/// server's default, 4 MB, spills a quarter's deliveries).
const BULK_WORK_MEM: &str = "SET LOCAL work_mem = '64MB'";

type Param<'a> = &'a (dyn ToSql + Sync);

impl From<::postgres::Error> for StoreError {
    fn from(e: ::postgres::Error) -> Self {
        StoreError::Database(pg_message(&e))
    }
}

fn pg_message(e: &::postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => db.to_string(),
        None => e.to_string(),
    }
}

fn invalid(what: &str, value: &str) -> StoreError {
    StoreError::Database(format!("stored {what} {value:?} is not valid"))
}

fn parse_decimal(s: &str) -> StoreResult<Decimal> {
    Decimal::from_str(s).map_err(|_| invalid("decimal", s))
}

fn parse_currency(s: &str) -> StoreResult<Currency> {
    Currency::from_code(s).map_err(|_| invalid("currency", s))
}

fn count(n: i64, what: &str) -> StoreResult<u64> {
    u64::try_from(n).map_err(|_| invalid(what, &n.to_string()))
}

/// Replaces an agreement's versions in the caller's transaction (see
/// [`Agreements::update_agreement`]).
fn update_agreement(c: &mut Conn, a: &Agreement) -> StoreResult<()> {
    // The row lock makes the checks of the change final until this transaction ends.
    let id: i64 = c
        .query_opt(
            "SELECT id FROM agreements WHERE code = $1 FOR UPDATE",
            &[&a.code],
        )?
        .map(|r| r.try_get(0))
        .transpose()?
        .ok_or_else(|| StoreError::NotFound(format!("unknown agreement {}", a.code)))?;
    sql::update_agreement(c, id, a)
}

/// Writes an audit event in the caller's transaction.
fn insert_audit(c: &mut Conn, audit: &Audit, outcome: Value) -> StoreResult<()> {
    sql::insert_audit(c, audit, outcome)
}

/// Appends a value to a line of `COPY … FROM STDIN` text format: backslash, tab, newline and
/// carriage return are escaped; everything else (UTF-8 included) goes as it is.
fn copy_text(out: &mut Vec<u8>, s: &str) {
    for &b in s.as_bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
}

/// `COPY`'s NULL.
const COPY_NULL: &[u8] = b"\\N";

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl RowGet for Row {
    fn text(&self, i: usize) -> StoreResult<String> {
        Ok(self.try_get(i)?)
    }
    fn opt_text(&self, i: usize) -> StoreResult<Option<String>> {
        Ok(self.try_get(i)?)
    }
    fn int(&self, i: usize) -> StoreResult<i64> {
        Ok(self.try_get(i)?)
    }
    fn opt_int(&self, i: usize) -> StoreResult<Option<i64>> {
        Ok(self.try_get(i)?)
    }
    fn date(&self, i: usize) -> StoreResult<NaiveDate> {
        Ok(self.try_get(i)?)
    }
    fn opt_date(&self, i: usize) -> StoreResult<Option<NaiveDate>> {
        Ok(self.try_get(i)?)
    }
}

impl Batch for &mut Conn {
    fn batch(&mut self, sql: &str) -> StoreResult<()> {
        Conn::batch(self, sql)
    }
    fn has_table(&mut self, name: &str) -> StoreResult<bool> {
        relation(self, name, "'r', 'p'")
    }
    fn has_relation(&mut self, name: &str) -> StoreResult<bool> {
        relation(self, name, "'r', 'p', 'v'")
    }
}

/// Whether the current schema has a relation of that name and one of those kinds.
fn relation(c: &mut Conn, name: &str, kinds: &str) -> StoreResult<bool> {
    let n: i64 = c
        .query_one(
            &format!(
                "SELECT COUNT(*) FROM pg_class WHERE relname = $1 AND relkind IN ({kinds}) \
                 AND relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())"
            ),
            &[&name],
        )?
        .try_get(0)?;
    Ok(n > 0)
}

/// The shared statements run in a connection's transaction, prepared once per connection.
impl Db for &mut Conn {
    fn rows<T>(
        &mut self,
        sql: &str,
        args: &[Arg],
        mut map: impl FnMut(&dyn RowGet) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        let params = pg_args(args);
        let refs: Vec<Param> = params.iter().map(|p| p.as_ref()).collect();
        self.query(sql, &refs)?.iter().map(|r| map(r)).collect()
    }

    fn each(
        &mut self,
        sql: &str,
        args: &[Arg],
        f: &mut dyn FnMut(&dyn RowGet) -> StoreResult<()>,
    ) -> StoreResult<()> {
        let params = pg_args(args);
        let refs: Vec<Param> = params.iter().map(|p| p.as_ref()).collect();
        self.stream(sql, &refs, &mut |r| f(r))
    }

    fn exec(&mut self, sql: &str, args: &[Arg]) -> StoreResult<u64> {
        let params = pg_args(args);
        let refs: Vec<Param> = params.iter().map(|p| p.as_ref()).collect();
        self.execute(sql, &refs)
    }
}

/// A shared statement's parameters as PostgreSQL takes them (dates as `DATE`).
fn pg_args<'a>(args: &[Arg<'a>]) -> Vec<Box<dyn ToSql + Sync + 'a>> {
    args.iter()
        .map(|a| -> Box<dyn ToSql + Sync + 'a> {
            match *a {
                Arg::Int(n) => Box::new(n),
                Arg::Text(s) => Box::new(s),
                Arg::Date(d) => Box::new(d),
                Arg::OptDate(d) => Box::new(d),
                Arg::OptText(s) => Box::new(s),
                Arg::OptInt(n) => Box::new(n),
                Arg::Decimal(s) => Box::new(NumericText(s)),
            }
        })
        .collect()
}

/// A decimal sent as its text (PostgreSQL's text format of `NUMERIC`), which the server reads
/// exactly, keeping its notation (`2.50`).
#[derive(Debug)]
struct NumericText<'a>(&'a str);

impl ToSql for NumericText<'_> {
    fn to_sql(
        &self,
        _: &::postgres::types::Type,
        out: &mut ::postgres::types::private::BytesMut,
    ) -> Result<::postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        out.extend_from_slice(self.0.as_bytes());
        Ok(::postgres::types::IsNull::No)
    }

    fn accepts(ty: &::postgres::types::Type) -> bool {
        *ty == ::postgres::types::Type::NUMERIC
    }

    fn encode_format(&self, _: &::postgres::types::Type) -> ::postgres::types::Format {
        ::postgres::types::Format::Text
    }

    ::postgres::types::to_sql_checked!();
}

// ---------------------------------------------------------------------------------------------
// Connections and the pool.

/// One connection with its prepared statements, and what the store knows of its transaction.
struct Conn {
    client: Client,
    statements: HashMap<String, Statement>,
    in_transaction: bool,
    /// A statement of the open transaction failed: PostgreSQL has aborted it.
    failed: bool,
    /// The last error was a deadlock or serialization failure: the transaction may be retried.
    retry: bool,
    /// How to connect again: to learn the outcome of a commit whose answer was lost.
    config: Config,
    /// The open transaction was begun `READ ONLY`: its commit has nothing to lose.
    read_only: bool,
    /// The store's schema generation when its statements were prepared.
    generation: u64,
}

impl Conn {
    /// Turns a driver error into a store error, remembering what it means for the transaction.
    fn fail(&mut self, e: ::postgres::Error) -> StoreError {
        if self.in_transaction {
            self.failed = true;
        }
        let code = e.code();
        if code == Some(&SqlState::T_R_DEADLOCK_DETECTED)
            || code == Some(&SqlState::T_R_SERIALIZATION_FAILURE)
        {
            self.retry = true;
            return StoreError::Conflict(format!(
                "another writer was changing the same rows at the same time ({}); try again",
                pg_message(&e)
            ));
        }
        StoreError::Database(pg_message(&e))
    }

    fn prepared(&mut self, sql: &str) -> StoreResult<Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        match self.client.prepare(sql) {
            Ok(s) => {
                self.statements.insert(sql.to_string(), s.clone());
                Ok(s)
            }
            Err(e) => Err(self.fail(e)),
        }
    }

    fn query(&mut self, sql: &str, params: &[Param]) -> StoreResult<Vec<Row>> {
        let stmt = self.prepared(sql)?;
        match self.client.query(&stmt, params) {
            Ok(rows) => Ok(rows),
            Err(e) => Err(self.fail(e)),
        }
    }

    fn query_opt(&mut self, sql: &str, params: &[Param]) -> StoreResult<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    fn query_one(&mut self, sql: &str, params: &[Param]) -> StoreResult<Row> {
        self.query_opt(sql, params)?
            .ok_or_else(|| StoreError::Database(format!("no row from {sql}")))
    }

    fn execute(&mut self, sql: &str, params: &[Param]) -> StoreResult<u64> {
        let stmt = self.prepared(sql)?;
        match self.client.execute(&stmt, params) {
            Ok(n) => Ok(n),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Runs statements through the simple protocol (no parameters, not prepared).
    fn batch(&mut self, sql: &str) -> StoreResult<()> {
        match self.client.batch_execute(sql) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Streams the rows of a query to `f`; an error of `f` stops the stream and is returned.
    fn stream(
        &mut self,
        sql: &str,
        params: &[Param],
        f: &mut dyn FnMut(&Row) -> StoreResult<()>,
    ) -> StoreResult<()> {
        enum Stop {
            Pg(::postgres::Error),
            Store(StoreError),
        }
        let stmt = self.prepared(sql)?;
        let result = (|| {
            let mut rows = self
                .client
                .query_raw(&stmt, params.iter().copied())
                .map_err(Stop::Pg)?;
            while let Some(row) = rows.next().map_err(Stop::Pg)? {
                f(&row).map_err(Stop::Store)?;
            }
            Ok(())
        })();
        match result {
            Ok(()) => Ok(()),
            Err(Stop::Pg(e)) => Err(self.fail(e)),
            Err(Stop::Store(e)) => Err(e),
        }
    }

    /// Sends `data` (COPY text format) to a `COPY … FROM STDIN` statement.
    fn copy_in(&mut self, sql: &str, data: &[u8]) -> StoreResult<u64> {
        use std::io::Write;
        let result = (|| {
            let mut writer = self.client.copy_in(sql)?;
            writer
                .write_all(data)
                .map_err(|e| StoreError::Database(format!("COPY: {e}")))?;
            Ok::<u64, StoreError>(writer.finish()?)
        })();
        if result.is_err() && self.in_transaction {
            self.failed = true;
        }
        result
    }

    /// Like [`Conn::copy_in`], but hands back PostgreSQL's own error, without marking the
    /// transaction failed: the caller decides (say, to roll back to a savepoint). The outer
    /// error is a broken connection.
    fn try_copy_in(
        &mut self,
        sql: &str,
        data: &[u8],
    ) -> StoreResult<Result<u64, ::postgres::Error>> {
        use std::io::Write;
        let mut writer = match self.client.copy_in(sql) {
            Ok(w) => w,
            Err(e) => return Ok(Err(e)),
        };
        if let Err(e) = writer.write_all(data) {
            if self.in_transaction {
                self.failed = true;
            }
            return Err(StoreError::Database(format!("COPY: {e}")));
        }
        Ok(writer.finish())
    }

    fn begin(&mut self, begin: &str) -> StoreResult<()> {
        self.batch(begin)?;
        self.read_only = begin.contains("READ ONLY");
        self.in_transaction = true;
        self.failed = false;
        Ok(())
    }

    fn commit(&mut self) -> StoreResult<()> {
        if self.failed {
            self.rollback();
            return Err(StoreError::Database(
                "the transaction was rolled back after an earlier error".into(),
            ));
        }
        // The transaction's id, if it has one (it wrote): should the connection break while
        // committing, another connection asks the server whether it committed.
        let asked = if self.read_only {
            Ok(None)
        } else {
            self.client
                .query_one("SELECT txid_current_if_assigned()", &[])
                .map(|row| row.get(0))
        };
        let xid: Option<i64> = match asked {
            Ok(xid) => xid,
            Err(e) => {
                let e = self.fail(e);
                self.rollback();
                return Err(e);
            }
        };
        let result = self.client.batch_execute("COMMIT");
        self.in_transaction = false;
        match result {
            Ok(()) => Ok(()),
            // PostgreSQL answered: the transaction did not commit.
            Err(e) if e.as_db_error().is_some() => Err(self.fail(e)),
            // No answer: the commit may or may not have happened. Ask.
            Err(e) => match xid {
                None => Ok(()), // nothing was written: nothing to commit or to lose
                Some(xid) => commit_outcome(&self.config, xid, &e),
            },
        }
    }

    fn rollback(&mut self) {
        if self.in_transaction {
            let _ = self.client.batch_execute("ROLLBACK");
            self.in_transaction = false;
            self.failed = false;
        }
    }

    /// Runs `f` in one transaction opened by `begin`, rolling back on any error.
    fn in_transaction<T>(
        &mut self,
        begin: &str,
        f: impl FnOnce(&mut Conn) -> StoreResult<T>,
    ) -> StoreResult<T> {
        self.begin(begin)?;
        match f(self) {
            Ok(v) => self.commit().map(|()| v),
            Err(e) => {
                self.rollback();
                Err(e)
            }
        }
    }
}

/// What became of transaction `xid`, whose commit went unanswered (`lost`: the broken
/// connection's error), asked over a new connection: `Ok` when it committed, an error that
/// says so when it did not or when the server cannot tell (then nothing is claimed).
fn commit_outcome(config: &Config, xid: i64, lost: &::postgres::Error) -> StoreResult<()> {
    let unknown = |why: String| {
        StoreError::Database(format!(
            "the connection to PostgreSQL broke while committing ({lost}) and whether the \
             change was recorded is unknown ({why}): check before doing it again"
        ))
    };
    for attempt in 0..50 {
        let status = config
            .connect(NoTls)
            .and_then(|mut c| c.query_one("SELECT txid_status($1)::text", &[&xid]))
            .map(|row| row.get::<_, Option<String>>(0));
        match status {
            Ok(Some(s)) if s == "committed" => {
                crate::wait_notice(&format!(
                    "the connection to PostgreSQL broke while committing ({lost}); the server \
                     confirms that the change was recorded"
                ));
                return Ok(());
            }
            Ok(Some(s)) if s == "aborted" => {
                return Err(StoreError::Database(format!(
                    "the connection to PostgreSQL broke while committing ({lost}); the server \
                     confirms that nothing was recorded"
                )))
            }
            // Still committing on the server: ask again shortly.
            Ok(Some(s)) if s == "in progress" => {
                std::thread::sleep(Duration::from_millis(20 << attempt.min(4)));
            }
            Ok(other) => return Err(unknown(format!("status {other:?}"))),
            Err(e) => return Err(unknown(pg_message(&e))),
        }
    }
    Err(unknown("still in progress".into()))
}

/// The pool's error: no connection within [`POOL_WAIT`] (all busy, or PostgreSQL unreachable;
/// r2d2 says which error it last met).
fn pool_error(e: &r2d2::Error) -> StoreError {
    StoreError::Database(format!(
        "no connection to PostgreSQL within {}s (at most {POOL_SIZE} are open at once): {e}",
        POOL_WAIT.as_secs()
    ))
}

/// What the pool (r2d2) needs to open, check and recognise a broken connection: a
/// [`Conn`] around a client from `r2d2_postgres`.
struct Connector {
    postgres: PostgresConnectionManager<NoTls>,
    config: Config,
    /// The connection that opening the store made to check its configuration: the pool's
    /// first connection.
    first: Mutex<Option<Client>>,
}

impl Connector {
    fn conn(&self, client: Client) -> Conn {
        Conn {
            client,
            statements: HashMap::new(),
            in_transaction: false,
            failed: false,
            retry: false,
            config: self.config.clone(),
            read_only: false,
            generation: 0,
        }
    }
}

impl r2d2::ManageConnection for Connector {
    type Connection = Conn;
    type Error = ::postgres::Error;

    fn connect(&self) -> Result<Conn, ::postgres::Error> {
        let first = self.first.lock().unwrap_or_else(|p| p.into_inner()).take();
        let client = match first {
            Some(client) if !client.is_closed() => client,
            _ => self.postgres.connect()?,
        };
        Ok(self.conn(client))
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), ::postgres::Error> {
        self.postgres.is_valid(&mut conn.client)
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        self.postgres.has_broken(&mut conn.client)
    }
}

/// A connection borrowed from the pool; it goes back when dropped, after a transaction left
/// open (a panic, a dropped import) is rolled back, so that it never serves anyone else (a
/// connection that cannot roll back is closed, and the pool drops it).
struct Pooled(r2d2::PooledConnection<Connector>);

impl std::ops::Deref for Pooled {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.0
    }
}

impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.0
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        self.0.rollback();
        self.0.retry = false;
    }
}

// ---------------------------------------------------------------------------------------------
// The store.

/// A Synergies store in a PostgreSQL database (in the first schema of the connection's
/// `search_path`, normally `public`).
pub struct PostgresStore {
    pool: r2d2::Pool<Connector>,
    config: Config,
    /// Counts the schema swaps of [`Staged::replace_target`]: a connection of an older
    /// generation forgets its prepared statements (made against the old tables) when it is
    /// next borrowed.
    generation: AtomicU64,
}

impl PostgresStore {
    /// Opens a store from a libpq-style URL: `postgres://user@host/db`,
    /// `postgresql:///db?host=/var/run/postgresql` (Unix socket), with the usual parameters
    /// (`options=-c search_path=…` chooses the schema). Connects once to check the URL.
    pub fn open(url: &str) -> StoreResult<PostgresStore> {
        let config = Config::from_str(url)
            .map_err(|e| StoreError::Invalid(format!("bad PostgreSQL URL: {e}")))?;
        Self::from_config(config)
    }

    /// Opens a store from a connection configuration. Connects once to check it (that
    /// connection is the pool's first).
    pub fn from_config(mut config: Config) -> StoreResult<PostgresStore> {
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("synergies");
        }
        let first = config.connect(NoTls).map_err(|e| {
            StoreError::Database(format!("cannot connect to PostgreSQL: {}", pg_message(&e)))
        })?;
        let connector = Connector {
            postgres: PostgresConnectionManager::new(config.clone(), NoTls),
            config: config.clone(),
            first: Mutex::new(Some(first)),
        };
        // Connections are opened when needed (none kept idle beyond those used), checked on
        // return (a closed one is dropped), not on every borrow.
        let pool = r2d2::Pool::builder()
            .max_size(POOL_SIZE)
            .min_idle(Some(0))
            .connection_timeout(POOL_WAIT)
            .test_on_check_out(false)
            .build(connector)
            .map_err(|e| pool_error(&e))?;
        Ok(PostgresStore {
            pool,
            config,
            generation: AtomicU64::new(0),
        })
    }

    /// A connection of the pool, waiting for one to be free when all are busy.
    fn conn(&self) -> StoreResult<Pooled> {
        let mut conn = Pooled(self.pool.get().map_err(|e| pool_error(&e))?);
        let generation = self.generation.load(Ordering::Acquire);
        if conn.generation != generation {
            conn.statements.clear();
            conn.generation = generation;
        }
        Ok(conn)
    }

    /// Runs `f` in a write transaction, retried whole after a deadlock or a serialization
    /// failure (another writer changed the same rows at the same moment).
    fn write<T>(&self, mut f: impl FnMut(&mut Conn) -> StoreResult<T>) -> StoreResult<T> {
        let mut conn = self.conn()?;
        let mut attempt = 0;
        loop {
            conn.retry = false;
            match conn.in_transaction("BEGIN", &mut f) {
                Err(e) if conn.retry && attempt < RETRIES => {
                    attempt += 1;
                    crate::wait_notice(&format!("retrying ({attempt} of {RETRIES}) after: {e}"));
                    // A short, growing pause lets the other writer finish.
                    std::thread::sleep(Duration::from_millis(5 << attempt.min(6)));
                }
                result => return result,
            }
        }
    }

    /// [`Self::write`] with the change's audit event, its outcome the value `f` returns, in
    /// the same transaction.
    /// When `changed` says the outcome changed nothing (an idempotent repeat), no event.
    fn write_audited<T: serde::Serialize>(
        &self,
        audit: &Audit,
        changed: fn(&T) -> bool,
        mut f: impl FnMut(&mut Conn) -> StoreResult<T>,
    ) -> StoreResult<T> {
        self.write(|c| {
            let outcome = f(c)?;
            if changed(&outcome) {
                insert_audit(c, audit, serde_json::to_value(&outcome).unwrap_or_default())?;
            }
            Ok(outcome)
        })
    }

    /// Runs `f` on a connection outside any explicit transaction (each statement on its own).
    fn read<T>(&self, f: impl FnOnce(&mut Conn) -> StoreResult<T>) -> StoreResult<T> {
        let mut conn = self.conn()?;
        f(&mut conn)
    }

    fn read_users(&self, username: Option<&str>) -> StoreResult<Vec<UserRecord>> {
        self.read(|c| sql::users(c, username))
    }

    /// Runs `f` in a read-only transaction that sees one snapshot of the database.
    fn snapshot<T>(&self, f: impl FnOnce(&mut Conn) -> StoreResult<T>) -> StoreResult<T> {
        let mut conn = self.conn()?;
        conn.in_transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", f)
    }
}

fn expense(minor: Option<i64>, currency: Option<String>) -> StoreResult<Option<Money>> {
    Ok(match (minor, currency) {
        (Some(minor), Some(c)) => Some(Money::new(minor, parse_currency(&c)?)),
        _ => None,
    })
}

/// The columns of a table, in order, with their SQL types.
fn table_columns(c: &mut Conn, table: &str) -> StoreResult<Vec<(String, String)>> {
    c.query(
        "SELECT column_name::text, data_type::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        &[&table],
    )?
    .iter()
    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
    .collect()
}

/// The columns of a table's primary key, in key order.
fn primary_key(c: &mut Conn, table: &str) -> StoreResult<Vec<String>> {
    c.query(
        "SELECT a.attname::text FROM pg_index i \
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) \
         WHERE i.indrelid = to_regclass($1) AND i.indisprimary \
         ORDER BY array_position(i.indkey::int2[], a.attnum)",
        &[&table],
    )?
    .iter()
    .map(|r| Ok(r.try_get(0)?))
    .collect()
}

/// Marks the deliveries of each closing of one period in a single pass over the table, and
/// checks that each closing got exactly the deliveries it was computed from.
fn mark_charged_deliveries(c: &mut Conn, period: Period, marks: &[Mark]) -> StoreResult<()> {
    let agreements: Vec<i64> = marks.iter().map(|m| m.0).collect();
    let closings: Vec<i64> = marks.iter().map(|m| m.1).collect();
    let throughs: Vec<i64> = marks.iter().map(|m| m.2).collect();
    // A delivery already charged is left out (NOT EXISTS) and so missing from the counts
    // below. One that another transaction is charging at this moment makes the insert wait
    // for it, then fail on the primary key of closing_deliveries if it commits: a conflict
    // too. (A plain insert: ON CONFLICT DO NOTHING costs a second probe of the key per row.)
    let sql = "WITH marked AS ( \
             INSERT INTO closing_deliveries (delivery_id, closing_id) \
             SELECT d.id, m.closing_id FROM deliveries AS d \
             JOIN unnest($1::bigint[], $2::bigint[], $3::bigint[]) \
                  AS m (agreement_id, closing_id, through_id) \
               ON m.agreement_id = d.agreement_id \
             WHERE d.date >= $4 AND d.date <= $5 AND d.status = 'accepted' \
               AND d.id <= m.through_id \
               AND NOT EXISTS (SELECT 1 FROM closing_deliveries AS c WHERE c.delivery_id = d.id) \
             RETURNING closing_id) \
         SELECT closing_id, COUNT(*) FROM marked GROUP BY closing_id";
    let params: [Param; 5] = [
        &agreements,
        &closings,
        &throughs,
        &period.first_day(),
        &period.last_day(),
    ];
    let stmt = c.prepared(sql)?;
    let rows = match c.client.query(&stmt, &params) {
        Ok(rows) => rows,
        Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
            c.failed = true;
            return Err(StoreError::Conflict(format!(
                "the deliveries of {period} were being charged by another closing at the same \
                 time; run close again"
            )));
        }
        Err(e) => return Err(c.fail(e)),
    };
    let mut counts: HashMap<i64, u64> = HashMap::new();
    for r in &rows {
        counts.insert(r.try_get(0)?, count(r.try_get(1)?, "count")?);
    }
    for (_, closing_id, _, expected) in marks {
        let marked = counts.get(closing_id).copied().unwrap_or(0);
        if marked != *expected {
            return Err(StoreError::Conflict(format!(
                "the deliveries of closing {closing_id} ({period}) changed while it was being \
                 computed ({expected} expected, {marked} found); run close again"
            )));
        }
    }
    Ok(())
}

impl Maintenance for PostgresStore {
    fn engine(&self) -> &'static str {
        "postgres"
    }

    fn migrate(&self) -> StoreResult<u32> {
        let mut conn = self.conn()?;
        conn.in_transaction("BEGIN", |mut c| {
            // Two processes migrating at once: the second waits here until the first commits,
            // then finds the migrations applied.
            c.execute(
                "SELECT pg_advisory_xact_lock($1, hashtext(COALESCE(current_schema(), '')))",
                &[&MIGRATION_LOCK],
            )?;
            migrations::migrate(&mut c, Engine::Postgres)
        })
    }

    fn schema_version(&self) -> StoreResult<u32> {
        self.read(|c| {
            let exists: bool = c
                .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])?
                .try_get(0)?;
            if !exists {
                return Ok(0);
            }
            sql::schema_version(c)
        })
    }

    fn is_empty(&self) -> StoreResult<bool> {
        self.read(|c| {
            Ok(
                c.query_one("SELECT NOT EXISTS (SELECT 1 FROM organisations)", &[])?
                    .try_get(0)?,
            )
        })
    }

    fn table_counts(&self) -> StoreResult<Vec<(String, i64)>> {
        // One statement: the counts come from one snapshot.
        let sql = format!(
            "SELECT {}",
            TABLES
                .iter()
                .map(|t| format!("(SELECT COUNT(*) FROM {t})"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        self.read(|c| {
            let row = c.query_one(&sql, &[])?;
            TABLES
                .iter()
                .enumerate()
                .map(|(i, t)| Ok((t.to_string(), row.try_get(i)?)))
                .collect()
        })
    }

    fn dump(&self, sink: &mut dyn FnMut(DumpItem) -> StoreResult<()>) -> StoreResult<()> {
        // One snapshot for every table, whatever writers do meanwhile.
        self.snapshot(|c| {
            for table in TABLES {
                let columns = table_columns(c, table)?;
                let key = primary_key(c, table)?;
                if columns.is_empty() || key.is_empty() {
                    return Err(StoreError::Database(format!(
                        "table {table} is missing or has no primary key"
                    )));
                }
                // Integers as numbers; decimals and dates as their exact text (SQLite's).
                let select = columns
                    .iter()
                    .map(|(name, ty)| {
                        let q = quote_ident(name);
                        match ty.as_str() {
                            "bigint" | "text" => q,
                            "date" => format!("to_char({q}, 'YYYY-MM-DD')"),
                            _ => format!("{q}::text"),
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                let order = key
                    .iter()
                    .map(|k| quote_ident(k))
                    .collect::<Vec<_>>()
                    .join(", ");
                let integer: Vec<bool> = columns.iter().map(|(_, t)| t == "bigint").collect();
                sink(DumpItem::Table {
                    table: table.to_string(),
                    columns: columns.iter().map(|(n, _)| n.clone()).collect(),
                })?;
                let sql = format!("SELECT {select} FROM {table} ORDER BY {order}");
                c.stream(&sql, &[], &mut |r| {
                    let mut values = Vec::with_capacity(integer.len());
                    for (i, is_integer) in integer.iter().enumerate() {
                        values.push(if *is_integer {
                            r.try_get::<_, Option<i64>>(i)?
                                .map_or(Value::Null, Value::from)
                        } else {
                            r.try_get::<_, Option<String>>(i)?
                                .map_or(Value::Null, Value::from)
                        });
                    }
                    sink(DumpItem::Row(values))
                })?;
            }
            Ok(())
        })
    }

    fn restore(
        &self,
        source: &mut dyn FnMut() -> StoreResult<Option<DumpItem>>,
    ) -> StoreResult<()> {
        // Not retried: the source is read once.
        let mut conn = self.conn()?;
        conn.in_transaction("BEGIN", |c| {
            // Writers wait until the restore commits; readers go on.
            c.batch(&format!(
                "LOCK TABLE {} IN EXCLUSIVE MODE",
                TABLES.join(", ")
            ))?;
            let counts: Vec<i64> = {
                let sql = format!(
                    "SELECT {}",
                    TABLES
                        .iter()
                        .map(|t| format!("(SELECT COUNT(*) FROM {t})"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                let row = c.query_one(&sql, &[])?;
                (0..TABLES.len())
                    .map(|i| row.try_get(i))
                    .collect::<Result<_, _>>()?
            };
            if let Some((table, n)) = TABLES.iter().zip(&counts).find(|(_, n)| **n > 0) {
                return Err(StoreError::Conflict(format!(
                    "the target database is not empty ({table} has {n} rows)"
                )));
            }
            let mut check = crate::shape::RestoreCheck::default();
            // The current table's COPY statement, its width, and rows not yet sent.
            let mut current: Option<(String, usize)> = None;
            let mut data: Vec<u8> = Vec::new();
            let send = |c: &mut Conn, current: &Option<(String, usize)>, data: &mut Vec<u8>| {
                if let (Some((copy, _)), false) = (current, data.is_empty()) {
                    c.copy_in(copy, data)?;
                    data.clear();
                }
                Ok::<(), StoreError>(())
            };
            while let Some(item) = source()? {
                match item {
                    DumpItem::Table { table, columns } => {
                        send(c, &current, &mut data)?;
                        // Known table and exactly its columns: safe to name in SQL.
                        let shape = check.table(&table, &columns)?;
                        current = Some((
                            format!(
                                "COPY {} ({}) FROM STDIN",
                                shape.name,
                                columns
                                    .iter()
                                    .map(|c| quote_ident(c))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                            columns.len(),
                        ));
                    }
                    DumpItem::Row(values) => {
                        check.row(&values)?;
                        if current.is_none() {
                            return Err(StoreError::Invalid("a row before its table".into()));
                        }
                        for (i, v) in values.into_iter().enumerate() {
                            if i > 0 {
                                data.push(b'\t');
                            }
                            match v {
                                Value::Null => data.extend_from_slice(COPY_NULL),
                                Value::Number(n) => match n.as_i64() {
                                    Some(n) => data.extend_from_slice(n.to_string().as_bytes()),
                                    None => {
                                        return Err(StoreError::Invalid(format!(
                                            "{n} is not an integer"
                                        )))
                                    }
                                },
                                Value::String(s) => copy_text(&mut data, &s),
                                other => {
                                    return Err(StoreError::Invalid(format!(
                                        "unexpected value {other}"
                                    )))
                                }
                            }
                        }
                        data.push(b'\n');
                        if data.len() >= RESTORE_CHUNK {
                            send(c, &current, &mut data)?;
                        }
                    }
                }
            }
            send(c, &current, &mut data)?;
            reset_identities(c)
        })
    }

    fn erase_all(&self) -> StoreResult<()> {
        self.write(|c| {
            // The immutability triggers guard against mistakes; erasing is deliberate, so the
            // ones that refuse TRUNCATE are lifted for this transaction only and restored
            // before it commits (TRUNCATE fires no row triggers). RESTART IDENTITY: ids start
            // at 1 again, as in a new database.
            let guarded = ["journal_entries", "postings", "audit_events"];
            let mut sql = String::new();
            for t in guarded {
                sql.push_str(&format!(
                    "ALTER TABLE {t} DISABLE TRIGGER {t}_no_truncate;\n"
                ));
            }
            sql.push_str(&format!(
                "TRUNCATE {} RESTART IDENTITY;\n",
                TABLES.join(", ")
            ));
            for t in guarded {
                sql.push_str(&format!(
                    "ALTER TABLE {t} ENABLE TRIGGER {t}_no_truncate;\n"
                ));
            }
            c.batch(&sql)
        })
    }

    fn stage(&self) -> StoreResult<Box<dyn Staged + '_>> {
        let target: Option<String> = self.read(|c| {
            Ok(c.query_one("SELECT current_schema()::text", &[])?
                .try_get(0)?)
        })?;
        let target = target.ok_or_else(|| {
            StoreError::Invalid(
                "no schema of the search_path exists in this database: nothing to restore into"
                    .into(),
            )
        })?;
        let foreign = self.read(|c| foreign_objects(c, &target))?;
        if !foreign.is_empty() {
            return Err(not_only_synergies(&target, &foreign));
        }
        let schema = format!(
            "synergies_restore_{}_{:016x}",
            std::process::id(),
            rand_suffix()
        );
        // The staging schema's owner holds a lock named after it for as long as it lives:
        // a staging schema whose lock is free was left by a restore that was killed.
        let mut guard = self.conn()?;
        guard.execute(
            "SELECT pg_advisory_lock($1, hashtext($2))",
            &[&STAGING_LOCK, &schema],
        )?;
        let stale: Vec<String> = guard
            .query(
                "SELECT nspname::text FROM pg_namespace \
                 WHERE nspname LIKE 'synergies\\_restore\\_%' AND nspname <> $1",
                &[&schema],
            )?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
        for old in stale {
            let free: bool = guard
                .query_one(
                    "SELECT pg_try_advisory_lock($1, hashtext($2))",
                    &[&STAGING_LOCK, &old],
                )?
                .try_get(0)?;
            if free {
                guard.batch(&format!(
                    "DROP SCHEMA IF EXISTS {} CASCADE",
                    quote_ident(&old)
                ))?;
                guard.execute(
                    "SELECT pg_advisory_unlock($1, hashtext($2))",
                    &[&STAGING_LOCK, &old],
                )?;
            }
        }
        guard.batch(&format!("CREATE SCHEMA {}", quote_ident(&schema)))?;
        let mut staged = PgStaged {
            target: self,
            target_schema: target,
            schema,
            store: None,
            guard: Some(guard),
            replaced: false,
        };
        let mut config = self.config.clone();
        // A later `-c` wins over any search_path the URL gave.
        let options = format!(
            "{} -c search_path={}",
            config.get_options().unwrap_or_default(),
            staged.schema
        );
        config.options(options.trim());
        staged.store = Some(PostgresStore::from_config(config)?);
        staged.store().migrate()?;
        Ok(Box::new(staged))
    }
}

impl ReferenceData for PostgresStore {
    fn save_framework(&self, f: &Framework, audit: &Audit) -> StoreResult<()> {
        self.write_audited(
            audit,
            |_| true,
            |c| {
                // One framework writer at a time, and closings wait until it commits: the domain's
                // one check then sees what this transaction changes.
                c.execute(
                    "LOCK TABLE rate_cards, rates, fx_rates, closings IN SHARE ROW EXCLUSIVE MODE",
                    &[],
                )?;
                sql::save_framework(c, f)
            },
        )
    }

    fn framework(&self) -> StoreResult<Framework> {
        self.snapshot(|c| sql::read_framework(c))
    }
}

impl Agreements for PostgresStore {
    fn insert_agreements(&self, agreements: &[(&Agreement, &Audit)]) -> StoreResult<()> {
        self.write(|c| {
            for (a, audit) in agreements {
                sql::insert_agreement(&mut *c, a)?;
                insert_audit(c, audit, Value::Null)?;
            }
            Ok(())
        })
    }

    fn update_agreement(&self, a: &Agreement, audit: &Audit) -> StoreResult<()> {
        self.write_audited(audit, |_| true, |c| update_agreement(c, a))
    }

    fn agreements(&self) -> StoreResult<Vec<Agreement>> {
        self.snapshot(|c| sql::agreements(c, None))
    }

    fn agreement(&self, code: &str) -> StoreResult<Option<Agreement>> {
        self.snapshot(|c| Ok(sql::agreements(c, Some(code))?.pop()))
    }
}

impl Deliveries for PostgresStore {
    fn import_deliveries(&self) -> StoreResult<Box<dyn DeliveryImport + '_>> {
        let mut conn = self.conn()?;
        conn.begin("BEGIN")?;
        // Imports take the import lock before any row lock: one import at a time, so that two
        // imports never lock the same agreements in opposite orders (a deadlock); closings
        // share it (see `post_closings`).
        conn.execute(
            "SELECT pg_advisory_xact_lock($1, hashtext(COALESCE(current_schema(), '')))",
            &[&IMPORT_LOCK],
        )?;
        // Each flush's rows pass through the reference check's transition table.
        conn.batch(BULK_WORK_MEM)?;
        Ok(Box::new(PgImport {
            conn,
            agreement_ids: HashMap::new(),
            agreement_codes: HashMap::new(),
            copy: Vec::new(),
            ends: Vec::new(),
            tags: Vec::new(),
            staging: false,
        }))
    }

    fn for_each_delivery(
        &self,
        filter: &DeliveryFilter,
        f: &mut dyn FnMut(StoredDelivery) -> StoreResult<()>,
    ) -> StoreResult<()> {
        self.snapshot(|c| {
            c.batch(BULK_WORK_MEM)?;
            sql::for_each_delivery(c, filter, f)
        })
    }

    fn accept_deliveries(
        &self,
        agreement: Option<&str>,
        through: Option<NaiveDate>,
        accepted_on: NaiveDate,
        audit: &Audit,
    ) -> StoreResult<u64> {
        let n = self.write_audited(
            audit,
            |_| true,
            |c| sql::accept_deliveries(c, agreement, through, accepted_on),
        )?;
        if n >= ANALYZE_AFTER {
            // The planner's statistics still say these deliveries are recorded until
            // autovacuum gets to the table; the close that usually follows would plan its
            // join of the period's accepted deliveries for a handful of rows (a nested loop
            // over every agreement). Its answer is the same either way: a failure is ignored.
            let _ = self.read(|c| c.batch("ANALYZE deliveries"));
        }
        Ok(n)
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
        self.read(|c| sql::deliveries_page(c, filter, page))
    }

    fn delivery_tally(&self) -> StoreResult<Vec<DeliveryTally>> {
        self.read(|c| sql::delivery_tally(c))
    }
}

impl Ledger for PostgresStore {
    fn post_closings(
        &self,
        closings: &[NewClosing],
        audit: &Audit,
    ) -> StoreResult<Vec<Option<i64>>> {
        self.write_audited(
            audit,
            |posted: &Vec<Option<i64>>| posted.iter().any(Option::is_some),
            |c| {
                // Shared with other closings, exclusive of imports (which lock agreement rows that
                // a closing's references would wait on, in another order).
                c.execute(
                "SELECT pg_advisory_xact_lock_shared($1, hashtext(COALESCE(current_schema(), '')))",
                &[&IMPORT_LOCK],
            )?;
                c.batch(BULK_WORK_MEM)?;
                // The rates this transaction posts against stay as they are until it commits
                // (a framework save takes these tables exclusively of this share).
                if !closings.is_empty() {
                    c.batch("LOCK TABLE rate_cards, rates, fx_rates IN SHARE MODE")?;
                    check_priced_with(&sql::read_framework(&mut *c)?, closings)?;
                }
                let mut results = Vec::with_capacity(closings.len());
                // The closings to link, per period, in the order first seen.
                let mut marks: Vec<(Period, Vec<Mark>)> = vec![];
                for closing in closings {
                    // A concurrent transaction posting the same closing makes this wait for it,
                    // then do nothing: the closing is posted once.
                    let mark = sql::post_closing(&mut *c, closing)?;
                    results.push(mark.map(|m| m.1));
                    let Some(mark) = mark else {
                        continue;
                    };
                    match marks.iter_mut().find(|(p, _)| *p == closing.period) {
                        Some((_, list)) => list.push(mark),
                        None => marks.push((closing.period, vec![mark])),
                    }
                }
                for (period, marks) in &marks {
                    mark_charged_deliveries(c, *period, marks)?;
                }
                Ok(results)
            },
        )
    }

    fn closings(&self, agreement: Option<&str>) -> StoreResult<Vec<ClosingRecord>> {
        self.read(|c| sql::closings(c, agreement))
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
                // The row lock makes a concurrent reversal of the same closing wait, then see it
                // reversed.
                let status: Option<String> = c
                    .query_opt(
                        "SELECT status FROM closings WHERE id = $1 FOR UPDATE",
                        &[&closing],
                    )?
                    .map(|r| r.try_get(0))
                    .transpose()?;
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
        self.read(|c| sql::charges(c, filter))
    }

    fn charge_totals(
        &self,
        agreement: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<ChargeTotal>> {
        self.read(|c| sql::charge_totals(c, agreement, from, to))
    }

    fn post_entry(&self, entry: &JournalEntry, audit: &Audit) -> StoreResult<Option<i64>> {
        self.write_audited(
            audit,
            |posted: &Option<i64>| posted.is_some(),
            |c| sql::write_entry(c, entry),
        )
    }

    fn entry(&self, id: i64) -> StoreResult<Option<JournalEntry>> {
        self.read(|c| sql::entry(c, id))
    }

    fn entry_id_by_key(&self, key: &str) -> StoreResult<Option<i64>> {
        self.read(|c| sql::entry_id_by_key(c, key))
    }

    fn for_each_entry(
        &self,
        f: &mut dyn FnMut(JournalEntry) -> StoreResult<()>,
    ) -> StoreResult<()> {
        self.read(|c| sql::for_each_entry(c, f))
    }

    fn trial_balance(&self) -> StoreResult<TrialBalance> {
        self.read(|c| sql::trial_balance(c))
    }
}

impl Registry for PostgresStore {
    fn save_decision(&self, d: &DecisionRecord, audit: &Audit) -> StoreResult<bool> {
        self.write_audited(audit, |_| true, |c| sql::write_decision(c, d))
    }

    fn decisions(&self) -> StoreResult<Vec<DecisionRecord>> {
        self.read(|c| sql::decisions(c))
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
                let new = sql::write_decision(&mut *c, d)?;
                sql::write_mandates(c, mandates)?;
                Ok(new)
            },
        )
    }

    fn mandates(&self, decision: Option<&str>) -> StoreResult<Vec<Mandate>> {
        self.read(|c| sql::mandates(c, decision))
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
        self.read(|c| sql::mandate_notes(c, decision, paragraph))
    }

    fn link_mandate(&self, link: &MandateLink, audit: &Audit) -> StoreResult<bool> {
        self.write_audited(
            audit,
            |changed: &bool| *changed,
            |c| {
                let row = c.query_one(
                    "SELECT EXISTS (SELECT 1 FROM agreements WHERE code = $1), \
                        EXISTS (SELECT 1 FROM mandates WHERE decision = $2 AND paragraph = $3)",
                    &[&link.agreement, &link.decision, &link.paragraph],
                )?;
                let (agreement, mandate): (bool, bool) = (row.try_get(0)?, row.try_get(1)?);
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
        self.read(|c| sql::mandate_links(c, agreement))
    }
}

impl Cooperation for PostgresStore {
    fn save_activities(&self, activities: &[Activity], audit: &Audit) -> StoreResult<()> {
        self.write_audited(audit, |_| true, |c| sql::save_activities(c, activities))
    }

    fn activities(&self, biennium: Option<&str>) -> StoreResult<Vec<Activity>> {
        self.read(|c| sql::activities(c, biennium))
    }

    fn save_training_events(&self, events: &[TrainingEvent], audit: &Audit) -> StoreResult<()> {
        self.write_audited(audit, |_| true, |c| sql::save_training_events(c, events))
    }

    fn training_events(&self) -> StoreResult<Vec<TrainingEvent>> {
        self.read(|c| sql::training_events(c))
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
        self.read(|c| sql::task_force_members(c))
    }

    fn task_force_meetings(&self) -> StoreResult<Vec<TaskForceMeeting>> {
        self.read(|c| sql::task_force_meetings(c))
    }

    fn action_items(&self) -> StoreResult<Vec<ActionItem>> {
        self.read(|c| sql::action_items(c))
    }
}

impl Identity for PostgresStore {
    fn save_user(
        &self,
        user: &UserRecord,
        end_sign_ins_at: Option<&str>,
        audit: &Audit,
    ) -> StoreResult<SignInsEnded> {
        self.write_audited(
            audit,
            |_| true,
            |c| {
                // The users' rows locked: two administrators demoting each other at once cannot
                // both pass the check below.
                c.execute("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE", &[])?;
                sql::save_user(c, user, end_sign_ins_at)
            },
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
        self.read(|c| sql::session(c, token_hash))
    }

    fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        self.write(|c| sql::delete_session(c, token_hash))
    }

    fn create_api_token(&self, t: &NewApiToken) -> StoreResult<i64> {
        self.write(|c| {
            // One owner's tokens are counted and added one writer at a time.
            c.execute(
                "SELECT 1 FROM users WHERE username = $1 FOR UPDATE",
                &[&t.username],
            )?;
            sql::create_api_token(c, t)
        })
    }

    fn api_tokens(&self, username: &str) -> StoreResult<Vec<ApiTokenRecord>> {
        self.read(|c| sql::api_tokens(c, username))
    }

    fn revoke_api_token(&self, username: &str, id: i64, at: &str) -> StoreResult<bool> {
        self.write(|c| sql::revoke_api_token(c, username, id, at))
    }

    fn api_token_owner(&self, token_hash: &str, now: &str) -> StoreResult<Option<String>> {
        self.read(|c| sql::api_token_owner(c, token_hash, now))
    }
}

impl AuditTrail for PostgresStore {
    fn audit(&self, actor: &str, action: &str, subject: &str, detail: &Value) -> StoreResult<()> {
        let event = Audit::new(actor, action, subject, detail.clone());
        self.write(|c| insert_audit(c, &event, Value::Null))
    }

    fn audit_events(&self, filter: &AuditFilter, limit: u64) -> StoreResult<Vec<AuditEvent>> {
        self.read(|c| sql::audit_events(c, filter, limit))
    }
}

/// What a schema holds beside Synergies' own tables and functions: a restore replaces the
/// whole schema, so it refuses one where it would take anything else with it.
fn foreign_objects(c: &mut Conn, schema: &str) -> StoreResult<Vec<String>> {
    let ours: Vec<&str> = TABLES
        .iter()
        .copied()
        .chain([
            migrations::HISTORY,
            migrations::STEP_HISTORY,
            migrations::LEGACY,
        ])
        .collect();
    let mut found: Vec<String> = c
        .query(
            "SELECT relname::text FROM pg_class \
             WHERE relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) \
             AND relkind IN ('r', 'v', 'm', 'p', 'f') ORDER BY 1",
            &[&schema],
        )?
        .iter()
        .map(|r| r.try_get::<_, String>(0))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|t| !ours.contains(&t.as_str()))
        .collect();
    for r in c.query(
        "SELECT proname::text FROM pg_proc \
         WHERE pronamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1) \
         AND proname NOT LIKE 'synergies\\_%' ORDER BY 1",
        &[&schema],
    )? {
        found.push(format!("{}()", r.try_get::<_, String>(0)?));
    }
    Ok(found)
}

/// The refusal of a schema that holds more than Synergies.
fn not_only_synergies(schema: &str, foreign: &[String]) -> StoreError {
    StoreError::Invalid(format!(
        "schema {schema} holds more than Synergies ({}): a restore replaces the whole schema, \
         so restore into a schema of its own (options=-c search_path=...); nothing was changed",
        foreign.join(", ")
    ))
}

/// A random number for the names of staging schemas (no two restores share one).
fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish()
}

/// A staging schema beside a PostgreSQL store's (see [`Maintenance::stage`]).
struct PgStaged<'a> {
    target: &'a PostgresStore,
    target_schema: String,
    schema: String,
    store: Option<PostgresStore>,
    /// The connection that holds the staging schema's lock.
    guard: Option<Pooled>,
    /// The staging schema is the target's now.
    replaced: bool,
}

impl Staged for PgStaged<'_> {
    fn store(&self) -> &dyn Store {
        self.store.as_ref().expect("present until replaced")
    }

    fn replace_target(mut self: Box<Self>, require_empty: bool) -> StoreResult<()> {
        // The staging store's connections are closed before its schema is renamed.
        self.store = None;
        let (target, staged) = (quote_ident(&self.target_schema), quote_ident(&self.schema));
        let old = quote_ident(&format!("{}_old", self.schema));
        let mut conn = self.target.conn()?;
        conn.in_transaction("BEGIN", |c| {
            // Wait for every transaction on the target's tables to end, and hold them off.
            let existing: Vec<String> = c
                .query(
                    "SELECT table_name::text FROM information_schema.tables \
                     WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1",
                    &[&self.target_schema],
                )?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<_, _>>()?;
            if !existing.is_empty() {
                let tables = existing
                    .iter()
                    .map(|t| format!("{target}.{}", quote_ident(t)))
                    .collect::<Vec<_>>()
                    .join(", ");
                c.batch(&format!("LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE"))?;
            }
            let foreign = foreign_objects(c, &self.target_schema)?;
            if !foreign.is_empty() {
                return Err(not_only_synergies(&self.target_schema, &foreign));
            }
            if require_empty {
                let mut rows = 0i64;
                for t in TABLES.iter().filter(|t| existing.iter().any(|e| e == *t)) {
                    let n: i64 = c
                        .query_one(&format!("SELECT COUNT(*) FROM {target}.{t}"), &[])?
                        .try_get(0)?;
                    rows += n;
                }
                if rows > 0 {
                    return Err(StoreError::Conflict(format!(
                        "the target database is not empty ({rows} rows); nothing was written"
                    )));
                }
            }
            // The schemas trade names in one transaction: every other session sees the old
            // tables or the new ones.
            c.batch(&format!(
                "ALTER SCHEMA {target} RENAME TO {old}; \
                 ALTER SCHEMA {staged} RENAME TO {target}; \
                 DROP SCHEMA {old} CASCADE;"
            ))
        })?;
        drop(conn);
        // The pool's connections hold statements prepared against the old tables: each
        // forgets them when it is next borrowed.
        self.target.generation.fetch_add(1, Ordering::AcqRel);
        // Nothing is left to drop.
        self.replaced = true;
        Ok(())
    }
}

impl Drop for PgStaged<'_> {
    fn drop(&mut self) {
        self.store = None;
        let Some(mut guard) = self.guard.take() else {
            return;
        };
        if !self.replaced {
            let sql = format!(
                "DROP SCHEMA IF EXISTS {} CASCADE",
                quote_ident(&self.schema)
            );
            let _ = guard.batch(&sql);
        }
        let name = self.schema.clone();
        if guard
            .execute(
                "SELECT pg_advisory_unlock($1, hashtext($2))",
                &[&STAGING_LOCK, &name],
            )
            .is_err()
        {
            // A connection that cannot say so is not given back with the lock held.
            let _ = guard
                .client
                .batch_execute("SELECT pg_advisory_unlock_all()");
        }
    }
}

/// Moves every identity sequence past the largest id of its table, so that inserts after a
/// restore that kept ids do not collide with them.
fn reset_identities(c: &mut Conn) -> StoreResult<()> {
    let identities: Vec<(String, String)> = c
        .query(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND is_identity = 'YES' \
             ORDER BY table_name, column_name",
            &[],
        )?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<StoreResult<_>>()?;
    for (table, column) in identities {
        let (t, col) = (quote_ident(&table), quote_ident(&column));
        // setval(seq, max, true): the next id is max + 1; (seq, 1, false): it is 1.
        c.query_one(
            &format!(
                "SELECT setval(pg_get_serial_sequence($1, $2), \
                               COALESCE(MAX({col}), 1), MAX({col}) IS NOT NULL) FROM {t}"
            ),
            &[&t, &column],
        )?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The bulk import.

/// A delivery import holding a connection and an open transaction. Staged deliveries are
/// written as COPY text. A flush copies them straight into `deliveries` (one `COPY`, inside a
/// savepoint); when that fails on a key already recorded, or repeated within the flush, it
/// undoes it and goes through a temporary staging table instead, from which one statement
/// inserts the new rows and one query reads the others.
struct PgImport {
    conn: Pooled,
    /// Agreements this import has touched (and locked), by code and by id.
    agreement_ids: HashMap<String, i64>,
    agreement_codes: HashMap<i64, String>,
    /// COPY text of the staged rows, in the columns of [`DIRECT_COPY`].
    copy: Vec<u8>,
    /// Where each staged row's text ends in `copy`.
    ends: Vec<usize>,
    tags: Vec<u64>,
    /// The staging table exists in this transaction.
    staging: bool,
}

/// The columns that a flush copies straight into `deliveries`.
const DIRECT_COPY: &str = "COPY deliveries (agreement_id, service, date, quantity, grade, \
     expense_minor, expense_currency, description, external_id) FROM STDIN";

const STAGING: &str = "synergies_staging";

impl PgImport {
    /// The agreement's id. The first time an import touches an agreement it locks its row
    /// until the import ends, so that what the import reads of the agreement (pending
    /// deliveries, charged total) stays true while it checks the ceiling: another import or a
    /// closing of the same agreement waits.
    fn agreement_id(&mut self, code: &str) -> StoreResult<i64> {
        if let Some(id) = self.agreement_ids.get(code) {
            return Ok(*id);
        }
        let id: i64 = self
            .conn
            .query_opt(
                "SELECT id FROM agreements WHERE code = $1 FOR UPDATE",
                &[&code],
            )?
            .map(|r| r.try_get(0))
            .transpose()?
            .ok_or_else(|| StoreError::NotFound(format!("unknown agreement {code}")))?;
        self.agreement_ids.insert(code.to_string(), id);
        self.agreement_codes.insert(id, code.to_string());
        Ok(id)
    }

    fn code(&self, id: i64) -> StoreResult<&str> {
        self.agreement_codes
            .get(&id)
            .map(String::as_str)
            .ok_or_else(|| invalid("agreement id", &id.to_string()))
    }
}

impl DeliveryImport for PgImport {
    fn stage(&mut self, tag: u64, d: &Delivery) -> StoreResult<()> {
        let aid = self.agreement_id(&d.agreement)?;
        let out = &mut self.copy;
        // Written in place: a string per field and row would cost more than the rest.
        let _ = write!(out, "{aid}\t");
        copy_text(out, &d.service);
        let _ = write!(out, "\t{}\t{}\t", d.date, d.quantity);
        match &d.grade {
            Some(g) => copy_text(out, g),
            None => out.extend_from_slice(COPY_NULL),
        }
        out.push(b'\t');
        match &d.expense {
            Some(e) => {
                let _ = write!(out, "{}\t{}", e.minor, e.currency.code());
            }
            None => {
                out.extend_from_slice(COPY_NULL);
                out.push(b'\t');
                out.extend_from_slice(COPY_NULL);
            }
        }
        out.push(b'\t');
        copy_text(out, &d.description);
        out.push(b'\t');
        copy_text(out, &d.external_id);
        out.push(b'\n');
        self.ends.push(out.len());
        self.tags.push(tag);
        Ok(())
    }

    fn flush(&mut self) -> StoreResult<Vec<(u64, AddOutcome)>> {
        let staged = self.tags.len();
        if staged == 0 {
            return Ok(vec![]);
        }
        let copy = std::mem::take(&mut self.copy);
        let ends = std::mem::take(&mut self.ends);
        let tags = std::mem::take(&mut self.tags);
        let c = &mut *self.conn;
        // Straight into deliveries, in order (ids follow the rows). A key recorded before, or
        // twice in the flush, fails the COPY (unique violation), which is undone.
        c.batch("SAVEPOINT synergies_flush")?;
        match c.try_copy_in(DIRECT_COPY, &copy)? {
            Ok(n) => {
                c.batch("RELEASE SAVEPOINT synergies_flush")?;
                if n as usize != staged {
                    return Err(StoreError::Database(format!(
                        "COPY wrote {n} of {staged} deliveries"
                    )));
                }
                return Ok(vec![]);
            }
            Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                c.batch(
                    "ROLLBACK TO SAVEPOINT synergies_flush; RELEASE SAVEPOINT synergies_flush",
                )?;
            }
            Err(e) => return Err(c.fail(e)),
        }
        // The staging table's rows: each staged row's text after its index and whether it is
        // the first of its key (agreement id, external id: the first and last fields, as COPY
        // text, which is the same exactly when the values are) in the flush.
        let mut staging_copy = Vec::with_capacity(copy.len() + 16 * staged);
        let mut keys: HashSet<(&[u8], &[u8])> = HashSet::with_capacity(staged);
        let mut start = 0;
        for (seq, end) in ends.iter().enumerate() {
            let row = &copy[start..*end];
            let line = row.strip_suffix(b"\n").unwrap_or(row);
            let first_tab = line.iter().position(|b| *b == b'\t').unwrap_or(0);
            let last_tab = line.iter().rposition(|b| *b == b'\t').unwrap_or(0);
            let first = keys.insert((&line[..first_tab], &line[last_tab..]));
            let _ = write!(staging_copy, "{seq}\t{}\t", if first { 't' } else { 'f' });
            staging_copy.extend_from_slice(row);
            start = *end;
        }
        let firsts = keys.len();
        drop(keys);
        drop(copy);
        let copy = staging_copy;
        if self.staging {
            c.batch(&format!("TRUNCATE {STAGING}"))?;
        } else {
            c.batch(&format!(
                "CREATE TEMP TABLE {STAGING} (\
                     seq BIGINT NOT NULL, first BOOLEAN NOT NULL, agreement_id BIGINT NOT NULL, \
                     service TEXT COLLATE \"C\" NOT NULL, date DATE NOT NULL, \
                     quantity NUMERIC NOT NULL, grade TEXT COLLATE \"C\", expense_minor BIGINT, \
                     expense_currency TEXT COLLATE \"C\", description TEXT COLLATE \"C\" NOT NULL, \
                     external_id TEXT COLLATE \"C\" NOT NULL) ON COMMIT DROP"
            ))?;
            self.staging = true;
        }
        c.copy_in(
            &format!(
                "COPY {STAGING} (seq, first, agreement_id, service, date, quantity, grade, \
                 expense_minor, expense_currency, description, external_id) FROM STDIN"
            ),
            &copy,
        )?;
        drop(copy);
        // The last delivery id handed out so far. Every delivery recorded before this flush
        // under the agreements of its rows has an id up to it, and every one the flush inserts
        // a larger one: ids grow in time, and deliveries of an agreement are recorded only by
        // the transaction that holds its row lock, as this one does. (Should that ever not
        // hold, the count check below refuses the flush rather than misreport it.)
        let last_id: i64 = c
            .query_one(
                "SELECT COALESCE(MAX(last_value), 0)::bigint FROM pg_sequences \
                 WHERE format('%I.%I', schemaname, sequencename) \
                     = pg_get_serial_sequence('deliveries', 'id')",
                &[],
            )?
            .try_get(0)?;
        let inserted = c.execute(
            &format!(
                "INSERT INTO deliveries (agreement_id, service, date, quantity, grade, \
                     expense_minor, expense_currency, description, external_id) \
                 SELECT agreement_id, service, date, quantity, grade, expense_minor, \
                        expense_currency, description, external_id \
                 FROM {STAGING} WHERE first ORDER BY seq \
                 ON CONFLICT (agreement_id, external_id) DO NOTHING"
            ),
            &[],
        )? as usize;
        if inserted == staged {
            return Ok(vec![]);
        }
        // Every staged row not inserted, beside the delivery recorded under its agreement and
        // external id: recorded before this flush (a first row whose delivery's id is not
        // new), or by an earlier row of this flush (a row that is not the first of its key).
        let rows = c.query(
            &format!(
                "SELECT s.seq, s.agreement_id, s.service, s.date, s.quantity::text, s.grade, \
                        s.expense_minor, s.expense_currency, s.description, s.external_id, \
                        d.service, d.date, d.quantity::text, d.grade, d.expense_minor, \
                        d.expense_currency, d.description \
                 FROM {STAGING} s JOIN deliveries d \
                   ON d.agreement_id = s.agreement_id AND d.external_id = s.external_id \
                 WHERE NOT s.first OR d.id <= $1 ORDER BY s.seq"
            ),
            &[&last_id],
        )?;
        if inserted + rows.len() != staged || inserted > firsts {
            return Err(StoreError::Conflict(format!(
                "of {staged} deliveries, {inserted} were inserted and {} found recorded: another \
                 writer recorded deliveries of the same agreements meanwhile; import again",
                rows.len()
            )));
        }
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let seq = usize::try_from(r.try_get::<_, i64>(0)?)
                .ok()
                .filter(|s| *s < tags.len())
                .ok_or_else(|| invalid("staging sequence", "?"))?;
            let agreement = self.code(r.try_get(1)?)?.to_string();
            let external_id: String = r.try_get(9)?;
            let given = Delivery {
                agreement: agreement.clone(),
                service: r.try_get(2)?,
                date: r.try_get(3)?,
                quantity: parse_decimal(r.try_get(4)?)?,
                grade: r.try_get(5)?,
                expense: expense(r.try_get(6)?, r.try_get(7)?)?,
                description: r.try_get(8)?,
                external_id: external_id.clone(),
            };
            let stored = Delivery {
                agreement,
                service: r.try_get(10)?,
                date: r.try_get(11)?,
                quantity: parse_decimal(r.try_get(12)?)?,
                grade: r.try_get(13)?,
                expense: expense(r.try_get(14)?, r.try_get(15)?)?,
                description: r.try_get(16)?,
                external_id,
            };
            let outcome = if stored.same_content(&given) {
                AddOutcome::Identical
            } else {
                AddOutcome::Conflict(stored)
            };
            out.push((tags[seq], outcome));
        }
        Ok(out)
    }

    fn for_each_pending(
        &mut self,
        agreement: &str,
        f: &mut dyn FnMut(&Delivery) -> StoreResult<()>,
    ) -> StoreResult<()> {
        let aid = self.agreement_id(agreement)?;
        sql::for_each_pending(&mut *self.conn, aid, agreement, f)
    }

    fn charged_total(&mut self, agreement: &str) -> StoreResult<i64> {
        let aid = self.agreement_id(agreement)?;
        sql::charged_total(&mut *self.conn, aid)
    }

    fn commit(mut self: Box<Self>, audit: &Audit) -> StoreResult<()> {
        insert_audit(&mut self.conn, audit, Value::Null)?;
        self.conn.commit()
    }
}
// Dropping a PgImport drops its connection, which rolls back the open transaction before the
// connection returns to the pool.
