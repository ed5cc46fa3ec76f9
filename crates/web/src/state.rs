//! What every request shares: the store, the sign-in throttle and the server's settings.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use synergies_store::Store;

use crate::error::Problem;

/// Settings of one server.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Cookies get the `Secure` attribute (the server is reached over TLS, e.g. behind a proxy).
    pub secure_cookies: bool,
    /// How long a browser session lasts without signing in again.
    pub session_lifetime: Duration,
    /// Failed sign-ins for one username from one address before it must wait.
    pub max_failed_sign_ins: u32,
    /// How long those failures are remembered.
    pub sign_in_window: Duration,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            secure_cookies: false,
            session_lifetime: Duration::from_secs(8 * 3600),
            max_failed_sign_ins: 5,
            sign_in_window: Duration::from_secs(15 * 60),
        }
    }
}

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    store: Arc<dyn Store>,
    settings: Settings,
    /// (username, address) → failures in the current window and when it started.
    failures: Mutex<HashMap<(String, String), (u32, Instant)>>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, settings: Settings) -> AppState {
        AppState(Arc::new(Inner {
            store,
            settings,
            failures: Mutex::new(HashMap::new()),
        }))
    }

    pub fn settings(&self) -> &Settings {
        &self.0.settings
    }

    /// Runs store work on the blocking pool: the store is synchronous.
    pub async fn run<T, F>(&self, f: F) -> Result<T, Problem>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Store) -> Result<T, Problem> + Send + 'static,
    {
        let store = self.0.store.clone();
        tokio::task::spawn_blocking(move || f(store.as_ref()))
            .await
            .map_err(Problem::internal)?
    }

    /// Whether `username` may try to sign in from `address` now.
    pub fn sign_in_allowed(&self, username: &str, address: &str) -> bool {
        let mut failures = self.0.failures.lock().unwrap_or_else(|p| p.into_inner());
        let key = (username.to_string(), address.to_string());
        match failures.get(&key) {
            Some((_, since)) if since.elapsed() > self.0.settings.sign_in_window => {
                failures.remove(&key);
                true
            }
            Some((n, _)) => *n < self.0.settings.max_failed_sign_ins,
            None => true,
        }
    }

    pub fn sign_in_failed(&self, username: &str, address: &str) {
        let mut failures = self.0.failures.lock().unwrap_or_else(|p| p.into_inner());
        // Bounded: an attacker cycling usernames cannot grow the table without limit.
        if failures.len() > 100_000 {
            failures.retain(|_, (_, since)| since.elapsed() <= self.0.settings.sign_in_window);
        }
        let entry = failures
            .entry((username.to_string(), address.to_string()))
            .or_insert((0, Instant::now()));
        entry.0 += 1;
    }

    pub fn sign_in_succeeded(&self, username: &str, address: &str) {
        let mut failures = self.0.failures.lock().unwrap_or_else(|p| p.into_inner());
        failures.remove(&(username.to_string(), address.to_string()));
    }
}
