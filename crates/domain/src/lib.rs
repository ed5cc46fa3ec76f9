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
    Allocation(String),
    #[error("{0}")]
    Agreement(String),
    #[error("{0}")]
    Delivery(String),
    #[error("{0}")]
    Ledger(String),
    /// Every problem of an input (records, fields and reasons), found in one pass.
    #[error("{0}")]
    Invalid(text::Issues),
}
