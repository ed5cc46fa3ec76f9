//! `synergies training`: training of chairs and potential negotiators.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Subcommand, ValueEnum};
use serde_json::json;

use crate::context::{actor, open, operator};
use crate::output::{outln, print_json, read_json};

#[derive(Subcommand)]
pub enum TrainingCmd {
    /// Record training events from a JSON array (replacing those with the same code).
    Import {
        /// The JSON array of training events.
        file: PathBuf,
    },
    /// List training events with their participants per regional group and gender.
    List {
        /// Print the events as JSON, with the participants per regional group and gender.
        #[arg(long)]
        json: bool,
    },
    /// Add a participant to a recorded training event.
    AddParticipant {
        /// The event's code.
        event: String,
        /// ISO 3166 country code, such as KE.
        #[arg(long)]
        country: String,
        /// The participant's UN regional group.
        #[arg(long, value_enum)]
        region: RegionArg,
        /// The participant's gender.
        #[arg(long, value_enum)]
        gender: GenderArg,
        /// chair, vice_chair, potential_negotiator, …
        #[arg(long, default_value = "potential_negotiator")]
        role: String,
        /// Who records the participant (recorded in the audit trail).
        #[arg(long, default_value_t = operator())]
        by: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RegionArg {
    African,
    #[value(name = "asia_pacific")]
    AsiaPacific,
    #[value(name = "eastern_european")]
    EasternEuropean,
    #[value(name = "latin_american_caribbean")]
    LatinAmericanCaribbean,
    #[value(name = "western_european_others")]
    WesternEuropeanOthers,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum GenderArg {
    Female,
    Male,
    Other,
}

pub fn run(db: &str, cmd: TrainingCmd) -> Result<()> {
    use synergies_app::cooperation;
    let store = open(db)?;
    let store = store.as_ref();
    match cmd {
        TrainingCmd::Import { file } => {
            let events: Vec<synergies_domain::cooperation::TrainingEvent> = read_json(&file)?;
            let n = cooperation::save_events(store, &events, &actor(&operator()))?;
            outln!("Recorded {n} training events from {}.", file.display())?;
        }
        TrainingCmd::List { json } => {
            let events = cooperation::events(store)?;
            let rows: Vec<_> = events
                .iter()
                .map(|e| {
                    let counts: Vec<_> = e
                        .by_region_and_gender()
                        .into_iter()
                        .map(|((region, gender), n)| {
                            json!({ "region": region, "gender": gender, "participants": n })
                        })
                        .collect();
                    json!({ "event": e, "participants_by_region_and_gender": counts })
                })
                .collect();
            if json {
                print_json(&rows)?;
            } else {
                for e in &events {
                    outln!(
                        "{} {} to {} {}: {} participants ({} women)",
                        e.code,
                        e.start,
                        e.end,
                        e.place.as_deref().unwrap_or("online"),
                        e.participants.len(),
                        e.participants
                            .iter()
                            .filter(|p| p.gender == synergies_domain::cooperation::Gender::Female)
                            .count()
                    )?;
                }
            }
        }
        TrainingCmd::AddParticipant {
            event,
            country,
            region,
            gender,
            role,
            by,
        } => {
            use synergies_domain::cooperation::{Gender, RegionalGroup, Trainee};
            let trainee = Trainee {
                country,
                region: match region {
                    RegionArg::African => RegionalGroup::African,
                    RegionArg::AsiaPacific => RegionalGroup::AsiaPacific,
                    RegionArg::EasternEuropean => RegionalGroup::EasternEuropean,
                    RegionArg::LatinAmericanCaribbean => RegionalGroup::LatinAmericanCaribbean,
                    RegionArg::WesternEuropeanOthers => RegionalGroup::WesternEuropeanOthers,
                },
                gender: match gender {
                    GenderArg::Female => Gender::Female,
                    GenderArg::Male => Gender::Male,
                    GenderArg::Other => Gender::Other,
                },
                role,
            };
            let e = cooperation::add_participant(store, &event, trainee, &actor(&by))?;
            outln!("{}: {} participants.", e.code, e.participants.len())?;
        }
    }
    Ok(())
}
