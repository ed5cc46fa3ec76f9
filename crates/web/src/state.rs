//! What every request shares: the store, the sign-in throttle and the server's settings.

use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
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

/// How long a cached read model lives when nothing changes through this server.
pub const CACHE_LIFETIME: Duration = Duration::from_secs(2);

struct Cached {
    generation: u64,
    at: Instant,
    value: Arc<dyn Any + Send + Sync>,
}

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    store: Arc<dyn Store>,
    settings: Settings,
    /// Read models computed from aggregates (the dashboard, fund statements, the agreements),
    /// kept until this server changes data or for [`CACHE_LIFETIME`] (changes made elsewhere,
    /// e.g. from the command line, show after at most that long).
    cache: Mutex<HashMap<String, Cached>>,
    /// Bumped by every request that may change data.
    generation: AtomicU64,
    /// Username → failed sign-ins in the current window and when it started. Counted per
    /// username whatever the address, so that no header a client sends can reset it.
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, settings: Settings) -> AppState {
        AppState(Arc::new(Inner {
            store,
            settings,
            failures: Mutex::new(HashMap::new()),
            cache: Mutex::new(HashMap::new()),
            generation: AtomicU64::new(0),
        }))
    }

    /// Marks every cached read model stale: called after each request that may change data.
    pub fn data_changed(&self) {
        self.0.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// The read model under `key`, computed by `f` unless a fresh one is cached.
    pub async fn cached<T, F>(&self, key: &str, f: F) -> Result<Arc<T>, Problem>
    where
        T: Send + Sync + 'static,
        F: FnOnce(&dyn Store) -> Result<T, Problem> + Send + 'static,
    {
        let generation = self.0.generation.load(Ordering::SeqCst);
        {
            let cache = self.0.cache.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(c) = cache.get(key) {
                if c.generation == generation && c.at.elapsed() < CACHE_LIFETIME {
                    if let Ok(v) = c.value.clone().downcast::<T>() {
                        return Ok(v);
                    }
                }
            }
        }
        let value = Arc::new(self.run(f).await?);
        let mut cache = self.0.cache.lock().unwrap_or_else(|p| p.into_inner());
        // Bounded: one entry per read model and fund.
        if cache.len() > 1_000 {
            cache.clear();
        }
        cache.insert(
            key.to_string(),
            Cached {
                generation,
                at: Instant::now(),
                value: value.clone(),
            },
        );
        Ok(value)
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

    /// Whether `username` may try to sign in now.
    pub fn sign_in_allowed(&self, username: &str) -> bool {
        let mut failures = self.0.failures.lock().unwrap_or_else(|p| p.into_inner());
        let key = username.to_string();
        match failures.get(&key) {
            Some((_, since)) if since.elapsed() > self.0.settings.sign_in_window => {
                failures.remove(&key);
                true
            }
            Some((n, _)) => *n < self.0.settings.max_failed_sign_ins,
            None => true,
        }
    }

    pub fn sign_in_failed(&self, username: &str) {
        let mut failures = self.0.failures.lock().unwrap_or_else(|p| p.into_inner());
        // Bounded: an attacker cycling usernames cannot grow the table without limit.
        if failures.len() > 100_000 {
            failures.retain(|_, (_, since)| since.elapsed() <= self.0.settings.sign_in_window);
        }
        let entry = failures
            .entry(username.to_string())
            .or_insert((0, Instant::now()));
        entry.0 += 1;
    }

    pub fn sign_in_succeeded(&self, username: &str) {
        let mut failures = self.0.failures.lock().unwrap_or_else(|p| p.into_inner());
        failures.remove(username);
    }
}
