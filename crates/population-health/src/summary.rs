//! One row per patient: demographics, active conditions and medications, encounters,
//! latest vitals and the last abnormal lab.

use chrono::{Months, NaiveDate};
use ehr_quality_metrics::adherence::age_in_years_at;
use medallion_model::expr::{stable_sort, typed_null};
use polars::prelude::*;
use synthea_schema::TableKind;
use synthea_schema::columns::{
    conditions, encounters, medications, observations, patients, require,
};

use crate::columns::{AGE_BAND, AGE_YEARS, MEASURE};
use crate::config::PopulationHealthConfig;
use crate::demographics::latest_measures;
use crate::error::Result;
use crate::labs::{DIRECTION, classified_results};
use crate::util::date_lit;
use synthea_schema::columns::observations::OCCURRED_DATE;
use synthea_schema::columns::patients::{ETHNICITY, RACE};

/// Version of the definition of `patient_clinical_summary`.
pub const METRIC_VERSION: &str = "patient-clinical-summary-1";

/// Silver inputs of [`patient_clinical_summary`].
#[derive(Clone)]
pub struct SummaryInputs {
    /// Silver `patients`.
    pub patients: LazyFrame,
    /// Silver `conditions`.
    pub conditions: LazyFrame,
    /// Silver `medications`.
    pub medications: LazyFrame,
    /// Silver `encounters`.
    pub encounters: LazyFrame,
    /// Silver `observations`.
    pub observations: LazyFrame,
}

/// Died before the as-of date.
pub const DECEASED_FLAG: &str = "deceased_flag";
/// The date the summary describes: the death date when deceased, else the as-of date.
pub const REFERENCE_DATE: &str = "reference_date";
/// Distinct active condition codes.
pub const ACTIVE_CONDITIONS_COUNT: &str = "active_conditions_count";
/// Active condition codes, sorted, joined by `; `.
pub const ACTIVE_CONDITIONS: &str = "active_conditions";
/// Distinct active medication codes.
pub const ACTIVE_MEDICATIONS_COUNT: &str = "active_medications_count";
/// Active medication codes (RxNorm), sorted, joined by `; `.
pub const ACTIVE_MEDICATIONS: &str = "active_medications";
/// Start date of the last encounter on or before the as-of date.
pub const LAST_ENCOUNTER_DATE: &str = "last_encounter_date";
/// Class of that encounter.
pub const LAST_ENCOUNTER_CLASS: &str = "last_encounter_class";
/// Encounters starting in the look-back months ending on the as-of date.
pub const ENCOUNTERS_LAST_12M: &str = "encounters_last_12m";
/// LOINC code of the last result outside its reference range.
pub const LAST_ABNORMAL_LAB_CODE: &str = "last_abnormal_lab_code";
/// Its date.
pub const LAST_ABNORMAL_LAB_DATE: &str = "last_abnormal_lab_date";
/// Its value.
pub const LAST_ABNORMAL_LAB_VALUE: &str = "last_abnormal_lab_value";
/// `below` or `above`.
pub const LAST_ABNORMAL_LAB_DIRECTION: &str = "last_abnormal_lab_direction";

/// Codes of the rows active on each patient's reference date: count and sorted list.
fn active_codes(
    rows: LazyFrame,
    references: LazyFrame,
    start: &str,
    stop: &str,
    (count_name, list_name): (&str, &str),
) -> LazyFrame {
    let active = col(start)
        .lt_eq(col(REFERENCE_DATE))
        .and(col(stop).is_null().or(col(stop).gt(col(REFERENCE_DATE))));
    rows.join(
        references,
        [col(patients::PATIENT_ID)],
        [col(patients::PATIENT_ID)],
        JoinArgs::new(JoinType::Inner),
    )
    .filter(active)
    .select([col(patients::PATIENT_ID), col(conditions::CODE)])
    .unique_stable(None, UniqueKeepStrategy::First)
    .sort([patients::PATIENT_ID, conditions::CODE], stable_sort())
    .group_by([col(patients::PATIENT_ID)])
    .agg([
        len().cast(DataType::Int64).alias(count_name),
        col(conditions::CODE)
            .str()
            .join("; ", true)
            .alias(list_name),
    ])
}

/// Last encounter and the encounters of the look-back months, per patient.
fn encounter_facts(
    encounters_frame: LazyFrame,
    as_of: NaiveDate,
    lookback_months: u32,
) -> LazyFrame {
    use encounters::{ENCOUNTER_CLASS, PATIENT_ID, START, START_DATE};
    let since = as_of
        .checked_sub_months(Months::new(lookback_months))
        .unwrap_or(NaiveDate::MIN);
    encounters_frame
        .filter(col(START_DATE).lt_eq(date_lit(as_of)))
        .sort([PATIENT_ID, START], stable_sort())
        .group_by([col(PATIENT_ID)])
        .agg([
            col(START_DATE).last().alias(LAST_ENCOUNTER_DATE),
            col(ENCOUNTER_CLASS).last().alias(LAST_ENCOUNTER_CLASS),
            col(START_DATE)
                .gt(date_lit(since))
                .sum()
                .cast(DataType::Int64)
                .alias(ENCOUNTERS_LAST_12M),
        ])
}

