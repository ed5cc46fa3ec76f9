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

        // By hand: a derive does not read the keys that this macro passes to `serde(rename)`.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($key),+]))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

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

mod bodies;
mod citations;
mod clean;
mod reading;
mod structure;
mod types;
mod vocabulary;
mod words;

pub use types::*;
pub use vocabulary::Language;

use bodies::{read_number, Body};
use clean::{normalise_spaces, strip_word_markers, unglue_footnotes, CleanText};
use reading::{check_language, Reading};
use structure::{
    assemble_operative, body_of, has_operative_part, is_body_line, meeting_of, numbered_paragraph,
    split_lines, split_preamble, title_and_body, title_lines, Line, TitleLine,
};
use words::fold;

/// What the officer says of a text beside it: the decision's number and title, for a text
/// that starts at "The Conference of the Parties," without a title line (a treaty site gives
/// the number only in the page's metadata). A number given for a text that has its title line
/// must be the text's own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Given {
    pub number: Option<String>,
    pub title: Option<String>,
}

/// Reads the text of one decision in `language`. When the text holds several decisions (a
/// compilation), the first one with operative paragraphs is read.
pub fn parse_decision(text: &str, language: Language) -> Result<Decision, DecisionError> {
    parse_decision_given(text, language, &Given::default())
}

/// Reads the text of one decision in `language`, with what the officer gives beside it. When
/// the text holds several decisions, the first one with operative paragraphs is read.
pub fn parse_decision_given(
    text: &str,
    language: Language,
    given: &Given,
) -> Result<Decision, DecisionError> {
    let prepared = Prepared::new(text, language)?;
    let titles = prepared.titles_with_operative_part();
    match titles.first() {
        Some((at, title)) => prepared.read(
            Some(title),
            &prepared.lines[..*at],
            &prepared.lines[at + 1..],
            given,
            false,
        ),
        None => prepared.untitled(given),
    }
}

/// Reads every decision of a text (a compilation of a meeting, or one decision), each under
/// its number, in the order of the text: all of them, or the first error. A number given
/// beside the text is for a text of one decision.
pub fn parse_decisions(
    text: &str,
    language: Language,
    given: &Given,
) -> Result<Vec<Decision>, DecisionError> {
    let prepared = Prepared::new(text, language)?;
    let titles = prepared.titles_with_operative_part();
    if titles.len() <= 1 {
        return parse_decision_given(text, language, given).map(|d| vec![d]);
    }
    if let Some(number) = &given.number {
        return Err(DecisionError::NumberMismatch {
            given: number.clone(),
            found: format!("a compilation of {} decisions", titles.len()),
        });
    }
    let heading = &prepared.lines[..titles[0].0];
    titles
        .iter()
        .map(|(at, title)| {
            prepared.read(
                Some(title),
                heading,
                &prepared.lines[at + 1..],
                &Given::default(),
                true,
            )
        })
        .collect()
}

/// The language a text plainly reads in, from its common words; `None` when it does not say.
pub fn detect_language(text: &str) -> Option<Language> {
    let clean = strip_word_markers(&normalise_spaces(text), true);
    reading::detect_language(&split_lines(&clean))
}

/// A text cleaned and split into lines, with the treaty it names most.
struct Prepared {
    clean: CleanText,
    lines: Vec<Line>,
    language: Language,
    /// The treaty the text names most, in whose numbering a shared form (`X/8`) is read.
    named: Option<&'static Body>,
}

impl Prepared {
    fn new(text: &str, language: Language) -> Result<Prepared, DecisionError> {
        let clean = strip_word_markers(&unglue_footnotes(&normalise_spaces(text)), true);
        let lines = split_lines(&clean);
        if lines.is_empty() {
            return Err(DecisionError::Empty);
        }
        check_language(&lines, language)?;
        let named = bodies::named_in(&fold(&clean.text));
        Ok(Prepared {
            clean,
            lines,
            language,
            named,
        })
    }

    /// The title lines followed by operative paragraphs; when none is, the first title line
    /// (whose reading then says what is missing).
    fn titles_with_operative_part(&self) -> Vec<(usize, TitleLine)> {
        let titles = title_lines(&self.lines);
        let with: Vec<(usize, TitleLine)> = titles
            .iter()
            .filter(|(at, _)| has_operative_part(&self.lines, *at))
            .cloned()
            .collect();
        if with.is_empty() {
            titles.into_iter().take(1).collect()
        } else {
            with
        }
    }

