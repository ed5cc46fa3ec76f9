//! Reports of Synergies to the governing bodies and between secretariats.
//!
//! One report model per report ([`model`], [`statements`]), built from the store's records and
//! aggregates; one layout in the requested language ([`layout`], every text from the Fluent
//! files of `synergies-i18n`) into a [`doc::Document`]; and one renderer per format
//! ([`render`]) that draws the document and computes nothing.

pub mod chart;
pub mod doc;
pub mod layout;
pub mod model;
pub mod render;
pub mod statements;

use std::path::Path;

pub use doc::Document;

/// The formats a report is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Docx,
    Html,
    Xlsx,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Pdf, Format::Docx, Format::Html, Format::Xlsx];

    pub fn as_str(&self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Docx => "docx",
            Format::Html => "html",
            Format::Xlsx => "xlsx",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The format a file name's extension names.
    pub fn of_path(path: &Path) -> Option<Format> {
        Format::parse(&path.extension()?.to_str()?.to_ascii_lowercase())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    App(#[from] synergies_app::AppError),
    #[error("could not write the {format} file: {reason}")]
    Render {
        format: &'static str,
        reason: String,
    },
    #[error("{0}")]
    Io(String),
}

/// Draws the document in `format`.
pub fn render(doc: &Document, format: Format) -> Result<Vec<u8>, ReportError> {
    let fail = |reason: String| ReportError::Render {
        format: format.as_str(),
        reason,
    };
    match format {
        Format::Html => Ok(render::html::render(doc).into_bytes()),
        Format::Xlsx => render::xlsx::render(doc).map_err(|e| fail(e.to_string())),
        Format::Docx => render::docx::render(doc).map_err(fail),
        Format::Pdf => render::pdf::render(doc).map_err(fail),
    }
}

/// Writes `bytes` to `path` whole or not at all, through the one atomic-write helper of
/// Synergies (`synergies_files`): a failure or a kill leaves no half-written report.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    synergies_files::write_atomically(path, bytes).map_err(|e| ReportError::Io(e.to_string()))
}
