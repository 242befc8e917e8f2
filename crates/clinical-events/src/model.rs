//! The ADT event as it arrives: one JSON object per line (NDJSON), as hospital
//! bed-management and ADT systems emit it.
//!
//! ```json
//! {"event_id":"EV-42-0000000001","event_type":"ADMISSION",
//!  "event_timestamp":"2024-01-01T08:13:00Z","visit_id":"V-42-00000001",
//!  "patient_id":"P-42-0000001","age":67,"gender":"female","insurance_type":"Medicare",
//!  "hospital_id":3,"hospital_name":"Northgate University Hospital","department":"Surgery",
//!  "bed_id":"H3-SUR-15","admission_time":"2024-01-01T08:13:00Z","discharge_time":null,
//!  "admission_priority":"Urgent","diagnosis_code":"K35.80",
//!  "vitals":{"heart_rate":88,"bp_systolic":131,"bp_diastolic":84,"temperature_f":99.1,"spo2":97}}
//! ```
//!
//! Twenty-one fields (sixteen top-level, five vitals). `visit_id` (the encounter number of
//! HL7 v2's PV1-19) ties the events of one stay together; `bed_id` is
//! `H<hospital_id>-<department code>-<bed number>`.
//!
//! Event semantics (what the simulator emits and the gold layer assumes):
//!
//! | event | `event_timestamp` | `department` / `bed_id` | `admission_time` | `discharge_time` |
//! |---|---|---|---|---|
//! | `ADMISSION` | the admission | where the patient is admitted | = event time | null |
//! | `TRANSFER` | the move | the department moved **to** | the stay's admission | null |
//! | `DISCHARGE` | the discharge | where the patient leaves from | the stay's admission | = event time |

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The kind of an ADT event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum EventType {
    /// A patient is admitted to a department and bed.
    Admission,
    /// A patient moves to another department (and bed) of the same hospital.
    Transfer,
    /// A patient leaves the hospital.
    Discharge,
}

impl EventType {
    /// Every event type.
    pub const ALL: [EventType; 3] = [
        EventType::Admission,
        EventType::Transfer,
        EventType::Discharge,
    ];

    /// The wire name (`ADMISSION`, `TRANSFER`, `DISCHARGE`).
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Admission => "ADMISSION",
            EventType::Transfer => "TRANSFER",
            EventType::Discharge => "DISCHARGE",
        }
    }
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Bedside vitals recorded with an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vitals {
    /// Heart rate, beats per minute.
    pub heart_rate: i32,
    /// Systolic blood pressure, mmHg.
    pub bp_systolic: i32,
    /// Diastolic blood pressure, mmHg.
    pub bp_diastolic: i32,
    /// Body temperature, °F (one decimal).
    pub temperature_f: f64,
    /// Oxygen saturation, %.
    pub spo2: i32,
}

/// One ADT event, as serialized on the wire.
///
/// The three fields that the dirty-data scenarios can drop (`event_type`, `patient_id`,
/// `department`) are optional; a `None` is written as an absent key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdtEvent {
    /// Unique id of the event (a re-sent event keeps it).
    pub event_id: String,
    /// What happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_type: Option<EventType>,
    /// When it happened (UTC, RFC 3339).
    pub event_timestamp: DateTime<Utc>,
    /// The stay (encounter) the event belongs to.
    pub visit_id: String,
    /// The patient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient_id: Option<String>,
    /// Age in whole years at the event.
    pub age: i32,
    /// `female`, `male` or `other`.
    pub gender: String,
    /// Payer class, e.g. `Medicare`.
    pub insurance_type: String,
    /// Hospital of the network (1-based).
    pub hospital_id: i32,
    /// Hospital name.
    pub hospital_name: String,
    /// Department (after a transfer: the new one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Bed, `H<hospital>-<DEPT>-<bed>`.
    pub bed_id: String,
    /// When the stay began.
    pub admission_time: DateTime<Utc>,
    /// When the stay ended (`DISCHARGE` events only).
    pub discharge_time: Option<DateTime<Utc>>,
    /// `Emergency`, `Urgent` or `Elective`.
    pub admission_priority: String,
    /// ICD-10-CM code of the admitting diagnosis.
    pub diagnosis_code: String,
    /// Vitals taken at the event.
    pub vitals: Vitals,
}

/// The bed id of bed `bed` (1-based) of department code `code` in hospital `hospital`:
/// `H3-SUR-15`.
pub fn bed_id(hospital: i32, code: &str, bed: u32) -> String {
    format!("H{hospital}-{code}-{bed}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use chrono::TimeZone;

    fn event() -> AdtEvent {
        let t = Utc.with_ymd_and_hms(2024, 1, 1, 8, 13, 0).unwrap();
        AdtEvent {
            event_id: "e1".into(),
            event_type: Some(EventType::Admission),
            event_timestamp: t,
            visit_id: "v1".into(),
            patient_id: Some("p1".into()),
            age: 67,
            gender: "female".into(),
            insurance_type: "Medicare".into(),
            hospital_id: 3,
            hospital_name: "H".into(),
            department: Some("Surgery".into()),
            bed_id: bed_id(3, "SUR", 15),
            admission_time: t,
            discharge_time: None,
            admission_priority: "Urgent".into(),
            diagnosis_code: "K35.80".into(),
            vitals: Vitals {
                heart_rate: 88,
                bp_systolic: 131,
                bp_diastolic: 84,
                temperature_f: 99.1,
                spo2: 97,
            },
        }
    }

    #[test]
    fn event_serializes_twenty_one_fields_with_rfc3339_times_and_round_trips() {
        let e = event();
        let json = serde_json::to_value(&e).unwrap();
        let object = json.as_object().unwrap();
        // Sixteen top-level fields besides `vitals`, and five vitals.
        assert_eq!(
            object.len() - 1 + object["vitals"].as_object().unwrap().len(),
            21
        );
        assert_eq!(object["event_type"], "ADMISSION");
        assert_eq!(object["event_timestamp"], "2024-01-01T08:13:00Z");
        assert_eq!(object["bed_id"], "H3-SUR-15");
        let back: AdtEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back, e);
    }

    #[test]
    fn dropped_optional_fields_are_absent_keys() {
        let mut e = event();
        e.patient_id = None;
        e.event_type = None;
        e.department = None;
        let json = serde_json::to_value(&e).unwrap();
        for key in ["patient_id", "event_type", "department"] {
            assert!(json.get(key).is_none(), "{key} should be absent");
        }
    }
}
