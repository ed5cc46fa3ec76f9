//! Citations: what a text cites, each form read here and nowhere else: decision numbers
//! (`MC-6/20`), UN document symbols with their annexes (`UNEP/MC/COP.6/INF/29, annex I`),
//! `Ibid.` footnotes, bienniums (`2026-2027`), and meetings named by their ordinal ("at its
//! seventh meeting", « à sa prochaine réunion »).

use std::collections::BTreeMap;

use super::bodies::{read_number, Body, Reading};
use super::types::{DocumentRef, Footnote};
use super::vocabulary;
use super::words::{fold, push_unique, roman_value, starts_with_word, trim_token};

/// The decision numbers a text cites, in a text of the treaty of `context`: those of one
/// treaty, and those written in a form several treaties share (`decision III/1` outside a
/// Basel text), which are cited only after a word such as "decision" (« décisions III/1 et
/// IV/2 »), each once. A number under an unknown prefix (`XY-6/20`) is cited as written.
pub(super) fn decision_refs_in(text: &str, context: Option<&Body>) -> (Vec<String>, Vec<String>) {
    let vocabulary = vocabulary::all();
    let (mut refs, mut ambiguous) = (vec![], vec![]);
    let mut after_citation_word = false;
    for raw in text.split_whitespace() {
        let token = trim_token(raw);
        let folded = fold(token);
        match read_number(token, context) {
            Some(Reading::One(number)) if !number.ambiguous || after_citation_word => {
                push_unique(&mut refs, number.text)
            }
            Some(Reading::Ambiguous(readings)) if after_citation_word => {
                push_unique(&mut ambiguous, readings[0].text.clone())
            }
            Some(Reading::UnknownPrefix { .. }) => push_unique(&mut refs, token.to_string()),
            Some(_) => {}
            None => {
                after_citation_word = vocabulary.decision_citations.contains(&folded)
                    || (after_citation_word && vocabulary.conjunctions.contains(&folded));
                continue;
            }
        }
        // After a number, a list of numbers goes on, up to a word that is not "and".
    }
    (refs, ambiguous)
}

/// Whether a token reads as a decision number of any form (so it is not a document symbol).
fn is_decision_number(token: &str) -> bool {
    read_number(token, None).is_some()
}

/// Bienniums named in a text (`2026-2027`, `2026–2027`), written with a hyphen, each once.
pub(super) fn bienniums_in(text: &str) -> Vec<String> {
    let mut bienniums = vec![];
    for token in text.split_whitespace().map(trim_token) {
        if let Some(biennium) = biennium(token) {
            push_unique(&mut bienniums, biennium);
        }
    }
    bienniums
}

fn biennium(token: &str) -> Option<String> {
    let (first, second) = token.split_once(['-', '–'])?;
    let (first, second) = (year(first)?, year(second)?);
    (second == first + 1).then(|| format!("{first}-{second}"))
}

fn year(s: &str) -> Option<u32> {
    if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A UN document symbol: capital letters before the first slash, letters, digits, dots and
/// hyphens, at least one digit (`UNEP/MC/COP.6/INF/29`, `A/RES/70/1`).
fn is_document_symbol(token: &str) -> bool {
    let mut segments = token.split('/');
    let first = segments.next().unwrap_or("");
    !first.is_empty()
        && first.bytes().all(|b| b.is_ascii_uppercase())
        && token.contains('/')
        && token.split('/').all(|segment| !segment.is_empty())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'-'))
        && token.bytes().any(|b| b.is_ascii_digit())
        && !is_decision_number(token)
}

/// Documents cited in a text, each with the annexes named after it (before the next document).
pub(super) fn document_refs_in(text: &str) -> Vec<DocumentRef> {
    let tokens: Vec<&str> = text.split_whitespace().map(trim_token).collect();
    let starts: Vec<usize> = (0..tokens.len())
        .filter(|&i| is_document_symbol(tokens[i]))
        .collect();
    let mut documents = vec![];
    for (k, &at) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(tokens.len());
        merge_document(
            &mut documents,
            DocumentRef {
                symbol: tokens[at].to_string(),
                annexes: annexes_in(&tokens[at + 1..end]),
            },
        );
    }
    documents
}

/// The annexes named by « annexe I », "annexes I and II", "annex 3".
fn annexes_in(tokens: &[&str]) -> Vec<String> {
    let vocabulary = vocabulary::all();
    let is_annex_word = |t: &&str| {
        let folded = fold(t);
        vocabulary.annex_citations.contains(&folded)
    };
    let Some(at) = tokens.iter().position(is_annex_word) else {
        return vec![];
    };
    let mut annexes = vec![];
    for token in &tokens[at + 1..] {
        if is_annex_number(token) {
            push_unique(&mut annexes, token.to_string());
        } else if !(token.is_empty() || vocabulary.conjunctions.contains(&fold(token))) {
            break;
        }
    }
    annexes
}

/// `I`, `IV`, `3`, `A`.
fn is_annex_number(token: &str) -> bool {
    let roman =
        token.bytes().all(|b| matches!(b, b'I' | b'V' | b'X')) && roman_value(token).is_some();
    let arabic = (1..=3).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_digit());
    let letter = token.len() == 1 && token.bytes().all(|b| b.is_ascii_uppercase());
    roman || arabic || letter
}

/// « Ibid., annexe II. »: a footnote that cites the document of the footnote before.
fn is_ibid(text: &str) -> bool {
    let folded = fold(text);
    vocabulary::all()
        .ibid
        .iter()
        .any(|word| starts_with_word(&folded, word))
}

