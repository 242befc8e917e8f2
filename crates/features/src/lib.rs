//! # ehr-features
//!
//! A point-in-time patient feature store over the silver tables, its labels, and the
//! risk models trained on it.
//!
//! * [`feature_store`] — pure plan: one row per (patient, as-of date) with feature
//!   groups as configuration ([`FeatureStoreConfig`]), every feature computed only from
//!   events dated on or before the as-of date ([`groups`]), labels ([`labels`], and the
//!   30-day readmission of `ehr-quality-metrics`), definitions and a version.
//! * [`store`] — the Delta I/O (through `medallion-core`): `gold/patient_feature_store`
//!   partitioned by `as_of_month` with definitions and version in table properties,
//!   time-travel reads, `gold/patient_risk_scores`, `_experiments`.
//! * [`model`] — patient-level stratified split, logistic regression and random forest
//!   (`smartcore`), class balancing, ROC AUC, PR AUC, Brier score, calibration.
//! * [`tracking`] — run records for the `_experiments` table and the MLflow REST API.
//!
//! **No leakage, by construction.** Event tables reach a feature only through
//! [`groups::visible`] (joined to the spine and filtered to `event date <= as_of_date`
//! before any aggregation), backward as-of joins, or histories truncated at the as-of
//! date; a property test appends random events after the as-of dates and checks that no
//! feature row changes.
//!
//! ## Quickstart
//!
//! ```
//! use ehr_features::{AsOfDates, FeatureGroups, FeatureInputs, FeatureStoreConfig, feature_store};
//! use chrono::NaiveDate;
//! use polars::prelude::*;
//! use synthea_schema::normalize::{NormalizeConfig, normalize};
//! use synthea_schema::{SyntheaVersion, TableKind};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let n = |t, raw: DataFrame| normalize(t, SyntheaVersion::V3Latest, raw.lazy(), &NormalizeConfig::default());
//! let inputs = FeatureInputs {
//!     patients: n(TableKind::Patients, df!("Id" => ["p"], "BIRTHDATE" => ["1960-05-01"], "GENDER" => ["F"], "RACE" => ["white"])?)?,
//!     encounters: n(TableKind::Encounters, df!(
//!         "Id" => ["e1"], "PATIENT" => ["p"], "ENCOUNTERCLASS" => ["emergency"],
//!         "START" => ["2023-03-01T10:00:00Z"], "STOP" => ["2023-03-01T12:00:00Z"],
//!     )?)?,
//!     // Type 2 diabetes diagnosed after the first as-of date, before the second.
//!     conditions: n(TableKind::Conditions, df!("PATIENT" => ["p"], "CODE" => ["44054006"], "START" => ["2023-05-02"])?)?,
//!     medications: n(TableKind::Medications, df!("PATIENT" => ["p"], "CODE" => ["860975"], "START" => ["2023-05-02T00:00:00Z"])?)?,
//!     observations: n(TableKind::Observations, df!(
//!         "DATE" => ["2023-01-10T09:00:00Z"], "PATIENT" => ["p"], "CODE" => ["39156-5"], "VALUE" => ["31.5"], "TYPE" => ["numeric"],
//!     )?)?,
//!     procedures: n(TableKind::Procedures, df!("PATIENT" => ["p"], "CODE" => ["1"], "START" => ["2023-03-01T11:00:00Z"])?)?,
//! };
//! let d = |m, day| NaiveDate::from_ymd_opt(2023, m, day).unwrap_or_default();
//! let mut groups = FeatureGroups::default();
//! groups.journey = None; // every group is optional configuration
//! let config = FeatureStoreConfig::default()
//!     .with_as_of(AsOfDates::Dates(vec![d(3, 31), d(6, 30)]))
//!     .with_groups(groups);
//! let store = feature_store(&inputs, &config)?;
//! // Deep plans: collect on a thread with a large stack (as medallion-core does).
//! let frame = store.frame.clone();
//! let df = std::thread::Builder::new().stack_size(64 << 20).spawn(move || frame.collect())?.join().map_err(|_| "panicked")??;
//!
//! let flag: Vec<_> = df.column("condition__diabetes_flag")?.bool()?.iter().collect();
//! assert_eq!(flag, [Some(false), Some(true)]); // diagnosed after March 31st
//! let ed: Vec<_> = df.column("encounter__emergency_count_182d")?.u32()?.iter().collect();
//! assert_eq!(ed, [Some(1), Some(1)]);
//! assert_eq!(df.column("lab__bmi_latest")?.f64()?.get(0), Some(31.5));
//! assert!(store.definitions.iter().any(|f| f.name == "medication__diabetes_non_insulin_active"));
//! # Ok(())
//! # }
//! ```

pub mod columns;
pub mod config;
pub mod definitions;
pub mod error;
pub mod groups;
pub mod labels;
pub mod model;
pub mod plan;
pub mod spine;
pub mod store;
pub mod tracking;

pub use config::*;
pub use definitions::FeatureDefinition;
pub use error::{Error, Result};
pub use plan::{
    FEATURE_DEFINITIONS_VERSION, FEATURE_STORE_TABLE, FeatureInputs, FeatureStore, feature_store,
    feature_store_version,
};

#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;
