//! Reading each paragraph in the words of its language, on a folded copy of its text: its
//! verbs and the clauses they open, whom they address, the conditions it sets and the
//! deliverables it asks for, with what it cites (through [`super::citations`]). The words
//! themselves are data ([`super::vocabulary`]); how they combine is here.

use std::collections::BTreeMap;

use super::bodies::Body;
use super::citations::{
    bienniums_in, decision_refs_in, document_refs_in, meeting_mentions, merge_document,
    MeetingMention,
};
use super::structure::{Line, RawParagraph, RawSubparagraph};
use super::types::{
    Addressee, Condition, DecisionError, Deliverable, DeliverableKind, DocumentRef, Footnote,
    OperativeParagraph, OperativeVerb, PreambleParagraph, PreambleVerb, Subparagraph,
};
use super::vocabulary::{self, Language};
use super::words::{
    contains_phrase, fold, push_unique, skip_words, starts_with_word, trim_token,
    words_with_offsets,
};

/// What the reading of every paragraph needs to know about the whole decision.
pub(super) struct Reading<'a> {
    pub language: Language,
    /// The decision's treaty, in whose numbering a shared form (`III/1`) is read.
    pub treaty: Option<&'static Body>,
    pub meeting: u32,
    pub footnotes: &'a [Footnote],
    pub footnote_documents: &'a BTreeMap<u32, Vec<DocumentRef>>,
}

/// What a piece of text cites, with its footnotes.
struct Citations {
    decision_refs: Vec<String>,
    ambiguous_decision_refs: Vec<String>,
    document_refs: Vec<DocumentRef>,
    bienniums: Vec<String>,
}

impl Reading<'_> {
    pub fn preamble_paragraph(&self, line: &Line) -> PreambleParagraph {
        let cited = self.citations(line);
        PreambleParagraph {
            verb: preamble_verb(&fold(&line.text), self.language),
            text: line.text.clone(),
            decision_refs: cited.decision_refs,
            ambiguous_decision_refs: cited.ambiguous_decision_refs,
            document_refs: cited.document_refs,
            bienniums: cited.bienniums,
            footnote_refs: line.footnote_refs.clone(),
        }
    }

    pub fn operative_paragraph(&self, raw: &RawParagraph) -> OperativeParagraph {
        let folded = fold(&raw.chapeau.text);
        let clauses = operative_clauses(&folded, self.language);
        let verbs: Vec<OperativeVerb> = clauses.iter().map(|clause| clause.verb).collect();
        let asks = verbs.iter().any(OperativeVerb::asks_for_action);
        let cited = self.citations(&raw.chapeau);
        OperativeParagraph {
            number: raw.number,
            verbs,
            addressees: addressees_of(&clauses),
            text: raw.chapeau.text.clone(),
            subparagraphs: raw
                .subparagraphs
                .iter()
                .map(|sub| self.subparagraph(sub, asks))
                .collect(),
            decision_refs: cited.decision_refs,
            ambiguous_decision_refs: cited.ambiguous_decision_refs,
            document_refs: cited.document_refs,
            bienniums: cited.bienniums,
            conditions: conditions_in(&folded, self.language),
            deliverables: self.deliverables_in(&folded, asks),
            footnote_refs: raw.chapeau.footnote_refs.clone(),
        }
    }

    /// A sub-paragraph asks for action when its paragraph does ("Requests …: (a) To report …")
    /// or when it opens with a request of its own ("(a) To request the Secretariat …").
    fn subparagraph(&self, raw: &RawSubparagraph, parent_asks: bool) -> Subparagraph {
        let folded = fold(&raw.line.text);
        let asks = parent_asks || opens_with_request(&folded, self.language);
        let cited = self.citations(&raw.line);
        Subparagraph {
            label: raw.label.clone(),
            text: raw.line.text.clone(),
            decision_refs: cited.decision_refs,
            ambiguous_decision_refs: cited.ambiguous_decision_refs,
            document_refs: cited.document_refs,
            bienniums: cited.bienniums,
            conditions: conditions_in(&folded, self.language),
            deliverables: self.deliverables_in(&folded, asks),
            footnote_refs: raw.line.footnote_refs.clone(),
            subparagraphs: raw
                .items
                .iter()
                .map(|item| self.subparagraph(item, asks))
                .collect(),
        }
    }

    /// Decisions and documents cited in the text or in its footnotes (`Ibid.` resolved), and
    /// bienniums named in the text.
    fn citations(&self, line: &Line) -> Citations {
        let notes: Vec<&Footnote> = line
            .footnote_refs
            .iter()
            .filter_map(|n| self.footnotes.iter().find(|f| f.number == *n))
            .collect();
        let (mut decision_refs, mut ambiguous_decision_refs) =
            decision_refs_in(&line.text, self.treaty);
        for note in &notes {
            let (refs, ambiguous) = decision_refs_in(&note.text, self.treaty);
            for reference in refs {
                push_unique(&mut decision_refs, reference);
            }
            for reference in ambiguous {
                push_unique(&mut ambiguous_decision_refs, reference);
            }
        }
        let mut document_refs = document_refs_in(&line.text);
        for n in &line.footnote_refs {
            for document in self.footnote_documents.get(n).into_iter().flatten() {
                merge_document(&mut document_refs, document.clone());
            }
        }
        Citations {
            decision_refs,
            ambiguous_decision_refs,
            document_refs,
            bienniums: bienniums_in(&line.text),
        }
    }

    /// The deliverables a text asks for; none when nothing in it asks for action ("Takes note
    /// of the report …" asks for no report).
    fn deliverables_in(&self, folded: &str, asks: bool) -> Vec<Deliverable> {
        if !asks {
            return vec![];
        }
        DeliverableKind::ALL
            .iter()
            .filter(|kind| {
                vocabulary::of(self.language)
                    .deliverables
                    .iter()
                    .any(|(phrase, of)| of == *kind && contains_phrase(folded, phrase))
            })
            .map(|kind| Deliverable {
                kind: *kind,
                due_meeting: due_meeting(folded, self.meeting),
            })
            .collect()
    }
}

