//! Per patient × condition journey features.

use medallion_model::expr::{
    AsOfDirection, AsOfJoin, add_days, asof_join, days_between_dates, elapsed_days, stable_sort,
    string_list, typed_null,
};
use polars::prelude::*;
use synthea_schema::columns::{conditions, encounters, medications};

use crate::columns::*;
use crate::config::{ConditionJourneyConfig, JourneyConfig};
use crate::error::Result;
use crate::inputs::{self, JourneyInputs};
use crate::timeline::condition_onsets;

/// Version of the definition of condition journeys (`condition_journeys`),
/// recorded with its gold table. Change it whenever the rows would change for the same
/// inputs.
pub const METRIC_VERSION: &str = "condition-journeys-1";

const MED_CODE: &str = "__med_code";
const MED_DESC: &str = "__med_desc";
const MED_START: &str = "__med_start";
const MED_STOP: &str = "__med_stop";
const MED_ROW: &str = "__med_row";
const MED_REASON: &str = "__med_reason";
const IS_NEW: &str = "__is_new";
const ENC_T: &str = "__enc_t";
const ENC_CUM: &str = "__enc_cum";
const QUERY_T: &str = "__query_t";
const RELATED_T: &str = "__related_t";

/// The output schema of [`condition_journeys`].
pub fn condition_journeys_schema() -> Schema {
    Schema::from_iter([
        Field::new(PATIENT_ID.into(), DataType::String),
        Field::new(CONDITION_CODE.into(), DataType::String),
        Field::new(CONDITION_DESCRIPTION.into(), DataType::String),
        Field::new(DIAGNOSIS_DATE.into(), DataType::Date),
        Field::new(DIAGNOSIS_TIME.into(), utc_datetime()),
        Field::new(DIAGNOSIS_ENCOUNTER_ID.into(), DataType::String),
        Field::new(DIAGNOSIS_COUNT.into(), DataType::Int64),
        Field::new(TREATMENT_MEDICATION_CODE.into(), DataType::String),
        Field::new(TREATMENT_MEDICATION_DESCRIPTION.into(), DataType::String),
        Field::new(TREATMENT_START.into(), utc_datetime()),
        Field::new(TREATMENT_MATCH.into(), DataType::String),
        Field::new(DAYS_TO_MEDICATION.into(), DataType::Float64),
        Field::new(ENCOUNTERS_BEFORE_TREATMENT.into(), DataType::Int64),
        Field::new(ENCOUNTERS_AFTER_TREATMENT.into(), DataType::Int64),
        Field::new(FIRST_INPATIENT_ENCOUNTER_ID.into(), DataType::String),
        Field::new(FIRST_INPATIENT_START.into(), utc_datetime()),
        Field::new(DAYS_TO_FIRST_INPATIENT.into(), DataType::Float64),
        Field::new(JOURNEY_END.into(), utc_datetime()),
        Field::new(JOURNEY_LENGTH_DAYS.into(), DataType::Float64),
        Field::new(RESOLVED_FLAG.into(), DataType::Boolean),
        Field::new(RESOLUTION_DATE.into(), DataType::Date),
        Field::new(DAYS_TO_RESOLUTION.into(), DataType::Int64),
    ])
}

/// First value of `c` in the order of `keys` (within an aggregation).
fn first_by(c: &str, keys: &[&str]) -> Expr {
    col(c)
        .sort_by(
            keys.iter().map(|k| col(*k)).collect::<Vec<_>>(),
            stable_sort(),
        )
        .first()
}

/// The earliest medication per (patient, condition) among `candidates`
/// (columns: patient, condition, med columns), as `__<prefix>_code/_desc/_start`.
fn earliest_medication(candidates: LazyFrame, prefix: &str) -> LazyFrame {
    let keys = [MED_START, MED_CODE, MED_ROW];
    candidates
        .group_by([col(PATIENT_ID), col(CONDITION_CODE)])
        .agg([
            first_by(MED_CODE, &keys).alias(format!("{prefix}_code")),
            first_by(MED_DESC, &keys).alias(format!("{prefix}_desc")),
            first_by(MED_START, &keys).alias(format!("{prefix}_start")),
        ])
}

