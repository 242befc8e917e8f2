//! Bronze: incremental, exactly-once ingestion of a landing directory.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use polars::polars_utils::pl_path::PlRefPath;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use super::bronze_progress::{BronzeProgress, BronzeProgressCallback, FileProgress};
use crate::blocking::run_blocking;
use crate::error::{Error, Result};
use crate::location::TableLocation;
use crate::read::ReadBuilder;
use crate::table::{AppTransaction, app_transaction_version};
use crate::write::{SchemaEvolution, WriteBuilder, WriteReport};

/// Lineage column: when the row was ingested (UTC).
pub const INGESTED_AT: &str = "_ingested_at";
/// Lineage column: the landing file the row came from (relative to the landing root).
pub const SOURCE_FILE: &str = "_source_file";
/// Lineage column: the ingestion batch number (the table's application transaction).
pub const BATCH_ID: &str = "_batch_id";
/// Lineage column: the row's 1-based position among the data rows of its source file.
pub const SOURCE_ROW: &str = "_source_row";

/// Lineage column: why bronze could not take the row exactly as landed, or null for a
/// clean row. Values start with a kind: `invalid_utf8` (bytes that are not UTF-8 were
/// decoded lossily) or `malformed_row` (unbalanced quote, too many or too few fields),
/// followed by `: ` and a description that names the line and never contains field
/// values. Silver quarantines `malformed_row` rows and flags `invalid_utf8` rows.
pub const INGEST_ISSUE: &str = "_ingest_issue";

/// File formats bronze understands, chosen by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum LandingFormat {
    /// `.csv`: every column is read as text (bronze keeps raw values; typing is silver's job).
    Csv,
    /// `.ndjson`, `.jsonl`, `.json` (one object per line): types inferred by Polars.
    Ndjson,
    /// `.parquet`: types as stored.
    Parquet,
}

impl LandingFormat {
    fn from_path(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Self::Csv),
            "ndjson" | "jsonl" | "json" => Some(Self::Ndjson),
            "parquet" => Some(Self::Parquet),
            _ => None,
        }
    }
}

/// The outcome of one bronze ingestion run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BronzeReport {
    /// Table URI.
    pub table: String,
    /// Batch number committed, or `None` when there was nothing new.
    pub batch_id: Option<i64>,
    /// Files ingested by this run (relative to the landing root).
    pub files_ingested: Vec<String>,
    /// Matching files skipped because an earlier batch ingested them.
    pub files_already_ingested: usize,
    /// Landing paths discovery passed over, each with the reason (`<path>: <why>`): a
    /// symlink to a directory or file already discovered (e.g. `latest -> 2024-11`), or
    /// a symlink cycle (`loop -> .`). Each real file is ingested at most once.
    pub files_skipped: Vec<String>,
    /// Rows appended.
    pub rows_written: u64,
    /// Columns that appeared in this batch and were added to the table (schema drift).
    pub new_columns: Vec<String>,
    /// Table columns absent from this batch's files (written as nulls).
    pub missing_columns: Vec<String>,
    /// Table version committed.
    pub version: Option<u64>,
    /// Wall time.
    pub duration: Duration,
}

/// Ingests new landing files into an append-only bronze table; run with `.await`.
///
/// Discovers files under the landing root (recursively) whose file stem equals the
/// configured name (default: the table directory's name, e.g. `encounters` for
/// `.../bronze/encounters` matches `2024-01/encounters.csv`), skips those already in the
/// table (its `_source_file` column is the record), and appends the rest in **one**
/// commit with `_ingested_at`, `_source_file`, `_source_row` and `_batch_id`.
///
/// Exactly-once: the commit carries the application transaction
/// `(pipeline/table, batch)` with `batch` = last committed + 1. A crash before the commit
/// leaves no visible rows (orphan Parquet files are invisible and removed by VACUUM) and
/// the next run re-ingests the same files as the same batch; a crash after the commit
/// makes the next run find the files ingested. A concurrent or replayed commit of the
/// same batch is refused. Columns that appear later are added by schema merge and
/// reported in [`BronzeReport::new_columns`].
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use medallion_core::pipeline::BronzeIngestBuilder;
///
/// let landing = tempfile::tempdir()?;
/// let lake = tempfile::tempdir()?;
/// std::fs::write(landing.path().join("patients.csv"), "Id,GENDER\np1,F\np2,M\n")?;
/// let table = lake.path().join("bronze/patients");
/// let first = BronzeIngestBuilder::new(landing.path(), &table, "demo")?.await?;
/// assert_eq!((first.batch_id, first.rows_written), (Some(1), 2));
/// let again = BronzeIngestBuilder::new(landing.path(), &table, "demo")?.await?;
/// assert_eq!((again.batch_id, again.rows_written), (None, 0)); // nothing new
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[must_use = "a BronzeIngestBuilder does nothing until awaited"]
pub struct BronzeIngestBuilder {
    landing: PathBuf,
    table: TableLocation,
    pipeline: String,
    file_stem: Option<String>,
    ingested_at: Option<DateTime<Utc>>,
    commit_metadata: Vec<(String, serde_json::Value)>,
    progress: Option<BronzeProgressCallback>,
}