/// The latest value in the expected unit of each summary vital, one column per vital
/// (`latest_<name>`).
fn latest_vitals(
    observations_frame: LazyFrame,
    config: &PopulationHealthConfig,
    as_of: NaiveDate,
) -> Result<LazyFrame> {
    let right_unit = config.summary_vitals.iter().fold(lit(false), |acc, m| {
        acc.or(col(observations::CODE)
            .eq(lit(m.code.clone()))
            .and(col(observations::UNITS).eq(lit(m.unit.clone()))))
    });
    let obs = observations_frame.filter(right_unit.fill_null(lit(false)));
    let pivot: Vec<Expr> = config
        .summary_vitals
        .iter()
        .map(|m| {
            col(observations::VALUE_NUMERIC)
                .filter(col(MEASURE).eq(lit(m.name.clone())))
                .first()
                .alias(format!("latest_{}", m.name))
        })
        .collect();
    Ok(latest_measures(obs, &config.summary_vitals, as_of)?
        .group_by([col(observations::PATIENT_ID)])
        .agg(pivot))
}

/// The last result outside its reference range, per patient.
fn last_abnormal_lab(
    observations_frame: LazyFrame,
    config: &PopulationHealthConfig,
    as_of: NaiveDate,
) -> Result<LazyFrame> {
    use observations::{CODE, OCCURRED_AT, PATIENT_ID, VALUE_NUMERIC};
    Ok(
        classified_results(observations_frame, &config.reference_ranges, as_of)?
            .filter(col(DIRECTION).is_not_null())
            .sort(
                [PATIENT_ID, OCCURRED_AT, CODE, VALUE_NUMERIC],
                stable_sort(),
            )
            .group_by([col(PATIENT_ID)])
            .agg([
                col(CODE).last().alias(LAST_ABNORMAL_LAB_CODE),
                col(OCCURRED_DATE).last().alias(LAST_ABNORMAL_LAB_DATE),
                col(VALUE_NUMERIC).last().alias(LAST_ABNORMAL_LAB_VALUE),
                col(DIRECTION).last().alias(LAST_ABNORMAL_LAB_DIRECTION),
            ]),
    )
}

