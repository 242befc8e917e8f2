//! Writing a Polars frame to a Delta table.

use std::collections::HashMap;
use std::num::{NonZeroU64, NonZeroUsize};
use std::time::{Duration, Instant};

use deltalake::DeltaTable;
use deltalake::datafusion::logical_expr::LogicalPlan;
use deltalake::operations::write::{SchemaMode, WriteBuilder as DeltaWriteBuilder};
use deltalake::protocol::SaveMode;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::blocking::run_blocking;
use crate::bridge::StringFormat;
use crate::delta_types::delta_compatible;
use crate::error::{Error, Result};
use crate::location::TableLocation;
use crate::ops::constraints::constraint_violation;
use crate::stream::{BatchObserver, stream_lazyframe};
use crate::table::{
    AppTransaction, commit_failed, commit_properties, ensure_not_committed, open_or_new,
    snapshot_of,
};

/// Rows per batch handed from Polars to the Parquet writer: [`WriteBuilder::with_batch_rows`].
pub const DEFAULT_BATCH_ROWS: usize = 131_072;

/// What to do when the table already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum WriteMode {
    /// Add rows to the table (creates it when missing). The default.
    #[default]
    Append,
    /// Replace the table's rows — all of them, or only those matching
    /// [`WriteBuilder::with_replace_where`].
    Overwrite,
    /// Fail if the table exists.
    ErrorIfExists,
    /// Do nothing if the table exists.
    Ignore,
}

/// How the input schema may differ from the table's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum SchemaEvolution {
    /// The input must match the table schema (the default).
    #[default]
    Strict,
    /// New input columns are added to the table; missing ones are written as nulls.
    Merge,
    /// Replace the table schema (only with [`WriteMode::Overwrite`]).
    Overwrite,
}

/// The outcome of a write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteReport {
    /// Table URI.
    pub table: String,
    /// Version committed by this write (`None` when [`WriteMode::Ignore`] skipped it).
    pub version: Option<u64>,
    /// Rows written.
    pub rows_written: u64,
    /// Parquet files added.
    pub files_added: usize,
    /// Parquet files logically removed (overwrite / replace_where).
    pub files_removed: usize,
    /// Wall time of the whole operation.
    pub duration: Duration,
}

/// Writes a [`LazyFrame`] to a Delta table; run it with `.await`.
///
/// The frame is executed on Polars' streaming engine and written batch by batch, so a
/// frame far larger than memory can be written (it is never collected whole). All
/// batches land in **one** commit.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use medallion_core::{WriteBuilder, WriteMode, ReadBuilder};
/// use polars::prelude::*;
///
/// let dir = tempfile::tempdir()?;
/// let df = df!("year" => [2020i32, 2021], "n" => [1i64, 2])?;
/// let report = WriteBuilder::new(dir.path(), df.clone().lazy())?
///     .with_partition_columns(["year"])
///     .with_commit_metadata("pipeline", "docs")
///     .await?;
/// assert_eq!((report.version, report.rows_written), (Some(0), 2));
///
/// let back = ReadBuilder::new(dir.path())?.await?.sort(["year"], Default::default()).collect()?;
/// assert_eq!(back.column("n")?.i64()?.get(1), Some(2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[must_use = "a WriteBuilder does nothing until awaited"]
pub struct WriteBuilder {
    location: TableLocation,
    input: LazyFrame,
    mode: WriteMode,
    schema_evolution: SchemaEvolution,
    partition_columns: Vec<String>,
    replace_where: Option<String>,
    table_properties: HashMap<String, String>,
    commit_metadata: Vec<(String, serde_json::Value)>,
    app_transaction: Option<AppTransaction>,
    batch_rows: NonZeroUsize,
    target_file_size: Option<NonZeroU64>,
    string_format: StringFormat,
    table_name: Option<String>,
    description: Option<String>,
    observer: Option<BatchObserver>,
}

impl WriteBuilder {
    /// A write of `input` to the table at `location` (a path or URL).
    ///
    /// # Errors
    /// [`Error::InvalidLocation`] for an unusable location.
    pub fn new(
        location: impl TryInto<TableLocation, Error = Error>,
        input: LazyFrame,
    ) -> Result<Self> {
        Ok(Self {
            location: location.try_into()?,
            input,
            mode: WriteMode::default(),
            schema_evolution: SchemaEvolution::default(),
            partition_columns: Vec::new(),
            replace_where: None,
            table_properties: HashMap::new(),
            commit_metadata: Vec::new(),
            app_transaction: None,
            batch_rows: NonZeroUsize::new(DEFAULT_BATCH_ROWS).unwrap_or(NonZeroUsize::MIN),
            target_file_size: None,
            string_format: StringFormat::Large,
            table_name: None,
            description: None,
            observer: None,
        })
    }

