//! # ehr-journey
//!
//! Patient journeys as pure `LazyFrame → LazyFrame` transforms over the canonical silver
//! tables of `synthea-schema`: one ordered event timeline per patient, episodes of care,
//! and per patient × condition the first diagnosis, first treatment, time to medication,
//! encounters around treatment start and journey length. No I/O, no clock, no environment
//! variables: every function only builds a lazy plan (resolving input schemas to check
//! the column contract); the caller collects or writes.
//!
//! | table | function | grain |
//! |---|---|---|
//! | unified event timeline | [`patient_timeline`] | one row per event, ordered per patient |
//! | episodes of care | [`episodes()`] / [`encounter_episodes`] | patient × episode / encounter |
//! | journey features | [`condition_journeys`] | patient × condition code |
//! | time to treatment | [`time_to_treatment`] | condition code |
//! | all gold tables | [`gold_tables`] | `patient_timeline`, `episodes`, `condition_journeys`, `time_to_treatment` |
//!
//! [`windows::rolling_event_counts`] counts a patient's events in a trailing time window
//! (with explicit period and offset). The as-of join these tables use, which sorts its
//! inputs itself, is `medallion_model::expr::asof_join`.
//!
//! Configuration ([`JourneyConfig`] and its parts) is plain serde-loadable data with
//! documented defaults; input tables come bundled in [`JourneyInputs`]; every error is an
//! [`Error`] variant with typed fields.
//!
//! ## Quickstart
//!
//! ```
//! use ehr_journey::columns::{date_from_str, utc_timestamp};
//! use ehr_journey::{condition_journeys, patient_timeline, JourneyConfig, JourneyInputs};
//! use polars::prelude::*;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Silver-shaped inputs (normally from `synthea_schema::normalize::normalize`).
//! let encounters = df!(
//!     "patient_id" => ["p1", "p1"], "encounter_id" => ["e1", "e2"],
//!     "start" => ["2024-01-01T08:00:00Z", "2024-02-01T08:00:00Z"],
//!     "stop" => ["2024-01-01T09:00:00Z", "2024-02-01T09:00:00Z"],
//!     "encounter_class" => ["ambulatory", "ambulatory"], "code" => ["c", "c"],
//!     "description" => ["d", "d"], "reason_code" => [None::<&str>, None],
//! )?
//! .lazy()
//! .with_columns([utc_timestamp("start"), utc_timestamp("stop")]);
//! let conditions = df!(
//!     "patient_id" => ["p1"], "encounter_id" => ["e1"], "start" => ["2024-01-01"],
//!     "stop" => [None::<&str>], "code" => ["44054006"], "description" => ["Diabetes"],
//! )?
//! .lazy()
//! .with_columns([date_from_str("start"), date_from_str("stop")]);
//! let medications = df!(
//!     "patient_id" => ["p1"], "encounter_id" => ["e2"],
//!     "start" => ["2024-02-01T08:00:00Z"], "stop" => [None::<&str>],
//!     "code" => ["860975"], "description" => ["metformin"], "reason_code" => [None::<&str>],
//! )?
//! .lazy()
//! .with_columns([utc_timestamp("start"), utc_timestamp("stop")]);
//! let inputs = JourneyInputs::new(encounters, conditions, medications);
//! let config = JourneyConfig::default();
//!
//! let timeline = patient_timeline(&inputs, &config.timeline)?.collect()?;
//! assert_eq!(timeline.height(), 4); // 2 encounters, 1 onset, 1 medication start
//!
//! let journeys = condition_journeys(&inputs, &config)?.collect()?;
//! // No reason code: metformin is the first new medication within 90 days.
//! assert_eq!(journeys.column("treatment_match")?.str()?.get(0), Some("new_medication"));
//! assert_eq!(journeys.column("days_to_medication")?.f64()?.get(0), Some(31.0));
//! # Ok(())
//! # }
//! ```

pub mod aggregates;
pub mod columns;
pub mod condition_journey;
pub mod config;
pub mod episodes;
pub mod error;
pub mod gold;
pub mod inputs;
pub mod timeline;
pub mod windows;

#[cfg(test)]
mod test_fixtures;

pub use aggregates::{time_to_treatment, time_to_treatment_schema};
pub use condition_journey::{condition_journeys, condition_journeys_schema};
pub use config::{
    AggregateConfig, ConditionJourneyConfig, EpisodeConfig, JourneyConfig, TimelineConfig,
};
pub use episodes::{encounter_episodes, encounter_episodes_schema, episodes, episodes_schema};
pub use error::{Error, Result};
pub use gold::{gold_tables, gold_timeline_schema};
pub use inputs::JourneyInputs;
pub use timeline::{EventType, patient_timeline, timeline_schema};
