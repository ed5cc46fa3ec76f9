//! The schema's migrations: SQL files, one directory per engine (`migrations/sqlite`,
//! `migrations/postgres`, and PostgreSQL's own storage steps in `migrations/postgres_steps`),
//! embedded in the program and run in order by refinery, which keeps each database's history
//! (`refinery_schema_history`: version, name, time, checksum of the file).
//!
//! Both engines' files have the same versions and make the same tables and columns, so that
//! copies and backups can compare schema versions across engines. PostgreSQL's steps change
//! only how tables are stored and checked; each runs after a given schema version and is kept
//! in a history of its own (`refinery_postgres_steps`), so that it does not count in the
//! schema version.
//!
//! Refinery runs here on the transaction that the engine already holds ([`Runs`]): SQLite's
//! `BEGIN IMMEDIATE` (the write lock, waited for by the busy handler), PostgreSQL's
//! transaction after its migration advisory lock. Two processes opening a database at once
//! thus migrate one after the other, and the second finds the first's history. A database
//! written before refinery kept the history (`schema_migrations (version, applied_at)`, with
//! PostgreSQL's steps under their number negated) gets refinery's rows for the versions it
//! has, with the checksums of the embedded files, in the same transaction; its
//! `schema_migrations` becomes a read-only view of refinery's history, so that a release that
//! still reads it sees the newer version and refuses the database.

use refinery::{Migration, Runner, Target};
use refinery_core::traits::sync::{Migrate, Query, Transaction};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::sql::{Arg, Db};
use crate::{StoreError, StoreResult};

mod sqlite_files {
    refinery::embed_migrations!("migrations/sqlite");
}
mod postgres_files {
    refinery::embed_migrations!("migrations/postgres");
}
mod postgres_step_files {
    refinery::embed_migrations!("migrations/postgres_steps");
}

/// Refinery's history of the schema's migrations.
pub(crate) const HISTORY: &str = "refinery_schema_history";
/// Refinery's history of PostgreSQL's own steps.
pub(crate) const STEP_HISTORY: &str = "refinery_postgres_steps";
/// The view that keeps the older bookkeeping's name and columns readable.
pub(crate) const LEGACY: &str = "schema_migrations";

/// PostgreSQL's steps, each with the schema version after which it runs, in order.
const STEPS_AFTER: &[(u32, u32)] = &[(1, 2)];

/// The engine whose files a migration runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Engine {
    Sqlite,
    Postgres,
}

/// A connection in an open transaction that can also run a script of several statements.
pub(crate) trait Batch: Db {
    fn batch(&mut self, sql: &str) -> StoreResult<()>;
    /// Whether the current schema has a table (not a view) of that name.
    fn has_table(&mut self, name: &str) -> StoreResult<bool>;
    /// Whether the current schema has a table or view of that name.
    fn has_relation(&mut self, name: &str) -> StoreResult<bool>;
}

/// The schema version this program's migrations bring a database to.
pub(crate) fn latest_schema_version() -> u32 {
    let last = |runner: Runner| {
        runner
            .get_migrations()
            .iter()
            .map(|m| m.version())
            .max()
            .unwrap_or(0)
    };
    let version = last(sqlite_files::migrations::runner());
    debug_assert_eq!(version, last(postgres_files::migrations::runner()));
    version
}

fn files(engine: Engine) -> Runner {
    match engine {
        Engine::Sqlite => sqlite_files::migrations::runner(),
        Engine::Postgres => postgres_files::migrations::runner(),
    }
    // A file changed after a database ran it, or a version the database has and this
    // program lacks, is refused rather than skipped.
    .set_abort_divergent(true)
    .set_abort_missing(true)
}

fn steps() -> Runner {
    let mut runner = postgres_step_files::migrations::runner()
        .set_abort_divergent(true)
        .set_abort_missing(true);
    runner.set_migration_table_name(STEP_HISTORY);
    runner
}