impl BronzeIngestBuilder {
    /// Ingestion from `landing` into the bronze table at `table`, for `pipeline` (part
    /// of the application id, so two pipelines can share a table without colliding).
    ///
    /// # Errors
    /// [`Error::InvalidLocation`] for an unusable table location.
    pub fn new(
        landing: impl AsRef<Path>,
        table: impl TryInto<TableLocation, Error = Error>,
        pipeline: impl Into<String>,
    ) -> Result<Self> {
        Ok(Self {
            landing: landing.as_ref().to_path_buf(),
            table: table.try_into()?,
            pipeline: pipeline.into(),
            file_stem: None,
            ingested_at: None,
            commit_metadata: Vec::new(),
            progress: None,
        })
    }

    /// Ingest files with this stem (file name without extension). Default: the last
    /// segment of the table location.
    pub fn with_file_stem(mut self, stem: impl Into<String>) -> Self {
        self.file_stem = Some(stem.into());
        self
    }

    /// The `_ingested_at` value. Default: the time the run starts (UTC).
    pub fn with_ingested_at(mut self, at: DateTime<Utc>) -> Self {
        self.ingested_at = Some(at);
        self
    }

    commit_metadata_setters!();

    /// Called once per ingested file, in file order, when its rows have streamed into
    /// the table's data files (before the batch's single commit), with the file's
    /// position, the number of files, its rows and its size. Default: none.
    ///
    /// It runs on the thread that executes the Polars query: keep it short (e.g. update
    /// a progress bar or send on a channel).
    pub fn with_progress(
        mut self,
        progress: impl Fn(&BronzeProgress) + Send + Sync + 'static,
    ) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// The application id this ingestion commits under.
    pub fn app_id(&self) -> String {
        format!("{}/{}", self.pipeline, self.stem())
    }

    fn stem(&self) -> String {
        self.file_stem.clone().unwrap_or_else(|| self.table.name())
    }

    /// The steps of a run: find the landing files not ingested yet, scan them as one
    /// batch with lineage columns, append the batch in one commit.
    #[tracing::instrument(name = "medallion.bronze", skip_all, fields(table = %self.table))]
    async fn execute(self) -> Result<BronzeReport> {
        let started = Instant::now();
        let ingested_at = self.ingested_at.unwrap_or_else(Utc::now);
        let table_uri = self.table.to_string();
        let landing = self.landing_state().await?;
        let mut report = BronzeReport {
            table: table_uri,
            batch_id: None,
            files_ingested: Vec::new(),
            files_already_ingested: landing.already_ingested,
            files_skipped: landing.skipped,
            rows_written: 0,
            new_columns: Vec::new(),
            missing_columns: Vec::new(),
            version: None,
            duration: Duration::ZERO,
        };
        if !landing.new_files.is_empty() {
            let batch_id = app_transaction_version(&self.table, &self.app_id())
                .await?
                .unwrap_or(0)
                + 1;
            let (frame, batch_columns) = self
                .scan_batch(&landing.new_files, batch_id, ingested_at)
                .await?;
            if let Some(existing) = &landing.table_columns {
                report.new_columns = not_in(&batch_columns, existing);
                report.missing_columns = not_in(existing, &batch_columns);
            }
            let written = self.append(frame, batch_id, &landing.new_files).await?;
            report.batch_id = Some(batch_id);
            report.rows_written = written.rows_written;
            report.version = written.version;
            report.files_ingested = landing.new_files.into_iter().map(|f| f.relative).collect();
        }
        report.duration = started.elapsed();
        crate::trace::finished(
            "bronze ingest",
            Some(report.rows_written),
            report.version,
            report.duration,
        );
        Ok(report)
    }

