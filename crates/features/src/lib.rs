//! # ehr-features
//!
//! A point-in-time ML feature store built from the silver tables, the journeys of
//! `ehr-journey` and the metrics of `ehr-quality-metrics`.
//!
//! This crate will own: feature definitions named `<entity>__<measure>_<window>`,
//! point-in-time correct feature extraction as of each label date (no leakage from the
//! future), and label tables (e.g. 30-day readmission).
//!
//! Nothing is implemented yet: the feature store arrives with its own issue. It will
//! reuse, not copy, what the other crates already define once: the silver column
//! contract (`synthea_schema::columns`), the as-of join that sorts its inputs and the
//! day arithmetic (`medallion_model::expr`), and the metric crates' definitions for its
//! labels.
