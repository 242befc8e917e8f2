//! Silver: the typed, normalized shape of each entity (pure transforms over bronze
//! rows) and its data-quality rules.
//!
//! | entity | silver table | key | partition |
//! |---|---|---|---|
//! | patients | `patients_changes` (every distinct change) → `patients_scd` | `patient_id`, `change_seq` | — |
//! | encounters | `encounters_clean` | `encounter_id`, `encounter_month` | `encounter_month` |
//! | diagnoses | `diagnoses_clean` | `diagnosis_id` | — |
//! | procedures | `procedures_clean` | `procedure_id` | — |
//! | lab_results | `lab_results_clean` | `lab_result_id`, `result_month` | `result_month` |
//! | medications | `medications_clean` (with `is_active`) | `medication_id` | — |
//!
//! The partition column is part of the MERGE key, so a MERGE reads and rewrites only the
//! partitions its batch touches (delta-rs prunes the target to the partition values of
//! the source). Timestamps (`YYYY-MM-DDTHH:MM:SSZ`) become `Datetime(µs, UTC)`, dates
//! `Date`; a value that does not parse becomes null.

use chrono::{DateTime, Utc};
use medallion_core::pipeline::{BATCH_ID, INGESTED_AT, RAW_LINE, Rule};
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use synthea_gen::ehr_json::{CHANGE_SEQ, CHANGED_AT, Entity, OP};

use crate::error::{Error, Result};
use crate::schema::{JSON_ERROR, JsonSchema, typed_frame};

/// Partition column of `encounters_clean`: the month of `start` (`YYYY-MM`).
pub const ENCOUNTER_MONTH: &str = "encounter_month";
/// Partition column of `lab_results_clean`: the month of `effective_at` (`YYYY-MM`).
pub const RESULT_MONTH: &str = "result_month";
/// Whether a medication is active on the as-of instant (`medications_clean`).
pub const IS_ACTIVE: &str = "is_active";
/// Whether a lab result's value was converted to the canonical unit.
pub const UNIT_NORMALIZED: &str = "unit_normalized";
/// The SCD2 patients table.
pub const PATIENTS_SCD: &str = "patients_scd";

/// Rule: the line is not a JSON object (quarantine).
pub const INVALID_JSON: &str = "invalid_json";
/// Rule: the business key is missing (quarantine).
pub const MISSING_KEY: &str = "missing_key";
/// Rule: `op` is not insert/update/delete or `change_seq` is missing (quarantine).
pub const INVALID_CHANGE: &str = "invalid_change";

/// What a field holds, and so its silver type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Integer,
    Number,
    Date,
    Timestamp,
}

/// The fields the model knows per entity (others pass through as inferred).
fn fields(entity: Entity) -> &'static [(&'static str, Kind)] {
    use Kind::*;
    match entity {
        Entity::Patients => &[
            ("patient_id", Text),
            ("birth_date", Date),
            ("death_date", Date),
            ("first_name", Text),
            ("last_name", Text),
            ("gender", Text),
            ("race", Text),
            ("ethnicity", Text),
            ("marital_status", Text),
            ("address", Text),
            ("city", Text),
            ("state", Text),
            ("county", Text),
            ("zip", Text),
            ("insurance", Text),
        ],
        Entity::Encounters => &[
            ("encounter_id", Text),
            ("patient_id", Text),
            ("organization_id", Text),
            ("provider_id", Text),
            ("encounter_class", Text),
            ("code", Text),
            ("description", Text),
            ("start", Timestamp),
            ("stop", Timestamp),
            ("reason_code", Text),
            ("total_cost", Number),
            ("status", Text),
        ],
        Entity::Diagnoses => &[
            ("diagnosis_id", Text),
            ("patient_id", Text),
            ("encounter_id", Text),
            ("code", Text),
            ("description", Text),
            ("onset_date", Date),
            ("resolved_date", Date),
        ],
        Entity::Procedures => &[
            ("procedure_id", Text),
            ("patient_id", Text),
            ("encounter_id", Text),
            ("code", Text),
            ("description", Text),
            ("performed_at", Timestamp),
            ("reason_code", Text),
            ("base_cost", Number),
        ],
        Entity::LabResults => &[
            ("lab_result_id", Text),
            ("patient_id", Text),
            ("encounter_id", Text),
            ("code", Text),
            ("description", Text),
            ("value", Number),
            ("unit", Text),
            ("effective_at", Timestamp),
        ],
        Entity::Medications => &[
            ("medication_id", Text),
            ("patient_id", Text),
            ("encounter_id", Text),
            ("code", Text),
            ("description", Text),
            ("start", Timestamp),
            ("stop", Timestamp),
            ("dispenses", Integer),
            ("reason_code", Text),
            ("status", Text),
        ],
    }
}

