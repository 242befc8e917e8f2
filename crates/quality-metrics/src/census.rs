//! Midnight census, bed occupancy, admissions and discharges per facility and day, and
//! their monthly sums.

use medallion_model::expr::{
    epoch_day_lit, epoch_day_number, join_args, ratio, stable_sort, typed_null,
};
use polars::prelude::*;
use synthea_schema::columns::encounters::ORGANIZATION_ID;

use crate::columns::*;
use crate::config::{CensusConfig, MeasurementPeriod};
use crate::error::Result;
use crate::util::{count_u32, max2, min2};

/// Version of the definition of the midnight census (`daily_census`),
/// recorded with its gold tables. Change it whenever the rows would change for the same
/// inputs.
pub const METRIC_VERSION: &str = "census-2";

/// Version of [`monthly_census`] (gold `monthly_census`): the daily census version
/// ([`METRIC_VERSION`]), then that of the monthly rollup. Change it whenever either
/// changes.
pub const MONTHLY_METRIC_VERSION: &str = "census-2/monthly-1";

/// Output schema of [`daily_census`].
pub fn daily_census_schema() -> Schema {
    Schema::from_iter([
        Field::new(ORGANIZATION_ID.into(), DataType::String),
        Field::new(CENSUS_DATE.into(), DataType::Date),
        Field::new("census".into(), DataType::UInt32),
        Field::new("admissions".into(), DataType::UInt32),
        Field::new("discharges".into(), DataType::UInt32),
        Field::new("bed_capacity".into(), DataType::UInt32),
        Field::new("capacity_source".into(), DataType::String),
        Field::new("occupancy_pct".into(), DataType::Float64),
    ])
}

/// First local calendar day (as epoch day) whose start is at or after `ts`:
/// the local date when `ts` is exactly local midnight, else the next day.
fn ceil_day(ts: Expr, tz: &TimeZone) -> Expr {
    let local = ts.dt().convert_time_zone(tz.clone());
    let day = local.clone().dt().date().cast(DataType::Int32);
    let at_midnight = local
        .clone()
        .dt()
        .hour()
        .eq(lit(0))
        .and(local.clone().dt().minute().eq(lit(0)))
        .and(local.clone().dt().second().eq(lit(0)))
        .and(local.dt().nanosecond().eq(lit(0)));
    when(at_midnight)
        .then(day.clone())
        .otherwise(day + lit(1i32))
}

