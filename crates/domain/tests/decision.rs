//! The reader of decisions on the French text of MC-6/20 as converted from Word, and on an
//! English version of it in UN style with the same Word noise; clear errors for texts that are
//! not decisions; and property tests: the reader never panics, on arbitrary text or on the real
//! text mangled, and what it returns round-trips through JSON unchanged.

use proptest::prelude::*;
use serde_json::Value;
use synergies_domain::decision::{
    detect_language, parse_decision, parse_decision_given, parse_decisions, Addressee, Condition,
    Decision, DecisionError, DecisionKind, Deliverable, DeliverableKind, DocumentRef, Footnote,
    Given, Language, OperativeVerb, PreambleVerb, Treaty,
};

const FR: &str = include_str!("../../../data/decisions/MC-6-20.fr.txt");
const EN: &str = include_str!("fixtures/MC-6-20.en.txt");

fn mc_6_20(text: &str, language: Language) -> Decision {
    parse_decision(text, language).expect("MC-6/20 reads as a decision")
}

fn french() -> Decision {
    mc_6_20(FR, Language::Fr)
}

fn english() -> Decision {
    mc_6_20(EN, Language::En)
}

/// Every text of a decision: title, paragraphs, sub-paragraphs, footnotes.
fn all_texts(d: &Decision) -> Vec<String> {
    let mut texts = vec![d.title.clone()];
    texts.extend(d.preamble.iter().map(|p| p.text.clone()));
    for p in &d.operative {
        texts.push(p.text.clone());
        for s in &p.subparagraphs {
            texts.push(s.text.clone());
            texts.extend(s.subparagraphs.iter().map(|i| i.text.clone()));
        }
    }
    texts.extend(d.footnotes.iter().map(|f| f.text.clone()));
    texts
}

#[test]
fn the_french_text_is_decision_mc_6_20_of_the_sixth_meeting() {
    let d = french();
    assert_eq!(d.number, "MC-6/20");
    assert_eq!(d.treaty, Treaty::parse("minamata").unwrap());
    assert_eq!(d.treaty.convention_code(), "MINAMATA");
    assert_eq!(d.kind, DecisionKind::Decision);
    assert_eq!(d.meeting, 6);
    assert_eq!(d.language, Language::Fr);
    assert_eq!(
        d.title,
        "Coopération et coordination entre le secrétariat de la Convention de Minamata sur le \
         mercure et le Secrétariat des conventions de Bâle, de Rotterdam et de Stockholm"
    );
}

#[test]
fn the_preamble_has_two_paragraphs_the_second_recalling_three_decisions() {
    let d = french();
    assert_eq!(d.preamble.len(), 2);
    assert_eq!(d.preamble[0].verb, Some(PreambleVerb::Aware));
    assert!(d.preamble[0]
        .text
        .starts_with("Sachant que le partage de services"));
    assert_eq!(d.preamble[1].verb, Some(PreambleVerb::Recalling));
    assert_eq!(
        d.preamble[1].decision_refs,
        vec!["MC-3/11", "MC-4/9", "MC-5/19"]
    );
}

#[test]
fn four_operative_paragraphs_with_their_verbs() {
    use OperativeVerb::*;
    let d = french();
    let numbers: Vec<u32> = d.operative.iter().map(|p| p.number).collect();
    assert_eq!(numbers, vec![1, 2, 3, 4]);
    let verbs: Vec<Vec<OperativeVerb>> = d.operative.iter().map(|p| p.verbs.clone()).collect();
    assert_eq!(
        verbs,
        vec![
            vec![TakesNote],
            vec![Reaffirms],
            vec![Welcomes, Requests],
            vec![Requests]
        ]
    );
}

#[test]
fn paragraph_1_cites_inf_29_annexes_i_and_ii_through_its_footnotes_and_2026_2027() {
    let p1 = &french().operative[0];
    assert_eq!(
        p1.document_refs,
        vec![DocumentRef {
            symbol: "UNEP/MC/COP.6/INF/29".into(),
            annexes: vec!["I".into(), "II".into()],
        }]
    );
    assert_eq!(p1.footnote_refs, vec![2, 3]);
    assert_eq!(p1.bienniums, vec!["2026-2027"]);
    assert!(
        p1.deliverables.is_empty(),
        "taking note of a report asks for none"
    );
    assert!(p1.text.ends_with("pour la période biennale 2026-2027 ;"));
}

