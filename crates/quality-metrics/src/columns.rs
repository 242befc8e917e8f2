//! Names of the gold output columns of this crate. The silver input columns are
//! `synthea_schema::columns` (one constant per table and column, checked against the
//! silver schema); outputs that carry a silver column unchanged (`patient_id`,
//! `organization_id`, …) use that constant.

/// Deterministic stay id: `<patient_id>:<first encounter_id>`.
pub const STAY_ID: &str = "stay_id";
/// Id of the first encounter of a stay.
pub const FIRST_ENCOUNTER_ID: &str = "first_encounter_id";
/// Admission timestamp.
pub const ADMISSION_TS: &str = "admission_ts";
/// Discharge timestamp (null while admitted).
pub const DISCHARGE_TS: &str = "discharge_ts";
/// Admission calendar date.
pub const ADMISSION_DATE: &str = "admission_date";
/// Discharge calendar date (null while admitted).
pub const DISCHARGE_DATE: &str = "discharge_date";
/// Still admitted (an encounter without `stop`).
pub const OPEN_FLAG: &str = "open_flag";
/// Length of stay in days.
pub const LOS_DAYS: &str = "los_days";
/// Length of stay in hours.
pub const LOS_HOURS: &str = "los_hours";
/// Encounters in a stay.
pub const ENCOUNTER_COUNT: &str = "encounter_count";
/// Duplicate encounter rows removed.
pub const DUPLICATE_ENCOUNTER_ROWS: &str = "duplicate_encounter_rows";
/// Duplicate rows removed for one encounter id.
pub const DUPLICATE_ROWS: &str = "duplicate_rows";
/// An emergency encounter started on the admission date.
pub const ER_ADMIT_FLAG: &str = "er_admit_flag";
/// The previous stay transferred into this one.
pub const TRANSFER_IN_FLAG: &str = "transfer_in_flag";
/// This stay transfers to the next one.
pub const TRANSFER_OUT_FLAG: &str = "transfer_out_flag";
/// Stay id of the first stay of the transfer chain.
pub const CHAIN_ID: &str = "chain_id";
/// 1-based order of an encounter inside its stay.
pub const ENCOUNTER_SEQ: &str = "encounter_seq";
/// Condition code (SNOMED).
pub const CONDITION_CODE: &str = "condition_code";
/// Where a stay's condition comes from: `reason` or `during_stay`.
pub const CONDITION_SOURCE: &str = "condition_source";
/// Number of discharges.
pub const DISCHARGES: &str = "discharges";
/// Σ los_days.
pub const TOTAL_LOS_DAYS: &str = "total_los_days";
/// Average length of stay.
pub const ALOS_DAYS: &str = "alos_days";
/// First day of the discharge month.
pub const DISCHARGE_MONTH: &str = "discharge_month";
/// Drug class name.
pub const DRUG_CLASS: &str = "drug_class";
/// Census date.
pub const CENSUS_DATE: &str = "census_date";
/// First day of a month.
pub const MONTH: &str = "month";
/// First day of a measurement period (inclusive).
pub const PERIOD_START: &str = "period_start";
/// Last day of a measurement period (inclusive).
pub const PERIOD_END: &str = "period_end";
