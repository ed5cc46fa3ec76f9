//! Texts that a hostile or careless user can type pass through every output format intact
//! and harmless: an activity whose titles hold markup, XML and HTML metacharacters, formula
//! prefixes, right-to-left and combining text, emoji and the longest title the domain allows
//! is recorded, and then the implementation report in XLSX (read back with calamine), Word
//! (its document XML checked well formed by xmllint), HTML (escaped) and PDF
//! (pdftotext), the IATI file (xmllint against the IATI 2.03 schemas) and the CSV exports of
//! a draft agreement with such a title (no cell a spreadsheet would run as a formula) are all valid and carry the text. Texts the
//! domain refuses (a NUL byte, a bidirectional override in a code, a 40,000-character title)
//! change nothing.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::Command;

use calamine::{open_workbook_auto, Data, Reader};
use common::{
    assert_valid_iati, iati_schemas, implementation_report, read, required, xmllint, Sandbox,
};
use serde_json::{json, Value};

/// Titles in English and French that every format must carry as they are.
fn hostile_titles() -> (String, String) {
    let en =
        "=HYPERLINK(\"https://example.org\",\"Pay\") <script>alert('x')</script> & \"quotes\" \
              ]]> <!-- --> Tom & Jerry's ; @SUM(A1) +1 -1 مؤتمر الأطراف e\u{301} 🌍";
    // The longest name the domain allows (500 characters), starting with a formula prefix.
    let mut fr = String::from("+Conférence <b>des</b> Parties & « secrétariat » ");
    while fr.chars().count() < 500 {
        fr.push('x');
    }
    (en.to_string(), fr)
}

/// The demo's first activity of 2026-2027 led by MC, recorded again under `code` with `titles`.
fn activity_with(sb: &Sandbox, code: &str, en: &str, fr: &str) -> Value {
    let list = sb.json(&["activities", "list", "--biennium", "2026-2027", "--json"]);
    let mut a = list
        .as_array()
        .expect("a list")
        .iter()
        .find(|p| p["activity"]["lead"] == "MC")
        .expect("an MC-led activity")["activity"]
        .clone();
    a["code"] = json!(code);
    a["title_en"] = json!(en);
    a["title_fr"] = json!(fr);
    a["agreements"] = json!([]);
    a
}

fn import(sb: &Sandbox, name: &str, activities: &Value) -> common::Run {
    let file = sb.path(name);
    std::fs::write(&file, serde_json::to_vec(activities).unwrap()).unwrap();
    sb.run(&["activities", "import", file.to_str().unwrap()])
}

