//! Restores that must change nothing when the file is bad: every kind of bad backup file and
//! bad data package, each refused with a non-zero exit and a clear reason, leaving the target
//! as it was (same table counts, same trial balance, `ledger check` passing, and for SQLite
//! the same bytes and no staging file left beside it), on SQLite and on PostgreSQL. And a
//! good backup round-trips.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use synergies_store::testing::{postgres_url, FreshSchema};

/// What a failed restore must leave as it was.
#[derive(Debug, PartialEq)]
struct Fingerprint {
    counts: BTreeMap<String, i64>,
    trial_balance: String,
    bytes: Option<Vec<u8>>,
}

struct Target<'a> {
    sb: &'a Sandbox,
    url: String,
    /// The SQLite file, whose bytes must not change.
    file: Option<PathBuf>,
}

impl Target<'_> {
    fn fingerprint(&self) -> Fingerprint {
        let counts = counts_of(&self.sb.json_on(&self.url, &["status", "--json"]));
        let trial_balance = self
            .sb
            .run_on(&self.url, &["ledger", "trial-balance", "--json"])
            .ok()
            .stdout;
        self.sb.run_on(&self.url, &["ledger", "check"]).ok();
        Fingerprint {
            counts,
            trial_balance,
            bytes: self.file.as_ref().map(|f| std::fs::read(f).unwrap()),
        }
    }

    /// Runs a restore that must fail with `reason`, and checks that nothing changed.
    fn refuses(&self, case: &str, args: &[&str], reason: &str) {
        let before = self.fingerprint();
        let mut all = vec!["store", "restore"];
        all.extend_from_slice(args);
        let run = self.sb.run_on(&self.url, &all).failed();
        eprintln!("{case}: {}", run.stderr.trim());
        assert!(
            run.stderr.contains(reason),
            "{case}: expected {reason:?} in:\n{}",
            run.stderr
        );
        assert_eq!(self.fingerprint(), before, "{case}: the target changed");
        if let Some(file) = &self.file {
            let dir = file.parent().unwrap();
            let left: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.contains(".restore-"))
                .collect();
            assert!(left.is_empty(), "{case}: staging files left: {left:?}");
        }
    }
}

/// A backup file's lines.
fn lines_of(path: &Path) -> Vec<String> {
    read(path).lines().map(str::to_string).collect()
}

/// The index of a table's header line.
fn header_of(lines: &[String], table: &str) -> usize {
    lines
        .iter()
        .position(|l| serde_json::from_str::<Value>(l).is_ok_and(|v| v["table"] == json!(table)))
        .unwrap_or_else(|| panic!("no table {table}"))
}

/// The position of a column in a table's header line.
fn column_of(lines: &[String], table: &str, column: &str) -> usize {
    let h: Value = serde_json::from_str(&lines[header_of(lines, table)]).unwrap();
    h["columns"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c == column)
        .unwrap_or_else(|| panic!("no column {table}.{column}"))
}

/// The indexes of a table's row lines.
fn rows_of(lines: &[String], table: &str) -> std::ops::Range<usize> {
    let start = header_of(lines, table) + 1;
    let end = (start..lines.len())
        .find(|i| !lines[*i].starts_with('['))
        .unwrap();
    start..end
}

fn row(line: &str) -> Vec<Value> {
    serde_json::from_str(line).unwrap()
}

/// Rewrites the end record so that it matches the lines: a file changed by someone who knew
/// the format, which only the verification of the data can refuse.
fn reseal(lines: &mut [String]) {
    let last = lines.len() - 1;
    let mut sums: Vec<(String, i64, Sha256)> = vec![];
    for l in &lines[1..last] {
        if l.starts_with('[') {
            let (_, rows, hash) = sums.last_mut().unwrap();
            *rows += 1;
            hash.update(l.as_bytes());
        } else {
            let v: Value = serde_json::from_str(l).unwrap();
            let mut hash = Sha256::new();
            hash.update(l.as_bytes());
            sums.push((v["table"].as_str().unwrap().to_string(), 0, hash));
        }
        sums.last_mut().unwrap().2.update(b"\n");
    }
    let end: Vec<Value> = sums
        .into_iter()
        .map(|(table, rows, hash)| {
            let hex: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
            json!({ "table": table, "rows": rows, "sha256": hex })
        })
        .collect();
    lines[last] = json!({ "end": end }).to_string();
}

/// A charged delivery's id (from the first link of a closing).
fn charged_delivery(lines: &[String]) -> i64 {
    row(&lines[rows_of(lines, "closing_deliveries").start])[0]
        .as_i64()
        .unwrap()
}

/// A decimal written differently enough to change its value.
fn changed(decimal: &Value) -> Value {
    json!(format!("{}1", decimal.as_str().unwrap()))
}

