//! Bad reference data and records through the real binary: `framework load`, `agreements
//! import` and `training import` refuse them with every problem on standard error, exit
//! non-zero and write nothing; `export --format csv` never writes a formula cell.

mod common;

use common::Sandbox;
use serde_json::{json, Value};

fn write(sb: &Sandbox, name: &str, v: &Value) -> String {
    let path = sb.path(name);
    std::fs::write(&path, serde_json::to_vec_pretty(v).unwrap()).unwrap();
    path.display().to_string()
}

#[test]
fn framework_load_refuses_bad_rates_duplicates_and_changes_to_what_closings_used() {
    let sb = Sandbox::new();
    sb.demo();
    let before = sb.counts();
    let rates_before = sb.ok(&["export", "rates", "--format", "csv"]).stdout;
    let framework = sb.json(&["framework", "show"]);

    let mut bad = framework.clone();
    bad["rates"][0]["amount"] = json!("-50.00");
    bad["fx_rates"][0]["per_usd"] = json!("0");
    let service = bad["services"][0].clone();
    bad["services"].as_array_mut().unwrap().push(service);
    let file = write(&sb, "bad.json", &bad);
    let run = sb.run(&["framework", "load", &file]).failed();
    for needle in [
        "not more than zero",
        "per_usd",
        "more than once",
        "3 problems",
    ] {
        assert!(run.stderr.contains(needle), "{needle:?} in {}", run.stderr);
    }
    assert_eq!(sb.counts(), before);

    // Every rate raised by one: those the posted closings used are refused, so all is.
    let mut changed = framework.clone();
    for r in changed["rates"].as_array_mut().unwrap() {
        let amount: rust_decimal::Decimal = r["amount"].as_str().unwrap().parse().unwrap();
        r["amount"] = json!((amount + rust_decimal::Decimal::ONE).to_string());
    }
    let file = write(&sb, "changed.json", &changed);
    let run = sb.run(&["framework", "load", &file]).failed();
    assert!(
        run.stderr.contains("was used by a posted closing"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.counts(), before);
    assert_eq!(
        sb.ok(&["export", "rates", "--format", "csv"]).stdout,
        rates_before,
        "the rates the posted closings were computed from are as they were"
    );
    // The same framework again changes nothing and is accepted.
    let file = write(&sb, "same.json", &framework);
    sb.ok(&["framework", "load", &file]);
}

#[test]
fn agreements_and_training_imports_refuse_every_bad_record_and_write_nothing() {
    let sb = Sandbox::new();
    sb.demo();
    let before = sb.counts();
    let agreements = sb.json(&["export", "agreements", "--format", "json"]);
    let mut one = agreements[0].clone();
    one["code"] = json!("NEW-1");
    one["revision"] = json!(0);
    let file = write(&sb, "agreements.json", &json!([one.clone(), one]));
    let run = sb.run(&["agreements", "import", &file]).failed();
    assert!(
        run.stderr.contains("is given more than once"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.counts(), before);

    let events = sb.json(&["training", "list", "--json"]);
    let mut event = events[0]["event"].clone();
    if event.is_null() {
        event = events[0].clone();
    }
    event["code"] = json!("T-NEW");
    event["participants"][0]["country"] = json!("ZZ");
    event["participants"][1]["country"] = json!("KE");
    event["participants"][1]["region"] = json!("asia_pacific");
    let file = write(&sb, "training.json", &json!([event]));
    let run = sb.run(&["training", "import", &file]).failed();
    assert!(run.stderr.contains("\"ZZ\" is not"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("Kenya (KE) belongs to the African group"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.counts(), before);
}
