//! The crate's error type.

use std::path::PathBuf;

#[cfg(feature = "polars")]
use polars::prelude::PolarsError;

use crate::spec::TableKind;
use crate::version::SyntheaVersion;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How one file's header differs from the layout of one version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderMismatch {
    /// The file.
    pub path: PathBuf,
    /// The table the file holds.
    pub table: TableKind,
    /// The version the header was compared with.
    pub compared_with: SyntheaVersion,
    /// Columns that version requires but the header lacks.
    pub missing: Vec<String>,
    /// Header columns that version does not have.
    pub unexpected: Vec<String>,
    /// The subset of `unexpected` that other Synthea versions of the table have (a sign
    /// of a mixed or misdetected layout rather than harmless drift).
    pub from_other_versions: Vec<String>,
    /// Every column the header has, in order.
    pub found: Vec<String>,
    /// `true` when the table does not exist at all in `compared_with`.
    pub table_not_in_version: bool,
}

/// Everything that can go wrong in this crate. Row-level data problems in lenient mode
/// are *not* errors: they become nulls plus a `_parse_errors` entry, or DQ flags.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or directory could not be read.
    #[error("cannot read {path}: {source}. Check the path exists and is readable")]
    Io {
        /// The path.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// A file has no header line.
    #[error("{path} is empty: expected a header line for table `{table}`")]
    EmptyFile {
        /// The file.
        path: PathBuf,
        /// The table the file should hold.
        table: TableKind,
    },

    /// A required file (patients or encounters) is absent.
    #[error(
        "{dir} has no `{table}` file (looked for {table}.csv, .parquet, .ndjson, .jsonl); \
         every Synthea export must contain it"
    )]
    MissingRequiredFile {
        /// The directory.
        dir: PathBuf,
        /// The missing table.
        table: TableKind,
    },

    /// The same table exists in several formats in one directory.
    #[error(
        "{dir} holds table `{table}` more than once ({paths:?}); keep exactly one file per table"
    )]
    DuplicateTableFiles {
        /// The directory.
        dir: PathBuf,
        /// The table.
        table: TableKind,
        /// The competing files.
        paths: Vec<PathBuf>,
    },

    /// No Synthea version matches every file header (mixed or unknown layout).
    #[error("{}", unrecognized_layout_message(dir, mismatches))]
    UnrecognizedLayout {
        /// The directory.
        dir: PathBuf,
        /// Per file: the difference to the closest version.
        mismatches: Vec<HeaderMismatch>,
    },

    /// A file lacks columns its version requires.
    #[error(
        "{path}: table `{table}` ({version} layout) is missing required column(s) {missing:?}; \
         found columns {found:?}"
    )]
    MissingColumns {
        /// The file.
        path: PathBuf,
        /// The table.
        table: TableKind,
        /// The layout the file was read as.
        version: SyntheaVersion,
        /// Missing column names.
        missing: Vec<String>,
        /// Columns the file has.
        found: Vec<String>,
    },

    /// A table does not exist in the requested version.
    #[error("table `{table}` does not exist in Synthea {version} exports")]
    TableNotInVersion {
        /// The table.
        table: TableKind,
        /// The version.
        version: SyntheaVersion,
    },

    /// A column has a dtype that cannot be converted to the spec's dtype.
    #[error(
        "{table}.{column}: expected dtype {expected}, found {found}; \
         read the table with the typed readers or cast it first"
    )]
    ColumnType {
        /// The table.
        table: TableKind,
        /// The raw column name.
        column: String,
        /// Expected dtype (display form).
        expected: String,
        /// Found dtype (display form).
        found: String,
    },

    /// Strict mode: a value could not be parsed.
    #[error(
        "{path}: column {column} (expected {expected}), data row {row}{}: cannot parse {value:?}; \
         fix the value or read in lenient mode to null it and record it in `_parse_errors`",
        line.map(|l| format!(" (file line {l})")).unwrap_or_default()
    )]
    Parse {
        /// The file.
        path: PathBuf,
        /// Raw column name.
        column: String,
        /// 1-based data row (the header is not counted).
        row: u64,
        /// 1-based physical line in the file, when the format has lines: `row + 1` for
        /// CSV (header on line 1; Synthea never writes quoted newlines), `row` for NDJSON,
        /// `None` for Parquet.
        line: Option<u64>,
        /// The offending text.
        value: String,
        /// What was expected, e.g. `timestamp YYYY-MM-DDTHH:MM:SSZ`.
        expected: String,
    },

    /// The name is not a Synthea table.
    #[error("`{name}` is not a Synthea table; known tables: {known:?}")]
    UnknownTable {
        /// The given name.
        name: String,
        /// Known table names.
        known: Vec<String>,
    },

    /// A configuration value is invalid.
    #[error("invalid configuration `{field}` = {value:?}: {reason}")]
    InvalidConfig {
        /// The field.
        field: &'static str,
        /// The value given.
        value: String,
        /// Why it is invalid and what is allowed.
        reason: String,
    },

    /// An input frame does not meet the silver column contract of its table (see
    /// [`crate::columns::require`]).
    #[error(
        "silver `{table}` input: column `{column}` {}; columns present: {present:?}",
        contract_problem(expected.as_deref(), found.as_deref())
    )]
    SilverContract {
        /// The silver table the input should be.
        table: TableKind,
        /// The silver column name.
        column: String,
        /// The contract's dtype (display form); `None` when `table` has no such column.
        expected: Option<String>,
        /// The input's dtype (display form); `None` when the input lacks the column.
        found: Option<String>,
        /// Every column the input has, in order.
        present: Vec<String>,
    },

    /// An error from Polars while planning or executing a query.
    #[cfg(feature = "polars")]
    #[error("polars error while {context}: {source}")]
    Polars {
        /// What this crate was doing.
        context: String,
        /// The Polars error.
        #[source]
        source: PolarsError,
    },
}

fn contract_problem(expected: Option<&str>, found: Option<&str>) -> String {
    match (expected, found) {
        (None, _) => "is not in the silver contract of this table".to_string(),
        (Some(expected), None) => format!("is missing (expected dtype {expected})"),
        (Some(expected), Some(found)) => format!("has dtype {found}, expected {expected}"),
    }
}

fn unrecognized_layout_message(dir: &std::path::Path, mismatches: &[HeaderMismatch]) -> String {
    let mut msg = format!(
        "{}: the CSV headers match no single Synthea version (mixed or unknown layout). \
         Differences to the closest version:",
        dir.display()
    );
    for m in mismatches {
        if m.table_not_in_version {
            msg.push_str(&format!(
                "\n  {}: table `{}` does not exist in {}",
                m.path.display(),
                m.table,
                m.compared_with
            ));
        } else {
            msg.push_str(&format!(
                "\n  {} (vs {}): missing {:?}, unexpected {:?}; found {:?}",
                m.path.display(),
                m.compared_with,
                m.missing,
                m.unexpected,
                m.found
            ));
        }
    }
    msg
}

/// Attach context to Polars errors.
#[cfg(feature = "polars")]
pub(crate) trait PolarsContext<T> {
    /// Wrap a `PolarsError` with what we were doing.
    fn ctx(self, context: impl FnOnce() -> String) -> Result<T>;
}

#[cfg(feature = "polars")]
impl<T> PolarsContext<T> for std::result::Result<T, PolarsError> {
    fn ctx(self, context: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|source| Error::Polars {
            context: context(),
            source,
        })
    }
}