fn write(sb: &Sandbox, name: &str, lines: &[String]) -> String {
    let path = sb.path(name);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path.to_str().unwrap().to_string()
}

/// Every kind of bad backup file, then a good one with --overwrite.
fn bad_backups_change_nothing(sb: &Sandbox, target: &Target) {
    let good = sb.path("good.backup");
    sb.ok(&["store", "backup", "--out", good.to_str().unwrap()]);
    let original = lines_of(&good);
    // The target holds data of its own, different from the file's.
    sb.run_on(&target.url, &["store", "restore", good.to_str().unwrap()])
        .ok();
    sb.run_on(&target.url, &["reopen", "--period", "2026-Q4"])
        .ok();
    let overwrite = |case: &str, lines: &[String], reason: &str| {
        let file = write(sb, "bad.backup", lines);
        target.refuses(case, &[&file, "--overwrite"], reason);
    };

    let mut l = original.clone();
    let middle = rows_of(&l, "deliveries").start + 2;
    l[middle] = "{\"table\": oops".into();
    overwrite("a corrupt line", &l, &format!("bad.backup:{}:", middle + 1));

    let mut l = original.clone();
    let h = header_of(&l, "deliveries");
    let mut header: Value = serde_json::from_str(&l[h]).unwrap();
    header["columns"]
        .as_array_mut()
        .unwrap()
        .retain(|c| c != "description");
    l[h] = header.to_string();
    overwrite("a missing column", &l, "must have the columns");

    let mut l = original.clone();
    let first = rows_of(&l, "organisations").start;
    l.insert(first + 1, l[first].clone());
    overwrite("a duplicate key", &l, "bad.backup");

    let mut l = original.clone();
    let end = l.len() - 1;
    l.insert(end, r#"{"table":"bogus","columns":["a"]}"#.into());
    overwrite("an unknown table", &l, "unknown table");

    let mut l = original.clone();
    let i = rows_of(&l, "charges").start;
    let total = column_of(&l, "charges", "total_minor");
    let mut r = row(&l[i]);
    r[total] = json!(r[total].as_i64().unwrap() + 1);
    l[i] = Value::from(r).to_string();
    overwrite("a failed check", &l, "bad.backup");

    let bytes = std::fs::read(&good).unwrap();
    let line_start = bytes[..bytes.len() / 2]
        .iter()
        .rposition(|b| *b == b'\n')
        .unwrap()
        + 1;
    std::fs::write(sb.path("cut.backup"), &bytes[..line_start + 7]).unwrap();
    target.refuses(
        "a file cut mid-line",
        &[sb.path("cut.backup").to_str().unwrap(), "--overwrite"],
        "cut.backup:",
    );

    let l = original[..header_of(&original, "postings")].to_vec();
    overwrite("a file cut before its postings", &l, "cut short");

    let mut l = original.clone();
    let mut h: Value = serde_json::from_str(&l[0]).unwrap();
    h["engine"] = json!("oracle");
    l[0] = h.to_string();
    overwrite("engine: oracle", &l, "engine \"oracle\"");

    let mut l = original.clone();
    let i = rows_of(&l, "deliveries").start;
    let q = column_of(&l, "deliveries", "quantity");
    let mut r = row(&l[i]);
    r[q] = json!("abc");
    l[i] = Value::from(r).to_string();
    reseal(&mut l);
    overwrite(
        "a quantity \"abc\"",
        &l,
        &format!(
            "bad.backup:{}: deliveries.quantity: not a decimal number",
            i + 1
        ),
    );

    let mut l = original.clone();
    let i = rows_of(&l, "organisations").start;
    let mut r = row(&l[i]);
    r[1] = json!("Someone else");
    l[i] = Value::from(r).to_string();
    overwrite("a changed row", &l, "checksum");

    // Changed by someone who knew the format: the data themselves do not verify.
    let mut l = original.clone();
    let link = rows_of(&l, "closing_deliveries").start;
    l.remove(link);
    reseal(&mut l);
    overwrite("a closing's link removed", &l, "are linked to it");

    let mut l = original.clone();
    let id = charged_delivery(&l);
    let q = column_of(&l, "deliveries", "quantity");
    let i = rows_of(&l, "deliveries")
        .find(|i| row(&l[*i])[0] == json!(id))
        .unwrap();
    let mut r = row(&l[i]);
    r[q] = changed(&r[q]);
    l[i] = Value::from(r).to_string();
    reseal(&mut l);
    overwrite("a charged quantity changed", &l, "recompute");

    let mut l = original.clone();
    let amount = column_of(&l, "rates", "amount");
    for i in rows_of(&l, "rates") {
        let mut r = row(&l[i]);
        r[amount] = changed(&r[amount]);
        l[i] = Value::from(r).to_string();
    }
    reseal(&mut l);
    overwrite("rates changed", &l, "recompute");

    // A good backup replaces the target's data whole.
    sb.run_on(
        &target.url,
        &["store", "restore", good.to_str().unwrap(), "--overwrite"],
    )
    .ok();
    assert_eq!(exports(sb, &target.url), exports(sb, &sb.db));
    sb.run_on(&target.url, &["ledger", "check"]).ok();
}

/// Rewrites one CSV file of a data package.
fn edit_csv(dir: &Path, table: &str, f: impl FnOnce(&mut Vec<csv::StringRecord>)) {
    let path = dir.join(format!("{table}.csv"));
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let header = reader.headers().unwrap().clone();
    let mut records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    f(&mut records);
    let mut writer = csv::Writer::from_path(&path).unwrap();
    writer.write_record(&header).unwrap();
    for r in &records {
        writer.write_record(r).unwrap();
    }
    writer.flush().unwrap();
}

/// Takes the files' hashes out of a package's descriptor, as a package edited by hand would
/// have none: then only the verification of the data can refuse it.
fn unhash(dir: &Path) {
    let path = dir.join("datapackage.json");
    let mut d: Value = serde_json::from_str(&read(&path)).unwrap();
    for r in d["resources"].as_array_mut().unwrap() {
        r.as_object_mut().unwrap().remove("hash");
    }
    std::fs::write(&path, d.to_string()).unwrap();
}

fn csv_column(dir: &Path, table: &str, column: &str) -> usize {
    let mut reader = csv::Reader::from_path(dir.join(format!("{table}.csv"))).unwrap();
    reader
        .headers()
        .unwrap()
        .iter()
        .position(|c| c == column)
        .unwrap()
}

fn set(r: &csv::StringRecord, column: usize, value: &str) -> csv::StringRecord {
    r.iter()
        .enumerate()
        .map(|(i, v)| if i == column { value } else { v })
        .collect()
}

/// Data packages changed so that the data no longer hold together: refused, nothing written.
fn bad_packages_change_nothing(sb: &Sandbox, target: &Target) {
    let good = sb.path("package");
    if !good.exists() {
        sb.ok(&["export", "datapackage", "--out", good.to_str().unwrap()]);
    }
    let fresh = |name: &str| {
        let dir = sb.path(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).unwrap();
        for e in std::fs::read_dir(&good).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
        }
        dir
    };

    let dir = fresh("unlinked");
    edit_csv(&dir, "closing_deliveries", |r| {
        r.remove(0);
    });
    target.refuses(
        "a package with a closing's link removed, its hash kept",
        &["--datapackage", dir.to_str().unwrap()],
        "closing_deliveries.csv: its SHA-256 is not the descriptor's hash",
    );
    unhash(&dir);
    target.refuses(
        "a package with a closing's link removed",
        &["--datapackage", dir.to_str().unwrap()],
        "are linked to it",
    );

    let dir = fresh("quantity");
    let link: i64 = {
        let mut reader = csv::Reader::from_path(dir.join("closing_deliveries.csv")).unwrap();
        reader.records().next().unwrap().unwrap()[0]
            .parse()
            .unwrap()
    };
    let q = csv_column(&dir, "deliveries", "quantity");
    edit_csv(&dir, "deliveries", |records| {
        for r in records.iter_mut() {
            if r[0].parse::<i64>().unwrap() == link {
                *r = set(r, q, &format!("{}1", &r[q]));
            }
        }
    });
    unhash(&dir);
    target.refuses(
        "a package with a charged quantity changed",
        &["--datapackage", dir.to_str().unwrap()],
        "recompute",
    );

    let dir = fresh("rate");
    let amount = csv_column(&dir, "rates", "amount");
    edit_csv(&dir, "rates", |records| {
        for r in records.iter_mut() {
            *r = set(r, amount, &format!("{}1", &r[amount]));
        }
    });
    unhash(&dir);
    target.refuses(
        "a package with its rates changed",
        &["--datapackage", dir.to_str().unwrap()],
        "recompute",
    );

    // The package as it was goes in.
    sb.run_on(
        &target.url,
        &["store", "restore", "--datapackage", good.to_str().unwrap()],
    )
    .ok();
    sb.run_on(&target.url, &["ledger", "check"]).ok();
    assert_eq!(
        sb.run_on(&target.url, &["ledger", "trial-balance", "--json"])
            .ok()
            .stdout,
        sb.ok(&["ledger", "trial-balance", "--json"]).stdout
    );
}