/// The documents each footnote cites, `Ibid.` resolved to the document of the footnote
/// before, with the annexes that the `Ibid.` footnote names.
pub(super) fn footnote_documents(footnotes: &[Footnote]) -> BTreeMap<u32, Vec<DocumentRef>> {
    let mut documents = BTreeMap::new();
    let mut previous: Vec<DocumentRef> = vec![];
    for note in footnotes {
        let mut cited = document_refs_in(&note.text);
        if cited.is_empty() && is_ibid(&note.text) {
            if let Some(before) = previous.last() {
                let tokens: Vec<&str> = note.text.split_whitespace().map(trim_token).collect();
                cited.push(DocumentRef {
                    symbol: before.symbol.clone(),
                    annexes: annexes_in(&tokens),
                });
            }
        }
        previous = cited.clone();
        documents.insert(note.number, cited);
    }
    documents
}

/// Adds a document to a list, merging its annexes into those of the same symbol.
pub(super) fn merge_document(documents: &mut Vec<DocumentRef>, document: DocumentRef) {
    match documents.iter_mut().find(|d| d.symbol == document.symbol) {
        Some(known) => {
            for annex in document.annexes {
                push_unique(&mut known.annexes, annex);
            }
        }
        None => documents.push(document),
    }
}

/// A mention of a meeting: "at its next meeting", « à sa septième réunion ».
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MeetingMention {
    Next,
    Ordinal(u32),
}

/// The meetings a folded text mentions, in its order.
pub(super) fn meeting_mentions(folded: &str) -> Vec<MeetingMention> {
    let words: Vec<&str> = folded.split(' ').map(trim_token).collect();
    let vocabulary = vocabulary::all();
    words
        .windows(2)
        .filter(|pair| vocabulary.meeting_words.iter().any(|w| w == pair[1]))
        .filter_map(|pair| match pair[0] {
            word if vocabulary.next_meeting.iter().any(|w| w == word) => Some(MeetingMention::Next),
            word => ordinal(word).map(MeetingMention::Ordinal),
        })
        .collect()
}

/// The value of a folded ordinal, 1 to 39: "sixth", « sixieme », "6th", « 6e ».
fn ordinal(word: &str) -> Option<u32> {
    numeric_ordinal(word).or_else(|| spelled_ordinal(word))
}

fn numeric_ordinal(word: &str) -> Option<u32> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let suffix = &word[digits..];
    let known = vocabulary::all()
        .ordinal_suffixes
        .iter()
        .any(|known| known == suffix);
    if digits == 0 || digits > 3 || !known {
        return None;
    }
    word[..digits].parse().ok().filter(|&n| n > 0)
}

/// "sixth", « sixieme », "twenty-first", « dix-septieme », « vingt-et-unieme »: an ordinal in
/// one word, or tens and unit joined by a hyphen, unless the language of the tens writes that
/// value in one word (« dix-deuxieme » is « douzieme »).
fn spelled_ordinal(word: &str) -> Option<u32> {
    if let Some(n) = value_of(&vocabulary::all().ordinals, word) {
        return Some(n);
    }
    let (tens, unit) = word.split_once('-')?;
    let unit = value_of(&vocabulary::all().ordinal_units, unit)?;
    vocabulary::languages().find_map(|(_, words)| {
        let n = value_of(&words.ordinal_tens, tens)? + unit;
        let in_one_word = words.ordinals.iter().any(|(_, value)| *value == n);
        (!in_one_word).then_some(n)
    })
}

fn value_of(words: &[(String, u32)], word: &str) -> Option<u32> {
    words
        .iter()
        .find(|(known, _)| known == word)
        .map(|(_, value)| *value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_in_words_and_figures() {
        assert_eq!(ordinal("sixieme"), Some(6));
        assert_eq!(ordinal("sixth"), Some(6));
        assert_eq!(ordinal("premiere"), Some(1));
        assert_eq!(ordinal("dix-septieme"), Some(17));
        assert_eq!(ordinal("vingt-et-unieme"), Some(21));
        assert_eq!(ordinal("twenty-third"), Some(23));
        assert_eq!(ordinal("6th"), Some(6));
        assert_eq!(ordinal("16e"), Some(16));
        assert_eq!(ordinal("extraordinary"), None);
        assert_eq!(ordinal("2026"), None);
    }

    #[test]
    fn numbers_symbols_and_bienniums() {
        assert!(is_document_symbol("UNEP/MC/COP.6/INF/29"));
        assert!(is_document_symbol("A/RES/70/1"));
        assert!(!is_document_symbol("MC-3/11"));
        assert!(!is_document_symbol("III/1"));
        assert!(!is_document_symbol("VIII/30"));
        assert!(is_document_symbol("UNEP/CHW.14/4"));
        assert!(!is_document_symbol("N/A"));
        assert!(!is_document_symbol("and/or"));
        assert_eq!(biennium("2026–2027"), Some("2026-2027".into()));
        assert_eq!(biennium("2026-2028"), None);
    }

    #[test]
    fn ibid_takes_the_document_of_the_footnote_before() {
        let notes = [
            Footnote {
                number: 2,
                text: "UNEP/MC/COP.6/INF/29, annexes I and III.".into(),
            },
            Footnote {
                number: 3,
                text: "Ibid., annex II.".into(),
            },
            Footnote {
                number: 4,
                text: "See the website.".into(),
            },
            Footnote {
                number: 5,
                text: "Ibid.".into(),
            },
        ];
        let documents = footnote_documents(&notes);
        assert_eq!(documents[&2][0].annexes, vec!["I", "III"]);
        assert_eq!(documents[&3][0].symbol, "UNEP/MC/COP.6/INF/29");
        assert_eq!(documents[&3][0].annexes, vec!["II"]);
        assert!(documents[&5].is_empty());
    }
}
