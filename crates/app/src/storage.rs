//! Moving data between databases: `copy` from one store to another (SQLite to PostgreSQL and
//! back), and `backup` / `restore` through a portable file. Each verifies what it wrote: the
//! same row counts per table, the same trial balance, and a ledger check that passes.

use std::io::{BufRead, Write};
use std::path::Path;

use serde_json::json;
use synergies_domain::ledger::TrialBalance;
use synergies_store::{DumpItem, Store, StoreError, StoreResult};

use crate::ledger::{check, LedgerCheck};
use crate::{AppError, AppResult};

/// The first line of a backup file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BackupHeader {
    /// Format version of the file.
    pub synergies_backup: u32,
    pub schema_version: u32,
    pub engine: String,
    pub created_at: String,
}

const FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TransferReport {
    /// Per table: rows in the source (or file) and in the target afterwards.
    pub tables: Vec<(String, i64, i64)>,
    /// Whether the target's trial balance equals the source's (`None`: not compared, as for a
    /// restore from a file; the ledger check still runs).
    pub same_trial_balance: Option<bool>,
    pub ledger_check: LedgerCheck,
}

impl TransferReport {
    pub fn verified(&self) -> bool {
        self.same_trial_balance != Some(false)
            && self.ledger_check.passed()
            && self.tables.iter().all(|(_, a, b)| a == b)
    }
}

/// Prepares a target: migrated to the source's schema version, and empty (erased first when
/// `overwrite`; refused otherwise).
pub(crate) fn prepare_target(
    target: &dyn Store,
    schema_version: u32,
    overwrite: bool,
) -> AppResult<()> {
    let version = target.migrate()?;
    if version != schema_version {
        return Err(AppError::Invalid(format!(
            "the source has schema version {schema_version} and the target {version}: migrate both with the same Synergies first"
        )));
    }
    let rows: i64 = target.table_counts()?.iter().map(|(_, n)| n).sum();
    if rows > 0 {
        if !overwrite {
            return Err(AppError::Invalid(format!(
                "the target database is not empty ({rows} rows); give --overwrite to replace its data"
            )));
        }
        target.erase_all()?;
    }
    Ok(())
}

pub(crate) fn verify(
    expected_counts: Vec<(String, i64)>,
    expected_tb: Option<TrialBalance>,
    target: &dyn Store,
) -> AppResult<TransferReport> {
    let target_counts = target.table_counts()?;
    let tables = expected_counts
        .into_iter()
        .map(|(t, n)| {
            let m = target_counts
                .iter()
                .find(|(u, _)| *u == t)
                .map(|(_, m)| *m)
                .unwrap_or(-1);
            (t, n, m)
        })
        .collect();
    let tb = target.trial_balance()?;
    let report = TransferReport {
        tables,
        same_trial_balance: expected_tb.map(|e| e == tb),
        ledger_check: check(target)?,
    };
    if !report.verified() {
        return Err(AppError::Invalid(format!(
            "the data were written but do not verify: {}",
            serde_json::to_string(&report).unwrap_or_default()
        )));
    }
    Ok(report)
}

/// Copies everything from `source` into `target` and verifies it.
pub fn copy(source: &dyn Store, target: &dyn Store, overwrite: bool) -> AppResult<TransferReport> {
    let version = source.migrate()?;
    prepare_target(target, version, overwrite)?;
    let (tx, rx) = std::sync::mpsc::sync_channel::<DumpItem>(4096);
    let (dumped, restored) = std::thread::scope(|s| {
        let dumper = s.spawn(move || {
            source.dump(&mut |item| {
                tx.send(item)
                    .map_err(|_| StoreError::Invalid("the copy stopped while writing".into()))
            })
        });
        let restored = target.restore(&mut || Ok(rx.recv().ok()));
        // If the restore failed early, the receiver is gone and the dump stops with an error.
        (dumper.join(), restored)
    });
    restored?;
    dumped
        .map_err(|_| AppError::Invalid("the dump panicked".into()))?
        .map_err(AppError::Store)?;
    verify(
        source.table_counts()?,
        Some(source.trial_balance()?),
        target,
    )
}

/// Writes a consistent snapshot of `store` to `out` (JSON lines: a header, then each table's
/// header and rows). Returns the number of rows written.
pub fn backup(store: &dyn Store, out: &mut dyn Write) -> AppResult<u64> {
    let header = BackupHeader {
        synergies_backup: FORMAT,
        schema_version: store.migrate()?,
        engine: store.engine().to_string(),
        created_at: chrono::Utc::now().to_rfc3339(),
    };
    serde_json::to_writer(&mut *out, &header).map_err(|e| AppError::Io(e.to_string()))?;
    out.write_all(b"\n")?;
    let mut rows = 0u64;
    store.dump(&mut |item| {
        if matches!(item, DumpItem::Row(_)) {
            rows += 1;
        }
        serde_json::to_writer(&mut *out, &item)
            .map_err(|e| StoreError::Invalid(format!("cannot write the backup: {e}")))?;
        out.write_all(b"\n")
            .map_err(|e| StoreError::Invalid(format!("cannot write the backup: {e}")))
    })?;
    Ok(rows)
}

/// Restores a backup file into `store` (empty, or erased first when `overwrite`), verifying
/// the row counts against the file and checking the ledger.
pub fn restore(store: &dyn Store, file: &Path, overwrite: bool) -> AppResult<TransferReport> {
    let name = file.display().to_string();
    let reader = std::io::BufReader::new(
        std::fs::File::open(file).map_err(|e| AppError::Io(format!("cannot read {name}: {e}")))?,
    );
    let mut lines = reader.lines();
    let first = lines
        .next()
        .ok_or_else(|| AppError::Invalid(format!("{name} is empty")))??;
    let header: BackupHeader = serde_json::from_str(&first)
        .map_err(|_| AppError::Invalid(format!("{name}:1: not a Synergies backup")))?;
    if header.synergies_backup != FORMAT {
        return Err(AppError::Invalid(format!(
            "{name}: backup format {} is not known to this version (expected {FORMAT})",
            header.synergies_backup
        )));
    }
    prepare_target(store, header.schema_version, overwrite)?;
    let mut counts: Vec<(String, i64)> = vec![];
    let mut line_no = 1u64;
    let mut next = || -> StoreResult<Option<DumpItem>> {
        let Some(line) = lines.next() else {
            return Ok(None);
        };
        line_no += 1;
        let line = line.map_err(|e| StoreError::Invalid(format!("{name}:{line_no}: {e}")))?;
        let item: DumpItem = serde_json::from_str(&line)
            .map_err(|e| StoreError::Invalid(format!("{name}:{line_no}: {e}")))?;
        match &item {
            DumpItem::Table { table, .. } => counts.push((table.clone(), 0)),
            DumpItem::Row(_) => {
                if let Some(last) = counts.last_mut() {
                    last.1 += 1;
                }
            }
        }
        Ok(Some(item))
    };
    store.restore(&mut next)?;
    let report = verify(counts, None, store)?;
    store.audit(
        "cli",
        "store.restore",
        &name,
        &json!({ "engine": header.engine, "created_at": header.created_at }),
    )?;
    Ok(report)
}
