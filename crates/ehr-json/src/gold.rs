//! Gold: the JSON silver tables mapped onto the canonical silver model of
//! `synthea-schema` ([`canonical_inputs`]), then the population-health and
//! quality-metrics transforms — reused, not redefined ([`gold_tables`]).
//!
//! The mapping keeps the rows that hold at the as-of date: current `patients_scd`
//! versions, live (not deleted) encounters, diagnoses, procedures and medications,
//! without cancelled encounters and medications, and every lab result (append-only). Each table is renamed to
//! the raw Synthea 3.x column names and typed by `synthea_schema::normalize::normalize`,
//! so every metric sees exactly the columns and types it sees for a Synthea export.

use chrono::NaiveDate;
use ehr_population_health::gold::{
    DISEASE_PREVALENCE_DAILY, HOSPITAL_UTILIZATION_METRICS, LAB_ABNORMAL_TRENDS,
    PATIENT_CLINICAL_SUMMARY,
};
use ehr_population_health::{PopulationHealthConfig, PopulationInputs};
use ehr_quality_metrics::QualityConfig;
use medallion_core::pipeline::{DELETED, IS_CURRENT};
use medallion_model::GoldTable;
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use synthea_schema::normalize::{NormalizeConfig, normalize};
use synthea_schema::{SyntheaVersion, TableKind};

use crate::error::{Error, Result};

/// The gold tables of this pipeline, each computed by `ehr-population-health`.
pub const GOLD_TABLES: [&str; 4] = [
    PATIENT_CLINICAL_SUMMARY,
    HOSPITAL_UTILIZATION_METRICS,
    DISEASE_PREVALENCE_DAILY,
    LAB_ABNORMAL_TRENDS,
];

/// The silver tables gold reads.
#[derive(Clone)]
pub struct SilverTables {
    /// `patients_scd`.
    pub patients_scd: LazyFrame,
    /// `encounters_clean`.
    pub encounters: LazyFrame,
    /// `diagnoses_clean`.
    pub diagnoses: LazyFrame,
    /// `procedures_clean`.
    pub procedures: LazyFrame,
    /// `lab_results_clean`.
    pub lab_results: LazyFrame,
    /// `medications_clean`.
    pub medications: LazyFrame,
}

/// Gold settings: the reused crates' configurations.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GoldConfig {
    /// Population-health settings (value sets, reference ranges, suppression).
    pub population: PopulationHealthConfig,
    /// Quality-metric settings (stays, readmissions).
    pub quality: QualityConfig,
}

const TIMESTAMP: &str = "%Y-%m-%dT%H:%M:%SZ";
const DATE: &str = "%Y-%m-%d";

fn ts(column: &str, raw: &str) -> Expr {
    col(column).dt().to_string(TIMESTAMP).alias(raw)
}

fn date(column: &str, raw: &str) -> Expr {
    col(column).dt().to_string(DATE).alias(raw)
}

fn text(column: &str, raw: &str) -> Expr {
    col(column).cast(DataType::String).alias(raw)
}

/// Rows not deleted (tombstones kept by silver).
fn live(frame: LazyFrame) -> LazyFrame {
    frame.filter(col(DELETED).fill_null(lit(false)).not())
}

fn not_cancelled(frame: LazyFrame) -> LazyFrame {
    frame.filter(col("status").neq(lit("cancelled")).fill_null(lit(true)))
}

