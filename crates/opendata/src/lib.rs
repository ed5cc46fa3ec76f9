//! Open data of Synergies, in formats that tools this project did not write can read:
//!
//! - [`iati`]: the cooperation activities of a biennium as an IATI 2.03 activity file, with
//!   their budgets per year (IATI budgets may not span more than one year);
//! - [`datapackage`]: every table as a CSV file described by a Frictionless
//!   `datapackage.json` (a tabular data package), written and read back.
//!
//! This crate knows the formats, not the database: the application layer hands it rows and
//! activities and stores what it reads. Nothing is left half-written: files and directories are
//! written under a temporary name beside their target and renamed when complete.

pub mod datapackage;
pub mod iati;

/// What can go wrong writing or reading open data, phrased for the person at the command line.
#[derive(Debug, thiserror::Error)]
pub enum OpenDataError {
    /// The data cannot be written in the format, or a file read does not conform to it.
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Io(String),
}

impl From<std::io::Error> for OpenDataError {
    fn from(e: std::io::Error) -> Self {
        OpenDataError::Io(e.to_string())
    }
}

pub type OpenDataResult<T> = Result<T, OpenDataError>;