/// Migrates the database `db` (in an open transaction that holds the engine's migration lock)
/// to the newest schema; returns its version.
pub(crate) fn migrate(db: &mut impl Batch, engine: Engine) -> StoreResult<u32> {
    let latest = latest_schema_version();
    baseline(db, engine, latest)?;
    if db.has_table(HISTORY)? {
        let current = db
            .row(
                &format!("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM {HISTORY}"),
                &[],
                |r| r.int(0),
            )?
            .unwrap_or(0);
        refuse_newer(current, latest)?;
    }
    let mut runs = Runs(db);
    if engine == Engine::Postgres {
        for (step, after) in STEPS_AFTER {
            run(files(engine).set_target(Target::Version(*after)), &mut runs)?;
            run(steps().set_target(Target::Version(*step)), &mut runs)?;
        }
    }
    run(files(engine), &mut runs)?;
    if !db.has_relation(LEGACY)? {
        let steps = match engine {
            Engine::Sqlite => String::new(),
            Engine::Postgres => {
                format!(" UNION ALL SELECT -version, applied_on FROM {STEP_HISTORY}")
            }
        };
        db.batch(&format!(
            "CREATE VIEW {LEGACY} (version, applied_at) AS \
             SELECT version, applied_on FROM {HISTORY}{steps}"
        ))?;
    }
    Ok(latest)
}

fn refuse_newer(current: i64, latest: u32) -> StoreResult<()> {
    if current > i64::from(latest) {
        return Err(StoreError::Invalid(format!(
            "the database has schema version {current}, newer than this program knows ({latest}); upgrade Synergies"
        )));
    }
    Ok(())
}

fn run(runner: Runner, runs: &mut Runs<'_, impl Batch>) -> StoreResult<()> {
    runner.run(runs).map(|_| ()).map_err(|e| {
        let mut msg = format!("migrating the schema: {e}");
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            msg.push_str(&format!(": {s}"));
            source = s.source();
        }
        StoreError::Database(msg)
    })
}

/// A database whose history is still the older bookkeeping (`schema_migrations` as a table)
/// gets refinery's rows for the versions (and PostgreSQL steps) it records, with the embedded
/// files' names and checksums, and the table is dropped for the view [`migrate`] makes.
fn baseline(db: &mut impl Batch, engine: Engine, latest: u32) -> StoreResult<()> {
    if db.has_table(HISTORY)? || !db.has_table(LEGACY)? {
        return Ok(());
    }
    let recorded: Vec<(i64, String)> = db.rows(
        &format!("SELECT CAST(version AS BIGINT), applied_at FROM {LEGACY} ORDER BY version"),
        &[],
        |r| Ok((r.int(0)?, r.text(1)?)),
    )?;
    refuse_newer(recorded.iter().map(|(v, _)| *v).max().unwrap_or(0), latest)?;
    let main = files(engine);
    let steps = steps();
    db.batch(&Runs::<Dummy>::assert_migrations_table_query(HISTORY))?;
    if engine == Engine::Postgres {
        db.batch(&Runs::<Dummy>::assert_migrations_table_query(STEP_HISTORY))?;
    }
    for (version, at) in recorded {
        let (runner, table, number) = match (version, engine) {
            (v, _) if v > 0 => (&main, HISTORY, v),
            (v, Engine::Postgres) if v < 0 => (&steps, STEP_HISTORY, -v),
            _ => continue,
        };
        let Some(file) = runner
            .get_migrations()
            .iter()
            .find(|m| i64::from(m.version()) == number)
        else {
            return Err(StoreError::Invalid(format!(
                "the database records migration {version}, which this program does not know"
            )));
        };
        // Refinery reads the time as RFC 3339; an older row's time that is not one becomes now.
        let at = chrono::DateTime::parse_from_rfc3339(&at)
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_else(|_| chrono::Utc::now())
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        db.exec(
            &format!(
                "INSERT INTO {table} (version, name, applied_on, checksum) \
                 VALUES (CAST($1 AS BIGINT), $2, $3, $4)"
            ),
            &[
                Arg::Int(number),
                Arg::Text(file.name()),
                Arg::Text(&at),
                Arg::Text(&file.checksum().to_string()),
            ],
        )?;
    }
    db.batch(&format!("DROP TABLE {LEGACY}"))?;
    Ok(())
}

