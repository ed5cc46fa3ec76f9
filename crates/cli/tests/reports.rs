//! Reports on the demo data: the implementation report in every format and language, whose
//! totals per direction and per fund must be those of `synergies ledger trial-balance`; the
//! statements; and the refusals that leave no file behind.
//!
//! The PDF is read with `pdftotext` (poppler-utils, installed by scripts/test). When it is
//! missing the test fails under CI and otherwise says loudly that it did not check the PDF.

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::Command;

use calamine::{open_workbook_auto, Data, Reader};
use common::Sandbox;
use serde_json::Value;

const DATE: &str = "2027-05-03";

/// The demo, seeded once per test.
fn demo() -> Sandbox {
    let sb = Sandbox::new();
    sb.demo();
    sb
}

fn implementation(sb: &Sandbox, lang: &str, format: &str) -> std::path::PathBuf {
    common::implementation_report(sb, lang, format, Some(DATE))
}

/// Totals the ledger gives: per (provider organisation, recipient organisation) the
/// receivables, and per fund its cost-recovery income, PSC income and services received.
struct Expected {
    directions: BTreeMap<(String, String), i64>,
    funds: BTreeMap<String, (i64, i64, i64)>,
}

fn expected(sb: &Sandbox) -> Expected {
    let framework = sb.json(&["framework", "show"]);
    let org_of: BTreeMap<String, String> = framework["funds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["organisation"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut directions = BTreeMap::new();
    let mut funds: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    for ((fund, account, currency), balance) in sb.trial_balance() {
        assert_eq!(currency, "USD", "the demo is in US dollars");
        let e = funds.entry(fund.clone()).or_default();
        match account.as_str() {
            "income:cost-recovery" => e.0 -= balance,
            "income:psc" => e.1 -= balance,
            "expenses:services-received" => e.2 += balance,
            a => {
                if let Some(other) = a.strip_prefix("assets:receivable:") {
                    *directions
                        .entry((org_of[&fund].clone(), org_of[other].clone()))
                        .or_insert(0) += balance;
                }
            }
        }
    }
    assert!(directions.len() >= 2, "MC → BRS and BRS → MC at least");
    assert!(funds.values().any(|f| f.0 > 0), "the demo recovered costs");
    Expected { directions, funds }
}

/// An amount written in `lang` (as the report writes it).
fn written(minor: i64, lang: &str) -> String {
    synergies_i18n::Lang::parse(lang).unwrap().amount(minor, 2)
}

/// Text with every kind of space removed (PDF extraction and French separators differ only there).
fn squeeze(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202f}' && *c != '\u{a0}')
        .collect()
}

fn assert_has_totals(text: &str, e: &Expected, lang: &str, what: &str) {
    let text = squeeze(text);
    for ((p, r), v) in &e.directions {
        let w = squeeze(&written(*v, lang));
        assert!(
            text.contains(&w),
            "{what} ({lang}) lacks the total {p} → {r}: {w}"
        );
    }
    for (fund, (direct, psc, received)) in &e.funds {
        for (name, v) in [
            ("cost-recovery income", direct),
            ("PSC income", psc),
            ("services received", received),
        ] {
            if *v != 0 {
                let w = squeeze(&written(*v, lang));
                assert!(
                    text.contains(&w),
                    "{what} ({lang}) lacks {fund}'s {name}: {w}"
                );
            }
        }
    }
}

