//! Length of stay and average length of stay (ALOS) by condition, facility and month.

use medallion_model::expr::{ordered_mean, stable_sort};
use polars::prelude::*;
use synthea_schema::TableKind;
use synthea_schema::columns::encounters::{ORGANIZATION_ID, PATIENT_ID, REASON_CODE};
use synthea_schema::columns::{conditions, require};

use crate::columns::*;
use crate::error::Result;
use crate::util::count_u32;

/// Version of the definition of length of stay (`los_by_condition`),
/// recorded with its gold tables. Change it whenever the rows would change for the same
/// inputs.
pub const METRIC_VERSION: &str = "los-1";

/// Version of [`alos_by_facility`] (gold `los_by_facility`): [`METRIC_VERSION`], then
/// that of the grouping. Change it whenever either changes.
pub const BY_FACILITY_METRIC_VERSION: &str = "los-1/by-facility-1";

/// Version of [`alos_by_month`] (gold `los_by_discharge_month`): [`METRIC_VERSION`],
/// then that of the grouping. Change it whenever either changes.
pub const BY_DISCHARGE_MONTH_METRIC_VERSION: &str = "los-1/by-discharge-month-1";

/// Output schema of [`stay_conditions`].
pub fn stay_conditions_schema() -> Schema {
    Schema::from_iter([
        Field::new(STAY_ID.into(), DataType::String),
        Field::new(CONDITION_CODE.into(), DataType::String),
        Field::new(CONDITION_SOURCE.into(), DataType::String),
    ])
}

