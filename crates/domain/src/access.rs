//! Who may do what. Roles are held per organisation, and the rules keep each secretariat
//! autonomous, as decision MC-6/20 requires: nobody changes another organisation's records,
//! a head approves for their own organisation only, a delivery is recorded by the provider and
//! accepted by the recipient, the auditor reads everything and changes nothing, and the
//! administrator manages users but no business data.
//!
//! One function, [`authorize`], decides every state-changing action, so the command line, the
//! web pages and the API all apply the same rules.

use serde::{Deserialize, Serialize};
use synergies_i18n::Message;

use crate::agreement::Agreement;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    /// Plans activities; records deliveries for its organisation's agreements as provider;
    /// drafts and proposes its organisation's agreements.
    Officer,
    /// Rates, exchange rates, acceptance of deliveries received, closing, settlement.
    Finance,
    /// The head of the secretariat: approves and amends its organisation's agreements.
    Head,
    /// Joint task force member: reads everything shared, manages task-force action items.
    TaskForce,
    /// Reads everything, changes nothing.
    Auditor,
    /// Manages users and roles only; no business data.
    Admin,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Officer,
        Role::Finance,
        Role::Head,
        Role::TaskForce,
        Role::Auditor,
        Role::Admin,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Finance => "finance",
            Role::Head => "head",
            Role::TaskForce => "task_force",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A role held in an organisation (`None` for roles that span organisations: task force,
/// auditor, administrator).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Grant {
    pub role: Role,
    pub organisation: Option<String>,
}

/// A person and what they may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub username: String,
    pub grants: Vec<Grant>,
}

impl Principal {
    /// Whether the principal holds `role` in `organisation`.
    pub fn has(&self, role: Role, organisation: &str) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == role && g.organisation.as_deref() == Some(organisation))
    }

    /// Whether the principal holds `role` anywhere.
    pub fn has_anywhere(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }
}

/// Every action that changes data, with the organisations it touches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Create or edit a draft agreement, or propose it, where `provider` provides.
    DraftAgreement { provider: String },
    /// Approve or amend an agreement for `organisation` (one of its parties).
    ApproveAgreement { organisation: String },
    /// Record deliveries under an agreement whose provider is `provider`.
    RecordDeliveries { provider: String },
    /// Accept the deliveries of an agreement that `provider` provides and `payers` pay for
    /// (on a sharing agreement, every participant but the provider). The finance officer of
    /// a payer does; the provider never accepts its own deliveries.
    AcceptDeliveries {
        provider: String,
        payers: Vec<String>,
    },
    /// Dispute a delivery of such an agreement: the same people as accept it.
    DisputeDeliveries {
        provider: String,
        payers: Vec<String>,
    },
    /// Edit `provider`'s rate card.
    EditRates { provider: String },
    /// Edit the operational exchange rates (shared reference data).
    EditExchangeRates,
    /// Close or reopen a period of an agreement that `provider` provides: its finance
    /// officer does (the charge is the provider's claim on the payers' funds, computed from
    /// what the payers accepted).
    ClosePeriod { provider: String },
    /// Settle what `payer`'s fund owes.
    Settle { payer: String },
    /// Plan or edit a cooperation activity led by `organisation`.
    PlanActivity { organisation: String },
    /// Record a contribution or commitment of `organisation`'s own resources (staff time,
    /// money, a fund) to an activity or a training event: only that organisation does; the
    /// contribution of another organisation is proposed and confirmed by that organisation.
    CommitResources { organisation: String },
    /// Record where a mandate of a decision stands, for the organisation that services the
    /// decision's treaty.
    TrackMandate { organisation: String },
    /// Manage task-force action items.
    ManageActionItems,
    /// Manage users, roles and their tokens.
    ManageUsers,
}

impl Action {
    /// Accepting the deliveries of agreement `a`.
    pub fn accept_deliveries_of(a: &Agreement) -> Action {
        Action::AcceptDeliveries {
            provider: a.provider.clone(),
            payers: a.paying_organisations(),
        }
    }

    /// Disputing a delivery of agreement `a`.
    pub fn dispute_deliveries_of(a: &Agreement) -> Action {
        Action::DisputeDeliveries {
            provider: a.provider.clone(),
            payers: a.paying_organisations(),
        }
    }

    /// Closing or reopening a period of agreement `a`.
    pub fn close_period_of(a: &Agreement) -> Action {
        Action::ClosePeriod {
            provider: a.provider.clone(),
        }
    }
}

