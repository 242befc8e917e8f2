//! Medication adherence as the PQA proportion of days covered (PDC) per patient and drug
//! class, and adherence rates per class.

use chrono::NaiveDate;
use medallion_model::expr::{
    epoch_day, epoch_day_lit, join_args, ordered_mean, ratio, stable_sort, typed_null,
};
use polars::prelude::*;
use synthea_schema::TableKind;
use synthea_schema::columns::medications::{CODE, DISPENSES, PATIENT_ID, START_DATE, STOP_DATE};
use synthea_schema::columns::{patients, require};

use crate::columns::*;
use crate::config::{AdherenceConfig, MeasurementPeriod};
use crate::error::Result;
use crate::util::{max2, min2, patient_births, sum_u32};

/// Version of the definition of PDC adherence (`medication_adherence`),
/// recorded with its gold tables. Change it whenever the rows would change for the same
/// inputs.
pub const METRIC_VERSION: &str = "pdc-adherence-2";

/// Version of [`adherence_rates`] (gold `adherence_rates`): the version of the
/// patient-level definition ([`METRIC_VERSION`]) it aggregates, then that of the
/// aggregation. Change it whenever either changes.
pub const RATES_METRIC_VERSION: &str = "pdc-adherence-2/rates-1";

/// Inputs of [`medication_adherence`].
#[derive(Clone)]
pub struct AdherenceInputs {
    /// Silver `medications`.
    pub medications: LazyFrame,
    /// Silver `patients` (`birth_date`).
    pub patients: LazyFrame,
}

/// Output schema of [`medication_adherence`].
pub fn adherence_schema() -> Schema {
    Schema::from_iter([
        Field::new(PATIENT_ID.into(), DataType::String),
        Field::new(DRUG_CLASS.into(), DataType::String),
        Field::new("first_fill_date".into(), DataType::Date),
        Field::new("fill_count".into(), DataType::UInt32),
        Field::new("distinct_fill_dates".into(), DataType::UInt32),
        Field::new("treatment_days".into(), DataType::Int32),
        Field::new("covered_days".into(), DataType::Int32),
        Field::new("pdc".into(), DataType::Float64),
        Field::new("age_at_period_start".into(), DataType::Int32),
        Field::new("eligible_flag".into(), DataType::Boolean),
        Field::new("exclusion_reason".into(), DataType::String),
        Field::new("adherent_flag".into(), DataType::Boolean),
    ])
}