    /// What to do if the table exists. Default: [`WriteMode::Append`].
    pub fn with_mode(mut self, mode: WriteMode) -> Self {
        self.mode = mode;
        self
    }

    /// How schemas may differ. Default: [`SchemaEvolution::Strict`].
    pub fn with_schema_evolution(mut self, evolution: SchemaEvolution) -> Self {
        self.schema_evolution = evolution;
        self
    }

    /// Partition columns for a new table (must match an existing table's). Default: none.
    pub fn with_partition_columns(
        mut self,
        columns: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.partition_columns = columns.into_iter().map(Into::into).collect();
        self
    }

    /// Overwrite only the rows matching this SQL predicate (Delta `replaceWhere`), e.g.
    /// `"encounter_year = 2024"`. Implies [`WriteMode::Overwrite`]; every input row must
    /// satisfy the predicate. Default: none (a full overwrite).
    pub fn with_replace_where(mut self, predicate: impl Into<String>) -> Self {
        self.replace_where = Some(predicate.into());
        self.mode = WriteMode::Overwrite;
        self
    }

    /// A table property: `delta.*` settings are applied when the table is created; your
    /// own keys (e.g. `metric_version`) are set by a second commit right after the data
    /// commit, on new and existing tables alike ([`WriteReport::version`] is then the
    /// version of that second commit; it carries the same commit metadata, e.g. the run
    /// id) — delta-rs' write accepts no other keys. To replace
    /// a table's rows together with its properties in one commit, use
    /// [`crate::pipeline::GoldWriteBuilder`].
    pub fn with_table_property(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.table_properties.insert(key.into(), value.into());
        self
    }

    commit_metadata_setters!();

    /// Tags the commit with an application transaction; the write fails with
    /// [`Error::TransactionAlreadyCommitted`] if that version was committed before —
    /// also by a concurrent writer that committed first (see [`AppTransaction`]).
    pub fn with_app_transaction(mut self, txn: AppTransaction) -> Self {
        self.app_transaction = Some(txn);
        self
    }

    /// Rows per batch streamed from Polars. Default: [`DEFAULT_BATCH_ROWS`]. Memory use
    /// is a few batches, independent of the input size.
    pub fn with_batch_rows(mut self, rows: NonZeroUsize) -> Self {
        self.batch_rows = rows;
        self
    }

    /// Target Parquet file size in bytes. Default: delta-rs' default (100 MiB).
    pub fn with_target_file_size(mut self, bytes: NonZeroU64) -> Self {
        self.target_file_size = Some(bytes);
        self
    }

    /// String layout handed to delta-rs, and so declared in the Parquet files' Arrow
    /// schema. Default: [`StringFormat::Large`] (`large_string`/`large_binary`), which
    /// every reader understands; [`StringFormat::View`] saves one copy per batch but
    /// writes `string_view`, which e.g. pyarrow cannot filter on.
    pub fn with_string_format(mut self, format: StringFormat) -> Self {
        self.string_format = format;
        self
    }

    /// Table name stored in the metadata of a new table.
    pub fn with_table_name(mut self, name: impl Into<String>) -> Self {
        self.table_name = Some(name.into());
        self
    }

    /// Table description stored in the metadata of a new table.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Calls `observer` with every batch streamed from Polars, before it is written.
    pub(crate) fn with_batch_observer(mut self, observer: BatchObserver) -> Self {
        self.observer = Some(observer);
        self
    }

