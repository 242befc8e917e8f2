//! # ehr-population-health
//!
//! Population-health gold tables as pure `LazyFrame → LazyFrame` transforms over the
//! canonical silver tables of `synthea-schema` (no I/O, no clock: the as-of date is an
//! argument; value sets, reference ranges and age bands are configuration). Each
//! table's rustdoc states its definition, denominator, numerator, exclusions, period and
//! output grain:
//!
//! * [`demographics`] — `condition_prevalence` (active and ever, per 1,000, by gender,
//!   race, ethnicity and age band, small cells suppressed), `top_conditions_by_age_band`,
//!   `vitals_by_group` (latest BMI and total cholesterol; wrong units flagged);
//! * [`surveillance`] — `disease_prevalence_daily` and `condition_incidence_weekly`
//!   (new cases of the conditions of interest, 7/28-day rolling averages, incidence per
//!   100,000), computed in full or **updated incrementally** from new silver rows
//!   ([`surveillance::surveillance_update`]), with the rows that changed;
//! * [`labs`] — `lab_abnormal_trends` against configured reference ranges;
//! * [`summary`] — `patient_clinical_summary`, one row per patient;
//! * [`utilization`] — `hospital_utilization_metrics` per organization and month, over
//!   `ehr-quality-metrics`' inpatient stays and readmissions (reused, not recomputed);
//! * [`gold`] — every table in one call as `medallion_model::GoldTable` values.
//!
//! Age is the age in full years on the as-of date
//! (`ehr_quality_metrics::adherence::age_in_years_at`); the age bands are
//! `ehr_quality_metrics::AgeBands` (default 0–17, 18–34, 35–49, 50–64, 65+).
//!
//! ## Quickstart
//!
//! ```
//! use chrono::NaiveDate;
//! use ehr_population_health::prelude::*;
//! use polars::prelude::*;
//! use synthea_schema::normalize::{NormalizeConfig, normalize};
//! use synthea_schema::{SyntheaVersion, TableKind};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let n = |t, raw: DataFrame| normalize(t, SyntheaVersion::V3Latest, raw.lazy(), &NormalizeConfig::default());
//! let inputs = PopulationInputs {
//!     patients: n(TableKind::Patients, df!("Id" => ["p"], "BIRTHDATE" => ["1950-01-01"], "GENDER" => ["F"])?)?,
//!     encounters: n(TableKind::Encounters, df!(
//!         "Id" => ["e"], "PATIENT" => ["p"], "ORGANIZATION" => ["h"], "ENCOUNTERCLASS" => ["inpatient"],
//!         "START" => ["2023-03-01T10:00:00Z"], "STOP" => ["2023-03-04T10:00:00Z"],
//!     )?)?,
//!     conditions: n(TableKind::Conditions, df!("PATIENT" => ["p"], "CODE" => ["44054006"], "START" => ["2023-03-01"])?)?,
//!     medications: n(TableKind::Medications, df!("PATIENT" => ["p"], "CODE" => ["860975"], "START" => ["2023-03-01T00:00:00Z"])?)?,
//!     observations: n(TableKind::Observations, df!(
//!         "PATIENT" => ["p"], "CODE" => ["39156-5"], "VALUE" => ["31.2"], "UNITS" => ["kg/m2"],
//!         "TYPE" => ["numeric"], "DATE" => ["2023-03-02T10:00:00Z"],
//!     )?)?,
//!     procedures: n(TableKind::Procedures, df!("PATIENT" => ["p"], "CODE" => ["1"], "START" => ["2023-03-01T11:00:00Z"])?)?,
//! };
//! let as_of = NaiveDate::from_ymd_opt(2023, 12, 31).unwrap_or_default();
//! let tables = gold_tables(&inputs, &PopulationHealthConfig::default(), &Default::default(), as_of)?;
//! assert_eq!(tables.len(), GOLD_TABLES.len());
//! let summary = tables[6].frame.clone().collect()?;
//! assert_eq!(summary.column("active_conditions")?.str()?.get(0), Some("44054006"));
//! # Ok(())
//! # }
//! ```

pub mod columns;
pub mod config;
pub mod demographics;
pub mod error;
pub mod gold;
pub mod labs;
pub mod summary;
pub mod surveillance;
pub mod util;
pub mod utilization;

#[cfg(test)]
mod testkit;

pub use config::*;
pub use error::{Error, Result};
pub use gold::{GOLD_TABLES, PopulationInputs, SURVEILLANCE_TABLES, gold_tables};

/// Everything needed to compute the tables.
pub mod prelude {
    pub use crate::config::*;
    pub use crate::demographics::{
        DemographicInputs, condition_prevalence, top_conditions_by_age_band, vitals_by_group,
    };
    pub use crate::error::{Error, Result};
    pub use crate::gold::{GOLD_TABLES, PopulationInputs, SURVEILLANCE_TABLES, gold_tables};
    pub use crate::labs::lab_abnormal_trends;
    pub use crate::summary::{SummaryInputs, patient_clinical_summary};
    pub use crate::surveillance::{
        Surveillance, SurveillanceInputs, SurveillanceUpdate, changed_rows, surveillance,
        surveillance_update,
    };
    pub use crate::utilization::{UtilizationInputs, hospital_utilization_metrics};
}
