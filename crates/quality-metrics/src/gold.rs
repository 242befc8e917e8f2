//! Every gold table of this crate in one call, as values a pipeline writes without
//! knowing them in advance.

use chrono::NaiveDate;
use medallion_model::GoldTable;
use polars::prelude::*;

use crate::adherence::{self, AdherenceInputs, adherence_rates, medication_adherence};
use crate::census::{self, daily_census, monthly_census};
use crate::config::{DEFAULT_GOLD_PERIOD_MONTHS, MeasurementPeriod, QualityConfig};
use crate::error::Result;
use crate::latency::{self, LatencyInputs, diagnosis_latency, latency_by_condition};
use crate::los::{self, alos_by_condition, alos_by_facility, alos_by_month, stay_conditions};
use crate::readmission::{self, ReadmissionInputs, readmission_rates, readmissions};
use crate::stays::{self, StayInputs, StayRollup, inpatient_stays};
use crate::utilization::{self, encounters_by_age_group_and_class, encounters_per_condition};

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

/// Gold `inpatient_stays`.
pub const INPATIENT_STAYS: &str = "inpatient_stays";
/// Gold `stay_encounters`.
pub const STAY_ENCOUNTERS: &str = "stay_encounters";
/// Gold `los_by_condition`.
pub const LOS_BY_CONDITION: &str = "los_by_condition";
/// Gold `los_by_facility`.
pub const LOS_BY_FACILITY: &str = "los_by_facility";
/// Gold `los_by_discharge_month`.
pub const LOS_BY_DISCHARGE_MONTH: &str = "los_by_discharge_month";
/// Gold `readmissions`.
pub const READMISSIONS: &str = "readmissions";
/// Gold `readmission_rates`.
pub const READMISSION_RATES: &str = "readmission_rates";
/// Gold `medication_adherence`.
pub const MEDICATION_ADHERENCE: &str = "medication_adherence";
/// Gold `adherence_rates`.
pub const ADHERENCE_RATES: &str = "adherence_rates";
/// Gold `diagnosis_latency`.
pub const DIAGNOSIS_LATENCY: &str = "diagnosis_latency";
/// Gold `diagnosis_latency_by_condition`.
pub const DIAGNOSIS_LATENCY_BY_CONDITION: &str = "diagnosis_latency_by_condition";
/// Gold `daily_census`.
pub const DAILY_CENSUS: &str = "daily_census";
/// Gold `monthly_census`.
pub const MONTHLY_CENSUS: &str = "monthly_census";
/// Gold `encounters_per_condition`.
pub const ENCOUNTERS_PER_CONDITION: &str = "encounters_per_condition";
/// Gold `encounters_by_age_group_class`.
pub const ENCOUNTERS_BY_AGE_GROUP_CLASS: &str = "encounters_by_age_group_class";

/// Names of the tables returned by [`gold_tables`], in order.
pub const GOLD_TABLES: [&str; 15] = [
    INPATIENT_STAYS,
    STAY_ENCOUNTERS,
    LOS_BY_CONDITION,
    LOS_BY_FACILITY,
    LOS_BY_DISCHARGE_MONTH,
    READMISSIONS,
    READMISSION_RATES,
    MEDICATION_ADHERENCE,
    ADHERENCE_RATES,
    DIAGNOSIS_LATENCY,
    DIAGNOSIS_LATENCY_BY_CONDITION,
    DAILY_CENSUS,
    MONTHLY_CENSUS,
    ENCOUNTERS_PER_CONDITION,
    ENCOUNTERS_BY_AGE_GROUP_CLASS,
];

