//! The crate's error type.

use polars::prelude::PolarsError;

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while *building* a population-health plan. Bad rows are
/// data, not errors: they are flagged (a value in the wrong unit) or left out with a
/// documented rule (a patient dead before the as-of date).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A configuration value is out of range.
    #[error("invalid configuration `{field}` = {value}: {reason}")]
    InvalidConfig {
        /// The config field, e.g. `surveillance.period_days`.
        field: &'static str,
        /// The rejected value, rendered (configuration, never patient data).
        value: String,
        /// What is accepted.
        reason: String,
    },
    /// An error of the reused quality metrics (stays, readmissions, age bands); boxed, so
    /// this error stays small.
    #[error(transparent)]
    Quality(Box<ehr_quality_metrics::Error>),
    /// An input is not the silver table it should be (missing column, other dtype).
    #[error(transparent)]
    Silver(#[from] synthea_schema::Error),
    /// An error from Polars while resolving a schema or building a frame.
    #[error("polars: {0}")]
    Polars(#[from] PolarsError),
}

impl From<ehr_quality_metrics::Error> for Error {
    fn from(error: ehr_quality_metrics::Error) -> Self {
        Self::Quality(Box::new(error))
    }
}
