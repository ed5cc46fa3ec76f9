//! `synergies framework`: the reference data (organisations, conventions, funds, biennia,
//! services, rates, exchange rates).

use std::path::PathBuf;

use anyhow::Result;
use clap::Subcommand;
use synergies_domain::model::Framework;

use crate::context::{actor, open, operator};
use crate::output::{outln, print_json, read_json};

#[derive(Subcommand)]
pub enum FrameworkCmd {
    /// Load (insert or update) reference data from a JSON document.
    Load {
        /// The JSON document of reference data (as `framework show` prints it).
        file: PathBuf,
    },
    /// Print the reference data as JSON.
    Show,
}

pub fn run(db: &str, cmd: FrameworkCmd) -> Result<()> {
    match cmd {
        FrameworkCmd::Load { file } => {
            let store = open(db)?;
            let framework: Framework = read_json(&file)?;
            synergies_app::reference::load_framework(
                store.as_ref(),
                &framework,
                &file.display().to_string(),
                &actor(&operator()),
            )?;
            outln!("Loaded {}", file.display())?;
        }
        FrameworkCmd::Show => {
            let store = open(db)?;
            print_json(&store.framework()?)?;
        }
    }
    Ok(())
}
