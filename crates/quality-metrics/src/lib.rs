//! # ehr-quality-metrics
//!
//! Hospital quality and utilization metrics as pure `LazyFrame → LazyFrame` transforms
//! over the canonical silver tables of `synthea-schema` (no I/O, no clock: every period
//! and as-of date is an explicit argument).
//!
//! This crate will own, with the exact definitions of DESIGN.md §5:
//! - the inpatient stay rollup (merging same-organization stays, transfer chains, the
//!   stay ↔ encounter bridge),
//! - length of stay (`los_days`, `los_hours`, ALOS by condition, facility, month),
//! - 30-day readmissions (hospital-wide style, observed, with exclusion reasons, and a
//!   crude variant),
//! - medication adherence (PQA proportion of days covered),
//! - encounter-to-diagnosis latency,
//! - midnight census, occupancy and utilization.
//!
//! Nothing is implemented yet: the metrics arrive with their own issue.
