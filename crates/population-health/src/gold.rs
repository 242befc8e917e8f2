//! Every gold table of this crate in one call, as values a pipeline writes without
//! knowing them in advance.

use chrono::NaiveDate;
use ehr_quality_metrics::readmission::{ReadmissionInputs, readmissions};
use ehr_quality_metrics::{QualityConfig, StayInputs, inpatient_stays};
use medallion_model::GoldTable;
use polars::prelude::*;

use crate::config::PopulationHealthConfig;
use crate::demographics::{
    self, DemographicInputs, condition_prevalence, top_conditions_by_age_band, vitals_by_group,
};
use crate::error::Result;
use crate::labs::{self, lab_abnormal_trends};
use crate::summary::{self, SummaryInputs, patient_clinical_summary};
use crate::surveillance::{self, Surveillance, SurveillanceInputs, surveillance};
use crate::utilization::{self, UtilizationInputs, hospital_utilization_metrics};

/// The silver tables the population-health tables read.
#[derive(Clone)]
pub struct PopulationInputs {
    /// Silver `patients`.
    pub patients: LazyFrame,
    /// Silver `encounters`.
    pub encounters: LazyFrame,
    /// Silver `conditions`.
    pub conditions: LazyFrame,
    /// Silver `medications`.
    pub medications: LazyFrame,
    /// Silver `observations`.
    pub observations: LazyFrame,
    /// Silver `procedures` (planned readmissions).
    pub procedures: LazyFrame,
}

/// Gold `condition_prevalence`.
pub const CONDITION_PREVALENCE: &str = "condition_prevalence";
/// Gold `top_conditions_by_age_band`.
pub const TOP_CONDITIONS_BY_AGE_BAND: &str = "top_conditions_by_age_band";
/// Gold `vitals_by_group`.
pub const VITALS_BY_GROUP: &str = "vitals_by_group";
/// Gold `disease_prevalence_daily`.
pub const DISEASE_PREVALENCE_DAILY: &str = "disease_prevalence_daily";
/// Gold `condition_incidence_weekly`.
pub const CONDITION_INCIDENCE_WEEKLY: &str = "condition_incidence_weekly";
/// Gold `lab_abnormal_trends`.
pub const LAB_ABNORMAL_TRENDS: &str = "lab_abnormal_trends";
/// Gold `patient_clinical_summary`.
pub const PATIENT_CLINICAL_SUMMARY: &str = "patient_clinical_summary";
/// Gold `hospital_utilization_metrics`.
pub const HOSPITAL_UTILIZATION_METRICS: &str = "hospital_utilization_metrics";

/// Names of the tables returned by [`gold_tables`], in order.
pub const GOLD_TABLES: [&str; 8] = [
    CONDITION_PREVALENCE,
    TOP_CONDITIONS_BY_AGE_BAND,
    VITALS_BY_GROUP,
    DISEASE_PREVALENCE_DAILY,
    CONDITION_INCIDENCE_WEEKLY,
    LAB_ABNORMAL_TRENDS,
    PATIENT_CLINICAL_SUMMARY,
    HOSPITAL_UTILIZATION_METRICS,
];

/// The tables a pipeline may update incrementally ([`crate::surveillance`]).
pub const SURVEILLANCE_TABLES: [&str; 2] = [DISEASE_PREVALENCE_DAILY, CONDITION_INCIDENCE_WEEKLY];

/// Every gold table of this crate ([`GOLD_TABLES`], in that order), all lazy, each with
/// its metric's version and its output grain as description; none is partitioned.
///
/// | table | rows | version |
/// |---|---|---|
/// | `condition_prevalence` | [`condition_prevalence`] | [`demographics::PREVALENCE_METRIC_VERSION`] |
/// | `top_conditions_by_age_band` | [`top_conditions_by_age_band`] | [`demographics::TOP_CONDITIONS_METRIC_VERSION`] |
/// | `vitals_by_group` | [`vitals_by_group`] | [`demographics::VITALS_METRIC_VERSION`] |
/// | `disease_prevalence_daily`, `condition_incidence_weekly` | [`surveillance()`] | [`surveillance::DAILY_METRIC_VERSION`], [`surveillance::WEEKLY_METRIC_VERSION`] |
/// | `lab_abnormal_trends` | [`lab_abnormal_trends`] | [`labs::METRIC_VERSION`] |
/// | `patient_clinical_summary` | [`patient_clinical_summary`] | [`summary::METRIC_VERSION`] |
/// | `hospital_utilization_metrics` | [`hospital_utilization_metrics`] | [`utilization::METRIC_VERSION`] |
///
/// `quality` configures the reused inpatient stays and readmissions: pass the same
/// configuration as the pipeline's `ehr_quality_metrics::gold_tables`, so
/// `hospital_utilization_metrics` counts exactly the stays of gold `inpatient_stays`.
///
/// # Errors
/// Invalid configuration or inputs that are not silver tables.
pub fn gold_tables(
    inputs: &PopulationInputs,
    config: &PopulationHealthConfig,
    quality: &QualityConfig,
    as_of: NaiveDate,
) -> Result<Vec<GoldTable>> {
    config.validate()?;
    let demo = DemographicInputs {
        patients: inputs.patients.clone(),
        conditions: inputs.conditions.clone(),
        observations: inputs.observations.clone(),
    };
    let mut tables = vec![
        GoldTable::new(
            CONDITION_PREVALENCE,
            condition_prevalence(&demo, config, as_of)?,
            demographics::PREVALENCE_METRIC_VERSION,
        )
        .with_description(
            "One row per demographic dimension, group and condition code: population, \
             patients with the condition active on the as-of date and ever, rates per \
             1,000, small cells suppressed and flagged.",
        ),
        GoldTable::new(
            TOP_CONDITIONS_BY_AGE_BAND,
            top_conditions_by_age_band(&demo, config, as_of)?,
            demographics::TOP_CONDITIONS_METRIC_VERSION,
        )
        .with_description(
            "One row per age band and rank: the most prevalent active conditions on the \
             as-of date, ties broken by code.",
        ),
        GoldTable::new(
            VITALS_BY_GROUP,
            vitals_by_group(&demo, config, as_of)?,
            demographics::VITALS_METRIC_VERSION,
        )
        .with_description(
            "One row per measure, demographic dimension and group: mean, median and count \
             of each patient's latest value; values in another unit are counted apart.",
        ),
    ];
    let surveillance_inputs = SurveillanceInputs {
        patients: inputs.patients.clone(),
        conditions: inputs.conditions.clone(),
    };
    tables.extend(surveillance_tables(surveillance(
        &surveillance_inputs,
        &config.surveillance,
        as_of,
    )?));
    tables.extend(clinical_tables(inputs, config, quality, as_of)?);
    Ok(tables)
}

