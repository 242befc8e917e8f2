//! The patient-flow lakehouse: landing NDJSON → bronze → silver → gold, wired with
//! medallion-core's builders (the only place this crate touches Delta).
//!
//! | layer | table | how |
//! |---|---|---|
//! | bronze | `bronze/adt_events` | `BronzeIngestBuilder` with `LandingFormat::Lines`: raw lines + lineage, exactly once (below) |
//! | silver | `silver/adt_events` (+ `_quarantine`) | `SilverBuilder`: [`crate::silver::transform`], [`SilverConfig::rules`], dedup on `event_id` (`DUPLICATE_EVENT`), upsert |
//! | gold | `gold/dim_patient` | `Scd2Builder` on gender, age, insurance type |
//! | gold | every table of [`crate::gold`] | `GoldWriteBuilder` (overwrite, `metric_version`) |
//!
//! Every run appends its `RunReport` to `<lakehouse>/_runs`. Row counts reconcile:
//! bronze rows = silver rows + quarantined rows + removed duplicates.
//!
//! ## Bronze keeps the raw text
//!
//! Bronze is medallion-core's `BronzeIngestBuilder` reading the landing files
//! (`<landing_file_prefix>*.ndjson`, `.jsonl`, `.json`, `.txt`, recursively) as
//! `LandingFormat::Lines`: each non-blank line is one row, its text untouched in
//! `_raw_line` ([`RAW_EVENT`](crate::columns::RAW_EVENT)), with `_ingested_at`,
//! `_source_file`, `_source_row` (the line number) and `_batch_id`. It keeps the bronze
//! contract of every medallion pipeline: files are identified by content (a re-delivered
//! file is not ingested again), all new lines go in **one** commit tagged with the
//! application transaction `(<pipeline>/adt_events, batch)`, and a line that is not UTF-8
//! is kept lossily with an `invalid_utf8` `_ingest_issue` (silver flags it). New JSON
//! fields never change the bronze schema: they stay in the raw text, and silver names
//! them in `_unknown_fields` and in the run report's schema drift.
//!
//! ## Interrupted runs
//!
//! Every commit of a run (bronze batch, final silver commit, SCD2 merge, gold write)
//! carries the run id and its table's report. A run killed before it appended its report
//! to `_runs` is recovered by the next run (`RecoverRunsBuilder`), which appends the
//! rebuilt report with status `interrupted` before it commits anything, so `_runs`
//! accounts for every committed row exactly once. Runs on one lakehouse must not
//! overlap.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use medallion_core::pipeline::{
    BATCH_ID, BronzeIngestBuilder, GoldWriteBuilder, LandingFormat, Layer, RecoverRunsBuilder,
    RunReport, Scd2Builder, SilverBuilder, SilverReport, TableRunReport,
};
use medallion_core::{ReadBuilder, WriteReport, run_polars};
use medallion_model::GoldTable;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::columns::{EVENT_ID, EVENT_TIMESTAMP, PATIENT_ID, UNKNOWN_FIELDS};
use crate::error::{Error, Result};
use crate::gold::star::{PATIENT_TRACKED_ATTRIBUTES, PATIENT_VERSION_KEY, dim_patient_snapshot};
use crate::gold::{DIM_PATIENT, GoldConfig, PatientFlow, gold_tables};
use crate::network::Network;
use crate::silver::rules::DUPLICATE_EVENT;
use crate::silver::{SilverConfig, transform};
use crate::simulator::LANDING_FILE_STEM;

/// Name of the bronze and silver event tables.
pub const EVENTS_TABLE: &str = "adt_events";

