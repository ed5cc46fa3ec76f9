//! Structure: the lines of a clean text split into heading, title line, preamble and operative
//! part, and the operative part assembled into numbered paragraphs, lettered sub-paragraphs and
//! roman-numeral items, each line with the footnotes it refers to. How a decision is laid out
//! (its headings, title line, paragraph numbers and labels) is known here and nowhere else.

use super::bodies;
use super::citations::{meeting_mentions, MeetingMention};
use super::clean::{collapse_spaces, CleanText};
use super::reading::opens_with_operative_verb;
use super::types::{DecisionError, DecisionKind};
use super::vocabulary::{self, Language};
use super::words::{fold, roman_value, starts_with_word, trim_token};

/// A line of the text without markers, its spaces collapsed, with the footnotes it refers to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Line {
    pub text: String,
    pub footnote_refs: Vec<u32>,
}

impl Line {
    fn with_text(&self, text: &str) -> Line {
        Line {
            text: text.to_string(),
            footnote_refs: self.footnote_refs.clone(),
        }
    }

    /// A line that continues this one (a paragraph broken in two by the conversion).
    fn append(&mut self, other: &Line) {
        if !self.text.is_empty() {
            self.text.push(' ');
        }
        self.text.push_str(&other.text);
        self.footnote_refs.extend(&other.footnote_refs);
    }
}

/// The non-empty lines of a clean text, each with the footnote references that stood in it.
pub(super) fn split_lines(clean: &CleanText) -> Vec<Line> {
    let mut lines = vec![];
    let mut refs = clean.footnote_refs.iter().peekable();
    let mut start = 0;
    for raw in clean.text.split('\n') {
        let end = start + raw.len();
        let mut footnote_refs = vec![];
        while let Some(&&(at, number)) = refs.peek() {
            if at > end {
                break;
            }
            footnote_refs.push(number);
            refs.next();
        }
        let text = collapse_spaces(raw);
        if !text.is_empty() {
            lines.push(Line {
                text,
                footnote_refs,
            });
        }
        start = end + 1;
    }
    lines
}

/// The title line: « Décision MC-6/20 : Coopération … », "Decision MC-6/20: Cooperation …",
/// "COP 10 Decision X/8", and the forms without the word "Decision": "BC-10/3: Title",
/// "X/8.United Nations Decade …".
#[derive(Debug, Clone)]
pub(super) struct TitleLine {
    pub kind: DecisionKind,
    /// The number as written, without the punctuation around it: `MC-6/20`, `X/8`.
    pub token: String,
    /// What follows the number: the title, when it is on the same line.
    pub rest: String,
}

pub(super) fn title_line(text: &str) -> Option<TitleLine> {
    let words: Vec<&str> = text.split(' ').collect();
    // "Decision MC-6/20: …", or after up to three words in capitals or figures ("COP 10").
    for skip in 0..words.len().min(4) {
        if skip > 0 && !is_heading_word(words[skip - 1]) {
            break;
        }
        let Some(kind) = decision_kind(&fold(trim_token(words[skip]))) else {
            continue;
        };
        let (token, glued) = split_number(words.get(skip + 1)?)?;
        return Some(TitleLine {
            kind,
            token,
            rest: title_rest(glued, &words[skip + 2..]),
        });
    }
    // "BC-10/3: Title": a number that opens the line, followed by a colon or a full stop and
    // its title (not by a comma: "MC-3/11, MC-4/9 …" continues a sentence).
    let (token, glued) = split_number(words[0])?;
    let after = words[0].strip_prefix(token.as_str())?;
    let separated = after.starts_with([':', '.'])
        || (after.is_empty() && words.get(1).is_some_and(|w| [":", "–", "—"].contains(w)));
    if !separated {
        return None;
    }
    let rest = title_rest(glued, &words[1..]);
    rest.starts_with(char::is_uppercase).then_some(TitleLine {
        kind: DecisionKind::Decision,
        token,
        rest,
    })
}

/// `COP`, `10`: a word of a heading before "Decision", in capitals or figures.
fn is_heading_word(word: &str) -> bool {
    !word.is_empty()
        && !word.chars().any(char::is_lowercase)
        && bodies::read_number(trim_token(word), None).is_none()
}

