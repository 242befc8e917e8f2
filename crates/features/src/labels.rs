//! Labels: what happens after the as-of date. They are the only columns that look
//! past it; features never do.

use medallion_model::expr::{epoch_day, string_list};
use polars::prelude::*;
use synthea_schema::TableKind;
use synthea_schema::columns::{conditions, encounters, require};

use crate::FeatureInputs;
use crate::columns::{AS_OF_DATE, LABEL_DIABETES_ONSET, PATIENT_ID};
use crate::config::FeatureStoreConfig;
use crate::error::{Error, Result};

/// Diabetes onset within the horizon after the as-of date, per spine row.
///
/// # Definition
/// Onset: the patient's first diagnosis (`conditions.start`) with a code of the value
/// set [`crate::LabelConfig::diabetes_value_set`]. Label true when the onset falls in
/// `(as_of, as_of + horizon]` ([`crate::LabelConfig::diabetes_horizon_days`]).
///
/// # Denominator
/// Spine rows of patients without an onset on or before the as-of date.
///
/// # Numerator
/// Those with the onset in the horizon.
///
/// # Exclusions
/// Null label (not a negative): an onset on or before the as-of date (not at risk);
/// no onset and the horizon reaching past the end of the data (the last encounter start
/// date in `encounters`), as the outcome cannot be observed. A patient who dies in the
/// horizon without an onset is a negative.
///
/// # Period
/// The horizon after each as-of date.
///
/// # Output grain
/// One row per spine row: `patient_id`, `as_of_date`, [`LABEL_DIABETES_ONSET`]
/// (`Boolean`).
///
/// # Example
/// An as-of date of 2020-06-30, onset 2021-01-10, horizon 365 days: true; as of
/// 2021-03-31 the row is null (already diabetic).
///
/// # Errors
/// Inputs that are not silver tables; a label value set that is not configured.
pub fn diabetes_onset_label(
    spine: &LazyFrame,
    inputs: &FeatureInputs,
    config: &FeatureStoreConfig,
) -> Result<LazyFrame> {
    let name = &config.labels.diabetes_value_set;
    let set = config
        .condition_set(name)
        .ok_or_else(|| Error::InvalidConfig {
            field: "labels.diabetes_value_set",
            value: name.clone(),
            reason: "must name one of groups.conditions.value_sets".into(),
        })?;
    let (mut c, mut e) = (inputs.conditions.clone(), inputs.encounters.clone());
    require(
        TableKind::Conditions,
        &mut c,
        &[conditions::PATIENT_ID, conditions::CODE, conditions::START],
    )?;
    require(TableKind::Encounters, &mut e, &[encounters::START_DATE])?;
    let onset = c
        .filter(col(conditions::CODE).is_in(string_list(&set.codes), false))
        .group_by([col(conditions::PATIENT_ID)])
        .agg([col(conditions::START).min().alias("__onset")]);
    // One row keyed by a constant (a cross join with a one-row `select` would fan out
    // when the optimizer prunes the label: the pruned select keeps every row).
    let data_end = e
        .group_by([lit(1i32).alias("__one")])
        .agg([col(encounters::START_DATE).max().alias("__data_end")]);
    let horizon = config.labels.diabetes_horizon_days as i32;
    let (as_of, onset_day) = (epoch_day(col(AS_OF_DATE)), epoch_day(col("__onset")));
    let at_risk = col("__onset")
        .is_null()
        .or(onset_day.clone().gt(as_of.clone()));
    let within = onset_day
        .lt_eq(as_of.clone() + lit(horizon))
        .fill_null(lit(false));
    let observable = (as_of + lit(horizon)).lt_eq(epoch_day(col("__data_end")));
    let label = when(at_risk.not())
        .then(lit(NULL).cast(DataType::Boolean))
        .when(within.clone())
        .then(lit(true))
        .when(observable)
        .then(lit(false))
        .otherwise(lit(NULL).cast(DataType::Boolean));
    Ok(spine
        .clone()
        .select([col(PATIENT_ID), col(AS_OF_DATE)])
        .join(
            onset,
            [col(PATIENT_ID)],
            [col(conditions::PATIENT_ID)],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(lit(1i32).alias("__one"))
        .join(
            data_end,
            [col("__one")],
            [col("__one")],
            JoinArgs::new(JoinType::Left),
        )
        .select([
            col(PATIENT_ID),
            col(AS_OF_DATE),
            label.alias(LABEL_DIABETES_ONSET),
        ]))
}
