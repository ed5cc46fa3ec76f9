//! Decisions of the Conferences of the Parties, read from the text that UN documents publish.
//!
//! [`parse_decision`] turns the text of one decision, in French or in English and as it comes
//! out of Word, into its structure: number, treaty, meeting and title; the preamble paragraphs
//! with their verbs; the numbered operative paragraphs with their verbs, addressees and
//! sub-paragraphs; and, for every paragraph, what it cites (decisions, UN documents, bienniums),
//! the conditions it sets and the deliverables it asks for. Pure: no I/O, no storage. A text
//! that is not a decision gives a [`DecisionError`], never a panic.
//!
//! The reading goes in steps, one function each:
//! 1. spaces are normalised (non-breaking and narrow spaces, tabs, line ends);
//! 2. Word markers are taken out: `[bookmark: …]` disappears, `[footnoteRef:N]` is remembered
//!    on its line, and footnote bodies written inline as `[N:  text]` are kept aside;
//! 3. the lines are split into heading, title, preamble and operative part, and the operative
//!    part is assembled into numbered paragraphs, lettered sub-paragraphs (`a)`, `(a)`) and
//!    roman-numeral items (`i)`, `(i)`);
//! 4. each paragraph is read in the words of its language, on a folded copy of its text (lower
//!    case, no accents, straight apostrophes).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// An enum whose variants are named by the keys written in JSON and in the database.
macro_rules! keyed_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $key:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

keyed_enum! {
    /// The language of a text of a decision.
    Language { Fr => "fr", En => "en" }
}

impl Language {
    fn other(self) -> Language {
        match self {
            Language::Fr => Language::En,
            Language::En => Language::Fr,
        }
    }
}

keyed_enum! {
    /// The treaty whose Conference of the Parties adopted a decision, known from the prefix of
    /// its number (`MC`, `BC`, `RC`, `SC`).
    Treaty {
        Minamata => "minamata",
        Basel => "basel",
        Rotterdam => "rotterdam",
        Stockholm => "stockholm",
    }
}

impl Treaty {
    pub fn from_prefix(prefix: &str) -> Option<Treaty> {
        match prefix {
            "MC" => Some(Treaty::Minamata),
            "BC" => Some(Treaty::Basel),
            "RC" => Some(Treaty::Rotterdam),
            "SC" => Some(Treaty::Stockholm),
            _ => None,
        }
    }

    /// The code of the convention in the reference data (`MINAMATA`, `BASEL`, …).
    pub fn convention_code(&self) -> &'static str {
        match self {
            Treaty::Minamata => "MINAMATA",
            Treaty::Basel => "BASEL",
            Treaty::Rotterdam => "ROTTERDAM",
            Treaty::Stockholm => "STOCKHOLM",
        }
    }
}

keyed_enum! {
    /// What the body adopted, as InforMEA types it.
    DecisionKind {
        Decision => "decision",
        Resolution => "resolution",
        Recommendation => "recommendation",
    }
}

keyed_enum! {
    /// Where a decision stands, as the registry tracks it: adopted at the meeting, in force,
    /// superseded by a later decision, or revoked (repealed) by the body.
    DecisionStatus {
        Adopted => "adopted",
        InForce => "in_force",
        Superseded => "superseded",
        Revoked => "revoked",
    }
}

keyed_enum! {
    /// The body whose meeting adopted a decision: the Conference of the Parties, or an
    /// extraordinary meeting of it.
    MeetingBody {
        Cop => "cop",
        ExCop => "excop",
    }
}

impl MeetingBody {
    /// The abbreviation used with the meeting's ordinal, as in `COP-6` or `ExCOP-3`.
    pub fn abbreviation(&self) -> &'static str {
        match self {
            MeetingBody::Cop => "COP",
            MeetingBody::ExCop => "ExCOP",
        }
    }
}

/// The body whose meeting adopted the decision in `text`: an extraordinary meeting when the
/// heading before the decision's title line says so, else the Conference of the Parties.
pub fn meeting_body(text: &str) -> MeetingBody {
    let clean = strip_word_markers(&normalise_spaces(text), true);
    let lines = split_lines(&clean);
    let heading = find_title(&lines).map_or(&lines[..0], |(at, _)| &lines[..at]);
    let extraordinary = heading.iter().any(|line| {
        let folded = fold(&line.text);
        folded.contains("extraordinaire") || folded.contains("extraordinary")
    });
    if extraordinary {
        MeetingBody::ExCop
    } else {
        MeetingBody::Cop
    }
}

keyed_enum! {
    /// The verb that opens a preamble paragraph ("Recalling", « Rappelant »), in English.
    PreambleVerb {
        Recalling => "recalling",
        Noting => "noting",
        Aware => "aware",
        Welcoming => "welcoming",
        Recognizing => "recognizing",
        Considering => "considering",
        Emphasizing => "emphasizing",
        Reaffirming => "reaffirming",
        HavingConsidered => "having_considered",
        Concerned => "concerned",
        Convinced => "convinced",
        BearingInMind => "bearing_in_mind",
        Appreciating => "appreciating",
    }
}

keyed_enum! {
    /// A verb of an operative paragraph ("Requests", « Prie »), in English.
    OperativeVerb {
        TakesNote => "takes_note",
        Notes => "notes",
        Reaffirms => "reaffirms",
        Welcomes => "welcomes",
        Requests => "requests",
        Decides => "decides",
        Invites => "invites",
        Urges => "urges",
        Encourages => "encourages",
        CallsUpon => "calls_upon",
        Adopts => "adopts",
        Approves => "approves",
        Endorses => "endorses",
        Recalls => "recalls",
        Recognizes => "recognizes",
        Acknowledges => "acknowledges",
        Emphasizes => "emphasizes",
        Authorizes => "authorizes",
        Thanks => "thanks",
        Agrees => "agrees",
    }
}