/// A word that opens with a decision number: the number, and what is glued after it
/// (`X/8.United` gives `X/8` and `United`; `BC-10/3:` gives `BC-10/3`).
fn split_number(word: &str) -> Option<(String, &str)> {
    let whole = trim_token(word);
    if bodies::read_number(whole, None).is_some() {
        return Some((whole.to_string(), ""));
    }
    word.char_indices()
        .rev()
        .filter(|&(_, c)| c == '.' || c == ':')
        .find_map(|(at, _)| {
            let token = trim_token(&word[..at]);
            bodies::read_number(token, None).map(|_| (token.to_string(), &word[at + 1..]))
        })
}

fn title_rest(glued: &str, words: &[&str]) -> String {
    let mut rest = glued.to_string();
    for word in words {
        if !rest.is_empty() {
            rest.push(' ');
        }
        rest.push_str(word);
    }
    rest.trim_start_matches([':', '-', '–', '—', '.', ' '])
        .trim_end()
        .to_string()
}

fn decision_kind(folded_word: &str) -> Option<DecisionKind> {
    vocabulary::all()
        .decision_kinds
        .iter()
        .find(|(word, _)| word == folded_word)
        .map(|(_, kind)| *kind)
}

/// The title lines of the text, each with its place; of two lines in a row that give the same
/// number ("COP 10 Decision X/8", then "X/8.United Nations …"), the second.
pub(super) fn title_lines(lines: &[Line]) -> Vec<(usize, TitleLine)> {
    let all: Vec<(usize, TitleLine)> = lines
        .iter()
        .enumerate()
        .filter_map(|(at, line)| title_line(&line.text).map(|title| (at, title)))
        .collect();
    let mut titles: Vec<(usize, TitleLine)> = vec![];
    for (at, title) in all {
        if let Some((before, previous)) = titles.last() {
            if *before + 1 == at && previous.token == title.token && previous.rest.is_empty() {
                titles.pop();
            }
        }
        titles.push((at, title));
    }
    titles
}

/// Whether the title line at `at` is followed by operative paragraphs (a table of contents
/// lists titles too).
pub(super) fn has_operative_part(lines: &[Line], at: usize) -> bool {
    body_of(&lines[at + 1..])
        .iter()
        .any(|line| numbered_paragraph(&line.text).is_some())
}

/// The lines of the decision after its title: up to the title of the next decision or an annex.
pub(super) fn body_of(after_title: &[Line]) -> &[Line] {
    let end = after_title
        .iter()
        .position(|line| title_line(&line.text).is_some() || is_annex_heading(&line.text))
        .unwrap_or(after_title.len());
    &after_title[..end]
}

/// « Annexe », "Annex I", "Annex to decision MC-6/20": a short line that opens an annex.
fn is_annex_heading(text: &str) -> bool {
    let folded = fold(text);
    let first = folded.split(' ').next().map(trim_token).unwrap_or("");
    vocabulary::all()
        .annex_headings
        .iter()
        .any(|word| word == first)
        && folded.split(' ').count() <= 12
        && !folded.ends_with([',', ';'])
}

/// "The Conference of the Parties," (« La Conférence des Parties, »): the line that opens the
/// preamble, with its comma or without it, but not a sentence of its own.
pub(super) fn is_body_line(text: &str) -> bool {
    let folded = fold(text);
    vocabulary::all()
        .acting_bodies
        .iter()
        .any(|body| starts_with_word(&folded, body))
        && !folded.ends_with(['.', ';'])
        && folded.split(' ').count() <= 15
}

/// The title, from the title line, or from the next line when the title line has only the
/// number; and the lines that follow it.
pub(super) fn title_and_body<'a>(title: &TitleLine, body: &'a [Line]) -> (String, &'a [Line]) {
    if !title.rest.is_empty() {
        return (title.rest.clone(), body);
    }
    match body.first() {
        Some(next) if !is_body_line(&next.text) && numbered_paragraph(&next.text).is_none() => {
            (next.text.clone(), &body[1..])
        }
        _ => (String::new(), body),
    }
}

