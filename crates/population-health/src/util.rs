//! Small helpers shared by the tables of this crate: the population on the as-of date,
//! grouping by every demographic dimension, small literal frames built from config.

use chrono::NaiveDate;
use ehr_quality_metrics::adherence::age_in_years_at;
use medallion_model::expr::typed_null;
use polars::prelude::*;
use synthea_schema::TableKind;
use synthea_schema::columns::{patients, require};

use crate::columns::{AGE_BAND, AGE_YEARS, DIMENSION, GROUP_VALUE, POPULATION};
use crate::config::PopulationHealthConfig;
use crate::error::Result;
use synthea_schema::columns::patients::{ETHNICITY, RACE};

/// Value of [`GROUP_VALUE`] for the `overall` dimension.
pub const ALL: &str = "all";
/// Value of [`GROUP_VALUE`] when the patient's attribute is null.
pub const UNKNOWN: &str = "unknown";

/// The grouping dimensions, in output order: `overall`, `gender`, `race`, `ethnicity`,
/// `age_band`.
pub const DIMENSIONS: [&str; 5] = ["overall", patients::GENDER, RACE, ETHNICITY, AGE_BAND];

/// The patients alive on `as_of`, with their demographics.
///
/// A patient is in the population when born on or before `as_of` and not dead before it
/// (`death_date` null or ≥ `as_of`). Columns: `patient_id`, `gender`, `race`,
/// `ethnicity`, `age_years` (full years on `as_of`), `age_band` (null below the first
/// band). Patients without a birth date are left out (their age is unknown).
///
/// # Errors
/// [`crate::Error::Silver`] for an input that is not silver `patients`; invalid age
/// bands.
pub fn population(
    patients_frame: LazyFrame,
    config: &PopulationHealthConfig,
    as_of: NaiveDate,
) -> Result<LazyFrame> {
    config.age_bands.validate()?;
    let mut frame = patients_frame;
    require(
        TableKind::Patients,
        &mut frame,
        &[
            patients::PATIENT_ID,
            patients::BIRTH_DATE,
            patients::DEATH_DATE,
            patients::GENDER,
            RACE,
            ETHNICITY,
        ],
    )?;
    let alive = col(patients::BIRTH_DATE).lt_eq(date_lit(as_of)).and(
        col(patients::DEATH_DATE)
            .is_null()
            .or(col(patients::DEATH_DATE).gt_eq(date_lit(as_of))),
    );
    Ok(frame
        .filter(alive)
        .unique_stable(
            Some(cols([patients::PATIENT_ID])),
            UniqueKeepStrategy::First,
        )
        .select([
            col(patients::PATIENT_ID),
            col(patients::GENDER),
            col(RACE),
            col(ETHNICITY),
            age_in_years_at(as_of).alias(AGE_YEARS),
        ])
        .with_column(config.age_bands.label(col(AGE_YEARS)).alias(AGE_BAND)))
}

/// The value of `dimension` for each row, as a string: `all` for `overall`, `unknown`
/// for a null attribute.
fn group_value(dimension: &str) -> Expr {
    if dimension == DIMENSIONS[0] {
        lit(ALL)
    } else {
        col(dimension)
            .cast(DataType::String)
            .fill_null(lit(UNKNOWN))
    }
}

/// `frame` grouped by each of `dimensions` (as [`DIMENSION`], [`GROUP_VALUE`]) and
/// `keys`, aggregated with `aggs`; the groups of every dimension stacked.
pub fn by_dimensions(
    frame: LazyFrame,
    dimensions: &[&str],
    keys: &[&str],
    aggs: &[Expr],
) -> Result<LazyFrame> {
    let parts: Vec<LazyFrame> = dimensions
        .iter()
        .map(|dimension| {
            let by: Vec<Expr> = [col(GROUP_VALUE)]
                .into_iter()
                .chain(keys.iter().map(|k| col(*k)))
                .collect();
            frame
                .clone()
                .with_column(group_value(dimension).alias(GROUP_VALUE))
                .group_by(by)
                .agg(aggs)
                .with_column(lit(*dimension).alias(DIMENSION))
        })
        .collect();
    Ok(concat(parts, UnionArgs::default())?)
}

/// Patients per dimension and group value: the denominators ([`POPULATION`], `Int64`).
pub fn population_counts(population: LazyFrame, dimensions: &[&str]) -> Result<LazyFrame> {
    by_dimensions(
        population,
        dimensions,
        &[],
        &[len().cast(DataType::Int64).alias(POPULATION)],
    )
}

/// `value` as `dtype`, null where the boolean column `flag` is true (a suppressed cell).
pub fn unless(flag: &str, value: Expr, dtype: DataType) -> Expr {
    when(col(flag)).then(typed_null(dtype)).otherwise(value)
}

/// A frame of string columns of equal length (built from configuration).
pub fn string_columns(columns: Vec<(&str, Vec<String>)>) -> Result<LazyFrame> {
    let columns: Vec<Column> = columns
        .into_iter()
        .map(|(name, values)| Column::new(name.into(), values))
        .collect();
    Ok(DataFrame::new_infer_height(columns)?.lazy())
}

/// A `Date` literal (a bare `lit(NaiveDate)` is a `Datetime`, which turns date columns
/// compared with it into datetimes).
pub fn date_lit(date: NaiveDate) -> Expr {
    medallion_model::expr::epoch_day_lit(date).cast(DataType::Date)
}

/// 1, 2, 3… over the rows of each `partition` (in row order), as `Int64`.
pub fn row_number_over(partition: &str) -> Result<Expr> {
    Ok(col(partition)
        .cum_count(false)
        .over([col(partition)])?
        .cast(DataType::Int64))
}
