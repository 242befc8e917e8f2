//! Recovery of run reports: a run that was killed after some commits never appended its
//! rows to `_runs`; the next run rebuilds them from the commits themselves.
//!
//! Every pipeline builder (bronze ingestion, the final commit of a silver batch, SCD2,
//! gold writes) records the [`TableRunReport`] of its unit of work in the commit's
//! metadata under [`RUN_REPORT_KEY`], next to the caller's `run_id`. The report and the
//! rows it counts are therefore committed atomically: whatever a killed run committed
//! is described by its commits. [`RecoverRunsBuilder`] finds commits whose run id has
//! no row in `_runs` and returns one [`RunReport`] per such run, marked
//! [`RunStatus::Interrupted`]; appending them to `_runs` makes the report's totals
//! reconcile with the tables again (e.g. the bronze rows a killed run committed are
//! counted once, under the killed run's id, and the re-run counts only what it adds).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use polars::prelude::*;

use super::report::{Layer, RunReport, RunStatus, TableRunReport};
use crate::blocking::run_blocking;
use crate::error::{Error, Result};
use crate::location::TableLocation;
use crate::ops::history::{HistoryBuilder, HistoryEntry};
use crate::read::ReadBuilder;
use crate::table::{RUN_ID, table_version};

/// Commit-metadata key under which a pipeline builder records the [`TableRunReport`]
/// (as JSON) of the unit of work the commit completes.
pub const RUN_REPORT_KEY: &str = "run_report";

/// Finds runs that committed to the tables of a lakehouse but never recorded their
/// report in `_runs` (the process was killed), and rebuilds those reports from the
/// commits; run with `.await`.
///
/// Tables are the Delta tables directly under `<root>/bronze`, `<root>/silver` and
/// `<root>/gold`. Only commits newer than both the newest version `_runs` records for a
/// table and `_runs`' last write are read, so a lakehouse whose runs all completed costs
/// one read of each table's newest commit. This relies on runs not overlapping (the
/// caller holds a lock, as `synthea-pipeline` does) and on each run recovering before
/// it commits anything. Commits without a [`RUN_REPORT_KEY`] (maintenance, quarantine writes that
/// a re-run accounts for, tables written before reports were recorded) are passed over.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use medallion_core::pipeline::{RecoverRunsBuilder, RunStatus};
///
/// let lake = tempfile::tempdir()?;
/// // Nothing committed yet: nothing to recover.
/// let recovered = RecoverRunsBuilder::new(lake.path(), lake.path().join("_runs"))?.await?;
/// assert!(recovered.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[must_use = "a RecoverRunsBuilder does nothing until awaited"]
pub struct RecoverRunsBuilder {
    root: PathBuf,
    runs: TableLocation,
}

/// What `_runs` already holds: the run ids, per `(layer, table)` the newest version a
/// recorded run committed, and when `_runs` was last written.
#[derive(Default)]
struct Recorded {
    run_ids: BTreeSet<String>,
    newest_version: BTreeMap<(String, String), u64>,
    written_at_ms: Option<i64>,
}

/// A commit of an unrecorded run, with the report it carries.
struct UnrecordedCommit {
    run_id: String,
    timestamp_ms: i64,
    report: TableRunReport,
}

impl RecoverRunsBuilder {
    /// Recovery over the lakehouse at `root`, whose run reports live in `runs`
    /// (usually `<root>/_runs`).
    ///
    /// # Errors
    /// [`Error::InvalidLocation`] for an unusable `_runs` location.
    pub fn new(
        root: impl AsRef<Path>,
        runs: impl TryInto<TableLocation, Error = Error>,
    ) -> Result<Self> {
        Ok(Self {
            root: root.as_ref().to_path_buf(),
            runs: runs.try_into()?,
        })
    }

    async fn execute(self) -> Result<Vec<RunReport>> {
        let recorded = recorded_runs(&self.runs).await?;
        let mut unrecorded = Vec::new();
        for (layer, table, path) in lakehouse_tables(&self.root)? {
            let newest = recorded
                .newest_version
                .get(&(layer.to_string(), table.clone()))
                .copied();
            unrecorded.extend(unrecorded_commits(&path, newest, &recorded).await?);
        }
        Ok(group_by_run(unrecorded))
    }
}

