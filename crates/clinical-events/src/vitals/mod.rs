//! Bedside-monitor vitals telemetry, the second event kind of this crate: a simulator,
//! silver validation with the NEWS2 early-warning score, standardized alerts, and the
//! gold tables a ward dashboard reads.
//!
//! One reading is one JSON object per line or per Kafka message:
//!
//! ```json
//! {"reading_id":"VS-7-000000042","patient_id":"P-V-7-00003","visit_id":"V-V-7-00003",
//!  "ward":"Medical","device_id":"MON-7-003","observed_at":"2024-01-01T08:15:00Z",
//!  "heart_rate":88,"respiratory_rate":16,"spo2":97,"bp_systolic":124,
//!  "temperature_c":37.1,"consciousness":"A","supplemental_o2":false}
//! ```
//!
//! | module | what |
//! |---|---|
//! | [`news2`] | the Royal College of Physicians' NEWS2 chart as expressions: sub-scores, aggregate, clinical-response band |
//! | [`simulator`] | deterministic bedside monitors with deterioration episodes and recorded dirty data |
//! | [`silver`] | lenient parsing, physiological-range validation (as `Rule`s), NEWS2, standardized alerts |
//! | [`gold`] | `patient_risk_snapshot`, `alert_analytics`, `data_quality_metrics`, the event-time watermark |
//! | [`pipeline`] | micro-batches on Delta: bronze → silver → gold, the snapshot updated by MERGE |
//!
//! Transforms are pure (lazy frames and configuration in, lazy frames out); only
//! [`pipeline`] does I/O, through medallion-core.

pub mod gold;
pub mod news2;
pub mod pipeline;
pub mod silver;
pub mod simulator;

use chrono::{DateTime, Utc};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::columns::utc_datetime;
pub use crate::columns::{BP_SYSTOLIC, HEART_RATE, PATIENT_ID, SPO2, VISIT_ID};

/// Reading id (`String`), the silver business key.
pub const READING_ID: &str = "reading_id";
/// Ward of the bed (`String`).
pub const WARD: &str = "ward";
/// Monitor id (`String`).
pub const DEVICE_ID: &str = "device_id";
/// When the monitor took the reading: the event time (`Datetime(µs, UTC)`).
pub const OBSERVED_AT: &str = "observed_at";
/// Respiratory rate, breaths per minute (`Int32`).
pub const RESPIRATORY_RATE: &str = "respiratory_rate";
/// Temperature, °C (`Float64`).
pub const TEMPERATURE_C: &str = "temperature_c";
/// Level of consciousness on the ACVPU scale: `A`lert, new `C`onfusion, responds to
/// `V`oice, to `P`ain, `U`nresponsive (`String`, one letter).
pub const CONSCIOUSNESS: &str = "consciousness";
/// Whether the patient breathes supplemental oxygen (`Boolean`).
pub const SUPPLEMENTAL_O2: &str = "supplemental_o2";

/// The numeric vital signs validated against [`silver::PhysiologicalRanges`], in silver
/// order.
pub const MEASUREMENTS: [&str; 5] = [
    HEART_RATE,
    RESPIRATORY_RATE,
    SPO2,
    BP_SYSTOLIC,
    TEMPERATURE_C,
];

/// The seven NEWS2 parameters as they are sent, in silver order.
pub const NEWS2_INPUTS: [&str; 7] = [
    RESPIRATORY_RATE,
    SPO2,
    SUPPLEMENTAL_O2,
    BP_SYSTOLIC,
    HEART_RATE,
    CONSCIOUSNESS,
    TEMPERATURE_C,
];

/// One bedside-monitor reading as it arrives (every field may be missing in dirty data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VitalsReading {
    /// Unique id of the reading.
    pub reading_id: String,
    /// Patient id.
    pub patient_id: String,
    /// The stay (visit) the reading belongs to.
    pub visit_id: String,
    /// Ward of the bed.
    pub ward: String,
    /// Monitor id.
    pub device_id: String,
    /// Event time.
    pub observed_at: DateTime<Utc>,
    /// Heart rate, bpm.
    pub heart_rate: Option<i32>,
    /// Respiratory rate, breaths per minute.
    pub respiratory_rate: Option<i32>,
    /// Oxygen saturation, %.
    pub spo2: Option<i32>,
    /// Systolic blood pressure, mmHg.
    pub bp_systolic: Option<i32>,
    /// Temperature, °C.
    pub temperature_c: Option<f64>,
    /// ACVPU letter.
    pub consciousness: Option<String>,
    /// Supplemental oxygen.
    pub supplemental_o2: Option<bool>,
}

/// The reading fields with their silver dtypes, in order.
pub fn reading_fields() -> Vec<Field> {
    let s = |n: &str| Field::new(n.into(), DataType::String);
    let i = |n: &str| Field::new(n.into(), DataType::Int32);
    vec![
        s(READING_ID),
        s(PATIENT_ID),
        s(VISIT_ID),
        s(WARD),
        s(DEVICE_ID),
        Field::new(OBSERVED_AT.into(), utc_datetime()),
        i(HEART_RATE),
        i(RESPIRATORY_RATE),
        i(SPO2),
        i(BP_SYSTOLIC),
        Field::new(TEMPERATURE_C.into(), DataType::Float64),
        s(CONSCIOUSNESS),
        Field::new(SUPPLEMENTAL_O2.into(), DataType::Boolean),
    ]
}

#[cfg(test)]
mod tests;
