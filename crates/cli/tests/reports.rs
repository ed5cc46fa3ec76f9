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

/// The implementation report of the demo for a meeting given on the command line.
fn for_meeting(sb: &Sandbox, lang: &str, format: &str) -> std::path::PathBuf {
    let out = sb.path(&format!("cop7-{lang}.{format}"));
    sb.ok(&[
        "report",
        "implementation",
        "--decision",
        "MC-6/20",
        "--biennium",
        "2026-2027",
        "--next",
        "2028-2029",
        "--symbol",
        "UNEP/MC/COP.7/12",
        "--venue",
        "Geneva",
        "--dates",
        "2027-10-30..2027-11-03",
        "--agenda-item",
        "5 (b)",
        "--agenda-title",
        "Matters for consideration or action by the Conference of the Parties",
        "--lang",
        lang,
        "--date",
        DATE,
        "--out",
        out.to_str().unwrap(),
    ]);
    out
}

/// The text of each page of a PDF (pdftotext with its layout kept).
fn pages_text(pdf: &Path) -> Vec<String> {
    let out = Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// The numbers that start the lines of `text` ("12.   The …"), in order.
fn paragraph_numbers(text: &str) -> Vec<u32> {
    text.lines()
        .filter_map(|l| {
            let l = l.trim_start();
            let (n, rest) = l.split_once('.')?;
            (!n.is_empty() && n.len() <= 3 && n.chars().all(|c| c.is_ascii_digit()))
                .then_some(())?;
            rest.starts_with(' ').then(|| n.parse().ok())?
        })
        .collect()
}

#[test]
fn the_pdf_is_a_un_pre_session_document() {
    if !pdftotext_available() {
        return;
    }
    let sb = demo();
    let pdf = for_meeting(&sb, "en", "pdf");
    let pages = pages_text(&pdf);
    let first = &pages[0];
    for expected in [
        "UNITED NATIONS",
        "MC",
        "United Nations Environment Programme",
        "UNEP/MC/COP.7/12",
        "Distr.: General",
        "3 May 2027",
        "Original: English",
        "Conference of the Parties to the Minamata Convention on Mercury",
        "Seventh meeting",
        "Geneva, 30 October–3 November 2027",
        "Item 5 (b) of the provisional agenda*",
        "Matters for consideration or action by the Conference of the Parties",
        "Note by the secretariat",
        "I. Introduction and mandate",
        "* UNEP/MC/COP.7/1.",
    ] {
        assert!(
            squeeze_spaces(first).contains(expected),
            "page 1 lacks {expected:?}:\n{first}"
        );
    }
    // The document starts on page 1: its first numbered paragraphs are there.
    assert!(
        paragraph_numbers(first).starts_with(&[1, 2]),
        "page 1 holds paragraphs 1 and 2:\n{first}"
    );
    assert!(
        !first.contains("implementa-") && !first.contains("implementa\u{ad}"),
        "the title is not hyphenated:\n{first}"
    );
    // A running header with the symbol and the page's number on every later page.
    for (i, page) in pages.iter().enumerate().skip(1) {
        assert!(
            page.contains("UNEP/MC/COP.7/12"),
            "page {} has the running header",
            i + 1
        );
        assert!(
            page.lines().any(|l| l.trim() == (i + 1).to_string()),
            "page {} shows its number:\n{page}",
            i + 1
        );
    }
    // Paragraphs are numbered in one sequence throughout the note, up to the suggested
    // action (the draft decision numbers its own paragraphs from 1 again).
    let all = pages.join("\n");
    let action = all
        .find("Suggested action by the Conference of the Parties")
        .expect("the suggested action");
    let numbers = paragraph_numbers(&all[..action]);
    assert!(numbers.len() >= 12, "{numbers:?}");
    assert_eq!(
        numbers,
        (1..=numbers.len() as u32).collect::<Vec<_>>(),
        "paragraphs numbered 1, 2, … across the sections"
    );
    let squeezed = all.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "The Conference of the Parties may wish to adopt a decision along the following lines:",
        "Draft decision MC-7/",
        "The Conference of the Parties,",
        "Recalling decision MC-6/20,",
        "Takes note of the report on the implementation of decision MC-6/20",
        "Welcomes the stable framework for cooperation and service sharing",
        "Requests the secretariat",
        "at its eighth meeting.",
    ] {
        assert!(squeezed.contains(expected), "the PDF lacks {expected:?}");
    }
    // The annexes follow the note, each on a page of its own, titled "Annex I", "Annex II";
    // none is a numbered section.
    let starts: Vec<usize> = pages
        .iter()
        .enumerate()
        .filter(|(_, p)| first_line(p).starts_with("Annex "))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(starts.len(), 2, "two annexes, each starting a page");
    assert!(first_line(&pages[starts[0]]).starts_with("Annex I"));
    assert!(first_line(&pages[starts[1]]).starts_with("Annex II"));
    assert!(
        squeezed.find("Requests the secretariat")
            < squeezed.find("Annex I Cooperation activities planned"),
        "the annexes follow the draft decision"
    );
    assert!(!squeezed.contains("VIII. Annex") && !squeezed.contains("VII. Annex"));
}

