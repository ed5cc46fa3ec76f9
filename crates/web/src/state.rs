//! What every request shares: the store, the sign-in throttle and the server's settings.

use std::any::Any;
use std::collections::HashMap;
use std::net::IpAddr;
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
    /// Failed sign-ins for one account (from any client) before the clients that failed on it
    /// must wait; a client that has not failed on it is still heard.
    pub free_failures_per_account: u32,
    /// Failed sign-ins from one client (whatever the usernames) before it must wait.
    pub free_failures_per_client: u32,
    /// The first wait; each further failure doubles it, up to [`Settings::max_sign_in_delay`].
    pub sign_in_delay: Duration,
    pub max_sign_in_delay: Duration,
    /// Failures are forgotten this long after the last one.
    pub sign_in_window: Duration,
    /// How long a client may take to send a request's headers.
    pub header_timeout: Duration,
    /// How long a request's body may pause between two pieces.
    pub body_timeout: Duration,
    /// How long a new personal API token lives when its creator names no expiry, and the
    /// longest they may name.
    pub token_lifetime: Duration,
    pub max_token_lifetime: Duration,
    /// Live (neither revoked nor expired) tokens one user may hold.
    pub max_tokens_per_user: usize,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            secure_cookies: false,
            session_lifetime: Duration::from_secs(8 * 3600),
            free_failures_per_account: 5,
            free_failures_per_client: 10,
            sign_in_delay: Duration::from_secs(1),
            max_sign_in_delay: Duration::from_secs(15 * 60),
            sign_in_window: Duration::from_secs(15 * 60),
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            token_lifetime: Duration::from_secs(90 * 86_400),
            max_token_lifetime: Duration::from_secs(366 * 86_400),
            max_tokens_per_user: 20,
        }
    }
}

/// Failures of one account or one client: how many, and when the last was.
#[derive(Debug, Clone, Copy)]
struct Strikes {
    failures: u32,
    last: Instant,
}

impl Strikes {
    /// How long to wait before the next attempt, if at all: after `free` failures the wait is
    /// `delay`, doubled at each further failure up to `max`, counted from the last failure.
    fn wait(&self, free: u32, delay: Duration, max: Duration) -> Option<Duration> {
        if self.failures < free {
            return None;
        }
        let doublings = (self.failures - free).min(30);
        let wait = delay.saturating_mul(1u32 << doublings).min(max);
        wait.checked_sub(self.last.elapsed())
            .filter(|w| !w.is_zero())
    }
}

/// The sign-in throttle: exponential back-off per client (its address) and per account. It is
/// never a lock-out: an account under back-off still hears a client that has not failed on it,
/// so someone guessing cannot keep its owner out, while a client spraying many usernames is
/// slowed by its own count.
#[derive(Default)]
struct Throttle {
    clients: HashMap<IpAddr, Strikes>,
    accounts: HashMap<String, Strikes>,
    /// (client, account) pairs that failed, with the last failure.
    pairs: HashMap<(IpAddr, String), Instant>,
}

/// Why a sign-in must wait, and how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttled {
    Client(Duration),
    Account(Duration),
}

impl Throttled {
    pub fn retry_after(&self) -> Duration {
        match self {
            Throttled::Client(d) | Throttled::Account(d) => *d,
        }
    }

    /// Whole seconds, at least one: the value of `Retry-After`.
    pub fn retry_after_secs(&self) -> u64 {
        let d = self.retry_after();
        (d.as_secs() + u64::from(d.subsec_nanos() > 0)).max(1)
    }

    pub fn what(&self) -> &'static str {
        match self {
            Throttled::Client(_) => "client",
            Throttled::Account(_) => "account",
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
    /// Failed sign-ins per client address and per account. The address is the peer of the
    /// connection, never a header a client sends.
    throttle: Mutex<Throttle>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, settings: Settings) -> AppState {
        AppState(Arc::new(Inner {
            store,
            settings,
            throttle: Mutex::new(Throttle::default()),
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

    /// Runs an application service on the blocking pool; its error becomes the request's
    /// problem.
    pub async fn act<T, F>(&self, f: F) -> Result<T, Problem>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Store) -> synergies_app::AppResult<T> + Send + 'static,
    {
        self.run(move |s| f(s).map_err(Problem::from)).await
    }

    /// Whether `client` may try to sign in as `username` now; else how long it must wait.
    pub fn sign_in_allowed(&self, client: IpAddr, username: &str) -> Result<(), Throttled> {
        let st = &self.0.settings;
        let t = self.0.throttle.lock().unwrap_or_else(|p| p.into_inner());
        let (delay, max) = (st.sign_in_delay, st.max_sign_in_delay);
        if let Some(w) = t
            .clients
            .get(&client)
            .and_then(|s| s.wait(st.free_failures_per_client, delay, max))
        {
            return Err(Throttled::Client(w));
        }
        let failed_here = t
            .pairs
            .get(&(client, username.to_string()))
            .is_some_and(|at| at.elapsed() <= st.sign_in_window);
        if failed_here {
            if let Some(w) = t
                .accounts
                .get(username)
                .and_then(|s| s.wait(st.free_failures_per_account, delay, max))
            {
                return Err(Throttled::Account(w));
            }
        }
        Ok(())
    }

    /// Counts a failed sign-in; returns the wait it starts, if this failure starts one.
    pub fn sign_in_failed(&self, client: IpAddr, username: &str) -> Option<Throttled> {
        let st = &self.0.settings;
        let window = st.sign_in_window;
        let mut t = self.0.throttle.lock().unwrap_or_else(|p| p.into_inner());
        // Bounded: an attacker cycling usernames or addresses cannot grow the tables for ever.
        if t.accounts.len() + t.clients.len() + t.pairs.len() > 100_000 {
            t.clients.retain(|_, s| s.last.elapsed() <= window);
            t.accounts.retain(|_, s| s.last.elapsed() <= window);
            t.pairs.retain(|_, at| at.elapsed() <= window);
        }
        let now = Instant::now();
        let bump = |s: &mut Strikes| {
            if s.last.elapsed() > window {
                s.failures = 0;
            }
            s.failures += 1;
            s.last = now;
        };
        let fresh = Strikes {
            failures: 0,
            last: now,
        };
        let client_strikes = t.clients.entry(client).or_insert(fresh);
        bump(client_strikes);
        let client_strikes = *client_strikes;
        let account_strikes = t.accounts.entry(username.to_string()).or_insert(fresh);
        bump(account_strikes);
        let account_strikes = *account_strikes;
        t.pairs.insert((client, username.to_string()), now);
        let (delay, max) = (st.sign_in_delay, st.max_sign_in_delay);
        client_strikes
            .wait(st.free_failures_per_client, delay, max)
            .map(Throttled::Client)
            .or_else(|| {
                account_strikes
                    .wait(st.free_failures_per_account, delay, max)
                    .map(Throttled::Account)
            })
    }

    /// The right password: the account's failures are forgotten, and this client's on it. The
    /// client's own count stays, so that signing in to one's own account does not reset a
    /// spray of others.
    pub fn sign_in_succeeded(&self, client: IpAddr, username: &str) {
        let mut t = self.0.throttle.lock().unwrap_or_else(|p| p.into_inner());
        t.accounts.remove(username);
        t.pairs.remove(&(client, username.to_string()));
    }
}
