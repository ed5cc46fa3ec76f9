//! `synergies store`: moving data between databases (copy, backup, restore).

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Subcommand;

use crate::context::{actor, open, operator};
use crate::output::{outln, print_json, write_out};

#[derive(Subcommand)]
pub enum StoreCmd {
    /// Copy everything from one database to another (SQLite and PostgreSQL, either way) and
    /// verify the copy: row counts, trial balance, ledger check.
    Copy {
        /// Source database URL.
        #[arg(long)]
        from: String,
        /// Target database URL (created or migrated; must be empty unless --overwrite).
        #[arg(long)]
        to: String,
        /// Replace the target's data.
        #[arg(long)]
        overwrite: bool,
        /// Print the verification (row counts, trial balance, ledger check) as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write a consistent snapshot of the database (--db) to a portable file.
    Backup {
        /// The backup file to write (whole or not at all).
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup file, or a data package (--datapackage DIR), into the database (--db),
    /// which must be empty (unless --overwrite, for a backup file).
    Restore {
        /// The backup file.
        #[arg(required_unless_present = "datapackage")]
        file: Option<PathBuf>,
        /// Import the data package in DIR (from `export datapackage`) instead: all or nothing,
        /// into an empty database only.
        #[arg(long, value_name = "DIR", conflicts_with_all = ["file", "overwrite"])]
        datapackage: Option<PathBuf>,
        /// Replace the database's data with the backup's.
        #[arg(long)]
        overwrite: bool,
        /// Print the verification (row counts, trial balance, ledger check) as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub fn print_transfer(report: &synergies_app::storage::TransferReport, json: bool) -> Result<()> {
    if json {
        return print_json(report);
    }
    for (table, expected, got) in &report.tables {
        outln!("  {table:<28} {expected:>9} {got:>9}")?;
    }
    outln!(
        "Verified: same row counts, {}, ledger check {}, {} closings recomputed.",
        match report.same_trial_balance {
            Some(true) => "same trial balance",
            Some(false) => "DIFFERENT trial balance",
            None => "trial balance not compared",
        },
        if report.ledger_check.passed() {
            "passed"
        } else {
            "FAILED"
        },
        report.closings.closings
    )?;
    Ok(())
}

pub fn run(db: &str, cmd: StoreCmd) -> Result<()> {
    use synergies_app::storage;
    match cmd {
        StoreCmd::Copy {
            from,
            to,
            overwrite,
            json,
        } => {
            let source = open(&from)?;
            let created = new_sqlite_file(&to);
            let target = synergies_store::open(&to)
                .with_context(|| format!("opening {}", storage::redact_url(&to)))?;
            let copied = storage::copy(
                source.as_ref(),
                target.as_ref(),
                overwrite,
                &actor(&operator()),
            );
            drop(target);
            let report = undo_created(created, copied)?;
            if !json {
                outln!(
                    "Copied {} to {}.",
                    storage::redact_url(&from),
                    storage::redact_url(&to)
                )?;
            }
            print_transfer(&report, json)?;
        }
        StoreCmd::Backup { out } => {
            let store = open(db)?;
            let mut rows = 0;
            write_out(Some(&out), |w| {
                rows = storage::backup(store.as_ref(), w)?;
                Ok(())
            })?;
            outln!(
                "Wrote {rows} rows of {} to {}.",
                storage::redact_url(db),
                out.display()
            )?;
        }
        StoreCmd::Restore {
            file,
            datapackage,
            overwrite,
            json,
        } => {
            let created = new_sqlite_file(db);
            let store = synergies_store::open(db)
                .with_context(|| format!("opening {}", storage::redact_url(db)))?;
            let restored = match (datapackage, file) {
                (Some(dir), _) => synergies_app::opendata::import_datapackage(
                    store.as_ref(),
                    &dir,
                    &actor(&operator()),
                )
                .map(|r| (r, dir)),
                (None, Some(file)) => {
                    storage::restore(store.as_ref(), &file, overwrite, &actor(&operator()))
                        .map(|r| (r, file))
                }
                (None, None) => bail!("give a backup file or --datapackage DIR"),
            };
            drop(store);
            let (report, source) = undo_created(created, restored)?;
            if !json {
                outln!(
                    "Restored {} into {}.",
                    source.display(),
                    storage::redact_url(db)
                )?;
            }
            print_transfer(&report, json)?;
        }
    }
    Ok(())
}

/// The SQLite file a database URL names when it does not exist yet (a restore or a copy
/// creates it).
pub fn new_sqlite_file(url: &str) -> Option<PathBuf> {
    let path = PathBuf::from(url.strip_prefix("sqlite://")?);
    (!path.exists()).then_some(path)
}

/// A restore or copy that failed into a SQLite file it created removes the file again (with
/// what SQLite kept beside it): a failure leaves nothing behind. The store is closed by then.
pub fn undo_created<T>(
    created: Option<PathBuf>,
    outcome: synergies_app::AppResult<T>,
) -> Result<T> {
    if outcome.is_err() {
        if let Some(path) = created {
            for suffix in ["", "-wal", "-shm"] {
                let mut p = path.clone().into_os_string();
                p.push(suffix);
                let _ = std::fs::remove_file(p);
            }
        }
    }
    Ok(outcome?)
}
