//! Occupancy KPIs, computed from admitted intervals (bed segments), never from event
//! counts; capacity from the network configuration.
//!
//! Hourly figures come from one sweep over the interval boundaries (no row per patient
//! and hour is ever built): with `A(t)`/`B(t)` the number of intervals started/ended by
//! `t` and `S(t)`/`E(t)` the sums of those start/end instants, the census at `t` is
//! `A − B` and the bed-time occupied up to `t` is `F(t) = t·(A − B) − (S − E)`, so the
//! bed-hours of hour `h` are `F(h + 1 h) − F(h)`. Instants are whole seconds since the
//! epoch (`i64`: no overflow below 10⁹ intervals).

use chrono::{DateTime, Utc};
use medallion_model::expr::{join_args, ordered_sum, ratio, stable_sort};
use polars::lazy::dsl;
use polars::prelude::*;

use super::stays::{OCCUPIED_UNTIL, START_TIME, instant};
use crate::columns::{DEPARTMENT, GENDER, HOSPITAL_ID, HOSPITAL_NAME, utc_datetime};
use crate::network::BED_CAPACITY;

/// Column: the hour (UTC) a row of [`hourly_occupancy`] describes.
pub const HOUR_START: &str = "hour_start";
/// Column: the day (UTC) a row of [`daily_occupancy`] describes.
pub const DATE: &str = "date";
/// Column: intervals in progress at the instant (patients in beds).
pub const CENSUS: &str = "census";
/// Column: patients in beds at the start of the hour.
pub const CENSUS_AT_HOUR_START: &str = "census_at_hour_start";
/// Column: patients in beds at 00:00 UTC of the day.
pub const MIDNIGHT_CENSUS: &str = "midnight_census";
/// Column: bed-hours occupied in the period.
pub const OCCUPIED_BED_HOURS: &str = "occupied_bed_hours";
/// Column: 100 × occupied / capacity.
pub const OCCUPANCY_PCT: &str = "occupancy_pct";
/// Column: 100 × midnight census / capacity.
pub const MIDNIGHT_OCCUPANCY_PCT: &str = "midnight_occupancy_pct";
/// Column: beds not occupied at the instant.
pub const AVAILABLE_BEDS: &str = "available_beds";
/// Column: the as-of instant of a current-occupancy row.
pub const AS_OF: &str = "as_of";
/// Column: share of the occupied beds (of the hospital department) held by the group.
pub const SHARE_OF_OCCUPIED_PCT: &str = "share_of_occupied_pct";

const SECONDS_PER_HOUR: i64 = 3_600;
const SECONDS_PER_DAY: i64 = 86_400;
/// Scratch: index of a grid point (periods since the epoch).
const POINT: &str = "__point";
/// Scratch: start of a grid period.
const PERIOD_START: &str = "__period_start";
/// Scratch: intervals in progress at the period start.
const CENSUS_AT_START: &str = "__census_at_start";

/// Seconds since the epoch of a `Datetime(µs)` expression.
fn epoch_seconds(t: Expr) -> Expr {
    t.dt().timestamp(TimeUnit::Microseconds) / lit(1_000_000i64)
}

/// The periods a table covers: hours or days, as indices since the epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeGrid {
    /// Length of a period in seconds (3,600 or 86,400; it must divide a day).
    pub step_seconds: i64,
    /// First period; `None`: the one starting at 00:00 UTC of the day of the earliest
    /// interval.
    pub first: Option<i64>,
    /// End period (exclusive): the one containing the as-of instant, so only complete
    /// periods are reported.
    pub end: i64,
}

impl TimeGrid {
    /// Complete hours before `as_of`, from `from` (floored to 00:00 UTC of its day) or,
    /// when `None`, from the day of the earliest interval.
    pub fn hourly(from: Option<DateTime<Utc>>, as_of: DateTime<Utc>) -> Self {
        Self::with_step(SECONDS_PER_HOUR, from, as_of)
    }

