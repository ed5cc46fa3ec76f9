//! The output helpers of every command: JSON on standard output, JSON input files, writing to
//! a file (atomically) or to standard output, amounts of money, progress on standard error.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

pub fn print_json<T: serde::Serialize>(v: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

pub fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not valid", path.display()))
}

pub fn write_out(out: Option<&Path>, f: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    match out {
        // Whole or not at all, through the one atomic-write helper: a unique temporary beside
        // the target, removed on every exit path (and by the next run if this one is killed).
        Some(path) => synergies_files::write_with(path, f),
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            f(&mut w)?;
            w.flush()?;
            Ok(())
        }
    }
}

pub fn money(currency: &str, minor: i64) -> String {
    synergies_domain::Currency::from_code(currency)
        .map(|c| c.format_minor(minor))
        .unwrap_or_else(|_| minor.to_string())
}
