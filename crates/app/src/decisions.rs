//! The registry of decisions: importing the text of a decision as UN documents publish it,
//! and tracking its mandates.

use chrono::NaiveDate;
use synergies_domain::decision::{
    detect_language, meeting_body, parse_decision_given, parse_decisions, Decision, DecisionError,
    DecisionStatus, Given, Language,
};
use synergies_domain::mandate::{mandates_of, parse_reference, Mandate, MandateStatus};
use synergies_store::{DecisionRecord, MandateLink, MandateNote, Store, StoreError};

use synergies_domain::text::Issues;

use crate::{Actor, AuditAction};
use crate::{AppError, AppResult};
use synergies_domain::access::Action;

#[derive(Debug, Clone, serde::Serialize)]
pub struct DecisionImport {
    /// False when an earlier import of the same number and language was replaced.
    pub new: bool,
    pub decision: Decision,
}

/// Where a decision stands: its status and, when known, the day it was adopted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Standing {
    /// `None`: keep what is recorded for the number (`adopted` for a new decision).
    pub status: Option<DecisionStatus>,
    /// `None`: keep what is recorded for the number (unknown for a new decision).
    pub adopted_on: Option<NaiveDate>,
}

/// The status and adoption date recorded for a decision's number, in any language.
fn recorded_standing(
    store: &dyn Store,
    number: &str,
) -> AppResult<Option<(DecisionStatus, Option<NaiveDate>)>> {
    Ok(store
        .decisions()?
        .into_iter()
        .find(|d| d.number == number)
        .map(|d| (d.status, d.adopted_on)))
}

/// Refuses a text of a decision already recorded that lacks paragraphs whose mandates are
/// recorded (a truncated or wrong text would leave mandates, their notes, the agreements linked
/// to them and the activities that serve them pointing at nothing), naming each paragraph and
/// what refers to it.
fn check_no_paragraph_dropped(
    store: &dyn Store,
    name: &str,
    number: &str,
    mandates: &[Mandate],
) -> AppResult<()> {
    let recorded = store.mandates(Some(number))?;
    let dropped: Vec<&Mandate> = recorded
        .iter()
        .filter(|r| !mandates.iter().any(|m| m.paragraph == r.paragraph))
        .collect();
    if dropped.is_empty() {
        return Ok(());
    }
    let links = store.mandate_links(None)?;
    let activities = store.activities(None)?;
    let mut issues = Issues::new();
    for m in dropped {
        let mut refs = vec![];
        let linked: Vec<&str> = links
            .iter()
            .filter(|l| l.decision == number && l.paragraph == m.paragraph)
            .map(|l| l.agreement.as_str())
            .collect();
        if !linked.is_empty() {
            refs.push(format!("agreements {}", linked.join(", ")));
        }
        let serving: Vec<String> = activities
            .iter()
            .filter(|a| {
                a.mandates
                    .iter()
                    .any(|r| parse_reference(r) == Some((number, m.paragraph.as_str())))
            })
            .map(|a| format!("{}/{}", a.biennium, a.code))
            .collect();
        if !serving.is_empty() {
            refs.push(format!("activities {}", serving.join(", ")));
        }
        let notes = store.mandate_notes(number, &m.paragraph)?.len();
        if notes > 0 {
            refs.push(format!("{notes} status notes"));
        }
        refs.push(format!("its mandate (status {})", m.status.as_str()));
        issues.push(
            format!("{name}: {number} paragraph {}", m.paragraph),
            "",
            format!(
                "is recorded but missing from this text (is the text complete?); {} refer to \
                 it, so the recorded text is kept",
                refs.join(", ")
            ),
        );
    }
    Err(issues.into_result().unwrap_err().into())
}

/// The language to read `text` in: the one given, else the one the text plainly reads in, else
/// French, or the language French was refused for.
fn reading_language(
    text: &str,
    language: Option<Language>,
    read: impl Fn(Language) -> Result<Vec<Decision>, DecisionError>,
) -> Result<Vec<Decision>, DecisionError> {
    match language.or_else(|| detect_language(text)) {
        Some(l) => read(l),
        None => read(Language::Fr).or_else(|e| match e {
            DecisionError::LanguageMismatch { found, .. } => read(found),
            other => Err(other),
        }),
    }
}

