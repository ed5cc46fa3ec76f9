//! Faults around the data rather than in it, through the real binary: a mistyped or
//! uninitialised database, a read-only file system, passwords in database URLs, two outputs
//! written at once into one directory, writers that meet (one waits for the other, never a
//! "database is locked" nor a deadlock), on SQLite files and on PostgreSQL.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;
use serde_json::Value;
use synergies_store::testing::{postgres_url, FreshSchema};

// ---------------------------------------------------------------------------------------------
// Item 7: only `init` and `demo` create a database.

#[test]
fn a_command_on_a_missing_database_is_refused_and_creates_nothing() {
    let sb = Sandbox::new();
    let typo = sb.url("synergis.db");
    for args in [
        &["ledger", "check"][..],
        &["status"],
        &["charges", "list"],
        &["close", "--period", "2026-Q1"],
        &["deliveries", "accept", "--all"],
    ] {
        let out = sb.run_on(&typo, args).failed();
        assert!(
            out.stderr.contains("no database at") && out.stderr.contains("synergies init"),
            "{args:?}: {}",
            out.stderr
        );
        assert!(!out.stdout.contains("invariant holds"), "{}", out.stdout);
        assert!(
            !sb.path("synergis.db").exists(),
            "{args:?} created the file"
        );
    }
    // `init` creates it; then reads work.
    sb.run_on(&typo, &["init"]).ok();
    let check = sb.run_on(&typo, &["ledger", "check"]).ok();
    assert!(
        check.stdout.contains("Every invariant holds"),
        "{}",
        check.stdout
    );
}

