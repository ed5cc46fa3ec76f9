//! Support for tests that need a real PostgreSQL database (in this crate and the ones that
//! use it): the test database from `SYNERGIES_TEST_PG_URL`, and fresh schemas in it.
//!
//! Without the variable, tests say loudly that they did not run; when `CI` is set, a missing
//! PostgreSQL is a failure, not a skip.

use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};

use postgres::{Config, NoTls};

use crate::{StoreError, StoreResult};

pub const URL_VAR: &str = "SYNERGIES_TEST_PG_URL";

/// The test database's URL, or `None` after saying loudly that PostgreSQL tests did not run.
/// Panics when `CI` is set and the variable is not.
pub fn postgres_url() -> Option<String> {
    if let Ok(url) = std::env::var(URL_VAR) {
        if !url.trim().is_empty() {
            return Some(url);
        }
    }
    let in_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
    assert!(
        !in_ci,
        "{URL_VAR} is not set, and CI is: the PostgreSQL tests must run in CI \
         (scripts/test starts PostgreSQL and sets {URL_VAR})"
    );
    // Past the test harness's capture, once per test binary, so that it shows.
    static SAID: std::sync::Once = std::sync::Once::new();
    SAID.call_once(|| {
        use std::io::Write;
        let _ = write!(
            std::io::stderr(),
            "\n** PostgreSQL tests DID NOT RUN: {URL_VAR} is not set (scripts/test sets it).\n\n"
        );
    });
    None
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A schema of its own in the test database, dropped with everything in it on drop.
pub struct FreshSchema {
    base: String,
    pub name: String,
    /// A database URL that opens stores in this schema.
    pub url: String,
}

impl FreshSchema {
    pub fn new(base: &str) -> StoreResult<FreshSchema> {
        let name = format!(
            "x_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut client = Config::from_str(base)
            .map_err(|e| StoreError::Invalid(format!("{base}: {e}")))?
            .connect(NoTls)
            .map_err(|e| StoreError::Database(e.to_string()))?;
        client
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}"
            ))
            .map_err(|e| StoreError::Database(e.to_string()))?;
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{name}");
        Ok(FreshSchema {
            base: base.to_string(),
            name,
            url,
        })
    }
}

impl Drop for FreshSchema {
    fn drop(&mut self) {
        if let Ok(mut client) = Config::from_str(&self.base)
            .map_err(|e| e.to_string())
            .and_then(|c| c.connect(NoTls).map_err(|e| e.to_string()))
        {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }
}
