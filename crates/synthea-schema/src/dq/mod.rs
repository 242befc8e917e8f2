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
use crate::spec::{EncounterClass, Measure, TableKind};

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
    /// The money and count range rules ([`range_rules`]). Default:
    /// [`ValueRangeConfig::default`] (warn). A configuration written before this field
    /// existed loads with the default.
    pub value_ranges: ValueRangeConfig,
}

impl Default for DqConfig {
    fn default() -> Self {
        Self {
            death_certification_codes: vec![DEATH_CERTIFICATION_CODE.to_string()],
            severity_overrides: BTreeMap::new(),
            value_ranges: ValueRangeConfig::default(),
        }
    }
}

/// Configuration of the range rules of money and count columns ([`range_rules`]).
///
/// Serde-loadable; every field has a default, so `{}` is the default configuration:
///
/// ```
/// use medallion_model::Severity;
/// use synthea_schema::dq::ValueRangeConfig;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let config: ValueRangeConfig = serde_json::from_str(r#"{"severity": "quarantine"}"#)?;
/// assert_eq!(config.severity, Severity::Quarantine);
/// assert_eq!(serde_json::from_str::<ValueRangeConfig>("{}")?, ValueRangeConfig::default());
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ValueRangeConfig {
    /// Severity of every range rule: `warn` keeps the row and flags it, `quarantine`
    /// moves it to `<table>_quarantine`, `fail` stops the batch. Default:
    /// [`Severity::Warn`] (a negative amount is suspicious, not unusable). One rule can
    /// still be changed by name with [`DqConfig::severity_overrides`].
    pub severity: Severity,
}

impl Default for ValueRangeConfig {
    fn default() -> Self {
        Self {
            severity: Severity::Warn,
        }
    }
}

impl ValueRangeConfig {
    /// Set [`Self::severity`].
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}

impl DqConfig {
    /// Override the severity of rule `name`.
    pub fn with_severity(mut self, name: impl Into<String>, severity: Severity) -> Self {
        self.severity_overrides.insert(name.into(), severity);
        self
    }

