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

/// Version of [`latency_by_condition`] (gold `diagnosis_latency_by_condition`): the
/// version of the row-level definition ([`METRIC_VERSION`]) it aggregates, then that of
/// the aggregation. Change it whenever either changes.
pub const BY_CONDITION_METRIC_VERSION: &str = "diagnosis-latency-2/by-condition-1";

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
/// Over the non-null `latency_days` of a condition, sorted ascending as x₀ ≤ … ≤ xₙ₋₁,
/// the p-quantile is the **linear interpolation between closest ranks** (Hyndman & Fan
/// type 7, the default of R, NumPy and Polars): with h = (n − 1)·p,
/// q(p) = x⌊h⌋ + (h − ⌊h⌋)·(x⌊h⌋₊₁ − x⌊h⌋) (just x⌊h⌋ when h is whole). The median is
/// q(0.5) (the mean of the two middle values for even n) and p90 is q(0.9). Both depend
/// only on the multiset of values, never on row order, so they are deterministic; ties
/// need no rule.
///
/// # Denominator
/// First occurrences of the condition (`patients`).
///
/// # Numerator
/// First occurrences with a qualifying encounter, i.e. a non-null latency
/// (`with_encounter`).
///
/// # Exclusions
/// Null latencies (no qualifying encounter in the look-back window) are excluded from the
/// median and p90; a condition whose latencies are all null has both null.
///
/// # Period
/// That of the input.
///
/// # Output grain
/// One row per `condition_code`:
///
/// | column | dtype | meaning |
/// |---|---|---|
/// | condition_code | String | SNOMED code |
/// | patients | UInt32 | first occurrences |
/// | with_encounter | UInt32 | first occurrences with a latency |
/// | median_latency_days | Float64 | q(0.5); null without any latency |
/// | p90_latency_days | Float64 | q(0.9); null without any latency |
///
/// # Example
/// ```
/// use ehr_quality_metrics::latency::latency_by_condition;
/// use polars::prelude::*;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let l = df!("condition_code" => ["c", "c", "c"], "latency_days" => [Some(0i32), Some(10), None])?.lazy();
/// let out = latency_by_condition(l)?.collect()?;
/// // h = 1 · 0.5 → 0 + 0.5 · 10; p90: h = 0.9 → 0 + 0.9 · 10.
/// assert_eq!(out.column("median_latency_days")?.f64()?.get(0), Some(5.0));
/// assert_eq!(out.column("p90_latency_days")?.f64()?.get(0), Some(9.0));
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
                .quantile(lit(0.5), QuantileMethod::Linear)
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

    fn by_condition(rows: &[(&str, Option<i32>)]) -> DataFrame {
        let latency = df!(
            CONDITION_CODE => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            "latency_days" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        )
        .unwrap()
        .lazy();
        latency_by_condition(latency).unwrap().collect().unwrap()
    }

    fn f64s(df: &DataFrame, name: &str) -> Vec<Option<f64>> {
        df.column(name).unwrap().f64().unwrap().iter().collect()
    }

    fn u32s(df: &DataFrame, name: &str) -> Vec<Option<u32>> {
        df.column(name).unwrap().u32().unwrap().iter().collect()
    }

    #[test]
    fn latency_percentiles_interpolate_linearly_between_closest_ranks() {
        // Sorted 0, 10, 20, 30: median h = 1.5 → 15; p90 h = 2.7 → 20 + 0.7 · 10.
        let out = by_condition(&[
            ("c", Some(30)),
            ("c", Some(0)),
            ("c", Some(20)),
            ("c", Some(10)),
        ]);
        assert_eq!(f64s(&out, "median_latency_days"), [Some(15.0)]);
        let p90 = f64s(&out, "p90_latency_days")[0].unwrap();
        assert!((p90 - 27.0).abs() < 1e-9, "p90 {p90}");
    }

    #[test]
    fn latency_percentiles_of_tied_values_are_that_value() {
        let out = by_condition(&[
            ("c", Some(4)),
            ("c", Some(4)),
            ("c", Some(4)),
            ("d", Some(7)),
        ]);
        assert_eq!(strs(&out, CONDITION_CODE), ["c", "d"]);
        assert_eq!(f64s(&out, "median_latency_days"), [Some(4.0), Some(7.0)]);
        assert_eq!(f64s(&out, "p90_latency_days"), [Some(4.0), Some(7.0)]);
    }

    #[test]
    fn latency_percentiles_skip_nulls_and_are_null_when_every_latency_is_null() {
        let out = by_condition(&[
            ("c", None),
            ("c", Some(2)),
            ("c", None),
            ("c", Some(4)),
            ("e", None),
            ("e", None),
        ]);
        assert_eq!(strs(&out, CONDITION_CODE), ["c", "e"]);
        assert_eq!(u32s(&out, "patients"), [Some(4), Some(2)]);
        assert_eq!(u32s(&out, "with_encounter"), [Some(2), Some(0)]);
        assert_eq!(f64s(&out, "median_latency_days"), [Some(3.0), None]);
        assert_eq!(f64s(&out, "p90_latency_days")[1], None);
    }

    #[test]
    fn latency_by_condition_of_no_rows_is_empty() {
        let out = by_condition(&[]);
        assert_eq!(out.height(), 0);
        assert_eq!(out.schema().as_ref(), &latency_by_condition_schema());
    }

    #[test]
    fn by_condition_metric_version_names_the_row_level_version() {
        assert!(BY_CONDITION_METRIC_VERSION.starts_with(&format!("{METRIC_VERSION}/")));
    }

    /// Type-7 quantile of `values` (sorted), the reference of the documented definition.
    fn type7(sorted: &[f64], p: f64) -> f64 {
        let h = (sorted.len() - 1) as f64 * p;
        let lo = h.floor() as usize;
        let hi = (lo + 1).min(sorted.len() - 1);
        sorted[lo] + (h - h.floor()) * (sorted[hi] - sorted[lo])
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::default()
        })]

        #[test]
        fn latency_percentiles_match_type7_and_ignore_row_order(
            values in proptest::collection::vec(proptest::option::of(0i32..=90), 0..40),
        ) {
            let rows: Vec<(&str, Option<i32>)> = values.iter().map(|v| ("c", *v)).collect();
            let reversed: Vec<_> = rows.iter().rev().copied().collect();
            let out = by_condition(&rows);
            proptest::prop_assert_eq!(&out, &by_condition(&reversed));
            let mut sorted: Vec<f64> = values.iter().flatten().map(|v| f64::from(*v)).collect();
            sorted.sort_by(f64::total_cmp);
            if rows.is_empty() {
                proptest::prop_assert_eq!(out.height(), 0);
            } else if sorted.is_empty() {
                proptest::prop_assert_eq!(f64s(&out, "median_latency_days"), [None]);
            } else {
                let median = f64s(&out, "median_latency_days")[0].unwrap();
                let p90 = f64s(&out, "p90_latency_days")[0].unwrap();
                proptest::prop_assert!((median - type7(&sorted, 0.5)).abs() < 1e-9);
                proptest::prop_assert!((p90 - type7(&sorted, 0.9)).abs() < 1e-9);
                proptest::prop_assert!(sorted[0] <= median && median <= p90);
                proptest::prop_assert!(p90 <= sorted[sorted.len() - 1]);
            }
        }
    }
}
