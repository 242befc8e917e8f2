//! Hand-built silver fixtures for unit tests.
#![allow(clippy::unwrap_used)]

use polars::prelude::*;

use crate::columns::{date_from_str, utc_timestamp};
use crate::inputs::JourneyInputs;

/// Encounters: (patient, encounter id, start, stop, class, reason).
pub type Enc<'a> = (
    &'a str,
    &'a str,
    &'a str,
    Option<&'a str>,
    &'a str,
    Option<&'a str>,
);
/// Conditions: (patient, encounter id, start date, stop date, code).
pub type Cond<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, &'a str);
/// Medications: (patient, encounter id, start, stop, code, reason).
pub type Med<'a> = (
    &'a str,
    &'a str,
    &'a str,
    Option<&'a str>,
    &'a str,
    Option<&'a str>,
);

pub fn encounters(rows: &[Enc<'_>]) -> LazyFrame {
    df!(
        "patient_id" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "encounter_id" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        "start" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        "stop" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        "encounter_class" => rows.iter().map(|r| r.4).collect::<Vec<_>>(),
        "code" => rows.iter().map(|_| "185349003").collect::<Vec<_>>(),
        "description" => rows.iter().map(|r| format!("{} visit", r.4)).collect::<Vec<_>>(),
        "reason_code" => rows.iter().map(|r| r.5).collect::<Vec<_>>(),
    )
    .unwrap()
    .lazy()
    .with_columns([utc_timestamp("start"), utc_timestamp("stop")])
}

pub fn conditions(rows: &[Cond<'_>]) -> LazyFrame {
    df!(
        "patient_id" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "encounter_id" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        "start" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        "stop" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        "code" => rows.iter().map(|r| r.4).collect::<Vec<_>>(),
        "description" => rows.iter().map(|r| format!("condition {}", r.4)).collect::<Vec<_>>(),
    )
    .unwrap()
    .lazy()
    .with_columns([date_from_str("start"), date_from_str("stop")])
}

pub fn medications(rows: &[Med<'_>]) -> LazyFrame {
    df!(
        "patient_id" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "encounter_id" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        "start" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        "stop" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        "code" => rows.iter().map(|r| r.4).collect::<Vec<_>>(),
        "description" => rows.iter().map(|r| format!("drug {}", r.4)).collect::<Vec<_>>(),
        "reason_code" => rows.iter().map(|r| r.5).collect::<Vec<_>>(),
    )
    .unwrap()
    .lazy()
    .with_columns([utc_timestamp("start"), utc_timestamp("stop")])
}

pub fn inputs(enc: &[Enc<'_>], cond: &[Cond<'_>], med: &[Med<'_>]) -> JourneyInputs {
    JourneyInputs::new(encounters(enc), conditions(cond), medications(med))
}

pub fn strs(df: &DataFrame, name: &str) -> Vec<Option<String>> {
    df.column(name)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect()
}

pub fn f64s(df: &DataFrame, name: &str) -> Vec<Option<f64>> {
    df.column(name).unwrap().f64().unwrap().iter().collect()
}

pub fn i64s(df: &DataFrame, name: &str) -> Vec<Option<i64>> {
    df.column(name).unwrap().i64().unwrap().iter().collect()
}

pub fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}