/// The preamble (after "The Conference of the Parties," when the text has it) and the
/// operative part (from the first numbered paragraph).
pub(super) fn split_preamble(body: &[Line]) -> (&[Line], &[Line]) {
    let first_operative = body
        .iter()
        .position(|line| numbered_paragraph(&line.text).is_some())
        .unwrap_or(body.len());
    let (before, operative) = body.split_at(first_operative);
    let preamble_start = before
        .iter()
        .position(|line| is_body_line(&line.text))
        .map_or(0, |at| at + 1);
    (&before[preamble_start..], operative)
}

/// The meeting of the decision: the one its number gives, which the heading, when it names a
/// meeting ("… at its sixth meeting"), must agree with.
pub(super) fn meeting_of(
    before_title: &[Line],
    number: &str,
    meeting: u32,
) -> Result<u32, DecisionError> {
    let named = before_title.iter().rev().find_map(|line| {
        meeting_mentions(&fold(&line.text))
            .into_iter()
            .find_map(|mention| match mention {
                MeetingMention::Ordinal(n) => Some(n),
                MeetingMention::Next => None,
            })
    });
    match named {
        Some(of_heading) if of_heading != meeting => Err(DecisionError::MeetingMismatch {
            number: number.to_string(),
            of_number: meeting,
            of_heading,
        }),
        _ => Ok(meeting),
    }
}

/// A numbered operative paragraph as assembled from its lines, before it is read.
#[derive(Debug, Clone)]
pub(super) struct RawParagraph {
    pub number: u32,
    pub chapeau: Line,
    pub subparagraphs: Vec<RawSubparagraph>,
}

/// A lettered sub-paragraph or a roman-numeral item, before it is read.
#[derive(Debug, Clone)]
pub(super) struct RawSubparagraph {
    pub label: String,
    pub line: Line,
    pub items: Vec<RawSubparagraph>,
}

/// `1. Prend note …`, or glued to its verb as sites publish it (`1.Decides …`): the number
/// (up to three digits) and the text after it.
pub(super) fn numbered_paragraph(text: &str) -> Option<(u32, &str)> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let rest = text[digits..].strip_prefix('.')?;
    if !(rest.is_empty() || rest.starts_with(' ') || rest.starts_with(char::is_uppercase)) {
        return None;
    }
    let number: u32 = text[..digits].parse().ok()?;
    (number > 0).then(|| (number, rest.trim()))
}

/// `a) De continuer …`, `(a) To continue …`, `ii) …`, or glued to its text (`(a)To review`):
/// the label and the text after it.
fn subparagraph_label(text: &str) -> Option<(&str, &str)> {
    let (label, rest) = match text.strip_prefix('(') {
        Some(inner) => inner.split_once(')')?,
        None => text.split_once(')')?,
    };
    let plausible = (1..=6).contains(&label.len())
        && label.bytes().all(|b| b.is_ascii_lowercase())
        && (label.len() == 1 || roman_value(label).is_some() || is_doubled_letter(label));
    let separated =
        rest.is_empty() || rest.starts_with(' ') || rest.starts_with(char::is_uppercase);
    if !plausible || !separated {
        return None;
    }
    Some((label, rest.trim()))
}

/// `aa`, `bb`: the labels that follow `z`.
fn is_doubled_letter(label: &str) -> bool {
    let first = label.as_bytes()[0];
    label.bytes().all(|b| b == first)
}

/// Where the assembly stands within a paragraph, to tell `i)` the letter from `i)` the numeral.
#[derive(Debug, Default)]
struct LabelState {
    last_letter: Option<char>,
}

#[derive(Debug, PartialEq, Eq)]
enum LabelKind {
    Letter,
    Roman,
}

/// A label is a letter when it follows the last letter (`i` after `h`), else a roman numeral
/// when it is one (`i` after `a`, `v` after `iv`), else a letter.
fn label_kind(label: &str, state: &LabelState) -> LabelKind {
    let next_letter = match state.last_letter {
        None => Some('a'),
        Some(c) if c < 'z' => Some((c as u8 + 1) as char),
        Some(_) => None,
    };
    let mut chars = label.chars();
    let is_next_letter = chars.next() == next_letter && chars.next().is_none();
    if is_next_letter || roman_value(label).is_none() {
        LabelKind::Letter
    } else {
        LabelKind::Roman
    }
}

