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
    /// An input is not the silver table it should be: a column is missing or has another
    /// dtype ([`synthea_schema::Error::SilverContract`] names the table, the column, the
    /// expected and found dtypes and the columns present).
    #[error(transparent)]
    Silver(#[from] synthea_schema::Error),
    /// An error from Polars while resolving a schema or building a frame.
    #[error("polars: {0}")]
    Polars(#[from] PolarsError),
}