/// Midnight census, admissions, discharges and occupancy per facility per day.
///
/// # Definition
/// The census of day D at a facility = stays with admission ≤ M < discharge, where M is
/// the local midnight ending D (00:00 of D+1 in [`CensusConfig::time_zone`]); open stays
/// count until the period end. Admissions / discharges = stays admitted / discharged on D
/// (local dates of the timestamps). Inpatient days of D = its census. Occupancy % =
/// 100 × census / bed capacity; a facility's capacity comes from `capacity`
/// (`organization_id`, `beds`) when it lists the facility, else
/// [`CensusConfig::default_beds_per_facility`] (`capacity_source` = `table` / `config`).
/// Without a known capacity, `bed_capacity`, `capacity_source` and `occupancy_pct` are
/// null: occupancy is never estimated from the census itself.
///
/// # Denominator
/// Bed capacity (occupancy).
///
/// # Numerator
/// Midnight census.
///
/// # Exclusions
/// None: every stay of [`crate::stays::inpatient_stays`] counts at its facility.
///
/// # Period
/// Every day of `period` for every facility with a stay overlapping the period (days
/// without patients are 0).
///
/// # Output grain
/// One row per (`organization_id`, `census_date`):
///
/// | column | dtype | meaning |
/// |---|---|---|
/// | organization_id | String | facility |
/// | census_date | Date | day D |
/// | census | UInt32 | patients at the midnight ending D |
/// | admissions | UInt32 | stays admitted on D |
/// | discharges | UInt32 | stays discharged on D |
/// | bed_capacity | UInt32 | beds (null when unknown) |
/// | capacity_source | String | `table` or `config`; null when unknown |
/// | occupancy_pct | Float64 | 100 × census / bed_capacity; null when the capacity is unknown (or 0) |
///
/// # Example
/// ```
/// use chrono::{NaiveDate, TimeZone as _, Utc};
/// use ehr_quality_metrics::census::daily_census;
/// use ehr_quality_metrics::{CensusConfig, MeasurementPeriod};
/// use polars::prelude::*;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let us = |d, h| Utc.with_ymd_and_hms(2020, 1, d, h, 0, 0).single().map(|t| t.timestamp_micros()).unwrap_or_default();
/// let ts = DataType::Datetime(TimeUnit::Microseconds, Some(polars::prelude::TimeZone::UTC));
/// let stays = df!(
///     "organization_id" => ["h"],
///     "admission_ts" => [us(1, 10)],
///     "discharge_ts" => [us(3, 9)],
/// )?
/// .lazy()
/// .with_columns([col("admission_ts").cast(ts.clone()), col("discharge_ts").cast(ts)]);
/// let d = |day| NaiveDate::from_ymd_opt(2020, 1, day).unwrap_or_default();
/// let period = MeasurementPeriod::new(d(1), d(3))?;
/// let capacity = df!("organization_id" => ["h"], "beds" => [4u32])?.lazy();
/// let out = daily_census(stays, Some(capacity), &CensusConfig::default(), period)?.collect()?;
/// let census: Vec<_> = out.column("census")?.u32()?.iter().collect();
/// assert_eq!(census, [Some(1), Some(1), Some(0)]);
/// assert_eq!(out.column("occupancy_pct")?.f64()?.get(0), Some(25.0));
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// Invalid time zone; Polars errors while building the plan.
pub fn daily_census(
    stays: LazyFrame,
    capacity: Option<LazyFrame>,
    config: &CensusConfig,
    period: MeasurementPeriod,
) -> Result<LazyFrame> {
    let tz = config.polars_time_zone()?;
    let days = stay_days(stays, &tz, period);
    let keys = [col(ORGANIZATION_ID), col("__day")];
    let left = |a: LazyFrame, b: LazyFrame| {
        a.join(
            b,
            keys.clone(),
            keys.clone(),
            join_args(JoinType::Left, JoinValidation::OneToOne),
        )
    };
    let grid = facility_day_grid(days.clone(), period)?;
    let census = midnight_census(days.clone());
    let admissions = stays_per_local_day(days.clone(), "__adm", "admissions", period);
    let discharges = stays_per_local_day(days, "__dis", "discharges", period);
    let out = left(left(left(grid, census), admissions), discharges).with_columns([
        col("census").fill_null(lit(0u32)),
        col("admissions").fill_null(lit(0u32)),
        col("discharges").fill_null(lit(0u32)),
    ]);
    Ok(with_bed_capacity(out, capacity, config)?
        .with_column(
            (ratio(col("census"), col("bed_capacity")) * lit(100.0)).alias("occupancy_pct"),
        )
        .select([
            col(ORGANIZATION_ID),
            col("__day").cast(DataType::Date).alias(CENSUS_DATE),
            col("census"),
            col("admissions"),
            col("discharges"),
            col("bed_capacity"),
            col("capacity_source"),
            col("occupancy_pct"),
        ])
        .sort([ORGANIZATION_ID, CENSUS_DATE], stable_sort()))
}

