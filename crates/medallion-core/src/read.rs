//! Reading a Delta table as a Polars `LazyFrame`.

use chrono::{DateTime, Utc};
use deltalake::DeltaTable;
use polars::polars_utils::pl_path::PlRefPath;
use polars::prelude::*;
use polars_plan::utils::expr_to_leaf_column_names;

use crate::blocking::run_blocking;
use crate::bridge::arrow_schema_to_polars;
use crate::error::{Error, Result};
use crate::location::TableLocation;
use crate::table::{not_found_or, open_existing};

/// Column that carries each row's file path between the scan and the partition join.
const FILE_COLUMN: &str = "__medallion_source_file";

/// Reads a Delta table as a [`LazyFrame`]; run it with `.await`.
///
/// The snapshot's active Parquet files are scanned by Polars directly (with predicate
/// and projection pushdown into the Parquet reader), and partition columns are restored
/// from the Delta log — they are not stored in the data files. A predicate given with
/// [`ReadBuilder::with_predicate`] that only uses partition columns also prunes whole
/// files before the scan.
///
/// Tables using deletion vectors or column mapping are refused with
/// [`Error::UnsupportedTableFeature`]: reading their files directly would return deleted
/// rows or wrong column names.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use medallion_core::{ReadBuilder, WriteBuilder};
/// use polars::prelude::*;
///
/// let dir = tempfile::tempdir()?;
/// WriteBuilder::new(dir.path(), df!("x" => [1i64])?.lazy())?.await?;
/// WriteBuilder::new(dir.path(), df!("x" => [2i64])?.lazy())?.await?;
/// let v0 = ReadBuilder::new(dir.path())?.with_version(0).await?.collect()?;
/// let latest = ReadBuilder::new(dir.path())?.await?.collect()?;
/// assert_eq!((v0.height(), latest.height()), (1, 2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[must_use = "a ReadBuilder does nothing until awaited"]
pub struct ReadBuilder {
    location: TableLocation,
    version: Option<u64>,
    timestamp: Option<DateTime<Utc>>,
    predicate: Option<Expr>,
    columns: Option<Vec<String>>,
}

impl ReadBuilder {
    /// A read of the table at `location` (a path or URL), latest version by default.
    ///
    /// # Errors
    /// [`Error::InvalidLocation`] for an unusable location.
    pub fn new(location: impl TryInto<TableLocation, Error = Error>) -> Result<Self> {
        Ok(Self {
            location: location.try_into()?,
            version: None,
            timestamp: None,
            predicate: None,
            columns: None,
        })
    }

    /// Read this table version (time travel). Default: latest.
    pub fn with_version(mut self, version: u64) -> Self {
        self.version = Some(version);
        self.timestamp = None;
        self
    }

    /// Read the latest version committed at or before `timestamp`. Default: latest.
    pub fn with_timestamp(mut self, timestamp: DateTime<Utc>) -> Self {
        self.timestamp = Some(timestamp);
        self.version = None;
        self
    }

    /// Keep only rows matching `predicate`; pushed into the Parquet scan, and used to
    /// prune files when it only references partition columns. Default: all rows.
    pub fn with_predicate(mut self, predicate: Expr) -> Self {
        self.predicate = Some(predicate);
        self
    }

    /// Read only these columns. Default: all columns.
    pub fn with_columns(mut self, columns: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.columns = Some(columns.into_iter().map(Into::into).collect());
        self
    }

    async fn load(&self) -> Result<DeltaTable> {
        const OP: &str = "read";
        if self.location.local_path().is_none() {
            return Err(Error::InvalidConfiguration {
                table: self.location.to_string(),
                operation: OP,
                reason: "ReadBuilder scans local tables only; copy the table locally or read it with delta-rs".into(),
            });
        }
        let mut table = open_existing(&self.location, OP).await?;
        if let Some(version) = self.version {
            table
                .load_version(version)
                .await
                .map_err(|e| Error::VersionNotFound {
                    table: self.location.to_string(),
                    target: format!("version {version}"),
                    reason: e.to_string(),
                })?;
        } else if let Some(ts) = self.timestamp {
            table
                .load_with_datetime(ts)
                .await
                .map_err(|e| Error::VersionNotFound {
                    table: self.location.to_string(),
                    target: ts.to_rfc3339(),
                    reason: e.to_string(),
                })?;
        }
        Ok(table)
    }

