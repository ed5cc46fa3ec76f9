//! Cooperation activities: recording them, pricing them at their biennium's rate cards, and
//! planning the next biennium from those that continue.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use synergies_domain::activity::{
    carry_over, price_activity, Activity, ActivityCategory, ActivityStatus, Contribution,
    FundingStatus, PricedContribution, ScenarioTotals, StaffTime,
};
use synergies_domain::mandate::{parse_reference, Mandate};
use synergies_domain::model::Framework;
use synergies_domain::rates::RateBook;
use synergies_domain::text::Issues;
use synergies_domain::{Currency, DomainError, Message};
use synergies_store::Store;

use crate::{Actor, AuditAction};
use crate::{AppError, AppResult};
use synergies_domain::access::Action;

/// The currency of a biennium's rate cards (USD when none says otherwise).
fn currency_of(framework: &Framework, biennium: &str) -> Currency {
    framework
        .rate_cards
        .iter()
        .find(|c| c.biennium == biennium)
        .map(|c| c.currency)
        .unwrap_or(Currency::USD)
}

/// Prices an activity at its biennium's rate cards, or says why it cannot be.
fn price(
    framework: &Framework,
    rates: &RateBook,
    a: &Activity,
    biennium: &str,
) -> AppResult<Vec<PricedContribution>> {
    let b = framework
        .biennium(biennium)
        .ok_or_else(|| AppError::Invalid(format!("{}: unknown biennium {biennium}", a.code)))?;
    price_activity(a, b, rates, currency_of(framework, biennium))
        .map_err(|e| AppError::Invalid(format!("{} ({biennium}): {e}", a.code)))
}

/// What an import or a change checks in an activity, every problem at once: its own fields
/// (the domain's [`Activity::issues`]: text limits, no negative costs), then what it names
/// (agreements of its biennium, organisations, funds of the contributing organisation, recorded
/// mandates) and that it can be priced at its biennium's rate cards.
fn issues_of(
    store: &dyn Store,
    framework: &Framework,
    rates: &RateBook,
    mandates: &[Mandate],
    a: &Activity,
) -> AppResult<Issues> {
    let mut i = a.issues();
    if !i.is_empty() {
        return Ok(i);
    }
    let r = format!("activity {}", a.code);
    for code in &a.agreements {
        match store.agreement(code)? {
            None => i.push(&r, "agreements", format!("unknown agreement {code}")),
            Some(x) if x.biennium != a.biennium => i.push(
                &r,
                "agreements",
                format!(
                    "agreement {code} is of the biennium {}, not {}",
                    x.biennium, a.biennium
                ),
            ),
            Some(_) => {}
        }
    }
    for org in std::iter::once(&a.lead).chain(&a.partners) {
        if framework.organisation(org).is_none() {
            i.push(&r, "organisation", format!("unknown organisation {org}"));
        }
    }
    for m in &a.mandates {
        match parse_reference(m) {
            None => i.push(
                &r,
                "mandates",
                format!(
                    "{m:?} does not name a mandate: give the decision and the paragraph, such \
                     as \"MC-6/20 4(a)\""
                ),
            ),
            Some((decision, paragraph)) => {
                if !mandates
                    .iter()
                    .any(|x| x.decision == decision && x.paragraph == paragraph)
                {
                    i.push(
                        &r,
                        "mandates",
                        format!("no mandate {paragraph} of {decision} (see `mandates list`)"),
                    );
                }
            }
        }
    }
    for c in &a.contributions {
        match framework.fund(&c.fund) {
            Some(f) if f.organisation == c.organisation => {}
            Some(f) => i.push(
                &r,
                "fund",
                format!(
                    "fund {} belongs to {}, not {}",
                    c.fund, f.organisation, c.organisation
                ),
            ),
            None => i.push(&r, "fund", format!("unknown fund {}", c.fund)),
        }
    }
    if i.is_empty() {
        if let Err(e) = price(framework, rates, a, &a.biennium) {
            i.push(&r, "", e.to_string());
        }
    }
    Ok(i)
}

fn validate(
    store: &dyn Store,
    framework: &Framework,
    rates: &RateBook,
    a: &Activity,
) -> AppResult<()> {
    let mandates = store.mandates(None)?;
    Ok(issues_of(store, framework, rates, &mandates, a)?.into_result()?)
}

