//! Encounter-to-diagnosis latency: days from the first qualifying encounter to the first
//! diagnosis of a condition, and its median and 90th percentile per condition.

use medallion_model::expr::{
    AsOfDirection, AsOfJoin, asof_join, epoch_day, stable_sort, string_list, typed_null,
};
use polars::prelude::*;
use synthea_schema::TableKind;
use synthea_schema::columns::conditions::{CODE, ENCOUNTER_ID, PATIENT_ID, START};
use synthea_schema::columns::{encounters, require};

use crate::columns::*;
use crate::config::LatencyConfig;
use crate::error::Result;

/// Version of the definition of encounter-to-diagnosis latency (`diagnosis_latency`),
/// recorded with its gold tables. Change it whenever the rows would change for the same
/// inputs.
pub const METRIC_VERSION: &str = "diagnosis-latency-2";

/// Inputs of [`diagnosis_latency`].
#[derive(Clone)]
pub struct LatencyInputs {
    /// Silver `conditions`.
    pub conditions: LazyFrame,
    /// Silver `encounters`.
    pub encounters: LazyFrame,
}

/// Output schema of [`diagnosis_latency`].
pub fn latency_schema() -> Schema {
    Schema::from_iter([
        Field::new(PATIENT_ID.into(), DataType::String),
        Field::new(CONDITION_CODE.into(), DataType::String),
        Field::new("diagnosis_date".into(), DataType::Date),
        Field::new("first_encounter_date".into(), DataType::Date),
        Field::new("latency_days".into(), DataType::Int32),
    ])
}

