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
    /// A population-health gold table could not be defined.
    #[error(transparent)]
    PopulationHealth(#[from] ehr_population_health::Error),
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
    /// Another run holds the lakehouse lock (two runs on one lakehouse at once).
    #[error(
        "the lakehouse '{lakehouse}' is in use by another run ({holder}); this run changed nothing — run again when it has finished"
    )]
    LakehouseLocked {
        /// Lakehouse root.
        lakehouse: String,
        /// What the lock file says about its holder (run id and process id).
        holder: String,
    },
    /// A file of the lakehouse itself (not a table) could not be used.
    #[error("{operation} ('{path}'): {source}")]
    Io {
        /// The file.
        path: String,
        /// What was being done.
        operation: &'static str,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A settings file could not be used (unreadable, malformed, wrong types or unknown
    /// keys — the problem lists them all).
    #[error("settings file '{path}': {problem}")]
    Config {
        /// The settings file.
        path: String,
        /// What is wrong with it.
        problem: String,
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

/// How a run ended, as the process exit code orchestrators (Airflow, Azure Data Factory,
/// cron, Databricks Workflows) branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitKind {
    /// Exit code 1: a bug or an environment problem (disk, permissions, a Delta conflict).
    Internal,
    /// Exit code 3: the input cannot be used (no export, unreadable or malformed files,
    /// unknown Synthea layout). Fix the input and run again.
    Input,
    /// Exit code 4: a `fail`-severity data-quality rule stopped a batch; nothing of that
    /// batch was committed.
    DataQuality,
    /// Exit code 5: another run holds the lakehouse (or committed the same batch
    /// first); this run changed nothing. Run again when the other has finished.
    Concurrent,
}

impl ExitKind {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitKind::Internal => 1,
            ExitKind::Input => 3,
            ExitKind::DataQuality => 4,
            ExitKind::Concurrent => 5,
        }
    }
}

impl PipelineError {
    /// What kind of failure this is (see [`ExitKind`] for the exit codes).
    pub fn exit_kind(&self) -> ExitKind {
        use medallion_core::Error as M;
        match self {
            PipelineError::NoExport { .. }
            | PipelineError::Schema(_)
            | PipelineError::Config { .. } => ExitKind::Input,
            PipelineError::Medallion(M::RuleFailed { .. }) => ExitKind::DataQuality,
            PipelineError::Medallion(M::LandingFile { .. }) => ExitKind::Input,
            PipelineError::Medallion(
                M::TransactionAlreadyCommitted { .. } | M::ConcurrentAppTransaction { .. },
            )
            | PipelineError::LakehouseLocked { .. } => ExitKind::Concurrent,
            _ => ExitKind::Internal,
        }
    }
}