/// Records activities, all or none: each must name known organisations, funds, agreements and
/// mandates and be priceable at its biennium's rate cards; every problem of every activity is
/// reported, and nothing is written when there is one. `actor` is who records them: the
/// activities and their audit event (`activities.import`, or `activity.create` for one) are
/// one transaction.
pub fn import_activities(
    store: &dyn Store,
    activities: &[Activity],
    actor: &Actor,
) -> AppResult<usize> {
    for a in activities {
        authorize_activity(actor, a)?;
    }
    write_activities(store, activities, actor)
}

/// Checks and records activities that the actor may record.
fn write_activities(store: &dyn Store, activities: &[Activity], actor: &Actor) -> AppResult<usize> {
    let framework = store.framework()?;
    let rates = RateBook::new(&framework.rates);
    let mandates = store.mandates(None)?;
    let mut issues = Issues::new();
    let mut seen = std::collections::BTreeSet::new();
    for (n, a) in activities.iter().enumerate() {
        if !seen.insert((a.biennium.clone(), a.code.clone())) {
            issues.push(
                format!("activity {} (record {})", a.code, n + 1),
                "code",
                format!("is given more than once for {}", a.biennium),
            );
        }
        issues.extend(issues_of(store, &framework, &rates, &mandates, a)?);
    }
    issues.into_result()?;
    let audit = match activities {
        [a] => actor.audit(
            AuditAction::ActivityCreate,
            &format!("{}/{}", a.biennium, a.code),
            serde_json::json!({ "before": null, "after": a }),
        ),
        _ => actor.audit(
            AuditAction::ActivitiesImport,
            &format!("{} activities", activities.len()),
            serde_json::json!({
                "before": null,
                "after": activities
                    .iter()
                    .map(|a| format!("{}/{}", a.biennium, a.code))
                    .collect::<Vec<_>>(),
            }),
        ),
    };
    store.save_activities(activities, &audit)?;
    Ok(activities.len())
}

/// What one organisation was estimated to put into an activity, and what the ledger shows it
/// paid under the agreements that carry the activity (posted, not reversed, charges of
/// periods within the activity's biennium), in minor units.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CostLine {
    pub organisation: String,
    pub estimated_minor: i64,
    pub actual_minor: i64,
}

/// An activity with its estimated cost, and its actual cost when agreements carry it.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PricedActivity {
    pub activity: Activity,
    pub currency: Currency,
    pub costs: Vec<PricedContribution>,
    /// Per organisation (contributor or payer), estimated against actual.
    pub by_organisation: Vec<CostLine>,
    pub estimated_minor: i64,
    /// `None` when no agreement carries the activity.
    pub actual_minor: Option<i64>,
}

/// What the ledger shows each payer organisation paid under the activity's agreements, within
/// its biennium: one aggregate query per agreement.
fn actual_by_payer(
    store: &dyn Store,
    framework: &Framework,
    a: &Activity,
    currency: Currency,
) -> AppResult<BTreeMap<String, i64>> {
    let mut out = BTreeMap::new();
    if a.agreements.is_empty() {
        return Ok(out);
    }
    let b = framework
        .biennium(&a.biennium)
        .ok_or_else(|| AppError::Invalid(format!("{}: unknown biennium {}", a.code, a.biennium)))?;
    for code in &a.agreements {
        for t in store.charge_totals(code, b.start, b.end)? {
            if t.currency != currency {
                return Err(AppError::Invalid(format!(
                    "activity {}: agreement {code} charges in {}, the activity is costed in \
                     {currency}",
                    a.code, t.currency
                )));
            }
            let sum: &mut i64 = out.entry(t.payer_organisation).or_default();
            *sum = sum
                .checked_add(t.total_minor)
                .ok_or(synergies_domain::DomainError::Overflow)?;
        }
    }
    Ok(out)
}

