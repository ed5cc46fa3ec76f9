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

# The domain's refusals of agreements, deliveries and the ledger.
agreement-unknown-provider = unknown provider { $provider }
agreement-unknown-fund = unknown fund { $fund }
agreement-fund-of-other = fund { $fund } belongs to { $owner }, not { $organisation }
agreement-unknown-biennium = unknown biennium { $biennium }
agreement-negative-ceiling = the ceiling cannot be negative
agreement-psc-rate-range = the PSC rate is a fraction between 0 and 1, such as 0.13
agreement-no-lines = an agreement needs at least one service line
agreement-unknown-service = unknown service { $service }
agreement-service-of-other = service { $service } is provided by { $owner }, not { $provider }
agreement-negative-quantity = an estimated quantity cannot be negative
agreement-no-recipient = an agreement needs a recipient
agreement-unknown-organisation = unknown organisation { $organisation }
agreement-negative-share = a share cannot be negative
agreement-zero-shares = the shares cannot all be zero
agreement-purchase-one-recipient = a purchase has exactly one recipient, paying from a fund other than the provider's
agreement-sharing-no-participant = a sharing agreement needs at least one participant other than the provider's fund
agreement-propose-not-draft = version { $version } is { $status }; only a draft can be proposed
agreement-approve-not-proposed = version { $version } is { $status }; only a proposed version can be approved
agreement-approver-not-party = { $organisation } is not a party to { $agreement }; only the heads of { $parties } approve it
agreement-already-approved = the head of { $organisation } has already approved version { $version }
agreement-withdraw-not-open = only a draft or proposed version can be withdrawn
agreement-amend-not-active = { $agreement } is not active; change the draft instead of amending
agreement-amendment-under-way = { $agreement } already has an amendment under way (version { $version })
ledger-entry-no-postings = entry { $entry } has no postings
ledger-entry-unbalanced = entry { $entry } does not balance in fund { $fund } ({ $currency } { $amount })
delivery-past-ceiling = agreement { $agreement } would reach { $committed } { $currency }, past its ceiling of { $ceiling } { $currency } (version { $version }); an amendment must raise the ceiling first
activity-rate-card-currency = the { $biennium } rate card of { $organisation } is in { $card }, not { $currency }
ledger-entry-missing = entry { $entry } is missing
version-status-draft = draft
version-status-proposed = proposed
version-status-active = active
version-status-superseded = superseded
version-status-withdrawn = withdrawn
domain-unknown-currency = unknown currency { $currency } (an ISO 4217 code such as USD, EUR or CHF)
domain-too-many-digits = { $amount } has more than the { $digits } decimal digits of { $currency }
domain-overflow = amount out of range
domain-bad-period = bad period { $period }
domain-no-fx-rate = no operational rate for { $currency } in { $month }
domain-no-rate = no rate of { $provider } for { $key } per { $unit } effective on { $date }
