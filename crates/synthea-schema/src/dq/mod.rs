//! Data-quality rules for silver Synthea tables, as [`medallion_model::Rule`]s.
//!
//! This module only *defines* rules; the rule engine (evaluating them into `_dq_flags`,
//! quarantining, failing batches) lives in `medallion-core`. Every rule's
//! [`violation`](Rule::violation) evaluates to a non-null `Boolean` over a **silver**
//! frame (see [`crate::normalize`]): `true` means the rule fires and the row is bad.
//! Severities are the model's [`Severity`]; [`DqConfig::severity_overrides`] changes them
//! by rule name.
//!
//! Single-table rules over the silver contract come from [`dq_rules`]. The checks that
//! need more than the silver row — the raw text, the typed reader's parse errors, the
//! export's version, other tables' keys, the patient's death date — live in [`checks`]:
//! each is a boolean scratch column computed while a batch becomes silver, read by the
//! rules of [`checks::check_rules`].

use std::collections::BTreeMap;

use chrono::NaiveDate;
use medallion_model::{Rule, Severity};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::normalize::{silver_required_columns, silver_schema};
use crate::spec::{EncounterClass, TableKind};

pub mod checks;

/// The SNOMED-CT code of Synthea's death-certification encounter.
pub const DEATH_CERTIFICATION_CODE: &str = "308646001";

/// Rule name of the encounter-after-death check ([`checks::flag_encounters_after_death`]).
pub const AFTER_DEATH_RULE: &str = "encounters.after_death";

/// Configuration of the data-quality rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct DqConfig {
    /// Encounter codes that may legitimately fall after the patient's death.
    /// Default: `["308646001"]` ([`DEATH_CERTIFICATION_CODE`], "Death Certification").
    pub death_certification_codes: Vec<String>,
    /// Severity per rule name, overriding the built-in severity (serialized in lowercase:
    /// `{"encounters.stop_before_start": "fail"}`). Default: empty.
    pub severity_overrides: BTreeMap<String, Severity>,
}

impl Default for DqConfig {
    fn default() -> Self {
        Self {
            death_certification_codes: vec![DEATH_CERTIFICATION_CODE.to_string()],
            severity_overrides: BTreeMap::new(),
        }
    }
}

impl DqConfig {
    /// Override the severity of rule `name`.
    pub fn with_severity(mut self, name: impl Into<String>, severity: Severity) -> Self {
        self.severity_overrides.insert(name.into(), severity);
        self
    }

    /// Set [`Self::death_certification_codes`].
    pub fn with_death_certification_codes(mut self, codes: Vec<String>) -> Self {
        self.death_certification_codes = codes;
        self
    }
}

/// A rule whose violation is never null (a null comparison does not fire).
fn rule(name: String, violation: Expr, severity: Severity, description: String) -> Rule {
    Rule::new(name, violation.fill_null(lit(false)), severity, description)
}

/// A list literal of `values`, for `is_in`.
pub(crate) fn string_list(values: &[&str]) -> Expr {
    lit(Series::new("values".into(), values)).implode(false)
}