/// Per patient × condition journey features.
///
/// # Definition
/// For every patient and condition code (optionally restricted to
/// [`ConditionJourneyConfig::condition_codes`](crate::ConditionJourneyConfig::condition_codes)):
///
/// * **First diagnosis**: the condition row with the earliest onset (`start`, anchored to
///   its encounter as on the timeline — see
///   [`patient_timeline`](crate::patient_timeline)); ties by source row. Later diagnoses of
///   the same code only add to `diagnosis_count` — the first one wins.
/// * **Treatment** (first medication after diagnosis; a medication starting before the
///   diagnosis time is never treatment): the earliest medication (by start, code, source
///   row) whose `reason_code` is the condition code and which starts at or after the
///   diagnosis — and, with
///   [`reason_window_days`](crate::ConditionJourneyConfig::reason_window_days) set, within
///   that many days of it (`treatment_match = "reason"`); if there is none, the earliest *new*
///   medication — its code never appears earlier for the patient (ties at that first start
///   count as new) — starting within
///   [`new_medication_window_days`](crate::ConditionJourneyConfig::new_medication_window_days)
///   (default 90) after diagnosis, with no reason code unless
///   [`fallback_requires_no_reason`](crate::ConditionJourneyConfig::fallback_requires_no_reason)
///   is off (`treatment_match = "new_medication"`). No treatment → treatment columns,
///   `days_to_medication` and the encounter counts are null.
/// * **Encounters around treatment start `t`**: `encounters_before_treatment` counts the
///   patient's encounters starting in `[t − before_days, t)`,
///   `encounters_after_treatment` those in `(t, t + after_days]` (defaults 90/90); an
///   encounter starting exactly at `t` (usually the prescribing visit) is in neither.
///   Counted with sorted as-of joins on cumulative counts ([`asof_join`]).
/// * **First inpatient stay**: the first encounter of class
///   [`inpatient_class`](crate::ConditionJourneyConfig::inpatient_class) starting at or
///   after the diagnosis time (ties by encounter id).
/// * **Journey**: from the diagnosis time to the last related event at or after it —
///   onsets and resolutions of the same code, starts and stops of medications whose
///   reason is the code, starts of encounters whose reason is the code.
/// * **Resolution**: `resolution_date` = `stop` of the first diagnosis row;
///   `resolved_flag` = it is not null; `days_to_resolution` = calendar days from
///   `diagnosis_date`.
///
/// Condition rows without patient, code or date are left out. All "days" are fractional
/// days between UTC timestamps except `days_to_resolution` (whole calendar days).
///
/// # Denominator
/// Not a rate: one row per patient × condition (rates are in
/// [`time_to_treatment`](crate::time_to_treatment)).
///
/// # Numerator
/// Not a rate: the features are the measures.
///
/// # Exclusions
/// Condition rows without patient, code or date; codes outside
/// [`condition_codes`](crate::ConditionJourneyConfig::condition_codes) when it is set;
/// medications starting before the diagnosis are never its treatment.
///
/// # Period
/// All data.
///
/// # Output grain
/// One row per patient × condition code, sorted by `patient_id`, `condition_code`.
/// Schema ([`condition_journeys_schema`]):
///
/// | column | dtype | meaning |
/// |---|---|---|
/// | `patient_id` | String | patient |
/// | `condition_code` | String | SNOMED condition code |
/// | `condition_description` | String | description on the first diagnosis |
/// | `diagnosis_date` | Date | `start` of the first diagnosis |
/// | `diagnosis_time` | Datetime(µs, UTC) | anchored onset of the first diagnosis |
/// | `diagnosis_encounter_id` | String | encounter of the first diagnosis |
/// | `diagnosis_count` | Int64 | condition rows with this code |
/// | `treatment_medication_code` | String | RxNorm code of the treatment |
/// | `treatment_medication_description` | String | its description |
/// | `treatment_start` | Datetime(µs, UTC) | its start |
/// | `treatment_match` | String | `reason` or `new_medication` |
/// | `days_to_medication` | Float64 | `treatment_start − diagnosis_time` in days |
/// | `encounters_before_treatment` | Int64 | encounters in `[t − before, t)` |
/// | `encounters_after_treatment` | Int64 | encounters in `(t, t + after]` |
/// | `first_inpatient_encounter_id` | String | first inpatient encounter after diagnosis |
/// | `first_inpatient_start` | Datetime(µs, UTC) | its start |
/// | `days_to_first_inpatient` | Float64 | days from diagnosis to it |
/// | `journey_end` | Datetime(µs, UTC) | last related event |
/// | `journey_length_days` | Float64 | `journey_end − diagnosis_time` in days |
/// | `resolved_flag` | Boolean | first diagnosis has a `stop` |
/// | `resolution_date` | Date | that `stop` |
/// | `days_to_resolution` | Int64 | `resolution_date − diagnosis_date` in days |
///
/// # Parameters/Config
/// `inputs`: encounters, conditions, medications (optional tables unused);
/// `config.timeline.anchor_conditions_to_encounter` (default `true`) and
/// `config.condition` ([`ConditionJourneyConfig`]).
///
/// # Errors
/// Input contract and config errors, Polars planning errors.
///
/// # Example
/// ```
/// use ehr_journey::columns::{date_from_str, utc_timestamp};
/// use ehr_journey::{condition_journeys, JourneyConfig, JourneyInputs};
/// use polars::prelude::*;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let encounters = df!(
///     "patient_id" => ["p1", "p1"], "encounter_id" => ["e1", "e2"],
///     "start" => ["2024-01-01T08:00:00Z", "2024-01-11T08:00:00Z"],
///     "stop" => ["2024-01-01T09:00:00Z", "2024-01-11T09:00:00Z"],
///     "encounter_class" => ["ambulatory", "ambulatory"], "code" => ["c", "c"],
///     "description" => ["d", "d"], "reason_code" => [None::<&str>, Some("59621000")],
/// )?
/// .lazy()
/// .with_columns([utc_timestamp("start"), utc_timestamp("stop")]);
/// let conditions = df!(
///     "patient_id" => ["p1"], "encounter_id" => ["e1"],
///     "start" => ["2024-01-01"], "stop" => [None::<&str>],
///     "code" => ["59621000"], "description" => ["Essential hypertension"],
/// )?
/// .lazy()
/// .with_columns([date_from_str("start"), date_from_str("stop")]);
/// let medications = df!(
///     "patient_id" => ["p1"], "encounter_id" => ["e2"],
///     "start" => ["2024-01-11T08:00:00Z"], "stop" => [None::<&str>],
///     "code" => ["314076"], "description" => ["lisinopril 10 MG"],
///     "reason_code" => ["59621000"],
/// )?
/// .lazy()
/// .with_columns([utc_timestamp("start"), utc_timestamp("stop")]);
///
/// let inputs = JourneyInputs::new(encounters, conditions, medications);
/// let df = condition_journeys(&inputs, &JourneyConfig::default())?.collect()?;
/// assert_eq!(df.column("days_to_medication")?.f64()?.get(0), Some(10.0));
/// assert_eq!(df.column("treatment_match")?.str()?.get(0), Some("reason"));
/// assert_eq!(df.column("encounters_before_treatment")?.i64()?.get(0), Some(1));
/// # Ok(())
/// # }
/// ```
pub fn condition_journeys(inputs: &JourneyInputs, config: &JourneyConfig) -> Result<LazyFrame> {
    config.timeline.validate()?;
    config.condition.validate()?;
    let cfg = &config.condition;
    let mut encounters = inputs.encounters.clone();
    let mut conditions = inputs.conditions.clone();
    let mut medications = inputs.medications.clone();
    inputs::check_encounters(&mut encounters)?;
    inputs::check_conditions(&mut conditions)?;
    inputs::check_medications(&mut medications)?;

    let onsets = selected_onsets(encounters.clone(), conditions, config);
    let dx = first_diagnoses(onsets.clone());
    let dx_keys = dx
        .clone()
        .select([col(PATIENT_ID), col(CONDITION_CODE), col(DIAGNOSIS_TIME)]);
    let meds = medication_starts(medications)?;
    let treated = with_treatment(dx, dx_keys.clone(), meds.clone(), cfg);
    let counts = encounters_around_treatment(treated.clone(), encounters.clone(), cfg)?;
    let first_inpatient = first_inpatient_stay(dx_keys.clone(), encounters.clone(), cfg);
    let journey_end = journey_ends(dx_keys, onsets, meds, encounters)?;
    Ok(assemble(treated, counts, first_inpatient, journey_end))
}

