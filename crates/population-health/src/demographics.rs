//! Demographics: condition prevalence by group, the top conditions per age band, and the
//! latest vitals by group.

use chrono::NaiveDate;
use medallion_model::expr::{ratio, stable_sort};
use polars::prelude::*;
use synthea_schema::TableKind;
use synthea_schema::columns::{conditions, observations, patients, require};

use crate::columns::*;
use crate::config::{PREVALENCE_PER, PopulationHealthConfig};
use crate::error::Result;
use crate::util::{
    DIMENSIONS, by_dimensions, date_lit, population, population_counts, row_number_over,
    string_columns, unless,
};
use synthea_schema::columns::observations::{OCCURRED_DATE, UNITS};

/// Version of the definition of `condition_prevalence`.
pub const PREVALENCE_METRIC_VERSION: &str = "condition-prevalence-1";
/// Version of the definition of `top_conditions_by_age_band`.
pub const TOP_CONDITIONS_METRIC_VERSION: &str = "top-conditions-by-age-band-1";
/// Version of the definition of `vitals_by_group`.
pub const VITALS_METRIC_VERSION: &str = "vitals-by-group-1";

/// Silver inputs of the demographic tables.
#[derive(Clone)]
pub struct DemographicInputs {
    /// Silver `patients`.
    pub patients: LazyFrame,
    /// Silver `conditions`.
    pub conditions: LazyFrame,
    /// Silver `observations`.
    pub observations: LazyFrame,
}

const ACTIVE: &str = "__active";
const WRONG_UNIT: &str = "__wrong_unit";

/// Patients with each condition, active on the as-of date and ever, per demographic
/// group, with the group's population and rates per 1,000; small cells suppressed.
///
/// # Definition
/// The population is the patients alive on `as_of` ([`crate::util::population`]). A
/// patient *ever* has a condition code when a silver `conditions` row of that code
/// starts on or before `as_of`; the condition is *active* when such a row has no `stop`
/// or stops after `as_of` (a condition resolved on or before `as_of` is ever, not
/// active). Groups: `overall` (`all`), `gender`, `race`, `ethnicity`, `age_band`
/// (age on `as_of`); a null attribute is the group `unknown`.
///
/// # Denominator
/// `population`: patients of the group alive on `as_of`.
///
/// # Numerator
/// `active_patients` / `ever_patients`: distinct patients of the group with the code
/// active on / diagnosed by `as_of`. Rates: numerator / denominator × 1,000.
///
/// # Exclusions
/// Patients dead before `as_of`, born after it or without a birth date; conditions
/// starting after `as_of`. **Small cells:** a count of 1 to
/// [`PopulationHealthConfig::small_cell_threshold`] − 1 patients is suppressed: its
/// `*_suppressed_flag` is true and the count and its rate are null (zero is not
/// suppressed).
///
/// # Period
/// The as-of date (point prevalence) and all history up to it (ever).
///
/// # Output grain
/// One row per (`dimension`, `group_value`, `code`) with at least one patient ever:
///
/// | column | dtype | meaning |
/// |---|---|---|
/// | dimension | String | `overall`, `gender`, `race`, `ethnicity`, `age_band` |
/// | group_value | String | the group, `all` for overall, `unknown` when null |
/// | code | String | SNOMED CT condition code |
/// | description | String | its description (the smallest seen) |
/// | population | Int64 | denominator |
/// | active_patients | Int64 | null when suppressed |
/// | ever_patients | Int64 | null when suppressed |
/// | active_per_1000 | Float64 | null when suppressed |
/// | ever_per_1000 | Float64 | null when suppressed |
/// | active_suppressed_flag | Boolean | 0 < active_patients < threshold |
/// | ever_suppressed_flag | Boolean | 0 < ever_patients < threshold |
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
/// let inputs = DemographicInputs {
///     patients: n(TableKind::Patients, df!("Id" => ["p", "q"], "BIRTHDATE" => ["1980-01-01", "1990-01-01"], "GENDER" => ["F", "M"])?)?,
///     conditions: n(TableKind::Conditions, df!("PATIENT" => ["p"], "CODE" => ["59621000"], "START" => ["2010-01-01"])?)?,
///     observations: n(TableKind::Observations, df!("PATIENT" => ["p"], "CODE" => ["39156-5"], "DATE" => ["2020-01-01T00:00:00Z"])?)?,
/// };
/// let as_of = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
/// let config = PopulationHealthConfig::default().with_small_cell_threshold(1);
/// let out = condition_prevalence(&inputs, &config, as_of)?
///     .filter(col("dimension").eq(lit("overall")))
///     .collect()?;
/// assert_eq!(out.column("population")?.i64()?.get(0), Some(2));
/// assert_eq!(out.column("active_per_1000")?.f64()?.get(0), Some(500.0));
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// Inputs that are not silver tables; invalid configuration.
pub fn condition_prevalence(
    inputs: &DemographicInputs,
    config: &PopulationHealthConfig,
    as_of: NaiveDate,
) -> Result<LazyFrame> {
    let counts = prevalence_counts(inputs, config, as_of)?;
    Ok(suppress(counts, config)
        .select(prevalence_columns())
        .sort([DIMENSION, GROUP_VALUE, conditions::CODE], stable_sort()))
}

