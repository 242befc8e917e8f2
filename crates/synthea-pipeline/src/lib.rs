//! # synthea-pipeline
//!
//! The Synthea lakehouse: composes `synthea-schema` (shapes, typing, normalization,
//! data-quality rules, star schema), `medallion-core` (Delta I/O, bronze/silver/gold
//! machinery) and the metric crates (`ehr-quality-metrics`, `ehr-journey`) into one
//! bronze → silver → gold pipeline. The `synthea_lakehouse` example runs it.
//!
//! ## Quickstart
//!
//! ```no_run
//! # async fn demo() -> Result<(), synthea_pipeline::PipelineError> {
//! use chrono::NaiveDate;
//! use synthea_pipeline::{PipelineConfig, PipelineEvent, run_pipeline};
//!
//! let as_of = NaiveDate::from_ymd_opt(2024, 4, 15).expect("a valid date");
//! let config = PipelineConfig::new("lakehouse", "synthea", as_of, "run-1");
//! let outcome = run_pipeline(&config, "landing".as_ref(), &mut |event| {
//!     if let PipelineEvent::TableDone { stage, table, summary, .. } = event {
//!         println!("[{stage}] {table}: {summary}");
//!     }
//! })
//! .await?;
//! println!("{}", outcome.report);
//! # Ok(()) }
//! ```
//!
//! ## Layers
//!
//! - **Bronze**: every Synthea file under the landing directory is ingested, exactly once,
//!   into `bronze/<table>` as raw text with lineage columns.
//! - **Silver**: new bronze rows are typed (malformed values become null and are flagged,
//!   never dropped), normalized to the canonical model of `synthea-schema`, checked by
//!   its data-quality rules, deduplicated by business key (latest wins, in a total
//!   order) and upserted into `silver/<table>`; quarantined rows go to
//!   `silver/<table>_quarantine`. Rows are processed in chunks of
//!   [`PipelineConfig::silver_chunk_rows`] (spilled to `_staging`), so memory stays
//!   bounded; duplicates are resolved over the whole batch.
//! - **Gold**: the star schema (with `dim_patient` maintained as SCD2) and the metric
//!   crates' tables, each recomputed when the silver versions, the as-of date or its own
//!   metric version differ from what its last write recorded
//!   ([`PipelineOutcome::gold_up_to_date`] when none did).
//!   The population-health surveillance tables (`disease_prevalence_daily`,
//!   `condition_incidence_weekly`) are updated incrementally instead: a run passes the
//!   silver `conditions` rows of batches newer than the last one they include
//!   ([`SURVEILLANCE_STATE_KEY`] in their commit metadata) to
//!   `ehr_population_health::surveillance::surveillance_update` and MERGEs only the
//!   days that changed.
//!
//! One run at a time: a run holds the lock file [`LOCK_FILE`] of the lakehouse; a second
//! run fails at once (exit code 5) and changes nothing. A run first records the reports
//! of earlier runs that were killed ([`PipelineOutcome::interrupted_runs`]). Every run
//! appends its [`RunReport`] to `_runs`, then runs
//! [`PipelineConfig::maintenance`] (if set) on the tables it wrote. Progress is reported
//! as [`PipelineEvent`]s to the caller's observer and logged through `tracing`.

mod bronze;
mod config;
mod error;
mod events;
mod gold;
mod landing;
mod maintenance;
mod restore;
mod runs;
mod silver;
mod surveillance;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::Utc;
use medallion_core::pipeline::{Layer, MaintenanceReport, RunReport, TableRunReport};
use synthea_schema::SyntheaVersion;

pub use config::{PipelineConfig, default_categorical_columns, default_z_order};
pub use error::{ExitKind, PipelineError};
pub use events::{Observer, PipelineEvent, Stage};
pub use gold::{GOLD_FLOAT_DECIMALS, GOLD_INPUTS_KEY, STAR_SCHEMA_VERSION};
pub use restore::{RestorePoint, RestoreTarget, restore_tables};
pub use runs::LOCK_FILE;
pub use silver::PARSE_ERROR_COLUMNS;
pub use surveillance::SURVEILLANCE_STATE_KEY;

