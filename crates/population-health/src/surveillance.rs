//! Disease surveillance: new cases per day and week of the conditions of interest, with
//! rolling averages and incidence per 100,000, computed in full or updated incrementally
//! from the silver rows of new batches.
//!
//! Both tables are functions of two small intermediate results: the new cases per
//! (condition, day) and the population per day. A full computation derives the counts
//! from every silver condition; an update ([`surveillance_update`]) recounts only the
//! days that new rows touch (from all rows of those days, so a re-delivered row is not
//! counted twice), keeps the previous counts of every other day, and rebuilds both tables
//! from these counts — so the result is exactly the full computation (property-tested in
//! `tests/surveillance_props.rs`). [`changed_rows`] then says which rows differ from the
//! previous tables: the rows a MERGE by day key rewrites.

use chrono::NaiveDate;
use ehr_quality_metrics::ValueSet;
use medallion_model::calendar::date_key;
use medallion_model::expr::{add_days, epoch_day, ratio, stable_sort, typed_null};
use polars::prelude::*;
use synthea_schema::TableKind;
use synthea_schema::columns::{conditions, patients, require};

use crate::columns::*;
use crate::config::{INCIDENCE_PER, SurveillanceConfig};
use crate::error::Result;
use crate::util::{date_lit, row_number_over, string_columns};

/// Version of the definition of `disease_prevalence_daily`.
pub const DAILY_METRIC_VERSION: &str = "disease-surveillance-daily-1";
/// Version of the definition of `condition_incidence_weekly`.
pub const WEEKLY_METRIC_VERSION: &str = "disease-surveillance-weekly-1";
/// Key columns of the daily table (a MERGE matches on them).
pub const DAILY_KEYS: [&str; 2] = [CONDITION, DATE];
/// Key columns of the weekly table (a MERGE matches on them).
pub const WEEKLY_KEYS: [&str; 2] = [CONDITION, WEEK_START];
/// Decimals float columns are compared at by [`changed_rows`] (the precision gold keeps).
pub const COMPARE_DECIMALS: u32 = 9;

const CUM: &str = "__cum";
const DAY_NO: &str = "__day_no";

/// Silver inputs of the surveillance tables.
#[derive(Clone)]
pub struct SurveillanceInputs {
    /// Silver `patients` (the population per day).
    pub patients: LazyFrame,
    /// Silver `conditions` (every row: a full computation reads all of them; an update
    /// reads only the rows of the days it recounts).
    pub conditions: LazyFrame,
}

/// The two surveillance tables.
#[derive(Clone)]
pub struct Surveillance {
    /// `disease_prevalence_daily`, see [`surveillance`].
    pub daily: LazyFrame,
    /// `condition_incidence_weekly`, see [`surveillance`].
    pub weekly: LazyFrame,
}

/// The result of an incremental update.
#[derive(Clone)]
pub struct SurveillanceUpdate {
    /// The complete updated tables (equal to a full computation).
    pub tables: Surveillance,
    /// The daily rows that differ from the previous table or are new.
    pub changed_daily: LazyFrame,
    /// The weekly rows that differ from the previous table or are new.
    pub changed_weekly: LazyFrame,
    /// The onset days (`date`) the new rows touched, recounted.
    pub recounted_days: LazyFrame,
}

