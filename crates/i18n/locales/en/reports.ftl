# Texts of the reports (implementation report, statements). Amounts are passed already
# written with the language's separators.

## Cover
report-distribution = Distr.: General
report-original = Original: English
report-agenda = Item { $item } of the provisional agenda
report-meeting = { $ordinal } meeting
report-date = { $day } { $month } { $year }
report-united-nations = United Nations
report-programme = United Nations Environment Programme
report-agenda-item-unknown = xx
report-venue-dates = { $venue }, { $dates }
report-note-by = Note by the secretariat
report-date-range-days = { $startday }–{ $endday } { $month } { $year }
report-date-range-months = { $startday } { $startmonth }–{ $endday } { $endmonth } { $year }
report-date-range-years = { $start }–{ $end }
report-annex-label = Annex { $number }
report-page = Page
report-body-minamata = Conference of the Parties to the Minamata Convention on Mercury
report-body-basel = Conference of the Parties to the Basel Convention
report-body-rotterdam = Conference of the Parties to the Rotterdam Convention
report-body-stockholm = Conference of the Parties to the Stockholm Convention
# The secretariat that issues a document (its author in a Word file's properties).
report-author-minamata = Secretariat of the Minamata Convention on Mercury
report-author-basel = Secretariat of the Basel, Rotterdam and Stockholm Conventions
report-author-rotterdam = Secretariat of the Basel, Rotterdam and Stockholm Conventions
report-author-stockholm = Secretariat of the Basel, Rotterdam and Stockholm Conventions
report-ordinal-1 = first
report-ordinal-2 = second
report-ordinal-3 = third
report-ordinal-4 = fourth
report-ordinal-5 = fifth
report-ordinal-6 = sixth
report-ordinal-7 = seventh
report-ordinal-8 = eighth
report-ordinal-9 = ninth
report-ordinal-10 = tenth
report-ordinal-11 = eleventh
report-ordinal-12 = twelfth
report-month-1 = January
report-month-2 = February
report-month-3 = March
report-month-4 = April
report-month-5 = May
report-month-6 = June
report-month-7 = July
report-month-8 = August
report-month-9 = September
report-month-10 = October
report-month-11 = November
report-month-12 = December

## Implementation report
report-impl-title = Cooperation and service sharing between the secretariats: implementation of decision { $decision }
report-impl-summary = The present note sets out how that request was met in the biennium { $biennium }: { $agreements ->
        [one] { $agreements } cost-recovery agreement framed
       *[other] { $agreements } cost-recovery agreements framed
    } the services that the secretariats shared and bought from each other, and { $total } { $currency } was recovered; { $activities ->
        [one] { $activities } cooperation activity was
       *[other] { $activities } cooperation activities were
    } carried out. Annex I presents the activities planned for { $next } under both funding scenarios.
report-impl-intro = In decision { $decision }, the Conference of the Parties requested the Executive Secretary to pursue cooperation and service sharing with the Secretariat of the Basel, Rotterdam and Stockholm conventions on a cost-recovery basis, and to report on its implementation to the Conference of the Parties at its { $ordinal } meeting. The present note responds to that request. All amounts are in { $currency } and come from the inter-fund ledger and the activity records.
report-impl-decision-title = The title of decision { $decision } is “{ $title }”.
report-mandates-caption = Requests of decision { $decision } and their status
report-sec-mandate = Introduction and mandate
report-sec-framework = The stable framework for cooperation and service sharing
report-framework-intro = The framework rests on written agreements between a provider and the secretariats that pay it, for one biennium, approved by the head of each secretariat concerned.
report-principle-cost-recovery = Cost recovery: services are charged at the provider's rate card in force on the date of delivery, with programme support costs at the agreed rate; each charge is posted once to the inter-fund ledger.
report-principle-autonomy = Autonomy: each secretariat approves only its own agreements and amendments; the responsibilities of each head are unchanged.
report-principle-budget = Programme of work and budget: every agreement is paid from and to named trust funds, within the approved biennial budgets.
report-agreements-caption = Agreements of the biennium { $biennium }: who provides what to whom
report-sec-costs = Services shared and costs recovered
report-costs-intro = In the biennium { $biennium }, { $charges ->
        [one] { $charges } charge covering
       *[other] { $charges } charges covering
    } { $deliveries ->
        [one] { $deliveries } accepted delivery was
       *[other] { $deliveries } accepted deliveries were
    } posted to the ledger, for a total of { $total } { $currency }.