fn with_actual(
    store: &dyn Store,
    framework: &Framework,
    rates: &RateBook,
    a: Activity,
) -> AppResult<PricedActivity> {
    let currency = currency_of(framework, &a.biennium);
    let costs = price(framework, rates, &a, &a.biennium)?;
    let actual = actual_by_payer(store, framework, &a, currency)?;
    let mut lines: BTreeMap<String, CostLine> = BTreeMap::new();
    for c in &costs {
        let line = lines.entry(c.organisation.clone()).or_default();
        line.estimated_minor += c.total_minor;
    }
    for (org, minor) in &actual {
        lines.entry(org.clone()).or_default().actual_minor += minor;
    }
    let by_organisation: Vec<CostLine> = lines
        .into_iter()
        .map(|(organisation, l)| CostLine { organisation, ..l })
        .collect();
    let estimated_minor = costs.iter().map(|c| c.total_minor).sum();
    let actual_minor = (!a.agreements.is_empty()).then(|| actual.values().sum());
    Ok(PricedActivity {
        activity: a,
        currency,
        costs,
        by_organisation,
        estimated_minor,
        actual_minor,
    })
}

/// The activities of a biennium, priced at its rate cards, each with its actual cost from the
/// ledger when agreements carry it.
pub fn priced(store: &dyn Store, biennium: &str) -> AppResult<Vec<PricedActivity>> {
    let framework = store.framework()?;
    if framework.biennium(biennium).is_none() {
        return Err(AppError::Invalid(format!("unknown biennium {biennium}")));
    }
    let rates = RateBook::new(&framework.rates);
    store
        .activities(Some(biennium))?
        .into_iter()
        .map(|a| with_actual(store, &framework, &rates, a))
        .collect()
}

/// The activity `code`, of `biennium` when given; without it, the code must name one activity.
pub fn find(store: &dyn Store, code: &str, biennium: Option<&str>) -> AppResult<Activity> {
    let mut found: Vec<Activity> = store
        .activities(biennium)?
        .into_iter()
        .filter(|a| a.code == code)
        .collect();
    match found.len() {
        0 => Err(AppError::Invalid(match biennium {
            Some(b) => format!("no activity {code} in {b}"),
            None => format!("no activity {code}"),
        })),
        1 => Ok(found.remove(0)),
        _ => Err(AppError::Invalid(format!(
            "activity {code} is recorded in {}: give --biennium",
            found
                .iter()
                .map(|a| a.biennium.as_str())
                .collect::<Vec<_>>()
                .join(" and ")
        ))),
    }
}

/// A change to an activity's common fields; what is `None` or empty stays as it is.
#[derive(Debug, Clone, Default)]
pub struct ActivityChange {
    pub status: Option<ActivityStatus>,
    pub funding: Option<FundingStatus>,
    pub continues: Option<bool>,
    pub title_en: Option<String>,
    pub title_fr: Option<String>,
    pub add_outputs: Vec<String>,
    pub remove_outputs: Vec<String>,
    pub add_agreements: Vec<String>,
    pub remove_agreements: Vec<String>,
    pub add_mandates: Vec<String>,
    pub remove_mandates: Vec<String>,
}

impl ActivityChange {
    fn is_empty(&self) -> bool {
        self.status.is_none()
            && self.funding.is_none()
            && self.continues.is_none()
            && self.title_en.is_none()
            && self.title_fr.is_none()
            && self.add_outputs.is_empty()
            && self.remove_outputs.is_empty()
            && self.add_agreements.is_empty()
            && self.remove_agreements.is_empty()
            && self.add_mandates.is_empty()
            && self.remove_mandates.is_empty()
    }
}

/// Adds `add` to `list` (once each) and removes `remove`, refusing to remove what is not there.
fn edit_list(
    list: &mut Vec<String>,
    add: &[String],
    remove: &[String],
    what: &str,
    code: &str,
) -> AppResult<()> {
    for r in remove {
        let before = list.len();
        list.retain(|x| x != r);
        if list.len() == before {
            return Err(AppError::Invalid(format!(
                "activity {code} has no {what} {r:?}"
            )));
        }
    }
    for x in add {
        if x.trim().is_empty() {
            return Err(AppError::Invalid(format!("an empty {what} is not allowed")));
        }
        if !list.contains(x) {
            list.push(x.clone());
        }
    }
    Ok(())
}

