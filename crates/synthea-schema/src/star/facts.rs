//! Fact tables built from silver frames. Foreign keys are stable hashes of business
//! ids, so facts join to the dimensions without lookups and keys never depend on row
//! order or partitioning.

use polars::prelude::*;

use medallion_model::hash::stable_hash_columns;

use super::date::date_key;
use super::dims::{diagnosis_key, key_of, ts};

fn fields(list: &[(&str, DataType)]) -> Schema {
    list.iter()
        .map(|(n, dt)| Field::new((*n).into(), dt.clone()))
        .collect()
}

/// Encounter facts, one row per silver encounter.
///
/// Keys: `encounter_key` (hash of `encounter_id`), `patient_key`, `provider_key`,
/// `organization_key`, `payer_key`, `start_date_key`/`stop_date_key` (yyyymmdd of the
/// derived local dates). Measures: `duration_minutes` (`stop - start`, null when `stop`
/// is null), costs. `encounter_year` (`Int32`, from `start_date`) is the partition column.
pub fn fact_encounters(encounters: LazyFrame) -> LazyFrame {
    encounters.select([
        key_of("encounter_id").alias("encounter_key"),
        col("encounter_id"),
        key_of("patient_id").alias("patient_key"),
        key_of("provider_id").alias("provider_key"),
        key_of("organization_id").alias("organization_key"),
        key_of("payer_id").alias("payer_key"),
        date_key(col("start_date")).alias("start_date_key"),
        date_key(col("stop_date")).alias("stop_date_key"),
        col("encounter_class"),
        col("code"),
        col("reason_code"),
        col("start"),
        col("stop"),
        (col("stop") - col("start"))
            .dt()
            .total_minutes(true)
            .alias("duration_minutes"),
        col("base_encounter_cost"),
        col("total_claim_cost"),
        col("payer_coverage"),
        col("start_date")
            .dt()
            .year()
            .cast(DataType::Int32)
            .alias("encounter_year"),
    ])
}

/// Contract of [`fact_encounters`].
pub fn fact_encounters_schema() -> Schema {
    fields(&[
        ("encounter_key", DataType::Int64),
        ("encounter_id", DataType::String),
        ("patient_key", DataType::Int64),
        ("provider_key", DataType::Int64),
        ("organization_key", DataType::Int64),
        ("payer_key", DataType::Int64),
        ("start_date_key", DataType::Int32),
        ("stop_date_key", DataType::Int32),
        ("encounter_class", DataType::String),
        ("code", DataType::String),
        ("reason_code", DataType::String),
        ("start", ts()),
        ("stop", ts()),
        ("duration_minutes", DataType::Float64),
        ("base_encounter_cost", DataType::Float64),
        ("total_claim_cost", DataType::Float64),
        ("payer_coverage", DataType::Float64),
        ("encounter_year", DataType::Int32),
    ])
}

/// Condition facts, one row per silver condition.
///
/// `condition_key` = hash of (patient_id, encounter_id, code, start) — the business key
/// of a condition row; `diagnosis_key` joins [`super::dims::dim_diagnosis`];
/// `is_active` = `stop` is null.
pub fn fact_conditions(conditions: LazyFrame) -> LazyFrame {
    conditions.select([
        stable_hash_columns(&["patient_id", "encounter_id", "code", "start"])
            .alias("condition_key"),
        key_of("patient_id").alias("patient_key"),
        key_of("encounter_id").alias("encounter_key"),
        diagnosis_key(col("system"), col("code")).alias("diagnosis_key"),
        date_key(col("start")).alias("start_date_key"),
        date_key(col("stop")).alias("stop_date_key"),
        col("code"),
        col("start"),
        col("stop"),
        col("stop").is_null().alias("is_active"),
    ])
}

/// Contract of [`fact_conditions`].
pub fn fact_conditions_schema() -> Schema {
    fields(&[
        ("condition_key", DataType::Int64),
        ("patient_key", DataType::Int64),
        ("encounter_key", DataType::Int64),
        ("diagnosis_key", DataType::Int64),
        ("start_date_key", DataType::Int32),
        ("stop_date_key", DataType::Int32),
        ("code", DataType::String),
        ("start", DataType::Date),
        ("stop", DataType::Date),
        ("is_active", DataType::Boolean),
    ])
}

/// Medication (prescription) facts, one row per silver medication row.
///
/// `medication_key` = hash of (patient_id, encounter_id, code, start). Measures:
/// dispenses, base_cost, payer_coverage, total_cost. `is_ongoing` = `stop` is null.
pub fn fact_medications(medications: LazyFrame) -> LazyFrame {
    medications.select([
        stable_hash_columns(&["patient_id", "encounter_id", "code", "start"])
            .alias("medication_key"),
        key_of("patient_id").alias("patient_key"),
        key_of("encounter_id").alias("encounter_key"),
        key_of("payer_id").alias("payer_key"),
        date_key(col("start_date")).alias("start_date_key"),
        date_key(col("stop_date")).alias("stop_date_key"),
        col("code"),
        col("reason_code"),
        col("start"),
        col("stop"),
        col("stop").is_null().alias("is_ongoing"),
        col("dispenses"),
        col("base_cost"),
        col("payer_coverage"),
        col("total_cost"),
    ])
}

/// Contract of [`fact_medications`].
pub fn fact_medications_schema() -> Schema {
    fields(&[
        ("medication_key", DataType::Int64),
        ("patient_key", DataType::Int64),
        ("encounter_key", DataType::Int64),
        ("payer_key", DataType::Int64),
        ("start_date_key", DataType::Int32),
        ("stop_date_key", DataType::Int32),
        ("code", DataType::String),
        ("reason_code", DataType::String),
        ("start", ts()),
        ("stop", ts()),
        ("is_ongoing", DataType::Boolean),
        ("dispenses", DataType::Int64),
        ("base_cost", DataType::Float64),
        ("payer_coverage", DataType::Float64),
        ("total_cost", DataType::Float64),
    ])
}

/// Observation facts, one row per silver observation.
///
/// `observation_key` = hash of (patient_id, encounter_id, code, occurred_at, value);
/// `encounter_key` is null when the observation has no encounter (QALY/DALY/QOLS rows).
pub fn fact_observations(observations: LazyFrame) -> LazyFrame {
    observations.select([
        stable_hash_columns(&["patient_id", "encounter_id", "code", "occurred_at", "value"])
            .alias("observation_key"),
        key_of("patient_id").alias("patient_key"),
        when(col("encounter_id").is_not_null())
            .then(key_of("encounter_id"))
            .otherwise(lit(NULL).cast(DataType::Int64))
            .alias("encounter_key"),
        date_key(col("occurred_date")).alias("date_key"),
        col("category"),
        col("code"),
        col("occurred_at"),
        col("value"),
        col("value_numeric"),
        col("units"),
        col("value_type"),
    ])
}

/// Contract of [`fact_observations`].
pub fn fact_observations_schema() -> Schema {
    fields(&[
        ("observation_key", DataType::Int64),
        ("patient_key", DataType::Int64),
        ("encounter_key", DataType::Int64),
        ("date_key", DataType::Int32),
        ("category", DataType::String),
        ("code", DataType::String),
        ("occurred_at", ts()),
        ("value", DataType::String),
        ("value_numeric", DataType::Float64),
        ("units", DataType::String),
        ("value_type", DataType::String),
    ])
}
