//! Data-quality rules for silver Synthea tables, as [`medallion_model::Rule`]s.
//!
//! This module only *defines* rules; the rule engine (evaluating them into `_dq_flags`,
//! quarantining, failing batches) lives in `medallion-core`. Every rule's
//! [`violation`](Rule::violation) evaluates to a non-null `Boolean` over a **silver**
//! frame (see [`crate::normalize`]): `true` means the rule fires and the row is bad.
//! Severities are the model's [`Severity`]; [`DqConfig::severity_overrides`] changes them
//! by rule name.
//!
//! Single-table rules come from [`dq_rules`]. Rules that need a second table are
//! functions returning the frame with a boolean flag column:
//! [`flag_encounters_after_death`], [`flag_orphan_patient_refs`],
//! [`flag_orphan_encounter_refs`] (and the generic [`flag_orphan_references`]).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use medallion_model::{Rule, Severity};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::normalize::{EncounterClass, silver_required_columns, silver_schema};
use crate::spec::TableKind;

/// The SNOMED-CT code of Synthea's death-certification encounter.
pub const DEATH_CERTIFICATION_CODE: &str = "308646001";

/// Name of the flag column added by [`flag_encounters_after_death`].
pub const AFTER_DEATH_FLAG: &str = "after_death_flag";
/// Rule name of the encounter-after-death check.
pub const AFTER_DEATH_RULE: &str = "encounters.after_death";
/// Name of the flag column added by [`flag_orphan_patient_refs`].
pub const ORPHAN_PATIENT_FLAG: &str = "orphan_patient_flag";
/// Name of the flag column added by [`flag_orphan_encounter_refs`].
pub const ORPHAN_ENCOUNTER_FLAG: &str = "orphan_encounter_flag";

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