awaitable_builder!(RecoverRunsBuilder => Vec<RunReport>);

/// Reads the run ids and the newest version per table from `_runs`, and the time of
/// its last commit (nothing when the table does not exist yet).
async fn recorded_runs(runs: &TableLocation) -> Result<Recorded> {
    const OP: &str = "recover run reports";
    if table_version(runs).await?.is_none() {
        return Ok(Recorded::default());
    }
    let last_write = HistoryBuilder::new(runs)?.with_limit(1).await?;
    let table = runs.to_string();
    let lf = ReadBuilder::new(runs)?.await?.select([
        col("run_id"),
        col("layer"),
        col("table"),
        col("version"),
    ]);
    let uri = table.clone();
    let frame = run_blocking(&table, OP, move || {
        lf.collect().map_err(|e| Error::polars(&uri, OP, e))
    })
    .await?;
    let column = |name: &str| {
        frame
            .column(name)
            .and_then(|c| c.cast(&DataType::String))
            .map_err(|e| Error::polars(&table, OP, e))
    };
    let (ids, layers, tables) = (column("run_id")?, column("layer")?, column("table")?);
    let versions = frame
        .column("version")
        .and_then(|c| c.cast(&DataType::Int64))
        .map_err(|e| Error::polars(&table, OP, e))?;
    let (ids, layers, tables) = (ids.str(), layers.str(), tables.str());
    let (ids, layers, tables, versions) = match (ids, layers, tables, versions.i64()) {
        (Ok(i), Ok(l), Ok(t), Ok(v)) => (i, l, t, v),
        _ => return Ok(Recorded::default()),
    };
    let mut recorded = Recorded {
        written_at_ms: last_write.first().and_then(|c| c.timestamp_ms),
        ..Recorded::default()
    };
    for row in 0..frame.height() {
        if let Some(id) = ids.get(row) {
            recorded.run_ids.insert(id.to_string());
        }
        if let (Some(layer), Some(name), Some(version)) =
            (layers.get(row), tables.get(row), versions.get(row))
        {
            let newest = recorded
                .newest_version
                .entry((layer.to_string(), name.to_string()))
                .or_insert(0);
            *newest = (*newest).max(u64::try_from(version).unwrap_or(0));
        }
    }
    Ok(recorded)
}

/// The Delta tables directly under `<root>/<layer>/`, in name order.
fn lakehouse_tables(root: &Path) -> Result<Vec<(Layer, String, PathBuf)>> {
    let mut tables = Vec::new();
    for layer in [Layer::Bronze, Layer::Silver, Layer::Gold] {
        let dir = root.join(layer.to_string());
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => {
                return Err(Error::Io {
                    path: dir.display().to_string(),
                    operation: "recover run reports",
                    source,
                });
            }
        };
        let mut found: Vec<(Layer, String, PathBuf)> = entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.join("_delta_log").is_dir())
            .filter_map(|path| {
                let name = path.file_name()?.to_str()?.to_string();
                Some((layer, name, path))
            })
            .collect();
        found.sort_by(|a, b| a.1.cmp(&b.1));
        tables.extend(found);
    }
    Ok(tables)
}

/// The commits of `table` newer than `newest_recorded` that carry a run report of a
/// run `_runs` does not know.
///
/// The table's newest commit is read first (one open of the table): when `_runs`
/// records that version, or the commit is older than `_runs`' last write, nothing of
/// the table is unrecorded — runs do not overlap and each records the interrupted runs
/// before it commits anything, so a killed run's commits are newer than every `_runs`
/// write before them. This keeps tables `_runs` never names (e.g. quarantine tables)
/// from being read in full on every run.
async fn unrecorded_commits(
    table: &Path,
    newest_recorded: Option<u64>,
    recorded: &Recorded,
) -> Result<Vec<UnrecordedCommit>> {
    let head = HistoryBuilder::new(table)?.with_limit(1).await?;
    let Some(newest) = head.first() else {
        return Ok(Vec::new());
    };
    let older_than_runs =
        |commit: &HistoryEntry| match (commit.timestamp_ms, recorded.written_at_ms) {
            (Some(commit), Some(runs)) => commit < runs,
            _ => false,
        };
    let unseen = match newest_recorded {
        Some(version) if version >= newest.version => return Ok(Vec::new()),
        _ if older_than_runs(newest) => return Ok(Vec::new()),
        Some(version) => usize::try_from(newest.version - version).unwrap_or(usize::MAX),
        None => usize::MAX,
    };
    let commits = match unseen {
        1 => head,
        usize::MAX => HistoryBuilder::new(table)?.await?,
        n => HistoryBuilder::new(table)?.with_limit(n).await?,
    };
    Ok(commits
        .into_iter()
        .take_while(|commit| !older_than_runs(commit))
        .filter_map(|commit| unrecorded_commit(commit, &recorded.run_ids))
        .collect())
}