/// PQA PDC per patient × drug class.
///
/// # Definition
/// Fills: each `medications` row with `dispenses` = n ≥ 1 is n fills spread evenly
/// over [`start_date`, `stop_date`) — or, for a prescription still running (no `stop`),
/// over [`start_date`, `as_of`] with both days included, so it covers the as-of day and a
/// fully covered patient has PDC 1.0: with span = the days from start to the end (at
/// least one: a prescription that starts and stops the same day supplies one day), fill k (0-based) is dispensed on start + ⌊k·span/n⌋ and supplies
/// ⌊(k+1)·span/n⌋ − ⌊k·span/n⌋ days (days supply = span / n; the supplies add up to the
/// span exactly). Codes map to classes by [`AdherenceConfig::drug_classes`]; same code =
/// same drug. Only fills dispensed in the period count. Same-drug fills that overlap
/// shift to the day after the prior supply ends; different drugs of a class are not
/// shifted, and a day covered by any of them counts once. Supply is truncated at the
/// period end. Treatment period = first fill .. period end, both inclusive.
/// PDC = covered days / treatment days; adherent ⇔ eligible and PDC ≥
/// [`AdherenceConfig::threshold`].
///
/// # Denominator
/// `eligible_flag`: age ≥ 18 at the period start, ≥ 2 fills on different dates in the
/// period, first fill ≥ 91 days before the period end (all configurable).
///
/// # Numerator
/// `adherent_flag` (a subset of the denominator).
///
/// # Exclusions
/// `exclusion_reason`: `unknown_age`, `under_age`, `single_fill_date`, `late_first_fill`
/// (checked in this order; null when eligible).
///
/// # Period
/// `period` (inclusive); `as_of` closes prescriptions without `stop` (the as-of day
/// itself is covered).
///
/// # Output grain
/// One row per (`patient_id`, `drug_class`) with a fill in the period:
///
/// | column | dtype | meaning |
/// |---|---|---|
/// | patient_id, drug_class | String | grain |
/// | first_fill_date | Date | first fill in the period |
/// | fill_count | UInt32 | fills in the period |
/// | distinct_fill_dates | UInt32 | distinct fill dates in the period |
/// | treatment_days | Int32 | period end − first fill + 1 |
/// | covered_days | Int32 | days covered by any drug of the class |
/// | pdc | Float64 | covered_days / treatment_days, in [0, 1] |
/// | age_at_period_start | Int32 | full years |
/// | eligible_flag | Boolean | denominator |
/// | exclusion_reason | String | why not eligible |
/// | adherent_flag | Boolean | numerator |
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use ehr_quality_metrics::prelude::*;
/// use polars::prelude::*;
/// use synthea_schema::normalize::{NormalizeConfig, normalize};
/// use synthea_schema::{SyntheaVersion, TableKind};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let n = |t, raw: DataFrame| normalize(t, SyntheaVersion::V3Latest, raw.lazy(), &NormalizeConfig::default());
/// // Simvastatin: 4 fills of 30 days from Jan 1 to May 1 (120 days).
/// let medications = n(TableKind::Medications, df!(
///     "PATIENT" => ["p"], "CODE" => ["314231"], "DISPENSES" => ["4"],
///     "START" => ["2023-01-01T09:00:00Z"], "STOP" => ["2023-05-01T09:00:00Z"],
/// )?)?;
/// let patients = n(TableKind::Patients, df!("Id" => ["p"], "BIRTHDATE" => ["1960-01-01"])?)?;
/// let d = |m, day| NaiveDate::from_ymd_opt(2023, m, day).unwrap_or_default();
/// let period = MeasurementPeriod::new(d(1, 1), d(12, 31))?;
/// let out = medication_adherence(
///     AdherenceInputs { medications, patients }, &AdherenceConfig::default(), period, d(12, 31),
/// )?
/// .collect()?;
/// assert_eq!(out.column("covered_days")?.i32()?.get(0), Some(120));
/// assert_eq!(out.column("treatment_days")?.i32()?.get(0), Some(365));
/// assert_eq!(out.column("adherent_flag")?.bool()?.get(0), Some(false));
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// Invalid config, missing or mistyped input columns.
pub fn medication_adherence(
    inputs: AdherenceInputs,
    config: &AdherenceConfig,
    period: MeasurementPeriod,
    as_of: NaiveDate,
) -> Result<LazyFrame> {
    config.validate()?;
    let AdherenceInputs {
        mut medications,
        patients,
    } = inputs;
    require(
        TableKind::Medications,
        &mut medications,
        &[PATIENT_ID, CODE, START_DATE, STOP_DATE, DISPENSES],
    )?;
    let births = patient_births(patients)?;
    let fills = fills_in_period(medications, drug_class_map(config)?, period, as_of);
    let stats = fill_stats(fills.clone());
    let covered = covered_days(fills, period)?;
    let out = pdc_and_eligibility(stats, covered, births, config, period);
    let order: Vec<Expr> = adherence_schema()
        .iter_names()
        .map(|n| col(n.clone()))
        .collect();
    Ok(out.select(order))
}

