//! Gold: the patient-flow star schema and the occupancy and flow KPIs, as
//! [`GoldTable`] values (pure; written by the pipeline with medallion-core's
//! `GoldWriteBuilder`, except `dim_patient`, which its `Scd2Builder` maintains).
//!
//! Everything starts from the silver events at or before the as-of instant:
//! [`PatientFlow::from_events`] derives the stays (one per visit) and the bed segments
//! (admitted intervals); occupancy is computed from those intervals — a patient admitted
//! and not yet discharged occupies a bed until the as-of instant — never from event
//! counts, against the capacities of the [`Network`].
//!
//! | table | grain | metric version |
//! |---|---|---|
//! | `dim_department` | hospital × department | [`STAR_VERSION`] |
//! | `dim_date` | day | [`STAR_VERSION`] |
//! | `fact_patient_flow` | stay | [`STAR_VERSION`] |
//! | `fact_bed_segment` | admitted interval | [`STAR_VERSION`] |
//! | `occupancy_current` | hospital × department | [`OCCUPANCY_VERSION`] |
//! | `occupancy_current_hospital` | hospital | [`OCCUPANCY_VERSION`] |
//! | `occupancy_hourly` | hospital × department × hour | [`OCCUPANCY_VERSION`] |
//! | `occupancy_hourly_hospital` | hospital × hour | [`OCCUPANCY_VERSION`] |
//! | `occupancy_daily` | hospital × department × day | [`OCCUPANCY_VERSION`] |
//! | `occupancy_daily_hospital` | hospital × day | [`OCCUPANCY_VERSION`] |
//! | `occupancy_by_gender` | hospital × department × gender | [`OCCUPANCY_VERSION`] |
//! | `occupancy_by_gender_daily` | hospital × department × gender × day | [`OCCUPANCY_VERSION`] |
//! | `alos_by_department` | hospital × discharging department | [`FLOW_KPI_VERSION`] |
//! | `admissions_by_priority_weekday` | priority × weekday | [`FLOW_KPI_VERSION`] |
//! | `top_diagnoses` | rank | [`FLOW_KPI_VERSION`] |
//! | `vitals_by_department` | hospital × department | [`FLOW_KPI_VERSION`] |

pub mod kpis;
pub mod occupancy;
pub mod star;
pub mod stays;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use medallion_model::GoldTable;
use medallion_model::calendar::{DateDimConfig, dim_date_between};
use medallion_model::expr::epoch_day_number;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::columns::ADMISSION_TIME;
use crate::error::{Error, Result};
use crate::network::Network;

/// `metric_version` of the star schema tables.
pub const STAR_VERSION: &str = "patient-flow-star-2";
/// `metric_version` of the occupancy tables.
pub const OCCUPANCY_VERSION: &str = "occupancy-1";
/// `metric_version` of the ALOS, admissions, diagnoses and vitals tables.
pub const FLOW_KPI_VERSION: &str = "flow-kpis-1";
/// Name of the SCD2 patient dimension (maintained by the pipeline).
pub const DIM_PATIENT: &str = "dim_patient";

/// Settings of the gold layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct GoldConfig {
    /// Diagnoses kept in `top_diagnoses`. Default: 10.
    pub top_diagnoses: u32,
    /// First day of the hourly and daily occupancy tables (floored to 00:00 UTC).
    /// Default: `None` — the day of the earliest admitted interval.
    pub period_start: Option<DateTime<Utc>>,
    /// The calendar of `dim_date` (fiscal year start). Default:
    /// [`DateDimConfig::default`] (fiscal year = calendar year).
    pub calendar: DateDimConfig,
}

impl Default for GoldConfig {
    fn default() -> Self {
        Self {
            top_diagnoses: 10,
            period_start: None,
            calendar: DateDimConfig::default(),
        }
    }
}

/// The stays and bed segments of the events up to an as-of instant (lazy).
#[derive(Clone)]
pub struct PatientFlow {
    /// One row per visit ([`stays::stays`]).
    pub stays: LazyFrame,
    /// One row per admitted interval ([`stays::segments`]).
    pub segments: LazyFrame,
}

impl std::fmt::Debug for PatientFlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PatientFlow").finish_non_exhaustive()
    }
}

impl PatientFlow {
    /// Stays and segments of silver `events` at or before `as_of`.
    ///
    /// # Errors
    /// [`Error::Polars`] if the plan cannot be built (not expected).
    pub fn from_events(events: LazyFrame, as_of: DateTime<Utc>) -> Result<Self> {
        let stays = stays::stays(events.clone(), as_of);
        let segments = stays::segments(events, stays.clone(), as_of)
            .map_err(|e| Error::polars("planning bed segments", e))?;
        Ok(Self { stays, segments })
    }

    /// The same flow with both frames computed once (the gold tables then read them
    /// from memory instead of recomputing them from the events each).
    ///
    /// # Errors
    /// [`Error::Polars`] if a frame cannot be computed.
    pub fn materialized(self) -> Result<Self> {
        let stays = self
            .stays
            .collect()
            .map_err(|e| Error::polars("computing stays", e))?;
        let segments = self
            .segments
            .collect()
            .map_err(|e| Error::polars("computing bed segments", e))?;
        Ok(Self {
            stays: stays.lazy(),
            segments: segments.lazy(),
        })
    }
}

fn capacity(network: &Network) -> Result<LazyFrame> {
    Ok(network.capacity_frame()?.lazy())
}

/// The occupancy tables (see the module table), from silver `events`.
///
/// # Errors
/// [`Error::Polars`] if the capacity table cannot be built.
pub fn occupancy_tables(
    events: LazyFrame,
    network: &Network,
    config: &GoldConfig,
    as_of: DateTime<Utc>,
) -> Result<Vec<GoldTable>> {
    let flow = PatientFlow::from_events(events, as_of)?;
    occupancy_tables_of(&flow, network, config, as_of)
}

