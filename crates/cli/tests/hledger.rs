//! The exported journal, read by hledger and ledger-cli, must give the trial balance of
//! `synergies ledger trial-balance` exactly, account by account.
//!
//! When a tool is missing the test fails if the environment variable `CI` is set (a missing
//! tool in CI is a failure, not a skip) and otherwise says loudly that it did not run.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::process::Command;

use common::{read, Sandbox};
use serde_json::Value;

type Balances = BTreeMap<(String, String, String), i64>;

/// Whether `tool` can run here; panics under CI when it cannot.
fn available(tool: &str) -> bool {
    match Command::new(tool).arg("--version").output() {
        Ok(out) if out.status.success() => true,
        other => {
            let why = match other {
                Ok(out) => format!("`{tool} --version` exited with {}", out.status),
                Err(e) => e.to_string(),
            };
            if std::env::var_os("CI").is_some() {
                panic!(
                    "{tool} not installed ({why}) and CI is set: a missing tool in CI is a failure"
                );
            }
            // Straight to the process's standard error, past the test harness's capture, so
            // that the message shows even when the test "passes".
            let _ = writeln!(
                std::io::stderr(),
                "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
                 !!! {tool} not installed: this test did not run ({why})\n\
                 !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
            );
            false
        }
    }
}

/// Minor-unit digits of the currencies (ISO 4217), independent of the code under test.
fn minor_digits(currency: &str) -> u32 {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

fn run_tool(sb: &Sandbox, tool: &str, args: &[&str]) -> (String, String) {
    let out = Command::new(tool)
        .args(args)
        .current_dir(sb.dir.path())
        .env_remove("LEDGER_FILE")
        .env_remove("LEDGER_INIT")
        .output()
        .unwrap_or_else(|e| panic!("running {tool}: {e}"));
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    let stderr = String::from_utf8(out.stderr).expect("UTF-8");
    assert!(
        out.status.success(),
        "`{tool} {}` failed with {}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        args.join(" "),
        out.status
    );
    (stdout, stderr)
}

/// An hledger amount (`{"acommodity", "aquantity": {"decimalMantissa", "decimalPlaces"}}`) in
/// minor units of its commodity.
fn hledger_minor(amount: &Value) -> (String, i64) {
    let currency = amount["acommodity"]
        .as_str()
        .unwrap_or_else(|| panic!("no commodity in {amount}"))
        .to_string();
    let q = &amount["aquantity"];
    let mantissa = q["decimalMantissa"]
        .as_i64()
        .unwrap_or_else(|| panic!("no mantissa in {amount}"));
    let places = q["decimalPlaces"]
        .as_u64()
        .unwrap_or_else(|| panic!("no decimal places in {amount}")) as u32;
    let digits = minor_digits(&currency);
    let minor = if places <= digits {
        mantissa * 10i64.pow(digits - places)
    } else {
        let scale = 10i64.pow(places - digits);
        assert_eq!(
            mantissa % scale,
            0,
            "{amount} is not a whole number of minor units of {currency}"
        );
        mantissa / scale
    };
    (currency, minor)
}

/// `hledger balance --flat -O json` as (fund, account, currency) -> minor units.
fn hledger_balances(sb: &Sandbox, journal: &str) -> Balances {
    let (stdout, stderr) = run_tool(
        sb,
        "hledger",
        &["-f", journal, "balance", "--flat", "-O", "json"],
    );
    assert!(stderr.trim().is_empty(), "hledger complained:\n{stderr}");
    let report: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("hledger did not print JSON ({e}):\n{stdout}"));
    let rows = report[0]
        .as_array()
        .unwrap_or_else(|| panic!("unexpected hledger JSON:\n{report:#}"));
    let mut balances = Balances::new();
    for row in rows {
        let name = row[0]
            .as_str()
            .unwrap_or_else(|| panic!("no account name in {row}"));
        let (fund, account) = name
            .split_once(':')
            .unwrap_or_else(|| panic!("{name} is not FUND:account"));
        for amount in row[3].as_array().expect("amounts") {
            let (currency, minor) = hledger_minor(amount);
            *balances
                .entry((fund.to_string(), account.to_string(), currency))
                .or_default() += minor;
        }
    }
    balances.retain(|_, v| *v != 0);
    balances
}

