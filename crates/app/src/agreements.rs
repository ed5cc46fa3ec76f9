//! Agreement services: loading agreements, and the lifecycle steps (propose, approve, amend)
//! that the domain defines.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde_json::json;
use synergies_domain::agreement::{Agreement, Terms, VersionStatus};
use synergies_store::{Audit, Store};

use synergies_domain::text::Issues;
use synergies_domain::DomainError;

use crate::{AppError, AppResult};

/// Checks that an agreement loaded from a file is consistent: valid against the framework, at
/// most one version in force, and every version that is or was in force approved by the head
/// of every party.
pub fn validate_loaded(store: &dyn Store, a: &Agreement) -> AppResult<()> {
    let framework = store.framework()?;
    a.validate(&framework)?;
    if a.versions.is_empty() {
        return Err(AppError::Invalid(format!("{} has no version", a.code)));
    }
    for (i, v) in a.versions.iter().enumerate() {
        if v.number != i as u32 + 1 {
            return Err(AppError::Invalid(format!(
                "{}: versions must be numbered 1, 2, … in order",
                a.code
            )));
        }
        if matches!(v.status, VersionStatus::Active | VersionStatus::Superseded) {
            let approved: BTreeSet<String> =
                v.approvals.iter().map(|x| x.organisation.clone()).collect();
            let required = a.required_approvers(v);
            if approved != required {
                return Err(AppError::Invalid(format!(
                    "{} version {} is {} but is not approved by the heads of {}",
                    a.code,
                    v.number,
                    v.status.as_str(),
                    required.into_iter().collect::<Vec<_>>().join(" and ")
                )));
            }
        }
    }
    let active = a
        .versions
        .iter()
        .filter(|v| v.status == VersionStatus::Active)
        .count();
    if active > 1 {
        return Err(AppError::Invalid(format!(
            "{} has {active} versions in force; at most one may be",
            a.code
        )));
    }
    Ok(())
}

/// Loads agreements (a JSON array of agreements) all or nothing: every problem of every
/// agreement is reported (its own checks, a code given twice in the file or already recorded),
/// and nothing is written when there is one.
pub fn import_agreements(
    store: &dyn Store,
    agreements: &[Agreement],
    actor: &str,
) -> AppResult<usize> {
    let mut issues = Issues::new();
    let mut seen = BTreeSet::new();
    for (n, a) in agreements.iter().enumerate() {
        let record = format!(
            "agreement {} ({})",
            n + 1,
            a.code.chars().take(64).collect::<String>()
        );
        if !seen.insert(a.code.as_str()) {
            issues.push(&record, "code", "is given more than once in the file");
            continue;
        }
        match validate_loaded(store, a) {
            Err(AppError::Domain(DomainError::Invalid(inner))) => {
                for i in inner.0 {
                    issues.push(&record, i.field, format!("{}: {}", i.record, i.reason));
                }
            }
            Err(AppError::Store(e)) => return Err(e.into()),
            Err(e) => issues.push(&record, "", e.to_string()),
            Ok(()) => {
                if store.agreement(&a.code)?.is_some() {
                    issues.push(
                        &record,
                        "code",
                        format!("agreement {} already exists", a.code),
                    );
                }
            }
        }
    }
    issues.into_result()?;
    // Every agreement with its audit event, all in one transaction.
    let events: Vec<Audit> = agreements
        .iter()
        .map(|a| {
            Audit::new(
                actor,
                "agreement.load",
                &a.code,
                json!({"before": null, "after": a}),
            )
        })
        .collect();
    let batch: Vec<(&Agreement, &Audit)> = agreements.iter().zip(&events).collect();
    store.insert_agreements(&batch)?;
    Ok(agreements.len())
}

/// Creates a draft agreement.
pub fn create(store: &dyn Store, actor: &str, a: &Agreement) -> AppResult<()> {
    a.validate(&store.framework()?)?;
    let audit = Audit::new(
        actor,
        "agreement.create",
        &a.code,
        json!({"before": null, "after": a}),
    );
    store.insert_agreement(a, &audit)?;
    Ok(())
}

fn load(store: &dyn Store, code: &str) -> AppResult<Agreement> {
    store
        .agreement(code)?
        .ok_or_else(|| AppError::Invalid(format!("unknown agreement {code}")))
}

fn save(
    store: &dyn Store,
    actor: &str,
    action: &str,
    before: &Agreement,
    after: &Agreement,
) -> AppResult<()> {
    let audit = Audit::new(
        actor,
        action,
        &after.code,
        json!({
            "before": serde_json::to_value(before).unwrap_or_default(),
            "after": serde_json::to_value(after).unwrap_or_default(),
        }),
    );
    store.update_agreement(after, &audit)?;
    Ok(())
}

pub fn propose(store: &dyn Store, actor: &str, code: &str) -> AppResult<Agreement> {
    let before = load(store, code)?;
    let mut a = before.clone();
    a.propose()?;
    save(store, actor, "agreement.propose", &before, &a)?;
    Ok(a)
}

/// The head of `organisation` approves. Returns the agreement and whether it is now active.
pub fn approve(
    store: &dyn Store,
    actor: &str,
    code: &str,
    organisation: &str,
    on: NaiveDate,
) -> AppResult<(Agreement, bool)> {
    let before = load(store, code)?;
    let mut a = before.clone();
    let activated = a.approve(organisation, actor, on)?;
    save(store, actor, "agreement.approve", &before, &a)?;
    Ok((a, activated))
}

pub fn amend(store: &dyn Store, actor: &str, code: &str, terms: Terms) -> AppResult<Agreement> {
    let before = load(store, code)?;
    let mut a = before.clone();
    a.amend(terms)?;
    a.validate(&store.framework()?)?;
    save(store, actor, "agreement.amend", &before, &a)?;
    Ok(a)
}
