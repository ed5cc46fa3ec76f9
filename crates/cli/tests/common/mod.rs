//! Shared helpers of the end-to-end tests: run the real `synergies` binary against SQLite
//! files in a temporary directory.

#![allow(dead_code)] // each test binary uses a different part of these helpers

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use tempfile::TempDir;

pub const BIN: &str = env!("CARGO_BIN_EXE_synergies");

/// The outcome of one run of the binary.
pub struct Run {
    pub args: Vec<String>,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from(args: Vec<String>, out: Output) -> Run {
        Run {
            args,
            code: out.status.code(),
            stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        }
    }

    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// Panics with everything the command printed unless it exited 0.
    pub fn ok(self) -> Run {
        assert!(
            self.success(),
            "`synergies {}` failed with {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.args.join(" "),
            self.code,
            self.stdout,
            self.stderr
        );
        self
    }

    /// Panics unless the command exited with a non-zero code (and was not killed).
    pub fn failed(self) -> Run {
        assert!(
            matches!(self.code, Some(c) if c != 0),
            "`synergies {}` should have failed but exited with {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.args.join(" "),
            self.code,
            self.stdout,
            self.stderr
        );
        self
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "`synergies {}` did not print JSON ({e}):\n{}",
                self.args.join(" "),
                self.stdout
            )
        })
    }
}

/// A temporary directory (also the working directory of every run) with a database in it.
pub struct Sandbox {
    pub dir: TempDir,
    pub db: String,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = format!("sqlite://{}", dir.path().join("synergies.db").display());
        Sandbox { dir, db }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A database URL for another file of this sandbox.
    pub fn url(&self, file: &str) -> String {
        format!("sqlite://{}", self.path(file).display())
    }

    /// The bare command: working directory in the sandbox, no `SYNERGIES_DB` inherited.
    pub fn command(&self) -> Command {
        let mut c = Command::new(BIN);
        // A fixed demo password: a second `demo` then finds nothing to change.
        c.current_dir(self.dir.path())
            .env_remove("SYNERGIES_DB")
            .env("SYNERGIES_DEMO_PASSWORD", "sandbox-demo-password");
        c
    }

    /// Runs with `--db` set to the sandbox's database.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_on(&self.db, args)
    }

    pub fn run_on(&self, db: &str, args: &[&str]) -> Run {
        let mut all = vec!["--db".to_string(), db.to_string()];
        all.extend(args.iter().map(|s| s.to_string()));
        let out = self.command().args(&all).output().expect("run synergies");
        Run::from(all, out)
    }

    /// Runs exactly these arguments (no `--db` added).
    pub fn run_raw(&self, args: &[&str]) -> Run {
        let out = self.command().args(args).output().expect("run synergies");
        Run::from(args.iter().map(|s| s.to_string()).collect(), out)
    }

    pub fn ok(&self, args: &[&str]) -> Run {
        self.run(args).ok()
    }

    pub fn json(&self, args: &[&str]) -> Value {
        self.ok(args).json()
    }

    /// Runs on another database and parses what it printed as JSON.
    pub fn json_on(&self, db: &str, args: &[&str]) -> Value {
        self.run_on(db, args).ok().json()
    }

    /// Seeds the demo and checks that it says so.
    pub fn demo(&self) -> Value {
        let out = self.json(&["demo", "--no-serve", "--json"]);
        assert_eq!(out["demo"]["seeded"], Value::Bool(true), "{out:#}");
        out
    }

    /// Table counts from `status --json`.
    pub fn counts(&self) -> BTreeMap<String, i64> {
        counts_of(&self.json(&["status", "--json"]))
    }

    /// `ledger trial-balance --json` as (fund, account, currency) -> balance in minor units.
    pub fn trial_balance(&self) -> BTreeMap<(String, String, String), i64> {
        let tb = self.json(&["ledger", "trial-balance", "--json"]);
        let mut map = BTreeMap::new();
        for row in tb.as_array().expect("trial balance is an array") {
            let key = (
                str_field(row, "fund"),
                str_field(row, "account"),
                str_field(row, "currency"),
            );
            let balance = int_field(row, "balance_minor");
            assert!(
                map.insert(key.clone(), balance).is_none(),
                "{key:?} appears twice in the trial balance"
            );
        }
        map
    }
}

/// The table counts of a summary (`status --json`, or `demo --json`'s "summary").
pub fn counts_of(summary: &Value) -> BTreeMap<String, i64> {
    summary["tables"]
        .as_array()
        .unwrap_or_else(|| panic!("no tables in {summary:#}"))
        .iter()
        .map(|pair| {
            (
                pair[0].as_str().expect("table name").to_string(),
                pair[1].as_i64().expect("table count"),
            )
        })
        .collect()
}

pub fn str_field(v: &Value, name: &str) -> String {
    v[name]
        .as_str()
        .unwrap_or_else(|| panic!("no string {name:?} in {v}"))
        .to_string()
}

