//! Aggregates of condition journeys by condition ("time to treatment" dashboard).

use medallion_model::expr::{ordered_mean, ratio};
use polars::prelude::*;

use crate::columns::*;
use crate::config::AggregateConfig;
use crate::error::Result;

/// Version of the definition of the time-to-treatment aggregates (`time_to_treatment`),
/// recorded with its gold table. Change it whenever the rows would change for the same
/// inputs.
pub const METRIC_VERSION: &str = "time-to-treatment-1";

/// The output schema of [`time_to_treatment`].
pub fn time_to_treatment_schema() -> Schema {
    Schema::from_iter([
        Field::new(CONDITION_CODE.into(), DataType::String),
        Field::new(CONDITION_DESCRIPTION.into(), DataType::String),
        Field::new(PATIENTS.into(), DataType::Int64),
        Field::new(TREATED_PATIENTS.into(), DataType::Int64),
        Field::new(TREATED_SHARE.into(), DataType::Float64),
        Field::new(RESOLVED_PATIENTS.into(), DataType::Int64),
        Field::new(MEAN_DAYS_TO_MEDICATION.into(), DataType::Float64),
        Field::new(MEDIAN_DAYS_TO_MEDICATION.into(), DataType::Float64),
        Field::new(P90_DAYS_TO_MEDICATION.into(), DataType::Float64),
        Field::new(MEAN_JOURNEY_LENGTH_DAYS.into(), DataType::Float64),
        Field::new(MEAN_ENCOUNTERS_BEFORE_TREATMENT.into(), DataType::Float64),
        Field::new(MEAN_ENCOUNTERS_AFTER_TREATMENT.into(), DataType::Float64),
    ])
}

