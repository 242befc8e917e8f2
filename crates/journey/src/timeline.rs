//! The unified, ordered per-patient event timeline.

use std::fmt;

use medallion_model::expr::{elapsed_days, stable_sort, string_list, typed_null};
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use synthea_schema::columns::{
    conditions, encounters, immunizations, medications, observations, procedures,
};

use crate::columns::*;
use crate::config::TimelineConfig;
use crate::error::Result;
use crate::inputs::{self, JourneyInputs};

/// Version of the definition of the patient timeline (`patient_timeline`),
/// recorded with its gold table. Change it whenever the rows would change for the same
/// inputs.
pub const METRIC_VERSION: &str = "patient-timeline-1";

/// Internal tiebreak column (event-type rank).
const RANK: &str = "__event_rank";
/// Internal column: start of a condition's diagnosing encounter.
const ENC_START: &str = "__encounter_start";

/// The value set of `event_type`, in tiebreak order (the rank of an event type is its
/// position here, starting at 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    /// `encounter`: an encounter starts (`encounters.start`).
    Encounter,
    /// `condition_onset`: a condition is diagnosed (`conditions.start`, anchored to its
    /// encounter, see [`TimelineConfig::anchor_conditions_to_encounter`]).
    ConditionOnset,
    /// `observation`: a selected observation (`observations.occurred_at`), with `value`.
    Observation,
    /// `procedure`: a procedure starts (`procedures.start`).
    Procedure,
    /// `immunization`: a vaccine is given (`immunizations.occurred_at`).
    Immunization,
    /// `medication_start`: a prescription starts (`medications.start`).
    MedicationStart,
    /// `medication_stop`: a prescription ends (`medications.stop`, when not null).
    MedicationStop,
    /// `condition_resolution`: a condition resolves (`conditions.stop` at midnight UTC,
    /// when not null).
    ConditionResolution,
}

impl EventType {
    /// Every event type, in rank order.
    pub const ALL: [EventType; 8] = [
        Self::Encounter,
        Self::ConditionOnset,
        Self::Observation,
        Self::Procedure,
        Self::Immunization,
        Self::MedicationStart,
        Self::MedicationStop,
        Self::ConditionResolution,
    ];