    /// Complete UTC days before `as_of`, from the day of `from` or of the earliest
    /// interval.
    pub fn daily(from: Option<DateTime<Utc>>, as_of: DateTime<Utc>) -> Self {
        Self::with_step(SECONDS_PER_DAY, from, as_of)
    }

    fn with_step(step: i64, from: Option<DateTime<Utc>>, as_of: DateTime<Utc>) -> Self {
        let day_start =
            |t: DateTime<Utc>| t.timestamp().div_euclid(SECONDS_PER_DAY) * SECONDS_PER_DAY;
        Self {
            step_seconds: step,
            first: from.map(|t| day_start(t) / step),
            end: as_of.timestamp().div_euclid(step),
        }
    }

    /// `ceil(seconds / step)`: the first grid point at or after the instant.
    fn ceil(&self, seconds: Expr) -> Expr {
        (seconds + lit(self.step_seconds - 1)).floor_div(lit(self.step_seconds))
    }

    /// One row per point index of `[first, end]` (the end point closes the last period).
    fn points(&self, segments: LazyFrame) -> LazyFrame {
        let first = match self.first {
            Some(p) => lit(p),
            None => (epoch_seconds(col(START_TIME))
                .min()
                .floor_div(lit(SECONDS_PER_DAY))
                * lit(SECONDS_PER_DAY / self.step_seconds))
            .fill_null(lit(self.end)),
        };
        segments.select([first.alias("__first")]).select([int_range(
            col("__first").first(),
            lit(self.end + 1),
            1,
            DataType::Int64,
        )
        .alias(POINT)])
    }
}

/// Per group and period of `grid`: the census at the period start and the bed-hours in
/// the period, for every row of `groups` (zero where no interval overlaps). Output:
/// the keys, `__period_start` (`Datetime`), `__census_at_start` (Int64),
/// `occupied_bed_hours` (Float64).
///
/// `segments` needs `start_time`, `occupied_until` and the `keys`; `groups` the keys.
pub(crate) fn sweep(
    segments: LazyFrame,
    groups: LazyFrame,
    keys: &[&str],
    grid: TimeGrid,
) -> PolarsResult<LazyFrame> {
    let step = grid.step_seconds;
    let key_cols: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
    let with_point = || -> Vec<Expr> {
        let mut v = key_cols.clone();
        v.push(col(POINT));
        v
    };
    let points = grid.points(segments.clone());
    let first = points
        .clone()
        .select([col(POINT).min().alias("__grid_first")]);
    let clipped = segments
        .with_columns([
            epoch_seconds(col(START_TIME)).alias("__s"),
            epoch_seconds(col(OCCUPIED_UNTIL))
                .clip_max(lit(grid.end * step))
                .alias("__e"),
        ])
        .cross_join(first, None)
        .with_column(
            dsl::max_horizontal([col("__s"), col("__grid_first") * lit(step)])
                .unwrap_or_else(|_| col("__s"))
                .alias("__s"),
        )
        .filter(col("__e").gt(col("__s")));
    let boundary = |at: &str, count: &str, sum: &str| {
        let mut by = key_cols.clone();
        by.push(grid.ceil(col(at)).alias(POINT));
        clipped.clone().group_by(by).agg([
            len().cast(DataType::Int64).alias(count),
            col(at).sum().alias(sum),
        ])
    };
    let starts = boundary("__s", "__a_n", "__a_s");
    let ends = boundary("__e", "__b_n", "__b_s");
    let cumulative = |c: &str| -> PolarsResult<Expr> {
        Ok(col(c).cum_sum(false).over(key_cols.clone())?.alias(c))
    };
    let cumulated: Vec<Expr> = ["__a_n", "__a_s", "__b_n", "__b_s"]
        .into_iter()
        .map(cumulative)
        .collect::<PolarsResult<_>>()?;
    let next_f = col("__f").shift(lit(-1)).over(key_cols.clone())?;
    let f = col(POINT) * lit(step) * (col("__a_n") - col("__b_n")) - (col("__a_s") - col("__b_s"));
    Ok(groups
        .cross_join(points, None)
        .join(
            starts,
            with_point(),
            with_point(),
            JoinArgs::new(JoinType::Left),
        )
        .join(
            ends,
            with_point(),
            with_point(),
            JoinArgs::new(JoinType::Left),
        )
        .with_columns(["__a_n", "__a_s", "__b_n", "__b_s"].map(|c| col(c).fill_null(lit(0i64))))
        .sort_by_exprs(with_point(), stable_sort())
        .with_columns(cumulated)
        .with_columns([
            (col("__a_n") - col("__b_n")).alias(CENSUS_AT_START),
            f.alias("__f"),
        ])
        .with_column(
            ((next_f - col("__f")).cast(DataType::Float64) / lit(SECONDS_PER_HOUR as f64))
                .alias(OCCUPIED_BED_HOURS),
        )
        .filter(col(POINT).lt(lit(grid.end)))
        .with_column(
            (col(POINT) * lit(step * 1_000_000))
                .cast(utc_datetime())
                .alias(PERIOD_START),
        )
        .select(
            [
                key_cols.clone(),
                vec![
                    col(PERIOD_START),
                    col(CENSUS_AT_START),
                    col(OCCUPIED_BED_HOURS),
                ],
            ]
            .concat(),
        ))
}