    /// The landing files with this table's stem, split into new and already ingested.
    async fn landing_state(&self) -> Result<LandingState> {
        let (discovered, skipped) = discover(&self.landing, &self.stem())?;
        let (already, table_columns) = existing_state(&self.table).await?;
        let new_files: Vec<LandingFile> = discovered
            .into_iter()
            .filter(|file| !already.contains(&file.relative))
            .collect();
        Ok(LandingState {
            new_files,
            already_ingested: already.len(),
            skipped,
            table_columns,
        })
    }

    /// One lazy frame of all `files` with the lineage columns, and its column names.
    async fn scan_batch(
        &self,
        files: &[LandingFile],
        batch_id: i64,
        ingested_at: DateTime<Utc>,
    ) -> Result<(LazyFrame, Vec<String>)> {
        const OP: &str = "bronze ingest";
        let table_uri = self.table.to_string();
        let (files, uri) = (files.to_vec(), table_uri.clone());
        run_blocking(&table_uri, OP, move || {
            let frames = files
                .iter()
                .map(|file| {
                    Ok(scan_landing_file(&file.path, file.format, &uri)?
                        .with_row_index(SOURCE_ROW, Some(1))
                        .with_columns([
                            col(SOURCE_ROW).cast(DataType::Int64),
                            lit(file.relative.clone()).alias(SOURCE_FILE),
                        ]))
                })
                .collect::<Result<Vec<_>>>()?;
            let mut frame = concat_lf_diagonal(
                frames,
                UnionArgs {
                    to_supertypes: true,
                    ..Default::default()
                },
            )
            .map_err(|e| Error::polars(&uri, OP, e))?
            .with_columns([
                lit(ingested_at.timestamp_micros())
                    .cast(DataType::Datetime(
                        TimeUnit::Microseconds,
                        Some(TimeZone::UTC),
                    ))
                    .alias(INGESTED_AT),
                lit(batch_id).cast(DataType::Int64).alias(BATCH_ID),
            ]);
            let columns: Vec<String> = frame
                .collect_schema()
                .map_err(|e| Error::polars(&uri, OP, e))?
                .iter_names()
                .map(|n| n.to_string())
                .collect();
            Ok((frame, columns))
        })
        .await
    }

    /// Appends the batch in one commit tagged with the batch's application transaction.
    async fn append(
        &self,
        frame: LazyFrame,
        batch_id: i64,
        files: &[LandingFile],
    ) -> Result<WriteReport> {
        let names: Vec<String> = files.iter().map(|f| f.relative.clone()).collect();
        let progress = self.progress.clone().map(|callback| {
            let files = files
                .iter()
                .map(|f| (f.relative.clone(), f.bytes))
                .collect();
            Arc::new(FileProgress::new(files, callback, &self.table.to_string()))
        });
        let mut write = WriteBuilder::new(&self.table, frame)?
            .with_schema_evolution(SchemaEvolution::Merge)
            .with_app_transaction(AppTransaction::new(self.app_id(), batch_id))
            .with_commit_metadata("pipeline", self.pipeline.clone())
            .with_commit_metadata("bronze_batch_id", batch_id)
            .with_commit_metadata("files", serde_json::Value::from(names))
            .with_commit_entries(self.commit_metadata.clone());
        if let Some(progress) = &progress {
            let observer = progress.clone();
            write = write.with_batch_observer(Arc::new(move |batch| observer.observe(batch)));
        }
        let report = write.await?;
        if let Some(progress) = progress {
            progress.finish();
        }
        Ok(report)
    }
}

/// A landing file of this table.
#[derive(Debug, Clone)]
struct LandingFile {
    /// Path relative to the landing root, `/`-separated: the `_source_file` value.
    relative: String,
    path: PathBuf,
    format: LandingFormat,
    /// Size on disk.
    bytes: u64,
}

/// What the landing directory and the table hold before a run.
struct LandingState {
    /// Files not ingested yet, sorted by relative path.
    new_files: Vec<LandingFile>,
    /// Matching files an earlier batch ingested.
    already_ingested: usize,
    /// Paths discovery passed over, with the reason.
    skipped: Vec<String>,
    /// The table's columns, `None` when the table does not exist yet.
    table_columns: Option<Vec<String>>,
}

/// The entries of `these` that are not in `those`, in order.
fn not_in(these: &[String], those: &[String]) -> Vec<String> {
    these
        .iter()
        .filter(|c| !those.contains(c))
        .cloned()
        .collect()
}