/// Reads `text` as a decision in `language` (when `None`, the language the text reads in) and
/// records it with its standing. A text that is not a decision is refused and nothing is
/// stored.
pub fn import_decision(
    store: &dyn Store,
    name: &str,
    text: &str,
    language: Option<Language>,
    standing: Standing,
    actor: &Actor,
) -> AppResult<DecisionImport> {
    actor.must_be_operator("import a decision's text")?;
    let decision = reading_language(text, language, |l| {
        parse_decision_given(text, l, &Given::default()).map(|d| vec![d])
    })
    .map_err(|e| AppError::Invalid(format!("{name}: {e}")))?
    .remove(0);
    let mandates = mandates_of(&decision);
    check_no_paragraph_dropped(store, name, &decision.number, &mandates)?;
    save(store, name, text, decision, mandates, standing, actor)
}

/// What the import of a text found: every decision it holds, each recorded.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DecisionsImport {
    pub decisions: Vec<DecisionImport>,
}

impl DecisionsImport {
    /// The operative paragraphs of all the decisions.
    pub fn paragraphs(&self) -> usize {
        self.decisions
            .iter()
            .map(|d| d.decision.operative.len())
            .sum()
    }

    /// `MC-6/1 … MC-6/24: 24 decisions, 312 paragraphs`, or `MC-6/20: 1 decision, 4
    /// paragraphs`.
    pub fn summary(&self) -> String {
        let numbers = match self.decisions.as_slice() {
            [] => String::new(),
            [only] => only.decision.number.clone(),
            [first, .., last] => format!("{} … {}", first.decision.number, last.decision.number),
        };
        let n = self.decisions.len();
        format!(
            "{numbers}: {n} decision{}, {} paragraph{}",
            if n == 1 { "" } else { "s" },
            self.paragraphs(),
            if self.paragraphs() == 1 { "" } else { "s" }
        )
    }
}

/// Reads every decision of `text` (a compilation of a meeting, or one decision) and records
/// each under its number with the same standing. `given` names the decision of a text without
/// a title line. All or nothing: a text of which one decision cannot be read, or would drop a
/// tracked paragraph, is refused whole and nothing is stored.
pub fn import_decisions(
    store: &dyn Store,
    name: &str,
    text: &str,
    language: Option<Language>,
    given: &Given,
    standing: Standing,
    actor: &Actor,
) -> AppResult<DecisionsImport> {
    actor.must_be_operator("import a decision's text")?;
    let decisions = reading_language(text, language, |l| parse_decisions(text, l, given))
        .map_err(|e| AppError::Invalid(format!("{name}: {e}")))?;
    let mut issues = Issues::new();
    for (at, decision) in decisions.iter().enumerate() {
        if decisions[..at].iter().any(|d| d.number == decision.number) {
            issues.push(
                format!("{name}: {}", decision.number),
                "",
                "is given twice in the text".to_string(),
            );
        }
    }
    issues.into_result()?;
    let mut checked = vec![];
    for decision in decisions {
        let mandates = mandates_of(&decision);
        check_no_paragraph_dropped(store, name, &decision.number, &mandates)?;
        checked.push((decision, mandates));
    }
    let mut imported = vec![];
    for (decision, mandates) in checked {
        imported.push(save(
            store, name, text, decision, mandates, standing, actor,
        )?);
    }
    Ok(DecisionsImport {
        decisions: imported,
    })
}