/// The text with every run of white space made one space.
fn squeeze_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first line of a page below its running header.
fn first_line(page: &str) -> String {
    page.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && *l != "UNEP/MC/COP.7/12")
        .unwrap_or_default()
        .to_string()
}

/// How much of each page's body (between the running header and the footer) is left blank:
/// the share of pixel rows in blank bands taller than 1 cm, from the page rendered in grey.
fn blank_shares(pdf: &Path, dir: &Path) -> Vec<f64> {
    let dpi = 30.0;
    let prefix = dir.join("page");
    let out = Command::new("pdftoppm")
        .args([
            "-r",
            "30",
            "-gray",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ])
        .output()
        .expect("pdftoppm (poppler-utils)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pgm"))
        .collect();
    files.sort();
    let cm = dpi / 2.54;
    files
        .iter()
        .map(|f| {
            let bytes = std::fs::read(f).unwrap();
            // P5 header: magic, width, height, maximum value, each followed by white space.
            let mut fields = vec![];
            let mut i = 0;
            while fields.len() < 4 {
                while bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                let start = i;
                while !bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                fields.push(String::from_utf8_lossy(&bytes[start..i]).into_owned());
            }
            let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
            let pixels = &bytes[i + 1..];
            let top = (2.3 * cm) as usize;
            let bottom = h - (2.0 * cm) as usize;
            let blank_row = |y: usize| pixels[y * w..(y + 1) * w].iter().all(|p| *p > 200);
            let (mut blank, mut run) = (0usize, 0usize);
            for y in top..bottom {
                if blank_row(y) {
                    run += 1;
                } else {
                    if run as f64 > cm {
                        blank += run;
                    }
                    run = 0;
                }
            }
            if run as f64 > cm {
                blank += run;
            }
            blank as f64 / (bottom - top) as f64
        })
        .collect()
}

#[test]
fn no_page_of_the_pdf_is_more_than_half_empty_but_a_sections_last() {
    if !pdftotext_available() {
        return;
    }
    let sb = demo();
    for lang in ["en", "fr"] {
        let pdf = for_meeting(&sb, lang, "pdf");
        let pages = pages_text(&pdf);
        let dir = tempfile::tempdir().unwrap();
        let blank = blank_shares(&pdf, dir.path());
        assert_eq!(blank.len(), pages.len());
        let label = if lang == "fr" { "Annexe " } else { "Annex " };
        for (i, share) in blank.iter().enumerate() {
            // The last page of the document, and the last page before an annex.
            let last_of_a_part =
                i + 1 == pages.len() || first_line(&pages[i + 1]).starts_with(label);
            assert!(
                last_of_a_part || *share <= 0.5,
                "{lang}: page {} of {} is {:.0}% blank:\n{}",
                i + 1,
                pages.len(),
                share * 100.0,
                pages[i]
            );
        }
    }
}