/// Every gold table of this crate ([`GOLD_TABLES`], in that order), all lazy, each with
/// its metric's version and its output grain as description; none is partitioned.
///
/// | table | rows | version |
/// |---|---|---|
/// | `inpatient_stays`, `stay_encounters` | [`inpatient_stays`] | [`stays::METRIC_VERSION`] |
/// | `los_by_condition` | [`alos_by_condition`] | [`los::METRIC_VERSION`] |
/// | `los_by_facility` | [`alos_by_facility`] | [`los::BY_FACILITY_METRIC_VERSION`] |
/// | `los_by_discharge_month` | [`alos_by_month`] | [`los::BY_DISCHARGE_MONTH_METRIC_VERSION`] |
/// | `readmissions`, `readmission_rates` | [`readmissions`], [`readmission_rates`] | [`readmission::METRIC_VERSION`] |
/// | `medication_adherence` | [`medication_adherence`] | [`adherence::METRIC_VERSION`] |
/// | `adherence_rates` | [`adherence_rates`] | [`adherence::RATES_METRIC_VERSION`] |
/// | `diagnosis_latency` | [`diagnosis_latency`] | [`latency::METRIC_VERSION`] |
/// | `diagnosis_latency_by_condition` | [`latency_by_condition`] | [`latency::BY_CONDITION_METRIC_VERSION`] |
/// | `daily_census` | [`daily_census`] | [`census::METRIC_VERSION`] |
/// | `monthly_census` | [`monthly_census`] | [`census::MONTHLY_METRIC_VERSION`] |
/// | `encounters_per_condition`, `encounters_by_age_group_class` | [`encounters_per_condition`], [`encounters_by_age_group_and_class`] | [`utilization::METRIC_VERSION`] |
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
) -> Result<Vec<GoldTable>> {
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
    let mut tables = stay_tables(&rollup, inputs, config)?;
    tables.extend(adherence_tables(inputs, config, period, as_of)?);
    tables.extend(latency_tables(inputs, config)?);
    tables.extend(census_tables(&rollup, inputs, config, period)?);
    tables.extend(utilization_tables(inputs, config)?);
    Ok(tables)
}

/// The tables computed from the stay rollup: stays, bridge, LOS, readmissions.
fn stay_tables(
    rollup: &StayRollup,
    inputs: &SilverInputs,
    config: &QualityConfig,
) -> Result<Vec<GoldTable>> {
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
        GoldTable::new(INPATIENT_STAYS, rollup.stays.clone(), stays::METRIC_VERSION)
            .with_description(
                "One row per merged inpatient stay: admission, discharge, length of stay, \
                 emergency admission and transfer-chain flags.",
            ),
        GoldTable::new(
            STAY_ENCOUNTERS,
            rollup.stay_encounters.clone(),
            stays::METRIC_VERSION,
        )
        .with_description(
            "One row per inpatient encounter: the stay it belongs to and its order in it.",
        ),
        GoldTable::new(
            LOS_BY_CONDITION,
            alos_by_condition(rollup.stays.clone(), conditions.clone())?,
            los::METRIC_VERSION,
        )
        .with_description(
            "One row per condition code: discharges, total and average length of stay.",
        ),
        GoldTable::new(
            LOS_BY_FACILITY,
            alos_by_facility(rollup.stays.clone())?,
            los::BY_FACILITY_METRIC_VERSION,
        )
        .with_description(
            "One row per facility with a discharge: discharges, total and average length \
             of stay.",
        ),
        GoldTable::new(
            LOS_BY_DISCHARGE_MONTH,
            alos_by_month(rollup.stays.clone())?,
            los::BY_DISCHARGE_MONTH_METRIC_VERSION,
        )
        .with_description(
            "One row per calendar month with a discharge: discharges, total and average \
             length of stay of the stays discharged in it.",
        ),
        GoldTable::new(READMISSIONS, readmit.clone(), readmission::METRIC_VERSION)
            .with_description(
                "One row per merged stay: index eligibility or exclusion reason, 30-day \
                 readmission and the crude variant.",
            ),
        GoldTable::new(
            READMISSION_RATES,
            readmission_rates(readmit, conditions)?,
            readmission::METRIC_VERSION,
        )
        .with_description(
            "One row per dimension (overall, discharge month, facility, condition) and \
             value: index stays, readmissions and rates, also for the crude variant.",
        ),
    ])
}

