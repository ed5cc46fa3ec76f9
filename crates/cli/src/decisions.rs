//! `synergies decisions`: the registry of the decisions of governing bodies.

use std::path::PathBuf;

use anyhow::{bail, Result};
use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};
use serde_json::json;

use crate::context::{actor, open, operator};
use crate::output::{outln, print_json, read_text};

#[derive(Subcommand)]
pub enum DecisionsCmd {
    /// Read the text of a decision, or of a compilation of decisions, as UN documents and
    /// treaty sites publish it, and record every decision in it (all or none).
    Import {
        /// The text, as a plain-text file.
        file: PathBuf,
        /// The text's language (default: the one the text reads in); a text that reads in
        /// another is refused.
        #[arg(long, value_enum)]
        lang: Option<LangArg>,
        /// The decision's number, for a text without a title line (one that starts at "The
        /// Conference of the Parties,"), such as BC-14/2 or RC-7/5.
        #[arg(long, value_name = "SYMBOL")]
        number: Option<String>,
        /// The decision's title, for a text without a title line.
        #[arg(long)]
        title: Option<String>,
        /// Print what was understood, as JSON.
        #[arg(long)]
        json: bool,
        /// The day the decision was adopted, when known (default: as recorded, else unknown).
        #[arg(long)]
        adopted: Option<NaiveDate>,
        /// Where the decision stands (default: as recorded, else adopted).
        #[arg(long, value_enum)]
        status: Option<DecisionStatusArg>,
    },
    /// List the recorded decisions with their type, meeting, status and adoption date.
    List {
        /// Print the decisions as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print a recorded decision's structure as JSON, with its status and adoption date.
    Show {
        /// The decision, such as MC-6/20.
        number: String,
        /// The language of the recorded text to show.
        #[arg(long, value_enum, default_value = "fr")]
        lang: LangArg,
    },
    /// Set a decision's status (every language), and its adoption date.
    Update {
        /// The decision, such as MC-6/20.
        number: String,
        /// Where the decision stands now.
        #[arg(long, value_enum)]
        status: DecisionStatusArg,
        /// The day it was adopted (default: the recorded one stays).
        #[arg(long)]
        adopted: Option<NaiveDate>,
        /// Who makes the change (recorded in the audit trail).
        #[arg(long, default_value_t = operator())]
        by: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum DecisionStatusArg {
    Adopted,
    #[value(name = "in_force")]
    InForce,
    Superseded,
    Revoked,
}

impl DecisionStatusArg {
    fn status(self) -> synergies_domain::decision::DecisionStatus {
        use synergies_domain::decision::DecisionStatus;
        match self {
            DecisionStatusArg::Adopted => DecisionStatus::Adopted,
            DecisionStatusArg::InForce => DecisionStatus::InForce,
            DecisionStatusArg::Superseded => DecisionStatus::Superseded,
            DecisionStatusArg::Revoked => DecisionStatus::Revoked,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum LangArg {
    Fr,
    En,
    Es,
}

impl LangArg {
    fn language(self) -> synergies_domain::decision::Language {
        match self {
            LangArg::Fr => synergies_domain::decision::Language::Fr,
            LangArg::En => synergies_domain::decision::Language::En,
            LangArg::Es => synergies_domain::decision::Language::Es,
        }
    }
}

/// A decision's standing: `COP-6 in_force (adopted on 2025-11-07)`, or with `adoption date
/// unknown`.
pub fn standing(d: &synergies_store::DecisionRecord) -> String {
    format!(
        "{}-{} {} ({})",
        d.body.abbreviation(),
        d.meeting,
        d.status,
        match d.adopted_on {
            Some(on) => format!("adopted on {on}"),
            None => "adoption date unknown".into(),
        }
    )
}

pub fn run(db: &str, cmd: DecisionsCmd) -> Result<()> {
    let store = open(db)?;
    let store = store.as_ref();
    match cmd {
        DecisionsCmd::Import {
            file,
            lang,
            number,
            title,
            json,
            adopted,
            status,
        } => {
            let text = read_text(&file)?;
            let name = file.display().to_string();
            let imported = synergies_app::decisions::import_decisions(
                store,
                &name,
                &text,
                lang.map(LangArg::language),
                &synergies_domain::decision::Given { number, title },
                synergies_app::decisions::Standing {
                    status: status.map(DecisionStatusArg::status),
                    adopted_on: adopted,
                },
                &actor(&operator()),
            )?;
            if json {
                match imported.decisions.as_slice() {
                    [only] => print_json(&only.decision)?,
                    all => print_json(&all.iter().map(|d| &d.decision).collect::<Vec<_>>())?,
                }
            } else {
                for one in &imported.decisions {
                    let d = &one.decision;
                    outln!(
                        "{} ({}, meeting {}): {} preamble and {} operative paragraphs {}.",
                        d.number,
                        d.language,
                        d.meeting,
                        d.preamble.len(),
                        d.operative.len(),
                        if one.new {
                            "recorded"
                        } else {
                            "replaced the earlier import"
                        }
                    )?;
                }
                if imported.decisions.len() > 1 {
                    outln!("{}.", imported.summary())?;
                }
            }
        }
        DecisionsCmd::List { json } => {
            let list = store.decisions()?;
            if json {
                let rows: Vec<_> = list
                    .iter()
                    .map(|d| {
                        json!({ "number": d.number, "language": d.language, "treaty": d.treaty,
                                "type": d.kind, "body": d.body, "meeting": d.meeting,
                                "status": d.status, "adopted_on": d.adopted_on,
                                "title": d.title, "imported_at": d.imported_at })
                    })
                    .collect();
                print_json(&rows)?;
            } else {
                for d in &list {
                    outln!(
                        "{:<10} {:<3} {:<9} {:<42} {}",
                        d.number,
                        d.language,
                        d.kind,
                        standing(d),
                        d.title
                    )?;
                }
            }
        }
        DecisionsCmd::Show { number, lang } => {
            let lang = lang.language().as_str();
            let Some(d) = store
                .decisions()?
                .into_iter()
                .find(|d| d.number == number && d.language == lang)
            else {
                bail!("no decision {number} in {lang}");
            };
            let mut doc: serde_json::Value = serde_json::from_str(&d.document)?;
            if let Some(object) = doc.as_object_mut() {
                object.insert("type".into(), json!(d.kind));
                object.insert("body".into(), json!(d.body));
                object.insert("status".into(), json!(d.status));
                object.insert("adopted_on".into(), json!(d.adopted_on));
            }
            print_json(&doc)?;
        }
        DecisionsCmd::Update {
            number,
            status,
            adopted,
            by,
        } => {
            let d = synergies_app::decisions::update_decision(
                store,
                &number,
                status.status(),
                adopted,
                &actor(&by),
            )?;
            outln!("{number}: {}.", standing(&d))?;
        }
    }
    Ok(())
}