// --- verbs

/// An operative verb found in a paragraph, and the text that follows it (its object).
struct Clause<'t> {
    verb: OperativeVerb,
    object: &'t str,
}

/// How sure a place is to open a clause: at the start, after `;` or after ", and", a verb
/// opens one; after a bare "and" or a comma, only a verb followed by its object does ("and
/// requests the Secretariat", not "reports and requests from Parties").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Boundary {
    Clause,
    Doubtful,
}

/// The operative verbs of a folded paragraph, in the order of the text.
fn operative_clauses(folded: &str, language: Language) -> Vec<Clause<'_>> {
    let mut clauses = vec![];
    let mut read_up_to = 0;
    for (at, boundary) in clause_starts(folded) {
        if at < read_up_to {
            continue;
        }
        let Some((verb, object)) = operative_verb_at(&folded[at..], language) else {
            continue;
        };
        if boundary == Boundary::Doubtful && !opens_object(object) {
            continue;
        }
        read_up_to = folded.len() - object.len();
        clauses.push(Clause { verb, object });
    }
    clauses
}

/// The byte offsets of the words of a folded text that may open a clause.
fn clause_starts(folded: &str) -> Vec<(usize, Boundary)> {
    let words = words_with_offsets(folded);
    (0..words.len())
        .filter_map(|i| boundary_before(&words, i).map(|boundary| (words[i].0, boundary)))
        .collect()
}

fn boundary_before(words: &[(usize, &str)], i: usize) -> Option<Boundary> {
    if i == 0 {
        return Some(Boundary::Clause);
    }
    let previous = words[i - 1].1;
    if previous.ends_with([';', ':']) {
        return Some(Boundary::Clause);
    }
    if vocabulary::all()
        .conjunctions
        .iter()
        .any(|word| word == previous)
    {
        let before = if i >= 2 { words[i - 2].1 } else { "" };
        return Some(if before.ends_with([',', ';']) {
            Boundary::Clause
        } else {
            Boundary::Doubtful
        });
    }
    previous.ends_with(',').then_some(Boundary::Doubtful)
}