/// What a pipeline run produced.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PipelineOutcome {
    /// The run report (also appended to `_runs`).
    pub report: RunReport,
    /// The Synthea version the landing exports were read as.
    pub version: SyntheaVersion,
    /// Gold tables written (name → rows); empty when gold was already current.
    pub gold_rows: BTreeMap<String, u64>,
    /// Whether gold was left as it was: every gold table had been computed from the
    /// current silver versions, as-of date and its metric version (nothing new
    /// arrived), so rewriting it would add versions with the same rows.
    pub gold_up_to_date: bool,
    /// What [`PipelineConfig::maintenance`] did, one entry per table maintained.
    pub maintenance: Vec<MaintenanceReport>,
    /// Reports of earlier runs that were killed after some commits, rebuilt from those
    /// commits and appended to `_runs` (status `interrupted`) before this run started.
    pub interrupted_runs: Vec<RunReport>,
}

/// Runs bronze → silver → gold over every export under `landing`.
///
/// `observer` receives a [`PipelineEvent`] per step (for progress displays).
///
/// # Errors
/// [`PipelineError`] naming the table and step that failed; a `fail`-severity rule
/// aborts before anything of that table's batch is committed.
pub async fn run_pipeline(
    config: &PipelineConfig,
    landing: &Path,
    observer: Observer<'_>,
) -> Result<PipelineOutcome, PipelineError> {
    // The run's state machine is large in debug builds: keep it on the heap, so callers
    // that block on it from a 2 MiB thread (e.g. a `#[tokio::test]`) do not overflow.
    Box::pin(run_layers(config, landing, observer)).await
}

/// Table name of the one `_runs` row of a run that found nothing new.
pub const NOTHING_NEW: &str = "(nothing new)";

/// Drops report rows of tables the run did not touch (no commit, nothing read); a run that
/// touched nothing records one [`NOTHING_NEW`] row instead of a row of zeros per table.
fn keep_only_what_happened(report: &mut RunReport) {
    report.tables.retain(|t| {
        t.version.is_some() || t.rows_read > 0 || t.rows_written > 0 || t.rows_quarantined > 0
    });
    if report.tables.is_empty() {
        report.push(TableRunReport::empty(Layer::Bronze, NOTHING_NEW));
    }
}

async fn run_layers(
    config: &PipelineConfig,
    landing: &Path,
    observer: Observer<'_>,
) -> Result<PipelineOutcome, PipelineError> {
    let _span = tracing::info_span!("synthea_pipeline", run_id = %config.run_id).entered();
    let _lock = runs::lock_lakehouse(config)?;
    let interrupted_runs = runs::record_interrupted_runs(config, observer).await?;
    let started_at = Utc::now();
    let mut report = RunReport::new(config.run_id.clone(), started_at);

    let exports = landing::export_dirs(landing)?;
    let version = landing::landing_version(&exports, landing)?;
    tracing::info!(exports = exports.len(), ?version, landing = %landing.display(), "found Synthea exports");
    observer(PipelineEvent::ExportsFound {
        exports: exports.len(),
        version,
    });

    let present =
        bronze::ingest(config, landing, started_at, version, &mut report, observer).await?;
    silver::refine(config, &present, version, &mut report, observer).await?;
    let gold = gold::build(config, &mut report, observer).await?;

    keep_only_what_happened(&mut report);
    report.append_to(config.lakehouse.join("_runs")).await?;
    // After the report is recorded: a maintenance failure loses no run history.
    let maintenance = match &config.maintenance {
        Some(policy) => {
            maintenance::maintain_written_tables(config, &report, policy, observer).await?
        }
        None => Vec::new(),
    };
    Ok(PipelineOutcome {
        report,
        version,
        gold_rows: gold.rows,
        gold_up_to_date: gold.up_to_date,
        maintenance,
        interrupted_runs,
    })
}