/// Days from the encounter at which each condition of each patient was first worked up
/// to its first diagnosis.
///
/// # Definition
/// For each patient's first occurrence of a condition code (minimum `start`):
///
/// 1. **Diagnosed at its own encounter.** If the condition row's own encounter (joined by
///    `conditions.encounter_id` = `encounters.encounter_id`) exists and its class is not
///    in [`LatencyConfig::excluded_encounter_classes`] (wellness by default), the latency
///    is 0, whatever the dates: encounter times are UTC and condition dates local, so an
///    evening emergency visit can fall on the next UTC day. When several rows share the
///    first date, one such row is enough.
/// 2. **Otherwise** (own encounter is a wellness visit, or unknown): the earliest
///    encounter of the patient whose class is not excluded with `start_date` in
///    [diagnosis − [`LatencyConfig::lookback_days`], diagnosis] (both inclusive);
///    latency = diagnosis date − that encounter's date. Encounters after the diagnosis
///    date never count; null when there is none. Implemented with a forward as-of join
///    by patient on explicitly sorted inputs.
///
/// # Denominator
/// First occurrences (patient × condition code).
///
/// # Numerator
/// Not a rate; `latency_days` is the measure.
///
/// # Exclusions
/// Conditions with a null start or patient; excluded encounter classes (they neither
/// make the latency 0 nor start the look-back).
///
/// # Period
/// All data.
///
/// # Output grain
/// One row per (`patient_id`, `condition_code`):
///
/// | column | dtype | meaning |
/// |---|---|---|
/// | patient_id, condition_code | String | grain |
/// | diagnosis_date | Date | first occurrence |
/// | first_encounter_date | Date | the condition's own encounter's date under rule 1, else the first qualifying encounter in the window |
/// | latency_days | Int32 | 0 under rule 1, else diagnosis − encounter date; null when none |
///
/// # Example
/// ```
/// use ehr_quality_metrics::prelude::*;
/// use polars::prelude::*;
/// use synthea_schema::normalize::{NormalizeConfig, normalize};
/// use synthea_schema::{SyntheaVersion, TableKind};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let n = |t, raw: DataFrame| normalize(t, SyntheaVersion::V3Latest, raw.lazy(), &NormalizeConfig::default());
/// let encounters = n(TableKind::Encounters, df!(
///     "Id" => ["w", "a"], "PATIENT" => ["p", "p"], "ENCOUNTERCLASS" => ["wellness", "ambulatory"],
///     "START" => ["2020-01-01T09:00:00Z", "2020-01-10T09:00:00Z"],
/// )?)?;
/// let conditions = n(TableKind::Conditions, df!(
///     "PATIENT" => ["p"], "CODE" => ["44054006"], "START" => ["2020-02-01"],
/// )?)?;
/// let out = diagnosis_latency(LatencyInputs { conditions, encounters }, &LatencyConfig::default())?
///     .collect()?;
/// assert_eq!(out.column("latency_days")?.i32()?.get(0), Some(22));
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// Invalid config, missing or mistyped input columns.
pub fn diagnosis_latency(inputs: LatencyInputs, config: &LatencyConfig) -> Result<LazyFrame> {
    config.validate()?;
    let LatencyInputs {
        mut conditions,
        mut encounters,
    } = inputs;
    require(
        TableKind::Conditions,
        &mut conditions,
        &[PATIENT_ID, ENCOUNTER_ID, CODE, START],
    )?;
    require(
        TableKind::Encounters,
        &mut encounters,
        &[
            encounters::ENCOUNTER_ID,
            encounters::PATIENT_ID,
            encounters::ENCOUNTER_CLASS,
            encounters::START_DATE,
        ],
    )?;
    let qualifying = col(encounters::ENCOUNTER_CLASS)
        .is_in(string_list(&config.excluded_encounter_classes), false)
        .not()
        .or(col(encounters::ENCOUNTER_CLASS).is_null());
    // The condition's own encounter: `__own` is true when it exists and qualifies.
    let own = encounters
        .clone()
        .filter(col(encounters::ENCOUNTER_ID).is_not_null())
        .group_by([col(encounters::ENCOUNTER_ID)])
        .agg([
            qualifying.clone().any(false).alias("__own"),
            epoch_day(col(encounters::START_DATE))
                .min()
                .alias("__own_visit"),
        ]);
    let first = conditions
        .filter(col(START).is_not_null().and(col(PATIENT_ID).is_not_null()))
        .join(
            own,
            [col(ENCOUNTER_ID)],
            [col(encounters::ENCOUNTER_ID)],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(col("__own").fill_null(lit(false)))
        .group_by([col(PATIENT_ID), col(CODE)])
        .agg([
            col(START).min().alias("diagnosis_date"),
            col("__own")
                .filter(col(START).eq(col(START).min()))
                .any(false)
                .alias("__own"),
            col("__own_visit")
                .filter(col(START).eq(col(START).min()).and(col("__own")))
                .min()
                .alias("__own_visit"),
        ])
        .with_column(epoch_day(col("diagnosis_date")).alias("__dx"))
        .with_column((col("__dx") - lit(config.lookback_days)).alias("__from"));
    let visits = encounters
        .filter(qualifying)
        .select([
            col(encounters::PATIENT_ID),
            epoch_day(col(encounters::START_DATE)).alias("__visit"),
        ])
        .drop_nulls(None)
        .unique_stable(None, UniqueKeepStrategy::First);
    let first_visit = AsOfJoin::new("__from", "__visit")
        .with_by([PATIENT_ID])
        .with_direction(AsOfDirection::Forward);
    let out = asof_join(first, visits, &first_visit)
        .with_column(
            when(col("__visit").lt_eq(col("__dx")))
                .then(col("__visit"))
                .otherwise(typed_null(DataType::Int32))
                .alias("__visit"),
        )
        .select([
            col(PATIENT_ID),
            col(CODE).alias(CONDITION_CODE),
            col("diagnosis_date"),
            when(col("__own"))
                .then(col("__own_visit"))
                .otherwise(col("__visit"))
                .cast(DataType::Date)
                .alias("first_encounter_date"),
            when(col("__own"))
                .then(lit(0i32))
                .otherwise((col("__dx") - col("__visit")).cast(DataType::Int32))
                .cast(DataType::Int32)
                .alias("latency_days"),
        ])
        .sort([PATIENT_ID, CONDITION_CODE], stable_sort());
    Ok(out)
}

/// Output schema of [`latency_by_condition`].
pub fn latency_by_condition_schema() -> Schema {
    Schema::from_iter([
        Field::new(CONDITION_CODE.into(), DataType::String),
        Field::new("patients".into(), DataType::UInt32),
        Field::new("with_encounter".into(), DataType::UInt32),
        Field::new("median_latency_days".into(), DataType::Float64),
        Field::new("p90_latency_days".into(), DataType::Float64),
    ])
}

/// Median and 90th percentile latency per condition from [`diagnosis_latency`].
///
/// # Definition
/// Median and p90 (linear interpolation) of `latency_days` over first occurrences that
/// have a qualifying encounter.
///
/// # Denominator
/// First occurrences of the condition (`patients`).
///
/// # Numerator
/// First occurrences with a qualifying encounter (`with_encounter`).
///
/// # Exclusions
/// Null latencies are excluded from the median / p90.
///
/// # Period
/// That of the input.
///
/// # Output grain
/// One row per `condition_code`: `patients`, `with_encounter` (UInt32),
/// `median_latency_days`, `p90_latency_days` (Float64).
///
/// # Example
/// ```
/// use ehr_quality_metrics::latency::latency_by_condition;
/// use polars::prelude::*;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let l = df!("condition_code" => ["c", "c", "c"], "latency_days" => [Some(0i32), Some(10), None])?.lazy();
/// let out = latency_by_condition(l)?.collect()?;
/// assert_eq!(out.column("median_latency_days")?.f64()?.get(0), Some(5.0));
/// assert_eq!(out.column("with_encounter")?.u32()?.get(0), Some(2));
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// Polars errors while building the plan.
pub fn latency_by_condition(latency: LazyFrame) -> Result<LazyFrame> {
    Ok(latency
        .group_by([col(CONDITION_CODE)])
        .agg([
            len().cast(DataType::UInt32).alias("patients"),
            col("latency_days")
                .count()
                .cast(DataType::UInt32)
                .alias("with_encounter"),
            col("latency_days")
                .cast(DataType::Float64)
                .median()
                .alias("median_latency_days"),
            col("latency_days")
                .cast(DataType::Float64)
                .quantile(lit(0.9), QuantileMethod::Linear)
                .alias("p90_latency_days"),
        ])
        .sort([CONDITION_CODE], stable_sort()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::testkit::*;

    #[test]
    fn latency_counts_from_first_visit_in_window_or_null_outside_window() {
        let enc = encounters(&[
            // p: diagnosed at an ambulatory visit the same day → 0
            Enc::new(
                "a",
                "p",
                "h",
                "ambulatory",
                "2020-05-01T09:00:00Z",
                "2020-05-01T10:00:00Z",
            ),
            // q: emergency 90 days before (inside), wellness earlier; diagnosed at a
            // wellness visit
            Enc::new(
                "wq",
                "q",
                "h",
                "wellness",
                "2020-05-01T09:00:00Z",
                "2020-05-01T10:00:00Z",
            ),
            Enc::new(
                "w",
                "q",
                "h",
                "wellness",
                "2020-01-01T09:00:00Z",
                "2020-01-01T10:00:00Z",
            ),
            Enc::new(
                "e",
                "q",
                "h",
                "emergency",
                "2020-02-01T09:00:00Z",
                "2020-02-01T10:00:00Z",
            ),
            // r: visit 91 days before (outside), wellness on the day
            Enc::new(
                "x",
                "r",
                "h",
                "ambulatory",
                "2020-01-31T09:00:00Z",
                "2020-01-31T10:00:00Z",
            ),
            Enc::new(
                "y",
                "r",
                "h",
                "wellness",
                "2020-05-01T09:00:00Z",
                "2020-05-01T10:00:00Z",
            ),
        ]);
        let conds = conditions(&[
            ("p", "a", "2020-05-01", "c1"),
            ("p", "a", "2021-05-01", "c1"), // later occurrence ignored
            ("q", "wq", "2020-05-01", "c1"),
            ("r", "y", "2020-05-01", "c1"),
        ]);
        let lf = diagnosis_latency(
            LatencyInputs {
                conditions: conds,
                encounters: enc,
            },
            &LatencyConfig::default(),
        )
        .unwrap();
        assert_eq!(lf.clone().schema_big(), latency_schema());
        let df = lf.clone().collect_big();
        assert_eq!(strs(&df, PATIENT_ID), ["p", "q", "r"]);
        let l: Vec<_> = df
            .column("latency_days")
            .unwrap()
            .i32()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(l, [Some(0), Some(90), None]);
        let agg = latency_by_condition(lf).unwrap();
        assert_eq!(agg.clone().schema_big(), latency_by_condition_schema());
        let agg = agg.collect_big();
        assert_eq!(
            agg.column("median_latency_days")
                .unwrap()
                .f64()
                .unwrap()
                .get(0),
            Some(45.0)
        );
        assert_eq!(
            agg.column("patients").unwrap().u32().unwrap().get(0),
            Some(3)
        );
    }

    fn latency_of(enc: &[Enc], conds: &[(&str, &str, &str, &str)]) -> Vec<Option<i32>> {
        let df = diagnosis_latency(
            LatencyInputs {
                conditions: conditions(conds),
                encounters: encounters(enc),
            },
            &LatencyConfig::default(),
        )
        .unwrap()
        .collect_big();
        df.column("latency_days")
            .unwrap()
            .i32()
            .unwrap()
            .iter()
            .collect()
    }

    #[test]
    fn condition_diagnosed_at_its_own_non_wellness_encounter_has_latency_zero() {
        // An evening emergency visit (local 2017-10-27) starts 2017-10-28T02:36Z: the
        // condition recorded at it is diagnosed there → 0, not null.
        let l = latency_of(
            &[Enc::new(
                "e",
                "p",
                "h",
                "emergency",
                "2017-10-28T02:36:00Z",
                "2017-10-28T04:00:00Z",
            )],
            &[("p", "e", "2017-10-27", "c1")],
        );
        assert_eq!(l, [Some(0)]);
    }

    #[test]
    fn condition_at_wellness_visit_ignores_encounters_after_its_start_date() {
        // Diagnosed at a wellness visit; the only other visit is the next day → null.
        let l = latency_of(
            &[
                Enc::new(
                    "w",
                    "p",
                    "h",
                    "wellness",
                    "2020-05-01T09:00:00Z",
                    "2020-05-01T10:00:00Z",
                ),
                Enc::new(
                    "a",
                    "p",
                    "h",
                    "ambulatory",
                    "2020-05-02T09:00:00Z",
                    "2020-05-02T10:00:00Z",
                ),
            ],
            &[("p", "w", "2020-05-01", "c1")],
        );
        assert_eq!(l, [None]);
    }
}
