//! The web face under attack, over HTTP against a real server: redirects that take their target
//! from the request stay on this site; the sign-in throttle slows guessing and spraying from
//! one client without locking the owner of an account out; weak passwords are refused; a
//! password reset ends the user's sessions and tokens; the last administrator remains one;
//! nothing authenticated is cached; tokens expire and are capped; failed sign-ins and refused
//! actions are in the audit trail; half-sent requests are dropped.

mod common;

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use synergies_store::{AuditFilter, NewApiToken};
use synergies_web::Settings;

/// A raw HTTP/1.1 exchange from the client address `from` (any of 127.0.0.0/8 reaches the
/// server on 127.0.0.1): the status, the headers (lower-case names) and the body.
fn exchange(
    server: SocketAddr,
    from: IpAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<(String, String)>, String) {
    let socket =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("a socket");
    socket
        .bind(&SocketAddr::new(from, 0).into())
        .expect("binds to the client address");
    socket.connect(&server.into()).expect("connects");
    let mut stream: TcpStream = socket.into();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("a read timeout");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {server}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("writes");
    stream.write_all(body).expect("writes the body");
    let mut answer = vec![];
    stream.read_to_end(&mut answer).expect("reads the answer");
    let text = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("a head and a body");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body.to_string())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn client(n: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, n))
}

/// Asks for a token from client `from`; the status and the `Retry-After` header.
fn token_from(s: &Server, from: u8, user: &str, password: &str) -> (u16, Option<u64>) {
    let body = serde_json::to_vec(&json!({"username": user, "password": password})).unwrap();
    let (status, headers, _) = exchange(
        s.addr,
        client(from),
        "POST",
        "/api/v1/auth/token",
        &[("content-type", "application/json")],
        &body,
    );
    (
        status,
        header(&headers, "retry-after").and_then(|v| v.parse().ok()),
    )
}

/// A server whose first wait after too many failures is long, so that no assertion depends on
/// how fast the test runs.
fn patient_server() -> Server {
    Server::start_with(Settings {
        sign_in_delay: Duration::from_secs(600),
        ..Settings::default()
    })
}

fn audit(s: &Server, subject: &str) -> Vec<synergies_store::AuditEvent> {
    s.store
        .audit_events(
            &AuditFilter {
                subject: Some(subject.to_string()),
                ..AuditFilter::default()
            },
            1_000,
        )
        .expect("the audit trail reads")
}

/// Signs in through the form; the session cookie (`name=value`).
fn session(s: &Server, user: &str) -> String {
    let form = format!("username={user}&password={}", PASSWORD.replace(' ', "+"));
    let (status, headers, _) = exchange(
        s.addr,
        client(1),
        "POST",
        "/login",
        &[("content-type", "application/x-www-form-urlencoded")],
        form.as_bytes(),
    );
    assert_eq!(status, 303, "{user} signs in through the form");
    let cookie = header(&headers, "set-cookie").expect("a session cookie");
    cookie.split(';').next().unwrap().to_string()
}

#[test]
fn redirects_stay_on_this_site() {
    let s = Server::start();
    for (next, expected) in [
        ("/%5Chost/", "/"),
        ("/%09/host", "/"),
        ("//host", "/"),
        ("/%2F%2Fhost", "/"),
        ("/%255Chost", "/"),
        ("https://host/", "/"),
        ("/%0D%0ALocation:%20https://host", "/"),
        ("/agreements", "/agreements"),
        ("/deliveries?status=recorded", "/deliveries?status=recorded"),
        (
            "/deliveries%3Fstatus%3Drecorded",
            "/deliveries?status=recorded",
        ),
    ] {
        let (status, headers, _) = exchange(
            s.addr,
            client(1),
            "GET",
            &format!("/lang/fr?next={next}"),
            &[],
            b"",
        );
        assert_eq!(status, 303, "{next}");
        assert_eq!(header(&headers, "location"), Some(expected), "{next}");
    }
    // The sign-in form carries `next` and goes there once signed in: only to this site.
    for (next, expected) in [
        ("/%5Chost/", "/"),
        ("/%09/host", "/"),
        ("//host", "/"),
        ("/agreements", "/agreements"),
    ] {
        let (status, _, body) = exchange(
            s.addr,
            client(1),
            "GET",
            &format!("/login?next={next}"),
            &[],
            b"",
        );
        assert_eq!(status, 200);
        assert!(
            body.contains(&format!("name=\"next\" value=\"{expected}\"")),
            "the form carries only a local next: {body}"
        );
        let form = format!(
            "username=mc.officer&password={}&next={next}",
            PASSWORD.replace(' ', "+")
        );
        let (status, headers, _) = exchange(
            s.addr,
            client(1),
            "POST",
            "/login",
            &[("content-type", "application/x-www-form-urlencoded")],
            form.as_bytes(),
        );
        assert_eq!(status, 303, "{next}");
        assert_eq!(header(&headers, "location"), Some(expected), "{next}");
    }
}

