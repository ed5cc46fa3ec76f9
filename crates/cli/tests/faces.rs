//! Both faces perform an action through the same application service: the command line acting
//! as a user (`--as`) and the web API signed in as that user write exactly one audit event for
//! it, under the same action name, author and subject, with a detail of the same shape. And a
//! user acting on the command line is held to the same rules as on the web.

mod common;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Stdio;

use common::*;
use serde_json::Value;

const PASSWORD: &str = "sandbox-demo-password";

/// One audit event as the comparison needs it: action, actor, subject and the detail's keys.
#[derive(Debug, PartialEq, Eq)]
struct Event {
    action: String,
    actor: String,
    subject: String,
    detail_keys: BTreeSet<String>,
}

fn events_after(db: &str, after_id: i64) -> Vec<Event> {
    let path = db.strip_prefix("sqlite://").expect("a SQLite sandbox");
    let conn = rusqlite::Connection::open(path).expect("open the sandbox database");
    let mut stmt = conn
        .prepare(
            "SELECT action, actor, subject, detail FROM audit_events WHERE id > ?1 ORDER BY id",
        )
        .expect("the audit trail");
    stmt.query_map([after_id], |r| {
        let detail: String = r.get(3)?;
        let detail: Value = serde_json::from_str(&detail).unwrap_or(Value::Null);
        Ok(Event {
            action: r.get(0)?,
            actor: r.get(1)?,
            subject: r.get(2)?,
            detail_keys: detail
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default(),
        })
    })
    .expect("read the audit trail")
    .map(|e| e.expect("an audit event"))
    .collect()
}

fn last_event_id(db: &str) -> i64 {
    let path = db.strip_prefix("sqlite://").expect("a SQLite sandbox");
    let conn = rusqlite::Connection::open(path).expect("open the sandbox database");
    conn.query_row("SELECT COALESCE(MAX(id), 0) FROM audit_events", [], |r| {
        r.get(0)
    })
    .expect("the audit trail")
}

/// A POST of a JSON body; the status and the body of the answer.
fn post(addr: &str, path: &str, token: Option<&str>, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connects");
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{auth}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("writes");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("reads");
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn token(addr: &str, username: &str) -> String {
    let (status, body) = post(
        addr,
        "/api/v1/auth/token",
        None,
        &format!(r#"{{"username":"{username}","password":"{PASSWORD}"}}"#),
    );
    assert_eq!(status, 201, "{username} signs in: {body}");
    // The body may come chunked: take the secret between its quotes.
    let start = body.find(r#""token":""#).expect("a token in the answer") + 9;
    body[start..]
        .split('"')
        .next()
        .expect("the token")
        .to_string()
}

/// An action done once from each face, on two sandboxes holding the same demo data.
struct Case {
    name: &'static str,
    user: &'static str,
    cli: &'static [&'static str],
    path: &'static str,
    body: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "an approval",
        user: "brs.head",
        cli: &["agreements", "approve", "MC-BRS-2026-02", "--org", "BRS"],
        path: "/api/v1/agreements/MC-BRS-2026-02/approve",
        body: "{}",
    },
    Case {
        name: "a dispute",
        user: "brs.finance",
        cli: &[
            "deliveries",
            "dispute",
            "--agreement",
            "MC-BRS-2026-01",
            "--external-id",
            "MC-LEGAL-0031",
            "--reason",
            "not delivered",
        ],
        path: "/api/v1/deliveries/dispute",
        body: r#"{"agreement":"MC-BRS-2026-01","external_id":"MC-LEGAL-0031","reason":"not delivered"}"#,
    },
    Case {
        name: "a settlement",
        user: "mc.finance",
        cli: &[
            "settle",
            "--payer-fund",
            "MCGTF",
            "--provider-fund",
            "BC",
            "--amount",
            "1000.00",
            "--reference",
            "TRANSFER-1",
            "--on",
            "2027-02-01",
        ],
        path: "/api/v1/settlements",
        body: r#"{"payer_fund":"MCGTF","provider_fund":"BC","currency":"USD","amount":"1000.00","date":"2027-02-01","reference":"TRANSFER-1"}"#,
    },
];

#[test]
fn an_action_writes_one_audit_event_of_the_same_kind_from_either_face() {
    let by_cli = Sandbox::new();
    by_cli.demo();
    let by_web = Sandbox::new();
    by_web.demo();
    let server = by_web.serve(Stdio::null());
    for case in CASES {
        let before = last_event_id(&by_cli.db);
        let mut args = vec!["--as", case.user];
        args.extend_from_slice(case.cli);
        by_cli.ok(&args);
        let from_cli = events_after(&by_cli.db, before);

        let token = token(&server.addr, case.user);
        let before = last_event_id(&by_web.db);
        let (status, body) = post(&server.addr, case.path, Some(&token), case.body);
        assert!(
            (200..300).contains(&status),
            "{} on the web: {status} {body}",
            case.name
        );
        let from_web = events_after(&by_web.db, before);

        assert_eq!(
            from_cli.len(),
            1,
            "{}: one event from the CLI: {from_cli:?}",
            case.name
        );
        assert_eq!(
            from_cli, from_web,
            "{}: the same event from both faces",
            case.name
        );
        assert_eq!(from_cli[0].actor, case.user, "{}", case.name);
    }
}

#[test]
fn a_user_acting_on_the_command_line_is_held_to_the_rules_of_the_web() {
    let sb = Sandbox::new();
    sb.demo();
    let before = sb.counts();
    // The provider's own finance officer may not dispute the deliveries it is paid for.
    let refused = sb
        .run(&[
            "--as",
            "mc.finance",
            "deliveries",
            "dispute",
            "--agreement",
            "MC-BRS-2026-01",
            "--external-id",
            "MC-LEGAL-0031",
            "--reason",
            "not delivered",
        ])
        .failed();
    assert!(
        refused.stderr.contains("mc.finance may not dispute"),
        "{}",
        refused.stderr
    );
    // The auditor changes nothing; an unknown user acts as no one.
    let refused = sb
        .run(&[
            "--as",
            "auditor",
            "deliveries",
            "accept",
            "--agreement",
            "MC-BRS-2026-01",
        ])
        .failed();
    assert!(
        refused.stderr.contains("auditor may not accept"),
        "{}",
        refused.stderr
    );
    let unknown = sb
        .run(&[
            "--as",
            "nobody",
            "deliveries",
            "accept",
            "--agreement",
            "MC-BRS-2026-01",
        ])
        .failed();
    assert!(
        unknown.stderr.contains("no user nobody"),
        "{}",
        unknown.stderr
    );
    assert_eq!(sb.counts(), before, "a refused change writes nothing");
}
