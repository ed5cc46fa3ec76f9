//! Money: an integer count of minor units with an ISO 4217 code (rule 1), exact amounts
//! before rounding, and the one rounding rule of the brief: half to even.

use std::fmt;
use std::str::FromStr;

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive, Zero};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::DomainError;

/// An ISO 4217 currency code with its number of minor-unit digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: [u8; 3],
    exponent: u8,
}

/// The currencies Synergies knows, with their minor-unit digits (ISO 4217).
/// The UN operational rates cover more; adding one is adding a line here.
const KNOWN: &[(&str, u8)] = &[
    ("USD", 2),
    ("EUR", 2),
    ("CHF", 2),
    ("GBP", 2),
    ("JPY", 0),
    ("KES", 2),
    ("CAD", 2),
    ("SEK", 2),
    ("NOK", 2),
    ("DKK", 2),
    ("AUD", 2),
    ("CNY", 2),
    ("RUB", 2),
    ("BRL", 2),
    ("ZAR", 2),
    ("INR", 2),
    ("KWD", 3),
    ("BHD", 3),
    ("XOF", 0),
    ("THB", 2),
    ("PAB", 2),
    ("UYU", 2),
];

impl Currency {
    pub const USD: Currency = Currency {
        code: *b"USD",
        exponent: 2,
    };

    /// Looks up an ISO 4217 code (upper case, three letters).
    pub fn from_code(code: &str) -> Result<Currency, DomainError> {
        KNOWN
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(c, e)| {
                let b = c.as_bytes();
                Currency {
                    code: [b[0], b[1], b[2]],
                    exponent: *e,
                }
            })
            .ok_or_else(|| DomainError::UnknownCurrency(code.to_string()))
    }

    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.code).expect("currency codes are ASCII")
    }

    /// Number of minor-unit digits (2 for USD, 0 for JPY, 3 for KWD).
    pub fn exponent(&self) -> u32 {
        u32::from(self.exponent)
    }

    /// Minor units in one major unit (100 for USD).
    pub fn minor_per_major(&self) -> i64 {
        10_i64.pow(self.exponent())
    }

    /// Converts a decimal amount in major units to minor units, refusing more digits than
    /// the currency has (an expense of 10.005 USD is an input error, not something to round).
    pub fn to_minor(&self, major: Decimal) -> Result<i64, DomainError> {
        let scaled = major * Decimal::from(self.minor_per_major());
        if scaled.fract() != Decimal::ZERO {
            return Err(DomainError::TooManyDigits {
                amount: major.to_string(),
                currency: self.code().to_string(),
                digits: self.exponent(),
            });
        }
        scaled.to_i64().ok_or(DomainError::Overflow)
    }

    /// The decimal amount in major units of a count of minor units.
    pub fn to_major(&self, minor: i64) -> Decimal {
        Decimal::from_i128_with_scale(i128::from(minor), self.exponent())
    }

    /// `1234.50`-style text of a count of minor units (always the currency's digits).
    pub fn format_minor(&self, minor: i64) -> String {
        let d = self.to_major(minor);
        format!("{:.*}", self.exponent() as usize, d)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::from_code(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Currency::from_code(&s).map_err(serde::de::Error::custom)
    }
}

/// An amount of money: minor units and currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}",
            self.currency.format_minor(self.minor),
            self.currency
        )
    }
}

/// An exact decimal as a rational number.
pub fn decimal_to_rational(d: Decimal) -> BigRational {
    let mantissa = BigInt::from(d.mantissa());
    let denom = BigInt::from(10).pow(d.scale());
    BigRational::new(mantissa, denom)
}

/// Rounds an exact rational to the nearest integer, ties to the even neighbour.
pub fn round_half_even(x: &BigRational) -> BigInt {
    let (q, r) = x.numer().div_mod_floor(x.denom());
    // 0 <= r < denom (denom is positive in a normalised BigRational).
    let twice: BigInt = &r * BigInt::from(2);
    match twice.cmp(x.denom()) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal => {
            if q.is_even() {
                q
            } else {
                q + 1
            }
        }
    }
}

/// Rounds an exact amount in major units to minor units of `currency`, half to even.
pub fn round_to_minor(major: &BigRational, currency: Currency) -> Result<i64, DomainError> {
    let scaled = major * BigRational::from_integer(BigInt::from(currency.minor_per_major()));
    round_half_even(&scaled)
        .to_i64()
        .ok_or(DomainError::Overflow)
}