/// A daily sweep with the day as `date` and the census at its start as
/// `midnight_census`.
fn daily_sweep(
    segments: LazyFrame,
    groups: LazyFrame,
    keys: &[&str],
    grid: TimeGrid,
) -> PolarsResult<LazyFrame> {
    Ok(sweep(segments, groups, keys, grid)?
        .with_columns([
            col(PERIOD_START).dt().date().alias(DATE),
            col(CENSUS_AT_START).alias(MIDNIGHT_CENSUS),
        ])
        .drop(by_name([PERIOD_START, CENSUS_AT_START], true, false)))
}

/// Adds `bed_capacity` (from the network) and `occupancy_pct` = 100 × `measure` /
/// (`bed_capacity` × `hours`).
fn with_capacity(frame: LazyFrame, capacity: LazyFrame, measure: &str, hours: f64) -> LazyFrame {
    frame
        .join(
            capacity.select([col(HOSPITAL_ID), col(DEPARTMENT), col(BED_CAPACITY)]),
            [col(HOSPITAL_ID), col(DEPARTMENT)],
            [col(HOSPITAL_ID), col(DEPARTMENT)],
            join_args(JoinType::Left, JoinValidation::ManyToOne),
        )
        .with_column(
            (ratio(
                col(measure),
                col(BED_CAPACITY).cast(DataType::Float64) * lit(hours),
            ) * lit(100.0))
            .alias(OCCUPANCY_PCT),
        )
}

fn department_groups(capacity: &LazyFrame) -> LazyFrame {
    capacity.clone().select([col(HOSPITAL_ID), col(DEPARTMENT)])
}