/// New cases per day and per week of each condition of interest, with rolling averages
/// and incidence per 100,000 population.
///
/// # Definition
/// A *case* is a patient with a silver `conditions` row whose code is in the value set
/// of a condition of interest ([`SurveillanceConfig::conditions`]), on the row's onset
/// date (`start`). `new_cases` of a day counts distinct patients with an onset that day
/// (the same patient twice the same day is one case; a recurrence on another day is a
/// new case). The *population* of a day counts the patients born on or before it and
/// not dead before it (`death_date` ≥ day). Rolling averages are the mean of
/// `new_cases` over the 7 and 28 days ending on the day (null while fewer days of the
/// period precede it). The weekly table sums the days of each ISO week (Monday start);
/// its population is the population on the week's first day in the period and its
/// `new_cases_4w_avg` the mean over the 4 weeks ending with it.
///
/// # Denominator
/// `population` of the day (weekly: of the week's first day in the period).
///
/// # Numerator
/// `new_cases`; `incidence_per_100k` = new_cases / population × 100,000 (null when the
/// population is 0).
///
/// # Exclusions
/// Codes outside the value sets; onsets outside the period.
///
/// # Period
/// [`SurveillanceConfig::period_days`] days ending on `as_of`; every day of it has a row
/// per condition (zero cases included).
///
/// # Output grain
/// Daily, one row per (`condition`, `date`):
///
/// | column | dtype | meaning |
/// |---|---|---|
/// | condition | String | value set name |
/// | date | Date | the day |
/// | date_key | Int32 | `yyyymmdd`, joins `dim_date` |
/// | new_cases | Int64 | distinct patients with an onset that day |
/// | population | Int64 | patients alive that day |
/// | new_cases_7d_avg | Float64 | mean over 7 days ending on `date` |
/// | new_cases_28d_avg | Float64 | mean over 28 days ending on `date` |
/// | incidence_per_100k | Float64 | new_cases / population × 100,000 |
///
/// Weekly, one row per (`condition`, `week_start`): `condition`, `week_start` (Date,
/// Monday), `days_in_period` (Int64), `new_cases` (Int64), `population` (Int64),
/// `new_cases_4w_avg` (Float64), `incidence_per_100k` (Float64).
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use ehr_population_health::prelude::*;
/// use polars::prelude::*;
/// use synthea_schema::normalize::{NormalizeConfig, normalize};
/// use synthea_schema::{SyntheaVersion, TableKind};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let n = |t, raw: DataFrame| normalize(t, SyntheaVersion::V3Latest, raw.lazy(), &NormalizeConfig::default());
/// let inputs = SurveillanceInputs {
///     patients: n(TableKind::Patients, df!("Id" => ["p", "q"], "BIRTHDATE" => ["1980-01-01", "1990-01-01"])?)?,
///     conditions: n(TableKind::Conditions, df!("PATIENT" => ["p"], "CODE" => ["6142004"], "START" => ["2024-01-30"])?)?,
/// };
/// let config = SurveillanceConfig::default().with_period_days(7);
/// let as_of = NaiveDate::from_ymd_opt(2024, 1, 31).unwrap_or_default();
/// let daily = surveillance(&inputs, &config, as_of)?
///     .daily
///     .filter(col("condition").eq(lit("influenza")))
///     .collect()?;
/// assert_eq!(daily.height(), 7);
/// assert_eq!(daily.column("new_cases")?.i64()?.get(5), Some(1));
/// assert_eq!(daily.column("incidence_per_100k")?.f64()?.get(5), Some(50_000.0));
/// assert_eq!(daily.column("new_cases_7d_avg")?.f64()?.get(6), Some(1.0 / 7.0));
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// Inputs that are not silver tables; an empty period.
pub fn surveillance(
    inputs: &SurveillanceInputs,
    config: &SurveillanceConfig,
    as_of: NaiveDate,
) -> Result<Surveillance> {
    let period = config.period(as_of)?;
    let counts = daily_counts(onsets(inputs.conditions.clone(), config, period)?);
    build(counts, inputs.patients.clone(), config, period)
}

/// Updates `previous` (the tables of an earlier run with the same configuration and
/// as-of date) with `new_conditions`, the silver `conditions` rows added since; the
/// result equals [`surveillance`] over all rows.
///
/// Steps: the onset days of the new rows in the period are recounted from the rows of
/// `inputs.conditions` with an onset on those days (all of them, old and new); every
/// other day keeps its previous count; the population is recomputed from
/// `inputs.patients` (small); both tables are rebuilt from these counts (a few rows per
/// day), and [`changed_rows`] compares them with `previous`.
///
/// # Errors
/// Inputs that are not silver tables; an empty period.
pub fn surveillance_update(
    previous: &Surveillance,
    inputs: &SurveillanceInputs,
    new_conditions: LazyFrame,
    config: &SurveillanceConfig,
    as_of: NaiveDate,
) -> Result<SurveillanceUpdate> {
    let period = config.period(as_of)?;
    let recounted_days = onsets(new_conditions, config, period)?
        .select([col(DATE)])
        .unique_stable(None, UniqueKeepStrategy::First);
    let touched = inputs.conditions.clone().join(
        recounted_days.clone(),
        [col(conditions::START)],
        [col(DATE)],
        JoinArgs::new(JoinType::Semi),
    );
    let recount = daily_counts(onsets(touched, config, period)?);
    let kept = previous
        .daily
        .clone()
        .select([col(CONDITION), col(DATE), col(NEW_CASES)])
        .filter(col(NEW_CASES).gt(lit(0i64)))
        .join(
            recounted_days.clone(),
            [col(DATE)],
            [col(DATE)],
            JoinArgs::new(JoinType::Anti),
        );
    let counts = concat([kept, recount], UnionArgs::default())?;
    let tables = build(counts, inputs.patients.clone(), config, period)?;
    Ok(SurveillanceUpdate {
        changed_daily: changed_rows(previous.daily.clone(), tables.daily.clone(), &DAILY_KEYS)?,
        changed_weekly: changed_rows(previous.weekly.clone(), tables.weekly.clone(), &WEEKLY_KEYS)?,
        tables,
        recounted_days,
    })
}

