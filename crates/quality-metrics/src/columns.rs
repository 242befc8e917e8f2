//! Names of the gold output columns of this crate. The silver input columns are
//! `synthea_schema::columns` (one constant per table and column, checked against the
//! silver schema); outputs that carry a silver column unchanged (`patient_id`,
//! `organization_id`, …) use that constant.

medallion_model::documented_columns! {
    /// Deterministic stay id: `<patient_id>:<first encounter_id>`.
    STAY_ID = "stay_id";
    /// Id of the first encounter of a stay.
    FIRST_ENCOUNTER_ID = "first_encounter_id";
    /// Admission timestamp.
    ADMISSION_TS = "admission_ts";
    /// Discharge timestamp (null while admitted).
    DISCHARGE_TS = "discharge_ts";
    /// Admission calendar date.
    ADMISSION_DATE = "admission_date";
    /// Discharge calendar date (null while admitted).
    DISCHARGE_DATE = "discharge_date";
    /// Still admitted (an encounter without `stop`).
    OPEN_FLAG = "open_flag";
    /// Length of stay in days.
    LOS_DAYS = "los_days";
    /// Length of stay in hours.
    LOS_HOURS = "los_hours";
    /// Encounters in a stay.
    ENCOUNTER_COUNT = "encounter_count";
    /// Duplicate encounter rows removed.
    DUPLICATE_ENCOUNTER_ROWS = "duplicate_encounter_rows";
    /// Duplicate rows removed for one encounter id.
    DUPLICATE_ROWS = "duplicate_rows";
    /// An emergency encounter started on the admission date.
    ER_ADMIT_FLAG = "er_admit_flag";
    /// The previous stay transferred into this one.
    TRANSFER_IN_FLAG = "transfer_in_flag";
    /// This stay transfers to the next one.
    TRANSFER_OUT_FLAG = "transfer_out_flag";
    /// Stay id of the first stay of the transfer chain.
    CHAIN_ID = "chain_id";
    /// 1-based order of an encounter inside its stay.
    ENCOUNTER_SEQ = "encounter_seq";
    /// Condition code (SNOMED).
    CONDITION_CODE = "condition_code";
    /// Where a stay's condition comes from: `reason` or `during_stay`.
    CONDITION_SOURCE = "condition_source";
    /// Number of discharges.
    DISCHARGES = "discharges";
    /// Σ los_days.
    TOTAL_LOS_DAYS = "total_los_days";
    /// Average length of stay.
    ALOS_DAYS = "alos_days";
    /// First day of the discharge month.
    DISCHARGE_MONTH = "discharge_month";
    /// Drug class name.
    DRUG_CLASS = "drug_class";
    /// Census date.
    CENSUS_DATE = "census_date";
    /// First day of a month.
    MONTH = "month";
    /// First day of a measurement period (inclusive).
    PERIOD_START = "period_start";
    /// Last day of a measurement period (inclusive).
    PERIOD_END = "period_end";
}