#[test]
fn bad_backups_and_packages_change_nothing_on_sqlite() {
    let sb = Sandbox::new();
    sb.demo();
    let file = sb.path("target.db");
    let target = Target {
        sb: &sb,
        url: sb.url("target.db"),
        file: Some(file.clone()),
    };
    bad_backups_change_nothing(&sb, &target);

    // A failed restore into a database that did not exist leaves no file behind.
    let cut = sb.path("cut.backup");
    sb.run_on(
        &sb.url("new.db"),
        &["store", "restore", cut.to_str().unwrap()],
    )
    .failed();
    let left: Vec<_> = std::fs::read_dir(sb.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("new.db"))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    let empty = Target {
        sb: &sb,
        url: sb.url("empty.db"),
        file: Some(sb.path("empty.db")),
    };
    sb.run_on(&empty.url, &["init"]).ok();
    bad_packages_change_nothing(&sb, &empty);
}

#[test]
fn bad_backups_and_packages_change_nothing_on_postgres() {
    let Some(base) = postgres_url() else { return };
    let sb = Sandbox::new();
    sb.demo();
    let schema = FreshSchema::new(&base).unwrap();
    let target = Target {
        sb: &sb,
        url: schema.url.clone(),
        file: None,
    };
    bad_backups_change_nothing(&sb, &target);

    let empty_schema = FreshSchema::new(&base).unwrap();
    let empty = Target {
        sb: &sb,
        url: empty_schema.url.clone(),
        file: None,
    };
    sb.run_on(&empty.url, &["init"]).ok();
    bad_packages_change_nothing(&sb, &empty);
}