/// The two surveillance tables as gold tables (from a full computation or an update).
pub fn surveillance_tables(tables: Surveillance) -> [GoldTable; 2] {
    [
        GoldTable::new(
            DISEASE_PREVALENCE_DAILY,
            tables.daily,
            surveillance::DAILY_METRIC_VERSION,
        )
        .with_description(
            "One row per condition of interest and day of the surveillance period: new \
             cases, population, 7- and 28-day rolling averages, incidence per 100,000.",
        ),
        GoldTable::new(
            CONDITION_INCIDENCE_WEEKLY,
            tables.weekly,
            surveillance::WEEKLY_METRIC_VERSION,
        )
        .with_description(
            "One row per condition of interest and ISO week of the surveillance period: \
             new cases, population, 4-week rolling average, incidence per 100,000.",
        ),
    ]
}

/// Labs, the patient summary and hospital utilization.
fn clinical_tables(
    inputs: &PopulationInputs,
    config: &PopulationHealthConfig,
    quality: &QualityConfig,
    as_of: NaiveDate,
) -> Result<[GoldTable; 3]> {
    let rollup = inpatient_stays(
        StayInputs {
            encounters: inputs.encounters.clone(),
        },
        &quality.stays,
        as_of,
    )?;
    let readmit = readmissions(
        ReadmissionInputs {
            stays: rollup.stays.clone(),
            stay_encounters: rollup.stay_encounters.clone(),
            encounters: inputs.encounters.clone(),
            patients: inputs.patients.clone(),
            procedures: inputs.procedures.clone(),
        },
        &quality.readmission,
    )?;
    let summary_inputs = SummaryInputs {
        patients: inputs.patients.clone(),
        conditions: inputs.conditions.clone(),
        medications: inputs.medications.clone(),
        encounters: inputs.encounters.clone(),
        observations: inputs.observations.clone(),
    };
    Ok([
        GoldTable::new(
            LAB_ABNORMAL_TRENDS,
            lab_abnormal_trends(inputs.observations.clone(), config, as_of)?,
            labs::METRIC_VERSION,
        )
        .with_description(
            "One row per lab code and month: results, results below and above the \
             reference range, results in another unit, share abnormal.",
        ),
        GoldTable::new(
            PATIENT_CLINICAL_SUMMARY,
            patient_clinical_summary(&summary_inputs, config, as_of)?,
            summary::METRIC_VERSION,
        )
        .with_description(
            "One row per patient: demographics, active conditions and medications, last \
             encounter, encounters in the look-back months, latest vitals, last abnormal lab.",
        ),
        GoldTable::new(
            HOSPITAL_UTILIZATION_METRICS,
            hospital_utilization_metrics(
                UtilizationInputs {
                    encounters: inputs.encounters.clone(),
                    stays: rollup.stays,
                    readmissions: readmit,
                },
                config,
                as_of,
            )?,
            utilization::METRIC_VERSION,
        )
        .with_description(
            "One row per organization and month: encounters by class, ED visits, distinct \
             patients, inpatient admissions, discharges, patient days, ALOS, readmissions.",
        ),
    ])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::testkit::*;

    #[test]
    fn gold_tables_are_named_versioned_and_plan_on_silver_inputs() {
        let inputs = PopulationInputs {
            patients: patients(&[("p", "1950-01-01", "", "F", "white")]),
            encounters: encounters(&[(
                "e",
                "p",
                "h",
                "inpatient",
                "2023-03-01T10:00:00Z",
                "2023-03-04T10:00:00Z",
            )]),
            conditions: conditions(&[("p", "44054006", "2023-03-01", "")]),
            medications: medications(&[("p", "m", "2023-03-01T00:00:00Z", "")]),
            observations: observations(&[
                ("p", "39156-5", "2023-03-02T10:00:00Z", "31.0", "kg/m2"),
                ("p", "8480-6", "2023-03-02T10:00:00Z", "141.0", "mm[Hg]"),
            ]),
            procedures: procedures_empty(),
        };
        let tables = gold_tables(
            &inputs,
            &PopulationHealthConfig::default(),
            &QualityConfig::default(),
            date("2023-12-31"),
        )
        .unwrap();
        let names: Vec<_> = tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, GOLD_TABLES);
        for table in tables {
            assert!(!table.metric_version.is_empty(), "{}", table.name);
            assert!(!table.description.is_empty(), "{}", table.name);
            let rows = table.frame.collect_big().height();
            assert!(rows > 0, "{} is empty", table.name);
        }
    }
}
