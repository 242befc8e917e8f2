//! Bronze: incremental, exactly-once ingestion of a landing directory.

use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use polars::polars_utils::pl_path::PlRefPath;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use super::bronze_ledger::{
    BATCH_KEY, FileRecord, LEDGER_KEY, Ledger, Stamp, content_hash, load_ledger,
};
use super::bronze_progress::{BronzeProgress, BronzeProgressCallback, FileProgress};
use super::landing_csv::{self, Header, RepairColumns};
use super::report::{Layer, TableRunReport};
use crate::blocking::run_blocking;
use crate::error::{Error, Result, polars_error_in, polars_error_kind};
use crate::location::TableLocation;
use crate::table::AppTransaction;
use crate::write::{SchemaEvolution, WriteBuilder, WriteReport};

/// Lineage column: when the row was ingested (UTC).
pub const INGESTED_AT: &str = "_ingested_at";
/// Lineage column: the landing file the row came from (relative to the landing root).
pub const SOURCE_FILE: &str = "_source_file";
/// Lineage column: the ingestion batch number (the table's application transaction).
pub const BATCH_ID: &str = "_batch_id";
/// Lineage column: the row's 1-based position among the data rows of its source file
/// (for [`LandingFormat::Lines`], its line number).
pub const SOURCE_ROW: &str = "_source_row";

/// Lineage column: why bronze could not take the row exactly as landed, or null for a
/// clean row. Values start with a kind: `invalid_utf8` (bytes that are not UTF-8 were
/// decoded lossily) or `malformed_row` (unbalanced quote, too many or too few fields),
/// followed by `: ` and a description that names the line and never contains field
/// values. Silver quarantines `malformed_row` rows and flags `invalid_utf8` rows.
///
/// The column exists in a bronze table from the first batch that had such a row on
/// (it is added by schema merge, like any new column, and is not reported as schema
/// drift); rows of batches without issues hold null. Only CSV files get it: Parquet and
/// NDJSON files are typed by their own readers.
pub const INGEST_ISSUE: &str = "_ingest_issue";

/// Lineage column: the raw text of a `malformed_row` record (decoded lossily), so
/// nothing landed is lost; null for every other row. Present exactly when
/// [`INGEST_ISSUE`] is. In a table of [`LandingFormat::Lines`] files it is the payload:
/// every row's line, always present.
pub const RAW_LINE: &str = "_raw_line";

/// Lineage columns bronze adds only to tables that had issues: never schema drift.
const OPTIONAL_LINEAGE: [&str; 2] = [INGEST_ISSUE, RAW_LINE];

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
    /// `.ndjson`, `.jsonl`, `.json`, `.txt`, when chosen with
    /// [`BronzeIngestBuilder::with_landing_format`] (never by extension alone): every
    /// non-blank line is one row, its text untouched in [`RAW_LINE`], its line number in
    /// [`SOURCE_ROW`]; a line that is not UTF-8 is kept lossily with an `invalid_utf8`
    /// [`INGEST_ISSUE`]. Nothing is parsed, so the schema never changes.
    Lines,
}

