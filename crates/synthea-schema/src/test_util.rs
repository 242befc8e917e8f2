//! Helpers shared by unit tests.
#![allow(clippy::unwrap_used)]

use polars::prelude::*;

/// The values of string column `name` (cast to `String` first).
pub(crate) fn strs(df: &DataFrame, name: &str) -> Vec<Option<String>> {
    let c = df.column(name).unwrap().cast(&DataType::String).unwrap();
    let ca = c.str().unwrap();
    (0..ca.len())
        .map(|i| ca.get(i).map(str::to_string))
        .collect()
}

/// The values of boolean column `name`.
pub(crate) fn bools(df: &DataFrame, name: &str) -> Vec<Option<bool>> {
    let ca = df.column(name).unwrap().bool().unwrap().clone();
    (0..ca.len()).map(|i| ca.get(i)).collect()
}

pub(crate) use crate::testkit::silver_fixture as silver;

/// Silver 2.x patients: p1 died on 2020-01-02, p2 is born in 2030 and p3 died before
/// birth.
pub(crate) fn patients_with_deaths() -> LazyFrame {
    let raw = df!(
        "Id" => ["p1", "p2", "p3"],
        "BIRTHDATE" => ["1950-01-01", "2030-05-05", "2000-01-01"],
        "DEATHDATE" => ["2020-01-02", "", "1999-01-01"],
    )
    .unwrap();
    silver(crate::TableKind::Patients, crate::SyntheaVersion::V2, raw)
}