#[test]
fn guessing_slows_the_guesser_not_the_owner() {
    let s = patient_server();
    for _ in 0..5 {
        assert_eq!(token_from(&s, 2, "mc.head", "wrong password").0, 401);
    }
    // The guessing client must wait, with a Retry-After, whatever password it sends.
    let (status, retry) = token_from(&s, 2, "mc.head", "wrong password");
    assert_eq!(status, 429);
    assert!(retry.is_some_and(|r| (1..=600).contains(&r)), "{retry:?}");
    let (status, retry) = token_from(&s, 2, "mc.head", PASSWORD);
    assert_eq!(status, 429);
    assert!(retry.is_some());
    // The owner, from another client, signs in with the right password.
    assert_eq!(token_from(&s, 3, "mc.head", PASSWORD).0, 201);
    // The failures and the start of the wait are in the audit trail (never the password).
    let events = audit(&s, "mc.head");
    let failed = events
        .iter()
        .filter(|e| e.action == "sign_in.failed")
        .count();
    assert_eq!(failed, 5, "{events:?}");
    let throttled: Vec<_> = events
        .iter()
        .filter(|e| e.action == "sign_in.throttled")
        .collect();
    assert_eq!(throttled.len(), 1, "{events:?}");
    assert_eq!(throttled[0].detail["client"], json!("127.0.0.2"));
    let all = serde_json::to_string(&events.iter().map(|e| &e.detail).collect::<Vec<_>>()).unwrap();
    assert!(!all.contains("wrong password"), "{all}");
}

#[test]
fn spraying_usernames_is_throttled_per_client() {
    let s = patient_server();
    // Ten usernames, one wrong password each: then the client waits, even for an eleventh
    // name it never tried.
    for n in 0..10 {
        let (status, _) = token_from(&s, 4, &format!("user{n}"), "Winter2026!");
        assert_eq!(status, 401, "user{n}");
    }
    let (status, retry) = token_from(&s, 4, "mc.finance", "Winter2026!");
    assert_eq!(status, 429);
    assert!(retry.is_some_and(|r| r >= 1), "{retry:?}");
    // Others are not slowed by it.
    assert_eq!(token_from(&s, 5, "mc.finance", PASSWORD).0, 201);
    assert_eq!(audit(&s, "user3")[0].action, "sign_in.failed");
}

#[test]
fn the_sign_in_form_is_throttled_too() {
    let s = patient_server();
    let form =
        |password: &str| format!("username=brs.head&password={}", password.replace(' ', "+"));
    for _ in 0..5 {
        let (status, _, _) = exchange(
            s.addr,
            client(6),
            "POST",
            "/login",
            &[("content-type", "application/x-www-form-urlencoded")],
            form("wrong").as_bytes(),
        );
        assert_eq!(status, 401);
    }
    let (status, headers, _) = exchange(
        s.addr,
        client(6),
        "POST",
        "/login",
        &[("content-type", "application/x-www-form-urlencoded")],
        form(PASSWORD).as_bytes(),
    );
    assert_eq!(status, 429);
    assert!(header(&headers, "retry-after").is_some());
    let (status, _, _) = exchange(
        s.addr,
        client(7),
        "POST",
        "/login",
        &[("content-type", "application/x-www-form-urlencoded")],
        form(PASSWORD).as_bytes(),
    );
    assert_eq!(status, 303, "the owner signs in from elsewhere");
}

fn officer(password: &str) -> Value {
    json!({"username": "mc.officer", "display_name": "Minamata programme officer",
           "password": password, "grants": [{"role": "officer", "organisation": "MC"}]})
}

#[test]
fn weak_passwords_are_refused() {
    let s = Server::start();
    for weak in [
        "aaaaaaaaaaaa",
        "password1234",
        "P@ssw0rd2026",
        "qwertyuiopasdf",
        "123456789012",
        "abcabcabcabc",
        "mc.officer-2026",
        "Minamata-programme-77",
        "short",
    ] {
        let r = s.post(Some("admin"), "/api/v1/users", &officer(weak));
        r.problem(422);
        assert_eq!(r.json()["field"], json!("password"), "{weak}");
    }
    // The refused attempts changed nothing: the officer's token still works.
    s.get(Some("mc.officer"), "/api/v1/me").ok();
    s.post(
        Some("admin"),
        "/api/v1/users",
        &officer("tiger-lamp-orbit-93"),
    )
    .ok();
}