/// Hourly occupancy per hospital department.
///
/// # Definition
/// For each hour `[h, h + 1 h)`: bed-hours occupied by admitted intervals (bed
/// segments) overlapping the hour, and the census at `h`.
///
/// # Denominator
/// `bed_capacity` × 1 hour (capacity from the network configuration).
///
/// # Numerator
/// Occupied bed-hours in the hour.
///
/// # Exclusions
/// Intervals without a hospital or department (missing or invalid in every event of the
/// stay); departments without beds.
///
/// # Period
/// Every complete hour from 00:00 UTC of the first interval's day (or
/// `GoldConfig::period_start`) up to the as-of instant; an open interval counts until
/// the as-of instant.
///
/// # Output grain
/// One row per (`hospital_id`, `department`, `hour_start`): `census_at_hour_start`
/// (Int64), `occupied_bed_hours` (Float64), `bed_capacity` (UInt32), `occupancy_pct`
/// (Float64).
///
/// # Example
/// A bed occupied from 10:30 to 12:00 in a 2-bed ward: hour 10:00 has census 0 and
/// 0.5 bed-hours (25 %), hour 11:00 census 1 and 1 bed-hour (50 %).
///
/// ```
/// use clinical_events::gold::{GoldConfig, occupancy_tables};
/// use clinical_events::testkit::{admission, collect, discharge, silver_events, ts};
/// use clinical_events::network::Network;
/// use polars::prelude::*;
///
/// let events = silver_events(&[
///     admission("v1", "p1", "2024-01-01T10:30:00Z", 4, "ICU", "H4-ICU-1"),
///     discharge("v1", "p1", "2024-01-01T10:30:00Z", "2024-01-01T12:00:00Z", 4, "ICU", "H4-ICU-1"),
/// ])?;
/// let mut network = Network::default();
/// network.hospitals.retain(|h| h.id == 4);
/// network.hospitals[0].beds = [("ICU".to_string(), 2)].into();
/// let as_of = ts("2024-01-01T13:00:00Z");
/// let tables = occupancy_tables(events, &network, &GoldConfig::default(), as_of)?;
/// let hourly = tables.iter().find(|t| t.name == "occupancy_hourly").unwrap();
/// let hours_10_and_11 = col("hour_start").dt().hour().is_between(lit(10), lit(11), ClosedInterval::Both);
/// let rows = collect(hourly.frame.clone().filter(hours_10_and_11))?;
/// let pct: Vec<_> = rows.column("occupancy_pct")?.f64()?.into_no_null_iter().collect();
/// assert_eq!(pct, [25.0, 50.0]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// A Polars error while building the plan (not expected).
pub fn hourly_occupancy(
    segments: LazyFrame,
    capacity: LazyFrame,
    grid: TimeGrid,
) -> PolarsResult<LazyFrame> {
    let keys = [HOSPITAL_ID, DEPARTMENT];
    let swept = sweep(segments, department_groups(&capacity), &keys, grid)?.rename(
        [PERIOD_START, CENSUS_AT_START],
        [HOUR_START, CENSUS_AT_HOUR_START],
        true,
    );
    Ok(with_capacity(swept, capacity, OCCUPIED_BED_HOURS, 1.0)
        .sort([HOSPITAL_ID, DEPARTMENT, HOUR_START], stable_sort()))
}

/// Daily occupancy per hospital department.
///
/// # Definition
/// Average occupancy of a day: occupied bed-hours / (24 × beds); also the midnight
/// census (patients in beds at 00:00 UTC) and its occupancy.
///
/// # Denominator
/// `bed_capacity` × 24 hours (midnight: `bed_capacity`).
///
/// # Numerator
/// Occupied bed-hours of the day (midnight: the census at 00:00).
///
/// # Exclusions
/// As [`hourly_occupancy`]; days not complete before the as-of instant.
///
/// # Period
/// Every complete UTC day from the day of the first interval (or
/// `GoldConfig::period_start`) up to the as-of instant.
///
/// # Output grain
/// One row per (`hospital_id`, `department`, `date`): `midnight_census` (Int64),
/// `occupied_bed_hours` (Float64), `bed_capacity`, `occupancy_pct` (average),
/// `midnight_occupancy_pct`.
///
/// # Example
/// One patient in a 4-bed ward from 06:00 to 18:00: 12 bed-hours → 12.5 %, midnight
/// census 0; a patient there since the day before adds 1 to the midnight census.
///
/// # Errors
/// A Polars error while building the plan (not expected).
pub fn daily_occupancy(
    segments: LazyFrame,
    capacity: LazyFrame,
    grid: TimeGrid,
) -> PolarsResult<LazyFrame> {
    let keys = [HOSPITAL_ID, DEPARTMENT];
    let daily = daily_sweep(segments, department_groups(&capacity), &keys, grid)?;
    Ok(with_capacity(daily, capacity, OCCUPIED_BED_HOURS, 24.0)
        .with_column(
            (ratio(col(MIDNIGHT_CENSUS), col(BED_CAPACITY)) * lit(100.0))
                .alias(MIDNIGHT_OCCUPANCY_PCT),
        )
        .sort([HOSPITAL_ID, DEPARTMENT, DATE], stable_sort()))
}