/// The configured code → drug class map as a frame (`code`, `drug_class`).
fn drug_class_map(config: &AdherenceConfig) -> Result<LazyFrame> {
    let mut codes: Vec<String> = Vec::new();
    let mut classes: Vec<String> = Vec::new();
    for vs in &config.drug_classes {
        for c in &vs.codes {
            codes.push(c.clone());
            classes.push(vs.name.clone());
        }
    }
    Ok(DataFrame::new_infer_height(vec![
        Column::new(CODE.into(), codes),
        Column::new(DRUG_CLASS.into(), classes),
    ])?
    .lazy()
    .unique_stable(None, UniqueKeepStrategy::First))
}

/// The fills dispensed in the period, one row each: patient, drug class, code,
/// `__fill` (epoch day dispensed) and `__supply` (days supplied). A prescription's
/// `dispenses` fills are spread evenly over its span (start to stop, or start to `as_of`
/// inclusive when still running).
fn fills_in_period(
    medications: LazyFrame,
    class_map: LazyFrame,
    period: MeasurementPeriod,
    as_of: NaiveDate,
) -> LazyFrame {
    let (p_start, p_end) = (epoch_day_lit(period.start), epoch_day_lit(period.end));
    let i64c = |n: &str| col(n).cast(DataType::Int64);
    medications
        .select([
            col(PATIENT_ID),
            col(CODE),
            epoch_day(col(START_DATE)).alias("__s"),
            // A prescription still running at `as_of` ends after it: the as-of day is
            // included in its span and covered.
            epoch_day(col(STOP_DATE))
                .fill_null(epoch_day_lit(as_of) + lit(1i32))
                .alias("__e"),
            col(DISPENSES).cast(DataType::Int64).alias("__n"),
        ])
        .filter(
            col("__n")
                .gt_eq(lit(1i64))
                .and(col("__s").lt_eq(p_end.clone()))
                .and(col("__e").gt_eq(p_start.clone())),
        )
        .join(
            class_map,
            [col(CODE)],
            [col(CODE)],
            JoinArgs::new(JoinType::Inner),
        )
        .with_column(
            max2(col("__e") - col("__s"), lit(1i32))
                .cast(DataType::Int64)
                .alias("__span"),
        )
        .with_column(int_ranges(lit(0i64), col("__n"), lit(1i64), DataType::Int64).alias("__k"))
        .explode(
            cols(["__k"]),
            ExplodeOptions {
                empty_as_null: false,
                keep_nulls: false,
            },
        )
        .with_columns([
            (i64c("__s") + (col("__k") * col("__span")) / col("__n")).alias("__fill"),
            (((col("__k") + lit(1i64)) * col("__span")) / col("__n")
                - (col("__k") * col("__span")) / col("__n"))
            .alias("__supply"),
        ])
        .filter(
            col("__fill")
                .gt_eq(p_start.cast(DataType::Int64))
                .and(col("__fill").lt_eq(p_end.cast(DataType::Int64))),
        )
        .select([
            col(PATIENT_ID),
            col(DRUG_CLASS),
            col(CODE),
            col("__fill"),
            col("__supply"),
        ])
}

/// Per patient × class: first fill day, fill count, distinct fill dates.
fn fill_stats(fills: LazyFrame) -> LazyFrame {
    fills.group_by([col(PATIENT_ID), col(DRUG_CLASS)]).agg([
        col("__fill").min().alias("__first"),
        len().cast(DataType::UInt32).alias("fill_count"),
        col("__fill")
            .n_unique()
            .cast(DataType::UInt32)
            .alias("distinct_fill_dates"),
    ])
}