fn xmllint_wellformed(file: &Path) {
    let check = Command::new("xmllint")
        .arg("--noout")
        .arg(file)
        .output()
        .expect("run xmllint");
    assert!(
        check.status.success(),
        "{} is not well formed:\n{}",
        file.display(),
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn hostile_texts_are_refused_or_carried_intact_through_every_format() {
    let Some(()) = required(xmllint()) else {
        return;
    };
    let sb = Sandbox::new();
    sb.demo();
    let (en, fr) = hostile_titles();

    // What the domain refuses changes nothing.
    let before = sb.counts();
    for (name, bad) in [
        (
            "nul.json",
            activity_with(&sb, "COOP-NUL", "Training\u{0} of chairs", &fr),
        ),
        (
            "bidi.json",
            activity_with(&sb, "COOP-\u{202e}LAGEL", "Legal advice", "Conseils"),
        ),
        (
            "long.json",
            activity_with(&sb, "COOP-LONG", &"x".repeat(40_000), &fr),
        ),
    ] {
        let run = import(&sb, name, &json!([bad])).failed();
        assert!(!run.stderr.is_empty(), "{name}: a reason is given");
        assert_eq!(sb.counts(), before, "{name}: nothing written");
    }

    import(
        &sb,
        "hostile.json",
        &json!([activity_with(&sb, "COOP-HOSTILE", &en, &fr)]),
    )
    .ok();
    // And a draft agreement whose title starts a formula, for the CSV exports.
    let mut agreement: Value =
        serde_json::from_str(&sb.ok(&["agreements", "show", "MC-BRS-2026-01"]).stdout).unwrap();
    agreement["code"] = json!("HOSTILE-1");
    agreement["title"] = json!(en);
    agreement["revision"] = json!(0);
    let mut version = agreement["versions"][0].clone();
    version["status"] = json!("draft");
    version["approvals"] = json!([]);
    agreement["versions"] = json!([version]);
    let file = sb.path("agreements.json");
    std::fs::write(&file, serde_json::to_vec(&json!([agreement])).unwrap()).unwrap();
    sb.ok(&["agreements", "import", file.to_str().unwrap()]);

    // XLSX: the workbook opens and a cell holds the title exactly, as text.
    let report = |lang: &str, format: &str| implementation_report(&sb, lang, format, None);
    let xlsx = report("en", "xlsx");
    let mut wb = open_workbook_auto(&xlsx).expect("the workbook opens");
    let mut found = false;
    for sheet in wb.sheet_names() {
        let range = wb.worksheet_range(&sheet).expect("a sheet reads");
        found |= range
            .used_cells()
            .any(|(_, _, c)| matches!(c, Data::String(s) if s == &en));
    }
    assert!(found, "the XLSX report holds the English title as text");

    // Word: the document's XML is well formed and carries the text.
    let docx = report("fr", "docx");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&docx).unwrap()).expect("a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("the document part")
        .read_to_string(&mut xml)
        .unwrap();
    let part = sb.path("document.xml");
    std::fs::write(&part, &xml).unwrap();
    xmllint_wellformed(&part);
    // The user's words and marks, escaped, in French typography: the spaces inside « » are
    // the narrow no-break ones French writes there.
    assert!(
        xml.contains(
            "+Conférence &lt;b&gt;des&lt;/b&gt; Parties &amp; «\u{202F}secrétariat\u{202F}»"
        ),
        "the Word report carries the French title"
    );

    // HTML: escaped (no markup of the user's survives; the report itself has no script).
    let html = read(&report("en", "html"));
    assert!(!html.contains("<script"), "the user's markup is escaped");
    assert!(html.contains("&lt;script&gt;alert("), "and shown as text");
    assert!(!html.contains("<b>des</b>") && !html.contains("<!-- -->"));

    // PDF: it renders, and its text carries the title's words.
    let pdf = report("en", "pdf");
    if let Some(()) = required(
        Command::new("pdftotext")
            .arg("-v")
            .output()
            .map(|_| ())
            .map_err(|e| format!("pdftotext is not installed ({e})")),
    ) {
        let text = Command::new("pdftotext")
            .arg(&pdf)
            .arg("-")
            .output()
            .expect("run pdftotext");
        assert!(text.status.success());
        let text = String::from_utf8_lossy(&text.stdout).replace('\n', " ");
        // As text, not markup (a narrow column wraps and hyphenates the rest).
        assert!(
            text.contains("<script>alert('x')") && text.contains("Tom & Jerry's"),
            "the PDF carries the title: {text}"
        );
    }

    // IATI: valid against the schemas, the titles in it as text.
    if let Some(schemas) = required(iati_schemas()) {
        let file = sb.path("iati.xml");
        sb.ok(&[
            "export",
            "iati",
            "--biennium",
            "2026-2027",
            "--out",
            file.to_str().unwrap(),
        ]);
        assert_valid_iati(&schemas, &file);
        assert!(read(&file).contains("&lt;script&gt;alert("));
    }

    // CSV: no text cell of any export starts a formula, and the title is there, defused.
    let agreements = sb.ok(&["export", "agreements", "--format", "csv"]).stdout;
    assert!(agreements.contains("'=HYPERLINK("), "{agreements}");
    for what in ["agreements", "deliveries", "rates", "fx", "charges"] {
        let csv = sb.ok(&["export", what, "--format", "csv"]).stdout;
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        for record in reader.records() {
            for cell in record.unwrap().iter() {
                let formula = cell.starts_with(['=', '@', '\t', '\r'])
                    || (cell.starts_with(['+', '-']) && cell.parse::<f64>().is_err());
                assert!(!formula, "{what}: a cell a spreadsheet would run: {cell:?}");
            }
        }
    }
}
