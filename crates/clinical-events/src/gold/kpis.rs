//! Flow KPIs from stays and events: ALOS by department, admissions by priority and day
//! of week, top diagnoses, average vitals by department.

use chrono::{DateTime, Utc};
use medallion_model::expr::{join_args, ordered_mean, ordered_sum, ratio, stable_sort};
use polars::prelude::*;

use super::star::{DAY_NAME, DAY_OF_WEEK};
use super::stays::{DISCHARGE_DEPARTMENT, LOS_HOURS, instant};
use crate::columns::*;
use crate::network::BED_CAPACITY;

/// Column: discharged stays.
pub const DISCHARGES: &str = "discharges";
/// Column: admitted stays.
pub const ADMISSIONS: &str = "admissions";
/// Column: stays.
pub const STAYS: &str = "stays";
/// Column: average length of stay in hours.
pub const ALOS_HOURS: &str = "alos_hours";
/// Column: average length of stay in days (hours / 24).
pub const ALOS_DAYS: &str = "alos_days";
/// Column: median length of stay in hours.
pub const MEDIAN_LOS_HOURS: &str = "median_los_hours";
/// Column: share in percent.
pub const SHARE_PCT: &str = "share_pct";
/// Column: rank (1 = most frequent).
pub const RANK: &str = "rank";
/// Column: readings (events with at least one vital).
pub const READINGS: &str = "readings";

/// Average length of stay by discharging department.
///
/// # Definition
/// Mean of `los_hours` (discharge − admission, in hours) of the stays discharged from
/// the department; also the median, the total and the mean in days (hours / 24).
///
/// # Denominator
/// Discharges: stays with a discharge time at or before the as-of instant.
///
/// # Numerator
/// Σ `los_hours` of those stays.
///
/// # Exclusions
/// Open stays; stays whose discharge precedes their admission (no LOS); stays without a
/// hospital or discharging department.
///
/// # Period
/// All discharges up to the as-of instant.
///
/// # Output grain
/// One row per (`hospital_id`, `department`) with discharges: `discharges` (UInt32),
/// `total_los_hours`, `alos_hours`, `alos_days`, `median_los_hours` (Float64).
///
/// # Example
/// Two ICU stays of 24 h and 72 h: ALOS 48 h = 2.0 days, median 48 h.
///
/// ```
/// use clinical_events::gold::{kpis::alos_by_department, stays::stays};
/// use clinical_events::testkit::{admission, collect, discharge, silver_events, ts};
///
/// let events = silver_events(&[
///     admission("v1", "p1", "2024-01-01T00:00:00Z", 1, "ICU", "H1-ICU-1"),
///     discharge("v1", "p1", "2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z", 1, "ICU", "H1-ICU-1"),
///     admission("v2", "p2", "2024-01-01T00:00:00Z", 1, "ICU", "H1-ICU-2"),
///     discharge("v2", "p2", "2024-01-01T00:00:00Z", "2024-01-04T00:00:00Z", 1, "ICU", "H1-ICU-2"),
/// ])?;
/// let alos = collect(alos_by_department(stays(events, ts("2024-02-01T00:00:00Z"))))?;
/// assert_eq!(alos.column("alos_hours")?.f64()?.get(0), Some(48.0));
/// assert_eq!(alos.column("alos_days")?.f64()?.get(0), Some(2.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn alos_by_department(stays: LazyFrame) -> LazyFrame {
    stays
        .filter(
            col(LOS_HOURS)
                .is_not_null()
                .and(col(HOSPITAL_ID).is_not_null())
                .and(col(DISCHARGE_DEPARTMENT).is_not_null()),
        )
        .group_by([
            col(HOSPITAL_ID),
            col(DISCHARGE_DEPARTMENT).alias(DEPARTMENT),
        ])
        .agg([
            len().alias(DISCHARGES),
            ordered_sum(col(LOS_HOURS)).alias("total_los_hours"),
            ordered_mean(col(LOS_HOURS)).alias(ALOS_HOURS),
            col(LOS_HOURS).median().alias(MEDIAN_LOS_HOURS),
        ])
        .with_column((col(ALOS_HOURS) / lit(24.0)).alias(ALOS_DAYS))
        .sort([HOSPITAL_ID, DEPARTMENT], stable_sort())
}

