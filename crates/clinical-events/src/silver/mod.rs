//! Silver: raw event lines → typed, corrected, flagged events (pure transforms).
//!
//! [`transform`] parses bronze's raw text against the expected schema
//! ([`parse_events`]), then applies the corrections of the seven dirty-data rules, each
//! keeping the original value in an `_original_*` column and setting a `__dq_*` check
//! column; [`SilverConfig::rules`] turns the checks into `_dq_flags` entries, quarantine
//! or failure through medallion-core's rule engine. Duplicate events are removed (and
//! counted) by the silver builder, keyed on `event_id` (see
//! [`crate::pipeline`]).
//!
//! ```
//! use clinical_events::columns::RAW_EVENT;
//! use clinical_events::network::Network;
//! use clinical_events::silver::{SilverConfig, transform};
//! use medallion_core::pipeline::{DQ_FLAGS, apply_rules};
//! use polars::prelude::*;
//!
//! let raw = df!(RAW_EVENT => [
//!     r#"{"event_id":"e1","event_type":"ADMISSION","event_timestamp":"2024-01-05T10:00:00Z","visit_id":"v1","patient_id":"p1","age":150,"department":" PEDS","hospital_id":2,"admission_time":"2024-01-05T10:00:00Z"}"#,
//! ])?;
//! let config = SilverConfig::default();
//! let network = Network::default();
//! let silver = transform(raw.lazy(), &network, &config)?;
//! let out = apply_rules(silver, &config.rules(), "adt_events")?;
//! let row = out.kept;
//! assert_eq!(row.column("department")?.str()?.get(0), Some("Pediatrics"));
//! assert_eq!(row.column("_original_department")?.str()?.get(0), Some(" PEDS"));
//! assert_eq!(row.column("age")?.i32()?.get(0), None);
//! assert_eq!(row.column("_original_age")?.i32()?.get(0), Some(150));
//! let flags = row.column(DQ_FLAGS)?.list()?.get_as_series(0).unwrap();
//! let flags: Vec<_> = flags.str()?.iter().flatten().collect();
//! assert_eq!(flags, ["INVALID_AGE", "DEPT_TYPO"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod parse;
pub mod rules;

use medallion_core::pipeline::{BATCH_ID, INGESTED_AT, SOURCE_FILE, SOURCE_ROW};
use medallion_model::expr::typed_null;
use polars::prelude::*;

use crate::columns::*;
use crate::network::Network;
pub(crate) use parse::{Kind, LenientSpec, parse_lenient};
pub use parse::{VITALS_KEY, parse_events, parsed_dtype};
use rules::{
    CHECK_DEPT_TYPO, CHECK_DISCHARGE_BEFORE_ADMIT, CHECK_FUTURE_ADMISSION, CHECK_INVALID_AGE,
    CHECK_INVALID_HOSPITAL_ID, CHECK_UNKNOWN_DEPARTMENT,
};
pub use rules::{SilverConfig, default_department_synonyms, normalize_key};

/// Scratch column holding the parsed struct.
const PARSED: &str = "__parsed";

/// Bronze rows (`_raw_line` plus lineage) → silver rows: parsed, corrected, with the
/// `__dq_*` check columns that [`SilverConfig::rules`] read.
///
/// Row count and order are kept. The columns are those of [`silver_schema`] (without
/// `_dq_flags`, added by the rule engine) plus the check columns; lineage columns are
/// carried when present. Corrections, in this order (later ones see earlier results):
/// department mapped through the synonym table; hospital id outside the network nulled;
/// invalid age nulled; future admission replaced by the event timestamp; discharge before
/// the (corrected) admission nulled; gender trimmed and lower-cased.
///
/// # Errors
/// A Polars error when `bronze` has no `_raw_line` ([`RAW_EVENT`]) column.
pub fn transform(
    bronze: LazyFrame,
    network: &Network,
    config: &SilverConfig,
) -> PolarsResult<LazyFrame> {
    let mut bronze = bronze;
    let schema = bronze.collect_schema()?;
    let lineage: Vec<Expr> = [INGESTED_AT, SOURCE_FILE, SOURCE_ROW, BATCH_ID]
        .into_iter()
        .filter(|c| schema.contains(c))
        .map(col)
        .collect();
    let parsed = bronze
        .with_column(parse_events(col(RAW_EVENT)).alias(PARSED))
        .select([vec![col(PARSED)], lineage.clone()].concat())
        .unnest(by_name([PARSED], true, false), None);
    let corrected = parsed
        .with_columns(department_checks(network, config))
        .with_columns(department_correction())
        .with_columns(hospital_checks(network))
        .with_columns(correct(
            HOSPITAL_ID,
            ORIGINAL_HOSPITAL_ID,
            CHECK_INVALID_HOSPITAL_ID,
            DataType::Int32,
            typed_null(DataType::Int32),
        ))
        .with_column(
            col(AGE)
                .lt(lit(0))
                .or(col(AGE).gt(lit(config.max_age)))
                .fill_null(lit(false))
                .alias(CHECK_INVALID_AGE),
        )
        .with_columns(correct(
            AGE,
            ORIGINAL_AGE,
            CHECK_INVALID_AGE,
            DataType::Int32,
            typed_null(DataType::Int32),
        ))
        .with_column(
            col(ADMISSION_TIME)
                .gt(col(EVENT_TIMESTAMP))
                .fill_null(lit(false))
                .alias(CHECK_FUTURE_ADMISSION),
        )
        .with_columns(correct(
            ADMISSION_TIME,
            ORIGINAL_ADMISSION_TIME,
            CHECK_FUTURE_ADMISSION,
            utc_datetime(),
            col(EVENT_TIMESTAMP),
        ))
        .with_column(
            col(DISCHARGE_TIME)
                .lt(col(ADMISSION_TIME))
                .fill_null(lit(false))
                .alias(CHECK_DISCHARGE_BEFORE_ADMIT),
        )
        .with_columns(correct(
            DISCHARGE_TIME,
            ORIGINAL_DISCHARGE_TIME,
            CHECK_DISCHARGE_BEFORE_ADMIT,
            utc_datetime(),
            typed_null(utc_datetime()),
        ))
        .with_column(
            col(GENDER)
                .str()
                .strip_chars(lit(NULL))
                .str()
                .to_lowercase(),
        );
    Ok(corrected.select(output_columns(lineage)))
}

