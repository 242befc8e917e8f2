//! # ehr-lakehouse
//!
//! The end-to-end Synthea lakehouse: composes `synthea-schema` (shapes, typing,
//! normalization, data-quality rules, star schema), `medallion-core` (Delta I/O,
//! bronze/silver/gold machinery) and the metric crates into one pipeline that the
//! `synthea_lakehouse` example runs.
//!
//! ```no_run
//! # async fn demo() -> Result<(), ehr_lakehouse::PipelineError> {
//! use chrono::NaiveDate;
//! use ehr_lakehouse::synthea::{PipelineConfig, run_pipeline};
//!
//! let as_of = NaiveDate::from_ymd_opt(2024, 4, 15).unwrap();
//! let config = PipelineConfig::new("lakehouse", "synthea", as_of, "run-1");
//! let outcome = run_pipeline(&config, "landing".as_ref(), &mut |line| println!("{line}")).await?;
//! println!("{}", outcome.report);
//! # Ok(()) }
//! ```

mod error;
pub mod synthea;

pub use error::PipelineError;
