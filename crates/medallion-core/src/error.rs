//! The crate's error type.

use deltalake::DeltaTableError;
use polars::prelude::PolarsError;

/// Result alias used throughout `medallion-core`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in `medallion-core`.
///
/// Table operations name the table URI and the operation, so a message read in a
/// pipeline log says where and what without a backtrace.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The table location is neither a local path nor a URL this build can open.
    #[error(
        "invalid table location '{location}': {reason}. Use a local path, file:// URL, or an object-store URL (s3://, az://, gs://) with the matching cargo feature enabled"
    )]
    InvalidLocation {
        /// The location as given by the caller.
        location: String,
        /// Why it was rejected.
        reason: String,
    },

    /// delta-rs failed while running an operation on a table.
    #[error("{operation} on Delta table '{table}' failed: {source}")]
    Delta {
        /// Table URI.
        table: String,
        /// Operation name (e.g. `write`, `merge`, `vacuum`).
        operation: &'static str,
        /// The delta-rs error.
        #[source]
        source: Box<DeltaTableError>,
    },

    /// Polars failed while planning or executing a query for an operation.
    #[error("{operation} on Delta table '{table}': Polars error: {source}")]
    Polars {
        /// Table URI (or `<memory>` for bridge conversions).
        table: String,
        /// Operation name.
        operation: &'static str,
        /// The Polars error.
        #[source]
        source: Box<PolarsError>,
    },

    /// An arrow-rs error while bridging data between Polars and delta-rs.
    #[error("Arrow bridge error during {operation}: {source}")]
    Arrow {
        /// Operation name.
        operation: &'static str,
        /// The arrow-rs error.
        #[source]
        source: Box<arrow::error::ArrowError>,
    },

    /// No Delta table exists at the location.
    #[error(
        "no Delta table at '{table}' (no _delta_log found) during {operation}; write to it first or check the path"
    )]
    TableNotFound {
        /// Table URI.
        table: String,
        /// Operation name.
        operation: &'static str,
    },

    /// The table uses a feature this reader cannot apply, so reading it would return wrong data.
    #[error(
        "Delta table '{table}' uses the unsupported table feature '{feature}' ({detail}); reading it would return wrong data. Rewrite the table without it (e.g. REORG/purge deletion vectors, disable column mapping) or read it with a Delta engine that supports it"
    )]
    UnsupportedTableFeature {
        /// Table URI.
        table: String,
        /// Feature name (e.g. `deletionVectors`, `columnMapping`).
        feature: String,
        /// What was found.
        detail: String,
    },

    /// A column type that Delta Lake cannot store.
    #[error(
        "column '{column}' has type {dtype}, which Delta Lake cannot store (writing to '{table}'); cast it first, e.g. Duration to Int64 microseconds or Time to String"
    )]
    UnsupportedColumnType {
        /// Table URI.
        table: String,
        /// Column name.
        column: String,
        /// The Polars dtype, rendered.
        dtype: String,
    },

    /// A column type the Polars ↔ arrow bridge cannot carry.
    #[error("column '{column}' of type {dtype} cannot cross the Polars/arrow bridge: {reason}")]
    UnsupportedBridgeType {
        /// Column name.
        column: String,
        /// Type, rendered.
        dtype: String,
        /// Why.
        reason: String,
    },

    /// A MERGE source holds more than one row for the same key.
    #[error(
        "MERGE into '{table}': the source has {duplicate_keys} key value(s) on [{}] that occur more than once (first: {example}); deduplicate the source (e.g. keep the latest by an ordering column) before merging",
        keys.join(", ")
    )]
    DuplicateMergeKeys {
        /// Table URI.
        table: String,
        /// The merge key columns.
        keys: Vec<String>,
        /// Number of distinct key values that are duplicated.
        duplicate_keys: usize,
        /// One duplicated key, rendered.
        example: String,
    },

    /// A column named by the caller does not exist.
    #[error(
        "{operation} on '{table}': column '{column}' not found; available columns: [{}]",
        available.join(", ")
    )]
    ColumnNotFound {
        /// Table URI.
        table: String,
        /// Operation name.
        operation: &'static str,
        /// Missing column.
        column: String,
        /// Columns that exist.
        available: Vec<String>,
    },

    /// An application transaction version was already committed to the table.
    #[error(
        "Delta table '{table}' already has application transaction '{app_id}' at version {committed_version}; refusing to commit version {requested_version} again (this batch was already written — skip it, or use a higher version)"
    )]
    TransactionAlreadyCommitted {
        /// Table URI.
        table: String,
        /// Application id.
        app_id: String,
        /// Version the caller tried to commit.
        requested_version: i64,
        /// Highest version already in the table for this app id.
        committed_version: i64,
    },

    /// Another writer committed the same application id while this commit was being
    /// prepared (with a lower version than ours); this commit changed nothing. Re-run
    /// to commit on top of the other writer's work.
    #[error(
        "{operation} on Delta table '{table}' lost a race: another writer committed application transaction '{app_id}' concurrently; version {version} was not committed and nothing changed — re-run"
    )]
    ConcurrentAppTransaction {
        /// Table URI.
        table: String,
        /// Operation name.
        operation: &'static str,
        /// Application id both writers committed.
        app_id: String,
        /// Version this commit tried to record.
        version: i64,
    },

    /// The caller configured an operation inconsistently.
    #[error("invalid {operation} configuration for '{table}': {reason}")]
    InvalidConfiguration {
        /// Table URI.
        table: String,
        /// Operation name.
        operation: &'static str,
        /// What is wrong and how to fix it.
        reason: String,
    },

    /// The requested time-travel target does not exist.
    #[error("Delta table '{table}' has no version at or before {target}: {reason}")]
    VersionNotFound {
        /// Table URI.
        table: String,
        /// The requested version or timestamp, rendered.
        target: String,
        /// Details.
        reason: String,
    },

    /// A `fail`-severity data-quality rule fired; the batch was aborted before any commit.
    #[error(
        "data-quality rule '{rule}' ({description}) failed on {rows} row(s) of '{table}'; the batch was aborted and nothing was committed. Fix the source data or lower the rule's severity. First failing row:\n{example}"
    )]
    RuleFailed {
        /// Table the batch was for.
        table: String,
        /// Rule name.
        rule: String,
        /// Rule description.
        description: String,
        /// Rows violating the rule.
        rows: u64,
        /// The first violating row, rendered.
        example: String,
    },

    /// The caller's silver transform (see `SilverBuilder::with_transform`) failed; the
    /// batch was aborted before any commit.
    #[error("the silver transform for '{table}' failed: {source}")]
    Transform {
        /// Silver table URI.
        table: String,
        /// The transform's own error, unchanged: downcast it
        /// (`source.downcast_ref::<YourError>()`) to get your type back.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// A landing file could not be read.
    #[error("cannot read landing file '{file}' for '{table}': {source}")]
    LandingFile {
        /// Target table.
        table: String,
        /// The file.
        file: String,
        /// The Polars error.
        #[source]
        source: Box<PolarsError>,
    },

    /// A landed CSV file's header cannot be used, so bronze cannot take the file (bad
    /// rows are not errors: bronze keeps them with `_ingest_issue`). The message names
    /// the file and the problem; header names are column names, never field values.
    #[error(
        "cannot ingest landing file '{file}' into '{table}': line {line}: {reason}; fix the header (the first line names the columns) and re-run"
    )]
    LandingHeader {
        /// Target table.
        table: String,
        /// The file, relative to the landing root.
        file: String,
        /// 1-based line of the problem.
        line: u64,
        /// What is wrong.
        reason: String,
    },

    /// Polars failed while reading a batch of landing files. Polars' message is withheld:
    /// a parse error quotes the row it failed on, which can hold patient data.
    #[error(
        "reading the landing files of '{table}' failed: Polars {kind} error (its message is withheld because it can quote field values); files of the batch: [{}]; nothing was committed",
        files.join(", ")
    )]
    LandingRead {
        /// Target table.
        table: String,
        /// The files of the batch (relative to the landing root).
        files: Vec<String>,
        /// The kind of Polars error (e.g. `ComputeError`).
        kind: &'static str,
    },

    /// Filesystem error outside delta-rs (e.g. scanning a landing directory).
    #[error("I/O error at '{path}' during {operation}: {source}")]
    Io {
        /// Path involved.
        path: String,
        /// Operation name.
        operation: &'static str,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The background task that feeds batches to the writer died.
    #[error(
        "internal error during {operation} on '{table}': {reason} (this is a bug in medallion-core; please report it)"
    )]
    Internal {
        /// Table URI.
        table: String,
        /// Operation name.
        operation: &'static str,
        /// Details.
        reason: String,
    },
}

