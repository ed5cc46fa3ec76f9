//! The demo data set: the Minamata (MC) and BRS secretariats and UNEP's Chemicals and Health
//! Branch (CHB) sharing services in the 2026-2027 biennium.
//!
//! ILLUSTRATIVE FIGURES ONLY: the rates, ceilings, exchange rates and deliveries are invented
//! for demonstration and are not official figures of any secretariat.
//!
//! The data go in through the same services a user calls: the framework is saved, agreements
//! follow their lifecycle (proposed, approved by both heads), deliveries are imported from a
//! CSV, accepted, and the four quarters of 2026 are closed.

use std::str::FromStr;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use synergies_domain::activity::{
    Activity, ActivityCategory, ActivityStatus, Contribution, FundingStatus, StaffTime,
};
use synergies_domain::agreement::{
    Agreement, AgreementKind, AgreementLine, Participant, ShareKey, Terms,
};
use synergies_domain::cooperation::TrainingEvent;
use synergies_domain::model::*;
use synergies_domain::{Currency, Month, Period};
use synergies_store::Store;

use crate::close::close_period;
use crate::import::{import_deliveries, BytesSource, COLUMNS};
use crate::Actor;
use crate::{agreements, AppResult};

/// The French text of decision MC-6/20, as the Conference of the Parties adopted it.
const MC_6_20_FR: &str = include_str!("../../../data/decisions/MC-6-20.fr.txt");

pub const LABEL: &str = "Illustrative demo figures, not official figures of any secretariat.";

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("demo decimal")
}

fn date(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("demo date")
}

fn org(code: &str, name: &str) -> Organisation {
    Organisation {
        code: code.into(),
        name: name.into(),
    }
}

fn fund(code: &str, name: &str, convention: &str, organisation: &str, kind: FundKind) -> Fund {
    Fund {
        code: code.into(),
        name: name.into(),
        convention: convention.into(),
        organisation: organisation.into(),
        kind,
    }
}

fn service(
    code: &str,
    name: &str,
    provider: &str,
    category: ServiceCategory,
    unit: Unit,
) -> Service {
    Service {
        code: code.into(),
        name: name.into(),
        provider: provider.into(),
        category,
        unit,
    }
}

/// The reference data of the demo.
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