/// Condition onsets (anchored as on the timeline) with patient, code and time, of the
/// configured condition codes; `code` renamed to `condition_code`.
fn selected_onsets(
    encounters: LazyFrame,
    conditions: LazyFrame,
    config: &JourneyConfig,
) -> LazyFrame {
    let mut onsets = condition_onsets(encounters, conditions, &config.timeline).filter(
        col(PATIENT_ID)
            .is_not_null()
            .and(col(CODE).is_not_null())
            .and(col(DIAGNOSIS_TIME).is_not_null()),
    );
    if let Some(codes) = &config.condition.condition_codes {
        onsets = onsets.filter(col(CODE).is_in(string_list(codes), false));
    }
    onsets.rename([CODE], [CONDITION_CODE], true)
}

/// Per patient × condition: the first diagnosis (by onset time, then source row) and
/// the number of diagnoses.
fn first_diagnoses(onsets: LazyFrame) -> LazyFrame {
    let dx_keys = [DIAGNOSIS_TIME, SOURCE_ROW];
    onsets
        .group_by([col(PATIENT_ID), col(CONDITION_CODE)])
        .agg([
            first_by(DESCRIPTION, &dx_keys).alias(CONDITION_DESCRIPTION),
            first_by(conditions::START, &dx_keys).alias(DIAGNOSIS_DATE),
            first_by(DIAGNOSIS_TIME, &dx_keys).alias(DIAGNOSIS_TIME),
            first_by(ENCOUNTER_ID, &dx_keys).alias(DIAGNOSIS_ENCOUNTER_ID),
            len().cast(DataType::Int64).alias(DIAGNOSIS_COUNT),
            first_by(conditions::STOP, &dx_keys).alias(RESOLUTION_DATE),
        ])
}