/// An officer of the lead organisation plans an activity; every organisation whose resources
/// it commits (staff time or money) records its own contribution.
fn authorize_activity(actor: &Actor, a: &Activity) -> AppResult<()> {
    actor.authorize(&Action::PlanActivity {
        organisation: a.lead.clone(),
    })?;
    for c in a
        .contributions
        .iter()
        .filter(|c| c.non_staff_minor != 0 || c.staff.iter().any(|s| !s.days.is_zero()))
    {
        actor.authorize(&Action::CommitResources {
            organisation: c.organisation.clone(),
        })?;
    }
    Ok(())
}

/// Records one new activity; a code already used in its biennium is refused (changes go
/// through [`update`]).
pub fn create(store: &dyn Store, actor: &Actor, a: &Activity) -> AppResult<()> {
    authorize_activity(actor, a)?;
    if store
        .activities(Some(&a.biennium))?
        .iter()
        .any(|x| x.code == a.code)
    {
        return Err(AppError::field(
            "code",
            format!("activity {} already exists in {}", a.code, a.biennium),
        ));
    }
    write_activities(store, std::slice::from_ref(a), actor)?;
    Ok(())
}

/// Changes an activity's common fields, checked as an import checks it, and records the
/// change in the audit trail with the activity before and after. All or nothing.
pub fn update(
    store: &dyn Store,
    code: &str,
    biennium: Option<&str>,
    change: &ActivityChange,
    by: &Actor,
) -> AppResult<Activity> {
    if change.is_empty() {
        return Err(AppError::Invalid(
            "nothing to change: give at least one option (see --help)".into(),
        ));
    }
    let before = find(store, code, biennium)?;
    by.authorize(&Action::PlanActivity {
        organisation: before.lead.clone(),
    })?;
    let mut a = before.clone();
    if let Some(s) = change.status {
        a.status = s;
    }
    if let Some(f) = change.funding {
        a.funding = f;
    }
    if let Some(c) = change.continues {
        a.continues = c;
    }
    if let Some(t) = &change.title_en {
        a.title_en = t.clone();
    }
    if let Some(t) = &change.title_fr {
        a.title_fr = t.clone();
    }
    edit_list(
        &mut a.outputs,
        &change.add_outputs,
        &change.remove_outputs,
        "output",
        code,
    )?;
    edit_list(
        &mut a.agreements,
        &change.add_agreements,
        &change.remove_agreements,
        "agreement",
        code,
    )?;
    for m in &change.add_mandates {
        let (decision, paragraph) =
            synergies_domain::mandate::parse_reference(m).ok_or_else(|| {
                AppError::Invalid(format!(
                    "{m:?} does not name a mandate: give the decision and the paragraph, \
                     such as \"MC-6/20 4(a)\""
                ))
            })?;
        if !store
            .mandates(Some(decision))?
            .iter()
            .any(|x| x.paragraph == paragraph)
        {
            return Err(AppError::Invalid(format!(
                "no mandate {paragraph} of {decision} (see `mandates list`)"
            )));
        }
    }
    edit_list(
        &mut a.mandates,
        &change.add_mandates,
        &change.remove_mandates,
        "mandate",
        code,
    )?;
    let framework = store.framework()?;
    let rates = RateBook::new(&framework.rates);
    validate(store, &framework, &rates, &a)?;
    let audit = by.audit(
        AuditAction::ActivityUpdate,
        &format!("{}/{}", a.biennium, a.code),
        serde_json::json!({ "before": before, "after": a }),
    );
    store.save_activities(std::slice::from_ref(&a), &audit)?;
    Ok(a)
}