pub fn framework() -> Framework {
    let usd = Currency::USD;
    let mut f = Framework {
        organisations: vec![
            org("MC", "Secretariat of the Minamata Convention on Mercury"),
            org(
                "BRS",
                "Secretariat of the Basel, Rotterdam and Stockholm Conventions",
            ),
            org("CHB", "UNEP Chemicals and Health Branch"),
        ],
        conventions: vec![
            Convention {
                code: "MINAMATA".into(),
                name: "Minamata Convention on Mercury".into(),
                organisation: "MC".into(),
            },
            Convention {
                code: "BASEL".into(),
                name: "Basel Convention".into(),
                organisation: "BRS".into(),
            },
            Convention {
                code: "ROTTERDAM".into(),
                name: "Rotterdam Convention".into(),
                organisation: "BRS".into(),
            },
            Convention {
                code: "STOCKHOLM".into(),
                name: "Stockholm Convention".into(),
                organisation: "BRS".into(),
            },
        ],
        funds: vec![
            fund(
                "MCGTF",
                "Minamata General Trust Fund",
                "MINAMATA",
                "MC",
                FundKind::General,
            ),
            fund(
                "MCSTF",
                "Minamata Special Trust Fund",
                "MINAMATA",
                "MC",
                FundKind::Special,
            ),
            fund(
                "MCSIP",
                "Specific Trust Fund of the Specific International Programme",
                "MINAMATA",
                "MC",
                FundKind::SpecificProgramme,
            ),
            fund(
                "BC",
                "Basel Convention General Trust Fund",
                "BASEL",
                "BRS",
                FundKind::General,
            ),
            fund(
                "RC",
                "Rotterdam Convention General Trust Fund",
                "ROTTERDAM",
                "BRS",
                FundKind::General,
            ),
            fund(
                "SC",
                "Stockholm Convention General Trust Fund",
                "STOCKHOLM",
                "BRS",
                FundKind::General,
            ),
            fund(
                "BD",
                "Basel Convention Voluntary Trust Fund",
                "BASEL",
                "BRS",
                FundKind::Voluntary,
            ),
            fund(
                "RV",
                "Rotterdam Convention Voluntary Trust Fund",
                "ROTTERDAM",
                "BRS",
                FundKind::Voluntary,
            ),
            fund(
                "SV",
                "Stockholm Convention Voluntary Trust Fund",
                "STOCKHOLM",
                "BRS",
                FundKind::Voluntary,
            ),
        ],
        bienniums: vec![
            Biennium {
                code: "2026-2027".into(),
                start: date(2026, 1, 1),
                end: date(2027, 12, 31),
                status: BienniumStatus::Open,
            },
            Biennium {
                code: "2028-2029".into(),
                start: date(2028, 1, 1),
                end: date(2029, 12, 31),
                status: BienniumStatus::Planning,
            },
        ],
        services: vec![
            service(
                "MC-LEGAL",
                "Legal advice",
                "MC",
                ServiceCategory::Legal,
                Unit::StaffDay,
            ),
            service(
                "MC-ADMIN",
                "Administrative and finance services",
                "MC",
                ServiceCategory::AdministrationFinance,
                Unit::StaffDay,
            ),
            service(
                "MC-TA",
                "Technical assistance on mercury wastes",
                "MC",
                ServiceCategory::TechnicalAssistance,
                Unit::StaffDay,
            ),
            service(
                "MC-IT",
                "IT and web support",
                "MC",
                ServiceCategory::ItWeb,
                Unit::StaffHour,
            ),
            service(
                "MC-COMMS",
                "Communications and outreach material",
                "MC",
                ServiceCategory::Communications,
                Unit::Page,
            ),
            service(
                "BRS-CONF",
                "Conference servicing",
                "BRS",
                ServiceCategory::ConferenceServicing,
                Unit::StaffDay,
            ),
            service(
                "BRS-MEET",
                "Meeting facilities and interpretation",
                "BRS",
                ServiceCategory::ConferenceServicing,
                Unit::MeetingDay,
            ),
            service(
                "BRS-KM",
                "Knowledge and information management",
                "BRS",
                ServiceCategory::KnowledgeManagement,
                Unit::StaffDay,
            ),
            service(
                "BRS-WEB",
                "Web platform hosting",
                "BRS",
                ServiceCategory::ItWeb,
                Unit::Month,
            ),
            service(
                "BRS-TRAIN",
                "Joint training session for chairs and potential negotiators",
                "BRS",
                ServiceCategory::Training,
                Unit::LumpSum,
            ),
        ],
        ..Default::default()
    };
    for provider in ["MC", "BRS"] {
        for biennium in ["2026-2027", "2028-2029"] {
            f.rate_cards.push(RateCard {
                provider: provider.into(),
                biennium: biennium.into(),
                currency: usd,
                psc_rate: d("0.13"),
            });
        }
    }
    // Daily standard staff costs by grade, with a revision from 1 July 2026.
    let grades: [(&str, &str, &str, &str, &str); 5] = [
        // grade, MC Jan, MC Jul, BRS Jan, BRS Jul
        ("P-5", "1050.00", "1086.75", "1080.00", "1112.40"),
        ("P-4", "900.00", "931.50", "920.00", "947.60"),
        ("P-3", "760.00", "786.60", "780.00", "803.40"),
        ("P-2", "620.00", "641.70", "640.00", "659.20"),
        ("G-6", "480.00", "496.80", "500.00", "515.00"),
    ];
    let mut rate = |provider: &str, key: RateKey, unit: Unit, from: NaiveDate, amount: &str| {
        f.rates.push(Rate {
            provider: provider.into(),
            biennium: "2026-2027".into(),
            key,
            unit,
            effective_from: from,
            amount: d(amount),
            currency: usd,
        })
    };
    let jan = date(2026, 1, 1);
    let jul = date(2026, 7, 1);
    for (g, mc1, mc2, brs1, brs2) in grades {
        let key = || RateKey::Grade(g.to_string());
        rate("MC", key(), Unit::StaffDay, jan, mc1);
        rate("MC", key(), Unit::StaffDay, jul, mc2);
        rate("BRS", key(), Unit::StaffDay, jan, brs1);
        rate("BRS", key(), Unit::StaffDay, jul, brs2);
    }
    for (g, h1, h2) in [("P-3", "101.35", "104.88"), ("G-6", "64.00", "66.24")] {
        rate("MC", RateKey::Grade(g.into()), Unit::StaffHour, jan, h1);
        rate("MC", RateKey::Grade(g.into()), Unit::StaffHour, jul, h2);
    }
    let unit_rates = [
        ("MC", "MC-COMMS", Unit::Page, "45.00"),
        ("BRS", "BRS-MEET", Unit::MeetingDay, "4850.00"),
        ("BRS", "BRS-WEB", Unit::Month, "3200.00"),
        ("BRS", "BRS-TRAIN", Unit::LumpSum, "12000.00"),
    ];
    for (p, s, unit, amount) in unit_rates {
        rate(p, RateKey::Service(s.into()), unit, jan, amount);
    }
    // The 2028-2029 rate cards (in planning): the July 2026 rates plus 4 %, to the cent.
    let next = date(2028, 1, 1);
    for (g, _, mc2, _, brs2) in grades {
        for (provider, base) in [("MC", mc2), ("BRS", brs2)] {
            let amount = (d(base) * d("1.04")).round_dp(2);
            f.rates.push(Rate {
                provider: provider.into(),
                biennium: "2028-2029".into(),
                key: RateKey::Grade(g.to_string()),
                unit: Unit::StaffDay,
                effective_from: next,
                amount,
                currency: usd,
            });
        }
    }
    // Monthly operational rates (units per USD) for every month of the biennium.
    let chf = Currency::from_code("CHF").expect("CHF");
    let eur = Currency::from_code("EUR").expect("EUR");
    for i in 0..24u32 {
        let month = Month::new(2026 + (i / 12) as i32, i % 12 + 1).expect("month");
        let wobble = Decimal::new(((i * 7) % 11) as i64 * 17, 4);
        f.fx_rates.push(FxRate {
            currency: chf,
            month,
            per_usd: d("0.8712") + wobble,
        });
        f.fx_rates.push(FxRate {
            currency: eur,
            month,
            per_usd: d("0.9184") - wobble,
        });
    }
    let budget = [
        (
            "MCGTF",
            "2",
            "Conference of the Parties and subsidiary bodies",
            185_000_000,
            "900",
        ),
        (
            "MCGTF",
            "9",
            "Cooperation with the BRS Secretariat",
            42_000_000,
            "260",
        ),
        (
            "MCSTF",
            "3",
            "Participation of developing countries and capacity-building",
            96_000_000,
            "120",
        ),
        (
            "BC",
            "1",
            "Conference of the Parties (COP-17)",
            210_000_000,
            "1100",
        ),
        (
            "BC",
            "28",
            "Overall management, including cooperation with MC",
            64_000_000,
            "380",
        ),
        (
            "RC",
            "1",
            "Conference of the Parties (COP-12)",
            150_000_000,
            "800",
        ),
        (
            "SC",
            "25",
            "Knowledge and information management",
            78_000_000,
            "420",
        ),
    ];
    for (fund, activity, title, amount, days) in budget {
        f.budget_lines.push(BudgetLine {
            fund: fund.into(),
            biennium: "2026-2027".into(),
            activity: activity.into(),
            title: title.into(),
            currency: usd,
            amount_minor: amount,
            staff_days: d(days),
        });
    }
    f
}

