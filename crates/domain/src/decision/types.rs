//! The public types of the reader of decisions: what a decision states (its number, kind,
//! paragraphs and what they cite), what the registry records beside it (status, meeting body),
//! and why a text could not be read.

use serde::{Deserialize, Serialize};

use super::bodies;
use super::Language;

/// The treaty whose body adopted a decision (`minamata`, `basel`, `cbd`, …), known from the
/// form of its number. The treaties are data: one file per body in
/// `crates/domain/data/decision-bodies/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Treaty(String);

impl Treaty {
    /// The treaty of a key the registry records (`basel`), when a body of that key is known.
    pub fn parse(key: &str) -> Option<Treaty> {
        bodies::of_treaty(key).map(|b| Treaty(b.treaty.clone()))
    }

    /// The treaty of a decision number written in a form of one body (`BC-10/3`, `8/CP.2`).
    /// A form several bodies share (`III/1`) names none.
    pub fn of_number(number: &str) -> Option<Treaty> {
        match bodies::read_number(number, None)? {
            bodies::Reading::One(read) => Some(Treaty(read.body.treaty.clone())),
            _ => None,
        }
    }

    pub(super) fn of_body(body: &bodies::Body) -> Treaty {
        Treaty(body.treaty.clone())
    }

    /// Every treaty the reader knows, in the order of its data.
    pub fn all() -> Vec<Treaty> {
        bodies::all().iter().map(Treaty::of_body).collect()
    }

    /// The key the registry records: `minamata`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code of the convention in the reference data (`MINAMATA`, `BASEL`, …).
    pub fn convention_code(&self) -> String {
        bodies::of_treaty(&self.0)
            .map(|b| b.convention.clone())
            .unwrap_or_else(|| self.0.to_uppercase())
    }
}

impl std::fmt::Display for Treaty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
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
    /// Numbers cited in a form several treaties share (`decision III/1` outside a Basel
    /// text), which the text does not tell apart.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ambiguous_decision_refs: Vec<String>,
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
    /// Numbers cited in a form several treaties share (`decision III/1` outside a Basel
    /// text), which the text does not tell apart.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ambiguous_decision_refs: Vec<String>,
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
    /// Numbers cited in a form several treaties share (`decision III/1` outside a Basel
    /// text), which the text does not tell apart.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ambiguous_decision_refs: Vec<String>,
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
        "no title line such as \"Decision MC-6/20: …\" or « Décision MC-6/20 : … » and no \
         numbered paragraph: the text is not a decision"
    )]
    NotADecision,
    #[error(
        "the text has no title line such as \"Decision MC-6/20: …\" (it starts: {start:?}): \
         give the decision's number (--number, such as MC-6/20) and its title (--title)"
    )]
    NumberNeeded { start: String },
    #[error("the text is decision {found}, not {given} as given")]
    NumberMismatch { given: String, found: String },
    #[error(
        "{number} is written as a decision of several treaties ({treaties}) and the text \
         names none of them: give the decision's number in a form of its treaty (--number)"
    )]
    AmbiguousNumber { number: String, treaties: String },
    #[error(
        "{number:?} is not a decision number of a known form (such as MC-6/20, BC-10/3, 8/CP.2)"
    )]
    BadNumber { number: String },
    #[error(
        "the text reads as {} ({found}), not {} ({given}): give the language of the text",
        found.name(),
        given.name()
    )]
    LanguageMismatch { given: Language, found: Language },
    #[error(
        "decision {number}: unknown treaty {prefix} (the known treaties: {})",
        known_treaties()
    )]
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

/// The treaties the reader knows, for messages: `minamata, basel, …`.
fn known_treaties() -> String {
    Treaty::all()
        .iter()
        .map(Treaty::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}
