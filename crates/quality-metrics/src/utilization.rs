//! Encounter utilization: encounters and patients per condition, and per age band and
//! encounter class.

use medallion_model::expr::stable_sort;
use polars::prelude::*;
use synthea_schema::TableKind;
use synthea_schema::columns::{conditions, encounters, patients, require};

use crate::config::AgeBands;
use crate::error::Result;
use crate::util::patient_births;

/// Version of the utilization definitions, recorded with their gold tables. Change it
/// whenever the rows would change for the same inputs.
pub const METRIC_VERSION: &str = "utilization-1";

/// Output column: distinct encounters.
const ENCOUNTERS: &str = "encounters";
/// Output column: distinct patients.
const PATIENTS: &str = "patients";
/// Output column: the age band label.
const AGE_GROUP: &str = "age_group";

/// Output schema of [`encounters_per_condition`].
pub fn encounters_per_condition_schema() -> Schema {
    Schema::from_iter([
        Field::new(conditions::CODE.into(), DataType::String),
        Field::new(conditions::DESCRIPTION.into(), DataType::String),
        Field::new(ENCOUNTERS.into(), DataType::Int64),
        Field::new(PATIENTS.into(), DataType::Int64),
    ])
}

/// Encounters and patients per condition code.
///
/// # Definition
/// The silver `conditions` rows grouped by condition `code` and `description`:
/// `encounters` = distinct `encounter_id`s of the group, `patients` = distinct
/// `patient_id`s (a null id counts as one value, like any other).
///
/// # Denominator
/// Not a rate.
///
/// # Numerator
/// Not a rate: the two counts are the measures.
///
/// # Exclusions
/// None: every condition row counts, whatever its dates.
///
/// # Period
/// All data.
///
/// # Output grain
/// One row per (`code`, `description`), most encounters first (then by code and
/// description):
///
/// | column | dtype | meaning |
/// |---|---|---|
/// | code | String | SNOMED CT condition code |
/// | description | String | its description |
/// | encounters | Int64 | distinct encounters with the condition |
/// | patients | Int64 | distinct patients with the condition |
///
/// # Example
/// ```
/// use ehr_quality_metrics::utilization::encounters_per_condition;
/// use polars::prelude::*;
/// use synthea_schema::normalize::{NormalizeConfig, normalize};
/// use synthea_schema::{SyntheaVersion, TableKind};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let raw = df!(
///     "PATIENT" => ["p", "p", "q"], "ENCOUNTER" => ["e1", "e2", "e3"],
///     "CODE" => ["44054006", "44054006", "44054006"], "DESCRIPTION" => ["Diabetes"; 3],
///     "START" => ["2020-01-01"; 3],
/// )?;
/// let conditions = normalize(TableKind::Conditions, SyntheaVersion::V3Latest, raw.lazy(), &NormalizeConfig::default())?;
/// let out = encounters_per_condition(conditions)?.collect()?;
/// assert_eq!(out.column("encounters")?.i64()?.get(0), Some(3));
/// assert_eq!(out.column("patients")?.i64()?.get(0), Some(2));
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// [`crate::Error::Silver`] when `conditions` is not silver conditions.
pub fn encounters_per_condition(conditions: LazyFrame) -> Result<LazyFrame> {
    use conditions::{CODE, DESCRIPTION, ENCOUNTER_ID, PATIENT_ID};
    let mut conditions = conditions;
    require(
        TableKind::Conditions,
        &mut conditions,
        &[CODE, DESCRIPTION, ENCOUNTER_ID, PATIENT_ID],
    )?;
    Ok(conditions
        .group_by([col(CODE), col(DESCRIPTION)])
        .agg([
            distinct_count(ENCOUNTER_ID).alias(ENCOUNTERS),
            distinct_count(PATIENT_ID).alias(PATIENTS),
        ])
        .sort(
            [ENCOUNTERS, CODE, DESCRIPTION],
            stable_sort().with_order_descending_multi([true, false, false]),
        ))
}