#[test]
fn paragraph_3_asks_the_secretariat_subject_to_resources() {
    let p3 = &french().operative[2];
    assert_eq!(p3.conditions, vec![Condition::SubjectToResources]);
    assert_eq!(p3.addressees, vec![Addressee::Secretariat]);
}

#[test]
fn paragraph_4_asks_the_executive_secretary_three_things() {
    let p4 = &french().operative[3];
    assert_eq!(p4.text, "Prie la Secrétaire exécutive :");
    assert_eq!(p4.addressees, vec![Addressee::ExecutiveSecretary]);
    let labels: Vec<&str> = p4.subparagraphs.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels, vec!["a", "b", "c"]);
    assert!(p4.subparagraphs[0]
        .text
        .starts_with("De continuer, avec le secrétariat"));
    assert_eq!(
        p4.subparagraphs[0].conditions,
        vec![Condition::AsAppropriate, Condition::WithinProgrammeOfWork]
    );
}

#[test]
fn subparagraph_4c_asks_for_a_report_at_the_next_meeting_on_2028_2029() {
    let c = &french().operative[3].subparagraphs[2];
    assert_eq!(c.label, "c");
    assert_eq!(
        c.deliverables,
        vec![Deliverable {
            kind: DeliverableKind::Report,
            due_meeting: Some(7),
        }]
    );
    assert_eq!(c.bienniums, vec!["2028-2029"]);
    let others = &french().operative[3].subparagraphs[..2];
    assert!(others.iter().all(|s| s.deliverables.is_empty()));
}

#[test]
fn footnotes_keep_their_number_and_text() {
    let d = french();
    let notes: Vec<(u32, &str)> = d
        .footnotes
        .iter()
        .map(|f| (f.number, f.text.as_str()))
        .collect();
    assert_eq!(
        notes,
        vec![
            (2, "UNEP/MC/COP.6/INF/29, annexe I."),
            (3, "Ibid., annexe II.")
        ]
    );
}

#[test]
fn no_word_marker_or_odd_space_is_left_in_any_text() {
    for d in [french(), english()] {
        for text in all_texts(&d) {
            assert!(!text.contains("[bookmark"), "{text}");
            assert!(!text.contains("[footnoteRef"), "{text}");
            assert!(!text.contains("[2:") && !text.contains("[3:"), "{text}");
            assert!(!text.contains(['\u{a0}', '\u{202f}', '\t', '\n']), "{text}");
            assert!(!text.contains("  ") && text.trim() == text, "{text:?}");
        }
    }
}

#[test]
fn the_json_has_the_names_of_the_issue() {
    let json = serde_json::to_value(french()).unwrap();
    assert_eq!(json["number"], "MC-6/20");
    assert_eq!(json["treaty"], "minamata");
    assert_eq!(json["meeting"], 6);
    assert_eq!(json["language"], "fr");
    assert_eq!(json["preamble"][1]["verb"], "recalling");
    assert_eq!(
        json["operative"][2]["verbs"],
        serde_json::json!(["welcomes", "requests"])
    );
    assert_eq!(
        json["operative"][2]["conditions"][0],
        "subject_to_resources"
    );
    assert_eq!(json["operative"][3]["addressees"][0], "executive_secretary");
    let c = &json["operative"][3]["subparagraphs"][2];
    assert_eq!(c["label"], "c");
    assert_eq!(
        c["deliverables"],
        serde_json::json!([{"kind": "report", "due_meeting": 7}])
    );
    assert_eq!(
        json["operative"][0]["document_refs"][0]["symbol"],
        "UNEP/MC/COP.6/INF/29"
    );
    assert_eq!(
        json["footnotes"][0],
        serde_json::json!({"number": 2, "text": "UNEP/MC/COP.6/INF/29, annexe I."})
    );
}