/// The run report a commit carries, if its run is not recorded.
fn unrecorded_commit(
    commit: HistoryEntry,
    recorded_runs: &BTreeSet<String>,
) -> Option<UnrecordedCommit> {
    let run_id = commit.info.get(RUN_ID)?.as_str()?.to_string();
    if recorded_runs.contains(&run_id) {
        return None;
    }
    let report = commit.info.get(RUN_REPORT_KEY)?;
    // Stored as an object; a string holding the JSON is accepted as well.
    let mut report: TableRunReport = match report {
        serde_json::Value::String(text) => serde_json::from_str(text).ok()?,
        value => serde_json::from_value(value.clone()).ok()?,
    };
    // The builder cannot know the version its commit gets, nor (when delta-rs streams
    // the rows) how many rows it wrote: the log does.
    report.version = Some(commit.version);
    if report.layer == Layer::Silver && report.rows_written == 0 {
        // Silver records its counts before committing; what it wrote follows from
        // read = written + unchanged + quarantined + deduplicated.
        report.rows_written = report.rows_read.saturating_sub(
            report.rows_unchanged + report.rows_quarantined + report.rows_deduplicated,
        );
        report.rows_inserted = report
            .rows_written
            .saturating_sub(report.rows_updated + report.rows_deleted);
    }
    if report.layer != Layer::Silver
        && report.rows_written == 0
        && let Some(rows) = added_rows(&commit)
    {
        report.rows_written = rows;
        if report.layer == Layer::Bronze {
            // Bronze appends every row it reads.
            report.rows_read = rows;
            report.rows_inserted = rows;
        }
    }
    Some(UnrecordedCommit {
        run_id,
        timestamp_ms: commit.timestamp_ms.unwrap_or(0),
        report,
    })
}

/// The rows a commit wrote, from its `operationMetrics` (delta-rs and medallion-core
/// record them): `num_added_rows` of a write, inserted + updated target rows of a MERGE.
fn added_rows(commit: &HistoryEntry) -> Option<u64> {
    let metrics = commit.info.get("operationMetrics")?;
    let metric = |name: &str| {
        let value = metrics.get(name)?;
        value
            .as_u64()
            .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
    };
    metric("num_added_rows").or_else(|| {
        let inserted = metric("num_target_rows_inserted")?;
        Some(inserted + metric("num_target_rows_updated").unwrap_or(0))
    })
}

/// One interrupted [`RunReport`] per run id, oldest run first, its tables in commit
/// order.
fn group_by_run(mut commits: Vec<UnrecordedCommit>) -> Vec<RunReport> {
    commits.sort_by(|a, b| {
        (a.timestamp_ms, &a.report.layer, &a.report.table).cmp(&(
            b.timestamp_ms,
            &b.report.layer,
            &b.report.table,
        ))
    });
    let mut runs: Vec<RunReport> = Vec::new();
    for commit in commits {
        match runs.iter_mut().find(|r| r.run_id == commit.run_id) {
            Some(run) => run.push(commit.report),
            None => {
                let started_at =
                    DateTime::<Utc>::from_timestamp_millis(commit.timestamp_ms).unwrap_or_default();
                let mut run = RunReport::new(commit.run_id, started_at);
                run.status = RunStatus::Interrupted;
                run.push(commit.report);
                runs.push(run);
            }
        }
    }
    runs
}