/// The adherence tables: per patient × class, and rates per class and period.
fn adherence_tables(
    inputs: &SilverInputs,
    config: &QualityConfig,
    period: MeasurementPeriod,
    as_of: NaiveDate,
) -> Result<[GoldTable; 2]> {
    let adherence = medication_adherence(
        AdherenceInputs {
            medications: inputs.medications.clone(),
            patients: inputs.patients.clone(),
        },
        &config.adherence,
        period,
        as_of,
    )?;
    Ok([
        GoldTable::new(
            MEDICATION_ADHERENCE,
            adherence.clone(),
            adherence::METRIC_VERSION,
        )
        .with_description(
            "One row per patient and drug class with a fill in the measurement period: \
             proportion of days covered, eligibility and adherence.",
        ),
        GoldTable::new(
            ADHERENCE_RATES,
            adherence_rates(adherence, period)?,
            adherence::RATES_METRIC_VERSION,
        )
        .with_description(
            "One row per drug class and measurement period: patients, eligible and \
             adherent patients, adherence rate and mean proportion of days covered.",
        ),
    ])
}

/// The diagnosis latency tables: per patient × condition, and median / p90 per condition.
fn latency_tables(inputs: &SilverInputs, config: &QualityConfig) -> Result<[GoldTable; 2]> {
    let latency = diagnosis_latency(
        LatencyInputs {
            conditions: inputs.conditions.clone(),
            encounters: inputs.encounters.clone(),
        },
        &config.latency,
    )?;
    Ok([
        GoldTable::new(DIAGNOSIS_LATENCY, latency.clone(), latency::METRIC_VERSION)
            .with_description(
                "One row per patient and condition code: days from the first qualifying \
                 encounter in the look-back window to the first diagnosis.",
            ),
        GoldTable::new(
            DIAGNOSIS_LATENCY_BY_CONDITION,
            latency_by_condition(latency)?,
            latency::BY_CONDITION_METRIC_VERSION,
        )
        .with_description(
            "One row per condition code: first diagnoses, those with a qualifying \
             encounter, median and 90th percentile latency in days (linear \
             interpolation between closest ranks).",
        ),
    ])
}

/// The census tables: per facility × day, and per facility × month.
fn census_tables(
    rollup: &StayRollup,
    inputs: &SilverInputs,
    config: &QualityConfig,
    period: MeasurementPeriod,
) -> Result<[GoldTable; 2]> {
    let daily = daily_census(
        rollup.stays.clone(),
        inputs.capacity.clone(),
        &config.census,
        period,
    )?;
    Ok([
        GoldTable::new(DAILY_CENSUS, daily.clone(), census::METRIC_VERSION).with_description(
            "One row per facility and day of the measurement period: midnight census, \
             admissions, discharges, bed capacity and occupancy.",
        ),
        GoldTable::new(
            MONTHLY_CENSUS,
            monthly_census(daily)?,
            census::MONTHLY_METRIC_VERSION,
        )
        .with_description(
            "One row per facility and calendar month of the measurement period: inpatient \
             days, admissions, discharges, average daily census and occupancy.",
        ),
    ])
}

/// The utilization tables.
fn utilization_tables(inputs: &SilverInputs, config: &QualityConfig) -> Result<[GoldTable; 2]> {
    Ok([
        GoldTable::new(
            ENCOUNTERS_PER_CONDITION,
            encounters_per_condition(inputs.conditions.clone())?,
            utilization::METRIC_VERSION,
        )
        .with_description(
            "One row per condition code and description: distinct encounters and patients.",
        ),
        GoldTable::new(
            ENCOUNTERS_BY_AGE_GROUP_CLASS,
            encounters_by_age_group_and_class(
                inputs.encounters.clone(),
                inputs.patients.clone(),
                &config.age_bands,
            )?,
            utilization::METRIC_VERSION,
        )
        .with_description(
            "One row per age band at the encounter and encounter class: encounters and \
             distinct patients.",
        ),
    ])
}