/// Per stay (epoch days in `tz`): `__first` / `__last` day whose ending midnight it
/// spans, clipped to the period (open stays last until the period end), and the local
/// admission (`__adm`) and discharge (`__dis`) days.
fn stay_days(stays: LazyFrame, tz: &TimeZone, period: MeasurementPeriod) -> LazyFrame {
    let (p_start, p_end) = (epoch_day_lit(period.start), epoch_day_lit(period.end));
    let local_day = |c: &str| {
        col(c)
            .dt()
            .convert_time_zone(tz.clone())
            .dt()
            .date()
            .cast(DataType::Int32)
    };
    stays
        .select([col(ORGANIZATION_ID), col(ADMISSION_TS), col(DISCHARGE_TS)])
        .with_columns([
            (ceil_day(col(ADMISSION_TS), tz) - lit(1i32)).alias("__first"),
            (ceil_day(col(DISCHARGE_TS), tz) - lit(2i32)).alias("__last"),
            local_day(ADMISSION_TS).alias("__adm"),
            local_day(DISCHARGE_TS).alias("__dis"),
        ])
        .with_columns([
            max2(col("__first"), p_start).alias("__first"),
            min2(col("__last").fill_null(p_end.clone()), p_end).alias("__last"),
        ])
}

/// Per facility and day: stays whose span covers the midnight ending the day.
fn midnight_census(days: LazyFrame) -> LazyFrame {
    days.filter(col("__first").lt_eq(col("__last")))
        .select([
            col(ORGANIZATION_ID),
            int_ranges(
                col("__first"),
                col("__last") + lit(1i32),
                lit(1i32),
                DataType::Int32,
            )
            .alias("__day"),
        ])
        .explode(
            cols(["__day"]),
            ExplodeOptions {
                empty_as_null: false,
                keep_nulls: false,
            },
        )
        .group_by([col(ORGANIZATION_ID), col("__day")])
        .agg([count_u32().alias("census")])
}

/// Per facility and day of the period: stays whose local `day_column` (admission or
/// discharge) is that day, as `out`.
fn stays_per_local_day(
    days: LazyFrame,
    day_column: &str,
    out: &str,
    period: MeasurementPeriod,
) -> LazyFrame {
    let (p_start, p_end) = (epoch_day_lit(period.start), epoch_day_lit(period.end));
    days.filter(
        col(day_column)
            .gt_eq(p_start)
            .and(col(day_column).lt_eq(p_end)),
    )
    .group_by([col(ORGANIZATION_ID), col(day_column).alias("__day")])
    .agg([count_u32().alias(out)])
}

/// Every day of the period for every facility with a stay overlapping the period.
fn facility_day_grid(days: LazyFrame, period: MeasurementPeriod) -> Result<LazyFrame> {
    let (p_start, p_end) = (epoch_day_lit(period.start), epoch_day_lit(period.end));
    let facilities = days
        .filter(
            col("__adm")
                .lt_eq(p_end)
                .and(col("__dis").is_null().or(col("__dis").gt_eq(p_start))),
        )
        .select([col(ORGANIZATION_ID)])
        .unique_stable(None, UniqueKeepStrategy::First);
    let period_days = DataFrame::new_infer_height(vec![Column::new(
        "__day".into(),
        (epoch_day_number(period.start)..=epoch_day_number(period.end)).collect::<Vec<i32>>(),
    )])?
    .lazy();
    Ok(facilities.cross_join(period_days, None))
}

/// `bed_capacity` and `capacity_source`: from the capacity table when it lists the
/// facility, else the configured beds per facility, else null (unknown).
fn with_bed_capacity(
    out: LazyFrame,
    capacity: Option<LazyFrame>,
    config: &CensusConfig,
) -> Result<LazyFrame> {
    let out = match capacity {
        Some(cap) => out.join(
            cap.select([
                col(ORGANIZATION_ID),
                col("beds").cast(DataType::UInt32).alias("__table_beds"),
            ]),
            [col(ORGANIZATION_ID)],
            [col(ORGANIZATION_ID)],
            join_args(JoinType::Left, JoinValidation::ManyToOne),
        ),
        None => out.with_column(typed_null(DataType::UInt32).alias("__table_beds")),
    };
    let config_beds = match config.default_beds_per_facility {
        Some(beds) => lit(beds).cast(DataType::UInt32),
        None => typed_null(DataType::UInt32),
    };
    Ok(out.with_columns([
        col("__table_beds")
            .fill_null(config_beds.clone())
            .alias("bed_capacity"),
        when(col("__table_beds").is_not_null())
            .then(lit("table"))
            .when(config_beds.is_not_null())
            .then(lit("config"))
            .otherwise(typed_null(DataType::String))
            .alias("capacity_source"),
    ]))
}

