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
use synergies_domain::{DomainError, Message};

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
    insert_draft(store, actor, &a).map_err(|e| new.placed(e))?;
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

/// Amends an active agreement with the terms a person typed in: every field's problem at
/// once, and a refusal of the domain beside the field that holds what it names.
pub fn amend_typed(
    store: &dyn Store,
    actor: &Actor,
    code: &str,
    typed: &NewAgreement,
) -> AppResult<Agreement> {
    let terms = typed.terms()?;
    amend(store, actor, code, terms).map_err(|e| typed.placed(e))
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
    /// The domain's terms, or every field in error at once. A line's fields are named
    /// `lines[N].service` and `lines[N].estimated_quantity`, a participant's
    /// `participants[N].organisation`, `.fund` and `.weight` (N from 0, as given).
    pub fn terms(&self) -> AppResult<Terms> {
        let mut errors = FieldErrors::default();
        let currency = errors.take(currency("currency", &self.currency));
        let ceiling = errors.take(decimal("ceiling", &self.ceiling));
        let ceiling_minor = match (currency, ceiling) {
            (Some(c), Some(ceiling)) => match c.to_minor(ceiling) {
                Ok(m) if m <= 0 => {
                    errors.push("ceiling", "the ceiling must be more than zero");
                    None
                }
                Ok(m) => Some(m),
                Err(e) => {
                    errors.push("ceiling", e.to_string());
                    None
                }
            },
            _ => None,
        };
        let psc_rate = errors.take(decimal("psc_rate", &self.psc_rate));
        if psc_rate.is_some_and(|r| r < Decimal::ZERO || r >= Decimal::ONE) {
            errors.push(
                "psc_rate",
                "programme support costs are a fraction from 0 to less than 1, e.g. 0.13",
            );
        }
        if self.lines.is_empty() {
            errors.push("lines[0].service", "name at least one service");
        }
        let mut lines = vec![];
        for (i, l) in self.lines.iter().enumerate() {
            let service = errors.take(required(&format!("lines[{i}].service"), &l.service));
            let quantity = errors.take(decimal(
                &format!("lines[{i}].estimated_quantity"),
                &l.estimated_quantity,
            ));
            if let (Some(service), Some(estimated_quantity)) = (service, quantity) {
                lines.push(AgreementLine {
                    service: service.to_string(),
                    estimated_quantity,
                });
            }
        }
        if self.participants.is_empty() {
            errors.push(
                "participants[0].organisation",
                "name the organisation that pays",
            );
        }
        let mut participants = vec![];
        for (i, p) in self.participants.iter().enumerate() {
            let organisation = errors.take(required(
                &format!("participants[{i}].organisation"),
                &p.organisation,
            ));
            let fund = errors.take(required(&format!("participants[{i}].fund"), &p.fund));
            let weight = errors.take(decimal(&format!("participants[{i}].weight"), &p.weight));
            if let (Some(organisation), Some(fund), Some(weight)) = (organisation, fund, weight) {
                participants.push(Participant {
                    organisation: organisation.to_string(),
                    fund: fund.to_string(),
                    weight,
                });
            }
        }
        errors.into_result()?;
        Ok(Terms {
            ceiling_minor: ceiling_minor.unwrap_or_default(),
            psc_rate: psc_rate.unwrap_or_default(),
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

    /// The draft, or every problem of its fields at once (the terms' too).
    fn draft(&self) -> AppResult<Agreement> {
        let mut errors = FieldErrors::default();
        let kind = AgreementKind::parse(self.kind.trim());
        if kind.is_none() {
            errors.push("kind", "the kind is purchase or sharing");
        }
        let code = errors.take(required("code", &self.code));
        let title = errors.take(required("title", &self.title));
        let provider = errors.take(required("provider", &self.provider));
        let provider_fund = errors.take(required("provider_fund", &self.provider_fund));
        let biennium = errors.take(required("biennium", &self.biennium));
        let currency = errors.take(currency("currency", &self.currency));
        let terms = errors.take(self.terms());
        errors.into_result()?;
        match (
            kind,
            code,
            title,
            provider,
            provider_fund,
            biennium,
            currency,
            terms,
        ) {
            (
                Some(kind),
                Some(code),
                Some(title),
                Some(provider),
                Some(provider_fund),
                Some(biennium),
                Some(currency),
                Some(terms),
            ) => Ok(Agreement::draft(
                code,
                title,
                kind,
                provider,
                provider_fund,
                biennium,
                currency,
                terms,
            )),
            _ => Err(AppError::Invalid("the agreement could not be read".into())),
        }
    }

    /// A refusal of the domain as a refusal of the field that holds what it names, when one
    /// does; any other error as it is.
    pub fn placed(&self, e: AppError) -> AppError {
        match e {
            AppError::Domain(DomainError::Agreement(message)) => match self.field_of(&message) {
                Some(field) => AppError::Field { field, message },
                None => AppError::Domain(DomainError::Agreement(message)),
            },
            other => other,
        }
    }

    /// The field that holds what a refusal of the domain names (the fund, the service, the
    /// organisation it refuses), so that a form shows the refusal beside it.
    pub fn field_of(&self, refusal: &Message) -> Option<String> {
        let named = |arg: &str| refusal.text_arg(arg).map(str::trim);
        let line = |pred: &dyn Fn(&NewLine) -> bool, field: &str| {
            self.lines
                .iter()
                .position(pred)
                .map(|i| format!("lines[{i}].{field}"))
        };
        let participant = |pred: &dyn Fn(&NewParticipant) -> bool, field: &str| {
            self.participants
                .iter()
                .position(pred)
                .map(|i| format!("participants[{i}].{field}"))
        };
        match refusal.key()? {
            "agreement-unknown-provider" => Some("provider".into()),
            "agreement-unknown-biennium" => Some("biennium".into()),
            "agreement-negative-ceiling" => Some("ceiling".into()),
            "agreement-psc-rate-range" => Some("psc_rate".into()),
            "agreement-unknown-fund" | "agreement-fund-of-other" => {
                // The fund refused for the organisation named (`fund-of-other`), or wherever
                // it was typed (`unknown-fund`).
                let fund = named("fund")?;
                let of = named("organisation");
                let holds = |org: &str, typed: &str| {
                    typed.trim() == fund && of.is_none_or(|o| o == org.trim())
                };
                if holds(&self.provider, &self.provider_fund) {
                    Some("provider_fund".into())
                } else {
                    participant(&|p| holds(&p.organisation, &p.fund), "fund")
                }
            }
            "agreement-unknown-service" | "agreement-service-of-other" => {
                let service = named("service")?;
                line(&|l| l.service.trim() == service, "service")
            }
            "agreement-no-lines" => Some("lines[0].service".into()),
            "agreement-negative-quantity" => line(
                &|l| l.estimated_quantity.trim().starts_with('-'),
                "estimated_quantity",
            ),
            "agreement-unknown-organisation" => {
                let organisation = named("organisation")?;
                participant(&|p| p.organisation.trim() == organisation, "organisation")
            }
            "agreement-negative-share" => {
                participant(&|p| p.weight.trim().starts_with('-'), "weight")
            }
            "agreement-zero-shares" => Some("participants[0].weight".into()),
            "agreement-no-recipient" | "agreement-purchase-one-recipient" => {
                Some("participants[0].organisation".into())
            }
            "agreement-sharing-no-participant" => Some("participants[0].fund".into()),
            _ => None,
        }
    }
}

/// The problems of a form's fields, gathered so that all are told at once.
#[derive(Default)]
struct FieldErrors(Vec<(String, Message)>);

impl FieldErrors {
    fn push(&mut self, field: &str, message: impl Into<Message>) {
        self.0.push((field.to_string(), message.into()));
    }

    /// The value, or `None` with its problems kept.
    fn take<T>(&mut self, r: AppResult<T>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                match e.field_errors() {
                    Some(list) => self.0.extend(list),
                    None => self
                        .0
                        .push((String::new(), Message::literal(e.to_string()))),
                }
                None
            }
        }
    }

    fn into_result(self) -> AppResult<()> {
        match self.0.len() {
            0 => Ok(()),
            1 => {
                let (field, message) = self.0.into_iter().next().expect("one");
                Err(AppError::Field { field, message })
            }
            _ => Err(AppError::Fields(self.0)),
        }
    }
}
