//! Gold vitals tables (pure transforms over silver readings and alerts) and the
//! event-time watermark.
//!
//! ## Watermark
//!
//! Readings arrive late and out of order (a monitor buffers while a patient is moved).
//! The pipeline processes them by event time (`observed_at`): the watermark of a
//! micro-batch is the latest `observed_at` accepted so far minus
//! [`VitalsGoldConfig::allowed_lateness_minutes`] ([`watermark`]). A reading observed
//! before the watermark is too late: silver quarantines it (`LATE_BEYOND_WATERMARK`)
//! with its lineage (file and line, or Kafka topic, partition and offset). A reading
//! that is late but within the lateness is accepted, and the snapshot of its patient is
//! recomputed from all of the patient's accepted readings and MERGEd into
//! `patient_risk_snapshot` — so late data changes exactly the rows it affects.

use chrono::{DateTime, Duration, Utc};
use medallion_core::pipeline::BATCH_ID;
use medallion_model::GoldTable;
use medallion_model::expr::{ordered_sum, ratio, stable_sort};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use super::news2::{BANDS, NEWS2_BAND, NEWS2_SCORE};
use super::silver::alert_columns::{ALERT_TYPE, SEVERITY, THRESHOLD_BREACHED};
use super::silver::original_column;
use super::{
    CONSCIOUSNESS, MEASUREMENTS, NEWS2_INPUTS, OBSERVED_AT, PATIENT_ID, READING_ID, VISIT_ID, WARD,
};

/// `metric_version` of the vitals gold tables.
pub const VITALS_GOLD_VERSION: &str = "vitals-gold-1";
/// Gold table: one row per patient.
pub const PATIENT_RISK_SNAPSHOT: &str = "patient_risk_snapshot";
/// Gold table: alerts per patient, type, severity and threshold.
pub const ALERT_ANALYTICS: &str = "alert_analytics";
/// Gold table: null, out-of-range and completeness per batch, table and column.
pub const DATA_QUALITY_METRICS: &str = "data_quality_metrics";

/// Column: time of the latest scored reading.
pub const LAST_OBSERVED_AT: &str = "last_observed_at";
/// Column: scored readings.
pub const SCORED_READINGS: &str = "scored_readings";
/// Column: highest NEWS2 in the trend window.
pub const NEWS2_MAX_WINDOW: &str = "news2_max_window";
/// Column: latest NEWS2 minus the first NEWS2 of the trend window (positive:
/// deteriorating).
pub const NEWS2_CHANGE_WINDOW: &str = "news2_change_window";
/// Column: alerts.
pub const ALERTS: &str = "alerts";
/// Column: first alert.
pub const FIRST_ALERT_AT: &str = "first_alert_at";
/// Column: latest alert.
pub const LAST_ALERT_AT: &str = "last_alert_at";
/// Column: the table measured.
pub const TABLE: &str = "table";
/// Column: the column measured.
pub const COLUMN: &str = "column";
/// Column: rows measured.
pub const ROWS: &str = "rows";
/// Column: % of rows whose value was missing as sent.
pub const NULL_PCT: &str = "null_pct";
/// Column: % of rows whose value was outside its physiological range.
pub const OUT_OF_RANGE_PCT: &str = "out_of_range_pct";
/// Column: % of rows with a usable value (present and in range).
pub const COMPLETENESS_PCT: &str = "completeness_pct";

/// The minutes-in-band column of a band, e.g. `minutes_low_medium`.
pub fn minutes_in_band_column(band: &str) -> String {
    format!("minutes_{}", band.replace('-', "_"))
}

/// Settings of the gold vitals tables and the watermark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct VitalsGoldConfig {
    /// How late (by event time, behind the latest reading accepted) a reading may arrive
    /// and still count. Default 120.
    pub allowed_lateness_minutes: u32,
    /// Hours of the NEWS2 trend window, ending at the latest reading. Default 4.
    pub trend_hours: u32,
    /// A reading's band counts until the next reading, at most this long (a monitor
    /// that stops sending does not extend a band). Default 60.
    pub max_gap_minutes: u32,
}

impl Default for VitalsGoldConfig {
    fn default() -> Self {
        Self {
            allowed_lateness_minutes: 120,
            trend_hours: 4,
            max_gap_minutes: 60,
        }
    }
}

/// The watermark after accepting readings up to `latest_observed` (None: nothing
/// accepted yet, no watermark).
pub fn watermark(
    latest_observed: Option<DateTime<Utc>>,
    config: &VitalsGoldConfig,
) -> Option<DateTime<Utc>> {
    latest_observed.map(|t| t - Duration::minutes(i64::from(config.allowed_lateness_minutes)))
}