/// Records an organisation's own contribution to an activity (staff time by grade and other
/// costs from one of its funds), replacing the one it recorded from that fund before: how an
/// organisation confirms what it commits to another's activity. The activity is checked as
/// an import checks it and written with its audit event (`activity.contribution`).
pub fn set_contribution(
    store: &dyn Store,
    code: &str,
    biennium: Option<&str>,
    contribution: Contribution,
    by: &Actor,
) -> AppResult<Activity> {
    by.authorize(&Action::CommitResources {
        organisation: contribution.organisation.clone(),
    })?;
    let before = find(store, code, biennium)?;
    let org = &contribution.organisation;
    if *org != before.lead && !before.partners.contains(org) {
        return Err(AppError::Invalid(format!(
            "{org} is neither the lead nor a partner of activity {code}"
        )));
    }
    let mut a = before.clone();
    a.contributions
        .retain(|c| !(c.organisation == contribution.organisation && c.fund == contribution.fund));
    a.contributions.push(contribution);
    let framework = store.framework()?;
    let rates = RateBook::new(&framework.rates);
    validate(store, &framework, &rates, &a)?;
    let audit = by.audit(
        AuditAction::ActivityContribution,
        &format!("{}/{}", a.biennium, a.code),
        serde_json::json!({ "before": before.contributions, "after": a.contributions }),
    );
    store.save_activities(std::slice::from_ref(&a), &audit)?;
    Ok(a)
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Plan {
    pub from: String,
    pub to: String,
    pub currency: Currency,
    /// Codes of the activities carried over.
    pub carried: Vec<String>,
    /// Current level in nominal terms (priced in `from`) against projected needs (re-priced
    /// at the rate cards of `to`).
    pub scenarios: ScenarioTotals,
    /// What the ledger shows each payer organisation paid so far in `from` under the
    /// agreements of the activities carried over, in minor units.
    pub current_actual: BTreeMap<String, i64>,
}

/// Carries the continuing activities of `from` into `to`, re-priced at the rate cards of
/// `to`, and compares the two funding scenarios. Running it again replaces the same plan.
/// `actor` is who plans: the carried activities and their audit event are one transaction.
pub fn plan(store: &dyn Store, from: &str, to: &str, actor: &Actor) -> AppResult<Plan> {
    actor.must_be_operator("carry every activity over into the next biennium")?;
    let framework = store.framework()?;
    let rates = RateBook::new(&framework.rates);
    if framework.biennium(to).is_none() {
        return Err(AppError::Invalid(format!("unknown biennium {to}")));
    }
    let current = store.activities(Some(from))?;
    let carried = carry_over(&current, to);
    let mut scenarios = ScenarioTotals::default();
    let mut current_actual: BTreeMap<String, i64> = BTreeMap::new();
    for a in current
        .iter()
        .filter(|a| carried.iter().any(|c| c.code == a.code))
    {
        for (org, minor) in actual_by_payer(store, &framework, a, currency_of(&framework, from))? {
            *current_actual.entry(org).or_default() += minor;
        }
    }
    for (now, next) in current
        .iter()
        .filter(|a| carried.iter().any(|c| c.code == a.code))
        .zip(&carried)
    {
        scenarios.add(
            &price(&framework, &rates, now, from)?,
            &price(&framework, &rates, next, to)?,
        );
    }
    let audit = actor.audit(
        AuditAction::ActivitiesPlan,
        &format!("{from} -> {to}"),
        serde_json::json!({ "before": null, "after": {"carried": carried.len()} }),
    );
    store.save_activities(&carried, &audit)?;
    Ok(Plan {
        from: from.to_string(),
        to: to.to_string(),
        currency: currency_of(&framework, to),
        carried: carried.into_iter().map(|a| a.code).collect(),
        scenarios,
        current_actual,
    })
}

/// A new activity as a person types it in a form: codes, texts one per line, a staff-time
/// contribution of the lead organisation and its non-staff cost in major units.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NewActivity {
    pub code: String,
    pub biennium: String,
    pub title_en: String,
    pub title_fr: String,
    /// A category's key (`joint_activity`, …).
    pub category: String,
    pub lead: String,
    pub partners: Vec<String>,
    /// Mandates it serves, one per line (`MC-6/20 4(a)`).
    pub mandates: String,
    pub agreements: Vec<String>,
    /// A funding status's key.
    pub funding: String,
    /// A status's key.
    pub status: String,
    /// Expected outputs, one per line.
    pub outputs: String,
    /// The lead's fund for its contribution.
    pub fund: String,
    pub staff_grade: String,
    pub staff_days: String,
    /// Non-staff costs in major units of the biennium's currency, `0` when empty.
    pub non_staff: String,
}