    /// Set [`Self::value_ranges`].
    pub fn with_value_ranges(mut self, value_ranges: ValueRangeConfig) -> Self {
        self.value_ranges = value_ranges;
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
/// * `encounters.unknown_encounter_class` — class outside [`EncounterClass`] (warn);
/// * `<t>.negative_money.<col>`, `<t>.negative_count.<col>` — the range rules of
///   [`range_rules`] ([`ValueRangeConfig::severity`], warn by default).
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
    rules.extend(range_rules(table, &config.value_ranges));

    rules
        .into_iter()
        .map(|r| match config.severity_overrides.get(&r.name) {
            Some(severity) => r.with_severity(*severity),
            None => r,
        })
        .collect()
}

/// The range rules of `table`, generated from the [`Measure`] marks of its columns in
/// the spec ([`crate::ColumnSpec::measure`]): one rule per marked column present in the
/// silver table, all with [`ValueRangeConfig::severity`].
///
/// * `<t>.negative_money.<col>` — a money amount is < 0;
/// * `<t>.negative_count.<col>` — a count is < 0.
///
/// Zero, null and `NaN` never fire (a missing value is the required-null rule's
/// business). Example: a `total_claim_cost` of −1000 in `encounters` fires
/// `encounters.negative_money.total_claim_cost`.
pub fn range_rules(table: TableKind, config: &ValueRangeConfig) -> Vec<Rule> {
    let t = table.name();
    let schema = silver_schema(table);
    let mut seen: Vec<&str> = Vec::new();
    let mut rules = Vec::new();
    for column in table.columns() {
        let Some(measure) = column.measure else {
            continue;
        };
        let c = column.silver;
        if seen.contains(&c)
            || !schema
                .get(c)
                .is_some_and(|dtype| dtype.is_primitive_numeric())
        {
            continue;
        }
        seen.push(c);
        let what = match measure {
            Measure::Money => "a money amount",
            Measure::Count => "a count",
        };
        rules.push(rule(
            format!("{t}.negative_{}.{c}", measure.name()),
            col(c).lt(lit(0)),
            config.severity,
            format!("`{c}` is negative; {what} is never below 0"),
        ));
    }
    rules
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

    fn encounters_with_costs(total_claim_cost: &[&str]) -> LazyFrame {
        let n = total_claim_cost.len();
        let raw = df!(
            "Id" => (0..n).map(|i| format!("e{i}")).collect::<Vec<_>>(),
            "START" => vec!["2020-01-01T10:00:00Z"; n],
            "PATIENT" => vec!["p1"; n],
            "TOTAL_CLAIM_COST" => total_claim_cost,
        )
        .unwrap();
        silver(TableKind::Encounters, SyntheaVersion::V3Latest, raw)
    }

    fn range_rule(table: TableKind, config: &DqConfig, name: &str) -> Rule {
        dq_rules(table, config, as_of())
            .into_iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no rule {name}"))
    }

    fn fired(rule: &Rule, lf: LazyFrame) -> Vec<Option<bool>> {
        let df = lf
            .select([rule.violation.clone().alias("fired")])
            .collect()
            .unwrap();
        bools(&df, "fired")
    }

    #[test]
    fn negative_total_claim_cost_is_flagged_as_warn_by_default() {
        let name = "encounters.negative_money.total_claim_cost";
        let rule = range_rule(TableKind::Encounters, &DqConfig::default(), name);
        assert_eq!(rule.severity, Severity::Warn);
        assert_eq!(
            fired(&rule, encounters_with_costs(&["-1000.0", "129.16"])),
            [Some(true), Some(false)]
        );
    }

    #[test]
    fn negative_total_claim_cost_is_quarantined_when_configured() {
        let config = DqConfig::default()
            .with_value_ranges(ValueRangeConfig::default().with_severity(Severity::Quarantine));
        let name = "encounters.negative_money.total_claim_cost";
        let rule = range_rule(TableKind::Encounters, &config, name);
        assert_eq!(rule.severity, Severity::Quarantine);
        assert_eq!(
            fired(&rule, encounters_with_costs(&["-1000.0"])),
            [Some(true)]
        );
        // Every range rule follows the configured severity.
        let ranges = range_rules(TableKind::Encounters, &config.value_ranges);
        assert_eq!(ranges.len(), 3);
        assert!(ranges.iter().all(|r| r.severity == Severity::Quarantine));
    }

    #[test]
    fn zero_and_null_money_are_allowed() {
        let rule = range_rule(
            TableKind::Encounters,
            &DqConfig::default(),
            "encounters.negative_money.total_claim_cost",
        );
        assert_eq!(
            fired(&rule, encounters_with_costs(&["0.0", "", "0", "NaN"])),
            [Some(false), Some(false), Some(false), Some(false)]
        );
    }

    #[test]
    fn negative_medication_costs_and_dispenses_are_flagged() {
        let raw = df!(
            "START" => ["2020-01-01T10:00:00Z", "2020-01-01T10:00:00Z", "2020-01-01T10:00:00Z"],
            "PATIENT" => ["p1", "p1", "p1"],
            "CODE" => ["1", "2", "3"],
            "BASE_COST" => ["-0.01", "12.5", "0"],
            "TOTALCOST" => ["", "-25.0", "0"],
            "DISPENSES" => ["1", "2", "-1"],
        )
        .unwrap();
        let meds = silver(TableKind::Medications, SyntheaVersion::V3Latest, raw);
        let config = DqConfig::default();
        let rule = |n| range_rule(TableKind::Medications, &config, n);
        assert_eq!(
            fired(&rule("medications.negative_money.base_cost"), meds.clone()),
            [Some(true), Some(false), Some(false)]
        );
        assert_eq!(
            fired(&rule("medications.negative_money.total_cost"), meds.clone()),
            [Some(false), Some(true), Some(false)]
        );
        assert_eq!(
            fired(&rule("medications.negative_count.dispenses"), meds),
            [Some(false), Some(false), Some(true)]
        );
    }

    #[test]
    fn negative_healthcare_expenses_are_flagged() {
        let raw = df!(
            "Id" => ["p1", "p2", "p3"],
            "BIRTHDATE" => ["1950-01-01", "1960-01-01", "1970-01-01"],
            "HEALTHCARE_EXPENSES" => ["-5.0", "0.0", ""],
            "INCOME" => ["20000", "-1", "0"],
        )
        .unwrap();
        let patients = silver(TableKind::Patients, SyntheaVersion::V3Latest, raw);
        let config = DqConfig::default();
        let rule = |n| range_rule(TableKind::Patients, &config, n);
        assert_eq!(
            fired(
                &rule("patients.negative_money.healthcare_expenses"),
                patients.clone()
            ),
            [Some(true), Some(false), Some(false)]
        );
        assert_eq!(
            fired(&rule("patients.negative_money.income"), patients),
            [Some(false), Some(true), Some(false)]
        );
    }

    #[test]
    fn every_money_and_count_column_of_the_spec_has_a_range_rule() {
        for &table in TableKind::all() {
            let names: Vec<String> = range_rules(table, &ValueRangeConfig::default())
                .into_iter()
                .map(|r| r.name)
                .collect();
            for c in table.columns() {
                if let Some(m) = c.measure {
                    let want = format!("{}.negative_{}.{}", table.name(), m.name(), c.silver);
                    assert!(names.contains(&want), "{want} missing");
                }
            }
            let unique: std::collections::BTreeSet<_> = names.iter().collect();
            assert_eq!(
                unique.len(),
                names.len(),
                "{}: one rule per column",
                table.name()
            );
        }
    }

    #[test]
    fn a_dq_config_without_value_ranges_loads_with_warn() {
        let config: DqConfig =
            serde_json::from_str(r#"{"death_certification_codes": ["308646001"]}"#).unwrap();
        assert_eq!(config.value_ranges.severity, Severity::Warn);
        let config: DqConfig =
            serde_json::from_str(r#"{"value_ranges": {"severity": "quarantine"}}"#).unwrap();
        assert_eq!(config.value_ranges.severity, Severity::Quarantine);
    }
}
