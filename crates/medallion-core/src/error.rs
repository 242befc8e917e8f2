//! The crate's error type.
//!
//! # Patient data never appears in messages
//!
//! Tables hold patient data. Every message names the table, the operation, the file,
//! the row (lineage: `_source_file`, `_source_row`), the column and the kind of problem;
//! a data value appears at most as [`medallion_model::redact::redacted_excerpt`] (its
//! shape, cut short). Concretely:
//! - [`Error::RuleFailed`] names the rule, the columns it reads and where the first
//!   failing row came from — not the row.
//! - [`Error::DuplicateMergeKeys`] shows the duplicated key redacted.
//! - Polars errors raised while evaluating data (a transform's strict cast, a rule, a
//!   comparison of rows) can quote the offending values; they are wrapped with
//!   `Error::polars_data`, which keeps the error kind, column names and dtypes and masks
//!   every double-quoted text and bracketed value list. Polars errors from planning
//!   (schemas, missing columns) quote column names only and are kept as they are.
//! - [`Error::Transform`] carries the caller's own error unchanged: a transform must not
//!   put values in its errors either.

use deltalake::DeltaTableError;
use medallion_model::redact::{DEFAULT_EXCERPT_CHARS, redacted_excerpt};
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
        "MERGE into '{table}': the source has {duplicate_keys} key value(s) on [{}] that occur more than once (first, redacted: {}); deduplicate the source (e.g. keep the latest by an ordering column) before merging",
        keys.join(", "),
        redacted_excerpt(example, DEFAULT_EXCERPT_CHARS)
    )]
    DuplicateMergeKeys {
        /// Table URI.
        table: String,
        /// The merge key columns.
        keys: Vec<String>,
        /// Number of distinct key values that are duplicated.
        duplicate_keys: usize,
        /// One duplicated key, rendered (shown redacted by `Display`).
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

    /// A write was refused because rows violate the table's constraints; nothing was
    /// committed. The message names the constraints, never a row's values.
    #[error(
        "{operation} on '{table}' refused: {} row(s) violate the table's constraints [{}]; nothing was committed. Quarantine such rows with a data-quality rule, or fix the source data",
        rows.map_or("some".to_string(), |n| n.to_string()),
        if constraints.is_empty() { "non-nullable columns".to_string() } else { constraints.join(", ") }
    )]
    ConstraintViolated {
        /// Table URI.
        table: String,
        /// Operation name.
        operation: &'static str,
        /// The table's constraints, as `name (expression)`.
        constraints: Vec<String>,
        /// Violating rows in the first batch that failed, when delta-rs reported them.
        rows: Option<u64>,
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
        "data-quality rule '{rule}' ({description}) on column(s) [{}] failed on {rows} row(s) of '{table}' (first: {example}); the batch was aborted and nothing was committed. Fix the source data or lower the rule's severity",
        columns.join(", ")
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
        /// The columns the rule's expression reads (boxed: keeps the error small).
        columns: Box<[String]>,
        /// Where the first violating row came from (source file and row, or its position
        /// in the checked rows) — never its values.
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

    /// A Kafka broker could not be reached, or a Kafka operation failed (the message
    /// names the bootstrap servers, the topic and the operation, never a payload).
    #[cfg(feature = "kafka")]
    #[error("Kafka {operation} (bootstrap servers {bootstrap}, topic {topic}) failed: {reason}")]
    Kafka {
        /// The bootstrap servers.
        bootstrap: String,
        /// The topic.
        topic: String,
        /// Operation name (e.g. `connect`, `fetch watermarks`, `publish`).
        operation: &'static str,
        /// What went wrong.
        reason: String,
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

    /// A SQL query names a table the lakehouse session does not have.
    #[error(
        "SQL: table '{table}' not found; tables of this lakehouse: [{}]",
        available.join(", ")
    )]
    SqlTableNotFound {
        /// The table as the query named it.
        table: String,
        /// The registered tables (`schema.table`).
        available: Vec<String>,
    },

    /// A SQL query names a column that none of its tables has.
    #[error(
        "SQL: column '{column}' not found; columns in scope: [{}]",
        available.join(", ")
    )]
    SqlColumnNotFound {
        /// The column as the query named it.
        column: String,
        /// The columns of the query's tables (qualified by table).
        available: Vec<String>,
    },

    /// A SQL query could not be parsed, planned or executed (see the `sql` module).
    #[error("SQL {stage} error: {reason}")]
    Sql {
        /// `parse`, `plan`, `register`, `execute` or `output`.
        stage: &'static str,
        /// DataFusion's message (quoted values redacted for execution errors).
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

    /// Wraps a Polars error raised while evaluating data (casts, rules, comparisons of
    /// rows): its message may quote values, so double-quoted text and bracketed value
    /// lists are redacted (see the module documentation). Errors that only name columns
    /// (missing or duplicate columns) are kept as they are.
    pub(crate) fn polars_data(table: &str, operation: &'static str, source: PolarsError) -> Self {
        Self::polars(table, operation, redact_polars(source))
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

/// `error` with the values its message may quote redacted, of the same kind.
fn redact_polars(error: PolarsError) -> PolarsError {
    let redact = |message: &str| redact_values(message).into();
    match error {
        PolarsError::ColumnNotFound(_)
        | PolarsError::Duplicate(_)
        | PolarsError::SchemaFieldNotFound(_)
        | PolarsError::StructFieldNotFound(_) => error,
        PolarsError::ComputeError(m) => PolarsError::ComputeError(redact(&m)),
        PolarsError::InvalidOperation(m) => PolarsError::InvalidOperation(redact(&m)),
        PolarsError::SchemaMismatch(m) => PolarsError::SchemaMismatch(redact(&m)),
        PolarsError::ShapeMismatch(m) => PolarsError::ShapeMismatch(redact(&m)),
        PolarsError::OutOfBounds(m) => PolarsError::OutOfBounds(redact(&m)),
        other => PolarsError::ComputeError(redact(&other.to_string())),
    }
}

/// `message` with the content of every `"…"` and `[…]` replaced by its
/// [`redacted_excerpt`]; column names (`'…'`) and dtypes (`` `…` ``) stay.
pub(crate) fn redact_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find(['"', '[']) {
        let open = rest[start..].chars().next().unwrap_or('"');
        let close = if open == '[' { ']' } else { '"' };
        let body = &rest[start + 1..];
        let Some(len) = closing(body, open, close) else {
            out.push_str(&rest[..start + 1]);
            out.push_str(&redacted_excerpt(body, DEFAULT_EXCERPT_CHARS));
            return out;
        };
        out.push_str(&rest[..=start]);
        out.push_str(&redacted_excerpt(&body[..len], DEFAULT_EXCERPT_CHARS));
        out.push(close);
        rest = &body[len + close.len_utf8()..];
    }
    out.push_str(rest);
    out
}

/// Byte length of `body` up to its matching `close` (brackets nest), if any.
fn closing(body: &str, open: char, close: char) -> Option<usize> {
    if open == close {
        return body.find(close);
    }
    let mut depth = 0usize;
    for (i, c) in body.char_indices() {
        if c == open {
            depth += 1;
        } else if c == close {
            if depth == 0 {
                return Some(i);
            }
            depth -= 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_and_listed_values_are_redacted_names_and_dtypes_stay() {
        let message = "conversion from `str` to `i64` failed in column 'ssn' for 2 out of 3 values: [\"999-12-3456\", \"Zebulon Quixote\"]";
        let redacted = redact_values(message);
        assert!(!redacted.contains("999-12-3456"), "{redacted}");
        assert!(!redacted.contains("Zebulon"), "{redacted}");
        assert!(
            redacted.contains("`str` to `i64` failed in column 'ssn' for 2 out of 3 values: [")
        );
    }

    #[test]
    fn an_unclosed_quote_is_redacted_to_the_end() {
        let redacted = redact_values("bad value \"Zebulon Quixote");
        assert_eq!(redacted, "bad value \"Xxxxxxx Xxxxxxx");
    }

    #[test]
    fn duplicate_merge_keys_show_the_key_redacted() {
        let error = Error::DuplicateMergeKeys {
            table: "t".into(),
            keys: vec!["ssn".into()],
            duplicate_keys: 1,
            example: "999-12-3456".into(),
        };
        let message = error.to_string();
        assert!(
            !message.contains("999-12-3456") && message.contains("999-99-9999"),
            "{message}"
        );
    }
}
