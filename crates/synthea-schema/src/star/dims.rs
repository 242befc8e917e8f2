//! Dimension tables built from silver frames.

use polars::prelude::*;

use crate::hash::{stable_hash, stable_hash_columns};
use crate::spec::utc_datetime;

/// Code system recorded for conditions when the export has no `SYSTEM` column
/// (everything before the newest 3.3+ exports is SNOMED-CT).
pub const DEFAULT_CONDITION_SYSTEM: &str = "http://snomed.info/sct";

/// Patient attributes tracked by SCD Type 2: a change in any of them opens a new
/// version of the patient. `row_hash` of [`dim_patient`] is the stable hash of these,
/// in this order.
pub const PATIENT_TRACKED_ATTRIBUTES: &[&str] = &[
    "prefix",
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "maiden_name",
    "marital_status",
    "race",
    "ethnicity",
    "gender",
    "address",
    "city",
    "state",
    "county",
    "county_fips",
    "zip",
    "lat",
    "lon",
    "death_date",
    "income",
];

/// Surrogate key expression of a business id column: stable hash of the id.
pub fn key_of(id_column: &str) -> Expr {
    stable_hash_columns(&[id_column])
}

/// Surrogate key of a diagnosis: stable hash of (system, code), with a null system
/// replaced by [`DEFAULT_CONDITION_SYSTEM`].
pub fn diagnosis_key(system: Expr, code: Expr) -> Expr {
    stable_hash(vec![system.fill_null(lit(DEFAULT_CONDITION_SYSTEM)), code])
}

fn fields(list: &[(&str, DataType)]) -> Schema {
    list.iter()
        .map(|(n, dt)| Field::new((*n).into(), dt.clone()))
        .collect()
}

/// Patient dimension (SCD2-ready, one row per silver patient row).
///
/// `patient_key` = stable hash of `patient_id`; `birth_date`, `ssn`; the
/// [`PATIENT_TRACKED_ATTRIBUTES`]; `row_hash` = stable hash of the tracked attributes.
/// The SCD2 validity columns (`effective_from`, `effective_to`, `is_current`) are added by
/// the merge in `medallion-core`.
pub fn dim_patient(patients: LazyFrame) -> LazyFrame {
    let mut exprs = vec![
        key_of("patient_id").alias("patient_key"),
        col("patient_id"),
        col("birth_date"),
        col("ssn"),
    ];
    exprs.extend(PATIENT_TRACKED_ATTRIBUTES.iter().map(|c| col(*c)));
    exprs.push(stable_hash_columns(PATIENT_TRACKED_ATTRIBUTES).alias("row_hash"));
    patients.select(exprs)
}

/// Contract of [`dim_patient`].
pub fn dim_patient_schema() -> Schema {
    let mut s = fields(&[
        ("patient_key", DataType::Int64),
        ("patient_id", DataType::String),
        ("birth_date", DataType::Date),
        ("ssn", DataType::String),
    ]);
    for c in PATIENT_TRACKED_ATTRIBUTES {
        let dt = match *c {
            "lat" | "lon" => DataType::Float64,
            "death_date" => DataType::Date,
            "income" => DataType::Int64,
            _ => DataType::String,
        };
        s.with_column((*c).into(), dt);
    }
    s.with_column("row_hash".into(), DataType::Int64);
    s
}

/// Provider dimension: `provider_key`, `provider_id`, `organization_key`, name,
/// gender, speciality, address, city, state, zip, lat, lon.
pub fn dim_provider(providers: LazyFrame) -> LazyFrame {
    providers.select([
        key_of("provider_id").alias("provider_key"),
        col("provider_id"),
        key_of("organization_id").alias("organization_key"),
        col("name"),
        col("gender"),
        col("speciality"),
        col("address"),
        col("city"),
        col("state"),
        col("zip"),
        col("lat"),
        col("lon"),
    ])
}

/// Contract of [`dim_provider`].
pub fn dim_provider_schema() -> Schema {
    fields(&[
        ("provider_key", DataType::Int64),
        ("provider_id", DataType::String),
        ("organization_key", DataType::Int64),
        ("name", DataType::String),
        ("gender", DataType::String),
        ("speciality", DataType::String),
        ("address", DataType::String),
        ("city", DataType::String),
        ("state", DataType::String),
        ("zip", DataType::String),
        ("lat", DataType::Float64),
        ("lon", DataType::Float64),
    ])
}

/// Organization dimension: `organization_key`, `organization_id`, name, address, city,
/// state, zip, lat, lon, phone.
pub fn dim_organization(organizations: LazyFrame) -> LazyFrame {
    organizations.select([
        key_of("organization_id").alias("organization_key"),
        col("organization_id"),
        col("name"),
        col("address"),
        col("city"),
        col("state"),
        col("zip"),
        col("lat"),
        col("lon"),
        col("phone"),
    ])
}

/// Contract of [`dim_organization`].
pub fn dim_organization_schema() -> Schema {
    fields(&[
        ("organization_key", DataType::Int64),
        ("organization_id", DataType::String),
        ("name", DataType::String),
        ("address", DataType::String),
        ("city", DataType::String),
        ("state", DataType::String),
        ("zip", DataType::String),
        ("lat", DataType::Float64),
        ("lon", DataType::Float64),
        ("phone", DataType::String),
    ])
}

/// Payer dimension: `payer_key`, `payer_id`, name, ownership (null before 3.3).
pub fn dim_payer(payers: LazyFrame) -> LazyFrame {
    payers.select([
        key_of("payer_id").alias("payer_key"),
        col("payer_id"),
        col("name"),
        col("ownership"),
    ])
}

/// Contract of [`dim_payer`].
pub fn dim_payer_schema() -> Schema {
    fields(&[
        ("payer_key", DataType::Int64),
        ("payer_id", DataType::String),
        ("name", DataType::String),
        ("ownership", DataType::String),
    ])
}

/// Diagnosis dimension from silver conditions: one row per (system, code), sorted by
/// system then code. `description` is the lexicographically smallest description seen
/// for the code (deterministic when wording differs across versions);
/// `diagnosis_key` = [`diagnosis_key`].
pub fn dim_diagnosis(conditions: LazyFrame) -> LazyFrame {
    conditions
        .filter(col("code").is_not_null())
        .select([
            col("system").fill_null(lit(DEFAULT_CONDITION_SYSTEM)),
            col("code"),
            col("description"),
        ])
        .group_by([col("system"), col("code")])
        .agg([col("description").min()])
        .sort(["system", "code"], SortMultipleOptions::default())
        .select([
            diagnosis_key(col("system"), col("code")).alias("diagnosis_key"),
            col("system"),
            col("code"),
            col("description"),
        ])
}

/// Contract of [`dim_diagnosis`].
pub fn dim_diagnosis_schema() -> Schema {
    fields(&[
        ("diagnosis_key", DataType::Int64),
        ("system", DataType::String),
        ("code", DataType::String),
        ("description", DataType::String),
    ])
}

/// `Datetime(µs, UTC)` (re-exported for fact contracts).
pub(crate) fn ts() -> DataType {
    utc_datetime()
}
