//! The crate's error type.

/// Errors of the EHR JSON pipeline.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A field of a landed JSON file has a type that cannot be widened to the type the
    /// entity's bronze schema holds (e.g. a string where numbers were seen).
    #[error(
        "type conflict in {entity} file {file}: field `{field}` is {found}, but the schema has {expected}"
    )]
    TypeConflict {
        /// The entity (e.g. `encounters`).
        entity: String,
        /// The landed file (path relative to the landing directory).
        file: String,
        /// The field.
        field: String,
        /// The type found in the file.
        found: String,
        /// The type the schema (earlier files and batches) holds.
        expected: String,
    },
    /// A Delta or pipeline operation failed.
    #[error(transparent)]
    Medallion(#[from] medallion_core::Error),
    /// A Polars operation failed.
    #[error("{operation}: {source}")]
    Polars {
        /// What was being done.
        operation: String,
        /// The Polars error.
        #[source]
        source: polars::error::PolarsError,
    },
    /// A gold transform of a reused metric crate failed.
    #[error("gold: {0}")]
    PopulationHealth(#[from] ehr_population_health::Error),
    /// The configuration is invalid.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
    /// Row counts of a table do not reconcile (see `SilverReport::reconciles`).
    #[error("row counts do not reconcile for: {tables:?}")]
    Unreconciled {
        /// `layer/table` of each table.
        tables: Vec<String>,
    },
    /// A stored schema property could not be read or written.
    #[error("schema property of {entity}: {source}")]
    SchemaProperty {
        /// The entity.
        entity: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
}

impl Error {
    /// Wraps a Polars error with what was being done.
    pub(crate) fn polars(operation: impl Into<String>, source: polars::error::PolarsError) -> Self {
        Error::Polars {
            operation: operation.into(),
            source,
        }
    }
}

/// `Result` with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
