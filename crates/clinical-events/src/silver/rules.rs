//! The silver data-quality rules of ADT events, as [`medallion_model::Rule`]s applied by
//! medallion-core's rule engine (flags in `_dq_flags`, quarantine, fail).
//!
//! Corrections happen in [`super::transform`], which keeps each original value in an
//! `_original_*` column and records what it found in a `__dq_*` check column; the rules
//! below fire on those check columns, so every correction is flagged.
//!
//! | rule | fires when | action (default severity) |
//! |---|---|---|
//! | `FUTURE_ADMISSION` | `admission_time` after the event's own `event_timestamp` | replaced by `event_timestamp`, original in `_original_admission_time` (warn) |
//! | `INVALID_AGE` | `age` < 0 or > [`SilverConfig::max_age`] | nulled, original in `_original_age` (warn) |
//! | `DISCHARGE_BEFORE_ADMIT` | `discharge_time` before the (corrected) `admission_time` | nulled, original in `_original_discharge_time` (warn) |
//! | `DEPT_TYPO` | `department` not canonical but mapped by [`SilverConfig::department_synonyms`] | mapped, original in `_original_department` (warn) |
//! | `UNKNOWN_DEPARTMENT` | `department` neither canonical nor a synonym | quarantined (quarantine) |
//! | `INVALID_HOSPITAL_ID` | `hospital_id` not in the network | nulled, original in `_original_hospital_id` (warn) |
//! | `MISSING_<FIELD>` | a [`SilverConfig::critical_fields`] entry is absent, null or empty | flagged (warn; `MISSING_EVENT_ID` and `MISSING_EVENT_TIMESTAMP` quarantine) |
//! | `UNKNOWN_EVENT_TYPE` | `event_type` not `ADMISSION`/`TRANSFER`/`DISCHARGE` | quarantined (quarantine) |
//! | `UNPARSEABLE_EVENT` | the line is not a JSON object | quarantined (quarantine) |
//! | `MALFORMED_FIELD` | a field has a value of the wrong type (named in `_malformed_fields`) | nulled, flagged (warn) |
//! | `DUPLICATE_EVENT` | an `event_id` arrives more than once in a batch | later copies removed and counted; the kept row is flagged (the silver builder's duplicate flag) |

use std::collections::BTreeMap;

use medallion_model::{Rule, Severity};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::columns::{
    DEPARTMENT, EVENT_ID, EVENT_TIMESTAMP, EVENT_TYPE, MALFORMED_FIELDS, PATIENT_ID, VISIT_ID,
    event_fields,
};
use crate::error::{Error, Result};
use crate::network::Network;

/// Admission time after the event timestamp; replaced by it.
pub const FUTURE_ADMISSION: &str = "FUTURE_ADMISSION";
/// Age outside 0..=max; nulled.
pub const INVALID_AGE: &str = "INVALID_AGE";
/// Discharge before admission; discharge nulled.
pub const DISCHARGE_BEFORE_ADMIT: &str = "DISCHARGE_BEFORE_ADMIT";
/// Department mapped to its canonical name through the synonym table.
pub const DEPT_TYPO: &str = "DEPT_TYPO";
/// Department that no synonym maps; quarantined.
pub const UNKNOWN_DEPARTMENT: &str = "UNKNOWN_DEPARTMENT";
/// Hospital id outside the network; nulled.
pub const INVALID_HOSPITAL_ID: &str = "INVALID_HOSPITAL_ID";
/// Event type outside the three known ones; quarantined.
pub const UNKNOWN_EVENT_TYPE: &str = "UNKNOWN_EVENT_TYPE";
/// A line that is not a JSON object; quarantined.
pub const UNPARSEABLE_EVENT: &str = "UNPARSEABLE_EVENT";
/// A field with a value of the wrong type; nulled.
pub const MALFORMED_FIELD: &str = "MALFORMED_FIELD";
/// An event id sent more than once (the silver builder's duplicate flag).
pub const DUPLICATE_EVENT: &str = "DUPLICATE_EVENT";

/// The `_malformed_fields` entry of a line that is not a JSON object.
pub const WHOLE_LINE: &str = "_line";