/// Time to treatment and journey length by condition.
///
/// # Definition
/// Groups the rows of [`condition_journeys`](crate::condition_journeys) (one per patient ×
/// condition) by `condition_code`. `patients` counts distinct patients; `treated_patients`
/// those with a `treatment_start`; `treated_share` = treated / patients;
/// `resolved_patients` those with `resolved_flag`. Time-to-medication statistics and
/// encounter means are over treated patients only (nulls are skipped); the p90 uses linear
/// interpolation; `mean_journey_length_days` is over all patients. Statistics of a
/// condition without treated patients are null. `condition_description` is the smallest
/// description seen for the code (deterministic when versions word it differently).
/// Conditions with fewer than [`AggregateConfig::min_patients`] patients are left out.
///
/// # Denominator
/// `patients` (distinct patients with the condition), for `treated_share`.
///
/// # Numerator
/// `treated_patients` (patients with a treatment start).
///
/// # Exclusions
/// Conditions with fewer than [`AggregateConfig::min_patients`] patients; untreated
/// patients are left out of the time-to-medication and encounter statistics.
///
/// # Period
/// That of the input journeys (all data).
///
/// # Output grain
/// One row per condition code, sorted by `patients` descending, then `condition_code`.
/// Schema ([`time_to_treatment_schema`]):
///
/// | column | dtype | meaning |
/// |---|---|---|
/// | `condition_code` | String | SNOMED condition code |
/// | `condition_description` | String | description |
/// | `patients` | Int64 | patients with the condition |
/// | `treated_patients` | Int64 | patients with a treatment |
/// | `treated_share` | Float64 | `treated_patients / patients` |
/// | `resolved_patients` | Int64 | patients whose first diagnosis resolved |
/// | `mean_days_to_medication` | Float64 | mean days diagnosis → treatment |
/// | `median_days_to_medication` | Float64 | median of the same |
/// | `p90_days_to_medication` | Float64 | 90th percentile of the same |
/// | `mean_journey_length_days` | Float64 | mean journey length |
/// | `mean_encounters_before_treatment` | Float64 | mean encounters in the pre-treatment window |
/// | `mean_encounters_after_treatment` | Float64 | mean encounters in the post-treatment window |
///
/// Means are summed in ascending order of their values
/// ([`ordered_mean`]), and medians and percentiles
/// sort: the same journeys in any row order give bit-identical aggregates.
///
/// # Parameters/Config
/// `journeys`: output of [`condition_journeys`](crate::condition_journeys);
/// `config`: [`AggregateConfig`] (`min_patients`, default 1).
///
/// # Errors
/// [`Error::MissingColumn`](crate::Error::MissingColumn) when `journeys` lacks a column;
/// Polars planning errors.
///
/// # Example
/// ```
/// use ehr_journey::{time_to_treatment, AggregateConfig};
/// use polars::prelude::*;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let journeys = df!(
///     "patient_id" => ["p1", "p2", "p3"],
///     "condition_code" => ["44054006", "44054006", "44054006"],
///     "condition_description" => ["Diabetes", "Diabetes", "Diabetes"],
///     "treatment_start" => [Some(1i64), Some(2), None],
///     "days_to_medication" => [Some(0.0), Some(10.0), None],
///     "journey_length_days" => [100.0, 200.0, 0.0],
///     "encounters_before_treatment" => [Some(1i64), Some(3), None],
///     "encounters_after_treatment" => [Some(2i64), Some(2), None],
///     "resolved_flag" => [false, false, true],
/// )?;
/// let df = time_to_treatment(journeys.lazy(), &AggregateConfig::default())?.collect()?;
/// assert_eq!(df.column("patients")?.i64()?.get(0), Some(3));
/// assert_eq!(df.column("treated_patients")?.i64()?.get(0), Some(2));
/// assert_eq!(df.column("median_days_to_medication")?.f64()?.get(0), Some(5.0));
/// assert_eq!(df.column("mean_journey_length_days")?.f64()?.get(0), Some(100.0));
/// # Ok(())
/// # }
/// ```
pub fn time_to_treatment(journeys: LazyFrame, config: &AggregateConfig) -> Result<LazyFrame> {
    let mut journeys = journeys;
    let schema = journeys.collect_schema()?;
    for name in [
        PATIENT_ID,
        CONDITION_CODE,
        CONDITION_DESCRIPTION,
        TREATMENT_START,
        DAYS_TO_MEDICATION,
        JOURNEY_LENGTH_DAYS,
        ENCOUNTERS_BEFORE_TREATMENT,
        ENCOUNTERS_AFTER_TREATMENT,
        RESOLVED_FLAG,
    ] {
        if schema.get(name).is_none() {
            return Err(crate::Error::MissingColumn {
                table: "condition_journeys",
                column: name.to_string(),
                found: schema.iter_names().map(|n| n.to_string()).collect(),
            });
        }
    }
    let f64_of = |c: &str| col(c).cast(DataType::Float64);
    Ok(journeys
        .group_by([col(CONDITION_CODE)])
        .agg([
            col(CONDITION_DESCRIPTION)
                .min()
                .alias(CONDITION_DESCRIPTION),
            col(PATIENT_ID)
                .n_unique()
                .cast(DataType::Int64)
                .alias(PATIENTS),
            col(TREATMENT_START)
                .is_not_null()
                .and(col(PATIENT_ID).is_not_null())
                .then_unique_patients(),
            col(RESOLVED_FLAG)
                .fill_null(lit(false))
                .and(col(PATIENT_ID).is_not_null())
                .filter_patients(RESOLVED_PATIENTS),
            ordered_mean(col(DAYS_TO_MEDICATION)).alias(MEAN_DAYS_TO_MEDICATION),
            f64_of(DAYS_TO_MEDICATION)
                .median()
                .alias(MEDIAN_DAYS_TO_MEDICATION),
            f64_of(DAYS_TO_MEDICATION)
                .quantile(lit(0.9), QuantileMethod::Linear)
                .alias(P90_DAYS_TO_MEDICATION),
            ordered_mean(col(JOURNEY_LENGTH_DAYS)).alias(MEAN_JOURNEY_LENGTH_DAYS),
            ordered_mean(col(ENCOUNTERS_BEFORE_TREATMENT)).alias(MEAN_ENCOUNTERS_BEFORE_TREATMENT),
            ordered_mean(col(ENCOUNTERS_AFTER_TREATMENT)).alias(MEAN_ENCOUNTERS_AFTER_TREATMENT),
        ])
        .filter(col(PATIENTS).gt_eq(lit_i64(i64::from(config.min_patients))))
        .with_column(ratio(col(TREATED_PATIENTS), col(PATIENTS)).alias(TREATED_SHARE))
        .sort_by_exprs(
            [col(PATIENTS), col(CONDITION_CODE)],
            SortMultipleOptions::default()
                .with_order_descending_multi([true, false])
                .with_maintain_order(true),
        )
        .select(
            time_to_treatment_schema()
                .iter_names()
                .map(|n| col(n.clone()))
                .collect::<Vec<_>>(),
        ))
}

