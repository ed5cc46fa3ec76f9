//! Training of chairs and potential negotiators, and the joint task force of MC, BRS and CHB.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::text::{Issues, TextKind};
use crate::DomainError;

/// The United Nations regional groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

    /// The group's English name.
    pub fn label(&self) -> &'static str {
        match self {
            RegionalGroup::African => "African",
            RegionalGroup::AsiaPacific => "Asia-Pacific",
            RegionalGroup::EasternEuropean => "Eastern European",
            RegionalGroup::LatinAmericanCaribbean => "Latin American and Caribbean",
            RegionalGroup::WesternEuropeanOthers => "Western European and Others",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Gender {
    Female,
    Male,
    Other,
}

impl Gender {
    pub const ALL: [Gender; 3] = [Gender::Female, Gender::Male, Gender::Other];
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// Checks the event's own consistency, every problem at once: the text of its fields,
    /// its dates, each participant's country (a UN member state by its ISO 3166-1 alpha-2
    /// code) and regional group (the country's), and contributions that are not negative.
    pub fn validate(&self) -> Result<(), DomainError> {
        self.issues().into_result()
    }

    /// What [`TrainingEvent::validate`] refuses, as a list.
    pub fn issues(&self) -> Issues {
        let mut i = Issues::new();
        let r = format!("event {}", self.code);
        i.text(&r, "code", TextKind::Code, &self.code);
        i.required(&r, "title", TextKind::Name, &self.title);
        i.each(&r, "bodies", TextKind::Name, &self.bodies);
        if let Some(p) = &self.place {
            i.text(&r, "place", TextKind::Name, p);
        }
        if let Some(a) = &self.agreement {
            i.text(&r, "agreement", TextKind::Code, a);
        }
        if self.end < self.start {
            i.push(&r, "end", "it ends before it starts");
        }
        for (n, p) in self.participants.iter().enumerate() {
            let pr = format!("{r}: participant {}", n + 1);
            i.text(&pr, "role", TextKind::Code, &p.role);
            if let Err(why) = crate::country::check_country(&p.country, p.region) {
                i.push(&pr, "country", why);
            }
        }
        for c in &self.contributions {
            let cr = format!("{r}: contribution of {}", c.organisation);
            i.text(&cr, "organisation", TextKind::Code, &c.organisation);
            if c.amount_minor < 0 || c.staff_days.is_sign_negative() {
                i.push(&cr, "", "a contribution cannot be negative");
            }
        }
        i
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskForceMember {
    pub name: String,
    pub organisation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskForceMeeting {
    pub code: String,
    pub date: NaiveDate,
    pub attendees: Vec<String>,
    pub minutes: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionItem {
    pub code: String,
    pub title: String,
    pub owner: String,
    pub due: NaiveDate,
    pub status: ActionStatus,
    pub meeting: Option<String>,
    pub activity: Option<String>,
}

impl TaskForceMember {
    /// The text of its fields.
    pub fn issues(&self) -> Issues {
        let mut i = Issues::new();
        let r = format!("member {}", self.name);
        i.required(&r, "name", TextKind::Name, &self.name);
        i.text(&r, "organisation", TextKind::Code, &self.organisation);
        i
    }
}

impl TaskForceMeeting {
    /// The text of its fields.
    pub fn issues(&self) -> Issues {
        let mut i = Issues::new();
        let r = format!("meeting {}", self.code);
        i.text(&r, "code", TextKind::Code, &self.code);
        i.each(&r, "attendees", TextKind::Code, &self.attendees);
        i.text(&r, "minutes", TextKind::Text, &self.minutes);
        i
    }
}

impl ActionItem {
    /// The text of its fields.
    pub fn issues(&self) -> Issues {
        let mut i = Issues::new();
        let r = format!("action item {}", self.code);
        i.text(&r, "code", TextKind::Code, &self.code);
        i.required(&r, "title", TextKind::Name, &self.title);
        i.required(&r, "owner", TextKind::Name, &self.owner);
        if let Some(m) = &self.meeting {
            i.text(&r, "meeting", TextKind::Code, m);
        }
        if let Some(a) = &self.activity {
            i.text(&r, "activity", TextKind::Code, a);
        }
        i
    }
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
        e.participants[0].country = "ZZ".into();
        assert!(e.validate().is_err());
        e.participants[0].country = "KE".into();
        e.participants[0].region = RegionalGroup::AsiaPacific;
        let why = e.validate().unwrap_err().to_string();
        assert!(
            why.contains("Kenya (KE) belongs to the African group"),
            "{why}"
        );
        e.participants[0].region = RegionalGroup::African;
        e.title = "x".repeat(40_000);
        e.participants[1].country = "ZZ".into();
        let why = e.validate().unwrap_err().to_string();
        assert!(
            why.contains("title") && why.contains("participant 2"),
            "{why}"
        );
    }
}
