//! The crash test: every long command (deliveries import, deliveries accept --all, close,
//! store backup, export datapackage, store copy) killed with SIGKILL at several moments of its
//! run, on SQLite and on PostgreSQL, with 20,000 deliveries. After every kill the ledger check
//! passes, the import is all or nothing, and what a command wrote and its audit event are
//! both there or both absent; the next run of the command finishes it; in the
//! end no temporary file of the program is left, and the charges and the trial balance equal
//! those of a run that was never interrupted.
//!
//! The moments are fractions of how long each command takes uninterrupted (measured on the
//! reference run), so that they fall early, midway and late whatever the machine's speed;
//! nothing is asserted about time.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;
use synergies_store::testing::{postgres_url, FreshSchema};

const DELIVERIES: usize = 20_000;
const AGREEMENTS: usize = 8;
const QUARTERS: [&str; 4] = ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"];
/// Where in a command's run the kills fall, as fractions of its uninterrupted duration.
const MOMENTS: [f64; 3] = [0.15, 0.45, 0.8];

/// The long commands in the order they run, on database `db` of sandbox `sb`.
fn steps(sb: &Sandbox, db: &str) -> Vec<(String, Vec<String>)> {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let mut steps = vec![
        (
            "import".into(),
            s(&["deliveries", "import", "deliveries.csv"]),
        ),
        ("accept".into(), s(&["deliveries", "accept", "--all"])),
    ];
    for q in QUARTERS {
        steps.push((
            format!("close {q}"),
            s(&["close", "--period", q, "--on", "2027-01-10"]),
        ));
    }
    steps.push((
        "backup".into(),
        s(&["store", "backup", "--out", "backup.jsonl"]),
    ));
    steps.push((
        "datapackage".into(),
        s(&["export", "datapackage", "--out", "package"]),
    ));
    steps.push((
        "copy".into(),
        vec![
            "store".into(),
            "copy".into(),
            "--from".into(),
            db.to_string(),
            "--to".into(),
            sb.url("copy.db"),
            "--overwrite".into(),
        ],
    ));
    steps
}

/// Demo, generated agreements and deliveries: the starting point of every run.
fn prepare(sb: &Sandbox, db: &str) {
    sb.run_on(db, &["demo", "--no-serve"]).ok();
    generate(sb, AGREEMENTS, DELIVERIES);
    sb.run_on(db, &["agreements", "import", "agreements.json"])
        .ok();
}

/// Charges without the ids each database assigns, sorted.
fn charges(sb: &Sandbox, db: &str) -> Vec<Value> {
    let mut v: Vec<Value> = sb
        .json_on(db, &["charges", "list", "--json", "--all"])
        .as_array()
        .expect("charges")
        .iter()
        .map(|c| {
            let mut c = c.clone();
            for k in ["id", "entry"] {
                c.as_object_mut().unwrap().remove(k);
            }
            c
        })
        .collect();
    v.sort_by_key(|c| c.to_string());
    v
}

fn deliveries(sb: &Sandbox, db: &str) -> i64 {
    counts_of(&sb.json_on(db, &["status", "--json"]))["deliveries"]
}

/// What the sandbox holds beside the inputs and outputs the test expects: temporaries,
/// half-written files, journals of a database nobody has open.
fn leftovers(dir: &Path) -> Vec<String> {
    let expected = [
        "synergies.db",
        "copy.db",
        "deliveries.csv",
        "agreements.json",
        "backup.jsonl",
        "package",
    ];
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !expected.contains(&n.as_str()))
        .collect();
    v.sort();
    v
}

struct Reference {
    durations: Vec<Duration>,
    charges: Vec<Value>,
    trial_balance: String,
}

/// The uninterrupted run on SQLite, timed step by step.
fn reference() -> Reference {
    let sb = Sandbox::new();
    let db = sb.db.clone();
    prepare(&sb, &db);
    let mut durations = vec![];
    for (_, args) in steps(&sb, &db) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let start = Instant::now();
        sb.run_on(&db, &args).ok();
        durations.push(start.elapsed());
    }
    eprintln!("uninterrupted steps: {durations:?}");
    Reference {
        durations,
        charges: charges(&sb, &db),
        trial_balance: sb
            .run_on(&db, &["ledger", "trial-balance", "--json"])
            .ok()
            .stdout,
    }
}

/// Starts `args` on `db`, kills it with SIGKILL after `after` (or lets it finish first).
fn kill_after(sb: &Sandbox, db: &str, args: &[String], after: Duration) {
    let mut child = sb
        .command()
        .args(["--db", db])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    std::thread::sleep(after);
    let _ = child.kill();
    let _ = child.wait();
}

fn crash_every_long_command(sb: &Sandbox, db: &str, reference: &Reference) {
    prepare(sb, db);
    let before = deliveries(sb, db);
    for ((name, args), took) in steps(sb, db).into_iter().zip(&reference.durations) {
        // The rows a step writes, beside which its audit event must be, or neither.
        let table = match name.split(' ').next() {
            Some("import") => Some("deliveries"),
            Some("accept") => Some("acceptances"),
            Some("close") => Some("closings"),
            _ => None,
        };
        for moment in MOMENTS {
            let counts = || counts_of(&sb.json_on(db, &["status", "--json"]));
            let before_kill = counts();
            kill_after(sb, db, &args, took.mul_f64(moment));
            let after_kill = counts();
            if let Some(table) = table {
                let wrote = after_kill[table] != before_kill[table];
                let audited = after_kill["audit_events"] != before_kill["audit_events"];
                assert_eq!(
                    wrote, audited,
                    "{name} killed at {moment}: {table} written {wrote}, audit event {audited}"
                );
            }
            let check = sb.run_on(db, &["ledger", "check"]);
            assert!(
                check.success(),
                "{name} killed at {moment}: the ledger check fails\n{}{}",
                check.stdout,
                check.stderr
            );
            // An export is there whole or not at all; a finished one makes room for the next.
            let package = sb.path("package");
            if name == "datapackage" && package.exists() {
                assert!(
                    package.join("datapackage.json").exists(),
                    "a partial package"
                );
                std::fs::remove_dir_all(&package).unwrap();
            }
            if name == "import" {
                let n = deliveries(sb, db);
                assert!(
                    n == before || n == before + DELIVERIES as i64,
                    "{name} killed at {moment} left {} of {DELIVERIES} deliveries",
                    n - before
                );
            }
        }
        // The next run finishes the work.
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        sb.run_on(db, &args).ok();
    }
    assert_eq!(deliveries(sb, db), before + DELIVERIES as i64);
    assert_eq!(charged_bench_deliveries(sb, db), DELIVERIES as i64);
    assert_eq!(charges(sb, db), reference.charges, "the charges differ");
    assert_eq!(
        sb.run_on(db, &["ledger", "trial-balance", "--json"])
            .ok()
            .stdout,
        reference.trial_balance
    );
    sb.run_on(&sb.url("copy.db"), &["ledger", "check"]).ok();
    assert_eq!(
        charges(sb, &sb.url("copy.db")),
        reference.charges,
        "the copy's charges differ"
    );
    assert_eq!(leftovers(sb.dir.path()), Vec::<String>::new());
}

#[test]
fn killed_long_commands_leave_sound_data_on_both_engines() {
    let reference = reference();
    let sb = Sandbox::new();
    crash_every_long_command(&sb, &sb.db.clone(), &reference);
    if let Some(base) = postgres_url() {
        let schema = FreshSchema::new(&base).unwrap();
        let sb = Sandbox::new();
        crash_every_long_command(&sb, &schema.url, &reference);
    }
}