#[test]
fn the_html_and_word_reports_have_the_heading_block_and_the_draft_decision() {
    let sb = demo();
    let html = std::fs::read_to_string(for_meeting(&sb, "en", "html")).unwrap();
    let docx = docx_text(&for_meeting(&sb, "en", "docx"));
    for (what, text) in [("HTML", html.as_str()), ("Word", docx.as_str())] {
        for expected in [
            "UNITED NATIONS",
            "United Nations Environment Programme",
            "UNEP/MC/COP.7/12",
            "Seventh meeting",
            "Geneva, 30 October–3 November 2027",
            "Item 5 (b) of the provisional agenda",
            "UNEP/MC/COP.7/1.",
            "Note by the secretariat",
            "Suggested action by the Conference of the Parties",
            "The Conference of the Parties,",
            "Takes note",
            "Annex I",
            "Annex II",
        ] {
            assert!(text.contains(expected), "{what} lacks {expected:?}");
        }
    }
    assert!(html.contains("<span class=\"n\">1.</span>"));
    assert!(html.contains("<section class=\"annex\">"));
    let fr = std::fs::read_to_string(for_meeting(&sb, "fr", "html")).unwrap();
    for expected in [
        "NATIONS UNIES",
        "Septième réunion",
        "Note du secrétariat",
        "à sa huitième réunion",
        "Annexe I",
    ] {
        assert!(fr.contains(expected), "French HTML lacks {expected:?}");
    }
    assert!(!fr.contains("Septième réunion.") && fr.contains("à sa septième réunion"));
}

/// The text of an HTML document: what is between its tags, entities decoded.
fn html_text(html: &str) -> String {
    let body = html.split("<body").nth(1).unwrap_or(html);
    let mut text = String::new();
    let mut in_tag = false;
    let mut in_svg = false;
    let mut rest = body;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("<svg") {
            in_svg = true;
        }
        if rest.starts_with("</svg>") {
            in_svg = false;
        }
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag && !in_svg => text.push(c),
            _ => {}
        }
        rest = &rest[c.len_utf8()..];
    }
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// What breaks French typography in `text`: an ordinary space (or none) before `; : ! ?`
/// where French puts a narrow no-break space, straight quotation marks, a typewriter
/// apostrophe between letters, and a decimal point between digits.
fn french_typography_faults(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut faults = vec![];
    let around = |i: usize| -> String {
        chars[i.saturating_sub(25)..(i + 25).min(chars.len())]
            .iter()
            .collect()
    };
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let ends = next.is_none_or(|n| n.is_whitespace() || n == '|' || n == '.');
        let fault = match c {
            ';' | ':' | '!' | '?' if ends => prev.is_some_and(|p| p != '\u{202F}'),
            '"' => true,
            '\'' => prev.is_some_and(char::is_alphabetic) && next.is_some_and(char::is_alphabetic),
            '.' => {
                prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_digit())
            }
            _ => false,
        };
        if fault {
            faults.push(around(i));
        }
    }
    faults
}

#[test]
fn french_reports_follow_french_typography_and_counts_agree_in_number() {
    let sb = demo();
    let mut outputs = vec![];
    let html = std::fs::read_to_string(implementation(&sb, "fr", "html")).unwrap();
    outputs.push(("implementation report (HTML)", html_text(&html)));
    outputs.push((
        "implementation report (Word)",
        docx_text(&implementation(&sb, "fr", "docx")),
    ));
    let statement = sb.path("statement-fr.html");
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
        statement.to_str().unwrap(),
    ]);
    let statement = std::fs::read_to_string(statement).unwrap();
    outputs.push(("statement (HTML)", html_text(&statement)));
    for (what, text) in &outputs {
        let faults = french_typography_faults(text);
        assert!(
            faults.is_empty(),
            "{what}: {} places break French typography, e.g. {:#?}",
            faults.len(),
            &faults[..faults.len().min(8)]
        );
    }
    // Counts agree with their nouns in both languages.
    let english = html_text(&std::fs::read_to_string(implementation(&sb, "en", "html")).unwrap());
    for (text, lang) in [(&english, "en"), (&outputs[0].1, "fr")] {
        for wrong in [
            "1 joint training events",
            "1 sessions de formation",
            "1 charges",
            "1 facturations",
            "1 cost-recovery agreements",
            "1 accords",
            "1 cooperation activities",
            "1 activités",
        ] {
            assert!(!text.contains(wrong), "{lang}: {wrong:?}");
        }
    }
    assert!(
        english.contains("joint training event was held")
            || english.contains("training events were held"),
        "the training paragraph"
    );
}

/// One file of a Word document's package, as text.
fn docx_part(path: &Path, part: &str) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).expect("a Word document is a zip");
    let mut xml = String::new();
    zip.by_name(part)
        .unwrap_or_else(|_| panic!("{part}"))
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