/// Check columns written by the transform and read by the rules (removed by the rule
/// engine, which drops every `__dq_*` column).
pub(crate) const CHECK_FUTURE_ADMISSION: &str = "__dq_future_admission";
pub(crate) const CHECK_INVALID_AGE: &str = "__dq_invalid_age";
pub(crate) const CHECK_DISCHARGE_BEFORE_ADMIT: &str = "__dq_discharge_before_admit";
pub(crate) const CHECK_DEPT_TYPO: &str = "__dq_dept_typo";
pub(crate) const CHECK_UNKNOWN_DEPARTMENT: &str = "__dq_unknown_department";
pub(crate) const CHECK_INVALID_HOSPITAL_ID: &str = "__dq_invalid_hospital_id";

/// `MISSING_<FIELD>` for a field name, e.g. `MISSING_PATIENT_ID`.
pub fn missing_rule_name(field: &str) -> String {
    format!("MISSING_{}", field.to_uppercase())
}

/// Settings of the silver transform and rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct SilverConfig {
    /// Department spellings mapped to canonical names. Keys are matched after trimming,
    /// lower-casing and collapsing inner whitespace (`"  PEDS "` → `peds`). Default:
    /// [`default_department_synonyms`]: every canonical name and code in lower case,
    /// plus common abbreviations and misspellings (`emergancy`, `er`, `ed`, `peds`,
    /// `paediatrics`, `cardiolgy`, `i.c.u.`, `l&d` …).
    pub department_synonyms: BTreeMap<String, String>,
    /// Oldest valid age. Default: 120.
    pub max_age: i32,
    /// Fields whose absence is flagged `MISSING_<FIELD>`. Default: `patient_id`,
    /// `event_type`, `department`, `visit_id`, `event_id`, `event_timestamp`.
    pub critical_fields: Vec<String>,
    /// Severity per rule name, overriding the defaults in the module table (e.g.
    /// `{"MISSING_PATIENT_ID": "quarantine"}`). Default: none.
    pub severities: BTreeMap<String, Severity>,
}

impl Default for SilverConfig {
    fn default() -> Self {
        Self {
            department_synonyms: default_department_synonyms(),
            max_age: 120,
            critical_fields: [
                PATIENT_ID,
                EVENT_TYPE,
                DEPARTMENT,
                VISIT_ID,
                EVENT_ID,
                EVENT_TIMESTAMP,
            ]
            .into_iter()
            .map(str::to_string)
            .collect(),
            severities: BTreeMap::new(),
        }
    }
}

/// The default synonym table (see [`SilverConfig::department_synonyms`]).
pub fn default_department_synonyms() -> BTreeMap<String, String> {
    let table: [(&str, &[&str]); 7] = [
        (
            "Emergency",
            &[
                "emergency",
                "emr",
                "emergancy",
                "emergncy",
                "er",
                "ed",
                "emergency room",
                "emergency department",
            ],
        ),
        ("Surgery", &["surgery", "sur", "surgey", "surgical", "surg"]),
        (
            "ICU",
            &[
                "icu",
                "i.c.u.",
                "intensive care",
                "intensive care unit",
                "micu",
            ],
        ),
        (
            "Pediatrics",
            &[
                "pediatrics",
                "ped",
                "peds",
                "paediatrics",
                "pediatric",
                "pediatircs",
            ],
        ),
        (
            "Maternity",
            &[
                "maternity",
                "mat",
                "maternaty",
                "l&d",
                "labor and delivery",
                "obstetrics",
            ],
        ),
        ("Oncology", &["oncology", "onc", "oncolgy", "onco"]),
        (
            "Cardiology",
            &["cardiology", "car", "cardiolgy", "cardio", "cardiac"],
        ),
    ];
    table
        .into_iter()
        .flat_map(|(canonical, variants)| {
            variants
                .iter()
                .map(move |v| ((*v).to_string(), canonical.to_string()))
        })
        .collect()
}

/// The severity a rule has unless configured otherwise.
fn default_severity(name: &str) -> Severity {
    match name {
        UNKNOWN_DEPARTMENT | UNKNOWN_EVENT_TYPE | UNPARSEABLE_EVENT => Severity::Quarantine,
        n if n == missing_rule_name(EVENT_ID) || n == missing_rule_name(EVENT_TIMESTAMP) => {
            Severity::Quarantine
        }
        _ => Severity::Warn,
    }
}

