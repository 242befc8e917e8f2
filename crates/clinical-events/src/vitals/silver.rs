//! Silver vitals: raw lines → typed, validated readings with NEWS2, and standardized
//! alerts (pure transforms).
//!
//! [`transform`] parses bronze's raw text leniently (the rules of
//! [`crate::silver::parse_events`]: a wrongly typed value becomes null and is named in
//! `_malformed_fields`), nulls each measurement outside its
//! [`PhysiologicalRanges`] range (the value as sent kept in `_original_<column>`),
//! normalizes the ACVPU letter, scores NEWS2 ([`super::news2`]) and marks readings
//! older than the event-time watermark. [`VitalsSilverConfig::rules`] turns the checks
//! into `medallion_model::Rule`s:
//!
//! | rule | fires when | default severity |
//! |---|---|---|
//! | `OUT_OF_RANGE_<COLUMN>` | a measurement outside its physiological range (nulled) | warn |
//! | `INVALID_CONSCIOUSNESS` | consciousness not one of `A`, `C`, `V`, `P`, `U` (nulled) | warn |
//! | `INCOMPLETE_NEWS2` | a NEWS2 parameter is missing, so no aggregate | warn |
//! | `MISSING_READING_ID`, `MISSING_PATIENT_ID`, `MISSING_OBSERVED_AT` | key fields absent | quarantine |
//! | `UNPARSEABLE_READING` | the line is not a JSON object (a poison message) | quarantine |
//! | `MALFORMED_FIELD` | a field has a value of the wrong type (nulled) | warn |
//! | `LATE_BEYOND_WATERMARK` | `observed_at` before the watermark (see [`super::gold`]) | quarantine |
//! | `DUPLICATE_READING` | a `reading_id` sent more than once (later copies removed by the silver builder) | warn |
//!
//! Every severity can be overridden in [`VitalsSilverConfig::severities`].

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use medallion_core::pipeline::{BATCH_ID, INGESTED_AT, SOURCE_FILE, SOURCE_ROW};
use medallion_model::expr::typed_null;
use medallion_model::{Rule, Severity};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use super::news2::{
    BAND_HIGH, BAND_LOW_MEDIUM, BAND_MEDIUM, NEWS2_BAND, NEWS2_SCORE, RED_SCORE, sub_score_column,
    with_news2,
};
use super::{
    CONSCIOUSNESS, MEASUREMENTS, NEWS2_INPUTS, OBSERVED_AT, PATIENT_ID, READING_ID, VISIT_ID, WARD,
    reading_fields,
};
use crate::columns::{MALFORMED_FIELDS, UNKNOWN_FIELDS};
use crate::error::{Error, Result};
use crate::silver::rules::{MALFORMED_FIELD, WHOLE_LINE, missing_rule_name};
use crate::silver::{Kind, LenientSpec, correct, parse_lenient};

/// Rule: the consciousness letter is not ACVPU.
pub const INVALID_CONSCIOUSNESS: &str = "INVALID_CONSCIOUSNESS";
/// Rule: a NEWS2 parameter is missing.
pub const INCOMPLETE_NEWS2: &str = "INCOMPLETE_NEWS2";
/// Rule: the line is not a JSON object.
pub const UNPARSEABLE_READING: &str = "UNPARSEABLE_READING";
/// Rule: the reading is older than the watermark.
pub const LATE_BEYOND_WATERMARK: &str = "LATE_BEYOND_WATERMARK";
/// The silver builder's duplicate flag.
pub const DUPLICATE_READING: &str = "DUPLICATE_READING";

/// Prefix of the bronze columns a Kafka source adds (`_kafka_topic`, `_kafka_offset` …);
/// silver carries them as lineage.
pub const KAFKA_LINEAGE_PREFIX: &str = "_kafka_";

/// Scratch column holding the parsed struct.
const PARSED: &str = "__parsed";
/// Check column of the watermark.
const CHECK_LATE: &str = "__dq_late";
/// Check column of the consciousness letter.
const CHECK_CONSCIOUSNESS: &str = "__dq_invalid_consciousness";

/// `OUT_OF_RANGE_<COLUMN>` for a measurement, e.g. `OUT_OF_RANGE_HEART_RATE`.
pub fn out_of_range_rule_name(column: &str) -> String {
    format!("OUT_OF_RANGE_{}", column.to_uppercase())
}

/// `_original_<column>`: the value as sent where it was nulled.
pub fn original_column(column: &str) -> String {
    format!("_original_{column}")
}

fn check_column(column: &str) -> String {
    format!("__dq_out_of_range_{column}")
}

