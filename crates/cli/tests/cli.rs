//! End-to-end tests of the `synergies` command: the real binary, real SQLite files in
//! temporary directories.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{exports, int_field, read, str_field, Run, Sandbox};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------
// Help

/// Every top-level command.
const COMMANDS: &[&str] = &[
    "init",
    "demo",
    "serve",
    "framework",
    "agreements",
    "deliveries",
    "decisions",
    "mandates",
    "activities",
    "training",
    "taskforce",
    "close",
    "reopen",
    "charges",
    "ledger",
    "settle",
    "export",
    "allocate",
    "store",
    "report",
    "status",
];

/// The commands that have subcommands, and their subcommands.
const NESTED: &[(&str, &[&str])] = &[
    ("framework", &["load", "show"]),
    (
        "agreements",
        &[
            "list", "show", "link", "unlink", "import", "propose", "approve",
        ],
    ),
    ("deliveries", &["import", "accept", "dispute", "list"]),
    ("decisions", &["import", "list", "show", "update"]),
    ("mandates", &["list", "show", "update"]),
    (
        "activities",
        &["import", "list", "set-status", "update", "plan"],
    ),
    ("training", &["import", "list", "add-participant"]),
    (
        "taskforce",
        &["import", "show", "action", "add-meeting", "add-action"],
    ),
    ("charges", &["list"]),
    ("ledger", &["trial-balance", "check", "export"]),
    ("store", &["copy", "backup", "restore"]),
    ("report", &["implementation", "statement", "fund"]),
];

