//! The open-data datasets of `synergies export`: the IATI 2.03 activity file of a biennium's
//! cooperation activities, and every table as a Frictionless data package.

use std::path::Path;

use anyhow::Result;
use clap::Args;
use synergies_store::Store;

use crate::output::{outln, write_out};

// The publisher named in an IATI activity file (a plain comment: a flattened group has no
// about of its own).
#[derive(Args)]
pub struct PublisherArgs {
    /// IATI organisation identifier of the publisher (reporting organisation).
    #[arg(long, default_value = "XM-DAC-41116")]
    reporting_org: String,
    /// Name of the publisher.
    #[arg(long, default_value = "United Nations Environment Programme")]
    reporting_org_name: String,
    /// IATI organisation type code of the publisher (40: multilateral).
    #[arg(long, default_value = "40")]
    reporting_org_type: String,
}

/// Writes the IATI activity file of a biennium to `out` (standard output when `None`).
pub fn iati(
    store: &dyn Store,
    biennium: &str,
    publisher: PublisherArgs,
    out: Option<&Path>,
) -> Result<()> {
    let publisher = synergies_opendata::iati::Publisher {
        reference: publisher.reporting_org,
        name: publisher.reporting_org_name,
        org_type: publisher.reporting_org_type,
    };
    let mut report = None;
    write_out(out, |w| {
        report = Some(synergies_app::opendata::export_iati(
            store, biennium, &publisher, w,
        )?);
        Ok(())
    })?;
    if let (Some(path), Some(r)) = (out, report) {
        outln!(
            "Wrote {} activities of {} with {} yearly budgets to {} \
             (no transactions: activities do not name the agreements that \
             carry their actual costs).",
            r.activities,
            r.biennium,
            r.budgets,
            path.display()
        )?;
    }
    Ok(())
}

/// Writes every table as CSV with its datapackage.json into `dir`, a new directory.
pub fn datapackage(store: &dyn Store, dir: &Path) -> Result<()> {
    let summary = synergies_app::opendata::export_datapackage(store, dir)?;
    let rows: u64 = summary.tables.iter().map(|(_, n)| n).sum();
    outln!(
        "Wrote {} tables ({rows} rows) and datapackage.json to {}.",
        summary.tables.len(),
        dir.display()
    )?;
    Ok(())
}