impl OperativeVerb {
    /// Whether the verb asks someone to act: its object names the addressees, and what it asks
    /// for may be a deliverable.
    pub fn asks_for_action(&self) -> bool {
        matches!(
            self,
            OperativeVerb::Requests
                | OperativeVerb::Invites
                | OperativeVerb::Urges
                | OperativeVerb::Encourages
                | OperativeVerb::CallsUpon
                | OperativeVerb::Authorizes
        )
    }
}

keyed_enum! {
    /// Whom an operative paragraph asks to act.
    Addressee {
        ExecutiveSecretary => "executive_secretary",
        ExecutiveDirector => "executive_director",
        Secretariat => "secretariat",
        Parties => "parties",
        NonParties => "non_parties",
        Stakeholders => "stakeholders",
        Governments => "governments",
        Organizations => "organizations",
        Bureau => "bureau",
        GlobalEnvironmentFacility => "global_environment_facility",
    }
}

keyed_enum! {
    /// A condition that a paragraph puts on what it asks.
    Condition {
        SubjectToResources => "subject_to_resources",
        AsAppropriate => "as_appropriate",
        WithinProgrammeOfWork => "within_programme_of_work",
    }
}

keyed_enum! {
    /// What a paragraph asks to be produced.
    DeliverableKind { Report => "report", DraftDecision => "draft_decision" }
}

/// Something a paragraph asks for, with the meeting at which it is due when the text says so
/// ("at its next meeting" is resolved to the ordinal of the next meeting).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deliverable {
    pub kind: DeliverableKind,
    pub due_meeting: Option<u32>,
}

/// A UN document cited by a paragraph (in its text or its footnotes), with the annexes cited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRef {
    /// The document symbol, e.g. `UNEP/MC/COP.6/INF/29`.
    pub symbol: String,
    /// The annexes cited, as written: `I`, `II`, …
    pub annexes: Vec<String>,
}

/// A footnote of the decision, with its number in the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Footnote {
    pub number: u32,
    pub text: String,
}

/// A paragraph of the preamble ("Recalling its decisions …,").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreambleParagraph {
    /// `None` when the paragraph does not open with a verb the reader knows.
    pub verb: Option<PreambleVerb>,
    pub text: String,
    pub decision_refs: Vec<String>,
    pub document_refs: Vec<DocumentRef>,
    pub bienniums: Vec<String>,
    pub footnote_refs: Vec<u32>,
}

/// A numbered operative paragraph. Its references, conditions and deliverables are those of
/// its own text (the chapeau before any sub-paragraph) and of its footnotes; each
/// sub-paragraph carries its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperativeParagraph {
    pub number: u32,
    /// The verbs in the order of the text: "Welcomes …, and requests …" gives both.
    pub verbs: Vec<OperativeVerb>,
    /// Whom the verbs that ask for action address, in the order of the text.
    pub addressees: Vec<Addressee>,
    pub text: String,
    pub subparagraphs: Vec<Subparagraph>,
    pub decision_refs: Vec<String>,
    pub document_refs: Vec<DocumentRef>,
    pub bienniums: Vec<String>,
    pub conditions: Vec<Condition>,
    pub deliverables: Vec<Deliverable>,
    pub footnote_refs: Vec<u32>,
}

/// A lettered sub-paragraph (`a)`, `(a)`), or a roman-numeral item (`i)`, `(i)`). Items under a
/// lettered sub-paragraph are its `subparagraphs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subparagraph {
    /// The label without its brackets: `a`, `b`, `ii`.
    pub label: String,
    pub text: String,
    pub decision_refs: Vec<String>,
    pub document_refs: Vec<DocumentRef>,
    pub bienniums: Vec<String>,
    pub conditions: Vec<Condition>,
    pub deliverables: Vec<Deliverable>,
    pub footnote_refs: Vec<u32>,
    pub subparagraphs: Vec<Subparagraph>,
}

/// A decision as its text states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// `MC-6/20`, `BC-16/21`, …
    pub number: String,
    pub treaty: Treaty,
    pub kind: DecisionKind,
    /// The ordinal of the meeting that adopted it (6 for the sixth meeting).
    pub meeting: u32,
    pub language: Language,
    pub title: String,
    pub preamble: Vec<PreambleParagraph>,
    pub operative: Vec<OperativeParagraph>,
    pub footnotes: Vec<Footnote>,
}

/// Why a text could not be read as a decision. Messages are written for the officer who
/// imports the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    #[error("the text is empty")]
    Empty,
    #[error(
        "no title line such as \"Decision MC-6/20: …\" or « Décision MC-6/20 : … »: \
         the text is not a decision"
    )]
    NotADecision,
    #[error("the text reads as {found}, not {given}: give the language of the text")]
    LanguageMismatch { given: Language, found: Language },
    #[error("decision {number}: unknown treaty {prefix} (expected MC, BC, RC or SC)")]
    UnknownTreaty { number: String, prefix: String },
    #[error(
        "decision {number} belongs to meeting {of_number}, but the heading names meeting \
         {of_heading}"
    )]
    MeetingMismatch {
        number: String,
        of_number: u32,
        of_heading: u32,
    },
    #[error("decision {number} has no numbered operative paragraph (\"1. …\")")]
    NoOperativeParagraph { number: String },
    #[error(
        "decision {number}: operative paragraph {found} where paragraph {expected} was expected"
    )]
    ParagraphOutOfSequence {
        number: String,
        expected: u32,
        found: u32,
    },
}

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
    let footnote_documents = footnote_documents(&clean.footnotes);
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

// ---------------------------------------------------------------------------------------------
// Step 1: spaces.

/// Line ends become `\n`; every other kind of space (non-breaking U+00A0, narrow no-break
/// U+202F, tabs, …) becomes a plain space; invisible characters (BOM, zero-width spaces, soft
/// hyphens) go; non-breaking hyphens become hyphens.
fn normalise_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\n' | '\u{85}' | '\u{2028}' | '\u{2029}' => out.push('\n'),
            '\u{feff}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{ad}' => {}
            '\u{2010}' | '\u{2011}' => out.push('-'),
            c if c.is_whitespace() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Spaces collapsed to one, and none at either end.
fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------------------------
// Step 2: Word markers.

/// The longest bookmark marker looked for, in characters.
const MAX_BOOKMARK: usize = 1_000;
/// The longest footnote body looked for, in bytes: keeps the scan linear on unclosed brackets.
const MAX_FOOTNOTE: usize = 20_000;

/// A text without its Word markers, with what the markers said.
#[derive(Debug, Default)]
struct CleanText {
    text: String,
    /// Where each `[footnoteRef:N]` stood in `text` (byte offset), and N.
    footnote_refs: Vec<(usize, u32)>,
    /// The footnote bodies, in the order of the text; the first body of a number wins.
    footnotes: Vec<Footnote>,
}

impl CleanText {
    fn take(&mut self, marker: Marker) {
        match marker {
            Marker::Bookmark => {}
            Marker::FootnoteRef(number) => self.footnote_refs.push((self.text.len(), number)),
            Marker::FootnoteBody(number, text) => {
                if !self.footnotes.iter().any(|f| f.number == number) {
                    self.footnotes.push(Footnote { number, text });
                }
            }
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Marker {
    Bookmark,
    FootnoteRef(u32),
    FootnoteBody(u32, String),
}

/// Takes the Word markers out of `text`. Footnote bodies are taken out (and kept) only with
/// `with_footnote_bodies`; inside a footnote body they are left as they are, so the reading
/// never nests.
fn strip_word_markers(text: &str, with_footnote_bodies: bool) -> CleanText {
    let mut clean = CleanText::default();
    let mut rest = text;
    while let Some(at) = rest.find('[') {
        clean.text.push_str(&rest[..at]);
        let tail = &rest[at..];
        match word_marker(tail, with_footnote_bodies) {
            Some((marker, len)) => {
                clean.take(marker);
                rest = &tail[len..];
            }
            None => {
                clean.text.push('[');
                rest = &tail[1..];
            }
        }
    }
    clean.text.push_str(rest);
    clean
}

/// The marker that opens `tail` (which starts with `[`), and its length in bytes.
fn word_marker(tail: &str, with_footnote_bodies: bool) -> Option<(Marker, usize)> {
    bookmark(tail)
        .or_else(|| footnote_ref(tail))
        .or_else(|| footnote_body(tail).filter(|_| with_footnote_bodies))
}

/// `[bookmark: _Toc213853077]`, closed on the same line.
fn bookmark(tail: &str) -> Option<(Marker, usize)> {
    strip_prefix_ignore_case(tail, "[bookmark:")?;
    let (end, _) = tail
        .char_indices()
        .take(MAX_BOOKMARK)
        .take_while(|&(_, c)| c != '\n')
        .find(|&(_, c)| c == ']')?;
    Some((Marker::Bookmark, end + 1))
}

/// `[footnoteRef:2]` (or `[endnoteRef:2]`).
fn footnote_ref(tail: &str) -> Option<(Marker, usize)> {
    let after = strip_prefix_ignore_case(tail, "[footnoteref:")
        .or_else(|| strip_prefix_ignore_case(tail, "[endnoteref:"))?;
    let (number, digits) = leading_number(after)?;
    after[digits..].strip_prefix(']')?;
    Some((
        Marker::FootnoteRef(number),
        tail.len() - after.len() + digits + 1,
    ))
}

/// `[2:  UNEP/MC/COP.6/INF/29, annexe I.]`: the body of footnote 2, up to its matching `]`.
fn footnote_body(tail: &str) -> Option<(Marker, usize)> {
    let (number, digits) = leading_number(&tail[1..])?;
    let start = 1 + digits + 1;
    if tail.as_bytes().get(1 + digits) != Some(&b':') {
        return None;
    }
    let mut depth = 1usize;
    for (offset, byte) in tail.as_bytes()[start..]
        .iter()
        .take(MAX_FOOTNOTE)
        .enumerate()
    {
        match byte {
            b'[' => depth += 1,
            b']' => depth -= 1,
            _ => continue,
        }
        if depth == 0 {
            let end = start + offset;
            let body = strip_word_markers(&tail[start..end], false).text;
            return Some((
                Marker::FootnoteBody(number, collapse_spaces(&body)),
                end + 1,
            ));
        }
    }
    None
}

/// The number that opens `s` (one to six digits) and how many digits it has.
fn leading_number(s: &str) -> Option<(u32, usize)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 6 {
        return None;
    }
    Some((s[..digits].parse().ok()?, digits))
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

// ---------------------------------------------------------------------------------------------
// Step 3: lines, title, preamble and operative part.

/// A line of the text without markers, its spaces collapsed, with the footnotes it refers to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Line {
    text: String,
    footnote_refs: Vec<u32>,
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
fn split_lines(clean: &CleanText) -> Vec<Line> {
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

/// A decision number: `MC-6/20` is decision 20 of the sixth meeting under the prefix `MC`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct DecisionNumber {
    prefix: String,
    meeting: u32,
    index: u32,
}

impl DecisionNumber {
    /// `MC-6/20`: two to six capital letters, a hyphen, the meeting, a slash, the index.
    fn parse(token: &str) -> Option<DecisionNumber> {
        let (prefix, numbers) = token.split_once('-')?;
        let (meeting, index) = numbers.split_once('/')?;
        let valid_prefix =
            (2..=6).contains(&prefix.len()) && prefix.bytes().all(|b| b.is_ascii_uppercase());
        if !valid_prefix {
            return None;
        }
        Some(DecisionNumber {
            prefix: prefix.to_string(),
            meeting: counted(meeting)?,
            index: counted(index)?,
        })
    }
}

/// A number from 1 to 999 written in figures.
fn counted(s: &str) -> Option<u32> {
    if !(1..=3).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok().filter(|&n| n > 0)
}

impl fmt::Display for DecisionNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}/{}", self.prefix, self.meeting, self.index)
    }
}