fn prevalence_columns() -> Vec<Expr> {
    [
        DIMENSION,
        GROUP_VALUE,
        conditions::CODE,
        conditions::DESCRIPTION,
        POPULATION,
        ACTIVE_PATIENTS,
        EVER_PATIENTS,
        ACTIVE_PER_1000,
        EVER_PER_1000,
        ACTIVE_SUPPRESSED_FLAG,
        EVER_SUPPRESSED_FLAG,
    ]
    .map(col)
    .to_vec()
}

/// Unsuppressed counts and rates per (dimension, group, code).
fn prevalence_counts(
    inputs: &DemographicInputs,
    config: &PopulationHealthConfig,
    as_of: NaiveDate,
) -> Result<LazyFrame> {
    use conditions::{CODE, DESCRIPTION, PATIENT_ID, START, STOP};
    let mut conds = inputs.conditions.clone();
    require(
        TableKind::Conditions,
        &mut conds,
        &[PATIENT_ID, CODE, DESCRIPTION, START, STOP],
    )?;
    let pop = population(inputs.patients.clone(), config, as_of)?;
    let active = col(STOP).is_null().or(col(STOP).gt(date_lit(as_of)));
    let per_patient = conds
        .clone()
        .filter(col(START).lt_eq(date_lit(as_of)))
        .group_by([col(PATIENT_ID), col(CODE)])
        .agg([active.any(true).alias(ACTIVE)])
        .join(
            pop.clone(),
            [col(PATIENT_ID)],
            [col(patients::PATIENT_ID)],
            JoinArgs::new(JoinType::Inner),
        );
    let counts = by_dimensions(
        per_patient,
        &DIMENSIONS,
        &[CODE],
        &[
            len().cast(DataType::Int64).alias(EVER_PATIENTS),
            col(ACTIVE)
                .sum()
                .cast(DataType::Int64)
                .alias(ACTIVE_PATIENTS),
        ],
    )?;
    let descriptions = conds.group_by([col(CODE)]).agg([col(DESCRIPTION).min()]);
    let denominators = population_counts(pop, &DIMENSIONS)?;
    Ok(counts
        .join(
            denominators,
            [col(DIMENSION), col(GROUP_VALUE)],
            [col(DIMENSION), col(GROUP_VALUE)],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            descriptions,
            [col(CODE)],
            [col(CODE)],
            JoinArgs::new(JoinType::Left),
        )
        .with_columns([
            (ratio(col(ACTIVE_PATIENTS), col(POPULATION)) * lit(PREVALENCE_PER))
                .alias(ACTIVE_PER_1000),
            (ratio(col(EVER_PATIENTS), col(POPULATION)) * lit(PREVALENCE_PER)).alias(EVER_PER_1000),
        ]))
}