/// Per patient × class: `__covered` days. Same-drug fills that overlap shift to the day
/// after the prior supply ends (in closed form: end_k = C_k − 1 + max_{j≤k}(fill_j −
/// C_{j−1}), C = cumulative supply); supply is truncated at the period end; the days
/// covered by any drug of the class are a union of intervals.
fn covered_days(fills: LazyFrame, period: MeasurementPeriod) -> Result<LazyFrame> {
    let p_end = epoch_day_lit(period.end).cast(DataType::Int64);
    let pc = [col(PATIENT_ID), col(DRUG_CLASS)];
    let pcd = [col(PATIENT_ID), col(DRUG_CLASS), col(CODE)];
    Ok(fills
        .filter(col("__supply").gt(lit(0i64)))
        .sort([PATIENT_ID, DRUG_CLASS, CODE, "__fill"], stable_sort())
        .with_column(
            col("__supply")
                .cum_sum(false)
                .over(pcd.clone())?
                .alias("__c"),
        )
        .with_column(
            (col("__fill") - (col("__c") - col("__supply")))
                .cum_max(false)
                .over(pcd)?
                .alias("__m"),
        )
        .with_column((col("__c") - lit(1i64) + col("__m")).alias("__end"))
        .with_columns([
            (col("__end") - col("__supply") + lit(1i64)).alias("__beg"),
            min2(col("__end"), p_end).alias("__end"),
        ])
        .filter(col("__beg").lt_eq(col("__end")))
        // Union over the drugs of a class.
        .sort([PATIENT_ID, DRUG_CLASS, "__beg"], stable_sort())
        .with_column(
            col("__end")
                .cum_max(false)
                .shift(lit(1))
                .over(pc.clone())?
                .alias("__prev_end"),
        )
        .with_column(
            (col("__prev_end")
                .is_null()
                .or(col("__beg").gt(col("__prev_end") + lit(1i64))))
            .cast(DataType::UInt32)
            .cum_sum(false)
            .over(pc.clone())?
            .alias("__block"),
        )
        .group_by([col(PATIENT_ID), col(DRUG_CLASS), col("__block")])
        .agg([(col("__end").max() - col("__beg").min() + lit(1i64)).alias("__len")])
        .group_by(pc)
        .agg([col("__len").sum().alias("__covered")]))
}

/// Full years from the silver `birth_date` column to `date` (the birthday counts from its
/// month and day; someone born on 29 February turns a year older on 1 March of common
/// years), as `Int32`; null when `birth_date` is null.
pub fn age_in_years_at(date: NaiveDate) -> Expr {
    let at = lit(date);
    let month_day = |e: Expr| {
        e.clone().dt().month().cast(DataType::Int32) * lit(100) + e.dt().day().cast(DataType::Int32)
    };
    (at.clone().dt().year() - col(patients::BIRTH_DATE).dt().year()).cast(DataType::Int32)
        - when(month_day(col(patients::BIRTH_DATE)).gt(month_day(at)))
            .then(lit(1i32))
            .otherwise(lit(0i32))
}

/// The output rows: treatment and covered days, PDC, age, exclusion reason,
/// eligibility and adherence, sorted by patient and class.
fn pdc_and_eligibility(
    stats: LazyFrame,
    covered: LazyFrame,
    births: LazyFrame,
    config: &AdherenceConfig,
    period: MeasurementPeriod,
) -> LazyFrame {
    let p_end = epoch_day_lit(period.end).cast(DataType::Int64);
    let pc = [col(PATIENT_ID), col(DRUG_CLASS)];
    stats
        .join(
            covered,
            pc.clone(),
            pc,
            join_args(JoinType::Left, JoinValidation::OneToOne),
        )
        .join(
            births,
            [col(PATIENT_ID)],
            [col(patients::PATIENT_ID)],
            join_args(JoinType::Left, JoinValidation::ManyToOne),
        )
        .with_columns([
            col("__first")
                .cast(DataType::Int32)
                .cast(DataType::Date)
                .alias("first_fill_date"),
            (p_end.clone() - col("__first") + lit(1i64))
                .cast(DataType::Int32)
                .alias("treatment_days"),
            col("__covered")
                .fill_null(lit(0i64))
                .cast(DataType::Int32)
                .alias("covered_days"),
            age_in_years_at(period.start).alias("age_at_period_start"),
        ])
        .with_column(ratio(col("covered_days"), col("treatment_days")).alias("pdc"))
        .with_column(
            when(col("age_at_period_start").is_null())
                .then(lit("unknown_age"))
                .when(col("age_at_period_start").lt(lit(config.min_age_years)))
                .then(lit("under_age"))
                .when(col("distinct_fill_dates").lt(lit(config.min_fill_dates)))
                .then(lit("single_fill_date"))
                .when(
                    (p_end - col("__first")).lt(lit(i64::from(config.min_days_before_period_end))),
                )
                .then(lit("late_first_fill"))
                .otherwise(typed_null(DataType::String))
                .alias("exclusion_reason"),
        )
        .with_column(col("exclusion_reason").is_null().alias("eligible_flag"))
        .with_column(
            col("eligible_flag")
                .and(col("pdc").gt_eq(lit(config.threshold)))
                .alias("adherent_flag"),
        )
        .sort([PATIENT_ID, DRUG_CLASS], stable_sort())
}

