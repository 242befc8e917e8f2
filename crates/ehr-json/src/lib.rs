//! # ehr-json-pipeline
//!
//! The EHR JSON change-feed lakehouse: six JSON entities (patients, encounters,
//! diagnoses, procedures, lab results, medications) landed as NDJSON files (and JSON
//! arrays) in an initial extract and change batches, taken through bronze → silver →
//! gold on medallion-core's builders.
//!
//! * [`schema`] — parsing landed lines, inferring each entity's JSON schema, widening
//!   it when new fields appear; a type conflict names the file, field and both types.
//! * [`silver`] — the typed, normalized silver shape per entity (pure transforms), unit
//!   normalization of lab results, `is_active` of medications, the partition and
//!   MERGE keys, the data-quality rules.
//! * [`gold`] — the silver tables mapped onto `synthea-schema`'s canonical silver model,
//!   and the gold tables of `ehr-population-health` over them (patient clinical
//!   summary, hospital utilization, disease prevalence daily, lab abnormal trends) —
//!   reused, never redefined.
//! * [`pipeline`] — [`run_batch`]: bronze, schema, silver (MERGE/CDC by `change_seq`,
//!   tombstones, window dedup), `patients_scd` in event time, maintenance, gold, the run
//!   report.
//!
//! The feed itself (its fields `op`, `change_seq`, `changed_at` and what each batch
//! does) is written by `synthea_gen::ehr_json`.
//!
//! ## Quickstart
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use chrono::{TimeZone, Utc};
//! use ehr_json_pipeline::{PipelineConfig, run_batch};
//!
//! let landing = tempfile::tempdir()?;
//! let lake = tempfile::tempdir()?;
//! std::fs::write(
//!     landing.path().join("encounters-0000.ndjson"),
//!     concat!(
//!         r#"{"encounter_id":"e1","patient_id":"p1","start":"2024-01-05T10:00:00Z","stop":null,"status":"in-progress","op":"insert","change_seq":1,"changed_at":"2024-01-05T10:00:00Z"}"#, "\n",
//!         r#"{"encounter_id":"e1","patient_id":"p1","start":"2024-01-05T10:00:00Z","stop":"2024-01-07T09:00:00Z","status":"finished","op":"update","change_seq":2,"changed_at":"2024-01-07T09:00:00Z"}"#, "\n",
//!     ),
//! )?;
//! let as_of = Utc.with_ymd_and_hms(2024, 2, 1, 0, 0, 0).unwrap();
//! let mut config = PipelineConfig::new(lake.path(), as_of, "run-1");
//! config.gold_enabled = false;
//! let outcome = run_batch(&config, landing.path()).await?;
//! let encounters = &outcome.entities[0];
//! // Two changes of one key: the latest wins, the older one is counted as deduplicated.
//! assert_eq!((encounters.read, encounters.inserted, encounters.deduplicated), (2, 1, 1));
//! // A replay adds nothing.
//! let again = run_batch(&config, landing.path()).await?;
//! assert_eq!(again.entities[0].read, 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

pub mod error;
pub mod gold;
pub mod pipeline;
pub mod schema;
pub mod silver;

pub use error::{Error, Result};
pub use pipeline::{BatchOutcome, EntityReport, PipelineConfig, run_batch};
