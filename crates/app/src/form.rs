//! Reading what a person typed into a form or a request body: each helper names the field it
//! refuses, so that a page shows the problem beside it and the API returns it as `field`.

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use synergies_domain::period::parse_iso_date;
use synergies_domain::{Currency, Message};

use crate::{AppError, AppResult};

/// The trimmed value, or "this field is required".
pub fn required<'a>(field: &str, value: &'a str) -> AppResult<&'a str> {
    let v = value.trim();
    if v.is_empty() {
        Err(AppError::field(field, Message::new("error-required")))
    } else {
        Ok(v)
    }
}

/// An exact decimal, e.g. `812.50`.
pub fn decimal(field: &str, value: &str) -> AppResult<Decimal> {
    Decimal::from_str(value.trim()).map_err(|_| {
        AppError::field(
            field,
            Message::new("error-not-a-number").with("value", value),
        )
    })
}

/// A day, `YYYY-MM-DD`.
pub fn date(field: &str, value: &str) -> AppResult<NaiveDate> {
    parse_iso_date(value.trim()).ok_or_else(|| {
        AppError::field(field, Message::new("error-not-a-date").with("value", value))
    })
}

/// An ISO 4217 currency code.
pub fn currency(field: &str, value: &str) -> AppResult<Currency> {
    Currency::from_code(required(field, value)?).map_err(|e| AppError::field(field, e.to_string()))
}

/// A period: a month `2026-03`, a quarter `2026-Q1`, a half-year or a year.
pub fn period(field: &str, value: &str) -> AppResult<synergies_domain::Period> {
    synergies_domain::Period::from_str(required(field, value)?)
        .map_err(|e| AppError::field(field, e.to_string()))
}