    #[tracing::instrument(name = "medallion.read", level = "debug", skip_all, fields(table = %self.location, version = ?self.version))]
    async fn execute(self) -> Result<LazyFrame> {
        const OP: &str = "read";
        let table = self.load().await?;
        let table_uri = self.location.to_string();
        let state = table
            .snapshot()
            .map_err(|e| not_found_or(&self.location, OP, e))?;
        let snapshot = state.snapshot();
        ensure_readable(snapshot, &table_uri)?;

        let full_schema = arrow_schema_to_polars(&snapshot.arrow_schema())?;
        let partition_columns: Vec<String> = snapshot.metadata().partition_columns().to_vec();
        let data_schema: Schema = full_schema
            .iter()
            .filter(|(name, _)| !partition_columns.iter().any(|p| p == name.as_str()))
            .map(|(name, dtype)| Field::new(name.clone(), dtype.clone()))
            .collect();

        // One row per active file: its path and its partition values (as text).
        let mut paths = Vec::new();
        let mut partition_text: Vec<Vec<Option<String>>> =
            vec![Vec::new(); partition_columns.len()];
        for file in snapshot.log_data().iter() {
            if file.deletion_vector_descriptor().is_some() {
                return Err(Error::UnsupportedTableFeature {
                    table: table_uri,
                    feature: "deletionVectors".into(),
                    detail: format!("file '{}' has a deletion vector", file.path()),
                });
            }
            let uri = table.log_store().to_uri(&file.object_store_path());
            paths.push(local_or_uri(&uri));
            let values = file.partition_values_map();
            for (i, name) in partition_columns.iter().enumerate() {
                partition_text[i].push(values.get(name).cloned().flatten());
            }
        }

        let files = ActiveFiles {
            paths,
            partition_columns,
            partition_text,
            full_schema,
            data_schema,
        };
        let (predicate, columns, uri) = (self.predicate, self.columns, table_uri.clone());
        run_blocking(&table_uri, OP, move || {
            files.into_lazyframe(predicate, columns, &uri)
        })
        .await
    }
}

/// The snapshot's files and what the scan needs to know about them.
struct ActiveFiles {
    paths: Vec<String>,
    partition_columns: Vec<String>,
    partition_text: Vec<Vec<Option<String>>>,
    full_schema: Schema,
    data_schema: Schema,
}

impl ActiveFiles {
    /// Builds the scan: prune files by partition predicate, scan Parquet, join partition
    /// values, then filter and select.
    fn into_lazyframe(
        self,
        predicate: Option<Expr>,
        columns: Option<Vec<String>>,
        table_uri: &str,
    ) -> Result<LazyFrame> {
        let files = self.matching_files(predicate.as_ref(), table_uri)?;
        let mut frame = self.scan(files, table_uri)?;
        if let Some(predicate) = predicate {
            frame = frame.filter(predicate);
        }
        match columns {
            Some(columns) => self.select(frame, &columns, table_uri),
            None => Ok(frame),
        }
    }

    /// One row per active file: its path and typed partition values, without the files
    /// a partition-only `predicate` excludes.
    fn matching_files(&self, predicate: Option<&Expr>, table_uri: &str) -> Result<DataFrame> {
        const OP: &str = "read";
        let mut file_columns = vec![Column::new(FILE_COLUMN.into(), &self.paths)];
        for (name, values) in self.partition_columns.iter().zip(&self.partition_text) {
            file_columns.push(Column::new(name.as_str().into(), values));
        }
        let file_table = DataFrame::new(self.paths.len(), file_columns)
            .map_err(|e| Error::polars(table_uri, OP, e))?;
        let casts = self
            .partition_columns
            .iter()
            .map(|name| {
                let dtype = self
                    .full_schema
                    .get(name.as_str())
                    .cloned()
                    .unwrap_or(DataType::String);
                partition_value_cast(name, &dtype)
            })
            .collect::<Vec<_>>();
        let mut files = file_table.lazy().with_columns(casts);
        if let Some(predicate) = predicate {
            let roots: Vec<PlSmallStr> = expr_to_leaf_column_names(predicate);
            let partition_only = !roots.is_empty()
                && roots
                    .iter()
                    .all(|r| self.partition_columns.iter().any(|p| p == r.as_str()));
            if partition_only {
                files = files.filter(predicate.clone());
            }
        }
        files.collect().map_err(|e| Error::polars(table_uri, OP, e))
    }

