//! Gold output column names of this crate and small helpers for its timestamps.
//!
//! Input names are the canonical silver names of [`synthea_schema::columns`];
//! transforms never spell a column as a string literal.

use medallion_model::expr::join_args;
use polars::prelude::*;

// ----- silver input columns -------------------------------------------------------------

// Silver input columns are `synthea_schema::columns` (one constant per table and column,
// checked against the silver schema); modules import the table-qualified constants.
// The four columns that every silver event table has keep their names on the timeline
// (and in the other outputs), so they are re-exported here.
pub use synthea_schema::columns::encounters::{CODE, DESCRIPTION, ENCOUNTER_ID, PATIENT_ID};

// ----- timeline output columns ----------------------------------------------------------

/// Event time, `Datetime(µs, UTC)`.
pub const EVENT_TIME: &str = "event_time";
/// Event type, one of the [`EventType`](crate::timeline::EventType) values.
pub const EVENT_TYPE: &str = "event_type";
/// 1-based position of the event in its patient's timeline.
pub const EVENT_SEQ: &str = "event_seq";
/// Numeric value of the event (observations), null otherwise.
pub const VALUE: &str = "value";
/// 0-based row index of the event's row in its source table (last tiebreak).
pub const SOURCE_ROW: &str = "source_row";
/// Event type of the patient's previous event (null for the first).
pub const PREV_EVENT_TYPE: &str = "prev_event_type";
/// Event type of the patient's next event (null for the last).
pub const NEXT_EVENT_TYPE: &str = "next_event_type";
/// Days (fractional) since the patient's previous event (null for the first).
pub const DAYS_SINCE_PREV: &str = "days_since_prev";
/// Calendar year (UTC) of `event_time`, a column of gold `patient_timeline`.
pub const EVENT_YEAR: &str = "event_year";

// ----- episode output columns -----------------------------------------------------------

/// Deterministic episode id: `"<patient_id>:<episode_seq>"`.
pub const EPISODE_ID: &str = "episode_id";
/// 1-based episode number within the patient.
pub const EPISODE_SEQ: &str = "episode_seq";
/// Effective end of an encounter: the later of `start` and `stop`.
pub const ENCOUNTER_END: &str = "encounter_end";
/// Earliest encounter start of the episode.
pub const EPISODE_START: &str = "episode_start";
/// Latest encounter end of the episode.
pub const EPISODE_END: &str = "episode_end";
/// Fractional days from episode start to end.
pub const EPISODE_LENGTH_DAYS: &str = "episode_length_days";
/// Number of encounters in the episode.
pub const ENCOUNTER_COUNT: &str = "encounter_count";
/// Encounters of the episode whose class is not in the configured class list (or null).
pub const OTHER_CLASS_COUNT: &str = "other_class_count";

// ----- condition journey output columns -------------------------------------------------

/// SNOMED code of the condition.
pub const CONDITION_CODE: &str = "condition_code";
/// Description of the condition (from the first diagnosis row).
pub const CONDITION_DESCRIPTION: &str = "condition_description";
/// Calendar date of the first diagnosis (condition `start`).
pub const DIAGNOSIS_DATE: &str = "diagnosis_date";
/// Timestamp of the first diagnosis (anchored to its encounter, see the timeline docs).
pub const DIAGNOSIS_TIME: &str = "diagnosis_time";
/// Encounter of the first diagnosis.
pub const DIAGNOSIS_ENCOUNTER_ID: &str = "diagnosis_encounter_id";
/// Number of condition rows of this patient and code.
pub const DIAGNOSIS_COUNT: &str = "diagnosis_count";
/// RxNorm code of the first medication after diagnosis.
pub const TREATMENT_MEDICATION_CODE: &str = "treatment_medication_code";
/// Description of that medication.
pub const TREATMENT_MEDICATION_DESCRIPTION: &str = "treatment_medication_description";
/// Start of that medication.
pub const TREATMENT_START: &str = "treatment_start";
/// How the treatment was found: `reason` or `new_medication`.
pub const TREATMENT_MATCH: &str = "treatment_match";
/// Fractional days from diagnosis to treatment start.
pub const DAYS_TO_MEDICATION: &str = "days_to_medication";
/// Encounters in the window before treatment start.
pub const ENCOUNTERS_BEFORE_TREATMENT: &str = "encounters_before_treatment";
/// Encounters in the window after treatment start.
pub const ENCOUNTERS_AFTER_TREATMENT: &str = "encounters_after_treatment";
/// First inpatient encounter starting at or after diagnosis.
pub const FIRST_INPATIENT_ENCOUNTER_ID: &str = "first_inpatient_encounter_id";
/// Start of that encounter.
pub const FIRST_INPATIENT_START: &str = "first_inpatient_start";
/// Fractional days from diagnosis to that encounter.
pub const DAYS_TO_FIRST_INPATIENT: &str = "days_to_first_inpatient";
/// Last event related to the condition.
pub const JOURNEY_END: &str = "journey_end";
/// Fractional days from diagnosis to the last related event.
pub const JOURNEY_LENGTH_DAYS: &str = "journey_length_days";
/// Whether the first diagnosis has a resolution (condition `stop`).
pub const RESOLVED_FLAG: &str = "resolved_flag";
/// Resolution date (condition `stop`) of the first diagnosis.
pub const RESOLUTION_DATE: &str = "resolution_date";
/// Calendar days from diagnosis date to resolution date.
pub const DAYS_TO_RESOLUTION: &str = "days_to_resolution";