/// The `Commands:` section of a help text: (name, description), without clap's own `help`.
/// Descriptions wrapped over several lines are joined.
fn listed_commands(help: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = vec![];
    let mut in_section = false;
    for line in help.lines() {
        if line.trim_end() == "Commands:" {
            in_section = true;
            continue;
        }
        if !in_section {
            continue;
        }
        if line.trim().is_empty() || !line.starts_with(' ') {
            break;
        }
        if line.starts_with("  ") && !line.starts_with("   ") {
            let line = line.trim();
            let (name, desc) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            out.push((name.to_string(), desc.trim().to_string()));
        } else if let Some(last) = out.last_mut() {
            last.1.push(' ');
            last.1.push_str(line.trim());
        }
    }
    out.retain(|(name, _)| name != "help");
    out
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn help_of(sb: &Sandbox, path: &[&str]) -> Run {
    let mut args = path.to_vec();
    args.push("--help");
    let run = sb.run_raw(&args).ok();
    let usage = format!(
        "Usage: {}",
        squash(&format!("synergies {}", path.join(" ")))
    );
    assert!(
        run.stdout.contains(&usage),
        "`{}` does not show {usage:?}:\n{}",
        args.join(" "),
        run.stdout
    );
    run
}

fn names(list: &[(String, String)]) -> BTreeSet<&str> {
    list.iter().map(|(n, _)| n.as_str()).collect()
}

#[test]
fn top_level_help_lists_every_command() {
    let sb = Sandbox::new();
    let help = help_of(&sb, &[]);
    let listed = listed_commands(&help.stdout);
    assert_eq!(
        names(&listed),
        COMMANDS.iter().copied().collect::<BTreeSet<_>>(),
        "the top-level help lists other commands than this test knows; update COMMANDS"
    );
    for (name, desc) in &listed {
        assert!(!desc.is_empty(), "{name} has no description in --help");
    }
    // `-h` is the same help, and neither touches a database.
    let short = sb.run_raw(&["-h"]).ok();
    assert!(
        short.stdout.contains("Usage: synergies"),
        "{}",
        short.stdout
    );
    assert!(
        !sb.path("synergies.db").exists(),
        "--help created the default database"
    );
}

#[test]
fn top_level_help_states_the_purpose() {
    let sb = Sandbox::new();
    let help = help_of(&sb, &[]);
    assert!(
        help.stdout.contains("cost recovery"),
        "the top-level help does not say what synergies is for:\n{}",
        help.stdout
    );
}

#[test]
fn every_command_and_subcommand_has_help() {
    let sb = Sandbox::new();
    let top = listed_commands(&help_of(&sb, &[]).stdout);
    let nested: BTreeMap<&str, &[&str]> = NESTED.iter().copied().collect();
    for (cmd, desc) in &top {
        let help = help_of(&sb, &[cmd]).stdout;
        assert!(
            squash(&help).contains(&squash(desc)),
            "`synergies {cmd} --help` does not state its purpose {desc:?}:\n{help}"
        );
        let subs = listed_commands(&help);
        match nested.get(cmd.as_str()) {
            None => assert!(
                subs.is_empty(),
                "`synergies {cmd}` has subcommands {:?}: add them to NESTED",
                names(&subs)
            ),
            Some(expected) => {
                assert_eq!(
                    names(&subs),
                    expected.iter().copied().collect::<BTreeSet<_>>(),
                    "the subcommands of `synergies {cmd}` changed; update NESTED"
                );
                for (sub, sub_desc) in &subs {
                    assert!(!sub_desc.is_empty(), "{cmd} {sub} has no description");
                    let help = help_of(&sb, &[cmd, sub]).stdout;
                    assert!(
                        squash(&help).contains(&squash(sub_desc)),
                        "`synergies {cmd} {sub} --help` does not state its purpose \
                         {sub_desc:?}:\n{help}"
                    );
                    assert!(
                        listed_commands(&help).is_empty(),
                        "`synergies {cmd} {sub}` has subcommands this test does not know"
                    );
                }
            }
        }
    }
    // Every group this test knows is still there.
    for (cmd, _) in NESTED {
        assert!(COMMANDS.contains(cmd), "{cmd} is not a known command");
    }
}

#[test]
fn version_is_the_package_version() {
    let sb = Sandbox::new();
    let out = sb.run_raw(&["--version"]).ok();
    assert_eq!(
        out.stdout.trim(),
        format!("synergies {}", env!("CARGO_PKG_VERSION"))
    );
}

// ---------------------------------------------------------------------------------------------
// Database set-up

#[test]
fn init_creates_the_database_then_reports_it_up_to_date() {
    let sb = Sandbox::new();
    let file = sb.path("synergies.db");
    assert!(!file.exists());
    let first = sb.ok(&["init"]);
    assert!(file.exists(), "init did not create {}", file.display());
    let version = sb.json(&["status", "--json"])["schema_version"]
        .as_u64()
        .expect("schema_version");
    assert!(version >= 1);
    assert!(
        first.stdout.contains("migrated") && first.stdout.contains(&format!("to {version}")),
        "the first init should report the migration to version {version}: {}",
        first.stdout
    );
    let second = sb.ok(&["init"]);
    assert!(
        second.stdout.contains("up to date")
            && second.stdout.contains(&format!("schema version {version}")),
        "the second init should say the database is up to date: {}",
        second.stdout
    );
    let counts = sb.counts();
    assert!(
        counts.values().all(|n| *n == 0),
        "init should create empty tables: {counts:?}"
    );
}

#[test]
fn demo_seeds_once_and_the_ledger_checks() {
    let sb = Sandbox::new();
    let first = sb.ok(&["demo", "--no-serve"]);
    assert!(first.stdout.contains("Seeded the demo"), "{}", first.stdout);
    assert!(
        first.stdout.contains("Ledger check: passed"),
        "{}",
        first.stdout
    );
    let counts = sb.counts();
    for table in [
        "agreements",
        "deliveries",
        "closings",
        "charges",
        "journal_entries",
    ] {
        assert!(counts[table] > 0, "the demo left {table} empty: {counts:?}");
    }

    let check = sb.ok(&["ledger", "check"]);
    assert!(
        check.stdout.contains("Every invariant holds."),
        "{}",
        check.stdout
    );
    let check = sb.json(&["ledger", "check", "--json"]);
    assert_eq!(check["violations"], serde_json::json!([]), "{check:#}");
    assert_eq!(check["charges"].as_i64(), Some(counts["charges"]));
    assert_eq!(check["entries"].as_i64(), Some(counts["journal_entries"]));

    let again = sb.ok(&["demo", "--no-serve"]);
    assert!(
        again.stdout.contains("not seeded again"),
        "the second demo should say it did not seed: {}",
        again.stdout
    );
    assert_eq!(sb.counts(), counts, "the second demo changed the database");
    let again = sb.json(&["demo", "--no-serve", "--json"]);
    assert_eq!(again["demo"]["seeded"], Value::Bool(false), "{again:#}");
    assert_eq!(common::counts_of(&again["summary"]), counts);
    assert_eq!(sb.counts(), counts, "the third demo changed the database");
}

#[test]
fn synergies_db_is_used_without_db_and_db_wins_over_it() {
    let sb = Sandbox::new();
    let from_env = sb.url("from-env.db");
    let out = sb
        .command()
        .env("SYNERGIES_DB", &from_env)
        .args(["demo", "--no-serve"])
        .output()
        .expect("run");
    Run::from(vec!["demo".into(), "--no-serve".into()], out).ok();
    assert!(sb.path("from-env.db").exists(), "SYNERGIES_DB was ignored");
    assert!(
        !sb.path("synergies.db").exists(),
        "the default database was used despite SYNERGIES_DB"
    );
    let status = sb.run_on(&from_env, &["status", "--json"]).ok().json();
    assert!(common::counts_of(&status)["deliveries"] > 0);

    // An explicit --db beats the environment.
    let other = sb.url("other.db");
    let out = sb
        .command()
        .env("SYNERGIES_DB", &from_env)
        .args(["--db", &other, "init"])
        .output()
        .expect("run");
    Run::from(vec!["init".into()], out).ok();
    assert!(sb.path("other.db").exists(), "--db was ignored");
    let status = sb.run_on(&other, &["status", "--json"]).ok().json();
    assert_eq!(common::counts_of(&status)["deliveries"], 0);
}

// ---------------------------------------------------------------------------------------------
// Charges

fn charges(sb: &Sandbox, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["charges", "list", "--json"];
    args.extend_from_slice(extra);
    match sb.json(&args) {
        Value::Array(rows) => rows,
        other => panic!("charges list --json printed {other:#}"),
    }
}

/// What a charge is, apart from its identity and sequence.
fn charge_key(c: &Value) -> (String, String, String, String, String, i64, i64, i64, i64) {
    (
        str_field(c, "agreement"),
        str_field(c, "period"),
        str_field(c, "provider_fund"),
        str_field(c, "payer_fund"),
        str_field(c, "currency"),
        int_field(c, "direct_minor"),
        int_field(c, "psc_minor"),
        int_field(c, "total_minor"),
        int_field(c, "deliveries"),
    )
}

/// The trial balance that posting these charges must give: the payer's expense and payable, the
/// provider's receivable and income. Zero balances are left out.
fn expected_balances(charges: &[Value]) -> BTreeMap<(String, String, String), i64> {
    let mut tb: BTreeMap<(String, String, String), i64> = BTreeMap::new();
    for c in charges {
        assert_eq!(str_field(c, "status"), "posted", "{c}");
        let (payer, provider, cur) = (
            str_field(c, "payer_fund"),
            str_field(c, "provider_fund"),
            str_field(c, "currency"),
        );
        let (direct, psc, total) = (
            int_field(c, "direct_minor"),
            int_field(c, "psc_minor"),
            int_field(c, "total_minor"),
        );
        let mut add = |fund: &str, account: String, amount: i64| {
            *tb.entry((fund.to_string(), account, cur.clone()))
                .or_default() += amount;
        };
        add(&payer, "expenses:services-received".into(), total);
        add(&payer, format!("liabilities:payable:{provider}"), -total);
        add(&provider, format!("assets:receivable:{payer}"), total);
        add(&provider, "income:cost-recovery".into(), -direct);
        add(&provider, "income:psc".into(), -psc);
    }
    tb.retain(|_, v| *v != 0);
    tb
}

fn nonzero(
    mut tb: BTreeMap<(String, String, String), i64>,
) -> BTreeMap<(String, String, String), i64> {
    tb.retain(|_, v| *v != 0);
    tb
}

#[test]
fn charges_list_after_the_demo() {
    let sb = Sandbox::new();
    sb.demo();
    let all = charges(&sb, &[]);
    assert_eq!(
        all.len() as i64,
        sb.counts()["charges"],
        "one object per charge"
    );
    for c in &all {
        let agreement = str_field(c, "agreement");
        assert!(!agreement.is_empty());
        let period = str_field(c, "period");
        assert!(period.starts_with("2026-"), "{c}");
        let currency = str_field(c, "currency");
        assert!(
            currency.len() == 3 && currency.chars().all(|ch| ch.is_ascii_uppercase()),
            "{c}"
        );
        let (direct, psc, total) = (
            int_field(c, "direct_minor"),
            int_field(c, "psc_minor"),
            int_field(c, "total_minor"),
        );
        assert_eq!(total, direct + psc, "total != direct + psc in {c}");
        assert!(direct > 0 && psc >= 0, "{c}");
        let deliveries = int_field(c, "deliveries");
        assert!(deliveries > 0, "{c}");
        assert_eq!(str_field(c, "status"), "posted");

        // The count is that of the deliveries closed for that agreement in that period.
        let listed = sb.json(&[
            "deliveries",
            "list",
            "--agreement",
            &agreement,
            "--period",
            &period,
            "--json",
        ]);
        let closed = listed
            .as_array()
            .expect("deliveries list --json is an array")
            .iter()
            .filter(|d| !d["closing"].is_null())
            .count() as i64;
        assert_eq!(
            closed, deliveries,
            "{agreement} {period}: the charge counts {deliveries} deliveries, \
             `deliveries list` shows {closed} closed"
        );
    }

    // Filters narrow the list to exactly the matching charges.
    let agreement = str_field(&all[0], "agreement");
    let subset = |f: &dyn Fn(&Value) -> bool| -> Vec<Value> {
        all.iter().filter(|c| f(c)).cloned().collect()
    };
    let by_agreement = charges(&sb, &["--agreement", &agreement]);
    assert!(!by_agreement.is_empty() && by_agreement.len() < all.len());
    assert_eq!(
        by_agreement,
        subset(&|c| c["agreement"] == agreement.as_str())
    );

    let q1 = charges(&sb, &["--period", "2026-Q1"]);
    assert!(!q1.is_empty() && q1.len() < all.len());
    assert_eq!(q1, subset(&|c| c["period"] == "2026-Q1"));

    let both = charges(&sb, &["--agreement", &agreement, "--period", "2026-Q1"]);
    assert!(!both.is_empty() && both.len() < by_agreement.len());
    assert_eq!(
        both,
        subset(&|c| c["agreement"] == agreement.as_str() && c["period"] == "2026-Q1")
    );

    // The table lists the same charges.
    let table = sb.ok(&["charges", "list"]).stdout;
    assert_eq!(table.lines().count(), all.len() + 1, "{table}");

    // An unknown agreement is an error, not an empty list.
    let out = sb
        .run(&["charges", "list", "--agreement", "NO-SUCH", "--json"])
        .failed();
    assert!(
        out.stderr.contains("unknown agreement NO-SUCH"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty(), "{}", out.stdout);
}

#[test]
fn the_trial_balance_is_the_sum_of_the_charges() {
    let sb = Sandbox::new();
    sb.demo();
    let tb = sb.trial_balance();
    assert_eq!(nonzero(tb.clone()), expected_balances(&charges(&sb, &[])));
    // Double entry: every fund sums to zero in each currency.
    let mut per_fund: BTreeMap<(String, String), i64> = BTreeMap::new();
    for ((fund, _, cur), v) in &tb {
        *per_fund.entry((fund.clone(), cur.clone())).or_default() += v;
    }
    assert!(per_fund.values().all(|v| *v == 0), "{per_fund:?}");
    // --fund narrows to one fund.
    let (fund, _, _) = tb.keys().next().expect("a balance").clone();
    let one = sb.json(&["ledger", "trial-balance", "--fund", &fund, "--json"]);
    let rows = one.as_array().expect("array");
    assert_eq!(rows.len(), tb.keys().filter(|(f, _, _)| *f == fund).count());
    assert!(rows.iter().all(|r| r["fund"] == fund.as_str()), "{one:#}");
}

// ---------------------------------------------------------------------------------------------
// Closing and reopening

#[test]
fn close_is_idempotent_and_reopen_then_close_reposts_the_same_charges() {
    let sb = Sandbox::new();
    sb.demo();
    let all0 = charges(&sb, &[]);
    let tb0 = sb.trial_balance();
    let q1_0: Vec<Value> = all0
        .iter()
        .filter(|c| c["period"] == "2026-Q1")
        .cloned()
        .collect();
    assert!(!q1_0.is_empty());
    let ledger_counts = |sb: &Sandbox| -> Vec<i64> {
        let c = sb.counts();
        ["closings", "charges", "journal_entries", "postings"]
            .iter()
            .map(|t| c[*t])
            .collect()
    };
    let counts0 = ledger_counts(&sb);

    // Closing a closed period again posts nothing.
    let again = sb.json(&["close", "--period", "2026-Q1", "--json"]);
    assert_eq!(again["posted"], serde_json::json!([]), "{again:#}");
    let again = sb.ok(&["close", "--period", "2026-Q1"]);
    assert!(again.stdout.contains("nothing posted"), "{}", again.stdout);
    assert_eq!(charges(&sb, &[]), all0);
    assert_eq!(sb.trial_balance(), tb0);
    assert_eq!(ledger_counts(&sb), counts0);

    // Reopen: the Q1 charges are reversed.
    let reopened = sb.json(&["reopen", "--period", "2026-Q1", "--json"]);
    let q1_agreements: BTreeSet<String> = q1_0.iter().map(|c| str_field(c, "agreement")).collect();
    assert_eq!(
        reopened["reversed_closings"].as_array().map(Vec::len),
        Some(q1_agreements.len()),
        "{reopened:#}"
    );
    assert_eq!(
        reopened["reversal_entries"].as_u64(),
        Some(q1_0.len() as u64),
        "{reopened:#}"
    );
    sb.ok(&["ledger", "check"]);
    assert_eq!(charges(&sb, &["--period", "2026-Q1"]), Vec::<Value>::new());
    let rest = charges(&sb, &[]);
    assert_eq!(
        rest,
        all0.iter()
            .filter(|c| c["period"] != "2026-Q1")
            .cloned()
            .collect::<Vec<_>>(),
        "reopening Q1 touched other periods' charges"
    );
    assert_eq!(nonzero(sb.trial_balance()), expected_balances(&rest));
    let with_reversed = charges(&sb, &["--period", "2026-Q1", "--all"]);
    assert_eq!(with_reversed.len(), q1_0.len());
    for original in &q1_0 {
        let now = with_reversed
            .iter()
            .find(|c| c["id"] == original["id"])
            .unwrap_or_else(|| panic!("charge {} is gone from --all", original["id"]));
        assert_eq!(str_field(now, "status"), "reversed", "{now}");
        assert_eq!(charge_key(now), charge_key(original));
    }
    // Its deliveries are free to be corrected and closed again.
    let q1_deliveries = sb.json(&["deliveries", "list", "--period", "2026-Q1", "--json"]);
    let q1_deliveries = q1_deliveries.as_array().expect("array");
    assert!(!q1_deliveries.is_empty());
    assert!(
        q1_deliveries.iter().all(|d| d["closing"].is_null()),
        "reopened deliveries still belong to a closing"
    );

    // Close again: the same charges, as a second sequence.
    let closed = sb.json(&[
        "close",
        "--period",
        "2026-Q1",
        "--on",
        "2026-04-20",
        "--json",
    ]);
    assert_eq!(
        closed["posted"].as_array().map(Vec::len),
        Some(q1_agreements.len()),
        "{closed:#}"
    );
    sb.ok(&["ledger", "check"]);
    let q1_1 = charges(&sb, &["--period", "2026-Q1"]);
    let mut keys0: Vec<_> = q1_0.iter().map(charge_key).collect();
    let mut keys1: Vec<_> = q1_1.iter().map(charge_key).collect();
    keys0.sort();
    keys1.sort();
    assert_eq!(keys1, keys0, "the re-closed Q1 charges differ");
    for c in &q1_1 {
        assert_eq!(c["sequence"], 2, "{c}");
        assert_eq!(c["posted_on"], "2026-04-20", "{c}");
    }
    assert_eq!(sb.trial_balance(), tb0);
    assert_eq!(
        charges(&sb, &["--period", "2026-Q1", "--all"]).len(),
        2 * q1_0.len()
    );
}

// ---------------------------------------------------------------------------------------------
// Export and import

const IMPORT_HEADER: &str =
    "agreement,service,date,quantity,grade,expense_amount,expense_currency,description,external_id";

/// Table counts without the audit trail (which records every import attempt).
fn data_counts(sb: &Sandbox, db: &str) -> BTreeMap<String, i64> {
    let mut c = common::counts_of(&sb.run_on(db, &["status", "--json"]).ok().json());
    c.remove("audit_events");
    c
}

fn sorted_lines(s: &str) -> Vec<&str> {
    let mut v: Vec<&str> = s.lines().collect();
    v.sort_unstable();
    v
}

#[test]
fn exported_deliveries_reimport() {
    let sb = Sandbox::new();
    sb.demo();
    let n = sb.counts()["deliveries"];
    let out = sb.ok(&[
        "export",
        "deliveries",
        "--format",
        "csv",
        "--out",
        "deliveries.csv",
    ]);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    let csv = read(&sb.path("deliveries.csv"));
    assert_eq!(csv.lines().next(), Some(IMPORT_HEADER));
    assert_eq!(csv.lines().count() as i64, n + 1, "one line per delivery");
    let stdout = sb.ok(&["export", "deliveries", "--format", "csv"]).stdout;
    assert_eq!(stdout, csv, "--out and standard output differ");
    let leftovers: Vec<_> = std::fs::read_dir(sb.dir.path())
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // Into the same database: nothing new.
    let before = data_counts(&sb, &sb.db);
    let again = sb.ok(&["deliveries", "import", "deliveries.csv"]);
    assert!(
        again.stdout.contains(&format!(
            "{n} rows, 0 deliveries recorded, {n} already recorded with the same content"
        )),
        "{}",
        again.stdout
    );
    assert_eq!(data_counts(&sb, &sb.db), before);
    assert_eq!(sb.ok(&["export", "deliveries"]).stdout, csv);

    // Into a fresh database with the same framework and agreements: the same deliveries.
    let framework = sb.ok(&["framework", "show"]).stdout;
    std::fs::write(sb.path("framework.json"), framework).expect("write");
    sb.ok(&[
        "export",
        "agreements",
        "--format",
        "json",
        "--out",
        "agreements.json",
    ]);
    let fresh = sb.url("fresh.db");
    sb.run_on(&fresh, &["init"]).ok();
    sb.run_on(&fresh, &["framework", "load", "framework.json"])
        .ok();
    let agreements = sb.counts()["agreements"];
    let loaded = sb
        .run_on(&fresh, &["agreements", "import", "agreements.json"])
        .ok();
    assert!(
        loaded
            .stdout
            .contains(&format!("Loaded {agreements} agreements")),
        "{}",
        loaded.stdout
    );
    let fresh_counts = data_counts(&sb, &fresh);
    assert_eq!(fresh_counts["agreements"], agreements);
    assert_eq!(fresh_counts["deliveries"], 0);
    let imported = sb
        .run_on(&fresh, &["deliveries", "import", "deliveries.csv"])
        .ok();
    assert!(
        imported.stdout.contains(&format!(
            "{n} rows, {n} deliveries recorded, 0 already recorded"
        )),
        "{}",
        imported.stdout
    );
    assert_eq!(data_counts(&sb, &fresh)["deliveries"], n);
    let exported = sb.run_on(&fresh, &["export", "deliveries"]).ok().stdout;
    assert_eq!(sorted_lines(&exported), sorted_lines(&csv));
}

#[test]
fn a_changed_delivery_is_refused_with_its_line_and_nothing_is_written() {
    let sb = Sandbox::new();
    sb.demo();
    let before = sb.ok(&["export", "deliveries"]).stdout;
    let counts = data_counts(&sb, &sb.db);

    // Two unchanged rows, then one whose quantity differs (line 4 of the file).
    let rows: Vec<&str> = before
        .lines()
        .skip(1)
        .filter(|l| !l.contains('"'))
        .take(3)
        .collect();
    assert_eq!(rows.len(), 3);
    let mut fields: Vec<String> = rows[2].split(',').map(str::to_string).collect();
    assert_eq!(fields.len(), 9, "{}", rows[2]);
    let external_id = fields[8].clone();
    fields[3] = if fields[3] == "3" { "4" } else { "3" }.to_string();
    let file = format!(
        "{IMPORT_HEADER}\n{}\n{}\n{}\n",
        rows[0],
        rows[1],
        fields.join(",")
    );
    std::fs::write(sb.path("changed.csv"), file).expect("write");

    let out = sb.run(&["deliveries", "import", "changed.csv"]).failed();
    let issues: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("changed.csv:"))
        .filter(|l| {
            l.split(':')
                .nth(1)
                .is_some_and(|n| n.parse::<u32>().is_ok())
        })
        .collect();
    assert_eq!(issues.len(), 1, "one bad row expected:\n{}", out.stderr);
    assert!(
        issues[0].starts_with("changed.csv:4: external_id: ")
            && issues[0].contains(&external_id)
            && issues[0].contains("quantity"),
        "{}",
        issues[0]
    );
    assert!(out.stderr.contains("nothing was written"), "{}", out.stderr);

    assert_eq!(sb.ok(&["export", "deliveries"]).stdout, before);
    assert_eq!(data_counts(&sb, &sb.db), counts);
}

// ---------------------------------------------------------------------------------------------
// Allocation

const POOLS: &str = r#"[
  {"code": "ADMIN", "direct_minor": 100000,
   "usage": [{"receiver": "CONF", "weight": "0.2"},
             {"receiver": "MCGTF", "weight": "0.5"},
             {"receiver": "BC", "weight": "0.3"}]},
  {"code": "CONF", "direct_minor": 50001,
   "usage": [{"receiver": "ADMIN", "weight": "0.1"},
             {"receiver": "MCGTF", "weight": "0.6"},
             {"receiver": "BC", "weight": "0.3"}]}
]"#;