/// A decision without its words: what must be the same in every language.
fn structure(d: &Decision) -> Value {
    fn strip(value: &mut Value) {
        match value {
            Value::Object(map) => {
                for words in ["text", "title", "language"] {
                    map.remove(words);
                }
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(d).unwrap();
    strip(&mut value);
    value
}

#[test]
fn the_english_version_gives_the_same_structure() {
    let (fr, en) = (french(), english());
    assert_eq!(en.language, Language::En);
    assert!(en.title.starts_with("Cooperation and coordination between"));
    assert_eq!(en.operative[3].text, "Requests the Executive Secretary:");
    assert_eq!(structure(&en), structure(&fr));
}

#[test]
fn any_kind_of_space_before_semicolons_and_colons_reads_the_same() {
    let reference = structure(&french());
    for space in ["", " ", "\u{a0}", "\u{202f}", "\t"] {
        let respaced = FR
            .replace("\u{a0};", &format!("{space};"))
            .replace("\u{a0}:", &format!("{space}:"));
        assert_eq!(structure(&mc_6_20(&respaced, Language::Fr)), reference);
    }
}

#[test]
fn windows_line_ends_and_a_byte_order_mark_read_the_same() {
    let windows = format!("\u{feff}{}", FR.replace('\n', "\r\n"));
    assert_eq!(mc_6_20(&windows, Language::Fr), french());
}

#[test]
fn the_decision_is_found_in_a_compilation_after_its_table_of_contents() {
    let compilation = format!(
        "Table des matières\nDécision MC-6/20 : Coopération\nDécision MC-6/21 : Autre\n{FR}\n\
         Décision MC-6/21 : Autre chose\nLa Conférence des Parties,\n1. Décide de rien ;\n"
    );
    let d = mc_6_20(&compilation, Language::Fr);
    assert_eq!(d.number, "MC-6/20");
    assert_eq!(structure(&d), structure(&french()));
}

#[test]
fn roman_numeral_items_nest_under_their_letter() {
    let text = "Décision BC-16/3 : Essai\nLa Conférence des Parties,\n\
                1. Prie le Secrétariat :\na) De faire :\ni) ceci ;\nii) cela ;\nb) De finir ;\n\
                2. Invite les Parties et les autres parties prenantes à agir ;\n";
    let d = parse_decision(text, Language::Fr).unwrap();
    assert_eq!(d.treaty, Treaty::parse("basel").unwrap());
    assert_eq!(d.meeting, 16);
    let p1 = &d.operative[0];
    let labels: Vec<&str> = p1.subparagraphs.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels, vec!["a", "b"]);
    let items: Vec<&str> = p1.subparagraphs[0]
        .subparagraphs
        .iter()
        .map(|s| s.label.as_str())
        .collect();
    assert_eq!(items, vec!["i", "ii"]);
    assert_eq!(
        d.operative[1].addressees,
        vec![Addressee::Parties, Addressee::Stakeholders]
    );
}

#[test]
fn texts_that_are_not_decisions_give_clear_errors() {
    let err = |text: &str, language| parse_decision(text, language).unwrap_err();
    assert_eq!(err("", Language::Fr), DecisionError::Empty);
    assert_eq!(
        err(" \n\u{a0}\n[bookmark: x]", Language::Fr),
        DecisionError::Empty
    );
    assert_eq!(
        err("Bonjour.\nCeci est une lettre.", Language::Fr),
        DecisionError::NotADecision
    );
    assert_eq!(
        err(EN, Language::Fr),
        DecisionError::LanguageMismatch {
            given: Language::Fr,
            found: Language::En
        }
    );
    assert_eq!(
        err(FR, Language::En),
        DecisionError::LanguageMismatch {
            given: Language::En,
            found: Language::Fr
        }
    );
    assert_eq!(
        err(
            "Décision MC-6/20 : Titre\nLa Conférence des Parties,\n",
            Language::Fr
        ),
        DecisionError::NoOperativeParagraph {
            number: "MC-6/20".into()
        }
    );
    assert_eq!(
        err("Décision XY-6/20 : Titre\n1. Décide ;\n", Language::Fr),
        DecisionError::UnknownTreaty {
            number: "XY-6/20".into(),
            prefix: "XY".into()
        }
    );
    assert_eq!(
        err(
            "à sa cinquième réunion\nDécision MC-6/20 : Titre\n1. Décide ;\n",
            Language::Fr
        ),
        DecisionError::MeetingMismatch {
            number: "MC-6/20".into(),
            of_number: 6,
            of_heading: 5
        }
    );
    let missing_paragraph = FR.replace("\n3. Se félicite", "\n5. Se félicite");
    assert_eq!(
        err(&missing_paragraph, Language::Fr),
        DecisionError::ParagraphOutOfSequence {
            number: "MC-6/20".into(),
            expected: 3,
            found: 5
        }
    );
    let message = err("texte", Language::Fr).to_string();
    assert!(message.contains("not a decision"), "{message}");
}

// ---------------------------------------------------------------------------------------------
// The forms in which treaty sites publish decisions (texts written for these tests in those
// forms).

/// A decision as a treaty site gives it: no title line, the number only in the page's metadata,
/// paragraph numbers and letters glued to their verbs, a footnote glued to the end of a line.
const SITE_FORM: &str = "The Conference of the Parties,\n\
    Recalling the amendment to the Basel Convention set out in decision III/1, known as the \
    “Amendment”,11UNEP/CHW.15/7.\n\
    Noting decision VIII/30 on the partnership programme,\n\
    1.Welcomes the report of the Secretariat;\n\
    2.Requests the Secretariat, subject to the availability of resources:\n\
    (a)To review the cases in documents UNEP/CHW.15/8 and UNEP/CHW.15/9;\n\
    (b)To report to the Conference of the Parties at its next meeting.\n";

fn given(number: &str) -> Given {
    Given {
        number: Some(number.into()),
        title: None,
    }
}

#[test]
fn a_text_without_its_title_line_needs_its_number() {
    let refused = parse_decision(SITE_FORM, Language::En).unwrap_err();
    assert_eq!(
        refused,
        DecisionError::NumberNeeded {
            start: "The Conference of the Parties,".into()
        }
    );
    let message = refused.to_string();
    assert!(
        message.contains("--number") && message.contains("--title"),
        "{message}"
    );
    let d = parse_decision_given(
        SITE_FORM,
        Language::En,
        &Given {
            number: Some("BC-15/3".into()),
            title: Some("Entry into force of the amendment".into()),
        },
    )
    .unwrap();
    assert_eq!(d.number, "BC-15/3");
    assert_eq!(d.treaty.as_str(), "basel");
    assert_eq!(d.treaty.convention_code(), "BASEL");
    assert_eq!(d.meeting, 15);
    assert_eq!(d.title, "Entry into force of the amendment");
    assert_eq!(d.preamble.len(), 2);
    assert_eq!(d.preamble[0].verb, Some(PreambleVerb::Recalling));
    let numbers: Vec<u32> = d.operative.iter().map(|p| p.number).collect();
    assert_eq!(numbers, [1, 2]);
    assert_eq!(d.operative[0].verbs, [OperativeVerb::Welcomes]);
    assert_eq!(
        d.operative[0].text,
        "Welcomes the report of the Secretariat;"
    );
    let p2 = &d.operative[1];
    assert_eq!(p2.addressees, [Addressee::Secretariat]);
    assert_eq!(p2.conditions, [Condition::SubjectToResources]);
    let labels: Vec<&str> = p2.subparagraphs.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels, ["a", "b"]);
    assert!(p2.subparagraphs[0].text.starts_with("To review the cases"));
    let symbols: Vec<&str> = p2.subparagraphs[0]
        .document_refs
        .iter()
        .map(|d| d.symbol.as_str())
        .collect();
    assert_eq!(symbols, ["UNEP/CHW.15/8", "UNEP/CHW.15/9"]);
    assert_eq!(p2.subparagraphs[1].deliverables[0].due_meeting, Some(16));
    // A number given for a text that has its own must be that one.
    assert_eq!(
        parse_decision_given(FR, Language::Fr, &given("MC-6/21")).unwrap_err(),
        DecisionError::NumberMismatch {
            given: "MC-6/21".into(),
            found: "MC-6/20".into()
        }
    );
    assert_eq!(
        parse_decision_given(FR, Language::Fr, &given("MC-06/20")).unwrap(),
        french()
    );
    assert!(matches!(
        parse_decision_given(SITE_FORM, Language::En, &given("nonsense")),
        Err(DecisionError::BadNumber { .. })
    ));
}

#[test]
fn a_glued_footnote_is_a_footnote_and_leaves_the_paragraph() {
    let d = parse_decision_given(SITE_FORM, Language::En, &given("BC-15/3")).unwrap();
    assert_eq!(
        d.footnotes,
        [Footnote {
            number: 1,
            text: "UNEP/CHW.15/7.".into()
        }]
    );
    let recalling = &d.preamble[0];
    assert_eq!(recalling.footnote_refs, [1]);
    assert_eq!(
        recalling.document_refs,
        [DocumentRef {
            symbol: "UNEP/CHW.15/7".into(),
            annexes: vec![]
        }]
    );
    assert!(
        recalling.text.ends_with("known as the “Amendment”,"),
        "{}",
        recalling.text
    );
}

#[test]
fn the_older_numbering_is_read_as_decisions_of_the_texts_treaty() {
    let d = parse_decision_given(SITE_FORM, Language::En, &given("BC-15/3")).unwrap();
    assert_eq!(d.preamble[0].decision_refs, ["III/1"]);
    assert_eq!(d.preamble[1].decision_refs, ["VIII/30"]);
    assert!(d.preamble[1].document_refs.is_empty());
    // In a text of another treaty that does not name the Basel Convention, the same numbers
    // are references that the text does not tell apart.
    let rotterdam = SITE_FORM.replace("the Basel Convention", "the Convention");
    let d = parse_decision_given(&rotterdam, Language::En, &given("RC-9/2")).unwrap();
    assert_eq!(d.treaty.as_str(), "rotterdam");
    assert!(d.preamble[1].decision_refs.is_empty());
    assert_eq!(d.preamble[1].ambiguous_decision_refs, ["VIII/30"]);
    assert!(d.preamble[1].document_refs.is_empty());
    // Without the word "decision" before it, a shared form is no citation at all.
    let bare = SITE_FORM.replace("Noting decision VIII/30", "Noting the VIII/30 programme");
    let d = parse_decision_given(&bare, Language::En, &given("BC-15/3")).unwrap();
    assert!(d.preamble[1].decision_refs.is_empty());
}

#[test]
fn the_brs_heading_without_the_word_decision() {
    let text = "BC-10/3: Indonesian-Swiss country-led initiative\n\
                The Conference of the Parties\n\
                Welcoming the initiative,\n\
                1. Decides to act;\n";
    let d = parse_decision(text, Language::En).unwrap();
    assert_eq!(d.number, "BC-10/3");
    assert_eq!(d.kind, DecisionKind::Decision);
    assert_eq!(d.title, "Indonesian-Swiss country-led initiative");
    // "The Conference of the Parties" without its comma opens the preamble, and is none of it.
    assert_eq!(d.preamble.len(), 1);
    assert_eq!(d.preamble[0].verb, Some(PreambleVerb::Welcoming));
    let extraordinary = "Decision BC.Ex-1/1: Omnibus\n1. Decides to act;\n";
    assert_eq!(
        parse_decision(extraordinary, Language::En).unwrap().meeting,
        1
    );
}

#[test]
fn cbd_and_unfccc_numbers() {
    let cbd = "COP 10 Decision X/8\n\n\
               X/8.A decade on biological diversity\n\n\
               The Conference of the Parties,\n\
               Stressing the importance of biodiversity,\n\
               1.Invites the General Assembly to declare a decade;\n\
               2.Requests the Executive Secretary:\n\
               (a)To encourage the participation of Parties;\n";
    let d = parse_decision(cbd, Language::En).unwrap();
    assert_eq!(
        (d.number.as_str(), d.treaty.as_str(), d.meeting),
        ("X/8", "cbd", 10)
    );
    assert_eq!(d.title, "A decade on biological diversity");
    assert_eq!(d.preamble.len(), 1);
    assert_eq!(d.operative.len(), 2);
    assert_eq!(d.operative[1].addressees, [Addressee::ExecutiveSecretary]);
    assert_eq!(d.operative[1].subparagraphs.len(), 1);
    // The same form in a text that names no treaty cannot be told apart.
    let unnamed = cbd
        .replace("biological diversity", "nature")
        .replace("biodiversity", "nature");
    assert_eq!(
        parse_decision(&unnamed, Language::En).unwrap_err(),
        DecisionError::AmbiguousNumber {
            number: "X/8".into(),
            treaties: "basel, cbd".into()
        }
    );
    let unfccc = "Décision 8/CP.2 : Programme de travail\n\
                  La Conférence des Parties,\n\
                  1. Prie le secrétariat de faire rapport à sa troisième session ;\n";
    let d = parse_decision(unfccc, Language::Fr).unwrap();
    assert_eq!(
        (d.number.as_str(), d.treaty.as_str(), d.meeting),
        ("8/CP.2", "unfccc", 2)
    );
    assert_eq!(d.title, "Programme de travail");
    assert_eq!(d.operative[0].verbs, [OperativeVerb::Requests]);
}

/// A decision in Spanish, as a site publishes it: no title, and the numbers of the paragraphs
/// after the first lost with Word's automatic numbering.
const SPANISH: &str = "La Conferencia de las Partes,\n\
    Recordando sus decisiones SC-2/15 y SC-3/1 sobre la cooperación entre los convenios,\n\
    1.Toma nota del informe de la Secretaría sobre la cooperación y la coordinación entre los \
    convenios;\n\n\
    Acoge con satisfacción el establecimiento del grupo de trabajo conjunto para el bienio \
    2026-2027;\n\n\
    Pide a la Secretaría que, con sujeción a la disponibilidad de recursos, presente un informe \
    a la Conferencia de las Partes en su cuarta reunión.\n";

#[test]
fn a_spanish_text_reads_in_spanish_and_only_in_spanish() {
    use OperativeVerb::*;
    let d = parse_decision_given(SPANISH, Language::Es, &given("SC-3/8")).unwrap();
    assert_eq!(d.language, Language::Es);
    assert_eq!(d.preamble.len(), 1);
    assert_eq!(d.preamble[0].verb, Some(PreambleVerb::Recalling));
    assert_eq!(d.preamble[0].decision_refs, ["SC-2/15", "SC-3/1"]);
    let verbs: Vec<Vec<OperativeVerb>> = d.operative.iter().map(|p| p.verbs.clone()).collect();
    assert_eq!(verbs, [vec![TakesNote], vec![Welcomes], vec![Requests]]);
    let p3 = &d.operative[2];
    assert_eq!(p3.number, 3);
    assert_eq!(p3.addressees, [Addressee::Secretariat]);
    assert_eq!(p3.conditions, [Condition::SubjectToResources]);
    assert_eq!(
        p3.deliverables,
        [Deliverable {
            kind: DeliverableKind::Report,
            due_meeting: Some(4)
        }]
    );
    assert_eq!(d.operative[1].bienniums, ["2026-2027"]);
    assert_eq!(detect_language(SPANISH), Some(Language::Es));
    assert_eq!(detect_language(FR), Some(Language::Fr));
    assert_eq!(detect_language(EN), Some(Language::En));
    for other in [Language::Fr, Language::En] {
        let refused = parse_decision_given(SPANISH, other, &given("SC-3/8")).unwrap_err();
        assert_eq!(
            refused,
            DecisionError::LanguageMismatch {
                given: other,
                found: Language::Es
            }
        );
        assert!(refused.to_string().contains("Spanish"), "{refused}");
    }
}

#[test]
fn a_compilation_gives_every_decision_under_its_number() {
    let compilation = format!(
        "Decisions adopted by the Conference of the Parties at its sixth meeting\n\
         Contents\nMC-6/18: First\nMC-6/19: Second\nMC-6/20: Cooperation\n\
         Decision MC-6/18: First\nThe Conference of the Parties,\n\
         1. Decides to act;[footnoteRef:1]\n[1:  UNEP/MC/COP.6/1.]\n\
         2. Requests the Secretariat to report at its seventh meeting.\n\
         Annex to decision MC-6/18\nTerms of reference at the eighth meeting\n\
         MC-6/19: Second\nThe Conference of the Parties\n1.Notes the report.\n\
         {EN}"
    );
    let decisions = parse_decisions(&compilation, Language::En, &Given::default()).unwrap();
    let numbers: Vec<&str> = decisions.iter().map(|d| d.number.as_str()).collect();
    assert_eq!(numbers, ["MC-6/18", "MC-6/19", "MC-6/20"]);
    assert_eq!(decisions[0].operative.len(), 2);
    assert_eq!(decisions[0].footnotes.len(), 1);
    assert_eq!(decisions[1].title, "Second");
    assert_eq!(decisions[1].operative[0].verbs, [OperativeVerb::Notes]);
    assert!(decisions[1].footnotes.is_empty());
    assert_eq!(structure(&decisions[2]), structure(&english()));
    // One decision is read as one; a number given beside a compilation is refused.
    assert_eq!(
        parse_decisions(EN, Language::En, &Given::default()).unwrap(),
        [english()]
    );
    assert!(matches!(
        parse_decisions(&compilation, Language::En, &given("MC-6/20")),
        Err(DecisionError::NumberMismatch { .. })
    ));
    // All or nothing: one decision out of sequence refuses the whole text.
    let broken = compilation.replace("2. Requests the Secretariat", "3. Requests the Secretariat");
    assert!(matches!(
        parse_decisions(&broken, Language::En, &Given::default()),
        Err(DecisionError::ParagraphOutOfSequence { .. })
    ));
}

// ---------------------------------------------------------------------------------------------
// Properties.

/// Whatever the reader returns survives JSON unchanged.
fn check_round_trip(result: Result<Decision, DecisionError>) -> Result<(), TestCaseError> {
    if let Ok(decision) = result {
        let json = serde_json::to_string(&decision).unwrap();
        let back: Decision = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, decision);
    }
    Ok(())
}