fn line(service: &str, quantity: &str) -> AgreementLine {
    AgreementLine {
        service: service.into(),
        estimated_quantity: d(quantity),
    }
}

fn payer(organisation: &str, fund: &str, weight: &str) -> Participant {
    Participant {
        organisation: organisation.into(),
        fund: fund.into(),
        weight: d(weight),
    }
}

/// The demo agreements, as drafts.
pub fn agreements() -> Vec<Agreement> {
    let usd = Currency::USD;
    let purchase = |ceiling: i64, lines: Vec<AgreementLine>, p: Participant| Terms {
        ceiling_minor: ceiling,
        psc_rate: d("0.13"),
        lines,
        participants: vec![p],
        share_key: ShareKey::Fixed,
        note: String::new(),
    };
    vec![
        Agreement::draft(
            "MC-BRS-2026-01",
            "Secretariat services of the Minamata secretariat to the BRS Secretariat",
            AgreementKind::Purchase,
            "MC",
            "MCGTF",
            "2026-2027",
            usd,
            purchase(
                60_000_000,
                vec![
                    line("MC-LEGAL", "60"),
                    line("MC-ADMIN", "120"),
                    line("MC-TA", "40"),
                    line("MC-IT", "300"),
                ],
                payer("BRS", "BC", "1"),
            ),
        ),
        Agreement::draft(
            "BRS-MC-2026-01",
            "Conference servicing for the Minamata Conference of the Parties",
            AgreementKind::Purchase,
            "BRS",
            "BC",
            "2026-2027",
            usd,
            purchase(
                70_000_000,
                vec![line("BRS-CONF", "150"), line("BRS-MEET", "12")],
                payer("MC", "MCGTF", "1"),
            ),
        ),
        Agreement::draft(
            "BRS-MC-2026-02",
            "Knowledge and information management and web services",
            AgreementKind::Purchase,
            "BRS",
            "SC",
            "2026-2027",
            usd,
            purchase(
                30_000_000,
                vec![line("BRS-KM", "80"), line("BRS-WEB", "24")],
                payer("MC", "MCGTF", "1"),
            ),
        ),
        Agreement::draft(
            "JOINT-TRAIN-2026",
            "Joint training of chairs and potential negotiators",
            AgreementKind::Sharing,
            "BRS",
            "BC",
            "2026-2027",
            usd,
            Terms {
                ceiling_minor: 10_000_000,
                psc_rate: Decimal::ZERO,
                lines: vec![line("BRS-TRAIN", "2"), line("BRS-CONF", "20")],
                participants: vec![payer("BRS", "BC", "30"), payer("MC", "MCSTF", "18")],
                share_key: ShareKey::Driver {
                    driver: "participants".into(),
                },
                note: "Split by the number of participants each secretariat sponsors.".into(),
            },
        ),
        Agreement::draft(
            "MC-BRS-2026-02",
            "Legal advice on mercury wastes (technical guidelines)",
            AgreementKind::Purchase,
            "MC",
            "MCGTF",
            "2026-2027",
            usd,
            purchase(
                4_500_000,
                vec![line("MC-LEGAL", "40")],
                payer("BRS", "BD", "1"),
            ),
        ),
    ]
}