/// The silver table an entity's rows go to.
pub fn silver_table(entity: Entity) -> String {
    match entity {
        Entity::Patients => "patients_changes".to_string(),
        other => format!("{}_clean", other.name()),
    }
}

/// The silver MERGE key of an entity (the partition column included).
pub fn silver_keys(entity: Entity) -> Vec<&'static str> {
    match entity {
        Entity::Patients => vec!["patient_id", CHANGE_SEQ],
        Entity::Encounters => vec!["encounter_id", ENCOUNTER_MONTH],
        Entity::LabResults => vec!["lab_result_id", RESULT_MONTH],
        other => vec![other.key()],
    }
}

/// The partition column of an entity's silver table.
pub fn partition_column(entity: Entity) -> Option<&'static str> {
    match entity {
        Entity::Encounters => Some(ENCOUNTER_MONTH),
        Entity::LabResults => Some(RESULT_MONTH),
        _ => None,
    }
}

/// The columns whose per-file statistics a partitioned silver table records: the key
/// and ids, the change columns, the entity's times and the lineage columns (a partition
/// column has no statistics: its value is in the file's path).
pub fn stats_columns(entity: Entity) -> Vec<String> {
    let mut columns: Vec<String> = silver_keys(entity)
        .into_iter()
        .filter(|c| Some(*c) != partition_column(entity))
        .chain(["patient_id", CHANGE_SEQ, CHANGED_AT])
        .map(str::to_string)
        .collect();
    columns.extend(
        fields(entity)
            .iter()
            .filter(|(_, k)| matches!(k, Kind::Date | Kind::Timestamp))
            .map(|(f, _)| f.to_string()),
    );
    columns.extend([BATCH_ID.to_string(), INGESTED_AT.to_string()]);
    columns.dedup();
    columns
}

/// The Z-order columns of an entity's silver table (applied by OPTIMIZE).
pub fn z_order_columns(entity: Entity) -> Vec<&'static str> {
    match entity {
        Entity::Patients => vec!["patient_id"],
        Entity::Encounters => vec!["patient_id", "encounter_id"],
        _ => vec!["patient_id", "encounter_id"],
    }
}

/// One unit conversion of lab results: `value × factor` in `to_unit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitConversion {
    /// LOINC code.
    pub code: String,
    /// Unit converted from.
    pub from_unit: String,
    /// Canonical unit.
    pub to_unit: String,
    /// Multiplier from `from_unit` to `to_unit`.
    pub factor: f64,
}

/// Silver settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SilverConfig {
    /// Lab unit conversions. Default: glucose (2339-0) and total cholesterol (2093-3)
    /// from mmol/L to mg/dL (× 18.016, × 38.67), hemoglobin (718-7) from g/L to g/dL
    /// (× 0.1).
    pub units: Vec<UnitConversion>,
}

impl Default for SilverConfig {
    fn default() -> Self {
        let unit = |code: &str, from: &str, to: &str, factor: f64| UnitConversion {
            code: code.into(),
            from_unit: from.into(),
            to_unit: to.into(),
            factor,
        };
        Self {
            units: vec![
                unit("2339-0", "mmol/L", "mg/dL", 18.016),
                unit("2093-3", "mmol/L", "mg/dL", 38.67),
                unit("718-7", "g/L", "g/dL", 0.1),
            ],
        }
    }
}

/// The data-quality rules of every entity: [`INVALID_JSON`], [`MISSING_KEY`],
/// [`INVALID_CHANGE`] (all quarantine).
pub fn rules(entity: Entity) -> Vec<Rule> {
    let ops = Series::new("".into(), ["insert", "update", "delete"]);
    vec![
        Rule::quarantine(
            INVALID_JSON,
            col(JSON_ERROR).is_not_null(),
            "the line is not a JSON object",
        ),
        Rule::quarantine(
            MISSING_KEY,
            col(JSON_ERROR).is_null().and(col(entity.key()).is_null()),
            "the record has no business key",
        ),
        Rule::quarantine(
            INVALID_CHANGE,
            col(JSON_ERROR).is_null().and(
                col(OP)
                    .is_in(lit(ops).implode(false), false)
                    .fill_null(lit(false))
                    .not()
                    .or(col(CHANGE_SEQ).is_null()),
            ),
            "op is not insert/update/delete, or change_seq is missing",
        ),
    ]
}

