//! Every state-changing operation of the web face, shared by the pages and the API: each
//! decides who may do it with the domain's one `authorize`, runs the application service and
//! leaves its trace in the audit trail. Handlers only translate between HTTP and these.

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use synergies_app::close::{close_period, CloseReport};
use synergies_app::import::{
    import_deliveries, import_deliveries_audited, BytesSource, ImportReport, COLUMNS,
};
use synergies_app::ledger::{settle, Settlement, SettlementReport};
use synergies_domain::access::{authorize, Action, Grant, Role};
use synergies_domain::agreement::{
    Agreement, AgreementKind, AgreementLine, Participant, ShareKey, Terms,
};
use synergies_domain::period::parse_iso_date;
use synergies_domain::{Currency, Period};
use synergies_store::{Audit, Store, UserRecord};
use utoipa::ToSchema;

use crate::auth::{hash_password, now_rfc3339, Caller};
use crate::error::Problem;

type OpResult<T> = Result<T, Problem>;

fn agreement(store: &dyn Store, code: &str) -> OpResult<Agreement> {
    store
        .agreement(code)?
        .ok_or_else(|| Problem::not_found(format!("unknown agreement {code}")))
}

fn decimal(field: &str, value: &str) -> OpResult<Decimal> {
    Decimal::from_str(value.trim())
        .map_err(|_| Problem::field(field, format!("{value:?} is not a number")))
}

fn date(field: &str, value: &str) -> OpResult<NaiveDate> {
    parse_iso_date(value.trim())
        .ok_or_else(|| Problem::field(field, format!("{value:?} is not a date (YYYY-MM-DD)")))
}

fn required<'a>(field: &str, value: &'a str) -> OpResult<&'a str> {
    let v = value.trim();
    if v.is_empty() {
        Err(Problem::field(field, "this field is required"))
    } else {
        Ok(v)
    }
}

/// One of the organisations in `candidates` for which `action` is allowed, else the refusal
/// for the first.
fn any_allowed(
    caller: &Caller,
    candidates: &[String],
    action: impl Fn(&str) -> Action,
) -> OpResult<String> {
    let mut refusal = None;
    for org in candidates {
        match authorize(&caller.principal, &action(org)) {
            Ok(()) => return Ok(org.clone()),
            Err(d) => {
                refusal.get_or_insert(d);
            }
        }
    }
    Err(refusal
        .map(Problem::from)
        .unwrap_or_else(|| Problem::forbidden("no organisation to act for")))
}

