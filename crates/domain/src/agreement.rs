//! Agreements (cost-recovery arrangements) and their lifecycle: draft → proposed → approved by
//! the head of every party → active; amendments are new versions that need the same approvals.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::model::Framework;
use crate::money::Currency;
use crate::DomainError;
use crate::Message;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AgreementKind {
    /// The provider renders units; the recipient reimburses them.
    Purchase,
    /// A joint cost borne by the provider is split among the participants by a key.
    Sharing,
}

impl AgreementKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            AgreementKind::Purchase => "purchase",
            AgreementKind::Sharing => "sharing",
        }
    }
    pub fn parse(s: &str) -> Option<AgreementKind> {
        match s {
            "purchase" => Some(AgreementKind::Purchase),
            "sharing" => Some(AgreementKind::Sharing),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum VersionStatus {
    Draft,
    Proposed,
    Active,
    Superseded,
    Withdrawn,
}

impl VersionStatus {
    pub const ALL: [VersionStatus; 5] = [
        VersionStatus::Draft,
        VersionStatus::Proposed,
        VersionStatus::Active,
        VersionStatus::Superseded,
        VersionStatus::Withdrawn,
    ];
    pub fn as_str(&self) -> &'static str {
        match self {
            VersionStatus::Draft => "draft",
            VersionStatus::Proposed => "proposed",
            VersionStatus::Active => "active",
            VersionStatus::Superseded => "superseded",
            VersionStatus::Withdrawn => "withdrawn",
        }
    }
    pub fn parse(s: &str) -> Option<VersionStatus> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The status inside a sentence ("version 2 is proposed").
    pub fn name(&self) -> Message {
        Message::new(match self {
            VersionStatus::Draft => "version-status-draft",
            VersionStatus::Proposed => "version-status-proposed",
            VersionStatus::Active => "version-status-active",
            VersionStatus::Superseded => "version-status-superseded",
            VersionStatus::Withdrawn => "version-status-withdrawn",
        })
    }
}

/// A service the agreement covers, with the quantity the parties expect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgreementLine {
    pub service: String,
    pub estimated_quantity: Decimal,
}

/// A party that pays: its organisation, the fund it pays from and its weight in the key
/// (1 for the single recipient of a purchase; a share or a driver value for a sharing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Participant {
    pub organisation: String,
    pub fund: String,
    pub weight: Decimal,
}

/// How a sharing agreement splits its joint cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ShareKey {
    /// The weights are fixed shares (e.g. 60 and 40).
    Fixed,
    /// The weights are values of a driver such as participants or headcount.
    Driver { driver: String },
}

/// The head of an organisation's approval of one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Approval {
    pub organisation: String,
    pub approved_by: String,
    pub approved_on: NaiveDate,
}

/// One version of the terms. Version 1 is the original; each amendment adds one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgreementVersion {
    pub number: u32,
    pub status: VersionStatus,
    pub ceiling_minor: i64,
    pub psc_rate: Decimal,
    pub lines: Vec<AgreementLine>,
    pub participants: Vec<Participant>,
    pub share_key: ShareKey,
    #[serde(default)]
    pub approvals: Vec<Approval>,
    #[serde(default)]
    pub note: String,
}

/// A cost-recovery arrangement between a provider and the parties that pay it, for one
/// biennium, in one currency, from named funds to a named provider fund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agreement {
    pub code: String,
    pub title: String,
    pub kind: AgreementKind,
    pub provider: String,
    pub provider_fund: String,
    pub biennium: String,
    pub currency: Currency,
    pub versions: Vec<AgreementVersion>,
    /// How many times the stored agreement has been changed. An update based on an older
    /// revision is refused, so that no one's change is silently lost.
    #[serde(default)]
    pub revision: u64,
}

/// The terms a new agreement or an amendment proposes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    pub ceiling_minor: i64,
    pub psc_rate: Decimal,
    pub lines: Vec<AgreementLine>,
    pub participants: Vec<Participant>,
    pub share_key: ShareKey,
    #[serde(default)]
    pub note: String,
}

fn refuse(message: Message) -> DomainError {
    DomainError::Agreement(message)
}

impl Agreement {
    /// A new agreement in draft with `terms` as version 1.
    #[allow(clippy::too_many_arguments)]
    pub fn draft(
        code: &str,
        title: &str,
        kind: AgreementKind,
        provider: &str,
        provider_fund: &str,
        biennium: &str,
        currency: Currency,
        terms: Terms,
    ) -> Agreement {
        Agreement {
            code: code.to_string(),
            title: title.to_string(),
            kind,
            provider: provider.to_string(),
            provider_fund: provider_fund.to_string(),
            biennium: biennium.to_string(),
            currency,
            versions: vec![AgreementVersion::from_terms(1, terms)],
            revision: 0,
        }
    }

