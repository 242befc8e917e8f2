//! Static specs of every Synthea table: raw column names, Polars dtypes, nullability,
//! meaning, the versions that have each column, and the canonical silver name.
//!
//! The specs are plain `const` data in the private `tables` module; this module holds the types and the
//! lookup API ([`TableKind`], [`TableSpec`], [`ColumnSpec`]).

mod tables;

pub use tables::FOREIGN_KEYS;

use std::fmt;
use std::str::FromStr;

#[cfg(feature = "polars")]
use polars::prelude::{DataType, Field, Schema, TimeUnit, TimeZone};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::version::{SyntheaVersion, VersionSet};

/// The logical kind of a raw column, which fixes its Polars dtype and parser.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueKind {
    /// Free text (names, descriptions). `String`.
    Text,
    /// An identifier (UUID-shaped or other opaque key). Always `String`.
    Id,
    /// A code (SNOMED, LOINC, RxNorm, CVX, DICOM, ZIP, FIPS, SSN…). Always `String`:
    /// leading zeros (`08`, `02155`) and 17-digit SNOMED codes must survive.
    Code,
    /// A whole number. `Int64`.
    Int,
    /// A decimal number or money amount (`NaN` allowed). `Float64`.
    Float,
    /// A calendar date `YYYY-MM-DD`. `Date`.
    Date,
    /// A UTC timestamp `YYYY-MM-DDTHH:MM:SSZ`. `Datetime(Microseconds, "UTC")`.
    Timestamp,
    /// A plain 4-digit year `YYYY` (2.x payer transitions). `Int64`.
    Year,
}

impl ValueKind {
    /// The Polars dtype a column of this kind has after typed reading.
    #[cfg(feature = "polars")]
    pub fn dtype(self) -> DataType {
        match self {
            Self::Text | Self::Id | Self::Code => DataType::String,
            Self::Int | Self::Year => DataType::Int64,
            Self::Float => DataType::Float64,
            Self::Date => DataType::Date,
            Self::Timestamp => utc_datetime(),
        }
    }

    /// Whether values of this kind are kept as text (no parsing).
    pub fn is_text(self) -> bool {
        matches!(self, Self::Text | Self::Id | Self::Code)
    }
}

/// `Datetime(Microseconds, Some("UTC"))`, the dtype of every Synthea timestamp.
#[cfg(feature = "polars")]
pub fn utc_datetime() -> DataType {
    DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
}

/// What a numeric column measures, which fixes the range its values must lie in. The
/// data-quality range rules ([`crate::dq::range_rules`]) are generated from these marks
/// ([`ColumnSpec::measure`]), never written per column.
///
/// Every money and count column of every table is marked; a column whose values may
/// legitimately be negative would simply stay unmarked, with the reason in its doc. None
/// does: the three saved exports (2.x, early 3.x, 3.x 2024) have no negative value in any
/// marked column, `claims_transactions.ADJUSTMENTS` and `TRANSFERS` included (both are
/// written as non-negative amounts, the direction being in `TYPE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Measure {
    /// A money amount (cost, payment, coverage, outstanding, expenses, income, revenue):
    /// ≥ 0. Zero is valid (a free visit, no income); null and `NaN` are not range
    /// violations.
    Money,
    /// A count of things (dispenses, units, encounters, customers, member months): a
    /// whole number ≥ 0 (the typed reader already rejects fractions). Zero is valid.
    Count,
}

impl Measure {
    /// Lowercase name used in rule names: `money`, `count`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Money => "money",
            Self::Count => "count",
        }
    }
}

/// One raw column of one Synthea table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ColumnSpec {
    /// Raw header name, exactly as Synthea writes it (e.g. `ENCOUNTERCLASS`).
    pub name: &'static str,
    /// Logical kind (fixes the dtype and the parser).
    pub kind: ValueKind,
    /// `true` when the column is always filled in real exports (a null is a data-quality
    /// problem); `false` when empty values are legitimate.
    pub required: bool,
    /// The versions whose files have this column.
    pub versions: VersionSet,
    /// Versions (a subset of `versions`) in which the header may legitimately omit the
    /// column, e.g. `MIDDLE` and `SYSTEM` that only the newest 3.3+ exports write.
    pub header_optional_in: VersionSet,
    /// Canonical silver column name (snake_case).
    pub silver: &'static str,
    /// What the column means.
    pub doc: &'static str,
    /// The values of a categorical column as Synthea writes them (case-sensitive, e.g.
    /// `M`/`F` for `GENDER`); empty for columns that are not categorical.
    pub values: &'static [&'static str],
    /// What a numeric column measures ([`Measure::Money`] or [`Measure::Count`]), which
    /// fixes its valid range; `None` for every other column.
    pub measure: Option<Measure>,
}

