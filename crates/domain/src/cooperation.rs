//! Training of chairs and potential negotiators, and the joint task force of MC, BRS and CHB.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::DomainError;

/// The United Nations regional groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionalGroup {
    African,
    AsiaPacific,
    EasternEuropean,
    LatinAmericanCaribbean,
    WesternEuropeanOthers,
}

impl RegionalGroup {
    pub const ALL: [RegionalGroup; 5] = [
        RegionalGroup::African,
        RegionalGroup::AsiaPacific,
        RegionalGroup::EasternEuropean,
        RegionalGroup::LatinAmericanCaribbean,
        RegionalGroup::WesternEuropeanOthers,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Female,
    Male,
    Other,
}

impl Gender {
    pub const ALL: [Gender; 3] = [Gender::Female, Gender::Male, Gender::Other];
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trainee {
    /// ISO 3166-1 alpha-2 code of the country, such as `KE`.
    pub country: String,
    pub region: RegionalGroup,
    pub gender: Gender,
    /// `chair`, `vice_chair`, `potential_negotiator`, …
    pub role: String,
}

/// What one organisation puts into a training event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventContribution {
    pub organisation: String,
    #[serde(default)]
    pub staff_days: Decimal,
    /// Money in minor units of the event's currency.
    #[serde(default)]
    pub amount_minor: i64,
}

/// A training session for chairs and potential negotiators of the bodies' meetings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainingEvent {
    pub code: String,
    pub title: String,
    /// The bodies whose meetings the participants prepare for (`MC COP-7`, `BRS COPs 2027`).
    pub bodies: Vec<String>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Where it takes place; `None` for an online event.
    pub place: Option<String>,
    /// The sharing agreement that splits its cost, if any.
    pub agreement: Option<String>,
    pub participants: Vec<Trainee>,
    pub contributions: Vec<EventContribution>,
}

impl TrainingEvent {
    /// Checks the event's own consistency.
    pub fn validate(&self) -> Result<(), DomainError> {
        let bad = |why: String| {
            Err(DomainError::Agreement(format!(
                "event {}: {why}",
                self.code
            )))
        };
        if self.end < self.start {
            return bad("it ends before it starts".into());
        }
        for p in &self.participants {
            let c = p.country.as_bytes();
            if c.len() != 2 || !c.iter().all(u8::is_ascii_uppercase) {
                return bad(format!(
                    "{:?} is not an ISO 3166 country code (two capital letters, such as KE)",
                    p.country
                ));
            }
        }
        if self
            .contributions
            .iter()
            .any(|c| c.amount_minor < 0 || c.staff_days.is_sign_negative())
        {
            return bad("a contribution cannot be negative".into());
        }
        Ok(())
    }

    /// Participants per regional group and gender.
    pub fn by_region_and_gender(&self) -> BTreeMap<(RegionalGroup, Gender), u32> {
        let mut out = BTreeMap::new();
        for p in &self.participants {
            *out.entry((p.region, p.gender)).or_insert(0) += 1;
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskForceMember {
    pub name: String,
    pub organisation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskForceMeeting {
    pub code: String,
    pub date: NaiveDate,
    pub attendees: Vec<String>,
    pub minutes: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    Open,
    Done,
    Cancelled,
}

impl ActionStatus {
    pub const ALL: [ActionStatus; 3] = [
        ActionStatus::Open,
        ActionStatus::Done,
        ActionStatus::Cancelled,
    ];

    pub fn parse(s: &str) -> Option<ActionStatus> {
        match s {
            "open" => Some(ActionStatus::Open),
            "done" => Some(ActionStatus::Done),
            "cancelled" => Some(ActionStatus::Cancelled),
            _ => None,
        }
    }
}

/// An action item of the task force, linked to the meeting that agreed it and the activity
/// it serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionItem {
    pub code: String,
    pub title: String,
    pub owner: String,
    pub due: NaiveDate,
    pub status: ActionStatus,
    pub meeting: Option<String>,
    pub activity: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn participants_are_counted_by_region_and_gender_and_codes_checked() {
        let t = |country: &str, region, gender| Trainee {
            country: country.into(),
            region,
            gender,
            role: "potential_negotiator".into(),
        };
        let mut e = TrainingEvent {
            code: "T1".into(),
            title: "Training".into(),
            bodies: vec!["MC COP-7".into()],
            start: NaiveDate::from_ymd_opt(2026, 10, 5).unwrap(),
            end: NaiveDate::from_ymd_opt(2026, 10, 7).unwrap(),
            place: Some("Geneva".into()),
            agreement: None,
            participants: vec![
                t("KE", RegionalGroup::African, Gender::Female),
                t("SN", RegionalGroup::African, Gender::Female),
                t("PE", RegionalGroup::LatinAmericanCaribbean, Gender::Male),
            ],
            contributions: vec![],
        };
        e.validate().unwrap();
        let counts = e.by_region_and_gender();
        assert_eq!(counts[&(RegionalGroup::African, Gender::Female)], 2);
        assert_eq!(
            counts[&(RegionalGroup::LatinAmericanCaribbean, Gender::Male)],
            1
        );
        e.participants[0].country = "Kenya".into();
        assert!(e.validate().is_err());
    }
}