/// The JSON silver tables as the canonical silver tables of `synthea-schema` (pure).
///
/// # Errors
/// [`Error::Polars`] when normalization fails (a column of an unexpected type).
pub fn canonical_inputs(silver: &SilverTables) -> Result<PopulationInputs> {
    let n = |table: TableKind, raw: LazyFrame| {
        normalize(
            table,
            SyntheaVersion::V3Latest,
            raw,
            &NormalizeConfig::default(),
        )
        .map_err(|e| Error::InvalidConfig(format!("normalizing {table:?}: {e}")))
    };
    let patients = silver.patients_scd.clone().filter(col(IS_CURRENT)).select([
        text("patient_id", "Id"),
        date("birth_date", "BIRTHDATE"),
        date("death_date", "DEATHDATE"),
        text("first_name", "FIRST"),
        text("last_name", "LAST"),
        text("gender", "GENDER"),
        text("race", "RACE"),
        text("ethnicity", "ETHNICITY"),
        text("marital_status", "MARITAL"),
        text("address", "ADDRESS"),
        text("city", "CITY"),
        text("state", "STATE"),
        text("county", "COUNTY"),
        text("zip", "ZIP"),
    ]);
    let encounters = not_cancelled(live(silver.encounters.clone())).select([
        text("encounter_id", "Id"),
        ts("start", "START"),
        ts("stop", "STOP"),
        text("patient_id", "PATIENT"),
        text("organization_id", "ORGANIZATION"),
        text("provider_id", "PROVIDER"),
        text("encounter_class", "ENCOUNTERCLASS"),
        text("code", "CODE"),
        text("description", "DESCRIPTION"),
        text("total_cost", "TOTAL_CLAIM_COST"),
        text("reason_code", "REASONCODE"),
    ]);
    let conditions = live(silver.diagnoses.clone()).select([
        date("onset_date", "START"),
        date("resolved_date", "STOP"),
        text("patient_id", "PATIENT"),
        text("encounter_id", "ENCOUNTER"),
        text("code", "CODE"),
        text("description", "DESCRIPTION"),
    ]);
    let procedures = live(silver.procedures.clone()).select([
        ts("performed_at", "START"),
        text("patient_id", "PATIENT"),
        text("encounter_id", "ENCOUNTER"),
        text("code", "CODE"),
        text("description", "DESCRIPTION"),
        text("reason_code", "REASONCODE"),
    ]);
    let observations = silver.lab_results.clone().select([
        ts("effective_at", "DATE"),
        text("patient_id", "PATIENT"),
        text("encounter_id", "ENCOUNTER"),
        lit("laboratory").alias("CATEGORY"),
        text("code", "CODE"),
        text("description", "DESCRIPTION"),
        text("value", "VALUE"),
        text("unit", "UNITS"),
        lit("numeric").alias("TYPE"),
    ]);
    let medications = not_cancelled(live(silver.medications.clone())).select([
        ts("start", "START"),
        ts("stop", "STOP"),
        text("patient_id", "PATIENT"),
        text("encounter_id", "ENCOUNTER"),
        text("code", "CODE"),
        text("description", "DESCRIPTION"),
        text("dispenses", "DISPENSES"),
        text("reason_code", "REASONCODE"),
    ]);
    Ok(PopulationInputs {
        patients: n(TableKind::Patients, patients)?,
        encounters: n(TableKind::Encounters, encounters)?,
        conditions: n(TableKind::Conditions, conditions)?,
        medications: n(TableKind::Medications, medications)?,
        observations: n(TableKind::Observations, observations)?,
        procedures: n(TableKind::Procedures, procedures)?,
    })
}

/// The gold tables of [`GOLD_TABLES`] over the JSON silver tables, as of `as_of`
/// (pure; each table comes from `ehr_population_health::gold_tables`, with its metric
/// version).
///
/// # Errors
/// [`Error::PopulationHealth`] for an invalid configuration, [`Error::Polars`] when
/// the mapping fails.
pub fn gold_tables(
    silver: &SilverTables,
    config: &GoldConfig,
    as_of: NaiveDate,
) -> Result<Vec<GoldTable>> {
    gold_tables_from(&canonical_inputs(silver)?, config, as_of)
}

/// The gold tables of [`GOLD_TABLES`] over canonical inputs (e.g. those of
/// [`canonical_inputs`], materialized once by the caller).
///
/// # Errors
/// [`Error::PopulationHealth`] for an invalid configuration.
pub fn gold_tables_from(
    inputs: &PopulationInputs,
    config: &GoldConfig,
    as_of: NaiveDate,
) -> Result<Vec<GoldTable>> {
    let tables =
        ehr_population_health::gold_tables(inputs, &config.population, &config.quality, as_of)?;
    Ok(tables
        .into_iter()
        .filter(|t| GOLD_TABLES.contains(&t.name.as_str()))
        .collect())
}