/// The rows of `next` that are not in `previous` with equal values (by `keys`; floats
/// compared at [`COMPARE_DECIMALS`] decimals, nulls equal to nulls): what a MERGE that
/// updates matched rows and inserts the others must write to turn `previous` into
/// `next`. Both frames have the same columns.
///
/// # Errors
/// Polars errors while resolving the schema of `next`.
pub fn changed_rows(previous: LazyFrame, next: LazyFrame, keys: &[&str]) -> Result<LazyFrame> {
    let mut next = next;
    let schema = next.collect_schema()?;
    let prev_name = |n: &str| format!("__prev_{n}");
    let comparable = |e: Expr, dtype: &DataType| {
        if dtype.is_float() {
            e.round(COMPARE_DECIMALS, RoundMode::HalfToEven)
        } else {
            e
        }
    };
    let values: Vec<(String, DataType)> = schema
        .iter()
        .filter(|(n, _)| !keys.contains(&n.as_str()))
        .map(|(n, d)| (n.to_string(), d.clone()))
        .collect();
    let renamed: Vec<Expr> = keys
        .iter()
        .map(|k| col(*k))
        .chain(
            values
                .iter()
                .map(|(n, _)| col(n.as_str()).alias(prev_name(n))),
        )
        .chain([lit(true).alias("__prev_exists")])
        .collect();
    let differs = values
        .iter()
        .fold(col("__prev_exists").is_null(), |acc, (n, d)| {
            let same = comparable(col(n.as_str()), d).eq_missing(comparable(col(prev_name(n)), d));
            acc.or(same.not())
        });
    let key_exprs: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
    Ok(next
        .join(
            previous.select(renamed),
            key_exprs.clone(),
            key_exprs,
            JoinArgs::new(JoinType::Left),
        )
        .filter(differs)
        .select(
            schema
                .iter_names()
                .map(|n| col(n.clone()))
                .collect::<Vec<_>>(),
        ))
}

/// Pairs (condition, code) of the configured value sets.
fn value_set_codes(sets: &[ValueSet]) -> Result<LazyFrame> {
    let pairs: Vec<(String, String)> = sets
        .iter()
        .flat_map(|s| s.codes.iter().map(|c| (s.name.clone(), c.clone())))
        .collect();
    string_columns(vec![
        (CONDITION, pairs.iter().map(|p| p.0.clone()).collect()),
        (
            conditions::CODE,
            pairs.iter().map(|p| p.1.clone()).collect(),
        ),
    ])
}

/// Distinct (condition, onset date, patient) of the rows in the value sets and period.
fn onsets(
    conditions_frame: LazyFrame,
    config: &SurveillanceConfig,
    (first, last): (NaiveDate, NaiveDate),
) -> Result<LazyFrame> {
    use conditions::{CODE, PATIENT_ID, START};
    let mut frame = conditions_frame;
    require(
        TableKind::Conditions,
        &mut frame,
        &[PATIENT_ID, CODE, START],
    )?;
    Ok(frame
        .filter(
            col(START)
                .gt_eq(date_lit(first))
                .and(col(START).lt_eq(date_lit(last)))
                .and(col(PATIENT_ID).is_not_null()),
        )
        .select([col(PATIENT_ID), col(CODE), col(START).alias(DATE)])
        .join(
            value_set_codes(&config.conditions)?,
            [col(CODE)],
            [col(CODE)],
            JoinArgs::new(JoinType::Inner),
        )
        .select([col(CONDITION), col(DATE), col(PATIENT_ID)])
        .unique_stable(None, UniqueKeepStrategy::First))
}

