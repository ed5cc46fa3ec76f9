//! `decisions import` on texts in the forms treaty sites publish (texts written for these
//! tests in those forms): a text without its title line takes `--number` and `--title` and is
//! refused without them; a text in another language than `--lang` is refused naming the one
//! it reads in; a compilation records every decision, or none.

mod common;

use common::Sandbox;

/// As a treaty site gives a decision: from "The Conference of the Parties,", numbers glued.
const UNTITLED: &str = "The Conference of the Parties,\n\
    Recalling decision III/1 on the amendment to the Basel Convention,11UNEP/CHW.15/7.\n\
    1.Welcomes the report of the Secretariat;\n\
    2.Requests the Secretariat, subject to the availability of resources:\n\
    (a)To assist Parties;\n\
    (b)To report to the Conference of the Parties at its next meeting.\n";

const SPANISH: &str = "La Conferencia de las Partes,\n\
    Recordando sus decisiones SC-2/15 y SC-3/1 sobre la cooperación entre los convenios,\n\
    1.Toma nota del informe de la Secretaría sobre la cooperación y la coordinación entre los \
    convenios del grupo;\n\
    2.Pide a la Secretaría que presente un informe a la Conferencia de las Partes en su cuarta \
    reunión.\n";

const COMPILATION: &str =
    "Decisions adopted by the Conference of the Parties at its sixth meeting\n\
    Decision MC-6/1: First\nThe Conference of the Parties,\n1. Decides to act;\n\
    2. Requests the Secretariat to report at its seventh meeting.\n\
    MC-6/2: Second\nThe Conference of the Parties\n1.Notes the report.\n\
    Decision MC-6/3: Third\nThe Conference of the Parties,\n1. Invites Parties to act;\n";

#[test]
fn a_text_without_its_title_line_is_imported_under_the_number_given() {
    let sb = Sandbox::new();
    sb.ok(&["init"]);
    std::fs::write(sb.path("site.txt"), UNTITLED).unwrap();
    let file = sb.path("site.txt");
    let file = file.to_str().unwrap();
    let before = sb.counts();
    let refused = sb.run(&["decisions", "import", file]).failed();
    assert!(
        refused.stderr.contains("no title line") && refused.stderr.contains("--number"),
        "{}",
        refused.stderr
    );
    assert_eq!(sb.counts(), before);
    let d = sb.json(&[
        "decisions",
        "import",
        file,
        "--number",
        "BC-15/3",
        "--title",
        "Entry into force of the amendment",
        "--json",
    ]);
    assert_eq!(d["number"], "BC-15/3");
    assert_eq!(d["treaty"], "basel");
    assert_eq!(d["title"], "Entry into force of the amendment");
    assert_eq!(d["operative"].as_array().unwrap().len(), 2);
    assert_eq!(d["operative"][1]["subparagraphs"][1]["label"], "b");
    assert_eq!(d["preamble"][0]["decision_refs"][0], "III/1");
    assert_eq!(d["footnotes"][0]["text"], "UNEP/CHW.15/7.");
    let list = sb.json(&["decisions", "list", "--json"]);
    assert_eq!(list[0]["number"], "BC-15/3");
    assert_eq!(list[0]["title"], "Entry into force of the amendment");
}

#[test]
fn a_text_in_another_language_than_the_one_given_is_refused() {
    let sb = Sandbox::new();
    sb.ok(&["init"]);
    std::fs::write(sb.path("es.txt"), SPANISH).unwrap();
    let file = sb.path("es.txt");
    let file = file.to_str().unwrap();
    let before = sb.counts();
    let refused = sb
        .run(&[
            "decisions",
            "import",
            file,
            "--number",
            "SC-3/8",
            "--lang",
            "fr",
        ])
        .failed();
    assert!(refused.stderr.contains("Spanish"), "{}", refused.stderr);
    assert_eq!(sb.counts(), before);
    // Without --lang, the language is the one the text reads in.
    let d = sb.json(&["decisions", "import", file, "--number", "SC-3/8", "--json"]);
    assert_eq!(d["language"], "es");
    assert_eq!(d["operative"][1]["verbs"][0], "requests");
    assert_eq!(d["operative"][1]["deliverables"][0]["due_meeting"], 4);
}

#[test]
fn a_compilation_records_every_decision_or_none() {
    let sb = Sandbox::new();
    sb.ok(&["init"]);
    std::fs::write(
        sb.path("broken.txt"),
        COMPILATION.replace("2. Requests", "3. Requests"),
    )
    .unwrap();
    let before = sb.counts();
    let refused = sb
        .run(&[
            "decisions",
            "import",
            sb.path("broken.txt").to_str().unwrap(),
        ])
        .failed();
    assert!(refused.stderr.contains("MC-6/1"), "{}", refused.stderr);
    assert_eq!(sb.counts(), before, "nothing is recorded");

    std::fs::write(sb.path("all.txt"), COMPILATION).unwrap();
    let run = sb.ok(&["decisions", "import", sb.path("all.txt").to_str().unwrap()]);
    assert!(
        run.stdout
            .contains("MC-6/1 … MC-6/3: 3 decisions, 4 paragraphs."),
        "{}",
        run.stdout
    );
    let list = sb.json(&["decisions", "list", "--json"]);
    let numbers: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, ["MC-6/1", "MC-6/2", "MC-6/3"]);
    let mandates = sb.json(&["mandates", "list", "--decision", "MC-6/3", "--json"]);
    assert_eq!(mandates.as_array().unwrap().len(), 1);
}
