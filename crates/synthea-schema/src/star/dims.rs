//! Dimension tables built from silver frames.

use polars::prelude::*;

use medallion_model::hash::{stable_hash, stable_hash_columns};

use crate::spec::utc_datetime;

/// Code system recorded for conditions when the export has no `SYSTEM` column
/// (everything before the newest 3.3+ exports is SNOMED-CT).
pub const DEFAULT_CONDITION_SYSTEM: &str = "http://snomed.info/sct";

/// Patient attributes tracked by SCD Type 2: a change in any of them opens a new
/// version of the patient. The SCD2 writer (medallion-core's `Scd2Builder`) hashes these,
/// in this order, into the version's `row_hash` with the workspace's one stable hash
/// ([`medallion_model::hash`]); [`dim_patient`] itself does not compute it.
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

/// Surrogate key expression of a business id column: the stable hash
/// ([`medallion_model::hash::stable_hash_columns`]) of the id.
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

/// Patient dimension snapshot (SCD2-ready, one row per silver patient row): `patient_key`,
/// `patient_id`, `birth_date`, `ssn` and the [`PATIENT_TRACKED_ATTRIBUTES`].
///
/// A patient has two keys once the snapshot is merged into the SCD2 table:
///
/// * `patient_key` (computed here) is the **durable** key: the stable hash of
///   `patient_id` (see [`key_of`]), the same for every version of the patient. Facts
///   carry it ([`fact_encounters`](super::fact_encounters) and the other facts compute it
///   from their own `patient_id`), so they join the dimension without a lookup; filter
///   `is_current` (or a validity range) to pick one version.
/// * `patient_version_key` (added by the SCD2 writer in `medallion-core`) identifies one
///   **version** of the patient; the writer also adds `row_hash` (the hash of the tracked
///   attributes), `effective_from`, `effective_to` and `is_current`.
///
/// ```
/// use medallion_model::hash::stable_hash_parts;
/// use polars::prelude::*;
/// use synthea_schema::normalize::{NormalizeConfig, normalize};
/// use synthea_schema::star::dim_patient;
/// use synthea_schema::{SyntheaVersion, TableKind};
///
/// let raw = df!("Id" => ["p1"], "BIRTHDATE" => ["1950-01-01"], "FIRST" => ["Ann1"])?.lazy();
/// let silver = normalize(TableKind::Patients, SyntheaVersion::V2, raw, &NormalizeConfig::default())?;
/// let dim = dim_patient(silver).collect()?;
/// assert_eq!(dim.column("patient_key")?.i64()?.get(0), Some(stable_hash_parts(&[Some("p1")])));
/// assert!(dim.column("row_hash").is_err()); // the SCD2 writer adds it
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn dim_patient(patients: LazyFrame) -> LazyFrame {
    let mut exprs = vec![
        key_of("patient_id").alias("patient_key"),
        col("patient_id"),
        col("birth_date"),
        col("ssn"),
    ];
    exprs.extend(PATIENT_TRACKED_ATTRIBUTES.iter().map(|c| col(*c)));
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
