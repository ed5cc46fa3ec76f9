//! The harness of the API tests: a real server over HTTP on a fresh SQLite database holding
//! the demo data and the demo users.
//!
//! Hashing a password with argon2 is slow in a debug build, so the demo is seeded, its users
//! created and each of them signed in once per test binary, into a template database; every
//! test then serves its own copy of that file, with the same tokens valid in it.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;

use serde_json::{json, Value};
use synergies_store::Store;
use synergies_web::{AppState, Settings};
use ureq::http::{HeaderMap, Response};
use ureq::Agent;

/// The demo users' password in the tests.
pub const PASSWORD: &str = "correct horse battery staple";

/// Every demo user: each role of each secretariat, the task force, the auditor, the admin.
pub const USERS: [&str; 10] = [
    "mc.officer",
    "mc.finance",
    "mc.head",
    "brs.officer",
    "brs.finance",
    "brs.head",
    "chb.officer",
    "taskforce",
    "auditor",
    "admin",
];

/// A seeded, signed-in database file that tests copy.
struct Template {
    _dir: tempfile::TempDir,
    db: PathBuf,
    tokens: BTreeMap<String, String>,
}

static TEMPLATE: OnceLock<Template> = OnceLock::new();

fn template() -> &'static Template {
    TEMPLATE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let db = dir.path().join("template.db");
        let store = open(&db);
        synergies_app::demo::seed(store.as_ref()).expect("the demo seeds");
        synergies_app::identity::ensure_demo_users(store.as_ref(), PASSWORD)
            .expect("the demo users are created");
        let mut tokens = BTreeMap::new();
        {
            let server = Server::serve(store, None);
            for user in USERS {
                tokens.insert(user.to_string(), server.login(user, PASSWORD));
            }
        }
        Template {
            _dir: dir,
            db,
            tokens,
        }
    })
}

fn open(db: &Path) -> Arc<dyn Store> {
    let store =
        synergies_store::open(&format!("sqlite://{}", db.display())).expect("the database opens");
    store.migrate().expect("the schema migrates");
    Arc::from(store)
}

/// One answer: status, headers and body.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    fn of(mut r: Response<ureq::Body>) -> Reply {
        let body = r
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_vec()
            .expect("the body reads");
        Reply {
            status: r.status().as_u16(),
            headers: r.headers().clone(),
            body,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON; panics with the body when it is not.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}), status {}: {}", self.status, self.text()))
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Asserts a 2xx and returns the JSON body (`null` for an empty one).
    #[track_caller]
    pub fn ok(&self) -> Value {
        assert!(
            self.is_success(),
            "expected success, got {}: {}",
            self.status,
            self.text()
        );
        if self.body.is_empty() {
            Value::Null
        } else {
            self.json()
        }
    }

    /// Asserts an RFC 9457 problem document with `status`, and returns its detail.
    #[track_caller]
    pub fn problem(&self, status: u16) -> String {
        assert_eq!(
            self.status,
            status,
            "expected {status}, got {}: {}",
            self.status,
            self.text()
        );
        self.problem_detail()
    }

    /// Asserts a 4xx problem document (any 4xx), and returns its detail.
    #[track_caller]
    pub fn client_problem(&self) -> String {
        assert!(
            (400..500).contains(&self.status),
            "expected a 4xx, got {}: {}",
            self.status,
            self.text()
        );
        self.problem_detail()
    }

    #[track_caller]
    fn problem_detail(&self) -> String {
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "status {}: {}",
            self.status,
            self.text()
        );
        let doc = self.json();
        assert_eq!(doc["status"], json!(self.status), "{doc}");
        assert!(
            doc["title"].as_str().is_some_and(|t| !t.is_empty()),
            "{doc}"
        );
        let detail = doc["detail"].as_str().unwrap_or_default().to_string();
        assert!(!detail.trim().is_empty(), "a problem without detail: {doc}");
        detail
    }
}

/// A running server on its own database, and a client for it.
pub struct Server {
    agent: Agent,
    pub addr: SocketAddr,
    pub store: Arc<dyn Store>,
    tokens: BTreeMap<String, String>,
    /// Every (method, path) requested, without query strings, for the OpenAPI check.
    calls: Mutex<Vec<(String, String)>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    _dir: Option<tempfile::TempDir>,
}