#[test]
fn a_password_reset_ends_sessions_and_tokens_and_is_audited() {
    let s = Server::start();
    let cookie = session(&s, "mc.officer");
    let (status, _, _) = exchange(
        s.addr,
        client(1),
        "GET",
        "/account",
        &[("cookie", &cookie)],
        b"",
    );
    assert_eq!(status, 200, "the session works before the reset");
    s.get(Some("mc.officer"), "/api/v1/me").ok();
    s.post(
        Some("admin"),
        "/api/v1/users",
        &officer("tiger-lamp-orbit-93"),
    )
    .ok();
    // The old token and the old session are both gone.
    s.get(Some("mc.officer"), "/api/v1/me").problem(401);
    let (status, headers, _) = exchange(
        s.addr,
        client(1),
        "GET",
        "/account",
        &[("cookie", &cookie)],
        b"",
    );
    assert_eq!(status, 303);
    assert!(header(&headers, "location").is_some_and(|l| l.starts_with("/login")));
    // The new password works; the old one does not.
    assert_eq!(
        token_from(&s, 8, "mc.officer", "tiger-lamp-orbit-93").0,
        201
    );
    assert_eq!(token_from(&s, 8, "mc.officer", PASSWORD).0, 401);
    // The audit event shows the change, and no hash nor secret.
    let event = audit(&s, "mc.officer")
        .into_iter()
        .find(|e| e.action == "user.update")
        .expect("the reset is audited");
    assert_eq!(event.actor, "admin");
    assert_ne!(event.detail["before"], event.detail["after"]);
    assert_eq!(event.detail["after"]["password"], json!("changed"));
    // What the change ended, counted in its transaction.
    assert!(event.detail["outcome"]["tokens"].as_u64() >= Some(1));
    assert!(event.detail["outcome"]["sessions"].as_u64() >= Some(1));
    let text = event.detail.to_string();
    assert!(
        !text.contains("argon2") && !text.contains("tiger-lamp"),
        "{text}"
    );
}

#[test]
fn the_last_administrator_remains_one() {
    let s = Server::start();
    let admin = |grants: Value, active: bool| {
        json!({"username": "admin", "display_name": "Administrator", "grants": grants,
               "active": active})
    };
    let r = s.post(
        Some("admin"),
        "/api/v1/users",
        &admin(json!([{"role": "auditor"}]), true),
    );
    r.problem(422);
    assert_eq!(r.json()["field"], json!("grants"));
    s.post(
        Some("admin"),
        "/api/v1/users",
        &admin(json!([{"role": "admin"}]), false),
    )
    .problem(422);
    // Still an administrator: it can list the users.
    s.get(Some("admin"), "/api/v1/users").ok();
    // With a second administrator, the first may step down.
    s.post(
        Some("admin"),
        "/api/v1/users",
        &json!({"username": "admin2", "password": "tiger-lamp-orbit-93",
                "grants": [{"role": "admin"}]}),
    )
    .ok();
    s.post(
        Some("admin"),
        "/api/v1/users",
        &admin(json!([{"role": "auditor"}]), true),
    )
    .ok();
    s.get(Some("admin"), "/api/v1/users").problem(403);
}

#[test]
fn nothing_authenticated_is_cached() {
    let s = Server::start();
    let r = s.get(Some("auditor"), "/api/v1/me");
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let r = s.get(None, "/api/v1/agreements");
    assert_eq!(r.header("cache-control"), Some("no-store"), "a 401");
    let r = s.post(
        Some("auditor"),
        "/api/v1/me/tokens",
        &json!({"name": "script"}),
    );
    assert_eq!(r.status, 201);
    assert_eq!(
        r.header("cache-control"),
        Some("no-store"),
        "a token's secret"
    );
    let cookie = session(&s, "mc.head");
    for page in ["/", "/account", "/agreements"] {
        let (status, headers, _) =
            exchange(s.addr, client(1), "GET", page, &[("cookie", &cookie)], b"");
        assert_eq!(status, 200, "{page}");
        assert_eq!(
            header(&headers, "cache-control"),
            Some("no-store"),
            "{page}"
        );
    }
    // Static files say otherwise for themselves.
    let r = s.get(None, "/static/app.css");
    assert!(r
        .header("cache-control")
        .is_some_and(|c| c.contains("max-age")));
}