/// One row per patient with what a clinician sees first.
///
/// # Definition
/// Every silver patient (deduplicated by `patient_id`). A patient who died before
/// `as_of` is `deceased_flag`; the *reference date* is the death date for them and
/// `as_of` for everyone else. Demographics: `gender`, `race`, `ethnicity`, `birth_date`,
/// `death_date`, `age_years` and `age_band` on `as_of` (null for the deceased). Active
/// conditions: distinct codes of `conditions` rows started on or before the reference
/// date and not stopped by it (`stop` null or after it; a condition resolved earlier is
/// not active); active medications likewise from `medications` (`start_date`,
/// `stop_date`). Encounters: the last one starting on or before `as_of` (date and
/// class; ties by start instant, then input order) and the count starting in the
/// [`PopulationHealthConfig::summary_lookback_months`] months ending on `as_of`. Latest
/// vitals: one column `latest_<name>` per [`PopulationHealthConfig::summary_vitals`]
/// measure, the latest value in its unit on or before `as_of` (two the same day → the
/// later). Last abnormal lab: the latest result outside its reference range (see
/// [`crate::labs::lab_abnormal_trends`]).
///
/// # Denominator
/// Not a rate.
///
/// # Numerator
/// Not a rate.
///
/// # Exclusions
/// None: a patient without conditions, medications, encounters or vitals has zero
/// counts, empty lists and null values.
///
/// # Period
/// The as-of date (the death date for the deceased); encounters: the look-back months.
///
/// # Output grain
/// One row per patient, sorted by `patient_id`: `patient_id`, `gender`, `race`,
/// `ethnicity`, `birth_date`, `death_date`, `deceased_flag`, `reference_date`,
/// `age_years`, `age_band`, `active_conditions_count` (Int64), `active_conditions`
/// (String, `; `-joined codes), `active_medications_count`, `active_medications`,
/// `last_encounter_date`, `last_encounter_class`, `encounters_last_12m` (Int64), one
/// Float64 `latest_<vital>` per summary vital, `last_abnormal_lab_code`,
/// `last_abnormal_lab_date`, `last_abnormal_lab_value`, `last_abnormal_lab_direction`.
///
/// # Example
/// See the crate tests `a_patient_dead_before_the_as_of_date_is_summarized_at_death` and
/// `a_resolved_condition_is_not_active`; the call is
/// `patient_clinical_summary(&inputs, &config, as_of)`.
///
/// # Errors
/// Inputs that are not silver tables; invalid configuration.
pub fn patient_clinical_summary(
    inputs: &SummaryInputs,
    config: &PopulationHealthConfig,
    as_of: NaiveDate,
) -> Result<LazyFrame> {
    config.validate()?;
    let base = patient_base(inputs.patients.clone(), config, as_of)?;
    let references = base
        .clone()
        .select([col(patients::PATIENT_ID), col(REFERENCE_DATE)]);
    let (conds, meds, encs) = checked_events(inputs)?;
    let active_conditions = active_codes(
        conds,
        references.clone(),
        conditions::START,
        conditions::STOP,
        (ACTIVE_CONDITIONS_COUNT, ACTIVE_CONDITIONS),
    );
    let active_medications = active_codes(
        meds,
        references,
        medications::START_DATE,
        medications::STOP_DATE,
        (ACTIVE_MEDICATIONS_COUNT, ACTIVE_MEDICATIONS),
    );
    let parts = [
        active_conditions,
        active_medications,
        encounter_facts(encs, as_of, config.summary_lookback_months),
        latest_vitals(inputs.observations.clone(), config, as_of)?,
        last_abnormal_lab(inputs.observations.clone(), config, as_of)?,
    ];
    let joined = parts.into_iter().fold(base, |acc, part| {
        acc.join(
            part,
            [col(patients::PATIENT_ID)],
            [col(patients::PATIENT_ID)],
            JoinArgs::new(JoinType::Left),
        )
    });
    Ok(joined
        .with_columns([
            col(ACTIVE_CONDITIONS_COUNT).fill_null(lit(0i64)),
            col(ACTIVE_CONDITIONS).fill_null(lit("")),
            col(ACTIVE_MEDICATIONS_COUNT).fill_null(lit(0i64)),
            col(ACTIVE_MEDICATIONS).fill_null(lit("")),
            col(ENCOUNTERS_LAST_12M).fill_null(lit(0i64)),
        ])
        .sort([patients::PATIENT_ID], stable_sort()))
}

/// The silver event inputs, checked against the contract.
fn checked_events(inputs: &SummaryInputs) -> Result<(LazyFrame, LazyFrame, LazyFrame)> {
    let (mut conds, mut meds, mut encs) = (
        inputs.conditions.clone(),
        inputs.medications.clone(),
        inputs.encounters.clone(),
    );
    require(
        TableKind::Conditions,
        &mut conds,
        &[
            conditions::PATIENT_ID,
            conditions::CODE,
            conditions::START,
            conditions::STOP,
        ],
    )?;
    require(
        TableKind::Medications,
        &mut meds,
        &[
            medications::PATIENT_ID,
            medications::CODE,
            medications::START_DATE,
            medications::STOP_DATE,
        ],
    )?;
    require(
        TableKind::Encounters,
        &mut encs,
        &[
            encounters::PATIENT_ID,
            encounters::START,
            encounters::START_DATE,
            encounters::ENCOUNTER_CLASS,
        ],
    )?;
    let meds = meds.select([
        col(medications::PATIENT_ID),
        col(medications::CODE),
        col(medications::START_DATE),
        col(medications::STOP_DATE),
    ]);
    Ok((conds, meds, encs))
}

