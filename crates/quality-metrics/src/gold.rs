//! All gold frames of this crate in one call, for pipelines.

use chrono::NaiveDate;
use polars::prelude::*;

use crate::adherence::{AdherenceInputs, medication_adherence};
use crate::census::daily_census;
use crate::config::{DEFAULT_GOLD_PERIOD_MONTHS, MeasurementPeriod, QualityConfig};
use crate::error::Result;
use crate::latency::{LatencyInputs, diagnosis_latency};
use crate::los::{alos_by_condition, stay_conditions};
use crate::readmission::{ReadmissionInputs, readmission_rates, readmissions};
use crate::stays::{StayInputs, inpatient_stays};

/// The silver tables the metrics read.
#[derive(Clone)]
pub struct SilverInputs {
    /// Silver `encounters`.
    pub encounters: LazyFrame,
    /// Silver `patients`.
    pub patients: LazyFrame,
    /// Silver `conditions`.
    pub conditions: LazyFrame,
    /// Silver `medications`.
    pub medications: LazyFrame,
    /// Silver `procedures`.
    pub procedures: LazyFrame,
    /// Optional bed capacity table (`organization_id`, `beds`); see
    /// [`crate::census::daily_census`] for the default when `None`.
    pub capacity: Option<LazyFrame>,
}

/// Names of the frames returned by [`gold_tables`], in order.
pub const GOLD_TABLES: [&str; 8] = [
    "inpatient_stays",
    "stay_encounters",
    "los_by_condition",
    "readmissions",
    "readmission_rates",
    "medication_adherence",
    "diagnosis_latency",
    "daily_census",
];

/// Every gold frame: `inpatient_stays`, `stay_encounters`, `los_by_condition`,
/// `readmissions`, `readmission_rates`, `medication_adherence`, `diagnosis_latency`,
/// `daily_census` ([`GOLD_TABLES`]), all lazy.
///
/// `as_of` closes open stays and prescriptions; adherence and census use the
/// [`QualityConfig::gold_period_months`] calendar months ending at `as_of`.
///
/// # Errors
/// Invalid configuration or inputs that are not silver tables.
pub fn gold_tables(
    inputs: &SilverInputs,
    config: &QualityConfig,
    as_of: NaiveDate,
) -> Result<Vec<(&'static str, LazyFrame)>> {
    let period = MeasurementPeriod::months_ending(
        as_of,
        config
            .gold_period_months
            .unwrap_or(DEFAULT_GOLD_PERIOD_MONTHS),
    )?;
    let rollup = inpatient_stays(
        StayInputs {
            encounters: inputs.encounters.clone(),
        },
        &config.stays,
        as_of,
    )?;
    let conditions = stay_conditions(rollup.stays.clone(), inputs.conditions.clone())?;
    let readmit = readmissions(
        ReadmissionInputs {
            stays: rollup.stays.clone(),
            stay_encounters: rollup.stay_encounters.clone(),
            encounters: inputs.encounters.clone(),
            patients: inputs.patients.clone(),
            procedures: inputs.procedures.clone(),
        },
        &config.readmission,
    )?;
    Ok(vec![
        ("inpatient_stays", rollup.stays.clone()),
        ("stay_encounters", rollup.stay_encounters),
        (
            "los_by_condition",
            alos_by_condition(rollup.stays.clone(), conditions.clone())?,
        ),
        ("readmissions", readmit.clone()),
        ("readmission_rates", readmission_rates(readmit, conditions)?),
        (
            "medication_adherence",
            medication_adherence(
                AdherenceInputs {
                    medications: inputs.medications.clone(),
                    patients: inputs.patients.clone(),
                },
                &config.adherence,
                period,
                as_of,
            )?,
        ),
        (
            "diagnosis_latency",
            diagnosis_latency(
                LatencyInputs {
                    conditions: inputs.conditions.clone(),
                    encounters: inputs.encounters.clone(),
                },
                &config.latency,
            )?,
        ),
        (
            "daily_census",
            daily_census(
                rollup.stays,
                inputs.capacity.clone(),
                &config.census,
                period,
            )?,
        ),
    ])
}