    /// The Parquet scan of `files`, with partition values joined from the log, in the
    /// table's column order.
    fn scan(&self, files: DataFrame, table_uri: &str) -> Result<LazyFrame> {
        const OP: &str = "read";
        let column_order: Vec<Expr> = self
            .full_schema
            .iter_names()
            .map(|n| col(n.clone()))
            .collect();
        if files.height() == 0 {
            return Ok(DataFrame::empty_with_schema(&self.full_schema).lazy());
        }
        let file_paths = files
            .column(FILE_COLUMN)
            .and_then(|c| c.str().cloned())
            .map_err(|e| Error::polars(table_uri, OP, e))?;
        let scan_paths: Vec<PlRefPath> = file_paths.iter().flatten().map(PlRefPath::new).collect();
        let args = ScanArgsParquet {
            schema: Some(std::sync::Arc::new(self.data_schema.clone())),
            allow_missing_columns: true,
            include_file_paths: Some(FILE_COLUMN.into()),
            // Partition values come from the Delta log, never from `key=value` directory
            // names (Delta does not require them; Polars would infer their types).
            hive_options: HiveOptions {
                enabled: Some(false),
                ..Default::default()
            },
            ..Default::default()
        };
        let scan = LazyFrame::scan_parquet_files(scan_paths.into_iter().collect(), args)
            .map_err(|e| Error::polars(table_uri, OP, e))?;
        Ok(if self.partition_columns.is_empty() {
            scan.select(column_order)
        } else {
            scan.join(
                files.lazy(),
                [col(FILE_COLUMN)],
                [col(FILE_COLUMN)],
                JoinArgs::new(JoinType::Left),
            )
            .select(column_order)
        })
    }

    /// Only `columns`, each of which must exist.
    fn select(&self, frame: LazyFrame, columns: &[String], table_uri: &str) -> Result<LazyFrame> {
        if let Some(missing) = columns
            .iter()
            .find(|name| self.full_schema.get(name.as_str()).is_none())
        {
            return Err(Error::ColumnNotFound {
                table: table_uri.to_string(),
                operation: "read",
                column: missing.clone(),
                available: self
                    .full_schema
                    .iter_names()
                    .map(|n| n.to_string())
                    .collect(),
            });
        }
        Ok(frame.select(columns.iter().map(|c| col(c.as_str())).collect::<Vec<_>>()))
    }
}

/// Parses a partition value string (Delta's serialisation) into the column type.
fn partition_value_cast(name: &str, dtype: &DataType) -> Expr {
    let c = col(name);
    match dtype {
        DataType::Date => c.str().to_date(StrptimeOptions {
            format: Some("%Y-%m-%d".into()),
            strict: true,
            ..Default::default()
        }),
        DataType::Datetime(unit, tz) => c
            .str()
            .to_datetime(
                Some(*unit),
                None,
                StrptimeOptions {
                    strict: false,
                    ..Default::default()
                },
                lit("raise"),
            )
            .dt()
            .replace_time_zone(tz.clone(), lit("raise"), NonExistent::Raise),
        DataType::Boolean => c.str().to_lowercase().eq(lit("true")),
        other => c.strict_cast(other.clone()),
    }
}

/// Turns a `file://` URI into a plain path (Polars scans local paths fastest).
fn local_or_uri(uri: &str) -> String {
    url::Url::parse(uri)
        .ok()
        .filter(|u| u.scheme() == "file")
        .and_then(|u| u.to_file_path().ok())
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| uri.to_string())
}

/// Refuses table features whose semantics a plain Parquet scan would get wrong.
fn ensure_readable(snapshot: &deltalake::kernel::EagerSnapshot, table: &str) -> Result<()> {
    let configuration = snapshot.metadata().configuration();
    if let Some(mode) = configuration.get("delta.columnMapping.mode")
        && mode != "none"
    {
        return Err(Error::UnsupportedTableFeature {
            table: table.to_string(),
            feature: "columnMapping".into(),
            detail: format!("delta.columnMapping.mode = {mode}"),
        });
    }
    Ok(())
}

awaitable_builder!(ReadBuilder => LazyFrame);