    /// The version in force, if any.
    pub fn active_version(&self) -> Option<&AgreementVersion> {
        self.versions
            .iter()
            .find(|v| v.status == VersionStatus::Active)
    }

    pub fn is_active(&self) -> bool {
        self.active_version().is_some()
    }

    /// The latest version, whatever its status.
    pub fn latest(&self) -> &AgreementVersion {
        self.versions.last().expect("an agreement has a version")
    }

    fn latest_mut(&mut self) -> &mut AgreementVersion {
        self.versions
            .last_mut()
            .expect("an agreement has a version")
    }

    /// The organisations whose heads must approve a version: the provider and every payer.
    pub fn required_approvers(&self, version: &AgreementVersion) -> BTreeSet<String> {
        let mut orgs: BTreeSet<String> = version
            .participants
            .iter()
            .map(|p| p.organisation.clone())
            .collect();
        orgs.insert(self.provider.clone());
        orgs
    }

    /// The organisations party to the agreement's latest terms: its provider and every
    /// participant.
    pub fn parties(&self) -> BTreeSet<String> {
        self.required_approvers(self.latest())
    }

    /// The organisations that pay for the deliveries, so accept or dispute them: those of the
    /// payers of the terms in force (else of the latest terms), never the provider itself.
    pub fn paying_organisations(&self) -> Vec<String> {
        let version = self.active_version().unwrap_or_else(|| self.latest());
        let orgs: BTreeSet<String> = self
            .payers(version)
            .into_iter()
            .map(|p| p.organisation.clone())
            .filter(|o| *o != self.provider)
            .collect();
        orgs.into_iter().collect()
    }