/// The single-table data-quality rules of `table`, evaluated against its silver frame.
///
/// `as_of` is the explicit reference date for "in the future" checks (no clock is read).
///
/// Rules (name → default severity):
/// * `<t>.required_null.<col>` — a column every version fills is null
///   (quarantine for key and `patient_id` columns, warn otherwise);
/// * `<t>.duplicate_id` — the business key ([`TableKind::silver_key`]) occurs more than
///   once (every copy fires; quarantine);
/// * `<t>.stop_before_start` — `stop < start` (warn); payer transitions:
///   `payer_transitions.end_before_start`;
/// * `patients.birth_date_in_future` (`birth_date > as_of`, quarantine),
///   `patients.death_date_in_future` (warn), `patients.death_before_birth` (warn);
/// * `encounters.unknown_encounter_class` — class outside [`EncounterClass`] (warn).
pub fn dq_rules(table: TableKind, config: &DqConfig, as_of: NaiveDate) -> Vec<Rule> {
    let t = table.name();
    let schema = silver_schema(table);
    let key = table.silver_key();
    let mut rules = Vec::new();

    for c in silver_required_columns(table) {
        let severity = if key.contains(&c) || c == "patient_id" {
            Severity::Quarantine
        } else {
            Severity::Warn
        };
        rules.push(rule(
            format!("{t}.required_null.{c}"),
            col(c).is_null(),
            severity,
            format!("`{c}` is null although every Synthea version always fills it"),
        ));
    }

    if !key.is_empty() {
        let expr = match key {
            [single] => col(*single).is_duplicated(),
            many => as_struct(many.iter().map(|k| col(*k)).collect()).is_duplicated(),
        };
        rules.push(rule(
            format!("{t}.duplicate_id"),
            expr,
            Severity::Quarantine,
            format!("the key {key:?} occurs in more than one row (every copy is flagged)"),
        ));
    }

    if schema.contains("start") && schema.contains("stop") {
        rules.push(rule(
            format!("{t}.stop_before_start"),
            col("stop").lt(col("start")),
            Severity::Warn,
            "`stop` is earlier than `start`".to_string(),
        ));
    }
    if schema.contains("start") && schema.contains("end") {
        rules.push(rule(
            format!("{t}.end_before_start"),
            col("end")
                .lt(col("start"))
                .or(col("end_year").lt(col("start_year"))),
            Severity::Warn,
            "coverage `end` is earlier than `start`".to_string(),
        ));
    }

    match table {
        TableKind::Patients => {
            rules.push(rule(
                "patients.birth_date_in_future".to_string(),
                col("birth_date").gt(lit(as_of)),
                Severity::Quarantine,
                format!("`birth_date` is after the as-of date {as_of}"),
            ));
            rules.push(rule(
                "patients.death_date_in_future".to_string(),
                col("death_date").gt(lit(as_of)),
                Severity::Warn,
                format!("`death_date` is after the as-of date {as_of}"),
            ));
            rules.push(rule(
                "patients.death_before_birth".to_string(),
                col("death_date").lt(col("birth_date")),
                Severity::Warn,
                "`death_date` is earlier than `birth_date`".to_string(),
            ));
        }
        TableKind::Encounters => {
            rules.push(rule(
                "encounters.unknown_encounter_class".to_string(),
                col("encounter_class").is_not_null().and(
                    col("encounter_class")
                        .is_in(string_list(&EncounterClass::values()), false)
                        .not(),
                ),
                Severity::Warn,
                format!(
                    "`encounter_class` is not one of {:?} (value kept)",
                    EncounterClass::values()
                ),
            ));
        }
        _ => {}
    }

    rules
        .into_iter()
        .map(|r| match config.severity_overrides.get(&r.name) {
            Some(severity) => r.with_severity(*severity),
            None => r,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::test_util::{bools, patients_with_deaths, silver};
    use crate::version::SyntheaVersion;

    fn as_of() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
    }

    fn fire(table: TableKind, lf: LazyFrame, name: &str) -> Vec<Option<bool>> {
        let r = dq_rules(table, &DqConfig::default(), as_of())
            .into_iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no rule {name}"));
        let df = lf.select([r.violation.alias("fired")]).collect().unwrap();
        bools(&df, "fired")
    }

    fn encounters() -> LazyFrame {
        let raw = df!(
            "Id" => ["e1", "e2", "e2", "e4"],
            "START" => ["2020-01-01T10:00:00Z", "2020-01-02T10:00:00Z", "2020-01-03T10:00:00Z", "2020-01-04T10:00:00Z"],
            "STOP" => ["2020-01-01T11:00:00Z", "2020-01-01T10:00:00Z", "", "2020-01-04T11:00:00Z"],
            "PATIENT" => ["p1", "p1", "p2", "ghost"],
            "ENCOUNTERCLASS" => ["wellness", "teleport", "inpatient", ""],
            "CODE" => ["1", "2", "3", "4"],
        )
        .unwrap();
        silver(TableKind::Encounters, SyntheaVersion::V3Latest, raw)
    }

    #[test]
    fn stop_before_start_fires_only_when_stop_is_earlier() {
        assert_eq!(
            fire(
                TableKind::Encounters,
                encounters(),
                "encounters.stop_before_start"
            ),
            [Some(false), Some(true), Some(false), Some(false)]
        );
    }

    #[test]
    fn duplicate_id_flags_every_copy() {
        assert_eq!(
            fire(
                TableKind::Encounters,
                encounters(),
                "encounters.duplicate_id"
            ),
            [Some(false), Some(true), Some(true), Some(false)]
        );
    }

    #[test]
    fn unknown_encounter_class_ignores_nulls_and_known_classes() {
        assert_eq!(
            fire(
                TableKind::Encounters,
                encounters(),
                "encounters.unknown_encounter_class"
            ),
            [Some(false), Some(true), Some(false), Some(false)]
        );
    }

    #[test]
    fn required_null_fires_on_null_required_columns() {
        assert_eq!(
            fire(
                TableKind::Encounters,
                encounters(),
                "encounters.required_null.stop"
            ),
            [Some(false), Some(false), Some(true), Some(false)]
        );
        let rules = dq_rules(TableKind::Encounters, &DqConfig::default(), as_of());
        let r = rules
            .iter()
            .find(|r| r.name == "encounters.required_null.encounter_id")
            .unwrap();
        assert_eq!(r.severity, Severity::Quarantine);
        assert!(
            !rules
                .iter()
                .any(|r| r.name == "encounters.required_null.reason_code")
        );
    }

    #[test]
    fn birth_date_in_future_uses_the_as_of_argument() {
        assert_eq!(
            fire(
                TableKind::Patients,
                patients_with_deaths(),
                "patients.birth_date_in_future"
            ),
            [Some(false), Some(true), Some(false)]
        );
        let late = dq_rules(
            TableKind::Patients,
            &DqConfig::default(),
            NaiveDate::from_ymd_opt(2031, 1, 1).unwrap(),
        );
        let r = late
            .iter()
            .find(|r| r.name == "patients.birth_date_in_future")
            .unwrap();
        let df = patients_with_deaths()
            .select([r.violation.clone().alias("f")])
            .collect()
            .unwrap();
        assert_eq!(bools(&df, "f"), [Some(false); 3]);
    }

    #[test]
    fn death_before_birth_fires() {
        assert_eq!(
            fire(
                TableKind::Patients,
                patients_with_deaths(),
                "patients.death_before_birth"
            ),
            [Some(false), Some(false), Some(true)]
        );
    }

    #[test]
    fn severity_overrides_apply_by_name() {
        let cfg = DqConfig::default().with_severity("encounters.stop_before_start", Severity::Fail);
        let rules = dq_rules(TableKind::Encounters, &cfg, as_of());
        let r = rules
            .iter()
            .find(|r| r.name == "encounters.stop_before_start")
            .unwrap();
        assert_eq!(r.severity, Severity::Fail);
    }

    #[test]
    fn severity_overrides_load_from_lowercase_json() {
        let cfg: DqConfig = serde_json::from_str(
            r#"{"severity_overrides": {"encounters.duplicate_id": "warn", "patients.death_before_birth": "fail"}}"#,
        )
        .unwrap();
        assert_eq!(
            cfg.severity_overrides.get("encounters.duplicate_id"),
            Some(&Severity::Warn)
        );
        assert_eq!(cfg.death_certification_codes, [DEATH_CERTIFICATION_CODE]);
        let round_trip = serde_json::to_string(&cfg).unwrap();
        assert!(
            round_trip.contains(r#""patients.death_before_birth":"fail""#),
            "{round_trip}"
        );
        assert!(
            serde_json::from_str::<DqConfig>(r#"{"severity_overrides": {"x": "Fail"}}"#).is_err()
        );
    }

    #[test]
    fn every_table_has_rules_with_unique_prefixed_names() {
        for t in TableKind::all() {
            let rules = dq_rules(*t, &DqConfig::default(), as_of());
            assert!(!rules.is_empty(), "{t}");
            let mut names: Vec<_> = rules.iter().map(|r| r.name.clone()).collect();
            assert!(
                names
                    .iter()
                    .all(|n| n.starts_with(&format!("{}.", t.name())))
            );
            names.sort();
            names.dedup();
            assert_eq!(names.len(), rules.len(), "{t}");
            // Every rule evaluates on an empty silver frame of the contract.
            let empty = DataFrame::empty_with_schema(&silver_schema(*t)).lazy();
            let exprs: Vec<_> = rules
                .iter()
                .enumerate()
                .map(|(i, r)| r.violation.clone().alias(format!("r{i}")))
                .collect();
            empty.select(exprs).collect().unwrap();
        }
    }
}
