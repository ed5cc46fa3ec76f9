//! `synergies export`: the data anyone needs to recompute the charges (rates, exchange rates,
//! deliveries, agreements, charges); the open-data datasets are in `opendata`.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::{Args, ValueEnum};
use synergies_app::export::{self, Dataset, Format};

use crate::context::open;
use crate::opendata;
use crate::output::write_out;

#[derive(Args)]
pub struct ExportArgs {
    /// What to export.
    #[arg(value_enum)]
    dataset: DatasetArg,
    /// For rates, fx, deliveries, agreements and charges (default: csv).
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Write to FILE (a new directory for datapackage) instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    /// The biennium of an IATI export, such as 2026-2027.
    #[arg(long)]
    biennium: Option<String>,
    #[command(flatten)]
    publisher: opendata::PublisherArgs,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum DatasetArg {
    Rates,
    Fx,
    Deliveries,
    Agreements,
    Charges,
    /// IATI 2.03 activity file of a biennium's cooperation activities.
    Iati,
    /// Every table as CSV with a Frictionless datapackage.json.
    Datapackage,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Csv,
    Json,
}

pub fn run(db: &str, args: ExportArgs) -> Result<()> {
    let ExportArgs {
        dataset,
        format,
        out,
        biennium,
        publisher,
    } = args;
    let open_data = matches!(dataset, DatasetArg::Iati | DatasetArg::Datapackage);
    if open_data && format.is_some() {
        bail!("--format applies to rates, fx, deliveries, agreements and charges only");
    }
    if biennium.is_some() && !matches!(dataset, DatasetArg::Iati) {
        bail!("--biennium applies to the iati export only");
    }
    let store = open(db)?;
    let dataset = match dataset {
        DatasetArg::Rates => Dataset::Rates,
        DatasetArg::Fx => Dataset::Fx,
        DatasetArg::Deliveries => Dataset::Deliveries,
        DatasetArg::Agreements => Dataset::Agreements,
        DatasetArg::Charges => Dataset::Charges,
        DatasetArg::Iati => {
            let Some(biennium) = biennium else {
                bail!("the iati export needs --biennium, such as --biennium 2026-2027");
            };
            return opendata::iati(store.as_ref(), &biennium, publisher, out.as_deref());
        }
        DatasetArg::Datapackage => {
            let Some(dir) = out else {
                bail!("the datapackage export needs --out DIR, a new directory");
            };
            return opendata::datapackage(store.as_ref(), &dir);
        }
    };
    let format = match format.unwrap_or(FormatArg::Csv) {
        FormatArg::Csv => Format::Csv,
        FormatArg::Json => Format::Json,
    };
    write_out(out.as_deref(), |w| {
        export::export(store.as_ref(), dataset, format, w).map_err(Into::into)
    })
}