fn docx_text(path: &Path) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).expect("a Word document is a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("word/document.xml")
        .read_to_string(&mut xml)
        .unwrap();
    assert!(xml.contains("<w:tbl>"), "the tables are real Word tables");
    // The text of the runs, one cell or paragraph after another.
    let mut text = String::new();
    let mut rest = xml.as_str();
    while let Some(i) = rest.find("<w:t") {
        rest = &rest[i..];
        let open_end = rest.find('>').unwrap();
        let is_text = matches!(rest.as_bytes()[4], b'>' | b' ');
        rest = &rest[open_end + 1..];
        if is_text {
            let close = rest.find("</w:t>").unwrap_or(0);
            text.push_str(&rest[..close]);
            text.push('|');
        }
    }
    text.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

fn pdftotext_available() -> bool {
    match Command::new("pdftotext").arg("-v").output() {
        Ok(_) => true,
        Err(e) => {
            if std::env::var_os("CI").is_some() {
                panic!("pdftotext not installed ({e}) and CI is set");
            }
            eprintln!("\n*** pdftotext is not installed: the PDF's text was NOT checked ***\n");
            false
        }
    }
}

#[test]
fn the_implementation_report_in_every_format_and_language_has_the_ledgers_totals() {
    let sb = demo();
    let e = expected(&sb);
    for lang in ["en", "fr"] {
        // HTML
        let html = std::fs::read_to_string(implementation(&sb, lang, "html")).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains(&format!("<html lang=\"{lang}\" dir=\"ltr\">")));
        assert!(html.contains("<svg"), "charts are inline SVG");
        assert_has_totals(&html, &e, lang, "HTML");

        // Word
        let docx = implementation(&sb, lang, "docx");
        assert_has_totals(&docx_text(&docx), &e, lang, "Word");

        // XLSX: numbers, read back.
        let xlsx = implementation(&sb, lang, "xlsx");
        let mut wb = open_workbook_auto(&xlsx).unwrap();
        let dir = wb.worksheet_range("costs-by-direction").unwrap();
        let mut found = BTreeMap::new();
        for row in dir.rows().skip(2) {
            if let (Data::String(p), Data::String(r), Data::Float(total)) =
                (&row[0], &row[1], &row[5])
            {
                found.insert((p.clone(), r.clone()), (total * 100.0).round() as i64);
            }
        }
        assert_eq!(found, e.directions, "XLSX ({lang}) totals per direction");
        let funds = wb.worksheet_range("budget-by-fund").unwrap();
        let mut seen = 0;
        for row in funds.rows().skip(2) {
            let Data::String(fund) = &row[0] else {
                continue;
            };
            let Some((direct, psc, received)) = e.funds.get(fund) else {
                continue;
            };
            let num = |c: &Data| match c {
                Data::Float(f) => (f * 100.0).round() as i64,
                other => panic!("XLSX ({lang}) {fund}: {other:?} is not a number"),
            };
            assert_eq!(
                num(&row[4]),
                *direct,
                "XLSX ({lang}) {fund} cost-recovery income"
            );
            assert_eq!(num(&row[5]), *psc, "XLSX ({lang}) {fund} PSC income");
            assert_eq!(
                num(&row[6]),
                *received,
                "XLSX ({lang}) {fund} services received"
            );
            seen += 1;
        }
        assert_eq!(
            seen,
            e.funds.len(),
            "XLSX ({lang}): every fund of the ledger"
        );
        assert!(wb.sheet_names().len() > 8, "one sheet per table");

        // PDF
        let pdf = implementation(&sb, lang, "pdf");
        let bytes = std::fs::read(&pdf).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        if pdftotext_available() {
            let out = Command::new("pdftotext")
                .args([pdf.to_str().unwrap(), "-"])
                .output()
                .unwrap();
            assert!(out.status.success());
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("MC-6/20"), "{text}");
            assert_has_totals(&text, &e, lang, "PDF");
        }
    }
}

#[test]
fn the_html_report_is_stable() {
    let sb = demo();
    for lang in ["en", "fr"] {
        let html = std::fs::read_to_string(implementation(&sb, lang, "html")).unwrap();
        insta::assert_snapshot!(format!("implementation_{lang}"), html);
    }
}

#[test]
fn the_french_report_speaks_french() {
    let sb = demo();
    let html = std::fs::read_to_string(implementation(&sb, "fr", "html")).unwrap();
    assert!(html.contains("Services partagés et coûts recouvrés"));
    assert!(html.contains("3 mai 2027"));
    assert!(!html.contains("Costs recovered by direction"));
}