/// Output schema of [`monthly_census`].
pub fn monthly_census_schema() -> Schema {
    Schema::from_iter([
        Field::new(ORGANIZATION_ID.into(), DataType::String),
        Field::new(MONTH.into(), DataType::Date),
        Field::new("inpatient_days".into(), DataType::UInt32),
        Field::new("admissions".into(), DataType::UInt32),
        Field::new("discharges".into(), DataType::UInt32),
        Field::new("average_daily_census".into(), DataType::Float64),
        Field::new("occupancy_pct".into(), DataType::Float64),
    ])
}

/// Inpatient days, admissions, discharges and occupancy per facility per month.
///
/// # Definition
/// Sums of [`daily_census`] over the days of each calendar month in the period, so the
/// monthly rows reconcile exactly with the daily ones: a stay crossing a month end
/// contributes its midnights to each month it spans (its admission to the admission
/// month, its discharge to the discharge month). `average_daily_census` = inpatient
/// days / days of the month present; occupancy % = 100 × inpatient days / Σ bed
/// capacity of those days, null when the facility's capacity is unknown. Every sum is
/// over integers, so the values do not depend on row order.
///
/// # Denominator
/// Σ daily bed capacity (bed-days available).
///
/// # Numerator
/// Inpatient days (Σ midnight census).
///
/// # Exclusions
/// None. A facility without a stay overlapping the period has no daily rows and so no
/// monthly rows.
///
/// # Period
/// That of the daily census (partial months are the days present).
///
/// # Output grain
/// One row per (`organization_id`, `month`):
///
/// | column | dtype | meaning |
/// |---|---|---|
/// | organization_id | String | facility |
/// | month | Date | first day of the calendar month |
/// | inpatient_days | UInt32 | Σ midnight census |
/// | admissions, discharges | UInt32 | Σ daily admissions, discharges |
/// | average_daily_census | Float64 | inpatient_days / days present |
/// | occupancy_pct | Float64 | 100 × inpatient_days / Σ bed_capacity; null when unknown |
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use ehr_quality_metrics::census::monthly_census;
/// use polars::prelude::*;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let d = |day| NaiveDate::from_ymd_opt(2020, 1, day).unwrap_or_default();
/// let daily = df!(
///     "organization_id" => ["h", "h"], "census_date" => [d(1), d(2)],
///     "census" => [2u32, 4], "admissions" => [2u32, 2], "discharges" => [0u32, 0],
///     "bed_capacity" => [10u32, 10],
/// )?
/// .lazy();
/// let out = monthly_census(daily)?.collect()?;
/// assert_eq!(out.column("inpatient_days")?.u32()?.get(0), Some(6));
/// assert_eq!(out.column("occupancy_pct")?.f64()?.get(0), Some(30.0));
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// Polars errors while building the plan.
pub fn monthly_census(daily: LazyFrame) -> Result<LazyFrame> {
    Ok(daily
        .with_column(col(CENSUS_DATE).dt().month_start().alias(MONTH))
        .group_by([col(ORGANIZATION_ID), col(MONTH)])
        .agg([
            col("census")
                .sum()
                .cast(DataType::UInt32)
                .alias("inpatient_days"),
            col("admissions")
                .sum()
                .cast(DataType::UInt32)
                .alias("admissions"),
            col("discharges")
                .sum()
                .cast(DataType::UInt32)
                .alias("discharges"),
            // Integer sums, divided once: exact and independent of row order.
            ratio(col("census").cast(DataType::Int64).sum(), len()).alias("average_daily_census"),
            col("bed_capacity")
                .cast(DataType::Int64)
                .sum()
                .alias("__beds"),
            col("census").cast(DataType::Int64).sum().alias("__days"),
        ])
        .with_column((ratio(col("__days"), col("__beds")) * lit(100.0)).alias("occupancy_pct"))
        .select([
            col(ORGANIZATION_ID),
            col(MONTH),
            col("inpatient_days"),
            col("admissions"),
            col("discharges"),
            col("average_daily_census"),
            col("occupancy_pct"),
        ])
        .sort([ORGANIZATION_ID, MONTH], stable_sort()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::StayConfig;
    use crate::stays::{StayInputs, inpatient_stays};
    use crate::testkit::*;

    #[test]
    fn census_counts_admission_at_midnight_but_not_discharge_at_midnight() {
        let enc = encounters(&[
            // admitted exactly at midnight starting Jan 2 → counted at the midnight
            // ending Jan 1; discharged exactly at midnight starting Jan 4 → not counted
            // on Jan 3.
            Enc::new(
                "a",
                "p",
                "h",
                "inpatient",
                "2020-01-02T00:00:00Z",
                "2020-01-04T00:00:00Z",
            ),
            // admitted Jan 2 10:00, discharged Jan 4 00:00:01 → Jan 2 and Jan 3.
            Enc::new(
                "b",
                "q",
                "h",
                "inpatient",
                "2020-01-02T10:00:00Z",
                "2020-01-04T00:00:01Z",
            ),
            // still admitted → counted to the period end.
            Enc::new("c", "r", "h", "inpatient", "2020-01-04T10:00:00Z", ""),
        ]);
        let r = inpatient_stays(
            StayInputs { encounters: enc },
            &StayConfig::default(),
            date("2020-01-05"),
        )
        .unwrap();
        let period = MeasurementPeriod::new(date("2020-01-01"), date("2020-01-05")).unwrap();
        let lf = daily_census(r.stays, None, &CensusConfig::default(), period).unwrap();
        assert_eq!(lf.clone().schema_big(), daily_census_schema());
        let df = lf.clone().collect_big();
        let census = u32s(&df, "census");
        assert_eq!(census, [1, 2, 1, 1, 1]);
        let adm = u32s(&df, "admissions");
        assert_eq!(adm, [0, 2, 0, 1, 0]);
        let dis = u32s(&df, "discharges");
        assert_eq!(dis, [0, 0, 0, 2, 0]);
        assert_eq!(strs(&df, "capacity_source")[0], "<null>");
        let m = monthly_census(lf).unwrap();
        assert_eq!(m.clone().schema_big(), monthly_census_schema());
        let m = m.collect_big();
        assert_eq!(
            m.column("inpatient_days").unwrap().u32().unwrap().get(0),
            Some(6)
        );
    }

    fn one_stay_census(capacity: Option<LazyFrame>, config: &CensusConfig) -> DataFrame {
        // Two patients in facility h over the midnights ending Jan 1 and Jan 2.
        let enc = encounters(&[
            Enc::new(
                "a",
                "p",
                "h",
                "inpatient",
                "2020-01-01T10:00:00Z",
                "2020-01-03T10:00:00Z",
            ),
            Enc::new(
                "b",
                "q",
                "h",
                "inpatient",
                "2020-01-01T11:00:00Z",
                "2020-01-03T10:00:00Z",
            ),
        ]);
        let r = inpatient_stays(
            StayInputs { encounters: enc },
            &StayConfig::default(),
            date("2020-01-05"),
        )
        .unwrap();
        let period = MeasurementPeriod::new(date("2020-01-01"), date("2020-01-02")).unwrap();
        let lf = daily_census(r.stays, capacity, config, period).unwrap();
        assert_eq!(lf.clone().schema_big(), daily_census_schema());
        lf.collect_big()
    }

    fn pcts(df: &DataFrame) -> Vec<Option<f64>> {
        df.column("occupancy_pct")
            .unwrap()
            .f64()
            .unwrap()
            .iter()
            .collect()
    }

    #[test]
    fn occupancy_without_known_capacity_is_null_not_peak_census() {
        let df = one_stay_census(None, &CensusConfig::default());
        assert_eq!(u32s(&df, "census"), [2, 2]);
        assert_eq!(pcts(&df), [None, None]);
        assert_eq!(df.column("bed_capacity").unwrap().null_count(), 2);
        // The monthly rollup keeps it null.
        let m = monthly_census(df.lazy()).unwrap().collect_big();
        assert_eq!(
            m.column("occupancy_pct").unwrap().f64().unwrap().get(0),
            None
        );
    }

    #[test]
    fn occupancy_uses_capacity_table_then_configured_beds() {
        let cap = df!("organization_id" => ["h"], "beds" => [8u32])
            .unwrap()
            .lazy();
        let df = one_stay_census(Some(cap), &CensusConfig::default());
        assert_eq!(pcts(&df), [Some(25.0), Some(25.0)]);
        assert_eq!(strs(&df, "capacity_source"), ["table", "table"]);
        let cfg = CensusConfig::default().with_default_beds_per_facility(Some(4));
        let other = df!("organization_id" => ["x"], "beds" => [8u32])
            .unwrap()
            .lazy();
        let df = one_stay_census(Some(other), &cfg);
        assert_eq!(pcts(&df), [Some(50.0), Some(50.0)]);
        assert_eq!(strs(&df, "capacity_source"), ["config", "config"]);
    }

    #[test]
    fn monthly_census_splits_a_stay_crossing_a_month_end_and_reconciles_with_daily() {
        let enc = encounters(&[
            // Midnights ending Jan 30 and Jan 31 in January, Feb 1 in February.
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
                "2020-02-12T10:00:00Z",
            ),
        ]);
        let r = inpatient_stays(
            StayInputs { encounters: enc },
            &StayConfig::default(),
            date("2020-02-29"),
        )
        .unwrap();
        let period = MeasurementPeriod::new(date("2020-01-01"), date("2020-02-29")).unwrap();
        let cap = df!("organization_id" => ["h", "empty"], "beds" => [2u32, 5])
            .unwrap()
            .lazy();
        let daily = daily_census(r.stays, Some(cap), &CensusConfig::default(), period).unwrap();
        let m = monthly_census(daily.clone()).unwrap();
        assert_eq!(m.clone().schema_big(), monthly_census_schema());
        let m = m.collect_big();
        // The facility without stays has no rows.
        assert_eq!(strs(&m, ORGANIZATION_ID), ["h", "h"]);
        assert_eq!(dates(&m, MONTH), ["2020-01-01", "2020-02-01"]);
        assert_eq!(u32s(&m, "inpatient_days"), [2, 3]);
        assert_eq!(u32s(&m, "admissions"), [1, 1]);
        assert_eq!(u32s(&m, "discharges"), [0, 2]);
        let adc: Vec<_> = m
            .column("average_daily_census")
            .unwrap()
            .f64()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(adc, [Some(2.0 / 31.0), Some(3.0 / 29.0)]);
        // 100 × 2 / (31 × 2) and 100 × 3 / (29 × 2).
        assert_eq!(
            pcts(&m),
            [Some(2.0 / 62.0 * 100.0), Some(3.0 / 58.0 * 100.0)]
        );
        let daily = daily.collect_big();
        let total = |df: &DataFrame, c: &str| u32s(df, c).iter().sum::<u32>();
        assert_eq!(total(&m, "inpatient_days"), total(&daily, "census"));
        assert_eq!(total(&m, "admissions"), total(&daily, "admissions"));
        assert_eq!(total(&m, "discharges"), total(&daily, "discharges"));
    }

    #[test]
    fn monthly_metric_version_names_the_daily_census_version() {
        assert!(MONTHLY_METRIC_VERSION.starts_with(&format!("{METRIC_VERSION}/")));
    }
}