/// Admissions by priority and day of week.
///
/// # Definition
/// Stays counted on the UTC weekday of their admission, by admission priority.
///
/// # Denominator
/// `share_pct`: all admissions of the period.
///
/// # Numerator
/// Admissions of the priority on that weekday.
///
/// # Exclusions
/// None; a missing priority is `unknown`. A stay counts once however many `ADMISSION`
/// events (replays) it has.
///
/// # Period
/// Stays admitted up to the as-of instant.
///
/// # Output grain
/// One row per (`admission_priority`, `day_of_week`) with admissions: `day_name`,
/// `admissions` (UInt32), `share_pct`.
///
/// # Example
/// Three Emergency admissions on a Monday and one Elective on a Saturday: (Emergency,
/// 1, Monday, 3, 75 %), (Elective, 6, Saturday, 1, 25 %).
pub fn admissions_by_priority_and_weekday(stays: LazyFrame) -> LazyFrame {
    stays
        .with_columns([
            col(ADMISSION_PRIORITY).fill_null(lit("unknown")),
            col(ADMISSION_TIME).dt().weekday().alias(DAY_OF_WEEK),
            col(ADMISSION_TIME).dt().strftime("%A").alias(DAY_NAME),
        ])
        .group_by([col(ADMISSION_PRIORITY), col(DAY_OF_WEEK), col(DAY_NAME)])
        .agg([len().alias(ADMISSIONS)])
        .with_column((ratio(col(ADMISSIONS), col(ADMISSIONS).sum()) * lit(100.0)).alias(SHARE_PCT))
        .sort([ADMISSION_PRIORITY, DAY_OF_WEEK], stable_sort())
}

/// The most frequent admitting diagnoses.
///
/// # Definition
/// Stays per ICD-10 `diagnosis_code` (the first code of the stay), ranked by count
/// (ties by code), keeping the top `n`; with the ALOS of their discharged stays.
///
/// # Denominator
/// `share_pct`: all stays with a diagnosis.
///
/// # Numerator
/// Stays with the code.
///
/// # Exclusions
/// Stays without a diagnosis code.
///
/// # Period
/// Stays admitted up to the as-of instant.
///
/// # Output grain
/// One row per rank (1 … `n`): `rank` (UInt32), `diagnosis_code`, `stays`, `share_pct`,
/// `alos_hours` (null when none of its stays is discharged).
///
/// # Example
/// Codes J18.9 ×3, I21.4 ×1 with n = 1: one row (1, J18.9, 3, 75 %).
pub fn top_diagnoses(stays: LazyFrame, n: u32) -> LazyFrame {
    stays
        .filter(col(DIAGNOSIS_CODE).is_not_null())
        .group_by([col(DIAGNOSIS_CODE)])
        .agg([
            len().alias(STAYS),
            ordered_mean(col(LOS_HOURS)).alias(ALOS_HOURS),
        ])
        .with_column((ratio(col(STAYS), col(STAYS).sum()) * lit(100.0)).alias(SHARE_PCT))
        .sort_by_exprs(
            [col(STAYS), col(DIAGNOSIS_CODE)],
            SortMultipleOptions::default()
                .with_order_descending_multi([true, false])
                .with_maintain_order(true),
        )
        .limit(n)
        .with_row_index(RANK, Some(1))
        .with_column(col(RANK).cast(DataType::UInt32))
        .select([
            col(RANK),
            col(DIAGNOSIS_CODE),
            col(STAYS),
            col(SHARE_PCT),
            col(ALOS_HOURS),
        ])
}

/// Average vitals by department.
///
/// # Definition
/// Mean heart rate, systolic and diastolic blood pressure, temperature (°F) and SpO2
/// over the events recorded in the department, each over its non-null values.
///
/// # Denominator
/// Events of the department with the vital present.
///
/// # Numerator
/// Σ the vital's values.
///
/// # Exclusions
/// Events after the as-of instant, events without hospital or department, and
/// departments outside the network.
///
/// # Period
/// Events up to the as-of instant.
///
/// # Output grain
/// One row per (`hospital_id`, `department`) with readings: `readings` (UInt32, events
/// with at least one vital), `avg_heart_rate`, `avg_bp_systolic`, `avg_bp_diastolic`,
/// `avg_temperature_f`, `avg_spo2` (Float64).
///
/// # Example
/// Heart rates 80 and 100 in one ICU: `avg_heart_rate` 90.
pub fn vitals_by_department(
    events: LazyFrame,
    capacity: LazyFrame,
    as_of: DateTime<Utc>,
) -> LazyFrame {
    let any_vital = VITALS
        .iter()
        .map(|v| col(*v).is_not_null())
        .reduce(Expr::or)
        .unwrap_or_else(|| lit(false));
    let mut aggregates = vec![any_vital.sum().cast(DataType::UInt32).alias(READINGS)];
    aggregates.extend(VITALS.map(|v| ordered_mean(col(v)).alias(format!("avg_{v}"))));
    events
        .filter(
            col(EVENT_TIMESTAMP)
                .lt_eq(instant(as_of))
                .and(col(HOSPITAL_ID).is_not_null())
                .and(col(DEPARTMENT).is_not_null()),
        )
        .join(
            capacity.select([col(HOSPITAL_ID), col(DEPARTMENT), col(BED_CAPACITY)]),
            [col(HOSPITAL_ID), col(DEPARTMENT)],
            [col(HOSPITAL_ID), col(DEPARTMENT)],
            join_args(JoinType::Inner, JoinValidation::ManyToOne),
        )
        .group_by([col(HOSPITAL_ID), col(DEPARTMENT)])
        .agg(aggregates)
        .filter(col(READINGS).gt(lit(0)))
        .sort([HOSPITAL_ID, DEPARTMENT], stable_sort())
}
