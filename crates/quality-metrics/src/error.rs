//! The crate's error type.

use chrono::NaiveDate;
use polars::prelude::PolarsError;

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while *building* a metric plan. Bad rows are data, not
/// errors: they are flagged or excluded with a reason in the metric outputs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A configuration value is out of range.
    #[error("invalid configuration `{field}` = {value}: {reason}")]
    InvalidConfig {
        /// The config field, e.g. `readmission.window_days`.
        field: &'static str,
        /// The rejected value, rendered.
        value: String,
        /// What is accepted.
        reason: String,
    },
    /// A measurement period whose start is after its end.
    #[error("invalid period: start {start} is after end {end}")]
    InvalidPeriod {
        /// First day of the period.
        start: NaiveDate,
        /// Last day of the period.
        end: NaiveDate,
    },
    /// An input frame lacks a required silver column.
    #[error("input `{input}` has no column `{column}`; found columns: {found:?}")]
    MissingColumn {
        /// The input, e.g. `encounters`.
        input: &'static str,
        /// The required column.
        column: &'static str,
        /// The columns the input does have.
        found: Vec<String>,
    },
    /// An input column has the wrong dtype.
    #[error("input `{input}` column `{column}` has dtype {found}, expected {expected}")]
    ColumnType {
        /// The input, e.g. `encounters`.
        input: &'static str,
        /// The column.
        column: &'static str,
        /// The expected dtype.
        expected: String,
        /// The dtype found.
        found: String,
    },
    /// An error from Polars while resolving a schema or building a frame.
    #[error("polars: {0}")]
    Polars(#[from] PolarsError),
}
