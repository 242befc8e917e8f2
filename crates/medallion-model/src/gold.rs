//! A gold table as a value, returned by the metric crates and written by
//! `medallion-core`'s `GoldWriteBuilder`.

use polars::prelude::LazyFrame;

/// One gold table: what to write and how to describe it.
///
/// Metric crates build these (each with its own `metric_version`); a pipeline writes
/// them without knowing their names in advance.
#[derive(Clone)]
#[non_exhaustive]
pub struct GoldTable {
    /// Table name under `gold/` (snake_case), e.g. `readmission_rates`.
    pub name: String,
    /// The rows (lazy; collected by the writer).
    pub frame: LazyFrame,
    /// Partition columns, in order. Default: none.
    pub partition_columns: Vec<String>,
    /// Version of the definition that computed the rows, recorded in the table's
    /// `metric_version` property. Change it whenever the rows would change for the same
    /// inputs.
    pub metric_version: String,
    /// What one row is and what the table answers (its output grain), for catalogs.
    /// Default: empty.
    pub description: String,
    /// Comments per column, for catalogs and BI tools. Default: none.
    pub column_comments: Vec<(String, String)>,
}

impl std::fmt::Debug for GoldTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GoldTable")
            .field("name", &self.name)
            .field("partition_columns", &self.partition_columns)
            .field("metric_version", &self.metric_version)
            .field("description", &self.description)
            .finish_non_exhaustive()
    }
}

impl GoldTable {
    /// A gold table named `name` with rows `frame`, computed by definition
    /// `metric_version`.
    pub fn new(
        name: impl Into<String>,
        frame: LazyFrame,
        metric_version: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            frame,
            partition_columns: Vec::new(),
            metric_version: metric_version.into(),
            description: String::new(),
            column_comments: Vec::new(),
        }
    }

    /// Partition the table by these columns.
    #[must_use]
    pub fn with_partition_columns<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.partition_columns = columns.into_iter().map(Into::into).collect();
        self
    }

    /// Describe the table (its output grain).
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Add a comment to a column.
    #[must_use]
    pub fn with_column_comment(
        mut self,
        column: impl Into<String>,
        comment: impl Into<String>,
    ) -> Self {
        self.column_comments.push((column.into(), comment.into()));
        self
    }

    /// The same table with its frame transformed (e.g. a final sort).
    #[must_use]
    pub fn map_frame(mut self, f: impl FnOnce(LazyFrame) -> LazyFrame) -> Self {
        self.frame = f(self.frame);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    #[test]
    fn setters_record_partitions_description_and_comments() -> PolarsResult<()> {
        let frame = df!("month" => ["2024-01"], "n" => [3i64])?.lazy();
        let table = GoldTable::new("census_monthly", frame, "census-2")
            .with_partition_columns(["month"])
            .with_description("One row per month.")
            .with_column_comment("n", "stays");
        assert_eq!(table.partition_columns, vec!["month".to_string()]);
        assert_eq!(table.metric_version, "census-2");
        assert_eq!(table.description, "One row per month.");
        assert_eq!(table.column_comments, vec![("n".into(), "stays".into())]);
        let debug = format!("{table:?}");
        assert!(debug.contains("census_monthly"), "{debug}");
        Ok(())
    }
}