report-by-direction-caption = Costs recovered by direction (provider to recipient)
report-by-service-caption = Costs recovered by agreement and services, per quarter
report-by-service-note = Charges are computed per agreement and period; an agreement that covers several services is shown with all of them.
report-by-fund-caption = Costs recovered by provider fund and paying fund
report-by-quarter-caption = Costs recovered by quarter
report-chart-direction = Costs recovered by direction
report-chart-service = Costs recovered by agreement
report-chart-status = Activities by status
report-chart-participants = Participants by region and gender
report-chart-scenarios = Funding scenarios for { $next }
report-chart-note = Amounts in { $currency }; the figures are those of the table above.
report-chart-note-counts = Numbers; the figures are those of the table above.
report-sec-activities = Cooperation activities
report-activities-intro = The secretariats carried out the following cooperation activities in { $biennium }. Unless otherwise mentioned, activities have financial implications on staff time only, estimated at the rate cards of the biennium.
report-activities-caption = Cooperation activities of { $biennium }
report-by-status-caption = Activities by status
report-actions-caption = Action items of the joint task force
report-sec-training = Training of chairs and potential negotiators
report-training-intro = { $events ->
        [one] { $events } joint training event was held
       *[other] { $events } joint training events were held
    }, with { $participants ->
        [one] { $participants } participant
       *[other] { $participants } participants
    }, { $women ->
        [one] { $women } of them a woman
       *[other] { $women } of them women
    }.
report-events-caption = Training events
report-participants-caption = Participants by regional group and gender
report-training-contributions-caption = Contributions of each organisation to the training
report-online = Online
report-sec-budget = Budget implications
report-budget-intro = The table shows, for each trust fund, its budget for { $biennium }, the cost-recovery and programme support income it earned, the services it was charged for, and the estimated cost of the cooperation activities it funds.
report-budget-caption = Budget implications per fund, { $biennium } ({ $currency })
report-sec-annex = Cooperation activities planned for { $next }
report-annex-intro = The activities below are planned for { $next }. Their cost is shown under two funding scenarios: the current level in nominal terms (at the rate cards of { $biennium }) and the projected needs (at the rate cards of { $next }).
report-annex-caption = Planned cooperation activities, { $next }: estimated cost per organisation ({ $currency })
report-scenarios-caption = Funding scenarios per fund, { $next } ({ $currency })
report-by-quarter-annex = The costs recovered under each agreement in each quarter of the biennium are set out in annex II.
report-sec-annex-quarters = Costs recovered per agreement and quarter, { $biennium }
report-agreement-quarter-intro = The table gives the costs recovered under each agreement from each paying secretariat in each quarter of { $biennium }, programme support costs included.
report-agreement-quarter-caption = Costs recovered per agreement and quarter, { $biennium }, programme support costs included ({ $currency })
report-sec-action = Suggested action by the Conference of the Parties
report-action-intro = The Conference of the Parties may wish to adopt a decision along the following lines:
report-draft-title = Draft decision { $mark }-{ $meeting }/[…]: Cooperation and service sharing between the secretariats
report-draft-opening = The Conference of the Parties,
report-draft-recalling-lead = Recalling
report-draft-recalling = decision { $decision },
report-draft-considered-lead = Having considered
report-draft-considered = the note by the secretariat on the implementation of decision { $decision } ({ $symbol }),
report-draft-takes-note-lead = Takes note
report-draft-takes-note = of the report on the implementation of decision { $decision }, including the services shared and the costs recovered between the secretariats in the biennium { $biennium };
report-draft-welcomes-lead = Welcomes
report-draft-welcomes = the stable framework for cooperation and service sharing between the secretariats, based on cost-recovery agreements approved by the head of each secretariat concerned, and the overview of the cooperation activities planned within that framework for the biennium { $next };
report-draft-requests-lead = Requests
report-draft-requests = the secretariat to continue cooperation and service sharing within that framework, in accordance with the programme of work and budget, and to report on its implementation to the Conference of the Parties at its { $nextordinal } meeting.
report-new-activity = new
report-total = Total
report-percent = { $value }%
report-version-status = version { $version }, { $status }

## Statements
report-statement-title = Cost-recovery statement: agreement { $agreement }, { $period }
report-statement-summary = Issued by { $provider } under agreement { $agreement } ({ $title }); programme support costs at { $psc }.
report-statement-charges = Charges
report-statement-charges-caption = Charges of { $period } ({ $currency })
report-statement-deliveries = Deliveries
report-statement-deliveries-caption = { $deliveries ->
        [one] { $deliveries } delivery of { $period }
       *[other] { $deliveries } deliveries of { $period }
    }
report-statement-rounding = Each delivery's cost is exact (shown to four decimals); the sum is rounded once to the cent, then programme support costs are added.
report-fx-rate = 1 USD = { $rate } { $currency }
report-fx-used = { $rates } ({ $month })
report-statement-fx = An expense in another currency is converted at the United Nations operational rate of exchange of its month: its cost is the amount divided by the rate of its currency and, when the agreement is not in US dollars, multiplied by the rate of the agreement's currency.
report-fund-title = Statement of the fund { $fund } ({ $name }), { $biennium }
report-fund-summary = Fund { $fund } of { $organisation }: budget against actual for { $biennium }, and balances with the other funds.
report-fund-budget-actual = Budget against actual
report-fund-summary-caption = Budget and actual, { $biennium } ({ $currency })
report-fund-lines-caption = Budget lines of { $biennium }
report-fund-budget-left = Budget less services received
report-fund-other-funds = Receivables and payables with other funds
report-fund-other-funds-intro = Charges of the biennium to and by each other fund, and the balances the ledger holds with it.
report-fund-other-caption = Balances with other funds

