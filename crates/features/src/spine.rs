//! The spine: which (patient, as-of date) rows the feature store has.

use chrono::NaiveDate;
use ehr_quality_metrics::prelude::*;
use medallion_model::expr::epoch_day_number;
use polars::prelude::*;
use synthea_schema::TableKind;
use synthea_schema::columns::{patients, require};

use crate::FeatureInputs;
use crate::columns::{AS_OF_DATE, LABEL_READMISSION_30D, PATIENT_ID};
use crate::config::{AsOfDates, LabelConfig};
use crate::error::Result;

/// A frame of one `Date` column named [`AS_OF_DATE`].
fn dates_frame(dates: &[NaiveDate]) -> Result<LazyFrame> {
    let days: Vec<i32> = dates.iter().map(|d| epoch_day_number(*d)).collect();
    let s = Series::new(AS_OF_DATE.into(), days).cast(&DataType::Date)?;
    Ok(DataFrame::new_infer_height(vec![s.into()])?.lazy())
}

/// The (patient, as-of date) rows, sorted by as-of date then patient.
///
/// # Definition
/// For explicit dates ([`AsOfDates::MonthEnds`], [`AsOfDates::Dates`]): every patient
/// born on or before the date and without a death date on or before it. For
/// [`AsOfDates::IndexDischarges`]: each index stay of the 30-day readmission measure
/// (`ehr_quality_metrics::readmission::readmissions`, `index_flag`) as of its
/// discharge date, with the label [`LABEL_READMISSION_30D`] (`readmission_flag`; a
/// patient with two index discharges on one day is one row, readmitted if either is).
///
/// # Errors
/// Invalid dates, inputs that are not silver tables, readmission planning errors.
pub fn spine(inputs: &FeatureInputs, as_of: &AsOfDates, labels: &LabelConfig) -> Result<LazyFrame> {
    let sort = |lf: LazyFrame| lf.sort([AS_OF_DATE, PATIENT_ID], SortMultipleOptions::default());
    match as_of.dates()? {
        Some(dates) => Ok(sort(alive_patients(inputs, &dates)?)),
        None => Ok(sort(index_discharges(inputs, labels)?)),
    }
}

fn alive_patients(inputs: &FeatureInputs, dates: &[NaiveDate]) -> Result<LazyFrame> {
    let mut p = inputs.patients.clone();
    require(
        TableKind::Patients,
        &mut p,
        &[
            patients::PATIENT_ID,
            patients::BIRTH_DATE,
            patients::DEATH_DATE,
        ],
    )?;
    let alive = col(patients::BIRTH_DATE).lt_eq(col(AS_OF_DATE)).and(
        col(patients::DEATH_DATE)
            .is_null()
            .or(col(patients::DEATH_DATE).gt(col(AS_OF_DATE))),
    );
    Ok(p.select([
        col(patients::PATIENT_ID),
        col(patients::BIRTH_DATE),
        col(patients::DEATH_DATE),
    ])
    .filter(col(patients::PATIENT_ID).is_not_null())
    .unique_stable(
        Some(cols([patients::PATIENT_ID])),
        UniqueKeepStrategy::First,
    )
    .cross_join(dates_frame(dates)?, None)
    .filter(alive)
    .select([col(PATIENT_ID), col(AS_OF_DATE)]))
}

fn index_discharges(inputs: &FeatureInputs, labels: &LabelConfig) -> Result<LazyFrame> {
    let rollup = inpatient_stays(
        StayInputs {
            encounters: inputs.encounters.clone(),
        },
        &labels.quality.stays,
        // Open stays are not index stays; closing them far away keeps them open.
        NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or_default(),
    )?;
    let readmit = readmissions(
        ReadmissionInputs {
            stays: rollup.stays,
            stay_encounters: rollup.stay_encounters,
            encounters: inputs.encounters.clone(),
            patients: inputs.patients.clone(),
            procedures: inputs.procedures.clone(),
        },
        &labels.quality.readmission,
    )?;
    Ok(readmit
        .filter(col("index_flag").eq(lit(true)))
        .group_by([col(PATIENT_ID), col("discharge_date").alias(AS_OF_DATE)])
        .agg([col("readmission_flag")
            .any(true)
            .alias(LABEL_READMISSION_30D)]))
}