#[test]
fn a_copy_that_does_not_verify_changes_nothing() {
    // A copy into a target with data and without --overwrite is refused before anything.
    let sb = Sandbox::new();
    sb.demo();
    let target = Target {
        sb: &sb,
        url: sb.url("copy.db"),
        file: Some(sb.path("copy.db")),
    };
    sb.run_raw(&["store", "copy", "--from", &sb.db, "--to", &target.url])
        .ok();
    sb.run_on(&target.url, &["reopen", "--period", "2026-Q4"])
        .ok();
    let before = target.fingerprint();
    let again = sb
        .run_raw(&["store", "copy", "--from", &sb.db, "--to", &target.url])
        .failed();
    assert!(again.stderr.contains("not empty"), "{}", again.stderr);
    assert_eq!(target.fingerprint(), before);
    // With --overwrite, the target becomes the source whole.
    sb.run_raw(&[
        "store",
        "copy",
        "--from",
        &sb.db,
        "--to",
        &target.url,
        "--overwrite",
    ])
    .ok();
    assert_eq!(exports(&sb, &target.url), exports(&sb, &sb.db));
}

/// The staging files beside a SQLite database, with their sizes.
fn staging_files(dir: &Path) -> Vec<(String, u64)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_name().to_string_lossy().contains(".restore-"))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                e.metadata().map_or(0, |m| m.len()),
            )
        })
        .collect()
}

#[test]
fn a_killed_restore_changes_nothing_and_the_next_one_cleans_up() {
    let sb = Sandbox::new();
    sb.demo();
    let good = sb.path("good.backup");
    sb.ok(&["store", "backup", "--out", good.to_str().unwrap()]);
    let target = Target {
        sb: &sb,
        url: sb.url("target.db"),
        file: Some(sb.path("target.db")),
    };
    sb.run_on(&target.url, &["store", "restore", good.to_str().unwrap()])
        .ok();
    sb.run_on(&target.url, &["reopen", "--period", "2026-Q4"])
        .ok();
    // A backup long enough to be caught in the middle: many more audit events.
    let mut l = lines_of(&good);
    let events = rows_of(&l, "audit_events");
    let last: Vec<Value> = row(&l[events.end - 1]);
    let first_id = last[0].as_i64().unwrap() + 1;
    let extra: Vec<String> = (first_id..first_id + 300_000)
        .map(|id| {
            let mut r = last.clone();
            r[0] = json!(id);
            Value::from(r).to_string()
        })
        .collect();
    l.splice(events.end..events.end, extra);
    reseal(&mut l);
    let big = write(&sb, "big.backup", &l);
    let before = target.fingerprint();

    let mut child = sb
        .command()
        .args(["--db", &target.url, "store", "restore", &big, "--overwrite"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Killed once its staging database has grown past a megabyte: in the middle of the restore.
    loop {
        if staging_files(sb.dir.path())
            .iter()
            .any(|(_, size)| *size > 1 << 20)
        {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the restore ended before it could be killed"
        );
        std::thread::yield_now();
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        target.fingerprint(),
        before,
        "a killed restore changed the target"
    );
    assert!(
        !staging_files(sb.dir.path()).is_empty(),
        "the killed restore left its staging file"
    );

    // The next restore removes what the killed one left, and replaces the data whole.
    sb.run_on(
        &target.url,
        &["store", "restore", good.to_str().unwrap(), "--overwrite"],
    )
    .ok();
    assert_eq!(staging_files(sb.dir.path()), vec![]);
    assert_eq!(exports(&sb, &target.url), exports(&sb, &sb.db));
}