impl Server {
    /// A server on a fresh copy of the seeded database, every demo user signed in.
    pub fn start() -> Server {
        Server::start_with(Settings::default())
    }

    pub fn start_with(settings: Settings) -> Server {
        let t = template();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let db = dir.path().join("db");
        std::fs::copy(&t.db, &db).expect("the template copies");
        for suffix in ["-wal", "-shm"] {
            let from = PathBuf::from(format!("{}{suffix}", t.db.display()));
            if from.exists() {
                std::fs::copy(&from, format!("{}{suffix}", db.display())).expect("copies");
            }
        }
        let mut server = Server::serve(open(&db), Some(settings));
        server.tokens = t.tokens.clone();
        server._dir = Some(dir);
        server
    }

    fn serve(store: Arc<dyn Store>, settings: Option<Settings>) -> Server {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
        let state = AppState::new(store.clone(), settings.unwrap_or_default());
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("a free port");
                ready_tx
                    .send(listener.local_addr().expect("an address"))
                    .expect("the test waits");
                synergies_web::serve_on(listener, state, async {
                    let _ = shutdown_rx.await;
                })
                .await
                .expect("the server runs");
            });
        });
        let addr = ready_rx.recv().expect("the server starts");
        let agent: Agent = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            // A connection per request: the server may close one after refusing a request
            // whose body it did not read, and a pooled connection would then fail the next.
            .max_idle_connections(0)
            .max_idle_connections_per_host(0)
            .build()
            .into();
        Server {
            agent,
            addr,
            store,
            tokens: BTreeMap::new(),
            calls: Mutex::new(vec![]),
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
            _dir: None,
        }
    }

    /// The bearer token of a demo user.
    pub fn token(&self, user: &str) -> &str {
        self.tokens
            .get(user)
            .unwrap_or_else(|| panic!("no token for {user}"))
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn record(&self, method: &str, path: &str) {
        let path = path.split('?').next().unwrap_or(path).to_string();
        self.calls
            .lock()
            .expect("not poisoned")
            .push((method.to_string(), path));
    }

    /// The requests made so far.
    pub fn calls(&self) -> Vec<(String, String)> {
        self.calls.lock().expect("not poisoned").clone()
    }

    /// Signs in with a username and password and returns the token.
    pub fn login(&self, user: &str, password: &str) -> String {
        let r = self.post(
            None,
            "/api/v1/auth/token",
            &json!({"username": user, "password": password}),
        );
        assert_eq!(r.status, 201, "{user} signs in: {}", r.text());
        r.json()["token"].as_str().expect("a token").to_string()
    }

    /// The cookie header of a page session of `user`, opened in the database as signing in
    /// opens one, reading the pages in `lang` when one is given.
    pub fn page_cookie(&self, user: &str, lang: Option<&str>) -> String {
        let secret = synergies_web::auth::open_session(
            self.store.as_ref(),
            user,
            std::time::Duration::from_secs(3600),
        )
        .expect("a session");
        let session = format!("{}={secret}", synergies_web::auth::SESSION_COOKIE);
        match lang {
            Some(lang) => format!("{session}; {}={lang}", synergies_web::auth::LANG_COOKIE),
            None => session,
        }
    }

    /// GET as `user` (a demo user's name, or `None` for no credentials).
    pub fn get(&self, user: Option<&str>, path: &str) -> Reply {
        self.get_with(
            user.map(|u| self.token(u).to_string()).as_deref(),
            path,
            &[],
        )
    }

    /// GET with a raw bearer token and extra headers.
    pub fn get_with(&self, token: Option<&str>, path: &str, headers: &[(&str, &str)]) -> Reply {
        self.record("GET", path);
        let mut req = self.agent.get(self.url(path));
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Reply::of(req.call().expect("the request completes"))
    }

    /// POST a JSON body as `user`.
    pub fn post(&self, user: Option<&str>, path: &str, body: &Value) -> Reply {
        let bytes = serde_json::to_vec(body).expect("serialises");
        self.post_raw(user, path, Some("application/json"), &bytes)
    }

    /// POST any body, with the content type given (none when `None`).
    pub fn post_raw(
        &self,
        user: Option<&str>,
        path: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Reply {
        let token = user.map(|u| self.token(u).to_string());
        let mut headers = vec![];
        if let Some(ct) = content_type {
            headers.push(("content-type", ct));
        }
        self.post_with(token.as_deref(), path, &headers, body)
    }

    /// POST with a raw bearer token and headers.
    pub fn post_with(
        &self,
        token: Option<&str>,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        self.record("POST", path);
        let mut req = self.agent.post(self.url(path));
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Reply::of(req.send(body).expect("the request completes"))
    }

    /// DELETE as `user`.
    pub fn delete(&self, user: Option<&str>, path: &str) -> Reply {
        let token = user.map(|u| self.token(u).to_string());
        self.delete_with(token.as_deref(), path, &[])
    }

    pub fn delete_with(&self, token: Option<&str>, path: &str, headers: &[(&str, &str)]) -> Reply {
        self.record("DELETE", path);
        let mut req = self.agent.delete(self.url(path));
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Reply::of(req.call().expect("the request completes"))
    }

    // Fixtures, made through the API as the users whose business they are.

    /// Drafts an agreement `code`: MC provides legal advice to BRS, paid from the Basel fund.
    pub fn draft(&self, code: &str) -> Value {
        self.post(
            Some("mc.officer"),
            "/api/v1/agreements",
            &agreement_body(code),
        )
        .ok()
    }

    /// A draft, proposed by the MC officer.
    pub fn proposed(&self, code: &str) -> Value {
        self.draft(code);
        self.post(
            Some("mc.officer"),
            &format!("/api/v1/agreements/{code}/propose"),
            &json!({}),
        )
        .ok()
    }

    /// A proposed agreement approved by both heads: in force.
    pub fn active(&self, code: &str) -> Value {
        self.proposed(code);
        for head in ["mc.head", "brs.head"] {
            self.post(
                Some(head),
                &format!("/api/v1/agreements/{code}/approve"),
                &json!({}),
            )
            .ok();
        }
        let a = self
            .get(Some("auditor"), &format!("/api/v1/agreements/{code}"))
            .ok();
        assert_eq!(a["active"], json!(true), "{a}");
        a
    }

    /// The MC officer records one day of legal advice under `code`.
    pub fn delivery(&self, code: &str, external_id: &str, date: &str) -> Value {
        self.post(
            Some("mc.officer"),
            "/api/v1/deliveries",
            &delivery_body(code, external_id, date),
        )
        .ok()
    }

    /// Every delivery of an agreement (at most 500), as JSON.
    pub fn deliveries_of(&self, code: &str, status: Option<&str>) -> Vec<Value> {
        let status = status.map(|s| format!("&status={s}")).unwrap_or_default();
        let r = self
            .get(
                Some("auditor"),
                &format!("/api/v1/deliveries?agreement={code}&limit=500{status}"),
            )
            .ok();
        r["items"].as_array().cloned().unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            // Idle keep-alive connections are closed by the graceful shutdown.
            let _ = t.join();
        }
    }
}