/// An inclusive range of physiologically possible values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Range {
    /// Lowest possible value.
    pub min: f64,
    /// Highest possible value.
    pub max: f64,
}

/// The physiological range of each measurement: values outside are recording errors
/// (not patients), nulled and flagged. Defaults are wide on purpose — a NEWS2 of 3 is a
/// patient, not an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PhysiologicalRanges {
    /// Heart rate, bpm. Default 20–300.
    pub heart_rate: Range,
    /// Respiratory rate, /min. Default 2–80.
    pub respiratory_rate: Range,
    /// SpO2, %. Default 50–100.
    pub spo2: Range,
    /// Systolic BP, mmHg. Default 40–300.
    pub bp_systolic: Range,
    /// Temperature, °C. Default 25–45.
    pub temperature_c: Range,
}

impl Default for PhysiologicalRanges {
    fn default() -> Self {
        let r = |min, max| Range { min, max };
        Self {
            heart_rate: r(20.0, 300.0),
            respiratory_rate: r(2.0, 80.0),
            spo2: r(50.0, 100.0),
            bp_systolic: r(40.0, 300.0),
            temperature_c: r(25.0, 45.0),
        }
    }
}

impl PhysiologicalRanges {
    /// The range of one of [`MEASUREMENTS`].
    pub fn of(&self, column: &str) -> Option<Range> {
        match column {
            c if c == super::HEART_RATE => Some(self.heart_rate),
            c if c == super::RESPIRATORY_RATE => Some(self.respiratory_rate),
            c if c == super::SPO2 => Some(self.spo2),
            c if c == super::BP_SYSTOLIC => Some(self.bp_systolic),
            c if c == super::TEMPERATURE_C => Some(self.temperature_c),
            _ => None,
        }
    }
}

/// Settings of the silver vitals transform and rules.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct VitalsSilverConfig {
    /// Physiological ranges. Default: [`PhysiologicalRanges::default`].
    pub ranges: PhysiologicalRanges,
    /// Severity per rule name, overriding the defaults of the module table.
    pub severities: BTreeMap<String, Severity>,
}

impl VitalsSilverConfig {
    /// Checks that every range has `min ≤ max`.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the range.
    pub fn validate(&self) -> Result<()> {
        for m in MEASUREMENTS {
            if let Some(r) = self.ranges.of(m)
                && (r.min.is_nan() || r.max.is_nan() || r.min > r.max)
            {
                return Err(Error::config(format!("ranges.{m}"), "min must be ≤ max"));
            }
        }
        Ok(())
    }

    fn severity(&self, name: &str, default: Severity) -> Severity {
        self.severities.get(name).copied().unwrap_or(default)
    }

    /// The silver rules (see the module table).
    pub fn rules(&self) -> Vec<Rule> {
        let rule = |name: String, violation: Expr, default: Severity, description: &str| {
            Rule::new(
                name.clone(),
                violation,
                self.severity(&name, default),
                description,
            )
        };
        let malformed = col(MALFORMED_FIELDS);
        let whole_line = malformed.clone().list().contains(lit(WHOLE_LINE), false);
        let mut rules: Vec<Rule> = MEASUREMENTS
            .iter()
            .map(|m| {
                rule(
                    out_of_range_rule_name(m),
                    col(check_column(m)).fill_null(lit(false)),
                    Severity::Warn,
                    "measurement outside its physiological range: nulled, original kept",
                )
            })
            .collect();
        rules.push(rule(
            INVALID_CONSCIOUSNESS.to_string(),
            col(CHECK_CONSCIOUSNESS).fill_null(lit(false)),
            Severity::Warn,
            "consciousness not one of A, C, V, P, U: nulled, original kept",
        ));
        rules.push(rule(
            INCOMPLETE_NEWS2.to_string(),
            col(NEWS2_SCORE).is_null().and(whole_line.clone().not()),
            Severity::Warn,
            "a NEWS2 parameter is missing: no aggregate score",
        ));
        for key in [READING_ID, PATIENT_ID, OBSERVED_AT] {
            rule_missing(&mut rules, key, &whole_line, self);
        }
        rules.push(rule(
            UNPARSEABLE_READING.to_string(),
            whole_line.clone(),
            Severity::Quarantine,
            "the message is not a JSON object",
        ));
        rules.push(rule(
            MALFORMED_FIELD.to_string(),
            malformed.list().len().gt(lit(0)).and(whole_line.not()),
            Severity::Warn,
            "a field has a value of the wrong type: nulled, named in _malformed_fields",
        ));
        rules.push(rule(
            LATE_BEYOND_WATERMARK.to_string(),
            col(CHECK_LATE).fill_null(lit(false)),
            Severity::Quarantine,
            "observed before the event-time watermark (later than the allowed lateness)",
        ));
        rules
    }
}

