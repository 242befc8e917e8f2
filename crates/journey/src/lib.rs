//! # ehr-journey
//!
//! Patient journeys as pure `LazyFrame → LazyFrame` transforms over the canonical silver
//! tables of `synthea-schema`.
//!
//! This crate will own (DESIGN.md §5.7): the per-patient ordered event timeline
//! (encounters, conditions, medications, procedures, observations), episodes, and
//! per patient × condition journey features — first diagnosis, first medication after
//! it, time to medication, encounters before/after treatment start, journey length —
//! plus their aggregates by condition.
//!
//! Nothing is implemented yet: journeys arrive with their own issue.