/// Medications with patient, code and start, in the `__med_*` columns, with their
/// source row and whether the start is the patient's first of that code (`__is_new`).
fn medication_starts(medications: LazyFrame) -> Result<LazyFrame> {
    Ok(medications
        .with_row_index(MED_ROW, None)
        .filter(
            col(PATIENT_ID)
                .is_not_null()
                .and(col(medications::START).is_not_null())
                .and(col(CODE).is_not_null()),
        )
        .select([
            col(PATIENT_ID),
            col(CODE).alias(MED_CODE),
            col(DESCRIPTION).alias(MED_DESC),
            col(medications::START).alias(MED_START),
            col(medications::STOP).alias(MED_STOP),
            col(medications::REASON_CODE).alias(MED_REASON),
            col(MED_ROW).cast(DataType::Int64),
        ])
        .with_column(
            col(MED_START)
                .eq(col(MED_START)
                    .min()
                    .over([col(PATIENT_ID), col(MED_CODE)])?)
                .alias(IS_NEW),
        ))
}

/// The first diagnoses with their treatment: the earliest medication for the condition
/// (by reason code) at or after diagnosis, else the earliest new medication within the
/// window (see [`condition_journeys`]).
fn with_treatment(
    dx: LazyFrame,
    dx_keys: LazyFrame,
    meds: LazyFrame,
    cfg: &ConditionJourneyConfig,
) -> LazyFrame {
    let after_dx = col(MED_START).gt_eq(col(DIAGNOSIS_TIME));
    let within_days = |days: i64| col(MED_START).lt_eq(add_days(col(DIAGNOSIS_TIME), days));
    let reason_ok = match cfg.reason_window_days {
        Some(days) => after_dx.clone().and(within_days(days)),
        None => after_dx.clone(),
    };
    let by_reason = earliest_medication(
        dx_keys
            .clone()
            .join(
                meds.clone(),
                [col(PATIENT_ID), col(CONDITION_CODE)],
                [col(PATIENT_ID), col(MED_REASON)],
                JoinArgs::new(JoinType::Inner),
            )
            .filter(reason_ok),
        "__r",
    );
    let mut new_meds = meds.filter(col(IS_NEW));
    if cfg.fallback_requires_no_reason {
        new_meds = new_meds.filter(col(MED_REASON).is_null());
    }
    let fallback = earliest_medication(
        dx_keys
            .join(
                new_meds,
                [col(PATIENT_ID)],
                [col(PATIENT_ID)],
                JoinArgs::new(JoinType::Inner),
            )
            .filter(after_dx.and(within_days(cfg.new_medication_window_days))),
        "__f",
    );
    let key = [col(PATIENT_ID), col(CONDITION_CODE)];
    let reason_or_fallback = |name: &str| {
        when(col("__r_start").is_not_null())
            .then(col(format!("__r_{name}")))
            .otherwise(col(format!("__f_{name}")))
    };
    dx.join(by_reason, key.clone(), key.clone(), left_many_to_one())
        .join(fallback, key.clone(), key, left_many_to_one())
        .with_columns([
            reason_or_fallback("code").alias(TREATMENT_MEDICATION_CODE),
            reason_or_fallback("desc").alias(TREATMENT_MEDICATION_DESCRIPTION),
            reason_or_fallback("start").alias(TREATMENT_START),
            when(col("__r_start").is_not_null())
                .then(lit("reason"))
                .when(col("__f_start").is_not_null())
                .then(lit("new_medication"))
                .otherwise(typed_null(DataType::String))
                .alias(TREATMENT_MATCH),
        ])
}

