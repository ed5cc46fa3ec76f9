//! `synergies serve` logs every request on standard error (method, path, status, client) and
//! every failed sign-in, and never a secret: not the query, the bearer token, the session
//! cookie or the password.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;

use common::*;

fn exchange(addr: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("connects");
    stream.write_all(request.as_bytes()).expect("writes");
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .expect("reads the answer");
    answer
}

#[test]
fn the_request_log_names_requests_and_never_secrets() {
    let sb = Sandbox::new();
    sb.demo();
    let log = std::fs::File::create(sb.path("serve.log")).expect("a log file");
    let server = sb.serve(log.into());
    let addr = server.addr.clone();
    let me = exchange(
        &addr,
        "GET /api/v1/me?token=QUERYSECRET HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
         Authorization: Bearer BEARERSECRET\r\nCookie: synergies_session=COOKIESECRET\r\n\r\n",
    );
    assert!(me.starts_with("HTTP/1.1 401"), "{me}");
    let body = r#"{"username":"mc.head","password":"PASSWORDSECRET-7"}"#;
    let token = exchange(
        &addr,
        &format!(
            "POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(token.starts_with("HTTP/1.1 401"), "{token}");
    drop(server);
    let log = read(&sb.path("serve.log"));
    assert!(
        log.contains("path=\"/api/v1/me\"") && log.contains("status=401"),
        "the request is logged: {log}"
    );
    assert!(log.contains("sign-in failed"), "{log}");
    assert!(log.contains("mc.head"), "{log}");
    for secret in [
        "QUERYSECRET",
        "BEARERSECRET",
        "COOKIESECRET",
        "PASSWORDSECRET",
    ] {
        assert!(!log.contains(secret), "{secret} in the log: {log}");
    }
}