/// Records a decision that was read and checked, with its mandates and its audit event.
fn save(
    store: &dyn Store,
    name: &str,
    text: &str,
    decision: Decision,
    mandates: Vec<Mandate>,
    standing: Standing,
    actor: &Actor,
) -> AppResult<DecisionImport> {
    let document =
        serde_json::to_string(&decision).map_err(|e| AppError::Invalid(e.to_string()))?;
    let recorded = recorded_standing(store, &decision.number)?;
    let status = standing
        .status
        .or(recorded.map(|r| r.0))
        .unwrap_or(DecisionStatus::Adopted);
    let adopted_on = standing.adopted_on.or(recorded.and_then(|r| r.1));
    let new = store.save_decision_and_mandates(
        &DecisionRecord {
            number: decision.number.clone(),
            language: decision.language.as_str().to_string(),
            treaty: decision.treaty.as_str().to_string(),
            kind: decision.kind,
            body: meeting_body(text),
            meeting: decision.meeting,
            status,
            adopted_on,
            title: decision.title.clone(),
            document,
            imported_at: chrono::Utc::now().to_rfc3339(),
        },
        &mandates,
        // The text, its mandates and this event in one transaction; its outcome says whether
        // the text is new.
        &actor.audit(
            AuditAction::DecisionImport,
            &decision.number,
            serde_json::json!({ "language": decision.language, "file": name,
                                "status": status, "adopted_on": adopted_on,
                                "mandates": mandates.len() }),
        ),
    )?;
    Ok(DecisionImport { new, decision })
}

/// Sets a mandate's status with a dated note, in the audit trail too.
pub fn update_mandate(
    store: &dyn Store,
    decision: &str,
    paragraph: &str,
    status: MandateStatus,
    note: &str,
    on: NaiveDate,
    author: &Actor,
) -> AppResult<()> {
    author.authorize(&Action::TrackMandate {
        organisation: servicing_organisation(store, decision)?,
    })?;
    if note.trim().is_empty() {
        return Err(AppError::Invalid(
            "a status change needs a note saying what was done".into(),
        ));
    }
    let mut issues = Issues::new();
    issues.text(
        &format!("mandate {decision} {paragraph}"),
        "note",
        synergies_domain::text::TextKind::Text,
        note,
    );
    issues.text(
        &format!("mandate {decision} {paragraph}"),
        "author",
        synergies_domain::text::TextKind::Name,
        author.name(),
    );
    issues.into_result()?;
    let note = MandateNote {
        noted_on: on,
        status,
        note: note.to_string(),
        author: author.name().to_string(),
    };
    store.update_mandate(
        decision,
        paragraph,
        &note,
        &author.audit(
            AuditAction::MandateUpdate,
            &format!("{decision} {paragraph}"),
            serde_json::json!({"after": note}),
        ),
    )?;
    Ok(())
}

/// Sets a decision's status, and its adoption date when given (else the recorded one stays),
/// in every language; in the audit trail with the standing before and after.
pub fn update_decision(
    store: &dyn Store,
    number: &str,
    status: DecisionStatus,
    adopted_on: Option<NaiveDate>,
    by: &Actor,
) -> AppResult<DecisionRecord> {
    let Some((before_status, before_adopted)) = recorded_standing(store, number)? else {
        return Err(
            StoreError::NotFound(format!("no decision {number} (see `decisions list`)")).into(),
        );
    };
    by.authorize(&Action::TrackMandate {
        organisation: servicing_organisation(store, number)?,
    })?;
    let adopted_on = adopted_on.or(before_adopted);
    store.update_decision(
        number,
        status,
        adopted_on,
        &by.audit(
            AuditAction::DecisionUpdate,
            number,
            serde_json::json!({
                "before": { "status": before_status, "adopted_on": before_adopted },
                "after": { "status": status, "adopted_on": adopted_on },
            }),
        ),
    )?;
    store
        .decisions()?
        .into_iter()
        .find(|d| d.number == number)
        .ok_or_else(|| AppError::Invalid(format!("decision {number} vanished")))
}

