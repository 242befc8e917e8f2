//! Test fixtures shared by the crates that compute on silver (feature `testkit`, for
//! their tests only): raw Synthea-like rows normalized by the real silver contract, value
//! extractors, and a big stack for deep debug-build plans.
//!
//! Every function panics on bad fixtures — they are for tests.
//!
//! ```
//! use polars::prelude::*;
//! use synthea_schema::testkit::{CollectBig, silver_fixture, strings};
//! use synthea_schema::{SyntheaVersion, TableKind};
//!
//! let raw = df!("Id" => ["p1"], "BIRTHDATE" => ["1980-02-03"], "GENDER" => ["F"])?;
//! let patients = silver_fixture(TableKind::Patients, SyntheaVersion::V3Latest, raw);
//! let frame = patients.collect_big();
//! assert_eq!(strings(&frame, "birth_date"), ["1980-02-03"]);
//! # Ok::<(), PolarsError>(())
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use polars::prelude::*;

use crate::normalize::{NormalizeConfig, normalize};
use crate::{SyntheaVersion, TableKind};

/// The date `text` (`YYYY-MM-DD`).
///
/// # Panics
/// If `text` is not such a date.
pub fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a YYYY-MM-DD fixture date")
}

/// `raw` (Synthea CSV column names, string values) normalized as silver `table` of
/// `version` with the default configuration.
///
/// # Panics
/// If `raw` lacks a column the normalization needs.
pub fn silver_fixture(table: TableKind, version: SyntheaVersion, raw: DataFrame) -> LazyFrame {
    normalize(table, version, raw.lazy(), &NormalizeConfig::default()).unwrap()
}

/// The values of column `name` cast to strings, `"<null>"` for a null.
///
/// # Panics
/// If there is no such column or it cannot be cast to a string.
pub fn strings(frame: &DataFrame, name: &str) -> Vec<String> {
    let column = frame.column(name).unwrap().cast(&DataType::String).unwrap();
    column
        .str()
        .unwrap()
        .iter()
        .map(|v| v.unwrap_or("<null>").to_string())
        .collect()
}

/// Stack of the thread [`on_big_stack`] runs on: 16 MiB. Debug builds of the metric
/// plans (a stay rollup under a metric under a group) overflow a test thread's default
/// 2 MiB while Polars resolves them; all tests pass with 4 MiB, so this is a 4× margin.
pub const TEST_STACK_BYTES: usize = 16 << 20;

/// Runs `f` on a thread with [`TEST_STACK_BYTES`] of stack and returns its result
/// (a panic in `f` is re-raised here).
pub fn on_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(TEST_STACK_BYTES)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))
}

/// Resolves the schema of / collects a plan on a thread with [`TEST_STACK_BYTES`].
pub trait CollectBig {
    /// Collects the plan (panics on a Polars error).
    fn collect_big(self) -> DataFrame;
    /// Resolves the plan's schema (panics on a Polars error).
    fn schema_big(self) -> Schema;
}

impl CollectBig for LazyFrame {
    fn collect_big(self) -> DataFrame {
        on_big_stack(move || self.collect().unwrap())
    }

    fn schema_big(mut self) -> Schema {
        on_big_stack(move || self.collect_schema().unwrap().as_ref().clone())
    }
}