/// Rounds `minor × rate` to minor units, half to even (PSC on a direct cost, rule 4).
pub fn apply_rate(minor: i64, rate: Decimal) -> Result<i64, DomainError> {
    let exact = BigRational::from_integer(BigInt::from(minor)) * decimal_to_rational(rate);
    round_half_even(&exact)
        .to_i64()
        .ok_or(DomainError::Overflow)
}

/// Text of an exact rational for display and storage of unrounded figures: exact when the
/// value is a finite decimal, otherwise `numerator/denominator`.
pub fn rational_text(x: &BigRational) -> String {
    if x.is_zero() {
        return "0".to_string();
    }
    // A finite decimal has a denominator of the form 2^a 5^b.
    let mut d = x.denom().clone();
    let two = BigInt::from(2);
    let five = BigInt::from(5);
    let mut twos = 0u32;
    let mut fives = 0u32;
    while (&d % &two).is_zero() {
        d /= &two;
        twos += 1;
    }
    while (&d % &five).is_zero() {
        d /= &five;
        fives += 1;
    }
    if d == BigInt::from(1) {
        let scale = twos.max(fives);
        let scaled = x * BigRational::from_integer(BigInt::from(10).pow(scale));
        let n = scaled.to_integer();
        let neg = n.is_negative();
        let digits = n.abs().to_string();
        let scale = scale as usize;
        let padded = if digits.len() <= scale {
            format!("{}{}", "0".repeat(scale + 1 - digits.len()), digits)
        } else {
            digits
        };
        let (int, frac) = padded.split_at(padded.len() - scale);
        let sign = if neg { "-" } else { "" };
        if frac.is_empty() {
            format!("{sign}{int}")
        } else {
            format!("{sign}{int}.{frac}")
        }
    } else {
        format!("{}/{}", x.numer(), x.denom())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros_free::dec;

    mod rust_decimal_macros_free {
        macro_rules! dec {
            ($s:literal) => {
                <rust_decimal::Decimal as std::str::FromStr>::from_str($s).unwrap()
            };
        }
        pub(crate) use dec;
    }

    fn r(s: &str) -> BigRational {
        decimal_to_rational(Decimal::from_str(s).unwrap())
    }

    #[test]
    fn half_to_even_on_exact_halves() {
        assert_eq!(round_half_even(&r("0.5")), BigInt::from(0));
        assert_eq!(round_half_even(&r("1.5")), BigInt::from(2));
        assert_eq!(round_half_even(&r("2.5")), BigInt::from(2));
        assert_eq!(round_half_even(&r("-0.5")), BigInt::from(0));
        assert_eq!(round_half_even(&r("-1.5")), BigInt::from(-2));
        assert_eq!(round_half_even(&r("2.5000001")), BigInt::from(3));
        assert_eq!(round_half_even(&r("-2.4999999")), BigInt::from(-2));
    }

    #[test]
    fn half_cent_rounds_to_even_cent() {
        // 0.125 USD = 12.5 cents -> 12; 0.135 USD = 13.5 cents -> 14.
        assert_eq!(round_to_minor(&r("0.125"), Currency::USD).unwrap(), 12);
        assert_eq!(round_to_minor(&r("0.135"), Currency::USD).unwrap(), 14);
        let jpy = Currency::from_code("JPY").unwrap();
        assert_eq!(round_to_minor(&r("10.5"), jpy).unwrap(), 10);
    }

    #[test]
    fn psc_is_rounded_half_even() {
        // 13% of 12.50 USD = 1.625 USD = 162.5 cents -> 162.
        assert_eq!(apply_rate(1250, dec!("0.13")).unwrap(), 162);
        // 13% of 12.65 = 1.6445 -> 164.45 cents -> 164.
        assert_eq!(apply_rate(1265, dec!("0.13")).unwrap(), 164);
    }

    #[test]
    fn minor_units_refuse_extra_digits() {
        assert_eq!(Currency::USD.to_minor(dec!("10.05")).unwrap(), 1005);
        assert!(Currency::USD.to_minor(dec!("10.005")).is_err());
        assert_eq!(Currency::USD.format_minor(-5), "-0.05");
        assert_eq!(Currency::USD.format_minor(123456), "1234.56");
        assert!(Currency::from_code("XXX").is_err());
    }

    #[test]
    fn rational_text_is_exact() {
        assert_eq!(rational_text(&r("12.125")), "12.125");
        assert_eq!(rational_text(&r("-0.05")), "-0.05");
        let third = BigRational::new(BigInt::from(1), BigInt::from(3));
        assert_eq!(rational_text(&third), "1/3");
    }
}