fn language() -> impl Strategy<Value = Language> {
    prop_oneof![Just(Language::Fr), Just(Language::En), Just(Language::Es)]
}

/// Every way of reading a text: alone, with a number given, as a compilation. Each either reads
/// or is refused with a message; none panics.
fn check_every_reading(text: &str, language: Language) -> Result<(), TestCaseError> {
    check_round_trip(parse_decision(text, language))?;
    check_round_trip(parse_decision_given(text, language, &given("BC-14/2")))?;
    let _ = detect_language(text);
    match parse_decisions(text, language, &Given::default()) {
        Ok(decisions) => {
            prop_assert!(!decisions.is_empty());
            for d in decisions {
                check_round_trip(Ok(d))?;
            }
        }
        Err(e) => prop_assert!(!e.to_string().is_empty()),
    }
    Ok(())
}

/// Pieces of decisions and of Word noise, to build texts that reach deep into the reader.
fn fragment() -> impl Strategy<Value = String> {
    const PIECES: &[&str] = &[
        "[bookmark: _Hlk38284587]",
        "[bookmark:",
        "[footnoteRef:2]",
        "[footnoteRef:",
        "[2:  UNEP/MC/COP.6/INF/29, annexe I.]",
        "[3:  Ibid., annexe II.]",
        "[4:  ",
        "[",
        "]",
        "\n",
        "\r\n",
        " ",
        "\u{a0}",
        "\u{202f};",
        " :",
        "\t",
        "1. ",
        "2. ",
        "4.",
        "a) ",
        "(b) ",
        "i) ",
        "(ii) ",
        "h) ",
        "Décision MC-6/20 : ",
        "Decision BC-16/21: ",
        "La Conférence des Parties,\n",
        "The Conference of the Parties,\n",
        "à sa sixième réunion",
        "at its next meeting",
        "Rappelant ses décisions MC-3/11, MC-4/9 et MC-5/19,",
        "Prie la Secrétaire exécutive",
        "and requests the Executive Secretary, Parties and other stakeholders",
        ", et demande au secrétariat",
        "sous réserve de la disponibilité des ressources",
        "subject to the availability of resources",
        "De présenter un rapport",
        "To report on",
        "2026-2027",
        "2028–2029",
        "UNEP/MC/COP.6/INF/29",
        "annexes I et II",
        "Ibid.",
        "Annexe\n",
        "BC-10/3: ",
        "COP 10 Decision X/8\n",
        "X/8.United ",
        "Décision 8/CP.2 : ",
        "XIII.5",
        "4/22",
        "decision III/1, ",
        "decisions VIII/30 and IX/2",
        "1.Decides ",
        "2.Requests ",
        "(a)To review ",
        "Convention;11UNEP/CHW.14/4.",
        ",1212Ibid.",
        "The Conference of the Parties\n",
        "La Conferencia de las Partes,\n",
        "1.Toma nota ",
        "Acoge con satisfacción ",
        "con sujeción a la disponibilidad de recursos",
        "en su cuarta reunión",
        "’",
        "œ",
        "İ",
    ];
    prop_oneof![
        3 => prop::sample::select(PIECES).prop_map(str::to_string),
        1 => any::<String>(),
    ]
}

