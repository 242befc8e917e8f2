//! Vitals micro-batches on Delta, through medallion-core's builders (the only I/O of
//! the vitals module).
//!
//! | layer | table | how |
//! |---|---|---|
//! | bronze | `bronze/vitals_readings` | [`ingest_landing`]: `BronzeIngestBuilder` over a landing folder (`--from-dir`), or medallion-core's Kafka stream reader (feature `kafka`) writing the same raw-line layout plus `_kafka_*` columns |
//! | silver | `silver/vitals_readings` (+ `_quarantine`) | [`refine_micro_batch`]: `SilverBuilder` with [`super::silver::transform`] (watermark captured per batch), the rules, dedup on `reading_id` |
//! | silver | `silver/vitals_alerts` | appended per batch, tagged with the application transaction `(<pipeline>/vitals_gold, last silver batch)` — the gold layer's progress marker |
//! | gold | `gold/patient_risk_snapshot` | recomputed for the patients of the new readings and MERGEd on `patient_id` |
//! | gold | `gold/data_quality_metrics` | appended per batch (application transaction `(<pipeline>/data_quality_metrics, batch)`) |
//! | gold | `gold/alert_analytics` | overwritten from all alerts |
//!
//! Gold reads the silver rows whose `_batch_id` is above its own progress marker, so a
//! run killed between silver and gold is completed by the next one; every gold step is
//! idempotent (the snapshot is recomputed, the appends are tagged).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use medallion_core::pipeline::{
    BATCH_ID, BronzeIngestBuilder, BronzeReport, GoldWriteBuilder, LandingFormat, SilverBuilder,
    SilverReport,
};
use medallion_core::{
    AppTransaction, MergeBuilder, ReadBuilder, WriteBuilder, WriteMode, app_transaction_version,
    run_polars,
};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use super::gold::{
    ALERT_ANALYTICS, DATA_QUALITY_METRICS, PATIENT_RISK_SNAPSHOT, VITALS_GOLD_VERSION,
    VitalsGoldConfig, alert_analytics, data_quality_metrics, patient_risk_snapshot, watermark,
};
use super::silver::{DUPLICATE_READING, VitalsSilverConfig, alerts, transform};
use super::simulator::VITALS_FILE_STEM;
use super::{OBSERVED_AT, PATIENT_ID, READING_ID};
use crate::error::{Error, Result};

/// Name of the bronze and silver readings tables.
pub const READINGS_TABLE: &str = "vitals_readings";
/// Name of the silver alerts table.
pub const ALERTS_TABLE: &str = "vitals_alerts";

/// Settings of the vitals micro-batches.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VitalsPipelineConfig {
    /// Lakehouse root: `<root>/{bronze,silver,gold}/<table>`.
    pub lakehouse: PathBuf,
    /// Pipeline name, part of every application-transaction id. Default `vitals-stream`.
    pub pipeline: String,
    /// Run id recorded in every commit.
    pub run_id: String,
    /// Silver settings.
    pub silver: VitalsSilverConfig,
    /// Gold settings and the watermark's lateness.
    pub gold: VitalsGoldConfig,
}

impl VitalsPipelineConfig {
    /// A configuration with the defaults.
    pub fn new(lakehouse: impl Into<PathBuf>, run_id: impl Into<String>) -> Self {
        Self {
            lakehouse: lakehouse.into(),
            pipeline: "vitals-stream".to_string(),
            run_id: run_id.into(),
            silver: VitalsSilverConfig::default(),
            gold: VitalsGoldConfig::default(),
        }
    }

    /// `<lakehouse>/<layer>/<name>`.
    pub fn table(&self, layer: &str, name: &str) -> PathBuf {
        self.lakehouse.join(layer).join(name)
    }

    fn app_id(&self, what: &str) -> String {
        format!("{}/{what}", self.pipeline)
    }
}

