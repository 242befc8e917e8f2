//! Lab and vital-sign results against reference ranges, per code and month.

use chrono::NaiveDate;
use medallion_model::expr::{ratio, stable_sort};
use polars::prelude::*;
use synthea_schema::TableKind;
use synthea_schema::columns::{observations, require};

use crate::columns::*;
use crate::config::{PopulationHealthConfig, ReferenceRange};
use crate::error::Result;
use crate::util::date_lit;
use synthea_schema::columns::observations::{OCCURRED_DATE, UNITS};

/// Version of the definition of `lab_abnormal_trends`.
pub const METRIC_VERSION: &str = "lab-abnormal-trends-1";

/// Name of the configured range of a result (`lab`).
pub const LAB: &str = "lab";
/// Lowest normal value of the range.
pub const RANGE_LOW: &str = "range_low";
/// Highest normal value of the range.
pub const RANGE_HIGH: &str = "range_high";
/// Whether a result is in the range's unit.
const RIGHT_UNIT: &str = "__right_unit";
/// `below` / `above` / null: where a result in the range's unit falls.
pub const DIRECTION: &str = "direction";

/// The reference ranges as a frame: `lab`, `code`, `unit`, `range_low`, `range_high`.
fn ranges_frame(ranges: &[ReferenceRange]) -> Result<LazyFrame> {
    let strings = |f: fn(&ReferenceRange) -> &str| -> Vec<String> {
        ranges.iter().map(|r| f(r).to_string()).collect()
    };
    let columns = vec![
        Column::new(LAB.into(), strings(|r| r.name.as_str())),
        Column::new(observations::CODE.into(), strings(|r| r.code.as_str())),
        Column::new(UNIT.into(), strings(|r| r.unit.as_str())),
        Column::new(
            RANGE_LOW.into(),
            ranges.iter().map(|r| r.low).collect::<Vec<_>>(),
        ),
        Column::new(
            RANGE_HIGH.into(),
            ranges.iter().map(|r| r.high).collect::<Vec<_>>(),
        ),
    ];
    Ok(DataFrame::new(ranges.len(), columns)?.lazy())
}

/// Numeric results of the configured codes on or before `as_of`, each classified
/// against its range: the observation columns plus `lab`, `unit`, `range_low`,
/// `range_high` and `direction` (`below`, `above`, or null when normal or in another
/// unit), with a private right-unit flag.
pub(crate) fn classified_results(
    observations_frame: LazyFrame,
    ranges: &[ReferenceRange],
    as_of: NaiveDate,
) -> Result<LazyFrame> {
    use observations::{CODE, OCCURRED_AT, PATIENT_ID, VALUE_NUMERIC};
    let mut obs = observations_frame;
    require(
        TableKind::Observations,
        &mut obs,
        &[
            PATIENT_ID,
            CODE,
            OCCURRED_AT,
            VALUE_NUMERIC,
            UNITS,
            OCCURRED_DATE,
        ],
    )?;
    let value = col(VALUE_NUMERIC);
    let right_unit = col(UNITS).eq(col(UNIT)).fill_null(lit(false));
    let below = col(RIGHT_UNIT).and(value.clone().lt(col(RANGE_LOW)).fill_null(lit(false)));
    let above = col(RIGHT_UNIT).and(value.gt(col(RANGE_HIGH)).fill_null(lit(false)));
    Ok(obs
        .filter(
            col(OCCURRED_DATE)
                .lt_eq(date_lit(as_of))
                .and(col(VALUE_NUMERIC).is_not_null()),
        )
        .select([
            col(PATIENT_ID),
            col(CODE),
            col(OCCURRED_AT),
            col(OCCURRED_DATE),
            col(VALUE_NUMERIC),
            col(UNITS),
        ])
        .join(
            ranges_frame(ranges)?,
            [col(CODE)],
            [col(CODE)],
            JoinArgs::new(JoinType::Inner),
        )
        .with_column(right_unit.alias(RIGHT_UNIT))
        .with_column(
            when(below)
                .then(lit("below"))
                .when(above)
                .then(lit("above"))
                .otherwise(lit(NULL).cast(DataType::String))
                .alias(DIRECTION),
        ))
}