/// Why an action is refused, for the person refused: a message of the translation files
/// (`errors.ftl`), which each face shows in its reader's language (`Display` is English).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Denied(pub Message);

impl Role {
    /// The role's name inside a sentence, as a message.
    pub fn name(&self) -> Message {
        Message::new(match self {
            Role::Officer => "role-name-officer",
            Role::Finance => "role-name-finance",
            Role::Head => "role-name-head",
            Role::TaskForce => "role-name-task_force",
            Role::Auditor => "role-name-auditor",
            Role::Admin => "role-name-admin",
        })
    }
}

/// The alternatives of `items` as one message: `MC or BRS`, `MC ou BRS`.
fn one_of(items: &[&str]) -> Message {
    let mut items = items.iter();
    let first = Message::literal(items.next().copied().unwrap_or_default());
    items.fold(first, |so_far, next| {
        Message::new("list-or")
            .nested("first", so_far)
            .with("second", *next)
    })
}

/// Decides whether `who` may perform `action`.
pub fn authorize(who: &Principal, action: &Action) -> Result<(), Denied> {
    let refused = |key: &'static str| Denied(Message::new(key).with("user", &who.username));
    let needs = |role: Role, org: &str, what: &'static str| {
        if who.has(role, org) {
            Ok(())
        } else {
            Err(Denied(
                Message::new("denied-needs-role")
                    .with("user", &who.username)
                    .nested("what", Message::new(what).with("organisation", org))
                    .nested("role", role.name())
                    .with("organisation", org),
            ))
        }
    };
    match action {
        Action::DraftAgreement { provider } => {
            if who.has(Role::Officer, provider) || who.has(Role::Finance, provider) {
                Ok(())
            } else {
                needs(Role::Officer, provider, "denied-what-draft-agreements")
            }
        }
        Action::ApproveAgreement { organisation } => {
            needs(Role::Head, organisation, "denied-what-approve-agreements")
        }
        Action::RecordDeliveries { provider } => {
            needs(Role::Officer, provider, "denied-what-record-deliveries")
        }
        Action::AcceptDeliveries { provider, payers } => {
            review_deliveries(who, provider, payers, "accept")
        }
        Action::DisputeDeliveries { provider, payers } => {
            review_deliveries(who, provider, payers, "dispute")
        }
        Action::EditRates { provider } => needs(Role::Finance, provider, "denied-what-edit-rates"),
        Action::EditExchangeRates => {
            if who.grants.iter().any(|g| g.role == Role::Finance) {
                Ok(())
            } else {
                Err(refused("denied-edit-exchange-rates"))
            }
        }
        Action::ClosePeriod { provider } => {
            if who.has(Role::Finance, provider) {
                Ok(())
            } else {
                Err(Denied(
                    Message::new("denied-close-period")
                        .with("user", &who.username)
                        .with("provider", provider),
                ))
            }
        }
        Action::Settle { payer } => needs(Role::Finance, payer, "denied-what-settle"),
        Action::PlanActivity { organisation } => {
            needs(Role::Officer, organisation, "denied-what-plan-activities")
        }
        Action::CommitResources { organisation } => {
            if [Role::Officer, Role::Finance, Role::Head]
                .into_iter()
                .any(|r| who.has(r, organisation))
            {
                Ok(())
            } else {
                Err(Denied(
                    Message::new("denied-commit-resources")
                        .with("user", &who.username)
                        .with("organisation", organisation),
                ))
            }
        }
        Action::TrackMandate { organisation } => {
            if who.has(Role::Head, organisation) {
                Ok(())
            } else {
                needs(Role::Officer, organisation, "denied-what-track-mandates")
            }
        }
        Action::ManageActionItems => {
            if who.has_anywhere(Role::TaskForce) {
                Ok(())
            } else {
                Err(refused("denied-manage-action-items"))
            }
        }
        Action::ManageUsers => {
            if who.has_anywhere(Role::Admin) {
                Ok(())
            } else {
                Err(refused("denied-manage-users"))
            }
        }
    }
}

/// Whether a user with these grants, active or not, is an administrator who can act.
pub fn is_active_administrator(active: bool, grants: &[Grant]) -> bool {
    active && grants.iter().any(|g| g.role == Role::Admin)
}

