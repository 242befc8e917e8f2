//! How a silver table presents itself to other engines: which columns carry file
//! statistics, the change data feed, and the constraints every write must satisfy.

use polars::prelude::*;

use super::bronze::{BATCH_ID, INGESTED_AT};
use crate::error::{Error, Result};
use crate::location::TableLocation;
use crate::ops::constraints::{AddConstraintsBuilder, Constraint};

/// Delta property naming the columns whose min/max/null counts each file's `add`
/// records (engines skip files with them); without it only the first 32 columns get
/// statistics.
pub(crate) const STATS_COLUMNS_PROPERTY: &str = "delta.dataSkippingStatsColumns";
/// Delta property turning on the change data feed.
pub(crate) const CHANGE_DATA_FEED_PROPERTY: &str = "delta.enableChangeDataFeed";

/// The lineage columns that get statistics by default (filters on a batch or an
/// ingestion time).
const LINEAGE_STATS_COLUMNS: [&str; 2] = [BATCH_ID, INGESTED_AT];

/// The layout options of a silver table (see the `SilverBuilder` setters).
#[derive(Debug, Clone)]
pub(crate) struct SilverLayout {
    /// Explicit statistics columns; `None` for the default.
    pub(crate) stats_columns: Option<Vec<String>>,
    /// Whether the table records its change data feed.
    pub(crate) change_data_feed: bool,
    /// Constraints added to the table.
    pub(crate) constraints: Vec<Constraint>,
}

impl Default for SilverLayout {
    fn default() -> Self {
        Self {
            stats_columns: None,
            change_data_feed: true,
            constraints: Vec::new(),
        }
    }
}

impl SilverLayout {
    /// The `delta.*` properties a new silver table is created with, for rows of
    /// `schema` keyed by `keys`.
    pub(crate) fn creation_properties(
        &self,
        schema: &Schema,
        keys: &[String],
    ) -> Vec<(String, String)> {
        let mut properties = Vec::new();
        let columns = match &self.stats_columns {
            Some(columns) => columns
                .iter()
                .filter(|c| schema.contains(c.as_str()))
                .cloned()
                .collect(),
            None => default_stats_columns(schema, keys),
        };
        if !columns.is_empty() {
            let listed: Vec<String> = columns.iter().map(|c| quoted(c)).collect();
            properties.push((STATS_COLUMNS_PROPERTY.to_string(), listed.join(",")));
        }
        if self.change_data_feed {
            properties.push((CHANGE_DATA_FEED_PROPERTY.to_string(), "true".to_string()));
        }
        properties
    }

    /// Adds the constraints the table lacks (none after the first run; nothing while
    /// there is no table yet); the commit carries `commit_metadata`.
    pub(crate) async fn ensure_constraints(
        &self,
        silver: &TableLocation,
        commit_metadata: Vec<(String, serde_json::Value)>,
    ) -> Result<()> {
        if self.constraints.is_empty() {
            return Ok(());
        }
        match AddConstraintsBuilder::new(silver)?
            .with_constraints(self.constraints.clone())
            .with_commit_entries(commit_metadata)
            .await
        {
            Ok(_) | Err(Error::TableNotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// The default statistics columns, in table order: the keys, every date and datetime
/// column, and the lineage columns `_batch_id` and `_ingested_at`.
pub(crate) fn default_stats_columns(schema: &Schema, keys: &[String]) -> Vec<String> {
    schema
        .iter()
        .filter(|(name, dtype)| {
            keys.iter().any(|k| k == name.as_str())
                || LINEAGE_STATS_COLUMNS.contains(&name.as_str())
                || matches!(dtype, DataType::Date | DataType::Datetime(_, _))
        })
        .map(|(name, _)| name.to_string())
        .collect()
}

/// A column name as Delta's column lists spell it (backquoted when not a plain name).
fn quoted(column: &str) -> String {
    if column
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        column.to_string()
    } else {
        format!("`{}`", column.replace('`', "``"))
    }
}

/// The schema of `rows`, for the creation properties.
pub(crate) fn schema_of(rows: &LazyFrame, table: &str) -> Result<Schema> {
    rows.clone()
        .collect_schema()
        .map(|s| s.as_ref().clone())
        .map_err(|e| Error::polars(table, "silver", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Schema {
        Schema::from_iter([
            Field::new("id".into(), DataType::String),
            Field::new("note".into(), DataType::String),
            Field::new("start".into(), DataType::Date),
            Field::new(
                "stop".into(),
                DataType::Datetime(TimeUnit::Microseconds, None),
            ),
            Field::new("_batch_id".into(), DataType::Int64),
            Field::new("_source_file".into(), DataType::String),
        ])
    }

    #[test]
    fn default_statistics_cover_keys_dates_and_batch_lineage_in_table_order() {
        let columns = default_stats_columns(&schema(), &["id".to_string()]);
        assert_eq!(columns, ["id", "start", "stop", "_batch_id"]);
    }

    #[test]
    fn explicit_statistics_columns_missing_from_the_rows_are_left_out() {
        let layout = SilverLayout {
            stats_columns: Some(vec!["note".into(), "gone".into()]),
            change_data_feed: false,
            ..SilverLayout::default()
        };
        let properties = layout.creation_properties(&schema(), &[]);
        assert_eq!(
            properties,
            [(STATS_COLUMNS_PROPERTY.to_string(), "note".to_string())]
        );
    }

    #[test]
    fn unusual_column_names_are_backquoted_in_the_statistics_list() {
        assert_eq!(quoted("Patient Id"), "`Patient Id`");
        assert_eq!(quoted("_batch_id"), "_batch_id");
    }
}