#[test]
fn a_database_without_this_programs_schema_is_refused_with_what_to_run() {
    let sb = Sandbox::new();
    // A file that is not (yet) a Synergies database.
    std::fs::write(sb.path("empty.db"), b"").unwrap();
    let empty = sb.url("empty.db");
    let out = sb.run_on(&empty, &["ledger", "check"]).failed();
    assert!(
        out.stderr.contains("not a Synergies database yet") && out.stderr.contains("init"),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::metadata(sb.path("empty.db")).unwrap().len(), 0);
    sb.run_on(&empty, &["init"]).ok();
    sb.run_on(&empty, &["ledger", "check"]).ok();

    // A database of an older schema: refused, not migrated behind the user's back.
    sb.ok(&["init"]);
    let file = sb.path("synergies.db");
    let latest: i64 = {
        let c = rusqlite::Connection::open(&file).unwrap();
        let v = c
            .query_row("SELECT MAX(version) FROM schema_migrations", [], |r| {
                r.get(0)
            })
            .unwrap();
        c.execute(
            "DELETE FROM refinery_schema_history WHERE version = ?1",
            [v],
        )
        .unwrap();
        v
    };
    let out = sb.run(&["charges", "list"]).failed();
    assert!(
        out.stderr
            .contains(&format!("schema version {}", latest - 1))
            && out.stderr.contains("init"),
        "{}",
        out.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Item 9: a read-only database can be read; passwords are never printed.

/// Whether this machine lets an unprivileged user namespace mount a directory read-only (the
/// test's way to make a read-only file system). Under CI it must.
fn read_only_mounts_work(dir: &Path) -> bool {
    let ok = Command::new("unshare")
        .args(["-rm", "sh", "-c"])
        .arg(r#"mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && ! touch "$1/.probe" 2>/dev/null"#)
        .args(["sh"])
        .arg(dir)
        .output()
        .is_ok_and(|o| o.status.success());
    let in_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
    assert!(
        ok || !in_ci,
        "CI must be able to mount a directory read-only (unshare -rm)"
    );
    if !ok {
        eprintln!("** the read-only file system test DID NOT RUN: unshare -rm is not allowed");
    }
    ok
}

/// Runs the binary with the sandbox's directory mounted read-only.
fn run_read_only(sb: &Sandbox, args: &[&str]) -> Run {
    let mut all = vec!["--db".to_string(), sb.db.clone()];
    all.extend(args.iter().map(|s| s.to_string()));
    let out = Command::new("unshare")
        .args(["-rm", "sh", "-c"])
        .arg(r#"d=$1; shift; mount --bind "$d" "$d" && mount -o remount,bind,ro "$d" && exec "$@""#)
        .arg("sh")
        .arg(sb.dir.path())
        .arg(BIN)
        .args(&all)
        .current_dir(sb.dir.path())
        .env_remove("SYNERGIES_DB")
        .output()
        .expect("run unshare");
    Run::from(all, out)
}

#[test]
fn a_database_on_a_read_only_file_system_can_be_read() {
    let sb = Sandbox::new();
    sb.demo();
    if !read_only_mounts_work(sb.dir.path()) {
        return;
    }
    let charges = sb.ok(&["charges", "list", "--json"]).stdout;
    let tb = sb.ok(&["ledger", "trial-balance", "--json"]).stdout;
    let files = temporaries_and_journals(sb.dir.path());

    let check = run_read_only(&sb, &["ledger", "check"]).ok();
    assert!(
        check.stdout.contains("Every invariant holds"),
        "{}",
        check.stdout
    );
    assert_eq!(
        run_read_only(&sb, &["charges", "list", "--json"])
            .ok()
            .stdout,
        charges
    );
    assert_eq!(
        run_read_only(&sb, &["ledger", "trial-balance", "--json"])
            .ok()
            .stdout,
        tb
    );
    run_read_only(&sb, &["export", "deliveries"]).ok();
    // A write is refused, and says why.
    let close = run_read_only(&sb, &["reopen", "--period", "2026-Q1"]).failed();
    assert!(close.stderr.contains("readonly"), "{}", close.stderr);
    assert_eq!(temporaries_and_journals(sb.dir.path()), files);
    assert_eq!(sb.ok(&["charges", "list", "--json"]).stdout, charges);
}

#[test]
fn a_read_only_database_is_read_with_what_its_write_ahead_log_holds() {
    let sb = Sandbox::new();
    sb.demo();
    if !read_only_mounts_work(sb.dir.path()) {
        return;
    }
    // A connection kept open keeps the log: the reopening below stays in it, not yet copied
    // into the database file, when the file system turns read-only.
    let keeper = rusqlite::Connection::open(sb.path("synergies.db")).unwrap();
    keeper
        .query_row("SELECT COUNT(*) FROM schema_migrations", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap();
    sb.ok(&["reopen", "--period", "2026-Q1"]);
    assert!(
        std::fs::metadata(sb.path("synergies.db-wal"))
            .unwrap()
            .len()
            > 0
    );
    let charges = sb.ok(&["charges", "list", "--all", "--json"]).stdout;
    assert_eq!(
        run_read_only(&sb, &["charges", "list", "--all", "--json"])
            .ok()
            .stdout,
        charges,
        "the read-only database was read without its log"
    );
    drop(keeper);
}

/// The database's journal files and the program's temporaries in `dir`.
fn temporaries_and_journals(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with("-wal") || n.ends_with("-shm") || n.starts_with('.'))
        .collect();
    v.sort();
    v
}

#[test]
fn the_password_of_a_database_url_is_never_printed() {
    let sb = Sandbox::new();
    // Nothing listens on port 9 of the loopback: every command fails to connect.
    for url in [
        "postgresql://synergies:s3cret-pw@127.0.0.1:9/synergies",
        "postgresql://synergies@127.0.0.1:9/synergies?password=s3cret-pw&connect_timeout=2",
    ] {
        for args in [
            &["status"][..],
            &["init"],
            &["store", "backup", "--out", "b.jsonl"],
        ] {
            let out = sb.run_on(url, args).failed();
            let printed = format!("{}{}", out.stdout, out.stderr);
            assert!(!printed.contains("s3cret-pw"), "{args:?}: {printed}");
            assert!(printed.contains("***"), "{args:?}: {printed}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Item 6: outputs written at once into one directory.

#[test]
fn exports_written_at_once_into_one_directory_are_each_whole() {
    let sb = Sandbox::new();
    sb.demo();
    let csv = sb.ok(&["export", "deliveries", "--format", "csv"]).stdout;
    let json = sb.ok(&["export", "deliveries", "--format", "json"]).stdout;
    // Four of each at once, to two names of the same stem (which once shared `report.partial`).
    let children: Vec<(Child, &str)> = (0..8)
        .map(|i| {
            let (format, out) = if i % 2 == 0 {
                ("csv", "report.csv")
            } else {
                ("json", "report.json")
            };
            let child = sb
                .command()
                .args(["--db", &sb.db, "export", "deliveries", "--format", format])
                .args(["--out", out])
                .stdout(Stdio::null())
                .spawn()
                .expect("spawn");
            (child, out)
        })
        .collect();
    for (mut child, out) in children {
        assert!(child.wait().unwrap().success(), "export to {out} failed");
    }
    assert_eq!(read(&sb.path("report.csv")), csv);
    assert_eq!(read(&sb.path("report.json")), json);
    serde_json::from_str::<Value>(&read(&sb.path("report.json"))).expect("valid JSON");
    assert_eq!(temporaries(sb.dir.path()), Vec::<String>::new());
}

#[test]
fn the_next_run_removes_what_a_killed_run_left_and_keeps_a_live_runs() {
    let sb = Sandbox::new();
    sb.demo();
    // A process that has exited, and this test's own (alive) process.
    let mut gone = Command::new("true").spawn().unwrap();
    let dead = gone.id();
    gone.wait().unwrap();
    let alive = std::process::id();
    let stale_file = format!(".synergies-tmp-{dead}-aBcDeF-charges.csv");
    let stale_dir = format!(".synergies-tmp-{dead}-aBcDeF-package");
    let live_file = format!(".synergies-tmp-{alive}-aBcDeF-charges.csv");
    std::fs::write(sb.path(&stale_file), b"half a fi").unwrap();
    std::fs::create_dir(sb.path(&stale_dir)).unwrap();
    std::fs::write(sb.path(&stale_dir).join("deliveries.csv"), b"half").unwrap();
    std::fs::write(sb.path(&live_file), b"being written").unwrap();
    sb.ok(&["export", "charges", "--out", "charges.csv"]);
    if Path::new("/proc").join(dead.to_string()).exists() {
        return; // the id was reused at once: nothing to conclude
    }
    assert!(!sb.path(&stale_file).exists());
    assert!(!sb.path(&stale_dir).exists());
    assert!(
        sb.path(&live_file).exists(),
        "a live run's temporary was removed"
    );
}

// ---------------------------------------------------------------------------------------------
// Item 8: writers wait for each other.

/// Holds SQLite's write lock on the sandbox's database from this process while `args` runs,
/// until the command says that it waits; then lets it go. The command must then succeed.
fn waits_for_a_writer(sb: &Sandbox, args: &[&str]) -> Run {
    let holder = rusqlite::Connection::open(sb.path("synergies.db")).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let mut child = sb
        .command()
        .args(["--db", &sb.db])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut said = String::new();
    loop {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap() == 0 {
            break;
        }
        said.push_str(&line);
        if line.contains("waiting for it to finish") {
            break;
        }
    }
    holder.execute_batch("COMMIT").unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let out = child.wait_with_output().unwrap();
    let run = Run {
        args: args.iter().map(|s| s.to_string()).collect(),
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: said + &rest,
    };
    assert!(
        run.stderr.contains("locked by another writer; waiting"),
        "{args:?} did not wait: {}",
        run.stderr
    );
    run.ok()
}

#[test]
fn on_sqlite_a_writer_waits_for_another_writer_instead_of_failing() {
    let sb = Sandbox::new();
    sb.demo();
    generate(&sb, 2, 200);
    sb.ok(&["agreements", "import", "agreements.json"]);
    waits_for_a_writer(&sb, &["deliveries", "import", "deliveries.csv"]);
    waits_for_a_writer(&sb, &["deliveries", "accept", "--all"]);
    waits_for_a_writer(&sb, &["close", "--period", "2026-Q1"]);
    sb.ok(&["ledger", "check"]);
}

/// Eight imports of overlapping files (each delivery in two of them, each file in another
/// order of agreements), then eight closes of the four quarters at once: every one succeeds
/// (waiting for the others), and every delivery is charged once.
fn eight_imports_and_eight_closes_at_once(sb: &Sandbox, db: &str) {
    const ROWS: usize = 4_000;
    sb.run_on(db, &["demo", "--no-serve"]).ok();
    let (header, rows) = generate(sb, 4, ROWS);
    sb.run_on(db, &["agreements", "import", "agreements.json"])
        .ok();
    let before = counts_of(&sb.json_on(db, &["status", "--json"]))["deliveries"];
    let window = ROWS / 4;
    for i in 0..8 {
        let start = i * ROWS / 8;
        let mut text = header.clone() + "\n";
        for k in 0..window {
            text.push_str(&rows[(start + k) % ROWS]);
            text.push('\n');
        }
        std::fs::write(sb.path(&format!("part{i}.csv")), text).unwrap();
    }
    let all = |args: Vec<Vec<String>>| {
        let children: Vec<Child> = args
            .iter()
            .map(|a| {
                sb.command()
                    .args(["--db", db])
                    .args(a)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        for (child, a) in children.into_iter().zip(&args) {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{a:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    };
    all((0..8)
        .map(|i| vec!["deliveries".into(), "import".into(), format!("part{i}.csv")])
        .collect());
    let after = counts_of(&sb.json_on(db, &["status", "--json"]))["deliveries"];
    // Two files of eight hold each delivery; each is recorded once.
    assert_eq!(after - before, ROWS as i64);
    sb.run_on(db, &["deliveries", "accept", "--all"]).ok();
    all((0..8)
        .map(|i| {
            vec![
                "close".into(),
                "--period".into(),
                format!("2026-Q{}", 1 + i % 4),
                "--on".into(),
                "2027-01-10".into(),
            ]
        })
        .collect());
    assert_eq!(charged_bench_deliveries(sb, db), ROWS as i64);
    sb.run_on(db, &["ledger", "check"]).ok();
}

#[test]
fn on_sqlite_eight_imports_and_eight_closes_at_once_all_succeed() {
    let sb = Sandbox::new();
    eight_imports_and_eight_closes_at_once(&sb, &sb.db.clone());
}

#[test]
fn on_postgres_eight_imports_and_eight_closes_at_once_all_succeed() {
    let Some(base) = postgres_url() else { return };
    let schema = FreshSchema::new(&base).unwrap();
    let sb = Sandbox::new();
    eight_imports_and_eight_closes_at_once(&sb, &schema.url);
}

#[test]
fn an_interrupted_export_removes_its_temporary() {
    let sb = Sandbox::new();
    sb.demo();
    generate(&sb, 4, 20_000);
    sb.ok(&["agreements", "import", "agreements.json"]);
    sb.ok(&["deliveries", "import", "deliveries.csv"]);
    for signal in ["-INT", "-TERM"] {
        let mut caught = false;
        for _ in 0..20 {
            let mut child = sb
                .command()
                .args(["--db", &sb.db, "export", "deliveries", "--format", "json"])
                .args(["--out", "big.json"])
                .spawn()
                .expect("spawn");
            // Wait until the export is writing its temporary (or done).
            while temporaries(sb.dir.path()).is_empty() && child.try_wait().unwrap().is_none() {
                std::thread::sleep(Duration::from_millis(1));
            }
            if child.try_wait().unwrap().is_some() {
                let _ = std::fs::remove_file(sb.path("big.json"));
                continue; // finished first: try again
            }
            Command::new("kill")
                .args([signal, &child.id().to_string()])
                .status()
                .unwrap();
            let status = child.wait().unwrap();
            if status.success() {
                let _ = std::fs::remove_file(sb.path("big.json"));
                continue; // finished before the signal arrived
            }
            caught = true;
            assert_eq!(temporaries(sb.dir.path()), Vec::<String>::new(), "{signal}");
            assert!(!sb.path("big.json").exists(), "{signal}: a half export");
            break;
        }
        assert!(
            caught,
            "{signal}: the export always finished before it could be interrupted"
        );
    }
}