impl SilverConfig {
    /// Checks the synonym table against the network and the critical fields against the
    /// model.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the entry.
    pub fn validate(&self, network: &Network) -> Result<()> {
        if let Some((variant, canonical)) = self
            .department_synonyms
            .iter()
            .find(|(_, canonical)| network.department(canonical).is_none())
        {
            return Err(Error::config(
                format!("department_synonyms.{variant}"),
                format!("'{canonical}' is not a department of the network"),
            ));
        }
        if let Some(key) = self
            .department_synonyms
            .keys()
            .find(|k| **k != normalize_key(k))
        {
            return Err(Error::config(
                format!("department_synonyms.{key}"),
                "keys must be trimmed, lower-case, with single spaces",
            ));
        }
        let fields: Vec<String> = event_fields().iter().map(|f| f.name.to_string()).collect();
        if let Some(f) = self.critical_fields.iter().find(|f| !fields.contains(f)) {
            return Err(Error::config(
                "critical_fields",
                format!("'{f}' is not an event field"),
            ));
        }
        if self.max_age < 0 {
            return Err(Error::config("max_age", "must be ≥ 0"));
        }
        Ok(())
    }

    /// The rules, with their configured severities.
    pub fn rules(&self) -> Vec<Rule> {
        let has = |c: &str| col(c).fill_null(lit(false));
        let malformed = col(MALFORMED_FIELDS);
        let event_types = Series::new(
            "event_types".into(),
            crate::model::EventType::ALL.map(|t| t.as_str()),
        );
        let mut rules = vec![
            Rule::warn(
                FUTURE_ADMISSION,
                has(CHECK_FUTURE_ADMISSION),
                "admission_time after the event timestamp: replaced by event_timestamp",
            ),
            Rule::warn(
                INVALID_AGE,
                has(CHECK_INVALID_AGE),
                "age negative or above max_age: nulled",
            ),
            Rule::warn(
                DISCHARGE_BEFORE_ADMIT,
                has(CHECK_DISCHARGE_BEFORE_ADMIT),
                "discharge_time before admission_time: discharge nulled",
            ),
            Rule::warn(
                DEPT_TYPO,
                has(CHECK_DEPT_TYPO),
                "department spelled differently: mapped to the canonical name",
            ),
            Rule::warn(
                UNKNOWN_DEPARTMENT,
                has(CHECK_UNKNOWN_DEPARTMENT),
                "department neither canonical nor a configured synonym",
            ),
            Rule::warn(
                INVALID_HOSPITAL_ID,
                has(CHECK_INVALID_HOSPITAL_ID),
                "hospital_id not in the network: nulled",
            ),
            Rule::warn(
                UNKNOWN_EVENT_TYPE,
                col(EVENT_TYPE).is_not_null().and(
                    col(EVENT_TYPE)
                        .is_in(lit(event_types).implode(false), false)
                        .not(),
                ),
                "event_type not ADMISSION, TRANSFER or DISCHARGE",
            ),
            Rule::warn(
                UNPARSEABLE_EVENT,
                malformed.clone().list().contains(lit(WHOLE_LINE), false),
                "the line is not a JSON object",
            ),
            Rule::warn(
                MALFORMED_FIELD,
                malformed
                    .clone()
                    .list()
                    .len()
                    .gt(lit(0))
                    .and(malformed.list().contains(lit(WHOLE_LINE), false).not()),
                "a field has a value of the wrong type: nulled, named in _malformed_fields",
            ),
        ];
        rules.extend(self.critical_fields.iter().map(|field| {
            Rule::warn(
                missing_rule_name(field),
                col(field.as_str()).is_null(),
                format!("critical field {field} absent, null or empty"),
            )
        }));
        rules
            .into_iter()
            .map(|rule| {
                let severity = self
                    .severities
                    .get(&rule.name)
                    .copied()
                    .unwrap_or_else(|| default_severity(&rule.name));
                rule.with_severity(severity)
            })
            .collect()
    }
}

/// The lookup key of a department spelling: trimmed, lower-cased, inner whitespace
/// collapsed to one space.
pub fn normalize_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}
