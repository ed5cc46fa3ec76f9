//! Open data: the IATI activity file of a biennium's cooperation activities, and the whole
//! database as a Frictionless data package, with the way back (a data package into an empty
//! database, all or nothing, verified like a restore).

use std::io::Write;
use std::path::Path;

use serde_json::json;
use synergies_opendata::datapackage::{
    Field, FieldType, Item, PackageInfo, PackageReader, PackageSummary, PackageWriter, Table,
};
use synergies_opendata::iati::{self, IatiFile, Publisher};
use synergies_opendata::OpenDataError;
use synergies_store::shape::{ColumnKind, PRIVATE_TABLES, SHAPES};
use synergies_store::{DumpItem, Store, StoreError};

use crate::activities::priced;
use crate::storage::{refusal, stage, verify, TransferReport};
use crate::{Actor, AuditAction};
use crate::{AppError, AppResult};

impl From<OpenDataError> for AppError {
    fn from(e: OpenDataError) -> Self {
        match e {
            OpenDataError::Invalid(m) => AppError::Invalid(m),
            OpenDataError::Io(m) => AppError::Io(m),
        }
    }
}

/// What an IATI export wrote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IatiReport {
    pub biennium: String,
    pub activities: usize,
    /// Budget elements (one per activity and calendar year).
    pub budgets: usize,
    /// Transactions: none yet, since activities do not name the agreements that carry their
    /// actual costs.
    pub transactions: usize,
}

/// Writes the IATI 2.03 activity file of the cooperation activities of `biennium`.
pub fn export_iati(
    store: &dyn Store,
    biennium: &str,
    publisher: &Publisher,
    out: &mut dyn Write,
) -> AppResult<IatiReport> {
    let framework = store.framework()?;
    let b = framework
        .biennium(biennium)
        .ok_or_else(|| AppError::Invalid(format!("unknown biennium {biennium}")))?;
    let activities = priced(store, biennium)?;
    let currency = framework
        .rate_cards
        .iter()
        .find(|c| c.biennium == biennium)
        .map(|c| c.currency)
        .unwrap_or(synergies_domain::Currency::USD);
    let file = IatiFile {
        publisher,
        biennium: b,
        currency,
        organisations: &framework.organisations,
        activities: activities
            .iter()
            .map(|p| iati::PricedActivity {
                activity: &p.activity,
                costs: &p.costs,
            })
            .collect(),
        generated: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    };
    iati::write_iati(&file, out)?;
    let years = iati::year_budgets(b.start, b.end, 0)?.len();
    Ok(IatiReport {
        biennium: biennium.to_string(),
        activities: activities.len(),
        budgets: activities.len() * years,
        transactions: 0,
    })
}

/// The tables of the schema as the data package describes them.
pub fn package_tables() -> Vec<Table> {
    SHAPES
        .iter()
        .filter(|s| !PRIVATE_TABLES.contains(&s.name))
        .map(|s| Table {
            name: s.name.to_string(),
            fields: s
                .columns
                .iter()
                .map(|c| Field {
                    name: c.name.to_string(),
                    field_type: match c.kind {
                        ColumnKind::Integer => FieldType::Integer,
                        ColumnKind::Text => FieldType::String,
                        ColumnKind::Decimal => FieldType::Number,
                        ColumnKind::Date => FieldType::Date,
                        ColumnKind::Timestamp => FieldType::Datetime,
                        ColumnKind::Month => FieldType::YearMonth,
                        ColumnKind::Json => FieldType::Json,
                    },
                    nullable: c.nullable,
                })
                .collect(),
            primary_key: s.primary_key.iter().map(|k| k.to_string()).collect(),
        })
        .collect()
}

/// Writes every table of a consistent snapshot of `store` as a data package in the new
/// directory `dir` (nothing is left there if it fails).
pub fn export_datapackage(store: &dyn Store, dir: &Path) -> AppResult<PackageSummary> {
    let schema_version = store.migrate()?;
    let tables = package_tables();
    let mut writer = PackageWriter::create(dir)?;
    let mut failure: Option<OpenDataError> = None;
    // Credentials are never published: their tables and rows are left out.
    let mut private = false;
    let dumped = store.dump(&mut |item| {
        let written = match item {
            DumpItem::Table { table, .. } if PRIVATE_TABLES.contains(&table.as_str()) => {
                private = true;
                Ok(())
            }
            DumpItem::Table { table, columns } => {
                private = false;
                match tables.iter().find(|t| t.name == table) {
                    Some(t) => writer.table(t.clone(), &columns),
                    None => Err(OpenDataError::Invalid(format!(
                        "table {table} has no description"
                    ))),
                }
            }
            DumpItem::Row(_) if private => Ok(()),
            DumpItem::Row(values) => writer.row(&values),
        };
        written.map_err(|e| {
            let message = e.to_string();
            failure = Some(e);
            StoreError::Invalid(message)
        })
    });
    if let Some(e) = failure {
        return Err(e.into());
    }
    dumped?;
    Ok(writer.finish(&PackageInfo {
        schema_version,
        created: chrono::Utc::now().to_rfc3339(),
    })?)
}

/// Loads the data package in `dir` into `store`, which must be empty: streamed into a staging
/// database, every cell checked against the table's description, then verified there (row
/// counts against the package, ledger check, every posted closing recomputed from the
/// package's deliveries, rates and exchange rates) and only then put in place, with the audit
/// event of the import, in one step. A bad package changes nothing.
/// `actor` is who imports (the audit event arrives with the imported data).
pub fn import_datapackage(
    store: &dyn Store,
    dir: &Path,
    actor: &Actor,
) -> AppResult<TransferReport> {
    actor.must_be_operator("import a data package")?;
    let mut reader = PackageReader::open(dir, &package_tables())?;
    let staged = stage(store, reader.info().schema_version, false).map_err(|e| match e {
        AppError::Invalid(m) if m.starts_with("the target database is not empty") => {
            AppError::Invalid(format!(
                "the database is not empty: a data package is imported only into an empty \
                 database; nothing was written ({m})"
            ))
        }
        e => e,
    })?;
    let into = staged.store();
    let mut counts: Vec<(String, i64)> = vec![];
    let mut failure: Option<OpenDataError> = None;
    let mut last = String::new();
    let restored = into.restore(&mut || match reader.next_item() {
        Ok(None) => Ok(None),
        Ok(Some(Item::Table { name, columns })) => {
            last = format!("{}/{name}.csv", dir.display());
            counts.push((name.clone(), 0));
            Ok(Some(DumpItem::Table {
                table: name,
                columns,
            }))
        }
        Ok(Some(Item::Row(values))) => {
            if let Some(last) = counts.last_mut() {
                last.1 += 1;
            }
            Ok(Some(DumpItem::Row(values)))
        }
        Err(e) => {
            let message = e.to_string();
            failure = Some(e);
            Err(StoreError::Invalid(message))
        }
    });
    if let Some(e) = failure {
        return Err(e.into());
    }
    if let Err(e) = restored {
        // The CSV line of the row refused: its header is line 1.
        let line = counts.last().map_or(0, |(_, n)| n + 1);
        return Err(AppError::Invalid(format!("{last}:{line}: {e}")));
    }
    let report = verify(counts, None, into)?;
    let problems = report.problems();
    if !problems.is_empty() {
        return Err(refusal(&dir.display().to_string(), &problems));
    }
    into.audit(
        actor.name(),
        AuditAction::StoreRestore.as_str(),
        &dir.display().to_string(),
        &json!({ "format": "datapackage" }),
    )?;
    staged.replace_target(true)?;
    Ok(report)
}