/// New cases per (condition, date) with at least one case.
fn daily_counts(onsets: LazyFrame) -> LazyFrame {
    onsets
        .group_by([col(CONDITION), col(DATE)])
        .agg([len().cast(DataType::Int64).alias(NEW_CASES)])
}

/// Every day of the period, in order.
fn period_days((first, last): (NaiveDate, NaiveDate)) -> LazyFrame {
    let days: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= last).collect();
    DataFrame::new_infer_height(vec![Column::new(DATE.into(), days)])
        .unwrap_or_default()
        .lazy()
}

/// Patients alive on each day of the period: +1 on the first day alive in the period,
/// −1 on the day after death, summed over the days.
fn population_by_day(
    patients_frame: LazyFrame,
    (first, last): (NaiveDate, NaiveDate),
) -> Result<LazyFrame> {
    use patients::{BIRTH_DATE, DEATH_DATE, PATIENT_ID};
    let mut frame = patients_frame;
    require(
        TableKind::Patients,
        &mut frame,
        &[PATIENT_ID, BIRTH_DATE, DEATH_DATE],
    )?;
    let alive_in_period = frame
        .unique_stable(Some(cols([PATIENT_ID])), UniqueKeepStrategy::First)
        .filter(
            col(BIRTH_DATE).lt_eq(date_lit(last)).and(
                col(DEATH_DATE)
                    .is_null()
                    .or(col(DEATH_DATE).gt_eq(date_lit(first))),
            ),
        );
    let enter = alive_in_period.clone().select([
        when(col(BIRTH_DATE).lt(date_lit(first)))
            .then(date_lit(first))
            .otherwise(col(BIRTH_DATE))
            .alias(DATE),
        lit(1i64).cast(DataType::Int64).alias(POPULATION),
    ]);
    let leave = alive_in_period
        .filter(col(DEATH_DATE).lt(date_lit(last)))
        .select([
            add_days(col(DEATH_DATE), 1).alias(DATE),
            lit(-1i64).cast(DataType::Int64).alias(POPULATION),
        ]);
    let deltas = concat([enter, leave], UnionArgs::default())?
        .group_by([col(DATE)])
        .agg([col(POPULATION).sum()]);
    Ok(period_days((first, last))
        .join(
            deltas,
            [col(DATE)],
            [col(DATE)],
            JoinArgs::new(JoinType::Left),
        )
        .sort([DATE], stable_sort())
        .select([
            col(DATE),
            col(POPULATION)
                .fill_null(lit(0i64))
                .cum_sum(false)
                .cast(DataType::Int64)
                .alias(POPULATION),
        ]))
}

/// Mean of `value` over the `window` rows ending at each row of its `CONDITION`
/// partition (rows sorted by time), from differences of a cumulative sum (exact for
/// counts); null for the first `window − 1` rows.
fn trailing_mean(window: i64) -> Result<Expr> {
    let before = col(CUM)
        .shift(lit(window))
        .over([col(CONDITION)])?
        .fill_null(lit(0i64));
    Ok(when(col(DAY_NO).gt_eq(lit(window)))
        .then((col(CUM) - before).cast(DataType::Float64) / lit(window as f64))
        .otherwise(typed_null(DataType::Float64)))
}

