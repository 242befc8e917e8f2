//! Gold: recomputed tables written by overwrite or `replace_where`, with a metric version.

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::location::TableLocation;
use crate::write::{SchemaEvolution, WriteBuilder, WriteMode, WriteReport};

/// Table property recording which definition produced a gold table.
pub const METRIC_VERSION_PROPERTY: &str = "metric_version";

/// Writes a recomputed gold table; run with `.await`.
///
/// Gold tables are derived, so they are replaced, not appended: the whole table by
/// default, or only the partition(s) matching [`GoldWriteBuilder::with_replace_where`].
/// The schema may change between metric versions (overwrite replaces it). The table
/// property `metric_version` records the definition version.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use medallion_core::pipeline::GoldWriteBuilder;
/// use medallion_core::table_properties;
/// use polars::prelude::*;
///
/// let dir = tempfile::tempdir()?;
/// let rates = df!("month" => ["2024-01"], "rate" => [0.12])?;
/// GoldWriteBuilder::new(dir.path(), rates.lazy(), "readmission-v1")?.await?;
/// assert_eq!(table_properties(dir.path()).await?["metric_version"], "readmission-v1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[must_use = "a GoldWriteBuilder does nothing until awaited"]
pub struct GoldWriteBuilder {
    location: TableLocation,
    frame: LazyFrame,
    metric_version: String,
    replace_where: Option<String>,
    partition_columns: Vec<String>,
    run_id: Option<String>,
    commit_metadata: Vec<(String, serde_json::Value)>,
}

impl GoldWriteBuilder {
    /// Replaces the gold table at `location` with `frame`, tagged `metric_version`.
    ///
    /// # Errors
    /// [`Error::InvalidLocation`] for an unusable location.
    pub fn new(
        location: impl TryInto<TableLocation, Error = Error>,
        frame: LazyFrame,
        metric_version: impl Into<String>,
    ) -> Result<Self> {
        Ok(Self {
            location: location.try_into()?,
            frame,
            metric_version: metric_version.into(),
            replace_where: None,
            partition_columns: Vec::new(),
            run_id: None,
            commit_metadata: Vec::new(),
        })
    }

    /// Replace only rows matching this SQL predicate (e.g. `"discharge_month = '2024-03'"`).
    /// Default: replace the whole table.
    pub fn with_replace_where(mut self, predicate: impl Into<String>) -> Self {
        self.replace_where = Some(predicate.into());
        self
    }

    /// Partition columns (must match an existing table's for `replace_where`). Default: none.
    pub fn with_partition_columns(
        mut self,
        columns: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.partition_columns = columns.into_iter().map(Into::into).collect();
        self
    }

    /// Records the pipeline run id in the commit metadata. Default: none.
    pub fn with_run_id(mut self, run_id: impl Into<String>) -> Self {
        self.run_id = Some(run_id.into());
        self
    }

    /// Adds a key to the commit metadata (e.g. what the table was computed from, so a
    /// later run can tell whether it is current). Default: none.
    pub fn with_commit_metadata(
        mut self,
        key: impl Into<String>,
        value: impl Into<serde_json::Value>,
    ) -> Self {
        self.commit_metadata.push((key.into(), value.into()));
        self
    }

    async fn execute(self) -> Result<WriteReport> {
        let mut write = WriteBuilder::new(&self.location, self.frame)?
            .with_mode(WriteMode::Overwrite)
            .with_partition_columns(self.partition_columns)
            .with_table_property(METRIC_VERSION_PROPERTY, self.metric_version.clone())
            .with_commit_metadata(METRIC_VERSION_PROPERTY, self.metric_version);
        write = match self.replace_where {
            Some(predicate) => write.with_replace_where(predicate),
            None => write.with_schema_evolution(SchemaEvolution::Overwrite),
        };
        if let Some(run_id) = self.run_id {
            write = write.with_commit_metadata("run_id", run_id);
        }
        for (key, value) in self.commit_metadata {
            write = write.with_commit_metadata(key, value);
        }
        write.await
    }
}

awaitable_builder!(GoldWriteBuilder => WriteReport);