/// Settings of one pipeline run.
/// Loadable from JSON: `lakehouse`, `as_of` and `run_id` are required, the other keys
/// take their defaults when absent.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PipelineConfig {
    /// Lakehouse root: `<root>/{bronze,silver,gold}/<table>` and `<root>/_runs`.
    pub lakehouse: PathBuf,
    /// Pipeline name, part of every application-transaction id. Default: `patient-flow`.
    #[serde(default = "default_pipeline")]
    pub pipeline: String,
    /// As-of instant: open stays occupy beds until it; events after it are left out of
    /// gold; the effective time of new `dim_patient` versions.
    pub as_of: DateTime<Utc>,
    /// Identifier of the run (recorded in `_runs` and commit metadata).
    pub run_id: String,
    /// Hospitals, departments, beds. Default: [`Network::default`].
    #[serde(default)]
    pub network: Network,
    /// Silver rules. Default: [`SilverConfig::default`].
    #[serde(default)]
    pub silver: SilverConfig,
    /// Gold settings. Default: [`GoldConfig::default`].
    #[serde(default)]
    pub gold: GoldConfig,
    /// Landing files ingested: names starting with this. Default: `adt_events`.
    #[serde(default = "default_landing_prefix")]
    pub landing_file_prefix: String,
    /// Bronze rows a silver run transforms at a time (bounds memory). Default:
    /// medallion-core's `DEFAULT_CHUNK_ROWS` (500,000).
    #[serde(default = "default_chunk_rows")]
    pub silver_chunk_rows: usize,
    /// `_ingested_at` of this run's bronze rows. Default: `None` — the time the run
    /// starts.
    #[serde(default)]
    pub ingested_at: Option<DateTime<Utc>>,
}

fn default_pipeline() -> String {
    "patient-flow".to_string()
}

fn default_landing_prefix() -> String {
    LANDING_FILE_STEM.to_string()
}

fn default_chunk_rows() -> usize {
    medallion_core::pipeline::DEFAULT_CHUNK_ROWS
}

impl PipelineConfig {
    /// A configuration with the documented defaults.
    pub fn new(
        lakehouse: impl Into<PathBuf>,
        as_of: DateTime<Utc>,
        run_id: impl Into<String>,
    ) -> Self {
        Self {
            lakehouse: lakehouse.into(),
            pipeline: default_pipeline(),
            as_of,
            run_id: run_id.into(),
            network: Network::default(),
            silver: SilverConfig::default(),
            gold: GoldConfig::default(),
            landing_file_prefix: default_landing_prefix(),
            silver_chunk_rows: default_chunk_rows(),
            ingested_at: None,
        }
    }

    /// `<lakehouse>/<layer>/<name>`.
    pub fn table(&self, layer: &str, name: &str) -> PathBuf {
        self.lakehouse.join(layer).join(name)
    }
}

/// One finished step of a run, for progress displays (counts only, never data).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Step {
    /// The layer.
    pub layer: Layer,
    /// The table.
    pub table: String,
    /// What happened, e.g. `10000 new rows from 1 new file(s)`.
    pub summary: String,
    /// Wall time.
    pub elapsed: Duration,
}

/// What a run produced.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PipelineOutcome {
    /// The run report (also appended to `_runs`).
    pub report: RunReport,
    /// Reports of earlier runs that were killed after committing, rebuilt from their
    /// commits and appended to `_runs` (status `interrupted`) before this run began.
    pub interrupted_runs: Vec<RunReport>,
    /// JSON fields seen in this run's events that the model does not know.
    pub schema_drift: Vec<String>,
    /// Gold tables written (name → rows).
    pub gold_rows: BTreeMap<String, u64>,
}

/// Runs bronze → silver → gold over the landing directory; `observer` receives a
/// [`Step`] per table.
///
/// # Errors
/// [`Error`] naming the table and operation that failed; a `fail`-severity rule aborts
/// before anything of its batch is committed ([`Error::is_rule_failure`]);
/// [`Error::Unreconciled`] when row counts do not reconcile (after the run report is
/// recorded).
pub async fn run_pipeline(
    config: &PipelineConfig,
    landing: &Path,
    observer: &mut (dyn FnMut(Step) + Send),
) -> Result<PipelineOutcome> {
    Box::pin(run(config, Some(landing), observer)).await
}

/// Runs silver → gold over what is new in `bronze/adt_events` when another writer fills
/// bronze (medallion-core's Kafka source with feature `kafka`: same raw-line layout,
/// `_source_file` `kafka://<topic>/<partition>`, `_source_row` the offset).
///
/// # Errors
/// As [`run_pipeline`].
pub async fn run_pipeline_from_bronze(
    config: &PipelineConfig,
    observer: &mut (dyn FnMut(Step) + Send),
) -> Result<PipelineOutcome> {
    Box::pin(run(config, None, observer)).await
}

