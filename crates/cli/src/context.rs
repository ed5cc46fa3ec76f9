//! What every command needs: its database (opened, or created by `init` and `demo`), who runs
//! it (for the audit trail) and the day.

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use synergies_app::Actor;
use synergies_domain::agreement::Agreement;
use synergies_store::Store;

/// Opens the database of every command but `init` and `demo`. It must exist (a mistyped path
/// is refused, never created empty) and have this program's schema: a database that `init`
/// has not created or migrated is refused, with what to run. A database this process cannot
/// write is opened read-only: reads work, writes fail.
pub fn open(url: &str) -> Result<Box<dyn Store>> {
    let shown = synergies_app::storage::redact_url(url);
    let store = synergies_store::open_existing(url).with_context(|| format!("opening {shown}"))?;
    let version = store
        .schema_version()
        .with_context(|| format!("reading {shown}"))?;
    let latest = synergies_store::latest_schema_version();
    if version == 0 {
        bail!(
            "{shown} is not a Synergies database yet (it has no schema): create it with \
             `synergies --db {shown} init`"
        );
    }
    if version < latest {
        bail!(
            "{shown} has schema version {version} and this Synergies needs {latest}: migrate \
             it with `synergies --db {shown} init` (after a backup)"
        );
    }
    if version > latest {
        bail!(
            "{shown} has schema version {version}, newer than this Synergies knows \
             ({latest}): upgrade Synergies"
        );
    }
    Ok(store)
}

/// Opens the database of `init` and `demo`, the commands that create one: created if it does
/// not exist, and migrated to this program's schema.
pub fn create(url: &str) -> Result<Box<dyn Store>> {
    let shown = synergies_app::storage::redact_url(url);
    let store = synergies_store::open(url).with_context(|| format!("opening {shown}"))?;
    synergies_app::storage::migrate(store.as_ref())
        .with_context(|| format!("migrating {shown}"))?;
    Ok(store)
}

pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// Who runs the command line, as the audit trail names them: `cli:` and the operating-system
/// account (`cli` alone when the environment does not say).
pub fn operator() -> String {
    match std::env::var("USER").or_else(|_| std::env::var("LOGNAME")) {
        Ok(user) if !user.trim().is_empty() => format!("cli:{}", user.trim()),
        _ => "cli".to_string(),
    }
}

/// The person the command line acts as (`--as USER`, or `SYNERGIES_ACTOR`), set once by
/// `main` from the users table; without one the operator acts.
pub static ACTING_AS: std::sync::OnceLock<Actor> = std::sync::OnceLock::new();

/// Who performs a change: the person given with `--as` (whose roles the domain checks),
/// else the operator, recorded as `recorded` (the `--by` of a command, or [`operator`]).
pub fn actor(recorded: &str) -> Actor {
    ACTING_AS
        .get()
        .cloned()
        .unwrap_or_else(|| Actor::operator(recorded))
}

/// The recorded agreement `code`, or the error every command gives for an unknown one.
pub fn known_agreement(store: &dyn Store, code: &str) -> Result<Agreement> {
    match store.agreement(code)? {
        Some(a) => Ok(a),
        None => bail!("unknown agreement {code}"),
    }
}