// ----- aggregate output columns ---------------------------------------------------------

/// Patients with the condition.
pub const PATIENTS: &str = "patients";
/// Patients with a treatment.
pub const TREATED_PATIENTS: &str = "treated_patients";
/// `treated_patients / patients`.
pub const TREATED_SHARE: &str = "treated_share";
/// Patients whose first diagnosis is resolved.
pub const RESOLVED_PATIENTS: &str = "resolved_patients";
/// Mean of `days_to_medication` over treated patients.
pub const MEAN_DAYS_TO_MEDICATION: &str = "mean_days_to_medication";
/// Median of `days_to_medication` over treated patients.
pub const MEDIAN_DAYS_TO_MEDICATION: &str = "median_days_to_medication";
/// 90th percentile (linear interpolation) of `days_to_medication`.
pub const P90_DAYS_TO_MEDICATION: &str = "p90_days_to_medication";
/// Mean of `journey_length_days` over all patients with the condition.
pub const MEAN_JOURNEY_LENGTH_DAYS: &str = "mean_journey_length_days";
/// Mean of `encounters_before_treatment` over treated patients.
pub const MEAN_ENCOUNTERS_BEFORE_TREATMENT: &str = "mean_encounters_before_treatment";
/// Mean of `encounters_after_treatment` over treated patients.
pub const MEAN_ENCOUNTERS_AFTER_TREATMENT: &str = "mean_encounters_after_treatment";

// ----- rolling counts -------------------------------------------------------------------

/// Default output column of [`crate::windows::rolling_event_counts`].
pub const ROLLING_COUNT: &str = "rolling_count";

// ----- dtypes and helpers ---------------------------------------------------------------

/// Microseconds per day.
pub(crate) const MICROS_PER_DAY: i64 = 86_400_000_000;

/// The silver timestamp dtype, `Datetime(µs, UTC)` (re-exported from `synthea-schema`).
pub use synthea_schema::spec::utc_datetime;

/// Parse a string column holding Synthea timestamps (`2019-02-17T05:07:38Z`) into the
/// silver dtype `Datetime(µs, UTC)`; malformed values become null. Handy for fixtures.
///
/// ```
/// use ehr_journey::columns::{utc_datetime, utc_timestamp};
/// use polars::prelude::*;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let df = df!("start" => ["2024-01-01T08:00:00Z"])?
///     .lazy()
///     .with_column(utc_timestamp("start"))
///     .collect()?;
/// assert_eq!(df.column("start")?.dtype(), &utc_datetime());
/// # Ok(())
/// # }
/// ```
pub fn utc_timestamp(column: &str) -> Expr {
    col(column)
        .str()
        .to_datetime(
            Some(TimeUnit::Microseconds),
            Some(TimeZone::UTC),
            StrptimeOptions {
                format: Some("%Y-%m-%dT%H:%M:%SZ".into()),
                strict: false,
                ..Default::default()
            },
            lit("raise"),
        )
        .alias(column)
}

/// Parse a string column of `YYYY-MM-DD` dates into `Date`; malformed values become null.
pub fn date_from_str(column: &str) -> Expr {
    col(column)
        .str()
        .to_date(StrptimeOptions {
            format: Some("%Y-%m-%d".into()),
            strict: false,
            ..Default::default()
        })
        .alias(column)
}

/// Microseconds since the epoch of a `Datetime(µs, …)` expression, as `Int64`.
pub(crate) fn micros(e: Expr) -> Expr {
    e.cast(DataType::Int64)
}

/// A `Date` expression as midnight UTC, `Datetime(µs, UTC)`.
pub(crate) fn date_to_utc_midnight(e: Expr) -> Expr {
    (e.cast(DataType::Int32).cast(DataType::Int64) * lit(MICROS_PER_DAY)).cast(utc_datetime())
}

/// `Int64` literal (plain `lit(i64)` may materialize as a smaller int type).
pub(crate) fn lit_i64(v: i64) -> Expr {
    lit(v).cast(DataType::Int64)
}

/// Left join arguments that keep the left row order and fail on a right-side fan-out.
pub(crate) fn left_many_to_one() -> JoinArgs {
    let mut args = join_args(JoinType::Left, JoinValidation::ManyToOne);
    args.maintain_order = MaintainOrderJoin::Left;
    args
}