/// Daily occupancy per hospital (all departments).
///
/// # Definition
/// As [`daily_occupancy`], summed over the hospital's departments.
///
/// # Denominator
/// Σ `bed_capacity` of the hospital × 24 hours (midnight: Σ `bed_capacity`).
///
/// # Numerator
/// Σ occupied bed-hours (midnight: Σ midnight census).
///
/// # Exclusions
/// As [`daily_occupancy`].
///
/// # Period
/// As [`daily_occupancy`].
///
/// # Output grain
/// One row per (`hospital_id`, `hospital_name`, `date`): `midnight_census`,
/// `occupied_bed_hours`, `bed_capacity`, `occupancy_pct`, `midnight_occupancy_pct`.
///
/// # Example
/// Two wards of 10 and 30 beds with 240 and 360 bed-hours on a day: 600 / (40 × 24) =
/// 62.5 %.
pub fn hospital_daily_occupancy(daily: LazyFrame, capacity: LazyFrame) -> LazyFrame {
    to_hospitals(daily, capacity, DATE, MIDNIGHT_CENSUS, 24.0).with_column(
        (ratio(col(MIDNIGHT_CENSUS), col(BED_CAPACITY)) * lit(100.0)).alias(MIDNIGHT_OCCUPANCY_PCT),
    )
}

/// Hourly occupancy per hospital (all departments).
///
/// # Definition
/// As [`hourly_occupancy`], summed over the hospital's departments.
///
/// # Denominator
/// Σ `bed_capacity` of the hospital × 1 hour.
///
/// # Numerator
/// Σ occupied bed-hours in the hour.
///
/// # Exclusions
/// As [`hourly_occupancy`].
///
/// # Period
/// As [`hourly_occupancy`].
///
/// # Output grain
/// One row per (`hospital_id`, `hospital_name`, `hour_start`): `census_at_hour_start`,
/// `occupied_bed_hours`, `bed_capacity`, `occupancy_pct`.
///
/// # Example
/// Wards of 10 and 30 beds with 5 and 25 bed-hours in an hour: 30 / 40 = 75 %.
pub fn hospital_hourly_occupancy(hourly: LazyFrame, capacity: LazyFrame) -> LazyFrame {
    to_hospitals(hourly, capacity, HOUR_START, CENSUS_AT_HOUR_START, 1.0)
}

/// Sums a department-grain occupancy frame to hospitals per `period`: the census,
/// bed-hours and beds, and `occupancy_pct` over `period_hours` hours.
fn to_hospitals(
    frame: LazyFrame,
    capacity: LazyFrame,
    period: &str,
    census: &str,
    period_hours: f64,
) -> LazyFrame {
    frame
        .group_by([col(HOSPITAL_ID), col(period)])
        .agg([
            col(census).sum(),
            ordered_sum(col(OCCUPIED_BED_HOURS)).alias(OCCUPIED_BED_HOURS),
            col(BED_CAPACITY)
                .cast(DataType::Int64)
                .sum()
                .alias(BED_CAPACITY),
        ])
        .with_column(
            (ratio(
                col(OCCUPIED_BED_HOURS),
                col(BED_CAPACITY) * lit(period_hours),
            ) * lit(100.0))
            .alias(OCCUPANCY_PCT),
        )
        .join(
            hospital_names(capacity),
            [col(HOSPITAL_ID)],
            [col(HOSPITAL_ID)],
            join_args(JoinType::Left, JoinValidation::ManyToOne),
        )
        .sort([HOSPITAL_ID, period], stable_sort())
}

