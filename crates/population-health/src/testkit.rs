//! Test fixtures: raw Synthea-like rows normalized with `synthea-schema`, so every
//! fixture goes through the real silver contract (the shared helpers come from
//! `synthea_schema::testkit`).
#![allow(clippy::unwrap_used)]

use polars::prelude::*;
pub(crate) use synthea_schema::testkit::{CollectBig, date, on_big_stack, strings as strs};
use synthea_schema::{SyntheaVersion, TableKind};

fn silver(table: TableKind, raw: DataFrame) -> LazyFrame {
    synthea_schema::testkit::silver_fixture(table, SyntheaVersion::V3Latest, raw)
}

fn column<T: Copy>(rows: &[T], f: impl Fn(T) -> &'static str) -> Vec<&'static str> {
    rows.iter().map(|r| f(*r)).collect()
}

/// One raw patient: id, birth date, death date (`""` alive), gender (`M`/`F`), race.
pub(crate) type Pat = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

pub(crate) fn patients(rows: &[Pat]) -> LazyFrame {
    let raw = df!(
        "Id" => column(rows, |r| r.0),
        "BIRTHDATE" => column(rows, |r| r.1),
        "DEATHDATE" => column(rows, |r| r.2),
        "GENDER" => column(rows, |r| r.3),
        "RACE" => column(rows, |r| r.4),
        "ETHNICITY" => column(rows, |_| "nonhispanic"),
    )
    .unwrap();
    silver(TableKind::Patients, raw)
}

/// `(patient, code, start date, stop date or "")`.
pub(crate) fn conditions(
    rows: &[(&'static str, &'static str, &'static str, &'static str)],
) -> LazyFrame {
    let raw = df!(
        "START" => column(rows, |r| r.2),
        "STOP" => column(rows, |r| r.3),
        "PATIENT" => column(rows, |r| r.0),
        "ENCOUNTER" => column(rows, |_| "e"),
        "CODE" => column(rows, |r| r.1),
        "DESCRIPTION" => column(rows, |r| r.1),
    )
    .unwrap();
    silver(TableKind::Conditions, raw)
}

/// `(patient, code, timestamp, value, units)`.
pub(crate) fn observations(
    rows: &[(
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    )],
) -> LazyFrame {
    let raw = df!(
        "DATE" => column(rows, |r| r.2),
        "PATIENT" => column(rows, |r| r.0),
        "ENCOUNTER" => column(rows, |_| "e"),
        "CATEGORY" => column(rows, |_| "vital-signs"),
        "CODE" => column(rows, |r| r.1),
        "DESCRIPTION" => column(rows, |r| r.1),
        "VALUE" => column(rows, |r| r.3),
        "UNITS" => column(rows, |r| r.4),
        "TYPE" => column(rows, |_| "numeric"),
    )
    .unwrap();
    silver(TableKind::Observations, raw)
}

/// `(patient, code, start ts, stop ts or "")`.
pub(crate) fn medications(
    rows: &[(&'static str, &'static str, &'static str, &'static str)],
) -> LazyFrame {
    let raw = df!(
        "START" => column(rows, |r| r.2),
        "STOP" => column(rows, |r| r.3),
        "PATIENT" => column(rows, |r| r.0),
        "ENCOUNTER" => column(rows, |_| "e"),
        "CODE" => column(rows, |r| r.1),
        "DESCRIPTION" => column(rows, |r| r.1),
        "DISPENSES" => column(rows, |_| "1"),
    )
    .unwrap();
    silver(TableKind::Medications, raw)
}

/// `(id, patient, organization, class, start ts, stop ts or "")`.
pub(crate) type Enc = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

pub(crate) fn encounters(rows: &[Enc]) -> LazyFrame {
    let raw = df!(
        "Id" => column(rows, |r| r.0),
        "START" => column(rows, |r| r.4),
        "STOP" => column(rows, |r| r.5),
        "PATIENT" => column(rows, |r| r.1),
        "ORGANIZATION" => column(rows, |r| r.2),
        "ENCOUNTERCLASS" => column(rows, |r| r.3),
        "CODE" => column(rows, |_| "183452005"),
    )
    .unwrap();
    silver(TableKind::Encounters, raw)
}

pub(crate) fn procedures_empty() -> LazyFrame {
    let raw = df!(
        "START" => Vec::<&str>::new(),
        "PATIENT" => Vec::<&str>::new(),
        "ENCOUNTER" => Vec::<&str>::new(),
        "CODE" => Vec::<&str>::new(),
    )
    .unwrap();
    silver(TableKind::Procedures, raw)
}

pub(crate) fn i64s(df: &DataFrame, name: &str) -> Vec<Option<i64>> {
    df.column(name).unwrap().i64().unwrap().iter().collect()
}

pub(crate) fn f64s(df: &DataFrame, name: &str) -> Vec<Option<f64>> {
    df.column(name).unwrap().f64().unwrap().iter().collect()
}

pub(crate) fn bools(df: &DataFrame, name: &str) -> Vec<Option<bool>> {
    df.column(name).unwrap().bool().unwrap().iter().collect()
}

/// Rows of `frame` where `column == value`, collected.
pub(crate) fn rows_where(frame: LazyFrame, column: &str, value: &str) -> DataFrame {
    frame.filter(col(column).eq(lit(value))).collect_big()
}