fn occupancy_tables_of(
    flow: &PatientFlow,
    network: &Network,
    config: &GoldConfig,
    as_of: DateTime<Utc>,
) -> Result<Vec<GoldTable>> {
    use occupancy::*;
    let capacity = capacity(network)?;
    let hours = TimeGrid::hourly(config.period_start, as_of);
    let days = TimeGrid::daily(config.period_start, as_of);
    let segments = flow.segments.clone();
    let plan = |e| Error::polars("planning occupancy tables", e);
    let hourly = hourly_occupancy(segments.clone(), capacity.clone(), hours).map_err(plan)?;
    let daily = daily_occupancy(segments.clone(), capacity.clone(), days).map_err(plan)?;
    let current = current_occupancy(segments.clone(), capacity.clone(), as_of);
    let table = |name: &str, frame: LazyFrame, description: &str| {
        GoldTable::new(name, frame, OCCUPANCY_VERSION).with_description(description)
    };
    Ok(vec![
        table(
            "occupancy_current",
            current.clone(),
            "One row per hospital department: patients in beds at the as-of instant, beds, occupancy %.",
        ),
        table(
            "occupancy_current_hospital",
            hospital_current_occupancy(current),
            "One row per hospital: patients in beds at the as-of instant, beds, occupancy %.",
        ),
        table(
            "occupancy_hourly",
            hourly.clone(),
            "One row per hospital department and hour: census at the hour start, occupied bed-hours, occupancy %.",
        ),
        table(
            "occupancy_hourly_hospital",
            hospital_hourly_occupancy(hourly.clone(), capacity.clone()),
            "One row per hospital and hour: census at the hour start, occupied bed-hours, occupancy %.",
        ),
        table(
            "occupancy_daily",
            daily.clone(),
            "One row per hospital department and day: midnight census, occupied bed-hours, average and midnight occupancy %.",
        ),
        table(
            "occupancy_daily_hospital",
            hospital_daily_occupancy(daily, capacity.clone()),
            "One row per hospital and day: midnight census, occupied bed-hours, average and midnight occupancy %.",
        ),
        table(
            "occupancy_by_gender",
            gender_occupancy(segments.clone(), capacity.clone(), as_of).map_err(plan)?,
            "One row per hospital department and gender: patients in beds at the as-of instant, share of occupied beds, % of beds.",
        ),
        table(
            "occupancy_by_gender_daily",
            gender_daily_occupancy(segments, capacity, days).map_err(plan)?,
            "One row per hospital department, gender and day: occupied bed-hours and % of the department's bed-hours.",
        ),
    ])
}

/// Every gold table except `dim_patient` (maintained as SCD2 from
/// [`star::dim_patient_snapshot`]), from the flow of the silver `events`.
///
/// `dim_patient`, when given (the SCD2 table's rows), provides `fact_patient_flow`'s
/// `patient_version_key`.
///
/// # Errors
/// [`Error::Polars`] if the capacity table cannot be built.
pub fn gold_tables(
    flow: &PatientFlow,
    events: LazyFrame,
    dim_patient: Option<LazyFrame>,
    network: &Network,
    config: &GoldConfig,
    as_of: DateTime<Utc>,
) -> Result<Vec<GoldTable>> {
    let capacity = capacity(network)?;
    let date_bounds = flow.stays.clone().select([
        col(ADMISSION_TIME)
            .min()
            .dt()
            .date()
            .cast(DataType::Int32)
            .fill_null(lit(epoch_day_number(as_of.date_naive())))
            .alias("__from"),
        lit(epoch_day_number(as_of.date_naive())).alias("__to"),
    ]);
    let star = |name: &str, frame: LazyFrame, description: &str| {
        GoldTable::new(name, frame, STAR_VERSION).with_description(description)
    };
    let kpi = |name: &str, frame: LazyFrame, description: &str| {
        GoldTable::new(name, frame, FLOW_KPI_VERSION).with_description(description)
    };
    let mut tables = vec![
        star(
            "dim_department",
            star::dim_department(capacity.clone()),
            "One row per hospital department of the network, with its bed capacity.",
        ),
        star(
            "dim_date",
            dim_date_between(date_bounds, "__from", "__to", &config.calendar)
                .map_err(|e| Error::polars("planning dim_date", e))?,
            "One row per day from the first admission to the as-of date.",
        ),
        star(
            "fact_patient_flow",
            star::fact_patient_flow(flow.stays.clone(), dim_patient),
            "One row per stay (visit): keys, admission and discharge, LOS hours, priority, diagnosis, vitals at admission.",
        ),
        star(
            "fact_bed_segment",
            star::fact_bed_segment(flow.segments.clone()),
            "One row per admitted interval of a stay in one department and bed.",
        ),
    ];
    tables.extend(occupancy_tables_of(flow, network, config, as_of)?);
    tables.extend([
        kpi(
            "alos_by_department",
            kpis::alos_by_department(flow.stays.clone()),
            "One row per hospital and discharging department: discharges, average and median LOS.",
        ),
        kpi(
            "admissions_by_priority_weekday",
            kpis::admissions_by_priority_and_weekday(flow.stays.clone()),
            "One row per admission priority and ISO weekday: admissions and share.",
        ),
        kpi(
            "top_diagnoses",
            kpis::top_diagnoses(flow.stays.clone(), config.top_diagnoses),
            "One row per rank: the most frequent admitting diagnoses, stays, share, ALOS.",
        ),
        kpi(
            "vitals_by_department",
            kpis::vitals_by_department(events, capacity, as_of),
            "One row per hospital department: readings and mean vitals.",
        ),
    ]);
    Ok(tables)
}
