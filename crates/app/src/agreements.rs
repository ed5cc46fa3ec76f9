//! Agreement services: loading agreements, drafting one from a form, and the lifecycle steps
//! (propose, approve, amend) that the domain defines. Each is authorised by the domain's
//! `authorize` and written with its audit event in one transaction.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use synergies_domain::access::Action;
use synergies_domain::agreement::{
    Agreement, AgreementKind, AgreementLine, Participant, ShareKey, Terms, VersionStatus,
};
use synergies_store::{Audit, Store};

use crate::deliveries::agreement as load;
use crate::form::{currency, decimal, required};
use crate::{Actor, AuditAction};

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
    actor: &Actor,
) -> AppResult<usize> {
    for a in agreements {
        actor.authorize(&Action::DraftAgreement {
            provider: a.provider.clone(),
        })?;
    }
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
            actor.audit(
                AuditAction::AgreementLoad,
                &a.code,
                json!({"before": null, "after": a}),
            )
        })
        .collect();
    let batch: Vec<(&Agreement, &Audit)> = agreements.iter().zip(&events).collect();
    store.insert_agreements(&batch)?;
    Ok(agreements.len())
}

/// Records a draft agreement: an officer (or finance officer) of its provider.
pub fn create(store: &dyn Store, actor: &Actor, a: &Agreement) -> AppResult<()> {
    actor.authorize(&Action::DraftAgreement {
        provider: a.provider.clone(),
    })?;
    insert_draft(store, actor, a)
}

/// Records a draft agreement that its author may draft.
fn insert_draft(store: &dyn Store, actor: &Actor, a: &Agreement) -> AppResult<()> {
    if store.agreement(&a.code)?.is_some() {
        return Err(AppError::field(
            "code",
            format!("an agreement {} already exists", a.code),
        ));
    }
    a.validate(&store.framework()?)?;
    let audit = actor.audit(
        AuditAction::AgreementCreate,
        &a.code,
        json!({"before": null, "after": a}),
    );
    store.insert_agreement(a, &audit)?;
    Ok(())
}

/// Drafts the agreement a person typed in.
pub fn draft(store: &dyn Store, actor: &Actor, new: &NewAgreement) -> AppResult<Agreement> {
    actor.authorize(&Action::DraftAgreement {
        provider: new.provider.trim().to_string(),
    })?;
    let a = new.draft()?;
    insert_draft(store, actor, &a)?;
    Ok(a)
}

