//! The words of each language, as data: one file per language in
//! `crates/domain/data/decision-vocabulary/` (`fr.txt`, `en.txt`, `es.txt`), compiled in and read once.
//! The format is written at the top of each file. A language is added as its file and one line
//! of [`languages!`]; the reader's code names no word of any language.
//!
//! Two views: [`of`] gives the words of one language (the verbs, conditions and deliverables of
//! a text are read in its own language), [`all`] the words of every language together (the
//! words of structure and citations, since a text in one language quotes another's: an
//! ordinal, an annex, an addressee).

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::sync::LazyLock;

use super::types::{
    Addressee, Condition, DecisionKind, DeliverableKind, OperativeVerb, PreambleVerb,
};
use super::words::{fold, push_unique};

/// Declares the languages the reader knows, each with its vocabulary file named by its code.
macro_rules! languages {
    ($($variant:ident => $code:literal $name:literal),+ $(,)?) => {
        keyed_enum! {
            /// The language of a text of a decision.
            Language { $($variant => $code),+ }
        }

        impl Language {
            /// The language's name in English, for messages: `Spanish`.
            pub fn name(&self) -> &'static str {
                match self {
                    $(Language::$variant => $name),+
                }
            }
        }

        /// Each language with the text of its vocabulary file.
        const FILES: &[(Language, &str)] = &[$((
            Language::$variant,
            include_str!(concat!("../../data/decision-vocabulary/", $code, ".txt")),
        )),+];
    };
}

// The languages of decisions: a language is its file and one line here.
languages! {
    Fr => "fr" "French",
    En => "en" "English",
    Es => "es" "Spanish",
}

/// The words of one language (or of all together), each section of the file a list.
macro_rules! vocabulary {
    ($($(#[$doc:meta])* $field:ident: $entry:ty = $section:literal,)+) => {
        #[derive(Debug, Default, Clone, PartialEq, Eq)]
        pub(super) struct Vocabulary {
            $($(#[$doc])* pub $field: Vec<$entry>,)+
        }

        /// The sections of a vocabulary file, in the order of the struct.
        const SECTIONS: &[&str] = &[$($section),+];

        impl Vocabulary {
            fn from_sections(sections: &mut Sections) -> Result<Vocabulary, String> {
                Ok(Vocabulary { $($field: sections.take($section)?,)+ })
            }

            /// Adds the entries of `other` that this one lacks.
            fn merge(&mut self, other: &Vocabulary) {
                $(for entry in &other.$field {
                    push_unique(&mut self.$field, entry.clone());
                })+
            }

            /// Every list longest phrase first, so that the first phrase that opens a text is
            /// the longest that does (`prie instamment` before `prie`), whatever the file's order.
            fn longest_first(&mut self) {
                $(self.$field.sort_by_key(|entry| Reverse(entry.phrase().len()));)+
            }

            /// How many entries each section has.
            #[cfg(test)]
            pub fn counts(&self) -> Vec<(&'static str, usize)> {
                vec![$(($section, self.$field.len())),+]
            }
        }
    };
}

vocabulary! {
    /// Words frequent in the language, to tell a text in another language.
    common_words: String = "common-words",
    /// The first word of a title line and the kind it names.
    decision_kinds: (String, DecisionKind) = "decision-kinds",
    /// The words before a cited number ("decisions III/1 and IV/2").
    decision_citations: String = "decision-citations",
    /// The body whose line opens the preamble ("the conference of the parties").
    acting_bodies: String = "acting-bodies",
    /// Words of a heading that make the meeting an extraordinary one.
    extraordinary: String = "extraordinary",
    /// The first word of a line that opens an annex.
    annex_headings: String = "annex-headings",
    /// Words that name the annexes of a cited document.
    annex_citations: String = "annex-citations",
    /// Words that join the items of a list.
    conjunctions: String = "conjunctions",
    /// Words that cite the document of the footnote before.
    ibid: String = "ibid",
    /// Words that name a meeting after its ordinal.
    meeting_words: String = "meeting-words",
    /// Words that name the next meeting.
    next_meeting: String = "next-meeting",
    /// Ordinals in one word.
    ordinals: (String, u32) = "ordinals",
    /// The tens of an ordinal written with a hyphen.
    ordinal_tens: (String, u32) = "ordinal-tens",
    /// The units of an ordinal written with a hyphen.
    ordinal_units: (String, u32) = "ordinal-units",
    /// What follows the figures of an ordinal.
    ordinal_suffixes: String = "ordinal-suffixes",
    /// Adverbs before a verb.
    leading_adverbs: String = "leading-adverbs",
    /// Adverbs after a verb.
    trailing_adverbs: String = "trailing-adverbs",
    /// Words that may open the object of a verb.
    object_openers: String = "object-openers",
    /// Elided words that may open the object of a verb (matched as the start of a word).
    object_elisions: String = "object-elisions",
    /// Determiners and qualifiers before an addressee.
    determiners: String = "determiners",
    /// Elided determiners before an addressee (matched as the start of a word).
    determiner_elisions: String = "determiner-elisions",
    /// The verbs that open a preamble paragraph.
    preamble_verbs: (String, PreambleVerb) = "preamble-verbs",
    /// The verbs of operative paragraphs.
    operative_verbs: (String, OperativeVerb) = "operative-verbs",
    /// What opens a sub-paragraph that asks by itself.
    request_openers: String = "request-openers",
    /// Whom a paragraph asks to act.
    addressees: (String, Addressee) = "addressees",
    /// The conditions a paragraph sets.
    conditions: (String, Condition) = "conditions",
    /// What a paragraph asks to be produced.
    deliverables: (String, DeliverableKind) = "deliverables",
}

/// The sections that a language may leave empty (its words need no elision).
const MAY_BE_EMPTY: &[&str] = &["object-elisions", "determiner-elisions"];

/// The words of `language`.
pub(super) fn of(language: Language) -> &'static Vocabulary {
    VOCABULARIES
        .iter()
        .find(|(l, _)| *l == language)
        .map(|(_, vocabulary)| vocabulary)
        .expect("every language has its vocabulary file")
}

/// The words of every language together.
pub(super) fn all() -> &'static Vocabulary {
    &ALL
}

/// Every language with its words, in the order of [`languages!`].
pub(super) fn languages() -> impl Iterator<Item = (Language, &'static Vocabulary)> {
    VOCABULARIES.iter().map(|(l, v)| (*l, v))
}

static VOCABULARIES: LazyLock<Vec<(Language, Vocabulary)>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|(language, text)| match Vocabulary::parse(text) {
            Ok(vocabulary) => (*language, vocabulary),
            // The files are compiled in and read by a unit test: this is a build mistake.
            Err(e) => panic!("the vocabulary of decisions in {language} (`{language}.txt`): {e}"),
        })
        .collect()
});