/// The final cost objects of an allocation, checked against its flows.
fn objects(allocation: &Value) -> BTreeMap<String, i64> {
    let objects: BTreeMap<String, i64> = allocation["objects"]
        .as_array()
        .unwrap_or_else(|| panic!("no objects in {allocation:#}"))
        .iter()
        .map(|p| {
            (
                p[0].as_str().expect("object").to_string(),
                p[1].as_i64().expect("amount"),
            )
        })
        .collect();
    let mut from_flows: BTreeMap<String, i64> = BTreeMap::new();
    for f in allocation["flows"].as_array().expect("flows") {
        *from_flows.entry(str_field(f, "object")).or_default() += int_field(f, "amount_minor");
    }
    assert_eq!(
        from_flows, objects,
        "the flows do not add up to the objects"
    );
    objects
}

#[test]
fn allocate_shares_out_exactly_the_direct_cost() {
    let sb = Sandbox::new();
    std::fs::write(sb.path("pools.json"), POOLS).expect("write");
    let total = 100000 + 50001;

    // Reciprocal: ADMIN = 100000 + 0.1 CONF and CONF = 50001 + 0.2 ADMIN, so ADMIN =
    // 107142.96..., CONF = 71429.59...; BC gets 0.3 of each (53571.77), MCGTF the rest.
    let reciprocal = sb.ok(&["allocate", "pools.json"]).json();
    let got = objects(&reciprocal);
    assert_eq!(got.values().sum::<i64>(), total);
    assert_eq!(
        got,
        BTreeMap::from([("BC".to_string(), 53572), ("MCGTF".to_string(), 96429)])
    );
    let explicit = sb
        .ok(&["allocate", "pools.json", "--method", "reciprocal"])
        .json();
    assert_eq!(explicit, reciprocal);

    // Step-down, ADMIN first: ADMIN's 100000 goes 20000 to CONF, 50000 to MCGTF, 30000 to BC;
    // CONF's 70001 then goes 2:1 to MCGTF and BC (not back to ADMIN).
    let step = sb
        .ok(&[
            "allocate",
            "pools.json",
            "--method",
            "step-down",
            "--order",
            "ADMIN,CONF",
        ])
        .json();
    let got = objects(&step);
    assert_eq!(got.values().sum::<i64>(), total);
    assert_eq!(
        got,
        BTreeMap::from([("BC".to_string(), 53334), ("MCGTF".to_string(), 96667)])
    );
    let reversed = sb
        .ok(&[
            "allocate",
            "pools.json",
            "--method",
            "step-down",
            "--order",
            "CONF,ADMIN",
        ])
        .json();
    let got_reversed = objects(&reversed);
    assert_eq!(got_reversed.values().sum::<i64>(), total);
    assert_ne!(got_reversed, got, "the step-down order should matter here");

    let out = sb
        .run(&["allocate", "pools.json", "--method", "step-down"])
        .failed();
    assert!(out.stderr.contains("--order"), "{}", out.stderr);
}

