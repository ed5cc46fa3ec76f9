//! Open data end to end: the IATI export of the demo validates against the IATI 2.03 schemas
//! with xmllint, and the demo's data package re-imports into an empty database with the same
//! trial balance and ledger check.
//!
//! The IATI schemas are reference data that the repository does not hold. The test looks for
//! them in `SYNERGIES_IATI_SCHEMAS` (a directory with iati-activities-schema.xsd; scripts/test
//! sets it), else in a `shared/iati-2.03` directory beside the repository or above it. Without
//! them, or without xmllint, it fails under CI (`CI=true`) and is skipped with a reason
//! elsewhere.

mod common;

use common::{assert_valid_iati, iati_schemas, read, required, xmllint, Sandbox};
use serde_json::Value;

#[test]
fn the_iati_export_of_the_demo_validates_against_the_iati_schemas() {
    let Some(schemas) = required(iati_schemas()) else {
        return;
    };
    let Some(()) = required(xmllint()) else {
        return;
    };
    let sb = Sandbox::new();
    sb.demo();
    for biennium in ["2026-2027", "2028-2029"] {
        let file = sb.path(&format!("iati-{biennium}.xml"));
        let out = sb.ok(&[
            "export",
            "iati",
            "--biennium",
            biennium,
            "--out",
            file.to_str().unwrap(),
        ]);
        assert!(out.stdout.contains("yearly budgets"), "{}", out.stdout);
        assert_valid_iati(&schemas, &file);
        let xml = read(&file);
        // One budget per calendar year of every activity; English and French titles.
        let activities = xml.matches("<iati-activity ").count();
        assert!(activities > 0);
        assert_eq!(xml.matches("<budget ").count(), 2 * activities, "{xml}");
        assert!(xml.contains(r#"<narrative xml:lang="fr">"#), "{xml}");
    }
}

/// The budgets of each activity add up, to the cent, to its estimate in `activities list`.
#[test]
fn the_yearly_budgets_add_up_to_each_activity_estimate() {
    let sb = Sandbox::new();
    sb.demo();
    let xml = sb.ok(&["export", "iati", "--biennium", "2026-2027"]).stdout;
    let listed = sb.json(&["activities", "list", "--biennium", "2026-2027", "--json"]);
    let listed = listed.as_array().expect("an array of activities");
    assert!(!listed.is_empty());
    for a in listed {
        let code = a["activity"]["code"].as_str().unwrap();
        let estimate: i64 = a["costs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["total_minor"].as_i64().unwrap())
            .sum();
        let id = format!("-2026-2027-{code}</iati-identifier>");
        let start = xml
            .find(&id)
            .unwrap_or_else(|| panic!("{code} is not in the file"));
        let end = start + xml[start..].find("</iati-activity>").unwrap();
        let budgets: i64 = xml[start..end]
            .split("value-date=\"")
            .skip(1)
            .map(|v| {
                let amount = &v[v.find('>').unwrap() + 1..v.find("</value>").unwrap()];
                amount.replace('.', "").parse::<i64>().unwrap()
            })
            .sum();
        assert_eq!(budgets, estimate, "budgets of {code}");
    }
}

#[test]
fn the_iati_export_refuses_bad_input_and_writes_nothing() {
    let sb = Sandbox::new();
    sb.demo();
    let file = sb.path("iati.xml");
    let f = file.to_str().unwrap();
    let err = sb.run(&["export", "iati", "--out", f]).failed();
    assert!(err.stderr.contains("--biennium"), "{}", err.stderr);
    let err = sb
        .run(&["export", "iati", "--biennium", "1999-2000", "--out", f])
        .failed();
    assert!(
        err.stderr.contains("unknown biennium 1999-2000"),
        "{}",
        err.stderr
    );
    let err = sb
        .run(&[
            "export",
            "iati",
            "--biennium",
            "2026-2027",
            "--format",
            "json",
        ])
        .failed();
    assert!(err.stderr.contains("--format"), "{}", err.stderr);
    assert!(!file.exists());
    assert!(!sb.path("iati.partial").exists());
}

#[test]
fn the_data_package_of_the_demo_reimports_with_the_same_ledger() {
    let sb = Sandbox::new();
    sb.demo();
    let dir = sb.path("package");
    let out = sb.ok(&["export", "datapackage", "--out", dir.to_str().unwrap()]);
    assert!(out.stdout.contains("datapackage.json"), "{}", out.stdout);

    let descriptor: Value = serde_json::from_str(&read(&dir.join("datapackage.json"))).unwrap();
    assert_eq!(descriptor["profile"], "tabular-data-package");
    let resources = descriptor["resources"].as_array().unwrap();
    let counts = sb.counts();
    // Credentials are never published: no users, sessions or tokens, and no hash anywhere.
    let private = synergies_store::shape::PRIVATE_TABLES;
    assert_eq!(
        resources.len(),
        counts.len() - private.len(),
        "one resource per table but the credentials'"
    );
    assert!(counts["users"] > 0, "the demo has users to keep out");
    for r in resources {
        assert!(
            !private.contains(&r["name"].as_str().unwrap()),
            "{} is published",
            r["name"]
        );
    }
    for f in std::fs::read_dir(&dir).unwrap() {
        let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
        assert!(!text.contains("$argon2"), "a password hash is published");
    }
    for r in resources {
        let name = r["name"].as_str().unwrap();
        let path = dir.join(r["path"].as_str().unwrap());
        let rows = csv::Reader::from_path(&path).unwrap().records().count() as i64;
        assert_eq!(Some(&rows), counts.get(name), "rows of {name}");
        assert!(!r["schema"]["primaryKey"].as_array().unwrap().is_empty());
    }
    let postings = resources.iter().find(|r| r["name"] == "postings").unwrap();
    let amount = postings["schema"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "amount_minor")
        .unwrap();
    assert_eq!(amount["type"], "integer");

    let copy = sb.url("copy.db");
    let restored = sb.run_on(
        &copy,
        &["store", "restore", "--datapackage", dir.to_str().unwrap()],
    );
    let restored = restored.ok();
    assert!(
        restored.stdout.contains("ledger check passed"),
        "{}",
        restored.stdout
    );
    for args in [
        &["ledger", "trial-balance"][..],
        &["ledger", "trial-balance", "--json"],
        &["ledger", "check"],
    ] {
        assert_eq!(
            sb.run_on(&copy, args).ok().stdout,
            sb.ok(args).stdout,
            "`{}` differs after the re-import",
            args.join(" ")
        );
    }
    // Everything else came back too (the re-import adds one audit event), but no credentials.
    let mut after = common::counts_of(&sb.json_on(&copy, &["status", "--json"]));
    *after.get_mut("audit_events").unwrap() -= 1;
    let mut published = counts.clone();
    for table in private {
        published.insert(table.to_string(), 0);
    }
    assert_eq!(after, published);
    assert_eq!(
        sb.run_on(
            &copy,
            &["activities", "list", "--biennium", "2028-2029", "--json"]
        )
        .ok()
        .stdout,
        sb.ok(&["activities", "list", "--biennium", "2028-2029", "--json"])
            .stdout
    );
}

#[test]
fn a_data_package_goes_only_into_an_empty_database_and_all_or_nothing() {
    let sb = Sandbox::new();
    sb.demo();
    let dir = sb.path("package");
    let d = dir.to_str().unwrap();
    sb.ok(&["export", "datapackage", "--out", d]);
    // Not over an existing package.
    let again = sb.run(&["export", "datapackage", "--out", d]).failed();
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);

    // Not into a database with data.
    let before = sb.counts();
    let err = sb.run(&["store", "restore", "--datapackage", d]).failed();
    assert!(err.stderr.contains("not empty"), "{}", err.stderr);
    assert_eq!(sb.counts(), before);

    // A bad cell late in the package: nothing is written.
    let postings = dir.join("postings.csv");
    let text = read(&postings);
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let last = lines.len() - 1;
    lines[last] = lines[last].replacen(',', ",x", 1);
    std::fs::write(&postings, lines.join("\n") + "\n").unwrap();
    let copy = sb.url("copy.db");
    let err = sb
        .run_on(&copy, &["store", "restore", "--datapackage", d])
        .failed();
    assert!(
        err.stderr
            .contains(&format!("postings.csv:{}: line: not an integer", last + 1)),
        "{}",
        err.stderr
    );
    // Nothing is written: not even the new database file is left behind.
    assert!(!sb.path("copy.db").exists(), "a failed import left copy.db");

    // No descriptor: a clear error.
    let err = sb
        .run_on(
            &copy,
            &[
                "store",
                "restore",
                "--datapackage",
                sb.path("none").to_str().unwrap(),
            ],
        )
        .failed();
    assert!(err.stderr.contains("datapackage.json"), "{}", err.stderr);
}