/// Both tables from the counts per (condition, date) and the patients.
fn build(
    counts: LazyFrame,
    patients_frame: LazyFrame,
    config: &SurveillanceConfig,
    period: (NaiveDate, NaiveDate),
) -> Result<Surveillance> {
    let mut names: Vec<String> = config.conditions.iter().map(|s| s.name.clone()).collect();
    names.dedup();
    let grid = period_days(period)
        .cross_join(string_columns(vec![(CONDITION, names)])?, None)
        .join(
            counts,
            [col(CONDITION), col(DATE)],
            [col(CONDITION), col(DATE)],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            population_by_day(patients_frame, period)?,
            [col(DATE)],
            [col(DATE)],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(col(NEW_CASES).fill_null(lit(0i64)))
        .sort([CONDITION, DATE], stable_sort())
        .with_columns([
            col(NEW_CASES)
                .cum_sum(false)
                .over([col(CONDITION)])?
                .alias(CUM),
            row_number_over(CONDITION)?.alias(DAY_NO),
        ]);
    let daily = grid
        .with_columns([
            trailing_mean(7)?.alias(NEW_CASES_7D_AVG),
            trailing_mean(28)?.alias(NEW_CASES_28D_AVG),
            (ratio(col(NEW_CASES), col(POPULATION)) * lit(INCIDENCE_PER)).alias(INCIDENCE_PER_100K),
            date_key(col(DATE)).alias(DATE_KEY),
        ])
        .select(
            [
                CONDITION,
                DATE,
                DATE_KEY,
                NEW_CASES,
                POPULATION,
                NEW_CASES_7D_AVG,
                NEW_CASES_28D_AVG,
                INCIDENCE_PER_100K,
            ]
            .map(col),
        );
    let weekly = weekly_table(daily.clone())?;
    Ok(Surveillance { daily, weekly })
}

/// The weekly table from the daily one.
fn weekly_table(daily: LazyFrame) -> Result<LazyFrame> {
    let monday = (epoch_day(col(DATE))
        - (col(DATE).dt().weekday().cast(DataType::Int32) - lit(1i32)))
    .cast(DataType::Date);
    Ok(daily
        .sort([CONDITION, DATE], stable_sort())
        .with_column(monday.alias(WEEK_START))
        .group_by_stable([col(CONDITION), col(WEEK_START)])
        .agg([
            len().cast(DataType::Int64).alias(DAYS_IN_PERIOD),
            col(NEW_CASES).sum().alias(NEW_CASES),
            col(POPULATION).first().alias(POPULATION),
        ])
        .with_columns([
            col(NEW_CASES)
                .cum_sum(false)
                .over([col(CONDITION)])?
                .alias(CUM),
            row_number_over(CONDITION)?.alias(DAY_NO),
        ])
        .with_columns([
            trailing_mean(4)?.alias(NEW_CASES_4W_AVG),
            (ratio(col(NEW_CASES), col(POPULATION)) * lit(INCIDENCE_PER)).alias(INCIDENCE_PER_100K),
        ])
        .select(
            [
                CONDITION,
                WEEK_START,
                DAYS_IN_PERIOD,
                NEW_CASES,
                POPULATION,
                NEW_CASES_4W_AVG,
                INCIDENCE_PER_100K,
            ]
            .map(col),
        ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::testkit::*;

    const FLU: &str = "6142004";

    fn config(days: u32) -> SurveillanceConfig {
        SurveillanceConfig {
            period_days: days,
            ..Default::default()
        }
    }

    fn pats() -> LazyFrame {
        patients(&[
            ("p", "1980-01-01", "", "F", "white"),
            ("q", "1980-01-01", "", "F", "white"),
            // Born on day 3, dies on day 5 of the period.
            ("r", "2024-01-03", "2024-01-05", "F", "white"),
            // Dead before the period: never counted.
            ("s", "1950-01-01", "2023-01-01", "F", "white"),
        ])
    }

    fn flu(frame: LazyFrame) -> DataFrame {
        frame
            .filter(col(CONDITION).eq(lit("influenza")))
            .collect_big()
    }

    #[test]
    fn new_cases_count_distinct_patients_per_day_with_trailing_averages() {
        let inputs = SurveillanceInputs {
            patients: pats(),
            conditions: conditions(&[
                ("p", FLU, "2024-01-02", ""),
                ("p", FLU, "2024-01-02", ""),
                ("q", FLU, "2024-01-02", ""),
                ("q", FLU, "2024-01-08", ""),
                // Outside the period / not a condition of interest.
                ("q", FLU, "2023-12-31", ""),
                ("q", "12345", "2024-01-03", ""),
            ]),
        };
        let out = surveillance(&inputs, &config(8), date("2024-01-08")).unwrap();
        let daily = flu(out.daily);
        assert_eq!(i64s(&daily, NEW_CASES), [0, 2, 0, 0, 0, 0, 0, 1].map(Some));
        let avg7 = f64s(&daily, NEW_CASES_7D_AVG);
        assert_eq!(avg7[..6], [None; 6]);
        assert_eq!(avg7[6..], [Some(2.0 / 7.0), Some(3.0 / 7.0)]);
        assert!(f64s(&daily, NEW_CASES_28D_AVG).iter().all(Option::is_none));
        assert_eq!(f64s(&daily, INCIDENCE_PER_100K)[1], Some(100_000.0));
        assert_eq!(strs(&daily, DATE_KEY)[0], "20240101");
    }

    #[test]
    fn population_counts_patients_alive_each_day_of_the_period() {
        let inputs = SurveillanceInputs {
            patients: pats(),
            conditions: conditions(&[]),
        };
        let out = surveillance(&inputs, &config(8), date("2024-01-08")).unwrap();
        let daily = flu(out.daily);
        assert_eq!(i64s(&daily, POPULATION), [2, 2, 3, 3, 3, 2, 2, 2].map(Some));
    }

    #[test]
    fn weeks_start_on_monday_and_sum_their_days() {
        let inputs = SurveillanceInputs {
            patients: pats(),
            conditions: conditions(&[
                ("p", FLU, "2024-01-07", ""),
                ("q", FLU, "2024-01-08", ""),
                ("p", FLU, "2024-01-09", ""),
            ]),
        };
        // 2024-01-01 is a Monday; the period is 2024-01-03 .. 2024-01-10.
        let weekly = flu(surveillance(&inputs, &config(8), date("2024-01-10"))
            .unwrap()
            .weekly);
        assert_eq!(strs(&weekly, WEEK_START), ["2024-01-01", "2024-01-08"]);
        assert_eq!(i64s(&weekly, DAYS_IN_PERIOD), [Some(5), Some(3)]);
        assert_eq!(i64s(&weekly, NEW_CASES), [Some(1), Some(2)]);
        assert_eq!(i64s(&weekly, POPULATION), [Some(3), Some(2)]);
        assert_eq!(f64s(&weekly, NEW_CASES_4W_AVG), [None, None]);
    }

    #[test]
    fn a_late_row_for_an_old_day_changes_only_the_days_its_windows_cover() {
        on_big_stack(late_row_changes_only_its_windows);
    }

    fn late_row_changes_only_its_windows() {
        let batch1 = conditions(&[("p", FLU, "2024-01-02", ""), ("q", FLU, "2024-03-01", "")]);
        let late = conditions(&[("q", FLU, "2024-01-10", "")]);
        let all = concat([batch1.clone(), late.clone()], UnionArgs::default()).unwrap();
        // The period starts on 2023-12-03: every window around the late day is complete.
        let (as_of, cfg) = (date("2024-03-31"), config(120));
        let previous = surveillance(
            &SurveillanceInputs {
                patients: pats(),
                conditions: batch1,
            },
            &cfg,
            as_of,
        )
        .unwrap();
        let inputs = SurveillanceInputs {
            patients: pats(),
            conditions: all,
        };
        let update = surveillance_update(&previous, &inputs, late, &cfg, as_of).unwrap();
        let full = surveillance(&inputs, &cfg, as_of).unwrap();
        assert!(
            update
                .tables
                .daily
                .collect_big()
                .equals_missing(&full.daily.collect_big())
        );
        assert!(
            update
                .tables
                .weekly
                .collect_big()
                .equals_missing(&full.weekly.collect_big())
        );
        let changed = update.changed_daily.collect_big();
        assert_eq!(
            strs(&changed, CONDITION)
                .iter()
                .filter(|c| *c != "influenza")
                .count(),
            0
        );
        let days = strs(&changed, DATE);
        assert_eq!(
            days.len(),
            28,
            "the day and the 27 days whose 28-day window holds it"
        );
        assert_eq!(days.first().map(String::as_str), Some("2024-01-10"));
        assert_eq!(days.last().map(String::as_str), Some("2024-02-06"));
        let weeks = strs(&update.changed_weekly.collect_big(), WEEK_START);
        assert_eq!(
            weeks,
            ["2024-01-08", "2024-01-15", "2024-01-22", "2024-01-29"]
        );
    }

    #[test]
    fn changed_rows_treat_equal_nulls_as_equal_and_new_keys_as_changed() {
        let prev = df!("k" => [1, 2], "v" => [None, Some(1.0)]).unwrap().lazy();
        let next = df!("k" => [1, 2, 3], "v" => [None, Some(1.0 + 1e-12), Some(0.0)])
            .unwrap()
            .lazy();
        let out = changed_rows(prev, next, &["k"]).unwrap().collect_big();
        assert_eq!(out.column("k").unwrap().i32().unwrap().get(0), Some(3));
        assert_eq!(out.height(), 1);
    }
}