/// The lines of a text, trimmed, without the empty ones.
fn lines_of(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// A keyed enum (`planned`, `joint_activity`) from its key, or the field's error.
fn keyed<T: serde::de::DeserializeOwned>(
    field: &str,
    value: &str,
    errors: &mut Vec<(String, Message)>,
) -> Option<T> {
    match serde_json::from_value(serde_json::Value::String(value.trim().to_string())) {
        Ok(v) => Some(v),
        Err(_) => {
            errors.push((
                field.to_string(),
                Message::new("error-not-a-choice").with("value", value),
            ));
            None
        }
    }
}

impl NewActivity {
    /// The activity, or every problem of its fields at once (what cannot be read, then what
    /// the domain refuses in what could).
    pub fn activity(&self, framework: &Framework) -> AppResult<Activity> {
        let mut errors: Vec<(String, Message)> = vec![];
        let take = |r: AppResult<Decimal>, errors: &mut Vec<(String, Message)>| match r {
            Ok(d) => Some(d),
            Err(e) => {
                errors.extend(e.field_errors().unwrap_or_default());
                None
            }
        };
        let category = keyed("category", &self.category, &mut errors);
        let funding = keyed("funding", &self.funding, &mut errors);
        let status = keyed("status", &self.status, &mut errors);
        let currency = currency_of(framework, &self.biennium);
        let days = if self.staff_days.trim().is_empty() {
            Some(Decimal::ZERO)
        } else {
            take(
                crate::form::decimal("staff_days", &self.staff_days),
                &mut errors,
            )
        };
        let non_staff = if self.non_staff.trim().is_empty() {
            Some(Decimal::ZERO)
        } else {
            take(
                crate::form::decimal("non_staff", &self.non_staff),
                &mut errors,
            )
        };
        let non_staff_minor = non_staff.and_then(|d| match currency.to_minor(d) {
            Ok(m) => Some(m),
            Err(e) => {
                errors.push(("non_staff".into(), Message::from(e.to_string())));
                None
            }
        });
        if framework.biennium(&self.biennium).is_none() {
            errors.push((
                "biennium".into(),
                Message::new("error-unknown-biennium").with("value", &self.biennium),
            ));
        }
        if !self.fund.trim().is_empty()
            && !framework
                .funds
                .iter()
                .any(|f| f.code == self.fund && f.organisation == self.lead)
        {
            errors.push((
                "fund".into(),
                Message::new("error-fund-not-of-lead")
                    .with("fund", &self.fund)
                    .with("organisation", &self.lead),
            ));
        }
        // What could not be read stands in as its first choice or zero, so that the domain's
        // checks of the other fields still run and every problem is told at once.
        let category = category.unwrap_or(ActivityCategory::ALL[0]);
        let funding = funding.unwrap_or(FundingStatus::ALL[0]);
        let status = status.unwrap_or(ActivityStatus::ALL[0]);
        let days = days.unwrap_or(Decimal::ZERO);
        let non_staff_minor = non_staff_minor.unwrap_or(0);
        let mut contributions = vec![];
        if !self.fund.trim().is_empty() {
            let mut staff = vec![];
            if !days.is_zero() || !self.staff_grade.trim().is_empty() {
                staff.push(StaffTime {
                    grade: self.staff_grade.trim().to_string(),
                    days,
                });
            }
            contributions.push(Contribution {
                organisation: self.lead.clone(),
                fund: self.fund.clone(),
                staff,
                non_staff_minor,
            });
        }
        let a = Activity {
            code: self.code.trim().to_string(),
            biennium: self.biennium.trim().to_string(),
            title_en: self.title_en.trim().to_string(),
            title_fr: self.title_fr.trim().to_string(),
            category,
            lead: self.lead.clone(),
            partners: self.partners.clone(),
            mandates: lines_of(&self.mandates),
            budget_lines: vec![],
            agreements: self.agreements.clone(),
            contributions,
            funding,
            status,
            outputs: lines_of(&self.outputs),
            continues: false,
        };
        if let Some(issues) = AppError::Domain(DomainError::Invalid(a.issues())).field_errors() {
            errors.extend(issues);
        }
        if errors.is_empty() {
            Ok(a)
        } else {
            Err(AppError::Fields(errors))
        }
    }
}
