//! Moving data between databases: `copy` from one store to another (SQLite to PostgreSQL and
//! back), and `backup` / `restore` through a portable file.
//!
//! Nothing is ever written into the target directly: a copy, a restore or a data package goes
//! into a staging database beside it ([`Store::stage`]), is verified there completely (row
//! counts against the source or the file's own end record, the trial balance, the ledger
//! check, and every posted closing recomputed from the restored deliveries, rates and
//! exchange rates), and only then replaces the target's data in one atomic step. A bad file,
//! a failed check or a crash leaves the target as it was.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::Path;

use rust_decimal::Decimal;
use serde_json::json;
use sha2::{Digest, Sha256};
use synergies_domain::cost::{plan_closing, CostAccumulator};
use synergies_domain::delivery::DeliveryStatus;
use synergies_domain::ledger::TrialBalance;
use synergies_domain::Period;
use synergies_store::{
    total_rows, ChargeFilter, ClosingStatus, DeliveryFilter, DumpItem, Staged, Store, StoreError,
    StoreResult, TABLES,
};

use crate::context::PricingContext;
use crate::ledger::{check, LedgerCheck};
use crate::{Actor, AuditAction};
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

/// Format 2 ends with an [`EndRecord`]; format 1 had none and is refused.
pub const FORMAT: u32 = 2;

/// The engines a backup may come from.
const ENGINES: &[&str] = &["sqlite", "postgres"];

/// What the end record says of one table: its rows, and the SHA-256 (lowercase hex) of the
/// table's lines in the file (its header line and each row line, each with its `\n`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSum {
    pub table: String,
    pub rows: i64,
    pub sha256: String,
}

/// The last line of a backup: every table with its row count and checksum. A file without it
/// was cut short and is refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndRecord {
    pub end: Vec<TableSum>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TransferReport {
    /// Per table: rows in the source (or file) and in the restored data.
    pub tables: Vec<(String, i64, i64)>,
    /// Whether the target's trial balance equals the source's (`None`: not compared, as for a
    /// restore from a file; the ledger check still runs).
    pub same_trial_balance: Option<bool>,
    pub ledger_check: LedgerCheck,
    /// Every posted closing recomputed from the restored deliveries and reference data.
    pub closings: ClosingCheck,
}

impl TransferReport {
    pub fn verified(&self) -> bool {
        self.problems().is_empty()
    }

    /// Why the data do not verify (empty when they do).
    pub fn problems(&self) -> Vec<String> {
        let mut problems: Vec<String> = self
            .tables
            .iter()
            .filter(|(_, a, b)| a != b)
            .map(|(t, a, b)| format!("table {t}: {b} rows restored, {a} expected"))
            .collect();
        if self.same_trial_balance == Some(false) {
            problems.push("the trial balance differs from the source's".into());
        }
        problems.extend(self.ledger_check.violations.iter().cloned());
        problems.extend(self.closings.violations.iter().cloned());
        problems
    }
}

/// The posted closings recomputed: each links exactly the deliveries it charged, and those
/// deliveries, priced again with the agreement version, rates and exchange rates stored,
/// give the closing's direct cost and each payer's charge to the minor unit.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ClosingCheck {
    pub closings: u64,
    pub deliveries: u64,
    pub violations: Vec<String>,
}

/// The most problems a refusal lists.
const SHOWN: usize = 10;