/// Where a corrected value's check fires: `column` := `replacement`, and
/// `original_column` keeps what was sent (null where nothing changed).
pub(crate) fn correct(
    column: &str,
    original_column: &str,
    check: &str,
    dtype: DataType,
    replacement: Expr,
) -> [Expr; 2] {
    [
        when(col(check))
            .then(col(column))
            .otherwise(typed_null(dtype))
            .alias(original_column),
        when(col(check))
            .then(replacement)
            .otherwise(col(column))
            .alias(column),
    ]
}

const DEPARTMENT_MAPPED: &str = "__dq_department_mapped";
const DEPARTMENT_EXACT: &str = "__dq_department_exact";

/// The synonym lookup of `department` and the typo / unknown checks.
fn department_checks(network: &Network, config: &SilverConfig) -> Vec<Expr> {
    let canonical = Series::new("canonical".into(), network.department_names());
    let (keys, values): (Vec<String>, Vec<String>) = config
        .department_synonyms
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .unzip();
    let key = col(DEPARTMENT)
        .str()
        .replace_all(lit(r"\s+"), lit(" "), false)
        .str()
        .strip_chars(lit(NULL))
        .str()
        .to_lowercase();
    let mapped = key.replace_strict(
        lit(Series::new("keys".into(), keys)),
        lit(Series::new("values".into(), values)),
        Some(typed_null(DataType::String)),
        Some(DataType::String),
    );
    vec![
        mapped.alias(DEPARTMENT_MAPPED),
        col(DEPARTMENT)
            .is_in(lit(canonical).implode(false), false)
            .fill_null(lit(false))
            .alias(DEPARTMENT_EXACT),
    ]
}

/// Applies the department lookup: typos mapped; unknown names stay as sent (the row is
/// quarantined by `UNKNOWN_DEPARTMENT`, not also flagged as missing).
fn department_correction() -> Vec<Expr> {
    let sent = col(DEPARTMENT).is_not_null();
    let inexact = col(DEPARTMENT_EXACT).not();
    let typo = sent
        .clone()
        .and(inexact.clone())
        .and(col(DEPARTMENT_MAPPED).is_not_null());
    let unknown = sent.and(inexact).and(col(DEPARTMENT_MAPPED).is_null());
    vec![
        typo.clone().alias(CHECK_DEPT_TYPO),
        unknown.clone().alias(CHECK_UNKNOWN_DEPARTMENT),
        when(typo.clone().or(unknown))
            .then(col(DEPARTMENT))
            .otherwise(typed_null(DataType::String))
            .alias(ORIGINAL_DEPARTMENT),
        when(typo)
            .then(col(DEPARTMENT_MAPPED))
            .otherwise(col(DEPARTMENT))
            .alias(DEPARTMENT),
    ]
}

fn hospital_checks(network: &Network) -> Vec<Expr> {
    let ids = Series::new("hospital_ids".into(), network.hospital_ids());
    vec![
        col(HOSPITAL_ID)
            .is_not_null()
            .and(col(HOSPITAL_ID).is_in(lit(ids).implode(false), false).not())
            .fill_null(lit(false))
            .alias(CHECK_INVALID_HOSPITAL_ID),
    ]
}

/// Silver columns in contract order, then lineage, then the rules' check columns.
fn output_columns(lineage: Vec<Expr>) -> Vec<Expr> {
    let mut columns: Vec<Expr> = event_fields().iter().map(|f| col(f.name.clone())).collect();
    columns.extend(
        [
            ORIGINAL_AGE,
            ORIGINAL_ADMISSION_TIME,
            ORIGINAL_DISCHARGE_TIME,
            ORIGINAL_DEPARTMENT,
            ORIGINAL_HOSPITAL_ID,
            UNKNOWN_FIELDS,
            MALFORMED_FIELDS,
        ]
        .map(col),
    );
    columns.extend(lineage);
    columns.extend(
        [
            CHECK_FUTURE_ADMISSION,
            CHECK_INVALID_AGE,
            CHECK_DISCHARGE_BEFORE_ADMIT,
            CHECK_DEPT_TYPO,
            CHECK_UNKNOWN_DEPARTMENT,
            CHECK_INVALID_HOSPITAL_ID,
        ]
        .map(col),
    );
    columns
}

#[cfg(test)]
mod tests;
