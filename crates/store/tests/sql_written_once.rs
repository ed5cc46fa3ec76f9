//! The store's SQL is written once: a statement that both engines run lives in `src/sql.rs`
//! with its row mapping, and the engine files keep only what differs. This test reads both
//! engine files and fails when a statement's text appears in both, compared as the engines
//! would read it: `?n` written as `$n`, PostgreSQL's `::type` casts left out, whitespace
//! collapsed and none around parentheses.

use std::collections::BTreeSet;

/// The text of every string literal of a Rust source (`"…"` with its escapes and line
/// continuations, and raw strings), comments left out.
fn literals(src: &str) -> Vec<String> {
    let b: Vec<char> = src.chars().collect();
    let mut out = vec![];
    let mut i = 0;
    while i < b.len() {
        if b[i] == '/' && b.get(i + 1) == Some(&'/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if b[i] == '\'' {
            // A character literal ('x', '\n', '"') or a lifetime.
            if b.get(i + 1) == Some(&'\\') {
                i += 4;
                while i < b.len() && b[i - 1] != '\'' {
                    i += 1;
                }
            } else if b.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
            continue;
        }
        let word_before = i > 0 && (b[i - 1].is_alphanumeric() || b[i - 1] == '_');
        if b[i] == 'r' && !word_before && matches!(b.get(i + 1), Some('"') | Some('#')) {
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) == Some(&'"') {
                let start = j + 1;
                let mut k = start;
                loop {
                    if b[k] == '"' && (0..hashes).all(|h| b.get(k + 1 + h) == Some(&'#')) {
                        break;
                    }
                    k += 1;
                }
                out.push(b[start..k].iter().collect());
                i = k + 1 + hashes;
                continue;
            }
        }
        if b[i] == '"' {
            let mut s = String::new();
            let mut j = i + 1;
            while b[j] != '"' {
                if b[j] == '\\' {
                    match b[j + 1] {
                        '\n' => {
                            j += 2;
                            while b[j].is_whitespace() {
                                j += 1;
                            }
                            continue;
                        }
                        'n' => s.push('\n'),
                        't' => s.push('\t'),
                        c => s.push(c),
                    }
                    j += 2;
                    continue;
                }
                s.push(b[j]);
                j += 1;
            }
            out.push(s);
            i = j + 1;
            continue;
        }
        i += 1;
    }
    out
}

/// A statement as compared: `?n` written `$n`, `::type` casts (and `::type[]`) left out,
/// whitespace collapsed and none inside or before parentheses.
fn normalised(sql: &str) -> String {
    let chars: Vec<char> = sql.chars().collect();
    let mut s = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '?' && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
            s.push('$');
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            i += 2;
            while chars
                .get(i)
                .is_some_and(|c| c.is_alphanumeric() || *c == '_')
            {
                i += 1;
            }
            if chars.get(i) == Some(&'[') && chars.get(i + 1) == Some(&']') {
                i += 2;
            }
            continue;
        } else {
            s.push(c);
        }
        i += 1;
    }
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    s.replace(" (", "(").replace("( ", "(").replace(" )", ")")
}

fn statements(file: &str) -> BTreeSet<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(file);
    let src = std::fs::read_to_string(&path).expect("an engine file");
    literals(&src)
        .iter()
        .map(|l| normalised(l))
        .filter(|s| {
            let first = s.split(' ').next().unwrap_or("").to_ascii_uppercase();
            ["SELECT", "INSERT", "UPDATE", "DELETE", "WITH"].contains(&first.as_str())
        })
        .collect()
}

#[test]
fn no_statement_is_written_in_both_engine_files() {
    let sqlite = statements("sqlite.rs");
    let postgres = statements("postgres.rs");
    assert!(
        sqlite.len() > 5 && postgres.len() > 5,
        "the engines' own statements (COPY, WAL, locks, triggers) are read"
    );
    let both: Vec<&String> = sqlite.intersection(&postgres).collect();
    assert!(
        both.is_empty(),
        "statements written in both engine files; write them once in src/sql.rs: {both:#?}"
    );
}

#[test]
fn literals_and_normalising_find_a_repeated_statement() {
    let src = "let a = \"SELECT id FROM t \\\n     WHERE k = ?1\"; // \"SELECT 1\"\n\
               let c = '\"'; let b = r#\"SELECT id FROM t WHERE k = $1::bigint\"#;\n\
               let d = \"SELECT COUNT(*) FROM t WHERE k = ANY ( ?1 )\"; \
               let e = \"SELECT COUNT (*) FROM t WHERE k = ANY($1::bigint[])\";";
    let found: Vec<String> = literals(src).iter().map(|l| normalised(l)).collect();
    assert_eq!(
        found,
        [
            "SELECT id FROM t WHERE k = $1",
            "SELECT id FROM t WHERE k = $1",
            "SELECT COUNT(*) FROM t WHERE k = ANY($1)",
            "SELECT COUNT(*) FROM t WHERE k = ANY($1)",
        ]
    );
}