/// Recomputes every posted closing of `store` from its linked deliveries (see
/// [`ClosingCheck`]).
pub fn check_closings(store: &dyn Store) -> AppResult<ClosingCheck> {
    let ctx = PricingContext::load(store)?;
    let pricer = ctx.pricer();
    let closings: HashMap<i64, synergies_store::ClosingRecord> = store
        .closings(None)?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let mut report = ClosingCheck::default();
    let mut costs: HashMap<i64, (CostAccumulator, u64)> = HashMap::new();
    let mut violations = vec![];
    store.for_each_delivery(&DeliveryFilter::default(), &mut |d| {
        let Some(id) = d.closing else {
            return Ok(());
        };
        report.deliveries += 1;
        let what = format!(
            "delivery {} of {}",
            d.delivery.external_id, d.delivery.agreement
        );
        let Some(c) = closings.get(&id) else {
            violations.push(format!(
                "{what} is linked to closing {id}, which does not exist"
            ));
            return Ok(());
        };
        let name = format!(
            "closing {id} ({} {} #{})",
            c.agreement, c.period, c.sequence
        );
        if c.status != ClosingStatus::Posted {
            violations.push(format!("{what} is linked to {name}, which is reversed"));
        }
        if d.delivery.agreement != c.agreement {
            violations.push(format!("{what} is linked to {name} of another agreement"));
            return Ok(());
        }
        if d.status != DeliveryStatus::Accepted {
            violations.push(format!("{what} is charged by {name} but not accepted"));
        }
        match c.period.parse::<Period>() {
            Ok(p) if p.first_day() <= d.delivery.date && d.delivery.date <= p.last_day() => {}
            _ => violations.push(format!(
                "{what} ({}) is charged by {name}, outside its period",
                d.delivery.date
            )),
        }
        let priced = ctx
            .agreements
            .get(&c.agreement)
            .ok_or_else(|| format!("unknown agreement {}", c.agreement))
            .and_then(|a| {
                let v = a
                    .versions
                    .iter()
                    .find(|v| v.number == c.version)
                    .ok_or_else(|| format!("{} has no version {}", a.code, c.version))?;
                let range = ctx.biennium_range(a).map_err(|e| e.to_string())?;
                let priced = pricer
                    .price(a, v, range, &d.delivery)
                    .map_err(|i| format!("{}: {}", i.column, i.reason))?;
                Ok((a.currency, priced))
            });
        match priced {
            Err(why) => violations.push(format!(
                "{what}, charged by {name}, cannot be priced: {why}"
            )),
            Ok((currency, priced)) => {
                let (acc, n) = costs
                    .entry(id)
                    .or_insert_with(|| (CostAccumulator::new(currency), 0));
                *n += 1;
                acc.add(&priced).map_err(StoreError::Domain)?;
            }
        }
        Ok(())
    })?;
    let mut charges: HashMap<i64, Vec<(String, i64, i64, i64)>> = HashMap::new();
    for ch in store.charges(&ChargeFilter::default())? {
        charges.entry(ch.closing).or_default().push((
            ch.payer_fund,
            ch.direct_minor,
            ch.psc_minor,
            ch.total_minor,
        ));
    }
    let mut ids: Vec<&i64> = closings.keys().collect();
    ids.sort();
    for id in ids {
        let c = &closings[id];
        if c.status != ClosingStatus::Posted {
            continue;
        }
        report.closings += 1;
        let name = format!(
            "closing {id} ({} {} #{})",
            c.agreement, c.period, c.sequence
        );
        let linked = costs.get(id).map_or(0, |(_, n)| *n);
        if linked != c.deliveries {
            violations.push(format!(
                "{name} charged {} deliveries, but {linked} are linked to it",
                c.deliveries
            ));
            continue;
        }
        let (Some(a), Some((acc, _))) = (ctx.agreements.get(&c.agreement), costs.get(id)) else {
            continue;
        };
        let Some(v) = a.versions.iter().find(|v| v.number == c.version) else {
            continue;
        };
        let plan = match plan_closing(a, v, acc, &ctx.fx) {
            Ok(plan) => plan,
            Err(e) => {
                violations.push(format!("{name} cannot be recomputed: {e}"));
                continue;
            }
        };
        let same_exact = match (
            plan.direct_exact.parse::<Decimal>(),
            c.direct_exact.parse::<Decimal>(),
        ) {
            (Ok(a), Ok(b)) => a == b,
            _ => plan.direct_exact == c.direct_exact,
        };
        if !same_exact || plan.direct_minor != c.direct_minor {
            violations.push(format!(
                "{name}: its deliveries recompute to a direct cost of {} ({} minor units), \
                 it posted {} ({})",
                plan.direct_exact, plan.direct_minor, c.direct_exact, c.direct_minor
            ));
            continue;
        }
        let mut expected: Vec<(String, i64, i64, i64)> = plan
            .charges
            .iter()
            .map(|ch| {
                (
                    ch.payer.fund.clone(),
                    ch.amounts.direct_minor,
                    ch.amounts.psc_minor,
                    ch.amounts.total_minor,
                )
            })
            .collect();
        let mut posted = charges.remove(id).unwrap_or_default();
        expected.sort();
        posted.sort();
        if expected != posted {
            violations.push(format!(
                "{name}: its charges recompute to {expected:?} (fund, direct, PSC, total), \
                 it posted {posted:?}"
            ));
        }
    }
    report.violations = violations;
    Ok(report)
}