#[test]
fn tokens_expire_and_are_capped() {
    let s = Server::start_with(Settings {
        max_tokens_per_user: 3,
        ..Settings::default()
    });
    // A lifetime is chosen within bounds.
    for days in [0, 367] {
        s.post(
            Some("mc.head"),
            "/api/v1/me/tokens",
            &json!({"name": "script", "expires_in_days": days}),
        )
        .problem(422);
    }
    let made = s
        .post(
            Some("mc.head"),
            "/api/v1/me/tokens",
            &json!({"name": "script", "expires_in_days": 30}),
        )
        .ok();
    let expires = made["expires_at"].as_str().expect("an expiry").to_string();
    let in_30_days = (chrono::Utc::now() + chrono::Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();
    let in_29_days = (chrono::Utc::now() + chrono::Duration::days(29))
        .format("%Y-%m-%d")
        .to_string();
    assert!(
        expires.starts_with(&in_30_days) || expires.starts_with(&in_29_days),
        "{expires}"
    );
    // The template's sign-in token, this one and one more: the fourth is refused.
    let third = s
        .post(
            Some("mc.head"),
            "/api/v1/me/tokens",
            &json!({"name": "third"}),
        )
        .ok();
    s.post(
        Some("mc.head"),
        "/api/v1/me/tokens",
        &json!({"name": "fourth"}),
    )
    .problem(409);
    s.post(
        None,
        "/api/v1/auth/token",
        &json!({"username": "mc.head", "password": PASSWORD}),
    )
    .problem(409);
    // Revoking one makes room.
    let revoked = s.delete(
        Some("mc.head"),
        &format!("/api/v1/me/tokens/{}", third["id"]),
    );
    assert_eq!(revoked.status, 204);
    s.post(
        Some("mc.head"),
        "/api/v1/me/tokens",
        &json!({"name": "fourth"}),
    )
    .ok();
    // A token past its expiry is refused.
    let secret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let hash = synergies_web::auth::secret_hash(secret);
    s.store
        .create_api_token(&NewApiToken {
            username: "auditor".into(),
            name: "old".into(),
            token_hash: hash,
            created_at: "2026-01-01T00:00:00Z".into(),
            expires_at: "2026-04-01T00:00:00Z".into(),
            max_live: 20,
        })
        .expect("recorded");
    s.get_with(Some(secret), "/api/v1/me", &[]).problem(401);
    // The account page tells it, and offers no revocation of it.
    let cookie = session(&s, "auditor");
    let (status, _, page) = exchange(
        s.addr,
        client(1),
        "GET",
        "/account",
        &[("cookie", &cookie)],
        b"",
    );
    assert_eq!(status, 200);
    let row = page
        .split("<tr>")
        .find(|r| r.contains("<td>old</td>"))
        .expect("the expired token is listed");
    assert!(
        row.contains("Expired") && row.contains("2026-04-01T00:00:00Z"),
        "{row}"
    );
    assert!(!row.contains("revoke"), "{row}");
}

#[test]
fn refused_actions_are_audited() {
    let s = Server::start();
    s.get(Some("mc.officer"), "/api/v1/users").problem(403);
    let events = audit(&s, "GET /api/v1/users");
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].action, "refused");
    assert_eq!(events[0].actor, "mc.officer");
}

#[test]
fn half_sent_requests_are_dropped() {
    let s = Server::start_with(Settings {
        header_timeout: Duration::from_millis(500),
        body_timeout: Duration::from_millis(500),
        ..Settings::default()
    });
    // Headers never finished: the server closes the connection (no answer, or a 408).
    let mut stream = TcpStream::connect(s.addr).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("a read timeout");
    stream
        .write_all(b"GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .expect("writes");
    let mut answer = vec![];
    let read = stream.read_to_end(&mut answer);
    assert!(
        read.is_ok()
            || read
                .as_ref()
                .is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionReset),
        "the server closed the connection: {read:?}"
    );
    let text = String::from_utf8_lossy(&answer);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );
    // A body that stops half-way: the request ends with a client error, and the connection
    // is closed.
    let mut stream = TcpStream::connect(s.addr).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("a read timeout");
    stream
        .write_all(
            b"POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
              Content-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{\"username\":",
        )
        .expect("writes");
    let mut answer = vec![];
    let read = stream.read_to_end(&mut answer);
    assert!(read.is_ok(), "{read:?}");
    let text = String::from_utf8_lossy(&answer);
    let status: u16 = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("an answer: {text}"));
    assert!((400..500).contains(&status), "{text}");
}
