//! # clinical-events
//!
//! Hospital ADT (admission / discharge / transfer) events through the medallion
//! layers: the event model, a deterministic simulator with dirty-data scenarios, silver
//! parsing and data-quality rules, and a patient-flow star schema with occupancy and flow
//! KPIs — answering "how full are we, where, and why".
//!
//! ## Quickstart
//!
//! Simulate a small, dirty feed, refine it and compute current occupancy, all in memory
//! (the [`pipeline`] does the same with Delta tables):
//!
//! ```
//! use clinical_events::gold::{GoldConfig, occupancy_tables};
//! use clinical_events::silver::{SilverConfig, transform};
//! use clinical_events::simulator::{DirtyConfig, SimulatorConfig, simulate};
//! use clinical_events::{columns::RAW_EVENT, testkit::collect};
//! use medallion_core::pipeline::apply_rules;
//! use polars::prelude::*;
//!
//! // 1. Simulate 2,000 ADT events, about 5 % with one of seven defects.
//! let mut sim = SimulatorConfig::new(2_000, 42);
//! sim.dirty = DirtyConfig::uniform(0.05);
//! let simulated = simulate(&sim)?;
//! let lines: Vec<&str> = simulated.files.iter().flat_map(|f| &f.lines).map(String::as_str).collect();
//!
//! // 2. Silver: parse against the schema, correct and flag (nothing silently fixed).
//! let silver_config = SilverConfig::default();
//! let raw = df!(RAW_EVENT => lines)?;
//! let silver = transform(raw.lazy(), &sim.network, &silver_config)?;
//! let checked = apply_rules(silver, &silver_config.rules(), "adt_events")?;
//! assert!(checked.rule_hits["INVALID_AGE"] > 0);
//!
//! // 3. Gold: occupancy from admitted intervals, as of the last event.
//! let as_of = simulated.manifest.summary.last_event.unwrap_or_default();
//! let tables = occupancy_tables(checked.kept.lazy(), &sim.network, &GoldConfig::default(), as_of)?;
//! let current = tables.iter().find(|t| t.name == "occupancy_current_hospital");
//! let current = collect(current.map(|t| t.frame.clone()).unwrap_or_default())?;
//! assert_eq!(current.height(), 7); // one row per hospital
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Modules
//!
//! | module | what |
//! |---|---|
//! | [`model`] | the JSON event (21 fields, nested vitals) and its semantics |
//! | [`network`] | hospitals, departments, bed capacities (configuration) |
//! | [`simulator`] | deterministic ADT simulator, seven dirty-data scenarios, manifest, NDJSON landing |
//! | [`silver`] | lenient parsing, corrections with an audit trail, the rules (`medallion_model::Rule`) |
//! | [`gold`] | stays and bed segments, star schema, occupancy, ALOS, admissions, diagnoses, vitals |
//! | [`pipeline`] | bronze → silver → gold on Delta through medallion-core's builders |
//! | [`columns`] | the silver column contract |
//! | [`testkit`] | event builders for examples and tests |
//! | [`vitals`] | bedside-monitor telemetry: simulator, NEWS2, alerts, risk snapshot, data-quality metrics, micro-batches with a watermark |
//!
//! Transforms ([`silver::transform`], everything in [`gold`]) are pure: lazy frames and
//! configuration in, lazy frames out; the as-of instant is an argument. Only
//! [`pipeline`] does I/O, through medallion-core.

pub mod columns;
mod error;
pub mod gold;
pub mod model;
pub mod network;
pub mod pipeline;
pub mod silver;
pub mod simulator;
pub mod testkit;
pub mod vitals;

pub use error::{Error, Result};
