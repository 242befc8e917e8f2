//! The crate's error type.

use polars::prelude::PolarsError;

/// Result alias of this crate.
pub type Result<T, E = ReportError> = std::result::Result<T, E>;

/// What can go wrong while building the report. Messages name tables, columns and charts,
/// never values.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// A table given to the report lacks a column a chart needs.
    #[error("table '{table}' has no column '{column}' (the report needs it); columns: [{}]", available.join(", "))]
    MissingColumn {
        /// The table.
        table: String,
        /// The missing column.
        column: String,
        /// The table's columns.
        available: Vec<String>,
    },
    /// A column could not be read as the type the chart needs.
    #[error("table '{table}', column '{column}': {source}")]
    Polars {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// Polars' error.
        #[source]
        source: Box<PolarsError>,
    },
    /// plotters could not draw a chart.
    #[error("drawing chart '{chart}' failed: {reason}")]
    Chart {
        /// The chart title.
        chart: String,
        /// plotters' message.
        reason: String,
    },
}
