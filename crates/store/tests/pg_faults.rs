//! PostgreSQL faults at the worst moment: the connection breaks after the server received
//! `COMMIT` and before its answer reached Synergies. The outcome must be told truthfully: the
//! server committed, so the write succeeded (once), not "error communicating with the server".
//!
//! A small proxy between the store and the server (TCP in front of the server's Unix socket)
//! lets every byte through until it is armed; armed, it passes the next `COMMIT` to the server,
//! waits for the server's answer, drops it and closes the connection.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde_json::json;
use synergies_store::testing::{postgres_url, FreshSchema};

/// The directory of the server's Unix socket in the test URL (`host=/var/run/postgresql`).
fn socket_dir(url: &str) -> String {
    url.split(['?', '&'])
        .find_map(|kv| kv.strip_prefix("host="))
        .filter(|h| h.starts_with('/'))
        .unwrap_or("/var/run/postgresql")
        .to_string()
}

struct Proxy {
    port: u16,
    armed: Arc<AtomicBool>,
}

/// Reads one frontend message: its type byte (none for the startup and SSL requests) and
/// bytes, as they go on the wire.
fn read_message(from: &mut TcpStream, typed: bool) -> std::io::Result<(Option<u8>, Vec<u8>)> {
    let mut head = vec![0u8; if typed { 5 } else { 4 }];
    from.read_exact(&mut head)?;
    let len_at = if typed { 1 } else { 0 };
    let len = u32::from_be_bytes(head[len_at..len_at + 4].try_into().unwrap()) as usize;
    let mut body = vec![0u8; len - 4];
    from.read_exact(&mut body)?;
    let kind = typed.then(|| head[0]);
    head.extend_from_slice(&body);
    Ok((kind, head))
}

fn start_proxy(socket: String) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let armed = Arc::new(AtomicBool::new(false));
    let armed_out = armed.clone();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { return };
            let Ok(mut server) = UnixStream::connect(&socket) else {
                return;
            };
            let armed = armed_out.clone();
            let drop_answer = Arc::new(AtomicBool::new(false));
            // Server → client, until the answer to an armed COMMIT, which is dropped.
            let (mut s_read, mut c_write) =
                (server.try_clone().unwrap(), client.try_clone().unwrap());
            let dropping = drop_answer.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                loop {
                    let n = match s_read.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    if dropping.load(Ordering::SeqCst) {
                        break;
                    }
                    if c_write.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                let _ = c_write.shutdown(std::net::Shutdown::Both);
                let _ = s_read.shutdown(std::net::Shutdown::Both);
            });
            // Client → server, message by message.
            std::thread::spawn(move || {
                let mut typed = false;
                while let Ok((kind, bytes)) = read_message(&mut client, typed) {
                    // An SSL request (code 80877103) is followed by the startup message.
                    let ssl_request = !typed && bytes.len() == 8 && bytes[4..8] == [4, 210, 22, 47];
                    typed = typed || !ssl_request;
                    let commit = kind == Some(b'Q')
                        && bytes[5..].to_ascii_uppercase().starts_with(b"COMMIT");
                    if commit && armed.swap(false, Ordering::SeqCst) {
                        drop_answer.store(true, Ordering::SeqCst);
                    }
                    if server.write_all(&bytes).is_err() {
                        break;
                    }
                }
                let _ = server.shutdown(std::net::Shutdown::Both);
            });
        }
    });
    Proxy { port, armed }
}

fn audit_events(store: &dyn synergies_store::Store) -> i64 {
    store
        .table_counts()
        .unwrap()
        .into_iter()
        .find(|(t, _)| t == "audit_events")
        .unwrap()
        .1
}

#[test]
fn a_commit_whose_answer_is_lost_is_reported_as_it_happened() {
    let Some(base) = postgres_url() else { return };
    let schema = FreshSchema::new(&base).unwrap();
    let direct = synergies_store::open(&schema.url).unwrap();
    direct.migrate().unwrap();
    let proxy = start_proxy(format!("{}/.s.PGSQL.5432", socket_dir(&base)));
    let user = base
        .split(['?', '&'])
        .find_map(|kv| kv.strip_prefix("user="))
        .unwrap_or("postgres");
    let db = base
        .trim_start_matches("postgresql://")
        .trim_start_matches("postgres://")
        .split(['?', '/'])
        .find(|s| !s.is_empty() && !s.contains('@'))
        .unwrap_or("synergies_test");
    let url = format!(
        "postgresql://{user}@127.0.0.1:{}/{db}?options=-c%20search_path%3D{}",
        proxy.port, schema.name
    );
    let store = synergies_store::open(&url).unwrap();
    let before = audit_events(direct.as_ref());
    proxy.armed.store(true, Ordering::SeqCst);
    let result = store.audit("test", "test.lost-commit", "x", &json!({}));
    assert!(
        !proxy.armed.load(Ordering::SeqCst),
        "the write did not go through the proxy's COMMIT"
    );
    let after = audit_events(direct.as_ref());
    assert_eq!(after, before + 1, "the server committed the write");
    assert!(
        result.is_ok(),
        "the write committed but was reported as {result:?}"
    );
}
