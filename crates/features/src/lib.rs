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
pub use plan::{FEATURE_DEFINITIONS_VERSION, FEATURE_STORE_TABLE, FeatureInputs, FeatureStore, feature_store, feature_store_version};

#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;