fn rule_missing(rules: &mut Vec<Rule>, key: &str, whole_line: &Expr, config: &VitalsSilverConfig) {
    let name = missing_rule_name(key);
    let severity = config.severity(&name, Severity::Quarantine);
    rules.push(Rule::new(
        name,
        col(key).is_null().and(whole_line.clone().not()),
        severity,
        format!("{key} is absent, null or blank"),
    ));
}

/// How [`transform`] reads each field.
fn lenient_spec() -> LenientSpec {
    let kind = |f: &Field| match f.dtype() {
        DataType::Int32 => Kind::Int,
        DataType::Float64 => Kind::Float,
        DataType::Boolean => Kind::Bool,
        DataType::Datetime(..) => Kind::Timestamp,
        _ => Kind::Text,
    };
    LenientSpec {
        top: reading_fields()
            .iter()
            .map(|f| (f.name.to_string(), kind(f)))
            .collect(),
        nested: None,
    }
}

/// Bronze rows (`_raw_line` plus lineage) → silver readings with NEWS2 and the check
/// columns [`VitalsSilverConfig::rules`] read; row count and order kept.
///
/// `watermark`: readings observed before it are marked `LATE_BEYOND_WATERMARK` (None:
/// no watermark yet).
///
/// # Errors
/// A Polars error when `bronze` has no `_raw_line` column.
pub fn transform(
    bronze: LazyFrame,
    config: &VitalsSilverConfig,
    watermark: Option<DateTime<Utc>>,
) -> PolarsResult<LazyFrame> {
    let mut bronze = bronze;
    let schema = bronze.collect_schema()?;
    let lineage: Vec<String> = schema
        .iter_names()
        .filter(|c| {
            [INGESTED_AT, SOURCE_FILE, SOURCE_ROW, BATCH_ID].contains(&c.as_str())
                || c.starts_with(KAFKA_LINEAGE_PREFIX)
        })
        .map(|c| c.to_string())
        .collect();
    let parsed = bronze
        .with_column(parse_lenient(col(crate::columns::RAW_EVENT), lenient_spec()).alias(PARSED))
        .select(
            std::iter::once(col(PARSED))
                .chain(lineage.iter().map(|c| col(c.as_str())))
                .collect::<Vec<_>>(),
        )
        .unnest(by_name([PARSED], true, false), None);
    let validated = range_checks(parsed, &config.ranges).with_columns(consciousness_check());
    let late = match watermark {
        Some(w) => col(OBSERVED_AT)
            .lt(lit(w.timestamp_micros()).cast(crate::columns::utc_datetime()))
            .fill_null(lit(false)),
        None => lit(false),
    };
    let scored = with_news2(validated).with_column(late.alias(CHECK_LATE));
    Ok(scored.select(output_columns(&lineage)))
}

/// Out-of-range checks and corrections of every measurement.
fn range_checks(frame: LazyFrame, ranges: &PhysiologicalRanges) -> LazyFrame {
    let mut frame = frame;
    for m in MEASUREMENTS {
        let Some(r) = ranges.of(m) else { continue };
        let dtype = if m == super::TEMPERATURE_C {
            DataType::Float64
        } else {
            DataType::Int32
        };
        let value = col(m).cast(DataType::Float64);
        frame = frame
            .with_column(
                value
                    .clone()
                    .lt(lit(r.min))
                    .or(value.gt(lit(r.max)))
                    .fill_null(lit(false))
                    .alias(check_column(m)),
            )
            .with_columns(correct(
                m,
                &original_column(m),
                &check_column(m),
                dtype.clone(),
                typed_null(dtype),
            ));
    }
    frame
}

/// Trims and upper-cases the ACVPU letter; anything else is nulled and checked.
fn consciousness_check() -> Vec<Expr> {
    let letters = Series::new("acvpu".into(), ["A", "C", "V", "P", "U"]);
    let normalized = col(CONSCIOUSNESS)
        .str()
        .strip_chars(lit(NULL))
        .str()
        .to_uppercase();
    let invalid = col(CONSCIOUSNESS).is_not_null().and(
        normalized
            .clone()
            .is_in(lit(letters).implode(false), false)
            .not(),
    );
    vec![
        invalid.clone().alias(CHECK_CONSCIOUSNESS),
        when(invalid.clone())
            .then(col(CONSCIOUSNESS))
            .otherwise(typed_null(DataType::String))
            .alias(original_column(CONSCIOUSNESS)),
        when(invalid)
            .then(typed_null(DataType::String))
            .otherwise(normalized)
            .alias(CONSCIOUSNESS),
    ]
}