// ---------------------------------------------------------------------------------------------
// Bad usage

#[test]
fn a_bad_period_is_refused() {
    let sb = Sandbox::new();
    for period in ["2026-13", "2026-Q5", "Q1"] {
        let out = sb.run(&["close", "--period", period]).failed();
        assert!(
            out.stderr.contains(period) && out.stderr.contains("period"),
            "close --period {period}: {}",
            out.stderr
        );
    }
    let out = sb.run(&["reopen", "--period", "2026-13"]).failed();
    assert!(out.stderr.contains("2026-13"), "{}", out.stderr);
    assert!(
        !sb.path("synergies.db").exists(),
        "a refused command created the database"
    );
}

#[test]
fn a_missing_import_file_is_refused() {
    let sb = Sandbox::new();
    sb.ok(&["init"]);
    let out = sb.run(&["deliveries", "import", "missing.csv"]).failed();
    assert!(
        out.stderr.contains("missing.csv") && out.stderr.contains("cannot read"),
        "{}",
        out.stderr
    );
    assert_eq!(sb.counts()["deliveries"], 0);
}

#[test]
fn an_unsupported_database_url_is_refused() {
    let sb = Sandbox::new();
    for args in [&["status"][..], &["init"][..], &["demo", "--no-serve"][..]] {
        let out = sb.run_on("foo://x", args).failed();
        assert!(
            out.stderr.contains("foo://x") && out.stderr.contains("unsupported database URL"),
            "{args:?}: {}",
            out.stderr
        );
    }
    let entries = std::fs::read_dir(sb.dir.path()).expect("dir").count();
    assert_eq!(entries, 0, "a refused URL left files behind");
}

#[test]
fn reopen_refuses_an_unknown_agreement() {
    let sb = Sandbox::new();
    sb.demo();
    let out = sb
        .run(&["reopen", "--period", "2026-Q1", "--agreement", "NO-SUCH"])
        .failed();
    assert!(
        out.stderr.contains("unknown agreement NO-SUCH"),
        "{}",
        out.stderr
    );
}

#[test]
fn close_refuses_an_unknown_agreement() {
    let sb = Sandbox::new();
    sb.demo();
    let counts = data_counts(&sb, &sb.db);
    let out = sb
        .run(&["close", "--period", "2026-Q1", "--agreement", "NO-SUCH"])
        .failed();
    assert!(out.stderr.contains("NO-SUCH"), "{}", out.stderr);
    assert_eq!(data_counts(&sb, &sb.db), counts);
}

// ---------------------------------------------------------------------------------------------
// Every export

