//! Decisions of the Conferences of the Parties, read from the text that UN documents publish.
//!
//! [`parse_decision`] turns the text of one decision, in French or in English and as it comes
//! out of Word, into its structure: number, treaty, meeting and title; the preamble paragraphs
//! with their verbs; the numbered operative paragraphs with their verbs, addressees and
//! sub-paragraphs; and, for every paragraph, what it cites (decisions, UN documents, bienniums),
//! the conditions it sets and the deliverables it asks for. Pure: no I/O, no storage. A text
//! that is not a decision gives a [`DecisionError`], never a panic.
//!
//! The reading goes in steps, one part each, so that a change lands in one of them:
//! 1. `clean`: what converters produce is normalised: spaces (non-breaking and narrow spaces,
//!    tabs, line ends), and Word markers: `[bookmark: …]` disappears, `[footnoteRef:N]` is
//!    remembered on its line, and footnote bodies written inline as `[N:  text]` are kept aside;
//! 2. `structure`: the lines are split into heading, title, preamble and operative part, and
//!    the operative part is assembled into numbered paragraphs, lettered sub-paragraphs (`a)`,
//!    `(a)`) and roman-numeral items (`i)`, `(i)`);
//! 3. `reading`: each paragraph is read in the words of its language, on a folded copy of its
//!    text (lower case, no accents, straight apostrophes): verbs, addressees, conditions,
//!    deliverables, and through `citations` the decisions, documents, bienniums and meetings
//!    it cites.
//!
//! The words of each language are data, not code: `vocabulary` compiles in one file per
//! language (`crates/domain/data/decision-vocabulary/<code>.txt`) and reads each once. The
//! public types are in `types`; `words` holds the matching of folded words that every part
//! uses.

/// An enum whose variants are named by the keys written in JSON and in the database.
macro_rules! keyed_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $key:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
        )]
        pub enum $name {
            $(#[serde(rename = $key)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(&self) -> &'static str {
                match self {
                    $($name::$variant => $key),+
                }
            }

            pub fn parse(s: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|k| k.as_str() == s)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

mod citations;
mod clean;
mod reading;
mod structure;
mod types;
mod vocabulary;
mod words;

pub use types::*;
pub use vocabulary::Language;

use clean::{normalise_spaces, strip_word_markers};
use reading::{check_language, Reading};
use structure::{
    assemble_operative, body_of, find_title, meeting_of, split_lines, split_preamble,
    title_and_body,
};
use words::fold;

/// Reads the text of one decision in `language`. When the text holds several decisions (a
/// compilation), the first one with operative paragraphs is read.
pub fn parse_decision(text: &str, language: Language) -> Result<Decision, DecisionError> {
    let clean = strip_word_markers(&normalise_spaces(text), true);
    let lines = split_lines(&clean);
    if lines.is_empty() {
        return Err(DecisionError::Empty);
    }
    let (title_at, title) = find_title(&lines).ok_or(DecisionError::NotADecision)?;
    check_language(&lines, language)?;
    let number = title.number.to_string();
    let treaty =
        Treaty::from_prefix(&title.number.prefix).ok_or_else(|| DecisionError::UnknownTreaty {
            number: number.clone(),
            prefix: title.number.prefix.clone(),
        })?;
    let meeting = meeting_of(&lines[..title_at], &title.number)?;
    let (title_text, body) = title_and_body(&title, body_of(&lines[title_at + 1..]));
    let (preamble_lines, operative_lines) = split_preamble(body);
    let operative = assemble_operative(operative_lines, &number)?;
    let footnote_documents = citations::footnote_documents(&clean.footnotes);
    let reading = Reading {
        language,
        meeting,
        footnotes: &clean.footnotes,
        footnote_documents: &footnote_documents,
    };
    Ok(Decision {
        number,
        treaty,
        kind: title.kind,
        meeting,
        language,
        title: title_text,
        preamble: preamble_lines
            .iter()
            .map(|line| reading.preamble_paragraph(line))
            .collect(),
        operative: operative
            .iter()
            .map(|paragraph| reading.operative_paragraph(paragraph))
            .collect(),
        footnotes: clean.footnotes,
    })
}

/// The body whose meeting adopted the decision in `text`: an extraordinary meeting when the
/// heading before the decision's title line says so, else the Conference of the Parties.
pub fn meeting_body(text: &str) -> MeetingBody {
    let clean = strip_word_markers(&normalise_spaces(text), true);
    let lines = split_lines(&clean);
    let heading = find_title(&lines).map_or(&lines[..0], |(at, _)| &lines[..at]);
    let words = &vocabulary::all().extraordinary;
    let extraordinary = heading.iter().any(|line| {
        let folded = fold(&line.text);
        words.iter().any(|word| folded.contains(word.as_str()))
    });
    if extraordinary {
        MeetingBody::ExCop
    } else {
        MeetingBody::Cop
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_meeting_body_comes_from_the_heading() {
        let ordinary = "Décisions adoptées par la Conférence des Parties à sa sixième réunion\n\
                        Décision MC-6/20 : Coopération\nLa Conférence des Parties,\n1. Prend note.";
        assert_eq!(meeting_body(ordinary), MeetingBody::Cop);
        let extraordinary = "Decisions adopted by the Conference of the Parties at its third \
                             extraordinary meeting\nDecision SC-3/1: Something\n\
                             The Conference of the Parties,\n1. Decides.";
        assert_eq!(meeting_body(extraordinary), MeetingBody::ExCop);
        // A title that speaks of an extraordinary matter is not a heading.
        assert_eq!(
            meeting_body("Decision MC-6/20: Extraordinary cooperation\n1. Notes."),
            MeetingBody::Cop
        );
        assert_eq!(meeting_body(""), MeetingBody::Cop);
        assert_eq!(
            DecisionStatus::parse("in_force"),
            Some(DecisionStatus::InForce)
        );
        assert_eq!(MeetingBody::ExCop.abbreviation(), "ExCOP");
    }
}