/// Per treated patient × condition: encounters starting in `[t − before, t)` and
/// `(t, t + after]` around the treatment start `t`, from as-of joins on the patient's
/// cumulative encounter counts.
fn encounters_around_treatment(
    treated: LazyFrame,
    encounters: LazyFrame,
    cfg: &ConditionJourneyConfig,
) -> Result<LazyFrame> {
    let enc_cum = encounters
        .filter(
            col(PATIENT_ID)
                .is_not_null()
                .and(col(encounters::START).is_not_null()),
        )
        .group_by([col(PATIENT_ID), col(encounters::START).alias(ENC_T)])
        .agg([len().cast(DataType::Int64).alias(ENC_CUM)])
        .sort_by_exprs([col(PATIENT_ID), col(ENC_T)], stable_sort())
        .with_column(
            col(ENC_CUM)
                .cum_sum(false)
                .over([col(PATIENT_ID)])?
                .alias(ENC_CUM),
        );
    // Encounters with start < q (strict) or <= q, for the query time in `QUERY_T`.
    let count_at = |lf: LazyFrame, query: Expr, inclusive: bool, out: &str| {
        let spec = AsOfJoin::new(QUERY_T, ENC_T)
            .with_by([PATIENT_ID])
            .with_allow_exact_matches(inclusive);
        asof_join(lf.with_column(query.alias(QUERY_T)), enc_cum.clone(), &spec)
            .with_column(col(ENC_CUM).fill_null(lit_i64(0)).alias(out))
            .drop(by_name([QUERY_T, ENC_T, ENC_CUM], true, false))
    };
    let t = || col(TREATMENT_START);
    let treated_only = treated
        .select([col(PATIENT_ID), col(CONDITION_CODE), col(TREATMENT_START)])
        .filter(col(TREATMENT_START).is_not_null());
    let counts = count_at(treated_only, t(), false, "__lt_t");
    let before = add_days(t(), -cfg.encounters_before_days);
    let counts = count_at(counts, before, false, "__lt_t_before");
    let after = add_days(t(), cfg.encounters_after_days);
    let counts = count_at(counts, after, true, "__le_t_after");
    Ok(count_at(counts, t(), true, "__le_t").select([
        col(PATIENT_ID),
        col(CONDITION_CODE),
        (col("__lt_t") - col("__lt_t_before")).alias(ENCOUNTERS_BEFORE_TREATMENT),
        (col("__le_t_after") - col("__le_t")).alias(ENCOUNTERS_AFTER_TREATMENT),
    ]))
}

/// Per patient × condition: the first inpatient encounter starting at or after the
/// diagnosis time (ties by encounter id).
fn first_inpatient_stay(
    dx_keys: LazyFrame,
    encounters: LazyFrame,
    cfg: &ConditionJourneyConfig,
) -> LazyFrame {
    let inpatient = encounters
        .filter(
            col(encounters::ENCOUNTER_CLASS)
                .eq(lit(cfg.inpatient_class.as_str()))
                .and(col(PATIENT_ID).is_not_null())
                .and(col(encounters::START).is_not_null()),
        )
        .select([
            col(PATIENT_ID),
            col(ENCOUNTER_ID).alias(FIRST_INPATIENT_ENCOUNTER_ID),
            col(encounters::START).alias(FIRST_INPATIENT_START),
        ])
        .sort_by_exprs(
            [
                col(PATIENT_ID),
                col(FIRST_INPATIENT_START),
                col(FIRST_INPATIENT_ENCOUNTER_ID),
            ],
            stable_sort(),
        );
    asof_join(
        dx_keys,
        inpatient,
        &AsOfJoin::new(DIAGNOSIS_TIME, FIRST_INPATIENT_START)
            .with_by([PATIENT_ID])
            .with_direction(AsOfDirection::Forward),
    )
    .select([
        col(PATIENT_ID),
        col(CONDITION_CODE),
        col(FIRST_INPATIENT_ENCOUNTER_ID),
        col(FIRST_INPATIENT_START),
    ])
}