/// What one micro-batch did (counts only, never data).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct MicroBatchOutcome {
    /// The silver run.
    pub silver: SilverReport,
    /// The watermark the batch was checked against.
    pub watermark: Option<DateTime<Utc>>,
    /// Silver batches gold processed: `(after, up to)`; `None` when nothing was new.
    pub gold_batches: Option<(i64, i64)>,
    /// Patients whose snapshot was recomputed and merged.
    pub snapshots_merged: usize,
    /// The new alerts (for publishing), in reading order.
    pub new_alerts: DataFrame,
}

/// Ingests the new landing files (`vitals*.ndjson`) of `landing` into
/// `bronze/vitals_readings` as raw lines, exactly once.
///
/// # Errors
/// [`Error::Medallion`] naming the table or file.
pub async fn ingest_landing(
    config: &VitalsPipelineConfig,
    landing: &Path,
    ingested_at: DateTime<Utc>,
) -> Result<BronzeReport> {
    Ok(BronzeIngestBuilder::new(
        landing,
        config.table("bronze", READINGS_TABLE),
        &config.pipeline,
    )?
    .with_file_prefix(VITALS_FILE_STEM)
    .with_landing_format(LandingFormat::Lines)
    .with_ingested_at(ingested_at)
    .with_run_id(config.run_id.clone())
    .await?)
}

/// One micro-batch over what is new in `bronze/vitals_readings`: silver (with the
/// watermark), alerts, then the gold tables.
///
/// # Errors
/// [`Error`] naming the table and operation that failed.
pub async fn refine_micro_batch(config: &VitalsPipelineConfig) -> Result<MicroBatchOutcome> {
    config.silver.validate()?;
    let silver_path = config.table("silver", READINGS_TABLE);
    let latest = latest_observed(&silver_path).await?;
    let mark = watermark(latest, &config.gold);
    let silver_config = config.silver.clone();
    let silver = Box::pin(
        SilverBuilder::new(
            config.table("bronze", READINGS_TABLE),
            &silver_path,
            &config.pipeline,
            [READING_ID],
        )?
        .with_order_by([OBSERVED_AT])
        .with_transform(move |raw| transform(raw, &silver_config, mark))
        .with_rules(config.silver.rules())
        .with_duplicate_flag(DUPLICATE_READING)
        .with_staging_dir(config.lakehouse.join("_staging"))
        .with_run_id(config.run_id.clone())
        .into_future(),
    )
    .await?;
    let (gold_batches, snapshots_merged, new_alerts) = Box::pin(gold_layer(config)).await?;
    Ok(MicroBatchOutcome {
        silver,
        watermark: mark,
        gold_batches,
        snapshots_merged,
        new_alerts,
    })
}

/// The latest `observed_at` accepted in silver.
async fn latest_observed(silver: &Path) -> Result<Option<DateTime<Utc>>> {
    if !silver.join("_delta_log").is_dir() {
        return Ok(None);
    }
    let frame = ReadBuilder::new(silver)?
        .with_columns([OBSERVED_AT])
        .await?;
    let max = run_polars(move || {
        frame
            .select([col(OBSERVED_AT)
                .max()
                .dt()
                .timestamp(TimeUnit::Microseconds)])
            .collect()
    })
    .await?
    .map_err(|e| Error::polars("reading the latest observed_at", e))?;
    let micros = max
        .column(OBSERVED_AT)
        .and_then(|c| c.i64().map(|c| c.get(0)))
        .map_err(|e| Error::polars("reading the latest observed_at", e))?;
    Ok(micros.and_then(DateTime::from_timestamp_micros))
}

async fn collect(frame: LazyFrame, context: &'static str) -> Result<DataFrame> {
    run_polars(move || frame.collect())
        .await?
        .map_err(|e| Error::polars(context, e))
}