fn hospital_names(capacity: LazyFrame) -> LazyFrame {
    capacity
        .select([col(HOSPITAL_ID), col(HOSPITAL_NAME)])
        .unique_stable(None, UniqueKeepStrategy::First)
}

/// Intervals in progress at `as_of`: started at or before it and not ended by then.
fn in_bed_at(segments: LazyFrame, as_of: DateTime<Utc>) -> LazyFrame {
    segments.filter(
        col(START_TIME).lt_eq(instant(as_of)).and(
            col(super::stays::END_TIME)
                .is_null()
                .or(col(super::stays::END_TIME).gt(instant(as_of))),
        ),
    )
}

/// Current occupancy per hospital department.
///
/// # Definition
/// Patients in beds at the as-of instant (an interval started at or before it and not
/// ended by then), against the department's beds.
///
/// # Denominator
/// `bed_capacity`.
///
/// # Numerator
/// `census`: intervals in progress at the as-of instant.
///
/// # Exclusions
/// Intervals without a hospital or department.
///
/// # Period
/// The as-of instant.
///
/// # Output grain
/// One row per hospital department of the network: `hospital_id`, `hospital_name`,
/// `department`, `bed_capacity`, `census` (UInt32), `available_beds` (Int64),
/// `occupancy_pct`, `as_of`.
///
/// # Example
/// Three patients admitted and not discharged in a 4-bed ICU: census 3, 1 available,
/// 75 %.
pub fn current_occupancy(
    segments: LazyFrame,
    capacity: LazyFrame,
    as_of: DateTime<Utc>,
) -> LazyFrame {
    let counts = in_bed_at(segments, as_of)
        .group_by([col(HOSPITAL_ID), col(DEPARTMENT)])
        .agg([len().alias(CENSUS)]);
    capacity
        .select([
            col(HOSPITAL_ID),
            col(HOSPITAL_NAME),
            col(DEPARTMENT),
            col(BED_CAPACITY),
        ])
        .join(
            counts,
            [col(HOSPITAL_ID), col(DEPARTMENT)],
            [col(HOSPITAL_ID), col(DEPARTMENT)],
            join_args(JoinType::Left, JoinValidation::OneToOne),
        )
        .with_column(col(CENSUS).fill_null(lit(0)).cast(DataType::UInt32))
        .with_columns([
            (col(BED_CAPACITY).cast(DataType::Int64) - col(CENSUS).cast(DataType::Int64))
                .alias(AVAILABLE_BEDS),
            (ratio(col(CENSUS), col(BED_CAPACITY)) * lit(100.0)).alias(OCCUPANCY_PCT),
            instant(as_of).alias(AS_OF),
        ])
        .sort([HOSPITAL_ID, DEPARTMENT], stable_sort())
}

/// Current occupancy per hospital (all departments).
///
/// # Definition
/// As [`current_occupancy`], summed over the hospital's departments.
///
/// # Denominator
/// Σ `bed_capacity` of the hospital.
///
/// # Numerator
/// Σ census.
///
/// # Exclusions
/// As [`current_occupancy`].
///
/// # Period
/// The as-of instant.
///
/// # Output grain
/// One row per hospital: `hospital_id`, `hospital_name`, `bed_capacity` (Int64),
/// `census` (Int64), `available_beds`, `occupancy_pct`, `as_of`.
///
/// # Example
/// Wards of 10 and 30 beds with 5 and 25 patients: 30 / 40 = 75 %.
pub fn hospital_current_occupancy(current: LazyFrame) -> LazyFrame {
    current
        .group_by_stable([col(HOSPITAL_ID), col(HOSPITAL_NAME)])
        .agg([
            col(BED_CAPACITY).cast(DataType::Int64).sum(),
            col(CENSUS).cast(DataType::Int64).sum(),
            col(AS_OF).first(),
        ])
        .with_columns([
            (col(BED_CAPACITY) - col(CENSUS)).alias(AVAILABLE_BEDS),
            (ratio(col(CENSUS), col(BED_CAPACITY)) * lit(100.0)).alias(OCCUPANCY_PCT),
        ])
        .sort([HOSPITAL_ID], stable_sort())
}

