//! # ehr-quality-metrics
//!
//! Hospital quality and utilization metrics as pure `LazyFrame → LazyFrame` transforms
//! over the canonical silver tables of `synthea-schema` (no I/O, no clock, no
//! environment variables: every period and as-of date is an explicit argument; every
//! value set is configuration). Each metric's rustdoc states its definition,
//! denominator, numerator, exclusions, period and output grain, with an example:
//!
//! * [`stays`] — inpatient stay rollup (interval union of same-organization stays,
//!   transfer chains, the stay ↔ encounter bridge);
//! * [`los`] — length of stay and ALOS by condition, facility, discharge month;
//! * [`readmission`] — 30-day readmissions with exclusion reasons, rates, crude variant;
//! * [`adherence`] — PQA proportion of days covered, adherence rates by class;
//! * [`latency`] — encounter-to-diagnosis latency, its median and p90 by condition;
//! * [`census`] — midnight census, occupancy, monthly utilization;
//! * [`utilization`] — encounters per condition, per age band and encounter class;
//! * [`gold`] — every gold table in one call, as `medallion_model::GoldTable` values
//!   (name, frame, metric version, description).
//!
//! Calendar dates are the silver `*_date` columns, computed by `synthea-schema` in its
//! configured time zone; the census counts local midnights of
//! [`CensusConfig::time_zone`] (set it to the same zone).
//!
//! ## Quickstart
//!
//! ```
//! use chrono::NaiveDate;
//! use ehr_quality_metrics::prelude::*;
//! use polars::prelude::*;
//! use synthea_schema::normalize::{NormalizeConfig, normalize};
//! use synthea_schema::{SyntheaVersion, TableKind};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let n = |t, raw: DataFrame| normalize(t, SyntheaVersion::V3Latest, raw.lazy(), &NormalizeConfig::default());
//! let inputs = SilverInputs {
//!     encounters: n(TableKind::Encounters, df!(
//!         "Id" => ["a", "b"], "PATIENT" => ["p", "p"], "ORGANIZATION" => ["h", "h"],
//!         "ENCOUNTERCLASS" => ["inpatient", "inpatient"],
//!         "START" => ["2023-03-01T10:00:00Z", "2023-03-10T10:00:00Z"],
//!         "STOP" => ["2023-03-04T10:00:00Z", "2023-03-12T10:00:00Z"],
//!     )?)?,
//!     patients: n(TableKind::Patients, df!("Id" => ["p"], "BIRTHDATE" => ["1950-01-01"])?)?,
//!     conditions: n(TableKind::Conditions, df!("PATIENT" => ["p"], "CODE" => ["1"], "START" => ["2023-03-01"])?)?,
//!     medications: n(TableKind::Medications, df!("PATIENT" => ["p"], "CODE" => ["314231"], "DISPENSES" => ["2"], "START" => ["2023-01-01T00:00:00Z"])?)?,
//!     procedures: n(TableKind::Procedures, df!("PATIENT" => ["p"], "ENCOUNTER" => ["a"], "CODE" => ["1"], "START" => ["2023-03-01T11:00:00Z"])?)?,
//!     capacity: None,
//! };
//! let as_of = NaiveDate::from_ymd_opt(2023, 12, 31).unwrap_or_default();
//! let tables = gold_tables(&inputs, &QualityConfig::default(), as_of)?;
//! assert_eq!(tables.len(), 15);
//! assert_eq!(tables[0].name, "inpatient_stays");
//! let stays = tables[0].frame.clone().collect()?;
//! assert_eq!(stays.height(), 2);
//! # Ok(())
//! # }
//! ```

pub mod adherence;
pub mod census;
pub mod columns;
pub mod config;
pub mod error;
pub mod gold;
pub mod latency;
pub mod los;
pub mod readmission;
pub mod stays;
#[cfg(test)]
mod testkit;
mod util;
pub mod utilization;

pub use config::*;
pub use error::{Error, Result};
pub use gold::{GOLD_TABLES, SilverInputs, gold_tables};
pub use stays::{StayInputs, StayRollup, inpatient_stays};

/// The always-used items: configs, inputs structs, metric functions, `Error`/`Result`.
pub mod prelude {
    pub use crate::adherence::{AdherenceInputs, adherence_rates, medication_adherence};
    pub use crate::census::{daily_census, monthly_census};
    pub use crate::config::*;
    pub use crate::error::{Error, Result};
    pub use crate::gold::{GOLD_TABLES, SilverInputs, gold_tables};
    pub use crate::latency::{LatencyInputs, diagnosis_latency, latency_by_condition};
    pub use crate::los::{alos_by_condition, alos_by_facility, alos_by_month, stay_conditions};
    pub use crate::readmission::{ReadmissionInputs, readmission_rates, readmissions};
    pub use crate::stays::{StayInputs, StayRollup, inpatient_stays};
    pub use crate::utilization::{encounters_by_age_group_and_class, encounters_per_condition};
}
