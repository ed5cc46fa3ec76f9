//! What waits for one person: the agreements that wait for their approval, the deliveries
//! they are to accept, the months they can close, the disputes on their organisation's
//! deliveries and the action items of their organisation. Each item is one that the domain's
//! `authorize` lets this actor act on, so the inbox never lists what the person would then be
//! refused; what waits for the other party is not theirs and is left out.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use synergies_domain::access::Action;
use synergies_domain::agreement::{Agreement, VersionStatus};
use synergies_domain::cooperation::{ActionItem, ActionStatus};
use synergies_domain::delivery::DeliveryStatus;
use synergies_domain::Month;
use synergies_store::{DeliveryTally, Store};

use crate::actor::Actor;
use crate::AppResult;

/// A proposed version that waits for the approval of an organisation the actor heads.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApprovalWaiting {
    pub agreement: String,
    pub title: String,
    pub version: u32,
    /// The organisations for which the actor may approve and has not yet.
    pub for_organisations: Vec<String>,
}

/// Deliveries of one agreement that the actor may accept and that are still only recorded;
/// or, for [`Inbox::disputes`], the disputed deliveries of an agreement the actor provides.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveriesWaiting {
    pub agreement: String,
    pub title: String,
    pub count: i64,
}

/// A month that has ended, of an agreement whose periods the actor closes, with accepted
/// deliveries that no closing has charged yet.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeriodToClose {
    pub agreement: String,
    pub title: String,
    /// The month, `YYYY-MM`.
    pub period: String,
    pub deliveries: i64,
}

/// Everything that waits for one actor, each list in the order of its agreements' codes.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Inbox {
    pub approvals: Vec<ApprovalWaiting>,
    pub to_accept: Vec<DeliveriesWaiting>,
    pub to_close: Vec<PeriodToClose>,
    pub disputes: Vec<DeliveriesWaiting>,
    pub action_items: Vec<ActionItem>,
}

impl Inbox {
    /// How many things wait, each agreement's deliveries or month counted once.
    pub fn len(&self) -> usize {
        self.approvals.len()
            + self.to_accept.len()
            + self.to_close.len()
            + self.disputes.len()
            + self.action_items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What the store holds that an inbox is made of, read once and shared by every actor's inbox
/// (a page may keep it until the next change).
#[derive(Debug, Clone, Default)]
pub struct Pending {
    agreements: Vec<Agreement>,
    tally: Vec<DeliveryTally>,
    action_items: Vec<ActionItem>,
}

impl Pending {
    pub fn load(store: &dyn Store) -> AppResult<Pending> {
        Ok(Pending {
            agreements: store.agreements()?,
            tally: store.delivery_tally()?,
            action_items: store.action_items()?,
        })
    }

    /// The inbox of `actor` on `today` (months that have not ended yet are not closed).
    pub fn inbox(&self, actor: &Actor, today: NaiveDate) -> Inbox {
        let by_code: BTreeMap<&str, &Agreement> = self
            .agreements
            .iter()
            .map(|a| (a.code.as_str(), a))
            .collect();
        let mut inbox = Inbox {
            approvals: self
                .agreements
                .iter()
                .filter_map(|a| approval_waiting(a, actor))
                .collect(),
            ..Inbox::default()
        };
        let current = Month::of(today);
        // What the actor may do on each agreement, asked once per agreement (not per row).
        let allowed: BTreeMap<&str, (bool, bool, bool)> = self
            .agreements
            .iter()
            .map(|a| {
                let may_accept = actor.may(&Action::accept_deliveries_of(a));
                let may_answer_disputes = actor.may(&Action::RecordDeliveries {
                    provider: a.provider.clone(),
                });
                let may_close = actor.may(&Action::close_period_of(a));
                (
                    a.code.as_str(),
                    (may_accept, may_answer_disputes, may_close),
                )
            })
            .collect();
        // Per agreement: recorded, disputed; per agreement and month: accepted and uncharged.
        let mut recorded: BTreeMap<&str, i64> = BTreeMap::new();
        let mut disputed: BTreeMap<&str, i64> = BTreeMap::new();
        let mut closable: BTreeMap<(&str, Month), i64> = BTreeMap::new();
        for t in &self.tally {
            let Some(&(may_accept, may_answer_disputes, may_close)) =
                allowed.get(t.agreement.as_str())
            else {
                continue;
            };
            match (t.status, t.charged) {
                (DeliveryStatus::Recorded, false) if may_accept => {
                    *recorded.entry(&t.agreement).or_default() += t.count;
                }
                (DeliveryStatus::Disputed, _) if may_answer_disputes => {
                    *disputed.entry(&t.agreement).or_default() += t.count;
                }
                (DeliveryStatus::Accepted, false) if may_close => {
                    let month = Month::of(t.date);
                    if month < current {
                        *closable.entry((&t.agreement, month)).or_default() += t.count;
                    }
                }
                _ => {}
            }
        }
        let title = |code: &str| {
            by_code
                .get(code)
                .map(|a| a.title.clone())
                .unwrap_or_default()
        };
        inbox.to_accept = waiting(recorded, &title);
        inbox.disputes = waiting(disputed, &title);
        inbox.to_close = closable
            .into_iter()
            .map(|((code, month), deliveries)| PeriodToClose {
                agreement: code.to_string(),
                title: title(code),
                period: month.to_string(),
                deliveries,
            })
            .collect();
        inbox.action_items = self
            .action_items
            .iter()
            .filter(|i| i.status == ActionStatus::Open && assigned_to(i, actor))
            .cloned()
            .collect();
        inbox
            .action_items
            .sort_by(|a, b| (a.due, &a.code).cmp(&(b.due, &b.code)));
        inbox
    }
}

/// The inbox of `actor`, read from the store now.
pub fn inbox(store: &dyn Store, actor: &Actor, today: NaiveDate) -> AppResult<Inbox> {
    Ok(Pending::load(store)?.inbox(actor, today))
}

fn waiting(counts: BTreeMap<&str, i64>, title: &impl Fn(&str) -> String) -> Vec<DeliveriesWaiting> {
    counts
        .into_iter()
        .map(|(code, count)| DeliveriesWaiting {
            agreement: code.to_string(),
            title: title(code),
            count,
        })
        .collect()
}

/// The latest version of `a`, if it is proposed and waits for an organisation for which the
/// actor may approve.
fn approval_waiting(a: &Agreement, actor: &Actor) -> Option<ApprovalWaiting> {
    let latest = a.latest();
    if latest.status != VersionStatus::Proposed {
        return None;
    }
    let for_organisations: Vec<String> = a
        .required_approvers(latest)
        .into_iter()
        .filter(|o| !latest.approvals.iter().any(|ap| &ap.organisation == o))
        .filter(|o| {
            actor.may(&Action::ApproveAgreement {
                organisation: o.clone(),
            })
        })
        .collect();
    (!for_organisations.is_empty()).then(|| ApprovalWaiting {
        agreement: a.code.clone(),
        title: a.title.clone(),
        version: latest.number,
        for_organisations,
    })
}

/// An action item is a person's when it is owned by an organisation they work for, or when
/// they manage the task force's items; the operator has no inbox of items.
fn assigned_to(item: &ActionItem, actor: &Actor) -> bool {
    match actor {
        Actor::Person(p) => {
            actor.may(&Action::ManageActionItems)
                || p.grants
                    .iter()
                    .any(|g| g.organisation.as_deref() == Some(item.owner.as_str()))
        }
        Actor::Operator(_) => false,
    }
}