    /// The `event_type` string, e.g. `"medication_start"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Encounter => "encounter",
            Self::ConditionOnset => "condition_onset",
            Self::Observation => "observation",
            Self::Procedure => "procedure",
            Self::Immunization => "immunization",
            Self::MedicationStart => "medication_start",
            Self::MedicationStop => "medication_stop",
            Self::ConditionResolution => "condition_resolution",
        }
    }

    /// Tiebreak rank (1 = first among events at the same time).
    pub fn rank(self) -> i32 {
        match self {
            Self::Encounter => 1,
            Self::ConditionOnset => 2,
            Self::Observation => 3,
            Self::Procedure => 4,
            Self::Immunization => 5,
            Self::MedicationStart => 6,
            Self::MedicationStop => 7,
            Self::ConditionResolution => 8,
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The output schema of [`patient_timeline`].
pub fn timeline_schema() -> Schema {
    Schema::from_iter([
        Field::new(PATIENT_ID.into(), DataType::String),
        Field::new(EVENT_SEQ.into(), DataType::Int64),
        Field::new(EVENT_TIME.into(), utc_datetime()),
        Field::new(EVENT_TYPE.into(), DataType::String),
        Field::new(CODE.into(), DataType::String),
        Field::new(DESCRIPTION.into(), DataType::String),
        Field::new(ENCOUNTER_ID.into(), DataType::String),
        Field::new(VALUE.into(), DataType::Float64),
        Field::new(SOURCE_ROW.into(), DataType::Int64),
        Field::new(PREV_EVENT_TYPE.into(), DataType::String),
        Field::new(NEXT_EVENT_TYPE.into(), DataType::String),
        Field::new(DAYS_SINCE_PREV.into(), DataType::Float64),
    ])
}

/// One source's events in the common (unsorted) shape, with the internal rank column.
fn events(
    lf: LazyFrame,
    kind: EventType,
    time: Expr,
    value: Expr,
    extra_filter: Option<Expr>,
) -> LazyFrame {
    let lf = lf.with_row_index(SOURCE_ROW, None);
    let lf = match extra_filter {
        Some(f) => lf.filter(f),
        None => lf,
    };
    in_event_shape(lf, kind, time, value)
}

/// Rows of a source that already carries `source_row`, in the common event shape;
/// rows without patient or time are left out.
fn in_event_shape(lf: LazyFrame, kind: EventType, time: Expr, value: Expr) -> LazyFrame {
    lf.select([
        col(PATIENT_ID),
        time.alias(EVENT_TIME),
        lit(kind.as_str()).alias(EVENT_TYPE),
        col(CODE),
        col(DESCRIPTION),
        col(ENCOUNTER_ID),
        value.cast(DataType::Float64).alias(VALUE),
        col(SOURCE_ROW).cast(DataType::Int64),
        lit(kind.rank()).cast(DataType::Int32).alias(RANK),
    ])
    .filter(
        col(PATIENT_ID)
            .is_not_null()
            .and(col(EVENT_TIME).is_not_null()),
    )
}

/// Conditions with `source_row` (row index in the silver table) and the anchored onset
/// time in [`DIAGNOSIS_TIME`]. Columns: `patient_id`, `encounter_id`, `code`,
/// `description`, `start`, `stop`, `source_row`, `diagnosis_time`. Row order preserved.
pub(crate) fn condition_onsets(
    encounters: LazyFrame,
    conditions: LazyFrame,
    config: &TimelineConfig,
) -> LazyFrame {
    let conditions = conditions
        .with_row_index(SOURCE_ROW, None)
        .with_column(col(SOURCE_ROW).cast(DataType::Int64));
    let midnight = date_to_utc_midnight(col(conditions::START));
    let base = [
        col(PATIENT_ID),
        col(ENCOUNTER_ID),
        col(CODE),
        col(DESCRIPTION),
        col(conditions::START),
        col(conditions::STOP),
        col(SOURCE_ROW),
    ];
    if !config.anchor_conditions_to_encounter {
        let mut cols = base.to_vec();
        cols.push(midnight.alias(DIAGNOSIS_TIME));
        return conditions.select(cols);
    }
    let encounter_starts = encounters
        .select([col(ENCOUNTER_ID), col(encounters::START)])
        .filter(
            col(ENCOUNTER_ID)
                .is_not_null()
                .and(col(encounters::START).is_not_null()),
        )
        .group_by([col(ENCOUNTER_ID)])
        .agg([col(encounters::START).min().alias(ENC_START)]);
    let day_gap = (col(ENC_START).dt().date().cast(DataType::Int32)
        - col(conditions::START).cast(DataType::Int32))
    .abs();
    let anchored = when(col(ENC_START).is_not_null().and(day_gap.lt_eq(lit(1i32))))
        .then(col(ENC_START))
        .otherwise(midnight);
    let mut cols = base.to_vec();
    cols.push(anchored.alias(DIAGNOSIS_TIME));
    conditions
        .join(
            encounter_starts,
            [col(ENCOUNTER_ID)],
            [col(ENCOUNTER_ID)],
            left_many_to_one(),
        )
        .select(cols)
}

/// All selected events of every input, unsorted, with the internal rank column.
fn all_events(inputs: &JourneyInputs, config: &TimelineConfig) -> Result<LazyFrame> {
    config.validate()?;
    let mut parts = required_events(inputs, config)?;
    parts.extend(optional_events(inputs, config)?);
    Ok(concat(parts, UnionArgs::default())?)
}

/// Events of the three required tables: encounters, condition onsets and resolutions,
/// medication starts and stops.
fn required_events(inputs: &JourneyInputs, config: &TimelineConfig) -> Result<Vec<LazyFrame>> {
    let mut encounters = inputs.encounters.clone();
    let mut conditions = inputs.conditions.clone();
    let mut medications = inputs.medications.clone();
    inputs::check_encounters(&mut encounters)?;
    inputs::check_conditions(&mut conditions)?;
    inputs::check_medications(&mut medications)?;
    let no_value = || typed_null(DataType::Float64);
    let onsets = condition_onsets(encounters.clone(), conditions.clone(), config);
    Ok(vec![
        events(
            encounters,
            EventType::Encounter,
            col(encounters::START),
            no_value(),
            None,
        ),
        in_event_shape(
            onsets,
            EventType::ConditionOnset,
            col(DIAGNOSIS_TIME),
            no_value(),
        ),
        events(
            conditions,
            EventType::ConditionResolution,
            date_to_utc_midnight(col(conditions::STOP)),
            no_value(),
            None,
        ),
        events(
            medications.clone(),
            EventType::MedicationStart,
            col(medications::START),
            no_value(),
            None,
        ),
        events(
            medications,
            EventType::MedicationStop,
            col(medications::STOP),
            no_value(),
            None,
        ),
    ])
}

/// Events of the optional tables that are present: procedures, immunizations and the
/// configured observations.
fn optional_events(inputs: &JourneyInputs, config: &TimelineConfig) -> Result<Vec<LazyFrame>> {
    let no_value = || typed_null(DataType::Float64);
    let mut parts = Vec::new();
    if let Some(p) = &inputs.procedures {
        let mut p = p.clone();
        inputs::check_procedures(&mut p)?;
        parts.push(events(
            p,
            EventType::Procedure,
            col(procedures::START),
            no_value(),
            None,
        ));
    }
    if let Some(i) = &inputs.immunizations {
        let mut i = i.clone();
        inputs::check_immunizations(&mut i)?;
        parts.push(events(
            i,
            EventType::Immunization,
            col(immunizations::OCCURRED_AT),
            no_value(),
            None,
        ));
    }
    if let Some(o) = &inputs.observations {
        let mut o = o.clone();
        inputs::check_observations(&mut o)?;
        parts.push(events(
            o,
            EventType::Observation,
            col(observations::OCCURRED_AT),
            col(observations::VALUE_NUMERIC),
            Some(col(CODE).is_in(string_list(&config.observation_codes), false)),
        ));
    }
    Ok(parts)
}

/// The unified per-patient event timeline.
///
/// # Definition
/// One row per clinical event of the silver inputs (see [`JourneyInputs`]):
///
/// | `event_type` | source | `event_time` | `value` |
/// |---|---|---|---|
/// | `encounter` | encounters | `start` | null |
/// | `condition_onset` | conditions | `start`, anchored to its encounter (below) | null |
/// | `observation` | observations whose `code` is in [`TimelineConfig::observation_codes`] | `occurred_at` | `value_numeric` |
/// | `procedure` | procedures (optional) | `start` | null |
/// | `immunization` | immunizations (optional) | `occurred_at` | null |
/// | `medication_start` | medications | `start` | null |
/// | `medication_stop` | medications with non-null `stop` | `stop` | null |
/// | `condition_resolution` | conditions with non-null `stop` | `stop` at 00:00 UTC | null |
///
/// Condition dates are date-only. With [`TimelineConfig::anchor_conditions_to_encounter`]
/// (default) the onset takes the start timestamp of its diagnosing encounter when that
/// encounter starts within one calendar day of the condition date (Synthea writes these
/// dates in the generator's local zone while timestamps are UTC, so the two can differ by
/// a day), else midnight UTC of the date.
///
/// Rows without `patient_id` or without an event time are left out (they cannot be
/// placed on a timeline); no other row is dropped or deduplicated.
///
/// **Order** (stable, total): `patient_id`, `event_time`, event-type rank
/// ([`EventType::rank`], the order of the table above), `code` (nulls last), `source_row`
/// (row index in the source table). `event_seq` numbers the patient's events 1..n in that
/// order; `prev_event_type`, `next_event_type` and `days_since_prev` are window functions
/// over the same order.
///
/// # Denominator
/// Not a rate.
///
/// # Numerator
/// Not a rate: one row per event.
///
/// # Exclusions
/// Rows without `patient_id` or event time; observations whose code is not in
/// [`TimelineConfig::observation_codes`]; optional tables that are absent.
///
/// # Period
/// All data.
///
/// # Output grain
/// One row per event; sorted as above. Schema ([`timeline_schema`]):
///
/// | column | dtype | meaning |
/// |---|---|---|
/// | `patient_id` | String | patient |
/// | `event_seq` | Int64 | 1-based position in the patient's timeline |
/// | `event_time` | Datetime(µs, UTC) | when the event happened |
/// | `event_type` | String | [`EventType`] value |
/// | `code` | String | SNOMED / RxNorm / CVX / LOINC code of the event |
/// | `description` | String | description of `code` |
/// | `encounter_id` | String | encounter of the event (the encounter itself for `encounter`) |
/// | `value` | Float64 | observation value; null for other events |
/// | `source_row` | Int64 | 0-based row index in the source table |
/// | `prev_event_type` | String | type of the previous event (null for the first) |
/// | `next_event_type` | String | type of the next event (null for the last) |
/// | `days_since_prev` | Float64 | fractional days since the previous event (null for the first) |
///
/// # Parameters/Config
/// `inputs`: the silver tables; `config`: [`TimelineConfig`] (observation codes,
/// condition anchoring).
///
/// # Errors
/// [`Error::Silver`](crate::Error::Silver) for inputs that do not match the silver
/// contract, [`Error::InvalidConfig`](crate::Error::InvalidConfig), Polars planning
/// errors.
///
/// # Example
/// ```
/// use ehr_journey::columns::{date_from_str, utc_timestamp};
/// use ehr_journey::{patient_timeline, JourneyInputs, TimelineConfig};
/// use polars::prelude::*;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let encounters = df!(
///     "patient_id" => ["p1"], "encounter_id" => ["e1"],
///     "start" => ["2024-01-01T08:00:00Z"], "stop" => ["2024-01-01T09:00:00Z"],
///     "encounter_class" => ["ambulatory"], "code" => ["185345009"],
///     "description" => ["Encounter for symptom"], "reason_code" => [None::<&str>],
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
///     "patient_id" => ["p1"], "encounter_id" => ["e1"],
///     "start" => ["2024-01-01T08:00:00Z"], "stop" => [None::<&str>],
///     "code" => ["314076"], "description" => ["lisinopril 10 MG"],
///     "reason_code" => ["59621000"],
/// )?
/// .lazy()
/// .with_columns([utc_timestamp("start"), utc_timestamp("stop")]);
///
/// let inputs = JourneyInputs::new(encounters, conditions, medications);
/// let timeline = patient_timeline(&inputs, &TimelineConfig::default())?.collect()?;
/// // All three events happen at 08:00; the tiebreak orders them by event type.
/// let types: Vec<_> = timeline.column("event_type")?.str()?.iter().flatten().collect();
/// assert_eq!(types, ["encounter", "condition_onset", "medication_start"]);
/// # Ok(())
/// # }
/// ```
pub fn patient_timeline(inputs: &JourneyInputs, config: &TimelineConfig) -> Result<LazyFrame> {
    let sorted = all_events(inputs, config)?.sort_by_exprs(
        [
            col(PATIENT_ID),
            col(EVENT_TIME),
            col(RANK),
            col(CODE),
            col(SOURCE_ROW),
        ],
        stable_sort(),
    );
    let by = [col(PATIENT_ID)];
    Ok(sorted.select([
        col(PATIENT_ID),
        int_range(
            lit_i64(1),
            len().cast(DataType::Int64) + lit_i64(1),
            1,
            DataType::Int64,
        )
        .over(by.clone())?
        .alias(EVENT_SEQ),
        col(EVENT_TIME),
        col(EVENT_TYPE),
        col(CODE),
        col(DESCRIPTION),
        col(ENCOUNTER_ID),
        col(VALUE),
        col(SOURCE_ROW),
        col(EVENT_TYPE)
            .shift(lit(1))
            .over(by.clone())?
            .alias(PREV_EVENT_TYPE),
        col(EVENT_TYPE)
            .shift(lit(-1))
            .over(by.clone())?
            .alias(NEXT_EVENT_TYPE),
        elapsed_days(col(EVENT_TIME), col(EVENT_TIME).shift(lit(1)))
            .over(by)?
            .alias(DAYS_SINCE_PREV),
    ]))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;
    use crate::test_fixtures::*;

    #[test]
    fn ties_in_time_are_ordered_by_event_type_rank_then_code_then_source_row() {
        let t = "2024-03-01T10:00:00Z";
        let inputs = inputs(
            &[(
                "p1",
                "e1",
                t,
                Some("2024-03-01T11:00:00Z"),
                "ambulatory",
                None,
            )],
            &[("p1", "e1", "2024-03-01", None, "59621000")],
            &[
                ("p1", "e1", t, None, "b-drug", None),
                ("p1", "e1", t, None, "a-drug", None),
                ("p1", "e1", t, None, "a-drug", None),
            ],
        );
        let df = patient_timeline(&inputs, &TimelineConfig::default())
            .unwrap()
            .collect()
            .unwrap();
        let got: Vec<_> = strs(&df, EVENT_TYPE)
            .into_iter()
            .zip(strs(&df, CODE))
            .zip(i64s(&df, SOURCE_ROW))
            .map(|((t, c), r)| (t.unwrap(), c.unwrap(), r.unwrap()))
            .collect();
        let expected = [
            ("encounter", "185349003", 0),
            ("condition_onset", "59621000", 0),
            ("medication_start", "a-drug", 1),
            ("medication_start", "a-drug", 2),
            ("medication_start", "b-drug", 0),
        ];
        let expected: Vec<_> = expected
            .iter()
            .map(|(t, c, r)| (t.to_string(), c.to_string(), *r))
            .collect();
        assert_eq!(got, expected);
        assert_eq!(i64s(&df, EVENT_SEQ), [1, 2, 3, 4, 5].map(Some));
        assert_eq!(
            f64s(&df, DAYS_SINCE_PREV),
            [None, Some(0.0), Some(0.0), Some(0.0), Some(0.0)]
        );
        assert_eq!(strs(&df, PREV_EVENT_TYPE)[0], None);
        assert_eq!(strs(&df, NEXT_EVENT_TYPE)[0], s("condition_onset"));
        assert_eq!(strs(&df, NEXT_EVENT_TYPE)[4], None);
    }

    #[test]
    fn condition_onset_anchors_to_its_encounter_or_falls_back_to_midnight() {
        let inputs = inputs(
            &[
                ("p1", "e1", "2024-03-01T10:00:00Z", None, "ambulatory", None),
                ("p1", "e2", "2024-05-01T10:00:00Z", None, "ambulatory", None),
            ],
            &[
                // Same day as e1: anchored to 10:00.
                ("p1", "e1", "2024-03-01", Some("2024-03-20"), "c1"),
                // e2 is two months later: midnight UTC of the condition date.
                ("p1", "e2", "2024-03-05", None, "c2"),
            ],
            &[],
        );
        let df = patient_timeline(&inputs, &TimelineConfig::default())
            .unwrap()
            .filter(col(EVENT_TYPE).neq(lit("encounter")))
            .select([col(EVENT_TYPE), col(EVENT_TIME).cast(DataType::String)])
            .collect()
            .unwrap();
        assert_eq!(
            strs(&df, EVENT_TYPE),
            [
                s("condition_onset"),
                s("condition_onset"),
                s("condition_resolution")
            ]
        );
        assert_eq!(
            strs(&df, EVENT_TIME),
            [
                s("2024-03-01 10:00:00.000000+00:00"),
                s("2024-03-05 00:00:00.000000+00:00"),
                s("2024-03-20 00:00:00.000000+00:00")
            ]
        );
        // Without anchoring the first onset is at midnight as well.
        let config = TimelineConfig::default().with_anchor_conditions_to_encounter(false);
        let df = patient_timeline(&inputs, &config)
            .unwrap()
            .filter(col(EVENT_TYPE).eq(lit("condition_onset")))
            .select([col(EVENT_TIME).cast(DataType::String)])
            .collect()
            .unwrap();
        assert_eq!(
            strs(&df, EVENT_TIME)[0],
            s("2024-03-01 00:00:00.000000+00:00")
        );
    }

    #[test]
    fn observations_are_filtered_by_loinc_list_and_carry_their_value() {
        let obs = df!(
            "patient_id" => ["p1", "p1"], "encounter_id" => ["e1", "e1"],
            "occurred_at" => ["2024-03-01T10:00:00Z", "2024-03-01T10:00:00Z"],
            "code" => ["39156-5", "8867-4"], "description" => ["BMI", "Heart rate"],
            "value_numeric" => [31.5, 80.0],
        )
        .unwrap()
        .lazy()
        .with_column(crate::columns::utc_timestamp(observations::OCCURRED_AT));
        let inputs = inputs(&[], &[], &[]).with_observations(obs);
        let df = patient_timeline(&inputs, &TimelineConfig::default())
            .unwrap()
            .collect()
            .unwrap();
        assert_eq!(strs(&df, CODE), [s("39156-5")]);
        assert_eq!(f64s(&df, VALUE), [Some(31.5)]);
    }

    #[test]
    fn timeline_schema_matches_documented_schema() {
        let mut lf = patient_timeline(&inputs(&[], &[], &[]), &TimelineConfig::default()).unwrap();
        assert_eq!(lf.collect_schema().unwrap().as_ref(), &timeline_schema());
    }

    #[test]
    fn missing_input_column_is_a_typed_error() {
        let mut inputs = inputs(&[], &[], &[]);
        let reason = medications::REASON_CODE;
        inputs.medications = inputs.medications.drop(by_name([reason], true, false));
        let Err(err) = patient_timeline(&inputs, &TimelineConfig::default()) else {
            panic!("expected an error")
        };
        assert!(
            matches!(
                &err,
                crate::Error::Silver(synthea_schema::Error::SilverContract {
                    table: synthea_schema::TableKind::Medications,
                    column,
                    found: None,
                    ..
                }) if column == reason
            ),
            "{err}"
        );
    }

    fn ts(day: u32, hour: u32) -> String {
        format!(
            "2024-{:02}-{:02}T{hour:02}:00:00Z",
            1 + day / 28,
            1 + day % 28
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn timeline_row_count_is_sum_of_selected_rows_and_sequence_is_gapless(
            enc in prop::collection::vec((0u8..3, 0u32..60, 0u32..3), 0..12),
            meds in prop::collection::vec((0u8..3, 0u32..60, 0u32..3, any::<bool>()), 0..12),
            conds in prop::collection::vec((0u8..3, 0u32..60, any::<bool>()), 0..8),
        ) {
            let pid = |p: u8| format!("p{p}");
            let enc_rows: Vec<(String, String, String)> = enc.iter().enumerate()
                .map(|(i, (p, d, h))| (pid(*p), format!("e{i}"), ts(*d, *h))).collect();
            let med_rows: Vec<(String, String, Option<String>)> = meds.iter()
                .map(|(p, d, h, stop)| (pid(*p), ts(*d, *h), stop.then(|| ts(*d + 5, *h)))).collect();
            let cond_rows: Vec<(String, String, Option<String>)> = conds.iter()
                .map(|(p, d, stop)| (pid(*p), ts(*d, 0)[..10].to_string(), stop.then(|| ts(*d + 9, 0)[..10].to_string()))).collect();
            let e: Vec<Enc<'_>> = enc_rows.iter().map(|(p, id, t)| (p.as_str(), id.as_str(), t.as_str(), None, "ambulatory", None)).collect();
            let m: Vec<Med<'_>> = med_rows.iter().map(|(p, t, stop)| (p.as_str(), "e0", t.as_str(), stop.as_deref(), "rx", None)).collect();
            let c: Vec<Cond<'_>> = cond_rows.iter().map(|(p, d, stop)| (p.as_str(), "e0", d.as_str(), stop.as_deref(), "c")).collect();
            let expected = e.len() + m.len() + m.iter().filter(|r| r.3.is_some()).count()
                + c.len() + c.iter().filter(|r| r.3.is_some()).count();
            let df = patient_timeline(&inputs(&e, &c, &m), &TimelineConfig::default())
                .unwrap().collect().unwrap();
            prop_assert_eq!(df.height(), expected);
            let check = df.lazy().group_by([col(PATIENT_ID)]).agg([
                col(EVENT_SEQ).min().alias("min"),
                col(EVENT_SEQ).max().alias("max"),
                len().cast(DataType::Int64).alias("n"),
                col(EVENT_SEQ).n_unique().cast(DataType::Int64).alias("distinct"),
                (micros(col(EVENT_TIME)).diff(lit(1), Default::default()).min()).alias("min_step"),
            ]).collect().unwrap();
            for i in 0..check.height() {
                let n = check.column("n").unwrap().i64().unwrap().get(i);
                prop_assert_eq!(check.column("min").unwrap().i64().unwrap().get(i), Some(1));
                prop_assert_eq!(check.column("max").unwrap().i64().unwrap().get(i), n);
                prop_assert_eq!(check.column("distinct").unwrap().i64().unwrap().get(i), n);
                let step = check.column("min_step").unwrap().i64().unwrap().get(i);
                prop_assert!(step.is_none_or(|s| s >= 0), "time went backwards: {step:?}");
            }
        }
    }
}