fn noisy_text() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..60).prop_map(|pieces| pieces.concat())
}

fn fixture() -> impl Strategy<Value = (&'static str, Language)> {
    prop_oneof![Just((FR, Language::Fr)), Just((EN, Language::En))]
}

/// The byte offset of the `n`th character boundary of `text` (modulo its length).
fn boundary(text: &str, n: usize) -> usize {
    let boundaries: Vec<usize> = text
        .char_indices()
        .map(|(at, _)| at)
        .chain([text.len()])
        .collect();
    boundaries[n % boundaries.len()]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>(), language in language()) {
        check_every_reading(&text, language)?;
    }

    #[test]
    fn text_made_of_decision_pieces_and_word_noise_never_panics(
        text in noisy_text(),
        language in language(),
    ) {
        check_every_reading(&text, language)?;
    }

    #[test]
    fn the_real_text_truncated_never_panics(
        (text, language) in fixture(),
        keep in any::<usize>(),
        from_start in any::<bool>(),
    ) {
        let cut = boundary(text, keep);
        let truncated = if from_start { &text[..cut] } else { &text[cut..] };
        let result = parse_decision(truncated, language);
        if let Ok(d) = &result {
            prop_assert_eq!(d.number.as_str(), "MC-6/20");
            prop_assert!(d.operative.len() <= 4);
        }
        check_round_trip(result)?;
    }

    #[test]
    fn the_real_text_with_noise_inserted_never_panics(
        (text, language) in fixture(),
        insertions in prop::collection::vec((any::<usize>(), fragment()), 1..6),
    ) {
        let mut text = text.to_string();
        for (at, noise) in insertions {
            let at = boundary(&text, at);
            text.insert_str(at, &noise);
        }
        check_every_reading(&text, language)?;
    }

    #[test]
    fn the_real_text_with_a_piece_cut_out_never_panics(
        (text, language) in fixture(),
        start in any::<usize>(),
        len in 0usize..400,
    ) {
        let from = boundary(text, start);
        let to = boundary(&text[from..], len.min(text.len() - from)) + from;
        let cut = format!("{}{}", &text[..from], &text[to..]);
        check_round_trip(parse_decision(&cut, language))?;
    }
}

#[test]
fn the_mandates_of_mc_6_20() {
    use synergies_domain::mandate::{mandates_of, Tracking};
    let d = parse_decision(FR, Language::Fr).unwrap();
    let m = mandates_of(&d);
    let summary: Vec<(String, &str, Option<String>, Option<u32>)> = m
        .iter()
        .map(|x| {
            (
                x.paragraph.clone(),
                x.tracking.as_str(),
                x.deliverable.clone(),
                x.due_meeting,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("1".into(), "informational", None, None),
            ("2".into(), "informational", None, None),
            ("3".into(), "operational", None, None),
            ("4(a)".into(), "operational", None, None),
            ("4(b)".into(), "operational", None, None),
            ("4(c)".into(), "operational", Some("report".into()), Some(7)),
        ]
    );
    assert_eq!(m[5].actor.as_deref(), Some("executive_secretary"));
    assert!(m.iter().all(|x| x.decision == "MC-6/20"));
    assert_eq!(m[2].tracking, Tracking::Operational);
}