/// The values of attribute `attr` of every `<tag …>` in `xml`.
fn attributes(xml: &str, tag: &str, attr: &str) -> Vec<String> {
    xml.split(&format!("<{tag} "))
        .skip(1)
        .filter_map(|rest| {
            let end = rest.find('>')?;
            let head = &rest[..end];
            let start = head.find(&format!("{attr}=\""))? + attr.len() + 2;
            let len = head[start..].find('"')?;
            Some(head[start..start + len].to_string())
        })
        .collect()
}

/// LibreOffice's `soffice`, which opens the Word file as a reader's word processor would;
/// under CI its absence fails the test.
fn soffice() -> Option<&'static str> {
    for name in ["soffice", "libreoffice"] {
        if Command::new(name).arg("--version").output().is_ok() {
            return Some(name);
        }
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "LibreOffice (soffice) is not installed and CI is set"
    );
    eprintln!("\n*** LibreOffice is not installed: the Word file was NOT opened ***\n");
    None
}

#[test]
fn the_word_report_has_its_properties_and_tables_that_keep_their_columns() {
    let sb = demo();
    let docx = implementation(&sb, "fr", "docx");
    // The file says what it is, who issued it, when and in which language.
    let core = docx_part(&docx, "docProps/core.xml");
    assert!(
        core.contains(
            "<dc:creator>Secrétariat de la Convention de Minamata sur le mercure</dc:creator>"
        ),
        "{core}"
    );
    assert!(core.contains(&format!("{DATE}T00:00:00Z")), "{core}");
    assert!(core.contains("<dc:language>fr-FR</dc:language>"), "{core}");
    assert!(
        !core.contains("unknown") && !core.contains("1970-01-01"),
        "{core}"
    );
    let styles = docx_part(&docx, "word/styles.xml");
    assert_eq!(styles.matches("<w:lang ").count(), 1, "the language, once");
    assert!(
        styles.contains("<w:lang w:val=\"fr-FR\""),
        "the text's language"
    );
    // Every table has its columns' widths, none under 2 cm (1,134 twips).
    let document = docx_part(&docx, "word/document.xml");
    let tables = document.matches("<w:tbl>").count();
    assert!(tables >= 8, "{tables} tables");
    assert_eq!(document.matches("<w:tblGrid>").count(), tables);
    let widths: Vec<u32> = attributes(&document, "w:gridCol", "w:w")
        .iter()
        .map(|w| w.parse().unwrap())
        .collect();
    assert!(!widths.is_empty());
    assert!(widths.iter().all(|w| *w >= 1134), "{widths:?}");
    // The charts are there, as images.
    let html = std::fs::read_to_string(implementation(&sb, "fr", "html")).unwrap();
    let charts = html.matches("<figure ").count();
    assert!(charts >= 4, "{charts} charts in the HTML");
    assert_eq!(
        document.matches("<pic:pic").count(),
        charts,
        "one image per chart"
    );

    // Opened by LibreOffice and printed to PDF, the tables keep readable columns: lines of a
    // single word (a column too narrow for its text) stay few, and the totals are all there.
    let Some(soffice) = soffice() else { return };
    if !pdftotext_available() {
        return;
    }
    let out = sb.path("converted");
    let profile = sb.path("lo-profile");
    let status = Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&out)
        .arg(&docx)
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    let pdf = out.join(docx.with_extension("pdf").file_name().unwrap());
    let pages = pages_text(&pdf);
    let text = pages.join("\n");
    assert_has_totals(
        &text,
        &expected(&sb),
        "fr",
        "the Word report opened by LibreOffice",
    );
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let single = lines
        .iter()
        .filter(|l| l.split_whitespace().count() == 1)
        .count();
    let share = single as f64 / lines.len() as f64;
    eprintln!(
        "Word report through LibreOffice: {} pages, {} lines, {single} of a single word ({:.0}%)",
        pages.len(),
        lines.len(),
        share * 100.0
    );
    assert!(
        share < 0.25,
        "{:.0}% of the lines hold one word",
        share * 100.0
    );
    // And the charts are printed: one image each.
    let images = Command::new("pdfimages")
        .arg("-list")
        .arg(&pdf)
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&images.stdout)
        .lines()
        .skip(2)
        .filter(|l| l.contains(" image "))
        .count();
    assert!(listed >= charts, "{listed} images for {charts} charts");
}
