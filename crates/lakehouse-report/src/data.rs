//! Reading columns of the input frames as plain Rust values.

use polars::prelude::*;

use crate::error::{ReportError, Result};

/// A named input table.
pub(crate) struct Table<'a> {
    pub(crate) name: &'a str,
    pub(crate) frame: &'a DataFrame,
}

impl Table<'_> {
    fn column(&self, column: &str, dtype: &DataType) -> Result<Series> {
        let found = self
            .frame
            .column(column)
            .map_err(|_| ReportError::MissingColumn {
                table: self.name.to_string(),
                column: column.to_string(),
                available: self
                    .frame
                    .get_column_names()
                    .iter()
                    .map(|c| c.to_string())
                    .collect(),
            })?;
        found
            .as_materialized_series()
            .cast(dtype)
            .map_err(|e| ReportError::Polars {
                table: self.name.to_string(),
                column: column.to_string(),
                source: Box::new(e),
            })
    }

    /// The column as text (dates and numbers rendered by Polars), nulls as `None`.
    pub(crate) fn strings(&self, column: &str) -> Result<Vec<Option<String>>> {
        let series = self.column(column, &DataType::String)?;
        let values = series.str().map_err(|e| self.polars_error(column, e))?;
        Ok(values.iter().map(|v| v.map(str::to_string)).collect())
    }

    /// The column as floats, nulls as `None`.
    pub(crate) fn floats(&self, column: &str) -> Result<Vec<Option<f64>>> {
        let series = self.column(column, &DataType::Float64)?;
        let values = series.f64().map_err(|e| self.polars_error(column, e))?;
        Ok(values.iter().collect())
    }

    fn polars_error(&self, column: &str, e: PolarsError) -> ReportError {
        ReportError::Polars {
            table: self.name.to_string(),
            column: column.to_string(),
            source: Box::new(e),
        }
    }
}
