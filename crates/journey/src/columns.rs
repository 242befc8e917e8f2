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

medallion_model::documented_columns! {
    /// Event time, `Datetime(µs, UTC)`.
    EVENT_TIME = "event_time";
    /// Event type, one of the [`EventType`](crate::timeline::EventType) values.
    EVENT_TYPE = "event_type";
    /// 1-based position of the event in its patient's timeline.
    EVENT_SEQ = "event_seq";
    /// Numeric value of the event (observations), null otherwise.
    VALUE = "value";
    /// 0-based row index of the event's row in its source table (last tiebreak).
    SOURCE_ROW = "source_row";
    /// Event type of the patient's previous event (null for the first).
    PREV_EVENT_TYPE = "prev_event_type";
    /// Event type of the patient's next event (null for the last).
    NEXT_EVENT_TYPE = "next_event_type";
    /// Days (fractional) since the patient's previous event (null for the first).
    DAYS_SINCE_PREV = "days_since_prev";
    /// Calendar year (UTC) of `event_time`, a column of gold `patient_timeline`.
    EVENT_YEAR = "event_year";

    // ----- episode output columns -----------------------------------------------------------

    /// Deterministic episode id: `"<patient_id>:<episode_seq>"`.
    EPISODE_ID = "episode_id";
    /// 1-based episode number within the patient.
    EPISODE_SEQ = "episode_seq";
    /// Effective end of an encounter: the later of `start` and `stop`.
    ENCOUNTER_END = "encounter_end";
    /// Earliest encounter start of the episode.
    EPISODE_START = "episode_start";
    /// Latest encounter end of the episode.
    EPISODE_END = "episode_end";
    /// Fractional days from episode start to end.
    EPISODE_LENGTH_DAYS = "episode_length_days";
    /// Number of encounters in the episode.
    ENCOUNTER_COUNT = "encounter_count";
    /// Encounters of the episode whose class is not in the configured class list (or null).
    OTHER_CLASS_COUNT = "other_class_count";

    // ----- condition journey output columns -------------------------------------------------

    /// SNOMED code of the condition.
    CONDITION_CODE = "condition_code";
    /// Description of the condition (from the first diagnosis row).
    CONDITION_DESCRIPTION = "condition_description";
    /// Calendar date of the first diagnosis (condition `start`).
    DIAGNOSIS_DATE = "diagnosis_date";
    /// Timestamp of the first diagnosis (anchored to its encounter, see the timeline docs).
    DIAGNOSIS_TIME = "diagnosis_time";
    /// Encounter of the first diagnosis.
    DIAGNOSIS_ENCOUNTER_ID = "diagnosis_encounter_id";
    /// Number of condition rows of this patient and code.
    DIAGNOSIS_COUNT = "diagnosis_count";
    /// RxNorm code of the first medication after diagnosis.
    TREATMENT_MEDICATION_CODE = "treatment_medication_code";
    /// Description of that medication.
    TREATMENT_MEDICATION_DESCRIPTION = "treatment_medication_description";
    /// Start of that medication.
    TREATMENT_START = "treatment_start";
    /// How the treatment was found: `reason` or `new_medication`.
    TREATMENT_MATCH = "treatment_match";
    /// Fractional days from diagnosis to treatment start.
    DAYS_TO_MEDICATION = "days_to_medication";
    /// Encounters in the window before treatment start.
    ENCOUNTERS_BEFORE_TREATMENT = "encounters_before_treatment";
    /// Encounters in the window after treatment start.
    ENCOUNTERS_AFTER_TREATMENT = "encounters_after_treatment";
    /// First inpatient encounter starting at or after diagnosis.
    FIRST_INPATIENT_ENCOUNTER_ID = "first_inpatient_encounter_id";
    /// Start of that encounter.
    FIRST_INPATIENT_START = "first_inpatient_start";
    /// Fractional days from diagnosis to that encounter.
    DAYS_TO_FIRST_INPATIENT = "days_to_first_inpatient";
    /// Last event related to the condition.
    JOURNEY_END = "journey_end";
    /// Fractional days from diagnosis to the last related event.
    JOURNEY_LENGTH_DAYS = "journey_length_days";
    /// Whether the first diagnosis has a resolution (condition `stop`).
    RESOLVED_FLAG = "resolved_flag";
    /// Resolution date (condition `stop`) of the first diagnosis.
    RESOLUTION_DATE = "resolution_date";
    /// Calendar days from diagnosis date to resolution date.
    DAYS_TO_RESOLUTION = "days_to_resolution";

    // ----- aggregate output columns ---------------------------------------------------------

    /// Patients with the condition.
    PATIENTS = "patients";
    /// Patients with a treatment.
    TREATED_PATIENTS = "treated_patients";
    /// `treated_patients / patients`.
    TREATED_SHARE = "treated_share";
    /// Patients whose first diagnosis is resolved.
    RESOLVED_PATIENTS = "resolved_patients";
    /// Mean of `days_to_medication` over treated patients.
    MEAN_DAYS_TO_MEDICATION = "mean_days_to_medication";
    /// Median of `days_to_medication` over treated patients.
    MEDIAN_DAYS_TO_MEDICATION = "median_days_to_medication";
    /// 90th percentile (linear interpolation) of `days_to_medication`.
    P90_DAYS_TO_MEDICATION = "p90_days_to_medication";
    /// Mean of `journey_length_days` over all patients with the condition.
    MEAN_JOURNEY_LENGTH_DAYS = "mean_journey_length_days";
    /// Mean of `encounters_before_treatment` over treated patients.
    MEAN_ENCOUNTERS_BEFORE_TREATMENT = "mean_encounters_before_treatment";
    /// Mean of `encounters_after_treatment` over treated patients.
    MEAN_ENCOUNTERS_AFTER_TREATMENT = "mean_encounters_after_treatment";

    // ----- rolling counts -------------------------------------------------------------------

    /// Default output column of [`crate::windows::rolling_event_counts`].
    ROLLING_COUNT = "rolling_count";
}

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
