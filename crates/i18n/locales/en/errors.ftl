# Refusals and errors that the rules give, shown to the person refused in their language.

# A role's name inside a sentence.
role-name-officer = officer
role-name-finance = finance
role-name-head = head
role-name-task_force = task force
role-name-auditor = auditor
role-name-admin = admin

# Joins two items of a list of alternatives: "MC or BRS".
list-or = { $first } or { $second }

denied-needs-role = { $user } may not { $what }: that needs the { $role } role in { $organisation }
denied-what-draft-agreements = draft agreements provided by it
denied-what-approve-agreements = approve or amend agreements for it
denied-what-record-deliveries = record deliveries it provides
denied-what-edit-rates = edit its rate card
denied-what-settle = settle what it owes
denied-what-plan-activities = plan its activities
denied-what-track-mandates = record where its mandates stand
denied-edit-exchange-rates = { $user } may not edit exchange rates: that needs a finance role
denied-close-period = { $user } may not close or reopen this period: the provider closes the periods of its agreements, and that needs the finance role in { $provider }
denied-commit-resources = { $user } may not commit { $organisation }'s resources: only { $organisation } records its own contributions (an officer, finance officer or head of { $organisation })
denied-manage-action-items = { $user } may not manage action items: that needs the task force role
denied-manage-users = { $user } may not manage users: that needs the admin role
denied-last-administrator = { $user } is the only active administrator: make someone else one first
# $verb is accept or dispute.
denied-review-as-provider = { $user } may not { $verb ->
        [accept] accept
       *[dispute] dispute
    } deliveries that { $provider } provides: the organisations that pay for them ({ $payers }) { $verb ->
        [accept] accept
       *[dispute] dispute
    } them, never the provider
denied-review-needs-finance = { $user } may not { $verb ->
        [accept] accept
       *[dispute] dispute
    } these deliveries: that needs the finance role in { $payers }
denied-review-no-payer = no organisation but the provider
denied-operator-only = { $user } may not { $what }: the operator of the command line does, without --as
denied-no-organisation = no organisation to act for
denied-record-training-event = { $user } may not record this event: that needs the officer role in an organisation that contributes to it

# What a person typed into a field.
error-required = this field is required
error-not-a-number = "{ $value }" is not a number
error-not-a-date = "{ $value }" is not a date (YYYY-MM-DD)
error-not-a-choice = "{ $value }" is not one of the choices
error-unknown-biennium = there is no biennium "{ $value }"
error-fund-not-of-lead = fund { $fund } is not a fund of { $organisation }, the lead organisation
