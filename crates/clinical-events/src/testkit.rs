//! Hand-built event sequences for examples and tests: [`AdtEvent`] builders and
//! [`silver_events`], which sends them through the real silver transform and rules, so a
//! fixture always has the silver contract.
//!
//! ```
//! use clinical_events::testkit::{admission, collect, discharge, silver_events, transfer};
//!
//! let events = silver_events(&[
//!     admission("v1", "p1", "2024-01-01T22:00:00Z", 1, "Emergency", "H1-EMR-1"),
//!     transfer("v1", "p1", "2024-01-01T22:00:00Z", "2024-01-02T03:00:00Z", 1, "ICU", "H1-ICU-2"),
//!     discharge("v1", "p1", "2024-01-01T22:00:00Z", "2024-01-04T09:30:00Z", 1, "ICU", "H1-ICU-2"),
//! ])?;
//! assert_eq!(collect(events)?.height(), 3);
//! # Ok::<(), clinical_events::Error>(())
//! ```

use chrono::{DateTime, Utc};
use medallion_core::pipeline::apply_rules;
use polars::prelude::*;

use crate::columns::RAW_EVENT;
use crate::error::{Error, Result};
use crate::model::{AdtEvent, EventType, Vitals};
use crate::network::Network;
use crate::silver::{SilverConfig, transform};

/// An RFC 3339 instant (the Unix epoch when `text` does not parse — fixtures only).
pub fn ts(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

/// Default vitals of a fixture event.
pub fn normal_vitals() -> Vitals {
    Vitals {
        heart_rate: 80,
        bp_systolic: 120,
        bp_diastolic: 80,
        temperature_f: 98.6,
        spo2: 98,
    }
}

/// Where an event happens: hospital id, department, bed id.
type Place<'a> = (i32, &'a str, &'a str);

fn event(
    kind: EventType,
    visit: &str,
    patient: &str,
    admitted: &str,
    at: &str,
    (hospital, department, bed): Place<'_>,
) -> AdtEvent {
    let name = Network::default()
        .hospital(hospital)
        .map(|h| h.name.clone())
        .unwrap_or_default();
    AdtEvent {
        event_id: format!("{visit}-{kind}-{at}"),
        event_type: Some(kind),
        event_timestamp: ts(at),
        visit_id: visit.to_string(),
        patient_id: Some(patient.to_string()),
        age: 50,
        gender: "female".to_string(),
        insurance_type: "Private".to_string(),
        hospital_id: hospital,
        hospital_name: name,
        department: Some(department.to_string()),
        bed_id: bed.to_string(),
        admission_time: ts(admitted),
        discharge_time: (kind == EventType::Discharge).then(|| ts(at)),
        admission_priority: "Urgent".to_string(),
        diagnosis_code: "J18.9".to_string(),
        vitals: normal_vitals(),
    }
}

/// An `ADMISSION` of `patient` on `visit` at `at` (RFC 3339) to `department` / `bed` of
/// `hospital`. Defaults: age 50, female, Private, Urgent, J18.9, normal vitals; the event
/// id is `<visit>-ADMISSION-<at>`.
pub fn admission(
    visit: &str,
    patient: &str,
    at: &str,
    hospital: i32,
    department: &str,
    bed: &str,
) -> AdtEvent {
    let place = (hospital, department, bed);
    event(EventType::Admission, visit, patient, at, at, place)
}

/// A `TRANSFER` at `at` to `department` / `bed` of a stay admitted at `admitted`.
pub fn transfer(
    visit: &str,
    patient: &str,
    admitted: &str,
    at: &str,
    hospital: i32,
    department: &str,
    bed: &str,
) -> AdtEvent {
    let place = (hospital, department, bed);
    event(EventType::Transfer, visit, patient, admitted, at, place)
}

/// A `DISCHARGE` at `at` from `department` / `bed` of a stay admitted at `admitted`.
pub fn discharge(
    visit: &str,
    patient: &str,
    admitted: &str,
    at: &str,
    hospital: i32,
    department: &str,
    bed: &str,
) -> AdtEvent {
    let place = (hospital, department, bed);
    event(EventType::Discharge, visit, patient, admitted, at, place)
}

/// The NDJSON lines of `events`.
///
/// # Errors
/// [`Error::Json`] if an event cannot be serialized (not expected).
pub fn lines(events: &[AdtEvent]) -> Result<Vec<String>> {
    events
        .iter()
        .map(|e| {
            serde_json::to_string(e).map_err(|source| Error::Json {
                context: format!("serializing fixture event {}", e.event_id),
                source,
            })
        })
        .collect()
}

/// `events` as silver rows: serialized, parsed, corrected and checked with the default
/// [`SilverConfig`] and [`Network`]; quarantined rows are left out.
///
/// # Errors
/// [`Error::Medallion`] / [`Error::Polars`] if the transform fails (not expected).
pub fn silver_events(events: &[AdtEvent]) -> Result<LazyFrame> {
    let raw =
        df!(RAW_EVENT => lines(events)?).map_err(|e| Error::polars("building fixture lines", e))?;
    let config = SilverConfig::default();
    let silver = transform(raw.lazy(), &Network::default(), &config)
        .map_err(|e| Error::polars("silver transform of fixtures", e))?;
    Ok(apply_rules(silver, &config.rules(), "fixtures")?
        .kept
        .lazy())
}

/// Collects `frame` on medallion-core's big-stack Polars thread ([`medallion_core::run_polars`]),
/// blocking: deep gold plans overflow the 2 MiB stack of a test thread in debug builds.
///
/// # Errors
/// [`Error::Polars`] if the query fails; [`Error::Medallion`] if the thread cannot run.
pub fn collect(frame: LazyFrame) -> Result<DataFrame> {
    futures::executor::block_on(medallion_core::run_polars(move || frame.collect()))?
        .map_err(|e| Error::polars("collecting a fixture query", e))
}

/// The values of `column` rendered as text (nulls as `None`), for assertions.
///
/// # Errors
/// [`Error::Polars`] when the column is missing or cannot be cast to text.
pub fn strings(df: &DataFrame, column: &str) -> Result<Vec<Option<String>>> {
    let text = df
        .column(column)
        .and_then(|c| c.cast(&DataType::String))
        .map_err(|e| Error::polars(format!("reading column {column}"), e))?;
    let values = text
        .str()
        .map_err(|e| Error::polars(format!("reading column {column}"), e))?;
    Ok(values.iter().map(|v| v.map(str::to_string)).collect())
}

/// The rows of a `List<String>` column such as `_dq_flags` (a null list is empty), for
/// assertions.
///
/// # Errors
/// [`Error::Polars`] when the column is missing or not a list of strings.
pub fn string_lists(df: &DataFrame, column: &str) -> Result<Vec<Vec<String>>> {
    let context = || format!("reading list column {column}");
    let lists = df
        .column(column)
        .and_then(|c| c.list().cloned())
        .map_err(|e| Error::polars(context(), e))?;
    let mut rows = Vec::with_capacity(lists.len());
    for row in lists.amortized_iter() {
        let values = match row {
            Some(series) => series
                .as_ref()
                .str()
                .map_err(|e| Error::polars(context(), e))?
                .iter()
                .flatten()
                .map(str::to_string)
                .collect(),
            None => Vec::new(),
        };
        rows.push(values);
    }
    Ok(rows)
}