async fn run(
    config: &PipelineConfig,
    landing: Option<&Path>,
    observer: &mut (dyn FnMut(Step) + Send),
) -> Result<PipelineOutcome> {
    config.network.validate()?;
    config.silver.validate(&config.network)?;
    let interrupted_runs = record_interrupted_runs(config).await?;
    let started_at = Utc::now();
    let mut report = RunReport::new(config.run_id.clone(), started_at);
    // The run's state machine is large in debug builds: keep it on the heap.
    if let Some(landing) = landing {
        Box::pin(bronze_layer(
            config,
            landing,
            started_at,
            &mut report,
            observer,
        ))
        .await?;
    }
    let schema_drift = Box::pin(silver_layer(config, &mut report, observer)).await?;
    let gold_rows = Box::pin(gold_layer(config, &mut report, observer)).await?;
    report.append_to(config.lakehouse.join("_runs")).await?;
    let unreconciled: Vec<String> = report
        .unreconciled()
        .iter()
        .map(|t| format!("{}/{}", t.layer, t.table))
        .collect();
    if !unreconciled.is_empty() {
        return Err(Error::Unreconciled {
            tables: unreconciled,
        });
    }
    Ok(PipelineOutcome {
        report,
        interrupted_runs,
        schema_drift,
        gold_rows,
    })
}

/// Appends to `_runs` the rebuilt report of every earlier run that committed but was
/// killed before recording its report; returns those reports.
async fn record_interrupted_runs(config: &PipelineConfig) -> Result<Vec<RunReport>> {
    let runs_table = config.lakehouse.join("_runs");
    let interrupted = RecoverRunsBuilder::new(&config.lakehouse, &runs_table)?.await?;
    for run in &interrupted {
        tracing::warn!(
            run_id = %run.run_id,
            tables = run.tables.len(),
            "an earlier run was interrupted: recording the report rebuilt from its commits"
        );
        run.append_to(&runs_table).await?;
    }
    Ok(interrupted)
}

async fn bronze_layer(
    config: &PipelineConfig,
    landing: &Path,
    started_at: DateTime<Utc>,
    report: &mut RunReport,
    observer: &mut (dyn FnMut(Step) + Send),
) -> Result<()> {
    let _span = tracing::info_span!("bronze", table = EVENTS_TABLE).entered();
    let bronze = BronzeIngestBuilder::new(
        landing,
        config.table("bronze", EVENTS_TABLE),
        &config.pipeline,
    )?
    .with_file_prefix(&config.landing_file_prefix)
    .with_landing_format(LandingFormat::Lines)
    .with_ingested_at(config.ingested_at.unwrap_or(started_at))
    // The builder records the table's run report in its commit, so a killed run's
    // bronze batch is still accounted for (see `RecoverRunsBuilder`).
    .with_run_id(config.run_id.clone())
    .await?;
    tracing::info!(
        rows = bronze.rows_written,
        files = bronze.files_ingested.len(),
        "bronze ingested"
    );
    observer(Step {
        layer: Layer::Bronze,
        table: EVENTS_TABLE.to_string(),
        summary: format!(
            "{} new rows from {} new file(s), {} file(s) already ingested{}",
            bronze.rows_written,
            bronze.files_ingested.len(),
            bronze.files_already_ingested,
            match bronze.files_redelivered.len() {
                0 => String::new(),
                n => format!(", {n} re-delivered file(s) skipped"),
            }
        ),
        elapsed: bronze.duration,
    });
    report.push(TableRunReport::from_bronze(EVENTS_TABLE, &bronze));
    Ok(())
}

