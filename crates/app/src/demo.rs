//! The demo data set: the Minamata (MC) and BRS secretariats and UNEP's Chemicals and Health
//! Branch (CHB) sharing services in the 2026-2027 biennium.
//!
//! ILLUSTRATIVE FIGURES ONLY: the rates, ceilings, exchange rates and deliveries are invented
//! for demonstration and are not official figures of any secretariat.
//!
//! The data are files of `data/demo/` at the root of the repository, compiled in (so the
//! binary needs no file beside it), in the formats the importers read and parsed with the same
//! types:
//!
//! - `framework.json` — the reference data, as `synergies framework load` reads it;
//! - `agreements.json` — the agreements as drafts, as `synergies agreements import` reads them;
//! - `decisions.json` — which texts of `data/decisions/` the demo records, in which language
//!   and with which adoption date (MC-6/20's is illustrative: a day of the sixth meeting of the
//!   Conference of the Parties, Geneva, November 2025; the published text gives none);
//! - `mandate-links.json` — the paragraphs each agreement serves;
//! - `activities.json`, `training.json`, `task-force.json` — as the `import` commands of
//!   `activities`, `training` and `taskforce` read them;
//! - `delivery-patterns.json` — what each agreement delivers, from which the seeded generator
//!   of [`deliveries_csv`] draws the deliveries of 2026.
//!
//! What stays here is logic: the generator, and the steps [`seed`] takes through the same
//! services a user calls: the framework is saved, agreements follow their lifecycle (proposed,
//! approved by the heads), deliveries are imported from a CSV, accepted, and the four quarters
//! of 2026 are closed.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use synergies_domain::activity::Activity;
use synergies_domain::agreement::Agreement;
use synergies_domain::cooperation::TrainingEvent;
use synergies_domain::decision::Language;
use synergies_domain::model::Framework;
use synergies_domain::Period;
use synergies_store::Store;

use crate::close::close_period;
use crate::import::{import_deliveries, BytesSource, COLUMNS};
use crate::Actor;
use crate::{agreements, AppResult};

pub const LABEL: &str = "Illustrative demo figures, not official figures of any secretariat.";

/// Every file of the demo data set (`data/demo/`), by name, with its text.
pub const FILES: &[(&str, &str)] = &[
    (
        "framework.json",
        include_str!("../../../data/demo/framework.json"),
    ),
    (
        "agreements.json",
        include_str!("../../../data/demo/agreements.json"),
    ),
    (
        "decisions.json",
        include_str!("../../../data/demo/decisions.json"),
    ),
    (
        "mandate-links.json",
        include_str!("../../../data/demo/mandate-links.json"),
    ),
    (
        "activities.json",
        include_str!("../../../data/demo/activities.json"),
    ),
    (
        "task-force.json",
        include_str!("../../../data/demo/task-force.json"),
    ),
    (
        "training.json",
        include_str!("../../../data/demo/training.json"),
    ),
    (
        "delivery-patterns.json",
        include_str!("../../../data/demo/delivery-patterns.json"),
    ),
];

/// The texts of decisions (`data/decisions/`) that `decisions.json` may name.
pub const DECISION_TEXTS: &[(&str, &str)] = &[(
    "MC-6-20.fr.txt",
    include_str!("../../../data/decisions/MC-6-20.fr.txt"),
)];

/// The file `name` of the demo data set, read as `T`. The files are compiled in and read by
/// the tests: a file that does not read is a build mistake.
fn read<T: DeserializeOwned>(name: &str) -> T {
    let text = FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
        .unwrap_or_else(|| panic!("the demo has no file {name}"));
    serde_json::from_str(text).unwrap_or_else(|e| panic!("data/demo/{name} does not read: {e}"))
}

/// The reference data of the demo.
pub fn framework() -> Framework {
    read("framework.json")
}

/// The demo agreements, as drafts.
pub fn agreements() -> Vec<Agreement> {
    read("agreements.json")
}