/// A new agreement's terms: MC provides legal advice to BRS.
pub fn agreement_body(code: &str) -> Value {
    json!({
        "code": code,
        "title": "Legal advice of the Minamata secretariat to the BRS Secretariat",
        "kind": "purchase",
        "provider": "MC",
        "provider_fund": "MCGTF",
        "biennium": "2026-2027",
        "currency": "USD",
        "ceiling": "50000.00",
        "psc_rate": "0.13",
        "lines": [{"service": "MC-LEGAL", "estimated_quantity": "20"}],
        "participants": [{"organisation": "BRS", "fund": "BC", "weight": "1"}],
    })
}

/// One day of legal advice at P-4.
pub fn delivery_body(code: &str, external_id: &str, date: &str) -> Value {
    json!({
        "agreement": code,
        "service": "MC-LEGAL",
        "date": date,
        "quantity": "1",
        "grade": "P-4",
        "description": "Advice on the draft technical guidelines",
        "external_id": external_id,
    })
}

/// The same delivery as an import file.
pub fn delivery_csv(code: &str, external_id: &str, date: &str) -> String {
    format!(
        "agreement,service,date,quantity,grade,expense_amount,expense_currency,description,external_id\n\
         {code},MC-LEGAL,{date},1,P-4,,,Advice on the draft technical guidelines,{external_id}\n"
    )
}

/// The external ids of deliveries as the API lists them.
pub fn external_ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|d| {
            d.pointer("/delivery/external_id")
                .or_else(|| d.get("external_id"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}