/// Distinct patients among the rows where a boolean expression holds.
trait PatientFilter {
    fn filter_patients(self, name: &str) -> Expr;
    fn then_unique_patients(self) -> Expr;
}

impl PatientFilter for Expr {
    fn filter_patients(self, name: &str) -> Expr {
        col(PATIENT_ID)
            .filter(self)
            .n_unique()
            .cast(DataType::Int64)
            .alias(name)
    }
    fn then_unique_patients(self) -> Expr {
        self.filter_patients(TREATED_PATIENTS)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;

    /// Journeys of one condition with the given days to medication (fractional, so a
    /// float sum depends on the order of its terms), in the given row order.
    fn journeys(days: &[f64], order: &[usize]) -> LazyFrame {
        let n = order.len();
        let pick = |i: usize| days[order[i]];
        df!(
            PATIENT_ID => (0..n).map(|i| format!("p{}", order[i])).collect::<Vec<_>>(),
            CONDITION_CODE => vec!["44054006"; n],
            CONDITION_DESCRIPTION => vec!["Diabetes"; n],
            TREATMENT_START => (0..n).map(|i| Some(order[i] as i64)).collect::<Vec<_>>(),
            DAYS_TO_MEDICATION => (0..n).map(pick).collect::<Vec<_>>(),
            JOURNEY_LENGTH_DAYS => (0..n).map(|i| pick(i) * 3.1 + 0.7).collect::<Vec<_>>(),
            ENCOUNTERS_BEFORE_TREATMENT => (0..n).map(|i| Some(order[i] as i64)).collect::<Vec<_>>(),
            ENCOUNTERS_AFTER_TREATMENT => (0..n).map(|i| Some(2 * order[i] as i64)).collect::<Vec<_>>(),
            RESOLVED_FLAG => vec![false; n],
        )
        .unwrap()
        .lazy()
    }

    /// The bits of every float aggregate of the single output row.
    fn float_bits(journeys: LazyFrame) -> Vec<Option<u64>> {
        let out = time_to_treatment(journeys, &AggregateConfig::default())
            .unwrap()
            .collect()
            .unwrap();
        [
            TREATED_SHARE,
            MEAN_DAYS_TO_MEDICATION,
            MEDIAN_DAYS_TO_MEDICATION,
            P90_DAYS_TO_MEDICATION,
            MEAN_JOURNEY_LENGTH_DAYS,
            MEAN_ENCOUNTERS_BEFORE_TREATMENT,
            MEAN_ENCOUNTERS_AFTER_TREATMENT,
        ]
        .into_iter()
        .map(|c| {
            out.column(c)
                .unwrap()
                .f64()
                .unwrap()
                .get(0)
                .map(f64::to_bits)
        })
        .collect()
    }

    /// Float values and a permutation of their indices.
    fn values_and_order() -> impl Strategy<Value = (Vec<f64>, Vec<usize>)> {
        prop::collection::vec(0.0f64..1e4, 2..40).prop_flat_map(|days| {
            let order = Just((0..days.len()).collect::<Vec<_>>()).prop_shuffle();
            (Just(days), order)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// Rule: float aggregates do not depend on the row order of the journeys.
        #[test]
        fn float_aggregates_are_bit_identical_in_any_row_order(
            (days, shuffled) in values_and_order(),
        ) {
            let forward: Vec<usize> = (0..days.len()).collect();
            let mut reversed = forward.clone();
            reversed.reverse();
            let expected = float_bits(journeys(&days, &forward));
            prop_assert_eq!(&float_bits(journeys(&days, &shuffled)), &expected);
            prop_assert_eq!(&float_bits(journeys(&days, &reversed)), &expected);
        }
    }
}