impl Error {
    /// Wraps a delta-rs error with table and operation context.
    pub(crate) fn delta(table: &str, operation: &'static str, source: DeltaTableError) -> Self {
        Error::Delta {
            table: table.to_string(),
            operation,
            source: Box::new(source),
        }
    }

    /// Wraps a Polars error with table and operation context.
    pub(crate) fn polars(table: &str, operation: &'static str, source: PolarsError) -> Self {
        Error::Polars {
            table: table.to_string(),
            operation,
            source: Box::new(source),
        }
    }

    /// Wraps an arrow-rs error.
    pub(crate) fn arrow(operation: &'static str, source: arrow::error::ArrowError) -> Self {
        Error::Arrow {
            operation,
            source: Box::new(source),
        }
    }
}

/// The kind of a Polars error (its variant name), for messages that must not quote the
/// error's text.
pub(crate) fn polars_error_kind(error: &PolarsError) -> &'static str {
    match error {
        PolarsError::AssertionError(_) => "AssertionError",
        PolarsError::ColumnNotFound(_) => "ColumnNotFound",
        PolarsError::ComputeError(_) => "ComputeError",
        PolarsError::Duplicate(_) => "Duplicate",
        PolarsError::InvalidOperation(_) => "InvalidOperation",
        PolarsError::IO { .. } => "IO",
        PolarsError::NoData(_) => "NoData",
        PolarsError::OutOfBounds(_) => "OutOfBounds",
        PolarsError::SchemaFieldNotFound(_) => "SchemaFieldNotFound",
        PolarsError::SchemaMismatch(_) => "SchemaMismatch",
        PolarsError::ShapeMismatch(_) => "ShapeMismatch",
        PolarsError::Context { error, .. } => polars_error_kind(error),
        _ => "other",
    }
}

/// The first Polars error in `error`'s source chain, if any.
pub(crate) fn polars_error_in<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a PolarsError> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(polars) = e.downcast_ref::<PolarsError>() {
            return Some(polars);
        }
        if let Some(polars) = e.downcast_ref::<Box<PolarsError>>() {
            return Some(polars);
        }
        current = e.source();
    }
    None
}
