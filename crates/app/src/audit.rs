//! The kinds of audit event: one name per action, the same whichever face performed it.
//! Every event the application writes is of one of these kinds; the names are what the audit
//! trail stores and shows, so a kind never changes its name.

/// One kind of audit event per action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AuditAction {
    /// An agreement loaded from a file, with its versions.
    AgreementLoad,
    /// A draft agreement.
    AgreementCreate,
    /// A draft proposed to the parties' heads.
    AgreementPropose,
    /// A head's approval for their organisation.
    AgreementApprove,
    /// New terms, a new version to approve.
    AgreementAmend,
    /// An agreement linked to the mandate it serves.
    AgreementLinkMandate,
    /// Such a link removed.
    AgreementUnlinkMandate,
    /// Deliveries recorded from a file.
    DeliveriesImport,
    /// One delivery recorded from a form.
    DeliveryRecord,
    /// The payer's acceptance of recorded deliveries.
    DeliveriesAccept,
    /// The payer's dispute of one delivery.
    DeliveryDispute,
    /// A period closed: its charges posted.
    PeriodClose,
    /// A period reopened: its charges reversed.
    PeriodReopen,
    /// A payment of what a fund owes.
    SettlementRecord,
    /// Reference data loaded from a file.
    FrameworkLoad,
    /// A dated rate added to a rate card.
    RateAdd,
    /// A month's exchange rate.
    ExchangeRateAdd,
    /// A decision's text and its mandates.
    DecisionImport,
    /// A decision's status or dates.
    DecisionUpdate,
    /// A dated note on where a mandate stands.
    MandateUpdate,
    /// Cooperation activities loaded from a file.
    ActivitiesImport,
    /// A cooperation activity.
    ActivityCreate,
    /// An activity's status, funding, outputs or links.
    ActivityUpdate,
    /// An organisation's contribution to an activity.
    ActivityContribution,
    /// The activities carried over into the next biennium.
    ActivitiesPlan,
    /// Training events loaded from a file.
    TrainingImport,
    /// A training event.
    TrainingCreate,
    /// A participant of a training event.
    TrainingAddParticipant,
    /// The task force's records loaded from a file.
    TaskForceImport,
    /// A meeting of the task force.
    TaskForceAddMeeting,
    /// An action item of the task force.
    TaskForceAddAction,
    /// An action item's new status.
    ActionItemStatus,
    /// A new user.
    UserCreate,
    /// A user's name, roles, password or state.
    UserUpdate,
    /// The demo's users.
    UsersDemo,
    /// A personal API token.
    TokenCreate,
    /// A token revoked.
    TokenRevoke,
    /// A failed sign-in (never the password).
    SignInFailed,
    /// The start of a sign-in wait.
    SignInThrottled,
    /// A request refused for want of the right role.
    Refused,
    /// A database copied into this one.
    StoreCopy,
    /// A backup or data package restored into this one.
    StoreRestore,
}

impl AuditAction {
    pub const ALL: [AuditAction; 42] = [
        AuditAction::AgreementLoad,
        AuditAction::AgreementCreate,
        AuditAction::AgreementPropose,
        AuditAction::AgreementApprove,
        AuditAction::AgreementAmend,
        AuditAction::AgreementLinkMandate,
        AuditAction::AgreementUnlinkMandate,
        AuditAction::DeliveriesImport,
        AuditAction::DeliveryRecord,
        AuditAction::DeliveriesAccept,
        AuditAction::DeliveryDispute,
        AuditAction::PeriodClose,
        AuditAction::PeriodReopen,
        AuditAction::SettlementRecord,
        AuditAction::FrameworkLoad,
        AuditAction::RateAdd,
        AuditAction::ExchangeRateAdd,
        AuditAction::DecisionImport,
        AuditAction::DecisionUpdate,
        AuditAction::MandateUpdate,
        AuditAction::ActivitiesImport,
        AuditAction::ActivityCreate,
        AuditAction::ActivityUpdate,
        AuditAction::ActivityContribution,
        AuditAction::ActivitiesPlan,
        AuditAction::TrainingImport,
        AuditAction::TrainingCreate,
        AuditAction::TrainingAddParticipant,
        AuditAction::TaskForceImport,
        AuditAction::TaskForceAddMeeting,
        AuditAction::TaskForceAddAction,
        AuditAction::ActionItemStatus,
        AuditAction::UserCreate,
        AuditAction::UserUpdate,
        AuditAction::UsersDemo,
        AuditAction::TokenCreate,
        AuditAction::TokenRevoke,
        AuditAction::SignInFailed,
        AuditAction::SignInThrottled,
        AuditAction::Refused,
        AuditAction::StoreCopy,
        AuditAction::StoreRestore,
    ];

