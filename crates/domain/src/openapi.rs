//! Schemas of the types that serialise as a string of their own format (a currency's code, a
//! month, a period, an account's name), for the web server's OpenAPI document.

use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use crate::ledger::Account;
use crate::{Currency, Month, Period};

fn string(description: &str, pattern: Option<&str>, example: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .pattern(pattern)
        .examples([example])
        .into()
}

impl PartialSchema for Currency {
    fn schema() -> RefOr<Schema> {
        string("An ISO 4217 currency code.", Some("^[A-Z]{3}$"), "USD")
    }
}
impl ToSchema for Currency {}

impl PartialSchema for Month {
    fn schema() -> RefOr<Schema> {
        string(
            "A month, `YYYY-MM`.",
            Some("^[0-9]{4}-[0-9]{2}$"),
            "2026-03",
        )
    }
}
impl ToSchema for Month {}

impl PartialSchema for Period {
    fn schema() -> RefOr<Schema> {
        string(
            "A month `YYYY-MM` or a quarter `YYYY-Qn`.",
            Some("^[0-9]{4}-([0-9]{2}|Q[1-4])$"),
            "2026-Q1",
        )
    }
}
impl ToSchema for Period {}

impl PartialSchema for Account {
    fn schema() -> RefOr<Schema> {
        string(
            "A ledger account's name, e.g. `expenses:services-received`, \
             `liabilities:payable:BC`, `assets:receivable:BC`.",
            None,
            "assets:receivable:BC",
        )
    }
}
impl ToSchema for Account {}