impl LandingFormat {
    pub(super) fn from_extension(extension: &str) -> Option<Self> {
        match extension {
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
    /// Matching files skipped because an earlier batch ingested them (the same path,
    /// size and modification time as a recorded file, or the same content under the
    /// same path).
    pub files_already_ingested: usize,
    /// Files not ingested because their content was already ingested under another
    /// path (a re-delivered export), each as
    /// `<path>: same content as <earlier path> (batch N)`.
    pub files_redelivered: Vec<String>,
    /// Landing paths discovery passed over, each with the reason (`<path>: <why>`): a
    /// symlink to a directory or file already discovered (e.g. `latest -> 2024-11`), or
    /// a symlink cycle (`loop -> .`). Each real file is ingested at most once.
    pub files_skipped: Vec<String>,
    /// Headers bronze repaired, each as `<path>: <what>` (e.g.
    /// `encounters.csv: 3 header name(s) trimmed`).
    pub header_fixes: Vec<String>,
    /// Every file ingested by this run, with its rows, columns and content hash.
    pub files: Vec<IngestedFile>,
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

/// One file a bronze run ingested.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestedFile {
    /// Path relative to the landing root (the `_source_file` value).
    pub path: String,
    /// Data rows taken from the file (bad rows included).
    pub rows: u64,
    /// Column names as read (for CSV: the header after trimming), in file order.
    pub columns: Vec<String>,
    /// XXH3-128 of the file's bytes, 32 lower-case hex digits: the file's identity.
    pub content_hash: String,
    /// Rows kept with an [`INGEST_ISSUE`].
    pub issues: u64,
}

/// Ingests new landing files into an append-only bronze table; run with `.await`.
///
/// Discovers files under the landing root (recursively) whose file stem equals the
/// configured name (default: the table directory's name, e.g. `encounters` for
/// `.../bronze/encounters` matches `2024-01/encounters.csv`) and appends the new ones in
/// **one** commit with `_ingested_at`, `_source_file`, `_source_row` and `_batch_id`
/// ([`with_file_prefix`](Self::with_file_prefix): stems starting with the name). A file
/// is read in the format its extension names, or in the one format chosen with
/// [`with_landing_format`](Self::with_landing_format); [`LandingFormat::Lines`] keeps a
/// feed as raw lines (each line untouched in `_raw_line`) under the same contract.
///
/// **Files are identified by content.** Each commit records, in its commit metadata
/// (`bronze_files`), every file it took: relative path, size, modification time,
/// XXH3-128 of the bytes and rows. A run reads these records back from the table
/// history and then, per landed file:
/// - same path, size and modification time as a recorded file: already ingested, not
///   read again (a no-op re-run hashes nothing);
/// - otherwise its content is hashed. Content already ingested (under any path, in any
///   landing root) is not ingested again: a file under another path is reported in
///   [`BronzeReport::files_redelivered`]; either way the file is recorded, so the next
///   run does not hash it again;
/// - new content is ingested, also under a path ingested before (e.g. a second export
///   with the same file names, or a corrected file): it becomes part of a new batch, and
///   silver's latest-wins deduplication resolves its keys.
///
/// Tables written before these records existed keep working: the `_source_file` values
/// of batches without a record count as ingested, by path. Bronze creates its tables
/// with `delta.enableExpiredLogCleanup = false`, so the history keeps the records.
///
/// **Bad rows are data.** A CSV file is pre-scanned (UTF-8 check and per-line field
/// count, spread over the cores); a clean file goes through Polars' fast reader as it
/// is. A file with bad records is read record by record and every row is kept, a bad
/// one with [`INGEST_ISSUE`] (and, when malformed, [`RAW_LINE`]). A record is one line,
/// or several when a quoted field holds a line break (RFC 4180: `""` inside quotes is a
/// quote). It is `malformed_row` when its field count differs from the header's, when a
/// quote is unbalanced (not closed within 1,000 lines and 64 KiB, or its closing quote
/// does not end a field: only its first line becomes the malformed row and reading
/// resumes at the next line), or when a quote stands inside an unquoted field or after
/// a closing quote; its fields fill the columns as far as they can be told apart (extra
/// ones dropped, missing ones null). It is `invalid_utf8` when it holds bytes that are
/// not UTF-8 (decoded lossily). Blank lines are no rows. Header names are trimmed of
/// white space (and a byte-order mark removed), reported in
/// [`BronzeReport::header_fixes`]; an empty file or an unusable header (malformed,
/// not UTF-8, empty or repeated names) fails with [`Error::LandingHeader`]. A
/// header-only file is ingested with 0 rows: it creates the table with its columns
/// (all text) if needed, and is recorded. Errors and reports name files, lines and
/// columns, never field values: a Polars failure while reading landing files becomes
/// [`Error::LandingRead`], without Polars' message.
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
    stem_is_prefix: bool,
    format: Option<LandingFormat>,
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
            stem_is_prefix: false,
            format: None,
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

    /// Ingest files whose stem starts with `prefix` (e.g. `adt_events` takes
    /// `adt_events_00001.ndjson`), instead of files with one stem; the prefix is the stem
    /// of the application id. Default: files whose stem equals the file stem.
    pub fn with_file_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.file_stem = Some(prefix.into());
        self.stem_is_prefix = true;
        self
    }