const T: &str = "__t_us";
const DURATION: &str = "__minutes";

/// One row per patient: latest vitals, NEWS2 now and over the trend window, and time
/// in each clinical-response band.
///
/// # Definition
/// Over the patient's scored silver readings (those with a NEWS2 aggregate): the
/// values of the latest one (by `observed_at`, then `reading_id`), its NEWS2 and band;
/// the maximum NEWS2 and the change (latest − first) within the
/// [`VitalsGoldConfig::trend_hours`] ending at the latest reading; and, per band, the
/// minutes from each reading to the next, capped at
/// [`VitalsGoldConfig::max_gap_minutes`] (the latest reading contributes 0).
///
/// # Denominator
/// Not a ratio: counts and durations per patient.
///
/// # Numerator
/// Not a ratio.
///
/// # Exclusions
/// Readings without an aggregate (a parameter missing or invalid), quarantined readings
/// (including those beyond the watermark).
///
/// # Period
/// All accepted readings of the patient.
///
/// # Output grain
/// One row per `patient_id`: `visit_id`, `ward`, `last_observed_at`, the seven NEWS2
/// inputs, `news2_score`, `news2_band`, `scored_readings` (Int64), `news2_max_window`,
/// `news2_change_window` (Int32), `minutes_low` … `minutes_high` (Float64).
///
/// # Example
/// Readings at 08:00 (NEWS2 1, low), 08:15 (5, medium), 08:30 (8, high): latest 8,
/// high; change over the window +7; 15 minutes low, 15 medium, 0 high.
pub fn patient_risk_snapshot(readings: LazyFrame, config: &VitalsGoldConfig) -> LazyFrame {
    let window_us = i64::from(config.trend_hours) * 3_600_000_000;
    let cap = f64::from(config.max_gap_minutes);
    let next = col(T).shift(lit(-1)).over([col(PATIENT_ID)]);
    let scored = readings
        .filter(
            col(NEWS2_SCORE)
                .is_not_null()
                .and(col(PATIENT_ID).is_not_null()),
        )
        .with_column(
            col(OBSERVED_AT)
                .dt()
                .timestamp(TimeUnit::Microseconds)
                .alias(T),
        )
        .sort([PATIENT_ID, T, READING_ID], stable_sort());
    let duration = match next {
        Ok(next) => ((next - col(T)).cast(DataType::Float64) / lit(60_000_000.0))
            .clip_max(lit(cap))
            .fill_null(lit(0.0)),
        Err(_) => lit(0.0),
    };
    let in_window = col(T).gt_eq(col(T).max() - lit(window_us));
    let mut aggs = vec![
        col(VISIT_ID).last(),
        col(WARD).last(),
        col(OBSERVED_AT).last().alias(LAST_OBSERVED_AT),
    ];
    aggs.extend(NEWS2_INPUTS.iter().map(|c| col(*c).last()));
    aggs.extend([
        col(NEWS2_SCORE).last(),
        col(NEWS2_BAND).last(),
        col(NEWS2_SCORE)
            .count()
            .cast(DataType::Int64)
            .alias(SCORED_READINGS),
        col(NEWS2_SCORE)
            .filter(in_window.clone())
            .max()
            .alias(NEWS2_MAX_WINDOW),
        (col(NEWS2_SCORE).last() - col(NEWS2_SCORE).filter(in_window).first())
            .alias(NEWS2_CHANGE_WINDOW),
    ]);
    aggs.extend(BANDS.iter().map(|b| {
        ordered_sum(
            when(col(NEWS2_BAND).eq(lit(*b)))
                .then(col(DURATION))
                .otherwise(lit(0.0)),
        )
        .alias(minutes_in_band_column(b))
    }));
    scored
        .with_column(duration.alias(DURATION))
        .group_by_stable([col(PATIENT_ID)])
        .agg(aggs)
        .sort([PATIENT_ID], stable_sort())
}

