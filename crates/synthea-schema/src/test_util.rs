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