/// A decision the demo records: the file of `data/decisions/` that holds its text, the text's
/// language and the day it was adopted.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoDecision {
    pub text: String,
    pub language: Language,
    #[serde(default)]
    pub adopted_on: Option<NaiveDate>,
}

impl DemoDecision {
    /// The decision's text, compiled in from `data/decisions/`.
    pub fn text(&self) -> &'static str {
        DECISION_TEXTS
            .iter()
            .find(|(name, _)| *name == self.text)
            .map(|(_, text)| *text)
            .unwrap_or_else(|| panic!("data/demo/decisions.json: no text {}", self.text))
    }
}

/// The decisions the demo records.
pub fn decisions() -> Vec<DemoDecision> {
    read("decisions.json")
}

/// A paragraph of a decision that an agreement serves.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MandateLink {
    pub agreement: String,
    pub mandate: String,
}

/// The paragraphs of MC-6/20 that each demo agreement serves: the purchase of services on a
/// cost-recovery basis (4(b)), cooperation under the task force (4(a)), and the joint
/// training (3).
pub fn mandate_links() -> Vec<MandateLink> {
    read("mandate-links.json")
}

/// The cooperation activities of 2026-2027 (two of them continue into 2028-2029). The joint
/// training is carried by JOINT-TRAIN-2026 (its charges are its actual cost) and the legal
/// advice by MC-BRS-2026-02 (still awaiting approval, so nothing charged yet).
pub fn activities() -> Vec<Activity> {
    read("activities.json")
}

/// The joint training session of 2026 (its cost is split by JOINT-TRAIN-2026).
pub fn training_events() -> Vec<TrainingEvent> {
    read("training.json")
}

/// The joint task force: members, two meetings and their action items.
pub fn task_force() -> crate::cooperation::TaskForce {
    read("task-force.json")
}

/// What a demo agreement delivers: the service, the grades and quantities each row draws
/// from, the rows of the year, and every how many rows one carries costs in Swiss francs
/// (0: none).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryPattern {
    pub agreement: String,
    pub service: String,
    #[serde(default)]
    pub grades: Vec<String>,
    pub quantities: Vec<String>,
    pub rows: u32,
    #[serde(default)]
    pub chf_expense_every: u32,
}

/// What each demo agreement delivers.
pub fn delivery_patterns() -> Vec<DeliveryPattern> {
    read("delivery-patterns.json")
}

fn date(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("demo date")
}

/// The head of `organisation` as the demo's approvals record them (`mc.head`).
fn head_of(organisation: &str) -> Actor {
    Actor::Person(synergies_domain::access::Principal {
        username: format!("{}.head", organisation.to_lowercase()),
        grants: vec![synergies_domain::access::Grant {
            role: synergies_domain::access::Role::Head,
            organisation: Some(organisation.to_string()),
        }],
    })
}

fn weekday_on_or_after(mut day: NaiveDate) -> NaiveDate {
    while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
        day += Duration::days(1);
    }
    day
}

/// The demo deliveries of 2026 (and a few of January 2027, not yet accepted) as import CSV,
/// drawn from [`delivery_patterns`] by a generator with a fixed seed.
pub fn deliveries_csv() -> Vec<u8> {
    let mut rng = SmallRng::seed_from_u64(20260101);
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record(COLUMNS).expect("in memory");
    for p in &delivery_patterns() {
        for i in 0..p.rows {
            // Spread the rows evenly over the year, on weekdays.
            let day = date(2026, 1, 5) + Duration::days(i64::from(i * 358 / p.rows));
            let day = weekday_on_or_after(day + Duration::days(rng.gen_range(0..3)));
            let day = day.min(date(2026, 12, 30));
            write_row(&mut w, p, i, day, &mut rng);
        }
        // January 2027: recorded, not yet accepted.
        if p.rows >= 24 {
            write_row(&mut w, p, p.rows, date(2027, 1, 12), &mut rng);
        }
    }
    w.into_inner().expect("in memory")
}

