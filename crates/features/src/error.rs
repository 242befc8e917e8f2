//! The crate's error type.

use polars::prelude::PolarsError;

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while building the feature store, training or tracking.
/// Messages name tables, columns, settings and counts, never a patient's values.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A configuration value is out of range.
    #[error("invalid configuration `{field}` = {value}: {reason}")]
    InvalidConfig {
        /// The config field, e.g. `as_of.start`.
        field: &'static str,
        /// The rejected value, rendered.
        value: String,
        /// What is accepted.
        reason: String,
    },
    /// An input is not the silver table it should be.
    #[error(transparent)]
    Silver(Box<synthea_schema::Error>),
    /// A metric this crate reuses (the readmission label) could not be planned.
    #[error(transparent)]
    QualityMetrics(Box<ehr_quality_metrics::Error>),
    /// The journey features could not be planned.
    #[error(transparent)]
    Journey(Box<ehr_journey::Error>),
    /// Delta Lake I/O failed.
    #[error(transparent)]
    Delta(Box<medallion_core::Error>),
    /// A feature table column is missing or has a dtype the models cannot use.
    #[error("training set column `{column}`: {reason}")]
    TrainingColumn {
        /// The column.
        column: String,
        /// What is wrong.
        reason: String,
    },
    /// Too few rows or only one class to train or evaluate.
    #[error("cannot {operation}: {reason}")]
    NotEnoughData {
        /// What was attempted, e.g. `train logistic regression`.
        operation: &'static str,
        /// Why, with counts.
        reason: String,
    },
    /// The learning library refused the data or parameters.
    #[error("{model}: {reason}")]
    Model {
        /// The model, e.g. `logistic_regression`.
        model: &'static str,
        /// The library's message.
        reason: String,
    },
    /// An MLflow tracking server call failed.
    #[error("MLflow {operation}: {reason}")]
    Tracking {
        /// The REST call, e.g. `runs/create`.
        operation: &'static str,
        /// Status or transport error.
        reason: String,
    },
    /// Serializing a model or a run record failed.
    #[error("serialize {what}: {source}")]
    Serialize {
        /// What was serialized.
        what: &'static str,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// An error from Polars while resolving a schema or building a frame.
    #[error("polars: {0}")]
    Polars(#[from] PolarsError),
}

/// Errors of the crates this one builds on are boxed (they are large); `?` boxes them.
macro_rules! boxed_from {
    ($($variant:ident: $ty:ty),*) => {
        $(impl From<$ty> for Error {
            fn from(e: $ty) -> Self {
                Self::$variant(Box::new(e))
            }
        })*
    };
}

boxed_from!(
    Silver: synthea_schema::Error,
    QualityMetrics: ehr_quality_metrics::Error,
    Journey: ehr_journey::Error,
    Delta: medallion_core::Error
);