/// A count of 1 to threshold − 1 patients: a small cell.
fn small_cell(count: &str, threshold: u32) -> Expr {
    col(count)
        .gt(lit(0i64))
        .and(col(count).lt(lit(i64::from(threshold))))
}

/// Flags small cells and nulls their counts and rates.
fn suppress(counts: LazyFrame, config: &PopulationHealthConfig) -> LazyFrame {
    let t = config.small_cell_threshold;
    counts
        .with_columns([
            small_cell(ACTIVE_PATIENTS, t).alias(ACTIVE_SUPPRESSED_FLAG),
            small_cell(EVER_PATIENTS, t).alias(EVER_SUPPRESSED_FLAG),
        ])
        .with_columns([
            unless(
                ACTIVE_SUPPRESSED_FLAG,
                col(ACTIVE_PATIENTS),
                DataType::Int64,
            )
            .alias(ACTIVE_PATIENTS),
            unless(
                ACTIVE_SUPPRESSED_FLAG,
                col(ACTIVE_PER_1000),
                DataType::Float64,
            )
            .alias(ACTIVE_PER_1000),
            unless(EVER_SUPPRESSED_FLAG, col(EVER_PATIENTS), DataType::Int64).alias(EVER_PATIENTS),
            unless(EVER_SUPPRESSED_FLAG, col(EVER_PER_1000), DataType::Float64)
                .alias(EVER_PER_1000),
        ])
}

/// The most prevalent active conditions of each age band.
///
/// # Definition
/// From the unsuppressed counts of [`condition_prevalence`] for the `age_band`
/// dimension: per age band, the conditions with at least one active patient, ordered by
/// `active_patients` descending, ties broken by `code` ascending (deterministic); the
/// first [`PopulationHealthConfig::top_conditions`] are kept and ranked 1, 2, …
///
/// # Denominator
/// `population`: patients of the age band alive on `as_of`.
///
/// # Numerator
/// `active_patients` of the condition in the band; `active_per_1000` = numerator /
/// denominator × 1,000.
///
/// # Exclusions
/// As [`condition_prevalence`]; conditions without an active patient. Ranking uses the
/// true counts; small cells are then suppressed in the output (`suppressed_flag`, count
/// and rate null) exactly as in [`condition_prevalence`].
///
/// # Period
/// The as-of date.
///
/// # Output grain
/// One row per (`age_band`, `rank`):
///
/// | column | dtype | meaning |
/// |---|---|---|
/// | age_band | String | band label, `unknown` below the first band |
/// | rank | Int64 | 1 = most prevalent |
/// | code | String | SNOMED CT code |
/// | description | String | its description |
/// | population | Int64 | denominator |
/// | active_patients | Int64 | null when suppressed |
/// | active_per_1000 | Float64 | null when suppressed |
/// | active_suppressed_flag | Boolean | small cell |
///
/// # Example
/// See the crate tests `top_conditions_break_ties_by_code`; the call is
/// `top_conditions_by_age_band(&inputs, &config, as_of)`.
///
/// # Errors
/// Inputs that are not silver tables; invalid configuration.
pub fn top_conditions_by_age_band(
    inputs: &DemographicInputs,
    config: &PopulationHealthConfig,
    as_of: NaiveDate,
) -> Result<LazyFrame> {
    let counts = prevalence_counts(inputs, config, as_of)?;
    let ranked = counts
        .filter(
            col(DIMENSION)
                .eq(lit(AGE_BAND))
                .and(col(ACTIVE_PATIENTS).gt(lit(0i64))),
        )
        .sort_by_exprs(
            [
                col(GROUP_VALUE),
                col(ACTIVE_PATIENTS),
                col(conditions::CODE),
            ],
            stable_sort().with_order_descending_multi([false, true, false]),
        )
        .with_column(row_number_over(GROUP_VALUE)?.alias(RANK))
        .filter(col(RANK).lt_eq(lit(i64::from(config.top_conditions))));
    Ok(suppress(ranked, config)
        .select([
            col(GROUP_VALUE).alias(AGE_BAND),
            col(RANK),
            col(conditions::CODE),
            col(conditions::DESCRIPTION),
            col(POPULATION),
            col(ACTIVE_PATIENTS),
            col(ACTIVE_PER_1000),
            col(ACTIVE_SUPPRESSED_FLAG),
        ])
        .sort([AGE_BAND, RANK], stable_sort()))
}