/// Results above and below the reference range per lab code and month.
///
/// # Definition
/// Numeric silver `observations` of the codes of
/// [`PopulationHealthConfig::reference_ranges`] (default: glucose, HbA1c, creatinine,
/// potassium, sodium, hemoglobin, LDL, eGFR, systolic/diastolic blood pressure, heart
/// rate, SpO2; see [`crate::config::default_reference_ranges`]). A result whose unit is
/// the range's unit is *below* when `< low`, *above* when `> high` (bounds are normal);
/// a result in another unit is counted in `wrong_unit_results` and not classified
/// (never converted). Month = first day of the month of `occurred_date`.
///
/// # Denominator
/// `results`: results in the range's unit of the code and month.
///
/// # Numerator
/// `below_range`, `above_range`; `share_abnormal` = (below + above) / results.
///
/// # Exclusions
/// Results after `as_of`, without a numeric value, or of codes without a range.
///
/// # Period
/// Every month up to the as-of date.
///
/// # Output grain
/// One row per (`code`, `month`) with a result:
///
/// | column | dtype | meaning |
/// |---|---|---|
/// | code | String | LOINC code |
/// | lab | String | configured name |
/// | unit | String | the range's unit |
/// | month | Date | first day of the month |
/// | results | Int64 | results in the range's unit |
/// | below_range | Int64 | results < low |
/// | above_range | Int64 | results > high |
/// | wrong_unit_results | Int64 | results in another unit (flagged) |
/// | share_abnormal | Float64 | null when `results` is 0 |
///
/// # Example
/// See the crate test `results_outside_the_range_are_counted_per_month`; the call is
/// `lab_abnormal_trends(observations, &config, as_of)`.
///
/// # Errors
/// An input that is not silver `observations`; invalid configuration.
pub fn lab_abnormal_trends(
    observations_frame: LazyFrame,
    config: &PopulationHealthConfig,
    as_of: NaiveDate,
) -> Result<LazyFrame> {
    config.validate()?;
    let count = |e: Expr| e.sum().cast(DataType::Int64);
    Ok(
        classified_results(observations_frame, &config.reference_ranges, as_of)?
            .with_column(col(OCCURRED_DATE).dt().month_start().alias(MONTH))
            .group_by([col(observations::CODE), col(LAB), col(UNIT), col(MONTH)])
            .agg([
                count(col(RIGHT_UNIT)).alias(RESULTS),
                count(col(DIRECTION).eq(lit("below")).fill_null(lit(false))).alias(BELOW_RANGE),
                count(col(DIRECTION).eq(lit("above")).fill_null(lit(false))).alias(ABOVE_RANGE),
                count(col(RIGHT_UNIT).not()).alias(WRONG_UNIT_RESULTS),
            ])
            .with_column(
                ratio(col(BELOW_RANGE) + col(ABOVE_RANGE), col(RESULTS)).alias(SHARE_ABNORMAL),
            )
            .sort([observations::CODE, MONTH], stable_sort()),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::testkit::*;

    #[test]
    fn results_outside_the_range_are_counted_per_month_and_wrong_units_apart() {
        let obs = observations(&[
            ("a", "4548-4", "2023-01-03T08:00:00Z", "5.0", "%"),
            ("a", "4548-4", "2023-01-04T08:00:00Z", "7.0", "%"),
            ("b", "4548-4", "2023-01-05T08:00:00Z", "3.5", "%"),
            ("b", "4548-4", "2023-01-06T08:00:00Z", "42.0", "mmol/mol"),
            // The upper bound is normal.
            ("b", "4548-4", "2023-02-06T08:00:00Z", "5.6", "%"),
            // Not a configured code / after the as-of date.
            ("b", "9999-9", "2023-02-06T08:00:00Z", "1.0", "%"),
            ("b", "4548-4", "2024-02-06T08:00:00Z", "9.0", "%"),
        ]);
        let out = lab_abnormal_trends(obs, &PopulationHealthConfig::default(), date("2023-12-31"))
            .unwrap()
            .collect_big();
        assert_eq!(strs(&out, MONTH), ["2023-01-01", "2023-02-01"]);
        assert_eq!(strs(&out, LAB), ["hba1c", "hba1c"]);
        assert_eq!(i64s(&out, RESULTS), [Some(3), Some(1)]);
        assert_eq!(i64s(&out, BELOW_RANGE), [Some(1), Some(0)]);
        assert_eq!(i64s(&out, ABOVE_RANGE), [Some(1), Some(0)]);
        assert_eq!(i64s(&out, WRONG_UNIT_RESULTS), [Some(1), Some(0)]);
        assert_eq!(f64s(&out, SHARE_ABNORMAL), [Some(2.0 / 3.0), Some(0.0)]);
    }
}
