//! The crate's error type.
//!
//! Messages name the file, line, field or table involved and never contain a value of
//! a patient field (bad rows are data: they are flagged or quarantined, not errors).

use polars::prelude::PolarsError;

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can stop the simulator, a transform or the pipeline.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A configuration value is out of range or inconsistent.
    #[error("invalid configuration `{field}`: {reason}")]
    InvalidConfig {
        /// The configuration field, e.g. `dirty.invalid_age`.
        field: String,
        /// What is accepted.
        reason: String,
    },
    /// A JSON document (a manifest or a config) could not be written or read.
    #[error("{context}: {source}")]
    Json {
        /// What was being done, naming the file.
        context: String,
        /// The serde_json error (names line and column, never a value).
        #[source]
        source: serde_json::Error,
    },
    /// A Delta/medallion operation failed, or a file could not be read or written (the
    /// message names the table or path and the operation).
    #[error(transparent)]
    Medallion(#[from] medallion_core::Error),
    /// A run's row counts do not reconcile (read ≠ written + quarantined + removed
    /// duplicates); the run report was recorded in `_runs` before this error.
    #[error(
        "row counts do not reconcile for table(s) {}: read ≠ written + quarantined + deduplicated",
        tables.join(", ")
    )]
    Unreconciled {
        /// `<layer>/<table>` of each table that does not reconcile.
        tables: Vec<String>,
    },
    /// Polars failed while planning or running a query.
    #[error("{context}: Polars error: {source}")]
    Polars {
        /// What was being computed, e.g. `gold occupancy_hourly`.
        context: String,
        /// The Polars error.
        #[source]
        source: Box<PolarsError>,
    },
}

impl Error {
    /// An [`Error::Polars`] with context.
    pub(crate) fn polars(context: impl Into<String>, source: PolarsError) -> Self {
        Self::Polars {
            context: context.into(),
            source: Box::new(source),
        }
    }

    /// An [`Error::InvalidConfig`].
    pub(crate) fn config(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidConfig {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// A file or directory that could not be read or written: medallion-core's
    /// `Error::Io` (path and operation named), the workspace's one I/O error.
    pub(crate) fn io(path: &std::path::Path, operation: &'static str, e: std::io::Error) -> Self {
        Self::Medallion(medallion_core::Error::Io {
            path: path.display().to_string(),
            operation,
            source: e,
        })
    }

    /// Whether the input (landing files, configuration) is at fault rather than the
    /// environment: orchestrators map this to "fix the input" exit codes.
    pub fn is_input_error(&self) -> bool {
        matches!(
            self,
            Error::InvalidConfig { .. }
                | Error::Json { .. }
                | Error::Medallion(medallion_core::Error::LandingFile { .. })
        )
    }

    /// Whether a `fail`-severity data-quality rule stopped a batch (nothing of it was
    /// committed).
    pub fn is_rule_failure(&self) -> bool {
        matches!(
            self,
            Error::Medallion(medallion_core::Error::RuleFailed { .. })
        )
    }
}