fn save(
    store: &dyn Store,
    actor: &Actor,
    action: AuditAction,
    before: &Agreement,
    after: &Agreement,
) -> AppResult<()> {
    let audit = actor.audit(
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

/// Proposes a draft to the parties' heads: an officer of its provider.
pub fn propose(store: &dyn Store, actor: &Actor, code: &str) -> AppResult<Agreement> {
    let before = load(store, code)?;
    actor.authorize(&Action::DraftAgreement {
        provider: before.provider.clone(),
    })?;
    let mut a = before.clone();
    a.propose()?;
    save(store, actor, AuditAction::AgreementPropose, &before, &a)?;
    Ok(a)
}

/// The head of `organisation` approves for it; when `organisation` is `None`, for the first
/// party still to approve whose head the actor is. Returns the agreement and whether it is now
/// active.
pub fn approve(
    store: &dyn Store,
    actor: &Actor,
    code: &str,
    organisation: Option<&str>,
    on: NaiveDate,
) -> AppResult<(Agreement, bool)> {
    let before = load(store, code)?;
    let organisation = match organisation {
        Some(org) => {
            actor.authorize(&Action::ApproveAgreement {
                organisation: org.to_string(),
            })?;
            org.to_string()
        }
        None => {
            let latest = before.latest();
            let pending: Vec<String> = before
                .required_approvers(latest)
                .into_iter()
                .filter(|org| !latest.approvals.iter().any(|ap| &ap.organisation == org))
                .collect();
            let candidates = if pending.is_empty() {
                before.parties().into_iter().collect()
            } else {
                pending
            };
            actor.first_allowed(&candidates, |o| Action::ApproveAgreement {
                organisation: o.to_string(),
            })?
        }
    };
    let mut a = before.clone();
    let activated = a.approve(&organisation, actor.name(), on)?;
    save(store, actor, AuditAction::AgreementApprove, &before, &a)?;
    Ok((a, activated))
}

/// A head of a party amends the terms: a new version that every party's head must approve.
pub fn amend(store: &dyn Store, actor: &Actor, code: &str, terms: Terms) -> AppResult<Agreement> {
    let before = load(store, code)?;
    let parties: Vec<String> = before.parties().into_iter().collect();
    actor.first_allowed(&parties, |o| Action::ApproveAgreement {
        organisation: o.to_string(),
    })?;
    let mut a = before.clone();
    a.amend(terms)?;
    a.validate(&store.framework()?)?;
    save(store, actor, AuditAction::AgreementAmend, &before, &a)?;
    Ok(a)
}

/// A new agreement's terms as a person types them: amounts in major units, rates as decimals.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewAgreement {
    /// A code unique among agreements, e.g. `MC-BRS-2026-07`.
    pub code: String,
    pub title: String,
    /// `purchase` (one recipient pays) or `sharing` (the parties split a joint cost).
    #[serde(default = "purchase")]
    pub kind: String,
    pub provider: String,
    pub provider_fund: String,
    /// e.g. `2026-2027`.
    pub biennium: String,
    /// ISO 4217 code, e.g. `USD`.
    pub currency: String,
    /// The ceiling in major units, e.g. `50000.00`.
    pub ceiling: String,
    /// Programme support costs as a fraction, e.g. `0.13`.
    #[serde(default = "zero")]
    pub psc_rate: String,
    pub lines: Vec<NewLine>,
    pub participants: Vec<NewParticipant>,
    /// For a sharing agreement whose weights are a driver's values (e.g. `participants`).
    #[serde(default)]
    pub driver: Option<String>,
    #[serde(default)]
    pub note: String,
}

fn purchase() -> String {
    "purchase".into()
}

fn zero() -> String {
    "0".into()
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewLine {
    pub service: String,
    /// The quantity the parties expect, in the service's unit.
    pub estimated_quantity: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewParticipant {
    pub organisation: String,
    pub fund: String,
    /// 1 for the single recipient of a purchase; a share or driver value for a sharing.
    #[serde(default = "one")]
    pub weight: String,
}

fn one() -> String {
    "1".into()
}

impl NewAgreement {
    /// The domain's terms, or the first field in error.
    pub fn terms(&self) -> AppResult<Terms> {
        let currency = currency("currency", &self.currency)?;
        let ceiling = decimal("ceiling", &self.ceiling)?;
        let ceiling_minor = currency
            .to_minor(ceiling)
            .map_err(|e| AppError::field("ceiling", e.to_string()))?;
        if ceiling_minor <= 0 {
            return Err(AppError::field(
                "ceiling",
                "the ceiling must be more than zero",
            ));
        }
        let psc_rate = decimal("psc_rate", &self.psc_rate)?;
        if psc_rate < Decimal::ZERO || psc_rate >= Decimal::ONE {
            return Err(AppError::field(
                "psc_rate",
                "programme support costs are a fraction from 0 to less than 1, e.g. 0.13",
            ));
        }
        if self.lines.is_empty() {
            return Err(AppError::field("service", "name at least one service"));
        }
        let lines = self
            .lines
            .iter()
            .map(|l| {
                Ok(AgreementLine {
                    service: required("service", &l.service)?.to_string(),
                    estimated_quantity: decimal("estimated_quantity", &l.estimated_quantity)?,
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        if self.participants.is_empty() {
            return Err(AppError::field(
                "recipient",
                "name the organisation that pays",
            ));
        }
        let participants = self
            .participants
            .iter()
            .map(|p| {
                Ok(Participant {
                    organisation: required("recipient", &p.organisation)?.to_string(),
                    fund: required("recipient_fund", &p.fund)?.to_string(),
                    weight: decimal("weight", &p.weight)?,
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        Ok(Terms {
            ceiling_minor,
            psc_rate,
            lines,
            participants,
            share_key: match &self.driver {
                Some(d) if !d.trim().is_empty() => ShareKey::Driver {
                    driver: d.trim().to_string(),
                },
                _ => ShareKey::Fixed,
            },
            note: self.note.clone(),
        })
    }

    fn draft(&self) -> AppResult<Agreement> {
        let kind = AgreementKind::parse(self.kind.trim())
            .ok_or_else(|| AppError::field("kind", "the kind is purchase or sharing"))?;
        Ok(Agreement::draft(
            required("code", &self.code)?,
            required("title", &self.title)?,
            kind,
            required("provider", &self.provider)?,
            required("provider_fund", &self.provider_fund)?,
            required("biennium", &self.biennium)?,
            currency("currency", &self.currency)?,
            self.terms()?,
        ))
    }
}