/// The title line: « Décision MC-6/20 : Coopération … », "Decision MC-6/20: Cooperation …".
#[derive(Debug, Clone)]
struct TitleLine {
    kind: DecisionKind,
    number: DecisionNumber,
    /// What follows the number: the title, when it is on the same line.
    rest: String,
}

fn title_line(text: &str) -> Option<TitleLine> {
    let mut words = text.splitn(3, ' ');
    let kind = decision_kind(&fold(trim_token(words.next()?)))?;
    let number = DecisionNumber::parse(trim_token(words.next()?))?;
    let rest = words
        .next()
        .unwrap_or("")
        .trim_start_matches([':', '-', '–', '—', '.', ' '])
        .trim_end()
        .to_string();
    Some(TitleLine { kind, number, rest })
}

fn decision_kind(folded_word: &str) -> Option<DecisionKind> {
    match folded_word {
        "decision" => Some(DecisionKind::Decision),
        "resolution" => Some(DecisionKind::Resolution),
        "recommandation" | "recommendation" => Some(DecisionKind::Recommendation),
        _ => None,
    }
}

/// The title line of the decision: the first one followed by operative paragraphs (a table of
/// contents lists titles too), or else the first one.
fn find_title(lines: &[Line]) -> Option<(usize, TitleLine)> {
    let titles: Vec<(usize, TitleLine)> = lines
        .iter()
        .enumerate()
        .filter_map(|(at, line)| title_line(&line.text).map(|title| (at, title)))
        .collect();
    let has_operative_part = |at: usize| {
        body_of(&lines[at + 1..])
            .iter()
            .any(|line| numbered_paragraph(&line.text).is_some())
    };
    let chosen = titles
        .iter()
        .position(|(at, _)| has_operative_part(*at))
        .unwrap_or(0);
    titles.into_iter().nth(chosen)
}

/// The lines of the decision after its title: up to the title of the next decision or an annex.
fn body_of(after_title: &[Line]) -> &[Line] {
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
    matches!(first, "annex" | "annexe")
        && folded.split(' ').count() <= 12
        && !folded.ends_with([',', ';'])
}

/// "The Conference of the Parties," (« La Conférence des Parties, »): the line that opens the
/// preamble.
fn is_body_line(text: &str) -> bool {
    const BODIES: [&str; 4] = [
        "la conference des parties",
        "the conference of the parties",
        "la reunion des parties",
        "the meeting of the parties",
    ];
    let folded = fold(text);
    BODIES.iter().any(|body| starts_with_word(&folded, body))
        && folded.ends_with(',')
        && folded.split(' ').count() <= 15
}