    /// A text without a title line: read under the number given, else refused with what it
    /// starts with.
    fn untitled(&self, given: &Given) -> Result<Decision, DecisionError> {
        if given.number.is_some() {
            return self.read(None, &[], &self.lines, given, false);
        }
        let looks_like_a_decision = self
            .lines
            .iter()
            .any(|line| numbered_paragraph(&line.text).is_some() || is_body_line(&line.text));
        if !looks_like_a_decision {
            return Err(DecisionError::NotADecision);
        }
        let start: String = self.lines[0].text.chars().take(60).collect();
        Err(DecisionError::NumberNeeded { start })
    }

    /// The number of a title line or given: its text, treaty, meeting and body.
    fn number(&self, token: &str) -> Result<(String, Treaty, u32, &'static Body), DecisionError> {
        match read_number(token, self.named) {
            Some(bodies::Reading::One(n)) => {
                Ok((n.text, Treaty::of_body(n.body), n.meeting, n.body))
            }
            Some(bodies::Reading::Ambiguous(readings)) => Err(DecisionError::AmbiguousNumber {
                number: token.to_string(),
                treaties: readings
                    .iter()
                    .map(|r| r.body.treaty.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
            Some(bodies::Reading::UnknownPrefix {
                prefix,
                meeting,
                index,
            }) => Err(DecisionError::UnknownTreaty {
                number: format!("{prefix}-{meeting}/{index}"),
                prefix,
            }),
            None => Err(DecisionError::BadNumber {
                number: token.to_string(),
            }),
        }
    }

    /// Reads the decision of `title` (or of the number given, when the text has no title
    /// line), whose heading is `heading` and whose lines follow in `after`. With
    /// `own_footnotes`, the decision keeps only the footnotes its lines refer to (a
    /// compilation's footnotes are those of all its decisions).
    fn read(
        &self,
        title: Option<&TitleLine>,
        heading: &[Line],
        after: &[Line],
        given: &Given,
        own_footnotes: bool,
    ) -> Result<Decision, DecisionError> {
        let given_number = given.number.as_deref().map(str::trim);
        let token = match (title, given_number) {
            (Some(title), _) => title.token.as_str(),
            (None, Some(number)) => number,
            (None, None) => return Err(DecisionError::NotADecision),
        };
        let (number, treaty, meeting, body) = self.number(token)?;
        if let (Some(_), Some(given)) = (title, given_number) {
            let (given_number, ..) = self.number(given)?;
            if given_number != number {
                return Err(DecisionError::NumberMismatch {
                    given: given_number,
                    found: number,
                });
            }
        }
        let meeting = meeting_of(heading, &number, meeting)?;
        let (title_text, lines) = match title {
            Some(title) => title_and_body(title, body_of(after)),
            None => (untitled_heading(after), body_of(after)),
        };
        let title_text = match &given.title {
            Some(given) if !given.trim().is_empty() => given.trim().to_string(),
            _ => title_text,
        };
        let (preamble_lines, operative_lines) = split_preamble(lines);
        let operative = assemble_operative(operative_lines, &number, self.language)?;
        let footnotes = if own_footnotes {
            let cited: Vec<u32> = heading
                .iter()
                .chain(lines)
                .flat_map(|line| line.footnote_refs.iter().copied())
                .collect();
            self.clean
                .footnotes
                .iter()
                .filter(|f| cited.contains(&f.number))
                .cloned()
                .collect()
        } else {
            self.clean.footnotes.clone()
        };
        let footnote_documents = citations::footnote_documents(&self.clean.footnotes);
        let reading = Reading {
            language: self.language,
            treaty: Some(body),
            meeting,
            footnotes: &self.clean.footnotes,
            footnote_documents: &footnote_documents,
        };
        Ok(Decision {
            number,
            treaty,
            kind: title.map_or(DecisionKind::Decision, |t| t.kind),
            meeting,
            language: self.language,
            title: title_text,
            preamble: preamble_lines
                .iter()
                .map(|line| reading.preamble_paragraph(line))
                .collect(),
            operative: operative
                .iter()
                .map(|paragraph| reading.operative_paragraph(paragraph))
                .collect(),
            footnotes,
        })
    }
}

/// The title of a text without a title line: the lines before "The Conference of the
/// Parties,", when it has some.
fn untitled_heading(lines: &[Line]) -> String {
    let Some(at) = lines.iter().position(|line| is_body_line(&line.text)) else {
        return String::new();
    };
    lines[..at]
        .iter()
        .map(|line| line.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The body whose meeting adopted the decision in `text`: an extraordinary meeting when the
/// heading before the decision's title line says so, else the Conference of the Parties.
pub fn meeting_body(text: &str) -> MeetingBody {
    let clean = strip_word_markers(&normalise_spaces(text), true);
    let lines = split_lines(&clean);
    let titles = title_lines(&lines);
    let title = titles
        .iter()
        .find(|(at, _)| has_operative_part(&lines, *at))
        .or(titles.first());
    let heading = title.map_or(&lines[..0], |(at, _)| &lines[..*at]);
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
