//! The pure model and rules of Synergies: money, periods, reference data, rates and exchange
//! rates, agreements and their lifecycle, the cost engine, splits and cost-pool allocations,
//! and the double-entry ledger with its invariants. No I/O, no async, no clock: every input
//! (including "now") is passed in.

pub mod access;
pub mod activity;
pub mod agreement;
pub mod allocation;
pub mod cooperation;
pub mod cost;
pub mod country;
pub mod decision;
pub mod delivery;
pub mod ledger;
pub mod mandate;
pub mod model;
pub mod money;
#[cfg(feature = "openapi")]
mod openapi;
pub mod password;
pub mod period;
pub mod rates;
pub mod text;

pub use money::{Currency, Money};
pub use period::{Month, Period};
pub use synergies_i18n::{Message, MessageArg};

/// Every way a rule of the domain can refuse its input. Messages are written for the finance
/// officer who reads them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("unknown currency {0} (an ISO 4217 code such as USD, EUR or CHF)")]
    UnknownCurrency(String),
    #[error("{amount} has more than the {digits} decimal digits of {currency}")]
    TooManyDigits {
        amount: String,
        currency: String,
        digits: u32,
    },
    #[error("amount out of range")]
    Overflow,
    #[error("bad period {0}")]
    BadPeriod(String),
    #[error("no operational rate for {currency} in {month}")]
    NoFxRate { currency: String, month: String },
    #[error("no rate of {provider} for {key} per {unit} effective on {date}")]
    NoRate {
        provider: String,
        key: String,
        unit: String,
        date: String,
    },
    #[error("{0}")]
    Allocation(Message),
    #[error("{0}")]
    Agreement(Message),
    #[error("{0}")]
    Delivery(Message),
    #[error("{0}")]
    Ledger(Message),
    /// Every problem of an input (records, fields and reasons), found in one pass.
    #[error("{0}")]
    Invalid(text::Issues),
}

impl DomainError {
    /// The refusal as a message of the translation files (`errors.ftl`), which each face shows
    /// in its reader's language; its English text is the error's `Display`.
    pub fn message(&self) -> Message {
        match self {
            DomainError::UnknownCurrency(code) => {
                Message::new("domain-unknown-currency").with("currency", code)
            }
            DomainError::TooManyDigits {
                amount,
                currency,
                digits,
            } => Message::new("domain-too-many-digits")
                .with("amount", amount)
                .with("currency", currency)
                .with("digits", digits.to_string()),
            DomainError::Overflow => Message::new("domain-overflow"),
            DomainError::BadPeriod(p) => Message::new("domain-bad-period").with("period", p),
            DomainError::NoFxRate { currency, month } => Message::new("domain-no-fx-rate")
                .with("currency", currency)
                .with("month", month),
            DomainError::NoRate {
                provider,
                key,
                unit,
                date,
            } => Message::new("domain-no-rate")
                .with("provider", provider)
                .with("key", key)
                .with("unit", unit)
                .with("date", date),
            DomainError::Allocation(m)
            | DomainError::Agreement(m)
            | DomainError::Delivery(m)
            | DomainError::Ledger(m) => m.clone(),
            DomainError::Invalid(issues) => Message::literal(issues.to_string()),
        }
    }
}
