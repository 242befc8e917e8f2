//! Test fixtures: raw Synthea-like rows normalized with `synthea-schema`, so every
//! fixture goes through the real silver contract (the shared helpers come from
//! `synthea_schema::testkit`).
#![allow(clippy::unwrap_used)]

use polars::prelude::*;
pub(crate) use synthea_schema::testkit::{CollectBig, date, strings as strs, strings as dates};
use synthea_schema::{SyntheaVersion, TableKind};

fn silver(table: TableKind, raw: DataFrame) -> LazyFrame {
    synthea_schema::testkit::silver_fixture(table, SyntheaVersion::V3Latest, raw)
}

/// One raw encounter row.
#[derive(Clone, Debug)]
pub(crate) struct Enc {
    pub id: &'static str,
    pub patient: &'static str,
    pub org: &'static str,
    pub class: &'static str,
    pub start: &'static str,
    pub stop: &'static str,
    pub code: &'static str,
    pub reason: &'static str,
}

impl Enc {
    pub(crate) fn new(
        id: &'static str,
        patient: &'static str,
        org: &'static str,
        class: &'static str,
        start: &'static str,
        stop: &'static str,
    ) -> Self {
        Self {
            id,
            patient,
            org,
            class,
            start,
            stop,
            code: "183452005",
            reason: "",
        }
    }
    pub(crate) fn code(mut self, code: &'static str) -> Self {
        self.code = code;
        self
    }
    pub(crate) fn reason(mut self, reason: &'static str) -> Self {
        self.reason = reason;
        self
    }
}

pub(crate) fn encounters(rows: &[Enc]) -> LazyFrame {
    let f = |g: fn(&Enc) -> &'static str| rows.iter().map(g).collect::<Vec<_>>();
    let raw = df!(
        "Id" => f(|r| r.id),
        "START" => f(|r| r.start),
        "STOP" => f(|r| r.stop),
        "PATIENT" => f(|r| r.patient),
        "ORGANIZATION" => f(|r| r.org),
        "ENCOUNTERCLASS" => f(|r| r.class),
        "CODE" => f(|r| r.code),
        "REASONCODE" => f(|r| r.reason),
    )
    .unwrap();
    silver(TableKind::Encounters, raw)
}

/// `(id, birthdate, deathdate)`.
pub(crate) fn patients(rows: &[(&str, &str, &str)]) -> LazyFrame {
    let raw = df!(
        "Id" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "BIRTHDATE" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        "DEATHDATE" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        "GENDER" => rows.iter().map(|_| "F").collect::<Vec<_>>(),
    )
    .unwrap();
    silver(TableKind::Patients, raw)
}

/// `(patient, encounter, start date, code)`.
pub(crate) fn conditions(rows: &[(&str, &str, &str, &str)]) -> LazyFrame {
    let raw = df!(
        "START" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        "STOP" => rows.iter().map(|_| "").collect::<Vec<_>>(),
        "PATIENT" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "ENCOUNTER" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        "CODE" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        "DESCRIPTION" => rows.iter().map(|_| "x").collect::<Vec<_>>(),
    )
    .unwrap();
    silver(TableKind::Conditions, raw)
}

/// `(patient, encounter, start ts, code)`.
pub(crate) fn procedures(rows: &[(&str, &str, &str, &str)]) -> LazyFrame {
    let raw = df!(
        "START" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        "STOP" => rows.iter().map(|_| "").collect::<Vec<_>>(),
        "PATIENT" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "ENCOUNTER" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        "CODE" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        "DESCRIPTION" => rows.iter().map(|_| "x").collect::<Vec<_>>(),
    )
    .unwrap();
    silver(TableKind::Procedures, raw)
}

/// `(patient, code, start ts, stop ts, dispenses)`.
pub(crate) fn medications(rows: &[(&str, &str, &str, &str, &str)]) -> LazyFrame {
    let raw = df!(
        "START" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        "STOP" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        "PATIENT" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "ENCOUNTER" => rows.iter().map(|_| "e").collect::<Vec<_>>(),
        "CODE" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        "DESCRIPTION" => rows.iter().map(|_| "x").collect::<Vec<_>>(),
        "DISPENSES" => rows.iter().map(|r| r.4).collect::<Vec<_>>(),
    )
    .unwrap();
    silver(TableKind::Medications, raw)
}

pub(crate) fn u32s(df: &DataFrame, name: &str) -> Vec<u32> {
    df.column(name)
        .unwrap()
        .u32()
        .unwrap()
        .iter()
        .map(|v| v.unwrap())
        .collect()
}

pub(crate) fn i64s(df: &DataFrame, name: &str) -> Vec<i64> {
    df.column(name)
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .map(|v| v.unwrap())
        .collect()
}

pub(crate) fn bools(df: &DataFrame, name: &str) -> Vec<bool> {
    df.column(name)
        .unwrap()
        .bool()
        .unwrap()
        .iter()
        .map(|v| v.unwrap())
        .collect()
}