impl ColumnSpec {
    /// Polars dtype after typed reading.
    #[cfg(feature = "polars")]
    pub fn dtype(&self) -> DataType {
        self.kind.dtype()
    }

    /// Whether this column exists in `version`.
    pub fn in_version(&self, version: SyntheaVersion) -> bool {
        self.versions.contains(version)
    }

    /// Whether a header of `version` must contain this column.
    pub fn header_required_in(&self, version: SyntheaVersion) -> bool {
        self.in_version(version) && !self.header_optional_in.contains(version)
    }

    /// Whether the column holds one of a small fixed set of [`values`](Self::values).
    pub fn is_categorical(&self) -> bool {
        !self.values.is_empty()
    }
}

/// `const` constructor used by the spec tables.
pub(crate) const fn col(
    name: &'static str,
    kind: ValueKind,
    required: bool,
    versions: VersionSet,
    silver: &'static str,
    doc: &'static str,
) -> ColumnSpec {
    ColumnSpec {
        name,
        kind,
        required,
        versions,
        header_optional_in: VersionSet::NONE,
        silver,
        doc,
        values: &[],
        measure: None,
    }
}

impl ColumnSpec {
    /// Mark the column as possibly absent from headers of `versions`.
    pub(crate) const fn header_optional(mut self, versions: VersionSet) -> Self {
        self.header_optional_in = versions;
        self
    }

    /// Mark the column as a money amount ([`Measure::Money`]).
    pub(crate) const fn money(mut self) -> Self {
        self.measure = Some(Measure::Money);
        self
    }

    /// Mark the column as a count ([`Measure::Count`]).
    pub(crate) const fn count(mut self) -> Self {
        self.measure = Some(Measure::Count);
        self
    }

    /// Mark the column as categorical with these values.
    pub(crate) const fn categorical(mut self, values: &'static [&'static str]) -> Self {
        self.values = values;
        self
    }
}

/// Every Synthea table this crate knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableKind {
    /// `allergies.csv`.
    Allergies,
    /// `careplans.csv`.
    Careplans,
    /// `claims.csv` (3.x).
    Claims,
    /// `claims_transactions.csv` (3.x).
    ClaimsTransactions,
    /// `conditions.csv`.
    Conditions,
    /// `devices.csv`.
    Devices,
    /// `encounters.csv`.
    Encounters,
    /// `imaging_studies.csv`.
    ImagingStudies,
    /// `immunizations.csv`.
    Immunizations,
    /// `medications.csv`.
    Medications,
    /// `observations.csv`.
    Observations,
    /// `organizations.csv`.
    Organizations,
    /// `patients.csv`.
    Patients,
    /// `patient_expenses.csv` (newest 3.3+ only, optional).
    PatientExpenses,
    /// `payer_transitions.csv`.
    PayerTransitions,
    /// `payers.csv`.
    Payers,
    /// `procedures.csv`.
    Procedures,
    /// `providers.csv`.
    Providers,
    /// `supplies.csv`.
    Supplies,
}

impl TableKind {
    /// Every table, in file-name order.
    pub const ALL: [TableKind; 19] = [
        Self::Allergies,
        Self::Careplans,
        Self::Claims,
        Self::ClaimsTransactions,
        Self::Conditions,
        Self::Devices,
        Self::Encounters,
        Self::ImagingStudies,
        Self::Immunizations,
        Self::Medications,
        Self::Observations,
        Self::Organizations,
        Self::Patients,
        Self::PatientExpenses,
        Self::PayerTransitions,
        Self::Payers,
        Self::Procedures,
        Self::Providers,
        Self::Supplies,
    ];