/// Files under `root` with the given stem and a known extension, sorted by relative path,
/// and the paths passed over with the reason.
///
/// Directories and files are identified by their real path: a symlink to a directory
/// or file already discovered, and a symlink cycle, are visited once — a landing folder
/// with `latest -> 2024-11` or `loop -> .` does not multiply the data.
fn discover(root: &Path, stem: &str) -> Result<(Vec<LandingFile>, Vec<String>)> {
    let io_error = |path: &Path, source| Error::Io {
        path: path.display().to_string(),
        operation: "discover landing files",
        source,
    };
    let mut found = Vec::new();
    let mut skipped = Vec::new();
    let mut seen_dirs = BTreeSet::new();
    let mut seen_files = BTreeSet::new();
    // Sorted, so which of two paths to one real file is kept does not depend on the
    // order the file system lists them in.
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let real = std::fs::canonicalize(&dir).map_err(|e| io_error(&dir, e))?;
        if !seen_dirs.insert(real) {
            skipped.push(format!(
                "{}: a link to a directory already discovered",
                dir.display()
            ));
            continue;
        }
        let mut entries = std::fs::read_dir(&dir)
            .map_err(|e| io_error(&dir, e))?
            .map(|entry| entry.map(|e| e.path()).map_err(|e| io_error(&dir, e)))
            .collect::<Result<Vec<_>>>()?;
        entries.sort();
        for path in entries.into_iter().rev() {
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let Some(format) = LandingFormat::from_path(&path) else {
                continue;
            };
            if path.file_stem().and_then(|s| s.to_str()) != Some(stem) {
                continue;
            }
            let real = std::fs::canonicalize(&path).map_err(|e| io_error(&path, e))?;
            if !seen_files.insert(real) {
                skipped.push(format!(
                    "{}: a link to a file already discovered",
                    path.display()
                ));
                continue;
            }
            let relative = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            found.push(LandingFile {
                relative,
                path,
                format,
                bytes,
            });
        }
    }
    found.sort_by(|a, b| a.relative.cmp(&b.relative));
    for path in &skipped {
        tracing::info!(skipped = %path, "landing path passed over");
    }
    Ok((found, skipped))
}

/// Source files already in the table, and the table's columns (if it exists).
async fn existing_state(table: &TableLocation) -> Result<(BTreeSet<String>, Option<Vec<String>>)> {
    let lf = match ReadBuilder::new(table)?.await {
        Ok(lf) => lf,
        Err(Error::TableNotFound { .. }) => return Ok((BTreeSet::new(), None)),
        Err(e) => return Err(e),
    };
    let uri = table.to_string();
    let table_uri = uri.clone();
    run_blocking(&table_uri, "bronze ingest", move || {
        let mut lf = lf;
        let columns: Vec<String> = lf
            .collect_schema()
            .map_err(|e| Error::polars(&uri, "bronze ingest", e))?
            .iter_names()
            .map(|n| n.to_string())
            .collect();
        if !columns.iter().any(|c| c == SOURCE_FILE) {
            return Ok((BTreeSet::new(), Some(columns)));
        }
        let files = lf
            .select([col(SOURCE_FILE)])
            .unique(None, UniqueKeepStrategy::Any)
            .collect()
            .map_err(|e| Error::polars(&uri, "bronze ingest", e))?;
        let set = files
            .column(SOURCE_FILE)
            .and_then(|c| c.str().cloned())
            .map_err(|e| Error::polars(&uri, "bronze ingest", e))?
            .iter()
            .flatten()
            .map(str::to_string)
            .collect();
        Ok((set, Some(columns)))
    })
    .await
}

/// A lazy scan of one landing file.
fn scan_landing_file(path: &Path, format: LandingFormat, table: &str) -> Result<LazyFrame> {
    let pl_path =
        PlRefPath::try_from_path(path).map_err(|e| Error::polars(table, "bronze ingest", e))?;
    let scan = match format {
        LandingFormat::Csv => LazyCsvReader::new(pl_path)
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .finish(),
        LandingFormat::Ndjson => LazyJsonLineReader::new(pl_path).finish(),
        LandingFormat::Parquet => LazyFrame::scan_parquet(pl_path, ScanArgsParquet::default()),
    };
    scan.map_err(|e| Error::LandingFile {
        table: table.to_string(),
        file: path.display().to_string(),
        source: Box::new(e),
    })
}

awaitable_builder!(BronzeIngestBuilder => BronzeReport);
