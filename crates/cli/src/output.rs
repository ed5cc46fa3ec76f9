//! The output helpers of every command: lines and JSON on standard output, JSON and text input
//! files, writing to a file (atomically, through `synergies-files`) or to standard output,
//! amounts of money, progress on standard error.
//!
//! Everything a command prints on standard output goes through [`Stdout`] (the [`outln!`] and
//! [`out!`] macros, [`print_json`], [`write_out`]): a write error comes back as an error
//! instead of a panic, and a reader that stopped reading (a closed pipe, as in
//! `synergies deliveries list | head`) is remembered, so that `main` ends quietly
//! ([`stdout_closed`]).

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};

/// Set once a write to standard output failed because its reader is gone.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Whether standard output's reader went away (broken pipe) during this run.
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

/// Whether `e` (or any error it wraps) is a broken pipe.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Standard output, for every command: write errors are returned (never a panic), and a
/// broken pipe is remembered even when the error is later turned into text by a library.
pub struct Stdout;

impl Stdout {
    fn seen<T>(result: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &result {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                STDOUT_CLOSED.store(true, Ordering::Relaxed);
            }
        }
        result
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        Stdout::seen(std::io::stdout().lock().write(buf))
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        Stdout::seen(std::io::stdout().lock().write_all(buf))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Stdout::seen(std::io::stdout().lock().flush())
    }
}

/// Standard output behind a buffer, for long outputs; flush it at the end.
pub fn buffered_stdout() -> std::io::BufWriter<Stdout> {
    std::io::BufWriter::new(Stdout)
}

/// Like `println!`, through [`Stdout`]: an `std::io::Result<()>` to propagate with `?`.
macro_rules! outln {
    () => {
        std::io::Write::write_all(&mut $crate::output::Stdout, b"\n")
    };
    ($($arg:tt)*) => {
        std::io::Write::write_fmt(
            &mut $crate::output::Stdout,
            format_args!("{}\n", format_args!($($arg)*)),
        )
    };
}
pub(crate) use outln;

/// Like `print!`, through [`Stdout`]: an `std::io::Result<()>` to propagate with `?`.
macro_rules! out {
    ($($arg:tt)*) => {
        std::io::Write::write_fmt(&mut $crate::output::Stdout, format_args!($($arg)*))
    };
}
pub(crate) use out;

/// Prints `v` as pretty JSON and a newline on standard output.
pub fn print_json<T: serde::Serialize>(v: &T) -> Result<()> {
    let mut out = buffered_stdout();
    serde_json::to_writer_pretty(&mut out, v).map_err(std::io::Error::from)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// Reads a JSON input file (reference data, agreements, activities, …).
pub fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not valid", path.display()))
}

/// Reads a text input file (a decision's text).
pub fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Writes what `f` writes to the file `out`, whole or not at all, or to standard output when
/// `out` is `None`.
pub fn write_out(out: Option<&Path>, f: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    match out {
        // Whole or not at all, through the one atomic-write helper: a unique temporary beside
        // the target, removed on every exit path (and by the next run if this one is killed).
        Some(path) => synergies_files::write_with(path, f),
        None => {
            let mut w = buffered_stdout();
            f(&mut w)?;
            w.flush()?;
            Ok(())
        }
    }
}

/// An amount in minor units shown in its currency's major units (the bare number when the
/// currency is unknown).
pub fn money(currency: &str, minor: i64) -> String {
    synergies_domain::Currency::from_code(currency)
        .map(|c| c.format_minor(minor))
        .unwrap_or_else(|_| minor.to_string())
}

/// The rows read so far by a long import, on standard error when it is a terminal.
pub struct Progress {
    tty: bool,
}

impl Progress {
    pub fn new() -> Progress {
        Progress {
            tty: std::io::stderr().is_terminal(),
        }
    }

    pub fn rows(&self, rows: u64) {
        if self.tty {
            eprint!("\r{rows} rows read…");
        }
    }

    /// Ends the progress line.
    pub fn finish(&self) {
        if self.tty {
            eprintln!();
        }
    }
}