/// What each demo agreement delivers: (service, grade, quantities to draw from, rows per year).
struct Pattern {
    agreement: &'static str,
    service: &'static str,
    grades: &'static [&'static str],
    quantities: &'static [&'static str],
    rows: u32,
    chf_expense_every: u32,
}

const PATTERNS: &[Pattern] = &[
    Pattern {
        agreement: "MC-BRS-2026-01",
        service: "MC-LEGAL",
        grades: &["P-5", "P-4", "P-3"],
        quantities: &["0.5", "1", "1.5", "2"],
        rows: 30,
        chf_expense_every: 0,
    },
    Pattern {
        agreement: "MC-BRS-2026-01",
        service: "MC-ADMIN",
        grades: &["P-3", "G-6"],
        quantities: &["0.25", "0.5", "1", "2"],
        rows: 36,
        chf_expense_every: 0,
    },
    Pattern {
        agreement: "MC-BRS-2026-01",
        service: "MC-TA",
        grades: &["P-4", "P-3"],
        quantities: &["1", "2", "3"],
        rows: 12,
        chf_expense_every: 3,
    },
    Pattern {
        agreement: "MC-BRS-2026-01",
        service: "MC-IT",
        grades: &["P-3", "G-6"],
        quantities: &["1.5", "2", "3.75", "6"],
        rows: 24,
        chf_expense_every: 0,
    },
    Pattern {
        agreement: "BRS-MC-2026-01",
        service: "BRS-CONF",
        grades: &["P-4", "P-3", "P-2", "G-6"],
        quantities: &["0.5", "1", "2", "2.5"],
        rows: 48,
        chf_expense_every: 6,
    },
    Pattern {
        agreement: "BRS-MC-2026-01",
        service: "BRS-MEET",
        grades: &[],
        quantities: &["1", "2"],
        rows: 6,
        chf_expense_every: 2,
    },
    Pattern {
        agreement: "BRS-MC-2026-02",
        service: "BRS-KM",
        grades: &["P-4", "P-3", "G-6"],
        quantities: &["0.5", "1", "1.25"],
        rows: 36,
        chf_expense_every: 0,
    },
    Pattern {
        agreement: "BRS-MC-2026-02",
        service: "BRS-WEB",
        grades: &[],
        quantities: &["1"],
        rows: 12,
        chf_expense_every: 0,
    },
    Pattern {
        agreement: "JOINT-TRAIN-2026",
        service: "BRS-TRAIN",
        grades: &[],
        quantities: &["1"],
        rows: 2,
        chf_expense_every: 1,
    },
    Pattern {
        agreement: "JOINT-TRAIN-2026",
        service: "BRS-CONF",
        grades: &["P-3", "G-6"],
        quantities: &["1", "2"],
        rows: 8,
        chf_expense_every: 4,
    },
];