/// Output schema of [`encounters_by_age_group_and_class`].
pub fn encounters_by_age_group_and_class_schema() -> Schema {
    Schema::from_iter([
        Field::new(AGE_GROUP.into(), DataType::String),
        Field::new(encounters::ENCOUNTER_CLASS.into(), DataType::String),
        Field::new(ENCOUNTERS.into(), DataType::Int64),
        Field::new(PATIENTS.into(), DataType::Int64),
    ])
}

/// Encounters and patients by the patient's age band at the encounter and the encounter
/// class.
///
/// # Definition
/// Each silver `encounters` row gets the age of its patient on its `start_date`: the
/// difference of the calendar years, minus one when the encounter's day of the year
/// is smaller than the birth date's day of the year (a day-of-year comparison, so
/// around 29 February of leap years it can differ by one from the month-and-day rule
/// of [`crate::adherence`]). The age falls into one of the configured
/// [`AgeBands`] (`age_group`, e.g. `18-34`). Rows are grouped by `age_group` and
/// `encounter_class`: `encounters` = rows, `patients` = distinct patients.
///
/// # Denominator
/// Not a rate.
///
/// # Numerator
/// Not a rate: the two counts are the measures.
///
/// # Exclusions
/// None: encounters whose patient, birth date or start date is unknown, or whose age is
/// below the first band, have a null `age_group` and are counted there.
///
/// # Period
/// All data.
///
/// # Output grain
/// One row per (`age_group`, `encounter_class`), ordered by both (nulls first):
///
/// | column | dtype | meaning |
/// |---|---|---|
/// | age_group | String | band label, e.g. `0-17`, `65+`; null when unknown |
/// | encounter_class | String | silver encounter class |
/// | encounters | Int64 | encounters (rows) |
/// | patients | Int64 | distinct patients |
///
/// # Example
/// ```
/// use ehr_quality_metrics::AgeBands;
/// use ehr_quality_metrics::utilization::encounters_by_age_group_and_class;
/// use polars::prelude::*;
/// use synthea_schema::normalize::{NormalizeConfig, normalize};
/// use synthea_schema::{SyntheaVersion, TableKind};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let n = |t, raw: DataFrame| normalize(t, SyntheaVersion::V3Latest, raw.lazy(), &NormalizeConfig::default());
/// let encounters = n(TableKind::Encounters, df!(
///     "Id" => ["a", "b"], "PATIENT" => ["p", "p"], "ENCOUNTERCLASS" => ["wellness", "wellness"],
///     "START" => ["2007-12-31T10:00:00Z", "2008-01-01T10:00:00Z"],
/// )?)?;
/// let patients = n(TableKind::Patients, df!("Id" => ["p"], "BIRTHDATE" => ["1990-01-01"])?)?;
/// let out = encounters_by_age_group_and_class(encounters, patients, &AgeBands::default())?
///     .collect()?;
/// // 17 the day before the 18th birthday, 18 on it.
/// let groups: Vec<_> = out.column("age_group")?.str()?.iter().flatten().collect();
/// assert_eq!(groups, ["0-17", "18-34"]);
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// [`crate::Error::Silver`] for inputs that are not silver encounters / patients,
/// [`crate::Error::InvalidConfig`] for invalid age bands.
pub fn encounters_by_age_group_and_class(
    encounters: LazyFrame,
    patients: LazyFrame,
    age_bands: &AgeBands,
) -> Result<LazyFrame> {
    use encounters::{ENCOUNTER_CLASS, PATIENT_ID, START_DATE};
    age_bands.validate()?;
    let mut encounters = encounters;
    require(
        TableKind::Encounters,
        &mut encounters,
        &[PATIENT_ID, START_DATE, ENCOUNTER_CLASS],
    )?;
    let births = patient_births(patients)?;
    Ok(encounters
        .join(
            births,
            [col(PATIENT_ID)],
            [col(patients::PATIENT_ID)],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(age_bands.label(age_at_start()).alias(AGE_GROUP))
        .group_by([col(AGE_GROUP), col(ENCOUNTER_CLASS)])
        .agg([
            len().cast(DataType::Int64).alias(ENCOUNTERS),
            distinct_count(PATIENT_ID).alias(PATIENTS),
        ])
        .sort([AGE_GROUP, ENCOUNTER_CLASS], SortMultipleOptions::default()))
}

/// Full years from `birth_date` to the encounter's `start_date`, by day of the year.
fn age_at_start() -> Expr {
    let (start, birth) = (col(encounters::START_DATE), col(patients::BIRTH_DATE));
    let birthday_ahead = start
        .clone()
        .dt()
        .ordinal_day()
        .lt(birth.clone().dt().ordinal_day());
    (start.dt().year() - birth.dt().year())
        - when(birthday_ahead).then(lit(1i32)).otherwise(lit(0i32))
}

/// Distinct values of a column (null counts as a value), as `Int64`.
fn distinct_count(column: &str) -> Expr {
    col(column).n_unique().cast(DataType::Int64)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::testkit::*;

    #[test]
    fn encounters_per_condition_counts_distinct_encounters_and_patients() {
        let conds = conditions(&[
            ("p", "e1", "2020-01-01", "c1"),
            ("p", "e1", "2020-02-01", "c1"),
            ("q", "e2", "2020-01-01", "c1"),
            ("q", "e3", "2020-01-01", "c2"),
        ]);
        let lf = encounters_per_condition(conds).unwrap();
        assert_eq!(lf.clone().schema_big(), encounters_per_condition_schema());
        let df = lf.collect_big();
        assert_eq!(strs(&df, "code"), ["c1", "c2"]);
        assert_eq!(i64s(&df, ENCOUNTERS), [2, 1]);
        assert_eq!(i64s(&df, PATIENTS), [2, 1]);
    }

    #[test]
    fn age_band_changes_on_the_birthday_and_unknown_births_are_null() {
        let enc = encounters(&[
            Enc::new("a", "p", "h", "wellness", "2007-12-31T10:00:00Z", ""),
            Enc::new("b", "p", "h", "wellness", "2008-01-01T10:00:00Z", ""),
            Enc::new("c", "p", "h", "emergency", "2008-06-01T10:00:00Z", ""),
            Enc::new("d", "x", "h", "wellness", "2008-06-01T10:00:00Z", ""),
        ]);
        let pats = patients(&[("p", "1990-01-01", "")]);
        let lf = encounters_by_age_group_and_class(enc, pats, &AgeBands::default()).unwrap();
        assert_eq!(
            lf.clone().schema_big(),
            encounters_by_age_group_and_class_schema()
        );
        let df = lf.collect_big();
        assert_eq!(strs(&df, AGE_GROUP), ["<null>", "0-17", "18-34", "18-34"]);
        assert_eq!(
            strs(&df, "encounter_class"),
            ["wellness", "wellness", "emergency", "wellness"]
        );
        assert_eq!(i64s(&df, ENCOUNTERS), [1, 1, 1, 1]);
    }

    #[test]
    fn configured_age_bands_label_the_groups() {
        let enc = encounters(&[Enc::new(
            "a",
            "p",
            "h",
            "wellness",
            "2020-06-01T10:00:00Z",
            "",
        )]);
        let pats = patients(&[("p", "1960-01-01", "")]);
        let bands = AgeBands::new(vec![0, 70]);
        let df = encounters_by_age_group_and_class(enc, pats, &bands)
            .unwrap()
            .collect_big();
        assert_eq!(strs(&df, AGE_GROUP), ["0-69"]);
        let err = encounters_by_age_group_and_class(
            encounters(&[]),
            patients(&[]),
            &AgeBands::new(vec![18, 0]),
        );
        assert!(matches!(err, Err(crate::Error::InvalidConfig { .. })));
    }
}