static ALL: LazyLock<Vocabulary> = LazyLock::new(|| {
    let mut all = Vocabulary::default();
    for (_, vocabulary) in VOCABULARIES.iter() {
        all.merge(vocabulary);
    }
    all.longest_first();
    all
});

impl Vocabulary {
    /// Reads a vocabulary file; the error names the line and what is wrong with it.
    pub fn parse(text: &str) -> Result<Vocabulary, String> {
        let mut sections = Sections::read(text)?;
        let mut vocabulary = Vocabulary::from_sections(&mut sections)?;
        vocabulary.longest_first();
        Ok(vocabulary)
    }
}

/// The entries of a file by section, each with its line number.
struct Sections(BTreeMap<String, Vec<(usize, String)>>);

impl Sections {
    fn read(text: &str) -> Result<Sections, String> {
        let mut sections: BTreeMap<String, Vec<(usize, String)>> = BTreeMap::new();
        let mut current: Option<String> = None;
        for (at, line) in text.lines().enumerate() {
            let number = at + 1;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                if !SECTIONS.contains(&name) {
                    return Err(format!("line {number}: unknown section [{name}]"));
                }
                if sections.contains_key(name) {
                    return Err(format!("line {number}: section [{name}] given twice"));
                }
                sections.insert(name.to_string(), vec![]);
                current = Some(name.to_string());
                continue;
            }
            let Some(name) = &current else {
                return Err(format!("line {number}: an entry before the first section"));
            };
            sections
                .get_mut(name)
                .expect("the current section is recorded")
                .push((number, line.to_string()));
        }
        Ok(Sections(sections))
    }

    /// The entries of a section, read; a missing section is an error, and so is an empty one
    /// unless it may be empty.
    fn take<E: Entry>(&mut self, name: &str) -> Result<Vec<E>, String> {
        let lines = self
            .0
            .remove(name)
            .ok_or_else(|| format!("section [{name}] is missing"))?;
        if lines.is_empty() && !MAY_BE_EMPTY.contains(&name) {
            return Err(format!("section [{name}] is empty"));
        }
        let mut entries = vec![];
        for (number, line) in lines {
            let entry = E::read(&line).map_err(|e| format!("line {number}: {e}"))?;
            check_phrase(entry.phrase()).map_err(|e| format!("line {number}: {e}"))?;
            push_unique(&mut entries, entry);
        }
        Ok(entries)
    }
}

