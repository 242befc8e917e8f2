//! Gold: recomputed tables written by overwrite or `replace_where`, with a metric version.

use polars::prelude::*;

pub use medallion_model::GoldTable;

use super::report::{Layer, TableRunReport};
use crate::error::{Error, Result};
use crate::location::TableLocation;
use crate::ops::properties::table_properties;
use crate::replace::{Replacement, replace_table};
use crate::write::{WriteBuilder, WriteReport};

/// Table property recording which definition produced a gold table.
pub const METRIC_VERSION_PROPERTY: &str = "metric_version";

/// Writes a recomputed gold table; run with `.await`.
///
/// Gold tables are derived, so they are replaced, not appended: the whole table by
/// default, or only the partition(s) matching [`GoldWriteBuilder::with_replace_where`].
///
/// A full replacement is **one** `WRITE` commit that holds the rows and the table's
/// metadata together: the schema (it may change between metric versions) with each
/// column's comment in its field metadata (`comment`), the partition columns, the
/// description, and the table property `metric_version`. So every version of the table
/// — including the one a reader time-travels to — says which definition computed its
/// rows. The commit's metadata also records `metric_version` and, when given, the run id.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use medallion_core::pipeline::{GoldTable, GoldWriteBuilder};
/// use medallion_core::table_properties;
/// use polars::prelude::*;
///
/// let dir = tempfile::tempdir()?;
/// let rates = df!("month" => ["2024-01"], "rate" => [0.12])?;
/// let table = GoldTable::new("readmission_rates", rates.lazy(), "readmission-v1")
///     .with_description("One row per discharge month.")
///     .with_column_comment("rate", "readmissions / index stays");
/// let report = GoldWriteBuilder::from_table(dir.path(), table)?.with_run_id("run-1").await?;
/// assert_eq!(report.version, Some(0));
/// assert_eq!(table_properties(dir.path()).await?["metric_version"], "readmission-v1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[must_use = "a GoldWriteBuilder does nothing until awaited"]
pub struct GoldWriteBuilder {
    location: TableLocation,
    table: GoldTable,
    replace_where: Option<String>,
    commit_metadata: Vec<(String, serde_json::Value)>,
}

impl GoldWriteBuilder {
    /// Replaces the gold table at `location` with `frame`, tagged `metric_version`.
    /// Partition columns, description and column comments are set with the `with_*`
    /// methods; [`GoldWriteBuilder::from_table`] takes them from a [`GoldTable`].
    ///
    /// # Errors
    /// [`Error::InvalidLocation`] for an unusable location.
    pub fn new(
        location: impl TryInto<TableLocation, Error = Error>,
        frame: LazyFrame,
        metric_version: impl Into<String>,
    ) -> Result<Self> {
        let location: TableLocation = location.try_into()?;
        let table = GoldTable::new(location.name(), frame, metric_version);
        Ok(Self::at(location, table))
    }

    /// Writes `table` to `location`: its rows, partition columns, metric version,
    /// description and column comments. Its name becomes the Delta table name; where
    /// the table lives is `location` (e.g. `<lake>/gold/<table.name>`).
    ///
    /// # Errors
    /// [`Error::InvalidLocation`] for an unusable location.
    pub fn from_table(
        location: impl TryInto<TableLocation, Error = Error>,
        table: GoldTable,
    ) -> Result<Self> {
        Ok(Self::at(location.try_into()?, table))
    }

    fn at(location: TableLocation, table: GoldTable) -> Self {
        Self {
            location,
            table,
            replace_where: None,
            commit_metadata: Vec::new(),
        }
    }

    /// Replace only rows matching this SQL predicate (e.g. `"discharge_month = '2024-03'"`).
    /// Default: replace the whole table.
    ///
    /// A partial replacement recomputes some partitions under the definition that
    /// computed the others, so it needs the table's `metric_version` to be this one
    /// (or the table to be new): a new metric version must recompute the whole table,
    /// else the run fails with [`Error::InvalidConfiguration`] before writing. It keeps
    /// the table's metadata (description, comments, properties) as they are.
    pub fn with_replace_where(mut self, predicate: impl Into<String>) -> Self {
        self.replace_where = Some(predicate.into());
        self
    }

    /// Partition columns (must match an existing table's for `replace_where`). Default:
    /// those of the [`GoldTable`], none for [`GoldWriteBuilder::new`].
    pub fn with_partition_columns(
        mut self,
        columns: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.table.partition_columns = columns.into_iter().map(Into::into).collect();
        self
    }

    /// The table description. Default: that of the [`GoldTable`], none for
    /// [`GoldWriteBuilder::new`].
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.table.description = description.into();
        self
    }

    /// Adds a column comment. Default: those of the [`GoldTable`], none for
    /// [`GoldWriteBuilder::new`].
    pub fn with_column_comment(
        mut self,
        column: impl Into<String>,
        comment: impl Into<String>,
    ) -> Self {
        self.table
            .column_comments
            .push((column.into(), comment.into()));
        self
    }

    commit_metadata_setters!();

    #[tracing::instrument(name = "medallion.gold", skip_all, fields(table = %self.location, metric_version = %self.table.metric_version))]
    async fn execute(self) -> Result<WriteReport> {
        let mut commit_metadata = self.commit_metadata;
        commit_metadata.push((
            METRIC_VERSION_PROPERTY.into(),
            self.table.metric_version.clone().into(),
        ));
        // The rows written are counted by the write and recorded in `operationMetrics`.
        commit_metadata
            .push(TableRunReport::empty(Layer::Gold, self.table.name.clone()).commit_metadata());
        match self.replace_where {
            Some(predicate) if table_exists(&self.location).await => {
                ensure_same_metric_version(&self.location, &self.table.metric_version).await?;
                let mut write = WriteBuilder::new(&self.location, self.table.frame)?
                    .with_replace_where(predicate)
                    .with_partition_columns(self.table.partition_columns);
                for (key, value) in commit_metadata {
                    write = write.with_commit_metadata(key, value);
                }
                write.await
            }
            // A new table: its first version holds only these rows either way.
            _ => replace_table(&self.location, replacement(self.table, commit_metadata)).await,
        }
    }
}

/// What the one replacing commit of a gold table records.
fn replacement(table: GoldTable, commit_metadata: Vec<(String, serde_json::Value)>) -> Replacement {
    let description = Some(table.description).filter(|d| !d.is_empty());
    Replacement {
        rows: table.frame,
        partition_columns: table.partition_columns,
        name: Some(table.name),
        description,
        properties: [(METRIC_VERSION_PROPERTY.to_string(), table.metric_version)]
            .into_iter()
            .collect(),
        column_comments: table.column_comments,
        commit_metadata,
    }
}

async fn table_exists(location: &TableLocation) -> bool {
    crate::table::open_existing(location, "gold write")
        .await
        .is_ok()
}

/// A partial replacement must not mix definitions in one table.
async fn ensure_same_metric_version(location: &TableLocation, metric_version: &str) -> Result<()> {
    let properties = table_properties(location).await?;
    let current = properties.get(METRIC_VERSION_PROPERTY);
    if current.map(String::as_str) == Some(metric_version) {
        return Ok(());
    }
    Err(Error::InvalidConfiguration {
        table: location.to_string(),
        operation: "gold write",
        reason: format!(
            "replace_where recomputes part of a table whose metric_version is {}, with \
             metric version '{metric_version}': the table would mix two definitions. \
             Recompute the whole table (no replace_where) when the metric version changes",
            current.map_or("not set".to_string(), |v| format!("'{v}'"))
        ),
    })
}

awaitable_builder!(GoldWriteBuilder => WriteReport);
