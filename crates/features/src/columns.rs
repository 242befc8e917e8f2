//! Column names of the feature store's keys and labels. Feature columns are named
//! `<entity>__<measure>[_<window>]` (e.g. `encounter__emergency_count_365d`) and listed,
//! with their definitions, in [`crate::FeatureStore::definitions`].

/// Patient id (`String`), as in the silver tables.
pub const PATIENT_ID: &str = "patient_id";
/// The as-of date of a row (`Date`): every feature uses only events dated on or before it.
pub const AS_OF_DATE: &str = "as_of_date";
/// First day of the as-of date's month (`Date`): the partition column.
pub const AS_OF_MONTH: &str = "as_of_month";
/// Label: first diagnosis of the diabetes value set within the horizon after the as-of
/// date (`Boolean`; null when not eligible or not observable, see
/// [`crate::labels::diabetes_onset_label`]).
pub const LABEL_DIABETES_ONSET: &str = "label__diabetes_onset";
/// Label: the index discharge was followed by a 30-day readmission (`Boolean`; only with
/// [`crate::AsOfDates::IndexDischarges`]).
pub const LABEL_READMISSION_30D: &str = "label__readmission_30d";
/// Prefix of every label column.
pub const LABEL_PREFIX: &str = "label__";