/// Refines new bronze rows; returns the unknown JSON fields of the batch.
async fn silver_layer(
    config: &PipelineConfig,
    report: &mut RunReport,
    observer: &mut (dyn FnMut(Step) + Send),
) -> Result<Vec<String>> {
    let _span = tracing::info_span!("silver", table = EVENTS_TABLE).entered();
    let (network, silver_config) = (config.network.clone(), config.silver.clone());
    let silver = SilverBuilder::new(
        config.table("bronze", EVENTS_TABLE),
        config.table("silver", EVENTS_TABLE),
        &config.pipeline,
        [EVENT_ID],
    )?
    .with_order_by([EVENT_TIMESTAMP])
    .with_transform(move |raw| transform(raw, &network, &silver_config))
    .with_rules(config.silver.rules())
    .with_duplicate_flag(DUPLICATE_EVENT)
    .with_chunk_rows(config.silver_chunk_rows)
    .with_staging_dir(config.lakehouse.join("_staging"))
    .with_run_id(config.run_id.clone())
    .await?;
    let drift = schema_drift(config, &silver).await?;
    tracing::info!(
        read = silver.rows_read,
        written = silver.rows_written,
        quarantined = silver.rows_quarantined,
        "silver refined"
    );
    observer(Step {
        layer: Layer::Silver,
        table: EVENTS_TABLE.to_string(),
        summary: format!(
            "{} read, {} written, {} quarantined, {} duplicates removed",
            silver.rows_read,
            silver.rows_written,
            silver.rows_quarantined,
            silver.rows_deduplicated
        ),
        elapsed: silver.duration,
    });
    let mut entry = TableRunReport::from_silver(EVENTS_TABLE, &silver);
    entry.schema_drift = drift.clone();
    report.push(entry);
    Ok(drift)
}

/// The distinct `_unknown_fields` of the rows the silver run took from bronze (kept and
/// quarantined), sorted.
async fn schema_drift(config: &PipelineConfig, silver: &SilverReport) -> Result<Vec<String>> {
    let Some((done, last)) = silver.bronze_batches else {
        return Ok(Vec::new());
    };
    let mut frames = Vec::new();
    for name in [
        EVENTS_TABLE.to_string(),
        format!("{EVENTS_TABLE}_quarantine"),
    ] {
        let path = config.table("silver", &name);
        if path.join("_delta_log").is_dir() {
            let batch = col(BATCH_ID)
                .gt(lit(done))
                .and(col(BATCH_ID).lt_eq(lit(last)));
            frames.push(
                ReadBuilder::new(path)?
                    .with_columns([UNKNOWN_FIELDS, BATCH_ID])
                    .with_predicate(batch.clone())
                    .await?
                    .filter(batch)
                    .select([col(UNKNOWN_FIELDS)]),
            );
        }
    }
    if frames.is_empty() {
        return Ok(Vec::new());
    }
    let names = run_polars(move || {
        concat(frames, UnionArgs::default())?
            .select([col(UNKNOWN_FIELDS)
                .explode(ExplodeOptions {
                    empty_as_null: false,
                    keep_nulls: false,
                })
                .drop_nulls()
                .unique()
                .sort(Default::default())])
            .collect()
    })
    .await?
    .map_err(|e| Error::polars("reading silver schema drift", e))?;
    let column = names
        .column(UNKNOWN_FIELDS)
        .and_then(|c| c.str().cloned())
        .map_err(|e| Error::polars("reading silver schema drift", e))?;
    Ok(column.iter().flatten().map(str::to_string).collect())
}

async fn gold_layer(
    config: &PipelineConfig,
    report: &mut RunReport,
    observer: &mut (dyn FnMut(Step) + Send),
) -> Result<BTreeMap<String, u64>> {
    let silver = config.table("silver", EVENTS_TABLE);
    if !silver.join("_delta_log").is_dir() {
        return Ok(BTreeMap::new());
    }
    let events = ReadBuilder::new(&silver)?.await?;
    merge_dim_patient(config, events.clone(), report, observer).await?;
    let dim_patient = ReadBuilder::new(config.table("gold", DIM_PATIENT))?
        .with_columns([
            PATIENT_ID,
            PATIENT_VERSION_KEY,
            medallion_core::pipeline::EFFECTIVE_FROM,
        ])
        .await?;
    let (as_of, network, gold_config) = (config.as_of, config.network.clone(), config.gold.clone());
    let tables = run_polars(move || -> Result<_> {
        let flow = PatientFlow::from_events(events.clone(), as_of)?.materialized()?;
        gold_tables(
            &flow,
            events,
            Some(dim_patient),
            &network,
            &gold_config,
            as_of,
        )
    })
    .await??;
    let mut rows = BTreeMap::new();
    for table in tables {
        let t = Instant::now();
        let name = table.name.clone();
        let written = write_gold_table(config, table).await?;
        tracing::info!(table = %name, rows = written.rows_written, "gold written");
        observer(Step {
            layer: Layer::Gold,
            table: name.clone(),
            summary: format!("{} rows", written.rows_written),
            elapsed: t.elapsed(),
        });
        report.push(TableRunReport::from_gold(&name, 0, &written));
        rows.insert(name, written.rows_written);
    }
    Ok(rows)
}