    /// The participants that are charged: every one whose fund is not the provider's fund.
    pub fn payers<'a>(&self, version: &'a AgreementVersion) -> Vec<&'a Participant> {
        version
            .participants
            .iter()
            .filter(|p| p.fund != self.provider_fund)
            .collect()
    }

    /// Checks the agreement against the framework: parties, funds, services and terms.
    pub fn validate(&self, framework: &Framework) -> Result<(), DomainError> {
        // The text of its fields, by the limits of `text` (one word of at most 64 characters
        // for the code, such as MC-BRS-2026-01).
        let mut text = crate::text::Issues::new();
        let r = format!(
            "agreement {}",
            self.code.chars().take(64).collect::<String>()
        );
        text.text(&r, "code", crate::text::TextKind::Code, &self.code);
        text.required(&r, "title", crate::text::TextKind::Name, &self.title);
        for v in &self.versions {
            text.text(&r, "note", crate::text::TextKind::Text, &v.note);
        }
        text.into_result()?;
        if framework.organisation(&self.provider).is_none() {
            return Err(refuse(
                Message::new("agreement-unknown-provider").with("provider", &self.provider),
            ));
        }
        let fund_of = |code: &str, org: &str| -> Result<(), DomainError> {
            match framework.fund(code) {
                None => Err(refuse(
                    Message::new("agreement-unknown-fund").with("fund", code),
                )),
                Some(f) if f.organisation != org => Err(refuse(
                    Message::new("agreement-fund-of-other")
                        .with("fund", code)
                        .with("owner", &f.organisation)
                        .with("organisation", org),
                )),
                Some(_) => Ok(()),
            }
        };
        fund_of(&self.provider_fund, &self.provider)?;
        if framework.biennium(&self.biennium).is_none() {
            return Err(refuse(
                Message::new("agreement-unknown-biennium").with("biennium", &self.biennium),
            ));
        }
        for v in &self.versions {
            self.validate_terms(framework, v, &fund_of)?;
        }
        Ok(())
    }

    fn validate_terms(
        &self,
        framework: &Framework,
        v: &AgreementVersion,
        fund_of: &dyn Fn(&str, &str) -> Result<(), DomainError>,
    ) -> Result<(), DomainError> {
        if v.ceiling_minor < 0 {
            return Err(refuse(Message::new("agreement-negative-ceiling")));
        }
        if v.psc_rate < Decimal::ZERO || v.psc_rate >= Decimal::ONE {
            return Err(refuse(Message::new("agreement-psc-rate-range")));
        }
        if v.lines.is_empty() {
            return Err(refuse(Message::new("agreement-no-lines")));
        }
        for line in &v.lines {
            match framework.service(&line.service) {
                None => {
                    return Err(refuse(
                        Message::new("agreement-unknown-service").with("service", &line.service),
                    ))
                }
                Some(s) if s.provider != self.provider => {
                    return Err(refuse(
                        Message::new("agreement-service-of-other")
                            .with("service", &s.code)
                            .with("owner", &s.provider)
                            .with("provider", &self.provider),
                    ))
                }
                Some(_) => {}
            }
            if line.estimated_quantity < Decimal::ZERO {
                return Err(refuse(Message::new("agreement-negative-quantity")));
            }
        }
        if v.participants.is_empty() {
            return Err(refuse(Message::new("agreement-no-recipient")));
        }
        for p in &v.participants {
            if framework.organisation(&p.organisation).is_none() {
                return Err(refuse(
                    Message::new("agreement-unknown-organisation")
                        .with("organisation", &p.organisation),
                ));
            }
            fund_of(&p.fund, &p.organisation)?;
            if p.weight < Decimal::ZERO {
                return Err(refuse(Message::new("agreement-negative-share")));
            }
        }
        if v.participants.iter().all(|p| p.weight == Decimal::ZERO) {
            return Err(refuse(Message::new("agreement-zero-shares")));
        }
        let payers = self.payers(v);
        match self.kind {
            AgreementKind::Purchase => {
                if v.participants.len() != 1 || payers.len() != 1 {
                    return Err(refuse(Message::new("agreement-purchase-one-recipient")));
                }
            }
            AgreementKind::Sharing => {
                if payers.is_empty() {
                    return Err(refuse(Message::new("agreement-sharing-no-participant")));
                }
            }
        }
        Ok(())
    }

    /// Draft → proposed: the terms go to the heads for approval.
    pub fn propose(&mut self) -> Result<(), DomainError> {
        let v = self.latest_mut();
        if v.status != VersionStatus::Draft {
            return Err(refuse(
                Message::new("agreement-propose-not-draft")
                    .with("version", v.number.to_string())
                    .nested("status", v.status.name()),
            ));
        }
        v.status = VersionStatus::Proposed;
        Ok(())
    }

    /// The head of `organisation` approves the proposed version. When the heads of the provider
    /// and of every payer have approved, the version becomes active and supersedes the previous.
    /// Returns true when this approval activated the version.
    pub fn approve(
        &mut self,
        organisation: &str,
        approved_by: &str,
        approved_on: NaiveDate,
    ) -> Result<bool, DomainError> {
        let required = self.required_approvers(self.latest());
        let v = self.latest();
        if v.status != VersionStatus::Proposed {
            return Err(refuse(
                Message::new("agreement-approve-not-proposed")
                    .with("version", v.number.to_string())
                    .nested("status", v.status.name()),
            ));
        }
        if !required.contains(organisation) {
            return Err(refuse(
                Message::new("agreement-approver-not-party")
                    .with("organisation", organisation)
                    .with("agreement", &self.code)
                    .with(
                        "parties",
                        required.iter().cloned().collect::<Vec<_>>().join(" & "),
                    ),
            ));
        }
        if v.approvals.iter().any(|a| a.organisation == organisation) {
            return Err(refuse(
                Message::new("agreement-already-approved")
                    .with("organisation", organisation)
                    .with("version", v.number.to_string()),
            ));
        }
        let v = self.latest_mut();
        v.approvals.push(Approval {
            organisation: organisation.to_string(),
            approved_by: approved_by.to_string(),
            approved_on,
        });
        let approved: BTreeSet<String> =
            v.approvals.iter().map(|a| a.organisation.clone()).collect();
        if approved != required {
            return Ok(false);
        }
        let number = v.number;
        for other in &mut self.versions {
            if other.status == VersionStatus::Active {
                other.status = VersionStatus::Superseded;
            }
        }
        self.versions
            .iter_mut()
            .find(|v| v.number == number)
            .expect("the version exists")
            .status = VersionStatus::Active;
        Ok(true)
    }

    /// Withdraws a draft or proposed version (the active one stays in force).
    pub fn withdraw(&mut self) -> Result<(), DomainError> {
        let v = self.latest_mut();
        if !matches!(v.status, VersionStatus::Draft | VersionStatus::Proposed) {
            return Err(refuse(Message::new("agreement-withdraw-not-open")));
        }
        v.status = VersionStatus::Withdrawn;
        Ok(())
    }

    /// An amendment: a new draft version with new terms. The active version stays in force until
    /// the amendment is approved by the same heads.
    pub fn amend(&mut self, terms: Terms) -> Result<u32, DomainError> {
        if !self.is_active() {
            return Err(refuse(
                Message::new("agreement-amend-not-active").with("agreement", &self.code),
            ));
        }
        if matches!(
            self.latest().status,
            VersionStatus::Draft | VersionStatus::Proposed
        ) {
            return Err(refuse(
                Message::new("agreement-amendment-under-way")
                    .with("agreement", &self.code)
                    .with("version", self.latest().number.to_string()),
            ));
        }
        let number = self.latest().number + 1;
        self.versions
            .push(AgreementVersion::from_terms(number, terms));
        Ok(number)
    }
}