/// Per patient × condition: the last related event at or after the diagnosis time
/// (onsets and resolutions of the code, starts and stops of medications and starts of
/// encounters whose reason is the code).
fn journey_ends(
    dx_keys: LazyFrame,
    onsets: LazyFrame,
    meds: LazyFrame,
    encounters: LazyFrame,
) -> Result<LazyFrame> {
    let related = |lf: LazyFrame, code: &str, time: Expr| {
        lf.select([
            col(PATIENT_ID),
            col(code).alias(CONDITION_CODE),
            time.alias(RELATED_T),
        ])
    };
    let related_events = concat(
        [
            related(onsets.clone(), CONDITION_CODE, col(DIAGNOSIS_TIME)),
            related(
                onsets,
                CONDITION_CODE,
                date_to_utc_midnight(col(conditions::STOP)),
            ),
            related(meds.clone(), MED_REASON, col(MED_START)),
            related(meds, MED_REASON, col(MED_STOP)),
            related(encounters, encounters::REASON_CODE, col(encounters::START)),
        ],
        UnionArgs::default(),
    )?
    .filter(
        col(RELATED_T)
            .is_not_null()
            .and(col(CONDITION_CODE).is_not_null()),
    );
    let key = [col(PATIENT_ID), col(CONDITION_CODE)];
    Ok(dx_keys
        .join(
            related_events,
            key.clone(),
            key.clone(),
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col(RELATED_T).gt_eq(col(DIAGNOSIS_TIME)))
        .group_by(key)
        .agg([col(RELATED_T).max().alias(JOURNEY_END)]))
}