/// Refinery's driver over a transaction the store holds: it runs refinery's statements in that
/// transaction, and never begins or commits one of its own.
struct Runs<'a, D>(&'a mut D);

/// Only names the type of [`Runs`] for its associated functions.
enum Dummy {}
impl Db for Dummy {
    fn rows<T>(
        &mut self,
        _: &str,
        _: &[Arg],
        _: impl FnMut(&dyn crate::sql::RowGet) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        match *self {}
    }
    fn each(
        &mut self,
        _: &str,
        _: &[Arg],
        _: &mut dyn FnMut(&dyn crate::sql::RowGet) -> StoreResult<()>,
    ) -> StoreResult<()> {
        match *self {}
    }
    fn exec(&mut self, _: &str, _: &[Arg]) -> StoreResult<u64> {
        match *self {}
    }
}
impl Batch for Dummy {
    fn batch(&mut self, _: &str) -> StoreResult<()> {
        match *self {}
    }
    fn has_table(&mut self, _: &str) -> StoreResult<bool> {
        match *self {}
    }
    fn has_relation(&mut self, _: &str) -> StoreResult<bool> {
        match *self {}
    }
}

impl<D: Batch> Transaction for Runs<'_, D> {
    type Error = StoreError;

    fn execute(&mut self, queries: &[&str]) -> Result<usize, StoreError> {
        for q in queries {
            self.0.batch(q)?;
        }
        Ok(queries.len())
    }
}

impl<D: Batch> Query<Vec<Migration>> for Runs<'_, D> {
    fn query(&mut self, query: &str) -> Result<Vec<Migration>, StoreError> {
        self.0.rows(query, &[], |r| {
            let version = r.int(0)?;
            let at = r.text(2)?;
            let checksum = r.text(3)?;
            let bad = |what: &str, v: &str| {
                StoreError::Database(format!("the schema's history has {what} {v:?}"))
            };
            Ok(Migration::applied(
                i32::try_from(version).map_err(|_| bad("version", &version.to_string()))?,
                r.text(1)?,
                OffsetDateTime::parse(&at, &Rfc3339).map_err(|_| bad("time", &at))?,
                checksum.parse().map_err(|_| bad("checksum", &checksum))?,
            ))
        })
    }
}

impl<D: Batch> Migrate for Runs<'_, D> {
    // The version is read as BIGINT, the integer both engines' rows map.
    fn get_applied_migrations_query(table: &str) -> String {
        format!(
            "SELECT CAST(version AS BIGINT), name, applied_on, checksum FROM {table} ORDER BY version ASC"
        )
    }

    fn get_last_applied_migration_query(table: &str) -> String {
        format!(
            "SELECT CAST(version AS BIGINT), name, applied_on, checksum FROM {table} \
             WHERE version = (SELECT MAX(version) FROM {table})"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_engines_have_the_same_versions() {
        let versions = |r: Runner| -> Vec<u32> {
            let mut v: Vec<u32> = r.get_migrations().iter().map(|m| m.version()).collect();
            v.sort();
            v
        };
        let sqlite = versions(files(Engine::Sqlite));
        assert_eq!(sqlite, versions(files(Engine::Postgres)));
        assert_eq!(sqlite, (1..=latest_schema_version()).collect::<Vec<_>>());
        for (step, after) in STEPS_AFTER {
            assert!(versions(steps()).contains(step));
            assert!(sqlite.contains(after));
        }
        assert_eq!(versions(steps()).len(), STEPS_AFTER.len());
    }
}
