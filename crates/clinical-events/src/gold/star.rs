//! The patient-flow star schema: `dim_patient` (SCD2 snapshot), `dim_department`,
//! `dim_date`, `fact_patient_flow` (one row per stay) and `fact_bed_segment` (one row per
//! admitted interval).
//!
//! Keys are [`medallion_model::hash`] values (XXH3 over a documented encoding), the same
//! on every run: `patient_key` = hash(`patient_id`), `department_key` =
//! hash(`hospital_id`, `department`), `stay_key` = hash(`visit_id`); date keys are
//! `yyyymmdd` integers. `patient_version_key` is the SCD2 surrogate key maintained by
//! medallion-core's `Scd2Builder`.

use chrono::{DateTime, Utc};
use medallion_core::pipeline::EFFECTIVE_FROM;
use medallion_model::expr::{AsOfDirection, AsOfJoin, asof_join, typed_null};
use medallion_model::hash::stable_hash_columns;
use polars::prelude::*;

use super::stays::{
    ADMIT_DEPARTMENT, AGE_AT_ADMISSION, DISCHARGE_DEPARTMENT, DISCHARGE_TIME_SOURCE, END_REASON,
    END_TIME, EVENTS, HAS_ADMISSION_EVENT, IS_OPEN, LOS_HOURS, OCCUPIED_HOURS, OCCUPIED_UNTIL,
    START_TIME, TRANSFERS, adt_events,
};
use crate::columns::*;
use crate::network::{BED_CAPACITY, DEPARTMENT_CODE};

/// Durable patient key: hash(`patient_id`).
pub const PATIENT_KEY: &str = "patient_key";
/// SCD2 version key of `dim_patient` (hash of `patient_id` and `effective_from`).
pub const PATIENT_VERSION_KEY: &str = "patient_version_key";
/// Department key: hash(`hospital_id`, `department`).
pub const DEPARTMENT_KEY: &str = "department_key";
/// Stay key: hash(`visit_id`).
pub const STAY_KEY: &str = "stay_key";
/// `yyyymmdd` date key.
pub const DATE_KEY: &str = "date_key";
/// `dim_patient` attributes whose change opens a new SCD2 version.
pub const PATIENT_TRACKED_ATTRIBUTES: [&str; 3] = [GENDER, AGE, INSURANCE_TYPE];

/// The department key of (`hospital`, `department`) expressions.
pub fn department_key_of(hospital: &str, department: &str) -> Expr {
    when(
        col(hospital)
            .is_not_null()
            .and(col(department).is_not_null()),
    )
    .then(stable_hash_columns(&[hospital, department]))
    .otherwise(typed_null(DataType::Int64))
}

fn patient_key() -> Expr {
    when(col(PATIENT_ID).is_not_null())
        .then(stable_hash_columns(&[PATIENT_ID]))
        .otherwise(typed_null(DataType::Int64))
}

/// The `dim_patient` snapshot handed to the SCD2 builder: one row per patient with the
/// latest known gender, age and insurance type at or before `as_of` (each the last
/// non-null value in event-time order).
///
/// Columns: `patient_id`, `patient_key`, `gender`, `age`, `insurance_type`.
pub fn dim_patient_snapshot(events: LazyFrame, as_of: DateTime<Utc>) -> LazyFrame {
    adt_events(events, as_of)
        .filter(col(PATIENT_ID).is_not_null())
        .sort(
            [EVENT_TIMESTAMP, EVENT_ID],
            medallion_model::expr::stable_sort(),
        )
        .group_by_stable([col(PATIENT_ID)])
        .agg(PATIENT_TRACKED_ATTRIBUTES.map(|c| col(c).drop_nulls().last()))
        .with_column(patient_key().alias(PATIENT_KEY))
        .select([
            col(PATIENT_ID),
            col(PATIENT_KEY),
            col(GENDER),
            col(AGE),
            col(INSURANCE_TYPE),
        ])
        .sort([PATIENT_ID], medallion_model::expr::stable_sort())
}

/// `dim_department`: one row per hospital department of the network with
/// `department_key`, `hospital_id`, `hospital_name`, `department`, `department_code`,
/// `bed_capacity`.
pub fn dim_department(capacity: LazyFrame) -> LazyFrame {
    capacity
        .with_column(department_key_of(HOSPITAL_ID, DEPARTMENT).alias(DEPARTMENT_KEY))
        .select([
            col(DEPARTMENT_KEY),
            col(HOSPITAL_ID),
            col(HOSPITAL_NAME),
            col(DEPARTMENT),
            col(DEPARTMENT_CODE),
            col(BED_CAPACITY),
        ])
}

/// `dim_date` column: the date.
pub use medallion_model::calendar::columns::DATE as DATE_COLUMN;
/// English day name (`Monday`).
pub use medallion_model::calendar::columns::DAY_NAME;
/// ISO day of week (Monday = 1 … Sunday = 7).
pub use medallion_model::calendar::columns::DAY_OF_WEEK;
/// `yyyymmdd` of a `Date` or `Datetime` expression, as `Int32` (null stays null).
pub use medallion_model::calendar::date_key;