/// The title, from the title line, or from the next line when the title line has only the
/// number; and the lines that follow it.
fn title_and_body<'a>(title: &TitleLine, body: &'a [Line]) -> (String, &'a [Line]) {
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
fn split_preamble(body: &[Line]) -> (&[Line], &[Line]) {
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
fn meeting_of(before_title: &[Line], number: &DecisionNumber) -> Result<u32, DecisionError> {
    let named = before_title.iter().rev().find_map(|line| {
        meeting_mentions(&fold(&line.text))
            .into_iter()
            .find_map(|mention| match mention {
                MeetingMention::Ordinal(n) => Some(n),
                MeetingMention::Next => None,
            })
    });
    match named {
        Some(of_heading) if of_heading != number.meeting => Err(DecisionError::MeetingMismatch {
            number: number.to_string(),
            of_number: number.meeting,
            of_heading,
        }),
        _ => Ok(number.meeting),
    }
}

/// Refuses a text that plainly reads in the other language: the common words of that language
/// outnumber those of the given one more than three to one.
fn check_language(lines: &[Line], language: Language) -> Result<(), DecisionError> {
    const FR: [&str; 12] = [
        "le", "la", "les", "des", "du", "et", "au", "aux", "pour", "sur", "une", "dans",
    ];
    const EN: [&str; 10] = [
        "the", "of", "and", "to", "for", "on", "with", "that", "by", "its",
    ];
    let (mut fr, mut en) = (0usize, 0usize);
    for word in lines.iter().flat_map(|line| line.text.split(' ')) {
        let word = fold(trim_token(word));
        fr += usize::from(FR.contains(&word.as_str()));
        en += usize::from(EN.contains(&word.as_str()));
    }
    let (given, other) = match language {
        Language::Fr => (fr, en),
        Language::En => (en, fr),
    };
    if other >= 8 && other > 3 * given {
        return Err(DecisionError::LanguageMismatch {
            given: language,
            found: language.other(),
        });
    }
    Ok(())
}

/// A numbered operative paragraph as assembled from its lines, before it is read.
#[derive(Debug, Clone)]
struct RawParagraph {
    number: u32,
    chapeau: Line,
    subparagraphs: Vec<RawSubparagraph>,
}

#[derive(Debug, Clone)]
struct RawSubparagraph {
    label: String,
    line: Line,
    items: Vec<RawSubparagraph>,
}

/// `1. Prend note …`: the number (up to three digits) and the text after it.
fn numbered_paragraph(text: &str) -> Option<(u32, &str)> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let rest = text[digits..].strip_prefix('.')?;
    if !(rest.is_empty() || rest.starts_with(' ')) {
        return None;
    }
    let number: u32 = text[..digits].parse().ok()?;
    (number > 0).then(|| (number, rest.trim()))
}

/// `a) De continuer …`, `(a) To continue …`, `ii) …`: the label and the text after it.
fn subparagraph_label(text: &str) -> Option<(&str, &str)> {
    let (label, rest) = match text.strip_prefix('(') {
        Some(inner) => inner.split_once(')')?,
        None => text.split_once(')')?,
    };
    let plausible = (1..=6).contains(&label.len())
        && label.bytes().all(|b| b.is_ascii_lowercase())
        && (label.len() == 1 || roman_value(label).is_some() || is_doubled_letter(label));
    if !plausible || !(rest.is_empty() || rest.starts_with(' ')) {
        return None;
    }
    Some((label, rest.trim()))
}

/// `aa`, `bb`: the labels that follow `z`.
fn is_doubled_letter(label: &str) -> bool {
    let first = label.as_bytes()[0];
    label.bytes().all(|b| b == first)
}

/// The value of a roman numeral from 1 to 39 (`i` … `xxxix`, either case).
fn roman_value(numeral: &str) -> Option<u32> {
    let numeral = numeral.to_ascii_lowercase();
    (1..40).find(|&n| roman(n) == numeral)
}

fn roman(n: u32) -> String {
    const UNITS: [&str; 10] = ["", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix"];
    "x".repeat((n / 10) as usize) + UNITS[(n % 10) as usize]
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
/// sub-paragraph or item, and any other line continues the last element.
fn assemble_operative(lines: &[Line], number: &str) -> Result<Vec<RawParagraph>, DecisionError> {
    let mut paragraphs: Vec<RawParagraph> = vec![];
    let mut labels = LabelState::default();
    for line in lines {
        if let Some((found, text)) = numbered_paragraph(&line.text) {
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

// ---------------------------------------------------------------------------------------------
// Step 4: reading each paragraph.

/// What the reading of every paragraph needs to know about the whole decision.
struct Reading<'a> {
    language: Language,
    meeting: u32,
    footnotes: &'a [Footnote],
    footnote_documents: &'a BTreeMap<u32, Vec<DocumentRef>>,
}

/// What a piece of text cites, with its footnotes.
struct Citations {
    decision_refs: Vec<String>,
    document_refs: Vec<DocumentRef>,
    bienniums: Vec<String>,
}

impl Reading<'_> {
    fn preamble_paragraph(&self, line: &Line) -> PreambleParagraph {
        let cited = self.citations(line);
        PreambleParagraph {
            verb: preamble_verb(&fold(&line.text), self.language),
            text: line.text.clone(),
            decision_refs: cited.decision_refs,
            document_refs: cited.document_refs,
            bienniums: cited.bienniums,
            footnote_refs: line.footnote_refs.clone(),
        }
    }

    fn operative_paragraph(&self, raw: &RawParagraph) -> OperativeParagraph {
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
        let mut decision_refs = decision_refs_in(&line.text);
        for note in &notes {
            for reference in decision_refs_in(&note.text) {
                push_unique(&mut decision_refs, reference);
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
                deliverable_phrases(**kind, self.language)
                    .iter()
                    .any(|phrase| contains_phrase(folded, phrase))
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

const CONJUNCTIONS: [&str; 2] = ["and", "et"];

/// Adverbs that may stand before a verb ("Further requests", "Also recalling").
const LEADING_ADVERBS: [&str; 13] = [
    "also",
    "further",
    "furthermore",
    "moreover",
    "again",
    "strongly",
    "deeply",
    "gravely",
    "par ailleurs",
    "en outre",
    "de plus",
    "vivement",
    "profondement",
];

/// Adverbs that may stand after a verb (« Prie également », "requests again").
const TRAILING_ADVERBS: [&str; 11] = [
    "also",
    "further",
    "once again",
    "again",
    "egalement",
    "en outre",
    "aussi",
    "encore",
    "de nouveau",
    "instamment",
    "vivement",
];

/// Words that may open the object of a verb.
const OBJECT_OPENERS: [&str; 25] = [
    "the",
    "that",
    "to",
    "all",
    "its",
    "those",
    "parties",
    "governments",
    "stakeholders",
    "with",
    "la",
    "le",
    "les",
    "au",
    "aux",
    "a",
    "que",
    "de",
    "du",
    "des",
    "tous",
    "toutes",
    "ses",
    "son",
    "sa",
];

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
    if CONJUNCTIONS.contains(&previous) {
        let before = if i >= 2 { words[i - 2].1 } else { "" };
        return Some(if before.ends_with([',', ';']) {
            Boundary::Clause
        } else {
            Boundary::Doubtful
        });
    }
    previous.ends_with(',').then_some(Boundary::Doubtful)
}

/// The words of a text separated by single spaces, with their byte offsets.
fn words_with_offsets(text: &str) -> Vec<(usize, &str)> {
    let mut words = vec![];
    let mut start = None;
    for (at, c) in text.char_indices() {
        match (c == ' ', start) {
            (true, Some(from)) => {
                words.push((from, &text[from..at]));
                start = None;
            }
            (false, None) => start = Some(at),
            _ => {}
        }
    }
    if let Some(from) = start {
        words.push((from, &text[from..]));
    }
    words
}

/// The operative verb that opens `s` (after any adverb), and what follows it.
fn operative_verb_at(s: &str, language: Language) -> Option<(OperativeVerb, &str)> {
    let s = skip_words(s, &LEADING_ADVERBS);
    operative_lexicon(language)
        .iter()
        .find(|(phrase, _)| starts_with_word(s, phrase))
        .map(|(phrase, verb)| (*verb, &s[phrase.len()..]))
}

fn opens_object(object: &str) -> bool {
    let s = skip_words(object, &TRAILING_ADVERBS);
    OBJECT_OPENERS.iter().any(|word| starts_with_word(s, word))
        || ["l'", "qu'", "d'"]
            .iter()
            .any(|elided| s.starts_with(elided))
}

/// The verbs of operative paragraphs, folded, the longer phrase before the shorter one that
/// begins it.
fn operative_lexicon(language: Language) -> &'static [(&'static str, OperativeVerb)] {
    use OperativeVerb::*;
    match language {
        Language::Fr => &[
            ("prie instamment", Urges),
            ("demande instamment", Urges),
            ("engage vivement", Urges),
            ("exhorte", Urges),
            ("prend note", TakesNote),
            ("prend acte", TakesNote),
            ("reaffirme", Reaffirms),
            ("se felicite", Welcomes),
            ("accueille avec satisfaction", Welcomes),
            ("salue", Welcomes),
            ("prie", Requests),
            ("demande", Requests),
            ("decide", Decides),
            ("invite", Invites),
            ("encourage", Encourages),
            ("engage", CallsUpon),
            ("adopte", Adopts),
            ("approuve", Approves),
            ("fait sienne", Endorses),
            ("fait siens", Endorses),
            ("enterine", Endorses),
            ("note", Notes),
            ("rappelle", Recalls),
            ("reconnait", Recognizes),
            ("souligne", Emphasizes),
            ("insiste", Emphasizes),
            ("autorise", Authorizes),
            ("remercie", Thanks),
            ("exprime sa gratitude", Thanks),
            ("exprime sa reconnaissance", Thanks),
            ("convient", Agrees),
        ],
        Language::En => &[
            ("takes note", TakesNote),
            ("notes", Notes),
            ("reaffirms", Reaffirms),
            ("welcomes", Welcomes),
            ("requests", Requests),
            ("decides", Decides),
            ("invites", Invites),
            ("urges", Urges),
            ("encourages", Encourages),
            ("calls upon", CallsUpon),
            ("calls on", CallsUpon),
            ("adopts", Adopts),
            ("approves", Approves),
            ("endorses", Endorses),
            ("recalls", Recalls),
            ("recognizes", Recognizes),
            ("recognises", Recognizes),
            ("acknowledges", Acknowledges),
            ("emphasizes", Emphasizes),
            ("emphasises", Emphasizes),
            ("stresses", Emphasizes),
            ("underlines", Emphasizes),
            ("authorizes", Authorizes),
            ("authorises", Authorizes),
            ("thanks", Thanks),
            ("expresses its appreciation", Thanks),
            ("expresses its gratitude", Thanks),
            ("agrees", Agrees),
        ],
    }
}

/// The verb that opens a folded preamble paragraph.
fn preamble_verb(folded: &str, language: Language) -> Option<PreambleVerb> {
    let s = skip_words(folded, &LEADING_ADVERBS);
    preamble_lexicon(language)
        .iter()
        .find(|(phrase, _)| starts_with_word(s, phrase))
        .map(|(_, verb)| *verb)
}

fn preamble_lexicon(language: Language) -> &'static [(&'static str, PreambleVerb)] {
    use PreambleVerb::*;
    match language {
        Language::Fr => &[
            ("rappelant", Recalling),
            ("notant", Noting),
            ("prenant note", Noting),
            ("prenant acte", Noting),
            ("constatant", Noting),
            ("sachant", Aware),
            ("consciente", Aware),
            ("conscient", Aware),
            ("se felicitant", Welcoming),
            ("accueillant avec satisfaction", Welcoming),
            ("saluant", Welcoming),
            ("reconnaissant", Recognizing),
            ("considerant", Considering),
            ("soulignant", Emphasizing),
            ("insistant", Emphasizing),
            ("reaffirmant", Reaffirming),
            ("ayant examine", HavingConsidered),
            ("preoccupee", Concerned),
            ("preoccupe", Concerned),
            ("inquiete", Concerned),
            ("convaincue", Convinced),
            ("convaincu", Convinced),
            ("tenant compte", BearingInMind),
            ("ayant a l'esprit", BearingInMind),
            ("gardant a l'esprit", BearingInMind),
            ("remerciant", Appreciating),
            ("exprimant sa gratitude", Appreciating),
            ("exprimant sa reconnaissance", Appreciating),
        ],
        Language::En => &[
            ("recalling", Recalling),
            ("noting", Noting),
            ("taking note", Noting),
            ("aware", Aware),
            ("conscious", Aware),
            ("mindful", Aware),
            ("welcoming", Welcoming),
            ("recognizing", Recognizing),
            ("recognising", Recognizing),
            ("acknowledging", Recognizing),
            ("considering", Considering),
            ("emphasizing", Emphasizing),
            ("emphasising", Emphasizing),
            ("stressing", Emphasizing),
            ("underlining", Emphasizing),
            ("reaffirming", Reaffirming),
            ("having considered", HavingConsidered),
            ("concerned", Concerned),
            ("convinced", Convinced),
            ("bearing in mind", BearingInMind),
            ("appreciating", Appreciating),
            ("expressing its appreciation", Appreciating),
            ("expressing its gratitude", Appreciating),
        ],
    }
}

/// « (a) De prier … », "(a) To request …": a sub-paragraph that asks by itself.
fn opens_with_request(folded: &str, language: Language) -> bool {
    let openers: &[&str] = match language {
        Language::Fr => &[
            "de prier",
            "de demander",
            "d'inviter",
            "d'engager",
            "d'encourager",
        ],
        Language::En => &["to request", "to invite", "to urge", "to encourage"],
    };
    openers
        .iter()
        .any(|opener| starts_with_word(folded, opener))
}

// --- addressees

/// Determiners and qualifiers that may stand before an addressee.
const DETERMINERS: [&str; 20] = [
    "the", "all", "its", "other", "each", "relevant", "la", "le", "les", "au", "aux", "a", "tous",
    "toutes", "autres", "ses", "son", "sa", "des", "du",
];

/// Addressees, folded, in both languages.
const ADDRESSEES: [(&str, Addressee); 22] = [
    ("secretaire executive", Addressee::ExecutiveSecretary),
    ("secretaire executif", Addressee::ExecutiveSecretary),
    ("secretaires executifs", Addressee::ExecutiveSecretary),
    ("executive secretary", Addressee::ExecutiveSecretary),
    ("executive secretaries", Addressee::ExecutiveSecretary),
    ("directrice executive", Addressee::ExecutiveDirector),
    ("directeur executif", Addressee::ExecutiveDirector),
    ("executive director", Addressee::ExecutiveDirector),
    ("secretariats", Addressee::Secretariat),
    ("secretariat", Addressee::Secretariat),
    ("parties prenantes", Addressee::Stakeholders),
    ("stakeholders", Addressee::Stakeholders),
    ("non-parties", Addressee::NonParties),
    ("etats non parties", Addressee::NonParties),
    ("parties", Addressee::Parties),
    ("gouvernements", Addressee::Governments),
    ("governments", Addressee::Governments),
    ("organisations", Addressee::Organizations),
    ("organizations", Addressee::Organizations),
    ("bureau", Addressee::Bureau),
    (
        "fonds pour l'environnement mondial",
        Addressee::GlobalEnvironmentFacility,
    ),
    (
        "global environment facility",
        Addressee::GlobalEnvironmentFacility,
    ),
];

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
    let mut s = skip_words(object, &TRAILING_ADVERBS);
    loop {
        s = skip_determiners(s);
        let Some((phrase, addressee)) = ADDRESSEES
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
    loop {
        s = s.trim_start();
        if let Some(rest) = s.strip_prefix("l'") {
            s = rest;
            continue;
        }
        match DETERMINERS.iter().find(|word| starts_with_word(s, word)) {
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
    match CONJUNCTIONS
        .iter()
        .find(|word| starts_with_word(base, word))
    {
        Some(word) => Some(&base[word.len()..]),
        None => after_comma,
    }
}

// --- conditions and deliverables

fn condition_phrases(condition: Condition, language: Language) -> &'static [&'static str] {
    match (condition, language) {
        (Condition::SubjectToResources, Language::Fr) => &[
            "sous reserve de la disponibilite",
            "sous reserve des ressources",
            "dans la limite des ressources",
        ],
        (Condition::SubjectToResources, Language::En) => &[
            "subject to the availability of",
            "subject to available",
            "within available resources",
        ],
        (Condition::AsAppropriate, Language::Fr) => &["selon qu'il conviendra", "le cas echeant"],
        (Condition::AsAppropriate, Language::En) => &["as appropriate"],
        (Condition::WithinProgrammeOfWork, Language::Fr) => &[
            "conformement au programme de travail",
            "conformement aux programmes de travail",
        ],
        (Condition::WithinProgrammeOfWork, Language::En) => &[
            "in accordance with the programme of work",
            "in accordance with the programmes of work",
            "consistent with the programme of work",
            "in line with the programme of work",
        ],
    }
}

/// The conditions a folded text sets, in the order of [`Condition::ALL`].
fn conditions_in(folded: &str, language: Language) -> Vec<Condition> {
    Condition::ALL
        .iter()
        .copied()
        .filter(|condition| {
            condition_phrases(*condition, language)
                .iter()
                .any(|phrase| contains_phrase(folded, phrase))
        })
        .collect()
}

fn deliverable_phrases(kind: DeliverableKind, language: Language) -> &'static [&'static str] {
    match (kind, language) {
        (DeliverableKind::Report, Language::Fr) => {
            &["un rapport", "faire rapport", "rendre compte"]
        }
        (DeliverableKind::Report, Language::En) => &["a report", "to report"],
        (DeliverableKind::DraftDecision, Language::Fr) => {
            &["projet de decision", "projets de decision"]
        }
        (DeliverableKind::DraftDecision, Language::En) => &["draft decision"],
    }
}

/// A mention of a meeting: "at its next meeting", « à sa septième réunion ».
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MeetingMention {
    Next,
    Ordinal(u32),
}

const MEETING_WORDS: [&str; 4] = ["meeting", "reunion", "session", "sessions"];

/// The meetings a folded text mentions, in its order.
fn meeting_mentions(folded: &str) -> Vec<MeetingMention> {
    let words: Vec<&str> = folded.split(' ').map(trim_token).collect();
    words
        .windows(2)
        .filter(|pair| MEETING_WORDS.contains(&pair[1]))
        .filter_map(|pair| match pair[0] {
            "next" | "prochaine" => Some(MeetingMention::Next),
            word => ordinal(word).map(MeetingMention::Ordinal),
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

/// The value of a folded ordinal, 1 to 39: "sixth", « sixieme », "6th", « 6e ».
fn ordinal(word: &str) -> Option<u32> {
    numeric_ordinal(word).or_else(|| spelled_ordinal(word))
}

fn numeric_ordinal(word: &str) -> Option<u32> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let suffix = &word[digits..];
    let known = ["e", "eme", "er", "ere", "th", "st", "nd", "rd"].contains(&suffix);
    if digits == 0 || digits > 3 || !known {
        return None;
    }
    word[..digits].parse().ok().filter(|&n| n > 0)
}

/// "sixth", « sixieme », "twenty-first", « dix-septieme », « vingt-et-unieme ».
fn spelled_ordinal(word: &str) -> Option<u32> {
    if let Some(n) = simple_ordinal(word) {
        return Some(n);
    }
    let (tens, unit) = word.split_once('-')?;
    let unit = match unit {
        "first" | "unieme" | "et-unieme" => 1,
        unit => simple_ordinal(unit).filter(|n| (2..=9).contains(n))?,
    };
    match tens {
        "dix" if unit >= 7 => Some(10 + unit),
        "twenty" | "vingt" => Some(20 + unit),
        "thirty" | "trente" => Some(30 + unit),
        _ => None,
    }
}

/// The ordinals written in one word, 1 to 20 and 30.
fn simple_ordinal(word: &str) -> Option<u32> {
    const EN: [&str; 21] = [
        "",
        "first",
        "second",
        "third",
        "fourth",
        "fifth",
        "sixth",
        "seventh",
        "eighth",
        "ninth",
        "tenth",
        "eleventh",
        "twelfth",
        "thirteenth",
        "fourteenth",
        "fifteenth",
        "sixteenth",
        "seventeenth",
        "eighteenth",
        "nineteenth",
        "twentieth",
    ];
    const FR: [&str; 21] = [
        "",
        "premiere",
        "deuxieme",
        "troisieme",
        "quatrieme",
        "cinquieme",
        "sixieme",
        "septieme",
        "huitieme",
        "neuvieme",
        "dixieme",
        "onzieme",
        "douzieme",
        "treizieme",
        "quatorzieme",
        "quinzieme",
        "seizieme",
        "",
        "",
        "",
        "vingtieme",
    ];
    match word {
        "" => None,
        "premier" => Some(1),
        "second" | "seconde" => Some(2),
        "thirtieth" | "trentieme" => Some(30),
        _ => EN
            .iter()
            .position(|o| *o == word)
            .or_else(|| FR.iter().position(|o| *o == word))
            .map(|n| n as u32),
    }
}

// --- references

/// Decision numbers cited in a text (`MC-3/11`), each once, in the order of the text.
fn decision_refs_in(text: &str) -> Vec<String> {
    let mut refs = vec![];
    for token in text.split_whitespace().map(trim_token) {
        if let Some(number) = DecisionNumber::parse(token) {
            push_unique(&mut refs, number.to_string());
        }
    }
    refs
}

/// Bienniums named in a text (`2026-2027`, `2026–2027`), written with a hyphen, each once.
fn bienniums_in(text: &str) -> Vec<String> {
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
}

/// Documents cited in a text, each with the annexes named after it (before the next document).
fn document_refs_in(text: &str) -> Vec<DocumentRef> {
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
    let is_annex_word = |t: &&str| matches!(fold(t).as_str(), "annex" | "annexe" | "annexes");
    let Some(at) = tokens.iter().position(is_annex_word) else {
        return vec![];
    };
    let mut annexes = vec![];
    for token in &tokens[at + 1..] {
        if is_annex_number(token) {
            push_unique(&mut annexes, token.to_string());
        } else if !(token.is_empty() || CONJUNCTIONS.contains(&fold(token).as_str())) {
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
    ["ibid", "idem"]
        .iter()
        .any(|word| starts_with_word(&folded, word))
}

/// The documents each footnote cites, `Ibid.` resolved to the document of the footnote
/// before, with the annexes that the `Ibid.` footnote names.
fn footnote_documents(footnotes: &[Footnote]) -> BTreeMap<u32, Vec<DocumentRef>> {
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
fn merge_document(documents: &mut Vec<DocumentRef>, document: DocumentRef) {
    match documents.iter_mut().find(|d| d.symbol == document.symbol) {
        Some(known) => {
            for annex in document.annexes {
                push_unique(&mut known.annexes, annex);
            }
        }
        None => documents.push(document),
    }
}

// ---------------------------------------------------------------------------------------------
// Words.

/// Lower case, without accents, with straight apostrophes: the form every phrase is matched in.
fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'à' | 'â' | 'ä' | 'á' | 'ã' | 'å' => folded.push('a'),
            'ç' => folded.push('c'),
            'é' | 'è' | 'ê' | 'ë' => folded.push('e'),
            'î' | 'ï' | 'í' | 'ì' => folded.push('i'),
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' => folded.push('o'),
            'ù' | 'û' | 'ü' | 'ú' => folded.push('u'),
            'ÿ' => folded.push('y'),
            'œ' => folded.push_str("oe"),
            'æ' => folded.push_str("ae"),
            '’' | 'ʼ' | '‘' => folded.push('\''),
            c => folded.push(c),
        }
    }
    folded
}

/// A word without the punctuation around it: `(UNEP/MC/COP.6/INF/29),` → `UNEP/MC/COP.6/INF/29`.
fn trim_token(token: &str) -> &str {
    token
        .trim_start_matches(['(', '[', '«', '"', '\'', '“', '‘', '*'])
        .trim_end_matches([
            ')', ']', ',', ';', ':', '.', '»', '"', '\'', '”', '’', '!', '?', '*',
        ])
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Whether `s` opens with `phrase` as whole words.
fn starts_with_word(s: &str, phrase: &str) -> bool {
    s.strip_prefix(phrase)
        .is_some_and(|rest| !rest.starts_with(is_word_char))
}

/// Whether `phrase` occurs in `s` as whole words.
fn contains_phrase(s: &str, phrase: &str) -> bool {
    s.match_indices(phrase).any(|(at, _)| {
        let before = s[..at].chars().next_back();
        let after = s[at + phrase.len()..].chars().next();
        !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
    })
}

/// `s` without the leading words of `words`, as many as open it.
fn skip_words<'s>(s: &'s str, words: &[&str]) -> &'s str {
    let mut s = s.trim_start();
    while let Some(word) = words.iter().find(|word| starts_with_word(s, word)) {
        s = s[word.len()..].trim_start();
    }
    s
}

fn push_unique<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if !list.contains(&item) {
        list.push(item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_taken_out_and_footnotes_kept() {
        let clean = strip_word_markers(
            "2. [bookmark: _Hlk1]Prend note[footnoteRef:2] ; [2:  UNEP/X/1, [bookmark: b]annexe I.] [x]",
            true,
        );
        assert_eq!(clean.text, "2. Prend note ;  [x]");
        assert_eq!(clean.footnote_refs, vec![("2. Prend note".len(), 2)]);
        assert_eq!(
            clean.footnotes,
            vec![Footnote {
                number: 2,
                text: "UNEP/X/1, annexe I.".into()
            }]
        );
    }

    #[test]
    fn unclosed_markers_stay_as_text() {
        let clean = strip_word_markers("a [bookmark: x\n] b [3: c [footnoteRef:9", true);
        assert_eq!(clean.text, "a [bookmark: x\n] b [3: c [footnoteRef:9");
        assert!(clean.footnotes.is_empty());
    }

    #[test]
    fn every_kind_of_space_becomes_one_space() {
        let text = normalise_spaces("exécutive\u{a0}:\tx\u{202f};\r\ny\u{feff}\u{2011}z");
        assert_eq!(text, "exécutive : x ;\ny-z");
    }

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
        assert_eq!(
            DecisionNumber::parse("MC-06/20").map(|n| n.to_string()),
            Some("MC-6/20".into())
        );
        assert_eq!(DecisionNumber::parse("MC-0/20"), None);
        assert_eq!(DecisionNumber::parse("mc-6/20"), None);
        assert!(is_document_symbol("UNEP/MC/COP.6/INF/29"));
        assert!(is_document_symbol("A/RES/70/1"));
        assert!(!is_document_symbol("MC-3/11"));
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
