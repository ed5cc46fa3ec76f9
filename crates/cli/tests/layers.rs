//! The faces translate and show; the application services decide and audit. A face (the web
//! server or the command line) that called a state-changing method of the store itself would
//! change data without the service's authorisation and audit event: this test fails on any
//! such call in their sources.
//!
//! The state-changing methods are read from the `Store` trait: every method that takes the
//! change's `Audit`, and those that change sign-ins, the audit trail or the schema.

use std::path::{Path, PathBuf};

/// Methods that change data without taking an `Audit`.
const OTHER_WRITERS: &[&str] = &[
    "audit",
    "create_session",
    "delete_session",
    "create_api_token",
    "revoke_api_token",
    "save_user",
    "import_deliveries",
    "migrate",
    "restore",
    "erase_all",
    "stage",
];

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crates directory")
        .to_path_buf()
}

/// The methods of the `Store` trait (the sum of its capability traits) that take an `Audit`
/// (the change's audit event).
fn audited_writers() -> Vec<String> {
    let lib = std::fs::read_to_string(crates_dir().join("store/src/lib.rs")).expect("store lib");
    let start = lib.find("pub trait Store:").expect("the Store trait");
    let header = &lib[start + "pub trait Store:".len()..];
    let header = &header[..header.find('{').expect("the Store trait's body")];
    let capabilities = header
        .split('+')
        .map(str::trim)
        .filter(|t| !["Send", "Sync"].contains(t));
    capabilities.flat_map(|t| trait_writers(&lib, t)).collect()
}

/// The methods of the trait `name` of `lib` that take an `Audit`.
fn trait_writers(lib: &str, name: &str) -> Vec<String> {
    let start = lib
        .find(&format!("pub trait {name} {{"))
        .expect("a capability trait");
    let body = &lib[start..];
    let mut depth = 0;
    let mut end = body.len();
    for (i, ch) in body.char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    end = i;
                    break;
                }
            }
            _ => {}
        }
    }
    let body = &body[..end];
    let mut names = vec![];
    for (i, _) in body.match_indices("fn ") {
        let rest = &body[i + 3..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let signature: String = rest
            .chars()
            .take_while(|c| *c != ';' && *c != '{')
            .collect();
        let takes_audit = signature
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|word| word == "Audit");
        if takes_audit {
            names.push(name);
        }
    }
    names
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a source directory") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_faces_change_data_only_through_application_services() {
    let mut writers = audited_writers();
    assert!(
        writers.iter().any(|w| w == "save_framework") && writers.len() >= 15,
        "the Store trait's audited writers were not found: {writers:?}"
    );
    writers.extend(OTHER_WRITERS.iter().map(|s| s.to_string()));
    let mut files = vec![];
    for face in ["web/src", "cli/src"] {
        sources(&crates_dir().join(face), &mut files);
    }
    assert!(files.len() > 10, "the faces' sources: {files:?}");
    let mut calls = vec![];
    for file in &files {
        let text = std::fs::read_to_string(file).expect("a source file");
        for (n, line) in text.lines().enumerate() {
            for w in &writers {
                let call = format!(".{w}(");
                if line.contains(&call) {
                    calls.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        calls.is_empty(),
        "a face calls the store to change data; call the application service instead:\n{}",
        calls.join("\n")
    );
}
