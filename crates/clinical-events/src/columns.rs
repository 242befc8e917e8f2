//! Column names of the bronze and silver ADT event tables (the silver column contract).
//!
//! Silver holds one row per event with the fields of [`crate::model::AdtEvent`], vitals
//! flattened, typed, and the audit columns of the corrections ([`ORIGINAL_AGE`] …),
//! followed by medallion-core's `_dq_flags` and the bronze lineage columns.

use medallion_core::pipeline::{
    BATCH_ID, DQ_FLAGS, INGESTED_AT, RAW_LINE, SOURCE_FILE, SOURCE_ROW,
};
use polars::prelude::*;

/// Bronze: the raw JSON text of one event line, untouched — medallion-core's `_raw_line`,
/// the payload of a bronze table of `LandingFormat::Lines` files.
pub const RAW_EVENT: &str = RAW_LINE;

/// Event id (`String`), the silver business key.
pub const EVENT_ID: &str = "event_id";
/// `ADMISSION`, `TRANSFER` or `DISCHARGE` (`String`).
pub const EVENT_TYPE: &str = "event_type";
/// When the event happened (`Datetime(µs, UTC)`).
pub const EVENT_TIMESTAMP: &str = "event_timestamp";
/// The stay the event belongs to (`String`).
pub const VISIT_ID: &str = "visit_id";
/// Patient id (`String`).
pub const PATIENT_ID: &str = "patient_id";
/// Age in years (`Int32`; null when invalid).
pub const AGE: &str = "age";
/// Gender as sent, trimmed and lower-cased (`String`).
pub const GENDER: &str = "gender";
/// Payer class (`String`).
pub const INSURANCE_TYPE: &str = "insurance_type";
/// Hospital id (`Int32`; null when not in the network).
pub const HOSPITAL_ID: &str = "hospital_id";
/// Hospital name (`String`).
pub const HOSPITAL_NAME: &str = "hospital_name";
/// Canonical department name (`String`).
pub const DEPARTMENT: &str = "department";
/// Bed id `H<hospital>-<DEPT>-<bed>` (`String`).
pub const BED_ID: &str = "bed_id";
/// When the stay began (`Datetime(µs, UTC)`).
pub const ADMISSION_TIME: &str = "admission_time";
/// When the stay ended (`Datetime(µs, UTC)`; null when not discharged or invalid).
pub const DISCHARGE_TIME: &str = "discharge_time";
/// Admission priority (`String`).
pub const ADMISSION_PRIORITY: &str = "admission_priority";
/// ICD-10-CM diagnosis code (`String`).
pub const DIAGNOSIS_CODE: &str = "diagnosis_code";
/// Heart rate, bpm (`Int32`).
pub const HEART_RATE: &str = "heart_rate";
/// Systolic blood pressure, mmHg (`Int32`).
pub const BP_SYSTOLIC: &str = "bp_systolic";
/// Diastolic blood pressure, mmHg (`Int32`).
pub const BP_DIASTOLIC: &str = "bp_diastolic";
/// Temperature, °F (`Float64`).
pub const TEMPERATURE_F: &str = "temperature_f";
/// Oxygen saturation, % (`Int32`).
pub const SPO2: &str = "spo2";

/// Audit: the age as sent when [`AGE`] was nulled (`Int32`).
pub const ORIGINAL_AGE: &str = "_original_age";
/// Audit: the admission time as sent when it was replaced (`Datetime(µs, UTC)`).
pub const ORIGINAL_ADMISSION_TIME: &str = "_original_admission_time";
/// Audit: the discharge time as sent when it was nulled (`Datetime(µs, UTC)`).
pub const ORIGINAL_DISCHARGE_TIME: &str = "_original_discharge_time";
/// Audit: the department as sent when it was mapped to a canonical name (`String`).
pub const ORIGINAL_DEPARTMENT: &str = "_original_department";
/// Audit: the hospital id as sent when it was nulled (`Int32`).
pub const ORIGINAL_HOSPITAL_ID: &str = "_original_hospital_id";
/// Fields present in the JSON that are not part of the model (schema drift;
/// `List<String>`, empty when none). Their values stay in bronze's raw text.
pub const UNKNOWN_FIELDS: &str = "_unknown_fields";
/// Fields whose value could not be read as the model's type (`List<String>`, empty
/// when none; `_line` when the line is not a JSON object).
pub const MALFORMED_FIELDS: &str = "_malformed_fields";

/// The vitals columns, in silver order.
pub const VITALS: [&str; 5] = [HEART_RATE, BP_SYSTOLIC, BP_DIASTOLIC, TEMPERATURE_F, SPO2];

/// `Datetime(µs, UTC)`, the dtype of every silver timestamp.
pub fn utc_datetime() -> DataType {
    DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
}

fn string_list() -> DataType {
    DataType::List(Box::new(DataType::String))
}

/// The event columns (model fields, vitals flattened) with their silver dtypes, in order.
pub fn event_fields() -> Vec<Field> {
    let s = |n: &str| Field::new(n.into(), DataType::String);
    let i = |n: &str| Field::new(n.into(), DataType::Int32);
    let t = |n: &str| Field::new(n.into(), utc_datetime());
    vec![
        s(EVENT_ID),
        s(EVENT_TYPE),
        t(EVENT_TIMESTAMP),
        s(VISIT_ID),
        s(PATIENT_ID),
        i(AGE),
        s(GENDER),
        s(INSURANCE_TYPE),
        i(HOSPITAL_ID),
        s(HOSPITAL_NAME),
        s(DEPARTMENT),
        s(BED_ID),
        t(ADMISSION_TIME),
        t(DISCHARGE_TIME),
        s(ADMISSION_PRIORITY),
        s(DIAGNOSIS_CODE),
        i(HEART_RATE),
        i(BP_SYSTOLIC),
        i(BP_DIASTOLIC),
        Field::new(TEMPERATURE_F.into(), DataType::Float64),
        i(SPO2),
    ]
}

/// The full silver schema: event columns, audit columns, `_dq_flags`, lineage.
pub fn silver_schema() -> Schema {
    let mut fields = event_fields();
    fields.extend([
        Field::new(ORIGINAL_AGE.into(), DataType::Int32),
        Field::new(ORIGINAL_ADMISSION_TIME.into(), utc_datetime()),
        Field::new(ORIGINAL_DISCHARGE_TIME.into(), utc_datetime()),
        Field::new(ORIGINAL_DEPARTMENT.into(), DataType::String),
        Field::new(ORIGINAL_HOSPITAL_ID.into(), DataType::Int32),
        Field::new(UNKNOWN_FIELDS.into(), string_list()),
        Field::new(MALFORMED_FIELDS.into(), string_list()),
        Field::new(DQ_FLAGS.into(), string_list()),
        Field::new(INGESTED_AT.into(), utc_datetime()),
        Field::new(SOURCE_FILE.into(), DataType::String),
        Field::new(SOURCE_ROW.into(), DataType::Int64),
        Field::new(BATCH_ID.into(), DataType::Int64),
    ]);
    Schema::from_iter(fields)
}