/// `fact_patient_flow`: one row per stay (see [`super::stays::stays`]) with surrogate
/// keys, admission and discharge times, LOS in hours, priority, diagnosis and the vitals
/// taken at admission (flattened).
///
/// `patient_version_key` is the `dim_patient` version in effect at admission (the last
/// version whose `effective_from` ≤ `admission_time`), or the patient's first version
/// when the stay began before it; null without `dim_patient` rows for the patient.
/// `dim_patient` needs `patient_id`, `patient_version_key` and `effective_from`.
///
/// Columns: `stay_key`, `visit_id`, `patient_key`, `patient_version_key`, `hospital_id`,
/// `admit_department_key`, `discharge_department_key`, `admission_date_key`,
/// `discharge_date_key`, `admission_time`, `discharge_time`, `discharge_time_source`,
/// `is_open`, `los_hours`, `admission_priority`, `diagnosis_code`, `transfers`,
/// `events`, `has_admission_event`, `age_at_admission`, the five vitals.
pub fn fact_patient_flow(stays: LazyFrame, dim_patient: Option<LazyFrame>) -> LazyFrame {
    let keyed = stays.with_columns([
        stable_hash_columns(&[VISIT_ID]).alias(STAY_KEY),
        patient_key().alias(PATIENT_KEY),
        department_key_of(HOSPITAL_ID, ADMIT_DEPARTMENT).alias("admit_department_key"),
        department_key_of(HOSPITAL_ID, DISCHARGE_DEPARTMENT).alias("discharge_department_key"),
        date_key(col(ADMISSION_TIME)).alias("admission_date_key"),
        date_key(col(DISCHARGE_TIME)).alias("discharge_date_key"),
    ]);
    let versioned = match dim_patient {
        Some(dim) => with_patient_version(keyed, dim),
        None => keyed.with_column(typed_null(DataType::Int64).alias(PATIENT_VERSION_KEY)),
    };
    let mut columns = vec![
        col(STAY_KEY),
        col(VISIT_ID),
        col(PATIENT_KEY),
        col(PATIENT_VERSION_KEY),
        col(HOSPITAL_ID),
        col("admit_department_key"),
        col("discharge_department_key"),
        col("admission_date_key"),
        col("discharge_date_key"),
        col(ADMISSION_TIME),
        col(DISCHARGE_TIME),
        col(DISCHARGE_TIME_SOURCE),
        col(IS_OPEN),
        col(LOS_HOURS),
        col(ADMISSION_PRIORITY),
        col(DIAGNOSIS_CODE),
        col(TRANSFERS),
        col(EVENTS),
        col(HAS_ADMISSION_EVENT),
        col(AGE_AT_ADMISSION),
    ];
    columns.extend(VITALS.map(col));
    versioned
        .select(columns)
        .sort([VISIT_ID], medallion_model::expr::stable_sort())
}

/// Adds `patient_version_key`: the version in effect at admission, else the first one.
fn with_patient_version(stays: LazyFrame, dim_patient: LazyFrame) -> LazyFrame {
    let versions = dim_patient.select([
        col(PATIENT_ID),
        col(PATIENT_VERSION_KEY),
        col(EFFECTIVE_FROM).cast(utc_datetime()),
    ]);
    let first_versions = versions
        .clone()
        .sort(
            [PATIENT_ID, EFFECTIVE_FROM],
            medallion_model::expr::stable_sort(),
        )
        .group_by_stable([col(PATIENT_ID)])
        .agg([col(PATIENT_VERSION_KEY).first().alias("__first_version")]);
    let at_admission = AsOfJoin::new(ADMISSION_TIME, EFFECTIVE_FROM)
        .with_by([PATIENT_ID])
        .with_direction(AsOfDirection::Backward);
    asof_join(stays, versions, &at_admission)
        .join(
            first_versions,
            [col(PATIENT_ID)],
            [col(PATIENT_ID)],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(
            coalesce(&[col(PATIENT_VERSION_KEY), col("__first_version")])
                .alias(PATIENT_VERSION_KEY),
        )
}

/// `fact_bed_segment`: one row per admitted interval (see [`super::stays::segments`])
/// with `segment_key` (hash of `visit_id`, `start_time`), `stay_key`, `patient_key`,
/// `department_key`, `bed_id`, `start_time`, `end_time`, `end_reason`,
/// `occupied_until`, `occupied_hours`, `start_date_key`.
pub fn fact_bed_segment(segments: LazyFrame) -> LazyFrame {
    segments
        .with_columns([
            stable_hash_columns(&[VISIT_ID, START_TIME]).alias("segment_key"),
            stable_hash_columns(&[VISIT_ID]).alias(STAY_KEY),
            patient_key().alias(PATIENT_KEY),
            department_key_of(HOSPITAL_ID, DEPARTMENT).alias(DEPARTMENT_KEY),
            date_key(col(START_TIME)).alias("start_date_key"),
        ])
        .select([
            col("segment_key"),
            col(STAY_KEY),
            col(PATIENT_KEY),
            col(DEPARTMENT_KEY),
            col(HOSPITAL_ID),
            col(DEPARTMENT),
            col(BED_ID),
            col(START_TIME),
            col(END_TIME),
            col(END_REASON),
            col(OCCUPIED_UNTIL),
            col(OCCUPIED_HOURS),
            col("start_date_key"),
        ])
}