fn string_list(values: &[&str]) -> Expr {
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

fn left_join_args() -> JoinArgs {
    let mut args = JoinArgs::new(JoinType::Left);
    args.maintain_order = MaintainOrderJoin::Left;
    args.validation = JoinValidation::ManyToOne;
    args
}

/// Flag encounters that start (calendar date `start_date`) after the patient's
/// `death_date`, except death-certification encounters
/// ([`DqConfig::death_certification_codes`]), which Synthea dates 1+ days after death.
///
/// Inputs are silver `encounters` (needs `patient_id`, `start_date`, `code`) and silver
/// `patients` (needs `patient_id`, `death_date`; duplicate patient ids use the earliest
/// death date). Output: `encounters` with a non-null `Boolean` column
/// [`AFTER_DEATH_FLAG`], same rows in the same order. Rule name: [`AFTER_DEATH_RULE`]
/// (suggested severity: warn).
pub fn flag_encounters_after_death(
    encounters: LazyFrame,
    patients: LazyFrame,
    config: &DqConfig,
) -> LazyFrame {
    let deaths = patients
        .select([
            col("patient_id").alias("__dq_pid"),
            col("death_date").alias("__dq_death_date"),
        ])
        .group_by([col("__dq_pid")])
        .agg([col("__dq_death_date").min()]);
    let codes: Vec<&str> = config
        .death_certification_codes
        .iter()
        .map(String::as_str)
        .collect();
    let is_certification = col("code")
        .is_in(string_list(&codes), false)
        .fill_null(lit(false));
    encounters
        .join(
            deaths,
            [col("patient_id")],
            [col("__dq_pid")],
            left_join_args(),
        )
        .with_column(
            col("__dq_death_date")
                .is_not_null()
                .and(col("start_date").gt(col("__dq_death_date")))
                .and(is_certification.not())
                .fill_null(lit(false))
                .alias(AFTER_DEATH_FLAG),
        )
        .drop(by_name(["__dq_death_date"], true, false))
}

/// Add a non-null `Boolean` column `flag` to `child` that is `true` where
/// `child[child_column]` is non-null and does not occur in `parent[parent_column]`.
/// Null references are not orphans (use the `required_null` rules for those).
/// Same rows, same order as `child`.
pub fn flag_orphan_references(
    child: LazyFrame,
    child_column: &str,
    parent: LazyFrame,
    parent_column: &str,
    flag: &str,
) -> LazyFrame {
    let keys = parent
        .select([col(parent_column).alias("__dq_key")])
        .filter(col("__dq_key").is_not_null())
        .unique(None, UniqueKeepStrategy::Any)
        .with_column(lit(true).alias("__dq_present"));
    child
        .join(
            keys,
            [col(child_column)],
            [col("__dq_key")],
            left_join_args(),
        )
        .with_column(
            col(child_column)
                .is_not_null()
                .and(col("__dq_present").is_null())
                .alias(flag),
        )
        .drop(by_name(["__dq_present"], true, false))
}

/// [`flag_orphan_references`] of `child.patient_id` against silver `patients`, adding
/// [`ORPHAN_PATIENT_FLAG`] (rule name `<table>.orphan_patient`).
pub fn flag_orphan_patient_refs(child: LazyFrame, patients: LazyFrame) -> LazyFrame {
    flag_orphan_references(
        child,
        "patient_id",
        patients,
        "patient_id",
        ORPHAN_PATIENT_FLAG,
    )
}

/// [`flag_orphan_references`] of `child.encounter_id` against silver `encounters`, adding
/// [`ORPHAN_ENCOUNTER_FLAG`] (rule name `<table>.orphan_encounter`).
pub fn flag_orphan_encounter_refs(child: LazyFrame, encounters: LazyFrame) -> LazyFrame {
    flag_orphan_references(
        child,
        "encounter_id",
        encounters,
        "encounter_id",
        ORPHAN_ENCOUNTER_FLAG,
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::normalize::{NormalizeConfig, normalize};
    use crate::test_util::{bools, strs};
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
        .unwrap()
        .lazy();
        normalize(
            TableKind::Encounters,
            SyntheaVersion::V3Latest,
            raw,
            &NormalizeConfig::default(),
        )
        .unwrap()
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

    fn patients() -> LazyFrame {
        let raw = df!(
            "Id" => ["p1", "p2", "p3"],
            "BIRTHDATE" => ["1950-01-01", "2030-05-05", "2000-01-01"],
            "DEATHDATE" => ["2020-01-02", "", "1999-01-01"],
        )
        .unwrap()
        .lazy();
        normalize(
            TableKind::Patients,
            SyntheaVersion::V2,
            raw,
            &NormalizeConfig::default(),
        )
        .unwrap()
    }

    #[test]
    fn birth_date_in_future_uses_the_as_of_argument() {
        assert_eq!(
            fire(
                TableKind::Patients,
                patients(),
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
        let df = patients()
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
                patients(),
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
    fn encounter_after_death_spares_the_death_certification() {
        // p1 died 2020-01-02: e2 (Jan 2) is on the death day, e2' (Jan 3) is after it.
        let enc = df!(
            "encounter_id" => ["a", "b", "c", "d"],
            "patient_id" => ["p1", "p1", "p1", "p2"],
            "start_date" => [
                NaiveDate::from_ymd_opt(2020, 1, 2).unwrap(),
                NaiveDate::from_ymd_opt(2020, 1, 5).unwrap(),
                NaiveDate::from_ymd_opt(2020, 1, 6).unwrap(),
                NaiveDate::from_ymd_opt(2030, 1, 6).unwrap(),
            ],
            "code" => ["185345009", DEATH_CERTIFICATION_CODE, "50849002", "1"],
        )
        .unwrap()
        .lazy();
        let df = flag_encounters_after_death(enc, patients(), &DqConfig::default())
            .collect()
            .unwrap();
        assert_eq!(
            bools(&df, AFTER_DEATH_FLAG),
            [Some(false), Some(false), Some(true), Some(false)]
        );
        assert_eq!(
            strs(&df, "encounter_id"),
            ["a", "b", "c", "d"].map(|s| Some(s.to_string()))
        );
        assert!(df.column("__dq_death_date").is_err());
    }

    #[test]
    fn orphan_references_flag_unknown_non_null_keys() {
        let obs = df!("encounter_id" => [Some("e1"), None, Some("nope"), Some("e4")])
            .unwrap()
            .lazy();
        let df = flag_orphan_encounter_refs(obs, encounters())
            .collect()
            .unwrap();
        assert_eq!(
            bools(&df, ORPHAN_ENCOUNTER_FLAG),
            [Some(false), Some(false), Some(true), Some(false)]
        );
        let df = flag_orphan_patient_refs(encounters(), patients())
            .collect()
            .unwrap();
        assert_eq!(
            bools(&df, ORPHAN_PATIENT_FLAG),
            [Some(false), Some(false), Some(false), Some(true)]
        );
        assert_eq!(df.height(), 4);
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