    /// Read every matching file in `format`, and only files with one of its extensions.
    /// This is how a feed is kept as raw lines ([`LandingFormat::Lines`]). Default: each
    /// file in the format its extension names.
    pub fn with_landing_format(mut self, format: LandingFormat) -> Self {
        self.format = Some(format);
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

    /// The steps of a run: find the landing files and what the table holds, read each
    /// file that may be new once (hash; for CSV the pre-scan and, for a bad file, the
    /// careful path), scan the new files as one batch with lineage columns, and append
    /// the batch with its file records in one commit.
    #[tracing::instrument(name = "medallion.bronze", skip_all, fields(table = %self.table))]
    async fn execute(self) -> Result<BronzeReport> {
        let started = Instant::now();
        let ingested_at = self.ingested_at.unwrap_or_else(Utc::now);
        let (discovered, skipped) = discover(
            &self.landing,
            &self.stem(),
            self.stem_is_prefix,
            self.format,
        )?;
        let ledger = load_ledger(&self.table, &self.app_id()).await?;
        let batch_id = ledger.last_batch + 1;
        let table_columns = ledger.table_columns.clone();
        let uri = self.table.to_string();
        let inspection = run_blocking(&self.table.to_string(), "bronze ingest", move || {
            inspect(discovered, &ledger, batch_id, &uri)
        })
        .await?;
        let mut report = BronzeReport {
            table: self.table.to_string(),
            batch_id: None,
            files_ingested: Vec::new(),
            files_already_ingested: inspection.already_ingested,
            files_redelivered: inspection.redelivered.clone(),
            files_skipped: skipped,
            header_fixes: inspection.header_fixes.clone(),
            files: Vec::new(),
            rows_written: 0,
            new_columns: Vec::new(),
            missing_columns: Vec::new(),
            version: None,
            duration: Duration::ZERO,
        };
        if !inspection.records.is_empty() {
            let (frame, batch_columns) = self
                .scan_batch(&inspection.new_files, batch_id, ingested_at)
                .await?;
            if let Some(existing) = &table_columns {
                report.new_columns = drift(&batch_columns, existing);
                report.missing_columns = drift(existing, &batch_columns);
            }
            let written = self.append(frame, batch_id, &inspection).await?;
            report.batch_id = Some(batch_id);
            report.rows_written = written.rows_written;
            report.version = written.version;
            report.files_ingested = inspection
                .new_files
                .iter()
                .map(|f| f.file.relative.clone())
                .collect();
            report.files = inspection
                .new_files
                .into_iter()
                .map(|f| f.ingested)
                .collect();
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

    /// One lazy frame of all `files` with the lineage columns, and its column names
    /// (with no files: the batch's lineage columns and no rows).
    async fn scan_batch(
        &self,
        files: &[Prepared],
        batch_id: i64,
        ingested_at: DateTime<Utc>,
    ) -> Result<(LazyFrame, Vec<String>)> {
        const OP: &str = "bronze ingest";
        let table_uri = self.table.to_string();
        let (files, uri) = (files.to_vec(), table_uri.clone());
        run_blocking(&table_uri, OP, move || {
            let frames = files
                .iter()
                .map(|file| scan_prepared(file, &uri))
                .collect::<Result<Vec<_>>>()?;
            let frame = if frames.is_empty() {
                DataFrame::empty_with_schema(&Schema::from_iter([Field::new(
                    SOURCE_ROW.into(),
                    DataType::Int64,
                )]))
                .lazy()
            } else {
                concat_lf_diagonal(
                    frames,
                    UnionArgs {
                        to_supertypes: true,
                        ..Default::default()
                    },
                )
                .map_err(|e| Error::polars(&uri, OP, e))?
            };
            let mut frame = frame.with_columns([
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

    /// Appends the batch in one commit tagged with the batch's application transaction
    /// and carrying the batch's file records.
    async fn append(
        &self,
        frame: LazyFrame,
        batch_id: i64,
        inspection: &Inspection,
    ) -> Result<WriteReport> {
        let names: Vec<String> = inspection
            .new_files
            .iter()
            .map(|f| f.file.relative.clone())
            .collect();
        let records = serde_json::to_value(&inspection.records).map_err(|e| Error::Internal {
            table: self.table.to_string(),
            operation: "bronze ingest",
            reason: format!("cannot encode the file records: {e}"),
        })?;
        let progress = self.progress.clone().map(|callback| {
            let files = inspection
                .new_files
                .iter()
                .map(|f| (f.file.relative.clone(), f.file.bytes))
                .collect();
            Arc::new(FileProgress::new(files, callback, &self.table.to_string()))
        });
        let mut write = WriteBuilder::new(&self.table, frame)?
            .with_schema_evolution(SchemaEvolution::Merge)
            .with_app_transaction(AppTransaction::new(self.app_id(), batch_id))
            // The history is the record of ingested files: keep it.
            .with_table_property("delta.enableExpiredLogCleanup", "false")
            .with_commit_metadata("pipeline", self.pipeline.clone())
            .with_commit_metadata(BATCH_KEY, batch_id)
            .with_commit_metadata("files", serde_json::Value::from(names.clone()))
            .with_commit_metadata(LEDGER_KEY, records)
            // Rows are counted by the write itself (`operationMetrics`), which is where
            // run recovery reads them.
            .with_commit_entries([
                TableRunReport::empty(Layer::Bronze, self.table.name()).commit_metadata()
            ])
            .with_commit_entries(self.commit_metadata.clone());
        if let Some(progress) = &progress {
            let observer = progress.clone();
            write = write.with_batch_observer(Arc::new(move |batch| observer.observe(batch)));
        }
        let report = write
            .await
            .map_err(|e| withhold_landing_values(e, &self.table, names))?;
        if let Some(progress) = progress {
            progress.finish();
        }
        Ok(report)
    }
}

/// A Polars failure while the batch streamed (it read the landing files) becomes
/// [`Error::LandingRead`], which names the files but not Polars' message: a parse
/// error quotes the row it failed on.
fn withhold_landing_values(error: Error, table: &TableLocation, files: Vec<String>) -> Error {
    match polars_error_in(&error) {
        Some(polars) => Error::LandingRead {
            table: table.to_string(),
            files,
            kind: polars_error_kind(polars),
        },
        None => error,
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

/// A new landing file, read and ready to scan.
#[derive(Debug, Clone)]
struct Prepared {
    file: LandingFile,
    /// What to scan: the landed file, or (CSV with bad records) its careful rewrite.
    source: Source,
    /// What the report says about it.
    ingested: IngestedFile,
}

/// What Polars scans for a new file.
#[derive(Debug, Clone)]
enum Source {
    /// The landed file as it is; for CSV, with its trimmed header names.
    Landed { header: Option<Header> },
    /// The careful path's rewrite of a CSV file (lineage columns first).
    Repaired { path: PathBuf },
}

/// What the landing directory holds, file by file, against the ledger.
struct Inspection {
    /// Files with new content, sorted by relative path.
    new_files: Vec<Prepared>,
    /// Files skipped as already ingested.
    already_ingested: usize,
    /// Re-delivered files, `<path>: same content as <path> (batch N)`.
    redelivered: Vec<String>,
    /// `<path>: <fix>` for repaired headers.
    header_fixes: Vec<String>,
    /// The records this batch commits (new files and files whose content was known).
    records: Vec<FileRecord>,
    /// Holds the careful rewrites until the batch is committed.
    scratch: Option<tempfile::TempDir>,
}

/// Decides for every discovered file whether it is known, a re-delivery or new, and
/// prepares the new ones (see [`BronzeIngestBuilder`]).
fn inspect(
    discovered: Vec<LandingFile>,
    ledger: &Ledger,
    batch_id: i64,
    table: &str,
) -> Result<Inspection> {
    let mut inspection = Inspection {
        new_files: Vec::new(),
        already_ingested: 0,
        redelivered: Vec::new(),
        header_fixes: Vec::new(),
        records: Vec::new(),
        scratch: None,
    };
    let mut first_here: BTreeMap<String, String> = BTreeMap::new();
    for file in discovered {
        let stamp =
            Stamp::of(&file.path).map_err(|e| io_error(&file.path, "read landing file", e))?;
        if ledger.knows(&file.relative, stamp) {
            inspection.already_ingested += 1;
            continue;
        }
        let mapped = map_file(&file.path, stamp)?;
        let bytes: &[u8] = mapped.as_deref().unwrap_or(&[]);
        let hash = content_hash(bytes);
        let first = ledger.first_delivery(&hash).or_else(|| {
            first_here
                .get(&hash)
                .map(|path| super::bronze_ledger::FirstDelivery {
                    path: path.clone(),
                    batch: batch_id,
                })
        });
        let mut record = FileRecord {
            path: file.relative.clone(),
            size: bytes.len() as u64,
            mtime_ms: stamp.mtime_ms,
            xxh3_128: hash.clone(),
            rows: 0,
            same_as: None,
        };
        if let Some(first) = first {
            if first.path == file.relative {
                inspection.already_ingested += 1;
            } else {
                inspection.redelivered.push(format!(
                    "{}: same content as {} (batch {})",
                    file.relative, first.path, first.batch
                ));
            }
            record.same_as = Some(first.path);
            inspection.records.push(record);
            continue;
        }
        first_here.insert(hash.clone(), file.relative.clone());
        let prepared = prepare(file, bytes, hash, &mut inspection, table)?;
        record.rows = prepared.ingested.rows;
        inspection.records.push(record);
        inspection.new_files.push(prepared);
    }
    for line in &inspection.redelivered {
        tracing::info!(file = %line, "landing file re-delivered: not ingested again");
    }
    Ok(inspection)
}

/// Reads a new file's columns and rows; a CSV file with bad records is rewritten by
/// the careful path into the inspection's scratch directory.
fn prepare(
    file: LandingFile,
    bytes: &[u8],
    content_hash: String,
    inspection: &mut Inspection,
    table: &str,
) -> Result<Prepared> {
    let mut ingested = IngestedFile {
        path: file.relative.clone(),
        rows: 0,
        columns: Vec::new(),
        content_hash,
        issues: 0,
    };
    if file.format == LandingFormat::Lines {
        let shape = super::landing_lines::shape(bytes);
        ingested.columns = vec![RAW_LINE.to_string()];
        ingested.rows = shape.rows;
        ingested.issues = shape.issues;
        return Ok(Prepared {
            file,
            source: Source::Landed { header: None },
            ingested,
        });
    }
    if file.format != LandingFormat::Csv {
        let (columns, rows) = polars_shape(&file, table)?;
        ingested.columns = columns;
        ingested.rows = rows;
        return Ok(Prepared {
            file,
            source: Source::Landed { header: None },
            ingested,
        });
    }
    let header = landing_csv::read_header(bytes).map_err(|problem| Error::LandingHeader {
        table: table.to_string(),
        file: file.relative.clone(),
        line: 1,
        reason: problem.to_string(),
    })?;
    if let Some(fix) = header.fixes() {
        inspection
            .header_fixes
            .push(format!("{}: {fix}", file.relative));
    }
    ingested.columns = header.names.clone();
    let prescan = landing_csv::prescan(bytes, &header);
    if prescan.clean {
        ingested.rows = prescan.rows;
        return Ok(Prepared {
            file,
            source: Source::Landed {
                header: Some(header),
            },
            ingested,
        });
    }
    let (path, repaired) = repair_intoscratch(&file, bytes, &header, inspection)?;
    ingested.rows = repaired.rows;
    ingested.issues = repaired.issues;
    tracing::info!(
        file = %file.relative,
        rows = repaired.rows,
        issues = repaired.issues,
        "landing file has bad rows: kept with _ingest_issue"
    );
    Ok(Prepared {
        file,
        source: Source::Repaired { path },
        ingested,
    })
}

/// The careful path for a CSV file with bad records: its rewrite (see
/// [`landing_csv::repair`]) in the scratch directory, and what it holds.
fn repair_intoscratch(
    file: &LandingFile,
    bytes: &[u8],
    header: &Header,
    inspection: &mut Inspection,
) -> Result<(PathBuf, landing_csv::Repaired)> {
    const OP: &str = "rewrite landing file with bad rows";
    if inspection.scratch.is_none() {
        let dir = tempfile::Builder::new()
            .prefix("medallion-bronze-")
            .tempdir()
            .map_err(|e| io_error(&std::env::temp_dir(), OP, e))?;
        inspection.scratch = Some(dir);
    }
    let dir = inspection
        .scratch
        .as_ref()
        .map(|d| d.path().to_path_buf())
        .unwrap_or_else(std::env::temp_dir);
    let path = dir.join(format!("{}.csv", inspection.new_files.len()));
    let out = std::fs::File::create(&path).map_err(|e| io_error(&path, OP, e))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, out);
    let columns = RepairColumns {
        source_row: SOURCE_ROW,
        issue: INGEST_ISSUE,
        raw_line: RAW_LINE,
    };
    let repaired = landing_csv::repair(bytes, header, &columns, &mut out)
        .and_then(|done| std::io::Write::flush(&mut out).map(|()| done))
        .map_err(|e| io_error(&path, OP, e))?;
    tracing::debug!(file = %file.relative, "careful path rewrite written");
    Ok((path, repaired))
}

/// The bytes of a landed file, memory-mapped (`None` for an empty file).
fn map_file(path: &Path, stamp: Stamp) -> Result<Option<memmap2::Mmap>> {
    if stamp.size == 0 {
        return Ok(None);
    }
    let file = std::fs::File::open(path).map_err(|e| io_error(path, "read landing file", e))?;
    // SAFETY: landed files are not modified while a run reads them (the same assumption
    // Polars' own CSV reader makes when it maps them); the map is only read.
    let mapped = unsafe { memmap2::Mmap::map(&file) };
    mapped
        .map(Some)
        .map_err(|e| io_error(path, "read landing file", e))
}

fn io_error(path: &Path, operation: &'static str, source: std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        operation,
        source,
    }
}

/// Columns and rows of a Parquet or NDJSON file, as Polars reads it.
fn polars_shape(file: &LandingFile, table: &str) -> Result<(Vec<String>, u64)> {
    let withheld = |e: PolarsError| Error::LandingRead {
        table: table.to_string(),
        files: vec![file.relative.clone()],
        kind: polars_error_kind(&e),
    };
    let mut scan = scan_landing_file(&file.path, file.format, table)?;
    let columns = scan
        .collect_schema()
        .map_err(withheld)?
        .iter_names()
        .map(|n| n.to_string())
        .collect();
    let rows = super::count_rows(scan, table, "bronze ingest").map_err(|e| match e {
        Error::Polars { source, .. } => withheld(*source),
        other => other,
    })?;
    Ok((columns, rows))
}

/// The lazy scan of one prepared file with `_source_row` and `_source_file`.
fn scan_prepared(file: &Prepared, table: &str) -> Result<LazyFrame> {
    let frame = match &file.source {
        // Lines files number their rows by line themselves.
        Source::Landed { header: None } if file.file.format == LandingFormat::Lines => {
            scan_landing_file(&file.file.path, LandingFormat::Lines, table)?
        }
        Source::Landed { header: None } => {
            scan_landing_file(&file.file.path, file.file.format, table)?
                .with_row_index(SOURCE_ROW, Some(1))
        }
        Source::Landed {
            header: Some(header),
        } => {
            let mut scan = scan_landing_file(&file.file.path, LandingFormat::Csv, table)?;
            let read: Vec<String> = scan
                .collect_schema()
                .map_err(|e| Error::polars(table, "bronze ingest", e))?
                .iter_names()
                .map(|n| n.to_string())
                .collect();
            if read != header.names {
                scan = scan.rename(read, header.names.clone(), true);
            }
            scan.with_row_index(SOURCE_ROW, Some(1))
        }
        Source::Repaired { path } => scan_landing_file(path, LandingFormat::Csv, table)?,
    };
    Ok(frame.with_columns([
        col(SOURCE_ROW).cast(DataType::Int64),
        lit(file.file.relative.clone()).alias(SOURCE_FILE),
    ]))
}

/// The entries of `these` that are not in `those`, in order; lineage columns bronze
/// adds only when needed do not count.
fn drift(these: &[String], those: &[String]) -> Vec<String> {
    these
        .iter()
        .filter(|c| !those.contains(c) && !OPTIONAL_LINEAGE.contains(&c.as_str()))
        .cloned()
        .collect()
}

/// Files under `root` with the given stem (or, with `prefix`, a stem starting with it) and
/// an extension of `forced` or else a known one, sorted by relative path, and the paths
/// passed over with the reason.
///
/// Directories and files are identified by their real path: a symlink to a directory
/// or file already discovered, and a symlink cycle, are visited once — a landing folder
/// with `latest -> 2024-11` or `loop -> .` does not multiply the data.
fn discover(
    root: &Path,
    stem: &str,
    prefix: bool,
    forced: Option<LandingFormat>,
) -> Result<(Vec<LandingFile>, Vec<String>)> {
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
            let Some(format) = LandingFormat::of(&path, forced) else {
                continue;
            };
            let file_stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            if !(file_stem == stem || (prefix && file_stem.starts_with(stem))) {
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
        LandingFormat::Lines => return super::landing_lines::scan(path, table),
    };
    // Polars' message is withheld: reading a file's schema can quote its rows.
    scan.map_err(|e| Error::LandingRead {
        table: table.to_string(),
        files: vec![path.display().to_string()],
        kind: polars_error_kind(&e),
    })
}

awaitable_builder!(BronzeIngestBuilder => BronzeReport);