    /// The steps of a write: check the configuration and the table, stream the frame
    /// from Polars into delta-rs' write (one commit), then set user properties.
    #[tracing::instrument(name = "medallion.write", skip_all, fields(table = %self.location, mode = ?self.mode))]
    async fn execute(mut self) -> Result<WriteReport> {
        const OP: &str = "write";
        let started = Instant::now();
        let table_uri = self.location.to_string();
        if self.schema_evolution == SchemaEvolution::Overwrite && self.mode != WriteMode::Overwrite
        {
            return Err(Error::InvalidConfiguration {
                table: table_uri,
                operation: OP,
                reason: "SchemaEvolution::Overwrite requires WriteMode::Overwrite".into(),
            });
        }
        let table = open_or_new(&self.location, OP).await?;
        if table.version().is_some() && self.mode == WriteMode::Ignore {
            return Ok(WriteReport {
                table: table_uri,
                version: None,
                rows_written: 0,
                files_added: 0,
                files_removed: 0,
                duration: started.elapsed(),
            });
        }
        if let Some(txn) = &self.app_transaction {
            ensure_not_committed(&table, &self.location, txn, OP).await?;
        }
        let (input, batch_rows, format, observer, uri) = (
            std::mem::take(&mut self.input),
            self.batch_rows,
            self.string_format,
            self.observer.take(),
            table_uri.clone(),
        );
        let streamed = run_blocking(&table_uri, OP, move || {
            let input = delta_compatible(input, &uri)?;
            stream_lazyframe(input, batch_rows, format, observer, &uri)
        })
        .await?;
        // delta-rs only accepts `delta.*` keys at creation; user keys (e.g.
        // `metric_version`) are set right after the data commit.
        let user_properties: HashMap<String, String> = self
            .table_properties
            .extract_if(|k, _| !k.starts_with("delta."))
            .collect();
        let before = table.version();
        let (txn, location) = (self.app_transaction.clone(), self.location.clone());
        let property_commit = commit_properties(self.commit_metadata.clone(), None);
        let written = self.into_delta_write(&table, streamed.plan).await;
        let mut written = match written {
            Ok(written) => written,
            Err(e) => {
                if let Some(violation) = constraint_violation(&table, &table_uri, OP, &e) {
                    return Err(violation);
                }
                return Err(commit_failed(&location, OP, txn.as_ref(), e).await);
            }
        };
        crate::fault::record_commit(before, written.version());
        let (files_added, files_removed) = last_commit_file_counts(&written).await;
        if !user_properties.is_empty() {
            let before = written.version();
            written = written
                .set_tbl_properties()
                .with_properties(user_properties)
                .with_raise_if_not_exists(false)
                .with_commit_properties(property_commit)
                .await
                .map_err(|e| Error::delta(&table_uri, OP, e))?;
            crate::fault::record_commit(before, written.version());
        }
        let report = WriteReport {
            table: table_uri,
            version: written.version(),
            rows_written: streamed.rows.get(),
            files_added,
            files_removed,
            duration: started.elapsed(),
        };
        crate::trace::finished(
            "write",
            Some(report.rows_written),
            report.version,
            report.duration,
        );
        Ok(report)
    }

    /// delta-rs' write of `plan` with every option of this builder.
    fn into_delta_write(self, table: &DeltaTable, plan: LogicalPlan) -> DeltaWriteBuilder {
        let mut commit = commit_properties(self.commit_metadata, self.app_transaction.as_ref());
        if self.app_transaction.is_some() && table.version().is_none() {
            // Creating the table: delta-rs retries a lost race for version 0 without
            // checking the winner for conflicts, so a tagged creation must not retry.
            commit = commit.with_max_retries(0);
        }
        let mut builder = DeltaWriteBuilder::new(table.log_store(), snapshot_of(table))
            .with_input_plan(plan)
            .with_save_mode(match self.mode {
                WriteMode::Append => SaveMode::Append,
                WriteMode::Overwrite => SaveMode::Overwrite,
                WriteMode::ErrorIfExists => SaveMode::ErrorIfExists,
                WriteMode::Ignore => SaveMode::Ignore,
            })
            .with_commit_properties(commit)
            .with_session_state(crate::table::plain_strings_session())
            .with_write_batch_size(self.batch_rows.get());
        if !self.partition_columns.is_empty() {
            builder = builder.with_partition_columns(self.partition_columns);
        }
        if let Some(predicate) = self.replace_where {
            builder = builder.with_replace_where(predicate);
        }
        match self.schema_evolution {
            SchemaEvolution::Strict => {}
            SchemaEvolution::Merge => builder = builder.with_schema_mode(SchemaMode::Merge),
            SchemaEvolution::Overwrite => builder = builder.with_schema_mode(SchemaMode::Overwrite),
        }
        if let Some(size) = self.target_file_size {
            builder = builder.with_target_file_size(Some(size));
        }
        // Only `delta.*` keys are left (see `execute`).
        if !self.table_properties.is_empty() {
            builder = builder
                .with_configuration(self.table_properties.into_iter().map(|(k, v)| (k, Some(v))));
        }
        if let Some(name) = self.table_name {
            builder = builder.with_table_name(name);
        }
        if let Some(description) = self.description {
            builder = builder.with_description(description);
        }
        builder
    }
}

/// Files added/removed by the latest commit, read from its `operationMetrics`.
async fn last_commit_file_counts(table: &DeltaTable) -> (usize, usize) {
    use futures::StreamExt;
    let mut history = table.history(Some(1));
    let Some(Ok(info)) = history.next().await else {
        return (0, 0);
    };
    let metric = |key: &str| {
        info.info
            .get("operationMetrics")
            .and_then(|m| m.get(key))
            .and_then(|v| {
                v.as_u64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            })
            .unwrap_or(0) as usize
    };
    (metric("num_added_files"), metric("num_removed_files"))
}

awaitable_builder!(WriteBuilder => WriteReport);