/// Bronze rows of `entity` (raw JSON lines) → the silver shape: parsed under `schema`,
/// typed, normalized, lineage kept, `_raw_line` dropped (pure).
///
/// # Errors
/// A Polars error (e.g. the frame has no `_raw_line`).
pub fn transform(
    bronze: LazyFrame,
    entity: Entity,
    schema: &JsonSchema,
    config: &SilverConfig,
    as_of: DateTime<Utc>,
) -> Result<LazyFrame> {
    let op = format!("parsing {} JSON", entity.name());
    let rows = bronze.collect().map_err(|e| Error::polars(&op, e))?;
    let lines = rows
        .column(RAW_LINE)
        .and_then(|c| c.str().cloned())
        .map_err(|e| Error::polars(&op, e))?;
    let typed = typed_frame(&lines, schema)?;
    let lineage = rows.drop(RAW_LINE).map_err(|e| Error::polars(&op, e))?;
    let mut frame = lineage
        .hstack(typed.columns())
        .map_err(|e| Error::polars(&op, e))?
        .lazy();
    let present = frame.collect_schema().map_err(|e| Error::polars(&op, e))?;
    let mut typed_columns = vec![
        typed_field(&present, OP, Kind::Text),
        typed_field(&present, CHANGE_SEQ, Kind::Integer),
        typed_field(&present, CHANGED_AT, Kind::Timestamp),
    ];
    typed_columns.extend(
        fields(entity)
            .iter()
            .map(|(f, k)| typed_field(&present, f, *k)),
    );
    frame = frame.with_columns(typed_columns);
    Ok(match entity {
        Entity::Encounters => frame.with_column(month_of("start").alias(ENCOUNTER_MONTH)),
        Entity::LabResults => normalize_units(frame, &config.units)
            .with_column(month_of("effective_at").alias(RESULT_MONTH)),
        Entity::Medications => frame.with_column(is_active(as_of).alias(IS_ACTIVE)),
        _ => frame,
    })
}

/// `field` typed as `kind`: parsed from text, cast, or a typed null when absent.
fn typed_field(present: &Schema, field: &str, kind: Kind) -> Expr {
    let dtype = match kind {
        Kind::Text => DataType::String,
        Kind::Integer => DataType::Int64,
        Kind::Number => DataType::Float64,
        Kind::Date => DataType::Date,
        Kind::Timestamp => DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)),
    };
    if !present.contains(field) {
        return lit(NULL).cast(dtype).alias(field);
    }
    let options = |format: &str| StrptimeOptions {
        format: Some(format.into()),
        strict: false,
        exact: true,
        cache: true,
    };
    let text = col(field).cast(DataType::String);
    match kind {
        Kind::Date => text.str().to_date(options("%Y-%m-%d")),
        Kind::Timestamp => text.str().to_datetime(
            Some(TimeUnit::Microseconds),
            Some(TimeZone::UTC),
            options("%Y-%m-%dT%H:%M:%SZ"),
            lit("raise"),
        ),
        _ => col(field).cast(dtype),
    }
    .alias(field)
}

/// `YYYY-MM` of a timestamp column (null stays null).
fn month_of(column: &str) -> Expr {
    col(column).dt().to_string("%Y-%m")
}

/// Lab values converted to the canonical unit of their code; [`UNIT_NORMALIZED`] says
/// which were.
fn normalize_units(frame: LazyFrame, units: &[UnitConversion]) -> LazyFrame {
    let mut value = col("value");
    let mut unit = col("unit");
    let mut converted = lit(false);
    for conversion in units {
        let applies = col("code")
            .eq(lit(conversion.code.clone()))
            .and(col("unit").eq(lit(conversion.from_unit.clone())))
            .fill_null(lit(false));
        value = when(applies.clone())
            .then(col("value") * lit(conversion.factor))
            .otherwise(value);
        unit = when(applies.clone())
            .then(lit(conversion.to_unit.clone()))
            .otherwise(unit);
        converted = converted.or(applies);
    }
    frame.with_columns([
        value.alias("value"),
        unit.alias("unit"),
        converted.alias(UNIT_NORMALIZED),
    ])
}

/// A medication is active on `as_of` when it started on or before it, has no stop or
/// stops after it, and is neither cancelled nor deleted.
pub fn is_active(as_of: DateTime<Utc>) -> Expr {
    let at = lit(as_of.timestamp_micros()).cast(DataType::Datetime(
        TimeUnit::Microseconds,
        Some(TimeZone::UTC),
    ));
    col("start")
        .lt_eq(at.clone())
        .and(col("stop").is_null().or(col("stop").gt(at)))
        .and(col("status").neq(lit("cancelled")).fill_null(lit(true)))
        .and(col(OP).neq(lit("delete")).fill_null(lit(true)))
        .fill_null(lit(false))
}