impl AgreementVersion {
    fn from_terms(number: u32, terms: Terms) -> AgreementVersion {
        AgreementVersion {
            number,
            status: VersionStatus::Draft,
            ceiling_minor: terms.ceiling_minor,
            psc_rate: terms.psc_rate,
            lines: terms.lines,
            participants: terms.participants,
            share_key: terms.share_key,
            approvals: vec![],
            note: terms.note,
        }
    }

    pub fn covers(&self, service: &str) -> bool {
        self.lines.iter().any(|l| l.service == service)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(ceiling: i64) -> Terms {
        Terms {
            ceiling_minor: ceiling,
            psc_rate: Decimal::new(13, 2),
            lines: vec![AgreementLine {
                service: "MC-LEGAL".into(),
                estimated_quantity: Decimal::from(10),
            }],
            participants: vec![Participant {
                organisation: "BRS".into(),
                fund: "BC".into(),
                weight: Decimal::ONE,
            }],
            share_key: ShareKey::Fixed,
            note: String::new(),
        }
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()
    }

    /// A draft purchase of legal advice from MC by BRS, ceiling 100.
    fn legal_advice() -> Agreement {
        Agreement::draft(
            "A1",
            "Legal advice",
            AgreementKind::Purchase,
            "MC",
            "MCGTF",
            "2026-2027",
            Currency::USD,
            terms(100),
        )
    }

    #[test]
    fn one_head_does_not_activate_both_do() {
        let mut a = legal_advice();
        assert!(a.approve("MC", "mc.head", day()).is_err(), "draft");
        a.propose().unwrap();
        assert!(a.approve("CHB", "chb.head", day()).is_err(), "not a party");
        assert!(!a.approve("MC", "mc.head", day()).unwrap());
        assert!(!a.is_active());
        assert!(a.approve("MC", "mc.head", day()).is_err(), "twice");
        assert!(a.approve("BRS", "brs.head", day()).unwrap());
        assert!(a.is_active());

        let n = a.amend(terms(200)).unwrap();
        assert_eq!(n, 2);
        assert!(a.amend(terms(300)).is_err());
        a.propose().unwrap();
        a.approve("BRS", "brs.head", day()).unwrap();
        assert_eq!(a.active_version().unwrap().ceiling_minor, 100);
        a.approve("MC", "mc.head", day()).unwrap();
        assert_eq!(a.active_version().unwrap().ceiling_minor, 200);
        assert_eq!(a.versions[0].status, VersionStatus::Superseded);
    }

    #[test]
    fn a_refusal_is_a_translated_message_with_its_arguments() {
        let mut a = legal_advice();
        a.propose().unwrap();
        let refusal = a.approve("CHB", "chb.head", day()).unwrap_err().message();
        assert_eq!(refusal.key(), Some("agreement-approver-not-party"));
        let english = refusal.in_lang(synergies_i18n::Lang::english());
        let french = refusal.in_lang(synergies_i18n::Lang::parse("fr").unwrap());
        assert!(
            english.contains("CHB") && english.contains("A1"),
            "{english}"
        );
        assert!(french.contains("CHB") && french.contains("A1"), "{french}");
        assert_ne!(english, french);
        assert_eq!(
            english,
            a.approve("CHB", "chb.head", day()).unwrap_err().to_string(),
            "the error's Display is its English text"
        );

        let draft = a.propose().unwrap_err().message();
        assert_eq!(draft.key(), Some("agreement-propose-not-draft"));
        let french = draft.in_lang(synergies_i18n::Lang::parse("fr").unwrap());
        assert!(
            !french.contains("proposed") && !french.contains("only"),
            "{french}"
        );
    }
}