/// Assembles the operative part: each numbered line opens a paragraph, each labelled line a
/// sub-paragraph or item, and any other line continues the last element, unless it has lost
/// its number (see [`lost_number`]).
pub(super) fn assemble_operative(
    lines: &[Line],
    number: &str,
    language: Language,
) -> Result<Vec<RawParagraph>, DecisionError> {
    let mut paragraphs: Vec<RawParagraph> = vec![];
    let mut labels = LabelState::default();
    for line in lines {
        let numbered = numbered_paragraph(&line.text).or_else(|| {
            let last = paragraphs.last()?;
            lost_number(last, &line.text, language).then(|| (last.number + 1, line.text.as_str()))
        });
        if let Some((found, text)) = numbered {
            let expected = paragraphs.last().map_or(1, |p| p.number + 1);
            if found != expected {
                return Err(DecisionError::ParagraphOutOfSequence {
                    number: number.to_string(),
                    expected,
                    found,
                });
            }
            paragraphs.push(RawParagraph {
                number: found,
                chapeau: line.with_text(text),
                subparagraphs: vec![],
            });
            labels = LabelState::default();
        } else if let Some(paragraph) = paragraphs.last_mut() {
            match subparagraph_label(&line.text) {
                Some((label, text)) => {
                    add_subparagraph(paragraph, &mut labels, label, line.with_text(text))
                }
                None => continue_last_element(paragraph, line),
            }
        }
    }
    if paragraphs.is_empty() {
        return Err(DecisionError::NoOperativeParagraph {
            number: number.to_string(),
        });
    }
    Ok(paragraphs)
}

/// A paragraph whose number Word's automatic numbering kept out of the text that a site
/// published: a line that opens with an operative verb of the language, written with its
/// capital, after a paragraph that ended its sentence (`;` or `.`) and has no sub-paragraph.
fn lost_number(last: &RawParagraph, text: &str, language: Language) -> bool {
    last.subparagraphs.is_empty()
        && last.chapeau.text.ends_with([';', '.'])
        && text.starts_with(char::is_uppercase)
        && opens_with_operative_verb(&fold(text), language)
}

/// A letter opens a sub-paragraph; a roman numeral opens an item of the last lettered
/// sub-paragraph, or a sub-paragraph when the paragraph has no letters.
fn add_subparagraph(
    paragraph: &mut RawParagraph,
    labels: &mut LabelState,
    label: &str,
    line: Line,
) {
    let element = RawSubparagraph {
        label: label.to_string(),
        line,
        items: vec![],
    };
    match label_kind(label, labels) {
        LabelKind::Letter => {
            labels.last_letter = label.chars().next();
            paragraph.subparagraphs.push(element);
        }
        LabelKind::Roman => match paragraph.subparagraphs.last_mut() {
            Some(lettered) if labels.last_letter.is_some() => lettered.items.push(element),
            _ => paragraph.subparagraphs.push(element),
        },
    }
}

/// An unlabelled line continues the innermost last element: item, sub-paragraph or chapeau.
fn continue_last_element(paragraph: &mut RawParagraph, line: &Line) {
    let target = match paragraph.subparagraphs.last_mut() {
        Some(sub) => match sub.items.last_mut() {
            Some(item) => &mut item.line,
            None => &mut sub.line,
        },
        None => &mut paragraph.chapeau,
    };
    target.append(line);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_tell_letters_from_roman_numerals() {
        let mut state = LabelState::default();
        assert_eq!(label_kind("i", &state), LabelKind::Roman);
        assert_eq!(label_kind("a", &state), LabelKind::Letter);
        state.last_letter = Some('a');
        assert_eq!(label_kind("i", &state), LabelKind::Roman);
        assert_eq!(label_kind("ii", &state), LabelKind::Roman);
        assert_eq!(label_kind("b", &state), LabelKind::Letter);
        state.last_letter = Some('h');
        assert_eq!(label_kind("i", &state), LabelKind::Letter);
        state.last_letter = Some('u');
        assert_eq!(label_kind("v", &state), LabelKind::Letter);
        assert_eq!(
            subparagraph_label("(a) To continue"),
            Some(("a", "To continue"))
        );
        assert_eq!(subparagraph_label("iv) De"), Some(("iv", "De")));
        assert_eq!(subparagraph_label("(le)s négociateurs"), None);
        assert_eq!(subparagraph_label("a)b"), None);
    }
}