/// Verifies restored data: row counts, trial balance (when there is one to compare), the
/// ledger check and the closings recomputed.
pub(crate) fn verify(
    expected_counts: Vec<(String, i64)>,
    expected_tb: Option<TrialBalance>,
    store: &dyn Store,
) -> AppResult<TransferReport> {
    let counts = store.table_counts()?;
    let tables = expected_counts
        .into_iter()
        .map(|(t, n)| {
            let m = counts
                .iter()
                .find(|(u, _)| *u == t)
                .map(|(_, m)| *m)
                .unwrap_or(-1);
            (t, n, m)
        })
        .collect();
    let tb = store.trial_balance()?;
    Ok(TransferReport {
        tables,
        same_trial_balance: expected_tb.map(|e| e == tb),
        ledger_check: check(store)?,
        closings: check_closings(store)?,
    })
}

/// A refusal naming what went wrong and saying that the target was left alone.
pub(crate) fn refusal(what: &str, problems: &[String]) -> AppError {
    let mut text = format!(
        "{what} does not verify, so the target database was left as it was: {}",
        problems
            .iter()
            .take(SHOWN)
            .cloned()
            .collect::<Vec<_>>()
            .join("; ")
    );
    if problems.len() > SHOWN {
        text.push_str(&format!("; and {} more", problems.len() - SHOWN));
    }
    AppError::Invalid(text)
}

/// Checks that `target` may receive data of `schema_version` and makes its staging database.
/// Refuses a target that holds data unless `overwrite` (checked again when it is replaced).
pub(crate) fn stage<'a>(
    target: &'a dyn Store,
    schema_version: u32,
    overwrite: bool,
) -> AppResult<Box<dyn Staged + 'a>> {
    let existing = target.schema_version()?;
    if existing > 0 && !overwrite {
        let rows = total_rows(&target.table_counts()?);
        if rows > 0 {
            return Err(AppError::Invalid(format!(
                "the target database is not empty ({rows} rows); give --overwrite to replace its \
                 data; nothing was written"
            )));
        }
    }
    let staged = target.stage()?;
    let version = staged.store().schema_version()?;
    if existing > version {
        return Err(AppError::Invalid(format!(
            "the target has schema version {existing}, newer than this program's {version}: \
             upgrade Synergies; nothing was written"
        )));
    }
    if schema_version != version {
        return Err(AppError::Invalid(format!(
            "the source has schema version {schema_version} and this program {version}: \
             migrate it with the same Synergies first; nothing was written"
        )));
    }
    Ok(staged)
}