/// Output schema of [`adherence_rates`].
pub fn adherence_rates_schema() -> Schema {
    Schema::from_iter([
        Field::new(DRUG_CLASS.into(), DataType::String),
        Field::new(PERIOD_START.into(), DataType::Date),
        Field::new(PERIOD_END.into(), DataType::Date),
        Field::new("patients".into(), DataType::UInt32),
        Field::new("eligible_patients".into(), DataType::UInt32),
        Field::new("adherent_patients".into(), DataType::UInt32),
        Field::new("adherence_rate".into(), DataType::Float64),
        Field::new("mean_pdc".into(), DataType::Float64),
    ])
}

/// Adherence rate per drug class and measurement period from [`medication_adherence`].
///
/// # Definition
/// adherence_rate = adherent patients / eligible patients of the class; `mean_pdc` =
/// mean PDC of the eligible patients. The PDC values are summed in ascending order, so
/// the mean does not depend on row order.
///
/// # Denominator
/// Rows with `eligible_flag` (`eligible_patients`).
///
/// # Numerator
/// Rows with `eligible_flag` and `adherent_flag` (`adherent_patients` ≤
/// `eligible_patients`).
///
/// # Exclusions
/// Ineligible rows (counted in `patients` only).
///
/// # Period
/// `period`, the one [`medication_adherence`] was computed for; recorded in every row.
///
/// # Output grain
/// One row per (`drug_class`, period) with at least one patient row:
///
/// | column | dtype | meaning |
/// |---|---|---|
/// | drug_class | String | class name |
/// | period_start, period_end | Date | the measurement period (inclusive) |
/// | patients | UInt32 | patients with a fill of the class in the period |
/// | eligible_patients | UInt32 | denominator |
/// | adherent_patients | UInt32 | numerator |
/// | adherence_rate | Float64 | in [0, 1]; null without eligible patients |
/// | mean_pdc | Float64 | null without eligible patients |
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use ehr_quality_metrics::adherence::adherence_rates;
/// use ehr_quality_metrics::MeasurementPeriod;
/// use polars::prelude::*;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let a = df!(
///     "drug_class" => ["statins", "statins", "statins"],
///     "eligible_flag" => [true, true, false],
///     "adherent_flag" => [true, false, false],
///     "pdc" => [0.9, 0.5, 1.0],
/// )?
/// .lazy();
/// let d = |m, day| NaiveDate::from_ymd_opt(2023, m, day).unwrap_or_default();
/// let period = MeasurementPeriod::new(d(1, 1), d(12, 31))?;
/// let out = adherence_rates(a, period)?.collect()?;
/// assert_eq!(out.column("adherence_rate")?.f64()?.get(0), Some(0.5));
/// assert_eq!(out.column("mean_pdc")?.f64()?.get(0), Some(0.7));
/// assert_eq!(out.column("period_end")?.date()?.as_date_iter().next(), Some(Some(d(12, 31))));
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// Polars errors while building the plan.
pub fn adherence_rates(adherence: LazyFrame, period: MeasurementPeriod) -> Result<LazyFrame> {
    Ok(adherence
        .group_by([col(DRUG_CLASS)])
        .agg([
            len().cast(DataType::UInt32).alias("patients"),
            sum_u32(col("eligible_flag")).alias("eligible_patients"),
            sum_u32(col("adherent_flag").and(col("eligible_flag"))).alias("adherent_patients"),
            ordered_mean(col("pdc").filter(col("eligible_flag"))).alias("mean_pdc"),
        ])
        .with_column(
            ratio(col("adherent_patients"), col("eligible_patients")).alias("adherence_rate"),
        )
        .select([
            col(DRUG_CLASS),
            epoch_day_lit(period.start)
                .cast(DataType::Date)
                .alias(PERIOD_START),
            epoch_day_lit(period.end)
                .cast(DataType::Date)
                .alias(PERIOD_END),
            col("patients"),
            col("eligible_patients"),
            col("adherent_patients"),
            col("adherence_rate"),
            col("mean_pdc"),
        ])
        .sort([DRUG_CLASS], stable_sort()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::ValueSet;
    use crate::testkit::*;

    fn run_cfg(
        meds: &[(&str, &str, &str, &str, &str)],
        birth: &str,
        cfg: &AdherenceConfig,
    ) -> DataFrame {
        let period = MeasurementPeriod::new(date("2023-01-01"), date("2023-12-31")).unwrap();
        let lf = medication_adherence(
            AdherenceInputs {
                medications: medications(meds),
                patients: patients(&[("p", birth, "")]),
            },
            cfg,
            period,
            date("2023-12-31"),
        )
        .unwrap();
        assert_eq!(lf.clone().schema_big(), adherence_schema());
        lf.collect_big()
    }
    fn run(meds: &[(&str, &str, &str, &str, &str)]) -> DataFrame {
        run_cfg(meds, "1960-01-01", &AdherenceConfig::default())
    }
    fn i32s(df: &DataFrame, c: &str) -> Vec<Option<i32>> {
        df.column(c).unwrap().i32().unwrap().iter().collect()
    }

    #[test]
    fn same_drug_overlapping_fills_shift_to_the_day_after_prior_supply() {
        // Two prescriptions of the same code, each 1 fill of 30 days, the second starting
        // 10 days into the first: shifted, they cover Jan 1 .. Mar 1 (60 days).
        let df = run(&[
            (
                "p",
                "314231",
                "2023-01-01T09:00:00Z",
                "2023-01-31T09:00:00Z",
                "1",
            ),
            (
                "p",
                "314231",
                "2023-01-11T09:00:00Z",
                "2023-02-10T09:00:00Z",
                "1",
            ),
        ]);
        assert_eq!(i32s(&df, "covered_days"), [Some(60)]);
        assert_eq!(
            df.column("fill_count").unwrap().u32().unwrap().get(0),
            Some(2)
        );
    }

    #[test]
    fn two_drugs_of_one_class_overlapping_count_each_day_once() {
        // Simvastatin Jan 1–30 and atorvastatin Jan 11–Feb 9: union Jan 1 .. Feb 9 = 40 days.
        let df = run(&[
            (
                "p",
                "314231",
                "2023-01-01T09:00:00Z",
                "2023-01-31T09:00:00Z",
                "1",
            ),
            (
                "p",
                "259255",
                "2023-01-11T09:00:00Z",
                "2023-02-10T09:00:00Z",
                "1",
            ),
        ]);
        assert_eq!(i32s(&df, "covered_days"), [Some(40)]);
    }

    #[test]
    fn prescription_running_at_as_of_covers_the_as_of_day() {
        // No stop: 12 fills spread over Jan 1 .. Dec 31 (the as-of date), both included:
        // 365 days covered of 365 → PDC exactly 1.0 (not 364/365).
        let df = run(&[("p", "314231", "2023-01-01T09:00:00Z", "", "12")]);
        assert_eq!(i32s(&df, "covered_days"), [Some(365)]);
        assert_eq!(i32s(&df, "treatment_days"), [Some(365)]);
        assert_eq!(df.column("pdc").unwrap().f64().unwrap().get(0), Some(1.0));
    }

    #[test]
    fn supply_past_period_end_is_truncated() {
        // Jul 1 2023 .. Jul 1 2024 in 2 fills: 366-day span, fills on Jul 1 2023 (183 d)
        // and Dec 31 2023 (183 d); coverage is Jul 1 .. Dec 31 = 184 days = treatment days.
        let df = run(&[(
            "p",
            "314231",
            "2023-07-01T09:00:00Z",
            "2024-07-01T09:00:00Z",
            "2",
        )]);
        assert_eq!(i32s(&df, "covered_days"), [Some(184)]);
        assert_eq!(i32s(&df, "treatment_days"), [Some(184)]);
        assert_eq!(df.column("pdc").unwrap().f64().unwrap().get(0), Some(1.0));
        assert_eq!(bools(&df, "adherent_flag"), [true]);
    }

    #[test]
    fn first_fill_90_days_before_period_end_is_ineligible_91_is_eligible() {
        // Dec 31 − 91 days = Oct 1; − 90 days = Oct 2.
        let eligible = run(&[(
            "p",
            "314231",
            "2023-10-01T09:00:00Z",
            "2023-12-31T09:00:00Z",
            "3",
        )]);
        assert_eq!(bools(&eligible, "eligible_flag"), [true]);
        let late = run(&[(
            "p",
            "314231",
            "2023-10-02T09:00:00Z",
            "2023-12-31T09:00:00Z",
            "3",
        )]);
        assert_eq!(strs(&late, "exclusion_reason"), ["late_first_fill"]);
    }

    #[test]
    fn age_17_is_ineligible_age_18_is_eligible() {
        let m = [(
            "p",
            "314231",
            "2023-01-01T09:00:00Z",
            "2023-12-31T09:00:00Z",
            "12",
        )];
        let cfg = AdherenceConfig::default();
        let df = run_cfg(&m, "2005-01-02", &cfg); // 17 on Jan 1 2023
        assert_eq!(strs(&df, "exclusion_reason"), ["under_age"]);
        let df = run_cfg(&m, "2005-01-01", &cfg); // 18 on Jan 1 2023
        assert_eq!(bools(&df, "eligible_flag"), [true]);
        assert_eq!(i32s(&df, "age_at_period_start"), [Some(18)]);
    }

    #[test]
    fn single_fill_date_is_ineligible_and_unmapped_codes_are_ignored() {
        let df = run(&[
            (
                "p",
                "314231",
                "2023-01-01T09:00:00Z",
                "2023-03-01T09:00:00Z",
                "1",
            ),
            (
                "p",
                "999999",
                "2023-01-01T09:00:00Z",
                "2023-03-01T09:00:00Z",
                "5",
            ),
        ]);
        assert_eq!(strs(&df, "exclusion_reason"), ["single_fill_date"]);
        let cfg =
            AdherenceConfig::default().with_drug_classes(vec![ValueSet::new("x", &["999999"])]);
        let df = run_cfg(
            &[(
                "p",
                "314231",
                "2023-01-01T09:00:00Z",
                "2023-03-01T09:00:00Z",
                "1",
            )],
            "1960-01-01",
            &cfg,
        );
        assert_eq!(df.height(), 0);
    }

    fn rates(rows: &[(&str, bool, bool, f64)]) -> DataFrame {
        let adherence = df!(
            DRUG_CLASS => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            "eligible_flag" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            "adherent_flag" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
            "pdc" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        )
        .unwrap()
        .lazy();
        let period = MeasurementPeriod::new(date("2023-01-01"), date("2023-12-31")).unwrap();
        let lf = adherence_rates(adherence, period).unwrap();
        assert_eq!(lf.clone().schema_big(), adherence_rates_schema());
        lf.collect_big()
    }

    fn f64s(df: &DataFrame, c: &str) -> Vec<Option<f64>> {
        df.column(c).unwrap().f64().unwrap().iter().collect()
    }

    fn u32s(df: &DataFrame, c: &str) -> Vec<Option<u32>> {
        df.column(c).unwrap().u32().unwrap().iter().collect()
    }

    #[test]
    fn adherence_rate_is_adherent_over_eligible_per_class_and_period() {
        let df = rates(&[
            ("statins", true, true, 0.9),
            ("statins", true, false, 0.5),
            ("statins", false, false, 1.0),
            ("rasa", true, true, 1.0),
        ]);
        assert_eq!(strs(&df, DRUG_CLASS), ["rasa", "statins"]);
        assert_eq!(dates(&df, PERIOD_START), ["2023-01-01", "2023-01-01"]);
        assert_eq!(dates(&df, PERIOD_END), ["2023-12-31", "2023-12-31"]);
        assert_eq!(u32s(&df, "patients"), [Some(1), Some(3)]);
        assert_eq!(u32s(&df, "eligible_patients"), [Some(1), Some(2)]);
        assert_eq!(u32s(&df, "adherent_patients"), [Some(1), Some(1)]);
        assert_eq!(f64s(&df, "adherence_rate"), [Some(1.0), Some(0.5)]);
        assert_eq!(f64s(&df, "mean_pdc"), [Some(1.0), Some(0.7)]);
    }

    #[test]
    fn adherence_rate_is_null_for_a_class_without_eligible_patients() {
        // An adherent flag on an ineligible row never reaches the numerator.
        let df = rates(&[
            ("statins", false, true, 0.95),
            ("statins", false, false, 0.2),
        ]);
        assert_eq!(u32s(&df, "patients"), [Some(2)]);
        assert_eq!(u32s(&df, "eligible_patients"), [Some(0)]);
        assert_eq!(u32s(&df, "adherent_patients"), [Some(0)]);
        assert_eq!(f64s(&df, "adherence_rate"), [None]);
        assert_eq!(f64s(&df, "mean_pdc"), [None]);
    }

    #[test]
    fn adherence_rates_of_no_patient_rows_are_empty() {
        assert_eq!(rates(&[]).height(), 0);
    }

    #[test]
    fn rates_metric_version_names_the_patient_level_version() {
        assert!(RATES_METRIC_VERSION.starts_with(&format!("{METRIC_VERSION}/")));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::default()
        })]

        #[test]
        fn adherence_rates_are_bounded_and_independent_of_row_order(
            rows in proptest::collection::vec(
                (0usize..3, proptest::bool::ANY, proptest::bool::ANY, 0.0f64..=1.0),
                0..30,
            ),
        ) {
            const CLASSES: [&str; 3] = ["a", "b", "c"];
            let rows: Vec<_> = rows.iter().map(|r| (CLASSES[r.0], r.1, r.2, r.3)).collect();
            let reversed: Vec<_> = rows.iter().rev().copied().collect();
            let df = rates(&rows);
            proptest::prop_assert_eq!(&df, &rates(&reversed));
            let eligible = u32s(&df, "eligible_patients");
            let adherent = u32s(&df, "adherent_patients");
            let patients = u32s(&df, "patients");
            for (i, rate) in f64s(&df, "adherence_rate").into_iter().enumerate() {
                proptest::prop_assert!(adherent[i] <= eligible[i] && eligible[i] <= patients[i]);
                proptest::prop_assert_eq!(rate.is_none(), eligible[i] == Some(0));
                proptest::prop_assert!(rate.is_none_or(|r| (0.0..=1.0).contains(&r)));
            }
        }
    }
}