/// Gold over the silver batches above gold's progress marker.
async fn gold_layer(
    config: &VitalsPipelineConfig,
) -> Result<(Option<(i64, i64)>, usize, DataFrame)> {
    let silver_path = config.table("silver", READINGS_TABLE);
    let alerts_path = config.table("silver", ALERTS_TABLE);
    if !silver_path.join("_delta_log").is_dir() {
        return Ok((None, 0, DataFrame::empty()));
    }
    let progress_id = config.app_id("vitals_gold");
    let done = app_transaction_version(&alerts_path, &progress_id)
        .await?
        .unwrap_or(0);
    let new_rows = collect(
        ReadBuilder::new(&silver_path)?
            .with_predicate(col(BATCH_ID).gt(lit(done)))
            .await?
            .filter(col(BATCH_ID).gt(lit(done))),
        "reading new silver readings",
    )
    .await?;
    let last = new_rows
        .column(BATCH_ID)
        .ok()
        .and_then(|c| c.i64().ok().and_then(|c| c.max()));
    let Some(last) = last else {
        return Ok((None, 0, DataFrame::empty()));
    };
    let merged = merge_snapshots(config, &new_rows).await?;
    append_quality_metrics(config, &new_rows, last).await?;
    let new_alerts = collect(
        alerts(new_rows.lazy()).map_err(|e| Error::polars("computing alerts", e))?,
        "computing alerts",
    )
    .await?;
    WriteBuilder::new(&alerts_path, new_alerts.clone().lazy())?
        .with_mode(WriteMode::Append)
        .with_app_transaction(AppTransaction::new(progress_id, last))
        .with_run_id(config.run_id.clone())
        .await?;
    let all_alerts = ReadBuilder::new(&alerts_path)?.await?;
    GoldWriteBuilder::new(
        config.table("gold", ALERT_ANALYTICS),
        alert_analytics(all_alerts),
        VITALS_GOLD_VERSION,
    )?
    .with_run_id(config.run_id.clone())
    .await?;
    Ok((Some((done, last)), merged, new_alerts))
}

/// Recomputes the snapshot of every patient with new readings from all their accepted
/// readings, and MERGEs it on `patient_id`.
async fn merge_snapshots(config: &VitalsPipelineConfig, new_rows: &DataFrame) -> Result<usize> {
    let patients = collect(
        new_rows
            .clone()
            .lazy()
            .select([col(PATIENT_ID)])
            .drop_nulls(None)
            .unique(None, UniqueKeepStrategy::First),
        "collecting affected patients",
    )
    .await?;
    let silver = ReadBuilder::new(config.table("silver", READINGS_TABLE))?.await?;
    let affected = silver.join(
        patients.clone().lazy(),
        [col(PATIENT_ID)],
        [col(PATIENT_ID)],
        JoinArgs::new(JoinType::Semi),
    );
    let snapshot = collect(
        patient_risk_snapshot(affected, &config.gold),
        "computing patient_risk_snapshot",
    )
    .await?;
    let path = config.table("gold", PATIENT_RISK_SNAPSHOT);
    if path.join("_delta_log").is_dir() {
        MergeBuilder::new(&path, snapshot.clone().lazy(), [PATIENT_ID])?
            .when_matched_update_all(None::<String>)
            .when_not_matched_insert_all(None::<String>)
            .with_run_id(config.run_id.clone())
            .await?;
    } else {
        GoldWriteBuilder::new(&path, snapshot.clone().lazy(), VITALS_GOLD_VERSION)?
            .with_run_id(config.run_id.clone())
            .await?;
    }
    Ok(snapshot.height())
}

/// Appends the batch's data-quality metrics, once per last batch id.
async fn append_quality_metrics(
    config: &VitalsPipelineConfig,
    new_rows: &DataFrame,
    last: i64,
) -> Result<()> {
    let path = config.table("gold", DATA_QUALITY_METRICS);
    let id = config.app_id(DATA_QUALITY_METRICS);
    if app_transaction_version(&path, &id)
        .await?
        .is_some_and(|v| v >= last)
    {
        return Ok(());
    }
    let table = format!("silver/{READINGS_TABLE}");
    WriteBuilder::new(&path, data_quality_metrics(new_rows.clone().lazy(), &table))?
        .with_mode(WriteMode::Append)
        .with_app_transaction(AppTransaction::new(id, last))
        .with_run_id(config.run_id.clone())
        .await?;
    Ok(())
}
