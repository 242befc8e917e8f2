//! Hospital utilization per organization and month, over the stays and readmissions of
//! `ehr-quality-metrics` (reused, never recomputed differently).

use chrono::NaiveDate;
use ehr_quality_metrics::columns::{ADMISSION_DATE, DISCHARGE_DATE, DISCHARGE_MONTH, LOS_DAYS};
use medallion_model::expr::{ratio, stable_sort, string_list};
use polars::prelude::*;
use synthea_schema::TableKind;
use synthea_schema::columns::{encounters, require};

use crate::columns::MONTH;
use crate::config::PopulationHealthConfig;
use crate::error::Result;
use crate::util::date_lit;

/// Version of the definition of `hospital_utilization_metrics`.
pub const METRIC_VERSION: &str = "hospital-utilization-1";

/// Encounters of the organization starting in the month.
pub const ENCOUNTERS: &str = "encounters";
/// Encounters of a class outside [`PopulationHealthConfig::encounter_classes`].
pub const ENCOUNTERS_OTHER: &str = "encounters_other";
/// Emergency-department visits.
pub const ED_VISITS: &str = "ed_visits";
/// Distinct patients with an encounter.
pub const DISTINCT_PATIENTS: &str = "distinct_patients";
/// Inpatient stays admitted in the month.
pub const INPATIENT_ADMISSIONS: &str = "inpatient_admissions";
/// Inpatient stays discharged in the month.
pub const DISCHARGES: &str = "discharges";
/// Σ length of stay of the stays discharged in the month.
pub const PATIENT_DAYS: &str = "patient_days";
/// patient_days / discharges.
pub const ALOS_DAYS: &str = "alos_days";
/// Index stays discharged in the month followed by a 30-day readmission.
pub const READMISSIONS: &str = "readmissions";

/// Inputs of [`hospital_utilization_metrics`].
#[derive(Clone)]
pub struct UtilizationInputs {
    /// Silver `encounters`.
    pub encounters: LazyFrame,
    /// `ehr_quality_metrics::inpatient_stays(..).stays` (gold `inpatient_stays`).
    pub stays: LazyFrame,
    /// `ehr_quality_metrics::readmission::readmissions(..)` (gold `readmissions`).
    pub readmissions: LazyFrame,
}

/// The column of encounters of one class.
pub fn class_column(class: &str) -> String {
    format!("{ENCOUNTERS}_{class}")
}