#[test]
fn every_text_of_the_report_is_translated() {
    // A key missing from every language would show as the key itself.
    let sb = demo();
    for lang in ["en", "fr"] {
        let html = std::fs::read_to_string(implementation(&sb, lang, "html")).unwrap();
        let keys: Vec<&str> = html
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .filter(|w| w.starts_with("report-"))
            .collect();
        assert!(keys.is_empty(), "{lang}: untranslated {keys:?}");
        assert!(
            html.contains("UNEP/MC/COP.7/xx"),
            "{lang}: the document symbol"
        );
    }
}

#[test]
fn refusals_are_clear_and_leave_no_file() {
    let sb = demo();
    let out = sb.path("r.pdf");
    let base = |decision: &str, lang: &str, format: &str| {
        vec![
            "report".to_string(),
            "implementation".into(),
            "--decision".into(),
            decision.into(),
            "--biennium".into(),
            "2026-2027".into(),
            "--next".into(),
            "2028-2029".into(),
            "--lang".into(),
            lang.into(),
            "--format".into(),
            format.into(),
            "--out".into(),
            out.to_str().unwrap().into(),
        ]
    };
    let cases = [
        (base("MC-9/99", "en", "pdf"), "unknown decision MC-9/99"),
        (
            base("MC-6/20", "tlh", "pdf"),
            "no translations for language",
        ),
        (base("MC-6/20", "en", "odt"), "unknown format"),
    ];
    for (args, message) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = sb.run(&args).failed();
        assert!(run.stderr.contains(message), "{message}: {}", run.stderr);
        assert!(!out.exists());
    }
    let run = sb
        .run(&[
            "report",
            "statement",
            "--agreement",
            "NOPE",
            "--period",
            "2026-Q1",
            "--out",
            "s.html",
        ])
        .failed();
    assert!(
        run.stderr.contains("unknown agreement NOPE"),
        "{}",
        run.stderr
    );
    let run = sb
        .run(&[
            "report",
            "fund",
            "--fund",
            "NOPE",
            "--biennium",
            "2026-2027",
            "--out",
            "f.html",
        ])
        .failed();
    assert!(run.stderr.contains("unknown fund NOPE"), "{}", run.stderr);
    // No temporary file is left either.
    let left: Vec<_> = std::fs::read_dir(sb.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("tmp") || n.ends_with(".pdf") || n.ends_with(".html"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn the_statement_gives_the_charges_of_its_agreement_and_period() {
    let sb = demo();
    let charges = sb.json(&["charges", "list", "--agreement", "BRS-MC-2026-01", "--json"]);
    let q1: Vec<&Value> = charges
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["period"] == "2026-Q1")
        .collect();
    assert_eq!(q1.len(), 1);
    let total = q1[0]["total_minor"].as_i64().unwrap();
    for format in ["html", "xlsx", "docx", "pdf"] {
        let out = sb.path(&format!("statement.{format}"));
        sb.ok(&[
            "report",
            "statement",
            "--agreement",
            "BRS-MC-2026-01",
            "--period",
            "2026-Q1",
            "--lang",
            "fr",
            "--date",
            DATE,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(std::fs::metadata(&out).unwrap().len() > 0);
    }
    let html = std::fs::read_to_string(sb.path("statement.html")).unwrap();
    assert!(
        html.contains(&format!("data-minor=\"{total}\"")),
        "total {total}"
    );
    let fund = sb.path("fund.xlsx");
    sb.ok(&[
        "report",
        "fund",
        "--fund",
        "MCGTF",
        "--biennium",
        "2026-2027",
        "--date",
        DATE,
        "--out",
        fund.to_str().unwrap(),
    ]);
    let mut wb = open_workbook_auto(&fund).unwrap();
    let other = wb.worksheet_range("other-funds").unwrap();
    let tb = sb.trial_balance();
    for row in other.rows().skip(2) {
        let Data::String(f) = &row[0] else { continue };
        let Data::Float(receivable) = row[4] else {
            panic!("{row:?}")
        };
        let key = (
            "MCGTF".to_string(),
            format!("assets:receivable:{f}"),
            "USD".to_string(),
        );
        assert_eq!(
            (receivable * 100.0).round() as i64,
            tb.get(&key).copied().unwrap_or(0),
            "{f}"
        );
    }
}