    /// Every table, in file-name order.
    pub fn all() -> &'static [TableKind] {
        &Self::ALL
    }

    /// Position of the table in [`Self::ALL`] (a dense index for per-table arrays).
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Table name = file stem, e.g. `"claims_transactions"`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Allergies => "allergies",
            Self::Careplans => "careplans",
            Self::Claims => "claims",
            Self::ClaimsTransactions => "claims_transactions",
            Self::Conditions => "conditions",
            Self::Devices => "devices",
            Self::Encounters => "encounters",
            Self::ImagingStudies => "imaging_studies",
            Self::Immunizations => "immunizations",
            Self::Medications => "medications",
            Self::Observations => "observations",
            Self::Organizations => "organizations",
            Self::Patients => "patients",
            Self::PatientExpenses => "patient_expenses",
            Self::PayerTransitions => "payer_transitions",
            Self::Payers => "payers",
            Self::Procedures => "procedures",
            Self::Providers => "providers",
            Self::Supplies => "supplies",
        }
    }

    /// CSV file name, e.g. `"encounters.csv"`.
    pub fn file_name(self) -> String {
        format!("{}.csv", self.name())
    }

    /// Singular entity name used for the silver primary key (`<singular>_id`).
    pub fn singular(self) -> &'static str {
        match self {
            Self::Allergies => "allergy",
            Self::Careplans => "careplan",
            Self::Claims => "claim",
            Self::ClaimsTransactions => "claim_transaction",
            Self::Conditions => "condition",
            Self::Devices => "device",
            Self::Encounters => "encounter",
            Self::ImagingStudies => "imaging_study",
            Self::Immunizations => "immunization",
            Self::Medications => "medication",
            Self::Observations => "observation",
            Self::Organizations => "organization",
            Self::Patients => "patient",
            Self::PatientExpenses => "patient_expense",
            Self::PayerTransitions => "payer_transition",
            Self::Payers => "payer",
            Self::Procedures => "procedure",
            Self::Providers => "provider",
            Self::Supplies => "supply",
        }
    }

    /// Versions whose exports contain this file.
    pub fn versions(self) -> VersionSet {
        match self {
            Self::Claims | Self::ClaimsTransactions => VersionSet::V3,
            Self::PatientExpenses => VersionSet::V3_LATEST,
            _ => VersionSet::ALL,
        }
    }

    /// Whether an export of `version` can contain this file.
    pub fn in_version(self, version: SyntheaVersion) -> bool {
        self.versions().contains(version)
    }

    /// Whether every export must contain this file. Only `patients` and `encounters`
    /// are required; an exporter option can drop any other file.
    pub fn is_required_file(self) -> bool {
        matches!(self, Self::Patients | Self::Encounters)
    }

    /// Every column spec of this table across all versions (including the two
    /// version-specific variants of a renamed or retyped column).
    pub fn columns(self) -> &'static [ColumnSpec] {
        tables::columns(self)
    }

    /// Raw names of the categorical columns of this table over all versions (those with
    /// [`ColumnSpec::values`]), in header order: the columns whose spelling variants are
    /// worth checking.
    pub fn categorical_columns(self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = Vec::new();
        for c in self.columns().iter().filter(|c| c.is_categorical()) {
            if !names.contains(&c.name) {
                names.push(c.name);
            }
        }
        names
    }

    /// Silver business key columns used for the duplicate-id rule and surrogate keys,
    /// or an empty slice when the table has no natural key (event tables without `Id`).
    pub fn silver_key(self) -> &'static [&'static str] {
        match self {
            Self::Careplans => &["careplan_id"],
            Self::Claims => &["claim_id"],
            Self::ClaimsTransactions => &["claim_transaction_id"],
            Self::Encounters => &["encounter_id"],
            // `Id` is not unique in imaging_studies: one row per series instance.
            Self::ImagingStudies => &["imaging_study_id", "series_uid", "instance_uid"],
            Self::Organizations => &["organization_id"],
            Self::Patients => &["patient_id"],
            Self::Payers => &["payer_id"],
            Self::Providers => &["provider_id"],
            _ => &[],
        }
    }

    /// The spec of this table in `version`, or `None` when exports of that version do
    /// not have the file.
    pub fn spec(self, version: SyntheaVersion) -> Option<TableSpec> {
        if !self.in_version(version) {
            return None;
        }
        let columns = self
            .columns()
            .iter()
            .filter(|c| c.in_version(version))
            .copied()
            .collect();
        Some(TableSpec {
            table: self,
            version,
            columns,
        })
    }

    /// Look a table up by its name or file name (`"encounters"` or `"encounters.csv"`).
    pub fn from_file_name(name: &str) -> Option<TableKind> {
        let stem = name
            .strip_suffix(".csv")
            .or_else(|| name.strip_suffix(".parquet"))
            .or_else(|| name.strip_suffix(".ndjson"))
            .or_else(|| name.strip_suffix(".jsonl"))
            .unwrap_or(name);
        Self::ALL.into_iter().find(|t| t.name() == stem)
    }
}