/// Alert analytics: counts of standardized alerts.
///
/// # Definition
/// Alerts (see [`super::silver::alerts`]) grouped by patient, type, severity and the
/// threshold breached (the breach pattern: which parameters scored 3, or which
/// aggregate band).
///
/// # Denominator
/// Not a ratio.
///
/// # Numerator
/// Not a ratio: `alerts` counts alerts.
///
/// # Exclusions
/// Readings below band `low-medium` raise no alert.
///
/// # Period
/// All alerts so far.
///
/// # Output grain
/// One row per (`patient_id`, `alert_type`, `severity`, `threshold_breached`):
/// `alerts` (Int64), `first_alert_at`, `last_alert_at`.
///
/// # Example
/// A patient with two `NEWS2_HIGH` readings and one `red score: spo2` has two rows:
/// (`NEWS2_HIGH`, critical, `news2_score >= 7`, 2) and (`NEWS2_RED_SCORE`, warning,
/// `red score: spo2`, 1).
pub fn alert_analytics(alerts: LazyFrame) -> LazyFrame {
    alerts
        .group_by_stable([
            col(PATIENT_ID),
            col(ALERT_TYPE),
            col(SEVERITY),
            col(THRESHOLD_BREACHED),
        ])
        .agg([
            col(READING_ID).count().cast(DataType::Int64).alias(ALERTS),
            col(OBSERVED_AT).min().alias(FIRST_ALERT_AT),
            col(OBSERVED_AT).max().alias(LAST_ALERT_AT),
        ])
        .sort(
            [PATIENT_ID, ALERT_TYPE, SEVERITY, THRESHOLD_BREACHED],
            stable_sort(),
        )
}

/// Data-quality metrics per batch, table and column — what a monitoring dashboard
/// reads.
///
/// # Definition
/// For each NEWS2 input of the silver readings: `null_pct` = % of rows whose value was
/// missing as sent; `out_of_range_pct` = % whose value was outside its physiological
/// range (or not a valid ACVPU letter) and was nulled; `completeness_pct` = % with a
/// usable value (100 − the two).
///
/// # Denominator
/// Silver rows of the batch (quarantined rows excluded).
///
/// # Numerator
/// Rows with the value missing / out of range / usable.
///
/// # Exclusions
/// Quarantined rows (poison messages, missing keys, too late), removed duplicates.
///
/// # Period
/// One micro-batch (`_batch_id`).
///
/// # Output grain
/// One row per (`_batch_id`, `table`, `column`): `rows` (Int64), `null_pct`,
/// `out_of_range_pct`, `completeness_pct` (Float64, 0–100).
///
/// # Example
/// A batch of 4 readings with one heart rate null and one of 400 bpm: `heart_rate` has
/// null 25 %, out of range 25 %, completeness 50 %.
pub fn data_quality_metrics(readings: LazyFrame, table: &str) -> LazyFrame {
    let per_column: Vec<LazyFrame> = NEWS2_INPUTS
        .iter()
        .map(|c| {
            let nulled = if MEASUREMENTS.contains(c) || *c == CONSCIOUSNESS {
                col(original_column(c)).is_not_null()
            } else {
                lit(false)
            };
            let missing = col(*c).is_null().and(nulled.clone().not());
            let pct = |e: Expr| {
                ratio(
                    e.cast(DataType::Float64).sum(),
                    col(READING_ID).len().cast(DataType::Float64),
                ) * lit(100.0)
            };
            readings
                .clone()
                .group_by_stable([col(BATCH_ID)])
                .agg([
                    col(READING_ID).len().cast(DataType::Int64).alias(ROWS),
                    pct(missing.clone()).alias(NULL_PCT),
                    pct(nulled.clone()).alias(OUT_OF_RANGE_PCT),
                    pct(missing.not().and(nulled.not())).alias(COMPLETENESS_PCT),
                ])
                .with_columns([lit(table).alias(TABLE), lit(*c).alias(COLUMN)])
                .select([
                    col(BATCH_ID),
                    col(TABLE),
                    col(COLUMN),
                    col(ROWS),
                    col(NULL_PCT),
                    col(OUT_OF_RANGE_PCT),
                    col(COMPLETENESS_PCT),
                ])
        })
        .collect();
    concat(per_column, UnionArgs::default())
        .unwrap_or_else(|_| DataFrame::empty().lazy())
        .sort([BATCH_ID, COLUMN], stable_sort())
}

/// The three gold tables as values: the snapshot of the given readings' patients,
/// alert analytics of the given alerts, and data-quality metrics of the given readings.
pub fn vitals_gold_tables(
    readings: LazyFrame,
    alerts: LazyFrame,
    config: &VitalsGoldConfig,
    silver_table: &str,
) -> Vec<GoldTable> {
    vec![
        GoldTable::new(
            PATIENT_RISK_SNAPSHOT,
            patient_risk_snapshot(readings.clone(), config),
            VITALS_GOLD_VERSION,
        )
        .with_description("One row per patient: latest vitals, NEWS2, trend, minutes per band."),
        GoldTable::new(ALERT_ANALYTICS, alert_analytics(alerts), VITALS_GOLD_VERSION)
            .with_description(
                "One row per patient, alert type, severity and threshold breached: alerts, first and last.",
            ),
        GoldTable::new(
            DATA_QUALITY_METRICS,
            data_quality_metrics(readings, silver_table),
            VITALS_GOLD_VERSION,
        )
        .with_description("One row per batch, table and column: null %, out-of-range %, completeness %."),
    ]
}