/// A new agreement's terms as a person types them: amounts in major units, rates as decimals.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
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

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct NewLine {
    pub service: String,
    /// The quantity the parties expect, in the service's unit.
    pub estimated_quantity: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
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
    fn currency(&self) -> OpResult<Currency> {
        Currency::from_code(required("currency", &self.currency)?)
            .map_err(|e| Problem::field("currency", e.to_string()))
    }

    /// The domain's terms, or the first field in error.
    pub fn terms(&self) -> OpResult<Terms> {
        let currency = self.currency()?;
        let ceiling = decimal("ceiling", &self.ceiling)?;
        let ceiling_minor = currency
            .to_minor(ceiling)
            .map_err(|e| Problem::field("ceiling", e.to_string()))?;
        if ceiling_minor <= 0 {
            return Err(Problem::field(
                "ceiling",
                "the ceiling must be more than zero",
            ));
        }
        let psc_rate = decimal("psc_rate", &self.psc_rate)?;
        if psc_rate < Decimal::ZERO || psc_rate >= Decimal::ONE {
            return Err(Problem::field(
                "psc_rate",
                "programme support costs are a fraction from 0 to less than 1, e.g. 0.13",
            ));
        }
        if self.lines.is_empty() {
            return Err(Problem::field("service", "name at least one service"));
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
            .collect::<OpResult<Vec<_>>>()?;
        if self.participants.is_empty() {
            return Err(Problem::field(
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
            .collect::<OpResult<Vec<_>>>()?;
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

    fn draft(&self) -> OpResult<Agreement> {
        let kind = AgreementKind::parse(self.kind.trim())
            .ok_or_else(|| Problem::field("kind", "the kind is purchase or sharing"))?;
        Ok(Agreement::draft(
            required("code", &self.code)?,
            required("title", &self.title)?,
            kind,
            required("provider", &self.provider)?,
            required("provider_fund", &self.provider_fund)?,
            required("biennium", &self.biennium)?,
            self.currency()?,
            self.terms()?,
        ))
    }
}

/// Drafts an agreement for the caller's organisation as provider.
pub fn create_agreement(
    store: &dyn Store,
    caller: &Caller,
    new: &NewAgreement,
) -> OpResult<Agreement> {
    authorize(
        &caller.principal,
        &Action::DraftAgreement {
            provider: new.provider.trim().to_string(),
        },
    )?;
    let a = new.draft()?;
    if store.agreement(&a.code)?.is_some() {
        return Err(Problem::field(
            "code",
            format!("an agreement {} already exists", a.code),
        ));
    }
    synergies_app::agreements::create(store, caller.username(), &a)?;
    Ok(a)
}

pub fn propose_agreement(store: &dyn Store, caller: &Caller, code: &str) -> OpResult<Agreement> {
    let a = agreement(store, code)?;
    authorize(
        &caller.principal,
        &Action::DraftAgreement {
            provider: a.provider.clone(),
        },
    )?;
    Ok(synergies_app::agreements::propose(
        store,
        caller.username(),
        code,
    )?)
}

/// The caller approves for the party whose head they are. Returns the agreement and whether
/// this approval made it active.
pub fn approve_agreement(
    store: &dyn Store,
    caller: &Caller,
    code: &str,
    on: NaiveDate,
) -> OpResult<(Agreement, bool)> {
    let a = agreement(store, code)?;
    let pending: Vec<String> = a
        .required_approvers(a.latest())
        .into_iter()
        .filter(|org| {
            !a.latest()
                .approvals
                .iter()
                .any(|ap| &ap.organisation == org)
        })
        .collect();
    let candidates = if pending.is_empty() {
        a.parties().into_iter().collect()
    } else {
        pending
    };
    let org = any_allowed(caller, &candidates, |o| Action::ApproveAgreement {
        organisation: o.to_string(),
    })?;
    Ok(synergies_app::agreements::approve(
        store,
        caller.username(),
        code,
        &org,
        on,
    )?)
}

/// A head of a party amends the terms: a new version that both heads must approve.
pub fn amend_agreement(
    store: &dyn Store,
    caller: &Caller,
    code: &str,
    terms: &NewAgreement,
) -> OpResult<Agreement> {
    let a = agreement(store, code)?;
    let parties: Vec<String> = a.parties().into_iter().collect();
    any_allowed(caller, &parties, |o| Action::ApproveAgreement {
        organisation: o.to_string(),
    })?;
    Ok(synergies_app::agreements::amend(
        store,
        caller.username(),
        code,
        terms.terms()?,
    )?)
}

/// One delivery as a person records it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct NewDelivery {
    pub agreement: String,
    pub service: String,
    /// YYYY-MM-DD
    pub date: String,
    /// In the service's unit (days, hours, pages…).
    pub quantity: String,
    /// The staff grade for services priced by grade, e.g. `P-4`.
    #[serde(default)]
    pub grade: String,
    /// A non-staff expense, in major units, for services charged at cost.
    #[serde(default)]
    pub expense_amount: String,
    #[serde(default)]
    pub expense_currency: String,
    pub description: String,
    /// The provider's own reference, unique within the agreement.
    pub external_id: String,
}

/// Records deliveries from CSV text after checking that the caller's organisation provides
/// every agreement named in it. All or nothing.
pub fn import_delivery_csv(
    store: &dyn Store,
    caller: &Caller,
    name: &str,
    csv_text: &[u8],
) -> OpResult<ImportReport> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(csv_text);
    let column = reader
        .headers()
        .map_err(|e| Problem::unprocessable(format!("{name}: cannot read the header: {e}")))?
        .iter()
        .position(|h| h.trim().trim_start_matches('\u{feff}') == "agreement")
        .ok_or_else(|| Problem::unprocessable(format!("{name}:1: no agreement column")))?;
    let mut codes = std::collections::BTreeSet::new();
    for record in reader.records().flatten() {
        if let Some(code) = record.get(column) {
            codes.insert(code.trim().to_string());
        }
    }
    for code in &codes {
        let a = agreement(store, code)?;
        authorize(
            &caller.principal,
            &Action::RecordDeliveries {
                provider: a.provider.clone(),
            },
        )?;
    }
    let report = import_deliveries(
        store,
        &BytesSource {
            name,
            bytes: csv_text,
        },
        &mut |_| {},
        caller.username(),
    )?;
    Ok(report)
}

/// Records one delivery (the same checks as an import of one row).
pub fn record_delivery(
    store: &dyn Store,
    caller: &Caller,
    d: &NewDelivery,
) -> OpResult<ImportReport> {
    let a = agreement(store, required("agreement", &d.agreement)?)?;
    authorize(
        &caller.principal,
        &Action::RecordDeliveries {
            provider: a.provider.clone(),
        },
    )?;
    required("service", &d.service)?;
    date("date", &d.date)?;
    decimal("quantity", &d.quantity)?;
    required("description", &d.description)?;
    required("external_id", &d.external_id)?;
    let mut w = csv::Writer::from_writer(vec![]);
    let row = [
        d.agreement.trim(),
        d.service.trim(),
        d.date.trim(),
        d.quantity.trim(),
        d.grade.trim(),
        d.expense_amount.trim(),
        d.expense_currency.trim(),
        d.description.trim(),
        d.external_id.trim(),
    ];
    let written = w.write_record(COLUMNS).and_then(|_| w.write_record(row));
    written.map_err(Problem::internal)?;
    let bytes = w.into_inner().map_err(Problem::internal)?;
    let subject = format!("{}/{}", d.agreement.trim(), d.external_id.trim());
    let report = import_deliveries_audited(
        store,
        &BytesSource {
            name: "delivery",
            bytes: &bytes,
        },
        &mut |_| {},
        &|_| {
            Audit::new(
                caller.username(),
                "delivery.record",
                &subject,
                json!({ "before": null, "after": d }),
            )
        },
    )
    .map_err(|e| match e {
        // One row: name the field rather than a line of a file.
        synergies_app::AppError::Rejected { issues, .. } if !issues.is_empty() => {
            Problem::field(&issues[0].column, issues[0].reason.clone())
        }
        other => Problem::from(other),
    })?;
    if report.inserted == 0 {
        return Err(Problem::field(
            "external_id",
            format!(
                "{} {} is already recorded with the same content",
                d.agreement.trim(),
                d.external_id.trim()
            ),
        ));
    }
    Ok(report)
}

/// The recipient's finance officer accepts an agreement's recorded deliveries (up to a day).
pub fn accept_deliveries(
    store: &dyn Store,
    caller: &Caller,
    code: &str,
    through: Option<NaiveDate>,
    on: NaiveDate,
) -> OpResult<u64> {
    let a = agreement(store, code)?;
    authorize(&caller.principal, &Action::accept_deliveries_of(&a))?;
    Ok(synergies_app::deliveries::accept(
        store,
        Some(code),
        through,
        on,
        caller.username(),
    )?)
}

pub fn dispute_delivery(
    store: &dyn Store,
    caller: &Caller,
    code: &str,
    external_id: &str,
    reason: &str,
) -> OpResult<()> {
    let a = agreement(store, code)?;
    authorize(&caller.principal, &Action::dispute_deliveries_of(&a))?;
    let reason = required("reason", reason)?;
    Ok(synergies_app::deliveries::dispute(
        store,
        code,
        external_id,
        reason,
        caller.username(),
    )?)
}

/// Closes one agreement's period (a month `2026-03`, a quarter `2026-Q1`…).
pub fn close(
    store: &dyn Store,
    caller: &Caller,
    code: &str,
    period: &str,
    on: NaiveDate,
) -> OpResult<CloseReport> {
    let a = agreement(store, code)?;
    authorize(&caller.principal, &Action::close_period_of(&a))?;
    let period =
        Period::from_str(period.trim()).map_err(|e| Problem::field("period", e.to_string()))?;
    Ok(close_period(
        store,
        period,
        Some(code),
        on,
        caller.username(),
    )?)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct NewSettlement {
    pub payer_fund: String,
    pub provider_fund: String,
    pub currency: String,
    /// In major units, e.g. `1250.00`.
    pub amount: String,
    /// YYYY-MM-DD
    pub date: String,
    /// The transfer's reference; one settlement per reference.
    pub reference: String,
}

pub fn record_settlement(
    store: &dyn Store,
    caller: &Caller,
    s: &NewSettlement,
) -> OpResult<SettlementReport> {
    let framework = store.framework()?;
    let payer_fund = framework
        .funds
        .iter()
        .find(|f| f.code == s.payer_fund.trim())
        .ok_or_else(|| Problem::field("payer_fund", format!("unknown fund {}", s.payer_fund)))?;
    authorize(
        &caller.principal,
        &Action::Settle {
            payer: payer_fund.organisation.clone(),
        },
    )?;
    let currency = Currency::from_code(s.currency.trim())
        .map_err(|e| Problem::field("currency", e.to_string()))?;
    let amount_minor = currency
        .to_minor(decimal("amount", &s.amount)?)
        .map_err(|e| Problem::field("amount", e.to_string()))?;
    if amount_minor <= 0 {
        return Err(Problem::field("amount", "a settlement is more than zero"));
    }
    let settlement = Settlement {
        payer_fund: s.payer_fund.trim().to_string(),
        provider_fund: s.provider_fund.trim().to_string(),
        currency,
        amount_minor,
        on: date("date", &s.date)?,
        reference: required("reference", &s.reference)?.to_string(),
    };
    // The entry and its audit event (who settled, the debt before and after) are one
    // transaction.
    Ok(settle(store, &settlement, caller.username())?)
}

/// A user as the administrator creates or changes them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct NewUser {
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    /// At least 12 characters, not a common password, a pattern or the user's own name.
    /// Leave out when changing only the roles. A new password ends the user's sessions and
    /// revokes their tokens.
    #[serde(default)]
    pub password: Option<String>,
    /// Roles held: `[{"role": "finance", "organisation": "MC"}, {"role": "auditor", "organisation": null}]`.
    #[schema(value_type = Vec<Object>)]
    pub grants: Vec<Grant>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// Creates or changes a user: the administrator's only business.
pub fn save_user(store: &dyn Store, caller: &Caller, new: &NewUser) -> OpResult<UserRecord> {
    authorize(&caller.principal, &Action::ManageUsers)?;
    let username = required("username", &new.username)?;
    if !username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        return Err(Problem::field(
            "username",
            "a username has letters, digits, dots, dashes and underscores only",
        ));
    }
    let framework = store.framework()?;
    for g in &new.grants {
        match (&g.organisation, g.role) {
            (Some(org), _) if !framework.organisations.iter().any(|o| &o.code == org) => {
                return Err(Problem::field(
                    "grants",
                    format!("unknown organisation {org}"),
                ));
            }
            (None, Role::Officer | Role::Finance | Role::Head) => {
                return Err(Problem::field(
                    "grants",
                    format!("the {} role is held in an organisation", g.role.as_str()),
                ));
            }
            _ => {}
        }
    }
    let before = store.user(username)?;
    let display_name = if new.display_name.trim().is_empty() {
        username.to_string()
    } else {
        new.display_name.trim().to_string()
    };
    let password_hash = match (&new.password, &before) {
        (Some(p), _) => {
            synergies_domain::password::check_password(p, username, &display_name)
                .map_err(|e| Problem::field("password", e.to_string()))?;
            hash_password(p)?
        }
        (None, Some(b)) => b.password_hash.clone(),
        (None, None) => return Err(Problem::field("password", "a new user needs a password")),
    };
    let password_changed = new.password.is_some() && before.is_some();
    let user = UserRecord {
        username: username.to_string(),
        display_name,
        password_hash,
        grants: new.grants.clone(),
        active: new.active,
        created_at: before
            .as_ref()
            .map(|b| b.created_at.clone())
            .unwrap_or_else(now_rfc3339),
    };
    // A new password, or a user made inactive, ends every session and token, in the same
    // transaction as the change and its audit event (whose outcome counts them).
    let end_sign_ins = (password_changed || (before.is_some() && !user.active))
        .then(|| crate::auth::utc_stamp(chrono::Utc::now()));
    // The audit event tells that the password changed (never the password or its hash).
    let mut after = json!(user);
    let mut before_doc = json!(before);
    if new.password.is_some() {
        after["password"] = json!(if before.is_some() { "changed" } else { "set" });
        if before.is_some() {
            before_doc["password"] = json!("previous");
        }
    }
    let audit = Audit::new(
        caller.username(),
        if before.is_some() {
            "user.update"
        } else {
            "user.create"
        },
        username,
        json!({ "before": before_doc, "after": after }),
    );
    store
        .save_user(&user, end_sign_ins.as_deref(), &audit)
        .map_err(|e| match e {
            // The last administrator, caught by the store's own check in the transaction.
            synergies_store::StoreError::Conflict(m) => Problem::field("grants", m),
            other => Problem::from(other),
        })?;
    Ok(user)
}

/// A month's operational exchange rate as a finance officer enters it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct NewExchangeRate {
    /// ISO 4217 code, e.g. `CHF`.
    pub currency: String,
    /// `YYYY-MM`.
    pub month: String,
    /// Units of the currency per US dollar, e.g. `0.8842`.
    pub per_usd: String,
}

/// Adds a month's exchange rate (any finance officer: the rates are shared reference data).
/// A month already rated keeps its rate: charges may have been priced with it.
pub fn add_exchange_rate(
    store: &dyn Store,
    caller: &Caller,
    r: &NewExchangeRate,
) -> OpResult<synergies_domain::model::FxRate> {
    authorize(&caller.principal, &Action::EditExchangeRates)?;
    let currency = Currency::from_code(required("currency", &r.currency)?)
        .map_err(|e| Problem::field("currency", e.to_string()))?;
    if currency.code() == "USD" {
        return Err(Problem::field(
            "currency",
            "the US dollar is the rates' base",
        ));
    }
    let month = synergies_domain::Month::from_str(required("month", &r.month)?)
        .map_err(|e| Problem::field("month", e.to_string()))?;
    let per_usd = decimal("per_usd", &r.per_usd)?;
    if per_usd <= Decimal::ZERO {
        return Err(Problem::field("per_usd", "a rate is more than zero"));
    }
    let mut framework = store.framework()?;
    if framework
        .fx_rates
        .iter()
        .any(|f| f.currency == currency && f.month == month)
    {
        return Err(Problem::field(
            "month",
            format!(
                "{} already has a rate for {month}; a month's rate does not change",
                currency.code()
            ),
        ));
    }
    let rate = synergies_domain::model::FxRate {
        currency,
        month,
        per_usd,
    };
    framework.fx_rates.push(rate.clone());
    store.save_framework(
        &framework,
        &Audit::new(
            caller.username(),
            "exchange_rate.add",
            &format!("{} {month}", currency.code()),
            json!({ "before": null, "after": rate }),
        ),
    )?;
    Ok(rate)
}

/// A dated rate of a provider's rate card as its finance officer enters it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct NewRate {
    pub provider: String,
    pub biennium: String,
    /// A staff grade (`P-4`) for services priced by grade…
    #[serde(default)]
    pub grade: String,
    /// …or a service code for services priced per unit.
    #[serde(default)]
    pub service: String,
    /// `staff_day`, `staff_hour`, `meeting_day`, `page`, `month` or `lump_sum`.
    pub unit: String,
    /// YYYY-MM-DD: the rate applies from this day on.
    pub effective_from: String,
    /// In major units of the rate card's currency, e.g. `812.50`.
    pub amount: String,
}

/// Adds a dated rate to a provider's rate card (its finance officer). Rates are dated: a
/// change is a new rate from a later day, never an edit of one in use.
pub fn add_rate(
    store: &dyn Store,
    caller: &Caller,
    r: &NewRate,
) -> OpResult<synergies_domain::model::Rate> {
    use synergies_domain::model::{Rate, RateKey, Unit};
    let provider = required("provider", &r.provider)?;
    authorize(
        &caller.principal,
        &Action::EditRates {
            provider: provider.to_string(),
        },
    )?;
    let mut framework = store.framework()?;
    let biennium = required("biennium", &r.biennium)?;
    let card = framework
        .rate_card(provider, biennium)
        .ok_or_else(|| {
            Problem::field(
                "biennium",
                format!("{provider} has no rate card for {biennium}"),
            )
        })?
        .clone();
    let key = match (r.grade.trim(), r.service.trim()) {
        (g, "") if !g.is_empty() => RateKey::Grade(g.to_string()),
        ("", s) if !s.is_empty() => {
            if framework.service(s).is_none() {
                return Err(Problem::field("service", format!("unknown service {s}")));
            }
            RateKey::Service(s.to_string())
        }
        _ => {
            return Err(Problem::field(
                "grade",
                "give either a grade or a service, not both",
            ))
        }
    };
    let unit = Unit::parse(required("unit", &r.unit)?)
        .ok_or_else(|| Problem::field("unit", format!("{:?} is not a unit", r.unit)))?;
    let effective_from = date("effective_from", &r.effective_from)?;
    let amount = decimal("amount", &r.amount)?;
    if amount <= Decimal::ZERO {
        return Err(Problem::field("amount", "a rate is more than zero"));
    }
    card.currency
        .to_minor(amount)
        .map_err(|e| Problem::field("amount", e.to_string()))?;
    if framework.rates.iter().any(|x| {
        x.provider == provider
            && x.biennium == biennium
            && x.key == key
            && x.unit == unit
            && x.effective_from == effective_from
    }) {
        return Err(Problem::field(
            "effective_from",
            "a rate from that day exists; a change is a rate from a later day",
        ));
    }
    let rate = Rate {
        provider: provider.to_string(),
        biennium: biennium.to_string(),
        key,
        unit,
        effective_from,
        amount,
        currency: card.currency,
    };
    framework.rates.push(rate.clone());
    store.save_framework(
        &framework,
        &Audit::new(
            caller.username(),
            "rate.add",
            &format!("{provider} {biennium} {}", rate.key.to_text()),
            json!({ "before": null, "after": rate }),
        ),
    )?;
    Ok(rate)
}
