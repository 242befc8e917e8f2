//! The pipeline's error type.

use polars::prelude::PolarsError;

/// Everything that can stop the Synthea pipeline.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// A Delta/medallion operation failed (the message names table and operation).
    #[error(transparent)]
    Medallion(#[from] medallion_core::Error),
    /// The Synthea export could not be understood (version, columns, values).
    #[error(transparent)]
    Schema(#[from] synthea_schema::Error),
    /// A quality-metric gold table could not be defined.
    #[error(transparent)]
    QualityMetrics(#[from] ehr_quality_metrics::Error),
    /// A journey gold table could not be defined.
    #[error(transparent)]
    Journey(#[from] ehr_journey::Error),
    /// A gold computation failed.
    #[error("computing gold table '{table}': {source}")]
    Gold {
        /// Gold table name.
        table: String,
        /// The Polars error.
        #[source]
        source: Box<PolarsError>,
    },
    /// The landing directory holds no Synthea export.
    #[error(
        "no Synthea export found under '{path}': expected a directory containing patients.csv and encounters.csv (or .parquet/.ndjson)"
    )]
    NoExport {
        /// Landing directory.
        path: String,
    },
    /// A computation outside the gold layer failed.
    #[error("{context}: {source}")]
    Polars {
        /// What was being done.
        context: String,
        /// The Polars error.
        #[source]
        source: Box<PolarsError>,
    },
}

impl PipelineError {
    pub(crate) fn polars(context: impl Into<String>, source: PolarsError) -> Self {
        Self::Polars {
            context: context.into(),
            source: Box::new(source),
        }
    }
}