/// A phrase as the reader matches it: folded, words separated by single spaces.
fn check_phrase(phrase: &str) -> Result<(), String> {
    if phrase.is_empty() {
        return Err("an empty phrase".into());
    }
    if fold(phrase) != phrase {
        return Err(format!(
            "`{phrase}` is not folded (write `{}`)",
            fold(phrase)
        ));
    }
    if phrase.split(' ').any(str::is_empty) {
        return Err(format!("`{phrase}` has spaces at its ends or doubled"));
    }
    Ok(())
}

/// An entry of a section: a phrase, or `key: phrase`.
trait Entry: Sized + Clone + PartialEq {
    fn read(line: &str) -> Result<Self, String>;
    fn phrase(&self) -> &str;
}

impl Entry for String {
    fn read(line: &str) -> Result<Self, String> {
        Ok(line.to_string())
    }

    fn phrase(&self) -> &str {
        self
    }
}

/// What a phrase stands for: the registry's name of a value, or a number.
trait Key: Sized + Clone + PartialEq {
    fn read(key: &str) -> Option<Self>;
}

impl Key for u32 {
    fn read(key: &str) -> Option<Self> {
        key.parse().ok()
    }
}

macro_rules! keys {
    ($($kind:ty),+) => {
        $(impl Key for $kind {
            fn read(key: &str) -> Option<Self> {
                <$kind>::parse(key)
            }
        })+
    };
}

keys!(
    DecisionKind,
    PreambleVerb,
    OperativeVerb,
    Addressee,
    Condition,
    DeliverableKind
);

impl<K: Key> Entry for (String, K) {
    fn read(line: &str) -> Result<Self, String> {
        let (key, phrase) = line
            .split_once(':')
            .ok_or_else(|| format!("`{line}` is not `key: phrase`"))?;
        let key = key.trim();
        let value = K::read(key).ok_or_else(|| format!("unknown key `{key}`"))?;
        Ok((phrase.trim().to_string(), value))
    }

    fn phrase(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_file_reads_and_no_section_is_empty() {
        assert_eq!(FILES.len(), Language::ALL.len());
        for (language, text) in FILES {
            let vocabulary = Vocabulary::parse(text)
                .unwrap_or_else(|e| panic!("{language}.txt does not read: {e}"));
            for (section, count) in vocabulary.counts() {
                assert!(
                    count > 0 || MAY_BE_EMPTY.contains(&section),
                    "{language}.txt: [{section}] is empty"
                );
            }
            assert_eq!(&vocabulary, of(*language));
        }
        for (section, count) in all().counts() {
            assert!(count > 0, "no language has a word in [{section}]");
        }
    }

    #[test]
    fn bad_files_are_refused_with_their_line() {
        let en = FILES
            .iter()
            .find(|(l, _)| *l == Language::En)
            .map(|(_, text)| *text)
            .unwrap();
        let with = |from: &str, to: &str| {
            assert!(en.contains(from), "{from}");
            Vocabulary::parse(&en.replacen(from, to, 1)).unwrap_err()
        };
        assert!(with("requests: requests", "asks: requests").contains("unknown key `asks`"));
        assert!(with("requests: requests", "requests: Requests").contains("not folded"));
        assert!(with("[ibid]", "[ibidem]").contains("unknown section [ibidem]"));
        assert!(with("1: first\n", "first\n").contains("is not `key: phrase`"));
        let without_ibid = with("[ibid]\nibid\nidem\n", "");
        assert!(
            without_ibid.contains("section [ibid] is missing"),
            "{without_ibid}"
        );
        assert!(with("[ibid]\nibid\nidem\n", "[ibid]\n").contains("[ibid] is empty"));
        assert!(Vocabulary::parse("word\n").unwrap_err().contains("line 1"));
    }

    #[test]
    fn the_longest_phrase_comes_first() {
        let fr = of(Language::Fr);
        let at = |phrase: &str| {
            fr.operative_verbs
                .iter()
                .position(|(p, _)| p == phrase)
                .unwrap()
        };
        assert!(at("prie instamment") < at("prie"));
        assert!(at("engage vivement") < at("engage"));
    }
}
