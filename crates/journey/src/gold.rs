//! The gold tables of this crate, named for the pipeline writer.

use polars::prelude::*;

use crate::aggregates::time_to_treatment;
use crate::columns::*;
use crate::condition_journey::condition_journeys;
use crate::config::JourneyConfig;
use crate::episodes::episodes;
use crate::error::Result;
use crate::inputs::JourneyInputs;
use crate::timeline::{patient_timeline, timeline_schema};

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

/// Every gold table of this crate, in write order, as `(name, frame)`.
///
/// | name | frame | schema |
/// |---|---|---|
/// | `patient_timeline` | [`patient_timeline`] + `event_year` (`Int32`, UTC year of `event_time`; the partition column) | [`gold_timeline_schema`] |
/// | `episodes` | [`episodes`] | [`episodes_schema`](crate::episodes_schema) |
/// | `condition_journeys` | [`condition_journeys`] | [`condition_journeys_schema`](crate::condition_journeys_schema) |
/// | `time_to_treatment` | [`time_to_treatment`] over `condition_journeys` | [`time_to_treatment_schema`](crate::time_to_treatment_schema) |
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
/// let names: Vec<_> = tables.iter().map(|(n, _)| *n).collect();
/// assert_eq!(names, ["patient_timeline", "episodes", "condition_journeys", "time_to_treatment"]);
/// let timeline = tables[0].1.clone().collect()?;
/// assert_eq!(timeline.column("event_year")?.i32()?.get(0), Some(2024));
/// # Ok(())
/// # }
/// ```
pub fn gold_tables(
    inputs: &JourneyInputs,
    config: &JourneyConfig,
) -> Result<Vec<(&'static str, LazyFrame)>> {
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
        (PATIENT_TIMELINE_TABLE, timeline),
        (EPISODES_TABLE, episodes),
        (CONDITION_JOURNEYS_TABLE, journeys),
        (TIME_TO_TREATMENT_TABLE, ttt),
    ])
}