/// `gender` with null as `unknown`.
fn gender_group() -> Expr {
    col(GENDER).fill_null(lit("unknown")).alias(GENDER)
}

/// Current occupancy by gender per hospital department.
///
/// # Definition
/// Patients in beds at the as-of instant by gender, as a share of the department's
/// occupied beds and of its capacity.
///
/// # Denominator
/// `share_of_occupied_pct`: the department's census; `occupancy_pct`: `bed_capacity`.
///
/// # Numerator
/// Census of the gender.
///
/// # Exclusions
/// As [`current_occupancy`]; departments without patients have no rows.
///
/// # Period
/// The as-of instant.
///
/// # Output grain
/// One row per (`hospital_id`, `department`, `gender`) with patients: `census`,
/// `bed_capacity`, `share_of_occupied_pct`, `occupancy_pct`, `as_of`. A missing gender
/// is `unknown`.
///
/// # Example
/// A 4-bed ward with two women and one man: female 2 (66.7 % of occupied, 50 % of
/// beds), male 1 (33.3 %, 25 %).
///
/// # Errors
/// A Polars error while building the plan (not expected).
pub fn gender_occupancy(
    segments: LazyFrame,
    capacity: LazyFrame,
    as_of: DateTime<Utc>,
) -> PolarsResult<LazyFrame> {
    let department_census = col(CENSUS)
        .sum()
        .over([col(HOSPITAL_ID), col(DEPARTMENT)])?;
    let counts = in_bed_at(segments, as_of)
        .with_column(gender_group())
        .group_by([col(HOSPITAL_ID), col(DEPARTMENT), col(GENDER)])
        .agg([len().cast(DataType::Int64).alias(CENSUS)]);
    Ok(with_capacity(counts, capacity, CENSUS, 1.0)
        .filter(col(BED_CAPACITY).is_not_null())
        .with_column(
            (ratio(col(CENSUS), department_census) * lit(100.0)).alias(SHARE_OF_OCCUPIED_PCT),
        )
        .with_column(instant(as_of).alias(AS_OF))
        .sort([HOSPITAL_ID, DEPARTMENT, GENDER], stable_sort()))
}

/// Daily occupancy by gender per hospital department.
///
/// # Definition
/// As [`daily_occupancy`], with bed-hours and midnight census split by the patient's
/// gender.
///
/// # Denominator
/// `bed_capacity` × 24 hours (of the whole department, so the genders of a day add up
/// to the department's occupancy).
///
/// # Numerator
/// Bed-hours of patients of the gender.
///
/// # Exclusions
/// As [`daily_occupancy`].
///
/// # Period
/// As [`daily_occupancy`].
///
/// # Output grain
/// One row per (`hospital_id`, `department`, `gender`, `date`) for every gender seen:
/// `midnight_census`, `occupied_bed_hours`, `bed_capacity`, `occupancy_pct`.
///
/// # Example
/// A 2-bed ward with one woman all day and one man for 12 hours: female 50 %, male 25 %.
///
/// # Errors
/// A Polars error while building the plan (not expected).
pub fn gender_daily_occupancy(
    segments: LazyFrame,
    capacity: LazyFrame,
    grid: TimeGrid,
) -> PolarsResult<LazyFrame> {
    let segments = segments.with_column(gender_group());
    let genders = segments
        .clone()
        .select([col(GENDER)])
        .unique_stable(None, UniqueKeepStrategy::First);
    let groups = department_groups(&capacity).cross_join(genders, None);
    let keys = [HOSPITAL_ID, DEPARTMENT, GENDER];
    let daily = daily_sweep(segments, groups, &keys, grid)?;
    Ok(with_capacity(daily, capacity, OCCUPIED_BED_HOURS, 24.0)
        .sort([HOSPITAL_ID, DEPARTMENT, GENDER, DATE], stable_sort()))
}