fn weekday_on_or_after(mut day: NaiveDate) -> NaiveDate {
    while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
        day += Duration::days(1);
    }
    day
}

/// The demo deliveries of 2026 (and a few of January 2027, not yet accepted) as import CSV.
pub fn deliveries_csv() -> Vec<u8> {
    let mut rng = SmallRng::seed_from_u64(20260101);
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record(COLUMNS).expect("in memory");
    for p in PATTERNS {
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
    p: &Pattern,
    i: u32,
    day: NaiveDate,
    rng: &mut SmallRng,
) {
    let grade = if p.grades.is_empty() {
        ""
    } else {
        p.grades[rng.gen_range(0..p.grades.len())]
    };
    let quantity = p.quantities[rng.gen_range(0..p.quantities.len())];
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
        p.agreement,
        p.service,
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

fn contribution(
    org: &str,
    fund: &str,
    staff: &[(&str, &str)],
    non_staff_minor: i64,
) -> Contribution {
    Contribution {
        organisation: org.into(),
        fund: fund.into(),
        staff: staff
            .iter()
            .map(|(g, days)| StaffTime {
                grade: g.to_string(),
                days: d(days),
            })
            .collect(),
        non_staff_minor,
    }
}

/// The cooperation activities of 2026-2027 (two of them continue into 2028-2029). The joint
/// training is carried by JOINT-TRAIN-2026 (its charges are its actual cost) and the legal
/// advice by MC-BRS-2026-02 (still awaiting approval, so nothing charged yet).
pub fn activities() -> Vec<Activity> {
    let activity = |code: &str,
                    en: &str,
                    fr: &str,
                    category: ActivityCategory,
                    lead: &str,
                    mandates: &[&str],
                    contributions: Vec<Contribution>,
                    funding: FundingStatus,
                    continues: bool| Activity {
        code: code.into(),
        biennium: "2026-2027".into(),
        title_en: en.into(),
        title_fr: fr.into(),
        category,
        lead: lead.into(),
        partners: vec![if lead == "MC" { "BRS" } else { "MC" }.into(), "CHB".into()],
        mandates: mandates.iter().map(|m| m.to_string()).collect(),
        budget_lines: vec![],
        agreements: vec![],
        contributions,
        funding,
        status: ActivityStatus::Ongoing,
        outputs: vec![],
        continues,
    };
    vec![
        activity(
            "COOP-TRAIN",
            "Joint training of chairs and potential negotiators",
            "Formation conjointe des président(e)s et négociateur(rice)s potentiel(le)s",
            ActivityCategory::Training,
            "BRS",
            &["MC-6/20 3"],
            vec![
                contribution("BRS", "BC", &[("P-4", "20"), ("G-6", "10")], 4_500_000),
                contribution("MC", "MCSTF", &[("P-4", "12")], 2_700_000),
            ],
            FundingStatus::SubjectToResources,
            true,
        ),
        activity(
            "COOP-LEGAL",
            "Legal advice on mercury wastes under the Basel Convention",
            "Conseils juridiques sur les déchets de mercure au titre de la Convention de Bâle",
            ActivityCategory::TechnicalAssistance,
            "MC",
            &["MC-6/20 4(a)", "MC-6/20 4(b)"],
            vec![
                contribution("MC", "MCGTF", &[("P-5", "10"), ("P-3", "25")], 0),
                contribution("BRS", "BC", &[("P-4", "8")], 0),
            ],
            FundingStatus::CoreBudget,
            true,
        ),
        activity(
            "COOP-REPORT",
            "Report on the implementation of decision MC-6/20",
            "Rapport sur l'application de la décision MC-6/20",
            ActivityCategory::Administrative,
            "MC",
            &["MC-6/20 4(c)"],
            vec![contribution(
                "MC",
                "MCGTF",
                &[("P-4", "6"), ("G-6", "4")],
                0,
            )],
            FundingStatus::CoreBudget,
            false,
        ),
    ]
    .into_iter()
    .map(|mut a| {
        a.agreements = match a.code.as_str() {
            "COOP-TRAIN" => vec!["JOINT-TRAIN-2026".into()],
            "COOP-LEGAL" => vec!["MC-BRS-2026-02".into()],
            _ => vec![],
        };
        a
    })
    .collect()
}

/// The paragraphs of MC-6/20 that each demo agreement serves: the purchase of services on a
/// cost-recovery basis (4(b)), cooperation under the task force (4(a)), and the joint
/// training (3).
pub const MANDATE_LINKS: &[(&str, &str)] = &[
    ("MC-BRS-2026-01", "MC-6/20 4(a)"),
    ("MC-BRS-2026-01", "MC-6/20 4(b)"),
    ("BRS-MC-2026-01", "MC-6/20 4(b)"),
    ("BRS-MC-2026-02", "MC-6/20 4(b)"),
    ("MC-BRS-2026-02", "MC-6/20 4(b)"),
    ("JOINT-TRAIN-2026", "MC-6/20 3"),
];

/// The day the demo records as MC-6/20's adoption: an illustrative date during the sixth
/// meeting of the Conference of the Parties (Geneva, November 2025); the published text gives
/// no date.
pub fn mc_6_20_adopted_on() -> NaiveDate {
    date(2025, 11, 7)
}

/// The joint training session of 2026 (its cost is split by JOINT-TRAIN-2026).
pub fn training_events() -> Vec<TrainingEvent> {
    use synergies_domain::cooperation::{EventContribution, Gender, RegionalGroup, Trainee};
    let trainees: [(&str, RegionalGroup, Gender, &str); 10] = [
        (
            "KE",
            RegionalGroup::African,
            Gender::Female,
            "potential_negotiator",
        ),
        ("SN", RegionalGroup::African, Gender::Male, "chair"),
        (
            "NG",
            RegionalGroup::African,
            Gender::Female,
            "potential_negotiator",
        ),
        (
            "TH",
            RegionalGroup::AsiaPacific,
            Gender::Female,
            "vice_chair",
        ),
        (
            "JO",
            RegionalGroup::AsiaPacific,
            Gender::Male,
            "potential_negotiator",
        ),
        (
            "MD",
            RegionalGroup::EasternEuropean,
            Gender::Female,
            "potential_negotiator",
        ),
        (
            "PE",
            RegionalGroup::LatinAmericanCaribbean,
            Gender::Male,
            "chair",
        ),
        (
            "UY",
            RegionalGroup::LatinAmericanCaribbean,
            Gender::Female,
            "potential_negotiator",
        ),
        (
            "CO",
            RegionalGroup::LatinAmericanCaribbean,
            Gender::Female,
            "potential_negotiator",
        ),
        (
            "NO",
            RegionalGroup::WesternEuropeanOthers,
            Gender::Male,
            "potential_negotiator",
        ),
    ];
    vec![TrainingEvent {
        code: "TRAIN-2026-GVA".into(),
        title: "Training of chairs and potential negotiators for the 2027 meetings".into(),
        bodies: vec!["MC COP-7".into(), "BRS COPs 2027".into()],
        start: date(2026, 10, 5),
        end: date(2026, 10, 7),
        place: Some("Geneva".into()),
        agreement: Some("JOINT-TRAIN-2026".into()),
        participants: trainees
            .iter()
            .map(|(country, region, gender, role)| Trainee {
                country: country.to_string(),
                region: *region,
                gender: *gender,
                role: role.to_string(),
            })
            .collect(),
        contributions: vec![
            EventContribution {
                organisation: "BRS".into(),
                staff_days: d("14"),
                amount_minor: 1_800_000,
            },
            EventContribution {
                organisation: "MC".into(),
                staff_days: d("6"),
                amount_minor: 1_080_000,
            },
        ],
    }]
}

/// The joint task force: members, two meetings and their action items.
pub fn task_force() -> crate::cooperation::TaskForce {
    use synergies_domain::cooperation::{
        ActionItem, ActionStatus, TaskForceMeeting, TaskForceMember,
    };
    let member = |name: &str, org: &str| TaskForceMember {
        name: name.into(),
        organisation: org.into(),
    };
    crate::cooperation::TaskForce {
        members: vec![
            member("MC Deputy Executive Secretary", "MC"),
            member("BRS Deputy Executive Secretary", "BRS"),
            member("BRS Head of Administration", "BRS"),
            member("CHB Head of Branch", "CHB"),
        ],
        meetings: vec![
            TaskForceMeeting {
                code: "TF-2026-1".into(),
                date: date(2026, 2, 11),
                attendees: vec!["MC".into(), "BRS".into(), "CHB".into()],
                minutes: "Agreed the 2026 service agreements and the joint training plan.".into(),
            },
            TaskForceMeeting {
                code: "TF-2026-2".into(),
                date: date(2026, 9, 16),
                attendees: vec!["MC".into(), "BRS".into()],
                minutes: "Reviewed costs recovered in the first half of 2026; outlined 2028-2029."
                    .into(),
            },
        ],
        action_items: vec![
            ActionItem {
                code: "AI-1".into(),
                title: "Propose the legal advice agreement on mercury wastes".into(),
                owner: "MC".into(),
                due: date(2026, 4, 30),
                status: ActionStatus::Done,
                meeting: Some("TF-2026-1".into()),
                activity: Some("COOP-LEGAL".into()),
            },
            ActionItem {
                code: "AI-2".into(),
                title: "Draft the report on the implementation of MC-6/20".into(),
                owner: "MC".into(),
                due: date(2027, 3, 31),
                status: ActionStatus::Open,
                meeting: Some("TF-2026-2".into()),
                activity: Some("COOP-REPORT".into()),
            },
            ActionItem {
                code: "AI-3".into(),
                title: "Plan the 2027 training session".into(),
                owner: "BRS".into(),
                due: date(2027, 1, 31),
                status: ActionStatus::Open,
                meeting: Some("TF-2026-2".into()),
                activity: Some("COOP-TRAIN".into()),
            },
        ],
    }
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
    crate::decisions::import_decision(
        store,
        "MC-6-20.fr.txt",
        MC_6_20_FR,
        Some(synergies_domain::decision::Language::Fr),
        crate::decisions::Standing {
            status: None,
            adopted_on: Some(mc_6_20_adopted_on()),
        },
        &demo,
    )?;
    for (agreement, mandate) in MANDATE_LINKS {
        crate::decisions::link_agreement(store, agreement, mandate, &demo)?;
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