#[test]
fn every_dataset_exports_in_every_format() {
    let sb = Sandbox::new();
    sb.demo();
    let counts = sb.counts();
    for dataset in ["rates", "fx", "deliveries", "agreements", "charges"] {
        let csv = sb.ok(&["export", dataset, "--format", "csv"]).stdout;
        assert!(
            csv.lines().count() >= 2,
            "export {dataset} --format csv has no rows:\n{csv}"
        );
        let json = sb.json(&["export", dataset, "--format", "json"]);
        assert!(
            json.is_array() || json.is_object(),
            "export {dataset} --format json: {json}"
        );
    }
    // Charges, reversed ones included, one row each.
    sb.ok(&["reopen", "--period", "2026-Q4"]);
    let all = charges(&sb, &["--all"]);
    assert_eq!(all.len() as i64, counts["charges"]);
    let json = sb.json(&["export", "charges", "--format", "json"]);
    assert_eq!(json.as_array().map(Vec::len), Some(all.len()));
    let csv = sb.ok(&["export", "charges", "--format", "csv"]).stdout;
    assert_eq!(csv.lines().count(), all.len() + 1, "{csv}");
}

#[test]
fn the_charges_csv_has_its_header_even_when_empty() {
    let sb = Sandbox::new();
    sb.demo();
    let full = sb.ok(&["export", "charges", "--format", "csv"]).stdout;
    let header = full.lines().next().expect("a header").to_string();
    assert!(
        header.contains("agreement") && header.contains("total_minor"),
        "{header}"
    );
    let empty = sb.url("empty.db");
    sb.run_on(&empty, &["init"]).ok();
    let out = sb
        .run_on(&empty, &["export", "charges", "--format", "csv"])
        .ok();
    assert_eq!(out.stdout.lines().collect::<Vec<_>>(), [header.as_str()]);
}

#[test]
fn settlement_clears_what_a_fund_owes_and_keeps_the_ledger_sound() {
    let sb = Sandbox::new();
    sb.demo();
    let owed = |tb: &Value| -> i64 {
        tb.as_array()
            .unwrap()
            .iter()
            .filter(|r| r["fund"] == "BC" && r["account"] == "liabilities:payable:MCGTF")
            .map(|r| -r["balance_minor"].as_i64().unwrap())
            .sum()
    };
    let before = owed(&sb.json(&["ledger", "trial-balance", "--json"]));
    assert!(before > 10_000, "the demo leaves BC owing MCGTF");
    let report = sb.json(&[
        "settle",
        "--payer-fund",
        "BC",
        "--provider-fund",
        "MCGTF",
        "--amount",
        "100.00",
        "--currency",
        "USD",
        "--reference",
        "TRF-1",
        "--on",
        "2027-01-20",
        "--json",
    ]);
    assert_eq!(
        report["outstanding_minor"].as_i64().unwrap(),
        before - 10_000
    );
    let tb = sb.json(&["ledger", "trial-balance", "--json"]);
    assert_eq!(owed(&tb), before - 10_000);
    let cash = |fund: &str| -> i64 {
        tb.as_array()
            .unwrap()
            .iter()
            .filter(|r| r["fund"] == fund && r["account"] == "assets:cash")
            .map(|r| r["balance_minor"].as_i64().unwrap())
            .sum()
    };
    assert_eq!((cash("MCGTF"), cash("BC")), (10_000, -10_000));
    sb.ok(&["ledger", "check"]);

    // The same reference again, and an overpayment, are refused and change nothing.
    let again = sb.run(&[
        "settle",
        "--payer-fund",
        "BC",
        "--provider-fund",
        "MCGTF",
        "--amount",
        "100.00",
        "--reference",
        "TRF-1",
    ]);
    let again = again.failed();
    assert!(again.stderr.contains("already settled"), "{}", again.stderr);
    let over = sb.run(&[
        "settle",
        "--payer-fund",
        "BC",
        "--provider-fund",
        "MCGTF",
        "--amount",
        "99999999.00",
        "--reference",
        "TRF-2",
    ]);
    let over = over.failed();
    assert!(over.stderr.contains("would overpay"), "{}", over.stderr);
    assert_eq!(sb.json(&["ledger", "trial-balance", "--json"]), tb);
}

#[test]
fn store_copy_backup_and_restore_keep_every_record() {
    let sb = Sandbox::new();
    sb.demo();
    sb.ok(&["reopen", "--period", "2026-Q4"]);
    sb.ok(&["close", "--period", "2026-Q4"]);
    let exports = |db: &str| exports(&sb, db);
    let original = exports(&sb.db);

    let copy = sb.url("copy.db");
    let report = sb
        .run_raw(&["store", "copy", "--from", &sb.db, "--to", &copy, "--json"])
        .ok()
        .json();
    assert_eq!(
        report["same_trial_balance"],
        Value::Bool(true),
        "{report:#}"
    );
    assert_eq!(exports(&copy), original);
    // A second copy into the same (now full) target is refused; --overwrite replaces.
    let again = sb
        .run_raw(&["store", "copy", "--from", &sb.db, "--to", &copy])
        .failed();
    assert!(again.stderr.contains("not empty"), "{}", again.stderr);
    sb.run_raw(&[
        "store",
        "copy",
        "--from",
        &sb.db,
        "--to",
        &copy,
        "--overwrite",
    ])
    .ok();
    assert_eq!(exports(&copy), original);

    let file = sb.path("demo.backup");
    sb.ok(&["store", "backup", "--out", file.to_str().unwrap()]);
    let restored = sb.url("restored.db");
    sb.run_on(&restored, &["store", "restore", file.to_str().unwrap()])
        .ok();
    assert_eq!(exports(&restored), original);
    sb.run_on(&restored, &["ledger", "check"]).ok();
    // Restoring into a database with data is refused and changes nothing.
    let refused = sb
        .run_on(&restored, &["store", "restore", file.to_str().unwrap()])
        .failed();
    assert!(refused.stderr.contains("not empty"), "{}", refused.stderr);
    assert_eq!(exports(&restored), original);
    // Not a backup: a clear error.
    std::fs::write(sb.path("junk.backup"), "hello\n").unwrap();
    let junk = sb
        .run_on(
            &sb.url("other.db"),
            &["store", "restore", sb.path("junk.backup").to_str().unwrap()],
        )
        .failed();
    assert!(
        junk.stderr.contains("not a Synergies backup"),
        "{}",
        junk.stderr
    );
}