/// The silver columns in contract order: reading fields, NEWS2, originals, parse audit,
/// lineage, then the check columns.
fn output_columns(lineage: &[String]) -> Vec<Expr> {
    let mut columns: Vec<Expr> = reading_fields()
        .iter()
        .map(|f| col(f.name.clone()))
        .collect();
    columns.extend(NEWS2_INPUTS.iter().map(|p| col(sub_score_column(p))));
    columns.extend([col(NEWS2_SCORE), col(RED_SCORE), col(NEWS2_BAND)]);
    columns.extend(
        MEASUREMENTS
            .iter()
            .chain([&CONSCIOUSNESS])
            .map(|m| col(original_column(m))),
    );
    columns.extend([col(UNKNOWN_FIELDS), col(MALFORMED_FIELDS)]);
    columns.extend(lineage.iter().map(|c| col(c.as_str())));
    columns.extend(MEASUREMENTS.iter().map(|m| col(check_column(m))));
    columns.extend([col(CHECK_CONSCIOUSNESS), col(CHECK_LATE)]);
    columns
}

/// Alert columns.
pub mod alert_columns {
    /// `NEWS2_HIGH`, `NEWS2_MEDIUM` or `NEWS2_RED_SCORE` (`String`).
    pub const ALERT_TYPE: &str = "alert_type";
    /// `critical`, `urgent` or `warning` (`String`).
    pub const SEVERITY: &str = "severity";
    /// The threshold breached, e.g. `news2_score >= 7` or `red score: spo2` (`String`).
    pub const THRESHOLD_BREACHED: &str = "threshold_breached";
}

/// Standardized alerts: one per silver reading in band `low-medium` or above.
///
/// | band | `alert_type` | `severity` | `threshold_breached` |
/// |---|---|---|---|
/// | `high` | `NEWS2_HIGH` | `critical` | `news2_score >= 7` |
/// | `medium` | `NEWS2_MEDIUM` | `urgent` | `news2_score 5-6` |
/// | `low-medium` | `NEWS2_RED_SCORE` | `warning` | `red score: <parameters scoring 3>` |
///
/// Columns: `reading_id`, `patient_id`, `visit_id`, `ward`, `observed_at`,
/// `news2_score`, `news2_band`, `alert_type`, `severity`, `threshold_breached`, and
/// `_batch_id` when the readings have it.
pub fn alerts(readings: LazyFrame) -> PolarsResult<LazyFrame> {
    use alert_columns::*;
    let mut readings = readings;
    let has_batch = readings.collect_schema()?.contains(BATCH_ID);
    let band = col(NEWS2_BAND);
    let red_parameters = concat_str(
        NEWS2_INPUTS
            .iter()
            .map(|p| {
                when(col(sub_score_column(p)).eq(lit(3i32)))
                    .then(lit(*p))
                    .otherwise(typed_null(DataType::String))
            })
            .collect::<Vec<_>>(),
        ", ",
        true,
    );
    let mut columns = vec![
        col(READING_ID),
        col(PATIENT_ID),
        col(VISIT_ID),
        col(WARD),
        col(OBSERVED_AT),
        col(NEWS2_SCORE),
        col(NEWS2_BAND),
        when(band.clone().eq(lit(BAND_HIGH)))
            .then(lit("NEWS2_HIGH"))
            .when(band.clone().eq(lit(BAND_MEDIUM)))
            .then(lit("NEWS2_MEDIUM"))
            .otherwise(lit("NEWS2_RED_SCORE"))
            .alias(ALERT_TYPE),
        when(band.clone().eq(lit(BAND_HIGH)))
            .then(lit("critical"))
            .when(band.clone().eq(lit(BAND_MEDIUM)))
            .then(lit("urgent"))
            .otherwise(lit("warning"))
            .alias(SEVERITY),
        when(band.clone().eq(lit(BAND_HIGH)))
            .then(lit("news2_score >= 7"))
            .when(band.clone().eq(lit(BAND_MEDIUM)))
            .then(lit("news2_score 5-6"))
            .otherwise(lit("red score: ") + red_parameters)
            .alias(THRESHOLD_BREACHED),
    ];
    if has_batch {
        columns.push(col(BATCH_ID));
    }
    let alerting = Series::new("bands".into(), [BAND_LOW_MEDIUM, BAND_MEDIUM, BAND_HIGH]);
    Ok(readings
        .filter(band.is_in(lit(alerting).implode(false), false))
        .select(columns))
}