/// Encounters, admissions, patient days, ALOS, readmissions, ED visits and patients per
/// organization and month.
///
/// # Definition
/// Encounters: silver `encounters` starting (`start_date`) on or before `as_of`, by
/// `organization_id` and the month of `start_date`; one `encounters_<class>` column per
/// [`PopulationHealthConfig::encounter_classes`], the rest in `encounters_other`;
/// `ed_visits` = encounters of [`PopulationHealthConfig::emergency_classes`];
/// `distinct_patients` = distinct `patient_id`. Inpatient: the merged stays of
/// `ehr_quality_metrics::stays` (same configuration as gold `inpatient_stays`):
/// `inpatient_admissions` by admission month, `discharges` and `patient_days`
/// (Σ `los_days`) by discharge month, `alos_days` = patient_days / discharges (the
/// `ehr_quality_metrics::los` definition, per organization); `readmissions` = stays of
/// `ehr_quality_metrics::readmission` with `readmission_flag`, by discharge month.
///
/// # Denominator
/// `alos_days`: discharges of the organization in the month.
///
/// # Numerator
/// `alos_days`: patient days of those discharges. Everything else is a count.
///
/// # Exclusions
/// Encounters after `as_of`; stays without a discharge count as admissions only.
///
/// # Period
/// Every month up to the as-of date.
///
/// # Output grain
/// One row per (`organization_id`, `month`) with any activity, sorted by both:
/// `organization_id` (String), `month` (Date), `encounters`, `encounters_<class>`…,
/// `encounters_other`, `ed_visits`, `distinct_patients`, `inpatient_admissions`,
/// `discharges`, `patient_days`, `readmissions` (all Int64, 0 when none), `alos_days`
/// (Float64, null without discharges).
///
/// # Example
/// See the crate test `utilization_reuses_the_quality_metrics_stays`; the call is
/// `hospital_utilization_metrics(inputs, &config, as_of)`.
///
/// # Errors
/// An input that is not silver `encounters`; invalid configuration.
pub fn hospital_utilization_metrics(
    inputs: UtilizationInputs,
    config: &PopulationHealthConfig,
    as_of: NaiveDate,
) -> Result<LazyFrame> {
    use encounters::{ENCOUNTER_CLASS, ORGANIZATION_ID, PATIENT_ID, START_DATE};
    config.validate()?;
    let mut encs = inputs.encounters;
    require(
        TableKind::Encounters,
        &mut encs,
        &[ORGANIZATION_ID, PATIENT_ID, START_DATE, ENCOUNTER_CLASS],
    )?;
    let key = [col(ORGANIZATION_ID), col(MONTH)];
    let count = |e: Expr| e.fill_null(lit(false)).sum().cast(DataType::Int64);
    let class = col(ENCOUNTER_CLASS);
    let mut aggs = vec![len().cast(DataType::Int64).alias(ENCOUNTERS)];
    aggs.extend(
        config
            .encounter_classes
            .iter()
            .map(|c| count(class.clone().eq(lit(c.clone()))).alias(class_column(c))),
    );
    aggs.extend([
        count(
            class
                .clone()
                .is_in(string_list(&config.encounter_classes), false)
                .not(),
        )
        .alias(ENCOUNTERS_OTHER),
        count(class.is_in(string_list(&config.emergency_classes), false)).alias(ED_VISITS),
        col(PATIENT_ID)
            .n_unique()
            .cast(DataType::Int64)
            .alias(DISTINCT_PATIENTS),
    ]);
    let by_encounter = encs
        .filter(col(START_DATE).lt_eq(date_lit(as_of)))
        .with_column(col(START_DATE).dt().month_start().alias(MONTH))
        .group_by(key.clone())
        .agg(aggs);
    let admissions = inputs
        .stays
        .clone()
        .with_column(col(ADMISSION_DATE).dt().month_start().alias(MONTH))
        .group_by(key.clone())
        .agg([len().cast(DataType::Int64).alias(INPATIENT_ADMISSIONS)]);
    let discharges = inputs
        .stays
        .filter(col(DISCHARGE_DATE).is_not_null())
        .with_column(col(DISCHARGE_DATE).dt().month_start().alias(MONTH))
        .group_by(key.clone())
        .agg([
            len().cast(DataType::Int64).alias(DISCHARGES),
            col(LOS_DAYS)
                .sum()
                .cast(DataType::Int64)
                .alias(PATIENT_DAYS),
        ]);
    let readmissions = inputs
        .readmissions
        .filter(col(DISCHARGE_MONTH).is_not_null())
        .with_column(col(DISCHARGE_MONTH).alias(MONTH))
        .group_by(key.clone())
        .agg([count(col("readmission_flag")).alias(READMISSIONS)]);
    let parts = [by_encounter, admissions, discharges, readmissions];
    let keys = concat(
        parts
            .iter()
            .map(|p| p.clone().select(key.clone()))
            .collect::<Vec<_>>(),
        UnionArgs::default(),
    )?
    .filter(col(MONTH).lt_eq(date_lit(as_of)))
    .unique_stable(None, UniqueKeepStrategy::First);
    let joined = parts.into_iter().fold(keys, |acc, part| {
        acc.join(
            part,
            key.clone(),
            key.clone(),
            JoinArgs::new(JoinType::Left),
        )
    });
    let mut counts: Vec<String> = vec![ENCOUNTERS.to_string()];
    counts.extend(config.encounter_classes.iter().map(|c| class_column(c)));
    counts.extend(
        [
            ENCOUNTERS_OTHER,
            ED_VISITS,
            DISTINCT_PATIENTS,
            INPATIENT_ADMISSIONS,
            DISCHARGES,
            PATIENT_DAYS,
            READMISSIONS,
        ]
        .map(String::from),
    );
    Ok(joined
        .with_columns(
            counts
                .iter()
                .map(|c| col(c.as_str()).fill_null(lit(0i64)))
                .collect::<Vec<_>>(),
        )
        .with_column(ratio(col(PATIENT_DAYS), col(DISCHARGES)).alias(ALOS_DAYS))
        .sort([ORGANIZATION_ID, MONTH], stable_sort()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::testkit::*;
    use ehr_quality_metrics::readmission::{ReadmissionInputs, readmissions};
    use ehr_quality_metrics::{QualityConfig, StayInputs, inpatient_stays};

    #[test]
    fn utilization_reuses_the_quality_metrics_stays_and_readmissions() {
        let encs = encounters(&[
            (
                "i1",
                "p",
                "h",
                "inpatient",
                "2023-01-01T10:00:00Z",
                "2023-01-04T10:00:00Z",
            ),
            (
                "i2",
                "p",
                "h",
                "inpatient",
                "2023-01-10T10:00:00Z",
                "2023-01-12T10:00:00Z",
            ),
            (
                "er",
                "p",
                "h",
                "emergency",
                "2023-01-01T08:00:00Z",
                "2023-01-01T09:00:00Z",
            ),
            (
                "w",
                "q",
                "h",
                "wellness",
                "2023-02-01T08:00:00Z",
                "2023-02-01T09:00:00Z",
            ),
            (
                "x",
                "q",
                "h",
                "hospice",
                "2023-02-02T08:00:00Z",
                "2023-02-02T09:00:00Z",
            ),
            (
                "i3",
                "q",
                "h",
                "inpatient",
                "2023-06-01T10:00:00Z",
                "2023-06-03T10:00:00Z",
            ),
            ("late", "q", "h", "wellness", "2024-02-01T08:00:00Z", ""),
        ]);
        let pats = patients(&[
            ("p", "1950-01-01", "", "F", "white"),
            ("q", "1950-01-01", "", "M", "white"),
        ]);
        let as_of = date("2023-12-31");
        let quality = QualityConfig::default();
        let rollup = inpatient_stays(
            StayInputs {
                encounters: encs.clone(),
            },
            &quality.stays,
            as_of,
        )
        .unwrap();
        let readmit = readmissions(
            ReadmissionInputs {
                stays: rollup.stays.clone(),
                stay_encounters: rollup.stay_encounters,
                encounters: encs.clone(),
                patients: pats,
                procedures: procedures_empty(),
            },
            &quality.readmission,
        )
        .unwrap();
        let out = hospital_utilization_metrics(
            UtilizationInputs {
                encounters: encs,
                stays: rollup.stays,
                readmissions: readmit,
            },
            &PopulationHealthConfig::default(),
            as_of,
        )
        .unwrap()
        .collect_big();
        assert_eq!(
            strs(&out, MONTH),
            ["2023-01-01", "2023-02-01", "2023-06-01"]
        );
        assert_eq!(i64s(&out, ENCOUNTERS), [3, 2, 1].map(Some));
        assert_eq!(i64s(&out, &class_column("inpatient")), [2, 0, 1].map(Some));
        assert_eq!(i64s(&out, ENCOUNTERS_OTHER), [0, 1, 0].map(Some));
        assert_eq!(i64s(&out, ED_VISITS), [1, 0, 0].map(Some));
        assert_eq!(i64s(&out, DISTINCT_PATIENTS), [1, 1, 1].map(Some));
        assert_eq!(i64s(&out, INPATIENT_ADMISSIONS), [2, 0, 1].map(Some));
        assert_eq!(i64s(&out, DISCHARGES), [2, 0, 1].map(Some));
        assert_eq!(i64s(&out, PATIENT_DAYS), [5, 0, 2].map(Some));
        assert_eq!(f64s(&out, ALOS_DAYS), [Some(2.5), None, Some(2.0)]);
        // The January index stay is readmitted 6 days later (the June stay is run-out).
        assert_eq!(i64s(&out, READMISSIONS), [1, 0, 0].map(Some));
    }
}