impl fmt::Display for TableKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for TableKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_file_name(s).ok_or_else(|| Error::UnknownTable {
            name: s.to_string(),
            known: Self::ALL.iter().map(|t| t.name().to_string()).collect(),
        })
    }
}

/// The encounter classes Synthea writes in `encounters.ENCOUNTERCLASS` (2.x has the first
/// six; 3.x adds `home`, `hospice`, `snf` and `virtual`). The raw values are also the
/// silver `encounter_class` values ([`crate::normalize`] only cleans case and separators).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EncounterClass {
    /// `ambulatory`.
    Ambulatory,
    /// `emergency`.
    Emergency,
    /// `inpatient`.
    Inpatient,
    /// `outpatient`.
    Outpatient,
    /// `urgentcare`.
    Urgentcare,
    /// `wellness`.
    Wellness,
    /// `home` (3.x).
    Home,
    /// `hospice` (3.x).
    Hospice,
    /// `snf`, skilled nursing facility (3.x).
    Snf,
    /// `virtual`, telehealth (3.x).
    Virtual,
}

impl EncounterClass {
    /// Every class.
    pub const ALL: [EncounterClass; 10] = [
        Self::Ambulatory,
        Self::Emergency,
        Self::Inpatient,
        Self::Outpatient,
        Self::Urgentcare,
        Self::Wellness,
        Self::Home,
        Self::Hospice,
        Self::Snf,
        Self::Virtual,
    ];

    /// The silver value, e.g. `"urgentcare"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ambulatory => "ambulatory",
            Self::Emergency => "emergency",
            Self::Inpatient => "inpatient",
            Self::Outpatient => "outpatient",
            Self::Urgentcare => "urgentcare",
            Self::Wellness => "wellness",
            Self::Home => "home",
            Self::Hospice => "hospice",
            Self::Snf => "snf",
            Self::Virtual => "virtual",
        }
    }

    /// Every value ([`ENCOUNTER_CLASSES`]), e.g. for an `is_in` list.
    pub fn values() -> Vec<&'static str> {
        ENCOUNTER_CLASSES.to_vec()
    }
}

impl fmt::Display for EncounterClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EncounterClass {
    type Err = Error;

    /// Parse with the same cleaning as normalization (case, spaces, `_`, `-` ignored).
    fn from_str(s: &str) -> Result<Self, Error> {
        let cleaned: String = s
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| !matches!(c, ' ' | '_' | '-'))
            .collect();
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == cleaned)
            .ok_or_else(|| Error::InvalidConfig {
                field: "encounter_class",
                value: s.to_string(),
                reason: format!("expected one of {:?}", Self::values()),
            })
    }
}

/// [`EncounterClass::as_str`] of every class, in [`EncounterClass::ALL`] order: the values
/// of the categorical column `encounters.ENCOUNTERCLASS`.
pub const ENCOUNTER_CLASSES: [&str; EncounterClass::ALL.len()] = {
    let mut values = [""; EncounterClass::ALL.len()];
    let mut i = 0;
    while i < values.len() {
        values[i] = EncounterClass::ALL[i].as_str();
        i += 1;
    }
    values
};

/// The columns of one table in one version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableSpec {
    /// The table.
    pub table: TableKind,
    /// The version.
    pub version: SyntheaVersion,
    /// Column specs present in this version, in Synthea's header order.
    pub columns: Vec<ColumnSpec>,
}