/// The operative verb that opens `s` (after any adverb), and what follows it.
fn operative_verb_at(s: &str, language: Language) -> Option<(OperativeVerb, &str)> {
    let s = skip_words(s, &vocabulary::all().leading_adverbs);
    vocabulary::of(language)
        .operative_verbs
        .iter()
        .find(|(phrase, _)| starts_with_word(s, phrase))
        .map(|(phrase, verb)| (*verb, &s[phrase.len()..]))
}

/// Whether a folded text opens with an operative verb of `language` (after any adverb).
pub(super) fn opens_with_operative_verb(folded: &str, language: Language) -> bool {
    operative_verb_at(folded, language).is_some()
}

fn opens_object(object: &str) -> bool {
    let vocabulary = vocabulary::all();
    let s = skip_words(object, &vocabulary.trailing_adverbs);
    vocabulary
        .object_openers
        .iter()
        .any(|word| starts_with_word(s, word))
        || vocabulary
            .object_elisions
            .iter()
            .any(|elided| s.starts_with(elided.as_str()))
}

/// The verb that opens a folded preamble paragraph.
fn preamble_verb(folded: &str, language: Language) -> Option<PreambleVerb> {
    let s = skip_words(folded, &vocabulary::all().leading_adverbs);
    vocabulary::of(language)
        .preamble_verbs
        .iter()
        .find(|(phrase, _)| starts_with_word(s, phrase))
        .map(|(_, verb)| *verb)
}

/// « (a) De prier … », "(a) To request …": a sub-paragraph that asks by itself.
fn opens_with_request(folded: &str, language: Language) -> bool {
    vocabulary::of(language)
        .request_openers
        .iter()
        .any(|opener| starts_with_word(folded, opener))
}

// --- addressees