#[test]
fn decisions_are_read_from_their_text_and_recorded() {
    let sb = Sandbox::new();
    sb.demo();
    // The demo records MC-6/20 from its French text.
    let list = sb.json(&["decisions", "list", "--json"]);
    assert_eq!(list[0]["number"], "MC-6/20");
    assert_eq!(list[0]["language"], "fr");
    let shown = sb.json(&["decisions", "show", "MC-6/20"]);
    assert_eq!(shown["meeting"], 6);
    assert_eq!(shown["operative"].as_array().unwrap().len(), 4);

    // The English text, imported with --json, prints what was understood.
    let en = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../domain/tests/fixtures/MC-6-20.en.txt"
    );
    let parsed = sb.json(&["decisions", "import", en, "--lang", "en", "--json"]);
    assert_eq!(parsed["number"], "MC-6/20");
    assert_eq!(parsed["language"], "en");
    let verbs: Vec<Value> = parsed["operative"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["verbs"].clone())
        .collect();
    assert_eq!(
        serde_json::to_string(&verbs).unwrap(),
        r#"[["takes_note"],["reaffirms"],["welcomes","requests"],["requests"]]"#
    );
    assert_eq!(
        sb.json(&["decisions", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // A text that is not a decision is refused and nothing is recorded.
    std::fs::write(
        sb.path("notes.txt"),
        "Minutes of the task force, 3 March 2026.\n",
    )
    .unwrap();
    let before = sb.counts();
    let refused = sb
        .run(&[
            "decisions",
            "import",
            sb.path("notes.txt").to_str().unwrap(),
        ])
        .failed();
    assert!(
        refused.stderr.contains("not a decision"),
        "{}",
        refused.stderr
    );
    assert_eq!(sb.counts(), before);
}

#[test]
fn mandates_are_tracked_with_dated_notes() {
    let sb = Sandbox::new();
    sb.demo();
    let list = sb.json(&["mandates", "list", "--decision", "MC-6/20", "--json"]);
    let rows = list.as_array().unwrap();
    let paragraphs: Vec<&str> = rows
        .iter()
        .map(|m| m["paragraph"].as_str().unwrap())
        .collect();
    assert_eq!(paragraphs, ["1", "2", "3", "4(a)", "4(b)", "4(c)"]);
    assert_eq!(rows[5]["deliverable"], "report");
    assert_eq!(rows[5]["due_meeting"], 7);
    sb.ok(&[
        "mandates",
        "update",
        "MC-6/20",
        "4(c)",
        "--status",
        "implemented",
        "--note",
        "Report submitted to the seventh meeting",
        "--on",
        "2027-06-01",
        "--by",
        "mc.officer",
    ]);
    let after = sb.json(&["mandates", "list", "--json"]);
    assert_eq!(after[5]["status"], "implemented");
    // A note is required, and an unknown paragraph is refused.
    let no_note = sb
        .run(&[
            "mandates",
            "update",
            "MC-6/20",
            "3",
            "--status",
            "implemented",
            "--note",
            " ",
        ])
        .failed();
    assert!(
        no_note.stderr.contains("needs a note"),
        "{}",
        no_note.stderr
    );
    let unknown = sb
        .run(&[
            "mandates",
            "update",
            "MC-6/20",
            "9",
            "--status",
            "implemented",
            "--note",
            "x",
        ])
        .failed();
    assert!(
        unknown.stderr.contains("no mandate 9 of MC-6/20"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn activities_are_planned_into_the_next_biennium_at_its_rates() {
    let sb = Sandbox::new();
    sb.demo();
    // The demo's continuing activities are carried into 2028-2029 and re-priced.
    let now = sb.json(&["activities", "list", "--biennium", "2026-2027", "--json"]);
    let next = sb.json(&["activities", "list", "--biennium", "2028-2029", "--json"]);
    assert_eq!(now.as_array().unwrap().len(), 3);
    let codes: Vec<&str> = next
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["activity"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["COOP-LEGAL", "COOP-TRAIN"]);
    // 12 P-4 staff-days of MC in the joint training: 12 × the 2028-2029 MC P-4 rate
    // (931.50 × 1.04 = 968.76), with 27,000.00 non-staff costs.
    let train = &next[1]["costs"];
    let mc = train
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["organisation"] == "MC")
        .unwrap();
    assert_eq!(mc["staff_minor"], 12 * 96_876);
    assert_eq!(mc["total_minor"], 12 * 96_876 + 2_700_000);
    // Planning again replaces the same plan; the scenarios compare both levels.
    let plan = sb.json(&[
        "activities",
        "plan",
        "--from",
        "2026-2027",
        "--to",
        "2028-2029",
        "--json",
    ]);
    let (current, projected) = (
        plan["scenarios"]["total"][0].as_i64().unwrap(),
        plan["scenarios"]["total"][1].as_i64().unwrap(),
    );
    assert!(projected > current, "{plan:#}");
    assert_eq!(
        sb.json(&["activities", "list", "--biennium", "2028-2029", "--json"]),
        next
    );
    // An activity naming an unknown grade is refused with a clear error.
    let bad = r#"[{"code":"X","biennium":"2026-2027","title_en":"x","title_fr":"x",
        "category":"training","lead":"MC","contributions":[{"organisation":"MC","fund":"MCGTF",
        "staff":[{"grade":"Z-9","days":"1"}]}],"funding":"unfunded","status":"planned"}]"#;
    std::fs::write(sb.path("bad.json"), bad).unwrap();
    let refused = sb
        .run(&[
            "activities",
            "import",
            sb.path("bad.json").to_str().unwrap(),
        ])
        .failed();
    assert!(refused.stderr.contains("Z-9"), "{}", refused.stderr);
}

#[test]
fn training_events_and_the_task_force_are_recorded_and_changed() {
    let sb = Sandbox::new();
    sb.demo();
    let events = sb.json(&["training", "list", "--json"]);
    let event = &events[0];
    assert_eq!(event["event"]["agreement"], "JOINT-TRAIN-2026");
    let counts = event["participants_by_region_and_gender"]
        .as_array()
        .unwrap();
    let total: i64 = counts
        .iter()
        .map(|c| c["participants"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 10);
    let tf = sb.json(&["taskforce", "show", "--json"]);
    assert_eq!(tf["meetings"].as_array().unwrap().len(), 2);
    assert_eq!(tf["action_items"][1]["status"], "open");
    sb.ok(&[
        "taskforce",
        "action",
        "AI-2",
        "--status",
        "done",
        "--by",
        "taskforce",
    ]);
    assert_eq!(
        sb.json(&["taskforce", "show", "--json"])["action_items"][1]["status"],
        "done"
    );
    sb.run(&["taskforce", "action", "AI-9", "--status", "done"])
        .failed();
    // A new event with a country that is not an ISO code is refused, nothing recorded.
    let mut bad = event["event"].clone();
    bad["code"] = Value::from("TRAIN-X");
    bad["participants"][0]["country"] = Value::from("Kenya");
    std::fs::write(sb.path("bad.json"), serde_json::to_string(&[bad]).unwrap()).unwrap();
    let refused = sb
        .run(&["training", "import", sb.path("bad.json").to_str().unwrap()])
        .failed();
    assert!(refused.stderr.contains("ISO 3166"), "{}", refused.stderr);
    assert_eq!(
        sb.json(&["training", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

// ---------------------------------------------------------------------------------------------
// Decision standing, links from agreements to mandates, actual costs, changes from the CLI

/// The sum of the posted charges of `agreement` (all periods), per payer organisation.
fn charged_by_payer(sb: &Sandbox, agreement: &str) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for c in charges(sb, &["--agreement", agreement]) {
        *out.entry(c["payer_organisation"].as_str().unwrap().to_string())
            .or_insert(0) += c["total_minor"].as_i64().unwrap();
    }
    out
}

fn activity<'a>(list: &'a Value, code: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|p| p["activity"]["code"] == code)
        .unwrap_or_else(|| panic!("no activity {code} in {list:#}"))
}

#[test]
fn decisions_have_a_type_a_meeting_a_status_and_an_adoption_date() {
    let sb = Sandbox::new();
    sb.demo();
    let list = sb.json(&["decisions", "list", "--json"]);
    let d = &list[0];
    assert_eq!(
        (
            &d["type"],
            &d["body"],
            &d["meeting"],
            &d["status"],
            &d["adopted_on"]
        ),
        (
            &json!("decision"),
            &json!("cop"),
            &json!(6),
            &json!("adopted"),
            &json!("2025-11-07")
        ),
        "{d:#}"
    );
    let shown = sb.json(&["decisions", "show", "MC-6/20"]);
    assert_eq!(shown["status"], "adopted");
    assert_eq!(shown["adopted_on"], "2025-11-07");
    let text = sb.ok(&["decisions", "list"]).stdout;
    assert!(
        text.contains("COP-6 adopted (adopted on 2025-11-07)"),
        "{text}"
    );

    // A change of status keeps the adoption date unless a new one is given.
    let out = sb
        .ok(&["decisions", "update", "MC-6/20", "--status", "in_force"])
        .stdout;
    assert!(out.contains("in_force (adopted on 2025-11-07)"), "{out}");
    // The English text, imported with a status and a date, sets them for both languages.
    let en = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../domain/tests/fixtures/MC-6-20.en.txt"
    );
    sb.ok(&[
        "decisions",
        "import",
        en,
        "--lang",
        "en",
        "--status",
        "superseded",
        "--adopted",
        "2025-11-06",
    ]);
    let list = sb.json(&["decisions", "list", "--json"]);
    for d in list.as_array().unwrap() {
        assert_eq!(d["status"], "superseded", "{d:#}");
        assert_eq!(d["adopted_on"], "2025-11-06", "{d:#}");
    }
    // Importing again without them keeps what is recorded.
    sb.ok(&["decisions", "import", en, "--lang", "en"]);
    let standing: Vec<(Value, Value)> = sb
        .json(&["decisions", "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["status"].clone(), d["adopted_on"].clone()))
        .collect();
    assert_eq!(
        standing,
        vec![(json!("superseded"), json!("2025-11-06")); 2],
        "a re-import without --status or --adopted keeps the recorded standing"
    );

    // Bad input is refused with a clear error, and nothing changes.
    let before = sb.counts();
    let unknown = sb
        .run(&["decisions", "update", "MC-9/99", "--status", "revoked"])
        .failed();
    assert!(
        unknown.stderr.contains("no decision MC-9/99"),
        "{}",
        unknown.stderr
    );
    let bad_status = sb
        .run(&["decisions", "update", "MC-6/20", "--status", "repealed"])
        .failed();
    assert!(
        bad_status.stderr.contains("in_force"),
        "{}",
        bad_status.stderr
    );
    sb.run(&[
        "decisions",
        "update",
        "MC-6/20",
        "--status",
        "revoked",
        "--adopted",
        "2025-13-01",
    ])
    .failed();
    assert_eq!(sb.counts(), before);
    assert_eq!(
        sb.json(&["decisions", "list", "--json"])[0]["status"],
        "superseded"
    );
}

#[test]
fn agreements_are_linked_to_the_mandates_they_serve() {
    let sb = Sandbox::new();
    sb.demo();
    // The demo links its agreements to paragraphs of MC-6/20.
    let shown = sb.json(&["agreements", "show", "JOINT-TRAIN-2026"]);
    assert_eq!(shown["mandates"], json!(["MC-6/20 3"]));
    let list = sb.json(&["mandates", "list", "--decision", "MC-6/20", "--json"]);
    let of = |list: &Value, paragraph: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|m| m["paragraph"] == paragraph)
            .unwrap()
            .clone()
    };
    assert_eq!(
        of(&list, "4(b)")["agreements"],
        json!([
            "BRS-MC-2026-01",
            "BRS-MC-2026-02",
            "MC-BRS-2026-01",
            "MC-BRS-2026-02"
        ])
    );
    assert_eq!(of(&list, "4(c)")["agreements"], json!([]));
    assert_eq!(
        of(&list, "3")["activities"],
        json!(["2026-2027/COOP-TRAIN", "2028-2029/COOP-TRAIN"])
    );

    // Link, link again (nothing changes), show, unlink.
    sb.ok(&[
        "agreements",
        "link",
        "BRS-MC-2026-01",
        "--mandate",
        "MC-6/20 4(c)",
    ]);
    let again = sb
        .ok(&[
            "agreements",
            "link",
            "BRS-MC-2026-01",
            "--mandate",
            "MC-6/20 4(c)",
        ])
        .stdout;
    assert!(again.contains("nothing changed"), "{again}");
    let m = sb.json(&["mandates", "show", "MC-6/20", "4(c)", "--json"]);
    assert_eq!(m["mandate"]["agreements"], json!(["BRS-MC-2026-01"]));
    assert_eq!(m["mandate"]["due_meeting"], 7);
    assert_eq!(
        sb.json(&["agreements", "show", "BRS-MC-2026-01"])["mandates"],
        json!(["MC-6/20 4(b)", "MC-6/20 4(c)"])
    );
    sb.ok(&[
        "agreements",
        "unlink",
        "BRS-MC-2026-01",
        "--mandate",
        "MC-6/20 4(c)",
    ]);
    assert_eq!(
        sb.json(&["mandates", "show", "MC-6/20", "4(c)", "--json"])["mandate"]["agreements"],
        json!([])
    );

    // Unknown agreements and mandates, and what is not a mandate, are refused; nothing changes.
    let before = sb.counts();
    let refusals = [
        (
            vec!["agreements", "link", "NO-SUCH", "--mandate", "MC-6/20 3"],
            "unknown agreement NO-SUCH",
        ),
        (
            vec![
                "agreements",
                "link",
                "BRS-MC-2026-01",
                "--mandate",
                "MC-6/20 9",
            ],
            "no mandate 9 of MC-6/20",
        ),
        (
            vec![
                "agreements",
                "link",
                "BRS-MC-2026-01",
                "--mandate",
                "MC-9/1 1",
            ],
            "no mandate 1 of MC-9/1",
        ),
        (
            vec![
                "agreements",
                "link",
                "BRS-MC-2026-01",
                "--mandate",
                "MC-6/20",
            ],
            "does not name a mandate",
        ),
        (
            vec![
                "agreements",
                "unlink",
                "BRS-MC-2026-01",
                "--mandate",
                "MC-6/20 4(c)",
            ],
            "is not linked to MC-6/20 4(c)",
        ),
        (
            vec!["mandates", "show", "MC-6/20", "7"],
            "no mandate 7 of MC-6/20",
        ),
    ];
    for (args, message) in refusals {
        let refused = sb.run(&args).failed();
        assert!(
            refused.stderr.contains(message),
            "{args:?}: expected {message:?} in {}",
            refused.stderr
        );
    }
    assert_eq!(sb.counts(), before);
}

#[test]
fn activities_show_their_actual_cost_from_the_ledger() {
    let sb = Sandbox::new();
    sb.demo();
    let list = sb.json(&["activities", "list", "--biennium", "2026-2027", "--json"]);
    // The joint training is carried by JOINT-TRAIN-2026: its actual cost is what that
    // agreement charged, per payer, to the cent.
    let train = activity(&list, "COOP-TRAIN");
    let charged = charged_by_payer(&sb, "JOINT-TRAIN-2026");
    assert!(!charged.is_empty());
    let total: i64 = charged.values().sum();
    assert_eq!(train["actual_minor"], total, "{train:#}");
    for line in train["by_organisation"].as_array().unwrap() {
        let org = line["organisation"].as_str().unwrap();
        assert_eq!(
            line["actual_minor"].as_i64().unwrap(),
            charged.get(org).copied().unwrap_or(0),
            "{org}"
        );
    }
    let estimated: i64 = train["costs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["total_minor"].as_i64().unwrap())
        .sum();
    assert_eq!(train["estimated_minor"], estimated);
    // An activity that no agreement carries has no actual cost; one whose agreement has not
    // charged anything yet has zero.
    assert_eq!(activity(&list, "COOP-REPORT")["actual_minor"], Value::Null);
    assert_eq!(activity(&list, "COOP-LEGAL")["actual_minor"], 0);
    let text = sb
        .ok(&["activities", "list", "--biennium", "2026-2027"])
        .stdout;
    assert!(
        text.contains("estimated") && text.contains("actual"),
        "{text}"
    );

    // Linking an agreement from the CLI brings its charges in.
    sb.ok(&[
        "activities",
        "update",
        "COOP-REPORT",
        "--add-agreement",
        "MC-BRS-2026-01",
    ]);
    let list = sb.json(&["activities", "list", "--biennium", "2026-2027", "--json"]);
    let report = activity(&list, "COOP-REPORT");
    assert_eq!(
        report["actual_minor"],
        charged_by_payer(&sb, "MC-BRS-2026-01")
            .values()
            .sum::<i64>()
    );

    // A reversed charge is no longer a cost.
    let first = &charges(&sb, &["--agreement", "JOINT-TRAIN-2026"])[0];
    let period = first["period"].as_str().unwrap().to_string();
    let in_period: i64 = charges(
        &sb,
        &["--agreement", "JOINT-TRAIN-2026", "--period", &period],
    )
    .iter()
    .map(|c| c["total_minor"].as_i64().unwrap())
    .sum();
    sb.ok(&[
        "reopen",
        "--period",
        &period,
        "--agreement",
        "JOINT-TRAIN-2026",
    ]);
    let list = sb.json(&["activities", "list", "--biennium", "2026-2027", "--json"]);
    assert_eq!(
        activity(&list, "COOP-TRAIN")["actual_minor"],
        total - in_period
    );

    // The plan tells what was charged so far under the carried activities' agreements.
    let plan = sb.json(&[
        "activities",
        "plan",
        "--from",
        "2026-2027",
        "--to",
        "2028-2029",
        "--json",
    ]);
    let so_far: i64 = plan["current_actual"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_i64().unwrap())
        .sum();
    assert_eq!(so_far, total - in_period);

    // An agreement of another biennium, or an unknown one, is refused.
    let refused = sb
        .run(&[
            "activities",
            "update",
            "COOP-TRAIN",
            "--biennium",
            "2028-2029",
            "--add-agreement",
            "JOINT-TRAIN-2026",
        ])
        .failed();
    assert!(
        refused
            .stderr
            .contains("of the biennium 2026-2027, not 2028-2029"),
        "{}",
        refused.stderr
    );
    let refused = sb
        .run(&[
            "activities",
            "update",
            "COOP-REPORT",
            "--add-agreement",
            "NO-SUCH",
        ])
        .failed();
    assert!(
        refused.stderr.contains("unknown agreement NO-SUCH"),
        "{}",
        refused.stderr
    );
}

#[test]
fn activities_are_changed_from_the_cli() {
    let sb = Sandbox::new();
    sb.demo();
    // COOP-TRAIN is recorded in both biennia: the biennium must be given.
    let before = sb.counts();
    let ambiguous = sb
        .run(&[
            "activities",
            "set-status",
            "COOP-TRAIN",
            "--status",
            "completed",
        ])
        .failed();
    assert!(
        ambiguous
            .stderr
            .contains("2026-2027 and 2028-2029: give --biennium"),
        "{}",
        ambiguous.stderr
    );
    assert_eq!(sb.counts(), before);
    sb.ok(&[
        "activities",
        "set-status",
        "COOP-TRAIN",
        "--biennium",
        "2026-2027",
        "--status",
        "completed",
    ]);
    sb.ok(&[
        "activities",
        "set-status",
        "COOP-REPORT",
        "--status",
        "postponed",
    ]);
    let updated = sb.json(&[
        "activities",
        "update",
        "COOP-LEGAL",
        "--biennium",
        "2026-2027",
        "--funding",
        "voluntary_funding",
        "--continues",
        "false",
        "--add-output",
        "Guidance note on mercury wastes",
        "--add-mandate",
        "MC-6/20 4(c)",
        "--json",
    ]);
    assert_eq!(updated["funding"], "voluntary_funding");
    assert_eq!(updated["continues"], false);
    assert_eq!(
        updated["outputs"],
        json!(["Guidance note on mercury wastes"])
    );
    assert_eq!(
        updated["mandates"],
        json!(["MC-6/20 4(a)", "MC-6/20 4(b)", "MC-6/20 4(c)"])
    );
    let list = sb.json(&["activities", "list", "--biennium", "2026-2027", "--json"]);
    assert_eq!(
        activity(&list, "COOP-TRAIN")["activity"]["status"],
        "completed"
    );
    assert_eq!(
        activity(&list, "COOP-REPORT")["activity"]["status"],
        "postponed"
    );
    assert_eq!(activity(&list, "COOP-LEGAL")["activity"], updated);
    let next = sb.json(&["activities", "list", "--biennium", "2028-2029", "--json"]);
    assert_eq!(
        activity(&next, "COOP-TRAIN")["activity"]["status"],
        "planned",
        "the other biennium's record is untouched"
    );

    // Bad changes are refused whole: nothing is written, not even the valid part.
    let before = sb.counts();
    let refusals = [
        (
            vec![
                "activities",
                "update",
                "COOP-REPORT",
                "--status",
                "ongoing",
                "--remove-output",
                "nothing like it",
            ],
            "has no output \"nothing like it\"",
        ),
        (
            vec![
                "activities",
                "update",
                "COOP-REPORT",
                "--add-mandate",
                "MC-6/20 9",
            ],
            "no mandate 9 of MC-6/20",
        ),
        (
            vec!["activities", "update", "COOP-REPORT"],
            "nothing to change",
        ),
        (
            vec!["activities", "set-status", "NOPE", "--status", "planned"],
            "no activity NOPE",
        ),
        (
            vec![
                "activities",
                "set-status",
                "COOP-REPORT",
                "--status",
                "done",
            ],
            "possible values",
        ),
    ];
    for (args, message) in refusals {
        let refused = sb.run(&args).failed();
        assert!(
            refused.stderr.contains(message),
            "{args:?}: expected {message:?} in {}",
            refused.stderr
        );
    }
    assert_eq!(sb.counts(), before);
    assert_eq!(
        activity(
            &sb.json(&["activities", "list", "--biennium", "2026-2027", "--json"]),
            "COOP-REPORT"
        )["activity"]["status"],
        "postponed"
    );
}

#[test]
fn training_participants_and_task_force_records_are_added_from_the_cli() {
    let sb = Sandbox::new();
    sb.demo();
    sb.ok(&[
        "training",
        "add-participant",
        "TRAIN-2026-GVA",
        "--country",
        "BR",
        "--region",
        "latin_american_caribbean",
        "--gender",
        "female",
        "--role",
        "chair",
    ]);
    let events = sb.json(&["training", "list", "--json"]);
    let participants = events[0]["event"]["participants"].as_array().unwrap();
    assert_eq!(participants.len(), 11);
    assert_eq!(participants[10]["country"], "BR");
    let latin_women = events[0]["participants_by_region_and_gender"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["region"] == "latin_american_caribbean" && c["gender"] == "female")
        .unwrap()["participants"]
        .clone();
    assert_eq!(latin_women, 3);

    sb.ok(&[
        "taskforce",
        "add-meeting",
        "TF-2027-1",
        "--date",
        "2027-02-10",
        "--attendee",
        "MC",
        "--attendee",
        "CHB",
        "--minutes",
        "Reviewed the 2026 training and the 2027 plan.",
    ]);
    sb.ok(&[
        "taskforce",
        "add-action",
        "AI-4",
        "--title",
        "Prepare the 2027 training session",
        "--owner",
        "BRS",
        "--due",
        "2027-05-31",
        "--meeting",
        "TF-2027-1",
        "--activity",
        "COOP-TRAIN",
    ]);
    sb.ok(&["taskforce", "action", "AI-4", "--status", "done"]);
    let tf = sb.json(&["taskforce", "show", "--json"]);
    assert_eq!(tf["meetings"].as_array().unwrap().len(), 3);
    let item = tf["action_items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["code"] == "AI-4")
        .unwrap();
    assert_eq!(item["status"], "done");
    assert_eq!(item["meeting"], "TF-2027-1");

    let before = sb.counts();
    let refusals = [
        (
            vec![
                "training",
                "add-participant",
                "TRAIN-2026-GVA",
                "--country",
                "Brazil",
                "--region",
                "african",
                "--gender",
                "male",
            ],
            "ISO 3166",
        ),
        (
            vec![
                "training",
                "add-participant",
                "NO-EVENT",
                "--country",
                "BR",
                "--region",
                "african",
                "--gender",
                "male",
            ],
            "no training event NO-EVENT",
        ),
        (
            vec![
                "taskforce",
                "add-meeting",
                "TF-2027-1",
                "--date",
                "2027-03-01",
            ],
            "already recorded",
        ),
        (
            vec![
                "taskforce",
                "add-meeting",
                "TF-2027-2",
                "--date",
                "2027-03-01",
                "--attendee",
                "XYZ",
            ],
            "unknown organisation XYZ",
        ),
        (
            vec![
                "taskforce",
                "add-action",
                "AI-5",
                "--title",
                "x",
                "--owner",
                "MC",
                "--due",
                "2027-05-31",
                "--meeting",
                "TF-9",
            ],
            "unknown meeting TF-9",
        ),
        (
            vec![
                "taskforce",
                "add-action",
                "AI-1",
                "--title",
                "x",
                "--owner",
                "MC",
                "--due",
                "2027-05-31",
            ],
            "already recorded",
        ),
    ];
    for (args, message) in refusals {
        let refused = sb.run(&args).failed();
        assert!(
            refused.stderr.contains(message),
            "{args:?}: expected {message:?} in {}",
            refused.stderr
        );
    }
    assert_eq!(sb.counts(), before);
    assert_eq!(
        sb.json(&["training", "list", "--json"])[0]["event"]["participants"]
            .as_array()
            .unwrap()
            .len(),
        11
    );
}