/// The latest value of each configured measure per patient (on or before `as_of`), as
/// (`patient_id`, `measure`, `code`, `unit`, `value_numeric`, `units`, `occurred_date`).
///
/// The latest is the observation with the greatest `occurred_at`; two at the same
/// instant resolve to the greater value (deterministic). Observations without a numeric
/// value are not measurements and are ignored.
pub fn latest_measures(
    observations_frame: LazyFrame,
    measures: &[crate::config::MeasureSpec],
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
    let specs = string_columns(vec![
        (MEASURE, measures.iter().map(|m| m.name.clone()).collect()),
        (CODE, measures.iter().map(|m| m.code.clone()).collect()),
        (UNIT, measures.iter().map(|m| m.unit.clone()).collect()),
    ])?;
    let picked = [col(VALUE_NUMERIC), col(UNITS), col(OCCURRED_DATE)]
        .map(|e| e.last())
        .to_vec();
    Ok(obs
        .filter(
            col(OCCURRED_DATE)
                .lt_eq(date_lit(as_of))
                .and(col(VALUE_NUMERIC).is_not_null())
                .and(col(OCCURRED_AT).is_not_null()),
        )
        .select([
            col(PATIENT_ID),
            col(CODE),
            col(OCCURRED_AT),
            col(VALUE_NUMERIC),
            col(UNITS),
            col(OCCURRED_DATE),
        ])
        .join(
            specs,
            [col(CODE)],
            [col(CODE)],
            JoinArgs::new(JoinType::Inner),
        )
        .sort(
            [PATIENT_ID, MEASURE, OCCURRED_AT, VALUE_NUMERIC],
            stable_sort(),
        )
        .group_by_stable([col(PATIENT_ID), col(MEASURE), col(CODE), col(UNIT)])
        .agg(picked))
}

