//! The crate's error type.

use polars::prelude::PolarsError;

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while building journey tables.
///
/// Input problems ([`Error::Silver`] for silver tables, [`Error::MissingColumn`] /
/// [`Error::ColumnType`] for other inputs, [`Error::InvalidConfig`]) name the table,
/// column or setting to fix; engine failures are wrapped unchanged in [`Error::Polars`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A non-silver input frame (e.g. the journeys given to `time_to_treatment`) lacks a
    /// column the transform needs.
    #[error("input `{table}` has no column `{column}`; found columns: {found:?}")]
    MissingColumn {
        /// Logical input name (e.g. `encounters`).
        table: &'static str,
        /// The missing column.
        column: String,
        /// The columns the input does have.
        found: Vec<String>,
    },
    /// An input column has the wrong dtype.
    #[error("input `{table}` column `{column}` has dtype {found}, expected {expected}")]
    ColumnType {
        /// Logical input name.
        table: &'static str,
        /// The column.
        column: String,
        /// The dtype the transform needs.
        expected: String,
        /// The dtype found.
        found: String,
    },
    /// A configuration value is out of range.
    #[error("invalid config `{field}` = {value}: {reason}")]
    InvalidConfig {
        /// Name of the offending setting.
        field: &'static str,
        /// Its value, rendered.
        value: String,
        /// What is accepted.
        reason: &'static str,
    },
    /// A silver input is not the table it should be: a column is missing or has another
    /// dtype ([`synthea_schema::Error::SilverContract`] names the table, the column, the
    /// expected and found dtypes and the columns present).
    #[error(transparent)]
    Silver(#[from] synthea_schema::Error),
    /// An error raised by Polars while planning or executing a query.
    #[error("polars: {source}")]
    Polars {
        /// The underlying error.
        #[from]
        source: PolarsError,
    },
}