impl TableSpec {
    /// The column spec with raw header name `name`.
    pub fn column(&self, name: &str) -> Option<&ColumnSpec> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Raw names the header of this version must contain.
    pub fn header_required_columns(&self) -> Vec<&'static str> {
        self.columns
            .iter()
            .filter(|c| c.header_required_in(self.version))
            .map(|c| c.name)
            .collect()
    }

    /// The columns of this table that reference another table's id, with the table they
    /// reference, in header order (from [`FOREIGN_KEYS`]; a table's own id never counts).
    pub fn foreign_keys(&self) -> Vec<(&ColumnSpec, TableKind)> {
        self.columns
            .iter()
            .filter_map(|c| {
                FOREIGN_KEYS
                    .iter()
                    .find(|(name, target)| *name == c.name && *target != self.table)
                    .map(|(_, target)| (c, *target))
            })
            .collect()
    }

    /// Typed raw schema (raw names, typed dtypes), in header order.
    #[cfg(feature = "polars")]
    pub fn raw_schema(&self) -> Schema {
        self.columns
            .iter()
            .map(|c| Field::new(c.name.into(), c.dtype()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_table_has_columns_in_each_of_its_versions() {
        for table in TableKind::all() {
            for v in SyntheaVersion::all() {
                match table.spec(*v) {
                    Some(spec) => assert!(!spec.columns.is_empty(), "{table} {v}"),
                    None => assert!(!table.in_version(*v)),
                }
            }
        }
    }

    #[test]
    fn raw_and_silver_names_are_unique_within_a_version() {
        for table in TableKind::all() {
            for v in SyntheaVersion::all() {
                let Some(spec) = table.spec(*v) else { continue };
                let raw: BTreeSet<_> = spec.columns.iter().map(|c| c.name).collect();
                let silver: BTreeSet<_> = spec.columns.iter().map(|c| c.silver).collect();
                assert_eq!(raw.len(), spec.columns.len(), "raw dup in {table} {v}");
                assert_eq!(
                    silver.len(),
                    spec.columns.len(),
                    "silver dup in {table} {v}"
                );
            }
        }
    }

    #[test]
    fn header_optional_versions_are_subsets_of_versions() {
        for table in TableKind::all() {
            for c in table.columns() {
                for v in c.header_optional_in.versions() {
                    assert!(c.versions.contains(v), "{table}.{}", c.name);
                }
                assert!(!c.doc.is_empty(), "{table}.{} needs a doc", c.name);
            }
        }
    }

    #[cfg(feature = "polars")]
    #[test]
    fn codes_zips_ssns_and_ids_are_strings() {
        for table in TableKind::all() {
            for c in table.columns() {
                let textual = c.name == "Id"
                    || c.name == "ID"
                    || c.name.ends_with("CODE")
                    || c.name == "ZIP"
                    || c.name == "SSN"
                    || c.name == "FIPS"
                    || c.name == "PATIENT"
                    || c.name == "ENCOUNTER";
                if textual {
                    assert_eq!(c.dtype(), DataType::String, "{table}.{}", c.name);
                }
            }
        }
    }

    #[test]
    fn primary_key_is_id_except_in_claims_transactions() {
        for table in TableKind::all() {
            let names: Vec<_> = table.columns().iter().map(|c| c.name).collect();
            if *table == TableKind::ClaimsTransactions {
                assert!(names.contains(&"ID") && !names.contains(&"Id"));
            } else {
                assert!(!names.contains(&"ID"), "{table}");
            }
        }
    }

    #[test]
    fn version_specific_columns_follow_the_drift_checklist() {
        let has = |t: TableKind, v: SyntheaVersion, c: &str| {
            t.spec(v).is_some_and(|s| s.column(c).is_some())
        };
        use SyntheaVersion::*;
        use TableKind::*;
        assert!(!has(Patients, V2, "INCOME") && has(Patients, V3Latest, "INCOME"));
        assert!(has(Patients, V3Latest, "FIPS") && !has(Patients, V3Early, "FIPS"));
        assert!(has(Patients, V3Latest, "MIDDLE"));
        assert!(has(Procedures, V2, "DATE") && !has(Procedures, V3Early, "DATE"));
        assert!(has(Procedures, V3Early, "START") && has(Procedures, V3Latest, "SYSTEM"));
        assert!(has(Observations, V3Early, "CATEGORY") && !has(Observations, V2, "CATEGORY"));
        assert!(has(Allergies, V3Early, "SEVERITY2") && !has(Allergies, V2, "SYSTEM"));
        assert!(has(Providers, V2, "UTILIZATION") && has(Providers, V3Latest, "ENCOUNTERS"));
        assert!(!has(Providers, V3Latest, "UTILIZATION"));
        assert!(has(Payers, V3Latest, "OWNERSHIP") && !has(Payers, V3Early, "OWNERSHIP"));
        assert!(has(PayerTransitions, V3Latest, "START_DATE"));
        assert!(
            has(PayerTransitions, V3Early, "MEMBERID") && !has(PayerTransitions, V2, "MEMBERID")
        );
        let st = |v| {
            PayerTransitions
                .spec(v)
                .and_then(|s| s.column("START_YEAR").map(|c| c.kind))
        };
        assert_eq!(st(V2), Some(ValueKind::Year));
        assert_eq!(st(V3Early), Some(ValueKind::Timestamp));
        assert_eq!(st(V3Latest), None);
        assert!(ClaimsTransactions.spec(V2).is_none() && Claims.spec(V3Early).is_some());
        assert!(PatientExpenses.spec(V3Early).is_none());
    }

    #[test]
    fn foreign_keys_name_existing_columns_of_other_tables() {
        for (name, target) in FOREIGN_KEYS {
            assert!(
                TableKind::all()
                    .iter()
                    .any(|t| t.columns().iter().any(|c| c.name == *name)),
                "{name} is no column of any table"
            );
            assert!(!target.silver_key().is_empty(), "{target} has no key");
        }
        let claims = TableKind::Claims.spec(SyntheaVersion::V3Latest);
        let fks: Vec<_> = claims
            .iter()
            .flat_map(|s| s.foreign_keys())
            .map(|(c, t)| (c.name, t))
            .collect();
        assert!(fks.contains(&("APPOINTMENTID", TableKind::Encounters)));
        assert!(fks.contains(&("PATIENTID", TableKind::Patients)));
        assert!(!fks.iter().any(|(n, _)| *n == "Id"));
        // A table's own id column is not a reference: providers.ORGANIZATION is, encounters.Id is not.
        let providers = TableKind::Providers.spec(SyntheaVersion::V2).unwrap();
        let fks: Vec<_> = providers
            .foreign_keys()
            .into_iter()
            .map(|(c, _)| c.name)
            .collect();
        assert_eq!(fks, ["ORGANIZATION"]);
    }

    #[test]
    fn categorical_columns_list_the_columns_with_values() {
        assert_eq!(
            TableKind::Patients.categorical_columns(),
            ["MARITAL", "RACE", "ETHNICITY", "GENDER"]
        );
        // OWNERSHIP (2.x and early 3.x) and PLAN_OWNERSHIP (3.3+) hold the same values.
        assert_eq!(
            TableKind::PayerTransitions.categorical_columns(),
            ["OWNERSHIP", "PLAN_OWNERSHIP"]
        );
        assert!(TableKind::Conditions.categorical_columns().is_empty());
        let class = TableKind::Encounters
            .columns()
            .iter()
            .find(|c| c.name == "ENCOUNTERCLASS")
            .unwrap();
        assert_eq!(class.values, ENCOUNTER_CLASSES);
        assert!(ENCOUNTER_CLASSES.contains(&"urgentcare") && ENCOUNTER_CLASSES.len() == 10);
        for table in TableKind::all() {
            for c in table.columns().iter().filter(|c| c.is_categorical()) {
                assert_eq!(c.kind, ValueKind::Text, "{table}.{}", c.name);
            }
        }
    }

    #[test]
    fn table_index_is_the_position_in_all() {
        for (i, t) in TableKind::ALL.iter().enumerate() {
            assert_eq!(t.index(), i);
        }
    }

    #[test]
    fn table_names_round_trip() {
        for t in TableKind::all() {
            assert_eq!(t.file_name().parse::<TableKind>().ok(), Some(*t));
        }
        assert!("nope".parse::<TableKind>().is_err());
    }
}