fn write_row(
    w: &mut csv::Writer<Vec<u8>>,
    p: &DeliveryPattern,
    i: u32,
    day: NaiveDate,
    rng: &mut SmallRng,
) {
    let grade = if p.grades.is_empty() {
        ""
    } else {
        p.grades[rng.gen_range(0..p.grades.len())].as_str()
    };
    let quantity = p.quantities[rng.gen_range(0..p.quantities.len())].as_str();
    let expense = p.chf_expense_every > 0 && i.is_multiple_of(p.chf_expense_every);
    let amount = if expense {
        // Travel or venue costs in Swiss francs, to the centime.
        Decimal::new(rng.gen_range(18_000..420_000), 2).to_string()
    } else {
        String::new()
    };
    let description = format!(
        "{} {}{}",
        p.service,
        day.format("%B %Y"),
        if expense {
            ", with Geneva costs in CHF"
        } else {
            ""
        }
    );
    let external_id = format!("{}-{:04}", p.service, i + 1);
    w.write_record([
        p.agreement.as_str(),
        p.service.as_str(),
        &day.to_string(),
        quantity,
        grade,
        &amount,
        if expense { "CHF" } else { "" },
        &description,
        &external_id,
    ])
    .expect("in memory");
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoReport {
    pub seeded: bool,
    pub label: &'static str,
    pub agreements: usize,
    pub deliveries: u64,
    pub closings: usize,
}

/// Seeds the demo data into an empty database. A database that already has data is left
/// alone (`seeded: false`).
pub fn seed(store: &dyn Store) -> AppResult<DemoReport> {
    store.migrate()?;
    if !store.is_empty()? {
        return Ok(DemoReport {
            seeded: false,
            label: LABEL,
            agreements: store.agreements()?.len(),
            deliveries: 0,
            closings: store.closings(None)?.len(),
        });
    }
    let demo = Actor::operator("demo");
    crate::reference::load_framework(store, &framework(), "demo", &demo)?;
    let drafts = agreements();
    for a in &drafts {
        agreements::create(store, &demo, a)?;
        agreements::propose(store, &demo, &a.code)?;
        agreements::approve(
            store,
            &head_of(&a.provider),
            &a.code,
            Some(&a.provider),
            date(2025, 12, 10),
        )?;
        if a.code == "MC-BRS-2026-02" {
            continue; // awaiting the BRS head's approval
        }
        for party in a.required_approvers(a.latest()) {
            if party != a.provider {
                agreements::approve(
                    store,
                    &head_of(&party),
                    &a.code,
                    Some(&party),
                    date(2025, 12, 15),
                )?;
            }
        }
    }
    for decision in decisions() {
        crate::decisions::import_decision(
            store,
            &decision.text,
            decision.text(),
            Some(decision.language),
            crate::decisions::Standing {
                status: None,
                adopted_on: decision.adopted_on,
            },
            &demo,
        )?;
    }
    for link in mandate_links() {
        crate::decisions::link_agreement(store, &link.agreement, &link.mandate, &demo)?;
    }
    crate::activities::import_activities(store, &activities(), &demo)?;
    crate::activities::plan(store, "2026-2027", "2028-2029", &demo)?;
    crate::cooperation::save_task_force(store, &task_force(), &demo)?;
    let csv = deliveries_csv();
    let imported = import_deliveries(
        store,
        &BytesSource {
            name: "demo-deliveries.csv",
            bytes: &csv,
        },
        &mut |_| {},
        &demo,
    )?;
    crate::cooperation::save_events(store, &training_events(), &demo)?;
    let mut closings = 0;
    for a in drafts.iter().filter(|a| a.code != "MC-BRS-2026-02") {
        crate::deliveries::accept(
            store,
            Some(&a.code),
            Some(date(2026, 12, 31)),
            date(2027, 1, 8),
            &demo,
        )?;
    }
    for (q, period) in Period::quarters(2026).into_iter().enumerate() {
        let posted_on = period.last_day() + Duration::days(10 + q as i64);
        closings += close_period(store, period, None, posted_on, &demo)?
            .posted
            .len();
    }
    Ok(DemoReport {
        seeded: true,
        label: LABEL,
        agreements: drafts.len(),
        deliveries: imported.inserted,
        closings,
    })
}