pub fn int_field(v: &Value, name: &str) -> i64 {
    v[name]
        .as_i64()
        .unwrap_or_else(|| panic!("no integer {name:?} in {v}"))
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Everything the exports show, for comparing databases.
pub fn exports(sb: &Sandbox, db: &str) -> Vec<String> {
    ["deliveries", "agreements", "charges", "rates", "fx"]
        .iter()
        .map(|d| {
            sb.run_on(db, &["export", d, "--format", "json"])
                .ok()
                .stdout
        })
        .chain(["csv"].iter().map(|_| {
            sb.run_on(db, &["export", "deliveries", "--format", "csv"])
                .ok()
                .stdout
        }))
        .chain(std::iter::once(
            sb.run_on(db, &["ledger", "trial-balance", "--json"])
                .ok()
                .stdout,
        ))
        .chain(std::iter::once(
            sb.run_on(db, &["ledger", "export", "--format", "ledger"])
                .ok()
                .stdout,
        ))
        .collect()
}

/// Generates `deliveries` benchmark deliveries of `agreements` agreements in 2026 (with the
/// benchmark's generator, `bench/gen_bench_data.py`) into the sandbox: `agreements.json` and
/// `deliveries.csv`. Returns the CSV's header and rows.
pub fn generate(sb: &Sandbox, agreements: usize, deliveries: usize) -> (String, Vec<String>) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/gen_bench_data.py");
    let out = Command::new("python3")
        .arg(script)
        .args(["--agreements", &agreements.to_string()])
        .args(["--deliveries", &deliveries.to_string()])
        .arg("--out-agreements")
        .arg(sb.path("agreements.json"))
        .arg("--out-deliveries")
        .arg(sb.path("deliveries.csv"))
        .output()
        .expect("python3 runs the generator");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = read(&sb.path("deliveries.csv"));
    let mut lines = text.lines().map(str::to_string);
    let header = lines.next().expect("a header");
    (header, lines.collect())
}

/// The temporaries of Synergies' atomic writes left in `dir`.
pub fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".synergies-tmp-") || n.contains("partial"))
        .collect()
}

/// How many deliveries of the benchmark's agreements (`BENCH-…`) posted charges cover.
pub fn charged_bench_deliveries(sb: &Sandbox, db: &str) -> i64 {
    sb.json_on(db, &["charges", "list", "--json"])
        .as_array()
        .expect("charges")
        .iter()
        .filter(|c| str_field(c, "agreement").starts_with("BENCH-"))
        .map(|c| int_field(c, "deliveries"))
        .sum()
}

pub const IATI_SCHEMA: &str = "iati-activities-schema.xsd";

/// The directory of the IATI 2.03 schemas, or why there is none: `SYNERGIES_IATI_SCHEMAS`
/// (scripts/test sets it), else `shared/iati-2.03` beside or above the repository.
pub fn iati_schemas() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("SYNERGIES_IATI_SCHEMAS") {
        let dir = PathBuf::from(dir);
        // Set but wrong is a mistake to report, not a reason to look elsewhere.
        assert!(
            dir.join(IATI_SCHEMA).is_file(),
            "SYNERGIES_IATI_SCHEMAS={} has no {IATI_SCHEMA}",
            dir.display()
        );
        return Ok(dir);
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    repo.ancestors()
        .skip(1)
        .map(|a| a.join("shared").join("iati-2.03"))
        .find(|d| d.join(IATI_SCHEMA).is_file())
        .ok_or_else(|| {
            "the IATI 2.03 schemas were not found: set SYNERGIES_IATI_SCHEMAS to their directory \
             (scripts/test does) or put them in shared/iati-2.03 beside the repository"
                .to_string()
        })
}

/// Runs the test's requirement check: Ok, or fail under CI, or skip with the reason.
pub fn required<T>(what: Result<T, String>) -> Option<T> {
    match what {
        Ok(v) => Some(v),
        Err(why) if std::env::var("CI").is_ok_and(|v| v == "true") => panic!("{why}"),
        Err(why) => {
            eprintln!("SKIPPED (not under CI): {why}");
            None
        }
    }
}

pub fn xmllint() -> Result<(), String> {
    match Command::new("xmllint").arg("--version").output() {
        Ok(_) => Ok(()),
        Err(e) => Err(format!(
            "xmllint is not installed ({e}): Debian's libxml2-utils provides it"
        )),
    }
}

/// Writes the implementation report of MC-6/20 for 2026-2027 (planning 2028-2029) in `lang`
/// and `format` into the sandbox, dated `date` when given, and returns its path.
pub fn implementation_report(
    sb: &Sandbox,
    lang: &str,
    format: &str,
    date: Option<&str>,
) -> PathBuf {
    let out = sb.path(&format!("report-{lang}.{format}"));
    let mut args = vec![
        "report",
        "implementation",
        "--decision",
        "MC-6/20",
        "--biennium",
        "2026-2027",
        "--next",
        "2028-2029",
        "--lang",
        lang,
        "--format",
        format,
    ];
    if let Some(d) = date {
        args.extend(["--date", d]);
    }
    let path = out.to_str().unwrap().to_string();
    args.extend(["--out", &path]);
    sb.ok(&args);
    out
}

/// Checks `file` against the IATI 2.03 activity schema in `schemas` with xmllint.
pub fn assert_valid_iati(schemas: &Path, file: &Path) {
    let check = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schemas.join(IATI_SCHEMA))
        .arg(file)
        .output()
        .expect("run xmllint");
    assert!(
        check.status.success(),
        "xmllint refused the IATI file {}:\n{}",
        file.display(),
        String::from_utf8_lossy(&check.stderr)
    );
}

/// A `synergies serve` of a sandbox's database on a free port, stopped when dropped.
pub struct Server {
    pub child: std::process::Child,
    /// `127.0.0.1:PORT`
    pub addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sandbox {
    /// Serves the sandbox's database, its request log (standard error) going to `log`.
    pub fn serve(&self, log: std::process::Stdio) -> Server {
        use std::io::BufRead;
        let mut child = self
            .command()
            .args(["--db", &self.db, "serve", "--addr", "127.0.0.1:0"])
            .stdout(std::process::Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("serve starts");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("serve prints its address");
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_string();
        Server { child, addr }
    }
}
