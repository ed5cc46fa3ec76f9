//! The registry of decisions: importing the text of a decision as UN documents publish it,
//! and tracking its mandates.

use chrono::NaiveDate;
use synergies_domain::decision::{parse_decision, Decision, DecisionError, Language};
use synergies_domain::mandate::{mandates_of, MandateStatus};
use synergies_store::{DecisionRecord, MandateNote, Store};

use crate::{AppError, AppResult};

#[derive(Debug, Clone, serde::Serialize)]
pub struct DecisionImport {
    /// False when an earlier import of the same number and language was replaced.
    pub new: bool,
    pub decision: Decision,
}

/// Reads `text` as a decision in `language` (tried in French, then English, when `None`) and
/// records it. A text that is not a decision is refused and nothing is stored.
pub fn import_decision(
    store: &dyn Store,
    name: &str,
    text: &str,
    language: Option<Language>,
) -> AppResult<DecisionImport> {
    let parsed = match language {
        Some(l) => parse_decision(text, l),
        None => parse_decision(text, Language::Fr).or_else(|e| match e {
            DecisionError::LanguageMismatch { .. } => parse_decision(text, Language::En),
            other => Err(other),
        }),
    };
    let decision = parsed.map_err(|e| AppError::Invalid(format!("{name}: {e}")))?;
    let document =
        serde_json::to_string(&decision).map_err(|e| AppError::Invalid(e.to_string()))?;
    let new = store.save_decision(&DecisionRecord {
        number: decision.number.clone(),
        language: decision.language.as_str().to_string(),
        treaty: decision.treaty.as_str().to_string(),
        meeting: decision.meeting,
        title: decision.title.clone(),
        document,
        imported_at: chrono::Utc::now().to_rfc3339(),
    })?;
    store.save_mandates(&mandates_of(&decision))?;
    store.audit(
        "cli",
        "decision.import",
        &decision.number,
        &serde_json::json!({ "language": decision.language, "file": name, "new": new }),
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
    author: &str,
) -> AppResult<()> {
    if note.trim().is_empty() {
        return Err(AppError::Invalid(
            "a status change needs a note saying what was done".into(),
        ));
    }
    let note = MandateNote {
        noted_on: on,
        status,
        note: note.to_string(),
        author: author.to_string(),
    };
    store.update_mandate(decision, paragraph, &note)?;
    store.audit(
        author,
        "mandate.update",
        &format!("{decision} {paragraph}"),
        &serde_json::to_value(&note).unwrap_or_default(),
    )?;
    Ok(())
}