## Column titles
report-col-paragraph = Paragraph
report-col-request = Request
report-col-addressee = Addressed to
report-col-tracking = Tracking
report-col-status = Status
report-col-activities = Activities
report-col-note = Latest note
report-col-agreement = Agreement
report-col-title = Title
report-col-kind = Kind
report-col-provider = Provider
report-col-recipient = Recipient
report-col-recipients = Paid by
report-col-services = Services
report-col-service = Service
report-col-ceiling = Ceiling
report-col-psc-rate = PSC rate
report-col-currency = Currency
report-col-direct = Direct cost
report-col-psc = PSC
report-col-total = Total
report-col-direction = Direction
report-col-provider-fund = Provider fund
report-col-payer-fund = Paying fund
report-col-quarter = Quarter
report-col-code = Code
report-col-category = Category
report-col-lead = Lead
report-col-partners = Partners
report-col-mandate = Mandate
report-col-funding = Funding status
report-col-estimate = Estimated cost
report-col-count = Number
report-col-action = Action
report-col-owner = Owner
report-col-due = Due
report-col-bodies = Bodies
report-col-dates = Dates
report-col-place = Place
report-col-participants = Participants
report-col-women = Women
report-col-region = Regional group
report-col-organisation = Organisation
report-col-staff-days = Staff-days
report-col-amount = Amount
report-col-fund = Fund
report-col-fund-name = Name
report-col-budget = Budget
report-col-income-direct = Cost-recovery income
report-col-income-psc = PSC income
report-col-services-received = Services received
report-col-net = Net
report-col-activities-estimate = Cooperation activities (estimate)
report-col-current-level = Current level (nominal)
report-col-projected-needs = Projected needs
report-col-difference = Difference
report-col-deliveries = Deliveries
report-col-date = Date
report-col-description = Description
report-col-quantity = Quantity
report-col-grade = Grade
report-col-rate = Rate
report-col-expense = Expense
report-col-fx = Operational rate of exchange
report-col-cost = Cost
report-col-item = Item
report-col-charged-to = Charged to that fund
report-col-charged-by = Charged by that fund
report-col-receivable = Receivable
report-col-payable = Payable

## Labels of values
report-gender-female = Women
report-gender-male = Men
report-gender-other = Other
report-region-african = African States
report-region-asia-pacific = Asia-Pacific States
report-region-eastern-european = Eastern European States
report-region-latin-american-caribbean = Latin American and Caribbean States
report-region-western-european-others = Western European and other States
report-tracking-operational = Operational
report-tracking-informational = Informational
report-mandate-active = Active
report-mandate-implemented = Implemented
report-mandate-superseded = Superseded
report-kind-purchase = Purchase
report-kind-sharing = Sharing
report-version-draft = draft
report-version-proposed = awaiting approval
report-version-active = in force
report-version-superseded = superseded
report-version-withdrawn = withdrawn
report-category-administrative = Administrative
report-category-programmatic = Programmatic
report-category-technical = Technical
report-category-technical-assistance = Technical assistance
report-category-training = Training
report-category-knowledge-management = Knowledge management
report-category-conference-servicing = Conference servicing
report-funding-core-budget = Core budget
report-funding-subject-to-resources = Subject to availability of resources
report-funding-voluntary-funding = Voluntary funding
report-funding-unfunded = Unfunded
report-status-planned = Planned
report-status-ongoing = Ongoing
report-status-completed = Completed
report-status-postponed = Postponed
report-status-cancelled = Cancelled
report-action-open = Open
report-action-done = Done
report-action-cancelled = Cancelled
report-actor-executive-secretary = Executive Secretary
report-actor-executive-director = Executive Director
report-actor-secretariat = Secretariat
report-actor-parties = Parties
report-actor-non-parties = Non-Parties
report-actor-stakeholders = Stakeholders
report-actor-governments = Governments
report-actor-organizations = Organizations
report-actor-bureau = Bureau
report-actor-global-environment-facility = Global Environment Facility

# The description of an activity in the IATI file (open data), one sentence after another.
iati-list-separator = { "; " }
iati-description-lead = { $category } activity led by { $lead }, { $biennium } biennium.
iati-description-partners = Partners: { $partners }.
iati-description-mandates = Mandates: { $mandates }.
iati-description-funding = Funding: { $funding }.
iati-description-cost = Estimated cost: { $shares }.
iati-description-share = { $organisation } ({ $fund }): { $amount } { $currency }