/// The output rows ([`condition_journeys_schema`]), sorted by patient and condition.
fn assemble(
    treated: LazyFrame,
    counts: LazyFrame,
    first_inpatient: LazyFrame,
    journey_end: LazyFrame,
) -> LazyFrame {
    let key = [col(PATIENT_ID), col(CONDITION_CODE)];
    treated
        .join(counts, key.clone(), key.clone(), left_many_to_one())
        .join(
            first_inpatient,
            key.clone(),
            key.clone(),
            left_many_to_one(),
        )
        .join(journey_end, key.clone(), key, left_many_to_one())
        .with_column(
            when(col(JOURNEY_END).is_null())
                .then(col(DIAGNOSIS_TIME))
                .otherwise(col(JOURNEY_END))
                .alias(JOURNEY_END),
        )
        .select([
            col(PATIENT_ID),
            col(CONDITION_CODE),
            col(CONDITION_DESCRIPTION),
            col(DIAGNOSIS_DATE),
            col(DIAGNOSIS_TIME),
            col(DIAGNOSIS_ENCOUNTER_ID),
            col(DIAGNOSIS_COUNT),
            col(TREATMENT_MEDICATION_CODE),
            col(TREATMENT_MEDICATION_DESCRIPTION),
            col(TREATMENT_START),
            col(TREATMENT_MATCH),
            elapsed_days(col(TREATMENT_START), col(DIAGNOSIS_TIME)).alias(DAYS_TO_MEDICATION),
            col(ENCOUNTERS_BEFORE_TREATMENT),
            col(ENCOUNTERS_AFTER_TREATMENT),
            col(FIRST_INPATIENT_ENCOUNTER_ID),
            col(FIRST_INPATIENT_START),
            elapsed_days(col(FIRST_INPATIENT_START), col(DIAGNOSIS_TIME))
                .alias(DAYS_TO_FIRST_INPATIENT),
            col(JOURNEY_END),
            elapsed_days(col(JOURNEY_END), col(DIAGNOSIS_TIME)).alias(JOURNEY_LENGTH_DAYS),
            col(RESOLUTION_DATE).is_not_null().alias(RESOLVED_FLAG),
            col(RESOLUTION_DATE),
            days_between_dates(col(RESOLUTION_DATE), col(DIAGNOSIS_DATE))
                .cast(DataType::Int64)
                .alias(DAYS_TO_RESOLUTION),
        ])
        .sort_by_exprs([col(PATIENT_ID), col(CONDITION_CODE)], stable_sort())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::test_fixtures::*;

    const HTN: &str = "59621000";

    fn run(enc: &[Enc<'_>], cond: &[Cond<'_>], med: &[Med<'_>]) -> DataFrame {
        condition_journeys(&inputs(enc, cond, med), &JourneyConfig::default())
            .unwrap()
            .collect()
            .unwrap()
    }

    fn dx_visit() -> Enc<'static> {
        (
            "p1",
            "e1",
            "2024-01-01T08:00:00Z",
            Some("2024-01-01T09:00:00Z"),
            "ambulatory",
            None,
        )
    }

    #[test]
    fn medication_before_diagnosis_is_not_treatment() {
        let df = run(
            &[dx_visit()],
            &[("p1", "e1", "2024-01-01", None, HTN)],
            &[("p1", "e0", "2023-12-01T08:00:00Z", None, "rx1", Some(HTN))],
        );
        assert_eq!(strs(&df, TREATMENT_MEDICATION_CODE), [None]);
        assert_eq!(f64s(&df, DAYS_TO_MEDICATION), [None]);
    }

    #[test]
    fn medication_with_reason_code_wins_over_an_earlier_new_medication() {
        let df = run(
            &[dx_visit()],
            &[("p1", "e1", "2024-01-01", None, HTN)],
            &[
                ("p1", "e1", "2024-01-02T08:00:00Z", None, "other", None),
                (
                    "p1",
                    "e1",
                    "2024-01-21T08:00:00Z",
                    None,
                    "rx-htn",
                    Some(HTN),
                ),
            ],
        );
        assert_eq!(strs(&df, TREATMENT_MEDICATION_CODE), [s("rx-htn")]);
        assert_eq!(strs(&df, TREATMENT_MATCH), [s("reason")]);
        assert_eq!(f64s(&df, DAYS_TO_MEDICATION), [Some(20.0)]);
    }

    #[test]
    fn reason_window_days_bounds_the_reason_match() {
        let meds = [(
            "p1",
            "e9",
            "2025-03-01T08:00:00Z",
            None,
            "rx-htn",
            Some(HTN),
        )];
        let cond = [("p1", "e1", "2024-01-01", None, HTN)];
        // Unbounded by default: a prescription 425 days later is the treatment.
        let unbounded = run(&[dx_visit()], &cond, &meds);
        assert_eq!(strs(&unbounded, TREATMENT_MATCH), [s("reason")]);
        let config = JourneyConfig::default().with_condition(
            crate::ConditionJourneyConfig::default().with_reason_window_days(Some(90)),
        );
        let bounded = condition_journeys(&inputs(&[dx_visit()], &cond, &meds), &config)
            .unwrap()
            .collect()
            .unwrap();
        assert_eq!(strs(&bounded, TREATMENT_MATCH), [None]);
        assert_eq!(f64s(&bounded, DAYS_TO_MEDICATION), [None]);
    }

    #[test]
    fn a_negative_reason_window_is_a_config_error() {
        let config = crate::ConditionJourneyConfig::default().with_reason_window_days(Some(-1));
        assert!(config.validate().is_err());
    }

    #[test]
    fn medication_without_reason_code_is_the_first_new_one_within_the_window() {
        let df = run(
            &[dx_visit()],
            &[("p1", "e1", "2024-01-01", None, HTN)],
            &[
                // Had before diagnosis: not new.
                ("p1", "e0", "2023-06-01T08:00:00Z", None, "old", None),
                ("p1", "e1", "2024-01-05T08:00:00Z", None, "old", None),
                // Prescribed for another condition: not this condition's treatment.
                (
                    "p1",
                    "e1",
                    "2024-01-06T08:00:00Z",
                    None,
                    "abx",
                    Some("444814009"),
                ),
                ("p1", "e1", "2024-01-11T08:00:00Z", None, "new", None),
            ],
        );
        assert_eq!(strs(&df, TREATMENT_MEDICATION_CODE), [s("new")]);
        assert_eq!(strs(&df, TREATMENT_MATCH), [s("new_medication")]);
        assert_eq!(f64s(&df, DAYS_TO_MEDICATION), [Some(10.0)]);
    }

    #[test]
    fn new_medication_outside_the_window_is_no_treatment() {
        let df = run(
            &[dx_visit()],
            &[("p1", "e1", "2024-01-01", None, HTN)],
            // 90 days + 1 hour after diagnosis.
            &[("p1", "e2", "2024-03-31T09:00:00Z", None, "late", None)],
        );
        assert_eq!(strs(&df, TREATMENT_MATCH), [None]);
        assert_eq!(f64s(&df, DAYS_TO_MEDICATION), [None]);
        assert_eq!(i64s(&df, ENCOUNTERS_BEFORE_TREATMENT), [None]);
        assert_eq!(i64s(&df, ENCOUNTERS_AFTER_TREATMENT), [None]);
    }

    #[test]
    fn multiple_diagnoses_of_the_same_code_first_one_wins() {
        let df = run(
            &[
                dx_visit(),
                ("p1", "e2", "2024-06-01T08:00:00Z", None, "ambulatory", None),
            ],
            &[
                ("p1", "e2", "2024-06-01", Some("2024-06-11"), HTN),
                ("p1", "e1", "2024-01-01", Some("2024-01-15"), HTN),
            ],
            &[],
        );
        assert_eq!(df.height(), 1);
        assert_eq!(strs(&df, DIAGNOSIS_ENCOUNTER_ID), [s("e1")]);
        assert_eq!(i64s(&df, DIAGNOSIS_COUNT), [Some(2)]);
        assert_eq!(i64s(&df, DAYS_TO_RESOLUTION), [Some(14)]);
        // The later onset and resolution belong to the journey: ends 2024-06-11 00:00.
        assert_eq!(f64s(&df, JOURNEY_LENGTH_DAYS), [Some(162.0 - 8.0 / 24.0)]);
    }

    #[test]
    fn resolution_sets_flag_and_time_to_resolution() {
        let df = run(
            &[
                dx_visit(),
                ("p2", "e9", "2024-01-01T08:00:00Z", None, "ambulatory", None),
            ],
            &[
                ("p1", "e1", "2024-01-01", Some("2024-01-08"), "444814009"),
                ("p2", "e9", "2024-01-01", None, "444814009"),
            ],
            &[],
        );
        let flags: Vec<_> = df
            .column(RESOLVED_FLAG)
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(flags, [Some(true), Some(false)]);
        assert_eq!(i64s(&df, DAYS_TO_RESOLUTION), [Some(7), None]);
    }

    #[test]
    fn encounters_are_counted_in_half_open_windows_around_treatment_start() {
        let t = "2024-04-01T08:00:00Z";
        let df = run(
            &[
                ("p1", "e0", "2024-01-01T08:00:00Z", None, "ambulatory", None), // t − 91 d: out
                ("p1", "e1", "2024-01-02T08:00:00Z", None, "ambulatory", None), // t − 90 d: in
                ("p1", "e2", "2024-03-01T08:00:00Z", None, "ambulatory", None), // before
                ("p1", "e3", t, None, "ambulatory", None),                      // at t: neither
                ("p1", "e4", "2024-06-30T08:00:00Z", None, "ambulatory", None), // t + 90 d: in
                ("p1", "e5", "2024-07-01T08:00:00Z", None, "ambulatory", None), // t + 91 d: out
                ("p2", "e6", "2024-03-01T08:00:00Z", None, "ambulatory", None), // other patient
            ],
            &[("p1", "e1", "2024-01-02", None, HTN)],
            &[("p1", "e3", t, None, "rx", Some(HTN))],
        );
        assert_eq!(i64s(&df, ENCOUNTERS_BEFORE_TREATMENT), [Some(2)]);
        assert_eq!(i64s(&df, ENCOUNTERS_AFTER_TREATMENT), [Some(1)]);
    }

    #[test]
    fn first_inpatient_stay_is_the_first_at_or_after_diagnosis() {
        let df = run(
            &[
                ("p1", "i0", "2023-01-01T08:00:00Z", None, "inpatient", None),
                dx_visit(),
                ("p1", "i2", "2024-02-11T08:00:00Z", None, "inpatient", None),
                ("p1", "i1", "2024-02-01T08:00:00Z", None, "inpatient", None),
            ],
            &[("p1", "e1", "2024-01-01", None, HTN)],
            &[],
        );
        assert_eq!(strs(&df, FIRST_INPATIENT_ENCOUNTER_ID), [s("i1")]);
        assert_eq!(f64s(&df, DAYS_TO_FIRST_INPATIENT), [Some(31.0)]);
    }

    #[test]
    fn condition_journeys_schema_matches_documented_schema() {
        let mut lf = condition_journeys(&inputs(&[], &[], &[]), &JourneyConfig::default()).unwrap();
        assert_eq!(
            lf.collect_schema().unwrap().as_ref(),
            &condition_journeys_schema()
        );
    }
}
