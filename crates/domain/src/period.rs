//! Accounting periods: a month (`2026-03`) or a quarter (`2026-Q1`), and months for FX rates.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::DomainError;

/// Parses an ISO date `YYYY-MM-DD` exactly (ten characters), without the cost of a general
/// format parser: every delivery read or imported goes through here.
pub fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

/// A calendar month; the key of the monthly operational exchange rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn new(year: i32, month: u32) -> Result<Month, DomainError> {
        if !(1..=12).contains(&month) || !(1900..=2999).contains(&year) {
            return Err(DomainError::BadPeriod(format!("{year:04}-{month:02}")));
        }
        Ok(Month { year, month })
    }

    pub fn of(date: NaiveDate) -> Month {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn first_day(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid month")
    }

    pub fn last_day(&self) -> NaiveDate {
        self.next().first_day().pred_opt().expect("valid date")
    }

    pub fn next(&self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || DomainError::BadPeriod(s.to_string());
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year = y.parse().map_err(|_| bad())?;
        let month = m.parse().map_err(|_| bad())?;
        Month::new(year, month).map_err(|_| bad())
    }
}

impl Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A period that is closed: a month or a quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Month(Month),
    Quarter { year: i32, quarter: u32 },
}

impl Period {
    pub fn first_day(&self) -> NaiveDate {
        match self {
            Period::Month(m) => m.first_day(),
            Period::Quarter { year, quarter } => {
                NaiveDate::from_ymd_opt(*year, (quarter - 1) * 3 + 1, 1).expect("valid quarter")
            }
        }
    }

    pub fn last_day(&self) -> NaiveDate {
        match self {
            Period::Month(m) => m.last_day(),
            Period::Quarter { year, quarter } => Month {
                year: *year,
                month: quarter * 3,
            }
            .last_day(),
        }
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.first_day() <= date && date <= self.last_day()
    }

    /// The quarters of a year, in order.
    pub fn quarters(year: i32) -> [Period; 4] {
        [1, 2, 3, 4].map(|quarter| Period::Quarter { year, quarter })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Month(m) => m.fmt(f),
            Period::Quarter { year, quarter } => write!(f, "{year:04}-Q{quarter}"),
        }
    }
}

impl FromStr for Period {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            DomainError::BadPeriod(format!(
                "{s} (expected a month such as 2026-03 or a quarter such as 2026-Q1)"
            ))
        };
        if let Some((y, q)) = s.split_once("-Q") {
            let year: i32 = y.parse().map_err(|_| bad())?;
            let quarter: u32 = q.parse().map_err(|_| bad())?;
            if y.len() != 4 || !(1..=4).contains(&quarter) || !(1900..=2999).contains(&year) {
                return Err(bad());
            }
            return Ok(Period::Quarter { year, quarter });
        }
        s.parse::<Month>().map(Period::Month).map_err(|_| bad())
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_iso_dates_exactly() {
        assert_eq!(
            parse_iso_date("2026-02-28"),
            NaiveDate::from_ymd_opt(2026, 2, 28)
        );
        for bad in [
            "2026-02-30",
            "2026-2-28",
            "2026/02/28",
            "26-02-28",
            "2026-02-2x",
            "",
        ] {
            assert_eq!(parse_iso_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn parses_months_and_quarters() {
        let q: Period = "2026-Q1".parse().unwrap();
        assert_eq!(q.first_day(), NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        assert_eq!(q.last_day(), NaiveDate::from_ymd_opt(2026, 3, 31).unwrap());
        let m: Period = "2026-02".parse().unwrap();
        assert_eq!(m.last_day(), NaiveDate::from_ymd_opt(2026, 2, 28).unwrap());
        assert_eq!(m.to_string(), "2026-02");
        let q4: Period = "2026-Q4".parse().unwrap();
        assert_eq!(
            q4.last_day(),
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()
        );
        for bad in [
            "2026-13", "2026-Q5", "26-01", "2026-1", "2026", "2026-Q0", "",
        ] {
            assert!(bad.parse::<Period>().is_err(), "{bad}");
        }
    }
}