/// A database URL as it may be shown or recorded: without a password.
pub fn redact_url(url: &str) -> String {
    let mut out = url.to_string();
    if let Some(scheme_end) = out.find("://") {
        let rest = &out[scheme_end + 3..];
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        if let Some(at) = rest[..authority_end].rfind('@') {
            if let Some(colon) = rest[..at].find(':') {
                let start = scheme_end + 3 + colon + 1;
                out.replace_range(start..scheme_end + 3 + at, "***");
            }
        }
    }
    if let Some(q) = out.find('?') {
        let (base, query) = out.split_at(q + 1);
        let query = query
            .split('&')
            .map(|kv| {
                if kv.to_ascii_lowercase().starts_with("password=") {
                    "password=***".to_string()
                } else {
                    kv.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("&");
        out = format!("{base}{query}");
    }
    out
}

/// Copies everything from `source` into `target` through a staging database, verifies it
/// (same row counts and trial balance as the source, ledger check, closings recomputed) and
/// only then replaces the target's data, with the audit event of the copy, in one step.
/// `actor` is who copies: the audit event is written into the copy before it replaces the
/// target, so the data and the event arrive together.
pub fn copy(
    source: &dyn Store,
    target: &dyn Store,
    overwrite: bool,
    actor: &Actor,
) -> AppResult<TransferReport> {
    actor.must_be_operator("copy a database into this one")?;
    let version = source.migrate()?;
    let staged = stage(target, version, overwrite)?;
    let into = staged.store();
    let (tx, rx) = std::sync::mpsc::sync_channel::<DumpItem>(4096);
    // What the dump's snapshot held, counted as it passes (the source may change meanwhile).
    let mut counts: Vec<(String, i64)> = vec![];
    let (dumped, restored) = std::thread::scope(|s| {
        let dumper = s.spawn(move || {
            source.dump(&mut |item| {
                tx.send(item)
                    .map_err(|_| StoreError::Invalid("the copy stopped while writing".into()))
            })
        });
        let restored = into.restore(&mut || {
            let item = rx.recv().ok();
            match &item {
                Some(DumpItem::Table { table, .. }) => counts.push((table.clone(), 0)),
                Some(DumpItem::Row(_)) => {
                    if let Some(last) = counts.last_mut() {
                        last.1 += 1;
                    }
                }
                None => {}
            }
            Ok(item)
        });
        // If the restore failed early, the receiver is gone and the dump stops with an error.
        (dumper.join(), restored)
    });
    restored?;
    dumped
        .map_err(|_| AppError::Invalid("the dump panicked".into()))?
        .map_err(AppError::Store)?;
    let report = verify(counts, Some(source.trial_balance()?), into)?;
    let problems = report.problems();
    if !problems.is_empty() {
        return Err(refusal("the copy", &problems));
    }
    into.audit(
        actor.name(),
        AuditAction::StoreCopy.as_str(),
        source.engine(),
        &json!({ "to_engine": target.engine(), "overwrite": overwrite }),
    )?;
    staged.replace_target(!overwrite)?;
    Ok(report)
}

/// Creates the schema of a new database, or migrates an existing one to this program's
/// schema; returns the schema version.
pub fn migrate(store: &dyn Store) -> AppResult<u32> {
    Ok(store.migrate()?)
}

/// Hashes and counts the lines of each table while a backup is written or read.
#[derive(Default)]
struct Sums {
    tables: Vec<(String, i64, Sha256)>,
}

impl Sums {
    fn line(&mut self, item: &DumpItem, bytes: &[u8]) {
        if let DumpItem::Table { table, .. } = item {
            self.tables.push((table.clone(), 0, Sha256::new()));
        }
        if let Some((_, rows, hash)) = self.tables.last_mut() {
            if matches!(item, DumpItem::Row(_)) {
                *rows += 1;
            }
            hash.update(bytes);
            hash.update(b"\n");
        }
    }

    fn finish(self) -> Vec<TableSum> {
        self.tables
            .into_iter()
            .map(|(table, rows, hash)| TableSum {
                table,
                rows,
                sha256: hash.finalize().iter().map(|b| format!("{b:02x}")).collect(),
            })
            .collect()
    }
}

/// Writes a consistent snapshot of `store` to `out` (JSON lines: a header, then each table's
/// header and rows, then the end record with each table's row count and SHA-256). Returns the
/// number of rows written.
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
    let mut sums = Sums::default();
    let mut line = Vec::with_capacity(256);
    let failed =
        |e: &dyn std::fmt::Display| StoreError::Invalid(format!("cannot write the backup: {e}"));
    store.dump(&mut |item| {
        if matches!(item, DumpItem::Row(_)) {
            rows += 1;
        }
        line.clear();
        serde_json::to_writer(&mut line, &item).map_err(|e| failed(&e))?;
        sums.line(&item, &line);
        line.push(b'\n');
        out.write_all(&line).map_err(|e| failed(&e))
    })?;
    let end = EndRecord { end: sums.finish() };
    serde_json::to_writer(&mut *out, &end).map_err(|e| AppError::Io(e.to_string()))?;
    out.write_all(b"\n")?;
    Ok(rows)
}

/// Restores a backup file into `store` (empty, or replaced when `overwrite`): streamed into a
/// staging database, every cell checked, the end record's row counts and checksums compared,
/// then verified (see [`copy`]) and only then put in place of the store's data, with the
/// audit event of the restore. Any problem is reported as `FILE:LINE: reason` and changes
/// nothing.
/// `actor` is who restores (the audit event arrives with the restored data).
pub fn restore(
    store: &dyn Store,
    file: &Path,
    overwrite: bool,
    actor: &Actor,
) -> AppResult<TransferReport> {
    actor.must_be_operator("restore a backup")?;
    let name = file.display().to_string();
    let reader = std::io::BufReader::new(
        std::fs::File::open(file).map_err(|e| AppError::Io(format!("cannot read {name}: {e}")))?,
    );
    let mut lines = reader.lines();
    let first = lines
        .next()
        .ok_or_else(|| AppError::Invalid(format!("{name}: the file is empty")))?
        .map_err(|e| AppError::Invalid(format!("{name}:1: {e}")))?;
    let header: BackupHeader = serde_json::from_str(&first)
        .map_err(|e| AppError::Invalid(format!("{name}:1: not a Synergies backup: {e}")))?;
    if header.synergies_backup != FORMAT {
        return Err(AppError::Invalid(format!(
            "{name}:1: backup format {} is not known to this version (expected {FORMAT}{})",
            header.synergies_backup,
            if header.synergies_backup < FORMAT {
                "; format 1 has no end record, so a cut file cannot be told from a whole one: \
                 make a new backup with this version"
            } else {
                ""
            }
        )));
    }
    if !ENGINES.contains(&header.engine.as_str()) {
        return Err(AppError::Invalid(format!(
            "{name}:1: engine {:?} is not one of Synergies' ({})",
            header.engine,
            ENGINES.join(", ")
        )));
    }
    let staged = stage(store, header.schema_version, overwrite)?;
    let into = staged.store();
    let mut line_no = 1u64;
    let mut sums = Sums::default();
    let mut end: Option<EndRecord> = None;
    // Errors of the file itself, already with their line (those of the store get it below).
    let mut failure: Option<String> = None;
    let mut next = || -> StoreResult<Option<DumpItem>> {
        let mut fail = |line_no: u64, why: String| {
            let message = format!("{name}:{line_no}: {why}");
            failure = Some(message.clone());
            Err(StoreError::Invalid(message))
        };
        let Some(line) = lines.next() else {
            if end.is_none() {
                return fail(
                    line_no,
                    "the file ends before its end record: it was cut short".into(),
                );
            }
            return Ok(None);
        };
        line_no += 1;
        let line = match line {
            Ok(line) => line,
            Err(e) => return fail(line_no, e.to_string()),
        };
        if end.is_some() {
            return fail(line_no, "a line after the end record".into());
        }
        let item = if line.starts_with('[') {
            serde_json::from_str::<Vec<serde_json::Value>>(&line).map(DumpItem::Row)
        } else if line.starts_with("{\"end\"") {
            match serde_json::from_str::<EndRecord>(&line) {
                Ok(record) => {
                    end = Some(record);
                    // The end record is not an item: go on to the end of the file.
                    return match lines.next() {
                        None => Ok(None),
                        Some(_) => fail(line_no + 1, "a line after the end record".into()),
                    };
                }
                Err(e) => return fail(line_no, format!("a bad end record: {e}")),
            }
        } else {
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Header {
                table: String,
                columns: Vec<String>,
            }
            serde_json::from_str::<Header>(&line).map(|h| DumpItem::Table {
                table: h.table,
                columns: h.columns,
            })
        };
        match item {
            Ok(item) => {
                sums.line(&item, line.as_bytes());
                Ok(Some(item))
            }
            Err(e) => fail(line_no, e.to_string()),
        }
    };
    let restored = into.restore(&mut next);
    if let Some(message) = failure {
        return Err(AppError::Invalid(message));
    }
    if let Err(e) = restored {
        // SQLite refuses the very row; PostgreSQL refuses a batch of rows sent together, so
        // the row it names (by its key) is at or before this line.
        let at = match (&e, into.engine()) {
            (StoreError::Database(_), "postgres") => " (a row at or before this line)",
            _ => "",
        };
        return Err(AppError::Invalid(format!("{name}:{line_no}:{at} {e}")));
    }
    let end = end.expect("a restore without an end record failed above");
    let found = sums.finish();
    let mut problems = vec![];
    for t in TABLES {
        let said = end.end.iter().find(|s| s.table == *t);
        let got = found.iter().find(|s| s.table == *t);
        match (said, got) {
            (None, _) => problems.push(format!("table {t} is missing from the end record")),
            (Some(s), None) => problems.push(format!(
                "table {t}: the end record says {} rows, the file has none",
                s.rows
            )),
            (Some(s), Some(g)) if s.rows != g.rows => problems.push(format!(
                "table {t}: the end record says {} rows, the file has {}",
                s.rows, g.rows
            )),
            (Some(s), Some(g)) if s.sha256 != g.sha256 => problems.push(format!(
                "table {t}: its checksum is not the end record's (the file was changed)"
            )),
            _ => {}
        }
    }
    if let Some(extra) = end.end.iter().find(|s| !TABLES.contains(&s.table.as_str())) {
        problems.push(format!(
            "the end record names an unknown table {:?}",
            extra.table
        ));
    }
    if !problems.is_empty() {
        return Err(refusal(&name, &problems));
    }
    let expected = end.end.iter().map(|s| (s.table.clone(), s.rows)).collect();
    let report = verify(expected, None, into)?;
    let problems = report.problems();
    if !problems.is_empty() {
        return Err(refusal(&name, &problems));
    }
    into.audit(
        actor.name(),
        AuditAction::StoreRestore.as_str(),
        &name,
        &json!({ "engine": header.engine, "created_at": header.created_at }),
    )?;
    staged.replace_target(!overwrite)?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            redact_url("postgres://u:secret@host/db"),
            "postgres://u:***@host/db"
        );
        assert_eq!(
            redact_url("postgresql:///db?host=/run&password=secret&user=u"),
            "postgresql:///db?host=/run&password=***&user=u"
        );
        assert_eq!(redact_url("sqlite://a.db"), "sqlite://a.db");
    }
}