/// A mandate named `MC-6/20 4(a)`, read into a link from `agreement`.
pub fn mandate_link(agreement: &str, mandate: &str) -> AppResult<MandateLink> {
    let (decision, paragraph) = parse_reference(mandate).ok_or_else(|| {
        AppError::Invalid(format!(
            "{mandate:?} does not name a mandate: give the decision and the paragraph, \
             such as \"MC-6/20 4(a)\""
        ))
    })?;
    Ok(MandateLink {
        agreement: agreement.to_string(),
        decision: decision.to_string(),
        paragraph: paragraph.to_string(),
    })
}

/// The provider's officer links its agreements to the mandates they serve.
fn authorize_link(store: &dyn Store, agreement: &str, by: &Actor) -> AppResult<()> {
    if let Some(a) = store.agreement(agreement)? {
        by.authorize(&Action::DraftAgreement {
            provider: a.provider,
        })?;
    }
    Ok(())
}

/// The organisation that services a decision's treaty (the convention whose code is the
/// treaty's name, e.g. `minamata` → MINAMATA → MC).
pub fn servicing_organisation(store: &dyn Store, decision: &str) -> AppResult<String> {
    let record = store
        .decisions()?
        .into_iter()
        .find(|d| d.number == decision)
        .ok_or_else(|| AppError::NotFound(format!("unknown decision {decision}")))?;
    store
        .framework()?
        .conventions
        .iter()
        .find(|c| c.code.eq_ignore_ascii_case(&record.treaty))
        .map(|c| c.organisation.clone())
        .ok_or_else(|| {
            AppError::Invalid(format!(
                "no convention of the framework is the treaty {} of {decision}",
                record.treaty
            ))
        })
}

/// Links an agreement to a mandate it serves (refused, with nothing written, when either is
/// unknown). Returns false when the link existed.
pub fn link_agreement(
    store: &dyn Store,
    agreement: &str,
    mandate: &str,
    by: &Actor,
) -> AppResult<bool> {
    authorize_link(store, agreement, by)?;
    let link = mandate_link(agreement, mandate)?;
    // The link and its event in one transaction; a link that existed writes neither.
    let audit = by.audit(
        AuditAction::AgreementLinkMandate,
        agreement,
        serde_json::json!({"before": null, "after": link}),
    );
    Ok(store.link_mandate(&link, &audit)?)
}

/// Removes a link from an agreement to a mandate; refused when there was none.
pub fn unlink_agreement(
    store: &dyn Store,
    agreement: &str,
    mandate: &str,
    by: &Actor,
) -> AppResult<()> {
    authorize_link(store, agreement, by)?;
    let link = mandate_link(agreement, mandate)?;
    let audit = by.audit(
        AuditAction::AgreementUnlinkMandate,
        agreement,
        serde_json::json!({"before": link, "after": null}),
    );
    if !store.unlink_mandate(&link, &audit)? {
        return Err(StoreError::NotFound(format!(
            "{agreement} is not linked to {} {}",
            link.decision, link.paragraph
        ))
        .into());
    }
    Ok(())
}

/// A mandate with what serves it: the agreements linked to it and the activities that name it
/// (as `BIENNIUM/CODE`).
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MandateView {
    #[serde(flatten)]
    pub mandate: Mandate,
    pub agreements: Vec<String>,
    pub activities: Vec<String>,
}

/// The mandates of one decision, or of all, each with the agreements and activities that
/// serve it.
pub fn mandates(store: &dyn Store, decision: Option<&str>) -> AppResult<Vec<MandateView>> {
    let links = store.mandate_links(None)?;
    let activities = store.activities(None)?;
    Ok(store
        .mandates(decision)?
        .into_iter()
        .map(|m| {
            let agreements = links
                .iter()
                .filter(|l| l.decision == m.decision && l.paragraph == m.paragraph)
                .map(|l| l.agreement.clone())
                .collect();
            let activities = activities
                .iter()
                .filter(|a| {
                    a.mandates.iter().any(|r| {
                        parse_reference(r) == Some((m.decision.as_str(), m.paragraph.as_str()))
                    })
                })
                .map(|a| format!("{}/{}", a.biennium, a.code))
                .collect();
            MandateView {
                mandate: m,
                agreements,
                activities,
            }
        })
        .collect())
}