    /// The name the audit trail stores.
    pub fn as_str(&self) -> &'static str {
        match self {
            AuditAction::AgreementLoad => "agreement.load",
            AuditAction::AgreementCreate => "agreement.create",
            AuditAction::AgreementPropose => "agreement.propose",
            AuditAction::AgreementApprove => "agreement.approve",
            AuditAction::AgreementAmend => "agreement.amend",
            AuditAction::AgreementLinkMandate => "agreement.link_mandate",
            AuditAction::AgreementUnlinkMandate => "agreement.unlink_mandate",
            AuditAction::DeliveriesImport => "deliveries.import",
            AuditAction::DeliveryRecord => "delivery.record",
            AuditAction::DeliveriesAccept => "deliveries.accept",
            AuditAction::DeliveryDispute => "delivery.dispute",
            AuditAction::PeriodClose => "period.close",
            AuditAction::PeriodReopen => "period.reopen",
            AuditAction::SettlementRecord => "settlement.record",
            AuditAction::FrameworkLoad => "framework.load",
            AuditAction::RateAdd => "rate.add",
            AuditAction::ExchangeRateAdd => "exchange_rate.add",
            AuditAction::DecisionImport => "decision.import",
            AuditAction::DecisionUpdate => "decision.update",
            AuditAction::MandateUpdate => "mandate.update",
            AuditAction::ActivitiesImport => "activities.import",
            AuditAction::ActivityCreate => "activity.create",
            AuditAction::ActivityUpdate => "activity.update",
            AuditAction::ActivityContribution => "activity.contribution",
            AuditAction::ActivitiesPlan => "activities.plan",
            AuditAction::TrainingImport => "training.import",
            AuditAction::TrainingCreate => "training.create",
            AuditAction::TrainingAddParticipant => "training.add_participant",
            AuditAction::TaskForceImport => "task_force.import",
            AuditAction::TaskForceAddMeeting => "task_force.add_meeting",
            AuditAction::TaskForceAddAction => "task_force.add_action",
            AuditAction::ActionItemStatus => "action_item.status",
            AuditAction::UserCreate => "user.create",
            AuditAction::UserUpdate => "user.update",
            AuditAction::UsersDemo => "users.demo",
            AuditAction::TokenCreate => "token.create",
            AuditAction::TokenRevoke => "token.revoke",
            AuditAction::SignInFailed => "sign_in.failed",
            AuditAction::SignInThrottled => "sign_in.throttled",
            AuditAction::Refused => "refused",
            AuditAction::StoreCopy => "store.copy",
            AuditAction::StoreRestore => "store.restore",
        }
    }

    /// The kind stored under `name`.
    pub fn parse(name: &str) -> Option<AuditAction> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::AuditAction;

    #[test]
    fn every_kind_has_its_own_name_and_reads_back() {
        let mut names = std::collections::BTreeSet::new();
        for kind in AuditAction::ALL {
            assert!(names.insert(kind.as_str()), "{kind} is named twice");
            assert_eq!(AuditAction::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(AuditAction::parse("deliveries.dispute"), None);
    }
}
