//! Mandates: what each operative paragraph of a decision asks, tracked until it is done.
//!
//! Every operative paragraph is tracked. A paragraph whose verbs ask someone to act
//! (requests, invites, urges, …) is *operational*: one mandate for it, or one per lettered
//! sub-paragraph when it has them; the others (takes note, reaffirms, welcomes …) are
//! *informational*. A mandate starts *active*; officers mark it implemented or superseded
//! with a dated note.

use serde::{Deserialize, Serialize};

use crate::decision::{Decision, OperativeParagraph, Subparagraph};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Tracking {
    Operational,
    Informational,
}

impl Tracking {
    pub fn as_str(&self) -> &'static str {
        match self {
            Tracking::Operational => "operational",
            Tracking::Informational => "informational",
        }
    }
    pub fn parse(s: &str) -> Option<Tracking> {
        [Tracking::Operational, Tracking::Informational]
            .into_iter()
            .find(|t| t.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MandateStatus {
    Active,
    Implemented,
    Superseded,
}

impl MandateStatus {
    pub const ALL: [MandateStatus; 3] = [
        MandateStatus::Active,
        MandateStatus::Implemented,
        MandateStatus::Superseded,
    ];
    pub fn as_str(&self) -> &'static str {
        match self {
            MandateStatus::Active => "active",
            MandateStatus::Implemented => "implemented",
            MandateStatus::Superseded => "superseded",
        }
    }
    pub fn parse(s: &str) -> Option<MandateStatus> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// One tracked request (or informational paragraph) of a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mandate {
    pub decision: String,
    /// `3`, or `4(c)` for a sub-paragraph.
    pub paragraph: String,
    /// Whom it addresses (`executive_secretary`, `secretariat`, `parties`, …), if named.
    pub actor: Option<String>,
    pub tracking: Tracking,
    pub status: MandateStatus,
    /// What the deliverable is (`report`, `draft_decision`), when the text asks for one.
    pub deliverable: Option<String>,
    /// The meeting at which it is due, when the text says so.
    pub due_meeting: Option<u32>,
    pub text: String,
}

/// A mandate named as activities and agreements name it, `MC-6/20 4(a)`: its decision and
/// paragraph, or `None` when the text is not of that form.
pub fn parse_reference(text: &str) -> Option<(&str, &str)> {
    let (decision, paragraph) = text.trim().rsplit_once(char::is_whitespace)?;
    let decision = decision.trim();
    let well_formed = !decision.is_empty()
        && !paragraph.is_empty()
        && !decision.contains(char::is_whitespace)
        && paragraph.starts_with(|c: char| c.is_ascii_digit());
    well_formed.then_some((decision, paragraph))
}

/// The mandates of a decision, in the order of its paragraphs.
pub fn mandates_of(d: &Decision) -> Vec<Mandate> {
    let mut out = vec![];
    for p in &d.operative {
        let operational = p.verbs.iter().any(|v| v.asks_for_action());
        let actor = p.addressees.first().map(|a| a.as_str().to_string());
        let tracking = if operational {
            Tracking::Operational
        } else {
            Tracking::Informational
        };
        if operational && !p.subparagraphs.is_empty() {
            for s in &p.subparagraphs {
                out.push(of_subparagraph(d, p, s, actor.clone()));
            }
        } else {
            let deliverable = p.deliverables.first();
            out.push(Mandate {
                decision: d.number.clone(),
                paragraph: p.number.to_string(),
                actor,
                tracking,
                status: MandateStatus::Active,
                deliverable: deliverable.map(|x| x.kind.as_str().to_string()),
                due_meeting: deliverable.and_then(|x| x.due_meeting),
                text: p.text.clone(),
            });
        }
    }
    out
}

fn of_subparagraph(
    d: &Decision,
    p: &OperativeParagraph,
    s: &Subparagraph,
    actor: Option<String>,
) -> Mandate {
    let deliverable = s.deliverables.first();
    Mandate {
        decision: d.number.clone(),
        paragraph: format!("{}({})", p.number, s.label),
        actor,
        tracking: Tracking::Operational,
        status: MandateStatus::Active,
        deliverable: deliverable.map(|x| x.kind.as_str().to_string()),
        due_meeting: deliverable.and_then(|x| x.due_meeting),
        text: s.text.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_reference;

    #[test]
    fn references_name_a_decision_and_a_paragraph() {
        assert_eq!(parse_reference("MC-6/20 4(a)"), Some(("MC-6/20", "4(a)")));
        assert_eq!(parse_reference("  MC-6/20   3 "), Some(("MC-6/20", "3")));
        assert_eq!(parse_reference("MC-6/20"), None);
        assert_eq!(parse_reference("MC-6/20 a"), None);
        assert_eq!(parse_reference("MC 6/20 4(a)"), None);
        assert_eq!(parse_reference(""), None);
    }
}