fn tb_nonzero(sb: &Sandbox) -> Balances {
    let mut tb = sb.trial_balance();
    tb.retain(|_, v| *v != 0);
    tb
}

/// Exports the journal, and checks hledger's balances against the trial balance and that
/// hledger reads every entry.
fn check_with_hledger(sb: &Sandbox, journal: &str) {
    let out = sb.ok(&["ledger", "export", "--format", "ledger", "--out", journal]);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    let text = read(&sb.path(journal));
    assert_eq!(
        sb.ok(&["ledger", "export"]).stdout,
        text,
        "--out and standard output differ"
    );

    let tb = tb_nonzero(sb);
    assert!(!tb.is_empty(), "the trial balance is empty");
    let hl = hledger_balances(sb, journal);
    for (key, balance) in &tb {
        assert_eq!(
            hl.get(key),
            Some(balance),
            "{key:?}: the trial balance says {balance}, hledger {:?}",
            hl.get(key)
        );
    }
    for (key, balance) in &hl {
        assert!(
            tb.contains_key(key),
            "{key:?}: hledger has {balance}, the trial balance nothing"
        );
    }

    let (stdout, _) = run_tool(sb, "hledger", &["-f", journal, "print", "-O", "json"]);
    let transactions: Value = serde_json::from_str(&stdout).expect("hledger print JSON");
    assert_eq!(
        transactions.as_array().map(Vec::len).map(|n| n as i64),
        Some(sb.counts()["journal_entries"]),
        "hledger does not read every journal entry"
    );
}

/// ledger-cli reads the journal without a word on standard error, and its grand total is 0.
fn check_with_ledger(sb: &Sandbox, journal: &str) {
    let (stdout, stderr) = run_tool(sb, "ledger", &["-f", journal, "balance"]);
    assert!(stderr.trim().is_empty(), "ledger complained:\n{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    let rule = lines
        .iter()
        .rposition(|l| l.trim_start().starts_with("----"))
        .unwrap_or_else(|| panic!("no total in ledger's balance:\n{stdout}"));
    let total: Vec<&str> = lines[rule + 1..]
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(total, ["0"], "ledger's grand total is not zero:\n{stdout}");
    // Every fund appears in ledger's report.
    for (fund, _, _) in tb_nonzero(sb).keys() {
        assert!(
            lines.iter().any(|l| l
                .split_whitespace()
                .last()
                .is_some_and(|a| a == fund || a.starts_with(&format!("{fund}:")))),
            "fund {fund} is missing from ledger's balance:\n{stdout}"
        );
    }
}

#[test]
fn hledger_balances_equal_the_trial_balance() {
    if !available("hledger") {
        return;
    }
    let sb = Sandbox::new();
    sb.demo();
    check_with_hledger(&sb, "demo.journal");
}

#[test]
fn hledger_balances_equal_the_trial_balance_after_reopen_and_close() {
    if !available("hledger") {
        return;
    }
    let sb = Sandbox::new();
    sb.demo();
    sb.ok(&["reopen", "--period", "2026-Q1"]);
    check_with_hledger(&sb, "reopened.journal");
    sb.ok(&["close", "--period", "2026-Q1", "--on", "2026-04-20"]);
    check_with_hledger(&sb, "reclosed.journal");
}

#[test]
fn ledger_cli_reads_the_journal_and_it_balances() {
    if !available("ledger") {
        return;
    }
    let sb = Sandbox::new();
    sb.demo();
    sb.ok(&["ledger", "export", "--out", "demo.journal"]);
    check_with_ledger(&sb, "demo.journal");
    // With reversal entries too.
    sb.ok(&["reopen", "--period", "2026-Q2"]);
    sb.ok(&["close", "--period", "2026-Q2", "--on", "2026-07-20"]);
    sb.ok(&["ledger", "export", "--out", "reclosed.journal"]);
    check_with_ledger(&sb, "reclosed.journal");
}
