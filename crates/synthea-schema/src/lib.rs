//! # synthea-schema
//!
//! The single source of truth for the shape of Synthea data in the lakehouse:
//!
//! * [`spec`] — a static spec of every raw Synthea table (19 files): each column's raw
//!   name, Polars dtype, nullability, meaning, the versions that have it
//!   ([`SyntheaVersion`]: 2.x, 3.0–3.2, 3.3+), and its canonical silver name;
//! * [`detect`] — version detection from a directory's headers (by column name, never
//!   position), with per-file drift reports and precise errors for mixed layouts;
//! * [`read`] — typed lazy readers for CSV / Parquet / NDJSON with strict and lenient
//!   parsing (codes, ZIPs, SSNs and ids always stay strings);
//! * [`normalize`] — pure raw → silver normalization and the silver column contract
//!   ([`normalize::silver_schema`]);
//! * [`dq`] — every Synthea data-quality rule as a [`medallion_model::Rule`]: the rules
//!   of the silver contract and the checks of raw text, parse errors, dates, references
//!   and deaths ([`dq::checks`]); the engine that applies them lives in `medallion-core`;
//! * [`star`] — the star schema (dimensions, date dimension, facts) with surrogate keys
//!   from the workspace's one stable hash ([`medallion_model::hash`]).
//!
//! Transforms are pure `LazyFrame -> LazyFrame` functions: no clock, no environment
//! variables, and "as of" dates are explicit arguments. Only [`detect`] and [`read`]
//! touch the file system.
//!
//! ## Features
//!
//! * `polars` (default): everything that works on frames — [`detect`], [`read`],
//!   [`normalize`], [`dq`] and [`star`]. Without it the crate is the Polars-free table
//!   catalogue only — [`spec`] (tables, columns, categorical values, foreign keys),
//!   [`version`] and [`error`] — which the `synthea-gen` generator builds on.
//!
//! ## Quickstart
//!
//! ```
//! use polars::prelude::*;
//! use synthea_schema::normalize::{normalize, silver_schema, NormalizeConfig};
//! use synthea_schema::{SyntheaVersion, TableKind};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A raw encounters frame as read from a Synthea CSV (all strings).
//! let raw = df!(
//!     "Id" => ["e1", "e2"],
//!     "START" => ["2019-02-17T05:07:38Z", "2019-02-17T23:30:00Z"],
//!     "STOP" => ["2019-02-17T06:07:38Z", ""],
//!     "PATIENT" => ["p1", "p2"],
//!     "ENCOUNTERCLASS" => ["wellness", "Urgent_Care"],
//!     "CODE" => ["10939881000119105", "185349003"],
//! )?
//! .lazy();
//!
//! let config = NormalizeConfig::default().with_time_zone("Europe/Berlin");
//! let mut silver = normalize(TableKind::Encounters, SyntheaVersion::V3Latest, raw, &config)?;
//! assert_eq!(silver.collect_schema()?.as_ref(), &silver_schema(TableKind::Encounters));
//!
//! let df = silver.collect()?;
//! assert_eq!(df.column("encounter_id")?.str()?.get(0), Some("e1"));
//! assert_eq!(df.column("encounter_class")?.str()?.get(1), Some("urgentcare"));
//! assert_eq!(df.column("code")?.str()?.get(0), Some("10939881000119105"));
//! assert_eq!(df.column("stop")?.null_count(), 1); // empty string -> null
//! // 23:30 UTC is already the next day in Berlin.
//! let start_date = df.column("start_date")?.cast(&DataType::String)?;
//! assert_eq!(start_date.str()?.get(1), Some("2019-02-18"));
//! # Ok(())
//! # }
//! ```
//!
//! Reading a real export directory:
//!
//! ```no_run
//! use synthea_schema::read::{ParseMode, SyntheaDir};
//! use synthea_schema::TableKind;
//!
//! # fn main() -> synthea_schema::Result<()> {
//! let dir = SyntheaDir::open("exports/synthea-csv")?;
//! println!("version {}, drift: {}", dir.version(), dir.report().has_drift());
//! let encounters = dir.read(TableKind::Encounters, ParseMode::Strict)?;
//! # let _ = encounters;
//! # Ok(())
//! # }
//! ```

#[cfg(feature = "polars")]
pub mod columns;
#[cfg(feature = "polars")]
pub mod detect;
#[cfg(feature = "polars")]
pub mod dq;
pub mod error;
#[cfg(feature = "polars")]
pub mod normalize;
#[cfg(feature = "polars")]
pub mod read;
pub mod spec;
#[cfg(feature = "polars")]
pub mod star;
#[cfg(any(feature = "testkit", all(test, feature = "polars")))]
pub mod testkit;
pub mod version;

pub use error::{Error, HeaderMismatch, Result};
pub use spec::{ColumnSpec, EncounterClass, Measure, TableKind, TableSpec, ValueKind};
pub use version::{SyntheaVersion, VersionSet};

#[cfg(all(test, feature = "polars"))]
mod test_util;
