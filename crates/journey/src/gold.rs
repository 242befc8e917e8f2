//! The gold tables of this crate, as values a pipeline writes without knowing them in
//! advance.

use medallion_model::GoldTable;
use polars::prelude::*;

use crate::aggregates::{self, time_to_treatment};
use crate::columns::*;
use crate::condition_journey::{self, condition_journeys};
use crate::config::JourneyConfig;
use crate::episodes::{self, episodes};
use crate::error::Result;
use crate::inputs::JourneyInputs;
use crate::timeline::{self, patient_timeline, timeline_schema};

/// Gold table name of the timeline.
pub const PATIENT_TIMELINE_TABLE: &str = "patient_timeline";
/// Gold table name of the episodes.
pub const EPISODES_TABLE: &str = "episodes";
/// Gold table name of the condition journeys.
pub const CONDITION_JOURNEYS_TABLE: &str = "condition_journeys";
/// Gold table name of the time-to-treatment aggregates.
pub const TIME_TO_TREATMENT_TABLE: &str = "time_to_treatment";

/// Schema of gold `patient_timeline`: [`timeline_schema`] plus `event_year` (`Int32`).
pub fn gold_timeline_schema() -> Schema {
    let mut s = timeline_schema();
    s.with_column(EVENT_YEAR.into(), DataType::Int32);
    s
}

/// Every gold table of this crate, in write order, each with its metric version and
/// its output grain as description.
///
/// No table is partitioned. `patient_timeline` spans every year of every patient's
/// history (a century of years for a Synthea population), so a partition per year gave
/// about a hundred files of a few kilobytes each per write; its rows are in timeline
/// order (by patient, then time), so each file covers a narrow range of `patient_id`
/// and readers skip files by that column's statistics, and by `event_year` within them.
///
/// | name | frame | schema | partitioned by | version |
/// |---|---|---|---|---|
/// | `patient_timeline` | [`patient_timeline`] + `event_year` (`Int32`, UTC year of `event_time`) | [`gold_timeline_schema`] | — (see below) | [`timeline::METRIC_VERSION`] |
/// | `episodes` | [`episodes()`] | [`episodes_schema`](crate::episodes_schema) | — | [`episodes::METRIC_VERSION`] |
/// | `condition_journeys` | [`condition_journeys`] | [`condition_journeys_schema`](crate::condition_journeys_schema) | — | [`condition_journey::METRIC_VERSION`] |
/// | `time_to_treatment` | [`time_to_treatment`] over `condition_journeys` | [`time_to_treatment_schema`](crate::time_to_treatment_schema) | — | [`aggregates::METRIC_VERSION`] |
///
/// Nothing is collected: the frames share their inputs, and the caller (the pipeline's
/// gold writer) decides how to execute them.
///
/// # Errors
/// Config validation ([`JourneyConfig::validate`]) and input contract errors of the
/// individual tables.
///
/// # Example
/// ```
/// use ehr_journey::columns::{date_from_str, utc_timestamp};
/// use ehr_journey::{gold_tables, JourneyConfig, JourneyInputs};
/// use polars::prelude::*;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let encounters = df!(
///     "patient_id" => ["p1"], "encounter_id" => ["e1"],
///     "start" => ["2024-01-01T08:00:00Z"], "stop" => ["2024-01-01T09:00:00Z"],
///     "encounter_class" => ["ambulatory"], "code" => ["c"], "description" => ["d"],
///     "reason_code" => [None::<&str>],
/// )?
/// .lazy()
/// .with_columns([utc_timestamp("start"), utc_timestamp("stop")]);
/// let conditions = df!(
///     "patient_id" => ["p1"], "encounter_id" => ["e1"], "start" => ["2024-01-01"],
///     "stop" => [None::<&str>], "code" => ["59621000"], "description" => ["Hypertension"],
/// )?
/// .lazy()
/// .with_columns([date_from_str("start"), date_from_str("stop")]);
/// let medications = df!(
///     "patient_id" => [None::<&str>], "encounter_id" => [None::<&str>],
///     "start" => [None::<&str>], "stop" => [None::<&str>], "code" => [None::<&str>],
///     "description" => [None::<&str>], "reason_code" => [None::<&str>],
/// )?
/// .lazy()
/// .with_columns([utc_timestamp("start"), utc_timestamp("stop")]);
///
/// let inputs = JourneyInputs::new(encounters, conditions, medications);
/// let tables = gold_tables(&inputs, &JourneyConfig::default())?;
/// let names: Vec<_> = tables.iter().map(|t| t.name.as_str()).collect();
/// assert_eq!(names, ["patient_timeline", "episodes", "condition_journeys", "time_to_treatment"]);
/// assert!(tables[0].partition_columns.is_empty());
/// let timeline = tables[0].frame.clone().collect()?;
/// assert_eq!(timeline.column("event_year")?.i32()?.get(0), Some(2024));
/// # Ok(())
/// # }
/// ```
pub fn gold_tables(inputs: &JourneyInputs, config: &JourneyConfig) -> Result<Vec<GoldTable>> {
    config.validate()?;
    let timeline = patient_timeline(inputs, &config.timeline)?.with_column(
        col(EVENT_TIME)
            .dt()
            .year()
            .cast(DataType::Int32)
            .alias(EVENT_YEAR),
    );
    let episodes = episodes(inputs.encounters.clone(), &config.episodes)?;
    let journeys = condition_journeys(inputs, config)?;
    let ttt = time_to_treatment(journeys.clone(), &config.aggregates)?;
    Ok(vec![
        GoldTable::new(PATIENT_TIMELINE_TABLE, timeline, timeline::METRIC_VERSION)
            .with_description(
                "One row per clinical event of a patient (encounter, condition onset and \
                 resolution, medication start and stop, procedure, immunization, selected \
                 observation), in timeline order.",
            ),
        GoldTable::new(EPISODES_TABLE, episodes, episodes::METRIC_VERSION).with_description(
            "One row per patient and episode of care: span and encounter counts by class.",
        ),
        GoldTable::new(
            CONDITION_JOURNEYS_TABLE,
            journeys,
            condition_journey::METRIC_VERSION,
        )
        .with_description(
            "One row per patient and condition code: first diagnosis, first treatment, \
             encounters around treatment start, first inpatient stay, journey length and \
             resolution.",
        ),
        GoldTable::new(TIME_TO_TREATMENT_TABLE, ttt, aggregates::METRIC_VERSION).with_description(
            "One row per condition code: patients, treated share, time to medication \
                 and journey length statistics.",
        ),
    ])
}