/// Mean, median and count of the latest value of each configured measure per patient,
/// by demographic group; values in another unit are counted apart, not averaged.
///
/// # Definition
/// For each patient alive on `as_of` and each measure of
/// [`PopulationHealthConfig::vitals`] (default BMI, LOINC 39156-5 in `kg/m2`, and total
/// cholesterol, 2093-3 in `mg/dL`): the latest numeric observation on or before `as_of`
/// ([`latest_measures`]: two on the same day → the later one; two at the same instant
/// → the greater). When its unit is the measure's unit it is *measured*; otherwise it is
/// a *wrong unit* value: counted in `wrong_unit_patients` and left out of the mean and
/// median (never converted). Groups as [`condition_prevalence`].
///
/// # Denominator
/// `population`: patients of the group alive on `as_of` (with or without a value).
///
/// # Numerator
/// `measured_patients`: patients of the group whose latest value is in the measure's
/// unit; `mean_value`, `median_value` over those values.
///
/// # Exclusions
/// Patients not in the population; observations after `as_of` or without a numeric
/// value. A patient without any value (no BMI) is in `population` only.
///
/// # Period
/// The latest value on or before the as-of date, however old.
///
/// # Output grain
/// One row per (`measure`, `dimension`, `group_value`) for every group of the
/// population:
///
/// | column | dtype | meaning |
/// |---|---|---|
/// | measure | String | configured name, e.g. `bmi` |
/// | code | String | LOINC code |
/// | unit | String | expected unit |
/// | dimension | String | as in `condition_prevalence` |
/// | group_value | String | the group |
/// | population | Int64 | denominator |
/// | measured_patients | Int64 | latest value in the expected unit |
/// | wrong_unit_patients | Int64 | latest value in another unit (flagged) |
/// | mean_value | Float64 | null when nobody is measured |
/// | median_value | Float64 | null when nobody is measured |
///
/// # Example
/// See the crate tests `two_bmis_the_same_day_use_the_later_one` and
/// `a_value_in_the_wrong_unit_is_flagged_not_averaged`; the call is
/// `vitals_by_group(&inputs, &config, as_of)`.
///
/// # Errors
/// Inputs that are not silver tables; invalid configuration.
pub fn vitals_by_group(
    inputs: &DemographicInputs,
    config: &PopulationHealthConfig,
    as_of: NaiveDate,
) -> Result<LazyFrame> {
    let pop = population(inputs.patients.clone(), config, as_of)?;
    let latest = latest_measures(inputs.observations.clone(), &config.vitals, as_of)?
        .with_column(
            col(UNITS)
                .eq(col(UNIT))
                .fill_null(lit(false))
                .not()
                .alias(WRONG_UNIT),
        )
        .join(
            pop.clone(),
            [col(observations::PATIENT_ID)],
            [col(patients::PATIENT_ID)],
            JoinArgs::new(JoinType::Inner),
        );
    let good = col(observations::VALUE_NUMERIC).filter(col(WRONG_UNIT).not());
    let stats = by_dimensions(
        latest,
        &DIMENSIONS,
        &[MEASURE],
        &[
            col(WRONG_UNIT)
                .not()
                .sum()
                .cast(DataType::Int64)
                .alias(MEASURED_PATIENTS),
            col(WRONG_UNIT)
                .sum()
                .cast(DataType::Int64)
                .alias(WRONG_UNIT_PATIENTS),
            good.clone().mean().alias(MEAN_VALUE),
            good.median().alias(MEDIAN_VALUE),
        ],
    )?;
    let measures = string_columns(vec![
        (
            MEASURE,
            config.vitals.iter().map(|m| m.name.clone()).collect(),
        ),
        (
            observations::CODE,
            config.vitals.iter().map(|m| m.code.clone()).collect(),
        ),
        (UNIT, config.vitals.iter().map(|m| m.unit.clone()).collect()),
    ])?;
    let keys = [col(MEASURE), col(DIMENSION), col(GROUP_VALUE)];
    Ok(population_counts(pop, &DIMENSIONS)?
        .cross_join(measures, None)
        .join(stats, keys.clone(), keys, JoinArgs::new(JoinType::Left))
        .with_columns([
            col(MEASURED_PATIENTS).fill_null(lit(0i64)),
            col(WRONG_UNIT_PATIENTS).fill_null(lit(0i64)),
        ])
        .select(
            [
                MEASURE,
                observations::CODE,
                UNIT,
                DIMENSION,
                GROUP_VALUE,
                POPULATION,
                MEASURED_PATIENTS,
                WRONG_UNIT_PATIENTS,
                MEAN_VALUE,
                MEDIAN_VALUE,
            ]
            .map(col),
        )
        .sort([MEASURE, DIMENSION, GROUP_VALUE], stable_sort()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::testkit::*;

    fn as_of() -> NaiveDate {
        date("2024-01-01")
    }

    fn no_suppression() -> PopulationHealthConfig {
        PopulationHealthConfig {
            small_cell_threshold: 1,
            ..Default::default()
        }
    }

    fn inputs(
        pats: &[Pat],
        conds: &[(&'static str, &'static str, &'static str, &'static str)],
        obs: &[(
            &'static str,
            &'static str,
            &'static str,
            &'static str,
            &'static str,
        )],
    ) -> DemographicInputs {
        DemographicInputs {
            patients: patients(pats),
            conditions: conditions(conds),
            observations: observations(obs),
        }
    }

    fn three_patients_and_one_dead() -> Vec<Pat> {
        vec![
            ("a", "1980-05-01", "", "F", "white"),
            ("b", "1990-05-01", "", "M", "black"),
            ("c", "2010-05-01", "", "F", "white"),
            ("d", "1950-05-01", "2020-01-01", "F", "white"),
        ]
    }

    #[test]
    fn prevalence_counts_active_and_ever_patients_over_the_living_population() {
        let input = inputs(
            &three_patients_and_one_dead(),
            &[
                ("a", "59621000", "2015-01-01", ""),
                // Resolved on the as-of date: ever, not active.
                ("b", "59621000", "2015-01-01", "2024-01-01"),
                // Starts after the as-of date: ignored.
                ("c", "195967001", "2025-01-01", ""),
                // Dead before the as-of date: not in the population.
                ("d", "59621000", "2015-01-01", ""),
            ],
            &[],
        );
        let out = condition_prevalence(&input, &no_suppression(), as_of()).unwrap();
        let overall = rows_where(out.clone(), DIMENSION, "overall");
        assert_eq!(strs(&overall, "code"), ["59621000"]);
        assert_eq!(i64s(&overall, POPULATION), [Some(3)]);
        assert_eq!(i64s(&overall, ACTIVE_PATIENTS), [Some(1)]);
        assert_eq!(i64s(&overall, EVER_PATIENTS), [Some(2)]);
        assert_eq!(f64s(&overall, ACTIVE_PER_1000), [Some(1000.0 / 3.0)]);
        assert_eq!(f64s(&overall, EVER_PER_1000), [Some(2000.0 / 3.0)]);
        let gender = rows_where(out.clone(), DIMENSION, "gender");
        assert_eq!(strs(&gender, GROUP_VALUE), ["female", "male"]);
        assert_eq!(i64s(&gender, POPULATION), [Some(2), Some(1)]);
        assert_eq!(i64s(&gender, ACTIVE_PATIENTS), [Some(1), Some(0)]);
        let bands = rows_where(out, DIMENSION, AGE_BAND);
        assert_eq!(strs(&bands, GROUP_VALUE), ["18-34", "35-49"]);
        assert_eq!(i64s(&bands, EVER_PATIENTS), [Some(1), Some(1)]);
    }

    fn leaked(s: String) -> &'static str {
        Box::leak(s.into_boxed_str())
    }

    #[test]
    fn small_cells_are_suppressed_and_flagged_but_zero_is_not() {
        let pats: Vec<Pat> = (0..12)
            .map(|i| (leaked(format!("p{i}")), "1980-01-01", "", "F", "white"))
            .collect();
        let mut conds: Vec<_> = pats
            .iter()
            .map(|p| (p.0, "big", "2020-01-01", ""))
            .collect();
        conds.extend(pats[..3].iter().map(|p| (p.0, "small", "2020-01-01", "")));
        conds.extend(
            pats[..11]
                .iter()
                .map(|p| (p.0, "resolved", "2020-01-01", "2021-01-01")),
        );
        let out = condition_prevalence(
            &inputs(&pats, &conds, &[]),
            &PopulationHealthConfig::default(),
            as_of(),
        )
        .unwrap();
        let overall = rows_where(out, DIMENSION, "overall");
        assert_eq!(strs(&overall, "code"), ["big", "resolved", "small"]);
        assert_eq!(i64s(&overall, ACTIVE_PATIENTS), [Some(12), Some(0), None]);
        assert_eq!(i64s(&overall, EVER_PATIENTS), [Some(12), Some(11), None]);
        assert_eq!(
            bools(&overall, ACTIVE_SUPPRESSED_FLAG),
            [Some(false), Some(false), Some(true)]
        );
        assert_eq!(
            bools(&overall, EVER_SUPPRESSED_FLAG),
            [Some(false), Some(false), Some(true)]
        );
        assert_eq!(f64s(&overall, ACTIVE_PER_1000)[2], None);
        assert_eq!(f64s(&overall, EVER_PER_1000)[1], Some(11000.0 / 12.0));
    }

    #[test]
    fn top_conditions_break_ties_by_code() {
        let pats: Vec<Pat> = vec![
            ("a", "1980-01-01", "", "F", "white"),
            ("b", "1981-01-01", "", "F", "white"),
            ("y", "2010-01-01", "", "F", "white"),
        ];
        let conds = [
            ("a", "c3", "2020-01-01", ""),
            ("b", "c3", "2020-01-01", ""),
            ("a", "c2", "2020-01-01", ""),
            ("b", "c1", "2020-01-01", ""),
            ("b", "c0", "2020-01-01", "2021-01-01"),
            ("y", "c9", "2020-01-01", ""),
        ];
        let config = PopulationHealthConfig {
            top_conditions: 2,
            ..no_suppression()
        };
        let out = top_conditions_by_age_band(&inputs(&pats, &conds, &[]), &config, as_of())
            .unwrap()
            .collect_big();
        assert_eq!(strs(&out, AGE_BAND), ["0-17", "35-49", "35-49"]);
        assert_eq!(i64s(&out, RANK), [Some(1), Some(1), Some(2)]);
        assert_eq!(strs(&out, "code"), ["c9", "c3", "c1"]);
        assert_eq!(i64s(&out, ACTIVE_PATIENTS), [Some(1), Some(2), Some(1)]);
        assert_eq!(i64s(&out, POPULATION), [Some(1), Some(2), Some(2)]);
    }

    fn bmi_patients() -> Vec<Pat> {
        vec![
            ("a", "1980-01-01", "", "F", "white"),
            ("b", "1980-01-01", "", "F", "white"),
            ("c", "1980-01-01", "", "M", "white"),
        ]
    }

    #[test]
    fn two_bmis_the_same_day_use_the_later_one_and_no_bmi_counts_in_the_population() {
        let obs = [
            ("a", "39156-5", "2022-06-01T08:00:00Z", "40.0", "kg/m2"),
            ("a", "39156-5", "2023-06-01T17:00:00Z", "25.0", "kg/m2"),
            ("a", "39156-5", "2023-06-01T08:00:00Z", "30.0", "kg/m2"),
            ("b", "39156-5", "2023-01-01T08:00:00Z", "35.0", "kg/m2"),
            // After the as-of date: ignored.
            ("b", "39156-5", "2024-02-01T08:00:00Z", "99.0", "kg/m2"),
        ];
        let out = vitals_by_group(
            &inputs(&bmi_patients(), &[], &obs),
            &no_suppression(),
            as_of(),
        )
        .unwrap();
        let bmi = rows_where(out.clone(), MEASURE, "bmi")
            .lazy()
            .filter(col(DIMENSION).eq(lit("gender")))
            .collect_big();
        assert_eq!(strs(&bmi, GROUP_VALUE), ["female", "male"]);
        assert_eq!(i64s(&bmi, POPULATION), [Some(2), Some(1)]);
        assert_eq!(i64s(&bmi, MEASURED_PATIENTS), [Some(2), Some(0)]);
        assert_eq!(f64s(&bmi, MEAN_VALUE), [Some(30.0), None]);
        assert_eq!(f64s(&bmi, MEDIAN_VALUE), [Some(30.0), None]);
        let cholesterol = rows_where(out, MEASURE, "total_cholesterol");
        assert_eq!(
            cholesterol.height(),
            6,
            "one row per group even without values"
        );
        assert!(
            i64s(&cholesterol, MEASURED_PATIENTS)
                .iter()
                .all(|n| *n == Some(0))
        );
    }

    #[test]
    fn a_value_in_the_wrong_unit_is_flagged_not_averaged() {
        let obs = [
            ("a", "39156-5", "2023-06-01T08:00:00Z", "25.0", "kg/m2"),
            ("b", "39156-5", "2023-06-01T08:00:00Z", "3500.0", "g/cm2"),
        ];
        let out = vitals_by_group(
            &inputs(&bmi_patients(), &[], &obs),
            &no_suppression(),
            as_of(),
        )
        .unwrap();
        let overall = rows_where(out, MEASURE, "bmi")
            .lazy()
            .filter(col(DIMENSION).eq(lit("overall")))
            .collect_big();
        assert_eq!(i64s(&overall, POPULATION), [Some(3)]);
        assert_eq!(i64s(&overall, MEASURED_PATIENTS), [Some(1)]);
        assert_eq!(i64s(&overall, WRONG_UNIT_PATIENTS), [Some(1)]);
        assert_eq!(f64s(&overall, MEAN_VALUE), [Some(25.0)]);
    }
}
