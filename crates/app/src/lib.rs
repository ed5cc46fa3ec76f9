//! Application services of Synergies: what the command line (and, later, the web server) asks
//! for. Each service takes a [`Store`] and plain inputs, applies the domain's rules and writes
//! through the store in whole transactions. No service prints: they return reports.

use std::fmt;

use synergies_domain::{DomainError, Message};
use synergies_store::StoreError;

pub mod activities;
pub mod actor;
pub mod agreements;
pub mod audit;
pub mod close;
pub mod context;
pub mod cooperation;
pub mod decisions;
pub mod deliveries;
pub mod demo;
pub mod export;
pub mod form;
pub mod identity;
pub mod import;
pub mod inbox;
pub mod ledger;
pub mod opendata;
pub mod reference;
pub mod storage;

pub use actor::Actor;
pub use audit::AuditAction;
pub use synergies_store::Store;

/// A line of input that was refused: `FILE:LINE: column: reason`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InputIssue {
    pub line: u64,
    pub column: String,
    pub reason: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("{0}")]
    Invalid(String),
    /// The actor may not do this (the domain's `authorize` said why).
    #[error(transparent)]
    Denied(#[from] synergies_domain::access::Denied),
    /// One input field is wrong: `field` names it as the form and the request body do.
    #[error("{field}: {message}")]
    Field { field: String, message: Message },
    /// Several input fields are wrong, each with its message: a form shows every one beside
    /// its field at once.
    #[error("{}", .0.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; "))]
    Fields(Vec<(String, Message)>),
    /// What the action names does not exist.
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Io(String),
    /// An input file with bad rows: nothing was written.
    #[error("{}", render_rejection(.file, .issues, *.more))]
    Rejected {
        file: String,
        issues: Vec<InputIssue>,
        /// Bad rows beyond those listed.
        more: u64,
    },
}

fn render_rejection(file: &str, issues: &[InputIssue], more: u64) -> String {
    let mut out = String::new();
    for i in issues {
        out.push_str(&format!("{file}:{}: {}: {}\n", i.line, i.column, i.reason));
    }
    if more > 0 {
        out.push_str(&format!("… and {more} more bad rows\n"));
    }
    let total = issues.len() as u64 + more;
    out.push_str(&format!(
        "{file}: {total} bad row{}; nothing was written",
        if total == 1 { "" } else { "s" }
    ));
    out
}

impl AppError {
    /// The field errors of a form: one per field (the first found), from a refusal that names
    /// fields (several, one, or a record's issues); `None` for any other refusal.
    pub fn field_errors(&self) -> Option<Vec<(String, Message)>> {
        let mut out: Vec<(String, Message)> = match self {
            AppError::Fields(list) => list.clone(),
            AppError::Field { field, message } => vec![(field.clone(), message.clone())],
            AppError::Domain(DomainError::Invalid(issues)) => issues
                .0
                .iter()
                .map(|i| (i.field.clone(), Message::from(i.reason.clone())))
                .collect(),
            _ => return None,
        };
        let mut seen = std::collections::HashSet::new();
        out.retain(|(f, _)| seen.insert(f.clone()));
        Some(out)
    }

    /// A problem with one input field.
    pub fn field(field: &str, message: impl Into<Message>) -> AppError {
        AppError::Field {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        AppError::Io(e.to_string())
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// A short summary of what the database holds.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Summary {
    pub engine: String,
    pub schema_version: u32,
    pub tables: Vec<(String, i64)>,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} database, schema version {}",
            self.engine, self.schema_version
        )?;
        for (t, n) in &self.tables {
            writeln!(f, "  {t:<28} {n:>9}")?;
        }
        Ok(())
    }
}

pub fn summary(store: &dyn Store) -> AppResult<Summary> {
    Ok(Summary {
        engine: store.engine().to_string(),
        schema_version: store.schema_version()?,
        tables: store.table_counts()?,
    })
}