/// The condition(s) of each stay: its reason code, else the patient's conditions that
/// start during the stay (`admission_date ≤ start ≤ discharge_date`, open stays: from
/// admission on). Grain: (`stay_id`, `condition_code`); stays with neither have no row.
/// Columns: `stay_id`, `condition_code`, `condition_source` (`reason` | `during_stay`),
/// all String.
///
/// # Errors
/// Missing or mistyped input columns.
pub fn stay_conditions(stays: LazyFrame, conditions: LazyFrame) -> Result<LazyFrame> {
    let mut conditions = conditions;
    require(
        TableKind::Conditions,
        &mut conditions,
        &[conditions::PATIENT_ID, conditions::CODE, conditions::START],
    )?;
    let with_reason = stays
        .clone()
        .filter(col(REASON_CODE).is_not_null())
        .select([
            col(STAY_ID),
            col(REASON_CODE).alias(CONDITION_CODE),
            lit("reason").alias(CONDITION_SOURCE),
        ]);
    let during = stays
        .filter(col(REASON_CODE).is_null())
        .select([
            col(STAY_ID),
            col(PATIENT_ID),
            col(ADMISSION_DATE),
            col(DISCHARGE_DATE),
        ])
        .join(
            conditions.select([
                col(conditions::PATIENT_ID),
                col(conditions::CODE),
                col(conditions::START),
            ]),
            [col(PATIENT_ID)],
            [col(conditions::PATIENT_ID)],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(
            col(conditions::START).gt_eq(col(ADMISSION_DATE)).and(
                col(DISCHARGE_DATE)
                    .is_null()
                    .or(col(conditions::START).lt_eq(col(DISCHARGE_DATE))),
            ),
        )
        .select([
            col(STAY_ID),
            col(conditions::CODE).alias(CONDITION_CODE),
            lit("during_stay").alias(CONDITION_SOURCE),
        ])
        .unique_stable(None, UniqueKeepStrategy::First);
    Ok(concat([with_reason, during], UnionArgs::default())?
        .sort([STAY_ID, CONDITION_CODE], stable_sort()))
}

/// Output schema of [`alos_by_condition`] (the gold `los_by_condition`).
pub fn alos_by_condition_schema() -> Schema {
    alos_schema(CONDITION_CODE, DataType::String)
}

/// Output schema of [`alos_by_facility`] (the gold `los_by_facility`).
pub fn alos_by_facility_schema() -> Schema {
    alos_schema(ORGANIZATION_ID, DataType::String)
}

/// Output schema of [`alos_by_month`] (the gold `los_by_discharge_month`).
pub fn alos_by_month_schema() -> Schema {
    alos_schema(DISCHARGE_MONTH, DataType::Date)
}

fn alos_schema(key: &str, dt: DataType) -> Schema {
    Schema::from_iter([
        Field::new(key.into(), dt),
        Field::new(DISCHARGES.into(), DataType::UInt32),
        Field::new(TOTAL_LOS_DAYS.into(), DataType::Int64),
        Field::new(ALOS_DAYS.into(), DataType::Float64),
        Field::new("mean_los_hours".into(), DataType::Float64),
    ])
}

fn alos_aggs() -> [Expr; 4] {
    [
        count_u32().alias(DISCHARGES),
        col(LOS_DAYS)
            .cast(DataType::Int64)
            .sum()
            .alias(TOTAL_LOS_DAYS),
        (col(LOS_DAYS)
            .cast(DataType::Int64)
            .sum()
            .cast(DataType::Float64)
            / len().cast(DataType::Float64))
        .alias(ALOS_DAYS),
        ordered_mean(col(LOS_HOURS)).alias("mean_los_hours"),
    ]
}

/// Average length of stay by condition.
///
/// # Definition
/// ALOS = Σ `los_days` / number of discharges, where `los_days` = discharge date −
/// admission date (0 → 1) of a merged stay ([`crate::stays::inpatient_stays`]). A stay's
/// condition is its reason code, else every condition starting during the stay
/// ([`stay_conditions`]); a stay with several such conditions counts once for each.
///
/// # Denominator
/// Discharged stays (not `open_flag`) with at least one condition.
///
/// # Numerator
/// Σ `los_days` of those stays.
///
/// # Exclusions
/// Open stays (still admitted: no discharge); stays without any condition.
///
/// # Period
/// All stays given; filter `stays` by `discharge_date` first for a period.
///
/// # Output grain
/// One row per `condition_code`:
///
/// | column | dtype | meaning |
/// |---|---|---|
/// | condition_code | String | SNOMED code |
/// | discharges | UInt32 | discharged stays |
/// | total_los_days | Int64 | Σ los_days |
/// | alos_days | Float64 | total_los_days / discharges |
/// | mean_los_hours | Float64 | mean los_hours |
///
/// # Example
/// ```
/// use ehr_quality_metrics::los::alos_by_condition;
/// use polars::prelude::*;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let stays = df!(
///     "stay_id" => ["s1", "s2"],
///     "open_flag" => [false, false],
///     "los_days" => [2i32, 5],
///     "los_hours" => [40.0, 110.0],
/// )?
/// .lazy();
/// let stay_conditions = df!("stay_id" => ["s1", "s2"], "condition_code" => ["c", "c"])?.lazy();
/// let out = alos_by_condition(stays, stay_conditions)?.collect()?;
/// assert_eq!(out.column("alos_days")?.f64()?.get(0), Some(3.5));
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// Polars errors while building the plan.
pub fn alos_by_condition(stays: LazyFrame, stay_conditions: LazyFrame) -> Result<LazyFrame> {
    Ok(stays
        .filter(col(OPEN_FLAG).not())
        .select([col(STAY_ID), col(LOS_DAYS), col(LOS_HOURS)])
        .join(
            stay_conditions.select([col(STAY_ID), col(CONDITION_CODE)]),
            [col(STAY_ID)],
            [col(STAY_ID)],
            JoinArgs::new(JoinType::Inner),
        )
        .group_by([col(CONDITION_CODE)])
        .agg(alos_aggs())
        .sort([CONDITION_CODE], stable_sort()))
}

/// Average length of stay by facility.
///
/// # Definition
/// ALOS = Σ `los_days` / discharges per facility (`organization_id` of the stay's first
/// encounter), computed from the integer sum, so it is exact and order-independent;
/// `mean_los_hours` = mean `los_hours`.
///
/// # Denominator
/// Discharged stays of the facility.
///
/// # Numerator
/// Σ `los_days` of those stays.
///
/// # Exclusions
/// Open stays. A facility without a discharged stay has no row (its ALOS is undefined,
/// not 0); stays without an organization form one row with a null `organization_id`.
///
/// # Period
/// All stays given; filter `stays` by `discharge_date` first for a period.
///
/// # Output grain
/// One row per `organization_id` with a discharge: `organization_id` (String),
/// `discharges` (UInt32), `total_los_days` (Int64), `alos_days` (Float64),
/// `mean_los_hours` (Float64).
///
/// # Example
/// ```
/// use ehr_quality_metrics::los::alos_by_facility;
/// use polars::prelude::*;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let stays = df!(
///     "organization_id" => ["h", "h", "h"],
///     "open_flag" => [false, false, true],
///     "los_days" => [Some(1i32), Some(4), None],
///     "los_hours" => [Some(20.0), Some(90.0), None],
/// )?
/// .lazy();
/// let out = alos_by_facility(stays)?.collect()?;
/// assert_eq!(out.column("discharges")?.u32()?.get(0), Some(2));
/// assert_eq!(out.column("alos_days")?.f64()?.get(0), Some(2.5));
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// Polars errors while building the plan.
pub fn alos_by_facility(stays: LazyFrame) -> Result<LazyFrame> {
    Ok(stays
        .filter(col(OPEN_FLAG).not())
        .group_by([col(ORGANIZATION_ID)])
        .agg(alos_aggs())
        .sort([ORGANIZATION_ID], stable_sort()))
}

/// Average length of stay by discharge month.
///
/// # Definition
/// ALOS = Σ `los_days` / discharges per calendar month of the discharge date (the
/// silver local date). A stay crossing a month end counts whole in its discharge month
/// (the census, not this table, splits inpatient days across months).
///
/// # Denominator
/// Stays discharged in the month.
///
/// # Numerator
/// Σ `los_days` of those stays.
///
/// # Exclusions
/// Open stays.
///
/// # Period
/// All stays given; one row per month with a discharge (months without one have no
/// row).
///
/// # Output grain
/// One row per `discharge_month` (Date, first day of month): `discharges` (UInt32),
/// `total_los_days` (Int64), `alos_days` (Float64), `mean_los_hours` (Float64).
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use ehr_quality_metrics::los::alos_by_month;
/// use polars::prelude::*;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let d = |m, day| NaiveDate::from_ymd_opt(2020, m, day).unwrap_or_default();
/// let stays = df!(
///     "discharge_date" => [d(1, 3), d(1, 30), d(2, 1)],
///     "open_flag" => [false, false, false],
///     "los_days" => [2i32, 4, 1],
///     "los_hours" => [40.0, 90.0, 12.0],
/// )?
/// .lazy();
/// let out = alos_by_month(stays)?.collect()?;
/// assert_eq!(out.height(), 2);
/// assert_eq!(out.column("alos_days")?.f64()?.get(0), Some(3.0));
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// Polars errors while building the plan.
pub fn alos_by_month(stays: LazyFrame) -> Result<LazyFrame> {
    Ok(stays
        .filter(col(OPEN_FLAG).not())
        .with_column(
            col(DISCHARGE_DATE)
                .dt()
                .month_start()
                .alias(DISCHARGE_MONTH),
        )
        .group_by([col(DISCHARGE_MONTH)])
        .agg(alos_aggs())
        .sort([DISCHARGE_MONTH], stable_sort()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::StayConfig;
    use crate::stays::{StayInputs, inpatient_stays};
    use crate::testkit::*;

    #[test]
    fn alos_by_condition_uses_reason_else_conditions_starting_during_the_stay() {
        let enc = encounters(&[
            Enc::new(
                "a",
                "p",
                "h",
                "inpatient",
                "2020-01-01T10:00:00Z",
                "2020-01-04T10:00:00Z",
            )
            .reason("22298006"),
            Enc::new(
                "b",
                "p",
                "h",
                "inpatient",
                "2020-02-01T10:00:00Z",
                "2020-02-02T10:00:00Z",
            ),
            Enc::new("c", "q", "h", "inpatient", "2020-03-01T10:00:00Z", ""),
        ]);
        let conds = conditions(&[
            ("p", "b", "2020-02-01", "233604007"),
            ("p", "x", "2020-02-03", "999"), // after discharge
            ("p", "y", "2020-01-31", "888"), // before admission
        ]);
        let r = inpatient_stays(
            StayInputs { encounters: enc },
            &StayConfig::default(),
            date("2020-12-31"),
        )
        .unwrap();
        let sc = stay_conditions(r.stays.clone(), conds).unwrap();
        let out = alos_by_condition(r.stays.clone(), sc).unwrap();
        assert_eq!(&out.clone().schema_big(), &alos_by_condition_schema());
        let out = out.collect_big();
        assert_eq!(strs(&out, CONDITION_CODE), ["22298006", "233604007"]);
        let alos: Vec<_> = out
            .column(ALOS_DAYS)
            .unwrap()
            .f64()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(alos, [Some(3.0), Some(1.0)]);
        let fac = alos_by_facility(r.stays.clone()).unwrap().collect_big();
        assert_eq!(
            fac.column(DISCHARGES).unwrap().u32().unwrap().get(0),
            Some(2)
        );
        assert_eq!(
            fac.column(ALOS_DAYS).unwrap().f64().unwrap().get(0),
            Some(2.0)
        );
        let m = alos_by_month(r.stays).unwrap().collect_big();
        assert_eq!(dates(&m, DISCHARGE_MONTH), ["2020-01-01", "2020-02-01"]);
    }

    fn stays_of(enc: &[Enc]) -> LazyFrame {
        inpatient_stays(
            StayInputs {
                encounters: encounters(enc),
            },
            &StayConfig::default(),
            date("2020-12-31"),
        )
        .unwrap()
        .stays
    }

    fn f64s(df: &DataFrame, c: &str) -> Vec<Option<f64>> {
        df.column(c).unwrap().f64().unwrap().iter().collect()
    }

    fn u32s(df: &DataFrame, c: &str) -> Vec<Option<u32>> {
        df.column(c).unwrap().u32().unwrap().iter().collect()
    }

    #[test]
    fn alos_by_facility_sums_days_over_discharges_and_skips_open_stays() {
        let stays = stays_of(&[
            Enc::new(
                "a",
                "p",
                "h1",
                "inpatient",
                "2020-01-01T10:00:00Z",
                "2020-01-04T10:00:00Z",
            ),
            Enc::new(
                "b",
                "q",
                "h1",
                "inpatient",
                "2020-01-01T10:00:00Z",
                "2020-01-01T20:00:00Z",
            ),
            Enc::new(
                "c",
                "r",
                "h2",
                "inpatient",
                "2020-02-01T10:00:00Z",
                "2020-02-08T10:00:00Z",
            ),
            // still admitted: no discharge, no row for h3
            Enc::new("d", "s", "h3", "inpatient", "2020-03-01T10:00:00Z", ""),
            // not an inpatient stay: h4 has no stay at all
            Enc::new(
                "e",
                "s",
                "h4",
                "ambulatory",
                "2020-03-01T10:00:00Z",
                "2020-03-01T11:00:00Z",
            ),
        ]);
        let out = alos_by_facility(stays).unwrap();
        assert_eq!(out.clone().schema_big(), alos_by_facility_schema());
        let out = out.collect_big();
        assert_eq!(strs(&out, ORGANIZATION_ID), ["h1", "h2"]);
        assert_eq!(u32s(&out, DISCHARGES), [Some(2), Some(1)]);
        // h1: 3 days + same-day stay (0 → 1) = 4 over 2 discharges.
        assert_eq!(f64s(&out, ALOS_DAYS), [Some(2.0), Some(7.0)]);
        assert_eq!(f64s(&out, "mean_los_hours"), [Some(41.0), Some(168.0)]);
    }

    #[test]
    fn alos_by_discharge_month_counts_a_stay_crossing_a_month_end_in_its_discharge_month() {
        let stays = stays_of(&[
            // Jan 30 → Feb 2: 3 days, all in February.
            Enc::new(
                "a",
                "p",
                "h",
                "inpatient",
                "2020-01-30T10:00:00Z",
                "2020-02-02T10:00:00Z",
            ),
            Enc::new(
                "b",
                "q",
                "h",
                "inpatient",
                "2020-02-10T10:00:00Z",
                "2020-02-15T10:00:00Z",
            ),
            Enc::new(
                "c",
                "r",
                "h",
                "inpatient",
                "2020-01-05T10:00:00Z",
                "2020-01-06T10:00:00Z",
            ),
            Enc::new("d", "s", "h", "inpatient", "2020-04-05T10:00:00Z", ""),
        ]);
        let out = alos_by_month(stays).unwrap();
        assert_eq!(out.clone().schema_big(), alos_by_month_schema());
        let out = out.collect_big();
        assert_eq!(dates(&out, DISCHARGE_MONTH), ["2020-01-01", "2020-02-01"]);
        assert_eq!(u32s(&out, DISCHARGES), [Some(1), Some(2)]);
        assert_eq!(f64s(&out, ALOS_DAYS), [Some(1.0), Some(4.0)]);
    }

    #[test]
    fn alos_tables_of_no_discharged_stay_are_empty() {
        let stays = stays_of(&[Enc::new(
            "d",
            "s",
            "h",
            "inpatient",
            "2020-04-05T10:00:00Z",
            "",
        )]);
        assert_eq!(
            alos_by_facility(stays.clone())
                .unwrap()
                .collect_big()
                .height(),
            0
        );
        assert_eq!(alos_by_month(stays).unwrap().collect_big().height(), 0);
    }

    #[test]
    fn grouped_metric_versions_name_the_los_version() {
        for v in [
            BY_FACILITY_METRIC_VERSION,
            BY_DISCHARGE_MONTH_METRIC_VERSION,
        ] {
            assert!(v.starts_with(&format!("{METRIC_VERSION}/")), "{v}");
        }
    }
}
