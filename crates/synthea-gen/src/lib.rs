//! # synthea-gen
//!
//! A deterministic, seeded generator of realistic Synthea-format CSV exports at any
//! scale, with optional dirty-data injection recorded in a manifest.
//!
//! This crate will own: the population and care-lifetime simulation (demographics,
//! visits, inpatient stays and readmissions, chronic conditions, medications,
//! observations, claims), the byte-exact Synthea 3.x (and 2.x) CSV writers, and the
//! dirty-data injector. It is the default input of the workspace's examples, tests and
//! benches.
//!
//! Nothing is implemented yet: the generator arrives with its own issue.