/// Demographics, deceased flag, reference date, age and band of every patient.
fn patient_base(
    patients_frame: LazyFrame,
    config: &PopulationHealthConfig,
    as_of: NaiveDate,
) -> Result<LazyFrame> {
    use patients::{BIRTH_DATE, DEATH_DATE, GENDER, PATIENT_ID};
    let mut frame = patients_frame;
    require(
        TableKind::Patients,
        &mut frame,
        &[PATIENT_ID, BIRTH_DATE, DEATH_DATE, GENDER, RACE, ETHNICITY],
    )?;
    let deceased = col(DEATH_DATE).lt(date_lit(as_of)).fill_null(lit(false));
    Ok(frame
        .unique_stable(Some(cols([PATIENT_ID])), UniqueKeepStrategy::First)
        .select([
            col(PATIENT_ID),
            col(GENDER),
            col(RACE),
            col(ETHNICITY),
            col(BIRTH_DATE),
            col(DEATH_DATE),
        ])
        .with_column(deceased.alias(DECEASED_FLAG))
        .with_columns([
            when(col(DECEASED_FLAG))
                .then(col(DEATH_DATE))
                .otherwise(date_lit(as_of))
                .alias(REFERENCE_DATE),
            when(col(DECEASED_FLAG))
                .then(typed_null(DataType::Int32))
                .otherwise(age_in_years_at(as_of))
                .alias(AGE_YEARS),
        ])
        .with_column(config.age_bands.label(col(AGE_YEARS)).alias(AGE_BAND)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::testkit::*;

    fn inputs() -> SummaryInputs {
        SummaryInputs {
            patients: patients(&[
                ("a", "1980-01-01", "", "F", "white"),
                ("b", "1990-01-01", "", "M", "black"),
                ("d", "1950-01-01", "2020-06-01", "F", "white"),
            ]),
            conditions: conditions(&[
                ("a", "c1", "2015-01-01", ""),
                ("a", "c2", "2015-01-01", "2020-01-01"),
                ("a", "c3", "2025-01-01", ""),
                ("d", "c4", "2019-01-01", ""),
                ("d", "c5", "2020-07-01", ""),
            ]),
            medications: medications(&[
                ("a", "m1", "2022-01-01T00:00:00Z", ""),
                ("a", "m2", "2022-01-01T00:00:00Z", "2023-01-01T00:00:00Z"),
                ("d", "m3", "2020-01-01T00:00:00Z", ""),
            ]),
            encounters: encounters(&[
                ("e1", "a", "h", "wellness", "2022-06-01T08:00:00Z", ""),
                ("e2", "a", "h", "emergency", "2023-06-01T08:00:00Z", ""),
                ("e3", "a", "h", "inpatient", "2024-02-01T08:00:00Z", ""),
            ]),
            observations: observations(&[
                ("a", "39156-5", "2023-06-01T08:00:00Z", "30.0", "kg/m2"),
                ("a", "39156-5", "2023-06-01T17:00:00Z", "25.0", "kg/m2"),
                ("a", "8480-6", "2023-06-01T08:00:00Z", "150.0", "mm[Hg]"),
                ("a", "8867-4", "2023-07-01T08:00:00Z", "70.0", "/min"),
            ]),
        }
    }

    fn summary() -> DataFrame {
        patient_clinical_summary(
            &inputs(),
            &PopulationHealthConfig::default(),
            date("2024-01-01"),
        )
        .unwrap()
        .collect_big()
    }

    #[test]
    fn a_resolved_condition_is_not_active_and_counts_come_from_the_as_of_date() {
        let out = summary();
        assert_eq!(strs(&out, "patient_id"), ["a", "b", "d"]);
        assert_eq!(i64s(&out, ACTIVE_CONDITIONS_COUNT)[0], Some(1));
        assert_eq!(strs(&out, ACTIVE_CONDITIONS)[0], "c1");
        assert_eq!(strs(&out, ACTIVE_MEDICATIONS)[0], "m1");
        assert_eq!(strs(&out, LAST_ENCOUNTER_DATE)[0], "2023-06-01");
        assert_eq!(strs(&out, LAST_ENCOUNTER_CLASS)[0], "emergency");
        assert_eq!(i64s(&out, ENCOUNTERS_LAST_12M)[0], Some(1));
        assert_eq!(f64s(&out, "latest_bmi")[0], Some(25.0));
        assert_eq!(f64s(&out, "latest_systolic_bp")[0], Some(150.0));
        assert_eq!(strs(&out, LAST_ABNORMAL_LAB_CODE)[0], "8480-6");
        assert_eq!(strs(&out, LAST_ABNORMAL_LAB_DIRECTION)[0], "above");
        assert_eq!(strs(&out, "age_years")[..2], ["44", "34"]);
    }

    #[test]
    fn a_patient_without_data_has_zero_counts_and_no_bmi() {
        let out = summary();
        assert_eq!(i64s(&out, ACTIVE_CONDITIONS_COUNT)[1], Some(0));
        assert_eq!(strs(&out, ACTIVE_CONDITIONS)[1], "");
        assert_eq!(i64s(&out, ENCOUNTERS_LAST_12M)[1], Some(0));
        assert_eq!(f64s(&out, "latest_bmi")[1], None);
        assert_eq!(strs(&out, LAST_ABNORMAL_LAB_CODE)[1], "<null>");
    }

    #[test]
    fn a_patient_dead_before_the_as_of_date_is_summarized_at_death() {
        let out = summary();
        assert_eq!(
            bools(&out, DECEASED_FLAG),
            [Some(false), Some(false), Some(true)]
        );
        assert_eq!(strs(&out, REFERENCE_DATE)[2], "2020-06-01");
        assert_eq!(strs(&out, "age_years")[2], "<null>");
        assert_eq!(strs(&out, "age_years")[0], "44");
        assert_eq!(strs(&out, ACTIVE_CONDITIONS)[2], "c4");
        assert_eq!(strs(&out, ACTIVE_MEDICATIONS)[2], "m3");
    }
}