/// The addressees of the clauses that ask for action, in the order of the text.
fn addressees_of(clauses: &[Clause<'_>]) -> Vec<Addressee> {
    let mut addressees = vec![];
    for clause in clauses.iter().filter(|c| c.verb.asks_for_action()) {
        for addressee in addressees_opening(clause.object) {
            push_unique(&mut addressees, addressee);
        }
    }
    addressees
}

/// The addressees that open the object of a verb: "the Executive Secretary", « au
/// secrétariat », "Parties, non-Parties and other stakeholders".
fn addressees_opening(object: &str) -> Vec<Addressee> {
    let mut addressees = vec![];
    let vocabulary = vocabulary::all();
    let mut s = skip_words(object, &vocabulary.trailing_adverbs);
    loop {
        s = skip_determiners(s);
        let Some((phrase, addressee)) = vocabulary
            .addressees
            .iter()
            .find(|(phrase, _)| starts_with_word(s, phrase))
        else {
            break;
        };
        push_unique(&mut addressees, *addressee);
        match after_connector(&s[phrase.len()..]) {
            Some(next) => s = next,
            None => break,
        }
    }
    addressees
}

fn skip_determiners(mut s: &str) -> &str {
    let vocabulary = vocabulary::all();
    loop {
        s = s.trim_start();
        let elided = vocabulary
            .determiner_elisions
            .iter()
            .find_map(|elided| s.strip_prefix(elided.as_str()));
        if let Some(rest) = elided {
            s = rest;
            continue;
        }
        match vocabulary
            .determiners
            .iter()
            .find(|word| starts_with_word(s, word))
        {
            Some(word) => s = &s[word.len()..],
            None => return s,
        }
    }
}

/// What follows ", ", " and ", " et " or ", and " after an addressee; `None` when nothing
/// joins a next one.
fn after_connector(s: &str) -> Option<&str> {
    let s = s.trim_start();
    let after_comma = s.strip_prefix(',').map(str::trim_start);
    let base = after_comma.unwrap_or(s);
    match vocabulary::all()
        .conjunctions
        .iter()
        .find(|word| starts_with_word(base, word))
    {
        Some(word) => Some(&base[word.len()..]),
        None => after_comma,
    }
}

// --- conditions and deliverables

/// The conditions a folded text sets, in the order of [`Condition::ALL`].
fn conditions_in(folded: &str, language: Language) -> Vec<Condition> {
    Condition::ALL
        .iter()
        .copied()
        .filter(|condition| {
            vocabulary::of(language)
                .conditions
                .iter()
                .any(|(phrase, of)| of == condition && contains_phrase(folded, phrase))
        })
        .collect()
}

/// The meeting at which a deliverable is due: the next one, or a later one named.
fn due_meeting(folded: &str, meeting: u32) -> Option<u32> {
    meeting_mentions(folded)
        .into_iter()
        .find_map(|mention| match mention {
            MeetingMention::Next => Some(meeting + 1),
            MeetingMention::Ordinal(n) => (n > meeting).then_some(n),
        })
}

/// How many of the common words of each language a text has, in the order of the languages;
/// a word that several languages list tells nothing and is not counted.
fn common_word_counts(lines: &[Line]) -> Vec<(Language, usize)> {
    let mut counts: Vec<(Language, usize)> = vocabulary::languages().map(|(l, _)| (l, 0)).collect();
    for word in lines.iter().flat_map(|line| line.text.split(' ')) {
        let word = fold(trim_token(word));
        let listed: Vec<usize> = vocabulary::languages()
            .enumerate()
            .filter(|(_, (_, words))| words.common_words.contains(&word))
            .map(|(at, _)| at)
            .collect();
        if let [only] = listed.as_slice() {
            counts[*only].1 += 1;
        }
    }
    counts
}

/// The language a text reads in, when its common words say so plainly: those of one language
/// outnumber those of every other more than three to one.
pub(super) fn detect_language(lines: &[Line]) -> Option<Language> {
    let counts = common_word_counts(lines);
    let &(language, most) = counts.iter().max_by_key(|(_, n)| *n)?;
    let plainly = counts
        .iter()
        .filter(|(l, _)| *l != language)
        .all(|(_, n)| most > 3 * n);
    (most >= 8 && plainly).then_some(language)
}

/// Refuses a text that plainly reads in another language: the common words of that language
/// outnumber those of the given one more than three to one (of the other languages, the one
/// whose words are the most often found counts).
pub(super) fn check_language(lines: &[Line], language: Language) -> Result<(), DecisionError> {
    let counts = common_word_counts(lines);
    let given = counts
        .iter()
        .find(|(l, _)| *l == language)
        .map_or(0, |(_, n)| *n);
    let mut found: Option<(Language, usize)> = None;
    for &(other, n) in counts.iter().filter(|(l, _)| *l != language) {
        if found.is_none_or(|(_, most)| n > most) {
            found = Some((other, n));
        }
    }
    match found {
        Some((found, other)) if other >= 8 && other > 3 * given => {
            Err(DecisionError::LanguageMismatch {
                given: language,
                found,
            })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_after_and_need_their_object() {
        let verbs = |text: &str, language| -> Vec<OperativeVerb> {
            operative_clauses(&fold(text), language)
                .iter()
                .map(|c| c.verb)
                .collect()
        };
        use OperativeVerb::*;
        assert_eq!(
            verbs(
                "Welcomes the report and requests the Secretariat to act;",
                Language::En
            ),
            vec![Welcomes, Requests]
        );
        assert_eq!(
            verbs(
                "Takes note of reports and requests from Parties;",
                Language::En
            ),
            vec![TakesNote]
        );
        assert_eq!(
            verbs(
                "Also requests Parties; further invites observers",
                Language::En
            ),
            vec![Requests, Invites]
        );
        assert_eq!(
            verbs(
                "Se félicite de X, et prie également le secrétariat",
                Language::Fr
            ),
            vec![Welcomes, Requests]
        );
    }

    #[test]
    fn addressees_are_the_object_of_the_request() {
        let object = |text: &str| addressees_opening(&fold(text));
        use Addressee::*;
        assert_eq!(
            object(" Parties, non-Parties and other stakeholders to report"),
            vec![Parties, NonParties, Stakeholders]
        );
        assert_eq!(
            object(" the secretariat to cooperate with Parties"),
            vec![Secretariat]
        );
        assert_eq!(
            object(" également aux parties et aux autres parties prenantes"),
            vec![Parties, Stakeholders]
        );
    }
}