/// At least one active administrator always remains: a change to the users that takes the
/// number of active administrators from some to none (`username` losing the role or being
/// deactivated) is refused.
pub fn administrators_remain(before: usize, after: usize, username: &str) -> Result<(), Denied> {
    if before > 0 && after == 0 {
        Err(Denied(
            Message::new("denied-last-administrator").with("user", username),
        ))
    } else {
        Ok(())
    }
}

/// Accepting or disputing (`verb`: `accept` or `dispute`) deliveries: the finance officer of
/// a paying organisation other than the provider.
fn review_deliveries(
    who: &Principal,
    provider: &str,
    payers: &[String],
    verb: &'static str,
) -> Result<(), Denied> {
    let paying: Vec<&str> = payers
        .iter()
        .map(String::as_str)
        .filter(|p| *p != provider)
        .collect();
    if paying.iter().any(|p| who.has(Role::Finance, p)) {
        return Ok(());
    }
    let names = if paying.is_empty() {
        Message::new("denied-review-no-payer")
    } else {
        one_of(&paying)
    };
    let key = if who.has(Role::Finance, provider) {
        "denied-review-as-provider"
    } else {
        "denied-review-needs-finance"
    };
    Err(Denied(
        Message::new(key)
            .with("user", &who.username)
            .with("verb", verb)
            .with("provider", provider)
            .nested("payers", names),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, role: Role, org: Option<&str>) -> Principal {
        Principal {
            username: name.into(),
            grants: vec![Grant {
                role,
                organisation: org.map(str::to_string),
            }],
        }
    }

    #[test]
    fn a_refusal_is_said_in_the_readers_language_with_the_actions_own_verb() {
        let fr = synergies_i18n::Lang::parse("fr").expect("French");
        let provider = user("brs.finance", Role::Finance, Some("BRS"));
        let payers = vec!["BRS".to_string(), "MC".to_string(), "CHB".to_string()];
        let dispute = authorize(
            &provider,
            &Action::DisputeDeliveries {
                provider: "BRS".into(),
                payers: payers.clone(),
            },
        )
        .unwrap_err();
        assert_eq!(
            dispute.to_string(),
            "brs.finance may not dispute deliveries that BRS provides: the organisations that \
             pay for them (MC or CHB) dispute them, never the provider"
        );
        let french = dispute.0.in_lang(fr);
        assert!(
            french.starts_with("brs.finance ne peut pas contester les prestations que BRS fournit")
                && french.contains("(MC ou CHB) qui les contestent"),
            "{french}"
        );
        // Every refusal of the rules has its French text: none falls back to English.
        let nobody = user("nobody", Role::Auditor, None);
        let org = || "MC".to_string();
        for action in [
            Action::DraftAgreement { provider: org() },
            Action::ApproveAgreement {
                organisation: org(),
            },
            Action::RecordDeliveries { provider: org() },
            Action::AcceptDeliveries {
                provider: org(),
                payers: payers.clone(),
            },
            Action::EditRates { provider: org() },
            Action::EditExchangeRates,
            Action::ClosePeriod { provider: org() },
            Action::Settle { payer: org() },
            Action::PlanActivity {
                organisation: org(),
            },
            Action::CommitResources {
                organisation: org(),
            },
            Action::TrackMandate {
                organisation: org(),
            },
            Action::ManageActionItems,
            Action::ManageUsers,
        ] {
            let refusal = authorize(&nobody, &action).unwrap_err();
            let (english, french) = (refusal.to_string(), refusal.0.in_lang(fr));
            assert!(english.contains(" may not "), "{english}");
            assert!(french.contains(" ne peut pas "), "{action:?}: {french}");
            assert!(
                !french.contains(" may not ") && !french.contains(" role"),
                "{french}"
            );
        }
    }

    #[test]
    fn each_secretariat_stays_autonomous() {
        let mc_head = user("mc.head", Role::Head, Some("MC"));
        let brs_officer = user("brs.officer", Role::Officer, Some("BRS"));
        let approve_mc = Action::ApproveAgreement {
            organisation: "MC".into(),
        };
        assert!(authorize(&mc_head, &approve_mc).is_ok());
        assert!(authorize(
            &mc_head,
            &Action::ApproveAgreement {
                organisation: "BRS".into()
            }
        )
        .is_err());
        let record_mc = Action::RecordDeliveries {
            provider: "MC".into(),
        };
        let err = authorize(&brs_officer, &record_mc).unwrap_err();
        assert!(
            err.to_string().contains("needs the officer role in MC"),
            "{err}"
        );
    }

    #[test]
    fn the_provider_never_accepts_its_own_deliveries() {
        let brs_finance = user("brs.finance", Role::Finance, Some("BRS"));
        let mc_finance = user("mc.finance", Role::Finance, Some("MC"));
        // A sharing agreement BRS provides, shared by BRS itself and MC.
        let payers = vec!["BRS".to_string(), "MC".to_string()];
        for action in [
            Action::AcceptDeliveries {
                provider: "BRS".into(),
                payers: payers.clone(),
            },
            Action::DisputeDeliveries {
                provider: "BRS".into(),
                payers: payers.clone(),
            },
        ] {
            let err = authorize(&brs_finance, &action).unwrap_err();
            assert!(err.to_string().contains("never the provider"), "{err}");
            assert!(err.to_string().contains("(MC)"), "{err}");
            assert!(authorize(&mc_finance, &action).is_ok());
        }
        let err = authorize(
            &brs_finance,
            &Action::DisputeDeliveries {
                provider: "MC".into(),
                payers: vec!["CHB".into()],
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains("may not dispute"), "{err}");
        assert!(err.to_string().contains("finance role in CHB"), "{err}");
    }

    #[test]
    fn the_provider_closes_its_own_periods() {
        let close_mc = Action::ClosePeriod {
            provider: "MC".into(),
        };
        assert!(authorize(&user("mc.finance", Role::Finance, Some("MC")), &close_mc).is_ok());
        let err =
            authorize(&user("brs.finance", Role::Finance, Some("BRS")), &close_mc).unwrap_err();
        assert!(err.to_string().contains("finance role in MC"), "{err}");
    }

    #[test]
    fn an_organisation_commits_only_its_own_resources() {
        let brs = Action::CommitResources {
            organisation: "BRS".into(),
        };
        for role in [Role::Officer, Role::Finance, Role::Head] {
            assert!(authorize(&user("brs", role, Some("BRS")), &brs).is_ok());
            let err = authorize(&user("mc", role, Some("MC")), &brs).unwrap_err();
            assert!(
                err.to_string()
                    .contains("only BRS records its own contributions"),
                "{err}"
            );
        }
        assert!(authorize(&user("tf", Role::TaskForce, None), &brs).is_err());
    }

    #[test]
    fn an_active_administrator_always_remains() {
        let admin = [Grant {
            role: Role::Admin,
            organisation: None,
        }];
        assert!(is_active_administrator(true, &admin));
        assert!(!is_active_administrator(false, &admin));
        assert!(administrators_remain(1, 1, "a").is_ok());
        assert!(
            administrators_remain(0, 0, "first.user").is_ok(),
            "a new database"
        );
        let err = administrators_remain(1, 0, "admin").unwrap_err();
        assert!(
            err.to_string().contains("only active administrator"),
            "{err}"
        );
    }

    #[test]
    fn the_auditor_and_the_admin_change_no_business_data() {
        let auditor = user("auditor", Role::Auditor, None);
        let admin = user("admin", Role::Admin, None);
        let business = [
            Action::DraftAgreement {
                provider: "MC".into(),
            },
            Action::ApproveAgreement {
                organisation: "MC".into(),
            },
            Action::RecordDeliveries {
                provider: "MC".into(),
            },
            Action::AcceptDeliveries {
                provider: "MC".into(),
                payers: vec!["BRS".into()],
            },
            Action::DisputeDeliveries {
                provider: "MC".into(),
                payers: vec!["BRS".into()],
            },
            Action::CommitResources {
                organisation: "MC".into(),
            },
            Action::EditRates {
                provider: "MC".into(),
            },
            Action::EditExchangeRates,
            Action::ClosePeriod {
                provider: "MC".into(),
            },
            Action::Settle {
                payer: "BRS".into(),
            },
            Action::PlanActivity {
                organisation: "MC".into(),
            },
            Action::TrackMandate {
                organisation: "MC".into(),
            },
            Action::ManageActionItems,
        ];
        for a in &business {
            assert!(authorize(&auditor, a).is_err(), "auditor: {a:?}");
            assert!(authorize(&admin, a).is_err(), "admin: {a:?}");
        }
        assert!(authorize(&admin, &Action::ManageUsers).is_ok());
        assert!(authorize(&auditor, &Action::ManageUsers).is_err());
    }
}