/// Overwrites `gold/<name>` with a gold table, recording its metric version, partition
/// columns and description, the run id and the as-of instant.
async fn write_gold_table(config: &PipelineConfig, table: GoldTable) -> Result<WriteReport> {
    let location = config.table("gold", &table.name);
    let comments: serde_json::Map<String, serde_json::Value> = table
        .column_comments
        .into_iter()
        .map(|(column, comment)| (column, comment.into()))
        .collect();
    Ok(
        GoldWriteBuilder::new(location, table.frame, table.metric_version)?
            .with_partition_columns(table.partition_columns)
            .with_run_id(config.run_id.clone())
            .with_commit_metadata("as_of", config.as_of.to_rfc3339())
            .with_commit_metadata("description", table.description)
            .with_commit_metadata("column_comments", serde_json::Value::Object(comments))
            .await?,
    )
}

/// Applies the current patient snapshot to the SCD2 `dim_patient`.
async fn merge_dim_patient(
    config: &PipelineConfig,
    events: LazyFrame,
    report: &mut RunReport,
    observer: &mut (dyn FnMut(Step) + Send),
) -> Result<()> {
    let snapshot = dim_patient_snapshot(events, config.as_of);
    let scd2 = Scd2Builder::new(
        config.table("gold", DIM_PATIENT),
        snapshot,
        [PATIENT_ID],
        PATIENT_TRACKED_ATTRIBUTES,
        config.as_of,
    )?
    .with_surrogate_key_column(PATIENT_VERSION_KEY)
    // The builder records the table's run report in its commit, so a killed run's SCD2
    // merge is still accounted for in `_runs`.
    .with_run_id(config.run_id.clone())
    .await?;
    let written = WriteReport {
        table: config.table("gold", DIM_PATIENT).display().to_string(),
        version: scd2.version,
        rows_written: scd2.keys_inserted + 2 * scd2.keys_changed,
        files_added: 0,
        files_removed: 0,
        duration: scd2.duration,
    };
    observer(Step {
        layer: Layer::Gold,
        table: DIM_PATIENT.to_string(),
        summary: format!(
            "SCD2: {} new, {} changed, {} unchanged",
            scd2.keys_inserted, scd2.keys_changed, scd2.keys_unchanged
        ),
        elapsed: scd2.duration,
    });
    let read = scd2.keys_inserted + scd2.keys_changed + scd2.keys_unchanged;
    report.push(TableRunReport::from_gold(DIM_PATIENT, read, &written));
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn config_loads_from_json_with_the_documented_defaults() {
        let json = r#"{"lakehouse": "lake", "as_of": "2024-01-31T00:00:00Z", "run_id": "r1",
                       "gold": {"top_diagnoses": 5}}"#;
        let config: PipelineConfig = serde_json::from_str(json).unwrap();
        let defaults = PipelineConfig::new("lake", config.as_of, "r1");
        assert_eq!(config.gold.top_diagnoses, 5);
        assert_eq!(config.pipeline, defaults.pipeline);
        assert_eq!(config.network, defaults.network);
        assert_eq!(config.silver, defaults.silver);
        assert_eq!(config.landing_file_prefix, "adt_events");
        assert_eq!(config.silver_chunk_rows, defaults.silver_chunk_rows);
        assert_eq!(
            config.table("gold", "dim_date"),
            PathBuf::from("lake/gold/dim_date")
        );
    }
}
